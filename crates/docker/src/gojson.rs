//! Go's `encoding/json` words for a body field of the wrong type, as Docker
//! answers them (`invalid JSON: json: cannot unmarshal string into Go struct
//! field ContainerConfigWrapper.Config.Tty of type bool`): serde refuses the
//! same bodies in its own words, so when a body does not decode, its JSON is
//! walked against the Go types Docker decodes it into (the tables below, from
//! moby 26.1's `api/types`) and the first field whose JSON kind the Go type
//! cannot take is reported as Go would. The struct named is the innermost Go
//! struct holding the field; the path is the JSON keys from the top, with the
//! names of embedded structs (`Config`, `Resources`, `NetworkCreate`) and
//! without map keys and indexes.
//!
//! ```
//! use serde_json::json;
//! use sockerless_docker::gojson::{type_error, CONTAINER_CONFIG_WRAPPER};
//! let body = json!({"Image": "alpine", "HostConfig": {"Memory": "1g"}});
//! assert_eq!(
//!     type_error(&body, &CONTAINER_CONFIG_WRAPPER).unwrap(),
//!     "json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Resources.Memory of type int64"
//! );
//! assert_eq!(type_error(&json!({"Image": "alpine", "Cmd": "true"}), &CONTAINER_CONFIG_WRAPPER), None);
//! ```
//!
//! Fields Go would decode case-insensitively (`image`) are not matched, and of
//! several wrong fields the first in key order is named (Go: the first in the
//! body).

use serde_json::Value;

/// A Go type as far as decoding JSON into it goes.
#[derive(Debug, Clone, Copy)]
pub enum Go {
    /// A string kind (`string`, `container.NetworkMode`, …), by its Go name.
    Str(&'static str),
    /// `bool`.
    Bool,
    /// A number kind (`int`, `int64`, `uint16`, `time.Duration`, …), by its Go name.
    Num(&'static str),
    /// `strslice.StrSlice`: a string or an array of strings; anything else is
    /// refused as its fallback, a `string`.
    StrSlice,
    /// A slice or array: its Go name and element type.
    Slice(&'static str, &'static Go),
    /// A map with string keys: its Go name and value type.
    Map(&'static str, &'static Go),
    /// A struct (or a pointer to one): its Go name and fields.
    Struct(&'static str, &'static GoStruct),
    /// Not checked.
    Any,
}

/// A Go struct: its name (Go's `Type.Name()`) and its fields.
#[derive(Debug)]
pub struct GoStruct {
    /// The name Go's messages give it.
    pub name: &'static str,
    /// Its JSON fields, in groups: its own, then those of each embedded struct.
    pub fields: &'static [&'static [Field]],
}

/// One JSON field of a Go struct.
#[derive(Debug)]
pub struct Field {
    /// The JSON key.
    pub key: &'static str,
    /// The embedded struct it is promoted from (`"Resources."`), or `""`.
    pub via: &'static str,
    /// Its type.
    pub go: Go,
}

const fn f(key: &'static str, go: Go) -> Field {
    Field { key, via: "", go }
}

const fn via(via: &'static str, key: &'static str, go: Go) -> Field {
    Field { key, via, go }
}

const STRING: Go = Go::Str("string");
const STRINGS: Go = Go::Slice("[]string", &STRING);
const STRING_MAP: Go = Go::Map("map[string]string", &STRING);
const INT: Go = Go::Num("int");
const INT64: Go = Go::Num("int64");
const DURATION: Go = Go::Num("time.Duration");
const EMPTY: GoStruct = GoStruct {
    name: "",
    fields: &[],
};
const UNIT: Go = Go::Struct("struct {}", &EMPTY);

/// `container.HealthConfig` (`dockerspec.HealthcheckConfig`).
const HEALTHCHECK: GoStruct = GoStruct {
    name: "HealthcheckConfig",
    fields: &[&[
        f("Test", STRINGS),
        f("Interval", DURATION),
        f("Timeout", DURATION),
        f("StartPeriod", DURATION),
        f("StartInterval", DURATION),
        f("Retries", INT),
    ]],
};

/// The fields of `container.Config`, promoted `via` the embedding.
macro_rules! config_fields {
    ($via:literal) => {
        [
            via($via, "Hostname", STRING),
            via($via, "Domainname", STRING),
            via($via, "User", STRING),
            via($via, "AttachStdin", Go::Bool),
            via($via, "AttachStdout", Go::Bool),
            via($via, "AttachStderr", Go::Bool),
            via($via, "ExposedPorts", Go::Map("nat.PortSet", &UNIT)),
            via($via, "Tty", Go::Bool),
            via($via, "OpenStdin", Go::Bool),
            via($via, "StdinOnce", Go::Bool),
            via($via, "Env", STRINGS),
            via($via, "Cmd", Go::StrSlice),
            via(
                $via,
                "Healthcheck",
                Go::Struct("container.HealthConfig", &HEALTHCHECK),
            ),
            via($via, "ArgsEscaped", Go::Bool),
            via($via, "Image", STRING),
            via($via, "Volumes", Go::Map("map[string]struct {}", &UNIT)),
            via($via, "WorkingDir", STRING),
            via($via, "Entrypoint", Go::StrSlice),
            via($via, "NetworkDisabled", Go::Bool),
            via($via, "MacAddress", STRING),
            via($via, "OnBuild", STRINGS),
            via($via, "Labels", STRING_MAP),
            via($via, "StopSignal", STRING),
            via($via, "StopTimeout", INT),
            via($via, "Shell", Go::StrSlice),
        ]
    };
}

/// `container.RestartPolicy`.
const RESTART_POLICY: GoStruct = GoStruct {
    name: "RestartPolicy",
    fields: &[&[
        f("Name", Go::Str("container.RestartPolicyMode")),
        f("MaximumRetryCount", INT),
    ]],
};

/// `container.LogConfig`.
const LOG_CONFIG: GoStruct = GoStruct {
    name: "LogConfig",
    fields: &[&[f("Type", STRING), f("Config", STRING_MAP)]],
};

/// `nat.PortBinding`.
const PORT_BINDING: GoStruct = GoStruct {
    name: "PortBinding",
    fields: &[&[f("HostIp", STRING), f("HostPort", STRING)]],
};
const PORT_BINDINGS: Go = Go::Slice(
    "[]nat.PortBinding",
    &Go::Struct("nat.PortBinding", &PORT_BINDING),
);

/// `blkiodev.WeightDevice`.
const WEIGHT_DEVICE: GoStruct = GoStruct {
    name: "WeightDevice",
    fields: &[&[f("Path", STRING), f("Weight", Go::Num("uint16"))]],
};

/// `blkiodev.ThrottleDevice`.
const THROTTLE_DEVICE: GoStruct = GoStruct {
    name: "ThrottleDevice",
    fields: &[&[f("Path", STRING), f("Rate", Go::Num("uint64"))]],
};
const THROTTLE_DEVICES: Go = Go::Slice(
    "[]*blkiodev.ThrottleDevice",
    &Go::Struct("blkiodev.ThrottleDevice", &THROTTLE_DEVICE),
);

/// `container.DeviceMapping`.
const DEVICE_MAPPING: GoStruct = GoStruct {
    name: "DeviceMapping",
    fields: &[&[
        f("PathOnHost", STRING),
        f("PathInContainer", STRING),
        f("CgroupPermissions", STRING),
    ]],
};

/// `units.Ulimit`.
const ULIMIT: GoStruct = GoStruct {
    name: "Ulimit",
    fields: &[&[f("Name", STRING), f("Hard", INT64), f("Soft", INT64)]],
};

/// `mount.Mount` (its option blocks unchecked).
const MOUNT: GoStruct = GoStruct {
    name: "Mount",
    fields: &[&[
        f("Type", Go::Str("mount.Type")),
        f("Source", STRING),
        f("Target", STRING),
        f("ReadOnly", Go::Bool),
        f("Consistency", Go::Str("mount.Consistency")),
    ]],
};

/// The fields of `container.Resources` (embedded in `HostConfig` and
/// `UpdateConfig`).
macro_rules! resources_fields {
    () => {
        [
            via("Resources.", "CpuShares", INT64),
            via("Resources.", "Memory", INT64),
            via("Resources.", "NanoCpus", INT64),
            via("Resources.", "CgroupParent", STRING),
            via("Resources.", "BlkioWeight", Go::Num("uint16")),
            via(
                "Resources.",
                "BlkioWeightDevice",
                Go::Slice(
                    "[]*blkiodev.WeightDevice",
                    &Go::Struct("blkiodev.WeightDevice", &WEIGHT_DEVICE),
                ),
            ),
            via("Resources.", "BlkioDeviceReadBps", THROTTLE_DEVICES),
            via("Resources.", "BlkioDeviceWriteBps", THROTTLE_DEVICES),
            via("Resources.", "BlkioDeviceReadIOps", THROTTLE_DEVICES),
            via("Resources.", "BlkioDeviceWriteIOps", THROTTLE_DEVICES),
            via("Resources.", "CpuPeriod", INT64),
            via("Resources.", "CpuQuota", INT64),
            via("Resources.", "CpuRealtimePeriod", INT64),
            via("Resources.", "CpuRealtimeRuntime", INT64),
            via("Resources.", "CpusetCpus", STRING),
            via("Resources.", "CpusetMems", STRING),
            via(
                "Resources.",
                "Devices",
                Go::Slice(
                    "[]container.DeviceMapping",
                    &Go::Struct("container.DeviceMapping", &DEVICE_MAPPING),
                ),
            ),
            via("Resources.", "DeviceCgroupRules", STRINGS),
            via("Resources.", "DeviceRequests", Go::Any),
            via("Resources.", "KernelMemory", INT64),
            via("Resources.", "KernelMemoryTCP", INT64),
            via("Resources.", "MemoryReservation", INT64),
            via("Resources.", "MemorySwap", INT64),
            via("Resources.", "MemorySwappiness", INT64),
            via("Resources.", "OomKillDisable", Go::Bool),
            via("Resources.", "PidsLimit", INT64),
            via(
                "Resources.",
                "Ulimits",
                Go::Slice("[]*units.Ulimit", &Go::Struct("units.Ulimit", &ULIMIT)),
            ),
            via("Resources.", "CpuCount", INT64),
            via("Resources.", "CpuPercent", INT64),
            via("Resources.", "IOMaximumIOps", Go::Num("uint64")),
            via("Resources.", "IOMaximumBandwidth", Go::Num("uint64")),
        ]
    };
}

const HOST_CONFIG_OWN: &[Field] = &[
    f("Binds", STRINGS),
    f("ContainerIDFile", STRING),
    f("LogConfig", Go::Struct("container.LogConfig", &LOG_CONFIG)),
    f("NetworkMode", Go::Str("container.NetworkMode")),
    f("PortBindings", Go::Map("nat.PortMap", &PORT_BINDINGS)),
    f(
        "RestartPolicy",
        Go::Struct("container.RestartPolicy", &RESTART_POLICY),
    ),
    f("AutoRemove", Go::Bool),
    f("VolumeDriver", STRING),
    f("VolumesFrom", STRINGS),
    f("ConsoleSize", Go::Slice("[2]uint", &Go::Num("uint"))),
    f("Annotations", STRING_MAP),
    f("CapAdd", Go::StrSlice),
    f("CapDrop", Go::StrSlice),
    f("CgroupnsMode", Go::Str("container.CgroupnsMode")),
    f("Dns", STRINGS),
    f("DnsOptions", STRINGS),
    f("DnsSearch", STRINGS),
    f("ExtraHosts", STRINGS),
    f("GroupAdd", STRINGS),
    f("IpcMode", Go::Str("container.IpcMode")),
    f("Cgroup", Go::Str("container.CgroupSpec")),
    f("Links", STRINGS),
    f("OomScoreAdj", INT),
    f("PidMode", Go::Str("container.PidMode")),
    f("Privileged", Go::Bool),
    f("PublishAllPorts", Go::Bool),
    f("ReadonlyRootfs", Go::Bool),
    f("SecurityOpt", STRINGS),
    f("StorageOpt", STRING_MAP),
    f("Tmpfs", STRING_MAP),
    f("UTSMode", Go::Str("container.UTSMode")),
    f("UsernsMode", Go::Str("container.UsernsMode")),
    f("ShmSize", INT64),
    f("Sysctls", STRING_MAP),
    f("Runtime", STRING),
    f("Isolation", Go::Str("container.Isolation")),
    f(
        "Mounts",
        Go::Slice("[]mount.Mount", &Go::Struct("mount.Mount", &MOUNT)),
    ),
    f("MaskedPaths", STRINGS),
    f("ReadonlyPaths", STRINGS),
    f("Init", Go::Bool),
];

/// The fields of `container.Resources` (embedded in `HostConfig`).
const RESOURCES: &[Field] = &resources_fields!();

/// `container.HostConfig` with its embedded `Resources`.
const HOST_CONFIG: GoStruct = GoStruct {
    name: "HostConfig",
    fields: &[HOST_CONFIG_OWN, RESOURCES],
};

/// `network.EndpointIPAMConfig`.
const ENDPOINT_IPAM: GoStruct = GoStruct {
    name: "EndpointIPAMConfig",
    fields: &[&[
        f("IPv4Address", STRING),
        f("IPv6Address", STRING),
        f("LinkLocalIPs", STRINGS),
    ]],
};

/// `network.EndpointSettings`.
const ENDPOINT_SETTINGS: GoStruct = GoStruct {
    name: "EndpointSettings",
    fields: &[&[
        f(
            "IPAMConfig",
            Go::Struct("network.EndpointIPAMConfig", &ENDPOINT_IPAM),
        ),
        f("Links", STRINGS),
        f("Aliases", STRINGS),
        f("MacAddress", STRING),
        f("NetworkID", STRING),
        f("EndpointID", STRING),
        f("Gateway", STRING),
        f("IPAddress", STRING),
        f("IPPrefixLen", INT),
        f("IPv6Gateway", STRING),
        f("GlobalIPv6Address", STRING),
        f("GlobalIPv6PrefixLen", INT),
        f("DriverOpts", STRING_MAP),
        f("DNSNames", STRINGS),
    ]],
};
const ENDPOINT: Go = Go::Struct("network.EndpointSettings", &ENDPOINT_SETTINGS);

/// `network.NetworkingConfig`.
const NETWORKING_CONFIG: GoStruct = GoStruct {
    name: "NetworkingConfig",
    fields: &[&[f(
        "EndpointsConfig",
        Go::Map("map[string]*network.EndpointSettings", &ENDPOINT),
    )]],
};

/// The fields of `container.Config`, embedded in `ContainerConfigWrapper`.
const CONFIG_FIELDS: &[Field] = &config_fields!("Config.");

/// `runconfig.ContainerConfigWrapper`: the body of `POST /containers/create`.
pub const CONTAINER_CONFIG_WRAPPER: GoStruct = GoStruct {
    name: "ContainerConfigWrapper",
    fields: &[
        CONFIG_FIELDS,
        &[
            f(
                "HostConfig",
                Go::Struct("container.HostConfig", &HOST_CONFIG),
            ),
            f(
                "NetworkingConfig",
                Go::Struct("network.NetworkingConfig", &NETWORKING_CONFIG),
            ),
        ],
    ],
};

/// `types.ExecConfig`: the body of `POST /containers/{id}/exec`.
pub const EXEC_CONFIG: GoStruct = GoStruct {
    name: "ExecConfig",
    fields: &[&[
        f("User", STRING),
        f("Privileged", Go::Bool),
        f("Tty", Go::Bool),
        f("ConsoleSize", Go::Slice("[2]uint", &Go::Num("uint"))),
        f("AttachStdin", Go::Bool),
        f("AttachStderr", Go::Bool),
        f("AttachStdout", Go::Bool),
        f("Detach", Go::Bool),
        f("DetachKeys", STRING),
        f("Env", STRINGS),
        f("WorkingDir", STRING),
        f("Cmd", STRINGS),
    ]],
};

/// `network.IPAMConfig`.
const IPAM_CONFIG: GoStruct = GoStruct {
    name: "IPAMConfig",
    fields: &[&[
        f("Subnet", STRING),
        f("IPRange", STRING),
        f("Gateway", STRING),
        f("AuxiliaryAddresses", STRING_MAP),
    ]],
};

/// `network.IPAM`.
const IPAM: GoStruct = GoStruct {
    name: "IPAM",
    fields: &[&[
        f("Driver", STRING),
        f("Options", STRING_MAP),
        f(
            "Config",
            Go::Slice(
                "[]network.IPAMConfig",
                &Go::Struct("network.IPAMConfig", &IPAM_CONFIG),
            ),
        ),
    ]],
};

/// `network.ConfigReference`.
const CONFIG_REFERENCE: GoStruct = GoStruct {
    name: "ConfigReference",
    fields: &[&[f("Network", STRING)]],
};

/// `types.NetworkCreateRequest`: the body of `POST /networks/create`.
pub const NETWORK_CREATE_REQUEST: GoStruct = GoStruct {
    name: "NetworkCreateRequest",
    fields: &[&[
        f("Name", STRING),
        via("NetworkCreate.", "CheckDuplicate", Go::Bool),
        via("NetworkCreate.", "Driver", STRING),
        via("NetworkCreate.", "Scope", STRING),
        via("NetworkCreate.", "EnableIPv6", Go::Bool),
        via("NetworkCreate.", "IPAM", Go::Struct("network.IPAM", &IPAM)),
        via("NetworkCreate.", "Internal", Go::Bool),
        via("NetworkCreate.", "Attachable", Go::Bool),
        via("NetworkCreate.", "Ingress", Go::Bool),
        via("NetworkCreate.", "ConfigOnly", Go::Bool),
        via(
            "NetworkCreate.",
            "ConfigFrom",
            Go::Struct("network.ConfigReference", &CONFIG_REFERENCE),
        ),
        via("NetworkCreate.", "Options", STRING_MAP),
        via("NetworkCreate.", "Labels", STRING_MAP),
    ]],
};

/// `types.NetworkConnect`: the body of `POST /networks/{id}/connect`.
pub const NETWORK_CONNECT: GoStruct = GoStruct {
    name: "NetworkConnect",
    fields: &[&[f("Container", STRING), f("EndpointConfig", ENDPOINT)]],
};

/// `types.NetworkDisconnect`: the body of `POST /networks/{id}/disconnect`.
pub const NETWORK_DISCONNECT: GoStruct = GoStruct {
    name: "NetworkDisconnect",
    fields: &[&[f("Container", STRING), f("Force", Go::Bool)]],
};

/// `volume.CreateOptions`: the body of `POST /volumes/create`.
pub const VOLUME_CREATE_OPTIONS: GoStruct = GoStruct {
    name: "CreateOptions",
    fields: &[&[
        f("ClusterVolumeSpec", Go::Any),
        f("Driver", STRING),
        f("DriverOpts", STRING_MAP),
        f("Labels", STRING_MAP),
        f("Name", STRING),
    ]],
};

/// The Go struct a Rust body type is decoded as in Docker, by the Rust
/// type's name.
pub fn go_struct_of(rust_type: &str) -> Option<&'static GoStruct> {
    Some(match rust_type {
        "ContainerCreateBody" => &CONTAINER_CONFIG_WRAPPER,
        "ExecConfig" => &EXEC_CONFIG,
        "NetworkCreateRequest" => &NETWORK_CREATE_REQUEST,
        "NetworkConnectRequest" => &NETWORK_CONNECT,
        "NetworkDisconnectRequest" => &NETWORK_DISCONNECT,
        "VolumeCreateOptions" => &VOLUME_CREATE_OPTIONS,
        _ => return None,
    })
}

/// Go's error for the first field of `body` whose JSON kind its Go type in
/// `go` cannot take, if any.
pub fn type_error(body: &Value, go: &GoStruct) -> Option<String> {
    walk_struct(body.as_object()?, go, "")
}

fn walk_struct(obj: &serde_json::Map<String, Value>, go: &GoStruct, path: &str) -> Option<String> {
    obj.iter().find_map(|(key, v)| {
        let field = go
            .fields
            .iter()
            .flat_map(|g| g.iter())
            .find(|f| f.key == key)?;
        let sep = if path.is_empty() { "" } else { "." };
        let path = format!("{path}{sep}{}{key}", field.via);
        walk(v, &field.go, go.name, &path)
    })
}

/// The first mismatch in `v` for Go type `go`, a field of struct `owner` at
/// `path`.
fn walk(v: &Value, go: &Go, owner: &str, path: &str) -> Option<String> {
    let refuse = |what: String, ty: &str| {
        Some(format!(
            "json: cannot unmarshal {what} into Go struct field {owner}.{path} of type {ty}"
        ))
    };
    match (go, v) {
        (_, Value::Null) | (Go::Any, _) => None,
        (Go::Str(_), Value::String(_)) | (Go::Bool, Value::Bool(_)) => None,
        (Go::Str(ty), _) => refuse(kind(v), ty),
        (Go::Bool, _) => refuse(kind(v), "bool"),
        (Go::Num(ty), Value::Number(n)) => (!fits(n, ty)).then(|| {
            format!(
                "json: cannot unmarshal number {n} into Go struct field {owner}.{path} of type {ty}"
            )
        }),
        (Go::Num(ty), _) => refuse(kind(v), ty),
        (Go::StrSlice, Value::String(_)) => None,
        (Go::StrSlice, Value::Array(a)) if a.iter().all(Value::is_string) => None,
        (Go::StrSlice, _) => refuse(kind(v), "string"),
        (Go::Slice(_, elem), Value::Array(a)) => a.iter().find_map(|e| walk(e, elem, owner, path)),
        (Go::Slice(ty, _), _) => refuse(kind(v), ty),
        (Go::Map(_, elem), Value::Object(o)) => o.values().find_map(|e| walk(e, elem, owner, path)),
        (Go::Map(ty, _), _) => refuse(kind(v), ty),
        // A nested struct's fields are reported as its own.
        (Go::Struct(_, s), Value::Object(o)) => walk_struct(o, s, path),
        (Go::Struct(ty, _), _) => refuse(kind(v), ty),
    }
}

/// A JSON value's kind in Go's words.
fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
    .to_string()
}

/// Whether number `n` fits Go's number type `ty`.
fn fits(n: &serde_json::Number, ty: &str) -> bool {
    let (lo, hi): (i128, i128) = match ty {
        "float64" | "float32" => return true,
        "uint16" => (0, i128::from(u16::MAX)),
        "uint32" => (0, i128::from(u32::MAX)),
        "uint64" | "uint" => (0, i128::from(u64::MAX)),
        "int32" => (i128::from(i32::MIN), i128::from(i32::MAX)),
        _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
    };
    let v = match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => i128::from(i),
        (None, Some(u)) => i128::from(u),
        _ => return false,
    };
    (lo..=hi).contains(&v)
}
