//! [`View`]: what a container sees — its root layer, the runtime files
//! (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`), and its mounts — and
//! [`Txn`], one locked pass over it. Symlinks are followed inside the root:
//! an absolute target starts again at the container's root, `..` stops there.
//!
//! A `Txn` locks every layer of the view (in address order, so two views
//! sharing volumes never deadlock), reads them in place, copies a layer on its
//! first write, and stores the copies only when the whole operation succeeded
//! ([`View::write`]): a failed operation changes nothing.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use super::entry::{Entry, Kind};
use super::layer::{Layer, Tree};
use super::path;
use super::FsError;

/// Most symlinks one resolution follows (Linux's `MAXSYMLINKS`).
pub const MAX_SYMLINKS: usize = 40;

/// A layer mounted at a path of the container.
#[derive(Debug, Clone)]
pub struct Mount {
    /// Where (a clean key, never the root).
    pub dest: String,
    /// The volume's (or bind mount's, or tmpfs') files.
    pub layer: Arc<Mutex<Layer>>,
    /// Mounted read-only.
    pub read_only: bool,
}

/// A container's file system: root layer, runtime files, mounts.
#[derive(Debug, Clone)]
pub struct View {
    /// The root layer (the container's own changes over its image).
    pub root: Arc<Mutex<Layer>>,
    /// Files the runtime provides over the image (hostname, hosts,
    /// resolv.conf), unless the container replaced them.
    pub runtime: Tree,
    /// Mounts, any order.
    pub mounts: Vec<Mount>,
}

struct Slot<'a> {
    dest: String,
    read_only: bool,
    guard: MutexGuard<'a, Layer>,
    copy: Option<Layer>,
}

/// One locked pass over a [`View`].
pub struct Txn<'a> {
    /// Slot 0 is the root; the others are mounts, longest destination first.
    slots: Vec<Slot<'a>>,
    runtime: &'a Tree,
    /// The time writes are stamped with.
    pub now: SystemTime,
}

impl View {
    /// Runs `f` over the locked view; nothing is stored.
    pub fn read<T>(&self, f: impl FnOnce(&Txn<'_>) -> Result<T, FsError>) -> Result<T, FsError> {
        let tx = self.lock(SystemTime::now());
        f(&tx)
    }

    /// Runs `f` over the locked view and stores its writes only if it
    /// succeeds.
    pub fn write<T>(
        &self,
        now: SystemTime,
        f: impl FnOnce(&mut Txn<'_>) -> Result<T, FsError>,
    ) -> Result<T, FsError> {
        let mut tx = self.lock(now);
        let out = f(&mut tx)?;
        for slot in &mut tx.slots {
            if let Some(copy) = slot.copy.take() {
                *slot.guard = copy;
            }
        }
        Ok(out)
    }

    fn lock(&self, now: SystemTime) -> Txn<'_> {
        let mut order: Vec<(usize, &Arc<Mutex<Layer>>, &str, bool)> =
            vec![(0, &self.root, "", false)];
        for m in &self.mounts {
            order.push((order.len(), &m.layer, m.dest.as_str(), m.read_only));
        }
        // Lock in address order; a layer mounted twice is locked (and seen)
        // once, at one of its destinations.
        order.sort_by_key(|(_, l, _, _)| Arc::as_ptr(l) as usize);
        order.dedup_by_key(|(_, l, _, _)| Arc::as_ptr(l) as usize);
        let mut slots: Vec<(usize, Slot<'_>)> = order
            .into_iter()
            .map(|(i, l, dest, ro)| {
                (
                    i,
                    Slot {
                        dest: dest.to_string(),
                        read_only: ro,
                        guard: l.lock().unwrap_or_else(|e| e.into_inner()),
                        copy: None,
                    },
                )
            })
            .collect();
        // Root first, then the longest destination first.
        slots.sort_by(|(ia, a), (ib, b)| {
            (ia != &0)
                .cmp(&(ib != &0))
                .then(b.dest.len().cmp(&a.dest.len()))
        });
        Txn {
            slots: slots.into_iter().map(|(_, s)| s).collect(),
            runtime: &self.runtime,
            now,
        }
    }
}

fn dir_default() -> Entry {
    Entry::dir(0o755, SystemTime::UNIX_EPOCH)
}

impl Txn<'_> {
    /// The slot holding `key`, and the key inside that slot's layer.
    fn locate(&self, key: &str) -> (usize, String) {
        for (i, s) in self.slots.iter().enumerate().skip(1) {
            if path::is_within(key, &s.dest) {
                let rel = key[s.dest.len()..].trim_start_matches('/').to_string();
                return (i, rel);
            }
        }
        (0, key.to_string())
    }

    fn layer(&self, i: usize) -> &Layer {
        let s = &self.slots[i];
        s.copy.as_ref().unwrap_or(&s.guard)
    }

    fn layer_mut(&mut self, i: usize, key: &str) -> Result<&mut Layer, FsError> {
        let s = &mut self.slots[i];
        if s.read_only {
            return Err(FsError::ReadOnly(path::absolute(key)));
        }
        if s.copy.is_none() {
            s.copy = Some(s.guard.clone());
        }
        s.copy
            .as_mut()
            .ok_or_else(|| FsError::Invalid("layer copy vanished".into()))
    }

    /// Whether some mount lies strictly below `key`.
    fn mount_below(&self, key: &str) -> bool {
        self.slots
            .iter()
            .skip(1)
            .any(|s| s.dest != key && path::is_within(&s.dest, key))
    }

    /// The entry at `key` itself (a symlink is not followed).
    pub fn lstat(&self, key: &str) -> Option<Entry> {
        let (i, rel) = self.locate(key);
        let layer = self.layer(i);
        let found = if i == 0 && !layer.upper.contains_key(&rel) {
            self.runtime.get(&rel).or_else(|| layer.base.get(&rel))
        } else {
            layer.get(&rel)
        };
        match found {
            Some(e) => Some(e.clone()),
            None if (i != 0 && rel.is_empty()) || key.is_empty() || self.mount_below(key) => {
                Some(dir_default())
            }
            None => None,
        }
    }

    /// The children of the directory `key`, by name.
    pub fn children(&self, key: &str) -> BTreeMap<String, Entry> {
        let (i, rel) = self.locate(key);
        let layer = self.layer(i);
        let mut out = layer.children(&rel);
        if i == 0 {
            for (k, e) in super::layer::descendants(self.runtime, key) {
                if path::parent(k) == key && !layer.upper.contains_key(k.as_str()) {
                    out.insert(path::base(k).to_string(), e.clone());
                }
            }
        }
        for s in self.slots.iter().skip(1) {
            if s.dest != key && path::is_within(&s.dest, key) {
                let below = if key.is_empty() {
                    s.dest.as_str()
                } else {
                    &s.dest[key.len() + 1..]
                };
                let name = below.split('/').next().unwrap_or_default();
                let child = path::join(key, name);
                if let Some(e) = self.lstat(&child) {
                    out.insert(name.to_string(), e);
                }
            }
        }
        out
    }

    /// Resolves a path (cleaned first) to a key, following symlinks inside
    /// the root; the last component is followed only when `follow_last`.
    /// A missing component is fine (the key may not exist); a component that
    /// is not a directory is [`FsError::NotDir`].
    pub fn resolve(&self, p: &str, follow_last: bool) -> Result<String, FsError> {
        let clean = path::clean(p)?;
        let mut pending: Vec<String> = clean
            .split('/')
            .filter(|c| !c.is_empty())
            .rev()
            .map(str::to_string)
            .collect();
        let mut done: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(c) = pending.pop() {
            match c.as_str() {
                "" | "." => continue,
                ".." => {
                    done.pop();
                    continue;
                }
                _ => {}
            }
            let key = path::join(&done.join("/"), &c);
            let last = pending.is_empty();
            match self.lstat(&key) {
                Some(Entry {
                    kind: Kind::Symlink(target),
                    ..
                }) if !last || follow_last => {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(FsError::Loop(path::absolute(&clean)));
                    }
                    if target.starts_with('/') {
                        done.clear();
                    }
                    if pending.len() + target.len() > path::MAX_PATH {
                        return Err(FsError::Loop(path::absolute(&clean)));
                    }
                    pending.extend(
                        target
                            .split('/')
                            .filter(|c| !c.is_empty())
                            .rev()
                            .map(str::to_string),
                    );
                }
                Some(e) if !last && !e.is_dir() => {
                    return Err(FsError::NotDir(path::absolute(&key)));
                }
                _ => done.push(c),
            }
        }
        Ok(done.join("/"))
    }

    /// The entry a path names, following symlinks (all but the last unless
    /// `follow_last`): its key and entry, or [`FsError::NotFound`].
    pub fn stat(&self, p: &str, follow_last: bool) -> Result<(String, Entry), FsError> {
        let key = self.resolve(p, follow_last)?;
        match self.lstat(&key) {
            Some(e) => Ok((key, e)),
            None => Err(FsError::NotFound(p.to_string())),
        }
    }

    /// Adds or replaces `key` (its parent must be a directory); the parent
    /// directory's mtime moves to now.
    pub fn put(&mut self, key: &str, entry: Entry) -> Result<(), FsError> {
        if key.is_empty() {
            if !entry.is_dir() {
                return Err(FsError::NotDir("/".into()));
            }
        } else {
            let parent = path::parent(key).to_string();
            match self.lstat(&parent) {
                Some(p) if p.is_dir() => self.touch_dir(&parent, p)?,
                Some(_) => return Err(FsError::NotDir(path::absolute(&parent))),
                None => return Err(FsError::NotFound(path::absolute(&parent))),
            }
        }
        let (i, rel) = self.locate(key);
        self.layer_mut(i, key)?.put(rel, entry);
        Ok(())
    }

    /// Moves a directory's mtime to now (a copy-up of the directory, as
    /// overlayfs does when a child changes), unless it is a mount's root.
    fn touch_dir(&mut self, key: &str, mut entry: Entry) -> Result<(), FsError> {
        let (i, rel) = self.locate(key);
        if rel.is_empty() {
            return Ok(());
        }
        if entry.mtime != self.now {
            entry.mtime = self.now;
            self.layer_mut(i, key)?.put(rel, entry);
        }
        Ok(())
    }

    /// Removes `key` and everything below it (a mount point stays).
    pub fn remove(&mut self, key: &str) -> Result<(), FsError> {
        if key.is_empty() {
            return Err(FsError::Invalid("cannot remove the root".into()));
        }
        let parent = path::parent(key).to_string();
        if let Some(p) = self.lstat(&parent) {
            self.touch_dir(&parent, p)?;
        }
        let (i, rel) = self.locate(key);
        if rel.is_empty() {
            // A mount's root: empty it.
            let layer = self.layer_mut(i, key)?;
            let names: Vec<String> = layer.children("").into_keys().collect();
            for n in names {
                layer.remove(&n);
            }
            return Ok(());
        }
        self.layer_mut(i, key)?.remove(&rel);
        Ok(())
    }

    /// Makes sure the directory `key` exists, creating missing ones (mode
    /// 0755) and following symlinks inside the root. Returns its resolved key.
    pub fn mkdir_all(&mut self, key: &str, uid: u32, gid: u32) -> Result<String, FsError> {
        let mut done = String::new();
        for c in key.split('/').filter(|c| !c.is_empty()) {
            let next = path::join(&done, c);
            let resolved = self.resolve(&next, true)?;
            match self.lstat(&resolved) {
                Some(e) if e.is_dir() => done = resolved,
                Some(_) => return Err(FsError::NotDir(path::absolute(&next))),
                None => {
                    let mut e = Entry::dir(0o755, self.now);
                    e.uid = uid;
                    e.gid = gid;
                    self.put(&resolved, e)?;
                    done = resolved;
                }
            }
        }
        Ok(done)
    }

    /// Every entry below `key` (depth first, parents before children), each
    /// with its key; mounts below it are included. At most `limit` entries.
    pub fn walk(&self, key: &str, limit: usize) -> Result<Vec<(String, Entry)>, FsError> {
        let mut out: Vec<(String, Entry)> = Vec::new();
        let mut stack: Vec<String> = vec![key.to_string()];
        while let Some(dir) = stack.pop() {
            let children = self.children(&dir);
            let mut dirs = Vec::new();
            for (name, e) in children {
                let k = path::join(&dir, &name);
                if e.is_dir() {
                    dirs.push(k.clone());
                }
                out.push((k, e));
                if out.len() > limit {
                    return Err(FsError::Invalid(format!(
                        "more than {limit} files below /{key}"
                    )));
                }
            }
            stack.extend(dirs.into_iter().rev());
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// The root layer as it stands (for diff, export and commit).
    pub fn root_layer(&self) -> &Layer {
        self.layer(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn view() -> View {
        let t = UNIX_EPOCH;
        let mut tree = Tree::new();
        tree.insert(String::new(), Entry::dir(0o755, t));
        for d in ["etc", "tmp", "usr", "usr/bin"] {
            tree.insert(d.into(), Entry::dir(0o755, t));
        }
        tree.insert("etc/passwd".into(), Entry::file("root:x:0:0\n", 0o644, t));
        tree.insert("bin".into(), Entry::symlink("usr/bin", t));
        tree.insert("abs".into(), Entry::symlink("/etc", t));
        tree.insert("up".into(), Entry::symlink("../../../../etc/passwd", t));
        tree.insert("loop1".into(), Entry::symlink("loop2", t));
        tree.insert("loop2".into(), Entry::symlink("/loop1", t));
        let mut runtime = Tree::new();
        runtime.insert("etc/hostname".into(), Entry::file("abc\n", 0o644, t));
        View {
            root: Arc::new(Mutex::new(Layer::over(Arc::new(tree)))),
            runtime,
            mounts: vec![Mount {
                dest: "data/vol".into(),
                layer: Arc::new(Mutex::new(Layer::default())),
                read_only: false,
            }],
        }
    }

    #[test]
    fn symlinks_stay_inside_the_root() {
        let v = view();
        v.read(|tx| {
            assert_eq!(tx.resolve("/bin/x", true)?, "usr/bin/x");
            assert_eq!(tx.resolve("/abs/passwd", true)?, "etc/passwd");
            assert_eq!(tx.resolve("/up", true)?, "etc/passwd");
            assert_eq!(tx.resolve("/up", false)?, "up");
            assert_eq!(tx.resolve("/../../abs/../tmp", true)?, "tmp");
            assert!(matches!(tx.resolve("/loop1", true), Err(FsError::Loop(_))));
            assert!(matches!(
                tx.resolve("/loop1/x", false),
                Err(FsError::Loop(_))
            ));
            assert!(matches!(
                tx.resolve("/etc/passwd/x", false),
                Err(FsError::NotDir(_))
            ));
            assert!(matches!(tx.stat("/nope", true), Err(FsError::NotFound(_))));
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn runtime_files_and_mounts_show_in_listings() {
        let v = view();
        v.read(|tx| {
            assert!(tx.children("etc").contains_key("hostname"));
            assert!(tx.children("").contains_key("data"));
            assert!(tx.children("data").contains_key("vol"));
            assert!(tx.lstat("data/vol").unwrap().is_dir());
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn writes_land_in_their_layer_and_a_failure_stores_nothing() {
        let v = view();
        let now = UNIX_EPOCH + std::time::Duration::from_secs(5);
        v.write(now, |tx| {
            tx.put("data/vol/f", Entry::file("v", 0o644, now))?;
            tx.put("tmp/f", Entry::file("r", 0o644, now))
        })
        .unwrap();
        assert!(v.mounts[0].layer.lock().unwrap().get("f").is_some());
        assert!(v.root.lock().unwrap().get("tmp/f").is_some());
        assert_eq!(v.root.lock().unwrap().get("tmp").unwrap().mtime, now);
        let err = v.write(now, |tx| {
            tx.put("tmp/g", Entry::file("g", 0o644, now))?;
            tx.put("nope/g", Entry::file("g", 0o644, now))
        });
        assert!(matches!(err, Err(FsError::NotFound(_))));
        assert!(v.root.lock().unwrap().get("tmp/g").is_none());
    }

    #[test]
    fn mkdir_all_follows_symlinks_and_refuses_files() {
        let v = view();
        let key = v
            .write(UNIX_EPOCH, |tx| tx.mkdir_all("bin/sub/deeper", 0, 0))
            .unwrap();
        assert_eq!(key, "usr/bin/sub/deeper");
        let err = v.write(UNIX_EPOCH, |tx| tx.mkdir_all("etc/passwd/x", 0, 0));
        assert!(matches!(err, Err(FsError::NotDir(_))));
    }
}
