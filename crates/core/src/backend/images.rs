//! [`ImageBackend`]: image operations: pull, list, inspect, load, tag, remove, prune.

use async_trait::async_trait;

use crate::api::docker;
use crate::api::*;
use crate::error::Result;
use crate::operation::Operation;

use super::ni;

/// Image operations: pull, list, inspect, load, tag, remove, prune. Every method defaults to `501 <operation> is not implemented`.
#[allow(unused_variables)]
#[async_trait]
pub trait ImageBackend: Send + Sync + 'static {
    /// `POST /images/pull`: Docker's pull progress records.
    async fn image_pull(&self, options: PullOptions) -> Result<BoxStream<serde_json::Value>> {
        ni(Operation::ImagePull)
    }

    /// `GET /images`.
    async fn image_list(&self, options: ImageListOptions) -> Result<Vec<docker::ImageSummary>> {
        ni(Operation::ImageList)
    }

    /// `GET /images/{name}`.
    async fn image_inspect(&self, name: String) -> Result<docker::ImageInspect> {
        ni(Operation::ImageInspect)
    }

    /// `POST /images/load`: reads the tar as it streams in; answers the records.
    async fn image_load(&self, body: ByteStream, quiet: bool) -> Result<Vec<serde_json::Value>> {
        ni(Operation::ImageLoad)
    }

    /// `POST /images/{name}/tag`.
    async fn image_tag(&self, name: String, options: TagOptions) -> Result<()> {
        ni(Operation::ImageTag)
    }

    /// `DELETE /images/{name}`.
    async fn image_remove(
        &self,
        name: String,
        options: ImageRemoveOptions,
    ) -> Result<Vec<docker::ImageDeleteResponseItem>> {
        ni(Operation::ImageRemove)
    }

    /// `POST /images/prune`.
    async fn image_prune(&self, filters: Filters) -> Result<docker::ImagePruneResponse> {
        ni(Operation::ImagePrune)
    }

    /// `GET /images/get?names=`: a `docker save` tar of the images.
    async fn image_save(&self, names: Vec<String>) -> Result<bytes::Bytes> {
        ni(Operation::ImageSave)
    }
}
