//! Containers on networks: the predefined networks, resolving a reference, and
//! both sides of a membership (the container's endpoint settings, the
//! network's members) changed together under the links lock: attach and
//! detach, addresses allocated at start and released at exit.

use std::net::Ipv4Addr;
use std::sync::Arc;

use super::endpoint::{check_endpoint, requested_ipv4, take_address};
use super::ipam::mac_for;
use super::record::{Endpoint, NetworkRecord, Subnet};
use crate::backend::MemoryBackend;
use crate::containers::record::ContainerRecord;
use crate::table::Resolution;
use sockerless_core::api::docker;
use sockerless_core::error::{Error, Result};

/// Writes a container's address on one network into its `EndpointSettings`
/// (empty strings and zero when it has none, as Docker shows a stopped one).
pub(crate) fn fill_address(
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

impl MemoryBackend {
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
        let net = self
            .store
            .networks
            .get(network_id)
            .ok_or_else(|| Error::no_such_network(network_id))?;
        check_endpoint(&net, config.as_ref())?;
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
            if on_host && net.name != "host" {
                return Err(Error::bad_request(
                    "container sharing network namespace with another container or host cannot be connected to any other network",
                ));
            }
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
        let wanted = requested_ipv4(config.as_ref());
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
                let ip = take_address(n, wanted)?;
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
        container.networks.insert(&net_name, &settings);
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
            let wanted = requested_ipv4(Some(&settings));
            let outcome = self.store.networks.update(&net_id, |n| {
                if !n.has_addresses() {
                    return Ok((None, false));
                }
                if let Some(ip) = n.members.get(&container.id).and_then(|e| e.ipv4) {
                    return Ok((Some(ip), false));
                }
                // The container's own endpoint has no address, so it does not
                // count as used.
                let ip = take_address(n, wanted)?;
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
                    updates.push((net_name.to_string(), ip, subnet, gateway));
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
            container.networks.update(&net_name, |settings| {
                fill_address(settings, ip, subnet, gateway);
            });
        }
        Ok(())
    }

    /// At stop: releases the container's addresses (memberships stay).
    pub(crate) fn network_release_ips(&self, container: &mut ContainerRecord) {
        let joined: Vec<(String, Option<String>)> = container
            .networks
            .iter()
            .map(|(name, settings)| (name.to_string(), settings.network_id))
            .collect();
        for (net_name, net_id) in joined {
            let net_id = net_id.or_else(|| self.store.network_names.get(&net_name));
            if let Some(net_id) = net_id {
                self.store.networks.update(&net_id, |n| {
                    if let Some(e) = n.members.get_mut(&container.id) {
                        e.ipv4 = None;
                        e.mac_address.clear();
                    }
                });
            }
            container.networks.update(&net_name, |settings| {
                fill_address(settings, None, None, None);
            });
        }
    }
}
