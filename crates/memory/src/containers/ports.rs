//! Published ports: host ports handed out at start (fixed or from the
//! ephemeral range), released at exit.

use std::collections::{BTreeSet, HashMap};

use super::host::PortsPart;
use super::record::ContainerRecord;
use crate::backend::MemoryBackend;
use sockerless_core::api::docker;
use sockerless_core::error::{Error, Result};

/// The first and last host port handed out for an empty `HostPort`.
pub(crate) const EPHEMERAL_PORTS: (u16, u16) = (32768, 60999);

/// The ports a container exposes or binds, as `80/tcp` keys.
pub(crate) fn port_keys(
    c: &ContainerRecord,
    bindings: Option<&docker::PortMap>,
) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = c
        .config
        .exposed_ports
        .iter()
        .flat_map(|p| p.keys().cloned())
        .collect();
    keys.extend(bindings.iter().flat_map(|p| p.keys().cloned()));
    keys
}

impl MemoryBackend {
    /// Publishes `PortBindings` (and, with `PublishAllPorts`, every exposed
    /// port) into `NetworkSettings.Ports`.
    pub(crate) fn publish_ports(&self, c: &mut ContainerRecord) -> Result<()> {
        let mut in_use = self
            .ports
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let host: PortsPart = c.host_config.read();
        let publish_all = host.publish_all_ports.unwrap_or(false);
        let bindings = host.port_bindings.unwrap_or_default();
        let mut taken: Vec<u16> = Vec::new();
        let mut out: HashMap<String, Option<Vec<docker::PortBinding>>> = HashMap::new();
        let next_free = |in_use: &BTreeSet<u16>, taken: &[u16]| {
            (EPHEMERAL_PORTS.0..=EPHEMERAL_PORTS.1)
                .find(|p| !in_use.contains(p) && !taken.contains(p))
        };
        let result = (|| -> Result<()> {
            for key in port_keys(c, Some(&bindings)) {
                let wanted: Vec<docker::PortBinding> = match bindings.get(&key).cloned().flatten() {
                    Some(b) if !b.is_empty() => b,
                    _ if publish_all => vec![docker::PortBinding::default()],
                    _ => {
                        out.insert(key, None);
                        continue;
                    }
                };
                let mut published = Vec::new();
                for b in wanted {
                    let host_port = b.host_port.clone().unwrap_or_default();
                    let port = if host_port.is_empty() || host_port == "0" {
                        next_free(&in_use, &taken).ok_or_else(|| {
                            Error::conflict("no free host port left in the ephemeral range")
                        })?
                    } else {
                        let p: u16 = host_port.parse().map_err(|_| {
                            Error::bad_request(format!("invalid host port: {host_port}"))
                        })?;
                        if in_use.contains(&p) || taken.contains(&p) {
                            let ip = b
                                .host_ip
                                .clone()
                                .filter(|s| !s.is_empty())
                                .unwrap_or_else(|| "0.0.0.0".into());
                            return Err(Error::conflict(format!(
                                "driver failed programming external connectivity on endpoint {}: Bind for {ip}:{p} failed: port is already allocated",
                                c.bare_name()
                            )));
                        }
                        p
                    };
                    taken.push(port);
                    let ip = b.host_ip.clone().filter(|s| !s.is_empty());
                    match ip {
                        Some(ip) => published.push(docker::PortBinding {
                            host_ip: Some(ip),
                            host_port: Some(port.to_string()),
                        }),
                        None => {
                            published.push(docker::PortBinding {
                                host_ip: Some("0.0.0.0".into()),
                                host_port: Some(port.to_string()),
                            });
                            published.push(docker::PortBinding {
                                host_ip: Some("::".into()),
                                host_port: Some(port.to_string()),
                            });
                        }
                    }
                }
                out.insert(key, Some(published));
            }
            Ok(())
        })();
        result?;
        in_use.extend(taken);
        c.ports = out;
        Ok(())
    }

    /// Releases a container's host ports.
    pub(crate) fn release_ports(&self, c: &mut ContainerRecord) {
        let mut in_use = self
            .ports
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for b in c.ports.values().flatten().flatten() {
            if let Some(p) = b.host_port.as_deref().and_then(|p| p.parse::<u16>().ok()) {
                in_use.remove(&p);
            }
        }
        c.ports.clear();
    }
}
