//! The tour of `examples/tour.rs` on the async API (`hip::AsyncPoolManager`, tokio): the
//! same user-guide sections against the same kind of local server, with shorter output.
//!
//! ```sh
//! cargo run --example tour_async
//! ```
//!
//! Exits with status 0 when every section behaved as the user guide says, 1 otherwise.

mod common;

use std::process::ExitCode;

use common::{
    check, check_eq, check_json, check_kind, code, excerpt, expect_err, out, Captured, Tour,
    Unexpected,
};
use futures_util::StreamExt;
use hip::{
    AsyncHttpConnectionPool, AsyncHttpResponse, AsyncPoolManager, CertReqs, ErrorKind, PoolOptions,
    Retry, Scheme, Timeout,
};
use hip_test_support as support;
use serde_json::{json, Value};
use support::payload::{pseudo_random_bytes, ROBOTS_TXT, UTF8_LINES};
use support::{closed_port, HttpBin, ServerCert, TestPki};
use tokio::io::{AsyncBufReadExt, AsyncReadExt};
use tracing::instrument::WithSubscriber;

fn parse(r: &AsyncHttpResponse) -> Result<Value, Unexpected> {
    Ok(serde_json::from_slice(r.data())?)
}

fn status(r: &AsyncHttpResponse) -> u16 {
    r.status()
}

#[tokio::main]
async fn main() -> ExitCode {
    let server = HttpBin::start();
    let mut tour = Tour::new(
        "hip tour: the user guide, async API (hip::AsyncPoolManager on tokio)",
        &[&format!(
            "A local httpbin-like server plays httpbin.org: {}",
            server.url("")
        )],
    );
    let url = |path: &str| server.url(path);
    let http = match AsyncPoolManager::new() {
        Ok(http) => http,
        Err(e) => {
            println!("hip::AsyncPoolManager::new() failed: {e}");
            return ExitCode::FAILURE;
        }
    };

    tour.section_async("Making your first HTTP request", async {
        code("let http = hip::AsyncPoolManager::new()?;");
        code("http.request(\"GET\", url(\"/robots.txt\")).send().await?.data()");
        let r = http.request("GET", url("/robots.txt")).send().await?;
        out(excerpt(r.data(), 80));
        check_eq(&r.data()[..], ROBOTS_TXT.as_bytes(), "robots.txt")?;
        code(
            "http.request(\"POST\", url(\"/post\")).fields([(\"hello\", \"world\")]).send().await?",
        );
        let r = http
            .request("POST", url("/post"))
            .fields([("hello", "world")])
            .send()
            .await?;
        let v = parse(&r)?;
        out(format!("form {}", v["form"]));
        check_json(&v["form"], &json!({"hello": "world"}), "form")
    })
    .await;

    tour.section_async("Response content and JSON", async {
        code("let r = http.request(\"GET\", url(\"/ip\")).send().await?;");
        let r = http.request("GET", url("/ip")).send().await?;
        let v = parse(&r)?;
        out(format!(
            "status {}, Content-Length {:?}, JSON {v}",
            r.status(),
            r.headers().get("content-length").unwrap_or_default()
        ));
        check_eq(&r.status(), &200, "status")?;
        check_json(&v, &json!({"origin": "127.0.0.1"}), "JSON")
    })
    .await;

    tour.section_async("Binary content", async {
        code("http.request(\"GET\", url(\"/bytes/8\")).send().await?.data()");
        let r = http.request("GET", url("/bytes/8")).send().await?;
        out(excerpt(r.data(), 80));
        check_eq(&r.data()[..], &pseudo_random_bytes(8, 0)[..], "the 8 bytes")
    })
    .await;

    tour.section_async("Using io wrappers with response content", async {
        code(
            "let mut r = http.request(\"GET\", url(\"/utf8-lines\")).preload_content(false).send().await?;\n\
             r.set_auto_close(false);\n\
             let mut lines = tokio::io::BufReader::new(&mut r).lines();",
        );
        let mut r = http
            .request("GET", url("/utf8-lines"))
            .preload_content(false)
            .send()
            .await?;
        r.set_auto_close(false);
        let mut got = Vec::new();
        let mut lines = tokio::io::BufReader::new(&mut r).lines();
        while let Some(line) = lines.next_line().await? {
            got.push(line);
        }
        out(format!("{got:?}"));
        let want: Vec<String> = UTF8_LINES.lines().map(str::to_owned).collect();
        check_eq(&got, &want, "lines")?;
        check(!r.closed(), || "auto_close(false) left the response closed".into())
    })
    .await;

    tour.section_async("Request data: headers, query, form, JSON", async {
        code("http.request(\"GET\", url(\"/headers\")).headers([(\"X-Something\", \"value\")])");
        let r = http
            .request("GET", url("/headers"))
            .headers([("X-Something", "value")])
            .send()
            .await?;
        let v = parse(&r)?;
        out(format!("X-Something: {}", v["headers"]["X-Something"]));
        check_json(&v["headers"]["X-Something"], &json!("value"), "X-Something")?;

        code("http.request(\"GET\", url(\"/get\")).fields([(\"arg\", \"value\")])");
        let r = http
            .request("GET", url("/get"))
            .fields([("arg", "value")])
            .send()
            .await?;
        let v = parse(&r)?;
        out(format!("args {}", v["args"]));
        check_json(&v["args"], &json!({"arg": "value"}), "args")?;

        code("http.request(\"POST\", format!(\"{}?{}\", url(\"/post\"), hip::filepost::urlencode([(\"arg\", \"value\")])?))");
        let encoded_args = hip::filepost::urlencode([("arg", "value")])?;
        let r = http
            .request("POST", format!("{}?{encoded_args}", url("/post")))
            .send()
            .await?;
        let v = parse(&r)?;
        out(format!("args {}", v["args"]));
        check_json(&v["args"], &json!({"arg": "value"}), "args of POST")?;

        code("http.request(\"POST\", url(\"/post\")).fields([(\"field\", \"value\")])");
        let r = http
            .request("POST", url("/post"))
            .fields([("field", "value")])
            .send()
            .await?;
        let v = parse(&r)?;
        out(format!("form {}", v["form"]));
        check_json(&v["form"], &json!({"field": "value"}), "form")?;

        code("http.request(\"POST\", url(\"/post\")).body(serde_json::to_vec(&data)?).headers([(\"Content-Type\", \"application/json\")])");
        let r = http
            .request("POST", url("/post"))
            .body(serde_json::to_vec(&json!({"attribute": "value"}))?)
            .headers([("Content-Type", "application/json")])
            .send()
            .await?;
        let v = parse(&r)?;
        out(format!("json {}", v["json"]));
        check_json(&v["json"], &json!({"attribute": "value"}), "json")
    })
    .await;

    tour.section_async("Request data: files & binary data", async {
        let file_data = "contents of example.txt\n";
        code("http.request(\"POST\", url(\"/post\")).fields([(\"filefield\", (\"example.txt\", file_data))])");
        let r = http
            .request("POST", url("/post"))
            .fields([("filefield", ("example.txt", file_data))])
            .send()
            .await?;
        let v = parse(&r)?;
        out(format!("files {}", v["files"]));
        check_json(&v["files"], &json!({"filefield": file_data}), "files")?;

        code("... .fields([(\"filefield\", (\"example.txt\", file_data, \"text/plain\"))])");
        http.request("POST", url("/post"))
            .fields([("filefield", ("example.txt", file_data, "text/plain"))])
            .send()
            .await?;
        let part_type = server.last_request().and_then(|q| {
            let ct = q.header("content-type")?.to_owned();
            let parts = support::form::parse_multipart(&ct, &q.body).ok()?;
            parts.into_iter().next()?.content_type
        });
        out(format!("the part's Content-Type: {part_type:?}"));
        check_eq(&part_type.as_deref(), &Some("text/plain"), "the part's Content-Type")?;

        let binary_data = pseudo_random_bytes(16, 7);
        code("http.request(\"POST\", url(\"/post\")).body(binary_data).headers([(\"Content-Type\", \"image/jpeg\")])");
        let r = http
            .request("POST", url("/post"))
            .body(binary_data.clone())
            .headers([("Content-Type", "image/jpeg")])
            .send()
            .await?;
        out(format!("data {}", parse(&r)?["data"]));
        let received = server.last_request().map(|q| q.body).unwrap_or_default();
        check_eq(&received, &binary_data, "the bytes the server received")
    })
    .await;

    tour.section_async("Certificate verification", async {
        let pki = TestPki::new();
        let https = HttpBin::start_https(&pki, ServerCert::Valid);
        code("hip::AsyncPoolManager::builder().cert_reqs(hip::CertReqs::Required).ca_certs(ca_pem).build()?");
        let verified = AsyncPoolManager::builder()
            .cert_reqs(CertReqs::Required)
            .ca_certs(pki.ca_bundle_path())
            .build()?;
        let r = verified.request("GET", https.url("/get")).send().await?;
        out(format!("GET {} -> status {}", https.url("/get"), r.status()));
        check_eq(&r.status(), &200, "status over verified HTTPS")?;
        code("hip::AsyncPoolManager::new()?  // without ca_certs: the platform's roots");
        let err = match AsyncPoolManager::new() {
            Ok(default) => {
                let result = default
                    .request("GET", https.url("/get"))
                    .retries(false)
                    .send()
                    .await;
                expect_err(result, status)?
            }
            Err(e) => expect_err::<AsyncHttpResponse>(Err(e), status)?,
        };
        check_kind(&err, ErrorKind::Ssl, None)
    })
    .await;

    tour.section_async("Using timeouts", async {
        code("http.request(\"GET\", url(\"/delay/0.3\")).timeout(2.0)");
        let r = http
            .request("GET", url("/delay/0.3"))
            .timeout(2.0)
            .send()
            .await?;
        out(format!("status {}", r.status()));
        check_eq(&r.status(), &200, "status")?;
        code("http.request(\"GET\", url(\"/delay/1\")).timeout(0.2)");
        let result = http
            .request("GET", url("/delay/1"))
            .timeout(0.2)
            .send()
            .await;
        let err = expect_err(result, status)?;
        check_kind(&err, ErrorKind::MaxRetry, Some(ErrorKind::ReadTimeout))?;
        code("http.request(\"GET\", url(\"/delay/1\")).timeout(hip::Timeout::new().connect(1.0).read(0.2))");
        let result = http
            .request("GET", url("/delay/1"))
            .timeout(Timeout::new().connect(1.0).read(0.2))
            .send()
            .await;
        let err = expect_err(result, status)?;
        check_kind(&err, ErrorKind::MaxRetry, Some(ErrorKind::ReadTimeout))
    })
    .await;

    tour.section_async("Retrying requests", async {
        code("http.request(\"GET\", url(\"/ip\")).retries(10u32)");
        let r = http.request("GET", url("/ip")).retries(10u32).send().await?;
        out(format!("status {}", r.status()));
        check_eq(&r.status(), &200, "status")?;
        code("http.request(\"GET\", url(\"/redirect/1\")).retries(false)");
        let r = http
            .request("GET", url("/redirect/1"))
            .retries(false)
            .send()
            .await?;
        out(format!("status {}", r.status()));
        check_eq(&r.status(), &302, "status with retries(false)")?;
        code("http.request(\"GET\", url(\"/redirect/1\")).redirect(false)");
        let r = http
            .request("GET", url("/redirect/1"))
            .redirect(false)
            .send()
            .await?;
        out(format!("status {}", r.status()));
        check_eq(&r.status(), &302, "status with redirect(false)")?;
        code("http.request(\"GET\", url(\"/redirect/3\")).retries(hip::Retry::new(3).redirect(2))");
        let result = http
            .request("GET", url("/redirect/3"))
            .retries(Retry::new(3).redirect(2))
            .send()
            .await;
        let err = expect_err(result, status)?;
        check_kind(&err, ErrorKind::MaxRetry, None)?;
        code("http.request(\"GET\", url(\"/redirect/3\")).retries(hip::Retry::default().redirect(2).raise_on_redirect(false))");
        let r = http
            .request("GET", url("/redirect/3"))
            .retries(Retry::default().redirect(2).raise_on_redirect(false))
            .send()
            .await?;
        out(format!("status {}", r.status()));
        check_eq(&r.status(), &302, "status with raise_on_redirect(false)")
    })
    .await;

    tour.section_async("Errors & exceptions", async {
        let port = closed_port();
        code(&format!(
            "http.request(\"GET\", \"http://127.0.0.1:{port}/\").retries(false)"
        ));
        let result = http
            .request("GET", format!("http://127.0.0.1:{port}/"))
            .retries(false)
            .send()
            .await;
        let err = expect_err(result, status)?;
        check_kind(&err, ErrorKind::NewConnection, None)
    })
    .await;

    tour.section_async("Logging", async {
        code("async { ... }.with_subscriber(tracing_subscriber::fmt().with_env_filter(\"hip=debug\").finish()).await");
        let sink = Captured::default();
        let subscriber = common::capturing_subscriber("hip=debug", sink.clone());
        let r = async {
            AsyncPoolManager::new()?
                .request("GET", url("/get"))
                .send()
                .await
        }
        .with_subscriber(subscriber)
        .await?;
        let lines = sink.lines();
        out(format!("status {}; hip logged:", r.status()));
        for line in &lines {
            out(format!("  | {line}"));
        }
        check(
            lines.iter().any(|l| l.contains("Starting new HTTP connection")),
            || format!("no \"Starting new HTTP connection\" line in {lines:?}"),
        )
    })
    .await;

    tour.section_async("Customizing pool behavior", async {
        let pool_server = HttpBin::start();
        code("let http = hip::AsyncPoolManager::builder().maxsize(2).block(true).build()?;  // 6 requests at once");
        let limited = AsyncPoolManager::builder().maxsize(2).block(true).build()?;
        let requests = (0..6).map(|_| {
            let target = pool_server.url("/delay/0.2");
            let http = &limited;
            async move { http.request("GET", target).send().await.map(|r| r.status()) }
        });
        let statuses = futures_util::future::join_all(requests)
            .await
            .into_iter()
            .collect::<Result<Vec<u16>, _>>()?;
        let opened = pool_server.connections();
        out(format!("statuses {statuses:?}; the server saw {opened} connection(s)"));
        check_eq(&statuses, &vec![200; 6], "statuses")?;
        check(opened <= 2, || format!("{opened} connections opened with maxsize 2 and block"))?;

        code("hip::AsyncHttpConnectionPool::new(hip::Scheme::Http, \"127.0.0.1\", Some(port), hip::PoolOptions::new().maxsize(10))?");
        let opts = PoolOptions::new().maxsize(10);
        let pool = AsyncHttpConnectionPool::new(
            Scheme::Http,
            "127.0.0.1",
            Some(pool_server.port()),
            opts,
        )?;
        let r = pool.request("GET", "/get").send().await?;
        out(format!("pool.request(\"GET\", \"/get\") -> status {}", r.status()));
        check_eq(&r.status(), &200, "status from the pool")
    })
    .await;

    tour.section_async("Streaming and IO", async {
        code(
            "let mut r = http.request(\"GET\", url(\"/bytes/1024\")).preload_content(false).send().await?;\n\
             let mut chunks = std::pin::pin!(r.stream(32));\n\
             while let Some(chunk) = chunks.next().await { chunk?; }",
        );
        let mut r = http
            .request("GET", url("/bytes/1024"))
            .preload_content(false)
            .send()
            .await?;
        let mut body = Vec::new();
        let mut count = 0usize;
        {
            let mut chunks = std::pin::pin!(r.stream(32));
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk?;
                check(chunk.len() <= 32, || {
                    format!("a chunk of {} bytes, more than 32", chunk.len())
                })?;
                count += 1;
                body.extend_from_slice(&chunk);
            }
        }
        r.release_conn();
        out(format!("{count} chunks, {} bytes in all", body.len()));
        check_eq(&body, &pseudo_random_bytes(1024, 0), "the streamed body")
    })
    .await;

    tour.section_async("Buffered reading", async {
        code("r.read(Some(4)).await?  // then tokio::io::BufReader::with_capacity(8, &mut r).read_exact(&mut [0; 4])");
        let mut r = http
            .request("GET", url("/bytes/1024"))
            .preload_content(false)
            .send()
            .await?;
        let first = r.read(Some(4)).await?;
        let mut buf = [0u8; 4];
        tokio::io::BufReader::with_capacity(8, &mut r)
            .read_exact(&mut buf)
            .await?;
        r.release_conn();
        out(format!("{} then {}", excerpt(&first, 8), excerpt(&buf, 8)));
        let want = pseudo_random_bytes(1024, 0);
        check_eq(&first[..], &want[..4], "the first 4 bytes")?;
        check_eq(&buf[..], &want[4..8], "the next 4 bytes")
    })
    .await;

    tour.finish()
}
