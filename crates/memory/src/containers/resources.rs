//! moby's checks of a create's resource limits (`verifyPlatformContainerResources`
//! and the limits of `verifyPlatformContainerSettings`), in Docker Engine 26's
//! words, for the values a simulated host would otherwise take silently.

use sockerless_core::api::docker;
use sockerless_core::error::{Error, Result};

/// Docker's smallest memory limit and reservation: 6 MiB.
const MIN_MEMORY: i64 = 6 << 20;

/// Checks `host`'s resource limits for a host of `ncpu` CPUs: 400 with
/// Docker's words for the first limit it refuses.
pub(crate) fn check_resources(host: &docker::HostConfig, ncpu: i64) -> Result<()> {
    let bad = |m: String| Err(Error::bad_request(m));
    let memory = host.memory.unwrap_or(0);
    let swap = host.memory_swap.unwrap_or(0);
    let reservation = host.memory_reservation.unwrap_or(0);
    if memory != 0 && memory < MIN_MEMORY {
        return bad("Minimum memory limit allowed is 6MB".into());
    }
    if memory > 0 && swap > 0 && swap < memory {
        return bad(
            "Minimum memoryswap limit should be larger than memory limit, see usage".into(),
        );
    }
    if memory == 0 && swap > 0 {
        return bad(
            "You should always set the Memory limit when using Memoryswap limit, see usage".into(),
        );
    }
    // -1 means "the default", as Docker's client sends when unset.
    if let Some(s) = host.memory_swappiness.filter(|s| *s != -1) {
        if !(0..=100).contains(&s) {
            return bad(format!(
                "Invalid value: {s}, valid memory swappiness range is 0-100"
            ));
        }
    }
    if reservation > 0 && reservation < MIN_MEMORY {
        return bad("Minimum memory reservation allowed is 6MB".into());
    }
    if memory > 0 && reservation > 0 && memory < reservation {
        return bad(
            "Minimum memory limit can not be less than memory reservation limit, see usage".into(),
        );
    }
    let nano = host.nano_cpus.unwrap_or(0);
    let (period, quota) = (host.cpu_period.unwrap_or(0), host.cpu_quota.unwrap_or(0));
    if nano > 0 && period > 0 {
        return bad("Conflicting options: Nano CPUs and CPU Period cannot both be set".into());
    }
    if nano > 0 && quota > 0 {
        return bad("Conflicting options: Nano CPUs and CPU Quota cannot both be set".into());
    }
    if nano != 0 && (nano < 0 || nano > ncpu.saturating_mul(1_000_000_000)) {
        return bad(format!(
            "Range of CPUs is from 0.01 to {ncpu}.00, as there are only {ncpu} CPUs available"
        ));
    }
    if period != 0 && !(1000..=1_000_000).contains(&period) {
        return bad(
            "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"
                .into(),
        );
    }
    if quota > 0 && quota < 1000 {
        return bad("CPU cfs quota can not be less than 1ms (i.e. 1000)".into());
    }
    if host.io_maximum_bandwidth.unwrap_or(0) != 0 || host.io_maximum_iops.unwrap_or(0) != 0 {
        return bad(
            "Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps"
                .into(),
        );
    }
    if host.shm_size.is_some_and(|s| s < 0) {
        return bad("SHM size can not be less than 0".into());
    }
    if let Some(adj) = host.oom_score_adj.filter(|a| !(-1000..=1000).contains(a)) {
        return bad(format!(
            "Invalid value {adj}, range for oom score adj is [-1000, 1000]"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: serde_json::Value) -> std::result::Result<(), String> {
        let host: docker::HostConfig = serde_json::from_value(json).expect("host config");
        check_resources(&host, 2).map_err(|e| e.to_string())
    }

    #[test]
    fn limits_docker_accepts() {
        for ok in [
            serde_json::json!({}),
            serde_json::json!({"Memory": 0, "MemorySwap": -1, "MemorySwappiness": -1}),
            serde_json::json!({"Memory": 6_291_456, "MemorySwap": 6_291_456}),
            serde_json::json!({"NanoCpus": 1_000_000, "CpuShares": -1, "PidsLimit": -5}),
            serde_json::json!({"NanoCpus": 2_000_000_000, "ShmSize": 0, "OomScoreAdj": -1000}),
            serde_json::json!({"CpuPeriod": 100_000, "CpuQuota": 50_000}),
        ] {
            assert_eq!(check(ok.clone()), Ok(()), "{ok}");
        }
    }

    #[test]
    fn limits_docker_refuses_in_its_words() {
        for (bad, says) in [
            (serde_json::json!({"Memory": -5}), "Minimum memory limit allowed is 6MB"),
            (serde_json::json!({"Memory": 10_000_000, "MemorySwap": 5_000_000}), "Minimum memoryswap limit should be larger than memory limit, see usage"),
            (serde_json::json!({"MemorySwap": 5_000_000}), "You should always set the Memory limit when using Memoryswap limit, see usage"),
            (serde_json::json!({"MemorySwappiness": 101}), "Invalid value: 101, valid memory swappiness range is 0-100"),
            (serde_json::json!({"MemoryReservation": 100}), "Minimum memory reservation allowed is 6MB"),
            (serde_json::json!({"Memory": 10_000_000, "MemoryReservation": 20_000_000}), "Minimum memory limit can not be less than memory reservation limit, see usage"),
            (serde_json::json!({"NanoCpus": 1_000_000_000, "CpuPeriod": 100_000}), "Conflicting options: Nano CPUs and CPU Period cannot both be set"),
            (serde_json::json!({"NanoCpus": -1}), "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"),
            (serde_json::json!({"NanoCpus": 99_000_000_000_i64}), "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"),
            (serde_json::json!({"CpuPeriod": 500}), "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"),
            (serde_json::json!({"CpuQuota": 500}), "CPU cfs quota can not be less than 1ms (i.e. 1000)"),
            (serde_json::json!({"ShmSize": -1}), "SHM size can not be less than 0"),
            (serde_json::json!({"OomScoreAdj": 1001}), "Invalid value 1001, range for oom score adj is [-1000, 1000]"),
        ] {
            assert_eq!(check(bad.clone()), Err(says.to_string()), "{bad}");
        }
    }
}
