//! One file-system object: a directory, a regular file (its bytes shared, never
//! copied) or a symlink, with the mode, owner and mtime that tar and `stat`
//! report.

use std::time::SystemTime;

use bytes::Bytes;

/// Go's `os.ModeDir`, as Docker's path stat reports it.
pub const GO_MODE_DIR: u32 = 1 << 31;
/// Go's `os.ModeSymlink`.
pub const GO_MODE_SYMLINK: u32 = 1 << 27;
/// Go's `os.ModeSetuid`.
const GO_MODE_SETUID: u32 = 1 << 23;
/// Go's `os.ModeSetgid`.
const GO_MODE_SETGID: u32 = 1 << 22;
/// Go's `os.ModeSticky`.
const GO_MODE_STICKY: u32 = 1 << 20;

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A directory (its children are other entries).
    Dir,
    /// A regular file and its contents.
    File(Bytes),
    /// A symbolic link and its target, as written.
    Symlink(String),
}

/// A file, directory or symlink with its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What it is.
    pub kind: Kind,
    /// Permission bits with setuid, setgid and sticky (`0o7777`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Last modification.
    pub mtime: SystemTime,
}

impl Entry {
    /// A directory owned by root.
    pub fn dir(mode: u32, mtime: SystemTime) -> Entry {
        Entry {
            kind: Kind::Dir,
            mode,
            uid: 0,
            gid: 0,
            mtime,
        }
    }

    /// A regular file owned by root.
    pub fn file(data: impl Into<Bytes>, mode: u32, mtime: SystemTime) -> Entry {
        Entry {
            kind: Kind::File(data.into()),
            mode,
            uid: 0,
            gid: 0,
            mtime,
        }
    }

    /// A symlink owned by root (mode 0777, as Linux shows them).
    pub fn symlink(target: impl Into<String>, mtime: SystemTime) -> Entry {
        Entry {
            kind: Kind::Symlink(target.into()),
            mode: 0o777,
            uid: 0,
            gid: 0,
            mtime,
        }
    }

    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        matches!(self.kind, Kind::Dir)
    }

    /// `stat`'s size: the contents' length, a symlink's target length, 4096
    /// for a directory.
    pub fn size(&self) -> u64 {
        match &self.kind {
            Kind::Dir => 4096,
            Kind::File(d) => d.len() as u64,
            Kind::Symlink(t) => t.len() as u64,
        }
    }

    /// The mode as Go's `os.FileMode` (what Docker's path stat carries).
    pub fn go_mode(&self) -> u32 {
        let mut m = self.mode & 0o777;
        if self.mode & 0o4000 != 0 {
            m |= GO_MODE_SETUID;
        }
        if self.mode & 0o2000 != 0 {
            m |= GO_MODE_SETGID;
        }
        if self.mode & 0o1000 != 0 {
            m |= GO_MODE_STICKY;
        }
        match self.kind {
            Kind::Dir => m | GO_MODE_DIR,
            Kind::Symlink(_) => m | GO_MODE_SYMLINK,
            Kind::File(_) => m,
        }
    }

    /// Bytes this entry holds (for accounting).
    pub fn weight(&self) -> u64 {
        match &self.kind {
            Kind::File(d) => d.len() as u64,
            Kind::Symlink(t) => t.len() as u64,
            Kind::Dir => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn go_modes_match_docker() {
        // Values a real Docker Engine reported for /etc (a directory, 0755).
        assert_eq!(Entry::dir(0o755, UNIX_EPOCH).go_mode(), 2147484141);
        assert_eq!(Entry::file("x", 0o755, UNIX_EPOCH).go_mode(), 493);
        assert_eq!(
            Entry::dir(0o1777, UNIX_EPOCH).go_mode(),
            (1 << 31) | (1 << 20) | 0o777
        );
        assert_eq!(
            Entry::symlink("/x", UNIX_EPOCH).go_mode(),
            (1 << 27) | 0o777
        );
        assert_eq!(Entry::symlink("/xy", UNIX_EPOCH).size(), 3);
    }
}
