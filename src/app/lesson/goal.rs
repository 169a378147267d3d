//! A step's goal evaluated on the lab, and a step done: what it keeps of the moment.

use crate::app::{Lane, RunState};
use crate::lesson::{FigureRef, Goal, GoalStatus, Lesson, Side, Subject, Task, figure_refs};
use crate::sim::{FigureKind, Reading};

use super::GoalWatch;
use super::run::{LessonRun, Play};

/// A lane a figure is read from, and its counters when the step began (none outside a
/// lesson).
pub(super) type Read<'a> = (&'a Lane, Option<&'a Reading>);

/// A figure now, as a lesson's prose names it (lane A, lane B or B over A): over the last
/// virtual second (`None` before one has passed), the state of the moment, or since the
/// step began; `None` for lane B when there is none.
pub(super) fn figure(r: FigureRef, a: Read, b: Option<Read>) -> Option<f64> {
    let read = |(lane, mark): Read| {
        let window = lane.last_second();
        if r.figure.kind() == FigureKind::Window && window.ns() == 0 {
            return None;
        }
        Some(
            lane.sim()
                .figure(r.figure, &window, &mark.copied().unwrap_or_default()),
        )
    };
    match r.side {
        Side::A => read(a),
        Side::B => read(b?),
        Side::Ratio => Some(read(b?)? / read(a).filter(|&v| v != 0.0)?),
    }
}

impl LessonRun {
    /// A figure now on `lane` (lane A) and this step's lane B.
    pub(super) fn figure(&self, lane: &Lane, r: FigureRef) -> Option<f64> {
        let b = self
            .compare
            .as_deref()
            .map(|b| (b, self.state.b_mark.as_ref()));
        figure(r, (lane, Some(&self.state.mark)), b)
    }

    /// The current step's goal, when it must be watched event by event (it reads the
    /// state of the moment and does not hold yet).
    pub(super) fn goal_watch(&self, lesson: &Lesson) -> Option<GoalWatch> {
        match &lesson.steps.get(self.step)?.task {
            // A goal that must hold a while is looked at each tick: a moment is not enough.
            Task::Goal(goal)
                if !self.state.met && goal.needs_every_event() && goal.hold_ns == 0 =>
            {
                Some(GoalWatch {
                    goal: goal.clone(),
                    mark: self.state.mark,
                    fresh: self.state.fresh_since_ns,
                })
            }
            _ => None,
        }
    }

    /// `goal` evaluated on the lab (and a compare step's second lane) as it is now.
    fn goal_status(&self, cx: &Play, goal: &Goal) -> GoalStatus {
        let a = Subject {
            sim: cx.lane.sim(),
            mark: &self.state.mark,
            rewound: cx.rewound,
        };
        let b = self
            .compare
            .as_deref()
            .zip(self.state.b_mark.as_ref())
            .map(|(l, m)| Subject {
                sim: l.sim(),
                mark: m,
                rewound: cx.rewound,
            });
        goal.check(a, b, self.state.fresh_since_ns)
    }

    /// Evaluate the current step's goal; the moment it holds, the step is done and the lab
    /// pauses, so the screen shows the state that met it. A met goal is evaluated again on
    /// the lab as it is now (its ticks stay as earned).
    pub(super) fn refresh_goal(&mut self, cx: &mut Play) {
        if !cx.on_lab {
            return;
        }
        let task = &cx.lesson.steps[self.step].task;
        if self.state.met {
            if let Task::Goal(goal) = task {
                self.state.live = Some(self.goal_status(cx, goal));
            }
            return;
        }
        if let Task::Observe { ns } = *task {
            if cx.lane.now_ns().saturating_sub(self.state.started_ns) >= ns {
                self.step_done(cx);
                cx.say("watched: Enter goes on");
            }
            return;
        }
        let Task::Goal(goal) = task else {
            return;
        };
        let status = self.goal_status(cx, goal);
        let now = cx.lane.now_ns();
        let held_since = status.met.then(|| self.state.held_since.unwrap_or(now));
        let met = held_since.is_some_and(|since| now - since >= goal.hold_ns);
        self.state.status = Some(status);
        self.state.held_since = held_since;
        if met {
            self.step_done(cx);
            *cx.run = RunState::Paused;
            cx.say("goal met");
        }
    }

    /// The current step is done: remember it, and come back to the next one.
    pub(super) fn step_done(&mut self, cx: &mut Play) {
        let i = self.step;
        let values: Vec<(FigureRef, f64)> = figure_refs(&cx.lesson.steps[i].explain)
            .into_iter()
            .filter_map(|(_, f)| f.ok())
            .filter_map(|f| Some((f, self.figure(cx.lane, f)?)))
            .collect();
        self.state.met = true;
        self.state.met_ns = Some(cx.lane.now_ns());
        self.state.met_values = values;
        let n = cx.lesson.steps.len();
        let p = cx.progress();
        p.done_steps.insert(i);
        p.step = (i + 1).min(n - 1);
    }
}
