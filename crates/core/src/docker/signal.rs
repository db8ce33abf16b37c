//! Linux (x86_64) signal names and numbers for `docker kill --signal` and
//! `docker stop --signal`, mirroring moby's `signal.ParseSignal`.

/// Hangup.
pub const SIGHUP: i32 = 1;
/// Interrupt from keyboard.
pub const SIGINT: i32 = 2;
/// Quit from keyboard.
pub const SIGQUIT: i32 = 3;
/// Illegal instruction.
pub const SIGILL: i32 = 4;
/// Trace/breakpoint trap.
pub const SIGTRAP: i32 = 5;
/// Abort signal (also `SIGIOT`).
pub const SIGABRT: i32 = 6;
/// Bus error.
pub const SIGBUS: i32 = 7;
/// Floating-point exception.
pub const SIGFPE: i32 = 8;
/// Kill signal (cannot be caught).
pub const SIGKILL: i32 = 9;
/// User-defined signal 1.
pub const SIGUSR1: i32 = 10;
/// Invalid memory reference.
pub const SIGSEGV: i32 = 11;
/// User-defined signal 2.
pub const SIGUSR2: i32 = 12;
/// Broken pipe.
pub const SIGPIPE: i32 = 13;
/// Timer signal from alarm(2).
pub const SIGALRM: i32 = 14;
/// Termination signal (Docker's default stop signal).
pub const SIGTERM: i32 = 15;
/// Stack fault on coprocessor.
pub const SIGSTKFLT: i32 = 16;
/// Child stopped or terminated (also `SIGCLD`).
pub const SIGCHLD: i32 = 17;
/// Continue if stopped.
pub const SIGCONT: i32 = 18;
/// Stop process (cannot be caught).
pub const SIGSTOP: i32 = 19;
/// Stop typed at terminal.
pub const SIGTSTP: i32 = 20;
/// Terminal input for background process.
pub const SIGTTIN: i32 = 21;
/// Terminal output for background process.
pub const SIGTTOU: i32 = 22;
/// Urgent condition on socket.
pub const SIGURG: i32 = 23;
/// CPU time limit exceeded.
pub const SIGXCPU: i32 = 24;
/// File size limit exceeded.
pub const SIGXFSZ: i32 = 25;
/// Virtual alarm clock.
pub const SIGVTALRM: i32 = 26;
/// Profiling timer expired.
pub const SIGPROF: i32 = 27;
/// Window resize signal.
pub const SIGWINCH: i32 = 28;
/// I/O now possible (also `SIGPOLL`).
pub const SIGIO: i32 = 29;
/// Power failure.
pub const SIGPWR: i32 = 30;
/// Bad system call.
pub const SIGSYS: i32 = 31;
/// First real-time signal as seen by applications (glibc reserves 32 and 33).
pub const SIGRTMIN: i32 = 34;
/// Last real-time signal.
pub const SIGRTMAX: i32 = 64;

/// Canonical names of the standard signals, indexed by `number - 1`.
const STANDARD: [&str; 31] = [
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

/// Canonical names of the real-time signals 34..=64 (the `kill -l` spelling).
const REALTIME: [&str; 31] = [
    "SIGRTMIN",
    "SIGRTMIN+1",
    "SIGRTMIN+2",
    "SIGRTMIN+3",
    "SIGRTMIN+4",
    "SIGRTMIN+5",
    "SIGRTMIN+6",
    "SIGRTMIN+7",
    "SIGRTMIN+8",
    "SIGRTMIN+9",
    "SIGRTMIN+10",
    "SIGRTMIN+11",
    "SIGRTMIN+12",
    "SIGRTMIN+13",
    "SIGRTMIN+14",
    "SIGRTMIN+15",
    "SIGRTMAX-14",
    "SIGRTMAX-13",
    "SIGRTMAX-12",
    "SIGRTMAX-11",
    "SIGRTMAX-10",
    "SIGRTMAX-9",
    "SIGRTMAX-8",
    "SIGRTMAX-7",
    "SIGRTMAX-6",
    "SIGRTMAX-5",
    "SIGRTMAX-4",
    "SIGRTMAX-3",
    "SIGRTMAX-2",
    "SIGRTMAX-1",
    "SIGRTMAX",
];

/// Alternative names accepted in addition to the canonical ones.
const ALIASES: [(&str, i32); 3] = [("IOT", SIGABRT), ("CLD", SIGCHLD), ("POLL", SIGIO)];

/// Parses a signal given by number (`"9"`) or by name, case-insensitively and
/// with or without the `SIG` prefix (`"SIGKILL"`, `"kill"`, `"sigterm"`,
/// `"SIGRTMIN+3"`, `"RTMAX-1"`).
///
/// Numbers must be in `1..=64`; `"0"` and anything unknown yield `None`.
pub fn parse_signal(s: &str) -> Option<i32> {
    if let Ok(n) = s.parse::<i32>() {
        return (1..=SIGRTMAX).contains(&n).then_some(n);
    }
    let upper = s.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    if bare.is_empty() {
        return None;
    }
    if let Some(i) = STANDARD.iter().position(|name| &name[3..] == bare) {
        return i32::try_from(i + 1).ok();
    }
    if let Some((_, n)) = ALIASES.iter().find(|(name, _)| *name == bare) {
        return Some(*n);
    }
    parse_realtime(bare)
}

/// Parses `RTMIN`, `RTMIN+n`, `RTMAX` and `RTMAX-n` (without `SIG` prefix).
fn parse_realtime(bare: &str) -> Option<i32> {
    let (base, rest, sign) = if let Some(rest) = bare.strip_prefix("RTMIN") {
        (SIGRTMIN, rest, 1)
    } else if let Some(rest) = bare.strip_prefix("RTMAX") {
        (SIGRTMAX, rest, -1)
    } else {
        return None;
    };
    let offset = if rest.is_empty() {
        0
    } else {
        let digits = if sign > 0 {
            rest.strip_prefix('+')?
        } else {
            rest.strip_prefix('-')?
        };
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.parse::<i32>().ok()?
    };
    let n = base.checked_add(sign * offset)?;
    (SIGRTMIN..=SIGRTMAX).contains(&n).then_some(n)
}

/// Returns the canonical name of signal `n` (e.g. `"SIGTERM"`,
/// `"SIGRTMIN+3"`), or `None` for numbers that are not Linux signals
/// (0, 32, 33, negative, or above 64).
pub fn signal_name(n: i32) -> Option<&'static str> {
    match n {
        1..=31 => usize::try_from(n - 1)
            .ok()
            .and_then(|i| STANDARD.get(i))
            .copied(),
        SIGRTMIN..=SIGRTMAX => usize::try_from(n - SIGRTMIN)
            .ok()
            .and_then(|i| REALTIME.get(i))
            .copied(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<i32>)] = &[
            ("SIGKILL", Some(9)),
            ("KILL", Some(9)),
            ("kill", Some(9)),
            ("sigterm", Some(15)),
            ("SigHup", Some(1)),
            ("9", Some(9)),
            ("15", Some(15)),
            ("1", Some(1)),
            ("64", Some(64)),
            ("32", Some(32)),
            ("65", None),
            ("0", None),
            ("-9", None),
            ("", None),
            ("SIG", None),
            ("SIGFOO", None),
            (" KILL", None),
            ("IOT", Some(6)),
            ("SIGCLD", Some(17)),
            ("POLL", Some(29)),
            ("SIGIO", Some(29)),
            ("SIGWINCH", Some(28)),
            ("SIGSTKFLT", Some(16)),
            ("SIGRTMIN", Some(34)),
            ("SIGRTMIN+3", Some(37)),
            ("rtmin+30", Some(64)),
            ("RTMIN+31", None),
            ("SIGRTMAX", Some(64)),
            ("SIGRTMAX-1", Some(63)),
            ("SIGRTMAX-30", Some(34)),
            ("SIGRTMAX-31", None),
            ("SIGRTMIN-1", None),
            ("SIGRTMAX+1", None),
            ("SIGRTMIN+", None),
            ("SIGRTMIN++1", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_signal(input), *want, "{input:?}");
        }
    }

    #[test]
    fn name_table() {
        let cases: &[(i32, Option<&str>)] = &[
            (0, None),
            (-1, None),
            (1, Some("SIGHUP")),
            (9, Some("SIGKILL")),
            (15, Some("SIGTERM")),
            (29, Some("SIGIO")),
            (31, Some("SIGSYS")),
            (32, None),
            (33, None),
            (34, Some("SIGRTMIN")),
            (37, Some("SIGRTMIN+3")),
            (49, Some("SIGRTMIN+15")),
            (50, Some("SIGRTMAX-14")),
            (64, Some("SIGRTMAX")),
            (65, None),
        ];
        for (n, want) in cases {
            assert_eq!(signal_name(*n), *want, "{n}");
        }
    }

    #[test]
    fn names_round_trip() {
        for n in (1..=31).chain(SIGRTMIN..=SIGRTMAX) {
            let name = signal_name(n).expect("named");
            assert_eq!(parse_signal(name), Some(n), "{name}");
        }
    }
}
