//! Lesson mode: which step the learner is on, what they have revealed, and whether the
//! step's goal holds, evaluated on the simulation after every message.
//!
//! ```text
//!  open ──► enter_step(i) ──► (learner acts) ──► goal holds? ──► met: pause, explain
//!              ▲  │ scenario: new run at t = 0                        │ Enter
//!              │  └ no scenario: go on from the state as it is        ▼
//!              └──────────────────────────────────────────── enter_step(i + 1)
//! ```
//! A step without a scenario continues from where the previous one ended. To open a
//! lesson at step k (coming back later, or `p` past the first visited step), the lab starts
//! from the nearest step at or before k that has a scenario and replays the reference
//! solutions of the steps in between: the same runs the tests prove, in virtual time.

use crate::lesson::progress::Status;
use crate::lesson::{FigureRef, Goal, GoalStatus, Lesson, Side, Subject, Task, Unlock};
use crate::sim::{Config, FigureKind, Reading, Setting};

use super::player;
use super::{App, Lane, Page, RunState, Veil, View};

/// The lesson open in the lab.
#[derive(Clone)]
pub struct LessonRun {
    /// Index of the lesson in the catalogue.
    pub lesson: usize,
    /// The current step (0-based).
    pub step: usize,
    pub state: StepState,
    /// Lane B of a step that compares two lanes (`compare = { … }`).
    pub compare: Option<Box<Lane>>,
    /// The lanes (simulation and screen memory) as they were when each visited step began,
    /// and whether they ran (`R`, `p`).
    entries: Vec<Option<Entry>>,
}

/// A step as it began: what `R` and `p` go back to.
#[derive(Clone)]
struct Entry {
    lane: Lane,
    b: Option<Box<Lane>>,
    run: RunState,
}

/// `cfg` with `settings` applied (lane B of a compare step).
pub fn with_settings(cfg: Config, settings: &[Setting]) -> Config {
    settings.iter().fold(cfg, |c, s| s.apply(c))
}

/// What the learner has done in the current step.
#[derive(Clone, Debug, PartialEq)]
pub struct StepState {
    /// The counters when the step began (`events_since_step`).
    pub mark: Reading,
    /// Lane B's counters when the step began, in a compare step.
    pub b_mark: Option<Reading>,
    /// Window figures count only from here on: the step's start or the last knob change.
    pub fresh_since_ns: u64,
    pub hints_shown: usize,
    /// The quiz answer given (0-based).
    pub answer: Option<usize>,
    /// A numeric question: what is typed so far, the numbers tried, and whether the last
    /// one was right (`None` while tries are left and none was).
    pub typed: String,
    pub tries: Vec<f64>,
    pub number_right: Option<bool>,
    /// The run state a question froze (restored, or running on a fresh scenario, once it
    /// is answered).
    pub frozen_from: Option<RunState>,
    /// The goal held (or the question was answered): the explanation shows.
    pub met: bool,
    /// The goal as last evaluated (`None` for a quiz); once met, as it was when met.
    pub status: Option<GoalStatus>,
    /// When the goal was met (virtual time).
    pub met_ns: Option<u64>,
    /// A met goal evaluated again as the learner explores on: the checklist shows these
    /// live values apart from the ticks it earned.
    pub live: Option<GoalStatus>,
    /// Since when (virtual time) every check has held without a break, for a goal that
    /// must hold a while (`hold`).
    pub held_since: Option<u64>,
    /// Knob changes the learner made in this step (a challenge shows them beside its par).
    pub knob_changes: u32,
    /// When the step began (virtual time): an observe step counts from here.
    pub started_ns: u64,
    /// The figures its explanation names (`{figure}`), as they were when the step was
    /// done: the explanation speaks of that moment.
    pub met_values: Vec<(FigureRef, f64)>,
    /// `S` was pressed once: the next `S` shows the solution.
    pub confirm_solution: bool,
    pub solution_shown: bool,
    /// Lines the lesson text is scrolled down by.
    pub scroll: u16,
}

impl StepState {
    /// A step beginning now on `lane`.
    fn new(lane: &Lane) -> Self {
        Self::from(lane.sim().reading(), lane.now_ns())
    }

    /// A step beginning at `mark`, its figures fresh from `fresh_since_ns`.
    fn from(mark: Reading, fresh_since_ns: u64) -> Self {
        StepState {
            mark,
            b_mark: None,
            fresh_since_ns,
            hints_shown: 0,
            answer: None,
            typed: String::new(),
            tries: Vec::new(),
            number_right: None,
            frozen_from: None,
            met: false,
            status: None,
            met_ns: None,
            live: None,
            held_since: None,
            knob_changes: 0,
            started_ns: fresh_since_ns,
            met_values: Vec::new(),
            confirm_solution: false,
            solution_shown: false,
            scroll: 0,
        }
    }
}

impl LessonRun {
    fn new(lesson: usize, steps: usize) -> Self {
        LessonRun {
            lesson,
            step: 0,
            state: StepState::from(Reading::default(), 0),
            compare: None,
            entries: vec![None; steps],
        }
    }
}

/// A goal to check after every simulation event while time passes.
pub(super) struct GoalWatch {
    pub goal: Goal,
    pub mark: Reading,
    pub fresh: u64,
}

/// The kind of question waiting for its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuestionKind {
    /// Choices, answered with a digit.
    Choice,
    /// A number, typed and submitted.
    Number,
}

/// The longest numeric answer that can be typed.
const MAX_TYPED: usize = 16;

/// An entry of the start screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuEntry {
    /// The lesson last opened, at its step.
    Continue(usize),
    Lesson(usize),
    Free,
}

/// What `h` and `S` say on a question: it has neither, on purpose.
const QUIZ_HAS_NO_HELP: &str =
    "a question has no hint or solution: predict, then answer; any answer shows why";

impl App {
    /// The lesson open now, if any.
    pub fn lesson_run(&self) -> Option<&LessonRun> {
        match &self.view {
            View::Lesson(run) => Some(run),
            _ => None,
        }
    }

    /// Whether the lesson step on screen is done (its goal met, its question answered).
    pub fn step_met(&self) -> bool {
        self.lesson_run().is_some_and(|r| r.state.met)
    }

    fn run_mut(&mut self) -> Option<&mut LessonRun> {
        match &mut self.view {
            View::Lesson(run) => Some(run),
            _ => None,
        }
    }

    /// The question of the current step, while it waits for its answer (the lab is frozen
    /// and what it asks about is veiled).
    pub fn open_question(&self) -> Option<QuestionKind> {
        let run = self.lesson_run()?;
        let step = self.lessons.lessons.get(run.lesson)?.steps.get(run.step)?;
        if run.state.met {
            return None;
        }
        match step.task {
            Task::Quiz { .. } => Some(QuestionKind::Choice),
            Task::Number { .. } => Some(QuestionKind::Number),
            Task::Goal(_) | Task::Observe { .. } => None,
        }
    }

    /// A figure now, as a lesson's prose names it (lane A, lane B or B over A): over the
    /// last virtual second (`None` before one has passed), the state of the moment, or
    /// since the step began; `None` for lane B outside a compare step.
    pub fn figure_now(&self, r: FigureRef) -> Option<f64> {
        let run = self.lesson_run();
        let read = |lane: &Lane, mark: Option<&Reading>| {
            let window = lane.last_second();
            if r.figure.kind() == FigureKind::Window && window.ns() == 0 {
                return None;
            }
            Some(
                lane.sim()
                    .figure(r.figure, &window, &mark.copied().unwrap_or_default()),
            )
        };
        let a = || read(&self.lane, run.map(|r| &r.state.mark));
        let b = || read(self.lane_b()?, run.and_then(|r| r.state.b_mark.as_ref()));
        match r.side {
            Side::A => a(),
            Side::B => b(),
            Side::Ratio => Some(b()? / a().filter(|&v| v != 0.0)?),
        }
    }

    /// Lane B's settings in the current step, when it compares two lanes.
    pub fn lesson_compare(&self) -> Vec<Setting> {
        self.current_lesson()
            .map(|(l, i)| l.steps[i].compare.clone())
            .unwrap_or_default()
    }

    /// What the open question hides until it is answered (its step's `veil`); nothing
    /// while no question waits.
    pub fn veil(&self) -> Veil {
        match (self.open_question(), self.current_lesson()) {
            (Some(_), Some((l, i))) => Veil::of(&l.steps[i].veil),
            _ => Veil::NONE,
        }
    }

    /// What the questions still ahead in this lesson will hide (the later question steps
    /// not answered yet): a goal's checklist shows no target they ask about.
    pub fn veil_ahead(&self) -> Veil {
        let Some((l, i)) = self.current_lesson() else {
            return Veil::NONE;
        };
        let done = self.progress.lesson(&l.id).map(|p| &p.done_steps);
        l.steps
            .iter()
            .enumerate()
            .skip(i + 1)
            .filter(|(k, s)| s.is_quiz() && !done.is_some_and(|d| d.contains(k)))
            .fold(Veil::NONE, |v, (_, s)| v.union(Veil::of(&s.veil)))
    }

    /// The open lesson and its current step.
    pub fn current_lesson(&self) -> Option<(&Lesson, usize)> {
        let run = self.lesson_run()?;
        Some((self.lessons.lessons.get(run.lesson)?, run.step))
    }

    /// Whether the current step lets the learner change `u` (always outside lessons).
    pub fn unlocked(&self, u: Unlock) -> bool {
        match self.current_lesson() {
            Some((l, i)) => l.steps[i].unlocks(u),
            None => true,
        }
    }

    /// The start screen's entries, top to bottom.
    pub fn menu(&self) -> Vec<MenuEntry> {
        let mut v = Vec::with_capacity(self.lessons.len() + 2);
        if let Some((i, l)) = self
            .progress
            .last
            .as_deref()
            .and_then(|id| self.lessons.get(id))
            && self.progress.status(l) != Status::Done
        {
            v.push(MenuEntry::Continue(i));
        }
        v.extend((0..self.lessons.len()).map(MenuEntry::Lesson));
        v.push(MenuEntry::Free);
        v
    }

    pub(super) fn menu_move(&mut self, d: i8) {
        let n = self.menu().len();
        if let Page::Start { selected } = &mut self.page {
            *selected = (*selected as i64 + i64::from(d)).clamp(0, n as i64 - 1) as usize;
        }
    }

    pub(super) fn menu_open(&mut self) {
        let Page::Start { selected } = self.page else {
            return;
        };
        match self.menu().get(selected).copied() {
            Some(MenuEntry::Continue(i) | MenuEntry::Lesson(i)) => self.open_lesson(i),
            Some(MenuEntry::Free) | None => self.open_free(),
        }
    }

    /// Free play from the starting scenario.
    pub(super) fn open_free(&mut self) {
        self.page = Page::Lab;
        self.view = View::Free;
        self.lane = Lane::new(self.start);
        self.run = RunState::Running;
        self.meter.clear();
    }

    /// Back to the start screen, the lesson just left selected.
    pub(super) fn back_to_start(&mut self) {
        let lesson = self.lesson_run().map(|r| r.lesson);
        let menu = self.menu();
        let selected = menu
            .iter()
            .position(|e| Some(*e) == lesson.map(MenuEntry::Lesson))
            .unwrap_or(0);
        self.page = Page::Start { selected };
    }

    /// Open lesson `index` where the learner left it (from the start if it is done).
    pub fn open_lesson(&mut self, index: usize) {
        let Some(l) = self.lessons.lessons.get(index) else {
            return;
        };
        let step = match self.progress.status(l) {
            Status::Done => 0,
            _ => self.progress.resume_step(l),
        };
        self.open_lesson_at(index, step);
    }

    /// Open lesson `index` at `step`: from the nearest step with a scenario at or before
    /// it, replaying the solutions in between.
    pub fn open_lesson_at(&mut self, index: usize, step: usize) {
        let cat = self.lessons.clone();
        let Some(lesson) = cat.lessons.get(index) else {
            return;
        };
        let step = step.min(lesson.steps.len().saturating_sub(1));
        let from = (0..=step)
            .rev()
            .find(|&i| lesson.steps[i].scenario.is_some())
            .unwrap_or(0);
        self.page = Page::Lab;
        self.overlay = super::Overlay::None;
        if lesson.steps[from].scenario.is_none() {
            // A first step without a scenario starts where the story starts.
            self.lane = Lane::new(self.start);
        }
        self.view = View::Lesson(Box::new(LessonRun::new(index, lesson.steps.len())));
        self.enter_step(from);
        for k in from..step {
            if !self.replay_solution(k) {
                break;
            }
            self.next_step();
        }
        self.notice = None;
        let id = lesson.id.clone();
        self.progress.last = Some(id);
        self.progress_dirty = true;
    }

    /// Play step `k`'s reference solution until its goal holds. Returns whether it did.
    fn replay_solution(&mut self, k: usize) -> bool {
        let cat = self.lessons.clone();
        let Some(run) = self.lesson_run() else {
            return false;
        };
        let s = &cat.lessons[run.lesson].steps[k];
        // A script error leaves the step as far as it got: what counts is whether it is done.
        let _ = player::play_until_met(self, &s.reference_script());
        self.step_met()
    }

    /// Begin step `i`: a new run, running, if it has a scenario. Otherwise the lab goes on
    /// as it is (paused, if the last goal paused it), except that a step whose goal is
    /// measured over time starts it running: that time must pass.
    fn enter_step(&mut self, i: usize) {
        let cat = self.lessons.clone();
        let Some(run) = self.lesson_run() else {
            return;
        };
        let lesson = &cat.lessons[run.lesson];
        let Some(step) = lesson.steps.get(i) else {
            return;
        };
        let compare = if step.compare.is_empty() {
            None
        } else {
            // Both lanes start at t = 0, from the step's scenario or the run as it is.
            let cfg = step.scenario.unwrap_or(*self.lane.config());
            self.lane = Lane::new(cfg);
            self.meter.clear();
            self.run = RunState::Running;
            Some(Box::new(Lane::new(with_settings(cfg, &step.compare))))
        };
        if compare.is_some() {
        } else if let Some(state) = &step.state {
            self.replay_state(state);
            self.run = RunState::Running;
        } else if let Some(cfg) = step.scenario {
            self.lane = Lane::new(cfg);
            self.meter.clear();
            self.run = RunState::Running;
        } else if matches!(&step.task, Task::Goal(g) if g.needs_window())
            || matches!(step.task, Task::Observe { .. })
        {
            self.run = RunState::Running;
        }
        // A step begins from the live sim: what `.` had left to show has happened.
        self.lane.show_live();
        if step.scenario.is_none() && !step.is_quiz() {
            // What the step reads counts from here (a new run counts from its start; a
            // question asks about what was counted before it, so it keeps that).
            self.lane.count_from_now(super::lane::SinceWhy::Step);
        }
        let mut state = StepState::new(&self.lane);
        state.b_mark = compare.as_ref().map(|b| b.sim().reading());
        if let Some(run) = self.run_mut() {
            run.compare = compare;
        }
        if step.is_quiz() {
            // A question freezes the lab where it stands (at t = 0 of its scenario, or where
            // the previous step left it) until it is answered.
            state.frozen_from = Some(self.run);
            self.run = RunState::Paused;
        }
        let snapshot = Entry {
            lane: self.lane.clone(),
            b: self.lesson_run().and_then(|r| r.compare.clone()),
            run: self.run,
        };
        if let Some(run) = self.run_mut() {
            run.step = i;
            run.entries[i] = Some(snapshot);
            run.state = state;
        }
        self.progress.lesson_mut(&lesson.id).step = i;
        self.progress_dirty = true;
        self.refresh_goal();
    }

    /// `Enter`: the next step once this one is done; after the last, the start screen.
    pub(super) fn next_step(&mut self) {
        let Some((lesson, i)) = self.current_lesson() else {
            return;
        };
        let (n, title) = (lesson.steps.len(), lesson.title.clone());
        let is_quiz = lesson.steps[i].is_quiz();
        let met = self.lesson_run().is_some_and(|r| r.state.met);
        if !met {
            self.notice = Some(if is_quiz {
                "answer first: press the number of your choice".to_string()
            } else {
                "not yet: the goal does not hold (h for a hint)".to_string()
            });
            return;
        }
        if i + 1 < n {
            self.enter_step(i + 1);
        } else {
            let index = self.lesson_run().map_or(0, |r| r.lesson);
            self.back_to_start();
            // Select the next lesson, ready for Enter.
            let next = self
                .menu()
                .iter()
                .position(|e| *e == MenuEntry::Lesson(index + 1));
            if let (Page::Start { selected }, Some(p)) = (&mut self.page, next) {
                *selected = p;
            }
            self.notice = Some(format!("lesson done: {title}"));
        }
    }

    /// `p`: the previous step, as it began.
    pub(super) fn prev_step(&mut self) {
        let Some(run) = self.lesson_run() else {
            return;
        };
        let (index, i) = (run.lesson, run.step);
        if i == 0 {
            self.notice = Some("this is the first step".to_string());
            return;
        }
        match run.entries[i - 1].clone() {
            Some(entry) => self.restore_step(i - 1, entry),
            None => self.open_lesson_at(index, i - 1),
        }
    }

    /// `R`: the current step again, as it began.
    pub(super) fn restart_step(&mut self) {
        let Some(run) = self.lesson_run() else {
            return;
        };
        let i = run.step;
        if let Some(entry) = run.entries[i].clone() {
            self.restore_step(i, entry);
            self.notice = Some("step restarted".to_string());
        }
    }

    fn restore_step(&mut self, i: usize, entry: Entry) {
        let Entry {
            lane,
            b,
            run: run_state,
        } = entry;
        self.lane = lane;
        self.meter.clear();
        let mut state = StepState::new(&self.lane);
        state.b_mark = b.as_ref().map(|b| b.sim().reading());
        if let Some(run) = self.run_mut() {
            run.compare = b;
        }
        let question = self
            .lesson_run()
            .and_then(|r| self.lessons.lessons.get(r.lesson))
            .is_some_and(|l| l.steps[i].is_quiz());
        if question {
            state.frozen_from = self.lesson_run().and_then(|r| r.state.frozen_from);
        }
        if let Some(run) = self.run_mut() {
            run.step = i;
            run.state = state;
        }
        self.run = run_state;
        if let Some((l, _)) = self.current_lesson() {
            let id = l.id.clone();
            self.progress.lesson_mut(&id).step = i;
            self.progress_dirty = true;
        }
        self.refresh_goal();
    }

    /// `h`: one more hint.
    pub(super) fn hint(&mut self) {
        let Some((lesson, i)) = self.current_lesson() else {
            return;
        };
        if lesson.steps[i].is_quiz() {
            self.notice = Some(QUIZ_HAS_NO_HELP.into());
            return;
        }
        let (n, id) = (lesson.steps[i].hints.len(), lesson.id.clone());
        let Some(run) = self.run_mut() else {
            return;
        };
        if run.state.hints_shown < n {
            run.state.hints_shown += 1;
            let shown = run.state.hints_shown;
            let used = self
                .progress
                .lesson_mut(&id)
                .hints
                .entry(i.to_string())
                .or_default();
            *used = (*used).max(shown);
            self.progress_dirty = true;
        } else {
            self.notice = Some(if n == 0 {
                "this step has no hints: S shows the solution".to_string()
            } else {
                "no more hints: S shows the solution".to_string()
            });
        }
    }

    /// `S`: asks first; pressed again, shows the reference solution.
    pub(super) fn show_solution(&mut self) {
        let Some((lesson, i)) = self.current_lesson() else {
            return;
        };
        if lesson.steps[i].is_quiz() {
            self.notice = Some(QUIZ_HAS_NO_HELP.into());
            return;
        }
        let id = lesson.id.clone();
        let Some(run) = self.run_mut() else {
            return;
        };
        if run.state.solution_shown {
            return;
        }
        if run.state.confirm_solution {
            run.state.solution_shown = true;
            run.state.confirm_solution = false;
            self.progress.lesson_mut(&id).solutions_shown.insert(i);
            self.progress_dirty = true;
        } else {
            run.state.confirm_solution = true;
            self.notice =
                Some("show the solution? S again to show it, any other key to go on".into());
        }
    }

    /// A digit key on a quiz step: the answer is recorded and the explanation shows,
    /// right or wrong.
    pub(super) fn answer(&mut self, choice: u8) {
        let Some((lesson, i)) = self.current_lesson() else {
            return;
        };
        let Task::Quiz {
            choices, answer, ..
        } = &lesson.steps[i].task
        else {
            return;
        };
        let c = usize::from(choice.saturating_sub(1));
        let n = choices.len();
        if c >= n {
            self.notice = Some(format!(
                "no choice {choice}: this question has {n}, press 1–{n}"
            ));
            return;
        }
        let right = c == *answer;
        let id = lesson.id.clone();
        let Some(run) = self.run_mut() else {
            return;
        };
        if run.state.met {
            self.notice = Some("answered already: the first answer stands (Enter goes on)".into());
            return;
        }
        run.state.answer = Some(c);
        self.first_try(&id, i, right);
        self.step_done(&id, i);
        self.thaw();
        self.notice = Some(
            if right {
                "right: the explanation says why"
            } else {
                "not quite: the explanation says why"
            }
            .to_string(),
        );
    }

    /// A question was answered: the lab runs again as it did before the question froze it
    /// (a question that began a new run starts it).
    fn thaw(&mut self) {
        let fresh_run = self
            .current_lesson()
            .is_some_and(|(l, i)| l.steps[i].scenario.is_some());
        let Some(run) = self.run_mut() else {
            return;
        };
        if let Some(before) = run.state.frozen_from.take() {
            self.run = if fresh_run { RunState::Running } else { before };
            self.meter.clear();
        }
    }

    /// A character typed into a numeric answer: digits, one point (`,` is a thousands
    /// separator and ignored), a leading minus.
    pub(super) fn type_char(&mut self, c: char) {
        let Some(run) = self.run_mut() else {
            return;
        };
        let t = &mut run.state.typed;
        let ok = match c {
            '0'..='9' => t.len() < MAX_TYPED,
            '.' => !t.contains('.') && t.len() < MAX_TYPED,
            '-' => t.is_empty(),
            // Thousands separators are read past: `51,000` is 51000.
            ',' => false,
            _ => false,
        };
        if ok {
            t.push(c);
        }
    }

    /// `Backspace` in a numeric answer.
    pub(super) fn erase_char(&mut self) {
        if let Some(run) = self.run_mut() {
            run.state.typed.pop();
        }
    }

    /// `Enter` on a numeric question: right (within the tolerance) ends the question; wrong
    /// says too high or too low, and after the last try shows the answer.
    pub(super) fn submit_number(&mut self) {
        let Some((lesson, i)) = self.current_lesson() else {
            return;
        };
        let Task::Number {
            answer,
            tolerance,
            tries,
            ..
        } = lesson.steps[i].task
        else {
            return;
        };
        let id = lesson.id.clone();
        let Some(run) = self.run_mut() else {
            return;
        };
        if run.state.met {
            return;
        }
        let Ok(given) = run.state.typed.parse::<f64>() else {
            self.notice = Some("type a number first (digits, and a point for decimals)".into());
            return;
        };
        run.state.tries.push(given);
        run.state.typed.clear();
        let right = tolerance.accepts(answer, given);
        let used = run.state.tries.len() as u32;
        let first_try = right && used == 1;
        if used == 1 {
            self.first_try(&id, i, right);
        }
        let Some(run) = self.run_mut() else {
            return;
        };
        if right || used >= tries {
            run.state.number_right = Some(right);
            self.step_done(&id, i);
            self.thaw();
            self.notice = Some(
                match (right, first_try) {
                    (true, true) => "right, first try: the explanation says why",
                    (true, false) => "right: the explanation says why",
                    (false, _) => "no tries left: the answer and the explanation are shown",
                }
                .to_string(),
            );
        } else {
            let left = tries - used;
            let way = if given > answer {
                "too high"
            } else {
                "too low"
            };
            self.notice = Some(format!(
                "{way}: {left} {} left",
                if left == 1 { "try" } else { "tries" }
            ));
        }
    }

    /// A question's first answer, right or not, recorded once: a later try (after `R`, or
    /// coming back) does not change it.
    fn first_try(&mut self, id: &str, i: usize, right: bool) {
        self.progress
            .lesson_mut(id)
            .first_try
            .entry(i.to_string())
            .or_insert(right);
        self.progress_dirty = true;
    }

    /// The current step is done: remember it, and come back to the next one.
    fn step_done(&mut self, id: &str, i: usize) {
        let n = self.lessons.get(id).map_or(1, |(_, l)| l.steps.len());
        let named: Vec<FigureRef> = self
            .lessons
            .get(id)
            .map(|(_, l)| {
                crate::lesson::figure_refs(&l.steps[i].explain)
                    .into_iter()
                    .filter_map(|(_, f)| f.ok())
                    .collect()
            })
            .unwrap_or_default();
        let values: Vec<(FigureRef, f64)> = named
            .into_iter()
            .filter_map(|f| Some((f, self.figure_now(f)?)))
            .collect();
        let now = self.lane.now_ns();
        if let Some(run) = self.run_mut() {
            run.state.met = true;
            run.state.met_ns = Some(now);
            run.state.met_values = values;
        }
        let p = self.progress.lesson_mut(id);
        p.done_steps.insert(i);
        p.step = (i + 1).min(n - 1);
        self.progress_dirty = true;
    }

    /// A knob changed: window figures start counting again from now, and a challenge
    /// counts the change against its par.
    pub(super) fn knob_changed(&mut self) {
        let now = self.lane.now_ns();
        if let Some(run) = self.run_mut() {
            run.state.fresh_since_ns = now;
            run.state.knob_changes += 1;
        }
    }

    /// A challenge step's par: the knob changes its reference solution makes.
    pub fn par(&self) -> Option<usize> {
        let (lesson, i) = self.current_lesson()?;
        let step = &lesson.steps[i];
        step.challenge.then(|| {
            step.solution
                .items
                .iter()
                .filter(|item| match item {
                    crate::script::Item::Key(k) => {
                        super::keymap::cmd_for_key(super::keymap::Ctx::Lesson, k)
                            .and_then(|c| c.knob())
                            .is_some()
                    }
                    crate::script::Item::Wait(_) => false,
                })
                .count()
        })
    }

    /// A new run began inside a step (an unlocked guest or direction key): the step's
    /// counters start again with it.
    pub(super) fn step_restarted(&mut self) {
        let mut state = StepState::new(&self.lane);
        state.b_mark = self.lane_b().map(|b| b.sim().reading());
        if let Some(run) = self.run_mut() {
            let keep = (
                run.state.hints_shown,
                run.state.solution_shown,
                run.state.knob_changes + 1,
            );
            run.state = StepState {
                hints_shown: keep.0,
                solution_shown: keep.1,
                knob_changes: keep.2,
                ..state
            };
        }
    }

    /// The current step's goal, when it must be watched event by event (it reads the
    /// state of the moment and does not hold yet).
    pub(super) fn goal_watch(&self) -> Option<GoalWatch> {
        let run = self.lesson_run()?;
        let step = &self.lessons.lessons.get(run.lesson)?.steps[run.step];
        match &step.task {
            // A goal that must hold a while is looked at each tick: a moment is not enough.
            Task::Goal(goal) if !run.state.met && goal.needs_every_event() && goal.hold_ns == 0 => {
                Some(GoalWatch {
                    goal: goal.clone(),
                    mark: run.state.mark,
                    fresh: run.state.fresh_since_ns,
                })
            }
            _ => None,
        }
    }

    /// A met goal evaluated again on the lab as it is now (its ticks stay as earned).
    fn recheck_live(&mut self, task: &Task) {
        let Task::Goal(goal) = task else {
            return;
        };
        let live = self.goal_status(goal);
        if let Some(run) = self.run_mut() {
            run.state.live = live;
        }
    }

    /// `goal` evaluated on the lab (and a compare step's second lane) as it is now.
    fn goal_status(&self, goal: &crate::lesson::Goal) -> Option<GoalStatus> {
        let run = self.lesson_run()?;
        let a = Subject {
            sim: self.lane.sim(),
            mark: &run.state.mark,
            rewound: self.rewound(),
        };
        let b = run
            .compare
            .as_deref()
            .zip(run.state.b_mark.as_ref())
            .map(|(l, m)| Subject {
                sim: l.sim(),
                mark: m,
                rewound: self.rewound(),
            });
        Some(goal.check(a, b, run.state.fresh_since_ns))
    }

    /// Evaluate the current step's goal; the moment it holds, the step is done and the lab
    /// pauses, so the screen shows the state that met it.
    pub(super) fn refresh_goal(&mut self) {
        if self.page != Page::Lab {
            return;
        }
        let cat = self.lessons.clone();
        let Some(run) = self.lesson_run() else {
            return;
        };
        let lesson = &cat.lessons[run.lesson];
        let i = run.step;
        if run.state.met {
            self.recheck_live(&lesson.steps[i].task);
            return;
        }
        if let Task::Observe { ns } = lesson.steps[i].task {
            if self.lane.now_ns().saturating_sub(run.state.started_ns) >= ns {
                self.step_done(&lesson.id, i);
                self.notice = Some("watched: Enter goes on".to_string());
            }
            return;
        }
        let Task::Goal(goal) = &lesson.steps[i].task else {
            return;
        };
        let Some(status) = self.goal_status(goal) else {
            return;
        };
        let now = self.lane.now_ns();
        let held_since = status.met.then(|| run.state.held_since.unwrap_or(now));
        let met = held_since.is_some_and(|since| now - since >= goal.hold_ns);
        if let Some(run) = self.run_mut() {
            run.state.status = Some(status);
            run.state.held_since = held_since;
        }
        if met {
            self.step_done(&lesson.id, i);
            self.run = RunState::Paused;
            self.notice = Some("goal met".to_string());
        }
    }
}
