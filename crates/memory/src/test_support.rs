//! What several modules' unit tests start from.

use std::sync::Arc;

use futures_util::StreamExt;
use sockerless_core::api::PullOptions;
use sockerless_core::backend::prelude::*;

use crate::MemoryBackend;

/// A backend with `alpine` pulled.
pub(crate) async fn backend_with_alpine() -> Arc<MemoryBackend> {
    let b = MemoryBackend::new();
    let pull = b.image_pull(PullOptions {
        from_image: "alpine".into(),
        ..Default::default()
    });
    let mut progress = pull.await.expect("pulling alpine from the memory registry");
    while progress.next().await.is_some() {}
    b
}
