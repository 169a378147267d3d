//! `evtchn-lab lessons check`: every file is valid, and every step can be finished.
//!
//! For each lesson, in a headless lab (the same `App` and `update` as the real one):
//! 1. each step starts unsolved: left alone for one goal window, its goal does not hold;
//! 2. its reference solution, played through the key map in virtual time, meets the goal
//!    (a quiz without a solution is answered with its answer);
//! 3. `Enter` goes on to the next step, which continues from that state.
//!
//! Each problem is a [`Problem`] at the step's line in its file.
//!
//! A higher layer can look at each question as it opens, the frame the learner sees
//! first ([`check_catalog_with`]): `evtchn-lab lessons check` renders it and reads it
//! (`crate::cast::questions`); this layer knows no screen.

use std::sync::Arc;

use super::player::{self, TICK_NS};
use super::{App, Msg, Open, Options, update};
use crate::lesson::progress::Progress;
use crate::lesson::{Catalog, Lesson, Problem, Task};
use crate::sim::metrics::HISTORY_NS;
use crate::sim::{Config, Figure};

/// What a check found, and how much it ran.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub problems: Vec<Problem>,
    pub lessons: usize,
    pub steps: usize,
    /// Virtual time simulated, ns (solutions and the "starts unsolved" probes).
    pub virtual_ns: u64,
    /// For each goal or observe step, the figures when its reference solution was done
    /// (what an author writes from: `lessons check --figures`).
    pub measured: Vec<Measured>,
}

/// The figures of one step at the moment its reference solution met its goal.
#[derive(Clone, Debug)]
pub struct Measured {
    pub lesson: String,
    /// 1-based, as messages count steps.
    pub step: usize,
    pub figures: Vec<(Figure, f64)>,
}

/// Looks at the lab the moment a question step opens (the lesson, the step's index) and
/// says what is wrong with it.
pub type QuestionProbe<'a> = dyn FnMut(&App, &Lesson, usize) -> Vec<Problem> + 'a;

/// Check every lesson of `cat`.
pub fn check_catalog(cat: &Arc<Catalog>) -> Outcome {
    check_catalog_with(cat, &mut |_, _, _| Vec::new())
}

/// [`check_catalog`], with `probe` looking at every question as it opens.
pub fn check_catalog_with(cat: &Arc<Catalog>, probe: &mut QuestionProbe) -> Outcome {
    let mut out = Outcome::default();
    for l in &cat.lessons {
        check_lesson_with(cat, l, &mut out, probe);
    }
    out
}

fn problem(l: &Lesson, line: usize, message: String) -> Problem {
    Problem {
        path: l.path.clone(),
        line,
        col: 1,
        message,
    }
}

/// Play every step of `lesson` in order.
pub fn check_lesson(cat: &Arc<Catalog>, lesson: &Lesson, out: &mut Outcome) {
    check_lesson_with(cat, lesson, out, &mut |_, _, _| Vec::new());
}

/// [`check_lesson`], with `probe` looking at every question as it opens.
pub fn check_lesson_with(
    cat: &Arc<Catalog>,
    lesson: &Lesson,
    out: &mut Outcome,
    probe: &mut QuestionProbe,
) {
    let mut app = App::new(Options {
        scenario: Config::default(),
        open: Open::Lesson(lesson.id.clone()),
        lessons: cat.clone(),
        progress: Progress::default(),
    });
    out.lessons += 1;
    for (i, step) in lesson.steps.iter().enumerate() {
        let n = i + 1;
        out.steps += 1;
        let at = |m: String| problem(lesson, step.line, format!("step {n}: {m}"));
        if app.lesson_run().map(|r| r.step) != Some(i) {
            out.problems.push(at("not reached".to_string()));
            return;
        }
        if step.is_quiz() {
            out.problems.extend(probe(&app, lesson, i));
        }
        if let Task::Goal(goal) = &step.task {
            // Left alone for one goal window (and the grid step the window may need).
            let mut probe = app.clone();
            let wait = goal.window_ns + HISTORY_NS + TICK_NS;
            let t0 = probe.lane.now_ns();
            let mut left = wait;
            while left > 0 && !probe.step_met() {
                let d = left.min(TICK_NS);
                update(&mut probe, Msg::Elapse { ns: d });
                left -= d;
            }
            out.virtual_ns += probe.lane.now_ns() - t0;
            if probe.step_met() {
                out.problems.push(at(format!(
                    "the goal already holds {:.2} s after the step starts, before the learner does anything",
                    (probe.lane.now_ns() - t0) as f64 / 1e9
                )));
            }
        }
        let t0 = app.lane.now_ns();
        let played = player::play_until_met(&mut app, &step.reference_script());
        out.virtual_ns += app.lane.now_ns().saturating_sub(t0);
        if let Err(e) = played {
            out.problems.push(at(format!("solution: {e}")));
            return;
        }
        if !app.step_met() {
            out.problems.push(at(format!(
                "the solution ends without meeting the goal: {}",
                unmet(&app)
            )));
            return;
        }
        if !step.is_quiz() {
            let figures = Figure::ALL
                .iter()
                .filter_map(|&f| Some((f, app.figure_now(crate::lesson::FigureRef::a(f))?)))
                .collect();
            out.measured.push(Measured {
                lesson: lesson.id.clone(),
                step: i + 1,
                figures,
            });
        }
        // On to the next step, as the learner would.
        let enter = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        );
        if let Some(m) = crate::app::keymap::msg_for_key(&app, &enter) {
            update(&mut app, m);
        }
    }
}

/// The checks that do not hold, in words.
fn unmet(app: &App) -> String {
    let Some(status) = app.lesson_run().and_then(|r| r.state.status.as_ref()) else {
        return "the question was not answered".to_string();
    };
    let bad: Vec<String> = status
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| match &c.now {
            Some(now) => format!("{} is {now}, want {}", c.what, c.want),
            None => format!("{} still measuring", c.what),
        })
        .collect();
    bad.join("; ")
}
