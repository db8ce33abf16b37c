//! Slow and silent clients on the Docker socket (the limits live in
//! `crates/http`; these prove them on the `sockerless` binary): a connection
//! that sends nothing, or half a head, is closed at the header-read timeout
//! and gives its `--max-connections` slot back; a body that never finishes is
//! 408 at the body read timeout.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use super::common::{parse_response, raw, Daemon};

/// Reads until the server closes (within `within`): what it sent. A reset
/// is a close too: a server that closes with the client's bytes still
/// unread (a head cut while it drips in) resets the connection, and the
/// read then fails with `ConnectionReset` instead of ending.
async fn until_closed(c: &mut UnixStream, within: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let read = tokio::time::timeout(within, c.read_to_end(&mut out))
        .await
        .expect("closed by the server in time");
    match read {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("read: {e}"),
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_half_head_clients_are_closed_and_free_their_slots() {
    let d = Daemon::start_with(&["--header-read-timeout", "1", "--max-connections", "3"]);
    let s = d.socket.as_path();
    // Fill every slot: two silent clients and one with half a head.
    let mut silent1 = UnixStream::connect(s).await.expect("connect");
    let mut silent2 = UnixStream::connect(s).await.expect("connect");
    let mut half = UnixStream::connect(s).await.expect("connect");
    half.write_all(b"GET /v1.44/containers/json HTTP/1.1\r\nHost: d")
        .await
        .expect("write");
    // A real request waits for a slot, and gets one once the timeout has
    // closed the others.
    let started = Instant::now();
    let res = raw(s, "GET", "/_ping", &[], b"").await;
    assert_eq!(res.status, 200);
    for c in [&mut silent1, &mut silent2, &mut half] {
        let out = until_closed(c, Duration::from_secs(10)).await;
        assert!(
            out.is_empty() || out.starts_with(b"HTTP/1.1 408"),
            "{:?}",
            String::from_utf8_lossy(&out)
        );
    }
    eprintln!(
        "a request behind three silent clients: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dripping_head_is_cut_at_the_header_read_timeout() {
    let d = Daemon::start_with(&["--header-read-timeout", "1"]);
    let mut c = UnixStream::connect(&d.socket).await.expect("connect");
    let head = b"GET /v1.44/containers/json?all=1&limit=5&size=0 HTTP/1.1\r\nHost: docker\r\nUser-Agent: slowloris\r\n\r\n";
    let started = Instant::now();
    let mut closed = false;
    for b in head {
        if c.write_all(&[*b]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = until_closed(&mut c, Duration::from_secs(10)).await;
    // Cut before the head was complete: no 200.
    assert!(
        !out.starts_with(b"HTTP/1.1 200"),
        "served after {:?}",
        started.elapsed()
    );
    assert!(
        closed || out.is_empty() || out.starts_with(b"HTTP/1.1 408"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_finishes_is_408() {
    // The default is 30 s (README); the setting keeps this test short.
    let d = Daemon::start_with(&["--body-read-timeout", "1.5"]);
    let mut c = UnixStream::connect(&d.socket).await.expect("connect");
    let req = "POST /v1.44/containers/create?name=never HTTP/1.1\r\nHost: docker\r\n\
               Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Image\":";
    c.write_all(req.as_bytes()).await.expect("write");
    let started = Instant::now();
    let out = until_closed(&mut c, Duration::from_secs(30)).await;
    // Not before the timeout (the deadline runs from the head, sent before
    // `started`).
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
    let res = parse_response(&out, false);
    assert_eq!(res.status, 408, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(
        res.json()["message"],
        "request body not received within 1.5 s"
    );
    // Nothing was created.
    let list = raw(&d.socket, "GET", "/v1.44/containers/json?all=1", &[], b"").await;
    assert_eq!(list.text().trim(), "[]");
}
