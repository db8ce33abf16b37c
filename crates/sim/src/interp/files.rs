//! The narrow door to a container's files: [`FileSystem`], implemented by the
//! backend (the interpreter knows nothing of how files are stored), and
//! [`Files`], the handle a [`ProcessContext`](super::ProcessContext) carries.
//! Without one, the process sees no files (only `/dev/null`, `/dev/std*`,
//! `/etc/hostname`).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// What a listed path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// A directory and its entries' names, sorted.
    Dir(Vec<String>),
    /// Not a directory: listed by its own name.
    File,
}

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (seen only when not followed).
    Symlink,
}

/// What `stat` tells of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// What it is.
    pub kind: FileKind,
    /// Size in bytes (a directory's is 4096, a symlink's its target's length).
    pub size: u64,
    /// Permission bits with setuid, setgid and sticky (`0o7777`).
    pub mode: u32,
    /// Last modification.
    pub mtime: SystemTime,
}

/// A container's files as a process sees them. Paths are as the script wrote
/// them; relative ones are taken from `cwd`; symlinks are followed in every
/// component but the last unless a method says otherwise. Errors are the
/// `strerror` text (`No such file or directory`, `Is a directory`,
/// `Not a directory`, `File exists`, `Directory not empty`…).
pub trait FileSystem: Send + Sync {
    /// The contents of a file (symlinks followed).
    fn read(&self, cwd: &str, path: &str) -> Result<Vec<u8>, String>;
    /// Writes (or appends to) a file, creating it (its directory must exist).
    fn write(&self, cwd: &str, path: &str, data: &[u8], append: bool) -> Result<(), String>;
    /// A directory's entries, or that the path is a file.
    fn list(&self, cwd: &str, path: &str) -> Result<Listing, String>;
    /// What a path is; the last symlink is followed when `follow`.
    fn stat(&self, cwd: &str, path: &str, follow: bool) -> Result<FileMeta, String>;
    /// A symlink's target, as written (`Invalid argument` for other kinds).
    fn read_link(&self, cwd: &str, path: &str) -> Result<String, String>;
    /// Creates one directory with `mode` (its parent must exist; `File
    /// exists` when the path does).
    fn mkdir(&self, cwd: &str, path: &str, mode: u32) -> Result<(), String>;
    /// Removes a file or symlink (`Is a directory` for a directory).
    fn unlink(&self, cwd: &str, path: &str) -> Result<(), String>;
    /// Removes an empty directory.
    fn rmdir(&self, cwd: &str, path: &str) -> Result<(), String>;
    /// Renames as `rename(2)` does: replaces a file `to`, or an empty
    /// directory `to` with a directory.
    fn rename(&self, cwd: &str, from: &str, to: &str) -> Result<(), String>;
    /// Creates a symlink at `path` pointing to `target`.
    fn symlink(&self, cwd: &str, target: &str, path: &str) -> Result<(), String>;
    /// Sets the permission bits (`0o7777`) of a path (symlinks followed).
    fn set_mode(&self, cwd: &str, path: &str, mode: u32) -> Result<(), String>;
    /// Sets the modification time of a path (symlinks followed).
    fn set_mtime(&self, cwd: &str, path: &str, mtime: SystemTime) -> Result<(), String>;
    /// The container's clock (what `date` prints and `touch` stamps).
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A shared [`FileSystem`] (cheap to clone; `Debug` prints no contents).
#[derive(Clone)]
pub struct Files(pub Arc<dyn FileSystem>);

impl fmt::Debug for Files {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Files")
    }
}
