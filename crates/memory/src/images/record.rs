//! The stored image, and the ID arithmetic of images (short IDs, digests,
//! layer chain IDs).

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use sockerless_core::api::docker;

/// A stored image.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageRecord {
    /// `sha256:<64 hex>`.
    pub id: String,
    /// Familiar tags, e.g. `nginx:latest` (sorted).
    pub repo_tags: Vec<String>,
    /// `name@sha256:<hex>` digests, familiar name (sorted).
    pub repo_digests: Vec<String>,
    /// When it was created.
    pub created: SystemTime,
    /// Size in bytes (simulated).
    pub size: i64,
    /// The image config: `Env`, `Cmd`, `Entrypoint`, `WorkingDir`, `ExposedPorts`,
    /// `Labels`, `User`, `StopSignal`, `Volumes`, `Healthcheck`.
    pub config: docker::ContainerConfig,
    /// `linux`.
    pub os: String,
    /// `amd64`, `arm64`, …
    pub architecture: String,
    /// Architecture variant (`v7`, `v8`), when there is one.
    pub variant: Option<String>,
    /// `RootFS.Layers`: the layers' diff IDs, bottom first.
    pub layers: Vec<String>,
    /// `Metadata.LastTagTime`: when a tag was last added here.
    pub last_tag_time: Option<SystemTime>,
}

impl ImageRecord {
    /// The image's labels (empty when the config has none).
    pub(crate) fn labels(&self) -> HashMap<String, String> {
        self.config.labels.clone().unwrap_or_default()
    }

    /// No tag and no digest: what `dangling=true` lists.
    pub(crate) fn is_dangling(&self) -> bool {
        self.repo_tags.is_empty() && self.repo_digests.is_empty()
    }
}

/// The first 12 hex characters of an ID, without its `sha256:` (Docker's
/// `stringid.TruncateID`).
pub(crate) fn short_id(id: &str) -> &str {
    let id = id.split_once(':').map_or(id, |(_, rest)| rest);
    id.get(..12).unwrap_or(id)
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    crate::ids::hex(Sha256::digest(data).as_slice())
}

pub(crate) fn is_lower_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// Docker's layer chain IDs of a list of diff IDs.
pub(crate) fn chain_ids(diff_ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        let next = match out.last() {
            None => d.clone(),
            Some(prev) => format!("sha256:{}", sha256_hex(format!("{prev} {d}").as_bytes())),
        };
        out.push(next);
    }
    out
}
