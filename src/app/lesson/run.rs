//! The lesson run: which step the learner is on and what they have done in it, and the
//! moves between steps (begin, go on, go back, start again).

use crate::app::lane::SinceWhy;
use crate::app::speed::SpeedMeter;
use crate::app::{Lane, RunState};
use crate::lesson::progress::{LessonProgress, Progress};
use crate::lesson::{FigureRef, GoalStatus, Lesson, Step, Task};
use crate::sim::Reading;

use super::with_settings;

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
    /// A step beginning now on `lane`, and on lane B when it compares two.
    fn new(lane: &Lane, b: Option<&Lane>) -> Self {
        StepState {
            b_mark: b.map(|b| b.sim().reading()),
            ..Self::from(lane.sim().reading(), lane.now_ns())
        }
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

/// What the lesson play works on, borrowed from the app: the open lesson, the lane it
/// runs on, and what it tells the learner and keeps of their progress.
pub(super) struct Play<'a> {
    pub lesson: &'a Lesson,
    pub lane: &'a mut Lane,
    pub run: &'a mut RunState,
    pub meter: &'a mut SpeedMeter,
    pub progress: &'a mut Progress,
    pub progress_dirty: &'a mut bool,
    pub notice: &'a mut Option<String>,
    /// The lab is on screen (not the start screen): goals are evaluated only there.
    pub on_lab: bool,
    /// The lab shows a rewound moment (a goal may ask for one).
    pub rewound: bool,
}

impl Play<'_> {
    /// The open lesson's progress, to change (the loop saves it).
    pub fn progress(&mut self) -> &mut LessonProgress {
        *self.progress_dirty = true;
        self.progress.lesson_mut(&self.lesson.id)
    }

    pub fn say(&mut self, notice: impl Into<String>) {
        *self.notice = Some(notice.into());
    }

    /// A new run of `lane`, running.
    fn restart(&mut self, lane: Lane) {
        *self.lane = lane;
        self.meter.clear();
        *self.run = RunState::Running;
    }
}

/// What `Enter` leads to.
pub(super) enum Next {
    /// The step is not done yet: nothing.
    Stay,
    /// Step `i` begins.
    Step(usize),
    /// The lesson is done.
    Done,
}

impl LessonRun {
    pub(super) fn new(lesson: usize, steps: usize) -> Self {
        LessonRun {
            lesson,
            step: 0,
            state: StepState::from(Reading::default(), 0),
            compare: None,
            entries: vec![None; steps],
        }
    }

    /// Begin step `i`: a new run, running, if it has a scenario. Otherwise the lab goes on
    /// as it is (paused, if the last goal paused it), except that a step whose goal is
    /// measured over time starts it running: that time must pass. A step that starts at a
    /// shared state has had it replayed by the app already.
    pub(super) fn enter_step(&mut self, cx: &mut Play, i: usize) {
        let Some(step) = cx.lesson.steps.get(i) else {
            return;
        };
        self.compare = start_lanes(cx, step);
        // A step begins from the live sim: what `.` had left to show has happened.
        cx.lane.show_live();
        if step.scenario.is_none() && !step.is_quiz() {
            // What the step reads counts from here (a new run counts from its start; a
            // question asks about what was counted before it, so it keeps that).
            cx.lane.count_from_now(SinceWhy::Step);
        }
        let mut state = StepState::new(cx.lane, self.compare.as_deref());
        if step.is_quiz() {
            // A question freezes the lab where it stands (at t = 0 of its scenario, or where
            // the previous step left it) until it is answered.
            state.frozen_from = Some(*cx.run);
            *cx.run = RunState::Paused;
        }
        self.entries[i] = Some(Entry {
            lane: cx.lane.clone(),
            b: self.compare.clone(),
            run: *cx.run,
        });
        self.step = i;
        self.state = state;
        cx.progress().step = i;
        self.refresh_goal(cx);
    }

    /// `Enter`: the next step once this one is done.
    pub(super) fn next_step(&self, cx: &mut Play) -> Next {
        let i = self.step;
        if !self.state.met {
            cx.say(if cx.lesson.steps[i].is_quiz() {
                "answer first: press the number of your choice"
            } else {
                "not yet: the goal does not hold (h for a hint)"
            });
            return Next::Stay;
        }
        if i + 1 < cx.lesson.steps.len() {
            Next::Step(i + 1)
        } else {
            Next::Done
        }
    }

    /// `p`: the previous step, as it began. Returns the step to open the lesson at when
    /// that step was never visited in this run.
    pub(super) fn prev_step(&mut self, cx: &mut Play) -> Option<usize> {
        let i = self.step;
        if i == 0 {
            cx.say("this is the first step");
            return None;
        }
        match self.entries[i - 1].clone() {
            Some(entry) => {
                self.restore_step(cx, i - 1, entry);
                None
            }
            None => Some(i - 1),
        }
    }

    /// `R`: the current step again, as it began.
    pub(super) fn restart_step(&mut self, cx: &mut Play) {
        let i = self.step;
        if let Some(entry) = self.entries[i].clone() {
            self.restore_step(cx, i, entry);
            cx.say("step restarted");
        }
    }

    fn restore_step(&mut self, cx: &mut Play, i: usize, entry: Entry) {
        *cx.lane = entry.lane;
        cx.meter.clear();
        let mut state = StepState::new(cx.lane, entry.b.as_deref());
        self.compare = entry.b;
        if cx.lesson.steps[i].is_quiz() {
            state.frozen_from = self.state.frozen_from;
        }
        self.step = i;
        self.state = state;
        *cx.run = entry.run;
        cx.progress().step = i;
        self.refresh_goal(cx);
    }

    /// A knob changed: window figures start counting again from now, and a challenge
    /// counts the change against its par.
    pub(super) fn knob_changed(&mut self, now_ns: u64) {
        self.state.fresh_since_ns = now_ns;
        self.state.knob_changes += 1;
    }

    /// A new run began inside a step (an unlocked guest or direction key): the step's
    /// counters start again with it.
    pub(super) fn step_restarted(&mut self, lane: &Lane) {
        let state = StepState::new(lane, self.compare.as_deref());
        self.state = StepState {
            hints_shown: self.state.hints_shown,
            solution_shown: self.state.solution_shown,
            knob_changes: self.state.knob_changes + 1,
            ..state
        };
    }
}

/// The lanes a step starts on: both at t = 0 in a compare step (from its scenario or the
/// run as it is), a new run for a scenario, or the run as it is; lane B, if any.
fn start_lanes(cx: &mut Play, step: &Step) -> Option<Box<Lane>> {
    if !step.compare.is_empty() {
        let cfg = step.scenario.unwrap_or(*cx.lane.config());
        cx.restart(Lane::new(cfg));
        return Some(Box::new(Lane::new(with_settings(cfg, &step.compare))));
    }
    if step.state.is_some() {
        *cx.run = RunState::Running;
    } else if let Some(cfg) = step.scenario {
        cx.restart(Lane::new(cfg));
    } else if matches!(&step.task, Task::Goal(g) if g.needs_window())
        || matches!(step.task, Task::Observe { .. })
    {
        *cx.run = RunState::Running;
    }
    None
}
