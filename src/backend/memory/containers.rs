//! Containers: create, list, inspect, the lifecycle, rename, remove, prune, wait.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use super::MemoryBackend;
use crate::api::docker;
use crate::api::*;
use crate::backend::BoxFuture;
use crate::error::{Error, Result};

/// `State.Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
}

/// The process side of a container.
#[derive(Debug, Clone)]
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
}

/// A stored container.
#[derive(Debug, Clone)]
pub struct ContainerRecord {
    /// 64-hex ID.
    pub id: String,
    /// Name with the leading `/`.
    pub name: String,
    /// Creation time.
    pub created: SystemTime,
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
}

impl MemoryBackend {
    /// IDs of the containers created from image `image_id`.
    pub(crate) fn containers_using_image(&self, image_id: &str) -> Vec<String> {
        self.store
            .containers
            .list(|c| c.image_id == image_id)
            .iter()
            .map(|c| c.id.clone())
            .collect()
    }

    pub(crate) fn containers_create(
        &self,
        _name: Option<String>,
        _body: ContainerCreateBody,
    ) -> Result<docker::ContainerCreateResponse> {
        Err(Error::not_implemented("container_create"))
    }

    pub(crate) fn containers_list(
        &self,
        _o: ContainerListOptions,
    ) -> Result<Vec<docker::ContainerSummary>> {
        Err(Error::not_implemented("container_list"))
    }

    pub(crate) fn containers_inspect(&self, _r: &str) -> Result<docker::ContainerInspectResponse> {
        Err(Error::not_implemented("container_inspect"))
    }

    pub(crate) fn containers_start(&self, _r: &str) -> Result<()> {
        Err(Error::not_implemented("container_start"))
    }

    pub(crate) async fn containers_stop(&self, _r: &str, _o: StopOptions) -> Result<()> {
        Err(Error::not_implemented("container_stop"))
    }

    pub(crate) fn containers_kill(&self, _r: &str, _s: Option<String>) -> Result<()> {
        Err(Error::not_implemented("container_kill"))
    }

    pub(crate) async fn containers_restart(&self, _r: &str, _o: StopOptions) -> Result<()> {
        Err(Error::not_implemented("container_restart"))
    }

    pub(crate) fn containers_pause(&self, _r: &str) -> Result<()> {
        Err(Error::not_implemented("container_pause"))
    }

    pub(crate) fn containers_unpause(&self, _r: &str) -> Result<()> {
        Err(Error::not_implemented("container_unpause"))
    }

    pub(crate) fn containers_rename(&self, _r: &str, _n: &str) -> Result<()> {
        Err(Error::not_implemented("container_rename"))
    }

    pub(crate) fn containers_remove(&self, _r: &str, _o: ContainerRemoveOptions) -> Result<()> {
        Err(Error::not_implemented("container_remove"))
    }

    pub(crate) fn containers_prune(&self, _f: Filters) -> Result<docker::ContainerPruneResponse> {
        Err(Error::not_implemented("container_prune"))
    }

    pub(crate) fn containers_logs(
        &self,
        _r: &str,
        _o: LogsOptions,
    ) -> Result<BoxStream<LogRecord>> {
        Err(Error::not_implemented("container_logs"))
    }

    pub(crate) fn containers_wait(
        &self,
        _r: &str,
        _c: WaitCondition,
    ) -> Result<BoxFuture<WaitResponse>> {
        Err(Error::not_implemented("container_wait"))
    }

    pub(crate) fn containers_attach(
        &self,
        _r: &str,
        _o: AttachOptions,
        _stdin: Option<BoxStream<bytes::Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        Err(Error::not_implemented("container_attach"))
    }

    pub(crate) fn containers_top(
        &self,
        _r: &str,
        _ps_args: Option<String>,
    ) -> Result<docker::ContainerTopResponse> {
        Err(Error::not_implemented("container_top"))
    }

    pub(crate) fn containers_stats(
        &self,
        _r: &str,
        _stream: bool,
    ) -> Result<BoxStream<serde_json::Value>> {
        Err(Error::not_implemented("container_stats"))
    }
}
