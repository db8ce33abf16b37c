//! The Docker API: the `sockerless` binary on a temporary socket, driven on the
//! wire (`wire`, `resources`), with the real `docker` CLI (`run`, `cli`),
//! bollard (`bollard`: its own crate under `tests/bollard`) and docker-py
//! (`py`: `tests/py`), and over a stub backend (`stub_backend`).

pub mod common;

mod bollard;
mod cli;
mod hijack;
mod hostile;
mod py;
mod resources;
mod run;
mod slow;
mod soak;
mod stub_backend;
mod wire;
