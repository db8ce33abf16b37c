//! Docker's routes as one typed enum. [`DockerRoute::parse`] takes the method
//! and the path with its `/v{V}` prefix already removed and percent-decoded
//! once; `None` is Docker's 404 `page not found` (unknown path, or a known path
//! with a method it does not serve).
//!
//! ```
//! use http::Method;
//! use sockerless_docker::route::DockerRoute;
//! assert_eq!(
//!     DockerRoute::parse(&Method::DELETE, "/images/my/alpine:v1"),
//!     Some(DockerRoute::ImageRemove("my/alpine:v1".into()))
//! );
//! assert_eq!(DockerRoute::parse(&Method::PUT, "/_ping"), None);
//! ```

use http::Method;
use sockerless_http::routed::split_segments;

/// One Docker Engine API route with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerRoute {
    // --- system (dispatch/system.rs, dispatch/events.rs) ---------------------
    /// `GET|HEAD /_ping`.
    Ping,
    /// `GET /version`.
    Version,
    /// `GET /info`.
    Info,
    /// `GET /events`.
    Events,
    /// `GET /system/df`.
    SystemDf,
    /// `POST /auth`.
    Auth,
    /// `POST /build/prune`.
    BuildPrune,

    // --- containers (dispatch/containers.rs; stats in dispatch/stats.rs) -----
    /// `POST /containers/create`.
    ContainerCreate,
    /// `GET /containers/json`.
    ContainerList,
    /// `POST /containers/prune`.
    ContainerPrune,
    /// `GET /containers/{id}/json`.
    ContainerInspect(String),
    /// `GET /containers/{id}/top`.
    ContainerTop(String),
    /// `GET /containers/{id}/logs`.
    ContainerLogs(String),
    /// `GET /containers/{id}/stats`.
    ContainerStats(String),
    /// `POST /containers/{id}/resize`.
    ContainerResize(String),
    /// `POST /containers/{id}/start`.
    ContainerStart(String),
    /// `POST /containers/{id}/stop`.
    ContainerStop(String),
    /// `POST /containers/{id}/restart`.
    ContainerRestart(String),
    /// `POST /containers/{id}/kill`.
    ContainerKill(String),
    /// `POST /containers/{id}/pause`.
    ContainerPause(String),
    /// `POST /containers/{id}/unpause`.
    ContainerUnpause(String),
    /// `POST /containers/{id}/rename`.
    ContainerRename(String),
    /// `POST /containers/{id}/update`.
    ContainerUpdate(String),
    /// `POST /containers/{id}/attach` (hijacked).
    ContainerAttach(String),
    /// `POST /containers/{id}/wait`.
    ContainerWait(String),
    /// `DELETE /containers/{id}`.
    ContainerRemove(String),
    /// `HEAD /containers/{id}/archive` (dispatch/files.rs).
    ContainerArchiveStat(String),
    /// `GET /containers/{id}/archive`.
    ContainerArchiveGet(String),
    /// `PUT /containers/{id}/archive`.
    ContainerArchivePut(String),
    /// `GET /containers/{id}/export`.
    ContainerExport(String),
    /// `GET /containers/{id}/changes`.
    ContainerChanges(String),
    /// `POST /commit`.
    Commit,

    // --- exec (dispatch/exec.rs) ---------------------------------------------
    /// `POST /containers/{id}/exec`.
    ExecCreate(String),
    /// `POST /exec/{id}/start` (hijacked unless detached).
    ExecStart(String),
    /// `POST /exec/{id}/resize`.
    ExecResize(String),
    /// `GET /exec/{id}/json`.
    ExecInspect(String),

    // --- images (dispatch/images.rs) -------------------------------------------
    /// `POST /images/create` (pull; `fromSrc` import is 501).
    ImageCreate,
    /// `GET /images/json`.
    ImageList,
    /// `POST /images/load`.
    ImageLoad,
    /// `POST /images/prune`.
    ImagePrune,
    /// `GET /images/{name}/json`.
    ImageInspect(String),
    /// `GET /images/{name}/history`.
    ImageHistory(String),
    /// `POST /images/{name}/tag`.
    ImageTag(String),
    /// `DELETE /images/{name}`.
    ImageRemove(String),
    /// `GET /images/get?names=` (dispatch/files.rs).
    ImageSaveMany,
    /// `GET /images/{name}/get`.
    ImageSave(String),

    // --- networks (dispatch/networks.rs) ---------------------------------------
    /// `POST /networks/create`.
    NetworkCreate,
    /// `GET /networks`.
    NetworkList,
    /// `POST /networks/prune`.
    NetworkPrune,
    /// `GET /networks/{id}`.
    NetworkInspect(String),
    /// `POST /networks/{id}/connect`.
    NetworkConnect(String),
    /// `POST /networks/{id}/disconnect`.
    NetworkDisconnect(String),
    /// `DELETE /networks/{id}`.
    NetworkRemove(String),

    // --- volumes (dispatch/volumes.rs) -----------------------------------------
    /// `POST /volumes/create`.
    VolumeCreate,
    /// `GET /volumes`.
    VolumeList,
    /// `POST /volumes/prune`.
    VolumePrune,
    /// `GET /volumes/{name}`.
    VolumeInspect(String),
    /// `DELETE /volumes/{name}`.
    VolumeRemove(String),

    // --- answered by the frontend itself ---------------------------------------
    /// `OPTIONS` on any path: 200, empty (moby's system router).
    Options,
    /// `/swarm*`: 503 `This node is not a swarm manager…`.
    Swarm,
    /// A Docker route sockerless does not serve: 501 `<METHOD> <path> is not
    /// supported by sockerless`.
    Unsupported,
}

/// The message of a swarm route (moby `daemon/cluster/errors.go`).
pub const NOT_A_SWARM_MANAGER: &str = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";

/// The 501 message of an unsupported route.
pub fn unsupported_message(method: &Method, path: &str) -> String {
    format!("{method} {path} is not supported by sockerless")
}

/// More path segments than any route but the images' has.
const MAX_SEGMENTS: usize = 8;

/// Top-level path segments whose whole subtree is unsupported (§2.6).
const UNSUPPORTED_TREES: &[&str] = &[
    "nodes",
    "services",
    "tasks",
    "secrets",
    "configs",
    "plugins",
    "session",
    "grpc",
    "distribution",
];

impl DockerRoute {
    /// Routes a request; `path` has no version prefix and is decoded.
    pub fn parse(method: &Method, path: &str) -> Option<DockerRoute> {
        if method == Method::OPTIONS {
            return Some(DockerRoute::Options);
        }
        let rest = path.strip_prefix('/')?;
        // The segments in an array, not a vector: no route has more than
        // `MAX_SEGMENTS`, so a longer path matches none but the subtrees
        // (and the images, whose names have slashes, routed on `rest`).
        let mut buf = [""; MAX_SEGMENTS];
        let count = split_segments(rest, &mut buf);
        let longer = count.is_none();
        let segs = &buf[..count.unwrap_or(MAX_SEGMENTS)];
        let first = segs.first().copied().unwrap_or("");
        if first == "swarm" {
            return Some(DockerRoute::Swarm);
        }
        if UNSUPPORTED_TREES.contains(&first) {
            return Some(DockerRoute::Unsupported);
        }
        if longer && first != "images" {
            return None;
        }
        match first {
            "containers" => containers(method, &segs[1..]),
            "exec" => exec(method, &segs[1..]),
            "images" => images(method, rest.strip_prefix("images/")),
            "networks" => networks(method, &segs[1..]),
            "volumes" => volumes(method, &segs[1..]),
            _ => system(method, segs),
        }
    }

    /// A short stable name for logs (`container_start`, …).
    pub fn name(&self) -> &'static str {
        use DockerRoute::*;
        match self {
            Ping => "ping",
            Version => "version",
            Info => "info",
            Events => "events",
            SystemDf => "system_df",
            Auth => "auth",
            BuildPrune => "build_prune",
            ContainerCreate => "container_create",
            ContainerList => "container_list",
            ContainerPrune => "container_prune",
            ContainerInspect(_) => "container_inspect",
            ContainerTop(_) => "container_top",
            ContainerLogs(_) => "container_logs",
            ContainerStats(_) => "container_stats",
            ContainerResize(_) => "container_resize",
            ContainerStart(_) => "container_start",
            ContainerStop(_) => "container_stop",
            ContainerRestart(_) => "container_restart",
            ContainerKill(_) => "container_kill",
            ContainerPause(_) => "container_pause",
            ContainerUnpause(_) => "container_unpause",
            ContainerRename(_) => "container_rename",
            ContainerUpdate(_) => "container_update",
            ContainerAttach(_) => "container_attach",
            ContainerWait(_) => "container_wait",
            ContainerRemove(_) => "container_remove",
            ContainerArchiveStat(_) => "container_archive_stat",
            ContainerArchiveGet(_) => "container_archive_get",
            ContainerArchivePut(_) => "container_archive_put",
            ContainerExport(_) => "container_export",
            ContainerChanges(_) => "container_changes",
            Commit => "container_commit",
            ExecCreate(_) => "exec_create",
            ExecStart(_) => "exec_start",
            ExecResize(_) => "exec_resize",
            ExecInspect(_) => "exec_inspect",
            ImageCreate => "image_pull",
            ImageList => "image_list",
            ImageLoad => "image_load",
            ImagePrune => "image_prune",
            ImageInspect(_) => "image_inspect",
            ImageHistory(_) => "image_history",
            ImageTag(_) => "image_tag",
            ImageRemove(_) => "image_remove",
            ImageSaveMany => "image_save",
            ImageSave(_) => "image_save_one",
            NetworkCreate => "network_create",
            NetworkList => "network_list",
            NetworkPrune => "network_prune",
            NetworkInspect(_) => "network_inspect",
            NetworkConnect(_) => "network_connect",
            NetworkDisconnect(_) => "network_disconnect",
            NetworkRemove(_) => "network_remove",
            VolumeCreate => "volume_create",
            VolumeList => "volume_list",
            VolumePrune => "volume_prune",
            VolumeInspect(_) => "volume_inspect",
            VolumeRemove(_) => "volume_remove",
            Options => "options",
            Swarm => "swarm",
            Unsupported => "unsupported",
        }
    }

    /// Whether the route reads its request body as a stream (exempt from the
    /// body limit): image load. (Archive PUT and build join it when served.)
    pub fn streams_body(&self) -> bool {
        matches!(self, DockerRoute::ImageLoad)
    }

    /// The path parameter (container, exec, image, network or volume
    /// reference), when the route has one.
    pub fn reference(&self) -> Option<&str> {
        use DockerRoute::*;
        match self {
            ContainerInspect(r)
            | ContainerTop(r)
            | ContainerLogs(r)
            | ContainerStats(r)
            | ContainerResize(r)
            | ContainerStart(r)
            | ContainerStop(r)
            | ContainerRestart(r)
            | ContainerKill(r)
            | ContainerPause(r)
            | ContainerUnpause(r)
            | ContainerRename(r)
            | ContainerUpdate(r)
            | ContainerAttach(r)
            | ContainerWait(r)
            | ContainerRemove(r)
            | ContainerArchiveStat(r)
            | ContainerArchiveGet(r)
            | ContainerArchivePut(r)
            | ContainerExport(r)
            | ContainerChanges(r)
            | ImageSave(r)
            | ExecCreate(r)
            | ExecStart(r)
            | ExecResize(r)
            | ExecInspect(r)
            | ImageInspect(r)
            | ImageHistory(r)
            | ImageTag(r)
            | ImageRemove(r)
            | NetworkInspect(r)
            | NetworkConnect(r)
            | NetworkDisconnect(r)
            | NetworkRemove(r)
            | VolumeInspect(r)
            | VolumeRemove(r) => Some(r),
            _ => None,
        }
    }
}

fn is_get(m: &Method) -> bool {
    m == Method::GET
}

fn is_post(m: &Method) -> bool {
    m == Method::POST
}

fn system(m: &Method, segs: &[&str]) -> Option<DockerRoute> {
    use DockerRoute::*;
    let route = match segs {
        ["_ping"] if is_get(m) || m == Method::HEAD => Ping,
        ["version"] if is_get(m) => Version,
        ["info"] if is_get(m) => Info,
        ["events"] if is_get(m) => Events,
        ["system", "df"] if is_get(m) => SystemDf,
        ["auth"] if is_post(m) => Auth,
        ["build", "prune"] if is_post(m) => BuildPrune,
        ["commit"] if is_post(m) => Commit,
        ["build"] if is_post(m) => Unsupported,
        _ => return None,
    };
    Some(route)
}

fn containers(m: &Method, segs: &[&str]) -> Option<DockerRoute> {
    use DockerRoute::*;
    let id = |s: &str| s.to_string();
    let route = match segs {
        ["create"] if is_post(m) => ContainerCreate,
        ["json"] if is_get(m) => ContainerList,
        ["prune"] if is_post(m) => ContainerPrune,
        [c] if m == Method::DELETE && !c.is_empty() => ContainerRemove(id(c)),
        [c, rest @ ..] if !c.is_empty() => container_sub(m, c, rest)?,
        _ => return None,
    };
    Some(route)
}

fn container_sub(m: &Method, c: &str, rest: &[&str]) -> Option<DockerRoute> {
    use DockerRoute::*;
    let c = c.to_string();
    let get = is_get(m);
    let post = is_post(m);
    let route = match rest {
        ["json"] if get => ContainerInspect(c),
        ["top"] if get => ContainerTop(c),
        ["logs"] if get => ContainerLogs(c),
        ["stats"] if get => ContainerStats(c),
        ["resize"] if post => ContainerResize(c),
        ["start"] if post => ContainerStart(c),
        ["stop"] if post => ContainerStop(c),
        ["restart"] if post => ContainerRestart(c),
        ["kill"] if post => ContainerKill(c),
        ["pause"] if post => ContainerPause(c),
        ["unpause"] if post => ContainerUnpause(c),
        ["rename"] if post => ContainerRename(c),
        ["update"] if post => ContainerUpdate(c),
        ["attach"] if post => ContainerAttach(c),
        ["wait"] if post => ContainerWait(c),
        ["exec"] if post => ExecCreate(c),
        ["archive"] if m == Method::HEAD => ContainerArchiveStat(c),
        ["archive"] if get => ContainerArchiveGet(c),
        ["archive"] if m == Method::PUT => ContainerArchivePut(c),
        ["export"] if get => ContainerExport(c),
        ["changes"] if get => ContainerChanges(c),
        ["attach", "ws"] if get => Unsupported,
        _ => return None,
    };
    Some(route)
}

fn exec(m: &Method, segs: &[&str]) -> Option<DockerRoute> {
    use DockerRoute::*;
    let route = match segs {
        [id, "start"] if is_post(m) && !id.is_empty() => ExecStart(id.to_string()),
        [id, "resize"] if is_post(m) && !id.is_empty() => ExecResize(id.to_string()),
        [id, "json"] if is_get(m) && !id.is_empty() => ExecInspect(id.to_string()),
        _ => return None,
    };
    Some(route)
}

/// Image names keep their `/` and `:`: the fixed routes first, then the
/// suffixes `/json /tag /history /push /get` matched by hand.
fn images(m: &Method, rest: Option<&str>) -> Option<DockerRoute> {
    use DockerRoute::*;
    let rest = rest.filter(|r| !r.is_empty())?;
    let get = is_get(m);
    let post = is_post(m);
    let fixed = match rest {
        "json" if get => Some(ImageList),
        "create" if post => Some(ImageCreate),
        "load" if post => Some(ImageLoad),
        "prune" if post => Some(ImagePrune),
        "get" if get => Some(ImageSaveMany),
        "search" if get => Some(Unsupported),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    let named = |suffix: &str| {
        rest.strip_suffix(suffix)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
    };
    let route = if get {
        if let Some(n) = named("/json") {
            ImageInspect(n)
        } else if let Some(n) = named("/history") {
            ImageHistory(n)
        } else if let Some(n) = named("/get") {
            ImageSave(n)
        } else {
            return None;
        }
    } else if post {
        if let Some(n) = named("/tag") {
            ImageTag(n)
        } else if named("/push").is_some() {
            Unsupported
        } else {
            return None;
        }
    } else if m == Method::DELETE {
        ImageRemove(rest.to_string())
    } else {
        return None;
    };
    Some(route)
}

fn networks(m: &Method, segs: &[&str]) -> Option<DockerRoute> {
    use DockerRoute::*;
    let route = match segs {
        [] | [""] if is_get(m) => NetworkList,
        ["create"] if is_post(m) => NetworkCreate,
        ["prune"] if is_post(m) => NetworkPrune,
        [n] if is_get(m) && !n.is_empty() => NetworkInspect(n.to_string()),
        [n] if m == Method::DELETE && !n.is_empty() => NetworkRemove(n.to_string()),
        [n, "connect"] if is_post(m) && !n.is_empty() => NetworkConnect(n.to_string()),
        [n, "disconnect"] if is_post(m) && !n.is_empty() => NetworkDisconnect(n.to_string()),
        _ => return None,
    };
    Some(route)
}

fn volumes(m: &Method, segs: &[&str]) -> Option<DockerRoute> {
    use DockerRoute::*;
    let route = match segs {
        [] if is_get(m) => VolumeList,
        ["create"] if is_post(m) => VolumeCreate,
        ["prune"] if is_post(m) => VolumePrune,
        [n] if is_get(m) && !n.is_empty() => VolumeInspect(n.to_string()),
        [n] if m == Method::DELETE && !n.is_empty() => VolumeRemove(n.to_string()),
        [n] if m == Method::PUT && !n.is_empty() => Unsupported,
        _ => return None,
    };
    Some(route)
}

#[cfg(test)]
mod tests {
    use super::DockerRoute::*;
    use super::*;

    fn r(m: Method, p: &str) -> Option<DockerRoute> {
        DockerRoute::parse(&m, p)
    }

    #[test]
    fn a_path_longer_than_any_route_is_none_but_images_and_subtrees() {
        let deep = "/a/b/c/d/e/f/g/h/i";
        for top in ["/containers", "/exec", "/networks", "/volumes", ""] {
            assert_eq!(
                DockerRoute::parse(&Method::GET, &format!("{top}{deep}")),
                None,
                "{top}"
            );
        }
        assert_eq!(
            DockerRoute::parse(&Method::GET, &format!("/images{deep}/json")),
            Some(DockerRoute::ImageInspect("a/b/c/d/e/f/g/h/i".into()))
        );
        assert_eq!(
            DockerRoute::parse(&Method::GET, &format!("/nodes{deep}")),
            Some(DockerRoute::Unsupported)
        );
        // A path within the array routes as before.
        assert_eq!(
            DockerRoute::parse(&Method::GET, "/containers/c/json"),
            Some(DockerRoute::ContainerInspect("c".into()))
        );
    }

    #[test]
    fn every_route_of_the_contract() {
        let s = |x: &str| x.to_string();
        let table: Vec<(Method, &str, DockerRoute)> = vec![
            (Method::GET, "/_ping", Ping),
            (Method::HEAD, "/_ping", Ping),
            (Method::GET, "/version", Version),
            (Method::GET, "/info", Info),
            (Method::GET, "/events", Events),
            (Method::GET, "/system/df", SystemDf),
            (Method::POST, "/auth", Auth),
            (Method::POST, "/build/prune", BuildPrune),
            (Method::POST, "/containers/create", ContainerCreate),
            (Method::GET, "/containers/json", ContainerList),
            (Method::POST, "/containers/prune", ContainerPrune),
            (
                Method::GET,
                "/containers/web/json",
                ContainerInspect(s("web")),
            ),
            (Method::GET, "/containers/web/top", ContainerTop(s("web"))),
            (Method::GET, "/containers/web/logs", ContainerLogs(s("web"))),
            (
                Method::GET,
                "/containers/web/stats",
                ContainerStats(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/resize",
                ContainerResize(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/start",
                ContainerStart(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/stop",
                ContainerStop(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/restart",
                ContainerRestart(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/kill",
                ContainerKill(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/pause",
                ContainerPause(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/unpause",
                ContainerUnpause(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/rename",
                ContainerRename(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/update",
                ContainerUpdate(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/attach",
                ContainerAttach(s("web")),
            ),
            (
                Method::POST,
                "/containers/web/wait",
                ContainerWait(s("web")),
            ),
            (Method::DELETE, "/containers/web", ContainerRemove(s("web"))),
            (
                Method::HEAD,
                "/containers/web/archive",
                ContainerArchiveStat("web".into()),
            ),
            (
                Method::GET,
                "/containers/web/archive",
                ContainerArchiveGet("web".into()),
            ),
            (
                Method::PUT,
                "/containers/web/archive",
                ContainerArchivePut("web".into()),
            ),
            (
                Method::GET,
                "/containers/web/export",
                ContainerExport("web".into()),
            ),
            (
                Method::GET,
                "/containers/web/changes",
                ContainerChanges("web".into()),
            ),
            (Method::GET, "/containers/web/attach/ws", Unsupported),
            (Method::POST, "/containers/web/exec", ExecCreate(s("web"))),
            (Method::POST, "/exec/e1/start", ExecStart(s("e1"))),
            (Method::POST, "/exec/e1/resize", ExecResize(s("e1"))),
            (Method::GET, "/exec/e1/json", ExecInspect(s("e1"))),
            (Method::POST, "/images/create", ImageCreate),
            (Method::GET, "/images/json", ImageList),
            (Method::POST, "/images/load", ImageLoad),
            (Method::POST, "/images/prune", ImagePrune),
            (Method::GET, "/images/get", ImageSaveMany),
            (Method::GET, "/images/search", Unsupported),
            (
                Method::GET,
                "/images/alpine/json",
                ImageInspect(s("alpine")),
            ),
            (
                Method::GET,
                "/images/docker.io/library/alpine:3.19/json",
                ImageInspect(s("docker.io/library/alpine:3.19")),
            ),
            (
                Method::GET,
                "/images/alpine@sha256:abc/json",
                ImageInspect(s("alpine@sha256:abc")),
            ),
            (
                Method::GET,
                "/images/alpine/history",
                ImageHistory(s("alpine")),
            ),
            (
                Method::GET,
                "/images/alpine/get",
                ImageSave("alpine".into()),
            ),
            (
                Method::POST,
                "/images/my/alpine:v1/tag",
                ImageTag(s("my/alpine:v1")),
            ),
            (Method::POST, "/images/alpine/push", Unsupported),
            (
                Method::DELETE,
                "/images/my/alpine:v1",
                ImageRemove(s("my/alpine:v1")),
            ),
            (Method::DELETE, "/images/json", ImageRemove(s("json"))),
            (Method::POST, "/networks/create", NetworkCreate),
            (Method::GET, "/networks", NetworkList),
            (Method::GET, "/networks/", NetworkList),
            (Method::POST, "/networks/prune", NetworkPrune),
            (Method::GET, "/networks/n1", NetworkInspect(s("n1"))),
            (Method::DELETE, "/networks/n1", NetworkRemove(s("n1"))),
            (
                Method::POST,
                "/networks/n1/connect",
                NetworkConnect(s("n1")),
            ),
            (
                Method::POST,
                "/networks/n1/disconnect",
                NetworkDisconnect(s("n1")),
            ),
            (Method::POST, "/volumes/create", VolumeCreate),
            (Method::GET, "/volumes", VolumeList),
            (Method::POST, "/volumes/prune", VolumePrune),
            (Method::GET, "/volumes/v1", VolumeInspect(s("v1"))),
            (Method::DELETE, "/volumes/v1", VolumeRemove(s("v1"))),
            (Method::PUT, "/volumes/v1", Unsupported),
            (Method::POST, "/build", Unsupported),
            (Method::POST, "/commit", Commit),
            (Method::POST, "/swarm/leave", Swarm),
            (Method::GET, "/swarm", Swarm),
            (Method::GET, "/nodes", Unsupported),
            (Method::GET, "/plugins/x/json", Unsupported),
            (Method::POST, "/session", Unsupported),
            (Method::GET, "/distribution/alpine/json", Unsupported),
            (Method::OPTIONS, "/anything/at/all", Options),
        ];
        for (m, p, want) in table {
            assert_eq!(r(m.clone(), p), Some(want), "{m} {p}");
        }
    }

    #[test]
    fn unknown_paths_and_wrong_methods_are_none() {
        let table = [
            (Method::POST, "/_ping"),
            (Method::PUT, "/_ping"),
            (Method::POST, "/version"),
            (Method::GET, "/nosuch"),
            (Method::GET, "/containers/create"),
            (Method::POST, "/containers/json"),
            (Method::GET, "/containers/web/start"),
            (Method::GET, "/containers/web"),
            (Method::GET, "/containers//json"),
            (Method::GET, "/images/alpine"),
            (Method::POST, "/images/json"),
            (Method::GET, "/images/"),
            (Method::GET, "/exec/e1/start"),
            (Method::DELETE, "/volumes"),
            (Method::GET, "/vx/_ping"),
            (Method::GET, ""),
        ];
        for (m, p) in table {
            assert_eq!(r(m.clone(), p), None, "{m} {p}");
        }
    }

    #[test]
    fn names_and_references() {
        let route = r(Method::POST, "/containers/web/start").expect("route");
        assert_eq!(route.name(), "container_start");
        assert_eq!(route.reference(), Some("web"));
        assert_eq!(Ping.reference(), None);
        assert!(ImageLoad.streams_body());
        assert!(!ContainerCreate.streams_body());
        assert_eq!(
            unsupported_message(&Method::POST, "/build"),
            "POST /build is not supported by sockerless"
        );
    }
}
