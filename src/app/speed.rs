//! Simulation speed: the ladder of speeds the `+`/`-` keys walk, the per-tick work budget and
//! the effective-speed meter.
//!
//! Virtual time advances by `wall × speed`. The simulation may not keep up at high speeds, so
//! each tick may advance at most [`Budget::per_tick_ns`] of virtual time; the loop reports how
//! long the work took ([`super::Msg::Measured`]) and the budget adapts. What the budget held
//! back is owed to the next advance (up to [`SpeedMeter::MAX_OWED`] of wall time's worth),
//! which the loop makes at once while the lab is behind. What was really achieved is shown
//! as the effective speed, never hidden.

use std::time::Duration;

/// One rung of the speed ladder: `num / den` × real time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rung {
    pub num: u64,
    pub den: u64,
    pub label: &'static str,
}

/// From 1/1000× to 100× real time.
pub const LADDER: [Rung; 16] = [
    Rung {
        num: 1,
        den: 1000,
        label: "1/1000×",
    },
    Rung {
        num: 1,
        den: 500,
        label: "1/500×",
    },
    Rung {
        num: 1,
        den: 200,
        label: "1/200×",
    },
    Rung {
        num: 1,
        den: 100,
        label: "1/100×",
    },
    Rung {
        num: 1,
        den: 50,
        label: "1/50×",
    },
    Rung {
        num: 1,
        den: 20,
        label: "1/20×",
    },
    Rung {
        num: 1,
        den: 10,
        label: "1/10×",
    },
    Rung {
        num: 1,
        den: 5,
        label: "1/5×",
    },
    Rung {
        num: 1,
        den: 2,
        label: "1/2×",
    },
    Rung {
        num: 1,
        den: 1,
        label: "1×",
    },
    Rung {
        num: 2,
        den: 1,
        label: "2×",
    },
    Rung {
        num: 5,
        den: 1,
        label: "5×",
    },
    Rung {
        num: 10,
        den: 1,
        label: "10×",
    },
    Rung {
        num: 20,
        den: 1,
        label: "20×",
    },
    Rung {
        num: 50,
        den: 1,
        label: "50×",
    },
    Rung {
        num: 100,
        den: 1,
        label: "100×",
    },
];

/// The rung of 1× real time.
pub const REAL_TIME: usize = 9;

/// The chosen speed (an index into [`LADDER`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Speed(usize);

impl Default for Speed {
    fn default() -> Self {
        Speed(REAL_TIME)
    }
}

impl Speed {
    pub fn rung(self) -> Rung {
        LADDER[self.0.min(LADDER.len() - 1)]
    }

    pub fn label(self) -> &'static str {
        self.rung().label
    }

    /// As a factor (for display and the meter only; time arithmetic stays integer).
    pub fn factor(self) -> f64 {
        let r = self.rung();
        r.num as f64 / r.den as f64
    }

    pub fn faster(self) -> Self {
        Speed((self.0 + 1).min(LADDER.len() - 1))
    }

    pub fn slower(self) -> Self {
        Speed(self.0.saturating_sub(1))
    }

    pub fn is_fastest(self) -> bool {
        self.0 == LADDER.len() - 1
    }

    pub fn is_slowest(self) -> bool {
        self.0 == 0
    }

    /// Virtual nanoseconds for `wall` of real time.
    pub fn virtual_ns(self, wall: Duration) -> u64 {
        let r = self.rung();
        let wall_ns = u64::try_from(wall.as_nanos()).unwrap_or(u64::MAX);
        // u128: 100× of any sane wall time cannot overflow.
        (u128::from(wall_ns) * u128::from(r.num) / u128::from(r.den)).min(u128::from(u64::MAX))
            as u64
    }
}

/// How much virtual time one tick may advance (all lanes together share the work).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    pub per_tick_ns: u64,
}

impl Budget {
    /// The most a tick may ever ask for: 100× of a slow 50 ms tick.
    pub const MAX_NS: u64 = 5_000_000_000;
    /// The least: the sim always moves, however slow the machine.
    pub const MIN_NS: u64 = 100_000;
    /// Wall time one advance's simulation work should take at most. The simulation has its
    /// own thread (`tui::sim`), which holds the lab's state while it advances: keys and
    /// frames wait at most this long for it.
    pub const TARGET_WORK: Duration = Duration::from_millis(15);

    /// Adapt to a measurement: `virtual_ns` took `took` of wall time.
    pub fn adapt(&mut self, virtual_ns: u64, took: Duration) {
        let took_ns = took.as_nanos().max(1) as f64;
        if virtual_ns == 0 {
            return;
        }
        let rate = virtual_ns as f64 / took_ns; // virtual ns per wall ns of work
        let fit = rate * Self::TARGET_WORK.as_nanos() as f64;
        // Halfway towards what would fit: quick to react, slow to oscillate.
        let next = (self.per_tick_ns as f64 + fit) / 2.0;
        self.per_tick_ns = (next as u64).clamp(Self::MIN_NS, Self::MAX_NS);
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            per_tick_ns: Self::MAX_NS,
        }
    }
}

/// The speed really achieved: virtual time over wall time, smoothed over about a second;
/// and how much virtual time the budget held back, owed to the next advance.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SpeedMeter {
    wall_ns: f64,
    virtual_ns: f64,
    owed_ns: u64,
}

impl SpeedMeter {
    /// Roughly one second of memory.
    const HORIZON_NS: f64 = 1e9;
    /// The most wall time whose virtual time is owed: behind by more, the lab lets the rest
    /// go rather than race to catch up (what it reached is shown, never hidden).
    pub const MAX_OWED: Duration = Duration::from_millis(250);

    /// What an advance of `wall` at `speed` may take within `budget_ns`: the virtual time
    /// owed plus `wall`'s, capped by the budget. What the budget holds back stays owed, up
    /// to [`Self::MAX_OWED`] of wall time's worth.
    pub fn take(&mut self, speed: Speed, wall: Duration, budget_ns: u64) -> u64 {
        let want = speed.virtual_ns(wall).saturating_add(self.owed_ns);
        let got = want.min(budget_ns);
        self.owed_ns = (want - got).min(speed.virtual_ns(Self::MAX_OWED));
        got
    }

    /// Whether the budget held virtual time back at the last advance: the lab is behind
    /// the speed asked for, and the next advance should come at once.
    pub fn is_behind(&self) -> bool {
        self.owed_ns > 0
    }

    pub fn record(&mut self, wall: Duration, virtual_ns: u64) {
        let w = wall.as_nanos() as f64;
        if w <= 0.0 {
            return;
        }
        let keep = (1.0 - w / Self::HORIZON_NS).clamp(0.0, 1.0);
        self.wall_ns = self.wall_ns * keep + w;
        self.virtual_ns = self.virtual_ns * keep + virtual_ns as f64;
    }

    /// The effective speed factor, once anything was measured.
    pub fn effective(&self) -> Option<f64> {
        (self.wall_ns > 0.0).then(|| self.virtual_ns / self.wall_ns)
    }

    pub fn clear(&mut self) {
        *self = SpeedMeter::default();
    }
}

/// `12.5×`, `0.25×`: an effective factor in the ladder's style.
pub fn factor_label(f: f64) -> String {
    if f >= 10.0 {
        format!("{f:.0}×")
    } else if f >= 1.0 {
        format!("{f:.1}×")
    } else if f > 0.0 {
        format!("1/{:.0}×", 1.0 / f)
    } else {
        "0×".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_spans_a_thousandth_to_a_hundred() {
        let mut s = Speed::default();
        assert_eq!(s.label(), "1×");
        for _ in 0..40 {
            s = s.slower();
        }
        assert!(s.is_slowest());
        assert_eq!(s.virtual_ns(Duration::from_secs(1)), 1_000_000);
        for _ in 0..40 {
            s = s.faster();
        }
        assert!(s.is_fastest());
        assert_eq!(s.virtual_ns(Duration::from_millis(20)), 2_000_000_000);
    }

    #[test]
    fn budget_shrinks_when_work_is_slow_and_stays_in_range() {
        let mut b = Budget::default();
        for _ in 0..50 {
            b.adapt(1_000_000_000, Duration::from_millis(100));
        }
        // 1 s of virtual time per 100 ms: 15 ms of work fits 150 ms of virtual time.
        assert!(
            (140_000_000..=160_000_000).contains(&b.per_tick_ns),
            "{b:?}"
        );
        b.adapt(1, Duration::from_secs(100));
        assert!(b.per_tick_ns >= Budget::MIN_NS);
    }

    #[test]
    fn meter_reports_what_was_achieved() {
        let mut m = SpeedMeter::default();
        assert_eq!(m.effective(), None);
        for _ in 0..100 {
            m.record(Duration::from_millis(20), 200_000_000);
        }
        let e = m.effective().unwrap();
        assert!((e - 10.0).abs() < 1e-9, "{e}");
        assert_eq!(factor_label(e), "10×");
        assert_eq!(factor_label(0.5), "1/2×");
        assert_eq!(factor_label(2.34), "2.3×");
    }

    #[test]
    fn virtual_time_held_back_by_the_budget_is_owed_to_the_next_advance() {
        let mut m = SpeedMeter::default();
        let s = Speed(LADDER.len() - 1); // 100×
        let tick = Duration::from_millis(20);
        // 2 s asked, 1.5 s allowed: 0.5 s owed.
        assert_eq!(m.take(s, tick, 1_500_000_000), 1_500_000_000);
        assert!(m.is_behind());
        assert_eq!(m.take(s, tick, 5_000_000_000), 2_500_000_000);
        assert!(!m.is_behind());
        // Far behind: at most 250 ms of wall time's worth (25 s at 100×) stays owed.
        for _ in 0..1000 {
            m.take(s, tick, Budget::MIN_NS);
        }
        assert_eq!(m.take(s, Duration::ZERO, u64::MAX), 25_000_000_000);
        m.take(s, tick, 1);
        m.clear();
        assert!(!m.is_behind());
    }
}
