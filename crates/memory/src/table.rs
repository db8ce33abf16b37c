//! `Table<T>`: one resource's records on a sharded `DashMap`, behind a facade that
//! never hands out a guard — reads return an `Arc` of the record, writes run a
//! closure on it (copy-on-write) — so no lock is ever held across an `.await` or a
//! second lookup. Plus the atomic [`NameIndex`] and reference resolution.
//! Every map holds a record's ID as an [`Id`]: the record's own, shared, not a
//! copy of it.
//! Beside each record, in the hash table's bucket, a table can keep what a
//! lookup should start loading at once ([`Beside`]: the containers' table keeps
//! the addresses of a record's cold objects). A lookup by full ID asks for the
//! ID's *home* bucket at once (`crate::hashing`), where a container created
//! by this backend sits ([`Table::home_is_free`]).
//!
//! ```
//! use sockerless_memory::table::{Table, Resolution};
//! let t: Table<u32> = Table::new();
//! assert!(t.insert_new("abcdef", 1).is_ok());
//! assert!(t.insert_new("abcdef", 2).is_err());
//! assert_eq!(t.update("abcdef", |v| { *v += 1; *v }), Some(2));
//! assert_eq!(*t.get("abcdef").unwrap(), 2);
//! assert_eq!(t.resolve("abc", None), Resolution::Found("abcdef".into()));
//! assert!(matches!(t.find("abcdef", None), Resolution::Found(v) if *v == 2));
//! assert!(t.insert_new("abcxyz", 3).is_ok());
//! assert_eq!(t.find("abc", None), Resolution::Ambiguous(2));
//! assert_eq!(t.find("nope", None), Resolution::NotFound);
//! ```

use std::sync::Arc;

use dashmap::mapref::entry::Entry;

use crate::hashing::{get_from_home, home_is_free, ShardMap};
use crate::ids::Id;

/// What a table keeps beside each record, in the hash table's bucket: the
/// first line a lookup loads. For containers, the addresses of the record and
/// of the heap objects an inspect reads from it, so that a lookup asks for them
/// all at once instead of one after the other (`crate::prefetch`).
pub trait Beside<T>: Sized + std::fmt::Debug {
    /// Made from the record as stored (in its `Arc`), at its insert.
    fn of(record: &T) -> Self;
    /// Made again after a write of the record (by default from scratch).
    fn updated(&self, record: &T) -> Self {
        Self::of(record)
    }
    /// Starts loading what it names.
    fn prefetch(&self);
}

/// Nothing kept beside a record.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nothing;

impl<T> Beside<T> for Nothing {
    fn of(_: &T) -> Self {
        Nothing
    }

    fn prefetch(&self) {}
}

/// A record and what is kept beside it.
#[derive(Debug)]
struct Slot<T, H> {
    record: Arc<T>,
    beside: H,
}

impl<T, H: Beside<T>> Slot<T, H> {
    fn new(record: T) -> Self {
        let record = Arc::new(record);
        let beside = H::of(&record);
        Slot { record, beside }
    }

    /// The record, its cold data asked for first, and what is beside it.
    fn read_warm(&self) -> (Arc<T>, H)
    where
        H: Copy,
    {
        self.beside.prefetch();
        (Arc::clone(&self.record), self.beside)
    }
}

/// One resource's records keyed by ID, with `H` beside each ([`Beside`]).
#[derive(Debug)]
pub struct Table<T, H = Nothing> {
    map: ShardMap<Id, Slot<T, H>>,
}

impl<T, H> Default for Table<T, H> {
    fn default() -> Self {
        Table {
            map: ShardMap::default(),
        }
    }
}

/// What a reference (ID, ID prefix or name) resolves to: by default the
/// record's ID ([`Table::resolve`]), or the record itself ([`Table::find`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<F = String> {
    /// Exactly one record: its ID (or the record).
    Found(F),
    /// Nothing matches.
    NotFound,
    /// An ID prefix that matches more than one record: never a silent pick.
    Ambiguous(usize),
}

impl<T: Clone, H: Beside<T>> Table<T, H> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The record with this exact ID (a cheap `Arc` clone; the stored record is
    /// never exposed for mutation).
    pub fn get(&self, id: &str) -> Option<Arc<T>> {
        self.map.get(id).map(|r| Arc::clone(&r.value().record))
    }

    /// Whether the exact ID exists.
    pub fn contains(&self, id: &str) -> bool {
        self.map.contains_key(id)
    }

    /// Inserts a record under a new ID; gives the value back if the ID is taken.
    pub fn insert_new(&self, id: impl Into<Id>, value: T) -> Result<(), T> {
        match self.map.entry(id.into()) {
            Entry::Occupied(_) => Err(value),
            Entry::Vacant(v) => {
                v.insert(Slot::new(value));
                Ok(())
            }
        }
    }

    /// Inserts or replaces a record.
    pub fn put(&self, id: impl Into<Id>, value: T) {
        self.map.insert(id.into(), Slot::new(value));
    }

    /// Mutates a record in place with `f` (which must not touch this table) and
    /// returns what `f` returns; `None` when the ID is unknown. Readers holding an
    /// earlier `Arc` keep the old version.
    pub fn update<R>(&self, id: &str, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let mut slot = self.map.get_mut(id)?;
        let slot = slot.value_mut();
        let answer = f(Arc::make_mut(&mut slot.record));
        slot.beside = slot.beside.updated(&slot.record);
        Some(answer)
    }

    /// Removes a record, returning it.
    pub fn remove(&self, id: &str) -> Option<Arc<T>> {
        self.map.remove(id).map(|(_, v)| v.record)
    }

    /// Removes a record only if `pred` holds for it, atomically.
    pub fn remove_if(&self, id: &str, pred: impl FnOnce(&T) -> bool) -> Option<Arc<T>> {
        self.map
            .remove_if(id, |_, v| pred(&v.record))
            .map(|(_, v)| v.record)
    }

    /// Every record for which `filter` holds (unordered).
    pub fn list(&self, filter: impl Fn(&T) -> bool) -> Vec<Arc<T>> {
        self.map
            .iter()
            .filter(|r| filter(&r.value().record))
            .map(|r| Arc::clone(&r.value().record))
            .collect()
    }

    /// A copy of every record, sorted by `key` (snapshots).
    pub fn cloned_sorted_by_key<K: Ord>(&self, key: impl FnMut(&T) -> K) -> Vec<T> {
        let mut all: Vec<T> = self
            .map
            .iter()
            .map(|r| (*r.value().record).clone())
            .collect();
        all.sort_by_key(key);
        all
    }

    /// Whether a record inserted under `id` now would sit in its *home*
    /// bucket, which a lookup of its full ID asks for at once, together with
    /// the table's control bytes (`crate::hashing`): one memory round trip
    /// less when both are cold. Only a matter of speed: any ID can be
    /// inserted and found.
    pub fn home_is_free(&self, id: &str) -> bool {
        home_is_free(&self.map, id)
    }

    /// Whether the record of `id` sits in its home bucket (for tests).
    #[cfg(test)]
    pub(crate) fn at_home(&self, id: &str) -> bool {
        crate::hashing::at_home(&self.map, id)
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Drops every record.
    pub fn clear(&self) {
        self.map.clear();
    }

    /// Resolves a reference as Docker does: exact ID, then exact name (through
    /// `names`, a leading `/` ignored), then a unique ID prefix. Gives the ID.
    pub fn resolve(&self, reference: &str, names: Option<&NameIndex>) -> Resolution {
        self.lookup(reference, names, |id, _| id.to_string())
    }

    /// As [`Table::resolve`], but gives the record itself, found with one map
    /// lookup for a full ID (inspect's common case) rather than a resolve
    /// followed by a [`Table::get`].
    pub fn find(&self, reference: &str, names: Option<&NameIndex>) -> Resolution<Arc<T>> {
        self.lookup(reference, names, |_, slot| Arc::clone(&slot.record))
    }

    /// As [`Table::find`], for a read of most of the record (an inspect): the
    /// lookup also starts loading what [`Beside::prefetch`] asks for, and
    /// gives a copy of what is beside the record, so that the read can ask
    /// for more of it later (a core keeps only so many loads from memory in
    /// flight; BENCHMARKS.md, "Round seventeen"). Other reads skip it: a
    /// lifecycle's steps read a few fields, and asking for every line cost
    /// ~2.6 k instructions per lifecycle.
    pub fn find_warm(&self, reference: &str, names: Option<&NameIndex>) -> Resolution<(Arc<T>, H)>
    where
        H: Copy,
    {
        self.lookup(reference, names, |_, slot| slot.read_warm())
    }

    /// The walk of [`Table::resolve`] and [`Table::find`]: `pick` makes the
    /// answer from the key and record found.
    fn lookup<F>(
        &self,
        reference: &str,
        names: Option<&NameIndex>,
        pick: impl Fn(&str, &Slot<T, H>) -> F,
    ) -> Resolution<F> {
        if reference.is_empty() {
            return Resolution::NotFound;
        }
        if let Some(found) = get_from_home(&self.map, reference, |id: &Id, slot| pick(id, slot)) {
            return Resolution::Found(found);
        }
        if let Some(id) = names.and_then(|n| n.get(reference)) {
            if let Some(r) = self.map.get(id.as_str()) {
                return Resolution::Found(pick(r.key(), r.value()));
            }
        }
        let mut found: Option<F> = None;
        let mut count = 0usize;
        for r in self.map.iter() {
            if r.key().starts_with(reference) {
                count += 1;
                if found.is_none() {
                    found = Some(pick(r.key(), r.value()));
                }
            }
        }
        match (count, found) {
            (1, Some(f)) => Resolution::Found(f),
            (0, _) | (_, None) => Resolution::NotFound,
            (n, _) => Resolution::Ambiguous(n),
        }
    }
}

/// Labels → the IDs of the records that carry them, for label filters that
/// touch only their matches. Keys are `key` and `key\0value`; each ID is the
/// record's own [`Id`]. Labels never change after a record is created, so the
/// index is written at insert and remove only.
#[derive(Debug, Default)]
pub struct LabelIndex {
    map: ShardMap<String, std::collections::HashSet<Id>>,
}

impl LabelIndex {
    fn keys<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
        labels
            .into_iter()
            .flat_map(|(k, v)| [k.to_string(), format!("{k}\0{v}")])
            .collect()
    }

    /// The index key of a label filter value: `key` or `key=value`.
    pub fn key_of(filter: &str) -> String {
        match filter.split_once('=') {
            Some((k, v)) => format!("{k}\0{v}"),
            None => filter.to_string(),
        }
    }

    /// Records `id` under each of its labels.
    pub fn insert<'a>(
        &self,
        id: impl Into<Id>,
        labels: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        let id = id.into();
        for key in Self::keys(labels) {
            self.map.entry(key).or_default().insert(id.clone());
        }
    }

    /// Forgets `id` (dropping keys that become empty).
    pub fn remove<'a>(&self, id: &str, labels: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for key in Self::keys(labels) {
            let now_empty = match self.map.get_mut(&key) {
                Some(mut set) => {
                    set.remove(id);
                    set.is_empty()
                }
                None => false,
            };
            if now_empty {
                self.map.remove_if(&key, |_, set| set.is_empty());
            }
        }
    }

    /// The IDs under an index key (see [`LabelIndex::key_of`]).
    pub fn get(&self, key: &str) -> Vec<Id> {
        self.map
            .get(key)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Drops everything.
    pub fn clear(&self) {
        self.map.clear();
    }
}

/// Containers → the IDs of their exec instances, oldest first (a container's
/// `ExecIDs`), so that an inspect, a stop or a removal touches a container's
/// own execs and not every exec of the store. Written beside the exec table,
/// under the links lock: at an exec's create, and when a container's stop or
/// removal drops all of its execs.
#[derive(Debug, Default)]
pub struct ExecIndex {
    map: ShardMap<Id, Vec<String>>,
}

impl ExecIndex {
    /// Records exec `exec_id` of container `container_id`.
    pub fn insert(&self, container_id: impl Into<Id>, exec_id: String) {
        self.map
            .entry(container_id.into())
            .or_default()
            .push(exec_id);
    }

    /// The IDs of a container's execs, oldest first.
    pub fn of(&self, container_id: &str) -> Vec<String> {
        self.map
            .get(container_id)
            .map(|ids| ids.clone())
            .unwrap_or_default()
    }

    /// Forgets a container's execs, returning their IDs.
    pub fn take(&self, container_id: &str) -> Vec<String> {
        self.map
            .remove(container_id)
            .map(|(_, ids)| ids)
            .unwrap_or_default()
    }

    /// Drops everything.
    pub fn clear(&self) {
        self.map.clear();
    }
}

/// Unique names → IDs, with atomic reservation: of many concurrent reservations
/// of one name exactly one wins.
#[derive(Debug, Default)]
pub struct NameIndex {
    map: ShardMap<String, Id>,
}

/// Names are stored without the leading `/`.
fn bare(name: &str) -> &str {
    name.strip_prefix('/').unwrap_or(name)
}

impl NameIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// The ID holding `name` (with or without a leading `/`).
    pub fn get(&self, name: &str) -> Option<String> {
        self.map.get(bare(name)).map(|r| r.value().to_string())
    }

    /// Reserves `name` for `id`; on conflict returns the holder's ID.
    pub fn reserve(&self, name: &str, id: impl Into<Id>) -> Result<(), String> {
        let id = id.into();
        match self.map.entry(bare(name).to_string()) {
            Entry::Occupied(o) if *o.get() == id => Ok(()),
            Entry::Occupied(o) => Err(o.get().to_string()),
            Entry::Vacant(v) => {
                v.insert(id);
                Ok(())
            }
        }
    }

    /// Releases `name` if (and only if) `id` holds it.
    pub fn release(&self, name: &str, id: &str) -> bool {
        self.map
            .remove_if(bare(name), |_, v| v.as_str() == id)
            .is_some()
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no name is reserved.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Drops every name.
    pub fn clear(&self) {
        self.map.clear();
    }

    /// Every (name, ID) pair, sorted by name.
    pub fn entries(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .map
            .iter()
            .map(|r| (r.key().clone(), r.value().to_string()))
            .collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a test keeps beside a number: the number it was made from, and
    /// how many updates it went through.
    #[derive(Debug, Clone, Copy, Default, PartialEq)]
    struct Seen {
        value: u32,
        updates: u32,
    }

    impl Beside<u32> for Seen {
        fn of(record: &u32) -> Self {
            Seen {
                value: *record,
                updates: 0,
            }
        }

        fn updated(&self, record: &u32) -> Self {
            Seen {
                value: *record,
                updates: self.updates + 1,
            }
        }

        fn prefetch(&self) {}
    }

    fn beside(t: &Table<u32, Seen>, id: &str) -> Option<Seen> {
        t.map.get(id).map(|slot| slot.beside)
    }

    #[test]
    fn what_is_kept_beside_a_record_follows_its_writes() {
        let t: Table<u32, Seen> = Table::new();
        t.insert_new("b1", 7).unwrap();
        assert_eq!(
            beside(&t, "b1"),
            Some(Seen {
                value: 7,
                updates: 0
            })
        );
        assert_eq!(t.update("b1", |v| *v += 1), Some(()));
        assert_eq!(
            beside(&t, "b1"),
            Some(Seen {
                value: 8,
                updates: 1
            })
        );
        t.put("b1", 20);
        assert_eq!(
            beside(&t, "b1"),
            Some(Seen {
                value: 20,
                updates: 0
            })
        );
        assert!(matches!(t.find("b1", None), Resolution::Found(v) if *v == 20));
        assert_eq!(t.remove("b1").as_deref(), Some(&20));
        assert_eq!(beside(&t, "b1"), None);
    }

    #[test]
    fn insert_get_update_remove() {
        let t: Table<Vec<u8>> = Table::new();
        assert!(t.is_empty());
        t.insert_new("a1", vec![1]).unwrap();
        assert_eq!(t.insert_new("a1", vec![2]), Err(vec![2]));
        let before = t.get("a1").unwrap();
        assert_eq!(t.update("a1", |v| v.push(2)), Some(()));
        assert_eq!(*before, vec![1], "readers keep their version");
        assert_eq!(*t.get("a1").unwrap(), vec![1, 2]);
        assert_eq!(t.update("zz", |v| v.len()), None);
        assert_eq!(t.list(|v| v.len() == 2).len(), 1);
        assert!(t.remove_if("a1", |v| v.is_empty()).is_none());
        assert_eq!(*t.remove("a1").unwrap(), vec![1, 2]);
        assert!(t.get("a1").is_none());
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn resolution_order_and_ambiguity() {
        let t: Table<()> = Table::new();
        let names = NameIndex::new();
        t.insert_new("abc123", ()).unwrap();
        t.insert_new("abd456", ()).unwrap();
        t.insert_new("ffff00", ()).unwrap();
        names.reserve("/web", "ffff00").unwrap();
        names.reserve("abc", "abd456").unwrap();
        let table = [
            ("abc123", Resolution::Found("abc123".into())),
            ("abc1", Resolution::Found("abc123".into())),
            ("ab", Resolution::Ambiguous(2)),
            ("web", Resolution::Found("ffff00".into())),
            ("/web", Resolution::Found("ffff00".into())),
            // an exact name beats an ID prefix, as in Docker
            ("abc", Resolution::Found("abd456".into())),
            ("zzz", Resolution::NotFound),
            ("", Resolution::NotFound),
        ];
        for (reference, want) in table {
            assert_eq!(t.resolve(reference, Some(&names)), want, "{reference}");
        }
    }

    #[test]
    fn label_index_insert_lookup_remove() {
        let idx = LabelIndex::default();
        let a: std::collections::HashMap<String, String> = [
            ("job".to_string(), "1".to_string()),
            ("team".to_string(), "x".to_string()),
        ]
        .into();
        let b: std::collections::HashMap<String, String> =
            [("job".to_string(), "2".to_string())].into();
        fn pairs(m: &std::collections::HashMap<String, String>) -> Vec<(&str, &str)> {
            m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
        }
        idx.insert("a", pairs(&a));
        idx.insert("b", pairs(&b));
        let ids = |key: &str| {
            let mut v: Vec<String> = idx
                .get(&LabelIndex::key_of(key))
                .iter()
                .map(|s| s.to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(ids("job"), vec!["a", "b"]);
        assert_eq!(ids("job=1"), vec!["a"]);
        assert_eq!(ids("team=x"), vec!["a"]);
        assert!(ids("job=3").is_empty());
        idx.remove("a", pairs(&a));
        assert_eq!(ids("job"), vec!["b"]);
        assert!(ids("team").is_empty());
        assert!(idx.map.get("team").is_none(), "empty keys are dropped");
    }

    #[test]
    fn name_index_reserve_release() {
        let n = NameIndex::new();
        assert_eq!(n.reserve("/a", "1"), Ok(()));
        assert_eq!(n.reserve("a", "1"), Ok(()), "idempotent for the holder");
        assert_eq!(n.reserve("a", "2"), Err("1".into()));
        assert!(!n.release("a", "2"));
        assert!(n.release("/a", "1"));
        assert_eq!(n.reserve("a", "2"), Ok(()));
    }

    #[test]
    fn interleaved_operations_stay_consistent() {
        // Each thread owns a key range: inserts, updates (increments), gets,
        // removes and re-inserts; meanwhile readers list and resolve. At the end
        // every key holds exactly the number of increments its owner made.
        let t: Arc<Table<u64>> = Arc::new(Table::new());
        let threads = 8;
        let keys_per = 200;
        let handles: Vec<_> = (0..threads)
            .map(|th| {
                let t = Arc::clone(&t);
                std::thread::spawn(move || {
                    for round in 0..5u64 {
                        for k in 0..keys_per {
                            let key = format!("{th:02}{k:04}");
                            if round == 0 {
                                assert!(t.insert_new(key.clone(), 0).is_ok());
                            }
                            assert_eq!(t.update(&key, |v| *v += 1), Some(()));
                            assert_eq!(*t.get(&key).expect("present"), round + 1);
                            if k % 10 == 0 && round < 4 {
                                let v = t.remove(&key).expect("removed");
                                assert!(t.get(&key).is_none());
                                assert!(t.insert_new(key.clone(), *v).is_ok());
                            }
                        }
                        // Readers on other keys see only whole values.
                        assert!(t.list(|v| *v > 5).is_empty());
                        let _ = t.resolve(&format!("{th:02}"), None);
                    }
                })
            })
            .collect();
        for h in handles {
            assert!(h.join().is_ok());
        }
        assert_eq!(t.len(), threads * keys_per);
        assert!(t.list(|v| *v != 5).is_empty());
    }

    #[test]
    fn concurrent_reservations_have_one_winner() {
        let n = Arc::new(NameIndex::new());
        let handles: Vec<_> = (0..32)
            .map(|i| {
                let n = Arc::clone(&n);
                std::thread::spawn(move || n.reserve("same", i.to_string()).is_ok())
            })
            .collect();
        let wins = handles
            .into_iter()
            .map(|h| h.join())
            .filter(|r| matches!(r, Ok(true)))
            .count();
        assert_eq!(wins, 1);
    }
}
