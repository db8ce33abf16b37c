//! Builtins that read stdin or a file, or write a stream: `cat`, `read` and
//! `seq` (`head` and `tail` are in `text`; this parses `tail`'s arguments).

use std::fmt::Write as _;

use super::read_split::split_read;
use crate::interp::expand::Ifs;
use crate::interp::io::Io;
use crate::interp::pattern::unescape;
use crate::interp::shell::Shell;

impl Shell {
    /// `cat [FILE|-…]`.
    pub(super) async fn cat(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let files: Vec<&String> = args
            .iter()
            .filter(|a| a.as_str() == "-" || !a.starts_with('-'))
            .collect();
        let mut status = 0;
        if files.is_empty() {
            self.copy_stdin(io).await;
            return 0;
        }
        for file in files {
            if file == "-" || file == "/dev/stdin" {
                self.copy_stdin(io).await;
                continue;
            }
            match self.read_operand(file, io).await {
                Ok(data) => io.out(data),
                Err(e) if e == super::text::EISDIR => {
                    io.err(format!("cat: read error: {e}\n"));
                    status = 1;
                }
                Err(e) => {
                    io.err(format!("cat: can't open '{file}': {e}\n"));
                    status = 1;
                }
            }
        }
        status
    }

    /// Copies stdin to stdout as it comes.
    async fn copy_stdin(&self, io: &mut Io<'_, '_>) {
        while let Some(chunk) = io.input.read_chunk().await {
            io.out(chunk);
            io.flush().await;
        }
    }

    /// `seq`, streamed in chunks so that huge ranges stay cancellable and
    /// wait for their reader; it stops, as at a closed pipe, once its output
    /// is lost (a full pipe buffer, or nobody reading).
    pub(super) async fn seq(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let (first, incr, last) = match seq_range(args) {
            Ok(range) => range,
            Err(msg) => {
                io.err(msg);
                return 1;
            }
        };
        let mut out = String::new();
        let mut n = first;
        while (incr > 0 && n <= last) || (incr < 0 && n >= last) {
            let _ = writeln!(out, "{n}");
            if out.len() >= 64 * 1024 {
                io.out(std::mem::take(&mut out));
                if io.out_is_full() {
                    return 0;
                }
                io.flush().await;
                tokio::task::yield_now().await;
            }
            match n.checked_add(incr) {
                Some(next) => n = next,
                None => break,
            }
        }
        io.out(out);
        0
    }

    /// `read [-r] [NAME…]`: one line of stdin into variables (`REPLY`
    /// without names); 1 at EOF.
    pub(super) async fn read(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let raw = args.iter().any(|a| a == "-r");
        let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let Some(line) = io.input.read_line().await else {
            for name in &names {
                // Emptying a variable always fits.
                let _ = self.set_var(name, "", false);
            }
            return 1;
        };
        let mut text = String::from_utf8_lossy(&line).into_owned();
        let complete = text.ends_with('\n');
        if complete {
            text.pop();
        }
        if !raw {
            text = unescape(&text);
        }
        let set = if names.is_empty() {
            self.set_var("REPLY", &text, false)
        } else {
            let ifs = Ifs::new(self.get("IFS"));
            let values = split_read(&text, names.len(), &ifs);
            let mut set = Ok(());
            for (name, value) in names.iter().zip(values) {
                set = set.and(self.set_var(name, &value, false));
            }
            set
        };
        if let Err(msg) = set {
            io.err(format!("read: {msg}\n"));
            return 2;
        }
        if complete {
            0
        } else {
            1
        }
    }
}

/// The parsed arguments of `tail`.
#[derive(Debug, Default)]
pub(crate) struct TailSpec {
    pub(crate) follow: bool,
    pub(crate) count: usize,
    /// `-c`: bytes, not lines.
    pub(crate) bytes: bool,
    pub(crate) from_start: bool,
    pub(crate) files: Vec<String>,
}

/// Parses `tail`'s arguments (`-f`, `-F`, `-n N`, `-c N`, `-N`, `+N`…).
pub(crate) fn parse_tail(args: &[String]) -> TailSpec {
    let mut spec = TailSpec {
        count: 10,
        ..TailSpec::default()
    };
    let mut i = 0;
    let set_count = |spec: &mut TailSpec, v: &str| {
        let (from_start, digits) = match v.strip_prefix('+') {
            Some(d) => (true, d),
            None => (false, v.strip_prefix('-').unwrap_or(v)),
        };
        if let Some(n) = super::text::parse_count(digits) {
            spec.count = n;
            spec.from_start = from_start;
        }
    };
    while let Some(arg) = args.get(i) {
        i += 1;
        if arg == "-f" || arg == "-F" || arg.starts_with("--follow") || arg == "--retry" {
            spec.follow |= arg != "--retry";
        } else if arg == "-n" || arg == "--lines" {
            if let Some(v) = args.get(i) {
                set_count(&mut spec, v);
                i += 1;
            }
        } else if arg == "-c" || arg == "--bytes" {
            if let Some(v) = args.get(i) {
                set_count(&mut spec, v);
                spec.bytes = true;
                i += 1;
            }
        } else if let Some(v) = arg.strip_prefix("-c").filter(|v| !v.is_empty()) {
            set_count(&mut spec, v);
            spec.bytes = true;
        } else if let Some(v) = arg.strip_prefix("--lines=") {
            set_count(&mut spec, v);
        } else if let Some(v) = arg.strip_prefix("-n") {
            set_count(&mut spec, v);
        } else if arg.len() > 1 && arg.starts_with('-') {
            let flags = &arg[1..];
            if flags.chars().all(|c| c.is_ascii_digit()) {
                set_count(&mut spec, flags);
            } else if flags.contains(['f', 'F']) {
                spec.follow = true;
            }
        } else {
            spec.files.push(arg.clone());
        }
    }
    spec
}

/// Parses `seq [FIRST [INCR]] LAST` operands into (first, increment, last).
fn seq_range(args: &[String]) -> Result<(i64, i64, i64), String> {
    let mut nums = Vec::new();
    for a in args {
        match a.parse::<i64>() {
            Ok(n) => nums.push(n),
            Err(_) => return Err(format!("seq: invalid floating point argument: '{a}'\n")),
        }
    }
    let range = match nums.as_slice() {
        [last] => (1, 1, *last),
        [first, last] => (*first, 1, *last),
        [first, incr, last] => (*first, *incr, *last),
        _ => return Err("seq: missing operand\n".into()),
    };
    if range.1 == 0 {
        return Err("seq: invalid Zero increment value: '0'\n".into());
    }
    Ok(range)
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn streams() {
        check(vec![
            // cat
            case(&["cat", "/etc/hostname"], "abc123\n", "", 0),
            case(
                &["cat", "/etc/passwd"],
                "",
                "cat: can't open '/etc/passwd': No such file or directory\n",
                1,
            ),
            // seq
            case(&["seq", "3"], "1\n2\n3\n", "", 0),
            case(&["seq", "2", "4"], "2\n3\n4\n", "", 0),
            case(&["seq", "5", "-2", "1"], "5\n3\n1\n", "", 0),
        ])
        .await;
    }
}
