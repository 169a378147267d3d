//! Render benchmark: one full 160×50 frame of the lab (every pane) into a `TestBackend`,
//! after a few virtual seconds so the chart, the log and the timeline are full.
//! The bar: under 1 ms in release.

use std::time::Duration;

use evtchn_lab::app::{App, Msg, Options, update};
use evtchn_lab::sim::{Config, KnobChange, NetbackVariant};
use evtchn_lab::ui::{self, theme::Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    divan::main();
}

fn lab(keys: &[Msg]) -> App {
    let mut app = App::new(Options::free(Config::default()));
    for _ in 0..150 {
        update(
            &mut app,
            Msg::Advance {
                wall: Duration::from_millis(20),
            },
        );
    }
    for &m in keys {
        update(&mut app, m);
    }
    for _ in 0..100 {
        update(
            &mut app,
            Msg::Advance {
                wall: Duration::from_millis(20),
            },
        );
    }
    app
}

fn bench_frame(bencher: divan::Bencher, app: &App) {
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).expect("test backend");
    let theme = Theme::dark();
    bencher.bench_local(|| {
        terminal
            .draw(|f| ui::draw(f, divan::black_box(app), &theme))
            .expect("draw");
    });
}

/// Free play, every pane (the knob flipped half-way, so the chart has a mark).
#[divan::bench]
fn free_play_160x50(bencher: divan::Bencher) {
    let app = lab(&[Msg::Set(KnobChange::Netback(NetbackVariant::Fixed))]);
    bench_frame(bencher, &app);
}

/// Compare mode: two lanes and the shared chart.
#[divan::bench]
fn compare_160x50(bencher: divan::Bencher) {
    let app = lab(&[Msg::ToggleCompare]);
    bench_frame(bencher, &app);
}

/// With the help overlay on top.
#[divan::bench]
fn help_160x50(bencher: divan::Bencher) {
    let app = lab(&[Msg::ToggleHelp]);
    bench_frame(bencher, &app);
}

/// Explain mode: every pane's rows tagged while drawing, the cursor's row and its box.
#[divan::bench]
fn explain_160x50(bencher: divan::Bencher) {
    let app = lab(&[
        Msg::TogglePause,
        Msg::Explain(evtchn_lab::app::explain::Cmd::Move { dx: 0, dy: 1 }),
        Msg::Explain(evtchn_lab::app::explain::Cmd::Toggle),
    ]);
    bench_frame(bencher, &app);
}
