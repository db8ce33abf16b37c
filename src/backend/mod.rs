//! The `Backend` trait: one method per operation of the internal API.
//!
//! Every method has a default body answering `501 <operation> is not implemented`,
//! so a partial backend (a FaaS one with no exec, say) overrides only what it
//! supports. The trait is object safe and is shared as `Arc<dyn Backend>`.
//!
//! ```
//! use std::sync::Arc;
//! use sockerless::{api::Capabilities, Backend};
//!
//! struct Nothing;
//! #[async_trait::async_trait]
//! impl Backend for Nothing {
//!     fn capabilities(&self) -> Capabilities {
//!         Capabilities::memory()
//!     }
//! }
//! let backend: Arc<dyn Backend> = Arc::new(Nothing);
//! # let _ = backend;
//! ```

pub mod memory;

use async_trait::async_trait;

use crate::api::docker;
use crate::api::*;
use crate::error::{Error, Result};

/// Shorthand for the 501 default body.
fn ni<T>(operation: &str) -> Result<T> {
    Err(Error::not_implemented(operation))
}

/// A boxed future that resolves once, used by `container_wait`.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;

/// The operations a sockerless backend serves. Names are resource-prefixed verbs;
/// arguments are owned so the trait stays object safe.
#[allow(unused_variables)]
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    // --- hook -----------------------------------------------------------------

    /// Called by the HTTP layer before every core operation except
    /// `capabilities` (and never for extension routes), with the operation's
    /// name ([`crate::http::route::Route::name`], e.g. `container_start`) and its
    /// path parameter when it has one. An error is the answer and the operation
    /// is not called: a backend uses it to refuse what its profile lacks (501),
    /// to inject faults or to add latency. The default lets everything through.
    async fn before(&self, operation: &str, reference: Option<&str>) -> Result<()> {
        Ok(())
    }

    // --- system -------------------------------------------------------------

    /// `GET /capabilities`.
    fn capabilities(&self) -> Capabilities;

    /// `GET /info`.
    async fn info(&self) -> Result<docker::SystemInfo> {
        ni("info")
    }

    /// `GET /version`.
    async fn version(&self) -> Result<docker::SystemVersion> {
        ni("version")
    }

    /// `GET /events` (WebSocket): a stream of Docker events.
    async fn events(&self, options: EventsOptions) -> Result<BoxStream<docker::EventMessage>> {
        ni("events")
    }

    // --- containers ---------------------------------------------------------

    /// `POST /containers?name=`.
    async fn container_create(
        &self,
        name: Option<String>,
        body: ContainerCreateBody,
    ) -> Result<docker::ContainerCreateResponse> {
        ni("container_create")
    }

    /// `GET /containers`.
    async fn container_list(
        &self,
        options: ContainerListOptions,
    ) -> Result<Vec<docker::ContainerSummary>> {
        ni("container_list")
    }

    /// `GET /containers/{ref}`.
    async fn container_inspect(
        &self,
        reference: String,
    ) -> Result<docker::ContainerInspectResponse> {
        ni("container_inspect")
    }

    /// `POST /containers/{ref}/start`; `Error::NotModified` when already running.
    async fn container_start(&self, reference: String) -> Result<()> {
        ni("container_start")
    }

    /// `POST /containers/{ref}/stop`; `Error::NotModified` when not running.
    async fn container_stop(&self, reference: String, options: StopOptions) -> Result<()> {
        ni("container_stop")
    }

    /// `POST /containers/{ref}/kill?signal`.
    async fn container_kill(&self, reference: String, signal: Option<String>) -> Result<()> {
        ni("container_kill")
    }

    /// `POST /containers/{ref}/restart`.
    async fn container_restart(&self, reference: String, options: StopOptions) -> Result<()> {
        ni("container_restart")
    }

    /// `POST /containers/{ref}/pause`.
    async fn container_pause(&self, reference: String) -> Result<()> {
        ni("container_pause")
    }

    /// `POST /containers/{ref}/unpause`.
    async fn container_unpause(&self, reference: String) -> Result<()> {
        ni("container_unpause")
    }

    /// `POST /containers/{ref}/rename?name=`.
    async fn container_rename(&self, reference: String, new_name: String) -> Result<()> {
        ni("container_rename")
    }

    /// `DELETE /containers/{ref}`.
    async fn container_remove(
        &self,
        reference: String,
        options: ContainerRemoveOptions,
    ) -> Result<()> {
        ni("container_remove")
    }

    /// `POST /containers/prune`.
    async fn container_prune(&self, filters: Filters) -> Result<docker::ContainerPruneResponse> {
        ni("container_prune")
    }

    /// `GET /containers/{ref}/logs` (and, with `options.follow`, the WebSocket
    /// `/logs/stream`): the records, then — when following — every new one until
    /// the container stops.
    async fn container_logs(
        &self,
        reference: String,
        options: LogsOptions,
    ) -> Result<BoxStream<LogRecord>> {
        ni("container_logs")
    }

    /// `WS /containers/{ref}/wait`: resolves the returned future when the
    /// condition holds. Errors (unknown container) come before the upgrade.
    async fn container_wait(
        &self,
        reference: String,
        condition: WaitCondition,
    ) -> Result<BoxFuture<WaitResponse>> {
        ni("container_wait")
    }

    /// `WS /containers/{ref}/attach`: `stdin` carries client bytes (its end is
    /// EOF); the result yields output and ends with the exit status.
    async fn container_attach(
        &self,
        reference: String,
        options: AttachOptions,
        stdin: Option<BoxStream<bytes::Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        ni("container_attach")
    }

    /// `GET /containers/{ref}/top`.
    async fn container_top(
        &self,
        reference: String,
        ps_args: Option<String>,
    ) -> Result<docker::ContainerTopResponse> {
        ni("container_top")
    }

    /// `GET /containers/{ref}/stats`: one JSON object, or a stream of them.
    async fn container_stats(
        &self,
        reference: String,
        stream: bool,
    ) -> Result<BoxStream<serde_json::Value>> {
        ni("container_stats")
    }

    // --- exec -------------------------------------------------------------------

    /// `POST /containers/{ref}/exec`.
    async fn exec_create(
        &self,
        reference: String,
        config: docker::ExecConfig,
    ) -> Result<IdResponse> {
        ni("exec_create")
    }

    /// `GET /exec/{id}`.
    async fn exec_inspect(&self, id: String) -> Result<ExecInspect> {
        ni("exec_inspect")
    }

    /// `WS /exec/{id}/start` (attached) and `POST /exec/{id}/start` (detached:
    /// `stdin` is `None` and the returned stream may be dropped at once).
    async fn exec_start(
        &self,
        id: String,
        detach: bool,
        stdin: Option<BoxStream<bytes::Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        ni("exec_start")
    }

    // --- images -----------------------------------------------------------------

    /// `POST /images/pull`: Docker's pull progress records.
    async fn image_pull(&self, options: PullOptions) -> Result<BoxStream<serde_json::Value>> {
        ni("image_pull")
    }

    /// `GET /images`.
    async fn image_list(&self, options: ImageListOptions) -> Result<Vec<docker::ImageSummary>> {
        ni("image_list")
    }

    /// `GET /images/{name}`.
    async fn image_inspect(&self, name: String) -> Result<docker::ImageInspect> {
        ni("image_inspect")
    }

    /// `POST /images/load`: reads the tar as it streams in; answers the records.
    async fn image_load(&self, body: ByteStream, quiet: bool) -> Result<Vec<serde_json::Value>> {
        ni("image_load")
    }

    /// `POST /images/{name}/tag`.
    async fn image_tag(&self, name: String, options: TagOptions) -> Result<()> {
        ni("image_tag")
    }

    /// `DELETE /images/{name}`.
    async fn image_remove(
        &self,
        name: String,
        options: ImageRemoveOptions,
    ) -> Result<Vec<docker::ImageDeleteResponseItem>> {
        ni("image_remove")
    }

    /// `POST /images/prune`.
    async fn image_prune(&self, filters: Filters) -> Result<docker::ImagePruneResponse> {
        ni("image_prune")
    }

    /// `POST /auth`.
    async fn auth(&self, config: AuthConfig) -> Result<AuthResponse> {
        ni("auth")
    }

    // --- networks ---------------------------------------------------------------

    /// `POST /networks`.
    async fn network_create(
        &self,
        request: docker::NetworkCreateRequest,
    ) -> Result<docker::NetworkCreateResponse> {
        ni("network_create")
    }

    /// `GET /networks`.
    async fn network_list(&self, filters: Filters) -> Result<Vec<docker::Network>> {
        ni("network_list")
    }

    /// `GET /networks/{ref}`.
    async fn network_inspect(&self, reference: String) -> Result<docker::Network> {
        ni("network_inspect")
    }

    /// `POST /networks/{ref}/connect`.
    async fn network_connect(
        &self,
        reference: String,
        request: docker::NetworkConnectRequest,
    ) -> Result<()> {
        ni("network_connect")
    }

    /// `POST /networks/{ref}/disconnect`.
    async fn network_disconnect(
        &self,
        reference: String,
        request: docker::NetworkDisconnectRequest,
    ) -> Result<()> {
        ni("network_disconnect")
    }

    /// `DELETE /networks/{ref}`.
    async fn network_remove(&self, reference: String) -> Result<()> {
        ni("network_remove")
    }

    /// `POST /networks/prune`.
    async fn network_prune(&self, filters: Filters) -> Result<docker::NetworkPruneResponse> {
        ni("network_prune")
    }

    // --- volumes ----------------------------------------------------------------

    /// `POST /volumes`.
    async fn volume_create(&self, options: docker::VolumeCreateOptions) -> Result<docker::Volume> {
        ni("volume_create")
    }

    /// `GET /volumes`.
    async fn volume_list(&self, filters: Filters) -> Result<docker::VolumeListResponse> {
        ni("volume_list")
    }

    /// `GET /volumes/{name}`.
    async fn volume_inspect(&self, name: String) -> Result<docker::Volume> {
        ni("volume_inspect")
    }

    /// `DELETE /volumes/{name}`.
    async fn volume_remove(&self, name: String, options: VolumeRemoveOptions) -> Result<()> {
        ni("volume_remove")
    }

    /// `POST /volumes/prune`.
    async fn volume_prune(&self, filters: Filters) -> Result<docker::VolumePruneResponse> {
        ni("volume_prune")
    }

    // --- extensions ---------------------------------------------------------------

    /// A backend-specific route under `/internal/v1` (say `/memory/reset`). The
    /// default answers `404 page not found`, like any unknown path.
    async fn extension(&self, request: ExtensionRequest) -> Result<ExtensionResponse> {
        Err(Error::not_found("page not found"))
    }
}
