//! Runs scenarios against a Docker API socket (the real engine or sockerless):
//! expands `{{…}}` from earlier responses, sends each step, normalises what
//! comes back, and removes what the scenario created.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::client::{self, Request, Response};
use super::normalise::Normaliser;
use super::scenario::{Scenario, Shape, Step};

/// The API version every request is sent at.
pub const API: &str = "1.44";

/// The images every scenario may use; pulled first where missing (sockerless),
/// already there on the real engine (which has no registry).
pub const IMAGES: &[&str] = &["alpine:latest", "alpine:3.10", "busybox:latest"];

/// How long an ordinary response may take.
const RESPONSE_DEADLINE: Duration = Duration::from_secs(20);

/// Where to send requests.
#[derive(Debug, Clone)]
pub struct Target {
    /// The Docker API socket.
    pub socket: PathBuf,
    /// Its data root (`DockerRootDir`), normalised away; set by [`Target::prepare`].
    pub root: String,
}

impl Target {
    /// Sends `method target` at the API version, with an optional JSON body.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Response, String> {
        let mut req = Request {
            method: method.into(),
            target: format!("/v{API}{path}"),
            read_for: RESPONSE_DEADLINE,
            max_bytes: usize::MAX,
            ..Request::default()
        };
        if let Some(b) = body {
            req.body = b.to_string().into_bytes();
            req.headers
                .push(("Content-Type".into(), "application/json".into()));
        }
        client::send(&self.socket, &req, None)
    }

    /// A target at `socket`.
    pub fn new(socket: PathBuf) -> Target {
        Target {
            socket,
            root: String::new(),
        }
    }

    /// Learns the data root and makes sure the corpus images exist (a pull
    /// where one is missing).
    pub fn prepare(&mut self) -> Result<(), String> {
        let info = self.call("GET", "/info", None)?;
        let info: Value = serde_json::from_slice(&info.body).map_err(|e| format!("info: {e}"))?;
        self.root = info["DockerRootDir"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for image in IMAGES {
            let res = self.call("GET", &format!("/images/{image}/json"), None)?;
            if res.status == 200 {
                continue;
            }
            let (name, tag) = image.split_once(':').unwrap_or((image, "latest"));
            let res = self.call(
                "POST",
                &format!("/images/create?fromImage={name}&tag={tag}"),
                None,
            )?;
            if res.status != 200 {
                return Err(format!("cannot pull {image}: {}", res.status));
            }
        }
        Ok(())
    }

    /// The engine's version string (`GET /version`'s `Version`).
    pub fn engine_version(&self) -> String {
        self.call("GET", "/version", None)
            .ok()
            .and_then(|r| serde_json::from_slice::<Value>(&r.body).ok())
            .and_then(|v| v.get("Version").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| "unknown".into())
    }
}

/// What a scenario left behind, removed after its steps.
#[derive(Debug, Default)]
struct Created {
    containers: Vec<String>,
    networks: Vec<String>,
    volumes: Vec<String>,
    images: Vec<String>,
}

/// One run of one scenario.
struct Run<'a> {
    target: &'a Target,
    scenario: &'a Scenario,
    shapes: &'a BTreeMap<String, Shape>,
    binds: BTreeMap<String, Value>,
    t0: u64,
    created: Created,
    pending: BTreeMap<String, (Step, JoinHandle<Result<Response, String>>)>,
    norm: Normaliser,
}

/// Runs `scenario` against `target`; the normalised record of each step
/// (`null` for a quiet or async one), or why it could not run.
pub fn run(
    target: &Target,
    scenario: &Scenario,
    shapes: &BTreeMap<String, Shape>,
) -> Result<Vec<Value>, String> {
    let mut run = Run {
        target,
        scenario,
        shapes,
        binds: BTreeMap::new(),
        t0: unix_now().saturating_sub(1),
        created: Created::default(),
        pending: BTreeMap::new(),
        norm: Normaliser::new(&target.root),
    };
    let mut records = Vec::new();
    let mut failure = None;
    for (i, step) in scenario.steps.iter().enumerate() {
        match run.step(step) {
            Ok(Some(rec)) => records.push(rec),
            Ok(None) => records.push(Value::Null),
            Err(e) => {
                failure = Some(format!("step {i} ({:?}): {e}", step.req));
                break;
            }
        }
    }
    for step in &scenario.cleanup {
        let _ = run.step(step);
    }
    for (_, (_, handle)) in std::mem::take(&mut run.pending) {
        let _ = handle.join();
    }
    run.remove_created();
    match failure {
        Some(e) => Err(e),
        None => Ok(records),
    }
}

impl Run<'_> {
    fn step(&mut self, step: &Step) -> Result<Option<Value>, String> {
        if let Some(name) = &step.await_name {
            let (sent, handle) = self
                .pending
                .remove(name)
                .ok_or(format!("no async step {name}"))?;
            let res = handle
                .join()
                .map_err(|_| "async step panicked".to_string())??;
            // Recorded as the async step says (how to read, what to keep).
            let as_sent = Step {
                quiet: step.quiet,
                ..sent
            };
            return Ok(self.record(&as_sent, &format!("await {name}"), &res));
        }
        let written = step.req.clone().ok_or("a step needs req or await")?;
        let (method, path) = written
            .split_once(' ')
            .ok_or(format!("bad req {written:?}"))?;
        let path = url_escape(&self.expand(path)?);
        let mut req = Request {
            method: method.to_string(),
            target: if step.unversioned {
                path.clone()
            } else {
                format!("/v{API}{path}")
            },
            hijack: step.hijack,
            close_write: step.close_write,
            read_for: step
                .read_ms
                .map(Duration::from_millis)
                .unwrap_or(RESPONSE_DEADLINE),
            max_bytes: 1 << 20,
            ..Request::default()
        };
        for (k, v) in &step.headers {
            req.headers.push((k.clone(), self.expand(v)?));
        }
        if let Some(body) = &step.body {
            req.body = self.expand_value(body)?.to_string().into_bytes();
            req.headers
                .push(("Content-Type".into(), "application/json".into()));
        }
        if let Some(text) = &step.text {
            req.body = self.expand(text)?.into_bytes();
        }
        if let Some(send) = &step.send {
            req.send = self.expand(send)?.into_bytes();
        }
        if let Some(name) = &step.async_as {
            let (tx, rx) = mpsc::channel();
            let socket = self.target.socket.clone();
            let handle = std::thread::spawn(move || client::send(&socket, &req, Some(tx)));
            // Go on once the head is in (the request is registered), or the
            // request has failed.
            let _ = rx.recv_timeout(RESPONSE_DEADLINE);
            self.pending.insert(name.clone(), (step.clone(), handle));
            return Ok(None);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let res = loop {
            let res = client::send(&self.target.socket, &req, None)?;
            let Some((ptr, want)) = &step.until else {
                break res;
            };
            let body: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
            if body.pointer(ptr) == Some(want) || Instant::now() > deadline {
                break res;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        self.track(method, &path, &res);
        Ok(self.record(step, &written, &res))
    }

    /// Binds and records a response.
    fn record(&mut self, step: &Step, written: &str, res: &Response) -> Option<Value> {
        if let Some(name) = &step.bind {
            let body = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
            self.binds.insert(name.clone(), body);
        }
        if step.quiet {
            self.norm.learn(&String::from_utf8_lossy(&res.body));
            return None;
        }
        let shape = step.shape.as_ref().and_then(|s| self.shapes.get(s));
        Some(self.norm.response(written, step, res, shape))
    }

    /// Remembers what a successful create made, for the cleanup.
    fn track(&mut self, method: &str, path: &str, res: &Response) {
        if method != "POST" || !(200..300).contains(&res.status) {
            return;
        }
        let body: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
        let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
        if path.starts_with("/containers/create") {
            self.created.containers.extend(field("Id"));
        } else if path.starts_with("/networks/create") {
            self.created.networks.extend(field("Id"));
        } else if path.starts_with("/volumes/create") {
            self.created.volumes.extend(field("Name"));
        } else if let Some(rest) = path.strip_prefix("/images/") {
            if let Some((_, query)) = rest.split_once("/tag?") {
                let q: BTreeMap<&str, &str> = query
                    .split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .collect();
                if let Some(repo) = q.get("repo") {
                    let tag = q.get("tag").copied().unwrap_or("latest");
                    self.created.images.push(format!("{repo}:{tag}"));
                }
            }
        }
    }

    fn remove_created(&mut self) {
        let t = self.target;
        for id in &self.created.containers {
            let _ = t.call("DELETE", &format!("/containers/{id}?force=1&v=1"), None);
        }
        for id in &self.created.networks {
            let _ = t.call("DELETE", &format!("/networks/{id}"), None);
        }
        for name in &self.created.volumes {
            let _ = t.call("DELETE", &format!("/volumes/{name}?force=1"), None);
        }
        for image in &self.created.images {
            let _ = t.call("DELETE", &format!("/images/{image}?force=1"), None);
        }
    }

    /// Expands every `{{…}}` in `s`: `name` (`fid-<scenario>`), `t0` (the
    /// scenario's start, Unix seconds, minus one), `now`, `next` (now + 1 s), and `bound.Path.To`
    /// (with `:N` for the first N characters).
    fn expand(&self, s: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or(format!("unclosed {{{{ in {s:?}"))?;
            out.push_str(&self.lookup(&after[..end])?);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn lookup(&self, expr: &str) -> Result<String, String> {
        let (expr, cut) = match expr.rsplit_once(':') {
            Some((e, n)) if n.chars().all(|c| c.is_ascii_digit()) => (e, n.parse::<usize>().ok()),
            _ => (expr, None),
        };
        let value = match expr {
            "name" => format!("fid-{}", self.scenario.name),
            "t0" => self.t0.to_string(),
            "now" => unix_now().to_string(),
            "next" => (unix_now() + 1).to_string(),
            _ => {
                let (bind, path) = expr.split_once('.').unwrap_or((expr, ""));
                let root = self
                    .binds
                    .get(bind)
                    .ok_or(format!("nothing bound as {bind}"))?;
                let ptr = if path.is_empty() {
                    String::new()
                } else {
                    format!("/{}", path.replace('.', "/"))
                };
                match root.pointer(&ptr) {
                    Some(Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                    None => return Err(format!("{expr}: not in {root}")),
                }
            }
        };
        Ok(match cut {
            Some(n) => value.chars().take(n).collect(),
            None => value,
        })
    }

    fn expand_value(&self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => Value::String(self.expand(s)?),
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.expand_value(x))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| Ok((self.expand(k)?, self.expand_value(x)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }
}

/// Percent-encodes what may not stand in a request target as written in the
/// corpus (JSON filters, spaces), leaving `%` escapes as they are.
fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b' ' | b'"' | b'{' | b'}' | b'[' | b']' | b'<' | b'>' | b'|' | b'\\' | b'^' | b'`'
            | b'#' => {
                format!("%{b:02X}")
            }
            0x80.. => format!("%{b:02X}"),
            _ => (b as char).to_string(),
        })
        .collect()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `unix:///path` or `/path` to a path.
pub fn socket_of(host: &str) -> PathBuf {
    Path::new(host.strip_prefix("unix://").unwrap_or(host)).to_path_buf()
}
