//! A step's goal: the checks it makes on the simulation, and how each reads now.

use super::Side;
use crate::sim::metrics::HISTORY_NS;
use crate::sim::{Figure, FigureKind, Reading, Setting, Sim};

/// A condition on a figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cond {
    /// `{ min = …, max = … }` (either may be absent).
    Range { min: Option<f64>, max: Option<f64> },
    /// A plain number: exactly this value.
    Equals(f64),
    /// `true` / `false` for a yes/no figure.
    Is(bool),
}

impl Cond {
    pub fn holds(self, v: f64) -> bool {
        match self {
            Cond::Range { min, max } => min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m),
            Cond::Equals(x) => (v - x).abs() < 1e-9,
            Cond::Is(b) => (v != 0.0) == b,
        }
    }

    /// The condition in words, for a plain number (a ratio).
    pub fn words_plain(self) -> String {
        let f = |x: f64| format!("{x}");
        match self {
            Cond::Range {
                min: Some(a),
                max: Some(b),
            } => format!("{} to {}", f(a), f(b)),
            Cond::Range {
                min: Some(a),
                max: None,
            } => format!("≥ {}", f(a)),
            Cond::Range {
                min: None,
                max: Some(b),
            } => format!("≤ {}", f(b)),
            Cond::Range {
                min: None,
                max: None,
            } => "anything".to_string(),
            Cond::Equals(x) => format!("= {}", f(x)),
            Cond::Is(b) => yes_no(b),
        }
    }

    /// The condition in words, with the figure's own formatting.
    pub fn words(self, f: Figure) -> String {
        match self {
            Cond::Range {
                min: Some(a),
                max: Some(b),
            } => format!("{} to {}", f.format(a), f.format(b)),
            Cond::Range {
                min: Some(a),
                max: None,
            } => format!("≥ {}", f.format(a)),
            Cond::Range {
                min: None,
                max: Some(b),
            } => format!("≤ {}", f.format(b)),
            Cond::Range {
                min: None,
                max: None,
            } => "anything".to_string(),
            Cond::Equals(x) => format!("= {}", f.format(x)),
            Cond::Is(b) => yes_no(b),
        }
    }
}

/// One entry of a goal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Check {
    /// A knob has this value.
    Knob(Setting),
    /// A figure, of one lane or of B over A, meets a condition.
    Figure {
        figure: Figure,
        cond: Cond,
        side: Side,
    },
    /// The lab shows a rewound moment (`<`), or the latest one: "go back to the last
    /// pause" is `rewound = true` with the state of that moment.
    Rewound(bool),
}

/// What a step asks for: every check must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    pub checks: Vec<Check>,
    /// The window figures are measured over.
    pub window_ns: u64,
    /// Virtual time every check must hold without a break before the goal counts as met
    /// (0: the moment they all hold).
    pub hold_ns: u64,
}

/// One line of a goal's live checklist.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckStatus {
    /// What is checked: "throttle", "events per jiffy".
    pub what: String,
    /// What is wanted: "off", "≤ 2.5".
    pub want: String,
    /// The value now ("on", "2.00"), or `None` while the window is still filling.
    pub now: Option<String>,
    pub ok: bool,
}

/// A goal evaluated now.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalStatus {
    pub checks: Vec<CheckStatus>,
    /// Virtual time the window figures still need before they count (0 when measured).
    pub filling_ns: u64,
    pub met: bool,
}

impl Goal {
    /// Whether any check reads a figure over a window (and so must wait for one).
    pub fn needs_window(&self) -> bool {
        self.checks.iter().any(
            |c| matches!(c, Check::Figure { figure, .. } if figure.kind() == FigureKind::Window),
        )
    }

    /// Whether any check reads the state of the moment (a port bit, a count since the
    /// step began): such a goal can hold for a few microseconds only, so the lab looks after
    /// every event instead of once per tick.
    pub fn needs_every_event(&self) -> bool {
        self.checks.iter().any(
            |c| matches!(c, Check::Figure { figure, .. } if figure.kind() != FigureKind::Window),
        )
    }

    /// Evaluate on lane A (and B, in a compare step): each lane's `mark` is its reading
    /// when the step began, `fresh_since_ns` the virtual time from which data counts (the
    /// step's start or the last knob change). Window figures count only once a whole window
    /// lies after `fresh_since_ns`, so a goal is never met on data from before the
    /// learner's last change.
    pub fn check(&self, a: Subject, b: Option<Subject>, fresh_since_ns: u64) -> GoalStatus {
        let filling_ns = self.filling_ns(a.sim, fresh_since_ns);
        let cfg = a.sim.config();
        let checks: Vec<CheckStatus> = self
            .checks
            .iter()
            .map(|c| {
                let (ok, value) = self.eval(c, a, b, filling_ns);
                match *c {
                    Check::Knob(want) => CheckStatus {
                        what: want.knob().label().to_string(),
                        want: setting_value(want),
                        now: Some(setting_value(want.knob().get(cfg))),
                        ok,
                    },
                    Check::Rewound(want) => CheckStatus {
                        what: "rewound".to_string(),
                        want: yes_no(want),
                        now: Some(yes_no(a.rewound)),
                        ok,
                    },
                    Check::Figure { figure, cond, side } => CheckStatus {
                        what: match side {
                            Side::A => figure.label().to_string(),
                            Side::B => format!("B: {}", figure.label()),
                            Side::Ratio => format!("B/A: {}", figure.label()),
                        },
                        want: match side {
                            Side::Ratio => cond.words_plain(),
                            _ => cond.words(figure),
                        },
                        now: value.map(|v| match side {
                            Side::Ratio => format!("{v:.2}"),
                            _ => figure.format(v),
                        }),
                        ok,
                    },
                }
            })
            .collect();
        let met = checks.iter().all(|c| c.ok);
        GoalStatus {
            checks,
            filling_ns,
            met,
        }
    }

    /// Whether the goal holds now: [`Goal::check`] without the words (it allocates nothing,
    /// so it can run after every event).
    pub fn holds(&self, a: Subject, b: Option<Subject>, fresh_since_ns: u64) -> bool {
        let filling_ns = self.filling_ns(a.sim, fresh_since_ns);
        self.checks.iter().all(|c| self.eval(c, a, b, filling_ns).0)
    }

    /// How long the window still needs to fill with data from after `fresh_since_ns`.
    fn filling_ns(&self, sim: &Sim, fresh_since_ns: u64) -> u64 {
        if !self.needs_window() {
            return 0;
        }
        let need = self.window_ns + HISTORY_NS;
        let age = sim.now_ns().saturating_sub(fresh_since_ns);
        need.saturating_sub(age)
    }

    /// One figure of one lane now. The window starts on the readings' grid at or before
    /// now - window: one grid step more keeps it from reaching back before that.
    fn value(&self, figure: Figure, s: Subject) -> f64 {
        let window = s.sim.last(self.window_ns);
        s.sim.figure(figure, &window, s.mark)
    }

    /// One check now: whether it holds, and the figure's value (`None` for a knob, while
    /// the window is still filling, or for lane B where there is none).
    fn eval(
        &self,
        c: &Check,
        a: Subject,
        b: Option<Subject>,
        filling_ns: u64,
    ) -> (bool, Option<f64>) {
        match *c {
            Check::Knob(want) => (want.knob().get(a.sim.config()) == want, None),
            Check::Rewound(want) => (a.rewound == want, None),
            Check::Figure { figure, cond, side } => {
                if figure.kind() == FigureKind::Window && filling_ns > 0 {
                    return (false, None);
                }
                let v = match (side, b) {
                    (Side::A, _) => self.value(figure, a),
                    (Side::B, Some(b)) => self.value(figure, b),
                    (Side::Ratio, Some(b)) => {
                        let under = self.value(figure, a);
                        if under == 0.0 {
                            return (false, None);
                        }
                        self.value(figure, b) / under
                    }
                    (_, None) => return (false, None),
                };
                (cond.holds(v), Some(v))
            }
        }
    }
}

/// One lane a goal reads: its simulation, and its reading when the step began.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    pub sim: &'a Sim,
    pub mark: &'a Reading,
    /// Whether the lab shows a rewound moment (lane A only: lanes rewind together).
    pub rewound: bool,
}

/// A yes/no value as the checklist says it.
fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// A setting's value alone: `on`, `fixed`, `3`.
pub fn setting_value(s: Setting) -> String {
    let full = s.to_string();
    full.split_once(' ')
        .map_or(full.clone(), |(_, v)| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_read_and_hold() {
        let r = Cond::Range {
            min: Some(1.0),
            max: None,
        };
        assert!(r.holds(1.0) && !r.holds(0.5));
        assert_eq!(r.words(Figure::EventsSinceStep), "≥ 1");
        assert_eq!(Cond::Is(true).words(Figure::PortMasked), "yes");
        assert!(Cond::Is(false).holds(0.0));
        assert!(Cond::Equals(2.0).holds(2.0) && !Cond::Equals(2.0).holds(3.0));
    }
}
