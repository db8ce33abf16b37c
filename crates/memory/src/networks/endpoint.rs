//! A container's endpoint on one network: Docker's checks of the endpoint
//! config a create or connect asks for (`validateEndpointSettings`), and the
//! address it gets at start — the static `IPAMConfig.IPv4Address` it asked for,
//! or the lowest free one.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ipam::in_subnet;
use super::record::NetworkRecord;
use sockerless_core::api::docker;
use sockerless_core::error::{Error, Result};

/// The static IPv4 address an endpoint config asks for, if any (checked at
/// create or connect by [`check_endpoint`]).
pub(crate) fn requested_ipv4(cfg: Option<&docker::EndpointSettings>) -> Option<Ipv4Addr> {
    cfg.and_then(|c| c.ipam_config.as_ref())
        .and_then(|i| i.ipv4_address.as_deref())
        .and_then(|a| a.parse().ok())
}

/// Docker's checks of `cfg` against `net`, in Docker Engine 26's words: 400
/// `invalid endpoint settings:` and the problems, one per line (each after
/// `* ` when there are several). Nothing is checked when the config asks for
/// no address.
pub(crate) fn check_endpoint(
    net: &NetworkRecord,
    cfg: Option<&docker::EndpointSettings>,
) -> Result<()> {
    let Some(ipam) = cfg.and_then(|c| c.ipam_config.as_ref()) else {
        return Ok(());
    };
    let problems = endpoint_problems(net, ipam);
    match problems.as_slice() {
        [] => Ok(()),
        [one] => Err(Error::bad_request(format!(
            "invalid endpoint settings:\n{one}"
        ))),
        many => Err(Error::bad_request(format!(
            "invalid endpoint settings:\n* {}",
            many.join("\n* ")
        ))),
    }
}

fn endpoint_problems(net: &NetworkRecord, ipam: &docker::EndpointIpamConfig) -> Vec<String> {
    let given = |a: &Option<String>| a.clone().filter(|a| !a.is_empty());
    let (v4, v6) = (given(&ipam.ipv4_address), given(&ipam.ipv6_address));
    if net.predefined && (v4.is_some() || v6.is_some()) {
        return vec!["user specified IP address is supported on user defined networks only".into()];
    }
    let mut problems = Vec::new();
    let v4_addr = v4.as_deref().map(|a| a.parse::<Ipv4Addr>());
    if let (Some(a), Some(parsed)) = (&v4, &v4_addr) {
        if parsed.as_ref().map_or(true, Ipv4Addr::is_unspecified) {
            problems.push(format!("invalid IPv4 address: {a}"));
        }
    }
    if let Some(a) = &v6 {
        if a.parse::<Ipv6Addr>().map_or(true, |ip| ip.is_unspecified()) {
            problems.push(format!("invalid IPv6 address: {a}"));
        }
    }
    for a in ipam.link_local_ips.iter().flatten() {
        if a.parse::<IpAddr>().map_or(true, |ip| ip.is_unspecified()) {
            problems.push(format!("invalid link-local IP address: {a}"));
        }
    }
    if v4.is_some() || v6.is_some() {
        if !net.user_subnet {
            problems.push(
                "user specified IP address is supported only when connecting to networks with user configured subnets"
                    .into(),
            );
        } else if let (Some(a), Some(parsed)) = (&v4, v4_addr) {
            let inside = match (parsed, net.subnet) {
                (Ok(ip), Some(subnet)) => !ip.is_unspecified() && in_subnet(ip, subnet),
                _ => false,
            };
            if !inside {
                problems.push(format!(
                    "no configured subnet or ip-range contain the IP address {a}"
                ));
            }
        }
    }
    problems
}

/// The address a joining member gets on `net`: `wanted` when it is free (403
/// `Address already in use` when another member holds it or it is the
/// network's own, gateway or broadcast address, as Docker's IPAM says), else the
/// lowest free host address after the gateway.
pub(crate) fn take_address(net: &NetworkRecord, wanted: Option<Ipv4Addr>) -> Result<Ipv4Addr> {
    match wanted {
        Some(ip) => {
            let reserved = net.subnet.is_some_and(|(base, prefix)| {
                let size = 1u64 << (32 - u32::from(prefix));
                let last = u64::from(u32::from(base)) + size - 1;
                ip == base || u64::from(u32::from(ip)) == last
            });
            let held = net.members.values().any(|e| e.ipv4 == Some(ip));
            if reserved || held || Some(ip) == net.gateway {
                return Err(Error::forbidden("Address already in use"));
            }
            Ok(ip)
        }
        None => free_address(net).ok_or_else(|| exhausted(net)),
    }
}

/// The lowest free host address of `net` after its gateway, if any is left.
pub(crate) fn free_address(net: &NetworkRecord) -> Option<Ipv4Addr> {
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
pub(crate) fn exhausted(net: &NetworkRecord) -> Error {
    Error::forbidden(format!(
        "no available IPv4 addresses on this network's address pools: {} ({})",
        net.name, net.id
    ))
}

/// [`check_endpoint`] at container create, where Docker names the network
/// first: `invalid config for network <name>: invalid endpoint settings:…`.
pub(crate) fn check_endpoint_for_create(
    net: &NetworkRecord,
    cfg: Option<&docker::EndpointSettings>,
) -> Result<()> {
    check_endpoint(net, cfg)
        .map_err(|e| Error::bad_request(format!("invalid config for network {}: {e}", net.name)))
}
