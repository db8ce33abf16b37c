//! [`VolumeBackend`]: volume operations: create, list, inspect, remove, prune.

use async_trait::async_trait;

use crate::api::docker;
use crate::api::*;
use crate::error::Result;
use crate::operation::Operation;

use super::ni;

/// Volume operations: create, list, inspect, remove, prune. Every method defaults to `501 <operation> is not implemented`.
#[allow(unused_variables)]
#[async_trait]
pub trait VolumeBackend: Send + Sync + 'static {
    /// `POST /volumes`.
    async fn volume_create(&self, options: docker::VolumeCreateOptions) -> Result<docker::Volume> {
        ni(Operation::VolumeCreate)
    }

    /// `GET /volumes`.
    async fn volume_list(&self, filters: Filters) -> Result<docker::VolumeListResponse> {
        ni(Operation::VolumeList)
    }

    /// `GET /volumes/{name}`.
    async fn volume_inspect(&self, name: String) -> Result<docker::Volume> {
        ni(Operation::VolumeInspect)
    }

    /// `DELETE /volumes/{name}`.
    async fn volume_remove(&self, name: String, options: VolumeRemoveOptions) -> Result<()> {
        ni(Operation::VolumeRemove)
    }

    /// `POST /volumes/prune`.
    async fn volume_prune(&self, filters: Filters) -> Result<docker::VolumePruneResponse> {
        ni(Operation::VolumePrune)
    }
}
