//! [`MemoryBackend`] and its [`Store`]: one [`Table`] per resource plus the name
//! and label indexes, the live side of containers ([`Runtimes`]), the event
//! hub, and the controls' state. The resource modules add the operations (each
//! implements its `sockerless_core` supertrait); this module knows only their
//! record types.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::SystemTime;

use crate::containers::cold::ColdObjects;
use crate::containers::record::ContainerRecord;
use crate::controls::faults::FaultRule;
use crate::controls::live::{random_id, Controls};
use crate::controls::scripts::ScriptRule;
use crate::events::hub::EventHub;
use crate::exec::record::ExecRecord;
use crate::fs::FsStore;
use crate::images::record::ImageRecord;
use crate::networks::record::{predefined_networks, NetworkRecord};
use crate::options::MemoryOptions;
use crate::runtime::Runtimes;
use crate::table::{Beside, ExecIndex, LabelIndex, NameIndex, Table};
use crate::volumes::record::VolumeRecord;
use sockerless_core::error::Result;

/// The memory backend's state: one table per resource, plus name indexes.
#[derive(Debug, Default)]
pub struct Store {
    /// Containers by ID.
    pub containers: Table<ContainerRecord, ColdObjects>,
    /// Container labels → IDs (label filters of the list).
    pub container_labels: LabelIndex,
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
    /// Container IDs → their execs' IDs.
    pub container_execs: ExecIndex,
    /// Files: images', containers' changes, volumes', bind mounts'.
    pub files: FsStore,
    /// Serialises operations that change two resources together (network
    /// membership, volume references, create/remove of containers), so both sides
    /// always agree. Held only in synchronous code, never across `.await`.
    pub links: Mutex<()>,
}

/// The in-memory backend. Built as an `Arc` (see [`MemoryBackend::new`]) because
/// simulated processes run in tasks that call back into it.
#[derive(Debug)]
pub struct MemoryBackend {
    pub(crate) me: Weak<MemoryBackend>,
    pub(crate) store: Store,
    pub(crate) events: EventHub,
    pub(crate) runtimes: Runtimes,
    /// Host ports in use by running containers.
    pub(crate) ports: Mutex<BTreeSet<u16>>,
    pub(crate) seq: AtomicU64,
    pub(crate) pids: AtomicU64,
    pub(crate) instance_id: String,
    pub(crate) options: MemoryOptions,
    pub(crate) controls: Controls,
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
            .retain(|f| FaultRule::compile(0, f.clone()).is_ok());
        valid
            .scripts
            .retain(|s| ScriptRule::compile(0, s.clone()).is_ok());
        match Self::try_with_options(valid) {
            Ok(b) => b,
            Err(_) => Self::try_with_options(MemoryOptions::default())
                .unwrap_or_else(|_| unreachable!("the default options are valid")),
        }
    }

    /// A backend with these options; an invalid fault or script rule is an
    /// error naming it.
    pub fn try_with_options(options: MemoryOptions) -> Result<Arc<Self>> {
        let controls = Controls::new(&options)?;
        // Through the (maybe seeded) generator, so a seeded backend's IDs and
        // PIDs are reproducible from the first one.
        let instance_id = controls.with_rng(random_id);
        let first_pid = controls.with_rng(|r| u64::from(rand::RngExt::random::<u16>(r)));
        let backend = Arc::new_cyclic(|me| MemoryBackend {
            me: me.clone(),
            store: Store::default(),
            events: EventHub::default(),
            runtimes: Runtimes::default(),
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
    pub fn runtimes(&self) -> &Runtimes {
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
        self.with_rng(random_id)
    }

    /// A fresh 64-hex ID for a new record of `table`, drawn so that the
    /// record sits in its home bucket there ([`Table::home_is_free`]), which
    /// makes its lookups cheaper at scale, unless in deterministic mode
    /// (`Controls::draw_id_where`).
    pub(crate) fn new_id_for<T: Clone, H: Beside<T>>(&self, table: &Table<T, H>) -> String {
        self.controls.draw_id_where(|id| table.home_is_free(id))
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

    /// Stores the predefined networks (`bridge`, `host`, `none`): at start and
    /// after a reset.
    pub(crate) fn create_predefined_networks(&self) {
        for record in predefined_networks(self.now(), || self.new_id()) {
            let name = record.name.clone();
            if self.store.network_names.reserve(&name, &record.id).is_ok() {
                let id = record.id.clone();
                if self.store.networks.insert_new(id.clone(), record).is_err() {
                    self.store.network_names.release(&name, &id);
                }
            }
        }
    }

    /// A simulated PID.
    pub(crate) fn new_pid(&self) -> i64 {
        1000 + (self.pids.fetch_add(1, Ordering::Relaxed) % 4_000_000) as i64
    }
}
