//! [`ShardMap`]: the store's concurrent maps, hashed with `foldhash` instead of
//! the standard library's SipHash.
//!
//! Every request hashes a container's 64-character ID or its name several
//! times (the table, the name index, the runtimes, the files, the interned
//! texts); with SipHash-1-3 that was about 5 % of a container's lifecycle.
//! `foldhash`'s fast hasher is seeded at random per process, like the
//! standard one, so keys a client chooses (names, labels) cannot be picked to
//! collide in advance.

/// The hasher of the store's maps.
pub(crate) type Hasher = foldhash::fast::RandomState;

/// A `DashMap` with [`Hasher`].
pub(crate) type ShardMap<K, V> = dashmap::DashMap<K, V, Hasher>;
