//! The stored container: [`ContainerRecord`], its process state [`RunState`]
//! and [`Status`]. Plain data (serialised in the state document); nothing here
//! knows the backend.

use std::collections::HashMap;
use std::time::SystemTime;

use super::config::{Config, Labels};
use super::host::HostConfig;
use super::netmap::NetMap;
use crate::ids::Id;
use crate::intern::Shared;
use crate::runtime::WaitState;
use sockerless_core::api::docker;

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
    pub(crate) fn as_str(self) -> &'static str {
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

    pub(crate) fn docker(self) -> docker::ContainerStateStatusEnum {
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
    pub(crate) fn never_ran(status: Status, health: Option<docker::Health>) -> RunState {
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
    /// 64-hex ID (shared with the tables and indexes that hold it).
    pub id: Id,
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
    /// The create body's config merged over the image's (compact: shared
    /// part, interned labels and env).
    pub config: Config,
    /// `HostConfig` as given (compact JSON).
    pub host_config: HostConfig,
    /// `Path`: the first word of entrypoint + cmd (shared).
    pub path: Shared<String>,
    /// `Args`: the rest (shared).
    pub args: Shared<Vec<String>>,
    /// Process state.
    pub state: RunState,
    /// Joined networks by name (Docker's `NetworkSettings.Networks`).
    pub networks: NetMap,
    /// Published ports while running (`NetworkSettings.Ports`).
    pub ports: HashMap<String, Option<Vec<docker::PortBinding>>>,
    /// `Mounts` (shared: containers mounting the same volume at the same
    /// place hold one copy).
    pub mounts: Vec<Shared<docker::MountPoint>>,
    /// `RestartCount`.
    pub restart_count: i64,
}

impl ContainerRecord {
    /// Running or paused: the process exists.
    pub(crate) fn is_running(&self) -> bool {
        matches!(self.state.status, Status::Running | Status::Paused)
    }

    /// The name without `/`.
    pub(crate) fn bare_name(&self) -> &str {
        self.name.strip_prefix('/').unwrap_or(&self.name)
    }

    /// The first 12 characters of the ID.
    pub(crate) fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }

    /// Labels of the config.
    pub(crate) fn labels(&self) -> &Labels {
        self.config.labels()
    }

    /// Docker's `Command` column: path and args joined by spaces, an argument
    /// containing a space wrapped in single quotes (`/bin/sh -c 'sleep 1'`).
    pub(crate) fn command(&self) -> String {
        let mut s = (*self.path).clone();
        for a in self.args.iter() {
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
    pub(crate) fn volume_names(&self) -> impl Iterator<Item = &str> {
        self.mounts.iter().filter_map(|m| {
            (m.typ == Some(docker::MountPointTypeEnum::VOLUME))
                .then_some(m.name.as_deref())
                .flatten()
        })
    }

    /// How many of its runs have ended (every start begins run `run`, every
    /// run ends once).
    pub(crate) fn ended_runs(&self) -> u64 {
        if self.is_running() {
            self.state.run.saturating_sub(1)
        } else {
            self.state.run
        }
    }

    /// `Mounts` in Docker's shape.
    pub(crate) fn mount_points(&self) -> Vec<docker::MountPoint> {
        self.mounts.iter().map(|m| (**m).clone()).collect()
    }

    pub(crate) fn wait_state(&self, removed: bool, exits: u64) -> WaitState {
        WaitState {
            running: self.is_running(),
            exits,
            exit_code: self.state.exit_code,
            removed,
            reset: false,
        }
    }
}

#[cfg(test)]
impl ContainerRecord {
    /// A bare record for unit tests: a fresh ID, `/name`, `busybox`, no
    /// configuration, in `state`.
    pub(crate) fn bare(name: &str, state: RunState) -> ContainerRecord {
        ContainerRecord {
            id: crate::ids::new_id().into(),
            name: format!("/{name}"),
            created: SystemTime::now(),
            seq: 0,
            image: "busybox".into(),
            image_id: String::new(),
            config: Default::default(),
            host_config: Default::default(),
            path: Default::default(),
            args: Default::default(),
            state,
            networks: Default::default(),
            ports: HashMap::new(),
            mounts: Vec::new(),
            restart_count: 0,
        }
    }
}
