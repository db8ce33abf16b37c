//! Types of the internal API: Docker Engine API v1.44 shapes (re-exported from
//! `bollard-stubs` as [`docker`]) plus the few that crate gets wrong or lacks, and
//! the typed options every route's query string is parsed into.

use std::borrow::Cow;
use std::fmt;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::Stream;
use serde::{Deserialize, Serialize};

pub use crate::docker::filters::Filters;
/// Docker's generated API v1.44 types.
pub use bollard_stubs::models as docker;

/// A boxed, sendable stream: how backends hand out long-lived results.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send + 'static>>;

/// What `GET /internal/v1/capabilities` answers. The names are `Cow`s: a
/// backend's own are static text, and building them must not allocate on a
/// route that answers them at every call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// The backend's name (`memory`, `ecs`, …).
    pub backend: Cow<'static, str>,
    /// The backend's version.
    pub version: Cow<'static, str>,
    /// What it can do.
    pub capabilities: CapabilitySet,
}

/// The capability flags a frontend consults before forwarding an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilitySet {
    /// `exec` create/start/inspect.
    pub exec: bool,
    /// Container attach.
    pub attach: bool,
    /// Container logs.
    pub logs: bool,
    /// Logs with `follow`.
    pub logs_follow: bool,
    /// Volumes.
    pub volumes: bool,
    /// Networks.
    pub networks: bool,
    /// Health checks.
    pub health_checks: bool,
    /// Image pull.
    pub image_pull: bool,
    /// Image load from a tar.
    pub image_load: bool,
    /// Containers' files: archive (`docker cp`), export, changes, commit and
    /// image save. Absent in older documents: false.
    #[serde(default)]
    pub archive: bool,
    /// Longest a container may run; 0 = unlimited.
    pub max_timeout_seconds: u64,
    /// Whether containers need the sockerless agent.
    pub agent_required: bool,
}

impl CapabilitySet {
    /// The memory backend's flags: everything, no timeout, no agent.
    pub const MEMORY: CapabilitySet = CapabilitySet {
        exec: true,
        attach: true,
        logs: true,
        logs_follow: true,
        volumes: true,
        networks: true,
        health_checks: true,
        image_pull: true,
        image_load: true,
        archive: true,
        max_timeout_seconds: 0,
        agent_required: false,
    };
}

impl Capabilities {
    /// The memory backend's capabilities: the seed's exact JSON.
    pub fn memory() -> Self {
        Capabilities {
            backend: "memory".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: CapabilitySet::MEMORY,
        }
    }
}

/// `{"Id": "..."}` — Docker's spelling (bollard's `IdResponse` writes `id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdResponse {
    /// The new object's ID.
    #[serde(rename = "Id")]
    pub id: String,
}

/// The body of `POST /containers`: the container config with `HostConfig` and
/// `NetworkingConfig` beside its fields, as Docker takes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerCreateBody {
    /// The container config (`Image`, `Cmd`, `Env`, …).
    #[serde(flatten)]
    pub config: docker::ContainerConfig,
    /// `HostConfig`.
    #[serde(
        rename = "HostConfig",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub host_config: Option<docker::HostConfig>,
    /// `NetworkingConfig`.
    #[serde(
        rename = "NetworkingConfig",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub networking_config: Option<docker::NetworkingConfig>,
}

/// Which standard stream a chunk of output belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StdStream {
    /// Standard output (stream byte 1).
    Stdout,
    /// Standard error (stream byte 2).
    Stderr,
}

impl StdStream {
    /// The stream byte of the attach framing: 1 stdout, 2 stderr.
    pub fn byte(self) -> u8 {
        match self {
            StdStream::Stdout => 1,
            StdStream::Stderr => 2,
        }
    }
}

/// One record of a container's log, as the logs routes send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRecord {
    /// `stdout` or `stderr`.
    #[serde(rename = "Stream")]
    pub stream: StdStream,
    /// RFC 3339 with nanoseconds.
    #[serde(rename = "Time")]
    pub time: String,
    /// The text, newline included.
    #[serde(rename = "Data")]
    pub data: String,
}

/// What an attach or exec session yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachEvent {
    /// A chunk of output.
    Output(StdStream, Bytes),
    /// The process ended with this status; nothing follows.
    Exit(i64),
}

/// `{"StatusCode": n, "Error": null}` — the wait result, with `Error` always sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitResponse {
    /// The exit status.
    #[serde(rename = "StatusCode")]
    pub status_code: i64,
    /// `{"Message": "..."}` or null.
    #[serde(rename = "Error")]
    pub error: Option<WaitError>,
}

/// The error of a wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitError {
    /// What went wrong.
    #[serde(rename = "Message")]
    pub message: String,
}

/// `condition` of a container wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitCondition {
    /// Return when the container is not running (at once if it is not).
    NotRunning,
    /// Return at the container's next exit.
    NextExit,
    /// Return when the container is removed.
    Removed,
}

impl WaitCondition {
    /// Parses Docker's condition names; `None`/empty means `not-running`.
    pub fn parse(s: Option<&str>) -> Result<Self, crate::Error> {
        match s.unwrap_or("") {
            "" | "not-running" => Ok(WaitCondition::NotRunning),
            "next-exit" => Ok(WaitCondition::NextExit),
            "removed" => Ok(WaitCondition::Removed),
            other => Err(crate::Error::bad_request(format!(
                "invalid condition: \"{other}\""
            ))),
        }
    }
}

/// Docker exec inspect, with `ExitCode` sent as `null` until the exec ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct ExecInspect {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "ContainerID")]
    pub container_id: String,
    #[serde(rename = "Running")]
    pub running: bool,
    #[serde(rename = "ExitCode")]
    pub exit_code: Option<i64>,
    #[serde(rename = "Pid")]
    pub pid: i64,
    #[serde(rename = "ProcessConfig")]
    pub process_config: docker::ProcessConfig,
    #[serde(rename = "OpenStdin")]
    pub open_stdin: bool,
    #[serde(rename = "OpenStdout")]
    pub open_stdout: bool,
    #[serde(rename = "OpenStderr")]
    pub open_stderr: bool,
    #[serde(rename = "CanRemove")]
    pub can_remove: bool,
    #[serde(rename = "DetachKeys")]
    pub detach_keys: String,
}

/// Registry credentials for `POST /auth` and `X-Registry-Auth`. Its `Debug` never
/// shows the password or token.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthConfig {
    /// User name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// E-mail (deprecated by Docker, accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Registry address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serveraddress: Option<String>,
    /// Identity token (secret).
    #[serde(
        default,
        rename = "identitytoken",
        skip_serializing_if = "Option::is_none"
    )]
    pub identity_token: Option<String>,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("serveraddress", &self.serveraddress)
            .finish_non_exhaustive()
    }
}

/// `{"Status": "Login Succeeded", "IdentityToken": ""}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthResponse {
    /// `Login Succeeded`.
    #[serde(rename = "Status")]
    pub status: String,
    /// Always empty here.
    #[serde(rename = "IdentityToken")]
    pub identity_token: String,
}

/// A secret header value (`X-Registry-Auth`) whose `Debug` hides it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Query of `POST /images/pull`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullOptions {
    /// `fromImage`: the reference, possibly with a tag or digest.
    pub from_image: String,
    /// `tag`, when given separately.
    pub tag: Option<String>,
    /// `platform` (`linux/amd64`).
    pub platform: Option<String>,
    /// `X-Registry-Auth`, never logged.
    pub registry_auth: Option<Secret>,
}

/// Query of `GET /images`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageListOptions {
    /// `all`.
    pub all: bool,
    /// `digests`.
    pub digests: bool,
    /// `filters`.
    pub filters: Filters,
}

/// Query of `DELETE /images/{name}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageRemoveOptions {
    /// `force`.
    pub force: bool,
    /// `noprune`.
    pub noprune: bool,
}

/// Query of `GET /containers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerListOptions {
    /// `all`: include stopped containers.
    pub all: bool,
    /// `limit`: the newest N (any state).
    pub limit: Option<usize>,
    /// `size`.
    pub size: bool,
    /// `filters`.
    pub filters: Filters,
}

/// Query of `POST /containers/{ref}/stop` and `/restart`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StopOptions {
    /// `t`: seconds to wait before killing.
    pub timeout: Option<i64>,
    /// `signal`: the stop signal, instead of the container's own.
    pub signal: Option<String>,
}

/// Query of `DELETE /containers/{ref}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContainerRemoveOptions {
    /// `force`: kill a running container first.
    pub force: bool,
    /// `v`: remove anonymous volumes.
    pub volumes: bool,
    /// `link`: remove a link (accepted, ignored).
    pub link: bool,
}

/// Query of the logs routes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogsOptions {
    /// `stdout`.
    pub stdout: bool,
    /// `stderr`.
    pub stderr: bool,
    /// `since` (unix time, RFC 3339 or a duration back from now).
    pub since: Option<String>,
    /// `until`.
    pub until: Option<String>,
    /// `timestamps`.
    pub timestamps: bool,
    /// `tail`: `all` or a number.
    pub tail: Option<String>,
    /// Whether the request is the following (WebSocket) form.
    pub follow: bool,
}

/// Query of the attach route.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttachOptions {
    /// `stdin`.
    pub stdin: bool,
    /// `stdout`.
    pub stdout: bool,
    /// `stderr`.
    pub stderr: bool,
    /// `logs`: replay the log first.
    pub logs: bool,
    /// `stream`: then stream live output.
    pub stream: bool,
}

/// Query of `GET /events`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventsOptions {
    /// `since`.
    pub since: Option<String>,
    /// `until`.
    pub until: Option<String>,
    /// `filters`.
    pub filters: Filters,
}

/// Query of `DELETE /volumes/{name}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VolumeRemoveOptions {
    /// `force`.
    pub force: bool,
}

/// Query of `POST /images/{name}/tag`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagOptions {
    /// `repo`.
    pub repo: String,
    /// `tag` (empty = latest).
    pub tag: Option<String>,
}

/// Bytes of a streamed request body (image load). An `Err` ends it.
pub type ByteStream = BoxStream<Result<Bytes, crate::Error>>;

/// A request to a backend-specific route under `/internal/v1` that no core route
/// claims (see [`crate::backend::SystemBackend::extension`]). The body is already read (within
/// the body limit) and, when non-empty, checked to be `application/json`.
#[derive(Debug, Clone)]
pub struct ExtensionRequest {
    /// The method.
    pub method: http::Method,
    /// The path after `/internal/v1`, e.g. `/memory/reset`.
    pub path: String,
    /// The raw query string.
    pub query: Option<String>,
    /// The body, parsed (None when empty).
    pub body: Option<serde_json::Value>,
}

/// What an extension route answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtensionResponse {
    /// The status.
    pub status: http::StatusCode,
    /// A JSON body, or none.
    pub body: Option<serde_json::Value>,
}

/// A path's stat as Docker's `X-Docker-Container-Path-Stat` carries it
/// (base64 of this JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathStat {
    /// The last path component (`/` for the root).
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Go's `os.FileMode` bits (directory `1<<31`, symlink `1<<27`, …).
    pub mode: u32,
    /// Modification time, RFC 3339 with nanoseconds.
    pub mtime: String,
    /// For a symlink, the absolute path it resolves to in the container; else empty.
    #[serde(rename = "linkTarget")]
    pub link_target: String,
}

/// The header carrying a [`PathStat`] on `HEAD`/`GET /containers/{ref}/archive`
/// (Docker's, also used by the internal API).
pub const PATH_STAT_HEADER: &str = "X-Docker-Container-Path-Stat";

impl PathStat {
    /// The header value: standard base64 of the JSON.
    pub fn to_header(&self) -> String {
        use base64::Engine;
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::STANDARD.encode(json)
    }

    /// Parses a header value; `None` when it is not base64 of a stat.
    pub fn from_header(value: &str) -> Option<PathStat> {
        use base64::Engine;
        let json = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .ok()?;
        serde_json::from_slice(&json).ok()
    }
}

/// `GET /containers/{ref}/archive`: the path's stat and a tar of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathArchive {
    /// The stat of the path (the response header).
    pub stat: PathStat,
    /// The tar stream.
    pub tar: Bytes,
}

/// Query of `PUT /containers/{ref}/archive`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchivePutOptions {
    /// `path`: the directory to extract into (must exist).
    pub path: String,
    /// `noOverwriteDirNonDir`.
    pub no_overwrite_dir_non_dir: bool,
    /// `copyUIDGID`: own extracted files by the container's user.
    pub copy_uid_gid: bool,
}

/// Query and body of `POST /commit`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommitOptions {
    /// `container`: the container to commit.
    pub container: String,
    /// `repo` (empty: an untagged image).
    pub repo: Option<String>,
    /// `tag`.
    pub tag: Option<String>,
    /// `comment`.
    pub comment: Option<String>,
    /// `author`.
    pub author: Option<String>,
    /// `changes`: Dockerfile instructions (`CMD`, `ENV`, … ).
    pub changes: Vec<String>,
    /// The body: a container config merged over the container's.
    pub config: Option<docker::ContainerConfig>,
}
