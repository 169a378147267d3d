//! Reading one lesson file: TOML with spans, then every rule a file must follow, each
//! broken rule reported as `path:line:col: message` with what was expected.

mod goal;
mod keys;
mod names;
mod step;
mod task;

use std::path::Path;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use toml::Spanned;

use super::{Lesson, Problem, Step, line_col};
use crate::diag::{first_unsafe, plain};
use crate::sim::Config;

// No `deny_unknown_fields` on the lesson and its steps: `unknown_keys` names every
// unknown key first, and the typed reading goes on to report the file's other problems.
#[derive(Deserialize)]
struct RawLesson {
    id: Spanned<String>,
    title: Spanned<String>,
    summary: String,
    #[serde(default)]
    requires: Vec<Spanned<String>>,
    #[serde(default)]
    defines: Vec<Spanned<String>>,
    #[serde(rename = "step", default)]
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
struct RawStep {
    title: Spanned<String>,
    #[serde(default)]
    text: String,
    scenario: Option<Spanned<Config>>,
    /// A share string (`s` in the lab): the step starts at that state.
    state: Option<Spanned<String>>,
    /// A list of knobs, or "all".
    unlock: Option<Spanned<toml::Value>>,
    #[serde(default)]
    hints: Vec<Spanned<String>>,
    explain: Option<Spanned<String>>,
    solution: Option<Spanned<Vec<Spanned<String>>>>,
    goal: Option<Spanned<Entries>>,
    question: Option<Spanned<String>>,
    choices: Option<Spanned<Vec<Spanned<String>>>>,
    /// 1-based choice, or the number a numeric question wants.
    answer: Option<Spanned<toml::Value>>,
    /// A number, or a percentage as a string ("10%").
    tolerance: Option<Spanned<toml::Value>>,
    tries: Option<Spanned<i64>>,
    unit: Option<Spanned<String>>,
    veil: Option<Spanned<Vec<Spanned<String>>>>,
    panes: Option<Spanned<Vec<Spanned<String>>>>,
    compare: Option<Spanned<Entries>>,
    show: Option<Spanned<Vec<Spanned<String>>>>,
    observe: Option<Spanned<String>>,
}

/// A table's entries in the order the file gives them (a goal's checklist keeps it).
struct Entries(Vec<(Spanned<String>, Spanned<toml::Value>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of goal entries")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Entries, A::Error> {
                let mut v = Vec::new();
                while let Some(e) = m.next_entry()? {
                    v.push(e);
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// The keys that make a step's task: one misspelt leaves the task "missing".
const TASK_KEYS: [&str; 6] = [
    "goal", "question", "choices", "answer", "observe", "solution",
];

/// The keys that change what a step's replay does.
const REPLAY_KEYS: [&str; 10] = [
    "scenario", "unlock", "solution", "goal", "question", "choices", "answer", "observe",
    "compare", "tries",
];

/// The names a goal entry may have besides figures and knobs.
const WINDOW_KEY: &str = "window";
const HOLD_KEY: &str = "hold";
const REWOUND_KEY: &str = "rewound";
/// The most a goal may ask its state to hold.
pub const MAX_HOLD_NS: u64 = 30_000_000_000;
/// The longest an observe step may ask the learner to watch.
pub const MAX_OBSERVE_NS: u64 = 60_000_000_000;
/// The most tries a numeric question may give.
pub const MAX_TRIES: i64 = 9;
/// The most steps a lesson may have (the curriculum asks for 3 to 8; this bounds the work
/// of loading and checking any file).
pub const MAX_STEPS: usize = 30;
/// The most virtual time a lesson's solutions may wait in all: what `lessons check` replays
/// (the whole built-in catalogue waits about 40 s).
pub const MAX_SOLUTION_NS: u64 = 300_000_000_000;

/// Figures that compare two runs: they make no sense as a goal on one live run.
const TWO_RUN_FIGURES: [&str; 2] = ["throttle_ratio", "dom0_cpu_reduction"];

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    problems: Vec<Problem>,
    /// Unknown keys: (step, 1-based; 0 for the lesson; the key likely meant). A key
    /// "missing" because it is misspelt is reported once, as misspelt.
    unknown: Vec<(usize, Option<&'static str>)>,
}

impl Ctx<'_> {
    fn misspelt(&self, step: usize, keys: &[&str]) -> bool {
        self.unknown
            .iter()
            .any(|&(n, k)| n == step && k.is_some_and(|k| keys.contains(&k)))
    }

    /// A problem when `s` holds a character that must not reach a terminal.
    fn safe(&mut self, at: usize, what: &str, s: &str) {
        if let Some((_, name)) = first_unsafe(s) {
            self.at(
                at,
                format!(
                    "{what} holds the character {name} (a control character or a \
                     bidirectional override): remove it"
                ),
            );
        }
    }

    fn at(&mut self, offset: usize, message: impl Into<String>) {
        let (line, col) = line_col(self.text, offset);
        self.problems.push(Problem {
            path: self.path.to_path_buf(),
            line,
            col,
            message: message.into(),
        });
    }
}

/// Where the names a message cuts short are all listed.
const FIGURES_AT: &str = "see the README's \"Writing a lesson\"";

/// The lesson a file holds and where its `id` is (for catalogue messages), and every
/// problem of the file. With problems only in some steps, the lesson still comes back,
/// cut before the first broken step (`Lesson::cut_at`), for `lessons check` to replay.
pub(super) type Parsed = (Option<(Lesson, (usize, usize))>, Vec<Problem>);

/// Parse and validate one file; its problems in the file's order.
pub(super) fn parse(path: &Path, text: &str) -> Parsed {
    let (lesson, mut problems) = parse_unsorted(path, text);
    problems.sort_by_key(|p| (p.line, p.col));
    (lesson, problems)
}

fn parse_unsorted(path: &Path, text: &str) -> Parsed {
    let mut cx = Ctx {
        path,
        text,
        problems: Vec::new(),
        unknown: Vec::new(),
    };
    let Some(raw) = read(&mut cx) else {
        return (None, cx.problems);
    };
    let id_pos = line_col(text, raw.id.span().start);
    if !lesson_checks(&mut cx, &raw) {
        return (None, cx.problems);
    }
    // Problems of the lesson as a whole, not of one step: those leave nothing to replay.
    let in_steps = cx.unknown.iter().filter(|(n, _)| *n > 0).count();
    let mut whole = cx.problems.len() > in_steps;
    let RawLesson {
        id,
        title,
        summary,
        requires,
        defines,
        steps,
    } = raw;
    let (steps, cut) = steps_until_broken(&mut cx, steps);
    let waits: u64 = steps.iter().map(|s| s.solution.duration_ns()).sum();
    if waits > MAX_SOLUTION_NS {
        cx.at(
            0,
            format!(
                "the solutions wait {:.0} virtual s in all: at most {} s a lesson, so that \
                 `lessons check` stays quick",
                waits as f64 / 1e9,
                MAX_SOLUTION_NS / 1_000_000_000
            ),
        );
        whole = true;
    }
    if whole || (cut == Some(0)) {
        return (None, cx.problems);
    }
    let lesson = Lesson {
        id: id.into_inner(),
        title: title.into_inner(),
        summary,
        requires_at: requires
            .iter()
            .map(|r| line_col(text, r.span().start))
            .collect(),
        requires: requires.into_iter().map(Spanned::into_inner).collect(),
        defines: defines.into_iter().map(Spanned::into_inner).collect(),
        steps,
        path: path.to_path_buf(),
        cut_at: cut,
    };
    (Some((lesson, id_pos)), cx.problems)
}

/// The file as TOML, every unknown key of it named at once (serde stops at the first),
/// each with a "did you mean".
fn read(cx: &mut Ctx) -> Option<RawLesson> {
    keys::unknown_keys(cx);
    match toml::from_str(cx.text) {
        Ok(r) => Some(r),
        Err(e) => {
            // A required key missing beside a misspelt one is the same mistake, said once.
            // (An unknown key was named already, with its "did you mean".)
            let said = ["missing field", "unknown field"]
                .iter()
                .any(|m| e.message().starts_with(m));
            if cx.problems.is_empty() || !said {
                let offset = e.span().map_or(0, |s| s.start);
                cx.at(offset, plain(e.message()));
            }
            None
        }
    }
}

/// The lesson's own keys: its id, title and texts, and how many steps it has. Returns
/// false when it has too many steps to read on.
fn lesson_checks(cx: &mut Ctx, raw: &RawLesson) -> bool {
    let stem = cx.path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if raw.id.get_ref() != stem {
        let m = format!(
            "id '{}' must equal the file's name without .toml ('{stem}')",
            raw.id.get_ref()
        );
        cx.at(raw.id.span().start, m);
    }
    if let Some(why) = id_problem(raw.id.get_ref()) {
        cx.at(raw.id.span().start, why);
    }
    cx.safe(raw.title.span().start, "title", raw.title.get_ref());
    cx.safe(0, "summary", &raw.summary);
    for r in &raw.requires {
        cx.safe(r.span().start, "requires", r.get_ref());
    }
    if raw.steps.len() > MAX_STEPS {
        cx.at(
            raw.steps[MAX_STEPS].span().start,
            format!(
                "{} steps: a lesson has at most {MAX_STEPS} (split it into two lessons)",
                raw.steps.len()
            ),
        );
        return false;
    }
    if raw.title.get_ref().trim().is_empty() {
        cx.at(
            raw.title.span().start,
            "title is empty: give the lesson a title",
        );
    }
    if raw.steps.is_empty() {
        cx.at(0, "the lesson has no [[step]]: add at least one");
    }
    true
}

/// Every step read; those before the first broken one kept, and where the lesson is cut.
fn steps_until_broken(cx: &mut Ctx, raw: Vec<Spanned<RawStep>>) -> (Vec<Step>, Option<usize>) {
    let steps: Vec<Option<Step>> = raw
        .into_iter()
        .enumerate()
        .map(|(i, s)| step::step(cx, i + 1, s))
        .collect();
    // A misspelt hint or explanation changes nothing the replay does; a key that may
    // have meant the run, the keys or the task does.
    let first_unknown = cx
        .unknown
        .iter()
        .filter(|(n, meant)| *n > 0 && meant.is_none_or(|k| REPLAY_KEYS.contains(&k)))
        .map(|(n, _)| n - 1)
        .min();
    let cut = steps
        .iter()
        .position(Option::is_none)
        .into_iter()
        .chain(first_unknown)
        .min();
    let steps = steps
        .into_iter()
        .take(cut.unwrap_or(usize::MAX))
        .map_while(|s| s)
        .collect();
    (steps, cut)
}

/// Why `id` is not a lesson id, if it is not: a number, a dash, then lower-case ASCII
/// letters, digits and dashes (`06-throttle-law`). Ids are typed on command lines and
/// printed in lists, so nothing else is allowed in them.
fn id_problem(id: &str) -> Option<String> {
    let ok_chars = id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let (number, rest) = id.split_once('-').unwrap_or((id, ""));
    let numbered = !number.is_empty()
        && number.len() <= 3
        && number.chars().all(|c| c.is_ascii_digit())
        && !rest.is_empty();
    (!ok_chars || !numbered).then(|| {
        format!(
            "id '{}' must be a number, a dash and lower-case ASCII words (like \
             '14-hz-by-hand')",
            crate::diag::printable(id)
        )
    })
}
