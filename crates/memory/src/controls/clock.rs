//! The backend's clock (real, offset, or frozen) and the Go-style durations the
//! control bodies and rules are written in.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use sockerless_core::docker::{duration, timefmt};
use sockerless_core::error::{Error, Result};

/// The backend's clock.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Clock {
    /// Real time plus an offset (moved by `advance`).
    Real { offset: Duration },
    /// Frozen at an instant; moves only when told.
    Frozen(SystemTime),
}

impl Clock {
    /// The clock of `--clock-start`: frozen there, or real time.
    pub(crate) fn new(start: Option<SystemTime>) -> Clock {
        match start {
            Some(t) => Clock::Frozen(t),
            None => Clock::Real {
                offset: Duration::ZERO,
            },
        }
    }

    /// The clock's reading.
    pub(crate) fn now(&self) -> SystemTime {
        match *self {
            Clock::Real { offset } => SystemTime::now() + offset,
            Clock::Frozen(t) => t,
        }
    }

    /// Whether it moves only when told.
    pub(crate) fn is_frozen(&self) -> bool {
        matches!(self, Clock::Frozen(_))
    }

    /// `POST /memory/clock`: advance it, or freeze it at an instant. A
    /// reading outside [`check_reading`]'s range is refused (400), so every
    /// record's time can be written to the state document.
    pub(crate) fn apply(&mut self, b: ClockBody) -> Result<()> {
        match (b.advance, b.set) {
            (Some(a), None) => {
                let d = parse_duration("advance", &a)?;
                let refuse = |e: String| Error::bad_request(format!("invalid advance {a:?}: {e}"));
                let reading = self.now().checked_add(d);
                check_reading(reading.unwrap_or(SystemTime::UNIX_EPOCH - Duration::from_secs(1)))
                    .map_err(|_| refuse(format!("the clock would pass {LATEST_READING}")))?;
                *self = match *self {
                    Clock::Real { offset } => Clock::Real {
                        offset: offset
                            .checked_add(d)
                            .ok_or_else(|| refuse("overflow".into()))?,
                    },
                    Clock::Frozen(t) => {
                        Clock::Frozen(t.checked_add(d).ok_or_else(|| refuse("overflow".into()))?)
                    }
                };
            }
            (None, Some(s)) => {
                let t = timefmt::parse_timestamp(&s, SystemTime::now())
                    .map_err(|e| Error::bad_request(format!("invalid set {s:?}: {e}")))?;
                check_reading(t)
                    .map_err(|e| Error::bad_request(format!("invalid set {s:?}: {e}")))?;
                *self = Clock::Frozen(t);
            }
            _ => return Err(Error::bad_request("give exactly one of advance or set")),
        }
        Ok(())
    }
}

/// The last reading the clock may show (RFC 3339 has four-digit years).
const LATEST_READING: &str = "9999-12-31T23:59:59Z";

/// Checks that the clock may show `t`: from 1970-01-01T00:00:00Z (records
/// store times since the Unix epoch) to 9999-12-31T23:59:59Z. The error is a
/// message tail.
pub fn check_reading(t: SystemTime) -> std::result::Result<(), String> {
    let latest = UNIX_EPOCH + Duration::from_secs(253_402_300_799);
    if t < UNIX_EPOCH {
        return Err("the clock cannot show a time before 1970-01-01T00:00:00Z".into());
    }
    if t > latest + Duration::from_nanos(999_999_999) {
        return Err(format!(
            "the clock cannot show a time after {LATEST_READING}"
        ));
    }
    Ok(())
}

/// The body of `POST /memory/clock`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClockBody {
    #[serde(default)]
    advance: Option<String>,
    #[serde(default)]
    set: Option<String>,
}

/// A Go duration (`1.5s`, `200ms`) of a control body or rule; 400 naming `what`.
pub(crate) fn parse_duration(what: &str, s: &str) -> Result<Duration> {
    duration::parse_run_for(s).map_err(|e| Error::bad_request(format!("invalid {what} {s:?}: {e}")))
}
