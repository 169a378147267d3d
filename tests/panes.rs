//! Every step's screen fits: the panes a lesson step names (`panes = [...]`) are on screen
//! at 80×24, 100×30 and 120×40; `v` brings every hidden pane into view (free play,
//! lessons, compare mode); `lessons check` fails, at the step's line, for a step that
//! names more panes than fit; the status bar keeps a HZ and an ABI other than the default
//! down to 60 columns.

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;

use evtchn_lab::app::{App, Msg, Open, Options, update};
use evtchn_lab::lesson::progress::Progress;
use evtchn_lab::lesson::{Catalog, Pane, Step, Task};
use evtchn_lab::sim::{Abi, Config};
use evtchn_lab::ui::arrange::title;
use evtchn_lab::ui::status_bar::layout;
use evtchn_lab::ui::theme::Theme;
use ratatui::layout::Rect;

#[macro_use]
mod common;
use common::{lab, lab_at, press, screen};

/// The panes whose title begins a top border on the screen.
fn seen(text: &str) -> BTreeSet<&'static str> {
    Pane::ALL
        .iter()
        .map(|&p| title(p))
        .filter(|t| text.contains(&format!("┌ {t}")))
        .collect()
}

fn all() -> BTreeSet<&'static str> {
    Pane::ALL.iter().map(|&p| title(p)).collect()
}

fn catalog() -> Arc<Catalog> {
    Catalog::builtin().expect("the built-in lessons load")
}

fn lesson_app(cat: &Arc<Catalog>, index: usize, step: usize) -> App {
    let mut app = App::new(Options {
        scenario: Config::default(),
        open: Open::Lesson(cat.lessons[index].id.clone()),
        lessons: cat.clone(),
        progress: Progress::default(),
    });
    app.open_lesson_at(index, step);
    assert_eq!(app.lesson_run().map(|r| r.step), Some(step));
    app
}

/// All a step says: its text, question, hints and explanation.
fn words(step: &Step) -> String {
    let mut w = format!("{} {} {}", step.text, step.hints.join(" "), step.explain);
    if let Task::Quiz { question, .. } | Task::Number { question, .. } = &step.task {
        w.push(' ');
        w.push_str(question);
    }
    w
}

/// A step that sends the reader to a pane by name ("the Counters pane", "the EOI flow
/// log") names it in `panes`, so the layout shows it.
#[test]
fn a_step_that_talks_about_a_pane_names_it() {
    let cat = catalog();
    let mut missing = Vec::new();
    for l in &cat.lessons {
        for (i, step) in l.steps.iter().enumerate() {
            let w = words(step);
            for &p in Pane::ALL {
                let t = title(p);
                let said = w.contains(&format!("{t} pane"))
                    || w.contains(&format!("*{t}* pane"))
                    || (p == Pane::EoiFlow && w.contains(t));
                if said && !step.panes.contains(&p) {
                    missing.push(format!("{} step {}: {t}", l.id, i + 1));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "steps that do not name their panes: {missing:#?}"
    );
}

/// Every step of every built-in lesson, as the lab opens it, shows every pane it names.
#[test]
fn every_step_shows_the_panes_it_names() {
    let cat = catalog();
    let mut named = 0;
    let mut problems = Vec::new();
    for (index, l) in cat.lessons.iter().enumerate() {
        for (i, step) in l.steps.iter().enumerate() {
            if step.panes.is_empty() {
                continue;
            }
            named += 1;
            let app = lesson_app(&cat, index, i);
            for (w, h) in [(80, 24), (100, 30), (120, 40)] {
                let on = seen(&screen(&app, w, h));
                for &p in &step.panes {
                    if !on.contains(title(p)) {
                        problems.push(format!("{} step {} at {w}x{h}: {}", l.id, i + 1, title(p)));
                    }
                }
            }
        }
    }
    assert!(named >= 20, "only {named} steps name panes");
    assert!(problems.is_empty(), "panes not on screen: {problems:#?}");
}

/// Press `v` until the cycle comes round; every pane is on screen at some press, and the
/// bottom border said what was hidden before the first.
fn cycle_shows_every_pane(app: &mut App, w: u16, h: u16, want: BTreeSet<&'static str>) {
    let first = screen(app, w, h);
    assert!(first.contains("hidden · v shows"), "{first}");
    let mut union = seen(&first);
    assert_ne!(union, want, "nothing hidden to begin with:\n{first}");
    for _ in 0..7 {
        press(app, "v");
        union.extend(seen(&screen(app, w, h)));
    }
    assert_eq!(union, want, "the panes v brought in");
}

#[test]
fn v_brings_every_hidden_pane_in_free_play_at_80x24() {
    let mut app = lab();
    common::run(&mut app, 2.0);
    cycle_shows_every_pane(&mut app, 80, 24, all());
    // Round again: the first press after the last shows the usual screen.
    let mut app2 = lab();
    common::run(&mut app2, 2.0);
    let usual = seen(&screen(&app2, 80, 24));
    let mut n = 0;
    loop {
        press(&mut app2, "v");
        n += 1;
        if seen(&screen(&app2, 80, 24)) == usual {
            break;
        }
        assert!(n < 8, "v never came back round");
    }
    assert_eq!(n, 3, "two hidden panes, then none");
}

#[test]
fn v_brings_every_hidden_pane_in_a_lesson() {
    let cat = catalog();
    let index = cat.get("08-the-drop").map(|(i, _)| i).unwrap();
    // Step 1 asks a question: `v` works while it waits for its answer.
    let mut app = lesson_app(&cat, index, 0);
    assert!(app.open_question().is_some());
    cycle_shows_every_pane(&mut app, 80, 24, all());
    // A new step starts with its own panes again.
    press(&mut app, "v");
    assert_ne!(app.reveal, 0);
    update(&mut app, Msg::Answer(2));
    update(&mut app, Msg::NextStep);
    assert_eq!(app.reveal, 0);
}

#[test]
fn v_brings_every_hidden_pane_in_compare_mode() {
    let mut app = lab();
    press(&mut app, "c");
    common::run(&mut app, 1.0);
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = app.clone();
        cycle_shows_every_pane(&mut a, w, h, all());
    }
}

/// A HZ and an ABI other than the default stay in the status bar at every width from 60
/// columns, in free play, compare mode and a lesson (whose locked knobs read "⊘ …").
#[test]
fn the_status_bar_keeps_an_unusual_hz_and_abi() {
    let cfg = Config {
        hz: 100,
        abi: Abi::Fifo,
        ..Config::default()
    };
    let mut compare = lab_at(cfg);
    press(&mut compare, "c");
    let cat = catalog();
    let mut lesson = lesson_app(&cat, 7, 1);
    update(&mut lesson, Msg::Restart(cfg));
    let theme = Theme::no_color();
    for (name, app) in [
        ("free", lab_at(cfg)),
        ("compare", compare),
        ("lesson", lesson),
    ] {
        for w in 60..=200u16 {
            let segs = layout(&app, &theme, Rect::new(0, 0, w, 1));
            let texts: Vec<&str> = segs.iter().map(|(_, s)| s.text.as_str()).collect();
            assert!(texts.contains(&"HZ 100"), "{name} at {w}: {texts:?}");
            assert!(
                texts.iter().any(|t| t.ends_with("FIFO")),
                "{name} at {w}: {texts:?}"
            );
        }
    }
}

/// `lessons check` draws each step: one that names more panes than fit at 80×24 fails,
/// with a `path:line:col` problem at the step's line naming the pane and the size.
#[test]
fn lessons_check_fails_for_a_step_whose_panes_do_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("90-crowded.toml");
    std::fs::write(
        &file,
        r#"id = "90-crowded"
title = "Crowded"
summary = "A step that names more panes than fit."

[[step]]
title = "Predict"
scenario = { guest = "freebsd", hz = 100 }
question = "Compared with HZ 250, the sending guest's goodput is…"
choices = ["higher", "lower: each pause is longer", "the same"]
answer = 2
explain = "Lower."

[[step]]
title = "A faster tick"
panes = ["ports", "throttle", "counters", "throughput", "eoi_flow", "code"]
unlock = ["hz"]
text = "Press `z` until HZ is 1000."
hints = ["`z` cycles HZ.", "Press `z` three times."]
solution = ["z", "z", "z", "wait 1200ms"]
explain = "See `lateeoi_list_add` in `drivers/xen/events/events_base.c`."
[step.goal]
hz = 1000
goodput_mbps = { min = 1900 }
"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
        .args(["lessons", "check", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    let at = format!("{}:13:1: step 2: the Code pane", file.display());
    assert!(text.contains(&at), "{text}");
    assert!(text.contains("not on screen at 80×24"), "{text}");
    // At 120×40 all six fit.
    assert!(!text.contains("120×40"), "{text}");
}
