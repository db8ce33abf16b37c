//! Path helpers and the `basename` and `dirname` builtins.

use crate::interp::io::Io;

/// The last component of a path (`""` for a trailing `/`).
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The directory part of a path, as `dirname` prints it.
fn dirname(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.starts_with('/') { "/" } else { "." }.into();
    }
    match trimmed.rfind('/') {
        None => ".".into(),
        Some(i) => {
            let dir = trimmed[..i].trim_end_matches('/');
            if dir.is_empty() {
                "/".into()
            } else {
                dir.into()
            }
        }
    }
}

/// `target` resolved against `cwd`, with `.` and `..` removed.
pub(super) fn normalize_path(cwd: &str, target: &str) -> String {
    let joined = if target.starts_with('/') {
        target.to_string()
    } else {
        format!("{cwd}/{target}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `basename PATH [SUFFIX]`.
pub(super) fn run_basename(args: &[String], io: &mut Io<'_, '_>) -> i32 {
    match args.first() {
        Some(path) => {
            let mut base = basename(path.trim_end_matches('/')).to_string();
            if base.is_empty() && path.starts_with('/') {
                base = "/".into();
            }
            if let Some(suffix) = args.get(1) {
                if base.len() > suffix.len() && base.ends_with(suffix.as_str()) {
                    base.truncate(base.len() - suffix.len());
                }
            }
            io.out(format!("{base}\n"));
            0
        }
        None => {
            io.err("basename: missing operand\n");
            1
        }
    }
}

/// `dirname PATH`.
pub(super) fn run_dirname(args: &[String], io: &mut Io<'_, '_>) -> i32 {
    match args.first() {
        Some(path) => {
            io.out(format!("{}\n", dirname(path)));
            0
        }
        None => {
            io.err("dirname: missing operand\n");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::testkit::*;

    #[test]
    fn helpers() {
        assert_eq!(normalize_path("/a/b", "../c/./d"), "/a/c/d");
        assert_eq!(normalize_path("/", ".."), "/");
        assert_eq!(dirname("/"), "/");
        assert_eq!(dirname("a/b/"), "a");
    }

    #[tokio::test(start_paused = true)]
    async fn basename_and_dirname() {
        check(vec![
            // basename / dirname
            script(
                "basename /a/b.txt .txt; dirname /a/b.txt; dirname x",
                "b\n/a\n.\n",
                "",
                0,
            ),
        ])
        .await;
    }
}
