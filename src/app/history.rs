//! Rewind: checkpoints of the lanes at a fixed virtual interval, and the run's actions
//! (knob changes, port actions, `.` steps) at the virtual time they were made.
//!
//! A checkpoint is a clone of the lanes (the sim, its RNG and event queue, and the screen's
//! memory), so going back is a copy, and running on from a checkpoint replays the actions
//! after it at their times: the same transitions, figures and trace as the first time (the
//! sim gives the same run however its time is cut into advances). Memory is bounded by
//! count: [`CHECKPOINTS_KEPT`] checkpoints, [`CHECKPOINT_EVERY_NS`] apart.

use std::collections::VecDeque;

use super::{App, Lane};
pub use crate::script::share::{Action, Entry};
use crate::sim::Config;

/// Virtual time between two checkpoints. A checkpoint is about 1.3 MB (the sim's 30 s of
/// readings are most of it), so they are sparse, and `<` replays from the one before.
pub const CHECKPOINT_EVERY_NS: u64 = 5_000_000_000;
/// Checkpoints kept: the oldest goes when one more is taken.
pub const CHECKPOINTS_KEPT: usize = 12;
/// What one press of `<` or `>` moves by: to the whole second before (or after).
pub const REWIND_STEP_NS: u64 = 1_000_000_000;
/// Bytes a checkpoint of one lane takes at most, measured (tests/rewind.rs counts what a
/// clone allocates): the sim with its trace ring ([`super::lane::TRACE_CAPACITY`] records),
/// its 30 s of readings and its queues, and the lane's timeline. Compare mode keeps two
/// lanes a checkpoint.
pub const CHECKPOINT_MAX_BYTES: usize = 3 << 19;
/// Actions kept (the share string replays them all from t = 0).
pub const ENTRIES_KEPT: usize = crate::script::share::ENTRIES_MAX;

/// Virtual seconds the checkpoints reach back.
fn kept_s() -> u64 {
    CHECKPOINTS_KEPT as u64 * CHECKPOINT_EVERY_NS / 1_000_000_000
}

/// What the `?` help says of rewinding: how far back, how much memory at most.
pub fn help_line() -> String {
    format!(
        "rewind: last {} s of virtual time, at most {} MiB (2 lanes: twice)",
        kept_s(),
        (CHECKPOINTS_KEPT * CHECKPOINT_MAX_BYTES).div_ceil(1 << 20)
    )
}

/// The lanes at one moment, and how many of the run's actions they include.
#[derive(Clone)]
struct Checkpoint {
    lane: Lane,
    b: Option<Lane>,
    done: usize,
}

impl Checkpoint {
    fn t_ns(&self) -> u64 {
        self.lane.now_ns()
    }
}

/// The run's checkpoints and actions.
#[derive(Clone, Default)]
pub struct History {
    checkpoints: VecDeque<Checkpoint>,
    entries: Vec<Entry>,
    /// The next entry to replay: `entries.len()` unless rewound (or running on after it).
    next: usize,
    /// While rewound: the furthest state reached, to come back to.
    head: Option<Box<Checkpoint>>,
    /// The lanes this history is of (a new run starts a new history) and the newest time
    /// seen of them (a lesson step's restart goes back without a rewind: a new history).
    lanes: (u64, Option<u64>),
    seen_ns: u64,
    /// Lane A's configuration when this history began, and the time it began at (0 unless
    /// a lesson step began it mid-run: a share string replays from t = 0).
    scenario: Config,
    origin_ns: u64,
    /// Actions forgotten past [`ENTRIES_KEPT`].
    dropped: u64,
}

impl History {
    /// Virtual times of the checkpoints kept, oldest first.
    pub fn checkpoint_times(&self) -> impl Iterator<Item = u64> + '_ {
        self.checkpoints.iter().map(Checkpoint::t_ns)
    }

    /// The furthest time reached, when rewound.
    pub fn head_ns(&self) -> Option<u64> {
        self.head.as_ref().map(|h| h.t_ns())
    }

    /// Lane A's configuration when the run began.
    pub fn scenario(&self) -> &Config {
        &self.scenario
    }

    /// Whether the run is all here from t = 0 (a share string can replay it).
    pub fn from_start(&self) -> bool {
        self.origin_ns == 0 && self.dropped == 0
    }

    /// The actions up to the state on screen (what a share string replays).
    pub fn done(&self) -> &[Entry] {
        &self.entries[..self.next]
    }

    pub fn len(&self) -> usize {
        self.checkpoints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// Where the next advance must stop: the next checkpoint's time or the next action's,
    /// if before `target`.
    fn next_stop(&self, now: u64, target: u64) -> u64 {
        let boundary = (now / CHECKPOINT_EVERY_NS + 1) * CHECKPOINT_EVERY_NS;
        let action = self.entries.get(self.next).map_or(u64::MAX, |e| e.t_ns);
        target.min(boundary).min(action.max(now))
    }

    /// Forget the future: an action made away from the present starts a new branch there.
    fn branch(&mut self, now: u64) {
        self.entries.truncate(self.next);
        self.checkpoints.retain(|c| c.t_ns() <= now);
        self.head = None;
    }

    fn push(&mut self, e: Entry) {
        self.entries.push(e);
        self.next = self.entries.len();
        self.trim();
    }

    /// Keep the newest [`ENTRIES_KEPT`] actions: a share string then says it cannot replay
    /// from t = 0.
    fn trim(&mut self) {
        if self.entries.len() > ENTRIES_KEPT {
            self.entries.remove(0);
            self.dropped += 1;
            self.next = self.next.saturating_sub(1);
            for c in &mut self.checkpoints {
                c.done = c.done.saturating_sub(1);
            }
            if let Some(h) = &mut self.head {
                h.done = h.done.saturating_sub(1);
            }
        }
    }
}

impl App {
    fn lane_ids(&self) -> (u64, Option<u64>) {
        (self.lane.run_id(), self.lane_b().map(Lane::run_id))
    }

    /// A new history when the lanes were replaced or went back in time without a rewind;
    /// a checkpoint if now is a checkpoint time not yet kept.
    pub(super) fn follow_history(&mut self) {
        let ids = self.lane_ids();
        let now = self.lane.now_ns();
        if ids != self.history.lanes || now < self.history.seen_ns {
            self.history = History {
                lanes: ids,
                scenario: *self.lane.config(),
                origin_ns: now,
                ..History::default()
            };
        }
        self.history.seen_ns = now;
        self.checkpoint_due();
    }

    fn checkpoint_due(&mut self) {
        let now = self.lane.now_ns();
        let h = &self.history;
        if !now.is_multiple_of(CHECKPOINT_EVERY_NS) || h.checkpoints.iter().any(|c| c.t_ns() == now)
        {
            return;
        }
        let cp = self.checkpoint_now();
        let h = &mut self.history;
        let at = h.checkpoints.partition_point(|c| c.t_ns() < now);
        h.checkpoints.insert(at, cp);
        if h.checkpoints.len() > CHECKPOINTS_KEPT {
            // The oldest goes, unless the one kept is ahead of it (a rewound past).
            h.checkpoints.pop_front();
        }
    }

    /// Advance every lane by `ns`, stopping at each checkpoint time to take one and at each
    /// action to replay. Returns whether a lesson's goal stopped it early.
    pub(super) fn elapse_with_history(&mut self, ns: u64) {
        self.follow_history();
        let target = self.lane.now_ns().saturating_add(ns);
        // The actions at `target` itself wait for the next advance: a rewind to t shows
        // the state before them (as a checkpoint at t holds it).
        loop {
            self.checkpoint_due();
            if self.lane.now_ns() >= target {
                break;
            }
            self.replay_due();
            let now = self.lane.now_ns();
            if now >= target {
                break;
            }
            let stop = self.history.next_stop(now, target);
            if self.elapse_to(stop) {
                break;
            }
        }
        self.history.seen_ns = self.lane.now_ns();
    }

    /// Replay the actions due by now (running on after a rewind).
    fn replay_due(&mut self) {
        let now = self.lane.now_ns();
        while let Some(&e) = self.history.entries.get(self.history.next) {
            if e.t_ns > now {
                break;
            }
            self.history.next += 1;
            self.apply_action(e.action);
        }
        // Running on past the furthest state reached: it is the present again.
        if self.history.head_ns().is_some_and(|t| now >= t) {
            self.history.head = None;
        }
    }

    /// Do `action` to the lanes (replaying it, or opening a shared state).
    pub(super) fn apply_action(&mut self, action: Action) {
        match action {
            Action::Knob(c) => {
                self.set_knob(c);
                self.knob_changed();
            }
            Action::Port(a) => self.port_action(a),
            Action::Step => {
                self.step_lanes();
            }
        }
    }

    /// The lanes now, as a checkpoint.
    fn checkpoint_now(&self) -> Checkpoint {
        Checkpoint {
            lane: self.lane.clone(),
            b: self.lane_b().cloned(),
            done: self.history.next,
        }
    }

    /// The learner made `action` now (before it takes effect): a new branch if away from
    /// the present.
    pub(super) fn record_action(&mut self, action: Action) {
        self.follow_history();
        let now = self.lane.now_ns();
        self.history.branch(now);
        self.history.push(Entry { t_ns: now, action });
    }

    /// `.` made one transition from `before` on. A step changes no setting: the future
    /// stays, the step going in before it, unless the step went past a later action (then
    /// it is a new branch).
    pub(super) fn record_step(&mut self, before: u64) {
        let after = self.lane.now_ns();
        let h = &mut self.history;
        if h.entries.get(h.next).is_some_and(|e| e.t_ns < after) {
            h.branch(before);
        }
        h.entries.insert(
            h.next,
            Entry {
                t_ns: before,
                action: Action::Step,
            },
        );
        h.next += 1;
        for c in h.checkpoints.iter_mut().filter(|c| c.t_ns() > before) {
            c.done += 1;
        }
        if let Some(head) = &mut h.head {
            head.done += 1;
        }
        h.trim();
        h.seen_ns = after;
    }

    /// Whether the screen shows a rewound moment (`>` or running on leads back to the
    /// latest one).
    pub fn rewound(&self) -> bool {
        self.history.head.is_some()
    }

    /// `<`: back to the whole second before the state on screen (pauses first): the
    /// checkpoint at or before it, run on to it.
    pub(super) fn rewind(&mut self) {
        self.run = super::RunState::Paused;
        self.follow_history();
        let now = self.lane.now_ns();
        let target = now.saturating_sub(1) / REWIND_STEP_NS * REWIND_STEP_NS;
        let h = &self.history;
        let found = h.checkpoints.iter().rposition(|c| c.t_ns() <= target);
        let (Some(i), true) = (found, now > 0) else {
            self.notice = Some(match h.checkpoints.front() {
                Some(c) if now > 0 => format!(
                    "rewind: {} is as far back as kept (the last {} s)",
                    seconds(c.t_ns()),
                    kept_s()
                ),
                _ => "rewind: nothing before this".to_string(),
            });
            return;
        };
        if self.history.head.is_none() {
            self.history.head = Some(Box::new(self.checkpoint_now()));
        }
        let cp = self.history.checkpoints[i].clone();
        self.restore(cp);
        let t = self.lane.now_ns();
        self.elapse_with_history(target - t);
        self.rewound_notice();
    }

    /// `>`: forward to the next whole second (the actions replayed), or to the furthest
    /// state reached.
    pub(super) fn fast_forward(&mut self) {
        self.run = super::RunState::Paused;
        self.follow_history();
        let now = self.lane.now_ns();
        let target = (now / REWIND_STEP_NS + 1) * REWIND_STEP_NS;
        match self.history.head.take() {
            None => {
                self.notice = Some("forward: this is the present (nothing later kept)".into());
            }
            Some(head) if head.t_ns() <= target => {
                self.restore(*head);
                self.notice = Some(format!("forward: back at {}", seconds(self.lane.now_ns())));
            }
            Some(head) => {
                self.history.head = Some(head);
                self.elapse_with_history(target - now);
                self.rewound_notice();
            }
        }
    }

    fn rewound_notice(&mut self) {
        let head = self.history.head_ns().map_or(String::new(), |t| {
            format!(
                " of {} (> goes forward, a change here starts anew)",
                seconds(t)
            )
        });
        self.notice = Some(format!("rewound to {}{head}", seconds(self.lane.now_ns())));
    }

    fn restore(&mut self, cp: Checkpoint) {
        let Checkpoint { lane, b, done } = cp;
        self.lane = lane;
        if let (Some(slot), Some(b)) = (self.lane_b_mut(), b) {
            *slot = b;
        }
        self.history.next = done;
        self.history.seen_ns = self.lane.now_ns();
        self.meter.clear();
        let head = self.history.head_ns().map_or(String::new(), |t| {
            format!(
                " of {} (> goes forward, a change here starts anew)",
                seconds(t)
            )
        });
        self.notice = Some(format!("rewound to {}{head}", seconds(self.lane.now_ns())));
    }
}

/// "12 s", "0.5 s".
fn seconds(ns: u64) -> String {
    let s = ns as f64 / 1e9;
    if s.fract() == 0.0 {
        format!("t = {s:.0} s")
    } else {
        format!("t = {s:.3} s")
    }
}
