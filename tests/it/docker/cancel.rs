//! Cancellation in remote mode: a Docker client that leaves a wait, a logs
//! follow, an attach or an events stream closes the WebSocket the frontend
//! opened to the backend daemon, so nothing leaks. Observed as the backend
//! process's open sockets (`/proc/<pid>/fd`): one more while the stream is
//! open, back to the count before once the client has gone. Remote in both
//! runs of the suite (skipped in the remote rerun, `remote.rs`).

use std::path::Path;

use serde_json::json;
use tokio::net::UnixStream;

use super::common::{head_only, poll_until_async, ticker_script, BackendDaemon, Daemon};
use super::wire::{create, get, hijack, pull_alpine, start, DEADLINE};

/// Opens the stream `path` on the Docker socket and returns the connection
/// (its `200`/`101` head read).
async fn open(socket: &Path, method: &str, path: &str) -> UnixStream {
    if method == "HIJACK" {
        let (head, stream) = hijack(socket, path, None).await;
        assert_eq!(head.status, 101, "{path}");
        return stream;
    }
    let (head, stream, _) = head_only(socket, method, path, DEADLINE).await;
    assert_eq!(head.status, 200, "{method} {path}");
    stream
}

/// Polls until the backend holds `want` sockets, or at most `want` when
/// `at_most`; returns the count.
async fn sockets(backend: &BackendDaemon, what: &str, want: usize, at_most: bool) -> usize {
    poll_until_async(what, || async {
        let n = backend.open_sockets();
        let ok = if at_most { n <= want } else { n >= want };
        ok.then_some(n)
    })
    .await
}

#[tokio::test]
async fn a_client_that_leaves_a_stream_closes_the_backend_websocket() {
    let d = Daemon::start_remote(&[]);
    let s = d.socket.clone();
    let backend = d.backend.as_ref().expect("remote mode");
    pull_alpine(&s).await;
    // It writes now and then: a hijacked attach learns that its client left
    // from a failed write (a read of 0 bytes is only a half-close: the CLI
    // sends one at once), as Docker's does.
    let id = create(&s, &["sh", "-c", &ticker_script(60)], json!({})).await;
    start(&s, &id).await;
    let cases = [
        ("wait", "POST", format!("/v1.44/containers/{id}/wait")),
        (
            "logs follow",
            "GET",
            format!("/v1.44/containers/{id}/logs?follow=1&stdout=1&stderr=1"),
        ),
        (
            "attach",
            "HIJACK",
            format!("/v1.44/containers/{id}/attach?stream=1&stdout=1&stderr=1"),
        ),
        ("events", "GET", "/v1.44/events".to_string()),
    ];
    for (what, method, path) in cases {
        // The calls before it leave their pooled connections behind: count
        // from there.
        let res = get(&s, &format!("/v1.44/containers/{id}/json")).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let before = backend.open_sockets();
        let client = open(&s, method, &path).await;
        let open_now = sockets(
            backend,
            &format!("{what}: the backend's WebSocket opens"),
            before + 1,
            false,
        )
        .await;
        drop(client);
        sockets(
            backend,
            &format!("{what}: the backend's WebSocket closes after the client left"),
            open_now - 1,
            true,
        )
        .await;
    }
}
