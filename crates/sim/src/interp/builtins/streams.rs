//! Builtins that read stdin or a virtual file, or write a stream: `cat`,
//! `head`, `tail`, `read` and `seq`. Only `/dev/null` and `/etc/hostname`
//! exist.

use std::fmt::Write as _;

use super::read_split::{split_read, DEFAULT_IFS};
use crate::interp::io::Io;
use crate::interp::shell::{Flow, Shell};

impl Shell {
    /// `cat [FILE|-…]`.
    pub(super) async fn cat(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let files: Vec<&String> = args
            .iter()
            .filter(|a| a.as_str() == "-" || !a.starts_with('-'))
            .collect();
        let mut status = 0;
        if files.is_empty() {
            while let Some(chunk) = io.input.read_chunk().await {
                io.out(chunk);
                io.flush().await;
            }
            return 0;
        }
        for file in files {
            if file == "-" || file == "/dev/stdin" {
                while let Some(chunk) = io.input.read_chunk().await {
                    io.out(chunk);
                    io.flush().await;
                }
            } else if let Some(content) = self.virtual_file(file) {
                io.out(content);
            } else {
                match self.read_file(file) {
                    Ok(data) => io.out(data),
                    Err(e) => {
                        io.err(format!("cat: {file}: {e}\n"));
                        status = 1;
                    }
                }
            }
        }
        status
    }

    /// The content of a file we simulate.
    fn virtual_file(&self, path: &str) -> Option<String> {
        match path {
            "/dev/null" => Some(String::new()),
            "/etc/hostname" if self.files.is_none() => Some(format!("{}\n", self.hostname)),
            _ => None,
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

    /// `head [-n N] [FILE]`.
    pub(super) async fn head(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let (count, files) = parse_count(args, 10);
        let count = count.unsigned_abs() as usize;
        if let Some(file) = files.iter().find(|f| f.as_str() != "-") {
            return match self.virtual_file(file) {
                Some(content) => {
                    io.out(
                        content
                            .split_inclusive('\n')
                            .take(count)
                            .collect::<String>(),
                    );
                    0
                }
                None => {
                    io.err(format!(
                        "head: cannot open '{file}' for reading: No such file or directory\n"
                    ));
                    1
                }
            };
        }
        for _ in 0..count {
            match io.input.read_line().await {
                Some(line) => io.out(line),
                None => break,
            }
        }
        0
    }

    /// `tail [-n [+]N] [-f] [FILE]`; `-f` never ends.
    pub(super) async fn tail(&mut self, args: &[String], io: &mut Io<'_, '_>) -> Flow {
        let spec = parse_tail(args);
        if spec.follow {
            std::future::pending::<()>().await;
        }
        let content = if let Some(file) = spec.files.iter().find(|f| f.as_str() != "-") {
            match self.virtual_file(file) {
                Some(c) => c.into_bytes(),
                None => {
                    io.err(format!(
                        "tail: cannot open '{file}' for reading: No such file or directory\n"
                    ));
                    return Flow::Normal(1);
                }
            }
        } else {
            io.input.read_all().await
        };
        let lines: Vec<&[u8]> = content.split_inclusive(|&b| b == b'\n').collect();
        let skip = if spec.from_start {
            spec.count.saturating_sub(1)
        } else {
            lines.len().saturating_sub(spec.count)
        };
        for line in lines.iter().skip(skip) {
            io.out(line);
        }
        Flow::Normal(0)
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
            let mut out = String::new();
            let mut chars = text.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
            text = out;
        }
        let set = if names.is_empty() {
            self.set_var("REPLY", &text, false)
        } else {
            let ifs = self.get("IFS").unwrap_or(DEFAULT_IFS).to_string();
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
    count: usize,
    from_start: bool,
    files: Vec<String>,
}

/// Parses `tail`'s arguments (`-f`, `-F`, `-n N`, `-N`, `+N`…).
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
        if let Ok(n) = digits.parse() {
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

/// `-n N`, `-nN`, `-N` count (default `default`) and remaining operands.
fn parse_count(args: &[String], default: i64) -> (i64, Vec<String>) {
    let mut count = default;
    let mut files = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if arg == "-n" {
            if let Some(v) = args.get(i) {
                count = v.parse().unwrap_or(default);
                i += 1;
            }
        } else if let Some(v) = arg.strip_prefix("-n") {
            count = v.parse().unwrap_or(default);
        } else if let Some(v) = arg.strip_prefix('-').filter(|v| !v.is_empty()) {
            count = v.parse().unwrap_or(default);
        } else {
            files.push(arg.clone());
        }
    }
    (count, files)
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
                "cat: /etc/passwd: No such file or directory\n",
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
