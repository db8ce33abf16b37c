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
//! GRAPH

#![warn(unreachable_pub)]

mod backend;
pub mod containers;
pub mod controls;
mod events;
pub mod exec;
mod ids;
pub mod images;
pub mod networks;
mod options;
pub mod runtime;
mod system;
pub mod table;
pub mod volumes;

pub use backend::{MemoryBackend, Store};
pub use images::{archive, reference};
pub use options::MemoryOptions;
