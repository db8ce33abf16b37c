//! The reusable stack in use: the custom backend of `examples/custom_backend.rs`
//! shape — other capabilities and an extra route — served by the same `app()`.

use sockerless::backend::prelude::*;
use std::sync::Arc;

use crate::common::*;
use async_trait::async_trait;
use http::{Method, StatusCode};
use serde_json::json;
use sockerless::api::{Capabilities, ExtensionRequest, ExtensionResponse};
use sockerless::{Error, Result};

struct Custom;

#[async_trait]
impl SystemBackend for Custom {
    fn capabilities(&self) -> Capabilities {
        let mut c = Capabilities::memory();
        c.backend = "custom".into();
        c.capabilities.exec = false;
        c
    }

    async fn extension(&self, request: ExtensionRequest) -> Result<ExtensionResponse> {
        match (request.method, request.path.as_str()) {
            (Method::POST, "/custom/echo") => Ok(ExtensionResponse {
                status: StatusCode::OK,
                body: request.body,
            }),
            _ => Err(Error::not_found("page not found")),
        }
    }
}
impl ContainerBackend for Custom {}
impl ExecBackend for Custom {}
impl ImageBackend for Custom {}
impl NetworkBackend for Custom {}
impl VolumeBackend for Custom {}

#[tokio::test]
async fn a_custom_backend_reuses_the_stack() {
    let server = TestServer::with_backend(Arc::new(Custom), Default::default()).await;
    let (status, body) = server.get("/internal/v1/capabilities").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["backend"], "custom");
    assert_eq!(body["capabilities"]["exec"], false);
    let (status, body) = server
        .post("/internal/v1/custom/echo", json!({"a": 1}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"a": 1}));
    let (status, body) = server.get("/internal/v1/custom/other").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"message": "page not found"}));
    let (status, body) = server.get("/internal/v1/version").await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(body, json!({"message": "version is not implemented"}));
}
