//! Help overlay (`?`): every key from the key map table, mouse use, and what the model
//! simplifies.
//!
//! ```text
//!        ┌ Help · evtchn-lab ─────────────────────────────────────┐
//!        │ b      netback condition: buggy (!tx | !rx) ⇄ fixed …  │
//!        │ t      throttle (XSA-332 patch 12) on/off              │
//!        │ …                                                      │
//!        │ mouse  click a knob in the status bar to toggle it     │
//!        │ ── the model ──                                        │
//!        │ one dom0 vCPU takes every event; figures illustrative  │
//!        └ ? or Esc closes ───────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::app::App;
use crate::app::keymap::{self, Ctx};

use super::theme::Theme;

/// What the lab simplifies, said where a learner looks.
pub const MODEL_NOTES: &[&str] = &[
    "One dom0 vCPU takes every event; 2-level ABI; one netback queue.",
    "Figures are illustrative (model costs): compare runs by ratio.",
    "TCP windows and ACK policy belong to each OS, not to a scenario.",
    "Counters: the sysfs ones of the Feb 2021 follow-up series.",
    "Colour is never the only cue: bits are 0/1, verdicts are words.",
];

pub struct HelpOverlay<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

/// The help's lines for the screen under the overlay; `compact` leaves out headings (for
/// short terminals). In a lesson, keys the step keeps locked say so.
pub fn help_lines(app: &App, t: &Theme, compact: bool) -> Vec<Line<'static>> {
    let key = t.key_label.patch(t.value);
    let ctx = Ctx::beneath(app);
    let mut lines = Vec::with_capacity(40);
    if !compact {
        lines.push(Line::styled("keys", t.title));
    }
    for b in keymap::bindings(ctx) {
        let locked = b.keys[0].1.needs().is_some_and(|u| !app.unlocked(u));
        let mut spans = vec![
            Span::styled(format!(" {:<6}", b.shown), key),
            Span::styled(b.help, if locked { t.dim } else { t.text }),
        ];
        if locked {
            spans.push(Span::styled(" ⊘ locked in this step", t.warn));
        }
        lines.push(Line::from(spans));
    }
    if ctx != Ctx::Start {
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<6}", "mouse"), key),
            Span::styled("click a knob in the status bar to toggle it", t.text),
        ]));
    }
    if compact {
        lines.push(Line::styled("── the model ──", t.title));
    } else {
        lines.push(Line::raw(""));
        lines.push(Line::styled("the model", t.title));
    }
    for n in MODEL_NOTES {
        lines.push(Line::styled(format!(" {n}"), t.text));
    }
    lines
}

impl Widget for HelpOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let full = help_lines(self.app, t, false);
        let lines = if full.len() as u16 + 2 <= area.height {
            full
        } else {
            help_lines(self.app, t, true)
        };
        let want_h = lines.len() as u16 + 2;
        let popup = area.centered(
            Constraint::Length(area.width.saturating_sub(4).min(84)),
            Constraint::Length(want_h.min(area.height)),
        );
        Clear.render(popup, buf);
        let block = Block::bordered()
            .style(t.overlay)
            .border_style(t.overlay_border)
            .title(Line::styled(" Help · evtchn-lab ", t.title))
            .title_bottom(Line::styled(" ? or Esc closes · q quits ", t.title));
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .render(popup, buf);
    }
}
