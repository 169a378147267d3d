//! The key map: ONE table from keys to messages. The footer hints, the `?` help overlay and
//! the key handler are all generated from it, so they cannot disagree with the real bindings.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

use super::{App, Msg, Overlay, View};

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// Free play, no overlay.
    Free,
    /// Compare mode, no overlay.
    Compare,
    /// The help overlay is open.
    Help,
}

impl Ctx {
    pub fn of(app: &App) -> Ctx {
        match (app.overlay, &app.view) {
            (Overlay::Help, _) => Ctx::Help,
            (Overlay::None, View::Free) => Ctx::Free,
            (Overlay::None, View::Compare(_)) => Ctx::Compare,
        }
    }
}

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

/// One row of the key map.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// How the key(s) are written in the footer and help: `b`, `[ ]`, `space`.
    pub shown: &'static str,
    /// Short footer label.
    pub label: &'static str,
    /// The help overlay's line.
    pub help: &'static str,
    /// The keys and what each sends.
    pub keys: &'static [(Key, Msg)],
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

const LAB: &[Ctx] = &[Ctx::Free, Ctx::Compare];
const ANY: &[Ctx] = &[Ctx::Free, Ctx::Compare, Ctx::Help];

/// The key map.
pub static KEYMAP: &[Binding] = &[
    Binding {
        shown: "b",
        label: "OR⇄AND",
        help: "netback condition: buggy (!tx | !rx) ⇄ fixed (!tx && !rx)",
        keys: &[(ch('b'), Msg::ToggleNetback)],
        contexts: LAB,
        footer_rank: 1,
    },
    Binding {
        shown: "t",
        label: "throttle",
        help: "throttle (XSA-332 patch 12, \"block rogue events\") on/off",
        keys: &[(ch('t'), Msg::ToggleThrottle)],
        contexts: LAB,
        footer_rank: 2,
    },
    Binding {
        shown: "l",
        label: "late EOI",
        help: "late EOI (the XSA-332 patches) on/off; off = classic, no throttle",
        keys: &[(ch('l'), Msg::ToggleLateEoi)],
        contexts: LAB,
        footer_rank: 4,
    },
    Binding {
        shown: "g",
        label: "guest",
        help: "guest freebsd → linux → rogue (restarts at t = 0, same seed)",
        keys: &[(ch('g'), Msg::CycleGuest)],
        contexts: LAB,
        footer_rank: 3,
    },
    Binding {
        shown: "d",
        label: "direction",
        help: "direction: tx (guest sends) ⇄ rx (guest receives); restarts",
        keys: &[(ch('d'), Msg::ToggleDirection)],
        contexts: LAB,
        footer_rank: 4,
    },
    Binding {
        shown: "[ ]",
        label: "threshold",
        help: "spurious_threshold − / + (1…64): spurious EOIs before a pause",
        keys: &[(ch('['), Msg::ThresholdDown), (ch(']'), Msg::ThresholdUp)],
        contexts: LAB,
        footer_rank: 5,
    },
    Binding {
        shown: "space",
        label: "pause",
        help: "pause / resume the simulation",
        keys: &[(ch(' '), Msg::TogglePause)],
        contexts: LAB,
        footer_rank: 2,
    },
    Binding {
        shown: ".",
        label: "step",
        help: "step one traced transition (pauses first)",
        keys: &[(ch('.'), Msg::Step)],
        contexts: LAB,
        footer_rank: 3,
    },
    Binding {
        shown: "+ -",
        label: "speed",
        help: "speed of virtual time: 1/1000× … 1× … 100× real time",
        keys: &[
            (ch('+'), Msg::SpeedUp),
            (ch('='), Msg::SpeedUp),
            (ch('-'), Msg::SpeedDown),
            (ch('_'), Msg::SpeedDown),
        ],
        contexts: LAB,
        footer_rank: 3,
    },
    Binding {
        shown: "c",
        label: "compare",
        help: "compare mode on/off: two lanes, same seed, one knob different",
        keys: &[(ch('c'), Msg::ToggleCompare)],
        contexts: LAB,
        footer_rank: 2,
    },
    Binding {
        shown: "k",
        label: "knob A/B",
        help: "compare mode: the knob that differs, netback → throttle → late EOI",
        keys: &[(ch('k'), Msg::CycleCompareKnob)],
        contexts: &[Ctx::Compare],
        footer_rank: 2,
    },
    Binding {
        shown: "r",
        label: "reset",
        help: "reset: the starting scenario again, at t = 0",
        keys: &[(ch('r'), Msg::Reset)],
        contexts: LAB,
        footer_rank: 5,
    },
    Binding {
        shown: "?",
        label: "help",
        help: "this help (again to close)",
        keys: &[(ch('?'), Msg::ToggleHelp)],
        contexts: ANY,
        footer_rank: 0,
    },
    Binding {
        shown: "Esc",
        label: "close",
        help: "close the help",
        keys: &[(code(KeyCode::Esc), Msg::CloseOverlay)],
        contexts: &[Ctx::Help],
        footer_rank: 0,
    },
    Binding {
        shown: "q",
        label: "quit",
        help: "quit (also Ctrl-C); the terminal is restored",
        keys: &[(ch('q'), Msg::Quit), (ctrl('c'), Msg::Quit)],
        contexts: ANY,
        footer_rank: 0,
    },
];

/// The bindings that apply in `ctx`, in table order.
pub fn bindings(ctx: Ctx) -> impl Iterator<Item = &'static Binding> {
    KEYMAP.iter().filter(move |b| b.active_in(ctx))
}

/// Look a key up in the table.
pub fn msg_for_key(ctx: Ctx, key: &KeyEvent) -> Option<Msg> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    bindings(ctx)
        .flat_map(|b| b.keys.iter())
        .find(|(k, _)| k.matches(key))
        .map(|&(_, m)| m)
}

/// Translate a terminal event into a message (keys through the table; left clicks and
/// resizes as they are).
pub fn msg_for_event(app: &App, ev: &Event) -> Option<Msg> {
    match ev {
        Event::Key(k) => msg_for_key(Ctx::of(app), k),
        Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click {
            column: m.column,
            row: m.row,
        }),
        Event::Resize(w, h) => Some(Msg::Resize {
            width: *w,
            height: *h,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for ctx in [Ctx::Free, Ctx::Compare, Ctx::Help] {
            let keys: Vec<Key> = bindings(ctx)
                .flat_map(|b| b.keys.iter().map(|k| k.0))
                .collect();
            for (i, a) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(a), "{a:?} bound twice in {ctx:?}");
            }
        }
    }

    #[test]
    fn lookups_go_through_the_table() {
        assert_eq!(msg_for_key(Ctx::Free, &key('b')), Some(Msg::ToggleNetback));
        assert_eq!(msg_for_key(Ctx::Free, &key('k')), None);
        assert_eq!(
            msg_for_key(Ctx::Compare, &key('k')),
            Some(Msg::CycleCompareKnob)
        );
        // With the help open, only closing and quitting work.
        assert_eq!(msg_for_key(Ctx::Help, &key('b')), None);
        assert_eq!(
            msg_for_key(Ctx::Help, &KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Msg::CloseOverlay)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(msg_for_key(Ctx::Help, &ctrl_c), Some(Msg::Quit));
        assert_eq!(msg_for_key(Ctx::Free, &ctrl_c), Some(Msg::Quit));
        // `+` and `?` arrive with SHIFT on some terminals.
        let plus = KeyEvent::new(KeyCode::Char('+'), KeyModifiers::SHIFT);
        assert_eq!(msg_for_key(Ctx::Free, &plus), Some(Msg::SpeedUp));
        let mut release = key('b');
        release.kind = KeyEventKind::Release;
        assert_eq!(msg_for_key(Ctx::Free, &release), None);
    }
}
