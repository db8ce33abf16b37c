//! The lifecycle's shared steps: a run's exit (and auto-remove), waiting for a
//! run to end, stop signals and the stop sequence, pause, and removal.

use std::time::Duration;

use super::host::ExitPart;
use super::record::{ContainerRecord, Status};
use crate::backend::MemoryBackend;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::docker::signal;
use sockerless_core::error::{Error, Result};

impl MemoryBackend {
    /// Marks run `run` of a container exited with `code` (called by its process).
    /// Returns whether it changed anything.
    pub(crate) fn container_exited(&self, id: &str, run: u64, code: i64) -> bool {
        self.container_exited_in(self.epoch(), id, run, code)
    }

    /// As [`Self::container_exited`], for a task of generation `epoch`: after a
    /// reset (or a state load) the old task's exit writes nothing.
    pub(crate) fn container_exited_in(&self, epoch: u64, id: &str, run: u64, code: i64) -> bool {
        let changed = {
            let _g = self.links();
            if self.epoch() != epoch {
                return false;
            }
            let changed = self
                .store
                .containers
                .update(id, |c| {
                    if c.state.run != run || !c.is_running() {
                        return false;
                    }
                    c.state.status = Status::Exited;
                    c.state.pid = 0;
                    c.state.exit_code = code;
                    c.state.finished_at = Some(self.now());
                    if let Some(h) = c.state.health.as_mut() {
                        h.status = Some(docker::HealthStatusEnum::UNHEALTHY);
                    }
                    self.network_release_ips(c);
                    self.release_ports(c);
                    true
                })
                .unwrap_or(false);
            if changed {
                self.drop_execs_of(id);
            }
            changed
        };
        if changed {
            self.process_ended(id, run);
            self.notify_waiters(id);
            if let Some(c) = self.store.containers.get(id) {
                self.emit_die(&c, code);
                self.emit_network_membership(&c, "disconnect");
                self.emit_volume_mounts(&c, "unmount");
                if c.host_config.read::<ExitPart>().auto_remove == Some(true) {
                    let _ = self.remove_container(
                        id,
                        ContainerRemoveOptions {
                            force: true,
                            volumes: true,
                            link: false,
                        },
                    );
                }
            }
        }
        changed
    }

    /// How many times the container has exited so far (the baseline of
    /// [`Self::wait_not_running`]); 0 when it does not exist.
    pub(crate) fn exits_so_far(&self, id: &str) -> u64 {
        self.runtime(id)
            .map(|rt| rt.wait.borrow().exits)
            .unwrap_or(0)
    }

    /// Waits (bounded) until the run that was live when `exits` was read has
    /// ended: the container is not running, is removed, or has exited since.
    /// Comparing exit counts matters: a concurrent start may begin the next run
    /// before this waiter looks, and the watch channel only keeps the latest
    /// state, so "not running" alone can be missed.
    pub(crate) async fn wait_not_running(
        &self,
        id: &str,
        exits: u64,
        timeout: Option<Duration>,
    ) -> bool {
        let Some(rt) = self.runtime(id) else {
            return true;
        };
        let mut rx = rt.wait.subscribe();
        drop(rt);
        let fut = async {
            loop {
                let s = *rx.borrow_and_update();
                if !s.running || s.removed || s.reset || s.exits > exits {
                    return;
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        };
        match timeout {
            Some(t) => tokio::time::timeout(t, fut).await.is_ok(),
            None => {
                fut.await;
                true
            }
        }
    }

    /// The `die` event: Docker's attributes `exitCode` and `execDuration`
    /// (whole seconds the container ran, as moby's monitor writes it).
    pub(crate) fn emit_die(&self, c: &ContainerRecord, code: i64) {
        let ran = match (c.state.started_at, c.state.finished_at) {
            (Some(start), Some(end)) => end.duration_since(start).unwrap_or_default(),
            _ => Duration::ZERO,
        };
        self.emit_container(
            c,
            "die",
            &[
                ("exitCode", code.to_string()),
                ("execDuration", ran.as_secs().to_string()),
            ],
        );
    }

    /// Kill's steps, without Docker's prefix on its errors.
    pub(crate) async fn kill(&self, reference: &str, s: Option<&str>) -> Result<()> {
        let sig = match s {
            Some(s) if !s.is_empty() => Self::parse_signal(s)?,
            _ => signal::SIGKILL,
        };
        let c = self.container(reference)?;
        if !c.is_running() {
            return Err(Error::conflict(format!(
                "container {} is not running",
                c.id
            )));
        }
        self.emit_container(&c, "kill", &[("signal", sig.to_string())]);
        let exits = self.exits_so_far(&c.id);
        if self.signal_process(&c.id, sig, MemoryBackend::container_exited_in) {
            // A terminating signal: return once the container has exited.
            self.wait_not_running(&c.id, exits, Some(Duration::from_secs(5)))
                .await;
        }
        Ok(())
    }

    /// The signal stop and restart send: the request's, else the container's
    /// `StopSignal`, else SIGTERM.
    pub(crate) fn stop_signal(c: &ContainerRecord, requested: Option<&str>) -> Result<i32> {
        match requested.or(c.config.stop_signal.as_deref()) {
            Some(s) if !s.is_empty() => Self::parse_signal(s),
            _ => Ok(signal::SIGTERM),
        }
    }

    /// A signal by name or number, refused in moby's words: `invalid
    /// signal: <s>` (`signal.ParseSignal`), or for a number that is no Linux
    /// signal `the linux daemon does not support signal <n>`
    /// (`signal.ValidSignalForPlatform`).
    pub(crate) fn parse_signal(s: &str) -> Result<i32> {
        if let Some(sig) = signal::parse_signal(s) {
            return Ok(sig);
        }
        Err(Error::bad_request(match s.parse::<i32>() {
            Ok(n) if n != 0 => format!("the linux daemon does not support signal {n}"),
            _ => format!("invalid signal: {s}"),
        }))
    }

    /// Sends the stop signal, waits up to `timeout` seconds (negative: forever),
    /// then kills.
    pub(crate) async fn stop_container(&self, id: &str, sig: i32, timeout: i64) {
        let epoch = self.epoch();
        if let Some(c) = self.store.containers.get(id) {
            self.emit_container(&c, "kill", &[("signal", sig.to_string())]);
        }
        let exits = self.exits_so_far(id);
        self.signal_process(id, sig, MemoryBackend::container_exited_in);
        let limit = (timeout >= 0).then(|| Duration::from_secs(timeout as u64));
        // A reset while waiting ended this container: the ID may now name
        // another one (under a seed), which the SIGKILL must not reach.
        if self.wait_not_running(id, exits, limit).await || self.epoch() != epoch {
            return;
        }
        if let Some(c) = self.store.containers.get(id) {
            self.emit_container(&c, "kill", &[("signal", signal::SIGKILL.to_string())]);
        }
        self.signal_process(id, signal::SIGKILL, MemoryBackend::container_exited_in);
        self.wait_not_running(id, exits, Some(Duration::from_secs(5)))
            .await;
    }

    /// Pauses (`true`) or unpauses a container, with Docker's conflicts.
    pub(crate) fn set_paused(&self, r: &str, pause: bool) -> Result<()> {
        let id = self.container_id(r)?;
        self.store
            .containers
            .update(&id, |c| match (pause, c.state.status) {
                (true, Status::Running) => {
                    c.state.status = Status::Paused;
                    Ok(())
                }
                (false, Status::Paused) => {
                    c.state.status = Status::Running;
                    Ok(())
                }
                (true, Status::Paused) => Err(Error::conflict(format!(
                    "Container {} is already paused",
                    c.id
                ))),
                (true, _) => Err(Error::conflict(format!(
                    "container {} is not running",
                    c.id
                ))),
                (false, _) => Err(Error::conflict(format!("Container {} is not paused", c.id))),
            })
            .ok_or_else(|| Error::no_such_container(r))??;
        self.set_process_paused(&id, pause);
        self.notify_waiters(&id);
        if let Some(c) = self.store.containers.get(&id) {
            self.emit_container(&c, if pause { "pause" } else { "unpause" }, &[]);
        }
        Ok(())
    }

    /// `DELETE /containers/{ref}`.
    pub(crate) fn remove_container(&self, r: &str, o: ContainerRemoveOptions) -> Result<()> {
        let id = self.container_id(r)?;
        if o.link {
            // `link=1` removes a legacy link name `/parent/child`; a
            // container's reference has no parent, so Docker refuses it in
            // these words (moby's `rmLink`) and changes nothing. Docker's
            // status is 500 (a plain error); bad client input is a 4xx here.
            return Err(Error::conflict(
                "Conflict, cannot remove the default link name of the container",
            ));
        }
        let guard = self.links();
        let Some(c) = self.store.containers.get(&id) else {
            return Err(Error::no_such_container(r));
        };
        if !o.force {
            match c.state.status {
                Status::Running | Status::Restarting => {
                    return Err(Error::conflict(format!(
                        "cannot remove container \"{}\": container is running: stop the container before removing or force remove",
                        c.name
                    )))
                }
                Status::Paused => {
                    return Err(Error::conflict(format!(
                        "cannot remove container \"{}\": container is paused and must be unpaused first",
                        c.name
                    )))
                }
                _ => {}
            }
        }
        let Some(removed) = self.store.containers.remove(&id) else {
            return Err(Error::no_such_container(r));
        };
        self.store
            .container_labels
            .remove(&id, removed.labels().iter());
        self.store.files.remove_container(&id);
        let mut record = (*removed).clone();
        let was_running = record.is_running();
        if was_running {
            record.state.status = Status::Exited;
            record.state.exit_code = 137;
            record.state.pid = 0;
            record.state.finished_at = Some(self.now());
        }
        let nets = record.networks.network_ids();
        for net_id in nets {
            self.network_detach(&net_id, &mut record);
        }
        self.release_ports(&mut record);
        let vols: Vec<String> = record.volume_names().map(str::to_string).collect();
        for v in vols {
            self.volume_release(&v, &id, o.volumes);
        }
        self.store.container_names.release(record.bare_name(), &id);
        self.drop_execs_of(&id);
        drop(guard);
        self.kill_process_now(&id);
        if let Some(rt) = self.runtimes.remove(&id) {
            let exited_now = was_running;
            rt.wait.send_modify(|w| {
                w.exits += u64::from(exited_now);
                w.running = false;
                w.exit_code = record.state.exit_code;
                w.removed = true;
            });
        }
        if was_running {
            self.emit_container(&record, "kill", &[("signal", signal::SIGKILL.to_string())]);
            self.emit_die(&record, 137);
            self.emit_network_membership(&removed, "disconnect");
            self.emit_volume_mounts(&removed, "unmount");
        }
        self.emit_container(&record, "destroy", &[]);
        Ok(())
    }
}
