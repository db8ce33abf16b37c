//! [`VolumeBackend`] over the internal API.

use async_trait::async_trait;
use http::Method;
use sockerless_core::api::docker;
use sockerless_core::api::{Filters, VolumeRemoveOptions};
use sockerless_core::backend::VolumeBackend;
use sockerless_core::error::Result;

use super::{seg, Query, RemoteBackend};

#[async_trait]
impl VolumeBackend for RemoteBackend {
    async fn volume_create(&self, options: docker::VolumeCreateOptions) -> Result<docker::Volume> {
        self.transport
            .json(Method::POST, "/volumes", Some(&options))
            .await
    }

    async fn volume_list(&self, filters: Filters) -> Result<docker::VolumeListResponse> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(Method::GET, &format!("/volumes{query}"), None::<&()>)
            .await
    }

    async fn volume_inspect(&self, name: String) -> Result<docker::Volume> {
        let path = format!("/volumes/{}", seg(&name));
        self.transport.json(Method::GET, &path, None::<&()>).await
    }

    async fn volume_remove(&self, name: String, options: VolumeRemoveOptions) -> Result<()> {
        let query = Query::new().flag("force", options.force).finish();
        let path = format!("/volumes/{}{query}", seg(&name));
        self.transport
            .call(Method::DELETE, &path, None::<&()>)
            .await
            .map(drop)
    }

    async fn volume_prune(&self, filters: Filters) -> Result<docker::VolumePruneResponse> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(Method::POST, &format!("/volumes/prune{query}"), None::<&()>)
            .await
    }
}
