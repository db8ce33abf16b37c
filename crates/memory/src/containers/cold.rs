//! [`ColdObjects`]: where a container's record is, and the heap objects an
//! inspect reads from it, kept beside the record in the containers' hash
//! table (`crate::table::Beside`). At 100 000 containers all of them are
//! cold. Found through the record, they cost one memory round trip per
//! pointer followed, one after the other: the bucket, the record, its heap
//! objects, then what those point at (its rarer label values and env entries,
//! its per-job mount points and their texts, its network settings). From the
//! bucket, the lookup asks for those the inspect reads first, while it still
//! compares the key (BENCHMARKS.md, "Round fourteen"); the inspect asks for
//! the others once it has read the first ("Round seventeen").
//!
//! The record's own addresses are taken again at every write of it (the
//! table's `update`: a write may move them); the rarer shared objects' at its
//! insert only (the config and the mounts never change after the create, and
//! a clone of the record shares them). So they are those of the objects the
//! stored record holds. A hint to a stale address would still be harmless
//! (`crate::prefetch`), only useless.

use std::sync::Arc;

use super::record::ContainerRecord;
use crate::intern::Shared;
use crate::prefetch::Hint;
use crate::table::Beside;
use sockerless_core::api::docker;

/// How many addresses a slot remembers of the record and the own objects an
/// inspect reads first (8 bytes each; networks past the second go unlisted).
const FIRST: usize = 7;

/// How many of the record's other own objects the inspect asks for later
/// (their addresses are read from the record, loaded by then).
const LATER: usize = 4;

/// How many rarer shared objects a slot remembers (8 bytes each).
const MAX_RARE: usize = 12;

/// Objects with more holders than this are taken to be in the cache already
/// (a label every container carries); the rarer ones are listed first come.
const RARE: usize = 64;

/// The addresses; see the module's documentation. The lookup asks for the
/// `first` ones; the inspect asks for the rest
/// (`ColdObjects::prefetch_later`) once it has read the first: a core has
/// only so many loads from memory in flight (~20 lines on this VM), and a
/// burst of all ~45 lines, more than it can take at once, left more of their
/// trips unhidden than two smaller ones (BENCHMARKS.md, "Round seventeen").
#[derive(Debug, Clone, Copy, Default)]
pub struct ColdObjects {
    /// The record and the own objects an inspect reads first (its name and
    /// image, its host config and network settings), taken again at every
    /// write (a write may move them).
    first: [Hint; FIRST],
    /// The rarer label values and env entries, the per-job mount points and
    /// their texts, first come: taken at the insert only. The config and the
    /// mounts never change after the create, and a clone of the record
    /// shares these objects, so their addresses hold.
    rare: [Hint; MAX_RARE],
}

impl Beside<ContainerRecord> for ColdObjects {
    fn of(c: &ContainerRecord) -> ColdObjects {
        ColdObjects {
            rare: rare_objects(c),
            ..ColdObjects::default()
        }
        .updated(c)
    }

    fn updated(&self, c: &ContainerRecord) -> ColdObjects {
        ColdObjects {
            first: first_objects(c),
            rare: self.rare,
        }
    }

    /// Asks the CPU to load the objects an inspect reads first
    /// (`crate::prefetch`).
    #[inline(always)]
    fn prefetch(&self) {
        prefetch_all(&self.first);
    }
}

impl ColdObjects {
    /// Asks the CPU to load the rest of record `c`'s objects: its other own
    /// objects, whose addresses the record holds (loaded by now, so not kept
    /// in the slot), and the rarer shared ones.
    #[inline(always)]
    pub(crate) fn prefetch_later(&self, c: &ContainerRecord) {
        prefetch_all(&later_objects(c));
        prefetch_all(&self.rare);
    }
}

/// Asks for every listed object of `hints`.
#[inline(always)]
fn prefetch_all(hints: &[Hint]) {
    for hint in listed(hints) {
        hint.prefetch();
    }
}

/// The hints of a list, up to its first empty entry ([`List`] fills from the
/// front).
fn listed(hints: &[Hint]) -> &[Hint] {
    let len = hints
        .iter()
        .position(|h| h.is_none())
        .unwrap_or(hints.len());
    &hints[..len]
}

/// [`ColdObjects::first`] of record `c`.
fn first_objects(c: &ContainerRecord) -> [Hint; FIRST] {
    let mut list = List::<FIRST>::default();
    list.push_value(c);
    list.push_text(&c.name);
    list.push_text(&c.image_id);
    list.push_text(c.host_config.text());
    list.push_value(c.networks.entries());
    for (_, settings) in c.networks.texts() {
        list.push_text(settings);
    }
    list.at
}

/// The own objects of record `c` an inspect reads after the first ones (labels,
/// env, hostname, mounts).
fn later_objects(c: &ContainerRecord) -> [Hint; LATER] {
    let mut list = List::<LATER>::default();
    list.push_value(c.labels().pairs());
    list.push_value(c.config.env_texts());
    list.push_text(c.config.hostname().unwrap_or_default());
    list.push_value(c.mounts.as_slice());
    list.at
}

/// [`ColdObjects::rare`] of record `c`.
fn rare_objects(c: &ContainerRecord) -> [Hint; MAX_RARE] {
    let mut list = List::<MAX_RARE>::default();
    for (_, value) in c.labels().pairs() {
        if Arc::strong_count(value) <= RARE {
            list.push_text(value);
        }
    }
    for entry in c.config.env_texts() {
        if Arc::strong_count(entry) <= RARE {
            list.push_text(entry);
        }
    }
    for mount in &c.mounts {
        if Shared::holders(mount) <= RARE {
            let point: &docker::MountPoint = mount;
            list.push_value(point);
            for text in [
                &point.name,
                &point.source,
                &point.destination,
                &point.driver,
                &point.mode,
            ] {
                list.push_text(text.as_deref().unwrap_or_default());
            }
        }
    }
    list.at
}

/// Up to `N` hints being listed (the rest dropped).
struct List<const N: usize> {
    at: [Hint; N],
    len: usize,
}

impl<const N: usize> Default for List<N> {
    fn default() -> Self {
        List {
            at: [Hint::default(); N],
            len: 0,
        }
    }
}

impl<const N: usize> List<N> {
    fn push_text(&mut self, text: &str) {
        self.push(Hint::of(text.as_bytes()));
    }

    fn push_value<T: ?Sized>(&mut self, value: &T) {
        self.push(Hint::of_range(
            (value as *const T).cast(),
            std::mem::size_of_val(value),
        ));
    }

    fn push(&mut self, hint: Hint) {
        if self.len < N && !hint.is_none() {
            self.at[self.len] = hint;
            self.len += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::config::Config;
    use crate::containers::record::{RunState, Status};
    use std::collections::HashMap;

    fn record(labels: &[(&str, &str)], env: &[&str]) -> ContainerRecord {
        let labels: HashMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut c = ContainerRecord::bare("far-test", RunState::never_ran(Status::Created, None));
        c.config = Config::new(docker::ContainerConfig {
            labels: Some(labels),
            env: Some(env.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        });
        c
    }

    #[test]
    fn lists_the_record_and_its_rare_texts_and_mounts_up_to_its_size() {
        let mut c = record(
            &[("far.test.job", "far-test-job-17")],
            &["FAR_TEST_ID=far-test-41"],
        );
        c.mounts = vec![Shared::new(docker::MountPoint {
            name: Some("far-test-job-17-builds".into()),
            destination: Some("/builds".into()),
            ..Default::default()
        })];
        let cold = ColdObjects::of(&c);
        // The record, its name and its host config text first; then its
        // labels, its env and its mounts; no image ID, hostname or network.
        assert_eq!(listed(&cold.first).len(), 3);
        assert_eq!(listed(&later_objects(&c)).len(), 3);
        assert_eq!(
            cold.first[0],
            Hint::of_range(
                (&c as *const ContainerRecord).cast(),
                std::mem::size_of::<ContainerRecord>()
            )
        );
        // The value, the env entry, the mount point and its two texts.
        assert_eq!(listed(&cold.rare).len(), 5);
        cold.prefetch();
        cold.prefetch_later(&c);

        let many: Vec<String> = (0..40).map(|i| format!("FAR_TEST_MANY={i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            listed(&ColdObjects::of(&record(&[], &many)).rare).len(),
            MAX_RARE
        );
        assert_eq!(listed(&ColdObjects::default().first).len(), 0);
    }

    #[test]
    fn an_update_takes_the_own_objects_again_and_keeps_the_rare_ones() {
        let c = record(&[("far.test.job", "far-test-job-18")], &[]);
        let cold = ColdObjects::of(&c);
        let moved = c.clone();
        let again = cold.updated(&moved);
        assert_eq!(again.rare, cold.rare);
        assert_ne!(again.first[0], cold.first[0], "the clone is elsewhere");
        let fresh = ColdObjects::of(&moved);
        assert_eq!(again.first, fresh.first);
    }
}
