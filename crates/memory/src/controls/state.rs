//! The whole state as one document (`GET`/`PUT /memory/state`, the state file),
//! and reset: both replace everything the store holds. This module depends on
//! every resource's record; no resource depends on it.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};

use super::live::lock;
use crate::backend::MemoryBackend;
use crate::containers::record::{ContainerRecord, Status};
use crate::exec::record::ExecRecord;
use crate::ids::Id;
use crate::images::record::ImageRecord;
use crate::networks::record::NetworkRecord;
use crate::volumes::record::{validate_name as validate_volume_name, VolumeRecord};
use sockerless_core::api::{WaitError, WaitResponse};
use sockerless_core::docker::names;
use sockerless_core::error::{Error, Result};

/// The message waiters get when the backend is reset under them.
pub(crate) const RESET_MESSAGE: &str = "the memory backend was reset";

/// What a waiter of a reset backend receives: `{"StatusCode":-1,"Error":{"Message":"the memory backend was reset"}}`.
pub(crate) fn reset_wait_response() -> WaitResponse {
    WaitResponse {
        status_code: -1,
        error: Some(WaitError {
            message: RESET_MESSAGE.into(),
        }),
    }
}

/// The whole state, as `GET /memory/state` answers and `PUT` takes it.
/// Runtimes (logs, live streams, processes) are not state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDocument {
    /// Format version: 1.
    pub version: u32,
    /// Containers, in creation order.
    pub containers: Vec<ContainerRecord>,
    /// Images, by ID.
    pub images: Vec<ImageRecord>,
    /// Canonical image references → image IDs.
    pub image_tags: BTreeMap<String, String>,
    /// Networks, by name.
    pub networks: Vec<NetworkRecord>,
    /// Volumes, by name.
    pub volumes: Vec<VolumeRecord>,
    /// Exec instances, by ID.
    pub execs: Vec<ExecRecord>,
}

fn check(cond: bool, msg: impl FnOnce() -> String) -> Result<()> {
    if cond {
        Ok(())
    } else {
        Err(Error::bad_request(format!("invalid state: {}", msg())))
    }
}

impl StateDocument {
    /// Checks the document's references and uniqueness; 400 naming the first
    /// problem.
    pub(crate) fn validate(&self) -> Result<()> {
        check(self.version == 1, || {
            format!("unsupported version {}", self.version)
        })?;
        let mut ids = BTreeSet::new();
        let mut names = BTreeSet::new();
        for c in &self.containers {
            check(!c.id.is_empty(), || "a container has an empty Id".into())?;
            check(ids.insert(c.id.as_str()), || {
                format!("duplicate container ID {}", c.id)
            })?;
            check(names.insert(c.bare_name()), || {
                format!("duplicate container name {}", c.name)
            })?;
            check(names::is_valid_container_name(c.bare_name()), || {
                format!("invalid container name {:?}", c.name)
            })?;
        }
        let images: BTreeSet<&str> = self.images.iter().map(|i| i.id.as_str()).collect();
        check(images.len() == self.images.len(), || {
            "duplicate image ID".into()
        })?;
        for (tag, id) in &self.image_tags {
            check(images.contains(id.as_str()), || {
                format!("image tag {tag} names no image ({id})")
            })?;
        }
        let mut net_ids = BTreeSet::new();
        let mut net_names = BTreeMap::new();
        for n in &self.networks {
            check(net_ids.insert(n.id.as_str()), || {
                format!("duplicate network ID {}", n.id)
            })?;
            check(net_names.insert(n.name.as_str(), n).is_none(), || {
                format!("duplicate network name {}", n.name)
            })?;
            for member in n.members.keys() {
                let c = self.containers.iter().find(|c| &c.id == member);
                check(c.is_some(), || {
                    format!(
                        "network {} has a member {member} that names no container",
                        n.name
                    )
                })?;
                check(c.is_some_and(|c| c.networks.contains_key(&n.name)), || {
                    format!(
                        "network {} lists {member}, which does not list the network",
                        n.name
                    )
                })?;
                // Docker has endpoints only for running containers.
                check(c.is_some_and(|c| c.is_running()), || {
                    format!("network {} lists {member}, which is not running", n.name)
                })?;
            }
        }
        check(net_names.contains_key("bridge"), || {
            "the predefined bridge network is missing".into()
        })?;
        // A running container is on every network it names; one that is not
        // running may name networks that are gone (Docker looks them up at
        // start).
        for c in self.containers.iter().filter(|c| c.is_running()) {
            for net in c.networks.keys() {
                check(
                    net_names
                        .get(net)
                        .is_some_and(|n| n.members.contains_key(&c.id)),
                    || {
                        format!(
                            "container {} names network {net}, which does not list it",
                            c.id
                        )
                    },
                )?;
            }
        }
        let mut vols = BTreeMap::new();
        for v in &self.volumes {
            check(vols.insert(v.name.as_str(), v).is_none(), || {
                format!("duplicate volume {}", v.name)
            })?;
            // The name makes the Mountpoint: no `/`, no `..`.
            validate_volume_name(&v.name)
                .map_err(|e| Error::bad_request(format!("invalid volume: {e}")))?;
            for r in &v.refs {
                check(ids.contains(r.as_str()), || {
                    format!(
                        "volume {} is referenced by {r}, which names no container",
                        v.name
                    )
                })?;
            }
        }
        for c in &self.containers {
            for v in c.volume_names() {
                check(vols.contains_key(v), || {
                    format!("container {} mounts volume {v}, which does not exist", c.id)
                })?;
            }
        }
        let mut exec_ids = BTreeSet::new();
        for e in &self.execs {
            check(exec_ids.insert(e.id.as_str()), || {
                format!("duplicate exec ID {}", e.id)
            })?;
            check(ids.contains(e.container_id.as_str()), || {
                format!("exec {} names no container ({})", e.id, e.container_id)
            })?;
        }
        Ok(())
    }
}

impl MemoryBackend {
    /// Ends everything of the current state (processes, exec tasks, waiters, log
    /// followers, attaches) and empties the store. The caller holds the links
    /// lock.
    fn end_everything_locked(&self) {
        self.controls.epoch.fetch_add(1, Ordering::SeqCst);
        for e in self.store.execs.list(|_| true) {
            if let Some(t) = &e.task {
                t.abort();
            }
        }
        for rt in self.runtimes.drain() {
            if let Some(p) = rt.process().take() {
                p.abort();
            }
            rt.wait.send_modify(|w| w.reset = true);
            rt.live.close_all();
            rt.close_stdin();
        }
        self.store.containers.clear();
        self.store.container_labels.clear();
        self.store.container_names.clear();
        self.store.images.clear();
        self.store.image_tags.clear();
        self.store.networks.clear();
        self.store.network_names.clear();
        self.store.volumes.clear();
        self.store.execs.clear();
        self.store.container_execs.clear();
        self.store.files.clear();
        lock(&self.ports).clear();
        self.events.clear_history();
    }

    /// `POST /memory/reset`: the start-up state (the predefined networks only).
    /// Script and fault rules, the seed's generator and the clock are kept.
    pub(crate) fn reset(&self) {
        // One critical section: an operation that takes the links lock (create,
        // remove, start, stop, connect…) sees the old state or the new one with
        // its predefined networks, never the empty store in between.
        let _g = self.links();
        self.end_everything_locked();
        self.seq.store(1, Ordering::Relaxed);
        self.create_predefined_networks();
    }

    /// `GET /memory/state`.
    pub fn snapshot(&self) -> StateDocument {
        let _g = self.links();
        let st = &self.store;
        let containers = st
            .containers
            .cloned_sorted_by_key(|c| (c.seq, c.id.clone()));
        let images = st.images.cloned_sorted_by_key(|i| i.id.clone());
        let networks = st.networks.cloned_sorted_by_key(|n| n.name.clone());
        let volumes = st.volumes.cloned_sorted_by_key(|v| v.name.clone());
        // Each container's execs in its order, oldest first, so that a load
        // (which rebuilds the exec index in document order) keeps `ExecIDs`.
        let execs = containers
            .iter()
            .flat_map(|c| st.container_execs.of(&c.id))
            .filter_map(|id| st.execs.get(&id))
            .map(|e| (*e).clone())
            .collect();
        StateDocument {
            version: 1,
            containers,
            images,
            image_tags: self.store.image_tags.entries().into_iter().collect(),
            networks,
            volumes,
            execs,
        }
    }

    /// `PUT /memory/state` (and `--state-file` at start): validates, then
    /// replaces the whole state as a reset does. Running and paused containers
    /// get a fresh process of the same run (their logs start empty); exec
    /// instances that were running are marked ended with 137.
    pub fn load_state(&self, doc: StateDocument) -> Result<()> {
        doc.validate()?;
        let mut live: Vec<(String, bool)> = Vec::new();
        {
            let _g = self.links();
            self.end_everything_locked();
            let mut max_seq = 0;
            let mut ports = lock(&self.ports);
            // The networks' members and the volumes' references hold the
            // containers' own IDs (one allocation each), as a create makes them.
            let ids: HashSet<Id> = doc.containers.iter().map(|c| c.id.clone()).collect();
            let shared = |id: Id| ids.get(id.as_str()).cloned().unwrap_or(id);
            for c in doc.containers {
                max_seq = max_seq.max(c.seq);
                let _ = self.store.container_names.reserve(&c.name, &c.id);
                if c.is_running() {
                    live.push((c.id.to_string(), c.state.status == Status::Paused));
                    for b in c.ports.values().flatten().flatten() {
                        if let Some(p) = b.host_port.as_deref().and_then(|p| p.parse().ok()) {
                            ports.insert(p);
                        }
                    }
                }
                self.store.container_labels.insert(&c.id, c.labels().iter());
                self.store.containers.put(c.id.clone(), c);
            }
            drop(ports);
            self.seq.store(max_seq + 1, Ordering::Relaxed);
            for i in doc.images {
                self.store.images.put(i.id.clone(), i);
            }
            for (tag, id) in doc.image_tags {
                let _ = self.store.image_tags.reserve(&tag, &id);
            }
            for mut n in doc.networks {
                n.members = std::mem::take(&mut n.members)
                    .into_iter()
                    .map(|(id, e)| (shared(id), e))
                    .collect();
                let _ = self.store.network_names.reserve(&n.name, &n.id);
                self.store.networks.put(n.id.clone(), n);
            }
            for mut v in doc.volumes {
                v.refs = std::mem::take(&mut v.refs)
                    .into_iter()
                    .map(shared)
                    .collect();
                self.store.volumes.put(v.name.clone(), v);
            }
            for mut e in doc.execs {
                e.task = None;
                if e.running {
                    e.running = false;
                    e.exit_code = Some(137);
                    e.pid = 0;
                }
                self.store
                    .container_execs
                    .insert(shared(Id::from(&e.container_id)), e.id.clone());
                self.store.execs.put(e.id.clone(), e);
            }
        }
        let ids: Vec<String> = self
            .store
            .containers
            .list(|_| true)
            .iter()
            .map(|c| c.id.to_string())
            .collect();
        for id in ids {
            self.notify_waiters(&id);
        }
        for (id, paused) in live {
            if let Some(c) = self.store.containers.get(&id) {
                self.spawn_process(&c, c.state.run, MemoryBackend::container_exited_in);
                if paused {
                    self.set_process_paused(&id, true);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sockerless_core::api::*;
    use sockerless_core::backend::prelude::*;

    use crate::test_support::backend_with_alpine;
    use crate::MemoryBackend;

    /// A loaded state holds each container's ID once, as a create and a start
    /// do: the network's member and the volume's reference are the record's
    /// own.
    #[tokio::test]
    async fn a_loaded_state_shares_each_container_id() {
        let b = backend_with_alpine().await;
        let body: ContainerCreateBody = serde_json::from_value(serde_json::json!({
            "Image": "alpine",
            "Cmd": ["sleep", "infinity"],
            "HostConfig": {"Binds": ["data:/data"]}
        }))
        .unwrap();
        let id = b.container_create(None, body).await.unwrap().id;
        // A network has members while they run.
        b.container_start(id.clone()).await.unwrap();
        // As `PUT /memory/state` and `--state-file` read it: from JSON.
        let json = serde_json::to_string(&b.snapshot()).unwrap();
        let doc: super::StateDocument = serde_json::from_str(&json).unwrap();
        let loaded = MemoryBackend::new();
        loaded.load_state(doc).unwrap();
        let c = loaded.store.containers.get(&id).unwrap();
        let bridge = loaded.network_resolve("bridge").unwrap();
        let (member, _) = bridge.members.get_key_value(id.as_str()).unwrap();
        let vol = loaded.store.volumes.get("data").unwrap();
        let reference = vol.refs.get(id.as_str()).unwrap();
        assert!(std::ptr::eq(c.id.as_str(), member.as_str()));
        assert!(std::ptr::eq(c.id.as_str(), reference.as_str()));
        assert_eq!(
            serde_json::to_value(loaded.snapshot()).unwrap(),
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            "the same document"
        );
    }
}
