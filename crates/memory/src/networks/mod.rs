//! Networks: the predefined `bridge`, `host` and `none`; create, list, inspect,
//! connect, disconnect, remove, prune; IPAM (a subnet per network, gateway `.1`,
//! addresses handed out in order and reused after release).
//!
//! `record` (the stored data), `ipam` (address arithmetic) and `address` (a
//! container's address fields) are leaves;
//! `membership` changes both sides of a container's membership; this module
//! implements `NetworkBackend`.

pub(crate) mod address;
mod endpoint;
mod ipam;
mod membership;
pub mod record;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::SystemTime;

use crate::backend::MemoryBackend;
use crate::events::Kind;
use async_trait::async_trait;
use ipam::{choose_subnet, parse_cidr, requested_pools};
use record::{PREDEFINED, SUBNET_DRIVERS};
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::NetworkBackend;
use sockerless_core::docker::filters::FilterError;
use sockerless_core::docker::timefmt::parse_timestamp;
use sockerless_core::error::{Error, Result};

pub(crate) use endpoint::check_endpoint_for_create;
pub use record::NetworkRecord;

/// Docker's words for a filter error, as a 400.
fn filter_error(e: FilterError) -> Error {
    Error::bad_request(e.to_string())
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

impl MemoryBackend {
    /// Every IPv4 subnet the networks use (their own and their extra configs).
    fn taken_subnets(&self) -> Vec<(Ipv4Addr, u8)> {
        self.store
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
            .collect()
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
}

#[async_trait]
impl NetworkBackend for MemoryBackend {
    /// `POST /networks`.
    async fn network_create(
        &self,
        r: docker::NetworkCreateRequest,
    ) -> Result<docker::NetworkCreateResponse> {
        let name = r.name.clone();
        if name.is_empty() {
            return Err(Error::bad_request("invalid name: "));
        }
        if PREDEFINED.contains(&name.as_str()) {
            return Err(Error::forbidden(format!(
                "operation is not permitted on predefined {name} network "
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
        let pools = requested_pools(&ipam)?;
        let (subnet, gateway) = choose_subnet(&pools, &self.taken_subnets())?;
        let user_subnet = pools.is_requested();

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
                pools.other_configs,
                ipam.options.unwrap_or_default(),
            ),
            options: r.options.unwrap_or_default(),
            labels: r.labels.unwrap_or_default(),
            members: BTreeMap::new(),
            predefined: false,
            user_subnet,
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
    async fn network_list(&self, f: Filters) -> Result<Vec<docker::Network>> {
        f.check_keys(&["id", "name", "label", "driver", "type", "dangling", "scope"])
            .map_err(filter_error)?;
        if let Some(t) = f
            .get("type")
            .into_iter()
            .find(|t| *t != "custom" && *t != "builtin")
        {
            // Docker's words (it answers 500; bad input stays a 400 here).
            return Err(Error::bad_request(format!("invalid filter: 'type'='{t}'")));
        }
        f.validate_values("scope", &["local", "swarm", "global"])
            .map_err(filter_error)?;
        let dangling = f.bool_value("dangling").map_err(filter_error)?;
        let ids = f.get("id");
        // Docker's `Match`: the name itself, or a regular expression found in
        // it (an invalid expression matches nothing).
        let names: Vec<(&str, Option<regex::Regex>)> = f
            .get("name")
            .into_iter()
            .map(|n| (n, regex::Regex::new(n).ok()))
            .collect();
        let types = f.get("type");
        let mut nets = self.store.networks.list(|n| {
            (ids.is_empty() || ids.iter().any(|p| n.id.starts_with(p)))
                && (names.is_empty()
                    || names.iter().any(|(p, re)| {
                        n.name == *p || re.as_ref().is_some_and(|re| re.is_match(&n.name))
                    }))
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
    async fn network_inspect(&self, r: String) -> Result<docker::Network> {
        let r = r.as_str();
        Ok(self.network_resolve(r)?.to_docker(true))
    }

    /// `POST /networks/{ref}/connect`. As Docker: the container is looked up
    /// before the network; a container that is not running is only recorded
    /// (no `connect` event until it starts), and connecting it again to a
    /// network it is already on changes nothing (200).
    async fn network_connect(&self, r: String, req: docker::NetworkConnectRequest) -> Result<()> {
        let r = r.as_str();
        let container_ref = require_container(req.container)?;
        let _links = self.links();
        let cid = self.container_id(&container_ref)?;
        let net = self.network_resolve(r)?;
        let net_name = net.name.clone();
        let (net_id, attrs, _) = Self::network_ref(net, &cid);
        let config = req.endpoint_config;
        let running = self
            .store
            .containers
            .update(&cid, |c| {
                if !c.is_running() && c.networks.contains_key(&net_name) {
                    return Ok(false);
                }
                self.network_attach(&net_id, c, config)?;
                Ok::<_, Error>(c.is_running())
            })
            .ok_or_else(|| Error::no_such_container(&container_ref))??;
        if running {
            self.emit(Kind::Network, "connect", &net_id, attrs);
        }
        Ok(())
    }

    /// `POST /networks/{ref}/disconnect`. A container that is not a member is
    /// 403 `container <id> is not connected to network <name>` (`… to the
    /// network …` when it is not running: Docker's two wordings).
    async fn network_disconnect(
        &self,
        r: String,
        req: docker::NetworkDisconnectRequest,
    ) -> Result<()> {
        let r = r.as_str();
        let container_ref = require_container(req.container)?;
        let _links = self.links();
        let cid = self.container_id(&container_ref)?;
        let net = self.network_resolve(r)?;
        let (net_id, attrs, member) = Self::network_ref(net, &cid);
        let net_name = attrs.get("name").cloned().unwrap_or_default();
        self.store
            .containers
            .update(&cid, |c| {
                if !member && !c.networks.contains_key(&net_name) {
                    let the = if c.is_running() { "" } else { "the " };
                    return Err(Error::forbidden(format!(
                        "container {} is not connected to {the}network {net_name}",
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
    async fn network_remove(&self, r: String) -> Result<()> {
        let r = r.as_str();
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
    async fn network_prune(&self, f: Filters) -> Result<docker::NetworkPruneResponse> {
        f.check_keys(&["label", "label!", "until"])
            .map_err(filter_error)?;
        let now = self.now();
        let mut until: Option<SystemTime> = None;
        for v in f.get("until") {
            let t = parse_timestamp(v, now).map_err(|e| Error::bad_request(e.to_string()))?;
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
