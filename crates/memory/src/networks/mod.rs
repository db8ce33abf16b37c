//! Networks: the predefined `bridge`, `host` and `none`; create, list, inspect,
//! connect, disconnect, remove, prune; IPAM (a subnet per network, gateway `.1`,
//! addresses handed out in order and reused after release).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::SystemTime;

use crate::containers::ContainerRecord;
use crate::events::Kind;
use crate::table::Resolution;
use crate::MemoryBackend;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::docker::filters::FilterError;
use sockerless_core::docker::timefmt::{parse_timestamp, rfc3339_nano};
use sockerless_core::error::{Error, Result};

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
    /// Members by container ID.
    pub members: BTreeMap<String, Endpoint>,
    /// `bridge`, `host`, `none`: cannot be removed.
    pub predefined: bool,
}

/// An IPv4 subnet as (network address, prefix length), when the network has one.
type Subnet = Option<(Ipv4Addr, u8)>;

/// The drivers a network may be created with (all get an IPv4 subnet).
const SUBNET_DRIVERS: &[&str] = &["bridge", "overlay", "macvlan", "ipvlan"];

/// Names of the networks that exist from the start.
const PREDEFINED: &[&str] = &["bridge", "host", "none"];

/// Docker's words for a filter error, as a 400.
fn filter_error(e: FilterError) -> Error {
    Error::bad_request(e.to_string())
}

/// The network mask of a prefix length.
fn mask(prefix: u8) -> u32 {
    match prefix {
        0 => 0,
        p => u32::MAX << (32 - u32::from(p.min(32))),
    }
}

/// Whether `addr` lies in `subnet`.
fn in_subnet(addr: Ipv4Addr, (base, prefix): (Ipv4Addr, u8)) -> bool {
    u32::from(addr) & mask(prefix) == u32::from(base) & mask(prefix)
}

/// Whether two subnets share an address.
fn overlaps(a: (Ipv4Addr, u8), b: (Ipv4Addr, u8)) -> bool {
    in_subnet(a.0, b) || in_subnet(b.0, a)
}

/// `a.b.c.d/n` as `a.b.c.d/n`.
fn cidr(subnet: (Ipv4Addr, u8)) -> String {
    format!("{}/{}", subnet.0, subnet.1)
}

/// Parses an IPv4 CIDR, normalising the address to the network's (Docker's
/// 400 `invalid CIDR address: <s>` when malformed or too small to hold hosts).
fn parse_cidr(s: &str) -> Result<(Ipv4Addr, u8)> {
    let bad = || Error::bad_request(format!("invalid CIDR address: {s}"));
    let (addr, prefix) = s.split_once('/').ok_or_else(bad)?;
    let addr: Ipv4Addr = addr.parse().map_err(|_| bad())?;
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    if prefix > 30 {
        return Err(bad());
    }
    Ok((Ipv4Addr::from(u32::from(addr) & mask(prefix)), prefix))
}

/// The first usable address after the network address (`.1`).
fn first_host(subnet: (Ipv4Addr, u8)) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(subnet.0).wrapping_add(1))
}

/// The default address pools, in Docker's order after `bridge`'s 172.17/16:
/// 172.18.0.0/16 … 172.31.0.0/16, then 192.168.0.0/20 … 192.168.240.0/20.
fn default_pools() -> impl Iterator<Item = (Ipv4Addr, u8)> {
    (18u8..=31)
        .map(|b| (Ipv4Addr::new(172, b, 0, 0), 16))
        .chain((0u8..16).map(|i| (Ipv4Addr::new(192, 168, i * 16, 0), 20)))
}

/// `02:42:` followed by the address bytes, as Docker derives bridge MACs.
fn mac_for(ip: Ipv4Addr) -> String {
    let o = ip.octets();
    format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3])
}

/// The lowest free host address of `net` after its gateway, if any is left.
fn free_address(net: &NetworkRecord) -> Option<Ipv4Addr> {
    let subnet = net.subnet?;
    let base = u32::from(subnet.0);
    let size = 1u64 << (32 - u32::from(subnet.1));
    let used: BTreeSet<Ipv4Addr> = net.members.values().filter_map(|e| e.ipv4).collect();
    (1..size.saturating_sub(1))
        .filter_map(|off| u32::try_from(off).ok())
        .map(|off| Ipv4Addr::from(base.wrapping_add(off)))
        .find(|ip| Some(*ip) != net.gateway && !used.contains(ip))
}

/// The error of a network with no address left.
fn exhausted(net: &NetworkRecord) -> Error {
    Error::forbidden(format!(
        "no available IPv4 addresses on this network's address pools: {} ({})",
        net.name, net.id
    ))
}

/// Checks the addresses an endpoint config asks for, with Docker's words
/// (`invalid IPv4 address: <a>`), before anything is attached.
fn validate_endpoint_ipam(ipam: &docker::EndpointIpamConfig) -> Result<()> {
    if let Some(a) = ipam.ipv4_address.as_deref().filter(|a| !a.is_empty()) {
        if a.parse::<Ipv4Addr>().is_err() {
            return Err(Error::bad_request(format!("invalid IPv4 address: {a}")));
        }
    }
    if let Some(a) = ipam.ipv6_address.as_deref().filter(|a| !a.is_empty()) {
        if a.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(Error::bad_request(format!("invalid IPv6 address: {a}")));
        }
    }
    for a in ipam.link_local_ips.iter().flatten() {
        if a.parse::<std::net::IpAddr>().is_err() {
            return Err(Error::bad_request(format!(
                "invalid link-local IP address: {a}"
            )));
        }
    }
    Ok(())
}

/// A connect/disconnect body must name a container.
fn require_container(container: Option<String>) -> Result<String> {
    container
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Error::bad_request("a container is required: the body's Container is empty"))
}

/// Attributes of a network event.
fn event_attrs(net: &NetworkRecord, container: Option<&str>) -> HashMap<String, String> {
    let mut a = HashMap::new();
    a.insert("name".to_string(), net.name.clone());
    a.insert("type".to_string(), net.driver.clone());
    if let Some(c) = container {
        a.insert("container".to_string(), c.to_string());
    }
    a
}

impl NetworkRecord {
    /// The Docker `Network` object; `Containers` is filled only for inspect.
    fn to_docker(&self, with_containers: bool) -> docker::Network {
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
                    (id.clone(), c)
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
    fn ipam_for(
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
    fn has_addresses(&self) -> bool {
        self.subnet.is_some()
    }
}

impl MemoryBackend {
    /// Creates `bridge` (172.17.0.0/16), `host` and `none`.
    pub(crate) fn create_predefined_networks(&self) {
        let now = self.now();
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
                id: self.new_id(),
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
            };
            if self.store.network_names.reserve(name, &record.id).is_ok() {
                let id = record.id.clone();
                if self.store.networks.insert_new(id.clone(), record).is_err() {
                    self.store.network_names.release(name, &id);
                }
            }
        }
    }

    /// Resolves a network reference (full ID, name, unique ID prefix) with
    /// Docker's errors (404 `network <ref> not found`, 400 ambiguous).
    pub(crate) fn network_resolve(&self, reference: &str) -> Result<Arc<NetworkRecord>> {
        let id = match self
            .store
            .networks
            .resolve(reference, Some(&self.store.network_names))
        {
            Resolution::Found(id) => id,
            Resolution::NotFound => return Err(Error::no_such_network(reference)),
            Resolution::Ambiguous(n) => {
                return Err(Error::bad_request(format!(
                    "network {reference} is ambiguous ({n} matches found based on ID prefix)"
                )))
            }
        };
        self.store
            .networks
            .get(&id)
            .ok_or_else(|| Error::no_such_network(reference))
    }

    /// Joins `container` to the network `network_id` (call with the links lock
    /// held): records the endpoint on the network and the `EndpointSettings` in
    /// `container.networks`; allocates an address when the container is running.
    /// 403 when already connected (or when host/none networking forbids it);
    /// on error nothing changes.
    pub(crate) fn network_attach(
        &self,
        network_id: &str,
        container: &mut ContainerRecord,
        config: Option<docker::EndpointSettings>,
    ) -> Result<()> {
        if let Some(ipam) = config.as_ref().and_then(|c| c.ipam_config.as_ref()) {
            validate_endpoint_ipam(ipam)?;
        }
        let net = self
            .store
            .networks
            .get(network_id)
            .ok_or_else(|| Error::no_such_network(network_id))?;
        let name = container.bare_name().to_string();
        if net.members.contains_key(&container.id) || container.networks.contains_key(&net.name) {
            return Err(Error::forbidden(format!(
                "endpoint with name {name} already exists in network {}",
                net.name
            )));
        }
        if !container.networks.is_empty() {
            let on_host = container.networks.contains_key("host");
            let on_none = container.networks.contains_key("none");
            if net.name == "host" || on_host {
                return Err(Error::forbidden(
                    "container cannot be disconnected from host network or connected to host network",
                ));
            }
            if net.name == "none" || on_none {
                return Err(Error::forbidden(
                    "container cannot be connected to multiple networks with one of the networks in private (none) mode",
                ));
            }
        }
        let config = config.unwrap_or_default();
        let aliases = config.aliases.clone().unwrap_or_default();
        let endpoint = Endpoint {
            container_name: name.clone(),
            endpoint_id: self.new_id(),
            mac_address: String::new(),
            ipv4: None,
            aliases: aliases.clone(),
        };
        let running = container.is_running();
        // Release our `Arc` before updating: holding it would make the update
        // copy the whole record (members included) on every attach.
        let (net_id, net_name, predefined) = (net.id.clone(), net.name.clone(), net.predefined);
        drop(net);
        let joined = self.store.networks.update(&net_id, |n| {
            let mut endpoint = endpoint;
            if running && n.has_addresses() {
                let ip = free_address(n).ok_or_else(|| exhausted(n))?;
                endpoint.ipv4 = Some(ip);
                endpoint.mac_address = mac_for(ip);
            }
            n.members.insert(container.id.clone(), endpoint.clone());
            Ok::<_, Error>((endpoint, n.subnet, n.gateway))
        });
        let (endpoint, subnet, gateway) =
            joined.ok_or_else(|| Error::no_such_network(network_id))??;
        let dns_names = (!predefined).then(|| {
            let mut d = vec![name.clone()];
            d.extend(aliases.iter().cloned());
            d.push(container.id.chars().take(12).collect());
            d
        });
        let mut settings = docker::EndpointSettings {
            network_id: Some(net_id.clone()),
            endpoint_id: Some(endpoint.endpoint_id.clone()),
            aliases: config.aliases,
            ipam_config: config.ipam_config,
            links: config.links,
            driver_opts: config.driver_opts,
            dns_names: config.dns_names.or(dns_names),
            ..Default::default()
        };
        fill_address(&mut settings, endpoint.ipv4, subnet, gateway);
        container.networks.insert(net_name, settings);
        Ok(())
    }

    /// Removes `container` from the network (links lock held): both sides forget
    /// the membership and the address is released.
    pub(crate) fn network_detach(&self, network_id: &str, container: &mut ContainerRecord) {
        let removed_from = self.store.networks.update(network_id, |n| {
            n.members.remove(&container.id);
            n.name.clone()
        });
        match removed_from {
            Some(name) => {
                container.networks.remove(&name);
            }
            None => container
                .networks
                .retain(|_, s| s.network_id.as_deref() != Some(network_id)),
        }
    }

    /// At start: allocates an address on every network the container joined and
    /// fills `IPAddress`, `Gateway`, `IPPrefixLen`, `MacAddress` (links lock
    /// held). All or nothing: on error no address stays allocated by this call.
    pub(crate) fn network_allocate_ips(&self, container: &mut ContainerRecord) -> Result<()> {
        let mut done: Vec<String> = Vec::new();
        let mut result = Ok(());
        // (network name, address, subnet, gateway) to write once all succeeded
        let mut updates: Vec<(String, Option<Ipv4Addr>, Subnet, Option<Ipv4Addr>)> = Vec::new();
        for (net_name, settings) in &container.networks {
            let Some(net_id) = settings
                .network_id
                .clone()
                .or_else(|| self.store.network_names.get(net_name))
            else {
                continue;
            };
            let name = container.bare_name().to_string();
            let endpoint_id = settings.endpoint_id.clone().unwrap_or_default();
            let aliases = settings.aliases.clone().unwrap_or_default();
            let outcome = self.store.networks.update(&net_id, |n| {
                if !n.has_addresses() {
                    return Ok((None, false));
                }
                if let Some(ip) = n.members.get(&container.id).and_then(|e| e.ipv4) {
                    return Ok((Some(ip), false));
                }
                // The container's own endpoint has no address, so it does not
                // count as used.
                let ip = free_address(n).ok_or_else(|| exhausted(n))?;
                let endpoint = n.members.entry(container.id.clone()).or_insert(Endpoint {
                    container_name: name,
                    endpoint_id,
                    mac_address: String::new(),
                    ipv4: None,
                    aliases,
                });
                endpoint.ipv4 = Some(ip);
                endpoint.mac_address = mac_for(ip);
                Ok((Some(ip), true))
            });
            match outcome {
                None => continue,
                Some(Err(e)) => {
                    result = Err(e);
                    break;
                }
                Some(Ok((ip, fresh))) => {
                    if fresh {
                        done.push(net_id.clone());
                    }
                    let (subnet, gateway) = self
                        .store
                        .networks
                        .get(&net_id)
                        .map(|n| (n.subnet, n.gateway))
                        .unwrap_or((None, None));
                    updates.push((net_name.clone(), ip, subnet, gateway));
                }
            }
        }
        if let Err(e) = result {
            for net_id in done {
                self.store.networks.update(&net_id, |n| {
                    if let Some(e) = n.members.get_mut(&container.id) {
                        e.ipv4 = None;
                        e.mac_address.clear();
                    }
                });
            }
            return Err(e);
        }
        for (net_name, ip, subnet, gateway) in updates {
            if let Some(settings) = container.networks.get_mut(&net_name) {
                fill_address(settings, ip, subnet, gateway);
            }
        }
        Ok(())
    }

    /// At stop: releases the container's addresses (memberships stay).
    pub(crate) fn network_release_ips(&self, container: &mut ContainerRecord) {
        for (net_name, settings) in container.networks.iter_mut() {
            let net_id = settings
                .network_id
                .clone()
                .or_else(|| self.store.network_names.get(net_name));
            if let Some(net_id) = net_id {
                self.store.networks.update(&net_id, |n| {
                    if let Some(e) = n.members.get_mut(&container.id) {
                        e.ipv4 = None;
                        e.mac_address.clear();
                    }
                });
            }
            fill_address(settings, None, None, None);
        }
    }

    /// `POST /networks`.
    pub(crate) fn networks_create(
        &self,
        r: docker::NetworkCreateRequest,
    ) -> Result<docker::NetworkCreateResponse> {
        let name = r.name.clone();
        if name.is_empty() {
            return Err(Error::bad_request("network name is required"));
        }
        if PREDEFINED.contains(&name.as_str()) {
            return Err(Error::forbidden(format!(
                "operation is not permitted on predefined {name} network"
            )));
        }
        let driver = r
            .driver
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "bridge".to_string());
        if driver == "host" || driver == "null" {
            return Err(Error::forbidden(format!(
                "only one instance of \"{driver}\" network is allowed"
            )));
        }
        if !SUBNET_DRIVERS.contains(&driver.as_str()) {
            return Err(Error::not_found(format!("plugin \"{driver}\" not found")));
        }
        // Every create holds the links lock, so the name check below and the
        // subnet choice cannot race another create; the name is still reserved
        // atomically through the index.
        let _links = self.links();
        if self.store.network_names.get(&name).is_some() {
            return Err(Error::conflict(format!(
                "network with name {name} already exists"
            )));
        }
        // Validate the requested IPAM before taking anything.
        let ipam = r.ipam.clone().unwrap_or_default();
        if let Some(d) = ipam.driver.as_deref().filter(|d| !d.is_empty()) {
            if d != "default" {
                return Err(Error::not_found(format!("plugin \"{d}\" not found")));
            }
        }
        let mut requested: Option<((Ipv4Addr, u8), Option<Ipv4Addr>)> = None;
        let mut extra_v4: Vec<(Ipv4Addr, u8)> = Vec::new();
        let mut other_configs: Vec<docker::IpamConfig> = Vec::new();
        for c in ipam.config.clone().unwrap_or_default() {
            let Some(s) = c.subnet.as_deref().filter(|s| !s.is_empty()) else {
                if c.gateway.as_deref().is_some_and(|g| !g.is_empty()) {
                    return Err(Error::bad_request(
                        "invalid pool request: a gateway needs a subnet",
                    ));
                }
                continue;
            };
            if s.contains(':') {
                other_configs.push(c.clone());
                continue;
            }
            let subnet = parse_cidr(s)?;
            let gateway = match c.gateway.as_deref().filter(|g| !g.is_empty()) {
                None => None,
                Some(g) => {
                    let ip: Ipv4Addr = g
                        .parse()
                        .map_err(|_| Error::bad_request(format!("invalid gateway address: {g}")))?;
                    if !in_subnet(ip, subnet) {
                        return Err(Error::bad_request(format!(
                            "no matching subnet for gateway {g}"
                        )));
                    }
                    Some(ip)
                }
            };
            if let Some(range) = c.ip_range.as_deref().filter(|r| !r.is_empty()) {
                let range = parse_cidr(range)?;
                if !in_subnet(range.0, subnet) || range.1 < subnet.1 {
                    return Err(Error::bad_request(format!(
                        "invalid pool request: IP range {} is not in subnet {}",
                        cidr(range),
                        cidr(subnet)
                    )));
                }
            }
            if extra_v4
                .iter()
                .chain(requested.iter().map(|(s, _)| s))
                .any(|o| overlaps(*o, subnet))
            {
                return Err(Error::forbidden(
                    "Pool overlaps with other one on this address space",
                ));
            }
            match requested {
                None => requested = Some((subnet, gateway)),
                Some(_) => {
                    extra_v4.push(subnet);
                    other_configs.push(c.clone());
                }
            }
        }

        let taken: Vec<(Ipv4Addr, u8)> = self
            .store
            .networks
            .list(|_| true)
            .iter()
            .flat_map(|n| {
                n.subnet.into_iter().chain(
                    n.ipam
                        .config
                        .iter()
                        .flatten()
                        .filter_map(|c| c.subnet.as_deref())
                        .filter_map(|s| parse_cidr(s).ok()),
                )
            })
            .collect();
        let (subnet, gateway) = match requested {
            Some((subnet, gateway)) => {
                if taken
                    .iter()
                    .chain(extra_v4.iter())
                    .any(|t| overlaps(*t, subnet))
                    || extra_v4
                        .iter()
                        .any(|e| taken.iter().any(|t| overlaps(*t, *e)))
                {
                    return Err(Error::forbidden(
                        "Pool overlaps with other one on this address space",
                    ));
                }
                (subnet, gateway.unwrap_or_else(|| first_host(subnet)))
            }
            None => {
                let subnet = default_pools()
                    .find(|p| !taken.iter().any(|t| overlaps(*t, *p)))
                    .ok_or_else(|| {
                        Error::forbidden(
                            "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network",
                        )
                    })?;
                (subnet, first_host(subnet))
            }
        };

        let id = self.new_id();
        if self.store.network_names.reserve(&name, &id).is_err() {
            return Err(Error::conflict(format!(
                "network with name {name} already exists"
            )));
        }
        let record = NetworkRecord {
            id: id.clone(),
            name: name.clone(),
            driver,
            created: self.now(),
            internal: r.internal.unwrap_or(false),
            attachable: r.attachable.unwrap_or(false),
            ingress: r.ingress.unwrap_or(false),
            enable_ipv6: r.enable_ipv6.unwrap_or(false),
            subnet: Some(subnet),
            gateway: Some(gateway),
            ipam: NetworkRecord::ipam_for(
                Some(subnet),
                Some(gateway),
                other_configs,
                ipam.options.unwrap_or_default(),
            ),
            options: r.options.unwrap_or_default(),
            labels: r.labels.unwrap_or_default(),
            members: BTreeMap::new(),
            predefined: false,
        };
        let attrs = event_attrs(&record, None);
        if self.store.networks.insert_new(id.clone(), record).is_err() {
            self.store.network_names.release(&name, &id);
            return Err(Error::internal("network ID collision"));
        }
        self.emit(Kind::Network, "create", &id, attrs);
        Ok(docker::NetworkCreateResponse {
            id: Some(id),
            warning: Some(String::new()),
        })
    }

    /// `GET /networks`.
    pub(crate) fn networks_list(&self, f: Filters) -> Result<Vec<docker::Network>> {
        f.check_keys(&["id", "name", "label", "driver", "type", "dangling", "scope"])
            .map_err(filter_error)?;
        f.validate_values("type", &["custom", "builtin"])
            .map_err(filter_error)?;
        f.validate_values("scope", &["local", "swarm", "global"])
            .map_err(filter_error)?;
        let dangling = f.bool_value("dangling").map_err(filter_error)?;
        let ids = f.get("id");
        let names = f.get("name");
        let types = f.get("type");
        let mut nets = self.store.networks.list(|n| {
            (ids.is_empty() || ids.iter().any(|p| n.id.starts_with(p)))
                && (names.is_empty() || names.iter().any(|p| n.name.contains(p)))
                && f.match_kv_list("label", &n.labels)
                && f.exact_match("driver", &n.driver)
                && f.exact_match("scope", "local")
                && (types.is_empty()
                    || types.contains(&if n.predefined { "builtin" } else { "custom" }))
                && match dangling {
                    None => true,
                    Some(true) => !n.predefined && n.members.is_empty(),
                    Some(false) => n.predefined || !n.members.is_empty(),
                }
        });
        nets.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(nets.iter().map(|n| n.to_docker(false)).collect())
    }

    /// `GET /networks/{ref}`.
    pub(crate) fn networks_inspect(&self, r: &str) -> Result<docker::Network> {
        Ok(self.network_resolve(r)?.to_docker(true))
    }

    /// The network's ID, the attributes of its connect/disconnect event for
    /// `container`, and whether `container` is a member. Consumes the record's
    /// `Arc`: one held across an update would make the update copy every member.
    fn network_ref(
        net: Arc<NetworkRecord>,
        container: &str,
    ) -> (String, HashMap<String, String>, bool) {
        let member = net.members.contains_key(container);
        (net.id.clone(), event_attrs(&net, Some(container)), member)
    }

    /// `POST /networks/{ref}/connect`.
    pub(crate) fn networks_connect(
        &self,
        r: &str,
        req: docker::NetworkConnectRequest,
    ) -> Result<()> {
        let container_ref = require_container(req.container)?;
        let _links = self.links();
        let net = self.network_resolve(r)?;
        let cid = self.container_id(&container_ref)?;
        let (net_id, attrs, _) = Self::network_ref(net, &cid);
        let config = req.endpoint_config;
        self.store
            .containers
            .update(&cid, |c| self.network_attach(&net_id, c, config))
            .ok_or_else(|| Error::no_such_container(&container_ref))??;
        self.emit(Kind::Network, "connect", &net_id, attrs);
        Ok(())
    }

    /// `POST /networks/{ref}/disconnect`. A container that is not a member is
    /// 403 `container <id> is not connected to network <name>` (Docker's
    /// forbidden error for this case).
    pub(crate) fn networks_disconnect(
        &self,
        r: &str,
        req: docker::NetworkDisconnectRequest,
    ) -> Result<()> {
        let container_ref = require_container(req.container)?;
        let _links = self.links();
        let net = self.network_resolve(r)?;
        let cid = self.container_id(&container_ref)?;
        let (net_id, attrs, member) = Self::network_ref(net, &cid);
        let net_name = attrs.get("name").cloned().unwrap_or_default();
        self.store
            .containers
            .update(&cid, |c| {
                if !member && !c.networks.contains_key(&net_name) {
                    return Err(Error::forbidden(format!(
                        "container {} is not connected to network {net_name}",
                        c.id
                    )));
                }
                self.network_detach(&net_id, c);
                Ok(())
            })
            .ok_or_else(|| Error::no_such_container(&container_ref))??;
        self.emit(Kind::Network, "disconnect", &net_id, attrs);
        Ok(())
    }

    /// `DELETE /networks/{ref}`.
    pub(crate) fn networks_remove(&self, r: &str) -> Result<()> {
        let _links = self.links();
        let net = self.network_resolve(r)?;
        if net.predefined {
            return Err(Error::forbidden(format!(
                "{} is a pre-defined network and cannot be removed",
                net.name
            )));
        }
        let removed = self
            .store
            .networks
            .remove_if(&net.id, |n| n.members.is_empty())
            .ok_or_else(|| {
                Error::forbidden(format!(
                    "error while removing network: network {} id {} has active endpoints",
                    net.name, net.id
                ))
            })?;
        self.store.network_names.release(&removed.name, &removed.id);
        self.emit(
            Kind::Network,
            "destroy",
            &removed.id,
            event_attrs(&removed, None),
        );
        Ok(())
    }

    /// `POST /networks/prune`: custom networks without members that match the
    /// filters (`label`, `label!`, `until`).
    pub(crate) fn networks_prune(&self, f: Filters) -> Result<docker::NetworkPruneResponse> {
        f.check_keys(&["label", "label!", "until"])
            .map_err(filter_error)?;
        let now = self.now();
        let mut until: Option<SystemTime> = None;
        for v in f.get("until") {
            let t = parse_timestamp(v, now)
                .map_err(|_| Error::bad_request(format!("invalid filter 'until={v}'")))?;
            until = Some(until.map_or(t, |u: SystemTime| u.min(t)));
        }
        let _links = self.links();
        let mut candidates = self.store.networks.list(|n| {
            !n.predefined
                && n.members.is_empty()
                && f.match_prune_labels(&n.labels)
                && until.is_none_or(|u| n.created < u)
        });
        candidates.sort_by(|a, b| a.name.cmp(&b.name));
        let mut deleted = Vec::new();
        for n in candidates {
            if let Some(removed) = self
                .store
                .networks
                .remove_if(&n.id, |n| n.members.is_empty())
            {
                self.store.network_names.release(&removed.name, &removed.id);
                self.emit(
                    Kind::Network,
                    "destroy",
                    &removed.id,
                    event_attrs(&removed, None),
                );
                deleted.push(removed.name.clone());
            }
        }
        Ok(docker::NetworkPruneResponse {
            networks_deleted: Some(deleted),
        })
    }
}

/// Writes a container's address on one network into its `EndpointSettings`
/// (empty strings and zero when it has none, as Docker shows a stopped one).
fn fill_address(
    settings: &mut docker::EndpointSettings,
    ip: Option<Ipv4Addr>,
    subnet: Subnet,
    gateway: Option<Ipv4Addr>,
) {
    match (ip, subnet) {
        (Some(ip), Some((_, prefix))) => {
            settings.ip_address = Some(ip.to_string());
            settings.ip_prefix_len = Some(i64::from(prefix));
            settings.gateway = Some(gateway.map(|g| g.to_string()).unwrap_or_default());
            settings.mac_address = Some(mac_for(ip));
        }
        _ => {
            settings.ip_address = Some(String::new());
            settings.ip_prefix_len = Some(0);
            settings.gateway = Some(String::new());
            settings.mac_address = Some(String::new());
        }
    }
    settings.ipv6_gateway = Some(String::new());
    settings.global_ipv6_address = Some(String::new());
    settings.global_ipv6_prefix_len = Some(0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::{RunState, Status};

    fn container(name: &str, status: Status) -> ContainerRecord {
        ContainerRecord {
            id: crate::ids::new_id(),
            name: format!("/{name}"),
            created: SystemTime::now(),
            seq: 0,
            image: "busybox".into(),
            image_id: String::new(),
            config: Default::default(),
            host_config: Default::default(),
            path: String::new(),
            args: Vec::new(),
            state: RunState::never_ran(status, None),
            networks: BTreeMap::new(),
            ports: HashMap::new(),
            mounts: Vec::new(),
            restart_count: 0,
        }
    }

    fn create(b: &MemoryBackend, name: &str) -> String {
        b.networks_create(docker::NetworkCreateRequest {
            name: name.into(),
            ..Default::default()
        })
        .ok()
        .and_then(|r| r.id)
        .unwrap_or_default()
    }

    /// Both sides agree: every member has a settings entry and vice versa.
    fn assert_consistent(b: &MemoryBackend, c: &ContainerRecord) {
        for net in b.store.networks.list(|_| true) {
            let member = net.members.get(&c.id);
            let settings = c.networks.get(&net.name);
            assert_eq!(member.is_some(), settings.is_some(), "{}", net.name);
            if let (Some(m), Some(s)) = (member, settings) {
                assert_eq!(s.network_id.as_deref(), Some(net.id.as_str()));
                assert_eq!(s.endpoint_id.as_deref(), Some(m.endpoint_id.as_str()));
                let ip = m.ipv4.map(|i| i.to_string()).unwrap_or_default();
                assert_eq!(s.ip_address.as_deref(), Some(ip.as_str()));
                assert_eq!(s.mac_address.as_deref(), Some(m.mac_address.as_str()));
            }
        }
    }

    #[test]
    fn predefined_networks_exist() {
        let b = MemoryBackend::new();
        let bridge = b.network_resolve("bridge").unwrap();
        assert_eq!(bridge.subnet, Some((Ipv4Addr::new(172, 17, 0, 0), 16)));
        assert_eq!(bridge.gateway, Some(Ipv4Addr::new(172, 17, 0, 1)));
        assert_eq!(b.network_resolve("host").unwrap().driver, "host");
        assert_eq!(b.network_resolve("none").unwrap().driver, "null");
        assert!(b.network_resolve("none").unwrap().predefined);
    }

    #[test]
    fn cidr_helpers() {
        assert_eq!(
            parse_cidr("10.1.2.3/8").unwrap(),
            (Ipv4Addr::new(10, 0, 0, 0), 8)
        );
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "x/8",
            "10.0.0.0/",
            "10.0.0.0/31",
        ] {
            assert!(parse_cidr(bad).is_err(), "{bad}");
        }
        let a = (Ipv4Addr::new(10, 0, 0, 0), 8);
        let b = (Ipv4Addr::new(10, 5, 0, 0), 16);
        let c = (Ipv4Addr::new(11, 0, 0, 0), 16);
        assert!(overlaps(a, b) && overlaps(b, a) && !overlaps(a, c));
        assert_eq!(mac_for(Ipv4Addr::new(172, 18, 0, 2)), "02:42:ac:12:00:02");
    }

    #[test]
    fn attach_allocate_release_detach_keep_both_sides_consistent() {
        let b = MemoryBackend::new();
        let net_id = create(&b, "app");
        let _links = b.links();
        let mut c1 = container("one", Status::Created);
        let mut c2 = container("two", Status::Running);
        b.network_attach(&net_id, &mut c1, None).unwrap();
        // not running: no address yet
        assert_eq!(c1.networks["app"].ip_address.as_deref(), Some(""));
        assert_consistent(&b, &c1);
        // running at attach: gets the first address
        b.network_attach(&net_id, &mut c2, None).unwrap();
        assert_eq!(c2.networks["app"].ip_address.as_deref(), Some("172.18.0.2"));
        assert_eq!(c2.networks["app"].gateway.as_deref(), Some("172.18.0.1"));
        assert_eq!(c2.networks["app"].ip_prefix_len, Some(16));
        assert_eq!(
            c2.networks["app"].mac_address.as_deref(),
            Some("02:42:ac:12:00:02")
        );
        assert_consistent(&b, &c2);

        // start c1: next address, plus one on bridge after joining it
        let bridge = b.network_resolve("bridge").unwrap().id.clone();
        b.network_attach(&bridge, &mut c1, None).unwrap();
        c1.state.status = Status::Running;
        b.network_allocate_ips(&mut c1).unwrap();
        assert_eq!(c1.networks["app"].ip_address.as_deref(), Some("172.18.0.3"));
        assert_eq!(
            c1.networks["bridge"].ip_address.as_deref(),
            Some("172.17.0.2")
        );
        assert_consistent(&b, &c1);
        // allocating twice keeps the address
        b.network_allocate_ips(&mut c1).unwrap();
        assert_eq!(c1.networks["app"].ip_address.as_deref(), Some("172.18.0.3"));

        // stop c2: its address is released and reused by the next start
        c2.state.status = Status::Exited;
        b.network_release_ips(&mut c2);
        assert_eq!(c2.networks["app"].ip_address.as_deref(), Some(""));
        assert_consistent(&b, &c2);
        let mut c3 = container("three", Status::Running);
        b.network_attach(&net_id, &mut c3, None).unwrap();
        assert_eq!(c3.networks["app"].ip_address.as_deref(), Some("172.18.0.2"));
        c2.state.status = Status::Running;
        b.network_allocate_ips(&mut c2).unwrap();
        assert_eq!(c2.networks["app"].ip_address.as_deref(), Some("172.18.0.4"));

        // inspect shows the members with CIDR addresses
        let inspect = b.networks_inspect("app").unwrap();
        let members = inspect.containers.unwrap();
        assert_eq!(members.len(), 3);
        assert_eq!(
            members[&c3.id].ipv4_address.as_deref(),
            Some("172.18.0.2/16")
        );
        assert_eq!(members[&c3.id].name.as_deref(), Some("three"));

        // attach twice: 403 and nothing changes
        let before = c1.networks.clone();
        let err = b.network_attach(&net_id, &mut c1, None).unwrap_err();
        assert_eq!(
            err,
            Error::forbidden("endpoint with name one already exists in network app")
        );
        assert_eq!(c1.networks, before);

        // remove with members is refused; detach everyone, then it goes
        drop(_links);
        assert!(matches!(
            b.networks_remove("app"),
            Err(Error::Forbidden(m)) if m.ends_with("has active endpoints")
        ));
        let _links = b.links();
        for c in [&mut c1, &mut c2, &mut c3] {
            b.network_detach(&net_id, c);
            assert!(!c.networks.contains_key("app"));
            assert_consistent(&b, c);
        }
        b.network_detach(&bridge, &mut c1);
        assert!(c1.networks.is_empty());
        drop(_links);
        b.networks_remove("app").unwrap();
        assert!(b.network_names_free("app"));
    }

    #[test]
    fn host_and_none_have_no_addresses_and_are_exclusive() {
        let b = MemoryBackend::new();
        let host = b.network_resolve("host").unwrap().id.clone();
        let none = b.network_resolve("none").unwrap().id.clone();
        let app = create(&b, "app");
        let mut c = container("h", Status::Running);
        b.network_attach(&host, &mut c, None).unwrap();
        assert_eq!(c.networks["host"].ip_address.as_deref(), Some(""));
        b.network_allocate_ips(&mut c).unwrap();
        assert_eq!(c.networks["host"].ip_address.as_deref(), Some(""));
        assert!(matches!(
            b.network_attach(&app, &mut c, None),
            Err(Error::Forbidden(_))
        ));
        assert!(matches!(
            b.network_attach(&none, &mut c, None),
            Err(Error::Forbidden(_))
        ));
        assert_eq!(c.networks.len(), 1);
        assert_consistent(&b, &c);
        let mut d = container("d", Status::Created);
        b.network_attach(&app, &mut d, None).unwrap();
        assert!(matches!(
            b.network_attach(&none, &mut d, None),
            Err(Error::Forbidden(_))
        ));
        assert_consistent(&b, &d);
    }

    #[test]
    fn exhausted_subnet_fails_without_partial_allocation() {
        let b = MemoryBackend::new();
        let tiny = b
            .networks_create(docker::NetworkCreateRequest {
                name: "tiny".into(),
                ipam: Some(docker::Ipam {
                    config: Some(vec![docker::IpamConfig {
                        subnet: Some("10.9.0.0/30".into()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .unwrap()
            .id
            .unwrap();
        let big = create(&b, "big");
        // /30: .1 gateway, .2 the only host address
        let mut a = container("a", Status::Running);
        b.network_attach(&tiny, &mut a, None).unwrap();
        assert_eq!(a.networks["tiny"].ip_address.as_deref(), Some("10.9.0.2"));
        let mut c = container("c", Status::Created);
        b.network_attach(&big, &mut c, None).unwrap();
        b.network_attach(&tiny, &mut c, None).unwrap();
        c.state.status = Status::Running;
        assert!(b.network_allocate_ips(&mut c).is_err());
        assert_eq!(c.networks["big"].ip_address.as_deref(), Some(""));
        assert_consistent(&b, &c);
        // running attach to a full network: refused, nothing recorded
        let mut d = container("d", Status::Running);
        assert!(b.network_attach(&tiny, &mut d, None).is_err());
        assert!(d.networks.is_empty());
        assert!(!b
            .network_resolve("tiny")
            .unwrap()
            .members
            .contains_key(&d.id));
    }

    impl MemoryBackend {
        fn network_names_free(&self, name: &str) -> bool {
            self.store.network_names.get(name).is_none()
        }
    }
}
