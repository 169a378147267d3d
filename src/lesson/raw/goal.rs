//! A step's goal: figures, knobs, lane B and the ratio, its window and how long it holds.

use toml::Spanned;

use super::keys::goal_names;
use super::names::value_text;
use super::{
    Ctx, Entries, FIGURES_AT, HOLD_KEY, MAX_HOLD_NS, REWOUND_KEY, TWO_RUN_FIGURES, WINDOW_KEY,
};
use crate::diag::unknown;
use crate::lesson::{Check, Cond, DEFAULT_WINDOW_NS, Goal, Side};
use crate::script::parse_duration;
use crate::sim::knob::HZ_CHOICES;
use crate::sim::metrics::{HISTORY_NS, MAX_WINDOW_NS};
use crate::sim::{Figure, Knob, Setting};

/// `b` and `ratio` goal tables: lane B's figures, and B over A.
fn side_of(name: &str) -> Option<Side> {
    match name {
        "b" => Some(Side::B),
        "ratio" => Some(Side::Ratio),
        _ => None,
    }
}

/// A goal as its entries are read.
struct Parts {
    checks: Vec<Check>,
    window_ns: u64,
    hold_ns: u64,
}

pub(super) fn goal(cx: &mut Ctx, n: usize, g: &Spanned<Entries>) -> Option<Goal> {
    let mut p = Parts {
        checks: Vec::new(),
        window_ns: DEFAULT_WINDOW_NS,
        hold_ns: 0,
    };
    let before = cx.problems.len();
    for (key, value) in &g.get_ref().0 {
        entry(cx, n, &mut p, key, value);
    }
    if p.checks.is_empty() && cx.problems.len() == before {
        cx.at(
            g.span().start,
            format!("step {n}: the goal is empty: add a figure or a knob to check"),
        );
    }
    (cx.problems.len() == before).then_some(Goal {
        checks: p.checks,
        window_ns: p.window_ns,
        hold_ns: p.hold_ns,
    })
}

/// One entry of a goal: its hold, window or rewound, lane B's or the ratio's figures, a
/// knob, or a figure of lane A.
fn entry(
    cx: &mut Ctx,
    n: usize,
    p: &mut Parts,
    key: &Spanned<String>,
    value: &Spanned<toml::Value>,
) {
    let name = key.get_ref().as_str();
    let at = value.span().start;
    let v = value.get_ref();
    match name {
        HOLD_KEY => {
            let most = format!("step {n}: hold is at most {}s", MAX_HOLD_NS / 1_000_000_000);
            if let Some(ns) = duration(cx, n, name, at, v, 0..=MAX_HOLD_NS, most) {
                p.hold_ns = ns;
            }
        }
        REWOUND_KEY => match v.as_bool() {
            Some(b) => p.checks.push(Check::Rewound(b)),
            None => cx.at(at, format!("step {n}: rewound is true or false")),
        },
        WINDOW_KEY => {
            let range = format!(
                "step {n}: window must be from {}ms to {}s",
                HISTORY_NS / 1_000_000,
                MAX_WINDOW_NS / 1_000_000_000
            );
            if let Some(ns) = duration(cx, n, name, at, v, HISTORY_NS..=MAX_WINDOW_NS, range) {
                p.window_ns = ns;
            }
        }
        _ => {
            if let Some(side) = side_of(name) {
                side_figures(cx, n, name, side, at, v, &mut p.checks);
            } else if let Ok(k) = name.parse::<Knob>() {
                knob(cx, n, k, at, v, &mut p.checks);
            } else {
                figure(cx, n, key, at, v, &mut p.checks);
            }
        }
    }
}

/// A duration string within `range`; `out_of_range` is the problem outside it.
fn duration(
    cx: &mut Ctx,
    n: usize,
    name: &str,
    at: usize,
    v: &toml::Value,
    range: std::ops::RangeInclusive<u64>,
    out_of_range: String,
) -> Option<u64> {
    match v.as_str().map(parse_duration) {
        Some(Ok(ns)) if range.contains(&ns) => return Some(ns),
        Some(Ok(_)) => cx.at(at, out_of_range),
        Some(Err(e)) => cx.at(at, format!("step {n}: {name}: {e}")),
        None => cx.at(
            at,
            format!("step {n}: {name} is a duration string, like \"2s\""),
        ),
    }
    None
}

/// `b.goodput_mbps = …` or `ratio.…`: figures of lane B, or of B over A.
fn side_figures(
    cx: &mut Ctx,
    n: usize,
    name: &str,
    side: Side,
    at: usize,
    v: &toml::Value,
    checks: &mut Vec<Check>,
) {
    let Some(t) = v.as_table() else {
        cx.at(
            at,
            format!("step {n}: {name} is a table of figures: {name}.goodput_mbps = {{ min = … }}"),
        );
        return;
    };
    for (fname, fv) in t {
        match fname.parse::<Figure>() {
            Ok(f) => match cond(f, fv) {
                Ok(c) => checks.push(Check::Figure {
                    figure: f,
                    cond: c,
                    side,
                }),
                Err(e) => cx.at(at, format!("step {n}: {name}.{fname}: {e}")),
            },
            Err(_) => cx.at(
                at,
                format!(
                    "step {n}: {name}.{fname}: {}",
                    unknown("figure", fname, Figure::NAMES, FIGURES_AT)
                ),
            ),
        }
    }
}

/// A knob's value the goal wants.
fn knob(cx: &mut Ctx, n: usize, k: Knob, at: usize, v: &toml::Value, checks: &mut Vec<Check>) {
    match k.parse(&value_text(v)) {
        // A knob value no key reaches would make a goal no learner can meet.
        Ok(Setting::Hz(hz)) if !HZ_CHOICES.contains(&hz) => cx.at(
            at,
            format!(
                "step {n}: hz = {hz}: no key reaches it (z cycles {}); want one of \
                 those, or start the step there with scenario",
                HZ_CHOICES.map(|h| h.to_string()).join(", ")
            ),
        ),
        Ok(Setting::Seed(_)) => cx.at(
            at,
            format!("step {n}: seed has no key: set it with scenario, not a goal"),
        ),
        Ok(s) => checks.push(Check::Knob(s)),
        Err(e) => cx.at(at, format!("step {n}: {e}")),
    }
}

/// A figure of lane A and its condition.
fn figure(
    cx: &mut Ctx,
    n: usize,
    key: &Spanned<String>,
    at: usize,
    v: &toml::Value,
    checks: &mut Vec<Check>,
) {
    let name = key.get_ref().as_str();
    match name.parse::<Figure>() {
        Ok(f) => match cond(f, v) {
            Ok(c) => checks.push(Check::Figure {
                figure: f,
                cond: c,
                side: Side::A,
            }),
            Err(e) => cx.at(at, format!("step {n}: {name}: {e}")),
        },
        Err(_) if TWO_RUN_FIGURES.contains(&name) => cx.at(
            key.span().start,
            format!("step {n}: {name} compares two runs, so it cannot be a goal on the live run; use goodput_mbps or dom0_cpu_pct"),
        ),
        Err(_) => cx.at(
            key.span().start,
            format!("step {n}: {}", unknown("goal entry", name, &goal_names(), FIGURES_AT)),
        ),
    }
}

/// A figure's condition as written: `true`, a number, or `{ min = …, max = … }`.
fn cond(f: Figure, v: &toml::Value) -> Result<Cond, String> {
    let num = |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    if f.is_bool() {
        return v
            .as_bool()
            .map(Cond::Is)
            .ok_or_else(|| "a yes/no figure: write true or false".to_string());
    }
    if let Some(x) = num(v) {
        return finite(x).map(Cond::Equals);
    }
    let Some(t) = v.as_table() else {
        return Err("write a number, or { min = …, max = … }".to_string());
    };
    if let Some(k) = t.keys().find(|k| *k != "min" && *k != "max") {
        return Err(format!("unknown key '{k}': a range has min and/or max"));
    }
    let get = |k: &str| -> Result<Option<f64>, String> {
        t.get(k)
            .map(|v| num(v).ok_or_else(|| format!("{k} must be a number")))
            .transpose()
    };
    let (min, max) = (
        get("min")?.map(finite).transpose()?,
        get("max")?.map(finite).transpose()?,
    );
    match (min, max) {
        (None, None) => Err("an empty range: give min, max or both".to_string()),
        (Some(a), Some(b)) if a > b => Err(format!("min {a} is above max {b}")),
        _ => Ok(Cond::Range { min, max }),
    }
}

/// A number a goal can compare with: not NaN, not infinite.
pub(super) fn finite(x: f64) -> Result<f64, String> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("{x} is not a number a figure can be compared with"))
    }
}
