//! Telling the world about a container: its waiters (the wait channel) and its
//! events (container, network membership, volume mounts).

use std::collections::HashMap;

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
    pub(crate) fn notify_waiters(&self, id: &str) {
        let (Some(rt), Some(c)) = (self.runtimes.get(id), self.store.containers.get(id)) else {
            return;
        };
        let ended_runs = c.ended_runs();
        rt.wait.send_modify(|w| {
            let exits = w.exits.max(ended_runs);
            *w = c.wait_state(false, exits);
        });
    }

    pub(crate) fn container_attributes(&self, c: &ContainerRecord) -> HashMap<String, String> {
        let mut attrs = c.labels().to_map();
        attrs.insert("image".into(), c.image.clone());
        attrs.insert("name".into(), c.bare_name().to_string());
        attrs
    }

    /// Emits a container event with Docker's attributes (labels, image, name)
    /// plus `extra`.
    pub(crate) fn emit_container(
        &self,
        c: &ContainerRecord,
        action: &str,
        extra: &[(&str, String)],
    ) {
        let mut attrs = self.container_attributes(c);
        for (k, v) in extra {
            attrs.insert((*k).to_string(), v.clone());
        }
        self.emit(Kind::Container, action, &c.id, attrs);
    }

    /// Docker's `network connect`/`disconnect` events for each network a
    /// container joins when it starts and leaves when it stops.
    pub(crate) fn emit_network_membership(&self, c: &ContainerRecord, action: &str) {
        for (name, settings) in &c.networks {
            let Some(net_id) = settings.network_id.as_deref() else {
                continue;
            };
            let driver = self
                .store
                .networks
                .get(net_id)
                .map(|n| n.driver.clone())
                .unwrap_or_default();
            let attrs: HashMap<String, String> = [
                ("container".to_string(), c.id.to_string()),
                ("name".to_string(), name.to_string()),
                ("type".to_string(), driver),
            ]
            .into_iter()
            .collect();
            self.emit(Kind::Network, action, net_id, attrs);
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
            let mut attrs: HashMap<String, String> = [
                ("container".to_string(), c.id.to_string()),
                (
                    "driver".to_string(),
                    m.driver.clone().unwrap_or_else(|| "local".into()),
                ),
            ]
            .into_iter()
            .collect();
            if action == "mount" {
                attrs.insert(
                    "destination".into(),
                    m.destination.clone().unwrap_or_default(),
                );
                attrs.insert(
                    "propagation".into(),
                    m.propagation.clone().unwrap_or_default(),
                );
                attrs.insert("read/write".into(), m.rw.unwrap_or(true).to_string());
            }
            self.emit(Kind::Volume, action, name, attrs);
        }
    }
}
