//! The log lines' timestamp, as `tracing-subscriber`'s default timer writes
//! it (RFC 3339 in UTC with microseconds: `2026-12-01T20:37:00.123456Z`), at a
//! fraction of its cost: each thread keeps the text of the current second and
//! only writes the six digits of the microseconds per line. The default timer
//! formats all seven fields through `fmt` for every line, about a quarter of
//! what a request's log line cost (BENCHMARKS.md, "The log line, round three").
//!
//! Both the request line ([`crate::request_line`]) and every other log line
//! (the daemon's `tracing-subscriber` timer) take their timestamp from here.

use std::cell::RefCell;

use sockerless_core::docker::timefmt::{put_digits, second_text};

use crate::clock;

/// The length of a timestamp: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub const STAMP_LEN: usize = 27;

/// One timestamp's text.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Stamp([u8; STAMP_LEN]);

impl Stamp {
    /// The text (ASCII).
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, dashes, colons, a `T`, a dot and a `Z` are ever
        // written into it.
        std::str::from_utf8(&self.0).unwrap_or("0000-00-00T00:00:00.000000Z")
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thread's text of the second it last formatted: `YYYY-MM-DDTHH:MM:SS`.
#[derive(Clone, Copy)]
struct CachedSecond {
    unix_secs: u64,
    text: [u8; 19],
}

thread_local! {
    static SECOND: RefCell<Option<CachedSecond>> = const { RefCell::new(None) };
}

/// The timestamp of now.
pub fn now() -> Stamp {
    let nanos = clock::unix_nanos();
    stamp(
        nanos / 1_000_000_000,
        (nanos % 1_000_000_000 / 1_000) as u32,
    )
}

/// `<second>.<micros>Z`, formatting the second only when it changed.
pub fn stamp(unix_secs: u64, micros: u32) -> Stamp {
    let second = SECOND.with(|cell| {
        let mut cached = cell.borrow_mut();
        match *cached {
            Some(c) if c.unix_secs == unix_secs => c.text,
            _ => {
                let text = format_second(unix_secs);
                *cached = Some(CachedSecond { unix_secs, text });
                text
            }
        }
    });
    let mut out = [0u8; STAMP_LEN];
    out[..19].copy_from_slice(&second);
    out[19] = b'.';
    put_digits(&mut out[20..26], micros.min(999_999));
    out[26] = b'Z';
    Stamp(out)
}

/// `YYYY-MM-DDTHH:MM:SS` of a Unix second, in UTC (a second after the year
/// 9999 is written as `9999-12-31T23:59:59`: out of RFC 3339's range anyway).
fn format_second(unix_secs: u64) -> [u8; 19] {
    i64::try_from(unix_secs)
        .ok()
        .and_then(second_text)
        .unwrap_or(*b"9999-12-31T23:59:59")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(unix_secs: u64, micros: u32) -> String {
        stamp(unix_secs, micros).as_str().to_string()
    }

    #[test]
    fn writes_rfc3339_with_microseconds_in_utc() {
        assert_eq!(text(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(text(1_796_157_420, 123_456), "2026-12-01T20:37:00.123456Z");
        // A leap day, the end of a century year, and the second changing.
        assert_eq!(text(951_868_799, 999_999), "2000-02-29T23:59:59.999999Z");
        assert_eq!(text(951_868_800, 7), "2000-03-01T00:00:00.000007Z");
        assert_eq!(text(4_102_444_799, 1), "2099-12-31T23:59:59.000001Z");
    }

    #[test]
    fn agrees_with_the_time_crate_over_four_centuries() {
        let fmt =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        for unix_secs in (0..12_622_780_800u64).step_by(7_919_993) {
            let t = time::OffsetDateTime::from_unix_timestamp(unix_secs as i64).unwrap();
            assert_eq!(
                &text(unix_secs, 0)[..19],
                t.format(&fmt).unwrap(),
                "{unix_secs}"
            );
        }
    }
}
