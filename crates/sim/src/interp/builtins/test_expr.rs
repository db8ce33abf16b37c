//! `test` and `[`: a small recursive-descent evaluator of `!`, `-a`, `-o`,
//! parentheses, string and integer comparisons and file tests (against the
//! few paths we pretend exist).

use crate::interp::files::{FileKind, FileSystem};
use crate::interp::io::Io;
use crate::interp::shell::{Origin, Shell};

impl Shell {
    /// `test EXPR` or `[ EXPR ]`: 0 true, 1 false, 2 on an error.
    pub(super) fn test(
        &self,
        name: &str,
        args: &[String],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> i32 {
        let mut args = args;
        if name == "[" {
            match args.split_last() {
                Some((last, rest)) if last == "]" => args = rest,
                _ => {
                    io.err(format!("{}missing ]\n", self.test_prefix(name, origin)));
                    return 2;
                }
            }
        }
        let fs = self.fs();
        let files = fs.as_deref().map(|fs| (fs, self.cwd.as_str()));
        match test_eval(args, files) {
            Ok(true) => 0,
            Ok(false) => 1,
            Err(msg) => {
                io.err(format!("{}{msg}\n", self.test_prefix(name, origin)));
                2
            }
        }
    }

    /// The prefix of `test`'s messages: like busybox's applets, the name
    /// they run as, which is the shell's inside a script (`sh: missing ]`).
    fn test_prefix(&self, name: &str, origin: Origin) -> String {
        match origin {
            Origin::Top => format!("{name}: "),
            Origin::Script(_) | Origin::Env(_) => format!("{}: ", self.applet),
        }
    }
}

/// Evaluates a `test` expression; the error is the message after `test: `.
fn test_eval(args: &[String], files: Option<(&dyn FileSystem, &str)>) -> Result<bool, String> {
    if args.is_empty() {
        return Ok(false);
    }
    let mut p = TestParser {
        args,
        pos: 0,
        files,
    };
    let v = p.or()?;
    match args.get(p.pos) {
        None => Ok(v),
        Some(extra) => Err(format!("{extra}: unknown operand")),
    }
}

/// The evaluator's position in the arguments.
struct TestParser<'a> {
    args: &'a [String],
    pos: usize,
    /// The container's files and the working directory, if any.
    files: Option<(&'a dyn FileSystem, &'a str)>,
}

/// Binary operators.
const TEST_BINARY: &[&str] = &[
    "=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "<", ">", "-nt", "-ot", "-ef",
];
/// Unary operators.
const TEST_UNARY: &[&str] = &[
    "-z", "-n", "-e", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-h", "-t", "-b", "-c", "-p", "-S",
    "-g", "-u", "-k", "-O", "-G",
];

impl<'a> TestParser<'a> {
    fn peek(&self, off: usize) -> Option<&'a str> {
        self.args.get(self.pos + off).map(String::as_str)
    }

    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while self.peek(0) == Some("-o") {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.not()?;
        while self.peek(0) == Some("-a") {
            self.pos += 1;
            let r = self.not()?;
            v = v && r;
        }
        Ok(v)
    }

    fn not(&mut self) -> Result<bool, String> {
        if self.peek(0) == Some("!") && self.peek(1).is_some() {
            self.pos += 1;
            return Ok(!self.not()?);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<bool, String> {
        let Some(a) = self.peek(0) else {
            return Err("argument expected".into());
        };
        if let (Some(op), Some(b)) = (self.peek(1), self.peek(2)) {
            if TEST_BINARY.contains(&op) {
                self.pos += 3;
                if let (Some((fs, cwd)), "-nt" | "-ot") = (self.files, op) {
                    let t = |p: &str| fs.stat(cwd, p, true).ok().map(|m| m.mtime);
                    return Ok(match (t(a), t(b), op) {
                        (Some(x), Some(y), "-nt") => x > y,
                        (Some(x), Some(y), _) => x < y,
                        (Some(_), None, "-nt") | (None, Some(_), "-ot") => true,
                        _ => false,
                    });
                }
                return binary_test(a, op, b);
            }
        }
        if a == "(" && self.peek(1).is_some() {
            self.pos += 1;
            let v = self.or()?;
            if self.peek(0) != Some(")") {
                return Err("closing paren expected".into());
            }
            self.pos += 1;
            return Ok(v);
        }
        if let Some(b) = self.peek(1) {
            if TEST_UNARY.contains(&a) {
                self.pos += 2;
                return Ok(match self.files {
                    Some((fs, cwd))
                        if !b.starts_with("/dev/") && a.len() == 2 && a != "-z" && a != "-n" =>
                    {
                        file_test(fs, cwd, a, b)
                    }
                    _ => unary_test(a, b),
                });
            }
        }
        self.pos += 1;
        Ok(!a.is_empty())
    }
}

/// A file test against the container's files (the process runs as root:
/// everything that exists is readable and writable).
fn file_test(fs: &dyn FileSystem, cwd: &str, op: &str, path: &str) -> bool {
    if path.is_empty() {
        return false;
    }
    if op == "-L" || op == "-h" {
        return fs
            .stat(cwd, path, false)
            .is_ok_and(|m| m.kind == FileKind::Symlink);
    }
    let Ok(m) = fs.stat(cwd, path, true) else {
        return false;
    };
    match op {
        "-e" | "-r" | "-w" => true,
        "-f" => m.kind == FileKind::File,
        "-d" => m.kind == FileKind::Dir,
        "-s" => m.size > 0,
        "-x" => m.kind == FileKind::Dir || m.mode & 0o111 != 0,
        "-u" => m.mode & 0o4000 != 0,
        "-g" => m.mode & 0o2000 != 0,
        "-k" => m.mode & 0o1000 != 0,
        "-O" | "-G" => true,
        _ => false,
    }
}

/// A unary test without files. Only `/`, `.`, `/tmp`, `/dev`, `/etc`, `/bin`, `/usr`,
/// `/root` (directories), `/dev/null` and `/etc/hostname` exist.
fn unary_test(op: &str, arg: &str) -> bool {
    let exists = matches!(
        arg,
        "/" | "."
            | "/tmp"
            | "/dev"
            | "/etc"
            | "/dev/null"
            | "/etc/hostname"
            | "/bin"
            | "/usr"
            | "/root"
    );
    let is_dir = exists && !matches!(arg, "/dev/null" | "/etc/hostname");
    match op {
        "-z" => arg.is_empty(),
        "-n" => !arg.is_empty(),
        "-e" | "-r" => exists,
        "-d" | "-x" => is_dir,
        "-f" | "-s" => arg == "/etc/hostname",
        "-w" => exists,
        "-c" => arg == "/dev/null",
        _ => false,
    }
}

/// A binary comparison; integers that do not parse are an error.
fn binary_test(a: &str, op: &str, b: &str) -> Result<bool, String> {
    let int = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| format!("{s}: bad number"))
    };
    Ok(match op {
        "=" | "==" => a == b,
        "!=" => a != b,
        "<" => a < b,
        ">" => a > b,
        "-eq" => int(a)? == int(b)?,
        "-ne" => int(a)? != int(b)?,
        "-lt" => int(a)? < int(b)?,
        "-le" => int(a)? <= int(b)?,
        "-gt" => int(a)? > int(b)?,
        "-ge" => int(a)? >= int(b)?,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn conditions() {
        check(vec![
            // test
            script(
                "[ -z \"\" ] && [ -n x ] && test a = a && [ 1 -lt 2 ]",
                "",
                "",
                0,
            ),
            script("[ a != a ] || [ 3 -eq 4 ]", "", "", 1),
            script("[ 1 -gt x ]", "", "sh: x: bad number\n", 2),
            script("[ 1 = 1", "", "sh: missing ]\n", 2),
            script("test ! -d /nonexistent -a -d /", "", "", 0),
            // -a binds tighter than -o
            script("[ -n x -a -z x -o 1 = 1 ] && echo prec", "prec\n", "", 0),
        ])
        .await;
    }
}
