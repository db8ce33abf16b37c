//! The "runs forever" hint: whether a program is expected to run until
//! killed (`sleep infinity`, `tail -f`, an unknown main process, a shell
//! reading an open stdin…), judged from its text without running it.

use super::ast::{literal, Command, Script};
use super::builtins::{basename, is_builtin, parse_env, parse_sleep, parse_tail};
use super::context::{ProcessContext, UnknownCommand};
use super::invocation::{is_shell, parse_invocation, Invocation, Source};

/// Whether a shell invocation runs forever: it reads an open stdin, or its
/// script does.
pub(crate) fn invocation_forever(
    inv: &Invocation,
    unknown: UnknownCommand,
    ctx: &ProcessContext,
) -> bool {
    match &inv.source {
        Source::Stdin => ctx.open_stdin,
        Source::Script(Ok(script)) => script_forever(script, unknown, ctx),
        _ => false,
    }
}

/// Whether a command of the script's top level runs forever (before any
/// `exit`); commands with expansions are not judged.
fn script_forever(script: &Script, unknown: UnknownCommand, ctx: &ProcessContext) -> bool {
    for item in &script.items {
        let pipelines =
            std::iter::once(&item.and_or.first).chain(item.and_or.rest.iter().map(|(_, p)| p));
        for pipeline in pipelines {
            for cmd in &pipeline.commands {
                let Command::Simple(cmd) = cmd else {
                    continue;
                };
                let Some(argv) = cmd.words.iter().map(literal).collect::<Option<Vec<_>>>() else {
                    continue;
                };
                if argv.first().is_some_and(|a| basename(a) == "exit") {
                    return false;
                }
                if argv_forever(&argv, unknown, ctx, false) {
                    return true;
                }
            }
        }
    }
    false
}

/// Whether an argv runs forever; `top` tells whether unknown commands follow
/// the [`UnknownCommand`] policy (the argv itself, `exec`) or not (scripts).
pub(crate) fn argv_forever(
    argv: &[String],
    unknown: UnknownCommand,
    ctx: &ProcessContext,
    top: bool,
) -> bool {
    let Some(first) = argv.first() else {
        return false;
    };
    let name = basename(first);
    let args = &argv[1..];
    match name {
        "sleep" => args.iter().any(|a| matches!(parse_sleep(a), Ok(None))),
        "tail" => parse_tail(args).follow,
        "cat" => ctx.open_stdin && (args.is_empty() || args.iter().any(|a| a == "-")),
        "env" => match parse_env(args) {
            Ok(spec) => argv_forever(&args[spec.command..], unknown, ctx, top),
            Err(_) => false,
        },
        "exec" => argv_forever(args, unknown, ctx, true),
        "command" => argv_forever(args, unknown, ctx, top),
        _ if is_shell(name) => invocation_forever(&parse_invocation(argv), unknown, ctx),
        _ if is_unknown(name, ctx.files.is_some()) => top && unknown == UnknownCommand::RunForever,
        _ => false,
    }
}

/// Whether the interpreter does not know a command (without its path): no
/// builtin, no shell, and no file command when the process has `files`.
fn is_unknown(name: &str, files: bool) -> bool {
    !(is_builtin(name) || (super::builtins::is_file_builtin(name) && files))
}

/// Whether an argv idles: runs until killed and, until then, reads, writes
/// and changes nothing. That is `sleep` with an infinite operand and none it
/// refuses, or a command the interpreter does not know, as the main process
/// under [`UnknownCommand::RunForever`]. `files`: whether the process
/// has files (then the file commands are known).
///
/// Unlike [`argv_forever`], a certainty: [`super::Program::run`] of such an
/// argv awaits forever at once, with no effect, so a caller may skip running it.
pub(crate) fn argv_idles(argv: &[String], unknown: UnknownCommand, files: bool) -> bool {
    let Some(first) = argv.first() else {
        return false;
    };
    let name = basename(first);
    match name {
        // Every operand valid, one of them infinite.
        "sleep" => argv[1..]
            .iter()
            .try_fold(false, |infinite, a| {
                parse_sleep(a).map(|d| infinite || d.is_none())
            })
            .unwrap_or(false),
        _ => is_unknown(name, files) && unknown == UnknownCommand::RunForever,
    }
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::owned;
    use crate::interp::{ProcessContext, Program, UnknownCommand};

    #[test]
    fn runs_forever_hints() {
        let open = ProcessContext {
            open_stdin: true,
            ..ProcessContext::default()
        };
        let closed = ProcessContext::default();
        let cases: Vec<(Vec<&str>, UnknownCommand, &ProcessContext, bool)> = vec![
            (
                vec!["sleep", "infinity"],
                UnknownCommand::Echo,
                &closed,
                true,
            ),
            (
                vec!["sleep", "10"],
                UnknownCommand::RunForever,
                &closed,
                false,
            ),
            (
                vec!["tail", "-f", "/dev/null"],
                UnknownCommand::Echo,
                &closed,
                true,
            ),
            (
                vec!["tail", "/dev/null"],
                UnknownCommand::Echo,
                &closed,
                false,
            ),
            (vec!["nginx"], UnknownCommand::RunForever, &closed, true),
            (vec!["nginx"], UnknownCommand::Echo, &closed, false),
            (vec!["sh"], UnknownCommand::Echo, &open, true),
            (vec!["/bin/bash"], UnknownCommand::Echo, &closed, false),
            (vec!["sh", "-i"], UnknownCommand::Echo, &open, true),
            (vec!["cat"], UnknownCommand::Echo, &open, true),
            (vec!["cat"], UnknownCommand::Echo, &closed, false),
            (
                vec!["sh", "-c", "sleep infinity"],
                UnknownCommand::Echo,
                &closed,
                true,
            ),
            (
                vec!["sh", "-c", "echo hi"],
                UnknownCommand::RunForever,
                &closed,
                false,
            ),
            (
                vec!["sh", "-c", "nginx"],
                UnknownCommand::RunForever,
                &closed,
                false,
            ),
            (
                vec!["sh", "-c", "exit 1; sleep infinity"],
                UnknownCommand::Echo,
                &closed,
                false,
            ),
            (
                vec!["sh", "-c", "'unterminated"],
                UnknownCommand::RunForever,
                &closed,
                false,
            ),
            (
                vec!["env", "A=1", "redis-server"],
                UnknownCommand::RunForever,
                &closed,
                true,
            ),
            (vec![], UnknownCommand::RunForever, &closed, false),
        ];
        for (argv, unknown, ctx, want) in cases {
            assert_eq!(
                Program::parse(&owned(&argv), unknown).runs_forever(ctx),
                want,
                "{argv:?}"
            );
        }
    }

    /// Argv, unknown-command policy, whether the process has files, and
    /// whether it idles.
    fn idle_cases() -> Vec<(Vec<&'static str>, UnknownCommand, bool, bool)> {
        use UnknownCommand::{Echo, RunForever};
        vec![
            (vec!["sleep", "infinity"], Echo, false, true),
            (vec!["/bin/sleep", "INF"], RunForever, true, true),
            (vec!["sleep", "1", "inf"], Echo, false, true),
            // An operand it refuses is an error message and exit 1.
            (vec!["sleep", "x", "infinity"], RunForever, false, false),
            (vec!["sleep", "10"], RunForever, false, false),
            (vec!["sleep"], RunForever, false, false),
            (vec!["nginx"], RunForever, false, true),
            (
                vec!["/usr/sbin/nginx", "-g", "daemon off;"],
                RunForever,
                true,
                true,
            ),
            (vec!["nginx"], Echo, false, false),
            // Runs forever, but reads or writes first.
            (vec!["tail", "-f", "/dev/null"], RunForever, false, false),
            (vec!["sh", "-c", "sleep infinity"], RunForever, false, false),
            (vec!["env", "A=1", "redis-server"], RunForever, false, false),
            (vec!["exec", "nginx"], RunForever, false, false),
            (vec!["echo", "hi"], RunForever, false, false),
            // A file command is known with files, unknown without them.
            (vec!["ls"], RunForever, true, false),
            (vec!["ls"], RunForever, false, true),
            (vec![], RunForever, false, false),
        ]
    }

    #[test]
    fn idling_is_only_silent_forever() {
        for (argv, unknown, files, want) in idle_cases() {
            assert_eq!(
                Program::parse(&owned(&argv), unknown).idles(files),
                want,
                "{argv:?} files {files}"
            );
        }
    }

    /// What `idles` claims, `run` does: a day passes with no output and no end.
    #[tokio::test(start_paused = true)]
    async fn an_idle_program_runs_a_day_without_a_word() {
        let ctx = ProcessContext::default();
        for (argv, unknown, _, _) in idle_cases()
            .into_iter()
            .filter(|&(_, _, files, idles)| idles && !files)
        {
            let program = Program::parse(&owned(&argv), unknown);
            let (tx, mut rx) = tokio::sync::mpsc::channel(16);
            let mut io = crate::interp::ProcessIo {
                stdin: None,
                output: tx,
            };
            let day = std::time::Duration::from_secs(86_400);
            let ran = tokio::time::timeout(day, program.run(&ctx, &mut io)).await;
            assert!(ran.is_err(), "{argv:?} ended: {ran:?}");
            assert!(rx.try_recv().is_err(), "{argv:?} wrote");
        }
    }
}
