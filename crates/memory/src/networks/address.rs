//! A container's address on one network as its `EndpointSettings` show it:
//! `IPAddress`, `IPPrefixLen`, `Gateway`, `MacAddress` and the three IPv6
//! fields (always empty). Start and exit rewrite these seven fields and no
//! others, so a container's stored settings keep them typed, beside the rest
//! (`crate::containers::netmap`). Leaf: no backend, no records.

use std::net::Ipv4Addr;

use super::ipam::{dotted, is_dotted, is_mac_for, mac_for};
use super::record::Subnet;
use sockerless_core::api::docker;

/// The seven address fields of an `EndpointSettings` ([`Self::write`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndpointAddress {
    /// No address: empty strings and zeros (a container not running, a
    /// network without addresses).
    Blank,
    /// An address on the network's subnet.
    On {
        /// The container's address.
        ip: Ipv4Addr,
        /// The subnet's prefix length.
        prefix: u8,
        /// The network's gateway, if it has one.
        gateway: Option<Ipv4Addr>,
    },
}

impl EndpointAddress {
    /// The address fields of `ip` on a network with `subnet` and `gateway`:
    /// blank unless both the address and the subnet are known.
    pub(crate) fn new(ip: Option<Ipv4Addr>, subnet: Subnet, gateway: Option<Ipv4Addr>) -> Self {
        match (ip, subnet) {
            (Some(ip), Some((_, prefix))) => EndpointAddress::On {
                ip,
                prefix,
                gateway,
            },
            _ => EndpointAddress::Blank,
        }
    }

    /// Writes the seven fields into `settings`.
    pub(crate) fn write(self, settings: &mut docker::EndpointSettings) {
        match self {
            EndpointAddress::On {
                ip,
                prefix,
                gateway,
            } => {
                settings.ip_address = Some(dotted(ip));
                settings.ip_prefix_len = Some(i64::from(prefix));
                settings.gateway = Some(gateway.map(dotted).unwrap_or_default());
                settings.mac_address = Some(mac_for(ip));
            }
            EndpointAddress::Blank => {
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

    /// The address `settings` show, when their seven fields are exactly what
    /// [`Self::write`] writes (`None` otherwise: the fields are kept as given).
    pub(crate) fn read(settings: &docker::EndpointSettings) -> Option<Self> {
        let ipv6_blank = settings.ipv6_gateway.as_deref() == Some("")
            && settings.global_ipv6_address.as_deref() == Some("")
            && settings.global_ipv6_prefix_len == Some(0);
        if !ipv6_blank {
            return None;
        }
        let ip = settings.ip_address.as_deref()?;
        let prefix = settings.ip_prefix_len?;
        let gateway = settings.gateway.as_deref()?;
        let mac = settings.mac_address.as_deref()?;
        if ip.is_empty() {
            let blank = prefix == 0 && gateway.is_empty() && mac.is_empty();
            return blank.then_some(EndpointAddress::Blank);
        }
        let ip = parse_dotted(ip)?;
        let prefix = u8::try_from(prefix).ok()?;
        let gateway = match gateway {
            "" => None,
            g => Some(parse_dotted(g)?),
        };
        is_mac_for(mac, ip).then_some(EndpointAddress::On {
            ip,
            prefix,
            gateway,
        })
    }

    /// Removes the seven fields from `settings` (stored settings whose
    /// address is kept typed omit them).
    pub(crate) fn strip(settings: &mut docker::EndpointSettings) {
        settings.ip_address = None;
        settings.ip_prefix_len = None;
        settings.gateway = None;
        settings.mac_address = None;
        settings.ipv6_gateway = None;
        settings.global_ipv6_address = None;
        settings.global_ipv6_prefix_len = None;
    }
}

/// `s` as an address when it is exactly the address written `a.b.c.d`.
fn parse_dotted(s: &str) -> Option<Ipv4Addr> {
    let ip: Ipv4Addr = s.parse().ok()?;
    is_dotted(s, ip).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(a: EndpointAddress) -> docker::EndpointSettings {
        let mut s = docker::EndpointSettings::default();
        a.write(&mut s);
        s
    }

    #[test]
    fn what_is_written_reads_back() {
        let on = EndpointAddress::On {
            ip: Ipv4Addr::new(172, 17, 0, 2),
            prefix: 16,
            gateway: Some(Ipv4Addr::new(172, 17, 0, 1)),
        };
        let s = written(on);
        assert_eq!(s.ip_address.as_deref(), Some("172.17.0.2"));
        assert_eq!(s.gateway.as_deref(), Some("172.17.0.1"));
        assert_eq!(s.mac_address.as_deref(), Some("02:42:ac:11:00:02"));
        assert_eq!(s.ip_prefix_len, Some(16));
        for a in [
            on,
            EndpointAddress::Blank,
            EndpointAddress::On {
                ip: Ipv4Addr::new(10, 255, 200, 0),
                prefix: 8,
                gateway: None,
            },
        ] {
            assert_eq!(EndpointAddress::read(&written(a)), Some(a));
        }
    }

    #[test]
    fn fields_not_as_written_are_not_read() {
        let on = EndpointAddress::On {
            ip: Ipv4Addr::new(172, 17, 0, 2),
            prefix: 16,
            gateway: None,
        };
        let changes: [fn(&mut docker::EndpointSettings); 9] = [
            |s| s.ip_address = Some("172.17.0.02".into()),
            |s| s.ip_address = Some("nope".into()),
            |s| s.mac_address = Some("02:42:AC:11:00:02".into()),
            |s| s.mac_address = None,
            |s| s.gateway = Some(" 172.17.0.1".into()),
            |s| s.ip_prefix_len = Some(300),
            |s| s.ipv6_gateway = Some("fe80::1".into()),
            |s| s.global_ipv6_prefix_len = None,
            |s| s.ip_address = Some(String::new()),
        ];
        for change in changes {
            let mut s = written(on);
            change(&mut s);
            assert_eq!(EndpointAddress::read(&s), None, "{s:?}");
        }
        assert_eq!(
            EndpointAddress::read(&docker::EndpointSettings::default()),
            None
        );
    }
}
