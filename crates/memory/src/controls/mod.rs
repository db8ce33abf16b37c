//! Test-double controls of the memory backend, all under
//! `/internal/v1/memory/…` (served through [`crate::Backend::extension`]):
//!
//! | route | what |
//! |---|---|
//! | `GET /memory/config` | the effective settings: seed, clock, profile, log limit, state file, rule counts |
//! | `POST /memory/reset` | back to the start-up state; every stream, waiter, process and timer of the old state ends |
//! | `POST /memory/seed` `{"seed":N}` | reseed the deterministic generator (IDs, names, PIDs, fault draws) |
//! | `GET`/`POST /memory/clock` `{"advance":"10s"}` or `{"set":"<RFC3339>"}` | read or move the clock |
//! | `GET`/`PUT /memory/state` | the whole state as JSON; replace it |
//! | `GET`/`POST /memory/scripts`, `GET`/`PUT`/`DELETE /memory/scripts/{id}` | scripted behaviour rules |
//! | `GET`/`POST /memory/faults`, `GET`/`PUT`/`DELETE /memory/faults/{id}` | fault and latency rules |
//! | `POST /memory/containers/{ref}/exit?code=N` | end a running container's process with `N` |
//!
//! A reset (and a state load) bumps the backend's *epoch*: every task started
//! before checks it under the cross-resource lock before it writes, so nothing of
//! the old state is ever written back, even when IDs repeat under a seed.
//!
//! ```
//! use sockerless_memory::controls::Profile;
//! assert_eq!(Profile::parse("lambda").unwrap().capabilities().capabilities.max_timeout_seconds, 900);
//! assert!(Profile::parse("heroku").is_err());
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::containers::{ContainerRecord, Status};
use crate::exec::ExecRecord;
use crate::images::ImageRecord;
use crate::networks::NetworkRecord;
use crate::volumes::VolumeRecord;
use crate::MemoryBackend;
use sockerless_core::api::{Capabilities, CapabilitySet, ExtensionRequest, ExtensionResponse};
use sockerless_core::api::{WaitError, WaitResponse};
use sockerless_core::docker::{duration, timefmt};
use sockerless_core::error::{Error, Result};
use sockerless_core::{Method, Operation, StatusCode};

/// The message waiters get when the backend is reset under them.
pub const RESET_MESSAGE: &str = "the memory backend was reset";

/// What a waiter of a reset backend receives: `{"StatusCode":-1,"Error":{"Message":"the memory backend was reset"}}`.
pub fn reset_wait_response() -> WaitResponse {
    WaitResponse {
        status_code: -1,
        error: Some(WaitError {
            message: RESET_MESSAGE.into(),
        }),
    }
}

/// 64 hex characters from `rng`.
pub fn random_id(rng: &mut dyn rand::Rng) -> String {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    crate::ids::hex(&bytes)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

// --- profiles -------------------------------------------------------------------

/// Which backend the memory backend pretends to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The memory backend itself: the seed's capabilities.
    #[default]
    Memory,
    /// A local Docker Engine: everything, no agent.
    Docker,
    /// AWS ECS (Fargate).
    Ecs,
    /// Google Cloud Run.
    CloudRun,
    /// Azure Container Apps.
    Aca,
    /// AWS Lambda.
    Lambda,
    /// Google Cloud Functions.
    Gcf,
    /// Azure Functions.
    Azf,
}

impl Profile {
    /// Every profile's name.
    pub const NAMES: &'static [&'static str] = &[
        "memory", "docker", "ecs", "cloudrun", "aca", "lambda", "gcf", "azf",
    ];

    /// Parses a profile name.
    pub fn parse(s: &str) -> std::result::Result<Profile, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "memory" => Profile::Memory,
            "docker" => Profile::Docker,
            "ecs" => Profile::Ecs,
            "cloudrun" => Profile::CloudRun,
            "aca" => Profile::Aca,
            "lambda" => Profile::Lambda,
            "gcf" => Profile::Gcf,
            "azf" => Profile::Azf,
            other => {
                return Err(format!(
                    "unknown profile {other:?} (use one of {})",
                    Self::NAMES.join(", ")
                ))
            }
        })
    }

    /// The profile's name.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Memory => "memory",
            Profile::Docker => "docker",
            Profile::Ecs => "ecs",
            Profile::CloudRun => "cloudrun",
            Profile::Aca => "aca",
            Profile::Lambda => "lambda",
            Profile::Gcf => "gcf",
            Profile::Azf => "azf",
        }
    }

    fn is_faas(self) -> bool {
        matches!(self, Profile::Lambda | Profile::Gcf | Profile::Azf)
    }

    /// What `GET /capabilities` answers under this profile.
    pub fn capabilities(self) -> Capabilities {
        let mut caps = Capabilities::memory();
        if self == Profile::Memory {
            return caps;
        }
        caps.backend = self.name().into();
        let faas = self.is_faas();
        caps.capabilities = CapabilitySet {
            exec: !faas,
            attach: !faas,
            logs: true,
            logs_follow: !faas,
            volumes: !faas,
            networks: !faas,
            health_checks: !faas,
            image_pull: true,
            image_load: !faas,
            max_timeout_seconds: match self {
                Profile::Lambda => 900,
                Profile::Gcf => 3600,
                Profile::Azf => 600,
                _ => 0,
            },
            agent_required: matches!(self, Profile::Ecs | Profile::CloudRun | Profile::Aca),
        };
        caps
    }

    /// The typical container start latency of the backend (added with
    /// `--profile-latency`).
    pub fn start_latency(self) -> Duration {
        Duration::from_secs(match self {
            Profile::Memory | Profile::Docker => 0,
            Profile::Ecs => 30,
            Profile::CloudRun => 10,
            Profile::Aca => 20,
            Profile::Lambda => 1,
            Profile::Gcf => 2,
            Profile::Azf => 3,
        })
    }
}

// --- clock ------------------------------------------------------------------------

/// The backend's clock.
#[derive(Debug, Clone, Copy)]
enum Clock {
    /// Real time plus an offset (moved by `advance`).
    Real { offset: Duration },
    /// Frozen at an instant; moves only when told.
    Frozen(SystemTime),
}

// --- rules ------------------------------------------------------------------------

/// A fault or latency rule as written (`POST /memory/faults`, file key
/// `memory.faults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// The operation's name (`container_start`, …: [`Operation::name`]).
    pub operation: String,
    /// Only requests whose path parameter is this (a container reference
    /// matches by the container it names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Answer with this status (400–599).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The message of the error (default `injected fault`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fire with this probability (0–1), drawn from the (seeded) generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Let this many matching calls through first.
    #[serde(default)]
    pub after: u64,
    /// Fire at most this many times (none: every time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Delay the request this long (Go duration, `1.5s`, `200ms`) before it is
    /// served (or failed, with `status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
}

/// A validated fault rule with its counters.
#[derive(Debug, Clone)]
pub struct FaultRule {
    id: u64,
    operation: Operation,
    spec: FaultSpec,
    status: Option<StatusCode>,
    latency: Duration,
    calls: u64,
    fired: u64,
}

impl FaultRule {
    /// Validates a rule; 400 naming what is wrong.
    pub fn compile(id: u64, spec: FaultSpec) -> Result<FaultRule> {
        let Some(operation) = Operation::from_name(&spec.operation) else {
            let names: Vec<&str> = Operation::ALL.iter().map(|op| op.name()).collect();
            return Err(Error::bad_request(format!(
                "unknown operation {:?} (use one of {})",
                spec.operation,
                names.join(", ")
            )));
        };
        let status = match spec.status {
            Some(s) if (400..=599).contains(&s) => Some(
                StatusCode::from_u16(s)
                    .map_err(|_| Error::bad_request(format!("invalid status {s}")))?,
            ),
            Some(s) => {
                return Err(Error::bad_request(format!(
                    "invalid status {s}: a fault's status is 400-599"
                )))
            }
            None => None,
        };
        let latency = match &spec.latency {
            Some(l) => parse_duration("latency", l)?,
            None => Duration::ZERO,
        };
        if status.is_none() && spec.latency.is_none() {
            return Err(Error::bad_request(
                "a fault rule needs a status, a latency, or both",
            ));
        }
        if let Some(p) = spec.probability {
            if !(0.0..=1.0).contains(&p) || p.is_nan() {
                return Err(Error::bad_request(format!(
                    "invalid probability {p}: use 0 to 1"
                )));
            }
        }
        Ok(FaultRule {
            id,
            operation,
            spec,
            status,
            latency,
            calls: 0,
            fired: 0,
        })
    }

    fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(&self.spec).unwrap_or_else(|_| json!({}));
        if let Some(o) = v.as_object_mut() {
            o.insert("id".into(), json!(self.id));
            o.insert("calls".into(), json!(self.calls));
            o.insert("fired".into(), json!(self.fired));
        }
        v
    }
}

fn parse_duration(what: &str, s: &str) -> Result<Duration> {
    duration::parse_run_for(s).map_err(|e| Error::bad_request(format!("invalid {what} {s:?}: {e}")))
}

/// One chunk of scripted output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkSpec {
    /// `stdout` (default) or `stderr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    /// The text (written as given: add `\n` yourself).
    pub data: String,
    /// Wait this long before writing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<String>,
}

/// A scripted exec result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecScriptSpec {
    /// Glob over the exec's command line (words joined by spaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Regex over the exec's command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_regex: Option<String>,
    /// Output chunks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<ChunkSpec>,
    /// The exit code (default 0).
    #[serde(default)]
    pub exit_code: i64,
}

/// A script rule as written (`POST /memory/scripts`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptSpec {
    /// Glob over the image as the create named it (`alpine*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Regex over the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_regex: Option<String>,
    /// Glob over the command line (`Path` and `Args` joined by spaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Regex over the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_regex: Option<String>,
    /// Output chunks, written in order (each after its delay) instead of
    /// running the command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<ChunkSpec>,
    /// Exit with this code (after the output and `run_for`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// Run this long after the output, then exit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_for: Option<String>,
    /// Run until `POST /memory/containers/{ref}/exit?code=N` (or stop/kill).
    #[serde(default)]
    pub manual: bool,
    /// SIGTERM is ignored (stop kills after its timeout).
    #[serde(default)]
    pub ignore_sigterm: bool,
    /// Exit with this code on SIGTERM (instead of 143).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigterm_exit_code: Option<i64>,
    /// Health check results in order (`healthy`/`unhealthy`); the last repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health: Vec<String>,
    /// Exec results for the matched containers; the first matching entry wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exec: Vec<ExecScriptSpec>,
}

/// Compiled output chunk.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// stdout or stderr.
    pub stderr: bool,
    /// The bytes.
    pub data: bytes::Bytes,
    /// Delay before.
    pub delay: Duration,
}

/// Compiled exec script.
#[derive(Debug, Clone)]
pub struct ExecScript {
    command: Option<Regex>,
    /// Output.
    pub output: Vec<Chunk>,
    /// Exit code.
    pub exit_code: i64,
}

/// A validated script rule.
#[derive(Debug, Clone)]
pub struct ScriptRule {
    id: u64,
    spec: ScriptSpec,
    image: Option<Regex>,
    command: Option<Regex>,
    /// Output chunks.
    pub output: Vec<Chunk>,
    /// Run time after the output.
    pub run_for: Option<Duration>,
    /// Health results (true = failing).
    pub health: Vec<bool>,
    /// Exec scripts.
    pub exec: Vec<ExecScript>,
}

fn glob_regex(what: &str, glob: &str) -> Result<Regex> {
    let mut re = String::from("^");
    for ch in glob.chars() {
        match ch {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|e| Error::bad_request(format!("invalid {what} glob {glob:?}: {e}")))
}

fn matcher(what: &str, glob: &Option<String>, re: &Option<String>) -> Result<Option<Regex>> {
    match (glob, re) {
        (Some(_), Some(_)) => Err(Error::bad_request(format!(
            "give {what} or {what}_regex, not both"
        ))),
        (Some(g), None) => glob_regex(what, g).map(Some),
        (None, Some(r)) => Regex::new(r)
            .map(Some)
            .map_err(|e| Error::bad_request(format!("invalid {what}_regex {r:?}: {e}"))),
        (None, None) => Ok(None),
    }
}

fn chunks(specs: &[ChunkSpec]) -> Result<Vec<Chunk>> {
    specs
        .iter()
        .map(|c| {
            let stderr = match c.stream.as_deref() {
                None | Some("stdout") => false,
                Some("stderr") => true,
                Some(o) => {
                    return Err(Error::bad_request(format!(
                        "invalid stream {o:?}: use stdout or stderr"
                    )))
                }
            };
            Ok(Chunk {
                stderr,
                data: bytes::Bytes::from(c.data.clone()),
                delay: match &c.delay {
                    Some(d) => parse_duration("delay", d)?,
                    None => Duration::ZERO,
                },
            })
        })
        .collect()
}

impl ScriptRule {
    /// Validates a rule; 400 naming what is wrong.
    pub fn compile(id: u64, spec: ScriptSpec) -> Result<ScriptRule> {
        let image = matcher("image", &spec.image, &spec.image_regex)?;
        let command = matcher("command", &spec.command, &spec.command_regex)?;
        if spec.manual && spec.run_for.is_some() {
            return Err(Error::bad_request("give manual or run_for, not both"));
        }
        let run_for = match &spec.run_for {
            Some(d) => Some(parse_duration("run_for", d)?),
            None => None,
        };
        let health = spec
            .health
            .iter()
            .map(|h| match h.as_str() {
                "healthy" => Ok(false),
                "unhealthy" => Ok(true),
                o => Err(Error::bad_request(format!(
                    "invalid health result {o:?}: use healthy or unhealthy"
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        let exec = spec
            .exec
            .iter()
            .map(|e| {
                Ok(ExecScript {
                    command: matcher("command", &e.command, &e.command_regex)?,
                    output: chunks(&e.output)?,
                    exit_code: e.exit_code,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ScriptRule {
            id,
            output: chunks(&spec.output)?,
            run_for,
            health,
            exec,
            image,
            command,
            spec,
        })
    }

    /// Whether the rule applies to a container with this image and command line.
    pub fn matches(&self, image: &str, command: &str) -> bool {
        self.image.as_ref().is_none_or(|r| r.is_match(image))
            && self.command.as_ref().is_none_or(|r| r.is_match(command))
    }

    /// Whether the rule replaces the command (output, exit code or manual).
    pub fn scripts_outcome(&self) -> bool {
        !self.output.is_empty() || self.spec.exit_code.is_some() || self.spec.manual
    }

    /// The exit code.
    pub fn exit_code(&self) -> i64 {
        self.spec.exit_code.unwrap_or(0)
    }

    /// Runs until told.
    pub fn manual(&self) -> bool {
        self.spec.manual
    }

    /// Ignores SIGTERM.
    pub fn ignore_sigterm(&self) -> bool {
        self.spec.ignore_sigterm
    }

    /// The SIGTERM exit code.
    pub fn sigterm_exit_code(&self) -> Option<i64> {
        self.spec.sigterm_exit_code
    }

    /// The exec script for this command line, if any.
    pub fn exec_for(&self, cmdline: &str) -> Option<&ExecScript> {
        self.exec
            .iter()
            .find(|e| e.command.as_ref().is_none_or(|r| r.is_match(cmdline)))
    }

    fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(&self.spec).unwrap_or_else(|_| json!({}));
        if let Some(o) = v.as_object_mut() {
            o.insert("id".into(), json!(self.id));
        }
        v
    }
}

// --- the controls' state ------------------------------------------------------------

/// The controls' own state, kept apart from the store: a reset leaves it alone.
#[derive(Debug)]
pub struct Controls {
    rng: Mutex<Option<StdRng>>,
    seed: Mutex<Option<u64>>,
    clock: Mutex<Clock>,
    epoch: AtomicU64,
    next_rule: AtomicU64,
    scripts: Mutex<Vec<Arc<ScriptRule>>>,
    faults: Mutex<Vec<FaultRule>>,
    /// The profile.
    pub profile: Profile,
    profile_latency: bool,
}

impl Controls {
    /// The controls for these options; an invalid rule is a 400 naming it.
    pub fn new(o: &crate::MemoryOptions) -> Result<Controls> {
        let c = Controls {
            rng: Mutex::new(o.seed.map(StdRng::seed_from_u64)),
            seed: Mutex::new(o.seed),
            clock: Mutex::new(match o.clock_start {
                Some(t) => Clock::Frozen(t),
                None => Clock::Real {
                    offset: Duration::ZERO,
                },
            }),
            epoch: AtomicU64::new(0),
            next_rule: AtomicU64::new(1),
            scripts: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            profile: o.profile,
            profile_latency: o.profile_latency,
        };
        for (i, f) in o.faults.iter().enumerate() {
            let rule = FaultRule::compile(c.rule_id(), f.clone())
                .map_err(|e| Error::bad_request(format!("memory.faults[{i}]: {e}")))?;
            lock(&c.faults).push(rule);
        }
        for (i, s) in o.scripts.iter().enumerate() {
            let rule = ScriptRule::compile(c.rule_id(), s.clone())
                .map_err(|e| Error::bad_request(format!("memory.scripts[{i}]: {e}")))?;
            lock(&c.scripts).push(Arc::new(rule));
        }
        Ok(c)
    }

    fn rule_id(&self) -> u64 {
        self.next_rule.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs `f` with the seeded generator, or the thread's CSPRNG.
    pub fn with_rng<R>(&self, f: impl FnOnce(&mut dyn rand::Rng) -> R) -> R {
        let mut g = lock(&self.rng);
        match g.as_mut() {
            Some(rng) => f(rng),
            None => {
                drop(g);
                f(&mut rand::rng())
            }
        }
    }

    /// The clock's reading.
    pub fn now(&self) -> SystemTime {
        match *lock(&self.clock) {
            Clock::Real { offset } => SystemTime::now() + offset,
            Clock::Frozen(t) => t,
        }
    }

    /// The generation.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// The first script rule matching a container, if any.
    pub fn script_for(&self, image: &str, command: &str) -> Option<Arc<ScriptRule>> {
        lock(&self.scripts)
            .iter()
            .find(|r| r.matches(image, command))
            .cloned()
    }
}

/// The whole state, as `GET /memory/state` answers and `PUT` takes it.
/// Runtimes (logs, live streams, processes) are not state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDocument {
    /// Format version: 1.
    pub version: u32,
    /// Containers, in creation order.
    pub containers: Vec<ContainerRecord>,
    /// Images, by ID.
    pub images: Vec<ImageRecord>,
    /// Canonical image references → image IDs.
    pub image_tags: BTreeMap<String, String>,
    /// Networks, by name.
    pub networks: Vec<NetworkRecord>,
    /// Volumes, by name.
    pub volumes: Vec<VolumeRecord>,
    /// Exec instances, by ID.
    pub execs: Vec<ExecRecord>,
}

fn check(cond: bool, msg: impl FnOnce() -> String) -> Result<()> {
    if cond {
        Ok(())
    } else {
        Err(Error::bad_request(format!("invalid state: {}", msg())))
    }
}

impl StateDocument {
    /// Checks the document's references and uniqueness; 400 naming the first
    /// problem.
    pub fn validate(&self) -> Result<()> {
        check(self.version == 1, || {
            format!("unsupported version {}", self.version)
        })?;
        let mut ids = BTreeSet::new();
        let mut names = BTreeSet::new();
        for c in &self.containers {
            check(!c.id.is_empty(), || "a container has an empty Id".into())?;
            check(ids.insert(c.id.as_str()), || {
                format!("duplicate container ID {}", c.id)
            })?;
            check(names.insert(c.bare_name()), || {
                format!("duplicate container name {}", c.name)
            })?;
        }
        let images: BTreeSet<&str> = self.images.iter().map(|i| i.id.as_str()).collect();
        check(images.len() == self.images.len(), || {
            "duplicate image ID".into()
        })?;
        for (tag, id) in &self.image_tags {
            check(images.contains(id.as_str()), || {
                format!("image tag {tag} names no image ({id})")
            })?;
        }
        let mut net_ids = BTreeSet::new();
        let mut net_names = BTreeMap::new();
        for n in &self.networks {
            check(net_ids.insert(n.id.as_str()), || {
                format!("duplicate network ID {}", n.id)
            })?;
            check(net_names.insert(n.name.as_str(), n).is_none(), || {
                format!("duplicate network name {}", n.name)
            })?;
            for member in n.members.keys() {
                let c = self.containers.iter().find(|c| &c.id == member);
                check(c.is_some(), || {
                    format!(
                        "network {} has a member {member} that names no container",
                        n.name
                    )
                })?;
                check(c.is_some_and(|c| c.networks.contains_key(&n.name)), || {
                    format!(
                        "network {} lists {member}, which does not list the network",
                        n.name
                    )
                })?;
            }
        }
        check(net_names.contains_key("bridge"), || {
            "the predefined bridge network is missing".into()
        })?;
        for c in &self.containers {
            for net in c.networks.keys() {
                check(
                    net_names
                        .get(net.as_str())
                        .is_some_and(|n| n.members.contains_key(&c.id)),
                    || {
                        format!(
                            "container {} names network {net}, which does not list it",
                            c.id
                        )
                    },
                )?;
            }
        }
        let mut vols = BTreeMap::new();
        for v in &self.volumes {
            check(vols.insert(v.name.as_str(), v).is_none(), || {
                format!("duplicate volume {}", v.name)
            })?;
            for r in &v.refs {
                check(ids.contains(r.as_str()), || {
                    format!(
                        "volume {} is referenced by {r}, which names no container",
                        v.name
                    )
                })?;
            }
        }
        for c in &self.containers {
            for v in c.volume_names() {
                check(vols.contains_key(v), || {
                    format!("container {} mounts volume {v}, which does not exist", c.id)
                })?;
            }
        }
        let mut exec_ids = BTreeSet::new();
        for e in &self.execs {
            check(exec_ids.insert(e.id.as_str()), || {
                format!("duplicate exec ID {}", e.id)
            })?;
            check(ids.contains(e.container_id.as_str()), || {
                format!("exec {} names no container ({})", e.id, e.container_id)
            })?;
        }
        Ok(())
    }
}

/// The body of `POST /memory/seed`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedBody {
    seed: u64,
}

/// The body of `POST /memory/clock`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    #[serde(default)]
    advance: Option<String>,
    #[serde(default)]
    set: Option<String>,
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

impl MemoryBackend {
    /// `Backend::before`: the profile's 501s, its start latency, then the fault
    /// rules. A faulted request never reaches the operation, so it changes
    /// nothing.
    pub(crate) async fn controls_before(
        &self,
        operation: Operation,
        reference: Option<&str>,
    ) -> Result<()> {
        let profile = self.controls.profile;
        if let Some(cap) = operation.capability() {
            if !cap.is_in(&profile.capabilities().capabilities) {
                return Err(Error::NotImplemented(format!(
                    "This backend ({}) does not support {cap}",
                    profile.name()
                )));
            }
        }
        let mut delay = Duration::ZERO;
        if operation == Operation::ContainerStart && self.controls.profile_latency {
            delay += profile.start_latency();
        }
        // The container a reference names, so a rule for `web` matches a call by
        // ID (and the reverse).
        let resolved = |r: &str| -> Option<String> {
            operation
                .is_container_operation()
                .then(|| self.container_id(r).ok())
                .flatten()
        };
        let target = reference.and_then(resolved);
        let mut failure: Option<Error> = None;
        {
            let mut rules = lock(&self.controls.faults);
            for rule in rules.iter_mut() {
                if rule.operation != operation {
                    continue;
                }
                if let Some(want) = &rule.spec.reference {
                    let same = reference == Some(want.as_str())
                        || (target.is_some() && target == resolved(want));
                    if !same {
                        continue;
                    }
                }
                rule.calls += 1;
                if rule.calls <= rule.spec.after || rule.spec.times.is_some_and(|t| rule.fired >= t)
                {
                    continue;
                }
                if let Some(p) = rule.spec.probability {
                    let draw: f64 = self.with_rng(|r| r.random::<f64>());
                    if draw >= p {
                        continue;
                    }
                }
                rule.fired += 1;
                delay += rule.latency;
                if let (None, Some(status)) = (&failure, rule.status) {
                    failure = Some(Error::Injected {
                        status,
                        message: rule
                            .spec
                            .message
                            .clone()
                            .unwrap_or_else(|| "injected fault".into()),
                    });
                }
            }
        }
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `Backend::extension`: the `/memory/…` routes.
    pub(crate) async fn controls_extension(
        &self,
        req: ExtensionRequest,
    ) -> Result<ExtensionResponse> {
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
                Method::POST => {
                    let b: SeedBody = body(req.body)?;
                    *lock(&self.controls.rng) = Some(StdRng::seed_from_u64(b.seed));
                    *lock(&self.controls.seed) = Some(b.seed);
                    let first_pid = self.with_rng(|r| u64::from(r.random::<u16>()));
                    self.pids.store(first_pid, Ordering::Relaxed);
                    ok(StatusCode::OK, json!({ "seed": b.seed }))
                }
                _ => not_allowed("POST"),
            },
            ["memory", "clock"] => match *m {
                Method::GET => ok(StatusCode::OK, self.clock_json()),
                Method::POST => {
                    let b: ClockBody = body(req.body)?;
                    let mut clock = lock(&self.controls.clock);
                    match (b.advance, b.set) {
                        (Some(a), None) => {
                            let d = parse_duration("advance", &a)?;
                            *clock = match *clock {
                                Clock::Real { offset } => Clock::Real { offset: offset + d },
                                Clock::Frozen(t) => Clock::Frozen(t + d),
                            };
                        }
                        (None, Some(s)) => {
                            let t =
                                timefmt::parse_timestamp(&s, SystemTime::now()).map_err(|e| {
                                    Error::bad_request(format!("invalid set {s:?}: {e}"))
                                })?;
                            *clock = Clock::Frozen(t);
                        }
                        _ => return Err(Error::bad_request("give exactly one of advance or set")),
                    }
                    drop(clock);
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
                Method::GET => ok(
                    StatusCode::OK,
                    Value::Array(
                        lock(&self.controls.scripts)
                            .iter()
                            .map(|r| r.to_json())
                            .collect(),
                    ),
                ),
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
                Method::GET => ok(
                    StatusCode::OK,
                    Value::Array(
                        lock(&self.controls.faults)
                            .iter()
                            .map(FaultRule::to_json)
                            .collect(),
                    ),
                ),
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

    fn clock_json(&self) -> Value {
        let frozen = matches!(*lock(&self.controls.clock), Clock::Frozen(_));
        json!({ "now": timefmt::rfc3339_nano(self.now()), "frozen": frozen })
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
                    p.abort.abort();
                }
            }
        }
        self.container_exited(&c.id, c.state.run, code);
        Ok(())
    }

    /// Ends everything of the current state (processes, exec tasks, waiters, log
    /// followers, attaches) and empties the store. The caller holds the links
    /// lock.
    fn end_everything_locked(&self) {
        self.controls.epoch.fetch_add(1, Ordering::SeqCst);
        for e in self.store.execs.list(|_| true) {
            if let Some(t) = &e.task {
                t.abort();
            }
        }
        for rt in self.runtimes.drain() {
            if let Some(p) = rt.process().take() {
                p.abort.abort();
            }
            rt.wait.send_modify(|w| w.reset = true);
            rt.live.close_all();
            rt.close_stdin();
        }
        self.store.containers.clear();
        self.store.container_labels.clear();
        self.store.container_names.clear();
        self.store.images.clear();
        self.store.image_tags.clear();
        self.store.networks.clear();
        self.store.network_names.clear();
        self.store.volumes.clear();
        self.store.execs.clear();
        lock(&self.ports).clear();
        self.events.clear_history();
    }

    /// `POST /memory/reset`: the start-up state (the predefined networks only).
    /// Script and fault rules, the seed's generator and the clock are kept.
    pub fn reset(&self) {
        // One critical section: an operation that takes the links lock (create,
        // remove, start, stop, connect…) sees the old state or the new one with
        // its predefined networks, never the empty store in between.
        let _g = self.links();
        self.end_everything_locked();
        self.seq.store(1, Ordering::Relaxed);
        self.create_predefined_networks();
    }

    /// `GET /memory/state`.
    pub fn snapshot(&self) -> StateDocument {
        let _g = self.links();
        let st = &self.store;
        let containers = st
            .containers
            .cloned_sorted_by_key(|c| (c.seq, c.id.clone()));
        let images = st.images.cloned_sorted_by_key(|i| i.id.clone());
        let networks = st.networks.cloned_sorted_by_key(|n| n.name.clone());
        let volumes = st.volumes.cloned_sorted_by_key(|v| v.name.clone());
        let execs = st.execs.cloned_sorted_by_key(|e| e.id.clone());
        StateDocument {
            version: 1,
            containers,
            images,
            image_tags: self.store.image_tags.entries().into_iter().collect(),
            networks,
            volumes,
            execs,
        }
    }

    /// `PUT /memory/state` (and `--state-file` at start): validates, then
    /// replaces the whole state as a reset does. Running and paused containers
    /// get a fresh process of the same run (their logs start empty); exec
    /// instances that were running are marked ended with 137.
    pub fn load_state(&self, doc: StateDocument) -> Result<()> {
        doc.validate()?;
        let mut live: Vec<(String, bool)> = Vec::new();
        {
            let _g = self.links();
            self.end_everything_locked();
            let mut max_seq = 0;
            let mut ports = lock(&self.ports);
            for c in doc.containers {
                max_seq = max_seq.max(c.seq);
                let _ = self.store.container_names.reserve(&c.name, &c.id);
                self.runtimes.insert(&c.id, self.options.log_limit);
                if c.is_running() {
                    live.push((c.id.clone(), c.state.status == Status::Paused));
                    for b in c.ports.values().flatten().flatten() {
                        if let Some(p) = b.host_port.as_deref().and_then(|p| p.parse().ok()) {
                            ports.insert(p);
                        }
                    }
                }
                self.store.container_labels.insert(&c.id, c.labels());
                self.store.containers.put(c.id.clone(), c);
            }
            drop(ports);
            self.seq.store(max_seq + 1, Ordering::Relaxed);
            for i in doc.images {
                self.store.images.put(i.id.clone(), i);
            }
            for (tag, id) in doc.image_tags {
                let _ = self.store.image_tags.reserve(&tag, &id);
            }
            for n in doc.networks {
                let _ = self.store.network_names.reserve(&n.name, &n.id);
                self.store.networks.put(n.id.clone(), n);
            }
            for v in doc.volumes {
                self.store.volumes.put(v.name.clone(), v);
            }
            for mut e in doc.execs {
                e.task = None;
                if e.running {
                    e.running = false;
                    e.exit_code = Some(137);
                    e.pid = 0;
                }
                self.store.execs.put(e.id.clone(), e);
            }
        }
        let ids: Vec<String> = self
            .store
            .containers
            .list(|_| true)
            .iter()
            .map(|c| c.id.clone())
            .collect();
        for id in ids {
            self.notify_waiters(&id);
        }
        for (id, paused) in live {
            if let Some(c) = self.store.containers.get(&id) {
                self.spawn_process(&c, c.state.run);
                if paused {
                    self.set_process_paused(&id, true);
                }
            }
        }
        Ok(())
    }

    /// The first script rule for a container (labels still win: see
    /// `process.rs`).
    pub(crate) fn script_rule_for(&self, c: &ContainerRecord) -> Option<Arc<ScriptRule>> {
        self.controls.script_for(&c.image, &c.command())
    }
}
