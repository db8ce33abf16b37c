//! The simulated processes' door to their container's files: a
//! [`FileSystem`] that opens the container's view for each call (so a main
//! process and every exec see the same files, and a container whose process
//! never writes a file still costs nothing).

use std::sync::{Arc, Weak};
use std::time::SystemTime;

use bytes::Bytes;
use sockerless_sim::interp::{FileKind, FileMeta, FileSystem, Files, Listing, MAX_FILE, MAX_TREE};

use crate::backend::MemoryBackend;
use crate::fs::{path, Entry, FsError, Kind, Txn};

const ENOENT: &str = "No such file or directory";

/// One container's files, for its processes.
struct ContainerFiles {
    backend: Weak<MemoryBackend>,
    id: String,
}

/// `strerror`-style text of an error.
fn text(e: FsError) -> String {
    match e {
        FsError::NotFound(_) => ENOENT.into(),
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
    /// Runs `f` over the locked view, storing its writes when it succeeds.
    fn change<T>(&self, f: impl FnOnce(&mut Txn<'_>) -> Result<T, FsError>) -> Result<T, String> {
        self.with(true, |backend, view| view.write(backend.now(), f))
    }

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
                        if bytes.len() + data.len() > MAX_FILE {
                            return Err(FsError::Invalid("File too large".into()));
                        }
                        bytes.extend_from_slice(data);
                        old.kind = Kind::File(Bytes::from(bytes));
                        old.mtime = tx.now;
                        old
                    }
                    None if data.len() > MAX_FILE => {
                        return Err(FsError::Invalid("File too large".into()))
                    }
                    None => Entry::file(Bytes::copy_from_slice(data), 0o644, tx.now),
                };
                tx.put(&key, entry)
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

    fn stat(&self, cwd: &str, path: &str, follow: bool) -> Result<FileMeta, String> {
        let p = absolute(cwd, path);
        self.with(false, |_, view| {
            view.read(|tx| {
                let (_, e) = tx.stat(&p, follow)?;
                Ok(FileMeta {
                    kind: match e.kind {
                        Kind::Dir => FileKind::Dir,
                        Kind::File(_) => FileKind::File,
                        Kind::Symlink(_) => FileKind::Symlink,
                    },
                    size: e.size(),
                    mode: e.mode,
                    mtime: e.mtime,
                })
            })
        })
    }

    fn read_link(&self, cwd: &str, path: &str) -> Result<String, String> {
        let p = absolute(cwd, path);
        self.with(false, |_, view| {
            view.read(|tx| match existing(tx, &p)?.1.kind {
                Kind::Symlink(t) => Ok(t),
                _ => Err(FsError::Invalid("Invalid argument".into())),
            })
        })
    }

    fn mkdir(&self, cwd: &str, path: &str, mode: u32) -> Result<(), String> {
        let p = absolute(cwd, path);
        self.change(|tx| {
            let key = new_key(tx, &p)?;
            let e = Entry::dir(mode & 0o7777, tx.now);
            tx.put(&key, e)
        })
    }

    fn unlink(&self, cwd: &str, path: &str) -> Result<(), String> {
        let p = absolute(cwd, path);
        self.change(|tx| {
            let (key, e) = existing(tx, &p)?;
            if e.is_dir() {
                return Err(FsError::Invalid("Is a directory".into()));
            }
            tx.remove(&key)
        })
    }

    fn rmdir(&self, cwd: &str, path: &str) -> Result<(), String> {
        let p = absolute(cwd, path);
        self.change(|tx| {
            let (key, e) = existing(tx, &p)?;
            if !e.is_dir() {
                return Err(FsError::NotDir(p.clone()));
            }
            if key.is_empty() {
                return Err(FsError::Invalid("Device or resource busy".into()));
            }
            if !tx.children(&key).is_empty() {
                return Err(FsError::Invalid("Directory not empty".into()));
            }
            tx.remove(&key)
        })
    }

    fn rename(&self, cwd: &str, from: &str, to: &str) -> Result<(), String> {
        let (from, to) = (absolute(cwd, from), absolute(cwd, to));
        self.change(|tx| {
            let (src, entry) = existing(tx, &from)?;
            let dst = tx.resolve(&to, false)?;
            if src == dst {
                return Ok(());
            }
            if src.is_empty() || path::is_within(&dst, &src) {
                return Err(FsError::Invalid("Invalid argument".into()));
            }
            match tx.lstat(&dst) {
                Some(d) if d.is_dir() && !entry.is_dir() => {
                    return Err(FsError::Invalid("Is a directory".into()))
                }
                Some(d) if d.is_dir() && !tx.children(&dst).is_empty() => {
                    return Err(FsError::Invalid("Directory not empty".into()))
                }
                Some(d) if !d.is_dir() && entry.is_dir() => {
                    return Err(FsError::NotDir(to.clone()))
                }
                _ => {}
            }
            let below = if entry.is_dir() {
                tx.walk(&src, MAX_TREE)
                    .map_err(|_| FsError::Invalid("Argument list too long".into()))?
            } else {
                Vec::new()
            };
            tx.remove(&src)?;
            if tx.lstat(&dst).is_some() {
                tx.remove(&dst)?;
            }
            tx.put(&dst, entry)?;
            for (k, e) in below {
                let rel = k[src.len()..].trim_start_matches('/');
                tx.put(&path::join(&dst, rel), e)?;
            }
            Ok(())
        })
    }

    fn symlink(&self, cwd: &str, target: &str, path: &str) -> Result<(), String> {
        let p = absolute(cwd, path);
        self.change(|tx| {
            let key = new_key(tx, &p)?;
            let e = Entry::symlink(target, tx.now);
            tx.put(&key, e)
        })
    }

    fn set_mode(&self, cwd: &str, path: &str, mode: u32) -> Result<(), String> {
        self.update(cwd, path, |e| e.mode = mode & 0o7777)
    }

    fn set_mtime(&self, cwd: &str, path: &str, mtime: SystemTime) -> Result<(), String> {
        self.update(cwd, path, |e| e.mtime = mtime)
    }

    fn now(&self) -> SystemTime {
        match self.backend.upgrade() {
            Some(b) => b.now(),
            None => SystemTime::now(),
        }
    }
}

/// A new entry's key: `path` (not followed) must not exist.
fn new_key(tx: &Txn<'_>, p: &str) -> Result<String, FsError> {
    let key = tx.resolve(p, false)?;
    if tx.lstat(&key).is_some() {
        return Err(FsError::Invalid("File exists".into()));
    }
    Ok(key)
}

/// The existing entry at `p` (the last symlink not followed).
fn existing(tx: &Txn<'_>, p: &str) -> Result<(String, Entry), FsError> {
    let key = tx.resolve(p, false)?;
    match tx.lstat(&key) {
        Some(e) => Ok((key, e)),
        None => Err(FsError::NotFound(p.to_string())),
    }
}

impl ContainerFiles {
    /// Changes the entry `p` names (symlinks followed) with `f`.
    fn update(&self, cwd: &str, p: &str, f: impl FnOnce(&mut Entry)) -> Result<(), String> {
        let p = absolute(cwd, p);
        self.change(|tx| {
            let (key, mut e) = tx.stat(&p, true)?;
            f(&mut e);
            tx.put(&key, e)
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
