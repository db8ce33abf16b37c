//! The `Backend` trait: one method per operation of the internal API, grouped
//! into one supertrait per resource (as moby's `router/*/backend.go`):
//! [`SystemBackend`], [`ContainerBackend`], [`ExecBackend`], [`ImageBackend`],
//! [`NetworkBackend`], [`VolumeBackend`]. [`Backend`] is all of them, implemented
//! for every type that implements the six.
//!
//! Every method has a default body answering `501 <operation> is not implemented`,
//! so a partial backend (a FaaS one with no exec, say) overrides only what it
//! supports. The trait is object safe and is shared as `Arc<dyn Backend>`; bring
//! the supertraits into scope to call their methods (`use
//! sockerless_core::backend::prelude::*`).
//!
//! ```
//! use std::sync::Arc;
//! use sockerless_core::api::Capabilities;
//! use sockerless_core::backend::prelude::*;
//!
//! struct Nothing;
//! #[async_trait::async_trait]
//! impl SystemBackend for Nothing {
//!     fn capabilities(&self) -> Capabilities {
//!         Capabilities::memory()
//!     }
//! }
//! impl ContainerBackend for Nothing {}
//! impl ExecBackend for Nothing {}
//! impl ImageBackend for Nothing {}
//! impl NetworkBackend for Nothing {}
//! impl VolumeBackend for Nothing {}
//! let backend: Arc<dyn Backend> = Arc::new(Nothing);
//! # let _ = backend;
//! ```

mod containers;
mod exec;
mod images;
mod networks;
mod system;
mod volumes;

pub use containers::ContainerBackend;
pub use exec::ExecBackend;
pub use images::ImageBackend;
pub use networks::NetworkBackend;
pub use system::SystemBackend;
pub use volumes::VolumeBackend;

use crate::error::{Error, Result};
use crate::operation::Operation;

/// Every trait a caller of a backend needs in scope.
pub mod prelude {
    pub use super::{
        Backend, ContainerBackend, ExecBackend, ImageBackend, NetworkBackend, SystemBackend,
        VolumeBackend,
    };
}

/// Shorthand for the 501 default body.
fn ni<T>(operation: Operation) -> Result<T> {
    Err(Error::not_implemented(operation.name()))
}

/// A boxed future that resolves once, used by `container_wait`.
pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'static>>;

/// The operations a sockerless backend serves: every resource's supertrait.
/// Names are resource-prefixed verbs; arguments are owned so the trait stays
/// object safe.
pub trait Backend:
    SystemBackend + ContainerBackend + ExecBackend + ImageBackend + NetworkBackend + VolumeBackend
{
}

impl<T> Backend for T where
    T: SystemBackend
        + ContainerBackend
        + ExecBackend
        + ImageBackend
        + NetworkBackend
        + VolumeBackend
{
}
