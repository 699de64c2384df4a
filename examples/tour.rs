//! A tour of hip with the blocking API: the spec's User Guide (and the streaming and pooling
//! parts of Advanced Usage), section by section, against a local httpbin-like server that
//! the example starts itself. No network is needed.
//!
//! ```sh
//! cargo run --example tour
//! ```
//!
//! Each section prints the Rust call being made and what came back. The tour exits with
//! status 0 when every section behaved as the user guide says, and 1 (after saying which)
//! otherwise, so it doubles as a smoke test. `tour_async` is the same tour on the async API.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::ExitCode;

use common::{
    check, check_eq, check_json, check_kind, code, excerpt, expect_err, header_lines, out, say,
    Captured, Tour, Unexpected,
};
use hip::{CertReqs, ErrorKind, HttpResponse, PoolManager, PoolOptions, Retry, Scheme, Timeout};
use hip_test_support as support;
use serde_json::{json, Value};
use support::payload::{pseudo_random_bytes, ROBOTS_TXT, UTF8_LINES};
use support::{closed_port, HttpBin, ServerCert, TestPki};

/// Parses a preloaded JSON body.
fn parse(r: &HttpResponse) -> Result<Value, Unexpected> {
    Ok(serde_json::from_slice(r.data())?)
}

/// One key of a JSON object, compact.
fn key(v: &Value, name: &str) -> String {
    v[name].to_string()
}

fn status(r: &HttpResponse) -> u16 {
    r.status()
}

/// Prints the status line, a few headers and a body excerpt.
fn show_response(r: &HttpResponse, headers: &[&str]) {
    out(format!("status {} {}", r.status(), r.reason()));
    let lines = header_lines(r.headers(), headers);
    if !lines.is_empty() {
        out(lines);
    }
    if !r.data().is_empty() {
        out(format!("data {}", excerpt(r.data(), 72)));
    }
}

fn main() -> ExitCode {
    let server = HttpBin::start();
    let base = server.url("");
    let mut tour = Tour::new(
        "hip tour: the user guide, blocking API (hip::PoolManager)",
        &[
            &format!("A local httpbin-like server plays httpbin.org: {base}"),
            "Every call below is made for real; its result is printed under it.",
        ],
    );
    let url = |path: &str| server.url(path);
    let http = match PoolManager::new() {
        Ok(http) => http,
        Err(e) => {
            println!("hip::PoolManager::new() failed: {e}");
            return ExitCode::FAILURE;
        }
    };

    tour.section("Making your first HTTP request", || {
        code("let http = hip::PoolManager::new()?;");
        code(&format!(
            "let r = http.request(\"GET\", \"{}\").send()?;",
            url("/robots.txt")
        ));
        let r = http.request("GET", url("/robots.txt")).send()?;
        code("r.data()");
        out(excerpt(r.data(), 80));
        check_eq(&r.data()[..], ROBOTS_TXT.as_bytes(), "robots.txt")?;

        say("Any verb works; fields are sent as a form for POST:");
        code(&format!(
            "http.request(\"POST\", \"{}\").fields([(\"hello\", \"world\")]).send()?",
            url("/post")
        ));
        let r = http
            .request("POST", url("/post"))
            .fields([("hello", "world")])
            .send()?;
        let v = parse(&r)?;
        out(format!("status {}, form {}", r.status(), key(&v, "form")));
        check_json(&v["form"], &json!({"hello": "world"}), "form")
    });

    tour.section("Response content: status, data, headers", || {
        code(&format!(
            "let r = http.request(\"GET\", \"{}\").send()?;",
            url("/ip")
        ));
        let r = http.request("GET", url("/ip")).send()?;
        code("(r.status(), r.data(), r.headers())");
        show_response(&r, &["Content-Type", "Content-Length"]);
        check_eq(&r.status(), &200, "status")?;
        let length = r.headers().get("Content-Length").map(|v| v.into_owned());
        check_eq(&length, &Some(r.data().len().to_string()), "Content-Length")
    });

    tour.section("JSON content", || {
        code(&format!(
            "let r = http.request(\"GET\", \"{}\").send()?;",
            url("/ip")
        ));
        code("serde_json::from_slice::<serde_json::Value>(r.data())?");
        let r = http.request("GET", url("/ip")).send()?;
        let v = parse(&r)?;
        out(v.to_string());
        say("(with the `json` feature: r.json::<T>()?)");
        check_json(&v, &json!({"origin": "127.0.0.1"}), "parsed JSON")
    });

    tour.section("Binary content", || {
        code(&format!(
            "http.request(\"GET\", \"{}\").send()?.data()",
            url("/bytes/8")
        ));
        let r = http.request("GET", url("/bytes/8")).send()?;
        out(excerpt(r.data(), 80));
        check_eq(&r.data()[..], &pseudo_random_bytes(8, 0)[..], "the 8 bytes")
    });

    tour.section("Using io wrappers with response content", || {
        code(&format!(
            "let mut r = http.request(\"GET\", \"{}\").preload_content(false).send()?;\n\
             r.set_auto_close(false);\n\
             for line in std::io::BufReader::new(&mut r).lines() {{ println!(\"{{}}\", line?); }}",
            url("/utf8-lines")
        ));
        let mut r = http
            .request("GET", url("/utf8-lines"))
            .preload_content(false)
            .send()?;
        r.set_auto_close(false);
        let mut lines = Vec::new();
        for line in BufReader::new(&mut r).lines() {
            let line = line?;
            out(format!("{line:?}"));
            lines.push(line);
        }
        let want: Vec<&str> = UTF8_LINES.lines().collect();
        check_eq(
            &lines,
            &want.iter().map(|s| s.to_string()).collect(),
            "lines",
        )?;
        code("r.closed()");
        out(r.closed().to_string());
        check(!r.closed(), || {
            "auto_close(false) left the response closed".into()
        })?;
        code("r.close(); r.closed()");
        r.close();
        out(r.closed().to_string());
        check(r.closed(), || "close() did not close the response".into())
    });

    tour.section("Request data: headers", || {
        code(&format!(
            "let r = http.request(\"GET\", \"{}\").headers([(\"X-Something\", \"value\")]).send()?;",
            url("/headers")
        ));
        let r = http
            .request("GET", url("/headers"))
            .headers([("X-Something", "value")])
            .send()?;
        let v = parse(&r)?;
        code("json[\"headers\"]");
        out(key(&v, "headers"));
        check_json(&v["headers"]["X-Something"], &json!("value"), "X-Something")
    });

    tour.section("Request data: query parameters", || {
        code(&format!(
            "http.request(\"GET\", \"{}\").fields([(\"arg\", \"value\")]).send()?",
            url("/get")
        ));
        let r = http
            .request("GET", url("/get"))
            .fields([("arg", "value")])
            .send()?;
        let v = parse(&r)?;
        out(format!("args {}", key(&v, "args")));
        check_json(&v["args"], &json!({"arg": "value"}), "args of GET")?;

        say("For POST and PUT, encode the query into the URL yourself:");
        code(&format!(
            "let encoded_args = hip::filepost::urlencode([(\"arg\", \"value\")])?;\n\
             http.request(\"POST\", format!(\"{}?{{encoded_args}}\")).send()?",
            url("/post")
        ));
        let encoded_args = hip::filepost::urlencode([("arg", "value")])?;
        let r = http
            .request("POST", format!("{}?{encoded_args}", url("/post")))
            .send()?;
        let v = parse(&r)?;
        out(format!(
            "encoded_args {encoded_args:?}; args {}",
            key(&v, "args")
        ));
        check_json(&v["args"], &json!({"arg": "value"}), "args of POST")
    });

    tour.section("Request data: form data", || {
        code(&format!(
            "http.request(\"POST\", \"{}\").fields([(\"field\", \"value\")]).send()?",
            url("/post")
        ));
        let r = http
            .request("POST", url("/post"))
            .fields([("field", "value")])
            .send()?;
        let v = parse(&r)?;
        let sent = server.last_request();
        let content_type = sent.as_ref().and_then(|q| q.header("content-type"));
        out(format!("form {}", key(&v, "form")));
        out(format!(
            "(sent as {})",
            content_type.unwrap_or("?").split(';').next().unwrap_or("?")
        ));
        check_json(&v["form"], &json!({"field": "value"}), "form")
    });

    tour.section("Request data: JSON body", || {
        code(&format!(
            "let encoded_data = serde_json::to_vec(&json!({{\"attribute\": \"value\"}}))?;\n\
             http.request(\"POST\", \"{}\")\n    \
             .body(encoded_data)\n    \
             .headers([(\"Content-Type\", \"application/json\")])\n    \
             .send()?",
            url("/post")
        ));
        let encoded_data = serde_json::to_vec(&json!({"attribute": "value"}))?;
        let r = http
            .request("POST", url("/post"))
            .body(encoded_data)
            .headers([("Content-Type", "application/json")])
            .send()?;
        let v = parse(&r)?;
        out(format!("json {}", key(&v, "json")));
        say("(with the `json` feature: .json(&value) sets both)");
        check_json(&v["json"], &json!({"attribute": "value"}), "json")
    });

    tour.section("Request data: files & binary data", || {
        let file_data = "contents of example.txt\n";
        code(&format!(
            "let file_data = {file_data:?};\n\
             http.request(\"POST\", \"{}\")\n    \
             .fields([(\"filefield\", (\"example.txt\", file_data))])\n    \
             .send()?",
            url("/post")
        ));
        let r = http
            .request("POST", url("/post"))
            .fields([("filefield", ("example.txt", file_data))])
            .send()?;
        let v = parse(&r)?;
        out(format!("files {}", key(&v, "files")));
        check_json(&v["files"], &json!({"filefield": file_data}), "files")?;

        say("With the MIME type as a third item:");
        code(".fields([(\"filefield\", (\"example.txt\", file_data, \"text/plain\"))])");
        let r = http
            .request("POST", url("/post"))
            .fields([("filefield", ("example.txt", file_data, "text/plain"))])
            .send()?;
        let v = parse(&r)?;
        let part_type = server.last_request().and_then(|q| {
            let ct = q.header("content-type")?.to_owned();
            let parts = support::form::parse_multipart(&ct, &q.body).ok()?;
            parts.into_iter().next()?.content_type
        });
        out(format!(
            "files {}; the part's Content-Type: {}",
            key(&v, "files"),
            part_type.as_deref().unwrap_or("(none)")
        ));
        check_eq(
            &part_type.as_deref(),
            &Some("text/plain"),
            "the part's Content-Type",
        )?;

        say("Raw binary data goes in the body, with a Content-Type:");
        let binary_data = pseudo_random_bytes(16, 7);
        code(&format!(
            "let binary_data = {};\n\
             http.request(\"POST\", \"{}\")\n    \
             .body(binary_data)\n    \
             .headers([(\"Content-Type\", \"image/jpeg\")])\n    \
             .send()?",
            excerpt(&binary_data, 16),
            url("/post")
        ));
        let r = http
            .request("POST", url("/post"))
            .body(binary_data.clone())
            .headers([("Content-Type", "image/jpeg")])
            .send()?;
        let v = parse(&r)?;
        out(format!("data {}", key(&v, "data")));
        let received = server.last_request().map(|q| q.body).unwrap_or_default();
        check_eq(&received, &binary_data, "the bytes the server received")
    });

    tour.section("Certificate verification", || {
        say("A local HTTPS server with a certificate from a CA made for this run:");
        let pki = TestPki::new();
        let https = HttpBin::start_https(&pki, ServerCert::Valid);
        let expired = HttpBin::start_https(&pki, ServerCert::Expired);
        let ca_file = pki.ca_bundle_path();
        code(&format!(
            "let http = hip::PoolManager::builder()\n    \
             .cert_reqs(hip::CertReqs::Required)\n    \
             .ca_certs({:?})\n    \
             .build()?;\n\
             http.request(\"GET\", \"{}\").send()?",
            ca_file.display(),
            https.url("/get")
        ));
        let verified = PoolManager::builder()
            .cert_reqs(CertReqs::Required)
            .ca_certs(&ca_file)
            .build()?;
        let r = verified.request("GET", https.url("/get")).send()?;
        out(format!("status {} (no error)", r.status()));
        check_eq(&r.status(), &200, "status over verified HTTPS")?;

        say("An expired certificate from the same CA fails verification:");
        code(&format!(
            "http.request(\"GET\", \"{}\").retries(false).send()",
            expired.url("/get")
        ));
        let err = expect_err(
            verified
                .request("GET", expired.url("/get"))
                .retries(false)
                .send(),
            status,
        )?;
        check_kind(&err, ErrorKind::Ssl, None)?;

        say("Without ca_certs the platform's roots do not know the local CA: SSLError.");
        code(&format!(
            "hip::PoolManager::new()?.request(\"GET\", \"{}\").retries(false).send()",
            https.url("/get")
        ));
        let err = expect_err(
            PoolManager::new().and_then(|default| {
                default
                    .request("GET", https.url("/get"))
                    .retries(false)
                    .send()
            }),
            status,
        )?;
        check_kind(&err, ErrorKind::Ssl, None)
    });

    tour.section("Using timeouts", || {
        code(&format!(
            "http.request(\"GET\", \"{}\").timeout(2.0).send()?",
            url("/delay/0.3")
        ));
        let r = http
            .request("GET", url("/delay/0.3"))
            .timeout(2.0)
            .send()?;
        out(format!("status {}", r.status()));
        check_eq(&r.status(), &200, "status")?;

        code(&format!(
            "http.request(\"GET\", \"{}\").timeout(0.2).send()",
            url("/delay/1")
        ));
        let err = expect_err(
            http.request("GET", url("/delay/1")).timeout(0.2).send(),
            status,
        )?;
        check_kind(&err, ErrorKind::MaxRetry, Some(ErrorKind::ReadTimeout))?;

        say("A Timeout sets connect and read separately:");
        code(&format!(
            "http.request(\"GET\", \"{}\").timeout(hip::Timeout::new().connect(1.0)).send()?",
            url("/delay/0.3")
        ));
        let r = http
            .request("GET", url("/delay/0.3"))
            .timeout(Timeout::new().connect(1.0))
            .send()?;
        out(format!("status {}", r.status()));
        check_eq(&r.status(), &200, "status")?;
        code(&format!(
            "http.request(\"GET\", \"{}\")\n    \
             .timeout(hip::Timeout::new().connect(1.0).read(0.2))\n    \
             .send()",
            url("/delay/1")
        ));
        let err = expect_err(
            http.request("GET", url("/delay/1"))
                .timeout(Timeout::new().connect(1.0).read(0.2))
                .send(),
            status,
        )?;
        check_kind(&err, ErrorKind::MaxRetry, Some(ErrorKind::ReadTimeout))?;
        check(err.reason().is_some_and(hip::Error::is_timeout), || {
            "the reason is not a timeout (is_timeout())".into()
        })?;
        say("For every request: hip::PoolManager::builder().timeout(3.0) or .timeout(Timeout::...).");
        Ok(())
    });

    tour.section("Retrying requests", || {
        code(&format!(
            "http.request(\"GET\", \"{}\").retries(10u32).send()?",
            url("/ip")
        ));
        let r = http.request("GET", url("/ip")).retries(10u32).send()?;
        out(format!("status {}", r.status()));
        check_eq(&r.status(), &200, "status")?;

        say("retries(false) turns off retries and redirects:");
        code(&format!(
            "http.request(\"GET\", \"{}\").retries(false).send()?",
            url("/redirect/1")
        ));
        let r = http
            .request("GET", url("/redirect/1"))
            .retries(false)
            .send()?;
        show_response(&r, &["Location"]);
        check_eq(&r.status(), &302, "status with retries(false)")?;

        say("redirect(false) turns off redirects only:");
        code(&format!(
            "http.request(\"GET\", \"{}\").redirect(false).send()?",
            url("/redirect/1")
        ));
        let r = http
            .request("GET", url("/redirect/1"))
            .redirect(false)
            .send()?;
        show_response(&r, &["Location"]);
        check_eq(&r.status(), &302, "status with redirect(false)")?;

        say("Three retries in all, but at most two redirects:");
        code(&format!(
            "http.request(\"GET\", \"{}\").retries(hip::Retry::new(3).redirect(2)).send()",
            url("/redirect/3")
        ));
        let err = expect_err(
            http.request("GET", url("/redirect/3"))
                .retries(Retry::new(3).redirect(2))
                .send(),
            status,
        )?;
        check_kind(&err, ErrorKind::MaxRetry, None)?;

        say("raise_on_redirect(false) hands back the last redirect instead:");
        code(&format!(
            "http.request(\"GET\", \"{}\")\n    \
             .retries(hip::Retry::default().redirect(2).raise_on_redirect(false))\n    \
             .send()?",
            url("/redirect/3")
        ));
        let r = http
            .request("GET", url("/redirect/3"))
            .retries(Retry::default().redirect(2).raise_on_redirect(false))
            .send()?;
        show_response(&r, &["Location"]);
        check_eq(&r.status(), &302, "status with raise_on_redirect(false)")?;
        say("For every request: hip::PoolManager::builder().retries(false) or .retries(Retry::new(5).redirect(2)).");
        Ok(())
    });

    tour.section("Errors & exceptions", || {
        let port = closed_port();
        code(&format!(
            "match http.request(\"GET\", \"http://127.0.0.1:{port}/\").retries(false).send() {{\n    \
             Err(e) if e.kind() == hip::ErrorKind::NewConnection => println!(\"Connection failed.\"),\n    \
             Err(e) => println!(\"{{e}}\"),\n    \
             Ok(r) => println!(\"{{}}\", r.status()),\n\
             }}"
        ));
        let result = http
            .request("GET", format!("http://127.0.0.1:{port}/"))
            .retries(false)
            .send();
        if matches!(&result, Err(e) if e.kind() == ErrorKind::NewConnection) {
            out("Connection failed.");
        }
        let err = expect_err(result, status)?;
        check_kind(&err, ErrorKind::NewConnection, None)?;

        say("With the default retries, the last error is the MaxRetryError's reason:");
        code(&format!(
            "http.request(\"GET\", \"http://127.0.0.1:{port}/\").send()"
        ));
        let err = expect_err(
            http.request("GET", format!("http://127.0.0.1:{port}/")).send(),
            status,
        )?;
        check_kind(&err, ErrorKind::MaxRetry, Some(ErrorKind::NewConnection))
    });

    tour.section("Logging", || {
        say("hip logs through `tracing` under the target \"hip\". With a subscriber at");
        say("debug for that target (here only for this one step, and captured to show it):");
        code(&format!(
            "let subscriber = tracing_subscriber::fmt().with_env_filter(\"hip=debug\").finish();\n\
             tracing::subscriber::with_default(subscriber, || {{\n    \
             hip::PoolManager::new()?.request(\"GET\", \"{}\").send()\n\
             }})?",
            url("/get")
        ));
        let sink = Captured::default();
        let subscriber = common::capturing_subscriber("hip=debug", sink.clone());
        let r = tracing::subscriber::with_default(subscriber, || {
            PoolManager::new()?.request("GET", url("/get")).send()
        })?;
        out(format!("status {}; hip logged:", r.status()));
        let lines = sink.lines();
        for line in &lines {
            out(format!("  | {line}"));
        }
        check(
            lines
                .iter()
                .any(|l| l.contains("Starting new HTTP connection")),
            || format!("no \"Starting new HTTP connection\" line in {lines:?}"),
        )?;
        check(
            lines
                .iter()
                .any(|l| l.contains("\"GET /get HTTP/1.1\" 200")),
            || format!("no request line for GET /get in {lines:?}"),
        )?;

        say("The level of hip's logs is chosen like any target's: \"hip=warn\" hides them:");
        let quiet = Captured::default();
        let subscriber = common::capturing_subscriber("hip=warn", quiet.clone());
        tracing::subscriber::with_default(subscriber, || {
            PoolManager::new()?.request("GET", url("/get")).send()
        })?;
        out(format!("{} lines logged at warn", quiet.lines().len()));
        check_eq(&quiet.lines().len(), &0, "lines logged at warn")
    });

    tour.section("Customizing pool behavior", || {
        // A server of its own, so that its connection count is this section's alone.
        let pool_server = HttpBin::start();
        code("let http = hip::PoolManager::builder().num_pools(50).build()?;");
        let many = PoolManager::builder().num_pools(50).build()?;
        code("http.pools_len()");
        out(format!("{}  (a pool per host, made on first use)", many.pools_len()));

        say("Connections are kept and reused: three requests in a row use one connection.");
        code(&format!(
            "let http = hip::PoolManager::builder().maxsize(10).build()?;\n\
             for _ in 0..3 {{ http.request(\"GET\", \"{}\").send()?; }}",
            pool_server.url("/get")
        ));
        let http10 = PoolManager::builder().maxsize(10).build()?;
        for _ in 0..3 {
            http10.request("GET", pool_server.url("/get")).send()?;
        }
        let pool = http10.connection_from_url(&pool_server.url("/"), None)?;
        out(format!(
            "pool: {} requests, {} connection(s) opened",
            pool.num_requests(),
            pool.num_connections()
        ));
        check_eq(&pool_server.connections(), &1, "connections the server accepted")?;

        say("block(true): never more than maxsize connections, whatever the threads.");
        code(&format!(
            "let http = hip::PoolManager::builder().maxsize(2).block(true).build()?;\n\
             // six threads at once, each: http.request(\"GET\", \"{}\").send()?",
            pool_server.url("/delay/0.2")
        ));
        let blocking = PoolManager::builder().maxsize(2).block(true).build()?;
        let before = pool_server.connections();
        let statuses: Vec<Result<u16, hip::Error>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|_| {
                    let http = blocking.clone();
                    let target = pool_server.url("/delay/0.2");
                    s.spawn(move || http.request("GET", target).send().map(|r| r.status()))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(hip::Error::new(ErrorKind::Runtime, "a request thread panicked"))
                    })
                })
                .collect()
        });
        let statuses = statuses.into_iter().collect::<Result<Vec<u16>, _>>()?;
        let opened = pool_server.connections() - before;
        out(format!("statuses {statuses:?}; the server saw {opened} connection(s)"));
        check_eq(&statuses, &vec![200; 6], "statuses")?;
        check(opened <= 2, || format!("{opened} connections opened with maxsize 2 and block"))?;

        say("The same on one pool, without a manager:");
        code(&format!(
            "let pool = hip::HttpConnectionPool::new(hip::Scheme::Http, \"127.0.0.1\", Some({}),\n    \
             hip::PoolOptions::new().maxsize(10).block(true))?;\n\
             pool.request(\"GET\", \"/get\").send()?",
            pool_server.port()
        ));
        let opts = PoolOptions::new().maxsize(10).block(true);
        let pool =
            hip::HttpConnectionPool::new(Scheme::Http, "127.0.0.1", Some(pool_server.port()), opts)?;
        let r = pool.request("GET", "/get").send()?;
        out(format!("status {}", r.status()));
        check_eq(&r.status(), &200, "status from the pool")
    });

    tour.section("Streaming and IO", || {
        code(&format!(
            "let mut r = http.request(\"GET\", \"{}\").preload_content(false).send()?;\n\
             for chunk in r.stream(32) {{ println!(\"{{:?}}\", chunk?); }}\n\
             r.release_conn();",
            url("/bytes/1024")
        ));
        let mut r = http
            .request("GET", url("/bytes/1024"))
            .preload_content(false)
            .send()?;
        let mut body = Vec::new();
        let mut chunks = 0usize;
        let mut largest = 0usize;
        for chunk in r.stream(32) {
            let chunk = chunk?;
            if chunks < 3 {
                out(excerpt(&chunk, 32));
            }
            chunks += 1;
            largest = largest.max(chunk.len());
            body.extend_from_slice(&chunk);
        }
        r.release_conn();
        out(format!("({chunks} chunks, {} bytes in all)", body.len()));
        check(largest <= 32, || {
            format!("a chunk of {largest} bytes, more than 32")
        })?;
        check_eq(&body, &pseudo_random_bytes(1024, 0), "the streamed body")
    });

    tour.section("Buffered reading", || {
        code(&format!(
            "let mut r = http.request(\"GET\", \"{}\").preload_content(false).send()?;\n\
             r.read(Some(4))?",
            url("/bytes/1024")
        ));
        let mut r = http
            .request("GET", url("/bytes/1024"))
            .preload_content(false)
            .send()?;
        let first = r.read(Some(4))?;
        out(excerpt(&first, 8));
        let want = pseudo_random_bytes(1024, 0);
        check_eq(&first[..], &want[..4], "the first 4 bytes")?;

        say("HttpResponse is a std::io::Read, so std's buffering works:");
        code(
            "let mut reader = std::io::BufReader::with_capacity(8, &mut r);\n\
             let mut buf = [0u8; 4];\n\
             reader.read_exact(&mut buf)?;",
        );
        let mut reader = BufReader::with_capacity(8, &mut r);
        let mut buf = [0u8; 4];
        reader.read_exact(&mut buf)?;
        out(excerpt(&buf, 8));
        drop(reader);
        r.release_conn();
        check_eq(&buf[..], &want[4..8], "the next 4 bytes")?;

        say("...and readers that decode, like serde_json::from_reader:");
        code(&format!(
            "let mut r = http.request(\"GET\", \"{}\").preload_content(false).send()?;\n\
             serde_json::from_reader::<_, serde_json::Value>(&mut r)?",
            url("/ip")
        ));
        let mut r = http
            .request("GET", url("/ip"))
            .preload_content(false)
            .send()?;
        let v: Value = serde_json::from_reader(&mut r)?;
        r.release_conn();
        out(v.to_string());
        check_json(
            &v,
            &json!({"origin": "127.0.0.1"}),
            "JSON read from the response",
        )
    });

    tour.finish()
}
