//! Containers on networks: the predefined networks, resolving a reference, and
//! both sides of a membership changed together under the links lock. As in
//! Docker, a container is configured for its networks (its endpoint settings)
//! from create or connect on, but is a member of a network (has an endpoint
//! there, listed by network inspect, keeping it from removal) only while it
//! runs: endpoints and addresses are taken at start and given back at exit.

use std::sync::Arc;

use super::address::EndpointAddress;
use super::endpoint::{check_endpoint, requested_ipv4, take_address};
use super::ipam::mac_for;
use super::record::{Endpoint, NetworkRecord};
use crate::backend::MemoryBackend;
use crate::containers::record::ContainerRecord;
use crate::table::Resolution;
use sockerless_core::api::docker;
use sockerless_core::error::{Error, Result};

impl MemoryBackend {
    /// Resolves a network reference (full ID, name, unique ID prefix) with
    /// Docker's errors (404 `network <ref> not found`, 400 ambiguous).
    pub(crate) fn network_resolve(&self, reference: &str) -> Result<Arc<NetworkRecord>> {
        match self
            .store
            .networks
            .find(reference, Some(&self.store.network_names))
        {
            Resolution::Found(network) => Ok(network),
            Resolution::NotFound => Err(Error::no_such_network(reference)),
            Resolution::Ambiguous(n) => Err(Error::bad_request(format!(
                "network {reference} is ambiguous ({n} matches found based on ID prefix)"
            ))),
        }
    }

    /// As [`Self::network_resolve`], but a network that does not exist is
    /// `None` (an ambiguous reference is still 400).
    pub(crate) fn network_resolve_existing(
        &self,
        reference: &str,
    ) -> Result<Option<Arc<NetworkRecord>>> {
        match self.network_resolve(reference) {
            Ok(net) => Ok(Some(net)),
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Joins `container` to the network `network_id` (call with the links lock
    /// held): records the `EndpointSettings` in `container.networks`, and when
    /// the container is running, its endpoint (with an address) on the network.
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
            if running {
                if n.has_addresses() {
                    let ip = take_address(n, wanted)?;
                    endpoint.ipv4 = Some(ip);
                    endpoint.mac_address = mac_for(ip);
                }
                n.members.insert(container.id.clone(), endpoint.clone());
            }
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
        let settings = docker::EndpointSettings {
            network_id: Some(net_id.clone()),
            endpoint_id: Some(endpoint.endpoint_id.clone()),
            aliases: config.aliases,
            ipam_config: config.ipam_config,
            links: config.links,
            driver_opts: config.driver_opts,
            dns_names: config.dns_names.or(dns_names),
            ..Default::default()
        };
        let address = EndpointAddress::new(endpoint.ipv4, subnet, gateway);
        container
            .networks
            .insert_addressed(&net_name, settings, address);
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

    /// At start: makes the container a member of every network it is
    /// configured for, with an address where the network has addresses, and
    /// fills `IPAddress`, `Gateway`, `IPPrefixLen`, `MacAddress` (links lock
    /// held). A network is found by its ID, else by its name (it did not exist
    /// at create, or was removed and created again): 404 `network <ID or
    /// name> not found` when neither exists. All or nothing: on error no endpoint stays.
    pub(crate) fn network_allocate_ips(&self, container: &mut ContainerRecord) -> Result<()> {
        // Each network's settings are decoded once, here, and written once,
        // at the end.
        let mut resolved: Vec<(String, String, docker::EndpointSettings)> = Vec::new();
        for (net_name, settings) in container.networks.iter() {
            // Docker names the network by the ID it joined last, else by
            // the name it was configured with.
            let known = settings.network_id.as_deref().filter(|id| !id.is_empty());
            let net_id = match known {
                Some(id) if self.store.networks.contains(id) => id.to_string(),
                _ => self
                    .store
                    .network_names
                    .get(net_name)
                    .ok_or_else(|| Error::no_such_network(known.unwrap_or(net_name)))?,
            };
            resolved.push((net_name.to_string(), net_id, settings));
        }
        let mut done: Vec<String> = Vec::new();
        let mut result = Ok(());
        // (network name, its filled settings) to write once all succeeded
        let mut updates = Vec::new();
        for (net_name, net_id, mut settings) in resolved {
            let name = container.bare_name().to_string();
            let endpoint_id = settings
                .endpoint_id
                .clone()
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| self.new_id());
            let aliases = settings.aliases.clone().unwrap_or_default();
            let wanted = requested_ipv4(Some(&settings));
            let outcome = self.store.networks.update(&net_id, |n| {
                let ip = match n.members.get(&container.id) {
                    Some(e) => return Ok((e.ipv4, false, n.subnet, n.gateway)),
                    None if n.has_addresses() => Some(take_address(n, wanted)?),
                    None => None,
                };
                n.members.insert(
                    container.id.clone(),
                    Endpoint {
                        container_name: name,
                        endpoint_id: endpoint_id.clone(),
                        mac_address: ip.map(mac_for).unwrap_or_default(),
                        ipv4: ip,
                        aliases,
                    },
                );
                Ok((ip, true, n.subnet, n.gateway))
            });
            match outcome {
                None => {
                    result = Err(Error::no_such_network(&net_name));
                    break;
                }
                Some(Err(e)) => {
                    result = Err(e);
                    break;
                }
                Some(Ok((ip, fresh, subnet, gateway))) => {
                    if fresh {
                        done.push(net_id.clone());
                    }
                    settings.network_id = Some(net_id);
                    settings.endpoint_id = Some(endpoint_id);
                    let address = EndpointAddress::new(ip, subnet, gateway);
                    updates.push((net_name, settings, address));
                }
            }
        }
        if let Err(e) = result {
            for net_id in done {
                self.store.networks.update(&net_id, |n| {
                    n.members.remove(&container.id);
                });
            }
            return Err(e);
        }
        for (net_name, settings, address) in updates {
            container
                .networks
                .insert_addressed(&net_name, settings, address);
        }
        Ok(())
    }

    /// At exit: the container's endpoints and addresses are given back (it
    /// stays configured for its networks).
    pub(crate) fn network_release_ips(&self, container: &mut ContainerRecord) {
        let joined: Vec<(String, Option<String>)> = container
            .networks
            .ids()
            .map(|(name, id)| (name.to_string(), id.map(str::to_string)))
            .collect();
        for (net_name, net_id) in joined {
            let net_id = net_id
                .filter(|id| !id.is_empty())
                .or_else(|| self.store.network_names.get(&net_name));
            if let Some(net_id) = net_id {
                self.store.networks.update(&net_id, |n| {
                    n.members.remove(&container.id);
                });
            }
            container
                .networks
                .set_address(&net_name, EndpointAddress::Blank);
        }
    }
}
