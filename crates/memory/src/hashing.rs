//! [`ShardMap`]: the store's concurrent maps, hashed with `foldhash` instead of
//! the standard library's SipHash.
//!
//! Every request hashes a container's 64-character ID or its name several
//! times (the table, the name index, the runtimes, the files, the interned
//! texts); with SipHash-1-3 that was about 5 % of a container's lifecycle.
//! `foldhash`'s fast hasher is seeded at random per process, like the
//! standard one, so keys a client chooses (names, labels) cannot be picked to
//! collide in advance.
//!
//! A lookup by full key asks for the key's *home* bucket before the table's
//! control bytes say where the key is ([`get_from_home`]); new container IDs
//! are drawn so that they sit there ([`home_is_free`]).

/// The hasher of the store's maps.
pub(crate) type Hasher = foldhash::fast::RandomState;

/// A `DashMap` with [`Hasher`].
pub(crate) type ShardMap<K, V> = dashmap::DashMap<K, V, Hasher>;

/// A key's *home*: the bucket of its shard's hash table where the table's
/// probe for it starts (`hashbrown` starts at the hash's low bits, masked by
/// the bucket count). A record sits there when that bucket was free at its
/// insert; otherwise further along, found only after the table's control
/// bytes are read. At 100 000 containers both the control bytes and the
/// bucket are cold: asked for together, they cost one memory round trip
/// instead of two (BENCHMARKS.md, "Round sixteen"). Everything here reads the
/// map as `DashMap` itself does (its `raw-api`); where the table places keys
/// is only a matter of speed, never of what a lookup finds.
mod home {
    use std::borrow::Borrow;
    use std::hash::{BuildHasher, Hash};

    use dashmap::{RwLockReadGuard, SharedValue};

    use super::ShardMap;
    use crate::prefetch::prefetch_range;

    /// One shard's hash table, as `DashMap` keeps it (the same `hashbrown`).
    type Shard<K, V> = hashbrown::raw::RawTable<(K, SharedValue<V>)>;

    /// Where a key belongs: its hash, its shard read-locked, and the index of
    /// its home bucket there.
    struct Home<'a, K, V> {
        hash: u64,
        shard: RwLockReadGuard<'a, Shard<K, V>>,
        index: usize,
    }

    /// `key`'s [`Home`] in `map`, hashed and sharded as `DashMap` does.
    fn home<'a, K, V>(map: &'a ShardMap<K, V>, key: &str) -> Home<'a, K, V>
    where
        K: Eq + Hash,
    {
        let hash = map.hasher().hash_one(key);
        let shard = map.shards()[map.determine_shard(hash as usize)].read();
        let index = hash as usize & (shard.buckets() - 1);
        Home { hash, shard, index }
    }

    impl<K: Borrow<str>, V> Home<'_, K, V> {
        /// The bucket that holds `key`, if any (under the held lock).
        fn find(&self, key: &str) -> Option<hashbrown::raw::Bucket<(K, SharedValue<V>)>> {
            self.shard.find(self.hash, |(k, _)| k.borrow() == key)
        }
    }

    /// The value of `key` in `map`, read by `read` under the shard's read
    /// lock, as `DashMap::get` finds it, with the key's home bucket asked
    /// for first, together with the control bytes.
    pub(crate) fn get_from_home<K, V, R>(
        map: &ShardMap<K, V>,
        key: &str,
        read: impl FnOnce(&K, &V) -> R,
    ) -> Option<R>
    where
        K: Borrow<str> + Eq + Hash,
    {
        let home = home(map, key);
        if !home.shard.is_empty() {
            // SAFETY: the index is below the bucket count of an allocated
            // table; the bucket's address is only computed and handed to a
            // prefetch, never read.
            let bucket = unsafe { home.shard.bucket(home.index) };
            prefetch_range(
                bucket.as_ptr().cast(),
                std::mem::size_of::<(K, SharedValue<V>)>(),
            );
        }
        let found = home.find(key)?;
        // SAFETY: `find` gives a full bucket, and the shard's read lock,
        // which keeps it in place, is held until `read` returns.
        let (k, v) = unsafe { found.as_ref() };
        Some(read(k, v.get()))
    }

    /// Whether `key`'s home bucket is free (empty, or of a removed record):
    /// a record inserted under `key` now would sit there.
    pub(crate) fn home_is_free<K, V>(map: &ShardMap<K, V>, key: &str) -> bool
    where
        K: Borrow<str> + Eq + Hash,
    {
        let home = home(map, key);
        // SAFETY: the index is below the bucket count (1 for a table not yet
        // allocated, whose one control byte reads empty).
        !unsafe { home.shard.is_bucket_full(home.index) }
    }

    /// Whether `key` is in `map` and in its home bucket (for tests).
    #[cfg(test)]
    pub(crate) fn at_home<K, V>(map: &ShardMap<K, V>, key: &str) -> bool
    where
        K: Borrow<str> + Eq + Hash,
    {
        let home = home(map, key);
        home.find(key)
            // SAFETY: a bucket `find` gave, under the shard's lock.
            .is_some_and(|b| unsafe { home.shard.bucket_index(&b) } == home.index)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn keys_drawn_to_a_free_home_sit_there_through_growth_and_removals() {
            let map: ShardMap<String, u32> = ShardMap::default();
            assert!(home_is_free(&map, "any"), "an empty map's homes are free");
            let mut keys = Vec::new();
            let mut draw = 0u32;
            let mut homeless = 0;
            for value in 0..20_000 {
                // Up to 32 candidates, as an ID generator draws them; the
                // last one when none has a free home (then it goes elsewhere).
                let mut key = String::new();
                for _ in 0..32 {
                    draw += 1;
                    key = format!("home-test-{draw}");
                    if home_is_free(&map, &key) {
                        break;
                    }
                }
                map.insert(key.clone(), value);
                if !at_home(&map, &key) {
                    // Taken out again: a key away from home could take a
                    // home key's place when the table grows (only a matter
                    // of speed; `keys_away_from_home_are_found_too`), and
                    // the claim checked here is about keys at home.
                    homeless += 1;
                    assert!(map.remove(&key).is_some());
                    continue;
                }
                keys.push(key);
                if value % 3 == 0 {
                    // Removals leave tombstones, which count as free.
                    let gone = keys.swap_remove(keys.len() / 2);
                    assert!(map.remove(&gone).is_some());
                    assert_eq!(get_from_home(&map, &gone, |_, v| *v), None);
                }
            }
            assert!(homeless < 200, "{homeless} of 20 000 keys not at home");
            // Every table resize kept them home: their homes were distinct.
            assert!(keys
                .iter()
                .all(|k| at_home(&map, k) && !home_is_free(&map, k)));
            for k in &keys {
                assert_eq!(
                    get_from_home(&map, k, |key, v| (key.clone(), *v)),
                    map.get(k).map(|r| (r.key().clone(), *r.value()))
                );
            }
        }

        #[test]
        fn keys_away_from_home_are_found_too() {
            let map: ShardMap<String, u32> = ShardMap::default();
            for value in 0..5_000 {
                map.insert(format!("crowd-{value}"), value);
            }
            let away = (0..5_000)
                .filter(|v| !at_home(&map, &format!("crowd-{v}")))
                .count();
            assert!(away > 0, "some keys collide with others' homes");
            for value in 0..5_000 {
                let key = format!("crowd-{value}");
                assert_eq!(get_from_home(&map, &key, |_, v| *v), Some(value));
            }
            assert_eq!(get_from_home(&map, "crowd-5000", |_, v| *v), None);
        }
    }
}

#[cfg(test)]
pub(crate) use home::at_home;
pub(crate) use home::{get_from_home, home_is_free};
