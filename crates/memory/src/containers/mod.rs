//! Containers: create, list, inspect, the lifecycle (start, stop, kill, restart,
//! pause, unpause), rename, remove, prune, wait, and the simulated process a
//! started container runs (its output, logs, attach, top and stats).
//!
//! `ops` implements `ContainerBackend`; the other modules are its steps:
//! [`record`] (the stored data, with [`config`], [`host`] and [`netmap`]); `lookup`, `notify`, `ports`, `mounts`,
//! `script`; `process` (the simulated process); `lifecycle` (exit, stop,
//! pause, remove), `create`, `inspect`, `list`, `logs`, `stats`; `files`
//! (a container's view of its files) and `archive` (cp, export, diff, commit).

mod archive;
pub mod cold;
pub mod config;
mod create;
mod files;
pub mod host;
mod inspect;
mod lifecycle;
mod list;
mod logs;
mod lookup;
mod mounts;
pub mod netmap;
mod notify;
mod ops;
mod ports;
pub(crate) mod process;
pub mod record;
mod resources;
mod script;
mod shell_files;
mod stats;
mod validate;

pub use record::{ContainerRecord, RunState, Status};
