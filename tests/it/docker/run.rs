//! `docker run` and friends end to end with the real CLI (28.2.2) against the
//! `sockerless` binary: the wire sequences of the contract's §3 (create → pull
//! on 404 → create → attach 101 → wait head → start → frames → EOF → wait
//! body), stdin through the hijack, exec exit codes, and the CLI's own API
//! version override. Each test has its own daemon; every command a deadline.

use std::process::Command;

use super::common::{run_with_timeout, Daemon, Output, COMMAND_TIMEOUT};

/// Runs `docker` against `daemon` with a private config dir and `envs`.
fn docker(daemon: &Daemon, args: &[&str], input: Option<&[u8]>, envs: &[(&str, &str)]) -> Output {
    let found = Command::new("docker").arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "the docker CLI is not on PATH: install docker-ce-cli 28.2.2 (client only, \
         no daemon needed) from Docker's apt repository or the static docker-28.2.2.tgz"
    );
    let mut cmd = Command::new("docker");
    cmd.args(args)
        .env("DOCKER_HOST", daemon.host())
        .env("DOCKER_CONFIG", daemon.dir().join("docker-config"))
        .env("DOCKER_CLI_HINTS", "false")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_API_VERSION");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    run_with_timeout(cmd, input, COMMAND_TIMEOUT)
}

fn run(daemon: &Daemon, args: &[&str]) -> Output {
    docker(daemon, args, None, &[])
}

fn ok(daemon: &Daemon, args: &[&str]) -> String {
    let out = run(daemon, args);
    assert_eq!(
        out.code,
        Some(0),
        "docker {args:?}: {out:?}\ndaemon log:\n{}",
        daemon.log()
    );
    out.stdout
}

#[test]
fn run_rm_echo_pulls_then_prints_hi() {
    let d = Daemon::start();
    // The image is not there yet: create 404 → pull → create again.
    let out = run(&d, &["run", "--rm", "alpine", "echo", "hi"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "hi\n");
    assert!(
        out.stderr
            .contains("Unable to find image 'alpine:latest' locally"),
        "{}",
        out.stderr
    );
    // --rm: nothing is left.
    assert_eq!(ok(&d, &["ps", "-aq"]), "");
}

#[test]
fn run_exit_status_and_stderr() {
    let d = Daemon::start();
    ok(&d, &["pull", "-q", "alpine"]);
    let out = run(
        &d,
        &[
            "run",
            "alpine",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ],
    );
    assert_eq!(out.code, Some(3), "{out:?}");
    assert_eq!(out.stdout, "out\n");
    assert_eq!(out.stderr, "err\n");
}

#[test]
fn run_interactive_forwards_stdin() {
    let d = Daemon::start();
    ok(&d, &["pull", "-q", "alpine"]);
    let out = docker(
        &d,
        &["run", "-i", "--rm", "alpine", "cat"],
        Some(b"hi\n"),
        &[],
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(0), "hi\n"),
        "{out:?}"
    );
    let out = docker(
        &d,
        &["run", "-i", "--rm", "alpine", "sh"],
        Some(b"echo from-stdin\nexit 4\n"),
        &[],
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(4), "from-stdin\n"),
        "{out:?}"
    );
}

#[test]
fn exec_output_and_exit_codes() {
    let d = Daemon::start();
    ok(&d, &["pull", "-q", "alpine"]);
    ok(
        &d,
        &["run", "-d", "--name", "web", "alpine", "sleep", "1000"],
    );
    assert_eq!(ok(&d, &["exec", "web", "echo", "hello"]), "hello\n");
    for code in ["0", "5", "1"] {
        let out = run(&d, &["exec", "web", "sh", "-c", &format!("exit {code}")]);
        assert_eq!(out.code, Some(code.parse().unwrap_or(-1)), "{out:?}");
    }
    let out = docker(&d, &["exec", "-i", "web", "cat"], Some(b"piped\n"), &[]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(0), "piped\n"),
        "{out:?}"
    );
    ok(&d, &["exec", "-d", "web", "sleep", "1"]);
}

#[test]
fn create_then_start_attach_and_wait() {
    let d = Daemon::start();
    ok(&d, &["pull", "-q", "alpine"]);
    ok(
        &d,
        &[
            "create",
            "--name",
            "c1",
            "alpine",
            "sh",
            "-c",
            "echo once; exit 2",
        ],
    );
    let out = run(&d, &["start", "-a", "c1"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(2), "once\n"),
        "{out:?}"
    );
    assert_eq!(ok(&d, &["wait", "c1"]), "2\n");
    let logs = run(&d, &["logs", "-t", "c1"]);
    let (ts, text) = logs.stdout.split_once(' ').expect("a timestamp");
    assert_eq!(text, "once\n");
    assert_eq!(ts.len(), 30, "nine fractional digits: {ts}");
}

#[test]
fn api_version_override() {
    let d = Daemon::start();
    ok(&d, &["pull", "-q", "alpine"]);
    // An older API (raw-stream labels below 1.42) still runs.
    let out = docker(
        &d,
        &["run", "--rm", "alpine", "echo", "old"],
        None,
        &[("DOCKER_API_VERSION", "1.41")],
    );
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(0), "old\n"),
        "{out:?}"
    );
    // A newer one is refused with Docker's words.
    let out = docker(&d, &["ps"], None, &[("DOCKER_API_VERSION", "1.45")]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr
            .contains("client version 1.45 is too new. Maximum supported API version is 1.44"),
        "{}",
        out.stderr
    );
}

/// Runs the `sockerless` binary with `args` (expected to exit by itself).
fn sockerless(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(super::common::sockerless_bin());
    cmd.args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    run_with_timeout(cmd, None, COMMAND_TIMEOUT)
}

/// Flags, environment, and the words the one-line error must contain.
type StartupCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn startup_errors_are_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    let sock = dir.path().join("d.sock");
    let sock = sock.to_str().expect("utf-8 path");
    let table: &[StartupCase] = &[
        (&[], &[("SOCKERLESS_BACKEND_URL", "tcp://x")], "backend.url"),
        (
            &["--docker-tcp", "0.0.0.0:2375"],
            &[],
            "not a loopback address",
        ),
        (&["--seed", "many"], &[], "--seed"),
        (
            &[],
            &[("SOCKERLESS_BACKEND_LOG_LEVEL", "loud")],
            "logging.level",
        ),
    ];
    for (args, envs, want) in table {
        let mut all = vec!["--docker-socket", sock];
        all.extend_from_slice(args);
        let out = sockerless(&all, envs);
        assert_eq!(out.code, Some(2), "{args:?} {envs:?}: {out:?}");
        assert!(out.stderr.contains(want), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
    // A backend daemon that cannot be reached is no configuration error (exit
    // 1), but still one line naming it.
    let out = sockerless(
        &[
            "--docker-socket",
            sock,
            "--backend",
            "unix:///nonexistent/sockerless-backend.sock",
        ],
        &[],
    );
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.starts_with(
            "sockerless: backend unix:///nonexistent/sockerless-backend.sock is unreachable"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

/// A `sockerless` child on a given socket path; killed on drop.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sockerless --docker-socket path` and waits (with a deadline) until
/// the socket accepts.
fn spawn_at(path: &std::path::Path, extra: &[&str]) -> Child {
    let child = Command::new(super::common::sockerless_bin())
        .arg("--docker-socket")
        .arg(path)
        .args(extra)
        .env("SOCKERLESS_BACKEND_LOG_LEVEL", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn sockerless");
    let mut child = Child(child);
    super::common::poll_until("the socket accepts", COMMAND_TIMEOUT, || {
        if let Ok(Some(status)) = child.0.try_wait() {
            panic!("sockerless exited early: {status}");
        }
        std::os::unix::net::UnixStream::connect(path).ok()
    });
    child
}

#[test]
fn the_socket_is_0660_a_stale_one_is_replaced_a_live_one_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("d.sock");
    // A stale socket file: bound, then nobody behind it.
    drop(std::os::unix::net::UnixListener::bind(&path).expect("bind"));
    let _daemon = spawn_at(&path, &[]);
    let mode = std::fs::metadata(&path)
        .expect("socket")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o660);
    let host = format!("unix://{}", path.display());
    let mut cmd = Command::new("docker");
    cmd.args(["version", "--format", "{{.Server.APIVersion}}"])
        .env("DOCKER_HOST", &host)
        .env("DOCKER_CONFIG", dir.path().join("docker-config"))
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_API_VERSION");
    let out = run_with_timeout(cmd, None, COMMAND_TIMEOUT);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(0), "1.44\n"),
        "{out:?}"
    );
    // A second daemon never steals a live socket.
    let path = path.to_str().expect("utf-8 path");
    let out = sockerless(&["--docker-socket", path], &[]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.contains("another server is listening"),
        "{}",
        out.stderr
    );
}

#[test]
fn memory_settings_and_internal_controls_on_the_docker_socket() {
    let d = Daemon::start_with(&["--seed", "7", "--clock-start", "2024-01-01T00:00:00Z"]);
    ok(&d, &["pull", "-q", "alpine"]);
    let created = ok(&d, &["run", "-d", "alpine", "true"]);
    let again = Daemon::start_with(&["--seed", "7", "--clock-start", "2024-01-01T00:00:00Z"]);
    ok(&again, &["pull", "-q", "alpine"]);
    assert_eq!(
        ok(&again, &["run", "-d", "alpine", "true"]),
        created,
        "seeded IDs"
    );
    assert_eq!(
        ok(&d, &["inspect", "-f", "{{.Created}}", created.trim()]),
        "2024-01-01T00:00:00Z\n"
    );
    // /internal/v1/memory/... answers on the Docker socket.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let res = rt.block_on(super::common::raw(
        &d.socket,
        "GET",
        "/internal/v1/memory/config",
        &[],
        b"",
    ));
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["seed"], 7);
}

#[tokio::test]
async fn sigterm_closes_hijacked_streams_and_exits_0() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("d.sock");
    let mut daemon = spawn_at(&path, &[]);
    let pull = super::common::raw(&path, "POST", "/images/create?fromImage=alpine", &[], b"").await;
    assert_eq!(pull.status, 200);
    let body = br#"{"Image":"alpine","Cmd":["sleep","1000"]}"#;
    let res = super::common::raw(
        &path,
        "POST",
        "/containers/create",
        &[("Content-Type", "application/json")],
        body,
    )
    .await;
    let id = res.json()["Id"].as_str().expect("Id").to_string();
    let res = super::common::raw(&path, "POST", &format!("/containers/{id}/start"), &[], b"").await;
    assert_eq!(res.status, 204);
    let mut attach = tokio::net::UnixStream::connect(&path)
        .await
        .expect("connect");
    let req = format!(
        "POST /containers/{id}/attach?stdout=1&stream=1 HTTP/1.1\r\nHost: d\r\n\
         Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
    );
    attach.write_all(req.as_bytes()).await.expect("write");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut b = [0u8; 1];
        assert_eq!(attach.read(&mut b).await.expect("read"), 1);
        head.push(b[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let pid = i32::try_from(daemon.0.id()).expect("pid");
    // SAFETY: signalling our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let mut rest = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        attach.read_to_end(&mut rest),
    )
    .await
    .expect("the hijacked stream is closed at shutdown")
    .expect("read");
    let status = super::common::poll_until("the daemon exits", COMMAND_TIMEOUT, || {
        daemon.0.try_wait().ok().flatten()
    });
    assert_eq!(status.code(), Some(0));
    assert!(!path.exists(), "the socket is removed at exit");
}

#[test]
fn the_state_file_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("d.sock");
    let state = dir.path().join("state.json");
    let state = state.to_str().expect("utf-8 path");
    let docker_at = |args: &[&str]| {
        let mut cmd = Command::new("docker");
        cmd.args(args)
            .env("DOCKER_HOST", format!("unix://{}", path.display()))
            .env("DOCKER_CONFIG", dir.path().join("docker-config"))
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_API_VERSION");
        let out = run_with_timeout(cmd, None, COMMAND_TIMEOUT);
        assert_eq!(out.code, Some(0), "docker {args:?}: {out:?}");
        out.stdout
    };
    let mut daemon = spawn_at(&path, &["--state-file", state]);
    docker_at(&["pull", "-q", "alpine"]);
    docker_at(&["create", "--name", "kept", "alpine", "true"]);
    let pid = i32::try_from(daemon.0.id()).expect("pid");
    // SAFETY: signalling our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = super::common::poll_until("the daemon exits", COMMAND_TIMEOUT, || {
        daemon.0.try_wait().ok().flatten()
    });
    assert_eq!(status.code(), Some(0));
    let _again = spawn_at(&path, &["--state-file", state]);
    assert_eq!(docker_at(&["ps", "-a", "--format", "{{.Names}}"]), "kept\n");
}
