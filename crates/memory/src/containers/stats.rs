//! `GET /containers/{ref}/stats`: Docker's shape with plausible figures that
//! grow with time.

use std::time::SystemTime;

use super::record::ContainerRecord;
use sockerless_core::docker::timefmt;

/// Docker's stats shape with simulated values that grow with time.
pub(crate) fn stats_json(c: &ContainerRecord, now: SystemTime, tick: u64) -> serde_json::Value {
    let running = c.is_running();
    let cpu = if running { 1_000_000 * (tick + 1) } else { 0 };
    let mem: u64 = if running {
        4 * 1024 * 1024 + tick * 4096
    } else {
        0
    };
    let networks: serde_json::Map<String, serde_json::Value> = c
        .networks
        .keys()
        .map(|_| {
            (
                "eth0".to_string(),
                serde_json::json!({"rx_bytes": 1024 * tick, "rx_packets": tick, "rx_errors": 0, "rx_dropped": 0,
                                   "tx_bytes": 512 * tick, "tx_packets": tick, "tx_errors": 0, "tx_dropped": 0}),
            )
        })
        .collect();
    serde_json::json!({
        "read": timefmt::rfc3339_nano(now),
        "preread": timefmt::ZERO_TIME,
        "id": c.id,
        "name": c.name,
        // Docker reads no pids of a container that is not running: `{}`.
        "pids_stats": if running { serde_json::json!({"current": 1, "limit": 4194304}) } else { serde_json::json!({}) },
        "num_procs": 0,
        "blkio_stats": {"io_service_bytes_recursive": null, "io_serviced_recursive": null},
        "storage_stats": {},
        "cpu_stats": {
            "cpu_usage": {"total_usage": cpu, "usage_in_kernelmode": cpu / 2, "usage_in_usermode": cpu / 2},
            "system_cpu_usage": 1_000_000_000u64 * (tick + 1),
            "online_cpus": 2,
            "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}
        },
        "precpu_stats": {
            "cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
            "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}
        },
        "memory_stats": {"usage": mem, "limit": 24u64 * 1024 * 1024 * 1024, "stats": {"inactive_file": 0}},
        "networks": networks,
    })
}
