//! Issue 22, point 2: explain mode. Every row the panes draw has an explanation, and the
//! frame alone says why a port is masked.

use crossterm::event::{Event, KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use evtchn_lab::app::{App, Overlay, update};
use evtchn_lab::lesson::Pane;
use evtchn_lab::sim::{Abi, Config};
use evtchn_lab::tui::msg_for_event;
use evtchn_lab::ui::{Screen, explain};

#[macro_use]
mod common;
use common::{frame, key, lab_at, press, run, scenarios};

const W: u16 = 160;
const H: u16 = 50;

/// The frame's rows as text, and the rows the panes drew, tagged.
fn drawn(app: &App, w: u16, h: u16) -> (Vec<String>, Vec<explain::Drawn>) {
    let (t, rows) = explain::record_rows(|| frame(app, w, h));
    let buf = t.backend().buffer();
    let text = (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
        .collect();
    (text, rows)
}

/// Draw as the loop does in explain mode: the frame, then its rows told to the app.
fn draw_explained(app: &mut App, w: u16, h: u16) -> String {
    let (t, rows) = explain::record_rows(|| frame(app, w, h));
    app.explain.set_rows(rows.iter().map(|d| d.row));
    t.backend().to_string()
}

/// Letters and digits on screen that no tagged row covers, outside the pane borders (whose
/// titles are no rows) and the status and key bars.
fn untagged(app: &App, text: &[String], rows: &[explain::Drawn], w: u16, h: u16) -> Vec<String> {
    let body = Screen::of(app, Rect::new(0, 0, w, h)).body;
    let mut out = Vec::new();
    for y in body.top()..body.bottom() {
        let line: Vec<char> = text[usize::from(y)].chars().collect();
        for x in 0..w {
            let c = line[usize::from(x)];
            if !c.is_alphanumeric() {
                continue;
            }
            let covered = rows
                .iter()
                .any(|d| d.row.y == y && d.row.x <= x && x < d.row.right());
            // A title on a border: left of it the border's corner, before any side.
            let on_border = line[..usize::from(x)]
                .iter()
                .rev()
                .find(|c| matches!(c, '┌' | '└' | '│'))
                .is_some_and(|&c| c != '│');
            if !covered && !on_border {
                out.push(format!("row {y}: {}", line.iter().collect::<String>()));
                break;
            }
        }
    }
    out
}

#[test]
fn every_row_at_160x50_has_an_explanation() {
    let mut missing = std::collections::BTreeMap::new();
    for cfg in scenarios() {
        let name = format!(
            "{:?} {:?} {:?} {:?}",
            cfg.guest, cfg.direction, cfg.abi, cfg.netback
        );
        let mut app = lab_at(cfg);
        run(&mut app, 1.0);
        press(&mut app, " ");
        for step in 0..10 {
            let (text, rows) = drawn(&app, W, H);
            // All six panes draw at this size, and every row they draw is told.
            for p in Pane::ALL {
                assert!(rows.iter().any(|d| d.pane == *p), "{name}: no {p:?} rows");
            }
            for d in rows.iter().filter(|d| d.id.is_none()) {
                missing
                    .entry(format!("{:?}: {:?}", d.pane, d.text))
                    .or_insert(format!("{name}, step {step}"));
            }
            for u in untagged(&app, &text, &rows, W, H) {
                missing.entry(u).or_insert(format!("{name}, step {step}"));
            }
            // Every tagged row's entry is there to read.
            for d in &rows {
                if let Some(id) = d.id {
                    assert!(explain::entry(id).is_some(), "{id}");
                }
            }
            press(&mut app, ".");
        }
    }
    let missing: Vec<String> = missing
        .iter()
        .map(|(row, when)| format!("{row}\n    ({when})"))
        .collect();
    assert!(
        missing.is_empty(),
        "rows without an explanation:\n{}",
        missing.join("\n")
    );
}

/// Step the default scenario until port 5 is masked for its late EOI.
fn masked_port(abi: Abi) -> App {
    let mut app = lab_at(Config {
        abi,
        ..Config::default()
    });
    run(&mut app, 1.0);
    press(&mut app, " ");
    for _ in 0..50 {
        if app.lane.sim().ports().any(|p| p.port == 5 && p.masked) {
            return app;
        }
        press(&mut app, ".");
    }
    panic!("port 5 never masked");
}

#[test]
fn the_frame_says_why_a_port_is_masked() {
    for abi in Abi::ALL {
        let mut app = masked_port(*abi);
        press(&mut app, "x");
        assert_eq!(app.overlay, Overlay::Explain);
        draw_explained(&mut app, W, H);
        // From the header down one row: port 5's.
        press(&mut app, "j");
        let screen = draw_explained(&mut app, W, H);
        let flat = screen.replace(['│', '"', '\n'], " ");
        let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(screen.contains("Explain · ports.port (Ports)"), "{screen}");
        assert!(
            flat.contains("port 5 is masked: reason EOI_PENDING"),
            "{screen}"
        );
        assert!(
            flat.contains("set by lateeoi_ack_dynirq → do_mask at 1."),
            "{screen}"
        );
        // By hand too: m adds the EXPLICIT reason, named with its function.
        press(&mut app, "x");
        press(&mut app, "m");
        press(&mut app, "x");
        let screen = draw_explained(&mut app, W, H);
        let flat = screen.replace(['│', '"', '\n'], " ");
        let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("reason EXPLICIT (mask_irq), set by mask_irq"),
            "{screen}"
        );
    }
}

#[test]
fn an_unmasked_port_says_so() {
    let mut app = masked_port(Abi::TwoLevel);
    for _ in 0..50 {
        if app.lane.sim().ports().all(|p| !p.masked) {
            break;
        }
        press(&mut app, ".");
    }
    press(&mut app, "x");
    draw_explained(&mut app, W, H);
    press(&mut app, "j");
    let screen = draw_explained(&mut app, W, H);
    assert!(screen.contains("port 5 is not masked"), "{screen}");
}

#[test]
fn keys_move_the_cursor_from_row_to_row_and_esc_leaves() {
    let mut app = masked_port(Abi::TwoLevel);
    press(&mut app, "x");
    draw_explained(&mut app, W, H);
    let mut seen = Vec::new();
    for _ in 0..12 {
        let screen = draw_explained(&mut app, W, H);
        let title = screen
            .lines()
            .find_map(|l| l.split("Explain · ").nth(1))
            .and_then(|r| r.split(' ').next())
            .unwrap_or_default()
            .to_string();
        seen.push(title);
        key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    // Down the Ports pane, then on into the Throttle pane below it.
    assert_eq!(
        seen[..3],
        ["ports.header", "ports.port", "ports.upcall_pending"]
    );
    assert!(seen.contains(&"throttle.count".to_string()), "{seen:?}");
    key(&mut app, KeyCode::Right, KeyModifiers::NONE);
    let screen = draw_explained(&mut app, W, H);
    assert!(!screen.contains("Explain · throttle."), "{screen}");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.overlay, Overlay::None);
    assert!(!common::screen(&app, W, H).contains("Explain ·"));
}

#[test]
fn a_click_points_at_a_row() {
    let mut app = masked_port(Abi::TwoLevel);
    press(&mut app, "x");
    let screen = draw_explained(&mut app, W, H);
    // The counters' spurious_events row, wherever it is drawn.
    let y = screen
        .lines()
        .position(|l| l.contains("│ spurious_events"))
        .expect("the counters pane") as u16;
    let click = Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row: y,
        modifiers: KeyModifiers::NONE,
    });
    let msg = msg_for_event(&app, &click, Rect::new(0, 0, W, H)).expect("a click means a move");
    update(&mut app, msg);
    let screen = draw_explained(&mut app, W, H);
    assert!(
        screen.contains("Explain · counters.spurious_events (Counters)"),
        "{screen}"
    );
}

#[test]
fn explain_mode_draws_at_every_size() {
    let mut app = masked_port(Abi::TwoLevel);
    press(&mut app, "x");
    for (w, h) in [
        (60, 18),
        (80, 24),
        (120, 40),
        (160, 50),
        (200, 60),
        (61, 19),
    ] {
        for _ in 0..3 {
            let screen = draw_explained(&mut app, w, h);
            assert!(screen.contains("Explain"), "{w}x{h}:\n{screen}");
            press(&mut app, "j");
        }
    }
}
