//! Black-box tests of simulated processes: exit statuses, label overrides,
//! signals, logs (tail/since/until/follow/bound), attach, health checks, top
//! and stats.

use std::time::Duration;

use crate::common::*;
use futures_util::{SinkExt, StreamExt};
use http::StatusCode;
use serde_json::{json, Value};
use sockerless::memory::MemoryOptions;
use sockerless::MemoryBackend;
use tokio::net::UnixStream;
use tokio_tungstenite::tungstenite::Message;

mod attach;
mod exit;
mod health;
mod labels;
mod logs;
mod signals;
mod top_stats;

fn data(records: &[Value]) -> String {
    records
        .iter()
        .map(|r| r["Data"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Reads frames until `stdout` contains `want`.
async fn read_stdout_until(ws: &mut Ws, want: &str) -> String {
    let mut out = String::new();
    while !out.contains(want) {
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .unwrap_or_else(|_| panic!("no {want:?} in time; got {out:?}"))
            .expect("socket open")
            .expect("no error");
        match msg {
            Message::Binary(b) if b.first() == Some(&1) => {
                out.push_str(&String::from_utf8_lossy(&b[1..]))
            }
            Message::Binary(_) => {}
            other => panic!("unexpected {other:?} while waiting for {want:?}"),
        }
    }
    out
}

fn attach_path(name: &str) -> String {
    format!("{BASE}/containers/{name}/attach?stdin=1&stdout=1&stderr=1&stream=1")
}

/// Reads log-stream text messages until a close; returns the records and whether
/// the close was normal.
async fn read_log_stream(ws: &mut Ws) -> (Vec<Value>, Option<u16>) {
    let mut records = Vec::new();
    loop {
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .expect("log stream ended in time");
        match msg {
            Some(Ok(Message::Text(t))) => {
                records.push(serde_json::from_str(t.as_str()).expect("json record"))
            }
            Some(Ok(Message::Close(f))) => return (records, f.map(|f| u16::from(f.code))),
            Some(Ok(other)) => panic!("unexpected {other:?}"),
            Some(Err(_)) | None => return (records, None),
        }
    }
}
