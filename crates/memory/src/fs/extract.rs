//! Extracting checked tar members into a container's view, with Docker's
//! rules: missing parents are created, a directory merges into an existing
//! one, `noOverwriteDirNonDir` refuses to replace a directory by a
//! non-directory (and the reverse), `copyUIDGID` owns every file by the
//! container's user. Runs inside one [`Txn`], so a failure stores nothing.

use super::entry::{Entry, Kind};
use super::path;
use super::tar_in::{Body, Member};
use super::view::Txn;
use super::FsError;

/// How members are extracted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Refuse to replace a directory with a non-directory or the reverse.
    pub no_overwrite_dir_non_dir: bool,
    /// Owner for every extracted entry, instead of the archive's.
    pub chown: Option<(u32, u32)>,
}

/// Extracts `members` below the directory `dest` (a resolved key).
pub fn extract(
    tx: &mut Txn<'_>,
    dest: &str,
    members: Vec<Member>,
    options: Options,
) -> Result<(), FsError> {
    for m in members {
        if m.name.is_empty() {
            continue;
        }
        let (uid, gid) = options.chown.unwrap_or((0, 0));
        let parent = tx.mkdir_all(&path::join(dest, path::parent(&m.name)), uid, gid)?;
        let key = path::join(&parent, path::base(&m.name));
        let mut entry = match m.body {
            Body::Entry(e) => e,
            Body::HardLink(target) => {
                let target_key = tx.resolve(&path::join(dest, &target), false)?;
                match tx.lstat(&target_key) {
                    Some(
                        e @ Entry {
                            kind: Kind::File(_),
                            ..
                        },
                    ) => e,
                    _ => {
                        return Err(FsError::Invalid(format!(
                            "invalid hardlink {} to {}: no such file in the archive",
                            m.name, target
                        )))
                    }
                }
            }
        };
        if let Some((uid, gid)) = options.chown {
            entry.uid = uid;
            entry.gid = gid;
        }
        if let Some(old) = tx.lstat(&key) {
            let (old_dir, new_dir) = (old.is_dir(), entry.is_dir());
            if options.no_overwrite_dir_non_dir && old_dir && !new_dir {
                return Err(FsError::Conflict(format!(
                    "cannot overwrite directory {:?} with non-directory {:?}",
                    path::absolute(&key),
                    path::absolute(dest)
                )));
            }
            if options.no_overwrite_dir_non_dir && !old_dir && new_dir {
                return Err(FsError::Conflict(format!(
                    "cannot overwrite non-directory {:?} with directory {:?}",
                    path::absolute(&key),
                    path::absolute(dest)
                )));
            }
            if !(old_dir && new_dir) {
                tx.remove(&key)?;
            }
        }
        tx.put(&key, entry)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::UNIX_EPOCH;

    use super::super::layer::{Layer, Tree};
    use super::super::tar_in::read_members;
    use super::super::tar_in::tests::raw_tar;
    use super::super::view::View;
    use super::*;

    fn view() -> View {
        let mut tree = Tree::new();
        tree.insert(String::new(), Entry::dir(0o755, UNIX_EPOCH));
        tree.insert("tmp".into(), Entry::dir(0o1777, UNIX_EPOCH));
        tree.insert("tmp/file".into(), Entry::file("f", 0o644, UNIX_EPOCH));
        tree.insert("tmp/out".into(), Entry::symlink("/etc", UNIX_EPOCH));
        tree.insert("tmp/loop".into(), Entry::symlink("loop", UNIX_EPOCH));
        View {
            root: Arc::new(Mutex::new(Layer::over(Arc::new(tree)))),
            runtime: Tree::new(),
            mounts: Vec::new(),
        }
    }

    fn run(v: &View, tar: &[u8], options: Options) -> Result<(), FsError> {
        let members = read_members(tar)?;
        v.write(UNIX_EPOCH, |tx| extract(tx, "tmp", members, options))
    }

    #[test]
    fn extracts_with_parents_and_hard_links() {
        let v = view();
        let tar = raw_tar(&[
            ("a/b/c", tar::EntryType::Regular, b"abc", ""),
            ("a/h", tar::EntryType::Link, b"", "a/b/c"),
        ]);
        run(&v, &tar, Options::default()).unwrap();
        let root = v.root.lock().unwrap();
        assert!(root.get("tmp/a/b").unwrap().is_dir());
        assert_eq!(root.get("tmp/a/h").unwrap().kind, Kind::File("abc".into()));
    }

    #[test]
    fn symlinks_in_the_container_stay_inside_its_root() {
        let v = view();
        // tmp/out -> /etc: the file lands in the container's /etc.
        let tar = raw_tar(&[("out/x", tar::EntryType::Regular, b"x", "")]);
        run(&v, &tar, Options::default()).unwrap();
        assert!(v.root.lock().unwrap().get("etc/x").is_some());
    }

    #[test]
    fn hostile_or_conflicting_archives_change_nothing() {
        let v = view();
        let before = v.root.lock().unwrap().upper.clone();
        let loop_tar = raw_tar(&[
            ("ok", tar::EntryType::Regular, b"x", ""),
            ("loop/x", tar::EntryType::Regular, b"x", ""),
        ]);
        assert!(matches!(
            run(&v, &loop_tar, Options::default()),
            Err(FsError::Loop(_))
        ));
        let dir_over_file = raw_tar(&[
            ("ok", tar::EntryType::Regular, b"x", ""),
            ("file/", tar::EntryType::Directory, b"", ""),
        ]);
        let strict = Options {
            no_overwrite_dir_non_dir: true,
            chown: None,
        };
        assert!(matches!(
            run(&v, &dir_over_file, strict),
            Err(FsError::Conflict(_))
        ));
        let bad_link = raw_tar(&[("h", tar::EntryType::Link, b"", "missing")]);
        assert!(run(&v, &bad_link, Options::default()).is_err());
        assert_eq!(v.root.lock().unwrap().upper, before);
        // Without the option, the directory replaces the file.
        run(&v, &dir_over_file, Options::default()).unwrap();
        assert!(v.root.lock().unwrap().get("tmp/file").unwrap().is_dir());
    }

    #[test]
    fn copy_uid_gid_owns_everything() {
        let v = view();
        let tar = raw_tar(&[("d/f", tar::EntryType::Regular, b"x", "")]);
        let options = Options {
            no_overwrite_dir_non_dir: false,
            chown: Some((1000, 1001)),
        };
        run(&v, &tar, options).unwrap();
        let root = v.root.lock().unwrap();
        let f = root.get("tmp/d/f").unwrap();
        assert_eq!((f.uid, f.gid), (1000, 1001));
        assert_eq!(root.get("tmp/d").unwrap().uid, 1000);
    }
}
