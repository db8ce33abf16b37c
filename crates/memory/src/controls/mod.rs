//! Test-double controls of the memory backend, all under
//! `/internal/v1/memory/…` (served through [`crate::Backend::extension`]):
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
//! Layout: [`profile`], [`clock`], [`faults`] and [`scripts`] are leaves (data
//! and its validation, no backend); this file holds [`Controls`], their live
//! state inside the backend; `routes` serves the `/memory/…` routes and
//! `state` the whole-state document, reset and load, which read every
//! resource's record.

pub mod clock;
pub mod faults;
pub mod profile;
mod routes;
pub mod scripts;
pub mod state;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::options::MemoryOptions;
use clock::Clock;
use sockerless_core::api::{WaitError, WaitResponse};
use sockerless_core::error::{Error, Result};
use sockerless_core::Operation;

pub use faults::{FaultRule, FaultSpec};
pub use profile::Profile;
pub use scripts::{ChunkSpec, ExecScriptSpec, ScriptRule, ScriptSpec};
pub use state::StateDocument;

/// The message waiters get when the backend is reset under them.
pub(crate) const RESET_MESSAGE: &str = "the memory backend was reset";

/// What a waiter of a reset backend receives: `{"StatusCode":-1,"Error":{"Message":"the memory backend was reset"}}`.
pub(crate) fn reset_wait_response() -> WaitResponse {
    WaitResponse {
        status_code: -1,
        error: Some(WaitError {
            message: RESET_MESSAGE.into(),
        }),
    }
}

/// 64 hex characters from `rng`.
pub(crate) fn random_id(rng: &mut dyn rand::Rng) -> String {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    crate::ids::hex(&bytes)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The controls' own state, kept apart from the store: a reset leaves it alone.
#[derive(Debug)]
pub(crate) struct Controls {
    rng: Mutex<Option<StdRng>>,
    seed: Mutex<Option<u64>>,
    clock: Mutex<Clock>,
    epoch: AtomicU64,
    next_rule: AtomicU64,
    scripts: Mutex<Vec<Arc<ScriptRule>>>,
    faults: Mutex<Vec<FaultRule>>,
    /// The profile.
    pub(crate) profile: Profile,
    profile_latency: bool,
}

impl Controls {
    /// The controls for these options; an invalid rule is a 400 naming it.
    pub(crate) fn new(o: &MemoryOptions) -> Result<Controls> {
        let c = Controls {
            rng: Mutex::new(o.seed.map(StdRng::seed_from_u64)),
            seed: Mutex::new(o.seed),
            clock: Mutex::new(Clock::new(o.clock_start)),
            epoch: AtomicU64::new(0),
            next_rule: AtomicU64::new(1),
            scripts: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            profile: o.profile,
            profile_latency: o.profile_latency,
        };
        for (i, f) in o.faults.iter().enumerate() {
            let rule = FaultRule::compile(c.rule_id(), f.clone())
                .map_err(|e| Error::bad_request(format!("memory.faults[{i}]: {e}")))?;
            lock(&c.faults).push(rule);
        }
        for (i, s) in o.scripts.iter().enumerate() {
            let rule = ScriptRule::compile(c.rule_id(), s.clone())
                .map_err(|e| Error::bad_request(format!("memory.scripts[{i}]: {e}")))?;
            lock(&c.scripts).push(Arc::new(rule));
        }
        Ok(c)
    }

    fn rule_id(&self) -> u64 {
        self.next_rule.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs `f` with the seeded generator, or the thread's CSPRNG.
    pub(crate) fn with_rng<R>(&self, f: impl FnOnce(&mut dyn rand::Rng) -> R) -> R {
        let mut g = lock(&self.rng);
        match g.as_mut() {
            Some(rng) => f(rng),
            None => {
                drop(g);
                f(&mut rand::rng())
            }
        }
    }

    /// The clock's reading.
    pub(crate) fn now(&self) -> SystemTime {
        lock(&self.clock).now()
    }

    /// The generation.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// The first script rule matching a container, if any.
    pub(crate) fn script_for(&self, image: &str, command: &str) -> Option<Arc<ScriptRule>> {
        lock(&self.scripts)
            .iter()
            .find(|r| r.matches(image, command))
            .cloned()
    }

    /// What [`SystemBackend::before`](sockerless_core::backend::SystemBackend::before)
    /// does with a request: the profile's 501s (at once), else the delay to
    /// wait (the profile's start latency, the firing fault rules' latencies)
    /// and the failure to answer after it, if a fault rule fires with a status.
    /// A faulted request never reaches the operation, so it changes nothing.
    pub(crate) fn admit(
        &self,
        operation: Operation,
        reference: Option<&str>,
        resolve: impl Fn(&str) -> Option<String>,
    ) -> Result<(Duration, Option<Error>)> {
        let profile = self.profile;
        if let Some(cap) = operation.capability() {
            if !cap.is_in(&profile.capabilities().capabilities) {
                return Err(Error::NotImplemented(format!(
                    "This backend ({}) does not support {cap}",
                    profile.name()
                )));
            }
        }
        let mut delay = Duration::ZERO;
        if operation == Operation::ContainerStart && self.profile_latency {
            delay += profile.start_latency();
        }
        let (latency, failure) = faults::apply(
            &mut lock(&self.faults),
            operation,
            reference,
            resolve,
            || self.with_rng(|r| r.random::<f64>()),
        );
        Ok((delay + latency, failure))
    }
}
