//! The key map: ONE table from keys to commands. The footer hints, the `?` help overlay, the
//! key handler, the clickable knobs and scripts all go through it, so they cannot disagree.
//!
//! A row holds a [`Cmd`]: what the key means ("flip the throttle"). [`Cmd::resolve`] turns
//! it into an absolute [`Msg`] for the current state ("throttle off"), so `update` only
//! ever sees changes that mean the same whatever state they arrive in.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{App, Msg, Overlay, Page, View};
use crate::lesson::Unlock;
use crate::sim::Knob;

mod table;
pub use table::{Binding, KEYMAP};

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
    /// A number knob down / up by this much, within its range.
    Add(Knob, i8),
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
            Cmd::Toggle(k) | Cmd::Next(k) | Cmd::Add(k, _) => Some(k),
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
        let now = |k: Knob| k.get(&cfg);
        let to = match self {
            Cmd::Do(m) => return Some(m),
            Cmd::Demo(_) => return None,
            Cmd::Toggle(k) => now(k).flipped(),
            Cmd::Next(k) => now(k).next(),
            Cmd::Add(k, d) => now(k).moved(d).filter(|&s| s != now(k))?,
        };
        Some(match to.live() {
            Some(change) => Msg::Set(change),
            None => Msg::Restart(to.apply(cfg)),
        })
    }
}

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
        for b in KEYMAP.iter() {
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
                (_, Setting::SpuriousThreshold(_)) => {
                    let range = format!(
                        "{}…{}",
                        crate::sim::knob::SPURIOUS_THRESHOLD_MIN,
                        crate::sim::knob::SPURIOUS_THRESHOLD_MAX
                    );
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
