//! [`HostConfig`]: a container's `HostConfig` as given, stored as its compact
//! JSON (interned, so containers with the same one share it): about a hundred
//! bytes instead of 1.5 KB of `Option` fields. Read back whole with
//! [`HostConfig::get`] (inspect, start), or one part with [`HostConfig::read`].

use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::intern;
use sockerless_core::api::docker;
use sockerless_core::json_write;

/// A stored `HostConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig(Arc<str>);

impl HostConfig {
    /// The stored JSON text.
    pub(crate) fn text(&self) -> &str {
        &self.0
    }

    /// The stored form of `h`.
    pub fn new(h: &docker::HostConfig) -> HostConfig {
        let json = json_write::to_string(h).unwrap_or_else(|_| "{}".into());
        HostConfig(intern::text(&json))
    }

    /// The whole `HostConfig`.
    pub fn get(&self) -> docker::HostConfig {
        self.read()
    }

    /// A part of it: a type with some of `HostConfig`'s fields (under their
    /// JSON names), the others skipped without being built.
    pub fn read<T: DeserializeOwned + Default>(&self) -> T {
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

impl Default for HostConfig {
    fn default() -> HostConfig {
        HostConfig::new(&docker::HostConfig::default())
    }
}

impl serde::Serialize for HostConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for HostConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        docker::HostConfig::deserialize(d).map(|h| HostConfig::new(&h))
    }
}

/// The parts of `HostConfig` the list reads.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ListPart {
    /// `NetworkMode`.
    #[serde(rename = "NetworkMode")]
    pub network_mode: Option<String>,
    /// `PortBindings`.
    #[serde(rename = "PortBindings")]
    pub port_bindings: Option<docker::PortMap>,
}

/// The parts of `HostConfig` a start reads to publish the ports.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PortsPart {
    /// `PortBindings`.
    #[serde(rename = "PortBindings")]
    pub port_bindings: Option<docker::PortMap>,
    /// `PublishAllPorts`.
    #[serde(rename = "PublishAllPorts")]
    pub publish_all_ports: Option<bool>,
}

/// The part of `HostConfig` an exit reads.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ExitPart {
    /// `AutoRemove`.
    #[serde(rename = "AutoRemove")]
    pub auto_remove: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_a_part() {
        let json = r#"{"Binds":["a:/a"],"NetworkMode":"ci-net","AutoRemove":true,"PortBindings":{"80/tcp":[{"HostPort":"8080"}]}}"#;
        let d: docker::HostConfig = serde_json::from_str(json).unwrap();
        let h = HostConfig::new(&d);
        assert_eq!(h.get(), d);
        assert_eq!(h.read::<ListPart>().network_mode.as_deref(), Some("ci-net"));
        assert_eq!(h.read::<ExitPart>().auto_remove, Some(true));
        let ports = h.read::<PortsPart>();
        assert_eq!(ports.port_bindings, d.port_bindings);
        assert_eq!(ports.publish_all_ports, None);
        assert_eq!(
            serde_json::to_value(&h).unwrap(),
            serde_json::to_value(&d).unwrap()
        );
        assert_eq!(HostConfig::new(&d), h, "interned: equal ones share");
        assert_eq!(HostConfig::default().get(), docker::HostConfig::default());
    }
}
