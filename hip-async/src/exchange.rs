//! The request loop shared by pools and managers: one attempt after another, with the
//! spec's retry, redirect and status-retry rules. A loop, not recursion; the policy
//! decisions come from hip-core's `Retry`, the sleeping happens here.

use std::time::{Duration, SystemTime};

use hip_core::h1::Request;
use hip_core::retry::{ResponseInfo, Retry};
use hip_core::timeout::Timeout;
use hip_core::url::{parse_url, Url};
use hip_core::{Error, ErrorKind, HttpHeaderDict};

use crate::body::Body;
use crate::conn::{ReadDeadline, SendError};
use crate::pool::{timeout_duration, HttpConnectionPool};
use crate::request::RequestOptions;
use crate::response::HttpResponse;

/// Where the loop finds the pool for a URL: a single pool (same host only) or a manager.
pub(crate) trait PoolSource {
    /// The pool for `url`, or None when this source cannot reach it (a single pool asked
    /// to follow a redirect to another host).
    fn pool_for(&self, url: &Url) -> Result<Option<HttpConnectionPool>, Error>;

    /// The request target to send for `url` on `pool` (origin-form; proxies override).
    fn request_target(&self, url: &Url) -> String {
        url.request_uri()
    }
}

/// Runs a request to completion: the spec's `urlopen` loop.
pub(crate) async fn run<S: PoolSource + ?Sized>(
    src: &S,
    method: &str,
    url: &str,
    mut opts: RequestOptions,
) -> Result<HttpResponse, Error> {
    let mut current = parse_url(url)?;
    let mut method = method.to_owned();
    let first_pool = src.pool_for(&current)?.ok_or_else(|| {
        Error::new(
            ErrorKind::LocationValue,
            format!("No pool can serve {url:?}"),
        )
    })?;
    let defaults = first_pool.options();
    let mut retries = opts
        .retries
        .take()
        .unwrap_or_default()
        .resolve(opts.redirect, &defaults.retries);
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
    let mut pool = first_pool;

    loop {
        let url_text = current.url();
        let target = src.request_target(&current);
        let outcome = attempt(
            &pool,
            &method,
            &target,
            &url_text,
            &headers,
            &mut body,
            &timeout,
            opts.pool_timeout,
            opts.decode_content,
        )
        .await;
        let mut resp = match outcome {
            Ok(r) => r,
            // As in the spec's urlopen, EmptyPoolError and ClosedPoolError are raised as
            // they are: no connection was used, and retrying cannot help.
            Err(e) if matches!(e.kind(), ErrorKind::EmptyPool | ErrorKind::ClosedPool) => {
                return Err(e);
            }
            Err(e) => {
                let cause = e.to_string();
                retries = retries.increment(Some(&method), Some(&url_text), None, Some(e))?;
                tracing::warn!(
                    target: "hip",
                    "Retrying ({retries}) after connection broken by '{cause}': {url_text}"
                );
                sleep(retries.get_backoff_time()).await;
                body.rewind().await?;
                continue;
            }
        };

        let status = resp.status();
        let location = if opts.redirect {
            resp.get_redirect_location().map(|l| l.into_owned())
        } else {
            None
        };
        if let Some(location) = location {
            let next = join_url(&current, &location)?;
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
            match retries.increment(Some(&method), Some(&url_text), Some(&info), None) {
                Ok(r) => retries = r,
                Err(e) => {
                    if retries.raise_on_redirect {
                        return Err(e);
                    }
                    resp.set_retries(retries);
                    return finish(resp, opts.preload_content).await;
                }
            }
            let _ = resp.drain_conn().await;
            if status == 303 && !method.eq_ignore_ascii_case("HEAD") {
                method = "GET".to_owned();
                body.clear();
                for h in ["content-type", "content-length", "transfer-encoding"] {
                    headers.remove(h);
                }
            }
            if !same_origin(&current, &next) {
                let names: Vec<String> = headers
                    .iter()
                    .map(|(n, _)| n.to_owned())
                    .filter(|n| retries.should_remove_header_on_redirect(n))
                    .collect();
                for n in names {
                    headers.remove(&n);
                }
            }
            tracing::info!(target: "hip", "Redirecting {url_text} -> {}", next.url());
            if let Some(d) = retries.sleep_for_retry(Some(&info), SystemTime::now()) {
                sleep(d).await;
            }
            body.rewind().await?;
            current = next;
            pool = next_pool;
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
            match retries.increment(Some(&method), Some(&url_text), Some(&info), None) {
                Ok(r) => retries = r,
                Err(e) => {
                    if retries.raise_on_status {
                        return Err(e);
                    }
                    resp.set_retries(retries);
                    return finish(resp, opts.preload_content).await;
                }
            }
            let _ = resp.drain_conn().await;
            tracing::debug!(target: "hip", "Retry: {url_text} (status {status})");
            sleep(retries.sleep_duration(Some(&info), SystemTime::now())).await;
            body.rewind().await?;
            continue;
        }

        resp.set_retries(retries.clone());
        if opts.preload_content {
            if let Err(e) = resp.preload_content().await {
                // A body that breaks off is a read error, retried like one.
                let cause = e.to_string();
                retries = retries.increment(Some(&method), Some(&url_text), None, Some(e))?;
                tracing::warn!(
                    target: "hip",
                    "Retrying ({retries}) after connection broken by '{cause}': {url_text}"
                );
                sleep(retries.get_backoff_time()).await;
                body.rewind().await?;
                continue;
            }
        }
        return Ok(resp);
    }
}

/// Takes plain values, not `&RequestOptions`: a reference to the options (whose `Body` is
/// not `Sync`) held across an await would make the request future not `Send`.
async fn finish(mut resp: HttpResponse, preload_content: bool) -> Result<HttpResponse, Error> {
    if preload_content {
        resp.preload_content().await?;
    }
    Ok(resp)
}

async fn sleep(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

/// One try: take a connection, send, read the head. A reused keep-alive connection that
/// turns out to be dead before any response byte arrives is replaced by a fresh one once,
/// when the request can be repeated safely.
#[allow(clippy::too_many_arguments)]
async fn attempt(
    pool: &HttpConnectionPool,
    method: &str,
    target: &str,
    url_text: &str,
    headers: &HttpHeaderDict,
    body: &mut Body,
    timeout: &Timeout,
    pool_timeout: Option<Duration>,
    decode_content: bool,
) -> Result<HttpResponse, Error> {
    // Through a forwarding proxy: the destination's Host and the proxy headers.
    let authority = crate::proxy::request_authority(pool, target);
    let proxied = crate::proxy::forward_headers(pool, headers);
    let headers = proxied.as_ref().unwrap_or(headers);
    let mut fresh_only = false;
    loop {
        let mut timeout = timeout.clone_fresh();
        let mut pc = pool
            .get_conn(pool_timeout, &mut timeout, fresh_only)
            .await?;
        let read_timeout = timeout_duration(timeout.read_timeout(std::time::Instant::now())?);
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
        let sent = conn.send_request(&req, body).await;
        let reused = conn.is_reused();
        let head = match sent {
            Ok(()) => conn.read_head(&mut deadline).await,
            Err(SendError::Local(e)) => return Err(e.with_pool(pool.describe())),
            Err(SendError::Io(io)) => {
                // The server may have answered early (e.g. 413) and closed: look for it.
                match conn.read_head(&mut deadline).await {
                    Ok(head) => Ok(head),
                    Err(_) => Err(Error::io(ErrorKind::Protocol, "Connection aborted", io)),
                }
            }
        };
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
                    url_text.to_owned(),
                    decode_content,
                );
            }
            Err(e) => {
                let stale = reused
                    && !fresh_only
                    && !pc.conn().response_started()
                    && e.kind() == ErrorKind::Protocol
                    && Retry::default().is_method_retryable(method);
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

/// Resolves a Location header against the URL it came from (RFC 3986 section 5.2, the
/// cases redirects use: absolute, scheme-relative, absolute-path, relative-path, query).
pub(crate) fn join_url(base: &Url, location: &str) -> Result<Url, Error> {
    let location = location.trim();
    let has_scheme = location
        .split_once(':')
        .map(|(s, _)| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && !location[s.len() + 1..].starts_with(|c: char| c.is_ascii_digit())
        })
        .unwrap_or(false);
    let scheme = base.scheme.as_deref().unwrap_or("http");
    let joined = if has_scheme {
        location.to_owned()
    } else if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else {
        // A pool's relative URL ("/redirect/2") stays relative, as the spec's urljoin keeps
        // it, instead of becoming "http:///get".
        let origin = match base.host {
            None => String::new(),
            Some(_) => format!(
                "{scheme}://{}{}",
                base.auth
                    .as_deref()
                    .map(|a| format!("{a}@"))
                    .unwrap_or_default(),
                base.netloc().unwrap_or_default()
            ),
        };
        if location.starts_with('/') {
            format!("{origin}{location}")
        } else if location.starts_with('?') {
            format!("{origin}{}{location}", base.path.as_deref().unwrap_or("/"))
        } else if location.is_empty() {
            format!("{origin}{}", base.request_uri())
        } else {
            let path = base.path.as_deref().unwrap_or("/");
            let dir = &path[..path.rfind('/').map(|i| i + 1).unwrap_or(0)];
            let dir = if dir.is_empty() { "/" } else { dir };
            format!("{origin}{dir}{location}")
        }
    };
    parse_url(&joined).map_err(|e| {
        Error::new(
            ErrorKind::LocationParse,
            format!("invalid redirect Location {location:?}: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(base: &str, loc: &str) -> String {
        join_url(&parse_url(base).unwrap(), loc).unwrap().url()
    }

    #[test]
    fn joins_locations() {
        let b = "http://h:8080/a/b?q=1";
        assert_eq!(join(b, "http://x/y"), "http://x/y");
        assert_eq!(join(b, "//x/y"), "http://x/y");
        assert_eq!(join(b, "/y"), "http://h:8080/y");
        assert_eq!(join(b, "c"), "http://h:8080/a/c");
        assert_eq!(join(b, "?z=2"), "http://h:8080/a/b?z=2");
        assert_eq!(join("https://h/", "/get"), "https://h/get");
        assert_eq!(join("/redirect/2", "/get"), "/get");
        assert_eq!(join("/a/b?q=1", "c"), "/a/c");
    }

    #[test]
    fn same_origin_compares_default_ports() {
        let a = parse_url("http://h/x").unwrap();
        let b = parse_url("http://H:80/y").unwrap();
        let c = parse_url("https://h/y").unwrap();
        assert!(same_origin(&a, &b));
        assert!(!same_origin(&a, &c));
    }
}
