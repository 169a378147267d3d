//! The key map's rows: the knob keys generated from the knob table ([`crate::sim::knob::KNOBS`]),
//! then every other key, written here.

use std::sync::LazyLock;

use crossterm::event::{KeyCode, KeyModifiers};

use super::{Cmd, Ctx, DemoCmd, Key};
use crate::app::{Msg, explain};
use crate::sim::knob::{KNOBS, KnobKeys, Press};
use crate::sim::{Knob, PortAction};

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
/// Everywhere but a demo (which has no help overlay: its keys are all in the key bar): every
/// context but the last of [`Ctx::ALL`].
const NOT_DEMO: &[Ctx] = match ANY.split_last() {
    Some((Ctx::Demo, rest)) => rest,
    _ => ANY,
};
/// An overlay is open.
const OVERLAY: &[Ctx] = &[Ctx::Help, Ctx::Glossary, Ctx::Share];
/// A lesson, whether a question is open or not.
const LESSON: &[Ctx] = &[Ctx::Lesson, Ctx::Choose, Ctx::Type];
/// Wherever the simulation is on screen, a frozen question included.
const LAB_ANY: &[Ctx] = &[Ctx::Free, Ctx::Compare, Ctx::Lesson, Ctx::Choose, Ctx::Type];
/// Wherever the simulation is on screen, and explain mode over it (pausing to read a row).
const LAB_EXPLAIN: &[Ctx] = &[Ctx::Free, Ctx::Compare, Ctx::Lesson, Ctx::Explain];

const fn explain(cmd: explain::Cmd) -> Cmd {
    Cmd::Do(Msg::Explain(cmd))
}

const fn explain_move(dx: i8, dy: i8) -> Cmd {
    explain(explain::Cmd::Move { dx, dy })
}

const fn typed(c: char) -> (Key, Cmd) {
    (ch(c), Cmd::Do(Msg::Type(c)))
}

const fn digit(n: u8) -> (Key, Cmd) {
    (ch((b'0' + n) as char), Cmd::Do(Msg::Answer(n)))
}

/// The key map: the knob keys first, in their places, then the others.
pub static KEYMAP: LazyLock<Vec<Binding>> = LazyLock::new(|| {
    let knobs = KNOB_KEYS.iter().map(|(kk, keys)| Binding {
        shown: kk.shown,
        label: kk.label,
        help: kk.help,
        keys,
        contexts: LAB,
        footer_rank: kk.footer_rank,
    });
    knobs.chain(OTHERS.iter().copied()).collect()
});

/// A knob's key line, with the commands its keys mean.
type KnobLine = (&'static KnobKeys, Vec<(Key, Cmd)>);

/// Every knob row's key lines, in their places.
static KNOB_KEYS: LazyLock<Vec<KnobLine>> = LazyLock::new(|| {
    let mut v: Vec<_> = KNOBS
        .iter()
        .flat_map(|r| r.keys.iter().map(move |kk| (r.knob, kk)))
        .map(|(k, kk)| {
            let keys = kk.keys.iter().map(|&(c, p)| (ch(c), knob_cmd(k, p)));
            (kk, keys.collect())
        })
        .collect();
    v.sort_by_key(|(kk, _)| kk.place);
    v
});

/// What a knob key means, as a command.
fn knob_cmd(k: Knob, press: Press) -> Cmd {
    match press {
        Press::Flip => Cmd::Toggle(k),
        Press::Next => Cmd::Next(k),
        Press::By(d) => Cmd::Add(k, d),
    }
}

/// Every key but the knobs'.
static OTHERS: &[Binding] = &[
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
        keys: &[(ch('x'), explain(explain::Cmd::Toggle))],
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
            (ch('x'), explain(explain::Cmd::Toggle)),
            (code(KeyCode::Esc), explain(explain::Cmd::Toggle)),
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
