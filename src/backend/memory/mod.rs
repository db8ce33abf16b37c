//! The in-memory backend: every container, image, network, volume and exec lives
//! in a [`table::Table`]; nothing survives a restart, by design. Containers are
//! simulated: no process ever runs.
//!
//! One file per resource (`images.rs`, `networks.rs`, `volumes.rs`,
//! `containers.rs`, `exec.rs`, `system.rs`) holds that resource's record type and
//! its operations as inherent methods of [`MemoryBackend`]; the `Backend` impl
//! below only delegates. Operations that touch two resources at once (a
//! container joining a network, referencing a volume) take [`Store::links`] so
//! both sides change together.

pub mod archive;
pub mod catalogue;
pub mod containers;
pub mod events;
pub mod exec;
pub mod ids;
pub mod images;
pub mod networks;
pub mod process;
pub mod reference;
pub mod runtime;
pub mod system;
pub mod table;
pub mod volumes;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::SystemTime;

use async_trait::async_trait;

use crate::api::docker;
use crate::api::*;
use crate::backend::{Backend, BoxFuture};
use crate::error::Result;

use containers::ContainerRecord;
use exec::ExecRecord;
use images::ImageRecord;
use networks::NetworkRecord;
use table::{NameIndex, Table};
use volumes::VolumeRecord;

/// The memory backend's state: one table per resource, plus name indexes.
#[derive(Debug, Default)]
pub struct Store {
    /// Containers by ID.
    pub containers: Table<ContainerRecord>,
    /// Container names (without `/`) → IDs.
    pub container_names: NameIndex,
    /// Images by ID (`sha256:<hex>`).
    pub images: Table<ImageRecord>,
    /// Canonical references (`docker.io/library/nginx:latest`) → image IDs.
    pub image_tags: NameIndex,
    /// Networks by ID.
    pub networks: Table<NetworkRecord>,
    /// Network names → IDs.
    pub network_names: NameIndex,
    /// Volumes by name.
    pub volumes: Table<VolumeRecord>,
    /// Exec instances by ID.
    pub execs: Table<ExecRecord>,
    /// Serialises operations that change two resources together (network
    /// membership, volume references, create/remove of containers), so both sides
    /// always agree. Held only in synchronous code, never across `.await`.
    pub links: Mutex<()>,
}

/// Options of the memory backend.
#[derive(Debug, Clone)]
pub struct MemoryOptions {
    /// Bytes of log kept per container (oldest records dropped first).
    pub log_limit: usize,
}

impl Default for MemoryOptions {
    fn default() -> Self {
        MemoryOptions {
            log_limit: runtime::DEFAULT_LOG_LIMIT,
        }
    }
}

/// The in-memory backend. Built as an `Arc` (see [`MemoryBackend::new`]) because
/// simulated processes run in tasks that call back into it.
#[derive(Debug)]
pub struct MemoryBackend {
    me: Weak<MemoryBackend>,
    store: Store,
    events: events::EventHub,
    runtimes: runtime::Runtimes,
    ports: Mutex<BTreeSet<u16>>,
    seq: AtomicU64,
    pids: AtomicU64,
    instance_id: String,
    options: MemoryOptions,
}

impl MemoryBackend {
    /// A backend in its start-up state: the predefined networks and nothing else.
    pub fn new() -> Arc<Self> {
        Self::with_options(MemoryOptions::default())
    }

    /// A backend with these options.
    pub fn with_options(options: MemoryOptions) -> Arc<Self> {
        let backend = Arc::new_cyclic(|me| MemoryBackend {
            me: me.clone(),
            store: Store::default(),
            events: events::EventHub::default(),
            runtimes: runtime::Runtimes::default(),
            ports: Mutex::new(BTreeSet::new()),
            seq: AtomicU64::new(1),
            pids: AtomicU64::new(u64::from(rand::random::<u16>())),
            instance_id: ids::new_id(),
            options,
        });
        backend.create_predefined_networks();
        backend
    }

    /// The next creation sequence number.
    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// The live side of the containers (for tests and benches).
    pub fn runtimes(&self) -> &runtime::Runtimes {
        &self.runtimes
    }

    /// The store (for tests and benches).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The backend's clock.
    pub(crate) fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    /// A fresh 64-hex ID.
    pub(crate) fn new_id(&self) -> String {
        ids::new_id()
    }

    /// Takes the cross-resource lock (poison is ignored: the data it guards is
    /// `()`, the tables stay consistent per operation).
    pub(crate) fn links(&self) -> std::sync::MutexGuard<'_, ()> {
        self.store
            .links
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl Backend for MemoryBackend {
    fn capabilities(&self) -> Capabilities {
        Capabilities::memory()
    }

    async fn info(&self) -> Result<docker::SystemInfo> {
        self.system_info()
    }

    async fn version(&self) -> Result<docker::SystemVersion> {
        self.system_version()
    }

    async fn events(&self, options: EventsOptions) -> Result<BoxStream<docker::EventMessage>> {
        self.events_stream(options)
    }

    async fn container_create(
        &self,
        name: Option<String>,
        body: ContainerCreateBody,
    ) -> Result<docker::ContainerCreateResponse> {
        self.containers_create(name, body)
    }

    async fn container_list(
        &self,
        options: ContainerListOptions,
    ) -> Result<Vec<docker::ContainerSummary>> {
        self.containers_list(options)
    }

    async fn container_inspect(
        &self,
        reference: String,
    ) -> Result<docker::ContainerInspectResponse> {
        self.containers_inspect(&reference)
    }

    async fn container_start(&self, reference: String) -> Result<()> {
        self.containers_start(&reference)
    }

    async fn container_stop(&self, reference: String, options: StopOptions) -> Result<()> {
        self.containers_stop(&reference, options).await
    }

    async fn container_kill(&self, reference: String, signal: Option<String>) -> Result<()> {
        self.containers_kill(&reference, signal).await
    }

    async fn container_restart(&self, reference: String, options: StopOptions) -> Result<()> {
        self.containers_restart(&reference, options).await
    }

    async fn container_pause(&self, reference: String) -> Result<()> {
        self.containers_pause(&reference)
    }

    async fn container_unpause(&self, reference: String) -> Result<()> {
        self.containers_unpause(&reference)
    }

    async fn container_rename(&self, reference: String, new_name: String) -> Result<()> {
        self.containers_rename(&reference, &new_name)
    }

    async fn container_remove(
        &self,
        reference: String,
        options: ContainerRemoveOptions,
    ) -> Result<()> {
        self.containers_remove(&reference, options)
    }

    async fn container_prune(&self, filters: Filters) -> Result<docker::ContainerPruneResponse> {
        self.containers_prune(filters)
    }

    async fn container_logs(
        &self,
        reference: String,
        options: LogsOptions,
    ) -> Result<BoxStream<LogRecord>> {
        self.containers_logs(&reference, options)
    }

    async fn container_wait(
        &self,
        reference: String,
        condition: WaitCondition,
    ) -> Result<BoxFuture<WaitResponse>> {
        self.containers_wait(&reference, condition)
    }

    async fn container_attach(
        &self,
        reference: String,
        options: AttachOptions,
        stdin: Option<BoxStream<bytes::Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        self.containers_attach(&reference, options, stdin)
    }

    async fn container_top(
        &self,
        reference: String,
        ps_args: Option<String>,
    ) -> Result<docker::ContainerTopResponse> {
        self.containers_top(&reference, ps_args)
    }

    async fn container_stats(
        &self,
        reference: String,
        stream: bool,
    ) -> Result<BoxStream<serde_json::Value>> {
        self.containers_stats(&reference, stream)
    }

    async fn exec_create(
        &self,
        reference: String,
        config: docker::ExecConfig,
    ) -> Result<IdResponse> {
        self.execs_create(&reference, config)
    }

    async fn exec_inspect(&self, id: String) -> Result<ExecInspect> {
        self.execs_inspect(&id)
    }

    async fn exec_start(
        &self,
        id: String,
        detach: bool,
        stdin: Option<BoxStream<bytes::Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        self.execs_start(&id, detach, stdin)
    }

    async fn image_pull(&self, options: PullOptions) -> Result<BoxStream<serde_json::Value>> {
        self.images_pull(options)
    }

    async fn image_list(&self, options: ImageListOptions) -> Result<Vec<docker::ImageSummary>> {
        self.images_list(options)
    }

    async fn image_inspect(&self, name: String) -> Result<docker::ImageInspect> {
        self.images_inspect(&name)
    }

    async fn image_load(&self, body: ByteStream, quiet: bool) -> Result<Vec<serde_json::Value>> {
        self.images_load(body, quiet).await
    }

    async fn image_tag(&self, name: String, options: TagOptions) -> Result<()> {
        self.images_tag(&name, options)
    }

    async fn image_remove(
        &self,
        name: String,
        options: ImageRemoveOptions,
    ) -> Result<Vec<docker::ImageDeleteResponseItem>> {
        self.images_remove(&name, options)
    }

    async fn image_prune(&self, filters: Filters) -> Result<docker::ImagePruneResponse> {
        self.images_prune(filters)
    }

    async fn auth(&self, config: AuthConfig) -> Result<AuthResponse> {
        self.images_auth(config)
    }

    async fn network_create(
        &self,
        request: docker::NetworkCreateRequest,
    ) -> Result<docker::NetworkCreateResponse> {
        self.networks_create(request)
    }

    async fn network_list(&self, filters: Filters) -> Result<Vec<docker::Network>> {
        self.networks_list(filters)
    }

    async fn network_inspect(&self, reference: String) -> Result<docker::Network> {
        self.networks_inspect(&reference)
    }

    async fn network_connect(
        &self,
        reference: String,
        request: docker::NetworkConnectRequest,
    ) -> Result<()> {
        self.networks_connect(&reference, request)
    }

    async fn network_disconnect(
        &self,
        reference: String,
        request: docker::NetworkDisconnectRequest,
    ) -> Result<()> {
        self.networks_disconnect(&reference, request)
    }

    async fn network_remove(&self, reference: String) -> Result<()> {
        self.networks_remove(&reference)
    }

    async fn network_prune(&self, filters: Filters) -> Result<docker::NetworkPruneResponse> {
        self.networks_prune(filters)
    }

    async fn volume_create(&self, options: docker::VolumeCreateOptions) -> Result<docker::Volume> {
        self.volumes_create(options)
    }

    async fn volume_list(&self, filters: Filters) -> Result<docker::VolumeListResponse> {
        self.volumes_list(filters)
    }

    async fn volume_inspect(&self, name: String) -> Result<docker::Volume> {
        self.volumes_inspect(&name)
    }

    async fn volume_remove(&self, name: String, options: VolumeRemoveOptions) -> Result<()> {
        self.volumes_remove(&name, options)
    }

    async fn volume_prune(&self, filters: Filters) -> Result<docker::VolumePruneResponse> {
        self.volumes_prune(filters)
    }
}
