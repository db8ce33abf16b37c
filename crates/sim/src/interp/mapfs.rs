//! [`MapFs`]: a [`FileSystem`] held in a map, the test double of a
//! container's files (the unit tests and the differential test against
//! busybox run the interpreter over it). Symlinks are followed as Linux does,
//! `..` stops at the root.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::SystemTime;

use super::files::{FileKind, FileMeta, FileSystem, Listing};
use super::limits::MAX_FILE;

const ENOENT: &str = "No such file or directory";
const ENOTDIR: &str = "Not a directory";
const EISDIR: &str = "Is a directory";
const EEXIST: &str = "File exists";
const ENOTEMPTY: &str = "Directory not empty";
const EINVAL: &str = "Invalid argument";
const ELOOP: &str = "Symbolic link loop";
const EFBIG: &str = "File too large";

#[derive(Debug, Clone)]
enum Node {
    Dir,
    File(Vec<u8>),
    Symlink(String),
}

#[derive(Debug, Clone)]
struct Inode {
    node: Node,
    mode: u32,
    mtime: SystemTime,
}

/// Files in a map, keyed by clean path without the leading `/` (the root is
/// `""`, always a directory).
#[derive(Debug)]
pub struct MapFs {
    map: Mutex<BTreeMap<String, Inode>>,
    now: SystemTime,
}

impl Default for MapFs {
    fn default() -> Self {
        MapFs::new(SystemTime::UNIX_EPOCH)
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn parent(key: &str) -> &str {
    key.rfind('/').map_or("", |i| &key[..i])
}

impl MapFs {
    /// An empty root whose clock reads `now`.
    pub fn new(now: SystemTime) -> MapFs {
        let mut map = BTreeMap::new();
        map.insert(
            String::new(),
            Inode {
                node: Node::Dir,
                mode: 0o755,
                mtime: now,
            },
        );
        MapFs {
            map: Mutex::new(map),
            now,
        }
    }

    /// Adds a directory (and its parents).
    pub fn add_dir(&self, path: &str) {
        let mut key = String::new();
        let mut map = self.lock();
        for c in path.split('/').filter(|c| !c.is_empty()) {
            key = join(&key, c);
            map.entry(key.clone()).or_insert(Inode {
                node: Node::Dir,
                mode: 0o755,
                mtime: self.now,
            });
        }
    }

    /// Adds a file (its directory is created).
    pub fn add_file(&self, path: &str, data: &[u8]) {
        let key = path.trim_matches('/').to_string();
        self.add_dir(parent(&key));
        self.lock().insert(
            key,
            Inode {
                node: Node::File(data.to_vec()),
                mode: 0o644,
                mtime: self.now,
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Inode>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Resolves a path to a key (the last component followed when `follow`).
    fn resolve(
        map: &BTreeMap<String, Inode>,
        cwd: &str,
        path: &str,
        follow: bool,
    ) -> Result<String, String> {
        if path.is_empty() {
            return Err(ENOENT.into());
        }
        let full = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{cwd}/{path}")
        };
        let mut pending: Vec<String> = full
            .split('/')
            .filter(|c| !c.is_empty())
            .rev()
            .map(str::to_string)
            .collect();
        // A trailing slash follows the last symlink, as Linux does.
        let follow = follow || path.ends_with('/');
        let mut done: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(c) = pending.pop() {
            match c.as_str() {
                "." => continue,
                ".." => {
                    done.pop();
                    continue;
                }
                _ => {}
            }
            let key = join(&done.join("/"), &c);
            let last = pending.is_empty();
            match map.get(&key).map(|i| &i.node) {
                Some(Node::Symlink(target)) if !last || follow => {
                    links += 1;
                    if links > 40 {
                        return Err(ELOOP.into());
                    }
                    if target.starts_with('/') {
                        done.clear();
                    }
                    pending.extend(
                        target
                            .split('/')
                            .filter(|c| !c.is_empty())
                            .rev()
                            .map(str::to_string),
                    );
                }
                Some(Node::Dir) => done.push(c),
                Some(_) if !last => return Err(ENOTDIR.into()),
                None if !last => return Err(ENOENT.into()),
                _ => done.push(c),
            }
        }
        Ok(done.join("/"))
    }

    /// The key of a new entry at `path`: its parent must be a directory and
    /// it must not exist.
    fn new_key(map: &BTreeMap<String, Inode>, cwd: &str, path: &str) -> Result<String, String> {
        let key = Self::resolve(map, cwd, path, false)?;
        if map.contains_key(&key) {
            return Err(EEXIST.into());
        }
        match map.get(parent(&key)).map(|i| &i.node) {
            Some(Node::Dir) => Ok(key),
            Some(_) => Err(ENOTDIR.into()),
            None => Err(ENOENT.into()),
        }
    }

    fn has_children(map: &BTreeMap<String, Inode>, key: &str) -> bool {
        let prefix = if key.is_empty() {
            String::new()
        } else {
            format!("{key}/")
        };
        map.range(prefix.clone()..)
            .find(|(k, _)| !k.is_empty())
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }
}

impl FileSystem for MapFs {
    fn read(&self, cwd: &str, path: &str) -> Result<Vec<u8>, String> {
        let map = self.lock();
        let key = Self::resolve(&map, cwd, path, true)?;
        match map.get(&key).map(|i| &i.node) {
            Some(Node::File(d)) => Ok(d.clone()),
            Some(_) => Err(EISDIR.into()),
            None => Err(ENOENT.into()),
        }
    }

    fn write(&self, cwd: &str, path: &str, data: &[u8], append: bool) -> Result<(), String> {
        let mut map = self.lock();
        if data.len() > MAX_FILE {
            return Err(EFBIG.into());
        }
        let key = Self::resolve(&map, cwd, path, true)?;
        match map.get_mut(&key) {
            Some(Inode {
                node: Node::File(d),
                mtime,
                ..
            }) => {
                if !append {
                    d.clear();
                }
                if d.len() + data.len() > MAX_FILE {
                    return Err(EFBIG.into());
                }
                d.extend_from_slice(data);
                *mtime = self.now;
                Ok(())
            }
            Some(_) => Err(EISDIR.into()),
            None => {
                match map.get(parent(&key)).map(|i| &i.node) {
                    Some(Node::Dir) => {}
                    Some(_) => return Err(ENOTDIR.into()),
                    None => return Err(ENOENT.into()),
                }
                map.insert(
                    key,
                    Inode {
                        node: Node::File(data.to_vec()),
                        mode: 0o644,
                        mtime: self.now,
                    },
                );
                Ok(())
            }
        }
    }

    fn list(&self, cwd: &str, path: &str) -> Result<Listing, String> {
        let map = self.lock();
        let key = Self::resolve(&map, cwd, path, true)?;
        match map.get(&key).map(|i| &i.node) {
            Some(Node::Dir) => {
                let prefix = if key.is_empty() {
                    String::new()
                } else {
                    format!("{key}/")
                };
                let names = map
                    .range(prefix.clone()..)
                    .filter(|(k, _)| !k.is_empty())
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .filter_map(|(k, _)| {
                        let rest = &k[prefix.len()..];
                        (!rest.contains('/')).then(|| rest.to_string())
                    })
                    .collect();
                Ok(Listing::Dir(names))
            }
            Some(_) => Ok(Listing::File),
            None => Err(ENOENT.into()),
        }
    }

    fn stat(&self, cwd: &str, path: &str, follow: bool) -> Result<FileMeta, String> {
        let map = self.lock();
        let key = Self::resolve(&map, cwd, path, follow)?;
        let i = map.get(&key).ok_or(ENOENT)?;
        let (kind, size) = match &i.node {
            Node::Dir => (FileKind::Dir, 4096),
            Node::File(d) => (FileKind::File, d.len() as u64),
            Node::Symlink(t) => (FileKind::Symlink, t.len() as u64),
        };
        Ok(FileMeta {
            kind,
            size,
            mode: i.mode,
            mtime: i.mtime,
        })
    }

    fn read_link(&self, cwd: &str, path: &str) -> Result<String, String> {
        let map = self.lock();
        let key = Self::resolve(&map, cwd, path, false)?;
        match map.get(&key).map(|i| &i.node) {
            Some(Node::Symlink(t)) => Ok(t.clone()),
            Some(_) => Err(EINVAL.into()),
            None => Err(ENOENT.into()),
        }
    }

    fn mkdir(&self, cwd: &str, path: &str, mode: u32) -> Result<(), String> {
        let mut map = self.lock();
        let key = Self::new_key(&map, cwd, path)?;
        map.insert(
            key,
            Inode {
                node: Node::Dir,
                mode: mode & 0o7777,
                mtime: self.now,
            },
        );
        Ok(())
    }

    fn unlink(&self, cwd: &str, path: &str) -> Result<(), String> {
        let mut map = self.lock();
        let key = Self::resolve(&map, cwd, path, false)?;
        match map.get(&key).map(|i| &i.node) {
            Some(Node::Dir) => Err(EISDIR.into()),
            Some(_) => {
                map.remove(&key);
                Ok(())
            }
            None => Err(ENOENT.into()),
        }
    }

    fn rmdir(&self, cwd: &str, path: &str) -> Result<(), String> {
        let mut map = self.lock();
        let key = Self::resolve(&map, cwd, path, false)?;
        match map.get(&key).map(|i| &i.node) {
            Some(Node::Dir) if key.is_empty() => Err("Device or resource busy".into()),
            Some(Node::Dir) if Self::has_children(&map, &key) => Err(ENOTEMPTY.into()),
            Some(Node::Dir) => {
                map.remove(&key);
                Ok(())
            }
            Some(_) => Err(ENOTDIR.into()),
            None => Err(ENOENT.into()),
        }
    }

    fn rename(&self, cwd: &str, from: &str, to: &str) -> Result<(), String> {
        let mut map = self.lock();
        let src = Self::resolve(&map, cwd, from, false)?;
        let dst = Self::resolve(&map, cwd, to, false)?;
        let from_dir = match map.get(&src).map(|i| &i.node) {
            Some(n) => matches!(n, Node::Dir),
            None => return Err(ENOENT.into()),
        };
        if src == dst {
            return Ok(());
        }
        if src.is_empty() || dst.starts_with(&format!("{src}/")) {
            return Err(EINVAL.into());
        }
        match map.get(&dst).map(|i| &i.node) {
            Some(Node::Dir) if !from_dir => return Err(EISDIR.into()),
            Some(Node::Dir) if Self::has_children(&map, &dst) => return Err(ENOTEMPTY.into()),
            Some(_) if from_dir && !matches!(map.get(&dst).map(|i| &i.node), Some(Node::Dir)) => {
                return Err(ENOTDIR.into())
            }
            Some(_) => {}
            None => match map.get(parent(&dst)).map(|i| &i.node) {
                Some(Node::Dir) => {}
                Some(_) => return Err(ENOTDIR.into()),
                None => return Err(ENOENT.into()),
            },
        }
        let prefix = format!("{src}/");
        let moved: Vec<String> = map
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        if let Some(i) = map.remove(&src) {
            map.insert(dst.clone(), i);
        }
        for k in moved {
            if let Some(i) = map.remove(&k) {
                map.insert(format!("{dst}/{}", &k[prefix.len()..]), i);
            }
        }
        Ok(())
    }

    fn symlink(&self, cwd: &str, target: &str, path: &str) -> Result<(), String> {
        let mut map = self.lock();
        let key = Self::new_key(&map, cwd, path)?;
        map.insert(
            key,
            Inode {
                node: Node::Symlink(target.to_string()),
                mode: 0o777,
                mtime: self.now,
            },
        );
        Ok(())
    }

    fn set_mode(&self, cwd: &str, path: &str, mode: u32) -> Result<(), String> {
        let mut map = self.lock();
        let key = Self::resolve(&map, cwd, path, true)?;
        let i = map.get_mut(&key).ok_or(ENOENT)?;
        i.mode = mode & 0o7777;
        Ok(())
    }

    fn set_mtime(&self, cwd: &str, path: &str, mtime: SystemTime) -> Result<(), String> {
        let mut map = self.lock();
        let key = Self::resolve(&map, cwd, path, true)?;
        let i = map.get_mut(&key).ok_or(ENOENT)?;
        i.mtime = mtime;
        Ok(())
    }

    fn now(&self) -> SystemTime {
        self.now
    }
}
