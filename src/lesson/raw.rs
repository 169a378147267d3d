//! Reading one lesson file: TOML with spans, then every rule a file must follow, each
//! broken rule reported as `path:line:col: message` with what was expected.

use std::path::Path;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use toml::Spanned;

use super::lint::Places;
use super::{
    Check, Cond, DEFAULT_WINDOW_NS, Goal, Lesson, LogVeil, Problem, Side, Step, Task, Tolerance,
    Unlock, Veiled, line_col,
};
use crate::diag::{first_unsafe, plain, unknown};
use crate::script::{Script, parse_duration};
use crate::sim::knob::{HZ_CHOICES, config_problems};
use crate::sim::metrics::{HISTORY_NS, MAX_WINDOW_NS};
use crate::sim::{Config, Figure, Knob, ModelParams, Setting};

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

/// What `unlock` may name: every knob with a key, `port`, and `all`.
fn unlock_names() -> Vec<&'static str> {
    let knobs = Knob::NAMES.iter().filter(|k| **k != "seed").copied();
    knobs.chain(["port", "all"]).collect()
}

/// What a goal's entry may be: a figure, a knob, or one of the goal's own keys.
fn goal_names() -> Vec<&'static str> {
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
fn unknown_keys(cx: &mut Ctx) {
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
    // Every unknown key of the file at once (serde stops at the first), each with a
    // "did you mean".
    unknown_keys(&mut cx);
    let raw: RawLesson = match toml::from_str(text) {
        Ok(r) => r,
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
            return (None, cx.problems);
        }
    };
    let id_pos = line_col(text, raw.id.span().start);
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if raw.id.get_ref() != stem {
        cx.at(
            raw.id.span().start,
            format!(
                "id '{}' must equal the file's name without .toml ('{stem}')",
                raw.id.get_ref()
            ),
        );
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
        return (None, cx.problems);
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
    // Problems of the lesson as a whole, not of one step: those leave nothing to replay.
    let in_steps = cx.unknown.iter().filter(|(n, _)| *n > 0).count();
    let mut whole = cx.problems.len() > in_steps;
    let steps: Vec<Option<Step>> = raw
        .steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| step(&mut cx, i + 1, s))
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
    let steps: Vec<Step> = steps
        .into_iter()
        .take(cut.unwrap_or(usize::MAX))
        .map_while(|s| s)
        .collect();
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
    let lesson = (
        Lesson {
            id: raw.id.into_inner(),
            title: raw.title.into_inner(),
            summary: raw.summary,
            requires_at: raw
                .requires
                .iter()
                .map(|r| line_col(text, r.span().start))
                .collect(),
            requires: raw.requires.into_iter().map(Spanned::into_inner).collect(),
            defines: raw.defines.into_iter().map(Spanned::into_inner).collect(),
            steps,
            path: path.to_path_buf(),
            cut_at: cut,
        },
        id_pos,
    );
    (Some(lesson), cx.problems)
}

fn step(cx: &mut Ctx, n: usize, s: Spanned<RawStep>) -> Option<Step> {
    let start = s.span().start;
    let line = line_col(cx.text, start).0;
    let question_line = s
        .get_ref()
        .question
        .as_ref()
        .map_or(line, |q| line_col(cx.text, q.span().start).0);
    let s = s.into_inner();
    let before = cx.problems.len();
    if s.title.get_ref().trim().is_empty() {
        cx.at(s.title.span().start, format!("step {n}: title is empty"));
    }
    cx.safe(
        s.title.span().start,
        &format!("step {n}: title"),
        s.title.get_ref(),
    );
    cx.safe(start, &format!("step {n}: text"), &s.text);
    for h in &s.hints {
        cx.safe(start, &format!("step {n}: a hint"), h.get_ref());
    }
    if let Some(e) = &s.explain {
        cx.safe(e.span().start, &format!("step {n}: explain"), e.get_ref());
    }
    if let Some(q) = &s.question {
        cx.safe(q.span().start, &format!("step {n}: question"), q.get_ref());
    }
    if let Some(c) = &s.choices {
        for ch in c.get_ref() {
            cx.safe(c.span().start, &format!("step {n}: a choice"), ch.get_ref());
        }
    }
    if let Some(sc) = &s.scenario {
        if sc.get_ref().params != ModelParams::default() {
            cx.at(
                sc.span().start,
                format!(
                    "step {n}: scenario: params is not for lessons: a lesson's figures hold \
                     for the model's own parameters (scenario files may set them)"
                ),
            );
        }
        for why in config_problems(sc.get_ref()) {
            cx.at(sc.span().start, format!("step {n}: scenario: {why}"));
        }
    }
    let state = s.state.as_ref().and_then(|st| {
        let at = st.span().start;
        if s.scenario.is_some() {
            cx.at(
                at,
                format!("step {n}: state and scenario: give one, both start the run"),
            );
        }
        match crate::script::share::State::decode(st.get_ref()) {
            Ok(state) if state.compare.is_some() => {
                cx.at(
                    at,
                    format!("step {n}: state: compare mode is not for lessons (use compare)"),
                );
                None
            }
            Ok(state) => Some(state),
            Err(e) => {
                cx.at(at, format!("step {n}: state: {e}"));
                None
            }
        }
    });
    let explain = match &s.explain {
        Some(e) if !e.get_ref().trim().is_empty() => e.get_ref().clone(),
        Some(e) => {
            cx.at(e.span().start, format!("step {n}: explain is empty"));
            String::new()
        }
        None => {
            if !cx.misspelt(n, &["explain"]) {
                cx.at(
                    start,
                    format!("step {n}: no explain: say what the learner just saw (shown when the goal is met)"),
                );
            }
            String::new()
        }
    };
    let (unlock, challenge) = unlocks(cx, n, s.unlock.as_ref());
    if challenge {
        // A challenge states a target; only its last hint may give the keys away.
        let early_hints = s.hints.len().saturating_sub(1);
        let named = std::iter::once(s.text.as_str())
            .chain(s.hints[..early_hints].iter().map(|h| h.get_ref().as_str()))
            .find_map(named_key);
        if let Some(k) = named {
            cx.at(
                start,
                format!(
                    "step {n}: a challenge (unlock = \"all\") states the target, not the keys: \
                     `{k}` is named before the last hint"
                ),
            );
        }
        if s.goal.is_none() {
            cx.at(
                start,
                format!("step {n}: unlock = \"all\" is for a goal step (a challenge)"),
            );
        }
    }
    let panes = names(cx, n, "panes", s.panes.as_ref(), |name| {
        name.parse::<super::Pane>()
            .map_err(|_| unknown("pane", name, super::Pane::NAMES, FIGURES_AT))
    });
    let veil = names(cx, n, "veil", s.veil.as_ref(), veiled);
    let show = names(cx, n, "show", s.show.as_ref(), |name| {
        name.parse::<Figure>()
            .map_err(|_| unknown("figure", name, Figure::NAMES, FIGURES_AT))
    });
    // Figures in prose: `{goodput_mbps}` in the text, hints and explanation is filled in
    // when shown; a question and its choices name none (they would give answers away).
    let mut prose: Vec<(usize, &str)> = vec![(start, s.text.as_str())];
    prose.extend(
        s.hints
            .iter()
            .map(|h| (h.span().start, h.get_ref().as_str())),
    );
    prose.extend(
        s.explain
            .iter()
            .map(|e| (e.span().start, e.get_ref().as_str())),
    );
    // A misspelt figure in prose changes nothing the replay does: the step still loads.
    let mut in_prose = 0;
    for (at, text) in prose {
        for (_, f) in super::figure_refs(text) {
            let problem = match f {
                Err(name) => format!(
                    "step {n}: {{{name}}}: {}",
                    unknown("figure", &name, Figure::NAMES, FIGURES_AT)
                ),
                Ok(r) if r.side != Side::A && s.compare.is_none() => format!(
                    "step {n}: {{…{}}}: lane B's figures (b., ratio.) are for a step with compare",
                    r.figure
                ),
                Ok(_) => continue,
            };
            in_prose += 1;
            cx.at(at, problem);
        }
    }
    let in_question = s.question.iter().map(|q| q.get_ref().as_str()).chain(
        s.choices
            .iter()
            .flat_map(|c| c.get_ref().iter().map(|c| c.get_ref().as_str())),
    );
    for q in in_question {
        if !super::figure_refs(q).is_empty() {
            cx.at(
                s.question.as_ref().map_or(start, |q| q.span().start),
                format!(
                    "step {n}: a question or choice names a figure in braces: it would show \
                     the value asked about; say it in the text after the question instead"
                ),
            );
            break;
        }
    }
    if let (Some(v), None) = (&s.veil, &s.question) {
        cx.at(
            v.span().start,
            format!("step {n}: veil hides figures until a question is answered: a goal step has no question"),
        );
    }
    let compare = s
        .compare
        .as_ref()
        .map(|c| compare(cx, n, c))
        .unwrap_or_default();
    let solution_text: Vec<String> = s
        .solution
        .as_ref()
        .map(|v| v.get_ref().iter().map(|i| i.get_ref().clone()).collect())
        .unwrap_or_default();
    let solution = match &s.solution {
        Some(items) => match Script::parse(&solution_text) {
            Ok(sc) => sc,
            Err((i, e)) => {
                cx.at(
                    items.get_ref()[i].span().start,
                    format!("step {n}: solution: {e}"),
                );
                Script::default()
            }
        },
        None => Script::default(),
    };
    let quiz_parts = (
        s.question.is_some(),
        s.choices.is_some(),
        s.answer.is_some(),
    );
    let numeric = s.question.is_some() && s.choices.is_none() && s.answer.is_some();
    let observe = match &s.observe {
        Some(o) => match parse_duration(o.get_ref()) {
            Ok(ns) if (1..=MAX_OBSERVE_NS).contains(&ns) => Some(ns),
            Ok(_) => {
                cx.at(
                    o.span().start,
                    format!(
                        "step {n}: observe: more than 0, at most {}s",
                        MAX_OBSERVE_NS / 1_000_000_000
                    ),
                );
                None
            }
            Err(e) => {
                cx.at(o.span().start, format!("step {n}: observe: {e}"));
                None
            }
        },
        None => None,
    };
    if s.observe.is_some() && (s.goal.is_some() || s.question.is_some()) {
        cx.at(
            start,
            format!("step {n}: observe is a step of its own: no goal and no question beside it"),
        );
    }
    let task = match (&s.goal, quiz_parts) {
        (None, (false, false, false)) if observe.is_some() => {
            observe.map(|ns| Task::Observe { ns })
        }
        (None, (true, false, true)) if numeric => number(cx, n, &s),
        (Some(g), (false, false, false)) => {
            if s.solution.as_ref().is_none_or(|v| v.get_ref().is_empty()) {
                cx.at(
                    g.span().start,
                    format!("step {n}: a goal needs a solution: a list of keys and waits that meets it, e.g. solution = [\"t\", \"wait 2s\"]"),
                );
            }
            goal(cx, n, g).map(Task::Goal)
        }
        (None, (true, true, true)) => quiz(cx, n, &s),
        (Some(g), _) => {
            cx.at(
                g.span().start,
                format!(
                    "step {n}: a step has a goal or a quiz (question, choices, answer), not both"
                ),
            );
            None
        }
        _ if cx.misspelt(n, &TASK_KEYS) => None,
        (None, (false, false, false)) => {
            cx.at(
                start,
                format!("step {n}: no goal and no question: add [step.goal], a question, or observe = \"3s\""),
            );
            None
        }
        (None, _) => {
            cx.at(
                start,
                format!(
                    "step {n}: a question needs question and answer (and choices, unless the \
                     answer is a number to type)"
                ),
            );
            None
        }
    };
    if cx.problems.len() - in_prose > before {
        return None;
    }
    let place = |offset: usize| line_col(cx.text, offset);
    let places = Places {
        answer: s.answer.as_ref().map(|a| place(a.span().start)),
        choices: s
            .choices
            .iter()
            .flat_map(|c| c.get_ref())
            .map(|c| place(c.span().start))
            .collect(),
        hints: s.hints.iter().map(|h| place(h.span().start)).collect(),
    };
    Some(Step {
        title: s.title.into_inner(),
        text: s.text,
        scenario: s.scenario.map(Spanned::into_inner),
        state,
        unlock,
        challenge,
        veil,
        panes,
        compare,
        show,
        hints: s.hints.into_iter().map(Spanned::into_inner).collect(),
        explain,
        solution_text,
        solution,
        task: task?,
        line,
        places,
        question_line,
    })
}

/// `unlock`: a list of knobs (and `port`), or `"all"` (a challenge: every knob and the
/// port keys).
fn unlocks(cx: &mut Ctx, n: usize, u: Option<&Spanned<toml::Value>>) -> (Vec<Unlock>, bool) {
    let Some(u) = u else {
        return (Vec::new(), false);
    };
    let at = u.span().start;
    match u.get_ref() {
        toml::Value::String(s) if s == "all" => {
            let mut all: Vec<Unlock> = Knob::ALL
                .iter()
                .filter(|k| **k != Knob::Seed)
                .map(|&k| Unlock::Knob(k))
                .collect();
            all.push(Unlock::Port);
            (all, true)
        }
        toml::Value::Array(items) => {
            // A value keeps no spans inside it: find each name in the list's own text.
            let list = &cx.text[u.span()];
            let mut from = 0;
            let mut v = Vec::new();
            for i in items {
                let Some(name) = i.as_str() else {
                    cx.at(at, format!("step {n}: unlock: knob names are strings"));
                    continue;
                };
                let item_at = list[from..].find(name).map_or(at, |k| {
                    from += k + name.len();
                    at + from - name.len() - 1
                });
                v.extend(unlock(cx, n, item_at, name));
            }
            (v, false)
        }
        _ => {
            cx.at(
                at,
                format!("step {n}: unlock is a list of knobs, like [\"throttle\"], or \"all\""),
            );
            (Vec::new(), false)
        }
    }
}

fn unlock(cx: &mut Ctx, n: usize, at: usize, name: &str) -> Option<Unlock> {
    if name == "port" {
        return Some(Unlock::Port);
    }
    match name.parse::<Knob>() {
        Ok(Knob::Seed) => {
            cx.at(
                at,
                format!("step {n}: unlock: the seed has no key in the lab; set it with scenario"),
            );
            None
        }
        Ok(k) => Some(Unlock::Knob(k)),
        Err(_) => {
            cx.at(
                at,
                format!(
                    "step {n}: unlock: {}",
                    unknown("knob", name, &unlock_names(), FIGURES_AT)
                ),
            );
            None
        }
    }
}

/// A list of names, each read by `parse`; a bad one is a problem where it stands.
fn names<T>(
    cx: &mut Ctx,
    n: usize,
    key: &str,
    list: Option<&Spanned<Vec<Spanned<String>>>>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Vec<T> {
    let Some(list) = list else {
        return Vec::new();
    };
    list.get_ref()
        .iter()
        .filter_map(|name| match parse(name.get_ref()) {
            Ok(v) => Some(v),
            Err(e) => {
                cx.at(name.span().start, format!("step {n}: {key}: {e}"));
                None
            }
        })
        .collect()
}

/// A name in `veil`: a figure, or a kind of log line.
fn veiled(name: &str) -> Result<Veiled, String> {
    if let Ok(f) = name.parse::<Figure>() {
        return Ok(Veiled::Figure(f));
    }
    name.parse::<LogVeil>().map(Veiled::Log).map_err(|_| {
        let names: Vec<&str> = Figure::NAMES
            .iter()
            .chain(LogVeil::NAMES)
            .copied()
            .collect();
        unknown("figure or kind of log line", name, &names, FIGURES_AT)
    })
}

/// `compare = { netback = "fixed" }`: lane B's knobs.
fn compare(cx: &mut Ctx, n: usize, c: &Spanned<Entries>) -> Vec<Setting> {
    let mut out = Vec::new();
    for (key, value) in &c.get_ref().0 {
        let name = key.get_ref().as_str();
        let at = value.span().start;
        match name.parse::<Knob>() {
            Ok(k) => match k.parse(&value_text(value.get_ref())) {
                Ok(s) => out.push(s),
                Err(e) => cx.at(at, format!("step {n}: compare: {e}")),
            },
            Err(_) => cx.at(
                key.span().start,
                format!(
                    "step {n}: compare: {}",
                    unknown("knob", name, Knob::NAMES, FIGURES_AT)
                ),
            ),
        }
    }
    if out.is_empty() && cx.problems.is_empty() {
        cx.at(
            c.span().start,
            format!(
                "step {n}: compare names lane B's knobs, like compare = {{ netback = \"fixed\" }}"
            ),
        );
    }
    out
}

/// A TOML scalar as the text a knob parses.
fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// `b` and `ratio` goal tables: lane B's figures, and B over A.
fn side_of(name: &str) -> Option<Side> {
    match name {
        "b" => Some(Side::B),
        "ratio" => Some(Side::Ratio),
        _ => None,
    }
}

/// A numeric question: `answer` a number, `tolerance` a number or `"N%"`, `tries`.
fn number(cx: &mut Ctx, n: usize, s: &RawStep) -> Option<Task> {
    let (Some(q), Some(answer)) = (&s.question, &s.answer) else {
        return None;
    };
    let v = answer.get_ref();
    let Some(a) = v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) else {
        cx.at(
            answer.span().start,
            format!("step {n}: answer: a number to type, or add choices"),
        );
        return None;
    };
    let Ok(a) = finite(a) else {
        cx.at(
            answer.span().start,
            format!("step {n}: answer must be a finite number"),
        );
        return None;
    };
    let tolerance = match &s.tolerance {
        None => Tolerance::Relative(0.1),
        Some(t) => match tolerance(t.get_ref()) {
            Ok(t) => t,
            Err(e) => {
                cx.at(t.span().start, format!("step {n}: tolerance: {e}"));
                return None;
            }
        },
    };
    let tries = match &s.tries {
        None => 3,
        Some(t) if (1..=MAX_TRIES).contains(t.get_ref()) => *t.get_ref() as u32,
        Some(t) => {
            cx.at(t.span().start, format!("step {n}: tries: 1 to {MAX_TRIES}"));
            return None;
        }
    };
    if q.get_ref().trim().is_empty() {
        cx.at(q.span().start, format!("step {n}: question is empty"));
        return None;
    }
    let unit = s
        .unit
        .as_ref()
        .map(|u| u.get_ref().clone())
        .unwrap_or_default();
    if let Some(u) = &s.unit {
        cx.safe(u.span().start, &format!("step {n}: unit"), u.get_ref());
    }
    Some(Task::Number {
        question: q.get_ref().clone(),
        answer: a,
        tolerance,
        tries,
        unit,
    })
}

/// `5` (either way), `0.5`, or `"10%"`.
fn tolerance(v: &toml::Value) -> Result<Tolerance, String> {
    let bad = || "a number (either way) or a percentage like \"10%\"".to_string();
    let t = match v {
        toml::Value::Integer(i) => Tolerance::Absolute(*i as f64),
        toml::Value::Float(f) => Tolerance::Absolute(*f),
        toml::Value::String(s) => {
            let p: f64 = s
                .trim()
                .strip_suffix('%')
                .and_then(|p| p.trim().parse().ok())
                .ok_or_else(bad)?;
            Tolerance::Relative(p / 100.0)
        }
        _ => return Err(bad()),
    };
    let x = match t {
        Tolerance::Absolute(x) | Tolerance::Relative(x) => x,
    };
    if !(x.is_finite() && x >= 0.0) || matches!(t, Tolerance::Relative(f) if f > 1.0) {
        return Err(format!(
            "{} is out of range: 0 or more, at most 100%",
            t.words()
        ));
    }
    Ok(t)
}

fn quiz(cx: &mut Ctx, n: usize, s: &RawStep) -> Option<Task> {
    let (Some(q), Some(choices), Some(answer)) = (&s.question, &s.choices, &s.answer) else {
        return None;
    };
    let k = choices.get_ref().len();
    if !(2..=5).contains(&k) {
        cx.at(
            choices.span().start,
            format!("step {n}: choices: {k} given, a quiz has 2 to 5"),
        );
        return None;
    }
    let Some(a) = answer.get_ref().as_integer() else {
        cx.at(
            answer.span().start,
            format!("step {n}: answer is the number of the right choice: 1 to {k}"),
        );
        return None;
    };
    if a < 1 || a as usize > k {
        cx.at(
            answer.span().start,
            format!("step {n}: answer {a} is not a choice: give 1 to {k} (1 is the first)"),
        );
        return None;
    }
    if q.get_ref().trim().is_empty() {
        cx.at(q.span().start, format!("step {n}: question is empty"));
        return None;
    }
    Some(Task::Quiz {
        question: q.get_ref().clone(),
        choices: choices
            .get_ref()
            .iter()
            .map(|c| c.get_ref().clone())
            .collect(),
        answer: a as usize - 1,
    })
}

fn goal(cx: &mut Ctx, n: usize, g: &Spanned<Entries>) -> Option<Goal> {
    let mut checks = Vec::new();
    let mut window_ns = DEFAULT_WINDOW_NS;
    let mut hold_ns = 0;
    let before = cx.problems.len();
    for (key, value) in &g.get_ref().0 {
        let name = key.get_ref().as_str();
        let at = value.span().start;
        let v = value.get_ref();
        if name == HOLD_KEY {
            match v.as_str().map(parse_duration) {
                Some(Ok(ns)) if ns <= MAX_HOLD_NS => hold_ns = ns,
                Some(Ok(_)) => cx.at(
                    at,
                    format!("step {n}: hold is at most {}s", MAX_HOLD_NS / 1_000_000_000),
                ),
                Some(Err(e)) => cx.at(at, format!("step {n}: hold: {e}")),
                None => cx.at(
                    at,
                    format!("step {n}: hold is a duration string, like \"2s\""),
                ),
            }
            continue;
        }
        if name == REWOUND_KEY {
            match v.as_bool() {
                Some(b) => checks.push(Check::Rewound(b)),
                None => cx.at(at, format!("step {n}: rewound is true or false")),
            }
            continue;
        }
        if let Some(side) = side_of(name) {
            let Some(t) = v.as_table() else {
                cx.at(
                    at,
                    format!("step {n}: {name} is a table of figures: {name}.goodput_mbps = {{ min = … }}"),
                );
                continue;
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
            continue;
        }
        if name == WINDOW_KEY {
            match v.as_str().map(parse_duration) {
                Some(Ok(ns)) if (HISTORY_NS..=MAX_WINDOW_NS).contains(&ns) => window_ns = ns,
                Some(Ok(_)) => cx.at(
                    at,
                    format!(
                        "step {n}: window must be from {}ms to {}s",
                        HISTORY_NS / 1_000_000,
                        MAX_WINDOW_NS / 1_000_000_000
                    ),
                ),
                Some(Err(e)) => cx.at(at, format!("step {n}: window: {e}")),
                None => cx.at(
                    at,
                    format!("step {n}: window is a duration string, like \"2s\""),
                ),
            }
            continue;
        }
        if let Ok(k) = name.parse::<Knob>() {
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
            continue;
        }
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
    if checks.is_empty() && cx.problems.len() == before {
        cx.at(
            g.span().start,
            format!("step {n}: the goal is empty: add a figure or a knob to check"),
        );
    }
    (cx.problems.len() == before).then_some(Goal {
        checks,
        window_ns,
        hold_ns,
    })
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
fn finite(x: f64) -> Result<f64, String> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("{x} is not a number a figure can be compared with"))
    }
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

/// A key named in text as a backquoted single character (`` `b` ``), or `space`.
fn named_key(text: &str) -> Option<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .find(|t| t.chars().count() == 1 || *t == "space")
        .map(str::to_string)
}
