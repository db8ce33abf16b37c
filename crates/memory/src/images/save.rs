//! `docker save`: images as a tar that `docker load` accepts (ours and a real
//! Docker Engine's) — `manifest.json`, one config and one layer (the image's
//! files, flattened) per image under `blobs/sha256/`.
//!
//! The layer is the image's files as stored now, so the config (and with it
//! the image ID a loader computes) is written afresh: a saved image pulled by
//! name loads under a new ID with the same tags and files.

use std::collections::{BTreeSet, HashMap};

use bytes::Bytes;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::reference::Reference;
use crate::backend::MemoryBackend;
use crate::fs::tar_out;
use crate::ids::hex;
use sockerless_core::docker::timefmt::rfc3339_nano;
use sockerless_core::error::{Error, Result};

fn tar_failed(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("writing the image archive: {e}"))
}

impl MemoryBackend {
    /// The `docker save` tar of the images `names` (each a tag or an ID).
    pub(crate) fn save(&self, names: &[String]) -> Result<Bytes> {
        if names.is_empty() {
            return Err(Error::bad_request("no images specified"));
        }
        // Image ID → tags asked for, in the order first named.
        let mut order: Vec<String> = Vec::new();
        let mut tags: HashMap<String, Vec<String>> = HashMap::new();
        for name in names {
            let img = self.image_resolve(name)?;
            let tag = Reference::parse(name)
                .ok()
                .map(|r| r.with_default_tag().familiar())
                .filter(|t| img.repo_tags.contains(t));
            let entry = tags.entry(img.id.clone()).or_insert_with(|| {
                order.push(img.id.clone());
                Vec::new()
            });
            if let Some(t) = tag.filter(|t| !entry.contains(t)) {
                entry.push(t);
            }
        }
        let mut out = tar::Builder::new(Vec::new());
        let mut written: BTreeSet<String> = BTreeSet::new();
        let mut manifest = Vec::new();
        let now = self.now();
        for id in order {
            let Some(img) = self.store.images.get(&id) else {
                return Err(Error::no_such_image(&id));
            };
            let tree = self.image_files(&id);
            let layer = tar_out::write(
                tree.iter()
                    .filter(|(k, _)| !k.is_empty())
                    .map(|(k, e)| (k.clone(), e)),
            )
            .map_err(tar_failed)?;
            let layer_hex = hex(&Sha256::digest(&layer));
            let config = json!({
                "architecture": img.architecture,
                "os": img.os,
                "variant": img.variant,
                "created": rfc3339_nano(img.created),
                "config": img.config,
                "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{layer_hex}")]},
                "history": [{"created": rfc3339_nano(now), "created_by": "sockerless save"}],
            });
            let config = serde_json::to_vec(&config).map_err(tar_failed)?;
            let config_hex = hex(&Sha256::digest(&config));
            for (h, data) in [(&layer_hex, &layer), (&config_hex, &config)] {
                if written.insert(h.clone()) {
                    append_file(&mut out, &format!("blobs/sha256/{h}"), data)?;
                }
            }
            manifest.push(json!({
                "Config": format!("blobs/sha256/{config_hex}"),
                "RepoTags": tags.remove(&id).filter(|t| !t.is_empty()),
                "Layers": [format!("blobs/sha256/{layer_hex}")],
            }));
        }
        let manifest = serde_json::to_vec(&manifest).map_err(tar_failed)?;
        append_file(&mut out, "manifest.json", &manifest)?;
        out.into_inner().map(Bytes::from).map_err(tar_failed)
    }
}

fn append_file(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) -> Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o644);
    h.set_size(data.len() as u64);
    h.set_mtime(0);
    b.append_data(&mut h, name, data).map_err(tar_failed)
}
