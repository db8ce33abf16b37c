//! Black-box tests of the memory backend's test-double controls under
//! `/internal/v1/memory/…`: reset, seed, clock, state snapshot, script rules,
//! fault rules and profiles.

use sockerless::backend::prelude::*;
use std::time::{Duration, SystemTime};

use crate::common::*;
use futures_util::StreamExt;
use http::{Method, StatusCode};
use serde_json::{json, Value};
use sockerless::memory::controls::{FaultSpec, Profile};
use sockerless::memory::MemoryOptions;
use sockerless::MemoryBackend;
use tokio_tungstenite::tungstenite::Message;

mod faults;
mod profiles;
mod reset;
mod scripts;
mod seed_clock;
mod snapshot;

const BASE: &str = "/internal/v1";
const MEM: &str = "/internal/v1/memory";
const DEADLINE: Duration = Duration::from_secs(5);

async fn wait_message(ws: &mut WsUnix) -> Value {
    let msg = tokio::time::timeout(DEADLINE, ws.next())
        .await
        .expect("answered in time")
        .expect("a message")
        .expect("not an error");
    serde_json::from_str(msg.to_text().expect("text")).expect("json")
}

type WsUnix = tokio_tungstenite::WebSocketStream<tokio::net::UnixStream>;

/// Reads until the close frame; returns (close code, reason).
async fn until_close(ws: &mut WsUnix) -> (u16, String) {
    loop {
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .expect("closed in time");
        match msg {
            Some(Ok(Message::Close(f))) => {
                return f
                    .map(|f| (u16::from(f.code), f.reason.to_string()))
                    .unwrap_or((1005, String::new()))
            }
            Some(Ok(_)) => {}
            None | Some(Err(_)) => return (1006, String::new()),
        }
    }
}
