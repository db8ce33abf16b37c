//! Container routes: create (with the CLI's `EndpointsConfig["default"]`
//! renamed), list, inspect (with `HostConfig.LogConfig`), top, logs (framed
//! per stream, 9-digit timestamps), stats, resize, start, stop, restart, kill,
//! pause, unpause, rename, update (501), attach (hijacked), wait (head flushed
//! before blocking), remove, prune.

use futures_util::StreamExt;
use http::StatusCode;
use serde_json::{json, Value};
use sockerless_core::api::*;
use sockerless_core::docker::duration::check_stop_timeout;
use sockerless_core::error::{Error, Result};
use sockerless_core::Operation;
use sockerless_http::outlined::Outlined;
use sockerless_http::{Body, Response};

use super::Ctx;
use crate::hijack::{stdin_channel, Hijack, StreamMode};
use crate::reply;
use crate::request::{parse_json_prepared, Query};
use crate::route::{unsupported_message, DockerRoute};
use crate::stdcopy;
use crate::version::DockerHeaders;

/// A start body longer than this is an old client's HostConfig (moby: "a
/// non-nil json object is at least 7 characters").
const MAX_START_BODY: usize = 7;

/// Serves the container routes.
pub async fn handle(ctx: &Ctx, route: DockerRoute, req: http::Request<Body>) -> Result<Response> {
    use DockerRoute::*;
    let q = Query::parse(req.uri().query())?;
    let b = &ctx.backend;
    // The larger handlers polled in frames of their own (`Outlined`).
    match route {
        ContainerCreate => Outlined::new(create(ctx, &q, req)).await,
        ContainerList => {
            let limit = q
                .int("limit")?
                .filter(|n| *n > 0)
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
            let options = ContainerListOptions {
                all: q.bool("all"),
                limit,
                size: q.bool("size"),
                filters: q.filters()?,
            };
            reply::json(StatusCode::OK, &b.container_list(options).await?)
        }
        ContainerPrune => reply::json(StatusCode::OK, &b.container_prune(q.filters()?).await?),
        ContainerInspect(r) => Outlined::new(inspect(ctx, r)).await,
        ContainerTop(r) => reply::json(
            StatusCode::OK,
            &b.container_top(r, q.string("ps_args")).await?,
        ),
        ContainerLogs(r) => Outlined::new(logs(ctx, r, &q)).await,
        ContainerStats(r) => Outlined::new(stats(ctx, r, &q)).await,
        ContainerResize(r) => {
            resize_size(&q)?;
            b.container_inspect(r).await?;
            Ok(reply::empty(StatusCode::OK))
        }
        ContainerStart(r) => {
            let body = ctx.body(req.into_body()).await?;
            if body.len() > MAX_START_BODY {
                return Err(Error::bad_request(
                    "starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24",
                ));
            }
            b.container_start(r).await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        ContainerStop(r) => {
            b.container_stop(r, stop_options(&q)?).await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        ContainerRestart(r) => {
            b.container_restart(r, stop_options(&q)?).await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        ContainerKill(r) => {
            b.container_kill(r, q.string("signal")).await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        ContainerPause(r) => {
            b.container_pause(r).await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        ContainerUnpause(r) => {
            b.container_unpause(r).await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        ContainerRename(r) => {
            b.container_rename(r, q.string("name").unwrap_or_default())
                .await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        ContainerUpdate(r) => {
            // The trait has no update: an unknown container is still 404.
            b.container_inspect(r.clone()).await?;
            let path = format!("/containers/{r}/update");
            Err(Error::NotImplemented(unsupported_message(
                &http::Method::POST,
                &path,
            )))
        }
        ContainerAttach(r) => Outlined::new(attach(ctx, r, &q, req)).await,
        ContainerWait(r) => Outlined::new(wait(ctx, r, &q)).await,
        ContainerRemove(r) => {
            let options = ContainerRemoveOptions {
                force: q.bool("force"),
                volumes: q.bool("v"),
                link: q.bool("link"),
            };
            b.container_remove(r, options).await?;
            Ok(reply::empty(StatusCode::NO_CONTENT))
        }
        other => Err(Error::internal(format!(
            "{} routed to the container handler",
            other.name()
        ))),
    }
}

/// `h` and `w` of a resize: integers, else 400.
pub(crate) fn resize_size(q: &Query) -> Result<(i64, i64)> {
    let h = q.int("h")?.unwrap_or(0);
    let w = q.int("w")?.unwrap_or(0);
    Ok((h, w))
}

/// `t` and `signal` of stop and restart; `t` beyond what Go's `Duration`
/// holds is 400.
fn stop_options(q: &Query) -> Result<StopOptions> {
    let timeout = q.int("t")?;
    if let Some(t) = timeout {
        check_stop_timeout(q.get("t").unwrap_or_default(), t)?;
    }
    Ok(StopOptions {
        timeout,
        signal: q.string("signal"),
    })
}

/// `POST /containers/create`.
async fn create(ctx: &Ctx, q: &Query, req: http::Request<Body>) -> Result<Response> {
    let (parts, body) = req.into_parts();
    let bytes = ctx.body(body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        // Docker's decoder reads no value at all: its words for that.
        return Err(Error::bad_request(
            "invalid JSON: got EOF while reading request body",
        ));
    }
    let mut unknown_policy = None;
    let mut body: ContainerCreateBody = parse_json_prepared(&parts.headers, &bytes, |v| {
        unknown_policy = take_unknown_restart_policy(v);
    })?
    .filter(|b: &ContainerCreateBody| *b != ContainerCreateBody::default())
    .ok_or_else(|| Error::bad_request("config cannot be empty in order to create a container"))?;
    if let Some(name) = unknown_policy {
        return Err(unknown_restart_policy(&body, &name));
    }
    rename_default_endpoint(&mut body);
    let created = ctx.backend.container_create(q.string("name"), body).await?;
    let mut v =
        serde_json::to_value(created).map_err(|e| Error::internal(format!("serialising: {e}")))?;
    if let Some(obj) = v.as_object_mut() {
        if obj.get("Warnings").is_none_or(Value::is_null) {
            obj.insert("Warnings".into(), json!([]));
        }
    }
    reply::json(StatusCode::CREATED, &v)
}

/// The restart policies Docker knows (`container.RestartPolicyMode`).
const RESTART_POLICIES: &[&str] = &["", "no", "always", "on-failure", "unless-stopped"];

/// Takes an unknown `HostConfig.RestartPolicy.Name` (a string Docker decodes
/// but the typed body cannot hold) out of a create body, leaving `""`, so
/// that the body's type errors still come first, as in Docker's decoder.
fn take_unknown_restart_policy(body: &mut Value) -> Option<String> {
    let slot = body.pointer_mut("/HostConfig/RestartPolicy/Name")?;
    let name = slot.as_str()?;
    if RESTART_POLICIES.contains(&name) {
        return None;
    }
    let name = name.to_string();
    *slot = Value::String(String::new());
    Some(name)
}

/// Docker's answer to a create with the unknown restart policy `name`
/// (moby's `validateHostConfig`: `AutoRemove` is checked first).
fn unknown_restart_policy(body: &ContainerCreateBody, name: &str) -> Error {
    let auto_remove = body
        .host_config
        .as_ref()
        .is_some_and(|h| h.auto_remove == Some(true));
    if auto_remove {
        return Error::bad_request("can't create 'AutoRemove' container with restart policy");
    }
    Error::bad_request(format!(
        "invalid restart policy: unknown policy '{name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"
    ))
}

/// The CLI sends `EndpointsConfig: {"default": {…}}` whenever `--network` is
/// absent; Docker renames that key to the network of `NetworkMode` (`bridge`
/// for `""`/`default`), as moby's `daemon/container_operations.go` does
/// (pitfall 1).
pub fn rename_default_endpoint(body: &mut ContainerCreateBody) {
    let mode = body
        .host_config
        .as_ref()
        .and_then(|h| h.network_mode.clone())
        .unwrap_or_default();
    let Some(endpoints) = body
        .networking_config
        .as_mut()
        .and_then(|n| n.endpoints_config.as_mut())
    else {
        return;
    };
    let Some(settings) = endpoints.remove("default") else {
        return;
    };
    let target = match mode.as_str() {
        "" | "default" => "bridge",
        m if m.starts_with("container:") => return,
        m => m,
    };
    endpoints.entry(target.to_string()).or_insert(settings);
}

/// Container inspect, with `HostConfig.LogConfig.Type` present (docker-py
/// reads it; pitfall 15). Set on the typed response, which is serialised here,
/// once: returning the response (a few kB) instead would copy it out through
/// each caller's future.
async fn inspect(ctx: &Ctx, r: String) -> Result<Response> {
    let mut c = ctx.backend.container_inspect(r).await?;
    if let Some(host) = c.host_config.as_mut() {
        let log = host.log_config.get_or_insert_with(Default::default);
        if log.typ.as_deref().is_none_or(str::is_empty) {
            log.typ = Some("json-file".into());
        }
        log.config.get_or_insert_with(Default::default);
    }
    reply::json(StatusCode::OK, &c)
}

/// `Config.Tty` and `State.Paused` of a container (404 when unknown).
async fn tty_and_paused(ctx: &Ctx, r: &str) -> Result<(bool, bool)> {
    let c = ctx.backend.container_inspect(r.to_string()).await?;
    let tty = c.config.as_ref().and_then(|c| c.tty).unwrap_or(false);
    let paused = c.state.as_ref().and_then(|s| s.paused).unwrap_or(false);
    Ok((tty, paused))
}

/// `GET /containers/{id}/logs` (§4.3): errors before the head; each record a
/// frame on its own stream (raw for a TTY), with a 9-digit timestamp when
/// asked.
async fn logs(ctx: &Ctx, r: String, q: &Query) -> Result<Response> {
    let (stdout, stderr) = (q.bool("stdout"), q.bool("stderr"));
    if !stdout && !stderr {
        return Err(Error::bad_request(
            "Bad parameters: you must choose at least one stream",
        ));
    }
    let follow = q.bool("follow");
    let operation = if follow {
        Operation::ContainerLogsStream
    } else {
        Operation::ContainerLogs
    };
    ctx.before(operation, Some(&r)).await?;
    let (tty, _) = tty_and_paused(ctx, &r).await?;
    let options = LogsOptions {
        stdout,
        stderr,
        since: q.string("since"),
        // Docker: `until=0` is no bound.
        until: q.string("until").filter(|u| u != "0"),
        timestamps: false,
        tail: q.string("tail"),
        follow,
    };
    let timestamps = q.bool("timestamps");
    let records = ctx.backend.container_logs(r, options).await?;
    let frames = records.map(move |rec| {
        let mut data = Vec::with_capacity(rec.data.len() + 31);
        if timestamps {
            let ts = stdcopy::fixed_nanos(&rec.time).unwrap_or(rec.time);
            data.extend_from_slice(ts.as_bytes());
            data.push(b' ');
        }
        data.extend_from_slice(rec.data.as_bytes());
        stdcopy::encode(tty, rec.stream, &data)
    });
    Ok(reply::byte_stream(
        Box::pin(frames),
        stdcopy::media_type(tty, &ctx.api),
    ))
}

/// `GET /containers/{id}/stats`: one object (`stream=false`, docker-py's
/// `False` included) or JSON lines.
async fn stats(ctx: &Ctx, r: String, q: &Query) -> Result<Response> {
    let stream = q.bool_or("stream", true);
    let mut items = ctx.backend.container_stats(r, stream).await?;
    if stream {
        return Ok(reply::json_lines(items));
    }
    let one = items
        .next()
        .await
        .ok_or_else(|| Error::internal("the backend's stats stream was empty"))?;
    reply::json(StatusCode::OK, &one)
}

/// `POST /containers/{id}/wait` (§4.6): the waiter is registered (and every
/// error answered) before the `200` head goes out; the head is flushed before
/// the wait blocks; the body is `{"StatusCode":n}` plus `Error` when there is
/// one. A client that leaves drops the body, which cancels the wait.
async fn wait(ctx: &Ctx, r: String, q: &Query) -> Result<Response> {
    let condition = WaitCondition::parse(q.get("condition"))?;
    let fut = ctx.backend.container_wait(r, condition).await?;
    let body = futures_util::stream::once(fut).map(|w| {
        let mut v = json!({"StatusCode": w.status_code});
        if let Some(e) = w.error {
            v["Error"] = json!({"Message": e.message});
        }
        v
    });
    Ok(reply::json_lines(Box::pin(body)))
}

/// `POST /containers/{id}/attach` (§4.1): checks, then subscribes, then `101`.
async fn attach(ctx: &Ctx, r: String, q: &Query, mut req: http::Request<Body>) -> Result<Response> {
    let hijack = Hijack::take(&mut req);
    let (tty, paused) = tty_and_paused(ctx, &r).await?;
    if paused {
        return Err(Error::conflict(
            "You cannot attach to a paused container, unpause it first",
        ));
    }
    let options = AttachOptions {
        stdin: q.bool("stdin"),
        stdout: q.bool("stdout"),
        stderr: q.bool("stderr"),
        logs: q.bool("logs"),
        stream: q.bool("stream"),
    };
    let (tx, stdin) = stdin_channel(options.stdin && hijack.upgrading());
    let output = ctx.backend.container_attach(r, options, stdin).await?;
    let mode = StreamMode {
        tty,
        media_type: stdcopy::media_type(tty, &ctx.api),
    };
    // Docker's attach writes its own response on the hijacked connection,
    // without the version headers (exec start's goes through the router).
    let mut res = hijack.respond(mode, output, tx, &ctx.drain);
    res.extensions_mut().insert(DockerHeaders::Omitted);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> ContainerCreateBody {
        serde_json::from_value(v).expect("a create body")
    }

    #[test]
    fn default_endpoint_becomes_bridge() {
        let mut b = body(json!({
            "Image": "alpine",
            "HostConfig": {"NetworkMode": "default"},
            "NetworkingConfig": {"EndpointsConfig": {"default": {"Aliases": ["a"]}}}
        }));
        rename_default_endpoint(&mut b);
        let eps = b.networking_config.unwrap().endpoints_config.unwrap();
        assert!(!eps.contains_key("default"));
        assert_eq!(eps["bridge"].aliases, Some(vec!["a".to_string()]));
    }

    #[test]
    fn default_endpoint_follows_the_network_mode() {
        let mut b = body(json!({
            "Image": "alpine",
            "HostConfig": {"NetworkMode": "mynet"},
            "NetworkingConfig": {"EndpointsConfig": {"default": {}}}
        }));
        rename_default_endpoint(&mut b);
        let eps = b.networking_config.unwrap().endpoints_config.unwrap();
        assert_eq!(eps.keys().collect::<Vec<_>>(), ["mynet"]);
        let mut b = body(json!({"Image": "alpine"}));
        rename_default_endpoint(&mut b);
        assert_eq!(b.networking_config, None);
    }
}
