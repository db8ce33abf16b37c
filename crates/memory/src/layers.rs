//! Keeps the module graph of the crate doc acyclic: reads this crate's sources
//! and fails on a cycle of module dependencies, counting both `use` paths
//! (`crate::…`, `super::…`, a child module by name) and calls of
//! `MemoryBackend` methods defined in another module. Unit tests are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::Regex;

/// Module path (`containers::ops`; the root is ``) → source, tests cut off.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>, root: &Path) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read src")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out, root);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let rel = p.strip_prefix(root).expect("under src").with_extension("");
                let mut parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                    parts.pop();
                }
                if parts.last().is_some_and(|l| l == "tests" || l == "layers") {
                    continue;
                }
                let text = std::fs::read_to_string(&p).expect("read source");
                let text = text
                    .split("\n#[cfg(test)]\nmod tests {")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                out.insert(parts.join("::"), text);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &mut out, &root);
    out
}

/// The longest module that `path` (as written in module `cur`) names.
fn resolve(mods: &BTreeMap<String, String>, cur: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = if cur.is_empty() {
        Vec::new()
    } else {
        cur.split("::").collect()
    };
    match parts[0] {
        "crate" => {
            base.clear();
            parts.remove(0);
        }
        "super" => {
            while parts.first() == Some(&"super") {
                base.pop();
                parts.remove(0);
            }
        }
        "self" => {
            parts.remove(0);
        }
        _ => {}
    }
    let mut best = None;
    for i in 0..=parts.len() {
        let m: Vec<&str> = base.iter().chain(&parts[..i]).copied().collect();
        let m = m.join("::");
        if mods.contains_key(&m) {
            best = Some(m);
        }
    }
    best.filter(|b| b != cur && !cur.starts_with(&format!("{b}::")) && !b.is_empty())
}

fn edges(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let path = Regex::new(r"\b((?:crate|super|self)(?:::\w+)+)").expect("regex");
    let child = Regex::new(r"^(?:pub(?:\(crate\))? )?use (\w+)::").expect("regex");
    let impl_start = Regex::new(r"^impl(?: \w+ for)? MemoryBackend \{").expect("regex");
    let method = Regex::new(r"^    (?:pub(?:\([a-z]+\))? )?(?:async )?fn (\w+)").expect("regex");
    // Methods of MemoryBackend by the module defining them (the backend's
    // own, and names other types share, are left out).
    let own = [
        "new",
        "now",
        "epoch",
        "with_rng",
        "links",
        "new_id",
        "new_pid",
        "next_seq",
        "store",
        "runtimes",
        "capabilities",
        "create_predefined_networks",
    ];
    let mut defined: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, src) in mods {
        let mut inside = false;
        for line in src.lines() {
            if impl_start.is_match(line) {
                inside = true;
            } else if line.starts_with('}') {
                inside = false;
            } else if let Some(c) = method.captures(line).filter(|_| inside) {
                if !own.contains(&&c[1]) {
                    defined
                        .entry(c[1].to_string())
                        .or_default()
                        .insert(m.clone());
                }
            }
        }
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, src) in mods {
        let deps = out.entry(m.clone()).or_default();
        for line in src.lines().map(str::trim) {
            if line.starts_with("//") || line.starts_with("mod ") || line.contains(" mod ") {
                continue;
            }
            for c in path.captures_iter(line) {
                deps.extend(resolve(mods, m, &c[1]));
            }
            if let Some(c) = child.captures(line) {
                if !["crate", "super", "self", "std"].contains(&&c[1]) {
                    deps.extend(resolve(mods, m, &c[1]));
                }
            }
        }
        for (name, at) in &defined {
            if src.contains(&format!(".{name}(")) || src.contains(&format!("Self::{name}(")) {
                deps.extend(at.iter().filter(|d| *d != m).cloned());
            }
        }
    }
    out
}

/// A cycle through `start`, if any (depth-first).
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        v: &str,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == v) {
            let mut c = stack[i..].to_vec();
            c.push(v.to_string());
            return Some(c);
        }
        if done.contains(v) {
            return None;
        }
        stack.push(v.to_string());
        for w in g.get(v).into_iter().flatten() {
            if let Some(c) = visit(g, w, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(v.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|v| visit(g, v, &mut Vec::new(), &mut done))
}

#[test]
fn module_graph_has_no_cycle() {
    let mods = sources();
    assert!(mods.contains_key("containers::ops"), "{:?}", mods.keys());
    let g = edges(&mods);
    assert!(
        g["containers::lifecycle"].contains("containers::process"),
        "the analysis sees method calls"
    );
    assert!(g["backend"].contains("containers::record"), "and use paths");
    if let Some(c) = cycle(&g) {
        panic!("module cycle: {}", c.join(" -> "));
    }
}

#[test]
fn a_cycle_is_found() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), ["b".to_string()].into()),
        ("b".to_string(), ["a".to_string()].into()),
    ]
    .into();
    assert_eq!(cycle(&g), Some(vec!["a".into(), "b".into(), "a".into()]));
}
