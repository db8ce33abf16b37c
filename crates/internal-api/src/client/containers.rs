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
}
