//! A container's [`View`]: its root layer over its image's files, the runtime
//! files (hostname, hosts, resolv.conf) and its mounts (volumes and bind
//! mounts shared through the file store; a tmpfs starts empty each time).

use std::sync::{Arc, Mutex};

use super::record::ContainerRecord;
use crate::backend::MemoryBackend;
use crate::fs::{path, synthetic, Layer, Mount, View};
use sockerless_core::api::docker::MountPointTypeEnum;

impl MemoryBackend {
    /// The view of container `c`. Its root layer is kept in the store only
    /// once something writes (`for_write`): until then a container costs
    /// nothing here.
    pub(crate) fn container_view(&self, c: &ContainerRecord, for_write: bool) -> View {
        let base = self.image_files(&c.image_id);
        let root = self.store.files.container(&c.id, base, for_write);
        let hostname = c
            .config
            .hostname()
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| c.short_id().to_string());
        let addresses: Vec<String> = c
            .networks
            .values()
            .filter_map(|n| n.ip_address.clone())
            .collect();
        let runtime = synthetic::runtime_files(&hostname, &addresses, c.created);
        let mut mounts = Vec::new();
        for m in &c.mounts {
            let Some(dest) = m
                .destination
                .as_deref()
                .and_then(|d| path::clean(d).ok())
                .filter(|d| !d.is_empty())
            else {
                continue;
            };
            let layer = match (m.typ, m.name.as_deref(), m.source.as_deref()) {
                (Some(MountPointTypeEnum::VOLUME), Some(name), _) => self.store.files.volume(name),
                (Some(MountPointTypeEnum::BIND), _, Some(source)) => self.store.files.bind(source),
                _ => Arc::new(Mutex::new(Layer::default())),
            };
            mounts.push(Mount {
                dest,
                layer,
                read_only: m.rw == Some(false),
            });
        }
        View {
            root,
            runtime,
            mounts,
        }
    }
}
