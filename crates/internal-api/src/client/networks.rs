//! [`NetworkBackend`] over the internal API.

use async_trait::async_trait;
use sockerless_core::api::docker;
use sockerless_core::api::Filters;
use sockerless_core::backend::NetworkBackend;
use sockerless_core::error::Result;

use super::{Query, RemoteBackend};
use crate::route::Route;

#[async_trait]
impl NetworkBackend for RemoteBackend {
    async fn network_create(
        &self,
        request: docker::NetworkCreateRequest,
    ) -> Result<docker::NetworkCreateResponse> {
        self.transport
            .json(Route::NetworkCreate, "", Some(&request))
            .await
    }

    async fn network_list(&self, filters: Filters) -> Result<Vec<docker::Network>> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(Route::NetworkList, &query, None::<&()>)
            .await
    }

    async fn network_inspect(&self, reference: String) -> Result<docker::Network> {
        self.transport
            .json(Route::NetworkInspect(reference), "", None::<&()>)
            .await
    }

    async fn network_connect(
        &self,
        reference: String,
        request: docker::NetworkConnectRequest,
    ) -> Result<()> {
        self.transport
            .call(Route::NetworkConnect(reference), "", Some(&request))
            .await
            .map(drop)
    }

    async fn network_disconnect(
        &self,
        reference: String,
        request: docker::NetworkDisconnectRequest,
    ) -> Result<()> {
        self.transport
            .call(Route::NetworkDisconnect(reference), "", Some(&request))
            .await
            .map(drop)
    }

    async fn network_remove(&self, reference: String) -> Result<()> {
        self.act(Route::NetworkRemove(reference), "").await
    }

    async fn network_prune(&self, filters: Filters) -> Result<docker::NetworkPruneResponse> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(Route::NetworkPrune, &query, None::<&()>)
            .await
    }
}
