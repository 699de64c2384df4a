//! `hip`: a small command-line HTTP client on hip's blocking API.
//!
//! ```sh
//! cargo run --example hip -- [OPTIONS] [METHOD] URL
//! cargo run --example hip -- -i http://127.0.0.1:8000/
//! cargo run --example hip -- -H 'Accept: application/json' -d @body.json PUT http://127.0.0.1:8000/item
//! cargo run --example hip -- -F name=value -F upload=@photo.jpg http://127.0.0.1:8000/upload
//! cargo run --example hip -- -o big.iso --retries 5 --timeout 30 https://example.org/big.iso
//! cargo run --example hip -- --resolve example.org:8443:127.0.0.1 https://example.org:8443/
//! ```
//!
//! The method is GET, or POST when a body (`-d`) or form (`-F`) is given. The body is written
//! to standard output (or to `-o FILE`) as it arrives. Any error prints `hip: <error>` on
//! standard error and exits with status 1; an HTTP error status is not an error here.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hip::blocking::Body;
use hip::fields::FieldValue;
use hip::filepost::Fields;
use hip::{CertReqs, HttpResponse, PoolManager};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How many body bytes are read and written at a time.
const CHUNK: usize = 64 * 1024;

/// A small HTTP client on hip's blocking API.
#[derive(Parser, Debug)]
#[command(
    name = "hip",
    version,
    override_usage = "hip [OPTIONS] [METHOD] URL",
    about = "A small HTTP client on hip's blocking API.\n\n\
             Arguments:\n  \
             [METHOD]  GET, or POST when -d or -F is given\n  \
             URL       http:// is assumed when it has no scheme"
)]
struct Cli {
    /// `[METHOD] URL`, described in `about` (clap cannot name an optional first positional).
    #[arg(num_args = 1..=2, required = true, hide = true)]
    args: Vec<String>,

    /// A request header, 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,

    /// The request body; @FILE reads it from a file, @- from standard input.
    #[arg(
        short = 'd',
        long = "data",
        value_name = "DATA",
        conflicts_with = "form"
    )]
    data: Option<String>,

    /// A multipart form field, name=value or name=@FILE (a file upload, MIME type guessed
    /// from its name, or given as name=@FILE;type=MIME). Repeatable.
    #[arg(short = 'F', long = "form", value_name = "NAME=VALUE")]
    form: Vec<String>,

    /// Write the body to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,

    /// Show a progress bar even when standard error is not a terminal (one line a second).
    #[arg(long)]
    progress: bool,

    /// Do not verify the server's certificate (cert_reqs=CERT_NONE).
    #[arg(short = 'k', long)]
    insecure: bool,

    /// Trust the CAs in this PEM bundle instead of the platform's (ca_certs).
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,

    /// How many times to retry (connection errors, and redirects to follow); 0 turns both
    /// off.
    #[arg(long, value_name = "N")]
    retries: Option<u32>,

    /// Seconds to wait to connect, and between bytes of the response.
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,

    /// Connect to ADDR instead of resolving HOST, for requests to HOST:PORT (as curl's
    /// --resolve; IPv6 addresses in brackets, several separated by commas). The Host header
    /// and the TLS name stay HOST. Repeatable.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    resolve: Vec<String>,

    /// Milliseconds a connection attempt to one of a host's addresses runs alone before the
    /// next address is tried too (Happy Eyeballs; default 250).
    #[arg(long, value_name = "MS")]
    connect_attempt_delay: Option<u64>,

    /// Print the status line and the response headers before the body.
    #[arg(short = 'i', long = "include")]
    include: bool,

    /// Log what hip does (connections, requests, retries) to standard error.
    #[arg(short = 'v', long)]
    verbose: bool,
}

/// What went wrong, as printed after `hip: `.
type CliError = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hip: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Warnings (e.g. InsecureRequestWarning) always go to standard error; with -v, hip's debug
/// logs too.
fn init_logging(verbose: bool) {
    let directive = if verbose {
        "hip=debug"
    } else {
        "hip::warnings=warn"
    };
    // Only fails if a subscriber is already installed, which cannot happen here.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(directive))
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .without_time()
        .try_init();
}

fn run(cli: &Cli) -> Result<(), CliError> {
    let (method, url) = method_and_url(cli)?;

    let mut builder = PoolManager::builder();
    if cli.insecure {
        builder = builder.cert_reqs(CertReqs::None);
        // Asked for on the command line: no InsecureRequestWarning for each request.
        hip::disable_warning(hip::Warning::InsecureRequest);
    }
    if let Some(path) = &cli.cacert {
        builder = builder.ca_certs(path);
    }
    if let Some(n) = cli.retries {
        builder = builder.retries(if n == 0 {
            hip::Retries::from(false)
        } else {
            hip::Retries::from(n)
        });
    }
    if let Some(secs) = cli.timeout {
        builder = builder.timeout(secs);
    }
    for entry in &cli.resolve {
        let (host, addrs) = parse_resolve(entry)?;
        for addr in addrs {
            builder = builder.resolve(host, addr);
        }
    }
    if let Some(ms) = cli.connect_attempt_delay {
        builder = builder.connect_attempt_delay(Duration::from_millis(ms));
    }
    let http = builder.build()?;

    let mut request = http.request(&method, url.as_str()).preload_content(false);
    for header in &cli.headers {
        let (name, value) = parse_header(header)?;
        request = request.header(name, value);
    }
    if let Some(data) = &cli.data {
        request = request.body(body_from_arg(data)?);
    }
    if !cli.form.is_empty() {
        let mut fields = Fields::new();
        for field in &cli.form {
            let (name, value) = form_field(field)?;
            fields.add(name, value);
        }
        // Always a multipart body, whatever the method.
        request = request.fields(fields).encode_body();
    }

    let mut r = request.send()?;
    let mut stdout = io::stdout().lock();
    if cli.include {
        write_head(&mut stdout, &r)?;
    }
    match &cli.output {
        None => {
            let bar = (cli.progress).then(|| progress_bar(&r, true));
            copy_body(&mut r, &mut stdout, bar.as_ref())?;
            stdout.flush().or_else(ignore_broken_pipe)?;
        }
        Some(path) => {
            let mut file =
                File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            let bar = (cli.progress || io::stderr().is_terminal())
                .then(|| progress_bar(&r, cli.progress));
            copy_body(&mut r, &mut file, bar.as_ref())
                .map_err(|e| format!("{e} (writing {})", path.display()))?;
            file.flush()?;
        }
    }
    r.release_conn();
    Ok(())
}

/// `[METHOD] URL`: the method defaults to POST with a body or form, else GET; a URL without
/// a scheme gets `http://`.
fn method_and_url(cli: &Cli) -> Result<(String, String), CliError> {
    let (method, url) = match cli.args.as_slice() {
        [url] => {
            let has_body = cli.data.is_some() || !cli.form.is_empty();
            (if has_body { "POST" } else { "GET" }.to_owned(), url)
        }
        [method, url] => (method.to_ascii_uppercase(), url),
        other => return Err(format!("expected [METHOD] URL, got {other:?}").into()),
    };
    let url = if url.contains("://") {
        url.clone()
    } else {
        format!("http://{url}")
    };
    Ok((method, url))
}

/// `--resolve HOST:PORT:ADDR[,ADDR]...` (curl's syntax): the host and the addresses with
/// that port. IPv6 addresses are in brackets (`[::1]`).
fn parse_resolve(arg: &str) -> Result<(&str, Vec<SocketAddr>), CliError> {
    let bad = |why: &str| format!("bad --resolve {arg:?}: {why} (expected HOST:PORT:ADDR)");
    let mut parts = arg.splitn(3, ':');
    let (Some(host), Some(port), Some(addrs)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("missing ':'").into());
    };
    if host.is_empty() {
        return Err(bad("no host").into());
    }
    let port: u16 = port.parse().map_err(|_| {
        bad(&format!(
            "the port {port:?} is not a number from 0 to 65535"
        ))
    })?;
    let addrs = addrs
        .split(',')
        .map(|a| {
            let bare = a.strip_prefix('[').and_then(|a| a.strip_suffix(']'));
            match (bare, a.parse::<IpAddr>()) {
                (Some(v6), _) => v6.parse::<IpAddr>().ok().filter(IpAddr::is_ipv6),
                (None, Ok(ip)) if ip.is_ipv4() => Some(ip),
                _ => None,
            }
            .map(|ip| SocketAddr::new(ip, port))
            .ok_or_else(|| {
                bad(&format!(
                    "{a:?} is not an IPv4 address or a bracketed IPv6 one"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((host, addrs))
}

/// `Name: value` from `-H`.
fn parse_header(arg: &str) -> Result<(&str, &str), CliError> {
    match arg.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim(), value.trim())),
        _ => Err(format!("bad header {arg:?}: expected 'Name: value'").into()),
    }
}

/// `-d`: the text itself, `@-` for standard input, `@FILE` for a file (rewindable, so it can
/// be sent again on a retry or a 307/308 redirect).
fn body_from_arg(arg: &str) -> Result<Body, CliError> {
    match arg.strip_prefix('@') {
        None => Ok(Body::from(arg.to_owned())),
        Some("-") => Ok(Body::reader(io::stdin())),
        Some(path) => {
            let file = File::open(path).map_err(|e| format!("cannot read {path:?}: {e}"))?;
            let len = file.metadata()?.len();
            Ok(Body::seekable(file).with_length(len))
        }
    }
}

/// `-F name=value`, `-F name=@FILE` or `-F name=@FILE;type=MIME`.
fn form_field(arg: &str) -> Result<(String, FieldValue), CliError> {
    let Some((name, value)) = arg.split_once('=') else {
        return Err(format!("bad form field {arg:?}: expected name=value or name=@FILE").into());
    };
    let Some(file) = value.strip_prefix('@') else {
        return Ok((name.to_owned(), FieldValue::from(value)));
    };
    let (path, mime) = match file.split_once(";type=") {
        Some((path, mime)) => (path, Some(mime)),
        None => (file, None),
    };
    let data = std::fs::read(path).map_err(|e| format!("cannot read {path:?}: {e}"))?;
    let filename = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    Ok((
        name.to_owned(),
        FieldValue::file(filename.as_deref(), data, mime),
    ))
}

/// `HTTP/1.1 200 OK` and the headers, then a blank line.
fn write_head(out: &mut impl Write, r: &HttpResponse) -> io::Result<()> {
    let version = match r.version() {
        10 => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    writeln!(out, "{version} {} {}", r.status(), r.reason()).or_else(ignore_broken_pipe)?;
    for (name, value) in r.headers().iter() {
        writeln!(out, "{name}: {value}").or_else(ignore_broken_pipe)?;
    }
    writeln!(out).or_else(ignore_broken_pipe)
}

/// Streams the body into `out`, advancing `bar` by the bytes received from the wire (so it
/// matches Content-Length even when the body is compressed).
fn copy_body(
    r: &mut HttpResponse,
    out: &mut dyn Write,
    bar: Option<&ProgressBar>,
) -> Result<u64, CliError> {
    let mut written = 0u64;
    loop {
        // `stream` borrows `r`, so take one chunk at a time and read the wire position
        // (`tell`) in between.
        let chunk = match r.stream(CHUNK).next() {
            None => break,
            Some(chunk) => chunk?,
        };
        if let Err(e) = out.write_all(&chunk) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                // The reader went away (`hip URL | head`): stop quietly.
                break;
            }
            return Err(e.into());
        }
        written += chunk.len() as u64;
        if let Some(bar) = bar {
            bar.set_position(r.tell());
        }
    }
    if let Some(bar) = bar {
        bar.finish();
    }
    Ok(written)
}

fn ignore_broken_pipe(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}

/// A bar sized by Content-Length (a spinner without one) on standard error; when `forced`
/// and standard error is not a terminal, plain lines once a second instead.
fn progress_bar(r: &HttpResponse, forced: bool) -> ProgressBar {
    let total = r
        .headers()
        .get("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    let bar = match total {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::new_spinner(),
    };
    let template = match total {
        Some(_) => "{bytes:>10}/{total_bytes} [{bar:30}] {bytes_per_sec} eta {eta}",
        None => "{spinner} {bytes:>10} {bytes_per_sec} {elapsed}",
    };
    let style = ProgressStyle::with_template(template)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    let target = if io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else if forced {
        ProgressDrawTarget::term_like_with_hz(Box::new(PlainLines), 1)
    } else {
        ProgressDrawTarget::hidden()
    };
    bar.set_draw_target(target);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A progress target for logs: each redraw is one plain line on standard error.
#[derive(Debug)]
struct PlainLines;

impl indicatif::TermLike for PlainLines {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> io::Result<()> {
        self.write_str(s)
    }
    fn write_str(&self, s: &str) -> io::Result<()> {
        if s.trim().is_empty() {
            return Ok(());
        }
        writeln!(io::stderr(), "{}", s.trim_end())
    }
    fn clear_line(&self) -> io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_entries_parse_as_curl_writes_them() {
        let (host, addrs) = parse_resolve("example.org:443:127.0.0.1").unwrap();
        assert_eq!(host, "example.org");
        assert_eq!(addrs, ["127.0.0.1:443".parse::<SocketAddr>().unwrap()]);
        let (host, addrs) = parse_resolve("h.test:8080:[::1],127.0.0.2").unwrap();
        assert_eq!(host, "h.test");
        assert_eq!(
            addrs,
            [
                "[::1]:8080".parse::<SocketAddr>().unwrap(),
                "127.0.0.2:8080".parse().unwrap()
            ]
        );
    }

    #[test]
    fn bad_resolve_entries_name_the_input() {
        for (arg, why) in [
            ("example.org:443", "missing ':'"),
            (":443:127.0.0.1", "no host"),
            ("h:99999:127.0.0.1", "the port \"99999\" is not a number"),
            (
                "h:80:::1",
                "\"::1\" is not an IPv4 address or a bracketed IPv6 one",
            ),
            ("h:80:[127.0.0.1]", "is not an IPv4 address"),
            ("h:80:localhost", "\"localhost\" is not"),
        ] {
            let e = parse_resolve(arg).unwrap_err().to_string();
            assert!(e.starts_with(&format!("bad --resolve {arg:?}: ")), "{e}");
            assert!(e.contains(why), "{arg}: {e}");
        }
    }
}
