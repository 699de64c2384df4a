//! Round trips through `hip_core::decode`: each coding encoded with its reference encoder,
//! decoded whole, in odd-sized slices and one byte at a time, stacked, and with an output
//! limit.

/// Under `decode::`, so that `cargo test -p hip-core decode` selects these tests.
mod decode {

    use hip_core::decode::{Coding, ContentDecoder};

    #[allow(dead_code, reason = "unused when no coding feature is on")]
    /// Compressible but not trivial bytes: words drawn by a fixed LCG.
    fn sample(len: usize) -> Vec<u8> {
        const WORDS: [&str; 8] = [
            "hip ",
            "urllib3 ",
            "stream ",
            "chunk ",
            "gzip ",
            "body\n",
            "0123 ",
            "\u{e9}t\u{e9} ",
        ];
        let mut state: u32 = 0x2545_f491;
        let mut out = Vec::with_capacity(len + 16);
        while out.len() < len {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            out.extend_from_slice(WORDS[(state >> 29) as usize].as_bytes());
            out.push((state >> 8) as u8);
        }
        out.truncate(len);
        out
    }

    /// Decodes `body` (encoded as `header` says), feeding it in slices of `step` bytes.
    fn decode_in_steps(header: &str, body: &[u8], step: usize) -> Vec<u8> {
        let mut decoder = ContentDecoder::from_header(header)
            .expect("valid header")
            .expect("a decoder");
        let mut out = Vec::new();
        for piece in body.chunks(step.max(1)) {
            decoder.decode(piece, &mut out).expect("decode");
        }
        decoder.finish(&mut out).expect("finish");
        out
    }

    #[allow(dead_code, reason = "unused when no coding feature is on")]
    /// Decodes whole, in several slice sizes and one byte at a time; all must give `want`.
    fn assert_decodes(header: &str, body: &[u8], want: &[u8]) {
        for step in [body.len(), 1, 2, 3, 7, 100, 4096, 40_000] {
            let got = decode_in_steps(header, body, step);
            assert_eq!(got.len(), want.len(), "{header}: length with step {step}");
            assert!(got == want, "{header}: bytes differ with step {step}");
        }
    }

    #[cfg(any(feature = "gzip", feature = "deflate"))]
    #[allow(dead_code, reason = "which helpers are used depends on the features")]
    mod flate {
        use std::io::Write;

        pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }

        pub(crate) fn zlib(data: &[u8]) -> Vec<u8> {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }

        pub(crate) fn raw_deflate(data: &[u8]) -> Vec<u8> {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
    }

    #[cfg(feature = "brotli")]
    fn br(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams::default();
        brotli::BrotliCompress(&mut &data[..], &mut out, &params).unwrap();
        out
    }

    #[cfg(feature = "zstd")]
    fn zstd(data: &[u8]) -> Vec<u8> {
        zstd::encode_all(data, 3).unwrap()
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_single_member() {
        let data = sample(150_000);
        let body = flate::gzip(&data);
        assert!(body.len() < data.len() / 2, "the sample compresses");
        assert_decodes("gzip", &body, &data);
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_multi_member_concatenates() {
        let parts = [
            sample(70_000),
            b"second member".to_vec(),
            Vec::new(),
            sample(33),
        ];
        let mut body = Vec::new();
        let mut want = Vec::new();
        for part in &parts {
            body.extend(flate::gzip(part));
            want.extend_from_slice(part);
        }
        assert_decodes("gzip", &body, &want);
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_header_with_every_optional_field() {
        // FEXTRA, FNAME, FCOMMENT and FHCRC, built by hand around a raw deflate body.
        let data = b"optional header fields".to_vec();
        let mut header = vec![0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 1, 2, 3, 4, 0, 3];
        header.extend_from_slice(&[5, 0, b'A', b'B', 1, 0, 9]); // XLEN 5, one subfield
        header.extend_from_slice(b"name.txt\0");
        header.extend_from_slice(b"a comment\0");
        let mut crc = flate2::Crc::new();
        crc.update(&header);
        header.extend_from_slice(&((crc.sum() & 0xffff) as u16).to_le_bytes());
        let mut body = header;
        body.extend(flate::raw_deflate(&data));
        let mut data_crc = flate2::Crc::new();
        data_crc.update(&data);
        body.extend_from_slice(&data_crc.sum().to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        assert_decodes("gzip", &body, &data);
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_filename_and_comment_from_gzbuilder() {
        use std::io::Write;
        let data = sample(5_000);
        let mut e = flate2::GzBuilder::new()
            .filename("f.txt")
            .comment("made by the test")
            .extra(vec![0x41, 0x42, 0, 0])
            .write(Vec::new(), flate2::Compression::default());
        e.write_all(&data).unwrap();
        let body = e.finish().unwrap();
        assert_decodes("gzip", &body, &data);
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn x_gzip_and_any_case_mean_gzip() {
        let data = sample(1_000);
        let body = flate::gzip(&data);
        for header in ["x-gzip", "GZIP", "X-GZip", " gzip\t", "identity, gzip"] {
            assert_eq!(decode_in_steps(header, &body, 10), data, "{header:?}");
        }
    }

    #[cfg(feature = "deflate")]
    #[test]
    fn deflate_zlib_wrapped() {
        let data = sample(120_000);
        let body = flate::zlib(&data);
        assert_eq!(body[0] & 0x0f, 8, "a zlib header");
        assert_decodes("deflate", &body, &data);
    }

    #[cfg(feature = "deflate")]
    #[test]
    fn deflate_raw() {
        let data = sample(120_000);
        let body = flate::raw_deflate(&data);
        assert_decodes("deflate", &body, &data);
        assert_decodes("Deflate", &flate::raw_deflate(b"x"), b"x");
    }

    #[cfg(feature = "deflate")]
    #[test]
    fn deflate_first_byte_alone_then_rest() {
        for body in [
            flate::zlib(b"split header"),
            flate::raw_deflate(b"split header"),
        ] {
            let mut decoder = ContentDecoder::from_header("deflate").unwrap().unwrap();
            let mut out = Vec::new();
            decoder.decode(&body[..1], &mut out).unwrap();
            assert_eq!(out, b"");
            decoder.decode(&body[1..], &mut out).unwrap();
            decoder.finish(&mut out).unwrap();
            assert_eq!(out, b"split header");
        }
    }

    #[cfg(feature = "brotli")]
    #[test]
    fn brotli_round_trip() {
        let data = sample(150_000);
        let body = br(&data);
        assert!(body.len() < data.len() / 2);
        assert_decodes("br", &body, &data);
        assert_decodes("BR", &br(b""), b"");
    }

    #[cfg(feature = "zstd")]
    #[test]
    fn zstd_round_trip_and_concatenated_frames() {
        let data = sample(150_000);
        let body = zstd(&data);
        assert_decodes("zstd", &body, &data);

        let mut two = zstd(b"first frame, ");
        two.extend(zstd(b"second frame"));
        assert_decodes("zstd", &two, b"first frame, second frame");
    }

    #[cfg(all(feature = "gzip", feature = "deflate"))]
    #[test]
    fn stacked_deflate_then_gzip() {
        // "deflate, gzip": deflate was applied first, so gzip is undone first.
        let data = sample(90_000);
        let body = flate::gzip(&flate::zlib(&data));
        assert_decodes("deflate, gzip", &body, &data);
        let decoder = ContentDecoder::from_header("deflate, gzip")
            .unwrap()
            .unwrap();
        assert_eq!(decoder.codings(), vec![Coding::Deflate, Coding::Gzip]);
    }

    #[cfg(all(feature = "gzip", feature = "deflate"))]
    #[test]
    fn stacked_order_matters() {
        let data = b"order".to_vec();
        let body = flate::gzip(&flate::raw_deflate(&data));
        let mut decoder = ContentDecoder::from_header("gzip, deflate")
            .unwrap()
            .unwrap();
        let mut out = Vec::new();
        let result = decoder
            .decode(&body, &mut out)
            .and_then(|()| decoder.finish(&mut out));
        let err = result.expect_err("decoding in the wrong order fails");
        assert_eq!(err.kind(), hip_core::ErrorKind::Decode);
    }

    #[cfg(all(
        feature = "gzip",
        feature = "deflate",
        feature = "brotli",
        feature = "zstd"
    ))]
    #[test]
    fn stacked_all_four() {
        let data = sample(60_000);
        let body = flate::raw_deflate(&zstd(&br(&flate::gzip(&data))));
        assert_decodes("gzip, br, zstd, deflate", &body, &data);
    }

    #[test]
    fn empty_body_decodes_to_nothing_for_every_coding() {
        for coding in hip_core::decode::supported_encodings() {
            assert_eq!(decode_in_steps(coding, b"", 1), b"", "{coding}");
        }
        if hip_core::decode::supported_encodings().len() >= 2 {
            let header = hip_core::decode::supported_encodings().join(", ");
            assert_eq!(decode_in_steps(&header, b"", 1), b"", "{header}");
        }
    }

    #[test]
    fn identity_only_decoder_copies() {
        let mut decoder = ContentDecoder::new(&[Coding::Identity]).unwrap();
        assert_eq!(decoder.codings(), vec![]);
        let mut out = Vec::new();
        decoder.decode(b"abc", &mut out).unwrap();
        assert!(!decoder.decode_max(b"defgh", &mut out, 3).unwrap());
        assert_eq!(out, b"abcdef");
        assert!(decoder.finish_max(&mut out, 10).unwrap());
        assert_eq!(out, b"abcdefgh");
    }

    /// Drives `decoder` over `body` with `decode_max`/`finish_max` and a limit of `max` bytes a
    /// call, checking the limit; returns the output and the number of calls.
    #[cfg(feature = "gzip")]
    fn decode_bounded(decoder: &mut ContentDecoder, body: &[u8], max: usize) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        let mut calls = 0;
        for piece in body.chunks(1_000) {
            let mut input = piece;
            loop {
                let before = out.len();
                let drained = decoder.decode_max(input, &mut out, max).unwrap();
                calls += 1;
                assert!(out.len() - before <= max, "at most {max} bytes a call");
                input = &[];
                if drained {
                    break;
                }
            }
        }
        loop {
            let before = out.len();
            let done = decoder.finish_max(&mut out, max).unwrap();
            calls += 1;
            assert!(out.len() - before <= max);
            if done {
                break;
            }
            assert!(calls < 100_000, "bounded loop");
        }
        (out, calls)
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn output_limit_bounds_a_bomb() {
        let zeros = vec![0u8; 8 << 20];
        let body = flate::gzip(&zeros);
        assert!(
            body.len() < 10_000,
            "8 MiB of zeros squeeze into {} bytes",
            body.len()
        );
        let mut decoder = ContentDecoder::from_header("gzip").unwrap().unwrap();
        let (out, calls) = decode_bounded(&mut decoder, &body, 64 * 1024);
        assert_eq!(out.len(), zeros.len());
        assert!(out.iter().all(|&b| b == 0));
        assert!(
            calls >= 128,
            "8 MiB in 64 KiB calls takes at least 128 calls, took {calls}"
        );
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn output_limit_bounds_a_stacked_bomb() {
        let zeros = vec![0u8; 16 << 20];
        let body = flate::gzip(&flate::gzip(&zeros));
        let mut decoder = ContentDecoder::from_header("gzip, gzip").unwrap().unwrap();
        let (out, _) = decode_bounded(&mut decoder, &body, 10_000);
        assert_eq!(out.len(), zeros.len());
        assert!(out.iter().all(|&b| b == 0));
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn output_limit_keeps_exact_bytes() {
        let data = sample(200_000);
        let body = flate::gzip(&data);
        for max in [1, 999, 32 * 1024, 32 * 1024 + 1] {
            let mut decoder = ContentDecoder::from_header("gzip").unwrap().unwrap();
            let (out, _) = decode_bounded(&mut decoder, &body, max);
            assert!(out == data, "limit {max}");
        }
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_decoder_is_the_spec_class() {
        let data = sample(3_000);
        let mut decoder = hip_core::decode::GzipDecoder::new();
        let mut out = Vec::new();
        decoder.decompress(&flate::gzip(&data), &mut out).unwrap();
        decoder.finish(&mut out).unwrap();
        assert_eq!(out, data);
    }

    #[cfg(feature = "deflate")]
    #[test]
    fn deflate_decoder_is_the_spec_class() {
        let data = sample(3_000);
        for body in [flate::zlib(&data), flate::raw_deflate(&data)] {
            let mut decoder = hip_core::decode::DeflateDecoder::default();
            let mut out = Vec::new();
            decoder.decompress(&body, &mut out).unwrap();
            decoder.finish(&mut out).unwrap();
            assert_eq!(out, data);
        }
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn finish_twice_and_empty_decode_after_finish_are_harmless() {
        let mut decoder = ContentDecoder::from_header("gzip").unwrap().unwrap();
        let mut out = Vec::new();
        decoder.decode(&flate::gzip(b"once"), &mut out).unwrap();
        decoder.finish(&mut out).unwrap();
        decoder.finish(&mut out).unwrap();
        decoder.decode(b"", &mut out).unwrap();
        assert_eq!(out, b"once");
    }
}
