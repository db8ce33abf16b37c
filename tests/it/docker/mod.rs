//! The Docker API: the `sockerless` binary on a temporary socket, driven on the
//! wire (`wire`, `resources`), with the real `docker` CLI (`run`, `cli`),
//! bollard (`bollard`: its own crate under `tests/bollard`) and docker-py
//! (`py`: `tests/py`), and over a stub backend (`stub_backend`). The harness
//! (`common::Daemon`) runs them embedded or, with `SOCKERLESS_TEST_REMOTE=1`
//! (`remote.rs`), in front of a backend daemon; `backend_down` and `cancel`
//! are remote in both runs: a backend daemon killed mid-stream, and clients
//! that leave streams.

pub mod common;

mod backend_down;
mod bollard;
mod cancel;
mod ci_job;
mod cli;
mod corpus_found;
mod fidelity_fixes;
mod files;
mod hijack;
mod hostile;
mod keys;
mod py;
mod resources;
mod run;
mod slow;
mod soak;
mod stub_backend;
mod wire;
