//! Simulated processes: a started container runs its command through the
//! interpreter in a task; its output goes to the container's log and to live
//! subscribers (attach, log follow); signals, pause and health checks act on it;
//! its exit status becomes the container's.

use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, watch};

use super::record::ContainerRecord;
use super::script::Script;
use crate::backend::MemoryBackend;
use crate::controls::scripts::Chunk;
use crate::events::Kind;
use crate::images::DEFAULT_PATH;
use crate::runtime::{LogEntry, ProcessControl, ProcessTask};
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::docker::timefmt;
use sockerless_sim::interp::{self, ProcessContext, ProcessIo, Program, UnknownCommand};

/// Capacity of a process's output channel, in chunks of at most
/// [`interp::MAX_CHUNK`] bytes: a process whose output is not taken waits.
pub(crate) const OUTPUT_CHUNKS: usize = 16;

/// Writes scripted output chunks, each after its delay (in pieces of at most
/// [`interp::MAX_CHUNK`] bytes).
pub(crate) async fn play(chunks: &[Chunk], io: &ProcessIo) {
    for chunk in chunks {
        if !chunk.delay.is_zero() {
            tokio::time::sleep(chunk.delay).await;
        }
        let stream = if chunk.stderr {
            interp::StdStream::Stderr
        } else {
            interp::StdStream::Stdout
        };
        io.write(stream, chunk.data.clone()).await;
    }
}

/// The API's stream of an interpreter stream.
pub(crate) fn api_stream(s: interp::StdStream) -> StdStream {
    match s {
        interp::StdStream::Stdout => StdStream::Stdout,
        interp::StdStream::Stderr => StdStream::Stderr,
    }
}

/// What a terminal makes of a process's output: each `\n` not already after a
/// `\r` becomes `\r\n` (the pty's `onlcr`).
pub(crate) fn tty_newlines(data: Bytes) -> Bytes {
    if !data.contains(&b'\n') {
        return data;
    }
    let mut out = Vec::with_capacity(data.len() + data.len() / 8);
    let mut prev = 0u8;
    for &b in data.iter() {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    Bytes::from(out)
}

/// The process context of a container (or of an exec in it).
pub(crate) fn context(c: &ContainerRecord) -> ProcessContext {
    ProcessContext {
        env: process_env(c),
        working_dir: c.config.working_dir.clone().unwrap_or_default(),
        hostname: c.config.hostname().unwrap_or_default().to_string(),
        user: c.config.user.clone().unwrap_or_default(),
        open_stdin: c.config.open_stdin.unwrap_or(false),
        files: None,
    }
}

/// The environment Docker gives a container's process (moby's
/// `CreateDaemonEnvironment`, then the runtime's `HOME`): `PATH`, `HOSTNAME`
/// and, with a TTY, `TERM=xterm`, each replaced by the container's own `Env`
/// (appended in its order), then `HOME` of the user when unset.
fn process_env(c: &ContainerRecord) -> Vec<String> {
    let mut env = vec![
        format!("PATH={DEFAULT_PATH}"),
        format!("HOSTNAME={}", c.config.hostname().unwrap_or_default()),
    ];
    if c.config.tty.unwrap_or(false) {
        env.push("TERM=xterm".to_string());
    }
    for var in c.config.env() {
        let key = var.split('=').next().unwrap_or_default();
        match env.iter_mut().find(|e| e.split('=').next() == Some(key)) {
            Some(slot) => *slot = var.to_string(),
            None => env.push(var.to_string()),
        }
    }
    if !env.iter().any(|e| e.starts_with("HOME=")) {
        let user = c.config.user.as_deref().unwrap_or_default();
        let root = matches!(user.split(':').next(), None | Some("" | "root" | "0"));
        env.push(format!("HOME={}", if root { "/root" } else { "/" }));
    }
    env
}

/// Health-check settings, in Docker's defaults where unset.
pub(crate) struct HealthPlan {
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

/// What the end of a run does to its container: the lifecycle's exit
/// transition, [`MemoryBackend::container_exited_in`] (epoch, container ID, run,
/// exit status; whether it changed anything). Handed in by the callers, so
/// processes depend on nothing above them.
pub(crate) type OnExit = fn(&MemoryBackend, u64, &str, u64, i64) -> bool;

impl MemoryBackend {
    /// Starts run `run` of container `c`; its end goes to `on_exit`. A program
    /// that idles (`sleep infinity`, an unknown main process: it reads, writes
    /// and changes nothing until killed), left alone by scripts and health
    /// checks, gets no task: [`Self::signal_process`] ends its run.
    pub(crate) fn spawn_process(&self, c: &ContainerRecord, run: u64, on_exit: OnExit) {
        let (Some(me), Some(rt)) = (self.me.upgrade(), self.runtime(&c.id)) else {
            return;
        };
        let argv: Vec<String> = std::iter::once((*c.path).clone())
            .chain(c.args.iter().cloned())
            .collect();
        let program = Program::parse(&argv, UnknownCommand::RunForever);
        let script = Script::from_labels(&c.labels().to_map())
            .with_rule(self.controls.script_for(&c.image, &c.command()));
        let health = health_plan(c);
        let open_stdin = c.config.open_stdin.unwrap_or(false);
        // The process always has files (`process_files`).
        let idles =
            !open_stdin && health.is_none() && script.leaves_program_alone() && program.idles(true);
        let inputs = (!idles).then(|| {
            let mut ctx = context(c);
            ctx.files = Some(self.process_files(&c.id));
            let stdin = open_stdin.then(|| rt.take_stdin());
            (ctx, stdin)
        });
        let mut slot = rt.process();
        // Under the slot lock (which signal delivery takes too): start only if
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
            older.abort();
        }
        let task = inputs.map(|(ctx, stdin)| {
            let epoch = self.epoch();
            let (sig_tx, sig_rx) = mpsc::unbounded_channel();
            let (paused_tx, paused_rx) = watch::channel(false);
            let id = c.id.clone();
            let task = tokio::spawn(async move {
                let code = me
                    .run_process(
                        &id, run, epoch, program, ctx, stdin, sig_rx, paused_rx, script, health,
                    )
                    .await;
                on_exit(&me, epoch, &id, run, code);
            });
            ProcessTask {
                signals: sig_tx,
                paused: paused_tx,
                abort: task.abort_handle(),
            }
        });
        *slot = Some(ProcessControl { run, task });
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

    /// Delivers a signal; returns whether it ends the process. Should the
    /// process be missing, a terminating signal ends the run through `on_exit`.
    pub(crate) fn signal_process(&self, id: &str, sig: i32, on_exit: OnExit) -> bool {
        let Some(c) = self.store.containers.get(id) else {
            return false;
        };
        let script = Script::from_labels(&c.labels().to_map())
            .with_rule(self.controls.script_for(&c.image, &c.command()));
        let ends = script.disposition(sig).is_some();
        let delivered = self
            .runtimes
            .get(id)
            .map(|rt| {
                rt.process()
                    .as_ref()
                    .and_then(|p| p.task.as_ref())
                    .is_some_and(|task| task.signals.send(sig).is_ok())
            })
            .unwrap_or(false);
        if !delivered && ends && c.is_running() {
            // No task to deliver it to: the program idles (or, should that
            // ever be, there is no process). The signal ends the run here.
            if let Some(code) = script.disposition(sig) {
                on_exit(self, self.epoch(), id, c.state.run, code);
            }
        }
        ends
    }

    /// Ends the process at once, without an exit transition (remove does that).
    pub(crate) fn kill_process_now(&self, id: &str) {
        if let Some(rt) = self.runtimes.get(id) {
            if let Some(p) = rt.process().take() {
                p.abort();
                rt.exited(p.run, 137);
            }
        }
    }

    /// Freezes or thaws the process.
    pub(crate) fn set_process_paused(&self, id: &str, paused: bool) {
        if let Some(rt) = self.runtimes.get(id) {
            if let Some(task) = rt.process().as_ref().and_then(|p| p.task.as_ref()) {
                let _ = task.paused.send(paused);
            }
        }
    }

    pub(crate) fn record_output(&self, epoch: u64, id: &str, stream: StdStream, data: Bytes) {
        if self.epoch() != epoch {
            return;
        }
        let tty = self
            .store
            .containers
            .get(id)
            .is_some_and(|c| c.config.tty.unwrap_or(false));
        let data = if tty { tty_newlines(data) } else { data };
        if let Some(rt) = self.runtimes.get(id) {
            rt.record(LogEntry {
                stream,
                time: self.now(),
                data,
            });
        }
    }

    /// Runs one health check and records its result.
    pub(crate) fn health_check(&self, epoch: u64, id: &str, run: u64, retries: i64, fail: bool) {
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
    pub(crate) async fn run_process(
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
        let (out_tx, mut out_rx) = mpsc::channel(OUTPUT_CHUNKS);
        let mut io = ProcessIo {
            stdin,
            output: out_tx,
        };
        let body = async {
            if let Some(rule) = &script.rule {
                play(&rule.output, &io).await;
                if rule.manual() {
                    std::future::pending::<()>().await;
                }
                if let Some(d) = rule.run_for {
                    tokio::time::sleep(d).await;
                }
                return rule.exit_code();
            }
            if let Some((out, err, code)) = &script.outcome {
                io.write(interp::StdStream::Stdout, Bytes::from(out.clone()))
                    .await;
                io.write(interp::StdStream::Stderr, Bytes::from(err.clone()))
                    .await;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tty_turns_newlines_into_crlf_once() {
        assert_eq!(
            tty_newlines(Bytes::from("a\nb\r\n\n")),
            Bytes::from("a\r\nb\r\n\r\n")
        );
        assert_eq!(tty_newlines(Bytes::from("none")), Bytes::from("none"));
    }
}
