//! Retry-After dates read the way urllib3 1.26 reads them: Python 3's
//! `email.utils.parsedate_tz`, then `email.utils.mktime_tz`.
//!
//! That parser is far more lenient than RFC 9110's HTTP-date grammar, and servers rely on
//! it: `Mon, 3 Jun 2019 12:00:00 UTC` (a one-digit day, a zone other than `GMT`) is no
//! HTTP-date but urllib3 honours it. [`parse`] accepts exactly the inputs Python 3.11
//! accepts and gives the same instant; the unit tests check it against a table of answers
//! from CPython itself (`scripts/retry_after_oracle.py` writes it).
//!
//! # Theory of operation
//!
//! The value is split into tokens at whitespace (Python's, which includes the NBSP and
//! U+001C..=U+001F), then the tokens are sorted out by position, with a few repairs:
//!
//! 1. A leading token that ends with `,` or is a day name (`Sun`) is dropped, whatever day it
//!    names; otherwise only what follows its last `,` is kept (`Sun,06` is `06`).
//! 2. Three tokens left and the first holds two `-`: an RFC 850 date (`06-Nov-94`), whose
//!    first token is three.
//! 3. Four tokens: the last is a time, maybe with its zone attached after a `+` or `-`
//!    (`08:49:37+0100`); otherwise the zone is empty.
//! 4. The first five tokens are the day, month, year, time and zone; the rest is ignored.
//!    When the second is not a month name (in any case, `jan` or `january`) the first must
//!    be, and the day is the second (asctime's `Nov 6`). A year with a `:` in it is the
//!    time, and they swap (asctime's `08:49:37 1994`); a year that does not start with a
//!    digit is the zone, and they swap. One trailing `,` is dropped from the day, year and
//!    time.
//! 5. The time is `h:m`, `h:m:s`, `h.m` or `h.m.s`. The day, year, hour, minute and second
//!    are read like Python's `int()`: a sign, digits of any script, single `_` between
//!    digits, at most 4300 digits. None of them is range-checked except the year: day 32
//!    of November is December 2nd and `99:99:99` is fine.
//! 6. A year below 100 is two-digit: 69..=99 mean 1969..=1999, anything lower 2000 more
//!    (so `-1` is 1999). The year must then be 1..=9999 (where Python's `mktime_tz` raises,
//!    urllib3 fails with a `ValueError`; here it is an invalid date like the others).
//! 7. The zone is a name (`UT`, `UTC`, `GMT`, `Z`, and the North American `AST`/`ADT`,
//!    `EST`/`EDT`, `CST`/`CDT`, `MST`/`MDT`, `PST`/`PDT`), in any case, or an integer read as
//!    `±hhmm` (`+0100`, `-0530`; the last two digits are minutes, whatever their value).
//!    Anything else, and no zone at all, means UTC, as urllib3 assumes.
//!
//! The fields are then added up exactly, as Python's integers do, so fields that are huge
//! but cancel out still give the right instant; the answer saturates only at the end.

mod unicode;

#[cfg(test)]
mod oracle_cases;
#[cfg(test)]
mod tests;

/// Day names `parsedate_tz` drops from the front (compared ignoring ASCII case).
const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Month names, short and long, with their numbers (compared ignoring ASCII case).
const MONTH_NAMES: [(&str, u32); 23] = [
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
];

/// Zone names and their offsets from UTC in seconds (compared after Unicode uppercasing,
/// as Python's `str.upper()` does, so `pſt` is `PST`).
const ZONES: [(&str, i64); 14] = [
    ("UT", 0),
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("AST", -4 * 3600),
    ("ADT", -3 * 3600),
    ("EST", -5 * 3600),
    ("EDT", -4 * 3600),
    ("CST", -6 * 3600),
    ("CDT", -5 * 3600),
    ("MST", -7 * 3600),
    ("MDT", -6 * 3600),
    ("PST", -8 * 3600),
    ("PDT", -7 * 3600),
];

/// Python's limit on the digits `int()` reads from a string
/// (`sys.int_info.default_max_str_digits`).
const MAX_INT_DIGITS: usize = 4300;

/// Python 3.11's `email.utils.mktime_tz(email.utils.parsedate_tz(value))`: the instant a
/// date names, in seconds since the Unix epoch, saturated to an `i128`. `None` where
/// `parsedate_tz` returns `None` or `mktime_tz` raises (a year outside 1..=9999).
///
/// A date without a zone is UTC (Python 3's `parsedate_tz` says so for every date without
/// a known zone). See the module documentation for the rules.
pub(crate) fn parse(value: &str) -> Option<i128> {
    let mut data: Vec<&str> = value.split(is_space).filter(|t| !t.is_empty()).collect();
    let first = *data.first()?;
    if first.ends_with(',') || DAY_NAMES.iter().any(|d| first.eq_ignore_ascii_case(d)) {
        data.remove(0);
    } else if let Some(comma) = first.rfind(',') {
        data[0] = &first[comma + 1..];
    }
    if data.len() == 3 {
        let parts: Vec<&str> = data[0].split('-').collect();
        if parts.len() == 3 {
            data.splice(0..1, parts);
        }
    }
    if data.len() == 4 {
        let time = data[3];
        match time.find('+').or_else(|| time.find('-')) {
            Some(sign) if sign > 0 => {
                data[3] = &time[..sign];
                data.push(&time[sign..]);
            }
            _ => data.push(""),
        }
    }
    let &[mut day, month_token, mut year, mut time, mut zone] = data.get(..5)? else {
        return None;
    };
    if day.is_empty() || month_token.is_empty() || year.is_empty() {
        return None;
    }
    let month = match month_number(month_token) {
        Some(m) => m,
        None => {
            let m = month_number(day)?;
            day = month_token;
            m
        }
    };
    day = strip_comma(day);
    if year.find(':').is_some_and(|colon| colon > 0) {
        std::mem::swap(&mut year, &mut time);
    }
    if let Some(y) = year.strip_suffix(',') {
        if y.is_empty() {
            return None;
        }
        year = y;
    }
    if !year.chars().next().is_some_and(is_digit) {
        std::mem::swap(&mut year, &mut zone);
    }
    time = strip_comma(time);
    let (hour, minute, second) = split_time(time)?;

    let year = py_int(year)?;
    let day = py_int(day)?;
    let hour = py_int(hour)?;
    let minute = py_int(minute)?;
    let second = py_int(second)?;

    let mut year = year.to_i128_saturating();
    if year < 100 {
        year += if year > 68 { 1900 } else { 2000 };
    }
    let year = i64::try_from(year)
        .ok()
        .filter(|y| (1..=9999).contains(y))?;
    let first_of_month = days_from_civil(year, month);

    // calendar.timegm: ((days * 24 + hour) * 60 + minute) * 60 + second, with the day of
    // the month counted from 1; then mktime_tz subtracts the zone's offset.
    let total = Int::from_i64((first_of_month - 1) * 86_400)
        .add(&day.mul_small(86_400))
        .add(&hour.mul_small(3_600))
        .add(&minute.mul_small(60))
        .add(&second)
        .sub(&zone_offset(zone));
    Some(total.to_i128_saturating())
}

/// Python's `str.isspace()`: what `str.split()` splits at (Rust's whitespace and the
/// separators U+001C..=U+001F).
pub(crate) fn is_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, '\t'..='\r' | '\u{1c}'..='\u{1f}' | ' ')
    } else {
        unicode::SPACE.contains(&c)
    }
}

/// Python's `str.isdigit()` for one character.
fn is_digit(c: char) -> bool {
    decimal_value(c).is_some()
        || unicode::OTHER_DIGITS
            .iter()
            .any(|&(lo, hi)| (lo..=hi).contains(&u32::from(c)))
}

/// The value of a decimal digit of any script (Python's `unicodedata.decimal`).
fn decimal_value(c: char) -> Option<u8> {
    let code = u32::from(c);
    let run = unicode::DECIMAL_ZEROS.partition_point(|&zero| zero <= code);
    let zero = unicode::DECIMAL_ZEROS[run.checked_sub(1)?];
    // Each run is ten digits long: a difference below 10 fits in a u8.
    (code - zero < 10).then(|| (code - zero) as u8)
}

/// The month a name (`nov`, `November`, any case) stands for.
fn month_number(name: &str) -> Option<u32> {
    MONTH_NAMES
        .iter()
        .find(|(n, _)| name.eq_ignore_ascii_case(n))
        .map(|&(_, m)| m)
}

/// The token without one trailing `,`.
fn strip_comma(token: &str) -> &str {
    token.strip_suffix(',').unwrap_or(token)
}

/// `h:m`, `h:m:s`, `h.m` or `h.m.s` as hour, minute and second (`"0"` when absent). Dots
/// count only when there is no colon.
fn split_time(time: &str) -> Option<(&str, &str, &str)> {
    let separator = if !time.contains(':') && time.contains('.') {
        '.'
    } else {
        ':'
    };
    let parts: Vec<&str> = time.split(separator).collect();
    match parts[..] {
        [hour, minute] => Some((hour, minute, "0")),
        [hour, minute, second] => Some((hour, minute, second)),
        _ => None,
    }
}

/// The zone's offset from UTC in seconds: a name, or an integer read as `±hhmm`; anything
/// else is UTC.
fn zone_offset(zone: &str) -> Int {
    let upper = |name: &str| zone.chars().flat_map(char::to_uppercase).eq(name.chars());
    if let Some(&(_, seconds)) = ZONES.iter().find(|(name, _)| upper(name)) {
        return Int::from_i64(seconds);
    }
    match py_int(zone) {
        Some(n) => {
            let (hours, minutes) = n.magnitude_divmod_100();
            let seconds = hours.mul_small(3_600).add(&Int::from_i64(minutes * 60));
            if n.negative {
                seconds.neg()
            } else {
                seconds
            }
        }
        None => Int::ZERO,
    }
}

/// Python's `int(token)` (base 10): a sign, then decimal digits of any script with single
/// underscores between them, at most [`MAX_INT_DIGITS`] digits. (Python also allows
/// whitespace around it; a token has none.)
fn py_int(token: &str) -> Option<Int> {
    let (negative, digits) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token.strip_prefix('+').unwrap_or(token)),
    };
    let mut values = Vec::with_capacity(digits.len());
    let mut after_digit = false;
    for c in digits.chars() {
        if c == '_' && after_digit {
            after_digit = false;
        } else {
            values.push(decimal_value(c)?);
            after_digit = true;
        }
    }
    if !after_digit || values.len() > MAX_INT_DIGITS {
        return None;
    }
    let magnitude = Int::from_digits(&values);
    Some(if negative { magnitude.neg() } else { magnitude })
}

/// Days from 1970-01-01 to the first of `month` in `year` (proleptic Gregorian calendar;
/// Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32) -> i64 {
    let month = i64::from(month);
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March is 0
    let day_of_year = (153 * shifted_month + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A signed integer of any size: just enough of Python's `int` for adding up a date whose
/// fields may each have thousands of digits.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Int {
    /// Never set for zero.
    negative: bool,
    /// The magnitude in base 10^9, least significant limb first, without leading zeros
    /// (zero has no limbs).
    limbs: Vec<u32>,
}

/// The base of [`Int`]'s limbs.
const BASE: u64 = 1_000_000_000;

impl Int {
    const ZERO: Int = Int {
        negative: false,
        limbs: Vec::new(),
    };

    fn from_i64(value: i64) -> Int {
        let mut magnitude = value.unsigned_abs();
        let mut limbs = Vec::new();
        while magnitude > 0 {
            // Below BASE, so it fits.
            limbs.push((magnitude % BASE) as u32);
            magnitude /= BASE;
        }
        Int {
            negative: value < 0,
            limbs,
        }
    }

    /// The non-negative integer with these decimal digits (each 0..=9), most significant
    /// first.
    fn from_digits(digits: &[u8]) -> Int {
        let mut limbs: Vec<u32> = digits
            .rchunks(9)
            .map(|chunk| chunk.iter().fold(0, |acc, &d| acc * 10 + u32::from(d)))
            .collect();
        trim(&mut limbs);
        Int {
            negative: false,
            limbs,
        }
    }

    fn neg(mut self) -> Int {
        self.negative = !self.negative && !self.limbs.is_empty();
        self
    }

    fn mul_small(&self, factor: u32) -> Int {
        let mut limbs = Vec::with_capacity(self.limbs.len() + 1);
        let mut carry = 0u64;
        for &limb in &self.limbs {
            let product = u64::from(limb) * u64::from(factor) + carry;
            limbs.push((product % BASE) as u32);
            carry = product / BASE;
        }
        while carry > 0 {
            limbs.push((carry % BASE) as u32);
            carry /= BASE;
        }
        trim(&mut limbs);
        Int {
            negative: self.negative && !limbs.is_empty(),
            limbs,
        }
    }

    /// `(|self| // 100, |self| % 100)`.
    fn magnitude_divmod_100(&self) -> (Int, i64) {
        let mut limbs = vec![0; self.limbs.len()];
        let mut remainder = 0u64;
        for (i, &limb) in self.limbs.iter().enumerate().rev() {
            let current = remainder * BASE + u64::from(limb);
            // current < 100 * BASE, so the quotient is below BASE.
            limbs[i] = (current / 100) as u32;
            remainder = current % 100;
        }
        trim(&mut limbs);
        // The remainder is below 100.
        (
            Int {
                negative: false,
                limbs,
            },
            remainder as i64,
        )
    }

    fn add(&self, other: &Int) -> Int {
        if self.negative == other.negative {
            return Int {
                negative: self.negative,
                limbs: add_magnitudes(&self.limbs, &other.limbs),
            };
        }
        match cmp_magnitudes(&self.limbs, &other.limbs) {
            std::cmp::Ordering::Equal => Int::ZERO,
            std::cmp::Ordering::Greater => Int {
                negative: self.negative,
                limbs: sub_magnitudes(&self.limbs, &other.limbs),
            },
            std::cmp::Ordering::Less => Int {
                negative: other.negative,
                limbs: sub_magnitudes(&other.limbs, &self.limbs),
            },
        }
    }

    fn sub(&self, other: &Int) -> Int {
        self.add(&other.clone().neg())
    }

    fn to_i128_saturating(&self) -> i128 {
        let mut magnitude: u128 = 0;
        for &limb in self.limbs.iter().rev() {
            magnitude = match magnitude
                .checked_mul(u128::from(BASE))
                .and_then(|m| m.checked_add(u128::from(limb)))
            {
                Some(m) => m,
                None => return if self.negative { i128::MIN } else { i128::MAX },
            };
        }
        if self.negative {
            0i128.checked_sub_unsigned(magnitude).unwrap_or(i128::MIN)
        } else {
            i128::try_from(magnitude).unwrap_or(i128::MAX)
        }
    }
}

/// Drops leading zero limbs.
fn trim(limbs: &mut Vec<u32>) {
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
}

fn cmp_magnitudes(a: &[u32], b: &[u32]) -> std::cmp::Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

fn add_magnitudes(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut sum = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u64;
    for i in 0..a.len().max(b.len()) {
        let s = u64::from(a.get(i).copied().unwrap_or(0))
            + u64::from(b.get(i).copied().unwrap_or(0))
            + carry;
        sum.push((s % BASE) as u32);
        carry = s / BASE;
    }
    if carry > 0 {
        sum.push(carry as u32);
    }
    sum
}

/// `a - b` for `a >= b`.
fn sub_magnitudes(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut difference = Vec::with_capacity(a.len());
    let mut borrow = 0i64;
    for (i, &limb) in a.iter().enumerate() {
        let mut d = i64::from(limb) - i64::from(b.get(i).copied().unwrap_or(0)) - borrow;
        borrow = i64::from(d < 0);
        if d < 0 {
            // BASE fits in an i64.
            d += BASE as i64;
        }
        difference.push(d as u32);
    }
    trim(&mut difference);
    difference
}
