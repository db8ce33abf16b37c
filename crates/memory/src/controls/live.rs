//! The controls' live state inside the backend: the (maybe seeded) generator,
//! the seed, the clock, the reset epoch and the script and fault rules. A reset
//! leaves it alone.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::clock::Clock;
use super::faults::{self, FaultRule};
use super::profile::Profile;
use super::scripts::ScriptRule;
use crate::options::MemoryOptions;
use sockerless_core::error::{Error, Result};
use sockerless_core::Operation;

/// 64 hex characters from `rng`.
pub(crate) fn random_id(rng: &mut dyn rand::Rng) -> String {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    crate::ids::hex(&bytes)
}

/// How many IDs [`Controls::draw_id_where`] draws at most. A table keeps
/// at most 7 of 8 buckets full, so at worst 7 of 8 draws miss a free home
/// bucket: 32 draws all miss about 1.4 % of the time then, 0.1 % on average
/// over a table's growth.
const ID_DRAWS: usize = 32;

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The controls' own state, kept apart from the store: a reset leaves it alone.
#[derive(Debug)]
pub(crate) struct Controls {
    pub(super) rng: Mutex<Option<StdRng>>,
    pub(super) seed: Mutex<Option<u64>>,
    pub(super) clock: Mutex<Clock>,
    pub(super) epoch: AtomicU64,
    pub(super) next_rule: AtomicU64,
    pub(super) scripts: Mutex<Vec<Arc<ScriptRule>>>,
    pub(super) faults: Mutex<Vec<FaultRule>>,
    /// The profile.
    pub(crate) profile: Profile,
    pub(super) profile_latency: bool,
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

    pub(super) fn rule_id(&self) -> u64 {
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

    /// A fresh ID for which `fits` holds, if one of [`ID_DRAWS`] draws of
    /// the thread's CSPRNG gives one (else the last draw). In deterministic
    /// mode, the seeded generator's next ID whatever `fits` says: what
    /// `fits` asks may hang on the process's own random state (a table's
    /// hasher), and a replay must give the same IDs.
    pub(crate) fn draw_id_where(&self, fits: impl Fn(&str) -> bool) -> String {
        let mut g = lock(&self.rng);
        if let Some(rng) = g.as_mut() {
            return random_id(rng);
        }
        drop(g);
        let mut rng = rand::rng();
        let mut id = random_id(&mut rng);
        for _ in 1..ID_DRAWS {
            if fits(&id) {
                break;
            }
            id = random_id(&mut rng);
        }
        id
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
            if !cap.is_in(&profile.capability_set()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn controls(seed: Option<u64>) -> Controls {
        Controls::new(&MemoryOptions {
            seed,
            ..MemoryOptions::default()
        })
        .expect("valid options")
    }

    #[test]
    fn an_id_drawn_where_it_fits_fits_unless_seeded() {
        let c = controls(None);
        // Half of all IDs fit: 32 misses in a row are a 1 in 2^32 chance.
        let low = c.draw_id_where(|id| id < "8");
        assert!(low.as_str() < "8", "{low}");
        assert_eq!(low.len(), 64);
        // Nothing fits: every draw asked, the last one given.
        let asked_all = std::cell::Cell::new(0);
        let any = c.draw_id_where(|_| {
            asked_all.set(asked_all.get() + 1);
            false
        });
        assert_eq!((any.len(), asked_all.get()), (64, ID_DRAWS - 1));

        // Seeded: the generator's next IDs, whatever fits.
        let (a, b) = (controls(Some(7)), controls(Some(7)));
        let never = a.draw_id_where(|_| false);
        let always = a.draw_id_where(|_| true);
        assert_eq!(
            [never, always],
            [b.with_rng(random_id), b.with_rng(random_id)]
        );
    }
}
