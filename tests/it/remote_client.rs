//! `RemoteBackend`'s own bounds, against a memory backend that a latency rule
//! makes answer late: a non-streaming call and the head of a stream that get
//! no answer in time end as `503`s naming the backend — they never hang — and
//! the same backend object works again for the next call.

use std::time::Duration;

use serde_json::json;
use sockerless::api::WaitCondition;
use sockerless::backend::prelude::*;
use sockerless::internal_api::client::{Address, RemoteBackend, Timeouts};
use sockerless::Error;

use crate::common::{TestServer, BASE, DEADLINE};

/// Timeouts short enough for a test.
const SHORT: Timeouts = Timeouts {
    connect: Duration::from_secs(5),
    request: Duration::from_millis(300),
    stream_head: Duration::from_millis(300),
};

/// Asserts a 503 naming `address` that says no answer came within 0.3 s.
fn assert_timed_out(result: Result<(), Error>, address: &Address) {
    match result {
        Err(Error::Unavailable(message)) => {
            assert!(
                message.starts_with(&format!("backend {address} is unreachable: no ")),
                "{message}"
            );
            assert!(message.ends_with(" within 0.3 s"), "{message}");
        }
        other => panic!("expected a 503 naming the backend, got {other:?}"),
    }
}

#[tokio::test]
async fn calls_without_an_answer_in_time_are_503s_naming_the_backend() {
    let server = TestServer::with_alpine().await;
    let id = server.run("slow", json!({"Cmd": ["sleep", "1000"]})).await;
    let address = Address::Unix(server.socket.clone());
    let remote = RemoteBackend::connect(address.clone(), SHORT)
        .await
        .expect("connect");
    for operation in ["info", "container_wait"] {
        let rule = json!({"operation": operation, "latency": "30s", "times": 1});
        let (status, body) = server.post(&format!("{BASE}/memory/faults"), rule).await;
        assert_eq!(status, 201, "{body}");
    }
    let info = tokio::time::timeout(DEADLINE, remote.info())
        .await
        .expect("the call ends by itself");
    assert_timed_out(info.map(drop), &address);
    let wait = tokio::time::timeout(
        DEADLINE,
        remote.container_wait(id.clone(), WaitCondition::NotRunning),
    )
    .await
    .expect("the stream's head ends by itself");
    assert_timed_out(wait.map(drop), &address);
    // Each rule held once: the next calls are answered.
    let version = remote.version().await.expect("version");
    assert!(version.api_version.is_some());
    let inspect = remote.container_inspect(id).await.expect("inspect");
    assert_eq!(inspect.name.as_deref(), Some("/slow"));
}
