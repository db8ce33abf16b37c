//! [`ExecBackend`] over the internal API: an attached start is the WebSocket
//! route, a detached one `POST /exec/{id}/start` with `{"Detach":true}`.

use async_trait::async_trait;
use bytes::Bytes;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::ExecBackend;
use sockerless_core::error::Result;

use super::{ws, RemoteBackend};
use crate::route::Route;

#[async_trait]
impl ExecBackend for RemoteBackend {
    async fn exec_create(
        &self,
        reference: String,
        config: docker::ExecConfig,
    ) -> Result<IdResponse> {
        self.transport
            .json(Route::ExecCreate(reference), "", Some(&config))
            .await
    }

    async fn exec_inspect(&self, id: String) -> Result<ExecInspect> {
        self.transport
            .json(Route::ExecInspect(id), "", None::<&()>)
            .await
    }

    async fn exec_start(
        &self,
        id: String,
        detach: bool,
        stdin: Option<BoxStream<Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        if detach {
            let body = serde_json::json!({ "Detach": true });
            self.transport
                .call(Route::ExecStart(id), "", Some(&body))
                .await?;
            return Ok(Box::pin(futures_util::stream::empty()));
        }
        let socket = ws::open(&self.transport, Route::ExecStartStream(id), "").await?;
        let rx = ws::pump(socket, stdin, self.transport.address().to_string());
        Ok(ws::attach_stream(rx))
    }
}
