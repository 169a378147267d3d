//! Issue 24: every mark on screen means one thing, and no line hides its point.

use std::sync::Arc;

use evtchn_lab::app::player;
use evtchn_lab::app::{App, Open, Options};
use evtchn_lab::lesson::{Catalog, Check, Pane, Task};
use evtchn_lab::sim::{Config, Setting};
use evtchn_lab::ui::{self, Cut};

#[macro_use]
mod common;
use common::{frame, lab_at, press, run, scenarios};

/// The frame's rows as text.
fn rows(app: &App, w: u16, h: u16) -> Vec<String> {
    let t = frame(app, w, h);
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// Every line cut (at the right edge, or shortened in the middle) while drawing `app` on
/// a `w`×`h` terminal.
fn cuts(app: &App, w: u16, h: u16) -> Vec<Cut> {
    ui::record_cuts(|| frame(app, w, h)).1
}

/// A scenario run a while, paused, then stepped through `steps` transitions; `look` sees
/// the lab after each.
fn step_through(cfg: Config, steps: usize, mut look: impl FnMut(&App)) {
    let mut app = lab_at(cfg);
    run(&mut app, 1.0);
    look(&app);
    press(&mut app, " ");
    for _ in 0..steps {
        press(&mut app, ".");
        look(&app);
    }
}

#[test]
fn the_latest_transition_is_marked_on_one_row() {
    for cfg in scenarios() {
        step_through(cfg, 12, |app| {
            let screen = rows(app, 120, 40);
            // The status bar (row 0) has its own "▶ running"; below it, ▶ is the EOI flow's
            // (its title's legend, "▶ = latest transition", aside).
            let marked: Vec<&String> = screen[1..]
                .iter()
                .filter(|r| r.replace("▶ = latest", "").contains('▶'))
                .collect();
            assert!(
                marked.len() <= 1,
                "{cfg:?}: ▶ on {} rows:\n{}",
                marked.len(),
                screen.join("\n")
            );
        });
    }
}

/// The panes whose lines must never be cut at 120x40.
fn watched(p: Option<Pane>) -> bool {
    matches!(
        p,
        Some(Pane::EoiFlow | Pane::Ports | Pane::Throttle | Pane::Code)
    )
}

/// Fails listing each cut line (what it read, and the first place that showed it).
fn assert_none_cut(found: &std::collections::BTreeMap<String, String>) {
    let found: Vec<String> = found
        .iter()
        .map(|(w, c)| format!("{w}\n    ({c})"))
        .collect();
    assert!(found.is_empty(), "lines cut:\n{}", found.join("\n"));
}

#[test]
fn no_line_is_cut_at_120x40() {
    // Each cut line once, with the first condition that showed it.
    let mut found = std::collections::BTreeMap::new();
    for cfg in scenarios() {
        step_through(cfg, 12, |app| {
            for c in cuts(app, 120, 40) {
                if watched(c.pane) {
                    let what = format!("{:?} in {}: {}", c.pane, c.width, c.text);
                    found.entry(what).or_insert_with(|| {
                        format!(
                            "{:?} {:?} {:?} {:?}",
                            cfg.guest, cfg.direction, cfg.abi, cfg.netback
                        )
                    });
                }
            }
        });
    }
    assert_none_cut(&found);
}

#[test]
fn the_codes_why_fits_a_lessons_code_pane() {
    for mut cfg in scenarios() {
        for (throttle, lateeoi) in [(true, true), (false, true), (true, false)] {
            cfg.throttle = throttle;
            cfg.lateeoi = lateeoi;
            let why = ui::code::why(&cfg);
            // " why: " and the words in a lesson's Code pane at 120×40 (70 columns).
            assert!(6 + why.chars().count() <= 70, "{why}");
        }
    }
}

#[test]
fn wider_terminals_cut_no_line_either() {
    for cfg in scenarios().into_iter().step_by(5) {
        step_through(cfg, 4, |app| {
            let found: Vec<Cut> = cuts(app, 160, 50)
                .into_iter()
                .filter(|c| c.pane.is_some())
                .collect();
            assert!(found.is_empty(), "{cfg:?} at 160×50: {found:#?}");
        });
    }
}

#[test]
fn a_mask_reason_is_cleared_and_no_event_is_said_lost() {
    let mut seen = 0;
    for cfg in scenarios() {
        let mut app = lab_at(cfg);
        for _ in 0..20 {
            run(&mut app, 0.05);
            for e in app.lane.sim().trace().last(usize::MAX) {
                let words = e.kind.to_string();
                seen += 1;
                // The simulation loses no event: no line may read as if it did.
                for bad in ["dropped", "lost"] {
                    assert!(!words.contains(bad), "{cfg:?}: {words}");
                }
            }
        }
    }
    assert!(seen > 0);
    // The words for a cleared mask reason, from the log itself.
    let mut app = lab_at(Config::default());
    press(&mut app, " ");
    press(&mut app, "m");
    press(&mut app, "u");
    let log: Vec<String> = app
        .lane
        .sim()
        .trace()
        .last(8)
        .map(|e| e.kind.to_string())
        .collect();
    assert!(
        log.iter().any(|l| l.contains("mask cleared")),
        "no cleared mask in {log:#?}"
    );
}

#[test]
fn the_paused_strip_draws_pauses_as_blocks_and_says_so() {
    let strip_row = |app: &App| {
        let screen = rows(app, 120, 40);
        let legend = screen
            .iter()
            .any(|r| r.contains("█ shut") && r.contains("· open"));
        let strip = screen
            .iter()
            .find_map(|r| r.split_once("│ paused ").map(|(_, s)| s.to_string()))
            .expect("the throttle pane's paused strip");
        (strip, legend)
    };
    // Throttle off: never paused, so no block at all.
    let mut open = lab_at(Config {
        throttle: false,
        ..Config::default()
    });
    run(&mut open, 2.0);
    let (strip, legend) = strip_row(&open);
    assert!(legend, "the strip's legend, in words");
    assert!(!strip.contains('█'), "never paused, yet blocks: {strip}");
    assert!(strip.contains('·'));
    // The story's throttled FreeBSD sender: paused most of the time, so mostly blocks.
    let mut shut = lab_at(Config::default());
    run(&mut shut, 2.0);
    let (strip, _) = strip_row(&shut);
    let blocks = strip.chars().filter(|&c| c == '█').count();
    let dots = strip.chars().filter(|&c| c == '·').count();
    assert!(
        blocks > dots,
        "paused ~85%, yet {blocks} blocks, {dots} dots: {strip}"
    );
}

fn catalog() -> Arc<Catalog> {
    Catalog::builtin().expect("the built-in lessons load")
}

fn open_lesson(cat: &Arc<Catalog>, id: &str) -> App {
    App::new(Options {
        scenario: Config::default(),
        open: Open::Lesson(id.to_string()),
        lessons: cat.clone(),
        progress: Default::default(),
    })
}

/// Play the current step's reference solution until its goal is met (or answer it).
fn solve(app: &mut App, step: &evtchn_lab::lesson::Step) {
    // The step's reference keys: a solution, a choice's digit, a number typed, a watch.
    let done = player::play_until_met(app, &step.reference_script())
        .expect("the reference solution plays");
    assert!(done, "the step is done");
}

#[test]
fn a_met_goal_shows_when_it_was_met_and_what_holds_now() {
    let cat = catalog();
    // A step whose goal wants the throttle one way, with the throttle's key unlocked.
    let (lesson, i, want) = cat
        .lessons
        .iter()
        .flat_map(|l| l.steps.iter().enumerate().map(move |(i, s)| (l, i, s)))
        .find_map(|(l, i, s)| match &s.task {
            Task::Goal(g)
                if s.unlocks(evtchn_lab::lesson::Unlock::Knob(
                    evtchn_lab::sim::Knob::Throttle,
                )) =>
            {
                g.checks.iter().find_map(|c| match c {
                    Check::Knob(Setting::Throttle(on)) => Some((l, i, *on)),
                    _ => None,
                })
            }
            _ => None,
        })
        .expect("a step that wants the throttle one way");
    let mut app = open_lesson(&cat, &lesson.id);
    for s in &lesson.steps[..i] {
        solve(&mut app, s);
        common::key(
            &mut app,
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        );
    }
    solve(&mut app, &lesson.steps[i]);
    let screen = rows(&app, 160, 50).join("\n");
    assert!(screen.contains("met at t "), "{screen}");
    // The learner explores on: the throttle back the other way.
    press(&mut app, "t");
    assert_ne!(app.lane.config().throttle, want);
    let screen = rows(&app, 160, 50);
    let line = screen
        .iter()
        .find(|r| r.contains("✓ throttle"))
        .unwrap_or_else(|| panic!("the throttle's check:\n{}", screen.join("\n")));
    assert!(
        line.contains("no longer holds"),
        "a stale tick reads as true: {line}"
    );
}

#[test]
fn a_locked_knob_is_explained_where_its_mark_is() {
    let cat = catalog();
    let mut marked = 0;
    for lesson in &cat.lessons {
        let app = open_lesson(&cat, &lesson.id);
        for (w, h) in [(80, 24), (120, 40)] {
            let screen = rows(&app, w, h);
            if screen[0].contains('⊘') {
                marked += 1;
                assert!(
                    screen[1..]
                        .iter()
                        .any(|r| r.contains("⊘  locked in this step")),
                    "{} at {w}×{h}: ⊘ unexplained:\n{}",
                    lesson.id,
                    screen.join("\n")
                );
            }
        }
    }
    assert!(marked > 0, "no lesson locks a knob in its first step");
}

#[test]
fn knob_marks_under_the_chart_never_run_together() {
    let mut app = lab_at(Config::default());
    for _ in 0..5 {
        run(&mut app, 1.3);
        press(&mut app, "t");
    }
    for w in [80, 100, 120, 160] {
        let screen = rows(&app, w, 40);
        let border = screen
            .iter()
            .find(|r| r.contains("s throttle"))
            .unwrap_or_else(|| panic!("the marks at {w}:\n{}", screen.join("\n")));
        // The pane's own border, from its corner: "└ │ 5.2s throttle off │ 6.5s … ┘".
        let at = border.find("s throttle").unwrap_or_default();
        let from = border[..at].rfind('└').map_or(0, |i| i + '└'.len_utf8());
        let to = border[from..].find('┘').map_or(border.len(), |i| from + i);
        let inner = border[from..to].trim_matches(|c| c == '─' || c == ' ');
        for piece in inner.split('│').map(str::trim).filter(|p| !p.is_empty()) {
            let mut words = piece.split(' ');
            let time = words.next().unwrap_or_default();
            let rest: Vec<&str> = words.collect();
            let whole = time.ends_with('s')
                && time[..time.len() - 1].parse::<f64>().is_ok()
                && matches!(rest.as_slice(), [] | ["throttle", "on" | "off"]);
            let count = piece.starts_with('+') && piece.ends_with("earlier");
            assert!(whole || count, "{w}: {piece:?} in {border}");
        }
    }
}

#[test]
fn the_demo_shows_the_reading_time_left_on_its_step() {
    use evtchn_lab::demo::{Demo, Pacing};
    let cat = catalog();
    let id = cat.lessons[0].id.clone();
    let (mut demo, mut app) = Demo::new(cat.clone(), std::slice::from_ref(&id)).unwrap();
    let step = &cat.lessons[0].steps[0];
    let whole = Pacing::WATCHABLE.step_read_ns(step).div_ceil(1_000_000_000);
    let left = |demo: &Demo| -> Option<u64> {
        let c = ui::demo::caption(demo);
        let (_, tail) = c.rsplit_once(" · ")?;
        tail.strip_suffix(" s left")?.parse().ok()
    };
    assert_eq!(left(&demo), Some(whole), "{}", ui::demo::caption(&demo));
    // It counts down as the demo plays, second by second, to the step's first key.
    let mut last = whole;
    let mut shown = 1;
    while let Some(l) = left(&demo) {
        assert!(l <= last && l > 0, "{l} after {last}");
        shown += usize::from(l < last);
        last = l;
        demo.next(&mut app).unwrap().expect("the demo goes on");
    }
    assert_eq!(shown as u64, whole, "every second of the reading shown");
}

#[test]
fn at_80x24_a_shortened_line_keeps_its_verb_and_value() {
    for cfg in scenarios() {
        step_through(cfg, 12, |app| {
            for c in cuts(app, 80, 24) {
                if !matches!(
                    c.pane,
                    Some(Pane::EoiFlow | Pane::Ports | Pane::Throttle | Pane::Code)
                ) {
                    continue;
                }
                // Who did what: the line's first word stays.
                let first = c.text.split_whitespace().next().unwrap_or_default();
                let first = first.trim_end_matches([':', ',', ';']);
                assert!(c.shown.contains(first), "{cfg:?}: {c:?}");
                // What came of it: a line with an outcome keeps its last word (the value).
                if c.text.contains(" → ") {
                    let last = c.text.split_whitespace().last().unwrap_or_default();
                    assert!(c.shown.ends_with(last), "{cfg:?}: {c:?}");
                }
            }
        });
    }
}

#[test]
fn no_line_is_cut_in_a_lessons_panes_at_120x40() {
    let cat = catalog();
    let mut found = std::collections::BTreeMap::new();
    for lesson in &cat.lessons {
        let mut app = open_lesson(&cat, &lesson.id);
        for (i, s) in lesson.steps.iter().enumerate() {
            let mut look = |app: &App| {
                for c in cuts(app, 120, 40) {
                    if watched(c.pane) {
                        let what = format!("{:?} in {}: {}", c.pane, c.width, c.text);
                        found
                            .entry(what)
                            .or_insert_with(|| format!("{} step {}", lesson.id, i + 1));
                    }
                }
            };
            look(&app);
            solve(&mut app, s);
            look(&app);
            common::key(
                &mut app,
                crossterm::event::KeyCode::Enter,
                crossterm::event::KeyModifiers::NONE,
            );
        }
    }
    assert_none_cut(&found);
}

#[test]
fn dom0_cpu_never_counts_work_still_to_come() {
    for cfg in scenarios().into_iter().step_by(3) {
        let mut app = lab_at(cfg);
        // Every µs of the first 40, and a few later points: the busy share counts the
        // work done by now, so it never passes its two CPUs (vCPU 0 and the RX kthread),
        // and right after the start, with only vCPU 0's first upcall, one.
        for t in (1..=40).map(|us| us * 1_000).chain([1_000_000, 1_000_500]) {
            app.lane.advance_to(t);
            let pct = ui::recent(&app.lane, evtchn_lab::sim::Figure::Dom0CpuPct)
                .expect("time has passed");
            assert!((0.0..=200.0).contains(&pct), "{cfg:?} at {t} ns: {pct}%");
            if t <= 2_000 {
                assert!(pct <= 100.0, "{cfg:?} at {t} ns: {pct}%");
            }
        }
    }
    // The frame's own words, 2 µs into the story's run.
    let mut app = lab_at(Config::default());
    app.lane.advance_to(2_000);
    let screen = rows(&app, 120, 40).join("\n");
    let shown = screen
        .split(" of a vCPU")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|s| s.strip_suffix('%'))
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("dom0 CPU in\n{screen}"));
    // The first upcall starts at 2 µs: none of its 2.1 µs is done yet.
    assert!(shown <= 100.0, "{shown}% of a vCPU");
    // 1 µs later, that 1 µs of the 3 is: a third.
    app.lane.advance_to(3_000);
    let pct = ui::recent(&app.lane, evtchn_lab::sim::Figure::Dom0CpuPct).unwrap_or_default();
    assert!((30.0..=36.0).contains(&pct), "{pct}% 3 µs in");
}

#[test]
fn the_demo_paces_a_step_by_the_words_on_screen() {
    use evtchn_lab::demo::{Demo, Pacing, Reader};
    let cat = catalog();
    let id = cat.lessons[0].id.clone();
    let step = &cat.lessons[0].steps[0];
    // The first step's reading time on a `w`×`h` terminal, and the words it shows.
    let read_at = |w: u16, h: u16| {
        let (mut demo, app) = Demo::new(cat.clone(), std::slice::from_ref(&id)).unwrap();
        let words = ui::demo::words_on_screen(&app, w, h);
        demo.read_on(
            &app,
            Reader {
                words: ui::demo::words_on_screen,
                width: w,
                height: h,
            },
        );
        (demo.left_ns().expect("reading"), words)
    };
    let (big, big_words) = read_at(160, 50);
    let (small, small_words) = read_at(80, 24);
    assert_eq!(big, Pacing::WATCHABLE.read_ns(big_words));
    assert_eq!(small, Pacing::WATCHABLE.read_ns(small_words));
    // More text on screen, a longer rest.
    assert!(small_words < big_words, "{small_words} vs {big_words}");
    assert!(small < big, "{small} vs {big}");
    // 80×24 cuts the step's text: its rest is shorter than the whole text's.
    assert!(
        small < Pacing::WATCHABLE.step_read_ns(step),
        "{} s for what shows",
        small / 1_000_000_000
    );
}
