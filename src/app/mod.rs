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

pub mod keymap;
pub mod lane;
pub mod narrate;
pub mod script;
pub mod speed;

use std::time::Duration;

use crate::sim::{Config, KnobChange, PortAction};

pub use lane::Lane;
use speed::{Budget, Speed, SpeedMeter};

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
    CloseOverlay,
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
}

/// The knob that differs between the two lanes of compare mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CompareKnob {
    #[default]
    Netback,
    Throttle,
    LateEoi,
}

impl CompareKnob {
    pub fn next(self) -> Self {
        match self {
            CompareKnob::Netback => CompareKnob::Throttle,
            CompareKnob::Throttle => CompareKnob::LateEoi,
            CompareKnob::LateEoi => CompareKnob::Netback,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            CompareKnob::Netback => "netback",
            CompareKnob::Throttle => "throttle",
            CompareKnob::LateEoi => "late EOI",
        }
    }

    /// `cfg` with this knob flipped.
    pub fn flip(self, cfg: Config) -> Config {
        let mut c = cfg;
        match self {
            CompareKnob::Netback => c.netback = c.netback.other(),
            CompareKnob::Throttle => c.throttle = !c.throttle,
            CompareKnob::LateEoi => c.lateeoi = !c.lateeoi,
        }
        c
    }
}

/// Compare mode's second lane.
pub struct Compare {
    pub b: Box<Lane>,
    pub knob: CompareKnob,
}

pub enum View {
    Free,
    Compare(Compare),
}

/// How the lab starts.
#[derive(Clone, Debug)]
pub struct Options {
    /// The scenario (the one `r` returns to).
    pub scenario: Config,
}

pub struct App {
    /// Lane A: the only one in free play, the left one in compare mode.
    pub lane: Lane,
    pub view: View,
    pub run: RunState,
    pub overlay: Overlay,
    pub speed: Speed,
    /// A one-line message about the last action, until the next key.
    pub notice: Option<String>,
    start: Config,
    budget: Budget,
    meter: SpeedMeter,
    last_advance_ns: u64,
}

impl App {
    pub fn new(opts: Options) -> Self {
        App {
            lane: Lane::new(opts.scenario),
            view: View::Free,
            run: RunState::Running,
            overlay: Overlay::None,
            speed: Speed::default(),
            notice: None,
            start: opts.scenario,
            budget: Budget::default(),
            meter: SpeedMeter::default(),
            last_advance_ns: 0,
        }
    }

    pub fn is_running(&self) -> bool {
        self.run == RunState::Running
    }

    pub fn should_quit(&self) -> bool {
        self.run == RunState::Quit
    }

    /// The configuration of lane A (the one the knob keys start from).
    pub fn config(&self) -> &Config {
        self.lane.config()
    }

    /// Lane B, in compare mode.
    pub fn lane_b(&self) -> Option<&Lane> {
        match &self.view {
            View::Compare(c) => Some(&c.b),
            View::Free => None,
        }
    }

    pub fn compare_knob(&self) -> Option<CompareKnob> {
        match &self.view {
            View::Compare(c) => Some(c.knob),
            View::Free => None,
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

    fn lanes_mut(&mut self) -> impl Iterator<Item = &mut Lane> {
        let b = match &mut self.view {
            View::Compare(c) => Some(&mut *c.b),
            View::Free => None,
        };
        std::iter::once(&mut self.lane).chain(b)
    }

    /// Set a knob on every lane (in compare mode lane B keeps its one difference: the
    /// compare knob itself is set on lane A only).
    fn set_knob(&mut self, change: KnobChange) {
        let knob = change.setting().knob();
        let differs = self.compare_knob().map(|k| k.knob());
        for (i, lane) in self.lanes_mut().enumerate() {
            if i == 0 || differs != Some(knob) {
                lane.set_knob(change);
            } else {
                lane.set_knob(flip_change(change));
            }
        }
    }

    /// Start every lane again at t = 0 from `cfg` (lane B: with the compare knob flipped).
    fn restart(&mut self, cfg: Config) {
        self.lane = Lane::new(cfg);
        if let View::Compare(c) = &mut self.view {
            *c.b = Lane::new(c.knob.flip(cfg));
        }
        self.meter.clear();
    }

    /// Advance every lane to lane A's time + `ns`.
    fn elapse(&mut self, ns: u64) {
        let target = self.lane.now_ns().saturating_add(ns);
        for lane in self.lanes_mut() {
            lane.advance_to(target);
        }
    }

    fn advance(&mut self, wall: Duration) {
        if !self.is_running() {
            return;
        }
        let want = self.speed.virtual_ns(wall);
        let got = want.min(self.budget.per_tick_ns);
        self.elapse(got);
        self.last_advance_ns = got;
        self.meter.record(wall, got);
    }

    fn step(&mut self) {
        self.run = RunState::Paused;
        let found = self.lane.step_transition();
        let t = self.lane.now_ns();
        if let View::Compare(c) = &mut self.view {
            // Lane B follows lane A's clock.
            c.b.advance_to(t);
        }
        if !found {
            self.notice = Some(format!(
                "step: no transition within {} events",
                lane::STEP_MAX_EVENTS
            ));
        }
    }

    fn port_action(&mut self, a: PortAction) {
        for lane in self.lanes_mut() {
            lane.port_action(a);
        }
    }
}

impl CompareKnob {
    /// The knob of the run configuration this compare knob flips.
    pub fn knob(self) -> crate::sim::Knob {
        match self {
            CompareKnob::Netback => crate::sim::Knob::Netback,
            CompareKnob::Throttle => crate::sim::Knob::Throttle,
            CompareKnob::LateEoi => crate::sim::Knob::LateEoi,
        }
    }
}

/// The same change with its value flipped (lane B of compare mode differs in that knob).
fn flip_change(c: KnobChange) -> KnobChange {
    match c {
        KnobChange::Netback(v) => KnobChange::Netback(v.other()),
        KnobChange::Throttle(on) => KnobChange::Throttle(!on),
        KnobChange::LateEoi(on) => KnobChange::LateEoi(!on),
        other => other,
    }
}

/// The one place the lab's state changes.
pub fn update(app: &mut App, msg: Msg) {
    let from_user = !matches!(
        msg,
        Msg::Advance { .. } | Msg::Measured { .. } | Msg::Elapse { .. }
    );
    if from_user {
        app.notice = None;
    }
    match msg {
        Msg::Quit => app.run = RunState::Quit,
        Msg::Set(change) => app.set_knob(change),
        Msg::Restart(cfg) => {
            let old = *app.config();
            app.restart(cfg);
            app.notice = Some(restart_notice(&old, &cfg));
        }
        Msg::Port(a) => app.port_action(a),
        Msg::TogglePause => {
            app.run = match app.run {
                RunState::Running => RunState::Paused,
                RunState::Paused => RunState::Running,
                RunState::Quit => RunState::Quit,
            };
            app.meter.clear();
        }
        Msg::Step => app.step(),
        Msg::SpeedUp | Msg::SpeedDown => {
            let s = if msg == Msg::SpeedUp {
                app.speed.faster()
            } else {
                app.speed.slower()
            };
            if s == app.speed {
                app.notice = Some(format!("speed stays {} (the end of the range)", s.label()));
            }
            app.speed = s;
            app.meter.clear();
        }
        Msg::ToggleCompare => match app.view {
            View::Free => {
                let base = *app.lane.config();
                let knob = CompareKnob::default();
                app.lane = Lane::new(base);
                app.view = View::Compare(Compare {
                    b: Box::new(Lane::new(knob.flip(base))),
                    knob,
                });
                app.meter.clear();
                app.notice = Some("compare: both lanes restarted at t = 0, same seed".into());
            }
            View::Compare(_) => app.view = View::Free,
        },
        Msg::CycleCompareKnob => {
            if let View::Compare(c) = &mut app.view {
                c.knob = c.knob.next();
                let knob = c.knob;
                let base = *app.lane.config();
                app.restart(base);
                app.notice = Some(format!(
                    "compare: lanes differ in {}; restarted at t = 0",
                    knob.name()
                ));
            }
        }
        Msg::Reset => {
            app.restart(app.start);
            app.notice = Some("reset: the starting scenario, t = 0".into());
        }
        Msg::ToggleHelp => {
            app.overlay = match app.overlay {
                Overlay::None => Overlay::Help,
                Overlay::Help => Overlay::None,
            };
        }
        Msg::CloseOverlay => app.overlay = Overlay::None,
        Msg::Advance { wall } => app.advance(wall),
        // `took` covers every lane: the budget is per tick for all of them together.
        Msg::Measured { took } => app.budget.adapt(app.last_advance_ns, took),
        Msg::Elapse { ns } => {
            if app.is_running() {
                app.elapse(ns);
            }
        }
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
