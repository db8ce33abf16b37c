//! How a container's process is scripted: by its labels, or by the first
//! matching script rule (labels win). Per-container label overrides:
//! `sockerless.memory.exit-code`, `sockerless.memory.stdout`,
//! `sockerless.memory.stderr` (the outcome instead of the command),
//! `sockerless.memory.run-for` (exit after this long),
//! `sockerless.memory.ignore-sigterm=true`, `sockerless.memory.health=unhealthy`.

use std::collections::HashMap;
use std::time::Duration;

use crate::controls::scripts::ScriptRule;
use sockerless_core::docker::{duration, signal};
use sockerless_core::error::{Error, Result};

/// Label: the exit code of the scripted outcome.
pub(crate) const LABEL_EXIT_CODE: &str = "sockerless.memory.exit-code";
/// Label: what the process writes to stdout.
pub(crate) const LABEL_STDOUT: &str = "sockerless.memory.stdout";
/// Label: what the process writes to stderr.
pub(crate) const LABEL_STDERR: &str = "sockerless.memory.stderr";
/// Label: how long the process runs before it exits.
pub(crate) const LABEL_RUN_FOR: &str = "sockerless.memory.run-for";
/// Label: `true` makes the process ignore SIGTERM.
pub(crate) const LABEL_IGNORE_SIGTERM: &str = "sockerless.memory.ignore-sigterm";
/// Label: `unhealthy` makes health checks fail.
pub(crate) const LABEL_HEALTH: &str = "sockerless.memory.health";

/// How the labels script a container's process.
#[derive(Debug, Clone, Default)]
pub(crate) struct Script {
    /// Replace the command with this output and exit code.
    pub(crate) outcome: Option<(String, String, i64)>,
    /// Exit after this long.
    pub(crate) run_for: Option<Duration>,
    /// Exit code after `run_for` when the command is still running.
    pub(crate) exit_code: i64,
    pub(crate) ignore_sigterm: bool,
    pub(crate) unhealthy: bool,
    /// A script rule's outcome (used when the labels script none).
    pub(crate) rule: Option<std::sync::Arc<ScriptRule>>,
    /// Exit code on SIGTERM instead of 143.
    pub(crate) sigterm_code: Option<i64>,
    /// Health results in order (true = failing); the last repeats.
    pub(crate) health: Vec<bool>,
}

fn line(s: &str) -> String {
    if s.is_empty() || s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}

/// Checks the scripting labels of a create (400 for a value that means
/// nothing, instead of a silent default): an exit code `0`–`255`, a run-for
/// duration, `true`/`false`/`1`/`0`, `healthy`/`unhealthy`.
pub(crate) fn check_labels(labels: &HashMap<String, String>) -> Result<()> {
    let bad = |key: &str, value: &str, want: &str| {
        Err(Error::bad_request(format!(
            "invalid label {key}={value:?}: {want}"
        )))
    };
    if let Some(v) = labels.get(LABEL_EXIT_CODE) {
        if v.trim().parse::<u8>().is_err() {
            return bad(LABEL_EXIT_CODE, v, "expected an exit code from 0 to 255");
        }
    }
    if let Some(v) = labels.get(LABEL_RUN_FOR) {
        if duration::parse_run_for(v).is_err() {
            return bad(
                LABEL_RUN_FOR,
                v,
                "expected a duration such as 90, 1.5 or 2m30s",
            );
        }
    }
    if let Some(v) = labels.get(LABEL_IGNORE_SIGTERM) {
        if !matches!(v.as_str(), "true" | "false" | "1" | "0") {
            return bad(LABEL_IGNORE_SIGTERM, v, "expected true or false");
        }
    }
    if let Some(v) = labels.get(LABEL_HEALTH) {
        if !matches!(v.as_str(), "healthy" | "unhealthy") {
            return bad(LABEL_HEALTH, v, "expected healthy or unhealthy");
        }
    }
    Ok(())
}

impl Script {
    pub(crate) fn from_labels(labels: &HashMap<String, String>) -> Script {
        let exit_code = labels
            .get(LABEL_EXIT_CODE)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0);
        let scripted = [LABEL_EXIT_CODE, LABEL_STDOUT, LABEL_STDERR]
            .iter()
            .any(|k| labels.contains_key(*k));
        let outcome = scripted.then(|| {
            (
                line(labels.get(LABEL_STDOUT).map(String::as_str).unwrap_or("")),
                line(labels.get(LABEL_STDERR).map(String::as_str).unwrap_or("")),
                exit_code,
            )
        });
        Script {
            outcome,
            run_for: labels
                .get(LABEL_RUN_FOR)
                .and_then(|v| duration::parse_run_for(v).ok()),
            exit_code,
            ignore_sigterm: labels
                .get(LABEL_IGNORE_SIGTERM)
                .is_some_and(|v| v == "true" || v == "1"),
            unhealthy: labels.get(LABEL_HEALTH).is_some_and(|v| v == "unhealthy"),
            rule: None,
            sigterm_code: None,
            health: Vec::new(),
        }
    }

    /// Labels win over script rules: a rule's outcome applies only when no label
    /// scripts one (`exit-code`, `stdout`, `stderr`, `run-for`); its SIGTERM and
    /// health behaviour apply unless a label sets them.
    pub(crate) fn with_rule(mut self, rule: Option<std::sync::Arc<ScriptRule>>) -> Script {
        let Some(rule) = rule else {
            return self;
        };
        if !self.ignore_sigterm {
            self.ignore_sigterm = rule.ignore_sigterm();
            self.sigterm_code = rule.sigterm_exit_code();
        }
        if !self.unhealthy {
            self.health = rule.health.clone();
        }
        if self.outcome.is_none() && self.run_for.is_none() {
            if rule.run_for.is_some() {
                self.run_for = rule.run_for;
                self.exit_code = rule.exit_code();
            }
            if rule.scripts_outcome() {
                self.rule = Some(rule);
            }
        }
        self
    }

    /// Whether health check `n` (0-based) fails.
    pub(crate) fn health_fails(&self, n: usize) -> bool {
        if self.unhealthy {
            return true;
        }
        match self.health.get(n).or(self.health.last()) {
            Some(fail) => *fail,
            None => false,
        }
    }

    /// Whether the script leaves the command to run as it is: it scripts no
    /// output or exit (labels or a rule) and no run time.
    pub(crate) fn leaves_program_alone(&self) -> bool {
        self.rule.is_none() && self.outcome.is_none() && self.run_for.is_none()
    }

    /// What a signal does: `Some(status)` ends the process.
    pub(crate) fn disposition(&self, sig: i32) -> Option<i64> {
        match (sig, self.sigterm_code) {
            (signal::SIGTERM, Some(code)) if !self.ignore_sigterm => Some(code),
            _ => disposition(sig, self.ignore_sigterm),
        }
    }
}

/// What a signal does to a simulated process: `Some(status)` ends it.
pub(crate) fn disposition(sig: i32, ignore_sigterm: bool) -> Option<i64> {
    match sig {
        signal::SIGKILL => Some(128 + 9),
        signal::SIGTERM if ignore_sigterm => None,
        signal::SIGTERM | signal::SIGINT | signal::SIGHUP | signal::SIGQUIT => {
            Some(128 + i64::from(sig))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_dispositions() {
        let table = [
            (signal::SIGKILL, false, Some(137)),
            (signal::SIGKILL, true, Some(137)),
            (signal::SIGTERM, false, Some(143)),
            (signal::SIGTERM, true, None),
            (signal::SIGINT, false, Some(130)),
            (signal::SIGHUP, false, Some(129)),
            (signal::SIGQUIT, true, Some(131)),
            (signal::SIGUSR1, false, None),
            (signal::SIGWINCH, false, None),
        ];
        for (sig, ignore, want) in table {
            assert_eq!(disposition(sig, ignore), want, "{sig} {ignore}");
        }
    }

    #[test]
    fn labels_script_the_outcome() {
        let labels: HashMap<String, String> = [
            (LABEL_STDOUT.to_string(), "out".to_string()),
            (LABEL_EXIT_CODE.to_string(), "7".to_string()),
            (LABEL_RUN_FOR.to_string(), "2s".to_string()),
        ]
        .into_iter()
        .collect();
        let s = Script::from_labels(&labels);
        assert_eq!(s.outcome, Some(("out\n".into(), String::new(), 7)));
        assert_eq!(s.run_for, Some(Duration::from_secs(2)));
        let none = Script::from_labels(&HashMap::new());
        assert!(none.outcome.is_none() && none.run_for.is_none() && !none.ignore_sigterm);
    }
}
