//! Go `time.ParseDuration` / `time.Duration.String` compatible duration
//! parsing and formatting, restricted to non-negative durations.

use std::time::Duration;

/// Largest duration Go can represent (`math.MaxInt64` nanoseconds).
const MAX_NANOS: u128 = i64::MAX as u128;

/// The largest stop timeout, in seconds, that Docker can represent: it turns
/// `t` into a Go `time.Duration` (nanoseconds in an int64), which overflows
/// beyond this.
pub const MAX_STOP_TIMEOUT_SECS: i64 = i64::MAX / 1_000_000_000;

/// Checks `t` of stop and restart (`raw` as sent, `secs` parsed): beyond
/// [`MAX_STOP_TIMEOUT_SECS`] it is 400 `invalid value for t: …` rather than a
/// stop that never times out. Shared by both frontends.
///
/// ```
/// use sockerless_core::docker::duration::check_stop_timeout;
/// assert!(check_stop_timeout("-1", -1).is_ok());
/// assert!(check_stop_timeout("9223372036", 9_223_372_036).is_ok());
/// let err = check_stop_timeout("9223372037", 9_223_372_037).unwrap_err();
/// assert_eq!(err.to_string(), "invalid value for t: 9223372037");
/// ```
pub fn check_stop_timeout(raw: &str, secs: i64) -> crate::error::Result<()> {
    if secs > MAX_STOP_TIMEOUT_SECS {
        return Err(crate::error::Error::bad_request(format!(
            "invalid value for t: {raw}"
        )));
    }
    Ok(())
}

/// Error returned when a duration string cannot be parsed.
///
/// Messages follow Go's `time.ParseDuration` wording where one exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The input is not a well-formed duration.
    #[error("time: invalid duration \"{0}\"")]
    Invalid(String),
    /// A number is not followed by a unit (e.g. `"10"`).
    #[error("time: missing unit in duration \"{0}\"")]
    MissingUnit(String),
    /// The unit is not one of `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`.
    #[error("time: unknown unit \"{unit}\" in duration \"{input}\"")]
    UnknownUnit {
        /// The offending unit.
        unit: String,
        /// The complete input.
        input: String,
    },
    /// The duration is negative, which `std::time::Duration` cannot hold.
    #[error("time: negative duration \"{0}\" is not allowed")]
    Negative(String),
    /// The duration exceeds Go's limit of `i64::MAX` nanoseconds.
    #[error("time: invalid duration \"{0}\"")]
    Overflow(String),
}

fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "\u{00b5}s" | "\u{03bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Parses a duration string in Go's `time.ParseDuration` syntax, such as
/// `"300ms"`, `"1.5h"`, `"2h45m"`, `"10us"`/`"10µs"` or `"0"`.
///
/// Negative durations (other than a zero value like `"-0s"`) are rejected,
/// as are durations above Go's maximum of `i64::MAX` nanoseconds (~292 years).
/// Fractions finer than a nanosecond are truncated.
pub fn parse_go_duration(s: &str) -> Result<Duration, DurationError> {
    match parse_signed_go_duration(s)? {
        (true, d) if !d.is_zero() => Err(DurationError::Negative(s.to_string())),
        (_, d) => Ok(d),
    }
}

/// Go's `time.ParseDuration` with its sign: `(negative, magnitude)`.
pub fn parse_signed_go_duration(s: &str) -> Result<(bool, Duration), DurationError> {
    let invalid = || DurationError::Invalid(s.to_string());
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body == "0" {
        return Ok((negative, Duration::ZERO));
    }
    if body.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    let mut rest = body;
    while !rest.is_empty() {
        // Integer part.
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_digits, after_int) = rest.split_at(int_len);
        // Optional fraction.
        let (frac_digits, after_num) = match after_int.strip_prefix('.') {
            Some(f) => {
                let frac_len = f.bytes().take_while(u8::is_ascii_digit).count();
                f.split_at(frac_len)
            }
            None => ("", after_int),
        };
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(invalid());
        }
        // Unit: everything up to the next digit or '.'.
        let unit_len = after_num
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(after_num.len(), |(i, _)| i);
        let (unit, next) = after_num.split_at(unit_len);
        if unit.is_empty() {
            return Err(DurationError::MissingUnit(s.to_string()));
        }
        let per_unit = unit_nanos(unit).ok_or_else(|| DurationError::UnknownUnit {
            unit: unit.to_string(),
            input: s.to_string(),
        })?;
        let overflow = || DurationError::Overflow(s.to_string());
        let mut int_value: u128 = 0;
        for d in int_digits.bytes() {
            int_value = int_value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u128::from(d - b'0')))
                .filter(|v| *v <= MAX_NANOS)
                .ok_or_else(overflow)?;
        }
        let mut part = int_value.checked_mul(per_unit).ok_or_else(overflow)?;
        // Fraction: keep enough digits for nanosecond precision of the unit.
        let mut frac_value: u128 = 0;
        let mut scale: u128 = 1;
        for d in frac_digits.bytes().take(24) {
            frac_value = frac_value * 10 + u128::from(d - b'0');
            scale *= 10;
        }
        part += frac_value * per_unit / scale;
        total = total.checked_add(part).ok_or_else(overflow)?;
        if total > MAX_NANOS {
            return Err(overflow());
        }
        rest = next;
    }
    Ok((negative, nanos_to_duration(total)))
}

fn nanos_to_duration(nanos: u128) -> Duration {
    let secs = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
    // The remainder is always below 1e9 and therefore fits in u32.
    let sub = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
    Duration::new(secs, sub)
}

/// Formats `value` (an amount of `1/10^prec` units) as a decimal with
/// trailing zeros trimmed, like Go's `fmtFrac`/`fmtInt` pair.
fn push_decimal(out: &mut String, value: u128, prec: u32) {
    let scale = 10u128.pow(prec);
    out.push_str(&(value / scale).to_string());
    let frac = value % scale;
    if frac != 0 {
        let digits = format!("{:0width$}", frac, width = prec as usize);
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// Formats a duration exactly like Go's `time.Duration.String`, e.g.
/// `"1m30s"`, `"500ms"`, `"1.5µs"`, `"1h0m0s"` and `"0s"`.
///
/// Durations beyond Go's range are formatted with the same rules rather than
/// being clamped.
pub fn format_go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    let mut out = String::new();
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos < 1_000_000_000 {
        let (prec, unit) = if nanos < 1_000 {
            (0, "ns")
        } else if nanos < 1_000_000 {
            (3, "\u{00b5}s")
        } else {
            (6, "ms")
        };
        push_decimal(&mut out, nanos, prec);
        out.push_str(unit);
        return out;
    }
    let total_secs = nanos / 1_000_000_000;
    let sub = nanos % 1_000_000_000;
    let hours = total_secs / 3600;
    let minutes = (total_secs / 60) % 60;
    let secs = total_secs % 60;
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    push_decimal(&mut out, secs * 1_000_000_000 + sub, 9);
    out.push('s');
    out
}

/// Parses a "run for"-style value that is either a Go duration (`"90s"`,
/// `"1m30s"`) or a plain non-negative number of seconds (`"90"`, `"1.5"`).
pub fn parse_run_for(s: &str) -> Result<Duration, DurationError> {
    let plain = !s.is_empty()
        && s.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && s.bytes().filter(|c| *c == b'.').count() <= 1
        && s.bytes().any(|c| c.is_ascii_digit());
    if plain {
        return parse_go_duration(&format!("{s}s")).map_err(|e| match e {
            DurationError::Overflow(_) => DurationError::Overflow(s.to_string()),
            _ => DurationError::Invalid(s.to_string()),
        });
    }
    parse_go_duration(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(n: u64) -> Duration {
        Duration::from_nanos(n)
    }

    const SEC: u64 = 1_000_000_000;

    #[test]
    fn parse_ok_table() {
        let cases: &[(&str, Duration)] = &[
            ("0", Duration::ZERO),
            ("-0", Duration::ZERO),
            ("+0", Duration::ZERO),
            ("0s", Duration::ZERO),
            ("-0s", Duration::ZERO),
            ("5s", ns(5 * SEC)),
            ("+5s", ns(5 * SEC)),
            ("30s", ns(30 * SEC)),
            ("1478s", ns(1478 * SEC)),
            ("300ms", ns(300_000_000)),
            ("1.5h", ns(5400 * SEC)),
            ("2h45m", ns((2 * 3600 + 45 * 60) * SEC)),
            ("1m30s", ns(90 * SEC)),
            ("10us", ns(10_000)),
            ("10\u{00b5}s", ns(10_000)),
            ("10\u{03bc}s", ns(10_000)),
            ("7ns", ns(7)),
            ("1.004s", ns(1_004_000_000)),
            ("1.0040s", ns(1_004_000_000)),
            ("100.00100s", ns(100_001_000_000)),
            ("5.s", ns(5 * SEC)),
            (".5s", ns(500_000_000)),
            ("1.s", ns(SEC)),
            ("3h30m", ns(12_600 * SEC)),
            ("10.5s4m", ns(250_500_000_000)),
            ("1h2m3s4ms5us6ns", ns(3723 * SEC + 4_005_006)),
            ("39h9m14.425s", ns(140_954_425_000_000)),
            ("52763797000ns", ns(52_763_797_000)),
            ("0.3333333333333333333h", ns(20 * 60 * SEC - 1)),
            ("9007199254740993ns", ns(9_007_199_254_740_993)),
            ("9223372036854775807ns", ns(9_223_372_036_854_775_807)),
            ("9223372036854775.807us", ns(9_223_372_036_854_775_807)),
            ("9223372036s854ms775us807ns", ns(9_223_372_036_854_775_807)),
            ("0.100000000000000000000h", ns(360 * SEC)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_go_duration(input), Ok(*want), "{input:?}");
        }
    }

    #[test]
    fn parse_err_table() {
        let cases: &[(&str, DurationError)] = &[
            ("", DurationError::Invalid("".into())),
            ("3", DurationError::MissingUnit("3".into())),
            ("-", DurationError::Invalid("-".into())),
            ("s", DurationError::Invalid("s".into())),
            (".", DurationError::Invalid(".".into())),
            ("-.", DurationError::Invalid("-.".into())),
            (".s", DurationError::Invalid(".s".into())),
            ("+.s", DurationError::Invalid("+.s".into())),
            (
                "1d",
                DurationError::UnknownUnit {
                    unit: "d".into(),
                    input: "1d".into(),
                },
            ),
            ("1s2", DurationError::MissingUnit("1s2".into())),
            (" 1s", DurationError::Invalid(" 1s".into())),
            ("-5s", DurationError::Negative("-5s".into())),
            (
                "9223372036854775808ns",
                DurationError::Overflow("9223372036854775808ns".into()),
            ),
            (
                "9223372036854775.808us",
                DurationError::Overflow("9223372036854775.808us".into()),
            ),
            ("3000000h", DurationError::Overflow("3000000h".into())),
        ];
        for (input, want) in cases {
            assert_eq!(parse_go_duration(input).as_ref(), Err(want), "{input:?}");
        }
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            DurationError::MissingUnit("3".into()).to_string(),
            "time: missing unit in duration \"3\""
        );
        assert_eq!(
            DurationError::UnknownUnit {
                unit: "d".into(),
                input: "1d".into()
            }
            .to_string(),
            "time: unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(
            DurationError::Invalid("x".into()).to_string(),
            "time: invalid duration \"x\""
        );
    }

    #[test]
    fn format_table() {
        let cases: &[(Duration, &str)] = &[
            (Duration::ZERO, "0s"),
            (ns(1), "1ns"),
            (ns(999), "999ns"),
            (ns(1_100), "1.1\u{00b5}s"),
            (ns(2_200_000), "2.2ms"),
            (ns(500_000_000), "500ms"),
            (ns(3_300 * 1_000_000), "3.3s"),
            (ns(90 * SEC), "1m30s"),
            (ns(60 * SEC), "1m0s"),
            (ns(3600 * SEC), "1h0m0s"),
            (ns(4 * 60 * SEC + 5 * SEC), "4m5s"),
            (ns(4 * 60 * SEC + 5 * SEC + 1_000_000), "4m5.001s"),
            (
                ns(5 * 3600 * SEC + 6 * 60 * SEC + 7 * SEC + 1_000_000),
                "5h6m7.001s",
            ),
            (ns(8 * 60 * SEC + 1), "8m0.000000001s"),
            (ns(9_223_372_036_854_775_807), "2562047h47m16.854775807s"),
        ];
        for (d, want) in cases {
            assert_eq!(format_go_duration(*d), *want, "{d:?}");
        }
    }

    #[test]
    fn format_parse_round_trip() {
        for n in [
            1u64,
            1_500,
            2_000_000,
            SEC,
            90 * SEC + 7,
            3_723 * SEC + 4_005_006,
        ] {
            let d = ns(n);
            assert_eq!(parse_go_duration(&format_go_duration(d)), Ok(d));
        }
    }

    #[test]
    fn run_for_table() {
        let cases: &[(&str, Result<Duration, DurationError>)] = &[
            ("90", Ok(ns(90 * SEC))),
            ("0", Ok(Duration::ZERO)),
            ("1.5", Ok(ns(1_500_000_000))),
            (".5", Ok(ns(500_000_000))),
            ("90s", Ok(ns(90 * SEC))),
            ("1m30s", Ok(ns(90 * SEC))),
            ("", Err(DurationError::Invalid("".into()))),
            (".", Err(DurationError::Invalid(".".into()))),
            ("1.2.3", Err(DurationError::MissingUnit("1.2.3".into()))),
            ("-1", Err(DurationError::MissingUnit("-1".into()))),
            ("-1s", Err(DurationError::Negative("-1s".into()))),
            ("abc", Err(DurationError::Invalid("abc".into()))),
        ];
        for (input, want) in cases {
            assert_eq!(parse_run_for(input), *want, "{input:?}");
        }
    }
}
