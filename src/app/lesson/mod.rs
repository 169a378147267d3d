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
//!
//! The play is [`LessonRun`]'s (run.rs: the steps; goal.rs: the goal; ask.rs: hints and
//! questions), over a `Play` context that borrows what it needs of the app; the
//! app's entry points here only open that context, and do what needs the whole app
//! (replaying a solution or a shared state, the start screen).

mod ask;
mod goal;
mod menu;
mod run;

use crate::lesson::{FigureRef, Goal, Lesson, Task, Unlock};
use crate::sim::{Config, Reading, Setting};

use super::{App, Lane, Page, Veil, View};
pub use menu::MenuEntry;
pub use run::{LessonRun, StepState};
use run::{Next, Play};

/// `cfg` with `settings` applied (lane B of a compare step).
pub fn with_settings(cfg: Config, settings: &[Setting]) -> Config {
    settings.iter().fold(cfg, |c, s| s.apply(c))
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

/// What the lab reads about the open lesson.
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

    /// The open lesson and its current step.
    pub fn current_lesson(&self) -> Option<(&Lesson, usize)> {
        let run = self.lesson_run()?;
        Some((self.lessons.lessons.get(run.lesson)?, run.step))
    }

    /// The question of the current step, while it waits for its answer (the lab is frozen
    /// and what it asks about is veiled).
    pub fn open_question(&self) -> Option<QuestionKind> {
        let (lesson, i) = self.current_lesson()?;
        let step = lesson.steps.get(i)?;
        if self.step_met() {
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
        match self.lesson_run() {
            Some(run) => run.figure(&self.lane, r),
            None => goal::figure(r, (&self.lane, None), self.lane_b().map(|b| (b, None))),
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

    /// Whether the current step lets the learner change `u` (always outside lessons).
    pub fn unlocked(&self, u: Unlock) -> bool {
        match self.current_lesson() {
            Some((l, i)) => l.steps[i].unlocks(u),
            None => true,
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

    /// The current step's goal, when it must be watched event by event.
    pub(super) fn goal_watch(&self) -> Option<GoalWatch> {
        let run = self.lesson_run()?;
        run.goal_watch(self.lessons.lessons.get(run.lesson)?)
    }
}

/// The lesson play's entry points: each opens the play's context and hands over.
impl App {
    /// The open lesson's run, and the context its play works in.
    fn play(&mut self) -> Option<(&mut LessonRun, Play<'_>)> {
        let rewound = self.rewound();
        let View::Lesson(run) = &mut self.view else {
            return None;
        };
        let lesson = self.lessons.lessons.get(run.lesson)?;
        let cx = Play {
            lesson,
            lane: &mut self.lane,
            run: &mut self.run,
            meter: &mut self.meter,
            progress: &mut self.progress,
            progress_dirty: &mut self.progress_dirty,
            notice: &mut self.notice,
            on_lab: self.page == Page::Lab,
            rewound,
        };
        Some((&mut **run, cx))
    }

    /// Open lesson `index` where the learner left it (from the start if it is done).
    pub fn open_lesson(&mut self, index: usize) {
        let Some(l) = self.lessons.lessons.get(index) else {
            return;
        };
        let step = match self.progress.status(l) {
            crate::lesson::progress::Status::Done => 0,
            _ => self.progress.resume_step(l),
        };
        self.open_lesson_at(index, step);
    }

    /// Open lesson `index` at `step`: from the nearest step with a scenario at or before
    /// it, replaying the solutions in between.
    pub fn open_lesson_at(&mut self, index: usize, step: usize) {
        let Some(lesson) = self.lessons.lessons.get(index) else {
            return;
        };
        let step = step.min(lesson.steps.len().saturating_sub(1));
        let from = (0..=step)
            .rev()
            .find(|&i| lesson.steps[i].scenario.is_some())
            .unwrap_or(0);
        let (steps, id) = (lesson.steps.len(), lesson.id.clone());
        // A first step without a scenario starts where the story starts.
        let from_start = lesson.steps[from].scenario.is_none();
        self.page = Page::Lab;
        self.overlay = super::Overlay::None;
        if from_start {
            self.lane = Lane::new(self.start);
        }
        self.view = View::Lesson(Box::new(LessonRun::new(index, steps)));
        self.enter_step(from);
        for k in from..step {
            if !self.replay_solution(k) {
                break;
            }
            self.next_step();
        }
        self.notice = None;
        self.progress.last = Some(id);
        self.progress_dirty = true;
    }

    /// Play step `k`'s reference solution until its goal holds. Returns whether it did.
    fn replay_solution(&mut self, k: usize) -> bool {
        let Some(script) = self
            .play()
            .map(|(_, cx)| cx.lesson.steps[k].reference_script())
        else {
            return false;
        };
        // A script error leaves the step as far as it got: what counts is whether it is done.
        let _ = super::player::play_until_met(self, &script);
        self.step_met()
    }

    /// Begin step `i`. A step that starts at a shared state replays it first, on the app:
    /// its history keeps the actions.
    fn enter_step(&mut self, i: usize) {
        let state = self.play().and_then(|(_, cx)| {
            let step = cx.lesson.steps.get(i)?;
            step.compare.is_empty().then(|| step.state.clone())?
        });
        if let Some(state) = state {
            self.replay_state(&state);
        }
        if let Some((run, mut cx)) = self.play() {
            run.enter_step(&mut cx, i);
        }
    }

    /// `Enter`: the next step once this one is done; after the last, the start screen.
    pub(super) fn next_step(&mut self) {
        let Some((run, mut cx)) = self.play() else {
            return;
        };
        let (index, title) = (run.lesson, cx.lesson.title.clone());
        match run.next_step(&mut cx) {
            Next::Stay => {}
            Next::Step(i) => self.enter_step(i),
            Next::Done => self.lesson_done(index, &title),
        }
    }

    /// `p`: the previous step, as it began.
    pub(super) fn prev_step(&mut self) {
        let Some((run, mut cx)) = self.play() else {
            return;
        };
        let index = run.lesson;
        if let Some(step) = run.prev_step(&mut cx) {
            self.open_lesson_at(index, step);
        }
    }

    /// `R`: the current step again, as it began.
    pub(super) fn restart_step(&mut self) {
        if let Some((run, mut cx)) = self.play() {
            run.restart_step(&mut cx);
        }
    }

    /// `h`: one more hint.
    pub(super) fn hint(&mut self) {
        if let Some((run, mut cx)) = self.play() {
            run.hint(&mut cx);
        }
    }

    /// `S`: asks first; pressed again, shows the reference solution.
    pub(super) fn show_solution(&mut self) {
        if let Some((run, mut cx)) = self.play() {
            run.show_solution(&mut cx);
        }
    }

    /// A digit key on a quiz step.
    pub(super) fn answer(&mut self, choice: u8) {
        if let Some((run, mut cx)) = self.play() {
            run.answer(&mut cx, choice);
        }
    }

    /// A character typed into a numeric answer.
    pub(super) fn type_char(&mut self, c: char) {
        if let Some((run, _)) = self.play() {
            run.type_char(c);
        }
    }

    /// `Backspace` in a numeric answer.
    pub(super) fn erase_char(&mut self) {
        if let Some((run, _)) = self.play() {
            run.erase_char();
        }
    }

    /// `Enter` on a numeric question.
    pub(super) fn submit_number(&mut self) {
        if let Some((run, mut cx)) = self.play() {
            run.submit_number(&mut cx);
        }
    }

    /// A knob changed: window figures count from now, and a challenge counts the change.
    pub(super) fn knob_changed(&mut self) {
        let now = self.lane.now_ns();
        if let Some((run, _)) = self.play() {
            run.knob_changed(now);
        }
    }

    /// A new run began inside a step: the step's counters start again with it.
    pub(super) fn step_restarted(&mut self) {
        if let Some((run, cx)) = self.play() {
            run.step_restarted(cx.lane);
        }
    }

    /// Evaluate the current step's goal (see [`LessonRun::refresh_goal`]).
    pub(super) fn refresh_goal(&mut self) {
        if let Some((run, mut cx)) = self.play() {
            run.refresh_goal(&mut cx);
        }
    }
}
