//! Hostile requests on the Docker socket: the `sockerless` binary with some
//! state (an image, a network, a volume, a running and a created container, an
//! exec) gets a table of bad requests over Docker's routes. Each must answer
//! 4xx with `Content-Type: application/json` and a `{"message"}` body (the
//! table pins the status and Docker's words for most), and none may change the
//! state: the memory backend's full snapshot (`GET /internal/v1/memory/state`,
//! served on the same socket) after each request equals the one before it.

use std::path::Path;

use serde_json::{json, Value};

use super::common::{raw, Daemon, RawResponse};
use crate::common::{json_diff, percent_encode};

mod cases;

/// The body limit the daemon runs with: small, so "huge" bodies stay cheap.
const MAX_BODY: usize = 1 << 20;

/// One hostile request.
struct Case {
    method: &'static str,
    /// Path with its version prefix (most cases use `/v1.44`).
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// The exact status, when the table pins one (otherwise any 4xx).
    want: Option<u16>,
    /// A substring the message must contain.
    says: Option<String>,
}

fn case(method: &'static str, path: impl Into<String>) -> Case {
    Case {
        method,
        path: path.into(),
        headers: Vec::new(),
        body: Vec::new(),
        want: None,
        says: None,
    }
}

impl Case {
    /// A body with `Content-Type: application/json`.
    fn json(self, body: impl Into<Vec<u8>>) -> Case {
        self.ct("application/json").body(body)
    }
    fn ct(mut self, ct: &str) -> Case {
        self.headers.push(("Content-Type", ct.to_string()));
        self
    }
    fn body(mut self, body: impl Into<Vec<u8>>) -> Case {
        self.body = body.into();
        self
    }
    fn want(mut self, status: u16) -> Case {
        self.want = Some(status);
        self
    }
    fn says(mut self, text: impl Into<String>) -> Case {
        self.says = Some(text.into());
        self
    }
    fn describe(&self) -> String {
        let mut body = String::from_utf8_lossy(&self.body[..self.body.len().min(80)]).into_owned();
        if self.body.len() > 80 {
            body.push_str(&format!("… ({} bytes)", self.body.len()));
        }
        let mut path = self.path.clone();
        if path.len() > 120 {
            path.truncate(120);
            path.push('…');
        }
        format!("{} {path} {body}", self.method)
    }
}

/// Everything the memory backend holds, as its snapshot route gives it.
async fn snapshot(socket: &Path) -> Value {
    let res = raw(socket, "GET", "/internal/v1/memory/state", &[], b"").await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

/// What is wrong with `res` as the refusal of `c` (empty when nothing).
fn check(c: &Case, res: &RawResponse) -> Vec<String> {
    let mut wrong = Vec::new();
    if !(400..500).contains(&res.status) {
        wrong.push(format!("status {}", res.status));
    }
    if let Some(want) = c.want {
        if res.status != want {
            wrong.push(format!("want {want}"));
        }
    }
    if res.header("content-type") != Some("application/json") {
        wrong.push(format!("content-type {:?}", res.header("content-type")));
    }
    let body: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
    let message = body["message"].as_str().unwrap_or("");
    if message.is_empty() {
        wrong.push("no message".into());
    }
    if let Some(says) = &c.says {
        if !message.contains(says.as_str()) {
            wrong.push(format!("message lacks {says:?}"));
        }
    }
    wrong
}

/// A JSON call that must succeed with `want`; returns the body.
async fn ok(socket: &Path, method: &str, path: &str, body: Option<Value>, want: u16) -> Value {
    let text = body.map(|b| b.to_string()).unwrap_or_default();
    let headers: &[(&str, &str)] = if text.is_empty() {
        &[]
    } else {
        &[("Content-Type", "application/json")]
    };
    let res = raw(socket, method, path, headers, text.as_bytes()).await;
    assert_eq!(res.status, want, "{method} {path}: {}", res.text());
    if res.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&res.body).unwrap_or(Value::Null)
    }
}

/// The state the table runs against; returns the exec's id.
async fn setup(s: &Path) -> String {
    ok(
        s,
        "POST",
        "/v1.44/images/create?fromImage=alpine&tag=latest",
        None,
        200,
    )
    .await;
    ok(
        s,
        "POST",
        "/v1.44/networks/create",
        Some(json!({"Name": "hnet"})),
        201,
    )
    .await;
    ok(
        s,
        "POST",
        "/v1.44/volumes/create",
        Some(json!({"Name": "hvol"})),
        201,
    )
    .await;
    let body = json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
                      "HostConfig": {"Binds": ["hvol:/data"], "NetworkMode": "hnet"}});
    ok(
        s,
        "POST",
        "/v1.44/containers/create?name=hrun",
        Some(body),
        201,
    )
    .await;
    ok(s, "POST", "/v1.44/containers/hrun/start", None, 204).await;
    let body = json!({"Image": "alpine", "Cmd": ["true"]});
    ok(
        s,
        "POST",
        "/v1.44/containers/create?name=hcreated",
        Some(body),
        201,
    )
    .await;
    let v = ok(
        s,
        "POST",
        "/v1.44/containers/hrun/exec",
        Some(json!({"Cmd": ["echo", "hi"]})),
        201,
    )
    .await;
    v["Id"].as_str().expect("exec id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_docker_requests_are_4xx_json_and_change_nothing() {
    let d = Daemon::start_with(&["--max-body-size", &MAX_BODY.to_string()]);
    let s = d.socket.as_path();
    let exec = setup(s).await;
    let table = cases::cases(&exec);
    let total = table.len();
    assert!(total >= 200, "only {total} cases");
    eprintln!("{total} hostile Docker requests");
    let mut before = snapshot(s).await;
    let mut failures = Vec::new();
    for c in &table {
        let headers: Vec<(&str, &str)> = c.headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = raw(s, c.method, &c.path, &headers, &c.body).await;
        let mut wrong = check(c, &res);
        let after = snapshot(s).await;
        if after != before {
            wrong.push(format!(
                "state changed: {}",
                json_diff(&before, &after).join(", ")
            ));
            before = after;
        }
        if !wrong.is_empty() {
            let mut text = res.text();
            text.truncate(200);
            failures.push(format!(
                "{} → {} {}: {}",
                c.describe(),
                res.status,
                text.trim(),
                wrong.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} hostile requests misbehaved:\n{}\n{}",
        failures.len(),
        failures.join("\n"),
        d.log()
    );
    // Still serving, the exec untouched.
    let v = ok(s, "GET", &format!("/v1.44/exec/{exec}/json"), None, 200).await;
    assert_eq!(v["Running"], false);
    ok(s, "GET", "/_ping", None, 200).await;
}

/// `filters` as a query value.
fn filters(json: &str) -> String {
    format!("filters={}", percent_encode(json))
}
