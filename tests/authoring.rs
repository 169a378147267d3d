//! Writing a lesson, as an author runs the commands: `--dir` adds to the built-in lessons
//! (and says which it replaces), `requires` reaches both, one lesson can be checked alone,
//! `--strict` holds the curriculum's rules, and `--watch` checks again on a change.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
        .args(args)
        .env(
            "EVTCHN_LAB_STATE_DIR",
            std::env::temp_dir().join("evtchn-authoring"),
        )
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A short lesson that builds on a built-in one: a question and a goal.
const HZ_LESSON: &str = r#"
id = "51-hz-by-hand"
title = "HZ by hand"
summary = "One pause per tick."
requires = ["06-throttle-law"]

[[step]]
title = "Predict"
scenario = { guest = "freebsd", hz = 100 }
question = "At HZ 100, how many throttle pauses in three seconds?"
answer = 300
unit = "pauses"
explain = "One a tick: 300."

[[step]]
title = "A faster tick"
unlock = ["hz"]
text = "Make the tick four times as fast as the default one."
hints = ["Look at the status bar's HZ.", "A faster tick, shorter pauses."]
solution = ["z", "z", "z", "wait 1200ms"]
explain = "Shorter pauses."
[step.goal]
hz = 1000

[[step]]
title = "Recap"
question = "Where does a pause end?"
choices = ["At a tick", "At the guest's next notify"]
answer = 1
explain = "At the tick: `lateeoi_list_add` in `drivers/xen/events/events_base.c`."
"#;

/// "N lessons": the built-in ones and the author's one.
fn with_one_more() -> String {
    let built_in = evtchn_lab::lesson::Catalog::builtin()
        .unwrap()
        .lessons
        .len();
    format!("{} lessons", built_in + 1)
}

fn author_dir(lessons: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (id, text) in lessons {
        std::fs::write(dir.path().join(format!("{id}.toml")), text).unwrap();
    }
    dir
}

/// `lessons check ID --dir DIR` over these lessons in a new directory.
fn check_lessons(lessons: &[(&str, &str)], id: &str) -> Output {
    let dir = author_dir(lessons);
    lab(&[
        "lessons",
        "check",
        id,
        "--dir",
        dir.path().to_str().unwrap(),
    ])
}

#[test]
fn a_directory_adds_to_the_built_in_lessons_and_requires_reaches_them() {
    let dir = author_dir(&[("51-hz-by-hand", HZ_LESSON)]);
    let d = dir.path().to_str().unwrap();
    let o = lab(&["lessons", "check", "--dir", d]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).starts_with(&with_one_more()), "{}", text(&o));
    let o = lab(&["lessons", "--dir", d]);
    let t = text(&o);
    assert!(
        t.contains("51-hz-by-hand") && t.contains("06-throttle-law"),
        "{t}"
    );
    assert!(
        t.contains(&format!("`evtchn-lab lesson ID --dir {d}`")),
        "the hint keeps --dir: {t}"
    );
}

#[test]
fn a_lesson_with_a_built_in_id_replaces_it_and_says_so() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mine = std::fs::read_to_string(root.join("lessons/01-ports-and-bits.toml"))
        .unwrap()
        .replace("title = \"Ports and bits\"", "title = \"My ports\"");
    let dir = author_dir(&[("01-ports-and-bits", &mine)]);
    let d = dir.path().to_str().unwrap();
    let o = lab(&["lessons", "--dir", d]);
    let t = text(&o);
    assert!(
        t.contains(&format!(
            "01-ports-and-bits from {d} replaces the built-in 01-ports-and-bits"
        )),
        "{t}"
    );
    assert!(
        t.contains("My ports") && !t.contains("Ports and bits"),
        "{t}"
    );
}

#[test]
fn one_lesson_can_be_checked_alone() {
    let dir = author_dir(&[("51-hz-by-hand", HZ_LESSON)]);
    let d = dir.path().to_str().unwrap();
    let o = lab(&["lessons", "check", "51", "--dir", d]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).starts_with("1 lesson, 3 steps"), "{}", text(&o));
    let o = lab(&["lessons", "check", "99"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no lesson '99'"), "{}", text(&o));
}

#[test]
fn strict_holds_the_curriculum_rules_and_the_catalogue_keeps_them() {
    let one_step = r#"
id = "51-slow"
title = "HZ 100"
summary = "Slow."

[[step]]
title = "Slow"
unlock = ["hz"]
hints = ["Look at the status bar.", "Each press moves on to the next value."]
solution = ["z", "z", "z", "wait 1200ms"]
explain = "Slow."
[step.goal]
hz = 1000
"#;
    let dir = author_dir(&[("51-slow", one_step)]);
    let d = dir.path().to_str().unwrap();
    let o = lab(&["lessons", "check", "51", "--dir", d]);
    assert!(o.status.success(), "lenient: {}", text(&o));
    let o = lab(&["lessons", "check", "51", "--dir", d, "--strict"]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    for rule in [
        "1 steps: a curriculum lesson has 3 to 8",
        "no question",
        "names no source file",
    ] {
        assert!(t.contains(rule), "{rule}: {t}");
    }
    let o = lab(&["lessons", "check", "--strict"]);
    assert!(o.status.success(), "the catalogue: {}", text(&o));
    assert!(text(&o).contains("the curriculum's rules hold"));
}

/// Lines from a child's pipe, read on a thread: a test waits for one with a timeout and
/// fails, never hangs.
fn lines(pipe: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn watch_checks_again_when_a_lesson_changes() {
    let dir = author_dir(&[("51-hz-by-hand", HZ_LESSON)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
        .args(["lessons", "check", "--watch", "--dir"])
        .arg(dir.path())
        .env(
            "EVTCHN_LAB_STATE_DIR",
            std::env::temp_dir().join("evtchn-authoring"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = lines(child.stdout.take().unwrap());
    let err = lines(child.stderr.take().unwrap());
    let wait = Duration::from_secs(20);
    let result = (|| -> Result<(), String> {
        let first = out
            .recv_timeout(wait)
            .map_err(|_| format!("no first check: {:?}", err.try_iter().collect::<Vec<_>>()))?;
        if !first.starts_with(&with_one_more()) {
            return Err(first);
        }
        let watching = err.recv_timeout(wait).map_err(|e| e.to_string())?;
        if !watching.contains("watching") {
            return Err(watching);
        }
        // Break the lesson: the next check says where.
        let started = Instant::now();
        std::fs::write(
            dir.path().join("51-hz-by-hand.toml"),
            HZ_LESSON.replace("hz = 1000", "hz = 0"),
        )
        .unwrap();
        let again = err.recv_timeout(wait).map_err(|e| e.to_string())?;
        if !(again.contains("51-hz-by-hand.toml:") && again.contains("hz")) {
            return Err(again);
        }
        if started.elapsed() > Duration::from_secs(10) {
            return Err(format!("took {:?}", started.elapsed()));
        }
        Ok(())
    })();
    let _ = child.kill();
    let _ = child.wait();
    result.unwrap();
}

/// One run reports every problem: a file that does not load does not hide another's
/// failing solution, and every misspelt key of a file is named, each with a "did you
/// mean".
#[test]
fn one_check_reports_every_problem_of_every_file() {
    let slips = r#"
id = "52-slips"
title = "Slips"
summary = "x"

[[step]]
title = "Two misspelt keys"
hnits = ["a", "b"]
explian = "e"
"#;
    let failing = HZ_LESSON.replace("51-hz-by-hand", "53-failing").replace(
        r#"solution = ["z", "z", "z", "wait 1200ms"]"#,
        r#"solution = ["z"]"#,
    );
    let dir = author_dir(&[("52-slips", slips), ("53-failing", &failing)]);
    let o = lab(&["lessons", "check", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(
        t.contains("unknown key 'hnits': did you mean 'hints'?"),
        "{t}"
    );
    assert!(
        t.contains("unknown key 'explian': did you mean 'explain'?"),
        "{t}"
    );
    assert!(
        t.contains("53-failing.toml:") && t.contains("the solution ends without meeting the goal"),
        "the other file's solution is still replayed: {t}"
    );
}

/// An observe step (watch for a while, then Enter), figures shown without a goal, and
/// figures named in prose, filled with what the lab measures: live in the text, as they
/// were when the step was done in the explanation. `lessons check` prints what it saw.
const WATCH_LESSON: &str = r#"
id = "52-watch"
title = "Watch and read"
summary = "Figures in the prose."
requires = ["06-throttle-law"]

[[step]]
title = "Watch"
scenario = { guest = "freebsd" }
observe = "2s"
show = ["goodput_mbps", "events_per_jiffy"]
text = "The port is paused once a tick: {events_per_jiffy} events a jiffy."
explain = "It moved {goodput_mbps} Mbit/s."

[[step]]
title = "Then"
question = "What paused the port?"
choices = ["The throttle", "Nothing"]
answer = 1
explain = "The throttle."
"#;

#[test]
fn an_observe_step_shows_figures_and_fills_them_into_the_prose() {
    use evtchn_lab::app::{App, Msg, Open, Options, update};
    let dir = author_dir(&[("52-watch", WATCH_LESSON)]);
    let o = lab(&[
        "lessons",
        "check",
        "52",
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("52-watch step 1:") && t.contains("goodput_mbps "),
        "{t}"
    );

    let cat = evtchn_lab::lesson::load(Some(dir.path())).unwrap();
    let mut app = App::new(Options {
        scenario: Default::default(),
        open: Open::Lesson("52-watch".into()),
        lessons: cat,
        progress: Default::default(),
    });
    let lines = |app: &App| -> String {
        let run = app.lesson_run().unwrap();
        let (l, i) = app.current_lesson().unwrap();
        let theme = evtchn_lab::ui::theme::Theme::no_color();
        evtchn_lab::ui::lesson::step_lines(app, run, &l.steps[i], &theme, 200)
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    update(&mut app, Msg::Elapse { ns: 1_500_000_000 });
    let mid = lines(&app);
    assert!(
        !app.lesson_run().unwrap().state.met,
        "not watched long enough"
    );
    assert!(!mid.contains("{events_per_jiffy}"), "{mid}");
    assert!(
        mid.contains("events a jiffy") && mid.contains("goodput, Mbit/s"),
        "{mid}"
    );
    update(&mut app, Msg::NextStep);
    assert_eq!(
        app.lesson_run().unwrap().step,
        0,
        "Enter waits for the time"
    );
    for _ in 0..30 {
        update(&mut app, Msg::Elapse { ns: 20_000_000 });
    }
    assert!(app.lesson_run().unwrap().state.met);
    let done = lines(&app);
    let moved = done
        .split("It moved ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("{done}"));
    assert!((400.0..700.0).contains(&moved), "{moved}");
}

#[test]
fn a_figure_named_in_prose_must_exist_and_a_question_names_none() {
    let bad = WATCH_LESSON
        .replace("{events_per_jiffy}", "{events_per_jify}")
        .replace(
            "What paused the port?",
            "What paused the port at {goodput_mbps}?",
        );
    let o = check_lessons(&[("52-watch", &bad)], "52");
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(
        t.contains(
            "{events_per_jify}: unknown figure 'events_per_jify': did you mean 'events_per_jiffy'?"
        ),
        "{t}"
    );
    assert!(
        t.contains("a question or choice names a figure in braces"),
        "{t}"
    );
}

/// The README's worked example, as it stands there.
fn readme_example() -> String {
    let readme = include_str!("../README.md");
    let from = readme.find("### A worked example").expect("the section");
    readme[from..]
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("its toml block")
        .to_string()
}

/// The ```text block the README puts after `<!-- check: NAME -->`.
fn readme_output(name: &str) -> String {
    let readme = include_str!("../README.md");
    let marker = format!("<!-- check: {name} -->\n```text\n");
    let from = readme.find(&marker).expect("the marked block") + marker.len();
    readme[from..].split("```").next().unwrap().to_string()
}

/// The worked example passes `--strict`, and what the README says the check prints is
/// what it prints: the three slips' messages whole, the figures line by line in order
/// (`…` leaves lines out).
#[test]
fn the_readmes_worked_example_passes_strict_and_its_outputs_are_true() {
    let example = readme_example();
    let dir = author_dir(&[("50-hz-by-hand", &example)]);
    let d = dir.path().to_str().unwrap();
    let o = lab(&[
        "lessons",
        "check",
        "50",
        "--dir",
        d,
        "--strict",
        "--figures",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let got = String::from_utf8_lossy(&o.stdout).to_string();
    let mut lines = got.lines();
    for want in readme_output("the worked example with --figures").lines() {
        if want != "…" {
            assert!(
                lines.any(|l| l == want),
                "README's `{want}` is not printed (in order):\n{got}"
            );
        }
    }
    let slips = example
        .replacen("explain = \"Lower", "explian = \"Lower", 1)
        .replacen("{throttle_pauses} times", "{throttle_pause} times", 1)
        .replacen(
            r#"solution = ["z", "z", "z", "wait 1200ms"]"#,
            r#"solution = ["z", "wait 1200ms"]"#,
            1,
        );
    assert_ne!(slips, example);
    let dir = author_dir(&[("50-hz-by-hand", &slips)]);
    let d = dir.path().to_str().unwrap();
    let o = lab(&["lessons", "check", "50", "--dir", d]);
    assert_eq!(o.status.code(), Some(1));
    let got = text(&o).replace(d, "DIR");
    assert_eq!(
        got,
        readme_output("the worked example with its three slips")
    );
}

/// A step that cannot load stops the replay after it, not before: the failing
/// solution of an earlier step is still found, and the check says what it replayed.
#[test]
fn a_broken_step_hides_no_failing_solution_before_it() {
    let lesson = HZ_LESSON
        .replace(
            r#"solution = ["z", "z", "z", "wait 1200ms"]"#,
            r#"solution = ["z"]"#,
        )
        .replace("answer = 1\n", "answer = 7\n");
    let o = check_lessons(&[("51-hz-by-hand", &lesson)], "51");
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(
        t.contains("the solution ends without meeting the goal"),
        "{t}"
    );
    assert!(t.contains("step 3: answer 7 is not a choice"), "{t}");
    assert!(
        t.contains("steps 1 to 2 replayed; the rest waits for step 3 to load"),
        "{t}"
    );
}

/// In a compare step, prose reads lane B (`{b.…}`) and B over A (`{ratio.…}`); elsewhere
/// a lane-B figure is refused, at its place.
#[test]
fn prose_reads_lane_b_in_a_compare_step_and_nowhere_else() {
    use evtchn_lab::app::{App, Msg, Open, Options, update};
    let lesson = r#"
id = "52-lanes"
title = "Two lanes"
summary = "Lane B in prose."

[[step]]
title = "Both"
scenario = { guest = "freebsd" }
compare = { netback = "fixed" }
observe = "2s"
text = "A moves {goodput_mbps}, B {b.goodput_mbps}: B/A {ratio.goodput_mbps}."
explain = "B moved {b.goodput_mbps} Mbit/s, {ratio.goodput_mbps} times A."
"#;
    let dir = author_dir(&[("52-lanes", lesson)]);
    let cat = evtchn_lab::lesson::load(Some(dir.path())).unwrap();
    let mut app = App::new(Options {
        scenario: Default::default(),
        open: Open::Lesson("52-lanes".into()),
        lessons: cat,
        progress: Default::default(),
    });
    for _ in 0..120 {
        update(&mut app, Msg::Elapse { ns: 20_000_000 });
    }
    let run = app.lesson_run().unwrap();
    assert!(run.state.met);
    let (l, i) = app.current_lesson().unwrap();
    let theme = evtchn_lab::ui::theme::Theme::no_color();
    let shown: String = evtchn_lab::ui::lesson::step_lines(&app, run, &l.steps[i], &theme, 200)
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let number_after = |what: &str| -> f64 {
        shown
            .split(what)
            .nth(1)
            // Prose groups thousands (`2,181`); a clause may follow (`Mbit/s, 4.30`).
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.trim_end_matches(',').replace(',', "").parse().ok())
            .unwrap_or_else(|| panic!("{what}: {shown}"))
    };
    let b = number_after("B moved ");
    let ratio = number_after("Mbit/s, ");
    assert!(b > 1900.0, "lane B runs the fixed netback: {shown}");
    assert!((3.0..6.0).contains(&ratio), "B over A: {shown}");
    let alone = lesson.replace("compare = { netback = \"fixed\" }\n", "");
    let o = check_lessons(&[("52-lanes", &alone)], "52");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("lane B's figures (b., ratio.) are for a step with compare"),
        "{}",
        text(&o)
    );
}

/// A step can ask the learner to go back in time: `rewound = true` with the state of the
/// moment to find ("go back to the last pause"). Left alone the goal never holds (the lab
/// is not rewound); the reference solution rewinds with `<` and runs on to the pause.
#[test]
fn a_step_can_ask_to_go_back_to_the_last_pause() {
    let lesson = r#"
id = "54-back"
title = "Back to the pause"
summary = "Rewind."
requires = ["06-throttle-law"]

[[step]]
title = "Missed it"
scenario = { guest = "freebsd" }
text = "You missed the last pause: go back in time and find a moment the port is on the delayed list."
hints = ["The lab keeps the last minute.", "Rewind, then run on: the lab stops at the pause."]
solution = ["wait 1500ms", "<", "space", "wait 300ms"]
explain = "Paused: the port waits for the tick."
[step.goal]
rewound = true
on_delayed_list = true
"#;
    // `lessons check 54` on the lesson as given: its exit code and what it says.
    let check = |text_of: &str| {
        let o = check_lessons(&[("54-back", text_of)], "54");
        (o.status.success(), text(&o))
    };
    let (ok, said) = check(lesson);
    assert!(ok, "{said}");
    let (_, said) = check(&lesson.replace("rewound = true", "rewound = 1"));
    assert!(said.contains("rewound is true or false"), "{said}");
    // Without the rewind the same keys never meet it.
    let (_, said) = check(&lesson.replace(r#""<", "#, ""));
    assert!(
        said.contains("the solution ends without meeting the goal"),
        "{said}"
    );
}
