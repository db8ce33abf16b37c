//! Volumes: create (idempotent), list, inspect, remove, prune, and the reference
//! counting containers use.

use std::collections::{BTreeSet, HashMap};
use std::time::SystemTime;

use super::MemoryBackend;
use crate::api::docker;
use crate::api::*;
use crate::error::{Error, Result};

/// A stored volume.
#[derive(Debug, Clone)]
pub struct VolumeRecord {
    /// Its name (the key).
    pub name: String,
    /// `local`.
    pub driver: String,
    /// When it was created.
    pub created_at: SystemTime,
    /// `Labels`.
    pub labels: HashMap<String, String>,
    /// `Options` (driver options).
    pub options: HashMap<String, String>,
    /// Created implicitly for a container (no name given anywhere).
    pub anonymous: bool,
    /// IDs of the containers that reference it.
    pub refs: BTreeSet<String>,
}

impl MemoryBackend {
    /// References volume `name` from `container_id`, creating it if missing
    /// (`name` None = a new anonymous volume with a 64-hex name). Returns the
    /// name. Call with the links lock held.
    pub(crate) fn volume_acquire(&self, name: Option<&str>, _container_id: &str) -> Result<String> {
        Err(Error::not_implemented(&format!("volume_acquire {name:?}")))
    }

    /// Drops `container_id`'s reference to `name` (links lock held); with
    /// `remove_anonymous`, an anonymous volume left unreferenced is removed.
    pub(crate) fn volume_release(&self, _name: &str, _container_id: &str, _remove_anonymous: bool) {
    }

    pub(crate) fn volumes_create(&self, _o: docker::VolumeCreateOptions) -> Result<docker::Volume> {
        Err(Error::not_implemented("volume_create"))
    }

    pub(crate) fn volumes_list(&self, _f: Filters) -> Result<docker::VolumeListResponse> {
        Err(Error::not_implemented("volume_list"))
    }

    pub(crate) fn volumes_inspect(&self, _name: &str) -> Result<docker::Volume> {
        Err(Error::not_implemented("volume_inspect"))
    }

    pub(crate) fn volumes_remove(&self, _name: &str, _o: VolumeRemoveOptions) -> Result<()> {
        Err(Error::not_implemented("volume_remove"))
    }

    pub(crate) fn volumes_prune(&self, _f: Filters) -> Result<docker::VolumePruneResponse> {
        Err(Error::not_implemented("volume_prune"))
    }
}
