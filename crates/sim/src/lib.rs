//! # sockerless-sim
//!
//! Simulated processes: nothing runs, but commands behave like processes — a
//! small deterministic shell interpreter ([`interp`]) produces their output and
//! exit status. Depends on no other crate of the workspace.
#![warn(missing_docs)]

pub mod interp;
