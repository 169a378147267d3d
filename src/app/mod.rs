//! The lab's state and its one way to change: [`update`]`(&mut App, Msg)`.
//!
//! ```text
//!  terminal events ──► keymap::msg_for_event ──┐
//!  sim tick (wall Δ) ──► Msg::Advance ─────────┼──► update(&mut App, Msg) ──► App
//!  work measured ──► Msg::Measured ────────────┘                              │
//!                                                     ui::draw(frame, &App) ◄─┘ (pure)
//! ```
//! Nothing here reads a clock or touches the terminal: the loop in `tui.rs` turns wall time
//! into `Msg::Advance { wall }`, so every behaviour is testable with scripted messages.

pub mod keymap;
pub mod lane;
pub mod narrate;
pub mod speed;

use std::time::Duration;

use ratatui::layout::Size;

use crate::sim::{Config, Direction, GuestKind, KnobChange, NetbackVariant};
use crate::ui::theme::Theme;

pub use lane::Lane;
use speed::{Budget, Speed, SpeedMeter};

/// Everything that can change the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Quit,
    ToggleNetback,
    ToggleThrottle,
    ToggleLateEoi,
    CycleGuest,
    ToggleDirection,
    ThresholdDown,
    ThresholdUp,
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
    Resize {
        width: u16,
        height: u16,
    },
    /// A left click at a terminal cell.
    Click {
        column: u16,
        row: u16,
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
            CompareKnob::Netback => c.netback = other_netback(c.netback),
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
    pub theme: Theme,
}

pub struct App {
    /// Lane A: the only one in free play, the left one in compare mode.
    pub lane: Lane,
    pub view: View,
    pub run: RunState,
    pub overlay: Overlay,
    pub speed: Speed,
    pub theme: Theme,
    /// The terminal's size as last seen (for mouse hit tests).
    pub size: Size,
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
            theme: opts.theme,
            size: Size::new(0, 0),
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

    fn knob_on_all(&mut self, change: impl Fn(&Config) -> Option<KnobChange>) {
        for lane in self.lanes_mut() {
            if let Some(c) = change(lane.config()) {
                lane.set_knob(c);
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

    fn advance(&mut self, wall: Duration) {
        if !self.is_running() {
            return;
        }
        let want = self.speed.virtual_ns(wall);
        let got = want.min(self.budget.per_tick_ns);
        let target = self.lane.now_ns().saturating_add(got);
        self.lane.advance_to(target);
        if let View::Compare(c) = &mut self.view {
            c.b.advance_to(target);
        }
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
}

fn other_netback(v: NetbackVariant) -> NetbackVariant {
    match v {
        NetbackVariant::Buggy => NetbackVariant::Fixed,
        NetbackVariant::Fixed => NetbackVariant::Buggy,
    }
}

fn next_guest(g: GuestKind) -> GuestKind {
    match g {
        GuestKind::Freebsd => GuestKind::Linux,
        GuestKind::Linux => GuestKind::Rogue,
        GuestKind::Rogue => GuestKind::Freebsd,
    }
}

fn guest_notice(g: GuestKind) -> &'static str {
    match g {
        GuestKind::Freebsd => "guest freebsd: one common channel",
        GuestKind::Linux => "guest linux: split channels, OR/AND unused",
        GuestKind::Rogue => "guest rogue: notifies nonstop, posts nothing",
    }
}

/// The one place the lab's state changes.
pub fn update(app: &mut App, msg: Msg) {
    let from_user = !matches!(
        msg,
        Msg::Advance { .. } | Msg::Measured { .. } | Msg::Resize { .. }
    );
    if from_user {
        app.notice = None;
    }
    match msg {
        Msg::Quit => app.run = RunState::Quit,
        Msg::ToggleNetback => {
            app.knob_on_all(|c| Some(KnobChange::Netback(other_netback(c.netback))));
        }
        Msg::ToggleThrottle => app.knob_on_all(|c| Some(KnobChange::Throttle(!c.throttle))),
        Msg::ToggleLateEoi => app.knob_on_all(|c| Some(KnobChange::LateEoi(!c.lateeoi))),
        Msg::ThresholdDown | Msg::ThresholdUp => {
            let up = msg == Msg::ThresholdUp;
            app.knob_on_all(|c| {
                let t = c.spurious_threshold;
                let n = if up { t + 1 } else { t.saturating_sub(1) }.clamp(1, 64);
                (n != t).then_some(KnobChange::SpuriousThreshold(n))
            });
        }
        Msg::CycleGuest => {
            let mut cfg = *app.lane.config();
            cfg.guest = next_guest(cfg.guest);
            app.restart(cfg);
            app.notice = Some(format!("{}; t = 0 again", guest_notice(cfg.guest)));
        }
        Msg::ToggleDirection => {
            let mut cfg = *app.lane.config();
            cfg.direction = match cfg.direction {
                Direction::Tx => Direction::Rx,
                Direction::Rx => Direction::Tx,
            };
            app.restart(cfg);
            let d = match cfg.direction {
                Direction::Tx => "tx: the guest sends",
                Direction::Rx => "rx: the guest receives",
            };
            app.notice = Some(format!("direction {d}; t = 0 again"));
        }
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
        Msg::Resize { width, height } => app.size = Size::new(width, height),
        Msg::Click { column, row } => {
            if let Some(m) = crate::ui::status_bar::hit(app, column, row) {
                update(app, m);
            }
        }
    }
}
