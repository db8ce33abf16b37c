//! Path cleaning: every path a request or a tar entry names becomes a key of
//! the container's tree (`etc/hosts`; `""` is the root) lexically, so no path
//! can ever leave the root: `..` at the root stays at the root, a leading `/`
//! or `./` is dropped. Symlinks are followed later, also inside the root (see
//! `view`).

use super::FsError;

/// Longest path accepted, in bytes (Linux's `PATH_MAX`).
pub const MAX_PATH: usize = 4096;
/// Longest file name accepted, in bytes (Linux's `NAME_MAX`).
pub const MAX_NAME: usize = 255;
/// Most components a path may have.
pub const MAX_DEPTH: usize = 256;

/// Cleans `path` into a key relative to the root: `/a/./b/../c/` → `a/c`.
/// `..` never climbs above the root. Errors for a path too long or deep, a
/// name too long, or a NUL byte.
pub fn clean(path: &str) -> Result<String, FsError> {
    if path.len() > MAX_PATH || path.contains('\0') {
        return Err(FsError::Invalid(format!("invalid path: {}", shorten(path))));
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c if c.len() > MAX_NAME => {
                return Err(FsError::Invalid(format!(
                    "file name too long: {}",
                    shorten(c)
                )))
            }
            c => {
                parts.push(c);
                if parts.len() > MAX_DEPTH {
                    return Err(FsError::Invalid(format!(
                        "path too deep: {}",
                        shorten(path)
                    )));
                }
            }
        }
    }
    Ok(parts.join("/"))
}

/// Cleans a tar member's name relative to the extraction point: like
/// [`clean`], but a name whose `..` would climb above the extraction point
/// is an error (Docker: `<name> is outside of <dest>`).
pub fn clean_member(name: &str) -> Result<String, FsError> {
    let mut depth: usize = 0;
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." if depth == 0 => {
                return Err(FsError::Invalid(format!(
                    "invalid tar member {:?}: it is outside of the extraction point",
                    shorten(name)
                )))
            }
            ".." => depth -= 1,
            _ => depth += 1,
        }
    }
    clean(name)
}

/// The key of `name` inside the directory `dir`.
pub fn join(dir: &str, name: &str) -> String {
    match (dir.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (_, true) => dir.to_string(),
        _ => format!("{dir}/{name}"),
    }
}

/// The parent directory's key (`""` for a child of the root and the root).
pub fn parent(key: &str) -> &str {
    key.rfind('/').map_or("", |i| &key[..i])
}

/// The last component (`""` for the root).
pub fn base(key: &str) -> &str {
    key.rfind('/').map_or(key, |i| &key[i + 1..])
}

/// The absolute path of a key: `etc/hosts` → `/etc/hosts`.
pub fn absolute(key: &str) -> String {
    format!("/{key}")
}

/// Whether `key` is `dir` or lies below it.
pub fn is_within(key: &str, dir: &str) -> bool {
    dir.is_empty()
        || key == dir
        || (key.len() > dir.len() && key.starts_with(dir) && key.as_bytes()[dir.len()] == b'/')
}

/// At most 200 characters of `s`, for messages.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(200).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_never_leaves_the_root() {
        for (input, want) in [
            ("/", ""),
            ("", ""),
            (".", ""),
            ("/etc/hosts", "etc/hosts"),
            ("etc//hosts/", "etc/hosts"),
            ("/a/./b/../c", "a/c"),
            ("/../../etc/passwd", "etc/passwd"),
            ("../..", ""),
            ("a/../../../b", "b"),
            ("/tmp/.", "tmp"),
            ("./x/..", ""),
        ] {
            assert_eq!(clean(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn bounds_are_errors() {
        assert!(clean(&"a/".repeat(MAX_DEPTH + 1)).is_err());
        assert!(clean(&"a/".repeat(MAX_DEPTH)).is_ok());
        assert!(clean(&"x".repeat(MAX_NAME + 1)).is_err());
        assert!(clean(&"x".repeat(MAX_PATH + 1)).is_err());
        assert!(clean("a\0b").is_err());
    }

    #[test]
    fn members_may_not_climb_out() {
        for bad in ["../x", "a/../../x", "/../x", "./../x", ".."] {
            assert!(clean_member(bad).is_err(), "{bad}");
        }
        for (ok, want) in [
            ("a/../b", "b"),
            ("/abs/x", "abs/x"),
            ("./a/", "a"),
            ("a/..", ""),
        ] {
            assert_eq!(clean_member(ok).unwrap(), want, "{ok}");
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(join("", "etc"), "etc");
        assert_eq!(join("etc", "hosts"), "etc/hosts");
        assert_eq!(parent("etc/hosts"), "etc");
        assert_eq!(parent("etc"), "");
        assert_eq!(base("etc/hosts"), "hosts");
        assert_eq!(base(""), "");
        assert!(is_within("etc/hosts", "etc"));
        assert!(is_within("etc", "etc"));
        assert!(!is_within("etcx", "etc"));
        assert!(is_within("anything", ""));
    }
}
