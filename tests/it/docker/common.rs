//! Shared harness for the Docker client suites: a `sockerless` daemon on a temp
//! socket, and external commands run with a deadline.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long one external command (docker, python3) may run.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The `sockerless` binary: Cargo's path when this file is built as a test of
/// the root package, else `$SOCKERLESS_BIN` (the standalone bollard suite).
pub fn sockerless_bin() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_sockerless") {
        return PathBuf::from(path);
    }
    match std::env::var_os("SOCKERLESS_BIN") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "SOCKERLESS_BIN is not set: run this suite through `cargo test` at the \
             repository root (tests/docker_bollard.rs), or set it to a built `sockerless`"
        ),
    }
}

/// Whether the suites run in remote mode: `SOCKERLESS_TEST_REMOTE=1` puts a
/// separately started `sockerless-backend-memory` behind every daemon
/// ([`Daemon::start`] starts it and `sockerless --backend unix://…` in front),
/// so the same tests prove the Docker API over the internal API.
pub fn remote_mode() -> bool {
    std::env::var("SOCKERLESS_TEST_REMOTE").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The `sockerless-backend-memory` binary: Cargo's path when this file is built
/// as a test of the root package, else `$SOCKERLESS_BACKEND_BIN`.
pub fn backend_bin() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_sockerless-backend-memory") {
        return PathBuf::from(path);
    }
    match std::env::var_os("SOCKERLESS_BACKEND_BIN") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "SOCKERLESS_BACKEND_BIN is not set: run this suite through `cargo test` at \
             the repository root, or set it to a built `sockerless-backend-memory`"
        ),
    }
}

/// Waits (with a 20 s deadline) until `socket` accepts, failing with `log()`
/// when `child` exits first.
fn wait_listening(child: &mut Child, socket: &Path, what: &str, log: impl Fn() -> String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if std::os::unix::net::UnixStream::connect(socket).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early ({status}): {}", log());
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on {} within 20 s: {}",
            socket.display(),
            log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A `sockerless-backend-memory` serving the internal API on a socket (the
/// backend of a remote-mode [`Daemon`]); killed on drop. It can be killed and
/// started again on the same socket, with the same flags.
pub struct BackendDaemon {
    child: Option<Child>,
    /// The internal-API socket.
    pub socket: PathBuf,
    log: PathBuf,
    flags: Vec<String>,
}

impl BackendDaemon {
    /// Starts one on `dir/backend.sock` with `flags` and waits until it listens.
    pub fn start(dir: &Path, flags: &[&str]) -> BackendDaemon {
        let mut backend = BackendDaemon {
            child: None,
            socket: dir.join("backend.sock"),
            log: dir.join("backend.log"),
            flags: flags.iter().map(|f| f.to_string()).collect(),
        };
        backend.restart();
        backend
    }

    /// `unix://<socket>`, for `sockerless --backend`.
    pub fn url(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// The running process's ID.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the backend runs").id()
    }

    /// Kills the process (SIGKILL: no drain, streams break) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the process (again) on the same socket with the same flags and
    /// waits until it listens; its log is appended to.
    pub fn restart(&mut self) {
        self.kill();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("backend log file");
        let child = Command::new(backend_bin())
            .arg("--socket")
            .arg(&self.socket)
            .args(&self.flags)
            .env("SOCKERLESS_BACKEND_LOG_LEVEL", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn sockerless-backend-memory");
        // Owned before the wait: a panic there kills it on drop.
        let child = self.child.insert(child);
        wait_listening(child, &self.socket, "sockerless-backend-memory", || {
            std::fs::read_to_string(&self.log).unwrap_or_default()
        });
    }

    /// What the backend logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many sockets the backend process holds open (its listener and
    /// every connection it accepted), from `/proc/<pid>/fd`.
    pub fn open_sockets(&self) -> usize {
        let dir = format!("/proc/{}/fd", self.pid());
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
            .filter(|target| target.to_string_lossy().starts_with("socket:"))
            .count()
    }
}

impl Drop for BackendDaemon {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `sockerless` daemon serving the Docker API on a socket in a temp dir,
/// with the memory backend embedded or (in [`remote_mode`]) in front of a
/// [`BackendDaemon`]; both killed on drop.
pub struct Daemon {
    child: Child,
    /// The backend daemon behind it, in remote mode.
    pub backend: Option<BackendDaemon>,
    dir: tempfile::TempDir,
    /// The Docker API socket.
    pub socket: PathBuf,
}

impl Daemon {
    /// Starts the daemon (embedded or remote, as the mode says) and waits
    /// (with a deadline) until its socket accepts.
    pub fn start() -> Daemon {
        Daemon::start_with(&[])
    }

    /// Starts the daemon with extra flags: memory-backend settings (`--seed`,
    /// `--profile` …), given to the backend daemon in remote mode.
    pub fn start_with(extra: &[&str]) -> Daemon {
        if remote_mode() {
            Daemon::start_remote(extra)
        } else {
            Daemon::spawn(extra, None)
        }
    }

    /// Starts a `sockerless-backend-memory` with `backend_flags` and `sockerless
    /// --backend unix://…` in front of it, whatever the mode.
    pub fn start_remote(backend_flags: &[&str]) -> Daemon {
        let dir = tempfile::tempdir().expect("temp dir");
        let backend = BackendDaemon::start(dir.path(), backend_flags);
        Daemon::spawn_in(dir, &["--backend", &backend.url()], Some(backend))
    }

    fn spawn(extra: &[&str], backend: Option<BackendDaemon>) -> Daemon {
        Daemon::spawn_in(tempfile::tempdir().expect("temp dir"), extra, backend)
    }

    fn spawn_in(dir: tempfile::TempDir, extra: &[&str], backend: Option<BackendDaemon>) -> Daemon {
        let socket = dir.path().join("docker.sock");
        let log = std::fs::File::create(dir.path().join("daemon.log")).expect("log file");
        let child = Command::new(sockerless_bin())
            .arg("--docker-socket")
            .arg(&socket)
            .args(extra)
            .env("SOCKERLESS_BACKEND_LOG_LEVEL", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn sockerless");
        let mut daemon = Daemon {
            child,
            backend,
            dir,
            socket,
        };
        // Owned before the wait: a panic there kills both on drop.
        let Daemon {
            child,
            backend,
            dir,
            socket,
        } = &mut daemon;
        wait_listening(child, socket, "sockerless", || {
            logs(dir.path(), backend.as_ref())
        });
        daemon
    }

    /// `unix://<socket>`, for `DOCKER_HOST`.
    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// The temp dir (for files a test writes).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The daemon's process id (for its `/proc` figures: RSS, descriptors).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the daemon (and its backend daemon, in remote mode) logged so far.
    pub fn log(&self) -> String {
        logs(self.dir.path(), self.backend.as_ref())
    }
}

/// The log of the daemon in `dir`, then its backend daemon's.
fn logs(dir: &Path, backend: Option<&BackendDaemon>) -> String {
    let own = std::fs::read_to_string(dir.join("daemon.log")).unwrap_or_default();
    match backend {
        Some(b) => format!("{own}--- backend daemon ---\n{}", b.log()),
        None => own,
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(backend) = &mut self.backend {
            backend.kill();
        }
    }
}

/// The result of an external command.
#[derive(Debug)]
pub struct Output {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `cmd` to completion with `input` on stdin, killing it at `timeout`.
pub fn run_with_timeout(mut cmd: Command, input: Option<&[u8]>, timeout: Duration) -> Output {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    if let Some(input) = input {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input).expect("write stdin");
    }
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let status = wait_deadline(&mut child, timeout, &shown);
    let stdout = String::from_utf8_lossy(&out_t.join().expect("stdout reader")).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().expect("stderr reader")).into_owned();
    Output {
        code: status.code(),
        stdout,
        stderr,
    }
}

/// An external command running in the background, its output collected as it
/// comes; killed on drop.
pub struct Background {
    child: Child,
    shown: String,
    stdout: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<Vec<u8>>>,
}

impl Background {
    /// Spawns `cmd` with stdin empty.
    pub fn spawn(mut cmd: Command) -> Background {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = format!("{cmd:?}");
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
        let stdout = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let sink = stdout.clone();
        let out_t = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(&buf[..n]);
            }
            Vec::new()
        });
        let err_t = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = err.read_to_end(&mut s);
            s
        });
        Background {
            child,
            shown,
            stdout,
            readers: vec![out_t, err_t],
        }
    }

    /// The standard output so far.
    pub fn stdout(&self) -> String {
        let bytes = self.stdout.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Waits for the command to exit (failing if it is still running after
    /// `timeout`) and returns its output.
    pub fn finish(mut self, timeout: Duration) -> Output {
        let status = wait_deadline(&mut self.child, timeout, &self.shown);
        let mut readers = std::mem::take(&mut self.readers).into_iter();
        let _ = readers.next().map(|t| t.join());
        let stderr = readers
            .next()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        Output {
            code: status.code(),
            stdout: self.stdout(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_deadline(child: &mut Child, timeout: Duration, shown: &str) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{shown} did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Polls `check` every 20 ms until it returns `Some`, failing after `timeout`.
pub fn poll_until<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Async [`poll_until`]: awaits `check` every 20 ms until it yields `Some`,
/// failing after 20 s.
pub async fn poll_until_async<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A `sh -c` script that prints `tick` every 50 ms for about `secs` seconds.
pub fn ticker_script(secs: u32) -> String {
    format!(
        "i=0; while [ $i -lt {} ]; do echo tick; sleep 0.05; i=$((i+1)); done",
        secs * 20
    )
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A minimal `docker save` archive of one image tagged `tag`, whose config sets
/// `Cmd ["/app"]`.
pub fn image_archive(tag: &str) -> Vec<u8> {
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["/app"]},
        "rootfs": {"type": "layers", "diff_ids": []}
    }))
    .expect("config json");
    let manifest = serde_json::to_vec(&serde_json::json!([
        {"Config": "config.json", "RepoTags": [tag], "Layers": []}
    ]))
    .expect("manifest json");
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in [("config.json", &config), ("manifest.json", &manifest)] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder
            .append_data(&mut header, path, data.as_slice())
            .expect("tar entry");
    }
    builder.into_inner().expect("tar")
}

/// A response read off the wire by [`raw`].
#[derive(Debug, Clone, Default)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// Header names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Sends one HTTP/1.1 request (`Connection: close`) over the Unix socket and
/// reads the whole response, within 20 s.
pub async fn raw(
    socket: &Path,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fut = async {
        let mut stream = tokio::net::UnixStream::connect(socket)
            .await
            .expect("connect");
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" || method == "PUT" {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        // A server may answer (and close) before reading a body it does not
        // need (a 501): a failed write is fine as long as the answer is there.
        let _ = stream.write_all(&bytes).await;
        let mut all = Vec::new();
        let _ = stream.read_to_end(&mut all).await;
        parse_response(&all, method == "HEAD")
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .unwrap_or_else(|_| panic!("{method} {path}: no complete response within 20 s"))
}

/// Parses a complete response (head, then a chunked or plain body).
pub fn parse_response(all: &[u8], head_only: bool) -> RawResponse {
    let end = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head: {}", String::from_utf8_lossy(all)));
    let head = String::from_utf8_lossy(&all[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &all[end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if head_only {
        Vec::new()
    } else if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    RawResponse {
        status,
        headers,
        body,
    }
}

/// Decodes a chunked body.
pub fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..eol]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or_else(|_| panic!("bad chunk size {size_text:?}"));
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
}

/// Sends a request and returns as soon as the response head has arrived (within
/// `within`), with the connection still open: proves a head was flushed before
/// the body. Returns the parsed head and the stream (positioned after it, with
/// any body bytes already read in the returned vector).
pub async fn head_only(
    socket: &Path,
    method: &str,
    path: &str,
    within: Duration,
) -> (RawResponse, tokio::net::UnixStream, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::UnixStream::connect(socket)
        .await
        .expect("connect");
    let req = format!("{method} {path} HTTP/1.1\r\nHost: docker\r\n\r\n");
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    let read_head = async {
        loop {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "connection closed before the head: {buf:?}");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                return end;
            }
        }
    };
    let end = tokio::time::timeout(within, read_head)
        .await
        .unwrap_or_else(|_| panic!("{method} {path}: no response head within {within:?}"));
    let head = parse_response(&buf[..end + 4], true);
    let rest = buf[end + 4..].to_vec();
    (head, stream, rest)
}
