//! `hip_core::decode`: header parsing, feature lists, and every way a body can fail to
//! decode (corrupt, truncated, trailing bytes, calls in the wrong order).

/// Under `decode::`, so that `cargo test -p hip-core decode` selects these tests.
mod decode {

    use std::error::Error as _;

    use hip_core::decode::{self, Coding, ContentDecoder};
    use hip_core::{Error, ErrorKind};

    /// Decodes `body` whole and finishes.
    #[allow(dead_code, reason = "unused when no coding feature is on")]
    fn decode_whole(header: &str, body: &[u8]) -> Result<Vec<u8>, Error> {
        let mut decoder = ContentDecoder::from_header(header)?.expect("a decoder");
        let mut out = Vec::new();
        decoder.decode(body, &mut out)?;
        decoder.finish(&mut out)?;
        Ok(out)
    }

    /// Asserts that `result` is the decode error for `coding`, whose cause mentions `detail`.
    #[allow(dead_code, reason = "unused when no coding feature is on")]
    fn assert_decode_error(result: Result<Vec<u8>, Error>, coding: &str, detail: &str) {
        let err = result.expect_err("a decode error");
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(
            err.message(),
            format!("Received response with content-encoding: {coding}, but failed to decode it.")
        );
        let cause = err.source().expect("a cause").to_string();
        assert!(cause.contains(detail), "cause {cause:?} lacks {detail:?}");
    }

    #[cfg(any(feature = "gzip", feature = "deflate"))]
    #[allow(dead_code, reason = "which helpers are used depends on the features")]
    mod flate {
        use std::io::Write;

        pub(super) fn gzip(data: &[u8]) -> Vec<u8> {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }

        pub(super) fn zlib(data: &[u8]) -> Vec<u8> {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }

        pub(super) fn raw_deflate(data: &[u8]) -> Vec<u8> {
            let mut e =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
    }

    // ---- headers and features ----

    #[test]
    fn coding_tokens() {
        assert_eq!(Coding::from_token("gzip"), Some(Coding::Gzip));
        assert_eq!(Coding::from_token("X-GZIP"), Some(Coding::Gzip));
        assert_eq!(Coding::from_token(" Deflate "), Some(Coding::Deflate));
        assert_eq!(Coding::from_token("Br"), Some(Coding::Brotli));
        assert_eq!(Coding::from_token("ZSTD"), Some(Coding::Zstd));
        assert_eq!(Coding::from_token("IDENTITY"), Some(Coding::Identity));
        assert_eq!(Coding::from_token("compress"), None);
        assert_eq!(Coding::from_token("x-deflate"), None);
        assert_eq!(Coding::from_token("gzip;q=1"), None);
        assert_eq!(Coding::from_token(""), None);
        assert_eq!(Coding::Brotli.as_str(), "br");
        assert_eq!(Coding::Zstd.to_string(), "zstd");
        assert_eq!("GZip".parse::<Coding>().unwrap(), Coding::Gzip);
        let err = "lzma".parse::<Coding>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(err.message(), "unknown content-coding \"lzma\"");
    }

    #[test]
    fn supported_encodings_follow_the_features() {
        let mut want = Vec::new();
        if cfg!(feature = "gzip") {
            want.push("gzip");
        }
        if cfg!(feature = "deflate") {
            want.push("deflate");
        }
        if cfg!(feature = "brotli") {
            want.push("br");
        }
        if cfg!(feature = "zstd") {
            want.push("zstd");
        }
        assert_eq!(decode::supported_encodings(), want.as_slice());
        assert_eq!(decode::CONTENT_DECODERS, want.as_slice());
        assert_eq!(decode::accept_encoding(), want.join(", "));
        assert_eq!(Coding::Gzip.is_supported(), cfg!(feature = "gzip"));
        assert_eq!(Coding::Deflate.is_supported(), cfg!(feature = "deflate"));
        assert_eq!(Coding::Brotli.is_supported(), cfg!(feature = "brotli"));
        assert_eq!(Coding::Zstd.is_supported(), cfg!(feature = "zstd"));
        assert!(Coding::Identity.is_supported());
    }

    #[cfg(all(
        feature = "gzip",
        feature = "deflate",
        not(feature = "brotli"),
        not(feature = "zstd")
    ))]
    #[test]
    fn default_features_decode_gzip_and_deflate_like_the_spec() {
        assert_eq!(decode::CONTENT_DECODERS, ["gzip", "deflate"]);
        assert_eq!(decode::accept_encoding(), "gzip, deflate");
    }

    #[cfg(all(
        feature = "gzip",
        feature = "deflate",
        feature = "brotli",
        feature = "zstd"
    ))]
    #[test]
    fn all_features_decode_four_codings() {
        assert_eq!(decode::accept_encoding(), "gzip, deflate, br, zstd");
    }

    #[test]
    fn nothing_to_decode_is_none() {
        for header in [
            "",
            " ",
            "identity",
            "IDENTITY",
            "identity, identity",
            " , ,",
        ] {
            assert!(
                ContentDecoder::from_header(header).unwrap().is_none(),
                "{header:?}"
            );
        }
    }

    #[test]
    fn unknown_codings_pass_through_as_none() {
        for header in [
            "compress",
            "gzip, compress",
            "lzma, deflate",
            "gzip;q=1",
            "g\u{fc}zip",
            "br2",
        ] {
            assert!(
                ContentDecoder::from_header(header).unwrap().is_none(),
                "{header:?}"
            );
        }
    }

    #[cfg(not(feature = "brotli"))]
    #[test]
    fn known_but_compiled_out_coding_is_none() {
        assert!(ContentDecoder::from_header("br").unwrap().is_none());
        assert!(ContentDecoder::from_header("gzip, br").unwrap().is_none());
        let err = ContentDecoder::new(&[Coding::Brotli]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(
            err.message(),
            "content-coding \"br\" is not supported by this build (enable hip's \"brotli\" feature)"
        );
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn header_lists_skip_identity_and_empty_elements() {
        let decoder = ContentDecoder::from_header("identity,, GZIP ,")
            .unwrap()
            .unwrap();
        assert_eq!(decoder.codings(), vec![Coding::Gzip]);
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn too_many_chained_codings_is_a_decode_error() {
        let five = ["gzip"; decode::MAX_CHAINED_CODINGS].join(", ");
        assert!(ContentDecoder::from_header(&five).unwrap().is_some());
        let six = ["gzip"; decode::MAX_CHAINED_CODINGS + 1].join(",");
        let err = ContentDecoder::from_header(&six).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(
            err.message(),
            format!("Content-Encoding {six:?} chains 6 codings, more than the 5 allowed")
        );
        // Unknown codings do not get around the limit.
        let long = ["foo"; 1000].join(",");
        let err = ContentDecoder::from_header(&long).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        // Nor does building the chain by hand.
        let err = ContentDecoder::new(&[Coding::Gzip; 6]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
    }

    // ---- gzip ----

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_corrupt_deflate_data() {
        let mut body = flate::gzip(&[7u8; 10_000]);
        // Block type 3 is reserved: set both BTYPE bits of the first block header.
        body[10] |= 0b110;
        assert_decode_error(decode_whole("gzip", &body), "gzip", "invalid deflate data");
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_bad_magic_and_method() {
        assert_decode_error(
            decode_whole("gzip", b"plain text, not gzip"),
            "gzip",
            "expected magic bytes 1f 8b, got 70 6c",
        );
        let mut body = flate::gzip(b"x");
        body[2] = 7;
        assert_decode_error(decode_whole("gzip", &body), "gzip", "compression method 7");
        let mut body = flate::gzip(b"x");
        body[3] = 0x20;
        assert_decode_error(decode_whole("gzip", &body), "gzip", "reserved header flag");
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_checksum_and_length_are_checked() {
        let body = flate::gzip(b"checked");
        let n = body.len();
        let mut bad_crc = body.clone();
        bad_crc[n - 8] ^= 1;
        assert_decode_error(
            decode_whole("gzip", &bad_crc),
            "gzip",
            "CRC32 in the trailer",
        );
        let mut bad_len = body.clone();
        bad_len[n - 4] ^= 1;
        assert_decode_error(
            decode_whole("gzip", &bad_len),
            "gzip",
            "length in the trailer is 6 but 7 bytes",
        );
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_header_crc16_is_checked() {
        let mut body = vec![0x1f, 0x8b, 8, 0x02, 0, 0, 0, 0, 0, 255, 0xab, 0xcd];
        body.extend(flate::raw_deflate(b""));
        body.extend_from_slice(&[0; 8]);
        assert_decode_error(
            decode_whole("gzip", &body),
            "gzip",
            "header CRC16 is 0xcdab",
        );
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_every_truncation_fails_at_finish() {
        let mut body = vec![0x1f, 0x8b, 8, 0x04 | 0x08, 0, 0, 0, 0, 0, 255, 2, 0, 1, 2];
        body.extend_from_slice(b"n\0");
        body.extend(flate::raw_deflate(b"truncate me, please"));
        let mut crc = flate2::Crc::new();
        crc.update(b"truncate me, please");
        body.extend_from_slice(&crc.sum().to_le_bytes());
        body.extend_from_slice(&19u32.to_le_bytes());
        assert_eq!(decode_whole("gzip", &body).unwrap(), b"truncate me, please");
        for cut in 1..body.len() {
            let mut decoder = ContentDecoder::from_header("gzip").unwrap().unwrap();
            let mut out = Vec::new();
            decoder
                .decode(&body[..cut], &mut out)
                .expect("no error before the end");
            let err = decoder.finish(&mut out).expect_err("truncated");
            assert_eq!(err.kind(), ErrorKind::Decode, "cut at {cut}");
            let cause = err.source().unwrap().to_string();
            assert!(cause.starts_with("truncated gzip stream"), "{cut}: {cause}");
        }
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_truncation_names_the_place() {
        let body = flate::gzip(b"abc");
        let n = body.len();
        let cases = [
            (5, "it ended in the fixed 10-byte header of member 1"),
            (12, "it ended in the compressed data of member 1"),
            (n - 3, "it ended in the trailer of member 1 (5 of 8 bytes)"),
        ];
        for (cut, detail) in cases {
            assert_decode_error(decode_whole("gzip", &body[..cut]), "gzip", detail);
        }
        let mut two = body.clone();
        two.extend_from_slice(&body[..4]);
        assert_decode_error(
            decode_whole("gzip", &two),
            "gzip",
            "it ended in the fixed 10-byte header of member 2",
        );
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_trailing_garbage_is_ignored() {
        let body = flate::gzip(b"payload");
        for garbage in [
            &b"\0\0\0\0"[..],
            b"garbage after the member",
            b"\x1f",
            b"\x1f\x00",
        ] {
            let mut with = body.clone();
            with.extend_from_slice(garbage);
            assert_eq!(
                decode_whole("gzip", &with).unwrap(),
                b"payload",
                "{garbage:?}"
            );
            // And one byte at a time.
            let mut decoder = ContentDecoder::from_header("gzip").unwrap().unwrap();
            let mut out = Vec::new();
            for byte in &with {
                decoder
                    .decode(std::slice::from_ref(byte), &mut out)
                    .unwrap();
            }
            decoder.finish(&mut out).unwrap();
            assert_eq!(out, b"payload");
        }
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_trailing_bytes_that_look_like_a_member_must_be_one() {
        let mut body = flate::gzip(b"payload");
        body.extend_from_slice(&[0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_decode_error(
            decode_whole("gzip", &body),
            "gzip",
            "gzip member 2: unknown compression method 0",
        );
    }

    // ---- deflate ----

    #[cfg(feature = "deflate")]
    #[test]
    fn deflate_corrupt_zlib_and_raw() {
        let mut body = flate::zlib(&[1u8; 5_000]);
        body[2] |= 0b110;
        assert_decode_error(
            decode_whole("deflate", &body),
            "deflate",
            "invalid zlib data",
        );
        let mut body = flate::raw_deflate(&[1u8; 5_000]);
        body[0] |= 0b110;
        assert_decode_error(
            decode_whole("deflate", &body),
            "deflate",
            "invalid raw deflate data",
        );
    }

    #[cfg(feature = "deflate")]
    #[test]
    fn deflate_adler32_is_checked() {
        let mut body = flate::zlib(b"adler");
        let n = body.len();
        body[n - 1] ^= 0xff;
        assert_decode_error(
            decode_whole("deflate", &body),
            "deflate",
            "invalid zlib data",
        );
    }

    #[cfg(feature = "deflate")]
    #[test]
    fn deflate_every_truncation_fails_at_finish() {
        for (body, form) in [
            (flate::zlib(b"truncate me, please"), "zlib"),
            (flate::raw_deflate(b"truncate me, please"), "raw deflate"),
        ] {
            for cut in 1..body.len() {
                let result = decode_whole("deflate", &body[..cut]);
                let detail = if cut == 1 {
                    "the body is a single byte".to_string()
                } else {
                    format!("truncated {form} stream")
                };
                assert_decode_error(result, "deflate", &detail);
            }
        }
    }

    #[cfg(feature = "deflate")]
    #[test]
    fn deflate_trailing_bytes_are_ignored() {
        for mut body in [flate::zlib(b"data"), flate::raw_deflate(b"data")] {
            body.extend_from_slice(b"\0\0trailing");
            assert_eq!(decode_whole("deflate", &body).unwrap(), b"data");
        }
    }

    // ---- brotli and zstd ----

    #[cfg(feature = "brotli")]
    fn br(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams::default();
        brotli::BrotliCompress(&mut &data[..], &mut out, &params).unwrap();
        out
    }

    #[cfg(feature = "brotli")]
    #[test]
    fn brotli_corrupt_truncated_and_trailing() {
        let body = br(b"brotli body, brotli body, brotli body");
        assert_decode_error(
            decode_whole("br", &body[..body.len() - 1]),
            "br",
            "truncated brotli",
        );
        let mut trailing = body.clone();
        trailing.extend_from_slice(b"xyz");
        assert_decode_error(
            decode_whole("br", &trailing),
            "br",
            "3 bytes of data after the end of the brotli stream",
        );
        assert_decode_error(decode_whole("br", &[0xff; 16]), "br", "invalid brotli data");
    }

    #[cfg(feature = "zstd")]
    #[test]
    fn zstd_corrupt_truncated_and_trailing() {
        let body = zstd::encode_all(&b"zstd body zstd body zstd body"[..], 3).unwrap();
        for cut in 1..body.len() {
            assert_decode_error(decode_whole("zstd", &body[..cut]), "zstd", "truncated zstd");
        }
        let mut trailing = body.clone();
        trailing.extend_from_slice(b"not a frame");
        assert_decode_error(decode_whole("zstd", &trailing), "zstd", "invalid zstd data");
        assert_decode_error(
            decode_whole("zstd", b"\x00\x01\x02\x03\x04"),
            "zstd",
            "invalid zstd",
        );
    }

    // ---- stacking and call order ----

    #[cfg(all(feature = "gzip", feature = "deflate"))]
    #[test]
    fn stacked_error_names_the_failing_coding() {
        // The outer gzip is fine; the inner deflate is cut short.
        let inner = flate::zlib(b"inner data");
        let body = flate::gzip(&inner[..inner.len() - 2]);
        assert_decode_error(
            decode_whole("deflate, gzip", &body),
            "deflate",
            "truncated zlib",
        );
        // The outer gzip is cut short: it is named, though the inner is short too.
        let body = flate::gzip(&inner);
        assert_decode_error(
            decode_whole("deflate, gzip", &body[..body.len() - 1]),
            "gzip",
            "truncated gzip",
        );
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn errors_are_sticky() {
        let mut decoder = ContentDecoder::from_header("gzip").unwrap().unwrap();
        let mut out = Vec::new();
        let first = decoder.decode(b"nope", &mut out).unwrap_err();
        let again = decoder.decode(&flate::gzip(b"fine"), &mut out).unwrap_err();
        let at_end = decoder.finish(&mut out).unwrap_err();
        for err in [&again, &at_end] {
            assert_eq!(err.kind(), first.kind());
            assert_eq!(err.message(), first.message());
        }
        assert_eq!(out, b"");
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn decode_after_finish_is_a_local_error() {
        let mut decoder = ContentDecoder::from_header("gzip").unwrap().unwrap();
        let mut out = Vec::new();
        decoder.decode(&flate::gzip(b"done"), &mut out).unwrap();
        decoder.finish(&mut out).unwrap();
        let err = decoder.decode(b"more", &mut out).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LocalProtocol);
        assert_eq!(
            err.message(),
            "ContentDecoder::decode got 4 bytes after finish()"
        );
        assert_eq!(out, b"done");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A fixed pseudo-random walk over inputs for every supported coding, in pieces.
        let mut state: u32 = 7;
        let mut next = || {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) as u8
        };
        for coding in decode::supported_encodings() {
            for round in 0..200 {
                let len = usize::from(next()) + round % 3;
                let mut body: Vec<u8> = (0..len).map(|_| next()).collect();
                if round % 2 == 0 && body.len() > 3 {
                    // Give half of them a plausible start.
                    let start: &[u8] = match *coding {
                        "gzip" => &[0x1f, 0x8b, 8],
                        "deflate" => &[0x78, 0x9c, 0],
                        "zstd" => &[0x28, 0xb5, 0x2f],
                        _ => &[0x0b, 0x02, 0x80],
                    };
                    body[..3].copy_from_slice(start);
                }
                let mut decoder = ContentDecoder::from_header(coding).unwrap().unwrap();
                let mut out = Vec::new();
                let mut failed = false;
                for piece in body.chunks(usize::from(next() % 17) + 1) {
                    if decoder.decode(piece, &mut out).is_err() {
                        failed = true;
                        break;
                    }
                }
                if !failed {
                    let _ = decoder.finish(&mut out);
                }
            }
        }
    }
}

/// Decodes `body` as `zstd` in pieces of `piece` bytes with `cap` output bytes per call;
/// returns the bytes and the verdict.
#[cfg(feature = "zstd")]
fn decode_zstd_in_pieces(
    body: &[u8],
    piece: usize,
    cap: usize,
) -> (Vec<u8>, Result<(), hip_core::Error>) {
    use hip_core::decode::ContentDecoder;
    let mut d = ContentDecoder::from_header("zstd").unwrap().unwrap();
    let mut out = Vec::new();
    for chunk in body.chunks(piece) {
        let mut result = d.decode_max(chunk, &mut out, cap);
        while matches!(result, Ok(false)) {
            result = d.decode_max(&[], &mut out, cap);
        }
        if let Err(e) = result {
            return (out, Err(e));
        }
    }
    let end = d.finish(&mut out);
    (out, end)
}

/// Asserts that `body` is refused as `zstd` data however it is cut and capped.
#[cfg(feature = "zstd")]
fn assert_zstd_refused_however_it_arrives(body: &[u8], why: &str) {
    for piece in [body.len(), 1, 2, 3, 4, 8] {
        for cap in [usize::MAX, 16, 1] {
            let (_, end) = decode_zstd_in_pieces(body, piece, cap);
            let e = end.expect_err(why);
            assert_eq!(
                e.kind(),
                hip_core::ErrorKind::Decode,
                "pieces of {piece}, cap {cap}"
            );
        }
    }
}

/// Found by the `decode_zstd` fuzz target: a frame that declares 40 bytes of content and
/// holds none was refused when decoded whole but accepted in pieces.
#[cfg(feature = "zstd")]
#[test]
fn a_zstd_frame_shorter_than_it_declares_is_refused_however_it_arrives() {
    assert_zstd_refused_however_it_arrives(
        &[0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x28, 0x01, 0x00, 0x00],
        "the frame holds less than it declares",
    );
}

/// Found by the `decode_zstd` fuzz target: a last block of type "compressed" and size 0
/// was refused by libzstd when the frame arrived in one read and taken for an empty block
/// when it was streamed.
#[cfg(feature = "zstd")]
#[test]
fn an_empty_compressed_zstd_block_is_refused_however_it_arrives() {
    // Single-segment frame declaring 0 bytes, then the last block: compressed, size 0.
    assert_zstd_refused_however_it_arrives(
        &[0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x05, 0x00, 0x00],
        "a compressed block cannot be empty",
    );
    // The same block not last, in a frame without a declared size.
    assert_zstd_refused_however_it_arrives(
        &[
            0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00,
        ],
        "a compressed block cannot be empty",
    );
}

/// The layout walk that refuses empty compressed blocks follows every valid layout:
/// frames with checksums, dictionary-free frames with and without declared sizes,
/// skippable frames, empty raw blocks, RLE blocks, several frames in a row.
#[cfg(feature = "zstd")]
#[test]
fn valid_zstd_layouts_decode_however_they_arrive() {
    let text: Vec<u8> = (0..200_000u32)
        .map(|i| (i % 251) as u8 ^ (i / 997) as u8)
        .collect();
    let mut with_checksum = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
    with_checksum.include_checksum(true).unwrap();
    std::io::Write::write_all(&mut with_checksum, &text[..70_000]).unwrap();
    let with_checksum = with_checksum.finish().unwrap();
    let mut unsized_frame = zstd::stream::Encoder::new(Vec::new(), 1).unwrap();
    unsized_frame.include_contentsize(false).unwrap();
    std::io::Write::write_all(&mut unsized_frame, &text[70_000..]).unwrap();
    let unsized_frame = unsized_frame.finish().unwrap();
    let runs = zstd::encode_all(&[7u8; 50_000][..], 19).unwrap();
    let skippable = [0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 0xaa, 0xbb, 0xcc];
    // An unsized frame whose only block is raw, last and empty.
    let empty = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x01, 0x00, 0x00];
    let mut body = Vec::new();
    for part in [
        &with_checksum[..],
        &skippable,
        &unsized_frame,
        &empty,
        &runs,
        &with_checksum,
    ] {
        body.extend_from_slice(part);
    }
    let mut want = text.clone();
    want.extend_from_slice(&[7u8; 50_000]);
    want.extend_from_slice(&text[..70_000]);
    for piece in [body.len(), 1, 3, 4, 1000] {
        let (out, end) = decode_zstd_in_pieces(&body, piece, 4096);
        end.unwrap_or_else(|e| panic!("pieces of {piece}: {e}"));
        assert!(out == want, "pieces of {piece}");
    }
}
