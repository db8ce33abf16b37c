//! Fault and latency rules (`/memory/faults`, file key `memory.faults`): which
//! operation, which reference, how often; a status to fail with, a delay, or both.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::clock::parse_duration;
use sockerless_core::error::{Error, Result};
use sockerless_core::{Operation, StatusCode};

/// A fault or latency rule as written (`POST /memory/faults`, file key
/// `memory.faults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// The operation's name (`container_start`, …: [`Operation::name`]).
    pub operation: String,
    /// Only requests whose path parameter is this (a container reference
    /// matches by the container it names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Answer with this status (400–599).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The message of the error (default `injected fault`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fire with this probability (0–1), drawn from the (seeded) generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Let this many matching calls through first.
    #[serde(default)]
    pub after: u64,
    /// Fire at most this many times (none: every time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Delay the request this long (Go duration, `1.5s`, `200ms`) before it is
    /// served (or failed, with `status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
}

/// A validated fault rule with its counters.
#[derive(Debug, Clone)]
pub struct FaultRule {
    pub(crate) id: u64,
    operation: Operation,
    spec: FaultSpec,
    status: Option<StatusCode>,
    latency: Duration,
    calls: u64,
    fired: u64,
}

impl FaultRule {
    /// Validates a rule; 400 naming what is wrong.
    pub fn compile(id: u64, spec: FaultSpec) -> Result<FaultRule> {
        let Some(operation) = Operation::from_name(&spec.operation) else {
            let names: Vec<&str> = Operation::ALL.iter().map(|op| op.name()).collect();
            return Err(Error::bad_request(format!(
                "unknown operation {:?} (use one of {})",
                spec.operation,
                names.join(", ")
            )));
        };
        let status = match spec.status {
            Some(s) if (400..=599).contains(&s) => Some(
                StatusCode::from_u16(s)
                    .map_err(|_| Error::bad_request(format!("invalid status {s}")))?,
            ),
            Some(s) => {
                return Err(Error::bad_request(format!(
                    "invalid status {s}: a fault's status is 400-599"
                )))
            }
            None => None,
        };
        let latency = match &spec.latency {
            Some(l) => parse_duration("latency", l)?,
            None => Duration::ZERO,
        };
        if status.is_none() && spec.latency.is_none() {
            return Err(Error::bad_request(
                "a fault rule needs a status, a latency, or both",
            ));
        }
        if let Some(p) = spec.probability {
            if !(0.0..=1.0).contains(&p) || p.is_nan() {
                return Err(Error::bad_request(format!(
                    "invalid probability {p}: use 0 to 1"
                )));
            }
        }
        Ok(FaultRule {
            id,
            operation,
            spec,
            status,
            latency,
            calls: 0,
            fired: 0,
        })
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(&self.spec).unwrap_or_else(|_| json!({}));
        if let Some(o) = v.as_object_mut() {
            o.insert("id".into(), json!(self.id));
            o.insert("calls".into(), json!(self.calls));
            o.insert("fired".into(), json!(self.fired));
        }
        v
    }
}

/// Runs one request past the rules, in order, counting the calls each rule
/// sees: the latency of every rule that fires, and the failure of the first
/// firing rule that has a status. `resolve` names the container a reference
/// names (so a rule for `web` matches a call by ID, and the reverse); `draw`
/// is the (seeded) generator's next number in `[0, 1)`.
pub(crate) fn apply(
    rules: &mut [FaultRule],
    operation: Operation,
    reference: Option<&str>,
    resolve: impl Fn(&str) -> Option<String>,
    mut draw: impl FnMut() -> f64,
) -> (Duration, Option<Error>) {
    // What the call's reference resolves to, looked up only when a rule
    // names a reference (most calls meet no rule at all).
    let mut target: Option<Option<String>> = None;
    let mut delay = Duration::ZERO;
    let mut failure: Option<Error> = None;
    for rule in rules.iter_mut() {
        if rule.operation != operation {
            continue;
        }
        if let Some(want) = &rule.spec.reference {
            let same = reference == Some(want.as_str()) || {
                let target = target.get_or_insert_with(|| reference.and_then(&resolve));
                target.is_some() && *target == resolve(want)
            };
            if !same {
                continue;
            }
        }
        rule.calls += 1;
        if rule.calls <= rule.spec.after || rule.spec.times.is_some_and(|t| rule.fired >= t) {
            continue;
        }
        if let Some(p) = rule.spec.probability {
            if draw() >= p {
                continue;
            }
        }
        rule.fired += 1;
        delay += rule.latency;
        if let (None, Some(status)) = (&failure, rule.status) {
            failure = Some(Error::Injected {
                status,
                message: rule
                    .spec
                    .message
                    .clone()
                    .unwrap_or_else(|| "injected fault".into()),
            });
        }
    }
    (delay, failure)
}
