//! Containers' files: a file system per container, copy-on-write over its
//! image, with volumes and bind mounts shared by every container mounting
//! them. Nothing of the host is ever read.
//!
//! | module | holds |
//! |---|---|
//! | `path` | cleaning paths into keys that can never leave the root |
//! | `entry` | [`Entry`]: a directory, file or symlink with mode, owner, mtime |
//! | `layer` | [`Tree`] (shared, read-only) and [`Layer`] (a tree and its copy-on-write changes) |
//! | `view` | [`View`]: root layer + runtime files + mounts; symlinks followed inside the root |
//! | `tar_in`, `extract` | checked tar members, and extracting them with Docker's rules |
//! | `tar_out` | entries as a tar stream |
//! | `synthetic` | the small root of an image pulled by name, the runtime files |
//! | `unpack` | a loaded image's layers applied, whiteouts and all |
//!
//! [`FsStore`] keeps what exists once: an image's files (built when first
//! needed, shared by all its containers), the root layer of each container
//! that wrote something (a container that never wrote costs nothing here),
//! each volume's and bind mount's files.

pub mod entry;
pub mod extract;
pub mod layer;
pub mod path;
pub mod synthetic;
pub mod tar_in;
pub mod tar_out;
pub mod unpack;
pub mod view;

use std::sync::{Arc, Mutex};

use crate::hashing::ShardMap;

pub use entry::{Entry, Kind};
pub use layer::{Change, Layer, Tree};
pub use view::{Mount, Txn, View};

/// Why a file operation failed; the backend words it as Docker does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    /// No such file (the path as asked).
    #[error("{0}: no such file or directory")]
    NotFound(String),
    /// A component that must be a directory is not.
    #[error("{0}: not a directory")]
    NotDir(String),
    /// Too many symlinks.
    #[error("{0}: too many levels of symbolic links")]
    Loop(String),
    /// A read-only mount.
    #[error("{0}: read-only file system")]
    ReadOnly(String),
    /// `noOverwriteDirNonDir` and similar conflicts (Docker's words).
    #[error("{0}")]
    Conflict(String),
    /// A bad path or archive (the message says what).
    #[error("{0}")]
    Invalid(String),
}

/// The files that exist once, by owner.
#[derive(Debug, Default)]
pub struct FsStore {
    images: ShardMap<String, Arc<Tree>>,
    containers: ShardMap<String, Arc<Mutex<Layer>>>,
    volumes: ShardMap<String, Arc<Mutex<Layer>>>,
    binds: ShardMap<String, Arc<Mutex<Layer>>>,
}

impl FsStore {
    /// The files of image `id`, built by `build` the first time.
    pub fn image(&self, id: &str, build: impl FnOnce() -> Tree) -> Arc<Tree> {
        if let Some(t) = self.images.get(id) {
            return t.clone();
        }
        self.images
            .entry(id.to_string())
            .or_insert_with(|| Arc::new(build()))
            .clone()
    }

    /// Sets the files of image `id` (loaded or committed images).
    pub fn set_image(&self, id: &str, tree: Tree) {
        self.images.insert(id.to_string(), Arc::new(tree));
    }

    /// Forgets an image's files (containers already holding them keep them).
    pub fn remove_image(&self, id: &str) {
        self.images.remove(id);
    }

    /// The root layer of container `id` over `base`. A container that never
    /// wrote gets a layer that is not kept unless `for_write`.
    pub fn container(&self, id: &str, base: Arc<Tree>, for_write: bool) -> Arc<Mutex<Layer>> {
        if let Some(l) = self.containers.get(id) {
            return l.clone();
        }
        if !for_write {
            return Arc::new(Mutex::new(Layer::over(base)));
        }
        self.containers
            .entry(id.to_string())
            .or_insert_with(|| Arc::new(Mutex::new(Layer::over(base))))
            .clone()
    }

    /// Forgets a removed container's changes.
    pub fn remove_container(&self, id: &str) {
        self.containers.remove(id);
    }

    /// Volume `name`'s files (empty at first).
    pub fn volume(&self, name: &str) -> Arc<Mutex<Layer>> {
        self.volumes.entry(name.to_string()).or_default().clone()
    }

    /// Forgets a removed volume's files.
    pub fn remove_volume(&self, name: &str) {
        self.volumes.remove(name);
    }

    /// The files of bind mounts of host path `source`: they start empty
    /// (nothing of the host is read) and are shared by every container
    /// binding the same path.
    pub fn bind(&self, source: &str) -> Arc<Mutex<Layer>> {
        self.binds.entry(source.to_string()).or_default().clone()
    }

    /// Forgets everything (a state reset).
    pub fn clear(&self) {
        self.images.clear();
        self.containers.clear();
        self.volumes.clear();
        self.binds.clear();
    }

    /// How many containers hold their own changes (for tests and benchmarks).
    pub fn written_containers(&self) -> usize {
        self.containers.len()
    }
}
