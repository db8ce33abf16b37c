//! Images: pull, list, inspect, load, tag, remove, prune, and registry auth.

use std::time::SystemTime;

use super::MemoryBackend;
use crate::api::docker;
use crate::api::*;
use crate::error::{Error, Result};

/// A stored image.
#[derive(Debug, Clone)]
pub struct ImageRecord {
    /// `sha256:<64 hex>`.
    pub id: String,
    /// Familiar tags, e.g. `nginx:latest`.
    pub repo_tags: Vec<String>,
    /// `name@sha256:<hex>` digests.
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
}

impl MemoryBackend {
    /// Resolves an image reference (ID, short ID, or any spelling of a tag) to
    /// its record; 404 `No such image: <ref>`.
    pub(crate) fn image_resolve(&self, reference: &str) -> Result<std::sync::Arc<ImageRecord>> {
        Err(Error::no_such_image(reference))
    }

    pub(crate) fn images_pull(&self, _o: PullOptions) -> Result<BoxStream<serde_json::Value>> {
        Err(Error::not_implemented("image_pull"))
    }

    pub(crate) fn images_list(&self, _o: ImageListOptions) -> Result<Vec<docker::ImageSummary>> {
        Err(Error::not_implemented("image_list"))
    }

    pub(crate) fn images_inspect(&self, _name: &str) -> Result<docker::ImageInspect> {
        Err(Error::not_implemented("image_inspect"))
    }

    pub(crate) async fn images_load(
        &self,
        _body: ByteStream,
        _quiet: bool,
    ) -> Result<Vec<serde_json::Value>> {
        Err(Error::not_implemented("image_load"))
    }

    pub(crate) fn images_tag(&self, _name: &str, _o: TagOptions) -> Result<()> {
        Err(Error::not_implemented("image_tag"))
    }

    pub(crate) fn images_remove(
        &self,
        _name: &str,
        _o: ImageRemoveOptions,
    ) -> Result<Vec<docker::ImageDeleteResponseItem>> {
        Err(Error::not_implemented("image_remove"))
    }

    pub(crate) fn images_prune(&self, _f: Filters) -> Result<docker::ImagePruneResponse> {
        Err(Error::not_implemented("image_prune"))
    }

    pub(crate) fn images_auth(&self, _c: AuthConfig) -> Result<AuthResponse> {
        Err(Error::not_implemented("auth"))
    }
}
