//! Typed requests: the second parsing step. [`crate::route::Route`] names the
//! operation and its path parameter; [`Request::parse`] adds the query and the
//! body ([`Payload`]), typed, so dispatch only calls the backend. Every 400 about
//! a query parameter or a body is raised here, in the order Docker raises them
//! (a route's own query parameters after its body).

mod payload;

pub(crate) use payload::Payload;

use sockerless_core::api::docker::{
    ExecConfig, NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest,
    VolumeCreateOptions,
};
use sockerless_core::api::*;
use sockerless_core::docker::duration::check_stop_timeout;
use sockerless_core::error::{Error, Result};

use crate::query::Query;
use crate::route::Route;

/// One request of the internal API, parsed, by resource.
pub(crate) enum Request {
    System(SystemRequest),
    Container(ContainerRequest),
    Exec(ExecRequest),
    Image(ImageRequest),
    Network(NetworkRequest),
    Volume(VolumeRequest),
}

/// `capabilities`, `info`, `version`, `events`, `auth` and extension routes.
pub(crate) enum SystemRequest {
    Capabilities,
    Info,
    Version,
    /// WebSocket.
    Events(EventsOptions),
    Auth(AuthConfig),
    Extension(ExtensionRequest),
}

/// `/containers/...` (but exec create, see [`ExecRequest`]).
pub(crate) enum ContainerRequest {
    Create {
        name: Option<String>,
        body: Box<ContainerCreateBody>,
    },
    List(ContainerListOptions),
    Prune(Filters),
    Inspect(String),
    Start(String),
    Stop {
        reference: String,
        options: StopOptions,
    },
    Kill {
        reference: String,
        signal: Option<String>,
    },
    Restart {
        reference: String,
        options: StopOptions,
    },
    Pause(String),
    Unpause(String),
    Rename {
        reference: String,
        name: String,
    },
    Remove {
        reference: String,
        options: ContainerRemoveOptions,
    },
    Logs {
        reference: String,
        options: LogsOptions,
    },
    /// WebSocket; `options.follow` is set.
    LogsStream {
        reference: String,
        options: LogsOptions,
    },
    /// WebSocket.
    Wait {
        reference: String,
        condition: WaitCondition,
    },
    /// WebSocket.
    Attach {
        reference: String,
        options: AttachOptions,
    },
    Top {
        reference: String,
        ps_args: Option<String>,
    },
    Stats {
        reference: String,
        stream: bool,
    },
    ArchiveStat {
        reference: String,
        path: String,
    },
    ArchiveGet {
        reference: String,
        path: String,
    },
    ArchivePut {
        reference: String,
        options: ArchivePutOptions,
        tar: bytes::Bytes,
    },
    Export(String),
    Changes(String),
    Commit(Box<CommitOptions>),
}

/// Exec create, inspect and start.
pub(crate) enum ExecRequest {
    Create {
        reference: String,
        config: ExecConfig,
    },
    Inspect(String),
    /// Detached (an attached start is 400: it must use the WebSocket route).
    Start(String),
    /// WebSocket: attached.
    StartStream(String),
}

/// `/images/...`.
pub(crate) enum ImageRequest {
    Pull(PullOptions),
    List(ImageListOptions),
    /// The body streams: it is read by the backend, not here.
    Load {
        body: ByteStream,
        quiet: bool,
    },
    Prune(Filters),
    Inspect(String),
    Tag {
        name: String,
        options: TagOptions,
    },
    Remove {
        name: String,
        options: ImageRemoveOptions,
    },
    Save(Vec<String>),
}

/// `/networks/...`.
pub(crate) enum NetworkRequest {
    Create(Box<NetworkCreateRequest>),
    List(Filters),
    Prune(Filters),
    Inspect(String),
    Connect {
        reference: String,
        request: Box<NetworkConnectRequest>,
    },
    Disconnect {
        reference: String,
        request: Box<NetworkDisconnectRequest>,
    },
    Remove(String),
}

/// `/volumes/...`.
pub(crate) enum VolumeRequest {
    Create(Box<VolumeCreateOptions>),
    List(Filters),
    Prune(Filters),
    Inspect(String),
    Remove {
        name: String,
        options: VolumeRemoveOptions,
    },
}

impl Request {
    /// Types the query `q` and the body `p` of `route`. `head` is the request
    /// without its body (method, URI, headers).
    pub(crate) fn parse(
        route: Route,
        q: &Query,
        head: &http::Request<()>,
        p: Payload,
    ) -> Result<Request> {
        use self::{ContainerRequest as C, ImageRequest as I, NetworkRequest as N};
        use self::{SystemRequest as S, VolumeRequest as V};
        use Request::*;
        Ok(match route {
            Route::Capabilities => System(S::Capabilities),
            Route::Info => System(S::Info),
            Route::Version => System(S::Version),
            Route::Events => System(S::Events(events_options(q)?)),
            Route::Auth => System(S::Auth(p.required("username and password are required")?)),
            Route::Extension(path) => System(S::Extension(extension_request(path, head, p))),

            Route::ContainerCreate => Container(C::Create {
                name: q.string("name"),
                body: create_body(p)?,
            }),
            Route::ContainerList => Container(C::List(container_list_options(q)?)),
            Route::ContainerPrune => Container(C::Prune(q.filters()?)),
            Route::ContainerInspect(r) => Container(C::Inspect(r)),
            Route::ContainerStart(r) => Container(C::Start(r)),
            Route::ContainerStop(reference) => Container(C::Stop {
                reference,
                options: stop_options(q)?,
            }),
            Route::ContainerKill(reference) => Container(C::Kill {
                reference,
                signal: q.non_empty("signal"),
            }),
            Route::ContainerRestart(reference) => Container(C::Restart {
                reference,
                options: stop_options(q)?,
            }),
            Route::ContainerPause(r) => Container(C::Pause(r)),
            Route::ContainerUnpause(r) => Container(C::Unpause(r)),
            Route::ContainerRename(reference) => Container(C::Rename {
                reference,
                name: q.string("name").unwrap_or_default(),
            }),
            Route::ContainerRemove(reference) => Container(C::Remove {
                reference,
                options: container_remove_options(q)?,
            }),
            Route::ContainerLogs(reference) => Container(C::Logs {
                reference,
                options: logs_options(q)?,
            }),
            Route::ContainerLogsStream(reference) => Container(C::LogsStream {
                reference,
                options: logs_stream_options(q)?,
            }),
            Route::ContainerWait(reference) => Container(C::Wait {
                reference,
                condition: WaitCondition::parse(q.get("condition"))?,
            }),
            Route::ContainerAttach(reference) => Container(C::Attach {
                reference,
                options: attach_options(q)?,
            }),
            Route::ContainerTop(reference) => Container(C::Top {
                reference,
                ps_args: q.non_empty("ps_args"),
            }),
            Route::ContainerStats(reference) => Container(C::Stats {
                reference,
                stream: q.bool_or("stream", true)?,
            }),
            Route::ContainerArchiveStat(reference) => Container(C::ArchiveStat {
                reference,
                path: q.string("path").unwrap_or_default(),
            }),
            Route::ContainerArchiveGet(reference) => Container(C::ArchiveGet {
                reference,
                path: q.string("path").unwrap_or_default(),
            }),
            Route::ContainerArchivePut(reference) => Container(C::ArchivePut {
                reference,
                options: ArchivePutOptions {
                    path: q.string("path").unwrap_or_default(),
                    no_overwrite_dir_non_dir: q.bool("noOverwriteDirNonDir")?,
                    copy_uid_gid: q.bool("copyUIDGID")?,
                },
                tar: p.raw(),
            }),
            Route::ContainerExport(r) => Container(C::Export(r)),
            Route::ContainerChanges(r) => Container(C::Changes(r)),
            Route::ContainerCommit(container) => Container(C::Commit(Box::new(CommitOptions {
                container,
                repo: q.string("repo"),
                tag: q.string("tag"),
                comment: q.string("comment"),
                author: q.string("author"),
                changes: q.all("changes"),
                config: p.typed()?,
            }))),

            Route::ExecCreate(reference) => Exec(ExecRequest::Create {
                reference,
                config: p.required("No exec command specified")?,
            }),
            Route::ExecInspect(id) => Exec(ExecRequest::Inspect(id)),
            Route::ExecStart(id) => Exec(exec_start(id, p)?),
            Route::ExecStartStream(id) => Exec(ExecRequest::StartStream(id)),

            Route::ImagePull => Image(I::Pull(pull_options(q, head))),
            Route::ImageList => Image(I::List(image_list_options(q)?)),
            Route::ImageLoad => Image(I::Load {
                quiet: q.bool("quiet")?,
                body: p.stream(),
            }),
            Route::ImagePrune => Image(I::Prune(q.filters()?)),
            Route::ImageInspect(name) => Image(I::Inspect(name)),
            Route::ImageTag(name) => Image(I::Tag {
                name,
                options: tag_options(q),
            }),
            Route::ImageRemove(name) => Image(I::Remove {
                name,
                options: image_remove_options(q)?,
            }),
            Route::ImageSave => Image(I::Save(q.all("names"))),

            Route::NetworkCreate => Network(N::Create(p.required("network name is required")?)),
            Route::NetworkList => Network(N::List(q.filters()?)),
            Route::NetworkPrune => Network(N::Prune(q.filters()?)),
            Route::NetworkInspect(r) => Network(N::Inspect(r)),
            Route::NetworkConnect(reference) => Network(N::Connect {
                reference,
                request: p.required("a container is required")?,
            }),
            Route::NetworkDisconnect(reference) => Network(N::Disconnect {
                reference,
                request: p.required("a container is required")?,
            }),
            Route::NetworkRemove(r) => Network(N::Remove(r)),

            Route::VolumeCreate => Volume(V::Create(p.typed()?.unwrap_or_default())),
            Route::VolumeList => Volume(V::List(q.filters()?)),
            Route::VolumePrune => Volume(V::Prune(q.filters()?)),
            Route::VolumeInspect(name) => Volume(V::Inspect(name)),
            Route::VolumeRemove(name) => Volume(V::Remove {
                name,
                options: volume_remove_options(q)?,
            }),
        })
    }
}

fn stop_options(query: &Query) -> Result<StopOptions> {
    let timeout = query.int("t")?;
    if let Some(t) = timeout {
        check_stop_timeout(query.get("t").unwrap_or_default(), t)?;
    }
    Ok(StopOptions {
        timeout,
        signal: query.non_empty("signal"),
    })
}

/// The logs query; shared by the plain and the WebSocket route.
fn logs_options(query: &Query) -> Result<LogsOptions> {
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

fn events_options(query: &Query) -> Result<EventsOptions> {
    Ok(EventsOptions {
        since: query.non_empty("since"),
        until: query.non_empty("until"),
        filters: query.filters()?,
    })
}

fn attach_options(query: &Query) -> Result<AttachOptions> {
    Ok(AttachOptions {
        stdin: query.bool("stdin")?,
        stdout: query.bool("stdout")?,
        stderr: query.bool("stderr")?,
        logs: query.bool("logs")?,
        stream: query.bool("stream")?,
    })
}

/// `limit` of zero or less means no limit.
fn container_list_options(query: &Query) -> Result<ContainerListOptions> {
    let limit = match query.int("limit")? {
        None => None,
        Some(n) if n <= 0 => None,
        Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
    };
    Ok(ContainerListOptions {
        all: query.bool("all")?,
        limit,
        size: query.bool("size")?,
        filters: query.filters()?,
    })
}

fn container_remove_options(query: &Query) -> Result<ContainerRemoveOptions> {
    Ok(ContainerRemoveOptions {
        force: query.bool("force")?,
        volumes: query.bool("v")?,
        link: query.bool("link")?,
    })
}

/// An empty body and `{}` are both 400, as Docker answers them.
fn create_body(p: Payload) -> Result<Box<ContainerCreateBody>> {
    match p.typed::<Box<ContainerCreateBody>>()? {
        Some(b) if *b != ContainerCreateBody::default() => Ok(b),
        _ => Err(Error::bad_request(
            "config cannot be empty in order to create a container",
        )),
    }
}

/// `POST /exec/{id}/start` only starts detached: `"Detach": false` is 400.
fn exec_start(id: String, p: Payload) -> Result<ExecRequest> {
    #[derive(serde::Deserialize, Default)]
    struct StartBody {
        #[serde(rename = "Detach", default)]
        detach: Option<bool>,
        #[serde(rename = "Tty", default)]
        _tty: Option<bool>,
    }
    let body: StartBody = p.typed()?.unwrap_or_default();
    if body.detach == Some(false) {
        return Err(Error::bad_request(
            "an attached exec start must use the WebSocket route: upgrade required",
        ));
    }
    Ok(ExecRequest::Start(id))
}

/// `X-Registry-Auth` is kept as a [`Secret`]: never logged.
fn pull_options(query: &Query, head: &http::Request<()>) -> PullOptions {
    PullOptions {
        from_image: query.string("fromImage").unwrap_or_default(),
        tag: query.non_empty("tag"),
        platform: query.non_empty("platform"),
        registry_auth: head
            .headers()
            .get("x-registry-auth")
            .map(|v| Secret(String::from_utf8_lossy(v.as_bytes()).into_owned())),
    }
}

fn image_list_options(query: &Query) -> Result<ImageListOptions> {
    Ok(ImageListOptions {
        all: query.bool("all")?,
        digests: query.bool("digests")?,
        filters: query.filters()?,
    })
}

/// The WebSocket logs route always follows.
fn logs_stream_options(query: &Query) -> Result<LogsOptions> {
    Ok(LogsOptions {
        follow: true,
        ..logs_options(query)?
    })
}

fn tag_options(query: &Query) -> TagOptions {
    TagOptions {
        repo: query.string("repo").unwrap_or_default(),
        tag: query.non_empty("tag"),
    }
}

fn image_remove_options(query: &Query) -> Result<ImageRemoveOptions> {
    Ok(ImageRemoveOptions {
        force: query.bool("force")?,
        noprune: query.bool("noprune")?,
    })
}

fn volume_remove_options(query: &Query) -> Result<VolumeRemoveOptions> {
    Ok(VolumeRemoveOptions {
        force: query.bool("force")?,
    })
}

/// An extension route gets the method, the raw query and the untyped body.
fn extension_request(path: String, head: &http::Request<()>, p: Payload) -> ExtensionRequest {
    ExtensionRequest {
        method: head.method().clone(),
        path,
        query: head.uri().query().map(str::to_string),
        body: p.json(),
    }
}

#[cfg(test)]
mod tests;
