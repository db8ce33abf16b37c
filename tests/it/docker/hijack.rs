//! Hijacked streams (attach, exec start with `Upgrade: tcp`) under abuse, on
//! the `sockerless` binary: garbage after the `101`, stdin floods, half-closes
//! at every step, a client that never reads its output, two thousand attaches
//! to one container, and a container removed under its attached clients. After
//! each the daemon still serves, and its descriptors come back to where they
//! were.

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use super::common::{raw, Daemon};

/// How long something that should be prompt may take.
const DEADLINE: Duration = Duration::from_secs(20);

/// A process figure from `/proc/<pid>/status` (`VmRSS`, …), in KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| {
            v.trim_start_matches(':')
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Open descriptors of process `pid`.
pub fn fd_count(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Polls until the daemon's descriptors are back to `baseline` (give or take
/// two), failing after [`DEADLINE`].
pub async fn fds_settle(d: &Daemon, baseline: usize) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let n = fd_count(d.pid());
        if n <= baseline + 2 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "descriptors stay at {n}, baseline {baseline}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn call(
    s: &Path,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, String) {
    let text = body.map(|b| b.to_string()).unwrap_or_default();
    let headers: &[(&str, &str)] = if text.is_empty() {
        &[]
    } else {
        &[("Content-Type", "application/json")]
    };
    let res = raw(s, method, path, headers, text.as_bytes()).await;
    (res.status, res.text())
}

/// Pulls alpine and creates container `name` running `cmd`.
async fn created(s: &Path, name: &str, cmd: &[&str], extra: serde_json::Value) {
    let (st, _) = call(
        s,
        "POST",
        "/v1.44/images/create?fromImage=alpine&tag=latest",
        None,
    )
    .await;
    assert_eq!(st, 200);
    let mut body = json!({"Image": "alpine", "Cmd": cmd});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (st, text) = call(
        s,
        "POST",
        &format!("/v1.44/containers/create?name={name}"),
        Some(body),
    )
    .await;
    assert_eq!(st, 201, "{text}");
}

/// Starts container `name`.
async fn start(s: &Path, name: &str) {
    let (st, text) = call(s, "POST", &format!("/v1.44/containers/{name}/start"), None).await;
    assert_eq!(st, 204, "{text}");
}

/// Pulls alpine, creates and starts container `name` running `cmd`.
async fn running(s: &Path, name: &str, cmd: &[&str], extra: serde_json::Value) {
    created(s, name, cmd, extra).await;
    start(s, name).await;
}

/// The daemon still answers.
async fn alive(s: &Path) {
    let (st, body) = call(s, "GET", "/_ping", None).await;
    assert_eq!((st, body.as_str()), (200, "OK"));
}

/// Sends a hijacking request and reads its head, which must be the `101`;
/// returns the stream and any bytes read past the head.
async fn hijack(s: &Path, path: &str, body: &str) -> (UnixStream, Vec<u8>) {
    let mut stream = UnixStream::connect(s).await.expect("connect");
    let mut req =
        format!("POST {path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n");
    if !body.is_empty() {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    let end = tokio::time::timeout(DEADLINE, async {
        loop {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(
                n > 0,
                "closed before the head: {}",
                String::from_utf8_lossy(&buf)
            );
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                return end;
            }
        }
    })
    .await
    .expect("a head in time");
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    // Docker's attach writes its own head, without the version headers; exec
    // start's goes out through the router, with them.
    let lower = head.to_ascii_lowercase();
    assert_eq!(
        lower.contains("\r\napi-version: 1.44"),
        !path.contains("/attach"),
        "{head}"
    );
    (stream, buf[end + 4..].to_vec())
}

/// Reads stdcopy frames until EOF (within [`DEADLINE`]): stdout and stderr.
async fn read_frames(stream: &mut UnixStream, mut buf: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
    tokio::time::timeout(DEADLINE, stream.read_to_end(&mut buf))
        .await
        .expect("EOF in time")
        .expect("read");
    deframe(&buf)
}

/// Splits stdcopy frames into stdout and stderr.
fn deframe(mut data: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    while data.len() >= 8 {
        let n = u32::from_be_bytes([data[4], data[5], data[6], data[7]]) as usize;
        let payload = &data[8..8 + n.min(data.len() - 8)];
        match data[0] {
            1 => out.extend_from_slice(payload),
            2 => err.extend_from_slice(payload),
            other => panic!("stream byte {other}"),
        }
        data = &data[(8 + n).min(data.len())..];
    }
    (out, err)
}

/// Reads frames until `want` bytes of stdout have arrived.
async fn read_stdout(stream: &mut UnixStream, mut buf: Vec<u8>, want: usize) -> Vec<u8> {
    tokio::time::timeout(DEADLINE, async {
        loop {
            let (out, _) = deframe(&buf);
            if out.len() >= want {
                return out;
            }
            let mut chunk = vec![0u8; 64 * 1024];
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "EOF after {} of {want} bytes", out.len());
            buf.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .expect("output in time")
}

/// Bytes that look like HTTP, a WebSocket frame, NULs and every byte value.
fn garbage() -> Vec<u8> {
    let mut g = b"GET /v1.44/containers/json HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
    g.extend_from_slice(&[0x81, 0xfe, 0xff, 0xff, 0, 0, 0, 0]);
    g.extend((0..=255u8).cycle().take(4096));
    g.extend_from_slice(b"\r\n\r\n0\r\n\r\n");
    g
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_after_the_101_is_stdin_or_nothing() {
    let d = Daemon::start();
    let s = d.socket.as_path();
    running(s, "echo", &["cat"], json!({"OpenStdin": true})).await;
    let baseline = fd_count(d.pid());
    let g = garbage();
    // With stdin: the garbage is the process's input, echoed back whole.
    let (mut a, rest) = hijack(
        s,
        "/v1.44/containers/echo/attach?stream=1&stdin=1&stdout=1",
        "",
    )
    .await;
    a.write_all(&g).await.expect("write");
    assert_eq!(read_stdout(&mut a, rest, g.len()).await, g);
    // Without stdin: discarded; the process and the daemon are unaffected.
    let (mut b, _) = hijack(s, "/v1.44/containers/echo/attach?stream=1&stdout=1", "").await;
    b.write_all(&g).await.expect("write");
    b.shutdown().await.expect("half-close");
    a.write_all(b"still here\n").await.expect("write");
    assert_eq!(read_stdout(&mut a, Vec::new(), 11).await, b"still here\n");
    drop((a, b));
    // An exec's stdin takes garbage too; its exit code is clean.
    let (st, text) = call(
        s,
        "POST",
        "/v1.44/containers/echo/exec",
        Some(json!({"Cmd": ["cat"], "AttachStdin": true, "AttachStdout": true})),
    )
    .await;
    assert_eq!(st, 201, "{text}");
    let id = serde_json::from_str::<serde_json::Value>(&text).expect("json")["Id"]
        .as_str()
        .expect("id")
        .to_string();
    let (mut e, rest) = hijack(s, &format!("/v1.44/exec/{id}/start"), "{}").await;
    e.write_all(&g).await.expect("write");
    e.shutdown().await.expect("half-close");
    let (out, _) = read_frames(&mut e, rest).await;
    assert_eq!(out, g);
    let (st, text) = call(s, "GET", &format!("/v1.44/exec/{id}/json"), None).await;
    assert_eq!(st, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).expect("json")["ExitCode"],
        0
    );
    alive(s).await;
    drop(e);
    fds_settle(&d, baseline).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stdin_flood_is_echoed_whole() {
    let d = Daemon::start();
    let s = d.socket.as_path();
    running(s, "echo", &["cat"], json!({"OpenStdin": true})).await;
    let (a, rest) = hijack(
        s,
        "/v1.44/containers/echo/attach?stream=1&stdin=1&stdout=1",
        "",
    )
    .await;
    let (mut rd, mut wr) = a.into_split();
    const TOTAL: usize = 8 << 20;
    let writer = tokio::spawn(async move {
        let chunk: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
        for _ in 0..TOTAL / chunk.len() {
            wr.write_all(&chunk).await.expect("write");
        }
        wr
    });
    let mut buf = rest;
    let out = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let (out, _) = deframe(&buf);
            if out.len() >= TOTAL {
                return out;
            }
            let mut chunk = vec![0u8; 256 * 1024];
            let n = rd.read(&mut chunk).await.expect("read");
            assert!(n > 0, "EOF after {} bytes", out.len());
            buf.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .expect("the flood echoed in time");
    assert_eq!(out.len(), TOTAL);
    assert!(out
        .iter()
        .enumerate()
        .all(|(i, b)| *b == ((i % (64 * 1024)) % 251) as u8));
    drop(writer.await.expect("writer"));
    alive(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_its_output_is_held_back_not_buffered() {
    let d = Daemon::start();
    let s = d.socket.as_path();
    running(s, "echo", &["cat"], json!({"OpenStdin": true})).await;
    let rss_start = proc_status_kib(d.pid(), "VmRSS");
    let (a, _) = hijack(
        s,
        "/v1.44/containers/echo/attach?stream=1&stdin=1&stdout=1",
        "",
    )
    .await;
    let (_never_read, mut wr) = a.into_split();
    // Up to 256 MiB of stdin, none of the echo read: the writes must stall.
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let w = written.clone();
    let writer = tokio::spawn(async move {
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..4096 {
            if wr.write_all(&chunk).await.is_err() {
                return;
            }
            w.fetch_add(chunk.len(), std::sync::atomic::Ordering::SeqCst);
        }
    });
    // A stall: no progress for a second (or everything written: the bug).
    let mut last = usize::MAX;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = written.load(std::sync::atomic::Ordering::SeqCst);
        if now == last || writer.is_finished() {
            break;
        }
        last = now;
    }
    let sent = written.load(std::sync::atomic::Ordering::SeqCst);
    let rss = proc_status_kib(d.pid(), "VmRSS");
    writer.abort();
    assert!(
        sent < 64 << 20,
        "{} MiB of stdin went in unread",
        sent >> 20
    );
    assert!(
        rss < rss_start + 32 * 1024,
        "daemon RSS {rss_start} → {rss} KiB"
    );
    alive(s).await;
}

/// Round two, the last of defect 9's list: live subscribers of a container's
/// output (attach, `logs -f`) had unbounded queues, so a client that never
/// read an endless output grew the daemon by all of it. Now a subscriber more
/// than 16 MiB behind is cut off (its stream ends) and its queue freed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_that_never_read_an_endless_output_are_cut_off() {
    let d = Daemon::start();
    let s = d.socket.as_path();
    // About 78 MiB of output.
    created(s, "flood", &["seq", "1", "10000000"], json!({})).await;
    let rss_start = proc_status_kib(d.pid(), "VmRSS");
    let (_attached, _) = hijack(s, "/v1.44/containers/flood/attach?stream=1&stdout=1", "").await;
    start(s, "flood").await;
    let mut follower = UnixStream::connect(s).await.expect("connect");
    follower
        .write_all(
            b"GET /v1.44/containers/flood/logs?follow=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n\r\n",
        )
        .await
        .expect("write");
    // Neither client reads; the process runs to its end all the same.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (_, text) = call(s, "GET", "/v1.44/containers/flood/json", None).await;
        let state: serde_json::Value = serde_json::from_str(&text).expect("json");
        if state["State"]["Status"] == "exited" {
            assert_eq!(state["State"]["ExitCode"], 0);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "still running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rss = proc_status_kib(d.pid(), "VmRSS");
    assert!(
        rss < rss_start + 48 * 1024,
        "daemon RSS {rss_start} → {rss} KiB with 78 MiB unread by two clients"
    );
    alive(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_closes_at_every_step() {
    let d = Daemon::start();
    let s = d.socket.as_path();
    running(s, "keep", &["cat"], json!({"OpenStdin": true})).await;
    let baseline = fd_count(d.pid());
    let attach = "/v1.44/containers/keep/attach?stream=1&stdin=1&stdout=1";

    // 1. Half-closed with the request, then gone. hyper reads the EOF as
    //    the client leaving (which is how a client that drops a wait or a
    //    quiet log follow is noticed), so there is no 101 as from Docker (a
    //    declared difference, RELIABILITY.md section 10); what matters is that
    //    nothing is left behind (the descriptor count below).
    let mut c = UnixStream::connect(s).await.expect("connect");
    let req =
        format!("POST {attach} HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
    c.write_all(req.as_bytes()).await.expect("write");
    c.shutdown().await.expect("half-close");
    drop(c);

    // 2. Half-closed right after the 101, then after some stdin: the echo of
    //    what was sent arrives before the end.
    let (mut a, rest) = hijack(s, attach, "").await;
    a.write_all(b"one\n").await.expect("write");
    assert_eq!(read_stdout(&mut a, rest, 4).await, b"one\n");
    a.shutdown().await.expect("half-close");

    // 3. Closed before the head is read, and with half a request head.
    for part in [req.as_str(), &req[..req.len() / 2]] {
        let mut c = UnixStream::connect(s).await.expect("connect");
        c.write_all(part.as_bytes()).await.expect("write");
        drop(c);
    }

    // 4. Closed mid-output: a reader that leaves while output is flowing.
    let (x, rest) = hijack(s, attach, "").await;
    let (mut xr, mut xw) = x.into_split();
    let flood = tokio::spawn(async move {
        let _ = xw.write_all(&vec![b'y'; 1 << 20]).await;
        xw
    });
    let mut buf = rest;
    while deframe(&buf).0.len() < 1024 {
        let mut chunk = vec![0u8; 4096];
        let n = tokio::time::timeout(DEADLINE, xr.read(&mut chunk))
            .await
            .expect("output in time")
            .expect("read");
        assert!(n > 0, "EOF mid-output");
        buf.extend_from_slice(&chunk[..n]);
    }
    flood.abort();
    drop(xr);

    // The container still runs and echoes; the daemon serves. The flood's
    // echo may come on either side of `two`: `cat` may have read some of it
    // before, and the closed connection's stdin task may still hold a chunk,
    // waiting for room in the one stdin. Two clients' input is not ordered
    // (this waited for `two` to come last, and timed out once).
    let (mut b, mut buf) = hijack(s, attach, "").await;
    b.write_all(b"two\n").await.expect("write");
    let (echoed, at) = tokio::time::timeout(DEADLINE, async {
        loop {
            let (out, _) = deframe(&buf);
            if let Some(at) = out.windows(4).position(|w| w == b"two\n") {
                return (out, at);
            }
            let mut chunk = vec![0u8; 64 * 1024];
            let n = b.read(&mut chunk).await.expect("read");
            assert!(n > 0, "EOF after {} bytes", out.len());
            buf.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .expect("the echo in time");
    let mut flood_echo = echoed[..at].iter().chain(&echoed[at + 4..]);
    assert!(flood_echo.all(|b| *b == b'y'));
    drop((a, b));
    let (st, text) = call(s, "GET", "/v1.44/containers/keep/json", None).await;
    assert_eq!(st, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).expect("json")["State"]["Running"],
        true
    );
    alive(s).await;
    fds_settle(&d, baseline).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_attaches_to_one_container() {
    const N: usize = 2000;
    let d = Daemon::start_with(&["--max-connections", "4096"]);
    let s = d.socket.as_path();
    running(s, "many", &["cat"], json!({"OpenStdin": true})).await;
    let baseline = fd_count(d.pid());
    let mut tasks = Vec::new();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(N);
    let (go_tx, _) = tokio::sync::broadcast::channel::<()>(1);
    // Connecting 64 at a time: the listen backlog is finite.
    let connecting = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    for _ in 0..N {
        let socket = d.socket.clone();
        let ready = ready_tx.clone();
        let mut go = go_tx.subscribe();
        let connecting = connecting.clone();
        tasks.push(tokio::spawn(async move {
            let permit = connecting.acquire_owned().await.expect("semaphore");
            let (mut c, rest) = hijack(
                &socket,
                "/v1.44/containers/many/attach?stream=1&stdout=1",
                "",
            )
            .await;
            drop(permit);
            ready.send(()).await.expect("ready");
            let _ = go.recv().await;
            let got = read_stdout(&mut c, rest, 6).await;
            let (out, _) = read_frames(&mut c, Vec::new()).await;
            (got, out)
        }));
    }
    for _ in 0..N {
        tokio::time::timeout(Duration::from_secs(60), ready_rx.recv())
            .await
            .expect("all attached in time")
            .expect("ready");
    }
    assert!(fd_count(d.pid()) >= N, "{} descriptors", fd_count(d.pid()));
    let _ = go_tx.send(());
    // One writer; every reader gets its line, then the end when it stops.
    let (mut w, rest) = hijack(
        s,
        "/v1.44/containers/many/attach?stream=1&stdin=1&stdout=1",
        "",
    )
    .await;
    w.write_all(b"hello\n").await.expect("write");
    assert_eq!(read_stdout(&mut w, rest, 6).await, b"hello\n");
    let (st, text) = call(s, "POST", "/v1.44/containers/many/kill", None).await;
    assert_eq!(st, 204, "{text}");
    for t in tasks {
        let (got, rest) = t.await.expect("reader");
        assert_eq!(got, b"hello\n");
        assert!(rest.is_empty(), "{rest:?}");
    }
    drop(w);
    alive(s).await;
    fds_settle(&d, baseline).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_container_removed_mid_stream_ends_its_streams() {
    let d = Daemon::start();
    let s = d.socket.as_path();
    running(s, "doomed", &["cat"], json!({"OpenStdin": true})).await;
    let baseline = fd_count(d.pid());
    let (mut a, rest) = hijack(
        s,
        "/v1.44/containers/doomed/attach?stream=1&stdin=1&stdout=1",
        "",
    )
    .await;
    a.write_all(b"a\n").await.expect("write");
    assert_eq!(read_stdout(&mut a, rest, 2).await, b"a\n");
    let (st, text) = call(
        s,
        "POST",
        "/v1.44/containers/doomed/exec",
        Some(json!({"Cmd": ["cat"], "AttachStdin": true, "AttachStdout": true})),
    )
    .await;
    assert_eq!(st, 201, "{text}");
    let id = serde_json::from_str::<serde_json::Value>(&text).expect("json")["Id"]
        .as_str()
        .expect("id")
        .to_string();
    let (mut e, erest) = hijack(s, &format!("/v1.44/exec/{id}/start"), "{}").await;
    e.write_all(b"b\n").await.expect("write");
    assert_eq!(read_stdout(&mut e, erest, 2).await, b"b\n");
    let (st, text) = call(s, "DELETE", "/v1.44/containers/doomed?force=1", None).await;
    assert_eq!(st, 204, "{text}");
    // Both streams end (EOF) and their writes no longer matter.
    let _ = read_frames(&mut a, Vec::new()).await;
    let _ = read_frames(&mut e, Vec::new()).await;
    let _ = a.write_all(b"late\n").await;
    let res = raw(
        s,
        "POST",
        "/v1.44/containers/doomed/attach?stream=1&stdout=1",
        &[("Connection", "Upgrade"), ("Upgrade", "tcp")],
        b"",
    )
    .await;
    assert_eq!(res.status, 404, "{}", res.text());
    assert_eq!(res.json()["message"], "No such container: doomed");
    drop((a, e));
    alive(s).await;
    fds_settle(&d, baseline).await;
}
