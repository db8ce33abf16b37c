//! IPv4 address arithmetic (CIDRs, pools, MACs) and the IPAM of a create
//! request. Leaf: no backend, no records.

use std::net::Ipv4Addr;

use sockerless_core::api::docker;
use sockerless_core::error::{Error, Result};

/// The network mask of a prefix length.
pub(crate) fn mask(prefix: u8) -> u32 {
    match prefix {
        0 => 0,
        p => u32::MAX << (32 - u32::from(p.min(32))),
    }
}

/// Whether `addr` lies in `subnet`.
pub(crate) fn in_subnet(addr: Ipv4Addr, (base, prefix): (Ipv4Addr, u8)) -> bool {
    u32::from(addr) & mask(prefix) == u32::from(base) & mask(prefix)
}

/// Whether two subnets share an address.
pub(crate) fn overlaps(a: (Ipv4Addr, u8), b: (Ipv4Addr, u8)) -> bool {
    in_subnet(a.0, b) || in_subnet(b.0, a)
}

/// `a.b.c.d/n` as `a.b.c.d/n`.
pub(crate) fn cidr(subnet: (Ipv4Addr, u8)) -> String {
    format!("{}/{}", subnet.0, subnet.1)
}

/// Parses an IPv4 CIDR, normalising the address to the network's (Docker's
/// 400 `invalid CIDR address: <s>` when malformed or too small to hold hosts).
pub(crate) fn parse_cidr(s: &str) -> Result<(Ipv4Addr, u8)> {
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
pub(crate) fn first_host(subnet: (Ipv4Addr, u8)) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(subnet.0).wrapping_add(1))
}

/// The default address pools, in Docker's order after `bridge`'s 172.17/16:
/// 172.18.0.0/16 … 172.31.0.0/16, then 192.168.0.0/20 … 192.168.240.0/20.
pub(crate) fn default_pools() -> impl Iterator<Item = (Ipv4Addr, u8)> {
    (18u8..=31)
        .map(|b| (Ipv4Addr::new(172, b, 0, 0), 16))
        .chain((0u8..16).map(|i| (Ipv4Addr::new(192, 168, i * 16, 0), 20)))
}

/// `a.b.c.d` as `Ipv4Addr`'s `Display` writes it, into a stack buffer: the
/// bytes and how many are used. Start writes two per network, and the
/// formatter took ~1 k instructions each.
fn dotted_bytes(ip: Ipv4Addr) -> ([u8; 15], usize) {
    let mut out = [0u8; 15];
    let mut len = 0;
    for (i, octet) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            out[len] = b'.';
            len += 1;
        }
        let digits = [octet / 100, octet / 10 % 10, octet % 10];
        let skip = match octet {
            0..=9 => 2,
            10..=99 => 1,
            _ => 0,
        };
        for d in &digits[skip..] {
            out[len] = b'0' + d;
            len += 1;
        }
    }
    (out, len)
}

/// `ip` written `a.b.c.d`.
pub(crate) fn dotted(ip: Ipv4Addr) -> String {
    let (bytes, len) = dotted_bytes(ip);
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

/// Whether `s` is exactly `ip` written `a.b.c.d`.
pub(crate) fn is_dotted(s: &str, ip: Ipv4Addr) -> bool {
    let (bytes, len) = dotted_bytes(ip);
    s.as_bytes() == &bytes[..len]
}

/// `02:42:` followed by the address bytes in lower-case hex.
fn mac_bytes(ip: Ipv4Addr) -> [u8; 17] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = *b"02:42:00:00:00:00";
    for (i, octet) in ip.octets().into_iter().enumerate() {
        let at = 6 + 3 * i;
        out[at] = HEX[usize::from(octet >> 4)];
        out[at + 1] = HEX[usize::from(octet & 0xf)];
    }
    out
}

/// `02:42:` followed by the address bytes, as Docker derives bridge MACs.
pub(crate) fn mac_for(ip: Ipv4Addr) -> String {
    String::from_utf8_lossy(&mac_bytes(ip)).into_owned()
}

/// Whether `s` is exactly [`mac_for`] `ip`.
pub(crate) fn is_mac_for(s: &str, ip: Ipv4Addr) -> bool {
    s.as_bytes() == mac_bytes(ip)
}

/// The IPv4 pools a create asks for: the first subnet (with its gateway, if
/// given) becomes the network's; further IPv4 subnets and every IPv6 one are
/// kept as extra configs.
#[derive(Debug, Default)]
pub(crate) struct RequestedPools {
    requested: Option<((Ipv4Addr, u8), Option<Ipv4Addr>)>,
    extra_v4: Vec<(Ipv4Addr, u8)>,
    /// The configs reported besides the network's own subnet.
    pub(crate) other_configs: Vec<docker::IpamConfig>,
}

impl RequestedPools {
    /// Whether the create asked for an IPv4 subnet of its own.
    pub(crate) fn is_requested(&self) -> bool {
        self.requested.is_some()
    }
}

/// Checks a create's `IPAM.Config` with Docker's words, before anything is
/// taken.
pub(crate) fn requested_pools(ipam: &docker::Ipam) -> Result<RequestedPools> {
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
        // moby's `ValidateIPAM` words, under its `invalid network config:`.
        let invalid = |m: String| Error::bad_request(format!("invalid network config:\n{m}"));
        let subnet = parse_cidr(s)
            .map_err(|_| invalid(format!("invalid subnet {s}: invalid CIDR block notation")))?;
        let gateway = match c.gateway.as_deref().filter(|g| !g.is_empty()) {
            None => None,
            Some(g) => {
                let ip: Ipv4Addr = g
                    .parse()
                    .map_err(|_| invalid(format!("invalid gateway {g}: invalid address")))?;
                if !in_subnet(ip, subnet) {
                    return Err(invalid(format!(
                        "invalid gateway {g}: parent subnet {s} doesn't contain this address"
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
    Ok(RequestedPools {
        requested,
        extra_v4,
        other_configs,
    })
}

/// The network's subnet and gateway: the requested one unless it overlaps a
/// `taken` subnet, else the first free default pool.
pub(crate) fn choose_subnet(
    pools: &RequestedPools,
    taken: &[(Ipv4Addr, u8)],
) -> Result<((Ipv4Addr, u8), Ipv4Addr)> {
    let extra_v4 = &pools.extra_v4;
    Ok(match pools.requested {
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_macs_are_written_as_the_formatter_writes_them() {
        let octets = [0u8, 1, 9, 10, 42, 99, 100, 172, 199, 200, 255];
        for a in octets {
            for b in octets {
                let ip = Ipv4Addr::new(a, b, 255 - a, b / 2);
                let text = ip.to_string();
                assert_eq!(dotted(ip), text);
                assert!(is_dotted(&text, ip));
                assert!(!is_dotted(&format!("{text}0"), ip));
                let o = ip.octets();
                let mac = format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3]);
                assert_eq!(mac_for(ip), mac);
                assert!(is_mac_for(&mac, ip));
                assert!(!is_mac_for(
                    &mac.to_uppercase().replace("02:42", "02:43"),
                    ip
                ));
            }
        }
    }
}
