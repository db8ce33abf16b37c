//! The simulated processes' door to their container's files: a
//! [`FileSystem`] that opens the container's view for each call (so a main
//! process and every exec see the same files, and a container whose process
//! never writes a file still costs nothing).

use std::sync::{Arc, Weak};

use bytes::Bytes;
use sockerless_sim::interp::{FileSystem, Files, Listing};

use crate::backend::MemoryBackend;
use crate::fs::{Entry, FsError, Kind};

/// One container's files, for its processes.
struct ContainerFiles {
    backend: Weak<MemoryBackend>,
    id: String,
}

/// `strerror`-style text of an error.
fn text(e: FsError) -> String {
    match e {
        FsError::NotFound(_) => "No such file or directory".into(),
        FsError::NotDir(_) => "Not a directory".into(),
        FsError::Loop(_) => "Symbolic link loop".into(),
        FsError::ReadOnly(_) => "Read-only file system".into(),
        FsError::Conflict(m) | FsError::Invalid(m) => m,
    }
}

fn absolute(cwd: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    }
}

impl ContainerFiles {
    fn with<T>(
        &self,
        write: bool,
        f: impl FnOnce(&MemoryBackend, crate::fs::View) -> Result<T, FsError>,
    ) -> Result<T, String> {
        let gone = || "No such file or directory".to_string();
        let backend = self.backend.upgrade().ok_or_else(gone)?;
        let c = backend.store.containers.get(&self.id).ok_or_else(gone)?;
        let view = backend.container_view(&c, write);
        f(&backend, view).map_err(text)
    }
}

impl FileSystem for ContainerFiles {
    fn read(&self, cwd: &str, path: &str) -> Result<Vec<u8>, String> {
        let p = absolute(cwd, path);
        self.with(false, |_, view| {
            view.read(|tx| match tx.stat(&p, true)?.1.kind {
                Kind::File(data) => Ok(data.to_vec()),
                _ => Err(FsError::Invalid("Is a directory".into())),
            })
        })
    }

    fn write(&self, cwd: &str, path: &str, data: &[u8], append: bool) -> Result<(), String> {
        let p = absolute(cwd, path);
        self.with(true, |backend, view| {
            view.write(backend.now(), |tx| {
                let key = tx.resolve(&p, true)?;
                let entry = match tx.lstat(&key) {
                    Some(Entry {
                        kind: Kind::Dir, ..
                    }) => return Err(FsError::Invalid("Is a directory".into())),
                    Some(mut old) => {
                        let mut bytes = match (&old.kind, append) {
                            (Kind::File(d), true) => d.to_vec(),
                            _ => Vec::new(),
                        };
                        bytes.extend_from_slice(data);
                        old.kind = Kind::File(Bytes::from(bytes));
                        old.mtime = tx.now;
                        old
                    }
                    None => Entry::file(Bytes::copy_from_slice(data), 0o644, tx.now),
                };
                tx.put(&key, entry).map_err(|e| match e {
                    FsError::NotFound(_) => FsError::Invalid("Directory nonexistent".into()),
                    other => other,
                })
            })
        })
    }

    fn list(&self, cwd: &str, path: &str) -> Result<Listing, String> {
        let p = absolute(cwd, path);
        self.with(false, |_, view| {
            view.read(|tx| {
                let (key, entry) = tx.stat(&p, true)?;
                Ok(if entry.is_dir() {
                    Listing::Dir(tx.children(&key).into_keys().collect())
                } else {
                    Listing::File
                })
            })
        })
    }
}

impl MemoryBackend {
    /// The files container `id`'s processes see.
    pub(crate) fn process_files(&self, id: &str) -> Files {
        Files(Arc::new(ContainerFiles {
            backend: self.me.clone(),
            id: id.to_string(),
        }))
    }
}
