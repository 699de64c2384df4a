//! In-process proxies for hip's proxy tests: a small HTTP proxy ([`HttpProxy`]: forwards
//! absolute-form requests, opens CONNECT tunnels, optional Basic auth, optional TLS, and
//! scripted misbehaviour) and a SOCKS4/4a/5 server ([`SocksServer`], optional
//! username/password or SOCKS4 user id). tokio-socks has no server side, so this one is
//! written from the RFCs (SOCKS4, SOCKS4a, RFC 1928, RFC 1929).
//!
//! Both bind `127.0.0.1:0`, run on a thread of their own with a current-thread runtime (so
//! async and blocking tests use them alike), record what clients asked for, and stop when
//! dropped. Every read is bounded; a test that hangs a client on purpose ([`Behavior::Stall`])
//! relies on the client's timeout.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::form::base64_encode;
use crate::pki::{ServerCert, TestPki};
use crate::server::{tls_config, ServerThread};

/// The longest request head the HTTP proxy accepts.
const MAX_HEAD: usize = 64 * 1024;

/// Connects to a destination a proxy was asked for. Loopback names and addresses of either
/// family go to 127.0.0.1, where the test servers listen (so a client that resolved
/// `localhost` to `::1` still reaches them).
async fn connect_upstream(host: &str, port: u16) -> std::io::Result<TcpStream> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip = match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Ok(ip) => ip,
        Err(_) if host.eq_ignore_ascii_case("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Err(_) => {
            // Only loopback is ever a target of these tests.
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("test proxy only connects to loopback, not {host:?}"),
            ));
        }
    };
    tokio::time::timeout(Duration::from_secs(10), TcpStream::connect((ip, port)))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "upstream connect"))?
}

// ---------------------------------------------------------------------------------------
// The HTTP proxy
// ---------------------------------------------------------------------------------------

/// One request head the HTTP proxy received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyRequest {
    /// Which connection carried it (0 for the first accepted).
    pub connection: usize,
    /// `GET`, `CONNECT`, ...
    pub method: String,
    /// The request target as sent: absolute form or `host:port`.
    pub target: String,
    /// The headers in order, names as sent.
    pub headers: Vec<(String, String)>,
}

impl ProxyRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the HTTP proxy does after reading a request head.
#[derive(Clone, Debug)]
pub enum Behavior {
    /// Forward and tunnel as a proxy should.
    Normal,
    /// Answer every CONNECT with this status, reason and body (plus `X-Proxy: hip-test`).
    RefuseConnect {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: &'static str,
        /// The body (sent with Content-Length).
        body: Vec<u8>,
    },
    /// Close the connection without answering.
    CloseAfterHead,
    /// Never answer (until the proxy is dropped).
    Stall,
}

/// How an [`HttpProxy`] is set up.
#[derive(Clone, Debug)]
pub struct ProxyConfig {
    /// Basic credentials the proxy requires (`user`, `password`); a request without them
    /// gets `407 Proxy Authentication Required`.
    pub auth: Option<(String, String)>,
    /// What to do with requests.
    pub behavior: Behavior,
    /// Speak TLS to clients (an `https://` proxy).
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig {
            auth: None,
            behavior: Behavior::Normal,
            tls: None,
        }
    }
}

/// The body of the proxy's 407 answers.
pub const AUTH_REQUIRED_BODY: &str = "proxy credentials required";

/// A small HTTP proxy on 127.0.0.1 (see the module docs).
#[derive(Debug)]
pub struct HttpProxy {
    server: ServerThread,
    log: Arc<Mutex<Vec<ProxyRequest>>>,
    scheme: &'static str,
}

impl HttpProxy {
    /// A proxy that forwards and tunnels, without auth.
    pub fn start() -> HttpProxy {
        HttpProxy::start_with(ProxyConfig::default())
    }

    /// A proxy that requires Basic `user:password`.
    pub fn start_with_auth(user: &str, password: &str) -> HttpProxy {
        HttpProxy::start_with(ProxyConfig {
            auth: Some((user.to_owned(), password.to_owned())),
            ..ProxyConfig::default()
        })
    }

    /// A proxy set up with `config`.
    pub fn start_with(config: ProxyConfig) -> HttpProxy {
        let log = Arc::new(Mutex::new(Vec::new()));
        let scheme = if config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let config = Arc::new(config);
        let handler_log = Arc::clone(&log);
        let server = ServerThread::start("http-proxy", Arc::default(), move |stream, conn| {
            let config = Arc::clone(&config);
            let log = Arc::clone(&handler_log);
            let id = conn.id;
            async move {
                match config.tls.clone() {
                    None => serve_proxy(stream, id, &config, &log).await,
                    Some(tls) => {
                        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
                        if let Ok(s) = acceptor.accept(stream).await {
                            serve_proxy(s, id, &config, &log).await;
                        }
                    }
                }
            }
        });
        HttpProxy {
            server,
            log,
            scheme,
        }
    }

    /// A TLS proxy (`https://`) with `pki`'s valid certificate (`localhost`, `127.0.0.1`).
    pub fn start_tls(pki: &TestPki) -> HttpProxy {
        let id = pki.server(ServerCert::Valid);
        HttpProxy::start_with(ProxyConfig {
            tls: Some(tls_config(id.cert_chain(), id.key(), None)),
            ..ProxyConfig::default()
        })
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// `http://127.0.0.1:PORT` (`https://localhost:PORT` for a TLS proxy, matching its
    /// certificate by name).
    pub fn url(&self) -> String {
        match self.scheme {
            "https" => format!("https://localhost:{}", self.port()),
            _ => format!("http://127.0.0.1:{}", self.port()),
        }
    }

    /// The proxy URL with credentials: `http://USER:PASS@127.0.0.1:PORT` (given encoded).
    pub fn url_with_auth(&self, userinfo: &str) -> String {
        format!("{}://{userinfo}@127.0.0.1:{}", self.scheme, self.port())
    }

    /// Every request head received so far.
    pub fn requests(&self) -> Vec<ProxyRequest> {
        self.log.lock().unwrap().clone()
    }

    /// The `(method, target)` of every request so far.
    pub fn request_lines(&self) -> Vec<(String, String)> {
        self.requests()
            .into_iter()
            .map(|r| (r.method, r.target))
            .collect()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }
}

/// `"Basic " + base64("user:password")`, computed here independently of hip.
pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64_encode(format!("{user}:{password}").as_bytes())
    )
}

struct Head {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    /// Bytes read past the head.
    rest: Vec<u8>,
}

/// Reads one request head (at most [`MAX_HEAD`] bytes); None at EOF or on garbage.
async fn read_head<S: AsyncRead + Unpin>(s: &mut S) -> Option<Head> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    let rest = buf[end + 4..].to_vec();
    let mut lines = text.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Head {
        method,
        target,
        headers,
        rest,
    })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Splits `host:port` / `[v6]:port`.
fn split_authority(authority: &str) -> Option<(String, u16)> {
    let (host, port) = authority.rsplit_once(':')?;
    Some((host.to_owned(), port.parse().ok()?))
}

async fn answer<S: AsyncWrite + Unpin>(
    s: &mut S,
    status: u16,
    reason: &str,
    extra: &str,
    body: &[u8],
) {
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes()).await;
    let _ = s.write_all(body).await;
    let _ = s.flush().await;
}

async fn serve_proxy<S: AsyncRead + AsyncWrite + Unpin>(
    mut client: S,
    id: usize,
    config: &ProxyConfig,
    log: &Mutex<Vec<ProxyRequest>>,
) {
    let Some(head) = read_head(&mut client).await else {
        return;
    };
    log.lock().unwrap().push(ProxyRequest {
        connection: id,
        method: head.method.clone(),
        target: head.target.clone(),
        headers: head.headers.clone(),
    });
    match &config.behavior {
        Behavior::CloseAfterHead => return,
        Behavior::Stall => {
            // Held open until the proxy is dropped (its runtime cancels this task).
            std::future::pending::<()>().await;
        }
        _ => {}
    }
    if let Some((user, password)) = &config.auth {
        if header(&head.headers, "proxy-authorization") != Some(basic(user, password).as_str()) {
            answer(
                &mut client,
                407,
                "Proxy Authentication Required",
                "Proxy-Authenticate: Basic realm=\"hip-test\"\r\n",
                AUTH_REQUIRED_BODY.as_bytes(),
            )
            .await;
            return;
        }
    }
    if head.method == "CONNECT" {
        if let Behavior::RefuseConnect {
            status,
            reason,
            body,
        } = &config.behavior
        {
            answer(&mut client, *status, reason, "X-Proxy: hip-test\r\n", body).await;
            return;
        }
        let Some((host, port)) = split_authority(&head.target) else {
            answer(&mut client, 400, "Bad Request", "", b"bad CONNECT target").await;
            return;
        };
        let mut upstream = match connect_upstream(&host, port).await {
            Ok(u) => u,
            Err(e) => {
                let body = format!("cannot reach {}: {e}", head.target);
                answer(&mut client, 502, "Bad Gateway", "", body.as_bytes()).await;
                return;
            }
        };
        if client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        if !head.rest.is_empty() && upstream.write_all(&head.rest).await.is_err() {
            return;
        }
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        return;
    }
    forward(client, head).await;
}

/// Forwards one absolute-form request to its origin (origin-form, `Connection: close`,
/// without the proxy's own headers) and relays the answer until the origin closes.
async fn forward<S: AsyncRead + AsyncWrite + Unpin>(mut client: S, head: Head) {
    let Some(rest) = head.target.strip_prefix("http://") else {
        answer(
            &mut client,
            400,
            "Bad Request",
            "",
            b"absolute-form http:// target expected",
        )
        .await;
        return;
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = split_authority(authority).unwrap_or((authority.to_owned(), 80));
    let mut upstream = match connect_upstream(&host, port).await {
        Ok(u) => u,
        Err(e) => {
            let body = format!("cannot reach {authority}: {e}");
            answer(&mut client, 502, "Bad Gateway", "", body.as_bytes()).await;
            return;
        }
    };
    let mut out = format!("{} {path} HTTP/1.1\r\n", head.method);
    for (n, v) in &head.headers {
        let lower = n.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "proxy-authorization" | "proxy-connection" | "connection"
        ) {
            continue;
        }
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    let body_len: usize = header(&head.headers, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = head.rest;
    let mut chunk = [0u8; 4096];
    while body.len() < body_len {
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    if upstream.write_all(out.as_bytes()).await.is_err() || upstream.write_all(&body).await.is_err()
    {
        return;
    }
    let _ = tokio::io::copy(&mut upstream, &mut client).await;
    let _ = client.flush().await;
    let _ = client.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The SOCKS server
// ---------------------------------------------------------------------------------------

/// What a SOCKS client asked to connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SocksDest {
    /// A host name (SOCKS4a, or SOCKS5 address type 3): the proxy resolves it.
    Domain(String),
    /// An address the client resolved itself.
    Ip(IpAddr),
}

/// One SOCKS request the server received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocksRequest {
    /// 4 or 5.
    pub version: u8,
    /// The destination.
    pub dest: SocksDest,
    /// The destination port.
    pub port: u16,
    /// The SOCKS4 user id or SOCKS5 username, if any.
    pub user: Option<String>,
}

/// How a [`SocksServer`] is set up.
#[derive(Clone, Debug, Default)]
pub struct SocksConfig {
    /// SOCKS5: require username/password authentication with these credentials.
    pub auth: Option<(String, String)>,
    /// SOCKS4: refuse (code 93) requests whose user id differs.
    pub socks4_user: Option<String>,
    /// Answer every request with this SOCKS5 reply code (SOCKS4: 91) instead of connecting.
    pub fail_with: Option<u8>,
}

/// A SOCKS4/4a/5 server on 127.0.0.1 (see the module docs).
#[derive(Debug)]
pub struct SocksServer {
    server: ServerThread,
    log: Arc<Mutex<Vec<SocksRequest>>>,
}

impl SocksServer {
    /// A server without authentication.
    pub fn start() -> SocksServer {
        SocksServer::start_with(SocksConfig::default())
    }

    /// A server set up with `config`.
    pub fn start_with(config: SocksConfig) -> SocksServer {
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler_log = Arc::clone(&log);
        let config = Arc::new(config);
        let server = ServerThread::start("socks-server", Arc::default(), move |stream, _| {
            let config = Arc::clone(&config);
            let log = Arc::clone(&handler_log);
            async move {
                // A bounded handshake: a stuck client cannot hold the task forever.
                let _ = tokio::time::timeout(
                    Duration::from_secs(30),
                    serve_socks(stream, &config, &log),
                )
                .await;
            }
        });
        SocksServer { server, log }
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// `{scheme}://127.0.0.1:PORT`.
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port())
    }

    /// `{scheme}://{userinfo}@127.0.0.1:PORT`.
    pub fn url_with_auth(&self, scheme: &str, userinfo: &str) -> String {
        format!("{scheme}://{userinfo}@127.0.0.1:{}", self.port())
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<SocksRequest> {
        self.log.lock().unwrap().clone()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }
}

async fn read_until_nul(s: &mut TcpStream) -> Option<String> {
    let mut out = Vec::new();
    loop {
        let b = s.read_u8().await.ok()?;
        if b == 0 {
            return Some(String::from_utf8_lossy(&out).into_owned());
        }
        if out.len() > 1024 {
            return None;
        }
        out.push(b);
    }
}

async fn serve_socks(mut s: TcpStream, config: &SocksConfig, log: &Mutex<Vec<SocksRequest>>) {
    match s.read_u8().await {
        Ok(4) => serve_socks4(s, config, log).await,
        Ok(5) => serve_socks5(s, config, log).await,
        _ => {}
    }
}

async fn pipe(mut client: TcpStream, mut upstream: TcpStream) {
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

async fn serve_socks4(mut s: TcpStream, config: &SocksConfig, log: &Mutex<Vec<SocksRequest>>) {
    let mut fixed = [0u8; 7];
    if s.read_exact(&mut fixed).await.is_err() {
        return;
    }
    let command = fixed[0];
    let port = u16::from_be_bytes([fixed[1], fixed[2]]);
    let ip = Ipv4Addr::new(fixed[3], fixed[4], fixed[5], fixed[6]);
    let Some(user) = read_until_nul(&mut s).await else {
        return;
    };
    // SOCKS4a: 0.0.0.x (x != 0) means "the name follows".
    let dest = if fixed[3..6] == [0, 0, 0] && fixed[6] != 0 {
        let Some(name) = read_until_nul(&mut s).await else {
            return;
        };
        SocksDest::Domain(name)
    } else {
        SocksDest::Ip(IpAddr::V4(ip))
    };
    log.lock().unwrap().push(SocksRequest {
        version: 4,
        dest: dest.clone(),
        port,
        user: (!user.is_empty()).then(|| user.clone()),
    });
    let reply = |code: u8| [0u8, code, 0, 0, 0, 0, 0, 0];
    if let Some(expected) = &config.socks4_user {
        if &user != expected {
            let _ = s.write_all(&reply(93)).await;
            return;
        }
    }
    if command != 1 || config.fail_with.is_some() {
        let _ = s.write_all(&reply(91)).await;
        return;
    }
    let host = match &dest {
        SocksDest::Domain(d) => d.clone(),
        SocksDest::Ip(ip) => ip.to_string(),
    };
    match connect_upstream(&host, port).await {
        Ok(up) => {
            if s.write_all(&reply(90)).await.is_ok() {
                pipe(s, up).await;
            }
        }
        Err(_) => {
            let _ = s.write_all(&reply(91)).await;
        }
    }
}

async fn serve_socks5(mut s: TcpStream, config: &SocksConfig, log: &Mutex<Vec<SocksRequest>>) {
    let Ok(n) = s.read_u8().await else { return };
    let mut methods = vec![0u8; n as usize];
    if s.read_exact(&mut methods).await.is_err() {
        return;
    }
    let mut user = None;
    match &config.auth {
        None => {
            if !methods.contains(&0) {
                let _ = s.write_all(&[5, 0xFF]).await;
                return;
            }
            if s.write_all(&[5, 0]).await.is_err() {
                return;
            }
        }
        Some((want_user, want_pass)) => {
            if !methods.contains(&2) {
                let _ = s.write_all(&[5, 0xFF]).await;
                return;
            }
            if s.write_all(&[5, 2]).await.is_err() {
                return;
            }
            // RFC 1929: VER ULEN UNAME PLEN PASSWD.
            let Ok(1) = s.read_u8().await else { return };
            let Ok(ulen) = s.read_u8().await else { return };
            let mut uname = vec![0u8; ulen as usize];
            if s.read_exact(&mut uname).await.is_err() {
                return;
            }
            let Ok(plen) = s.read_u8().await else { return };
            let mut passwd = vec![0u8; plen as usize];
            if s.read_exact(&mut passwd).await.is_err() {
                return;
            }
            let ok = uname == want_user.as_bytes() && passwd == want_pass.as_bytes();
            if s.write_all(&[1, if ok { 0 } else { 1 }]).await.is_err() || !ok {
                return;
            }
            user = Some(String::from_utf8_lossy(&uname).into_owned());
        }
    }
    // VER CMD RSV ATYP DST.ADDR DST.PORT
    let mut req = [0u8; 4];
    if s.read_exact(&mut req).await.is_err() || req[0] != 5 {
        return;
    }
    let dest = match req[3] {
        1 => {
            let mut a = [0u8; 4];
            if s.read_exact(&mut a).await.is_err() {
                return;
            }
            SocksDest::Ip(IpAddr::from(a))
        }
        3 => {
            let Ok(len) = s.read_u8().await else { return };
            let mut name = vec![0u8; len as usize];
            if s.read_exact(&mut name).await.is_err() {
                return;
            }
            SocksDest::Domain(String::from_utf8_lossy(&name).into_owned())
        }
        4 => {
            let mut a = [0u8; 16];
            if s.read_exact(&mut a).await.is_err() {
                return;
            }
            SocksDest::Ip(IpAddr::from(a))
        }
        _ => {
            let _ = s.write_all(&[5, 8, 0, 1, 0, 0, 0, 0, 0, 0]).await;
            return;
        }
    };
    let Ok(port) = s.read_u16().await else { return };
    log.lock().unwrap().push(SocksRequest {
        version: 5,
        dest: dest.clone(),
        port,
        user,
    });
    let reply = |code: u8| [5u8, code, 0, 1, 127, 0, 0, 1, 0, 0];
    if req[1] != 1 {
        let _ = s.write_all(&reply(7)).await;
        return;
    }
    if let Some(code) = config.fail_with {
        let _ = s.write_all(&reply(code)).await;
        return;
    }
    let host = match &dest {
        SocksDest::Domain(d) => d.clone(),
        SocksDest::Ip(ip) => ip.to_string(),
    };
    match connect_upstream(&host, port).await {
        Ok(up) => {
            if s.write_all(&reply(0)).await.is_ok() {
                pipe(s, up).await;
            }
        }
        // 5: connection refused; 4: host unreachable (a name the test proxy won't resolve).
        Err(e) => {
            let code = if e.kind() == std::io::ErrorKind::NotFound {
                4
            } else {
                5
            };
            let _ = s.write_all(&reply(code)).await;
        }
    }
}
