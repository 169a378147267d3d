//! Scripts: keys, by the names the key map shows, and waits in virtual time.
//!
//! ```text
//! ["t", "wait 2s", "b", "wait 500ms", "Enter"]
//! ```
//! One runner plays them for every user: lesson solutions (replayed by `lessons check` and
//! the tests), scenario files with knob changes mid-run, and demos. A key goes through the
//! same key map as a real key press, so a script can do exactly what a person can, and
//! nothing else. A wait lets virtual time pass in ticks (`Msg::Elapse`), so the run is the
//! same on every machine. This module is the scripts as data; `app::player` plays them.

use std::fmt;

pub mod share;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One item of a script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// A key press.
    Key(KeyEvent),
    /// Let this much virtual time pass (nothing passes while the lab is paused).
    Wait(u64),
}

/// How a key is named in scripts and lesson files: a character (`b`, `.`, `[`), or
/// `space`, `Enter`, `Esc`, `Tab`, `Backspace`, `Up`, `Down`, `Left`, `Right`, and `C-x`
/// for Ctrl-x.
pub fn parse_key(s: &str) -> Result<KeyEvent, String> {
    let plain = |code| Ok(KeyEvent::new(code, KeyModifiers::NONE));
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => return plain(KeyCode::Char(c)),
        _ if s.len() == 3 && s.starts_with("C-") => {
            let c = s.chars().nth(2).unwrap_or(' ');
            return Ok(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
        }
        _ => {}
    }
    match s {
        "space" => plain(KeyCode::Char(' ')),
        "Enter" => plain(KeyCode::Enter),
        "Esc" => plain(KeyCode::Esc),
        "Tab" => plain(KeyCode::Tab),
        "Backspace" => plain(KeyCode::Backspace),
        "Up" => plain(KeyCode::Up),
        "Down" => plain(KeyCode::Down),
        "Left" => plain(KeyCode::Left),
        "Right" => plain(KeyCode::Right),
        _ => Err(match crate::diag::closest(s, KEY_NAMES) {
            Some(k) => format!("unknown key '{s}': did you mean '{k}'?"),
            None => format!(
                "unknown key '{s}': a single character, space, Enter, Esc, Tab, Backspace, \
                 Up, Down, Left, Right, or C-x for Ctrl-x"
            ),
        }),
    }
}

/// The keys with names longer than one character.
const KEY_NAMES: &[&str] = &[
    "space",
    "Enter",
    "Esc",
    "Tab",
    "Backspace",
    "Up",
    "Down",
    "Left",
    "Right",
];

/// The name of a key, as [`parse_key`] reads it.
pub fn key_name(k: &KeyEvent) -> String {
    match k.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) if k.modifiers.contains(KeyModifiers::CONTROL) => format!("C-{c}"),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::Backspace => "Backspace".to_string(),
        KeyCode::Up => "Up".to_string(),
        KeyCode::Down => "Down".to_string(),
        KeyCode::Left => "Left".to_string(),
        KeyCode::Right => "Right".to_string(),
        other => format!("{other:?}"),
    }
}

/// A duration of virtual time: `2s`, `1.5s`, `500ms`, `250us`, `40ns`.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s.contains(char::is_whitespace) {
        return Err(format!(
            "'{s}' has a space in it: write the number and its unit together, like {}",
            s.split_whitespace().collect::<String>()
        ));
    }
    let (num, scale) = [
        ("ms", 1e6),
        ("us", 1e3),
        ("µs", 1e3),
        ("ns", 1.0),
        ("s", 1e9),
    ]
    .iter()
    .find_map(|&(unit, scale)| s.strip_suffix(unit).map(|n| (n, scale)))
    .ok_or_else(|| format!("'{s}' is not a duration: write it like 2s, 1.5s or 500ms"))?;
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a duration: write it like 2s, 1.5s or 500ms"))?;
    if !(v.is_finite() && v >= 0.0 && v * scale <= 3600e9) {
        return Err(format!("'{s}' is out of range: 0 to 3600s"));
    }
    Ok((v * scale).round() as u64)
}

impl std::str::FromStr for Item {
    type Err = String;

    /// `wait 2s`, or a key name.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.strip_prefix("wait ") {
            Some(d) => parse_duration(d).map(Item::Wait),
            None => parse_key(s).map(Item::Key),
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Key(k) => f.write_str(&key_name(k)),
            Item::Wait(ns) if ns % 1_000_000_000 == 0 => write!(f, "wait {}s", ns / 1_000_000_000),
            Item::Wait(ns) if ns % 1_000_000 == 0 => write!(f, "wait {}ms", ns / 1_000_000),
            Item::Wait(ns) => write!(f, "wait {}us", ns / 1_000),
        }
    }
}

/// A parsed script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub items: Vec<Item>,
}

impl Script {
    /// Parse every item; the error names the first bad one (0-based index).
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Script, (usize, String)> {
        items
            .iter()
            .enumerate()
            .map(|(i, s)| s.as_ref().parse::<Item>().map_err(|e| (i, e)))
            .collect::<Result<Vec<_>, _>>()
            .map(|items| Script { items })
    }

    /// The keys with the virtual time (from the start of the script) at which each is
    /// pressed, assuming the lab runs throughout.
    pub fn timeline(&self) -> Vec<(u64, KeyEvent)> {
        let mut t = 0;
        let mut out = Vec::with_capacity(self.items.len());
        for item in &self.items {
            match *item {
                Item::Wait(ns) => t += ns,
                Item::Key(k) => out.push((t, k)),
            }
        }
        out
    }

    /// Virtual time the script's waits add up to.
    pub fn duration_ns(&self) -> u64 {
        self.items
            .iter()
            .map(|i| match i {
                Item::Wait(ns) => *ns,
                Item::Key(_) => 0,
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_parse_and_print_back() {
        for s in [
            "t",
            "wait 2s",
            "wait 500ms",
            "space",
            "Enter",
            ".",
            "C-c",
            "[",
            "wait 250us",
        ] {
            let item: Item = s.parse().unwrap();
            assert_eq!(item.to_string(), s);
        }
        assert_eq!("wait 1.5s".parse(), Ok(Item::Wait(1_500_000_000)));
        assert!(
            "wait soon"
                .parse::<Item>()
                .unwrap_err()
                .contains("not a duration")
        );
        assert!("wait 2h".parse::<Item>().is_err());
        assert!(
            "Return"
                .parse::<Item>()
                .unwrap_err()
                .contains("unknown key 'Return'")
        );
    }

    #[test]
    fn timeline_puts_keys_at_their_virtual_times() {
        let s = Script::parse(&["b", "wait 2s", "t", "wait 500ms", "space"]).unwrap();
        let times: Vec<u64> = s.timeline().iter().map(|(t, _)| *t).collect();
        assert_eq!(times, vec![0, 2_000_000_000, 2_500_000_000]);
        assert_eq!(s.duration_ns(), 2_500_000_000);
        assert_eq!(Script::parse(&["b", "nope"]).unwrap_err().0, 1);
    }
}
