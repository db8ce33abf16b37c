//! The integration tests, one binary (one link) with a module per area: a real
//! server on a temporary socket per test (`common::TestServer` and its typed
//! helpers), the spawned binary (`binary`, `reliability`), and the long-run
//! checks of RELIABILITY.md (`hostile`, `fuzz`, `invariants`).
//!
//! One area: `cargo test --test it containers::`; one test:
//! `cargo test --test it containers::lifecycle::whole_lifecycle_with_inspect_after_each_step`.

mod common;

mod binary;
mod containers;
mod controls;
mod docker;
mod events;
mod examples;
mod exec;
mod fidelity;
mod files;
mod foundation;
mod fuzz;
mod hostile;
mod images;
mod invariants;
mod networks;
mod processes;
mod reliability;
mod remote;
mod remote_client;
mod shapes;
mod system;
mod volumes;
