//! Human-readable durations, sizes and container status strings, matching
//! Docker's `go-units` (`HumanDuration`, `HumanSize`) and moby's
//! `container.State.String`.

use std::time::Duration;

const NANOS_PER_SEC: u128 = 1_000_000_000;
const NANOS_PER_HOUR: u128 = 3600 * NANOS_PER_SEC;

/// Returns a human-readable approximation of a duration, exactly like
/// go-units' `HumanDuration` (e.g. `"Less than a second"`, `"1 second"`,
/// `"About a minute"`, `"3 hours"`, `"2 weeks"`).
///
/// Hours are rounded to the nearest hour (half away from zero), as in Go's
/// `d.Round(time.Hour)`; seconds and minutes are truncated.
pub fn human_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    let seconds = nanos / NANOS_PER_SEC;
    if seconds < 1 {
        return "Less than a second".to_string();
    }
    if seconds == 1 {
        return "1 second".to_string();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = seconds / 60;
    if minutes == 1 {
        return "About a minute".to_string();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    let hours = (nanos + NANOS_PER_HOUR / 2) / NANOS_PER_HOUR;
    if hours == 1 {
        return "About an hour".to_string();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", nanos / NANOS_PER_HOUR / 24 / 365)
}

/// Builds the `Status` text shown by `docker ps` for a container, mirroring
/// moby's `State.String()`.
///
/// * `state` is the container's `State.Status` (`created`, `running`,
///   `paused`, `restarting`, `removing`, `exited`, `dead`).
/// * `running_for` is the time since `StartedAt`; `finished_ago` the time
///   since `FinishedAt`.
/// * `health` is the health status (`starting`, `healthy`, `unhealthy`);
///   `None`, `""` and `"none"` mean no health check.
///
/// Examples: `"Created"`, `"Up 5 minutes"`, `"Up 5 minutes (Paused)"`,
/// `"Up 3 seconds (health: starting)"`, `"Exited (137) 2 seconds ago"`,
/// `"Restarting (1) 5 seconds ago"`, `"Removal In Progress"`, `"Dead"`.
/// Unknown states yield an empty string, like Docker's fallthrough.
pub fn container_status(
    state: &str,
    running_for: Duration,
    finished_ago: Duration,
    exit_code: i64,
    paused: bool,
    health: Option<&str>,
) -> String {
    match state {
        "running" | "paused" => {
            let up = human_duration(running_for);
            if paused || state == "paused" {
                return format!("Up {up} (Paused)");
            }
            match health {
                None | Some("") | Some("none") => format!("Up {up}"),
                Some("starting") => format!("Up {up} (health: starting)"),
                Some(h) => format!("Up {up} ({h})"),
            }
        }
        "restarting" => format!(
            "Restarting ({exit_code}) {} ago",
            human_duration(finished_ago)
        ),
        "removing" => "Removal In Progress".to_string(),
        "dead" => "Dead".to_string(),
        "created" => "Created".to_string(),
        "exited" => format!("Exited ({exit_code}) {} ago", human_duration(finished_ago)),
        _ => String::new(),
    }
}

/// Decimal unit suffixes used by go-units' `HumanSize`.
const DECIMAL_ABBRS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/// Formats `x` like Go's `fmt.Sprintf("%.*g", precision, x)`.
fn format_g(x: f64, precision: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".to_string()
        } else if x > 0.0 {
            "+Inf".to_string()
        } else {
            "-Inf".to_string()
        };
    }
    let prec = precision.max(1);
    let sci = format!("{:.*e}", prec - 1, x);
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i64 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nd = digits.len() as i64;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if x == 0.0 {
        out.push('0');
        return out;
    }
    if exp < -4 || exp >= prec as i64 {
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
        return out;
    }
    let dp = exp + 1; // position of the decimal point relative to digits
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(digits);
    } else if dp >= nd {
        out.push_str(digits);
        for _ in 0..(dp - nd) {
            out.push('0');
        }
    } else {
        let (int_part, frac_part) = digits.split_at(usize::try_from(dp).unwrap_or(0));
        out.push_str(int_part);
        out.push('.');
        out.push_str(frac_part);
    }
    out
}

/// Formats a size in bytes with decimal (1000-based) units and the given
/// number of significant digits, like go-units' `HumanSizeWithPrecision`
/// (the Docker CLI uses precision 3 for `docker images`/`docker ps -s`).
pub fn human_size_with_precision(size: f64, precision: usize) -> String {
    let mut size = size;
    let mut i = 0;
    while size >= 1000.0 && i < DECIMAL_ABBRS.len() - 1 {
        size /= 1000.0;
        i += 1;
    }
    format!("{}{}", format_g(size, precision), DECIMAL_ABBRS[i])
}

/// Formats a size in bytes like go-units' `HumanSize` (four significant
/// digits, decimal units), e.g. `"7.8MB"`, `"2.746MB"`, `"796kB"`, `"0B"`.
pub fn human_size(bytes: i64) -> String {
    human_size_with_precision(bytes as f64, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    type StatusCase<'a> = (
        &'a str,
        Duration,
        Duration,
        i64,
        bool,
        Option<&'a str>,
        &'a str,
    );

    const MIN: u64 = 60;
    const HOUR: u64 = 3600;
    const DAY: u64 = 24 * HOUR;
    const WEEK: u64 = 7 * DAY;
    const MONTH: u64 = 30 * DAY;
    const YEAR: u64 = 365 * DAY;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn human_duration_table() {
        // Mirrors go-units duration_test.go.
        let cases: &[(Duration, &str)] = &[
            (Duration::ZERO, "Less than a second"),
            (Duration::from_millis(450), "Less than a second"),
            (Duration::from_millis(999), "Less than a second"),
            (s(1), "1 second"),
            (Duration::from_millis(1999), "1 second"),
            (s(2), "2 seconds"),
            (s(45), "45 seconds"),
            (s(46), "46 seconds"),
            (s(59), "59 seconds"),
            (s(60), "About a minute"),
            (s(119), "About a minute"),
            (s(3 * MIN), "3 minutes"),
            (s(35 * MIN), "35 minutes"),
            (s(35 * MIN + 40), "35 minutes"),
            (s(45 * MIN), "45 minutes"),
            (s(45 * MIN + 40), "45 minutes"),
            (s(46 * MIN), "46 minutes"),
            (s(59 * MIN), "59 minutes"),
            (s(HOUR), "About an hour"),
            (s(HOUR + 29 * MIN), "About an hour"),
            (s(HOUR + 30 * MIN), "2 hours"),
            (s(HOUR + 31 * MIN), "2 hours"),
            (s(HOUR + 59 * MIN), "2 hours"),
            (s(3 * HOUR), "3 hours"),
            (s(3 * HOUR + 29 * MIN), "3 hours"),
            (s(3 * HOUR + 31 * MIN), "4 hours"),
            (s(3 * HOUR + 59 * MIN), "4 hours"),
            (s(3 * HOUR + 60 * MIN), "4 hours"),
            (s(24 * HOUR), "24 hours"),
            (s(DAY + 12 * HOUR), "36 hours"),
            (s(2 * DAY), "2 days"),
            (s(7 * DAY), "7 days"),
            (s(13 * DAY + 5 * HOUR), "13 days"),
            (s(2 * WEEK), "2 weeks"),
            (s(2 * WEEK + 4 * DAY), "2 weeks"),
            (s(3 * WEEK), "3 weeks"),
            (s(4 * WEEK), "4 weeks"),
            (s(4 * WEEK + 3 * DAY), "4 weeks"),
            (s(MONTH), "4 weeks"),
            (s(MONTH + 2 * WEEK), "6 weeks"),
            (s(2 * MONTH), "2 months"),
            (s(2 * MONTH + 2 * WEEK), "2 months"),
            (s(3 * MONTH), "3 months"),
            (s(3 * MONTH + WEEK), "3 months"),
            (s(5 * MONTH + 2 * WEEK), "5 months"),
            (s(13 * MONTH), "13 months"),
            (s(23 * MONTH), "23 months"),
            (s(24 * MONTH), "24 months"),
            (s(24 * MONTH + 2 * WEEK), "2 years"),
            (s(3 * YEAR + 2 * MONTH), "3 years"),
        ];
        for (d, want) in cases {
            assert_eq!(human_duration(*d), *want, "{d:?}");
        }
    }

    #[test]
    fn container_status_table() {
        let z = Duration::ZERO;
        let cases: &[StatusCase] = &[
            ("created", z, z, 0, false, None, "Created"),
            ("running", s(5 * MIN), z, 0, false, None, "Up 5 minutes"),
            (
                "running",
                s(5 * MIN),
                z,
                0,
                false,
                Some("none"),
                "Up 5 minutes",
            ),
            ("running", s(5 * MIN), z, 0, false, Some(""), "Up 5 minutes"),
            (
                "running",
                s(5 * MIN),
                z,
                0,
                true,
                None,
                "Up 5 minutes (Paused)",
            ),
            (
                "paused",
                s(5 * MIN),
                z,
                0,
                true,
                Some("healthy"),
                "Up 5 minutes (Paused)",
            ),
            (
                "paused",
                s(5 * MIN),
                z,
                0,
                false,
                None,
                "Up 5 minutes (Paused)",
            ),
            (
                "running",
                s(3),
                z,
                0,
                false,
                Some("healthy"),
                "Up 3 seconds (healthy)",
            ),
            (
                "running",
                s(3),
                z,
                0,
                false,
                Some("starting"),
                "Up 3 seconds (health: starting)",
            ),
            (
                "running",
                s(3),
                z,
                0,
                false,
                Some("unhealthy"),
                "Up 3 seconds (unhealthy)",
            ),
            (
                "running",
                Duration::from_millis(10),
                z,
                0,
                false,
                None,
                "Up Less than a second",
            ),
            (
                "exited",
                z,
                s(2),
                137,
                false,
                None,
                "Exited (137) 2 seconds ago",
            ),
            ("exited", z, s(1), 0, false, None, "Exited (0) 1 second ago"),
            (
                "exited",
                z,
                s(HOUR),
                -1,
                false,
                None,
                "Exited (-1) About an hour ago",
            ),
            (
                "restarting",
                z,
                s(5),
                1,
                false,
                None,
                "Restarting (1) 5 seconds ago",
            ),
            ("removing", z, z, 0, false, None, "Removal In Progress"),
            ("dead", z, z, 0, false, None, "Dead"),
            ("bogus", z, z, 0, false, None, ""),
        ];
        for (state, up, ago, code, paused, health, want) in cases {
            assert_eq!(
                container_status(state, *up, *ago, *code, *paused, *health),
                *want,
                "{state}"
            );
        }
    }

    #[test]
    fn human_size_table() {
        // Mirrors go-units size_test.go (TestHumanSize).
        let cases: &[(i64, &str)] = &[
            (0, "0B"),
            (1, "1B"),
            (999, "999B"),
            (1000, "1kB"),
            (1024, "1.024kB"),
            (796_000, "796kB"),
            (1_000_000, "1MB"),
            (1_048_576, "1.049MB"),
            (2_746_000, "2.746MB"),
            (7_800_000, "7.8MB"),
            (3_420_000_000, "3.42GB"),
            (5_372_002_000_000, "5.372TB"),
            (2_230_000_000_000_000, "2.23PB"),
            (i64::MAX, "9.223EB"),
            (999_940, "999.9kB"),
            (999_950, "1000kB"),
            (999_960, "1000kB"),
            (-5000, "-5000B"),
            (-123_456, "-1.235e+05B"),
        ];
        for (bytes, want) in cases {
            assert_eq!(human_size(*bytes), *want, "{bytes}");
        }
    }

    #[test]
    fn human_size_with_precision_table() {
        let cases: &[(f64, usize, &str)] = &[
            (1_048_576.0, 3, "1.05MB"),
            (123_456_789.0, 3, "123MB"),
            (72_800_000.0, 3, "72.8MB"),
            (1e30, 4, "1e+06YB"),
            (0.5, 4, "0.5B"),
            (0.00001234, 4, "1.234e-05B"),
        ];
        for (size, prec, want) in cases {
            assert_eq!(human_size_with_precision(*size, *prec), *want, "{size}");
        }
    }
}
