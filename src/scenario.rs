//! Data-driven scenarios: a TOML file holds a configuration, the seeds and length of the
//! runs, and the expected outcome as ranges on named figures. The story tests use them;
//! lessons' goals name the same figures.
//!
//! ```toml
//! name = "FreeBSD sends, shipped netback (OR)"
//! seeds = [1, 2, 3]
//! seconds = 10.0
//! [scenario]            # any field of sim::Config; the rest default
//! guest = "freebsd"
//! [expect]              # figure = { min = …, max = … }
//! spurious_ratio = { min = 0.98 }
//! throttle_ratio = { min = 0.08, max = 0.35 }
//! ```
//!
//! Figures: every [`Figure`] over the whole run (every number of the JSON report, and
//! `events_per_jiffy`), plus two that compare the run with its throttle-off twin (same
//! seed): `throttle_ratio` (goodput on / off) and `dom0_cpu_reduction` (dom0 CPU off / on).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Problem, plain};
use crate::sim::knob::config_problems;
use crate::sim::{Config, Figure, Reading, Sim};

/// The most seeds one scenario file runs.
pub const MAX_SEEDS: usize = 100;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub name: String,
    #[serde(default = "default_seeds")]
    pub seeds: Vec<u64>,
    #[serde(default = "default_seconds")]
    pub seconds: f64,
    #[serde(default)]
    pub scenario: Config,
    pub expect: BTreeMap<String, Range>,
}

fn default_seeds() -> Vec<u64> {
    vec![1]
}

fn default_seconds() -> f64 {
    10.0
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Range {
    pub fn contains(&self, v: f64) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.min, self.max) {
            (Some(a), Some(b)) => write!(f, "in [{a}, {b}]"),
            (Some(a), None) => write!(f, ">= {a}"),
            (None, Some(b)) => write!(f, "<= {b}"),
            (None, None) => write!(f, "anything"),
        }
    }
}

/// One figure of one seed, checked against its range.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub seed: u64,
    pub figure: String,
    pub value: f64,
    pub range: Range,
}

impl Expectation {
    pub fn passed(&self) -> bool {
        self.range.contains(self.value)
    }
}

impl ScenarioFile {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = crate::files::read::read_text(path)
            .map_err(|e| anyhow::anyhow!("{}", crate::diag::Problem::unreadable(path, &e)))?;
        Self::parse(path, &text).map_err(|p| anyhow::anyhow!("{p}"))
    }

    /// Parse a scenario file's text; a mistake is `path:line:col: message`, as for lessons.
    pub fn parse(path: &Path, text: &str) -> Result<Self, Problem> {
        let file: ScenarioFile = toml::from_str(text).map_err(|e| {
            Problem::at(
                path,
                text,
                e.span().map_or(0, |s| s.start),
                plain(e.message()),
            )
        })?;
        // The same ranges as the command line's, so that no file runs what no flag can;
        // each problem with the key whose value it is about.
        let mut wrong: Vec<(Key, String)> = config_problems(&file.scenario)
            .into_iter()
            .map(|m| (Key::Scenario, m))
            .collect();
        if !(file.seconds > 0.0 && file.seconds <= 3600.0) {
            let m = format!("seconds is {}: give more than 0, up to 3600", file.seconds);
            wrong.push((Key::Seconds, m));
        }
        if file.seeds.is_empty() || file.seeds.len() > MAX_SEEDS {
            wrong.push((Key::Seeds, format!("seeds: give 1 to {MAX_SEEDS} of them")));
        }
        for (name, r) in &file.expect {
            if [r.min, r.max].iter().flatten().any(|x| !x.is_finite()) {
                let m = format!("expect.{name}: min and max must be numbers");
                wrong.push((Key::Expect, m));
            }
        }
        let Some(&(key, _)) = wrong.first() else {
            return Ok(file);
        };
        let messages: Vec<String> = wrong.into_iter().map(|(_, m)| m).collect();
        Err(Problem::at(
            path,
            text,
            key.offset(text),
            messages.join("; "),
        ))
    }

    /// Run every seed and check every expected figure.
    pub fn evaluate(&self) -> anyhow::Result<Vec<Expectation>> {
        let mut checks = Vec::new();
        for &seed in &self.seeds {
            let cfg = Config {
                seed,
                ..self.scenario
            };
            let figures = figures(cfg, self.seconds, self.expect.keys().map(String::as_str))?;
            for (name, range) in &self.expect {
                checks.push(Expectation {
                    seed,
                    figure: name.clone(),
                    value: figures[name.as_str()],
                    range: *range,
                });
            }
        }
        Ok(checks)
    }
}

/// Figures that compare a run with its throttle-off twin.
pub const TWIN_FIGURES: [&str; 2] = ["throttle_ratio", "dom0_cpu_reduction"];

/// A whole-run figure of `sim`.
fn whole(sim: &Sim, f: Figure) -> f64 {
    sim.figure(f, &sim.whole_run(), &Reading::default())
}

fn run_for(cfg: Config, seconds: f64) -> Sim {
    let mut sim = Sim::new(cfg);
    sim.run_until((seconds.max(0.0) * 1e9) as u64);
    sim
}

/// The named figures of a run of `cfg` (and of its throttle-off twin when a derived figure
/// needs it).
pub fn figures<'a>(
    cfg: Config,
    seconds: f64,
    wanted: impl IntoIterator<Item = &'a str>,
) -> anyhow::Result<BTreeMap<&'a str, f64>> {
    let main = run_for(cfg, seconds);
    let mut twin: Option<Sim> = None;
    let mut out = BTreeMap::new();
    for name in wanted {
        let v = if TWIN_FIGURES.contains(&name) {
            let off = twin.get_or_insert_with(|| {
                run_for(
                    Config {
                        throttle: false,
                        ..cfg
                    },
                    seconds,
                )
            });
            let (g_on, g_off) = (
                whole(&main, Figure::GoodputMbps),
                whole(off, Figure::GoodputMbps),
            );
            let (c_on, c_off) = (
                whole(&main, Figure::Dom0CpuPct),
                whole(off, Figure::Dom0CpuPct),
            );
            if name == "throttle_ratio" {
                g_on / g_off.max(f64::MIN_POSITIVE)
            } else {
                c_off / c_on.max(f64::MIN_POSITIVE)
            }
        } else {
            let f: Figure = name.parse().with_context(|| {
                format!("or one of the derived figures {}", TWIN_FIGURES.join(", "))
            })?;
            whole(&main, f)
        };
        out.insert(name, v);
    }
    Ok(out)
}

/// A top-level key of a scenario file, to point a range problem at the value it is about.
#[derive(Clone, Copy)]
enum Key {
    Seconds,
    Seeds,
    Scenario,
    Expect,
}

/// Where a scenario file's top-level values are: toml's spans, read again only when a
/// value is out of range.
#[derive(Deserialize)]
struct Spans {
    seconds: Option<Spanned<toml::Value>>,
    seeds: Option<Spanned<toml::Value>>,
    scenario: Option<Spanned<toml::Value>>,
    expect: Option<Spanned<toml::Value>>,
}

impl Key {
    /// Where `text` sets this key's value (the file's start if it does not).
    fn offset(self, text: &str) -> usize {
        let Ok(spans) = toml::from_str::<Spans>(text) else {
            return 0;
        };
        let value = match self {
            Key::Seconds => spans.seconds,
            Key::Seeds => spans.seeds,
            Key::Scenario => spans.scenario,
            Key::Expect => spans.expect,
        };
        value.map_or(0, |v| v.span().start)
    }
}
