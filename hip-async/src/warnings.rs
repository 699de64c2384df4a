//! Warnings (the spec's `HTTPWarning` family) as `tracing` events under `hip::warnings`,
//! and `disable_warnings`.

use std::sync::atomic::{AtomicU32, Ordering};

use hip_core::Warning;

/// One bit per warning category; a set bit means the category is silenced.
static DISABLED: AtomicU32 = AtomicU32::new(0);

const ALL: [Warning; 7] = [
    Warning::InsecureRequest,
    Warning::SubjectAltName,
    Warning::SystemTime,
    Warning::InsecurePlatform,
    Warning::SniMissing,
    Warning::Dependency,
    Warning::HeaderParsing,
];

fn bit(w: Warning) -> u32 {
    ALL.iter()
        .position(|x| *x == w)
        .map(|i| 1u32 << i)
        .unwrap_or(0)
}

/// The spec's `disable_warnings()`: silences every hip warning.
pub fn disable_warnings() {
    DISABLED.store(u32::MAX, Ordering::Relaxed);
}

/// The spec's `disable_warnings(category)`: silences one category.
pub fn disable_warning(category: Warning) {
    DISABLED.fetch_or(bit(category), Ordering::Relaxed);
}

/// Turns every warning category back on.
pub fn enable_warnings() {
    DISABLED.store(0, Ordering::Relaxed);
}

/// True when `category` is currently reported.
pub fn is_enabled(category: Warning) -> bool {
    DISABLED.load(Ordering::Relaxed) & bit(category) == 0
}

/// Reports a warning as a `tracing` WARN event with target `hip::warnings`, unless disabled.
pub(crate) fn warn(category: Warning, message: &str) {
    if is_enabled(category) {
        tracing::warn!(target: "hip::warnings", category = category.spec_name(), "{message}");
    }
}

/// urllib3's `RECENT_DATE`: a date hip knows has passed (it was released after it). A
/// system clock before it makes certificate validity periods meaningless, so each TLS
/// connection warns ([`Warning::SystemTime`]). Seconds since the Unix epoch of
/// 2025-01-01T00:00:00Z.
pub const RECENT_DATE: u64 = 1_735_689_600;

/// The `SystemTimeWarning` message when `now` is before [`RECENT_DATE`], as urllib3 words
/// it; `None` when the clock is plausible.
pub(crate) fn system_time_warning(now: std::time::SystemTime) -> Option<String> {
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (secs < RECENT_DATE).then(|| {
        "System time is way off (before 2025-01-01). This will probably lead to SSL \
         verification errors"
            .to_owned()
    })
}

/// Warns ([`Warning::SystemTime`]) when the system clock is before [`RECENT_DATE`].
pub(crate) fn check_system_time() {
    if let Some(message) = system_time_warning(std::time::SystemTime::now()) {
        warn(Warning::SystemTime, &message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn a_clock_before_recent_date_gives_a_system_time_warning() {
        let before = UNIX_EPOCH + Duration::from_secs(RECENT_DATE - 1);
        let message = system_time_warning(before).unwrap();
        assert!(message.starts_with("System time is way off"), "{message}");
        assert_eq!(system_time_warning(UNIX_EPOCH), Some(message));
        assert_eq!(
            system_time_warning(UNIX_EPOCH + Duration::from_secs(RECENT_DATE)),
            None
        );
        assert_eq!(system_time_warning(std::time::SystemTime::now()), None);
    }
}
