//! POSIX regular expressions (basic and extended, glibc's GNU extensions
//! included) translated to the `regex` crate's syntax, and compiled with a
//! size limit so that no pattern can make the daemon allocate without bound.
//! Back-references in a pattern (`\1`) are not supported: such a pattern is
//! refused.

use regex::bytes::{Regex, RegexBuilder};

/// Largest compiled program and lazy DFA cache of one pattern: 1 MiB each.
const REGEX_SIZE: usize = 1 << 20;

/// Compiles a POSIX pattern (`extended` = ERE) to a byte regex; the error
/// is a short reason.
pub(crate) fn compile(pattern: &str, extended: bool, icase: bool) -> Result<Regex, String> {
    let translated = translate(pattern, extended)?;
    build(&translated, icase)
}

/// Compiles a pattern already in the crate's syntax, bounded.
pub(crate) fn build(pattern: &str, icase: bool) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(icase)
        .size_limit(REGEX_SIZE)
        .dfa_size_limit(REGEX_SIZE)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => "Regular expression too big".to_string(),
            _ => "Invalid regular expression".to_string(),
        })
}

/// Pushes `c` as a literal of the crate's syntax.
fn literal(out: &mut String, c: char) {
    if c.is_ascii_punctuation() || c == ' ' {
        out.push('\\');
    }
    out.push(c);
}

/// Translates a POSIX BRE or ERE to the crate's syntax.
pub(crate) fn translate(pattern: &str, extended: bool) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut i = 0;
    // Whether the next token starts an expression (where `*` is literal and
    // `^` anchors).
    let mut at_start = true;
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        let starts = at_start;
        at_start = false;
        match c {
            '[' => {
                i = bracket(&chars, i, &mut out)?;
                continue;
            }
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err("Trailing backslash".into());
                };
                i += 2;
                match n {
                    '(' if !extended => {
                        out.push('(');
                        depth += 1;
                        at_start = true;
                    }
                    ')' if !extended => {
                        if depth == 0 {
                            return Err("Unmatched ) or \\)".into());
                        }
                        depth -= 1;
                        out.push(')');
                    }
                    '|' if !extended => {
                        out.push('|');
                        at_start = true;
                    }
                    '{' if !extended => {
                        let close = find_from(&chars, i, &['\\', '}'])
                            .ok_or_else(|| "Unmatched \\{".to_string())?;
                        let inner: String = chars[i..close].iter().collect();
                        check_interval(&inner)?;
                        out.push('{');
                        out.push_str(&inner);
                        out.push('}');
                        i = close + 2;
                    }
                    '+' | '?' if !extended => out.push(n),
                    '<' | '>' => out.push_str("\\b"),
                    'w' | 'W' | 's' | 'S' | 'b' | 'B' => {
                        out.push('\\');
                        out.push(n);
                    }
                    'n' => out.push_str("\\n"),
                    't' => out.push_str("\\t"),
                    '1'..='9' => return Err("Back-references are not supported".into()),
                    other => literal(&mut out, other),
                }
                continue;
            }
            '*' if starts => literal(&mut out, '*'),
            '*' => out.push('*'),
            '^' if extended || starts => {
                out.push('^');
                at_start = true;
            }
            '$' if extended || ends_here(&chars, i) => out.push('$'),
            '(' | ')' | '|' | '+' | '?' if extended => {
                match c {
                    '(' => {
                        depth += 1;
                        at_start = true;
                    }
                    ')' => {
                        if depth == 0 {
                            return Err("Unmatched ) or \\)".into());
                        }
                        depth -= 1;
                    }
                    '|' => at_start = true,
                    _ if starts => {
                        literal(&mut out, c);
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
                out.push(c);
            }
            '{' if extended => {
                let close = chars[i..].iter().position(|&x| x == '}').map(|p| p + i);
                let inner: Option<String> = close.map(|e| chars[i + 1..e].iter().collect());
                match inner.filter(|s| check_interval(s).is_ok() && !starts) {
                    Some(inner) => {
                        out.push('{');
                        out.push_str(&inner);
                        out.push('}');
                        i = close.unwrap_or(i) + 1;
                        continue;
                    }
                    None => literal(&mut out, '{'),
                }
            }
            '.' => out.push('.'),
            other => literal(&mut out, other),
        }
        i += 1;
    }
    if depth != 0 {
        return Err("Unmatched ( or \\(".into());
    }
    Ok(out)
}

/// Whether a BRE `$` at `i` ends the expression (and so anchors).
fn ends_here(chars: &[char], i: usize) -> bool {
    i + 1 == chars.len()
        || (chars.get(i + 1) == Some(&'\\') && matches!(chars.get(i + 2), Some(')' | '|')))
}

/// The index of the sequence `seq` at or after `from`.
fn find_from(chars: &[char], from: usize, seq: &[char]) -> Option<usize> {
    (from..chars.len()).find(|&j| chars[j..].starts_with(seq))
}

/// `m`, `m,` or `m,n`, with `m <= n` and at most 255 (RE_DUP_MAX).
fn check_interval(s: &str) -> Result<(), String> {
    let bad = || "Invalid content of \\{\\}".to_string();
    let (a, b) = match s.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let a: u32 = a.parse().map_err(|_| bad())?;
    if let Some(b) = b.filter(|b| !b.is_empty()) {
        let b: u32 = b.parse().map_err(|_| bad())?;
        if b < a || b > 255 {
            return Err(bad());
        }
    }
    if a > 255 {
        return Err(bad());
    }
    Ok(())
}

/// Translates the bracket expression starting at `chars[start] == '['`;
/// returns the index after it.
fn bracket(chars: &[char], start: usize, out: &mut String) -> Result<usize, String> {
    let mut i = start + 1;
    let mut class = String::from("[");
    if chars.get(i) == Some(&'^') {
        class.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("Unmatched [, [^, [:, [., or [=".into());
        };
        if c == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        if c == '[' && matches!(chars.get(i + 1), Some(':' | '=' | '.')) {
            let kind = chars[i + 1];
            let end = find_from(chars, i + 2, &[kind, ']'])
                .ok_or_else(|| "Unmatched [, [^, [:, [., or [=".to_string())?;
            let name: String = chars[i + 2..end].iter().collect();
            if kind == ':' {
                const CLASSES: &[&str] = &[
                    "alpha", "digit", "alnum", "upper", "lower", "space", "blank", "punct",
                    "print", "graph", "cntrl", "xdigit",
                ];
                if !CLASSES.contains(&name.as_str()) {
                    return Err("Invalid character class name".into());
                }
                class.push_str(&format!("[:{name}:]"));
            } else {
                for ch in name.chars() {
                    literal(&mut class, ch);
                }
            }
            i = end + 2;
            continue;
        }
        // A range `a-z` (a `-` first or last is literal).
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&e| e != ']') {
            let hi = chars[i + 2];
            if hi < c {
                return Err("Invalid range end".into());
            }
            literal(&mut class, c);
            class.push('-');
            literal(&mut class, hi);
            i += 3;
            continue;
        }
        literal(&mut class, c);
        i += 1;
    }
    class.push(']');
    out.push_str(&class);
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is(pat: &str, ext: bool, text: &str) -> bool {
        compile(pat, ext, false).unwrap().is_match(text.as_bytes())
    }

    #[test]
    fn basic_and_extended_translate() {
        assert_eq!(translate(r"a\(b\)*c\{2,3\}", false).unwrap(), "a(b)*c{2,3}");
        assert_eq!(
            translate("a+b?(c|d){x", false).unwrap(),
            r"a\+b\?\(c\|d\)\{x"
        );
        assert_eq!(translate("(a|b)+{2}", true).unwrap(), "(a|b)+{2}");
        assert_eq!(translate("*a^b$c$", false).unwrap(), r"\*a\^b\$c$");
        assert!(is("[]a]", false, "]"));
        assert!(is(r"[\]", false, "\\"));
        assert!(is("[[:digit:]-]x", false, "-x"));
        assert!(is("^[^a-c]", true, "d"));
        assert!(!is("^[^a-c]", true, "b"));
        assert!(is(r"\<foo\>", false, "a foo b"));
        assert!(translate(r"\(a\)\1", false).is_err());
        assert!(translate(r"\(a", false).is_err());
        assert!(translate("[a", true).is_err());
    }

    #[test]
    fn huge_patterns_are_refused() {
        let err = compile("(a{255}){255}", true, false).unwrap_err();
        assert_eq!(err, "Regular expression too big");
    }
}
