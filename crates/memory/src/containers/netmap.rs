//! [`NetMap`]: a container's networks by name, as a vector sorted by name. A
//! container joins one or two networks; a `BTreeMap` would allocate a node of
//! eleven `EndpointSettings` (4.6 KB) for the first one. Same order, same
//! methods, same JSON object as the map it replaces.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use sockerless_core::api::docker;

/// Networks by name, in name order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NetMap {
    entries: Vec<(String, docker::EndpointSettings)>,
}

impl NetMap {
    /// An empty map (no allocation).
    pub fn new() -> Self {
        NetMap::default()
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    /// The settings on network `name`.
    pub fn get(&self, name: &str) -> Option<&docker::EndpointSettings> {
        self.find(name).ok().map(|i| &self.entries[i].1)
    }

    /// The settings on network `name`, to change.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut docker::EndpointSettings> {
        self.find(name).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether it is on network `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Adds or replaces; returns the replaced settings.
    pub fn insert(
        &mut self,
        name: String,
        settings: docker::EndpointSettings,
    ) -> Option<docker::EndpointSettings> {
        match self.find(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, settings)),
            Err(i) => {
                self.entries.insert(i, (name, settings));
                self.entries.shrink_to_fit();
                None
            }
        }
    }

    /// Removes network `name`.
    pub fn remove(&mut self, name: &str) -> Option<docker::EndpointSettings> {
        let i = self.find(name).ok()?;
        let (_, v) = self.entries.remove(i);
        self.entries.shrink_to_fit();
        Some(v)
    }

    /// Keeps the entries for which `f` holds.
    pub fn retain(&mut self, mut f: impl FnMut(&String, &mut docker::EndpointSettings) -> bool) {
        self.entries.retain_mut(|(k, v)| f(k, v));
    }

    /// (name, settings) in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &docker::EndpointSettings)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// (name, settings) in name order, to change.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&String, &mut docker::EndpointSettings)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// Names in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Settings in name order.
    pub fn values(&self) -> impl Iterator<Item = &docker::EndpointSettings> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Number of networks.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it is on no network.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a NetMap {
    type Item = (&'a String, &'a docker::EndpointSettings);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, docker::EndpointSettings)>,
        fn(&'a (String, docker::EndpointSettings)) -> (&'a String, &'a docker::EndpointSettings),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl IntoIterator for NetMap {
    type Item = (String, docker::EndpointSettings);
    type IntoIter = std::vec::IntoIter<(String, docker::EndpointSettings)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl std::ops::Index<&str> for NetMap {
    type Output = docker::EndpointSettings;
    fn index(&self, name: &str) -> &docker::EndpointSettings {
        match self.get(name) {
            Some(v) => v,
            None => panic!("no network {name}"),
        }
    }
}

impl Serialize for NetMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for NetMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NetMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of network names to endpoint settings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<NetMap, A::Error> {
                let mut m = NetMap::new();
                while let Some((k, v)) = a.next_entry::<String, docker::EndpointSettings>()? {
                    m.insert(k, v);
                }
                Ok(m)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_like_a_btreemap_and_the_same_json() {
        let mut m = NetMap::new();
        let s = |id: &str| docker::EndpointSettings {
            network_id: Some(id.into()),
            ..Default::default()
        };
        assert!(m.insert("web".into(), s("1")).is_none());
        assert!(m.insert("app".into(), s("2")).is_none());
        assert!(m.insert("db".into(), s("3")).is_none());
        assert_eq!(m.insert("db".into(), s("4")), Some(s("3")));
        assert_eq!(
            m.keys().map(String::as_str).collect::<Vec<_>>(),
            ["app", "db", "web"]
        );
        let b: std::collections::BTreeMap<String, docker::EndpointSettings> =
            m.clone().into_iter().collect();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, serde_json::to_string(&b).unwrap());
        assert_eq!(serde_json::from_str::<NetMap>(&json).unwrap(), m);
        assert_eq!(m.remove("db"), Some(s("4")));
        assert!(!m.contains_key("db"));
        m.retain(|k, _| k != "app");
        assert_eq!(m.len(), 1);
        assert_eq!(m["web"].network_id.as_deref(), Some("1"));
    }
}
