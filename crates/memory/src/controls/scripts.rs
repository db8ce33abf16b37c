//! Script rules (`/memory/scripts`, file key `memory.scripts`): what a matching
//! container's process writes, how long it runs, how it exits, how it answers
//! SIGTERM and health checks, and what its execs print. A leaf: the process and
//! exec code read the compiled [`ScriptRule`]; nothing here knows the backend.

use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::clock::parse_duration;
use sockerless_core::error::{Error, Result};

/// One chunk of scripted output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkSpec {
    /// `stdout` (default) or `stderr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    /// The text (written as given: add `\n` yourself).
    pub data: String,
    /// Wait this long before writing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<String>,
}

/// A scripted exec result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecScriptSpec {
    /// Glob over the exec's command line (words joined by spaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Regex over the exec's command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_regex: Option<String>,
    /// Output chunks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<ChunkSpec>,
    /// The exit code (default 0).
    #[serde(default)]
    pub exit_code: i64,
}

/// A script rule as written (`POST /memory/scripts`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptSpec {
    /// Glob over the image as the create named it (`alpine*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Regex over the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_regex: Option<String>,
    /// Glob over the command line (`Path` and `Args` joined by spaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Regex over the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_regex: Option<String>,
    /// Output chunks, written in order (each after its delay) instead of
    /// running the command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<ChunkSpec>,
    /// Exit with this code (after the output and `run_for`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// Run this long after the output, then exit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_for: Option<String>,
    /// Run until `POST /memory/containers/{ref}/exit?code=N` (or stop/kill).
    #[serde(default)]
    pub manual: bool,
    /// SIGTERM is ignored (stop kills after its timeout).
    #[serde(default)]
    pub ignore_sigterm: bool,
    /// Exit with this code on SIGTERM (instead of 143).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigterm_exit_code: Option<i64>,
    /// Health check results in order (`healthy`/`unhealthy`); the last repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health: Vec<String>,
    /// Exec results for the matched containers; the first matching entry wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exec: Vec<ExecScriptSpec>,
}

/// Compiled output chunk.
#[derive(Debug, Clone)]
pub(crate) struct Chunk {
    /// stdout or stderr.
    pub(crate) stderr: bool,
    /// The bytes.
    pub(crate) data: bytes::Bytes,
    /// Delay before.
    pub(crate) delay: Duration,
}

/// Compiled exec script.
#[derive(Debug, Clone)]
pub(crate) struct ExecScript {
    command: Option<Regex>,
    /// Output.
    pub(crate) output: Vec<Chunk>,
    /// Exit code.
    pub(crate) exit_code: i64,
}

/// A validated script rule.
#[derive(Debug, Clone)]
pub struct ScriptRule {
    pub(crate) id: u64,
    spec: ScriptSpec,
    image: Option<Regex>,
    command: Option<Regex>,
    /// Output chunks.
    pub(crate) output: Vec<Chunk>,
    /// Run time after the output.
    pub(crate) run_for: Option<Duration>,
    /// Health results (true = failing).
    pub(crate) health: Vec<bool>,
    /// Exec scripts.
    pub(crate) exec: Vec<ExecScript>,
}

fn glob_regex(what: &str, glob: &str) -> Result<Regex> {
    let mut re = String::from("^");
    for ch in glob.chars() {
        match ch {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|e| Error::bad_request(format!("invalid {what} glob {glob:?}: {e}")))
}

fn matcher(what: &str, glob: &Option<String>, re: &Option<String>) -> Result<Option<Regex>> {
    match (glob, re) {
        (Some(_), Some(_)) => Err(Error::bad_request(format!(
            "give {what} or {what}_regex, not both"
        ))),
        (Some(g), None) => glob_regex(what, g).map(Some),
        (None, Some(r)) => Regex::new(r)
            .map(Some)
            .map_err(|e| Error::bad_request(format!("invalid {what}_regex {r:?}: {e}"))),
        (None, None) => Ok(None),
    }
}

fn chunks(specs: &[ChunkSpec]) -> Result<Vec<Chunk>> {
    specs
        .iter()
        .map(|c| {
            let stderr = match c.stream.as_deref() {
                None | Some("stdout") => false,
                Some("stderr") => true,
                Some(o) => {
                    return Err(Error::bad_request(format!(
                        "invalid stream {o:?}: use stdout or stderr"
                    )))
                }
            };
            Ok(Chunk {
                stderr,
                data: bytes::Bytes::from(c.data.clone()),
                delay: match &c.delay {
                    Some(d) => parse_duration("delay", d)?,
                    None => Duration::ZERO,
                },
            })
        })
        .collect()
}

impl ScriptRule {
    /// Validates a rule; 400 naming what is wrong.
    pub fn compile(id: u64, spec: ScriptSpec) -> Result<ScriptRule> {
        let image = matcher("image", &spec.image, &spec.image_regex)?;
        let command = matcher("command", &spec.command, &spec.command_regex)?;
        if spec.manual && spec.run_for.is_some() {
            return Err(Error::bad_request("give manual or run_for, not both"));
        }
        let run_for = match &spec.run_for {
            Some(d) => Some(parse_duration("run_for", d)?),
            None => None,
        };
        let health = spec
            .health
            .iter()
            .map(|h| match h.as_str() {
                "healthy" => Ok(false),
                "unhealthy" => Ok(true),
                o => Err(Error::bad_request(format!(
                    "invalid health result {o:?}: use healthy or unhealthy"
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        let exec = spec
            .exec
            .iter()
            .map(|e| {
                Ok(ExecScript {
                    command: matcher("command", &e.command, &e.command_regex)?,
                    output: chunks(&e.output)?,
                    exit_code: e.exit_code,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ScriptRule {
            id,
            output: chunks(&spec.output)?,
            run_for,
            health,
            exec,
            image,
            command,
            spec,
        })
    }

    /// Whether the rule applies to a container with this image and command line.
    pub(crate) fn matches(&self, image: &str, command: &str) -> bool {
        self.image.as_ref().is_none_or(|r| r.is_match(image))
            && self.command.as_ref().is_none_or(|r| r.is_match(command))
    }

    /// Whether the rule replaces the command (output, exit code or manual).
    pub(crate) fn scripts_outcome(&self) -> bool {
        !self.output.is_empty() || self.spec.exit_code.is_some() || self.spec.manual
    }

    /// The exit code.
    pub(crate) fn exit_code(&self) -> i64 {
        self.spec.exit_code.unwrap_or(0)
    }

    /// Runs until told.
    pub(crate) fn manual(&self) -> bool {
        self.spec.manual
    }

    /// Ignores SIGTERM.
    pub(crate) fn ignore_sigterm(&self) -> bool {
        self.spec.ignore_sigterm
    }

    /// The SIGTERM exit code.
    pub(crate) fn sigterm_exit_code(&self) -> Option<i64> {
        self.spec.sigterm_exit_code
    }

    /// The exec script for this command line, if any.
    pub(crate) fn exec_for(&self, cmdline: &str) -> Option<&ExecScript> {
        self.exec
            .iter()
            .find(|e| e.command.as_ref().is_none_or(|r| r.is_match(cmdline)))
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(&self.spec).unwrap_or_else(|_| json!({}));
        if let Some(o) = v.as_object_mut() {
            o.insert("id".into(), json!(self.id));
        }
        v
    }
}
