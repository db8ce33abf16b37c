//! [`NetMap`]: a container's networks by name, as a vector sorted by name,
//! each network's `EndpointSettings` stored as its compact JSON (one
//! allocation of ~300 bytes instead of a 392-byte struct and a dozen strings
//! behind it: network and endpoint IDs, aliases, DNS names) and its address
//! fields beside it, typed (`networks::address::EndpointAddress`): start and
//! exit change those alone, and an exit then decodes and encodes no JSON. A
//! container joins one or two networks; a `BTreeMap` would allocate a node of
//! eleven entries for the first one. Read back whole ([`NetMap::get`],
//! [`NetMap::iter`]) or changed with [`NetMap::update`]; the same order and
//! the same JSON object as the `BTreeMap<String, EndpointSettings>` it
//! replaces.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::intern;
use crate::networks::address::EndpointAddress;
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
    /// The seven address fields, when they are as [`EndpointAddress`] writes
    /// them (the JSON then omits them); `None`: they are in the JSON as given.
    address: Option<EndpointAddress>,
}

impl Stored {
    /// `s` as given: its address fields kept typed when they are in
    /// [`EndpointAddress`]'s shape.
    fn new(s: docker::EndpointSettings) -> Stored {
        match EndpointAddress::read(&s) {
            Some(address) => Stored::addressed(s, address),
            None => Stored::encoded(&s, None),
        }
    }

    /// `s` with `address` as its address fields (whatever `s` holds in them).
    fn addressed(mut s: docker::EndpointSettings, address: EndpointAddress) -> Stored {
        EndpointAddress::strip(&mut s);
        Stored::encoded(&s, Some(address))
    }

    fn encoded(s: &docker::EndpointSettings, address: Option<EndpointAddress>) -> Stored {
        Stored {
            json: json_write::to_string(s)
                .unwrap_or_else(|_| "{}".into())
                .into_boxed_str(),
            network_id: s.network_id.as_deref().map(intern::text),
            address,
        }
    }

    fn get(&self) -> docker::EndpointSettings {
        let mut s: docker::EndpointSettings = serde_json::from_str(&self.json).unwrap_or_default();
        if let Some(address) = self.address {
            address.write(&mut s);
        }
        s
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
        self.entries[i].1 = Stored::new(s);
        Some(r)
    }

    /// Sets the address fields on network `name` (at start and exit): the
    /// stored JSON is not read or written when they are kept typed. False
    /// when it is not on that network.
    pub(crate) fn set_address(&mut self, name: &str, address: EndpointAddress) -> bool {
        let Ok(i) = self.find(name) else {
            return false;
        };
        let stored = &mut self.entries[i].1;
        if stored.address.is_some() {
            stored.address = Some(address);
        } else {
            *stored = Stored::addressed(stored.get(), address);
        }
        true
    }

    /// Whether it is on network `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Adds or replaces (the replaced settings are not read back: whoever
    /// needs them has them from [`NetMap::get`]).
    pub fn insert(&mut self, name: &str, settings: docker::EndpointSettings) {
        self.put(name, Stored::new(settings));
    }

    /// [`NetMap::insert`] with `address` as the address fields (start and
    /// connect know it typed: it is not written out to be read back).
    pub(crate) fn insert_addressed(
        &mut self,
        name: &str,
        settings: docker::EndpointSettings,
        address: EndpointAddress,
    ) {
        self.put(name, Stored::addressed(settings, address));
    }

    fn put(&mut self, name: &str, stored: Stored) {
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
                    m.insert(&k, v);
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
        m.insert("web", s("1"));
        m.insert("app", s("2"));
        m.insert("db", s("3"));
        m.insert("db", s("4"));
        assert_eq!(m.get("db"), Some(s("4")));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["app", "db", "web"]);
        // The ID alone, read without the rest, agrees with the whole decode.
        let whole: Vec<_> = m.iter().map(|(k, v)| (k, v.network_id)).collect();
        let ids: Vec<_> = m.ids().map(|(k, id)| (k, id.map(str::to_string))).collect();
        assert_eq!(ids, whole);
        m.insert("none", docker::EndpointSettings::default());
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

    /// Address fields as start writes them are kept typed (the JSON omits
    /// them) and read back the same; an exit's blank address changes no
    /// JSON; fields in any other shape stay in the JSON as given.
    #[test]
    fn address_fields_are_kept_beside_the_json() {
        use std::net::Ipv4Addr;
        let ip = Some(Ipv4Addr::new(172, 17, 0, 2));
        let subnet = Some((Ipv4Addr::new(172, 17, 0, 0), 16));
        let mut on = docker::EndpointSettings {
            network_id: Some("n1".into()),
            endpoint_id: Some("e1".into()),
            ..Default::default()
        };
        EndpointAddress::new(ip, subnet, Some(Ipv4Addr::new(172, 17, 0, 1))).write(&mut on);
        let mut m = NetMap::new();
        m.insert("bridge", on.clone());
        assert_eq!(m.get("bridge"), Some(on.clone()));
        let json = r#"{"NetworkID":"n1","EndpointID":"e1"}"#;
        assert_eq!(m.texts().next().unwrap().1, json);
        assert!(m.set_address("bridge", EndpointAddress::Blank));
        assert!(!m.set_address("nope", EndpointAddress::Blank));
        assert_eq!(m.texts().next().unwrap().1, json);
        let mut blank = on.clone();
        EndpointAddress::Blank.write(&mut blank);
        assert_eq!(m.get("bridge"), Some(blank));

        let mut odd = on.clone();
        odd.ip_address = Some("172.17.0.02".into());
        m.insert("odd", odd.clone());
        assert_eq!(m.get("odd"), Some(odd.clone()));
        assert!(m
            .texts()
            .any(|(_, j)| j.contains(r#""IPAddress":"172.17.0.02""#)));
        assert!(m.set_address("odd", EndpointAddress::Blank));
        let mut odd_blank = odd;
        EndpointAddress::Blank.write(&mut odd_blank);
        assert_eq!(m.get("odd"), Some(odd_blank));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<NetMap>(&json).unwrap(), m);

        // Given typed, the same settings as written out and read back.
        let mut bare = on.clone();
        EndpointAddress::strip(&mut bare);
        let address = EndpointAddress::read(&on).unwrap();
        m.insert_addressed("typed", bare, address);
        assert_eq!(m.get("typed"), Some(on));
    }
}
