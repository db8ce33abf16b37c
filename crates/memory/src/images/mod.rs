//! Images: pull, list, inspect, load, tag, remove, prune, and registry auth.
//!
//! Images live in `Store::images` (keyed by `sha256:<hex>`); every tag lives in
//! `Store::image_tags` (canonical `docker.io/library/nginx:latest` → image ID) and,
//! in its familiar spelling, in the image's `repo_tags`. Every change to tags or
//! images runs under [`MemoryBackend::links`] so the two always agree; events are
//! emitted after the lock is released.

pub mod archive;
pub mod catalogue;
pub mod reference;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use archive::{ArchiveReader, LoadedImage};
use catalogue::ImageDefaults;
use crate::events::Kind;
use reference::{Reference, ReferenceError};
use crate::table::Resolution;
use crate::MemoryBackend;
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::docker::filters::FilterError;
use sockerless_core::docker::humanize::human_size;
use sockerless_core::docker::timefmt;
use sockerless_core::error::{Error, Result};

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
    pub fn labels(&self) -> HashMap<String, String> {
        self.config.labels.clone().unwrap_or_default()
    }

    /// No tag and no digest: what `dangling=true` lists.
    pub fn is_dangling(&self) -> bool {
        self.repo_tags.is_empty() && self.repo_digests.is_empty()
    }
}

/// The first 12 hex characters of an ID, without its `sha256:` (Docker's
/// `stringid.TruncateID`).
fn short_id(id: &str) -> &str {
    let id = id.split_once(':').map_or(id, |(_, rest)| rest);
    id.get(..12).unwrap_or(id)
}

fn sha256_hex(data: &[u8]) -> String {
    crate::ids::hex(Sha256::digest(data).as_slice())
}

fn is_lower_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn ref_err(e: ReferenceError) -> Error {
    Error::bad_request(e.to_string())
}

fn filter_err(e: FilterError) -> Error {
    Error::bad_request(e.to_string())
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// Docker's layer chain IDs of a list of diff IDs.
fn chain_ids(diff_ids: &[String]) -> Vec<String> {
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

// ---------------------------------------------------------------------------
// Platforms

/// A pull platform, normalised like containerd's `platforms.Normalize`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Platform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

impl Platform {
    fn host() -> Self {
        Platform {
            os: "linux".into(),
            architecture: catalogue::host_architecture().into(),
            variant: None,
        }
    }

    fn specifier(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{v}", self.os, self.architecture),
            None => format!("{}/{}", self.os, self.architecture),
        }
    }
}

const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
];

/// Normalises an architecture and variant; `None` for an unknown architecture.
fn normalize_arch(arch: &str, variant: Option<&str>) -> Option<(String, Option<String>)> {
    let variant = variant.filter(|v| !v.is_empty());
    let v = |s: &str| Some(s.to_string());
    Some(match arch {
        "i386" | "386" => ("386".into(), None),
        "x86_64" | "x86-64" | "amd64" => (
            "amd64".into(),
            variant.filter(|v| *v != "v1").map(str::to_string),
        ),
        "aarch64" | "arm64" => (
            "arm64".into(),
            variant
                .filter(|v| *v != "8" && *v != "v8")
                .map(str::to_string),
        ),
        "armhf" => ("arm".into(), v("v7")),
        "armel" => ("arm".into(), v("v6")),
        "arm" => (
            "arm".into(),
            match variant {
                None | Some("7") | Some("v7") => v("v7"),
                Some("5") | Some("v5") => v("v5"),
                Some("6") | Some("v6") => v("v6"),
                Some("8") | Some("v8") => v("v8"),
                Some(other) => v(other),
            },
        ),
        "ppc64le" | "s390x" | "riscv64" | "mips64le" | "mips64" | "mipsle" | "mips" | "loong64"
        | "ppc64" | "wasm" => (arch.to_string(), variant.map(str::to_string)),
        _ => return None,
    })
}

/// Parses `platform` (`os[/arch[/variant]]`, or a bare arch); 400 when invalid
/// or not a Linux platform.
fn parse_platform(spec: Option<&str>) -> Result<Platform> {
    let Some(spec) = spec.filter(|s| !s.is_empty()) else {
        return Ok(Platform::host());
    };
    let unknown = || {
        Error::bad_request(format!(
            "\"{spec}\": unknown operating system or architecture: invalid argument"
        ))
    };
    let lower = spec.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    if parts.iter().any(|p| {
        p.is_empty()
            || !p
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }) {
        return Err(unknown());
    }
    let (os, arch, variant) = match parts.as_slice() {
        [one] if KNOWN_OS.contains(one) => (one.to_string(), Platform::host().architecture, None),
        [one] => match normalize_arch(one, None) {
            Some((a, v)) => ("linux".to_string(), a, v),
            None => return Err(unknown()),
        },
        [os, arch] | [os, arch, _] => {
            if !KNOWN_OS.contains(os) {
                return Err(unknown());
            }
            let variant = parts.get(2).copied();
            match normalize_arch(arch, variant) {
                Some((a, v)) => (os.to_string(), a, v),
                None => return Err(unknown()),
            }
        }
        _ => {
            return Err(Error::bad_request(format!(
                "\"{spec}\": cannot parse platform specifier: invalid argument"
            )))
        }
    };
    if os != "linux" {
        return Err(Error::bad_request(format!(
            "image operating system \"{os}\" cannot be used on this platform"
        )));
    }
    Ok(Platform {
        os,
        architecture: arch,
        variant,
    })
}

// ---------------------------------------------------------------------------
// Simulated pulls

/// One simulated layer of a pulled image.
#[derive(Debug, Clone)]
struct SimLayer {
    short: String,
    diff_id: String,
    size: i64,
}

/// Everything a simulated pull of one reference on one platform produces;
/// a pure function of the two, so IDs are stable across servers.
#[derive(Debug, Clone)]
struct Simulated {
    id: String,
    manifest_digest: String,
    layers: Vec<SimLayer>,
    created: SystemTime,
    defaults: ImageDefaults,
    platform: Platform,
}

/// 2024-01-01T00:00:00Z: images were "built" within the half year after it.
const EPOCH_2024: u64 = 1_704_067_200;

impl Simulated {
    fn new(r: &Reference, platform: &Platform) -> Self {
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

    fn record(&self) -> ImageRecord {
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
fn config_from_defaults(d: &ImageDefaults) -> docker::ContainerConfig {
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
fn progress_bar(current: i64, total: i64) -> String {
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

fn progress(status: &str, id: &str, current: i64, total: i64) -> Value {
    json!({
        "status": status,
        "progressDetail": {"current": current, "total": total},
        "progress": progress_bar(current, total),
        "id": id,
    })
}

fn plain(status: &str, id: &str) -> Value {
    json!({"status": status, "progressDetail": {}, "id": id})
}

/// The pull-progress records Docker sends for this pull.
fn pull_records(r: &Reference, sim: &Simulated, fresh: bool) -> Vec<Value> {
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
fn pull_reference(from_image: &str, tag: Option<&str>) -> Result<Reference> {
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

// ---------------------------------------------------------------------------
// Loading

/// An archive image checked and converted, ready to store.
struct Prepared {
    record: ImageRecord,
    tags: Vec<Reference>,
}

/// Keeps only the keys of `config` that Docker's `ContainerConfig` accepts, so
/// one odd field does not reject a whole archive.
fn container_config_from(config: Option<&Value>) -> docker::ContainerConfig {
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

fn prepare_loaded(img: LoadedImage, now: SystemTime) -> Result<Prepared> {
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

// ---------------------------------------------------------------------------
// Go's path.Match, for the `reference` filter

/// Go's `path.Match`: `*` and `?` never match `/`; `[...]` classes; `\` escapes.
/// `Err` for a malformed pattern.
fn path_match(pattern: &str, name: &str) -> std::result::Result<bool, ()> {
    let mut pattern: &[char] = &pattern.chars().collect::<Vec<_>>();
    let name_chars: Vec<char> = name.chars().collect();
    let mut name: &[char] = &name_chars;
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&'/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != '/' {
                let (t, ok) = match_chunk(chunk, &name[i + 1..])?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                i += 1;
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, &[])?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &[char]) -> (bool, &[char], &[char]) {
    let mut star = false;
    while pattern.first() == Some(&'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            '\\' if i + 1 < pattern.len() => i += 1,
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

fn get_esc(chunk: &[char]) -> std::result::Result<(char, &[char]), ()> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some('-') | Some(']') => return Err(()),
        Some('\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(());
            }
        }
        _ => {}
    }
    let r = chunk[0];
    let rest = &chunk[1..];
    if rest.is_empty() {
        return Err(());
    }
    Ok((r, rest))
}

fn match_chunk<'a>(
    mut chunk: &[char],
    mut s: &'a [char],
) -> std::result::Result<(&'a [char], bool), ()> {
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            '[' => {
                let mut r = '\0';
                if !failed {
                    r = s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
                let mut negated = false;
                if chunk.first() == Some(&'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.first() == Some(&']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&'-') {
                        let (h, rest) = get_esc(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    if s[0] == '/' {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let c = if c == '\\' {
                    chunk = &chunk[1..];
                    match chunk.first() {
                        Some(&e) => e,
                        None => return Err(()),
                    }
                } else {
                    c
                };
                if !failed {
                    if c != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        return Ok((&[], false));
    }
    Ok((s, true))
}

/// Docker's `FamiliarMatch`: the pattern against the whole familiar reference,
/// then against its familiar name alone.
fn familiar_match(pattern: &str, familiar: &str) -> Result<bool> {
    let bad = || Error::bad_request(format!("invalid filter 'reference={pattern}'"));
    if path_match(pattern, familiar).map_err(|_| bad())? {
        return Ok(true);
    }
    let name = match familiar.split_once('@') {
        Some((n, _)) => n,
        None => match familiar.rfind(':') {
            Some(i) if !familiar[i..].contains('/') => &familiar[..i],
            _ => familiar,
        },
    };
    path_match(pattern, name).map_err(|_| bad())
}

// ---------------------------------------------------------------------------
// Removal

/// The references of an image as `(repository name, is a digest)`.
fn references_of(rec: &ImageRecord) -> Vec<(String, bool)> {
    let name = |s: &str| Reference::parse(s).map(|r| r.name()).unwrap_or_default();
    rec.repo_tags
        .iter()
        .map(|t| (name(t), false))
        .chain(rec.repo_digests.iter().map(|d| (name(d), true)))
        .collect()
}

/// Docker's `isSingleReference`: at most one tag, and every reference in the
/// one repository.
fn is_single_reference(refs: &[(String, bool)]) -> bool {
    if refs.len() <= 1 {
        return refs.len() == 1;
    }
    let mut single: Option<&String> = None;
    let mut canonical = BTreeSet::new();
    for (name, is_digest) in refs {
        if *is_digest {
            canonical.insert(name);
        } else if single.is_none() {
            single = Some(name);
        } else {
            return false;
        }
    }
    let single = single.unwrap_or(&refs[0].0);
    canonical.len() == 1 && canonical.contains(single)
}

/// Docker's image-delete conflict.
fn delete_conflict(id: &str, hard: bool, message: &str) -> Error {
    let force = if hard {
        "cannot be forced"
    } else {
        "must be forced"
    };
    Error::conflict(format!(
        "conflict: unable to delete {} ({force}) - {message}",
        short_id(id)
    ))
}

/// Events to emit once the lock is released: (action, actor ID, name attribute).
type PendingEvents = Vec<(&'static str, String, String)>;

impl MemoryBackend {
    /// Resolves an image reference (ID, short ID, or any spelling of a tag) to
    /// its record; 404 `No such image: <ref>`, 400 for an invalid reference or an
    /// ambiguous ID prefix.
    pub(crate) fn image_resolve(&self, reference: &str) -> Result<Arc<ImageRecord>> {
        if reference.is_empty() {
            return Err(Error::no_such_image(reference));
        }
        if let Some(hex) = reference
            .strip_prefix("sha256:")
            .filter(|h| is_lower_hex(h))
        {
            return self
                .image_by_id_prefix(reference, hex)?
                .ok_or_else(|| Error::no_such_image(reference));
        }
        if reference.len() == 64 && is_lower_hex(reference) {
            let id = format!("sha256:{reference}");
            return self
                .store
                .images
                .get(&id)
                .ok_or_else(|| Error::no_such_image(&id));
        }
        let r = Reference::parse(reference).map_err(ref_err)?;
        if let Some(digest) = &r.digest {
            let wanted = format!("{}@{digest}", r.familiar_name());
            return self
                .store
                .images
                .list(|i| i.repo_digests.contains(&wanted))
                .into_iter()
                .min_by(|a, b| a.id.cmp(&b.id))
                .ok_or_else(|| Error::no_such_image(&r.familiar()));
        }
        let r = r.with_default_tag();
        if let Some(found) = self
            .store
            .image_tags
            .get(&r.canonical())
            .and_then(|id| self.store.images.get(&id))
        {
            return Ok(found);
        }
        if is_lower_hex(reference) {
            if let Some(found) = self.image_by_id_prefix(reference, reference)? {
                return Ok(found);
            }
        }
        Err(Error::no_such_image(&r.familiar()))
    }

    /// The image whose hex ID starts with `hex`; 400 when several do.
    fn image_by_id_prefix(&self, reference: &str, hex: &str) -> Result<Option<Arc<ImageRecord>>> {
        match self.store.images.resolve(&format!("sha256:{hex}"), None) {
            Resolution::Found(id) => Ok(self.store.images.get(&id)),
            Resolution::NotFound => Ok(None),
            Resolution::Ambiguous(n) => Err(Error::bad_request(format!(
                "image reference {reference} is ambiguous: {n} image IDs start with it"
            ))),
        }
    }

    /// Points the tag `r` at image `id`, moving it off any other image. Returns
    /// the image it moved from. `tagged_at` sets `LastTagTime` (only an explicit
    /// tag does, in Docker; pull and load do not). Call with
    /// [`MemoryBackend::links`] held.
    fn attach_tag(&self, r: &Reference, id: &str, tagged_at: Option<SystemTime>) -> Option<String> {
        let canonical = r.canonical();
        let familiar = r.familiar();
        let old = self.store.image_tags.get(&canonical);
        let moved = old.filter(|o| o != id);
        if let Some(old_id) = &moved {
            self.store.image_tags.release(&canonical, old_id);
            self.store
                .images
                .update(old_id, |rec| rec.repo_tags.retain(|t| t != &familiar));
        }
        if self.store.image_tags.reserve(&canonical, id).is_err() {
            // Unreachable under the lock; keep the index authoritative anyway.
            if let Some(holder) = self.store.image_tags.get(&canonical) {
                self.store.image_tags.release(&canonical, &holder);
            }
            let _ = self.store.image_tags.reserve(&canonical, id);
        }
        self.store.images.update(id, |rec| {
            if !rec.repo_tags.contains(&familiar) {
                rec.repo_tags.push(familiar.clone());
                rec.repo_tags.sort();
            }
            if tagged_at.is_some() {
                rec.last_tag_time = tagged_at;
            }
        });
        moved
    }

    /// Emits image events with a `name` attribute.
    fn emit_image_events(&self, events: PendingEvents) {
        for (action, id, name) in events {
            let mut attrs = HashMap::new();
            if let Some(rec) = self.store.images.get(&id) {
                attrs.extend(rec.labels());
            }
            attrs.insert("name".to_string(), name);
            self.emit(Kind::Image, action, &id, attrs);
        }
    }

    pub(crate) fn images_pull(&self, o: PullOptions) -> Result<BoxStream<Value>> {
        // X-Registry-Auth is accepted and dropped: never logged, never stored.
        let PullOptions {
            from_image,
            tag,
            platform,
            registry_auth: _,
        } = o;
        let r = pull_reference(&from_image, tag.as_deref())?;
        let platform = parse_platform(platform.as_deref())?;
        let mut sim = Simulated::new(&r, &platform);
        let digest_ref = format!("{}@{}", r.familiar_name(), sim.manifest_digest);
        let fresh = {
            let _links = self.links();
            if r.digest.is_some() {
                // A digest names content: whatever image holds it locally is it.
                if let Some(holder) = self
                    .store
                    .images
                    .list(|i| i.repo_digests.contains(&digest_ref))
                    .into_iter()
                    .min_by(|a, b| a.id.cmp(&b.id))
                {
                    sim.id = holder.id.clone();
                }
            }
            let existing = self.store.images.get(&sim.id);
            let up_to_date = match (&existing, &r.digest) {
                (None, _) => false,
                (Some(rec), Some(_)) => rec.repo_digests.contains(&digest_ref),
                (Some(_), None) => {
                    self.store.image_tags.get(&r.canonical()).as_deref() == Some(&sim.id)
                }
            };
            if !up_to_date {
                if existing.is_none() {
                    self.store.images.put(sim.id.clone(), sim.record());
                }
                self.store.images.update(&sim.id, |rec| {
                    if !rec.repo_digests.contains(&digest_ref) {
                        rec.repo_digests.push(digest_ref.clone());
                        rec.repo_digests.sort();
                    }
                });
                if r.digest.is_none() {
                    self.attach_tag(&r, &sim.id, None);
                }
            }
            !up_to_date
        };
        tracing::debug!(reference = %r.familiar(), fresh, "image pulled");
        // Docker's pull event names the reference, not the ID.
        let mut attrs = self
            .store
            .images
            .get(&sim.id)
            .map(|rec| rec.labels())
            .unwrap_or_default();
        attrs.insert("name".to_string(), r.familiar_name());
        self.emit(Kind::Image, "pull", &r.familiar(), attrs);
        Ok(Box::pin(futures_util::stream::iter(pull_records(
            &r, &sim, fresh,
        ))))
    }

    pub(crate) fn images_list(&self, o: ImageListOptions) -> Result<Vec<docker::ImageSummary>> {
        let f = &o.filters;
        f.check_keys(&["before", "dangling", "label", "reference", "since", "until"])
            .map_err(filter_err)?;
        let dangling = f.bool_value("dangling").map_err(filter_err)?;
        let image_time = |key: &str| -> Result<Option<SystemTime>> {
            match f.get(key).first() {
                Some(v) => Ok(Some(self.image_resolve(v)?.created)),
                None => Ok(None),
            }
        };
        let before = image_time("before")?;
        let since = image_time("since")?;
        let until = match f.get("until").first() {
            Some(v) => Some(
                timefmt::parse_timestamp(v, self.now())
                    .map_err(|e| Error::bad_request(e.to_string()))?,
            ),
            None => None,
        };
        let patterns = f.get("reference");
        for p in &patterns {
            familiar_match(p, "")?;
        }
        let mut images = self.store.images.list(|_| true);
        images.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        let mut out = Vec::new();
        let users = self.containers_per_image();
        for rec in images {
            if before.is_some_and(|b| rec.created >= b)
                || since.is_some_and(|s| rec.created <= s)
                || until.is_some_and(|u| rec.created > u)
            {
                continue;
            }
            let labels = rec.labels();
            if !f.match_kv_list("label", &labels) {
                continue;
            }
            let keep = |r: &String| -> Result<bool> {
                if patterns.is_empty() {
                    return Ok(true);
                }
                for p in &patterns {
                    if familiar_match(p, r)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            };
            let mut tags = Vec::new();
            for t in &rec.repo_tags {
                if keep(t)? {
                    tags.push(t.clone());
                }
            }
            let mut digests = Vec::new();
            for d in &rec.repo_digests {
                if keep(d)? {
                    digests.push(d.clone());
                }
            }
            if tags.is_empty() && digests.is_empty() {
                if dangling == Some(false) || !patterns.is_empty() {
                    continue;
                }
            } else if dangling == Some(true) && !tags.is_empty() {
                continue;
            }
            out.push(docker::ImageSummary {
                id: rec.id.clone(),
                parent_id: String::new(),
                repo_tags: tags,
                repo_digests: digests,
                created: unix_seconds(rec.created),
                size: rec.size,
                shared_size: -1,
                virtual_size: Some(rec.size),
                labels,
                containers: users.get(&rec.id).copied().unwrap_or(0) as i64,
            });
        }
        Ok(out)
    }

    pub(crate) fn images_inspect(&self, name: &str) -> Result<docker::ImageInspect> {
        let rec = self.image_resolve(name)?;
        Ok(docker::ImageInspect {
            id: Some(rec.id.clone()),
            repo_tags: Some(rec.repo_tags.clone()),
            repo_digests: Some(rec.repo_digests.clone()),
            parent: Some(String::new()),
            comment: Some(String::new()),
            created: Some(timefmt::rfc3339_nano(rec.created)),
            docker_version: Some(String::new()),
            author: Some(String::new()),
            config: Some(rec.config.clone()),
            architecture: Some(rec.architecture.clone()),
            variant: rec.variant.clone(),
            os: Some(rec.os.clone()),
            size: Some(rec.size),
            virtual_size: Some(rec.size),
            graph_driver: Some(docker::GraphDriverData {
                name: "overlay2".to_string(),
                data: HashMap::new(),
            }),
            root_fs: Some(docker::ImageInspectRootFs {
                typ: "layers".to_string(),
                layers: Some(rec.layers.clone()),
            }),
            metadata: Some(docker::ImageInspectMetadata {
                last_tag_time: Some(
                    rec.last_tag_time
                        .map(timefmt::rfc3339_nano)
                        .unwrap_or_else(|| timefmt::ZERO_TIME.to_string()),
                ),
            }),
            ..Default::default()
        })
    }

    pub(crate) async fn images_load(
        &self,
        mut body: ByteStream,
        _quiet: bool,
    ) -> Result<Vec<serde_json::Value>> {
        // `quiet` only hides progress bars in Docker; the "Loaded image" lines
        // are always sent, and we send no progress.
        let mut reader = ArchiveReader::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            reader
                .push(&chunk)
                .map_err(|e| Error::bad_request(e.to_string()))?;
        }
        let loaded = reader
            .finish()
            .map_err(|e| Error::bad_request(e.to_string()))?;
        let now = self.now();
        let prepared = loaded
            .into_iter()
            .map(|img| prepare_loaded(img, now))
            .collect::<Result<Vec<_>>>()?;
        let mut records = Vec::new();
        let mut events: PendingEvents = Vec::new();
        {
            let _links = self.links();
            for p in prepared {
                let id = p.record.id.clone();
                if !self.store.images.contains(&id) {
                    self.store.images.put(id.clone(), p.record);
                }
                if p.tags.is_empty() {
                    records.push(json!({"stream": format!("Loaded image ID: {id}\n")}));
                }
                for t in &p.tags {
                    if let Some(old) = self.attach_tag(t, &id, None) {
                        records.push(json!({"stream": format!(
                            "The image {} already exists, renaming the old one with ID {old} to empty string\n",
                            t.familiar()
                        )}));
                    }
                    records.push(json!({"stream": format!("Loaded image: {}\n", t.familiar())}));
                }
                events.push(("load", id.clone(), id));
            }
        }
        self.emit_image_events(events);
        Ok(records)
    }

    pub(crate) fn images_tag(&self, name: &str, o: TagOptions) -> Result<()> {
        let r =
            reference::parse_repo_tag(&o.repo, o.tag.as_deref().unwrap_or("")).map_err(ref_err)?;
        if r.familiar_name() == "sha256" {
            return Err(Error::bad_request(
                "refusing to create an ambiguous tag using digest algorithm as name",
            ));
        }
        let source = self.image_resolve(name)?;
        let now = self.now();
        {
            let _links = self.links();
            if !self.store.images.contains(&source.id) {
                return Err(Error::no_such_image(name));
            }
            self.attach_tag(&r, &source.id, Some(now));
        }
        self.emit_image_events(vec![("tag", source.id.clone(), r.familiar())]);
        Ok(())
    }

    pub(crate) fn images_remove(
        &self,
        name: &str,
        o: ImageRemoveOptions,
    ) -> Result<Vec<docker::ImageDeleteResponseItem>> {
        let found = self.image_resolve(name)?;
        let mut out = Vec::new();
        let mut events: PendingEvents = Vec::new();
        let result = {
            let _links = self.links();
            self.remove_locked(name, &found.id, o.force, &mut out, &mut events)
        };
        self.emit_image_events(events);
        result.map(|()| out)
    }

    /// Docker's `ImageDelete`, under the links lock. Fails only before changing
    /// anything.
    fn remove_locked(
        &self,
        name: &str,
        id: &str,
        force: bool,
        out: &mut Vec<docker::ImageDeleteResponseItem>,
        events: &mut PendingEvents,
    ) -> Result<()> {
        let untagged = |s: &str| docker::ImageDeleteResponseItem {
            untagged: Some(s.to_string()),
            deleted: None,
        };
        let rec = self
            .store
            .images
            .get(id)
            .ok_or_else(|| Error::no_such_image(name))?;
        let users = self.store.containers.list(|c| c.image_id == id);
        let by_id = id.starts_with(name) || id.get(7..).is_some_and(|h| h.starts_with(name));
        let mut refs = references_of(&rec);
        let mut removed_repository_ref = false;
        if !by_id {
            if !force && is_single_reference(&refs) {
                if let Some(c) = users.first() {
                    return Err(Error::conflict(format!(
                        "conflict: unable to remove repository reference \"{name}\" (must force) - container {} is using its referenced image {}",
                        short_id(&c.id),
                        short_id(id)
                    )));
                }
            }
            let parsed = Reference::parse(name).map_err(ref_err)?.with_default_tag();
            let familiar = parsed.familiar();
            if parsed.digest.is_some() {
                let wanted = format!(
                    "{}@{}",
                    parsed.familiar_name(),
                    parsed.digest.as_deref().unwrap_or_default()
                );
                self.store
                    .images
                    .update(id, |r| r.repo_digests.retain(|d| d != &wanted));
                out.push(untagged(&wanted));
            } else {
                self.store.image_tags.release(&parsed.canonical(), id);
                self.store
                    .images
                    .update(id, |r| r.repo_tags.retain(|t| t != &familiar));
                out.push(untagged(&familiar));
                // Digests of the repository go with its last tag.
                let repo = parsed.name();
                let tag_left = self.store.images.get(id).is_some_and(|r| {
                    r.repo_tags
                        .iter()
                        .any(|t| Reference::parse(t).is_ok_and(|x| x.name() == repo))
                });
                if !tag_left {
                    let gone: Vec<String> = rec
                        .repo_digests
                        .iter()
                        .filter(|d| Reference::parse(d).is_ok_and(|x| x.name() == repo))
                        .cloned()
                        .collect();
                    self.store
                        .images
                        .update(id, |r| r.repo_digests.retain(|d| !gone.contains(d)));
                    out.extend(gone.iter().map(|d| untagged(d)));
                }
            }
            events.push(("untag", id.to_string(), id.to_string()));
            let Some(now) = self.store.images.get(id) else {
                return Ok(());
            };
            if !now.is_dangling() {
                return Ok(());
            }
            refs.clear();
            removed_repository_ref = true;
        } else if is_single_reference(&refs) {
            if let Some(c) = users.iter().find(|c| c.is_running()) {
                return Err(delete_conflict(
                    id,
                    true,
                    &format!(
                        "image is being used by running container {}",
                        short_id(&c.id)
                    ),
                ));
            }
            if !force {
                if let Some(c) = users.first() {
                    return Err(delete_conflict(
                        id,
                        false,
                        &format!(
                            "image is being used by stopped container {}",
                            short_id(&c.id)
                        ),
                    ));
                }
            }
            for t in &rec.repo_tags {
                if let Ok(r) = Reference::parse(t) {
                    self.store.image_tags.release(&r.canonical(), id);
                }
                out.push(untagged(t));
                events.push(("untag", id.to_string(), id.to_string()));
            }
            for d in &rec.repo_digests {
                out.push(untagged(d));
                events.push(("untag", id.to_string(), id.to_string()));
            }
            self.store.images.update(id, |r| {
                r.repo_tags.clear();
                r.repo_digests.clear();
            });
            refs.clear();
        }

        // imageDeleteHelper
        let conflict = if let Some(c) = users.iter().find(|c| c.is_running()) {
            Some(delete_conflict(
                id,
                true,
                &format!(
                    "image is being used by running container {}",
                    short_id(&c.id)
                ),
            ))
        } else if force {
            None
        } else if !refs.is_empty() {
            Some(delete_conflict(
                id,
                false,
                "image is referenced in multiple repositories",
            ))
        } else {
            users.first().map(|c| {
                delete_conflict(
                    id,
                    false,
                    &format!(
                        "image is being used by stopped container {}",
                        short_id(&c.id)
                    ),
                )
            })
        };
        if let Some(err) = conflict {
            if removed_repository_ref {
                // Docker keeps the now untagged image silently.
                return Ok(());
            }
            return Err(err);
        }
        // Remove every remaining reference (force with several repositories).
        if let Some(current) = self.store.images.get(id) {
            for t in &current.repo_tags {
                if let Ok(r) = Reference::parse(t) {
                    self.store.image_tags.release(&r.canonical(), id);
                }
                out.push(untagged(t));
                events.push(("untag", id.to_string(), id.to_string()));
            }
            for d in &current.repo_digests {
                out.push(untagged(d));
                events.push(("untag", id.to_string(), id.to_string()));
            }
        }
        self.delete_image(id, out, events);
        Ok(())
    }

    /// Drops the record and reports it and its no longer shared layers.
    fn delete_image(
        &self,
        id: &str,
        out: &mut Vec<docker::ImageDeleteResponseItem>,
        events: &mut PendingEvents,
    ) -> Option<Arc<ImageRecord>> {
        let rec = self.store.images.remove(id)?;
        events.push(("delete", id.to_string(), id.to_string()));
        out.push(docker::ImageDeleteResponseItem {
            untagged: None,
            deleted: Some(id.to_string()),
        });
        let shared: HashSet<String> = self
            .store
            .images
            .list(|_| true)
            .iter()
            .flat_map(|i| chain_ids(&i.layers))
            .collect();
        for chain in chain_ids(&rec.layers).into_iter().rev() {
            if !shared.contains(&chain) {
                out.push(docker::ImageDeleteResponseItem {
                    untagged: None,
                    deleted: Some(chain),
                });
            }
        }
        Some(rec)
    }

    pub(crate) fn images_prune(&self, f: Filters) -> Result<docker::ImagePruneResponse> {
        f.check_keys(&["dangling", "label", "label!", "until"])
            .map_err(filter_err)?;
        let dangling_only = f
            .bool_value("dangling")
            .map_err(filter_err)?
            .unwrap_or(true);
        let until = match f.get("until").first() {
            Some(v) => Some(
                timefmt::parse_timestamp(v, self.now())
                    .map_err(|e| Error::bad_request(e.to_string()))?,
            ),
            None => None,
        };
        let mut deleted = Vec::new();
        let mut events: PendingEvents = Vec::new();
        let mut reclaimed = 0i64;
        {
            let _links = self.links();
            let mut images = self.store.images.list(|_| true);
            images.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
            let users = self.containers_per_image();
            for rec in images {
                let labels = rec.labels();
                if until.is_some_and(|u| rec.created > u)
                    || !f.match_prune_labels(&labels)
                    || (dangling_only && !rec.repo_tags.is_empty())
                    || users.contains_key(&rec.id)
                {
                    continue;
                }
                for t in &rec.repo_tags {
                    if let Ok(r) = Reference::parse(t) {
                        self.store.image_tags.release(&r.canonical(), &rec.id);
                    }
                    deleted.push(docker::ImageDeleteResponseItem {
                        untagged: Some(t.clone()),
                        deleted: None,
                    });
                    events.push(("untag", rec.id.clone(), rec.id.clone()));
                }
                for d in &rec.repo_digests {
                    deleted.push(docker::ImageDeleteResponseItem {
                        untagged: Some(d.clone()),
                        deleted: None,
                    });
                    events.push(("untag", rec.id.clone(), rec.id.clone()));
                }
                if let Some(gone) = self.delete_image(&rec.id, &mut deleted, &mut events) {
                    reclaimed += gone.size;
                }
            }
        }
        self.emit_image_events(events);
        Ok(docker::ImagePruneResponse {
            images_deleted: Some(deleted),
            space_reclaimed: Some(reclaimed),
        })
    }

    pub(crate) fn images_auth(&self, c: AuthConfig) -> Result<AuthResponse> {
        let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        let has_credentials = present(&c.username) && present(&c.password);
        if !has_credentials && !present(&c.identity_token) {
            return Err(Error::bad_request("username and password are required"));
        }
        Ok(AuthResponse {
            status: "Login Succeeded".to_string(),
            identity_token: String::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_match() {
        let cases: &[(&str, &str, Result<bool, ()>)] = &[
            ("nginx", "nginx", Ok(true)),
            ("nginx:*", "nginx:latest", Ok(true)),
            ("*/app", "team/app", Ok(true)),
            ("*", "team/app", Ok(false)),
            ("ng?nx", "nginx", Ok(true)),
            ("[a-m]ginx", "nginx", Ok(false)),
            ("[^a-m]ginx", "nginx", Ok(true)),
            ("a*b*c", "axxbyyc", Ok(true)),
            ("a*", "a/b", Ok(false)),
            ("\\*", "*", Ok(true)),
            ("[", "a", Err(())),
            ("a[", "x", Err(())),
        ];
        for (p, n, want) in cases {
            assert_eq!(path_match(p, n), *want, "{p} vs {n}");
        }
    }

    #[test]
    fn platforms() {
        let host = Platform::host();
        assert_eq!(parse_platform(None).ok(), Some(host));
        let p = parse_platform(Some("linux/arm64/v8")).ok();
        assert_eq!(p.map(|p| p.specifier()), Some("linux/arm64".to_string()));
        let p = parse_platform(Some("linux/arm")).ok();
        assert_eq!(p.map(|p| p.specifier()), Some("linux/arm/v7".to_string()));
        assert!(parse_platform(Some("linux/bogus")).is_err());
        assert!(parse_platform(Some("windows/amd64")).is_err());
        assert!(parse_platform(Some("a/b/c/d")).is_err());
    }

    #[test]
    fn single_reference_rules() {
        let r = |n: &str, d: bool| (n.to_string(), d);
        assert!(!is_single_reference(&[]));
        assert!(is_single_reference(&[r("a", false)]));
        assert!(is_single_reference(&[r("a", false), r("a", true)]));
        assert!(!is_single_reference(&[r("a", false), r("b", false)]));
        assert!(!is_single_reference(&[r("a", false), r("b", true)]));
    }
}
