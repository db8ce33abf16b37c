//! [`MemoryOptions`]: how a memory backend is built (the binary's `memory.*`
//! settings).

use std::time::SystemTime;

use crate::controls::faults::FaultSpec;
use crate::controls::profile::Profile;
use crate::controls::scripts::ScriptSpec;
use crate::runtime;

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
    pub profile: Profile,
    /// Add the profile's typical container start latency.
    pub profile_latency: bool,
    /// Fault rules installed at start.
    pub faults: Vec<FaultSpec>,
    /// Script rules installed at start.
    pub scripts: Vec<ScriptSpec>,
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
            profile: Profile::Memory,
            profile_latency: false,
            faults: Vec::new(),
            scripts: Vec::new(),
            state_file: None,
        }
    }
}
