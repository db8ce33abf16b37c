//! # sockerless
//!
//! Docker's API on top, anything but a local Docker Engine underneath. This
//! package is the workspace's front door: the binaries, their configuration
//! ([`config`], defined setting by setting with [`settings`]), and re-exports of the member crates under short names:
//!
//! | module | crate | holds |
//! |---|---|---|
//! | [`api`], [`error`], [`docker`], [`operation`], [`Backend`] | `sockerless-core` | API types, `Error`, `Operation`, the `Backend` trait, Docker semantics |
//! | [`http`] | `sockerless-http` | serving plumbing any frontend reuses |
//! | [`internal_api`] | `sockerless-internal-api` | the `/internal/v1` router over any backend |
//! | [`docker_api`] | `sockerless-docker` | the Docker Engine API frontend over any backend |
//! | [`memory`] | `sockerless-memory` | [`MemoryBackend`]: everything in memory, containers simulated |
//! | [`sim`] | `sockerless-sim` | the interpreter behind simulated processes |
//!
//! All state is lost on restart. The memory backend is for testing only.
#![warn(missing_docs)]

pub mod allocator;
pub mod config;
pub mod daemon;
pub mod log_time;
pub mod settings;

pub use sockerless_core::{api, backend, docker, error, operation};
pub use sockerless_core::{Backend, Error, Operation, Result};
pub use sockerless_docker as docker_api;
pub use sockerless_http as http;
pub use sockerless_internal_api as internal_api;
pub use sockerless_memory as memory;
pub use sockerless_memory::MemoryBackend;
pub use sockerless_sim as sim;
