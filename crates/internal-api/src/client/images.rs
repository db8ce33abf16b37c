//! [`ImageBackend`] over the internal API: pull progress as JSON lines, load
//! as a streamed upload.

use async_trait::async_trait;
use futures_util::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use sockerless_core::api::docker;
use sockerless_core::api::*;
use sockerless_core::backend::ImageBackend;
use sockerless_core::error::Result;
use sockerless_http::BoxError;

use super::{Query, RemoteBackend};
use crate::route::Route;

#[async_trait]
impl ImageBackend for RemoteBackend {
    async fn image_pull(&self, options: PullOptions) -> Result<BoxStream<serde_json::Value>> {
        let query = Query::new()
            .push("fromImage", &options.from_image)
            .opt("tag", options.tag.as_deref())
            .opt("platform", options.platform.as_deref())
            .finish();
        let headers: Vec<(&'static str, String)> = options
            .registry_auth
            .map(|Secret(auth)| ("x-registry-auth", auth))
            .into_iter()
            .collect();
        self.transport
            .json_lines(Route::ImagePull, &query, None, &headers)
            .await
    }

    async fn image_list(&self, options: ImageListOptions) -> Result<Vec<docker::ImageSummary>> {
        let query = Query::new()
            .flag("all", options.all)
            .flag("digests", options.digests)
            .filters(&options.filters)
            .finish();
        self.transport
            .json(Route::ImageList, &query, None::<&()>)
            .await
    }

    async fn image_inspect(&self, name: String) -> Result<docker::ImageInspect> {
        self.transport
            .json(Route::ImageInspect(name), "", None::<&()>)
            .await
    }

    async fn image_load(&self, body: ByteStream, quiet: bool) -> Result<Vec<serde_json::Value>> {
        let frames = body.map(|chunk| {
            chunk
                .map(http_body::Frame::data)
                .map_err(|e| Box::new(e) as BoxError)
        });
        let upload = StreamBody::new(frames).boxed_unsync();
        let query = Query::new().flag("quiet", quiet).finish();
        let records = self
            .transport
            .json_lines(
                Route::ImageLoad,
                &query,
                Some((upload, "application/x-tar")),
                &[],
            )
            .await?;
        Ok(records.collect().await)
    }

    async fn image_tag(&self, name: String, options: TagOptions) -> Result<()> {
        let query = Query::new()
            .push("repo", &options.repo)
            .opt("tag", options.tag.as_deref())
            .finish();
        self.transport
            .call(Route::ImageTag(name), &query, None::<&()>)
            .await
            .map(drop)
    }

    async fn image_remove(
        &self,
        name: String,
        options: ImageRemoveOptions,
    ) -> Result<Vec<docker::ImageDeleteResponseItem>> {
        let query = Query::new()
            .flag("force", options.force)
            .flag("noprune", options.noprune)
            .finish();
        self.transport
            .json(Route::ImageRemove(name), &query, None::<&()>)
            .await
    }

    async fn image_prune(&self, filters: Filters) -> Result<docker::ImagePruneResponse> {
        let query = Query::new().filters(&filters).finish();
        self.transport
            .json(Route::ImagePrune, &query, None::<&()>)
            .await
    }

    async fn image_save(&self, names: Vec<String>) -> Result<bytes::Bytes> {
        let mut query = Query::new();
        for n in &names {
            query = query.push("names", n);
        }
        Ok(self
            .transport
            .raw(Route::ImageSave, &query.finish(), None)
            .await?
            .1)
    }
}
