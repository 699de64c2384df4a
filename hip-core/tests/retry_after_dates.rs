//! `Retry-After` dates through `Retry::parse_retry_after`, read as urllib3 1.26 reads them
//! (Python's `email.utils.parsedate_tz` and `mktime_tz`; issue 10, item 5). The parser
//! itself is checked against CPython's answers in `src/retry/date/tests.rs`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hip_core::retry::Retry;
use hip_core::{ErrorKind, HttpHeaderDict};
use proptest::prelude::*;

/// Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example date).
fn rfc_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(784_111_777)
}

fn wait(value: &str) -> Result<Duration, ErrorKind> {
    Retry::DEFAULT
        .parse_retry_after(value, rfc_now())
        .map_err(|e| e.kind())
}

const MINUTE: Duration = Duration::from_secs(60);

#[test]
fn dates_python_accepts_and_rfc_9110_does_not() {
    for date in [
        // Issue 10's example form: a one-digit day, the zone UTC.
        "Sun, 6 Nov 1994 08:50:37 UTC",
        "Sun, 6 Nov 1994 08:50:37 UT",
        "Sun, 6 Nov 1994 08:50:37 Z",
        // No weekday, or one that is wrong; any case.
        "06 Nov 1994 08:50:37 GMT",
        "Fri, 06 Nov 1994 08:50:37 GMT",
        "SUN, 06 NOV 1994 08:50:37 gmt",
        "Sun, 06 November 1994 08:50:37 GMT",
        // Numeric zones and the North American names.
        "Sun, 06 Nov 1994 09:50:37 +0100",
        "Sun, 06 Nov 1994 03:20:37 -0530",
        "Sun, 06 Nov 1994 03:50:37 EST",
        "Sun, 06 Nov 1994 00:50:37 PST",
        "Sun, 06 Nov 1994 01:50:37 PDT",
        // No zone: UTC, as urllib3 assumes.
        "Sun, 06 Nov 1994 08:50:37",
        "Sun Nov  6 08:50:37 1994",
        // Two-digit years: 69..=99 are 19xx.
        "Sunday, 06-Nov-94 08:50:37 GMT",
        "Sun, 06 Nov 94 08:50:37 GMT",
        // Trailing words are ignored; odd spacing and commas are fine.
        "Sun, 06 Nov 1994 08:50:37 GMT (a comment)",
        "  Sun,06  Nov\t1994 08:50:37   GMT ",
    ] {
        assert_eq!(wait(date), Ok(MINUTE), "{date:?}");
    }
    // No seconds.
    assert_eq!(
        wait("Sun, 06 Nov 1994 08:51 GMT"),
        Ok(Duration::from_secs(83))
    );
    // Nothing is range-checked but the year: 32 November is 2 December.
    assert_eq!(
        wait("Sun, 32 Nov 1994 08:49:37 GMT"),
        Ok(Duration::from_secs(26 * 86_400).min(Duration::from_secs(21_600)))
    );
    assert_eq!(
        Retry::DEFAULT
            .retry_after_max(f64::INFINITY)
            .parse_retry_after("Sun, 32 Nov 1994 08:49:37 GMT", rfc_now())
            .unwrap(),
        Duration::from_secs(26 * 86_400)
    );
}

#[test]
fn the_issue_10_example_from_a_real_clock() {
    // Mon, 3 Jun 2019 12:00:00 UTC is 1559563200; ask ten seconds before it.
    let now = UNIX_EPOCH + Duration::from_secs(1_559_563_190);
    assert_eq!(
        Retry::DEFAULT
            .parse_retry_after("Mon, 3 Jun 2019 12:00:00 UTC", now)
            .unwrap(),
        Duration::from_secs(10)
    );
}

#[test]
fn past_dates_mean_no_wait() {
    for date in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Wed, 31 Dec 1969 23:59:59 GMT",
        "Sun, 06 Nov 69 08:49:37 GMT",
        "Mon, 01 Jan 1900 00:00:00 GMT",
        "Mon, 01 Jan 100 00:00:00 GMT",
    ] {
        assert_eq!(wait(date), Ok(Duration::ZERO), "{date:?}");
    }
    // Also when the clock itself is before 1970.
    let now = UNIX_EPOCH - Duration::from_secs(86_400);
    assert_eq!(
        Retry::DEFAULT
            .parse_retry_after("Wed, 31 Dec 1969 00:01:00 GMT", now)
            .unwrap(),
        MINUTE
    );
}

#[test]
fn far_dates_are_capped() {
    for date in [
        "Fri, 31 Dec 9999 23:59:59 GMT",
        // Two-digit years up to 68 are 20xx.
        "Sun, 06 Nov 68 08:49:37 GMT",
        // Beyond any SystemTime.
        "06 Nov 1994 99999999999999999999999999999999999999999999:00:00 GMT",
    ] {
        assert_eq!(wait(date), Ok(Duration::from_secs(21_600)), "{date:?}");
    }
    assert_eq!(
        wait("06 Nov 1994 -99999999999999999999999999999999999999999999:00:00 GMT"),
        Ok(Duration::ZERO)
    );
}

#[test]
fn what_python_refuses_is_an_invalid_header_naming_the_value() {
    for bad in [
        "Sun, 06 Nov 1994",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08 GMT",
        "Sun, 06 Nov 1994 08:49:37:00 GMT",
        "1994-11-06T08:49:37Z",
        "Sat, 01 Jan 10000 00:00:00 GMT",
        "3, 4",
        "\u{a0}",
    ] {
        let e = Retry::DEFAULT
            .parse_retry_after(bad, rfc_now())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidHeader, "{bad:?}");
        assert!(e.message().contains(&format!("{bad:?}")), "{}", e.message());
    }
}

#[test]
fn seconds_allow_pythons_whitespace_around_them() {
    for value in ["5", " 5 ", "\t5\r\n", "\u{a0}5\u{3000}", "\u{1c}5\u{1f}"] {
        assert_eq!(wait(value), Ok(Duration::from_secs(5)), "{value:?}");
    }
}

#[test]
fn get_retry_after_reads_such_dates_from_the_header() {
    let mut h = HttpHeaderDict::new();
    h.add("Retry-After", "Sun, 6 Nov 1994 08:50:37 UTC");
    assert_eq!(
        Retry::DEFAULT.get_retry_after(&h, rfc_now()).unwrap(),
        Some(MINUTE)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Whatever the server sends, the answer is a wait or an InvalidHeader, never a panic.
    #[test]
    fn any_value_gives_a_wait_or_an_invalid_header(value in any::<String>(), secs in any::<u64>()) {
        let now = UNIX_EPOCH + Duration::from_secs(secs % 100_000_000_000);
        for retry in [Retry::DEFAULT, Retry::DEFAULT.retry_after_max(f64::INFINITY)] {
            match retry.parse_retry_after(&value, now) {
                Ok(wait) => prop_assert!(retry.retry_after_max.is_infinite() || wait <= Duration::from_secs(21_600)),
                Err(e) => prop_assert_eq!(e.kind(), ErrorKind::InvalidHeader),
            }
        }
    }

    #[test]
    fn date_like_values_give_a_wait_or_an_invalid_header(
        value in "[A-Za-z]{0,4},? ?[-+0-9]{0,4} [A-Za-z]{0,4} [-+0-9]{0,5} [0-9:.]{0,9} [-+A-Za-z0-9]{0,6}",
    ) {
        let _ = Retry::DEFAULT.retry_after_max(f64::INFINITY).parse_retry_after(&value, rfc_now());
    }
}
