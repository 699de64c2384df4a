//! What the two tours share: the section runner that prints each user-guide step and keeps
//! count of the ones that did not behave as the guide says, and the printers for calls,
//! responses and errors.
//!
//! Output follows the user guide's own doctest style: `>>>` before the Rust call being made,
//! the result on the lines below it.

// Each tour uses most, not all, of this module.
#![allow(dead_code)]

use std::fmt::Debug;
use std::future::Future;
use std::io;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hip::{ErrorKind, HttpHeaderDict};

/// Why a step did not go as the user guide says (printed, and the tour exits non-zero).
#[derive(Debug)]
pub(crate) struct Unexpected(pub String);

/// The result of one section.
pub(crate) type Outcome = Result<(), Unexpected>;

impl From<hip::Error> for Unexpected {
    fn from(e: hip::Error) -> Self {
        Unexpected(format!("unexpected error: {}", error_summary(&e)))
    }
}

impl From<io::Error> for Unexpected {
    fn from(e: io::Error) -> Self {
        Unexpected(format!("unexpected I/O error: {e}"))
    }
}

impl From<serde_json::Error> for Unexpected {
    fn from(e: serde_json::Error) -> Self {
        Unexpected(format!("the body is not the JSON expected: {e}"))
    }
}

/// Runs sections one after another and remembers which did not go as the guide says.
pub(crate) struct Tour {
    started: Instant,
    sections: usize,
    failures: Vec<String>,
}

impl Tour {
    /// Prints the banner.
    pub(crate) fn new(title: &str, intro: &[&str]) -> Tour {
        println!("{title}");
        println!("{}", "=".repeat(title.chars().count()));
        for line in intro {
            println!("{line}");
        }
        Tour {
            started: Instant::now(),
            sections: 0,
            failures: Vec::new(),
        }
    }

    fn heading(&mut self, title: &str) {
        self.sections += 1;
        println!();
        let label = format!("-- {}. {title} ", self.sections);
        let width = 78usize.saturating_sub(label.chars().count()).max(3);
        println!("{label}{}", "-".repeat(width));
    }

    fn record(&mut self, title: &str, outcome: Outcome) {
        match outcome {
            Ok(()) => println!("  ok: as the user guide says"),
            Err(Unexpected(why)) => {
                println!("  !! NOT AS THE USER GUIDE SAYS: {why}");
                self.failures.push(format!("{title}: {why}"));
            }
        }
    }

    /// One user-guide section: a heading, then `f`'s calls and results, then its verdict.
    pub(crate) fn section(&mut self, title: &str, f: impl FnOnce() -> Outcome) {
        self.heading(title);
        let outcome = f();
        self.record(title, outcome);
    }

    /// [`Tour::section`] for async code: the heading is printed before `fut` first runs.
    pub(crate) async fn section_async(&mut self, title: &str, fut: impl Future<Output = Outcome>) {
        self.heading(title);
        let outcome = fut.await;
        self.record(title, outcome);
    }

    /// Prints the summary; the exit code is non-zero when any section went wrong.
    pub(crate) fn finish(self) -> ExitCode {
        let secs = self.started.elapsed().as_secs_f64();
        println!();
        println!("{}", "=".repeat(78));
        if self.failures.is_empty() {
            println!(
                "All {} sections behaved as the user guide says ({secs:.1} s).",
                self.sections
            );
            ExitCode::SUCCESS
        } else {
            println!(
                "{} of {} sections did NOT behave as the user guide says ({secs:.1} s):",
                self.failures.len(),
                self.sections
            );
            for failure in &self.failures {
                println!("  - {failure}");
            }
            ExitCode::FAILURE
        }
    }
}

/// A line of prose under a heading.
pub(crate) fn say(text: &str) {
    println!("  {text}");
}

/// The Rust call being made, as the guide's `>>>` lines (continuation lines get `...`).
pub(crate) fn code(text: &str) {
    for (i, line) in text.lines().enumerate() {
        let prompt = if i == 0 { ">>>" } else { "..." };
        println!("  {prompt} {line}");
    }
}

/// A result line under a call.
pub(crate) fn out(text: impl AsRef<str>) {
    for line in text.as_ref().lines() {
        println!("  {line}");
    }
}

/// `data` as a Rust byte-string literal, cut after `max` bytes.
pub(crate) fn excerpt(data: &[u8], max: usize) -> String {
    let shown = &data[..data.len().min(max)];
    let mut s = format!("b\"{}\"", shown.escape_ascii());
    if data.len() > max {
        s.push_str(&format!("... ({} bytes in all)", data.len()));
    }
    s
}

/// The headers worth showing: the listed ones that are present, as `Name: value` lines.
pub(crate) fn header_lines(headers: &HttpHeaderDict, names: &[&str]) -> String {
    names
        .iter()
        .filter_map(|name| headers.get(name).map(|v| format!("  {name}: {v}")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `kind` plus the error's own text, then each `reason` it wraps.
pub(crate) fn error_summary(e: &hip::Error) -> String {
    let mut s = format!("ErrorKind::{:?}: {e}", e.kind());
    let mut reason = e.reason();
    // Reasons do not nest deeply; the bound keeps a cycle from looping forever.
    for _ in 0..4 {
        let Some(r) = reason else { break };
        s.push_str(&format!("\n  caused by ErrorKind::{:?}: {r}", r.kind()));
        reason = r.reason();
    }
    s
}

/// Prints an error as [`error_summary`] does, under an `Err:` label.
pub(crate) fn show_error(e: &hip::Error) {
    out(format!("Err: {}", error_summary(e)));
}

/// Checks a condition; `what` describes the expectation when it fails.
pub(crate) fn check(cond: bool, what: impl FnOnce() -> String) -> Outcome {
    if cond {
        Ok(())
    } else {
        Err(Unexpected(what()))
    }
}

/// Checks `got == want`.
pub(crate) fn check_eq<T: PartialEq + Debug + ?Sized>(got: &T, want: &T, what: &str) -> Outcome {
    check(got == want, || {
        format!("{what}: expected {want:?}, got {got:?}")
    })
}

/// Checks `got == want` for JSON values, showing them as JSON when they differ.
pub(crate) fn check_json(got: &serde_json::Value, want: &serde_json::Value, what: &str) -> Outcome {
    check(got == want, || {
        format!("{what}: expected {want}, got {got}")
    })
}

/// The error a call was expected to return; a response instead is unexpected.
pub(crate) fn expect_err<T>(
    result: Result<T, hip::Error>,
    status: impl Fn(&T) -> u16,
) -> Result<hip::Error, Unexpected> {
    match result {
        Ok(resp) => Err(Unexpected(format!(
            "expected an error, got a response with status {}",
            status(&resp)
        ))),
        Err(e) => {
            show_error(&e);
            Ok(e)
        }
    }
}

/// Checks the error's kind and, when given, the kind of its `reason`.
pub(crate) fn check_kind(e: &hip::Error, kind: ErrorKind, reason: Option<ErrorKind>) -> Outcome {
    check_eq(&e.kind(), &kind, "error kind")?;
    if let Some(want) = reason {
        let got = e.reason().map(hip::Error::kind);
        check_eq(&got, &Some(want), "the error's reason")?;
    }
    Ok(())
}

/// A `tracing` writer that keeps what is written, so the logging step can show hip's log
/// lines in the tour's own output.
#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// The captured text, one entry per line.
    pub(crate) fn lines(&self) -> Vec<String> {
        let buf = self.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&buf)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl io::Write for Captured {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut buf = self.0.lock().unwrap_or_else(|p| p.into_inner());
        buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// A subscriber that writes hip's events at `directive` (e.g. `"hip=debug"`) into `sink`,
/// without timestamps or colours.
pub(crate) fn capturing_subscriber(
    directive: &str,
    sink: Captured,
) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(directive))
        .without_time()
        .with_ansi(false)
        .with_writer(sink)
        .finish()
}
