//! Helpers shared by the lab's UI tests: build an App, press keys through the key map,
//! advance in the loop's 20 ms ticks, draw a frame on ratatui's `TestBackend`.
// Each test binary uses its own subset of these.
#![allow(dead_code)]

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use evtchn_lab::app::{App, Msg, Options, keymap, update};
use evtchn_lab::sim::Config;
use evtchn_lab::ui::{self, theme::Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The lab at the story's start, in `theme`.
pub fn lab_with(theme: Theme) -> App {
    App::new(Options {
        scenario: Config::default(),
        theme,
    })
}

/// The lab at the story's start, dark theme.
pub fn lab() -> App {
    lab_with(Theme::dark())
}

/// One key as the terminal would send it, through the key map.
pub fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    let ev = Event::Key(KeyEvent::new(code, mods));
    if let Some(msg) = keymap::msg_for_event(app, &ev) {
        update(app, msg);
    }
}

/// Press character keys in order.
pub fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        key(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

/// `secs` of wall time, in the loop's 20 ms ticks.
pub fn run(app: &mut App, secs: f64) {
    for _ in 0..(secs / 0.02).round() as u32 {
        update(
            app,
            Msg::Advance {
                wall: Duration::from_millis(20),
            },
        );
    }
}

/// Resize to `w`×`h` and draw one frame.
pub fn frame(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    update(
        app,
        Msg::Resize {
            width: w,
            height: h,
        },
    );
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    t
}

/// The frame's text.
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    frame(app, w, h).backend().to_string()
}
