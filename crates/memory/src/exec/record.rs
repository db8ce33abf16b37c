//! The stored exec instance.

use sockerless_core::api::docker;

/// A stored exec instance.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Ends the exec's task (when its container stops or goes). Not state.
    #[serde(skip)]
    pub task: Option<tokio::task::AbortHandle>,
}
