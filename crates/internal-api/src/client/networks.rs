//! [`NetworkBackend`] over the internal API.

use async_trait::async_trait;
use http::Method;
use sockerless_core::api::docker;
use sockerless_core::api::Filters;
use sockerless_core::backend::NetworkBackend;
use sockerless_core::error::Result;

use super::{seg, Query, RemoteBackend};

#[async_trait]
impl NetworkBackend for RemoteBackend {
    async fn network_create(
        &self,
        request: docker::NetworkCreateRequest,
    ) -> Result<docker::NetworkCreateResponse> {
        self.transport
            .json(Method::POST, "/networks", Some(&request))
            .await
    }

    async fn network_list(&self, filters: Filters) -> Result<Vec<docker::Network>> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(Method::GET, &format!("/networks{query}"), None::<&()>)
            .await
    }

    async fn network_inspect(&self, reference: String) -> Result<docker::Network> {
        let path = format!("/networks/{}", seg(&reference));
        self.transport.json(Method::GET, &path, None::<&()>).await
    }

    async fn network_connect(
        &self,
        reference: String,
        request: docker::NetworkConnectRequest,
    ) -> Result<()> {
        let path = format!("/networks/{}/connect", seg(&reference));
        self.transport
            .call(Method::POST, &path, Some(&request))
            .await
            .map(drop)
    }

    async fn network_disconnect(
        &self,
        reference: String,
        request: docker::NetworkDisconnectRequest,
    ) -> Result<()> {
        let path = format!("/networks/{}/disconnect", seg(&reference));
        self.transport
            .call(Method::POST, &path, Some(&request))
            .await
            .map(drop)
    }

    async fn network_remove(&self, reference: String) -> Result<()> {
        let path = format!("/networks/{}", seg(&reference));
        self.transport
            .call(Method::DELETE, &path, None::<&()>)
            .await
            .map(drop)
    }

    async fn network_prune(&self, filters: Filters) -> Result<docker::NetworkPruneResponse> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(
                Method::POST,
                &format!("/networks/prune{query}"),
                None::<&()>,
            )
            .await
    }
}
