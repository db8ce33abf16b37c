//! Volumes: create (idempotent), list, inspect, remove, prune, and the reference
//! counting containers use.
//!
//! `record` holds the stored [`VolumeRecord`]; this module implements
//! `VolumeBackend` and the reference counting containers use.

pub mod record;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;

use crate::backend::MemoryBackend;
use crate::events::Kind;
use crate::ids::Id;
use record::{validate_name, ANONYMOUS_LABEL};
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::VolumeBackend;
use sockerless_core::docker::filters::FilterError;
use sockerless_core::error::{Error, Result};

pub use record::VolumeRecord;

/// Docker's words for a filter error, as a 400.
fn filter_error(e: FilterError) -> Error {
    Error::bad_request(e.to_string())
}

impl MemoryBackend {
    /// Creates the volume unless it exists; returns the stored record and
    /// whether this call created it (a `create` event is emitted then).
    pub(crate) fn volume_get_or_create(&self, record: VolumeRecord) -> (Arc<VolumeRecord>, bool) {
        let name = record.name.clone();
        loop {
            // The stored record is shared, never copied: a volume referenced by
            // many containers has a large `refs` set.
            if let Some(existing) = self.store.volumes.get(&name) {
                return (existing, false);
            }
            match self.store.volumes.insert_new(name.clone(), record.clone()) {
                Ok(()) => {
                    let attributes = [("driver", record.driver.as_str())];
                    self.emit_pairs(Kind::Volume, "create", &name, attributes);
                    return (Arc::new(record), true);
                }
                // Lost a race with a concurrent create (or it was removed again
                // right after): look again.
                Err(_) => continue,
            }
        }
    }

    /// A new record for `name`.
    pub(crate) fn volume_record(
        &self,
        name: String,
        anonymous: bool,
        labels: HashMap<String, String>,
        options: HashMap<String, String>,
    ) -> VolumeRecord {
        let mut labels = labels;
        if anonymous {
            labels.insert(ANONYMOUS_LABEL.to_string(), String::new());
        }
        VolumeRecord {
            name,
            driver: "local".to_string(),
            created_at: self.now(),
            labels,
            options,
            anonymous,
            refs: BTreeSet::new(),
        }
    }

    /// References volume `name` from `container_id`, creating it if missing
    /// (`name` None = a new anonymous volume with a 64-hex name). Returns the
    /// name. Call with the links lock held.
    pub(crate) fn volume_acquire(
        &self,
        name: Option<&str>,
        container_id: impl Into<Id>,
    ) -> Result<String> {
        let container_id = container_id.into();
        let (name, anonymous) = match name {
            Some(n) => {
                validate_name(n)?;
                (n.to_string(), false)
            }
            None => (self.new_id(), true),
        };
        let record = self.volume_record(name.clone(), anonymous, HashMap::new(), HashMap::new());
        loop {
            drop(self.volume_get_or_create(record.clone()));
            let added = self.store.volumes.update(&name, |v| {
                v.refs.insert(container_id.clone());
            });
            if added.is_some() {
                return Ok(name);
            }
        }
    }

    /// Drops `container_id`'s reference to `name` (links lock held); with
    /// `remove_anonymous`, an anonymous volume left unreferenced is removed.
    pub(crate) fn volume_release(&self, name: &str, container_id: &str, remove_anonymous: bool) {
        self.store.volumes.update(name, |v| {
            v.refs.remove(container_id);
        });
        if remove_anonymous {
            if let Some(removed) = self
                .store
                .volumes
                .remove_if(name, |v| v.anonymous && v.refs.is_empty())
            {
                self.emit_volume_destroy(&removed);
            }
        }
    }

    /// Emits `destroy` for a removed volume.
    pub(crate) fn emit_volume_destroy(&self, v: &VolumeRecord) {
        let attributes = [("driver", v.driver.as_str())];
        self.emit_pairs(Kind::Volume, "destroy", &v.name, attributes);
    }
}

#[async_trait]
impl VolumeBackend for MemoryBackend {
    /// `POST /volumes`: idempotent for an existing name.
    async fn volume_create(&self, o: docker::VolumeCreateOptions) -> Result<docker::Volume> {
        let driver = o
            .driver
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "local".to_string());
        let (name, anonymous) = match o.name.filter(|n| !n.is_empty()) {
            Some(n) => (n, false),
            None => (self.new_id(), true),
        };
        validate_name(&name)?;
        if driver != "local" {
            // moby wraps the driver's error with the volume's name.
            return Err(Error::not_found(format!(
                "create {name}: error looking up volume plugin {driver}: plugin \"{driver}\" not found"
            )));
        }
        let record = self.volume_record(
            name,
            anonymous,
            o.labels.unwrap_or_default(),
            o.driver_opts.unwrap_or_default(),
        );
        let (stored, _) = self.volume_get_or_create(record);
        Ok(stored.to_docker())
    }

    /// `GET /volumes`.
    async fn volume_list(&self, f: Filters) -> Result<docker::VolumeListResponse> {
        f.check_keys(&["name", "label", "driver", "dangling"])
            .map_err(filter_error)?;
        let dangling = f.bool_value("dangling").map_err(filter_error)?;
        let names = f.get("name");
        let mut vols = self.store.volumes.list(|v| {
            (names.is_empty() || names.iter().any(|n| v.name.contains(n)))
                && f.match_kv_list("label", &v.labels)
                && f.exact_match("driver", &v.driver)
                && dangling.is_none_or(|d| d == v.refs.is_empty())
        });
        vols.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(docker::VolumeListResponse {
            volumes: Some(vols.iter().map(|v| v.to_docker()).collect()),
            warnings: Some(Vec::new()),
        })
    }

    /// `GET /volumes/{name}`.
    async fn volume_inspect(&self, name: String) -> Result<docker::Volume> {
        let name = name.as_str();
        self.store
            .volumes
            .get(name)
            .map(|v| v.to_docker())
            .ok_or_else(|| Error::no_such_volume(name))
    }

    /// `DELETE /volumes/{name}`: 409 while containers reference it; a missing
    /// volume is 404, or nothing with `force`.
    async fn volume_remove(&self, name: String, o: VolumeRemoveOptions) -> Result<()> {
        let name = name.as_str();
        let _links = self.links();
        let Some(v) = self.store.volumes.get(name) else {
            return if o.force {
                Ok(())
            } else {
                Err(Error::no_such_volume(name))
            };
        };
        if !v.refs.is_empty() {
            let ids: Vec<&str> = v.refs.iter().map(Id::as_str).collect();
            return Err(Error::conflict(format!(
                "remove {name}: volume is in use - [{}]",
                ids.join(", ")
            )));
        }
        if let Some(removed) = self.store.volumes.remove_if(name, |v| v.refs.is_empty()) {
            self.store.files.remove_volume(&removed.name);
            self.emit_volume_destroy(&removed);
        }
        Ok(())
    }

    /// `POST /volumes/prune`: unreferenced volumes, anonymous ones only unless
    /// the filter `all=true`; filters `label`, `label!`, `all`.
    async fn volume_prune(&self, f: Filters) -> Result<docker::VolumePruneResponse> {
        f.check_keys(&["label", "label!", "all"])
            .map_err(filter_error)?;
        let all = f.bool_value("all").map_err(filter_error)?.unwrap_or(false);
        let _links = self.links();
        let mut candidates = self.store.volumes.list(|v| {
            v.refs.is_empty()
                && (all || v.anonymous || v.labels.contains_key(ANONYMOUS_LABEL))
                && f.match_prune_labels(&v.labels)
        });
        candidates.sort_by(|a, b| a.name.cmp(&b.name));
        let mut deleted = Vec::new();
        for v in candidates {
            if let Some(removed) = self.store.volumes.remove_if(&v.name, |v| v.refs.is_empty()) {
                self.store.files.remove_volume(&removed.name);
                self.emit_volume_destroy(&removed);
                deleted.push(removed.name.clone());
            }
        }
        Ok(docker::VolumePruneResponse {
            volumes_deleted: Some(deleted),
            space_reclaimed: Some(0),
        })
    }
}

#[cfg(test)]
#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn acquire_creates_and_counts_references() {
        let b = MemoryBackend::new();
        let _links = b.links();
        let name = b.volume_acquire(Some("data"), "c1").unwrap();
        assert_eq!(name, "data");
        assert_eq!(b.volume_acquire(Some("data"), "c2").unwrap(), "data");
        let v = b.store.volumes.get("data").unwrap();
        assert!(!v.anonymous);
        assert_eq!(v.refs.iter().collect::<Vec<_>>(), ["c1", "c2"]);
        // invalid names fail like create and create nothing
        assert_eq!(
            b.volume_acquire(Some("x"), "c1").unwrap_err(),
            Error::bad_request(
                "create x: volume name is too short, names should be at least two alphanumeric characters"
            )
        );
        assert!(b.volume_acquire(Some("a b"), "c1").is_err());
        assert_eq!(b.store.volumes.len(), 1);
        drop(_links);

        // in use: 409 naming the containers, nothing removed (even with force)
        for force in [false, true] {
            assert_eq!(
                b.volume_remove("data".into(), VolumeRemoveOptions { force })
                    .await,
                Err(Error::conflict("remove data: volume is in use - [c1, c2]"))
            );
        }
        let dangling = {
            let mut f = Filters::default();
            f.add("dangling", "true");
            f
        };
        assert!(b
            .volume_list(dangling.clone())
            .await
            .unwrap()
            .volumes
            .unwrap()
            .is_empty());

        let _links = b.links();
        b.volume_release("data", "c1", true);
        b.volume_release("data", "c2", true);
        // named volumes survive release even with remove_anonymous
        assert!(b.store.volumes.get("data").unwrap().refs.is_empty());
        drop(_links);
        assert_eq!(
            b.volume_list(dangling)
                .await
                .unwrap()
                .volumes
                .unwrap()
                .len(),
            1
        );
        b.volume_remove("data".into(), VolumeRemoveOptions::default())
            .await
            .unwrap();
        assert!(b.store.volumes.is_empty());
    }

    #[tokio::test]
    async fn anonymous_volumes() {
        let b = MemoryBackend::new();
        let _links = b.links();
        let anon = b.volume_acquire(None, "c1").unwrap();
        assert_eq!(anon.len(), 64);
        let v = b.store.volumes.get(&anon).unwrap();
        assert!(v.anonymous);
        assert_eq!(v.labels.get(ANONYMOUS_LABEL).map(String::as_str), Some(""));
        // release without removal keeps it; prune then takes it
        b.volume_release(&anon, "c1", false);
        assert!(b.store.volumes.contains(&anon));
        let kept = b.volume_acquire(None, "c2").unwrap();
        b.volume_release(&kept, "c2", true);
        assert!(!b.store.volumes.contains(&kept));
        drop(_links);
        let pruned = b.volume_prune(Filters::default()).await.unwrap();
        assert_eq!(pruned.volumes_deleted, Some(vec![anon]));
    }

    #[tokio::test]
    async fn prune_skips_referenced_and_named_volumes() {
        let b = MemoryBackend::new();
        {
            let _links = b.links();
            b.volume_acquire(None, "c1").unwrap();
            b.volume_acquire(Some("named"), "c1").unwrap();
        }
        b.volume_create(docker::VolumeCreateOptions {
            name: Some("idle".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        let r = b.volume_prune(Filters::default()).await.unwrap();
        assert_eq!(r.volumes_deleted, Some(vec![]));
        let mut all = Filters::default();
        all.add("all", "true");
        let r = b.volume_prune(all).await.unwrap();
        assert_eq!(r.volumes_deleted, Some(vec!["idle".to_string()]));
        assert_eq!(b.store.volumes.len(), 2);
    }
}
