//! Demos, headless: every lesson plays to its end as a demo and records; each recording
//! replays (through `vt100`, a terminal emulator, at the recording's size) to exactly the
//! frame the lab draws for the demo's final state; the same lesson gives the same file
//! byte for byte; the caption shows each key as it is pressed.
//!
//! The lessons are played at the watchable pace (virtual time: the lab runs at 1× while a
//! text is read, so a lesson costs what simulating its few minutes costs: seconds for the
//! busiest ones). Each lesson on the next free core, so every core works.

use std::sync::Arc;
use std::time::Instant;

use evtchn_lab::app::Page;
use evtchn_lab::cast::{CastWriter, Recorder, record};
use evtchn_lab::cmd::lessons::on_every_core;
use evtchn_lab::demo::{Demo, Pacing};
use evtchn_lab::lesson::Catalog;
use evtchn_lab::ui::demo::DemoView;
use evtchn_lab::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

fn catalog() -> Arc<Catalog> {
    Catalog::builtin().expect("the built-in lessons load")
}

/// A recording, read back: its header and its output events.
struct Cast {
    width: u16,
    height: u16,
    events: Vec<(f64, String)>,
}

fn parse_cast(bytes: &[u8]) -> Cast {
    let text = std::str::from_utf8(bytes).expect("a recording is UTF-8");
    let mut lines = text.lines();
    let header: serde_json::Value =
        serde_json::from_str(lines.next().expect("a header line")).expect("the header is JSON");
    assert_eq!(header["version"], 2, "{header}");
    let width = header["width"].as_u64().expect("width") as u16;
    let height = header["height"].as_u64().expect("height") as u16;
    let mut events = Vec::new();
    let mut last = 0.0;
    for (i, line) in lines.enumerate() {
        let ev: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("event {i} is not JSON ({e}): {line}"));
        let ev = ev
            .as_array()
            .unwrap_or_else(|| panic!("event {i}: an array"));
        assert_eq!(ev.len(), 3, "event {i}: [time, \"o\", data]");
        let t = ev[0].as_f64().expect("a time");
        assert!(t >= last, "event {i}: time goes back ({t} after {last})");
        last = t;
        assert_eq!(ev[1], "o", "event {i}: output");
        events.push((t, ev[2].as_str().expect("data").to_string()));
    }
    Cast {
        width,
        height,
        events,
    }
}

/// The screen a terminal of the recording's size shows after playing all of it.
fn replay(cast: &Cast) -> vt100::Parser {
    let nz = |n: u16| std::num::NonZeroU16::new(n).expect("a size");
    let mut p = vt100::Parser::new(nz(cast.height), nz(cast.width), 0);
    for (_, data) in &cast.events {
        p.process(data.as_bytes());
    }
    p
}

/// The vt100 colour a ratatui colour is written as (crossterm writes named colours as
/// indexed ones).
fn vt_colour(c: Color) -> vt100::Color {
    let idx = |i| vt100::Color::Idx(i);
    match c {
        Color::Reset => vt100::Color::Default,
        Color::Black => idx(0),
        Color::Red => idx(1),
        Color::Green => idx(2),
        Color::Yellow => idx(3),
        Color::Blue => idx(4),
        Color::Magenta => idx(5),
        Color::Cyan => idx(6),
        Color::Gray => idx(7),
        Color::DarkGray => idx(8),
        Color::LightRed => idx(9),
        Color::LightGreen => idx(10),
        Color::LightYellow => idx(11),
        Color::LightBlue => idx(12),
        Color::LightMagenta => idx(13),
        Color::LightCyan => idx(14),
        Color::White => idx(15),
        Color::Indexed(i) => idx(i),
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
    }
}

/// Every cell of `want` is on `screen`: the same text, colours, bold, reverse.
fn assert_same_screen(screen: &vt100::Screen, want: &Buffer, what: &str) {
    let mut bad = Vec::new();
    for y in 0..want.area.height {
        for x in 0..want.area.width {
            let cell = &want[(x, y)];
            let Some(got) = screen.cell(y, x) else {
                bad.push(format!("({x},{y}): no cell"));
                continue;
            };
            if got.is_wide_continuation() {
                continue;
            }
            let sym = if cell.symbol().is_empty() {
                " "
            } else {
                cell.symbol()
            };
            let text = if got.contents().is_empty() {
                " ".to_string()
            } else {
                got.contents().to_string()
            };
            if text != sym {
                bad.push(format!("({x},{y}): {text:?}, want {sym:?}"));
                continue;
            }
            let style = (
                got.fgcolor(),
                got.bgcolor(),
                got.bold(),
                got.inverse(),
                got.underline(),
            );
            let want_style = (
                vt_colour(cell.fg),
                vt_colour(cell.bg),
                cell.modifier.contains(Modifier::BOLD),
                cell.modifier.contains(Modifier::REVERSED),
                cell.modifier.contains(Modifier::UNDERLINED),
            );
            if style != want_style {
                bad.push(format!(
                    "({x},{y}) {sym:?}: style {style:?}, want {want_style:?}"
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{what}: the replayed screen differs from the lab's frame in {} cells, first:\n{}\n\
         replayed:\n{}",
        bad.len(),
        bad.iter().take(10).cloned().collect::<Vec<_>>().join("\n"),
        screen.contents()
    );
}

/// What recording one lesson gave.
struct Recorded {
    id: String,
    bytes: Vec<u8>,
    frames: usize,
    seconds: f64,
    wall: f64,
}

/// Record lesson `id` at `w`×`h`, check its replay, and return it.
fn record_and_replay(cat: &Arc<Catalog>, id: &str, w: u16, h: u16) -> Recorded {
    let started = Instant::now();
    let theme = Theme::dark();
    let (mut demo, mut app) = Demo::new(cat.clone(), &[id.to_string()]).unwrap();
    let cast = CastWriter::new(Vec::new(), w, h, &format!("evtchn-lab demo {id}")).unwrap();
    let steps = cat.get(id).unwrap().1.steps.len();
    let rec = Recorder::new(cast, theme.clone(), 1.0);
    let (bytes, summary) = record(&mut demo, &mut app, rec).unwrap_or_else(|e| panic!("{id}: {e}"));
    assert!(demo.is_finished(), "{id}: played to its end");
    // The lesson was played through: every step met, back on the list.
    let p = app.progress.lessons.get(id).expect("progress in memory");
    assert_eq!(p.done_steps.len(), steps, "{id}: every step done");
    assert!(
        matches!(app.page, Page::Start { .. }),
        "{id}: back on the list"
    );

    let cast = parse_cast(&bytes);
    assert_eq!(
        (cast.width, cast.height),
        (w, h),
        "{id}: size in the header"
    );
    assert_eq!(
        cast.events.len(),
        summary.frames + 1,
        "{id}: frames and the end"
    );
    let screen = replay(&cast);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        f.render_widget(
            DemoView {
                app: &app,
                theme: &theme,
                demo: &demo,
            },
            f.area(),
        )
    })
    .unwrap();
    assert_same_screen(screen.screen(), t.backend().buffer(), id);
    Recorded {
        id: id.to_string(),
        bytes,
        frames: summary.frames,
        seconds: summary.seconds,
        wall: started.elapsed().as_secs_f64(),
    }
}

/// Every lesson of the catalogue, at the headless default size: plays to its end, and its
/// recording replays to the lab's final frame. Prints what each cost.
#[test]
fn every_lesson_records_and_replays_to_its_final_screen() {
    let cat = catalog();
    let started = Instant::now();
    // Each lesson on the next free core, in the catalogue's order (as `lessons check`).
    let all: Vec<Recorded> =
        on_every_core(&cat.lessons, |l| record_and_replay(&cat, &l.id, 120, 40));
    for r in &all {
        eprintln!(
            "{:<36} {:>5} frames  {:>6.1} s long  {:>5} KiB  recorded in {:.1} s",
            r.id,
            r.frames,
            r.seconds,
            r.bytes.len().div_ceil(1024),
            r.wall
        );
    }
    eprintln!(
        "{} lessons recorded and replayed in {:.1} s",
        all.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(all.len(), cat.len());
}

/// The same lesson gives the same recording, byte for byte; at another size it still
/// replays to its final frame (the compact layout).
#[test]
fn a_recording_is_the_same_byte_for_byte() {
    let cat = catalog();
    let id = &cat.lessons[0].id;
    let a = record_and_replay(&cat, id, 120, 40);
    let b = record_and_replay(&cat, id, 120, 40);
    assert!(a.bytes == b.bytes, "two recordings of {id} differ");
    record_and_replay(&cat, id, 80, 24);
}

/// The caption shows each key as the demo presses it, and the demo's own keys replace the
/// lab's in the key bar.
#[test]
fn the_caption_shows_each_key_as_it_is_pressed() {
    let cat = catalog();
    let (mut demo, mut app) = Demo::new(cat, &["01-ports-and-bits".to_string()]).unwrap();
    let theme = Theme::no_color();
    let screen = |app: &_, demo: &_| {
        let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
        t.draw(|f| {
            f.render_widget(
                DemoView {
                    app,
                    theme: &theme,
                    demo,
                },
                f.area(),
            )
        })
        .unwrap();
        t.backend().to_string()
    };
    let first = screen(&app, &demo);
    let top = first.lines().next().unwrap().to_string();
    assert!(top.contains("demo: reading"), "{top}");
    let bottom = first.lines().last().unwrap().to_string();
    for k in ["space", "pause demo", "n", "next step", "q", "quit"] {
        assert!(bottom.contains(k), "{k} in the key bar: {bottom}");
    }
    assert!(
        !bottom.contains("hint"),
        "no lab keys in a demo's key bar: {bottom}"
    );
    // Read, then the first key of the solution: `n`, the guest's notify.
    let mut keys = Vec::new();
    while let Some(mv) = demo.next(&mut app).unwrap() {
        if mv.key {
            let s = screen(&app, &demo);
            keys.push(s.lines().next().unwrap().to_string());
        }
        if keys.len() == 3 {
            break;
        }
    }
    assert!(keys[0].contains("▶ key: n"), "{}", keys[0]);
    assert!(keys[1].contains("▶ key: Enter"), "{}", keys[1]);
    assert!(
        keys[2].contains("▶ key: 2"),
        "the quiz's answer: {}",
        keys[2]
    );
    // Paused, the caption says so and how to go on.
    demo.toggle_pause();
    assert!(screen(&app, &demo).contains("demo paused · space resumes"));
}

/// `n` skips to the next step (the rest of this one at once), and the demo's clock moves
/// only by the hold of the key it lands on; at the instant pace, nothing waits.
#[test]
fn skip_goes_to_the_next_step() {
    let cat = catalog();
    let id = "01-ports-and-bits".to_string();
    let (mut demo, mut app) = Demo::new(cat.clone(), std::slice::from_ref(&id)).unwrap();
    let step = |app: &evtchn_lab::app::App| app.lesson_run().map(|r| r.step);
    assert_eq!(step(&app), Some(0));
    let mv = demo.skip(&mut app).unwrap();
    assert_eq!(step(&app), Some(1), "on step 2");
    assert_eq!(
        (mv.at_ns, mv.hold_ns, demo.clock_ns()),
        (0, 700_000_000, 700_000_000),
        "a skip takes no demo time but the hold of its last key, Enter"
    );
    assert!(demo.caption_text().contains("▶ key: Enter"));
    assert!(app.progress.lessons[&id].done_steps.contains(&0));
    for _ in 0..3 {
        demo.skip(&mut app).unwrap();
    }
    assert!(
        matches!(app.page, Page::Start { .. }),
        "the list after the last step"
    );
    demo.skip(&mut app).unwrap();
    assert!(demo.is_finished());
    assert!(demo.next(&mut app).unwrap().is_none());

    let (mut quick, mut qapp) = Demo::with_pacing(cat, &[id], Pacing::INSTANT).unwrap();
    let mut met = 0;
    while let Some(mv) = quick.next(&mut qapp).unwrap() {
        assert_eq!(mv.hold_ns, 0, "nothing waits at the instant pace");
        met += usize::from(mv.met.is_some());
    }
    assert_eq!(met, 4, "every step met once");
}
