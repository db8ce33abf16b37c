//! Mount planning: `HostConfig.Binds`, `HostConfig.Mounts` and `Config.Volumes`
//! checked and turned into a plan before a create changes anything.

use std::collections::{BTreeSet, HashMap};

use sockerless_core::api::docker;
use sockerless_core::error::{Error, Result};

/// A planned mount, validated before anything is changed.
#[derive(Debug, Clone)]
pub(crate) enum PlannedMount {
    /// A named (`Some`) or anonymous (`None`) volume.
    Volume {
        name: Option<String>,
        destination: String,
        rw: bool,
        mode: String,
    },
    /// A host path.
    Bind {
        source: String,
        destination: String,
        rw: bool,
        mode: String,
    },
    /// A tmpfs.
    Tmpfs { destination: String },
}

impl PlannedMount {
    fn destination(&self) -> &str {
        match self {
            PlannedMount::Volume { destination, .. }
            | PlannedMount::Bind { destination, .. }
            | PlannedMount::Tmpfs { destination } => destination,
        }
    }
}

pub(crate) fn invalid_spec(spec: &str) -> Error {
    Error::bad_request(format!("invalid volume specification: '{spec}'"))
}

/// Parses `HostConfig.Binds`, `HostConfig.Mounts` and `Config.Volumes`.
pub(crate) fn plan_mounts(
    host: &docker::HostConfig,
    config_volumes: Option<&HashMap<String, HashMap<(), ()>>>,
) -> Result<Vec<PlannedMount>> {
    let mut out: Vec<PlannedMount> = Vec::new();
    for spec in host.binds.iter().flatten() {
        out.push(plan_bind(spec)?);
    }
    for m in host.mounts.iter().flatten() {
        out.push(plan_mount(m)?);
    }
    let mut seen = BTreeSet::new();
    for m in &out {
        if let PlannedMount::Volume { name: Some(n), .. } = m {
            crate::volumes::record::validate_name(n)?;
        }
        if !seen.insert(m.destination().to_string()) {
            return Err(Error::bad_request(format!(
                "Duplicate mount point: {}",
                m.destination()
            )));
        }
    }
    let mut anonymous: Vec<&String> = config_volumes.into_iter().flat_map(|v| v.keys()).collect();
    anonymous.sort();
    for dst in anonymous {
        if seen.insert(dst.clone()) {
            out.push(PlannedMount::Volume {
                name: None,
                destination: dst.clone(),
                rw: true,
                mode: String::new(),
            });
        }
    }
    Ok(out)
}

/// One `HostConfig.Binds` entry (`src:dst[:mode]`): a host path or a named
/// volume.
fn plan_bind(spec: &str) -> Result<PlannedMount> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (src, dst, mode) = match parts.as_slice() {
        [src, dst] => (*src, *dst, ""),
        [src, dst, mode] => (*src, *dst, *mode),
        _ => return Err(invalid_spec(spec)),
    };
    if src.is_empty() || dst.is_empty() {
        return Err(invalid_spec(spec));
    }
    if !dst.starts_with('/') {
        return Err(Error::bad_request(format!(
            "invalid volume specification: '{spec}': invalid mount config for type \"volume\": invalid mount path: '{dst}' mount path must be absolute"
        )));
    }
    for m in mode.split(',').filter(|m| !m.is_empty()) {
        if !matches!(
            m,
            "ro" | "rw"
                | "z"
                | "Z"
                | "nocopy"
                | "private"
                | "rprivate"
                | "shared"
                | "rshared"
                | "slave"
                | "rslave"
                | "consistent"
                | "cached"
                | "delegated"
        ) {
            return Err(Error::bad_request(format!("invalid mode: {mode}")));
        }
    }
    let rw = !mode.split(',').any(|m| m == "ro");
    if src.starts_with('/') {
        Ok(PlannedMount::Bind {
            source: src.to_string(),
            destination: dst.to_string(),
            rw,
            mode: mode.to_string(),
        })
    } else {
        Ok(PlannedMount::Volume {
            name: Some(src.to_string()),
            destination: dst.to_string(),
            rw,
            mode: if mode.is_empty() {
                "z".into()
            } else {
                mode.to_string()
            },
        })
    }
}

/// One `HostConfig.Mounts` entry: a volume (named or anonymous), a bind or a
/// tmpfs.
fn plan_mount(m: &docker::Mount) -> Result<PlannedMount> {
    let target = m.target.clone().unwrap_or_default();
    let kind = m.typ.map(|t| t.to_string()).unwrap_or_default();
    if target.is_empty() {
        return Err(Error::bad_request(format!(
            "invalid mount config for type \"{kind}\": field Target must not be empty"
        )));
    }
    if !target.starts_with('/') {
        return Err(Error::bad_request(format!(
            "invalid mount config for type \"{kind}\": invalid mount path: '{target}' mount path must be absolute"
        )));
    }
    let rw = !m.read_only.unwrap_or(false);
    let source = m.source.clone().filter(|s| !s.is_empty());
    match m.typ {
        Some(docker::MountTypeEnum::VOLUME) | None => Ok(PlannedMount::Volume {
            name: source,
            destination: target,
            rw,
            mode: "z".into(),
        }),
        Some(docker::MountTypeEnum::BIND) => {
            let Some(source) = source else {
                return Err(Error::bad_request(
                    "invalid mount config for type \"bind\": field Source must not be empty",
                ));
            };
            if !source.starts_with('/') {
                return Err(Error::bad_request(format!(
                    "invalid mount config for type \"bind\": invalid mount path: '{source}' mount path must be absolute"
                )));
            }
            Ok(PlannedMount::Bind {
                source,
                destination: target,
                rw,
                mode: String::new(),
            })
        }
        Some(docker::MountTypeEnum::TMPFS) => {
            if source.is_some() {
                return Err(Error::bad_request(
                    "invalid mount config for type \"tmpfs\": field Source must not be specified",
                ));
            }
            Ok(PlannedMount::Tmpfs {
                destination: target,
            })
        }
        Some(other) => Err(Error::bad_request(format!(
            "mount type {other} is not supported by the memory backend"
        ))),
    }
}
