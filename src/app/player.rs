//! The script player: one runner for every script (lesson solutions replayed by
//! `lessons check` and the tests, scenario files with knob changes mid-run, demos). A key
//! goes through the same key map as a real key press; a wait lets virtual time pass in
//! ticks of [`TICK_NS`] (`Msg::Elapse`).

use crossterm::event::KeyEvent;

use super::{App, Msg, keymap, update};
use crate::script::{Item, Script, key_name};

/// Virtual time between two looks at the app while a script waits (what a goal check or a
/// recorded frame sees): the lab's own tick at 1×.
pub const TICK_NS: u64 = 20_000_000;

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
    /// `index` counts from 0; the message counts from 1, as people do.
    #[error("item {} ('{key}') does nothing here", index + 1)]
    KeyDoesNothing { index: usize, key: String },
    #[error("item {} ('{key}') is locked in this step: add \"{unlock}\" to unlock", index + 1)]
    KeyLocked {
        index: usize,
        key: String,
        /// What the step's `unlock` needs for the key to work (`threshold`, `port`).
        unlock: String,
    },
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
                        Some(Msg::Locked(u)) => ScriptError::KeyLocked {
                            index,
                            key: key_name(&key),
                            unlock: u.name().to_string(),
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

/// Play `script` (a step's reference keys: [`crate::lesson::Step::reference_script`]) until
/// the lesson step on screen is done; whether it is.
pub fn play_until_met(app: &mut App, script: &Script) -> Result<bool, ScriptError> {
    play(app, script, |a, _| {
        if a.step_met() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    })?;
    Ok(app.step_met())
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::script::Item;

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
}
