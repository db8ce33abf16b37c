//! Image removal: Docker's untag-then-delete rules and their conflicts.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use super::record::{chain_ids, short_id, ImageRecord};
use super::reference::{ref_err, Reference};
use crate::backend::MemoryBackend;
use crate::containers::record::ContainerRecord;
use crate::table::NameIndex;
use sockerless_core::api::docker;
use sockerless_core::error::{Error, Result};

/// The references of an image as `(repository name, is a digest)`.
pub(crate) fn references_of(rec: &ImageRecord) -> Vec<(String, bool)> {
    let name = |s: &str| Reference::parse(s).map(|r| r.name()).unwrap_or_default();
    rec.repo_tags
        .iter()
        .map(|t| (name(t), false))
        .chain(rec.repo_digests.iter().map(|d| (name(d), true)))
        .collect()
}

/// Docker's `isSingleReference`: at most one tag, and every reference in the
/// one repository.
pub(crate) fn is_single_reference(refs: &[(String, bool)]) -> bool {
    if refs.len() <= 1 {
        return refs.len() == 1;
    }
    let mut single: Option<&String> = None;
    let mut canonical = BTreeSet::new();
    for (name, is_digest) in refs {
        if *is_digest {
            canonical.insert(name);
        } else if single.is_none() {
            single = Some(name);
        } else {
            return false;
        }
    }
    let single = single.unwrap_or(&refs[0].0);
    canonical.len() == 1 && canonical.contains(single)
}

/// Docker's image-delete conflict.
pub(crate) fn delete_conflict(id: &str, hard: bool, message: &str) -> Error {
    let force = if hard {
        "cannot be forced"
    } else {
        "must be forced"
    };
    Error::conflict(format!(
        "conflict: unable to delete {} ({force}) - {message}",
        short_id(id)
    ))
}

/// Events to emit once the lock is released: (action, actor ID, name attribute).
pub(crate) type PendingEvents = Vec<(&'static str, String, String)>;

/// Docker's `imageDeleteHelper` conflicts: a running user always; unless
/// forced, references in several repositories or a stopped user.
fn delete_helper_conflict(
    id: &str,
    users: &[Arc<ContainerRecord>],
    force: bool,
    referenced: bool,
) -> Option<Error> {
    if let Some(c) = users.iter().find(|c| c.is_running()) {
        Some(delete_conflict(
            id,
            true,
            &format!(
                "image is being used by running container {}",
                short_id(&c.id)
            ),
        ))
    } else if force {
        None
    } else if referenced {
        Some(delete_conflict(
            id,
            false,
            "image is referenced in multiple repositories",
        ))
    } else {
        users.first().map(|c| {
            delete_conflict(
                id,
                false,
                &format!(
                    "image is being used by stopped container {}",
                    short_id(&c.id)
                ),
            )
        })
    }
}

/// Untags every tag and digest of `rec` (the index side too), one `untag`
/// event each.
fn untag_all(
    tags: &NameIndex,
    rec: &ImageRecord,
    id: &str,
    out: &mut Vec<docker::ImageDeleteResponseItem>,
    events: &mut PendingEvents,
) {
    for t in &rec.repo_tags {
        if let Ok(r) = Reference::parse(t) {
            tags.release(&r.canonical(), id);
        }
        out.push(untagged(t));
        events.push(("untag", id.to_string(), id.to_string()));
    }
    for d in &rec.repo_digests {
        out.push(untagged(d));
        events.push(("untag", id.to_string(), id.to_string()));
    }
}

/// An `Untagged` item of the delete response.
fn untagged(s: &str) -> docker::ImageDeleteResponseItem {
    docker::ImageDeleteResponseItem {
        untagged: Some(s.to_string()),
        deleted: None,
    }
}

impl MemoryBackend {
    /// Docker's `ImageDelete`, under the links lock. Fails only before changing
    /// anything.
    pub(crate) fn remove_locked(
        &self,
        name: &str,
        id: &str,
        force: bool,
        out: &mut Vec<docker::ImageDeleteResponseItem>,
        events: &mut PendingEvents,
    ) -> Result<()> {
        let rec = self
            .store
            .images
            .get(id)
            .ok_or_else(|| Error::no_such_image(name))?;
        let users = self.store.containers.list(|c| c.image_id == id);
        let by_id = id.starts_with(name) || id.get(7..).is_some_and(|h| h.starts_with(name));
        let mut refs = references_of(&rec);
        let mut removed_repository_ref = false;
        if !by_id {
            if !force && is_single_reference(&refs) {
                if let Some(c) = users.first() {
                    return Err(Error::conflict(format!(
                        "conflict: unable to remove repository reference \"{name}\" (must force) - container {} is using its referenced image {}",
                        short_id(&c.id),
                        short_id(id)
                    )));
                }
            }
            self.untag_reference(name, &rec, out)?;
            events.push(("untag", id.to_string(), id.to_string()));
            let Some(now) = self.store.images.get(id) else {
                return Ok(());
            };
            if !now.is_dangling() {
                return Ok(());
            }
            refs.clear();
            removed_repository_ref = true;
        } else if is_single_reference(&refs) {
            if let Some(c) = users.iter().find(|c| c.is_running()) {
                return Err(delete_conflict(
                    id,
                    true,
                    &format!(
                        "image is being used by running container {}",
                        short_id(&c.id)
                    ),
                ));
            }
            if !force {
                if let Some(c) = users.first() {
                    return Err(delete_conflict(
                        id,
                        false,
                        &format!(
                            "image is being used by stopped container {}",
                            short_id(&c.id)
                        ),
                    ));
                }
            }
            untag_all(&self.store.image_tags, &rec, id, out, events);
            self.store.images.update(id, |r| {
                r.repo_tags.clear();
                r.repo_digests.clear();
            });
            refs.clear();
        }

        // imageDeleteHelper
        let conflict = delete_helper_conflict(id, &users, force, !refs.is_empty());
        if let Some(err) = conflict {
            if removed_repository_ref {
                // Docker keeps the now untagged image silently.
                return Ok(());
            }
            return Err(err);
        }
        // Remove every remaining reference (force with several repositories).
        if let Some(current) = self.store.images.get(id) {
            untag_all(&self.store.image_tags, &current, id, out, events);
        }
        self.delete_image(id, out, events);
        Ok(())
    }
    /// Untags one reference of image `rec` (a tag, or a digest); the
    /// repository's digests go with its last tag.
    fn untag_reference(
        &self,
        name: &str,
        rec: &ImageRecord,
        out: &mut Vec<docker::ImageDeleteResponseItem>,
    ) -> Result<()> {
        let id = rec.id.as_str();
        let parsed = Reference::parse(name).map_err(ref_err)?.with_default_tag();
        let familiar = parsed.familiar();
        if parsed.digest.is_some() {
            let wanted = format!(
                "{}@{}",
                parsed.familiar_name(),
                parsed.digest.as_deref().unwrap_or_default()
            );
            self.store
                .images
                .update(id, |r| r.repo_digests.retain(|d| d != &wanted));
            out.push(untagged(&wanted));
        } else {
            self.store.image_tags.release(&parsed.canonical(), id);
            self.store
                .images
                .update(id, |r| r.repo_tags.retain(|t| t != &familiar));
            out.push(untagged(&familiar));
            // Digests of the repository go with its last tag.
            let repo = parsed.name();
            let tag_left = self.store.images.get(id).is_some_and(|r| {
                r.repo_tags
                    .iter()
                    .any(|t| Reference::parse(t).is_ok_and(|x| x.name() == repo))
            });
            if !tag_left {
                let gone: Vec<String> = rec
                    .repo_digests
                    .iter()
                    .filter(|d| Reference::parse(d).is_ok_and(|x| x.name() == repo))
                    .cloned()
                    .collect();
                self.store
                    .images
                    .update(id, |r| r.repo_digests.retain(|d| !gone.contains(d)));
                out.extend(gone.iter().map(|d| untagged(d)));
            }
        }
        Ok(())
    }

    /// Drops the record and reports it and its no longer shared layers.
    pub(crate) fn delete_image(
        &self,
        id: &str,
        out: &mut Vec<docker::ImageDeleteResponseItem>,
        events: &mut PendingEvents,
    ) -> Option<Arc<ImageRecord>> {
        let rec = self.store.images.remove(id)?;
        self.store.files.remove_image(id);
        events.push(("delete", id.to_string(), id.to_string()));
        out.push(docker::ImageDeleteResponseItem {
            untagged: None,
            deleted: Some(id.to_string()),
        });
        let shared: HashSet<String> = self
            .store
            .images
            .list(|_| true)
            .iter()
            .flat_map(|i| chain_ids(&i.layers))
            .collect();
        for chain in chain_ids(&rec.layers).into_iter().rev() {
            if !shared.contains(&chain) {
                out.push(docker::ImageDeleteResponseItem {
                    untagged: None,
                    deleted: Some(chain),
                });
            }
        }
        Some(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_reference_rules() {
        let r = |n: &str, d: bool| (n.to_string(), d);
        assert!(!is_single_reference(&[]));
        assert!(is_single_reference(&[r("a", false)]));
        assert!(is_single_reference(&[r("a", false), r("a", true)]));
        assert!(!is_single_reference(&[r("a", false), r("b", false)]));
        assert!(!is_single_reference(&[r("a", false), r("b", true)]));
    }
}
