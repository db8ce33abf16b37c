//! [`NetworkBackend`]: network operations: create, list, inspect, connect, disconnect, remove, prune.

use async_trait::async_trait;

use crate::api::docker;
use crate::api::*;
use crate::error::Result;
use crate::operation::Operation;

use super::ni;

/// Network operations: create, list, inspect, connect, disconnect, remove, prune. Every method defaults to `501 <operation> is not implemented`.
#[allow(unused_variables)]
#[async_trait]
pub trait NetworkBackend: Send + Sync + 'static {
    /// `POST /networks`.
    async fn network_create(
        &self,
        request: docker::NetworkCreateRequest,
    ) -> Result<docker::NetworkCreateResponse> {
        ni(Operation::NetworkCreate)
    }

    /// `GET /networks`.
    async fn network_list(&self, filters: Filters) -> Result<Vec<docker::Network>> {
        ni(Operation::NetworkList)
    }

    /// `GET /networks/{ref}`.
    async fn network_inspect(&self, reference: String) -> Result<docker::Network> {
        ni(Operation::NetworkInspect)
    }

    /// `POST /networks/{ref}/connect`.
    async fn network_connect(
        &self,
        reference: String,
        request: docker::NetworkConnectRequest,
    ) -> Result<()> {
        ni(Operation::NetworkConnect)
    }

    /// `POST /networks/{ref}/disconnect`.
    async fn network_disconnect(
        &self,
        reference: String,
        request: docker::NetworkDisconnectRequest,
    ) -> Result<()> {
        ni(Operation::NetworkDisconnect)
    }

    /// `DELETE /networks/{ref}`.
    async fn network_remove(&self, reference: String) -> Result<()> {
        ni(Operation::NetworkRemove)
    }

    /// `POST /networks/prune`.
    async fn network_prune(&self, filters: Filters) -> Result<docker::NetworkPruneResponse> {
        ni(Operation::NetworkPrune)
    }
}
