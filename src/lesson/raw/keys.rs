//! The keys a lesson file may have, and every key it has that is none of them.

use super::{Ctx, HOLD_KEY, REWOUND_KEY, WINDOW_KEY};
use crate::diag::unknown;
use crate::sim::{Figure, Knob};

/// What `unlock` may name: every knob with a key, `port`, and `all`.
pub(super) fn unlock_names() -> Vec<&'static str> {
    let knobs = Knob::NAMES.iter().filter(|k| **k != "seed").copied();
    knobs.chain(["port", "all"]).collect()
}

/// What a goal's entry may be: a figure, a knob, or one of the goal's own keys.
pub(super) fn goal_names() -> Vec<&'static str> {
    let own = [WINDOW_KEY, HOLD_KEY, REWOUND_KEY, "b", "ratio"];
    Figure::NAMES
        .iter()
        .chain(Knob::NAMES)
        .copied()
        .chain(own)
        .collect()
}

/// The keys a lesson file may have, at the top and in a `[[step]]`.
const LESSON_KEYS: &[&str] = &["id", "title", "summary", "requires", "defines", "step"];
const STEP_KEYS: &[&str] = &[
    "title",
    "text",
    "scenario",
    "state",
    "unlock",
    "hints",
    "explain",
    "solution",
    "goal",
    "question",
    "choices",
    "answer",
    "tolerance",
    "tries",
    "unit",
    "veil",
    "panes",
    "compare",
    "show",
    "observe",
];
/// A scenario's keys: `sim::Config`'s fields (and the `threshold` alias).
const SCENARIO_KEYS: &[&str] = &[
    "guest",
    "direction",
    "netback",
    "throttle",
    "lateeoi",
    "abi",
    "hz",
    "spurious_threshold",
    "threshold",
    "seed",
    "params",
];

/// Every key the file has that no lesson key is, with where it is and a "did you mean".
/// Values are left to the typed reading that follows.
pub(super) fn unknown_keys(cx: &mut Ctx) {
    use toml::de::{DeTable, DeValue};
    // A syntax error is the typed reading's to report (with its own position).
    let Ok(doc) = DeTable::parse(cx.text) else {
        return;
    };
    let check =
        |cx: &mut Ctx, table: &DeTable, known: &[&'static str], step: usize, prefix: &str| {
            for key in table.keys() {
                let name: &str = key.get_ref();
                if !known.contains(&name) {
                    cx.unknown.push((step, crate::diag::closest(name, known)));
                    let m = unknown("key", name, known, "see the README's lesson keys");
                    cx.at(key.span().start, format!("{prefix}{m}"));
                }
            }
        };
    let doc = doc.get_ref();
    check(cx, doc, LESSON_KEYS, 0, "");
    let Some(steps) = doc.get("step") else {
        return;
    };
    let DeValue::Array(steps) = steps.get_ref() else {
        return;
    };
    for (n, step) in steps.iter().enumerate() {
        let DeValue::Table(t) = step.get_ref() else {
            continue;
        };
        check(cx, t, STEP_KEYS, n + 1, &format!("step {}: ", n + 1));
        if let Some(DeValue::Table(sc)) = t.get("scenario").map(|v| v.get_ref()) {
            check(
                cx,
                sc,
                SCENARIO_KEYS,
                n + 1,
                &format!("step {}: scenario: ", n + 1),
            );
        }
    }
}
