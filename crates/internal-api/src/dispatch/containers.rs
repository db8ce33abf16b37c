//! `/containers/...`: create, list, prune, inspect, the lifecycle verbs, logs
//! (and its WebSocket stream), wait and attach (WebSocket), top and stats.

use futures_util::StreamExt;
use http::StatusCode;

use sockerless_core::api::PATH_STAT_HEADER;
use sockerless_core::backend::prelude::*;
use sockerless_core::error::{Error, Result};

use crate::reply::Reply;
use crate::request::ContainerRequest as C;
use crate::ws::{stdin_channel, Pump};

pub(super) async fn apply(backend: &dyn Backend, request: C) -> Result<Reply> {
    match request {
        C::Create { name, body } => Reply::created(&backend.container_create(name, *body).await?),
        C::List(options) => Reply::ok(&backend.container_list(options).await?),
        C::Prune(filters) => Reply::ok(&backend.container_prune(filters).await?),
        C::Inspect(reference) => Reply::ok(&backend.container_inspect(reference).await?),
        C::Start(reference) => no_content(backend.container_start(reference).await),
        C::Stop { reference, options } => {
            no_content(backend.container_stop(reference, options).await)
        }
        C::Kill { reference, signal } => {
            no_content(backend.container_kill(reference, signal).await)
        }
        C::Restart { reference, options } => {
            no_content(backend.container_restart(reference, options).await)
        }
        C::Pause(reference) => no_content(backend.container_pause(reference).await),
        C::Unpause(reference) => no_content(backend.container_unpause(reference).await),
        C::Rename { reference, name } => {
            no_content(backend.container_rename(reference, name).await)
        }
        C::Remove { reference, options } => {
            no_content(backend.container_remove(reference, options).await)
        }
        C::Logs { reference, options } => Ok(Reply::json_lines(
            backend.container_logs(reference, options).await?,
        )),
        C::LogsStream { reference, options } => Ok(Reply::Upgrade(Pump::json(
            backend.container_logs(reference, options).await?,
        ))),
        C::Wait {
            reference,
            condition,
        } => {
            let exit = backend.container_wait(reference, condition).await?;
            Ok(Reply::Upgrade(Pump::json(Box::pin(
                futures_util::stream::once(exit),
            ))))
        }
        C::Attach { reference, options } => {
            let (tx, stdin) = stdin_channel(options.stdin);
            let out = backend.container_attach(reference, options, stdin).await?;
            Ok(Reply::Upgrade(Pump::Attach(out, tx)))
        }
        C::Top { reference, ps_args } => {
            Reply::ok(&backend.container_top(reference, ps_args).await?)
        }
        C::Stats { reference, stream } => stats(backend, reference, stream).await,
        C::ArchiveStat { reference, path } => {
            let stat = backend.container_archive_stat(reference, path).await?;
            Ok(Reply::Bytes {
                content_type: "application/json",
                headers: vec![(PATH_STAT_HEADER, stat.to_header())],
                body: bytes::Bytes::new(),
            })
        }
        C::ArchiveGet { reference, path } => {
            let archive = backend.container_archive_get(reference, path).await?;
            Ok(Reply::Bytes {
                content_type: "application/x-tar",
                headers: vec![(PATH_STAT_HEADER, archive.stat.to_header())],
                body: archive.tar,
            })
        }
        C::ArchivePut {
            reference,
            options,
            tar,
        } => no_content(backend.container_archive_put(reference, options, tar).await),
        C::Export(reference) => Ok(Reply::Bytes {
            content_type: "application/x-tar",
            headers: Vec::new(),
            body: backend.container_export(reference).await?,
        }),
        C::Changes(reference) => Reply::ok(&backend.container_changes(reference).await?),
        C::Commit(options) => Reply::created(&backend.container_commit(*options).await?),
    }
}

/// A stream of stats as ndjson, or the first one as JSON.
async fn stats(backend: &dyn Backend, reference: String, stream: bool) -> Result<Reply> {
    let mut items = backend.container_stats(reference, stream).await?;
    if stream {
        return Ok(Reply::json_lines(items));
    }
    let one = items
        .next()
        .await
        .ok_or_else(|| Error::internal("stats produced nothing"))?;
    Reply::ok(&one)
}

/// 204 once the operation is done.
fn no_content(done: Result<()>) -> Result<Reply> {
    done.map(|()| Reply::Empty(StatusCode::NO_CONTENT))
}
