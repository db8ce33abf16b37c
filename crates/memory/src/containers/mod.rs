//! Containers: create, list, inspect, the lifecycle (start, stop, kill, restart,
//! pause, unpause), rename, remove, prune and wait. The simulated process that a
//! started container runs lives in `process.rs`.

pub mod process;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::events::Kind;
use crate::runtime::WaitState;
use crate::table::Resolution;
use crate::MemoryBackend;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::BoxFuture;
use sockerless_core::docker::{humanize, names, signal, timefmt};
use sockerless_core::error::{Error, Result};

/// `State.Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Created, never started.
    Created,
    /// Running.
    Running,
    /// Paused.
    Paused,
    /// Restarting.
    Restarting,
    /// Being removed.
    Removing,
    /// Exited.
    Exited,
    /// Dead.
    Dead,
}

impl Status {
    /// Docker's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Restarting => "restarting",
            Status::Removing => "removing",
            Status::Exited => "exited",
            Status::Dead => "dead",
        }
    }

    fn docker(self) -> docker::ContainerStateStatusEnum {
        use docker::ContainerStateStatusEnum as S;
        match self {
            Status::Created => S::CREATED,
            Status::Running => S::RUNNING,
            Status::Paused => S::PAUSED,
            Status::Restarting => S::RESTARTING,
            Status::Removing => S::REMOVING,
            Status::Exited => S::EXITED,
            Status::Dead => S::DEAD,
        }
    }
}

/// The process side of a container.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunState {
    /// `Status`.
    pub status: Status,
    /// Non-zero while running or paused.
    pub pid: i64,
    /// Last exit code.
    pub exit_code: i64,
    /// `Error`.
    pub error: String,
    /// `OOMKilled`.
    pub oom_killed: bool,
    /// Last start.
    pub started_at: Option<SystemTime>,
    /// Last exit.
    pub finished_at: Option<SystemTime>,
    /// Health, when a healthcheck is configured.
    pub health: Option<docker::Health>,
    /// Which start this is (a stale process never touches a newer run).
    pub run: u64,
}

impl RunState {
    /// The state of a process that never ran, in `status`.
    pub fn never_ran(status: Status, health: Option<docker::Health>) -> RunState {
        RunState {
            status,
            pid: 0,
            exit_code: 0,
            error: String::new(),
            oom_killed: false,
            started_at: None,
            finished_at: None,
            health,
            run: 0,
        }
    }
}

/// A stored container.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerRecord {
    /// 64-hex ID.
    pub id: String,
    /// Name with the leading `/`.
    pub name: String,
    /// Creation time.
    pub created: SystemTime,
    /// Creation order (ties of `created` are broken by it).
    pub seq: u64,
    /// The image as the create request named it.
    pub image: String,
    /// The image's ID.
    pub image_id: String,
    /// The create body's config merged over the image's.
    pub config: docker::ContainerConfig,
    /// `HostConfig` as given.
    pub host_config: docker::HostConfig,
    /// `Path`: the first word of entrypoint + cmd.
    pub path: String,
    /// `Args`: the rest.
    pub args: Vec<String>,
    /// Process state.
    pub state: RunState,
    /// Joined networks by name (Docker's `NetworkSettings.Networks`).
    pub networks: BTreeMap<String, docker::EndpointSettings>,
    /// Published ports while running (`NetworkSettings.Ports`).
    pub ports: HashMap<String, Option<Vec<docker::PortBinding>>>,
    /// `Mounts`.
    pub mounts: Vec<docker::MountPoint>,
    /// `RestartCount`.
    pub restart_count: i64,
}

impl ContainerRecord {
    /// Running or paused: the process exists.
    pub fn is_running(&self) -> bool {
        matches!(self.state.status, Status::Running | Status::Paused)
    }

    /// The name without `/`.
    pub fn bare_name(&self) -> &str {
        self.name.strip_prefix('/').unwrap_or(&self.name)
    }

    /// The first 12 characters of the ID.
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }

    /// Labels of the config.
    pub fn labels(&self) -> &HashMap<String, String> {
        static EMPTY: std::sync::OnceLock<HashMap<String, String>> = std::sync::OnceLock::new();
        self.config
            .labels
            .as_ref()
            .unwrap_or_else(|| EMPTY.get_or_init(HashMap::new))
    }

    /// Docker's `Command` column: path and args joined by spaces, an argument
    /// containing a space wrapped in single quotes (`/bin/sh -c 'sleep 1'`).
    pub fn command(&self) -> String {
        let mut s = self.path.clone();
        for a in &self.args {
            s.push(' ');
            if a.contains(' ') {
                s.push('\'');
                s.push_str(a);
                s.push('\'');
            } else {
                s.push_str(a);
            }
        }
        s
    }

    /// Names of the named volumes it references.
    pub fn volume_names(&self) -> impl Iterator<Item = &str> {
        self.mounts.iter().filter_map(|m| {
            (m.typ == Some(docker::MountPointTypeEnum::VOLUME))
                .then_some(m.name.as_deref())
                .flatten()
        })
    }

    fn wait_state(&self, removed: bool, exits: u64) -> WaitState {
        WaitState {
            running: self.is_running(),
            exits,
            exit_code: self.state.exit_code,
            removed,
            reset: false,
        }
    }
}

fn unix_secs(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn since(now: SystemTime, t: Option<SystemTime>) -> Duration {
    t.and_then(|t| now.duration_since(t).ok())
        .unwrap_or_default()
}

/// A planned mount, validated before anything is changed.
#[derive(Debug, Clone)]
enum PlannedMount {
    /// A named (`Some`) or anonymous (`None`) volume.
    Volume {
        name: Option<String>,
        destination: String,
        rw: bool,
        mode: String,
    },
    /// A host path.
    Bind {
        source: String,
        destination: String,
        rw: bool,
        mode: String,
    },
    /// A tmpfs.
    Tmpfs { destination: String },
}

impl PlannedMount {
    fn destination(&self) -> &str {
        match self {
            PlannedMount::Volume { destination, .. }
            | PlannedMount::Bind { destination, .. }
            | PlannedMount::Tmpfs { destination } => destination,
        }
    }
}

fn invalid_spec(spec: &str) -> Error {
    Error::bad_request(format!("invalid volume specification: '{spec}'"))
}

/// Parses `HostConfig.Binds`, `HostConfig.Mounts` and `Config.Volumes`.
fn plan_mounts(
    host: &docker::HostConfig,
    config_volumes: Option<&HashMap<String, HashMap<(), ()>>>,
) -> Result<Vec<PlannedMount>> {
    let mut out: Vec<PlannedMount> = Vec::new();
    for spec in host.binds.iter().flatten() {
        let parts: Vec<&str> = spec.split(':').collect();
        let (src, dst, mode) = match parts.as_slice() {
            [src, dst] => (*src, *dst, ""),
            [src, dst, mode] => (*src, *dst, *mode),
            _ => return Err(invalid_spec(spec)),
        };
        if src.is_empty() || dst.is_empty() {
            return Err(invalid_spec(spec));
        }
        if !dst.starts_with('/') {
            return Err(Error::bad_request(format!(
                "invalid volume specification: '{spec}': invalid mount config for type \"volume\": invalid mount path: '{dst}' mount path must be absolute"
            )));
        }
        for m in mode.split(',').filter(|m| !m.is_empty()) {
            if !matches!(
                m,
                "ro" | "rw"
                    | "z"
                    | "Z"
                    | "nocopy"
                    | "private"
                    | "rprivate"
                    | "shared"
                    | "rshared"
                    | "slave"
                    | "rslave"
                    | "consistent"
                    | "cached"
                    | "delegated"
            ) {
                return Err(Error::bad_request(format!("invalid mode: {mode}")));
            }
        }
        let rw = !mode.split(',').any(|m| m == "ro");
        if src.starts_with('/') {
            out.push(PlannedMount::Bind {
                source: src.to_string(),
                destination: dst.to_string(),
                rw,
                mode: mode.to_string(),
            });
        } else {
            out.push(PlannedMount::Volume {
                name: Some(src.to_string()),
                destination: dst.to_string(),
                rw,
                mode: if mode.is_empty() {
                    "z".into()
                } else {
                    mode.to_string()
                },
            });
        }
    }
    for m in host.mounts.iter().flatten() {
        let target = m.target.clone().unwrap_or_default();
        let kind = m.typ.map(|t| t.to_string()).unwrap_or_default();
        if target.is_empty() {
            return Err(Error::bad_request(format!(
                "invalid mount config for type \"{kind}\": field Target must not be empty"
            )));
        }
        if !target.starts_with('/') {
            return Err(Error::bad_request(format!(
                "invalid mount config for type \"{kind}\": invalid mount path: '{target}' mount path must be absolute"
            )));
        }
        let rw = !m.read_only.unwrap_or(false);
        let source = m.source.clone().filter(|s| !s.is_empty());
        match m.typ {
            Some(docker::MountTypeEnum::VOLUME) | None => out.push(PlannedMount::Volume {
                name: source,
                destination: target,
                rw,
                mode: "z".into(),
            }),
            Some(docker::MountTypeEnum::BIND) => {
                let Some(source) = source else {
                    return Err(Error::bad_request(
                        "invalid mount config for type \"bind\": field Source must not be empty",
                    ));
                };
                if !source.starts_with('/') {
                    return Err(Error::bad_request(format!(
                        "invalid mount config for type \"bind\": invalid mount path: '{source}' mount path must be absolute"
                    )));
                }
                out.push(PlannedMount::Bind {
                    source,
                    destination: target,
                    rw,
                    mode: String::new(),
                });
            }
            Some(docker::MountTypeEnum::TMPFS) => {
                if source.is_some() {
                    return Err(Error::bad_request(
                        "invalid mount config for type \"tmpfs\": field Source must not be specified",
                    ));
                }
                out.push(PlannedMount::Tmpfs {
                    destination: target,
                })
            }
            Some(other) => {
                return Err(Error::bad_request(format!(
                    "mount type {other} is not supported by the memory backend"
                )))
            }
        }
    }
    let mut seen = BTreeSet::new();
    for m in &out {
        if let PlannedMount::Volume { name: Some(n), .. } = m {
            crate::volumes::validate_name(n)?;
        }
        if !seen.insert(m.destination().to_string()) {
            return Err(Error::bad_request(format!(
                "Duplicate mount point: {}",
                m.destination()
            )));
        }
    }
    let mut anonymous: Vec<&String> = config_volumes.into_iter().flat_map(|v| v.keys()).collect();
    anonymous.sort();
    for dst in anonymous {
        if seen.insert(dst.clone()) {
            out.push(PlannedMount::Volume {
                name: None,
                destination: dst.clone(),
                rw: true,
                mode: String::new(),
            });
        }
    }
    Ok(out)
}

/// Merges the request's config over the image's, as Docker does.
fn merge_config(
    image: &docker::ContainerConfig,
    mut req: docker::ContainerConfig,
) -> docker::ContainerConfig {
    // Env: image entries the request does not override are kept, in order.
    let req_env = req.env.take().unwrap_or_default();
    let key = |e: &String| e.split('=').next().unwrap_or("").to_string();
    let overridden: BTreeSet<String> = req_env.iter().map(key).collect();
    let mut env: Vec<String> = image
        .env
        .iter()
        .flatten()
        .filter(|e| !overridden.contains(&key(e)))
        .cloned()
        .collect();
    env.extend(req_env);
    req.env = Some(env);
    // Entrypoint/Cmd: a new entrypoint drops the image's cmd.
    let req_has_entrypoint = req.entrypoint.as_ref().is_some_and(|e| !e.is_empty());
    if req.cmd.as_ref().is_none_or(|c| c.is_empty()) {
        req.cmd = if req_has_entrypoint {
            None
        } else {
            image.cmd.clone()
        };
    }
    if req.entrypoint.is_none() {
        req.entrypoint = image.entrypoint.clone();
    } else if req
        .entrypoint
        .as_ref()
        .is_some_and(|e| e.is_empty() || e == &[String::new()])
    {
        req.entrypoint = None;
    }
    if req.working_dir.as_deref().unwrap_or("").is_empty() {
        req.working_dir = image.working_dir.clone();
    }
    if req.user.as_deref().unwrap_or("").is_empty() {
        req.user = image.user.clone();
    }
    if req.stop_signal.is_none() {
        req.stop_signal = image.stop_signal.clone();
    }
    if req.healthcheck.is_none() {
        req.healthcheck = image.healthcheck.clone();
    }
    let mut ports = image.exposed_ports.clone().unwrap_or_default();
    ports.extend(req.exposed_ports.take().unwrap_or_default());
    req.exposed_ports = (!ports.is_empty()).then_some(ports);
    let mut volumes = image.volumes.clone().unwrap_or_default();
    volumes.extend(req.volumes.take().unwrap_or_default());
    req.volumes = (!volumes.is_empty()).then_some(volumes);
    let mut labels = image.labels.clone().unwrap_or_default();
    labels.extend(req.labels.take().unwrap_or_default());
    req.labels = Some(labels);
    if req.shell.is_none() {
        req.shell = image.shell.clone();
    }
    req
}

/// The `HostConfig` fields Docker always reports, filled where the request left
/// them out (clients read several of them unconditionally).
fn fill_host_defaults(h: &mut docker::HostConfig) {
    h.restart_policy.get_or_insert(docker::RestartPolicy {
        name: Some(docker::RestartPolicyNameEnum::NO),
        maximum_retry_count: Some(0),
    });
    h.log_config.get_or_insert(docker::HostConfigLogConfig {
        typ: Some("json-file".into()),
        config: Some(HashMap::new()),
    });
    h.port_bindings.get_or_insert_with(HashMap::new);
    h.auto_remove.get_or_insert(false);
    h.privileged.get_or_insert(false);
    h.publish_all_ports.get_or_insert(false);
    h.readonly_rootfs.get_or_insert(false);
    h.ipc_mode.get_or_insert_with(|| "private".into());
    h.pid_mode.get_or_insert_with(String::new);
    h.shm_size.get_or_insert(64 * 1024 * 1024);
    h.console_size.get_or_insert_with(|| vec![0, 0]);
    h.oom_kill_disable.get_or_insert(false);
}

/// The `Config` fields Docker always reports.
fn fill_config_defaults(c: &mut docker::ContainerConfig) {
    c.domainname.get_or_insert_with(String::new);
    c.user.get_or_insert_with(String::new);
    c.attach_stdin.get_or_insert(false);
    c.attach_stdout.get_or_insert(false);
    c.attach_stderr.get_or_insert(false);
    c.tty.get_or_insert(false);
    c.open_stdin.get_or_insert(false);
    c.stdin_once.get_or_insert(false);
    c.working_dir.get_or_insert_with(String::new);
}

/// Checks a restart policy, as Docker does.
fn check_restart_policy(host: &docker::HostConfig) -> Result<()> {
    let Some(p) = &host.restart_policy else {
        return Ok(());
    };
    let retries = p.maximum_retry_count.unwrap_or(0);
    if retries < 0 {
        return Err(Error::bad_request(
            "invalid restart policy: maximum retry count cannot be negative",
        ));
    }
    let on_failure = p.name == Some(docker::RestartPolicyNameEnum::ON_FAILURE);
    if retries > 0 && !on_failure {
        return Err(Error::bad_request(
            "invalid restart policy: maximum retry count can only be used with 'on-failure'",
        ));
    }
    if host.auto_remove == Some(true)
        && !matches!(
            p.name,
            None | Some(docker::RestartPolicyNameEnum::EMPTY)
                | Some(docker::RestartPolicyNameEnum::NO)
        )
    {
        return Err(Error::bad_request(
            "can't create 'AutoRemove' container with restart policy",
        ));
    }
    Ok(())
}

/// Docker's conflict message for a taken name.
fn name_conflict(name: &str, holder: &str) -> Error {
    Error::conflict(format!(
        "Conflict. The container name \"/{name}\" is already in use by container \"{holder}\". You have to remove (or rename) that container to be able to reuse that name."
    ))
}

fn invalid_name(name: &str) -> Error {
    Error::bad_request(format!(
        "Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
    ))
}

/// The ports a container exposes or binds, as `80/tcp` keys.
fn port_keys(c: &ContainerRecord) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = c
        .config
        .exposed_ports
        .iter()
        .flat_map(|p| p.keys().cloned())
        .collect();
    keys.extend(
        c.host_config
            .port_bindings
            .iter()
            .flat_map(|p| p.keys().cloned()),
    );
    keys
}

fn split_port(key: &str) -> (u16, docker::PortTypeEnum) {
    let (num, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    let typ = match proto {
        "udp" => docker::PortTypeEnum::UDP,
        "sctp" => docker::PortTypeEnum::SCTP,
        _ => docker::PortTypeEnum::TCP,
    };
    (num.parse().unwrap_or(0), typ)
}

/// Docker's `name` filter: the value equals the name, or is a regular
/// expression matching the name with or without its leading `/` (an invalid
/// expression matches nothing).
fn name_matches(name: &str, exact: &str, re: Option<&regex::Regex>) -> bool {
    let bare = name.strip_prefix('/').unwrap_or(name);
    if exact == name || exact == bare {
        return true;
    }
    re.is_some_and(|re| re.is_match(name) || re.is_match(bare))
}

/// The first and last host port handed out for an empty `HostPort`.
pub const EPHEMERAL_PORTS: (u16, u16) = (32768, 60999);

const ALL_STATUSES: &[&str] = &[
    "created",
    "restarting",
    "running",
    "removing",
    "paused",
    "exited",
    "dead",
];

impl MemoryBackend {
    /// Resolves a container reference: full ID, name (with or without `/`), or
    /// unique ID prefix.
    pub(crate) fn container_id(&self, reference: &str) -> Result<String> {
        match self
            .store
            .containers
            .resolve(reference, Some(&self.store.container_names))
        {
            Resolution::Found(id) => Ok(id),
            Resolution::NotFound => Err(Error::no_such_container(reference)),
            Resolution::Ambiguous(_) => Err(Error::bad_request(format!(
                "multiple IDs found with provided prefix: {reference}"
            ))),
        }
    }

    /// The record of a container reference.
    pub(crate) fn container(&self, reference: &str) -> Result<Arc<ContainerRecord>> {
        let id = self.container_id(reference)?;
        self.store
            .containers
            .get(&id)
            .ok_or_else(|| Error::no_such_container(reference))
    }

    /// How many containers use each image, in one pass over the containers
    /// (listing or pruning N images asks for every image at once).
    pub(crate) fn containers_per_image(&self) -> HashMap<String, usize> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for c in self.store.containers.list(|_| true) {
            *counts.entry(c.image_id.clone()).or_default() += 1;
        }
        counts
    }

    /// Publishes a container's state to its waiters.
    ///
    /// The exit count comes from the record (every start begins run `run`,
    /// every run ends once), not from comparing with the last published state:
    /// when a concurrent start follows an exit before the exit is published,
    /// both notifications see a running container, and the exit would be lost.
    pub(crate) fn notify_waiters(&self, id: &str) {
        let (Some(rt), Some(c)) = (self.runtimes.get(id), self.store.containers.get(id)) else {
            return;
        };
        let ended_runs = if c.is_running() {
            c.state.run.saturating_sub(1)
        } else {
            c.state.run
        };
        rt.wait.send_modify(|w| {
            let exits = w.exits.max(ended_runs);
            *w = c.wait_state(false, exits);
        });
    }

    fn container_attributes(&self, c: &ContainerRecord) -> HashMap<String, String> {
        let mut attrs = c.labels().clone();
        attrs.insert("image".into(), c.image.clone());
        attrs.insert("name".into(), c.bare_name().to_string());
        attrs
    }

    /// Emits a container event with Docker's attributes (labels, image, name)
    /// plus `extra`.
    pub(crate) fn emit_container(
        &self,
        c: &ContainerRecord,
        action: &str,
        extra: &[(&str, String)],
    ) {
        let mut attrs = self.container_attributes(c);
        for (k, v) in extra {
            attrs.insert((*k).to_string(), v.clone());
        }
        self.emit(Kind::Container, action, &c.id, attrs);
    }

    fn generate_name(&self, id: &str) -> Result<String> {
        for retry in 0..64 {
            let name = self.with_rng(|rng| names::generate(rng, retry.min(1) * retry));
            if self.store.container_names.reserve(&name, id).is_ok() {
                return Ok(name);
            }
        }
        Err(Error::internal(
            "could not generate a unique container name",
        ))
    }

    /// `POST /containers?name=`.
    pub(crate) fn containers_create(
        &self,
        name: Option<String>,
        body: ContainerCreateBody,
    ) -> Result<docker::ContainerCreateResponse> {
        let ContainerCreateBody {
            config,
            host_config,
            networking_config,
        } = body;
        // 1. Validate everything before changing anything.
        let name = name.filter(|n| !n.is_empty());
        if let Some(n) = &name {
            if !names::is_valid_container_name(n) {
                return Err(invalid_name(n));
            }
        }
        let image_ref = config.image.clone().unwrap_or_default();
        if image_ref.is_empty() {
            return Err(Error::bad_request(
                "no image specified: \"Image\" is required",
            ));
        }
        if let Some(wd) = config.working_dir.as_deref() {
            if !wd.is_empty() && !wd.starts_with('/') {
                return Err(Error::bad_request(format!(
                    "the working directory '{wd}' is invalid, it needs to be an absolute path"
                )));
            }
        }
        let mut host_config = host_config.unwrap_or_default();
        check_restart_policy(&host_config)?;
        let image = self.image_resolve(&image_ref)?;
        let merged = merge_config(&image.config, config);
        let mounts = plan_mounts(&host_config, merged.volumes.as_ref())?;
        let mode = host_config.network_mode.clone().unwrap_or_default();
        let mode = match mode.as_str() {
            "" | "default" => "bridge".to_string(),
            m => m.to_string(),
        };
        host_config.network_mode = Some(mode.clone());
        let endpoints = networking_config
            .and_then(|n| n.endpoints_config)
            .unwrap_or_default();
        // (network id, endpoint config) in join order: the mode's network first.
        let mut joins: Vec<(String, Option<docker::EndpointSettings>)> = Vec::new();
        if let Some(other) = mode.strip_prefix("container:") {
            self.container_id(other)?;
        } else {
            let net = self.network_resolve(&mode)?;
            let cfg = endpoints
                .get(&mode)
                .or_else(|| endpoints.get(&net.name))
                .or_else(|| endpoints.get(&net.id))
                .cloned();
            joins.push((net.id.clone(), cfg));
        }
        let mut extra: Vec<(&String, &docker::EndpointSettings)> = endpoints.iter().collect();
        extra.sort_by(|a, b| a.0.cmp(b.0));
        for (key, cfg) in extra {
            let net = self.network_resolve(key)?;
            if !joins.iter().any(|(id, _)| *id == net.id) {
                joins.push((net.id.clone(), Some(cfg.clone())));
            }
        }
        let entry: Vec<String> = merged
            .entrypoint
            .iter()
            .flatten()
            .chain(merged.cmd.iter().flatten())
            .cloned()
            .collect();
        let (path, args) = match entry.split_first() {
            Some((p, rest)) => (p.clone(), rest.to_vec()),
            None => {
                return Err(Error::bad_request("no command specified"));
            }
        };
        let id = self.new_id();
        let mut merged = merged;
        if merged.hostname.as_deref().unwrap_or("").is_empty() {
            merged.hostname = Some(id[..12].to_string());
        }
        merged.image = Some(image_ref.clone());
        fill_config_defaults(&mut merged);
        let health = merged
            .healthcheck
            .as_ref()
            .filter(|h| {
                h.test
                    .as_ref()
                    .is_some_and(|t| t.first().map(String::as_str) != Some("NONE"))
            })
            .map(|_| docker::Health {
                status: Some(docker::HealthStatusEnum::NONE),
                failing_streak: Some(0),
                log: Some(Vec::new()),
            });
        let mut record = ContainerRecord {
            id: id.clone(),
            name: String::new(),
            created: self.now(),
            seq: self.next_seq(),
            image: image_ref,
            image_id: image.id.clone(),
            config: merged,
            host_config,
            path,
            args,
            state: RunState::never_ran(Status::Created, health),
            networks: BTreeMap::new(),
            ports: HashMap::new(),
            mounts: Vec::new(),
            restart_count: 0,
        };

        // 2. Reserve, acquire and join under the links lock; undo on failure.
        let guard = self.links();
        let bare = match &name {
            Some(n) => {
                let bare = n.strip_prefix('/').unwrap_or(n).to_string();
                self.store
                    .container_names
                    .reserve(&bare, &id)
                    .map_err(|holder| name_conflict(&bare, &holder))?;
                bare
            }
            None => self.generate_name(&id)?,
        };
        record.name = format!("/{bare}");
        let mut acquired: Vec<String> = Vec::new();
        let outcome = (|| -> Result<()> {
            // Networks first: joining can fail (host/none rules), acquiring a
            // validated volume cannot, so a failed create never creates one.
            for (net_id, cfg) in &joins {
                self.network_attach(net_id, &mut record, cfg.clone())?;
            }
            for m in &mounts {
                match m {
                    PlannedMount::Volume {
                        name,
                        destination,
                        rw,
                        mode,
                    } => {
                        let vol = self.volume_acquire(name.as_deref(), &id)?;
                        acquired.push(vol.clone());
                        record.mounts.push(docker::MountPoint {
                            typ: Some(docker::MountPointTypeEnum::VOLUME),
                            name: Some(vol.clone()),
                            source: Some(format!("/var/lib/docker/volumes/{vol}/_data")),
                            destination: Some(destination.clone()),
                            driver: Some("local".into()),
                            mode: Some(mode.clone()),
                            rw: Some(*rw),
                            propagation: Some(String::new()),
                        });
                    }
                    PlannedMount::Bind {
                        source,
                        destination,
                        rw,
                        mode,
                    } => record.mounts.push(docker::MountPoint {
                        typ: Some(docker::MountPointTypeEnum::BIND),
                        name: None,
                        source: Some(source.clone()),
                        destination: Some(destination.clone()),
                        driver: None,
                        mode: Some(mode.clone()),
                        rw: Some(*rw),
                        propagation: Some("rprivate".into()),
                    }),
                    PlannedMount::Tmpfs { destination } => record.mounts.push(docker::MountPoint {
                        typ: Some(docker::MountPointTypeEnum::TMPFS),
                        name: None,
                        source: Some(String::new()),
                        destination: Some(destination.clone()),
                        driver: None,
                        mode: Some(String::new()),
                        rw: Some(true),
                        propagation: Some(String::new()),
                    }),
                }
            }
            Ok(())
        })();
        if let Err(e) = outcome {
            let nets: Vec<String> = record
                .networks
                .values()
                .filter_map(|s| s.network_id.clone())
                .collect();
            for net_id in nets {
                self.network_detach(&net_id, &mut record);
            }
            for vol in acquired {
                self.volume_release(&vol, &id, true);
            }
            self.store.container_names.release(&bare, &id);
            return Err(e);
        }
        self.runtimes.insert(&id, self.options.log_limit);
        if self
            .store
            .containers
            .insert_new(id.clone(), record.clone())
            .is_err()
        {
            return Err(Error::internal("container ID collision"));
        }
        self.store.container_labels.insert(&id, record.labels());
        drop(guard);
        self.emit_container(&record, "create", &[]);
        Ok(docker::ContainerCreateResponse {
            id,
            warnings: Vec::new(),
        })
    }

    /// `GET /containers/{ref}`.
    pub(crate) fn containers_inspect(&self, r: &str) -> Result<docker::ContainerInspectResponse> {
        let c = self.container(r)?;
        Ok(self.inspect_record(&c))
    }

    fn inspect_record(&self, c: &ContainerRecord) -> docker::ContainerInspectResponse {
        let zero = || timefmt::ZERO_TIME.to_string();
        let time = |t: Option<SystemTime>| t.map(timefmt::rfc3339_nano).unwrap_or_else(zero);
        let s = &c.state;
        let state = docker::ContainerState {
            status: Some(s.status.docker()),
            running: Some(c.is_running()),
            paused: Some(s.status == Status::Paused),
            restarting: Some(s.status == Status::Restarting),
            oom_killed: Some(s.oom_killed),
            dead: Some(s.status == Status::Dead),
            pid: Some(s.pid),
            exit_code: Some(s.exit_code),
            error: Some(s.error.clone()),
            started_at: Some(time(s.started_at)),
            finished_at: Some(time(s.finished_at)),
            health: s.health.clone(),
        };
        // The top-level addresses are the default bridge's, as in Docker.
        let bridge = c.networks.get("bridge");
        let field = |f: fn(&docker::EndpointSettings) -> Option<String>| {
            bridge.and_then(f).unwrap_or_default()
        };
        let mut ports: docker::PortMap = HashMap::new();
        if c.is_running() {
            ports = c.ports.clone();
        } else {
            for key in port_keys(c) {
                ports.insert(key, None);
            }
        }
        let network_settings = docker::NetworkSettings {
            bridge: Some(String::new()),
            sandbox_id: Some(if c.is_running() {
                c.id.clone()
            } else {
                String::new()
            }),
            hairpin_mode: Some(false),
            link_local_ipv6_address: Some(String::new()),
            link_local_ipv6_prefix_len: Some(0),
            ports: Some(ports),
            sandbox_key: Some(if c.is_running() {
                format!("/var/run/docker/netns/{}", c.short_id())
            } else {
                String::new()
            }),
            secondary_ip_addresses: None,
            secondary_ipv6_addresses: None,
            endpoint_id: Some(field(|e| e.endpoint_id.clone())),
            gateway: Some(field(|e| e.gateway.clone())),
            global_ipv6_address: Some(String::new()),
            global_ipv6_prefix_len: Some(0),
            ip_address: Some(field(|e| e.ip_address.clone())),
            ip_prefix_len: Some(bridge.and_then(|e| e.ip_prefix_len).unwrap_or(0)),
            ipv6_gateway: Some(String::new()),
            mac_address: Some(field(|e| e.mac_address.clone())),
            networks: Some(c.networks.clone().into_iter().collect()),
        };
        let exec_ids: Vec<String> = self
            .store
            .execs
            .list(|e| e.container_id == c.id)
            .iter()
            .map(|e| e.id.clone())
            .collect();
        let dir = format!("/var/lib/docker/containers/{}", c.id);
        docker::ContainerInspectResponse {
            id: Some(c.id.clone()),
            created: Some(timefmt::rfc3339_nano(c.created)),
            path: Some(c.path.clone()),
            args: Some(c.args.clone()),
            state: Some(state),
            image: Some(c.image_id.clone()),
            resolv_conf_path: Some(format!("{dir}/resolv.conf")),
            hostname_path: Some(format!("{dir}/hostname")),
            hosts_path: Some(format!("{dir}/hosts")),
            log_path: Some(format!("{dir}/{}-json.log", c.id)),
            name: Some(c.name.clone()),
            restart_count: Some(c.restart_count),
            driver: Some("overlay2".into()),
            platform: Some("linux".into()),
            mount_label: Some(String::new()),
            process_label: Some(String::new()),
            app_armor_profile: Some(String::new()),
            // Docker sends null when there are none; an empty array reads the
            // same to Go clients and iterates safely in Python.
            exec_ids: Some(exec_ids),
            // Defaults are filled here, not stored: a few small allocations per
            // stored container measurably slow a scan of 100 000 of them.
            host_config: Some({
                let mut h = c.host_config.clone();
                fill_host_defaults(&mut h);
                h
            }),
            graph_driver: Some(docker::GraphDriverData {
                name: "overlay2".into(),
                data: HashMap::new(),
            }),
            size_rw: None,
            size_root_fs: None,
            mounts: Some(c.mounts.clone()),
            config: Some(c.config.clone()),
            network_settings: Some(network_settings),
        }
    }

    /// `GET /containers`.
    pub(crate) fn containers_list(
        &self,
        o: ContainerListOptions,
    ) -> Result<Vec<docker::ContainerSummary>> {
        let f = &o.filters;
        f.check_keys(&[
            "id", "name", "label", "status", "exited", "ancestor", "network", "volume", "before",
            "since", "health", "is-task", "publish", "expose",
        ])
        .map_err(|e| Error::bad_request(e.to_string()))?;
        f.validate_values("status", ALL_STATUSES)
            .map_err(|e| Error::bad_request(e.to_string()))?;
        f.validate_values("health", &["starting", "healthy", "unhealthy", "none"])
            .map_err(|e| Error::bad_request(e.to_string()))?;
        let mut exited: Vec<i64> = Vec::new();
        for v in f.get("exited") {
            exited.push(
                v.parse()
                    .map_err(|_| Error::bad_request(format!("invalid filter 'exited={v}'")))?,
            );
        }
        let bound = |key: &str| -> Result<Option<Arc<ContainerRecord>>> {
            match f.get(key).first() {
                Some(r) => self.container(r).map(Some),
                None => Ok(None),
            }
        };
        let before = bound("before")?;
        let since_c = bound("since")?;
        let ancestors: Vec<String> = f
            .get("ancestor")
            .iter()
            .filter_map(|a| self.image_resolve(a).ok().map(|i| i.id.clone()))
            .collect();
        let ancestor_given = f.contains("ancestor");
        let name_patterns: Vec<(&str, Option<regex::Regex>)> = f
            .get("name")
            .into_iter()
            .map(|n| (n, regex::Regex::new(n).ok()))
            .collect();
        let all = o.all || o.limit.is_some() || before.is_some() || since_c.is_some();
        let now = self.now();
        // Every filter's values are read once here, not once per container: the
        // closure below runs for every stored container.
        let ids = f.get("id");
        let statuses = f.get("status");
        let networks = f.get("network");
        let volumes = f.get("volume");
        let health = f.get("health");
        let expose = f.get("expose");
        let publish = f.get("publish");
        let is_task = f.contains("is-task");
        let task_ok = f.exact_match("is-task", "false");
        let by_status = f.contains("status") || f.contains("exited");
        let labels: Vec<(&str, Option<&str>, bool)> = f
            .get("label")
            .into_iter()
            .map(|l| match l.split_once('=') {
                None => (l, None, false),
                Some((k, v)) => match k.strip_suffix('!') {
                    Some(k) => (k, Some(v), true),
                    None => (k, Some(v), false),
                },
            })
            .collect();
        let keep =
            |c: &ContainerRecord| {
                if !all && !by_status && !c.is_running() {
                    return false;
                }
                if !labels.is_empty() {
                    let have = c.labels();
                    let ok = labels.iter().all(|(k, v, neg)| match (v, neg) {
                        (None, _) => have.contains_key(*k),
                        (Some(v), false) => have.get(*k).map(String::as_str) == Some(*v),
                        (Some(v), true) => have.get(*k).map(String::as_str) != Some(*v),
                    });
                    if !ok {
                        return false;
                    }
                }
                if !ids.is_empty() && !ids.iter().any(|p| c.id.starts_with(p)) {
                    return false;
                }
                if !name_patterns.is_empty()
                    && !name_patterns
                        .iter()
                        .any(|(exact, re)| name_matches(&c.name, exact, re.as_ref()))
                {
                    return false;
                }
                if !statuses.is_empty() && !statuses.contains(&c.state.status.as_str()) {
                    return false;
                }
                if !exited.is_empty()
                    && (c.state.status != Status::Exited || !exited.contains(&c.state.exit_code))
                {
                    return false;
                }
                if ancestor_given && !ancestors.contains(&c.image_id) {
                    return false;
                }
                if !networks.is_empty()
                    && !networks.iter().any(|n| {
                        c.networks.iter().any(|(name, s)| {
                            name == n || s.network_id.as_deref().is_some_and(|id| id.starts_with(n))
                        })
                    })
                {
                    return false;
                }
                if !volumes.is_empty()
                    && !volumes.iter().any(|v| {
                        c.mounts.iter().any(|m| {
                            m.name.as_deref() == Some(v) || m.destination.as_deref() == Some(v)
                        })
                    })
                {
                    return false;
                }
                if before.as_ref().is_some_and(|b| c.seq >= b.seq)
                    || since_c.as_ref().is_some_and(|s| c.seq <= s.seq)
                {
                    return false;
                }
                if !health.is_empty() {
                    let h = c
                        .state
                        .health
                        .as_ref()
                        .and_then(|h| h.status)
                        .map(|s| s.to_string())
                        .filter(|s| !s.is_empty() && s != "none")
                        .unwrap_or_else(|| "none".into());
                    if !health.contains(&h.as_str()) {
                        return false;
                    }
                }
                if is_task && !task_ok {
                    return false;
                }
                if !expose.is_empty()
                    && !expose.iter().any(|p| {
                        port_keys(c)
                            .iter()
                            .any(|k| k == p || k.split('/').next() == Some(p))
                    })
                {
                    return false;
                }
                if !publish.is_empty()
                    && !publish.iter().any(|p| {
                        c.ports.values().flatten().flatten().any(|b| {
                            b.host_port.as_deref() == Some(p.split('/').next().unwrap_or(p))
                        })
                    })
                {
                    return false;
                }
                true
            };
        // Positive label filters go through the label index: only the
        // containers that carry the first wanted label are looked at, not every
        // stored one.
        let indexed = labels
            .iter()
            .find(|(_, _, neg)| !neg)
            .map(|(k, v, _)| match v {
                Some(v) => format!("{k}\0{v}"),
                None => (*k).to_string(),
            });
        let mut list: Vec<Arc<ContainerRecord>> = match indexed {
            Some(key) => self
                .store
                .container_labels
                .get(&key)
                .iter()
                .filter_map(|id| self.store.containers.get(id))
                .filter(|c| keep(c))
                .collect(),
            None => self.store.containers.list(keep),
        };
        list.sort_by_key(|c| std::cmp::Reverse(c.seq));
        if let Some(n) = o.limit {
            list.truncate(n);
        }
        Ok(list
            .iter()
            .map(|c| {
                let mut s = self.summary(c, now);
                if o.size {
                    // Nothing is ever written: the writable layer is empty and
                    // the root filesystem is the image.
                    s.size_rw = Some(0);
                    s.size_root_fs = Some(
                        self.store
                            .images
                            .get(&c.image_id)
                            .map(|i| i.size)
                            .unwrap_or(0),
                    );
                }
                s
            })
            .collect())
    }

    fn summary(&self, c: &ContainerRecord, now: SystemTime) -> docker::ContainerSummary {
        let health = c
            .state
            .health
            .as_ref()
            .and_then(|h| h.status)
            .map(|s| s.to_string());
        let status = humanize::container_status(
            c.state.status.as_str(),
            since(now, c.state.started_at),
            since(now, c.state.finished_at),
            c.state.exit_code,
            c.state.status == Status::Paused,
            health.as_deref(),
        );
        let status = if c.state.status == Status::Created {
            "Created".to_string()
        } else {
            status
        };
        let mut ports: Vec<docker::Port> = Vec::new();
        for key in port_keys(c) {
            let (private, typ) = split_port(&key);
            let bindings = c.ports.get(&key).cloned().flatten().unwrap_or_default();
            if bindings.is_empty() || !c.is_running() {
                ports.push(docker::Port {
                    ip: None,
                    private_port: private,
                    public_port: None,
                    typ: Some(typ),
                });
            }
            if c.is_running() {
                for b in bindings {
                    ports.push(docker::Port {
                        ip: b.host_ip.clone(),
                        private_port: private,
                        public_port: b.host_port.as_deref().and_then(|p| p.parse().ok()),
                        typ: Some(typ),
                    });
                }
            }
        }
        docker::ContainerSummary {
            id: Some(c.id.clone()),
            names: Some(vec![c.name.clone()]),
            image: Some(c.image.clone()),
            image_id: Some(c.image_id.clone()),
            command: Some(c.command()),
            created: Some(unix_secs(c.created)),
            ports: Some(ports),
            size_rw: None,
            size_root_fs: None,
            labels: Some(c.labels().clone()),
            state: Some(c.state.status.as_str().to_string()),
            status: Some(status),
            host_config: Some(docker::ContainerSummaryHostConfig {
                network_mode: c.host_config.network_mode.clone(),
            }),
            network_settings: Some(docker::ContainerSummaryNetworkSettings {
                networks: Some(c.networks.clone().into_iter().collect()),
            }),
            mounts: Some(c.mounts.clone()),
        }
    }

    /// Publishes `PortBindings` (and, with `PublishAllPorts`, every exposed
    /// port) into `NetworkSettings.Ports`.
    fn publish_ports(&self, c: &mut ContainerRecord) -> Result<()> {
        let mut in_use = self
            .ports
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let publish_all = c.host_config.publish_all_ports.unwrap_or(false);
        let bindings = c.host_config.port_bindings.clone().unwrap_or_default();
        let mut taken: Vec<u16> = Vec::new();
        let mut out: HashMap<String, Option<Vec<docker::PortBinding>>> = HashMap::new();
        let next_free = |in_use: &BTreeSet<u16>, taken: &[u16]| {
            (EPHEMERAL_PORTS.0..=EPHEMERAL_PORTS.1)
                .find(|p| !in_use.contains(p) && !taken.contains(p))
        };
        let result = (|| -> Result<()> {
            for key in port_keys(c) {
                let wanted: Vec<docker::PortBinding> = match bindings.get(&key).cloned().flatten() {
                    Some(b) if !b.is_empty() => b,
                    _ if publish_all => vec![docker::PortBinding::default()],
                    _ => {
                        out.insert(key, None);
                        continue;
                    }
                };
                let mut published = Vec::new();
                for b in wanted {
                    let host_port = b.host_port.clone().unwrap_or_default();
                    let port = if host_port.is_empty() || host_port == "0" {
                        next_free(&in_use, &taken).ok_or_else(|| {
                            Error::conflict("no free host port left in the ephemeral range")
                        })?
                    } else {
                        let p: u16 = host_port.parse().map_err(|_| {
                            Error::bad_request(format!("invalid host port: {host_port}"))
                        })?;
                        if in_use.contains(&p) || taken.contains(&p) {
                            let ip = b
                                .host_ip
                                .clone()
                                .filter(|s| !s.is_empty())
                                .unwrap_or_else(|| "0.0.0.0".into());
                            return Err(Error::conflict(format!(
                                "driver failed programming external connectivity on endpoint {}: Bind for {ip}:{p} failed: port is already allocated",
                                c.bare_name()
                            )));
                        }
                        p
                    };
                    taken.push(port);
                    let ip = b.host_ip.clone().filter(|s| !s.is_empty());
                    match ip {
                        Some(ip) => published.push(docker::PortBinding {
                            host_ip: Some(ip),
                            host_port: Some(port.to_string()),
                        }),
                        None => {
                            published.push(docker::PortBinding {
                                host_ip: Some("0.0.0.0".into()),
                                host_port: Some(port.to_string()),
                            });
                            published.push(docker::PortBinding {
                                host_ip: Some("::".into()),
                                host_port: Some(port.to_string()),
                            });
                        }
                    }
                }
                out.insert(key, Some(published));
            }
            Ok(())
        })();
        result?;
        in_use.extend(taken);
        c.ports = out;
        Ok(())
    }

    /// Releases a container's host ports.
    fn release_ports(&self, c: &mut ContainerRecord) {
        let mut in_use = self
            .ports
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for b in c.ports.values().flatten().flatten() {
            if let Some(p) = b.host_port.as_deref().and_then(|p| p.parse::<u16>().ok()) {
                in_use.remove(&p);
            }
        }
        c.ports.clear();
    }

    /// Docker's `network connect`/`disconnect` events for each network a
    /// container joins when it starts and leaves when it stops.
    fn emit_network_membership(&self, c: &ContainerRecord, action: &str) {
        for (name, settings) in &c.networks {
            let Some(net_id) = settings.network_id.as_deref() else {
                continue;
            };
            let driver = self
                .store
                .networks
                .get(net_id)
                .map(|n| n.driver.clone())
                .unwrap_or_default();
            let attrs: HashMap<String, String> = [
                ("container".to_string(), c.id.clone()),
                ("name".to_string(), name.clone()),
                ("type".to_string(), driver),
            ]
            .into_iter()
            .collect();
            self.emit(Kind::Network, action, net_id, attrs);
        }
    }

    /// Docker's volume `mount`/`unmount` events for each named or anonymous
    /// volume a container mounts when it starts and unmounts when it stops.
    fn emit_volume_mounts(&self, c: &ContainerRecord, action: &str) {
        for m in &c.mounts {
            let (Some(docker::MountPointTypeEnum::VOLUME), Some(name)) = (m.typ, m.name.as_deref())
            else {
                continue;
            };
            let mut attrs: HashMap<String, String> = [
                ("container".to_string(), c.id.clone()),
                (
                    "driver".to_string(),
                    m.driver.clone().unwrap_or_else(|| "local".into()),
                ),
            ]
            .into_iter()
            .collect();
            if action == "mount" {
                attrs.insert(
                    "destination".into(),
                    m.destination.clone().unwrap_or_default(),
                );
                attrs.insert(
                    "propagation".into(),
                    m.propagation.clone().unwrap_or_default(),
                );
                attrs.insert("read/write".into(), m.rw.unwrap_or(true).to_string());
            }
            self.emit(Kind::Volume, action, name, attrs);
        }
    }

    /// `POST /containers/{ref}/start`.
    pub(crate) fn containers_start(&self, r: &str) -> Result<()> {
        let id = self.container_id(r)?;
        let run = {
            let _g = self.links();
            self.store
                .containers
                .update(&id, |c| -> Result<u64> {
                    match c.state.status {
                        Status::Running => return Err(Error::NotModified),
                        Status::Paused => {
                            return Err(Error::conflict(
                                "cannot start a paused container, try unpause instead",
                            ))
                        }
                        Status::Removing | Status::Dead => {
                            return Err(Error::conflict(format!(
                                "container {} is marked for removal and cannot be started",
                                c.id
                            )))
                        }
                        _ => {}
                    }
                    self.network_allocate_ips(c)?;
                    if let Err(e) = self.publish_ports(c) {
                        self.network_release_ips(c);
                        return Err(e);
                    }
                    c.state.run += 1;
                    c.state.status = Status::Running;
                    c.state.pid = self.new_pid();
                    c.state.exit_code = 0;
                    c.state.error.clear();
                    c.state.started_at = Some(self.now());
                    if let Some(h) = c.state.health.as_mut() {
                        h.status = Some(docker::HealthStatusEnum::STARTING);
                        h.failing_streak = Some(0);
                    }
                    Ok(c.state.run)
                })
                .ok_or_else(|| Error::no_such_container(r))??
        };
        self.notify_waiters(&id);
        if let Some(c) = self.store.containers.get(&id) {
            self.emit_network_membership(&c, "connect");
            self.emit_volume_mounts(&c, "mount");
            self.emit_container(&c, "start", &[]);
            self.spawn_process(&c, run);
        }
        Ok(())
    }

    /// Marks run `run` of a container exited with `code` (called by its process).
    /// Returns whether it changed anything.
    pub(crate) fn container_exited(&self, id: &str, run: u64, code: i64) -> bool {
        self.container_exited_in(self.epoch(), id, run, code)
    }

    /// As [`Self::container_exited`], for a task of generation `epoch`: after a
    /// reset (or a state load) the old task's exit writes nothing.
    pub(crate) fn container_exited_in(&self, epoch: u64, id: &str, run: u64, code: i64) -> bool {
        let changed = {
            let _g = self.links();
            if self.epoch() != epoch {
                return false;
            }
            self.store
                .containers
                .update(id, |c| {
                    if c.state.run != run || !c.is_running() {
                        return false;
                    }
                    c.state.status = Status::Exited;
                    c.state.pid = 0;
                    c.state.exit_code = code;
                    c.state.finished_at = Some(self.now());
                    if let Some(h) = c.state.health.as_mut() {
                        h.status = Some(docker::HealthStatusEnum::UNHEALTHY);
                    }
                    self.network_release_ips(c);
                    self.release_ports(c);
                    true
                })
                .unwrap_or(false)
        };
        if changed {
            self.process_ended(id, run);
            self.drop_execs_of(id);
            self.notify_waiters(id);
            if let Some(c) = self.store.containers.get(id) {
                self.emit_container(&c, "die", &[("exitCode", code.to_string())]);
                self.emit_network_membership(&c, "disconnect");
                self.emit_volume_mounts(&c, "unmount");
                if c.host_config.auto_remove == Some(true) {
                    let _ = self.containers_remove(
                        id,
                        ContainerRemoveOptions {
                            force: true,
                            volumes: true,
                            link: false,
                        },
                    );
                }
            }
        }
        changed
    }

    /// How many times the container has exited so far (the baseline of
    /// [`Self::wait_not_running`]); 0 when it has no runtime.
    fn exits_so_far(&self, id: &str) -> u64 {
        self.runtimes
            .get(id)
            .map(|rt| rt.wait.borrow().exits)
            .unwrap_or(0)
    }

    /// Waits (bounded) until the run that was live when `exits` was read has
    /// ended: the container is not running, is removed, or has exited since.
    /// Comparing exit counts matters: a concurrent start may begin the next run
    /// before this waiter looks, and the watch channel only keeps the latest
    /// state, so "not running" alone can be missed.
    async fn wait_not_running(&self, id: &str, exits: u64, timeout: Option<Duration>) -> bool {
        let Some(rt) = self.runtimes.get(id) else {
            return true;
        };
        let mut rx = rt.wait.subscribe();
        drop(rt);
        let fut = async {
            loop {
                let s = *rx.borrow_and_update();
                if !s.running || s.removed || s.reset || s.exits > exits {
                    return;
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        };
        match timeout {
            Some(t) => tokio::time::timeout(t, fut).await.is_ok(),
            None => {
                fut.await;
                true
            }
        }
    }

    /// The signal stop and restart send: the request's, else the container's
    /// `StopSignal`, else SIGTERM.
    fn stop_signal(c: &ContainerRecord, requested: Option<&str>) -> Result<i32> {
        match requested.or(c.config.stop_signal.as_deref()) {
            Some(s) if !s.is_empty() => Self::parse_signal(s),
            _ => Ok(signal::SIGTERM),
        }
    }

    fn parse_signal(s: &str) -> Result<i32> {
        signal::parse_signal(s).ok_or_else(|| Error::bad_request(format!("Invalid signal: {s}")))
    }

    /// `POST /containers/{ref}/stop`.
    pub(crate) async fn containers_stop(&self, r: &str, o: StopOptions) -> Result<()> {
        let c = self.container(r)?;
        let sig = Self::stop_signal(&c, o.signal.as_deref())?;
        if !c.is_running() {
            return Err(Error::NotModified);
        }
        let timeout = o.timeout.or(c.config.stop_timeout).unwrap_or(10);
        self.stop_container(&c.id, sig, timeout).await;
        if let Some(c) = self.store.containers.get(&c.id) {
            self.emit_container(&c, "stop", &[]);
        }
        Ok(())
    }

    /// Sends the stop signal, waits up to `timeout` seconds (negative: forever),
    /// then kills.
    async fn stop_container(&self, id: &str, sig: i32, timeout: i64) {
        let epoch = self.epoch();
        if let Some(c) = self.store.containers.get(id) {
            self.emit_container(&c, "kill", &[("signal", sig.to_string())]);
        }
        let exits = self.exits_so_far(id);
        self.signal_process(id, sig);
        let limit = (timeout >= 0).then(|| Duration::from_secs(timeout as u64));
        // A reset while waiting ended this container: the ID may now name
        // another one (under a seed), which the SIGKILL must not reach.
        if self.wait_not_running(id, exits, limit).await || self.epoch() != epoch {
            return;
        }
        if let Some(c) = self.store.containers.get(id) {
            self.emit_container(&c, "kill", &[("signal", signal::SIGKILL.to_string())]);
        }
        self.signal_process(id, signal::SIGKILL);
        self.wait_not_running(id, exits, Some(Duration::from_secs(5)))
            .await;
    }

    /// `POST /containers/{ref}/kill`.
    pub(crate) async fn containers_kill(&self, r: &str, s: Option<String>) -> Result<()> {
        let c = self.container(r)?;
        let sig = match s.as_deref() {
            Some(s) => Self::parse_signal(s)?,
            None => signal::SIGKILL,
        };
        if !c.is_running() {
            return Err(Error::conflict(format!(
                "Cannot kill container: {r}: container {} is not running",
                c.id
            )));
        }
        self.emit_container(&c, "kill", &[("signal", sig.to_string())]);
        let exits = self.exits_so_far(&c.id);
        if self.signal_process(&c.id, sig) {
            // A terminating signal: return once the container has exited.
            self.wait_not_running(&c.id, exits, Some(Duration::from_secs(5)))
                .await;
        }
        Ok(())
    }

    /// `POST /containers/{ref}/restart`.
    pub(crate) async fn containers_restart(&self, r: &str, o: StopOptions) -> Result<()> {
        let c = self.container(r)?;
        let sig = Self::stop_signal(&c, o.signal.as_deref())?;
        let epoch = self.epoch();
        if c.is_running() {
            let timeout = o.timeout.or(c.config.stop_timeout).unwrap_or(10);
            self.stop_container(&c.id, sig, timeout).await;
        }
        if self.epoch() != epoch {
            return Err(Error::Conflict(crate::controls::RESET_MESSAGE.into()));
        }
        match self.containers_start(&c.id) {
            Ok(()) | Err(Error::NotModified) => {}
            Err(e) => return Err(e),
        }
        if let Some(c) = self.store.containers.get(&c.id) {
            self.emit_container(&c, "restart", &[]);
        }
        Ok(())
    }

    /// `POST /containers/{ref}/pause`.
    pub(crate) fn containers_pause(&self, r: &str) -> Result<()> {
        self.set_paused(r, true)
    }

    /// `POST /containers/{ref}/unpause`. Docker answers 500 for a container that
    /// is not paused; we answer 409.
    pub(crate) fn containers_unpause(&self, r: &str) -> Result<()> {
        self.set_paused(r, false)
    }

    /// Pauses (`true`) or unpauses a container, with Docker's conflicts.
    fn set_paused(&self, r: &str, pause: bool) -> Result<()> {
        let id = self.container_id(r)?;
        self.store
            .containers
            .update(&id, |c| match (pause, c.state.status) {
                (true, Status::Running) => {
                    c.state.status = Status::Paused;
                    Ok(())
                }
                (false, Status::Paused) => {
                    c.state.status = Status::Running;
                    Ok(())
                }
                (true, Status::Paused) => Err(Error::conflict(format!(
                    "Container {} is already paused",
                    c.id
                ))),
                (true, _) => Err(Error::conflict(format!(
                    "container {} is not running",
                    c.id
                ))),
                (false, _) => Err(Error::conflict(format!("Container {} is not paused", c.id))),
            })
            .ok_or_else(|| Error::no_such_container(r))??;
        self.set_process_paused(&id, pause);
        self.notify_waiters(&id);
        if let Some(c) = self.store.containers.get(&id) {
            self.emit_container(&c, if pause { "pause" } else { "unpause" }, &[]);
        }
        Ok(())
    }

    /// `POST /containers/{ref}/rename?name=`.
    pub(crate) fn containers_rename(&self, r: &str, new_name: &str) -> Result<()> {
        let new_bare = new_name.strip_prefix('/').unwrap_or(new_name).to_string();
        if new_bare.is_empty() {
            return Err(Error::bad_request("Neither old nor new names may be empty"));
        }
        if !names::is_valid_container_name(&new_bare) {
            return Err(invalid_name(new_name));
        }
        let id = self.container_id(r)?;
        let _g = self.links();
        let c = self
            .store
            .containers
            .get(&id)
            .ok_or_else(|| Error::no_such_container(r))?;
        let old_bare = c.bare_name().to_string();
        if old_bare == new_bare {
            return Err(Error::bad_request(
                "Renaming a container with the same name as its current name",
            ));
        }
        self.store
            .container_names
            .reserve(&new_bare, &id)
            .map_err(|holder| name_conflict(&new_bare, &holder))?;
        self.store.containers.update(&id, |c| {
            c.name = format!("/{new_bare}");
        });
        self.store.container_names.release(&old_bare, &id);
        for s in c.networks.values() {
            if let Some(net_id) = &s.network_id {
                self.store.networks.update(net_id, |n| {
                    if let Some(e) = n.members.get_mut(&id) {
                        e.container_name = new_bare.clone();
                    }
                });
            }
        }
        drop(_g);
        if let Some(c) = self.store.containers.get(&id) {
            self.emit_container(&c, "rename", &[("oldName", format!("/{old_bare}"))]);
        }
        Ok(())
    }

    /// `DELETE /containers/{ref}`.
    pub(crate) fn containers_remove(&self, r: &str, o: ContainerRemoveOptions) -> Result<()> {
        let id = self.container_id(r)?;
        let guard = self.links();
        let Some(c) = self.store.containers.get(&id) else {
            return Err(Error::no_such_container(r));
        };
        if !o.force {
            match c.state.status {
                Status::Running | Status::Restarting => {
                    return Err(Error::conflict(format!(
                        "cannot remove container \"{}\": container is running: stop the container before removing or force remove",
                        c.name
                    )))
                }
                Status::Paused => {
                    return Err(Error::conflict(format!(
                        "cannot remove container \"{}\": container is paused and must be unpaused first",
                        c.name
                    )))
                }
                _ => {}
            }
        }
        let Some(removed) = self.store.containers.remove(&id) else {
            return Err(Error::no_such_container(r));
        };
        self.store.container_labels.remove(&id, removed.labels());
        let mut record = (*removed).clone();
        let was_running = record.is_running();
        if was_running {
            record.state.status = Status::Exited;
            record.state.exit_code = 137;
            record.state.pid = 0;
            record.state.finished_at = Some(self.now());
        }
        let nets: Vec<String> = record
            .networks
            .values()
            .filter_map(|s| s.network_id.clone())
            .collect();
        for net_id in nets {
            self.network_detach(&net_id, &mut record);
        }
        self.release_ports(&mut record);
        let vols: Vec<String> = record.volume_names().map(str::to_string).collect();
        for v in vols {
            self.volume_release(&v, &id, o.volumes);
        }
        self.store.container_names.release(record.bare_name(), &id);
        drop(guard);
        self.kill_process_now(&id);
        self.drop_execs_of(&id);
        if let Some(rt) = self.runtimes.remove(&id) {
            let exited_now = was_running;
            rt.wait.send_modify(|w| {
                w.exits += u64::from(exited_now);
                w.running = false;
                w.exit_code = record.state.exit_code;
                w.removed = true;
            });
        }
        if was_running {
            self.emit_container(&record, "kill", &[("signal", signal::SIGKILL.to_string())]);
            self.emit_container(&record, "die", &[("exitCode", "137".into())]);
            self.emit_network_membership(&removed, "disconnect");
            self.emit_volume_mounts(&removed, "unmount");
        }
        self.emit_container(&record, "destroy", &[]);
        Ok(())
    }

    /// `POST /containers/prune`.
    pub(crate) fn containers_prune(&self, f: Filters) -> Result<docker::ContainerPruneResponse> {
        f.check_keys(&["label", "label!", "until"])
            .map_err(|e| Error::bad_request(e.to_string()))?;
        let until = match f.get("until").first() {
            Some(u) => Some(
                timefmt::parse_timestamp(u, self.now())
                    .map_err(|e| Error::bad_request(e.to_string()))?,
            ),
            None => None,
        };
        let candidates = self.store.containers.list(|c| {
            !c.is_running()
                && f.match_prune_labels(c.labels())
                && until.is_none_or(|u| c.created <= u)
        });
        let mut deleted = Vec::new();
        for c in candidates {
            if self
                .containers_remove(
                    &c.id,
                    ContainerRemoveOptions {
                        force: false,
                        volumes: false,
                        link: false,
                    },
                )
                .is_ok()
            {
                deleted.push(c.id.clone());
            }
        }
        Ok(docker::ContainerPruneResponse {
            containers_deleted: Some(deleted),
            space_reclaimed: Some(0),
        })
    }

    /// `WS /containers/{ref}/wait`.
    pub(crate) fn containers_wait(
        &self,
        r: &str,
        condition: WaitCondition,
    ) -> Result<BoxFuture<WaitResponse>> {
        let id = self.container_id(r)?;
        let rt = self
            .runtimes
            .get(&id)
            .ok_or_else(|| Error::no_such_container(r))?;
        let mut rx = rt.wait.subscribe();
        drop(rt);
        let start = *rx.borrow_and_update();
        Ok(Box::pin(async move {
            let done = |s: WaitState| WaitResponse {
                status_code: s.exit_code,
                error: None,
            };
            loop {
                let s = *rx.borrow_and_update();
                if s.reset {
                    return crate::controls::reset_wait_response();
                }
                let holds = match condition {
                    WaitCondition::NotRunning => !s.running,
                    WaitCondition::NextExit => s.exits > start.exits || s.removed,
                    WaitCondition::Removed => s.removed,
                };
                if holds {
                    return done(s);
                }
                if rx.changed().await.is_err() {
                    return done(*rx.borrow());
                }
            }
        }))
    }
}
