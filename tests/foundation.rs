//! Black-box tests of the foundation: capabilities, the layer stack's errors.

mod common;

use common::*;
use http::{Method, StatusCode};
use serde_json::json;

fn seed_capabilities() -> serde_json::Value {
    json!({
        "backend": "memory",
        "version": "0.1.0",
        "capabilities": {
            "exec": true,
            "attach": true,
            "logs": true,
            "logs_follow": true,
            "volumes": true,
            "networks": true,
            "health_checks": true,
            "image_pull": true,
            "image_load": true,
            "max_timeout_seconds": 0,
            "agent_required": false
        }
    })
}

#[tokio::test]
async fn capabilities_over_unix_socket_and_tcp() {
    let server = TestServer::start().await;
    let r = server
        .call(Method::GET, "/internal/v1/capabilities", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.json(), seed_capabilities());
    let r = server
        .send_tcp(request(Method::GET, "/internal/v1/capabilities", None))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), seed_capabilities());
}
