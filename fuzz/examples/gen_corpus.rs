//! Writes the seed corpora in `fuzz/corpus/<target>/`: a handful of small valid and edge-case
//! inputs per target, each in the input layout its target documents. Deterministic, so
//! running it again rewrites the same files:
//! `cargo run --manifest-path fuzz/Cargo.toml --example gen_corpus`.

use std::fs;
use std::io::Write;
use std::path::Path;

fn write(target: &str, name: &str, bytes: &[u8]) {
    assert!(
        bytes.len() < 4096,
        "{target}/{name} is {} bytes",
        bytes.len()
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 16);
        w.write_all(data).unwrap();
    }
    out
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// Text that compresses well but not to nothing.
fn sample_text() -> Vec<u8> {
    (0..200)
        .map(|i| format!("line {i}: the quick brown fox\n"))
        .collect::<String>()
        .into_bytes()
}

fn parse_response() {
    // [split lo, split hi, flags (bits 0-1 method GET/HEAD/CONNECT/POST, 2 EOF, 3 small)] + bytes
    let seeds: &[(&str, [u8; 3], &[u8])] = &[
        ("content_length", [20, 0, 0], b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
        ("chunked", [30, 0, 0], b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
        ("until_close", [10, 0, 4], b"HTTP/1.0 200 OK\r\n\r\nbody until close"),
        ("head", [5, 0, 1], b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
        ("continue_then_204", [21, 0, 0], b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"),
        ("connect_200", [12, 0, 2], b"HTTP/1.1 200 Connection established\r\n\r\ntunnel"),
        ("te_and_cl", [40, 0, 4], b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
        ("bad_version", [3, 0, 4], b"HTTP/2.0 200 OK\r\n\r\n"),
        ("obs_fold_small_limits", [9, 0, 12], b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n"),
        ("truncated", [7, 0, 4], b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
    ];
    for (name, prefix, bytes) in seeds {
        write("parse_response", name, &cat(&[prefix, bytes]));
    }
}

fn chunked() {
    // [flags (0 EOF, 1 small limits, 2 Content-Length too), 3 x u16 split points] + body
    let seeds: &[(&str, u8, &[u8])] = &[
        ("simple", 1, b"5\r\nhello\r\n0\r\n\r\n"),
        ("two_chunks", 0, b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
        (
            "extensions",
            1,
            b"5;name=value;q=\"x\"\r\nhello\r\n0;last\r\n\r\n",
        ),
        (
            "trailers",
            1,
            b"3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-Other: two\r\n\r\n",
        ),
        ("upper_hex", 0, b"A\r\n0123456789\r\n0\r\n\r\n"),
        ("leading_zeros", 1, b"0005\r\nhello\r\n000\r\n\r\n"),
        ("bare_lf", 1, b"5\nhello\n0\n\n"),
        ("bad_size", 1, b"zz\r\nhello\r\n0\r\n\r\n"),
        ("huge_size", 1, b"ffffffffffffffffffff\r\nx\r\n"),
        ("no_crlf_after_data", 1, b"5\r\nhelloXX0\r\n\r\n"),
        ("truncated_eof", 1, b"10\r\nonly some"),
        (
            "long_line_small_limit",
            3,
            b"5;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nhello\r\n0\r\n\r\n",
        ),
        ("te_and_cl", 5, b"5\r\nhello\r\n0\r\n\r\n"),
        (
            "pipelined_after_end",
            1,
            b"0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
        ),
    ];
    for (name, flags, body) in seeds {
        let third = (body.len() / 3) as u16;
        let mut input = vec![*flags];
        for p in [third, 2 * third, 2 * third + 1] {
            input.extend_from_slice(&p.to_le_bytes());
        }
        input.extend_from_slice(body);
        write("chunked", name, &input);
    }
}

fn parse_url() {
    let seeds: &[(&str, &str)] = &[
        ("full", "http://user:pass@Example.COM:8080/a/b?q=1&r=2#frag"),
        ("https_ipv6_zone", "https://[fe80::1%25eth0]:443/"),
        ("ipv4", "http://127.0.0.1/x"),
        ("no_scheme", "example.com:80/path"),
        ("path_only", "/foo/../bar/./baz?x#y"),
        ("idna", "http://Königsgäßchen.de/straße"),
        ("punycode", "https://xn--knigsgchen-b4a3dun.de/"),
        ("percent", "http://h.com/%7e%2F%zz%"),
        ("redis", "redis://localhost:6379/0"),
        ("empty_host", "http://@/"),
        ("bad_port", "http://host:65536/"),
        ("unclosed_ipv6", "http://[::1"),
        ("controls", "http://exa\tmple.com/\r\n"),
        ("empty", ""),
    ];
    for (name, text) in seeds {
        write("parse_url", name, text.as_bytes());
    }
}

fn connect_reply() {
    // [flags (0 EOF, 1 small limits), 2 x u16 split points] + the proxy's bytes
    let seeds: &[(&str, u8, &[u8])] = &[
        ("established", 0, b"HTTP/1.1 200 Connection established\r\n\r\n"),
        ("established_early_bytes", 0, b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01\x00\x05hello"),
        ("http10_200", 1, b"HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\nearly"),
        ("200_with_length", 0, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nnot a body"),
        ("continue_then_200", 0, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nx"),
        ("407_body", 1, b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 6\r\n\r\ndenied"),
        ("502_chunked", 1, b"HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n"),
        ("403_until_close", 1, b"HTTP/1.1 403 Forbidden\r\n\r\nignored body"),
        ("bare_lf", 0, b"HTTP/1.1 200 OK\n\nearly"),
        ("closed_early", 1, b"HTTP/1.1 200 Conn"),
        ("garbage", 1, b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x50"),
        ("small_limits", 2, b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n"),
    ];
    for (name, flags, bytes) in seeds {
        let half = (bytes.len() / 2) as u16;
        let mut input = vec![*flags];
        input.extend_from_slice(&half.to_le_bytes());
        input.extend_from_slice(&(half + 3).to_le_bytes());
        input.extend_from_slice(bytes);
        write("connect_reply", name, &input);
    }
}

/// Seeds for one decoder: [settings (bits 0-2 cap index, 3 stacked), chunk size - 1] + body.
fn decoder(target: &str, encode: fn(&[u8]) -> Vec<u8>, extra: &[(&str, u8, Vec<u8>)]) {
    let text = sample_text();
    let zeros = vec![0u8; 64 * 1024];
    let mut seeds: Vec<(&str, u8, Vec<u8>)> = vec![
        ("empty_body", 0, Vec::new()),
        ("empty_stream", 4, encode(b"")),
        ("hello", 2, encode(b"hello, world")),
        ("text_cap1", 0, encode(&text)),
        ("text_cap512", 6, encode(&text)),
        ("zeros_64k_bomb", 1, encode(&zeros)),
        ("stacked", 8 | 4, encode(&encode(&text))),
        ("truncated", 5, {
            let e = encode(&text);
            e[..e.len() / 2].to_vec()
        }),
        ("corrupt", 3, {
            let mut e = encode(&text);
            let at = e.len() / 2;
            e[at] ^= 0x55;
            e
        }),
    ];
    seeds.extend(extra.iter().cloned());
    for (name, settings, body) in seeds {
        write(target, name, &cat(&[&[settings, 7], &body]));
    }
}

fn main() {
    parse_response();
    chunked();
    parse_url();
    connect_reply();
    let text = sample_text();
    decoder(
        "decode_gzip",
        gzip,
        &[
            ("two_members", 4, cat(&[&gzip(b"one "), &gzip(b"two")])),
            ("trailing_zeros", 4, cat(&[&gzip(b"padded"), &[0; 16]])),
            ("trailing_magic", 4, cat(&[&gzip(b"x"), &[0x1f, 0x8b, 0]])),
            ("bad_crc", 4, {
                let mut e = gzip(b"crc");
                let n = e.len();
                e[n - 8] ^= 1;
                e
            }),
        ],
    );
    decoder(
        "decode_deflate",
        zlib,
        &[
            ("raw_text", 5, raw_deflate(&text)),
            ("raw_empty", 4, raw_deflate(b"")),
            ("zlib_trailing", 4, cat(&[&zlib(b"after"), b"junk"])),
            (
                "stored_block",
                4,
                vec![1, 5, 0, 0xfa, 0xff, b'h', b'e', b'l', b'l', b'o'],
            ),
        ],
    );
    decoder(
        "decode_brotli",
        brotli,
        &[
            ("trailing_junk", 4, cat(&[&brotli(b"then junk"), b"junk"])),
            ("empty_last_block", 4, vec![0x06]),
        ],
    );
    decoder(
        "decode_zstd",
        zstd,
        &[
            ("two_frames", 4, cat(&[&zstd(b"one "), &zstd(b"two")])),
            ("trailing_junk", 4, cat(&[&zstd(b"then junk"), b"junk"])),
            (
                "skippable_frame",
                4,
                cat(&[
                    &[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3],
                    &zstd(b"after skip"),
                ]),
            ),
        ],
    );
}
