//! Streaming reader for `docker save` and OCI image-layout tarballs.
//!
//! [`ArchiveReader`] is fed the tar stream chunk by chunk as it arrives (for
//! instance from an HTTP request body) and never buffers layer data: only the
//! small JSON members that describe images (`manifest.json`, `index.json`,
//! configs and OCI manifests) are kept in memory, everything else is skipped as
//! it streams past. [`ArchiveReader::finish`] then resolves the images.
//!
//! Repository tags are returned as written in the archive (`nginx:latest` for
//! `docker save`, often `docker.io/library/nginx:latest` for OCI annotations);
//! callers normalise them.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Size of a tar block.
const BLOCK: usize = 512;
/// Largest JSON member kept in memory.
pub const MAX_MEMBER_SIZE: u64 = 8 * 1024 * 1024;
/// Largest total of kept JSON members.
pub const MAX_TOTAL_KEPT: u64 = 64 * 1024 * 1024;
/// Largest GNU long-name or pax extended header accepted.
const MAX_EXTENDED_HEADER: u64 = 1024 * 1024;

const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MEDIA_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const MEDIA_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const MEDIA_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const ANNOTATION_IMAGE_NAME: &str = "io.containerd.image.name";
const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Errors produced while reading an image archive.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum ArchiveError {
    /// A tar header could not be decoded.
    #[error("invalid tar header")]
    InvalidHeader,
    /// A tar header's checksum does not match its contents.
    #[error("invalid tar header: checksum mismatch")]
    BadChecksum,
    /// The stream ended inside a header or a member.
    #[error("unexpected end of archive")]
    UnexpectedEof,
    /// A metadata member exceeds [`MAX_MEMBER_SIZE`].
    #[error("member {0} too large")]
    MemberTooLarge(String),
    /// The kept metadata exceeds [`MAX_TOTAL_KEPT`] in total.
    #[error("archive metadata too large (more than 64 MiB of JSON members)")]
    MetadataTooLarge,
    /// Neither `manifest.json` nor `index.json` was found.
    #[error("archive has no manifest.json or index.json")]
    NoManifest,
    /// `manifest.json` is not valid.
    #[error("invalid manifest.json: {0}")]
    InvalidManifest(String),
    /// `index.json` is not valid.
    #[error("invalid index.json: {0}")]
    InvalidIndex(String),
    /// A manifest or index blob referenced by `index.json` is missing.
    #[error("manifest {0} referenced by index.json is missing")]
    ManifestMissing(String),
    /// A manifest or nested index blob is not valid.
    #[error("invalid manifest {0}: {1}")]
    InvalidBlob(String, String),
    /// The image config referenced by a manifest is missing.
    #[error("config {0} referenced by the manifest is missing")]
    ConfigMissing(String),
    /// The image config is not a JSON object.
    #[error("invalid image config {0}: {1}")]
    InvalidConfig(String, String),
    /// The reader was used after an earlier error.
    #[error("archive reader already failed")]
    Failed,
}

/// One image found in an archive.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedImage {
    /// Repository tags as written in the archive, e.g. `nginx:latest`.
    pub repo_tags: Vec<String>,
    /// The image config JSON (always an object).
    pub config: serde_json::Value,
    /// `sha256:<hex>` of the exact config bytes: the image ID.
    pub config_digest: String,
}

/// How a member's data is treated.
#[derive(Debug)]
enum Kind {
    /// Discard the data.
    Skip,
    /// GNU long name for the next member.
    LongName,
    /// Pax extended header for the next member.
    Pax,
    /// A JSON file kept under this name.
    Keep(String),
    /// A blob kept under this name only if its first byte is `{`.
    KeepIfObject(String),
}

#[derive(Debug)]
enum State {
    /// Accumulating a 512-byte header.
    Header,
    /// Inside a member's data.
    Data {
        kind: Kind,
        remaining: u64,
        padding: u64,
        buf: Vec<u8>,
    },
    /// Skipping padding up to the next block boundary.
    Padding(u64),
    /// A zero block was seen: the rest is ignored.
    End,
    /// An error occurred.
    Failed,
}

/// Incremental reader of `docker save` / OCI image-layout tar streams.
#[derive(Debug)]
pub struct ArchiveReader {
    state: State,
    header: [u8; BLOCK],
    header_len: usize,
    long_name: Option<String>,
    pax_path: Option<String>,
    pax_size: Option<u64>,
    files: HashMap<String, Vec<u8>>,
    skipped_blobs: HashSet<String>,
    kept_total: u64,
}

impl Default for ArchiveReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ArchiveReader {
    /// Creates a reader positioned at the start of a tar stream.
    pub fn new() -> Self {
        ArchiveReader {
            state: State::Header,
            header: [0; BLOCK],
            header_len: 0,
            long_name: None,
            pax_path: None,
            pax_size: None,
            files: HashMap::new(),
            skipped_blobs: HashSet::new(),
            kept_total: 0,
        }
    }

    /// Feeds the next chunk of the stream; chunks may have any size.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ArchiveError> {
        if matches!(self.state, State::Failed) {
            return Err(ArchiveError::Failed);
        }
        let result = self.push_inner(chunk);
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// Ends the stream and resolves the images it described.
    pub fn finish(self) -> Result<Vec<LoadedImage>, ArchiveError> {
        match self.state {
            State::End => {}
            State::Header if self.header_len == 0 => {}
            State::Failed => return Err(ArchiveError::Failed),
            _ => return Err(ArchiveError::UnexpectedEof),
        }
        if self.files.contains_key("manifest.json") {
            self.resolve_docker()
        } else if self.files.contains_key("index.json") {
            self.resolve_oci()
        } else {
            Err(ArchiveError::NoManifest)
        }
    }

    fn push_inner(&mut self, mut chunk: &[u8]) -> Result<(), ArchiveError> {
        while !chunk.is_empty() {
            match &mut self.state {
                State::End => return Ok(()),
                State::Failed => return Err(ArchiveError::Failed),
                State::Header => {
                    let take = (BLOCK - self.header_len).min(chunk.len());
                    self.header[self.header_len..self.header_len + take]
                        .copy_from_slice(&chunk[..take]);
                    self.header_len += take;
                    chunk = &chunk[take..];
                    if self.header_len == BLOCK {
                        self.header_len = 0;
                        let block = self.header;
                        self.on_header(&block)?;
                    }
                }
                State::Padding(n) => {
                    let take = (*n).min(chunk.len() as u64);
                    *n -= take;
                    chunk = &chunk[take as usize..];
                    if *n == 0 {
                        self.state = State::Header;
                    }
                }
                State::Data {
                    kind,
                    remaining,
                    buf,
                    ..
                } => {
                    let take = (*remaining).min(chunk.len() as u64) as usize;
                    let data = &chunk[..take];
                    if let Kind::KeepIfObject(name) = kind {
                        if buf.is_empty() && data.first().is_some_and(|&b| b != b'{') {
                            let name = std::mem::take(name);
                            // Nothing was stored yet, so `remaining` is the reserved size.
                            self.kept_total -= *remaining;
                            *buf = Vec::new();
                            self.skipped_blobs.insert(name);
                            *kind = Kind::Skip;
                        }
                    }
                    if !matches!(kind, Kind::Skip) {
                        buf.extend_from_slice(data);
                    }
                    *remaining -= take as u64;
                    chunk = &chunk[take..];
                    if *remaining == 0 {
                        self.end_member()?;
                    }
                }
            }
        }
        Ok(())
    }

    fn on_header(&mut self, block: &[u8; BLOCK]) -> Result<(), ArchiveError> {
        if block.iter().all(|&b| b == 0) {
            self.state = State::End;
            return Ok(());
        }
        verify_checksum(block)?;
        let typeflag = block[156];
        let header_size = parse_numeric(&block[124..136])?;
        let (kind, size) = match typeflag {
            b'L' => {
                if header_size > MAX_EXTENDED_HEADER {
                    return Err(ArchiveError::MemberTooLarge(header_name(block)));
                }
                (Kind::LongName, header_size)
            }
            b'x' | b'X' => {
                if header_size > MAX_EXTENDED_HEADER {
                    return Err(ArchiveError::MemberTooLarge(header_name(block)));
                }
                (Kind::Pax, header_size)
            }
            b'g' | b'K' => (Kind::Skip, header_size),
            _ => {
                let name = self
                    .pax_path
                    .take()
                    .or_else(|| self.long_name.take())
                    .unwrap_or_else(|| header_name(block));
                let size = self.pax_size.take().unwrap_or(header_size);
                self.long_name = None;
                match typeflag {
                    // Header-only types carry no data whatever their size field says.
                    b'1'..=b'6' => (Kind::Skip, 0),
                    b'0' | 0 | b'7' => (self.classify(&clean_name(&name), size)?, size),
                    _ => (Kind::Skip, size),
                }
            }
        };
        let mut buf = Vec::new();
        if matches!(
            kind,
            Kind::Keep(_) | Kind::KeepIfObject(_) | Kind::LongName | Kind::Pax
        ) {
            // Bounded above by MAX_MEMBER_SIZE or MAX_EXTENDED_HEADER.
            buf.reserve_exact(size as usize);
        }
        self.state = State::Data {
            kind,
            remaining: size,
            padding: (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64,
            buf,
        };
        if size == 0 {
            self.end_member()?;
        }
        Ok(())
    }

    /// Decides whether a regular file's data is kept.
    fn classify(&mut self, name: &str, size: u64) -> Result<Kind, ArchiveError> {
        let is_json = matches!(name, "manifest.json" | "index.json" | "repositories")
            || name.ends_with(".json");
        let is_blob = name.starts_with("blobs/");
        if !is_json && !is_blob {
            return Ok(Kind::Skip);
        }
        if size > MAX_MEMBER_SIZE {
            if is_json {
                return Err(ArchiveError::MemberTooLarge(name.to_string()));
            }
            // A large blob is a layer, never a manifest or config.
            self.skipped_blobs.insert(name.to_string());
            return Ok(Kind::Skip);
        }
        if self.kept_total + size > MAX_TOTAL_KEPT {
            return Err(ArchiveError::MetadataTooLarge);
        }
        self.kept_total += size;
        Ok(if is_json {
            Kind::Keep(name.to_string())
        } else {
            Kind::KeepIfObject(name.to_string())
        })
    }

    fn end_member(&mut self) -> Result<(), ArchiveError> {
        let state = std::mem::replace(&mut self.state, State::Header);
        let State::Data {
            kind, padding, buf, ..
        } = state
        else {
            return Ok(());
        };
        match kind {
            Kind::Skip => {}
            Kind::LongName => {
                let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
                self.long_name = Some(String::from_utf8_lossy(&buf[..end]).into_owned());
            }
            Kind::Pax => self.apply_pax(&buf)?,
            Kind::Keep(name) => {
                self.files.insert(name, buf);
            }
            Kind::KeepIfObject(name) => {
                if buf.is_empty() {
                    // An empty blob cannot be a JSON object.
                    self.skipped_blobs.insert(name);
                } else {
                    self.files.insert(name, buf);
                }
            }
        }
        if padding > 0 {
            self.state = State::Padding(padding);
        }
        Ok(())
    }

    /// Applies the `path` and `size` records of a pax extended header.
    fn apply_pax(&mut self, data: &[u8]) -> Result<(), ArchiveError> {
        let mut rest = data;
        while !rest.is_empty() {
            if rest.iter().all(|&b| b == 0) {
                break;
            }
            let space = rest
                .iter()
                .position(|&b| b == b' ')
                .ok_or(ArchiveError::InvalidHeader)?;
            let len: usize = std::str::from_utf8(&rest[..space])
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or(ArchiveError::InvalidHeader)?;
            if len <= space + 1 || len > rest.len() || rest[len - 1] != b'\n' {
                return Err(ArchiveError::InvalidHeader);
            }
            let record = &rest[space + 1..len - 1];
            rest = &rest[len..];
            let Some(eq) = record.iter().position(|&b| b == b'=') else {
                return Err(ArchiveError::InvalidHeader);
            };
            let (key, value) = (&record[..eq], &record[eq + 1..]);
            match key {
                b"path" => self.pax_path = Some(String::from_utf8_lossy(value).into_owned()),
                b"size" => {
                    let size = std::str::from_utf8(value)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .ok_or(ArchiveError::InvalidHeader)?;
                    self.pax_size = Some(size);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `docker save` layout: `manifest.json` lists configs and tags.
    fn resolve_docker(&self) -> Result<Vec<LoadedImage>, ArchiveError> {
        let raw = self.files.get("manifest.json").map(Vec::as_slice);
        let entries: Vec<DockerManifestEntry> = serde_json::from_slice(raw.unwrap_or_default())
            .map_err(|e| ArchiveError::InvalidManifest(e.to_string()))?;
        let mut images = Vec::new();
        for entry in entries {
            let (config, digest) = self.load_config(&entry.config)?;
            merge(
                &mut images,
                entry.repo_tags.unwrap_or_default(),
                config,
                digest,
            );
        }
        Ok(images)
    }

    /// OCI image layout: `index.json` → manifest blob → config blob.
    fn resolve_oci(&self) -> Result<Vec<LoadedImage>, ArchiveError> {
        let raw = self.files.get("index.json").map(Vec::as_slice);
        let index: OciIndex = serde_json::from_slice(raw.unwrap_or_default())
            .map_err(|e| ArchiveError::InvalidIndex(e.to_string()))?;
        let mut images = Vec::new();
        for desc in &index.manifests {
            let tags = names_from_annotations(&desc.annotations);
            let Some(manifest) = self.resolve_descriptor(desc)? else {
                continue;
            };
            let config_path = blob_path(&manifest.config.digest);
            let (config, digest) = self.load_config(&config_path)?;
            merge(&mut images, tags, config, digest);
        }
        Ok(images)
    }

    /// Resolves an `index.json` entry to an image manifest, following one
    /// level of nested index. `None` for descriptors that are not images.
    fn resolve_descriptor(&self, desc: &Descriptor) -> Result<Option<OciManifest>, ArchiveError> {
        let is_index = matches!(
            desc.media_type.as_str(),
            MEDIA_OCI_INDEX | MEDIA_DOCKER_LIST
        );
        let is_manifest = matches!(
            desc.media_type.as_str(),
            MEDIA_OCI_MANIFEST | MEDIA_DOCKER_MANIFEST | ""
        );
        if !is_index && !is_manifest {
            return Ok(None);
        }
        let raw = self.blob(&desc.digest)?;
        let value: serde_json::Value = serde_json::from_slice(raw)
            .map_err(|e| ArchiveError::InvalidBlob(desc.digest.clone(), e.to_string()))?;
        if !is_index && value.get("manifests").is_none() {
            return parse_manifest(&desc.digest, value).map(Some);
        }
        let nested: OciIndex = serde_json::from_value(value)
            .map_err(|e| ArchiveError::InvalidBlob(desc.digest.clone(), e.to_string()))?;
        for child in &nested.manifests {
            let child_is_manifest = matches!(
                child.media_type.as_str(),
                MEDIA_OCI_MANIFEST | MEDIA_DOCKER_MANIFEST | ""
            );
            let attestation = child.annotations.contains_key("vnd.docker.reference.type")
                || child.platform.as_ref().is_some_and(|p| p.os == "unknown");
            if !child_is_manifest || attestation {
                continue;
            }
            let Some(raw) = self.files.get(&blob_path(&child.digest)) else {
                continue;
            };
            let value: serde_json::Value = serde_json::from_slice(raw)
                .map_err(|e| ArchiveError::InvalidBlob(child.digest.clone(), e.to_string()))?;
            return parse_manifest(&child.digest, value).map(Some);
        }
        Err(ArchiveError::ManifestMissing(desc.digest.clone()))
    }

    fn blob(&self, digest: &str) -> Result<&[u8], ArchiveError> {
        self.files
            .get(&blob_path(digest))
            .map(Vec::as_slice)
            .ok_or_else(|| ArchiveError::ManifestMissing(digest.to_string()))
    }

    /// Loads and checks the config member at `path`.
    fn load_config(&self, path: &str) -> Result<(serde_json::Value, String), ArchiveError> {
        let path = clean_name(path);
        let Some(raw) = self.files.get(&path) else {
            if self.skipped_blobs.contains(&path) {
                return Err(ArchiveError::InvalidConfig(
                    path,
                    "not a JSON object".to_string(),
                ));
            }
            return Err(ArchiveError::ConfigMissing(path));
        };
        let value: serde_json::Value = serde_json::from_slice(raw)
            .map_err(|e| ArchiveError::InvalidConfig(path.clone(), e.to_string()))?;
        if !value.is_object() {
            return Err(ArchiveError::InvalidConfig(
                path,
                "not a JSON object".to_string(),
            ));
        }
        Ok((value, format!("sha256:{}", sha256_hex(raw))))
    }
}

#[derive(Deserialize)]
struct DockerManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct OciIndex {
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct Descriptor {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default)]
    platform: Option<Platform>,
}

#[derive(Deserialize)]
struct Platform {
    #[serde(default)]
    os: String,
}

#[derive(Deserialize)]
struct OciManifest {
    config: Descriptor,
}

fn parse_manifest(digest: &str, value: serde_json::Value) -> Result<OciManifest, ArchiveError> {
    serde_json::from_value(value)
        .map_err(|e| ArchiveError::InvalidBlob(digest.to_string(), e.to_string()))
}

/// Image names from an index entry's annotations.
fn names_from_annotations(annotations: &BTreeMap<String, String>) -> Vec<String> {
    if let Some(name) = annotations.get(ANNOTATION_IMAGE_NAME) {
        return vec![name.clone()];
    }
    match annotations.get(ANNOTATION_REF_NAME) {
        // A bare tag ("latest") names no repository; a full reference has ':' or '/'.
        Some(r) if !r.starts_with(':') && r.contains([':', '/']) => vec![r.clone()],
        _ => Vec::new(),
    }
}

/// Adds an image, merging tags into an existing entry with the same config.
fn merge(
    images: &mut Vec<LoadedImage>,
    tags: Vec<String>,
    config: serde_json::Value,
    digest: String,
) {
    if let Some(existing) = images.iter_mut().find(|i| i.config_digest == digest) {
        for tag in tags {
            if !existing.repo_tags.contains(&tag) {
                existing.repo_tags.push(tag);
            }
        }
        return;
    }
    let mut repo_tags: Vec<String> = Vec::new();
    for tag in tags {
        if !repo_tags.contains(&tag) {
            repo_tags.push(tag);
        }
    }
    images.push(LoadedImage {
        repo_tags,
        config,
        config_digest: digest,
    });
}

/// `sha256:<hex>` → `blobs/sha256/<hex>`.
fn blob_path(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) => format!("blobs/{alg}/{hex}"),
        None => format!("blobs/{digest}"),
    }
}

/// Strips leading `./` and `/` from a member name.
fn clean_name(name: &str) -> String {
    let mut n = name;
    loop {
        if let Some(rest) = n.strip_prefix("./") {
            n = rest;
        } else if let Some(rest) = n.strip_prefix('/') {
            n = rest;
        } else {
            return n.to_string();
        }
    }
}

fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A NUL-terminated header field as text.
fn field_str(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// The member name from the header, joining the ustar prefix when present.
fn header_name(block: &[u8; BLOCK]) -> String {
    let name = field_str(&block[0..100]);
    if &block[257..263] == b"ustar\0" {
        let prefix = field_str(&block[345..500]);
        if !prefix.is_empty() {
            return format!("{prefix}/{name}");
        }
    }
    name
}

/// Parses an octal or GNU base-256 numeric header field.
fn parse_numeric(field: &[u8]) -> Result<u64, ArchiveError> {
    if let Some(&first) = field.first() {
        if first & 0x80 != 0 {
            if first & 0x40 != 0 {
                return Err(ArchiveError::InvalidHeader);
            }
            let mut value: u64 = u64::from(first & 0x3f);
            for &b in &field[1..] {
                if value > (u64::MAX >> 8) {
                    return Err(ArchiveError::InvalidHeader);
                }
                value = (value << 8) | u64::from(b);
            }
            return Ok(value);
        }
    }
    let text: &[u8] = {
        let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
        let t = &field[..end];
        let start = t.iter().position(|&b| b != b' ').unwrap_or(t.len());
        let t = &t[start..];
        let stop = t.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
        &t[..stop]
    };
    let mut value: u64 = 0;
    for &b in text {
        if !(b'0'..=b'7').contains(&b) || value > (u64::MAX >> 3) {
            return Err(ArchiveError::InvalidHeader);
        }
        value = (value << 3) | u64::from(b - b'0');
    }
    Ok(value)
}

/// Checks the header checksum (unsigned, or the historic signed variant).
fn verify_checksum(block: &[u8; BLOCK]) -> Result<(), ArchiveError> {
    let stored = parse_numeric(&block[148..156]).map_err(|_| ArchiveError::BadChecksum)?;
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    if stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed) {
        Ok(())
    } else {
        Err(ArchiveError::BadChecksum)
    }
}

#[cfg(test)]
mod tests;
