//! [`FarObjects`]: where the heap objects are that an inspect reads two and
//! three pointers away from a container's record (its rarer label values and
//! env entries, its per-job mount points and their texts), kept in the record
//! as numbers. At 100 000 containers those objects are cold; found through
//! the record they cost one memory round trip per pointer followed, one
//! after the other. With their addresses in the record, the prefetch asks for
//! them all at the same time as the record's own heap objects.
//!
//! Only what never changes after the create is listed (the config and the
//! mounts), so the addresses stay those of objects the record holds: a clone
//! of the record shares them. A hint to a stale address would still be
//! harmless (`crate::prefetch`), only useless.

use std::sync::Arc;

use super::config::Config;
use crate::intern::Shared;
use crate::prefetch::Hint;
use sockerless_core::api::docker;

/// How many objects a record remembers (8 bytes each).
const MAX: usize = 12;

/// Objects with more holders than this are taken to be in the cache already
/// (a label every container carries); the rarer ones are listed first come.
const RARE: usize = 64;

/// The addresses; see the module's documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct FarObjects {
    at: [Hint; MAX],
}

impl FarObjects {
    /// The far objects of a container with this config and these mounts.
    pub(crate) fn of(config: &Config, mounts: &[Shared<docker::MountPoint>]) -> FarObjects {
        let mut list = List::default();
        for (_, value) in config.labels().pairs() {
            if Arc::strong_count(value) <= RARE {
                list.push_text(value);
            }
        }
        for entry in config.env_texts() {
            if Arc::strong_count(entry) <= RARE {
                list.push_text(entry);
            }
        }
        for mount in mounts {
            if Shared::holders(mount) <= RARE {
                let point: &docker::MountPoint = mount;
                list.push(Hint::of_range(
                    (point as *const docker::MountPoint).cast(),
                    std::mem::size_of::<docker::MountPoint>(),
                ));
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
        list.far
    }

    /// Asks the CPU to load every listed object (`crate::prefetch`).
    #[inline(always)]
    pub(crate) fn prefetch(&self) {
        for hint in self.at {
            if hint.is_none() {
                break;
            }
            hint.prefetch();
        }
    }

    /// How many objects are listed.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.at.iter().take_while(|h| !h.is_none()).count()
    }
}

/// A [`FarObjects`] being filled.
#[derive(Default)]
struct List {
    far: FarObjects,
    len: usize,
}

impl List {
    fn push_text(&mut self, text: &str) {
        self.push(Hint::of(text.as_bytes()));
    }

    fn push(&mut self, hint: Hint) {
        if self.len < MAX && !hint.is_none() {
            self.far.at[self.len] = hint;
            self.len += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(labels: &[(&str, &str)], env: &[&str]) -> Config {
        let labels: HashMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::new(docker::ContainerConfig {
            labels: Some(labels),
            env: Some(env.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        })
    }

    #[test]
    fn lists_rare_texts_and_mounts_up_to_its_size() {
        let c = config(
            &[("far.test.job", "far-test-job-17")],
            &["FAR_TEST_ID=far-test-41"],
        );
        let mount = Shared::new(docker::MountPoint {
            name: Some("far-test-job-17-builds".into()),
            destination: Some("/builds".into()),
            ..Default::default()
        });
        let far = FarObjects::of(&c, std::slice::from_ref(&mount));
        // The value, the env entry, the mount point and its two texts.
        assert_eq!(far.len(), 5);
        far.prefetch();

        let many: Vec<String> = (0..40).map(|i| format!("FAR_TEST_MANY={i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(FarObjects::of(&config(&[], &many), &[]).len(), MAX);
        assert_eq!(FarObjects::default().len(), 0);
    }
}
