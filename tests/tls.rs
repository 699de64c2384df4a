//! HTTPS through the managers against a rustls server with certificates made per test run:
//! a custom CA, expired / wrong-host / untrusted certificates, client certificates, pinning
//! by fingerprint, and unverified requests. Each scenario runs through both APIs.

#[macro_use]
mod dual;

use hip::{CertReqs, ErrorKind};
use hip_test_support as support;
use support::{HttpBin, RawServer, ServerCert, Step, TestPki, CLIENT_KEY_PASSWORD};

fn https_url(server: &HttpBin, path: &str) -> String {
    format!("https://localhost:{}{path}", server.port())
}

dual_test! {
    fn custom_ca_bundle_verifies() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::Valid);
        let http = manager!(b => b.cert_reqs(CertReqs::Required).ca_certs(pki.ca_bundle_path()));
        let r = send!(http.request("GET", https_url(&server, "/robots.txt"))).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(&r.data()[..], b"User-agent: *\nDisallow: /deny\n");
        // The IP address is in the certificate too.
        let ip = format!("https://127.0.0.1:{}/get", server.port());
        assert_eq!(send!(http.request("GET", ip)).unwrap().status(), 200);
    }
}

dual_test! {
    fn platform_roots_do_not_trust_the_test_ca() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::Valid);
        let http = manager!();
        let err = send!(http.request("GET", https_url(&server, "/get")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
    }
}

dual_test! {
    fn expired_certificate_is_ssl_error() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::Expired);
        let http = manager!(b => b.ca_certs(pki.ca_bundle_path()));
        let err = send!(http.request("GET", https_url(&server, "/get")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert!(err.to_string().to_lowercase().contains("expired"), "{err}");
        // With retries too: a failed verification is a verdict, returned at once (urllib3
        // 1.26 would retry it and raise MaxRetryError).
        let err = send!(http.request("GET", https_url(&server, "/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert_eq!(server.connections(), 2, "one connection per request, no retries");
    }
}

dual_test! {
    fn wrong_host_is_ssl_error_unless_hostname_is_not_checked() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::WrongHost);
        let http = manager!(b => b.ca_certs(pki.ca_bundle_path()));
        let err = send!(http.request("GET", https_url(&server, "/get")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert!(err.to_string().contains("localhost"), "{err}");
        // assert_hostname names the host the certificate is for.
        let http = manager!(b => b.ca_certs(pki.ca_bundle_path()).assert_hostname("wrong.example"));
        assert_eq!(send!(http.request("GET", https_url(&server, "/get"))).unwrap().status(), 200);
        // assert_hostname=False checks the chain only.
        let http = manager!(b => b.ca_certs(pki.ca_bundle_path()).no_assert_hostname());
        assert_eq!(send!(http.request("GET", https_url(&server, "/get"))).unwrap().status(), 200);
    }
}

dual_test! {
    fn untrusted_certificate_is_ssl_error() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::SelfSigned);
        let http = manager!(b => b.ca_certs(pki.ca_bundle_path()));
        let err = send!(http.request("GET", https_url(&server, "/get")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert!(err.to_string().to_lowercase().contains("issuer"), "{err}");
        // Not checking the name does not make an untrusted chain acceptable.
        let http = manager!(b => b.ca_certs(pki.ca_bundle_path()).no_assert_hostname());
        let err = send!(http.request("GET", https_url(&server, "/get")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
    }
}

dual_test! {
    fn cert_none_accepts_anything() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::SelfSigned);
        let http = manager!(b => b.cert_reqs(CertReqs::None));
        let r = send!(http.request("GET", https_url(&server, "/get"))).unwrap();
        assert_eq!(r.status(), 200);
    }
}

dual_test! {
    fn fingerprint_pinning() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::SelfSigned);
        let der = pki.server(ServerCert::SelfSigned).cert_der().to_vec();
        let sha256 = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&der))
        };
        let colons: Vec<String> = sha256
            .as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).to_uppercase())
            .collect();
        let http = manager!(b => b.assert_fingerprint(colons.join(":")));
        assert_eq!(send!(http.request("GET", https_url(&server, "/get"))).unwrap().status(), 200);
        let wrong = "00".repeat(32);
        let http = manager!(b => b.assert_fingerprint(wrong));
        let err = send!(http.request("GET", https_url(&server, "/get")).retries(false)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        assert!(err.to_string().contains("Fingerprints did not match"), "{err}");
    }
}

dual_test! {
    fn client_certificates() {
        let pki = TestPki::new();
        let server = HttpBin::start_https_client_auth(&pki);
        // Without a client certificate the server refuses the handshake.
        let http = manager!(b => b.ca_certs(pki.ca_bundle_path()));
        let err = send!(http.request("GET", https_url(&server, "/get")).retries(false)).unwrap_err();
        assert!(err.kind() == ErrorKind::Ssl || err.is_protocol_error(), "{err}");
        // With cert_file + key_file it works.
        let http = manager!(b => b
            .ca_certs(pki.ca_bundle_path())
            .cert_file(pki.client_cert_path())
            .key_file(pki.client_key_path()));
        assert_eq!(send!(http.request("GET", https_url(&server, "/get"))).unwrap().status(), 200);
        // And with an encrypted key and its password (with the `encrypted-keys` feature;
        // without it, building says which feature is missing).
        let b = builder!()
            .ca_certs(pki.ca_bundle_path())
            .cert_file(pki.client_cert_path())
            .key_file(pki.client_key_encrypted_path())
            .key_password(CLIENT_KEY_PASSWORD);
        if cfg!(feature = "encrypted-keys") {
            let http = b.build().unwrap();
            assert_eq!(send!(http.request("GET", https_url(&server, "/get"))).unwrap().status(), 200);
        } else {
            let err = b.build().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Ssl);
            assert!(err.to_string().contains("\"encrypted-keys\" feature"), "{err}");
        }
    }
}

dual_test! {
    fn unreadable_ca_file_is_reported_at_build() {
        let err = builder!().ca_certs("/nonexistent/hip-ca.pem").build().unwrap_err();
        assert!(err.to_string().contains("/nonexistent/hip-ca.pem"), "{err}");
    }
}

/// A self-signed certificate for `localhost` with basicConstraints CA:TRUE, as
/// `openssl req -x509` makes, and its key.
fn ca_as_leaf() -> (String, rustls::pki_types::CertificateDer<'static>, Vec<u8>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), cert.der().clone(), key.serialize_der())
}

dual_test! {
    fn a_ca_certificate_used_as_the_servers_own_says_what_is_wrong_and_how_to_fix_it() {
        let (pem, der, key) = ca_as_leaf();
        let server = HttpBin::start_tls(
            vec![der],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
        );
        let dir = std::env::temp_dir().join(format!("hip-ca-leaf-{}-{API}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("self.pem");
        std::fs::write(&ca, pem).unwrap();
        let http = manager!(b => b.ca_certs(&ca).retries(false));
        let err = send!(http.request("GET", https_url(&server, "/get"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        let text = err.to_string();
        assert!(text.contains("CA certificate") && text.contains("CA:FALSE"), "{text}");
        assert!(!text.contains("OtherError"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

dual_test! {
    fn https_to_a_plain_http_port_suggests_http() {
        let server = HttpBin::start();
        let http = manager!(b => b.retries(false));
        let url = format!("https://127.0.0.1:{}/get", server.port());
        let err = send!(http.request("GET", &url)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl, "{err}");
        let text = err.to_string();
        assert!(text.contains("not TLS") && text.contains("http://"), "{text}");
    }
}

dual_test! {
    fn a_tls_read_returns_once_its_response_is_in_and_never_waits_for_records_that_are_not_coming() {
        // TLS 1.3 servers send session tickets after the handshake, and then nothing until
        // the next request; a blocking caller's connection blocks on the socket, so a TLS
        // layer that reads until the socket is empty would wait for the read timeout here.
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::Valid);
        let http = manager!(b => b
            .ca_certs(pki.ca_bundle_path())
            .timeout(hip::Timeout::new().connect(20.0).read(20.0))
            .retries(false));
        // 127.0.0.1 has one address: the blocking API connects on the caller's thread.
        let base = format!("https://127.0.0.1:{}", server.port());
        for path in ["/get", "/bytes/300000", "/stream-bytes/70000", "/robots.txt"] {
            let r = send!(http.request("GET", format!("{base}{path}"))).unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let want = match path {
                "/bytes/300000" => 300_000,
                "/stream-bytes/70000" => 70_000,
                _ => r.data().len(),
            };
            assert_eq!(r.data().len(), want, "{path}");
        }
        assert_eq!(server.connections(), 1, "every request reused the one TLS connection");
    }
}

dual_test! {
    fn a_tls_server_that_goes_silent_after_the_handshake_is_a_read_timeout() {
        let pki = TestPki::new();
        let server = HttpBin::start_https(&pki, ServerCert::Valid);
        let http = manager!(b => b.ca_certs(pki.ca_bundle_path()).retries(false));
        let url = format!("https://127.0.0.1:{}/delay/5", server.port());
        let err = send!(http.request("GET", url.as_str()).timeout(hip::Timeout::new().connect(10.0).read(0.2))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReadTimeout, "{err}");
        assert!(err.to_string().contains("read timeout=0.2"), "{err}");
        // The pool is not corrupted: the next request on it works.
        let ok = format!("https://127.0.0.1:{}/get", server.port());
        assert_eq!(send!(http.request("GET", ok.as_str())).unwrap().status(), 200);
    }
}

dual_test! {
    fn a_server_that_never_answers_the_tls_hello_is_a_connect_timeout() {
        // Accepts TCP connections and never says a word.
        let silent = RawServer::start(vec![vec![Step::KeepOpen]]);
        let port = silent.port();
        let http = manager!(b => b.retries(false));
        let url = format!("https://127.0.0.1:{port}/");
        let err = send!(http.request("GET", url.as_str()).timeout(hip::Timeout::new().connect(0.2).read(10.0))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err}");
        assert!(err.to_string().contains("connect timeout=0.2"), "{err}");
    }
}
