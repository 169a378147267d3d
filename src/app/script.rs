//! Scripts: keys, by the names the key map shows, and waits in virtual time.
//!
//! ```text
//! ["t", "wait 2s", "b", "wait 500ms", "Enter"]
//! ```
//! One runner plays them for every user: lesson solutions (replayed by `lessons check` and
//! the tests), scenario files with knob changes mid-run, and demos. A key goes through the
//! same key map as a real key press, so a script can do exactly what a person can, and
//! nothing else. A wait lets virtual time pass in ticks of [`TICK_NS`] (`Msg::Elapse`), so
//! the run is the same on every machine.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Msg, keymap, update};

/// Virtual time between two looks at the app while a script waits (what a goal check or a
/// recorded frame sees): the lab's own tick at 1×.
pub const TICK_NS: u64 = 20_000_000;

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
        _ => Err(format!(
            "unknown key '{s}': a single character, space, Enter, Esc, Tab, Backspace, \
             Up, Down, Left, Right, or C-x for Ctrl-x"
        )),
    }
}

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

/// What the runner just did (for whoever watches: a goal check, a recorder, a caption).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Played {
    /// A key was pressed and did this.
    Key { key: KeyEvent, index: usize },
    /// One tick of a wait passed.
    Tick,
}

/// Why a script stopped early.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    #[error("item {index} ('{key}') does nothing here")]
    KeyDoesNothing { index: usize, key: String },
    #[error("item {index} ('{key}') is locked in this step: add it to unlock")]
    KeyLocked { index: usize, key: String },
}

/// Whether the watcher wants the script to go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// A script being played one item (one tick of a wait) at a time: the runner behind
/// [`play`], for callers that interleave the script with something else (a demo paces it
/// in real time and shows each key as it is pressed).
#[derive(Clone, Debug)]
pub struct Player {
    script: Script,
    /// The next item to play.
    next: usize,
    /// Virtual time still to pass in the wait at `next`, once it has started.
    left: Option<u64>,
    /// The item the last [`Player::step`] worked on.
    last: Option<usize>,
}

impl Player {
    pub fn new(script: &Script) -> Self {
        Player {
            script: script.clone(),
            next: 0,
            left: None,
            last: None,
        }
    }

    /// Whether every item has been played (or an error stopped the script).
    pub fn is_done(&self) -> bool {
        self.next >= self.script.items.len()
    }

    /// The item the last step played (a key, or the wait one of whose ticks passed).
    pub fn last_item(&self) -> Option<Item> {
        self.last.and_then(|i| self.script.items.get(i).copied())
    }

    /// Play the next key, or the next tick of the current wait (a wait of zero passes
    /// without a tick). `None` once the script is done; after an error, the script is done.
    pub fn step(&mut self, app: &mut App) -> Option<Result<Played, ScriptError>> {
        loop {
            let index = self.next;
            match *self.script.items.get(index)? {
                Item::Key(key) => {
                    self.next += 1;
                    self.last = Some(index);
                    let err = match keymap::msg_for_key(app, &key) {
                        None | Some(Msg::NoChoice(_)) => ScriptError::KeyDoesNothing {
                            index,
                            key: key_name(&key),
                        },
                        Some(Msg::Locked(_)) => ScriptError::KeyLocked {
                            index,
                            key: key_name(&key),
                        },
                        Some(msg) => {
                            update(app, msg);
                            return Some(Ok(Played::Key { key, index }));
                        }
                    };
                    self.next = self.script.items.len();
                    return Some(Err(err));
                }
                Item::Wait(ns) => {
                    let left = self.left.unwrap_or(ns);
                    if left == 0 {
                        self.left = None;
                        self.next += 1;
                        continue;
                    }
                    let d = left.min(TICK_NS);
                    update(app, Msg::Elapse { ns: d });
                    self.last = Some(index);
                    if left == d {
                        self.left = None;
                        self.next += 1;
                    } else {
                        self.left = Some(left - d);
                    }
                    return Some(Ok(Played::Tick));
                }
            }
        }
    }
}

/// Play `script` on `app` from its current state. `watch` sees the app after every key and
/// every tick of a wait, and may stop the script. Returns whether the script ran to its end.
pub fn play(
    app: &mut App,
    script: &Script,
    mut watch: impl FnMut(&mut App, Played) -> Flow,
) -> Result<bool, ScriptError> {
    let mut player = Player::new(script);
    while let Some(played) = player.step(app) {
        if watch(app, played?) == Flow::Stop {
            return Ok(false);
        }
    }
    Ok(true)
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

    /// The player makes one move at a time: a key, or one tick of a wait (a zero wait
    /// none); after an error it is done.
    #[test]
    fn the_player_plays_one_item_or_tick_at_a_time() {
        use crate::app::{App, Options};
        use crate::sim::Config;
        let mut app = App::new(Options::free(Config::default()));
        // `k` does nothing in free play (it picks compare mode's knob).
        let s = Script::parse(&["wait 0s", "b", "wait 50ms", "k"]).unwrap();
        let mut p = Player::new(&s);
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(
            p.step(&mut app),
            Some(Ok(Played::Key {
                key: key('b'),
                index: 1
            }))
        );
        assert_eq!(p.last_item(), Some(Item::Key(key('b'))));
        for _ in 0..3 {
            assert_eq!(p.step(&mut app), Some(Ok(Played::Tick)));
            assert_eq!(p.last_item(), Some(Item::Wait(50_000_000)));
        }
        assert_eq!(app.lane.now_ns(), 50_000_000, "20 + 20 + 10 ms");
        assert!(matches!(
            p.step(&mut app),
            Some(Err(ScriptError::KeyDoesNothing { index: 3, .. }))
        ));
        assert!(p.is_done());
        assert_eq!(p.step(&mut app), None);
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
