//! Docker's `filters` query parameter: parsing (moby's `filters.FromJSON`)
//! and the matching helpers (`ExactMatch`, `FuzzyMatch`, `MatchKVList`, ...).

use std::collections::hash_map::HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;

use serde_json::Value;

/// Parsed `filters` argument: each filter key maps to a set of values.
///
/// A key may be present with no values (e.g. `{"label":null}`); such a key
/// counts as present but never restricts any match, like Docker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    fields: BTreeMap<String, BTreeSet<String>>,
}

/// Error returned when a `filters` argument is malformed or not allowed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    /// The JSON is not in either accepted shape.
    #[error("invalid filter")]
    Malformed,
    /// The filter key is not supported by the endpoint.
    #[error("invalid filter '{0}'")]
    UnknownKey(String),
    /// The value is not valid for the filter key.
    #[error("invalid filter '{0}={1}'")]
    BadValue(String, String),
    /// A boolean filter key without a value.
    #[error("invalid filter '{0}'")]
    NoValue(String),
}

/// Interprets one JSON value of the current `{"k":{"v":true}}` form.
fn map_form_values(v: &Value) -> Option<BTreeSet<String>> {
    match v {
        Value::Null => Some(BTreeSet::new()),
        Value::Object(m) => m
            .iter()
            .map(|(k, b)| b.is_boolean().then(|| k.clone()))
            .collect(),
        _ => None,
    }
}

/// Interprets one JSON value of the legacy `{"k":["v"]}` form.
fn list_form_values(v: &Value) -> Option<BTreeSet<String>> {
    match v {
        Value::Null => Some(BTreeSet::new()),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Some(s.clone()),
                // Go leaves the element as "" when decoding null into a string.
                Value::Null => Some(String::new()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

impl Filters {
    /// Parses the raw `filters` query value and checks every key against
    /// `allowed_keys`.
    ///
    /// `None`, `""`, `"null"` and `"{}"` give empty filters. Both the
    /// current form `{"status":{"running":true}}` and the legacy form
    /// `{"status":["running"]}` are accepted (the whole document must use one
    /// form). As in Docker, the booleans of the map form are ignored: every
    /// map key is a value, even when mapped to `false`. Any other shape is
    /// [`FilterError::Malformed`]; a key not in `allowed_keys` is
    /// [`FilterError::UnknownKey`].
    pub fn parse(raw: Option<&str>, allowed_keys: &[&str]) -> Result<Filters, FilterError> {
        let filters = Filters::parse_any(raw)?;
        filters.check_keys(allowed_keys)?;
        Ok(filters)
    }

    /// Parses the raw `filters` value without checking its keys (the HTTP layer
    /// parses; each backend operation then calls [`Filters::check_keys`]).
    pub fn parse_any(raw: Option<&str>) -> Result<Filters, FilterError> {
        let raw = match raw {
            None | Some("") => return Ok(Filters::default()),
            Some(r) => r,
        };
        let doc: Value = serde_json::from_str(raw).map_err(|_| FilterError::Malformed)?;
        let obj = match doc {
            Value::Null => return Ok(Filters::default()),
            Value::Object(obj) => obj,
            _ => return Err(FilterError::Malformed),
        };
        let parse_with = |f: fn(&Value) -> Option<BTreeSet<String>>| {
            obj.iter()
                .map(|(k, v)| f(v).map(|set| (k.clone(), set)))
                .collect::<Option<BTreeMap<_, _>>>()
        };
        let fields = parse_with(map_form_values)
            .or_else(|| parse_with(list_form_values))
            .ok_or(FilterError::Malformed)?;
        Ok(Filters { fields })
    }

    /// Fails with [`FilterError::UnknownKey`] for the first key not in
    /// `allowed_keys`.
    pub fn check_keys(&self, allowed_keys: &[&str]) -> Result<(), FilterError> {
        match self
            .fields
            .keys()
            .find(|k| !allowed_keys.contains(&k.as_str()))
        {
            Some(bad) => Err(FilterError::UnknownKey(bad.clone())),
            None => Ok(()),
        }
    }

    /// Adds `value` under `key` (handy for building filters in code).
    pub fn add(&mut self, key: &str, value: &str) {
        self.fields
            .entry(key.to_string())
            .or_default()
            .insert(value.to_string());
    }

    /// Docker's JSON encoding, list form (`{"label":["a=b"]}`): what
    /// [`Filters::parse_any`] reads back to the same filters.
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .fields
            .iter()
            .map(|(k, vs)| {
                let list = vs.iter().cloned().map(serde_json::Value::String).collect();
                (k.clone(), serde_json::Value::Array(list))
            })
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// Returns true when no filter key is present.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Returns the number of filter keys present.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Returns true when `key` is present (even with no values).
    pub fn contains(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }

    /// Returns the values of `key` in sorted order (empty if absent).
    pub fn get(&self, key: &str) -> Vec<&str> {
        self.fields
            .get(key)
            .map(|set| set.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Iterates over the present keys in sorted order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.fields.keys().map(String::as_str)
    }

    fn values(&self, key: &str) -> Option<&BTreeSet<String>> {
        self.fields.get(key).filter(|set| !set.is_empty())
    }

    /// Docker's `ExactMatch`: true when `key` has no values or one of them
    /// equals `value`.
    pub fn exact_match(&self, key: &str, value: &str) -> bool {
        self.values(key).is_none_or(|set| set.contains(value))
    }

    /// Docker's `FuzzyMatch`: true when `key` has no values or one of them
    /// equals `value` or is a prefix of it.
    pub fn fuzzy_match(&self, key: &str, value: &str) -> bool {
        self.values(key)
            .is_none_or(|set| set.iter().any(|want| value.starts_with(want.as_str())))
    }

    /// Docker's `MatchKVList` over a label map: every filter value `k` needs
    /// label `k` to exist, every `k=v` needs label `k` to equal `v`, and
    /// every `k!=v` needs label `k` to be absent or different from `v`.
    /// True when `key` has no values.
    pub fn match_kv_list<S: BuildHasher>(
        &self,
        key: &str,
        labels: &HashMap<String, String, S>,
    ) -> bool {
        self.match_kv_with(key, |k| labels.get(k).map(String::as_str))
    }

    /// Like [`Filters::match_kv_list`] but looks labels up through `lookup`,
    /// so any label container (e.g. a `BTreeMap`) can be used.
    pub fn match_kv_with<'a, F>(&self, key: &str, lookup: F) -> bool
    where
        F: Fn(&str) -> Option<&'a str>,
    {
        let Some(set) = self.values(key) else {
            return true;
        };
        set.iter().all(|wanted| match wanted.split_once('=') {
            None => lookup(wanted).is_some(),
            Some((k, v)) => match k.strip_suffix('!') {
                Some(neg_key) => lookup(neg_key) != Some(v),
                None => lookup(k) == Some(v),
            },
        })
    }

    /// Docker's prune rule for labels (`matchLabels`): every `label` filter must
    /// match, and an object matching the `label!` filters is kept.
    pub fn match_prune_labels<S: BuildHasher>(&self, labels: &HashMap<String, String, S>) -> bool {
        self.match_kv_list("label", labels)
            && !(self.contains("label!") && self.match_kv_list("label!", labels))
    }

    /// Reads a boolean filter such as `dangling`, as moby's
    /// `GetBoolOrDefault`.
    ///
    /// Returns `Ok(None)` when absent, `Ok(Some(true))` when a value is `true`
    /// or `1`, `Ok(Some(false))` when one is `false` or `0` (case-sensitive;
    /// other values beside them are ignored, as Docker does). Neither, or
    /// both meanings, give `BadValue(key, "[v1 v2]")` (Go's `%s` of the sorted
    /// values); a key with no values gives `NoValue(key)`.
    pub fn bool_value(&self, key: &str) -> Result<Option<bool>, FilterError> {
        let Some(set) = self.fields.get(key) else {
            return Ok(None);
        };
        if set.is_empty() {
            return Err(FilterError::NoValue(key.to_string()));
        }
        let is_true = set.contains("true") || set.contains("1");
        let is_false = set.contains("false") || set.contains("0");
        if is_true == is_false {
            let values: Vec<&str> = set.iter().map(String::as_str).collect();
            return Err(FilterError::BadValue(
                key.to_string(),
                format!("[{}]", values.join(" ")),
            ));
        }
        Ok(Some(is_true))
    }

    /// Checks that every value of `key` is one of `allowed` (e.g. `status`
    /// must be `created`, `restarting`, `running`, `removing`, `paused`,
    /// `exited` or `dead`); the first offender gives `BadValue(key, value)`.
    pub fn validate_values(&self, key: &str, allowed: &[&str]) -> Result<(), FilterError> {
        match self
            .fields
            .get(key)
            .and_then(|set| set.iter().find(|v| !allowed.contains(&v.as_str())))
        {
            Some(bad) => Err(FilterError::BadValue(key.to_string(), bad.clone())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type BoolCase<'a> = (Option<&'a [&'a str]>, Result<Option<bool>, FilterError>);

    const KEYS: &[&str] = &["status", "label", "name", "dangling", "id"];

    fn filters(pairs: &[(&str, &[&str])]) -> Filters {
        let mut f = Filters::default();
        for (k, vs) in pairs {
            f.fields.entry(k.to_string()).or_default();
            for v in *vs {
                f.add(k, v);
            }
        }
        f
    }

    #[test]
    fn parse_table() {
        let cases: &[(Option<&str>, Result<Filters, FilterError>)] = &[
            (None, Ok(Filters::default())),
            (Some(""), Ok(Filters::default())),
            (Some("{}"), Ok(Filters::default())),
            (Some("null"), Ok(Filters::default())),
            (
                Some(r#"{"status":["running"]}"#),
                Ok(filters(&[("status", &["running"])])),
            ),
            (
                Some(r#"{"status":["running","paused"],"name":["a"]}"#),
                Ok(filters(&[
                    ("status", &["paused", "running"]),
                    ("name", &["a"]),
                ])),
            ),
            (
                Some(r#"{"status":{"running":true}}"#),
                Ok(filters(&[("status", &["running"])])),
            ),
            (
                Some(r#"{"label":{"a=b":true,"c":false}}"#),
                Ok(filters(&[("label", &["a=b", "c"])])),
            ),
            (Some(r#"{"label":null}"#), Ok(filters(&[("label", &[])]))),
            (Some(r#"{"label":[]}"#), Ok(filters(&[("label", &[])]))),
            (Some(r#"{"label":{}}"#), Ok(filters(&[("label", &[])]))),
            (
                Some(r#"{"label":[null]}"#),
                Ok(filters(&[("label", &[""])])),
            ),
            (
                Some(r#"{"status":["running"],"name":null}"#),
                Ok(filters(&[("status", &["running"]), ("name", &[])])),
            ),
            (Some("[]"), Err(FilterError::Malformed)),
            (Some("\"x\""), Err(FilterError::Malformed)),
            (Some("{"), Err(FilterError::Malformed)),
            (Some(" "), Err(FilterError::Malformed)),
            (Some("status=running"), Err(FilterError::Malformed)),
            (Some(r#"{"status":"running"}"#), Err(FilterError::Malformed)),
            (Some(r#"{"status":[1]}"#), Err(FilterError::Malformed)),
            (
                Some(r#"{"status":{"running":"yes"}}"#),
                Err(FilterError::Malformed),
            ),
            (
                Some(r#"{"status":["running"],"name":{"a":true}}"#),
                Err(FilterError::Malformed),
            ),
            (
                Some(r#"{"bogus":["x"]}"#),
                Err(FilterError::UnknownKey("bogus".into())),
            ),
            (
                Some(r#"{"status":["running"],"zzz":["x"],"aaa":["y"]}"#),
                Err(FilterError::UnknownKey("aaa".into())),
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(Filters::parse(*raw, KEYS), *want, "{raw:?}");
        }
    }

    #[test]
    fn error_messages() {
        assert_eq!(FilterError::Malformed.to_string(), "invalid filter");
        assert_eq!(
            FilterError::UnknownKey("foo".into()).to_string(),
            "invalid filter 'foo'"
        );
        assert_eq!(
            FilterError::BadValue("status".into(), "x".into()).to_string(),
            "invalid filter 'status=x'"
        );
    }

    #[test]
    fn accessors() {
        let f = filters(&[("status", &["running", "exited"]), ("label", &[])]);
        assert!(!f.is_empty());
        assert_eq!(f.len(), 2);
        assert!(f.contains("label"));
        assert!(!f.contains("name"));
        assert_eq!(f.get("status"), vec!["exited", "running"]);
        assert!(f.get("label").is_empty());
        assert!(f.get("name").is_empty());
        assert_eq!(f.keys().collect::<Vec<_>>(), vec!["label", "status"]);
        assert!(Filters::default().is_empty());
    }

    #[test]
    fn exact_and_fuzzy_match() {
        let f = filters(&[("name", &["web", "db"]), ("label", &[])]);
        let cases: &[(&str, &str, bool, bool)] = &[
            ("name", "web", true, true),
            ("name", "db", true, true),
            ("name", "web-1", false, true),
            ("name", "we", false, false),
            ("name", "api", false, false),
            ("name", "", false, false),
            ("id", "anything", true, true),
            ("label", "anything", true, true),
        ];
        for (key, value, exact, fuzzy) in cases {
            assert_eq!(f.exact_match(key, value), *exact, "exact {key}={value}");
            assert_eq!(f.fuzzy_match(key, value), *fuzzy, "fuzzy {key}={value}");
        }
    }

    #[test]
    fn match_kv_list_table() {
        let labels: HashMap<String, String> = [("app", "web"), ("tier", "front"), ("empty", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let none: HashMap<String, String> = HashMap::new();
        let cases: &[(&[&str], bool, bool)] = &[
            // (filter values, result with labels, result with no labels)
            (&[], true, true),
            (&["app"], true, false),
            (&["app=web"], true, false),
            (&["app=db"], false, false),
            (&["app", "tier=front"], true, false),
            (&["app", "tier=back"], false, false),
            (&["missing"], false, false),
            (&["empty="], true, false),
            (&["empty"], true, false),
            (&["app="], false, false),
            (&["app!=db"], true, true),
            (&["app!=web"], false, true),
            (&["missing!=x"], true, true),
            (&["app=web", "tier!=front"], false, false),
            (&["x=y=z"], false, false),
        ];
        for (values, with, without) in cases {
            let f = filters(&[("label", values)]);
            assert_eq!(f.match_kv_list("label", &labels), *with, "{values:?}");
            assert_eq!(
                f.match_kv_list("label", &none),
                *without,
                "{values:?} (no labels)"
            );
        }
        let mut eq = Filters::default();
        eq.add("label", "x=y=z");
        let tricky: BTreeMap<&str, &str> = [("x", "y=z")].into_iter().collect();
        assert!(eq.match_kv_with("label", |k| tricky.get(k).copied()));
        assert!(Filters::default().match_kv_list("label", &none));
    }

    #[test]
    fn bool_value_table() {
        let bad = |v: &str| Err(FilterError::BadValue("dangling".into(), v.into()));
        let cases: &[BoolCase] = &[
            (None, Ok(None)),
            (Some(&["true"]), Ok(Some(true))),
            (Some(&["1"]), Ok(Some(true))),
            (Some(&["false"]), Ok(Some(false))),
            (Some(&["0"]), Ok(Some(false))),
            (Some(&["true", "1"]), Ok(Some(true))),
            (Some(&["0", "false"]), Ok(Some(false))),
            (Some(&["true", "false"]), bad("[false true]")),
            (Some(&["1", "0"]), bad("[0 1]")),
            (Some(&["yes"]), bad("[yes]")),
            (Some(&["True"]), bad("[True]")),
            (Some(&["true", "maybe"]), Ok(Some(true))),
            (Some(&[]), Err(FilterError::NoValue("dangling".into()))),
        ];
        for (values, want) in cases {
            let f = match values {
                Some(vs) => filters(&[("dangling", vs)]),
                None => Filters::default(),
            };
            assert_eq!(f.bool_value("dangling"), *want, "{values:?}");
        }
    }

    #[test]
    fn validate_values_table() {
        const STATUSES: &[&str] = &[
            "created",
            "restarting",
            "running",
            "removing",
            "paused",
            "exited",
            "dead",
        ];
        let cases: &[(&[&str], Result<(), FilterError>)] = &[
            (&[], Ok(())),
            (&["running"], Ok(())),
            (&["running", "exited", "dead"], Ok(())),
            (
                &["stopped"],
                Err(FilterError::BadValue("status".into(), "stopped".into())),
            ),
            (
                &["running", "Running"],
                Err(FilterError::BadValue("status".into(), "Running".into())),
            ),
        ];
        for (values, want) in cases {
            let f = filters(&[("status", values)]);
            assert_eq!(f.validate_values("status", STATUSES), *want, "{values:?}");
        }
        assert_eq!(
            Filters::default().validate_values("status", STATUSES),
            Ok(())
        );
    }
}
