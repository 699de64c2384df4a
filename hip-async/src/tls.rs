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

use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use hip_core::{Error, ErrorKind};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore,
    SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};

use crate::connect::BoxIo;

/// Whether the server's certificate is verified: the spec's `cert_reqs`
/// (`ssl.CERT_REQUIRED`, `ssl.CERT_NONE`, `ssl.CERT_OPTIONAL`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
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
/// Pools are keyed by these options ([`TlsOptions::key`]); an `ssl_context` counts as the
/// same only when it is the same `Arc`.
#[derive(Clone)]
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
    /// `key_password`: the password of an `ENCRYPTED PRIVATE KEY` (PKCS#8 with PBES2).
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

    /// A hashable key for these options, for keying pools (the spec's `PoolKey` TLS fields).
    pub fn key(&self) -> TlsKey {
        TlsKey(self.clone())
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

/// The TLS part of a pool key: equal and hashed as the [`TlsOptions`] it was made from
/// (`ssl_context` by `Arc` identity).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TlsKey(TlsOptions);

impl TlsKey {
    /// The options this key was made from.
    pub fn options(&self) -> &TlsOptions {
        &self.0
    }
}

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

/// Builds the rustls config for `opts`: the spec's `create_urllib3_context` plus the
/// loading half of `ssl_wrap_socket`. Build once per pool and reuse it for every
/// connection (it also holds the TLS session cache).
///
/// Errors: [`ErrorKind::InvalidValue`] for options that cannot be used together or are
/// malformed (a fingerprint of the wrong length, a `key_file` without `cert_file`, an
/// invalid `assert_hostname`); [`ErrorKind::Ssl`] for files that cannot be read or hold no
/// usable certificate or key (the message names the file), and when no trusted roots are
/// available.
pub fn build_client_config(opts: &TlsOptions) -> Result<Arc<ClientConfig>, Error> {
    if let Some(fp) = &opts.assert_fingerprint {
        parse_fingerprint(fp)?;
    }
    if opts.key_file.is_some() && opts.cert_file.is_none() {
        return Err(invalid(
            "key_file was given without cert_file: pass the client certificate in cert_file",
        ));
    }
    if let Some(context) = &opts.ssl_context {
        return adapt_context(context, opts);
    }

    let provider = provider();
    let versions: &[&'static rustls::SupportedProtocolVersion] = match opts.min_version {
        Some(TlsVersion::Tls13) => &[&rustls::version::TLS13],
        Some(TlsVersion::Tls12) | None => &[&rustls::version::TLS13, &rustls::version::TLS12],
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| ssl_error(format!("cannot configure TLS versions {versions:?}: {e}")))?;

    let verifier: Arc<dyn ServerCertVerifier> =
        if !opts.cert_reqs.verifies() || opts.assert_fingerprint.is_some() {
            Arc::new(NoChainVerifier::new(provider.clone()))
        } else {
            let roots = trusted_roots(opts)?;
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| ssl_error(format!("cannot set up certificate verification: {e}")))?;
            match &opts.assert_hostname {
                AssertHostname::Default => webpki,
                AssertHostname::Disabled => Arc::new(NameOverride {
                    inner: webpki,
                    name: None,
                }),
                AssertHostname::Name(name) => Arc::new(NameOverride {
                    inner: webpki,
                    name: Some(server_name(name).map_err(|_| {
                        invalid(format!(
                            "assert_hostname {name:?} is neither a valid DNS name nor an IP address"
                        ))
                    })?),
                }),
            }
        };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);

    let mut config = match &opts.cert_file {
        Some(cert_file) => {
            let (chain, key) = load_client_identity(
                cert_file,
                opts.key_file.as_deref(),
                opts.key_password.as_deref(),
            )?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                ssl_error(format!(
                    "cannot use client certificate {cert_file:?} with its key: {e}"
                ))
            })?
        }
        None => builder.with_no_client_auth(),
    };
    if opts.alpn {
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    Ok(Arc::new(config))
}

/// Applies the options that make sense on top of a caller's `ssl_context`.
fn adapt_context(
    context: &Arc<ClientConfig>,
    opts: &TlsOptions,
) -> Result<Arc<ClientConfig>, Error> {
    let conflicts = [
        ("ca_certs", opts.ca_certs.is_some()),
        ("ca_cert_dir", opts.ca_cert_dir.is_some()),
        ("ca_cert_data", opts.ca_cert_data.is_some()),
        ("cert_file", opts.cert_file.is_some()),
        ("key_file", opts.key_file.is_some()),
        ("key_password", opts.key_password.is_some()),
        ("min_version", opts.min_version.is_some()),
        (
            "assert_hostname",
            opts.assert_hostname != AssertHostname::Default,
        ),
    ];
    if let Some((name, _)) = conflicts.iter().find(|(_, set)| *set) {
        return Err(invalid(format!(
            "{name} cannot be combined with ssl_context: configure the rustls ClientConfig instead"
        )));
    }
    let skip_chain = !opts.cert_reqs.verifies() || opts.assert_fingerprint.is_some();
    let add_alpn = opts.alpn && context.alpn_protocols.is_empty();
    if !skip_chain && !add_alpn {
        return Ok(context.clone());
    }
    let mut config = ClientConfig::clone(context);
    if skip_chain {
        let verifier = NoChainVerifier::new(config.crypto_provider().clone());
        config
            .dangerous()
            .set_certificate_verifier(Arc::new(verifier));
    }
    if add_alpn {
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    Ok(Arc::new(config))
}

/// The roots to verify against: the caller's CA files and data if any, else the defaults.
fn trusted_roots(opts: &TlsOptions) -> Result<Arc<RootCertStore>, Error> {
    if opts.ca_certs.is_none() && opts.ca_cert_dir.is_none() && opts.ca_cert_data.is_none() {
        return default_roots();
    }
    let mut roots = RootCertStore::empty();
    if let Some(path) = &opts.ca_certs {
        let pem = std::fs::read(path).map_err(|e| {
            ssl_error(format!("cannot read ca_certs file {path:?}: {e}")).with_source(e)
        })?;
        let certs = parse_certificates(&pem, &format!("ca_certs file {path:?}"))?;
        add_roots(&mut roots, certs, &format!("ca_certs file {path:?}"))?;
    }
    if let Some(dir) = &opts.ca_cert_dir {
        load_cert_dir(&mut roots, dir)?;
    }
    if let Some(data) = &opts.ca_cert_data {
        let certs = if PemObject::pem_slice_iter(data)
            .any(|item: Result<CertificateDer<'static>, _>| item.is_ok())
            || data.first() != Some(&0x30)
        {
            parse_certificates(data, "ca_cert_data")?
        } else {
            // Not PEM but starts like a DER SEQUENCE: one DER certificate (Python's cadata
            // accepts DER too).
            vec![CertificateDer::from(data.clone())]
        };
        add_roots(&mut roots, certs, "ca_cert_data")?;
    }
    Ok(Arc::new(roots))
}

fn add_roots(
    roots: &mut RootCertStore,
    certs: Vec<CertificateDer<'static>>,
    what: &str,
) -> Result<(), Error> {
    for (i, cert) in certs.into_iter().enumerate() {
        roots.add(cert).map_err(|e| {
            ssl_error(format!(
                "certificate #{} in {what} is not a usable CA certificate: {e}",
                i + 1
            ))
        })?;
    }
    Ok(())
}

/// All `CERTIFICATE` sections of a PEM document; none at all is an error naming `what`.
fn parse_certificates(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ssl_error(format!("cannot parse PEM in {what}: {e}")))?;
    if certs.is_empty() {
        return Err(ssl_error(format!(
            "no PEM certificates (\"-----BEGIN CERTIFICATE-----\") found in {what}"
        )));
    }
    Ok(certs)
}

fn load_cert_dir(roots: &mut RootCertStore, dir: &Path) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ssl_error(format!("cannot read ca_cert_dir {dir:?}: {e}")).with_source(e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| {
            ssl_error(format!("cannot list ca_cert_dir {dir:?}: {e}")).with_source(e)
        })?;
        paths.push(entry.path());
    }
    // A stable order makes the outcome independent of the directory's listing order.
    paths.sort();
    let before = roots.len();
    for path in paths {
        // Follows symlinks, as c_rehash directories are made of them.
        if !std::fs::metadata(&path)
            .map(|m| m.is_file())
            .unwrap_or(false)
        {
            continue;
        }
        let Ok(pem) = std::fs::read(&path) else {
            tracing::debug!(target: "hip::tls", ?path, "skipping unreadable file in ca_cert_dir");
            continue;
        };
        let certs = CertificateDer::pem_slice_iter(&pem).filter_map(Result::ok);
        let (added, ignored) = roots.add_parsable_certificates(certs);
        if ignored > 0 {
            tracing::debug!(target: "hip::tls", ?path, added, ignored, "unusable certificates in ca_cert_dir");
        }
    }
    if roots.len() == before {
        return Err(ssl_error(format!(
            "no usable PEM certificates found in ca_cert_dir {dir:?}"
        )));
    }
    Ok(())
}

/// The roots used when no CA is given: the platform's (feature `native-roots`) and/or
/// Mozilla's (feature `webpki-roots`). Loaded once per process.
fn default_roots() -> Result<Arc<RootCertStore>, Error> {
    static ROOTS: OnceLock<Result<Arc<RootCertStore>, String>> = OnceLock::new();
    ROOTS
        .get_or_init(load_default_roots)
        .clone()
        .map_err(ssl_error)
}

fn load_default_roots() -> Result<Arc<RootCertStore>, String> {
    #[allow(unused_mut)] // Without either roots feature nothing is added.
    let mut roots = RootCertStore::empty();
    #[allow(unused_mut)]
    let mut problems: Vec<String> = Vec::new();
    #[cfg(feature = "native-roots")]
    {
        let found = rustls_native_certs::load_native_certs();
        let (added, ignored) = roots.add_parsable_certificates(found.certs);
        tracing::debug!(target: "hip::tls", added, ignored, "loaded platform root certificates");
        problems.extend(found.errors.iter().map(|e| e.to_string()));
    }
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if roots.is_empty() {
        let mut message = String::from(
            "no trusted root certificates are available: pass ca_certs, ca_cert_dir or \
             ca_cert_data, or enable the \"native-roots\" or \"webpki-roots\" feature",
        );
        if !problems.is_empty() {
            message.push_str(&format!(
                " (loading the platform roots failed: {})",
                problems.join("; ")
            ));
        }
        return Err(message);
    }
    Ok(Arc::new(roots))
}

/// Loads the client certificate chain and its key.
fn load_client_identity(
    cert_file: &Path,
    key_file: Option<&Path>,
    password: Option<&str>,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), Error> {
    let cert_pem = std::fs::read(cert_file).map_err(|e| {
        ssl_error(format!("cannot read cert_file {cert_file:?}: {e}")).with_source(e)
    })?;
    let chain = parse_certificates(&cert_pem, &format!("cert_file {cert_file:?}"))?;
    let key = match key_file {
        Some(key_file) => {
            let key_pem = std::fs::read(key_file).map_err(|e| {
                ssl_error(format!("cannot read key_file {key_file:?}: {e}")).with_source(e)
            })?;
            parse_private_key(&key_pem, password, &format!("key_file {key_file:?}"))?
        }
        None => parse_private_key(&cert_pem, password, &format!("cert_file {cert_file:?}"))
            .map_err(|e| {
                ssl_error(format!(
                    "{} (no key_file was given, so the key is looked for in cert_file)",
                    e.message()
                ))
            })?,
    };
    Ok((chain, key))
}

const ENCRYPTED_BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
const ENCRYPTED_END: &str = "-----END ENCRYPTED PRIVATE KEY-----";

/// The first private key in a PEM document, decrypting an `ENCRYPTED PRIVATE KEY` with
/// `password`.
fn parse_private_key(
    pem: &[u8],
    password: Option<&str>,
    what: &str,
) -> Result<PrivateKeyDer<'static>, Error> {
    let text = String::from_utf8_lossy(pem);
    if let Some(start) = text.find(ENCRYPTED_BEGIN) {
        let Some(end) = text[start..].find(ENCRYPTED_END) else {
            return Err(ssl_error(format!(
                "{what} has an ENCRYPTED PRIVATE KEY without its END line"
            )));
        };
        let block = &text[start..start + end + ENCRYPTED_END.len()];
        return decrypt_pkcs8(block.as_bytes(), password, what);
    }
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(ssl_error(format!(
            "{what} holds a legacy OpenSSL-encrypted key (\"Proc-Type: 4,ENCRYPTED\"), which is \
             not supported: convert it to PKCS#8 with `openssl pkcs8 -topk8 -v2 aes256`"
        )));
    }
    match PrivateKeyDer::from_pem_slice(pem) {
        Ok(key) => Ok(key),
        Err(rustls_pki_types::pem::Error::NoItemsFound) => Err(ssl_error(format!(
            "no private key found in {what}: expected a PEM \"PRIVATE KEY\", \"RSA PRIVATE KEY\", \
             \"EC PRIVATE KEY\" or \"ENCRYPTED PRIVATE KEY\""
        ))),
        Err(e) => Err(ssl_error(format!(
            "cannot parse the private key in {what}: {e}"
        ))),
    }
}

fn decrypt_pkcs8(
    block: &[u8],
    password: Option<&str>,
    what: &str,
) -> Result<PrivateKeyDer<'static>, Error> {
    let Some(password) = password else {
        return Err(invalid(format!(
            "the private key in {what} is encrypted: key_password is required"
        )));
    };
    let (_label, der) = pkcs8::der::pem::decode_vec(block).map_err(|e| {
        ssl_error(format!(
            "cannot decode the ENCRYPTED PRIVATE KEY in {what}: {e}"
        ))
    })?;
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()).map_err(|e| {
        ssl_error(format!(
            "cannot parse the ENCRYPTED PRIVATE KEY in {what}: {e}"
        ))
    })?;
    let plain = info.decrypt(password).map_err(|e| {
        ssl_error(format!(
            "cannot decrypt the private key in {what} (wrong key_password?): {e}"
        ))
    })?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        plain.as_bytes().to_vec(),
    )))
}

/// Parses a host name or IP literal (brackets allowed) into a rustls server name.
fn server_name(host: &str) -> Result<ServerName<'static>, rustls_pki_types::InvalidDnsNameError> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(bare.to_owned())
}

/// Accepts any certificate chain but still checks that the server holds the key of the
/// certificate it sent (`cert_reqs = None` and `assert_fingerprint`).
#[derive(Debug)]
struct NoChainVerifier {
    provider: Arc<CryptoProvider>,
}

impl NoChainVerifier {
    fn new(provider: Arc<CryptoProvider>) -> Self {
        NoChainVerifier { provider }
    }
}

impl ServerCertVerifier for NoChainVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Verifies the chain with webpki, and the name against `name` instead of the host
/// (`assert_hostname = Name`), or not at all (`assert_hostname = Disabled`, `name: None`).
#[derive(Debug)]
struct NameOverride {
    inner: Arc<WebPkiServerVerifier>,
    name: Option<ServerName<'static>>,
}

impl ServerCertVerifier for NameOverride {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.name {
            Some(name) => {
                self.inner
                    .verify_server_cert(end_entity, intermediates, name, ocsp_response, now)
            }
            None => {
                // webpki checks the chain before the name, so a name error means the chain
                // was fine.
                match self.inner.verify_server_cert(
                    end_entity,
                    intermediates,
                    server_name,
                    ocsp_response,
                    now,
                ) {
                    Err(rustls::Error::InvalidCertificate(
                        CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. },
                    )) => Ok(ServerCertVerified::assertion()),
                    other => other,
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Runs the TLS handshake over `io`: the connecting half of the spec's `ssl_wrap_socket`.
///
/// SNI and the name verified are `opts.server_hostname`, else `host` (an IP literal, with
/// or without brackets, is verified as an IP address and sends no SNI). After the
/// handshake, `opts.assert_fingerprint` is checked against the server's leaf certificate.
/// `config` is what [`build_client_config`] made from the same `opts`.
///
/// Errors are [`ErrorKind::Ssl`] with a message that names the host and the reason
/// ("certificate has expired", "unknown issuer", "not valid for ...", the alert the server
/// sent), and the I/O error as source; an invalid host name is [`ErrorKind::InvalidValue`].
pub async fn handshake(
    io: BoxIo,
    host: &str,
    opts: &TlsOptions,
    config: &Arc<ClientConfig>,
) -> Result<BoxIo, Error> {
    let sni = opts.server_hostname.as_deref().unwrap_or(host);
    let name = server_name(sni).map_err(|_| {
        invalid(format!(
            "{sni:?} is neither a valid DNS name nor an IP address, so it cannot be used for TLS"
        ))
    })?;
    let connector = tokio_rustls::TlsConnector::from(config.clone());
    let stream = connector
        .connect(name, io)
        .await
        .map_err(|e| handshake_error(sni, opts, e))?;
    if let Some(expected) = &opts.assert_fingerprint {
        let (_, conn) = stream.get_ref();
        let leaf = conn
            .peer_certificates()
            .and_then(|certs| certs.first())
            .ok_or_else(|| {
                ssl_error(format!(
                    "the server {sni:?} sent no certificate to check assert_fingerprint against"
                ))
            })?;
        assert_fingerprint(leaf.as_ref(), expected)?;
    }
    Ok(Box::new(stream))
}

/// [`handshake`] bounded by `timeout` (the part of the connect timeout that is left): when
/// it runs out first, [`ErrorKind::ConnectTimeout`] naming `host`, as
/// [`crate::connect::open`] reports it. `None` waits as long as the handshake takes.
pub async fn handshake_with_timeout(
    io: BoxIo,
    host: &str,
    opts: &TlsOptions,
    config: &Arc<ClientConfig>,
    timeout: Option<std::time::Duration>,
) -> Result<BoxIo, Error> {
    match timeout {
        Some(limit) => tokio::time::timeout(limit, handshake(io, host, opts, config))
            .await
            .unwrap_or_else(|_elapsed| Err(crate::connect::connect_timeout_error(host, limit))),
        None => handshake(io, host, opts, config).await,
    }
}

/// Turns an I/O error from a TLS stream after the handshake into an `SSLError` when TLS
/// caused it, and gives it back unchanged otherwise.
///
/// With TLS 1.3 the client finishes its handshake before the server has checked the client
/// certificate, so a server that refuses it is heard only on the first read (as the alert
/// `CertificateRequired` or `BadCertificate`); the spec raises `SSLError` there too. Pools
/// pass errors of the first read through this to report them as such.
pub fn ssl_error_from_io(host: &str, e: std::io::Error) -> Result<Error, std::io::Error> {
    let is_tls = e
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
    if is_tls {
        Ok(handshake_error_with(
            host,
            &TlsOptions::default(),
            e,
            "TLS connection",
        ))
    } else {
        Err(e)
    }
}

/// Turns a failed handshake into an `SSLError` whose message says why.
fn handshake_error(host: &str, opts: &TlsOptions, e: std::io::Error) -> Error {
    handshake_error_with(host, opts, e, "TLS handshake")
}

fn handshake_error_with(host: &str, opts: &TlsOptions, e: std::io::Error, what: &str) -> Error {
    let reason = match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(tls) => describe_tls_error(host, opts, tls),
        None if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the server closed the connection during the handshake".to_owned()
        }
        None => e.to_string(),
    };
    ssl_error(format!("{what} with {host:?} failed: {reason}")).with_source(e)
}

fn describe_tls_error(host: &str, opts: &TlsOptions, e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(ce) => {
            format!(
                "certificate verify failed: {}",
                describe_cert_error(host, ce)
            )
        }
        rustls::Error::AlertReceived(alert) => {
            let hint = match alert {
                AlertDescription::CertificateRequired => {
                    "; the server requires a client certificate (cert_file, key_file)"
                }
                AlertDescription::BadCertificate
                | AlertDescription::UnknownCA
                | AlertDescription::CertificateUnknown
                | AlertDescription::DecryptError => {
                    "; the server rejected the client certificate"
                }
                AlertDescription::CertificateExpired => {
                    "; the server says the client certificate has expired"
                }
                AlertDescription::ProtocolVersion => match opts.min_version {
                    Some(TlsVersion::Tls13) => {
                        "; the server does not support the TLS versions offered (min_version is TLS 1.3)"
                    }
                    _ => "; the server does not support TLS 1.2 or 1.3",
                },
                AlertDescription::HandshakeFailure => {
                    "; no common protocol version or cipher suite, or the server refused the handshake"
                }
                _ => "",
            };
            format!("the server sent the alert {alert:?}{hint}")
        }
        rustls::Error::PeerIncompatible(why) => {
            format!("the server is incompatible: {why:?}")
        }
        rustls::Error::PeerMisbehaved(why) => format!("the server broke the protocol: {why:?}"),
        rustls::Error::General(message) => message.clone(),
        other => other.to_string(),
    }
}

/// `t` as `YYYY-MM-DD hh:mm:ss UTC` (proleptic Gregorian calendar).
fn utc_date(t: UnixTime) -> String {
    let secs = t.as_secs();
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm, for days >= 0).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// rustls names the presented subject names in `Debug` form (`DnsName("a.example")`,
/// `IpAddress(127.0.0.1)`); show the bare names.
fn bare_presented_name(presented: &str) -> &str {
    if let Some(dns) = presented
        .strip_prefix("DnsName(\"")
        .and_then(|p| p.strip_suffix("\")"))
    {
        return dns;
    }
    presented
        .strip_prefix("IpAddress(")
        .and_then(|p| p.strip_suffix(')'))
        .unwrap_or(presented)
}

fn describe_cert_error(host: &str, ce: &CertificateError) -> String {
    match ce {
        CertificateError::Expired => "certificate has expired".to_owned(),
        CertificateError::ExpiredContext { time, not_after } => format!(
            "certificate has expired (not valid after {}, now {})",
            utc_date(*not_after),
            utc_date(*time)
        ),
        CertificateError::NotValidYet => "certificate is not yet valid".to_owned(),
        CertificateError::NotValidYetContext { time, not_before } => format!(
            "certificate is not yet valid (not valid before {}, now {})",
            utc_date(*not_before),
            utc_date(*time)
        ),
        CertificateError::UnknownIssuer => {
            "unable to get local issuer certificate: unknown issuer \
             (the certificate is self-signed or not signed by a trusted CA)"
                .to_owned()
        }
        CertificateError::NotValidForName => {
            format!("hostname mismatch: the certificate is not valid for {host:?}")
        }
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => {
            let expected = match expected {
                ServerName::DnsName(d) => d.as_ref().to_owned(),
                ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
                other => format!("{other:?}"),
            };
            if presented.is_empty() {
                format!("hostname mismatch: the certificate is not valid for {expected:?} (it names no host)")
            } else {
                format!(
                    "hostname mismatch: the certificate is not valid for {expected:?}, only for {}",
                    presented
                        .iter()
                        .map(|p| bare_presented_name(p))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
        CertificateError::BadSignature => "certificate signature is invalid".to_owned(),
        CertificateError::Revoked => "certificate has been revoked".to_owned(),
        CertificateError::BadEncoding => "certificate is malformed".to_owned(),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "certificate is not valid for TLS server authentication (extended key usage)".to_owned()
        }
        other => other.to_string(),
    }
}

/// A digest of a certificate, as selected by the length of an expected fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Digest {
    Md5,
    Sha1,
    Sha256,
}

fn parse_fingerprint(fingerprint: &str) -> Result<(Digest, Vec<u8>), Error> {
    let normalized: String = fingerprint
        .trim()
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let digest = match normalized.len() {
        32 => Digest::Md5,
        40 => Digest::Sha1,
        64 => Digest::Sha256,
        n => {
            return Err(invalid(format!(
                "Fingerprint of invalid length: {fingerprint:?} ({n} hex digits; expected 32 \
                 for MD5, 40 for SHA-1 or 64 for SHA-256)"
            )))
        }
    };
    let bytes = hex::decode(&normalized).map_err(|e| {
        invalid(format!(
            "Fingerprint is not hexadecimal: {fingerprint:?} ({e})"
        ))
    })?;
    Ok((digest, bytes))
}

/// Checks that `cert_der` (a DER certificate) has the digest `fingerprint`: the spec's
/// `hip.util.assert_fingerprint`.
///
/// The fingerprint is hex, with or without colons, in any case; its length selects the
/// digest: 32 digits MD5, 40 SHA-1, 64 SHA-256. A malformed fingerprint is
/// [`ErrorKind::InvalidValue`]; a mismatch is [`ErrorKind::Ssl`]
/// (`Fingerprints did not match. Expected "...", got "..."`).
pub fn assert_fingerprint(cert_der: &[u8], fingerprint: &str) -> Result<(), Error> {
    use sha1::Digest as _;
    let (digest, expected) = parse_fingerprint(fingerprint)?;
    let actual: Vec<u8> = match digest {
        Digest::Md5 => md5::Md5::digest(cert_der).to_vec(),
        Digest::Sha1 => sha1::Sha1::digest(cert_der).to_vec(),
        Digest::Sha256 => sha2::Sha256::digest(cert_der).to_vec(),
    };
    // Compare without an early exit, as the spec's implementation does.
    let differs = actual
        .iter()
        .zip(&expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if differs != 0 || actual.len() != expected.len() {
        return Err(ssl_error(format!(
            "Fingerprints did not match. Expected \"{}\", got \"{}\"",
            hex::encode(&expected),
            hex::encode(&actual)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let md5 = hex::encode(<md5::Md5 as md5::Digest>::digest(cert));
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
    fn options_key_compares_context_by_identity() {
        let a = TlsOptions::default();
        let mut b = TlsOptions::default();
        assert_eq!(a.key(), b.key());
        b.assert_hostname = AssertHostname::Disabled;
        assert_ne!(a.key(), b.key());

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
        assert_eq!(with(&config).key(), with(&config).key());
        assert_ne!(with(&config).key(), with(&other).key());
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
