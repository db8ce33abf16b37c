//! Typed helpers on [`TestServer`]: one per internal-API call the tests make
//! over and over, each asserting the status a success has.

use http::{Method, StatusCode};
use serde_json::Value;
use sockerless::http::ServeOptions;
use sockerless::memory::MemoryOptions;
use sockerless::MemoryBackend;

use super::{eventually, percent_encode, TestServer, BASE, DEADLINE};

impl TestServer {
    /// A memory backend with these options.
    pub async fn with_options(options: MemoryOptions) -> TestServer {
        Self::with_backend(
            MemoryBackend::with_options(options),
            ServeOptions::default(),
        )
        .await
    }

    /// A memory backend with alpine pulled.
    pub async fn with_alpine() -> TestServer {
        let server = Self::start().await;
        server.pull("alpine").await;
        server
    }

    /// Pulls `image`: `200`.
    pub async fn pull(&self, image: &str) {
        let (status, body) = self
            .post_empty(&format!("{BASE}/images/pull?fromImage={image}"))
            .await;
        assert_eq!(status, StatusCode::OK, "pull {image}: {body}");
    }

    /// Creates a container (named `name`, percent-encoded) → (status, JSON).
    pub async fn create_container(&self, name: Option<&str>, body: Value) -> (StatusCode, Value) {
        let path = match name {
            Some(n) => format!("{BASE}/containers?name={}", percent_encode(n)),
            None => format!("{BASE}/containers"),
        };
        self.post(&path, body).await
    }

    /// Creates a container: `201`, no warnings, a 64-digit ID; returns the ID.
    pub async fn create_ok(&self, name: Option<&str>, body: Value) -> String {
        let (status, reply) = self.create_container(name, body).await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        assert_eq!(reply["Warnings"], serde_json::json!([]));
        let id = reply["Id"].as_str().expect("Id").to_string();
        assert_eq!(id.len(), 64);
        id
    }

    /// Creates container `name` from alpine with `extra` merged into the
    /// create body; returns its ID.
    pub async fn create_alpine(&self, name: &str, extra: Value) -> String {
        let mut body = serde_json::json!({"Image": "alpine"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.create_ok(Some(name), body).await
    }

    /// POSTs `path` with no body: `204`.
    pub async fn post_no_content(&self, path: &str) {
        let (status, body) = self.post_empty(path).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path}: {body}");
    }

    /// Starts container `r`: `204`.
    pub async fn start_container(&self, r: &str) {
        self.post_no_content(&format!("{BASE}/containers/{r}/start"))
            .await;
    }

    /// Creates and starts container `name` from alpine with `extra` merged in;
    /// returns its ID.
    pub async fn run(&self, name: &str, extra: Value) -> String {
        let id = self.create_alpine(name, extra).await;
        self.start_container(name).await;
        id
    }

    /// Inspects container `r`: `200`; returns the body.
    pub async fn inspect_container(&self, r: &str) -> Value {
        let (status, body) = self.get(&format!("{BASE}/containers/{r}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// A fresh server loaded with this one's state (`GET`, then `PUT
    /// /memory/state`).
    pub async fn copy_to_fresh_server(&self) -> TestServer {
        let (status, doc) = self.get(&format!("{BASE}/memory/state")).await;
        assert_eq!(status, StatusCode::OK, "{doc}");
        let fresh = TestServer::start().await;
        let r = fresh
            .call(Method::PUT, &format!("{BASE}/memory/state"), Some(doc))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        fresh
    }

    /// Container `r`'s `State`.
    pub async fn state(&self, r: &str) -> Value {
        self.inspect_container(r).await["State"].clone()
    }

    /// Waits until container `r` has exited; returns its `State`.
    pub async fn exited(&self, r: &str) -> Value {
        eventually(DEADLINE, || async {
            let s = self.state(r).await;
            (s["Status"] == "exited").then_some(s)
        })
        .await
    }

    /// Container `r`'s log records (`?{query}`): `200`.
    pub async fn logs(&self, r: &str, query: &str) -> Vec<Value> {
        let reply = self
            .call(
                Method::GET,
                &format!("{BASE}/containers/{r}/logs?{query}"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        reply.lines()
    }

    /// Opens a wait socket on container `r` and reads its one message.
    pub async fn wait(&self, r: &str, condition: &str) -> Value {
        use futures_util::StreamExt;
        let mut ws = self
            .ws(&format!("{BASE}/containers/{r}/wait?condition={condition}"))
            .await;
        let msg = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .expect("wait answered in time")
            .expect("a message")
            .expect("not an error");
        serde_json::from_str(msg.to_text().expect("text")).expect("json")
    }

    /// Creates a network → (status, JSON).
    pub async fn create_network(&self, body: Value) -> (StatusCode, Value) {
        self.post(&format!("{BASE}/networks"), body).await
    }

    /// Creates a volume → (status, JSON).
    pub async fn create_volume(&self, body: Value) -> (StatusCode, Value) {
        self.post(&format!("{BASE}/volumes"), body).await
    }
}
