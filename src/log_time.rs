//! The log lines' timestamp, as `tracing-subscriber`'s default timer writes
//! it (RFC 3339 in UTC with microseconds: `2026-12-01T20:37:00.123456Z`), at a
//! fraction of its cost: each thread keeps the text of the current second and
//! only writes the six digits of the microseconds per line. The default timer
//! formats all seven fields through `fmt` for every line, about a quarter of
//! what a request's log line cost (BENCHMARKS.md, "The log line, round three").

use std::cell::RefCell;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use sockerless_core::docker::timefmt::civil_from_days;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// The timer `init_tracing` gives both formats (text and JSON).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogTime;

/// One thread's text of the second it last formatted: `YYYY-MM-DDTHH:MM:SS`.
struct CachedSecond {
    unix_secs: u64,
    text: String,
}

thread_local! {
    static SECOND: RefCell<Option<CachedSecond>> = const { RefCell::new(None) };
}

impl FormatTime for LogTime {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        write_timestamp(w, since.as_secs(), since.subsec_micros())
    }
}

/// Writes `<second>.<micros>Z`, formatting the second only when it changed.
fn write_timestamp(w: &mut impl std::fmt::Write, unix_secs: u64, micros: u32) -> std::fmt::Result {
    SECOND.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.as_ref().is_none_or(|c| c.unix_secs != unix_secs) {
            *cached = Some(CachedSecond {
                unix_secs,
                text: format_second(unix_secs),
            });
        }
        let text = cached.as_ref().map_or("", |c| c.text.as_str());
        w.write_str(text)?;
        let mut digits = [b'0'; 8];
        digits[0] = b'.';
        digits[7] = b'Z';
        let mut rest = micros.min(999_999);
        for d in digits[1..7].iter_mut().rev() {
            *d = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        // Only ASCII digits, a dot and a `Z`.
        w.write_str(std::str::from_utf8(&digits).unwrap_or(".000000Z"))
    })
}

/// `YYYY-MM-DDTHH:MM:SS` of a Unix second, in UTC.
fn format_second(unix_secs: u64) -> String {
    let secs_of_day = unix_secs % 86_400;
    let (year, month, day) = civil_from_days(i128::from(unix_secs / 86_400));
    let mut text = String::with_capacity(19);
    let _ = write!(
        text,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs_of_day / 3_600,
        secs_of_day / 60 % 60,
        secs_of_day % 60
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(unix_secs: u64, micros: u32) -> String {
        let mut s = String::new();
        write_timestamp(&mut s, unix_secs, micros).unwrap();
        s
    }

    #[test]
    fn writes_rfc3339_with_microseconds_in_utc() {
        assert_eq!(stamp(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(stamp(1_796_157_420, 123_456), "2026-12-01T20:37:00.123456Z");
        // A leap day, the end of a century year, and the second changing.
        assert_eq!(stamp(951_868_799, 999_999), "2000-02-29T23:59:59.999999Z");
        assert_eq!(stamp(951_868_800, 7), "2000-03-01T00:00:00.000007Z");
        assert_eq!(stamp(4_102_444_799, 1), "2099-12-31T23:59:59.000001Z");
    }

    #[test]
    fn agrees_with_the_time_crate_over_four_centuries() {
        let fmt =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        for unix_secs in (0..12_622_780_800u64).step_by(7_919_993) {
            let t = time::OffsetDateTime::from_unix_timestamp(unix_secs as i64).unwrap();
            assert_eq!(
                format_second(unix_secs),
                t.format(&fmt).unwrap(),
                "{unix_secs}"
            );
        }
    }
}
