//! Query-string helpers for the Docker API: `application/x-www-form-urlencoded`
//! decoding and strict boolean/integer parameter parsing.

/// Error produced while decoding a query string or one of its values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A value is not an accepted boolean.
    #[error("invalid boolean value for {key}: {value}")]
    InvalidBool {
        /// Parameter name.
        key: String,
        /// Offending value.
        value: String,
    },
    /// A value is not a valid 64-bit signed integer.
    #[error("invalid value for {key}: {value}")]
    InvalidInt {
        /// Parameter name.
        key: String,
        /// Offending value.
        value: String,
    },
    /// A `%` escape is malformed (Go's `url.ParseQuery` wording).
    #[error("invalid URL escape \"{escape}\"")]
    InvalidEscape {
        /// The malformed escape, e.g. `%zz` or a trailing `%`.
        escape: String,
    },
    /// A pair contains `;`, which Go (and so Docker) rejects as a separator.
    #[error("invalid semicolon separator in query")]
    InvalidSemicolon,
    /// A key or value decodes to bytes that are not valid UTF-8.
    #[error("invalid UTF-8 in query parameter {key}")]
    InvalidUtf8 {
        /// Parameter name (lossily decoded if the key itself is invalid).
        key: String,
    },
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes one form component, turning `+` into a space.
fn decode_component(raw: &str) -> Result<Vec<u8>, QueryError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 3;
                    }
                    _ => {
                        let end = (i + 3).min(bytes.len());
                        let escape = String::from_utf8_lossy(&bytes[i..end]).into_owned();
                        return Err(QueryError::InvalidEscape { escape });
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Parses a raw query string (without the leading `?`) into ordered
/// key/value pairs, like Go's `url.ParseQuery`.
///
/// Pairs are separated by `&`; empty segments are skipped; a segment without
/// `=` yields an empty value; a `;` anywhere in a pair is an error (as in
/// Go ≥ 1.17). `+` decodes to a space and `%XX` escapes are
/// decoded. Malformed escapes and keys or values that are not valid UTF-8
/// after decoding are errors. `None` yields no pairs.
pub fn parse_query(q: Option<&str>) -> Result<Vec<(String, String)>, QueryError> {
    let Some(q) = q else {
        return Ok(Vec::new());
    };
    let mut pairs = Vec::new();
    for segment in q.split('&').filter(|s| !s.is_empty()) {
        if segment.contains(';') {
            return Err(QueryError::InvalidSemicolon);
        }
        let (raw_key, raw_value) = segment.split_once('=').unwrap_or((segment, ""));
        let key_bytes = decode_component(raw_key)?;
        let key = String::from_utf8(key_bytes).map_err(|e| QueryError::InvalidUtf8 {
            key: String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })?;
        let value = String::from_utf8(decode_component(raw_value)?)
            .map_err(|_| QueryError::InvalidUtf8 { key: key.clone() })?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// Returns the first value for `key`, like Go's `url.Values.Get`.
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Returns every value for `key` in order of appearance.
pub fn get_all<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Parses a boolean query parameter strictly: `1`/`true`/`yes` are true,
/// `0`/`false`/`no` and the empty string are false (case-insensitive).
///
/// This is stricter than Docker's `BoolValue`, which treats anything other
/// than `""`, `0`, `no`, `false` and `none` as true.
pub fn parse_bool(key: &str, v: &str) -> Result<bool, QueryError> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "" | "0" | "false" | "no" => Ok(false),
        _ => Err(QueryError::InvalidBool {
            key: key.to_string(),
            value: v.to_string(),
        }),
    }
}

/// Parses a signed 64-bit integer query parameter (optional leading `+`/`-`,
/// decimal digits only).
pub fn parse_int(key: &str, v: &str) -> Result<i64, QueryError> {
    v.parse::<i64>().map_err(|_| QueryError::InvalidInt {
        key: key.to_string(),
        value: v.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type QueryCase<'a> = (Option<&'a str>, &'a [(&'a str, &'a str)]);

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parse_query_ok_table() {
        let cases: &[QueryCase] = &[
            (None, &[]),
            (Some(""), &[]),
            (Some("&&"), &[]),
            (Some("all=1"), &[("all", "1")]),
            (Some("all"), &[("all", "")]),
            (Some("all="), &[("all", "")]),
            (Some("=x"), &[("", "x")]),
            (Some("a=1&b=2&a=3"), &[("a", "1"), ("b", "2"), ("a", "3")]),
            (Some("name=hello+world"), &[("name", "hello world")]),
            (Some("name=hello%20world%2B"), &[("name", "hello world+")]),
            (Some("k%3Dx=v%26y"), &[("k=x", "v&y")]),
            (Some("a=b=c"), &[("a", "b=c")]),
            (Some("a=1&b=%3B"), &[("a", "1"), ("b", ";")]),
            (Some("n=caf%C3%A9"), &[("n", "caf\u{e9}")]),
            (Some("n=%e2%82%ac"), &[("n", "\u{20ac}")]),
            (
                Some("filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"),
                &[("filters", "{\"label\":[\"a=b\"]}")],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_query(*input), Ok(owned(want)), "{input:?}");
        }
    }

    #[test]
    fn parse_query_err_table() {
        let cases: &[(&str, QueryError)] = &[
            (
                "a=%zz",
                QueryError::InvalidEscape {
                    escape: "%zz".into(),
                },
            ),
            ("a=%", QueryError::InvalidEscape { escape: "%".into() }),
            (
                "a=%4",
                QueryError::InvalidEscape {
                    escape: "%4".into(),
                },
            ),
            (
                "%g1=x",
                QueryError::InvalidEscape {
                    escape: "%g1".into(),
                },
            ),
            ("a=1;b=2", QueryError::InvalidSemicolon),
            ("name=%ff", QueryError::InvalidUtf8 { key: "name".into() }),
            (
                "n%C3=x",
                QueryError::InvalidUtf8 {
                    key: "n\u{fffd}".into(),
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_query(Some(input)).as_ref(), Err(want), "{input:?}");
        }
    }

    #[test]
    fn get_helpers() {
        let pairs = owned(&[("a", "1"), ("b", "2"), ("a", "3")]);
        assert_eq!(get(&pairs, "a"), Some("1"));
        assert_eq!(get(&pairs, "c"), None);
        assert_eq!(get_all(&pairs, "a"), vec!["1", "3"]);
        assert!(get_all(&pairs, "c").is_empty());
    }

    #[test]
    fn parse_bool_table() {
        let cases: &[(&str, Option<bool>)] = &[
            ("1", Some(true)),
            ("0", Some(false)),
            ("true", Some(true)),
            ("false", Some(false)),
            ("True", Some(true)),
            ("FALSE", Some(false)),
            ("yes", Some(true)),
            ("No", Some(false)),
            ("", Some(false)),
            ("2", None),
            ("none", None),
            (" true", None),
            ("t", None),
        ];
        for (v, want) in cases {
            let got = parse_bool("all", v);
            match want {
                Some(b) => assert_eq!(got, Ok(*b), "{v:?}"),
                None => assert_eq!(
                    got.map_err(|e| e.to_string()),
                    Err(format!("invalid boolean value for all: {v}")),
                    "{v:?}"
                ),
            }
        }
    }

    #[test]
    fn parse_int_table() {
        let cases: &[(&str, Option<i64>)] = &[
            ("0", Some(0)),
            ("10", Some(10)),
            ("-1", Some(-1)),
            ("+5", Some(5)),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("", None),
            ("1.5", None),
            ("abc", None),
            (" 1", None),
        ];
        for (v, want) in cases {
            let got = parse_int("limit", v);
            match want {
                Some(n) => assert_eq!(got, Ok(*n), "{v:?}"),
                None => assert_eq!(
                    got.map_err(|e| e.to_string()),
                    Err(format!("invalid value for limit: {v}")),
                    "{v:?}"
                ),
            }
        }
    }
}
