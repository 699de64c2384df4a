//! The handshake on a new connection, and the translation of TLS failures into `SSLError`s
//! that say why (which certificate, which name, which alert).

use std::sync::Arc;

use hip_core::Error;
use rustls::{AlertDescription, CertificateError, ClientConfig};
use rustls_pki_types::{ServerName, UnixTime};

use crate::transport::tcp::BoxIo;

use super::stream::TlsStream;
use super::verify::server_name;
use super::*;

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
pub(crate) async fn handshake(
    io: BoxIo,
    host: &str,
    opts: &TlsOptions,
    config: &Arc<ClientConfig>,
) -> Result<BoxIo, Error> {
    crate::warnings::check_system_time();
    let sni = opts.server_hostname.as_deref().unwrap_or(host);
    let name = server_name(sni).map_err(|_| {
        invalid(format!(
            "{sni:?} is neither a valid DNS name nor an IP address, so it cannot be used for TLS"
        ))
    })?;
    let conn = rustls::ClientConnection::new(config.clone(), name)
        .map_err(|e| handshake_error(sni, opts, std::io::Error::other(e)))?;
    let stream = TlsStream::connect(io, conn)
        .await
        .map_err(|e| handshake_error(sni, opts, e))?;
    if let Some(expected) = &opts.assert_fingerprint {
        let leaf = stream
            .connection()
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

/// Turns an I/O error from a TLS stream after the handshake into an `SSLError` when TLS
/// caused it, and gives it back unchanged otherwise.
///
/// With TLS 1.3 the client finishes its handshake before the server has checked the client
/// certificate, so a server that refuses it is heard only on the first read (as the alert
/// `CertificateRequired` or `BadCertificate`); the spec raises `SSLError` there too. Pools
/// pass errors of the first read through this to report them as such.
pub(crate) fn ssl_error_from_io(host: &str, e: std::io::Error) -> Result<Error, std::io::Error> {
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

/// True when an `SSLError` is a verdict of TLS itself (a certificate that failed
/// verification, a pinned fingerprint that did not match, an alert such as a refused client
/// certificate) rather than a connection cut short during the handshake. A verdict does not
/// change on another attempt, so the urlopen loop returns it at once instead of retrying.
pub(crate) fn is_verdict(e: &Error) -> bool {
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if c.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
        }
        cause = c.source();
    }
    // Made by hip itself (fingerprint or hostname checks): a verdict.
    true
}

/// Turns a failed handshake into an `SSLError` whose message says why.
pub(super) fn handshake_error(host: &str, opts: &TlsOptions, e: std::io::Error) -> Error {
    handshake_error_with(host, opts, e, "TLS handshake")
}

pub(super) fn handshake_error_with(
    host: &str,
    opts: &TlsOptions,
    e: std::io::Error,
    what: &str,
) -> Error {
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

pub(super) fn describe_tls_error(host: &str, opts: &TlsOptions, e: &rustls::Error) -> String {
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
        rustls::Error::InvalidMessage(why) => format!(
            "the server's answer is not TLS ({why:?}): is {host:?} serving plain HTTP on this \
             port? Try an http:// URL"
        ),
        other => other.to_string(),
    }
}

/// `t` as `YYYY-MM-DD hh:mm:ss UTC` (proleptic Gregorian calendar).
pub(super) fn utc_date(t: UnixTime) -> String {
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
pub(super) fn bare_presented_name(presented: &str) -> &str {
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

pub(super) fn describe_cert_error(host: &str, ce: &CertificateError) -> String {
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
        // webpki's `CaUsedAsEndEntity`, which rustls hands on as an opaque `Other`.
        CertificateError::Other(other) if other.to_string().contains("CaUsedAsEndEntity") => {
            "the server's certificate is a CA certificate (basicConstraints CA:TRUE, as \
             `openssl req -x509` makes by default), which cannot be a server's own: make it \
             with `-addext basicConstraints=critical,CA:FALSE`, or sign a server certificate \
             with a CA and trust the CA (ca_certs)"
                .to_owned()
        }
        other => other.to_string(),
    }
}
