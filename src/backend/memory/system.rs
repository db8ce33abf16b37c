//! `info` and `version`.

use super::MemoryBackend;
use crate::api::docker;
use crate::error::{Error, Result};

impl MemoryBackend {
    /// `GET /info`.
    pub(crate) fn system_info(&self) -> Result<docker::SystemInfo> {
        Err(Error::not_implemented("info"))
    }

    /// `GET /version`.
    pub(crate) fn system_version(&self) -> Result<docker::SystemVersion> {
        Err(Error::not_implemented("version"))
    }
}
