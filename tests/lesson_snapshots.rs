//! Snapshots of the lesson screens: the first step of every lesson, a step whose goal was
//! just met, the stacked layout of a narrow terminal, and the start screen with progress.
//! Stored in `snapshots/`; a change is reviewed (`git diff snapshots/`), never accepted
//! blindly.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use evtchn_lab::app::player::{self, Flow};
use evtchn_lab::app::{App, Open, Options};
use evtchn_lab::lesson::Catalog;
use evtchn_lab::lesson::progress::{LessonProgress, Progress};
use evtchn_lab::script::Script;
use evtchn_lab::sim::Config;

#[macro_use]
mod common;
use common::frame;

fn catalog() -> Arc<Catalog> {
    Catalog::builtin().expect("the built-in lessons load")
}

fn app(open: Open, progress: Progress) -> App {
    App::new(Options {
        scenario: Config::default(),
        open,
        lessons: catalog(),
        progress,
    })
}

/// `id` left halfway, two steps done, and the last lesson opened.
fn halfway(p: &mut Progress, id: &str) {
    let half = LessonProgress {
        step: 2,
        done_steps: [0, 1].into(),
        ..LessonProgress::default()
    };
    p.lessons.insert(id.into(), half);
    p.last = Some(id.into());
}

/// A key, through the key map as the loop takes it.
fn key(a: &mut App, code: KeyCode) {
    let k = KeyEvent::new(code, KeyModifiers::NONE);
    let m = evtchn_lab::app::keymap::msg_for_key(a, &k).expect("a key that does something");
    evtchn_lab::app::update(a, m);
}

#[test]
fn the_first_step_of_every_lesson() {
    for l in &catalog().lessons {
        let a = app(Open::Lesson(l.id.clone()), Progress::default());
        snap!(
            format!("lesson_{}_step1", l.id),
            frame(&a, 120, 40).backend()
        );
    }
}

#[test]
fn a_step_whose_goal_was_just_met() {
    let mut a = app(
        Open::Lesson("01-ports-and-bits".into()),
        Progress::default(),
    );
    let s = Script::parse(&["n"]).unwrap();
    player::play(&mut a, &s, |_, _| Flow::Continue).unwrap();
    snap!(
        "lesson_01-ports-and-bits_step1_goal_met",
        frame(&a, 120, 40).backend()
    );
}

#[test]
fn a_narrow_terminal_stacks_the_lesson_above_the_panes() {
    let a = app(
        Open::Lesson("02-masking-and-coalescing".into()),
        Progress::default(),
    );
    snap!(
        "lesson_02-masking-and-coalescing_step1_80x24",
        frame(&a, 80, 24).backend()
    );
}

/// At 60 columns a lesson's status and the "continue" row's step stay whole: they take
/// their short forms ("2/7") instead of being cut ("in progress 2…").
#[test]
fn a_narrow_start_screen_keeps_statuses_whole() {
    let mut p = Progress::default();
    halfway(&mut p, "13-fifo");
    let mut a = app(Open::Start, p);
    let top = frame(&a, 60, 18).backend().to_string();
    assert!(
        top.contains("continue  13 The same story on FIFO event channels  3/7"),
        "{top}"
    );
    let wide = frame(&a, 120, 40).backend().to_string();
    assert!(
        wide.contains("The same story on FIFO event channels in progress 2/7"),
        "{wide}"
    );
    assert!(wide.contains("channels   step 3 of 7"), "{wide}");
    // Down to lesson 13, so the narrow list shows it.
    for _ in 0..14 {
        key(&mut a, KeyCode::Down);
    }
    let narrow = frame(&a, 60, 18).backend().to_string();
    assert!(
        narrow.contains("The same story on FIFO event channels 2/7"),
        "{narrow}"
    );
}

/// The lesson pane's bottom border leaves out its least needed parts where it is short,
/// rather than cutting one ("R rest").
#[test]
fn the_lesson_border_leaves_parts_out_whole() {
    let mut a = app(Open::Lesson("05-rogue-guest".into()), Progress::default());
    // On to step 2, a task with hints.
    key(&mut a, KeyCode::Char('2'));
    key(&mut a, KeyCode::Enter);
    let whole = [
        "h hint (3 left)",
        "S solution",
        "R restart step",
        "↓ PgDn more",
    ];
    for w in (60..=160).step_by(4) {
        for h in [18, 24, 30, 40] {
            let s = frame(&a, w, h).backend().to_string();
            let line = s
                .lines()
                .find(|l| l.contains("└ h hint"))
                .unwrap_or_else(|| panic!("the border at {w}x{h}\n{s}"));
            let at = line.find("└ ").unwrap() + "└ ".len();
            let border: String = line[at..]
                .chars()
                .take_while(|&c| c != '─' && c != '┘')
                .collect();
            for part in border.split(" · ").map(str::trim).filter(|p| !p.is_empty()) {
                let part = part.trim_end_matches(" ↓ PgDn more").trim();
                assert!(whole.contains(&part), "{w}x{h}: {part:?} cut\n{line}");
            }
        }
    }
}

#[test]
fn the_start_screen_with_progress() {
    let mut p = Progress::default();
    let done = LessonProgress {
        step: 3,
        done_steps: [0, 1, 2, 3].into(),
        ..LessonProgress::default()
    };
    p.lessons.insert("01-ports-and-bits".into(), done);
    halfway(&mut p, "02-masking-and-coalescing");
    snap!(
        "start_screen",
        frame(&app(Open::Start, p), 120, 40).backend()
    );
    snap!(
        "start_screen_new",
        frame(&app(Open::Start, Progress::default()), 80, 24).backend()
    );
}
