//! Issue 24: every mark on screen means one thing, and no line hides its point.

use std::collections::BTreeSet;

use evtchn_lab::app::App;
use evtchn_lab::lesson::Pane;
use evtchn_lab::sim::{Abi, Config, Direction, GuestKind, NetbackVariant};
use evtchn_lab::ui::{self, Cut};

#[macro_use]
mod common;
use common::{frame, lab_at, press, run};

/// Every line `put_lines` cut while drawing `app` on a `w`×`h` terminal.
fn cuts(app: &App, w: u16, h: u16) -> Vec<Cut> {
    ui::record_cuts(|| frame(app, w, h)).1
}

/// Every guest × direction × ABI × netback condition.
fn scenarios() -> Vec<Config> {
    let mut v = Vec::new();
    for &guest in GuestKind::ALL {
        for &direction in Direction::ALL {
            for &abi in Abi::ALL {
                for &netback in NetbackVariant::ALL {
                    v.push(Config {
                        guest,
                        direction,
                        abi,
                        netback,
                        ..Config::default()
                    });
                }
            }
        }
    }
    v
}

#[test]
fn dump_cuts() {
    let mut seen = BTreeSet::new();
    for cfg in scenarios() {
        let mut app = lab_at(cfg);
        run(&mut app, 3.0);
        let mut all = cuts(&app, 120, 40);
        press(&mut app, " ");
        for _ in 0..14 {
            press(&mut app, ".");
            all.extend(cuts(&app, 120, 40));
        }
        for c in all {
            if matches!(c.pane, Some(Pane::EoiFlow | Pane::Ports | Pane::Throttle | Pane::Code | Pane::Counters)) {
                seen.insert(format!("{:?} [{}] {}", c.pane.unwrap(), c.width, c.text));
            }
        }
    }
    for s in &seen {
        eprintln!("{s}");
    }
}

#[test]
fn dump_lesson_cuts() {
    use evtchn_lab::app::player::{self, Flow};
    use evtchn_lab::app::{Msg, Open, Options, update};
    use evtchn_lab::lesson::{Catalog, Task};
    use std::sync::Arc;
    let cat: Arc<Catalog> = Catalog::builtin().unwrap();
    let mut seen = BTreeSet::new();
    for lesson in &cat.lessons {
        let mut app = App::new(Options {
            scenario: Config::default(),
            open: Open::Lesson(lesson.id.clone()),
            lessons: cat.clone(),
            progress: Default::default(),
        });
        for s in &lesson.steps {
            let mut all = Vec::new();
            all.extend(cuts(&app, 120, 40));
            match (&s.task, s.solution.items.is_empty()) {
                (Task::Quiz { answer, .. }, true) => update(&mut app, Msg::Answer(*answer as u8 + 1)),
                _ => {
                    player::play(&mut app, &s.solution, |a, _| {
                        if a.lesson_run().is_some_and(|r| r.state.met) { Flow::Stop } else { Flow::Continue }
                    })
                    .unwrap();
                }
            }
            all.extend(cuts(&app, 120, 40));
            for c in all {
                if c.pane.is_some() {
                    seen.insert(format!("{:?} [{}] {}", c.pane.unwrap(), c.width, c.text));
                }
            }
            press(&mut app, "\n");
            common::key(&mut app, crossterm::event::KeyCode::Enter, crossterm::event::KeyModifiers::NONE);
        }
    }
    for s in &seen {
        eprintln!("{s}");
    }
}
