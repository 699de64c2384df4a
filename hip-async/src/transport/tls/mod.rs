//! TLS for HTTPS connections with rustls: the spec's `ssl_wrap_socket`,
//! `resolve_cert_reqs`, `resolve_ssl_version` and `assert_fingerprint`, and the TLS
//! parameters of `HTTPSConnectionPool`.
//!
//! A pool turns its [`TlsOptions`] into a rustls [`ClientConfig`] once with
//! [`build_client_config`] and then runs [`handshake`] on each new connection. Building the
//! config reads the CA and client-certificate files, so their errors come out when the pool
//! is set up rather than mid-request.
//!
//! # How the server is checked
//!
//! The spec says the connection is verified with "one of `assert_fingerprint`,
//! `assert_hostname` and host in this order":
//!
//! | options | certificate chain | identity |
//! | --- | --- | --- |
//! | default | against the trusted roots | the certificate must be valid for the host (or `server_hostname`) |
//! | `assert_hostname = Name(x)` | against the trusted roots | valid for `x` |
//! | `assert_hostname = Disabled` | against the trusted roots | not checked |
//! | `assert_fingerprint` | not checked | the leaf certificate's digest must match |
//! | `cert_reqs = None` | not checked | not checked (the pool warns: `InsecureRequestWarning`) |
//!
//! The trusted roots are `ca_certs`, `ca_cert_dir` and `ca_cert_data` when any is given (and
//! then only those: "only requests that can be verified with that bundle will succeed"),
//! otherwise the platform's store (feature `native-roots`, on by default) and/or Mozilla's
//! roots compiled in (feature `webpki-roots`).
//!
//! Even when the chain is not checked, the server must prove it holds the certificate's key
//! (handshake signatures are always verified), so a pinned fingerprint cannot be replayed.

mod config;
mod fingerprint;
mod handshake;
mod options;
mod stream;
mod verify;

use std::sync::{Arc, OnceLock};

use hip_core::{Error, ErrorKind};
use rustls::crypto::CryptoProvider;

pub(crate) use config::build_client_config;
pub use fingerprint::assert_fingerprint;
pub(crate) use handshake::{handshake, is_verdict, ssl_error_from_io};
pub use options::{
    resolve_cert_reqs, resolve_ssl_version, AssertHostname, CertReqs, TlsOptions, TlsVersion,
};

fn ssl_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Ssl, message)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue, message)
}

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::config::*;
    use super::fingerprint::*;
    use super::handshake::*;
    use super::verify::server_name;
    use super::*;
    use rustls::ClientConfig;
    use rustls_pki_types::{ServerName, UnixTime};
    use std::path::Path;

    #[test]
    fn cert_reqs_names() {
        for (name, want) in [
            ("CERT_REQUIRED", CertReqs::Required),
            ("REQUIRED", CertReqs::Required),
            ("cert_none", CertReqs::None),
            ("NONE", CertReqs::None),
            ("CERT_OPTIONAL", CertReqs::Optional),
            ("OPTIONAL", CertReqs::Optional),
        ] {
            assert_eq!(resolve_cert_reqs(name).unwrap(), want, "{name}");
        }
        let e = resolve_cert_reqs("CERT_MAYBE").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(e.message().contains("\"CERT_MAYBE\""), "{e}");
        assert!(CertReqs::Optional.verifies());
        assert!(!CertReqs::None.verifies());
        assert_eq!(CertReqs::default(), CertReqs::Required);
    }

    #[test]
    fn ssl_version_names() {
        for (name, want) in [
            ("TLSv1_2", Some(TlsVersion::Tls12)),
            ("TLSv1.2", Some(TlsVersion::Tls12)),
            ("PROTOCOL_TLSv1_2", Some(TlsVersion::Tls12)),
            ("TLSv1_3", Some(TlsVersion::Tls13)),
            ("PROTOCOL_TLSv1_3", Some(TlsVersion::Tls13)),
            ("tlsv1.3", Some(TlsVersion::Tls13)),
            ("PROTOCOL_TLS", None),
            ("PROTOCOL_SSLv23", None),
            ("PROTOCOL_TLS_CLIENT", None),
        ] {
            assert_eq!(resolve_ssl_version(name).unwrap(), want, "{name}");
        }
        for bad in [
            "PROTOCOL_SSLv3",
            "TLSv1",
            "TLSv1_1",
            "PROTOCOL_TLSv1",
            "quic",
        ] {
            let e = resolve_ssl_version(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidValue, "{bad}");
            assert!(e.message().contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn fingerprint_lengths_select_the_digest() {
        let cert = b"not really a certificate";
        // Digests of the bytes above, computed independently of the code under test.
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(cert));
        let sha1 = hex::encode(<sha1::Sha1 as sha1::Digest>::digest(cert));
        let md5 = hex::encode(<md5_reference::Md5 as md5_reference::Digest>::digest(cert));
        assert_eq!(sha256.len(), 64);
        assert_fingerprint(cert, &sha256).unwrap();
        assert_fingerprint(cert, &sha1.to_uppercase()).unwrap();
        assert_fingerprint(cert, &md5).unwrap();
        let colons: Vec<String> = sha1
            .as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        assert_fingerprint(cert, &colons.join(":")).unwrap();
    }

    #[test]
    fn fingerprint_mismatch_and_malformed() {
        let cert = b"abc";
        let wrong = "00".repeat(32);
        let e = assert_fingerprint(cert, &wrong).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Ssl);
        let got = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(cert));
        assert_eq!(
            e.message(),
            format!("Fingerprints did not match. Expected \"{wrong}\", got \"{got}\"")
        );

        let e = assert_fingerprint(cert, "abcd").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(
            e.message()
                .starts_with("Fingerprint of invalid length: \"abcd\""),
            "{e}"
        );

        let e = assert_fingerprint(cert, &"zz".repeat(20)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(
            e.message().starts_with("Fingerprint is not hexadecimal"),
            "{e}"
        );
    }

    #[test]
    fn options_compare_by_value_and_context_by_identity() {
        let a = TlsOptions::default();
        let mut b = TlsOptions::default();
        assert_eq!(a, b);
        b.assert_hostname = AssertHostname::Disabled;
        assert_ne!(a, b);

        let config = build_client_config(&TlsOptions {
            cert_reqs: CertReqs::None,
            ..TlsOptions::default()
        })
        .unwrap();
        let with = |c: &Arc<ClientConfig>| TlsOptions {
            ssl_context: Some(c.clone()),
            ..TlsOptions::default()
        };
        let other = Arc::new(ClientConfig::clone(&config));
        assert_eq!(with(&config), with(&config));
        assert_ne!(with(&config), with(&other));
    }

    #[test]
    fn debug_hides_the_key_password() {
        let opts = TlsOptions {
            key_password: Some("hunter2".into()),
            ..TlsOptions::default()
        };
        let shown = format!("{opts:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<hidden>"), "{shown}");
    }

    #[test]
    fn option_conflicts_are_reported() {
        let e = build_client_config(&TlsOptions {
            key_file: Some("k.pem".into()),
            ..TlsOptions::default()
        })
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(e.message().contains("key_file"), "{e}");

        let context = build_client_config(&TlsOptions {
            cert_reqs: CertReqs::None,
            ..TlsOptions::default()
        })
        .unwrap();
        let e = build_client_config(&TlsOptions {
            ssl_context: Some(context.clone()),
            ca_certs: Some("ca.pem".into()),
            ..TlsOptions::default()
        })
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(
            e.message()
                .starts_with("ca_certs cannot be combined with ssl_context"),
            "{e}"
        );

        // A context that already offers ALPN and verifies is used as it is.
        let same = build_client_config(&TlsOptions {
            ssl_context: Some(context.clone()),
            ..TlsOptions::default()
        })
        .unwrap();
        assert!(Arc::ptr_eq(&same, &context));

        let e = build_client_config(&TlsOptions {
            assert_fingerprint: Some("12:34".into()),
            ..TlsOptions::default()
        })
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);

        let e = build_client_config(&TlsOptions {
            assert_hostname: AssertHostname::Name("not a name!".into()),
            ca_cert_data: Some(Vec::new()),
            ..TlsOptions::default()
        })
        .unwrap_err();
        // The empty bundle is reported first: roots are loaded before the name is parsed.
        assert_eq!(e.kind(), ErrorKind::Ssl);
        assert!(e.message().contains("ca_cert_data"), "{e}");
    }

    #[test]
    fn missing_files_are_named() {
        let path = std::env::temp_dir().join("hip-async-does-not-exist-ca.pem");
        let e = build_client_config(&TlsOptions {
            ca_certs: Some(path.clone()),
            ..TlsOptions::default()
        })
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Ssl);
        assert!(e.message().contains(&format!("{path:?}")), "{e}");
    }

    #[test]
    fn dates_are_shown_in_utc() {
        assert_eq!(
            utc_date(UnixTime::since_unix_epoch(std::time::Duration::ZERO)),
            "1970-01-01 00:00:00 UTC"
        );
        assert_eq!(
            utc_date(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                978_307_200
            ))),
            "2001-01-01 00:00:00 UTC"
        );
        // 2024-02-29 12:34:56, a leap day.
        assert_eq!(
            utc_date(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                1_709_210_096
            ))),
            "2024-02-29 12:34:56 UTC"
        );
    }

    #[test]
    fn presented_names_are_shown_bare() {
        assert_eq!(bare_presented_name("DnsName(\"a.example\")"), "a.example");
        assert_eq!(bare_presented_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(bare_presented_name("Other"), "Other");
    }

    #[cfg(feature = "native-roots")]
    #[test]
    fn platform_roots_load_when_the_system_has_them() {
        if !Path::new("/etc/ssl/certs/ca-certificates.crt").exists() {
            return; // Not a Debian-like system with ca-certificates: nothing to compare.
        }
        assert!(!default_roots().unwrap().is_empty());
        let config = build_client_config(&TlsOptions::default()).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        let config = build_client_config(&TlsOptions {
            alpn: false,
            ..TlsOptions::default()
        })
        .unwrap();
        assert!(config.alpn_protocols.is_empty());
    }

    #[test]
    fn server_names() {
        assert!(matches!(server_name("[::1]"), Ok(ServerName::IpAddress(_))));
        assert!(matches!(
            server_name("127.0.0.1"),
            Ok(ServerName::IpAddress(_))
        ));
        assert!(matches!(
            server_name("example.com"),
            Ok(ServerName::DnsName(_))
        ));
        assert!(server_name("bad name").is_err());
    }
}
