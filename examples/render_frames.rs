//! Draws the render bench's frames a fixed number of times, for callgrind (issue 10's
//! render measure): instructions per frame are the difference between two counts divided
//! by the difference in frames, so the setup (the sim's few virtual seconds) drops out.
//!
//! ```sh
//! cargo build --release --example render_frames
//! valgrind --tool=callgrind target/release/examples/render_frames free 100
//! valgrind --tool=callgrind target/release/examples/render_frames free 200
//! ```
//! The first argument picks the frame: `free`, `compare` or `help` (as `benches/render.rs`).
//! A third argument `dump` prints the frame's buffer, styles included, at 160×50, 120×40
//! and 80×24 (to compare two builds cell by cell).

use std::time::Duration;

use evtchn_lab::app::{App, Msg, Options, update};
use evtchn_lab::sim::{Config, KnobChange, NetbackVariant};
use evtchn_lab::ui::{self, theme::Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "free".into());
    let frames: u32 = args
        .next()
        .map_or(100, |n| n.parse().expect("a frame count"));
    let key = match which.as_str() {
        "free" => Msg::Set(KnobChange::Netback(NetbackVariant::Fixed)),
        "compare" => Msg::ToggleCompare,
        "help" => Msg::ToggleHelp,
        other => panic!("unknown frame {other:?}: free, compare or help"),
    };
    let app = lab(key);
    let theme = Theme::dark();
    if args.next().as_deref() == Some("dump") {
        for (w, h) in [(160, 50), (120, 40), (80, 24)] {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
            terminal.draw(|f| ui::draw(f, &app, &theme)).expect("draw");
            println!("{:?}", terminal.backend().buffer());
        }
        return;
    }
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).expect("test backend");
    for _ in 0..frames {
        terminal
            .draw(|f| ui::draw(f, std::hint::black_box(&app), &theme))
            .expect("draw");
    }
}

/// The bench's app: a few virtual seconds, `key`, a few more.
fn lab(key: Msg) -> App {
    let mut app = App::new(Options::free(Config::default()));
    let tick = Msg::Advance {
        wall: Duration::from_millis(20),
    };
    for _ in 0..150 {
        update(&mut app, tick);
    }
    update(&mut app, key);
    for _ in 0..100 {
        update(&mut app, tick);
    }
    app
}
