//! The narrow door to a container's files: [`FileSystem`], implemented by the
//! backend (the interpreter knows nothing of how files are stored), and
//! [`Files`], the handle a [`ProcessContext`](super::ProcessContext) carries.
//! Without one, the process sees no files (only `/dev/null`, `/dev/std*`,
//! `/etc/hostname`).

use std::fmt;
use std::sync::Arc;

/// What a listed path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// A directory and its entries' names, sorted.
    Dir(Vec<String>),
    /// Not a directory: listed by its own name.
    File,
}

/// A container's files as a process sees them. Paths are as the script wrote
/// them; relative ones are taken from `cwd`. Errors are the `strerror` text
/// (`No such file or directory`, `Is a directory`, `Not a directory`).
pub trait FileSystem: Send + Sync {
    /// The contents of a file (symlinks followed).
    fn read(&self, cwd: &str, path: &str) -> Result<Vec<u8>, String>;
    /// Writes (or appends to) a file, creating it (its directory must exist).
    fn write(&self, cwd: &str, path: &str, data: &[u8], append: bool) -> Result<(), String>;
    /// A directory's entries, or that the path is a file.
    fn list(&self, cwd: &str, path: &str) -> Result<Listing, String>;
}

/// A shared [`FileSystem`] (cheap to clone; `Debug` prints no contents).
#[derive(Clone)]
pub struct Files(pub Arc<dyn FileSystem>);

impl fmt::Debug for Files {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Files")
    }
}
