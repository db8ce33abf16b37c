//! bollard 0.21 against `sockerless`: runs the standalone suite in
//! `tests/bollard/` (its own workspace: bollard 0.21 needs bollard-stubs 1.53,
//! which cannot share a resolution with the 1.44 stubs of our crates) with
//! `SOCKERLESS_BIN` and `SOCKERLESS_BACKEND_BIN` pointing at the binaries Cargo
//! built for this package. Its harness is `common.rs` of this directory, so the
//! remote-mode switch (`SOCKERLESS_TEST_REMOTE`, inherited) works there too.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::common::run_with_timeout;

/// Building bollard and its dependencies from cold takes a few minutes on a
/// 2-core machine (about half a minute beside a built sockerless); the suite
/// itself takes seconds.
const SUITE_TIMEOUT: Duration = Duration::from_secs(1500);

#[test]
fn bollard_suite() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_sockerless"));
    // <target>/<profile>/sockerless → <target>: this package's own target
    // directory, where the suite reuses the dependencies already built here
    // (tests/bollard/Cargo.toml says how their features are kept the same).
    let target = bin
        .parent()
        .and_then(|profile| profile.parent())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "test",
        "--quiet",
        "--manifest-path",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bollard/Cargo.toml"),
    ])
    .env("SOCKERLESS_BIN", &bin)
    .env(
        "SOCKERLESS_BACKEND_BIN",
        env!("CARGO_BIN_EXE_sockerless-backend-memory"),
    )
    .env("CARGO_TARGET_DIR", &target)
    .env_remove("DOCKER_HOST");
    let out = run_with_timeout(cmd, None, SUITE_TIMEOUT);
    assert_eq!(
        out.code,
        Some(0),
        "the bollard suite failed:\n{}\n{}",
        out.stdout,
        out.stderr
    );
    assert!(
        out.stdout.contains("test result: ok."),
        "no test result from the bollard suite:\n{}\n{}",
        out.stdout,
        out.stderr
    );
}
