//! The date parser against CPython's answers (`oracle_cases.rs`), and its own pieces.

use proptest::prelude::*;

use super::oracle_cases::{CASES, LONG_CASES};
use super::{is_digit, is_space, parse, py_int, Int};

#[test]
fn every_oracle_case_gets_pythons_answer() {
    let mut wrong = Vec::new();
    for &(input, expected) in CASES {
        let got = parse(input);
        if got != expected {
            wrong.push(format!("{input:?}: Python {expected:?}, hip {got:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {}:\n{}",
        wrong.len(),
        CASES.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_long_oracle_case_gets_pythons_answer() {
    for &(prefix, repeated, count, suffix, expected) in LONG_CASES {
        let input = format!("{prefix}{}{suffix}", repeated.repeat(count));
        assert_eq!(
            parse(&input),
            expected,
            "{prefix:?} + {repeated:?} * {count} + {suffix:?}"
        );
    }
}

#[test]
fn the_forms_issue_10_names() {
    // RFC 9110's example instant, 784111777, in each form.
    for date in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Sun, 6 Nov 1994 08:49:37 UTC",
        "6 Nov 1994 08:49:37 UT",
        "Sun, 06 Nov 1994 09:49:37 +0100",
        "Sun, 06 Nov 1994 03:19:37 -0530",
        "Sun, 06 Nov 1994 00:49:37 PST",
        "06 nov 1994 08:49:37",
    ] {
        assert_eq!(parse(date), Some(784_111_777), "{date:?}");
    }
    assert_eq!(parse("Mon, 3 Jun 2019 12:00:00 UTC"), Some(1_559_563_200));
    assert_eq!(parse("Sun, 06 Nov 1994 08:49 GMT"), Some(784_111_740));
    assert_eq!(parse("Wed, 31 Dec 1969 23:59:59 GMT"), Some(-1));
    // A year below 100 is a two-digit one, so year 1 is -1999; and a year that does not
    // start with a digit swaps with the zone, so -1999 has to be both (the zone is then
    // 19 hours and 99 minutes behind UTC).
    assert_eq!(parse("Mon, 01 Jan 0001 00:00:00 GMT"), Some(978_307_200));
    assert_eq!(parse("Mon, 01 Jan -1999 00:00:00 GMT"), None);
    assert_eq!(
        parse("Mon, 01 Jan -1999 00:00:00 -1999"),
        Some(-62_135_596_800 + 19 * 3600 + 99 * 60)
    );
    assert_eq!(parse("Sat, 01 Jan 10000 00:00:00 GMT"), None);
}

#[test]
fn python_whitespace_is_rusts_and_the_four_separators() {
    for c in (0..=0x10_ffff).filter_map(char::from_u32) {
        let expected = c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
        assert_eq!(is_space(c), expected, "U+{:04X}", u32::from(c));
    }
}

#[test]
fn digits_of_other_scripts() {
    assert_eq!(py_int("\u{661}\u{669}\u{669}\u{664}"), py_int("1994"));
    assert_eq!(py_int("\u{ff11}_\u{ff12}"), py_int("12"));
    assert_eq!(py_int("\u{b2}"), None);
    assert!(is_digit('\u{b2}') && is_digit('\u{1d7ff}') && is_digit('7'));
    assert!(!is_digit('\u{bd}') && !is_digit('\u{2160}') && !is_digit('x'));
}

#[test]
fn py_int_follows_python_int() {
    for (token, value) in [
        ("0", Some(0)),
        ("-0", Some(0)),
        ("+7", Some(7)),
        ("-7", Some(-7)),
        ("007", Some(7)),
        ("1_000", Some(1000)),
        ("", None),
        ("+", None),
        ("-", None),
        ("_1", None),
        ("1_", None),
        ("1__0", None),
        ("+_1", None),
        ("--1", None),
        ("+-1", None),
        ("1.0", None),
        ("0x10", None),
    ] {
        assert_eq!(
            py_int(token).map(|n| n.to_i128_saturating()),
            value,
            "{token:?}"
        );
    }
}

#[test]
fn int_arithmetic_is_exact_across_limbs() {
    let big = |s: &str| py_int(s).unwrap();
    let a = big("123456789012345678901234567890");
    let b = big("-123456789012345678901234567891");
    assert_eq!(a.add(&b).to_i128_saturating(), -1);
    assert_eq!(b.add(&a).to_i128_saturating(), -1);
    assert_eq!(a.sub(&a), Int::ZERO);
    assert_eq!(a.add(&b.clone().neg()).sub(&a), b.clone().neg());
    assert_eq!(
        big("999999999999999999").mul_small(86_400),
        big("86399999999999999913600")
    );
    let (q, r) = big("-1234567890123").magnitude_divmod_100();
    assert_eq!((q, r), (big("12345678901"), 23));
    assert_eq!(
        Int::from_i64(i64::MIN).to_i128_saturating(),
        i128::from(i64::MIN)
    );
    assert_eq!(big("-0").neg(), Int::ZERO);
}

/// Date-shaped text: the tokens parsedate_tz looks for, and near misses, in any order.
fn date_like() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        "(Sun|mon|Thursday|x),?",
        "[-+]?[0-9_]{0,5},?",
        "(Nov|MAY|june|Foo)[.,]?",
        "[0-9]{1,2}[:.][0-9]{1,2}([:.][0-9]{0,3})?[-+]?[0-9]{0,4}",
        "[-+]?[0-9]{0,5}|GMT|utc|EST|pdt|Z",
        "[0-9]{1,2}-[A-Za-z]{0,3}-[0-9]{0,4}",
        "[\u{661}\u{b2}\u{ff10}\u{17f}\u{fb05}\u{212a}]{1,3}",
    ];
    let separator = prop_oneof![
        Just(" "),
        Just(","),
        Just(", "),
        Just("\t"),
        Just("\u{a0}"),
        Just("")
    ];
    proptest::collection::vec((token, separator), 0..8).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(t, s)| format!("{t}{s}"))
            .collect::<String>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// No input makes the parser panic (or overflow, in debug builds).
    #[test]
    fn never_panics_on_any_text(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn never_panics_on_date_like_text(s in date_like()) {
        let _ = parse(&s);
    }

    /// Fields that are huge but cancel out give the date they add up to.
    #[test]
    fn huge_fields_that_cancel_add_up_exactly(
        k in "[1-9][0-9]{20,60}",
        hour in -30i64..30,
    ) {
        let days = py_int(&k).unwrap();
        let hours = days.mul_small(24).neg().add(&Int::from_i64(hour));
        let date = format!(
            "{} Jan 1970 {}:00:00 GMT",
            digits(&days.add(&Int::from_i64(1))),
            digits(&hours),
        );
        prop_assert_eq!(parse(&date), Some(i128::from(hour) * 3600));
    }
}

/// An `Int` written in decimal, for building inputs.
fn digits(n: &Int) -> String {
    let mut out = String::from(if n.negative { "-" } else { "" });
    match n.limbs.split_last() {
        None => out.push('0'),
        Some((top, rest)) => {
            out.push_str(&top.to_string());
            for limb in rest.iter().rev() {
                out.push_str(&format!("{limb:09}"));
            }
        }
    }
    out
}

/// A differential run against a file `scripts/retry_after_oracle.py --fuzz N` wrote: every
/// line is `<input as JSON>\t<seconds or None>`. Run with
/// `HIP_DATE_ORACLE=/tmp/dates.tsv cargo test -p hip-core --lib -- --ignored oracle_file`.
#[test]
#[ignore = "needs a file from scripts/retry_after_oracle.py --fuzz"]
fn oracle_file() {
    let path = std::env::var("HIP_DATE_ORACLE").expect("HIP_DATE_ORACLE names the file");
    let text = std::fs::read_to_string(&path).expect("the oracle file");
    let mut wrong = Vec::new();
    let mut count = 0;
    for line in text.lines() {
        let (json, answer) = line.rsplit_once('\t').expect("a tab");
        let input = unjson(json);
        let expected = match answer {
            "None" => None,
            n => Some(n.parse::<i128>().expect("seconds")),
        };
        count += 1;
        if parse(&input) != expected {
            wrong.push(format!("{json}: Python {answer}, hip {:?}", parse(&input)));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {count}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The string a JSON string literal (as Python's `json.dumps` writes it) stands for.
fn unjson(json: &str) -> String {
    let inner = &json[1..json.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    let mut pending_high: Option<u32> = None;
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = chars.next().expect("an escape");
        let c = match escaped {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                let unit = u32::from_str_radix(&hex, 16).expect("hex");
                if (0xd800..0xdc00).contains(&unit) {
                    pending_high = Some(unit);
                    continue;
                }
                let code = match pending_high.take() {
                    Some(high) => 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00),
                    None => unit,
                };
                char::from_u32(code).expect("a char")
            }
            other => other,
        };
        out.push(c);
    }
    out
}
