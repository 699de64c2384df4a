//! `Timeout`: settings, validation, and the connect clock driven by instants passed in.

use std::time::{Duration, Instant};

use hip_core::timeout::{Timeout, TimeoutInput, TimeoutValue, DEFAULT_TIMEOUT};
use hip_core::ErrorKind;

fn secs(s: u64) -> TimeoutValue {
    TimeoutValue::After(Duration::from_secs(s))
}

fn ms(m: u64) -> TimeoutValue {
    TimeoutValue::After(Duration::from_millis(m))
}

#[test]
fn timeout_new_has_the_spec_defaults() {
    let t = Timeout::new();
    assert_eq!(t.total_value(), TimeoutValue::Never);
    assert_eq!(t.connect_value(), TimeoutValue::Default);
    assert_eq!(t.read_value(), TimeoutValue::Default);
    assert_eq!(t.started_at(), None);
    assert_eq!(
        t.to_string(),
        "Timeout(connect=DEFAULT_TIMEOUT, read=DEFAULT_TIMEOUT, total=None)"
    );
    assert_eq!(Timeout::default(), t);
    assert!(t.validate().is_ok());
    assert_eq!(Timeout::DEFAULT_TIMEOUT, TimeoutValue::Default);
    assert_eq!(DEFAULT_TIMEOUT, TimeoutValue::Default);
    assert!(!t.has_limit());
}

#[test]
fn timeout_builders_accept_every_form() {
    let t = Timeout::new()
        .connect(1.5)
        .read(2)
        .total(Duration::from_millis(2500));
    assert_eq!(t.connect_value(), ms(1500));
    assert_eq!(t.read_value(), secs(2));
    assert_eq!(t.total_value(), ms(2500));
    assert_eq!(t.to_string(), "Timeout(connect=1.5, read=2.0, total=2.5)");
    assert!(t.has_limit());

    let t = Timeout::new()
        .connect(None)
        .read(TimeoutValue::Never)
        .total(DEFAULT_TIMEOUT);
    assert_eq!(t.connect_value(), TimeoutValue::Never);
    assert_eq!(t.read_value(), TimeoutValue::Never);
    assert_eq!(t.total_value(), TimeoutValue::Default);
    assert_eq!(
        t.to_string(),
        "Timeout(connect=None, read=None, total=DEFAULT_TIMEOUT)"
    );
    assert!(!t.has_limit());
    assert!(Timeout::new().read(Some(0.25)).has_limit());
    assert_eq!(Timeout::new().read(Some(0.25)).read_value(), ms(250));
}

#[test]
fn timeout_validate_names_the_bad_setting() {
    let e = Timeout::new().connect(-1.0).validate().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert_eq!(
        e.message(),
        "Timeout value connect was -1.0, but it must be a positive, finite number of seconds \
         (or None for no timeout)"
    );
    let cases: [(Timeout, &str); 7] = [
        (Timeout::new().read(f64::NAN), "read was NaN"),
        (Timeout::new().total(f64::INFINITY), "total was inf"),
        (Timeout::new().total(f64::NEG_INFINITY), "total was -inf"),
        (Timeout::new().read(0.0), "read was 0.0"),
        (Timeout::new().connect(0u64), "connect was 0.0"),
        (Timeout::new().connect(Duration::ZERO), "connect was 0.0"),
        (
            Timeout::new().total(TimeoutValue::After(Duration::ZERO)),
            "total was 0.0",
        ),
    ];
    for (t, expected) in cases {
        let e = t.validate().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue, "{expected}");
        assert!(
            e.message()
                .starts_with(&format!("Timeout value {expected}, ")),
            "{expected}: {}",
            e.message()
        );
    }
    // Connect is checked first, then read, then total (the spec's order).
    let e = Timeout::new()
        .total(-3.0)
        .read(-2.0)
        .connect(-1.0)
        .validate()
        .unwrap_err();
    assert!(e.message().contains("connect was -1.0"), "{}", e.message());
    let e = Timeout::new()
        .total(-3.0)
        .read(-2.0)
        .validate()
        .unwrap_err();
    assert!(e.message().contains("read was -2.0"), "{}", e.message());
}

#[test]
fn timeout_invalid_input_is_kept_until_replaced() {
    let t = Timeout::new().connect(-5.0);
    // Shown as given, read as the default.
    assert_eq!(
        t.to_string(),
        "Timeout(connect=-5.0, read=DEFAULT_TIMEOUT, total=None)"
    );
    assert_eq!(t.connect_value(), TimeoutValue::Default);
    // A later valid setting replaces it.
    let t = t.connect(3.0);
    assert!(t.validate().is_ok());
    assert_eq!(t.connect_value(), secs(3));
    // from_float keeps an invalid value too.
    let e = Timeout::from_float(-0.5).validate().unwrap_err();
    assert!(e.message().contains("connect was -0.5"), "{}", e.message());
    let e = Timeout::from(f64::NAN).validate().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
}

#[test]
fn timeout_try_new_and_try_from() {
    let t = Timeout::try_new(10.0, 2.0, None).unwrap();
    assert_eq!(t.to_string(), "Timeout(connect=2.0, read=None, total=10.0)");
    let e = Timeout::try_new(None, 2.0, -1.0).unwrap_err();
    assert!(e.message().contains("read was -1.0"), "{}", e.message());

    assert_eq!(TimeoutValue::try_from(0.5).unwrap(), ms(500));
    let e = TimeoutValue::try_from(-0.5).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(e.message().contains("timeout was -0.5"), "{}", e.message());
    assert!(TimeoutValue::try_from(f64::NAN).is_err());
    // Huge but finite: the longest Duration.
    assert_eq!(
        TimeoutValue::try_from(1e300).unwrap(),
        TimeoutValue::After(Duration::MAX)
    );
}

#[test]
fn timeout_from_float_sets_connect_and_read() {
    let t = Timeout::from_float(2.5);
    assert_eq!(t.to_string(), "Timeout(connect=2.5, read=2.5, total=None)");
    assert_eq!(Timeout::from(2.5), t);
    assert_eq!(Timeout::from(Duration::from_millis(2500)), t);
    assert_eq!(Timeout::from(3u64), Timeout::from_float(3.0));
    assert_eq!(Timeout::from(secs(4)), Timeout::from_float(4u64));

    let never = Timeout::from(None::<f64>);
    assert_eq!(never.connect_value(), TimeoutValue::Never);
    assert_eq!(never.read_value(), TimeoutValue::Never);
    assert_eq!(never.total_value(), TimeoutValue::Never);

    let default = Timeout::from_float(DEFAULT_TIMEOUT);
    assert_eq!(default, Timeout::new());
}

#[test]
fn timeout_input_conversions() {
    assert_eq!(TimeoutInput::from(1.0), TimeoutInput::from(1u64));
    assert_eq!(
        TimeoutInput::from(1.0),
        TimeoutInput::from(Duration::from_secs(1))
    );
    assert_eq!(TimeoutInput::from(Some(1.0)), TimeoutInput::from(secs(1)));
    assert_eq!(
        TimeoutInput::from(None::<f64>),
        TimeoutInput::from(TimeoutValue::Never)
    );
    assert_eq!(TimeoutValue::from(Duration::from_secs(2)), secs(2));
    assert_eq!(TimeoutValue::from(None::<Duration>), TimeoutValue::Never);
    assert_eq!(TimeoutValue::from(Some(Duration::from_secs(2))), secs(2));
}

#[test]
fn timeout_value_duration_and_display() {
    assert_eq!(secs(3).duration(), Some(Duration::from_secs(3)));
    assert_eq!(TimeoutValue::Never.duration(), None);
    assert_eq!(TimeoutValue::Default.duration(), None);
    assert!(TimeoutValue::Default.is_default());
    assert!(!TimeoutValue::Never.is_default());
    assert_eq!(TimeoutValue::default(), TimeoutValue::Default);
    assert_eq!(ms(100).to_string(), "0.1");
    assert_eq!(secs(7).to_string(), "7.0");
    assert_eq!(TimeoutValue::Never.to_string(), "None");
    assert_eq!(TimeoutValue::Default.to_string(), "DEFAULT_TIMEOUT");
}

#[test]
fn timeout_connect_timeout_takes_the_shorter_of_connect_and_total() {
    assert_eq!(Timeout::new().connect_timeout(), TimeoutValue::Default);
    assert_eq!(Timeout::new().connect(2.0).connect_timeout(), secs(2));
    assert_eq!(
        Timeout::new().connect(None).connect_timeout(),
        TimeoutValue::Never
    );
    assert_eq!(Timeout::new().total(5.0).connect_timeout(), secs(5));
    assert_eq!(
        Timeout::new().total(5.0).connect(None).connect_timeout(),
        secs(5)
    );
    assert_eq!(
        Timeout::new().total(5.0).connect(2.0).connect_timeout(),
        secs(2)
    );
    assert_eq!(
        Timeout::new().total(1.0).connect(2.0).connect_timeout(),
        secs(1)
    );
    assert_eq!(
        Timeout::new()
            .total(DEFAULT_TIMEOUT)
            .connect(2.0)
            .connect_timeout(),
        secs(2)
    );
}

#[test]
fn timeout_read_timeout_without_total_is_read() {
    let now = Instant::now();
    assert_eq!(
        Timeout::new().read_timeout(now).unwrap(),
        TimeoutValue::Default
    );
    assert_eq!(Timeout::new().read(3.0).read_timeout(now).unwrap(), secs(3));
    assert_eq!(
        Timeout::new().read(None).read_timeout(now).unwrap(),
        TimeoutValue::Never
    );
}

#[test]
fn timeout_read_timeout_with_total_subtracts_the_connect_time() {
    let start = Instant::now();
    let mut t = Timeout::new().total(5.0);
    // Total alone needs the clock.
    let e = t.read_timeout(start).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TimeoutState);
    assert_eq!(
        e.message(),
        "Can't get connect duration for timer that has not started."
    );
    assert_eq!(t.start_connect(start).unwrap(), start);
    assert_eq!(t.started_at(), Some(start));
    assert_eq!(t.read_timeout(start).unwrap(), secs(5));
    assert_eq!(
        t.read_timeout(start + Duration::from_millis(1500)).unwrap(),
        ms(3500)
    );
    // Never below zero.
    assert_eq!(
        t.read_timeout(start + Duration::from_secs(9)).unwrap(),
        TimeoutValue::After(Duration::ZERO)
    );

    // Total and read: the shorter; before the clock starts, read.
    let mut t = Timeout::new().total(5.0).read(2.0);
    assert_eq!(t.read_timeout(start).unwrap(), secs(2));
    t.start_connect(start).unwrap();
    assert_eq!(
        t.read_timeout(start + Duration::from_secs(1)).unwrap(),
        secs(2)
    );
    assert_eq!(
        t.read_timeout(start + Duration::from_secs(4)).unwrap(),
        secs(1)
    );
    assert_eq!(
        t.read_timeout(start + Duration::from_secs(6)).unwrap(),
        TimeoutValue::After(Duration::ZERO)
    );

    // total with read=None: what is left of total.
    let mut t = Timeout::new().total(5.0).read(None);
    t.start_connect(start).unwrap();
    assert_eq!(
        t.read_timeout(start + Duration::from_secs(2)).unwrap(),
        secs(3)
    );
}

#[test]
fn timeout_clock_misuse_is_a_timeout_state_error() {
    let start = Instant::now();
    let mut t = Timeout::new().connect(1.0);
    let e = t.get_connect_duration(start).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TimeoutState);
    t.start_connect(start).unwrap();
    let e = t.start_connect(start + Duration::from_secs(1)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TimeoutState);
    assert!(
        e.message()
            .starts_with("Timeout timer has already been started"),
        "{}",
        e.message()
    );
    // The first start stays.
    assert_eq!(t.started_at(), Some(start));
    assert_eq!(
        t.get_connect_duration(start + Duration::from_millis(250))
            .unwrap(),
        Duration::from_millis(250)
    );
    // An instant before the start counts as zero.
    let later = Instant::now() + Duration::from_secs(10);
    let mut t2 = Timeout::new();
    t2.start_connect(later).unwrap();
    assert_eq!(t2.get_connect_duration(start).unwrap(), Duration::ZERO);
}

#[test]
fn timeout_clone_fresh_drops_the_clock_but_clone_keeps_it() {
    let start = Instant::now();
    let mut t = Timeout::new().total(3.0).connect(1.0);
    t.start_connect(start).unwrap();
    let kept = t.clone();
    assert_eq!(kept.started_at(), Some(start));
    assert_eq!(kept, t);
    let mut fresh = t.clone_fresh();
    assert_eq!(fresh.started_at(), None);
    assert_ne!(fresh, t);
    assert_eq!(fresh.to_string(), t.to_string());
    assert_eq!(fresh.start_connect(start).unwrap(), start);
    assert_eq!(fresh, t);
}
