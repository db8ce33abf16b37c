//! The in-memory backend: every container, image, network, volume and exec lives
//! in a [`table::Table`]; nothing survives a restart, by design. Containers are
//! simulated: no process ever runs.

pub mod ids;
pub mod table;

use async_trait::async_trait;

use crate::api::Capabilities;
use crate::backend::Backend;

use table::{NameIndex, Table};

/// The memory backend's state: one table per resource and the container-name
/// index.
#[derive(Debug, Default)]
pub struct Store {
    /// Container records.
    pub containers: Table<()>,
    /// Container names → IDs.
    pub container_names: NameIndex,
}

/// The in-memory backend.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    store: Store,
}

impl MemoryBackend {
    /// A backend in its start-up state.
    pub fn new() -> Self {
        Self::default()
    }

    /// The store (for tests and benches).
    pub fn store(&self) -> &Store {
        &self.store
    }
}

#[async_trait]
impl Backend for MemoryBackend {
    fn capabilities(&self) -> Capabilities {
        Capabilities::memory()
    }
}
