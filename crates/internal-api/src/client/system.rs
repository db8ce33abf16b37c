//! [`SystemBackend`] over the internal API.

use async_trait::async_trait;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::SystemBackend;
use sockerless_core::error::Result;
use sockerless_core::Operation;

use super::transport::to_body;
use super::{ws, Query, RemoteBackend};
use crate::route::Route;

#[async_trait]
impl SystemBackend for RemoteBackend {
    /// Checks the capability the backend advertised at connect; the backend
    /// runs its own hook (profiles, faults) when the call arrives.
    async fn before(&self, operation: Operation, _reference: Option<&str>) -> Result<()> {
        self.check_capability(operation)
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities.clone()
    }

    async fn info(&self) -> Result<docker::SystemInfo> {
        self.transport.json(Route::Info, "", None::<&()>).await
    }

    async fn version(&self) -> Result<docker::SystemVersion> {
        self.transport.json(Route::Version, "", None::<&()>).await
    }

    async fn events(&self, options: EventsOptions) -> Result<BoxStream<docker::EventMessage>> {
        let query = Query::new()
            .opt("since", options.since.as_deref())
            .opt("until", options.until.as_deref())
            .filters(&options.filters)
            .finish();
        let socket = ws::open(&self.transport, Route::Events, &query).await?;
        let rx = ws::pump(socket, None, self.transport.address().to_string());
        Ok(ws::json_stream(rx))
    }

    async fn auth(&self, config: AuthConfig) -> Result<AuthResponse> {
        self.transport.json(Route::Auth, "", Some(&config)).await
    }

    async fn extension(&self, request: ExtensionRequest) -> Result<ExtensionResponse> {
        let mut path = Route::Extension(request.path.clone()).path();
        if let Some(q) = &request.query {
            path.push('?');
            path.push_str(q);
        }
        let body = request
            .body
            .as_ref()
            .map(to_body)
            .transpose()?
            .map(|b| (b, "application/json"));
        let timeouts = self.transport.timeouts();
        let res = self
            .transport
            .send(request.method, &path, body, &[], timeouts.request)
            .await?;
        let status = res.status();
        let bytes = http_body_util::BodyExt::collect(http_body_util::Limited::new(
            res.into_body(),
            16 * 1024 * 1024,
        ))
        .await
        .map_err(|e| self.transport.broken(format!("reading the answer: {e}")))?
        .to_bytes();
        let body = if bytes.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&bytes).map_err(|e| {
                self.transport
                    .broken(format!("an answer that is not JSON: {e}"))
            })?)
        };
        Ok(ExtensionResponse { status, body })
    }
}
