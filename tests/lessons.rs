//! The lessons as a learner meets them: every solution meets its goal and every step starts
//! unsolved (the same code as `evtchn-lab lessons check`); the curriculum's shape; and the
//! lesson keys, through `update` only.

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use evtchn_lab::app::check::check_catalog;
use evtchn_lab::app::player::{self, Flow};
use evtchn_lab::app::{App, Msg, Open, Options, Page, RunState, keymap, update};
use evtchn_lab::lesson::progress::{Progress, Status};
use evtchn_lab::lesson::{Catalog, Task, lint, problems_text};
use evtchn_lab::script::Script;
use evtchn_lab::sim::Config;

#[macro_use]
mod common;

fn catalog() -> Arc<Catalog> {
    Catalog::builtin().unwrap_or_else(|p| panic!("{}", evtchn_lab::lesson::problems_text(&p)))
}

fn open(id: &str, progress: Progress) -> App {
    App::new(Options {
        scenario: Config::default(),
        open: Open::Lesson(id.into()),
        lessons: catalog(),
        progress,
    })
}

fn keys(app: &mut App, items: &[&str]) {
    let s = Script::parse(items).unwrap();
    player::play(app, &s, |_, _| Flow::Continue).unwrap();
}

fn enter(app: &mut App) {
    let k = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    if let Some(m) = keymap::msg_for_key(app, &k) {
        update(app, m);
    }
}

fn step(app: &App) -> usize {
    app.lesson_run().expect("in a lesson").step
}

#[test]
fn every_solution_meets_its_goal_and_every_step_starts_unsolved() {
    let cat = catalog();
    let started = Instant::now();
    let out = check_catalog(&cat);
    let text: Vec<String> = out.problems.iter().map(|p| p.to_string()).collect();
    assert!(text.is_empty(), "{}", text.join("\n"));
    assert_eq!(out.lessons, cat.len());
    eprintln!(
        "{} lessons, {} steps, {:.1} virtual s replayed in {:.2} s",
        out.lessons,
        out.steps,
        out.virtual_ns as f64 / 1e9,
        started.elapsed().as_secs_f64()
    );
}

/// What every lesson must have: the curriculum's rules (`lessons check --strict`: 3–8
/// steps, a prediction quiz, a goal on the live simulation, two hints on every goal step,
/// and a last step that names real kernel or Xen sources).
#[test]
fn every_lesson_has_the_curriculum_shape() {
    for l in &catalog().lessons {
        let p = evtchn_lab::lesson::strict::problems(l);
        assert!(p.is_empty(), "{}", evtchn_lab::lesson::problems_text(&p));
    }
}

#[test]
fn a_met_goal_pauses_and_enter_goes_on() {
    let mut app = open("01-ports-and-bits", Progress::default());
    assert_eq!(step(&app), 0);
    assert!(!app.step_met());
    // Enter before the goal holds: a notice, no step.
    enter(&mut app);
    assert_eq!(step(&app), 0);
    assert!(app.notice.as_deref().unwrap().contains("not yet"));
    keys(&mut app, &["n"]);
    assert!(app.step_met());
    assert_eq!(
        app.run,
        RunState::Paused,
        "paused on the state that met the goal"
    );
    let p = app.progress.lesson("01-ports-and-bits").unwrap();
    assert!(p.done_steps.contains(&0));
    assert_eq!(p.step, 1, "coming back goes to the next step");
    enter(&mut app);
    assert_eq!(step(&app), 1);
    assert!(!app.step_met());
    assert_eq!(
        app.run,
        RunState::Paused,
        "a step without a scenario goes on as it was"
    );
}

#[test]
fn coming_back_resumes_at_the_saved_step_with_the_state_rebuilt() {
    let mut app = open("01-ports-and-bits", Progress::default());
    keys(&mut app, &["n"]);
    enter(&mut app);
    let saved = app.progress.clone();
    let again = open("01-ports-and-bits", saved);
    assert_eq!(step(&again), 1);
    // The state the step expects: the notify of step 1 is pending, not yet handled.
    let p = again.lane.ports()[0];
    assert!(p.pending && !p.masked, "{p:?}");
    assert_eq!(
        again.progress.status(&catalog().lessons[0]),
        Status::InProgress { done: 1, of: 4 }
    );
}

#[test]
fn restart_and_previous_step_go_back_to_how_the_step_began() {
    let mut app = open("02-masking-and-coalescing", Progress::default());
    keys(&mut app, &["2", "Enter", "m", "n"]);
    assert_eq!(step(&app), 1);
    assert!(app.step_met());
    keys(&mut app, &["R"]);
    assert!(!app.step_met(), "restarted: unsolved again");
    let p = app.lane.ports()[0];
    assert!(!p.pending && !p.masked, "as the step began: {p:?}");
    keys(&mut app, &["m", "n", "Enter"]);
    assert_eq!(step(&app), 2);
    keys(&mut app, &["p"]);
    assert_eq!(step(&app), 1);
    assert!(!app.lane.ports()[0].masked, "step 2 as it began");
}

#[test]
fn hints_one_at_a_time_and_the_solution_asks_first() {
    let mut app = open("01-ports-and-bits", Progress::default());
    keys(&mut app, &["h"]);
    assert_eq!(app.lesson_run().unwrap().state.hints_shown, 1);
    keys(&mut app, &["h", "h", "h"]);
    assert_eq!(
        app.lesson_run().unwrap().state.hints_shown,
        3,
        "only three hints"
    );
    assert!(app.notice.as_deref().unwrap().contains("no more hints"));
    keys(&mut app, &["S"]);
    assert!(
        !app.lesson_run().unwrap().state.solution_shown,
        "asks first"
    );
    keys(&mut app, &["h", "S"]);
    assert!(
        !app.lesson_run().unwrap().state.solution_shown,
        "another key cancels"
    );
    keys(&mut app, &["S", "S"]);
    assert!(app.lesson_run().unwrap().state.solution_shown);
    let p = app.progress.lesson("01-ports-and-bits").unwrap();
    assert_eq!(p.hints.get("0"), Some(&3));
    assert!(p.solutions_shown.contains(&0));
}

/// A digit past the choices, or a second answer, says why nothing happened (both were
/// silently ignored); the first answer stands.
#[test]
fn an_answer_out_of_range_or_a_second_one_says_why() {
    let mut app = open("06-throttle-law", Progress::default());
    // A solution that presses it is still told the key does nothing.
    let s = Script::parse(&["5"]).unwrap();
    assert!(matches!(
        player::play(&mut app, &s, |_, _| Flow::Continue),
        Err(player::ScriptError::KeyDoesNothing { .. })
    ));
    let digit = |app: &mut App, c: char| {
        let k = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        let m = keymap::msg_for_key(app, &k).expect("a digit means something in a quiz");
        update(app, m);
    };
    digit(&mut app, '5');
    assert!(!app.step_met());
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("no choice 5") && notice.contains("1–3"),
        "{notice}"
    );
    digit(&mut app, '1');
    assert!(app.step_met());
    assert!(app.notice.as_deref().unwrap().contains("not quite"));
    digit(&mut app, '3');
    assert!(app.notice.as_deref().unwrap().contains("answered already"));
    assert_eq!(app.lesson_run().unwrap().state.answer, Some(0));
}

/// A question has no hint and no solution, on purpose: `h` and `S` say so (they promised
/// a solution that never showed), and the key bar does not offer them there.
#[test]
fn a_question_offers_no_hint_or_solution_and_says_why() {
    let mut app = open("06-throttle-law", Progress::default());
    for k in ["h", "S"] {
        keys(&mut app, &[k]);
        let notice = app.notice.clone().unwrap_or_default();
        assert!(
            notice.contains("a question has no hint or solution"),
            "{k}: {notice}"
        );
        let st = &app.lesson_run().unwrap().state;
        assert_eq!((st.hints_shown, st.solution_shown), (0, false));
    }
    let s = common::screen(&app, 200, 50);
    let footer: String = s.lines().rev().take(2).collect();
    assert!(
        !footer.contains(" h  hint ") && !footer.contains(" S  solution "),
        "{footer}"
    );
    assert!(footer.contains(" 1-3  answer "), "{footer}");
}

#[test]
fn a_locked_knob_says_why_and_changes_nothing() {
    let mut app = open("01-ports-and-bits", Progress::default());
    let before = *app.config();
    let t = KeyEvent::new(KeyCode::Char('t'), KeyModifiers::NONE);
    let m = keymap::msg_for_key(&app, &t).unwrap();
    update(&mut app, m);
    assert_eq!(*app.config(), before);
    let n = app.notice.clone().unwrap();
    assert!(
        n.contains("throttle: locked in this step") && n.contains("port"),
        "{n}"
    );
    // A solution that presses a locked key fails `lessons check`: no learner could do it.
    let s = Script::parse(&["b"]).unwrap();
    let e = player::play(&mut app, &s, |_, _| Flow::Continue).unwrap_err();
    assert_eq!(
        e.to_string(),
        "item 1 ('b') is locked in this step: add \"netback\" to unlock"
    );
    assert_eq!(*app.config(), before);
}

#[test]
fn the_last_step_returns_to_the_list_with_the_next_lesson_chosen() {
    let cat = catalog();
    let first = &cat.lessons[0];
    let mut app = open(&first.id, Progress::default());
    for s in &first.steps {
        let done = player::play_until_met(&mut app, &s.reference_script()).unwrap();
        assert!(done);
        enter(&mut app);
    }
    assert!(matches!(app.page, Page::Start { .. }));
    assert_eq!(app.progress.status(first), Status::Done);
    assert!(app.notice.as_deref().unwrap().contains("lesson done"));
    if cat.len() > 1 {
        let Page::Start { selected } = app.page else {
            unreachable!()
        };
        assert_eq!(
            app.menu()[selected],
            evtchn_lab::app::MenuEntry::Lesson(1),
            "the next lesson is chosen"
        );
    }
}

/// A goal on a passing state (a throttle pause lasts one 4 ms jiffy) is not stepped over
/// by the loop's 20 ms ticks: the lab looks after every event and stops where it holds.
#[test]
fn a_passing_state_is_caught_between_ticks() {
    use std::time::Duration;
    let mut app = open("06-throttle-law", Progress::default());
    update(&mut app, Msg::Answer(3));
    enter(&mut app);
    assert_eq!(step(&app), 1);
    let tick = |app: &mut App| {
        update(
            app,
            Msg::Advance {
                wall: Duration::from_millis(20),
            },
        )
    };
    keys(&mut app, &["n"]);
    tick(&mut app);
    keys(&mut app, &["n"]);
    tick(&mut app);
    assert!(app.step_met(), "the pause was caught");
    let p = app.lane.ports()[0];
    assert!(p.on_eoi_list && p.masked && p.spurious_cnt == 2, "{p:?}");
    assert_eq!(app.run, RunState::Paused);
}

/// Every log line a lesson quotes (an italic phrase with an arrow, like *pending set →
/// upcall raised*) is said by the simulation while that lesson's solutions play: lesson
/// text cannot drift from the lab's own words.
#[test]
fn quoted_log_lines_are_the_simulations_words() {
    use std::collections::BTreeSet;
    for lesson in &catalog().lessons {
        let mut quoted: BTreeSet<String> = BTreeSet::new();
        for s in &lesson.steps {
            let all = format!("{} {} {}", s.text, s.explain, s.hints.join(" "));
            for (i, part) in all.split('*').enumerate() {
                let phrase = part.split_whitespace().collect::<Vec<_>>().join(" ");
                if i % 2 == 1 && (phrase.contains('→') || quotes_a_function(&phrase)) {
                    quoted.insert(phrase);
                }
            }
        }
        if quoted.is_empty() {
            continue;
        }
        // Play the lesson, reading the trace as it goes (the lab's ring may wrap between
        // two looks under a storm; what it keeps is enough to hear every kind of line).
        let mut app = open(&lesson.id, Progress::default());
        let mut said: BTreeSet<String> = BTreeSet::new();
        let listen = |app: &App, said: &mut BTreeSet<String>, seen: &mut u64| {
            for e in app.lane.sim().trace().since(*seen) {
                said.insert(e.kind.to_string());
            }
            *seen = app.lane.sim().trace().next_seq();
        };
        for s in &lesson.steps {
            let mut seen = 0; // a step may start a new run: its trace starts again
            // The step's reference keys: a solution, a choice's digit, a number typed.
            player::play(&mut app, &s.reference_script(), |a, _| {
                listen(a, &mut said, &mut seen);
                if a.step_met() {
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            })
            .unwrap();
            listen(&app, &mut said, &mut seen);
            enter(&mut app);
        }
        for q in &quoted {
            assert!(
                said.iter().any(|w| w.contains(q.as_str())),
                "{}: the lesson quotes *{q}*, which the simulation never says while it plays",
                lesson.id
            );
        }
    }
}

/// The README's complete lesson passes `lessons check` beside the built-in ones, as the
/// README says.
#[test]
fn the_readmes_example_lesson_passes_the_check() {
    let (_dir, cat) = with_the_readmes_example();
    let mut problems = evtchn_lab::lesson::glossary::undefined_terms(&cat);
    // The whole of `lessons check`: the replay and every question's frames.
    let out = evtchn_lab::cast::questions::check_catalog(&cat).check;
    problems.extend(out.problems.clone());
    assert!(
        problems.is_empty(),
        "{}",
        evtchn_lab::lesson::problems_text(&problems)
    );
    assert_eq!(out.lessons, cat.lessons.len());
}

/// The built-in lessons and the README's complete lesson, in a directory of their own.
fn with_the_readmes_example() -> (tempfile::TempDir, Arc<Catalog>) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let from = readme.find("## Writing a lesson").expect("the section");
    let block = readme[from..]
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a toml block in the section");
    let id = block
        .lines()
        .find_map(|l| l.strip_prefix("id = \""))
        .and_then(|l| l.split('"').next())
        .expect("an id");
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root.join("lessons")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.path().join(format!("{id}.toml")), block).unwrap();
    let cat = Catalog::from_dir(dir.path())
        .unwrap_or_else(|p| panic!("{}", evtchn_lab::lesson::problems_text(&p)));
    (dir, cat)
}

/// The shipped questions give no answer away by its place or its length: no position is
/// right in more than 40% of them, the right choice is the longest in at most 40% (and the
/// shortest in at most 40%, so that no reverse tell replaces it); every
/// goal step has hints in tiers; and the lints find nothing, beside the README's example
/// too. Prints the figures (`-- --nocapture`).
#[test]
fn the_choices_and_hints_give_nothing_away() {
    let cat = catalog();
    let b = lint::Balance::of(&cat);
    let goals: Vec<usize> = cat
        .lessons
        .iter()
        .flat_map(|l| &l.steps)
        .filter(|s| matches!(s.task, Task::Goal(_)))
        .map(|s| s.hints.len())
        .collect();
    let tiered = goals.iter().filter(|&&h| h >= lint::MIN_HINTS).count();
    eprintln!(
        "{} choice questions; right by position {:?}; right choice the longest in {}, the \
         shortest in {}; {tiered} of {} goal steps with 2 hints or more",
        b.questions,
        b.positions,
        b.longest,
        b.shortest,
        goals.len()
    );
    for (i, &c) in b.positions.iter().enumerate() {
        assert!(
            c * 5 <= b.questions * 2,
            "position {} is right in {c} of {}",
            i + 1,
            b.questions
        );
    }
    assert!(b.longest * 5 <= b.questions * 2, "{} longest", b.longest);
    // Nor by being short: the lint does not ask it, the shipped lessons keep it.
    assert!(b.shortest * 5 <= b.questions * 2, "{} shortest", b.shortest);
    assert_eq!(tiered, goals.len());
    let problems = lint::catalog(&cat);
    assert!(problems.is_empty(), "{}", problems_text(&problems));
    let (_dir, with_example) = with_the_readmes_example();
    let problems = lint::catalog(&with_example);
    assert!(problems.is_empty(), "{}", problems_text(&problems));
}

/// A log line that names the function saying it, like *dom0's mask cleared (unmask_irq)*.
fn quotes_a_function(phrase: &str) -> bool {
    phrase
        .strip_suffix(')')
        .and_then(|p| p.rsplit_once('('))
        .is_some_and(|(words, f)| {
            !words.trim().is_empty()
                && !f.is_empty()
                && f.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
}
