//! `xargs [-n N] [-I REPL] [-r] [-0] [CMD [ARG…]]`: runs a simulated command
//! with the words of stdin (quotes and backslashes read as busybox does),
//! with busybox 1.35's statuses: 123 when a run failed with 1–125, 124 (and
//! no more runs) when one exited 255, 127 for an unknown command.

use crate::interp::io::Io;
use crate::interp::limits::MAX_VALUE;
use crate::interp::shell::{BoxFut, Origin, Shell};

use super::opts::getopt;
use super::{basename, is_builtin, is_file_builtin};

impl Shell {
    /// `xargs`.
    pub(super) fn xargs<'s>(
        &'s mut self,
        args: &'s [String],
        io: &'s mut Io<'_, '_>,
    ) -> BoxFut<'s, i32> {
        Box::pin(async move {
            // Options end at the command.
            let cmd_at = option_end(args);
            let opts = match getopt(&args[..cmd_at], "n:I:r0ts:") {
                Ok(o) => o,
                Err(e) => {
                    io.err(format!("xargs: {e}\n"));
                    return 1;
                }
            };
            let mut cmd: Vec<String> = args[cmd_at..].to_vec();
            if cmd.is_empty() {
                cmd.push("echo".into());
            }
            let name = basename(&cmd[0]).to_string();
            let known = is_builtin(&name) || (is_file_builtin(&name) && self.files.is_some());
            let input = io.input.read_all().await;
            let input = String::from_utf8_lossy(&input);
            let replace = opts.value('I').map(str::to_string);
            let items: Vec<String> = if replace.is_some() {
                input
                    .lines()
                    .map(|l| l.trim_start().to_string())
                    .filter(|l| !l.is_empty())
                    .collect()
            } else if opts.has('0') {
                input
                    .split('\0')
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect()
            } else {
                match words(&input) {
                    Ok(w) => w,
                    Err(e) => {
                        io.err(format!("xargs: {e}\n"));
                        return 1;
                    }
                }
            };
            let per_run = match (&replace, opts.value('n')) {
                (Some(_), _) => 1,
                (None, Some(n)) => match n.parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => {
                        io.err(format!("xargs: invalid number '{n}'\n"));
                        return 1;
                    }
                },
                (None, None) => usize::MAX,
            };
            let mut runs: Vec<Vec<String>> = Vec::new();
            if items.is_empty() {
                if !opts.has('r') && replace.is_none() {
                    runs.push(cmd.clone());
                }
            } else {
                for chunk in items.chunks(per_run.min(items.len())) {
                    let argv: Vec<String> = match &replace {
                        Some(r) => cmd
                            .iter()
                            .map(|a| a.replace(r.as_str(), &chunk[0]))
                            .collect(),
                        None => cmd.iter().chain(chunk).cloned().collect(),
                    };
                    if argv.iter().map(String::len).sum::<usize>() > MAX_VALUE {
                        io.err("xargs: argument list too long\n");
                        return 1;
                    }
                    runs.push(argv);
                }
            }
            let mut status = 0;
            for argv in runs {
                if !known {
                    io.err(format!("xargs: {}: No such file or directory\n", cmd[0]));
                    return 127;
                }
                let mut child = match self.child() {
                    Ok(c) => c,
                    Err(e) => {
                        io.err(format!("xargs: {e}\n"));
                        return 1;
                    }
                };
                match child.run_argv(argv, Origin::Top, io).await.status() {
                    0 => {}
                    255 => {
                        io.err(format!(
                            "xargs: {}: exited with status 255; aborting\n",
                            cmd[0]
                        ));
                        return 124;
                    }
                    s if s <= 125 => status = 123,
                    s => return s,
                }
            }
            status
        })
    }
}

/// Where xargs' own options end: at the first word that is not an option
/// (or the value of one).
fn option_end(args: &[String]) -> usize {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "--" {
            return i + 1;
        }
        if !a.starts_with('-') || a == "-" {
            return i;
        }
        // A value flag alone takes the next word.
        if matches!(a.as_str(), "-n" | "-I" | "-s") {
            i += 1;
        }
        i += 1;
    }
    args.len()
}

/// Stdin's words: blanks and newlines separate, quotes group, a backslash
/// escapes.
fn words(input: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut chars = input.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                has = true;
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some(o) => cur.push(o),
                        None => {
                            return Err(format!(
                                "unmatched {} quote",
                                if c == '"' { "double" } else { "single" }
                            ))
                        }
                    }
                }
            }
            '\\' => {
                has = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => {
                has = true;
                cur.push(c);
            }
        }
    }
    if has {
        out.push(cur);
    }
    Ok(out)
}
