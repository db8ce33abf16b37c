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

use serde::de::DeserializeOwned;
use serde_json::Value;
use sockerless_core::api::Filters;
use sockerless_core::docker::query as q;
use sockerless_core::error::{Error, Result};
use sockerless_http::json::{normalise_str_slices, parse_json_value};

use crate::gojson;

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

pub use sockerless_http::json::check_json_content_type;

/// A JSON body by Docker's rules ([`sockerless_http::json::parse_json_value`]:
/// empty is `None`, a non-empty body needs `application/json` and must parse).
/// Every Docker body is a Go struct: `null` leaves it zero (`None` here), and
/// an array, number, string or boolean is 400, as Go's decoder refuses them —
/// without this, serde would fill a struct from an array in field order
/// (`[true]` on exec start meant `Detach: true`).
pub fn parse_json<T: DeserializeOwned>(
    headers: &http::HeaderMap,
    bytes: &[u8],
) -> Result<Option<T>> {
    parse_json_prepared(headers, bytes, |_| ())
}

/// As [`parse_json`], with `prepare` applied to the JSON object before it is
/// decoded (to take out what the typed body cannot hold, checked after).
pub fn parse_json_prepared<T: DeserializeOwned>(
    headers: &http::HeaderMap,
    bytes: &[u8],
    prepare: impl FnOnce(&mut Value),
) -> Result<Option<T>> {
    let Some(mut value) = parse_json_value(headers, bytes)? else {
        return Ok(None);
    };
    let kind = match &value {
        Value::Null => return Ok(None),
        Value::Object(_) => {
            prepare(&mut value);
            return typed(value).map(Some);
        }
        Value::Array(_) => "array",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
    };
    let name = match short_type_name::<T>() {
        // The Go type Docker decodes a create body into.
        "ContainerCreateBody" => "runconfig.ContainerConfigWrapper",
        other => other,
    };
    Err(Error::bad_request(format!(
        "invalid JSON: json: cannot unmarshal {kind} into Go value of type {name}"
    )))
}

/// A JSON object as the body type `T` (after
/// [`normalise_str_slices`]); 400 `invalid JSON: …` when it does not fit, in
/// Go's words for a field of the wrong type (see [`gojson`]), else serde's.
/// Unknown fields are ignored, as Go does.
pub fn typed<T: DeserializeOwned>(mut value: Value) -> Result<T> {
    normalise_str_slices(&mut value);
    T::deserialize(&value).map_err(|e| {
        let words = gojson::go_struct_of(short_type_name::<T>())
            .and_then(|go| gojson::type_error(&value, go))
            .unwrap_or_else(|| e.to_string());
        Error::bad_request(format!("invalid JSON: {words}"))
    })
}

/// `T`'s name without its module path.
fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

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
            "malformed Content-Type header (): mime: no media type"
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
        // A struct is an object; `null` is the empty body.
        assert_eq!(parse_json::<B>(&h, b"null").unwrap(), None);
        for (body, kind) in [
            (&b"[]"[..], "array"),
            (b"[[\"ls\"]]", "array"),
            (b"5", "number"),
            (b"\"ls\"", "string"),
            (b"true", "bool"),
        ] {
            let err = parse_json::<B>(&h, body).unwrap_err();
            assert_eq!(err.status(), 400);
            assert_eq!(
                err.to_string(),
                format!("invalid JSON: json: cannot unmarshal {kind} into Go value of type B")
            );
        }
    }
}
