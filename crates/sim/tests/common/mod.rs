//! What both differential tests need: a script run through busybox `sh -c`
//! in a fresh temporary directory, and through the interpreter, each giving
//! (stdout, stderr, status).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use sockerless_sim::interp::{ProcessContext, ProcessIo, Program, StdStream, UnknownCommand};
use tokio::sync::mpsc;

/// (stdout, stderr, status).
pub type Outcome = (String, String, i32);

/// A fresh empty directory under the system's temporary directory.
fn temp_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sockerless-busybox-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs `script` through `busybox sh -c` in an empty temporary directory
/// with only `env`, feeding it `stdin`. Needs `busybox` on the PATH (Debian:
/// `apt-get install busybox-static`; `.ci/run` installs it).
pub fn busybox(script: &str, stdin: Option<&str>, env: &[(&str, &str)]) -> Outcome {
    let dir = temp_dir();
    let mut child = Command::new("busybox")
        .args(["sh", "-c", script])
        .current_dir(&dir)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run busybox ({e}): install it (apt-get install -y busybox-static)")
        });
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write as _;
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("write stdin");
        }
    }
    let out = child.wait_with_output().expect("busybox output");
    let _ = std::fs::remove_dir_all(&dir);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Runs `script` through the interpreter as `sh -c` in `ctx`, feeding it
/// `stdin`.
pub async fn interpreter(script: &str, stdin: Option<&str>, ctx: ProcessContext) -> Outcome {
    let argv: Vec<String> = vec!["sh".into(), "-c".into(), script.into()];
    let program = Program::parse(&argv, UnknownCommand::Echo);
    let (tx, mut rx) = mpsc::channel(64);
    let (itx, irx) = mpsc::channel(4);
    if let Some(text) = stdin {
        itx.try_send(Bytes::copy_from_slice(text.as_bytes()))
            .expect("stdin");
    }
    drop(itx);
    let mut io = ProcessIo {
        stdin: Some(irx),
        output: tx,
    };
    let run = async move { program.run(&ctx, &mut io).await };
    let collect = async {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        while let Some((stream, bytes)) = rx.recv().await {
            match stream {
                StdStream::Stdout => out.extend_from_slice(&bytes),
                StdStream::Stderr => err.extend_from_slice(&bytes),
            }
        }
        (out, err)
    };
    let (status, (out, err)) = tokio::join!(run, collect);
    (
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
        status,
    )
}
