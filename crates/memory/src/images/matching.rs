//! Go's `path.Match`, for the `reference` filter of the image list.

use sockerless_core::error::{Error, Result};

/// Go's `path.Match`: `*` and `?` never match `/`; `[...]` classes; `\` escapes.
/// `Err` for a malformed pattern.
pub(crate) fn path_match(pattern: &str, name: &str) -> std::result::Result<bool, ()> {
    let mut pattern: &[char] = &pattern.chars().collect::<Vec<_>>();
    let name_chars: Vec<char> = name.chars().collect();
    let mut name: &[char] = &name_chars;
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&'/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != '/' {
                let (t, ok) = match_chunk(chunk, &name[i + 1..])?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                i += 1;
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, &[])?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

pub(crate) fn scan_chunk(mut pattern: &[char]) -> (bool, &[char], &[char]) {
    let mut star = false;
    while pattern.first() == Some(&'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            '\\' if i + 1 < pattern.len() => i += 1,
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

pub(crate) fn get_esc(chunk: &[char]) -> std::result::Result<(char, &[char]), ()> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some('-') | Some(']') => return Err(()),
        Some('\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(());
            }
        }
        _ => {}
    }
    let r = chunk[0];
    let rest = &chunk[1..];
    if rest.is_empty() {
        return Err(());
    }
    Ok((r, rest))
}

pub(crate) fn match_chunk<'a>(
    mut chunk: &[char],
    mut s: &'a [char],
) -> std::result::Result<(&'a [char], bool), ()> {
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            '[' => {
                let mut r = '\0';
                if !failed {
                    r = s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
                let mut negated = false;
                if chunk.first() == Some(&'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.first() == Some(&']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&'-') {
                        let (h, rest) = get_esc(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    if s[0] == '/' {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let c = if c == '\\' {
                    chunk = &chunk[1..];
                    match chunk.first() {
                        Some(&e) => e,
                        None => return Err(()),
                    }
                } else {
                    c
                };
                if !failed {
                    if c != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        return Ok((&[], false));
    }
    Ok((s, true))
}

/// Docker's `FamiliarMatch`: the pattern against the whole familiar reference,
/// then against its familiar name alone.
pub(crate) fn familiar_match(pattern: &str, familiar: &str) -> Result<bool> {
    let bad = || Error::bad_request(format!("invalid filter 'reference={pattern}'"));
    if path_match(pattern, familiar).map_err(|_| bad())? {
        return Ok(true);
    }
    let name = match familiar.split_once('@') {
        Some((n, _)) => n,
        None => match familiar.rfind(':') {
            Some(i) if !familiar[i..].contains('/') => &familiar[..i],
            _ => familiar,
        },
    };
    path_match(pattern, name).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_match() {
        let cases: &[(&str, &str, Result<bool, ()>)] = &[
            ("nginx", "nginx", Ok(true)),
            ("nginx:*", "nginx:latest", Ok(true)),
            ("*/app", "team/app", Ok(true)),
            ("*", "team/app", Ok(false)),
            ("ng?nx", "nginx", Ok(true)),
            ("[a-m]ginx", "nginx", Ok(false)),
            ("[^a-m]ginx", "nginx", Ok(true)),
            ("a*b*c", "axxbyyc", Ok(true)),
            ("a*", "a/b", Ok(false)),
            ("\\*", "*", Ok(true)),
            ("[", "a", Err(())),
            ("a[", "x", Err(())),
        ];
        for (p, n, want) in cases {
            assert_eq!(path_match(p, n), *want, "{p} vs {n}");
        }
    }
}
