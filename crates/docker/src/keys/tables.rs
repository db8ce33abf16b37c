//! Docker's keys as data: for each bollard-stubs struct of a Docker response,
//! the fields of its Go struct in moby v26.1.5 that have no `omitempty`, with
//! Go's zero value (`api/types/types.go`, `container/config.go`,
//! `container/hostconfig.go`, `network/endpoint.go`, `network/ipam.go`,
//! `image/summary.go`, `volume/volume.go`, `volume/list_response.go`,
//! `system/info.go`, `registry/registry.go`, `swarm/swarm.go`,
//! `backend/backend.go`), checked against Docker Engine 26.1's answers
//! (`tests/fidelity/*.golden.json`). Where the daemon itself fills a field, its
//! value replaces Go's zero: `CDISpecDirs: []` when CDI is off, `Volumes: []`
//! for a volume list that matched none.

use super::{Table, Zero};

const NULL: Zero = Zero::Null;
const ZERO: Zero = Zero::Int;
const EMPTY: Zero = Zero::Str("");
const FALSE: Zero = Zero::False;

/// The table of bollard-stubs struct `name`, if it has one.
pub fn table(name: &str) -> Option<&'static Table> {
    ALL.binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| ALL[i].1)
}

/// Every table by the name of its bollard-stubs struct (the name serde passes
/// to `serialize_struct`), sorted by name.
pub const ALL: &[(&str, &Table)] = &[
    ("Commit", &COMMIT),
    ("ContainerConfig", &CONTAINER_CONFIG),
    ("ContainerInspectResponse", &CONTAINER_INSPECT_RESPONSE),
    ("ContainerPruneResponse", &CONTAINER_PRUNE_RESPONSE),
    ("ContainerState", &CONTAINER_STATE),
    (
        "ContainerSummaryNetworkSettings",
        &CONTAINER_SUMMARY_NETWORK_SETTINGS,
    ),
    ("EndpointSettings", &ENDPOINT_SETTINGS),
    ("ExecInspectResponse", &EXEC_INSPECT_RESPONSE),
    ("HostConfig", &HOST_CONFIG),
    ("HostConfigLogConfig", &HOST_CONFIG_LOG_CONFIG),
    ("ImageInspect", &IMAGE_INSPECT),
    ("ImagePruneResponse", &IMAGE_PRUNE_RESPONSE),
    ("ImageSummary", &IMAGE_SUMMARY),
    ("IndexInfo", &INDEX_INFO),
    ("Ipam", &IPAM),
    ("MountPoint", &MOUNT_POINT),
    ("Network", &NETWORK),
    ("NetworkPruneResponse", &NETWORK_PRUNE_RESPONSE),
    ("NetworkSettings", &NETWORK_SETTINGS),
    ("PluginsInfo", &PLUGINS_INFO),
    ("RegistryServiceConfig", &REGISTRY_SERVICE_CONFIG),
    ("RestartPolicy", &RESTART_POLICY),
    ("SwarmInfo", &SWARM_INFO),
    ("SystemDataUsageResponse", &SYSTEM_DATA_USAGE_RESPONSE),
    ("SystemInfo", &SYSTEM_INFO),
    ("Volume", &VOLUME),
    ("VolumeListResponse", &VOLUME_LIST_RESPONSE),
    ("VolumePruneResponse", &VOLUME_PRUNE_RESPONSE),
];

/// `Commit`.
const COMMIT: Table = Table {
    zero: &[("Expected", EMPTY), ("ID", EMPTY)],
    null_if_empty: &[],
    extra: &[],
};

/// `ContainerConfig`.
const CONTAINER_CONFIG: Table = Table {
    zero: &[
        ("AttachStderr", FALSE),
        ("AttachStdin", FALSE),
        ("AttachStdout", FALSE),
        ("Cmd", NULL),
        ("Domainname", EMPTY),
        ("Entrypoint", NULL),
        ("Env", NULL),
        ("Hostname", EMPTY),
        ("Image", EMPTY),
        ("Labels", NULL),
        ("OnBuild", NULL),
        ("OpenStdin", FALSE),
        ("StdinOnce", FALSE),
        ("Tty", FALSE),
        ("User", EMPTY),
        ("Volumes", NULL),
        ("WorkingDir", EMPTY),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `ContainerInspectResponse`.
const CONTAINER_INSPECT_RESPONSE: Table = Table {
    zero: &[
        ("AppArmorProfile", EMPTY),
        ("Args", NULL),
        ("Config", NULL),
        ("Created", EMPTY),
        ("Driver", EMPTY),
        ("ExecIDs", NULL),
        ("GraphDriver", Zero::Obj(&[("Data", NULL), ("Name", EMPTY)])),
        ("HostConfig", NULL),
        ("HostnamePath", EMPTY),
        ("HostsPath", EMPTY),
        ("Id", EMPTY),
        ("Image", EMPTY),
        ("LogPath", EMPTY),
        ("MountLabel", EMPTY),
        ("Mounts", NULL),
        ("Name", EMPTY),
        ("NetworkSettings", NULL),
        ("Path", EMPTY),
        ("Platform", EMPTY),
        ("ProcessLabel", EMPTY),
        ("ResolvConfPath", EMPTY),
        ("RestartCount", ZERO),
        ("State", NULL),
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
const CONTAINER_STATE: Table = Table {
    zero: &[
        ("Dead", FALSE),
        ("Error", EMPTY),
        ("ExitCode", ZERO),
        ("FinishedAt", EMPTY),
        ("OOMKilled", FALSE),
        ("Paused", FALSE),
        ("Pid", ZERO),
        ("Restarting", FALSE),
        ("Running", FALSE),
        ("StartedAt", EMPTY),
        ("Status", EMPTY),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `ContainerSummaryNetworkSettings`.
const CONTAINER_SUMMARY_NETWORK_SETTINGS: Table = Table {
    zero: &[("Networks", NULL)],
    null_if_empty: &[],
    extra: &[],
};

/// `EndpointSettings`.
const ENDPOINT_SETTINGS: Table = Table {
    zero: &[
        ("Aliases", NULL),
        ("DNSNames", NULL),
        ("DriverOpts", NULL),
        ("EndpointID", EMPTY),
        ("Gateway", EMPTY),
        ("GlobalIPv6Address", EMPTY),
        ("GlobalIPv6PrefixLen", ZERO),
        ("IPAMConfig", NULL),
        ("IPAddress", EMPTY),
        ("IPPrefixLen", ZERO),
        ("IPv6Gateway", EMPTY),
        ("Links", NULL),
        ("MacAddress", EMPTY),
        ("NetworkID", EMPTY),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `ExecInspectResponse`.
const EXEC_INSPECT_RESPONSE: Table = Table {
    zero: &[
        ("CanRemove", FALSE),
        ("ContainerID", EMPTY),
        ("DetachKeys", NULL),
        ("ExitCode", NULL),
        ("ID", EMPTY),
        ("OpenStderr", FALSE),
        ("OpenStdin", FALSE),
        ("OpenStdout", FALSE),
        ("Pid", ZERO),
        ("ProcessConfig", NULL),
        ("Running", FALSE),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `HostConfig`.
const HOST_CONFIG: Table = Table {
    zero: &[
        ("AutoRemove", FALSE),
        ("Binds", NULL),
        ("BlkioDeviceReadBps", NULL),
        ("BlkioDeviceReadIOps", NULL),
        ("BlkioDeviceWriteBps", NULL),
        ("BlkioDeviceWriteIOps", NULL),
        ("BlkioWeight", ZERO),
        ("BlkioWeightDevice", NULL),
        ("CapAdd", NULL),
        ("CapDrop", NULL),
        ("Cgroup", EMPTY),
        ("CgroupParent", EMPTY),
        ("CgroupnsMode", EMPTY),
        ("ConsoleSize", Zero::Seq(&[ZERO, ZERO])),
        ("ContainerIDFile", EMPTY),
        ("CpuCount", ZERO),
        ("CpuPercent", ZERO),
        ("CpuPeriod", ZERO),
        ("CpuQuota", ZERO),
        ("CpuRealtimePeriod", ZERO),
        ("CpuRealtimeRuntime", ZERO),
        ("CpuShares", ZERO),
        ("CpusetCpus", EMPTY),
        ("CpusetMems", EMPTY),
        ("DeviceCgroupRules", NULL),
        ("DeviceRequests", NULL),
        ("Devices", NULL),
        ("Dns", NULL),
        ("DnsOptions", NULL),
        ("DnsSearch", NULL),
        ("ExtraHosts", NULL),
        ("GroupAdd", NULL),
        ("IOMaximumBandwidth", ZERO),
        ("IOMaximumIOps", ZERO),
        ("IpcMode", EMPTY),
        ("Isolation", EMPTY),
        ("Links", NULL),
        ("LogConfig", Zero::Obj(&[("Type", EMPTY), ("Config", NULL)])),
        ("MaskedPaths", NULL),
        ("Memory", ZERO),
        ("MemoryReservation", ZERO),
        ("MemorySwap", ZERO),
        ("MemorySwappiness", NULL),
        ("NanoCpus", ZERO),
        ("NetworkMode", EMPTY),
        ("OomKillDisable", NULL),
        ("OomScoreAdj", ZERO),
        ("PidMode", EMPTY),
        ("PidsLimit", NULL),
        ("PortBindings", NULL),
        ("Privileged", FALSE),
        ("PublishAllPorts", FALSE),
        ("ReadonlyPaths", NULL),
        ("ReadonlyRootfs", FALSE),
        (
            "RestartPolicy",
            Zero::Obj(&[("Name", EMPTY), ("MaximumRetryCount", ZERO)]),
        ),
        ("SecurityOpt", NULL),
        ("ShmSize", ZERO),
        ("UTSMode", EMPTY),
        ("Ulimits", NULL),
        ("UsernsMode", EMPTY),
        ("VolumeDriver", EMPTY),
        ("VolumesFrom", NULL),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `HostConfigLogConfig`.
const HOST_CONFIG_LOG_CONFIG: Table = Table {
    zero: &[("Config", NULL), ("Type", EMPTY)],
    null_if_empty: &[],
    extra: &[],
};

/// `ImageInspect`.
const IMAGE_INSPECT: Table = Table {
    zero: &[
        ("Architecture", EMPTY),
        ("Author", EMPTY),
        ("Comment", EMPTY),
        ("Config", NULL),
        ("DockerVersion", EMPTY),
        ("GraphDriver", Zero::Obj(&[("Data", NULL), ("Name", EMPTY)])),
        ("Id", EMPTY),
        ("Metadata", Zero::Obj(&[])),
        ("Os", EMPTY),
        ("Parent", EMPTY),
        ("RepoDigests", NULL),
        ("RepoTags", NULL),
        ("RootFS", Zero::Obj(&[])),
        ("Size", ZERO),
    ],
    null_if_empty: &[],
    extra: &[],
};

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
    zero: &[("Config", NULL), ("Driver", EMPTY), ("Options", NULL)],
    null_if_empty: &["Config", "Options"],
    extra: &[],
};

/// `MountPoint`.
const MOUNT_POINT: Table = Table {
    zero: &[
        ("Destination", EMPTY),
        ("Mode", EMPTY),
        ("Propagation", EMPTY),
        ("RW", FALSE),
        ("Source", EMPTY),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `Network`.
const NETWORK: Table = Table {
    zero: &[
        ("Attachable", FALSE),
        ("Containers", NULL),
        ("Driver", EMPTY),
        ("EnableIPv6", FALSE),
        (
            "IPAM",
            Zero::Obj(&[("Driver", EMPTY), ("Options", NULL), ("Config", NULL)]),
        ),
        ("Id", EMPTY),
        ("Ingress", FALSE),
        ("Internal", FALSE),
        ("Labels", NULL),
        ("Name", EMPTY),
        ("Options", NULL),
        ("Scope", EMPTY),
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
const NETWORK_SETTINGS: Table = Table {
    zero: &[
        ("Bridge", EMPTY),
        ("EndpointID", EMPTY),
        ("Gateway", EMPTY),
        ("GlobalIPv6Address", EMPTY),
        ("GlobalIPv6PrefixLen", ZERO),
        ("HairpinMode", FALSE),
        ("IPAddress", EMPTY),
        ("IPPrefixLen", ZERO),
        ("IPv6Gateway", EMPTY),
        ("LinkLocalIPv6Address", EMPTY),
        ("LinkLocalIPv6PrefixLen", ZERO),
        ("MacAddress", EMPTY),
        ("Networks", NULL),
        ("Ports", NULL),
        ("SandboxID", EMPTY),
        ("SandboxKey", EMPTY),
        ("SecondaryIPAddresses", NULL),
        ("SecondaryIPv6Addresses", NULL),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `RegistryServiceConfig`.
const REGISTRY_SERVICE_CONFIG: Table = Table {
    zero: &[
        ("AllowNondistributableArtifactsCIDRs", NULL),
        ("AllowNondistributableArtifactsHostnames", NULL),
        ("IndexConfigs", NULL),
        ("InsecureRegistryCIDRs", NULL),
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
const RESTART_POLICY: Table = Table {
    zero: &[("MaximumRetryCount", ZERO), ("Name", EMPTY)],
    null_if_empty: &[],
    extra: &[],
};

/// `SwarmInfo`.
const SWARM_INFO: Table = Table {
    zero: &[
        ("ControlAvailable", FALSE),
        ("Error", EMPTY),
        ("LocalNodeState", EMPTY),
        ("NodeAddr", EMPTY),
        ("NodeID", EMPTY),
        ("RemoteManagers", NULL),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `SystemDataUsageResponse` (`types.DiskUsage`): a section not asked for
/// with `type` is null.
const SYSTEM_DATA_USAGE_RESPONSE: Table = Table {
    zero: &[
        ("BuildCache", NULL),
        ("Containers", NULL),
        ("Images", NULL),
        ("LayersSize", ZERO),
        ("Volumes", NULL),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `SystemInfo`.
const SYSTEM_INFO: Table = Table {
    zero: &[
        ("Architecture", EMPTY),
        ("BridgeNfIp6tables", FALSE),
        ("BridgeNfIptables", FALSE),
        ("CDISpecDirs", Zero::Seq(&[])),
        ("CPUSet", FALSE),
        ("CPUShares", FALSE),
        ("CgroupDriver", EMPTY),
        (
            "ContainerdCommit",
            Zero::Obj(&[("ID", EMPTY), ("Expected", EMPTY)]),
        ),
        ("Containers", ZERO),
        ("ContainersPaused", ZERO),
        ("ContainersRunning", ZERO),
        ("ContainersStopped", ZERO),
        ("CpuCfsPeriod", FALSE),
        ("CpuCfsQuota", FALSE),
        ("Debug", FALSE),
        ("DefaultRuntime", EMPTY),
        ("DockerRootDir", EMPTY),
        ("Driver", EMPTY),
        ("DriverStatus", NULL),
        ("ExperimentalBuild", FALSE),
        ("GenericResources", NULL),
        ("HttpProxy", EMPTY),
        ("HttpsProxy", EMPTY),
        ("ID", EMPTY),
        ("IPv4Forwarding", FALSE),
        ("Images", ZERO),
        ("IndexServerAddress", EMPTY),
        ("InitBinary", EMPTY),
        (
            "InitCommit",
            Zero::Obj(&[("ID", EMPTY), ("Expected", EMPTY)]),
        ),
        ("Isolation", EMPTY),
        ("KernelVersion", EMPTY),
        ("Labels", NULL),
        ("LiveRestoreEnabled", FALSE),
        ("LoggingDriver", EMPTY),
        ("MemTotal", ZERO),
        ("MemoryLimit", FALSE),
        ("NCPU", ZERO),
        ("NEventsListener", ZERO),
        ("NFd", ZERO),
        ("NGoroutines", ZERO),
        ("Name", EMPTY),
        ("NoProxy", EMPTY),
        ("OSType", EMPTY),
        ("OSVersion", EMPTY),
        ("OomKillDisable", FALSE),
        ("OperatingSystem", EMPTY),
        ("PidsLimit", FALSE),
        (
            "Plugins",
            Zero::Obj(&[
                ("Volume", NULL),
                ("Network", NULL),
                ("Authorization", NULL),
                ("Log", NULL),
            ]),
        ),
        ("RegistryConfig", NULL),
        (
            "RuncCommit",
            Zero::Obj(&[("ID", EMPTY), ("Expected", EMPTY)]),
        ),
        ("Runtimes", NULL),
        ("SecurityOptions", NULL),
        ("ServerVersion", EMPTY),
        ("SwapLimit", FALSE),
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
        ("SystemTime", EMPTY),
        ("Warnings", NULL),
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
const VOLUME_PRUNE_RESPONSE: Table = Table {
    zero: &[("SpaceReclaimed", ZERO), ("VolumesDeleted", NULL)],
    null_if_empty: &[],
    extra: &[],
};

/// `IndexInfo` (`registry.IndexInfo`).
const INDEX_INFO: Table = Table {
    zero: &[
        ("Mirrors", NULL),
        ("Name", EMPTY),
        ("Official", FALSE),
        ("Secure", FALSE),
    ],
    null_if_empty: &[],
    extra: &[],
};

/// `PluginsInfo` (`system.PluginsInfo`).
const PLUGINS_INFO: Table = Table {
    zero: &[
        ("Authorization", NULL),
        ("Log", NULL),
        ("Network", NULL),
        ("Volume", NULL),
    ],
    null_if_empty: &[],
    extra: &[],
};
