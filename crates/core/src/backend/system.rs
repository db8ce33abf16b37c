//! [`SystemBackend`]: system operations, the hook every operation passes, and backend extensions: capabilities, info, version, events, auth.

use async_trait::async_trait;

use crate::api::docker;
use crate::api::*;
use crate::error::{Error, Result};
use crate::operation::Operation;

use super::ni;

/// System operations, the hook every operation passes, and backend extensions: capabilities, info, version, events, auth. Every method defaults to `501 <operation> is not implemented`.
#[allow(unused_variables)]
#[async_trait]
pub trait SystemBackend: Send + Sync + 'static {
    /// Called by the HTTP layer before every core operation except
    /// `capabilities` (and never for extension routes), with the
    /// [`Operation`] (e.g. `Operation::ContainerStart`) and its
    /// path parameter when it has one. An error is the answer and the operation
    /// is not called: a backend uses it to refuse what its profile lacks (501),
    /// to inject faults or to add latency. The default lets everything through.
    async fn before(&self, operation: Operation, reference: Option<&str>) -> Result<()> {
        Ok(())
    }

    /// `GET /capabilities`.
    fn capabilities(&self) -> Capabilities;

    /// `GET /info`.
    async fn info(&self) -> Result<docker::SystemInfo> {
        ni(Operation::Info)
    }

    /// `GET /version`.
    async fn version(&self) -> Result<docker::SystemVersion> {
        ni(Operation::Version)
    }

    /// `GET /events` (WebSocket): a stream of Docker events.
    async fn events(&self, options: EventsOptions) -> Result<BoxStream<docker::EventMessage>> {
        ni(Operation::Events)
    }

    /// `POST /auth`.
    async fn auth(&self, config: AuthConfig) -> Result<AuthResponse> {
        ni(Operation::Auth)
    }

    /// A backend-specific route under `/internal/v1` (say `/memory/reset`). The
    /// default answers `404 page not found`, like any unknown path.
    async fn extension(&self, request: ExtensionRequest) -> Result<ExtensionResponse> {
        Err(Error::not_found("page not found"))
    }
}
