//! A custom backend served through the same layer stack as the memory backend:
//! other capabilities (a FaaS-like backend with no exec, attach or volumes), one
//! operation (`version`) and one extra route (`GET /internal/v1/hello`).
//! Everything else answers `501 <operation> is not implemented`.
//!
//! ```text
//! cargo run --example custom_backend -- /tmp/custom.sock
//! curl --unix-socket /tmp/custom.sock http://localhost/internal/v1/capabilities
//! curl --unix-socket /tmp/custom.sock http://localhost/internal/v1/hello
//! curl --unix-socket /tmp/custom.sock http://localhost/internal/v1/containers   # 501
//! ```

use sockerless::backend::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use http::{Method, StatusCode};
use sockerless::api::{docker, Capabilities, CapabilitySet, ExtensionRequest, ExtensionResponse};
use sockerless::http::{Listeners, ServeOptions};
use sockerless::internal_api::serve;
use sockerless::{Error, Result};

/// A backend that runs "functions": no exec, attach, volumes or networks.
struct FunctionsBackend;

#[async_trait]
impl SystemBackend for FunctionsBackend {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            backend: "functions-example".into(),
            version: "0.0.1".into(),
            capabilities: CapabilitySet {
                exec: false,
                attach: false,
                logs: true,
                logs_follow: false,
                volumes: false,
                networks: false,
                health_checks: false,
                image_pull: true,
                image_load: false,
                archive: false,
                max_timeout_seconds: 900,
                agent_required: false,
            },
        }
    }

    async fn version(&self) -> Result<docker::SystemVersion> {
        Ok(docker::SystemVersion {
            version: Some("0.0.1".into()),
            api_version: Some("1.44".into()),
            ..Default::default()
        })
    }

    async fn extension(&self, request: ExtensionRequest) -> Result<ExtensionResponse> {
        match (request.method, request.path.as_str()) {
            (Method::GET, "/hello") => Ok(ExtensionResponse {
                status: StatusCode::OK,
                body: Some(serde_json::json!({ "hello": "from a custom backend" })),
            }),
            _ => Err(Error::not_found("page not found")),
        }
    }
}
impl ContainerBackend for FunctionsBackend {}
impl ExecBackend for FunctionsBackend {}
impl ImageBackend for FunctionsBackend {}
impl NetworkBackend for FunctionsBackend {}
impl VolumeBackend for FunctionsBackend {}

#[tokio::main]
async fn main() {
    let socket = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/sockerless-custom.sock"));
    let listeners = match Listeners::bind_to(Some(&socket), None).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("custom_backend: {e}");
            std::process::exit(1);
        }
    };
    println!("serving the custom backend on {}", socket.display());
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve(
        listeners,
        Arc::new(FunctionsBackend),
        ServeOptions::default(),
        shutdown,
    )
    .await;
}
