//! `GET /containers/{ref}/json`: the record in Docker's inspect shape.

use std::collections::HashMap;
use std::time::SystemTime;

use super::cold::ColdObjects;
use super::ports::port_keys;
use super::record::{ContainerRecord, Status};
use crate::backend::MemoryBackend;
use sockerless_core::api::docker;
use sockerless_core::docker::timefmt;

/// The `HostConfig` fields Docker always reports, filled where the request left
/// them out (clients read several of them unconditionally).
pub(crate) fn fill_host_defaults(h: &mut docker::HostConfig) {
    h.restart_policy.get_or_insert(docker::RestartPolicy {
        name: Some(docker::RestartPolicyNameEnum::NO),
        maximum_retry_count: Some(0),
    });
    h.log_config.get_or_insert(docker::HostConfigLogConfig {
        typ: Some("json-file".into()),
        config: Some(HashMap::new()),
    });
    h.auto_remove.get_or_insert(false);
    h.privileged.get_or_insert(false);
    h.publish_all_ports.get_or_insert(false);
    h.readonly_rootfs.get_or_insert(false);
    h.ipc_mode.get_or_insert_with(|| "private".into());
    h.pid_mode.get_or_insert_with(String::new);
    h.shm_size.get_or_insert(64 * 1024 * 1024);
    h.console_size.get_or_insert_with(|| vec![0, 0]);
    h.oom_kill_disable.get_or_insert(false);
    h.runtime.get_or_insert_with(|| "runc".into());
    // The default on a cgroup v2 host (moby `DefaultCgroupNamespaceMode`).
    h.cgroupns_mode
        .get_or_insert(docker::HostConfigCgroupnsModeEnum::PRIVATE);
    // moby `daemon/create_unix.go`: the OCI defaults unless privileged.
    if h.privileged != Some(true) {
        h.masked_paths
            .get_or_insert_with(|| to_strings(DEFAULT_MASKED_PATHS));
        h.readonly_paths
            .get_or_insert_with(|| to_strings(DEFAULT_READONLY_PATHS));
    }
}

/// Docker's default masked paths (moby `oci/defaults.go`).
const DEFAULT_MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Docker's default read-only paths (moby `oci/defaults.go`).
const DEFAULT_READONLY_PATHS: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

fn to_strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl MemoryBackend {
    /// Container `c` in Docker's inspect shape; `cold` is where its objects
    /// are, of which the lookup asked for the first few.
    pub(crate) fn inspect_record(
        &self,
        c: &ContainerRecord,
        cold: &ColdObjects,
    ) -> docker::ContainerInspectResponse {
        let zero = || timefmt::ZERO_TIME.to_string();
        let time = |t: Option<SystemTime>| t.map(timefmt::rfc3339_nano).unwrap_or_else(zero);
        let s = &c.state;
        let host = c.host_config.get();
        let state = docker::ContainerState {
            status: Some(s.status.docker()),
            running: Some(c.is_running()),
            paused: Some(s.status == Status::Paused),
            restarting: Some(s.status == Status::Restarting),
            oom_killed: Some(s.oom_killed),
            dead: Some(s.status == Status::Dead),
            pid: Some(s.pid),
            exit_code: Some(s.exit_code),
            error: Some(s.error.clone()),
            started_at: Some(time(s.started_at)),
            finished_at: Some(time(s.finished_at)),
            health: s.health.clone(),
        };
        // Docker fills the endpoints (network and endpoint IDs), the port
        // map and the log file when the container first starts.
        let started = s.started_at.is_some();
        let mut networks = c.networks.to_map();
        if !started {
            for e in networks.values_mut() {
                e.network_id = Some(String::new());
                e.endpoint_id = Some(String::new());
            }
        }
        // The network settings read, most of what the lookup asked for has
        // come: now the rest, which the config and the mounts read last.
        cold.prefetch_later(c);
        // The top-level addresses are the default bridge's, as in Docker.
        let bridge = networks.get("bridge");
        let field = |f: fn(&docker::EndpointSettings) -> Option<String>| {
            bridge.and_then(f).unwrap_or_default()
        };
        let mut ports: docker::PortMap = HashMap::new();
        if c.is_running() {
            ports = c.ports.clone();
        } else if started {
            for key in port_keys(c, host.port_bindings.as_ref()) {
                ports.insert(key, None);
            }
        }
        let network_settings = docker::NetworkSettings {
            bridge: Some(String::new()),
            sandbox_id: Some(if c.is_running() {
                c.id.to_string()
            } else {
                String::new()
            }),
            hairpin_mode: Some(false),
            link_local_ipv6_address: Some(String::new()),
            link_local_ipv6_prefix_len: Some(0),
            ports: Some(ports),
            sandbox_key: Some(if c.is_running() {
                format!("/var/run/docker/netns/{}", c.short_id())
            } else {
                String::new()
            }),
            secondary_ip_addresses: None,
            secondary_ipv6_addresses: None,
            endpoint_id: Some(field(|e| e.endpoint_id.clone())),
            gateway: Some(field(|e| e.gateway.clone())),
            global_ipv6_address: Some(String::new()),
            global_ipv6_prefix_len: Some(0),
            ip_address: Some(field(|e| e.ip_address.clone())),
            ip_prefix_len: Some(bridge.and_then(|e| e.ip_prefix_len).unwrap_or(0)),
            ipv6_gateway: Some(String::new()),
            mac_address: Some(field(|e| e.mac_address.clone())),
            networks: Some(networks),
        };
        let exec_ids = self.store.container_execs.of(&c.id);
        // `concat`: one exact allocation each, no formatting machinery.
        let dir = ["/var/lib/docker/containers/", &c.id].concat();
        docker::ContainerInspectResponse {
            id: Some(c.id.to_string()),
            created: Some(timefmt::rfc3339_nano(c.created)),
            path: Some((*c.path).clone()),
            args: Some((*c.args).clone()),
            state: Some(state),
            image: Some(c.image_id.clone()),
            resolv_conf_path: Some([&dir, "/resolv.conf"].concat()),
            hostname_path: Some([&dir, "/hostname"].concat()),
            hosts_path: Some([&dir, "/hosts"].concat()),
            log_path: Some(if started {
                [&dir, "/", &c.id, "-json.log"].concat()
            } else {
                String::new()
            }),
            name: Some(c.name.clone()),
            restart_count: Some(c.restart_count),
            driver: Some("overlay2".into()),
            platform: Some("linux".into()),
            mount_label: Some(String::new()),
            process_label: Some(String::new()),
            app_armor_profile: Some(String::new()),
            // Docker sends null when there are none; an empty array reads the
            // same to Go clients and iterates safely in Python.
            exec_ids: Some(exec_ids),
            // Defaults are filled here, not stored: a few small allocations per
            // stored container measurably slow a scan of 100 000 of them.
            host_config: Some({
                let mut h = host;
                fill_host_defaults(&mut h);
                h
            }),
            graph_driver: Some(docker::GraphDriverData {
                name: "overlay2".into(),
                data: HashMap::new(),
            }),
            size_rw: None,
            size_root_fs: None,
            mounts: Some(c.mount_points()),
            config: Some(c.config.to_docker()),
            network_settings: Some(network_settings),
        }
    }
}
