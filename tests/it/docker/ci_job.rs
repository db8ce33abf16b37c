//! Issue 14's proof that CI jobs run: `ci_job.sh`, a POSIX script of the kind
//! GitLab and GitHub runners generate (functions, `set -eo pipefail`, a `trap`
//! on EXIT, loops, `case`, `read` loops, here-documents, arithmetic, file
//! commands, artifacts written to a volume), runs in a simulated container with
//! the same stdout, stderr and exit status as busybox `sh` running it directly
//! in a temporary directory, and leaves the same artifact bytes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::cli::Cli;
use super::common::run_with_timeout;

const JOB: &str = include_str!("ci_job.sh");

/// Every file under `dir`, by path relative to it.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root");
                out.insert(
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(&p).expect("read"),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn a_ci_job_runs_as_under_busybox_sh() {
    let cli = Cli::start();
    cli.pull_alpine();
    let dir = cli.daemon.dir().to_path_buf();

    // The reference: busybox sh (Debian's busybox-static, installed by
    // .ci/run) runs the job in a directory of its own.
    let reference = dir.join("reference");
    std::fs::create_dir_all(&reference).expect("mkdir");
    std::fs::write(reference.join("job.sh"), JOB).expect("write");
    let art = reference.join("artifacts");
    let mut busybox = Command::new("busybox");
    busybox
        .args(["sh", "job.sh"])
        .current_dir(&reference)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("ARTIFACTS", &art);
    let want = run_with_timeout(busybox, None, Duration::from_secs(60));

    // sockerless: the job copied in before start, artifacts on a volume.
    let job_dir = dir.join("job");
    std::fs::create_dir_all(&job_dir).expect("mkdir");
    std::fs::write(job_dir.join("job.sh"), JOB).expect("write");
    cli.ok(&["volume", "create", "artifacts"]);
    cli.ok(&[
        "create",
        "--name",
        "ci",
        "-v",
        "artifacts:/artifacts",
        "-e",
        "ARTIFACTS=/artifacts",
        "-w",
        "/job",
        "alpine",
        "sh",
        "job.sh",
    ]);
    cli.ok(&["cp", &job_dir.to_string_lossy(), "ci:/job"]);
    let got = cli.run(&["start", "-a", "ci"]);

    assert_eq!(got.stdout, want.stdout, "stdout");
    assert_eq!(got.stderr, want.stderr, "stderr");
    assert_eq!(got.code, want.code, "exit status");
    assert_eq!(want.code, Some(1), "the job's last test fails, as written");

    // The artifacts, read back through another container of the volume.
    cli.ok(&["create", "--name", "reader", "-v", "artifacts:/a", "alpine"]);
    let out = dir.join("out");
    cli.ok(&["cp", "reader:/a", &out.to_string_lossy()]);
    let (got_files, want_files) = (tree(&out), tree(&art));
    assert_eq!(
        got_files.keys().collect::<Vec<_>>(),
        want_files.keys().collect::<Vec<_>>()
    );
    assert_eq!(got_files, want_files);
}
