//! Round two, defect 8: create refuses what Docker refuses, in Docker
//! Engine 26's words (checked against the real engine), storing nothing.

use http::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

fn label(key: &str, value: &str) -> Value {
    json!({"Labels": {format!("sockerless.memory.{key}"): value}})
}

/// Bad create bodies (merged into `{"Image": "alpine"}`) and Docker's answer.
fn refused() -> Vec<(Value, &'static str)> {
    let health = |h: Value| {
        let mut all = json!({"Test": ["CMD", "true"]});
        for (k, v) in h.as_object().expect("object") {
            all[k] = v.clone();
        }
        json!({"Healthcheck": all})
    };
    let ports = |p: Value| json!({"HostConfig": {"PortBindings": p}});
    vec![
        (json!({"StopSignal": "SIGFOO"}), "invalid signal: SIGFOO"),
        (json!({"StopSignal": "0"}), "invalid signal: 0"),
        (
            health(json!({"Interval": 100})),
            "Interval in Healthcheck cannot be less than 1ms",
        ),
        (
            health(json!({"Interval": -5})),
            "Interval in Healthcheck cannot be less than 1ms",
        ),
        (
            health(json!({"Timeout": 999_999})),
            "Timeout in Healthcheck cannot be less than 1ms",
        ),
        (
            health(json!({"StartPeriod": 1})),
            "StartPeriod in Healthcheck cannot be less than 1ms",
        ),
        (
            health(json!({"StartInterval": 1})),
            "StartInterval in Healthcheck cannot be less than 1ms",
        ),
        (
            health(json!({"Retries": -1})),
            "Retries in Healthcheck cannot be negative",
        ),
        (
            ports(json!({"80-90000/tcp": [{"HostPort": "1"}]})),
            "invalid port specification: \"80-90000\"",
        ),
        (
            ports(json!({"abc/tcp": [{"HostPort": "1"}]})),
            "invalid port specification: \"abc\"",
        ),
        (
            ports(json!({"80/tcp": [{"HostPort": "99999"}]})),
            "invalid port specification: \"99999\"",
        ),
        (
            ports(json!({"80/tcp": [{"HostPort": "abc"}]})),
            "invalid port specification: \"abc\"",
        ),
        (
            ports(json!({"80/tcp": [{"HostPort": "8080-8070"}]})),
            "invalid port specification: \"8080-8070\"",
        ),
        (
            json!({"Env": ["=foo"]}),
            "invalid environment variable: =foo",
        ),
        (
            json!({"Env": ["A=1", ""]}),
            "invalid environment variable: ",
        ),
        (
            json!({"HostConfig": {"ExtraHosts": ["nocolon"]}}),
            "bad format for add-host: \"nocolon\"",
        ),
        (
            json!({"HostConfig": {"ExtraHosts": [":1.2.3.4"]}}),
            "bad format for add-host: \":1.2.3.4\"",
        ),
        (
            json!({"HostConfig": {"ExtraHosts": ["h:notanip"]}}),
            "invalid IP address in add-host: \"notanip\"",
        ),
        (
            json!({"HostConfig": {"ExtraHosts": ["h:"]}}),
            "invalid IP address in add-host: \"\"",
        ),
        // Scripting labels whose value means nothing (our words, not Docker's).
        (
            label("exit-code", "abc"),
            "invalid label sockerless.memory.exit-code=\"abc\": expected an exit code from 0 to 255",
        ),
        (
            label("exit-code", "99999999999"),
            "invalid label sockerless.memory.exit-code=\"99999999999\": expected an exit code from 0 to 255",
        ),
        (
            label("run-for", "soon"),
            "invalid label sockerless.memory.run-for=\"soon\": expected a duration such as 90, 1.5 or 2m30s",
        ),
        (
            label("ignore-sigterm", "yes please"),
            "invalid label sockerless.memory.ignore-sigterm=\"yes please\": expected true or false",
        ),
        (
            label("health", "sick"),
            "invalid label sockerless.memory.health=\"sick\": expected healthy or unhealthy",
        ),
    ]
}

#[tokio::test]
async fn create_refuses_what_docker_refuses_and_stores_nothing() {
    let s = TestServer::with_alpine().await;
    for (extra, says) in refused() {
        let mut body = json!({"Image": "alpine"});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, reply) = s.create_container(Some("refused"), body.clone()).await;
        assert_eq!(
            (status, reply),
            (StatusCode::BAD_REQUEST, message(says)),
            "{body}"
        );
    }
    let (_, list) = s.get(&format!("{BASE}/containers?all=1")).await;
    assert_eq!(list, json!([]));
    // What Docker 26 accepts is still accepted.
    s.create_alpine(
        "accepted",
        json!({
            "Env": ["A", "B="],
            "StopSignal": "SIGRTMIN+3",
            "Healthcheck": {"Test": ["CMD", "true"], "Interval": 0, "Retries": 0},
            "HostConfig": {
                "ExtraHosts": ["h:1.2.3.4", "g:host-gateway", "v6:::1"],
                "PortBindings": {"80-81/tcp": [{"HostPort": ""}, {"HostPort": "8080-8081"}]}
            }
        }),
    )
    .await;
}
