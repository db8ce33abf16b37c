//! Telling the world about a container: its waiters (the wait channel) and its
//! events (container, network membership, volume mounts).

use super::record::ContainerRecord;
use crate::backend::MemoryBackend;
use crate::events::Kind;
use sockerless_core::api::docker;

impl MemoryBackend {
    /// Publishes a container's state to its waiters.
    ///
    /// The exit count comes from the record (every start begins run `run`,
    /// every run ends once), not from comparing with the last published state:
    /// when a concurrent start follows an exit before the exit is published,
    /// both notifications see a running container, and the exit would be lost.
    ///
    /// The record is read under the channel's lock: of two concurrent
    /// notifications the one published last reads the record last, so a
    /// start's "running" read before its run exited never overwrites the
    /// exit (a kill or stop waiting for that exit would wait its whole bound).
    pub(crate) fn notify_waiters(&self, id: &str) {
        self.notify_waiters_after(id, || ());
    }

    /// [`Self::notify_waiters`], running `meanwhile` after the runtime is
    /// found and before the state is published: where a concurrent change of
    /// the container can land (the tests put one there).
    fn notify_waiters_after(&self, id: &str, meanwhile: impl FnOnce()) {
        let Some(rt) = self.runtimes.get(id) else {
            return;
        };
        meanwhile();
        rt.wait.send_if_modified(|w| {
            let Some(c) = self.store.containers.get(id) else {
                return false;
            };
            let exits = w.exits.max(c.ended_runs());
            *w = c.wait_state(false, exits);
            true
        });
    }

    /// Emits a container event with Docker's attributes (labels, image, name)
    /// plus `extra`.
    pub(crate) fn emit_container(
        &self,
        c: &ContainerRecord,
        action: &str,
        extra: &[(&str, String)],
    ) {
        let attributes = c
            .labels()
            .iter()
            .chain([("image", c.image.as_str()), ("name", c.bare_name())])
            .chain(extra.iter().map(|(k, v)| (*k, v.as_str())));
        self.emit_pairs(Kind::Container, action, &c.id, attributes);
    }

    /// Docker's `network connect`/`disconnect` events for each network a
    /// container joins when it starts and leaves when it stops.
    pub(crate) fn emit_network_membership(&self, c: &ContainerRecord, action: &str) {
        for (name, net_id) in c.networks.ids() {
            let Some(net_id) = net_id else {
                continue;
            };
            let network = self.store.networks.get(net_id);
            let driver = network.as_ref().map_or("", |n| n.driver.as_str());
            let attributes = [("container", &*c.id), ("name", name), ("type", driver)];
            self.emit_pairs(Kind::Network, action, net_id, attributes);
        }
    }

    /// Docker's volume `mount`/`unmount` events for each named or anonymous
    /// volume a container mounts when it starts and unmounts when it stops.
    pub(crate) fn emit_volume_mounts(&self, c: &ContainerRecord, action: &str) {
        for m in &c.mounts {
            let (Some(docker::MountPointTypeEnum::VOLUME), Some(name)) = (m.typ, m.name.as_deref())
            else {
                continue;
            };
            let common = [
                ("container", &*c.id),
                ("driver", m.driver.as_deref().unwrap_or("local")),
            ];
            let read_write = if m.rw.unwrap_or(true) {
                "true"
            } else {
                "false"
            };
            let mounted = [
                ("destination", m.destination.as_deref().unwrap_or_default()),
                ("propagation", m.propagation.as_deref().unwrap_or_default()),
                ("read/write", read_write),
            ];
            let mounted = if action == "mount" { &mounted[..] } else { &[] };
            let attributes = common.into_iter().chain(mounted.iter().copied());
            self.emit_pairs(Kind::Volume, action, name, attributes);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use crate::containers::record::{ContainerRecord, RunState, Status};
    use crate::MemoryBackend;

    /// A start's notification that read the record (running) before the run
    /// exited must not publish "running" over the exit's own notification:
    /// a kill or stop waiting for that exit would wait its whole bound.
    #[tokio::test]
    async fn an_exit_published_meanwhile_is_not_overwritten_by_an_older_state() {
        let b = MemoryBackend::new();
        let mut state = RunState::never_ran(Status::Running, None);
        state.run = 1;
        state.started_at = Some(SystemTime::now());
        let c = ContainerRecord::bare("c1", state);
        let id = c.id.to_string();
        assert!(b.store.containers.insert_new(id.as_str(), c).is_ok());
        let baseline = b.exits_so_far(&id);
        assert_eq!(baseline, 0);
        // The start's notification; meanwhile run 1 exits with 3 and
        // publishes its exit.
        b.notify_waiters_after(&id, || assert!(b.container_exited(&id, 1, 3)));
        let published = *b.runtimes.get(id.as_str()).unwrap().wait.borrow();
        assert!(!published.running, "{published:?}");
        assert_eq!((published.exits, published.exit_code), (1, 3));
        assert!(
            b.wait_not_running(&id, baseline, Some(std::time::Duration::ZERO))
                .await,
            "a waiter sees the exit at once"
        );
    }
}
