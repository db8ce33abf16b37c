//! `GET /containers/json`: Docker's filters, the label index, and the summary
//! shape.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::host::ListPart;
use super::ports::port_keys;
use super::record::{ContainerRecord, Status};
use crate::backend::MemoryBackend;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::docker::humanize;
use sockerless_core::error::{Error, Result};

const ALL_STATUSES: &[&str] = &[
    "created",
    "restarting",
    "running",
    "removing",
    "paused",
    "exited",
    "dead",
];

fn unix_secs(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn since(now: SystemTime, t: Option<SystemTime>) -> Duration {
    t.and_then(|t| now.duration_since(t).ok())
        .unwrap_or_default()
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

/// The list's filters, checked, each read once: [`ListQuery::keep`] runs for
/// every stored container.
pub(crate) struct ListQuery<'a> {
    all: bool,
    by_status: bool,
    /// (key, value, negated) of each `label` filter.
    labels: Vec<(&'a str, Option<&'a str>, bool)>,
    ids: Vec<&'a str>,
    name_patterns: Vec<(&'a str, Option<regex::Regex>)>,
    statuses: Vec<&'a str>,
    exited: Vec<i64>,
    ancestor_given: bool,
    ancestors: Vec<String>,
    networks: Vec<&'a str>,
    volumes: Vec<&'a str>,
    before: Option<Arc<ContainerRecord>>,
    since_c: Option<Arc<ContainerRecord>>,
    health: Vec<&'a str>,
    is_task: bool,
    task_ok: bool,
    expose: Vec<&'a str>,
    publish: Vec<&'a str>,
}

impl<'a> ListQuery<'a> {
    /// Checks the options' filters (Docker's keys and values) and reads them.
    pub(crate) fn new(b: &MemoryBackend, o: &'a ContainerListOptions) -> Result<Self> {
        let f = &o.filters;
        f.check_keys(&[
            "id", "name", "label", "status", "exited", "ancestor", "network", "volume", "before",
            "since", "health", "is-task", "publish", "expose",
        ])
        .map_err(|e| Error::bad_request(e.to_string()))?;
        f.validate_values("status", ALL_STATUSES)
            .map_err(|e| Error::bad_request(e.to_string()))?;
        for v in f.get("health") {
            if !["starting", "healthy", "unhealthy", "none"].contains(&v) {
                return Err(Error::bad_request(format!(
                    "unrecognized filter value for health: {v}"
                )));
            }
        }
        f.bool_value("is-task")
            .map_err(|e| Error::bad_request(e.to_string()))?;
        let mut exited: Vec<i64> = Vec::new();
        for v in f.get("exited") {
            exited.push(v.parse().map_err(|_| {
                Error::bad_request(format!(
                    "invalid filter 'exited={v}': strconv.Atoi: parsing {v:?}: invalid syntax"
                ))
            })?);
        }
        let bound = |key: &str| -> Result<Option<Arc<ContainerRecord>>> {
            match f.get(key).first() {
                Some(r) => b.container(r).map(Some),
                None => Ok(None),
            }
        };
        let before = bound("before")?;
        let since_c = bound("since")?;
        let ancestors: Vec<String> = f
            .get("ancestor")
            .iter()
            .filter_map(|a| b.image_resolve(a).ok().map(|i| i.id.clone()))
            .collect();
        let ancestor_given = f.contains("ancestor");
        let name_patterns: Vec<(&str, Option<regex::Regex>)> = f
            .get("name")
            .into_iter()
            .map(|n| (n, regex::Regex::new(n).ok()))
            .collect();
        let all = o.all || o.limit.is_some() || before.is_some() || since_c.is_some();
        // Every filter's values are read once here, not once per container: the
        // check runs for every stored container.
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
        Ok(ListQuery {
            all,
            by_status,
            labels,
            ids,
            name_patterns,
            statuses,
            exited,
            ancestor_given,
            ancestors,
            networks,
            volumes,
            before,
            since_c,
            health,
            is_task,
            task_ok,
            expose,
            publish,
        })
    }

    /// Whether a container passes every filter.
    pub(crate) fn keep(&self, c: &ContainerRecord) -> bool {
        if !self.all && !self.by_status && !c.is_running() {
            return false;
        }
        if !self.labels.is_empty() {
            let have = c.labels();
            let ok = self.labels.iter().all(|(k, v, neg)| match (v, neg) {
                (None, _) => have.contains_key(k),
                (Some(v), false) => have.get(k) == Some(*v),
                (Some(v), true) => have.get(k) != Some(*v),
            });
            if !ok {
                return false;
            }
        }
        if !self.ids.is_empty() && !self.ids.iter().any(|p| c.id.starts_with(p)) {
            return false;
        }
        if !self.name_patterns.is_empty()
            && !self
                .name_patterns
                .iter()
                .any(|(exact, re)| name_matches(&c.name, exact, re.as_ref()))
        {
            return false;
        }
        if !self.statuses.is_empty() && !self.statuses.contains(&c.state.status.as_str()) {
            return false;
        }
        if !self.exited.is_empty()
            && (c.state.status != Status::Exited || !self.exited.contains(&c.state.exit_code))
        {
            return false;
        }
        if self.ancestor_given && !self.ancestors.contains(&c.image_id) {
            return false;
        }
        if !self.networks.is_empty()
            && !self.networks.iter().any(|n| {
                c.networks.iter().any(|(name, s)| {
                    name == *n || s.network_id.as_deref().is_some_and(|id| id.starts_with(n))
                })
            })
        {
            return false;
        }
        if !self.volumes.is_empty()
            && !self.volumes.iter().any(|v| {
                c.mounts
                    .iter()
                    .any(|m| m.name.as_deref() == Some(v) || m.destination.as_deref() == Some(v))
            })
        {
            return false;
        }
        if self.before.as_ref().is_some_and(|b| c.seq >= b.seq)
            || self.since_c.as_ref().is_some_and(|s| c.seq <= s.seq)
        {
            return false;
        }
        if !self.health.is_empty() {
            let h = c
                .state
                .health
                .as_ref()
                .and_then(|h| h.status)
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty() && s != "none")
                .unwrap_or_else(|| "none".into());
            if !self.health.contains(&h.as_str()) {
                return false;
            }
        }
        if self.is_task && !self.task_ok {
            return false;
        }
        if !self.expose.is_empty()
            && !self.expose.iter().any(|p| {
                port_keys(c, c.host_config.read::<ListPart>().port_bindings.as_ref())
                    .iter()
                    .any(|k| k == p || k.split('/').next() == Some(p))
            })
        {
            return false;
        }
        if !self.publish.is_empty()
            && !self.publish.iter().any(|p| {
                c.ports
                    .values()
                    .flatten()
                    .flatten()
                    .any(|b| b.host_port.as_deref() == Some(p.split('/').next().unwrap_or(p)))
            })
        {
            return false;
        }
        true
    }

    /// The key of the first positive label filter in the label index: only the
    /// containers that carry it need a look, not every stored one.
    pub(crate) fn indexed_label(&self) -> Option<String> {
        self.labels
            .iter()
            .find(|(_, _, neg)| !neg)
            .map(|(k, v, _)| match v {
                Some(v) => format!("{k}\0{v}"),
                None => (*k).to_string(),
            })
    }
}

impl MemoryBackend {
    /// A container in the list's shape.
    pub(crate) fn summary(&self, c: &ContainerRecord, now: SystemTime) -> docker::ContainerSummary {
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
        let host: ListPart = c.host_config.read();
        let mut ports: Vec<docker::Port> = Vec::new();
        for key in port_keys(c, host.port_bindings.as_ref()) {
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
            id: Some(c.id.to_string()),
            names: Some(vec![c.name.clone()]),
            image: Some(c.image.clone()),
            image_id: Some(c.image_id.clone()),
            command: Some(c.command()),
            created: Some(unix_secs(c.created)),
            ports: Some(ports),
            size_rw: None,
            size_root_fs: None,
            labels: Some(c.labels().to_map()),
            state: Some(c.state.status.as_str().to_string()),
            status: Some(status),
            host_config: Some(docker::ContainerSummaryHostConfig {
                network_mode: host.network_mode,
            }),
            network_settings: Some(docker::ContainerSummaryNetworkSettings {
                networks: Some(c.networks.to_map()),
            }),
            mounts: Some(c.mount_points()),
        }
    }
}
