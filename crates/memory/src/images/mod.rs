//! Images: pull, list, inspect, load, tag, remove, prune.
//!
//! Images live in `Store::images` (keyed by `sha256:<hex>`); every tag lives in
//! `Store::image_tags` (canonical `docker.io/library/nginx:latest` → image ID) and,
//! in its familiar spelling, in the image's `repo_tags`. Every change to tags or
//! images runs under `MemoryBackend::links` so the two always agree; events are
//! emitted after the lock is released.
//!
//! `record`, `reference`, `catalogue`, `platform`, `matching` and `archive` are
//! leaves; `pull`, `load`, `lookup` and `remove` are the steps; this module
//! implements `ImageBackend`.

pub mod archive;
mod catalogue;
pub(crate) use catalogue::DEFAULT_PATH;
mod files;
mod load;
mod lookup;
mod matching;
mod platform;
mod pull;
pub mod record;
pub mod reference;
mod remove;
mod save;

use std::collections::HashMap;
use std::time::SystemTime;

use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::backend::MemoryBackend;
use crate::events::Kind;
use crate::fs;
use async_trait::async_trait;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::ImageBackend;
use sockerless_core::docker::filters::FilterError;
use sockerless_core::docker::timefmt;
use sockerless_core::error::{Error, Result};

use archive::ArchiveReader;
use load::prepare_loaded;
use matching::familiar_match;
use platform::parse_platform;
use pull::{pull_records, pull_reference, Simulated};
use record::unix_seconds;
use reference::{ref_err, Reference};
use remove::PendingEvents;

pub(crate) use catalogue::host_architecture;

/// Largest image archive kept while loading to give its images their
/// layers' files (a larger one loads with synthetic roots).
const MAX_KEPT_ARCHIVE: usize = 256 * 1024 * 1024;
pub use record::ImageRecord;

fn filter_err(e: FilterError) -> Error {
    Error::bad_request(e.to_string())
}

#[async_trait]
impl ImageBackend for MemoryBackend {
    async fn image_pull(&self, o: PullOptions) -> Result<BoxStream<Value>> {
        // X-Registry-Auth is accepted and dropped: never logged, never stored.
        let PullOptions {
            from_image,
            tag,
            platform,
            registry_auth: _,
        } = o;
        let r = pull_reference(&from_image, tag.as_deref())?;
        let platform = parse_platform(platform.as_deref())?;
        let mut sim = Simulated::new(&r, &platform);
        let digest_ref = format!("{}@{}", r.familiar_name(), sim.manifest_digest);
        let fresh = {
            let _links = self.links();
            if r.digest.is_some() {
                // A digest names content: whatever image holds it locally is it.
                if let Some(holder) = self
                    .store
                    .images
                    .list(|i| i.repo_digests.contains(&digest_ref))
                    .into_iter()
                    .min_by(|a, b| a.id.cmp(&b.id))
                {
                    sim.id = holder.id.clone();
                }
            }
            let existing = self.store.images.get(&sim.id);
            let up_to_date = match (&existing, &r.digest) {
                (None, _) => false,
                (Some(rec), Some(_)) => rec.repo_digests.contains(&digest_ref),
                (Some(_), None) => {
                    self.store.image_tags.get(&r.canonical()).as_deref() == Some(&sim.id)
                }
            };
            if !up_to_date {
                if existing.is_none() {
                    self.store.images.put(sim.id.clone(), sim.record());
                }
                self.store.images.update(&sim.id, |rec| {
                    if !rec.repo_digests.contains(&digest_ref) {
                        rec.repo_digests.push(digest_ref.clone());
                        rec.repo_digests.sort();
                    }
                });
                if r.digest.is_none() {
                    self.attach_tag(&r, &sim.id, None);
                }
            }
            !up_to_date
        };
        tracing::debug!(reference = %r.familiar(), fresh, "image pulled");
        // Docker's pull event names the reference, not the ID.
        let mut attrs = self
            .store
            .images
            .get(&sim.id)
            .map(|rec| rec.labels())
            .unwrap_or_default();
        attrs.insert("name".to_string(), r.familiar_name());
        self.emit(Kind::Image, "pull", &r.familiar(), attrs);
        Ok(Box::pin(futures_util::stream::iter(pull_records(
            &r, &sim, fresh,
        ))))
    }

    async fn image_list(&self, o: ImageListOptions) -> Result<Vec<docker::ImageSummary>> {
        let f = &o.filters;
        f.check_keys(&["before", "dangling", "label", "reference", "since", "until"])
            .map_err(filter_err)?;
        let dangling = f.bool_value("dangling").map_err(filter_err)?;
        let image_time = |key: &str| -> Result<Option<SystemTime>> {
            match f.get(key).first() {
                Some(v) => Ok(Some(self.image_resolve(v)?.created)),
                None => Ok(None),
            }
        };
        let before = image_time("before")?;
        let since = image_time("since")?;
        let until = match f.get("until").first() {
            Some(v) => Some(
                timefmt::parse_timestamp(v, self.now())
                    .map_err(|e| Error::bad_request(e.to_string()))?,
            ),
            None => None,
        };
        let patterns = f.get("reference");
        for p in &patterns {
            familiar_match(p, "")?;
        }
        let mut images = self.store.images.list(|_| true);
        images.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        let mut out = Vec::new();
        for rec in images {
            if before.is_some_and(|b| rec.created >= b)
                || since.is_some_and(|s| rec.created <= s)
                || until.is_some_and(|u| rec.created > u)
            {
                continue;
            }
            let labels = rec.labels();
            if !f.match_kv_list("label", &labels) {
                continue;
            }
            let keep = |r: &String| -> Result<bool> {
                if patterns.is_empty() {
                    return Ok(true);
                }
                for p in &patterns {
                    if familiar_match(p, r)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            };
            let mut tags = Vec::new();
            for t in &rec.repo_tags {
                if keep(t)? {
                    tags.push(t.clone());
                }
            }
            let mut digests = Vec::new();
            for d in &rec.repo_digests {
                if keep(d)? {
                    digests.push(d.clone());
                }
            }
            if tags.is_empty() && digests.is_empty() {
                if dangling == Some(false) || !patterns.is_empty() {
                    continue;
                }
            } else if dangling == Some(true) && !tags.is_empty() {
                continue;
            }
            out.push(docker::ImageSummary {
                id: rec.id.clone(),
                parent_id: String::new(),
                repo_tags: tags,
                repo_digests: digests,
                created: unix_seconds(rec.created),
                size: rec.size,
                shared_size: -1,
                virtual_size: Some(rec.size),
                labels,
                // Docker counts containers only for `system df` (moby's
                // `ContainerCount`, set by the disk usage alone): -1 here.
                containers: -1,
            });
        }
        Ok(out)
    }

    async fn image_inspect(&self, name: String) -> Result<docker::ImageInspect> {
        let name = name.as_str();
        let rec = self.image_resolve(name)?;
        Ok(docker::ImageInspect {
            id: Some(rec.id.clone()),
            repo_tags: Some(rec.repo_tags.clone()),
            repo_digests: Some(rec.repo_digests.clone()),
            parent: Some(String::new()),
            comment: Some(String::new()),
            created: Some(timefmt::rfc3339_nano(rec.created)),
            docker_version: Some(String::new()),
            author: Some(String::new()),
            config: Some(rec.config.clone()),
            architecture: Some(rec.architecture.clone()),
            variant: rec.variant.clone(),
            os: Some(rec.os.clone()),
            size: Some(rec.size),
            virtual_size: Some(rec.size),
            graph_driver: Some(docker::GraphDriverData {
                name: "overlay2".to_string(),
                data: HashMap::new(),
            }),
            root_fs: Some(docker::ImageInspectRootFs {
                typ: "layers".to_string(),
                layers: Some(rec.layers.clone()),
            }),
            metadata: Some(docker::ImageInspectMetadata {
                last_tag_time: Some(
                    rec.last_tag_time
                        .map(timefmt::rfc3339_nano)
                        .unwrap_or_else(|| timefmt::ZERO_TIME.to_string()),
                ),
            }),
            ..Default::default()
        })
    }

    async fn image_load(
        &self,
        mut body: ByteStream,
        _quiet: bool,
    ) -> Result<Vec<serde_json::Value>> {
        // `quiet` only hides progress bars in Docker; the "Loaded image" lines
        // are always sent, and we send no progress.
        let mut reader = ArchiveReader::new();
        // The archive is kept (up to MAX_KEPT_ARCHIVE) to give the images
        // their layers' files; past that they get a synthetic root.
        let mut kept: Option<Vec<u8>> = Some(Vec::new());
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            reader
                .push(&chunk)
                .map_err(|e| Error::bad_request(e.to_string()))?;
            if let Some(k) = kept.as_mut() {
                if k.len() + chunk.len() > MAX_KEPT_ARCHIVE {
                    kept = None;
                } else {
                    k.extend_from_slice(&chunk);
                }
            }
        }
        let loaded = reader
            .finish()
            .map_err(|e| Error::bad_request(e.to_string()))?;
        let now = self.now();
        let prepared = loaded
            .into_iter()
            .map(|img| prepare_loaded(img, now))
            .collect::<Result<Vec<_>>>()?;
        if let Some(archive) = kept {
            let blobs = fs::unpack::blobs_by_digest(&archive);
            drop(archive);
            for p in &prepared {
                let layers: Option<Vec<&bytes::Bytes>> =
                    p.record.layers.iter().map(|d| blobs.get(d)).collect();
                let Some(layers) = layers.filter(|l| !l.is_empty()) else {
                    continue;
                };
                let mut tree = fs::Tree::new();
                let applied = layers
                    .into_iter()
                    .try_for_each(|l| fs::unpack::apply_layer(&mut tree, l));
                if applied.is_ok() && !self.store.images.contains(&p.record.id) {
                    self.store.files.set_image(&p.record.id, tree);
                }
            }
        }
        let mut records = Vec::new();
        let mut events: PendingEvents = Vec::new();
        {
            let _links = self.links();
            for p in prepared {
                let id = p.record.id.clone();
                if !self.store.images.contains(&id) {
                    self.store.images.put(id.clone(), p.record);
                }
                if p.tags.is_empty() {
                    records.push(json!({"stream": format!("Loaded image ID: {id}\n")}));
                }
                for t in &p.tags {
                    if let Some(old) = self.attach_tag(t, &id, None) {
                        records.push(json!({"stream": format!(
                            "The image {} already exists, renaming the old one with ID {old} to empty string\n",
                            t.familiar()
                        )}));
                    }
                    records.push(json!({"stream": format!("Loaded image: {}\n", t.familiar())}));
                }
                events.push(("load", id.clone(), id));
            }
        }
        self.emit_image_events(events);
        Ok(records)
    }

    async fn image_tag(&self, name: String, o: TagOptions) -> Result<()> {
        let name = name.as_str();
        let r =
            reference::parse_repo_tag(&o.repo, o.tag.as_deref().unwrap_or("")).map_err(ref_err)?;
        if r.familiar_name() == "sha256" {
            return Err(Error::bad_request(
                "refusing to create an ambiguous tag using digest algorithm as name",
            ));
        }
        let source = self.image_resolve(name)?;
        let now = self.now();
        {
            let _links = self.links();
            if !self.store.images.contains(&source.id) {
                return Err(Error::no_such_image(name));
            }
            self.attach_tag(&r, &source.id, Some(now));
        }
        self.emit_image_events(vec![("tag", source.id.clone(), r.familiar())]);
        Ok(())
    }

    async fn image_remove(
        &self,
        name: String,
        o: ImageRemoveOptions,
    ) -> Result<Vec<docker::ImageDeleteResponseItem>> {
        let name = name.as_str();
        let found = self.image_resolve(name)?;
        let mut out = Vec::new();
        let mut events: PendingEvents = Vec::new();
        let result = {
            let _links = self.links();
            self.remove_locked(name, &found.id, o.force, &mut out, &mut events)
        };
        self.emit_image_events(events);
        result.map(|()| out)
    }

    async fn image_prune(&self, f: Filters) -> Result<docker::ImagePruneResponse> {
        f.check_keys(&["dangling", "label", "label!", "until"])
            .map_err(filter_err)?;
        let dangling_only = f
            .bool_value("dangling")
            .map_err(filter_err)?
            .unwrap_or(true);
        let until = match f.get("until").first() {
            Some(v) => Some(
                timefmt::parse_timestamp(v, self.now())
                    .map_err(|e| Error::bad_request(e.to_string()))?,
            ),
            None => None,
        };
        let mut deleted = Vec::new();
        let mut events: PendingEvents = Vec::new();
        let mut reclaimed = 0i64;
        {
            let _links = self.links();
            let mut images = self.store.images.list(|_| true);
            images.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
            let users = self.containers_per_image();
            for rec in images {
                let labels = rec.labels();
                if until.is_some_and(|u| rec.created > u)
                    || !f.match_prune_labels(&labels)
                    || (dangling_only && !rec.repo_tags.is_empty())
                    || users.contains_key(&rec.id)
                {
                    continue;
                }
                for t in &rec.repo_tags {
                    if let Ok(r) = Reference::parse(t) {
                        self.store.image_tags.release(&r.canonical(), &rec.id);
                    }
                    deleted.push(docker::ImageDeleteResponseItem {
                        untagged: Some(t.clone()),
                        deleted: None,
                    });
                    events.push(("untag", rec.id.clone(), rec.id.clone()));
                }
                for d in &rec.repo_digests {
                    deleted.push(docker::ImageDeleteResponseItem {
                        untagged: Some(d.clone()),
                        deleted: None,
                    });
                    events.push(("untag", rec.id.clone(), rec.id.clone()));
                }
                if let Some(gone) = self.delete_image(&rec.id, &mut deleted, &mut events) {
                    reclaimed += gone.size;
                }
            }
        }
        self.emit_image_events(events);
        Ok(docker::ImagePruneResponse {
            images_deleted: Some(deleted),
            space_reclaimed: Some(reclaimed),
        })
    }

    async fn image_save(&self, names: Vec<String>) -> Result<bytes::Bytes> {
        self.save(&names)
    }
}
