//! The lesson engine's new kinds of step, through `update` only: a numeric question
//! (too high, too low, tries, the first try recorded), a challenge (every knob, a par, the
//! learner's count) whose goal must hold a while, and a step that compares two lanes and
//! reads lane B and B/A. The steps are the README's example, loaded and checked like any
//! other lesson.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use evtchn_lab::app::check::check_catalog;
use evtchn_lab::app::keymap::{self, Ctx};
use evtchn_lab::app::{App, Msg, Open, Options, RunState, update};
use evtchn_lab::lesson::progress::Progress;
use evtchn_lab::lesson::{Catalog, problems_text};
use evtchn_lab::sim::Config;

/// The lesson: a header, then the README's example steps (so the README's example is the
/// one tested).
fn lesson_text() -> String {
    let readme = include_str!("../README.md");
    let from = readme
        .find("A numeric question, a challenge that must hold, and a compare step")
        .expect("the README's example");
    let steps = readme[from..]
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("its toml block");
    format!(
        "id = \"01-engine\"\ntitle = \"The engine's new steps\"\n\
         summary = \"A number to type, a challenge that must hold, two lanes.\"\n\n{steps}"
    )
}

fn catalog() -> Arc<Catalog> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("01-engine.toml"), lesson_text()).unwrap();
    Catalog::from_dir(dir.path()).unwrap_or_else(|p| panic!("{}", problems_text(&p)))
}

fn open() -> App {
    App::new(Options {
        scenario: Config::default(),
        open: Open::Lesson("01-engine".into()),
        lessons: catalog(),
        progress: Progress::default(),
    })
}

fn key(app: &mut App, code: KeyCode) {
    let k = KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(m) = keymap::msg_for_key(app, &k) {
        update(app, m);
    }
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter);
}

fn elapse(app: &mut App, ms: u64) {
    for _ in 0..ms / 20 {
        update(app, Msg::Elapse { ns: 20_000_000 });
    }
}

fn state(app: &App) -> &evtchn_lab::app::StepState {
    &app.lesson_run().expect("a lesson").state
}

#[test]
fn the_lesson_passes_the_check() {
    let cat = catalog();
    let out = check_catalog(&cat);
    assert!(out.problems.is_empty(), "{}", problems_text(&out.problems));
    assert_eq!(out.steps, 3);
}

#[test]
fn a_numeric_question_says_too_high_or_too_low_until_the_tries_run_out() {
    let mut app = open();
    assert_eq!(Ctx::of(&app), Ctx::Type, "a number to type");
    assert_eq!(app.run, RunState::Paused, "the question freezes the lab");
    // Keys that would run or change the lab do nothing while the question waits.
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('b'));
    assert_eq!(app.run, RunState::Paused);
    assert_eq!(state(&app).typed, "", "space and b are not digits");
    typed(&mut app, "5");
    assert!(
        app.notice
            .as_deref()
            .unwrap()
            .contains("too high: 2 tries left")
    );
    assert!(!state(&app).met);
    // Backspace erases; a thousands separator is read past.
    for c in "1,0".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Backspace);
    assert_eq!(state(&app).typed, "1");
    key(&mut app, KeyCode::Enter);
    assert!(
        app.notice
            .as_deref()
            .unwrap()
            .contains("too low: 1 try left")
    );
    typed(&mut app, "9");
    let s = state(&app);
    assert!(s.met && s.number_right == Some(false), "no tries left");
    assert_eq!(s.tries, vec![5.0, 1.0, 9.0]);
    assert_eq!(
        app.run,
        RunState::Running,
        "answered: the question's run starts"
    );
    let first = &app.progress.lesson("01-engine").unwrap().first_try;
    assert_eq!(first.get("0"), Some(&false), "the first try is recorded");
}

#[test]
fn a_right_first_try_is_recorded_and_stands() {
    let mut app = open();
    typed(&mut app, "2.2");
    assert_eq!(state(&app).number_right, Some(true), "within ± 0.5");
    assert_eq!(
        app.progress.lesson("01-engine").unwrap().first_try.get("0"),
        Some(&true)
    );
    // Going back to the question and failing it does not change the first try.
    update(&mut app, Msg::RestartStep);
    typed(&mut app, "7");
    typed(&mut app, "7");
    typed(&mut app, "7");
    assert_eq!(
        app.progress.lesson("01-engine").unwrap().first_try.get("0"),
        Some(&true)
    );
}

#[test]
fn a_challenge_counts_knob_changes_against_its_par_and_its_goal_must_hold() {
    let mut app = open();
    typed(&mut app, "2");
    update(&mut app, Msg::NextStep);
    assert_eq!(app.par(), Some(1), "the solution flips one knob");
    for k in ['g', 'd', 'z', 'a', 'l'] {
        assert!(
            !matches!(
                keymap::msg_for_key(&app, &KeyEvent::new(KeyCode::Char(k), KeyModifiers::NONE)),
                Some(Msg::Locked(_))
            ),
            "{k} is unlocked in a challenge"
        );
    }
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Char('b'));
    assert_eq!(state(&app).knob_changes, 3);
    // The goal holds from the first whole window after the change, and must go on holding
    // for 2 s: at 1.5 s it is not met, at 3.5 s it is.
    elapse(&mut app, 1500);
    assert!(!state(&app).met, "not yet held for 2 s");
    // A break (throttle off) starts the hold again.
    key(&mut app, KeyCode::Char('t'));
    elapse(&mut app, 1000);
    assert!(state(&app).held_since.is_none());
    key(&mut app, KeyCode::Char('t'));
    elapse(&mut app, 2000);
    assert!(!state(&app).met, "the window refills after a knob change");
    elapse(&mut app, 2000);
    assert!(state(&app).met, "held long enough");
}

#[test]
fn a_compare_step_runs_two_lanes_and_reads_b_and_the_ratio() {
    let mut app = open();
    typed(&mut app, "2");
    update(&mut app, Msg::NextStep);
    let solution = ["b"];
    for k in solution {
        key(&mut app, KeyCode::Char(k.chars().next().unwrap()));
    }
    elapse(&mut app, 4000);
    assert!(state(&app).met);
    update(&mut app, Msg::NextStep);
    let b = app.lane_b().expect("lane B");
    assert_eq!(
        b.config().netback.name(),
        "fixed",
        "lane B runs the step's setting"
    );
    assert_eq!(app.lane.now_ns(), 0, "both lanes start at t = 0");
    elapse(&mut app, 1500);
    let status = state(&app).status.clone().unwrap();
    assert!(!status.met, "lane A is still buggy: B/A is about 4");
    let ratio = status.checks[0]
        .now
        .as_deref()
        .unwrap()
        .parse::<f64>()
        .unwrap();
    assert!(ratio > 3.0, "B/A {ratio}");
    // `b` changes lane A only: lane B keeps the step's setting.
    key(&mut app, KeyCode::Char('b'));
    assert_eq!(app.lane_b().unwrap().config().netback.name(), "fixed");
    assert_eq!(app.lane.config().netback.name(), "fixed");
    elapse(&mut app, 1500);
    assert!(state(&app).met, "{:?}", state(&app).status);
    assert_eq!(app.lane_b().unwrap().now_ns(), app.lane.now_ns());
}
