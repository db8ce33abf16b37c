//! Networks: the predefined `bridge`, `host` and `none`; create, list, inspect,
//! connect, disconnect, remove, prune; IPAM (a subnet per network, gateway `.1`,
//! addresses handed out in order and reused after release).

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::SystemTime;

use super::containers::ContainerRecord;
use super::MemoryBackend;
use crate::api::docker;
use crate::api::*;
use crate::error::{Error, Result};

/// A container's membership of a network, as the network sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone)]
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

impl MemoryBackend {
    /// Creates `bridge` (172.17.0.0/16), `host` and `none`.
    pub(crate) fn create_predefined_networks(&self) {}

    /// Resolves a network reference (full ID, name, unique ID prefix) with
    /// Docker's errors (404 `network <ref> not found`, 400 ambiguous).
    pub(crate) fn network_resolve(&self, reference: &str) -> Result<Arc<NetworkRecord>> {
        Err(Error::no_such_network(reference))
    }

    /// Joins `container` to the network `network_id` (call with the links lock
    /// held): records the endpoint on the network and the `EndpointSettings` in
    /// `container.networks`; allocates an address when the container is running.
    /// 403 when already connected.
    pub(crate) fn network_attach(
        &self,
        _network_id: &str,
        _container: &mut ContainerRecord,
        _config: Option<docker::EndpointSettings>,
    ) -> Result<()> {
        Err(Error::not_implemented("network_attach"))
    }

    /// Removes `container` from the network (links lock held): both sides forget
    /// the membership and the address is released.
    pub(crate) fn network_detach(&self, _network_id: &str, _container: &mut ContainerRecord) {}

    /// At start: allocates an address on every network the container joined and
    /// fills `IPAddress`, `Gateway`, `IPPrefixLen`, `MacAddress` (links lock
    /// held).
    pub(crate) fn network_allocate_ips(&self, _container: &mut ContainerRecord) -> Result<()> {
        Ok(())
    }

    /// At stop: releases the container's addresses (memberships stay).
    pub(crate) fn network_release_ips(&self, _container: &mut ContainerRecord) {}

    pub(crate) fn networks_create(
        &self,
        _r: docker::NetworkCreateRequest,
    ) -> Result<docker::NetworkCreateResponse> {
        Err(Error::not_implemented("network_create"))
    }

    pub(crate) fn networks_list(&self, _f: Filters) -> Result<Vec<docker::Network>> {
        Err(Error::not_implemented("network_list"))
    }

    pub(crate) fn networks_inspect(&self, _r: &str) -> Result<docker::Network> {
        Err(Error::not_implemented("network_inspect"))
    }

    pub(crate) fn networks_connect(
        &self,
        _r: &str,
        _req: docker::NetworkConnectRequest,
    ) -> Result<()> {
        Err(Error::not_implemented("network_connect"))
    }

    pub(crate) fn networks_disconnect(
        &self,
        _r: &str,
        _req: docker::NetworkDisconnectRequest,
    ) -> Result<()> {
        Err(Error::not_implemented("network_disconnect"))
    }

    pub(crate) fn networks_remove(&self, _r: &str) -> Result<()> {
        Err(Error::not_implemented("network_remove"))
    }

    pub(crate) fn networks_prune(&self, _f: Filters) -> Result<docker::NetworkPruneResponse> {
        Err(Error::not_implemented("network_prune"))
    }
}
