//! Evaluation: a shell invocation, scripts read from stdin as they arrive,
//! and the script grammar from the top down — items (`;`, `&`), and-or
//! lists, pipelines and simple commands.

use std::fmt::Write as _;

use super::ast::{literal, AndOr, Command, Connector, ParseError, Pipeline, Script, Simple, Word};
use super::builtins::basename;
use super::context::{ProcessContext, UnknownCommand};
use super::forever::argv_forever;
use super::invocation::{Invocation, Source};
use super::io::{Fds, Input, Io};
use super::limits::{MAX_VALUE, OUT_OF_SPACE};
use super::parser::{parse, parse_partial};
use super::redirect::Redirected;
use super::shell::{BoxFut, Flow, Numbering, Origin, Shell, Var};

impl Shell {
    /// Runs a shell invocation in this shell (which takes its `$0`,
    /// parameters and options) and returns its status.
    pub(crate) async fn run_invocation(&mut self, inv: &Invocation, io: &mut Io<'_, '_>) -> i32 {
        self.name = inv.name.clone();
        self.numbering = match inv.source {
            Source::File(_) => Numbering::File,
            Source::Stdin => Numbering::Stdin,
            Source::Script(_) | Source::Usage(_) => Numbering::Command { named: inv.named },
        };
        self.applet = basename(&inv.path).to_string();
        self.params = inv.params.clone();
        self.errexit = inv.errexit;
        self.xtrace = inv.xtrace;
        self.pipefail = inv.pipefail;
        self.nounset = inv.nounset;
        let status = self.run_source(inv, io).await;
        self.run_exit_trap(status, io).await
    }

    /// Runs what the invocation names and returns its status.
    async fn run_source(&mut self, inv: &Invocation, io: &mut Io<'_, '_>) -> i32 {
        match &inv.source {
            Source::Script(Ok(script)) => self.exec_script(script, io).await.status(),
            Source::Script(Err(e)) => {
                self.syntax_error(e, io);
                2
            }
            Source::File(file) => match self.script_file(file) {
                Some(Ok(script)) => self.exec_script(&script, io).await.status(),
                Some(Err(e)) => {
                    self.syntax_error(&e, io);
                    2
                }
                None => {
                    io.err(format!(
                        "{}: can't open '{file}': No such file or directory\n",
                        inv.path
                    ));
                    2
                }
            },
            Source::Usage(msg) => {
                io.err(msg);
                2
            }
            Source::Stdin => self.run_stdin(io).await,
        }
    }

    /// Reports a syntax error: `PREFIX syntax error: MESSAGE`.
    fn syntax_error(&self, e: &ParseError, io: &mut Io<'_, '_>) {
        let prefix = self.prefix(Origin::Script(e.line));
        io.err(format!("{prefix}syntax error: {}\n", e.message));
    }

    /// The script file `sh FILE` runs, read from the container's files
    /// (`None`: no such file, no file system, or larger than a variable may be).
    fn script_file(&self, file: &str) -> Option<Result<Script, ParseError>> {
        let bytes = self.files.as_ref()?.0.read(&self.cwd, file).ok()?;
        if bytes.len() > MAX_VALUE {
            return None;
        }
        Some(parse(&String::from_utf8_lossy(&bytes), 1))
    }

    /// Reads a script from stdin and runs each complete command as it arrives.
    async fn run_stdin(&mut self, io: &mut Io<'_, '_>) -> i32 {
        let mut pending = String::new();
        let mut line = 1;
        loop {
            let chunk = io.input.read_line().await;
            let eof = chunk.is_none();
            if let Some(bytes) = chunk {
                pending.push_str(&String::from_utf8_lossy(&bytes));
                if pending.len() > MAX_VALUE {
                    let prefix = self.prefix(Origin::Script(line));
                    io.err(format!("{prefix}{OUT_OF_SPACE}\n"));
                    return 2;
                }
            }
            if pending.is_empty() {
                if eof {
                    break;
                }
                continue;
            }
            if !eof && (!pending.ends_with('\n') || continues_line(&pending)) {
                continue;
            }
            let parsed = if eof {
                parse(&pending, line)
            } else {
                parse_partial(&pending, line)
            };
            match parsed {
                Ok(script) => {
                    line += pending.matches('\n').count();
                    pending.clear();
                    match self.exec_script(&script, io).await {
                        Flow::Exit(n) | Flow::Return(n) => return n,
                        _ => {}
                    }
                }
                Err(e) if e.incomplete && !eof => {}
                Err(e) => {
                    self.syntax_error(&e, io);
                    return 2;
                }
            }
            if eof {
                break;
            }
        }
        self.status
    }

    /// Runs a script's items; `-e` stops at the first eligible failure.
    pub(crate) fn exec_script<'s>(
        &'s mut self,
        script: &'s Script,
        io: &'s mut Io<'_, '_>,
    ) -> BoxFut<'s, Flow> {
        Box::pin(async move {
            for item in &script.items {
                if item.background {
                    // `cmd &` runs in a subshell: it cannot exit or change
                    // this shell, and `$?` is 0 afterwards.
                    if !blocks_in_background(&item.and_or, self.unknown) {
                        match self.subshell() {
                            Ok(mut sub) => {
                                sub.errexit = false;
                                sub.exit_trap = None;
                                sub.exec_and_or(&item.and_or, io).await;
                            }
                            Err(msg) => {
                                let line =
                                    item.and_or.first.commands.first().map_or(1, Command::line);
                                io.err(format!("{}{msg}\n", self.prefix(Origin::Script(line))));
                            }
                        }
                    }
                    self.status = 0;
                    continue;
                }
                let flow = self.exec_and_or(&item.and_or, io).await;
                self.status = flow.status();
                if !matches!(flow, Flow::Normal(_)) {
                    return flow;
                }
            }
            Flow::Normal(self.status)
        })
    }

    /// Runs `a && b || c`: `-e` does not apply to all but the last.
    async fn exec_and_or(&mut self, and_or: &AndOr, io: &mut Io<'_, '_>) -> Flow {
        let tested = self.tested;
        self.tested = tested || !and_or.rest.is_empty();
        let mut flow = self.exec_pipeline(&and_or.first, io).await;
        for (i, (conn, pipeline)) in and_or.rest.iter().enumerate() {
            let Flow::Normal(s) = flow else {
                break;
            };
            self.status = s;
            let run = match conn {
                Connector::And => s == 0,
                Connector::Or => s != 0,
            };
            if run {
                self.tested = tested || i + 1 < and_or.rest.len();
                flow = self.exec_pipeline(pipeline, io).await;
            }
        }
        self.tested = tested;
        flow
    }

    /// Runs a pipeline; `-e` applies to its status unless negated or
    /// tested.
    async fn exec_pipeline(&mut self, pipeline: &Pipeline, io: &mut Io<'_, '_>) -> Flow {
        let tested = self.tested;
        self.tested = tested || pipeline.negate;
        let flow = self.exec_stages(pipeline, io).await;
        self.tested = tested;
        match flow {
            Flow::Normal(s) if pipeline.negate => Flow::Normal(i32::from(s == 0)),
            Flow::Normal(s) if s != 0 && self.errexit && !tested => Flow::Exit(s),
            other => other,
        }
    }

    /// Runs a pipeline's stages one after the other, each stage's output
    /// buffered as the next one's input.
    async fn exec_stages(&mut self, pipeline: &Pipeline, io: &mut Io<'_, '_>) -> Flow {
        if let [cmd] = pipeline.commands.as_slice() {
            self.exec_command(cmd, io).await
        } else {
            let mut data: Option<Vec<u8>> = None;
            let mut status = 0;
            let mut failed = 0;
            let last = pipeline.commands.len().saturating_sub(1);
            for (i, cmd) in pipeline.commands.iter().enumerate() {
                let mut stage = match self.subshell() {
                    Ok(stage) => stage,
                    Err(msg) => {
                        io.err(format!(
                            "{}{msg}\n",
                            self.prefix(Origin::Script(cmd.line()))
                        ));
                        status = 2;
                        break;
                    }
                };
                stage.exit_trap = None;
                let out = if i == last {
                    io.fds.out
                } else {
                    io.sinks.push_capture()
                };
                let fds = Fds {
                    out,
                    err: io.fds.err,
                };
                let flow = match data.take() {
                    None => stage.exec_command(cmd, &mut io.with_fds(fds)).await,
                    Some(bytes) => {
                        let mut input = Input::from_bytes(bytes);
                        let mut sub = Io {
                            input: &mut input,
                            sinks: &mut *io.sinks,
                            fds,
                        };
                        stage.exec_command(cmd, &mut sub).await
                    }
                };
                status = flow.status();
                if status != 0 {
                    failed = status;
                }
                if i != last {
                    // Cut at the capture's bound: the writer saw a closed pipe.
                    data = Some(io.sinks.pop_capture().data);
                }
            }
            if self.pipefail && status == 0 {
                status = failed;
            }
            Flow::Normal(status)
        }
    }

    /// Runs one stage of a pipeline.
    fn exec_command<'s>(
        &'s mut self,
        cmd: &'s Command,
        io: &'s mut Io<'_, '_>,
    ) -> BoxFut<'s, Flow> {
        Box::pin(async move {
            match cmd {
                Command::Simple(simple) => self.exec_simple(simple, io).await,
                Command::Compound(compound, redirs, line) => {
                    self.exec_compound(compound, redirs, *line, io).await
                }
                Command::FuncDef(name, body) => {
                    std::sync::Arc::make_mut(&mut self.funcs).insert(name.clone(), body.clone());
                    Flow::Normal(0)
                }
            }
        })
    }

    /// Runs a simple command: expansions, redirections, assignments, then
    /// the command itself.
    async fn exec_simple(&mut self, cmd: &Simple, io: &mut Io<'_, '_>) -> Flow {
        self.subst_status = None;
        let origin = Origin::Script(cmd.line);
        let argv = match self.expand_argv(&cmd.words, io).await {
            Ok(argv) => argv,
            Err(msg) => return self.expansion_failed(&msg, origin, io),
        };
        let mut redirected = match self.redirect(&cmd.redirs, origin, io).await {
            Ok(redirected) => redirected,
            Err(flow) => return flow,
        };
        let flow = self
            .exec_redirected(cmd, argv, origin, &mut redirected, io)
            .await;
        self.flush_captures(&mut redirected, io);
        flow
    }

    /// The rest of a simple command once its redirections are in place.
    async fn exec_redirected(
        &mut self,
        cmd: &Simple,
        argv: Vec<String>,
        origin: Origin,
        redirected: &mut Redirected,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        let fds = redirected.fds;
        if argv.is_empty() {
            let flow = self.assign(&cmd.assigns, origin, io).await;
            if self.xtrace && !cmd.assigns.is_empty() && matches!(flow, Flow::Normal(_)) {
                io.with_fds(fds).err(self.xtrace_line(&cmd.assigns, &argv));
            }
            return flow;
        }
        let saved = match self.assign_for_command(&cmd.assigns, origin, io).await {
            Ok(saved) => saved,
            Err(flow) => return flow,
        };
        if self.xtrace {
            io.err(self.xtrace_line(&cmd.assigns, &argv));
        }
        let input = if redirected.null_input {
            Some(Vec::new())
        } else {
            redirected.input.take()
        };
        let flow = if let Some(data) = input {
            let mut input = Input::from_bytes(data);
            let mut sub = Io {
                input: &mut input,
                sinks: &mut *io.sinks,
                fds,
            };
            self.run_command(argv, origin, &mut sub).await
        } else {
            self.run_command(argv, origin, &mut io.with_fds(fds)).await
        };
        self.restore(saved);
        // Every command's output leaves before the next command runs, so at
        // most one command's output ever waits for the reader.
        io.flush().await;
        flow
    }

    /// A command of assignments only: sets shell variables; its status is
    /// that of the last command substitution, else 0.
    async fn assign(
        &mut self,
        assigns: &[(String, Word)],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Flow {
        for (name, word) in assigns {
            let set = match self.expand_string(word, io).await {
                Ok(value) => self.set_var(name, &value, false),
                Err(msg) => Err(msg),
            };
            if let Err(msg) = set {
                return self.expansion_failed(&msg, origin, io);
            }
        }
        Flow::Normal(self.subst_status.unwrap_or(0))
    }

    /// Prefix assignments (`A=1 cmd`): exported for this command only. Returns
    /// what they replaced, for [`Shell::restore`].
    async fn assign_for_command(
        &mut self,
        assigns: &[(String, Word)],
        origin: Origin,
        io: &mut Io<'_, '_>,
    ) -> Result<Vec<(String, Option<Var>)>, Flow> {
        let mut saved = Vec::new();
        for (name, word) in assigns {
            let value = match self.expand_string(word, io).await {
                Ok(v) => v,
                Err(msg) => return Err(self.expansion_failed(&msg, origin, io)),
            };
            let old = self.vars.find(name).cloned();
            if let Err(msg) = self.set_var(name, &value, true) {
                self.restore(saved);
                return Err(self.expansion_failed(&msg, origin, io));
            }
            saved.push((name.clone(), old));
        }
        Ok(saved)
    }

    /// The `-x` trace of a command as busybox writes it: `+ A=… cmd args…`
    /// (assignments with their values, which are set by now), each quoted
    /// when it holds special characters or is a reserved word.
    fn xtrace_line(&self, assigns: &[(String, Word)], argv: &[String]) -> String {
        let mut trace = String::from("+");
        for (name, _) in assigns {
            let value = self.get(name).unwrap_or_default();
            let _ = write!(trace, " {name}={}", xtrace_quote(value, false));
        }
        for arg in argv {
            trace.push(' ');
            trace.push_str(&xtrace_quote(arg, true));
        }
        trace.push('\n');
        trace
    }

    /// Undoes prefix assignments, last first.
    pub(crate) fn restore(&mut self, saved: Vec<(String, Option<Var>)>) {
        for (name, old) in saved.into_iter().rev() {
            match old {
                Some(var) => self.vars.put(var),
                None => self.vars.remove(&name),
            }
        }
    }
}

/// Whether a background item would block the script, so that it is
/// skipped: a lone pipeline with a `sleep` or a command that runs forever.
fn blocks_in_background(and_or: &AndOr, unknown: UnknownCommand) -> bool {
    and_or.rest.is_empty()
        && and_or.first.commands.iter().any(|cmd| {
            let Command::Simple(cmd) = cmd else {
                return false;
            };
            let argv: Option<Vec<String>> = cmd.words.iter().map(literal).collect();
            argv.is_some_and(|argv| {
                argv.first().is_some_and(|a| basename(a) == "sleep")
                    || argv_forever(&argv, unknown, &ProcessContext::default(), false)
            })
        })
}

/// A word of a `-x` trace: single-quoted (busybox's `maybe_single_quote`)
/// when it holds a character outside `+,-./0-9:@A-Z]^_a-z`, or, for
/// arguments, when it is a reserved word.
fn xtrace_quote(word: &str, arg: bool) -> String {
    const KEYWORDS: &[&str] = &[
        "!", "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in",
        "then", "until", "while", "{", "}",
    ];
    let plain = word.bytes().all(|b| {
        !(b < b'+' || (b';'..=b'?').contains(&b) || matches!(b, b'`' | b'[' | b'\\') || b > b'z')
    });
    if plain && !(arg && KEYWORDS.contains(&word)) {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', "'\"'\"'"))
}

/// Whether the text ends with a backslash-newline continuation.
fn continues_line(text: &str) -> bool {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use tokio::sync::mpsc;

    use super::*;
    use crate::interp::testkit::*;
    use crate::interp::{ProcessIo, Program, StdStream, UnknownCommand};

    #[test]
    fn line_continuations() {
        assert!(continues_line("a \\\n"));
        assert!(!continues_line("a \\\\\n"));
    }

    #[tokio::test(start_paused = true)]
    async fn lists_and_pipelines() {
        check(vec![
            // the brief's flagship
            script("echo hello; echo oops >&2; exit 3", "hello\n", "oops\n", 3),
            // and-or
            script("false || echo x", "x\n", "", 0),
            script("true && false", "", "", 1),
            script("true || echo no; echo yes", "yes\n", "", 0),
            script("false && echo a || echo b", "b\n", "", 0),
            script("! false && echo negated", "negated\n", "", 0),
            script("! true", "", "", 1),
            // pipes
            script("echo a b | cat", "a b\n", "", 0),
            script(
                "printf 'l1\\nl2\\nl3\\n' | tail -n 2 | head -n 1",
                "l2\n",
                "",
                0,
            ),
            script("echo x | false", "", "", 1),
            // -e and -x
            (Case {
                argv: vec!["sh".into(), "-ec".into(), "echo a; false; echo b".into()],
                out: "a\n",
                err: "",
                status: 1,
            }),
            (Case {
                argv: vec![
                    "/bin/bash".into(),
                    "-e".into(),
                    "-c".into(),
                    "false || true; echo ok".into(),
                ],
                out: "ok\n",
                err: "",
                status: 0,
            }),
            (Case {
                argv: vec!["sh".into(), "-xc".into(), "echo hi".into()],
                out: "hi\n",
                err: "+ echo hi\n",
                status: 0,
            }),
            script("set -e; false && true; echo survived", "survived\n", "", 0),
            // more pipelines and background items
            script(
                "echo hi | cat | cat; exit 3 | echo a; false | true",
                "hi\na\n",
                "",
                0,
            ),
            script("X=1 | true; echo [$X]", "[]\n", "", 0),
            script(
                "echo bg & nosuch & echo $?; exit 9 & echo alive",
                "bg\n0\nalive\n",
                "sh: nosuch: not found\n",
                0,
            ),
        ])
        .await;
    }

    #[tokio::test]
    async fn stdin_driven() {
        type StdinCase = (
            Vec<&'static str>,
            Vec<&'static str>,
            &'static str,
            &'static str,
            i32,
        );
        let cases: Vec<StdinCase> = vec![
            (
                vec!["cat"],
                vec!["hello ", "world\n"],
                "hello world\n",
                "",
                0,
            ),
            (vec!["cat", "-"], vec!["x"], "x", "", 0),
            (vec!["sh"], vec!["echo a\nexit 4\n"], "a\n", "", 4),
            (
                vec!["/bin/sh"],
                vec!["echo a\n", "echo b; false\n"],
                "a\nb\n",
                "",
                1,
            ),
            (
                vec!["bash", "-s"],
                vec!["echo 'multi\n", "line'\n"],
                "multi\nline\n",
                "",
                0,
            ),
            (vec!["sh"], vec!["echo a &&\n", "echo b\n"], "a\nb\n", "", 0),
            (vec!["sh"], vec!["echo x \\\n", "y\n"], "x y\n", "", 0),
            (
                vec!["sh"],
                vec!["echo 'open"],
                "",
                "sh: syntax error: unterminated quoted string\n",
                2,
            ),
            (
                vec!["sh"],
                vec!["echo 1\n", "echo 2\n", "nosuch\n"],
                "1\n2\n",
                "sh: nosuch: not found\n",
                127,
            ),
            (
                vec!["sh"],
                vec!["echo 1\n", "exit x\n"],
                "1\n",
                "sh: exit: line 2: Illegal number: x\n",
                2,
            ),
            (vec!["sh", "-e"], vec!["false\n", "echo no\n"], "", "", 1),
            // Compound commands and here-documents over several chunks.
            (
                vec!["sh"],
                vec![
                    "if true\n",
                    "then echo y\n",
                    "fi; for i in 1 2\n",
                    "do echo $i; done\n",
                ],
                "y\n1\n2\n",
                "",
                0,
            ),
            (
                vec!["sh"],
                vec![
                    "cat <<E; echo after\n",
                    "body $HOME\n",
                    "E\n",
                    "cat <<E\n",
                    "open",
                ],
                "body \nafter\nopen",
                "",
                0,
            ),
            (
                vec!["sh", "-o", "pipefail", "-u"],
                vec!["false | true; echo $?; echo $nope\n"],
                "1\n",
                "sh: nope: parameter not set\n",
                2,
            ),
            (
                vec!["sh"],
                vec!["read A B\n", "x y z\n", "echo $B; cat\n", "rest\n"],
                "y z\nrest\n",
                "",
                0,
            ),
            (
                vec!["sh"],
                vec!["echo no newline at end"],
                "no newline at end\n",
                "",
                0,
            ),
            (vec!["sh"], vec![], "", "", 0),
            (vec!["head", "-n", "1"], vec!["a\nb\n"], "a\n", "", 0),
            (vec!["tail", "-1"], vec!["a\nb\n"], "b\n", "", 0),
        ];
        for (argv, chunks, out, err, status) in cases {
            let got = run_with(
                &argv,
                UnknownCommand::Echo,
                &ProcessContext::default(),
                Some(&chunks),
            )
            .await;
            assert_eq!(
                got,
                (out.to_string(), err.to_string(), status),
                "{argv:?} <- {chunks:?}"
            );
        }
        // No stdin at all: immediate EOF.
        let got = run_with(
            &["sh"],
            UnknownCommand::Echo,
            &ProcessContext::default(),
            None,
        )
        .await;
        assert_eq!(got, (String::new(), String::new(), 0));
    }

    /// A bare shell runs each line as soon as it arrives.
    #[tokio::test]
    async fn stdin_lines_run_as_they_arrive() {
        let program = Program::parse(&["sh".to_string()], UnknownCommand::RunForever);
        let (tx, mut rx) = mpsc::channel(16);
        let (itx, irx) = mpsc::channel(4);
        let mut io = ProcessIo {
            stdin: Some(irx),
            output: tx,
        };
        let ctx = ProcessContext {
            open_stdin: true,
            ..ProcessContext::default()
        };
        assert!(program.runs_forever(&ctx));
        let handle = tokio::spawn(async move { program.run(&ctx, &mut io).await });
        itx.send(Bytes::from_static(b"echo first\n"))
            .await
            .expect("send");
        let (stream, bytes) = rx.recv().await.expect("output");
        assert_eq!((stream, &bytes[..]), (StdStream::Stdout, &b"first\n"[..]));
        itx.send(Bytes::from_static(b"echo second >&2; exit 5\n"))
            .await
            .expect("send");
        let (stream, bytes) = rx.recv().await.expect("output");
        assert_eq!((stream, &bytes[..]), (StdStream::Stderr, &b"second\n"[..]));
        assert_eq!(handle.await.expect("join"), 5);
    }
}
