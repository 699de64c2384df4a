//! [`HttpBin`]: a well-behaved HTTP/1.1 server (hyper, keep-alive) with httpbin-like routes,
//! over plain TCP or rustls.
//!
//! Routes (JSON bodies are pretty-printed objects; "echo object" below means the keys `args`,
//! `headers`, `origin`, `url`, plus `data`, `files`, `form`, `json` for the body routes):
//!
//! | route | answer |
//! | --- | --- |
//! | `/get` (GET, HEAD) | echo object without body keys |
//! | `/post` `/put` `/patch` `/delete` (that method only, else 405) | echo object with body keys |
//! | `/anything[/...]` (any method) | echo object with body keys and `method` |
//! | `/headers`, `/ip`, `/user-agent` | `{"headers": ...}`, `{"origin": ...}`, `{"user-agent": ...}` |
//! | `/robots.txt` | [`ROBOTS_TXT`](crate::payload::ROBOTS_TXT) |
//! | `/status/{code}` | that status, empty body; 3xx add `Location: /redirect/1`, 401 adds `WWW-Authenticate` |
//! | `/redirect/{n}` | 302, `Location: /redirect/{n-1}` … `/get` (relative) |
//! | `/relative-redirect/{n}`, `/absolute-redirect/{n}` | 302 chains ending at `/get`; absolute ones use the Host header |
//! | `/redirect-to?url=U&status_code=S` (any method) | `S` (default 302) with `Location: U` |
//! | `/delay/{secs}` | sleeps `secs` (float, at most 30), then the echo object |
//! | `/bytes/{n}?seed=S` | [`pseudo_random_bytes(n, S)`](crate::payload::pseudo_random_bytes), Content-Length |
//! | `/stream-bytes/{n}?seed=S&chunk_size=C` | the same bytes, chunked, `C` (default 10240) per chunk |
//! | `/stream/{n}` | `n` JSON lines `{"id": i, ...}`, chunked, one line per chunk |
//! | `/gzip` `/deflate` `/deflate-raw` `/brotli` `/zstd` | compressed JSON with that `Content-Encoding` |
//! | `/gzip-deflate` | JSON compressed with deflate then gzip: `Content-Encoding: deflate, gzip` |
//! | `/drip?numbytes=N&duration=D&delay=W&code=C` | waits `W` s, then `N` `*` bytes spread over `D` s, Content-Length `N` |
//! | `/response-headers?K=V` | each pair as a response header; JSON of the pairs |
//! | `/basic-auth/{user}/{pass}` | 200 `{"authenticated": true, "user": ...}` or 401 |
//! | `/retry-after/{status}?secs=V` | `status` with `Retry-After: V` (default `1`) |
//! | `/flaky/{key}/{fails}/{status}?retry_after=V` | the first `fails` requests per key get `status`, later ones 200 |
//! | `/echo` (any method) | the request body; `X-Method`, `X-Target`, `X-Echo-{header}` response headers |
//! | `/large/{n}` | `n` bytes of `x` with Content-Length, streamed from a static 64 KiB block |
//! | `/chunked-trailers` | chunked `hello trailers`; trailer `X-Trailer: done` only if the request had `TE: trailers` (hyper's rule) |
//! | `/head-check` | [`HEAD_CHECK_BODY`](crate::payload::HEAD_CHECK_BODY) with Content-Length; HEAD gets no body |
//! | `/connections` | `{"connections": n}`: TCP connections accepted so far |
//! | `/together/{k}` | waits (at most 10 s) until `k` requests have been inside this route at once, then `together`; `alone` if they never were |
//! | `/json-body`, `/utf8-lines`, `/csv` | the constants in [`crate::payload`] |
//! | `/discard` (any method) | reads the body without keeping it: `{"received": n}` |
//! | `/close` | 200 `closing` with `Connection: close`, then closes the connection |
//!
//! Anything else is 404. A bad number or parameter in a path or query, or a malformed form
//! body, is a 400 whose JSON `error` names it.
//!
//! A server started with [`HttpBin::with_routes`] first asks the test's own function, which
//! answers with a [`Reply`] or leaves the request to the routes above.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;

use crate::form::{base64_encode, parse_multipart, parse_urlencoded};
use crate::payload::{self, Coding};
use crate::pki::{ServerCert, TestPki};
use crate::server::{tls_config, ConnInfo, ServerThread};

/// One request as [`HttpBin`] received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Which connection carried it: 0 for the first the server accepted, 1 for the next, ...
    pub connection: usize,
    /// The method, e.g. `"GET"`.
    pub method: String,
    /// The request target as sent: `/path?query` (origin form) or a full URL (absolute form).
    pub target: String,
    /// The headers in order of first appearance, repeated names grouped together. Names are
    /// lowercase (hyper normalizes them; use [`RawServer`](crate::RawServer) to see the exact
    /// bytes); values are decoded as ISO-8859-1.
    pub headers: Vec<(String, String)>,
    /// The body (after chunked decoding). Empty for `/discard`, which doesn't keep it.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name` (case-insensitive), in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The path part of the target, without the query.
    pub fn path(&self) -> &str {
        let without_query = self.target.split('?').next().unwrap_or("");
        match without_query.find("://") {
            // Absolute form: skip scheme and authority.
            Some(i) => {
                let after = &without_query[i + 3..];
                after.find('/').map_or("/", |j| &after[j..])
            }
            None => without_query,
        }
    }
}

/// A hyper HTTP/1.1 server with httpbin-like routes (see the module docs), on 127.0.0.1.
///
/// It runs on its own thread and runtime, counts accepted connections, records every request,
/// and stops when dropped.
pub struct HttpBin {
    server: ServerThread,
    state: Arc<State>,
}

impl std::fmt::Debug for HttpBin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpBin")
            .field("url", &self.url("/"))
            .field("connections", &self.connections())
            .finish_non_exhaustive()
    }
}

struct State {
    scheme: &'static str,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    connections: Arc<AtomicUsize>,
    flaky: Mutex<HashMap<String, usize>>,
    together: Together,
    routes: Option<Box<Routes>>,
}

/// A test's own routes (see [`HttpBin::with_routes`]).
type Routes = dyn Fn(&RecordedRequest) -> Option<Reply> + Send + Sync;

/// `/together/{k}`: how many requests are inside the route, woken when that changes.
#[derive(Default)]
struct Together {
    inside: Mutex<Inside>,
    changed: tokio::sync::Notify,
}

#[derive(Default)]
struct Inside {
    now: usize,
    most: usize,
}

/// An answer from a test's own route (see [`HttpBin::with_routes`]).
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: ReplyBody,
}

#[derive(Clone, Debug)]
enum ReplyBody {
    Full(Bytes),
    Chunked(Vec<Bytes>),
}

impl Reply {
    /// `status` with `body`, sent with `Content-Length`.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Full(Bytes::from(body.into())),
        }
    }

    /// `status` with a chunked body, one chunk per item (empty items are skipped: an empty
    /// chunk would end the body).
    pub fn chunked<I>(status: u16, chunks: I) -> Reply
    where
        I: IntoIterator,
        I::Item: Into<Vec<u8>>,
    {
        let chunks = chunks
            .into_iter()
            .map(|c| Bytes::from(c.into()))
            .filter(|c| !c.is_empty())
            .collect();
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Chunked(chunks),
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    fn into_resp(self) -> Resp {
        let mut resp = match self.body {
            ReplyBody::Full(body) => response(self.status, "", Full::new(body)),
            ReplyBody::Chunked(chunks) => {
                let (tx, body) = ChannelBody::new(None);
                tokio::spawn(async move {
                    for chunk in chunks {
                        if tx.send(Frame::data(chunk)).await.is_err() {
                            return;
                        }
                    }
                });
                response(self.status, "", body)
            }
        };
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                resp.headers_mut().append(n, v);
            }
        }
        resp
    }
}

impl HttpBin {
    /// Starts a plain-HTTP server.
    pub fn start() -> HttpBin {
        HttpBin::start_inner(None, None)
    }

    /// Starts a plain-HTTP server that hands every request to `routes` first: a [`Reply`]
    /// from it is the answer, `None` leaves the request to the built-in routes. Either way
    /// the request is recorded. `routes` runs on the server's runtime and must not block.
    pub fn with_routes(
        routes: impl Fn(&RecordedRequest) -> Option<Reply> + Send + Sync + 'static,
    ) -> HttpBin {
        HttpBin::start_inner(None, Some(Box::new(routes)))
    }

    /// Starts an HTTPS server presenting `cert_chain` (leaf first) and `key`; it offers ALPN
    /// `http/1.1` and asks for no client certificate.
    pub fn start_tls(
        cert_chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> HttpBin {
        HttpBin::start_inner(Some(tls_config(cert_chain, key, None)), None)
    }

    /// Starts an HTTPS server that requires a client certificate issued by `client_ca`.
    /// A client without one fails the handshake (the connection is still counted).
    pub fn start_tls_client_auth(
        cert_chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        client_ca: CertificateDer<'static>,
    ) -> HttpBin {
        HttpBin::start_inner(Some(tls_config(cert_chain, key, Some(client_ca))), None)
    }

    /// [`HttpBin::start_tls`] with one of `pki`'s server certificates.
    pub fn start_https(pki: &TestPki, cert: ServerCert) -> HttpBin {
        let identity = pki.server(cert);
        HttpBin::start_tls(identity.cert_chain(), identity.key())
    }

    /// [`HttpBin::start_tls_client_auth`] with `pki`'s valid server certificate, requiring a
    /// client certificate issued by `pki`'s CA (such as [`TestPki::client`]).
    pub fn start_https_client_auth(pki: &TestPki) -> HttpBin {
        let identity = pki.server(ServerCert::Valid);
        HttpBin::start_tls_client_auth(identity.cert_chain(), identity.key(), pki.ca_cert())
    }

    fn start_inner(tls: Option<Arc<rustls::ServerConfig>>, routes: Option<Box<Routes>>) -> HttpBin {
        let connections = Arc::new(AtomicUsize::new(0));
        let state = Arc::new(State {
            scheme: if tls.is_some() { "https" } else { "http" },
            requests: Arc::new(Mutex::new(Vec::new())),
            connections: Arc::clone(&connections),
            flaky: Mutex::new(HashMap::new()),
            together: Together::default(),
            routes,
        });
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let handler_state = Arc::clone(&state);
        let server = ServerThread::start("httpbin", connections, move |stream, conn| {
            let state = Arc::clone(&handler_state);
            let acceptor = acceptor.clone();
            async move {
                match acceptor {
                    None => serve(stream, state, conn).await,
                    Some(acceptor) => {
                        if let Ok(tls_stream) = acceptor.accept(stream).await {
                            serve(tls_stream, state, conn).await;
                        }
                    }
                }
            }
        });
        HttpBin { server, state }
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// `"http://127.0.0.1:PORT{path}"` (`https` for a TLS server); `path` starts with `/`.
    pub fn url(&self, path: &str) -> String {
        self.url_with_host("127.0.0.1", path)
    }

    /// `"{scheme}://{host}:PORT{path}"`, e.g. with host `localhost` to match a certificate's
    /// DNS name instead of its IP address.
    pub fn url_with_host(&self, host: &str, path: &str) -> String {
        format!("{}://{host}:{}{path}", self.state.scheme, self.port())
    }

    /// How many TCP connections the server has accepted so far.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }

    /// The shared counter behind [`HttpBin::connections`].
    pub fn connection_counter(&self) -> Arc<AtomicUsize> {
        self.server.connection_counter()
    }

    /// The most TCP connections that were open at once so far.
    pub fn max_open_connections(&self) -> usize {
        self.server.max_open_connections()
    }

    /// A copy of every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// The most recent request, if any.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        lock(&self.state.requests).last().cloned()
    }

    /// The shared log behind [`HttpBin::requests`] (a test may clear it between phases).
    pub fn request_log(&self) -> Arc<Mutex<Vec<RecordedRequest>>> {
        Arc::clone(&self.state.requests)
    }

    /// How many requests `/flaky/{key}/...` has seen for `key`.
    pub fn flaky_count(&self, key: &str) -> usize {
        lock(&self.state.flaky).get(key).copied().unwrap_or(0)
    }
}

/// Locks `m`, ignoring poisoning: a panicking test thread must not hide the server's log.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn serve<S>(stream: S, state: Arc<State>, conn: ConnInfo)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(handle(&state, conn, req).await) }
    });
    // Errors here are the client's doing (reset, malformed request): nothing to report.
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

type RespBody = BoxBody<Bytes, Infallible>;
type Resp = Response<RespBody>;

/// Everything a route needs to know about one request.
struct Ctx<'a> {
    state: &'a State,
    conn: ConnInfo,
    method: Method,
    target: String,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
}

async fn handle(state: &State, conn: ConnInfo, req: Request<Incoming>) -> Resp {
    let (parts, incoming) = req.into_parts();
    let target = parts.uri.to_string();
    let path = parts.uri.path().to_string();
    let query = parse_urlencoded(parts.uri.query().unwrap_or(""));
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), latin1(v.as_bytes())))
        .collect();

    let (body, discarded) = if path == "/discard" {
        (Bytes::new(), Some(count_body(incoming).await))
    } else {
        match incoming.collect().await {
            Ok(collected) => (collected.to_bytes(), None),
            Err(e) => {
                return Bad(format!("reading the request body failed: {e}")).into();
            }
        }
    };

    let recorded = RecordedRequest {
        connection: conn.id,
        method: parts.method.as_str().to_string(),
        target: target.clone(),
        headers,
        body: body.to_vec(),
    };
    let reply = state.routes.as_ref().and_then(|routes| routes(&recorded));
    lock(&state.requests).push(recorded);

    if let Some(reply) = reply {
        return reply.into_resp();
    }
    if let Some(received) = discarded {
        return json_resp(200, &json!({ "received": received }));
    }
    let ctx = Ctx {
        state,
        conn,
        method: parts.method,
        target,
        path,
        query,
        headers: parts.headers,
        body,
    };
    route(&ctx).await
}

async fn count_body(mut incoming: Incoming) -> u64 {
    let mut n = 0u64;
    while let Some(Ok(frame)) = incoming.frame().await {
        if let Some(data) = frame.data_ref() {
            n += data.len() as u64;
        }
    }
    n
}

async fn route(ctx: &Ctx<'_>) -> Resp {
    let segments: Vec<&str> = ctx.path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [""] => text(200, "hip test server\n"),
        ["get"] => only(ctx, Method::GET).unwrap_or_else(|| json_resp(200, &ctx.echo())),
        ["post"] => ctx.body_route(Method::POST),
        ["put"] => ctx.body_route(Method::PUT),
        ["patch"] => ctx.body_route(Method::PATCH),
        ["delete"] => ctx.body_route(Method::DELETE),
        ["anything", ..] => match ctx.echo_with_body() {
            Ok(mut v) => {
                v["method"] = json!(ctx.method.as_str());
                json_resp(200, &v)
            }
            Err(bad) => bad.into(),
        },
        ["headers"] => json_resp(200, &json!({ "headers": ctx.headers_json() })),
        ["ip"] => json_resp(200, &json!({ "origin": ctx.origin() })),
        ["user-agent"] => json_resp(200, &json!({ "user-agent": ctx.header("user-agent") })),
        ["robots.txt"] => text(200, payload::ROBOTS_TXT),
        ["status", code] => status_route(code),
        ["redirect", n] | ["relative-redirect", n] => {
            let prefix = if segments[0] == "redirect" {
                "/redirect"
            } else {
                "/relative-redirect"
            };
            match parse_num::<u32>("redirect count", n) {
                Ok(n) if n > 1 => redirect(302, &format!("{prefix}/{}", n - 1)),
                Ok(_) => redirect(302, "/get"),
                Err(bad) => bad.into(),
            }
        }
        ["absolute-redirect", n] => match parse_num::<u32>("redirect count", n) {
            Ok(n) if n > 1 => redirect(
                302,
                &format!("{}/absolute-redirect/{}", ctx.origin_url(), n - 1),
            ),
            Ok(_) => redirect(302, &format!("{}/get", ctx.origin_url())),
            Err(bad) => bad.into(),
        },
        ["redirect-to"] => redirect_to(ctx),
        ["delay", secs] => match parse_secs("delay", secs) {
            Ok(secs) => {
                tokio::time::sleep(Duration::from_secs_f64(secs.min(30.0))).await;
                match ctx.echo_with_body() {
                    Ok(v) => json_resp(200, &v),
                    Err(bad) => bad.into(),
                }
            }
            Err(bad) => bad.into(),
        },
        ["bytes", n] => bytes_route(ctx, n, false),
        ["stream-bytes", n] => bytes_route(ctx, n, true),
        ["stream", n] => stream_route(ctx, n),
        ["gzip"] => ctx.compressed(&[Coding::Gzip], "gzipped"),
        ["deflate"] => ctx.compressed(&[Coding::Deflate], "deflated"),
        ["deflate-raw"] => ctx.compressed(&[Coding::DeflateRaw], "deflated"),
        ["brotli"] => ctx.compressed(&[Coding::Brotli], "brotli"),
        ["zstd"] => ctx.compressed(&[Coding::Zstd], "zstd"),
        ["gzip-deflate"] => ctx.compressed(&[Coding::Deflate, Coding::Gzip], "gzipped"),
        ["drip"] => drip_route(ctx).await,
        ["response-headers"] => response_headers_route(ctx),
        ["basic-auth", user, pass] => basic_auth_route(ctx, user, pass),
        ["retry-after", status] => {
            let value = ctx.query_value("secs").unwrap_or("1");
            match parse_status(status) {
                Ok(code) => with_header(empty(code), "retry-after", value),
                Err(bad) => bad.into(),
            }
        }
        ["flaky", key, fails, status] => flaky_route(ctx, key, fails, status),
        ["echo"] => echo_route(ctx),
        ["large", n] => match parse_num::<u64>("length", n) {
            Ok(n) => response(200, "application/octet-stream", RepeatBody { remaining: n }),
            Err(bad) => bad.into(),
        },
        ["chunked-trailers"] => chunked_trailers_route(),
        ["head-check"] => {
            let resp = text(200, payload::HEAD_CHECK_BODY);
            with_header(resp, "x-method", ctx.method.as_str())
        }
        ["connections"] => json_resp(
            200,
            &json!({ "connections": ctx.state.connections.load(Ordering::SeqCst) }),
        ),
        ["together", k] => match parse_num::<usize>("request count", k) {
            Ok(k) => text(200, together_route(&ctx.state.together, k).await),
            Err(bad) => bad.into(),
        },
        ["json-body"] => full(200, "application/json", payload::JSON_BODY),
        ["utf8-lines"] => full(200, "text/plain; charset=utf-8", payload::UTF8_LINES),
        ["csv"] => full(200, "text/csv", payload::CSV_TEXT),
        ["close"] => with_header(text(200, "closing"), "connection", "close"),
        _ => text(404, format!("no route for {:?}\n", ctx.path)),
    }
}

impl Ctx<'_> {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| latin1(v.as_bytes()))
    }

    fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn origin(&self) -> String {
        self.conn.peer.ip().to_string()
    }

    /// `scheme://host[:port]` from the Host header, or from the listening address without one.
    fn origin_url(&self) -> String {
        let host = self
            .header("host")
            .unwrap_or_else(|| self.conn.local.to_string());
        format!("{}://{host}", self.state.scheme)
    }

    fn url(&self) -> String {
        if self.target.contains("://") {
            self.target.clone()
        } else {
            format!("{}{}", self.origin_url(), self.target)
        }
    }

    /// httpbin's header object: Title-Case names, repeated values joined with `, `.
    fn headers_json(&self) -> Value {
        let mut map = Map::new();
        for (name, value) in &self.headers {
            let key = title_case(name.as_str());
            let value = latin1(value.as_bytes());
            match map.get_mut(&key) {
                Some(Value::String(existing)) => {
                    existing.push_str(", ");
                    existing.push_str(&value);
                }
                _ => {
                    map.insert(key, Value::String(value));
                }
            }
        }
        Value::Object(map)
    }

    fn echo(&self) -> Value {
        json!({
            "args": multi_map(&self.query),
            "headers": self.headers_json(),
            "origin": self.origin(),
            "url": self.url(),
        })
    }

    /// The echo object with `data`, `files`, `form` and `json`; a 400 if a form body is malformed.
    fn echo_with_body(&self) -> Result<Value, Bad> {
        let mut value = self.echo();
        let content_type = self.header("content-type").unwrap_or_default();
        let lower = content_type.to_ascii_lowercase();
        let mut data = Value::String(String::new());
        let mut form = Vec::new();
        let mut files = Vec::new();
        if lower.starts_with("application/x-www-form-urlencoded") {
            form = parse_urlencoded(&String::from_utf8_lossy(&self.body));
        } else if lower.starts_with("multipart/form-data") {
            let parts = parse_multipart(&content_type, &self.body)
                .map_err(|e| Bad(format!("bad multipart body: {e}")))?;
            for part in parts {
                if part.filename.is_some() {
                    files.push((part.name, body_string(&part.data)));
                } else {
                    form.push((part.name, String::from_utf8_lossy(&part.data).into_owned()));
                }
            }
        } else {
            data = Value::String(body_string(&self.body));
        }
        value["data"] = data;
        value["form"] = multi_map(&form);
        value["files"] = multi_map(&files);
        value["json"] = serde_json::from_slice(&self.body).unwrap_or(Value::Null);
        Ok(value)
    }

    fn body_route(&self, method: Method) -> Resp {
        if let Some(resp) = only(self, method) {
            return resp;
        }
        match self.echo_with_body() {
            Ok(v) => json_resp(200, &v),
            Err(bad) => bad.into(),
        }
    }

    /// JSON about the request, compressed with `codings` in order (the first is applied first).
    fn compressed(&self, codings: &[Coding], flag: &str) -> Resp {
        let tokens: Vec<&str> = codings.iter().map(|c| c.token()).collect();
        let content_encoding = tokens.join(", ");
        let mut value = json!({
            "headers": self.headers_json(),
            "method": self.method.as_str(),
            "origin": self.origin(),
            "content_encoding": content_encoding,
        });
        value[flag] = Value::Bool(true);
        let mut body = pretty(&value);
        for coding in codings {
            body = payload::encode(*coding, &body);
        }
        with_header(
            full(200, "application/json", body),
            "content-encoding",
            &content_encoding,
        )
    }
}

/// 405 unless the request's method is `allowed` (HEAD counts as GET).
fn only(ctx: &Ctx<'_>, allowed: Method) -> Option<Resp> {
    let ok = ctx.method == allowed || (allowed == Method::GET && ctx.method == Method::HEAD);
    if ok {
        None
    } else {
        let resp = text(405, format!("{} not allowed here\n", ctx.method));
        Some(with_header(resp, "allow", allowed.as_str()))
    }
}

fn status_route(code: &str) -> Resp {
    let code = match parse_status(code) {
        Ok(code) => code,
        Err(bad) => return bad.into(),
    };
    let resp = empty(code);
    match code {
        300..=399 => with_header(resp, "location", "/redirect/1"),
        401 => with_header(resp, "www-authenticate", "Basic realm=\"Fake Realm\""),
        407 => with_header(resp, "proxy-authenticate", "Basic realm=\"Fake Realm\""),
        _ => resp,
    }
}

fn redirect_to(ctx: &Ctx<'_>) -> Resp {
    let Some(url) = ctx.query_value("url") else {
        return Bad("redirect-to needs a url parameter".into()).into();
    };
    let status = match ctx.query_value("status_code") {
        None => 302,
        Some(s) => match parse_num::<u16>("status_code", s) {
            Ok(code @ 300..=399) => code,
            Ok(code) => return Bad(format!("status_code {code} is not a redirect")).into(),
            Err(bad) => return bad.into(),
        },
    };
    redirect(status, url)
}

fn bytes_route(ctx: &Ctx<'_>, n: &str, chunked: bool) -> Resp {
    const LIMIT: usize = 100 * 1024 * 1024;
    let n = match parse_num::<usize>("length", n) {
        Ok(n) if n <= LIMIT => n,
        Ok(n) => return Bad(format!("length {n} is over {LIMIT}; use /large")).into(),
        Err(bad) => return bad.into(),
    };
    let seed = match ctx.query_value("seed").map(|s| parse_num::<u64>("seed", s)) {
        None => 0,
        Some(Ok(seed)) => seed,
        Some(Err(bad)) => return bad.into(),
    };
    let data = Bytes::from(payload::pseudo_random_bytes(n, seed));
    if !chunked {
        return full(200, "application/octet-stream", data);
    }
    let chunk_size = match ctx
        .query_value("chunk_size")
        .map(|s| parse_num::<usize>("chunk_size", s))
    {
        None => 10240,
        Some(Ok(size)) => size.max(1),
        Some(Err(bad)) => return bad.into(),
    };
    let (tx, body) = ChannelBody::new(None);
    tokio::spawn(async move {
        let mut start = 0;
        while start < data.len() {
            let end = (start + chunk_size).min(data.len());
            if tx.send(Frame::data(data.slice(start..end))).await.is_err() {
                return;
            }
            start = end;
        }
    });
    response(200, "application/octet-stream", body)
}

fn stream_route(ctx: &Ctx<'_>, n: &str) -> Resp {
    let n = match parse_num::<usize>("line count", n) {
        Ok(n) => n.min(1000),
        Err(bad) => return bad.into(),
    };
    let lines: Vec<Bytes> = (0..n)
        .map(|id| {
            let mut line = serde_json::to_vec(&json!({
                "id": id,
                "url": ctx.url(),
                "args": multi_map(&ctx.query),
                "headers": ctx.headers_json(),
                "origin": ctx.origin(),
            }))
            .expect("serialize a JSON value");
            line.push(b'\n');
            Bytes::from(line)
        })
        .collect();
    let (tx, body) = ChannelBody::new(None);
    tokio::spawn(async move {
        for line in lines {
            if tx.send(Frame::data(line)).await.is_err() {
                return;
            }
        }
    });
    response(200, "application/json", body)
}

async fn drip_route(ctx: &Ctx<'_>) -> Resp {
    let num = |name: &str, default: f64| match ctx.query_value(name) {
        None => Ok(default),
        Some(s) => parse_secs(name, s),
    };
    let numbytes = match ctx
        .query_value("numbytes")
        .map(|s| parse_num::<u64>("numbytes", s))
    {
        None => 10,
        Some(Ok(n)) if n <= 10 * 1024 * 1024 => n,
        Some(Ok(n)) => return Bad(format!("numbytes {n} is over 10 MiB")).into(),
        Some(Err(bad)) => return bad.into(),
    };
    let (duration, delay) = match (num("duration", 2.0), num("delay", 0.0)) {
        (Ok(duration), Ok(delay)) => (duration.min(60.0), delay.min(60.0)),
        (Err(bad), _) | (_, Err(bad)) => return bad.into(),
    };
    let code = match ctx.query_value("code").map(parse_status) {
        None => 200,
        Some(Ok(code)) => code,
        Some(Err(bad)) => return bad.into(),
    };
    tokio::time::sleep(Duration::from_secs_f64(delay)).await;
    let pause = if numbytes == 0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(duration / numbytes as f64)
    };
    let (tx, body) = ChannelBody::new(Some(numbytes));
    tokio::spawn(async move {
        for _ in 0..numbytes {
            if tx
                .send(Frame::data(Bytes::from_static(b"*")))
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(pause).await;
        }
    });
    response(code, "application/octet-stream", body)
}

fn response_headers_route(ctx: &Ctx<'_>) -> Resp {
    let has_content_type = ctx
        .query
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    let body = pretty(&multi_map(&ctx.query));
    let mut resp = if has_content_type {
        response(200, "", Full::new(Bytes::from(body)))
    } else {
        full(200, "application/json", body)
    };
    for (k, v) in &ctx.query {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) else {
            return Bad(format!("cannot send header {k:?}: {v:?}")).into();
        };
        resp.headers_mut().append(name, value);
    }
    resp
}

fn basic_auth_route(ctx: &Ctx<'_>, user: &str, pass: &str) -> Resp {
    let expected = format!(
        "Basic {}",
        base64_encode(format!("{user}:{pass}").as_bytes())
    );
    if ctx.header("authorization").as_deref() == Some(expected.as_str()) {
        json_resp(200, &json!({ "authenticated": true, "user": user }))
    } else {
        with_header(empty(401), "www-authenticate", "Basic realm=\"Fake Realm\"")
    }
}

fn flaky_route(ctx: &Ctx<'_>, key: &str, fails: &str, status: &str) -> Resp {
    let (fails, status) = match (parse_num::<usize>("fails", fails), parse_status(status)) {
        (Ok(fails), Ok(status)) => (fails, status),
        (Err(bad), _) | (_, Err(bad)) => return bad.into(),
    };
    let attempt = {
        let mut counts = lock(&ctx.state.flaky);
        let count = counts.entry(key.to_string()).or_insert(0);
        *count += 1;
        *count
    };
    let body = json!({ "key": key, "attempt": attempt });
    if attempt > fails {
        return json_resp(200, &body);
    }
    let resp = json_resp(status, &body);
    match ctx.query_value("retry_after") {
        Some(value) => with_header(resp, "retry-after", value),
        None => resp,
    }
}

fn echo_route(ctx: &Ctx<'_>) -> Resp {
    let content_type = ctx
        .header("content-type")
        .unwrap_or_else(|| "application/octet-stream".to_string());
    let mut resp = response(200, "", Full::new(ctx.body.clone()));
    let headers = resp.headers_mut();
    let mut add = |name: &str, value: &[u8]| {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(n, v);
        }
    };
    add("content-type", content_type.as_bytes());
    add("x-method", ctx.method.as_str().as_bytes());
    add("x-target", ctx.target.as_bytes());
    for (name, value) in &ctx.headers {
        add(&format!("x-echo-{}", name.as_str()), value.as_bytes());
    }
    resp
}

/// Enters `/together/{k}`, waits (at most 10 s) until `k` requests have been inside at once,
/// and leaves: `together` if they were, else `alone`.
async fn together_route(together: &Together, k: usize) -> &'static str {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    {
        let mut inside = lock(&together.inside);
        inside.now += 1;
        inside.most = inside.most.max(inside.now);
    }
    together.changed.notify_waiters();
    let met = loop {
        // Registered before the check, so a notification in between is not lost.
        let changed = together.changed.notified();
        if lock(&together.inside).most >= k {
            break true;
        }
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            break false;
        }
    };
    lock(&together.inside).now -= 1;
    if met {
        "together"
    } else {
        "alone"
    }
}

fn chunked_trailers_route() -> Resp {
    let (tx, body) = ChannelBody::new(None);
    tokio::spawn(async move {
        let mut trailers = HeaderMap::new();
        trailers.insert("x-trailer", HeaderValue::from_static("done"));
        for frame in [
            Frame::data(Bytes::from_static(b"hello ")),
            Frame::data(Bytes::from_static(b"trailers")),
            Frame::trailers(trailers),
        ] {
            if tx.send(frame).await.is_err() {
                return;
            }
        }
    });
    with_header(response(200, "text/plain", body), "trailer", "X-Trailer")
}

// ---- response helpers ----------------------------------------------------------------------

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A response with `body`; `content_type` is left out when empty.
fn response<B>(code: u16, content_type: &str, body: B) -> Resp
where
    B: Body<Data = Bytes, Error = Infallible> + Send + Sync + 'static,
{
    let mut resp = Response::new(body.boxed());
    *resp.status_mut() = status(code);
    if !content_type.is_empty() {
        if let Ok(value) = HeaderValue::from_str(content_type) {
            resp.headers_mut().insert("content-type", value);
        }
    }
    resp
}

fn full(code: u16, content_type: &str, body: impl Into<Bytes>) -> Resp {
    response(code, content_type, Full::new(body.into()))
}

fn text(code: u16, body: impl Into<Bytes>) -> Resp {
    full(code, "text/plain; charset=utf-8", body)
}

fn empty(code: u16) -> Resp {
    response(code, "", Full::new(Bytes::new()))
}

fn pretty(value: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).expect("serialize a JSON value");
    out.push(b'\n');
    out
}

fn json_resp(code: u16, value: &Value) -> Resp {
    full(code, "application/json", pretty(value))
}

fn redirect(code: u16, location: &str) -> Resp {
    let resp = text(code, format!("redirecting to {location}\n"));
    with_header(resp, "location", location)
}

fn with_header(mut resp: Resp, name: &'static str, value: &str) -> Resp {
    if let Ok(value) = HeaderValue::from_str(value) {
        resp.headers_mut().append(name, value);
    }
    resp
}

/// A client mistake in a path, query or body: becomes a 400 whose JSON `error` names it.
struct Bad(String);

impl From<Bad> for Resp {
    fn from(bad: Bad) -> Resp {
        json_resp(400, &json!({ "error": bad.0 }))
    }
}

fn parse_num<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, Bad> {
    s.parse()
        .map_err(|_| Bad(format!("{what} {s:?} is not a valid number")))
}

fn parse_secs(what: &str, s: &str) -> Result<f64, Bad> {
    match s.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => Ok(secs),
        _ => Err(Bad(format!("{what} {s:?} is not a number of seconds"))),
    }
}

/// A final status hyper can send: 200 to 599.
fn parse_status(s: &str) -> Result<u16, Bad> {
    match parse_num::<u16>("status", s)? {
        code @ 200..=599 => Ok(code),
        code => Err(Bad(format!("status {code} cannot be a final response"))),
    }
}

// ---- value helpers -------------------------------------------------------------------------

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// httpbin's multi-dict: a name seen once maps to its string, a repeated one to an array.
fn multi_map(pairs: &[(String, String)]) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        match map.get_mut(k) {
            None => {
                map.insert(k.clone(), Value::String(v.clone()));
            }
            Some(Value::Array(values)) => values.push(Value::String(v.clone())),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(v.clone())]);
            }
        }
    }
    Value::Object(map)
}

/// A body as text if it is UTF-8, else as httpbin's base64 data URL.
fn body_string(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => format!(
            "data:application/octet-stream;base64,{}",
            base64_encode(body)
        ),
    }
}

// ---- streaming bodies ----------------------------------------------------------------------

/// A body fed frame by frame from a task; chunked unless `size` is given.
struct ChannelBody {
    rx: mpsc::Receiver<Frame<Bytes>>,
    size: Option<u64>,
}

impl ChannelBody {
    fn new(size: Option<u64>) -> (mpsc::Sender<Frame<Bytes>>, ChannelBody) {
        let (tx, rx) = mpsc::channel(4);
        (tx, ChannelBody { rx, size })
    }
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx.poll_recv(cx).map(|frame| frame.map(Ok))
    }

    fn size_hint(&self) -> SizeHint {
        match self.size {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

static X_BLOCK: [u8; 64 * 1024] = [b'x'; 64 * 1024];

/// `remaining` bytes of `x`, served as slices of one static block: no allocation per frame.
struct RepeatBody {
    remaining: u64,
}

impl Body for RepeatBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(X_BLOCK.len() as u64) as usize;
        self.remaining -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&X_BLOCK[..n])))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
