//! Fidelity measured against a real Docker Engine (issue 15): the corpus of
//! `tests/fidelity/*.json` replayed against sockerless and compared, after
//! normalisation, with the goldens recorded from Docker Engine 26.1 at API
//! 1.44 by `scripts/record-fidelity.sh` (which runs [`record`] against the
//! real engine). CI needs no Docker Engine: the goldens are committed.
//!
//! A deliberate difference is declared in its scenario (`differs`, with the
//! reason), never by editing a golden.

mod client;
mod compare;
mod normalise;
mod report;
mod run;
mod scenario;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Value};

use super::docker::common::Daemon;
use compare::Diff;
use run::Target;
use scenario::{Area, Differ, Scenario, Shape};

/// What the replay of one scenario showed.
#[derive(Debug)]
pub struct Outcome {
    /// The area (file stem).
    pub area: String,
    /// The scenario.
    pub name: String,
    /// It could not run, or has no golden.
    pub error: Option<String>,
    /// Differences nobody declared.
    pub undeclared: Vec<Diff>,
    /// Declarations with the differences they cover.
    pub declared: Vec<(Differ, usize)>,
    /// Declarations that cover nothing any more.
    pub stale: Vec<Differ>,
}

impl Outcome {
    /// Same as Docker, with nothing declared.
    pub fn exact(&self) -> bool {
        self.error.is_none()
            && self.undeclared.is_empty()
            && self.declared.is_empty()
            && self.stale.is_empty()
    }

    /// Failures of this scenario, one line each.
    pub fn failures(&self) -> Vec<String> {
        let at = format!("{}/{}", self.area, self.name);
        let mut out: Vec<String> = self.error.iter().map(|e| format!("{at}: {e}")).collect();
        out.extend(self.undeclared.iter().map(|d| format!("{at}: {d}")));
        out.extend(self.stale.iter().map(|d| {
            format!(
                "{at}: declared difference at step {:?} {:?} no longer differs",
                d.step, d.at
            )
        }));
        out
    }
}

/// The golden records of an area: engine version and steps by scenario.
fn load_golden(area: &str) -> Result<(String, BTreeMap<String, Vec<Value>>), String> {
    let path = scenario::golden_path(area);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (run scripts/record-fidelity.sh)", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let engine = v["engine"].as_str().unwrap_or("unknown").to_string();
    let scenarios = serde_json::from_value(v["scenarios"].clone())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((engine, scenarios))
}

/// A scenario's name and its records (or why it could not run).
type Ran = (String, Result<Vec<Value>, String>);

/// Runs every area on its own thread, scenarios in order.
fn run_corpus(
    target: &Target,
    areas: &[(String, Area)],
    shapes: &BTreeMap<String, Shape>,
) -> Vec<(String, Vec<Ran>)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = areas
            .iter()
            .map(|(stem, area)| {
                s.spawn(move || {
                    let results = area
                        .scenarios
                        .iter()
                        .map(|sc| (sc.name.clone(), run::run(target, sc, shapes)))
                        .collect();
                    (stem.clone(), results)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("area thread"))
            .collect()
    })
}

/// Replays the corpus against `socket` and compares with the goldens.
fn replay(socket: &Path) -> Vec<Outcome> {
    let areas = scenario::load_areas();
    let shapes = scenario::load_shapes();
    check_names(&areas);
    let mut target = Target::new(socket.to_path_buf());
    target.prepare().expect("corpus images");
    let mut outcomes = Vec::new();
    for (stem, results) in run_corpus(&target, &areas, &shapes) {
        let area = &areas.iter().find(|(s, _)| *s == stem).expect("area").1;
        let golden = load_golden(&stem);
        for (sc, (name, result)) in area.scenarios.iter().zip(results) {
            let mut outcome = Outcome {
                area: stem.clone(),
                name,
                error: None,
                undeclared: Vec::new(),
                declared: Vec::new(),
                stale: Vec::new(),
            };
            let want = match &golden {
                Ok((_, g)) => g
                    .get(&sc.name)
                    .ok_or("no golden for it (run scripts/record-fidelity.sh)".to_string()),
                Err(e) => Err(e.clone()),
            };
            match (want, result) {
                (Err(e), _) | (_, Err(e)) => outcome.error = Some(e),
                (Ok(want), Ok(got)) => judge(sc, &compare::diff_steps(want, &got), &mut outcome),
            }
            outcomes.push(outcome);
        }
        if let Ok((_, g)) = &golden {
            for name in g
                .keys()
                .filter(|n| !area.scenarios.iter().any(|s| &s.name == *n))
            {
                outcomes.push(Outcome {
                    area: stem.clone(),
                    name: name.clone(),
                    error: Some("a golden without a scenario (re-record)".into()),
                    undeclared: Vec::new(),
                    declared: Vec::new(),
                    stale: Vec::new(),
                });
            }
        }
    }
    outcomes
}

/// Sorts differences into declared and undeclared.
fn judge(sc: &Scenario, diffs: &[Diff], outcome: &mut Outcome) {
    for d in diffs {
        if !sc.differs.iter().any(|decl| compare::covers(decl, d)) {
            outcome.undeclared.push(d.clone());
        }
    }
    for decl in &sc.differs {
        let n = diffs.iter().filter(|d| compare::covers(decl, d)).count();
        if n == 0 {
            outcome.stale.push(decl.clone());
        } else {
            outcome.declared.push((decl.clone(), n));
        }
    }
}

/// Scenario names are unique over the corpus (`{{name}}` makes resource names).
fn check_names(areas: &[(String, Area)]) {
    let mut seen = BTreeSet::new();
    for (_, area) in areas {
        for sc in &area.scenarios {
            assert!(
                seen.insert(sc.name.as_str()),
                "scenario name {} used twice",
                sc.name
            );
        }
    }
}

/// The corpus replayed against sockerless (embedded) matches the goldens of
/// the real engine, except where a scenario declares why not.
#[test]
fn corpus_replays_like_docker() {
    let daemon = Daemon::start();
    let outcomes = replay(&daemon.socket);
    let failures: Vec<String> = outcomes.iter().flat_map(Outcome::failures).collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ from Docker:\n{}",
        outcomes.iter().filter(|o| !o.failures().is_empty()).count(),
        outcomes.len(),
        failures.join("\n")
    );
}

/// Every Docker route sockerless serves is in the corpus.
#[test]
fn corpus_covers_every_route() {
    let missing = report::uncovered_routes(&scenario::load_areas());
    assert!(missing.is_empty(), "routes without a scenario: {missing:?}");
}

/// Records the goldens from the engine at `$FIDELITY_DOCKER_HOST`, then
/// replays against sockerless and writes FIDELITY.md. Run by
/// `scripts/record-fidelity.sh`, never by CI. `$FIDELITY_AREAS` limits it to
/// some areas; `$FIDELITY_SCENARIOS` to some scenarios, whose records replace
/// theirs in the area's golden (the others' stay as recorded before).
#[test]
#[ignore = "needs a real Docker Engine: scripts/record-fidelity.sh"]
fn record() {
    let host = std::env::var("FIDELITY_DOCKER_HOST")
        .expect("FIDELITY_DOCKER_HOST (scripts/record-fidelity.sh sets it)");
    let areas = scenario::load_areas();
    let shapes = scenario::load_shapes();
    check_names(&areas);
    let list = |var: &str| -> Option<BTreeSet<String>> {
        std::env::var(var)
            .ok()
            .map(|s| s.split(',').map(str::to_string).collect())
    };
    let only = list("FIDELITY_AREAS");
    let scenarios_only = list("FIDELITY_SCENARIOS");
    let mut target = Target::new(run::socket_of(&host));
    target.prepare().expect("the engine has the corpus images");
    let engine = target.engine_version();
    let chosen: Vec<(String, Area)> = areas
        .into_iter()
        .filter(|(stem, _)| only.as_ref().is_none_or(|o| o.contains(stem)))
        .map(|(stem, mut area)| {
            if let Some(names) = &scenarios_only {
                area.scenarios.retain(|sc| names.contains(&sc.name));
            }
            (stem, area)
        })
        .filter(|(_, area)| !area.scenarios.is_empty())
        .collect();
    let all_names: BTreeMap<String, BTreeSet<String>> = scenario::load_areas()
        .into_iter()
        .map(|(stem, area)| (stem, area.scenarios.into_iter().map(|s| s.name).collect()))
        .collect();
    let mut errors = Vec::new();
    for (stem, results) in run_corpus(&target, &chosen, &shapes) {
        let mut scenarios = serde_json::Map::new();
        if scenarios_only.is_some() {
            // Keep the other scenarios' records (of scenarios still in the area).
            if let Ok((_, old)) = load_golden(&stem) {
                let names = all_names.get(&stem);
                for (name, steps) in old {
                    if names.is_some_and(|n| n.contains(&name)) {
                        scenarios.insert(name, Value::Array(steps));
                    }
                }
            }
        }
        for (name, result) in results {
            match result {
                Ok(steps) => {
                    scenarios.insert(name, Value::Array(steps));
                }
                Err(e) => errors.push(format!("{stem}/{name}: {e}")),
            }
        }
        let golden = json!({ "engine": engine, "api": run::API, "scenarios": scenarios });
        let text = serde_json::to_string_pretty(&golden).expect("golden json") + "\n";
        std::fs::write(scenario::golden_path(&stem), text).expect("write golden");
    }
    assert!(
        errors.is_empty(),
        "scenarios failed on the engine:\n{}",
        errors.join("\n")
    );
    write_report();
}

/// Replays the corpus against sockerless and writes FIDELITY.md (run by
/// `scripts/record-fidelity.sh` after recording, or alone with `--report`).
#[test]
#[ignore = "writes FIDELITY.md: scripts/record-fidelity.sh"]
fn report() {
    write_report();
}

fn write_report() {
    let engine = scenario::load_areas()
        .first()
        .and_then(|(stem, _)| load_golden(stem).ok())
        .map_or_else(|| "unknown".to_string(), |(engine, _)| engine);
    let daemon = Daemon::start();
    let outcomes = replay(&daemon.socket);
    let all = scenario::load_areas();
    let md = report::render(&engine, &all, &outcomes);
    std::fs::write(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("FIDELITY.md"),
        md,
    )
    .expect("write FIDELITY.md");
}
