//! Compares a replay with its golden record: every leaf that differs, by JSON
//! pointer, then which of those the scenario declares.

use serde_json::Value;

use super::scenario::Differ;

/// One difference: where, what Docker said, what sockerless said.
#[derive(Debug, Clone)]
pub struct Diff {
    /// The step's index among the recorded steps.
    pub step: usize,
    /// A JSON pointer into the step's record.
    pub at: String,
    /// Docker's value (`None`: absent).
    pub docker: Option<Value>,
    /// Sockerless's value (`None`: absent).
    pub ours: Option<Value>,
}

impl std::fmt::Display for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<Value>| v.as_ref().map_or("<absent>".to_string(), |v| v.to_string());
        write!(
            f,
            "step {} {}: docker {} / sockerless {}",
            self.step,
            self.at,
            show(&self.docker),
            show(&self.ours)
        )
    }
}

/// Every difference between the golden steps and the replayed ones.
pub fn diff_steps(golden: &[Value], ours: &[Value]) -> Vec<Diff> {
    let mut out = Vec::new();
    for i in 0..golden.len().max(ours.len()) {
        diff(i, "", golden.get(i), ours.get(i), &mut out);
    }
    out
}

fn diff(step: usize, at: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<Diff>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let at = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                diff(step, &at, x.get(k), y.get(k), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(step, &format!("{at}/{i}"), Some(p), Some(q), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(Diff {
            step,
            at: at.to_string(),
            docker: a.cloned(),
            ours: b.cloned(),
        }),
    }
}

/// Whether `d` is covered by declaration `decl`.
pub fn covers(decl: &Differ, d: &Diff) -> bool {
    decl.step.is_none_or(|s| s == d.step)
        && (decl.at.is_empty() || d.at == decl.at || d.at.starts_with(&format!("{}/", decl.at)))
}
