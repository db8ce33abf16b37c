//! [`Tree`] (a read-only set of entries keyed by clean path, shared through an
//! `Arc`) and [`Layer`]: a tree plus the copy-on-write changes made over it.
//! A layer that was never written holds only the `Arc` of its base.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use super::entry::Entry;
use super::path;

/// Entries by key (`etc/hosts`; the root is `""`). Parents sort before their
/// children, and a directory's descendants are one contiguous range.
pub type Tree = BTreeMap<String, Entry>;

/// The keys below `dir` (not `dir` itself), in order.
pub fn descendants<'a, V>(
    map: &'a BTreeMap<String, V>,
    dir: &str,
) -> impl Iterator<Item = (&'a String, &'a V)> + 'a {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let start = prefix.clone();
    map.range::<str, _>((Bound::Included(start.as_str()), Bound::Unbounded))
        .take_while(move |(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| !k.is_empty())
}

/// A tree and the changes over it: `Some` entries added or replaced, `None`
/// for whiteouts (deleted).
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// What it started from (an image's files; empty for a volume).
    pub base: Arc<Tree>,
    /// The changes, by key.
    pub upper: BTreeMap<String, Option<Entry>>,
}

/// How a key differs from the base (`docker diff`'s kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Changed (`C`, 0).
    Modified,
    /// Added (`A`, 1).
    Added,
    /// Deleted (`D`, 2).
    Deleted,
}

impl Layer {
    /// A layer with no changes over `base`.
    pub fn over(base: Arc<Tree>) -> Layer {
        Layer {
            base,
            upper: BTreeMap::new(),
        }
    }

    /// The entry at `key`, changes first.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        match self.upper.get(key) {
            Some(e) => e.as_ref(),
            None => self.base.get(key),
        }
    }

    /// Adds or replaces the entry at `key` (its parent must exist).
    pub fn put(&mut self, key: String, entry: Entry) {
        self.upper.insert(key, Some(entry));
    }

    /// Deletes `key` and everything below it.
    pub fn remove(&mut self, key: &str) {
        let below: Vec<String> = descendants(&self.upper, key)
            .map(|(k, _)| k.clone())
            .collect();
        for k in below {
            self.upper.remove(&k);
        }
        let whiteouts: Vec<String> = descendants(&self.base, key)
            .map(|(k, _)| k.clone())
            .collect();
        for k in whiteouts {
            self.upper.insert(k, None);
        }
        if self.base.contains_key(key) {
            self.upper.insert(key.to_string(), None);
        } else {
            self.upper.remove(key);
        }
    }

    /// The children of directory `dir` by name.
    pub fn children(&self, dir: &str) -> BTreeMap<String, Entry> {
        let mut out: BTreeMap<String, Option<Entry>> = BTreeMap::new();
        let direct = |k: &str| {
            let rest = if dir.is_empty() {
                k
            } else {
                &k[dir.len() + 1..]
            };
            (!rest.contains('/')).then(|| rest.to_string())
        };
        for (k, e) in descendants(&self.base, dir) {
            if let Some(name) = direct(k) {
                out.insert(name, Some(e.clone()));
            }
        }
        for (k, e) in descendants(&self.upper, dir) {
            if let Some(name) = direct(k) {
                out.insert(name, e.clone());
            }
        }
        out.into_iter()
            .filter_map(|(k, e)| e.map(|e| (k, e)))
            .collect()
    }

    /// The merged entries (base with the changes applied).
    pub fn flatten(&self) -> Tree {
        if self.upper.is_empty() {
            return (*self.base).clone();
        }
        let mut out = (*self.base).clone();
        for (k, e) in &self.upper {
            match e {
                Some(e) => {
                    out.insert(k.clone(), e.clone());
                }
                None => {
                    out.remove(k);
                }
            }
        }
        out
    }

    /// The changes as `docker diff` lists them, by key: a deleted directory's
    /// contents are not listed again.
    pub fn changes(&self) -> Vec<(String, Change)> {
        let mut out: Vec<(String, Change)> = Vec::new();
        for (k, e) in &self.upper {
            let change = match (e, self.base.get(k)) {
                (None, None) => continue,
                (None, Some(_)) => Change::Deleted,
                (Some(_), None) => Change::Added,
                (Some(new), Some(old)) if new == old => continue,
                (Some(_), Some(_)) => Change::Modified,
            };
            if change == Change::Deleted {
                let p = path::parent(k);
                if !p.is_empty() && matches!(self.upper.get(p), Some(None)) {
                    continue;
                }
            }
            out.push((k.clone(), change));
        }
        out
    }

    /// Bytes held by the changes.
    pub fn weight(&self) -> u64 {
        self.upper
            .iter()
            .map(|(k, e)| k.len() as u64 + e.as_ref().map_or(0, Entry::weight))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn base() -> Arc<Tree> {
        let t = UNIX_EPOCH;
        let mut tree = Tree::new();
        tree.insert(String::new(), Entry::dir(0o755, t));
        tree.insert("a".into(), Entry::dir(0o755, t));
        tree.insert("a/x".into(), Entry::file("x", 0o644, t));
        tree.insert("a-b".into(), Entry::file("ab", 0o644, t));
        tree.insert("a/d".into(), Entry::dir(0o755, t));
        tree.insert("a/d/y".into(), Entry::file("y", 0o644, t));
        Arc::new(tree)
    }

    #[test]
    fn children_merge_changes() {
        let mut l = Layer::over(base());
        assert_eq!(l.children("a").keys().collect::<Vec<_>>(), vec!["d", "x"]);
        assert_eq!(l.children("").keys().collect::<Vec<_>>(), vec!["a", "a-b"]);
        l.put("a/z".into(), Entry::file("z", 0o644, UNIX_EPOCH));
        l.remove("a/x");
        assert_eq!(l.children("a").keys().collect::<Vec<_>>(), vec!["d", "z"]);
    }

    #[test]
    fn removing_a_directory_hides_its_contents_and_diff_lists_it_once() {
        let mut l = Layer::over(base());
        l.remove("a/d");
        assert!(l.get("a/d/y").is_none());
        assert!(l.get("a/d").is_none());
        assert_eq!(l.changes(), vec![("a/d".to_string(), Change::Deleted)]);
        // Recreated: empty, the old contents stay hidden.
        l.put("a/d".into(), Entry::dir(0o700, UNIX_EPOCH));
        assert!(l.children("a/d").is_empty());
        assert!(!l.flatten().contains_key("a/d/y"));
    }

    #[test]
    fn an_unwritten_layer_is_its_base() {
        let b = base();
        let l = Layer::over(b.clone());
        assert_eq!(l.flatten(), *b);
        assert!(l.changes().is_empty());
        assert_eq!(l.weight(), 0);
    }
}
