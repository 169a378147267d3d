//! The veil: while a question waits for its answer, what its step veils reads `?` in every
//! pane, at every size, and shows again once it is answered; a goal's checklist gives no
//! target away that a later question asks about; `lessons check` reads every question's
//! first frame and fails where it gives the answer away. And the Counters pane counts from
//! the last knob change (item 7 of issue 19).

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use evtchn_lab::app::player;
use evtchn_lab::app::{App, Open, Options, Veil, keymap, update};
use evtchn_lab::cast::plain_text;
use evtchn_lab::cast::questions::{self, shows_number};
use evtchn_lab::lesson::progress::Progress;
use evtchn_lab::lesson::{Catalog, LogVeil, Veiled, from_files, problems_text};
use evtchn_lab::sim::{Config, Figure, GuestKind};
use evtchn_lab::ui;
use evtchn_lab::ui::theme::Theme;
use evtchn_lab::ui::veil::TABLE;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

#[macro_use]
mod common;
use common::{press, run};

/// A lesson: a sending FreeBSD guest gets the update (`l`), then a question. `{CHOICE}`
/// is the right choice's words, `{VEIL}` the question's veil line (or nothing).
const PROBE: &str = r#"id = "90-veil-probe"
title = "Veil probe"
summary = "A question about what the lab shows."

[[step]]
title = "Apply the update"
scenario = { guest = "freebsd", direction = "tx", lateeoi = false }
unlock = ["lateeoi"]
text = "Press `l`."
hints = ["Press `l`."]
solution = ["l", "wait 2s"]
explain = "Late EOI is on."
[step.goal]
lateeoi = true
goodput_mbps = { max = 1000 }
hold = "500ms"

[[step]]
title = "Predict"
text = "The Throughput pane and the Counters pane."
panes = ["throughput", "counters"]
question = "What is the goodput now, and what does dom0 spend on it?"
{VEIL}
choices = ["{CHOICE}", "Nothing at all, it stopped"]
answer = 1
explain = "What the panes show."
"#;

const VEIL: &str = r#"veil = ["goodput_mbps", "dom0_cpu_pct", "verdict"]"#;

fn probe(choice: &str, veil: &str) -> String {
    PROBE.replace("{CHOICE}", choice).replace("{VEIL}", veil)
}

fn path() -> PathBuf {
    PathBuf::from("lessons/90-veil-probe.toml")
}

fn catalog(text: &str) -> Arc<Catalog> {
    Arc::new(
        from_files(&[(path(), text.to_string())])
            .unwrap_or_else(|p| panic!("{}", problems_text(&p))),
    )
}

fn open(cat: Arc<Catalog>, id: &str) -> App {
    App::new(Options {
        scenario: Config::default(),
        open: Open::Lesson(id.to_string()),
        lessons: cat,
        progress: Progress::default(),
    })
}

/// The current step's reference keys (its solution, or its right answer), until it is done.
fn solve(app: &mut App) {
    let (l, i) = app.current_lesson().expect("a lesson");
    let script = l.steps[i].reference_script();
    let done = player::play_until_met(app, &script).expect("the reference keys play");
    assert!(done, "the step is done");
}

fn key(app: &mut App, code: KeyCode) {
    let m = keymap::msg_for_key(app, &KeyEvent::new(code, KeyModifiers::NONE))
        .expect("a key that does something");
    update(app, m);
}

/// The whole frame at `w`×`h`, as text.
fn screen(app: &App, w: u16, h: u16) -> String {
    plain_text(&questions::frame(app, w, h))
}

/// The text right after `label` on each row that has it (up to `n` chars).
fn after(text: &str, label: &str, n: usize) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once(label).map(|(_, rest)| rest))
        .map(|rest| rest.chars().take(n).collect())
        .collect()
}

/// Words that say netback's verdict (the code's `XEN_EOI_FLAG_SPURIOUS` is not one).
const VERDICT_WORDS: [&str; 5] = [
    "flagged SPURIOUS",
    ", SPURIOUS",
    "real work",
    "spurious if",
    "says spurious",
];

/// The probe's question, open (the update applied and run for a second).
fn question_open(veil: &str) -> App {
    let mut app = open(catalog(&probe("Low", veil)), "90-veil-probe");
    solve(&mut app);
    key(&mut app, KeyCode::Enter);
    assert!(app.open_question().is_some(), "the question waits");
    app
}

#[test]
fn a_question_veils_its_figures_in_every_pane_at_every_size_until_it_is_answered() {
    let veiled = question_open(VEIL);
    let mut answered = veiled.clone();
    solve(&mut answered);
    assert!(answered.open_question().is_none());
    assert_eq!(
        answered.lane.now_ns(),
        veiled.lane.now_ns(),
        "no time passed"
    );
    let lane = &veiled.lane;
    let goodput = format!("{:.0}", ui::recent(lane, Figure::GoodputMbps).unwrap());
    let cpu = ui::recent(lane, Figure::Dom0CpuPct).unwrap();
    let cpu_forms = [format!("{cpu:.1}%"), format!("{cpu:.0}%")];
    for (w, h) in [(80, 24), (120, 40), (160, 50)] {
        // The lab's panes and bars: the lesson pane is the question's own words.
        let v = questions::frame_outside_lesson(&veiled, w, h);
        let u = questions::frame_outside_lesson(&answered, w, h);
        let at = format!("{w}x{h}");
        // The goodput: where it was, `?`; its digits nowhere.
        let was = after(&u, "goodput ", 12);
        assert!(
            !was.is_empty(),
            "{at}: the goodput shows once answered\n{u}"
        );
        assert!(was.iter().any(|s| s.starts_with(&goodput)), "{at}: {was:?}");
        for s in after(&v, "goodput ", 12) {
            assert!(s.starts_with('?'), "{at}: goodput reads {s:?}\n{v}");
            assert!(!s.chars().any(|c| c.is_ascii_digit()), "{at}: {s:?}");
        }
        assert!(!shows_number(&v, &goodput), "{at}: {goodput} shows\n{v}");
        // dom0 CPU, where the Counters pane shows it.
        for s in after(&v, "dom0 CPU", 24) {
            assert!(s.contains('?'), "{at}: dom0 CPU reads {s:?}\n{v}");
            assert!(!s.chars().any(|c| c.is_ascii_digit()), "{at}: {s:?}");
        }
        for f in &cpu_forms {
            assert!(!shows_number(&v, f), "{at}: dom0 CPU {f} shows\n{v}");
        }
        if u.contains("dom0 CPU") {
            assert!(cpu_forms.iter().any(|f| shows_number(&u, f)), "{at}\n{u}");
        }
        // The verdict: no words of it, `? (answer first)` instead.
        let said: Vec<&str> = VERDICT_WORDS
            .iter()
            .copied()
            .filter(|w| u.contains(w))
            .collect();
        for word in VERDICT_WORDS {
            assert!(!v.contains(word), "{at}: the verdict shows: {word}\n{v}");
        }
        if !said.is_empty() {
            assert!(v.contains("? (answer first)"), "{at}\n{v}");
        }
        if w >= 120 {
            assert!(
                !said.is_empty(),
                "{at}: the verdict shows once answered\n{u}"
            );
            assert!(u.contains("dom0 CPU"), "{at}: the Counters pane\n{u}");
        }
    }
}

/// Every pane, drawn on its own with the probe's veil and without: compare mode's too.
#[test]
fn every_pane_veils_the_goodput_dom0_cpu_and_the_verdict() {
    let veil = Veil::of(&[
        Veiled::Figure(Figure::GoodputMbps),
        Veiled::Figure(Figure::Dom0CpuPct),
        Veiled::Log(LogVeil::Verdict),
    ]);
    let mut free = common::lab();
    run(&mut free, 2.0);
    let mut compare = common::lab();
    press(&mut compare, "c");
    run(&mut compare, 2.0);
    let theme = Theme::no_color();
    let lane = &free.lane;
    let goodput = format!("{:.0}", ui::recent(lane, Figure::GoodputMbps).unwrap());
    let cpu = format!("{:.1}%", ui::recent(lane, Figure::Dom0CpuPct).unwrap());
    let cpu_b = format!(
        "{:.0}%",
        ui::recent(compare.lane_b().unwrap(), Figure::Dom0CpuPct).unwrap()
    );
    for v in [Veil::NONE, veil] {
        let shown = v == Veil::NONE;
        let all = panes(&free, &compare, &theme, v);
        for (name, text) in &all {
            let words = VERDICT_WORDS.iter().any(|w| text.contains(w));
            match *name {
                // Lane A of compare mode is the same run as free play's.
                "throughput" | "compare" => {
                    let g = &goodput;
                    assert_eq!(shows_number(text, g), shown, "{name}: {g}\n{text}");
                    assert_eq!(text.contains("goodput ?"), !shown, "{name}\n{text}");
                }
                _ => {}
            }
            match *name {
                "counters" => assert_eq!(shows_number(text, &cpu), shown, "{name}\n{text}"),
                "compare" => {
                    assert_eq!(shows_number(text, &cpu_b), shown, "{name}\n{text}");
                    assert_eq!(text.contains("dom0 CPU ?"), !shown, "{name}\n{text}");
                }
                _ => {}
            }
            if matches!(*name, "eoi flow" | "code" | "compare") {
                assert_eq!(words, shown, "{name}: the verdict's words\n{text}");
                assert_eq!(text.contains("? (answer first)"), !shown, "{name}\n{text}");
            } else {
                assert!(!words, "{name}\n{text}");
            }
            if *name == "throughput" && !shown {
                assert!(text.contains("? (answer first)"), "the chart\n{text}");
            }
        }
    }
}

/// Each pane drawn alone (the live panes at the sizes the layouts give them).
fn panes(free: &App, compare: &App, theme: &Theme, veil: Veil) -> Vec<(&'static str, String)> {
    let lane = &free.lane;
    let draw = |w: u16, h: u16, f: &dyn Fn(Rect, &mut Buffer)| {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        f(area, &mut buf);
        plain_text(&buf)
    };
    let whole_run = false;
    vec![
        (
            "ports",
            draw(44, 12, &|a, b| {
                ui::ports::PortsPane { lane, theme, veil }.render(a, b)
            }),
        ),
        (
            "throttle",
            draw(60, 10, &|a, b| {
                ui::throttle::ThrottlePane { lane, theme, veil }.render(a, b)
            }),
        ),
        (
            "throttle band",
            draw(90, 5, &|a, b| {
                ui::throttle::ThrottlePane { lane, theme, veil }.render(a, b)
            }),
        ),
        (
            "counters",
            draw(48, 16, &|a, b| {
                ui::counters::CountersPane {
                    lane,
                    theme,
                    veil,
                    whole_run,
                }
                .render(a, b)
            }),
        ),
        (
            "throughput",
            draw(80, 14, &|a, b| {
                ui::throughput::ThroughputPane {
                    lanes: &[(lane, "")],
                    theme,
                    veil,
                    rewind: None,
                }
                .render(a, b)
            }),
        ),
        (
            "eoi flow",
            draw(96, 30, &|a, b| {
                ui::eoi_flow::EoiFlowPane { lane, theme, veil }.render(a, b)
            }),
        ),
        (
            "code",
            draw(80, 10, &|a, b| {
                ui::code::CodePane { lane, theme, veil }.render(a, b)
            }),
        ),
        (
            "compare",
            draw(160, 40, &|a, b| {
                let c = match &compare.view {
                    evtchn_lab::app::View::Compare(c) => c,
                    _ => panic!("compare mode"),
                };
                ui::compare::CompareView {
                    app: compare,
                    theme,
                    b: &c.b,
                    knobs: &[c.knob],
                    density: ui::Density::Full,
                    veil,
                }
                .render(a, b)
            }),
        ),
    ]
}

/// The table, walked: veiling any figure of a row hides something in some pane, in one of a
/// few labs (every change a `?`), and veiling a figure no row names changes nothing.
#[test]
fn the_veils_table_walked_every_figure_it_names_hides_something() {
    let theme = Theme::no_color();
    let lab = |cfg: Config, keys: &str, secs: f64| {
        let mut a = common::lab_at(cfg);
        press(&mut a, keys);
        run(&mut a, secs);
        a
    };
    let mut compare = common::lab();
    press(&mut compare, "c");
    run(&mut compare, 1.0);
    let idle = Config {
        guest: GuestKind::Idle,
        ..Config::default()
    };
    let labs = [
        lab(Config::default(), "", 2.0),
        lab(
            Config {
                guest: GuestKind::Rogue,
                ..Config::default()
            },
            "",
            1.0,
        ),
        lab(idle, " nn", 0.0),
        lab(idle, " mnn", 0.0),
        lab(
            Config {
                abi: evtchn_lab::sim::Abi::Fifo,
                ..Config::default()
            },
            "",
            1.0,
        ),
    ];
    let drawn = |v: Veil| -> Vec<(&'static str, String)> {
        labs.iter()
            .flat_map(|a| panes(a, &compare, &theme, v))
            .collect()
    };
    let plain = drawn(Veil::NONE);
    let hides = |v: Veil, what: &str| {
        let veiled = drawn(v);
        let mut changed = false;
        for ((name, a), (_, b)) in plain.iter().zip(&veiled) {
            for (x, y) in a.lines().zip(b.lines()) {
                if x != y {
                    changed = true;
                    // A `?`, or a row of the chart it replaced, left empty.
                    let empty = y.chars().all(|c| " │─┌┐└┘".contains(c));
                    assert!(
                        y.contains('?') || empty,
                        "{what}, {name}: {x:?} became {y:?}"
                    );
                }
            }
        }
        changed
    };
    for row in TABLE {
        for &f in row.figures {
            assert!(
                hides(Veil::of(&[Veiled::Figure(f)]), f.name()),
                "{f} ({}: {}) hides nothing",
                row.shown,
                row.r#where
            );
        }
        if row.verdict {
            assert!(hides(Veil::of(&[Veiled::Log(LogVeil::Verdict)]), "verdict"));
        }
    }
    for &f in Figure::ALL {
        if !TABLE.iter().any(|r| r.figures.contains(&f)) {
            assert!(
                !hides(Veil::of(&[Veiled::Figure(f)]), f.name()),
                "{f} is in no row of the table, yet veiling it changed the panes"
            );
        }
    }
}

/// Lesson 06 showed `events per jiffy 3.90 to 4.10` before the question that asks for it:
/// a goal line whose figure a later, unanswered question veils shows its target as `?`.
#[test]
fn the_checklist_hides_a_target_a_later_question_veils() {
    let line = |veil: &str| {
        let app = open(catalog(&probe("Low", veil)), "90-veil-probe");
        let (l, i) = app.current_lesson().unwrap();
        let run = app.lesson_run().unwrap();
        let lines = ui::lesson::step_lines(&app, run, &l.steps[i], &Theme::no_color(), 60);
        lines
            .iter()
            .map(|l| l.to_string())
            .find(|l| l.contains("goodput, Mbit/s"))
            .expect("the goodput's goal line")
    };
    let open_target = line("");
    assert!(open_target.contains("≤ 1000"), "{open_target}");
    let hidden = line(r#"veil = ["goodput_mbps"]"#);
    assert!(
        hidden.contains("goodput, Mbit/s ?") && !hidden.contains("1000"),
        "{hidden}"
    );
    // A veil of other figures leaves it.
    assert!(line(r#"veil = ["dom0_cpu_pct"]"#).contains("≤ 1000"));
    // In the built-in lesson 06, step 5's target is one of them.
    let cat = Catalog::builtin().unwrap();
    let mut app = open(cat, "06-throttle-law");
    app.open_lesson_at(app.lesson_run().unwrap().lesson, 4);
    let (l, i) = app.current_lesson().unwrap();
    let run = app.lesson_run().unwrap();
    let text: Vec<String> = ui::lesson::step_lines(&app, run, &l.steps[i], &Theme::no_color(), 60)
        .iter()
        .map(|l| l.to_string())
        .collect();
    let goal = text
        .iter()
        .find(|l| l.contains("events per jiffy") && (l.starts_with('✗') || l.starts_with('✓')))
        .expect("the goal line");
    assert!(!goal.contains("3.9") && goal.contains('?'), "{goal}");
}

/// The question's line in the probe's text.
fn question_line(text: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with("question ="))
        .unwrap()
        + 1
}

/// A lesson whose question's right choice says the goodput the Throughput pane shows: the
/// check fails at the question's line until the step veils the goodput.
#[test]
fn lessons_check_fails_at_the_question_whose_frame_gives_the_answer_away() {
    // The goodput the question's frame shows, as the check will see it.
    let app = question_open("");
    let g = format!("{:.0}", ui::recent(&app.lane, Figure::GoodputMbps).unwrap());
    let choice = format!("About {g} Mbit/s");
    let text = probe(&choice, "");
    let found = questions::check_catalog(&catalog(&text));
    let problems = &found.check.problems;
    assert!(!problems.is_empty(), "the frame shows {g}");
    let at = format!(
        "lessons/90-veil-probe.toml:{}:1: step 2: ",
        question_line(&text)
    );
    for p in problems {
        let p = p.to_string();
        assert!(p.starts_with(&at), "{p}");
        assert!(p.contains(&format!("the right choice's number {g}")), "{p}");
    }
    assert!(problems.iter().any(|p| p.message.contains("80x24")));
    assert!(problems.iter().any(|p| p.message.contains("120x40")));
    assert_eq!(found.frames, [1, 1]);
    // Veiled, it passes.
    let text = probe(&choice, VEIL);
    let found = questions::check_catalog(&catalog(&text));
    assert!(
        found.check.problems.is_empty(),
        "{}",
        problems_text(&found.check.problems)
    );
}

#[test]
fn the_shipped_catalogue_passes_the_frame_check() {
    let cat = Catalog::builtin().unwrap();
    let found = questions::check_catalog(&cat);
    assert!(
        found.check.problems.is_empty(),
        "{}",
        problems_text(&found.check.problems)
    );
    let questions = cat
        .lessons
        .iter()
        .flat_map(|l| &l.steps)
        .filter(|s| s.is_quiz())
        .count();
    assert!(questions > 30);
    assert_eq!(found.frames, [questions; 2]);
}

/// The value after `label` in the Counters pane (`events               511`).
fn counter(text: &str, label: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let (_, rest) = l.split_once(&format!("│ {label} "))?;
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}

/// Lesson 08: a learner waits three seconds before pressing `l`; once the question about the
/// counters is answered, the Counters pane counts from the update, not from the run's start:
/// `spurious_events` is `events` minus one or two, as the explanation says.
#[test]
fn the_counters_count_from_the_last_knob_change() {
    let mut app = open(Catalog::builtin().unwrap(), "08-the-drop");
    solve(&mut app);
    key(&mut app, KeyCode::Enter);
    run(&mut app, 3.0);
    press(&mut app, "l");
    while !app.step_met() {
        run(&mut app, 0.1);
    }
    key(&mut app, KeyCode::Enter);
    solve(&mut app);
    run(&mut app, 2.0);
    let (w, h, text) = [(120, 40), (160, 50)]
        .into_iter()
        .map(|(w, h)| (w, h, screen(&app, w, h)))
        .find(|(_, _, t)| t.contains("│ spurious_events "))
        .expect("the Counters pane at 120x40 or 160x50");
    let events = counter(&text, "events").expect("events");
    let spurious = counter(&text, "spurious_events").expect("spurious_events");
    assert!(events > 500, "{w}x{h}: events {events}\n{text}");
    assert!(
        spurious <= events && spurious + 2 >= events,
        "{w}x{h}: events {events}, spurious_events {spurious}\n{text}"
    );
    assert!(text.contains("since t 3."), "{text}");
    assert!(text.contains("the last knob change"), "{text}");
    // `w`: the whole run, the three seconds before the update included.
    press(&mut app, "e");
    let text = screen(&app, w, h);
    let all = counter(&text, "events").unwrap();
    let all_spurious = counter(&text, "spurious_events").unwrap();
    assert!(all > events + 100_000, "{all}\n{text}");
    assert!(all_spurious < all / 2, "{all_spurious} of {all}\n{text}");
    assert!(text.contains("whole run"), "{text}");
    press(&mut app, "e");
    assert_eq!(counter(&screen(&app, w, h), "events"), Some(events));
}

/// Free play counts from the last knob change too, and says so.
#[test]
fn free_play_counts_from_the_last_knob_change() {
    let mut app = common::lab();
    run(&mut app, 2.0);
    let text = screen(&app, 120, 40);
    assert!(text.contains("since t 0.0 s, the run's start"), "{text}");
    let before = counter(&text, "spurious_events").unwrap();
    assert!(before > 100, "{text}");
    press(&mut app, "b");
    run(&mut app, 1.0);
    let text = screen(&app, 120, 40);
    assert!(
        text.contains("since t 2.0 s, the last knob change"),
        "{text}"
    );
    assert!(counter(&text, "spurious_events").unwrap() < 10, "{text}");
}

/// A question is read whole when it opens: at 80×24 and larger, every choice and the
/// question itself are on screen without scrolling (the lab is frozen while it waits, so
/// the stacked lesson pane takes the rows the step's own panes leave).
#[test]
fn every_question_shows_its_choices_when_it_opens_at_every_size() {
    use evtchn_lab::app::check::{self, Outcome};
    use evtchn_lab::lesson::Task;
    let cat = Catalog::builtin().unwrap();
    let mut missing = Vec::new();
    let mut read = 0;
    for lesson in &cat.lessons {
        let mut out = Outcome::default();
        check::check_lesson_with(&cat, lesson, &mut out, &mut |app, lesson, i| {
            let (question, choices) = match &lesson.steps[i].task {
                Task::Quiz {
                    question, choices, ..
                } => (question, choices.as_slice()),
                Task::Number { question, .. } => (question, &[][..]),
                _ => return Vec::new(),
            };
            for (w, h) in [(80, 24), (100, 30), (120, 40)] {
                read += 1;
                // The lesson pane's words only, so a line wrapped anywhere reads the same.
                let area = Rect::new(0, 0, w, h);
                let body = ui::Screen::of(app, area).body;
                // Inside its border.
                let pane = ui::lesson::pane_area(app, body)
                    .intersection(area)
                    .inner(ratatui::layout::Margin::new(1, 1));
                let frame = questions::frame(app, w, h);
                let mut cut = Buffer::empty(pane);
                for y in pane.top()..pane.bottom() {
                    for x in pane.left()..pane.right() {
                        cut[(x, y)] = frame[(x, y)].clone();
                    }
                }
                let text = plain_text(&cut);
                let shown = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let plain = |t: &str| t.replace(['`', '*'], "");
                for asked in std::iter::once(question).chain(choices) {
                    let words: Vec<&str> = asked.split_whitespace().collect();
                    let want = plain(&words.join(" "));
                    if !shown.contains(&want) {
                        missing.push(format!("{} step {} at {w}x{h}: {want:?}", lesson.id, i + 1));
                    }
                }
            }
            Vec::new()
        });
    }
    assert!(read > 100, "{read} frames read");
    assert!(missing.is_empty(), "not on screen:\n{}", missing.join("\n"));
}
