//! # sockerless
//!
//! Docker's API on top, anything but a local Docker Engine underneath. This crate
//! holds the reusable core of a sockerless *backend* — the [`Backend`] trait, the
//! tower layer stack that serves it over the internal API ([`http::app`]), the
//! listeners and graceful drain ([`server`]), configuration ([`config`]) — and the
//! first backend, [`backend::memory::MemoryBackend`], which keeps everything in
//! memory and simulates containers.
//!
//! All state is lost on restart. The memory backend is for testing only.
#![warn(missing_docs)]

pub mod api;
pub mod backend;
pub mod config;
pub mod docker;
pub mod error;
pub mod http;
pub mod server;
pub mod sim;

pub use backend::memory::MemoryBackend;
pub use backend::Backend;
pub use error::{Error, Result};
