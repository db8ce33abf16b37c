//! The `/memory/…` routes of [`SystemBackend::extension`]: one function per
//! route group, each answering its methods (and 405 naming the allowed ones).
//!
//! [`SystemBackend::extension`]: sockerless_core::backend::SystemBackend::extension

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Deserialize;
use serde_json::{json, Value};

use super::faults::{FaultRule, FaultSpec};
use super::live::lock;
use super::scripts::{ScriptRule, ScriptSpec};
use super::state::StateDocument;
use crate::backend::MemoryBackend;
use sockerless_core::api::{ExtensionRequest, ExtensionResponse};
use sockerless_core::error::{Error, Result};
use sockerless_core::{Method, StatusCode};

/// The body of `POST /memory/seed`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedBody {
    seed: u64,
}

/// A rule kept in a control list (scripts, faults).
trait ListedRule {
    fn rule_id(&self) -> u64;
    fn listed(&self) -> Value;
}

impl ListedRule for FaultRule {
    fn rule_id(&self) -> u64 {
        self.id
    }
    fn listed(&self) -> Value {
        self.to_json()
    }
}

impl ListedRule for Arc<ScriptRule> {
    fn rule_id(&self) -> u64 {
        self.id
    }
    fn listed(&self) -> Value {
        self.to_json()
    }
}

/// `GET`, `PUT` and `DELETE` of one rule of a control list, by ID.
fn rule_item<R: ListedRule, S: serde::de::DeserializeOwned>(
    rules: &Mutex<Vec<R>>,
    kind: &str,
    id: &str,
    method: &Method,
    path: &str,
    request_body: Option<Value>,
    compile: impl FnOnce(u64, S) -> Result<R>,
) -> Result<ExtensionResponse> {
    let missing = || Error::not_found(format!("no such {kind} rule: {id}"));
    let id: u64 = id.parse().map_err(|_| missing())?;
    let mut rules = lock(rules);
    let pos = rules
        .iter()
        .position(|r| r.rule_id() == id)
        .ok_or_else(missing)?;
    match *method {
        Method::GET => ok(StatusCode::OK, rules[pos].listed()),
        Method::PUT => {
            let rule = compile(id, body(request_body)?)?;
            let v = rule.listed();
            rules[pos] = rule;
            ok(StatusCode::OK, v)
        }
        Method::DELETE => {
            rules.remove(pos);
            no_content()
        }
        _ => Err(method_not_allowed(
            method,
            &format!("/internal/v1{path}"),
            "GET, PUT, DELETE",
        )),
    }
}

fn body<T: serde::de::DeserializeOwned>(v: Option<Value>) -> Result<T> {
    let v = v.ok_or_else(|| Error::bad_request("a JSON body is required"))?;
    serde_json::from_value(v).map_err(|e| Error::bad_request(format!("invalid JSON: {e}")))
}

fn ok(status: StatusCode, body: Value) -> Result<ExtensionResponse> {
    Ok(ExtensionResponse {
        status,
        body: Some(body),
    })
}

fn no_content() -> Result<ExtensionResponse> {
    Ok(ExtensionResponse {
        status: StatusCode::NO_CONTENT,
        body: None,
    })
}

fn method_not_allowed(method: &Method, path: &str, allow: &str) -> Error {
    Error::MethodNotAllowed {
        message: format!("method {method} not allowed on {path}; allowed: {allow}"),
        allow: allow.into(),
    }
}

fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    query?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == key).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// Every rule of a control list, as `GET` lists them.
fn listed<R: ListedRule>(rules: &Mutex<Vec<R>>) -> Value {
    Value::Array(lock(rules).iter().map(ListedRule::listed).collect())
}

impl MemoryBackend {
    /// `SystemBackend::extension`: the `/memory/…` routes.
    pub(crate) fn controls_extension(&self, req: ExtensionRequest) -> Result<ExtensionResponse> {
        let path = req.path.clone();
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let m = &req.method;
        let not_allowed =
            |allow: &str| Err(method_not_allowed(m, &format!("/internal/v1{path}"), allow));
        match segs.as_slice() {
            ["memory", "config"] => match *m {
                Method::GET => ok(StatusCode::OK, self.controls_config()),
                _ => not_allowed("GET"),
            },
            ["memory", "reset"] => match *m {
                Method::POST => {
                    self.reset();
                    no_content()
                }
                _ => not_allowed("POST"),
            },
            ["memory", "seed"] => match *m {
                Method::POST => self.reseed(body(req.body)?),
                _ => not_allowed("POST"),
            },
            ["memory", "clock"] => match *m {
                Method::GET => ok(StatusCode::OK, self.clock_json()),
                Method::POST => {
                    lock(&self.controls.clock).apply(body(req.body)?)?;
                    ok(StatusCode::OK, self.clock_json())
                }
                _ => not_allowed("GET, POST"),
            },
            ["memory", "state"] => match *m {
                Method::GET => {
                    let doc = self.snapshot();
                    let v = serde_json::to_value(&doc)
                        .map_err(|e| Error::internal(format!("serialising the state: {e}")))?;
                    ok(StatusCode::OK, v)
                }
                Method::PUT => {
                    let doc: StateDocument = body(req.body)?;
                    self.load_state(doc)?;
                    no_content()
                }
                _ => not_allowed("GET, PUT"),
            },
            ["memory", "scripts"] => match *m {
                Method::GET => ok(StatusCode::OK, listed(&self.controls.scripts)),
                Method::POST => {
                    let spec: ScriptSpec = body(req.body)?;
                    let rule = ScriptRule::compile(self.controls.rule_id(), spec)?;
                    let v = rule.to_json();
                    lock(&self.controls.scripts).push(Arc::new(rule));
                    ok(StatusCode::CREATED, v)
                }
                _ => not_allowed("GET, POST"),
            },
            ["memory", "scripts", id] => rule_item(
                &self.controls.scripts,
                "script",
                id,
                m,
                &path,
                req.body,
                |id, spec: ScriptSpec| ScriptRule::compile(id, spec).map(Arc::new),
            ),
            ["memory", "faults"] => match *m {
                Method::GET => ok(StatusCode::OK, listed(&self.controls.faults)),
                Method::POST => {
                    let spec: FaultSpec = body(req.body)?;
                    let rule = FaultRule::compile(self.controls.rule_id(), spec)?;
                    let v = rule.to_json();
                    lock(&self.controls.faults).push(rule);
                    ok(StatusCode::CREATED, v)
                }
                Method::DELETE => {
                    lock(&self.controls.faults).clear();
                    no_content()
                }
                _ => not_allowed("GET, POST, DELETE"),
            },
            ["memory", "faults", id] => rule_item(
                &self.controls.faults,
                "fault",
                id,
                m,
                &path,
                req.body,
                FaultRule::compile,
            ),
            ["memory", "containers", r, "exit"] => match *m {
                Method::POST => {
                    let r = percent_encoding::percent_decode_str(r)
                        .decode_utf8_lossy()
                        .into_owned();
                    let code = match query_param(req.query.as_deref(), "code") {
                        Some(c) => c
                            .trim()
                            .parse::<i64>()
                            .map_err(|_| Error::bad_request(format!("invalid code {c:?}")))?,
                        None => 0,
                    };
                    self.manual_exit(&r, code)?;
                    no_content()
                }
                _ => not_allowed("POST"),
            },
            _ => Err(Error::not_found("page not found")),
        }
    }

    /// `POST /memory/seed`: a fresh seeded generator, and the PIDs restart
    /// from its first draw.
    fn reseed(&self, b: SeedBody) -> Result<ExtensionResponse> {
        *lock(&self.controls.rng) = Some(StdRng::seed_from_u64(b.seed));
        *lock(&self.controls.seed) = Some(b.seed);
        let first_pid = self.with_rng(|r| u64::from(r.random::<u16>()));
        self.pids.store(first_pid, Ordering::Relaxed);
        ok(StatusCode::OK, json!({ "seed": b.seed }))
    }

    fn clock_json(&self) -> Value {
        let frozen = lock(&self.controls.clock).is_frozen();
        json!({ "now": sockerless_core::docker::timefmt::rfc3339_nano(self.now()), "frozen": frozen })
    }

    fn controls_config(&self) -> Value {
        let caps = self.controls.profile.capabilities();
        json!({
            "seed": *lock(&self.controls.seed),
            "clock": self.clock_json(),
            "profile": self.controls.profile.name(),
            "profile_latency": self.controls.profile_latency,
            "capabilities": caps.capabilities,
            "log_limit": self.options.log_limit,
            "state_file": self.options.state_file.as_ref().map(|p| p.display().to_string()),
            "epoch": self.epoch(),
            "rules": {
                "scripts": lock(&self.controls.scripts).len(),
                "faults": lock(&self.controls.faults).len(),
            },
        })
    }

    /// Ends run `run` of a container with `code` (a `manual` script's exit, or
    /// any running container's). 409 when it is not running.
    fn manual_exit(&self, r: &str, code: i64) -> Result<()> {
        let c = self.container(r)?;
        if !c.is_running() {
            return Err(Error::conflict(format!(
                "container {} is not running",
                c.id
            )));
        }
        if let Some(rt) = self.runtimes.get(&c.id) {
            if let Some(p) = rt.process().as_ref() {
                if p.run == c.state.run {
                    p.abort();
                }
            }
        }
        self.container_exited(&c.id, c.state.run, code);
        Ok(())
    }
}
