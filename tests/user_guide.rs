//! The spec's "User Guide" and "Advanced Usage" examples, each run against the local
//! [`HttpBin`] (or a scripted [`RawServer`]) instead of httpbin.org, through the async API
//! and (with the `blocking` feature) the blocking API.

#[macro_use]
mod dual;

use hip::{ErrorKind, Retry, Timeout};
use hip_test_support as support;
use serde_json::{json, Value};
use support::form::parse_multipart;
use support::payload::{Coding, ROBOTS_TXT, UTF8_LINES};
use support::{closed_port, pseudo_random_bytes, HttpBin, RawServer};

/// Parses a JSON response body, naming the body when it is not JSON.
fn parse(data: &[u8]) -> Value {
    serde_json::from_slice(data)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(data)))
}

/// Undoes one content coding with the reference encoders' counterparts.
fn decode_with(coding: Coding, data: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    match coding {
        Coding::Gzip => flate2::read::GzDecoder::new(data).read_to_end(&mut out),
        Coding::Deflate => flate2::read::ZlibDecoder::new(data).read_to_end(&mut out),
        Coding::DeflateRaw => flate2::read::DeflateDecoder::new(data).read_to_end(&mut out),
        Coding::Brotli => brotli::Decompressor::new(data, 4096).read_to_end(&mut out),
        Coding::Zstd => {
            zstd::stream::read::Decoder::new(data).and_then(|mut d| d.read_to_end(&mut out))
        }
    }
    .unwrap_or_else(|e| panic!("{coding:?} data does not decode: {e}"));
    out
}

// ---- Making your first HTTP request ------------------------------------------------------

dual_test! {
    fn first_request_reads_robots_txt() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/robots.txt"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(&r.data()[..], b"User-agent: *\nDisallow: /deny\n");
        assert_eq!(&r.data()[..], ROBOTS_TXT.as_bytes());
    }
}

dual_test! {
    fn post_with_fields_sends_a_multipart_form() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http
            .request("POST", server.url("/post"))
            .fields([("hello", "world")]))
        .unwrap();
        assert_eq!(r.status(), 200);
        let v = parse(r.data());
        assert_eq!(v["form"], json!({ "hello": "world" }));
        assert_eq!(v["files"], json!({}));
        let seen = server.last_request().unwrap();
        assert_eq!(seen.method, "POST");
        let content_type = seen.header("content-type").unwrap();
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "{content_type:?}"
        );
        let parts = parse_multipart(content_type, &seen.body).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].name, "hello");
        assert_eq!(parts[0].filename, None);
        assert_eq!(parts[0].data, b"world");
        assert_eq!(
            seen.header("content-length"),
            Some(seen.body.len().to_string().as_str())
        );
    }
}

dual_test! {
    fn every_verb_reaches_the_server() {
        let server = HttpBin::start();
        let http = manager!();
        let verbs = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
        for verb in verbs {
            let r = send!(http.request(verb, server.url("/anything/verbs"))).unwrap();
            assert_eq!(r.status(), 200, "{verb}");
            let seen = server.last_request().unwrap();
            assert_eq!(seen.method, verb);
            assert_eq!(seen.path(), "/anything/verbs");
            if verb == "HEAD" {
                assert!(r.data().is_empty(), "HEAD got a body: {:?}", r.data());
                assert!(r.headers().contains("content-length"));
            } else {
                assert_eq!(parse(r.data())["method"], verb);
            }
        }
        let methods: Vec<String> = server.requests().into_iter().map(|q| q.method).collect();
        assert_eq!(methods, verbs);
    }
}

// ---- Response content --------------------------------------------------------------------

dual_test! {
    fn response_has_status_data_and_headers() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/ip"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.reason(), "OK");
        assert_eq!(&r.data()[..], b"{\n  \"origin\": \"127.0.0.1\"\n}\n");
        let length = r.headers().get("Content-Length").unwrap();
        assert_eq!(length, r.data().len().to_string());
        assert_eq!(r.headers().get("content-type").unwrap(), "application/json");
    }
}

dual_test! {
    fn json_content_parses() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/ip"))).unwrap();
        let v: Value = serde_json::from_str(&r.text()).unwrap();
        assert_eq!(v, json!({ "origin": "127.0.0.1" }));
    }
}

dual_test! {
    #[cfg(feature = "json")]
    fn response_json_deserializes() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/json-body"))).unwrap();
        let v: Value = r.json().unwrap();
        assert_eq!(v, json!({ "attribute": "value" }));
        let r = send!(http.request("GET", server.url("/robots.txt"))).unwrap();
        let err = r.json::<Value>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
    }
}

dual_test! {
    fn binary_content_is_exact() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/bytes/8"))).unwrap();
        assert_eq!(&r.data()[..], &pseudo_random_bytes(8, 0)[..]);
        let r = send!(http.request("GET", server.url("/bytes/5000?seed=9"))).unwrap();
        assert_eq!(&r.data()[..], &pseudo_random_bytes(5000, 9)[..]);
    }
}

// ---- Using io Wrappers with Response content (one test per API) ---------------------------

fn expected_lines() -> Vec<String> {
    UTF8_LINES.lines().map(str::to_owned).collect()
}

#[cfg(feature = "async")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn io_wrapper_reads_lines_async() {
    use tokio::io::AsyncBufReadExt;
    let server = HttpBin::start();
    let http = hip::AsyncPoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/utf8-lines"))
        .preload_content(false)
        .send()
        .await
        .unwrap();
    r.set_auto_close(false);
    assert!(!r.auto_close());
    let mut reader = tokio::io::BufReader::new(&mut r);
    let mut lines = (&mut reader).lines();
    let mut got = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        got.push(line);
    }
    assert_eq!(got, expected_lines());
    drop(reader);
    // auto_close off: the response does not report itself closed at the end of the body.
    assert!(!r.closed());
    r.close();
    assert!(r.closed());

    // With auto_close on (the default) it does.
    let mut r = http
        .request("GET", server.url("/utf8-lines"))
        .preload_content(false)
        .send()
        .await
        .unwrap();
    assert!(!r.closed());
    assert_eq!(&r.read(None).await.unwrap()[..], UTF8_LINES.as_bytes());
    assert!(r.closed());
}

#[cfg(feature = "blocking")]
#[test]
fn io_wrapper_reads_lines_blocking() {
    use std::io::BufRead;
    let server = HttpBin::start();
    let http = hip::PoolManager::new().unwrap();
    let mut r = http
        .request("GET", server.url("/utf8-lines"))
        .preload_content(false)
        .send()
        .unwrap();
    r.set_auto_close(false);
    assert!(!r.auto_close());
    let got: Vec<String> = std::io::BufReader::new(&mut r)
        .lines()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got, expected_lines());
    assert!(!r.closed());
    r.close();
    assert!(r.closed());

    let mut r = http
        .request("GET", server.url("/utf8-lines"))
        .preload_content(false)
        .send()
        .unwrap();
    assert!(!r.closed());
    assert_eq!(&r.read(None).unwrap()[..], UTF8_LINES.as_bytes());
    assert!(r.closed());
}

// ---- Request data ------------------------------------------------------------------------

dual_test! {
    fn headers_are_sent() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http
            .request("GET", server.url("/headers"))
            .headers([("X-Something", "value")]))
        .unwrap();
        let v = parse(r.data());
        assert_eq!(v["headers"]["X-Something"], "value");
        assert_eq!(server.last_request().unwrap().header_all("x-something"), ["value"]);
    }
}

dual_test! {
    fn fields_become_query_parameters_for_get_head_delete() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http
            .request("GET", server.url("/get"))
            .fields([("arg", "value")]))
        .unwrap();
        assert_eq!(parse(r.data())["args"], json!({ "arg": "value" }));
        assert_eq!(server.last_request().unwrap().target, "/get?arg=value");

        let r = send!(http
            .request("HEAD", server.url("/get"))
            .fields([("arg", "value"), ("two words", "a&b")]))
        .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.data().is_empty());
        let seen = server.last_request().unwrap();
        assert_eq!(seen.method, "HEAD");
        assert!(seen.body.is_empty());
        let (path, query) = seen.target.split_once('?').unwrap();
        assert_eq!(path, "/get");
        assert_eq!(
            support::form::parse_urlencoded(query),
            [
                ("arg".to_string(), "value".to_string()),
                ("two words".to_string(), "a&b".to_string())
            ]
        );

        let r = send!(http
            .request("DELETE", server.url("/delete"))
            .fields([("arg", "value")]))
        .unwrap();
        let v = parse(r.data());
        assert_eq!(v["args"], json!({ "arg": "value" }));
        assert_eq!(v["data"], "");
        assert!(server.last_request().unwrap().body.is_empty());
    }
}

dual_test! {
    fn fields_in_the_url_go_before_a_fragment_and_after_a_query() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/get#frag")).fields([("a", "b")])).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(server.last_request().unwrap().target, "/get?a=b");
        let r = send!(http.request("GET", server.url("/get?x=1#frag")).fields([("a", "b")])).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(server.last_request().unwrap().target, "/get?x=1&a=b");
    }
}

dual_test! {
    fn post_with_a_query_encoded_in_the_url() {
        let server = HttpBin::start();
        let http = manager!();
        let url = server.url("/post?arg=value&two=a+b%26c");
        let r = send!(http.request("POST", url)).unwrap();
        let v = parse(r.data());
        assert_eq!(v["args"], json!({ "arg": "value", "two": "a b&c" }));
        assert_eq!(v["form"], json!({}));
        let seen = server.last_request().unwrap();
        assert_eq!(seen.target, "/post?arg=value&two=a+b%26c");
        assert!(seen.body.is_empty());
    }
}

dual_test! {
    fn fields_become_a_form_for_post() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http
            .request("POST", server.url("/post"))
            .fields([("field", "value")]))
        .unwrap();
        assert_eq!(parse(r.data())["form"], json!({ "field": "value" }));

        // encode_multipart(false): urlencoded instead.
        let r = send!(http
            .request("POST", server.url("/post"))
            .fields([("field", "value"), ("other", "x y&z")])
            .encode_multipart(false))
        .unwrap();
        assert_eq!(
            parse(r.data())["form"],
            json!({ "field": "value", "other": "x y&z" })
        );
        let seen = server.last_request().unwrap();
        assert_eq!(
            seen.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            support::form::parse_urlencoded(std::str::from_utf8(&seen.body).unwrap()),
            [
                ("field".to_string(), "value".to_string()),
                ("other".to_string(), "x y&z".to_string())
            ]
        );

        // PUT encodes fields in the body too.
        let r = send!(http
            .request("PUT", server.url("/put"))
            .fields([("field", "value")]))
        .unwrap();
        assert_eq!(parse(r.data())["form"], json!({ "field": "value" }));
    }
}

dual_test! {
    fn json_body_with_content_type() {
        let server = HttpBin::start();
        let http = manager!();
        let data = json!({ "attribute": "value" });
        let encoded = serde_json::to_vec(&data).unwrap();
        let r = send!(http
            .request("POST", server.url("/post"))
            .body(encoded.clone())
            .headers([("Content-Type", "application/json")]))
        .unwrap();
        assert_eq!(parse(r.data())["json"], data);
        let seen = server.last_request().unwrap();
        assert_eq!(seen.body, encoded);
        assert_eq!(seen.header("content-type"), Some("application/json"));
    }
}

dual_test! {
    #[cfg(feature = "json")]
    fn json_builder_sets_body_and_content_type() {
        let server = HttpBin::start();
        let http = manager!();
        let data = json!({ "attribute": "value", "n": [1, 2, 3] });
        let r = send!(http.request("POST", server.url("/post")).json(&data)).unwrap();
        assert_eq!(parse(r.data())["json"], data);
        let seen = server.last_request().unwrap();
        assert_eq!(seen.header("content-type"), Some("application/json"));
        assert_eq!(seen.body, serde_json::to_vec(&data).unwrap());
    }
}

dual_test! {
    fn files_are_sent_as_multipart_parts() {
        let server = HttpBin::start();
        let http = manager!();
        let file_data = "contents of example.txt\nsecond line\n";

        // (filename, data): the MIME type is guessed from the name.
        let mut fields = hip::filepost::Fields::new();
        fields.add("filefield", ("example.txt", file_data));
        fields.add("plain", "value");
        let r = send!(http.request("POST", server.url("/post")).fields(fields)).unwrap();
        let v = parse(r.data());
        assert_eq!(v["files"], json!({ "filefield": file_data }));
        assert_eq!(v["form"], json!({ "plain": "value" }));
        let seen = server.last_request().unwrap();
        let parts = parse_multipart(seen.header("content-type").unwrap(), &seen.body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "filefield");
        assert_eq!(parts[0].filename.as_deref(), Some("example.txt"));
        assert_eq!(parts[0].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts[0].data, file_data.as_bytes());
        assert_eq!(parts[1].name, "plain");
        assert_eq!(parts[1].filename, None);
        assert_eq!(parts[1].content_type, None);

        // (filename, data, mime type): the given type wins over the guess.
        let binary = pseudo_random_bytes(300, 3);
        let mut fields = hip::filepost::Fields::new();
        fields.add("filefield", ("example.txt", file_data, "text/plain"));
        fields.add("blob", ("data.bin", binary.clone(), "image/png"));
        let r = send!(http.request("POST", server.url("/post")).fields(fields)).unwrap();
        assert_eq!(r.status(), 200);
        let seen = server.last_request().unwrap();
        let parts = parse_multipart(seen.header("content-type").unwrap(), &seen.body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].filename.as_deref(), Some("example.txt"));
        assert_eq!(parts[0].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts[0].data, file_data.as_bytes());
        assert_eq!(parts[1].name, "blob");
        assert_eq!(parts[1].filename.as_deref(), Some("data.bin"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].data, binary);
    }
}

dual_test! {
    fn raw_binary_body_arrives_byte_exact() {
        let server = HttpBin::start();
        let http = manager!();
        let binary = pseudo_random_bytes(4096, 11);
        let r = send!(http
            .request("POST", server.url("/post"))
            .body(binary.clone())
            .headers([("Content-Type", "image/jpeg")]))
        .unwrap();
        assert_eq!(r.status(), 200);
        let v = parse(r.data());
        let data = v["data"].as_str().unwrap();
        assert!(data.starts_with("data:application/octet-stream;base64,"), "{data:?}");
        let seen = server.last_request().unwrap();
        assert_eq!(seen.body, binary);
        assert_eq!(seen.header("content-type"), Some("image/jpeg"));
        assert_eq!(seen.header("content-length"), Some("4096"));
    }
}

// ---- Using timeouts ----------------------------------------------------------------------

/// Asserts `MaxRetryError caused by ReadTimeoutError`.
fn assert_read_timeout_after_retries(err: &hip::Error) {
    assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
    let reason = err.reason().unwrap_or_else(|| panic!("no reason in {err}"));
    assert_eq!(reason.kind(), ErrorKind::ReadTimeout, "{reason}");
}

dual_test! {
    fn float_timeouts() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/delay/0.2")).timeout(4.0)).unwrap();
        assert_eq!(r.status(), 200);
        let err = send!(http.request("GET", server.url("/delay/2")).timeout(0.2)).unwrap_err();
        assert_read_timeout_after_retries(&err);
        // One first try and three retries (the default), each given up after 0.2 s.
        let delayed = server.requests().iter().filter(|q| q.path() == "/delay/2").count();
        assert_eq!(delayed, 4);
    }
}

dual_test! {
    fn timeout_objects() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http
            .request("GET", server.url("/delay/0.2"))
            .timeout(Timeout::new().connect(1.0)))
        .unwrap();
        assert_eq!(r.status(), 200);
        let err = send!(http
            .request("GET", server.url("/delay/1"))
            .timeout(Timeout::new().connect(1.0).read(0.2)))
        .unwrap_err();
        assert_read_timeout_after_retries(&err);
        // retries(false): the ReadTimeoutError itself.
        let err = send!(http
            .request("GET", server.url("/delay/1"))
            .timeout(Timeout::new().connect(1.0).read(0.2))
            .retries(false))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
        assert!(err.is_timeout());
    }
}

dual_test! {
    fn pool_level_timeout_and_per_request_override() {
        let server = HttpBin::start();
        let http = manager!(b => b.timeout(0.2));
        let err = send!(http.request("GET", server.url("/delay/1"))).unwrap_err();
        assert_read_timeout_after_retries(&err);
        let r = send!(http.request("GET", server.url("/delay/0.5")).timeout(5.0)).unwrap();
        assert_eq!(r.status(), 200);

        let http = manager!(b => b.timeout(Timeout::new().connect(1.0).read(0.2)));
        let err = send!(http.request("GET", server.url("/delay/1")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
        let r = send!(http
            .request("GET", server.url("/delay/0.5"))
            .timeout(Timeout::new().connect(1.0).read(5.0)))
        .unwrap();
        assert_eq!(r.status(), 200);
    }
}

// ---- Retrying requests -------------------------------------------------------------------

dual_test! {
    fn retries_count_and_false() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/ip")).retries(10u32)).unwrap();
        assert_eq!(r.status(), 200);

        // retries=False: redirects are handed back, not followed.
        let r = send!(http.request("GET", server.url("/redirect/1")).retries(false)).unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers().get("location").unwrap(), "/get");
        assert_eq!(r.get_redirect_location().flatten().unwrap(), "/get");

        // redirect=False: the same, with retries still on.
        let r = send!(http.request("GET", server.url("/redirect/1")).redirect(false)).unwrap();
        assert_eq!(r.status(), 302);
        let paths: Vec<String> = server.requests().iter().map(|q| q.path().to_owned()).collect();
        assert_eq!(paths, ["/ip", "/redirect/1", "/redirect/1"]);

        // By default the redirect is followed.
        let r = send!(http.request("GET", server.url("/redirect/1"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.url(), server.url("/get"));
    }
}

dual_test! {
    fn retry_objects_limit_redirects() {
        let server = HttpBin::start();
        let http = manager!();
        let err = send!(http
            .request("GET", server.url("/redirect/3"))
            .retries(Retry::new(3).redirect(2)))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        let reason = err.reason().unwrap();
        assert_eq!(reason.kind(), ErrorKind::Response);
        assert_eq!(reason.message(), "too many redirects");
        let paths: Vec<String> = server.requests().iter().map(|q| q.path().to_owned()).collect();
        assert_eq!(paths, ["/redirect/3", "/redirect/2", "/redirect/1"]);

        // raise_on_redirect=False: the last 302 comes back.
        let r = send!(http
            .request("GET", server.url("/redirect/3"))
            .retries(Retry::new(10).redirect(2).raise_on_redirect(false)))
        .unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers().get("location").unwrap(), "/get");
        assert_eq!(r.url(), server.url("/redirect/1"));
        // As in the spec, the response keeps the policy it was fetched with: the two
        // redirects followed, not the one that ran out.
        let history = &r.retries().unwrap().history;
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].redirect_location.as_deref(), Some("/redirect/2"));
        assert_eq!(history[1].redirect_location.as_deref(), Some("/redirect/1"));
        assert!(history.iter().all(|h| h.status == Some(302)));

        // Within the limit, the chain is followed.
        let r = send!(http
            .request("GET", server.url("/redirect/2"))
            .retries(Retry::new(3).redirect(2)))
        .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.retries().unwrap().history.len(), 2);
    }
}

dual_test! {
    fn manager_level_retries() {
        let server = HttpBin::start();
        let http = manager!(b => b.retries(false));
        let r = send!(http.request("GET", server.url("/redirect/1"))).unwrap();
        assert_eq!(r.status(), 302);
        let err = send!(http.request("GET", format!("http://127.0.0.1:{}/", closed_port())))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
        // A request's own retries win.
        let r = send!(http.request("GET", server.url("/redirect/1")).retries(3u32)).unwrap();
        assert_eq!(r.status(), 200);

        let http = manager!(b => b.retries(Retry::new(5).redirect(2)));
        let r = send!(http.request("GET", server.url("/redirect/2"))).unwrap();
        assert_eq!(r.status(), 200);
        let err = send!(http.request("GET", server.url("/redirect/3"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        let r = send!(http
            .request("GET", server.url("/redirect/3"))
            .retries(Retry::new(5).redirect(3)))
        .unwrap();
        assert_eq!(r.status(), 200);
    }
}

dual_test! {
    fn status_forcelist_retries_until_success() {
        let server = HttpBin::start();
        let http = manager!();
        let key = format!("forcelist-{API}");
        let r = send!(http
            .request("GET", server.url(&format!("/flaky/{key}/2/503")))
            .retries(Retry::new(3).status_forcelist([503])))
        .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(parse(r.data()), json!({ "key": key, "attempt": 3 }));
        assert_eq!(server.flaky_count(&key), 3);
        let history = &r.retries().unwrap().history;
        assert_eq!(history.len(), 2);
        assert!(history.iter().all(|h| h.status == Some(503) && h.error.is_none()));

        // Not enough retries: MaxRetryError with a ResponseError naming the status.
        let key = format!("forcelist-short-{API}");
        let err = send!(http
            .request("GET", server.url(&format!("/flaky/{key}/5/503")))
            .retries(Retry::new(2).status_forcelist([503])))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        assert_eq!(err.reason().unwrap().kind(), ErrorKind::Response);
        assert_eq!(err.reason().unwrap().status(), Some(503));
        assert_eq!(server.flaky_count(&key), 3);

        // raise_on_status(false): the last 503 comes back.
        let key = format!("forcelist-noraise-{API}");
        let r = send!(http
            .request("GET", server.url(&format!("/flaky/{key}/5/503")))
            .retries(Retry::new(2).status_forcelist([503]).raise_on_status(false)))
        .unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(server.flaky_count(&key), 3);

        // POST is not in the method whitelist: no retry.
        let key = format!("forcelist-post-{API}");
        let r = send!(http
            .request("POST", server.url(&format!("/flaky/{key}/1/503")))
            .retries(Retry::new(3).status_forcelist([503])))
        .unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(server.flaky_count(&key), 1);
    }
}

dual_test! {
    fn retry_after_is_honoured() {
        let server = HttpBin::start();
        let http = manager!();
        // 503 with Retry-After is retried without being in status_forcelist.
        let key = format!("retry-after-{API}");
        let r = send!(http.request("GET", server.url(&format!("/flaky/{key}/2/503?retry_after=0"))))
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(server.flaky_count(&key), 3);

        // Always 503 + Retry-After: retried while `total` is non-zero (the default 3), then
        // the last 503 is returned: the spec's `is_retry` needs a truthy `total` to honour
        // Retry-After, so the exhausted policy does not raise.
        let r = send!(http.request("GET", server.url("/retry-after/503?secs=0"))).unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers().get("retry-after").unwrap(), "0");
        let seen = server
            .requests()
            .iter()
            .filter(|q| q.path() == "/retry-after/503")
            .count();
        assert_eq!(seen, 4);

        // respect_retry_after_header(false): no retry.
        let key = format!("retry-after-ignored-{API}");
        let r = send!(http
            .request("GET", server.url(&format!("/flaky/{key}/2/503?retry_after=0")))
            .retries(Retry::new(3).respect_retry_after_header(false)))
        .unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(server.flaky_count(&key), 1);
    }
}

dual_test! {
    fn see_other_turns_post_into_get_without_body() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http
            .request("POST", server.url("/redirect-to?url=%2Fanything%2Fafter&status_code=303"))
            .body("payload")
            .headers([("Content-Type", "text/plain"), ("X-Keep", "1")]))
        .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(parse(r.data())["method"], "GET");
        let reqs = server.requests();
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[0].method, "POST");
        assert_eq!(reqs[0].body, b"payload");
        assert_eq!(reqs[1].method, "GET");
        assert_eq!(reqs[1].path(), "/anything/after");
        assert!(reqs[1].body.is_empty());
        assert_eq!(reqs[1].header("content-type"), None);
        assert_eq!(reqs[1].header("content-length"), None);
        assert_eq!(reqs[1].header("x-keep"), Some("1"));

        // 307 keeps the method and the body.
        let r = send!(http
            .request("POST", server.url("/redirect-to?url=%2Fanything%2F307&status_code=307"))
            .body("payload")
            .headers([("Content-Type", "text/plain")]))
        .unwrap();
        assert_eq!(r.status(), 200);
        let last = server.last_request().unwrap();
        assert_eq!(last.method, "POST");
        assert_eq!(last.path(), "/anything/307");
        assert_eq!(last.body, b"payload");
        assert_eq!(last.header("content-type"), Some("text/plain"));
    }
}

dual_test! {
    fn cross_host_redirect_drops_credentials() {
        let server = HttpBin::start();
        let http = manager!();
        let headers = [
            ("Authorization", "Bearer secret"),
            ("Cookie", "session=1"),
            ("X-Keep", "yes"),
        ];
        let elsewhere = server.url_with_host("localhost", "/headers");
        let r = send!(http
            .request("GET", server.url("/redirect-to"))
            .fields([("url", elsewhere.as_str())])
            .headers(headers))
        .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.url(), elsewhere);
        let reqs = server.requests();
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[0].header("authorization"), Some("Bearer secret"));
        assert_eq!(reqs[0].header("cookie"), Some("session=1"));
        let last = &reqs[1];
        assert_eq!(last.path(), "/headers");
        assert_eq!(last.header("host"), Some(format!("localhost:{}", server.port()).as_str()));
        assert_eq!(last.header("authorization"), None);
        assert_eq!(last.header("cookie"), None);
        assert_eq!(last.header("x-keep"), Some("yes"));

        // Same host: everything is kept.
        let r = send!(http
            .request("GET", server.url("/redirect-to"))
            .fields([("url", "/headers")])
            .headers(headers))
        .unwrap();
        assert_eq!(r.status(), 200);
        let last = server.last_request().unwrap();
        assert_eq!(last.path(), "/headers");
        assert_eq!(last.header("authorization"), Some("Bearer secret"));
        assert_eq!(last.header("cookie"), Some("session=1"));
        assert_eq!(last.header("x-keep"), Some("yes"));
    }
}

// ---- Errors & exceptions -----------------------------------------------------------------

dual_test! {
    fn connection_refused_errors() {
        let url = format!("http://127.0.0.1:{}/get", closed_port());
        let http = manager!();
        let err = send!(http.request("GET", url.as_str()).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NewConnection, "{err}");
        assert!(err.is_connect_timeout());

        let err = send!(http.request("GET", url.as_str())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        assert_eq!(err.reason().unwrap().kind(), ErrorKind::NewConnection);
        assert_eq!(err.url(), Some(url.as_str()));
    }
}

// ---- Logging -----------------------------------------------------------------------------

/// A global tracing subscriber that keeps every event under the `hip` target as
/// `"LEVEL target message"`; tests pick their own lines out by a unique marker (their server's
/// port).
mod log_capture {
    use std::fmt::Write;
    use std::sync::{Mutex, OnceLock};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    struct Capture;

    struct Message(String);

    impl Visit for Message {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "message" {
                let _ = write!(self.0, "{value:?}");
            } else {
                let _ = write!(self.0, " {}={value:?}", field.name());
            }
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            metadata.target() == "hip" || metadata.target().starts_with("hip::")
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut message = Message(String::new());
            event.record(&mut message);
            let meta = event.metadata();
            let line = format!("{} {} {}", meta.level(), meta.target(), message.0);
            LINES.lock().unwrap_or_else(|p| p.into_inner()).push(line);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    /// Installs the capturing subscriber (once per test binary).
    pub(crate) fn install() {
        static ONCE: OnceLock<()> = OnceLock::new();
        ONCE.get_or_init(|| {
            tracing::subscriber::set_global_default(Capture)
                .expect("no other global subscriber in this test binary");
        });
    }

    /// The captured lines containing `marker`.
    pub(crate) fn lines_with(marker: &str) -> Vec<String> {
        LINES
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|l| l.contains(marker))
            .cloned()
            .collect()
    }
}

dual_test! {
    fn logs_new_connections_and_request_lines() {
        log_capture::install();
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/get?x=1"))).unwrap();
        assert_eq!(r.status(), 200);
        let length = r.headers().get("content-length").unwrap().into_owned();
        let r = send!(http.request("GET", server.url("/status/404"))).unwrap();
        assert_eq!(r.status(), 404);
        let marker = format!("127.0.0.1:{}", server.port());
        let lines = log_capture::lines_with(&marker);
        let port = server.port();
        assert_eq!(
            lines,
            [
                format!("DEBUG hip Starting new HTTP connection (1): 127.0.0.1:{port}"),
                format!("DEBUG hip http://127.0.0.1:{port} \"GET /get?x=1 HTTP/1.1\" 200 {length}"),
                format!("DEBUG hip http://127.0.0.1:{port} \"GET /status/404 HTTP/1.1\" 404 0"),
            ]
        );
    }
}

// ---- Content decoding --------------------------------------------------------------------

dual_test! {
    fn content_is_decoded() {
        let server = HttpBin::start();
        let http = manager!();
        let cases: &[(&str, &[Coding], &str, &str)] = &[
            ("/gzip", &[Coding::Gzip], "gzipped", "gzip"),
            ("/deflate", &[Coding::Deflate], "deflated", "deflate"),
            ("/deflate-raw", &[Coding::DeflateRaw], "deflated", "deflate"),
            ("/gzip-deflate", &[Coding::Deflate, Coding::Gzip], "gzipped", "deflate, gzip"),
        ];
        for &(path, codings, flag, header) in cases {
            let r = send!(http.request("GET", server.url(path))).unwrap();
            assert_eq!(r.status(), 200, "{path}");
            assert_eq!(r.headers().get("content-encoding").unwrap(), header);
            let v = parse(r.data());
            assert_eq!(v[flag], true, "{path}: {v}");
            assert_eq!(v["content_encoding"], header);
            assert_eq!(v["method"], "GET");

            // decode_content(false): the bytes as sent; undoing the codings (last applied
            // first) gives the decoded body back.
            let raw = send!(http.request("GET", server.url(path)).decode_content(false)).unwrap();
            let length: usize = raw.headers().get("content-length").unwrap().parse().unwrap();
            assert_eq!(raw.data().len(), length, "{path}");
            let mut plain = raw.data().to_vec();
            for coding in codings.iter().rev() {
                plain = decode_with(*coding, &plain);
            }
            assert_eq!(plain, &r.data()[..], "{path}");
            assert_ne!(&raw.data()[..], &r.data()[..]);
        }
    }
}

dual_test! {
    #[cfg(feature = "brotli")]
    fn brotli_is_decoded() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/brotli"))).unwrap();
        assert_eq!(parse(r.data())["brotli"], true);
        let raw = send!(http.request("GET", server.url("/brotli")).decode_content(false)).unwrap();
        assert_eq!(decode_with(Coding::Brotli, raw.data()), &r.data()[..]);
    }
}

dual_test! {
    #[cfg(feature = "zstd")]
    fn zstd_is_decoded() {
        let server = HttpBin::start();
        let http = manager!();
        let r = send!(http.request("GET", server.url("/zstd"))).unwrap();
        assert_eq!(parse(r.data())["zstd"], true);
        let raw = send!(http.request("GET", server.url("/zstd")).decode_content(false)).unwrap();
        assert_eq!(decode_with(Coding::Zstd, raw.data()), &r.data()[..]);
    }
}

// ---- Streaming and IO --------------------------------------------------------------------

dual_test! {
    fn stream_chunks_concatenate_to_the_body() {
        let server = HttpBin::start();
        let http = manager!();
        let mut r = send!(http
            .request("GET", server.url("/bytes/1024"))
            .preload_content(false))
        .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.data().is_empty());
        let chunks = chunks!(r, 32);
        let mut body = Vec::new();
        for chunk in chunks {
            let chunk = chunk.unwrap();
            assert!(!chunk.is_empty() && chunk.len() <= 32, "chunk of {}", chunk.len());
            body.extend_from_slice(&chunk);
        }
        assert_eq!(body, pseudo_random_bytes(1024, 0));
        r.release_conn();

        // Chunked transfer encoding too.
        let mut r = send!(http
            .request("GET", server.url("/stream-bytes/3000?seed=5&chunk_size=100"))
            .preload_content(false))
        .unwrap();
        let chunks = chunks!(r, 64);
        let mut body = Vec::new();
        for chunk in chunks {
            let chunk = chunk.unwrap();
            assert!(!chunk.is_empty() && chunk.len() <= 64, "chunk of {}", chunk.len());
            body.extend_from_slice(&chunk);
        }
        assert_eq!(body, pseudo_random_bytes(3000, 5));
        r.release_conn();

        // Both connections went back to the pool: the next request reuses one.
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(server.connections(), 1);
    }
}

dual_test! {
    fn read_amounts() {
        let server = HttpBin::start();
        let http = manager!();
        let expected = pseudo_random_bytes(1024, 0);
        let mut r = send!(http
            .request("GET", server.url("/bytes/1024"))
            .preload_content(false))
        .unwrap();
        let first = call!(r.read(Some(4))).unwrap();
        assert_eq!(&first[..], &expected[..4]);
        let next = call!(r.read(Some(100))).unwrap();
        assert_eq!(&next[..], &expected[4..104]);
        let rest = call!(r.read(None)).unwrap();
        assert_eq!(&rest[..], &expected[104..]);
        assert!(call!(r.read(Some(4))).unwrap().is_empty());
        assert!(call!(r.read(None)).unwrap().is_empty());
        assert_eq!(r.tell(), 1024);
        r.release_conn();
    }
}

dual_test! {
    fn preload_content_after_the_fact() {
        let server = HttpBin::start();
        let http = manager!();
        let mut r = send!(http.request("GET", server.url("/ip")).preload_content(false)).unwrap();
        assert!(r.data().is_empty());
        let data = call!(r.preload_content()).unwrap().clone();
        assert_eq!(parse(&data), json!({ "origin": "127.0.0.1" }));
        assert_eq!(&r.data()[..], &data[..]);
    }
}

dual_test! {
    fn drain_conn_lets_the_connection_be_reused() {
        let server = HttpBin::start();
        let http = manager!();
        let mut r = send!(http
            .request("GET", server.url("/bytes/1024"))
            .preload_content(false))
        .unwrap();
        assert_eq!(call!(r.read(Some(10))).unwrap().len(), 10);
        call!(r.drain_conn()).unwrap();
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(server.connections(), 1);
        let conns: Vec<usize> = server.requests().iter().map(|q| q.connection).collect();
        assert_eq!(conns, [0, 0]);

        // Releasing a half-read response instead closes its connection.
        let mut r = send!(http
            .request("GET", server.url("/bytes/100000"))
            .preload_content(false))
        .unwrap();
        assert_eq!(call!(r.read(Some(10))).unwrap().len(), 10);
        r.release_conn();
        let r = send!(http.request("GET", server.url("/get"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(server.connections(), 2);
    }
}

dual_test! {
    fn tell_counts_compressed_bytes() {
        let server = HttpBin::start();
        let http = manager!();
        let mut r = send!(http.request("GET", server.url("/gzip")).preload_content(false)).unwrap();
        assert_eq!(r.tell(), 0);
        let length: u64 = r.headers().get("content-length").unwrap().parse().unwrap();
        let body = call!(r.read(None)).unwrap();
        assert_eq!(parse(&body)["gzipped"], true);
        assert_eq!(r.tell(), length);
        assert!((body.len() as u64) > length, "decoded {} <= compressed {length}", body.len());
    }
}

dual_test! {
    fn short_body_is_an_error() {
        let raw = RawServer::close_mid_body();
        let http = manager!();
        // Preloaded, with the default retries: every attempt breaks off the same way.
        let err = send!(http.request("GET", raw.url("/"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MaxRetry, "{err}");
        assert_eq!(err.reason().unwrap().kind(), ErrorKind::IncompleteRead);
        assert_eq!(raw.connections(), 4);

        // retries(false): the IncompleteRead itself.
        let err = send!(http.request("GET", raw.url("/")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IncompleteRead, "{err}");
        assert!(err.is_protocol_error());

        // Streamed: the ten bytes that came, then the error.
        let mut r = send!(http.request("GET", raw.url("/")).preload_content(false)).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(&call!(r.read(Some(10))).unwrap()[..], b"0123456789");
        let err = call!(r.read(None)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::IncompleteRead, "{err}");
    }
}
