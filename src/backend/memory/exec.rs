//! Exec instances.

use super::MemoryBackend;
use crate::api::docker;
use crate::api::*;
use crate::error::{Error, Result};

/// A stored exec instance.
#[derive(Debug, Clone)]
pub struct ExecRecord {
    /// 64-hex ID.
    pub id: String,
    /// The container it runs in.
    pub container_id: String,
    /// What was asked for.
    pub config: docker::ExecConfig,
    /// Whether it runs now.
    pub running: bool,
    /// Set once it ends.
    pub exit_code: Option<i64>,
    /// Simulated PID while running.
    pub pid: i64,
    /// Whether start was called (a second start is 409).
    pub started: bool,
}

impl MemoryBackend {
    pub(crate) fn execs_create(&self, _r: &str, _c: docker::ExecConfig) -> Result<IdResponse> {
        Err(Error::not_implemented("exec_create"))
    }

    pub(crate) fn execs_inspect(&self, _id: &str) -> Result<ExecInspect> {
        Err(Error::not_implemented("exec_inspect"))
    }

    pub(crate) fn execs_start(
        &self,
        _id: &str,
        _detach: bool,
        _stdin: Option<BoxStream<bytes::Bytes>>,
    ) -> Result<BoxStream<AttachEvent>> {
        Err(Error::not_implemented("exec_start"))
    }
}
