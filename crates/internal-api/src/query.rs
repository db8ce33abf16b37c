//! A request's query string, parsed once, with typed getters that answer 400 for
//! bad values (`all=maybe`, `limit=x`, bad `filters` JSON).

use sockerless_core::api::Filters;
use sockerless_core::docker::query as q;
use sockerless_core::error::{Error, Result};

/// The decoded `key=value` pairs of a query string.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a raw query string (`None` = no query).
    pub(crate) fn parse(raw: Option<&str>) -> Result<Query> {
        let pairs = q::parse_query(raw).map_err(|e| Error::bad_request(e.to_string()))?;
        Ok(Query { pairs })
    }

    /// The last value given for `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `key`, in order.
    pub(crate) fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The value of `key` as an owned string, if present.
    pub(crate) fn string(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }

    /// The value of `key` if present and non-empty.
    pub(crate) fn non_empty(&self, key: &str) -> Option<String> {
        self.get(key).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// A boolean (`1/0/true/false`); absent is `default`.
    pub(crate) fn bool_or(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => q::parse_bool(key, v).map_err(|e| Error::bad_request(e.to_string())),
        }
    }

    /// A boolean; absent is false.
    pub(crate) fn bool(&self, key: &str) -> Result<bool> {
        self.bool_or(key, false)
    }

    /// An integer, if present and non-empty.
    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => q::parse_int(key, v)
                .map(Some)
                .map_err(|e| Error::bad_request(e.to_string())),
        }
    }

    /// Docker's `filters` JSON (any keys; each backend checks the keys it knows).
    pub(crate) fn filters(&self) -> Result<Filters> {
        Filters::parse_any(self.get("filters")).map_err(|e| Error::bad_request(e.to_string()))
    }
}
