//! Proves the test servers of this crate with plain clients (a blocking `TcpStream` and
//! tokio-rustls), so that hip's own tests can trust them.

use hip_test_support as support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::{
    payload, pseudo_random_bytes, Coding, HttpBin, RawServer, Reply, ServerCert, Step, TestPki,
    CLIENT_KEY_PASSWORD, OK_RESPONSE,
};

// ---- a minimal blocking HTTP/1.1 client ----------------------------------------------------

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    trailers: Vec<(String, String)>,
    /// Number of chunks for a chunked body, 0 otherwise.
    chunks: usize,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect to the test server");
    // A safety net so that a broken server fails the test instead of hanging it.
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("set_read_timeout");
    stream
}

fn read_line(r: &mut impl BufRead) -> String {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).expect("read a line");
    assert!(line.ends_with(b"\r\n"), "line without CRLF: {line:?}");
    line.truncate(line.len() - 2);
    String::from_utf8_lossy(&line).into_owned()
}

fn read_fields(r: &mut impl BufRead) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    loop {
        let line = read_line(r);
        if line.is_empty() {
            return fields;
        }
        let (name, value) = line.split_once(':').expect("header line with ':'");
        fields.push((name.to_string(), value.trim().to_string()));
    }
}

/// Reads one response; `head` says the request was HEAD (no body follows).
fn read_response(r: &mut impl BufRead, head: bool) -> Resp {
    let status_line = read_line(r);
    let mut parts = status_line.splitn(3, ' ');
    assert_eq!(
        parts.next(),
        Some("HTTP/1.1"),
        "status line {status_line:?}"
    );
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers = read_fields(r);
    let mut resp = Resp {
        status,
        headers,
        body: Vec::new(),
        trailers: Vec::new(),
        chunks: 0,
    };
    if head || status == 204 || status == 304 {
        return resp;
    }
    if resp
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let size = usize::from_str_radix(&read_line(r), 16).expect("chunk size");
            if size == 0 {
                resp.trailers = read_fields(r);
                return resp;
            }
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk).expect("read a chunk");
            assert_eq!(&chunk[size..], b"\r\n");
            resp.body.extend_from_slice(&chunk[..size]);
            resp.chunks += 1;
        }
    } else if let Some(len) = resp.header("content-length") {
        let len: usize = len.parse().expect("numeric Content-Length");
        resp.body = vec![0; len];
        r.read_exact(&mut resp.body).expect("read the body");
    } else {
        r.read_to_end(&mut resp.body).expect("read the body to EOF");
    }
    resp
}

/// One keep-alive connection.
struct Client {
    reader: BufReader<TcpStream>,
    host: String,
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        Client {
            reader: BufReader::new(connect(addr)),
            host: addr.to_string(),
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).expect("send");
    }

    fn request(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Resp {
        let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (name, value) in headers {
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.send(&bytes);
        read_response(&mut self.reader, method == "HEAD")
    }

    fn get(&mut self, target: &str) -> Resp {
        self.request("GET", target, &[], b"")
    }
}

fn get(server: &HttpBin, target: &str) -> Resp {
    Client::new(server.addr()).get(target)
}

/// Sends `request` on a new connection and returns everything until the server closes.
fn raw_exchange(addr: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut stream = connect(addr);
    stream.write_all(request)?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

const SIMPLE_GET: &[u8] = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n";

// ---- HttpBin -------------------------------------------------------------------------------

#[test]
fn get_echoes_args_headers_url_and_origin_and_is_recorded() {
    let server = HttpBin::start();
    let resp = Client::new(server.addr()).request(
        "GET",
        "/get?a=1&a=2&b=x%20y+z",
        &[("X-Test", "yes"), ("x-multi", "1"), ("X-Multi", "2")],
        b"",
    );
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let v = resp.json();
    assert_eq!(v["args"], json!({"a": ["1", "2"], "b": "x y z"}));
    assert_eq!(v["headers"]["X-Test"], "yes");
    assert_eq!(v["headers"]["X-Multi"], "1, 2");
    assert_eq!(v["headers"]["Host"], server.addr().to_string());
    assert_eq!(v["origin"], "127.0.0.1");
    assert_eq!(v["url"], server.url("/get?a=1&a=2&b=x%20y+z"));
    assert!(v.get("data").is_none(), "{v}");

    let recorded = server.requests();
    assert_eq!(recorded.len(), 1);
    let r = &recorded[0];
    assert_eq!(r.connection, 0);
    assert_eq!(r.method, "GET");
    assert_eq!(r.target, "/get?a=1&a=2&b=x%20y+z");
    assert_eq!(r.path(), "/get");
    assert_eq!(r.header("X-TEST"), Some("yes"));
    assert_eq!(r.header_all("x-multi"), vec!["1", "2"]);
    assert!(r.body.is_empty());
    assert_eq!(server.last_request().as_ref(), Some(r));
}

#[test]
fn url_helpers_name_the_bound_port() {
    let server = HttpBin::start();
    assert_eq!(server.addr().ip().to_string(), "127.0.0.1");
    assert_ne!(server.port(), 0);
    assert_eq!(
        server.url("/x"),
        format!("http://127.0.0.1:{}/x", server.port())
    );
    assert_eq!(
        server.url_with_host("localhost", "/y"),
        format!("http://localhost:{}/y", server.port())
    );
}

#[test]
fn post_reports_data_json_form_and_files() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());

    let resp = client.request(
        "POST",
        "/post?q=1",
        &[("Content-Type", "application/json")],
        br#"{"k": [1, 2]}"#,
    );
    assert_eq!(resp.status, 200);
    let v = resp.json();
    assert_eq!(v["data"], r#"{"k": [1, 2]}"#);
    assert_eq!(v["json"], json!({"k": [1, 2]}));
    assert_eq!(v["form"], json!({}));
    assert_eq!(v["files"], json!({}));
    assert_eq!(v["args"], json!({"q": "1"}));

    let resp = client.request(
        "POST",
        "/post",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"a=1&b=two+words&a=%C3%A9",
    );
    let v = resp.json();
    assert_eq!(v["form"], json!({"a": ["1", "\u{e9}"], "b": "two words"}));
    assert_eq!(v["data"], "");
    assert_eq!(v["json"], Value::Null);

    let multipart = b"--XyZ\r\n\
        Content-Disposition: form-data; name=\"field\"\r\n\r\n\
        value\r\n\
        --XyZ\r\n\
        Content-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\n\
        Content-Type: text/plain\r\n\r\n\
        file contents\r\n\
        --XyZ--\r\n";
    let resp = client.request(
        "POST",
        "/post",
        &[("Content-Type", "multipart/form-data; boundary=XyZ")],
        multipart,
    );
    assert_eq!(resp.status, 200);
    let v = resp.json();
    assert_eq!(v["form"], json!({"field": "value"}));
    assert_eq!(v["files"], json!({"upload": "file contents"}));

    let resp = client.request(
        "POST",
        "/post",
        &[("Content-Type", "multipart/form-data; boundary=XyZ")],
        b"--XyZ\r\nno terminator",
    );
    assert_eq!(resp.status, 400);
    assert!(resp.json()["error"]
        .as_str()
        .unwrap()
        .contains("not closed"));

    let resp = client.request("POST", "/post", &[], &[0xff, 0x00]);
    assert_eq!(
        resp.json()["data"],
        "data:application/octet-stream;base64,/wA="
    );

    let recorded = server.requests();
    assert_eq!(recorded.len(), 5);
    assert_eq!(recorded[2].body, multipart.to_vec());
    assert!(recorded.iter().all(|r| r.connection == 0));
}

#[test]
fn method_routes_accept_only_their_method() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let path = format!("/{}", method.to_ascii_lowercase());
        let resp = client.request(method, &path, &[], b"x=1");
        assert_eq!(resp.status, 200, "{method}");
        assert_eq!(resp.json()["data"], "x=1");
        let resp = client.get(&path);
        assert_eq!(resp.status, 405, "GET {path}");
        assert_eq!(resp.header("allow"), Some(method));
    }
    assert_eq!(client.request("POST", "/get", &[], b"").status, 405);
    assert_eq!(client.request("HEAD", "/get", &[], b"").status, 200);
    let resp = client.request("OPTIONS", "/anything/deeper?x=y", &[], b"");
    assert_eq!(resp.json()["method"], "OPTIONS");
    assert_eq!(resp.json()["args"], json!({"x": "y"}));
}

#[test]
fn small_info_routes() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let resp = client.request("GET", "/headers", &[("X-A", "b")], b"");
    assert_eq!(resp.json()["headers"]["X-A"], "b");
    assert_eq!(client.get("/ip").json(), json!({"origin": "127.0.0.1"}));
    let resp = client.request("GET", "/user-agent", &[("User-Agent", "hip/0")], b"");
    assert_eq!(resp.json(), json!({"user-agent": "hip/0"}));
    let resp = client.get("/robots.txt");
    assert_eq!(resp.text(), "User-agent: *\nDisallow: /deny\n");
    let resp = client.get("/json-body");
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.text(), r#"{"attribute":"value"}"#);
    let resp = client.get("/utf8-lines");
    assert_eq!(
        resp.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(resp.text(), payload::UTF8_LINES);
    assert_eq!(resp.text().lines().count(), 4);
    let resp = client.get("/csv");
    assert_eq!(resp.header("content-type"), Some("text/csv"));
    assert_eq!(resp.text(), "name,count\nalpha,1\nbeta,2\ngamma,3\n");
    let resp = client.get("/no/such/route");
    assert_eq!(resp.status, 404);
    assert_eq!(resp.text(), "no route for \"/no/such/route\"\n");
}

#[test]
fn status_route_returns_the_code_and_redirect_headers() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let resp = client.get("/status/418");
    assert_eq!((resp.status, resp.body.len()), (418, 0));
    let resp = client.get("/status/301");
    assert_eq!(resp.status, 301);
    assert_eq!(resp.header("location"), Some("/redirect/1"));
    let resp = client.get("/status/401");
    assert_eq!(
        resp.header("www-authenticate"),
        Some("Basic realm=\"Fake Realm\"")
    );
    assert_eq!(client.get("/status/204").status, 204);
    assert_eq!(client.get("/status/abc").status, 400);
    assert_eq!(client.get("/status/100").status, 400);
}

#[test]
fn redirect_routes_chain_to_get() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let resp = client.get("/redirect/3");
    assert_eq!(resp.status, 302);
    assert_eq!(resp.header("location"), Some("/redirect/2"));
    assert_eq!(client.get("/redirect/1").header("location"), Some("/get"));
    assert_eq!(
        client.get("/relative-redirect/2").header("location"),
        Some("/relative-redirect/1")
    );
    assert_eq!(
        client.get("/relative-redirect/1").header("location"),
        Some("/get")
    );
    assert_eq!(
        client.get("/absolute-redirect/2").header("location"),
        Some(server.url("/absolute-redirect/1").as_str())
    );
    assert_eq!(
        client.get("/absolute-redirect/1").header("location"),
        Some(server.url("/get").as_str())
    );
    let resp = client.request(
        "POST",
        "/redirect-to?url=http%3A%2F%2Fother.invalid%2Fx%3Fy%3D1&status_code=307",
        &[],
        b"body",
    );
    assert_eq!(resp.status, 307);
    assert_eq!(resp.header("location"), Some("http://other.invalid/x?y=1"));
    let resp = client.get("/redirect-to?url=/get");
    assert_eq!((resp.status, resp.header("location")), (302, Some("/get")));
    assert_eq!(
        client.get("/redirect-to?url=/get&status_code=200").status,
        400
    );
    assert_eq!(client.get("/redirect-to").status, 400);
}

#[test]
fn delay_answers_after_sleeping() {
    let server = HttpBin::start();
    let resp = get(&server, "/delay/0.05?x=1");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["args"], json!({"x": "1"}));
    assert_eq!(get(&server, "/delay/-1").status, 400);
}

#[test]
fn bytes_and_stream_bytes_are_deterministic() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let expected = pseudo_random_bytes(1000, 7);
    assert_eq!(expected, pseudo_random_bytes(1000, 7));
    assert_ne!(expected, pseudo_random_bytes(1000, 8));
    assert_eq!(
        &pseudo_random_bytes(8, 0),
        &[175, 205, 29, 123, 57, 168, 32, 226]
    );

    let resp = client.get("/bytes/1000?seed=7");
    assert_eq!(resp.header("content-length"), Some("1000"));
    assert_eq!(resp.body, expected);
    assert_eq!(client.get("/bytes/5").body, pseudo_random_bytes(5, 0));

    let resp = client.get("/stream-bytes/1000?seed=7&chunk_size=100");
    assert_eq!(resp.header("transfer-encoding"), Some("chunked"));
    assert_eq!(resp.header("content-length"), None);
    assert_eq!(resp.body, expected);
    assert_eq!(resp.chunks, 10);
}

#[test]
fn stream_sends_json_lines_in_chunks() {
    let server = HttpBin::start();
    let resp = get(&server, "/stream/3");
    assert_eq!(resp.header("transfer-encoding"), Some("chunked"));
    assert_eq!(resp.chunks, 3);
    let lines: Vec<Value> = resp
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let ids: Vec<&Value> = lines.iter().map(|l| &l["id"]).collect();
    assert_eq!(ids, vec![&json!(0), &json!(1), &json!(2)]);
    assert_eq!(lines[2]["url"], server.url("/stream/3"));
}

fn decode(coding: Coding, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        Coding::Gzip => flate2::read::GzDecoder::new(data).read_to_end(&mut out),
        Coding::Deflate => flate2::read::ZlibDecoder::new(data).read_to_end(&mut out),
        Coding::DeflateRaw => flate2::read::DeflateDecoder::new(data).read_to_end(&mut out),
        Coding::Brotli => brotli::Decompressor::new(data, 4096).read_to_end(&mut out),
        Coding::Zstd => zstd::stream::read::Decoder::new(data)
            .expect("zstd decoder")
            .read_to_end(&mut out),
    }
    .expect("decode");
    out
}

#[test]
fn compressed_routes_send_content_encoding() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let cases = [
        ("/gzip", Coding::Gzip, "gzip", "gzipped"),
        ("/deflate", Coding::Deflate, "deflate", "deflated"),
        ("/deflate-raw", Coding::DeflateRaw, "deflate", "deflated"),
        ("/brotli", Coding::Brotli, "br", "brotli"),
        ("/zstd", Coding::Zstd, "zstd", "zstd"),
    ];
    for (path, coding, token, flag) in cases {
        let resp = client.get(path);
        assert_eq!(resp.header("content-encoding"), Some(token), "{path}");
        let v: Value = serde_json::from_slice(&decode(coding, &resp.body)).expect(path);
        assert_eq!(v[flag], true, "{path}");
        assert_eq!(v["method"], "GET");
        assert_eq!(v["content_encoding"], token);
    }
    // The raw and zlib forms really differ on the wire.
    assert_ne!(
        client.get("/deflate").body[0],
        client.get("/deflate-raw").body[0]
    );

    let resp = client.get("/gzip-deflate");
    assert_eq!(resp.header("content-encoding"), Some("deflate, gzip"));
    let inner = decode(Coding::Gzip, &resp.body);
    let v: Value = serde_json::from_slice(&decode(Coding::Deflate, &inner)).unwrap();
    assert_eq!(v["gzipped"], true);

    let data = b"round trip".repeat(50);
    for coding in [
        Coding::Gzip,
        Coding::Deflate,
        Coding::DeflateRaw,
        Coding::Brotli,
        Coding::Zstd,
    ] {
        assert_eq!(
            decode(coding, &payload::encode(coding, &data)),
            data,
            "{coding:?}"
        );
    }
}

#[test]
fn drip_trickles_the_announced_bytes() {
    let server = HttpBin::start();
    let resp = get(&server, "/drip?numbytes=5&duration=0.1&delay=0.01&code=202");
    assert_eq!(resp.status, 202);
    assert_eq!(resp.header("content-length"), Some("5"));
    assert_eq!(resp.body, b"*****");
    assert_eq!(get(&server, "/drip?duration=x").status, 400);
}

#[test]
fn response_headers_echoes_query_as_headers() {
    let server = HttpBin::start();
    let resp = get(
        &server,
        "/response-headers?X-Foo=bar&X-Foo=baz&Content-Type=text%2Fplain",
    );
    assert_eq!(resp.header_all("x-foo"), vec!["bar", "baz"]);
    assert_eq!(resp.header_all("content-type"), vec!["text/plain"]);
    assert_eq!(resp.json()["X-Foo"], json!(["bar", "baz"]));
    assert_eq!(get(&server, "/response-headers?bad%20name=x").status, 400);
}

#[test]
fn basic_auth_checks_the_authorization_header() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let resp = client.get("/basic-auth/user/passwd");
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.header("www-authenticate"),
        Some("Basic realm=\"Fake Realm\"")
    );
    // base64("user:passwd") = dXNlcjpwYXNzd2Q=
    let ok = [("Authorization", "Basic dXNlcjpwYXNzd2Q=")];
    let resp = client.request("GET", "/basic-auth/user/passwd", &ok, b"");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json(), json!({"authenticated": true, "user": "user"}));
    let wrong = [("Authorization", "Basic dXNlcjp3cm9uZw==")];
    assert_eq!(
        client
            .request("GET", "/basic-auth/user/passwd", &wrong, b"")
            .status,
        401
    );
}

#[test]
fn retry_after_and_flaky_routes() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let resp = client.get("/retry-after/503?secs=2");
    assert_eq!((resp.status, resp.header("retry-after")), (503, Some("2")));
    let resp = client.get("/retry-after/429");
    assert_eq!((resp.status, resp.header("retry-after")), (429, Some("1")));

    let statuses: Vec<u16> = (0..4)
        .map(|_| client.get("/flaky/k1/2/503?retry_after=0").status)
        .collect();
    assert_eq!(statuses, vec![503, 503, 200, 200]);
    assert_eq!(server.flaky_count("k1"), 4);
    let resp = client.get("/flaky/k2/1/500");
    assert_eq!((resp.status, resp.header("retry-after")), (500, None));
    assert_eq!(resp.json(), json!({"key": "k2", "attempt": 1}));
    assert_eq!(
        client.get("/flaky/k2/1/500").json(),
        json!({"key": "k2", "attempt": 2})
    );
    assert_eq!(server.flaky_count("unused"), 0);
}

#[test]
fn echo_returns_body_method_and_headers() {
    let server = HttpBin::start();
    let resp = Client::new(server.addr()).request(
        "PUT",
        "/echo?x=1",
        &[("X-A", "b"), ("Content-Type", "text/plain")],
        b"hello",
    );
    assert_eq!(resp.body, b"hello");
    assert_eq!(resp.header("x-method"), Some("PUT"));
    assert_eq!(resp.header("x-target"), Some("/echo?x=1"));
    assert_eq!(resp.header("x-echo-x-a"), Some("b"));
    assert_eq!(resp.header("content-type"), Some("text/plain"));
    assert_eq!(resp.header("x-echo-content-length"), Some("5"));
}

#[test]
fn large_streams_many_bytes_with_content_length() {
    const N: u64 = 256 * 1024 * 1024;
    let server = HttpBin::start();
    let mut reader = BufReader::new(connect(server.addr()));
    reader
        .get_mut()
        .write_all(format!("GET /large/{N} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .unwrap();
    assert_eq!(read_line(&mut reader), "HTTP/1.1 200 OK");
    let headers = read_fields(&mut reader);
    assert!(
        headers.contains(&("content-length".to_string(), N.to_string())),
        "{headers:?}"
    );
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    while total < N {
        let want = buf.len().min((N - total) as usize);
        let n = reader.read(&mut buf[..want]).unwrap();
        assert!(n > 0, "EOF after {total} bytes");
        assert!(buf[..n].iter().all(|&b| b == b'x'));
        total += n as u64;
    }
    // The connection stays usable after the body.
    let resp = {
        reader
            .get_mut()
            .write_all(b"GET /large/3 HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        read_response(&mut reader, false)
    };
    assert_eq!(resp.body, b"xxx");
    assert_eq!(server.connections(), 1);
}

#[test]
fn chunked_trailers_need_te_trailers() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let resp = client.request("GET", "/chunked-trailers", &[("TE", "trailers")], b"");
    assert_eq!(resp.header("trailer"), Some("X-Trailer"));
    assert_eq!(resp.body, b"hello trailers");
    assert_eq!(
        resp.trailers,
        vec![("x-trailer".to_string(), "done".to_string())]
    );
    // hyper drops the trailers when the request did not ask for them.
    let resp = client.get("/chunked-trailers");
    assert_eq!(resp.body, b"hello trailers");
    assert_eq!(resp.trailers, vec![]);
}

#[test]
fn head_check_sends_headers_without_body() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let resp = client.request("HEAD", "/head-check", &[], b"");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-length"), Some("16"));
    assert_eq!(resp.header("x-method"), Some("HEAD"));
    // Had a body followed the HEAD response, this next response would not parse.
    let resp = client.get("/head-check");
    assert_eq!(resp.text(), payload::HEAD_CHECK_BODY);
    assert_eq!(resp.header("x-method"), Some("GET"));
}

#[test]
fn connections_are_counted_and_reused_with_keep_alive() {
    let server = HttpBin::start();
    let counter = server.connection_counter();
    let mut first = Client::new(server.addr());
    assert_eq!(first.get("/connections").json(), json!({"connections": 1}));
    assert_eq!(first.get("/connections").json(), json!({"connections": 1}));
    let mut second = Client::new(server.addr());
    assert_eq!(second.get("/connections").json(), json!({"connections": 2}));
    assert_eq!(server.connections(), 2);
    assert_eq!(counter.load(std::sync::atomic::Ordering::SeqCst), 2);
    let ids: Vec<usize> = server.requests().iter().map(|r| r.connection).collect();
    assert_eq!(ids, vec![0, 0, 1]);
    server.request_log().lock().unwrap().clear();
    assert!(server.requests().is_empty());
}

#[test]
fn discard_counts_the_body_without_keeping_it() {
    let server = HttpBin::start();
    let body = vec![b'z'; 1 << 20];
    let resp = Client::new(server.addr()).request("POST", "/discard", &[], &body);
    assert_eq!(resp.json(), json!({"received": 1 << 20}));
    let recorded = server.last_request().unwrap();
    assert_eq!(recorded.header("content-length"), Some("1048576"));
    assert!(recorded.body.is_empty());
}

#[test]
fn close_route_ends_the_connection() {
    let server = HttpBin::start();
    let mut client = Client::new(server.addr());
    let resp = client.get("/close");
    assert_eq!(resp.header("connection"), Some("close"));
    assert_eq!(resp.text(), "closing");
    let mut rest = Vec::new();
    client.reader.read_to_end(&mut rest).expect("clean EOF");
    assert!(rest.is_empty());
}

#[test]
fn dropping_a_server_closes_its_connections_and_listener() {
    let server = RawServer::start(vec![vec![Step::KeepOpen]]);
    let addr = server.addr();
    let mut stream = connect(addr);
    stream.write_all(b"hello").unwrap();
    drop(server);
    let mut buf = [0u8; 16];
    // EOF or reset, but no hang and no data.
    assert!(matches!(stream.read(&mut buf), Ok(0) | Err(_)));
    assert!(TcpStream::connect(addr).is_err(), "listener still open");

    let httpbin = HttpBin::start();
    let addr = httpbin.addr();
    drop(httpbin);
    assert!(TcpStream::connect(addr).is_err(), "listener still open");
}

#[test]
fn with_routes_answers_first_and_leaves_the_rest_to_the_built_in_routes() {
    let server = HttpBin::with_routes(|req| match req.path() {
        "/mine" => {
            Some(Reply::new(201, format!("{} {}", req.method, req.target)).header("x-mine", "yes"))
        }
        "/robots.txt" => Some(Reply::chunked(200, ["over", "", "ridden"])),
        _ => None,
    });
    let mut client = Client::new(server.addr());
    let resp = client.get("/mine?a=1");
    assert_eq!(resp.status, 201);
    assert_eq!(resp.text(), "GET /mine?a=1");
    assert_eq!(resp.header("x-mine"), Some("yes"));
    assert_eq!(resp.header("content-length"), Some("13"));
    let resp = client.get("/robots.txt");
    assert_eq!(resp.text(), "overridden");
    assert_eq!(resp.chunks, 2);
    assert_eq!(client.get("/get").status, 200);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["/mine?a=1", "/robots.txt", "/get"]);
    assert_eq!(server.connections(), 1);
}

#[test]
fn together_answers_once_k_requests_are_inside_at_once() {
    let server = HttpBin::start();
    let answers: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| s.spawn(|| get(&server, "/together/2").text()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(answers, ["together", "together"]);
    assert_eq!(server.connections(), 2);
    assert_eq!(server.max_open_connections(), 2);
    assert_eq!(get(&server, "/together/x").status, 400);
}

// ---- TLS -----------------------------------------------------------------------------------

fn client_config(pki: &TestPki, with_client_cert: bool) -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(pki.root_store());
    let config = if with_client_cert {
        builder
            .with_client_auth_cert(pki.client().cert_chain(), pki.client().key())
            .unwrap()
    } else {
        builder.with_no_client_auth()
    };
    Arc::new(config)
}

/// GET `path` over TLS to `server`, naming it `host`; the server's response, or the TLS error.
async fn tls_get(
    server: &HttpBin,
    config: Arc<rustls::ClientConfig>,
    host: &str,
    path: &str,
) -> Result<String, rustls::Error> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let tls_error = |e: std::io::Error| -> rustls::Error {
        match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(err) => err.clone(),
            None => panic!("not a TLS error: {e:?}"),
        }
    };
    let tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from(host.to_string()).unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(tls_error)?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).await.map_err(tls_error)?;
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await.map_err(tls_error)?;
    Ok(String::from_utf8(out).unwrap())
}

#[tokio::test]
async fn https_server_with_a_valid_certificate() {
    let pki = TestPki::new();
    let server = HttpBin::start_https(&pki, ServerCert::Valid);
    assert_eq!(
        server.url("/get"),
        format!("https://127.0.0.1:{}/get", server.port())
    );
    let config = client_config(&pki, false);
    for host in ["localhost", "127.0.0.1"] {
        let resp = tls_get(&server, config.clone(), host, "/get")
            .await
            .unwrap();
        assert!(resp.starts_with("HTTP/1.1 200 OK\r\n"), "{resp}");
        let url = format!("\"url\": \"https://{host}/get\"");
        assert!(resp.contains(&url), "{resp}");
    }
    assert_eq!(server.connections(), 2);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn https_server_with_bad_certificates_fails_verification() {
    use rustls::CertificateError as E;
    let pki = TestPki::new();
    let config = client_config(&pki, false);
    for (which, host) in [
        (ServerCert::Expired, "localhost"),
        (ServerCert::WrongHost, "localhost"),
        (ServerCert::SelfSigned, "localhost"),
        (ServerCert::Valid, "wrong.example"),
    ] {
        let server = HttpBin::start_https(&pki, which);
        let err = tls_get(&server, config.clone(), host, "/get")
            .await
            .expect_err("verification must fail");
        let rustls::Error::InvalidCertificate(cert_err) = &err else {
            panic!("{which:?}: unexpected error {err:?}");
        };
        let expected = matches!(
            (which, cert_err),
            (ServerCert::Expired, E::Expired | E::ExpiredContext { .. })
                | (
                    ServerCert::WrongHost | ServerCert::Valid,
                    E::NotValidForName | E::NotValidForNameContext { .. }
                )
                | (ServerCert::SelfSigned, E::UnknownIssuer)
        );
        assert!(expected, "{which:?} via {host}: {cert_err:?}");
        assert_eq!(server.connections(), 1);
        assert!(server.requests().is_empty());
    }
}

#[tokio::test]
async fn https_server_requiring_a_client_certificate() {
    let pki = TestPki::new();
    let server = HttpBin::start_https_client_auth(&pki);
    let resp = tls_get(&server, client_config(&pki, true), "localhost", "/get")
        .await
        .unwrap();
    assert!(resp.starts_with("HTTP/1.1 200 OK\r\n"), "{resp}");

    let err = tls_get(&server, client_config(&pki, false), "localhost", "/get")
        .await
        .expect_err("the server must refuse a client without a certificate");
    assert_eq!(
        err,
        rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired)
    );
    assert_eq!(server.connections(), 2);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn pki_writes_pem_files_and_removes_them_on_drop() {
    let pki = TestPki::new();
    assert!(
        format!("{pki:?}").contains("dir: None"),
        "no files before a path is asked for"
    );
    let other = TestPki::new();
    assert_ne!(pki.dir(), other.dir());
    assert!(pki
        .dir()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with(&format!("hip-test-{}-", std::process::id())));
    let read = |p: std::path::PathBuf| std::fs::read_to_string(&p).expect("PEM file exists");
    assert_eq!(read(pki.ca_bundle_path()), pki.ca_pem());
    assert!(pki.ca_pem().starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(read(pki.client_cert_path()), pki.client().cert_pem());
    assert_eq!(read(pki.client_key_path()), pki.client().key_pem());
    assert!(pki
        .client()
        .key_pem()
        .starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(
        read(pki.client_combined_path()),
        format!("{}{}", pki.client().cert_pem(), pki.client().key_pem())
    );
    for which in ServerCert::ALL {
        assert_eq!(
            read(pki.server_cert_path(which)),
            pki.server(which).cert_pem()
        );
        assert_eq!(
            read(pki.server_key_path(which)),
            pki.server(which).key_pem()
        );
    }
    let custom = pki.write_file("broken.pem", "not a certificate");
    assert_eq!(read(custom), "not a certificate");

    // The encrypted key decrypts, with the documented password only, to the client key.
    let encrypted = read(pki.client_key_encrypted_path());
    assert_eq!(encrypted, pki.client_key_encrypted_pem());
    assert!(encrypted.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    let (label, doc) = pkcs8::Document::from_pem(&encrypted).unwrap();
    assert_eq!(label, "ENCRYPTED PRIVATE KEY");
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_bytes()).unwrap();
    let decrypted = info.decrypt(CLIENT_KEY_PASSWORD).unwrap();
    let rustls::pki_types::PrivateKeyDer::Pkcs8(plain) = pki.client().key() else {
        panic!("PKCS#8 key expected");
    };
    assert_eq!(decrypted.as_bytes(), plain.secret_pkcs8_der());
    assert!(info.decrypt("wrong password").is_err());

    let extra = pki.issue_server_cert(&["::1", "a.example"]);
    assert!(extra
        .cert_pem()
        .starts_with("-----BEGIN CERTIFICATE-----\n"));

    let dir = pki.dir().to_path_buf();
    drop(pki);
    assert!(!dir.exists(), "{} not removed", dir.display());
    assert!(other.dir().exists());
}

// ---- RawServer -----------------------------------------------------------------------------

#[test]
fn raw_close_before_response_records_the_request() {
    let server = RawServer::close_before_response();
    let request = b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody";
    assert_eq!(raw_exchange(server.addr(), request).unwrap(), b"");
    assert_eq!(server.connections(), 1);
    assert_eq!(server.received(0), request.to_vec());
    assert_eq!(server.requests(0), vec![request.to_vec()]);
    assert!(server.received(1).is_empty());
    assert!(server.wait_finished(0, Duration::from_secs(30)));
    assert!(!server.finished(1));
}

#[test]
fn raw_close_mid_body() {
    let server = RawServer::close_mid_body();
    assert_eq!(
        raw_exchange(server.addr(), SIMPLE_GET).unwrap(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"
    );
}

#[test]
fn raw_stale_keep_alive_closes_the_first_connection_only() {
    let server = RawServer::stale_keep_alive();
    let mut first = BufReader::new(connect(server.addr()));
    first.get_mut().write_all(SIMPLE_GET).unwrap();
    let resp = read_response(&mut first, false);
    assert_eq!((resp.status, resp.body.as_slice()), (200, &b"ok"[..]));
    let mut rest = Vec::new();
    first
        .read_to_end(&mut rest)
        .expect("the server closes cleanly");
    assert!(rest.is_empty());

    let mut second = Client::new(server.addr());
    for _ in 0..3 {
        assert_eq!(second.get("/").body, b"ok");
    }
    assert_eq!(server.connections(), 2);
    assert_eq!(server.requests(1).len(), 3);
}

#[test]
fn raw_reset_after_request() {
    let server = RawServer::reset_after_request();
    let err = raw_exchange(server.addr(), SIMPLE_GET).expect_err("RST expected");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    assert_eq!(server.requests(0), vec![SIMPLE_GET.to_vec()]);
}

#[test]
fn raw_slow_trickle_delivers_everything_eventually() {
    let server = RawServer::slow_trickle();
    assert_eq!(
        raw_exchange(server.addr(), SIMPLE_GET).unwrap(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"
    );
}

#[test]
fn raw_malformed_replies() {
    let cases: [(RawServer, &[u8]); 4] = [
        (RawServer::garbage_status_line(), b"this is not http\r\n\r\n"),
        (
            RawServer::duplicate_content_length(),
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        ),
        (
            RawServer::http2_status_line(),
            b"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        ),
        (
            RawServer::informational_then_ok(),
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\
              Link: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        ),
    ];
    for (server, expected) in cases {
        let got = raw_exchange(server.addr(), SIMPLE_GET).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected)
        );
    }
}

#[test]
fn raw_oversized_headers() {
    let got = raw_exchange(RawServer::oversized_headers().addr(), SIMPLE_GET).unwrap();
    let head_end = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(head_end > 100 * 1024, "head is only {head_end} bytes");
    let text = String::from_utf8(got.clone()).unwrap();
    assert_eq!(text.matches("\r\nX-Filler-").count(), 1600);
    assert!(text.contains(&format!("\r\nX-Filler-1599: {}\r\n", "a".repeat(47))));
    assert!(text.ends_with("\r\nContent-Length: 2\r\n\r\nok"));

    let got = raw_exchange(RawServer::oversized_header_line().addr(), SIMPLE_GET).unwrap();
    let text = String::from_utf8(got).unwrap();
    let line = text.lines().nth(1).unwrap();
    assert_eq!(line.len(), "X-Large: ".len() + 100 * 1024);
    assert!(text.ends_with("\r\nContent-Length: 2\r\n\r\nok"));
}

#[test]
fn raw_chunked_with_trailers() {
    let server = RawServer::chunked_with_trailers();
    let mut client = Client::new(server.addr());
    for _ in 0..2 {
        let resp = client.get("/");
        assert_eq!(resp.body, b"hello world");
        assert_eq!(resp.chunks, 2);
        assert_eq!(
            resp.trailers,
            vec![("X-Checksum".to_string(), "abc123".to_string())]
        );
    }
    assert_eq!(server.connections(), 1);
}

#[test]
fn raw_scripts_read_chunked_and_pipelined_requests() {
    let server = RawServer::respond_always(OK_RESPONSE);
    let chunked = b"POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
                    3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-T: 1\r\n\r\n";
    let plain = b"GET /p HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut both = chunked.to_vec();
    both.extend_from_slice(plain);
    let mut reader = BufReader::new(connect(server.addr()));
    reader.get_mut().write_all(&both).unwrap();
    assert_eq!(read_response(&mut reader, false).body, b"ok");
    assert_eq!(read_response(&mut reader, false).body, b"ok");
    assert_eq!(server.requests(0), vec![chunked.to_vec(), plain.to_vec()]);
    assert_eq!(server.received(0), both);
    assert_eq!(server.all_requests().len(), 2);
}

#[test]
fn raw_scripts_per_connection_with_fallback() {
    let server = RawServer::with_default(
        vec![
            vec![Step::ReadRequest, Step::write(b"first")],
            vec![Step::ReadRequest, Step::write(b"second")],
        ],
        vec![Step::ReadRequest, Step::write(b"default")],
    );
    let got: Vec<Vec<u8>> = (0..4)
        .map(|_| raw_exchange(server.addr(), SIMPLE_GET).unwrap())
        .collect();
    assert_eq!(got, vec![&b"first"[..], b"second", b"default", b"default"]);

    let server = RawServer::start(vec![
        vec![Step::ReadRequest, Step::write(b"one")],
        vec![Step::ReadRequest, Step::write(b"last")],
    ]);
    let got: Vec<Vec<u8>> = (0..3)
        .map(|_| raw_exchange(server.addr(), SIMPLE_GET).unwrap())
        .collect();
    assert_eq!(got, vec![&b"one"[..], b"last", b"last"]);

    let server = RawServer::from_fn(|i| vec![Step::ReadRequest, Step::write(format!("conn {i}"))]);
    assert_eq!(raw_exchange(server.addr(), SIMPLE_GET).unwrap(), b"conn 0");
    assert_eq!(raw_exchange(server.addr(), SIMPLE_GET).unwrap(), b"conn 1");
}

#[test]
fn raw_head_body_shutdown_and_read_to_eof_steps() {
    let server = RawServer::start(vec![vec![
        Step::ReadHead,
        Step::write(b"HTTP/1.1 100 Continue\r\n\r\n"),
        Step::ReadBody,
        Step::WriteSlowly(
            b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
            Duration::from_millis(1),
        ),
        Step::Sleep(Duration::from_millis(1)),
        Step::ShutdownWrite,
        Step::ReadToEof,
    ]]);
    let mut stream = connect(server.addr());
    stream
        .write_all(b"PUT / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        .unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"abc").unwrap();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"HTTP/1.1 200 OK\r\n\r\n");
    // The server's write side is shut; it still reads until we close ours.
    assert!(!server.finished(0));
    stream.write_all(b"after").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    assert!(server.wait_finished(0, Duration::from_secs(30)));
    assert_eq!(
        server.received(0),
        b"PUT / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabcafter".to_vec()
    );
    assert_eq!(
        server.requests(0),
        vec![b"PUT / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc".to_vec()]
    );
}

#[test]
fn multipart_parser_accepts_a_preamble_and_rejects_garbage() {
    use support::form::{header_param, parse_multipart, parse_urlencoded, percent_decode};
    let body = b"preamble\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--";
    let parts = parse_multipart("multipart/form-data; boundary=\"b\"", body).unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!(
        (parts[0].name.as_str(), parts[0].data.as_slice()),
        ("x", &b"1"[..])
    );
    assert!(parse_multipart("multipart/form-data", body)
        .unwrap_err()
        .contains("no boundary"));
    let no_name = b"--b\r\nContent-Disposition: form-data\r\n\r\n1\r\n--b--";
    assert!(parse_multipart("multipart/form-data; boundary=b", no_name)
        .unwrap_err()
        .contains("has no name"));
    assert_eq!(percent_decode("a%2Bb+c%zz%4"), "a+b c%zz%4");
    assert_eq!(
        parse_urlencoded("a=1&&b&c=%3D"),
        vec![
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), String::new()),
            ("c".to_string(), "=".to_string())
        ]
    );
    assert_eq!(header_param("x; A=\"q\"", "a").as_deref(), Some("q"));
}

#[test]
fn black_holes_swallow_connects_on_both_families() {
    let holes = [Some(support::BlackHole::ipv4()), support::BlackHole::ipv6()];
    for hole in holes.iter().flatten() {
        let e = TcpStream::connect_timeout(&hole.addr(), Duration::from_millis(300))
            .expect_err("a connect to a black hole must hang");
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::TimedOut,
            "{}: {e}",
            hole.addr()
        );
    }
}
