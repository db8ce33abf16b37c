//! JSON request bodies as Docker reads them (its `httputils.ReadJSON` and
//! `CheckForJSON`), shared by every frontend: an empty body is the zero value,
//! a non-empty one needs `Content-Type: application/json` and must parse, and
//! `Cmd`, `Entrypoint` and `Shell` may be a string or an array.
//!
//! ```
//! use sockerless_http::json::parse_json_value;
//! let mut headers = http::HeaderMap::new();
//! assert_eq!(parse_json_value(&headers, b"  ").unwrap(), None);
//! let err = parse_json_value(&headers, b"{}").unwrap_err();
//! assert_eq!(err.to_string(), "malformed Content-Type header (): mime: no media type");
//! headers.insert("content-type", "text/plain".parse().unwrap());
//! let err = parse_json_value(&headers, b"{}").unwrap_err();
//! assert_eq!(err.to_string(), "unsupported Content-Type header (text/plain): must be 'application/json'");
//! headers.insert("content-type", "application/json; charset=utf-8".parse().unwrap());
//! assert_eq!(parse_json_value(&headers, b"{}").unwrap(), Some(serde_json::json!({})));
//! // Syntax errors in Go's words, as Docker's decoder writes them.
//! let words = |body: &[u8]| parse_json_value(&headers, body).unwrap_err().to_string();
//! assert_eq!(words(b"{\"Image\":\"alp"), "invalid JSON: unexpected EOF");
//! assert_eq!(words(b"{nope}"), "invalid JSON: invalid character 'n' looking for beginning of object key string");
//! assert_eq!(words(b"{\"a\":\n x}"), "invalid JSON: invalid character 'x' looking for beginning of value");
//! assert_eq!(words(b"{} x"), "invalid JSON: invalid character 'x' after top-level value");
//! ```

use http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sockerless_core::error::{Error, Result};

/// A non-empty body needs `Content-Type: application/json` (parameters such
/// as `charset` allowed); 400 in Docker's words otherwise.
pub fn check_json_content_type(headers: &http::HeaderMap) -> Result<()> {
    let ct = headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    if ct.trim().is_empty() {
        // Go's `mime.ParseMediaType("")`, wrapped as moby's `CheckForJSON` does.
        return Err(Error::bad_request(
            "malformed Content-Type header (): mime: no media type",
        ));
    }
    let media = ct.split(';').next().unwrap_or("").trim();
    if media.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "unsupported Content-Type header ({ct}): must be 'application/json'"
        )))
    }
}

/// A body as a JSON value: `None` when empty (or all white space); 400 for a
/// wrong content type, invalid JSON or trailing content.
pub fn parse_json_value(headers: &http::HeaderMap, bytes: &[u8]) -> Result<Option<Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    check_json_content_type(headers)?;
    serde_json::from_slice(bytes)
        .map(Some)
        .map_err(|e| Error::bad_request(format!("invalid JSON: {}", go_words(&e, bytes))))
}

/// A syntax error in the words of Go's `encoding/json` for the common cases
/// (a truncated body, a bad character where a value, an object key or the end
/// was expected); serde's own words otherwise.
fn go_words(e: &serde_json::Error, bytes: &[u8]) -> String {
    use serde_json::error::Category;
    if e.classify() == Category::Eof {
        return "unexpected EOF".into();
    }
    let text = e.to_string();
    let context = if text.starts_with("key must be a string") {
        "looking for beginning of object key string"
    } else if text.starts_with("expected value") {
        "looking for beginning of value"
    } else if text.starts_with("trailing characters") {
        "after top-level value"
    } else {
        return text;
    };
    // serde counts lines and columns (bytes) from 1.
    let line_start: usize = bytes
        .split(|b| *b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    let at = line_start + e.column().saturating_sub(1);
    match bytes.get(at) {
        Some(c) if c.is_ascii_graphic() && *c != b'\'' => {
            format!("invalid character '{}' {context}", char::from(*c))
        }
        _ => text,
    }
}

/// Docker accepts `Cmd`, `Entrypoint` and `Shell` as a string or an array:
/// a string becomes a one-element array.
pub fn normalise_str_slices(v: &mut Value) {
    let Some(obj) = v.as_object_mut() else {
        return;
    };
    for key in ["Cmd", "Entrypoint", "Shell"] {
        if let Some(slot) = obj.get_mut(key) {
            if let Value::String(s) = slot {
                *slot = Value::Array(vec![Value::String(std::mem::take(s))]);
            }
        }
    }
}

/// A JSON value as `T`, after [`normalise_str_slices`]; 400 `invalid JSON: …`
/// when it does not fit. Unknown fields are ignored, as Go does.
pub fn typed<T: DeserializeOwned>(mut value: Value) -> Result<T> {
    normalise_str_slices(&mut value);
    serde_json::from_value(value).map_err(|e| Error::bad_request(format!("invalid JSON: {e}")))
}

/// [`parse_json_value`] then [`typed`].
pub fn parse_json<T: DeserializeOwned>(
    headers: &http::HeaderMap,
    bytes: &[u8],
) -> Result<Option<T>> {
    parse_json_value(headers, bytes)?.map(typed).transpose()
}
