//! The second parsing step on its own: Docker's 400s, in Docker's order.

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_TYPE, UPGRADE};
use sockerless_http::body::full_body;

use super::*;

/// Routes, then types, `method uri` with this content type and body.
async fn parse(method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Result<Request> {
    let mut builder = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let head = builder.body(()).unwrap();
    let route = Route::parse(head.method(), head.uri().path())?;
    let query = Query::parse(head.uri().query())?;
    let body = full_body(Bytes::from(body.to_string()));
    let payload = Payload::take(&route, &head, body, 1 << 20).await?;
    Request::parse(route, &query, &head, payload)
}

fn message(result: Result<Request>) -> String {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

const JSON: (&str, &str) = ("content-type", "application/json; charset=utf-8");

#[tokio::test]
async fn a_body_is_checked_even_where_it_is_ignored() {
    let uri = "/internal/v1/containers/abc/start";
    assert!(parse("POST", uri, &[], " \n").await.is_ok());
    assert!(parse("POST", uri, &[JSON], "{}").await.is_ok());
    assert_eq!(
        message(parse("POST", uri, &[("content-type", "text/plain")], "{}").await),
        "unsupported Content-Type header (text/plain): must be 'application/json'"
    );
    assert!(message(parse("POST", uri, &[JSON], "{} x").await).starts_with("invalid JSON: "));
}

#[tokio::test]
async fn the_body_is_checked_before_the_query() {
    let uri = "/internal/v1/containers/abc/stop?t=x";
    let got = message(parse("POST", uri, &[JSON], "{").await);
    assert!(got.starts_with("invalid JSON: "), "{got}");
}

#[tokio::test]
async fn stop_timeouts_past_a_go_duration_are_400() {
    let uri = "/internal/v1/containers/abc/stop?t=9223372037&signal=SIGINT";
    assert_eq!(
        message(parse("POST", uri, &[], "").await),
        "invalid value for t: 9223372037"
    );
    let uri = "/internal/v1/containers/abc/stop?t=9223372036&signal=SIGINT";
    match parse("POST", uri, &[], "").await {
        Ok(Request::Container(ContainerRequest::Stop { reference, options })) => {
            assert_eq!(reference, "abc");
            assert_eq!(options.timeout, Some(9_223_372_036));
            assert_eq!(options.signal.as_deref(), Some("SIGINT"));
        }
        _ => panic!("not a stop"),
    }
}

#[tokio::test]
async fn create_needs_a_config_and_takes_a_string_command() {
    let uri = "/internal/v1/containers?name=web";
    for body in ["", "{}"] {
        assert_eq!(
            message(parse("POST", uri, &[JSON], body).await),
            "config cannot be empty in order to create a container"
        );
    }
    let body = r#"{"Image":"alpine","Cmd":"echo hi"}"#;
    match parse("POST", uri, &[JSON], body).await {
        Ok(Request::Container(ContainerRequest::Create { name, body })) => {
            assert_eq!(name.as_deref(), Some("web"));
            assert_eq!(body.config.cmd, Some(vec!["echo hi".to_string()]));
        }
        _ => panic!("not a create"),
    }
}

#[tokio::test]
async fn list_limits_of_zero_or_less_are_no_limit() {
    for (query, want) in [("limit=-1", None), ("limit=0", None), ("limit=3", Some(3))] {
        let uri = format!("/internal/v1/containers?{query}");
        match parse("GET", &uri, &[], "").await {
            Ok(Request::Container(ContainerRequest::List(options))) => {
                assert_eq!(options.limit, want, "{query}");
            }
            _ => panic!("not a list"),
        }
    }
    let got = message(parse("GET", "/internal/v1/containers?all=maybe", &[], "").await);
    assert!(got.contains("all"), "{got}");
}

#[tokio::test]
async fn websocket_routes_need_an_upgrade_and_read_no_body() {
    assert_eq!(
        message(parse("GET", "/internal/v1/events", &[], "").await),
        "/internal/v1/events is served over WebSocket: upgrade required"
    );
    let upgrade = [
        (CONNECTION.as_str(), "Upgrade"),
        (UPGRADE.as_str(), "websocket"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("sec-websocket-version", "13"),
    ];
    // The whole handshake is checked before the backend is called.
    assert_eq!(
        message(parse("GET", "/internal/v1/events", &upgrade[..3], "").await),
        "WebSocket upgrade failed: missing Sec-WebSocket-Version"
    );
    let ct = (CONTENT_TYPE.as_str(), "text/plain");
    let uri = "/internal/v1/containers/abc/wait?condition=removed";
    let mut with_ct = upgrade.to_vec();
    with_ct.push(ct);
    match parse("GET", uri, &with_ct, "not JSON").await {
        Ok(Request::Container(ContainerRequest::Wait { condition, .. })) => {
            assert_eq!(condition, WaitCondition::Removed);
        }
        _ => panic!("not a wait"),
    }
    let uri = "/internal/v1/containers/abc/wait?condition=never";
    assert_eq!(
        message(parse("GET", uri, &upgrade, "").await),
        "invalid condition: \"never\""
    );
}

#[tokio::test]
async fn an_attached_exec_start_must_use_the_websocket_route() {
    let uri = "/internal/v1/exec/abc/start";
    assert_eq!(
        message(parse("POST", uri, &[JSON], r#"{"Detach":false}"#).await),
        "an attached exec start must use the WebSocket route: upgrade required"
    );
    assert!(matches!(
        parse("POST", uri, &[JSON], r#"{"Detach":true,"Tty":false}"#).await,
        Ok(Request::Exec(ExecRequest::Start(id))) if id == "abc"
    ));
}

#[tokio::test]
async fn required_bodies_name_what_is_missing() {
    for (uri, want) in [
        ("/internal/v1/auth", "username and password are required"),
        ("/internal/v1/networks", "network name is required"),
        ("/internal/v1/networks/n/connect", "a container is required"),
        (
            "/internal/v1/networks/n/disconnect",
            "a container is required",
        ),
        (
            "/internal/v1/containers/abc/exec",
            "No exec command specified",
        ),
    ] {
        assert_eq!(message(parse("POST", uri, &[], "").await), want, "{uri}");
    }
}

#[tokio::test]
async fn extensions_get_the_method_raw_query_and_untyped_body() {
    let uri = "/internal/v1/memory/faults?x=1";
    match parse("PUT", uri, &[JSON], r#"{"a":[1]}"#).await {
        Ok(Request::System(SystemRequest::Extension(r))) => {
            assert_eq!(r.method, http::Method::PUT);
            assert_eq!(r.path, "/memory/faults");
            assert_eq!(r.query.as_deref(), Some("x=1"));
            assert_eq!(r.body, Some(serde_json::json!({"a": [1]})));
        }
        _ => panic!("not an extension"),
    }
}
