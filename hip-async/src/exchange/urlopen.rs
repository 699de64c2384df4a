//! The urlopen loop: the spec's retries, redirects and status retries around single
//! attempts. A loop, not recursion; the policy decisions come from hip-core's `Retry`, the
//! sleeping happens here.
//!
//! The flow of one call:
//!
//! 1. **Prepare.** Parse the URL, resolve the request's options against the pool's (or the
//!    manager's) defaults, and let hip-core check the method, target, headers and body
//!    framing. A request that cannot be sent fails here with its own kind, before any pool
//!    is touched or any connection opened.
//! 2. **Attempt.** Find the pool for the URL (the route decides which), take a connection,
//!    send, read the head ([`attempt`]).
//! 3. **Decide.** An error is retried only when [`retryable`] says urllib3's urlopen would
//!    have caught it and `Retry::increment` allows it; a redirect or a status in
//!    `status_forcelist` goes round again by the same `Retry`.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use hip_core::h1::{Prepared, Request, DEFAULT_USER_AGENT};
use hip_core::retry::{ResponseInfo, Retry};
use hip_core::timeout::Timeout;
use hip_core::timings::Timings;
use hip_core::url::{parse_url, Url};
use hip_core::{Error, ErrorKind, HttpHeaderDict};
use tracing::{Instrument, Span};

use super::body::Body;
use super::options::RequestOptions;
use super::response::HttpResponse;
use super::send::{self, SendError};
use super::target::{self, join_url};
use super::timing::{self, Readings};
use crate::pool::{
    timeout_duration, Checkout, HttpConnectionPool, PoolOptions, ReadDeadline, Registry, Resolved,
};
use crate::transport::sync_io;

/// The most raw body bytes read (and thrown away, undecoded) from a redirect or a retried
/// response to keep its connection; a longer body closes the connection instead.
const DRAIN_LIMIT: u64 = 1 << 20;

/// Where the loop finds the pool for a URL.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    /// A manager's pools: any host, redirects followed across hosts.
    Manager(&'a Registry),
    /// One pool, same host only: a redirect elsewhere is handed back as the 3xx.
    Pool(&'a HttpConnectionPool),
    /// One pool asked with `assert_same_host=False`: it serves every URL itself, with a
    /// foreign absolute URL as the request target.
    AnyHost(&'a HttpConnectionPool),
}

impl Source<'_> {
    /// The options that give a request its defaults (retries, timeout, headers).
    fn defaults(&self) -> &PoolOptions {
        match self {
            Source::Manager(r) => r.defaults(),
            Source::Pool(p) | Source::AnyHost(p) => p.options(),
        }
    }

    /// The pool for `url`, or None when this source cannot reach it (a single pool asked
    /// to follow a redirect to another host).
    fn pool_for(&self, url: &Url) -> Result<Option<HttpConnectionPool>, Error> {
        match self {
            Source::Manager(r) => r.pool_for_url(url).map(Some),
            Source::Pool(p) => {
                let same = url.host.is_none() || p.is_same_host(&url.url());
                Ok(same.then(|| (*p).clone()))
            }
            Source::AnyHost(p) => Ok(Some((*p).clone())),
        }
    }

    /// The URL a request starts with, parsed and matched to its pool: from the manager's
    /// cache when the same URL string was asked for last; None when this source cannot
    /// reach it.
    ///
    /// `check` (the request's preparation) runs on the parsed URL before any pool is looked
    /// up or made: a request that cannot be sent touches none.
    fn resolve<T>(
        &self,
        url: &str,
        check: impl FnOnce(&Url) -> Result<T, Error>,
    ) -> Result<Option<(Arc<Resolved>, T)>, Error> {
        match self {
            Source::Manager(r) => r.resolve(url, check).map(Some),
            _ => {
                let parsed = parse_url(url)?;
                let checked = check(&parsed)?;
                Ok(self.pool_for(&parsed)?.map(|pool| {
                    let resolved = Arc::new(Resolved::new(String::new(), parsed, pool));
                    (resolved, checked)
                }))
            }
        }
    }

    /// The URL a retry's history entry records for an attempt inside one pool: under a
    /// manager, the request target (urllib3's `PoolManager` hands its pool the path, or the
    /// whole URL through a forwarding proxy); a pool's own caller gave the URL itself.
    fn history_url<'t>(&self, target: &'t str, url_text: &'t str) -> &'t str {
        match self {
            Source::Manager(_) => target,
            Source::Pool(_) | Source::AnyHost(_) => url_text,
        }
    }

    /// The request target for `at` on its pool: origin form, absolute form on a forwarding
    /// route, and a foreign URL as it is on an `assert_same_host=False` pool.
    fn request_target<'r>(&self, at: &'r Resolved) -> Cow<'r, str> {
        let url = &at.url;
        if at.pool.route().is_forward() {
            return Cow::Owned(target::absolute_form(url));
        }
        match self {
            Source::AnyHost(p) if url.host.is_some() && !p.is_same_host(&at.text) => {
                Cow::Borrowed(&at.text)
            }
            _ => Cow::Borrowed(&at.request_uri),
        }
    }
}

/// Whether urllib3's urlopen would catch `e` and hand it to `Retry.increment`: connection
/// and read errors, timeouts, protocol errors on the wire, proxy failures, and TLS failures
/// that are not a verdict on a certificate (a handshake cut short). Everything else is the
/// caller's mistake or a decision that another attempt cannot change (an invalid header,
/// body or URL, a full or closed pool, a content-decoding error, a certificate that failed
/// verification or a client certificate the server refused) and returns at once.
pub(crate) fn retryable(e: &Error) -> bool {
    match e.kind() {
        ErrorKind::NewConnection
        | ErrorKind::ConnectTimeout
        | ErrorKind::ReadTimeout
        | ErrorKind::Proxy
        | ErrorKind::FailedTunnel => true,
        ErrorKind::Ssl => !crate::transport::tls::is_verdict(e),
        _ => e.is_protocol_error(),
    }
}

/// Runs a request to completion: the spec's `urlopen` loop, within the request's
/// `deadline` when it has one.
pub(crate) async fn run(
    src: Source<'_>,
    method: &str,
    url: &str,
    opts: &mut RequestOptions,
) -> Result<HttpResponse, Error> {
    // The options are borrowed from the caller's future, not moved into each layer's (they
    // are some hundreds of bytes). `urlopen(..)` is written in each arm, not bound first:
    // awaited (or pinned) where it is made, the loop's future (some KiB) is built in place
    // instead of copied.
    match opts.deadline {
        None => urlopen(src, method, url, opts).await,
        // A blocking caller's sockets bound their own waits by the deadline too.
        Some(limit) => sync_io::timeout(limit, std::pin::pin!(urlopen(src, method, url, opts)))
            .await
            .unwrap_or_else(|| {
                Err(Error::new(
                    ErrorKind::Deadline,
                    format!(
                        "the request did not complete within its deadline ({}s)",
                        limit.as_secs_f64()
                    ),
                )
                .with_url(url))
            }),
    }
}

async fn urlopen(
    src: Source<'_>,
    method: &str,
    url: &str,
    opts: &mut RequestOptions,
) -> Result<HttpResponse, Error> {
    let mut method = Cow::Borrowed(method);
    let defaults = src.defaults();
    // The pool's or manager's own retries were checked when it was built.
    let own_retries = opts.retries.is_some();
    let mut retries = opts
        .retries
        .take()
        .unwrap_or_default()
        .resolve(opts.redirect, &defaults.retries);
    if own_retries {
        retries.validate()?;
    }
    let timeout = match opts.timeout.take() {
        Some(t) => {
            t.validate()?;
            t
        }
        None => defaults.timeout.clone(),
    };
    let mut headers = opts
        .headers
        .take()
        .unwrap_or_else(|| defaults.headers.clone());
    let mut body = std::mem::take(&mut opts.body);
    body.prepare(opts.body_pos).await?;
    let (mut current, mut prepared) = src
        .resolve(url, |u| prepare(&method, u, &headers, &body))?
        .ok_or_else(|| {
            Error::new(
                ErrorKind::LocationValue,
                format!("No pool can serve {url:?}"),
            )
        })?;

    loop {
        let pool = &current.pool;
        let url_text: &str = &current.text;
        let target = src.request_target(&current);
        let span = timing::span(&method, url_text);
        let this = Attempt {
            pool,
            method: &method,
            target: &target,
            url: &current.text,
            headers: &headers,
            prepared: &prepared,
            timeout: &timeout,
            retries: &retries,
            pool_timeout: opts.pool_timeout,
            decode_content: opts.decode_content,
            span: &span,
        };
        let mut failed = None;
        // Inside the span, so that what the attempt logs nests under it; without a
        // subscriber for it, not even wrapped.
        let outcome = if span.is_disabled() {
            attempt(&this, &mut body, &mut failed).await
        } else {
            attempt(&this, &mut body, &mut failed)
                .instrument(span.clone())
                .await
        };
        let mut resp = match outcome {
            Ok(mut r) => {
                r.set_max_body_size(opts.max_body_size);
                r.set_enforce_content_length(opts.enforce_content_length);
                r
            }
            Err(e) if !retryable(&e) => return Err(e),
            Err(e) => {
                let at = src.history_url(&target, url_text);
                retries = retry_after_error(retries, &method, at, url_text, e, failed.map(|t| *t))
                    .await?;
                body.rewind().await?;
                continue;
            }
        };

        let status = resp.status();
        // An empty Location is no redirect (urllib3 tests the location for truth): the 3xx
        // is the answer.
        let location = if opts.redirect {
            resp.get_redirect_location()
                .flatten()
                .filter(|l| !l.is_empty())
                .map(|l| l.into_owned())
        } else {
            None
        };
        if let Some(location) = location {
            let next = join_url(&current.url, &location)?;
            let Some(next_pool) = src.pool_for(&next)? else {
                // A lone pool cannot follow a redirect to another host: hand back the 3xx.
                resp.set_retries(retries);
                return finish(resp, opts.preload_content).await;
            };
            let info_headers = resp.headers().clone();
            let info = ResponseInfo {
                status,
                headers: &info_headers,
                redirect_location: Some(&location),
            };
            // urllib3 records the method the redirect is followed with (GET after a 303).
            let switch_to_get = status == 303 && !method.eq_ignore_ascii_case("HEAD");
            let next_method = if switch_to_get { "GET" } else { &method };
            match retries.increment(Some(next_method), Some(url_text), Some(&info), None) {
                Ok(r) => retries = r,
                Err(e) => {
                    if retries.raise_on_redirect {
                        return Err(e);
                    }
                    resp.set_retries(retries);
                    return finish(resp, opts.preload_content).await;
                }
            }
            let _ = resp.drain_at_most(DRAIN_LIMIT).await;
            retries = timing::on_last_entry(retries, Some(resp.timings()));
            if switch_to_get {
                method = Cow::Borrowed("GET");
                body.clear();
                for h in ["content-type", "content-length", "transfer-encoding"] {
                    headers.remove(h);
                }
            }
            if !same_origin(&current.url, &next) {
                let names: Vec<String> = headers
                    .iter()
                    .map(|(n, _)| n.to_owned())
                    .filter(|n| retries.should_remove_header_on_redirect(n))
                    .collect();
                for n in names {
                    headers.remove(&n);
                }
            }
            // The method, the headers or the body may have changed: prepare again.
            prepared = prepare(&method, &next, &headers, &body)?;
            tracing::info!(target: "hip", "Redirecting {url_text} -> {}", next.url());
            if let Some(d) = retries.sleep_for_retry(Some(&info), SystemTime::now()) {
                sleep(d).await;
            }
            body.rewind().await?;
            current = Arc::new(Resolved::new(String::new(), next, next_pool));
            continue;
        }

        let has_retry_after = resp.headers().contains("retry-after");
        if retries.is_retry(&method, status, has_retry_after) {
            let info_headers = resp.headers().clone();
            let info = ResponseInfo {
                status,
                headers: &info_headers,
                redirect_location: None,
            };
            let at = src.history_url(&target, url_text);
            match increment_at(&retries, &method, at, url_text, Some(&info), None) {
                Ok(r) => retries = r,
                Err(e) => {
                    if retries.raise_on_status {
                        return Err(e);
                    }
                    resp.set_retries(retries);
                    return finish(resp, opts.preload_content).await;
                }
            }
            let _ = resp.drain_at_most(DRAIN_LIMIT).await;
            retries = timing::on_last_entry(retries, Some(resp.timings()));
            tracing::debug!(target: "hip", "Retry: {url_text} (status {status})");
            sleep(retries.sleep_duration_with(Some(&info), SystemTime::now(), unit_random())).await;
            body.rewind().await?;
            continue;
        }

        resp.set_retries(retries.clone());
        if opts.preload_content {
            if let Err(e) = resp.preload_content().await {
                // A body that breaks off is a read error, retried like one; a body that
                // cannot be decoded is not.
                if !retryable(&e) {
                    return Err(e);
                }
                let at = src.history_url(&target, url_text);
                let timings = Some(resp.timings());
                retries = retry_after_error(retries, &method, at, url_text, e, timings).await?;
                body.rewind().await?;
                continue;
            }
        }
        return Ok(resp);
    }
}

/// Prepares the request: hip-core checks the method, the target, every header and the body
/// framing, as it will on the wire, before any pool is touched. Borrows the URL's parts
/// (nothing is allocated): the path and host as they are, the query scanned alike.
fn prepare(
    method: &str,
    url: &Url,
    headers: &HttpHeaderDict,
    body: &Body,
) -> Result<Prepared, Error> {
    let target = match url.path.as_deref() {
        Some(p) if !p.is_empty() => p,
        _ => "/",
    };
    let checked = Request {
        method,
        target,
        host: url.host.as_deref().unwrap_or_default(),
        headers,
        body: body.framing(),
    }
    .prepare()
    .map(|prepared| prepared.with_default_headers(DEFAULT_USER_AGENT))
    .and_then(|prepared| match url.query.as_deref() {
        Some(q) if q.chars().any(|c| !c.is_ascii_graphic()) => Err(Error::new(
            ErrorKind::LocalProtocol,
            format!("invalid query {q:?}: only printable ASCII without spaces can be sent"),
        )),
        _ => Ok(prepared),
    });
    checked.map_err(|e| e.with_url(url.url()))
}

/// Counts a failed attempt against `retries` (MaxRetryError when they run out), with the
/// `timings` of the phases it reached on its history entry, logs it and sleeps the backoff.
async fn retry_after_error(
    retries: Retry,
    method: &str,
    history_url: &str,
    url_text: &str,
    e: Error,
    timings: Option<Timings>,
) -> Result<Retry, Error> {
    let cause = e.to_string();
    let retries = increment_at(&retries, method, history_url, url_text, None, Some(e))?;
    let retries = timing::on_last_entry(retries, timings);
    tracing::warn!(
        target: "hip",
        "Retrying ({retries}) after connection broken by '{cause}': {url_text}"
    );
    sleep(retries.get_backoff_time_with(unit_random())).await;
    Ok(retries)
}

/// `Retry::increment` for an attempt inside one pool: the history entry records
/// `history_url` (what urllib3's pool `urlopen` was given, the request target under a
/// manager), while a `MaxRetryError` names the whole URL, `url_text`.
fn increment_at(
    retries: &Retry,
    method: &str,
    history_url: &str,
    url_text: &str,
    info: Option<&ResponseInfo<'_>>,
    error: Option<Error>,
) -> Result<Retry, Error> {
    retries
        .increment(Some(method), Some(history_url), info, error)
        .map_err(|e| match (e.kind(), e.reason()) {
            (ErrorKind::MaxRetry, Some(reason)) if history_url != url_text => {
                Error::max_retry(url_text, reason.clone())
            }
            _ => e,
        })
}

/// Takes plain values, not `&RequestOptions`: a reference to the options (whose `Body` is
/// not `Sync`) held across an await would make the request future not `Send`.
async fn finish(mut resp: HttpResponse, preload_content: bool) -> Result<HttpResponse, Error> {
    if preload_content {
        resp.preload_content().await?;
    }
    Ok(resp)
}

/// A number in `[0, 1)` for `backoff_jitter`: std's per-process random hash keys, no
/// dependency (jitter spreads retries out; it needs no cryptographic quality).
fn unit_random() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

async fn sleep(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

/// What one attempt sends, where, and under which limits.
struct Attempt<'a> {
    pool: &'a HttpConnectionPool,
    method: &'a str,
    target: &'a str,
    /// The URL as text, shared with the response.
    url: &'a Arc<str>,
    headers: &'a HttpHeaderDict,
    prepared: &'a Prepared,
    timeout: &'a Timeout,
    retries: &'a Retry,
    pool_timeout: Option<Duration>,
    decode_content: bool,
    /// Where the phases are recorded.
    span: &'a Span,
}

/// One try: take a connection, send, read the head. A reused keep-alive connection that
/// turns out to be dead before any response byte arrives is replaced by a fresh one once,
/// when the request's own `Retry` would retry its method on a read error. The phases are
/// timed from the checkout and recorded on the span; when the attempt fails after it got a
/// connection, the phases it reached are left in `failed` (for its retry-history entry;
/// boxed, so that only the error path pays for them in the request's future).
async fn attempt(
    this: &Attempt<'_>,
    body: &mut Body,
    failed: &mut Option<Box<Timings>>,
) -> Result<HttpResponse, Error> {
    let Attempt {
        pool,
        method,
        target,
        url: url_arc,
        headers,
        prepared,
        timeout,
        retries,
        pool_timeout,
        decode_content,
        span,
    } = *this;
    let url_text: &str = url_arc;
    // On a forwarding route: the destination's Host and the proxy headers.
    let authority = target::request_authority(pool, target);
    let proxied = target::forward_headers(pool, headers);
    let merged;
    let (headers, prepared) = match &proxied {
        None => (headers, prepared),
        Some(with_proxy) => {
            // The proxy headers join the request's: prepare what will really go out.
            merged = Request {
                method,
                target,
                host: &authority,
                headers: with_proxy,
                body: body.framing(),
            }
            .prepare()?
            .with_default_headers(DEFAULT_USER_AGENT);
            (with_proxy, &merged)
        }
    };
    let mut fresh_only = false;
    loop {
        let mut timeout = timeout.clone_fresh();
        let Checkout {
            conn: mut pc,
            start,
            setup,
        } = pool
            .get_conn(pool_timeout, &mut timeout, fresh_only)
            .await?;
        let ready = Instant::now();
        let read_timeout = timeout_duration(timeout.read_timeout(ready)?);
        let req = Request {
            method,
            target,
            host: &authority,
            headers,
            body: body.framing(),
        };
        pool.count_request();
        let conn = pc.conn();
        let mut deadline = ReadDeadline::new(read_timeout);
        let sent = send::send_request(conn, &req, prepared, body, read_timeout).await;
        let written = sent.is_ok().then(Instant::now);
        let reused = conn.is_reused();
        let head = match sent {
            Ok(()) => send::read_head(conn, &mut deadline).await,
            Err(SendError::Local(e)) => return Err(e.with_pool(pool.describe())),
            Err(SendError::Io(io)) => {
                // The server may have answered early (e.g. 413) and closed: look for it.
                match send::read_head(conn, &mut deadline).await {
                    Ok(head) => Ok(head),
                    Err(e) if e.kind() == ErrorKind::Ssl => Err(e),
                    Err(_) if io.kind() == std::io::ErrorKind::TimedOut => {
                        let secs = read_timeout.map_or(0.0, |t| t.as_secs_f64());
                        Err(Error::new(
                            ErrorKind::ReadTimeout,
                            format!("Write timed out. (read timeout={secs:?})"),
                        )
                        .with_source(io))
                    }
                    Err(_) => Err(Error::io(ErrorKind::Protocol, "Connection aborted", io)),
                }
            }
        };
        let readings = Readings {
            start,
            setup,
            ready,
            written,
            first_byte: pc.conn().response_started,
            body_complete: None,
        };
        timing::record(span, &readings);
        match head {
            Ok(head) => {
                tracing::debug!(
                    target: "hip",
                    "{}://{}:{} \"{} {} HTTP/1.1\" {} {}",
                    pool.scheme().as_str(),
                    pool.host(),
                    pool.port(),
                    method,
                    target,
                    head.status,
                    head.headers.get("content-length").as_deref().unwrap_or("None")
                );
                return HttpResponse::from_wire(
                    head,
                    pc,
                    deadline,
                    method,
                    Arc::clone(url_arc),
                    decode_content,
                    readings,
                    span,
                );
            }
            Err(e) => {
                let stale = reused
                    && !fresh_only
                    && !pc.conn().response_started()
                    && e.kind() == ErrorKind::Protocol
                    && retries.is_method_retryable(method);
                pc.discard();
                if stale {
                    tracing::debug!(
                        target: "hip",
                        "Reused connection to {} was dead ({e}); retrying on a new one",
                        pool.host()
                    );
                    body.rewind().await?;
                    fresh_only = true;
                    continue;
                }
                *failed = Some(Box::new(readings.timings()));
                return Err(e.with_pool(pool.describe()).with_url(url_text));
            }
        }
    }
}

/// True when two URLs share scheme, host and port (headers survive redirects between them).
fn same_origin(a: &Url, b: &Url) -> bool {
    let port = |u: &Url| {
        u.port.unwrap_or(match u.scheme.as_deref() {
            Some("https") => 443,
            _ => 80,
        })
    };
    a.scheme == b.scheme
        && a.host.as_deref().map(str::to_ascii_lowercase)
            == b.host.as_deref().map(str::to_ascii_lowercase)
        && port(a) == port(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_compares_default_ports() {
        let a = parse_url("http://h/x").unwrap();
        let b = parse_url("http://H:80/y").unwrap();
        let c = parse_url("https://h/y").unwrap();
        assert!(same_origin(&a, &b));
        assert!(!same_origin(&a, &c));
    }
}
