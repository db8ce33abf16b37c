//! Test helpers shared by the interpreter's unit tests: run a program and
//! collect its output, and check tables of cases.

use bytes::Bytes;
use tokio::sync::mpsc;

use super::{ProcessContext, ProcessIo, Program, StdStream, UnknownCommand};

/// An argv as `Program::parse` takes it.
pub(crate) fn owned(argv: &[&str]) -> Vec<String> {
    argv.iter().map(|s| s.to_string()).collect()
}

/// Runs a program; returns (stdout, stderr, status).
pub(crate) async fn run_with(
    argv: &[&str],
    unknown: UnknownCommand,
    ctx: &ProcessContext,
    stdin: Option<&[&str]>,
) -> (String, String, i32) {
    let program = Program::parse(&owned(argv), unknown);
    let (tx, mut rx) = mpsc::channel(16);
    let stdin = stdin.map(|chunks| {
        let (itx, irx) = mpsc::channel(64);
        for c in chunks {
            itx.try_send(Bytes::copy_from_slice(c.as_bytes()))
                .expect("stdin send");
        }
        irx
    });
    let mut io = ProcessIo { stdin, output: tx };
    // The output channel is bounded: read it while the program runs.
    let run = async move { program.run(ctx, &mut io).await };
    let collect = async {
        let (mut out, mut err) = (String::new(), String::new());
        while let Some((stream, bytes)) = rx.recv().await {
            assert!(
                bytes.len() <= crate::interp::MAX_CHUNK,
                "chunk of {}",
                bytes.len()
            );
            let s = String::from_utf8_lossy(&bytes);
            match stream {
                StdStream::Stdout => out.push_str(&s),
                StdStream::Stderr => err.push_str(&s),
            }
        }
        (out, err)
    };
    let (status, (out, err)) = tokio::join!(run, collect);
    (out, err, status)
}

/// The context the case tables run in: root, host `abc123`, a few
/// variables (`GREETING` holds runs of spaces).
pub(crate) fn ctx() -> ProcessContext {
    ProcessContext {
        env: vec![
            "PATH=/usr/local/bin:/usr/bin:/bin".into(),
            "HOME=/root".into(),
            "GREETING=hello   world".into(),
        ],
        working_dir: String::new(),
        hostname: "abc123".into(),
        user: String::new(),
        open_stdin: false,
        files: None,
    }
}

/// `sh -c SCRIPT`.
pub(crate) fn sh(script: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), script.into()]
}

/// One row of a case table: an argv and its expected stdout, stderr and
/// status.
pub(crate) struct Case {
    pub(crate) argv: Vec<String>,
    pub(crate) out: &'static str,
    pub(crate) err: &'static str,
    pub(crate) status: i32,
}

/// A case running `argv` itself.
pub(crate) fn case(argv: &[&str], out: &'static str, err: &'static str, status: i32) -> Case {
    Case {
        argv: owned(argv),
        out,
        err,
        status,
    }
}

/// A case running `sh -c TEXT`.
pub(crate) fn script(text: &str, out: &'static str, err: &'static str, status: i32) -> Case {
    Case {
        argv: sh(text),
        out,
        err,
        status,
    }
}

/// Runs every case under [`ctx`] with [`UnknownCommand::Echo`] and fails
/// with the list of every mismatch.
pub(crate) async fn check(cases: Vec<Case>) {
    assert!(!cases.is_empty());
    let ctx = ctx();
    let mut failures = Vec::new();
    for c in cases {
        let argv: Vec<&str> = c.argv.iter().map(String::as_str).collect();
        let got = run_with(&argv, UnknownCommand::Echo, &ctx, None).await;
        let want = (c.out.to_string(), c.err.to_string(), c.status);
        if got != want {
            failures.push(format!(
                "argv {:?}\n   got {got:?}\n  want {want:?}",
                c.argv
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
