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
