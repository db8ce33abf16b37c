//! Pathname expansion: an unquoted `*`, `?` or `[` in a command word matches
//! the container's files (POSIX 2.13.3). Each `/`-separated component with a
//! wildcard is matched against its directory's entries (names starting with
//! `.` only by a pattern that starts with `.`), results sorted; a word that
//! matches nothing stays as written. At most [`MAX_MATCHES`] paths.

use super::files::{FileKind, Files, Listing};
use super::pattern::{glob_match, unescape};

/// The most paths one word expands to (busybox has no bound; this keeps a
/// `*/*/*` over a large tree from exhausting the daemon).
pub(crate) const MAX_MATCHES: usize = 65_536;

/// Whether a pattern (quoted characters escaped with `\`) has a wildcard.
pub(crate) fn has_wildcard(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

/// The paths `pattern` matches in `files` (relative ones from `cwd`),
/// sorted; empty when none.
pub(crate) fn expand(files: &Files, cwd: &str, pattern: &str) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let mut paths: Vec<String> = vec![if absolute { "/".into() } else { String::new() }];
    for (i, component) in components.iter().enumerate() {
        let last = i + 1 == components.len();
        let mut next = Vec::new();
        for base in &paths {
            let join = |name: &str| {
                if base.is_empty() || base.ends_with('/') {
                    format!("{base}{name}")
                } else {
                    format!("{base}/{name}")
                }
            };
            if !has_wildcard(component) {
                next.push(join(&unescape(component)));
                continue;
            }
            let dir = if base.is_empty() { "." } else { base.as_str() };
            let Ok(Listing::Dir(mut names)) = files.0.list(cwd, dir) else {
                continue;
            };
            // A pattern starting with `.` also matches `.` and `..`.
            if component.starts_with('.') {
                names.splice(0..0, [".".to_string(), "..".to_string()]);
            }
            for name in names {
                if name.starts_with('.') && !component.starts_with('.') {
                    continue;
                }
                if glob_match(component, &name) {
                    let path = join(&name);
                    // Only directories lead on to further components.
                    let keep = last
                        || files
                            .0
                            .stat(cwd, &path, true)
                            .is_ok_and(|m| m.kind == FileKind::Dir);
                    if keep && next.len() < MAX_MATCHES {
                        next.push(path);
                    }
                }
            }
        }
        paths = next;
        if paths.is_empty() {
            return paths;
        }
    }
    // Literal tails must exist.
    paths.retain(|p| files.0.stat(cwd, p, false).is_ok());
    if pattern.ends_with('/') {
        for p in &mut paths {
            p.push('/');
        }
    }
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_found_outside_escapes() {
        assert!(has_wildcard("a*"));
        assert!(has_wildcard("x/[ab]"));
        assert!(!has_wildcard("a\\*"));
        assert!(!has_wildcard("plain/path"));
        assert_eq!(unescape("a\\*b"), "a*b");
    }
}
