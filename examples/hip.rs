//! `hip`: a small command-line HTTP client on hip's blocking API.
//!
//! ```sh
//! cargo run --example hip -- [OPTIONS] [METHOD] URL
//! cargo run --example hip -- -i http://127.0.0.1:8000/
//! cargo run --example hip -- -H 'Accept: application/json' -d @body.json PUT http://127.0.0.1:8000/item
//! cargo run --example hip -- -F name=value -F upload=@photo.jpg http://127.0.0.1:8000/upload
//! cargo run --example hip -- -o big.iso --retries 5 --timeout 30 https://example.org/big.iso
//! cargo run --example hip -- --resolve example.org:8443:127.0.0.1 https://example.org:8443/
//! cargo run --example hip -- -o /dev/null -w '%{http_code} %{time_connect} %{time_total}\n' http://127.0.0.1:8000/
//! ```
//!
//! The method is GET, or POST when a body (`-d`) or form (`-F`) is given. The body is written
//! to standard output (or to `-o FILE`) as it arrives, then what `-w` asks for. Any error
//! prints `hip: <error>` on standard error and exits with status 1; an HTTP error status is
//! not an error here.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use hip::blocking::Body;
use hip::fields::FieldValue;
use hip::filepost::Fields;
use hip::{CertReqs, HttpResponse, PoolManager, Timings};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How many body bytes are read and written at a time.
const CHUNK: usize = 64 * 1024;

/// A small HTTP client on hip's blocking API.
#[derive(Parser, Debug)]
#[command(
    name = "hip",
    version,
    override_usage = "hip [OPTIONS] [METHOD] URL",
    help_template = "{usage-heading} {usage}\n\n{about}\n\nOptions:\n{options}",
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

    /// Send every request through this proxy: http://, https://, or with the socks
    /// feature socks4://, socks4a://, socks5://, socks5h:// (user:pass@ for credentials).
    /// Wins over the environment
    #[arg(short = 'x', long = "proxy", value_name = "URL")]
    proxy: Option<String>,

    /// Take proxies from http_proxy, https_proxy, all_proxy and no_proxy (either case), as
    /// curl does. This is the default; --no-proxy-from-env turns it off
    #[arg(long, overrides_with = "no_proxy_from_env")]
    proxy_from_env: bool,

    /// Ignore the proxy variables of the environment
    #[arg(long, overrides_with = "proxy_from_env")]
    no_proxy_from_env: bool,

    /// Print the status line and the response headers before the body.
    #[arg(short = 'i', long = "include")]
    include: bool,

    /// After the body, print FORMAT to standard output with curl's variables filled in:
    /// %{http_code}, %{time_namelookup}, %{time_connect}, %{time_appconnect},
    /// %{time_pretransfer}, %{time_posttransfer}, %{time_starttransfer}, %{time_total},
    /// %{time_redirect}, %{num_connects}, %{num_redirects}, %{size_download},
    /// %{url_effective}, %{method} (times in seconds, 6 decimals); %% is %, and \n, \r, \t
    /// and \\ are escapes. @FILE reads FORMAT from a file, @- from standard input.
    #[arg(short = 'w', long = "write-out", value_name = "FORMAT")]
    write_out: Option<String>,

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
    // A bad format is reported before any request is made.
    let write_out = match &cli.write_out {
        None => None,
        Some(arg) => Some(WriteOut::parse(&format_from_arg(arg)?)?),
    };

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
    if let Some(proxy) = &cli.proxy {
        builder = builder.proxy_url(proxy.as_str());
    }
    // The environment's proxies unless told otherwise, as curl reads them (an explicit
    // --proxy wins).
    builder = builder.proxy_from_env(!cli.no_proxy_from_env);
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

    let started = Instant::now();
    let mut r = request.send()?;
    let mut stdout = io::stdout().lock();
    if cli.include {
        write_head(&mut stdout, &r)?;
    }
    match &cli.output {
        None => {
            let bar = (cli.progress).then(|| progress_bar(&r, true));
            copy_body(&mut r, &mut stdout, bar.as_ref())?;
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
    let total = started.elapsed();
    r.release_conn();
    if let Some(format) = &write_out {
        let done = Transfer::of(&r, total);
        stdout
            .write_all(format.expand(&done).as_bytes())
            .or_else(ignore_broken_pipe)?;
    }
    stdout.flush().or_else(ignore_broken_pipe)?;
    Ok(())
}

/// `-w FORMAT`, `-w @FILE` or `-w @-`: the format text.
fn format_from_arg(arg: &str) -> Result<String, CliError> {
    match arg.strip_prefix('@') {
        None => Ok(arg.to_owned()),
        Some("-") => Ok(io::read_to_string(io::stdin())?),
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {path:?}: {e}").into())
        }
    }
}

/// A `-w` format, parsed: text and curl's variables (`%{name}`).
#[derive(Debug, PartialEq)]
struct WriteOut {
    pieces: Vec<Piece>,
}

#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Var(Var),
}

/// The `-w` variables, by curl's names (curl's `--write-out` manual page).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Var {
    /// `http_code` and `response_code`: the last response's status, three digits.
    HttpCode,
    /// `time_namelookup`: each request's name resolution, from its start, added up.
    TimeNamelookup,
    /// `time_connect`: each request's TCP connect (to the host or proxy), added up.
    TimeConnect,
    /// `time_appconnect`: each request's TLS handshake with the host, added up.
    TimeAppconnect,
    /// `time_pretransfer`: each request's "ready to send", added up.
    TimePretransfer,
    /// `time_posttransfer`: each request's "request sent", added up.
    TimePosttransfer,
    /// `time_starttransfer`: each request's first response byte, added up.
    TimeStarttransfer,
    /// `time_total`: the whole transfer, redirects and body included.
    TimeTotal,
    /// `time_redirect`: everything before the last request started (redirects, retries).
    TimeRedirect,
    /// `num_connects`: new connections opened.
    NumConnects,
    /// `num_redirects`: redirects followed.
    NumRedirects,
    /// `size_download`: body bytes received (before decoding).
    SizeDownload,
    /// `url_effective`: the URL of the last request.
    UrlEffective,
    /// `method`: the method of the last request.
    Method,
}

impl Var {
    fn from_name(name: &str) -> Option<Var> {
        Some(match name {
            "http_code" | "response_code" => Var::HttpCode,
            "time_namelookup" => Var::TimeNamelookup,
            "time_connect" => Var::TimeConnect,
            "time_appconnect" => Var::TimeAppconnect,
            "time_pretransfer" => Var::TimePretransfer,
            "time_posttransfer" => Var::TimePosttransfer,
            "time_starttransfer" => Var::TimeStarttransfer,
            "time_total" => Var::TimeTotal,
            "time_redirect" => Var::TimeRedirect,
            "num_connects" => Var::NumConnects,
            "num_redirects" => Var::NumRedirects,
            "size_download" => Var::SizeDownload,
            "url_effective" => Var::UrlEffective,
            "method" => Var::Method,
            _ => return None,
        })
    }
}

/// What a finished transfer tells `-w`: the timings of every request it made (redirects
/// and retries first, the last one at the end), and the rest.
#[derive(Debug, Default)]
struct Transfer {
    status: u16,
    /// One per request that got a connection, in order.
    requests: Vec<Timings>,
    redirects: usize,
    total: Duration,
    size_download: u64,
    url: String,
    method: String,
}

impl Transfer {
    /// The transfer that ended with `r` (its body read), `total` after it started.
    fn of(r: &HttpResponse, total: Duration) -> Transfer {
        let history = r
            .retries()
            .map(|retry| retry.history.as_slice())
            .unwrap_or(&[]);
        let mut requests: Vec<Timings> = history.iter().filter_map(|h| h.timings).collect();
        requests.push(r.timings());
        Transfer {
            status: r.status(),
            requests,
            redirects: history
                .iter()
                .filter(|h| h.redirect_location.is_some())
                .count(),
            total,
            size_download: r.tell(),
            url: r.url().to_owned(),
            method: r.request_method().to_owned(),
        }
    }

    /// A phase of each request added up, as curl adds up each request's times when it
    /// follows redirects (a request without the phase adds nothing).
    fn sum(&self, phase: fn(&Timings) -> Option<Duration>) -> Duration {
        self.requests.iter().filter_map(phase).sum()
    }

    /// The time before the last request started: the whole transfer less the last
    /// request's own time (0 without redirects or retries).
    fn before_last(&self) -> Duration {
        match self.requests.split_last() {
            Some((last, earlier)) if !earlier.is_empty() => {
                let own = last.body_complete().unwrap_or_default();
                self.total.saturating_sub(own)
            }
            _ => Duration::ZERO,
        }
    }
}

/// Seconds with six decimals, as curl prints times.
fn secs(d: Duration) -> String {
    format!("{}.{:06}", d.as_secs(), d.subsec_micros())
}

impl WriteOut {
    /// Parses `%{name}` variables (an unknown name is an error naming it), `%%`, and the
    /// escapes `\n`, `\r`, `\t` and `\\`; anything else is text.
    fn parse(format: &str) -> Result<WriteOut, CliError> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = format;
        while let Some(c) = rest.chars().next() {
            let after = &rest[c.len_utf8()..];
            match (c, after.chars().next()) {
                ('%', Some('%')) => {
                    text.push('%');
                    rest = &after[1..];
                }
                ('%', Some('{')) => {
                    let Some(end) = after.find('}') else {
                        return Err(format!("-w: unclosed %{{ in {format:?}").into());
                    };
                    let name = &after[1..end];
                    let var = Var::from_name(name)
                        .ok_or_else(|| format!("-w: unknown variable %{{{name}}}"))?;
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Var(var));
                    rest = &after[end + 1..];
                }
                ('\\', Some(e @ ('n' | 'r' | 't' | '\\'))) => {
                    text.push(match e {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        _ => '\\',
                    });
                    rest = &after[1..];
                }
                _ => {
                    text.push(c);
                    rest = after;
                }
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(WriteOut { pieces })
    }

    /// The format with the variables of `t` filled in.
    fn expand(&self, t: &Transfer) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(s) => out.push_str(s),
                Piece::Var(v) => out.push_str(&match v {
                    Var::HttpCode => format!("{:03}", t.status),
                    Var::TimeNamelookup => secs(t.sum(Timings::dns)),
                    Var::TimeConnect => secs(t.sum(Timings::connect)),
                    Var::TimeAppconnect => secs(t.sum(Timings::tls)),
                    Var::TimePretransfer => secs(t.sum(Timings::pretransfer)),
                    Var::TimePosttransfer => secs(t.sum(Timings::request_written)),
                    Var::TimeStarttransfer => secs(t.sum(Timings::first_byte)),
                    Var::TimeTotal => secs(t.total),
                    Var::TimeRedirect => secs(t.before_last()),
                    Var::NumConnects => t
                        .requests
                        .iter()
                        .map(Timings::num_connects)
                        .sum::<u32>()
                        .to_string(),
                    Var::NumRedirects => t.redirects.to_string(),
                    Var::SizeDownload => t.size_download.to_string(),
                    Var::UrlEffective => t.url.clone(),
                    Var::Method => t.method.clone(),
                }),
            }
        }
        out
    }
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
    use hip::timings::Phase;

    use super::*;

    #[test]
    fn proxy_flags_parse_and_the_environment_is_read_unless_turned_off() {
        let cli =
            Cli::try_parse_from(["hip", "-x", "http://p.test:3128", "http://a.test/"]).unwrap();
        assert_eq!(cli.proxy.as_deref(), Some("http://p.test:3128"));
        assert!(
            !cli.no_proxy_from_env,
            "the environment is read by default, as curl does"
        );
        let cli = Cli::try_parse_from(["hip", "--no-proxy-from-env", "http://a.test/"]).unwrap();
        assert!(cli.no_proxy_from_env);
        let cli = Cli::try_parse_from(["hip", "--no-proxy-from-env", "--proxy-from-env", "a.test"])
            .unwrap();
        assert!(!cli.no_proxy_from_env, "the last of the two wins");
    }

    #[test]
    fn help_starts_with_the_usage() {
        use clap::CommandFactory;
        let help = Cli::command().render_help().to_string();
        assert!(
            help.starts_with("Usage: hip [OPTIONS] [METHOD] URL"),
            "{help}"
        );
        assert!(
            help.contains("--proxy <URL>") && help.contains("--no-proxy-from-env"),
            "{help}"
        );
    }

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

    /// Timings with each phase of `ms` (in `Phase::ALL`'s order) in milliseconds.
    fn timings(ms: [Option<u64>; 8], reused: bool) -> Timings {
        let mut t = Timings::default();
        t.set_reused(reused);
        for (phase, ms) in Phase::ALL.into_iter().zip(ms) {
            if let Some(ms) = ms {
                t.set(phase, Duration::from_millis(ms));
            }
        }
        t
    }

    #[test]
    fn write_out_expands_curls_variables_with_curls_semantics() {
        let first = timings(
            [
                Some(1),
                Some(2),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
            ],
            false,
        );
        let last = timings(
            [None, None, None, None, Some(1), Some(2), Some(3), Some(4)],
            true,
        );
        let done = Transfer {
            status: 200,
            requests: vec![first, last],
            redirects: 1,
            total: Duration::from_micros(12_345_678),
            size_download: 42,
            url: "http://h.test/next".into(),
            method: "GET".into(),
        };
        let format = WriteOut::parse(
            "%{http_code} %{response_code}\\n%{time_namelookup} %{time_connect} %{time_appconnect} \
             %{time_pretransfer} %{time_posttransfer} %{time_starttransfer} %{time_total} \
             %{time_redirect}\\t%{num_connects} %{num_redirects} %{size_download} \
             %{url_effective} %{method} 100%% \\\\n \\x %x",
        )
        .unwrap();
        assert_eq!(
            format.expand(&done),
            "200 200\n0.001000 0.002000 0.004000 0.006000 0.008000 0.010000 12.345678 \
             12.341678\t1 1 42 http://h.test/next GET 100% \\n \\x %x"
        );
        // One request, nothing before it; a status below 100 keeps three digits.
        let alone = Transfer {
            status: 99,
            requests: vec![last],
            total: Duration::from_millis(5),
            ..Transfer::default()
        };
        let format =
            WriteOut::parse("%{http_code} %{time_redirect} %{num_connects} %{time_connect}")
                .unwrap();
        assert_eq!(format.expand(&alone), "099 0.000000 0 0.000000");
    }

    #[test]
    fn write_out_names_an_unknown_or_unclosed_variable() {
        let e = WriteOut::parse("%{http_code} %{time_bogus}")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "-w: unknown variable %{time_bogus}");
        let e = WriteOut::parse("code %{http_code").unwrap_err().to_string();
        assert!(e.starts_with("-w: unclosed %{"), "{e}");
        assert_eq!(WriteOut::parse("").unwrap(), WriteOut { pieces: vec![] });
    }

    #[test]
    fn write_out_of_a_real_transfer_with_redirects() {
        let server = hip_test_support::HttpBin::start();
        let http = PoolManager::new().unwrap();
        let started = Instant::now();
        let mut r = http
            .request("GET", server.url("/redirect/2").as_str())
            .preload_content(false)
            .send()
            .unwrap();
        let mut sink = Vec::new();
        copy_body(&mut r, &mut sink, None).unwrap();
        let done = Transfer::of(&r, started.elapsed());
        assert_eq!(done.requests.len(), 3, "two redirects and the last request");
        let format = WriteOut::parse(
            "%{http_code} %{num_connects} %{num_redirects} %{time_connect} %{time_starttransfer} %{time_redirect} %{time_total}",
        )
        .unwrap();
        let shown = format.expand(&done);
        eprintln!("-w: {shown}");
        let fields: Vec<&str> = shown.split(' ').collect();
        assert_eq!(fields[..3], ["200", "1", "2"], "{shown}");
        let secs: Vec<f64> = fields[3..].iter().map(|f| f.parse().unwrap()).collect();
        assert!(secs.iter().all(|s| *s > 0.0), "{shown}");
        // Each is part of the whole: connect <= time to first byte <= total.
        assert!(
            secs[0] <= secs[1] && secs[1] <= secs[3] && secs[2] <= secs[3],
            "{shown}"
        );
        assert_eq!(done.size_download, r.tell());
    }
}
