//! `assert_fingerprint`: the server's leaf certificate pinned by its MD5, SHA-1 or SHA-256
//! digest.
//!
//! SHA-1 and SHA-256 come from ring (already the rustls crypto provider); ring has no MD5,
//! so the md5 crate (no dependencies of its own) computes that one.

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
    let bytes = hex_decode(&normalized).map_err(|(at, c)| {
        invalid(format!(
            "Fingerprint is not hexadecimal: {fingerprint:?} (invalid character {c:?} at \
             position {at} once the colons are removed)"
        ))
    })?;
    Ok((digest, bytes))
}

/// Lowercase hex digits to bytes; an error names the first character that is not one (its
/// index in `hex` and the character). `hex` has an even length.
fn hex_decode(hex: &str) -> Result<Vec<u8>, (usize, char)> {
    fn digit(at: usize, c: char) -> Result<u8, (usize, char)> {
        c.to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
            .ok_or((at, c))
    }
    let chars: Vec<char> = hex.chars().collect();
    chars
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| match *pair {
            [hi, lo] => Ok(digit(2 * i, hi)? << 4 | digit(2 * i + 1, lo)?),
            [c] => Err((2 * i, c)),
            _ => unreachable!("chunks(2) yields one or two characters"),
        })
        .collect()
}

/// Bytes as lowercase hex digits.
pub(super) fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Checks that `cert_der` (a DER certificate) has the digest `fingerprint`: the spec's
/// `hip.util.assert_fingerprint`.
///
/// The fingerprint is hex, with or without colons, in any case; its length selects the
/// digest: 32 digits MD5, 40 SHA-1, 64 SHA-256. A malformed fingerprint is
/// [`ErrorKind::InvalidValue`]; a mismatch is [`ErrorKind::Ssl`]
/// (`Fingerprints did not match. Expected "...", got "..."`).
pub fn assert_fingerprint(cert_der: &[u8], fingerprint: &str) -> Result<(), Error> {
    let (digest, expected) = parse_fingerprint(fingerprint)?;
    let actual: Vec<u8> = match digest {
        Digest::Md5 => md5::compute(cert_der).0.to_vec(),
        Digest::Sha1 => ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert_der)
            .as_ref()
            .to_vec(),
        Digest::Sha256 => ring::digest::digest(&ring::digest::SHA256, cert_der)
            .as_ref()
            .to_vec(),
    };
    // Compare without an early exit, as the spec's implementation does.
    let differs = actual
        .iter()
        .zip(&expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if differs != 0 || actual.len() != expected.len() {
        return Err(ssl_error(format!(
            "Fingerprints did not match. Expected \"{}\", got \"{}\"",
            hex_encode(&expected),
            hex_encode(&actual)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_errors() {
        let bytes: Vec<u8> = (0..=255).collect();
        let hex = hex_encode(&bytes);
        assert_eq!(&hex[..8], "00010203");
        assert_eq!(&hex[hex.len() - 4..], "feff");
        assert_eq!(hex_decode(&hex).unwrap(), bytes);
        assert_eq!(hex_decode("0g"), Err((1, 'g')));
        assert_eq!(hex_decode("é0"), Err((0, 'é')));
    }

    #[test]
    fn a_non_hex_fingerprint_names_the_character() {
        let fp = format!("{}zz", "ab".repeat(15));
        let e = parse_fingerprint(&fp).unwrap_err();
        assert_eq!(
            e.message(),
            format!(
                "Fingerprint is not hexadecimal: {fp:?} (invalid character 'z' at position 30 \
                 once the colons are removed)"
            )
        );
    }
}
