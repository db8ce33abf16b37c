//! Simulated container processes: a tiny, deterministic shell interpreter.
//!
//! Containers of the in-memory backend run no real process. Their command
//! (Entrypoint + Cmd, or an exec's argv) is turned into a [`Program`] by
//! [`Program::parse`] and *simulated* by [`Program::run`], which writes output
//! chunks to a channel and returns an exit status.
//!
//! # What is simulated
//!
//! * Builtins (a path prefix such as `/bin/echo` works the same): `echo`,
//!   `printf`, `true`, `false`, `:`, `exit`, `sleep`, `cat`, `env`, `pwd`,
//!   `hostname`, `id`, `whoami`, `test`/`[`, `export`, `unset`, `set`, `cd`,
//!   `seq`, `head`, `tail`, `read`, `shift`, `wait`, `trap`, `exec`,
//!   `command`, `uname`, `basename`, `dirname`, the text filters `wc`,
//!   `sort`, `uniq`, `tr`, `cut`, `grep`, `sed`, `sha256sum`, `md5sum`,
//!   `date` (the backend's clock, UTC), with files `ls`, `mkdir`, `rm`,
//!   `rmdir`, `cp`, `mv`, `touch`, `chmod`, `ln`, `find`, `stat -c` — in
//!   busybox 1.35's words and statuses (`crates/sim/tests/commands.rs`
//!   compares them) — and the shells `sh`, `bash`,
//!   `dash`, `ash`, `zsh`, `ksh` (`-c SCRIPT [arg0 args…]`, `-e`, `-x`,
//!   combined flags such as `-ec`, or a script read from stdin line by line).
//! * Script syntax: `;`/newline sequences, `&&`, `||`, `!`, `|` (see below),
//!   comments, single/double quotes, backslash escapes, `$VAR`, `${VAR}`,
//!   `${VAR:-w}`/`-`/`:=`/`=`/`:+`/`+`/`:?`/`?`, `${#VAR}`, `${VAR#p}`,
//!   `${VAR##p}`, `${VAR%p}`, `${VAR%%p}`, special
//!   parameters (`$?`, `$$`, `$#`, `$@`, `$*`, `$0`…`$9`, `${10}`, `$-`),
//!   `$(…)` and backquote command substitution, arithmetic `$((…))`, `~`,
//!   `NAME=value` assignments (alone or as a command prefix), word splitting
//!   of unquoted expansions, and redirections of fds 0–2 (`>&2`, `2>&1`,
//!   `>/dev/null`, `&>`, `< /dev/null`, here-documents `<<EOF`, `<<-EOF`,
//!   `<<'EOF'`).
//! * Compound commands: `if`/`elif`/`else`, `for`, `while`, `until`,
//!   `case` (glob patterns), `{ …; }`, `( … )` subshells, with
//!   redirections; functions with their own parameters, `return`, `local`,
//!   `break`/`continue [N]`; `set -e` (not in conditions, left of `&&`/`||`
//!   or after `!`), `set -o pipefail`, `set -u`, `trap … EXIT`. Output and
//!   status match busybox `sh` (`crates/sim/tests/busybox.rs` compares).
//! * Pipelines `a | b` run their stages one after the other: each stage's
//!   stdout is buffered and becomes the next stage's stdin; the pipeline's
//!   status is the last stage's. A stage that never finishes blocks the
//!   pipeline (there is no `yes | head`).
//! * `cmd &` runs `cmd` to completion in a subshell before going on, unless
//!   it would block forever (or is a `sleep`), in which case it is skipped;
//!   `$?` is 0 afterwards and `wait` returns 0.
//! * The shell's errors are busybox ash's, prefixed by `$0`: `sh: foo: not
//!   found` (127), `sh: syntax error: …` (2); a builtin's carry its name and
//!   line (`sh: exit: line 0: Illegal number: x`), and so does every error of
//!   a script file (`s.sh: line 2: …`) or of `sh -c SCRIPT NAME`. Invoked as
//!   `/bin/sh -c …`, the prefix is `/bin/sh`, as with busybox.
//! * Unknown commands: 127 inside scripts; at the top level (the argv
//!   itself, `exec cmd`, `env … cmd`) they follow [`UnknownCommand`].
//! * Users for `id`/`whoami`: `root`, `daemon`, `bin`, `sys`, `www-data`,
//!   `nobody` (group `nogroup`) are known; other names get uid/gid 1000;
//!   numeric uids other than those have no name.
//!
//! # What is not
//!
//! `trap` of signals (accepted, never fires), `umask`, `ulimit` and `sync`
//! are no-ops. No substring or replacement operators (`${V:1:2}`,
//! `${V/a/b}`: a syntax error, status 2, never mis-run). No globbing: `*`
//! stays literal. Loops are bounded (see
//! `limits`): a loop that never sleeps stops with an error after its
//! budget, and every loop yields to the runtime now and then. Files come
//! from the context's [`Files`] (the container's file system): `cat FILE`, `ls`, `> file`, `>> file` and
//! `< file` use it; without one only `/dev/null`, `/dev/stdin` and
//! `/etc/hostname` can be read, other reads fail like missing files, and
//! writes to files are discarded.
//!
//! # Layout
//!
//! From the bottom up (each module uses only those above it in this list):
//!
//! * `limits`: the bounds of one process (expansions, variables, captured
//!   output, nesting, output chunks) and dash's words past them.
//! * `context`, `io`: what the process sees; stdin, output sinks (a bounded
//!   channel, chunks of at most [`MAX_CHUNK`] bytes), fds.
//! * `ast`: the syntax tree. `lexer` turns text into tokens and words
//!   (and reads here-documents); `parser` builds the tree. `invocation`
//!   parses `sh [-ex] -c …`. `arith` evaluates `$((…))`; `pattern` matches
//!   `case` patterns.
//! * `shell`: the shell's state (variables, parameters, `$?`).
//! * `builtins`: the simulated commands; `forever`: the "runs forever"
//!   hint, which reads their arguments.
//! * `files`: the [`FileSystem`] trait, the door to the container's files
//!   (the commands' only way to them); `mapfs`: [`MapFs`], its test double.
//! * `expand`: parameter expansion, command substitution, field splitting;
//!   `redirect`: fd redirections; `eval`: scripts, and-or lists,
//!   pipelines and simple commands; `control`: compound commands, function
//!   calls and the `EXIT` trap.
//!
//! Evaluation is recursive (`sh -c` and `$(…)` run scripts, scripts run
//! builtins): those calls are methods of `shell::Shell`, defined next to
//! what they do, so no two modules import each other.

mod arith;
mod ast;
mod builtins;
mod context;
mod control;
mod eval;
mod expand;
mod files;
mod forever;
mod invocation;
mod io;
mod lexer;
mod limits;
mod parser;
mod pathname;
mod pattern;
mod redirect;
mod shell;
#[cfg(test)]
mod testkit;

// The test double of the files, public for the tests of other crates.
mod mapfs;

pub use context::{ProcessContext, UnknownCommand};
pub use files::{FileKind, FileMeta, FileSystem, Files, Listing};
pub use io::{ProcessIo, StdStream};
pub use limits::{MAX_CHUNK, MAX_FILE, MAX_TREE};
pub use mapfs::MapFs;

use builtins::basename;
use forever::{argv_forever, argv_idles, invocation_forever};
use invocation::{is_shell, parse_invocation, Invocation};
use io::{Fds, Input, Io, Sinks};
use shell::{Origin, Shell};

/// A parsed, ready-to-run simulated program.
#[derive(Debug, Clone)]
pub struct Program {
    kind: Kind,
    unknown: UnknownCommand,
}

#[derive(Debug, Clone)]
enum Kind {
    Empty,
    Argv(Vec<String>),
    Shell(Box<Invocation>),
}

impl Program {
    /// Parses a command line (Entrypoint + Cmd, or an exec's argv).
    ///
    /// Never fails: a shell script that does not parse becomes a program that
    /// writes `sh: syntax error: …` to stderr and exits 2, like a shell.
    pub fn parse(argv: &[String], unknown: UnknownCommand) -> Program {
        let kind = match argv.first() {
            None => Kind::Empty,
            Some(first) if is_shell(basename(first)) => {
                Kind::Shell(Box::new(parse_invocation(argv)))
            }
            Some(_) => Kind::Argv(argv.to_vec()),
        };
        Program { kind, unknown }
    }

    /// Whether the program is expected to run until killed: `sleep
    /// infinity`, `tail -f …`, an unknown command under
    /// [`UnknownCommand::RunForever`], a shell reading an open stdin, a
    /// script with such a command at its top level (before any `exit`)…
    ///
    /// This is a hint; [`Program::run`] is the truth.
    pub fn runs_forever(&self, ctx: &ProcessContext) -> bool {
        match &self.kind {
            Kind::Empty => false,
            Kind::Argv(argv) => argv_forever(argv, self.unknown, ctx, true),
            Kind::Shell(inv) => invocation_forever(inv, self.unknown, ctx),
        }
    }

    /// Whether the program idles: runs until killed and, until then, reads,
    /// writes and changes nothing (`sleep infinity`, an unknown main process
    /// under [`UnknownCommand::RunForever`]). `files`: whether its context
    /// will have [`ProcessContext::files`].
    ///
    /// Not a hint: [`Program::run`] of such a program awaits forever with no
    /// effect, so a caller may skip running it and only await its kill.
    pub fn idles(&self, files: bool) -> bool {
        match &self.kind {
            Kind::Argv(argv) => argv_idles(argv, self.unknown, files),
            Kind::Empty | Kind::Shell(_) => false,
        }
    }

    /// Runs the program and returns its exit status.
    ///
    /// Commands that run forever await forever: the caller cancels the
    /// future (drops it) on stop or kill, which is safe at any await point.
    pub async fn run(&self, ctx: &ProcessContext, io: &mut ProcessIo) -> i32 {
        let mut input = Input::new(io.stdin.as_mut());
        let mut sinks = Sinks::new(io.output.clone());
        let mut pio = Io {
            input: &mut input,
            sinks: &mut sinks,
            fds: Fds::default(),
        };
        let mut shell = Shell::new(ctx, self.unknown);
        let status = match &self.kind {
            Kind::Empty => {
                pio.err("exec: no command specified\n");
                127
            }
            Kind::Argv(argv) => shell
                .run_argv(argv.clone(), Origin::Top, &mut pio)
                .await
                .status(),
            Kind::Shell(inv) => shell.run_invocation(inv, &mut pio).await,
        };
        pio.flush().await;
        status
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc;

    use super::*;
    use crate::interp::invocation::Source;
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn empty_command() {
        check(vec![
            // no command
            case(&[], "", "exec: no command specified\n", 127),
        ])
        .await;
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_is_safe_and_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let program = Program::parse(&sh("cat; echo done"), UnknownCommand::Echo);
        let (tx, _rx) = mpsc::channel(16);
        let (itx, irx) = mpsc::channel(1);
        let mut io = ProcessIo {
            stdin: Some(irx),
            output: tx,
        };
        let ctx = ProcessContext::default();
        {
            let fut = program.run(&ctx, &mut io);
            assert_send(&fut);
            let res = tokio::time::timeout(Duration::from_millis(10), fut).await;
            assert!(res.is_err());
        }
        // The stdin channel is intact after cancellation.
        drop(itx);
        assert!(io.stdin.as_mut().expect("stdin").recv().await.is_none());
    }

    #[test]
    fn parse_errors_and_unknown_policy() {
        let p = Program::parse(&sh("echo \"x"), UnknownCommand::Echo);
        assert!(
            matches!(&p.kind, Kind::Shell(inv) if matches!(&inv.source, Source::Script(Err(e)) if e.incomplete))
        );
        let p = Program::parse(&sh("echo x)"), UnknownCommand::Echo);
        assert!(
            matches!(&p.kind, Kind::Shell(inv) if matches!(&inv.source, Source::Script(Err(e)) if !e.incomplete))
        );
        let p = Program::parse(&["ls".to_string()], UnknownCommand::RunForever);
        assert!(matches!(&p.kind, Kind::Argv(_)));
    }
}
