//! The spawned daemon (`binary`, `reliability`): its path, a command with a
//! clean environment, readiness and signals.

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_sockerless-backend-memory");

/// Every variable the binary reads (each setting's, the config file's) and
/// `RUST_LOG`.
pub fn env_vars() -> impl Iterator<Item = &'static str> {
    sockerless::config::ENV_KEYS
        .iter()
        .map(|(name, _)| *name)
        .chain([sockerless::config::ENV_CONFIG, "RUST_LOG"])
}

/// [`BIN`] run in `dir`: stdin empty, stdout and stderr piped, and none of
/// the test's variables leaking in (those of [`env_vars`] and any other
/// `SOCKERLESS_*`).
pub fn daemon(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for v in env_vars() {
        c.env_remove(v);
    }
    for (k, _) in std::env::vars() {
        if k.starts_with("SOCKERLESS_") {
            c.env_remove(k);
        }
    }
    c
}

/// Waits until something accepts connections on `socket`; panics with the
/// server's stderr when it exits first.
pub fn wait_ready(socket: &Path, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if UnixStream::connect(socket).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("server exited early with {status}: {err}");
        }
        assert!(Instant::now() < deadline, "server never became ready");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends `sig` to the child.
pub fn signal(child: &Child, sig: i32) {
    let rc = unsafe { libc::kill(child.id() as i32, sig) };
    assert_eq!(rc, 0, "kill");
}
