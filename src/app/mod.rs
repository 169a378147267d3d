//! The lab's state and its one way to change: [`update`]`(&mut App, Msg)`.
//!
//! ```text
//!  keys ──► keymap::msg_for_key ─────────────┐
//!  clicks ──► ui::status_bar::hit ──► keymap ─┤
//!  sim tick (wall Δ) ──► Msg::Advance ────────┼──► update(&mut App, Msg) ──► App
//!  work measured ──► Msg::Measured ───────────┤                              │
//!  scripts (virtual time) ──► Msg::Elapse ────┘   ui::draw(frame, &App, &Theme) ◄─┘ (pure)
//! ```
//! Nothing here reads a clock, touches the terminal or knows how the screen looks: the loop
//! in `tui.rs` turns wall time into `Msg::Advance { wall }` and clicks into messages (with
//! the ui's hit test), so every behaviour is testable with scripted messages.

pub mod check;
pub mod explain;
pub mod history;
pub mod keymap;
pub mod lane;
pub mod lesson;
pub mod narrate;
pub mod player;
pub mod share;
pub mod speed;
pub mod veil;

use std::sync::Arc;
use std::time::Duration;

use crate::lesson::progress::Progress;
use crate::lesson::{Catalog, Unlock};
use crate::sim::{Config, Knob, KnobChange, PortAction};

pub use lane::{Lane, advance_pair};
pub use lesson::{LessonRun, MenuEntry, QuestionKind, StepState};
use speed::{Budget, Speed, SpeedMeter};
pub use veil::Veil;

/// Everything that can change the lab. Knob changes are absolute ([`Msg::Set`],
/// [`Msg::Restart`]): the key map turns a toggle key into the change from the current
/// configuration, so a script of messages means the same whatever state it starts in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Msg {
    Quit,
    /// Change a knob of the running simulation(s) now.
    Set(KnobChange),
    /// Start again at t = 0 from this configuration (guest, direction, HZ, seed).
    Restart(Config),
    /// A hands-on action on the guest's first port (`n`, `m`, `u`).
    Port(PortAction),
    TogglePause,
    /// One traced transition (pauses first).
    Step,
    SpeedUp,
    SpeedDown,
    ToggleCompare,
    CycleCompareKnob,
    Reset,
    ToggleHelp,
    /// The glossary overlay on/off (in a lesson, the step's terms first).
    ToggleGlossary,
    CloseOverlay,
    /// The Counters pane: since the step's start or the last knob change ⇄ the whole run.
    ToggleCountersSpan,
    /// `wall` of real time passed: advance virtual time by `wall × speed` (within the budget).
    Advance {
        wall: Duration,
    },
    /// The last advance took `took` of wall time (the loop measures; the budget adapts).
    Measured {
        took: Duration,
    },
    /// Exactly `ns` of virtual time pass, if running (scripts and recordings: no speed,
    /// no budget, no wall clock).
    Elapse {
        ns: u64,
    },
    /// The start screen: move the selection by this many entries.
    MenuMove(i8),
    /// The start screen: open the selected entry.
    MenuOpen,
    /// Free play from the starting scenario.
    OpenFree,
    /// Back to the start screen (`Esc`).
    Back,
    /// Lesson: the next step, once this one is done (`Enter`).
    NextStep,
    /// Lesson: the previous step, as it began (`p`).
    PrevStep,
    /// Lesson: this step again, as it began (`R`).
    RestartStep,
    /// Lesson: one more hint (`h`).
    Hint,
    /// Lesson: the reference solution (`S`; asks first).
    ShowSolution,
    /// Lesson: answer the quiz with choice N (1-based, the digit keys).
    Answer(u8),
    /// Lesson: a character typed into a numeric answer.
    Type(char),
    /// Lesson: erase the last character of a numeric answer (`Backspace`).
    Erase,
    /// Lesson: submit the numeric answer typed (`Enter`).
    Submit,
    /// Lesson: a digit past the question's choices (the app says which it has; a script
    /// that presses one is told the key does nothing).
    NoChoice(u8),
    /// Lesson: scroll the lesson text by this many lines.
    Scroll(i8),
    /// Bring in the next pane the screen has no room for (`v`; none after the last).
    CyclePanes,
    /// A key whose knob (or the port keys) this step keeps locked.
    Locked(Unlock),
    /// Back to the checkpoint before the state on screen (`<`; pauses first).
    Rewind,
    /// Forward to the next checkpoint, or the furthest state reached (`>`).
    Forward,
    /// The share string overlay on/off (`s`).
    ToggleShare,
    /// How far the help and the lesson text reach on the screen as drawn (the loop, which
    /// knows the terminal, sends it after drawing).
    ScrollLimits(ScrollLimits),
    /// Explain mode: on/off, the cursor moved or put on a row (`x`, arrows, a click).
    Explain(explain::Cmd),
}

/// How many lines the help and the lesson text can scroll by on the current screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScrollLimits {
    pub help: u16,
    pub lesson: u16,
}

impl Default for ScrollLimits {
    /// Unknown until the first frame: no limit (render clamps anyway).
    fn default() -> Self {
        ScrollLimits {
            help: u16::MAX,
            lesson: u16::MAX,
        }
    }
}

/// [`App::reveal`] counts modulo this: every count of hidden panes plus one (1 to 7)
/// divides it, so the cycle never jumps.
pub const REVEAL_PERIOD: u16 = 420;

/// Which screen the lab shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// The list of lessons, "continue", and free play.
    Start { selected: usize },
    /// The live lab: free play, compare mode or a lesson.
    Lab,
}

/// Where the lab opens.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Open {
    /// The start screen (plain `evtchn-lab`).
    #[default]
    Start,
    /// Free play (`evtchn-lab free`).
    Free,
    /// A lesson, where the learner left it (`evtchn-lab lesson ID`).
    Lesson(String),
    /// Free play at a shared state (`evtchn-lab free --state STRING`), paused.
    State(Box<share::State>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    Running,
    Paused,
    Quit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    /// The glossary: every term, defined (in a lesson, the step's terms first).
    Glossary,
    /// The share string of the state on screen, to copy.
    Share,
    /// Explain mode (`x`): a cursor over the panes' rows, the row under it explained.
    Explain,
}

/// Compare mode's second lane.
#[derive(Clone)]
pub struct Compare {
    pub b: Box<Lane>,
    /// The knob lane B has flipped (one of [`Knob::COMPARED`]).
    pub knob: Knob,
}

#[derive(Clone)]
pub enum View {
    Free,
    Compare(Compare),
    Lesson(Box<LessonRun>),
}

/// How the lab starts.
#[derive(Clone, Debug)]
pub struct Options {
    /// The scenario of free play (the one `r` returns to).
    pub scenario: Config,
    pub open: Open,
    pub lessons: Arc<Catalog>,
    pub progress: Progress,
}

impl Options {
    /// Free play from `scenario`, no lessons (tests and benchmarks).
    pub fn free(scenario: Config) -> Self {
        Options {
            scenario,
            open: Open::Free,
            lessons: Arc::new(Catalog::default()),
            progress: Progress::default(),
        }
    }
}

#[derive(Clone)]
pub struct App {
    pub page: Page,
    /// Lane A: the only one in free play and lessons, the left one in compare mode.
    pub lane: Lane,
    pub view: View,
    pub run: RunState,
    pub overlay: Overlay,
    pub speed: Speed,
    /// How fast a demo plays its clock against the wall (`demo --speed`; 1 elsewhere): the
    /// status bar's speed is the lab's times this.
    pub pace: f64,
    /// A one-line message about the last action, until the next key.
    pub notice: Option<String>,
    /// Lines the open overlay (the help or the glossary) is scrolled down by.
    pub help_scroll: u16,
    /// The Counters pane counts the whole run (`w`), not since the last knob change or
    /// the step's start.
    pub counters_whole_run: bool,
    /// How far the help and the lesson text can scroll on the screen as drawn.
    pub scroll_limits: ScrollLimits,
    /// `v` presses since the view (or the lesson step) changed, modulo [`REVEAL_PERIOD`]:
    /// the ui brings in the pane it has no room for that comes this many places down its
    /// list of hidden panes, none after the last, then round again.
    pub reveal: u16,
    pub lessons: Arc<Catalog>,
    /// What the learner has done (the loop saves it when it changes).
    pub progress: Progress,
    progress_dirty: bool,
    start: Config,
    budget: Budget,
    meter: SpeedMeter,
    last_advance_ns: u64,
    /// Checkpoints and actions, for rewinding and sharing.
    history: history::History,
    /// Explain mode's cursor (shown while the overlay is [`Overlay::Explain`]).
    pub explain: explain::Explain,
}

impl App {
    pub fn new(opts: Options) -> Self {
        let mut app = App {
            page: Page::Lab,
            lane: Lane::new(opts.scenario),
            view: View::Free,
            run: RunState::Running,
            overlay: Overlay::None,
            speed: Speed::default(),
            pace: 1.0,
            notice: None,
            help_scroll: 0,
            counters_whole_run: false,
            scroll_limits: ScrollLimits::default(),
            reveal: 0,
            lessons: opts.lessons,
            progress: opts.progress,
            progress_dirty: false,
            start: opts.scenario,
            budget: Budget::default(),
            meter: SpeedMeter::default(),
            last_advance_ns: 0,
            history: history::History::default(),
            explain: explain::Explain::default(),
        };
        match &opts.open {
            Open::Free => {}
            Open::Start => app.page = Page::Start { selected: 0 },
            Open::Lesson(id) => match app.lessons.get(id) {
                Some((i, _)) => app.open_lesson(i),
                None => {
                    app.page = Page::Start { selected: 0 };
                    app.notice = Some(format!("no lesson '{id}'"));
                }
            },
            Open::State(state) => app.open_state(state),
        }
        app.follow_history();
        app
    }

    /// Whether virtual time is moving (never on the start screen).
    pub fn is_running(&self) -> bool {
        self.run == RunState::Running && self.page == Page::Lab
    }

    /// Whether progress changed since [`App::progress_saved`] was last called.
    pub fn progress_changed(&self) -> bool {
        self.progress_dirty
    }

    /// The loop saved the progress (or tried to): nothing new to save.
    pub fn progress_saved(&mut self) {
        self.progress_dirty = false;
    }

    pub fn should_quit(&self) -> bool {
        self.run == RunState::Quit
    }

    /// The configuration of lane A (the one the knob keys start from).
    pub fn config(&self) -> &Config {
        self.lane.config()
    }

    /// Lane B, in compare mode or in a lesson step that compares two lanes.
    pub fn lane_b(&self) -> Option<&Lane> {
        match &self.view {
            View::Compare(c) => Some(&c.b),
            View::Lesson(run) => run.compare.as_deref(),
            View::Free => None,
        }
    }

    fn lane_b_mut(&mut self) -> Option<&mut Lane> {
        match &mut self.view {
            View::Compare(c) => Some(&mut *c.b),
            View::Lesson(run) => run.compare.as_deref_mut(),
            View::Free => None,
        }
    }

    pub fn compare_knob(&self) -> Option<Knob> {
        match &self.view {
            View::Compare(c) => Some(c.knob),
            _ => None,
        }
    }

    /// The speed really achieved, when it falls short of the one asked for (the sim cannot
    /// keep up). `None` while it keeps up.
    pub fn lagging_speed(&self) -> Option<f64> {
        let e = self.meter.effective()?;
        (self.is_running() && e < self.speed.factor() * 0.9).then_some(e)
    }

    /// Virtual time one tick may advance at most, ns.
    pub fn budget_ns(&self) -> u64 {
        self.budget.per_tick_ns
    }

    /// Whether the budget held virtual time back at the last advance (it is owed): the
    /// simulation is behind the speed asked for, and the next advance should come at once.
    pub fn is_behind(&self) -> bool {
        self.is_running() && self.meter.is_behind()
    }

    fn lanes_mut(&mut self) -> impl Iterator<Item = &mut Lane> {
        let b = match &mut self.view {
            View::Compare(c) => Some(&mut *c.b),
            View::Lesson(run) => run.compare.as_deref_mut(),
            View::Free => None,
        };
        std::iter::once(&mut self.lane).chain(b)
    }

    /// Set a knob on every lane. Lane B keeps its differences: in compare mode the compare
    /// knob is flipped on lane B; in a lesson's compare step, the knobs the step set for
    /// lane B change on lane A only.
    fn set_knob(&mut self, change: KnobChange) {
        let knob = change.setting().knob();
        let differs = self.compare_knob();
        let kept = self.lesson_compare().iter().any(|s| s.knob() == knob);
        for (i, lane) in self.lanes_mut().enumerate() {
            if i == 0 || (differs != Some(knob) && !kept) {
                lane.set_knob(change);
            } else if !kept {
                lane.set_knob(change.flipped());
            }
        }
    }

    /// Start every lane again at t = 0 from `cfg` (lane B: with the compare knob flipped,
    /// or a lesson step's settings for lane B applied).
    fn restart(&mut self, cfg: Config) {
        self.lane = Lane::new(cfg);
        let b_cfg = lesson::with_settings(cfg, &self.lesson_compare());
        match &mut self.view {
            View::Compare(c) => *c.b = Lane::new(c.knob.flip(cfg)),
            View::Lesson(run) if run.compare.is_some() => {
                run.compare = Some(Box::new(Lane::new(b_cfg)));
            }
            _ => {}
        }
        self.meter.clear();
    }

    /// The run's checkpoints and actions (rewind, share).
    pub fn history(&self) -> &history::History {
        &self.history
    }

    /// Advance every lane to lane A's time + `ns`, taking checkpoints and replaying the
    /// actions after a rewind on the way.
    fn elapse(&mut self, ns: u64) {
        self.elapse_with_history(ns);
    }

    /// Advance every lane to `target`. In a lesson whose goal reads the state of the
    /// moment, stop at the first event after which the goal holds (and say so).
    fn elapse_to(&mut self, target: u64) -> bool {
        if let Some(watch) = self.goal_watch() {
            let rewound = self.rewound();
            self.lane.advance_to_until(target, |sim| {
                watch.goal.holds(
                    crate::lesson::Subject {
                        sim,
                        mark: &watch.mark,
                        rewound,
                    },
                    None,
                    watch.fresh,
                )
            });
            // Lane B follows lane A's clock (its figures are read at each tick).
            let t = self.lane.now_ns();
            if let Some(b) = self.lane_b_mut() {
                b.advance_to(t);
            }
            return t < target;
        }
        match &mut self.view {
            View::Compare(c) => advance_pair(&mut self.lane, &mut c.b, target),
            View::Lesson(run) if run.compare.is_some() => {
                if let Some(b) = run.compare.as_deref_mut() {
                    advance_pair(&mut self.lane, b, target);
                }
            }
            _ => self.lane.advance_to(target),
        }
        false
    }

    fn advance(&mut self, wall: Duration) {
        if !self.is_running() {
            return;
        }
        let got = self.meter.take(self.speed, wall, self.budget.per_tick_ns);
        self.elapse(got);
        self.last_advance_ns = got;
        self.meter.record(wall, got);
    }

    fn step(&mut self) {
        self.run = RunState::Paused;
        self.follow_history();
        let before = self.lane.now_ns();
        if self.step_lanes() {
            self.record_step(before);
        } else {
            self.notice = Some(format!(
                "step: no transition in the next {} s of virtual time; nothing moved",
                lane::STEP_MAX_NS / 1_000_000_000
            ));
        }
    }

    /// One traced transition on lane A, lane B following its clock. False if none came.
    fn step_lanes(&mut self) -> bool {
        let found = self.lane.step_transition();
        let t = self.lane.now_ns();
        if let Some(b) = self.lane_b_mut() {
            // Lane B follows lane A's clock.
            b.advance_to(t);
        }
        found
    }

    /// What the panes are laid out for: the page, the view, a lesson's step. When it
    /// changes, the pane `v` brought in goes back out.
    fn pane_view(&self) -> (bool, u8, Option<(usize, usize)>) {
        let (kind, step) = match &self.view {
            View::Free => (0, None),
            View::Compare(_) => (1, None),
            View::Lesson(run) => (2, Some((run.lesson, run.step))),
        };
        (self.page == Page::Lab, kind, step)
    }

    fn port_action(&mut self, a: PortAction) {
        for lane in self.lanes_mut() {
            lane.port_action(a);
        }
    }

    /// A key (not time or the screen's size): the notice goes, and any key but `S` cancels
    /// a pending "show the solution?".
    fn before_user_msg(&mut self, msg: Msg) {
        let from_user = !matches!(
            msg,
            Msg::Advance { .. } | Msg::Measured { .. } | Msg::Elapse { .. } | Msg::ScrollLimits(_)
        );
        if from_user {
            self.notice = None;
            if msg != Msg::ShowSolution
                && let View::Lesson(run) = &mut self.view
            {
                run.state.confirm_solution = false;
            }
        }
    }

    fn toggle_pause(&mut self) {
        self.run = match self.run {
            RunState::Running => RunState::Paused,
            RunState::Paused => RunState::Running,
            RunState::Quit => RunState::Quit,
        };
        self.meter.clear();
    }

    /// `+`/`-`: the speed `s` (said when it is already the end of the range).
    fn set_speed(&mut self, s: Speed) {
        if s == self.speed {
            self.notice = Some(format!("speed stays {} (the end of the range)", s.label()));
        }
        self.speed = s;
        self.meter.clear();
    }

    /// Compare mode on (both lanes from t = 0) or off; not in a lesson.
    fn toggle_compare(&mut self) {
        match self.view {
            View::Lesson(_) => {}
            View::Free => {
                let base = *self.lane.config();
                let knob = Knob::COMPARED[0];
                self.lane = Lane::new(base);
                self.view = View::Compare(Compare {
                    b: Box::new(Lane::new(knob.flip(base))),
                    knob,
                });
                self.meter.clear();
                self.notice = Some("compare: both lanes restarted at t = 0, same seed".into());
            }
            View::Compare(_) => self.view = View::Free,
        }
    }

    /// Compare mode: the next knob to compare, both lanes restarted.
    fn cycle_compare_knob(&mut self) {
        if let View::Compare(c) = &mut self.view {
            c.knob = c.knob.next_compared();
            let knob = c.knob;
            let base = *self.lane.config();
            self.restart(base);
            self.notice = Some(format!(
                "compare: lanes differ in {}; restarted at t = 0",
                knob.label()
            ));
        }
    }

    /// `this` overlay on, or off if it is the one open.
    fn toggle_overlay(&mut self, this: Overlay) {
        self.overlay = if self.overlay == this {
            Overlay::None
        } else {
            this
        };
    }

    /// The help or the glossary on (scrolled to the top) or off.
    fn toggle_scrolled_overlay(&mut self, this: Overlay) {
        self.help_scroll = 0;
        self.toggle_overlay(this);
    }

    /// Scroll the open overlay by `d` lines, or else a lesson's text by `d` × 3.
    fn scroll(&mut self, d: i8) {
        if self.overlay != Overlay::None {
            let s = i32::from(self.help_scroll) + i32::from(d);
            self.help_scroll = s.clamp(0, i32::from(self.scroll_limits.help)) as u16;
        } else if let View::Lesson(run) = &mut self.view {
            let s = i32::from(run.state.scroll) + i32::from(d) * 3;
            run.state.scroll = s.clamp(0, i32::from(self.scroll_limits.lesson)) as u16;
        }
    }

    fn set_scroll_limits(&mut self, limits: ScrollLimits) {
        self.scroll_limits = limits;
        self.help_scroll = self.help_scroll.min(limits.help);
        if let View::Lesson(run) = &mut self.view {
            run.state.scroll = run.state.scroll.min(limits.lesson);
        }
    }
}

/// The one place the lab's state changes.
pub fn update(app: &mut App, msg: Msg) {
    let view = app.pane_view();
    app.before_user_msg(msg);
    match msg {
        Msg::Quit => app.run = RunState::Quit,
        Msg::Set(change) => {
            app.record_action(history::Action::Knob(change));
            app.set_knob(change);
            app.knob_changed();
        }
        Msg::Restart(cfg) => {
            let old = *app.config();
            app.restart(cfg);
            app.step_restarted();
            app.notice = Some(restart_notice(&old, &cfg));
        }
        Msg::Port(a) => {
            app.record_action(history::Action::Port(a));
            app.port_action(a);
        }
        Msg::TogglePause => app.toggle_pause(),
        Msg::Step => app.step(),
        Msg::SpeedUp => app.set_speed(app.speed.faster()),
        Msg::SpeedDown => app.set_speed(app.speed.slower()),
        Msg::ToggleCompare => app.toggle_compare(),
        Msg::CycleCompareKnob => app.cycle_compare_knob(),
        Msg::Reset => {
            app.restart(app.start);
            app.notice = Some("reset: the starting scenario, t = 0".into());
        }
        Msg::ToggleHelp => app.toggle_scrolled_overlay(Overlay::Help),
        Msg::ToggleGlossary => app.toggle_scrolled_overlay(Overlay::Glossary),
        Msg::CloseOverlay => app.overlay = Overlay::None,
        Msg::ToggleCountersSpan => app.counters_whole_run = !app.counters_whole_run,
        Msg::Advance { wall } => app.advance(wall),
        // `took` covers every lane: the budget is per tick for all of them together.
        Msg::Measured { took } => app.budget.adapt(app.last_advance_ns, took),
        Msg::Elapse { ns } => {
            if app.is_running() {
                app.elapse(ns);
            }
        }
        Msg::MenuMove(d) => app.menu_move(d),
        Msg::MenuOpen => app.menu_open(),
        Msg::OpenFree => app.open_free(),
        Msg::Back => app.back_to_start(),
        Msg::NextStep => app.next_step(),
        Msg::PrevStep => app.prev_step(),
        Msg::RestartStep => app.restart_step(),
        Msg::Hint => app.hint(),
        Msg::ShowSolution => app.show_solution(),
        Msg::Answer(n) | Msg::NoChoice(n) => app.answer(n),
        Msg::Type(c) => app.type_char(c),
        Msg::Erase => app.erase_char(),
        Msg::Submit => app.submit_number(),
        Msg::Scroll(d) => app.scroll(d),
        Msg::ScrollLimits(limits) => app.set_scroll_limits(limits),
        Msg::Locked(u) => app.notice = Some(locked_notice(app, u)),
        Msg::CyclePanes => app.reveal = (app.reveal + 1) % REVEAL_PERIOD,
        Msg::Rewind => app.rewind(),
        Msg::Forward => app.fast_forward(),
        Msg::Explain(c) => explain::update(app, c),
        Msg::ToggleShare => app.toggle_overlay(Overlay::Share),
    }
    app.follow_history();
    if app.pane_view() != view {
        app.reveal = 0;
    }
    // Every change may make the step's goal hold (or a knob may have made it stale).
    app.refresh_goal();
}

/// Why a key does nothing in this step: what it is, and what the step is about instead.
fn locked_notice(app: &App, u: Unlock) -> String {
    let what = match u {
        Unlock::Knob(k) => k.label().to_string(),
        Unlock::Port => "the port keys (n m u)".to_string(),
    };
    let open: Vec<&str> = app
        .current_lesson()
        .map(|(l, i)| l.steps[i].unlock.iter().map(|u| u.name()).collect())
        .unwrap_or_default();
    if open.is_empty() {
        format!("{what}: locked in this step (it is about watching, not changing)")
    } else {
        format!(
            "{what}: locked in this step (open here: {})",
            open.join(", ")
        )
    }
}

/// What a restart changed, in a few words: "guest linux: split event channels; t = 0 again".
fn restart_notice(old: &Config, new: &Config) -> String {
    let what = if old.guest != new.guest {
        format!("guest {}: {}", new.guest, new.guest.label())
    } else if old.direction != new.direction {
        format!("direction {}: {}", new.direction, new.direction.label())
    } else if old.hz != new.hz {
        format!("HZ {}", new.hz)
    } else if old.seed != new.seed {
        format!("seed {}", new.seed)
    } else {
        "restarted".to_string()
    };
    format!("{what}; t = 0 again")
}
