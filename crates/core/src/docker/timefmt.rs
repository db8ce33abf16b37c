//! Timestamp formatting and parsing as the Docker Engine does it: Go's
//! RFC 3339 (nano) UTC output and the `since`/`until` query value syntax.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// Docker's rendering of Go's zero `time.Time`, used for `StartedAt` and
/// `FinishedAt` of containers that never started or finished.
pub const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// Seconds from 0001-01-01T00:00:00Z to the Unix epoch.
const ZERO_TIME_UNIX: u64 = 62_135_596_800;

/// Error returned by the timestamp parsers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// The value is neither a timestamp nor a duration (Docker's wording).
    #[error("failed to parse value as time or duration: \"{0}\"")]
    Invalid(String),
    /// The value describes a time outside the representable range.
    #[error("timestamp out of range: \"{0}\"")]
    OutOfRange(String),
}

/// Returns Go's zero time (`0001-01-01T00:00:00Z`) as a [`SystemTime`].
pub fn zero_time() -> SystemTime {
    UNIX_EPOCH
        .checked_sub(Duration::from_secs(ZERO_TIME_UNIX))
        .unwrap_or(UNIX_EPOCH)
}

/// Splits a time into whole seconds relative to the epoch (floored) and
/// nanoseconds within that second.
fn split_unix(t: SystemTime) -> (i128, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (i128::from(d.as_secs()), d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let secs = -i128::from(d.as_secs());
            match d.subsec_nanos() {
                0 => (secs, 0),
                n => (secs - 1, 1_000_000_000 - n),
            }
        }
    }
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day)
/// (Howard Hinnant's `civil_from_days`).
///
/// ```
/// use sockerless_core::docker::timefmt::civil_from_days;
/// assert_eq!(civil_from_days(0), (1970, 1, 1));
/// assert_eq!(civil_from_days(11_016), (2000, 2, 29));
/// ```
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // `days` is at most 2^63 / 86 400 in magnitude for any Unix second: the
    // sums below cannot overflow.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day is in 1..=31 and month in 1..=12, so the conversions cannot fail.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// `YYYY-MM-DDTHH:MM:SS` of Unix second `secs`, in UTC, for the years 0 to
/// 9999 (RFC 3339's range; `None` outside it): digits written by hand, a
/// tenth of what `format!` costs.
///
/// ```
/// use sockerless_core::docker::timefmt::second_text;
/// assert_eq!(second_text(951_868_799), Some(*b"2000-02-29T23:59:59"));
/// assert_eq!(second_text(-62_135_596_800), Some(*b"0001-01-01T00:00:00"));
/// assert_eq!(second_text(253_402_300_800), None);
/// ```
pub fn second_text(secs: i64) -> Option<[u8; 19]> {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let year = u32::try_from(year).ok().filter(|y| *y <= 9999)?;
    // In 0..86 400: fits.
    let second_of_day = u32::try_from(secs.rem_euclid(86_400)).unwrap_or(0);
    let mut text = *b"0000-00-00T00:00:00";
    put_digits(&mut text[0..4], year);
    put_digits(&mut text[5..7], month);
    put_digits(&mut text[8..10], day);
    put_digits(&mut text[11..13], second_of_day / 3_600);
    put_digits(&mut text[14..16], second_of_day / 60 % 60);
    put_digits(&mut text[17..19], second_of_day % 60);
    Some(text)
}

/// Writes `value`'s last `out.len()` decimal digits into `out`, zero-padded
/// on the left (what `format!("{value:0N}")` writes, without its machinery,
/// for a value of at most N digits).
///
/// ```
/// use sockerless_core::docker::timefmt::put_digits;
/// let mut out = [b'x'; 6];
/// put_digits(&mut out, 4_207);
/// assert_eq!(&out, b"004207");
/// ```
pub fn put_digits(out: &mut [u8], value: u32) {
    let mut rest = value;
    for d in out.iter_mut().rev() {
        // A digit: below 10.
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
}

/// The text up to the seconds (as [`second_text`]; `format!` for a year
/// outside 0 to 9999), with room for the fraction, and the nanoseconds.
fn format_seconds(t: SystemTime) -> (String, u32) {
    let (secs, nanos) = split_unix(t);
    // A `SystemTime` holds an `i64` of seconds; the floor of one before it
    // is the only value that may not fit.
    let secs = i64::try_from(secs).unwrap_or(i64::MIN);
    let mut out = String::with_capacity(31);
    match second_text(secs) {
        Some(text) => out.push_str(std::str::from_utf8(&text).unwrap_or_default()),
        None => {
            let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
            let sod = secs.rem_euclid(86_400);
            out = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                year,
                month,
                day,
                sod / 3600,
                (sod / 60) % 60,
                sod % 60
            );
        }
    }
    (out, nanos)
}

/// Formats a time in UTC like Go's `time.RFC3339Nano`, as Docker emits it:
/// `"2024-01-02T03:04:05.123456789Z"` with trailing zeros of the fraction
/// trimmed and no fraction at all when it is zero.
pub fn rfc3339_nano(t: SystemTime) -> String {
    let (mut out, nanos) = format_seconds(t);
    if nanos != 0 {
        let mut digits = [b'0'; 9];
        put_digits(&mut digits, nanos);
        let kept = digits.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
        out.push('.');
        out.push_str(std::str::from_utf8(&digits[..kept]).unwrap_or_default());
    }
    out.push('Z');
    out
}

/// Formats a time in UTC like Go's `time.RFC3339` (whole seconds, `Z`).
pub fn rfc3339(t: SystemTime) -> String {
    let (mut out, _) = format_seconds(t);
    out.push('Z');
    out
}

fn from_unix_nanos(nanos: i128, original: &str) -> Result<SystemTime, TimeError> {
    let out_of_range = || TimeError::OutOfRange(original.to_string());
    let magnitude = nanos.unsigned_abs();
    let secs = u64::try_from(magnitude / 1_000_000_000).map_err(|_| out_of_range())?;
    let sub = u32::try_from(magnitude % 1_000_000_000).map_err(|_| out_of_range())?;
    let d = Duration::new(secs, sub);
    if nanos >= 0 {
        UNIX_EPOCH.checked_add(d)
    } else {
        UNIX_EPOCH.checked_sub(d)
    }
    .ok_or_else(out_of_range)
}

/// Parses an RFC 3339 timestamp with optional fractional seconds and any
/// offset (`"2024-01-02T03:04:05Z"`, `"2024-01-02T03:04:05.5+02:00"`).
pub fn parse_rfc3339(s: &str) -> Result<SystemTime, TimeError> {
    let dt = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| TimeError::Invalid(s.to_string()))?;
    from_unix_nanos(dt.unix_timestamp_nanos(), s)
}

/// Parses the zone-less date/time forms the Docker CLI accepts, in UTC.
fn parse_partial_datetime(s: &str) -> Option<OffsetDateTime> {
    if let Ok(d) = Date::parse(s, format_description!("[year]-[month]-[day]")) {
        return Some(d.midnight().assume_utc());
    }
    let formats = [
        format_description!("[year]-[month]-[day]T[hour]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]"),
    ];
    formats
        .iter()
        .find_map(|f| PrimitiveDateTime::parse(s, f).ok())
        .map(PrimitiveDateTime::assume_utc)
}

/// Parses `"<seconds>"` or `"<seconds>.<fraction>"` Unix timestamps.
fn parse_unix(s: &str) -> Option<i128> {
    let (secs, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    if secs.is_empty() || !secs.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let secs: i128 = secs.parse::<i64>().ok()?.into();
    let nanos = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => {
            let mut digits: String = f.chars().take(9).collect();
            while digits.len() < 9 {
                digits.push('0');
            }
            i128::from(digits.parse::<u32>().ok()?)
        }
        Some(_) => return None,
    };
    Some(secs * 1_000_000_000 + nanos)
}

/// A Go duration in signed nanoseconds (the parser lives in `duration`).
fn parse_go_duration_nanos(s: &str) -> Option<i128> {
    let (negative, d) = super::duration::parse_signed_go_duration(s).ok()?;
    let nanos = i128::try_from(d.as_nanos()).ok()?;
    Some(if negative { -nanos } else { nanos })
}

/// Parses a Docker `since`/`until` value relative to `now`.
///
/// Accepted forms, tried in Docker's order:
/// * a Go duration (`"10m"`, `"1h30m"`), meaning `now - duration` (a
///   negative duration such as `"-5m"` points into the future); `"0"` is
///   treated as the Unix timestamp 0, not as a duration;
/// * RFC 3339 with or without fraction and with any offset;
/// * zone-less `YYYY-MM-DD`, `YYYY-MM-DDTHH`, `YYYY-MM-DDTHH:MM`,
///   `YYYY-MM-DDTHH:MM:SS[.fraction]`, interpreted as UTC;
/// * Unix seconds, optionally with a fraction (`"1700000000.123456789"`).
pub fn parse_timestamp(s: &str, now: SystemTime) -> Result<SystemTime, TimeError> {
    let invalid = || TimeError::Invalid(s.to_string());
    if s != "0" {
        if let Some(d) = parse_go_duration_nanos(s) {
            let (secs, nanos) = split_unix(now);
            let now_nanos = secs * 1_000_000_000 + i128::from(nanos);
            return from_unix_nanos(now_nanos - d, s);
        }
    }
    if let Ok(t) = parse_rfc3339(s) {
        return Ok(t);
    }
    if let Some(dt) = parse_partial_datetime(s) {
        return from_unix_nanos(dt.unix_timestamp_nanos(), s);
    }
    if s.contains('-') {
        return Err(invalid());
    }
    parse_unix(s)
        .ok_or_else(invalid)
        .and_then(|n| from_unix_nanos(n, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    #[test]
    fn format_table() {
        let before_epoch = UNIX_EPOCH - Duration::new(1, 500_000_000);
        let cases: &[(SystemTime, &str, &str)] = &[
            (UNIX_EPOCH, "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
            (
                at(1_704_164_645, 123_456_789),
                "2024-01-02T03:04:05.123456789Z",
                "2024-01-02T03:04:05Z",
            ),
            (
                at(1_704_164_645, 120_000_000),
                "2024-01-02T03:04:05.12Z",
                "2024-01-02T03:04:05Z",
            ),
            (
                at(1_704_164_645, 1),
                "2024-01-02T03:04:05.000000001Z",
                "2024-01-02T03:04:05Z",
            ),
            (
                at(1_700_000_000, 0),
                "2023-11-14T22:13:20Z",
                "2023-11-14T22:13:20Z",
            ),
            (
                at(951_782_400, 0),
                "2000-02-29T00:00:00Z",
                "2000-02-29T00:00:00Z",
            ),
            (
                at(253_402_300_799, 999_999_999),
                "9999-12-31T23:59:59.999999999Z",
                "9999-12-31T23:59:59Z",
            ),
            (
                before_epoch,
                "1969-12-31T23:59:58.5Z",
                "1969-12-31T23:59:58Z",
            ),
            (zero_time(), ZERO_TIME, ZERO_TIME),
            // Past RFC 3339's years: written the long way, as before.
            (
                at(253_402_300_800, 5),
                "10000-01-01T00:00:00.000000005Z",
                "10000-01-01T00:00:00Z",
            ),
        ];
        for (t, nano, secs) in cases {
            assert_eq!(rfc3339_nano(*t), *nano);
            assert_eq!(rfc3339(*t), *secs);
        }
    }

    #[test]
    fn parse_timestamp_table() {
        let now = at(1_700_000_000, 0);
        let cases: &[(&str, Result<SystemTime, TimeError>)] = &[
            ("1700000000", Ok(at(1_700_000_000, 0))),
            ("0", Ok(UNIX_EPOCH)),
            ("1700000000.123456789", Ok(at(1_700_000_000, 123_456_789))),
            ("1700000000.5", Ok(at(1_700_000_000, 500_000_000))),
            ("1700000000.0000000019", Ok(at(1_700_000_000, 1))),
            ("10m", Ok(at(1_700_000_000 - 600, 0))),
            ("1h30m", Ok(at(1_700_000_000 - 5400, 0))),
            ("1.5s", Ok(at(1_699_999_998, 500_000_000))),
            ("-5m", Ok(at(1_700_000_300, 0))),
            ("0s", Ok(now)),
            ("2023-11-14T22:13:20Z", Ok(at(1_700_000_000, 0))),
            (
                "2023-11-14T22:13:20.25Z",
                Ok(at(1_700_000_000, 250_000_000)),
            ),
            ("2023-11-15T00:13:20+02:00", Ok(at(1_700_000_000, 0))),
            ("2023-11-14T22:13:20.000000001Z", Ok(at(1_700_000_000, 1))),
            ("2023-11-14", Ok(at(1_699_920_000, 0))),
            ("2023-11-14T22", Ok(at(1_699_999_200, 0))),
            ("2023-11-14T22:13", Ok(at(1_699_999_980, 0))),
            ("2023-11-14T22:13:20", Ok(at(1_700_000_000, 0))),
            ("2023-11-14T22:13:20.5", Ok(at(1_700_000_000, 500_000_000))),
            ("", Err(TimeError::Invalid("".into()))),
            ("abc", Err(TimeError::Invalid("abc".into()))),
            ("10", Ok(at(10, 0))),
            ("10x", Err(TimeError::Invalid("10x".into()))),
            ("1.2.3", Err(TimeError::Invalid("1.2.3".into()))),
            ("-1", Err(TimeError::Invalid("-1".into()))),
            ("2023-13-01", Err(TimeError::Invalid("2023-13-01".into()))),
            ("1700000000.", Err(TimeError::Invalid("1700000000.".into()))),
            (
                "1700000000.x",
                Err(TimeError::Invalid("1700000000.x".into())),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_timestamp(input, now), *want, "{input:?}");
        }
    }

    #[test]
    fn parse_rfc3339_round_trip() {
        for t in [UNIX_EPOCH, at(1_704_164_645, 123_456_789), zero_time()] {
            assert_eq!(parse_rfc3339(&rfc3339_nano(t)), Ok(t));
        }
        assert_eq!(parse_rfc3339(ZERO_TIME), Ok(zero_time()));
        assert!(parse_rfc3339("2024-01-02").is_err());
    }

    #[test]
    fn error_message() {
        assert_eq!(
            TimeError::Invalid("x".into()).to_string(),
            "failed to parse value as time or duration: \"x\""
        );
    }
}
