//! # sockerless-core
//!
//! What every sockerless component shares and nothing else: Docker's API types
//! ([`api`], Engine API v1.44 re-exported from `bollard-stubs` plus our own
//! options and stream types), the one [`Error`] type, the typed [`Operation`]
//! list, the object-safe [`Backend`] trait every backend implements and every
//! frontend drives, and Docker's semantics ([`docker`]: filters, names, signals,
//! durations, timestamps), and [`json_write`], the compact JSON every
//! component writes (`serde_json`'s bytes, escaped faster).
//!
//! This crate depends on no other crate of the workspace: frontends and backends
//! meet here.
#![warn(missing_docs)]

pub mod api;
pub mod backend;
pub mod docker;
pub mod error;
pub mod json_write;
pub mod operation;

pub use backend::{Backend, BoxFuture};
pub use error::{Error, Result};
/// Re-exported so backends name statuses and methods without depending on an
/// HTTP crate themselves.
pub use http::{Method, StatusCode};
pub use operation::{Capability, Operation};
