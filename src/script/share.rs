//! Share a state: a short printable string for the lab's scenario, its actions (knob
//! changes, port actions, `.` steps) and its virtual time; the same string reopens the
//! same state, paused, anywhere (`app::share` replays it). Data only, so lesson files can
//! start a step from one.
//!
//! The string is `ev1.` and the base64url (no padding) of a small binary record: the
//! scenario's knobs, compare mode's knob, the actions as (time since the one before, what),
//! the time, and an FNV-1a checksum of all that. Numbers are LEB128 varints, so a state
//! without actions is about 30 characters. Hand-rolled: base64url is a few lines, not a
//! dependency.

use crate::sim::knob::{KNOBS, KnobRow, Values};
use crate::sim::{Config, Knob, KnobChange, PortAction, Setting};

/// Actions kept and replayed at most (the lab's history keeps as many).
pub const ENTRIES_MAX: usize = 4_096;

/// Something the learner did to the running simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Knob(KnobChange),
    Port(PortAction),
    /// `.`: one traced transition.
    Step,
}

/// An action, at the virtual time it was made (just before it took effect).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub t_ns: u64,
    pub action: Action,
}

/// The longest run a share string may ask for (the CLI's own limit on `run --seconds`):
/// a string cannot make the lab compute for hours.
pub const MAX_T_NS: u64 = 3_600_000_000_000;

/// What every string starts with: the format's version is in it.
pub const PREFIX: &str = "ev1.";
/// Longest string read (a state with thousands of actions is not shared by hand).
pub const MAX_LEN: usize = 64 * 1024;

/// A state, as a share string holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub scenario: Config,
    /// Compare mode's knob (netback, throttle or late EOI), or free play.
    pub compare: Option<Knob>,
    pub entries: Vec<Entry>,
    pub t_ns: u64,
}

/// Why a string is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("a state string starts with '{PREFIX}' (this one starts with {0:?})")]
    Prefix(String),
    #[error("state string version {0}: this lab reads version 1 (a newer lab made it?)")]
    Version(String),
    #[error("character {pos} ({ch:?}) is not base64url (A-Z a-z 0-9 - _): cut or mistyped?")]
    Char { pos: usize, ch: char },
    #[error(
        "the last character ({ch:?}, character {pos}) is not one a lab writes: cut or mistyped?"
    )]
    LastChar { pos: usize, ch: char },
    #[error("the state string is {0} characters long; at most {MAX_LEN} are read")]
    TooLong(usize),
    #[error("the state string's checksum does not match: it was cut or changed")]
    Checksum,
    #[error("the state string ends inside its {0}: it was cut")]
    Truncated(&'static str),
    #[error("the state string's {field} is out of range ({value})")]
    Field { field: &'static str, value: u64 },
    #[error("the state string has {0} bytes after its end")]
    Trailing(usize),
}

impl State {
    pub fn encode(&self) -> String {
        let mut b = Vec::with_capacity(32 + self.entries.len() * 4);
        put_scenario(&mut b, &self.scenario);
        // 0: no compare mode; 1 + the knob's place in the knob table's compared knobs.
        b.push(self.compare.map_or(0, |k| 1 + index(&Knob::COMPARED, k)));
        put(&mut b, self.entries.len() as u64);
        let mut t = 0;
        for e in &self.entries {
            put(&mut b, e.t_ns - t);
            t = e.t_ns;
            match e.action {
                Action::Knob(change) => {
                    let s = change.setting();
                    b.push(knob_code(s.knob()));
                    put_value(&mut b, s);
                }
                Action::Port(PortAction::Notify) => b.push(4),
                Action::Port(PortAction::Mask) => b.push(5),
                Action::Port(PortAction::Unmask) => b.push(6),
                Action::Step => b.push(7),
            }
        }
        put(&mut b, self.t_ns - t);
        b.extend(fnv1a(&b).to_le_bytes());
        let mut s = String::from(PREFIX);
        base64url(&b, &mut s);
        s
    }

    pub fn decode(s: &str) -> Result<State, ShareError> {
        let s = s.trim();
        if s.len() > MAX_LEN {
            return Err(ShareError::TooLong(s.len()));
        }
        let Some(body) = s.strip_prefix(PREFIX) else {
            if let Some((v, _)) = s.strip_prefix("ev").and_then(|r| r.split_once('.'))
                && !v.is_empty()
                && v.bytes().all(|c| c.is_ascii_digit())
            {
                return Err(ShareError::Version(v.to_string()));
            }
            return Err(ShareError::Prefix(s.chars().take(PREFIX.len()).collect()));
        };
        let bytes = unbase64url(body, PREFIX.len())?;
        if bytes.len() < 4 {
            return Err(ShareError::Truncated("checksum"));
        }
        let (data, sum) = bytes.split_at(bytes.len() - 4);
        if fnv1a(data).to_le_bytes() != sum {
            return Err(ShareError::Checksum);
        }
        let mut r = Reader { b: data, at: 0 };
        let scenario = r.scenario()?;
        let compare = match r.byte("compare mode")? {
            0 => None,
            v => match Knob::COMPARED.get(usize::from(v) - 1) {
                Some(&k) => Some(k),
                None => {
                    return Err(ShareError::Field {
                        field: "compare mode",
                        value: u64::from(v),
                    });
                }
            },
        };
        let n = r.ranged("action count", 0, ENTRIES_MAX as u64)? as usize;
        let mut entries = Vec::with_capacity(n);
        let mut t = 0u64;
        for _ in 0..n {
            t = r.later(t, "action time")?;
            let action = r.action()?;
            entries.push(Entry { t_ns: t, action });
        }
        let t_ns = r.later(t, "time")?;
        if r.at != data.len() {
            return Err(ShareError::Trailing(data.len() - r.at));
        }
        Ok(State {
            scenario,
            compare,
            entries,
            t_ns,
        })
    }
}

/// The knobs the share string holds of each kind, in the knob table's order.
fn rows(kind: fn(&Values) -> bool) -> impl Iterator<Item = &'static KnobRow> {
    KNOBS.iter().filter(move |r| kind(&r.values))
}

fn named(v: &Values) -> bool {
    matches!(v, Values::Named(_))
}

fn switch(v: &Values) -> bool {
    matches!(v, Values::Switch)
}

fn number(v: &Values) -> bool {
    matches!(v, Values::Number { .. })
}

/// The scenario: each named knob's place in its list (a byte), the switches as the bits of
/// one byte, then the numbers (varints).
fn put_scenario(b: &mut Vec<u8>, c: &Config) {
    for r in rows(named) {
        put_value(b, r.knob.get(c));
    }
    let on = |r: &KnobRow| r.knob.get(c).as_switch() == Some(true);
    let bits = rows(switch).enumerate().map(|(i, r)| u8::from(on(r)) << i);
    b.push(bits.fold(0, |a, x| a | x));
    for r in rows(number) {
        put_value(b, r.knob.get(c));
    }
}

/// A knob's value: a name's place (a byte), a switch (0 or 1), a number (a varint).
fn put_value(b: &mut Vec<u8>, s: Setting) {
    match (s.index(), s.as_switch(), s.as_number()) {
        (Some(i), _, _) => b.push(i as u8),
        (_, Some(on), _) => b.push(u8::from(on)),
        (_, _, n) => put(b, n.unwrap_or(0)),
    }
}

/// The first byte of a live knob's action: its place among the live knobs; 4 to 7 are
/// the port actions and `.`, so the fifth live knob and on come after them.
fn knob_code(k: Knob) -> u8 {
    let i = live_knobs().position(|l| l == k).unwrap_or(0) as u8;
    if i < 4 { i } else { i + 4 }
}

/// The knobs a running simulation can change, in the knob enum's order.
fn live_knobs() -> impl Iterator<Item = Knob> {
    Knob::ALL.iter().copied().filter(|k| !k.restarts())
}

fn index<T: PartialEq>(all: &[T], v: T) -> u8 {
    all.iter().position(|x| *x == v).unwrap_or(0) as u8
}

fn put(b: &mut Vec<u8>, mut v: u64) {
    loop {
        let low = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            b.push(low);
            return;
        }
        b.push(low | 0x80);
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self, field: &'static str) -> Result<u8, ShareError> {
        let v = *self.b.get(self.at).ok_or(ShareError::Truncated(field))?;
        self.at += 1;
        Ok(v)
    }

    fn varint(&mut self, field: &'static str) -> Result<u64, ShareError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte(field)?;
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                break;
            }
            v |= part << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ShareError::Field {
            field,
            value: u64::MAX,
        })
    }

    fn ranged(&mut self, field: &'static str, lo: u64, hi: u64) -> Result<u64, ShareError> {
        let v = self.varint(field)?;
        if v < lo || v > hi {
            return Err(ShareError::Field { field, value: v });
        }
        Ok(v)
    }

    /// A time `t` plus a varint delta, within [`MAX_T_NS`].
    fn later(&mut self, t: u64, field: &'static str) -> Result<u64, ShareError> {
        let d = self.varint(field)?;
        match t.checked_add(d) {
            Some(v) if v <= MAX_T_NS => Ok(v),
            _ => Err(ShareError::Field { field, value: d }),
        }
    }

    /// The scenario [`put_scenario`] wrote.
    fn scenario(&mut self) -> Result<Config, ShareError> {
        let mut cfg = Config::default();
        for r in rows(named) {
            cfg = self.value(r)?.apply(cfg);
        }
        let flags = self.byte("switches")?;
        if u32::from(flags) >> rows(switch).count() != 0 {
            return Err(ShareError::Field {
                field: "switches",
                value: u64::from(flags),
            });
        }
        for (i, r) in rows(switch).enumerate() {
            let on = r.knob.switch(flags >> i & 1 != 0);
            cfg = on.map_or(cfg, |s| s.apply(cfg));
        }
        for r in rows(number) {
            cfg = self.value(r)?.apply(cfg);
        }
        Ok(cfg)
    }

    /// One action ([`State::encode`]).
    fn action(&mut self) -> Result<Action, ShareError> {
        let v = self.byte("action")?;
        let knob = match v {
            4 => return Ok(Action::Port(PortAction::Notify)),
            5 => return Ok(Action::Port(PortAction::Mask)),
            6 => return Ok(Action::Port(PortAction::Unmask)),
            7 => return Ok(Action::Step),
            0..4 => live_knobs().nth(usize::from(v)),
            _ => live_knobs().nth(usize::from(v) - 4),
        };
        let bad = ShareError::Field {
            field: "action",
            value: u64::from(v),
        };
        let knob = knob.ok_or(bad.clone())?;
        let change = self.value(knob.row())?.live();
        change.map(Action::Knob).ok_or(bad)
    }

    /// A knob's value ([`put_value`]); the field named as the knob is (a switch by its
    /// label).
    fn value(&mut self, r: &KnobRow) -> Result<Setting, ShareError> {
        let (k, field) = (r.knob, r.knob.name());
        let out = |value| ShareError::Field { field, value };
        match r.values {
            Values::Named(names) => {
                let i = self.byte(field)?;
                let name = names.get(usize::from(i)).ok_or(out(i.into()))?;
                k.parse(name).map_err(|_| out(i.into()))
            }
            Values::Switch => {
                let on = self.flag(k.label())?;
                k.switch(on).ok_or(out(u64::from(on)))
            }
            Values::Number { min, max } => {
                let n = self.ranged(field, min, max)?;
                k.number(n).ok_or(out(n))
            }
        }
    }

    fn flag(&mut self, field: &'static str) -> Result<bool, ShareError> {
        match self.byte(field)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(ShareError::Field {
                field,
                value: u64::from(v),
            }),
        }
    }
}

/// FNV-1a, 32 bits: catches a cut or mistyped string (not tampering; nothing to protect).
fn fnv1a(b: &[u8]) -> u32 {
    b.iter().fold(0x811c_9dc5u32, |h, &x| {
        (h ^ u32::from(x)).wrapping_mul(0x0100_0193)
    })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(b: &[u8], out: &mut String) {
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &x)| n | u32::from(x) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
}

/// The bytes of base64url text (no padding); `offset` places errors in the whole string.
fn unbase64url(s: &str, offset: usize) -> Result<Vec<u8>, ShareError> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut n, mut bits) = (0u32, 0u32);
    for (i, ch) in s.chars().enumerate() {
        let v = match ch {
            'A'..='Z' => ch as u32 - 'A' as u32,
            'a'..='z' => ch as u32 - 'a' as u32 + 26,
            '0'..='9' => ch as u32 - '0' as u32 + 52,
            '-' => 62,
            '_' => 63,
            _ => {
                return Err(ShareError::Char {
                    pos: offset + i + 1,
                    ch,
                });
            }
        };
        n = n << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((n >> bits) as u8);
            n &= (1 << bits) - 1;
        }
    }
    // A string of 6k+1 characters has a character too many: it was cut.
    if bits >= 6 {
        return Err(ShareError::Truncated("last byte"));
    }
    // The last character's unused bits are 0 in a string the lab wrote: one string per
    // state, and a change there is a change.
    if n != 0 {
        let last = s.chars().last().unwrap_or(' ');
        return Err(ShareError::LastChar {
            pos: offset + s.chars().count(),
            ch: last,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..20u8 {
            let b: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
            let mut s = String::new();
            base64url(&b, &mut s);
            assert_eq!(unbase64url(&s, 0).as_deref(), Ok(&b[..]), "{len}: {s}");
        }
    }

    #[test]
    fn a_state_without_actions_is_short() {
        let s = State {
            scenario: Config::default(),
            compare: None,
            entries: vec![],
            t_ns: 12_000_000_000,
        }
        .encode();
        assert!(s.len() < 40, "{s}");
        assert_eq!(State::decode(&s).map(|d| d.t_ns), Ok(12_000_000_000));
    }
}
