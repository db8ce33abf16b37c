//! The corpus as data: one JSON file per area under `tests/fidelity/`, each a
//! list of scenarios; a scenario is a sequence of Docker API requests whose
//! names and IDs are bound from earlier responses (`{{c.Id}}`), plus the
//! differences from Docker it declares on purpose, each with its reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// One area file (`containers.json`, …).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// What the area covers (one line, shown in FIDELITY.md).
    pub about: String,
    /// Its scenarios, in order.
    pub scenarios: Vec<Scenario>,
}

/// One scenario: independent of every other, cleaned up after.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique over the corpus; `{{name}}` expands to `fid-<name>`.
    pub name: String,
    /// The requests, in order.
    pub steps: Vec<Step>,
    /// Unrecorded requests run after the steps (containers, networks, volumes
    /// and tags the steps created are removed anyway).
    #[serde(default)]
    pub cleanup: Vec<Step>,
    /// Differences from Docker kept on purpose.
    #[serde(default)]
    pub differs: Vec<Differ>,
}

/// A deliberate difference: at `at` (a JSON pointer into a step's normalised
/// result, e.g. `/body/message`; empty = the whole step) of step `step` (every
/// step when absent), for `reason`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Differ {
    /// The step's index (from 0).
    #[serde(default)]
    pub step: Option<usize>,
    /// A JSON pointer into the step's result.
    #[serde(default)]
    pub at: String,
    /// Why sockerless answers differently.
    pub reason: String,
}

/// How a body is read and recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    /// JSON if it parses, else text.
    #[default]
    Auto,
    /// Docker's multiplexed stream (`stdcopy`): frames per stream.
    Stdcopy,
    /// Raw text (TTY streams, plain bodies).
    Raw,
    /// Newline-delimited JSON (progress, events, stats).
    Lines,
    /// Not recorded (only the status and headers).
    Ignore,
}

/// One request, or the completion of an earlier `async` one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `METHOD /path?query` without the version prefix (added by the runner).
    #[serde(default)]
    pub req: Option<String>,
    /// A JSON body (sent with `Content-Type: application/json`).
    #[serde(default)]
    pub body: Option<Value>,
    /// A text body, sent as is.
    #[serde(default)]
    pub text: Option<String>,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Bind the response's JSON body under this name for later `{{name.Field}}`.
    #[serde(default)]
    pub bind: Option<String>,
    /// Record only the key tree and picked values, as preset `shape` of
    /// `tests/fidelity/shapes.json` says.
    #[serde(default)]
    pub shape: Option<String>,
    /// Record only these JSON pointers of the body.
    #[serde(default)]
    pub pick: Vec<String>,
    /// How to read the body.
    #[serde(default)]
    pub read: BodyKind,
    /// Hijack the connection (attach, exec start).
    #[serde(default)]
    pub hijack: bool,
    /// Bytes to send after the head of a hijack (stdin).
    #[serde(default)]
    pub send: Option<String>,
    /// Half-close after `send`.
    #[serde(default)]
    pub close_write: bool,
    /// Read for at most this many milliseconds (streams that do not end).
    #[serde(default)]
    pub read_ms: Option<u64>,
    /// Send it and go on once its head is in; `await` collects the rest.
    #[serde(default, rename = "async")]
    pub async_as: Option<String>,
    /// Collect the response of the `async` step of this name.
    #[serde(default, rename = "await")]
    pub await_name: Option<String>,
    /// Repeat (every 20 ms, 10 s at most) until the body's pointer `.0` equals `.1`.
    #[serde(default)]
    pub until: Option<(String, Value)>,
    /// Sort an array of the body: `[ARRAY|]KEY`, the array at pointer `ARRAY`
    /// (the body itself when absent) by each element's value at pointer `KEY`.
    #[serde(default)]
    pub sort: Option<String>,
    /// Send the path as written, without the `/v1.44` prefix.
    #[serde(default)]
    pub unversioned: bool,
    /// Run but do not record.
    #[serde(default)]
    pub quiet: bool,
}

/// A shape preset: key tree depth and the values clients read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shape {
    /// How deep the key tree goes (1 = top-level keys).
    pub depth: usize,
    /// The pointers whose values are recorded.
    pub pick: Vec<String>,
}

/// The corpus directory.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fidelity")
}

/// Every area, by file stem, in name order.
pub fn load_areas() -> Vec<(String, Area)> {
    let mut areas = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/fidelity")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".golden.json")
                && p.file_stem().is_some_and(|s| s != "shapes")
        })
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read area");
        let area: Area =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        areas.push((stem, area));
    }
    areas
}

/// The shape presets.
pub fn load_shapes() -> BTreeMap<String, Shape> {
    let path = dir().join("shapes.json");
    let text = std::fs::read_to_string(&path).expect("read shapes.json");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The golden file of an area.
pub fn golden_path(area: &str) -> PathBuf {
    dir().join(format!("{area}.golden.json"))
}
