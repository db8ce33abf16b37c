//! `grep [-qvicnoEFrRlLhHswx] [-m N] [-e PAT…] [-f FILE] [PAT] [FILE…]` over
//! files or stdin, with busybox 1.35's output and statuses: 0 when a line was
//! selected, 1 when none, 2 on an error.

use regex::bytes::Regex;

use crate::interp::files::{FileKind, FileSystem};
use crate::interp::io::Io;
use crate::interp::limits::MAX_TREE;
use crate::interp::shell::Shell;

use super::fsops::{children, join};
use super::opts::{getopt, Opts};
use super::regex::{build, translate};

impl Shell {
    /// `grep`.
    pub(super) async fn grep(&mut self, args: &[String], io: &mut Io<'_, '_>) -> i32 {
        let opts = match getopt(args, "qvicnoEFrRlLhHswxze:f:m:") {
            Ok(o) => o,
            Err(e) => {
                io.err(format!("grep: {e}\n"));
                return 2;
            }
        };
        let mut operands = opts.operands.clone();
        let mut patterns: Vec<String> = opts.values('e').iter().map(|s| s.to_string()).collect();
        for f in opts.values('f') {
            match self.read_operand(f, io).await {
                Ok(d) => patterns.extend(String::from_utf8_lossy(&d).lines().map(str::to_string)),
                Err(e) => {
                    io.err(format!("grep: {f}: {e}\n"));
                    return 2;
                }
            }
        }
        if patterns.is_empty() && opts.values('f').is_empty() {
            if operands.is_empty() {
                io.err("grep: no pattern\n");
                return 2;
            }
            patterns.extend(operands.remove(0).split('\n').map(str::to_string));
        }
        let re = match grep_regex(&patterns, &opts) {
            Ok(re) => re,
            Err(e) => {
                io.err(format!("grep: bad regex '{}': {e}\n", patterns.join("\n")));
                return 2;
            }
        };
        let recursive = opts.has('r') || opts.has('R');
        if operands.is_empty() {
            operands.push(if recursive { ".".into() } else { "-".into() });
        }
        // The files to search, directories expanded with -r.
        let mut files: Vec<String> = Vec::new();
        let mut status_err = false;
        for op in &operands {
            if recursive && op != "-" {
                if let Some(fs) = self.fs() {
                    if fs
                        .stat(&self.cwd, op, true)
                        .is_ok_and(|m| m.kind == FileKind::Dir)
                    {
                        if !walk_files(&*fs, &self.cwd, op, opts.has('R'), &mut files) {
                            io.err(format!("grep: {op}: Argument list too long\n"));
                            return 2;
                        }
                        continue;
                    }
                }
            }
            files.push(op.clone());
        }
        let names = (files.len() > 1 || recursive || opts.has('H')) && !opts.has('h');
        let mut any = false;
        for f in &files {
            let data = match self.read_operand(f, io).await {
                Ok(d) => d,
                // Directories are skipped without a word.
                Err(e) if e == super::text::EISDIR => continue,
                Err(e) => {
                    if !opts.has('s') {
                        io.err(format!("grep: {f}: {e}\n"));
                    }
                    status_err = true;
                    continue;
                }
            };
            let label = if f == "-" { "(standard input)" } else { f };
            let (out, found) = grep_text(&re, &data, label, names, &opts);
            any |= found;
            io.out(out);
            if any && opts.has('q') {
                return 0;
            }
        }
        if status_err && !(opts.has('q') && any) {
            2
        } else if any {
            0
        } else {
            1
        }
    }
}

/// Appends the files below `dir` (depth first, in name order); false past
/// [`MAX_TREE`].
fn walk_files(
    fs: &dyn FileSystem,
    cwd: &str,
    dir: &str,
    follow: bool,
    files: &mut Vec<String>,
) -> bool {
    for n in children(fs, cwd, dir).unwrap_or_default() {
        if files.len() >= MAX_TREE {
            return false;
        }
        let p = join(dir, &n);
        match fs.stat(cwd, &p, follow) {
            Ok(m) if m.kind == FileKind::Dir && !walk_files(fs, cwd, &p, follow, files) => {
                return false;
            }
            Ok(m) if m.kind == FileKind::File => files.push(p),
            _ => {}
        }
    }
    true
}

/// The patterns as one regex of the crate's syntax.
fn grep_regex(patterns: &[String], opts: &Opts) -> Result<Regex, String> {
    let mut alts = Vec::new();
    for p in patterns {
        let t = if opts.has('F') {
            regex::escape(p)
        } else {
            translate(p, opts.has('E'))?
        };
        alts.push(format!("(?:{t})"));
    }
    let mut all = alts.join("|");
    if opts.has('x') {
        all = format!("^(?:{all})$");
    } else if opts.has('w') {
        all = format!(r"\b(?:{all})\b");
    }
    build(&all, opts.has('i'))
}

/// What `grep` prints for one file, and whether a line was selected.
fn grep_text(re: &Regex, data: &[u8], label: &str, names: bool, opts: &Opts) -> (Vec<u8>, bool) {
    let invert = opts.has('v');
    let max: Option<usize> = opts.value('m').and_then(|m| m.parse().ok());
    let mut out = Vec::new();
    let mut count = 0usize;
    let sep = if opts.has('z') { b'\0' } else { b'\n' };
    let body = data.strip_suffix(&[sep]).unwrap_or(data);
    if !data.is_empty() {
        for (n, line) in body.split(|&b| b == sep).enumerate() {
            if max.is_some_and(|m| count >= m) {
                break;
            }
            if re.is_match(line) == invert {
                continue;
            }
            count += 1;
            if opts.has('q') {
                return (Vec::new(), true);
            }
            if opts.has('c') || opts.has('l') || opts.has('L') {
                continue;
            }
            let prefix = |out: &mut Vec<u8>| {
                if names {
                    out.extend_from_slice(label.as_bytes());
                    out.push(b':');
                }
                if opts.has('n') {
                    out.extend_from_slice(format!("{}:", n + 1).as_bytes());
                }
            };
            if opts.has('o') && !invert {
                for m in re.find_iter(line).filter(|m| !m.is_empty()) {
                    prefix(&mut out);
                    out.extend_from_slice(m.as_bytes());
                    out.push(sep);
                }
            } else if !opts.has('o') {
                prefix(&mut out);
                out.extend_from_slice(line);
                out.push(sep);
            }
        }
    }
    if opts.has('l') {
        if count > 0 {
            out.extend_from_slice(format!("{label}\n").as_bytes());
        }
    } else if opts.has('L') {
        if count == 0 {
            out.extend_from_slice(format!("{label}\n").as_bytes());
        }
    } else if opts.has('c') {
        if names {
            out.extend_from_slice(format!("{label}:").as_bytes());
        }
        out.extend_from_slice(format!("{count}\n").as_bytes());
    }
    let found = if opts.has('L') { count == 0 } else { count > 0 };
    (out, found)
}
