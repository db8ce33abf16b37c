//! Docker's request rules (moby `httputils`): booleans (`"" 0 no false none`
//! are false, anything else true), empty values as absent, integers with Go's
//! error words, `filters` in both forms, and JSON bodies that need
//! `Content-Type: application/json` only when non-empty.
//!
//! ```
//! use sockerless_docker::request::Query;
//! let q = Query::parse(Some("stream=False&all=1&platform=&tail=all")).unwrap();
//! assert!(!q.bool("stream"));
//! assert!(q.bool("all"));
//! assert_eq!(q.get("platform"), None);
//! assert_eq!(q.get("tail"), Some("all"));
//! ```

use sockerless_core::api::Filters;
use sockerless_core::docker::query as q;
use sockerless_core::error::{Error, Result};

/// The decoded `key=value` pairs of a query string.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

/// Docker's `httputils.BoolValue`: trimmed and lowercased, `"" 0 no false none`
/// are false, anything else is true.
pub fn bool_value(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    !matches!(v.as_str(), "" | "0" | "no" | "false" | "none")
}

impl Query {
    /// Parses a raw query string (`None` = no query); a malformed escape is 400.
    pub fn parse(raw: Option<&str>) -> Result<Query> {
        let pairs = q::parse_query(raw).map_err(|e| Error::bad_request(e.to_string()))?;
        Ok(Query { pairs })
    }

    /// The first value of `key` (Go's `Form.Get`); an empty value is absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Every non-empty value of a repeatable `key` (`names=a&names=b`).
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// [`Query::get`] as an owned string.
    pub fn string(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }

    /// A boolean by Docker's rules; absent (or empty) is false.
    pub fn bool(&self, key: &str) -> bool {
        self.get(key).is_some_and(bool_value)
    }

    /// A boolean by Docker's rules; absent (or empty) is `default`
    /// (`stats?stream` defaults to true).
    pub fn bool_or(&self, key: &str, default: bool) -> bool {
        self.get(key).map_or(default, bool_value)
    }

    /// An integer (Go's `strconv.Atoi`); absent or empty is `None`, anything
    /// else that is not a number is 400 with Go's words.
    pub fn int(&self, key: &str) -> Result<Option<i64>> {
        self.get(key).map(atoi).transpose()
    }

    /// Docker's `filters` JSON, legacy map form or list form, passed through
    /// (each backend operation checks the keys it knows).
    pub fn filters(&self) -> Result<Filters> {
        Filters::parse_any(self.get("filters")).map_err(|e| Error::bad_request(e.to_string()))
    }
}

/// Go's `strconv.Atoi` with its error text.
pub fn atoi(v: &str) -> Result<i64> {
    v.parse::<i64>().map_err(|e| {
        let why = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "value out of range"
            }
            _ => "invalid syntax",
        };
        Error::bad_request(format!("strconv.Atoi: parsing {v:?}: {why}"))
    })
}

pub use sockerless_http::json::{check_json_content_type, parse_json};

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::CONTENT_TYPE;

    #[test]
    fn docker_booleans() {
        for v in ["", "0", "no", "false", "none", " False ", "NO", "None"] {
            assert!(!bool_value(v), "{v:?}");
        }
        for v in ["1", "true", "True", "yes", "anything", "2"] {
            assert!(bool_value(v), "{v:?}");
        }
    }

    #[test]
    fn empty_values_are_absent() {
        let q = Query::parse(Some("since=0&until=&stream=&names=a&names=&names=b")).unwrap();
        assert_eq!(q.get("since"), Some("0"));
        assert_eq!(q.get("until"), None);
        assert!(q.bool_or("stream", true));
        assert!(!q.bool_or("stream2", false));
        assert_eq!(q.all("names"), ["a", "b"]);
    }

    #[test]
    fn first_value_wins() {
        let q = Query::parse(Some("t=1&t=2")).unwrap();
        assert_eq!(q.int("t").unwrap(), Some(1));
    }

    #[test]
    fn ints_with_go_words() {
        let q = Query::parse(Some("h=x&w=99999999999999999999&t=-3")).unwrap();
        assert_eq!(
            q.int("h").unwrap_err().to_string(),
            "strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            q.int("w").unwrap_err().to_string(),
            "strconv.Atoi: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(q.int("t").unwrap(), Some(-3));
        assert_eq!(q.int("nope").unwrap(), None);
    }

    #[test]
    fn filters_both_forms() {
        let legacy = Query::parse(Some(
            "filters=%7B%22status%22%3A%7B%22exited%22%3Atrue%7D%7D",
        ))
        .unwrap();
        assert_eq!(legacy.filters().unwrap().get("status"), ["exited"]);
        let list = Query::parse(Some("filters=%7B%22status%22%3A%5B%22exited%22%5D%7D")).unwrap();
        assert_eq!(list.filters().unwrap().get("status"), ["exited"]);
        let bad = Query::parse(Some("filters=nope")).unwrap();
        assert_eq!(bad.filters().unwrap_err().status(), 400);
    }

    #[test]
    fn json_bodies() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct B {
            #[serde(rename = "Cmd")]
            cmd: Vec<String>,
        }
        let mut h = http::HeaderMap::new();
        assert_eq!(parse_json::<B>(&h, b"").unwrap(), None);
        assert_eq!(parse_json::<B>(&h, b"  \n").unwrap(), None);
        assert_eq!(
            parse_json::<B>(&h, b"{}").unwrap_err().to_string(),
            "unsupported Content-Type header (): must be 'application/json'"
        );
        h.insert(CONTENT_TYPE, http::HeaderValue::from_static("text/plain"));
        assert_eq!(
            parse_json::<B>(&h, b"{}").unwrap_err().to_string(),
            "unsupported Content-Type header (text/plain): must be 'application/json'"
        );
        h.insert(
            CONTENT_TYPE,
            http::HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert_eq!(
            parse_json::<B>(&h, br#"{"Cmd":"ls","Other":1}"#).unwrap(),
            Some(B {
                cmd: vec!["ls".into()]
            })
        );
        assert!(parse_json::<B>(&h, b"{")
            .unwrap_err()
            .to_string()
            .starts_with("invalid JSON"));
    }
}
