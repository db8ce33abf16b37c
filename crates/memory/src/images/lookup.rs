//! Finding images (by ID, short ID or any spelling of a reference) and tagging
//! them, the store's two sides (`images`, `image_tags`) kept in step.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use super::record::{is_lower_hex, ImageRecord};
use super::reference::{ref_err, Reference};
use super::remove::PendingEvents;
use crate::backend::MemoryBackend;
use crate::events::Kind;
use crate::table::Resolution;
use sockerless_core::error::{Error, Result};

impl MemoryBackend {
    /// Resolves an image reference (ID, short ID, or any spelling of a tag) to
    /// its record; 404 `No such image: <ref>`, 400 for an invalid reference or an
    /// ambiguous ID prefix.
    pub(crate) fn image_resolve(&self, reference: &str) -> Result<Arc<ImageRecord>> {
        if reference.is_empty() {
            return Err(Error::no_such_image(reference));
        }
        if let Some(hex) = reference
            .strip_prefix("sha256:")
            .filter(|h| is_lower_hex(h))
        {
            return self
                .image_by_id_prefix(reference, hex)?
                .ok_or_else(|| Error::no_such_image(reference));
        }
        if reference.len() == 64 && is_lower_hex(reference) {
            let id = format!("sha256:{reference}");
            return self
                .store
                .images
                .get(&id)
                .ok_or_else(|| Error::no_such_image(&id));
        }
        let r = Reference::parse(reference).map_err(ref_err)?;
        if let Some(digest) = &r.digest {
            let wanted = format!("{}@{digest}", r.familiar_name());
            return self
                .store
                .images
                .list(|i| i.repo_digests.contains(&wanted))
                .into_iter()
                .min_by(|a, b| a.id.cmp(&b.id))
                .ok_or_else(|| Error::no_such_image(&r.familiar()));
        }
        let r = r.with_default_tag();
        if let Some(found) = self
            .store
            .image_tags
            .get(&r.canonical())
            .and_then(|id| self.store.images.get(&id))
        {
            return Ok(found);
        }
        if is_lower_hex(reference) {
            if let Some(found) = self.image_by_id_prefix(reference, reference)? {
                return Ok(found);
            }
        }
        Err(Error::no_such_image(&r.familiar()))
    }

    /// The image whose hex ID starts with `hex`; 400 when several do.
    pub(crate) fn image_by_id_prefix(
        &self,
        reference: &str,
        hex: &str,
    ) -> Result<Option<Arc<ImageRecord>>> {
        match self.store.images.find(&format!("sha256:{hex}"), None) {
            Resolution::Found(image) => Ok(Some(image)),
            Resolution::NotFound => Ok(None),
            Resolution::Ambiguous(n) => Err(Error::bad_request(format!(
                "image reference {reference} is ambiguous: {n} image IDs start with it"
            ))),
        }
    }

    /// Points the tag `r` at image `id`, moving it off any other image. Returns
    /// the image it moved from. `tagged_at` sets `LastTagTime` (only an explicit
    /// tag does, in Docker; pull and load do not). Call with
    /// [`MemoryBackend::links`] held.
    pub(crate) fn attach_tag(
        &self,
        r: &Reference,
        id: &str,
        tagged_at: Option<SystemTime>,
    ) -> Option<String> {
        let canonical = r.canonical();
        let familiar = r.familiar();
        let old = self.store.image_tags.get(&canonical);
        let moved = old.filter(|o| o != id);
        if let Some(old_id) = &moved {
            self.store.image_tags.release(&canonical, old_id);
            self.store
                .images
                .update(old_id, |rec| rec.repo_tags.retain(|t| t != &familiar));
        }
        if self.store.image_tags.reserve(&canonical, id).is_err() {
            // Unreachable under the lock; keep the index authoritative anyway.
            if let Some(holder) = self.store.image_tags.get(&canonical) {
                self.store.image_tags.release(&canonical, &holder);
            }
            let _ = self.store.image_tags.reserve(&canonical, id);
        }
        self.store.images.update(id, |rec| {
            if !rec.repo_tags.contains(&familiar) {
                rec.repo_tags.push(familiar.clone());
                rec.repo_tags.sort();
            }
            if tagged_at.is_some() {
                rec.last_tag_time = tagged_at;
            }
        });
        moved
    }

    /// Emits image events with a `name` attribute.
    pub(crate) fn emit_image_events(&self, events: PendingEvents) {
        for (action, id, name) in events {
            let mut attrs = HashMap::new();
            if let Some(rec) = self.store.images.get(&id) {
                attrs.extend(rec.labels());
            }
            attrs.insert("name".to_string(), name);
            self.emit(Kind::Image, action, &id, attrs);
        }
    }
}
