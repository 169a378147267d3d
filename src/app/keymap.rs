//! The key map: ONE table from keys to commands. The footer hints, the `?` help overlay, the
//! key handler, the clickable knobs and scripts all go through it, so they cannot disagree.
//!
//! A row holds a [`Cmd`]: what the key means ("flip the throttle"). [`Cmd::resolve`] turns
//! it into an absolute [`Msg`] for the current state ("throttle off"), so `update` only
//! ever sees changes that mean the same whatever state they arrive in.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{App, Msg, Overlay, Page, View};
use crate::lesson::Unlock;
use crate::sim::{Knob, Setting};
use crate::sim::{KnobChange, PortAction, knob};

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// The start screen (the list of lessons).
    Start,
    /// Free play, no overlay.
    Free,
    /// Compare mode, no overlay.
    Compare,
    /// A lesson, no overlay.
    Lesson,
    /// A lesson step whose question waits for a choice: the lab is frozen.
    Choose,
    /// A lesson step whose question waits for a number to be typed: the lab is frozen.
    Type,
    /// The help overlay is open.
    Help,
    /// The glossary overlay is open.
    Glossary,
    /// The share string is shown.
    Share,
    /// Explain mode: the cursor over the panes' rows.
    Explain,
    /// A demo plays (`evtchn-lab demo`): the lab's own keys are the demo's to press; these
    /// keys steer the demo. Never the context of an [`App`] itself: the demo's loop looks
    /// keys up here, and the solution's keys go through the app's context as usual.
    Demo,
}

impl Ctx {
    pub const ALL: [Ctx; 11] = [
        Ctx::Start,
        Ctx::Free,
        Ctx::Compare,
        Ctx::Lesson,
        Ctx::Choose,
        Ctx::Type,
        Ctx::Help,
        Ctx::Glossary,
        Ctx::Share,
        Ctx::Explain,
        Ctx::Demo,
    ];

    pub fn of(app: &App) -> Ctx {
        match app.overlay {
            Overlay::Help => Ctx::Help,
            Overlay::Glossary => Ctx::Glossary,
            Overlay::Share => Ctx::Share,
            Overlay::Explain => Ctx::Explain,
            Overlay::None => Ctx::beneath(app),
        }
    }

    /// The context under any overlay (what the help lists).
    pub fn beneath(app: &App) -> Ctx {
        match (app.page, &app.view) {
            (Page::Start { .. }, _) => Ctx::Start,
            (Page::Lab, View::Free) => Ctx::Free,
            (Page::Lab, View::Compare(_)) => Ctx::Compare,
            (Page::Lab, View::Lesson(_)) => match app.open_question() {
                Some(super::QuestionKind::Choice) => Ctx::Choose,
                Some(super::QuestionKind::Number) => Ctx::Type,
                None => Ctx::Lesson,
            },
        }
    }
}

pub use crate::sim::knob::HZ_CHOICES;

/// A key with its modifiers. For character keys SHIFT is ignored when matching (terminals
/// disagree on whether `+` or `?` come with SHIFT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

impl Key {
    fn matches(&self, ev: &KeyEvent) -> bool {
        let mods = match ev.code {
            KeyCode::Char(_) => ev.modifiers - KeyModifiers::SHIFT,
            _ => ev.modifiers,
        };
        let code = match ev.code {
            // Some terminals send SHIFT+char as the lower-case letter with SHIFT.
            KeyCode::Char(c)
                if ev.modifiers.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() =>
            {
                KeyCode::Char(c.to_ascii_uppercase())
            }
            c => c,
        };
        self.code == code && self.mods == mods
    }
}

/// What a key means.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cmd {
    /// Flip a switch (netback, throttle, late EOI), or move a kind to its next value
    /// (guest, direction): a new run for those.
    Toggle(Knob),
    /// Move a knob to its next value in its whole list (netback's five conditions, where
    /// [`Cmd::Toggle`] flips shipped ⇄ upstream).
    Next(Knob),
    /// `spurious_threshold` one down / up.
    Threshold(i8),
    /// A message that needs nothing from the state.
    Do(Msg),
    /// Steers a demo (not a message to the app).
    Demo(DemoCmd),
}

/// What a key does to a demo that plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoCmd {
    /// Stop the demo's clock (and the lab with it), or start it again.
    PauseResume,
    /// The rest of this step at once, then on to the next step.
    Skip,
}

impl Cmd {
    /// The knob this command changes, if any.
    pub fn knob(self) -> Option<Knob> {
        match self {
            Cmd::Toggle(k) | Cmd::Next(k) => Some(k),
            Cmd::Threshold(_) => Some(Knob::Threshold),
            Cmd::Do(_) | Cmd::Demo(_) => None,
        }
    }

    /// What a lesson must unlock for this command to work, if anything.
    pub fn needs(self) -> Option<Unlock> {
        match self {
            Cmd::Do(Msg::Port(_)) => Some(Unlock::Port),
            c => c.knob().map(Unlock::Knob),
        }
    }

    /// The absolute message this command means now, or `None` when it would change nothing
    /// (the threshold at the end of its range, a digit on a step without a question). In a
    /// lesson, a locked knob's key means [`Msg::Locked`].
    pub fn resolve(self, app: &App) -> Option<Msg> {
        if let Some(u) = self.needs()
            && !app.unlocked(u)
        {
            return Some(Msg::Locked(u));
        }
        if let Cmd::Do(Msg::Answer(n)) = self {
            let (l, i) = app.current_lesson()?;
            let choices = l.steps[i].quiz_choices()?;
            return Some(if usize::from(n) <= choices {
                Msg::Answer(n)
            } else {
                Msg::NoChoice(n)
            });
        }
        self.resolve_unlocked(app)
    }

    fn resolve_unlocked(self, app: &App) -> Option<Msg> {
        let cfg = *app.config();
        let set = |s: Setting| match s.live() {
            Some(change) => Msg::Set(change),
            None => Msg::Restart(s.apply(cfg)),
        };
        match self {
            Cmd::Do(m) => Some(m),
            Cmd::Demo(_) => None,
            Cmd::Next(k) => Some(set(match k.get(&cfg) {
                Setting::Netback(v) => Setting::Netback(v.next()),
                other => other.flipped(),
            })),
            Cmd::Toggle(k) => Some(set(k.get(&cfg).flipped())),
            Cmd::Threshold(d) => {
                let t = i64::from(cfg.spurious_threshold);
                let lo = knob::THRESHOLD_MIN as i64;
                let hi = knob::THRESHOLD_MAX as i64;
                let n = (t + i64::from(d)).clamp(lo, hi);
                (n != t).then_some(Msg::Set(KnobChange::SpuriousThreshold(n as u32)))
            }
        }
    }
}

/// One row of the key map.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// How the key(s) are written in the footer and help: `b`, `[ ]`, `space`.
    pub shown: &'static str,
    /// Short footer label.
    pub label: &'static str,
    /// The help overlay's line.
    pub help: &'static str,
    /// The keys and what each means.
    pub keys: &'static [(Key, Cmd)],
    /// Where the binding applies (and is shown).
    pub contexts: &'static [Ctx],
    /// Footer priority when space is short (0 = always shown; larger drops first).
    pub footer_rank: u8,
}

impl Binding {
    pub fn active_in(&self, ctx: Ctx) -> bool {
        self.contexts.contains(&ctx)
    }
}

/// Wherever the simulation is on screen.
const LAB: &[Ctx] = &[Ctx::Free, Ctx::Compare, Ctx::Lesson];
/// Free play and compare mode (not in lessons, which have their own reset and layout).
const PLAY: &[Ctx] = &[Ctx::Free, Ctx::Compare];
const ANY: &[Ctx] = &Ctx::ALL;
/// Everywhere but a demo (which has no help overlay: its keys are all in the key bar).
const NOT_DEMO: &[Ctx] = &[
    Ctx::Start,
    Ctx::Free,
    Ctx::Compare,
    Ctx::Lesson,
    Ctx::Choose,
    Ctx::Type,
    Ctx::Help,
    Ctx::Glossary,
    Ctx::Share,
    Ctx::Explain,
];
/// An overlay is open.
const OVERLAY: &[Ctx] = &[Ctx::Help, Ctx::Glossary, Ctx::Share];
/// A lesson, whether a question is open or not.
const LESSON: &[Ctx] = &[Ctx::Lesson, Ctx::Choose, Ctx::Type];
/// Wherever the simulation is on screen, a frozen question included.
const LAB_ANY: &[Ctx] = &[Ctx::Free, Ctx::Compare, Ctx::Lesson, Ctx::Choose, Ctx::Type];
/// Wherever the simulation is on screen, and explain mode over it (pausing to read a row).
const LAB_EXPLAIN: &[Ctx] = &[Ctx::Free, Ctx::Compare, Ctx::Lesson, Ctx::Explain];

const fn explain(cmd: super::explain::Cmd) -> Cmd {
    Cmd::Do(Msg::Explain(cmd))
}

const fn explain_move(dx: i8, dy: i8) -> Cmd {
    explain(super::explain::Cmd::Move { dx, dy })
}

const fn typed(c: char) -> (Key, Cmd) {
    (ch(c), Cmd::Do(Msg::Type(c)))
}

const fn digit(n: u8) -> (Key, Cmd) {
    (ch((b'0' + n) as char), Cmd::Do(Msg::Answer(n)))
}

/// The key map.
pub static KEYMAP: &[Binding] = &[
    Binding {
        shown: "b",
        label: "OR⇄AND",
        help: "netback condition: buggy (!tx | !rx) ⇄ fixed (!tx && !rx)",
        keys: &[(ch('b'), Cmd::Toggle(Knob::Netback))],
        contexts: LAB,
        footer_rank: 1,
    },
    Binding {
        shown: "o",
        label: "condition",
        help: "netback condition, all five in turn: | → || → && → & → upstream",
        keys: &[(ch('o'), Cmd::Next(Knob::Netback))],
        contexts: LAB,
        footer_rank: 7,
    },
    Binding {
        shown: "t",
        label: "throttle",
        help: "throttle (XSA-332 patch 12, \"block rogue events\") on/off",
        keys: &[(ch('t'), Cmd::Toggle(Knob::Throttle))],
        contexts: LAB,
        footer_rank: 2,
    },
    Binding {
        shown: "l",
        label: "late EOI",
        help: "late EOI (the XSA-332 patches) on/off; off = classic, no throttle",
        keys: &[(ch('l'), Cmd::Toggle(Knob::LateEoi))],
        contexts: LAB,
        footer_rank: 4,
    },
    Binding {
        shown: "g",
        label: "guest",
        help: "guest freebsd → linux → rogue → idle (restarts at t = 0, same seed)",
        keys: &[(ch('g'), Cmd::Toggle(Knob::Guest))],
        contexts: LAB,
        footer_rank: 3,
    },
    Binding {
        shown: "d",
        label: "direction",
        help: "direction: tx (guest sends) ⇄ rx (guest receives); restarts",
        keys: &[(ch('d'), Cmd::Toggle(Knob::Direction))],
        contexts: LAB,
        footer_rank: 4,
    },
    Binding {
        shown: "a",
        label: "ABI",
        help: "dom0's event channels: 2-level ⇄ FIFO ABI; restarts",
        keys: &[(ch('a'), Cmd::Toggle(Knob::Abi))],
        contexts: LAB,
        footer_rank: 7,
    },
    Binding {
        shown: "[ ]",
        label: "threshold",
        help: "spurious_threshold − / + (0…64; 0 acts as 1); 5.12, the story had 1",
        keys: &[(ch('['), Cmd::Threshold(-1)), (ch(']'), Cmd::Threshold(1))],
        contexts: LAB,
        footer_rank: 5,
    },
    Binding {
        shown: "z",
        label: "HZ",
        help: "dom0 HZ 100 → 250 → 300 → 1000 (a jiffy is 1/HZ s; restarts)",
        keys: &[(ch('z'), Cmd::Toggle(Knob::Hz))],
        contexts: LAB,
        footer_rank: 7,
    },
    Binding {
        shown: "n m u",
        label: "port",
        help: "port 5 by hand: n guest notifies · m dom0 masks · u dom0 unmasks",
        keys: &[
            (ch('n'), Cmd::Do(Msg::Port(PortAction::Notify))),
            (ch('m'), Cmd::Do(Msg::Port(PortAction::Mask))),
            (ch('u'), Cmd::Do(Msg::Port(PortAction::Unmask))),
        ],
        contexts: LAB,
        footer_rank: 6,
    },
    Binding {
        shown: "space",
        label: "pause",
        help: "pause / resume the simulation",
        keys: &[(ch(' '), Cmd::Do(Msg::TogglePause))],
        contexts: LAB_EXPLAIN,
        footer_rank: 2,
    },
    Binding {
        shown: ".",
        label: "step",
        help: "step exactly one transition (pauses first)",
        keys: &[(ch('.'), Cmd::Do(Msg::Step))],
        contexts: LAB_EXPLAIN,
        footer_rank: 3,
    },
    Binding {
        shown: "< >",
        label: "rewind",
        help: "rewind: back / forward 1 s of virtual time (pauses first; runs on the same)",
        keys: &[
            (ch('<'), Cmd::Do(Msg::Rewind)),
            (ch('>'), Cmd::Do(Msg::Forward)),
        ],
        contexts: LAB,
        footer_rank: 8,
    },
    Binding {
        shown: "x",
        label: "explain",
        help: "explain rows: what each is, who changes it, why it reads so now",
        keys: &[(ch('x'), explain(super::explain::Cmd::Toggle))],
        contexts: &[Ctx::Free, Ctx::Lesson],
        // Last to get room in a full bar: the help lists it.
        footer_rank: 9,
    },
    Binding {
        shown: "↑ ↓ ← →",
        label: "row",
        help: "explain: the cursor to the next row (also k j h l; a click picks a row)",
        keys: &[
            (code(KeyCode::Up), explain_move(0, -1)),
            (code(KeyCode::Down), explain_move(0, 1)),
            (code(KeyCode::Left), explain_move(-1, 0)),
            (code(KeyCode::Right), explain_move(1, 0)),
            (ch('k'), explain_move(0, -1)),
            (ch('j'), explain_move(0, 1)),
            (ch('h'), explain_move(-1, 0)),
            (ch('l'), explain_move(1, 0)),
        ],
        contexts: &[Ctx::Explain],
        footer_rank: 0,
    },
    Binding {
        shown: "x Esc",
        label: "leave",
        help: "explain: leave (the lab's keys again)",
        keys: &[
            (ch('x'), explain(super::explain::Cmd::Toggle)),
            (code(KeyCode::Esc), explain(super::explain::Cmd::Toggle)),
        ],
        contexts: &[Ctx::Explain],
        footer_rank: 0,
    },
    Binding {
        shown: "s",
        label: "share",
        help: "share: a string for this state (evtchn-lab free --state STRING)",
        keys: &[(ch('s'), Cmd::Do(Msg::ToggleShare))],
        contexts: &[Ctx::Free, Ctx::Compare, Ctx::Share],
        footer_rank: 8,
    },
    Binding {
        shown: "+ -",
        label: "speed",
        help: "speed of virtual time: 1/1000× … 1× … 100× real time",
        keys: &[
            (ch('+'), Cmd::Do(Msg::SpeedUp)),
            (ch('='), Cmd::Do(Msg::SpeedUp)),
            (ch('-'), Cmd::Do(Msg::SpeedDown)),
            (ch('_'), Cmd::Do(Msg::SpeedDown)),
        ],
        contexts: LAB,
        footer_rank: 3,
    },
    Binding {
        shown: "c",
        label: "compare",
        help: "compare mode on/off: two lanes, same seed, one knob different",
        keys: &[(ch('c'), Cmd::Do(Msg::ToggleCompare))],
        contexts: PLAY,
        footer_rank: 2,
    },
    Binding {
        shown: "k",
        label: "knob A/B",
        help: "compare mode: the knob that differs, netback → throttle → late EOI",
        keys: &[(ch('k'), Cmd::Do(Msg::CycleCompareKnob))],
        contexts: &[Ctx::Compare],
        footer_rank: 2,
    },
    Binding {
        shown: "r",
        label: "reset",
        help: "reset: the starting scenario again, at t = 0",
        keys: &[(ch('r'), Cmd::Do(Msg::Reset))],
        contexts: PLAY,
        footer_rank: 5,
    },
    Binding {
        shown: "Enter",
        label: "next step",
        help: "lesson: the next step, once the goal is met (after the last: the list)",
        keys: &[(code(KeyCode::Enter), Cmd::Do(Msg::NextStep))],
        contexts: &[Ctx::Lesson],
        footer_rank: 0,
    },
    Binding {
        shown: "h",
        label: "hint",
        help: "lesson: one more hint (a nudge first, the key last)",
        keys: &[(ch('h'), Cmd::Do(Msg::Hint))],
        contexts: LESSON,
        footer_rank: 1,
    },
    Binding {
        shown: "1-5",
        label: "answer",
        help: "lesson: answer the question with that choice",
        keys: &[digit(1), digit(2), digit(3), digit(4), digit(5)],
        contexts: &[Ctx::Choose, Ctx::Lesson],
        footer_rank: 1,
    },
    Binding {
        shown: "0-9 .",
        label: "type",
        help: "lesson: type your number (digits, a point; commas are ignored)",
        keys: &[
            typed('0'),
            typed('1'),
            typed('2'),
            typed('3'),
            typed('4'),
            typed('5'),
            typed('6'),
            typed('7'),
            typed('8'),
            typed('9'),
            typed('.'),
            typed(','),
            typed('-'),
        ],
        contexts: &[Ctx::Type],
        footer_rank: 0,
    },
    Binding {
        shown: "Backspace",
        label: "erase",
        help: "lesson: erase the last character typed",
        keys: &[(code(KeyCode::Backspace), Cmd::Do(Msg::Erase))],
        contexts: &[Ctx::Type],
        footer_rank: 1,
    },
    Binding {
        shown: "Enter",
        label: "submit",
        help: "lesson: submit the number typed (too high or too low says which way to go)",
        keys: &[(code(KeyCode::Enter), Cmd::Do(Msg::Submit))],
        contexts: &[Ctx::Type],
        footer_rank: 0,
    },
    Binding {
        shown: "p",
        label: "prev",
        help: "lesson: the previous step, as it began",
        keys: &[(ch('p'), Cmd::Do(Msg::PrevStep))],
        contexts: LESSON,
        footer_rank: 4,
    },
    Binding {
        shown: "R",
        label: "restart step",
        help: "lesson: this step again, as it began",
        keys: &[(ch('R'), Cmd::Do(Msg::RestartStep))],
        contexts: LESSON,
        footer_rank: 4,
    },
    Binding {
        shown: "S",
        label: "solution",
        help: "lesson: show the reference solution (asks first)",
        keys: &[(ch('S'), Cmd::Do(Msg::ShowSolution))],
        contexts: LESSON,
        footer_rank: 5,
    },
    Binding {
        shown: "PgUp PgDn",
        label: "scroll",
        help: "lesson: scroll the lesson text",
        keys: &[
            (code(KeyCode::PageUp), Cmd::Do(Msg::Scroll(-1))),
            (code(KeyCode::PageDown), Cmd::Do(Msg::Scroll(1))),
        ],
        contexts: LESSON,
        footer_rank: 8,
    },
    Binding {
        shown: "e",
        label: "whole run",
        help: "Counters: since the last knob change or step start ⇄ the entire run",
        keys: &[(ch('e'), Cmd::Do(Msg::ToggleCountersSpan))],
        contexts: LAB_ANY,
        footer_rank: 8,
    },
    Binding {
        shown: "↑ ↓",
        label: "choose",
        help: "choose a lesson (also k and j)",
        keys: &[
            (code(KeyCode::Up), Cmd::Do(Msg::MenuMove(-1))),
            (code(KeyCode::Down), Cmd::Do(Msg::MenuMove(1))),
            (ch('k'), Cmd::Do(Msg::MenuMove(-1))),
            (ch('j'), Cmd::Do(Msg::MenuMove(1))),
        ],
        contexts: &[Ctx::Start],
        footer_rank: 0,
    },
    Binding {
        shown: "Enter",
        label: "open",
        help: "open the chosen lesson where you left it (or free play)",
        keys: &[(code(KeyCode::Enter), Cmd::Do(Msg::MenuOpen))],
        contexts: &[Ctx::Start],
        footer_rank: 0,
    },
    Binding {
        shown: "f",
        label: "free play",
        help: "free play: every knob, no lesson",
        keys: &[(ch('f'), Cmd::Do(Msg::OpenFree))],
        contexts: &[Ctx::Start],
        footer_rank: 0,
    },
    Binding {
        shown: "v",
        label: "panes",
        help: "show the panes there is no room for, one a press, then none",
        keys: &[(ch('v'), Cmd::Do(Msg::CyclePanes))],
        contexts: LAB_ANY,
        footer_rank: 4,
    },
    Binding {
        shown: "Esc",
        label: "lessons",
        help: "back to the list of lessons (progress is kept)",
        keys: &[(code(KeyCode::Esc), Cmd::Do(Msg::Back))],
        contexts: LAB_ANY,
        footer_rank: 1,
    },
    Binding {
        shown: "↑ ↓",
        label: "scroll",
        help: "scroll the help or the glossary (they scroll when the terminal is short)",
        keys: &[
            (code(KeyCode::Up), Cmd::Do(Msg::Scroll(-1))),
            (code(KeyCode::Down), Cmd::Do(Msg::Scroll(1))),
            (code(KeyCode::PageUp), Cmd::Do(Msg::Scroll(-8))),
            (code(KeyCode::PageDown), Cmd::Do(Msg::Scroll(8))),
        ],
        contexts: OVERLAY,
        footer_rank: 0,
    },
    Binding {
        shown: "?",
        label: "help",
        help: "this help (again to close)",
        keys: &[(ch('?'), Cmd::Do(Msg::ToggleHelp))],
        contexts: NOT_DEMO,
        footer_rank: 0,
    },
    Binding {
        shown: "w",
        label: "glossary",
        help: "glossary: every term, defined (this step's first; again to close)",
        keys: &[(ch('w'), Cmd::Do(Msg::ToggleGlossary))],
        contexts: NOT_DEMO,
        footer_rank: 7,
    },
    Binding {
        shown: "Esc",
        label: "close",
        help: "close the help, the glossary or the share string",
        keys: &[(code(KeyCode::Esc), Cmd::Do(Msg::CloseOverlay))],
        contexts: OVERLAY,
        footer_rank: 0,
    },
    Binding {
        shown: "space",
        label: "pause demo",
        help: "demo: pause / resume (the lab and the demo's clock stop together)",
        keys: &[(ch(' '), Cmd::Demo(DemoCmd::PauseResume))],
        contexts: &[Ctx::Demo],
        footer_rank: 0,
    },
    Binding {
        shown: "Enter",
        label: "next step",
        help: "demo: skip to the next step (the rest of this one plays at once; also n)",
        // Enter as in a lesson; `n` too, which notifies only in a lesson, not in a demo.
        keys: &[
            (code(KeyCode::Enter), Cmd::Demo(DemoCmd::Skip)),
            (ch('n'), Cmd::Demo(DemoCmd::Skip)),
        ],
        contexts: &[Ctx::Demo],
        footer_rank: 0,
    },
    Binding {
        shown: "q",
        label: "quit",
        help: "quit (also Ctrl-C; Ctrl-Z suspends); the terminal is restored",
        keys: &[
            (ch('q'), Cmd::Do(Msg::Quit)),
            (ctrl('c'), Cmd::Do(Msg::Quit)),
        ],
        contexts: ANY,
        footer_rank: 0,
    },
];

/// The bindings that apply in `ctx`, in table order.
pub fn bindings(ctx: Ctx) -> impl Iterator<Item = &'static Binding> {
    KEYMAP.iter().filter(move |b| b.active_in(ctx))
}

/// Look a key up in the table: what it means in `ctx`.
pub fn cmd_for_key(ctx: Ctx, key: &KeyEvent) -> Option<Cmd> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    bindings(ctx)
        .flat_map(|b| b.keys.iter())
        .find(|(k, _)| k.matches(key))
        .map(|&(_, c)| c)
}

/// What a key press does to `app` now, if anything.
pub fn msg_for_key(app: &App, key: &KeyEvent) -> Option<Msg> {
    cmd_for_key(Ctx::of(app), key)?.resolve(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for ctx in Ctx::ALL {
            let keys: Vec<Key> = bindings(ctx)
                .flat_map(|b| b.keys.iter().map(|k| k.0))
                .collect();
            for (i, a) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(a), "{a:?} bound twice in {ctx:?}");
            }
        }
    }

    /// A static table cannot compute its words, so the knob keys' words are checked against
    /// the knob table's: the flip's two operators and conditions, the kinds' values in
    /// order, the ranges.
    #[test]
    fn knob_keys_say_what_the_knob_table_says() {
        use crate::sim::{Config, GuestKind, Setting};
        let cfg = Config::default();
        let joined = |v: Vec<String>| v.join(" → ");
        for b in KEYMAP {
            let Some(k) = b.keys[0].1.knob() else {
                continue;
            };
            match (b.keys[0].1, k.get(&cfg)) {
                (Cmd::Toggle(_), Setting::Netback(v)) => {
                    let w = v.other();
                    assert_eq!(b.label, format!("{}⇄{}", v.operator(), w.operator()));
                    for x in [v, w] {
                        let cond = format!("{x} {}", x.condition());
                        assert!(b.help.contains(&cond), "{}: {cond}", b.help);
                    }
                }
                (Cmd::Toggle(_), Setting::Throttle(_) | Setting::LateEoi(_)) => {
                    assert_eq!(b.label, k.label());
                }
                (_, Setting::Guest(_)) => {
                    let names = GuestKind::ALL.iter().map(|g| g.to_string()).collect();
                    assert!(b.help.contains(&joined(names)), "{}", b.help);
                }
                (_, Setting::Hz(_)) => {
                    let hz = HZ_CHOICES.iter().map(|h| h.to_string()).collect();
                    assert!(b.help.contains(&joined(hz)), "{}", b.help);
                }
                (_, Setting::Threshold(_)) => {
                    let range = format!("{}…{}", knob::THRESHOLD_MIN, knob::THRESHOLD_MAX);
                    assert!(b.help.contains(k.label()), "{}", b.help);
                    assert!(b.help.contains(&range), "{}", b.help);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn lookups_go_through_the_table() {
        let quit = Some(Cmd::Do(Msg::Quit));
        assert_eq!(
            cmd_for_key(Ctx::Free, &key('b')),
            Some(Cmd::Toggle(Knob::Netback))
        );
        assert_eq!(cmd_for_key(Ctx::Free, &key('k')), None);
        assert_eq!(
            cmd_for_key(Ctx::Free, &key('o')),
            Some(Cmd::Next(Knob::Netback))
        );
        assert_eq!(
            cmd_for_key(Ctx::Compare, &key('k')),
            Some(Cmd::Do(Msg::CycleCompareKnob))
        );
        // With the help open, only closing and quitting work.
        assert_eq!(cmd_for_key(Ctx::Help, &key('b')), None);
        assert_eq!(
            cmd_for_key(Ctx::Help, &KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Cmd::Do(Msg::CloseOverlay))
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(cmd_for_key(Ctx::Help, &ctrl_c), quit);
        assert_eq!(cmd_for_key(Ctx::Free, &ctrl_c), quit);
        // `+` and `?` arrive with SHIFT on some terminals.
        let plus = KeyEvent::new(KeyCode::Char('+'), KeyModifiers::SHIFT);
        assert_eq!(cmd_for_key(Ctx::Free, &plus), Some(Cmd::Do(Msg::SpeedUp)));
        let mut release = key('b');
        release.kind = KeyEventKind::Release;
        assert_eq!(cmd_for_key(Ctx::Free, &release), None);
    }

    /// A demo has keys of its own; the lab's keys are the demo's to press.
    #[test]
    fn a_demo_has_its_own_keys() {
        assert_eq!(
            cmd_for_key(Ctx::Demo, &key(' ')),
            Some(Cmd::Demo(DemoCmd::PauseResume))
        );
        assert_eq!(
            cmd_for_key(Ctx::Demo, &key('n')),
            Some(Cmd::Demo(DemoCmd::Skip))
        );
        assert_eq!(cmd_for_key(Ctx::Demo, &key('q')), Some(Cmd::Do(Msg::Quit)));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(cmd_for_key(Ctx::Demo, &ctrl_c), Some(Cmd::Do(Msg::Quit)));
        for c in ['b', 't', '?', '.'] {
            assert_eq!(cmd_for_key(Ctx::Demo, &key(c)), None, "{c}");
        }
        // ...and the demo's keys mean what they always meant in the lab.
        assert_eq!(
            cmd_for_key(Ctx::Lesson, &key(' ')),
            Some(Cmd::Do(Msg::TogglePause))
        );
        assert_eq!(
            Cmd::Demo(DemoCmd::Skip).resolve(&crate::app::App::new(crate::app::Options::free(
                crate::sim::Config::default()
            ))),
            None
        );
    }

    /// `o` walks the five conditions in order and comes back; `b` flips shipped ⇄ upstream
    /// and takes any other condition back to the shipped one.
    #[test]
    fn o_walks_the_five_conditions_and_b_flips_shipped_and_upstream() {
        use crate::sim::{KnobChange, NetbackVariant};
        let mut app =
            crate::app::App::new(crate::app::Options::free(crate::sim::Config::default()));
        let mut seen = vec![app.config().netback];
        for _ in 0..NetbackVariant::ALL.len() {
            let Some(Msg::Set(KnobChange::Netback(v))) = Cmd::Next(Knob::Netback).resolve(&app)
            else {
                panic!("o sets the netback knob");
            };
            crate::app::update(&mut app, Msg::Set(KnobChange::Netback(v)));
            seen.push(app.config().netback);
        }
        assert_eq!(&seen[..5], NetbackVariant::ALL);
        assert_eq!(seen[5], NetbackVariant::Buggy, "and round again");
        for (from, to) in [
            (NetbackVariant::Buggy, NetbackVariant::Fixed),
            (NetbackVariant::Fixed, NetbackVariant::Buggy),
            (NetbackVariant::OrInline, NetbackVariant::Buggy),
            (NetbackVariant::Bitand, NetbackVariant::Buggy),
        ] {
            crate::app::update(&mut app, Msg::Set(KnobChange::Netback(from)));
            assert_eq!(
                Cmd::Toggle(Knob::Netback).resolve(&app),
                Some(Msg::Set(KnobChange::Netback(to))),
                "b from {from}"
            );
        }
    }
}
