//! `date [-u] [-d @SECONDS] [+FORMAT]`: the container's clock (the backend's,
//! simulated when frozen), always in UTC (containers have no time zone), with
//! the common `%` codes of `strftime`.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::interp::io::Io;
use crate::interp::shell::Shell;

use super::fsops::bad_option;
use super::opts::getopt;

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Shell {
    /// `date`.
    pub(super) fn date(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "uRId:r:") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "date", &e),
        };
        let mut secs = match self.fs() {
            Some(fs) => unix_secs(fs.now()),
            None => unix_secs(SystemTime::now()),
        };
        if let Some(d) = opts.value('d') {
            match d
                .strip_prefix('@')
                .and_then(|n| n.trim().parse::<i64>().ok())
            {
                Some(n) => secs = n,
                None => {
                    io.err(format!("date: invalid date '{d}'\n"));
                    return 1;
                }
            }
        }
        if let Some(r) = opts.value('r') {
            match self.fs().map(|fs| fs.stat(&self.cwd, r, true)) {
                Some(Ok(m)) => secs = unix_secs(m.mtime),
                Some(Err(e)) => {
                    io.err(format!("date: {r}: {e}\n"));
                    return 1;
                }
                None => {}
            }
        }
        let mut format = "%a %b %e %H:%M:%S %Z %Y".to_string();
        if opts.has('R') {
            format = "%a, %d %b %Y %H:%M:%S %z".into();
        }
        if opts.has('I') {
            format = "%Y-%m-%d".into();
        }
        for op in &opts.operands {
            match op.strip_prefix('+') {
                Some(f) => format = f.to_string(),
                None => {
                    io.err(format!("date: invalid date '{op}'\n"));
                    return 1;
                }
            }
        }
        io.out(format!("{}\n", strftime(&format, secs)));
        0
    }
}

/// Seconds since the epoch (negative before it).
fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's
/// algorithm): year, month 1-12, day 1-31.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `strftime` in UTC for the codes scripts use.
pub(crate) fn strftime(format: &str, secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, mi, s) = (rem / 3600, rem / 60 % 60, rem % 60);
    let (y, m, d) = civil(days);
    let wday = (days + 4).rem_euclid(7) as usize;
    let cum = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let yday = cum[(m - 1) as usize] + d as i64 + i64::from(m > 2 && leap(y));
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(code) = chars.next() else {
            out.push('%');
            break;
        };
        let _ = match code {
            'Y' => write!(out, "{y}"),
            'C' => write!(out, "{:02}", y.div_euclid(100)),
            'y' => write!(out, "{:02}", y.rem_euclid(100)),
            'm' => write!(out, "{m:02}"),
            'd' => write!(out, "{d:02}"),
            'e' => write!(out, "{d:2}"),
            'H' => write!(out, "{h:02}"),
            'k' => write!(out, "{h:2}"),
            'I' => write!(out, "{h12:02}"),
            'l' => write!(out, "{h12:2}"),
            'M' => write!(out, "{mi:02}"),
            'S' => write!(out, "{s:02}"),
            'p' => write!(out, "{}", if h < 12 { "AM" } else { "PM" }),
            'P' => write!(out, "{}", if h < 12 { "am" } else { "pm" }),
            'j' => write!(out, "{yday:03}"),
            'a' => write!(out, "{}", &DAYS[wday][..3]),
            'A' => write!(out, "{}", DAYS[wday]),
            'b' | 'h' => write!(out, "{}", &MONTHS[(m - 1) as usize][..3]),
            'B' => write!(out, "{}", MONTHS[(m - 1) as usize]),
            'u' => write!(out, "{}", if wday == 0 { 7 } else { wday }),
            'w' => write!(out, "{wday}"),
            'Z' => write!(out, "UTC"),
            'z' => write!(out, "+0000"),
            's' => write!(out, "{secs}"),
            'N' => write!(out, "000000000"),
            'F' => write!(out, "{y}-{m:02}-{d:02}"),
            'T' => write!(out, "{h:02}:{mi:02}:{s:02}"),
            'R' => write!(out, "{h:02}:{mi:02}"),
            'D' => write!(out, "{m:02}/{d:02}/{:02}", y.rem_euclid(100)),
            'c' => write!(
                out,
                "{} {} {d:2} {h:02}:{mi:02}:{s:02} {y}",
                &DAYS[wday][..3],
                &MONTHS[(m - 1) as usize][..3]
            ),
            'n' => writeln!(out),
            't' => write!(out, "\t"),
            '%' => write!(out, "%"),
            other => write!(out, "%{other}"),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strftime;

    #[test]
    fn formats_match_busybox() {
        // busybox date -u -d @1700000000 '+…'
        assert_eq!(
            strftime("%a %b %e %H:%M:%S %Z %Y", 1_700_000_000),
            "Tue Nov 14 22:13:20 UTC 2023"
        );
        assert_eq!(strftime("%F %T %j %s %%", 0), "1970-01-01 00:00:00 001 0 %");
        assert_eq!(strftime("%Y-%m-%d %u %w", 951_782_400), "2000-02-29 2 2");
        assert_eq!(strftime("%j", 1_704_067_199), "365");
    }
}
