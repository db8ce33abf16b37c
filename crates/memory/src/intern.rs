//! Interning: one shared allocation for text that many containers repeat (label
//! keys and values, env entries, image names, configs). A CI runner's
//! containers differ in a few values; the rest is stored once, and each
//! container holds pointers (`Arc`) to it.
//!
//! The tables are process-wide (a record deserialised from a state document
//! has no backend at hand). An entry nobody else holds is swept when the table
//! has doubled since the last sweep, so the tables stay bounded by what the
//! stored records use.
//!
//! ```
//! use sockerless_memory::intern;
//! let a = intern::text("ci.stage=test");
//! let b = intern::text(&String::from("ci.stage=test"));
//! assert!(std::sync::Arc::ptr_eq(&a, &b));
//! let c = intern::Shared::new(vec![1, 2]);
//! assert!(std::ptr::eq(&*c, &*intern::Shared::new(vec![1, 2])));
//! ```

use std::any::Any;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use sockerless_core::json_write;

use crate::hashing::ShardMap;

/// A table of shared values keyed by their text, swept when it doubles.
struct Interner<V> {
    map: ShardMap<Arc<str>, V>,
    /// Size after the last sweep.
    swept_at: AtomicUsize,
    /// Whether an entry is held outside the table.
    in_use: fn(&Arc<str>, &V) -> bool,
}

impl<V> Interner<V> {
    fn new(in_use: fn(&Arc<str>, &V) -> bool) -> Self {
        Interner {
            map: ShardMap::default(),
            swept_at: AtomicUsize::new(MIN_SWEEP),
            in_use,
        }
    }

    /// Drops the entries only this table holds, once it has doubled since the
    /// last sweep (one sweeper at a time; the others go on).
    fn sweep_if_grown(&self) {
        let at = self.swept_at.load(Ordering::Relaxed);
        if self.map.len() < at.saturating_mul(2)
            || self
                .swept_at
                .compare_exchange(at, usize::MAX, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let in_use = self.in_use;
        self.map.retain(|k, v| in_use(k, v));
        self.swept_at
            .store(self.map.len().max(MIN_SWEEP), Ordering::Release);
    }
}

/// No sweep below this many entries.
const MIN_SWEEP: usize = 1024;

fn texts() -> &'static Interner<()> {
    static T: OnceLock<Interner<()>> = OnceLock::new();
    T.get_or_init(|| Interner::new(|k, _| Arc::strong_count(k) > 1))
}

/// A shared value with the name of its type (values of different types never
/// meet: the key starts with the type's name).
type AnyShared = Arc<dyn Any + Send + Sync>;

fn values() -> &'static Interner<AnyShared> {
    static T: OnceLock<Interner<AnyShared>> = OnceLock::new();
    T.get_or_init(|| Interner::new(|_, v| Arc::strong_count(v) > 1))
}

/// The shared copy of `s`.
pub fn text(s: &str) -> Arc<str> {
    let t = texts();
    if let Some(e) = t.map.get(s) {
        return Arc::clone(e.key());
    }
    t.sweep_if_grown();
    let entry = t.map.entry(Arc::from(s)).or_insert(());
    Arc::clone(entry.key())
}

/// A value shared by every holder of an equal one (equal when their JSON
/// is): [`Shared::new`] looks it up in a process-wide table. Reads like the
/// value; serialises as it.
pub struct Shared<T>(Arc<T>);

impl<T: Serialize + Send + Sync + 'static> Shared<T> {
    /// The shared copy of `v`.
    pub fn new(v: T) -> Shared<T> {
        let json = json_write::to_string(&v).unwrap_or_default();
        let key = format!("{}\0{json}", std::any::type_name::<T>());
        let t = values();
        let found = t.map.get(key.as_str()).map(|e| Arc::clone(e.value()));
        let any = match found {
            Some(a) => a,
            None => {
                t.sweep_if_grown();
                let entry = t
                    .map
                    .entry(Arc::from(key))
                    .or_insert_with(|| Arc::new(v) as AnyShared);
                Arc::clone(entry.value())
            }
        };
        match any.downcast::<T>() {
            Ok(a) => Shared(a),
            // The key names the type, so every entry downcasts to it.
            Err(_) => unreachable!("an interned value of another type"),
        }
    }
}

impl<T> Shared<T> {
    /// How many holders the shared copy has (the table's own included).
    pub(crate) fn holders(this: &Shared<T>) -> usize {
        Arc::strong_count(&this.0)
    }
}

impl<T: Default + Serialize + Send + Sync + 'static> Default for Shared<T> {
    fn default() -> Shared<T> {
        Shared::new(T::default())
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de> + Serialize + Send + Sync + 'static> Deserialize<'de> for Shared<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Shared::new)
    }
}
