//! The stored volume and the rules for its name.

use std::collections::{BTreeSet, HashMap};
use std::time::SystemTime;

use crate::ids::Id;
use sockerless_core::api::docker;
use sockerless_core::docker::names::is_valid_volume_name;
use sockerless_core::docker::timefmt::rfc3339;
use sockerless_core::error::{Error, Result};

/// The label Docker (≥ 23) puts on anonymous volumes; prune keys on it.
pub(crate) const ANONYMOUS_LABEL: &str = "com.docker.volume.anonymous";

/// A stored volume.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// IDs of the containers that reference it (their own [`Id`]s).
    pub refs: BTreeSet<Id>,
}

impl VolumeRecord {
    /// The Docker `Volume` object.
    pub(crate) fn to_docker(&self) -> docker::Volume {
        docker::Volume {
            name: self.name.clone(),
            driver: self.driver.clone(),
            mountpoint: format!("/var/lib/docker/volumes/{}/_data", self.name),
            created_at: Some(rfc3339(self.created_at)),
            status: None,
            labels: self.labels.clone(),
            scope: Some(docker::VolumeScopeEnum::LOCAL),
            cluster_volume: None,
            options: self.options.clone(),
            usage_data: None,
        }
    }
}

/// The longest local volume name: the local driver makes a directory of it, and
/// Linux file names hold at most 255 bytes (Docker fails the `mkdir` with a 500).
pub(crate) const MAX_VOLUME_NAME: usize = 255;

/// Checks a local volume name with Docker's messages.
pub(crate) fn validate_name(name: &str) -> Result<()> {
    if name.len() == 1 {
        return Err(Error::bad_request(format!(
            "create {name}: volume name is too short, names should be at least two alphanumeric characters"
        )));
    }
    if name.len() > MAX_VOLUME_NAME {
        return Err(Error::bad_request(format!(
            "create {name}: volume name is too long: the local driver's directory names hold at most {MAX_VOLUME_NAME} bytes"
        )));
    }
    if !is_valid_volume_name(name) {
        return Err(Error::bad_request(format!(
            "create {name}: \"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
        )));
    }
    Ok(())
}
