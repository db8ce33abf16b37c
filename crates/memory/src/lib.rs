//! # sockerless-memory
//!
//! The in-memory backend: every container, image, network, volume and exec lives
//! in a [`table::Table`]; nothing survives a restart, by design. Containers are
//! simulated: no process ever runs.
//!
//! Depends on `sockerless-core` (the trait and types) and `sockerless-sim` (the
//! interpreter), never on an HTTP crate: frontends reach it through the
//! `Backend` trait.
//!
//! ## Layout
//!
//! One directory per resource. Its `record` module holds the stored data (plain,
//! serialised in the state document); its `mod.rs` (for containers, `ops.rs`)
//! implements the resource's `sockerless_core` supertrait with each operation's
//! own code; the other modules are the steps operations share. Operations that
//! touch two resources at once (a container joining a network, referencing a
//! volume) hold [`MemoryBackend`]'s links lock so both sides change together.
//!
//! | module | holds |
//! |---|---|
//! | `backend` | [`MemoryBackend`], [`Store`] (one table per resource, name and label indexes), IDs, PIDs, the clock |
//! | `options` | [`MemoryOptions`] |
//! | [`containers`] | `ContainerBackend`; create, list, inspect, lifecycle, ports, mounts, the simulated process, logs, stats, files (cp, export, diff, commit) |
//! | [`images`] | `ImageBackend`; pull, load ([`archive`]), references ([`reference`](mod@reference)), removal rules, platforms |
//! | [`networks`] | `NetworkBackend`; IPAM, membership |
//! | [`volumes`] | `VolumeBackend`; reference counting |
//! | [`exec`] | `ExecBackend` |
//! | [`fs`] | containers' files: paths, entries, copy-on-write layers, views with mounts, tar in and out, synthetic roots, layer unpacking; [`fs::FsStore`] (images', containers' changes, volumes', bind mounts' files) |
//! | `system` | `SystemBackend`: capabilities, `before`, `extension`, info, version, events, auth |
//! | `events` | emitting and streaming events; `events::hub` the bounded history and broadcast |
//! | [`controls`] | test-double controls: `profile`, `clock`, `faults`, `scripts` (leaves), `live` (their state in the backend), `state` (the whole-state document, reset, load), `routes` |
//! | [`runtime`] | the live side of a container: wait channel, process slot, log, live feed |
//! | [`table`] | `Table<T>`, `NameIndex`, `LabelIndex` |
//! | [`intern`] | shared copies of the text and configs many containers repeat |
//!
//! ## Module graph
//!
//! No cycle, counting both `use` paths and calls of `MemoryBackend` methods
//! defined in another module (the unit test in `layers.rs` checks it): each
//! module depends only on modules of lower
//! levels (the crate root and `containers`/`controls`' `mod.rs` only
//! re-export).
//!
//! ```text
//!  0  table  ids  intern  runtime  events::hub  networks::ipam  controls::{profile, clock}
//!     images::{reference, catalogue, archive, matching}  fs (all of it)
//!  1  controls::{faults, scripts}  images::platform
//!     the records: containers::{record, config, host, netmap}  images::record  networks::record
//!                  exec::record  volumes::record
//!  2  options  images::{pull, load}  containers::{script, mounts, stats}
//!  3  controls::live
//!  4  backend
//!  5  events  containers::{lookup, ports}  networks::membership  images::remove
//!  6  containers::{notify, process, logs}  images::{lookup, files, save}  volumes
//!     containers::{files, shell_files}
//!  7  exec  networks  images  containers::{create, inspect, list, archive}
//!  8  containers::lifecycle  controls::state
//!  9  containers::ops
//! 10  controls::routes
//! 11  system
//! ```
//!
//! A simulated process reports its end through the `OnExit` function its
//! callers pass (`MemoryBackend::container_exited_in`), so `containers::process`
//! (6) never calls up into `containers::lifecycle` (8).

#![warn(unreachable_pub)]

mod backend;
pub mod containers;
pub mod controls;
mod events;
pub mod exec;
pub mod fs;
mod hashing;
mod ids;
pub mod images;
pub mod intern;
#[cfg(test)]
mod layers;
mod live_feed;
pub mod networks;
mod options;
mod prefetch;
pub mod runtime;
mod system;
pub mod table;
#[cfg(test)]
mod test_support;
pub mod volumes;

pub use backend::{MemoryBackend, Store};
pub use ids::Id;
pub use images::{archive, reference};
pub use options::MemoryOptions;
