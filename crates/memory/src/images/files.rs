//! An image's files: stored for loaded and committed images, a small
//! synthetic root for images pulled by name (built the first time a container
//! of the image needs it, then shared by all of them).

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use crate::backend::MemoryBackend;
use crate::fs::{synthetic, Tree};

/// `alpine:latest` → `alpine`; `reg:5000/a/b:v1` → `reg:5000/a/b`.
fn repository(tag: &str) -> &str {
    match tag.rsplit_once(':') {
        Some((name, t)) if !t.contains('/') => name,
        _ => tag,
    }
}

impl MemoryBackend {
    /// The files of image `id` (an unknown image gets an empty synthetic root).
    pub(crate) fn image_files(&self, id: &str) -> Arc<Tree> {
        self.store
            .files
            .image(id, || match self.store.images.get(id) {
                Some(img) => synthetic::image_root(
                    img.repo_tags.first().map_or("", |t| repository(t)),
                    img.config.working_dir.as_deref().unwrap_or(""),
                    img.created,
                ),
                None => synthetic::image_root("", "", UNIX_EPOCH),
            })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn repositories() {
        assert_eq!(super::repository("alpine:latest"), "alpine");
        assert_eq!(super::repository("reg:5000/a/b:v1"), "reg:5000/a/b");
        assert_eq!(super::repository("reg:5000/a/b"), "reg:5000/a/b");
    }
}
