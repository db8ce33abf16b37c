//! Normalisation: what varies between two runs of the same request (IDs,
//! timestamps, sizes, addresses, pids) becomes a placeholder, so that a
//! response of the real engine and one of sockerless compare equal when they
//! say the same thing. The one source of truth for the recorder and the replay.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde_json::{Map, Value};

use super::client::Response;
use super::scenario::{BodyKind, Shape, Step};

/// Keys whose positive numbers vary run to run (times, sizes, pids).
const VARYING_NUMBERS: &[&str] = &[
    "Created",
    "time",
    "timeNano",
    "Size",
    "VirtualSize",
    "SharedSize",
    "SizeRw",
    "SizeRootFs",
    "Pid",
    "LayersSize",
    "RefCount",
    "Reclaimable",
    "TotalCount",
    "ActiveCount",
];

/// The response headers recorded by value.
const HEADER_VALUES: &[&str] = &["content-type", "upgrade"];
/// The response headers recorded by presence.
const HEADER_PRESENCE: &[&str] = &["api-version", "docker-experimental", "ostype", "server"];

static FULL_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[0-9a-f]{64}\b").expect("re"));
static SHORT_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[0-9a-f]{12}\b").expect("re"));
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})").expect("re")
});
static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(/\d{1,2})?\b").expect("re")
});
static UNIX_TIME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b1[5-9]\d{8}\b").expect("re"));
static MAC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b").expect("re"));

/// Per-scenario state: the IDs seen, numbered in order of first appearance.
#[derive(Debug, Default)]
pub struct Normaliser {
    ids: Vec<String>,
    root: String,
}

impl Normaliser {
    /// A normaliser for an engine whose data root (`DockerRootDir`) is `root`.
    pub fn new(root: &str) -> Normaliser {
        Normaliser {
            ids: Vec::new(),
            root: root.to_string(),
        }
    }

    /// The placeholder of a full ID (numbered on first sight).
    fn id(&mut self, id: &str) -> String {
        let n = match self.ids.iter().position(|k| k == id) {
            Some(i) => i + 1,
            None => {
                self.ids.push(id.to_string());
                self.ids.len()
            }
        };
        format!("<id{n}>")
    }

    /// Learns the full IDs in `text` without rewriting (so that a short ID
    /// seen before its full form still maps).
    pub fn learn(&mut self, text: &str) {
        for m in FULL_ID.find_iter(text) {
            self.id(m.as_str());
        }
    }

    /// Normalises one string.
    pub fn text(&mut self, s: &str) -> String {
        let s = if self.root.is_empty() {
            s.to_string()
        } else {
            s.replace(&self.root, "<data-root>")
        };
        let s = FULL_ID.replace_all(&s, |c: &Captures| self.id(&c[0]));
        let s = SHORT_ID.replace_all(&s, |c: &Captures| {
            match self.ids.iter().position(|k| k.starts_with(&c[0])) {
                Some(i) => format!("<id{}:12>", i + 1),
                None => "<hex12>".to_string(),
            }
        });
        let s = TIME.replace_all(&s, |c: &Captures| {
            if c[0].starts_with("0001-01-01") {
                c[0].to_string()
            } else {
                "<time>".to_string()
            }
        });
        let s = UNIX_TIME.replace_all(&s, "<unix>");
        let s = IPV4.replace_all(&s, |c: &Captures| match (&c[1], c.get(2)) {
            ("0.0.0.0" | "127.0.0.1", None) => c[0].to_string(),
            (_, Some(_)) => "<subnet>".to_string(),
            _ => "<ip>".to_string(),
        });
        MAC.replace_all(&s, "<mac>").into_owned()
    }

    /// Normalises a JSON value (keys too: some maps are keyed by ID).
    pub fn value(&mut self, key: Option<&str>, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Number(n) => {
                let positive = n.as_f64().is_some_and(|f| f > 0.0);
                // A picked value is keyed by its pointer: its last segment counts.
                let key = key.map(|k| k.rsplit('/').next().unwrap_or(k));
                if positive && key.is_some_and(|k| VARYING_NUMBERS.contains(&k)) {
                    Value::String("<n>".into())
                } else {
                    v.clone()
                }
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(key, i)).collect()),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, child) in map {
                    let nk = self.text(k);
                    let nv = self.value(Some(k), child);
                    out.insert(nk, nv);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    /// The normalised record of one response to `step` (`req` is the step's
    /// request as written, before expansion).
    pub fn response(
        &mut self,
        req: &str,
        step: &Step,
        res: &Response,
        shape: Option<&Shape>,
    ) -> Value {
        self.learn(&String::from_utf8_lossy(&res.body));
        let mut rec = Map::new();
        rec.insert("req".into(), Value::String(req.to_string()));
        rec.insert("status".into(), Value::from(res.status));
        let mut headers = Map::new();
        for name in HEADER_VALUES {
            if let Some(v) = res.header(name) {
                headers.insert((*name).into(), Value::String(v.to_ascii_lowercase()));
            }
        }
        for name in HEADER_PRESENCE {
            headers.insert((*name).into(), Value::Bool(res.header(name).is_some()));
        }
        rec.insert("headers".into(), Value::Object(headers));
        if let Some(body) = self.body(step, res, shape) {
            rec.insert("body".into(), body);
        }
        Value::Object(rec)
    }

    fn body(&mut self, step: &Step, res: &Response, shape: Option<&Shape>) -> Option<Value> {
        let raw = &res.body;
        let kind = step.read;
        if kind == BodyKind::Ignore {
            return None;
        }
        if raw.is_empty() {
            return Some(Value::String(String::new())).filter(|_| kind != BodyKind::Auto);
        }
        let text = String::from_utf8_lossy(raw).into_owned();
        let value = match kind {
            BodyKind::Raw | BodyKind::Ignore => Value::String(self.text(&text)),
            BodyKind::Stdcopy => self.stdcopy(raw),
            BodyKind::Lines => Value::Array(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| match serde_json::from_str::<Value>(l) {
                        Ok(v) => self.value(None, &v),
                        Err(_) => Value::String(self.text(l)),
                    })
                    .collect(),
            ),
            BodyKind::Auto => match serde_json::from_slice::<Value>(raw) {
                Ok(mut v) => {
                    if let Some(spec) = &step.sort {
                        sort(&mut v, spec);
                    }
                    // Shape the raw value (the key tree keeps its JSON
                    // types), then normalise what is kept.
                    if (200..300).contains(&res.status) {
                        if let Some(shape) = shape {
                            v = shaped(&v, shape);
                        } else if !step.pick.is_empty() {
                            v = picked(&v, &step.pick);
                        }
                    }
                    self.value(None, &v)
                }
                Err(_) => Value::String(self.text(&text)),
            },
        };
        Some(value)
    }

    /// Docker's multiplexed stream as `[{"stdout": …}, {"stderr": …}]`, runs of
    /// one stream merged; `{"raw": …}` when it is not framed.
    fn stdcopy(&mut self, mut raw: &[u8]) -> Value {
        let mut frames: Vec<(u8, Vec<u8>)> = Vec::new();
        let whole = raw;
        while !raw.is_empty() {
            let framed = raw.len() >= 8 && raw[0] <= 2 && raw[1..4] == [0, 0, 0];
            let size = if framed {
                u32::from_be_bytes([raw[4], raw[5], raw[6], raw[7]]) as usize
            } else {
                0
            };
            if !framed || raw.len() < 8 + size {
                return serde_json::json!({ "raw": self.text(&String::from_utf8_lossy(whole)) });
            }
            let payload = &raw[8..8 + size];
            match frames.last_mut() {
                Some((s, buf)) if *s == raw[0] => buf.extend_from_slice(payload),
                _ => frames.push((raw[0], payload.to_vec())),
            }
            raw = &raw[8 + size..];
        }
        Value::Array(
            frames
                .into_iter()
                .map(|(s, buf)| {
                    let name = ["stdin", "stdout", "stderr"][s as usize];
                    serde_json::json!({ name: self.text(&String::from_utf8_lossy(&buf)) })
                })
                .collect(),
        )
    }
}

/// Sorts the array at `ARRAY` (a pointer; the body itself when there is no
/// `|`) by each element's value at `KEY`, as `spec` = `[ARRAY|]KEY` says.
fn sort(body: &mut Value, spec: &str) {
    let (array, key) = spec.split_once('|').unwrap_or(("", spec));
    if let Some(Value::Array(items)) = body.pointer_mut(array) {
        items.sort_by_key(|i| i.pointer(key).map(|x| x.to_string()).unwrap_or_default());
    }
}

/// The key tree of a large object down to `shape.depth` plus the picked
/// values; an array is shaped element by element.
fn shaped(v: &Value, shape: &Shape) -> Value {
    if let Value::Array(items) = v {
        return Value::Array(items.iter().map(|i| shaped(i, shape)).collect());
    }
    serde_json::json!({
        "keys": key_tree(v, shape.depth),
        "values": picked(v, &shape.pick),
    })
}

/// The values at `pointers` (`"<absent>"` when missing).
fn picked(v: &Value, pointers: &[String]) -> Value {
    if let Value::Array(items) = v {
        return Value::Array(items.iter().map(|i| picked(i, pointers)).collect());
    }
    let mut out = Map::new();
    for p in pointers {
        let got = v
            .pointer(p)
            .cloned()
            .unwrap_or(Value::String("<absent>".into()));
        out.insert(p.clone(), got);
    }
    Value::Object(out)
}

/// Objects as maps of their keys down to `depth`; everything else as its
/// JSON type's name.
fn key_tree(v: &Value, depth: usize) -> Value {
    match v {
        Value::Object(map) if depth > 0 => Value::Object(
            map.iter()
                .map(|(k, c)| (k.clone(), key_tree(c, depth - 1)))
                .collect(),
        ),
        Value::Object(_) => "object".into(),
        Value::Array(_) => "array".into(),
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => "null".into(),
    }
}
