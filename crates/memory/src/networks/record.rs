//! The stored network and a container's membership of it, as the network sees
//! it.

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;
use std::time::SystemTime;

use sockerless_core::api::docker;
use sockerless_core::docker::timefmt::rfc3339_nano;

use super::ipam::cidr;
use crate::ids::Id;

/// A container's membership of a network, as the network sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// The container's name (without `/`).
    pub container_name: String,
    /// 64-hex endpoint ID.
    pub endpoint_id: String,
    /// `02:42:ac:..` MAC, derived from the address.
    pub mac_address: String,
    /// The address while the container runs.
    pub ipv4: Option<Ipv4Addr>,
    /// DNS aliases.
    pub aliases: Vec<String>,
}

/// A stored network.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkRecord {
    /// 64-hex ID.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// `bridge`, `host`, `null`, …
    pub driver: String,
    /// When it was created.
    pub created: SystemTime,
    /// `Internal`.
    pub internal: bool,
    /// `Attachable`.
    pub attachable: bool,
    /// `Ingress`.
    pub ingress: bool,
    /// `EnableIPv6`.
    pub enable_ipv6: bool,
    /// IPv4 subnet and prefix length (none for `host`/`none`).
    pub subnet: Option<(Ipv4Addr, u8)>,
    /// Gateway (`.1` of the subnet unless given).
    pub gateway: Option<Ipv4Addr>,
    /// The IPAM block as requested/reported.
    pub ipam: docker::Ipam,
    /// `Options`.
    pub options: HashMap<String, String>,
    /// `Labels`.
    pub labels: HashMap<String, String>,
    /// Members by container ID (the container's own [`Id`]).
    pub members: BTreeMap<Id, Endpoint>,
    /// `bridge`, `host`, `none`: cannot be removed.
    pub predefined: bool,
    /// The subnet was asked for at create (`IPAM.Config`), not taken from the
    /// default pools: only then may a container ask for a static address.
    #[serde(default)]
    pub user_subnet: bool,
}

/// An IPv4 subnet as (network address, prefix length), when the network has one.
pub(crate) type Subnet = Option<(Ipv4Addr, u8)>;

/// The drivers a network may be created with (all get an IPv4 subnet).
pub(crate) const SUBNET_DRIVERS: &[&str] = &["bridge", "overlay", "macvlan", "ipvlan"];

/// Names of the networks that exist from the start.
pub(crate) const PREDEFINED: &[&str] = &["bridge", "host", "none"];

impl NetworkRecord {
    /// The Docker `Network` object; `Containers` is filled only for inspect.
    pub(crate) fn to_docker(&self, with_containers: bool) -> docker::Network {
        let containers = if with_containers {
            self.members
                .iter()
                .map(|(id, e)| {
                    let (mac, v4) = match (e.ipv4, self.subnet) {
                        (Some(ip), Some((_, prefix))) => {
                            (e.mac_address.clone(), format!("{ip}/{prefix}"))
                        }
                        _ => (String::new(), String::new()),
                    };
                    let c = docker::NetworkContainer {
                        name: Some(e.container_name.clone()),
                        endpoint_id: Some(e.endpoint_id.clone()),
                        mac_address: Some(mac),
                        ipv4_address: Some(v4),
                        ipv6_address: Some(String::new()),
                    };
                    (id.to_string(), c)
                })
                .collect()
        } else {
            HashMap::new()
        };
        docker::Network {
            name: Some(self.name.clone()),
            id: Some(self.id.clone()),
            created: Some(rfc3339_nano(self.created)),
            scope: Some("local".to_string()),
            driver: Some(self.driver.clone()),
            enable_ipv6: Some(self.enable_ipv6),
            ipam: Some(self.ipam.clone()),
            internal: Some(self.internal),
            attachable: Some(self.attachable),
            ingress: Some(self.ingress),
            containers: Some(containers),
            options: Some(self.options.clone()),
            labels: Some(self.labels.clone()),
        }
    }

    /// The `IPAM` block Docker reports for a subnet (or none).
    pub(crate) fn ipam_for(
        subnet: Option<(Ipv4Addr, u8)>,
        gateway: Option<Ipv4Addr>,
        extra: Vec<docker::IpamConfig>,
        options: HashMap<String, String>,
    ) -> docker::Ipam {
        let mut config: Vec<docker::IpamConfig> = subnet
            .map(|s| docker::IpamConfig {
                subnet: Some(cidr(s)),
                gateway: gateway.map(|g| g.to_string()),
                ..Default::default()
            })
            .into_iter()
            .collect();
        config.extend(extra);
        docker::Ipam {
            driver: Some("default".to_string()),
            config: Some(config),
            options: Some(options),
        }
    }

    /// Whether containers on this network get an address.
    pub(crate) fn has_addresses(&self) -> bool {
        self.subnet.is_some()
    }
}

/// The predefined networks, `bridge` (172.17.0.0/16), `host` and `none`, with
/// IDs drawn from `new_id` in that order.
pub(crate) fn predefined_networks(
    now: SystemTime,
    mut new_id: impl FnMut() -> String,
) -> Vec<NetworkRecord> {
    let mut out = Vec::new();
    let bridge_subnet = (Ipv4Addr::new(172, 17, 0, 0), 16);
    let bridge_gateway = Ipv4Addr::new(172, 17, 0, 1);
    let bridge_options: HashMap<String, String> = [
        ("com.docker.network.bridge.default_bridge", "true"),
        ("com.docker.network.bridge.enable_icc", "true"),
        ("com.docker.network.bridge.enable_ip_masquerade", "true"),
        ("com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"),
        ("com.docker.network.bridge.name", "docker0"),
        ("com.docker.network.driver.mtu", "1500"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (name, driver) in [("bridge", "bridge"), ("host", "host"), ("none", "null")] {
        let (subnet, gateway, options) = if name == "bridge" {
            (
                Some(bridge_subnet),
                Some(bridge_gateway),
                bridge_options.clone(),
            )
        } else {
            (None, None, HashMap::new())
        };
        let record = NetworkRecord {
            id: new_id(),
            name: name.to_string(),
            driver: driver.to_string(),
            created: now,
            internal: false,
            attachable: false,
            ingress: false,
            enable_ipv6: false,
            subnet,
            gateway,
            ipam: NetworkRecord::ipam_for(subnet, gateway, Vec::new(), HashMap::new()),
            options,
            labels: HashMap::new(),
            members: BTreeMap::new(),
            predefined: true,
            user_subnet: false,
        };
        out.push(record);
    }
    out
}
