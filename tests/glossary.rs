//! The glossary: its file loads, every term the lessons use is defined by a lesson first
//! (`lessons check` says where it is not), its overlay opens from its key everywhere, and
//! lesson text marks a term where a step first uses it.

use std::path::Path;
use std::process::{Command, Stdio};

use crossterm::event::{KeyCode, KeyModifiers};
use evtchn_lab::app::keymap::{Cmd, Ctx, cmd_for_key};
use evtchn_lab::app::{App, Msg, Open, Options, Overlay};
use evtchn_lab::lesson::glossary::{Glossary, undefined_terms};
use evtchn_lab::lesson::{Catalog, problems_text};
use evtchn_lab::sim::Config;
use evtchn_lab::ui::theme::Theme;
use ratatui::style::Modifier;

#[macro_use]
mod common;
use common::{fit, frame, frame_in, key, lab, press, run, screen};

/// The terms the glossary must have, each by a form it takes in text.
const MUST_HAVE: &[&str] = &[
    "EOI",
    "late EOI",
    "upcall",
    "evtchn_pending_sel",
    "pending",
    "mask",
    "port",
    "event channel",
    "NAPI",
    "netfront",
    "netback",
    "grant copy",
    "grant map",
    "ring",
    "req_event",
    "rsp_event",
    "notify",
    "jiffy",
    "HZ",
    "sysfs",
    "spurious",
    "throttle",
    "spurious_cnt",
    "delayed-EOI list",
    "send window",
    "ACK clock",
    "GRO",
    "split channels",
    "common channel",
    "FIFO",
    "2-level",
    "hypercall",
    "dom0",
    "domU",
    "vCPU",
    "PV-shim",
];

#[test]
fn the_glossary_loads_and_every_term_has_a_definition_and_a_source() {
    let g = Glossary::builtin().unwrap_or_else(|p| panic!("{}", problems_text(&p)));
    assert!(g.len() >= MUST_HAVE.len(), "{} terms", g.len());
    for t in g.terms() {
        assert!(!t.aliases.is_empty(), "{}: no aliases", t.name);
        let d = t.definition.trim();
        assert!(!d.is_empty(), "{}: no definition", t.name);
        // Two or three sentences, in plain words.
        let sentences = d
            .char_indices()
            .filter(|&(i, c)| {
                matches!(c, '.' | '?' | '!')
                    && d[i + 1..].chars().next().is_none_or(char::is_whitespace)
            })
            .count();
        assert!(
            (1..=3).contains(&sentences),
            "{}: {sentences} sentences",
            t.name
        );
        assert!(!t.read.is_empty(), "{}: nowhere to read more", t.name);
        for r in &t.read {
            assert!(r.contains('/'), "{}: read {r:?} names no file", t.name);
        }
    }
    // Alphabetical, whatever the case.
    let names: Vec<String> = g.terms().iter().map(|t| t.name.to_lowercase()).collect();
    assert!(names.is_sorted(), "{names:?}");
    for form in MUST_HAVE {
        let found = g.uses(form);
        assert!(
            found.iter().any(|f| f.start == 0 && f.end == form.len()),
            "no term for {form:?}"
        );
    }
    // The glossary is not a lesson.
    let cat = Catalog::builtin().unwrap_or_else(|p| panic!("{}", problems_text(&p)));
    assert_eq!(cat.lessons.len(), 14);
    assert!(cat.lessons.iter().all(|l| !l.id.contains("glossary")));
    assert_eq!(cat.glossary.len(), g.len());
}

#[test]
fn every_term_the_catalogue_uses_is_defined_first() {
    let cat = Catalog::builtin().unwrap_or_else(|p| panic!("{}", problems_text(&p)));
    let problems = undefined_terms(&cat);
    assert!(problems.is_empty(), "{}", problems_text(&problems));
    // The lessons do use the glossary: each of them defines or uses terms.
    let uses: usize = cat.term_uses.iter().map(|t| t.uses.len()).sum();
    assert!(uses > 100, "{uses} first uses in all");
    let defined: usize = cat.lessons.iter().map(|l| l.defines.len()).sum();
    assert!(defined > 50, "{defined} terms defined");
}

/// A lesson of one question whose text is `text`, with `header` lines after the id.
fn crafted(id: &str, header: &str, text: &str) -> String {
    format!(
        "id = \"{id}\"\ntitle = \"Crafted\"\nsummary = \"A test.\"\n{header}\n\n[[step]]\n\
         title = \"One\"\ntext = \"\"\"\n{text}\n\"\"\"\nquestion = \"Which?\"\n\
         choices = [\"one\", \"two\"]\nanswer = 1\nexplain = \"Done.\"\n"
    )
}

fn lessons_check(dir: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
        .args(["lessons", "check", "--dir", dir.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_lesson_using_upcall_without_defining_it_fails_lessons_check_at_the_first_use() {
    let dir = tempfile::tempdir().unwrap();
    // Line 9 is the text's first line.
    let text = crafted(
        "90-crafted",
        "",
        "Here the upcall comes, and one more upcall.",
    );
    assert_eq!(
        text.lines().nth(8),
        Some("Here the upcall comes, and one more upcall.")
    );
    std::fs::write(dir.path().join("90-crafted.toml"), &text).unwrap();
    let (code, err) = lessons_check(dir.path());
    assert_eq!(code, Some(1), "{err}");
    let want = format!(
        "{}:9:10: uses the glossary term 'upcall', which neither this lesson nor one it \
         requires defines: add \"upcall\" to this lesson's defines",
        dir.path().join("90-crafted.toml").display()
    );
    // (A built-in lesson defines it too: the message may name it as well.)
    assert!(err.trim_end().starts_with(&want), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    // Defined by the lesson itself, it passes.
    let defines = crafted(
        "90-crafted",
        "defines = [\"upcall\"]",
        "Here the upcall comes.",
    );
    std::fs::write(dir.path().join("90-crafted.toml"), &defines).unwrap();
    let (code, err) = lessons_check(dir.path());
    assert_eq!(code, Some(0), "{err}");

    // A lesson that requires it (through another) may use it; one that does not may not,
    // and is told which lesson defines it.
    let two = crafted(
        "91-two",
        "requires = [\"90-crafted\"]",
        "No terms in this one.",
    );
    let three = crafted("92-three", "requires = [\"91-two\"]", "An upcall.");
    let four = crafted("93-four", "", "An upcall.");
    for (name, t) in [("91-two", two), ("92-three", three), ("93-four", four)] {
        std::fs::write(dir.path().join(format!("{name}.toml")), t).unwrap();
    }
    let cat = Catalog::from_dir(dir.path()).unwrap_or_else(|p| panic!("{}", problems_text(&p)));
    let problems: Vec<String> = undefined_terms(&cat)
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{}: {}",
                p.path.file_name().unwrap().to_string_lossy(),
                p.line,
                p.col,
                p.message
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            "93-four.toml:9:4: uses the glossary term 'upcall', which neither this lesson nor \
          one it requires defines: add \"upcall\" to this lesson's defines, or require \
          90-crafted (it defines it)"
        ]
    );
}

#[test]
fn defines_names_glossary_terms_and_a_directory_may_add_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let typo = crafted(
        "90-crafted",
        "defines = [\"upcal\"]",
        "Here the upcall comes.",
    );
    std::fs::write(dir.path().join("90-crafted.toml"), &typo).unwrap();
    let (code, err) = lessons_check(dir.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(
            "90-crafted.toml:4:12: defines 'upcal': no such glossary term; did you mean 'upcall'?"
        ),
        "{err}"
    );
    // A term the directory's glossary adds is a term like the others.
    let own = "[[term]]\nname = \"doorbell\"\naliases = [\"doorbell\"]\n\
               definition = \"What the lab calls a notify, here.\"\nread = [\"docs/model.md\"]\n";
    std::fs::write(dir.path().join("glossary.toml"), own).unwrap();
    let ok = crafted(
        "90-crafted",
        "defines = [\"doorbell\", \"upcall\"]",
        "The doorbell sounds, an upcall follows.",
    );
    std::fs::write(dir.path().join("90-crafted.toml"), &ok).unwrap();
    let cat = Catalog::from_dir(dir.path()).unwrap_or_else(|p| panic!("{}", problems_text(&p)));
    assert!(cat.glossary.index_of("doorbell").is_some());
    assert!(
        cat.glossary.index_of("EOI").is_some(),
        "the built-in terms stay"
    );
    assert!(undefined_terms(&cat).is_empty());
    // Without the glossary's term, the lesson's defines is unknown.
    std::fs::remove_file(dir.path().join("glossary.toml")).unwrap();
    let p = Catalog::from_dir(dir.path()).unwrap_err();
    assert!(problems_text(&p).contains("defines 'doorbell': no such glossary term"));
}

/// The lab on the start screen, with the built-in lessons.
fn start() -> App {
    App::new(Options {
        scenario: Config::default(),
        open: Open::Start,
        lessons: Catalog::builtin().expect("the built-in lessons load"),
        progress: Default::default(),
    })
}

/// A built-in lesson, open at its first step.
fn lesson(id: &str) -> App {
    App::new(Options {
        scenario: Config::default(),
        open: Open::Lesson(id.to_string()),
        lessons: Catalog::builtin().expect("the built-in lessons load"),
        progress: Default::default(),
    })
}

#[test]
fn the_glossary_opens_in_every_mode_from_its_key() {
    let mut compare = lab();
    press(&mut compare, "c");
    let mut help = lab();
    press(&mut help, "?");
    let cases = [
        ("start", start(), Ctx::Start),
        ("free", lab(), Ctx::Free),
        ("compare", compare, Ctx::Compare),
        ("lesson", lesson("01-ports-and-bits"), Ctx::Lesson),
        // Its first step is a question, open: the lab waits for the answer.
        ("question", lesson("02-masking-and-coalescing"), Ctx::Choose),
        ("help", help, Ctx::Help),
    ];
    for (name, mut app, ctx) in cases {
        assert_eq!(Ctx::of(&app), ctx, "{name}");
        press(&mut app, "w");
        assert_eq!(app.overlay, Overlay::Glossary, "{name}");
        assert_eq!(Ctx::of(&app), Ctx::Glossary, "{name}");
        let s = screen(&app, 120, 40);
        assert!(s.contains("Glossary · "), "{name}\n{s}");
        // The same key closes it, and so does Esc.
        press(&mut app, "w");
        assert_eq!(app.overlay, Overlay::None, "{name}");
        press(&mut app, "w");
        key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(app.overlay, Overlay::None, "{name}");
        // The question is still open, unanswered.
        if ctx == Ctx::Choose {
            assert_eq!(Ctx::of(&app), Ctx::Choose);
        }
    }
    // The key map has it wherever there is a screen to show it over (a numeric question's
    // typing too: `w` is no digit), and not in a demo, whose keys steer the demo.
    for ctx in Ctx::ALL {
        let w = crossterm::event::KeyEvent::new(KeyCode::Char('w'), KeyModifiers::NONE);
        let want = (ctx != Ctx::Demo).then_some(Cmd::Do(Msg::ToggleGlossary));
        assert_eq!(cmd_for_key(ctx, &w), want, "{ctx:?}");
    }
    // From the glossary, `?` shows the help; knob keys do nothing under it; q quits.
    let mut app = lab();
    press(&mut app, "w");
    press(&mut app, "b");
    assert_eq!(app.config().netback, Config::default().netback);
    press(&mut app, "?");
    assert_eq!(app.overlay, Overlay::Help);
    press(&mut app, "wq");
    assert!(app.should_quit());
}

#[test]
fn in_a_lesson_the_steps_terms_come_first_and_the_glossary_scrolls() {
    let mut app = lesson("01-ports-and-bits");
    press(&mut app, "w");
    let s = screen(&app, 120, 40);
    let here = s.find("In this step").expect("the step's terms first");
    let rest = s.find("All other terms").unwrap_or(usize::MAX);
    let upcall = s.find(" upcall ").expect("the step uses upcall");
    assert!(here < upcall && upcall < rest, "{s}");
    // On a short terminal it scrolls, and says so; reopened, it starts at the top.
    fit(&mut app, 80, 24);
    let top = screen(&app, 80, 24);
    assert!(top.contains("↓ more"), "{top}");
    for _ in 0..5000 {
        key(&mut app, KeyCode::PageDown, KeyModifiers::NONE);
    }
    let end = screen(&app, 80, 24);
    assert!(end.contains("scroll back"), "{end}");
    assert!(end.contains("XCP-ng"), "the last term is reachable\n{end}");
    press(&mut app, "ww");
    assert_eq!(screen(&app, 80, 24), top);
}

#[test]
fn glossary_120x40() {
    let mut app = lesson("01-ports-and-bits");
    press(&mut app, "w");
    snap!("ui_glossary_lesson_120x40", frame(&app, 120, 40).backend());
}

#[test]
fn glossary_80x24() {
    let mut app = lab();
    run(&mut app, 1.0);
    press(&mut app, "w");
    snap!("ui_glossary_80x24", frame(&app, 80, 24).backend());
}

/// The cells of row `y` from the column where `word` starts in it (its `nth` place).
fn underlined(buf: &ratatui::buffer::Buffer, line: &str, y: u16, word: &str, nth: usize) -> bool {
    let x = line
        .match_indices(word)
        .nth(nth)
        .map(|(i, _)| line[..i].chars().count())
        .unwrap_or_else(|| panic!("{word:?} not in {line:?}"));
    (0..word.chars().count()).all(|k| {
        buf[(x as u16 + k as u16, y)]
            .modifier
            .contains(Modifier::UNDERLINED)
    })
}

#[test]
fn a_term_in_lesson_text_is_marked_where_the_step_first_uses_it() {
    let app = lesson("01-ports-and-bits");
    for theme in [Theme::dark(), Theme::light(), Theme::no_color()] {
        let t = frame_in(&app, &theme, 120, 40);
        let buf = t.backend().buffer();
        let rows: Vec<String> = (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect();
        let y = rows
            .iter()
            .position(|r| r.contains("A guest and dom0 talk through"))
            .unwrap_or_else(|| panic!("the step's text\n{}", rows.join("\n")));
        let row = &rows[y];
        let kind = format!("{:?}", theme.kind);
        // Its first "guest" is marked, and so are "dom0" and "event channels" (emphasis);
        // "and", "talk" are not terms.
        assert!(underlined(buf, row, y as u16, "guest", 0), "{kind}: {row}");
        assert!(underlined(buf, row, y as u16, "dom0", 0), "{kind}: {row}");
        assert!(underlined(buf, row, y as u16, "event", 0), "{kind}: {row}");
        assert!(!underlined(buf, row, y as u16, "talk", 0), "{kind}: {row}");
        // The next "guest" of the step is not marked again.
        let (y2, x2) = rows
            .iter()
            .enumerate()
            .skip(y)
            .find_map(|(k, r)| {
                let from = if k == y {
                    row.find("guest").unwrap() + 5
                } else {
                    0
                };
                r[from..].find("guest").map(|_| (k, from))
            })
            .expect("a second guest");
        let r2 = &rows[y2];
        let nth = r2[..x2].matches("guest").count();
        assert!(
            !underlined(buf, r2, y2 as u16, "guest", nth),
            "{kind}: {r2}"
        );
    }
}
