//! Docker's checks of a create body before anything else (moby
//! `daemon/container.go`: `validateContainerConfig`, `validateHealthCheck`,
//! `validateHostConfig`, `validatePortBindings`), in its words as Docker Engine
//! 26 answers them (400). Both the internal API and the Docker frontend get
//! them: they live in the backend's create.

use std::net::IpAddr;

use sockerless_core::api::docker;
use sockerless_core::docker::signal;
use sockerless_core::error::{Error, Result};

/// Docker's smallest health-check duration: 1 ms, in nanoseconds.
const MIN_HEALTH_DURATION: i64 = 1_000_000;

/// The checks of the container config (`validateContainerConfig`): stop
/// signal, environment, health check.
pub(crate) fn check_config(config: &docker::ContainerConfig) -> Result<()> {
    if let Some(sig) = config.stop_signal.as_deref().filter(|s| !s.is_empty()) {
        if signal::parse_signal(sig).is_none() {
            return Err(Error::bad_request(format!("invalid signal: {sig}")));
        }
    }
    for env in config.env.iter().flatten() {
        // `opts.ValidateEnv`: a variable needs a name (`=foo` and `` have none).
        if env.is_empty() || env.starts_with('=') {
            return Err(Error::bad_request(format!(
                "invalid environment variable: {env}"
            )));
        }
    }
    if let Some(h) = &config.healthcheck {
        check_health(h)?;
    }
    Ok(())
}

/// `validateHealthCheck`.
fn check_health(h: &docker::HealthConfig) -> Result<()> {
    let too_short = |v: Option<i64>| v.is_some_and(|n| n != 0 && n < MIN_HEALTH_DURATION);
    for (what, v) in [("Interval", h.interval), ("Timeout", h.timeout)] {
        if too_short(v) {
            return Err(Error::bad_request(format!(
                "{what} in Healthcheck cannot be less than 1ms"
            )));
        }
    }
    if h.retries.is_some_and(|r| r < 0) {
        return Err(Error::bad_request(
            "Retries in Healthcheck cannot be negative",
        ));
    }
    for (what, v) in [
        ("StartPeriod", h.start_period),
        ("StartInterval", h.start_interval),
    ] {
        if too_short(v) {
            return Err(Error::bad_request(format!(
                "{what} in Healthcheck cannot be less than 1ms"
            )));
        }
    }
    Ok(())
}

/// The checks of the host config (`validateHostConfig`) this backend does not
/// make elsewhere: extra hosts and port bindings.
pub(crate) fn check_host_config(host: &docker::HostConfig) -> Result<()> {
    for entry in host.extra_hosts.iter().flatten() {
        check_extra_host(entry)?;
    }
    for (port, bindings) in host.port_bindings.iter().flatten() {
        let spec = port.split_once('/').map_or(port.as_str(), |(p, _)| p);
        if parse_port_range(spec).is_none() {
            return Err(invalid_port(spec));
        }
        for b in bindings.iter().flatten() {
            let host_port = b.host_port.as_deref().unwrap_or("");
            if !host_port.is_empty() && parse_port_range(host_port).is_none() {
                return Err(invalid_port(host_port));
            }
        }
    }
    Ok(())
}

fn invalid_port(spec: &str) -> Error {
    Error::bad_request(format!("invalid port specification: {spec:?}"))
}

/// `HOST:IP` (`opts.ValidateExtraHost` of Docker 26): split at the first
/// colon, a non-empty name, an IP address or `host-gateway`.
fn check_extra_host(entry: &str) -> Result<()> {
    let Some((_, ip)) = entry.split_once(':').filter(|(name, _)| !name.is_empty()) else {
        return Err(Error::bad_request(format!(
            "bad format for add-host: {entry:?}"
        )));
    };
    if ip != "host-gateway" && ip.parse::<IpAddr>().is_err() {
        return Err(Error::bad_request(format!(
            "invalid IP address in add-host: {ip:?}"
        )));
    }
    Ok(())
}

/// A port or a range `START-END` of ports `0..=65535`, `START <= END`.
fn parse_port_range(s: &str) -> Option<(u16, u16)> {
    let port = |p: &str| {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u16>().ok())
            .flatten()
    };
    match s.split_once('-') {
        None => port(s).map(|p| (p, p)),
        Some((a, b)) => {
            let (a, b) = (port(a)?, port(b)?);
            (a <= b).then_some((a, b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_and_extra_hosts() {
        assert_eq!(parse_port_range("80"), Some((80, 80)));
        assert_eq!(parse_port_range("80-90"), Some((80, 90)));
        for bad in ["", "abc", "99999", "80-90000", "90-80", "-1", "+80", "80-"] {
            assert_eq!(parse_port_range(bad), None, "{bad}");
        }
        for good in ["h:1.2.3.4", "h:host-gateway", "h:::1"] {
            assert!(check_extra_host(good).is_ok(), "{good}");
        }
        for bad in [
            "nocolon",
            "h:notanip",
            "h:",
            "h:[::1]",
            "h=1.2.3.4",
            ":1.2.3.4",
        ] {
            assert!(check_extra_host(bad).is_err(), "{bad}");
        }
    }
}
