//! The share overlay (`s`): the state on screen as a string to copy, and how to reopen it.
//!
//! ```text
//!        ┌ Share this state ──────────────────────────────────────┐
//!        │ ev1.AAAAAAL6AQABAAHRpckG                                │
//!        │ reopen it: evtchn-lab free --state STRING               │
//!        └ s or Esc closes ────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::app::App;

use super::help::{Overlay, overlay_popup, overlay_width};
use super::theme::Theme;

pub struct ShareOverlay<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

/// The overlay's lines in `width` cells: the string cut into whole rows (it has no spaces
/// to wrap at; a terminal's copy joins them), then what to do with it.
pub fn share_lines(app: &App, t: &Theme, width: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    let mut lines = Vec::with_capacity(6);
    if !app.history().from_start() {
        lines.push(Line::styled(
            " this run did not start here (a lesson step, or more actions than kept):",
            t.warn,
        ));
        lines.push(Line::styled(
            " the string replays only what is kept from t = 0",
            t.warn,
        ));
    }
    let s = app.share_string();
    let chars: Vec<char> = s.chars().collect();
    for row in chars.chunks(width - 1) {
        lines.push(Line::styled(
            format!(" {}", row.iter().collect::<String>()),
            t.value,
        ));
    }
    lines.push(Line::styled(
        " reopen it, paused: evtchn-lab free --state STRING",
        t.dim,
    ));
    lines
}

impl Widget for ShareOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let width = overlay_width(area);
        let lines = share_lines(self.app, self.theme, usize::from(width.saturating_sub(2)));
        let popup = overlay_popup(area, width, lines.len());
        Overlay {
            title: " Share this state ".to_string(),
            closes: "s",
            scroll: self.app.help_scroll,
            theme: self.theme,
        }
        .render(popup, lines, buf);
    }
}
