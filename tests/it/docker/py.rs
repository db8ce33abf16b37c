//! docker-py 7.1.0 against `sockerless`: runs `tests/py/docker_py_suite.py` with
//! `DOCKER_HOST` set to a fresh daemon's socket.

use std::process::Command;
use std::time::Duration;

use super::common::{run_with_timeout, Daemon};

#[test]
fn docker_py_suite() {
    let probe = Command::new("python3")
        .args(["-c", "import docker; print(docker.__version__)"])
        .output();
    match probe {
        Ok(out) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                version.trim(),
                "7.1.0",
                "docker-py 7.1.0 is required: pip install docker==7.1.0"
            );
        }
        Ok(out) => panic!(
            "`import docker` failed ({}): install docker-py with `pip install docker==7.1.0`",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!(
            "python3 is not runnable ({e}); install Python 3 and `pip install docker==7.1.0`"
        ),
    }
    let daemon = Daemon::start();
    // A private docker config: no credentials or contexts of the machine's user.
    let config = tempfile::tempdir().expect("config dir");
    let mut cmd = Command::new("python3");
    cmd.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/py/docker_py_suite.py"
    ))
    .env("DOCKER_HOST", daemon.host())
    .env("DOCKER_CONFIG", config.path())
    .env_remove("DOCKER_TLS_VERIFY")
    .env_remove("DOCKER_CERT_PATH")
    .env("PYTHONDONTWRITEBYTECODE", "1");
    let out = run_with_timeout(cmd, None, Duration::from_secs(240));
    assert_eq!(
        out.code,
        Some(0),
        "docker-py suite failed:\n{}\n{}\ndaemon log:\n{}",
        out.stdout,
        out.stderr,
        daemon.log()
    );
    assert!(
        out.stdout.contains(" checks ok, 0 failing"),
        "{}",
        out.stdout
    );
}
