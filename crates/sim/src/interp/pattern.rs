//! Shell patterns (`case` arms): `*`, `?`, bracket expressions `[a-z]`,
//! `[!x]`, and backslash-escaped characters, which match themselves
//! (expansion escapes quoted text so).

/// `s` with each backslash escape replaced by the character it escapes (a
/// pattern without wildcards as the text it matches; `read`'s input without
/// `-r`).
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `text` matches the whole `pattern`.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Where to resume after the last `*`: (pattern index, text index).
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match bracket(&p[pi..], t[ti]) {
                Some((true, len)) => Some(len),
                Some((false, _)) => None,
                None => (t[ti] == '[').then_some(1),
            },
            Some('\\') if pi + 1 < p.len() => (p[pi + 1] == t[ti]).then_some(2),
            Some(&c) => (c == t[ti]).then_some(1),
            None => None,
        };
        match step {
            Some(len) => {
                pi += len;
                ti += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    pi = sp;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Matches `c` against the bracket expression at the start of `p`:
/// `(matched, length of the expression)`, or `None` when `[` opens no
/// expression (no closing `]`).
fn bracket(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let lo = match p.get(i) {
            None => return None,
            Some(']') if !first => break,
            Some('\\') => {
                i += 1;
                *p.get(i)?
            }
            Some(&x) => x,
        };
        first = false;
        i += 1;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|&x| x != ']') {
            let hi = p[i + 1];
            i += 2;
            matched |= lo <= c && c <= hi;
        } else {
            matched |= lo == c;
        }
    }
    Some((matched != negate, i + 1))
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn patterns() {
        let yes = [
            ("*", ""),
            ("*", "abc"),
            ("a*", "abc"),
            ("*c", "abc"),
            ("a?c", "abc"),
            ("*.txt", "notes.txt"),
            ("[abc]x", "bx"),
            ("[a-c]*", "cat"),
            ("[!a-c]*", "dog"),
            ("[]]", "]"),
            ("\\*", "*"),
            ("a*b*c", "aXbYbZc"),
            ("[", "["),
            ("v[0-9].*", "v1.2"),
        ];
        for (p, t) in yes {
            assert!(glob_match(p, t), "{p} ~ {t}");
        }
        let no = [
            ("a", "ab"),
            ("?", ""),
            ("*.txt", "notes.md"),
            ("[!a-c]*", "cat"),
            ("\\*", "x"),
            ("a*b*c", "aXbYbZ"),
        ];
        for (p, t) in no {
            assert!(!glob_match(p, t), "{p} !~ {t}");
        }
    }
}
