//! Docker's keys as data: for each bollard-stubs struct of a Docker response,
//! the fields of its Go struct in moby v26.1.5 that have no `omitempty`, with
//! Go's zero value (`api/types/types.go`, `container/config.go`,
//! `container/hostconfig.go`, `network/endpoint.go`, `network/ipam.go`,
//! `image/summary.go`, `volume/volume.go`, `volume/list_response.go`,
//! `system/info.go`, `registry/registry.go`, `swarm/swarm.go`,
//! `backend/backend.go`), checked against Docker Engine 26.1's answers
//! (`tests/fidelity/*.golden.json`). Where the daemon itself fills a field, its
//! value replaces Go's zero: `CDISpecDirs: []` when CDI is off, `Volumes: []`
//! for a volume list that matched none. Each table's `zero` keys are in the
//! order of bollard-stubs' struct (the unit tests check it).

use std::cmp::Ordering;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::OnceLock;

use super::{Rendered, Table, Zero};

const NULL: Zero = Zero::Null;
const ZERO: Zero = Zero::Int;
const EMPTY: Zero = Zero::Str("");
const FALSE: Zero = Zero::False;

/// The table of bollard-stubs struct `name`, if it has one.
pub fn table(name: &str) -> Option<&'static Table> {
    index(name).map(|i| ALL[i].1)
}

/// The index in [`ALL`] of struct `name`'s table.
fn index(name: &str) -> Option<usize> {
    ALL.binary_search_by(|(n, _)| by_len(n, name)).ok()
}

/// The table of struct `name` with its entries rendered (see [`Rendered`]).
pub(super) fn table_rendered(name: &'static str) -> Option<&'static Rendered> {
    let i = seen_index(name)?;
    Some(RENDERED[i].get_or_init(|| ALL[i].1.render()))
}

/// Struct names already looked up, by address: serde's derived code passes
/// the same static name every time, so a name is searched for once and then
/// known by its address and length. Direct-mapped; a slot holds
/// `address << 16 | length << 8 | index + 1` (`NO_TABLE` in the low byte for
/// a struct without a table), or 0 when empty. One `u64` per slot, so a
/// reader never sees half of another thread's entry.
static SEEN: [AtomicU64; 256] = [const { AtomicU64::new(0) }; 256];

/// The low byte of a [`SEEN`] entry for a struct that has no table.
const NO_TABLE: u64 = 0xFF;

const _: () = assert!(ALL.len() < NO_TABLE as usize);

/// [`index`], remembered in [`SEEN`] (names longer than 255 bytes, or at an
/// address past 48 bits, are searched for every time).
fn seen_index(name: &'static str) -> Option<usize> {
    let at = name.as_ptr() as u64;
    let len = name.len() as u64;
    if at >> 48 != 0 || len > 0xFF {
        return index(name);
    }
    let key = (at << 16) | (len << 8);
    // Fibonacci hashing: the top byte of the address times 2^64 / φ. A
    // name may sit in its slot or the slot's neighbour (`^ 1`): the ~15
    // names of one inspect would otherwise collide often enough to evict
    // each other and be searched for again on every response.
    let home = (at.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
    let slots = [&SEEN[home], &SEEN[home ^ 1]];
    let mut free = None;
    for slot in slots {
        let entry = slot.load(Relaxed);
        if entry != 0 && entry & !0xFF == key {
            return match entry & 0xFF {
                NO_TABLE => None,
                i => Some(i as usize - 1),
            };
        }
        if entry == 0 && free.is_none() {
            free = Some(slot);
        }
    }
    let found = index(name);
    let low = found.map_or(NO_TABLE, |i| i as u64 + 1);
    // Both taken by other names: the neighbour gives way.
    free.unwrap_or(slots[1]).store(key | low, Relaxed);
    found
}

/// Each table's entries rendered once (by index in [`ALL`]).
static RENDERED: [OnceLock<Rendered>; ALL.len()] = [const { OnceLock::new() }; ALL.len()];

/// The order of [`ALL`]: by length, then bytes, so that most comparisons of
/// the binary search (once per struct serialised) end on the lengths.
pub fn by_len(a: &str, b: &str) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

/// Every table by the name of its bollard-stubs struct (the name serde passes
/// to `serialize_struct`), sorted by [`by_len`].
pub const ALL: &[(&str, &Table)] = &[
    ("Ipam", &IPAM),
    ("Commit", &COMMIT),
    ("Volume", &VOLUME),
    ("Network", &NETWORK),
    ("IndexInfo", &INDEX_INFO),
    ("SwarmInfo", &SWARM_INFO),
    ("HostConfig", &HOST_CONFIG),
    ("MountPoint", &MOUNT_POINT),
    ("SystemInfo", &SYSTEM_INFO),
    ("PluginsInfo", &PLUGINS_INFO),
    ("ImageInspect", &IMAGE_INSPECT),
    ("ImageSummary", &IMAGE_SUMMARY),
    ("RestartPolicy", &RESTART_POLICY),
    ("ContainerState", &CONTAINER_STATE),
    ("ContainerConfig", &CONTAINER_CONFIG),
    ("NetworkSettings", &NETWORK_SETTINGS),
    ("EndpointSettings", &ENDPOINT_SETTINGS),
    ("ImagePruneResponse", &IMAGE_PRUNE_RESPONSE),
    ("VolumeListResponse", &VOLUME_LIST_RESPONSE),
    ("ExecInspectResponse", &EXEC_INSPECT_RESPONSE),
    ("HostConfigLogConfig", &HOST_CONFIG_LOG_CONFIG),
    ("VolumePruneResponse", &VOLUME_PRUNE_RESPONSE),
    ("NetworkPruneResponse", &NETWORK_PRUNE_RESPONSE),
    ("RegistryServiceConfig", &REGISTRY_SERVICE_CONFIG),
    ("ContainerPruneResponse", &CONTAINER_PRUNE_RESPONSE),
    ("SystemDataUsageResponse", &SYSTEM_DATA_USAGE_RESPONSE),
    ("ContainerInspectResponse", &CONTAINER_INSPECT_RESPONSE),
    (
        "ContainerSummaryNetworkSettings",
        &CONTAINER_SUMMARY_NETWORK_SETTINGS,
    ),
];

/// `Commit`.
const COMMIT: Table = Table::zeros(&[("ID", EMPTY), ("Expected", EMPTY)]);

/// `ContainerConfig`.
const CONTAINER_CONFIG: Table = Table::zeros(&[
    ("Hostname", EMPTY),
    ("Domainname", EMPTY),
    ("User", EMPTY),
    ("AttachStdin", FALSE),
    ("AttachStdout", FALSE),
    ("AttachStderr", FALSE),
    ("Tty", FALSE),
    ("OpenStdin", FALSE),
    ("StdinOnce", FALSE),
    ("Env", NULL),
    ("Cmd", NULL),
    ("Image", EMPTY),
    ("Volumes", NULL),
    ("WorkingDir", EMPTY),
    ("Entrypoint", NULL),
    ("OnBuild", NULL),
    ("Labels", NULL),
]);

/// `ContainerInspectResponse`.
const CONTAINER_INSPECT_RESPONSE: Table = Table {
    zero: &[
        ("Id", EMPTY),
        ("Created", EMPTY),
        ("Path", EMPTY),
        ("Args", NULL),
        ("State", NULL),
        ("Image", EMPTY),
        ("ResolvConfPath", EMPTY),
        ("HostnamePath", EMPTY),
        ("HostsPath", EMPTY),
        ("LogPath", EMPTY),
        ("Name", EMPTY),
        ("RestartCount", ZERO),
        ("Driver", EMPTY),
        ("Platform", EMPTY),
        ("MountLabel", EMPTY),
        ("ProcessLabel", EMPTY),
        ("AppArmorProfile", EMPTY),
        ("ExecIDs", NULL),
        ("HostConfig", NULL),
        ("GraphDriver", Zero::Obj(&[("Data", NULL), ("Name", EMPTY)])),
        ("Mounts", NULL),
        ("Config", NULL),
        ("NetworkSettings", NULL),
    ],
    null_if_empty: &["ExecIDs"],
    extra: &[],
};

/// `ContainerPruneResponse`.
const CONTAINER_PRUNE_RESPONSE: Table = Table {
    zero: &[("ContainersDeleted", NULL), ("SpaceReclaimed", ZERO)],
    null_if_empty: &["ContainersDeleted"],
    extra: &[],
};

/// `ContainerState`.
const CONTAINER_STATE: Table = Table::zeros(&[
    ("Status", EMPTY),
    ("Running", FALSE),
    ("Paused", FALSE),
    ("Restarting", FALSE),
    ("OOMKilled", FALSE),
    ("Dead", FALSE),
    ("Pid", ZERO),
    ("ExitCode", ZERO),
    ("Error", EMPTY),
    ("StartedAt", EMPTY),
    ("FinishedAt", EMPTY),
]);

/// `ContainerSummaryNetworkSettings`.
const CONTAINER_SUMMARY_NETWORK_SETTINGS: Table = Table::zeros(&[("Networks", NULL)]);

/// `EndpointSettings`.
const ENDPOINT_SETTINGS: Table = Table::zeros(&[
    ("IPAMConfig", NULL),
    ("Links", NULL),
    ("MacAddress", EMPTY),
    ("Aliases", NULL),
    ("NetworkID", EMPTY),
    ("EndpointID", EMPTY),
    ("Gateway", EMPTY),
    ("IPAddress", EMPTY),
    ("IPPrefixLen", ZERO),
    ("IPv6Gateway", EMPTY),
    ("GlobalIPv6Address", EMPTY),
    ("GlobalIPv6PrefixLen", ZERO),
    ("DriverOpts", NULL),
    ("DNSNames", NULL),
]);

/// `ExecInspectResponse`.
const EXEC_INSPECT_RESPONSE: Table = Table::zeros(&[
    ("CanRemove", FALSE),
    ("DetachKeys", NULL),
    ("ID", EMPTY),
    ("Running", FALSE),
    ("ExitCode", NULL),
    ("ProcessConfig", NULL),
    ("OpenStdin", FALSE),
    ("OpenStderr", FALSE),
    ("OpenStdout", FALSE),
    ("ContainerID", EMPTY),
    ("Pid", ZERO),
]);

/// `HostConfig`.
const HOST_CONFIG: Table = Table::zeros(&[
    ("CpuShares", ZERO),
    ("Memory", ZERO),
    ("CgroupParent", EMPTY),
    ("BlkioWeight", ZERO),
    ("BlkioWeightDevice", NULL),
    ("BlkioDeviceReadBps", NULL),
    ("BlkioDeviceWriteBps", NULL),
    ("BlkioDeviceReadIOps", NULL),
    ("BlkioDeviceWriteIOps", NULL),
    ("CpuPeriod", ZERO),
    ("CpuQuota", ZERO),
    ("CpuRealtimePeriod", ZERO),
    ("CpuRealtimeRuntime", ZERO),
    ("CpusetCpus", EMPTY),
    ("CpusetMems", EMPTY),
    ("Devices", NULL),
    ("DeviceCgroupRules", NULL),
    ("DeviceRequests", NULL),
    ("MemoryReservation", ZERO),
    ("MemorySwap", ZERO),
    ("MemorySwappiness", NULL),
    ("NanoCpus", ZERO),
    ("OomKillDisable", NULL),
    ("PidsLimit", NULL),
    ("Ulimits", NULL),
    ("CpuCount", ZERO),
    ("CpuPercent", ZERO),
    ("IOMaximumIOps", ZERO),
    ("IOMaximumBandwidth", ZERO),
    ("Binds", NULL),
    ("ContainerIDFile", EMPTY),
    ("LogConfig", Zero::Obj(&[("Type", EMPTY), ("Config", NULL)])),
    ("NetworkMode", EMPTY),
    ("PortBindings", NULL),
    (
        "RestartPolicy",
        Zero::Obj(&[("Name", EMPTY), ("MaximumRetryCount", ZERO)]),
    ),
    ("AutoRemove", FALSE),
    ("VolumeDriver", EMPTY),
    ("VolumesFrom", NULL),
    ("ConsoleSize", Zero::Seq(&[ZERO, ZERO])),
    ("CapAdd", NULL),
    ("CapDrop", NULL),
    ("CgroupnsMode", EMPTY),
    ("Dns", NULL),
    ("DnsOptions", NULL),
    ("DnsSearch", NULL),
    ("ExtraHosts", NULL),
    ("GroupAdd", NULL),
    ("IpcMode", EMPTY),
    ("Cgroup", EMPTY),
    ("Links", NULL),
    ("OomScoreAdj", ZERO),
    ("PidMode", EMPTY),
    ("Privileged", FALSE),
    ("PublishAllPorts", FALSE),
    ("ReadonlyRootfs", FALSE),
    ("SecurityOpt", NULL),
    ("UTSMode", EMPTY),
    ("UsernsMode", EMPTY),
    ("ShmSize", ZERO),
    ("Isolation", EMPTY),
    ("MaskedPaths", NULL),
    ("ReadonlyPaths", NULL),
]);

/// `HostConfigLogConfig`.
const HOST_CONFIG_LOG_CONFIG: Table = Table::zeros(&[("Type", EMPTY), ("Config", NULL)]);

/// `ImageInspect`.
const IMAGE_INSPECT: Table = Table::zeros(&[
    ("Id", EMPTY),
    ("RepoTags", NULL),
    ("RepoDigests", NULL),
    ("Parent", EMPTY),
    ("Comment", EMPTY),
    ("DockerVersion", EMPTY),
    ("Author", EMPTY),
    ("Config", NULL),
    ("Architecture", EMPTY),
    ("Os", EMPTY),
    ("Size", ZERO),
    ("GraphDriver", Zero::Obj(&[("Data", NULL), ("Name", EMPTY)])),
    ("RootFS", Zero::Obj(&[])),
    ("Metadata", Zero::Obj(&[])),
]);

/// `ImagePruneResponse`.
const IMAGE_PRUNE_RESPONSE: Table = Table {
    zero: &[("ImagesDeleted", NULL), ("SpaceReclaimed", ZERO)],
    null_if_empty: &["ImagesDeleted"],
    extra: &[],
};

/// `ImageSummary`.
const IMAGE_SUMMARY: Table = Table {
    zero: &[],
    null_if_empty: &["Labels"],
    extra: &[],
};

/// `Ipam`.
const IPAM: Table = Table {
    zero: &[("Driver", EMPTY), ("Config", NULL), ("Options", NULL)],
    null_if_empty: &["Config", "Options"],
    extra: &[],
};

/// `MountPoint`.
const MOUNT_POINT: Table = Table::zeros(&[
    ("Source", EMPTY),
    ("Destination", EMPTY),
    ("Mode", EMPTY),
    ("RW", FALSE),
    ("Propagation", EMPTY),
]);

/// `Network`.
const NETWORK: Table = Table {
    zero: &[
        ("Name", EMPTY),
        ("Id", EMPTY),
        ("Scope", EMPTY),
        ("Driver", EMPTY),
        ("EnableIPv6", FALSE),
        (
            "IPAM",
            Zero::Obj(&[("Driver", EMPTY), ("Options", NULL), ("Config", NULL)]),
        ),
        ("Internal", FALSE),
        ("Attachable", FALSE),
        ("Ingress", FALSE),
        ("Containers", NULL),
        ("Options", NULL),
        ("Labels", NULL),
    ],
    null_if_empty: &[],
    extra: &[
        ("ConfigFrom", Zero::Obj(&[("Network", EMPTY)])),
        ("ConfigOnly", FALSE),
    ],
};

/// `NetworkPruneResponse`.
const NETWORK_PRUNE_RESPONSE: Table = Table {
    zero: &[("NetworksDeleted", NULL)],
    null_if_empty: &["NetworksDeleted"],
    extra: &[],
};

/// `NetworkSettings`.
const NETWORK_SETTINGS: Table = Table::zeros(&[
    ("Bridge", EMPTY),
    ("SandboxID", EMPTY),
    ("HairpinMode", FALSE),
    ("LinkLocalIPv6Address", EMPTY),
    ("LinkLocalIPv6PrefixLen", ZERO),
    ("Ports", NULL),
    ("SandboxKey", EMPTY),
    ("SecondaryIPAddresses", NULL),
    ("SecondaryIPv6Addresses", NULL),
    ("EndpointID", EMPTY),
    ("Gateway", EMPTY),
    ("GlobalIPv6Address", EMPTY),
    ("GlobalIPv6PrefixLen", ZERO),
    ("IPAddress", EMPTY),
    ("IPPrefixLen", ZERO),
    ("IPv6Gateway", EMPTY),
    ("MacAddress", EMPTY),
    ("Networks", NULL),
]);

/// `RegistryServiceConfig`.
const REGISTRY_SERVICE_CONFIG: Table = Table {
    zero: &[
        ("AllowNondistributableArtifactsCIDRs", NULL),
        ("AllowNondistributableArtifactsHostnames", NULL),
        ("InsecureRegistryCIDRs", NULL),
        ("IndexConfigs", NULL),
        ("Mirrors", NULL),
    ],
    null_if_empty: &[
        "AllowNondistributableArtifactsCIDRs",
        "AllowNondistributableArtifactsHostnames",
        "Mirrors",
    ],
    extra: &[],
};

/// `RestartPolicy`.
const RESTART_POLICY: Table = Table::zeros(&[("Name", EMPTY), ("MaximumRetryCount", ZERO)]);

/// `SwarmInfo`.
const SWARM_INFO: Table = Table::zeros(&[
    ("NodeID", EMPTY),
    ("NodeAddr", EMPTY),
    ("LocalNodeState", EMPTY),
    ("ControlAvailable", FALSE),
    ("Error", EMPTY),
    ("RemoteManagers", NULL),
]);

/// `SystemDataUsageResponse` (`types.DiskUsage`): a section not asked for
/// with `type` is null.
const SYSTEM_DATA_USAGE_RESPONSE: Table = Table::zeros(&[
    ("LayersSize", ZERO),
    ("Images", NULL),
    ("Containers", NULL),
    ("Volumes", NULL),
    ("BuildCache", NULL),
]);

/// `SystemInfo`.
const SYSTEM_INFO: Table = Table {
    zero: &[
        ("ID", EMPTY),
        ("Containers", ZERO),
        ("ContainersRunning", ZERO),
        ("ContainersPaused", ZERO),
        ("ContainersStopped", ZERO),
        ("Images", ZERO),
        ("Driver", EMPTY),
        ("DriverStatus", NULL),
        ("DockerRootDir", EMPTY),
        (
            "Plugins",
            Zero::Obj(&[
                ("Volume", NULL),
                ("Network", NULL),
                ("Authorization", NULL),
                ("Log", NULL),
            ]),
        ),
        ("MemoryLimit", FALSE),
        ("SwapLimit", FALSE),
        ("CpuCfsPeriod", FALSE),
        ("CpuCfsQuota", FALSE),
        ("CPUShares", FALSE),
        ("CPUSet", FALSE),
        ("PidsLimit", FALSE),
        ("OomKillDisable", FALSE),
        ("IPv4Forwarding", FALSE),
        ("BridgeNfIptables", FALSE),
        ("BridgeNfIp6tables", FALSE),
        ("Debug", FALSE),
        ("NFd", ZERO),
        ("NGoroutines", ZERO),
        ("SystemTime", EMPTY),
        ("LoggingDriver", EMPTY),
        ("CgroupDriver", EMPTY),
        ("NEventsListener", ZERO),
        ("KernelVersion", EMPTY),
        ("OperatingSystem", EMPTY),
        ("OSVersion", EMPTY),
        ("OSType", EMPTY),
        ("Architecture", EMPTY),
        ("NCPU", ZERO),
        ("MemTotal", ZERO),
        ("IndexServerAddress", EMPTY),
        ("RegistryConfig", NULL),
        ("GenericResources", NULL),
        ("HttpProxy", EMPTY),
        ("HttpsProxy", EMPTY),
        ("NoProxy", EMPTY),
        ("Name", EMPTY),
        ("Labels", NULL),
        ("ExperimentalBuild", FALSE),
        ("ServerVersion", EMPTY),
        ("Runtimes", NULL),
        ("DefaultRuntime", EMPTY),
        (
            "Swarm",
            Zero::Obj(&[
                ("NodeID", EMPTY),
                ("NodeAddr", EMPTY),
                ("LocalNodeState", EMPTY),
                ("ControlAvailable", FALSE),
                ("Error", EMPTY),
                ("RemoteManagers", NULL),
            ]),
        ),
        ("LiveRestoreEnabled", FALSE),
        ("Isolation", EMPTY),
        ("InitBinary", EMPTY),
        (
            "ContainerdCommit",
            Zero::Obj(&[("ID", EMPTY), ("Expected", EMPTY)]),
        ),
        (
            "RuncCommit",
            Zero::Obj(&[("ID", EMPTY), ("Expected", EMPTY)]),
        ),
        (
            "InitCommit",
            Zero::Obj(&[("ID", EMPTY), ("Expected", EMPTY)]),
        ),
        ("SecurityOptions", NULL),
        ("Warnings", NULL),
        ("CDISpecDirs", Zero::Seq(&[])),
    ],
    null_if_empty: &["Warnings"],
    extra: &[],
};

/// `Volume`.
const VOLUME: Table = Table {
    zero: &[("Scope", EMPTY)],
    null_if_empty: &["Labels", "Options"],
    extra: &[],
};

/// `VolumeListResponse`.
const VOLUME_LIST_RESPONSE: Table = Table {
    zero: &[("Volumes", Zero::Seq(&[])), ("Warnings", NULL)],
    null_if_empty: &["Warnings"],
    extra: &[],
};

/// `VolumePruneResponse`.
const VOLUME_PRUNE_RESPONSE: Table =
    Table::zeros(&[("VolumesDeleted", NULL), ("SpaceReclaimed", ZERO)]);

/// `IndexInfo` (`registry.IndexInfo`).
const INDEX_INFO: Table = Table::zeros(&[
    ("Name", EMPTY),
    ("Mirrors", NULL),
    ("Secure", FALSE),
    ("Official", FALSE),
]);

/// `PluginsInfo` (`system.PluginsInfo`).
const PLUGINS_INFO: Table = Table::zeros(&[
    ("Volume", NULL),
    ("Network", NULL),
    ("Authorization", NULL),
    ("Log", NULL),
]);

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of `text` at an address of its own, for as long as the test runs.
    fn elsewhere(text: &str) -> &'static str {
        Box::leak(text.to_owned().into_boxed_str())
    }

    /// Every table is found by its name, first by search and then by address,
    /// and so is a copy of the name elsewhere; a name without a table is
    /// none both times; a shorter or longer name at a remembered address is
    /// looked up as itself.
    #[test]
    fn names_are_found_by_search_then_by_address() {
        for (i, (name, _)) in ALL.iter().enumerate() {
            assert_eq!(seen_index(name), Some(i), "{name}");
            assert_eq!(seen_index(name), Some(i), "{name} again");
            assert_eq!(seen_index(elsewhere(name)), Some(i), "{name} elsewhere");
        }
        for _ in 0..2 {
            assert_eq!(seen_index("NoSuchStruct"), None);
        }
        let long = elsewhere("HostConfigX");
        let (host_config, host) = (&long[..10], &long[..4]);
        let at = ALL.iter().position(|(n, _)| *n == "HostConfig");
        assert!(at.is_some());
        for _ in 0..2 {
            assert_eq!(seen_index(host_config), at);
            assert_eq!(seen_index(long), None);
            assert_eq!(seen_index(host), None);
        }
    }
}
