//! The knobs of a run, by name: what a lesson unlocks or checks, what the key map changes,
//! what a script sets. One vocabulary for all of them: [`KNOBS`], one row per knob, holds
//! its names, its values and range, its words on the command line, in the status bar and
//! in the key map; the command line's flags, the status bar's knobs, the key map's knob
//! keys, the share string's scenario and the report's scenario line are generated from it.
//!
//! A [`Setting`] is a knob with a value. Four knobs change a running simulation
//! ([`KnobChange`], through [`super::Sim::set_knob`]); the others (guest, direction, ABI,
//! HZ, seed) define the run itself, so changing them starts a new run at t = 0.
//!
//! A new boolean knob touches three files:
//! 1. this one: a variant of [`Knob`] (its name in files and flags), its row in [`KNOBS`]
//!    (words, flag help, status bar form, key), a variant of [`Setting`] and its arms in
//!    [`Setting::knob`], [`Knob::get`], [`Setting::apply`], [`Knob::switch`] and
//!    [`Setting::as_switch`] (a live one also a [`KnobChange`] variant and its arms in
//!    [`Setting::live`] and [`KnobChange::setting`]);
//! 2. `params.rs`: its field in [`Config`] and its default;
//! 3. the model code that reads the field.
//!
//! `Knob::TestSwitch`, a knob that exists only under `cfg(test)`, is such a knob: its
//! rows here and its `Config` field are all it has, and `cmd::cli`'s tests find it in the
//! flags, the keys, the status bar, a share string and the report. `tests/knob_table.rs`
//! checks the same of every real row.

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
        SpuriousThreshold = "threshold",
        Hz = "hz",
        Seed = "seed",
        // A boolean knob that only tests see: its rows here, its field in `Config`, nothing
        // else (`cmd::cli`'s tests follow it through every part made from the table).
        TestSwitch = "testswitch" if test,
    }
}

/// The values a knob takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Values {
    /// One of a type's names, in the order of its `ALL`.
    Named(&'static [&'static str]),
    /// On or off (`true`/`false` also in files).
    Switch,
    /// A whole number from `min` to `max`.
    Number { min: u64, max: u64 },
}

/// How the status bar shows a knob (clickable, except [`Bar::Figure`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bar {
    /// `guest freebsd`, `dir tx` (the short label) with room to spare, else the value alone.
    Kind,
    /// netback's condition, coloured sound or not.
    Netback,
    /// `throttle on` (`thr on` short of room); `A:on B:off` when compare mode sets it apart.
    Switch,
    /// `abi FIFO` (`FIFO` short of room), only when not the default.
    UnlessDefault,
    /// `HZ 250`, not clickable, at the two roomiest levels; also at the others when not the
    /// default if `unusual`.
    Figure { unusual: bool },
    /// Not shown.
    Hidden,
}

/// What a knob key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Press {
    /// [`Setting::flipped`].
    Flip,
    /// [`Setting::next`].
    Next,
    /// A number up or down by this much, within its range.
    By(i8),
}

/// One line of the key map for a knob: its keys, its footer hint and its help line.
#[derive(Clone, Copy, Debug)]
pub struct KnobKeys {
    /// Where it goes among the knob keys, which come first in the key map.
    pub place: u8,
    pub shown: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub footer_rank: u8,
    pub keys: &'static [(char, Press)],
}

/// A knob's row of [`KNOBS`].
#[derive(Clone, Copy, Debug)]
pub struct KnobRow {
    pub knob: Knob,
    /// How the screen names it.
    pub label: &'static str,
    /// The label where the status bar is short of room.
    pub short_label: &'static str,
    pub values: Values,
    /// Whether a change starts a new run (t = 0, same seed unless the seed is the knob).
    pub restarts: bool,
    /// The command line flag's help (no final full stop: clap's style).
    pub flag_help: &'static str,
    pub bar: Bar,
    pub keys: &'static [KnobKeys],
}

/// The range of `spurious_threshold` the lab accepts. 0 is accepted, as sysfs accepts it, and
/// acts as 1 (`if (dev->spurious_threshold) threshold = …`).
pub const SPURIOUS_THRESHOLD_MIN: u64 = 0;
pub const SPURIOUS_THRESHOLD_MAX: u64 = 64;
/// The range of HZ the lab accepts.
pub const HZ_MIN: u64 = 1;
pub const HZ_MAX: u64 = 10_000;

/// Every knob, in the order of the command line, the status bar, the report's scenario line
/// and the share string.
pub static KNOBS: &[KnobRow] = &[
    KnobRow {
        knob: Knob::Guest,
        label: "guest",
        short_label: "guest",
        values: Values::Named(GuestKind::NAMES),
        restarts: true,
        flag_help: "Guest kind: freebsd (one common channel), linux (split channels), rogue \
                    (XSA-332 threat), idle (notifies only when you press n in the lab)",
        bar: Bar::Kind,
        keys: &[KnobKeys {
            place: 4,
            shown: "g",
            label: "guest",
            help: "guest freebsd → linux → rogue → idle (restarts at t = 0, same seed)",
            footer_rank: 3,
            keys: &[('g', Press::Flip)],
        }],
    },
    KnobRow {
        knob: Knob::Direction,
        label: "direction",
        short_label: "dir",
        values: Values::Named(Direction::NAMES),
        restarts: true,
        flag_help: "Traffic direction seen from the guest: tx (guest sends) or rx (guest receives)",
        bar: Bar::Kind,
        keys: &[KnobKeys {
            place: 5,
            shown: "d",
            label: "direction",
            help: "direction: tx (guest sends) ⇄ rx (guest receives); restarts",
            footer_rank: 4,
            keys: &[('d', Press::Flip)],
        }],
    },
    KnobRow {
        knob: Knob::Netback,
        label: "netback",
        short_label: "netback",
        values: Values::Named(NetbackVariant::NAMES),
        restarts: false,
        flag_help: "netback's common-channel condition: buggy (`!tx | !rx`, as shipped), \
                    or-inline (`!tx || !rx`, skips the RX handler when TX had no work), \
                    and-inline (`!tx && !rx`, skips it when TX had work), bitand (`!tx & !rx`, \
                    the story's fix) or fixed (upstream's has_tx/has_rx)",
        bar: Bar::Netback,
        keys: &[
            KnobKeys {
                place: 0,
                shown: "b",
                label: "OR⇄AND",
                help: "netback condition: buggy (!tx | !rx) ⇄ fixed (!tx && !rx)",
                footer_rank: 1,
                keys: &[('b', Press::Flip)],
            },
            KnobKeys {
                place: 1,
                shown: "o",
                label: "condition",
                help: "netback condition, all five in turn: | → || → && → & → upstream",
                footer_rank: 7,
                keys: &[('o', Press::Next)],
            },
        ],
    },
    KnobRow {
        knob: Knob::Throttle,
        label: "throttle",
        short_label: "thr",
        values: Values::Switch,
        restarts: false,
        flag_help: "The throttle (XSA-332 patch 12, \"block rogue events for some time\")",
        bar: Bar::Switch,
        keys: &[KnobKeys {
            place: 2,
            shown: "t",
            label: "throttle",
            help: "throttle (XSA-332 patch 12, \"block rogue events\") on/off",
            footer_rank: 2,
            keys: &[('t', Press::Flip)],
        }],
    },
    KnobRow {
        knob: Knob::LateEoi,
        label: "late EOI",
        short_label: "EOI",
        values: Values::Switch,
        restarts: false,
        flag_help: "Late EOI (the XSA-332 patches); off = the classic handling before them",
        bar: Bar::Switch,
        keys: &[KnobKeys {
            place: 3,
            shown: "l",
            label: "late EOI",
            help: "late EOI (the XSA-332 patches) on/off; off = classic, no throttle",
            footer_rank: 4,
            keys: &[('l', Press::Flip)],
        }],
    },
    KnobRow {
        knob: Knob::Abi,
        label: "event-channel ABI",
        short_label: "abi",
        values: Values::Named(Abi::NAMES),
        restarts: true,
        flag_help: "dom0's event-channel ABI: 2l (2-level) or fifo (FIFO, what a Linux dom0 uses \
                    when Xen offers it). The late-EOI logic is the same on both",
        bar: Bar::UnlessDefault,
        keys: &[KnobKeys {
            place: 6,
            shown: "a",
            label: "ABI",
            help: "dom0's event channels: 2-level ⇄ FIFO ABI; restarts",
            footer_rank: 7,
            keys: &[('a', Press::Flip)],
        }],
    },
    KnobRow {
        knob: Knob::Hz,
        label: "HZ",
        short_label: "HZ",
        values: Values::Number {
            min: HZ_MIN,
            max: HZ_MAX,
        },
        restarts: true,
        flag_help: "dom0 timer frequency (jiffies per second) [range: 1 to 10000]",
        bar: Bar::Figure { unusual: true },
        keys: &[KnobKeys {
            place: 8,
            shown: "z",
            label: "HZ",
            help: "dom0 HZ 100 → 250 → 300 → 1000 (a jiffy is 1/HZ s; restarts)",
            footer_rank: 7,
            keys: &[('z', Press::Flip)],
        }],
    },
    KnobRow {
        knob: Knob::SpuriousThreshold,
        label: "spurious_threshold",
        short_label: "threshold",
        values: Values::Number {
            min: SPURIOUS_THRESHOLD_MIN,
            max: SPURIOUS_THRESHOLD_MAX,
        },
        restarts: false,
        flag_help: "spurious_threshold: spurious EOIs in a row before the throttle delays (0 acts \
                    as 1, as in the kernel; 10 or more never throttles at HZ 250: spurious_cnt \
                    stops at 10) [range: 0 to 64]",
        bar: Bar::Figure { unusual: false },
        keys: &[KnobKeys {
            place: 7,
            shown: "[ ]",
            label: "threshold",
            help: "spurious_threshold − / + (0…64; 0 acts as 1); 5.12, the story had 1",
            footer_rank: 5,
            keys: &[('[', Press::By(-1)), (']', Press::By(1))],
        }],
    },
    KnobRow {
        knob: Knob::Seed,
        label: "seed",
        short_label: "seed",
        values: Values::Number {
            min: 0,
            max: u64::MAX,
        },
        restarts: true,
        flag_help: "Seed of the simulation's RNG [range: 0 to 18446744073709551615]",
        bar: Bar::Hidden,
        keys: &[],
    },
    #[cfg(test)]
    KnobRow {
        knob: Knob::TestSwitch,
        label: "test switch",
        short_label: "tst",
        values: Values::Switch,
        restarts: true,
        flag_help: "A knob for the tests only",
        bar: Bar::Switch,
        keys: &[KnobKeys {
            place: 9,
            shown: "y",
            label: "test",
            help: "the test switch on/off",
            footer_rank: 9,
            keys: &[('y', Press::Flip)],
        }],
    },
];

impl Knob {
    /// The knob's row of [`KNOBS`].
    pub fn row(self) -> &'static KnobRow {
        let mut i = 0;
        while i + 1 < KNOBS.len() && KNOBS[i].knob != self {
            i += 1;
        }
        &KNOBS[i]
    }

    /// How the screen names it.
    pub fn label(self) -> &'static str {
        self.row().label
    }

    /// The label where the status bar is short of room (`thr`, `EOI`).
    pub fn short_label(self) -> &'static str {
        self.row().short_label
    }

    /// Whether a change starts a new run (t = 0, same seed unless the seed is the knob).
    pub fn restarts(self) -> bool {
        self.row().restarts
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

    /// The knob's value in `cfg`.
    pub fn get(self, cfg: &Config) -> Setting {
        match self {
            Knob::Guest => Setting::Guest(cfg.guest),
            Knob::Direction => Setting::Direction(cfg.direction),
            Knob::Netback => Setting::Netback(cfg.netback),
            Knob::Throttle => Setting::Throttle(cfg.throttle),
            Knob::LateEoi => Setting::LateEoi(cfg.lateeoi),
            Knob::Abi => Setting::Abi(cfg.abi),
            Knob::SpuriousThreshold => Setting::SpuriousThreshold(cfg.spurious_threshold),
            Knob::Hz => Setting::Hz(cfg.hz),
            Knob::Seed => Setting::Seed(cfg.seed),
            #[cfg(test)]
            Knob::TestSwitch => Setting::TestSwitch(cfg.test_switch),
        }
    }

    /// The switch at `on`, if this knob is one.
    pub fn switch(self, on: bool) -> Option<Setting> {
        match self {
            Knob::Throttle => Some(Setting::Throttle(on)),
            Knob::LateEoi => Some(Setting::LateEoi(on)),
            #[cfg(test)]
            Knob::TestSwitch => Some(Setting::TestSwitch(on)),
            _ => None,
        }
    }

    /// The number `n`, if this knob is a number and `n` is in its range.
    pub fn number(self, n: u64) -> Option<Setting> {
        let Values::Number { min, max } = self.row().values else {
            return None;
        };
        if !(min..=max).contains(&n) {
            return None;
        }
        let small = u32::try_from(n).ok();
        match self {
            Knob::SpuriousThreshold => small.map(Setting::SpuriousThreshold),
            Knob::Hz => small.map(Setting::Hz),
            Knob::Seed => Some(Setting::Seed(n)),
            _ => None,
        }
    }

    /// Parse a value of this knob as it is written in a lesson file or on a command line:
    /// `true`/`false` (or `on`/`off`) for switches, names for kinds, numbers for numbers.
    pub fn parse(self, s: &str) -> Result<Setting, String> {
        let named = |e: UnknownName| e.to_string();
        let bad = || match self.row().values {
            Values::Switch => format!("{self} takes true or false, not '{s}'"),
            Values::Number { min, max } => {
                format!("{self} takes a whole number from {min} to {max}, not '{s}'")
            }
            Values::Named(_) => format!("{self} takes a name, not '{s}'"),
        };
        match self.row().values {
            Values::Switch => match s {
                "true" | "on" => self.switch(true),
                "false" | "off" => self.switch(false),
                _ => None,
            }
            .ok_or_else(bad),
            Values::Number { .. } => s.parse().ok().and_then(|n| self.number(n)).ok_or_else(bad),
            Values::Named(_) => match self {
                Knob::Guest => s.parse().map(Setting::Guest).map_err(named),
                Knob::Direction => s.parse().map(Setting::Direction).map_err(named),
                Knob::Netback => s.parse().map(Setting::Netback).map_err(named),
                Knob::Abi => s.parse().map(Setting::Abi).map_err(named),
                _ => Err(bad()),
            },
        }
    }
}

/// What in `cfg` is outside the ranges the lab accepts (the same as the command line's and
/// the keys'), one message each; empty when it can run.
pub fn config_problems(cfg: &Config) -> Vec<String> {
    let mut out = Vec::new();
    if !(HZ_MIN..=HZ_MAX).contains(&u64::from(cfg.hz)) {
        out.push(format!("hz is {}: give {HZ_MIN} to {HZ_MAX}", cfg.hz));
    }
    let (lo, hi) = (SPURIOUS_THRESHOLD_MIN, SPURIOUS_THRESHOLD_MAX);
    if !(lo..=hi).contains(&u64::from(cfg.spurious_threshold)) {
        out.push(format!(
            "threshold is {}: give {lo} to {hi}",
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
    SpuriousThreshold(u32),
    Hz(u32),
    Seed(u64),
    #[cfg(test)]
    TestSwitch(bool),
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
            Setting::SpuriousThreshold(_) => Knob::SpuriousThreshold,
            Setting::Hz(_) => Knob::Hz,
            Setting::Seed(_) => Knob::Seed,
            #[cfg(test)]
            Setting::TestSwitch(_) => Knob::TestSwitch,
        }
    }

    /// A switch's value.
    pub fn as_switch(self) -> Option<bool> {
        match self {
            Setting::Throttle(on) | Setting::LateEoi(on) => Some(on),
            #[cfg(test)]
            Setting::TestSwitch(on) => Some(on),
            _ => None,
        }
    }

    /// A number's value.
    pub fn as_number(self) -> Option<u64> {
        match self {
            Setting::SpuriousThreshold(n) | Setting::Hz(n) => Some(n.into()),
            Setting::Seed(n) => Some(n),
            _ => None,
        }
    }

    /// A named value's place in its knob's [`Values::Named`] list.
    pub fn index(self) -> Option<usize> {
        let Values::Named(names) = self.knob().row().values else {
            return None;
        };
        let name = self.value_name()?;
        names.iter().position(|&n| n == name)
    }

    /// A named value's name (`freebsd`, `fixed`, `2l`).
    fn value_name(self) -> Option<&'static str> {
        match self {
            Setting::Guest(g) => Some(g.name()),
            Setting::Direction(d) => Some(d.name()),
            Setting::Netback(v) => Some(v.name()),
            Setting::Abi(a) => Some(a.name()),
            _ => None,
        }
    }

    /// The value alone, as the command line writes it: `on`, `fixed`, `250`.
    pub fn value_text(self) -> String {
        match (self.as_switch(), self.as_number(), self.value_name()) {
            (Some(on), _, _) => on_off(on).to_string(),
            (_, Some(n), _) => n.to_string(),
            (_, _, name) => name.unwrap_or_default().to_string(),
        }
    }

    /// The value the knob's key moves to, the one flip of the lab (keys, compare mode's lane
    /// B): a switch turned over, netback shipped ⇄ upstream, a kind its next, HZ its next
    /// common choice. The threshold and the seed have no flip: the same value.
    pub fn flipped(self) -> Setting {
        if let Some(on) = self.as_switch() {
            return self.knob().switch(!on).unwrap_or(self);
        }
        match self {
            Setting::Netback(v) => Setting::Netback(v.other()),
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
            other => other,
        }
    }

    /// The next value in the knob's whole list: netback's five conditions in turn (where
    /// [`Setting::flipped`] goes shipped ⇄ upstream); the flip for the others.
    pub fn next(self) -> Setting {
        match self {
            Setting::Netback(v) => Setting::Netback(v.next()),
            other => other.flipped(),
        }
    }

    /// A number moved by `by` within its range (stopping at its ends); `None` for a knob
    /// that is not a number.
    pub fn moved(self, by: i8) -> Option<Setting> {
        let n = self.as_number()?;
        let Values::Number { min, max } = self.knob().row().values else {
            return None;
        };
        let to = n.saturating_add_signed(i64::from(by)).clamp(min, max);
        self.knob().number(to)
    }

    /// How the screen words the setting: `netback OR (!tx | !rx)`, `throttle on`,
    /// `late EOI off`; the others as [`Setting`]'s `Display` has them (`hz 1000`).
    pub fn words(self) -> String {
        let k = self.knob().label();
        match self {
            Setting::Netback(v) => format!("{k} {} {}", v.operator(), v.condition()),
            s => match s.as_switch() {
                Some(on) => format!("{k} {}", on_off(on)),
                None => s.to_string(),
            },
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
            Setting::SpuriousThreshold(t) => c.spurious_threshold = t,
            Setting::Hz(hz) => c.hz = hz,
            Setting::Seed(s) => c.seed = s,
            #[cfg(test)]
            Setting::TestSwitch(on) => c.test_switch = on,
        }
        c
    }

    /// The change to a running simulation, for the knobs that have one.
    pub fn live(self) -> Option<KnobChange> {
        match self {
            Setting::Netback(v) => Some(KnobChange::Netback(v)),
            Setting::Throttle(on) => Some(KnobChange::Throttle(on)),
            Setting::LateEoi(on) => Some(KnobChange::LateEoi(on)),
            Setting::SpuriousThreshold(t) => Some(KnobChange::SpuriousThreshold(t)),
            _ => None,
        }
    }
}

/// `throttle on`, `netback buggy`, `threshold 3`.
impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.knob(), self.value_text())
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
            KnobChange::SpuriousThreshold(t) => Setting::SpuriousThreshold(t),
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

    /// One row per knob, and each row's values what its settings are.
    #[test]
    fn every_knob_has_one_row_that_fits_its_values() {
        let cfg = Config::default();
        for &k in Knob::ALL {
            assert_eq!(KNOBS.iter().filter(|r| r.knob == k).count(), 1, "{k}");
            assert_eq!(k.row().knob, k);
            let s = k.get(&cfg);
            assert_eq!(k.parse(&s.value_text()), Ok(s), "{k}: its value reads back");
            match k.row().values {
                Values::Switch => assert_eq!(k.switch(!s.as_switch().unwrap()), Some(s.flipped())),
                Values::Number { min, max } => {
                    assert_eq!(k.number(min).and_then(Setting::as_number), Some(min), "{k}");
                    assert_eq!(k.number(max).and_then(Setting::as_number), Some(max), "{k}");
                    assert!(max == u64::MAX || k.number(max + 1).is_none(), "{k}");
                }
                Values::Named(names) => {
                    for (i, n) in names.iter().enumerate() {
                        assert_eq!(k.parse(n).ok().and_then(Setting::index), Some(i), "{k} {n}");
                    }
                }
            }
        }
        assert_eq!(
            Setting::SpuriousThreshold(64).moved(1),
            Some(Setting::SpuriousThreshold(64))
        );
        assert_eq!(
            Setting::SpuriousThreshold(0).moved(-1),
            Some(Setting::SpuriousThreshold(0))
        );
        assert_eq!(Setting::Throttle(true).moved(1), None);
    }

    #[test]
    fn values_parse_as_written_in_files() {
        assert_eq!(Knob::Throttle.parse("true"), Ok(Setting::Throttle(true)));
        assert_eq!(Knob::Throttle.parse("off"), Ok(Setting::Throttle(false)));
        assert_eq!(
            Knob::Netback.parse("fixed"),
            Ok(Setting::Netback(NetbackVariant::Fixed))
        );
        assert_eq!(
            Knob::SpuriousThreshold.parse("3"),
            Ok(Setting::SpuriousThreshold(3))
        );
        let e = Knob::Guest.parse("windows").unwrap_err();
        assert!(e.contains("freebsd, linux, rogue, idle"), "{e}");
        assert!(
            Knob::SpuriousThreshold
                .parse("65")
                .unwrap_err()
                .contains("0 to 64")
        );
        assert_eq!(
            Knob::SpuriousThreshold.parse("0"),
            Ok(Setting::SpuriousThreshold(0))
        );
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
        assert_eq!(
            Knob::SpuriousThreshold.flip(cfg),
            cfg,
            "the threshold has no flip"
        );
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
