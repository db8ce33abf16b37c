//! [`Config`]: a container's `Config`, compact. What containers share (command,
//! working directory, image, defaults…) is one interned `ContainerConfig`;
//! what each has of its own — labels, env, hostname — is kept beside it as
//! interned strings. It reads like the `ContainerConfig` it stands for (it
//! dereferences to the shared part, whose `Labels`, `Env` and `Hostname` are
//! always `None`); [`Config::to_docker`] builds the whole one for inspect.

use std::collections::HashMap;
use std::sync::Arc;

use crate::intern::{self, Shared};
use sockerless_core::api::docker;

/// Labels as interned (key, value) pairs, sorted by key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels(Box<[(Arc<str>, Arc<str>)]>);

impl Labels {
    /// From a label map.
    pub(crate) fn from_map(map: HashMap<String, String>) -> Labels {
        let mut v: Vec<(Arc<str>, Arc<str>)> = map
            .iter()
            .map(|(k, v)| (intern::text(k), intern::text(v)))
            .collect();
        v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Labels(v.into_boxed_slice())
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .map(|i| &*self.0[i].1)
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The (key, value) pairs as stored (for `crate::prefetch`).
    pub(crate) fn pairs(&self) -> &[(Arc<str>, Arc<str>)] {
        &self.0
    }

    /// (key, value) pairs, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.0.iter().map(|(k, v)| (&**k, &**v))
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As Docker's map.
    pub fn to_map(&self) -> HashMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

/// A container's `Config`: the shared part plus its own labels, env and
/// hostname.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Everything else, shared by every container with the same.
    shared: Shared<docker::ContainerConfig>,
    /// `Labels` (`None` when the config had none).
    labels: Option<Labels>,
    /// `Env` entries.
    env: Option<Box<[Arc<str>]>>,
    /// `Hostname`.
    hostname: Option<Box<str>>,
}

impl Default for Config {
    fn default() -> Config {
        Config::new(docker::ContainerConfig::default())
    }
}

impl std::ops::Deref for Config {
    type Target = docker::ContainerConfig;
    /// The shared part: `Labels`, `Env` and `Hostname` are `None` there (see
    /// [`Config::labels`], [`Config::env`], [`Config::hostname`]).
    fn deref(&self) -> &docker::ContainerConfig {
        &self.shared
    }
}

impl Config {
    /// The compact form of `c`.
    pub fn new(mut c: docker::ContainerConfig) -> Config {
        let labels = c.labels.take().map(Labels::from_map);
        let env = c
            .env
            .take()
            .map(|e| e.iter().map(|s| intern::text(s)).collect());
        let hostname = c.hostname.take().map(String::into_boxed_str);
        Config {
            shared: Shared::new(c),
            labels,
            env,
            hostname,
        }
    }

    /// The labels.
    pub fn labels(&self) -> &Labels {
        static EMPTY: std::sync::OnceLock<Labels> = std::sync::OnceLock::new();
        self.labels
            .as_ref()
            .unwrap_or_else(|| EMPTY.get_or_init(Labels::default))
    }

    /// The `Env` entries.
    pub fn env(&self) -> impl Iterator<Item = &str> {
        self.env.iter().flat_map(|e| e.iter().map(|s| &**s))
    }

    /// The env entries as stored (for `crate::prefetch`).
    pub(crate) fn env_texts(&self) -> &[Arc<str>] {
        self.env.as_deref().unwrap_or_default()
    }

    /// `Hostname`.
    pub fn hostname(&self) -> Option<&str> {
        self.hostname.as_deref()
    }

    /// The whole `ContainerConfig`.
    pub fn to_docker(&self) -> docker::ContainerConfig {
        let mut c = (*self.shared).clone();
        c.labels = self.labels.as_ref().map(Labels::to_map);
        c.env = self
            .env
            .as_ref()
            .map(|e| e.iter().map(|s| s.to_string()).collect());
        c.hostname = self.hostname.as_deref().map(str::to_string);
        c
    }
}

impl serde::Serialize for Config {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_docker().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Config {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        docker::ContainerConfig::deserialize(d).map(Config::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_shares() {
        let json = r#"{"Hostname":"h1","Env":["A=1","B=2"],"Cmd":["sh"],"Image":"alpine","Labels":{"b":"2","a":"1"}}"#;
        let d: docker::ContainerConfig = serde_json::from_str(json).unwrap();
        let c = Config::new(d.clone());
        assert_eq!(c.to_docker(), d);
        assert_eq!(c.labels().get("a"), Some("1"));
        assert_eq!(c.labels().get("c"), None);
        assert_eq!(c.env().collect::<Vec<_>>(), ["A=1", "B=2"]);
        assert_eq!(c.hostname(), Some("h1"));
        assert!(c.labels.is_some() && c.cmd.is_some() && c.shared.labels.is_none());
        let mut other = d.clone();
        other.hostname = Some("h2".into());
        other.env = Some(vec!["A=3".into()]);
        let c2 = Config::new(other);
        assert!(std::ptr::eq(&*c.shared, &*c2.shared), "the rest is shared");
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::to_value(&d).unwrap()
        );
        let none = Config::new(docker::ContainerConfig::default());
        assert!(none.labels().is_empty() && none.to_docker().labels.is_none());
    }
}
