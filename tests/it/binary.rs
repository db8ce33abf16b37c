//! The binary itself: flags, environment, config file, bad settings, signals and
//! the socket file's life cycle.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use crate::common::daemon::{daemon as cmd, signal, wait_ready};

/// One raw HTTP/1.1 request with `Connection: close`.
fn http_get(socket: &Path, path: &str) -> String {
    let mut s = UnixStream::connect(socket).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// The daemon started with `args` on a socket in a new temporary directory
/// (kept while the returned guard lives), once it answers.
fn started(args: &[&str]) -> (tempfile::TempDir, PathBuf, Child) {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("b.sock");
    let mut child = cmd(dir.path())
        .args(args)
        .arg("--socket")
        .arg(&socket)
        .spawn()
        .unwrap();
    wait_ready(&socket, &mut child);
    (dir, socket, child)
}

fn finish(child: Child) -> (Output, String) {
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, err)
}

#[test]
fn help_lists_every_flag_with_env_and_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = cmd(dir.path()).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for (flag, env, default) in [
        (
            "--socket",
            "SOCKERLESS_BACKEND_SOCKET",
            "/var/run/sockerless-backend.sock",
        ),
        ("--tcp", "SOCKERLESS_BACKEND_TCP", "none"),
        ("--log-level", "SOCKERLESS_BACKEND_LOG_LEVEL", "info"),
        ("--log-format", "SOCKERLESS_BACKEND_LOG_FORMAT", "text"),
        (
            "--max-body-size",
            "SOCKERLESS_BACKEND_MAX_BODY_SIZE",
            "16777216",
        ),
        ("--drain-timeout", "SOCKERLESS_BACKEND_DRAIN_TIMEOUT", "10"),
        ("--config", "SOCKERLESS_BACKEND_CONFIG", "none"),
        ("--socket-mode", "SOCKERLESS_BACKEND_SOCKET_MODE", "0660"),
        ("--socket-group", "SOCKERLESS_BACKEND_SOCKET_GROUP", "none"),
        ("--insecure-tcp", "SOCKERLESS_BACKEND_INSECURE_TCP", "false"),
        (
            "--header-read-timeout",
            "SOCKERLESS_BACKEND_HEADER_READ_TIMEOUT",
            "30",
        ),
        (
            "--body-read-timeout",
            "SOCKERLESS_BACKEND_BODY_READ_TIMEOUT",
            "30",
        ),
        (
            "--max-connections",
            "SOCKERLESS_BACKEND_MAX_CONNECTIONS",
            "1024",
        ),
        ("--seed", "SOCKERLESS_BACKEND_SEED", "none"),
        ("--clock-start", "SOCKERLESS_BACKEND_CLOCK_START", "none"),
        ("--profile", "SOCKERLESS_BACKEND_PROFILE", "memory"),
        (
            "--profile-latency",
            "SOCKERLESS_BACKEND_PROFILE_LATENCY",
            "false",
        ),
        ("--state-file", "SOCKERLESS_BACKEND_STATE_FILE", "none"),
    ] {
        assert!(help.contains(flag), "{flag} missing:\n{help}");
        assert!(help.contains(env), "{env} missing:\n{help}");
        assert!(
            help.contains(&format!("[default: {default}")),
            "default of {flag} missing:\n{help}"
        );
    }
}

/// `--help` shows each setting of the definitions with its help line: the
/// flag, then the variable, the file key and the default.
#[test]
fn help_lists_every_setting_of_the_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let out = cmd(dir.path()).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    let mut flags = 0;
    for s in sockerless::config::BACKEND_MEMORY.iter() {
        let Some(flag) = s.flag else { continue };
        let line = help
            .lines()
            .find(|l| {
                l.trim_start().starts_with(&format!("--{flag} ")) || l.trim() == format!("--{flag}")
            })
            .unwrap_or_else(|| panic!("--{flag} missing:\n{help}"));
        assert!(help.contains(&s.help_text()), "--{flag}: {line}\n{help}");
        flags += 1;
    }
    assert_eq!(flags, 20, "{help}");
}

#[test]
fn serves_capabilities_logs_each_request_and_exits_0_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("b.sock");
    let mut child = cmd(dir.path())
        .arg("--socket")
        .arg(&socket)
        .spawn()
        .unwrap();
    wait_ready(&socket, &mut child);
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660);
    let res = http_get(&socket, "/internal/v1/capabilities");
    assert!(res.starts_with("HTTP/1.1 200 OK"), "{res}");
    assert!(res.contains("\"backend\":\"memory\""), "{res}");
    // An idle keep-alive connection must not hold up the shutdown.
    let mut idle = UnixStream::connect(&socket).unwrap();
    write!(
        idle,
        "GET /internal/v1/capabilities HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    let mut buf = [0u8; 512];
    let n = idle.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!socket.exists(), "socket removed");
    let line = err
        .lines()
        .find(|l| l.contains("/internal/v1/capabilities"))
        .unwrap_or_else(|| panic!("no request line in:\n{err}"));
    for part in [
        "INFO",
        "method=GET",
        "path=/internal/v1/capabilities",
        "status=200",
        "latency_us=",
    ] {
        assert!(line.contains(part), "{part} missing from {line}");
    }
}

#[test]
fn sigint_exits_0_and_json_logs_carry_the_request_fields() {
    let (_dir, socket, child) = started(&["--log-format", "json"]);
    let res = http_get(&socket, "/internal/v1/nope");
    assert!(res.starts_with("HTTP/1.1 404"), "{res}");
    signal(&child, libc::SIGINT);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!socket.exists());
    let line = err
        .lines()
        .find(|l| l.contains("/internal/v1/nope"))
        .unwrap_or_else(|| panic!("no request line in:\n{err}"));
    let v: serde_json::Value = serde_json::from_str(line).expect("json log line");
    assert_eq!(v["level"], "INFO");
    assert_eq!(v["fields"]["status"], 404);
    assert!(v["fields"]["latency_us"].is_u64());
    assert_eq!(v["fields"]["method"], "GET");
    assert_eq!(v["fields"]["path"], "/internal/v1/nope");
    assert_eq!(v["target"], "sockerless::request");
}

/// Starts with the given args/env, makes one request, stops, returns stderr.
fn run_once(dir: &Path, socket: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut c = cmd(dir);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap();
    wait_ready(socket, &mut child);
    let res = http_get(socket, "/internal/v1/capabilities");
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");
    err
}

#[test]
fn precedence_is_flag_over_env_over_file_over_default() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file_sock = d.join("file.sock");
    let env_sock = d.join("env.sock");
    let flag_sock = d.join("flag.sock");
    std::fs::write(
        d.join("c.toml"),
        format!(
            "[listen]\nsocket = \"{}\"\n[logging]\nlevel = \"error\"\n",
            file_sock.display()
        ),
    )
    .unwrap();
    let logged = |err: &str| err.contains("/internal/v1/capabilities");

    // File over default: the file's socket, level error (no request lines).
    let err = run_once(d, &file_sock, &["--config", "c.toml"], &[]);
    assert!(!logged(&err), "{err}");
    // Env over file.
    let env_s = env_sock.to_str().unwrap();
    let err = run_once(
        d,
        &env_sock,
        &["--config", "c.toml"],
        &[
            ("SOCKERLESS_BACKEND_SOCKET", env_s),
            ("SOCKERLESS_BACKEND_LOG_LEVEL", "info"),
        ],
    );
    assert!(logged(&err), "{err}");
    // Flags over env; the config file named by the environment.
    let flag_s = flag_sock.to_str().unwrap();
    let err = run_once(
        d,
        &flag_sock,
        &["--socket", flag_s, "--log-level", "error"],
        &[
            ("SOCKERLESS_BACKEND_CONFIG", "c.toml"),
            ("SOCKERLESS_BACKEND_SOCKET", env_s),
            ("SOCKERLESS_BACKEND_LOG_LEVEL", "info"),
        ],
    );
    assert!(!logged(&err), "{err}");
    assert!(!file_sock.exists() && !env_sock.exists() && !flag_sock.exists());
}

#[test]
fn each_bad_setting_exits_nonzero_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("unknown.toml"), "[listen]\nsockett = \"/x\"\n").unwrap();
    std::fs::write(d.join("broken.yaml"), "listen: [unclosed\n").unwrap();
    std::fs::write(
        d.join("faults.toml"),
        "[[memory.faults]]\noperation = \"container_frobnicate\"\nstatus = 500\n",
    )
    .unwrap();
    let sock = d.join("s.sock");
    let sock = sock.to_str().unwrap();
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["--log-level", "loud"],
            vec![],
            "logging.level \"loud\"",
        ),
        (
            vec![],
            vec![("SOCKERLESS_BACKEND_LOG_LEVEL", "loud")],
            "logging.level \"loud\"",
        ),
        (
            vec!["--log-format", "xml"],
            vec![],
            "logging.format \"xml\"",
        ),
        (
            vec!["--tcp", "not-an-address"],
            vec![],
            "listen.tcp \"not-an-address\"",
        ),
        (
            vec![],
            vec![("SOCKERLESS_BACKEND_TCP", "1.2.3.4")],
            "listen.tcp \"1.2.3.4\"",
        ),
        (
            vec!["--config", "missing.toml"],
            vec![],
            "config file missing.toml: not found",
        ),
        (vec!["--config", "unknown.toml"], vec![], "sockett"),
        (vec!["--config", "broken.yaml"], vec![], "broken.yaml"),
        (
            vec!["--socket", "/no/such/dir/x.sock"],
            vec![],
            "directory /no/such/dir does not exist",
        ),
        (vec!["--drain-timeout", "soon"], vec![], "--drain-timeout"),
        (
            vec!["--socket", sock, "--max-body-size=-5"],
            vec![],
            "--max-body-size",
        ),
        (
            vec![],
            vec![("SOCKERLESS_BACKEND_MAX_BODY_SIZE", "lots")],
            "SOCKERLESS_BACKEND_MAX_BODY_SIZE \"lots\"",
        ),
        (vec!["--seed=-1"], vec![], "--seed"),
        (
            vec![],
            vec![("SOCKERLESS_BACKEND_SEED", "abc")],
            "SOCKERLESS_BACKEND_SEED \"abc\"",
        ),
        (
            vec!["--profile", "heroku"],
            vec![],
            "memory.profile \"heroku\"",
        ),
        (
            vec!["--clock-start", "yesterday"],
            vec![],
            "memory.clock_start \"yesterday\"",
        ),
        (vec!["--config", "faults.toml"], vec![], "memory.faults[0]"),
    ];
    for (args, env, want) in cases {
        let mut c = cmd(d);
        c.args(&args);
        for (k, v) in &env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} {env:?} succeeded");
        assert!(err.contains(want), "{args:?} {env:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
    }
}

#[test]
fn stale_socket_is_replaced_and_a_live_one_is_not_stolen() {
    let dir = tempfile::tempdir().unwrap();
    let socket: PathBuf = dir.path().join("b.sock");
    // A stale socket file: bound, then its listener dropped.
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    assert!(socket.exists());
    let mut first = cmd(dir.path())
        .arg("--socket")
        .arg(&socket)
        .spawn()
        .unwrap();
    wait_ready(&socket, &mut first);
    assert!(http_get(&socket, "/internal/v1/capabilities").starts_with("HTTP/1.1 200"));
    // A second server on the live socket must refuse and leave it alone.
    let out = cmd(dir.path())
        .arg("--socket")
        .arg(&socket)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another server is listening on it"), "{err}");
    assert!(http_get(&socket, "/internal/v1/capabilities").starts_with("HTTP/1.1 200"));
    signal(&first, libc::SIGTERM);
    let (out, err) = finish(first);
    assert_eq!(out.status.code(), Some(0), "{err}");
}

#[test]
fn tcp_only_when_only_tcp_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = cmd(dir.path())
        .args(["--tcp", "127.0.0.1:0", "--log-format", "json"])
        .spawn()
        .unwrap();
    // Read the bound address from the first log line.
    let mut stderr = child.stderr.take().unwrap();
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\n") {
        if stderr.read(&mut byte).unwrap() == 0 {
            break;
        }
        buf.push(byte[0]);
    }
    let line: serde_json::Value = serde_json::from_slice(&buf).expect("json line");
    let addr = line["fields"]["tcp"]
        .as_str()
        .expect("tcp address")
        .to_string();
    assert!(line["fields"]["socket"].is_null(), "{line}");
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET /internal/v1/capabilities HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut res = String::new();
    s.read_to_string(&mut res).unwrap();
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    signal(&child, libc::SIGTERM);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// The group ID of `name` from /etc/group (the test needs a group other than
/// root's that exists on Debian: `daemon`).
fn gid_of(name: &str) -> Option<u32> {
    let groups = std::fs::read_to_string("/etc/group").ok()?;
    groups.lines().find_map(|l| {
        let mut parts = l.split(':');
        (parts.next()? == name).then_some(())?;
        parts.nth(1)?.parse().ok()
    })
}

#[test]
fn socket_mode_and_group_are_applied_and_unknown_groups_refused() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("b.sock");
    let gid = gid_of("daemon").expect("the daemon group exists on Debian");
    let mut child = cmd(dir.path())
        .args(["--socket-mode", "0600", "--socket-group", "daemon"])
        .arg("--socket")
        .arg(&socket)
        .spawn()
        .unwrap();
    wait_ready(&socket, &mut child);
    let meta = std::fs::metadata(&socket).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(meta.gid(), gid);
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");

    let out = cmd(dir.path())
        .args(["--socket-group", "no-such-group-here"])
        .arg("--socket")
        .arg(&socket)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("listen.socket_group \"no-such-group-here\": no such group"),
        "{err}"
    );
    assert!(!socket.exists(), "nothing left behind");
}

#[test]
fn non_loopback_tcp_needs_insecure_tcp_and_then_warns() {
    let dir = tempfile::tempdir().unwrap();
    let out = cmd(dir.path())
        .args(["--tcp", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("listen.tcp \"0.0.0.0:0\": not a loopback address"),
        "{err}"
    );
    let socket = dir.path().join("b.sock");
    let mut child = cmd(dir.path())
        .args(["--tcp", "0.0.0.0:0", "--insecure-tcp"])
        .arg("--socket")
        .arg(&socket)
        .spawn()
        .unwrap();
    wait_ready(&socket, &mut child);
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("WARN") && l.contains("insecure") && l.contains("0.0.0.0")),
        "{err}"
    );
}

#[test]
fn a_client_that_sends_half_a_header_is_dropped() {
    let (_dir, socket, child) = started(&["--header-read-timeout", "0.3"]);
    let mut slow = UnixStream::connect(&socket).unwrap();
    slow.write_all(b"GET /internal/v1/capabilities HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = Vec::new();
    // The server closes the connection (with or without a 408): the read ends.
    let n = slow
        .read_to_end(&mut buf)
        .expect("closed by the server, not timed out");
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    // Other clients are still served.
    assert!(http_get(&socket, "/internal/v1/capabilities").starts_with("HTTP/1.1 200"));
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");
}

#[test]
fn a_body_that_stops_short_is_408_at_the_body_read_timeout() {
    let (_dir, socket, child) = started(&["--body-read-timeout", "0.5"]);
    let before = http_get(&socket, "/internal/v1/networks");
    let mut slow = UnixStream::connect(&socket).unwrap();
    slow.write_all(
        b"POST /internal/v1/networks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"Name\":",
    )
    .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = Vec::new();
    slow.read_to_end(&mut buf)
        .expect("closed by the server, not timed out");
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        text.ends_with(r#"{"message":"request body not received within 0.5 s"}"#),
        "{text}"
    );
    // Nothing was created (the responses differ only in their Date).
    let body = |r: &str| r.split_once("\r\n\r\n").map(|(_, b)| b.to_owned());
    let after = http_get(&socket, "/internal/v1/networks");
    assert_eq!(body(&after), body(&before));
    assert!(before.starts_with("HTTP/1.1 200"), "{before}");
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");
}

#[test]
fn connections_over_the_cap_wait_their_turn() {
    let (_dir, socket, child) = started(&["--max-connections", "1"]);
    // wait_ready's probe connection may still hold the only slot for a moment;
    // a full request proves the slot is ours.
    let mut first = UnixStream::connect(&socket).unwrap();
    write!(
        first,
        "GET /internal/v1/capabilities HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    let mut buf = [0u8; 1024];
    let n = first.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // The second connection is not served while the first stays open...
    let mut second = UnixStream::connect(&socket).unwrap();
    write!(
        second,
        "GET /internal/v1/capabilities HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    second
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let waiting = second.read(&mut buf);
    assert!(waiting.is_err(), "served over the cap: {waiting:?}");
    // ...and is served once it closes. The server never crashed.
    drop(first);
    second
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut res = String::new();
    second.read_to_string(&mut res).unwrap();
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// One raw HTTP/1.1 request with an optional JSON body and `Connection: close`.
fn http_call(socket: &Path, method: &str, path: &str, body: Option<&str>) -> String {
    let mut s = UnixStream::connect(socket).expect("connect");
    let body = body.unwrap_or("");
    let ct = if body.is_empty() {
        ""
    } else {
        "Content-Type: application/json\r\n"
    };
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{ct}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn seed_profile_and_state_file_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let socket = d.join("b.sock");
    let state = d.join("state.json");
    let start = |extra: &[&str]| {
        let mut child = cmd(d)
            .arg("--socket")
            .arg(&socket)
            .arg("--state-file")
            .arg(&state)
            .args(extra)
            .spawn()
            .unwrap();
        wait_ready(&socket, &mut child);
        child
    };
    // First run: seeded, ECS profile, no state file yet.
    let child = start(&["--seed", "42", "--profile", "ecs"]);
    let caps = http_get(&socket, "/internal/v1/capabilities");
    assert!(caps.contains("\"backend\":\"ecs\""), "{caps}");
    assert!(caps.contains("\"agent_required\":true"), "{caps}");
    let config = http_get(&socket, "/internal/v1/memory/config");
    assert!(config.contains("\"seed\":42"), "{config}");
    assert!(config.contains("state.json"), "{config}");
    let res = http_call(
        &socket,
        "POST",
        "/internal/v1/images/pull?fromImage=alpine",
        None,
    );
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    let res = http_call(
        &socket,
        "POST",
        "/internal/v1/containers?name=kept",
        Some(r#"{"Image":"alpine","Cmd":["sleep","infinity"]}"#),
    );
    assert!(res.starts_with("HTTP/1.1 201"), "{res}");
    let id_first = res.split("\"Id\":\"").nth(1).unwrap()[..64].to_string();
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // Written atomically: the file, and no temporary left beside it.
    let text = std::fs::read_to_string(&state).expect("state file written");
    assert!(text.contains(&id_first), "{text}");
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Second run loads it.
    let child = start(&[]);
    let res = http_get(&socket, "/internal/v1/containers/kept");
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    assert!(res.contains(&id_first), "{res}");
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");

    // The same seed gives the same IDs in a fresh run.
    std::fs::remove_file(&state).unwrap();
    let child = start(&["--seed", "42"]);
    http_call(
        &socket,
        "POST",
        "/internal/v1/images/pull?fromImage=alpine",
        None,
    );
    let res = http_call(
        &socket,
        "POST",
        "/internal/v1/containers?name=kept",
        Some(r#"{"Image":"alpine","Cmd":["sleep","infinity"]}"#),
    );
    assert!(res.contains(&id_first), "{res}");
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");

    // A state file that does not validate is a startup error naming it.
    std::fs::write(&state, r#"{"version":1,"bogus":true}"#).unwrap();
    let out = cmd(d)
        .arg("--socket")
        .arg(&socket)
        .arg("--state-file")
        .arg(&state)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("memory.state_file"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn log_limit_bounds_each_containers_log() {
    let (_dir, socket, child) = started(&["--log-limit", "64"]);
    let r = http_call(
        &socket,
        "POST",
        "/internal/v1/images/pull?fromImage=alpine",
        None,
    );
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    // 20 writes of 7-8 bytes; a 64-byte log keeps only the newest ones.
    let body = r#"{"Image":"alpine","Cmd":["sh","-c","SCRIPT"]}"#.replace("SCRIPT", "echo line-1; echo line-2; echo line-3; echo line-4; echo line-5; echo line-6; echo line-7; echo line-8; echo line-9; echo line-10; echo line-11; echo line-12; echo line-13; echo line-14; echo line-15; echo line-16; echo line-17; echo line-18; echo line-19; echo line-20");
    let r = http_call(
        &socket,
        "POST",
        "/internal/v1/containers?name=chatty",
        Some(&body),
    );
    assert!(r.starts_with("HTTP/1.1 201"), "{r}");
    let r = http_call(
        &socket,
        "POST",
        "/internal/v1/containers/chatty/start",
        None,
    );
    assert!(r.starts_with("HTTP/1.1 204"), "{r}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let logs = loop {
        let inspect = http_call(&socket, "GET", "/internal/v1/containers/chatty", None);
        if inspect.contains("\"Status\":\"exited\"") {
            break http_call(
                &socket,
                "GET",
                "/internal/v1/containers/chatty/logs?stdout=1&stderr=1",
                None,
            );
        }
        assert!(Instant::now() < deadline, "never exited: {inspect}");
        std::thread::sleep(Duration::from_millis(10));
    };
    let data: Vec<String> = logs
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json record");
            v["Data"].as_str().unwrap_or("").to_string()
        })
        .collect();
    let kept: usize = data.iter().map(String::len).sum();
    assert!(kept > 0 && kept <= 64, "kept {kept} bytes: {data:?}");
    assert_eq!(
        data.last().map(String::as_str),
        Some("line-20\n"),
        "{data:?}"
    );
    assert!(
        !data.iter().any(|d| d == "line-1\n"),
        "the oldest is dropped: {data:?}"
    );
    signal(&child, libc::SIGTERM);
    let (out, err) = finish(child);
    assert_eq!(out.status.code(), Some(0), "{err}");
}
