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
use sockerless_http::routed::split_segments;

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
        let raw = Segments::split(rest)?;
        if !raw.escaped {
            return choose(method, path, rest, raw.as_slice());
        }
        let decoded = decode(raw.as_slice())?;
        let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();
        choose(method, path, rest, &segs)
    }
}

/// The route `method` means on the path of these segments (after the
/// prefix, decoded); a path no core route has is an extension's unless its
/// first segment is a core one (404), and a core path asked with another
/// method is 405 with the methods it takes.
fn choose(method: &Method, path: &str, rest: &str, segs: &[&str]) -> Result<Route, Error> {
    let meanings = meanings(segs);
    if let Some((_, make)) = meanings.iter().find(|(m, _)| m == method) {
        return Ok(make(segs));
    }
    if meanings.is_empty() {
        return match segs.first() {
            Some(first) if !CORE.contains(first) => Ok(Route::Extension(rest.to_string())),
            _ => Err(page_not_found()),
        };
    }
    let mut allow: Vec<&str> = meanings.iter().map(|(m, _)| m.as_str()).collect();
    allow.dedup();
    let allow = allow.join(", ");
    Err(Error::MethodNotAllowed {
        message: format!("method {method} not allowed on {path}; allowed: {allow}"),
        allow,
    })
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

/// The segments every core route fits in (image names and extension paths
/// may have more).
const FEW: usize = 8;

/// The path's segments after the prefix, still encoded: on the stack when
/// there are [`FEW`] or fewer ([`split_segments`]), as for every request but
/// those of long image names and extensions (the allocation cost as much as
/// the routing).
struct Segments<'a> {
    few: [&'a str; FEW],
    len: usize,
    /// All of them, once there are more than [`FEW`].
    many: Vec<&'a str>,
    /// Whether any of them has a `%` (and so is decoded).
    escaped: bool,
}

impl<'a> Segments<'a> {
    /// Splits the path after the prefix at each `/`. An empty segment (`//`,
    /// a trailing `/`) is not a route (unless a segment before it does not
    /// decode: that one is the error).
    fn split(rest: &'a str) -> Result<Self, Error> {
        let trimmed = rest.strip_prefix('/').unwrap_or(rest);
        let mut segments = Segments {
            few: [""; FEW],
            len: 0,
            many: Vec::new(),
            escaped: trimmed.contains('%'),
        };
        if !trimmed.is_empty() {
            segments.len = match split_segments(trimmed, &mut segments.few) {
                Some(len) => len,
                None => {
                    segments.many = trimmed.split('/').collect();
                    segments.many.len()
                }
            };
        }
        let all = segments.as_slice();
        if let Some(at) = all.iter().position(|s| s.is_empty()) {
            // The first bad segment decides, as when each was decoded in turn.
            decode(&all[..at])?;
            return Err(page_not_found());
        }
        Ok(segments)
    }

    fn as_slice(&self) -> &[&'a str] {
        if self.len <= FEW {
            &self.few[..self.len]
        } else {
            &self.many
        }
    }
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

/// One thing a path can mean: a method, and the route it makes of the
/// path's segments. Only the route asked for is made (its parameter is the
/// request's one allocation in the router).
type Meaning = (Method, fn(&[&str]) -> Route);

/// The second segment: a container, exec, network or volume reference.
fn second(segs: &[&str]) -> String {
    segs.get(1).copied().unwrap_or_default().to_string()
}

/// Everything after `images`: an image name may contain `/`.
fn image_name(segs: &[&str]) -> String {
    segs.get(1..).unwrap_or_default().join("/")
}

/// Everything between `images` and the trailing `tag`.
fn tagged_image_name(segs: &[&str]) -> String {
    segs.get(1..segs.len().saturating_sub(1))
        .unwrap_or_default()
        .join("/")
}

/// Every (method, route) the segments can mean, in the order a 405 lists
/// them.
fn meanings(segs: &[&str]) -> &'static [Meaning] {
    use Route::*;
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    const DELETE: Method = Method::DELETE;
    match segs {
        ["capabilities"] => &[(GET, |_| Capabilities)],
        ["info"] => &[(GET, |_| Info)],
        ["version"] => &[(GET, |_| Version)],
        ["events"] => &[(GET, |_| Events)],
        ["auth"] => &[(POST, |_| Auth)],

        ["containers"] => &[(GET, |_| ContainerList), (POST, |_| ContainerCreate)],
        ["containers", "prune"] => &[
            (POST, |_| ContainerPrune),
            (GET, |s| ContainerInspect(second(s))),
            (DELETE, |s| ContainerRemove(second(s))),
        ],
        ["containers", _] => &[
            (GET, |s| ContainerInspect(second(s))),
            (DELETE, |s| ContainerRemove(second(s))),
        ],
        ["containers", _, action] => match *action {
            "start" => &[(POST, |s| ContainerStart(second(s)))],
            "stop" => &[(POST, |s| ContainerStop(second(s)))],
            "kill" => &[(POST, |s| ContainerKill(second(s)))],
            "restart" => &[(POST, |s| ContainerRestart(second(s)))],
            "pause" => &[(POST, |s| ContainerPause(second(s)))],
            "unpause" => &[(POST, |s| ContainerUnpause(second(s)))],
            "rename" => &[(POST, |s| ContainerRename(second(s)))],
            "logs" => &[(GET, |s| ContainerLogs(second(s)))],
            "wait" => &[(GET, |s| ContainerWait(second(s)))],
            "attach" => &[(GET, |s| ContainerAttach(second(s)))],
            "top" => &[(GET, |s| ContainerTop(second(s)))],
            "stats" => &[(GET, |s| ContainerStats(second(s)))],
            "exec" => &[(POST, |s| ExecCreate(second(s)))],
            "archive" => &[
                (Method::HEAD, |s| ContainerArchiveStat(second(s))),
                (GET, |s| ContainerArchiveGet(second(s))),
                (Method::PUT, |s| ContainerArchivePut(second(s))),
            ],
            "export" => &[(GET, |s| ContainerExport(second(s)))],
            "changes" => &[(GET, |s| ContainerChanges(second(s)))],
            "commit" => &[(POST, |s| ContainerCommit(second(s)))],
            _ => &[],
        },
        ["containers", _, "logs", "stream"] => &[(GET, |s| ContainerLogsStream(second(s)))],

        ["exec", _] => &[(GET, |s| ExecInspect(second(s)))],
        ["exec", _, "start"] => &[
            (GET, |s| ExecStartStream(second(s))),
            (POST, |s| ExecStart(second(s))),
        ],

        ["images"] => &[(GET, |_| ImageList)],
        ["images", rest @ ..] => image_meanings(rest),

        ["networks"] => &[(GET, |_| NetworkList), (POST, |_| NetworkCreate)],
        ["networks", "prune"] => &[
            (POST, |_| NetworkPrune),
            (GET, |s| NetworkInspect(second(s))),
            (DELETE, |s| NetworkRemove(second(s))),
        ],
        ["networks", _] => &[
            (GET, |s| NetworkInspect(second(s))),
            (DELETE, |s| NetworkRemove(second(s))),
        ],
        ["networks", _, "connect"] => &[(POST, |s| NetworkConnect(second(s)))],
        ["networks", _, "disconnect"] => &[(POST, |s| NetworkDisconnect(second(s)))],

        ["volumes"] => &[(GET, |_| VolumeList), (POST, |_| VolumeCreate)],
        ["volumes", "prune"] => &[
            (POST, |_| VolumePrune),
            (GET, |s| VolumeInspect(second(s))),
            (DELETE, |s| VolumeRemove(second(s))),
        ],
        ["volumes", _] => &[
            (GET, |s| VolumeInspect(second(s))),
            (DELETE, |s| VolumeRemove(second(s))),
        ],
        _ => &[],
    }
}

/// Image names may contain `/` (and `:`), so everything after `images/` is the
/// name (`rest`), except a trailing `tag` action and the fixed POST routes.
fn image_meanings(rest: &[&str]) -> &'static [Meaning] {
    use Route::*;
    const INSPECT: Meaning = (Method::GET, |s| ImageInspect(image_name(s)));
    const REMOVE: Meaning = (Method::DELETE, |s| ImageRemove(image_name(s)));
    match rest {
        ["pull"] => &[INSPECT, REMOVE, (Method::POST, |_| ImagePull)],
        ["load"] => &[INSPECT, REMOVE, (Method::POST, |_| ImageLoad)],
        ["prune"] => &[INSPECT, REMOVE, (Method::POST, |_| ImagePrune)],
        ["save"] => &[INSPECT, REMOVE, (Method::POST, |_| ImageSave)],
        [_, .., "tag"] => &[
            INSPECT,
            REMOVE,
            (Method::POST, |s| ImageTag(tagged_image_name(s))),
        ],
        _ => &[INSPECT, REMOVE],
    }
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
    fn paths_of_more_segments_than_the_stack_holds_route_alike() {
        let name = "r.example/a/b/c/d/e/f/g/h";
        let path = format!("/internal/v1/images/{name}");
        assert_eq!(ok(Method::GET, &path), ImageInspect(name.into()));
        assert_eq!(
            ok(Method::POST, &format!("{path}/tag")),
            ImageTag(name.into())
        );
        assert_eq!(
            ok(Method::DELETE, &format!("{path}/tag")),
            ImageRemove(format!("{name}/tag"))
        );
        assert_eq!(
            ok(Method::GET, "/internal/v1/images/a/b/c/d/e/f/g/h%2Fi/j"),
            ImageInspect("a/b/c/d/e/f/g/h/i/j".into())
        );
        assert_eq!(
            ok(Method::GET, "/internal/v1/memory/1/2/3/4/5/6/7/8/9"),
            Extension("/memory/1/2/3/4/5/6/7/8/9".into())
        );
        assert!(matches!(
            Route::parse(&Method::GET, "/internal/v1/images/a/b/c/d/e/f/g/h/i//j"),
            Err(Error::NotFound(_))
        ));
        assert!(matches!(
            Route::parse(&Method::GET, "/internal/v1/images/a/b/c/d/e/f/g/h/%ff/j"),
            Err(Error::BadRequest(_))
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
