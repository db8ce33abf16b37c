//! # sockerless-memory
//!
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
//!
//! Depends on `sockerless-core` (the trait and types) and `sockerless-sim` (the
//! interpreter), never on an HTTP crate: frontends reach it through the
//! `Backend` trait.

pub mod containers;
pub mod controls;
pub mod events;
pub mod exec;
pub mod ids;
pub mod images;
pub mod networks;
pub mod runtime;
pub mod system;
pub mod table;
pub mod volumes;

pub use containers::process;
pub use images::{archive, catalogue, reference};

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::SystemTime;

use async_trait::async_trait;

use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::prelude::*;
use sockerless_core::backend::BoxFuture;
use sockerless_core::error::Result;
use sockerless_core::Operation;

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
    /// Container labels → IDs (label filters of the list).
    pub container_labels: table::LabelIndex,
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
    /// Deterministic mode: IDs, names, PIDs and fault draws come from a
    /// generator seeded with this (see `controls`).
    pub seed: Option<u64>,
    /// A frozen clock starting at this instant, advanced only by
    /// `POST /internal/v1/memory/clock`.
    pub clock_start: Option<SystemTime>,
    /// Which backend's capabilities to report (`memory` by default).
    pub profile: controls::Profile,
    /// Add the profile's typical container start latency.
    pub profile_latency: bool,
    /// Fault rules installed at start.
    pub faults: Vec<controls::FaultSpec>,
    /// Script rules installed at start.
    pub scripts: Vec<controls::ScriptSpec>,
    /// The state file (loaded at start, written at a clean shutdown by the
    /// binary); shown by `GET /internal/v1/memory/config`.
    pub state_file: Option<std::path::PathBuf>,
}

impl Default for MemoryOptions {
    fn default() -> Self {
        MemoryOptions {
            log_limit: runtime::DEFAULT_LOG_LIMIT,
            seed: None,
            clock_start: None,
            profile: controls::Profile::Memory,
            profile_latency: false,
            faults: Vec::new(),
            scripts: Vec::new(),
            state_file: None,
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
    controls: controls::Controls,
}

impl MemoryBackend {
    /// A backend in its start-up state: the predefined networks and nothing else.
    pub fn new() -> Arc<Self> {
        Self::with_options(MemoryOptions::default())
    }

    /// A backend with these options. Fault and script rules that do not
    /// validate are skipped here (the binary validates them first, see
    /// [`MemoryBackend::try_with_options`]).
    pub fn with_options(options: MemoryOptions) -> Arc<Self> {
        let mut valid = options.clone();
        valid
            .faults
            .retain(|f| controls::FaultRule::compile(0, f.clone()).is_ok());
        valid
            .scripts
            .retain(|s| controls::ScriptRule::compile(0, s.clone()).is_ok());
        match Self::try_with_options(valid) {
            Ok(b) => b,
            Err(_) => Self::try_with_options(MemoryOptions::default())
                .unwrap_or_else(|_| unreachable!("the default options are valid")),
        }
    }

    /// A backend with these options; an invalid fault or script rule is an
    /// error naming it.
    pub fn try_with_options(options: MemoryOptions) -> Result<Arc<Self>> {
        let controls = controls::Controls::new(&options)?;
        // Through the (maybe seeded) generator, so a seeded backend's IDs and
        // PIDs are reproducible from the first one.
        let instance_id = controls.with_rng(controls::random_id);
        let first_pid = controls.with_rng(|r| u64::from(rand::RngExt::random::<u16>(r)));
        let backend = Arc::new_cyclic(|me| MemoryBackend {
            me: me.clone(),
            store: Store::default(),
            events: events::EventHub::default(),
            runtimes: runtime::Runtimes::default(),
            ports: Mutex::new(BTreeSet::new()),
            seq: AtomicU64::new(1),
            pids: AtomicU64::new(first_pid),
            instance_id,
            options,
            controls,
        });
        backend.create_predefined_networks();
        Ok(backend)
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

    /// The backend's clock: real time, or the frozen clock of `--clock-start`.
    pub(crate) fn now(&self) -> SystemTime {
        self.controls.now()
    }

    /// A fresh 64-hex ID (from the seeded generator in deterministic mode).
    pub(crate) fn new_id(&self) -> String {
        self.with_rng(controls::random_id)
    }

    /// Runs `f` with the generator: the seeded one in deterministic mode, the
    /// thread's CSPRNG otherwise.
    pub(crate) fn with_rng<R>(&self, f: impl FnOnce(&mut dyn rand::Rng) -> R) -> R {
        self.controls.with_rng(f)
    }

    /// The reset generation: bumped by every reset and state load. A task of an
    /// older generation never writes.
    pub(crate) fn epoch(&self) -> u64 {
        self.controls.epoch()
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
impl SystemBackend for MemoryBackend {
    fn capabilities(&self) -> Capabilities {
        self.controls.profile.capabilities()
    }

    async fn before(&self, operation: Operation, reference: Option<&str>) -> Result<()> {
        self.controls_before(operation, reference).await
    }

    async fn extension(&self, request: ExtensionRequest) -> Result<ExtensionResponse> {
        self.controls_extension(request).await
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

    async fn auth(&self, config: AuthConfig) -> Result<AuthResponse> {
        self.images_auth(config)
    }
}

#[async_trait]
impl ContainerBackend for MemoryBackend {
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
}

#[async_trait]
impl ExecBackend for MemoryBackend {
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
}

#[async_trait]
impl ImageBackend for MemoryBackend {
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
}

#[async_trait]
impl NetworkBackend for MemoryBackend {
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
}

#[async_trait]
impl VolumeBackend for MemoryBackend {
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
