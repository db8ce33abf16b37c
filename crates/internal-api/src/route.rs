//! The typed route enum: `Route::parse(method, path)` maps a request onto one
//! operation of the internal API, or says why it cannot (404 / 405). This is the
//! first of two parsing steps: the router needs only the method and the path;
//! the query and the body are typed afterwards, per resource, once the backend's
//! `before` hook has seen the operation.
//!
//! ```
//! use http::Method;
//! use sockerless_internal_api::route::Route;
//! let route = Route::parse(&Method::POST, "/internal/v1/images/docker.io/library/nginx/tag").unwrap();
//! assert_eq!(route, Route::ImageTag("docker.io/library/nginx".into()));
//! assert_eq!(route.name(), "image_tag");
//! ```

use http::Method;

use sockerless_core::error::Error;
use sockerless_core::Operation;

/// The prefix every route of the internal API starts with.
pub const PREFIX: &str = "/internal/v1";

/// One operation of the internal API, with its path parameters (percent-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Route {
    Capabilities,
    Info,
    Version,
    Events,

    ContainerCreate,
    ContainerList,
    ContainerPrune,
    ContainerInspect(String),
    ContainerStart(String),
    ContainerStop(String),
    ContainerKill(String),
    ContainerRestart(String),
    ContainerPause(String),
    ContainerUnpause(String),
    ContainerRename(String),
    ContainerRemove(String),
    ContainerLogs(String),
    ContainerLogsStream(String),
    ContainerWait(String),
    ContainerAttach(String),
    ContainerTop(String),
    ContainerStats(String),
    ContainerArchiveStat(String),
    ContainerArchiveGet(String),
    ContainerArchivePut(String),
    ContainerExport(String),
    ContainerChanges(String),
    ContainerCommit(String),
    ExecCreate(String),

    ExecInspect(String),
    ExecStart(String),
    ExecStartStream(String),

    ImagePull,
    ImageList,
    ImageLoad,
    ImagePrune,
    ImageInspect(String),
    ImageTag(String),
    ImageRemove(String),
    ImageSave,
    Auth,

    NetworkCreate,
    NetworkList,
    NetworkPrune,
    NetworkInspect(String),
    NetworkConnect(String),
    NetworkDisconnect(String),
    NetworkRemove(String),

    VolumeCreate,
    VolumeList,
    VolumePrune,
    VolumeInspect(String),
    VolumeRemove(String),

    /// A path under `/internal/v1` that no core route claims, offered to the
    /// backend's extension hook (e.g. the memory backend's `/memory/...`
    /// controls). Holds the path after the prefix, e.g. `/memory/reset`.
    Extension(String),
}

impl Route {
    /// The backend operation the route calls: every core route but
    /// `capabilities` (which no hook sees) and extension routes.
    pub fn operation(&self) -> Option<Operation> {
        use Route::*;
        Some(match self {
            Info => Operation::Info,
            Version => Operation::Version,
            Events => Operation::Events,
            ContainerCreate => Operation::ContainerCreate,
            ContainerList => Operation::ContainerList,
            ContainerPrune => Operation::ContainerPrune,
            ContainerInspect(_) => Operation::ContainerInspect,
            ContainerStart(_) => Operation::ContainerStart,
            ContainerStop(_) => Operation::ContainerStop,
            ContainerKill(_) => Operation::ContainerKill,
            ContainerRestart(_) => Operation::ContainerRestart,
            ContainerPause(_) => Operation::ContainerPause,
            ContainerUnpause(_) => Operation::ContainerUnpause,
            ContainerRename(_) => Operation::ContainerRename,
            ContainerRemove(_) => Operation::ContainerRemove,
            ContainerLogs(_) => Operation::ContainerLogs,
            ContainerLogsStream(_) => Operation::ContainerLogsStream,
            ContainerWait(_) => Operation::ContainerWait,
            ContainerAttach(_) => Operation::ContainerAttach,
            ContainerTop(_) => Operation::ContainerTop,
            ContainerStats(_) => Operation::ContainerStats,
            ContainerArchiveStat(_) => Operation::ContainerArchiveStat,
            ContainerArchiveGet(_) => Operation::ContainerArchiveGet,
            ContainerArchivePut(_) => Operation::ContainerArchivePut,
            ContainerExport(_) => Operation::ContainerExport,
            ContainerChanges(_) => Operation::ContainerChanges,
            ContainerCommit(_) => Operation::ContainerCommit,
            ExecCreate(_) => Operation::ExecCreate,
            ExecInspect(_) => Operation::ExecInspect,
            ExecStart(_) => Operation::ExecStart,
            ExecStartStream(_) => Operation::ExecStartStream,
            ImagePull => Operation::ImagePull,
            ImageList => Operation::ImageList,
            ImageLoad => Operation::ImageLoad,
            ImagePrune => Operation::ImagePrune,
            ImageInspect(_) => Operation::ImageInspect,
            ImageTag(_) => Operation::ImageTag,
            ImageRemove(_) => Operation::ImageRemove,
            ImageSave => Operation::ImageSave,
            Auth => Operation::Auth,
            NetworkCreate => Operation::NetworkCreate,
            NetworkList => Operation::NetworkList,
            NetworkPrune => Operation::NetworkPrune,
            NetworkInspect(_) => Operation::NetworkInspect,
            NetworkConnect(_) => Operation::NetworkConnect,
            NetworkDisconnect(_) => Operation::NetworkDisconnect,
            NetworkRemove(_) => Operation::NetworkRemove,
            VolumeCreate => Operation::VolumeCreate,
            VolumeList => Operation::VolumeList,
            VolumePrune => Operation::VolumePrune,
            VolumeInspect(_) => Operation::VolumeInspect,
            VolumeRemove(_) => Operation::VolumeRemove,
            Capabilities | Extension(_) => return None,
        })
    }

    /// The route's name, as used in logs: its operation's name, `capabilities`
    /// or `extension`.
    pub fn name(&self) -> &'static str {
        match (self.operation(), self) {
            (Some(op), _) => op.name(),
            (None, Route::Capabilities) => "capabilities",
            (None, _) => "extension",
        }
    }

    /// The path parameter (container/network reference, exec ID, image or
    /// volume name), when the route has one. Extension routes have none.
    pub fn reference(&self) -> Option<&str> {
        use Route::*;
        match self {
            ContainerInspect(r)
            | ContainerStart(r)
            | ContainerStop(r)
            | ContainerKill(r)
            | ContainerRestart(r)
            | ContainerPause(r)
            | ContainerUnpause(r)
            | ContainerRename(r)
            | ContainerRemove(r)
            | ContainerLogs(r)
            | ContainerLogsStream(r)
            | ContainerWait(r)
            | ContainerAttach(r)
            | ContainerTop(r)
            | ContainerStats(r)
            | ContainerArchiveStat(r)
            | ContainerArchiveGet(r)
            | ContainerArchivePut(r)
            | ContainerExport(r)
            | ContainerChanges(r)
            | ContainerCommit(r)
            | ExecCreate(r)
            | ExecInspect(r)
            | ExecStart(r)
            | ExecStartStream(r)
            | ImageInspect(r)
            | ImageTag(r)
            | ImageRemove(r)
            | NetworkInspect(r)
            | NetworkConnect(r)
            | NetworkDisconnect(r)
            | NetworkRemove(r)
            | VolumeInspect(r)
            | VolumeRemove(r) => Some(r),
            Capabilities | Info | Version | Events | ContainerCreate | ContainerList
            | ContainerPrune | ImagePull | ImageList | ImageLoad | ImagePrune | ImageSave
            | Auth | NetworkCreate | NetworkList | NetworkPrune | VolumeCreate | VolumeList
            | VolumePrune | Extension(_) => None,
        }
    }

    /// Whether the route is served over WebSocket (and so lives as long as the
    /// client wants: no request timeout may cut it).
    pub fn is_websocket(&self) -> bool {
        matches!(
            self,
            Route::Events
                | Route::ContainerLogsStream(_)
                | Route::ContainerWait(_)
                | Route::ContainerAttach(_)
                | Route::ExecStartStream(_)
        )
    }

    /// Whether the route streams its response (and must not be timed out).
    pub fn is_streaming(&self) -> bool {
        self.is_websocket()
            || matches!(
                self,
                Route::ImagePull | Route::ImageLoad | Route::ContainerStats(_)
            )
    }

    /// Whether the route reads its request body as a stream (no body limit).
    pub fn streams_body(&self) -> bool {
        matches!(self, Route::ImageLoad)
    }

    /// The method of the route; `None` for an extension route (the backend's
    /// hook decides which methods it takes).
    pub fn method(&self) -> Option<Method> {
        self.target().0
    }

    /// The route's path (from [`PREFIX`] on, path parameters percent-encoded
    /// as one segment each): the inverse of [`Route::parse`], which gives this
    /// route back for it and [`Route::method`]. `RemoteBackend` builds every
    /// request from it, so the client and the router share one table.
    ///
    /// ```
    /// use http::Method;
    /// use sockerless_internal_api::route::Route;
    /// let route = Route::ImageTag("my/app:v1".into());
    /// assert_eq!(route.path(), "/internal/v1/images/my%2Fapp%3Av1/tag");
    /// assert_eq!(route.method(), Some(Method::POST));
    /// assert_eq!(Route::parse(&Method::POST, &route.path()).unwrap(), route);
    /// ```
    pub fn path(&self) -> String {
        let (_, segments) = self.target();
        let mut path = String::from(PREFIX);
        for s in segments {
            path.push('/');
            path.push_str(&s);
        }
        path
    }

    /// The method and the path segments after the prefix (already encoded).
    fn target(&self) -> (Option<Method>, Vec<String>) {
        use Route::*;
        let (get, post, delete) = (Some(Method::GET), Some(Method::POST), Some(Method::DELETE));
        let fixed = |m: Option<Method>, segs: &[&str]| -> (Option<Method>, Vec<String>) {
            (m, segs.iter().map(|s| s.to_string()).collect())
        };
        let param = |m: Option<Method>, head: &str, r: &str, tail: &[&str]| {
            let mut segs = vec![head.to_string(), encode(r)];
            segs.extend(tail.iter().map(|s| s.to_string()));
            (m, segs)
        };
        match self {
            Capabilities => fixed(get, &["capabilities"]),
            Info => fixed(get, &["info"]),
            Version => fixed(get, &["version"]),
            Events => fixed(get, &["events"]),
            Auth => fixed(post, &["auth"]),
            ContainerCreate => fixed(post, &["containers"]),
            ContainerList => fixed(get, &["containers"]),
            ContainerPrune => fixed(post, &["containers", "prune"]),
            ContainerInspect(r) => param(get, "containers", r, &[]),
            ContainerRemove(r) => param(delete, "containers", r, &[]),
            ContainerStart(r) => param(post, "containers", r, &["start"]),
            ContainerStop(r) => param(post, "containers", r, &["stop"]),
            ContainerKill(r) => param(post, "containers", r, &["kill"]),
            ContainerRestart(r) => param(post, "containers", r, &["restart"]),
            ContainerPause(r) => param(post, "containers", r, &["pause"]),
            ContainerUnpause(r) => param(post, "containers", r, &["unpause"]),
            ContainerRename(r) => param(post, "containers", r, &["rename"]),
            ContainerLogs(r) => param(get, "containers", r, &["logs"]),
            ContainerLogsStream(r) => param(get, "containers", r, &["logs", "stream"]),
            ContainerWait(r) => param(get, "containers", r, &["wait"]),
            ContainerAttach(r) => param(get, "containers", r, &["attach"]),
            ContainerTop(r) => param(get, "containers", r, &["top"]),
            ContainerStats(r) => param(get, "containers", r, &["stats"]),
            ExecCreate(r) => param(post, "containers", r, &["exec"]),
            ExecInspect(id) => param(get, "exec", id, &[]),
            ExecStart(id) => param(post, "exec", id, &["start"]),
            ExecStartStream(id) => param(get, "exec", id, &["start"]),
            ImagePull => fixed(post, &["images", "pull"]),
            ImageList => fixed(get, &["images"]),
            ImageLoad => fixed(post, &["images", "load"]),
            ImagePrune => fixed(post, &["images", "prune"]),
            ImageInspect(name) => param(get, "images", name, &[]),
            ImageTag(name) => param(post, "images", name, &["tag"]),
            ImageRemove(name) => param(delete, "images", name, &[]),
            NetworkCreate => fixed(post, &["networks"]),
            NetworkList => fixed(get, &["networks"]),
            NetworkPrune => fixed(post, &["networks", "prune"]),
            NetworkInspect(r) => param(get, "networks", r, &[]),
            NetworkConnect(r) => param(post, "networks", r, &["connect"]),
            NetworkDisconnect(r) => param(post, "networks", r, &["disconnect"]),
            NetworkRemove(r) => param(delete, "networks", r, &[]),
            VolumeCreate => fixed(post, &["volumes"]),
            VolumeList => fixed(get, &["volumes"]),
            VolumePrune => fixed(post, &["volumes", "prune"]),
            VolumeInspect(name) => param(get, "volumes", name, &[]),
            VolumeRemove(name) => param(delete, "volumes", name, &[]),
            ContainerArchiveStat(r) => param(Some(Method::HEAD), "containers", r, &["archive"]),
            ContainerArchiveGet(r) => param(get, "containers", r, &["archive"]),
            ContainerArchivePut(r) => param(Some(Method::PUT), "containers", r, &["archive"]),
            ContainerExport(r) => param(get, "containers", r, &["export"]),
            ContainerChanges(r) => param(get, "containers", r, &["changes"]),
            ContainerCommit(r) => param(post, "containers", r, &["commit"]),
            ImageSave => fixed(post, &["images", "save"]),
            Extension(rest) => (
                None,
                rest.trim_start_matches('/')
                    .split('/')
                    .map(str::to_string)
                    .collect(),
            ),
        }
    }

    /// Whether the route's body is raw bytes (a tar), read whole within the
    /// body limit, not JSON.
    pub fn raw_body(&self) -> bool {
        matches!(self, Route::ContainerArchivePut(_))
    }

    /// Parses a request's method and path (without query). Unknown paths are 404
    /// `page not found`; known paths with another method are 405.
    pub fn parse(method: &Method, path: &str) -> Result<Route, Error> {
        let rest = path
            .strip_prefix(PREFIX)
            .filter(|r| r.is_empty() || r.starts_with('/'))
            .ok_or_else(page_not_found)?;
        let decoded;
        let raw = split(rest)?;
        let segs: Vec<&str> = if raw.iter().any(|s| s.contains('%')) {
            decoded = decode(&raw)?;
            decoded.iter().map(String::as_str).collect()
        } else {
            raw
        };
        let mut candidates = candidates(&segs);
        if candidates.is_empty() {
            return match segs.first() {
                Some(first) if !CORE.contains(first) => Ok(Route::Extension(rest.to_string())),
                _ => Err(page_not_found()),
            };
        }
        if let Some(at) = candidates.iter().position(|(m, _)| m == method) {
            return Ok(candidates.swap_remove(at).1);
        }
        let mut allow: Vec<&str> = candidates.iter().map(|(m, _)| m.as_str()).collect();
        allow.dedup();
        let allow = allow.join(", ");
        Err(Error::MethodNotAllowed {
            message: format!("method {method} not allowed on {path}; allowed: {allow}"),
            allow,
        })
    }
}

impl sockerless_http::limit::StreamsBody for Route {
    fn streams_body(&self) -> bool {
        Route::streams_body(self)
    }
}

/// First segments owned by the core routes: never offered to extensions.
const CORE: &[&str] = &[
    "capabilities",
    "info",
    "version",
    "events",
    "auth",
    "containers",
    "exec",
    "images",
    "networks",
    "volumes",
];

/// Everything but unreserved characters is escaped in a path parameter (`/`
/// included: a reference is one segment, whatever it holds).
const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One path parameter, escaped as one segment.
pub fn encode(param: &str) -> String {
    percent_encoding::utf8_percent_encode(param, ESCAPED).to_string()
}

fn page_not_found() -> Error {
    Error::not_found("page not found")
}

/// Splits the path after the prefix into its segments, still encoded. An
/// empty segment (`//`, a trailing `/`) is not a route (unless a segment
/// before it does not decode: that one is the error).
fn split(rest: &str) -> Result<Vec<&str>, Error> {
    let trimmed = rest.strip_prefix('/').unwrap_or(rest);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let segments: Vec<&str> = trimmed.split('/').collect();
    if let Some(at) = segments.iter().position(|s| s.is_empty()) {
        // The first bad segment decides, as when each was decoded in turn.
        decode(&segments[..at])?;
        return Err(page_not_found());
    }
    Ok(segments)
}

/// Percent-decodes the segments; one that does not decode to UTF-8 is not a
/// route.
fn decode(segments: &[&str]) -> Result<Vec<String>, Error> {
    segments
        .iter()
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| Error::bad_request(format!("invalid path segment: {s}")))
        })
        .collect()
}

/// Every (method, route) the segments could mean.
fn candidates(segs: &[&str]) -> Vec<(Method, Route)> {
    use Route::*;
    let s = |v: &str| v.to_string();
    let (get, post, delete) = (Method::GET, Method::POST, Method::DELETE);
    match segs {
        ["capabilities"] => vec![(get, Capabilities)],
        ["info"] => vec![(get, Info)],
        ["version"] => vec![(get, Version)],
        ["events"] => vec![(get, Events)],
        ["auth"] => vec![(post, Auth)],

        ["containers"] => vec![(get, ContainerList), (post, ContainerCreate)],
        ["containers", "prune"] => vec![
            (post, ContainerPrune),
            (get, ContainerInspect(s("prune"))),
            (delete, ContainerRemove(s("prune"))),
        ],
        ["containers", id] => vec![
            (get, ContainerInspect(s(id))),
            (delete, ContainerRemove(s(id))),
        ],
        ["containers", id, action] => {
            let id = s(id);
            match *action {
                "start" => vec![(post, ContainerStart(id))],
                "stop" => vec![(post, ContainerStop(id))],
                "kill" => vec![(post, ContainerKill(id))],
                "restart" => vec![(post, ContainerRestart(id))],
                "pause" => vec![(post, ContainerPause(id))],
                "unpause" => vec![(post, ContainerUnpause(id))],
                "rename" => vec![(post, ContainerRename(id))],
                "logs" => vec![(get, ContainerLogs(id))],
                "wait" => vec![(get, ContainerWait(id))],
                "attach" => vec![(get, ContainerAttach(id))],
                "top" => vec![(get, ContainerTop(id))],
                "stats" => vec![(get, ContainerStats(id))],
                "exec" => vec![(post, ExecCreate(id))],
                "archive" => vec![
                    (Method::HEAD, ContainerArchiveStat(id.clone())),
                    (get, ContainerArchiveGet(id.clone())),
                    (Method::PUT, ContainerArchivePut(id)),
                ],
                "export" => vec![(get, ContainerExport(id))],
                "changes" => vec![(get, ContainerChanges(id))],
                "commit" => vec![(post, ContainerCommit(id))],
                _ => vec![],
            }
        }
        ["containers", id, "logs", "stream"] => vec![(get, ContainerLogsStream(s(id)))],

        ["exec", id] => vec![(get, ExecInspect(s(id)))],
        ["exec", id, "start"] => vec![(get, ExecStartStream(s(id))), (post, ExecStart(s(id)))],

        ["images"] => vec![(get, ImageList)],
        ["images", rest @ ..] => image_candidates(rest),

        ["networks"] => vec![(get, NetworkList), (post, NetworkCreate)],
        ["networks", "prune"] => vec![
            (post, NetworkPrune),
            (get, NetworkInspect(s("prune"))),
            (delete, NetworkRemove(s("prune"))),
        ],
        ["networks", id] => vec![(get, NetworkInspect(s(id))), (delete, NetworkRemove(s(id)))],
        ["networks", id, "connect"] => vec![(post, NetworkConnect(s(id)))],
        ["networks", id, "disconnect"] => vec![(post, NetworkDisconnect(s(id)))],

        ["volumes"] => vec![(get, VolumeList), (post, VolumeCreate)],
        ["volumes", "prune"] => vec![
            (post, VolumePrune),
            (get, VolumeInspect(s("prune"))),
            (delete, VolumeRemove(s("prune"))),
        ],
        ["volumes", name] => vec![
            (get, VolumeInspect(s(name))),
            (delete, VolumeRemove(s(name))),
        ],
        _ => vec![],
    }
}

/// Image names may contain `/` (and `:`), so everything after `images/` is the
/// name, except a trailing `tag` action and the three fixed POST routes.
fn image_candidates(rest: &[&str]) -> Vec<(Method, Route)> {
    use Route::*;
    let name = rest.join("/");
    let mut out = vec![
        (Method::GET, ImageInspect(name.clone())),
        (Method::DELETE, ImageRemove(name.clone())),
    ];
    match rest {
        ["pull"] => out.push((Method::POST, ImagePull)),
        ["load"] => out.push((Method::POST, ImageLoad)),
        ["prune"] => out.push((Method::POST, ImagePrune)),
        ["save"] => out.push((Method::POST, ImageSave)),
        [name @ .., "tag"] if !name.is_empty() => {
            out.push((Method::POST, ImageTag(name.join("/"))));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Route::*;

    fn ok(method: Method, path: &str) -> Route {
        match Route::parse(&method, path) {
            Ok(r) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    #[test]
    fn parses_every_route() {
        let id = "abc".to_string();
        let table: Vec<(Method, &str, Route)> = vec![
            (Method::GET, "/internal/v1/capabilities", Capabilities),
            (Method::GET, "/internal/v1/info", Info),
            (Method::GET, "/internal/v1/version", Version),
            (Method::GET, "/internal/v1/events", Events),
            (Method::POST, "/internal/v1/auth", Auth),
            (Method::POST, "/internal/v1/containers", ContainerCreate),
            (Method::GET, "/internal/v1/containers", ContainerList),
            (
                Method::POST,
                "/internal/v1/containers/prune",
                ContainerPrune,
            ),
            (
                Method::GET,
                "/internal/v1/containers/prune",
                ContainerInspect("prune".into()),
            ),
            (
                Method::GET,
                "/internal/v1/containers/abc",
                ContainerInspect(id.clone()),
            ),
            (
                Method::DELETE,
                "/internal/v1/containers/abc",
                ContainerRemove(id.clone()),
            ),
            (
                Method::POST,
                "/internal/v1/containers/abc/start",
                ContainerStart(id.clone()),
            ),
            (
                Method::POST,
                "/internal/v1/containers/abc/stop",
                ContainerStop(id.clone()),
            ),
            (
                Method::POST,
                "/internal/v1/containers/abc/kill",
                ContainerKill(id.clone()),
            ),
            (
                Method::POST,
                "/internal/v1/containers/abc/restart",
                ContainerRestart(id.clone()),
            ),
            (
                Method::POST,
                "/internal/v1/containers/abc/pause",
                ContainerPause(id.clone()),
            ),
            (
                Method::POST,
                "/internal/v1/containers/abc/unpause",
                ContainerUnpause(id.clone()),
            ),
            (
                Method::POST,
                "/internal/v1/containers/abc/rename",
                ContainerRename(id.clone()),
            ),
            (
                Method::GET,
                "/internal/v1/containers/abc/logs",
                ContainerLogs(id.clone()),
            ),
            (
                Method::GET,
                "/internal/v1/containers/abc/logs/stream",
                ContainerLogsStream(id.clone()),
            ),
            (
                Method::GET,
                "/internal/v1/containers/abc/wait",
                ContainerWait(id.clone()),
            ),
            (
                Method::GET,
                "/internal/v1/containers/abc/attach",
                ContainerAttach(id.clone()),
            ),
            (
                Method::GET,
                "/internal/v1/containers/abc/top",
                ContainerTop(id.clone()),
            ),
            (
                Method::GET,
                "/internal/v1/containers/abc/stats",
                ContainerStats(id.clone()),
            ),
            (
                Method::POST,
                "/internal/v1/containers/abc/exec",
                ExecCreate(id.clone()),
            ),
            (
                Method::GET,
                "/internal/v1/exec/abc",
                ExecInspect(id.clone()),
            ),
            (
                Method::POST,
                "/internal/v1/exec/abc/start",
                ExecStart(id.clone()),
            ),
            (
                Method::GET,
                "/internal/v1/exec/abc/start",
                ExecStartStream(id.clone()),
            ),
            (Method::POST, "/internal/v1/images/pull", ImagePull),
            (Method::GET, "/internal/v1/images", ImageList),
            (Method::POST, "/internal/v1/images/load", ImageLoad),
            (Method::POST, "/internal/v1/images/prune", ImagePrune),
            (
                Method::GET,
                "/internal/v1/images/nginx",
                ImageInspect("nginx".into()),
            ),
            (
                Method::GET,
                "/internal/v1/images/registry.example.com:5000/team/app:1.2",
                ImageInspect("registry.example.com:5000/team/app:1.2".into()),
            ),
            (
                Method::DELETE,
                "/internal/v1/images/library/nginx:latest",
                ImageRemove("library/nginx:latest".into()),
            ),
            (
                Method::POST,
                "/internal/v1/images/a/b/tag",
                ImageTag("a/b".into()),
            ),
            (
                Method::GET,
                "/internal/v1/images/a/tag",
                ImageInspect("a/tag".into()),
            ),
            (Method::POST, "/internal/v1/networks", NetworkCreate),
            (Method::GET, "/internal/v1/networks", NetworkList),
            (Method::POST, "/internal/v1/networks/prune", NetworkPrune),
            (
                Method::GET,
                "/internal/v1/networks/n1",
                NetworkInspect("n1".into()),
            ),
            (
                Method::DELETE,
                "/internal/v1/networks/n1",
                NetworkRemove("n1".into()),
            ),
            (
                Method::POST,
                "/internal/v1/networks/n1/connect",
                NetworkConnect("n1".into()),
            ),
            (
                Method::POST,
                "/internal/v1/networks/n1/disconnect",
                NetworkDisconnect("n1".into()),
            ),
            (Method::POST, "/internal/v1/volumes", VolumeCreate),
            (Method::GET, "/internal/v1/volumes", VolumeList),
            (Method::POST, "/internal/v1/volumes/prune", VolumePrune),
            (
                Method::GET,
                "/internal/v1/volumes/v1",
                VolumeInspect("v1".into()),
            ),
            (
                Method::DELETE,
                "/internal/v1/volumes/v1",
                VolumeRemove("v1".into()),
            ),
            (
                Method::POST,
                "/internal/v1/memory/reset",
                Extension("/memory/reset".into()),
            ),
            (
                Method::GET,
                "/internal/v1/containers/a%20b",
                ContainerInspect("a b".into()),
            ),
            (
                Method::GET,
                "/internal/v1/containers/a%2Fb",
                ContainerInspect("a/b".into()),
            ),
        ];
        for (method, path, want) in table {
            assert_eq!(ok(method.clone(), path), want, "{method} {path}");
        }
    }

    #[test]
    fn unknown_paths_are_404() {
        for path in [
            "/",
            "/internal/v1",
            "/internal/v1/",
            "/internal/v2/capabilities",
            "/internal/v1x/capabilities",
            "/capabilities",
            "/internal/v1/containers/abc/frobnicate",
            "/internal/v1/containers//start",
            "/internal/v1/capabilities/",
        ] {
            match Route::parse(&Method::GET, path) {
                Err(Error::NotFound(m)) => assert_eq!(m, "page not found", "{path}"),
                Ok(Route::Extension(_)) if path.starts_with("/internal/v1/") => {}
                other => panic!("{path}: {other:?}"),
            }
        }
    }

    #[test]
    fn core_paths_do_not_fall_to_extensions() {
        assert!(matches!(
            Route::parse(&Method::GET, "/internal/v1/containers/abc/frobnicate"),
            Err(Error::NotFound(_))
        ));
    }

    #[test]
    fn wrong_method_is_405_with_allow() {
        let table = [
            (Method::DELETE, "/internal/v1/capabilities", "GET"),
            (Method::PUT, "/internal/v1/containers", "GET, POST"),
            (Method::GET, "/internal/v1/containers/x/start", "POST"),
            (Method::POST, "/internal/v1/images/nginx", "GET, DELETE"),
            (Method::PATCH, "/internal/v1/exec/x/start", "GET, POST"),
        ];
        for (method, path, want) in table {
            match Route::parse(&method, path) {
                Err(Error::MethodNotAllowed { allow, message }) => {
                    assert_eq!(allow, want, "{path}");
                    assert!(message.contains(want), "{message}");
                }
                other => panic!("{method} {path}: {other:?}"),
            }
        }
    }

    #[test]
    fn bad_percent_encoding_is_400() {
        assert!(matches!(
            Route::parse(&Method::GET, "/internal/v1/containers/%ff"),
            Err(Error::BadRequest(_))
        ));
    }

    /// One of every route, path parameters `abc`.
    fn every_route() -> Vec<Route> {
        every_route_with("abc")
    }

    /// One of every route, path parameters `param`.
    fn every_route_with(param: &str) -> Vec<Route> {
        let id = || param.to_string();
        vec![
            Capabilities,
            Info,
            Version,
            Events,
            ContainerCreate,
            ContainerList,
            ContainerPrune,
            ContainerInspect(id()),
            ContainerStart(id()),
            ContainerStop(id()),
            ContainerKill(id()),
            ContainerRestart(id()),
            ContainerPause(id()),
            ContainerUnpause(id()),
            ContainerRename(id()),
            ContainerRemove(id()),
            ContainerLogs(id()),
            ContainerLogsStream(id()),
            ContainerWait(id()),
            ContainerAttach(id()),
            ContainerTop(id()),
            ContainerStats(id()),
            ContainerArchiveStat(id()),
            ContainerArchiveGet(id()),
            ContainerArchivePut(id()),
            ContainerExport(id()),
            ContainerChanges(id()),
            ContainerCommit(id()),
            ExecCreate(id()),
            ExecInspect(id()),
            ExecStart(id()),
            ExecStartStream(id()),
            ImagePull,
            ImageList,
            ImageLoad,
            ImagePrune,
            ImageInspect(id()),
            ImageTag(id()),
            ImageRemove(id()),
            ImageSave,
            Auth,
            NetworkCreate,
            NetworkList,
            NetworkPrune,
            NetworkInspect(id()),
            NetworkConnect(id()),
            NetworkDisconnect(id()),
            NetworkRemove(id()),
            VolumeCreate,
            VolumeList,
            VolumePrune,
            VolumeInspect(id()),
            VolumeRemove(id()),
            Extension("/memory/reset".into()),
        ]
    }

    #[test]
    fn every_operation_has_exactly_one_route_and_references_are_the_path_parameter() {
        let all = every_route();
        let ops: Vec<Operation> = all.iter().filter_map(Route::operation).collect();
        assert_eq!(ops, Operation::ALL);
        for r in &all {
            let has_param = format!("{r:?}").contains("(\"abc\")");
            assert_eq!(r.reference(), has_param.then_some("abc"), "{r:?}");
        }
    }

    #[test]
    fn every_route_parses_back_from_its_method_and_path() {
        let awkward = [
            "abc",
            "prune",
            "pull",
            "load",
            "tag",
            "a/tag",
            "my/app:v1",
            "docker.io/library/nginx:latest",
            "a b%c?d#e",
            "é",
        ];
        for param in awkward {
            for route in every_route_with(param) {
                let path = route.path();
                // Extension routes take any method.
                let method = route.method().unwrap_or(Method::PATCH);
                assert_eq!(
                    Route::parse(&method, &path).ok(),
                    Some(route.clone()),
                    "{method} {path}"
                );
            }
        }
        assert_eq!(
            ContainerStart("/web".into()).path(),
            "/internal/v1/containers/%2Fweb/start"
        );
        assert_eq!(
            Extension("/memory/reset".into()).path(),
            "/internal/v1/memory/reset"
        );
        assert_eq!(Extension("/x".into()).method(), None);
    }

    #[test]
    fn names_are_unique() {
        let all = every_route();
        let mut names: Vec<_> = all.iter().map(Route::name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
