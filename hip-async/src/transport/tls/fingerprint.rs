//! `assert_fingerprint`: the server's leaf certificate pinned by its MD5, SHA-1 or SHA-256
//! digest.

use hip_core::Error;

use super::*;

/// A digest of a certificate, as selected by the length of an expected fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Digest {
    Md5,
    Sha1,
    Sha256,
}

pub(super) fn parse_fingerprint(fingerprint: &str) -> Result<(Digest, Vec<u8>), Error> {
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
