//! How `read` splits a line among its variables with `IFS`, as busybox's
//! `read` does: IFS whitespace around fields is dropped, each other IFS
//! character ends one field, and the last variable takes the rest.

use crate::interp::expand::Ifs;

/// The values of `n` (at least one) variables read from `line`.
pub(crate) fn split_read(line: &str, n: usize, ifs: &Ifs) -> Vec<String> {
    let is_ws = |c: char| ifs.is_white(c);
    let is_ifs = |c: char| ifs.is_sep(c);
    let mut rest = line.trim_start_matches(is_ws);
    let mut values = Vec::with_capacity(n);
    for _ in 1..n {
        let end = rest.find(is_ifs).unwrap_or(rest.len());
        values.push(rest[..end].to_string());
        rest = rest[end..].trim_start_matches(is_ws);
        if let Some(c) = rest.chars().next().filter(|&c| is_ifs(c) && !is_ws(c)) {
            rest = rest[c.len_utf8()..].trim_start_matches(is_ws);
        }
    }
    let mut last = rest.trim_end_matches(is_ws);
    // One field and its delimiter: the delimiter goes.
    if let Some(c) = last.chars().last().filter(|&c| is_ifs(c) && !is_ws(c)) {
        let body = last[..last.len() - c.len_utf8()].trim_end_matches(is_ws);
        if !body.contains(is_ifs) {
            last = body;
        }
    }
    values.push(last.to_string());
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_busybox_read() {
        let cases: &[(&str, usize, &str, &[&str])] = &[
            ("  a b  ", 1, "", &["  a b  "]),
            ("  a b  ", 1, " \t\n", &["a b"]),
            ("x:y:z", 2, ":", &["x", "y:z"]),
            ("x::z", 3, ":", &["x", "", "z"]),
            (" x : y : z ", 2, ": ", &["x", "y : z"]),
            (":x:", 1, ":", &[":x:"]),
            ("x   y   ", 2, " \t\n", &["x", "y"]),
            ("x,y,", 2, ",", &["x", "y"]),
            ("x,y", 3, ",", &["x", "y", ""]),
            ("x,y,,", 2, ",", &["x", "y,,"]),
            ("one two three", 2, " \t\n", &["one", "two three"]),
            ("a b", 2, "", &["a b", ""]),
        ];
        for (line, n, ifs, want) in cases {
            assert_eq!(
                split_read(line, *n, &Ifs::new(Some(ifs))),
                *want,
                "{line:?} {n} {ifs:?}"
            );
        }
    }
}
