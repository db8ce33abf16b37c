//! Simulated pulls: a deterministic image for any reference (its layers,
//! config and digest derived from the name) and Docker's progress messages.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use sockerless_core::api::docker;
use sockerless_core::docker::humanize::human_size;
use sockerless_core::error::Result;

use super::catalogue::{self, ImageDefaults};
use super::platform::Platform;
use super::record::{sha256_hex, ImageRecord};
use super::reference::{self, ref_err, Reference, ReferenceError};

/// One simulated layer of a pulled image.
#[derive(Debug, Clone)]
pub(crate) struct SimLayer {
    pub(crate) short: String,
    pub(crate) diff_id: String,
    pub(crate) size: i64,
}

/// Everything a simulated pull of one reference on one platform produces;
/// a pure function of the two, so IDs are stable across servers.
#[derive(Debug, Clone)]
pub(crate) struct Simulated {
    pub(crate) id: String,
    pub(crate) manifest_digest: String,
    pub(crate) layers: Vec<SimLayer>,
    pub(crate) created: SystemTime,
    pub(crate) defaults: ImageDefaults,
    pub(crate) platform: Platform,
}

/// 2024-01-01T00:00:00Z: images were "built" within the half year after it.
pub(crate) const EPOCH_2024: u64 = 1_704_067_200;

impl Simulated {
    pub(crate) fn new(r: &Reference, platform: &Platform) -> Self {
        let name_ref = match (&r.tag, &r.digest) {
            (_, Some(d)) => format!("{}@{d}", r.name()),
            _ => r.canonical(),
        };
        let seed = if *platform == Platform::host() {
            name_ref.clone()
        } else {
            format!("{name_ref}|{}", platform.specifier())
        };
        let id_hex = sha256_hex(seed.as_bytes());
        let manifest_digest = match &r.digest {
            Some(d) => d.clone(),
            None => format!("sha256:{}", sha256_hex(format!("digest:{seed}").as_bytes())),
        };
        let defaults = catalogue::lookup(&r.path);
        let n = 2 + usize::from(id_hex.as_bytes()[0] % 2);
        let total = defaults.size.max(1);
        let shares: &[i64] = if n == 2 { &[7, 3] } else { &[6, 3, 1] };
        let layers = (0..n)
            .map(|i| SimLayer {
                short: sha256_hex(format!("layer:{i}:{seed}").as_bytes())[..12].to_string(),
                diff_id: format!(
                    "sha256:{}",
                    sha256_hex(format!("diff:{i}:{seed}").as_bytes())
                ),
                size: total * shares[i] / 10,
            })
            .collect();
        let offset = u64::from_str_radix(&id_hex[..8], 16).unwrap_or(0) % (182 * 86_400);
        Simulated {
            id: format!("sha256:{id_hex}"),
            manifest_digest,
            layers,
            created: UNIX_EPOCH + Duration::from_secs(EPOCH_2024 + offset),
            defaults,
            platform: platform.clone(),
        }
    }

    pub(crate) fn record(&self) -> ImageRecord {
        ImageRecord {
            id: self.id.clone(),
            repo_tags: Vec::new(),
            repo_digests: Vec::new(),
            created: self.created,
            size: self.defaults.size,
            config: config_from_defaults(&self.defaults),
            os: self.platform.os.clone(),
            architecture: self.platform.architecture.clone(),
            variant: self.platform.variant.clone(),
            layers: self.layers.iter().map(|l| l.diff_id.clone()).collect(),
            last_tag_time: None,
        }
    }
}

/// The image config a catalogue entry describes, with the fields Docker always
/// sends in an image's `Config`.
pub(crate) fn config_from_defaults(d: &ImageDefaults) -> docker::ContainerConfig {
    let set = |items: &[String]| -> Option<HashMap<String, HashMap<(), ()>>> {
        (!items.is_empty()).then(|| items.iter().map(|p| (p.clone(), HashMap::new())).collect())
    };
    docker::ContainerConfig {
        hostname: Some(String::new()),
        domainname: Some(String::new()),
        user: Some(d.user.clone()),
        attach_stdin: Some(false),
        attach_stdout: Some(false),
        attach_stderr: Some(false),
        exposed_ports: set(&d.exposed_ports),
        tty: Some(false),
        open_stdin: Some(false),
        stdin_once: Some(false),
        env: Some(d.env.clone()),
        cmd: d.cmd.clone(),
        image: Some(String::new()),
        volumes: set(&d.volumes),
        working_dir: Some(d.working_dir.clone()),
        entrypoint: d.entrypoint.clone(),
        labels: (!d.labels.is_empty()).then(|| d.labels.iter().cloned().collect()),
        stop_signal: d.stop_signal.clone(),
        ..Default::default()
    }
}

/// Docker's progress bar text: `[=====>      ]  1.2MB/3.4MB`.
pub(crate) fn progress_bar(current: i64, total: i64) -> String {
    if total <= 0 {
        return String::new();
    }
    let pct = (((current as f64 / total as f64) * 100.0) as i64 / 2).clamp(0, 50) as usize;
    format!(
        "[{}>{}] {:>8}/{}",
        "=".repeat(pct),
        " ".repeat(50 - pct),
        human_size(current),
        human_size(total)
    )
}

pub(crate) fn progress(status: &str, id: &str, current: i64, total: i64) -> Value {
    json!({
        "status": status,
        "progressDetail": {"current": current, "total": total},
        "progress": progress_bar(current, total),
        "id": id,
    })
}

pub(crate) fn plain(status: &str, id: &str) -> Value {
    json!({"status": status, "progressDetail": {}, "id": id})
}

/// The pull-progress records Docker sends for this pull.
pub(crate) fn pull_records(r: &Reference, sim: &Simulated, fresh: bool) -> Vec<Value> {
    let shown_id = match (&r.tag, &r.digest) {
        (Some(t), None) => t.clone(),
        (_, Some(d)) => d.clone(),
        (None, None) => reference::DEFAULT_TAG.to_string(),
    };
    let mut out = vec![json!({"status": format!("Pulling from {}", r.path), "id": shown_id})];
    if fresh {
        for l in &sim.layers {
            out.push(plain("Pulling fs layer", &l.short));
        }
        for l in &sim.layers {
            let compressed = (l.size * 2 / 5).max(1);
            out.push(progress(
                "Downloading",
                &l.short,
                compressed / 3,
                compressed,
            ));
            out.push(progress("Downloading", &l.short, compressed, compressed));
            out.push(plain("Verifying Checksum", &l.short));
            out.push(plain("Download complete", &l.short));
        }
        for l in &sim.layers {
            let size = l.size.max(1);
            out.push(progress("Extracting", &l.short, size / 2, size));
            out.push(progress("Extracting", &l.short, size, size));
            out.push(plain("Pull complete", &l.short));
        }
    }
    out.push(json!({"status": format!("Digest: {}", sim.manifest_digest)}));
    let status = if fresh {
        "Downloaded newer image for"
    } else {
        "Image is up to date for"
    };
    out.push(json!({"status": format!("Status: {status} {}", r.familiar())}));
    out
}

/// `fromImage` plus the separate `tag` (a tag or a digest), normalised with
/// `:latest` when neither is given.
pub(crate) fn pull_reference(from_image: &str, tag: Option<&str>) -> Result<Reference> {
    let mut r = Reference::parse(from_image).map_err(ref_err)?;
    if let Some(tag) = tag.filter(|t| !t.is_empty()) {
        if tag.contains(':') {
            reference::validate_digest(tag).map_err(ref_err)?;
            r.digest = Some(tag.to_string());
        } else if reference::is_valid_tag(tag) {
            r.tag = Some(tag.to_string());
        } else {
            return Err(ref_err(ReferenceError::InvalidTag));
        }
    }
    Ok(r.with_default_tag())
}
