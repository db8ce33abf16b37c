//! Exec instances: a command run in a running container by the same simulated
//! interpreter. An unknown command writes its command line back to stdout and
//! exits 0 (the seed's "mock output"). Exec output goes to the exec's own stream,
//! not to the container's log, as in Docker.
//!
//! `record` holds the stored [`ExecRecord`]; this module implements
//! `ExecBackend` and the helpers containers call (an exec ends with its
//! container).

pub mod record;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::backend::MemoryBackend;
use crate::containers::process::{api_stream, context, play, tty_newlines, OUTPUT_CHUNKS};
use crate::containers::record::{ContainerRecord, Status};
use crate::events::Kind;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::ExecBackend;
use sockerless_core::error::{Error, Result};
use sockerless_sim::interp::{ProcessIo, Program, UnknownCommand};

pub use record::ExecRecord;

#[async_trait]
impl ExecBackend for MemoryBackend {
    /// `POST /containers/{ref}/exec`.
    async fn exec_create(
        &self,
        reference: String,
        config: docker::ExecConfig,
    ) -> Result<IdResponse> {
        let r = reference.as_str();
        let found = self.container(r)?;
        if config.cmd.as_ref().is_none_or(|c| c.is_empty()) {
            return Err(Error::bad_request("No exec command specified"));
        }
        // Under the cross-resource lock, which remove and the exit transition
        // hold while they drop a container's execs: an exec is created for a
        // running container or not at all, never left behind by a removal.
        let guard = self.links();
        let c = self
            .store
            .containers
            .get(&found.id)
            .ok_or_else(|| Error::no_such_container(r))?;
        exec_allowed(&c)?;
        let id = self.new_id();
        let action = exec_action("exec_create", config.cmd.as_deref());
        let record = ExecRecord {
            id: id.clone(),
            container_id: c.id.to_string(),
            config,
            running: false,
            exit_code: None,
            pid: 0,
            started: false,
            task: None,
        };
        if self.store.execs.insert_new(id.clone(), record).is_err() {
            return Err(Error::internal("exec ID collision"));
        }
        self.store.container_execs.insert(c.id.clone(), id.clone());
        drop(guard);
        self.emit_exec(&c.id, &action, &id, &[]);
        Ok(IdResponse { id })
    }

    /// `GET /exec/{id}`.
    async fn exec_inspect(&self, id: String) -> Result<ExecInspect> {
        let id = id.as_str();
        let e = self
            .store
            .execs
            .get(id)
            .ok_or_else(|| Error::no_such_exec(id))?;
        let cmd = e.config.cmd.clone().unwrap_or_default();
        let (entrypoint, arguments) = match cmd.split_first() {
            Some((p, rest)) => (p.clone(), rest.to_vec()),
            None => (String::new(), Vec::new()),
        };
        Ok(ExecInspect {
            id: e.id.clone(),
            container_id: e.container_id.clone(),
            running: e.running,
            exit_code: e.exit_code,
            pid: e.pid,
            process_config: docker::ProcessConfig {
                privileged: Some(e.config.privileged.unwrap_or(false)),
                // Docker's `User string `json:"user,omitempty"``.
                user: e.config.user.clone().filter(|u| !u.is_empty()),
                tty: Some(e.config.tty.unwrap_or(false)),
                entrypoint: Some(entrypoint),
                arguments: Some(arguments),
            },
            open_stdin: e.config.attach_stdin.unwrap_or(false),
            open_stdout: e.config.attach_stdout.unwrap_or(false),
            open_stderr: e.config.attach_stderr.unwrap_or(false),
            can_remove: false,
            detach_keys: e.config.detach_keys.clone().unwrap_or_default(),
        })
    }

    /// `POST /exec/{id}/start` (detached) and `WS /exec/{id}/start`.
    async fn exec_start(
        &self,
        id: String,
        detach: bool,
        stdin: Option<BoxStream<Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        let id = id.as_str();
        let Some(me) = self.me.upgrade() else {
            return Err(Error::Unavailable("the backend is shutting down".into()));
        };
        let (e, c) = self.claim_exec_start(id)?;
        let mut ctx = context(&c);
        ctx.files = Some(self.process_files(&c.id));
        ctx.env.extend(e.config.env.clone().unwrap_or_default());
        if let Some(wd) = e.config.working_dir.clone().filter(|w| !w.is_empty()) {
            ctx.working_dir = wd;
        }
        if let Some(user) = e.config.user.clone().filter(|u| !u.is_empty()) {
            ctx.user = user;
        }
        let wants_stdin = e.config.attach_stdin.unwrap_or(false) && !detach;
        ctx.open_stdin = wants_stdin;
        let program = Program::parse(
            &e.config.cmd.clone().unwrap_or_default(),
            UnknownCommand::Echo,
        );
        let (stdin_rx, pump) = match (wants_stdin, stdin) {
            (true, Some(input)) => {
                let (tx, rx) = mpsc::channel::<Bytes>(64);
                (Some(rx), Some((input, tx)))
            }
            _ => (None, None),
        };
        // Bounded: an exec whose client does not read its output waits (the
        // process's own output channel is bounded too), as at a full pipe.
        let (events_tx, events_rx) = mpsc::channel::<AttachEvent>(OUTPUT_CHUNKS);
        // Only the attached streams reach the client, as in Docker.
        let attached = (
            e.config.attach_stdout.unwrap_or(false),
            e.config.attach_stderr.unwrap_or(false),
        );
        let tty = e.config.tty.unwrap_or(false);
        let output_event = move |s, data: Bytes| {
            let stream = api_stream(s);
            let wanted = match stream {
                StdStream::Stdout => attached.0,
                StdStream::Stderr => attached.1,
            };
            wanted.then(|| {
                let data = if tty { tty_newlines(data) } else { data };
                AttachEvent::Output(stream, data)
            })
        };
        let exec_id = id.to_string();
        let container_id = c.id.clone();
        let cmdline = e.config.cmd.clone().unwrap_or_default().join(" ");
        // A script rule's exec result replaces the command.
        let scripted = self
            .controls
            .script_for(&c.image, &c.command())
            .and_then(|r| r.exec_for(&cmdline).cloned());
        let epoch = self.epoch();
        let action = exec_action("exec_start", e.config.cmd.as_deref());
        me.emit_exec(&container_id, &action, &exec_id, &[]);
        let task = tokio::spawn(async move {
            if let Some((mut input, tx)) = pump {
                tokio::spawn(async move {
                    while let Some(chunk) = input.next().await {
                        if tx.send(chunk).await.is_err() {
                            return;
                        }
                    }
                });
            }
            let (out_tx, mut out_rx) = mpsc::channel(OUTPUT_CHUNKS);
            let mut io = ProcessIo {
                stdin: stdin_rx,
                output: out_tx,
            };
            let run = async {
                match &scripted {
                    Some(script) => {
                        play(&script.output, &io).await;
                        script.exit_code
                    }
                    None => i64::from(program.run(&ctx, &mut io).await),
                }
            };
            tokio::pin!(run);
            let code = loop {
                tokio::select! {
                    biased;
                    Some((s, data)) = out_rx.recv() => {
                        if let Some(event) = output_event(s, data) {
                            let _ = events_tx.send(event).await;
                        }
                    }
                    code = &mut run => break code,
                }
            };
            while let Ok((s, data)) = out_rx.try_recv() {
                if let Some(event) = output_event(s, data) {
                    let _ = events_tx.send(event).await;
                }
            }
            {
                let _g = me.links();
                if me.epoch() != epoch {
                    return;
                }
                me.store.execs.update(&exec_id, |e| {
                    e.running = false;
                    e.exit_code = Some(code);
                    e.pid = 0;
                    e.task = None;
                });
            }
            me.emit_exec(
                &container_id,
                "exec_die",
                &exec_id,
                &[("exitCode", code.to_string())],
            );
            let _ = events_tx.send(AttachEvent::Exit(code)).await;
        });
        let abort = task.abort_handle();
        self.store.execs.update(id, |e| {
            if e.running {
                e.task = Some(abort);
            }
        });
        let stream = futures_util::stream::unfold(events_rx, |mut rx| async move {
            rx.recv().await.map(|ev| (ev, rx))
        });
        Ok(Box::pin(stream))
    }
}

impl MemoryBackend {
    /// Checks that exec `id` may start (its container runs, it never started)
    /// and marks it started and running, atomically: of two concurrent starts
    /// one wins. Returns the exec (as it was before the claim) and its
    /// container.
    fn claim_exec_start(&self, id: &str) -> Result<(Arc<ExecRecord>, Arc<ContainerRecord>)> {
        let e = self
            .store
            .execs
            .get(id)
            .ok_or_else(|| Error::no_such_exec(id))?;
        let c = self
            .store
            .containers
            .get(&e.container_id)
            .ok_or_else(|| Error::no_such_exec(id))?;
        exec_allowed(&c)?;
        let pid = self.new_pid();
        self.store
            .execs
            .update(id, |e| {
                // Docker's two words: finished, or still running.
                if e.exit_code.is_some() || (e.started && !e.running) {
                    return Err(Error::conflict(format!(
                        "Error: Exec command {} has already run",
                        e.id
                    )));
                }
                if e.started {
                    return Err(Error::conflict(format!(
                        "Error: Exec command {} is already running",
                        e.id
                    )));
                }
                e.started = true;
                e.running = true;
                e.pid = pid;
                Ok(())
            })
            .ok_or_else(|| Error::no_such_exec(id))??;
        Ok((e, c))
    }

    /// Drops the exec records of a container (it stopped or was removed),
    /// ending the ones that run. Called under the cross-resource lock, with
    /// the container's transition, so that no exec create slips in between.
    pub(crate) fn drop_execs_of(&self, container_id: &str) {
        for id in self.store.container_execs.take(container_id) {
            if let Some(removed) = self.store.execs.remove(&id) {
                if let Some(task) = &removed.task {
                    task.abort();
                }
            }
        }
    }

    pub(crate) fn emit_exec(
        &self,
        container_id: &str,
        action: &str,
        exec_id: &str,
        extra: &[(&str, String)],
    ) {
        let mut attrs = vec![("execID", exec_id.to_string())];
        attrs.extend(extra.iter().cloned());
        if let Some(c) = self.store.containers.get(container_id) {
            self.emit_container(&c, action, &attrs);
        } else {
            let pairs = attrs.iter().map(|(k, v)| (*k, v.as_str()));
            self.emit_pairs(Kind::Container, action, container_id, pairs);
        }
    }
}

/// An exec event's action as moby words it: `<kind>: <entrypoint> <args…>`,
/// with the space after the entrypoint even without arguments
/// (`exec_start: true `).
fn exec_action(kind: &str, cmd: Option<&[String]>) -> String {
    let cmd = cmd.unwrap_or_default();
    let (entrypoint, args) = cmd
        .split_first()
        .map_or(("", &[][..]), |(e, a)| (e.as_str(), a));
    format!("{kind}: {entrypoint} {}", args.join(" "))
}

/// An exec is created or started only in a running container; Docker's words
/// otherwise.
fn exec_allowed(c: &ContainerRecord) -> Result<()> {
    match c.state.status {
        Status::Running => Ok(()),
        Status::Paused => Err(Error::conflict(format!(
            "Container {} is paused, unpause the container before exec",
            c.id
        ))),
        _ => Err(Error::conflict(format!(
            "container {} is not running",
            c.id
        ))),
    }
}
