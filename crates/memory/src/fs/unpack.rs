//! The files of a loaded image: its layers (uncompressed tars, found in the
//! archive by their diff IDs) applied bottom first, with the OCI whiteouts
//! (`.wh.<name>` deletes a name, `.wh..wh..opq` empties a directory).

use std::collections::HashMap;
use std::io::Read;
use std::time::UNIX_EPOCH;

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::entry::Entry;
use super::layer::{descendants, Tree};
use super::path;
use super::tar_in::{read_members, Body};
use super::FsError;

/// Every regular member of an image archive that could be a layer, by
/// `sha256:<hex>` of its contents (JSON members are left out).
pub fn blobs_by_digest(archive: &[u8]) -> HashMap<String, Bytes> {
    let mut out = HashMap::new();
    let mut a = tar::Archive::new(archive);
    let Ok(entries) = a.entries() else {
        return out;
    };
    for entry in entries {
        let Ok(mut entry) = entry else {
            break;
        };
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if !entry.header().entry_type().is_file() || name.ends_with(".json") {
            continue;
        }
        let mut data = Vec::new();
        if entry.read_to_end(&mut data).is_err() {
            break;
        }
        let hex: String = Sha256::digest(&data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        out.insert(format!("sha256:{hex}"), Bytes::from(data));
    }
    out
}

fn remove_below(tree: &mut Tree, key: &str) {
    let keys: Vec<String> = descendants(tree, key).map(|(k, _)| k.clone()).collect();
    for k in keys {
        tree.remove(&k);
    }
}

/// Applies one layer tar over `tree`.
pub fn apply_layer(tree: &mut Tree, layer: &[u8]) -> Result<(), FsError> {
    tree.entry(String::new())
        .or_insert_with(|| Entry::dir(0o755, UNIX_EPOCH));
    for m in read_members(layer)? {
        let parent = path::parent(&m.name).to_string();
        let base = path::base(&m.name).to_string();
        if base == ".wh..wh..opq" {
            remove_below(tree, &parent);
            continue;
        }
        if let Some(gone) = base.strip_prefix(".wh.") {
            let key = path::join(&parent, gone);
            remove_below(tree, &key);
            tree.remove(&key);
            continue;
        }
        let mut dir = String::new();
        for c in parent.split('/').filter(|c| !c.is_empty()) {
            dir = path::join(&dir, c);
            if !tree.get(&dir).is_some_and(Entry::is_dir) {
                remove_below(tree, &dir);
                tree.insert(dir.clone(), Entry::dir(0o755, UNIX_EPOCH));
            }
        }
        let entry = match m.body {
            Body::Entry(e) => e,
            Body::HardLink(target) => match tree.get(&target) {
                Some(e) => e.clone(),
                None => continue,
            },
        };
        if !entry.is_dir() {
            remove_below(tree, &m.name);
        }
        tree.insert(m.name, entry);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::tar_in::tests::raw_tar;

    #[test]
    fn layers_apply_with_whiteouts() {
        let l1 = raw_tar(&[
            ("etc/", tar::EntryType::Directory, b"", ""),
            ("etc/a", tar::EntryType::Regular, b"a", ""),
            ("etc/b", tar::EntryType::Regular, b"b", ""),
            ("opt/x/y", tar::EntryType::Regular, b"y", ""),
        ]);
        let l2 = raw_tar(&[
            ("etc/.wh.a", tar::EntryType::Regular, b"", ""),
            ("opt/x/.wh..wh..opq", tar::EntryType::Regular, b"", ""),
            ("etc/c", tar::EntryType::Link, b"", "etc/b"),
        ]);
        let mut t = Tree::new();
        apply_layer(&mut t, &l1).unwrap();
        apply_layer(&mut t, &l2).unwrap();
        assert!(!t.contains_key("etc/a"));
        assert!(t.get("opt/x").unwrap().is_dir());
        assert!(!t.contains_key("opt/x/y"));
        assert_eq!(t.get("etc/c").unwrap().kind, t.get("etc/b").unwrap().kind);
        let blobs = blobs_by_digest(&raw_tar(&[(
            "blobs/sha256/x",
            tar::EntryType::Regular,
            &l1,
            "",
        )]));
        assert_eq!(blobs.len(), 1);
    }
}
