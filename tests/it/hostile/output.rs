//! Round two, defect 1: expansions are bounded and output leaves in small
//! chunks. The reproduction: a 1 MiB environment value expanded a
//! hundred times by `sh -c 'echo $B$B…'`.

use futures_util::StreamExt;
use http::StatusCode;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;
use sockerless::sim::interp::MAX_CHUNK;

/// A running container whose `B` holds 1 MiB of `b`.
async fn container_with_big_env(s: &TestServer, name: &str) {
    let env = format!("B={}", "b".repeat(1 << 20));
    s.run(name, json!({"Env": [env], "Cmd": ["sleep", "infinity"]}))
        .await;
}

/// Starts an exec of `script` under `sh -c` and reads its socket: every
/// message's size, the bytes per stream, and the close.
async fn exec_sizes(s: &TestServer, container: &str, script: &str) -> (Vec<usize>, Attached) {
    let (status, body) = s
        .post(
            &format!("{BASE}/containers/{container}/exec"),
            json!({"Cmd": ["sh", "-c", script], "AttachStdout": true, "AttachStderr": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["Id"].as_str().expect("Id");
    let mut ws = s.ws(&format!("{BASE}/exec/{id}/start")).await;
    let mut sizes = Vec::new();
    let mut got = Attached::default();
    loop {
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .expect("closed in time");
        match msg {
            Some(Ok(Message::Binary(b))) => {
                sizes.push(b.len());
                let text = String::from_utf8_lossy(&b[1..]).into_owned();
                match b[0] {
                    1 => got.stdout.push_str(&text),
                    _ => got.stderr.push_str(&text),
                }
            }
            Some(Ok(Message::Close(frame))) => {
                got.close = frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                break;
            }
            Some(Ok(_)) => {}
            other => panic!("socket ended without a close: {other:?}"),
        }
    }
    (sizes, got)
}

#[tokio::test]
async fn a_hundred_expansions_of_a_megabyte_are_out_of_space() {
    let s = TestServer::with_alpine().await;
    container_with_big_env(&s, "big").await;
    let script = format!("echo {}", "$B".repeat(100));
    let (_, got) = exec_sizes(&s, "big", &script).await;
    assert_eq!(got.stdout, "");
    assert_eq!(got.stderr, "sh: Out of space\n");
    assert_eq!(got.close, Some((1000, "2".to_string())));
    // As the container's own command, too: the log says why, the exit is 2.
    let env = format!("B={}", "b".repeat(1 << 20));
    s.run(
        "big-main",
        json!({"Env": [env], "Cmd": ["sh", "-c", script]}),
    )
    .await;
    assert_eq!(s.exited("big-main").await["ExitCode"], 2);
    let logs = s.logs("big-main", "stdout=1&stderr=1").await;
    let text: String = logs.iter().filter_map(|l| l["Data"].as_str()).collect();
    assert_eq!(text, "sh: Out of space\n");
}

#[tokio::test]
async fn output_reaches_the_client_in_chunks_of_at_most_256_kib() {
    let s = TestServer::with_alpine().await;
    container_with_big_env(&s, "big").await;
    let (sizes, got) = exec_sizes(&s, "big", "echo $B$B$B").await;
    assert_eq!(got.stdout.len(), 3 * (1 << 20) + 1);
    assert_eq!(got.close, Some((1000, "0".to_string())));
    let largest = sizes.iter().max().copied().unwrap_or(0);
    // One byte of stream tag, then at most MAX_CHUNK bytes of output.
    assert!(largest <= MAX_CHUNK + 1, "a message of {largest} bytes");
    assert_eq!(MAX_CHUNK, 256 << 10);
}
