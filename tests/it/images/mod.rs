//! Black-box tests of the image routes: pull, list, inspect, load, tag, remove,
//! prune and auth.

use std::sync::Arc;
use std::time::SystemTime;

use crate::common::*;
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::Full;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sockerless::http::ServeOptions;
use sockerless::MemoryBackend;

mod auth;
mod load;
mod manage;
mod pull;

const V1: &str = "/internal/v1";

fn sha(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn pull(server: &TestServer, query: &str) -> Reply {
    server
        .call(Method::POST, &format!("{V1}/images/pull?{query}"), None)
        .await
}

async fn pull_ok(server: &TestServer, query: &str) -> Vec<Value> {
    let r = pull(server, query).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
    r.lines()
}

async fn inspect(server: &TestServer, name: &str) -> (StatusCode, Value) {
    server.get(&format!("{V1}/images/{name}")).await
}

async fn list(server: &TestServer, filters: Option<Value>) -> (StatusCode, Value) {
    let path = match filters {
        Some(f) => format!(
            "{V1}/images?filters={}",
            percent_encoding::utf8_percent_encode(
                &f.to_string(),
                percent_encoding::NON_ALPHANUMERIC
            )
        ),
        None => format!("{V1}/images"),
    };
    server.get(&path).await
}

fn tags_of(list: &Value) -> Vec<Vec<String>> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|i| {
            i["RepoTags"]
                .as_array()
                .expect("tags")
                .iter()
                .map(|t| t.as_str().expect("str").to_string())
                .collect()
        })
        .collect()
}

fn message(v: &Value) -> &str {
    v["message"].as_str().unwrap_or("<no message>")
}
