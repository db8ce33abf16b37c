//! The process's view of its world: context and unknown-command policy.

/// What the simulated process sees.
#[derive(Debug, Clone, Default)]
pub struct ProcessContext {
    /// Environment as `KEY=VALUE` strings (entries without `=` are ignored).
    pub env: Vec<String>,
    /// Working directory; `""` means `/`.
    pub working_dir: String,
    /// Host name reported by `hostname` and `/etc/hostname`.
    pub hostname: String,
    /// User spec as in Docker's `User`: `""` (root), `"1000"`,
    /// `"1000:1000"`, `"nobody"`, `"name:group"`.
    pub user: String,
    /// Whether stdin is kept open (Docker's `OpenStdin`).
    pub open_stdin: bool,
    /// The container's files, when the backend gives them.
    pub files: Option<super::files::Files>,
}

/// How a top-level command the interpreter does not know behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownCommand {
    /// A container's main process (nginx, postgres…): runs until killed.
    RunForever,
    /// An exec: writes the command line back to stdout and exits 0
    /// ("mock output").
    Echo,
}
