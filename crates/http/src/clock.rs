//! The clock reads of the per-request path, as plain nanoseconds.
//!
//! `Instant::now()` and `SystemTime::now()` read the same clocks
//! (`CLOCK_MONOTONIC` and `CLOCK_REALTIME`), but every use of them goes
//! through checked `(seconds, nanoseconds)` arithmetic — `elapsed`,
//! `duration_since`, adding a `Duration` — about 40–60 instructions each, and
//! a request took five of them (its latency, its log line's timestamp, its
//! connection's header-read deadline). Here a read is the system call's
//! (vDSO's) two fields folded into one `u64`, and the arithmetic is a
//! subtraction.

/// Nanoseconds of the monotonic clock (`Instant`'s), from an arbitrary start
/// (the boot): never 0, and no wrap for 584 years.
pub fn monotonic_nanos() -> u64 {
    nanos(read(libc::CLOCK_MONOTONIC))
}

/// Nanoseconds since the Unix epoch (`SystemTime`'s clock); 0 for a clock
/// set before 1970.
pub fn unix_nanos() -> u64 {
    nanos(read(libc::CLOCK_REALTIME))
}

fn read(clock: libc::clockid_t) -> libc::timespec {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec. Both clocks always exist
    // on Linux; were the call ever to fail, `now` stays zero.
    unsafe {
        libc::clock_gettime(clock, &mut now);
    }
    now
}

fn nanos(t: libc::timespec) -> u64 {
    let secs = u64::try_from(t.tv_sec).unwrap_or(0);
    let subsec = u64::try_from(t.tv_nsec).unwrap_or(0);
    secs.saturating_mul(1_000_000_000).saturating_add(subsec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    #[test]
    fn reads_the_clocks_std_reads() {
        let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let ours = Duration::from_nanos(unix_nanos());
        let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        assert!(
            before <= ours && ours <= after,
            "{before:?} {ours:?} {after:?}"
        );

        // The monotonic clock advances as `Instant` does.
        let (a, started) = (monotonic_nanos(), Instant::now());
        std::thread::sleep(Duration::from_millis(20));
        let (b, took) = (monotonic_nanos(), started.elapsed());
        let ours = Duration::from_nanos(b - a);
        assert!(ours >= Duration::from_millis(20), "{ours:?}");
        assert!(
            ours.abs_diff(took) < Duration::from_millis(5),
            "{ours:?} {took:?}"
        );
    }
}
