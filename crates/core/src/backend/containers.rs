//! [`ContainerBackend`]: container operations: create, list, inspect, lifecycle, logs, wait, attach, top, stats, remove, prune.

use async_trait::async_trait;

use crate::api::docker;
use crate::api::*;
use crate::error::Result;
use crate::operation::Operation;

use super::ni;
use super::BoxFuture;

/// Container operations: create, list, inspect, lifecycle, logs, wait, attach, top, stats, remove, prune. Every method defaults to `501 <operation> is not implemented`.
#[allow(unused_variables)]
#[async_trait]
pub trait ContainerBackend: Send + Sync + 'static {
    /// `POST /containers?name=`.
    async fn container_create(
        &self,
        name: Option<String>,
        body: ContainerCreateBody,
    ) -> Result<docker::ContainerCreateResponse> {
        ni(Operation::ContainerCreate)
    }

    /// `GET /containers`.
    async fn container_list(
        &self,
        options: ContainerListOptions,
    ) -> Result<Vec<docker::ContainerSummary>> {
        ni(Operation::ContainerList)
    }

    /// `GET /containers/{ref}`.
    async fn container_inspect(
        &self,
        reference: String,
    ) -> Result<docker::ContainerInspectResponse> {
        ni(Operation::ContainerInspect)
    }

    /// `POST /containers/{ref}/start`; `Error::NotModified` when already running.
    async fn container_start(&self, reference: String) -> Result<()> {
        ni(Operation::ContainerStart)
    }

    /// `POST /containers/{ref}/stop`; `Error::NotModified` when not running.
    async fn container_stop(&self, reference: String, options: StopOptions) -> Result<()> {
        ni(Operation::ContainerStop)
    }

    /// `POST /containers/{ref}/kill?signal`.
    async fn container_kill(&self, reference: String, signal: Option<String>) -> Result<()> {
        ni(Operation::ContainerKill)
    }

    /// `POST /containers/{ref}/restart`.
    async fn container_restart(&self, reference: String, options: StopOptions) -> Result<()> {
        ni(Operation::ContainerRestart)
    }

    /// `POST /containers/{ref}/pause`.
    async fn container_pause(&self, reference: String) -> Result<()> {
        ni(Operation::ContainerPause)
    }

    /// `POST /containers/{ref}/unpause`.
    async fn container_unpause(&self, reference: String) -> Result<()> {
        ni(Operation::ContainerUnpause)
    }

    /// `POST /containers/{ref}/rename?name=`.
    async fn container_rename(&self, reference: String, new_name: String) -> Result<()> {
        ni(Operation::ContainerRename)
    }

    /// `DELETE /containers/{ref}`.
    async fn container_remove(
        &self,
        reference: String,
        options: ContainerRemoveOptions,
    ) -> Result<()> {
        ni(Operation::ContainerRemove)
    }

    /// `POST /containers/prune`.
    async fn container_prune(&self, filters: Filters) -> Result<docker::ContainerPruneResponse> {
        ni(Operation::ContainerPrune)
    }

    /// `GET /containers/{ref}/logs` (and, with `options.follow`, the WebSocket
    /// `/logs/stream`): the records, then — when following — every new one until
    /// the container stops.
    async fn container_logs(
        &self,
        reference: String,
        options: LogsOptions,
    ) -> Result<BoxStream<LogRecord>> {
        ni(Operation::ContainerLogs)
    }

    /// `WS /containers/{ref}/wait`: resolves the returned future when the
    /// condition holds. Errors (unknown container) come before the upgrade.
    async fn container_wait(
        &self,
        reference: String,
        condition: WaitCondition,
    ) -> Result<BoxFuture<WaitResponse>> {
        ni(Operation::ContainerWait)
    }

    /// `WS /containers/{ref}/attach`: `stdin` carries client bytes (its end is
    /// EOF); the result yields output and ends with the exit status.
    async fn container_attach(
        &self,
        reference: String,
        options: AttachOptions,
        stdin: Option<BoxStream<bytes::Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        ni(Operation::ContainerAttach)
    }

    /// `GET /containers/{ref}/top`.
    async fn container_top(
        &self,
        reference: String,
        ps_args: Option<String>,
    ) -> Result<docker::ContainerTopResponse> {
        ni(Operation::ContainerTop)
    }

    /// `GET /containers/{ref}/stats`: one JSON object, or a stream of them.
    async fn container_stats(
        &self,
        reference: String,
        stream: bool,
    ) -> Result<BoxStream<serde_json::Value>> {
        ni(Operation::ContainerStats)
    }

    /// `HEAD /containers/{ref}/archive?path=`: the path's stat (a symlink is
    /// not followed).
    async fn container_archive_stat(&self, reference: String, path: String) -> Result<PathStat> {
        ni(Operation::ContainerArchiveStat)
    }

    /// `GET /containers/{ref}/archive?path=`: the stat and a tar of the path.
    async fn container_archive_get(&self, reference: String, path: String) -> Result<PathArchive> {
        ni(Operation::ContainerArchiveGet)
    }

    /// `PUT /containers/{ref}/archive?path=`: extracts the tar into the
    /// directory `options.path`.
    async fn container_archive_put(
        &self,
        reference: String,
        options: ArchivePutOptions,
        tar: bytes::Bytes,
    ) -> Result<()> {
        ni(Operation::ContainerArchivePut)
    }

    /// `GET /containers/{ref}/export`: a tar of the container's files.
    async fn container_export(&self, reference: String) -> Result<bytes::Bytes> {
        ni(Operation::ContainerExport)
    }

    /// `GET /containers/{ref}/changes`: what changed over the image.
    async fn container_changes(&self, reference: String) -> Result<Vec<docker::FilesystemChange>> {
        ni(Operation::ContainerChanges)
    }

    /// `POST /commit?container=`: a new image from the container's files.
    async fn container_commit(&self, options: CommitOptions) -> Result<IdResponse> {
        ni(Operation::ContainerCommit)
    }
}
