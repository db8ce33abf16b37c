//! [`NetMap`]: a container's networks by name, as a vector sorted by name,
//! each network's `EndpointSettings` stored as its compact JSON (one
//! allocation of ~300 bytes instead of a 392-byte struct and a dozen strings
//! behind it: network and endpoint IDs, aliases, DNS names). A container joins
//! one or two networks; a `BTreeMap` would allocate a node of eleven entries
//! for the first one. Read back whole ([`NetMap::get`], [`NetMap::iter`]) or
//! changed with [`NetMap::update`]; the same order and the same JSON object as
//! the `BTreeMap<String, EndpointSettings>` it replaces.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::intern;
use sockerless_core::api::docker;
use sockerless_core::json_write;

/// One network's `EndpointSettings`, as compact JSON (opaque), with its
/// `NetworkID` beside it, interned (every container on the network shares
/// it): membership events, detaching, releasing addresses and renames need
/// the ID alone, and reading it out of the JSON cost ~3.6 k instructions.
#[derive(Clone, PartialEq, Eq)]
pub struct Stored {
    json: Box<str>,
    network_id: Option<Arc<str>>,
}

impl Stored {
    fn new(s: &docker::EndpointSettings) -> Stored {
        Stored {
            json: json_write::to_string(s)
                .unwrap_or_else(|_| "{}".into())
                .into_boxed_str(),
            network_id: s.network_id.as_deref().map(intern::text),
        }
    }

    fn get(&self) -> docker::EndpointSettings {
        serde_json::from_str(&self.json).unwrap_or_default()
    }
}

/// A network's name (interned: every container on it holds one copy) and
/// settings.
pub type Entry = (Arc<str>, Stored);

/// Networks by name, in name order.
#[derive(Clone, Default)]
pub struct NetMap {
    entries: Vec<Entry>,
}

/// (name, settings), read back.
fn decode(e: &Entry) -> (&str, docker::EndpointSettings) {
    (&e.0, e.1.get())
}

impl NetMap {
    /// The entries as stored (for `crate::prefetch`).
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Each network's name and stored settings text.
    pub(crate) fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(name, s)| (&**name, &*s.json))
    }

    /// An empty map (no allocation).
    pub fn new() -> Self {
        NetMap::default()
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| (**k).cmp(name))
    }

    /// The settings on network `name`.
    pub fn get(&self, name: &str) -> Option<docker::EndpointSettings> {
        self.find(name).ok().map(|i| self.entries[i].1.get())
    }

    /// Changes the settings on network `name` with `f`; `None` when it is not
    /// on that network.
    pub fn update<R>(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut docker::EndpointSettings) -> R,
    ) -> Option<R> {
        let i = self.find(name).ok()?;
        let mut s = self.entries[i].1.get();
        let r = f(&mut s);
        self.entries[i].1 = Stored::new(&s);
        Some(r)
    }

    /// Whether it is on network `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Adds or replaces (the replaced settings are not read back: whoever
    /// needs them has them from [`NetMap::get`]).
    pub fn insert(&mut self, name: &str, settings: &docker::EndpointSettings) {
        let stored = Stored::new(settings);
        match self.find(name) {
            Ok(i) => self.entries[i].1 = stored,
            Err(i) => {
                self.entries.insert(i, (intern::text(name), stored));
                self.entries.shrink_to_fit();
            }
        }
    }

    /// Removes network `name`; false when it was not on it.
    pub fn remove(&mut self, name: &str) -> bool {
        let Ok(i) = self.find(name) else {
            return false;
        };
        self.entries.remove(i);
        self.entries.shrink_to_fit();
        true
    }

    /// Keeps the entries for which `f` holds.
    pub fn retain(&mut self, mut f: impl FnMut(&str, &docker::EndpointSettings) -> bool) {
        self.entries.retain(|(k, v)| f(k, &v.get()));
    }

    /// (name, settings) in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, docker::EndpointSettings)> {
        self.entries.iter().map(decode)
    }

    /// Names in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| &**k)
    }

    /// Settings in name order.
    pub fn values(&self) -> impl Iterator<Item = docker::EndpointSettings> + '_ {
        self.entries.iter().map(|(_, v)| v.get())
    }

    /// The network IDs, in name order.
    pub fn network_ids(&self) -> Vec<String> {
        self.ids()
            .filter_map(|(_, id)| id.map(str::to_string))
            .collect()
    }

    /// (name, network ID) in name order, without decoding the rest.
    pub fn ids(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.entries
            .iter()
            .map(|(k, v)| (&**k, v.network_id.as_deref()))
    }

    /// As Docker's map (`NetworkSettings.Networks`).
    pub fn to_map(&self) -> HashMap<String, docker::EndpointSettings> {
        self.iter().map(|(k, v)| (k.to_string(), v)).collect()
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
    type Item = (&'a str, docker::EndpointSettings);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, Entry>,
        fn(&'a Entry) -> (&'a str, docker::EndpointSettings),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(decode)
    }
}

impl PartialEq for NetMap {
    /// Equal settings (not equal JSON: a map inside may list its keys in
    /// another order).
    fn eq(&self, other: &NetMap) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for NetMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for NetMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, &v)?;
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
                    m.insert(&k, &v);
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
            aliases: Some(vec!["a".into()]),
            ..Default::default()
        };
        m.insert("web", &s("1"));
        m.insert("app", &s("2"));
        m.insert("db", &s("3"));
        m.insert("db", &s("4"));
        assert_eq!(m.get("db"), Some(s("4")));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["app", "db", "web"]);
        // The ID alone, read without the rest, agrees with the whole decode.
        let whole: Vec<_> = m.iter().map(|(k, v)| (k, v.network_id)).collect();
        let ids: Vec<_> = m.ids().map(|(k, id)| (k, id.map(str::to_string))).collect();
        assert_eq!(ids, whole);
        m.insert("none", &docker::EndpointSettings::default());
        assert_eq!(m.ids().find(|(k, _)| *k == "none"), Some(("none", None)));
        m.remove("none");
        let b: std::collections::BTreeMap<String, docker::EndpointSettings> =
            m.iter().map(|(k, v)| (k.to_string(), v)).collect();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, serde_json::to_string(&b).unwrap());
        assert_eq!(serde_json::from_str::<NetMap>(&json).unwrap(), m);
        assert_eq!(m.network_ids(), ["2", "4", "1"]);
        assert!(m.remove("db"));
        assert!(!m.contains_key("db"));
        assert!(!m.remove("db"));
        m.retain(|k, _| k != "app");
        assert_eq!(m.len(), 1);
        assert_eq!(
            m.update("web", |e| e.ip_address = Some("10.0.0.2".into())),
            Some(())
        );
        assert_eq!(m.update("nope", |_| ()), None);
        let web = m.get("web").unwrap();
        assert_eq!(web.network_id.as_deref(), Some("1"));
        assert_eq!(web.ip_address.as_deref(), Some("10.0.0.2"));
        assert_eq!(m.to_map()["web"], web);
    }
}
