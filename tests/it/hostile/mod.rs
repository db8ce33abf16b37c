//! Hostile input: a table of bad requests across every route. Each must answer
//! 4xx with a JSON `{"message"}` body and `content-type: application/json`, and
//! none may change state: a full dump of the state after each request equals the
//! dump before it.

use crate::common::*;
use bytes::Bytes;
use http::{Method, Request};
use http_body_util::Full;
use serde_json::{json, Value};

mod cases;
mod clock;
mod create;
mod output;
mod races;
mod upgrade;

use cases::cases;

/// One hostile request.
struct Case {
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    /// WebSocket upgrade headers (so the refusal comes from the route itself).
    upgrade: bool,
    /// The exact status, when the table pins one (otherwise any 4xx).
    want: Option<u16>,
    /// A substring the message must contain.
    says: Option<String>,
}

fn case(method: Method, path: impl Into<String>) -> Case {
    Case {
        method,
        path: path.into(),
        content_type: None,
        body: Vec::new(),
        upgrade: false,
        want: None,
        says: None,
    }
}

impl Case {
    fn json(mut self, body: impl Into<Vec<u8>>) -> Case {
        self.content_type = Some("application/json");
        self.body = body.into();
        self
    }
    fn ct(mut self, ct: Option<&'static str>) -> Case {
        self.content_type = ct;
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
    fn ws(mut self) -> Case {
        self.upgrade = true;
        self
    }
    fn request(&self) -> Request<Full<Bytes>> {
        let mut b = Request::builder()
            .method(self.method.clone())
            .uri(format!("/internal/v1{}", self.path))
            .header("host", "localhost");
        if let Some(ct) = self.content_type {
            b = b.header("content-type", ct);
        }
        if self.upgrade {
            b = b
                .header("connection", "Upgrade")
                .header("upgrade", "websocket")
                .header("sec-websocket-version", "13")
                .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
        }
        b.body(Full::new(Bytes::from(self.body.clone())))
            .expect("request")
    }
}

/// Every JSON body route with a valid-looking body, for the body mutations.
fn json_routes() -> Vec<(Method, &'static str)> {
    vec![
        (Method::POST, "/containers?name=hostile"),
        (Method::POST, "/containers/hrun/exec"),
        (Method::POST, "/exec/EXEC/start"),
        (Method::POST, "/networks"),
        (Method::POST, "/networks/hnet/connect"),
        (Method::POST, "/networks/hnet/disconnect"),
        (Method::POST, "/volumes"),
        (Method::POST, "/auth"),
        (Method::POST, "/containers/hrun/start"),
        (Method::GET, "/info"),
    ]
}

/// A plain tar holding one file (valid tar, not an image archive).
fn plain_tar(name: &str, data: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, name, data).expect("tar");
    b.into_inner().expect("tar")
}

/// Everything a client can read about the state, with volatile text removed.
async fn dump(s: &TestServer) -> Value {
    let (_, mut containers) = s.get("/internal/v1/containers?all=1").await;
    let mut inspects = Vec::new();
    for c in containers.as_array_mut().expect("list") {
        let id = c["Id"].as_str().expect("id").to_string();
        c.as_object_mut().expect("obj").remove("Status");
        let (st, v) = s.get(&format!("/internal/v1/containers/{id}")).await;
        assert_eq!(st, 200);
        inspects.push(v);
    }
    let (_, images) = s.get("/internal/v1/images").await;
    let mut image_inspects = Vec::new();
    for i in images.as_array().expect("images") {
        let id = i["Id"].as_str().expect("id");
        image_inspects.push(s.get(&format!("/internal/v1/images/{id}")).await.1);
    }
    let (_, networks) = s.get("/internal/v1/networks").await;
    let mut net_inspects = Vec::new();
    for n in networks.as_array().expect("networks") {
        let id = n["Id"].as_str().expect("id");
        net_inspects.push(s.get(&format!("/internal/v1/networks/{id}")).await.1);
    }
    let (_, volumes) = s.get("/internal/v1/volumes").await;
    json!({
        "containers": containers,
        "inspects": inspects,
        "images": images,
        "image_inspects": image_inspects,
        "networks": networks,
        "net_inspects": net_inspects,
        "volumes": volumes,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_are_4xx_json_and_change_nothing() {
    let s = TestServer::start().await;
    // Non-trivial state: an image, a network, a volume, a running and a created
    // container, an exec.
    let r = s
        .call(
            Method::POST,
            "/internal/v1/images/pull?fromImage=alpine",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let (st, _) = s
        .post("/internal/v1/networks", json!({"Name": "hnet"}))
        .await;
    assert_eq!(st, 201);
    let (st, _) = s
        .post("/internal/v1/volumes", json!({"Name": "hvol"}))
        .await;
    assert_eq!(st, 201);
    let (st, v) = s
        .post(
            "/internal/v1/containers?name=hrun",
            json!({"Image": "alpine", "Cmd": ["sleep", "infinity"],
                   "HostConfig": {"Binds": ["hvol:/data"], "NetworkMode": "hnet"}}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let (st, _) = s.post_empty("/internal/v1/containers/hrun/start").await;
    assert_eq!(st, 204);
    let (st, v) = s
        .post(
            "/internal/v1/containers?name=hcreated",
            json!({"Image": "alpine", "Cmd": ["true"]}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = s
        .post(
            "/internal/v1/containers/hrun/exec",
            json!({"Cmd": ["echo", "hi"]}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let exec = v["Id"].as_str().expect("exec id").to_string();

    let mut before = dump(&s).await;
    let exec_before = s.get(&format!("/internal/v1/exec/{exec}")).await;
    let table = cases(&exec);
    let total = table.len();
    assert!(total >= 150, "only {total} cases");
    eprintln!("{total} hostile requests");
    let mut failures = Vec::new();
    for c in &table {
        let r = s.send(c.request()).await;
        let what = format!("{} {} {:?}", c.method, c.path, c.content_type);
        let status = r.status.as_u16();
        let ct = r
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = r.json();
        let message = body["message"].as_str().unwrap_or("").to_string();
        let mut wrong = Vec::new();
        if !(400..500).contains(&status) {
            wrong.push(format!("status {status}"));
        }
        if let Some(want) = c.want {
            if status != want {
                wrong.push(format!("status {status}, want {want}"));
            }
        }
        if ct != "application/json" {
            wrong.push(format!("content-type {ct:?}"));
        }
        if message.is_empty() {
            wrong.push(format!("no message in {}", r.text()));
        }
        if let Some(says) = &c.says {
            if !message.contains(says.as_str()) {
                wrong.push(format!("message {message:?} lacks {says:?}"));
            }
        }
        let after = dump(&s).await;
        if after != before {
            let diffs = json_diff(&before, &after);
            wrong.push(format!("state changed: {}", diffs.join(", ")));
            before = after;
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{what} → {status} {message:?}: {}",
                wrong.join("; ")
            ));
        }
    }
    assert_eq!(
        s.get(&format!("/internal/v1/exec/{exec}")).await,
        exec_before,
        "the exec was touched"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} hostile requests misbehaved:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Still serving normally afterwards.
    let (st, _) = s.get("/internal/v1/info").await;
    assert_eq!(st, 200);
    s.stop().await;
}

/// Values Docker accepts that look hostile: accepted here too, and harmless.
#[tokio::test]
async fn legitimately_accepted_values() {
    let s = TestServer::start().await;
    // `limit=-1` is Docker's own default ("no limit"); 0 and other negatives mean
    // the same in Docker (`if config.Limit > 0`), so they are 200.
    for q in ["limit=-1", "limit=0", "limit=-99999999999"] {
        let (st, v) = s.get(&format!("/internal/v1/containers?{q}")).await;
        assert_eq!(st, 200, "{q}: {v}");
    }
    // `t=-1` means "wait forever" in Docker (any negative does); a stop of a
    // container that is not running is a no-op (304) whatever `t` says.
    let r = s
        .call(
            Method::POST,
            "/internal/v1/images/pull?fromImage=alpine",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let (st, _) = s
        .post(
            "/internal/v1/containers?name=c1",
            json!({"Image": "alpine", "Cmd": ["true"]}),
        )
        .await;
    assert_eq!(st, 201);
    for t in ["-1", "0", "9223372036"] {
        let (st, v) = s
            .post_empty(&format!("/internal/v1/containers/c1/stop?t={t}"))
            .await;
        assert_eq!(st, 304, "t={t}: {v}");
    }
    s.stop().await;
}
