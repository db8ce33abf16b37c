//! [`ContainerBackend`] over the internal API.

use async_trait::async_trait;
use bytes::Bytes;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::ContainerBackend;
use sockerless_core::error::{Error, Result};
use sockerless_core::BoxFuture;

use super::{ws, Query, RemoteBackend};
use crate::route::Route;

fn condition_name(c: WaitCondition) -> &'static str {
    match c {
        WaitCondition::NotRunning => "not-running",
        WaitCondition::NextExit => "next-exit",
        WaitCondition::Removed => "removed",
    }
}

fn stop_query(options: &StopOptions) -> String {
    Query::new()
        .opt("t", options.timeout.map(|t| t.to_string()).as_deref())
        .opt("signal", options.signal.as_deref())
        .finish()
}

fn logs_query(o: &LogsOptions) -> String {
    Query::new()
        .flag("stdout", o.stdout)
        .flag("stderr", o.stderr)
        .opt("since", o.since.as_deref())
        .opt("until", o.until.as_deref())
        .flag("timestamps", o.timestamps)
        .opt("tail", o.tail.as_deref())
        .finish()
}

/// The path stat in an archive answer's headers.
fn stat_of(headers: &http::HeaderMap) -> Result<PathStat> {
    headers
        .get(PATH_STAT_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(PathStat::from_header)
        .ok_or_else(|| {
            Error::BadGateway(format!(
                "the backend sent no valid {PATH_STAT_HEADER} header"
            ))
        })
}

impl RemoteBackend {
    /// A call whose answer has no body worth reading (204, 200 empty).
    pub(super) async fn act(&self, route: Route, query: &str) -> Result<()> {
        self.transport
            .call(route, query, None::<&()>)
            .await
            .map(drop)
    }
}

#[async_trait]
impl ContainerBackend for RemoteBackend {
    async fn container_create(
        &self,
        name: Option<String>,
        body: ContainerCreateBody,
    ) -> Result<docker::ContainerCreateResponse> {
        let query = Query::new().opt("name", name.as_deref()).finish();
        self.transport
            .json(Route::ContainerCreate, &query, Some(&body))
            .await
    }

    async fn container_list(
        &self,
        options: ContainerListOptions,
    ) -> Result<Vec<docker::ContainerSummary>> {
        let query = Query::new()
            .flag("all", options.all)
            .opt("limit", options.limit.map(|n| n.to_string()).as_deref())
            .flag("size", options.size)
            .filters(&options.filters)
            .finish();
        self.transport
            .json(Route::ContainerList, &query, None::<&()>)
            .await
    }

    async fn container_inspect(
        &self,
        reference: String,
    ) -> Result<docker::ContainerInspectResponse> {
        self.transport
            .json(Route::ContainerInspect(reference), "", None::<&()>)
            .await
    }

    async fn container_start(&self, reference: String) -> Result<()> {
        self.act(Route::ContainerStart(reference), "").await
    }

    async fn container_stop(&self, reference: String, options: StopOptions) -> Result<()> {
        self.act(Route::ContainerStop(reference), &stop_query(&options))
            .await
    }

    async fn container_kill(&self, reference: String, signal: Option<String>) -> Result<()> {
        let query = Query::new().opt("signal", signal.as_deref()).finish();
        self.act(Route::ContainerKill(reference), &query).await
    }

    async fn container_restart(&self, reference: String, options: StopOptions) -> Result<()> {
        self.act(Route::ContainerRestart(reference), &stop_query(&options))
            .await
    }

    async fn container_pause(&self, reference: String) -> Result<()> {
        self.act(Route::ContainerPause(reference), "").await
    }

    async fn container_unpause(&self, reference: String) -> Result<()> {
        self.act(Route::ContainerUnpause(reference), "").await
    }

    async fn container_rename(&self, reference: String, new_name: String) -> Result<()> {
        let query = Query::new().push("name", &new_name).finish();
        self.act(Route::ContainerRename(reference), &query).await
    }

    async fn container_remove(
        &self,
        reference: String,
        options: ContainerRemoveOptions,
    ) -> Result<()> {
        let query = Query::new()
            .flag("force", options.force)
            .flag("v", options.volumes)
            .flag("link", options.link)
            .finish();
        self.act(Route::ContainerRemove(reference), &query).await
    }

    async fn container_prune(&self, filters: Filters) -> Result<docker::ContainerPruneResponse> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(Route::ContainerPrune, &query, None::<&()>)
            .await
    }

    async fn container_logs(
        &self,
        reference: String,
        options: LogsOptions,
    ) -> Result<BoxStream<LogRecord>> {
        let query = logs_query(&options);
        if options.follow {
            let route = Route::ContainerLogsStream(reference);
            let socket = ws::open(&self.transport, route, &query).await?;
            let rx = ws::pump(socket, None, self.transport.address().to_string());
            return Ok(ws::json_stream(rx));
        }
        self.transport
            .json_lines(Route::ContainerLogs(reference), &query, None, &[])
            .await
    }

    async fn container_wait(
        &self,
        reference: String,
        condition: WaitCondition,
    ) -> Result<BoxFuture<WaitResponse>> {
        let query = Query::new()
            .push("condition", condition_name(condition))
            .finish();
        let socket = ws::open(&self.transport, Route::ContainerWait(reference), &query).await?;
        let backend = self.transport.address().to_string();
        let rx = ws::pump(socket, None, backend.clone());
        Ok(ws::wait_future(rx, backend))
    }

    async fn container_attach(
        &self,
        reference: String,
        options: AttachOptions,
        stdin: Option<BoxStream<Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        let query = Query::new()
            .flag("stdin", options.stdin)
            .flag("stdout", options.stdout)
            .flag("stderr", options.stderr)
            .flag("logs", options.logs)
            .flag("stream", options.stream)
            .finish();
        let socket = ws::open(&self.transport, Route::ContainerAttach(reference), &query).await?;
        let stdin = if options.stdin { stdin } else { None };
        let rx = ws::pump(socket, stdin, self.transport.address().to_string());
        Ok(ws::attach_stream(rx))
    }

    async fn container_top(
        &self,
        reference: String,
        ps_args: Option<String>,
    ) -> Result<docker::ContainerTopResponse> {
        let query = Query::new().opt("ps_args", ps_args.as_deref()).finish();
        self.transport
            .json(Route::ContainerTop(reference), &query, None::<&()>)
            .await
    }

    async fn container_stats(
        &self,
        reference: String,
        stream: bool,
    ) -> Result<BoxStream<serde_json::Value>> {
        let query = Query::new()
            .push("stream", if stream { "1" } else { "0" })
            .finish();
        let route = Route::ContainerStats(reference);
        if stream {
            return self.transport.json_lines(route, &query, None, &[]).await;
        }
        let one: serde_json::Value = self.transport.json(route, &query, None::<&()>).await?;
        if one.is_null() {
            return Err(Error::BadGateway("stats answered null".into()));
        }
        Ok(Box::pin(futures_util::stream::once(async move { one })))
    }

    async fn container_archive_stat(&self, reference: String, path: String) -> Result<PathStat> {
        let query = Query::new().push("path", &path).finish();
        let route = Route::ContainerArchiveStat(reference);
        let (headers, _) = self.transport.raw(route, &query, None).await?;
        stat_of(&headers)
    }

    async fn container_archive_get(&self, reference: String, path: String) -> Result<PathArchive> {
        let query = Query::new().push("path", &path).finish();
        let route = Route::ContainerArchiveGet(reference);
        let (headers, tar) = self.transport.raw(route, &query, None).await?;
        Ok(PathArchive {
            stat: stat_of(&headers)?,
            tar,
        })
    }

    async fn container_archive_put(
        &self,
        reference: String,
        options: ArchivePutOptions,
        tar: Bytes,
    ) -> Result<()> {
        let query = Query::new()
            .push("path", &options.path)
            .flag("noOverwriteDirNonDir", options.no_overwrite_dir_non_dir)
            .flag("copyUIDGID", options.copy_uid_gid)
            .finish();
        let route = Route::ContainerArchivePut(reference);
        self.transport
            .raw(route, &query, Some((tar, "application/x-tar")))
            .await
            .map(drop)
    }

    async fn container_export(&self, reference: String) -> Result<Bytes> {
        let route = Route::ContainerExport(reference);
        Ok(self.transport.raw(route, "", None).await?.1)
    }

    async fn container_changes(&self, reference: String) -> Result<Vec<docker::FilesystemChange>> {
        let route = Route::ContainerChanges(reference);
        self.transport.json(route, "", None::<&()>).await
    }

    async fn container_commit(&self, options: CommitOptions) -> Result<IdResponse> {
        let mut query = Query::new()
            .opt("repo", options.repo.as_deref())
            .opt("tag", options.tag.as_deref())
            .opt("comment", options.comment.as_deref())
            .opt("author", options.author.as_deref());
        for c in &options.changes {
            query = query.push("changes", c);
        }
        let route = Route::ContainerCommit(options.container.clone());
        self.transport
            .json(route, &query.finish(), options.config.as_ref())
            .await
    }
}
