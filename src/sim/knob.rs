//! The knobs of a run, by name: what a lesson unlocks or checks, what the key map changes,
//! what a script sets. One vocabulary for all of them.
//!
//! A [`Setting`] is a knob with a value. Four knobs change a running simulation
//! ([`KnobChange`], through [`super::Sim::set_knob`]); the others (guest, direction, ABI,
//! HZ, seed) define the run itself, so changing them starts a new run at t = 0.

use serde::Serialize;

use super::params::{Abi, Config, Direction, GuestKind, NetbackVariant, UnknownName, named_enum};

named_enum! {
    /// A knob of the run configuration, named as on the command line.
    pub enum Knob {
        Guest = "guest",
        Direction = "direction",
        Netback = "netback",
        Throttle = "throttle",
        LateEoi = "lateeoi",
        Abi = "abi",
        Threshold = "threshold",
        Hz = "hz",
        Seed = "seed",
    }
}

impl Knob {
    /// How the screen names it.
    pub fn label(self) -> &'static str {
        match self {
            Knob::Guest => "guest",
            Knob::Direction => "direction",
            Knob::Netback => "netback",
            Knob::Throttle => "throttle",
            Knob::LateEoi => "late EOI",
            Knob::Abi => "event-channel ABI",
            Knob::Threshold => "spurious_threshold",
            Knob::Hz => "HZ",
            Knob::Seed => "seed",
        }
    }

    /// The knobs compare mode can set apart (lane B has the other value), in the order its
    /// key cycles through them; the first is where it starts.
    pub const COMPARED: [Knob; 3] = [Knob::Netback, Knob::Throttle, Knob::LateEoi];

    /// The next of [`Knob::COMPARED`], round again after the last.
    pub fn next_compared(self) -> Knob {
        let i = Knob::COMPARED.iter().position(|&k| k == self).unwrap_or(0);
        Knob::COMPARED[(i + 1) % Knob::COMPARED.len()]
    }

    /// `cfg` with this knob flipped ([`Setting::flipped`]).
    pub fn flip(self, cfg: Config) -> Config {
        self.get(&cfg).flipped().apply(cfg)
    }

    /// The label where the status bar is short of room (`thr`, `EOI`); the label elsewhere.
    pub fn short_label(self) -> &'static str {
        match self {
            Knob::Throttle => "thr",
            Knob::LateEoi => "EOI",
            k => k.label(),
        }
    }

    /// Whether a change starts a new run (t = 0, same seed unless the seed is the knob).
    pub fn restarts(self) -> bool {
        matches!(
            self,
            Knob::Guest | Knob::Direction | Knob::Abi | Knob::Hz | Knob::Seed
        )
    }

    /// The knob's value in `cfg`.
    pub fn get(self, cfg: &Config) -> Setting {
        match self {
            Knob::Guest => Setting::Guest(cfg.guest),
            Knob::Direction => Setting::Direction(cfg.direction),
            Knob::Netback => Setting::Netback(cfg.netback),
            Knob::Throttle => Setting::Throttle(cfg.throttle),
            Knob::LateEoi => Setting::LateEoi(cfg.lateeoi),
            Knob::Abi => Setting::Abi(cfg.abi),
            Knob::Threshold => Setting::Threshold(cfg.spurious_threshold),
            Knob::Hz => Setting::Hz(cfg.hz),
            Knob::Seed => Setting::Seed(cfg.seed),
        }
    }

    /// Parse a value of this knob as it is written in a lesson file or on a command line:
    /// `true`/`false` (or `on`/`off`) for switches, names for kinds, numbers for numbers.
    pub fn parse(self, s: &str) -> Result<Setting, String> {
        let switch = || match s {
            "true" | "on" => Ok(true),
            "false" | "off" => Ok(false),
            _ => Err(format!("{self} takes true or false, not '{s}'")),
        };
        let number = |lo: u64, hi: u64| -> Result<u64, String> {
            match s.parse::<u64>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => Err(format!(
                    "{self} takes a whole number from {lo} to {hi}, not '{s}'"
                )),
            }
        };
        let named = |e: UnknownName| e.to_string();
        Ok(match self {
            Knob::Guest => Setting::Guest(s.parse().map_err(named)?),
            Knob::Direction => Setting::Direction(s.parse().map_err(named)?),
            Knob::Netback => Setting::Netback(s.parse().map_err(named)?),
            Knob::Throttle => Setting::Throttle(switch()?),
            Knob::LateEoi => Setting::LateEoi(switch()?),
            Knob::Abi => Setting::Abi(s.parse().map_err(named)?),
            Knob::Threshold => Setting::Threshold(number(THRESHOLD_MIN, THRESHOLD_MAX)? as u32),
            Knob::Hz => Setting::Hz(number(HZ_MIN, HZ_MAX)? as u32),
            Knob::Seed => Setting::Seed(number(0, u64::MAX)?),
        })
    }
}

/// The range of `spurious_threshold` the lab accepts. 0 is accepted, as sysfs accepts it, and
/// acts as 1 (`if (dev->spurious_threshold) threshold = …`).
pub const THRESHOLD_MIN: u64 = 0;
pub const THRESHOLD_MAX: u64 = 64;
/// The range of HZ the lab accepts.
pub const HZ_MIN: u64 = 1;
pub const HZ_MAX: u64 = 10_000;

/// What in `cfg` is outside the ranges the lab accepts (the same as the command line's and
/// the keys'), one message each; empty when it can run.
pub fn config_problems(cfg: &Config) -> Vec<String> {
    let mut out = Vec::new();
    if !(HZ_MIN..=HZ_MAX).contains(&u64::from(cfg.hz)) {
        out.push(format!("hz is {}: give {HZ_MIN} to {HZ_MAX}", cfg.hz));
    }
    if !(THRESHOLD_MIN..=THRESHOLD_MAX).contains(&u64::from(cfg.spurious_threshold)) {
        out.push(format!(
            "threshold is {}: give {THRESHOLD_MIN} to {THRESHOLD_MAX}",
            cfg.spurious_threshold
        ));
    }
    out.extend(cfg.params.problems());
    out
}

/// The HZ values the lab's key cycles through (the common kernel choices).
pub const HZ_CHOICES: [u32; 4] = [100, 250, 300, 1000];

/// A knob with a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    Guest(GuestKind),
    Direction(Direction),
    Netback(NetbackVariant),
    Throttle(bool),
    LateEoi(bool),
    Abi(Abi),
    Threshold(u32),
    Hz(u32),
    Seed(u64),
}

impl Setting {
    pub fn knob(self) -> Knob {
        match self {
            Setting::Guest(_) => Knob::Guest,
            Setting::Direction(_) => Knob::Direction,
            Setting::Netback(_) => Knob::Netback,
            Setting::Throttle(_) => Knob::Throttle,
            Setting::LateEoi(_) => Knob::LateEoi,
            Setting::Abi(_) => Knob::Abi,
            Setting::Threshold(_) => Knob::Threshold,
            Setting::Hz(_) => Knob::Hz,
            Setting::Seed(_) => Knob::Seed,
        }
    }

    /// The value the knob's key moves to, the one flip of the lab (keys, compare mode's lane
    /// B): a switch turned over, netback shipped ⇄ upstream, a kind its next, HZ its next
    /// common choice. The threshold and the seed have no flip: the same value.
    pub fn flipped(self) -> Setting {
        match self {
            Setting::Netback(v) => Setting::Netback(v.other()),
            Setting::Throttle(on) => Setting::Throttle(!on),
            Setting::LateEoi(on) => Setting::LateEoi(!on),
            Setting::Guest(g) => Setting::Guest(g.next()),
            Setting::Direction(d) => Setting::Direction(d.next()),
            Setting::Hz(hz) => Setting::Hz(
                HZ_CHOICES
                    .iter()
                    .copied()
                    .find(|&h| h > hz)
                    .unwrap_or(HZ_CHOICES[0]),
            ),
            Setting::Abi(a) => Setting::Abi(a.next()),
            other @ (Setting::Threshold(_) | Setting::Seed(_)) => other,
        }
    }

    /// How the screen words the setting: `netback OR (!tx | !rx)`, `throttle on`,
    /// `late EOI off`; the others as [`Setting`]'s `Display` has them (`hz 1000`).
    pub fn words(self) -> String {
        let k = self.knob().label();
        match self {
            Setting::Netback(v) => format!("{k} {} {}", v.operator(), v.condition()),
            Setting::Throttle(on) | Setting::LateEoi(on) => format!("{k} {}", on_off(on)),
            other => other.to_string(),
        }
    }

    /// `cfg` with this setting.
    pub fn apply(self, cfg: Config) -> Config {
        let mut c = cfg;
        match self {
            Setting::Guest(g) => c.guest = g,
            Setting::Direction(d) => c.direction = d,
            Setting::Netback(v) => c.netback = v,
            Setting::Throttle(on) => c.throttle = on,
            Setting::LateEoi(on) => c.lateeoi = on,
            Setting::Abi(a) => c.abi = a,
            Setting::Threshold(t) => c.spurious_threshold = t,
            Setting::Hz(hz) => c.hz = hz,
            Setting::Seed(s) => c.seed = s,
        }
        c
    }

    /// The change to a running simulation, for the knobs that have one.
    pub fn live(self) -> Option<KnobChange> {
        match self {
            Setting::Netback(v) => Some(KnobChange::Netback(v)),
            Setting::Throttle(on) => Some(KnobChange::Throttle(on)),
            Setting::LateEoi(on) => Some(KnobChange::LateEoi(on)),
            Setting::Threshold(t) => Some(KnobChange::SpuriousThreshold(t)),
            Setting::Guest(_)
            | Setting::Direction(_)
            | Setting::Abi(_)
            | Setting::Hz(_)
            | Setting::Seed(_) => None,
        }
    }
}

/// `throttle on`, `netback buggy`, `threshold 3`.
impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let k = self.knob();
        match *self {
            Setting::Guest(g) => write!(f, "{k} {g}"),
            Setting::Direction(d) => write!(f, "{k} {d}"),
            Setting::Netback(v) => write!(f, "{k} {v}"),
            Setting::Abi(a) => write!(f, "{k} {a}"),
            Setting::Throttle(on) | Setting::LateEoi(on) => write!(f, "{k} {}", on_off(on)),
            Setting::Threshold(n) | Setting::Hz(n) => write!(f, "{k} {n}"),
            Setting::Seed(n) => write!(f, "{k} {n}"),
        }
    }
}

/// A knob changed in a running simulation (marked in the trace and on the charts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KnobChange {
    Netback(NetbackVariant),
    Throttle(bool),
    LateEoi(bool),
    SpuriousThreshold(u32),
}

impl KnobChange {
    pub fn setting(self) -> Setting {
        match self {
            KnobChange::Netback(v) => Setting::Netback(v),
            KnobChange::Throttle(on) => Setting::Throttle(on),
            KnobChange::LateEoi(on) => Setting::LateEoi(on),
            KnobChange::SpuriousThreshold(t) => Setting::Threshold(t),
        }
    }

    /// The same change with its value flipped ([`Setting::flipped`]; a live knob's flip is
    /// live).
    pub fn flipped(self) -> KnobChange {
        self.setting().flipped().live().unwrap_or(self)
    }
}

/// Short words for a chart mark: `netback→AND`, `throttle off`, `threshold 3`.
impl std::fmt::Display for KnobChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            KnobChange::Netback(v) => write!(f, "netback→{}", v.operator()),
            other => f.write_str(&other.setting().words()),
        }
    }
}

/// `on` / `off`.
pub fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_knob_reads_back_what_it_sets() {
        let cfg = Config::default();
        for &k in Knob::ALL {
            let s = k.get(&cfg);
            assert_eq!(s.knob(), k);
            assert_eq!(
                s.apply(cfg),
                cfg,
                "{k}: setting the current value changes nothing"
            );
            assert_eq!(k.restarts(), s.live().is_none(), "{k}");
        }
    }

    #[test]
    fn values_parse_as_written_in_files() {
        assert_eq!(Knob::Throttle.parse("true"), Ok(Setting::Throttle(true)));
        assert_eq!(Knob::Throttle.parse("off"), Ok(Setting::Throttle(false)));
        assert_eq!(
            Knob::Netback.parse("fixed"),
            Ok(Setting::Netback(NetbackVariant::Fixed))
        );
        assert_eq!(Knob::Threshold.parse("3"), Ok(Setting::Threshold(3)));
        let e = Knob::Guest.parse("windows").unwrap_err();
        assert!(e.contains("freebsd, linux, rogue, idle"), "{e}");
        assert!(Knob::Threshold.parse("65").unwrap_err().contains("0 to 64"));
        assert_eq!(Knob::Threshold.parse("0"), Ok(Setting::Threshold(0)));
        assert!(
            Knob::Throttle
                .parse("3")
                .unwrap_err()
                .contains("true or false")
        );
        assert_eq!("lateeoi".parse::<Knob>(), Ok(Knob::LateEoi));
        assert_eq!(Knob::Abi.parse("fifo"), Ok(Setting::Abi(Abi::Fifo)));
        assert!(Knob::Abi.parse("3l").unwrap_err().contains("2l, fifo"));
        assert!(Knob::Abi.restarts());
        assert_eq!(Setting::Abi(Abi::Fifo).to_string(), "abi fifo");
        assert!("late_eoi".parse::<Knob>().is_err());
    }

    #[test]
    fn a_flip_twice_is_no_flip_for_switches_and_netback() {
        let cfg = Config::default();
        for k in Knob::COMPARED {
            let once = k.flip(cfg);
            assert_ne!(once, cfg, "{k} flips");
            assert_eq!(k.flip(once), cfg, "{k} flips back");
            let change = k.get(&cfg).live().expect("compared knobs are live");
            assert_eq!(change.flipped().setting(), k.get(&once));
        }
        assert_eq!(Knob::Netback.next_compared(), Knob::Throttle);
        assert_eq!(Knob::LateEoi.next_compared(), Knob::Netback);
        assert_eq!(Knob::Threshold.flip(cfg), cfg, "the threshold has no flip");
        assert_eq!(
            Setting::Hz(1000).flipped(),
            Setting::Hz(HZ_CHOICES[0]),
            "HZ goes round"
        );
    }

    #[test]
    fn settings_and_changes_read_as_words() {
        assert_eq!(Setting::Throttle(false).to_string(), "throttle off");
        assert_eq!(
            Setting::Netback(NetbackVariant::Fixed).to_string(),
            "netback fixed"
        );
        assert_eq!(
            KnobChange::Netback(NetbackVariant::Fixed).to_string(),
            "netback→AND"
        );
        assert_eq!(KnobChange::SpuriousThreshold(3).to_string(), "threshold 3");
        assert_eq!(KnobChange::LateEoi(false).to_string(), "late EOI off");
        // The trace's JSON names the field as the configuration does.
        assert_eq!(
            serde_json::to_string(&KnobChange::SpuriousThreshold(3)).unwrap(),
            r#"{"spurious_threshold":3}"#
        );
        assert_eq!(
            Setting::Netback(NetbackVariant::Buggy).words(),
            "netback OR (!tx | !rx)"
        );
        assert_eq!(Setting::LateEoi(false).words(), "late EOI off");
        assert_eq!(Setting::Hz(1000).words(), "hz 1000");
    }
}
