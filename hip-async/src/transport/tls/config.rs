//! Building the rustls configuration of a pool: trusted roots (`ca_certs`, `ca_cert_dir`,
//! `ca_cert_data`, the platform store), client certificates and keys (encrypted PKCS#8
//! with the `encrypted-keys` feature), and the verifier each option combination needs.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use hip_core::Error;
use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::fingerprint::parse_fingerprint;
use super::verify::server_name;
use super::verify::{NameOverride, NoChainVerifier};
use super::*;

/// Builds the rustls config for `opts`: the spec's `create_urllib3_context` plus the
/// loading half of `ssl_wrap_socket`. Build once per pool and reuse it for every
/// connection (it also holds the TLS session cache).
///
/// Errors: [`ErrorKind::InvalidValue`] for options that cannot be used together or are
/// malformed (a fingerprint of the wrong length, a `key_file` without `cert_file`, an
/// invalid `assert_hostname`); [`ErrorKind::Ssl`] for files that cannot be read or hold no
/// usable certificate or key (the message names the file), and when no trusted roots are
/// available.
pub(crate) fn build_client_config(opts: &TlsOptions) -> Result<Arc<ClientConfig>, Error> {
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
pub(super) fn adapt_context(
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
pub(super) fn trusted_roots(opts: &TlsOptions) -> Result<Arc<RootCertStore>, Error> {
    if opts.ca_certs.is_none() && opts.ca_cert_dir.is_none() && opts.ca_cert_data.is_none() {
        return default_roots();
    }
    let mut roots = RootCertStore::empty();
    if let Some(path) = &opts.ca_certs {
        let pem = std::fs::read(path)
            .map_err(|e| ssl_error(format!("cannot read ca_certs file {path:?}")).with_source(e))?;
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

pub(super) fn add_roots(
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
pub(super) fn parse_certificates(
    pem: &[u8],
    what: &str,
) -> Result<Vec<CertificateDer<'static>>, Error> {
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

pub(super) fn load_cert_dir(roots: &mut RootCertStore, dir: &Path) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ssl_error(format!("cannot read ca_cert_dir {dir:?}")).with_source(e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry
            .map_err(|e| ssl_error(format!("cannot list ca_cert_dir {dir:?}")).with_source(e))?;
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
pub(super) fn default_roots() -> Result<Arc<RootCertStore>, Error> {
    static ROOTS: OnceLock<Result<Arc<RootCertStore>, String>> = OnceLock::new();
    ROOTS
        .get_or_init(load_default_roots)
        .clone()
        .map_err(ssl_error)
}

pub(super) fn load_default_roots() -> Result<Arc<RootCertStore>, String> {
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
pub(super) fn load_client_identity(
    cert_file: &Path,
    key_file: Option<&Path>,
    password: Option<&str>,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), Error> {
    let cert_pem = std::fs::read(cert_file)
        .map_err(|e| ssl_error(format!("cannot read cert_file {cert_file:?}")).with_source(e))?;
    let chain = parse_certificates(&cert_pem, &format!("cert_file {cert_file:?}"))?;
    let key = match key_file {
        Some(key_file) => {
            let key_pem = std::fs::read(key_file).map_err(|e| {
                ssl_error(format!("cannot read key_file {key_file:?}")).with_source(e)
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

pub(super) const ENCRYPTED_BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
pub(super) const ENCRYPTED_END: &str = "-----END ENCRYPTED PRIVATE KEY-----";

/// The first private key in a PEM document, decrypting an `ENCRYPTED PRIVATE KEY` with
/// `password`.
pub(super) fn parse_private_key(
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

/// Decrypts an `ENCRYPTED PRIVATE KEY` PEM block (PKCS#8 with PBES2) with `password`.
#[cfg(feature = "encrypted-keys")]
pub(super) fn decrypt_pkcs8(
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
    Ok(PrivateKeyDer::Pkcs8(
        rustls_pki_types::PrivatePkcs8KeyDer::from(plain.as_bytes().to_vec()),
    ))
}

/// Without the `encrypted-keys` feature an `ENCRYPTED PRIVATE KEY` cannot be used: the
/// error says how to get a build (or a key) that works.
#[cfg(not(feature = "encrypted-keys"))]
pub(super) fn decrypt_pkcs8(
    _block: &[u8],
    _password: Option<&str>,
    what: &str,
) -> Result<PrivateKeyDer<'static>, Error> {
    Err(ssl_error(format!(
        "the private key in {what} is an ENCRYPTED PRIVATE KEY, and this build of hip cannot \
         decrypt it: enable hip's \"encrypted-keys\" feature (it decrypts with key_password), \
         or decrypt the key once with `openssl pkcs8 -in <key> -out <plain key>` and pass that"
    )))
}
