//! `impl ContainerBackend for MemoryBackend`: each operation's own steps; the
//! shared ones live in the sibling modules (planning a create, the list
//! filters, the stop sequence, ports, processes, output).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;

use super::create::{invalid_name, name_conflict};
use super::list::ListQuery;
use super::logs::rfc3339_nano_fixed;
use super::record::{ContainerRecord, Status};
use super::stats::stats_json;
use crate::backend::MemoryBackend;
use crate::controls::state::{reset_wait_response, RESET_MESSAGE};
use crate::runtime::{Live, LogEntry, WaitState};
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::{BoxFuture, ContainerBackend};
use sockerless_core::docker::{names, timefmt};
use sockerless_core::error::{Error, Result};

/// The prefix of Docker's rename errors from allocating the new name.
const ALLOCATING: &str = "Error when allocating new name: ";

#[async_trait]
impl ContainerBackend for MemoryBackend {
    /// `POST /containers?name=`.
    async fn container_create(
        &self,
        name: Option<String>,
        body: ContainerCreateBody,
    ) -> Result<docker::ContainerCreateResponse> {
        let plan = self.plan_create(name, body)?;
        self.commit_create(plan)
    }

    /// `GET /containers/{ref}`.
    async fn container_inspect(
        &self,
        reference: String,
    ) -> Result<docker::ContainerInspectResponse> {
        let r = reference.as_str();
        let (c, cold) = self.container_to_inspect(r)?;
        Ok(self.inspect_record(&c, &cold))
    }

    /// `GET /containers`.
    async fn container_list(
        &self,
        o: ContainerListOptions,
    ) -> Result<Vec<docker::ContainerSummary>> {
        let q = ListQuery::new(self, &o)?;
        let now = self.now();
        let mut list: Vec<Arc<ContainerRecord>> = match q.indexed_label() {
            Some(key) => self
                .store
                .container_labels
                .get(&key)
                .iter()
                .filter_map(|id| self.store.containers.get(id))
                .filter(|c| q.keep(c))
                .collect(),
            None => self.store.containers.list(|c| q.keep(c)),
        };
        list.sort_by_key(|c| std::cmp::Reverse(c.seq));
        if let Some(n) = o.limit {
            list.truncate(n);
        }
        Ok(list
            .iter()
            .map(|c| {
                let mut s = self.summary(c, now);
                if o.size {
                    // Nothing is ever written: the writable layer is empty and
                    // the root filesystem is the image.
                    s.size_rw = Some(0);
                    s.size_root_fs = Some(
                        self.store
                            .images
                            .get(&c.image_id)
                            .map(|i| i.size)
                            .unwrap_or(0),
                    );
                }
                s
            })
            .collect())
    }

    /// `POST /containers/{ref}/start`: networks and ports are taken first; a
    /// container created without an image then fails as runc does.
    async fn container_start(&self, reference: String) -> Result<()> {
        let r = reference.as_str();
        let id = self.container_id(r)?;
        let run = {
            let _g = self.links();
            self.store
                .containers
                .update(&id, |c| -> Result<u64> {
                    match c.state.status {
                        Status::Running => return Err(Error::NotModified),
                        Status::Paused => {
                            return Err(Error::conflict(
                                "cannot start a paused container, try unpause instead",
                            ))
                        }
                        Status::Removing | Status::Dead => {
                            return Err(Error::conflict(format!(
                                "container {} is marked for removal and cannot be started",
                                c.id
                            )))
                        }
                        _ => {}
                    }
                    let taken = self
                        .network_allocate_ips(c)
                        .and_then(|()| {
                            self.publish_ports(c)
                                .inspect_err(|_| self.network_release_ips(c))
                        })
                        .and_then(|()| {
                            if !c.image_id.is_empty() {
                                return Ok(());
                            }
                            self.release_ports(c);
                            self.network_release_ips(c);
                            c.state.exit_code = 127;
                            Err(nothing_to_execute(&c.path))
                        });
                    if let Err(e) = taken {
                        // Docker keeps a failed start's error in the state, with
                        // exit code 128 when none was set.
                        c.state.error = e.to_string();
                        if c.state.exit_code == 0 {
                            c.state.exit_code = 128;
                        }
                        return Err(e);
                    }
                    c.state.run += 1;
                    c.state.status = Status::Running;
                    c.state.pid = self.new_pid();
                    c.state.exit_code = 0;
                    c.state.error.clear();
                    c.state.started_at = Some(self.now());
                    if let Some(h) = c.state.health.as_mut() {
                        h.status = Some(docker::HealthStatusEnum::STARTING);
                        h.failing_streak = Some(0);
                    }
                    Ok(c.state.run)
                })
                .ok_or_else(|| Error::no_such_container(r))??
        };
        self.notify_waiters(&id);
        if let Some(c) = self.store.containers.get(&id) {
            self.emit_network_membership(&c, "connect");
            self.emit_volume_mounts(&c, "mount");
            self.emit_container(&c, "start", &[]);
            self.spawn_process(&c, run, MemoryBackend::container_exited_in);
        }
        Ok(())
    }

    /// `POST /containers/{ref}/stop`.
    async fn container_stop(&self, reference: String, o: StopOptions) -> Result<()> {
        let r = reference.as_str();
        let c = self.container(r)?;
        let sig = Self::stop_signal(&c, o.signal.as_deref())?;
        if !c.is_running() {
            return Err(Error::NotModified);
        }
        let timeout = o.timeout.or(c.config.stop_timeout).unwrap_or(10);
        self.stop_container(&c.id, sig, timeout).await;
        if let Some(c) = self.store.containers.get(&c.id) {
            self.emit_container(&c, "stop", &[]);
        }
        Ok(())
    }

    /// `POST /containers/{ref}/kill`: every error prefixed `cannot kill
    /// container: <ref>: ` as Docker's router wraps them; the signal is
    /// checked before the container is looked up, as Docker does.
    async fn container_kill(&self, reference: String, s: Option<String>) -> Result<()> {
        self.kill(&reference, s.as_deref())
            .await
            .map_err(|e| e.wrap(&format!("cannot kill container: {reference}")))
    }

    /// `POST /containers/{ref}/restart`.
    async fn container_restart(&self, reference: String, o: StopOptions) -> Result<()> {
        let r = reference.as_str();
        let c = self.container(r)?;
        let sig = Self::stop_signal(&c, o.signal.as_deref())?;
        let epoch = self.epoch();
        if c.is_running() {
            let timeout = o.timeout.or(c.config.stop_timeout).unwrap_or(10);
            self.stop_container(&c.id, sig, timeout).await;
        }
        if self.epoch() != epoch {
            return Err(Error::Conflict(RESET_MESSAGE.into()));
        }
        match self.container_start(c.id.to_string()).await {
            Ok(()) | Err(Error::NotModified) => {}
            Err(e) => return Err(e),
        }
        if let Some(c) = self.store.containers.get(&c.id) {
            self.emit_container(&c, "restart", &[]);
        }
        Ok(())
    }

    /// `POST /containers/{ref}/pause`.
    async fn container_pause(&self, reference: String) -> Result<()> {
        let r = reference.as_str();
        self.set_paused(r, true)
    }

    /// `POST /containers/{ref}/unpause`. Docker answers 500 for a container that
    /// is not paused; we answer 409.
    async fn container_unpause(&self, reference: String) -> Result<()> {
        let r = reference.as_str();
        self.set_paused(r, false)
    }

    /// `POST /containers/{ref}/rename?name=`.
    async fn container_rename(&self, reference: String, new_name: String) -> Result<()> {
        let r = reference.as_str();
        let new_name = new_name.as_str();
        let new_bare = new_name.strip_prefix('/').unwrap_or(new_name).to_string();
        if new_bare.is_empty() {
            return Err(Error::bad_request("Neither old nor new names may be empty"));
        }
        // Docker reserves the new name (checking it) and wraps what fails.
        let allocating = |e: Error| match e {
            Error::BadRequest(m) => Error::BadRequest(format!("{ALLOCATING}{m}")),
            Error::Conflict(m) => Error::Conflict(format!("{ALLOCATING}{m}")),
            other => other,
        };
        if !names::is_valid_container_name(&new_bare) {
            return Err(allocating(invalid_name(&format!("/{new_bare}"))));
        }
        let id = self.container_id(r)?;
        let _g = self.links();
        let c = self
            .store
            .containers
            .get(&id)
            .ok_or_else(|| Error::no_such_container(r))?;
        let old_bare = c.bare_name().to_string();
        if old_bare == new_bare {
            return Err(Error::bad_request(
                "Renaming a container with the same name as its current name",
            ));
        }
        self.store
            .container_names
            .reserve(&new_bare, &id)
            .map_err(|holder| allocating(name_conflict(&new_bare, &holder)))?;
        self.store.containers.update(&id, |c| {
            c.name = format!("/{new_bare}");
        });
        self.store.container_names.release(&old_bare, &id);
        for net_id in c.networks.network_ids() {
            self.store.networks.update(&net_id, |n| {
                if let Some(e) = n.members.get_mut(id.as_str()) {
                    e.container_name = new_bare.clone();
                }
            });
        }
        drop(_g);
        if let Some(c) = self.store.containers.get(&id) {
            self.emit_container(&c, "rename", &[("oldName", format!("/{old_bare}"))]);
        }
        Ok(())
    }

    /// `DELETE /containers/{ref}` (the steps are shared with auto-remove and
    /// prune: `MemoryBackend::remove_container`).
    async fn container_remove(
        &self,
        reference: String,
        options: ContainerRemoveOptions,
    ) -> Result<()> {
        self.remove_container(&reference, options)
    }

    /// `POST /containers/prune`.
    async fn container_prune(&self, f: Filters) -> Result<docker::ContainerPruneResponse> {
        f.check_keys(&["label", "label!", "until"])
            .map_err(|e| Error::bad_request(e.to_string()))?;
        let until = match f.get("until").first() {
            Some(u) => Some(
                timefmt::parse_timestamp(u, self.now())
                    .map_err(|e| Error::bad_request(e.to_string()))?,
            ),
            None => None,
        };
        let candidates = self.store.containers.list(|c| {
            !c.is_running()
                && f.match_prune_labels(&c.labels().to_map())
                && until.is_none_or(|u| c.created <= u)
        });
        let mut deleted = Vec::new();
        for c in candidates {
            if self
                .remove_container(
                    &c.id,
                    ContainerRemoveOptions {
                        force: false,
                        volumes: false,
                        link: false,
                    },
                )
                .is_ok()
            {
                deleted.push(c.id.to_string());
            }
        }
        Ok(docker::ContainerPruneResponse {
            containers_deleted: Some(deleted),
            space_reclaimed: Some(0),
        })
    }

    /// `WS /containers/{ref}/wait`.
    async fn container_wait(
        &self,
        reference: String,
        condition: WaitCondition,
    ) -> Result<BoxFuture<WaitResponse>> {
        let r = reference.as_str();
        let id = self.container_id(r)?;
        let rt = self
            .runtime(&id)
            .ok_or_else(|| Error::no_such_container(r))?;
        let mut rx = rt.wait.subscribe();
        drop(rt);
        let start = *rx.borrow_and_update();
        Ok(Box::pin(async move {
            let done = |s: WaitState| WaitResponse {
                status_code: s.exit_code,
                error: None,
            };
            loop {
                let s = *rx.borrow_and_update();
                if s.reset {
                    return reset_wait_response();
                }
                let holds = match condition {
                    WaitCondition::NotRunning => !s.running,
                    WaitCondition::NextExit => s.exits > start.exits || s.removed,
                    WaitCondition::Removed => s.removed,
                };
                if holds {
                    return done(s);
                }
                if rx.changed().await.is_err() {
                    return done(*rx.borrow());
                }
            }
        }))
    }

    /// `GET /containers/{ref}/logs` and the following WebSocket form.
    async fn container_logs(
        &self,
        reference: String,
        o: LogsOptions,
    ) -> Result<BoxStream<LogRecord>> {
        let r = reference.as_str();
        if !o.stdout && !o.stderr {
            return Err(Error::bad_request(
                "Bad parameters: you must choose at least one stream",
            ));
        }
        let c = self.container(r)?;
        let now = self.now();
        let parse = |v: &Option<String>| -> Result<Option<SystemTime>> {
            match v {
                Some(s) => timefmt::parse_timestamp(s, now)
                    .map(Some)
                    .map_err(|e| Error::bad_request(e.to_string())),
                None => Ok(None),
            }
        };
        let since = parse(&o.since)?;
        let until = parse(&o.until)?;
        // As Docker: a negative or unparsable `tail` (e.g. `all`) means all.
        let tail: Option<usize> = o
            .tail
            .as_deref()
            .and_then(|t| t.trim().parse::<i64>().ok())
            .and_then(|n| usize::try_from(n).ok());
        let (entries, rx, c) = self.subscribe_output(&c.id, r)?;
        let wanted = move |e: &LogEntry| match e.stream {
            StdStream::Stdout => o.stdout,
            StdStream::Stderr => o.stderr,
        };
        let in_window = move |e: &LogEntry| {
            since.is_none_or(|s| e.time >= s) && until.is_none_or(|u| e.time <= u)
        };
        let mut backlog: Vec<LogEntry> = entries
            .into_iter()
            .filter(|e| wanted(e) && in_window(e))
            .collect();
        if let Some(n) = tail {
            let skip = backlog.len().saturating_sub(n);
            backlog.drain(..skip);
        }
        let timestamps = o.timestamps;
        let to_record = move |e: LogEntry| {
            let time = timefmt::rfc3339_nano(e.time);
            let text = String::from_utf8_lossy(&e.data).into_owned();
            LogRecord {
                stream: e.stream,
                data: if timestamps {
                    format!("{} {text}", rfc3339_nano_fixed(e.time))
                } else {
                    text
                },
                time,
            }
        };
        let head = futures_util::stream::iter(backlog.into_iter().map(to_record));
        let follow = o.follow && c.is_running() && until.is_none_or(|u| u > now);
        if !follow {
            return Ok(Box::pin(head));
        }
        let run = c.state.run;
        // With `until` in the future the follow also ends when that time comes.
        let deadline = until
            .map(|u| tokio::time::Instant::now() + u.duration_since(now).unwrap_or(Duration::ZERO));
        let live = futures_util::stream::unfold(rx, move |mut rx| async move {
            loop {
                let next = match deadline {
                    Some(at) => tokio::time::timeout_at(at, rx.recv()).await.ok()?,
                    None => rx.recv().await,
                };
                match next? {
                    Live::Output(e) => {
                        if until.is_some_and(|u| e.time > u) {
                            return None;
                        }
                        if wanted(&e) {
                            return Some((e, rx));
                        }
                    }
                    Live::Exit(r, _) if r >= run => return None,
                    Live::Exit(..) => {}
                }
            }
        })
        .map(to_record);
        Ok(Box::pin(head.chain(live)))
    }

    /// `WS /containers/{ref}/attach`.
    async fn container_attach(
        &self,
        reference: String,
        o: AttachOptions,
        stdin: Option<BoxStream<Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        let r = reference.as_str();
        let c = self.container(r)?;
        if !o.logs && matches!(c.state.status, Status::Exited | Status::Dead) && o.stream {
            return Err(Error::conflict(
                "You cannot attach to a stopped container, start it first",
            ));
        }
        let rt = self
            .runtime(&c.id)
            .ok_or_else(|| Error::no_such_container(r))?;
        if let (Some(mut input), true) = (stdin, o.stdin && c.config.open_stdin.unwrap_or(false)) {
            let tx = rt.stdin_sender();
            let stdin_once = c.config.stdin_once.unwrap_or(false);
            let weak_rt = std::sync::Arc::downgrade(&rt);
            tokio::spawn(async move {
                while let Some(chunk) = input.next().await {
                    if tx.send(chunk).await.is_err() {
                        return;
                    }
                }
                // EOF from the client (or its leaving) closes the container's
                // stdin only with `StdinOnce`, as Docker does; otherwise stdin
                // stays open for the next client.
                drop(tx);
                if stdin_once {
                    if let Some(rt) = weak_rt.upgrade() {
                        rt.close_stdin();
                    }
                }
            });
        }
        drop(rt);
        let (entries, rx, c) = self.subscribe_output(&c.id, r)?;
        let (want_out, want_err) = (o.stdout, o.stderr);
        let wanted = move |e: &LogEntry| match e.stream {
            StdStream::Stdout => want_out,
            StdStream::Stderr => want_err,
        };
        let backlog: Vec<AttachEvent> = if o.logs {
            entries
                .into_iter()
                .filter(|e| wanted(e))
                .map(|e| AttachEvent::Output(e.stream, e.data))
                .collect()
        } else {
            Vec::new()
        };
        let head = futures_util::stream::iter(backlog);
        if !o.stream {
            return Ok(Box::pin(head));
        }
        if matches!(c.state.status, Status::Exited | Status::Dead) {
            return Ok(Box::pin(head.chain(futures_util::stream::iter([
                AttachEvent::Exit(c.state.exit_code),
            ]))));
        }
        // A created container's first run is `run + 1`; a running one's is `run`.
        let run = if c.is_running() {
            c.state.run
        } else {
            c.state.run + 1
        };
        let live = futures_util::stream::unfold(Some(rx), move |rx| async move {
            let mut rx = rx?;
            loop {
                match rx.recv().await? {
                    Live::Output(e) => {
                        if wanted(&e) {
                            return Some((AttachEvent::Output(e.stream, e.data), Some(rx)));
                        }
                    }
                    Live::Exit(r, code) if r >= run => {
                        return Some((AttachEvent::Exit(code), None));
                    }
                    Live::Exit(..) => {}
                }
            }
        });
        Ok(Box::pin(head.chain(live)))
    }

    /// `GET /containers/{ref}/top`.
    async fn container_top(
        &self,
        reference: String,
        _ps_args: Option<String>,
    ) -> Result<docker::ContainerTopResponse> {
        let r = reference.as_str();
        let c = self.container(r)?;
        if !c.is_running() {
            return Err(Error::conflict(format!(
                "container {} is not running",
                c.id
            )));
        }
        let started = c
            .state
            .started_at
            .map(|t| timefmt::rfc3339(t)[11..16].to_string())
            .unwrap_or_default();
        let user = c
            .config
            .user
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "root".into());
        Ok(docker::ContainerTopResponse {
            titles: Some(
                ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
            processes: Some(vec![vec![
                user,
                c.state.pid.to_string(),
                "0".into(),
                "0".into(),
                started,
                "?".into(),
                "00:00:00".into(),
                c.command(),
            ]]),
        })
    }

    /// `GET /containers/{ref}/stats`: plausible, simulated figures.
    async fn container_stats(
        &self,
        reference: String,
        stream: bool,
    ) -> Result<BoxStream<serde_json::Value>> {
        let r = reference.as_str();
        let c = self.container(r)?;
        let Some(me) = self.me.upgrade() else {
            return Err(Error::Unavailable("the backend is shutting down".into()));
        };
        let id = c.id.clone();
        let first = stats_json(&c, self.now(), 0);
        if !stream {
            return Ok(Box::pin(futures_util::stream::iter([first])));
        }
        let ticks = futures_util::stream::unfold(1u64, move |n| {
            let me = me.clone();
            let id = id.clone();
            async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let c = me.store.containers.get(&id)?;
                c.is_running().then(|| (stats_json(&c, me.now(), n), n + 1))
            }
        });
        Ok(Box::pin(futures_util::stream::iter([first]).chain(ticks)))
    }

    async fn container_archive_stat(&self, reference: String, path: String) -> Result<PathStat> {
        self.archive_stat(&reference, &path)
    }

    async fn container_archive_get(&self, reference: String, path: String) -> Result<PathArchive> {
        self.archive_get(&reference, &path)
    }

    async fn container_archive_put(
        &self,
        reference: String,
        options: ArchivePutOptions,
        tar: Bytes,
    ) -> Result<()> {
        self.archive_put(&reference, options, tar)
    }

    async fn container_export(&self, reference: String) -> Result<Bytes> {
        self.export(&reference)
    }

    async fn container_changes(&self, reference: String) -> Result<Vec<docker::FilesystemChange>> {
        self.changes(&reference)
    }

    async fn container_commit(&self, options: CommitOptions) -> Result<IdResponse> {
        self.commit(options)
    }
}

/// runc's error (exit code 127) for a container without an image: its
/// command is nowhere to be found.
fn nothing_to_execute(path: &str) -> Error {
    let why = if path.contains('/') {
        format!("stat {path}: no such file or directory")
    } else {
        "executable file not found in $PATH".to_string()
    };
    Error::bad_request(format!(
        "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"{path}\": {why}: unknown"
    ))
}
