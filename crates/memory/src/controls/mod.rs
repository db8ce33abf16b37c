//! Test-double controls of the memory backend, all under
//! `/internal/v1/memory/…` (served through
//! [`SystemBackend::extension`](sockerless_core::backend::SystemBackend::extension)):
//!
//! | route | what |
//! |---|---|
//! | `GET /memory/config` | the effective settings: seed, clock, profile, log limit, state file, rule counts |
//! | `POST /memory/reset` | back to the start-up state; every stream, waiter, process and timer of the old state ends |
//! | `POST /memory/seed` `{"seed":N}` | reseed the deterministic generator (IDs, names, PIDs, fault draws) |
//! | `GET`/`POST /memory/clock` `{"advance":"10s"}` or `{"set":"<RFC3339>"}` | read or move the clock |
//! | `GET`/`PUT /memory/state` | the whole state as JSON; replace it |
//! | `GET`/`POST /memory/scripts`, `GET`/`PUT`/`DELETE /memory/scripts/{id}` | scripted behaviour rules |
//! | `GET`/`POST /memory/faults`, `GET`/`PUT`/`DELETE /memory/faults/{id}` | fault and latency rules |
//! | `POST /memory/containers/{ref}/exit?code=N` | end a running container's process with `N` |
//!
//! A reset (and a state load) bumps the backend's *epoch*: every task started
//! before checks it under the cross-resource lock before it writes, so nothing of
//! the old state is ever written back, even when IDs repeat under a seed.
//!
//! Layout: `profile`, `clock`, `faults` and `scripts` are leaves (data and its
//! validation, no backend); `live` holds the controls' state inside the
//! backend (generator, seed, clock, epoch, rules); `state` is the whole-state
//! document, reset and load, which read every resource's record; `routes`
//! serves the `/memory/…` routes. This file only names them.

pub(crate) mod clock;
pub(crate) mod faults;
pub(crate) mod live;
pub(crate) mod profile;
mod routes;
pub(crate) mod scripts;
pub(crate) mod state;

pub use clock::check_reading as check_clock_reading;
pub use faults::{FaultRule, FaultSpec};
pub use profile::Profile;
pub use scripts::{ChunkSpec, ExecScriptSpec, ScriptRule, ScriptSpec};
pub use state::StateDocument;
