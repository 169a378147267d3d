//! The terminal: the live lab (`lab.rs`, its simulation on a thread of its own: [`sim`]) and
//! the live demo (`demo.rs`), thin shells around [`update`](crate::app::update) and
//! [`ui::draw`].
//!
//! The terminal is restored on every way out (`terminal.rs`): `q`, Ctrl-C,
//! SIGTERM/SIGHUP/SIGINT/SIGQUIT (the exit status then 128 + the signal's number, as a
//! shell reports it), an error, or a panic (the hook gives the terminal back, then prints
//! the message and a hint to report it). Ctrl-Z and SIGTSTP give it back before the lab
//! stops; when it is continued (`fg`) it takes the terminal again and redraws.
//!
//! The lab draws at most [`MAX_DRAW_WIDTH`]×[`MAX_DRAW_HEIGHT`] cells, in the top-left
//! corner of a bigger terminal (the rest stays blank): ratatui keeps two buffers of what it
//! draws, so a terminal of 2000×1000 would otherwise cost about 200 MB.

mod demo;
mod lab;
mod signals;
pub mod sim;
mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEventKind};
use ratatui::layout::Rect;

use crate::app::{App, Msg, Open, Overlay, explain, keymap};
use crate::sim::Config;
use crate::ui;
use crate::ui::theme::ThemeName;

pub use demo::{DemoRun, run_demo};
pub use lab::run;
pub use terminal::give_back;

/// How often the simulation advances while running.
pub const SIM_TICK: Duration = Duration::from_millis(20);
/// A longer gap between ticks (a stalled machine, a suspended process) counts as this much:
/// the lab never jumps far ahead on its own.
pub const MAX_WALL_STEP: Duration = Duration::from_millis(250);
/// The most columns the lab draws (a wider terminal: the rest stays blank). Every pane is
/// shown from 120 columns on; 500 is wider than a 4K screen at a small font.
pub const MAX_DRAW_WIDTH: u16 = 500;
/// The most rows the lab draws (a taller terminal: the rest stays blank).
pub const MAX_DRAW_HEIGHT: u16 = 200;
/// Test-only: set (to anything) in the environment, the lab panics just after its first
/// frame, so the tests can see what a panic leaves behind (read once, at start-up).
pub const TEST_PANIC_ENV: &str = "EVTCHN_LAB_TEST_PANIC";
/// What follows a panic's message on the restored terminal.
pub const PANIC_HINT: &str = "evtchn-lab crashed: this is a bug. The terminal has been \
restored. Please report it with the message above, the command you ran and the output of \
`evtchn-lab --version` (RUST_BACKTRACE=1 adds a backtrace).";

/// The area the lab draws in a terminal of `width`×`height`: all of it, up to
/// [`MAX_DRAW_WIDTH`]×[`MAX_DRAW_HEIGHT`], from the top-left corner.
pub fn draw_area(width: u16, height: u16) -> Rect {
    Rect::new(0, 0, width.min(MAX_DRAW_WIDTH), height.min(MAX_DRAW_HEIGHT))
}

/// How the lab draws.
#[derive(Clone, Copy, Debug)]
pub struct Display {
    /// Frames per second while running (paused, it redraws on input only).
    pub fps: u32,
    pub theme: ThemeName,
}

impl Default for Display {
    fn default() -> Self {
        Display {
            fps: 30,
            theme: ThemeName::Dark,
        }
    }
}

/// What the lab opens with.
#[derive(Clone, Debug)]
pub struct LabArgs {
    pub open: Open,
    /// The scenario of free play.
    pub scenario: Config,
    pub display: Display,
    /// Lessons from this directory instead of the built-in ones.
    pub dir: Option<PathBuf>,
}

/// What a terminal event means to the lab: keys through the key map, a left click on a
/// knob through the ui's hit test and then the key map (`size`: the terminal's).
pub fn msg_for_event(app: &App, ev: &Event, size: Rect) -> Option<Msg> {
    match ev {
        Event::Key(k) => keymap::msg_for_key(app, k),
        // Explain mode: a click puts the cursor on the row under it.
        Event::Mouse(m)
            if m.kind == MouseEventKind::Down(MouseButton::Left)
                && app.overlay == Overlay::Explain =>
        {
            Some(Msg::Explain(explain::Cmd::At {
                x: m.column,
                y: m.row,
            }))
        }
        Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
            ui::status_bar::hit(app, size, m.column, m.row)?.resolve(app)
        }
        // The wheel (the lab captures the mouse, so the terminal's own scrolling is off):
        // the screen's ↑/↓ where it has them (the help, the lesson list), else its
        // PgUp/PgDn (a lesson's text).
        Event::Mouse(m)
            if matches!(
                m.kind,
                MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
            ) =>
        {
            let keys = if m.kind == MouseEventKind::ScrollUp {
                [KeyCode::Up, KeyCode::PageUp]
            } else {
                [KeyCode::Down, KeyCode::PageDown]
            };
            keys.into_iter()
                .find_map(|c| keymap::msg_for_key(app, &KeyEvent::new(c, KeyModifiers::NONE)))
        }
        _ => None,
    }
}

/// 0, or 128 + the number of the signal that ended the lab (as a shell reports it).
fn exit_code(signal: Option<i32>) -> ExitCode {
    signal.map_or(ExitCode::SUCCESS, |n| {
        ExitCode::from(128u8.saturating_add(u8::try_from(n).unwrap_or(0)))
    })
}
