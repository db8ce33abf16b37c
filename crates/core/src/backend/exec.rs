//! [`ExecBackend`]: exec operations: create, inspect, start.

use async_trait::async_trait;

use crate::api::docker;
use crate::api::*;
use crate::error::Result;
use crate::operation::Operation;

use super::ni;

/// Exec operations: create, inspect, start. Every method defaults to `501 <operation> is not implemented`.
#[allow(unused_variables)]
#[async_trait]
pub trait ExecBackend: Send + Sync + 'static {
    /// `POST /containers/{ref}/exec`.
    async fn exec_create(
        &self,
        reference: String,
        config: docker::ExecConfig,
    ) -> Result<IdResponse> {
        ni(Operation::ExecCreate)
    }

    /// `GET /exec/{id}`.
    async fn exec_inspect(&self, id: String) -> Result<ExecInspect> {
        ni(Operation::ExecInspect)
    }

    /// `WS /exec/{id}/start` (attached) and `POST /exec/{id}/start` (detached:
    /// `stdin` is `None` and the returned stream may be dropped at once).
    async fn exec_start(
        &self,
        id: String,
        detach: bool,
        stdin: Option<BoxStream<bytes::Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        ni(Operation::ExecStart)
    }
}
