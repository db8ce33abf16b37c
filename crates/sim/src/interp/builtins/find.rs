//! `find PATH… [-name PAT] [-iname PAT] [-type f|d|l] [-maxdepth N]
//! [-mindepth N] [!|-not] [-print]` (the tests are ANDed) and `stat -c
//! FORMAT`. Entries come in name order; a walk stops at [`MAX_TREE`].

use std::fmt::Write as _;
use std::time::UNIX_EPOCH;

use crate::interp::files::{FileKind, FileMeta, FileSystem};
use crate::interp::io::Io;
use crate::interp::limits::MAX_TREE;
use crate::interp::pattern::glob_match;
use crate::interp::shell::Shell;

use super::fsops::bad_option;
use super::fsops::{children, join};
use super::opts::getopt;

/// One test of a `find` expression.
#[derive(Debug)]
enum Test {
    Name(String, bool),
    Type(FileKind),
    Not(Box<Test>),
}

impl Test {
    fn matches(&self, path: &str, meta: &FileMeta) -> bool {
        match self {
            Test::Name(pat, icase) => {
                let base = path
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(path);
                let base = if base.is_empty() { "/" } else { base };
                if *icase {
                    glob_match(&pat.to_lowercase(), &base.to_lowercase())
                } else {
                    glob_match(pat, base)
                }
            }
            Test::Type(k) => meta.kind == *k,
            Test::Not(t) => !t.matches(path, meta),
        }
    }
}

impl Shell {
    /// `find`.
    pub(super) fn find(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let Some(fs) = self.fs() else { return 1 };
        let split = args
            .iter()
            .position(|a| a.starts_with('-') || a == "!" || a == "(")
            .unwrap_or(args.len());
        let mut paths: Vec<String> = args[..split].to_vec();
        if paths.is_empty() {
            paths.push(".".into());
        }
        let mut tests = Vec::new();
        let (mut min, mut max) = (0usize, usize::MAX);
        let mut negate = false;
        let mut i = split;
        while let Some(a) = args.get(i) {
            i += 1;
            let mut value = || {
                let v = args.get(i).cloned();
                i += 1;
                v
            };
            let test = match a.as_str() {
                "!" | "-not" => {
                    negate = !negate;
                    continue;
                }
                "-print" | "-a" | "-and" => continue,
                "-name" | "-iname" => match value() {
                    Some(p) => Test::Name(p, a == "-iname"),
                    None => return missing(io, a),
                },
                "-type" => match value().as_deref() {
                    Some("f") => Test::Type(FileKind::File),
                    Some("d") => Test::Type(FileKind::Dir),
                    Some("l") => Test::Type(FileKind::Symlink),
                    Some(_) => {
                        io.err("find: unrecognized: -type\n");
                        return 1;
                    }
                    None => return missing(io, a),
                },
                "-maxdepth" | "-mindepth" => match value().and_then(|v| v.parse().ok()) {
                    Some(n) => {
                        if a == "-maxdepth" {
                            max = n;
                        } else {
                            min = n;
                        }
                        continue;
                    }
                    None => return missing(io, a),
                },
                other => {
                    io.err(format!("find: unrecognized: {other}\n"));
                    return 1;
                }
            };
            tests.push(if negate {
                Test::Not(Box::new(test))
            } else {
                test
            });
            negate = false;
        }
        let mut status = 0;
        let mut budget = MAX_TREE;
        for p in &paths {
            let mut out = String::new();
            let walk = Walk {
                fs: &*fs,
                cwd: &self.cwd,
                tests: &tests,
                min,
                max,
            };
            match fs.stat(&self.cwd, p, false) {
                Ok(meta) => {
                    if !walk.visit(p, &meta, 0, &mut budget, &mut out) {
                        io.out(out);
                        io.err(format!("find: {p}: Argument list too long\n"));
                        return 1;
                    }
                }
                Err(e) => {
                    io.err(format!("find: {p}: {e}\n"));
                    status = 1;
                }
            }
            io.out(out);
        }
        status
    }

    /// `stat [-L] -c FORMAT FILE…`: `%s %n %a %A %F %Y %u %g %U %G %%`.
    pub(super) fn stat_cmd(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "Lc:") {
            Ok(o) => o,
            Err(e) => return bad_option(io, "stat", &e),
        };
        let Some(fs) = self.fs() else { return 1 };
        let Some(format) = opts.value('c') else {
            io.err("stat: only -c FORMAT is simulated\n");
            return 1;
        };
        let mut status = 0;
        for f in &opts.operands {
            match fs.stat(&self.cwd, f, opts.has('L')) {
                Ok(m) => io.out(format!("{}\n", stat_format(format, f, &m))),
                Err(e) => {
                    io.err(format!("stat: can't stat '{f}': {e}\n"));
                    status = 1;
                }
            }
        }
        status
    }
}

fn missing(io: &mut Io<'_, '_>, opt: &str) -> i32 {
    io.err(format!("find: {opt} requires an argument\n"));
    1
}

/// A `find` walk's settings.
struct Walk<'a> {
    fs: &'a dyn FileSystem,
    cwd: &'a str,
    tests: &'a [Test],
    min: usize,
    max: usize,
}

impl Walk<'_> {
    /// Prints `path` if it passes, then walks below it; false past the
    /// budget.
    fn visit(
        &self,
        path: &str,
        meta: &FileMeta,
        depth: usize,
        budget: &mut usize,
        out: &mut String,
    ) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        if depth >= self.min && self.tests.iter().all(|t| t.matches(path, meta)) {
            out.push_str(path);
            out.push('\n');
        }
        if meta.kind != FileKind::Dir || depth >= self.max {
            return true;
        }
        for name in children(self.fs, self.cwd, path).unwrap_or_default() {
            let child = join(path, &name);
            if let Ok(m) = self.fs.stat(self.cwd, &child, false) {
                if !self.visit(&child, &m, depth + 1, budget, out) {
                    return false;
                }
            }
        }
        true
    }
}

/// `stat -c`'s format applied to one file.
fn stat_format(format: &str, name: &str, m: &FileMeta) -> String {
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let _ = match chars.next() {
            Some('s') => write!(out, "{}", m.size),
            Some('n') => write!(out, "{name}"),
            Some('a') => write!(out, "{:o}", m.mode & 0o7777),
            Some('A') => write!(out, "{}", mode_string(m)),
            Some('F') => write!(
                out,
                "{}",
                match m.kind {
                    FileKind::File if m.size == 0 => "regular empty file",
                    FileKind::File => "regular file",
                    FileKind::Dir => "directory",
                    FileKind::Symlink => "symbolic link",
                }
            ),
            Some('Y') => write!(
                out,
                "{}",
                m.mtime
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
            ),
            Some('u' | 'g') => write!(out, "0"),
            Some('U' | 'G') => write!(out, "root"),
            Some('%') => write!(out, "%"),
            Some(o) => write!(out, "?{o}"),
            None => write!(out, "%"),
        };
    }
    out
}

/// `ls -l`'s mode column (`drwxr-xr-x`).
fn mode_string(m: &FileMeta) -> String {
    let mut s = String::with_capacity(10);
    s.push(match m.kind {
        FileKind::Dir => 'd',
        FileKind::Symlink => 'l',
        FileKind::File => '-',
    });
    let bits = m.mode;
    for (shift, special, lower, upper) in [
        (6, 0o4000, 's', 'S'),
        (3, 0o2000, 's', 'S'),
        (0, 0o1000, 't', 'T'),
    ] {
        let p = (bits >> shift) & 7;
        s.push(if p & 4 != 0 { 'r' } else { '-' });
        s.push(if p & 2 != 0 { 'w' } else { '-' });
        s.push(match (p & 1 != 0, bits & special != 0) {
            (true, true) => lower,
            (false, true) => upper,
            (true, false) => 'x',
            (false, false) => '-',
        });
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::interp::pattern::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("*.txt", "a.txt"));
        assert!(!glob_match("*.txt", "a.txt.bak"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("[a-c]*", "beta"));
        assert!(!glob_match("[!a-c]*", "beta"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXbYbc"));
        assert!(glob_match("\\*", "*"));
    }
}
