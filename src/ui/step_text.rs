//! The lesson pane's text: a step's prose, figures, question or goal, hints and
//! explanation as lines wrapped to the pane (the pane itself is `lesson.rs`).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::{App, LessonRun, StepState, Veil};
use crate::lesson::{FigureRef, Goal, Step, Task, Tolerance, fill_figures};
use crate::words::{self, Precision, Time};

use super::markup::{self, TextStyles};
use super::theme::Theme;

/// The step's content as lines of at most `width` columns, top to bottom.
pub fn step_lines(
    app: &App,
    run: &LessonRun,
    step: &Step,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    step_parts(app, run, step, theme, width).0
}

/// The step's lines, and where an open question's block begins (its heading, the
/// question, the choices or the number's prompt, and what follows): that block stays in
/// view at the pane's foot while the text above it scrolls.
pub(super) fn step_parts(
    app: &App,
    run: &LessonRun,
    step: &Step,
    theme: &Theme,
    width: usize,
) -> (Vec<Line<'static>>, Option<Question>) {
    // Glossary terms are marked where the step first uses them.
    let marks = markup::TermMarks::new(&app.lessons.glossary, theme.term);
    let text = StepText {
        app,
        s: &run.state,
        step,
        t: theme,
        st: TextStyles {
            text: theme.text,
            code: theme.name,
            emphasis: theme.value,
            terms: Some(&marks),
        },
        veil: app.veil(),
        width,
    };
    let mut v: Vec<Line<'static>> = Vec::with_capacity(48);
    v.push(Line::styled(step.title.clone(), theme.figure));
    text.prose(&mut v);
    text.shown_figures(&mut v);
    let from = v.len();
    match &step.task {
        Task::Quiz {
            question,
            choices,
            answer,
        } => text.quiz(&mut v, question, choices, *answer),
        Task::Number {
            question,
            answer,
            tolerance,
            tries,
            unit,
        } => {
            text.question(&mut v, question);
            text.number(&mut v, *answer, *tolerance, *tries, unit);
        }
        Task::Observe { ns } => text.observe(&mut v, *ns),
        Task::Goal(goal) => {
            text.goal_head(&mut v, goal);
            text.goal_checks(&mut v, goal);
        }
    }
    let question = app.open_question().map(|_| Question { from, end: v.len() });
    text.paused_note(&mut v);
    text.hints(&mut v);
    text.explanation(&mut v);
    text.solution(&mut v);
    (v, question)
}

/// Where an open question's lines are: from its heading to its prompt (`end`, exclusive).
#[derive(Clone, Copy)]
pub(super) struct Question {
    pub(super) from: usize,
    pub(super) end: usize,
}

/// What a step's lines are made from: the lab, the step and its state, the styles and the
/// width the text wraps at.
struct StepText<'a> {
    app: &'a App,
    s: &'a StepState,
    step: &'a Step,
    t: &'a Theme,
    st: TextStyles<'a>,
    veil: Veil,
    width: usize,
}

impl StepText<'_> {
    /// Lesson text, wrapped to the pane.
    fn para(&self, v: &mut Vec<Line<'static>>, text: &str) {
        v.extend(markup::render(text, self.width, self.st));
    }

    /// A figure the prose names in braces, live; `?` while an open question veils it.
    fn live(&self, f: FigureRef) -> Option<String> {
        Some(if self.veil.hides(f.figure) {
            "?".to_string()
        } else {
            f.format(self.app.figure_now(f)?)
        })
    }

    /// A figure in the text or a hint: a window figure not measured yet reads "…", never
    /// its raw `{name}`.
    fn in_prose(&self, f: FigureRef) -> Option<String> {
        self.live(f).or(Some("…".to_string()))
    }

    /// A figure in the explanation: as it was when the step was done.
    fn then(&self, f: FigureRef) -> Option<String> {
        self.s
            .met_values
            .iter()
            .find(|(g, _)| *g == f)
            .map(|&(g, v)| g.format(v))
    }

    /// The step's text, until it is done (then there is room for the explanation instead).
    fn prose(&self, v: &mut Vec<Line<'static>>) {
        if !self.step.text.trim().is_empty() && !self.s.met {
            v.push(Line::raw(""));
            self.para(v, &fill_figures(&self.step.text, |f| self.in_prose(f)));
        }
    }

    /// The figures the step shows, live.
    fn shown_figures(&self, v: &mut Vec<Line<'static>>) {
        let t = self.t;
        if self.step.show.is_empty() {
            return;
        }
        v.push(Line::raw(""));
        for &f in &self.step.show {
            let value = self
                .live(FigureRef::a(f))
                .unwrap_or_else(|| "measuring…".to_string());
            v.push(Line::from(vec![
                Span::styled(format!("{} ", f.label()), t.name),
                Span::styled(value, t.value),
            ]));
        }
    }

    /// A question's heading and text.
    fn question(&self, v: &mut Vec<Line<'static>>, question: &str) {
        v.push(Line::raw(""));
        v.push(Line::styled("Question", self.t.title));
        self.para(v, question);
    }

    /// A quiz: the question, the choices (ticked once answered) and how to answer.
    fn quiz(&self, v: &mut Vec<Line<'static>>, question: &str, choices: &[String], answer: usize) {
        let t = self.t;
        self.question(v, question);
        for (i, c) in choices.iter().enumerate() {
            let (mark, style) = match self.s.answer {
                Some(_) if i == answer => ("✓", t.good),
                Some(a) if a == i => ("✗", t.bad),
                _ => (" ", t.text),
            };
            let mut pieces = vec![(format!("{} ", i + 1), style)];
            let cs = TextStyles {
                text: style,
                ..self.st
            };
            pieces.extend(markup::inline(c, cs));
            // The mark in a column of its own; continuation lines hang under the text.
            for (k, mut line) in markup::wrap(&pieces, self.width.saturating_sub(2), 2)
                .into_iter()
                .enumerate()
            {
                let lead = if k == 0 {
                    format!("{mark} ")
                } else {
                    "  ".to_string()
                };
                line.spans.insert(0, Span::styled(lead, style));
                v.push(line);
            }
        }
        if self.s.answer.is_none() {
            v.push(Line::styled(
                format!("Press 1–{} to answer.", choices.len()),
                t.dim,
            ));
        }
    }

    /// A number to type: the tries so far, then the prompt (`tries` in all) or the answer.
    fn number(
        &self,
        v: &mut Vec<Line<'static>>,
        answer: f64,
        tolerance: Tolerance,
        tries: u32,
        unit: &str,
    ) {
        let (t, s) = (self.t, self.s);
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        for (k, &given) in s.tries.iter().enumerate() {
            let right = tolerance.accepts(answer, given);
            let (mark, verdict, style) = match (right, given > answer) {
                (true, _) => ("✓", "right", t.good),
                (false, true) => ("✗", "too high", t.bad),
                (false, false) => ("✗", "too low", t.bad),
            };
            v.push(Line::from(vec![
                Span::styled(format!("{mark} try {}: ", k + 1), style),
                Span::styled(format!("{}{unit}", number_words(given)), t.value),
                Span::styled(format!(" · {verdict}"), style),
            ]));
        }
        match s.number_right {
            None => {
                let left = tries.saturating_sub(s.tries.len() as u32);
                v.push(Line::from(vec![
                    Span::styled("> ", t.warn),
                    Span::styled(s.typed.clone(), t.value),
                    Span::styled("▏", t.warn),
                    Span::styled(unit.clone(), t.dim),
                ]));
                v.push(Line::styled(
                    format!(
                        "Type a number, Enter to submit ({left} {} left).",
                        if left == 1 { "try" } else { "tries" }
                    ),
                    t.dim,
                ));
            }
            Some(_) => v.push(Line::from(vec![
                Span::styled("Answer: ", t.title),
                Span::styled(format!("{}{unit}", number_words(answer)), t.value),
                Span::styled(format!(" ({} counts)", tolerance.words()), t.dim),
            ])),
        }
    }

    /// A step that only watches `ns` of virtual time: how much has run.
    fn observe(&self, v: &mut Vec<Line<'static>>, ns: u64) {
        let t = self.t;
        v.push(Line::raw(""));
        let watched = self
            .app
            .lane
            .now_ns()
            .saturating_sub(self.s.started_ns)
            .min(ns);
        v.push(Line::from(vec![
            Span::styled("Watch", t.title),
            Span::styled(
                format!(" · {} of {} virtual", secs(watched), secs(ns)),
                t.dim,
            ),
        ]));
        if !self.s.met {
            v.push(Line::styled(
                "Enter goes on once it has run that long (space pauses, . steps).",
                t.dim,
            ));
        }
    }

    /// A goal's heading (its window, when it was met), the challenge's par and how long
    /// its checks have held.
    fn goal_head(&self, v: &mut Vec<Line<'static>>, goal: &Goal) {
        let (t, s) = (self.t, self.s);
        v.push(Line::raw(""));
        let window = if goal.needs_window() {
            format!(" (figures over the last {})", secs(goal.window_ns))
        } else {
            String::new()
        };
        // A met goal's ticks are the moment it was met; the live values follow apart.
        let met_at = match s.met_ns {
            Some(ns) if s.met => format!(" · met at t {} (✓ then · now: live)", secs(ns)),
            _ => String::new(),
        };
        v.push(Line::from(vec![
            Span::styled("Goal", t.title),
            Span::styled(window, t.dim),
            Span::styled(met_at, t.good),
        ]));
        if let Some(par) = self.app.par() {
            v.push(Line::from(vec![
                Span::styled("Challenge: every knob is yours. ", t.warn),
                Span::styled(
                    format!("par {par} · your knob changes {}", s.knob_changes),
                    t.dim,
                ),
            ]));
        }
        if goal.hold_ns > 0 && !s.met {
            let held = s
                .held_since
                .map_or(0, |since| self.app.lane.now_ns().saturating_sub(since));
            v.push(Line::styled(
                format!(
                    "Every line must hold for {} without a break: held {}.",
                    secs(goal.hold_ns),
                    secs(held)
                ),
                t.dim,
            ));
        }
    }

    /// A goal's checks, ticked or crossed, and how long its figures still fill.
    fn goal_checks(&self, v: &mut Vec<Line<'static>>, goal: &Goal) {
        let (t, s) = (self.t, self.s);
        let Some(status) = &s.status else {
            return;
        };
        // A target a question still ahead asks about is not given away here.
        let ahead = self.app.veil_ahead();
        for (k, c) in status.checks.iter().enumerate() {
            let veiled = matches!(
                goal.checks.get(k),
                Some(crate::lesson::Check::Figure { figure, .. }) if ahead.hides(*figure)
            );
            let mut pieces = check_words(c, veiled, t);
            if let Some(l) = s.live.as_ref().and_then(|l| l.checks.get(k)) {
                pieces.push(live_words(c, l, veiled, t));
            }
            v.extend(markup::wrap(&pieces, self.width, 2));
        }
        if status.filling_ns > 0 && !s.met {
            v.push(Line::styled(
                format!(
                    "Figures count {} after the step starts or a knob changes: {} to go.",
                    secs(goal.window_ns),
                    secs(status.filling_ns)
                ),
                t.dim,
            ));
        }
    }

    /// While paused and not done: why nothing moves.
    fn paused_note(&self, v: &mut Vec<Line<'static>>) {
        if self.s.met || self.app.run != crate::app::RunState::Paused {
            return;
        }
        v.push(Line::raw(""));
        let words = if self.step.is_quiz() {
            "The lab waits for your answer: it runs on once you have answered."
        } else {
            "The lab is paused: space runs it, . steps one transition."
        };
        v.extend(markup::wrap(
            &[(words.to_string(), self.t.warn)],
            self.width,
            0,
        ));
    }

    /// The hints asked for so far.
    fn hints(&self, v: &mut Vec<Line<'static>>) {
        let hints = &self.step.hints;
        for (i, h) in hints.iter().take(self.s.hints_shown).enumerate() {
            v.push(Line::raw(""));
            let pieces = [
                vec![(format!("Hint {}/{}: ", i + 1, hints.len()), self.t.warn)],
                markup::inline(&fill_figures(h, |f| self.in_prose(f)), self.st),
            ]
            .concat();
            v.extend(markup::wrap(&pieces, self.width, 2));
        }
    }

    /// Once the step is done: the explanation, its figures as they were then.
    fn explanation(&self, v: &mut Vec<Line<'static>>) {
        if !self.s.met {
            return;
        }
        v.push(Line::raw(""));
        let head = if self.step.is_quiz() {
            "answered"
        } else {
            "goal met"
        };
        v.push(Line::styled(format!("━━ {head} ━━"), self.t.good));
        self.para(v, &fill_figures(&self.step.explain, |f| self.then(f)));
    }

    /// The solution's keys, once asked for.
    fn solution(&self, v: &mut Vec<Line<'static>>) {
        if !self.s.solution_shown || self.step.solution_text.is_empty() {
            return;
        }
        v.push(Line::raw(""));
        let pieces = vec![
            ("Solution: ".to_string(), self.t.warn),
            (self.step.solution_text.join(" · "), self.t.name),
        ];
        v.extend(markup::wrap(&pieces, self.width, 2));
    }
}

/// A check's tick or cross, what it checks and its target (hidden while `veiled`), and
/// its value now where that says more.
fn check_words(c: &crate::lesson::CheckStatus, veiled: bool, t: &Theme) -> Vec<(String, Style)> {
    let (mark, style) = if c.ok {
        ("✓", t.good)
    } else {
        ("✗", t.bad)
    };
    let want = if veiled {
        super::veil::HIDDEN.to_string()
    } else {
        c.want.clone()
    };
    let mut pieces = vec![
        (format!("{mark} "), style),
        (format!("{} ", c.what), t.name),
        (want, t.value),
    ];
    match &c.now {
        Some(now) if !c.ok => pieces.push((format!(" · now {now}"), t.text)),
        // A figure that holds shows its value too (a knob's is the want).
        Some(now) if *now != c.want && c.want != format!("= {now}") => {
            pieces.push((format!(" · {now}"), t.dim))
        }
        Some(_) => {}
        None => pieces.push((" · measuring…".to_string(), t.dim)),
    }
    pieces
}

/// A number as a person reads it: `51,000`, `0.25`, `2.5`.
pub fn number_words(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        crate::lesson::thousands(&format!("{x:.0}"))
    } else {
        crate::lesson::format_number(x)
    }
}

/// A met check's live value, apart from its tick: the value now, and whether it still
/// holds (a tick earned earlier is not a claim about now).
fn live_words(
    then: &crate::lesson::CheckStatus,
    live: &crate::lesson::CheckStatus,
    veiled: bool,
    t: &Theme,
) -> (String, ratatui::style::Style) {
    let now = match &live.now {
        _ if veiled => super::veil::HIDDEN.to_string(),
        Some(n) => n.clone(),
        None => "measuring…".to_string(),
    };
    match (live.ok, live.now.is_some()) {
        (true, _) if live.now == then.now => (" · now: same".to_string(), t.dim),
        (true, _) => (format!(" · now: {now}, holds"), t.dim),
        (false, true) => (format!(" · now: {now}, no longer holds"), t.warn),
        (false, false) => (format!(" · now: {now}"), t.dim),
    }
}

/// A span of virtual time: `1 s`, `2.5 s`, `250 ms`.
fn secs(ns: u64) -> String {
    words::duration(Time::Ns(ns), Precision::Short)
}
