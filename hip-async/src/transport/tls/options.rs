//! The TLS options of `HTTPSConnectionPool` and their names: `cert_reqs`, `ssl_version`,
//! `assert_hostname`, and [`TlsOptions`], compared by value for pool keys.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use hip_core::{Error, ErrorKind};
use rustls::ClientConfig;

/// Whether the server's certificate is verified: the spec's `cert_reqs`
/// (`ssl.CERT_REQUIRED`, `ssl.CERT_NONE`, `ssl.CERT_OPTIONAL`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertReqs {
    /// `CERT_REQUIRED` (the default): the certificate must chain to a trusted root and match
    /// the host.
    #[default]
    Required,
    /// `CERT_NONE`: any certificate is accepted. Insecure; the pool warns
    /// (`InsecureRequestWarning`).
    None,
    /// `CERT_OPTIONAL`: a client always receives a certificate from the server, so this
    /// verifies exactly as [`CertReqs::Required`] does (OpenSSL behaves the same way).
    Optional,
}

impl CertReqs {
    /// Whether the certificate chain is verified.
    pub fn verifies(self) -> bool {
        !matches!(self, CertReqs::None)
    }
}

/// Resolves a `cert_reqs` name: the spec's `hip.util.resolve_cert_reqs`.
///
/// Accepts the `ssl` module's constant names and their short forms, in any case:
/// `"CERT_REQUIRED"`/`"REQUIRED"`, `"CERT_NONE"`/`"NONE"`, `"CERT_OPTIONAL"`/`"OPTIONAL"`.
/// Anything else is [`ErrorKind::InvalidValue`]. (The spec's `None` argument, meaning the
/// default, is `CertReqs::default()`.)
pub fn resolve_cert_reqs(candidate: &str) -> Result<CertReqs, Error> {
    let name = candidate.trim().to_ascii_uppercase();
    let short = name.strip_prefix("CERT_").unwrap_or(&name);
    match short {
        "REQUIRED" => Ok(CertReqs::Required),
        "NONE" => Ok(CertReqs::None),
        "OPTIONAL" => Ok(CertReqs::Optional),
        _ => Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "unknown cert_reqs {candidate:?}: expected \"CERT_REQUIRED\", \"CERT_OPTIONAL\" or \"CERT_NONE\""
            ),
        )),
    }
}

/// The lowest TLS version hip will negotiate: the spec's `ssl_version`, modernised.
///
/// Python's `ssl_version` picks a protocol constant; rustls speaks TLS 1.2 and 1.3 only, so
/// the choice that remains is the minimum version. SSLv2/3 and TLS 1.0/1.1 are not offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TlsVersion {
    /// TLS 1.2 (and 1.3): what hip offers by default.
    Tls12,
    /// TLS 1.3 only.
    Tls13,
}

/// Resolves an `ssl_version` name: the spec's `hip.util.resolve_ssl_version`.
///
/// `"TLSv1_2"`, `"TLSv1.2"`, `"PROTOCOL_TLSv1_2"` (and the same for 1.3) give that version
/// as the minimum. `"PROTOCOL_TLS"`, `"PROTOCOL_TLS_CLIENT"`, `"PROTOCOL_SSLv23"` (Python's
/// "best available") give `None`: no minimum beyond hip's default. The versions rustls does
/// not implement (SSLv2, SSLv3, TLS 1.0, TLS 1.1) are [`ErrorKind::InvalidValue`], as is any
/// other name.
pub fn resolve_ssl_version(candidate: &str) -> Result<Option<TlsVersion>, Error> {
    let name = candidate.trim().to_ascii_uppercase().replace('.', "_");
    let short = name.strip_prefix("PROTOCOL_").unwrap_or(&name);
    match short {
        "TLS" | "TLS_CLIENT" | "SSLV23" => Ok(None),
        "TLSV1_2" | "TLS1_2" => Ok(Some(TlsVersion::Tls12)),
        "TLSV1_3" | "TLS1_3" => Ok(Some(TlsVersion::Tls13)),
        "SSLV2" | "SSLV3" | "TLSV1" | "TLSV1_1" | "TLS1" | "TLS1_1" => Err(Error::new(
            ErrorKind::InvalidValue,
            format!(
                "ssl_version {candidate:?} is not supported: hip speaks TLS 1.2 and TLS 1.3 only"
            ),
        )),
        _ => Err(Error::new(
            ErrorKind::InvalidValue,
            format!("unknown ssl_version {candidate:?}: expected e.g. \"TLSv1_2\" or \"TLSv1_3\""),
        )),
    }
}

/// The spec's `assert_hostname`: which name the certificate must be valid for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AssertHostname {
    /// `None` in the spec: the host connected to (or `server_hostname` when set).
    #[default]
    Default,
    /// A string in the spec: this name (or IP address) instead of the host.
    Name(String),
    /// `False` in the spec: the chain is still verified, the name is not.
    Disabled,
}

/// The TLS parameters of `HTTPSConnectionPool` (and of `ssl_wrap_socket`).
///
/// Pools are keyed by these options, compared by value (the CA bytes, the key password and
/// every other field); an `ssl_context` counts as the same only when it is the same `Arc`.
#[derive(Clone)]
#[non_exhaustive]
pub struct TlsOptions {
    /// `cert_reqs`: whether the server's certificate is verified (default: required).
    pub cert_reqs: CertReqs,
    /// `ca_certs`: a PEM file of trusted CA certificates (a bundle).
    pub ca_certs: Option<PathBuf>,
    /// `ca_cert_dir`: a directory of PEM files of trusted CA certificates (OpenSSL's
    /// `-CApath`); every file in it is read, and files without certificates are skipped.
    pub ca_cert_dir: Option<PathBuf>,
    /// `ca_cert_data`: trusted CA certificates in memory, PEM (or one DER certificate).
    pub ca_cert_data: Option<Vec<u8>>,
    /// `cert_file`: the client certificate chain (PEM), leaf first. It may hold the private
    /// key too when `key_file` is not given.
    pub cert_file: Option<PathBuf>,
    /// `key_file`: the client certificate's private key (PEM: `PRIVATE KEY` (PKCS#8),
    /// `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC1) or `ENCRYPTED PRIVATE KEY`).
    pub key_file: Option<PathBuf>,
    /// `key_password`: the password of an `ENCRYPTED PRIVATE KEY` (PKCS#8 with PBES2),
    /// which only a build with the `encrypted-keys` feature can decrypt.
    pub key_password: Option<String>,
    /// `assert_hostname`: which name the certificate must be valid for.
    pub assert_hostname: AssertHostname,
    /// `assert_fingerprint`: the expected hex digest of the server's leaf certificate (MD5,
    /// SHA-1 or SHA-256, chosen by length; colons and case ignored). When set, it replaces
    /// chain and name verification.
    pub assert_fingerprint: Option<String>,
    /// `server_hostname`: the name sent in SNI and verified, instead of the host connected to.
    pub server_hostname: Option<String>,
    /// `ssl_version`, modernised: the minimum TLS version (default: TLS 1.2).
    pub min_version: Option<TlsVersion>,
    /// `ssl_context`: a rustls config built by the caller, used instead of one built from the
    /// options above. Only `cert_reqs = None`, `assert_fingerprint`, `server_hostname` and
    /// `alpn` can be combined with it; the options that build a config (CA and client
    /// certificate files, `min_version`, `assert_hostname`) are refused.
    pub ssl_context: Option<Arc<ClientConfig>>,
    /// Offer ALPN `http/1.1` (default `true`). hip speaks HTTP/1.1 only.
    pub alpn: bool,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            cert_reqs: CertReqs::Required,
            ca_certs: None,
            ca_cert_dir: None,
            ca_cert_data: None,
            cert_file: None,
            key_file: None,
            key_password: None,
            assert_hostname: AssertHostname::Default,
            assert_fingerprint: None,
            server_hostname: None,
            min_version: None,
            ssl_context: None,
            alpn: true,
        }
    }
}

impl TlsOptions {
    /// Whether connections made with these options verify the server (the spec's
    /// `is_verified`): a required certificate or a pinned fingerprint. When false, the pool
    /// emits `InsecureRequestWarning`.
    pub fn is_verified(&self) -> bool {
        self.cert_reqs.verifies() || self.assert_fingerprint.is_some()
    }

    fn context_ptr(&self) -> Option<*const ClientConfig> {
        self.ssl_context.as_ref().map(Arc::as_ptr)
    }
}

impl PartialEq for TlsOptions {
    fn eq(&self, other: &Self) -> bool {
        self.cert_reqs == other.cert_reqs
            && self.ca_certs == other.ca_certs
            && self.ca_cert_dir == other.ca_cert_dir
            && self.ca_cert_data == other.ca_cert_data
            && self.cert_file == other.cert_file
            && self.key_file == other.key_file
            && self.key_password == other.key_password
            && self.assert_hostname == other.assert_hostname
            && self.assert_fingerprint == other.assert_fingerprint
            && self.server_hostname == other.server_hostname
            && self.min_version == other.min_version
            && self.context_ptr() == other.context_ptr()
            && self.alpn == other.alpn
    }
}

impl Eq for TlsOptions {}

impl Hash for TlsOptions {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.cert_reqs.hash(state);
        self.ca_certs.hash(state);
        self.ca_cert_dir.hash(state);
        self.ca_cert_data.hash(state);
        self.cert_file.hash(state);
        self.key_file.hash(state);
        self.key_password.hash(state);
        self.assert_hostname.hash(state);
        self.assert_fingerprint.hash(state);
        self.server_hostname.hash(state);
        self.min_version.hash(state);
        self.context_ptr().hash(state);
        self.alpn.hash(state);
    }
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field("cert_reqs", &self.cert_reqs)
            .field("ca_certs", &self.ca_certs)
            .field("ca_cert_dir", &self.ca_cert_dir)
            .field(
                "ca_cert_data",
                &self
                    .ca_cert_data
                    .as_ref()
                    .map(|d| format!("<{} bytes>", d.len())),
            )
            .field("cert_file", &self.cert_file)
            .field("key_file", &self.key_file)
            .field(
                "key_password",
                &self.key_password.as_ref().map(|_| "<hidden>"),
            )
            .field("assert_hostname", &self.assert_hostname)
            .field("assert_fingerprint", &self.assert_fingerprint)
            .field("server_hostname", &self.server_hostname)
            .field("min_version", &self.min_version)
            .field("ssl_context", &self.context_ptr())
            .field("alpn", &self.alpn)
            .finish()
    }
}
