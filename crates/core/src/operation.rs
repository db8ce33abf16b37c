//! [`Operation`]: every core operation of the [`crate::Backend`] trait as a typed
//! value — the one list the routers, the `before` hook, fault rules, profiles and
//! the 501 defaults share — and [`Capability`], the capability flag an operation
//! needs.
//!
//! ```
//! use sockerless_core::{Capability, Operation};
//! let op = Operation::from_name("exec_start").unwrap();
//! assert_eq!(op, Operation::ExecStart);
//! assert_eq!(op.name(), "exec_start");
//! assert_eq!(op.capability(), Some(Capability::Exec));
//! assert!(Operation::ALL.iter().all(|o| Operation::from_name(o.name()) == Some(*o)));
//! ```

use std::fmt;

use crate::api::CapabilitySet;

/// One core operation of the backend (every trait method but `capabilities`,
/// `before` and `extension`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// `info`.
    Info,
    /// `version`.
    Version,
    /// `events`.
    Events,
    /// `container_create`.
    ContainerCreate,
    /// `container_list`.
    ContainerList,
    /// `container_prune`.
    ContainerPrune,
    /// `container_inspect`.
    ContainerInspect,
    /// `container_start`.
    ContainerStart,
    /// `container_stop`.
    ContainerStop,
    /// `container_kill`.
    ContainerKill,
    /// `container_restart`.
    ContainerRestart,
    /// `container_pause`.
    ContainerPause,
    /// `container_unpause`.
    ContainerUnpause,
    /// `container_rename`.
    ContainerRename,
    /// `container_remove`.
    ContainerRemove,
    /// `container_logs`.
    ContainerLogs,
    /// `container_logs_stream`.
    ContainerLogsStream,
    /// `container_wait`.
    ContainerWait,
    /// `container_attach`.
    ContainerAttach,
    /// `container_top`.
    ContainerTop,
    /// `container_stats`.
    ContainerStats,
    /// `container_archive_stat`.
    ContainerArchiveStat,
    /// `container_archive_get`.
    ContainerArchiveGet,
    /// `container_archive_put`.
    ContainerArchivePut,
    /// `container_export`.
    ContainerExport,
    /// `container_changes`.
    ContainerChanges,
    /// `container_commit`.
    ContainerCommit,
    /// `exec_create`.
    ExecCreate,
    /// `exec_inspect`.
    ExecInspect,
    /// `exec_start`.
    ExecStart,
    /// `exec_start_stream`.
    ExecStartStream,
    /// `image_pull`.
    ImagePull,
    /// `image_list`.
    ImageList,
    /// `image_load`.
    ImageLoad,
    /// `image_prune`.
    ImagePrune,
    /// `image_inspect`.
    ImageInspect,
    /// `image_tag`.
    ImageTag,
    /// `image_remove`.
    ImageRemove,
    /// `image_save`.
    ImageSave,
    /// `auth`.
    Auth,
    /// `network_create`.
    NetworkCreate,
    /// `network_list`.
    NetworkList,
    /// `network_prune`.
    NetworkPrune,
    /// `network_inspect`.
    NetworkInspect,
    /// `network_connect`.
    NetworkConnect,
    /// `network_disconnect`.
    NetworkDisconnect,
    /// `network_remove`.
    NetworkRemove,
    /// `volume_create`.
    VolumeCreate,
    /// `volume_list`.
    VolumeList,
    /// `volume_prune`.
    VolumePrune,
    /// `volume_inspect`.
    VolumeInspect,
    /// `volume_remove`.
    VolumeRemove,
}

impl Operation {
    /// Every operation, in route-table order.
    pub const ALL: &'static [Operation] = &[
        Operation::Info,
        Operation::Version,
        Operation::Events,
        Operation::ContainerCreate,
        Operation::ContainerList,
        Operation::ContainerPrune,
        Operation::ContainerInspect,
        Operation::ContainerStart,
        Operation::ContainerStop,
        Operation::ContainerKill,
        Operation::ContainerRestart,
        Operation::ContainerPause,
        Operation::ContainerUnpause,
        Operation::ContainerRename,
        Operation::ContainerRemove,
        Operation::ContainerLogs,
        Operation::ContainerLogsStream,
        Operation::ContainerWait,
        Operation::ContainerAttach,
        Operation::ContainerTop,
        Operation::ContainerStats,
        Operation::ContainerArchiveStat,
        Operation::ContainerArchiveGet,
        Operation::ContainerArchivePut,
        Operation::ContainerExport,
        Operation::ContainerChanges,
        Operation::ContainerCommit,
        Operation::ExecCreate,
        Operation::ExecInspect,
        Operation::ExecStart,
        Operation::ExecStartStream,
        Operation::ImagePull,
        Operation::ImageList,
        Operation::ImageLoad,
        Operation::ImagePrune,
        Operation::ImageInspect,
        Operation::ImageTag,
        Operation::ImageRemove,
        Operation::ImageSave,
        Operation::Auth,
        Operation::NetworkCreate,
        Operation::NetworkList,
        Operation::NetworkPrune,
        Operation::NetworkInspect,
        Operation::NetworkConnect,
        Operation::NetworkDisconnect,
        Operation::NetworkRemove,
        Operation::VolumeCreate,
        Operation::VolumeList,
        Operation::VolumePrune,
        Operation::VolumeInspect,
        Operation::VolumeRemove,
    ];

    /// The snake_case name used in logs, 501 messages and fault rules.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::Info => "info",
            Operation::Version => "version",
            Operation::Events => "events",
            Operation::ContainerCreate => "container_create",
            Operation::ContainerList => "container_list",
            Operation::ContainerPrune => "container_prune",
            Operation::ContainerInspect => "container_inspect",
            Operation::ContainerStart => "container_start",
            Operation::ContainerStop => "container_stop",
            Operation::ContainerKill => "container_kill",
            Operation::ContainerRestart => "container_restart",
            Operation::ContainerPause => "container_pause",
            Operation::ContainerUnpause => "container_unpause",
            Operation::ContainerRename => "container_rename",
            Operation::ContainerRemove => "container_remove",
            Operation::ContainerLogs => "container_logs",
            Operation::ContainerLogsStream => "container_logs_stream",
            Operation::ContainerWait => "container_wait",
            Operation::ContainerAttach => "container_attach",
            Operation::ContainerTop => "container_top",
            Operation::ContainerStats => "container_stats",
            Operation::ContainerArchiveStat => "container_archive_stat",
            Operation::ContainerArchiveGet => "container_archive_get",
            Operation::ContainerArchivePut => "container_archive_put",
            Operation::ContainerExport => "container_export",
            Operation::ContainerChanges => "container_changes",
            Operation::ContainerCommit => "container_commit",
            Operation::ExecCreate => "exec_create",
            Operation::ExecInspect => "exec_inspect",
            Operation::ExecStart => "exec_start",
            Operation::ExecStartStream => "exec_start_stream",
            Operation::ImagePull => "image_pull",
            Operation::ImageList => "image_list",
            Operation::ImageLoad => "image_load",
            Operation::ImagePrune => "image_prune",
            Operation::ImageInspect => "image_inspect",
            Operation::ImageTag => "image_tag",
            Operation::ImageRemove => "image_remove",
            Operation::ImageSave => "image_save",
            Operation::Auth => "auth",
            Operation::NetworkCreate => "network_create",
            Operation::NetworkList => "network_list",
            Operation::NetworkPrune => "network_prune",
            Operation::NetworkInspect => "network_inspect",
            Operation::NetworkConnect => "network_connect",
            Operation::NetworkDisconnect => "network_disconnect",
            Operation::NetworkRemove => "network_remove",
            Operation::VolumeCreate => "volume_create",
            Operation::VolumeList => "volume_list",
            Operation::VolumePrune => "volume_prune",
            Operation::VolumeInspect => "volume_inspect",
            Operation::VolumeRemove => "volume_remove",
        }
    }

    /// The operation with this [`name`](Operation::name), if any.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// The capability flag a backend must advertise for this operation, if any.
    pub const fn capability(self) -> Option<Capability> {
        use Operation::*;
        Some(match self {
            ExecCreate | ExecInspect | ExecStart | ExecStartStream => Capability::Exec,
            ContainerAttach => Capability::Attach,
            ContainerLogs => Capability::Logs,
            ContainerLogsStream => Capability::LogsFollow,
            ImagePull => Capability::ImagePull,
            ImageLoad => Capability::ImageLoad,
            ContainerArchiveStat | ContainerArchiveGet | ContainerArchivePut | ContainerExport
            | ContainerChanges | ContainerCommit | ImageSave => Capability::Archive,
            VolumeCreate | VolumeList | VolumePrune | VolumeInspect | VolumeRemove => {
                Capability::Volumes
            }
            NetworkCreate | NetworkList | NetworkPrune | NetworkInspect | NetworkConnect
            | NetworkDisconnect | NetworkRemove => Capability::Networks,
            _ => return None,
        })
    }

    /// Whether the operation acts on containers (its reference names one).
    pub fn is_container_operation(self) -> bool {
        self.name().starts_with("container_")
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A capability flag of [`CapabilitySet`] that some operations need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `exec`.
    Exec,
    /// `attach`.
    Attach,
    /// `logs`.
    Logs,
    /// `logs_follow` (needs `logs` too).
    LogsFollow,
    /// `volumes`.
    Volumes,
    /// `networks`.
    Networks,
    /// `image_pull`.
    ImagePull,
    /// `image_load`.
    ImageLoad,
    /// `archive`.
    Archive,
}

impl Capability {
    /// The flag's name in `GET /capabilities`.
    pub const fn name(self) -> &'static str {
        match self {
            Capability::Exec => "exec",
            Capability::Attach => "attach",
            Capability::Logs => "logs",
            Capability::LogsFollow => "logs_follow",
            Capability::Volumes => "volumes",
            Capability::Networks => "networks",
            Capability::ImagePull => "image_pull",
            Capability::ImageLoad => "image_load",
            Capability::Archive => "archive",
        }
    }

    /// Whether `set` advertises this capability.
    pub const fn is_in(self, set: &CapabilitySet) -> bool {
        match self {
            Capability::Exec => set.exec,
            Capability::Attach => set.attach,
            Capability::Logs => set.logs,
            Capability::LogsFollow => set.logs_follow && set.logs,
            Capability::Volumes => set.volumes,
            Capability::Networks => set.networks,
            Capability::ImagePull => set.image_pull,
            Capability::ImageLoad => set.image_load,
            Capability::Archive => set.archive,
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
