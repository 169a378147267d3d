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

use crate::sim::{
    Abi, Config, Direction, GuestKind, Knob, KnobChange, NetbackVariant, PortAction, knob,
};

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
        let c = &self.scenario;
        b.push(index(GuestKind::ALL, c.guest));
        b.push(index(Direction::ALL, c.direction));
        b.push(index(NetbackVariant::ALL, c.netback));
        b.push(index(Abi::ALL, c.abi));
        b.push(u8::from(c.throttle) | u8::from(c.lateeoi) << 1);
        put(&mut b, u64::from(c.hz));
        put(&mut b, u64::from(c.spurious_threshold));
        put(&mut b, c.seed);
        // 0: no compare mode; 1 + the knob's place in the knob table's compared knobs.
        b.push(self.compare.map_or(0, |k| 1 + index(&Knob::COMPARED, k)));
        put(&mut b, self.entries.len() as u64);
        let mut t = 0;
        for e in &self.entries {
            put(&mut b, e.t_ns - t);
            t = e.t_ns;
            match e.action {
                Action::Knob(KnobChange::Netback(v)) => {
                    b.extend([0, index(NetbackVariant::ALL, v)])
                }
                Action::Knob(KnobChange::Throttle(on)) => b.extend([1, u8::from(on)]),
                Action::Knob(KnobChange::LateEoi(on)) => b.extend([2, u8::from(on)]),
                Action::Knob(KnobChange::SpuriousThreshold(n)) => {
                    b.push(3);
                    put(&mut b, u64::from(n));
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
        let guest = r.pick("guest", GuestKind::ALL)?;
        let direction = r.pick("direction", Direction::ALL)?;
        let netback = r.pick("netback", NetbackVariant::ALL)?;
        let abi = r.pick("abi", Abi::ALL)?;
        let flags = r.byte("switches")?;
        if flags > 3 {
            return Err(ShareError::Field {
                field: "switches",
                value: u64::from(flags),
            });
        }
        let hz = r.ranged("hz", knob::HZ_MIN, knob::HZ_MAX)? as u32;
        let threshold = r.threshold()?;
        let seed = r.varint("seed")?;
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
            let action = match r.byte("action")? {
                0 => Action::Knob(KnobChange::Netback(r.pick("netback", NetbackVariant::ALL)?)),
                1 => Action::Knob(KnobChange::Throttle(r.flag(Knob::Throttle.label())?)),
                2 => Action::Knob(KnobChange::LateEoi(r.flag(Knob::LateEoi.label())?)),
                3 => Action::Knob(KnobChange::SpuriousThreshold(r.threshold()?)),
                4 => Action::Port(PortAction::Notify),
                5 => Action::Port(PortAction::Mask),
                6 => Action::Port(PortAction::Unmask),
                7 => Action::Step,
                v => {
                    return Err(ShareError::Field {
                        field: "action",
                        value: u64::from(v),
                    });
                }
            };
            entries.push(Entry { t_ns: t, action });
        }
        let t_ns = r.later(t, "time")?;
        if r.at != data.len() {
            return Err(ShareError::Trailing(data.len() - r.at));
        }
        Ok(State {
            scenario: Config {
                guest,
                direction,
                netback,
                abi,
                throttle: flags & 1 != 0,
                lateeoi: flags & 2 != 0,
                hz,
                spurious_threshold: threshold,
                seed,
                ..Config::default()
            },
            compare,
            entries,
            t_ns,
        })
    }
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

    fn threshold(&mut self) -> Result<u32, ShareError> {
        Ok(self.ranged("threshold", knob::THRESHOLD_MIN, knob::THRESHOLD_MAX)? as u32)
    }

    /// A time `t` plus a varint delta, within [`MAX_T_NS`].
    fn later(&mut self, t: u64, field: &'static str) -> Result<u64, ShareError> {
        let d = self.varint(field)?;
        match t.checked_add(d) {
            Some(v) if v <= MAX_T_NS => Ok(v),
            _ => Err(ShareError::Field { field, value: d }),
        }
    }

    fn pick<T: Copy>(&mut self, field: &'static str, all: &[T]) -> Result<T, ShareError> {
        let i = self.byte(field)?;
        all.get(usize::from(i)).copied().ok_or(ShareError::Field {
            field,
            value: u64::from(i),
        })
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
