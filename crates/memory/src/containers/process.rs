//! Simulated processes: a started container runs its command through the
//! interpreter in a task; its output goes to the container's log and to live
//! subscribers (attach, log follow); signals, pause and health checks act on it;
//! its exit status becomes the container's.
//!
//! Per-container label overrides: `sockerless.memory.exit-code`,
//! `sockerless.memory.stdout`, `sockerless.memory.stderr` (the outcome instead of
//! the command), `sockerless.memory.run-for` (exit after this long),
//! `sockerless.memory.ignore-sigterm=true`, `sockerless.memory.health=unhealthy`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};

use crate::containers::{ContainerRecord, Status};
use crate::events::Kind;
use crate::runtime::{Live, LogEntry, ProcessControl};
use crate::MemoryBackend;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::docker::{duration, signal, timefmt};
use sockerless_core::error::{Error, Result};
use sockerless_sim::interp::{self, ProcessContext, ProcessIo, Program, UnknownCommand};

/// Label: the exit code of the scripted outcome.
pub const LABEL_EXIT_CODE: &str = "sockerless.memory.exit-code";
/// Label: what the process writes to stdout.
pub const LABEL_STDOUT: &str = "sockerless.memory.stdout";
/// Label: what the process writes to stderr.
pub const LABEL_STDERR: &str = "sockerless.memory.stderr";
/// Label: how long the process runs before it exits.
pub const LABEL_RUN_FOR: &str = "sockerless.memory.run-for";
/// Label: `true` makes the process ignore SIGTERM.
pub const LABEL_IGNORE_SIGTERM: &str = "sockerless.memory.ignore-sigterm";
/// Label: `unhealthy` makes health checks fail.
pub const LABEL_HEALTH: &str = "sockerless.memory.health";

/// How the labels script a container's process.
#[derive(Debug, Clone, Default)]
struct Script {
    /// Replace the command with this output and exit code.
    outcome: Option<(String, String, i64)>,
    /// Exit after this long.
    run_for: Option<Duration>,
    /// Exit code after `run_for` when the command is still running.
    exit_code: i64,
    ignore_sigterm: bool,
    unhealthy: bool,
    /// A script rule's outcome (used when the labels script none).
    rule: Option<std::sync::Arc<crate::controls::ScriptRule>>,
    /// Exit code on SIGTERM instead of 143.
    sigterm_code: Option<i64>,
    /// Health results in order (true = failing); the last repeats.
    health: Vec<bool>,
}

fn line(s: &str) -> String {
    if s.is_empty() || s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}

impl Script {
    fn from_labels(labels: &HashMap<String, String>) -> Script {
        let exit_code = labels
            .get(LABEL_EXIT_CODE)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0);
        let scripted = [LABEL_EXIT_CODE, LABEL_STDOUT, LABEL_STDERR]
            .iter()
            .any(|k| labels.contains_key(*k));
        let outcome = scripted.then(|| {
            (
                line(labels.get(LABEL_STDOUT).map(String::as_str).unwrap_or("")),
                line(labels.get(LABEL_STDERR).map(String::as_str).unwrap_or("")),
                exit_code,
            )
        });
        Script {
            outcome,
            run_for: labels
                .get(LABEL_RUN_FOR)
                .and_then(|v| duration::parse_run_for(v).ok()),
            exit_code,
            ignore_sigterm: labels
                .get(LABEL_IGNORE_SIGTERM)
                .is_some_and(|v| v == "true" || v == "1"),
            unhealthy: labels.get(LABEL_HEALTH).is_some_and(|v| v == "unhealthy"),
            rule: None,
            sigterm_code: None,
            health: Vec::new(),
        }
    }

    /// Labels win over script rules: a rule's outcome applies only when no label
    /// scripts one (`exit-code`, `stdout`, `stderr`, `run-for`); its SIGTERM and
    /// health behaviour apply unless a label sets them.
    fn with_rule(mut self, rule: Option<std::sync::Arc<crate::controls::ScriptRule>>) -> Script {
        let Some(rule) = rule else {
            return self;
        };
        if !self.ignore_sigterm {
            self.ignore_sigterm = rule.ignore_sigterm();
            self.sigterm_code = rule.sigterm_exit_code();
        }
        if !self.unhealthy {
            self.health = rule.health.clone();
        }
        if self.outcome.is_none() && self.run_for.is_none() {
            if rule.run_for.is_some() {
                self.run_for = rule.run_for;
                self.exit_code = rule.exit_code();
            }
            if rule.scripts_outcome() {
                self.rule = Some(rule);
            }
        }
        self
    }

    /// Whether health check `n` (0-based) fails.
    fn health_fails(&self, n: usize) -> bool {
        if self.unhealthy {
            return true;
        }
        match self.health.get(n).or(self.health.last()) {
            Some(fail) => *fail,
            None => false,
        }
    }

    /// What a signal does: `Some(status)` ends the process.
    fn disposition(&self, sig: i32) -> Option<i64> {
        match (sig, self.sigterm_code) {
            (signal::SIGTERM, Some(code)) if !self.ignore_sigterm => Some(code),
            _ => disposition(sig, self.ignore_sigterm),
        }
    }
}

/// What a signal does to a simulated process: `Some(status)` ends it.
pub fn disposition(sig: i32, ignore_sigterm: bool) -> Option<i64> {
    match sig {
        signal::SIGKILL => Some(128 + 9),
        signal::SIGTERM if ignore_sigterm => None,
        signal::SIGTERM | signal::SIGINT | signal::SIGHUP | signal::SIGQUIT => {
            Some(128 + i64::from(sig))
        }
        _ => None,
    }
}

/// Writes scripted output chunks, each after its delay.
pub(crate) async fn play(
    chunks: &[crate::controls::Chunk],
    out: &mpsc::UnboundedSender<(interp::StdStream, Bytes)>,
) {
    for chunk in chunks {
        if !chunk.delay.is_zero() {
            tokio::time::sleep(chunk.delay).await;
        }
        let stream = if chunk.stderr {
            interp::StdStream::Stderr
        } else {
            interp::StdStream::Stdout
        };
        let _ = out.send((stream, chunk.data.clone()));
    }
}

/// The API's stream of an interpreter stream.
pub(crate) fn api_stream(s: interp::StdStream) -> StdStream {
    match s {
        interp::StdStream::Stdout => StdStream::Stdout,
        interp::StdStream::Stderr => StdStream::Stderr,
    }
}

/// The process context of a container (or of an exec in it).
pub(crate) fn context(c: &ContainerRecord) -> ProcessContext {
    ProcessContext {
        env: c.config.env.clone().unwrap_or_default(),
        working_dir: c.config.working_dir.clone().unwrap_or_default(),
        hostname: c.config.hostname.clone().unwrap_or_default(),
        user: c.config.user.clone().unwrap_or_default(),
        open_stdin: c.config.open_stdin.unwrap_or(false),
    }
}

/// Health-check settings, in Docker's defaults where unset.
struct HealthPlan {
    interval: Duration,
    retries: i64,
    start_period: Duration,
}

fn health_plan(c: &ContainerRecord) -> Option<HealthPlan> {
    c.state.health.as_ref()?;
    let h = c.config.healthcheck.as_ref()?;
    let ns = |v: Option<i64>, default: Duration| match v {
        Some(n) if n > 0 => Duration::from_nanos(n as u64),
        _ => default,
    };
    Some(HealthPlan {
        interval: ns(h.interval, Duration::from_secs(30)),
        retries: h.retries.filter(|r| *r > 0).unwrap_or(3),
        start_period: ns(h.start_period, Duration::ZERO),
    })
}

impl MemoryBackend {
    /// A simulated PID.
    pub(crate) fn new_pid(&self) -> i64 {
        1000 + (self.pids.fetch_add(1, Ordering::Relaxed) % 4_000_000) as i64
    }

    /// Starts run `run` of container `c`.
    pub(crate) fn spawn_process(&self, c: &ContainerRecord, run: u64) {
        let (Some(me), Some(rt)) = (self.me.upgrade(), self.runtimes.get(&c.id)) else {
            return;
        };
        let argv: Vec<String> = std::iter::once(c.path.clone())
            .chain(c.args.iter().cloned())
            .collect();
        let program = Program::parse(&argv, UnknownCommand::RunForever);
        let ctx = context(c);
        let stdin = ctx.open_stdin.then(|| rt.take_stdin());
        let script = Script::from_labels(c.labels()).with_rule(self.script_rule_for(c));
        let health = health_plan(c);
        let epoch = self.epoch();
        let (sig_tx, sig_rx) = mpsc::unbounded_channel();
        let (paused_tx, paused_rx) = watch::channel(false);
        let id = c.id.clone();
        let mut slot = rt.process();
        // Under the slot lock (which signal delivery takes too): spawn only if
        // run `run` is still the container's live run and no newer run owns
        // the slot. A concurrent kill may have ended this run before its
        // process existed, and a concurrent start may have begun the next one;
        // an older run's process would otherwise take the signals meant for
        // the newer one, or outlive it.
        let current = self
            .store
            .containers
            .get(&c.id)
            .is_some_and(|now| now.state.run == run && now.is_running());
        if !current || slot.as_ref().is_some_and(|p| p.run > run) {
            return;
        }
        if let Some(older) = slot.take() {
            older.abort.abort();
        }
        let task = tokio::spawn(async move {
            let code = me
                .run_process(
                    &id, run, epoch, program, ctx, stdin, sig_rx, paused_rx, script, health,
                )
                .await;
            me.container_exited_in(epoch, &id, run, code);
        });
        *slot = Some(ProcessControl {
            run,
            signals: sig_tx,
            paused: paused_tx,
            abort: task.abort_handle(),
        });
    }

    /// Clears the process slot of run `run` and tells live subscribers.
    pub(crate) fn process_ended(&self, id: &str, run: u64) {
        let Some(rt) = self.runtimes.get(id) else {
            return;
        };
        let code = self
            .store
            .containers
            .get(id)
            .map(|c| c.state.exit_code)
            .unwrap_or(0);
        {
            let mut slot = rt.process();
            if slot.as_ref().is_some_and(|p| p.run == run) {
                *slot = None;
            }
        }
        rt.exited(run, code);
    }

    /// Delivers a signal; returns whether it ends the process.
    pub(crate) fn signal_process(&self, id: &str, sig: i32) -> bool {
        let Some(c) = self.store.containers.get(id) else {
            return false;
        };
        let script = Script::from_labels(c.labels()).with_rule(self.script_rule_for(&c));
        let ends = script.disposition(sig).is_some();
        let delivered = self
            .runtimes
            .get(id)
            .map(|rt| {
                rt.process()
                    .as_ref()
                    .is_some_and(|p| p.signals.send(sig).is_ok())
            })
            .unwrap_or(false);
        if !delivered && ends && c.is_running() {
            // No live process (should not happen): end the run directly.
            if let Some(code) = script.disposition(sig) {
                self.container_exited(id, c.state.run, code);
            }
        }
        ends
    }

    /// Ends the process at once, without an exit transition (remove does that).
    pub(crate) fn kill_process_now(&self, id: &str) {
        if let Some(rt) = self.runtimes.get(id) {
            if let Some(p) = rt.process().take() {
                p.abort.abort();
                rt.exited(p.run, 137);
            }
        }
    }

    /// Freezes or thaws the process.
    pub(crate) fn set_process_paused(&self, id: &str, paused: bool) {
        if let Some(rt) = self.runtimes.get(id) {
            if let Some(p) = rt.process().as_ref() {
                let _ = p.paused.send(paused);
            }
        }
    }

    fn record_output(&self, epoch: u64, id: &str, stream: StdStream, data: Bytes) {
        if self.epoch() != epoch {
            return;
        }
        if let Some(rt) = self.runtimes.get(id) {
            rt.record(LogEntry {
                stream,
                time: self.now(),
                data,
            });
        }
    }

    /// Runs one health check and records its result.
    fn health_check(&self, epoch: u64, id: &str, run: u64, retries: i64, fail: bool) {
        let now = self.now();
        let mut announce: Option<String> = None;
        let links = self.links();
        if self.epoch() != epoch {
            return;
        }
        self.store.containers.update(id, |c| {
            if c.state.run != run || !c.is_running() {
                return;
            }
            let Some(h) = c.state.health.as_mut() else {
                return;
            };
            let before = h.status;
            let result = docker::HealthcheckResult {
                start: Some(timefmt::rfc3339_nano(now)),
                end: Some(timefmt::rfc3339_nano(now)),
                exit_code: Some(i64::from(fail)),
                output: Some(if fail {
                    "unhealthy\n".into()
                } else {
                    String::new()
                }),
            };
            let log = h.log.get_or_insert_with(Vec::new);
            log.push(result);
            if log.len() > 5 {
                log.remove(0);
            }
            if fail {
                let streak = h.failing_streak.unwrap_or(0) + 1;
                h.failing_streak = Some(streak);
                if streak >= retries {
                    h.status = Some(docker::HealthStatusEnum::UNHEALTHY);
                }
            } else {
                h.failing_streak = Some(0);
                h.status = Some(docker::HealthStatusEnum::HEALTHY);
            }
            if h.status != before {
                announce = h.status.map(|s| s.to_string());
            }
        });
        drop(links);
        if let (Some(status), Some(c)) = (announce, self.store.containers.get(id)) {
            self.emit(
                Kind::Container,
                &format!("health_status: {status}"),
                &c.id,
                [("name".to_string(), c.bare_name().to_string())]
                    .into_iter()
                    .collect(),
            );
        }
    }

    /// The body of a process task; returns the exit status.
    #[allow(clippy::too_many_arguments)]
    async fn run_process(
        &self,
        id: &str,
        run: u64,
        epoch: u64,
        program: Program,
        ctx: ProcessContext,
        stdin: Option<mpsc::Receiver<Bytes>>,
        mut signals: mpsc::UnboundedReceiver<i32>,
        mut paused_rx: watch::Receiver<bool>,
        script: Script,
        health: Option<HealthPlan>,
    ) -> i64 {
        let (out_tx, mut out_rx) = mpsc::unbounded_channel();
        let mut io = ProcessIo {
            stdin,
            output: out_tx,
        };
        let body = async {
            if let Some(rule) = &script.rule {
                play(&rule.output, &io.output).await;
                if rule.manual() {
                    std::future::pending::<()>().await;
                }
                if let Some(d) = rule.run_for {
                    tokio::time::sleep(d).await;
                }
                return rule.exit_code();
            }
            if let Some((out, err, code)) = &script.outcome {
                if !out.is_empty() {
                    let _ = io
                        .output
                        .send((interp::StdStream::Stdout, Bytes::from(out.clone())));
                }
                if !err.is_empty() {
                    let _ = io
                        .output
                        .send((interp::StdStream::Stderr, Bytes::from(err.clone())));
                }
                if let Some(d) = script.run_for {
                    tokio::time::sleep(d).await;
                }
                return *code;
            }
            let main = program.run(&ctx, &mut io);
            match script.run_for {
                Some(d) => tokio::select! {
                    code = main => i64::from(code),
                    _ = tokio::time::sleep(d) => script.exit_code,
                },
                None => i64::from(main.await),
            }
        };
        tokio::pin!(body);
        let mut paused = *paused_rx.borrow();
        let mut next_check = health
            .as_ref()
            .map(|h| tokio::time::Instant::now() + h.start_period.max(h.interval));
        let mut checks = 0usize;
        let code = loop {
            let check_at = next_check;
            tokio::select! {
                biased;
                Some((stream, data)) = out_rx.recv() => {
                    self.record_output(epoch, id, api_stream(stream), data);
                }
                sig = signals.recv() => match sig {
                    Some(sig) => {
                        if let Some(code) = script.disposition(sig) {
                            break code;
                        }
                    }
                    None => std::future::pending::<()>().await,
                },
                changed = paused_rx.changed() => match changed {
                    Ok(()) => paused = *paused_rx.borrow(),
                    Err(_) => paused = false,
                },
                code = &mut body, if !paused => break code,
                _ = async {
                    match check_at {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                }, if !paused && check_at.is_some() => {
                    if let Some(h) = &health {
                        self.health_check(epoch, id, run, h.retries, script.health_fails(checks));
                        checks += 1;
                        next_check = Some(tokio::time::Instant::now() + h.interval);
                    }
                }
            }
        };
        while let Ok((stream, data)) = out_rx.try_recv() {
            self.record_output(epoch, id, api_stream(stream), data);
        }
        code
    }

    /// The log so far, a subscription to what follows (taken together), and the
    /// container's record read *after* subscribing: an exit between an earlier
    /// read and the subscription would otherwise never be seen and a follower
    /// would hang (the record is updated before its exit is published).
    fn subscribe_output(
        &self,
        id: &str,
        reference: &str,
    ) -> Result<(
        Vec<LogEntry>,
        mpsc::UnboundedReceiver<Live>,
        Arc<ContainerRecord>,
    )> {
        let rt = self
            .runtimes
            .get(id)
            .ok_or_else(|| Error::no_such_container(reference))?;
        let (entries, rx) = rt.snapshot_and_subscribe();
        drop(rt);
        let c = self
            .store
            .containers
            .get(id)
            .ok_or_else(|| Error::no_such_container(reference))?;
        Ok((entries, rx, c))
    }

    /// `GET /containers/{ref}/logs` and the following WebSocket form.
    pub(crate) fn containers_logs(&self, r: &str, o: LogsOptions) -> Result<BoxStream<LogRecord>> {
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
    pub(crate) fn containers_attach(
        &self,
        r: &str,
        o: AttachOptions,
        stdin: Option<BoxStream<Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        let c = self.container(r)?;
        if !o.logs && matches!(c.state.status, Status::Exited | Status::Dead) && o.stream {
            return Err(Error::conflict(
                "You cannot attach to a stopped container, start it first",
            ));
        }
        let rt = self
            .runtimes
            .get(&c.id)
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
    pub(crate) fn containers_top(
        &self,
        r: &str,
        _ps_args: Option<String>,
    ) -> Result<docker::ContainerTopResponse> {
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
    pub(crate) fn containers_stats(
        &self,
        r: &str,
        stream: bool,
    ) -> Result<BoxStream<serde_json::Value>> {
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
}

/// Docker's `RFC3339NanoFixed` (always nine fraction digits), the form of the
/// timestamp prefix of `logs --timestamps`.
fn rfc3339_nano_fixed(t: SystemTime) -> String {
    let secs = timefmt::rfc3339(t);
    let nanos = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}.{nanos:09}Z", secs.trim_end_matches('Z'))
}

/// Docker's stats shape with simulated values that grow with time.
fn stats_json(c: &ContainerRecord, now: SystemTime, tick: u64) -> serde_json::Value {
    let running = c.is_running();
    let cpu = if running { 1_000_000 * (tick + 1) } else { 0 };
    let mem: u64 = if running {
        4 * 1024 * 1024 + tick * 4096
    } else {
        0
    };
    let networks: serde_json::Map<String, serde_json::Value> = c
        .networks
        .keys()
        .map(|_| {
            (
                "eth0".to_string(),
                serde_json::json!({"rx_bytes": 1024 * tick, "rx_packets": tick, "rx_errors": 0, "rx_dropped": 0,
                                   "tx_bytes": 512 * tick, "tx_packets": tick, "tx_errors": 0, "tx_dropped": 0}),
            )
        })
        .collect();
    serde_json::json!({
        "read": timefmt::rfc3339_nano(now),
        "preread": timefmt::ZERO_TIME,
        "id": c.id,
        "name": c.name,
        "pids_stats": {"current": if running { 1 } else { 0 }, "limit": 4194304},
        "num_procs": 0,
        "blkio_stats": {"io_service_bytes_recursive": null, "io_serviced_recursive": null},
        "storage_stats": {},
        "cpu_stats": {
            "cpu_usage": {"total_usage": cpu, "usage_in_kernelmode": cpu / 2, "usage_in_usermode": cpu / 2},
            "system_cpu_usage": 1_000_000_000u64 * (tick + 1),
            "online_cpus": 2,
            "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}
        },
        "precpu_stats": {
            "cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
            "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}
        },
        "memory_stats": {"usage": mem, "limit": 24u64 * 1024 * 1024 * 1024, "stats": {"inactive_file": 0}},
        "networks": networks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_timestamps_have_nine_digits() {
        let t = SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, 120_000_000);
        assert_eq!(rfc3339_nano_fixed(t), "2023-11-14T22:13:20.120000000Z");
        let t = SystemTime::UNIX_EPOCH + Duration::new(1_700_000_000, 0);
        assert_eq!(rfc3339_nano_fixed(t), "2023-11-14T22:13:20.000000000Z");
    }

    #[test]
    fn signal_dispositions() {
        let table = [
            (signal::SIGKILL, false, Some(137)),
            (signal::SIGKILL, true, Some(137)),
            (signal::SIGTERM, false, Some(143)),
            (signal::SIGTERM, true, None),
            (signal::SIGINT, false, Some(130)),
            (signal::SIGHUP, false, Some(129)),
            (signal::SIGQUIT, true, Some(131)),
            (signal::SIGUSR1, false, None),
            (signal::SIGWINCH, false, None),
        ];
        for (sig, ignore, want) in table {
            assert_eq!(disposition(sig, ignore), want, "{sig} {ignore}");
        }
    }

    #[test]
    fn labels_script_the_outcome() {
        let labels: HashMap<String, String> = [
            (LABEL_STDOUT.to_string(), "out".to_string()),
            (LABEL_EXIT_CODE.to_string(), "7".to_string()),
            (LABEL_RUN_FOR.to_string(), "2s".to_string()),
        ]
        .into_iter()
        .collect();
        let s = Script::from_labels(&labels);
        assert_eq!(s.outcome, Some(("out\n".into(), String::new(), 7)));
        assert_eq!(s.run_for, Some(Duration::from_secs(2)));
        let none = Script::from_labels(&HashMap::new());
        assert!(none.outcome.is_none() && none.run_for.is_none() && !none.ignore_sigterm);
    }
}
