//! The innermost service: for each [`Route`], parse the query and body, call the
//! backend, and write Docker's response (JSON, ndjson stream, 204, or a WebSocket
//! upgrade).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::StreamExt;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tower::Service;

use sockerless_http::body::{empty, json, read_body};
use sockerless_http::{Body, BoxError, Response};

use crate::query::Query;
use crate::route::Route;
use crate::{ws, AppState};
use sockerless_core::api::*;
use sockerless_core::error::{Error, Result};

/// The dispatching service at the bottom of the stack.
#[derive(Clone)]
pub struct Dispatch {
    state: AppState,
}

impl Dispatch {
    /// A dispatcher over this state.
    pub fn new(state: AppState) -> Self {
        Dispatch { state }
    }
}

impl Service<http::Request<Body>> for Dispatch {
    type Response = Response;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let state = self.state.clone();
        Box::pin(handle(state, req))
    }
}

/// A streamed `application/x-ndjson` response: one JSON value per line, each
/// written (and flushed) as the stream yields it.
pub fn ndjson<T: Serialize + Send + 'static>(stream: BoxStream<T>) -> Response {
    let frames = stream.map(|item| {
        let mut line = serde_json::to_vec(&item).unwrap_or_else(|e| {
            serde_json::to_vec(&serde_json::json!({ "error": e.to_string() })).unwrap_or_default()
        });
        line.push(b'\n');
        Ok::<_, BoxError>(http_body::Frame::data(Bytes::from(line)))
    });
    let mut res = http::Response::new(StreamBody::new(frames).boxed_unsync());
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    res
}

/// Checks a non-empty body's content type, as Docker does.
fn check_json_content_type(headers: &http::HeaderMap) -> Result<()> {
    let ct = headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let media = ct.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "unsupported Content-Type header ({ct}): must be 'application/json'"
        )))
    }
}

/// Parses a body into a JSON value: `None` when empty; 400 for a wrong content
/// type, invalid JSON or trailing content.
pub fn parse_json_value(
    headers: &http::HeaderMap,
    bytes: &[u8],
) -> Result<Option<serde_json::Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    check_json_content_type(headers)?;
    serde_json::from_slice(bytes)
        .map(Some)
        .map_err(|e| Error::bad_request(format!("invalid JSON: {e}")))
}

/// Docker accepts `Cmd`, `Entrypoint` and `Shell` as a string or an array.
fn normalise_str_slices(v: &mut serde_json::Value) {
    if let Some(obj) = v.as_object_mut() {
        for key in ["Cmd", "Entrypoint", "Shell"] {
            if let Some(slot) = obj.get_mut(key) {
                if let serde_json::Value::String(s) = slot {
                    *slot = serde_json::Value::Array(vec![serde_json::Value::String(
                        std::mem::take(s),
                    )]);
                }
            }
        }
    }
}

/// Typed body: `None` when empty; 400 naming what was wrong otherwise.
fn typed<T: DeserializeOwned>(value: Option<serde_json::Value>) -> Result<Option<T>> {
    value
        .map(|mut v| {
            normalise_str_slices(&mut v);
            serde_json::from_value(v).map_err(|e| Error::bad_request(format!("invalid JSON: {e}")))
        })
        .transpose()
}

async fn handle(state: AppState, req: http::Request<Body>) -> Result<Response> {
    let route = req
        .extensions()
        .get::<Route>()
        .cloned()
        .ok_or_else(|| Error::internal("no route in request extensions"))?;
    let query = Query::parse(req.uri().query())?;
    if let Some(operation) = route.operation() {
        state.backend.before(operation, route.reference()).await?;
    }
    if route.is_websocket() {
        return ws::handle(state, route, query, req).await;
    }
    let backend = state.backend.clone();
    let max = state.options.max_body_bytes;
    let (parts, body) = req.into_parts();
    use Route::*;
    // Routes that stream their body take it as it comes.
    if let ImageLoad = route {
        let quiet = query.bool("quiet")?;
        let stream = body
            .into_data_stream()
            .map(|r| r.map_err(|e| Error::bad_request(format!("reading the request body: {e}"))));
        let records = backend.image_load(Box::pin(stream), quiet).await?;
        return Ok(ndjson(Box::pin(futures_util::stream::iter(records))));
    }
    let bytes = read_body(body, max).await?;
    let value = parse_json_value(&parts.headers, &bytes)?;

    match route {
        Capabilities => json(StatusCode::OK, &backend.capabilities()),
        Info => json(StatusCode::OK, &backend.info().await?),
        Version => json(StatusCode::OK, &backend.version().await?),

        ContainerCreate => {
            let name = query.string("name");
            let body: ContainerCreateBody = match typed(value)? {
                Some(b) if b != ContainerCreateBody::default() => b,
                _ => {
                    return Err(Error::bad_request(
                        "config cannot be empty in order to create a container",
                    ))
                }
            };
            json(
                StatusCode::CREATED,
                &backend.container_create(name, body).await?,
            )
        }
        ContainerList => {
            let limit = match query.int("limit")? {
                None => None,
                Some(n) if n <= 0 => None,
                Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            };
            let options = ContainerListOptions {
                all: query.bool("all")?,
                limit,
                size: query.bool("size")?,
                filters: query.filters()?,
            };
            json(StatusCode::OK, &backend.container_list(options).await?)
        }
        ContainerPrune => json(
            StatusCode::OK,
            &backend.container_prune(query.filters()?).await?,
        ),
        ContainerInspect(r) => json(StatusCode::OK, &backend.container_inspect(r).await?),
        ContainerStart(r) => {
            backend.container_start(r).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        ContainerStop(r) => {
            backend.container_stop(r, stop_options(&query)?).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        ContainerRestart(r) => {
            backend.container_restart(r, stop_options(&query)?).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        ContainerKill(r) => {
            backend.container_kill(r, query.non_empty("signal")).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        ContainerPause(r) => {
            backend.container_pause(r).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        ContainerUnpause(r) => {
            backend.container_unpause(r).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        ContainerRename(r) => {
            let name = query.string("name").unwrap_or_default();
            backend.container_rename(r, name).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        ContainerRemove(r) => {
            let options = ContainerRemoveOptions {
                force: query.bool("force")?,
                volumes: query.bool("v")?,
                link: query.bool("link")?,
            };
            backend.container_remove(r, options).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }
        ContainerLogs(r) => {
            let options = logs_options(&query)?;
            Ok(ndjson(backend.container_logs(r, options).await?))
        }
        ContainerTop(r) => json(
            StatusCode::OK,
            &backend.container_top(r, query.non_empty("ps_args")).await?,
        ),
        ContainerStats(r) => {
            let stream = query.bool_or("stream", true)?;
            let mut items = backend.container_stats(r, stream).await?;
            if stream {
                Ok(ndjson(items))
            } else {
                let one = items
                    .next()
                    .await
                    .ok_or_else(|| Error::internal("stats produced nothing"))?;
                json(StatusCode::OK, &one)
            }
        }
        ExecCreate(r) => {
            let config: sockerless_core::api::docker::ExecConfig =
                typed(value)?.ok_or_else(|| Error::bad_request("No exec command specified"))?;
            json(StatusCode::CREATED, &backend.exec_create(r, config).await?)
        }
        ExecInspect(id) => json(StatusCode::OK, &backend.exec_inspect(id).await?),
        ExecStart(id) => {
            #[derive(serde::Deserialize, Default)]
            struct StartBody {
                #[serde(rename = "Detach", default)]
                detach: Option<bool>,
                #[serde(rename = "Tty", default)]
                _tty: Option<bool>,
            }
            let body: StartBody = typed(value)?.unwrap_or_default();
            if body.detach == Some(false) {
                return Err(Error::bad_request(
                    "an attached exec start must use the WebSocket route: upgrade required",
                ));
            }
            drop(backend.exec_start(id, true, None).await?);
            Ok(empty(StatusCode::OK))
        }

        ImagePull => {
            let from_image = query.string("fromImage").unwrap_or_default();
            let registry_auth = parts
                .headers
                .get("x-registry-auth")
                .map(|v| Secret(String::from_utf8_lossy(v.as_bytes()).into_owned()));
            let options = PullOptions {
                from_image,
                tag: query.non_empty("tag"),
                platform: query.non_empty("platform"),
                registry_auth,
            };
            Ok(ndjson(backend.image_pull(options).await?))
        }
        ImageList => {
            let options = ImageListOptions {
                all: query.bool("all")?,
                digests: query.bool("digests")?,
                filters: query.filters()?,
            };
            json(StatusCode::OK, &backend.image_list(options).await?)
        }
        ImagePrune => json(
            StatusCode::OK,
            &backend.image_prune(query.filters()?).await?,
        ),
        ImageInspect(name) => json(StatusCode::OK, &backend.image_inspect(name).await?),
        ImageTag(name) => {
            let options = TagOptions {
                repo: query.string("repo").unwrap_or_default(),
                tag: query.non_empty("tag"),
            };
            backend.image_tag(name, options).await?;
            Ok(empty(StatusCode::CREATED))
        }
        ImageRemove(name) => {
            let options = ImageRemoveOptions {
                force: query.bool("force")?,
                noprune: query.bool("noprune")?,
            };
            json(StatusCode::OK, &backend.image_remove(name, options).await?)
        }
        Auth => {
            let config: AuthConfig = typed(value)?
                .ok_or_else(|| Error::bad_request("username and password are required"))?;
            json(StatusCode::OK, &backend.auth(config).await?)
        }

        NetworkCreate => {
            let request =
                typed(value)?.ok_or_else(|| Error::bad_request("network name is required"))?;
            json(StatusCode::CREATED, &backend.network_create(request).await?)
        }
        NetworkList => json(
            StatusCode::OK,
            &backend.network_list(query.filters()?).await?,
        ),
        NetworkPrune => json(
            StatusCode::OK,
            &backend.network_prune(query.filters()?).await?,
        ),
        NetworkInspect(r) => json(StatusCode::OK, &backend.network_inspect(r).await?),
        NetworkConnect(r) => {
            let request =
                typed(value)?.ok_or_else(|| Error::bad_request("a container is required"))?;
            backend.network_connect(r, request).await?;
            Ok(empty(StatusCode::OK))
        }
        NetworkDisconnect(r) => {
            let request =
                typed(value)?.ok_or_else(|| Error::bad_request("a container is required"))?;
            backend.network_disconnect(r, request).await?;
            Ok(empty(StatusCode::OK))
        }
        NetworkRemove(r) => {
            backend.network_remove(r).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }

        VolumeCreate => {
            let options = typed(value)?.unwrap_or_default();
            json(StatusCode::CREATED, &backend.volume_create(options).await?)
        }
        VolumeList => json(
            StatusCode::OK,
            &backend.volume_list(query.filters()?).await?,
        ),
        VolumePrune => json(
            StatusCode::OK,
            &backend.volume_prune(query.filters()?).await?,
        ),
        VolumeInspect(name) => json(StatusCode::OK, &backend.volume_inspect(name).await?),
        VolumeRemove(name) => {
            let options = VolumeRemoveOptions {
                force: query.bool("force")?,
            };
            backend.volume_remove(name, options).await?;
            Ok(empty(StatusCode::NO_CONTENT))
        }

        Extension(path) => {
            let request = ExtensionRequest {
                method: parts.method.clone(),
                path,
                query: parts.uri.query().map(str::to_string),
                body: value,
            };
            let res = backend.extension(request).await?;
            match res.body {
                Some(body) => json(res.status, &body),
                None => Ok(empty(res.status)),
            }
        }

        ImageLoad
        | Events
        | ContainerLogsStream(_)
        | ContainerWait(_)
        | ContainerAttach(_)
        | ExecStartStream(_) => Err(Error::internal(
            "streaming route reached the JSON dispatcher",
        )),
    }
}

/// The largest stop timeout, in seconds, that Docker can represent: it turns `t`
/// into a Go `time.Duration` (nanoseconds in an int64), which overflows beyond
/// this. Larger values are 400 rather than a stop that never times out.
pub const MAX_STOP_TIMEOUT_SECS: i64 = i64::MAX / 1_000_000_000;

fn stop_options(query: &Query) -> Result<StopOptions> {
    let timeout = query.int("t")?;
    if timeout.is_some_and(|t| t > MAX_STOP_TIMEOUT_SECS) {
        let raw = query.get("t").unwrap_or_default();
        return Err(Error::bad_request(format!("invalid value for t: {raw}")));
    }
    Ok(StopOptions {
        timeout,
        signal: query.non_empty("signal"),
    })
}

/// The logs query; shared by the plain and the WebSocket route.
pub(crate) fn logs_options(query: &Query) -> Result<LogsOptions> {
    Ok(LogsOptions {
        stdout: query.bool("stdout")?,
        stderr: query.bool("stderr")?,
        since: query.non_empty("since"),
        until: query.non_empty("until"),
        timestamps: query.bool("timestamps")?,
        tail: query.non_empty("tail"),
        follow: query.bool("follow")?,
    })
}
