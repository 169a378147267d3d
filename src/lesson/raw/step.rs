//! One `[[step]]`: its texts, how it starts, what it unlocks, its prose's figures, its
//! solution and its task.

use toml::Spanned;

use super::goal::goal;
use super::names::{compare, names, unlocks, veiled};
use super::task::{number, quiz};
use super::{Ctx, FIGURES_AT, MAX_OBSERVE_NS, RawStep, TASK_KEYS};
use crate::diag::unknown;
use crate::lesson::lint::Places;
use crate::lesson::{Pane, Side, Step, Task, figure_refs, line_col};
use crate::script::share::State;
use crate::script::{Script, parse_duration};
use crate::sim::knob::config_problems;
use crate::sim::{Figure, ModelParams};

pub(super) fn step(cx: &mut Ctx, n: usize, s: Spanned<RawStep>) -> Option<Step> {
    let start = s.span().start;
    let line = line_col(cx.text, start).0;
    let question_line = s
        .get_ref()
        .question
        .as_ref()
        .map_or(line, |q| line_col(cx.text, q.span().start).0);
    let s = s.into_inner();
    let before = cx.problems.len();
    texts(cx, n, start, &s);
    scenario(cx, n, &s);
    let state = state(cx, n, &s);
    let explain = explain(cx, n, start, &s);
    let (unlock, challenge) = unlocks(cx, n, s.unlock.as_ref());
    if challenge {
        self::challenge(cx, n, start, &s);
    }
    let panes = names(cx, n, "panes", s.panes.as_ref(), |name| {
        name.parse::<Pane>()
            .map_err(|_| unknown("pane", name, Pane::NAMES, FIGURES_AT))
    });
    let veil = names(cx, n, "veil", s.veil.as_ref(), veiled);
    let show = names(cx, n, "show", s.show.as_ref(), |name| {
        name.parse::<Figure>()
            .map_err(|_| unknown("figure", name, Figure::NAMES, FIGURES_AT))
    });
    let in_prose = prose(cx, n, start, &s);
    question_names_no_figure(cx, n, start, &s);
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
    let (solution_text, solution) = solution(cx, n, &s);
    let task = task(cx, n, start, &s);
    if cx.problems.len() - in_prose > before {
        return None;
    }
    let places = places(cx, &s);
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

/// The step's texts: a title, and no character that must not reach a terminal.
fn texts(cx: &mut Ctx, n: usize, start: usize, s: &RawStep) {
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
}

/// A scenario within the command line's ranges, on the model's own parameters.
fn scenario(cx: &mut Ctx, n: usize, s: &RawStep) {
    let Some(sc) = &s.scenario else {
        return;
    };
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

/// `state`: a share string the step starts at, instead of a scenario.
fn state(cx: &mut Ctx, n: usize, s: &RawStep) -> Option<State> {
    let st = s.state.as_ref()?;
    let at = st.span().start;
    if s.scenario.is_some() {
        cx.at(
            at,
            format!("step {n}: state and scenario: give one, both start the run"),
        );
    }
    match State::decode(st.get_ref()) {
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
}

/// `explain`: what the learner just saw; every step has one.
fn explain(cx: &mut Ctx, n: usize, start: usize, s: &RawStep) -> String {
    match &s.explain {
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
    }
}

/// A challenge states a target; only its last hint may give the keys away.
fn challenge(cx: &mut Ctx, n: usize, start: usize, s: &RawStep) {
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

/// Figures in prose: `{goodput_mbps}` in the text, hints and explanation is filled in
/// when shown. Returns how many problems it found: a misspelt figure in prose changes
/// nothing the replay does, so the step still loads.
fn prose(cx: &mut Ctx, n: usize, start: usize, s: &RawStep) -> usize {
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
    let mut in_prose = 0;
    for (at, text) in prose {
        for (_, f) in figure_refs(text) {
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
    in_prose
}

/// A question and its choices name no figure: it would give the answer away.
fn question_names_no_figure(cx: &mut Ctx, n: usize, start: usize, s: &RawStep) {
    let mut in_question = s.question.iter().map(|q| q.get_ref().as_str()).chain(
        s.choices
            .iter()
            .flat_map(|c| c.get_ref().iter().map(|c| c.get_ref().as_str())),
    );
    if in_question.any(|q| !figure_refs(q).is_empty()) {
        cx.at(
            s.question.as_ref().map_or(start, |q| q.span().start),
            format!(
                "step {n}: a question or choice names a figure in braces: it would show \
                 the value asked about; say it in the text after the question instead"
            ),
        );
    }
}

/// The reference solution, as written and as a script.
fn solution(cx: &mut Ctx, n: usize, s: &RawStep) -> (Vec<String>, Script) {
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
    (solution_text, solution)
}

/// `observe = "3s"`: how long the learner watches.
fn observe(cx: &mut Ctx, n: usize, start: usize, s: &RawStep) -> Option<u64> {
    let ns = match &s.observe {
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
    ns
}

/// The step's task: a goal, a quiz, a number to type, or a time to watch.
fn task(cx: &mut Ctx, n: usize, start: usize, s: &RawStep) -> Option<Task> {
    let quiz_parts = (
        s.question.is_some(),
        s.choices.is_some(),
        s.answer.is_some(),
    );
    let numeric = s.question.is_some() && s.choices.is_none() && s.answer.is_some();
    let observe = observe(cx, n, start, s);
    match (&s.goal, quiz_parts) {
        (None, (false, false, false)) if observe.is_some() => {
            observe.map(|ns| Task::Observe { ns })
        }
        (None, (true, false, true)) if numeric => number(cx, n, s),
        (Some(g), (false, false, false)) => {
            if s.solution.as_ref().is_none_or(|v| v.get_ref().is_empty()) {
                cx.at(
                    g.span().start,
                    format!("step {n}: a goal needs a solution: a list of keys and waits that meets it, e.g. solution = [\"t\", \"wait 2s\"]"),
                );
            }
            goal(cx, n, g).map(Task::Goal)
        }
        (None, (true, true, true)) => quiz(cx, n, s),
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
    }
}

/// Where the step's answer, choices and hints stand in the file.
fn places(cx: &Ctx, s: &RawStep) -> Places {
    let place = |offset: usize| line_col(cx.text, offset);
    Places {
        answer: s.answer.as_ref().map(|a| place(a.span().start)),
        choices: s
            .choices
            .iter()
            .flat_map(|c| c.get_ref())
            .map(|c| place(c.span().start))
            .collect(),
        hints: s.hints.iter().map(|h| place(h.span().start)).collect(),
    }
}

/// A key named in text as a backquoted single character (`` `b` ``), or `space`.
fn named_key(text: &str) -> Option<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .find(|t| t.chars().count() == 1 || *t == "space")
        .map(str::to_string)
}
