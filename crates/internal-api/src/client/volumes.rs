//! [`VolumeBackend`] over the internal API.

use async_trait::async_trait;
use sockerless_core::api::docker;
use sockerless_core::api::{Filters, VolumeRemoveOptions};
use sockerless_core::backend::VolumeBackend;
use sockerless_core::error::Result;

use super::{Query, RemoteBackend};
use crate::route::Route;

#[async_trait]
impl VolumeBackend for RemoteBackend {
    async fn volume_create(&self, options: docker::VolumeCreateOptions) -> Result<docker::Volume> {
        self.transport
            .json(Route::VolumeCreate, "", Some(&options))
            .await
    }

    async fn volume_list(&self, filters: Filters) -> Result<docker::VolumeListResponse> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(Route::VolumeList, &query, None::<&()>)
            .await
    }

    async fn volume_inspect(&self, name: String) -> Result<docker::Volume> {
        self.transport
            .json(Route::VolumeInspect(name), "", None::<&()>)
            .await
    }

    async fn volume_remove(&self, name: String, options: VolumeRemoveOptions) -> Result<()> {
        let query = Query::new().flag("force", options.force).finish();
        self.act(Route::VolumeRemove(name), &query).await
    }

    async fn volume_prune(&self, filters: Filters) -> Result<docker::VolumePruneResponse> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(Route::VolumePrune, &query, None::<&()>)
            .await
    }
}
