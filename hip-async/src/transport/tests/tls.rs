//! TLS against a rustls server on 127.0.0.1 with the shared test PKI (rcgen, at test time):
//! verification against a custom CA (file, directory, data), expired / wrong-host /
//! untrusted certificates, `cert_reqs = None`, `assert_hostname`, `assert_fingerprint`,
//! client certificates (plain and encrypted keys), SNI, and the minimum TLS version.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::transport::tcp::{is_dropped, open, BoxIo, ConnectOptions, TcpConnector};
use crate::transport::tls::{
    build_client_config, handshake, ssl_error_from_io, AssertHostname, CertReqs, TlsOptions,
    TlsVersion,
};
use hip_core::{Error, ErrorKind};
use hip_test_support::{Identity, ServerCert, TempDir, TestPki};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

// ---------------------------------------------------------------------------------------
// Certificates

/// The shared test PKI, made once per test binary. It writes no files of its own: each test
/// writes what it needs into a `TempDir`.
fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(TestPki::new)
}

// ---------------------------------------------------------------------------------------
// The server

/// What the server saw of one connection.
#[derive(Debug)]
struct Seen {
    sni: Option<String>,
    client_cert: Option<CertificateDer<'static>>,
    outcome: Result<(), String>,
}

struct Server {
    addr: SocketAddr,
    seen: mpsc::UnboundedReceiver<Seen>,
}

impl Server {
    async fn next_seen(&mut self) -> Seen {
        tokio::time::timeout(Duration::from_secs(10), self.seen.recv())
            .await
            .expect("the server reports within 10 s")
            .expect("the server is running")
    }
}

enum ClientAuth {
    None,
    Required,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn server_config(
    id: &Identity,
    versions: &[&'static rustls::SupportedProtocolVersion],
    client_auth: ClientAuth,
) -> Arc<ServerConfig> {
    let builder = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .unwrap();
    let builder = match client_auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::Required => {
            let mut roots = RootCertStore::empty();
            roots.add(pki().ca_cert()).unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    Arc::new(builder.with_single_cert(id.cert_chain(), id.key()).unwrap())
}

/// A TLS server on 127.0.0.1 that accepts connections forever, says "hello" after the
/// handshake, then waits for the client to close (or closes first after `close_after`).
async fn start_server_with(config: Arc<ServerConfig>, close_at_once: bool) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, seen) = mpsc::unbounded_channel();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match acceptor.accept(tcp).await {
                    Ok(mut tls) => {
                        let (_, conn) = tls.get_ref();
                        let sni = conn.server_name().map(str::to_owned);
                        let client_cert = conn
                            .peer_certificates()
                            .and_then(|c| c.first())
                            .map(|c| c.clone().into_owned());
                        let _ = tx.send(Seen {
                            sni,
                            client_cert,
                            outcome: Ok(()),
                        });
                        let _ = tls.write_all(b"hello").await;
                        let _ = tls.flush().await;
                        if close_at_once {
                            let _ = tls.shutdown().await;
                            return;
                        }
                        // Hold the connection until the client goes away.
                        let mut sink = [0u8; 64];
                        while let Ok(n) = tls.read(&mut sink).await {
                            if n == 0 {
                                break;
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Seen {
                            sni: None,
                            client_cert: None,
                            outcome: Err(e.to_string()),
                        });
                    }
                }
            });
        }
    });
    Server { addr, seen }
}

async fn start_server(id: &Identity) -> Server {
    start_server_with(
        server_config(id, rustls::DEFAULT_VERSIONS, ClientAuth::None),
        false,
    )
    .await
}

// ---------------------------------------------------------------------------------------
// The client

/// Connects to `addr` and runs the handshake, verifying as if the host were `host`.
async fn connect(addr: SocketAddr, host: &str, opts: &TlsOptions) -> Result<BoxIo, Error> {
    let config = build_client_config(opts)?;
    let io = open(
        &TcpConnector,
        "127.0.0.1",
        addr.port(),
        &ConnectOptions::default(),
        Some(Duration::from_secs(10)),
    )
    .await?;
    handshake(io, host, opts, &config).await
}

/// Reads the server's greeting.
async fn read_hello(io: &mut BoxIo) -> std::io::Result<Vec<u8>> {
    let mut buf = [0u8; 5];
    tokio::time::timeout(Duration::from_secs(10), io.read_exact(&mut buf))
        .await
        .expect("the greeting arrives within 10 s")?;
    Ok(buf.to_vec())
}

fn ca_file(dir: &TempDir) -> PathBuf {
    dir.write("ca.pem", pki().ca_pem())
}

fn trusting_ca(dir: &TempDir) -> TlsOptions {
    TlsOptions {
        ca_certs: Some(ca_file(dir)),
        ..TlsOptions::default()
    }
}

#[track_caller]
fn assert_ssl(result: Result<BoxIo, Error>, needle: &str) -> Error {
    let e = match result {
        Ok(_) => panic!("expected an SSLError containing {needle:?}, the handshake succeeded"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::Ssl, "{e}");
    assert!(e.message().contains(needle), "{needle:?} not in {e}");
    e
}

// ---------------------------------------------------------------------------------------
// Tests: chain and name verification

#[tokio::test]
async fn custom_ca_file_verifies_the_chain() {
    let dir = TempDir::new();
    let mut server = start_server(pki().server(ServerCert::Valid)).await;
    let mut io = connect(server.addr, "localhost", &trusting_ca(&dir))
        .await
        .unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    let seen = server.next_seen().await;
    assert_eq!(seen.outcome, Ok(()));
    assert_eq!(seen.sni.as_deref(), Some("localhost"));
}

#[tokio::test]
async fn ip_address_names_are_verified_as_ip_addresses() {
    let dir = TempDir::new();
    let mut server = start_server(pki().server(ServerCert::Valid)).await;
    let mut io = connect(server.addr, "127.0.0.1", &trusting_ca(&dir))
        .await
        .unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    // No SNI is sent for an IP address.
    assert_eq!(server.next_seen().await.sni, None);

    let e = assert_ssl(
        connect(server.addr, "[::1]", &trusting_ca(&dir)).await,
        "hostname mismatch",
    );
    assert!(
        e.message()
            .ends_with("not valid for \"::1\", only for localhost, 127.0.0.1"),
        "{e}"
    );
}

#[tokio::test]
async fn custom_ca_dir_verifies_the_chain() {
    let dir = TempDir::new();
    let certs = TempDir::new();
    certs.write("README", "not a certificate\n");
    certs.write("0a1b2c3d.0", pki().ca_pem());
    std::fs::create_dir(certs.path().join("subdir")).unwrap();
    let server = start_server(pki().server(ServerCert::Valid)).await;
    let opts = TlsOptions {
        ca_cert_dir: Some(certs.path().to_path_buf()),
        ..TlsOptions::default()
    };
    let mut io = connect(server.addr, "localhost", &opts).await.unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");

    // A directory without certificates is refused when the config is built.
    let empty = TempDir::new();
    empty.write("README", "nothing here\n");
    let e = build_client_config(&TlsOptions {
        ca_cert_dir: Some(empty.path().to_path_buf()),
        ..TlsOptions::default()
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Ssl);
    assert!(
        e.message().contains(&format!(
            "no usable PEM certificates found in ca_cert_dir {:?}",
            empty.path()
        )),
        "{e}"
    );
    drop(dir);
}

#[tokio::test]
async fn custom_ca_data_verifies_the_chain_as_pem_and_der() {
    let server = start_server(pki().server(ServerCert::Valid)).await;
    for data in [pki().ca_pem().into_bytes(), pki().ca_cert().to_vec()] {
        let opts = TlsOptions {
            ca_cert_data: Some(data),
            ..TlsOptions::default()
        };
        let mut io = connect(server.addr, "localhost", &opts).await.unwrap();
        assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    }
}

#[tokio::test]
async fn a_ca_file_without_certificates_is_named_in_the_error() {
    let dir = TempDir::new();
    let path = dir.write("empty.pem", "just text\n");
    let e = build_client_config(&TlsOptions {
        ca_certs: Some(path.clone()),
        ..TlsOptions::default()
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Ssl);
    assert_eq!(
        e.message(),
        format!(
            "no PEM certificates (\"-----BEGIN CERTIFICATE-----\") found in ca_certs file {path:?}"
        )
    );
}

#[tokio::test]
async fn expired_certificate_is_refused() {
    let dir = TempDir::new();
    let server = start_server(pki().server(ServerCert::Expired)).await;
    let e = assert_ssl(
        connect(server.addr, "localhost", &trusting_ca(&dir)).await,
        "certificate has expired",
    );
    assert!(
        e.message()
            .starts_with("TLS handshake with \"localhost\" failed: certificate verify failed: certificate has expired (not valid after 2001-01-01 00:00:00 UTC, now "),
        "{e}"
    );
    // The cause is kept.
    assert!(std::error::Error::source(&e).is_some());
}

#[tokio::test]
async fn wrong_host_is_refused_naming_the_host() {
    let dir = TempDir::new();
    let server = start_server(pki().server(ServerCert::WrongHost)).await;
    let e = assert_ssl(
        connect(server.addr, "localhost", &trusting_ca(&dir)).await,
        "hostname mismatch: the certificate is not valid for \"localhost\"",
    );
    assert!(e.message().ends_with(", only for wrong.example"), "{e}");
}

#[tokio::test]
async fn untrusted_certificate_is_refused_as_unknown_issuer() {
    let dir = TempDir::new();
    let server = start_server(pki().server(ServerCert::SelfSigned)).await;
    assert_ssl(
        connect(server.addr, "localhost", &trusting_ca(&dir)).await,
        "unknown issuer",
    );
}

#[tokio::test]
async fn a_custom_bundle_replaces_the_default_roots() {
    // A bundle with only the untrusted self-signed certificate's CA... which is itself: the
    // server signed by our CA is then unknown, as the spec says ("only requests that can be
    // verified with that bundle will succeed").
    let dir = TempDir::new();
    let other = dir.write("other.pem", pki().server(ServerCert::SelfSigned).cert_pem());
    let server = start_server(pki().server(ServerCert::Valid)).await;
    let opts = TlsOptions {
        ca_certs: Some(other),
        ..TlsOptions::default()
    };
    assert_ssl(
        connect(server.addr, "localhost", &opts).await,
        "unknown issuer",
    );
}

#[tokio::test]
async fn cert_none_accepts_every_certificate() {
    let opts = TlsOptions {
        cert_reqs: CertReqs::None,
        ..TlsOptions::default()
    };
    assert!(!opts.is_verified());
    for id in [
        pki().server(ServerCert::Expired),
        pki().server(ServerCert::WrongHost),
        pki().server(ServerCert::SelfSigned),
        pki().server(ServerCert::Valid),
    ] {
        let server = start_server(id).await;
        let mut io = connect(server.addr, "localhost", &opts).await.unwrap();
        assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    }
}

#[tokio::test]
async fn assert_hostname_disabled_skips_only_the_name() {
    let dir = TempDir::new();
    let opts = TlsOptions {
        assert_hostname: AssertHostname::Disabled,
        ..trusting_ca(&dir)
    };
    let server = start_server(pki().server(ServerCert::WrongHost)).await;
    let mut io = connect(server.addr, "localhost", &opts).await.unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");

    let server = start_server(pki().server(ServerCert::SelfSigned)).await;
    assert_ssl(
        connect(server.addr, "localhost", &opts).await,
        "unknown issuer",
    );

    let server = start_server(pki().server(ServerCert::Expired)).await;
    assert_ssl(
        connect(server.addr, "localhost", &opts).await,
        "certificate has expired",
    );
}

#[tokio::test]
async fn assert_hostname_name_replaces_the_host() {
    let dir = TempDir::new();
    let server = start_server(pki().server(ServerCert::WrongHost)).await;
    let opts = TlsOptions {
        assert_hostname: AssertHostname::Name("wrong.example".into()),
        ..trusting_ca(&dir)
    };
    let mut io = connect(server.addr, "localhost", &opts).await.unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");

    // The name asserted is checked, not the host.
    let server = start_server(pki().server(ServerCert::Valid)).await;
    assert_ssl(
        connect(server.addr, "localhost", &opts).await,
        "not valid for \"wrong.example\"",
    );
}

// ---------------------------------------------------------------------------------------
// Tests: fingerprints

fn colon_separated(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

#[tokio::test]
async fn assert_fingerprint_pins_the_leaf_certificate() {
    use sha1::Digest as _;
    let leaf = pki().server(ServerCert::SelfSigned).cert_der().as_ref();
    let sha256 = hex::encode(sha2::Sha256::digest(leaf));
    let sha1 = hex::encode(sha1::Sha1::digest(leaf));
    let md5 = hex::encode(md5_reference::Md5::digest(leaf));
    // Untrusted and self-signed: the pin is the only check, and it is enough.
    let server = start_server(pki().server(ServerCert::SelfSigned)).await;
    for fp in [
        sha256.clone(),
        sha1.to_uppercase(),
        md5.clone(),
        colon_separated(&sha256).to_uppercase(),
    ] {
        let opts = TlsOptions {
            assert_fingerprint: Some(fp.clone()),
            ..TlsOptions::default()
        };
        assert!(opts.is_verified());
        let mut io = connect(server.addr, "localhost", &opts)
            .await
            .unwrap_or_else(|e| panic!("{fp}: {e}"));
        assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    }

    let good_fp = hex::encode(sha2::Sha256::digest(
        pki().server(ServerCert::Valid).cert_der().as_ref(),
    ));
    let opts = TlsOptions {
        assert_fingerprint: Some(good_fp.clone()),
        ..TlsOptions::default()
    };
    let e = assert_ssl(
        connect(server.addr, "localhost", &opts).await,
        "Fingerprints did not match",
    );
    assert_eq!(
        e.message(),
        format!("Fingerprints did not match. Expected \"{good_fp}\", got \"{sha256}\"")
    );
}

#[tokio::test]
async fn malformed_fingerprint_is_a_value_error() {
    let e = build_client_config(&TlsOptions {
        assert_fingerprint: Some("AA:BB:CC".into()),
        ..TlsOptions::default()
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(
        e.message()
            .starts_with("Fingerprint of invalid length: \"AA:BB:CC\""),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------
// Tests: client certificates

async fn client_auth_server(versions: &[&'static rustls::SupportedProtocolVersion]) -> Server {
    start_server_with(
        server_config(
            pki().server(ServerCert::Valid),
            versions,
            ClientAuth::Required,
        ),
        false,
    )
    .await
}

#[tokio::test]
async fn client_certificate_is_required_and_sent() {
    let dir = TempDir::new();
    let mut server = client_auth_server(rustls::DEFAULT_VERSIONS).await;

    // Without a certificate: TLS 1.3 completes the client's side of the handshake, and the
    // server's refusal arrives with the first read.
    let outcome = connect(server.addr, "localhost", &trusting_ca(&dir)).await;
    let e = match outcome {
        Err(e) => e,
        Ok(mut io) => {
            let io_err = read_hello(&mut io).await.unwrap_err();
            ssl_error_from_io("localhost", io_err).expect("a TLS error")
        }
    };
    assert_eq!(e.kind(), ErrorKind::Ssl);
    assert!(
        e.message()
            .contains("the server requires a client certificate"),
        "{e}"
    );
    assert!(server.next_seen().await.outcome.is_err());

    // With one.
    let cert = dir.write("client.pem", pki().client().cert_pem());
    let key = dir.write("client.key", pki().client().key_pem());
    let opts = TlsOptions {
        cert_file: Some(cert),
        key_file: Some(key),
        ..trusting_ca(&dir)
    };
    let mut io = connect(server.addr, "localhost", &opts).await.unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    let seen = server.next_seen().await;
    assert_eq!(seen.outcome, Ok(()));
    assert_eq!(seen.client_cert.as_ref(), Some(pki().client().cert_der()));
}

#[tokio::test]
async fn tls12_server_refuses_a_missing_client_certificate_in_the_handshake() {
    let dir = TempDir::new();
    let server = client_auth_server(&[&rustls::version::TLS12]).await;
    let e = assert_ssl(
        connect(server.addr, "localhost", &trusting_ca(&dir)).await,
        "TLS handshake with \"localhost\" failed: the server sent the alert",
    );
    assert!(e.message().contains("client certificate"), "{e}");
}

#[tokio::test]
async fn key_may_live_in_the_cert_file() {
    let dir = TempDir::new();
    let mut server = client_auth_server(rustls::DEFAULT_VERSIONS).await;
    let both = dir.write(
        "client-and-key.pem",
        format!("{}{}", pki().client().cert_pem(), pki().client().key_pem()),
    );
    let opts = TlsOptions {
        cert_file: Some(both),
        ..trusting_ca(&dir)
    };
    let mut io = connect(server.addr, "localhost", &opts).await.unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    assert_eq!(
        server.next_seen().await.client_cert.as_ref(),
        Some(pki().client().cert_der())
    );

    // A cert_file without a key and no key_file says where it looked.
    let only_cert = dir.write("client-only.pem", pki().client().cert_pem());
    let e = build_client_config(&TlsOptions {
        cert_file: Some(only_cert.clone()),
        ..trusting_ca(&dir)
    })
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Ssl);
    assert!(
        e.message()
            .starts_with(&format!("no private key found in cert_file {only_cert:?}")),
        "{e}"
    );
}

/// The client key as `ENCRYPTED PRIVATE KEY` (PKCS#8, PBES2 with PBKDF2-SHA256 and
/// AES-256-CBC), as `openssl pkcs8 -topk8 -v2 aes256` writes it.
fn encrypted_client_key(password: &str) -> String {
    let info = pkcs8::PrivateKeyInfo::try_from(pki().client().key_der()).unwrap();
    let salt = [7u8; 16];
    let iv = [9u8; 16];
    let params =
        pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, &salt, &iv).unwrap();
    let doc = info.encrypt_with_params(params, password).unwrap();
    doc.to_pem("ENCRYPTED PRIVATE KEY", pkcs8::LineEnding::LF)
        .unwrap()
        .to_string()
}

#[cfg(feature = "encrypted-keys")]
#[tokio::test]
async fn encrypted_client_key_is_decrypted_with_key_password() {
    let dir = TempDir::new();
    let mut server = client_auth_server(rustls::DEFAULT_VERSIONS).await;
    let cert = dir.write("client.pem", pki().client().cert_pem());
    let pem = encrypted_client_key("s3cret");
    assert!(
        pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
        "{pem}"
    );
    let key = dir.write("client.key", &pem);

    let opts = TlsOptions {
        cert_file: Some(cert.clone()),
        key_file: Some(key.clone()),
        key_password: Some("s3cret".into()),
        ..trusting_ca(&dir)
    };
    let mut io = connect(server.addr, "localhost", &opts).await.unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    assert_eq!(
        server.next_seen().await.client_cert.as_ref(),
        Some(pki().client().cert_der())
    );

    let wrong = build_client_config(&TlsOptions {
        key_password: Some("guess".into()),
        ..opts.clone()
    })
    .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::Ssl);
    assert!(
        wrong.message().starts_with(&format!(
            "cannot decrypt the private key in key_file {key:?} (wrong key_password?)"
        )),
        "{wrong}"
    );

    let missing = build_client_config(&TlsOptions {
        key_password: None,
        ..opts
    })
    .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::InvalidValue);
    assert_eq!(
        missing.message(),
        format!("the private key in key_file {key:?} is encrypted: key_password is required")
    );
}

#[cfg(not(feature = "encrypted-keys"))]
#[test]
fn encrypted_client_key_needs_the_feature() {
    let dir = TempDir::new();
    let cert = dir.write("client.pem", pki().client().cert_pem());
    let key = dir.write("client.key", encrypted_client_key("s3cret"));
    for password in [Some("s3cret".to_owned()), None] {
        let err = build_client_config(&TlsOptions {
            cert_file: Some(cert.clone()),
            key_file: Some(key.clone()),
            key_password: password,
            ..trusting_ca(&dir)
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Ssl);
        assert_eq!(
            err.message(),
            format!(
                "the private key in key_file {key:?} is an ENCRYPTED PRIVATE KEY, and this build \
                 of hip cannot decrypt it: enable hip's \"encrypted-keys\" feature (it decrypts \
                 with key_password), or decrypt the key once with `openssl pkcs8 -in <key> -out \
                 <plain key>` and pass that"
            )
        );
    }
}

#[tokio::test]
async fn sec1_ec_key_is_accepted() {
    // The SEC1 "EC PRIVATE KEY" inside the PKCS#8 key rcgen made.
    let info = pkcs8::PrivateKeyInfo::try_from(pki().client().key_der()).unwrap();
    let sec1_pem =
        pkcs8::der::pem::encode_string("EC PRIVATE KEY", pkcs8::LineEnding::LF, info.private_key)
            .unwrap();
    let dir = TempDir::new();
    let mut server = client_auth_server(rustls::DEFAULT_VERSIONS).await;
    let opts = TlsOptions {
        cert_file: Some(dir.write("client.pem", pki().client().cert_pem())),
        key_file: Some(dir.write("client-sec1.key", &sec1_pem)),
        ..trusting_ca(&dir)
    };
    let mut io = connect(server.addr, "localhost", &opts).await.unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    assert_eq!(server.next_seen().await.outcome, Ok(()));
}

// ---------------------------------------------------------------------------------------
// Tests: SNI, versions, liveness

#[tokio::test]
async fn server_hostname_is_sent_as_sni_and_verified() {
    let dir = TempDir::new();
    let mut server = start_server(pki().server(ServerCert::Valid)).await;
    let opts = TlsOptions {
        server_hostname: Some("localhost".into()),
        ..trusting_ca(&dir)
    };
    // The host is something else entirely: SNI and verification use server_hostname.
    let mut io = connect(server.addr, "other.example", &opts).await.unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    assert_eq!(server.next_seen().await.sni.as_deref(), Some("localhost"));

    // Without it, the host is used and does not match.
    assert_ssl(
        connect(server.addr, "other.example", &trusting_ca(&dir)).await,
        "not valid for \"other.example\"",
    );
}

#[tokio::test]
async fn minimum_tls13_fails_against_a_tls12_only_server() {
    let dir = TempDir::new();
    let server = start_server_with(
        server_config(
            pki().server(ServerCert::Valid),
            &[&rustls::version::TLS12],
            ClientAuth::None,
        ),
        false,
    )
    .await;
    // The default offers TLS 1.2 too.
    let mut io = connect(server.addr, "localhost", &trusting_ca(&dir))
        .await
        .unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");

    let opts = TlsOptions {
        min_version: Some(TlsVersion::Tls13),
        ..trusting_ca(&dir)
    };
    let e = match connect(server.addr, "localhost", &opts).await {
        Ok(_) => panic!("TLS 1.3 only must not connect to a TLS 1.2 server"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::Ssl, "{e}");
    assert!(e.message().contains("TLS 1.3"), "{e}");
}

#[tokio::test]
async fn is_dropped_sees_through_tls() {
    let dir = TempDir::new();
    let server = start_server(pki().server(ServerCert::Valid)).await;
    let mut io = connect(server.addr, "localhost", &trusting_ca(&dir))
        .await
        .unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    assert!(
        !is_dropped(&mut io),
        "an idle live TLS connection is not dropped"
    );

    let closing = start_server_with(
        server_config(
            pki().server(ServerCert::Valid),
            rustls::DEFAULT_VERSIONS,
            ClientAuth::None,
        ),
        true,
    )
    .await;
    let mut io = connect(closing.addr, "localhost", &trusting_ca(&dir))
        .await
        .unwrap();
    assert_eq!(read_hello(&mut io).await.unwrap(), b"hello");
    let mut dropped = false;
    for _ in 0..500 {
        if is_dropped(&mut io) {
            dropped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(dropped, "the server's close_notify was never noticed");
}

#[tokio::test]
async fn a_silent_server_runs_into_the_handshake_timeout() {
    // Accepts TCP but never answers the ClientHello.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let (_tcp, _) = listener.accept().await.unwrap();
        std::future::pending::<()>().await;
    });
    let opts = TlsOptions {
        cert_reqs: CertReqs::None,
        ..TlsOptions::default()
    };
    // The pool's connect timeout covers the handshake.
    let pool_opts = crate::PoolOptions::new()
        .tls(opts)
        .timeout(hip_core::timeout::Timeout::new().connect(0.1));
    let pool =
        crate::HttpConnectionPool::new(crate::Scheme::Https, "localhost", Some(port), pool_opts)
            .unwrap();
    let e = pool
        .request("GET", "/")
        .retries(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectTimeout, "{e}");
    assert_eq!(
        e.message(),
        "Connection to localhost timed out. (connect timeout=0.1)"
    );
    holder.abort();
}
