//! The bounds urllib3 2.x added to `Retry`: `backoff_max`, `backoff_jitter` and
//! `retry_after_max`.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hip_core::retry::{ResponseInfo, Retry, RetryCount};
use hip_core::{Error, ErrorKind, HttpHeaderDict};

/// Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example date).
fn rfc_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(784_111_777)
}

/// Far in the future of `rfc_now()`: thousands of years.
const FAR_FUTURE: &str = "Fri, 31 Dec 9999 23:59:59 GMT";

const SIX_HOURS: Duration = Duration::from_secs(6 * 60 * 60);

fn headers(pairs: &[(&str, &str)]) -> HttpHeaderDict {
    let mut h = HttpHeaderDict::new();
    for (k, v) in pairs {
        h.add(*k, *v);
    }
    h
}

/// `r` after `n` consecutive failed attempts (connect timeouts).
fn after_failures(r: Retry, n: usize) -> Retry {
    let mut r = r.total(RetryCount::Unlimited);
    for _ in 0..n {
        let e = Error::new(ErrorKind::ConnectTimeout, "connect timed out");
        r = r.increment(Some("GET"), Some("/"), None, Some(e)).unwrap();
    }
    r
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn hash_of(r: &Retry) -> u64 {
    let mut h = DefaultHasher::new();
    r.hash(&mut h);
    h.finish()
}

#[test]
fn retry_bounds_defaults_are_urllib3_2s() {
    assert_eq!(Retry::DEFAULT_BACKOFF_MAX, 120.0);
    assert_eq!(Retry::BACKOFF_MAX, Retry::DEFAULT_BACKOFF_MAX);
    assert_eq!(Retry::DEFAULT_RETRY_AFTER_MAX, 21_600.0);

    // A const, still.
    const C: Retry = Retry::DEFAULT;
    let d = C;
    assert_eq!(d.backoff_max, 120.0);
    assert_eq!(d.backoff_jitter, 0.0);
    assert_eq!(d.retry_after_max, 21_600.0);
    // Everything else as before.
    assert_eq!(
        d.to_string(),
        "Retry(total=3, connect=None, read=None, redirect=None, status=None)"
    );
    assert_eq!(d.backoff_factor, 0.0);
    assert!(d.respect_retry_after_header && d.raise_on_redirect && d.raise_on_status);
    assert!(d.validate().is_ok());

    for r in [
        Retry::new(10),
        Retry::default(),
        Retry::disabled(),
        Retry::from_int(5u32, false, None),
    ] {
        assert_eq!(r.backoff_max, Retry::DEFAULT_BACKOFF_MAX, "{r:#?}");
        assert_eq!(r.backoff_jitter, 0.0, "{r:#?}");
        assert_eq!(r.retry_after_max, Retry::DEFAULT_RETRY_AFTER_MAX, "{r:#?}");
        assert!(r.validate().is_ok());
    }
    // Setting a default explicitly changes nothing.
    assert_eq!(
        Retry::new(3)
            .backoff_max(120.0)
            .backoff_jitter(0.0)
            .retry_after_max(21_600.0),
        Retry::DEFAULT
    );
}

#[test]
fn retry_bounds_builders_set_the_fields() {
    let r = Retry::new(3)
        .backoff_max(30.0)
        .backoff_jitter(0.25)
        .retry_after_max(90.0);
    assert_eq!(r.backoff_max, 30.0);
    assert_eq!(r.backoff_jitter, 0.25);
    assert_eq!(r.retry_after_max, 90.0);
    assert!(r.validate().is_ok());
    let copy = r.new_from().redirect(1);
    assert_eq!(
        (copy.backoff_max, copy.backoff_jitter, copy.retry_after_max),
        (30.0, 0.25, 90.0)
    );
}

#[test]
fn retry_bounds_survive_increment() {
    let r = Retry::new(5)
        .backoff_max(7.0)
        .backoff_jitter(1.5)
        .retry_after_max(42.0);
    let e = Error::new(ErrorKind::ReadTimeout, "read timed out");
    let n = r.increment(Some("GET"), Some("/"), None, Some(e)).unwrap();
    assert_eq!(n.backoff_max, 7.0);
    assert_eq!(n.backoff_jitter, 1.5);
    assert_eq!(n.retry_after_max, 42.0);
    let h = headers(&[("Location", "/b")]);
    let info = ResponseInfo::new(302, &h);
    let n = n
        .increment(Some("GET"), Some("/"), Some(&info), None)
        .unwrap();
    assert_eq!(
        (n.backoff_max, n.backoff_jitter, n.retry_after_max),
        (7.0, 1.5, 42.0)
    );
}

#[test]
fn retry_after_seconds_are_capped_at_retry_after_max() {
    let now = rfc_now();
    let r = Retry::DEFAULT;
    // Capped, not ignored: the default cap is six hours.
    assert_eq!(r.parse_retry_after("99999999", now).unwrap(), SIX_HOURS);
    assert_eq!(r.parse_retry_after("21600", now).unwrap(), SIX_HOURS);
    assert_eq!(
        r.parse_retry_after("21599", now).unwrap(),
        Duration::from_secs(21_599)
    );
    assert_eq!(
        r.parse_retry_after("120", now).unwrap(),
        Duration::from_secs(120)
    );

    let r = Retry::new(3).retry_after_max(60.0);
    assert_eq!(
        r.parse_retry_after("99999999", now).unwrap(),
        Duration::from_secs(60)
    );
    assert_eq!(
        r.parse_retry_after(" 61 ", now).unwrap(),
        Duration::from_secs(60)
    );
    assert_eq!(
        r.parse_retry_after("59", now).unwrap(),
        Duration::from_secs(59)
    );
    assert_eq!(r.parse_retry_after("0", now).unwrap(), Duration::ZERO);
    // Still an error when it is not a Retry-After value at all.
    assert_eq!(
        r.parse_retry_after("soon", now).unwrap_err().kind(),
        ErrorKind::InvalidHeader
    );

    // Fractions of a second, and no cap at all.
    let half = Retry::new(3).retry_after_max(0.5);
    assert_eq!(
        half.parse_retry_after("3", now).unwrap(),
        Duration::from_millis(500)
    );
    let uncapped = Retry::new(3).retry_after_max(f64::INFINITY);
    assert_eq!(
        uncapped.parse_retry_after("99999999", now).unwrap(),
        Duration::from_secs(99_999_999)
    );
}

#[test]
fn retry_after_http_dates_are_capped_at_retry_after_max() {
    let now = rfc_now();
    assert_eq!(
        Retry::DEFAULT.parse_retry_after(FAR_FUTURE, now).unwrap(),
        SIX_HOURS
    );
    let r = Retry::new(3).retry_after_max(60.0);
    assert_eq!(
        r.parse_retry_after(FAR_FUTURE, now).unwrap(),
        Duration::from_secs(60)
    );
    // Within the cap: as before.
    assert_eq!(
        r.parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now)
            .unwrap(),
        Duration::from_secs(30)
    );
    // In the past: still no wait.
    assert_eq!(
        r.parse_retry_after("Sat, 01 Jan 1994 00:00:00 GMT", now)
            .unwrap(),
        Duration::ZERO
    );
}

#[test]
fn retry_after_cap_applies_to_every_wait_the_driver_gets() {
    let now = rfc_now();
    for (value, r, cap) in [
        ("99999999", Retry::new(3), SIX_HOURS),
        (FAR_FUTURE, Retry::new(3), SIX_HOURS),
        (
            "99999999",
            Retry::new(3).retry_after_max(10.0),
            Duration::from_secs(10),
        ),
        (
            FAR_FUTURE,
            Retry::new(3).retry_after_max(10.0),
            Duration::from_secs(10),
        ),
    ] {
        let h = headers(&[("Retry-After", value)]);
        assert_eq!(r.get_retry_after(&h, now).unwrap(), Some(cap), "{value}");
        let info = ResponseInfo::new(503, &h);
        assert_eq!(r.sleep_for_retry(Some(&info), now), Some(cap), "{value}");
        assert_eq!(r.sleep_duration(Some(&info), now), cap, "{value}");
        // A Retry-After wait gets no jitter.
        let jittery = r.clone().backoff_jitter(5.0);
        assert_eq!(
            jittery.sleep_duration_with(Some(&info), now, 0.9),
            cap,
            "{value}"
        );
    }
}

#[test]
fn retry_after_max_zero_means_the_backoff_applies() {
    // As in urllib3: a Retry-After cut down to zero is no Retry-After wait.
    let now = rfc_now();
    let r = after_failures(Retry::new(None).backoff_factor(1.0), 2).retry_after_max(0.0);
    let h = headers(&[("Retry-After", "30")]);
    let info = ResponseInfo::new(429, &h);
    assert_eq!(r.parse_retry_after("30", now).unwrap(), Duration::ZERO);
    assert_eq!(r.sleep_for_retry(Some(&info), now), None);
    assert_eq!(r.sleep_duration(Some(&info), now), Duration::from_secs(2));
}

#[test]
fn retry_backoff_is_capped_by_backoff_max() {
    let base = Retry::new(None).backoff_factor(1.0);
    // 1 * 2^4 = 16 s.
    assert_eq!(
        after_failures(base.clone(), 5).get_backoff_time(),
        Duration::from_secs(16)
    );
    assert_eq!(
        after_failures(base.clone().backoff_max(10.0), 5).get_backoff_time(),
        Duration::from_secs(10)
    );
    assert_eq!(
        after_failures(base.clone().backoff_max(16.0), 5).get_backoff_time(),
        Duration::from_secs(16)
    );
    assert_eq!(
        after_failures(base.clone().backoff_max(2.5), 5).get_backoff_time(),
        Duration::from_millis(2500)
    );
    assert_eq!(
        after_failures(base.clone().backoff_max(0.0), 5).get_backoff_time(),
        Duration::ZERO
    );
    // The default cap, and none at all.
    assert_eq!(
        after_failures(base.clone(), 60).get_backoff_time(),
        Duration::from_secs(120)
    );
    assert_eq!(
        after_failures(base.clone().backoff_max(f64::INFINITY), 60).get_backoff_time(),
        Duration::from_secs(1 << 59)
    );
    assert_eq!(
        after_failures(base.clone().backoff_max(1000.0), 60).get_backoff_time(),
        Duration::from_secs(1000)
    );
    // The cap bounds sleep_duration too.
    let r = after_failures(base.backoff_max(3.0), 5);
    assert_eq!(r.sleep_duration(None, rfc_now()), Duration::from_secs(3));
}

#[test]
fn retry_backoff_jitter_is_added_within_range_then_capped() {
    let now = rfc_now();
    // Base 1 * 2^2 = 4 s, jitter up to 2 s.
    let r = after_failures(Retry::new(None).backoff_factor(1.0).backoff_jitter(2.0), 3);
    assert_eq!(r.get_backoff_time(), secs(4.0));
    assert_eq!(r.get_backoff_time_with(0.0), secs(4.0));
    assert_eq!(r.get_backoff_time_with(0.25), secs(4.5));
    assert_eq!(r.get_backoff_time_with(0.5), secs(5.0));
    for i in 0..1000 {
        let u = f64::from(i) / 1000.0;
        let wait = r.get_backoff_time_with(u);
        assert!(wait >= secs(4.0) && wait < secs(6.0), "{u}: {wait:?}");
    }
    // Just under 1 (at the very top, f64 rounding can reach the bound, as in Python).
    let almost_one = 1.0 - 1e-6;
    let top = r.get_backoff_time_with(almost_one);
    assert!(top > secs(5.99) && top < secs(6.0), "{top:?}");
    // The driver's number is kept in [0, 1]; NaN adds nothing.
    assert_eq!(r.get_backoff_time_with(1.5), secs(6.0));
    assert_eq!(r.get_backoff_time_with(-1.0), secs(4.0));
    assert_eq!(r.get_backoff_time_with(f64::NAN), secs(4.0));
    // sleep_duration_with applies it; sleep_duration does not.
    assert_eq!(r.sleep_duration_with(None, now, 0.5), secs(5.0));
    assert_eq!(r.sleep_duration(None, now), secs(4.0));

    // Jitter first, then the cap (urllib3's order): 4 + 1.8 = 5.8, capped at 5.
    let capped = r.clone().backoff_max(5.0);
    assert_eq!(capped.get_backoff_time_with(0.9), secs(5.0));
    assert_eq!(capped.get_backoff_time_with(0.25), secs(4.5));
    // Already at the cap: jitter cannot push past it.
    let at_cap = after_failures(
        Retry::new(None).backoff_factor(1.0).backoff_jitter(10.0),
        60,
    );
    assert_eq!(at_cap.get_backoff_time_with(0.9), Duration::from_secs(120));

    // No wait after one failure or none, jitter or not (urllib3 returns 0 before jittering).
    let jittery = Retry::new(None).backoff_factor(1.0).backoff_jitter(3.0);
    assert_eq!(jittery.get_backoff_time_with(0.9), Duration::ZERO);
    assert_eq!(
        after_failures(jittery, 1).get_backoff_time_with(0.9),
        Duration::ZERO
    );
    // With a factor of 0, the jitter alone (as urllib3 does).
    let only = after_failures(Retry::new(None).backoff_jitter(1.0), 2);
    assert_eq!(only.get_backoff_time(), Duration::ZERO);
    assert_eq!(only.get_backoff_time_with(0.5), secs(0.5));
}

#[test]
fn retry_bounds_are_part_of_equality_and_hash() {
    let base = Retry::new(3);
    let variants = [
        base.clone(),
        base.clone().backoff_max(60.0),
        base.clone().backoff_jitter(0.5),
        base.clone().retry_after_max(60.0),
        // The same number in different fields is still a different policy.
        base.clone().backoff_max(0.5),
        base.clone().retry_after_max(0.5),
    ];
    for (i, a) in variants.iter().enumerate() {
        for (j, b) in variants.iter().enumerate() {
            assert_eq!(a == b, i == j, "{i} vs {j}: {a:#?} {b:#?}");
            if i != j {
                assert_ne!(hash_of(a), hash_of(b), "{i} vs {j}");
            }
        }
    }
    let set: HashSet<Retry> = variants.iter().cloned().collect();
    assert_eq!(set.len(), variants.len());

    // Equal settings, equal policies and hashes.
    let a = base.clone().backoff_max(60.0).backoff_jitter(0.5);
    let b = base.clone().backoff_jitter(0.5).backoff_max(60.0);
    assert_eq!(a, b);
    assert_eq!(hash_of(&a), hash_of(&b));
    // An increment keeps them, so the incremented policies still tell them apart.
    let e = || Error::new(ErrorKind::ReadTimeout, "read timed out");
    let ia = a
        .increment(Some("GET"), Some("/"), None, Some(e()))
        .unwrap();
    let ib = base
        .increment(Some("GET"), Some("/"), None, Some(e()))
        .unwrap();
    assert_ne!(ia, ib);
}

#[test]
fn retry_bounds_show_in_alternate_debug() {
    let r = Retry::new(3)
        .backoff_max(30.0)
        .backoff_jitter(0.25)
        .retry_after_max(90.0);
    // The plain repr is still the spec's.
    assert_eq!(
        format!("{r:?}"),
        "Retry(total=3, connect=None, read=None, redirect=None, status=None)"
    );
    let full = format!("{r:#?}");
    assert!(full.contains("backoff_max: 30.0"), "{full}");
    assert!(full.contains("backoff_jitter: 0.25"), "{full}");
    assert!(full.contains("retry_after_max: 90.0"), "{full}");
}

#[test]
fn retry_validate_rejects_negative_and_nan_bounds() {
    type Set = fn(Retry, f64) -> Retry;
    let setters: [(&str, Set); 3] = [
        ("backoff_max", Retry::backoff_max),
        ("backoff_jitter", Retry::backoff_jitter),
        ("retry_after_max", Retry::retry_after_max),
    ];
    for (name, set) in setters {
        for bad in [-1.0, -0.001, f64::NEG_INFINITY, f64::NAN] {
            let r = set(Retry::new(3), bad);
            let e = r.validate().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidValue, "{name} = {bad}");
            assert!(
                e.message().contains(name) && e.message().contains(&format!("{bad:?}")),
                "{name} = {bad}: {}",
                e.message()
            );
        }
        for good in [0.0, 0.5, 120.0, 1e12, f64::INFINITY] {
            assert!(
                set(Retry::new(3), good).validate().is_ok(),
                "{name} = {good}"
            );
        }
    }
    let e = Retry::new(3).backoff_max(-1.0).validate().unwrap_err();
    assert_eq!(
        e.to_string(),
        "ValueError: Retry value backoff_max was -1.0, but it must be a non-negative number of \
         seconds"
    );
    // The first bad one is named.
    let e = Retry::new(3)
        .retry_after_max(f64::NAN)
        .backoff_jitter(-2.0)
        .validate()
        .unwrap_err();
    assert!(e.message().contains("backoff_jitter"), "{}", e.message());
}

#[test]
fn retry_invalid_bounds_allow_no_wait_if_used_anyway() {
    let now = rfc_now();
    // Negative or NaN caps allow no wait (as a negative backoff_max does in urllib3).
    for bad in [-1.0, f64::NAN] {
        let r = after_failures(Retry::new(None).backoff_factor(1.0), 4).backoff_max(bad);
        assert_eq!(r.get_backoff_time(), Duration::ZERO, "{bad}");
        let r = Retry::new(3).retry_after_max(bad);
        assert_eq!(
            r.parse_retry_after("30", now).unwrap(),
            Duration::ZERO,
            "{bad}"
        );
        // A negative or NaN jitter adds nothing.
        let r = after_failures(Retry::new(None).backoff_factor(1.0), 3).backoff_jitter(bad);
        assert_eq!(r.get_backoff_time_with(0.5), secs(4.0), "{bad}");
    }
}
