//! `POST /images/load`: an archive's images checked and converted to records.

use std::collections::HashSet;
use std::time::SystemTime;

use serde_json::Value;

use sockerless_core::api::docker;
use sockerless_core::docker::timefmt;
use sockerless_core::error::{Error, Result};

use super::archive::LoadedImage;
use super::catalogue;
use super::record::ImageRecord;
use super::reference::Reference;

/// An archive image checked and converted, ready to store.
pub(crate) struct Prepared {
    pub(crate) record: ImageRecord,
    pub(crate) tags: Vec<Reference>,
}

/// Keeps only the keys of `config` that Docker's `ContainerConfig` accepts, so
/// one odd field does not reject a whole archive.
pub(crate) fn container_config_from(config: Option<&Value>) -> docker::ContainerConfig {
    let Some(Value::Object(map)) = config else {
        return docker::ContainerConfig::default();
    };
    let mut kept = serde_json::Map::new();
    for (k, v) in map {
        let mut single = serde_json::Map::new();
        single.insert(k.clone(), v.clone());
        if serde_json::from_value::<docker::ContainerConfig>(Value::Object(single)).is_ok() {
            kept.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(Value::Object(kept)).unwrap_or_default()
}

pub(crate) fn prepare_loaded(img: LoadedImage, now: SystemTime) -> Result<Prepared> {
    let c = &img.config;
    let text = |k: &str| c.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let created = text("created")
        .and_then(|s| timefmt::parse_rfc3339(s).ok())
        .unwrap_or(now);
    let layers: Vec<String> = c
        .get("rootfs")
        .and_then(|r| r.get("diff_ids"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut seen = HashSet::new();
    let mut tags = Vec::new();
    for t in &img.repo_tags {
        let r = Reference::parse(t)
            .map_err(|e| Error::bad_request(format!("invalid tag {t:?} in the archive: {e}")))?;
        if r.digest.is_some() && r.tag.is_none() {
            continue;
        }
        let r = Reference {
            digest: None,
            ..r.with_default_tag()
        };
        if seen.insert(r.canonical()) {
            tags.push(r);
        }
    }
    Ok(Prepared {
        record: ImageRecord {
            id: img.config_digest.clone(),
            repo_tags: Vec::new(),
            repo_digests: Vec::new(),
            created,
            size: 0,
            config: container_config_from(c.get("config")),
            os: text("os").unwrap_or("linux").to_string(),
            architecture: text("architecture")
                .unwrap_or(catalogue::host_architecture())
                .to_string(),
            variant: text("variant").map(str::to_string),
            layers,
            last_tag_time: None,
        },
        tags,
    })
}
