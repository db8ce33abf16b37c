//! System routes: `/_ping` (GET and HEAD), `/version` (with the Engine
//! component's `Details` filled), `/info` (with Docker's defaults filled),
//! `/auth`, and `/build/prune` (nothing to prune: no build cache).

use http::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, PRAGMA};
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

use sockerless_core::api::docker::{
    IndexInfo, LocalNodeState, PluginsInfo, RegistryServiceConfig, Runtime, SwarmInfo, SystemInfo,
    SystemInfoCgroupDriverEnum, SystemInfoCgroupVersionEnum,
};
use sockerless_core::api::AuthConfig;
use sockerless_core::error::{Error, Result};
use sockerless_http::body::full_body;
use sockerless_http::{Body, Response};

use super::Ctx;
use crate::route::DockerRoute;
use crate::version::{API_VERSION, ENGINE_VERSION, MIN_API_VERSION};
use crate::{keys, reply};

/// Serves the system routes.
pub async fn handle(ctx: &Ctx, route: DockerRoute, req: http::Request<Body>) -> Result<Response> {
    match route {
        DockerRoute::Ping => Ok(ping(req.method())),
        DockerRoute::Version => {
            let v = to_value(ctx.backend.version().await?)?;
            reply::json(StatusCode::OK, &fill_version(v))
        }
        DockerRoute::Info => reply::json(StatusCode::OK, &fill_info(ctx.backend.info().await?)),
        DockerRoute::Auth => {
            let config: AuthConfig = ctx.json(req).await?.unwrap_or_default();
            reply::json(StatusCode::OK, &ctx.backend.auth(config).await?)
        }
        DockerRoute::BuildPrune => reply::json(
            StatusCode::OK,
            &json!({"CachesDeleted": [], "SpaceReclaimed": 0}),
        ),
        other => Err(Error::internal(format!(
            "{} routed to the system handler",
            other.name()
        ))),
    }
}

fn to_value<T: serde::Serialize>(v: T) -> Result<Value> {
    keys::to_value(&v).map_err(|e| Error::internal(format!("serialising: {e}")))
}

/// `/_ping` as moby answers it: `OK` for GET; no body and `Content-Length: 0`
/// for HEAD; the headers the CLI reads.
pub fn ping(method: &Method) -> Response {
    let head = method == Method::HEAD;
    let body = if head { "" } else { "OK" };
    let mut res = http::Response::new(full_body(bytes::Bytes::from_static(body.as_bytes())));
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, must-revalidate"),
    );
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(
        HeaderName::from_static("builder-version"),
        HeaderValue::from_static("1"),
    );
    h.insert(
        HeaderName::from_static("swarm"),
        HeaderValue::from_static("inactive"),
    );
    if head {
        h.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    }
    res
}

/// Sets `key` when it is absent or null.
fn default(obj: &mut Map<String, Value>, key: &str, value: Value) {
    match obj.get(key) {
        Some(v) if !v.is_null() => {}
        _ => {
            obj.insert(key.to_string(), value);
        }
    }
}

/// A string field of `obj`, or `fallback`.
fn text(obj: &Map<String, Value>, key: &str, fallback: &str) -> String {
    obj.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(fallback)
        .to_string()
}

/// Makes `/version` what the clients read (§1.5): the top-level fields, and
/// `Components[0]` = the Engine with every `Details` key, all strings.
pub fn fill_version(mut v: Value) -> Value {
    let Some(obj) = v.as_object_mut() else {
        return v;
    };
    default(obj, "Version", json!(ENGINE_VERSION));
    obj.insert("ApiVersion".into(), json!(API_VERSION));
    obj.insert("MinAPIVersion".into(), json!(MIN_API_VERSION));
    default(obj, "GitCommit", json!("sockerless"));
    default(obj, "GoVersion", json!("none (Rust)"));
    default(obj, "Os", json!("linux"));
    default(obj, "Arch", json!(go_arch()));
    default(obj, "KernelVersion", json!("sockerless"));
    default(obj, "BuildTime", json!(""));
    default(obj, "Platform", json!({"Name": "Sockerless"}));
    // Go's `Experimental bool `json:",omitempty"``: absent when false.
    if obj.get("Experimental") == Some(&json!(false)) {
        obj.remove("Experimental");
    }
    let details = json!({
        "ApiVersion": API_VERSION,
        "MinAPIVersion": MIN_API_VERSION,
        "GitCommit": text(obj, "GitCommit", "sockerless"),
        "GoVersion": text(obj, "GoVersion", "none (Rust)"),
        "Os": text(obj, "Os", "linux"),
        "Arch": text(obj, "Arch", go_arch()),
        "KernelVersion": text(obj, "KernelVersion", "sockerless"),
        "BuildTime": text(obj, "BuildTime", ""),
        "Experimental": "false",
    });
    let version = text(obj, "Version", ENGINE_VERSION);
    let mut components = match obj.remove("Components") {
        Some(Value::Array(c)) => c,
        _ => Vec::new(),
    };
    let engine = components
        .iter()
        .position(|c| c.get("Name").and_then(Value::as_str) == Some("Engine"));
    let mut engine = match engine {
        Some(i) => components.remove(i),
        None => json!({"Name": "Engine", "Version": version}),
    };
    if let Some(e) = engine.as_object_mut() {
        e.insert("Details".into(), details);
    }
    components.insert(0, engine);
    obj.insert("Components".into(), Value::Array(components));
    v
}

/// Go's name of this machine's architecture (`amd64`, `arm64`).
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// Fills Docker's defaults into `/info` (§1.6) where the backend left them
/// out; the fields Docker writes with their zero value are left to [`keys`].
pub fn fill_info(mut v: SystemInfo) -> SystemInfo {
    let text = |field: &mut Option<String>, value: &str| {
        field.get_or_insert_with(|| value.to_string());
    };
    text(&mut v.os_type, "linux");
    text(&mut v.architecture, std::env::consts::ARCH);
    text(&mut v.server_version, ENGINE_VERSION);
    text(&mut v.driver, "overlay2");
    text(&mut v.logging_driver, "json-file");
    text(&mut v.kernel_version, "sockerless");
    text(&mut v.operating_system, "Sockerless");
    text(&mut v.index_server_address, "https://index.docker.io/v1/");
    text(&mut v.default_runtime, "runc");
    let strings = |items: &[&str]| Some(items.iter().map(|s| s.to_string()).collect());
    v.driver_status.get_or_insert_with(Vec::new);
    v.plugins.get_or_insert_with(|| PluginsInfo {
        volume: strings(&["local"]),
        network: strings(&["bridge", "host", "null"]),
        authorization: None,
        log: strings(&["json-file"]),
    });
    v.cgroup_driver
        .get_or_insert(SystemInfoCgroupDriverEnum::SYSTEMD);
    v.cgroup_version
        .get_or_insert(SystemInfoCgroupVersionEnum::_2);
    v.registry_config.get_or_insert_with(|| {
        let hub = IndexInfo {
            name: Some("docker.io".into()),
            mirrors: Some(Vec::new()),
            secure: Some(true),
            official: Some(true),
        };
        RegistryServiceConfig {
            insecure_registry_cidrs: strings(&["127.0.0.0/8"]),
            index_configs: Some(HashMap::from([("docker.io".into(), hub)])),
            ..Default::default()
        }
    });
    v.swarm.get_or_insert_with(|| SwarmInfo {
        node_id: Some(String::new()),
        node_addr: Some(String::new()),
        local_node_state: Some(LocalNodeState::INACTIVE),
        control_available: Some(false),
        error: Some(String::new()),
        ..Default::default()
    });
    v.runtimes.get_or_insert_with(|| {
        let runc = Runtime {
            path: Some("runc".into()),
            ..Default::default()
        };
        HashMap::from([("runc".into(), runc)])
    });
    v.security_options.get_or_insert_with(Vec::new);
    v.labels.get_or_insert_with(Vec::new);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_details_are_filled() {
        let v = fill_version(json!({
            "Version": "25.0.0",
            "Components": [
                {"Name": "Engine", "Version": "25.0.0", "Details": null},
                {"Name": "other", "Version": "1"}
            ],
            "GitCommit": "abc",
            "KernelVersion": "k",
            "Experimental": false
        }));
        assert!(
            v.get("Experimental").is_none(),
            "omitted when false, as in Docker"
        );
        let d = &v["Components"][0]["Details"];
        assert_eq!(d["ApiVersion"], "1.44");
        assert_eq!(d["MinAPIVersion"], "1.24");
        assert_eq!(d["GitCommit"], "abc");
        assert_eq!(d["KernelVersion"], "k");
        assert_eq!(d["Experimental"], "false");
        assert_eq!(v["Components"][1]["Name"], "other");
        assert_eq!(v["ApiVersion"], "1.44");
        let empty = fill_version(json!({}));
        assert_eq!(empty["Components"][0]["Name"], "Engine");
        assert_eq!(empty["Components"][0]["Version"], "25.0.0");
    }

    #[test]
    fn info_defaults_only_where_missing() {
        let info = SystemInfo {
            driver: Some("vfs".into()),
            ..Default::default()
        };
        let v = keys::to_value(&fill_info(info)).unwrap();
        assert_eq!(v["Driver"], "vfs");
        assert_eq!(v["Warnings"], Value::Null);
        assert_eq!(v["Plugins"]["Log"], json!(["json-file"]));
        assert_eq!(v["Plugins"]["Authorization"], Value::Null);
        assert_eq!(v["Swarm"]["ControlAvailable"], false);
        assert_eq!(v["Swarm"]["RemoteManagers"], Value::Null);
        assert_eq!(v["RegistryConfig"]["Mirrors"], Value::Null);
        assert_eq!(
            v["RegistryConfig"]["IndexConfigs"]["docker.io"]["Mirrors"],
            json!([])
        );
        assert_eq!(v["IndexServerAddress"], "https://index.docker.io/v1/");
        assert_eq!(v["CgroupDriver"], "systemd");
    }

    #[test]
    fn ping_head_has_no_body() {
        let res = ping(&Method::HEAD);
        assert_eq!(res.headers()[CONTENT_LENGTH], "0");
        assert_eq!(res.headers()["builder-version"], "1");
        let res = ping(&Method::GET);
        assert_eq!(res.headers()[CONTENT_TYPE], "text/plain; charset=utf-8");
    }
}
