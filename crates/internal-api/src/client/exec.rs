//! [`ExecBackend`] over the internal API: an attached start is the WebSocket
//! route, a detached one `POST /exec/{id}/start` with `{"Detach":true}`.

use async_trait::async_trait;
use bytes::Bytes;
use http::Method;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::ExecBackend;
use sockerless_core::error::Result;

use super::{seg, ws, RemoteBackend};

#[async_trait]
impl ExecBackend for RemoteBackend {
    async fn exec_create(
        &self,
        reference: String,
        config: docker::ExecConfig,
    ) -> Result<IdResponse> {
        let path = format!("/containers/{}/exec", seg(&reference));
        self.transport
            .json(Method::POST, &path, Some(&config))
            .await
    }

    async fn exec_inspect(&self, id: String) -> Result<ExecInspect> {
        let path = format!("/exec/{}", seg(&id));
        self.transport.json(Method::GET, &path, None::<&()>).await
    }

    async fn exec_start(
        &self,
        id: String,
        detach: bool,
        stdin: Option<BoxStream<Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        let path = format!("/exec/{}/start", seg(&id));
        if detach {
            let body = serde_json::json!({ "Detach": true });
            self.transport
                .call(Method::POST, &path, Some(&body))
                .await?;
            return Ok(Box::pin(futures_util::stream::empty()));
        }
        let socket = ws::open(&self.transport, &path).await?;
        let rx = ws::pump(socket, stdin, self.transport.address().to_string());
        Ok(ws::attach_stream(rx))
    }
}
