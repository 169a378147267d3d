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
use ratatui::widgets::{Block, Clear, Widget};

use crate::app::App;
use crate::app::keymap::{self, Ctx};

use super::theme::Theme;

/// What the lab simplifies, said where a learner looks.
pub const MODEL_NOTES: &[&str] = &[
    "One dom0 vCPU takes every event; one netback queue.",
    "Figures are illustrative (model costs): compare runs by ratio.",
    "TCP windows and ACK policy belong to each OS, not to a scenario.",
    "Counters and spurious_threshold: sysfs since 5.12 (06f45fe96fcd).",
    "The story's kernel: mask_ack_dynirq, unmask_evtchn, threshold 1.",
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
    let bindings: Vec<_> = keymap::bindings(ctx).collect();
    // The key column fits the widest key shown ("PgUp PgDn" in a lesson) and "mouse",
    // plus a space (`format!` pads by chars; every key shown is one cell a char).
    let col = 1 + bindings
        .iter()
        .map(|b| b.shown.chars().count())
        .fold("mouse".len(), usize::max);
    if !compact {
        lines.push(Line::styled("keys", t.title));
    }
    for b in bindings {
        let locked = b.keys[0].1.needs().is_some_and(|u| !app.unlocked(u));
        let mut spans = vec![
            Span::styled(format!(" {:<col$}", b.shown), key),
            Span::styled(b.help, if locked { t.dim } else { t.text }),
        ];
        if locked {
            spans.push(Span::styled(" ⊘ locked in this step", t.warn));
        }
        lines.push(Line::from(spans));
    }
    if ctx != Ctx::Start {
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<col$}", "mouse"), key),
            Span::styled(
                "click a knob in the status bar to toggle it; the wheel scrolls",
                t.text,
            ),
        ]));
    }
    if matches!(ctx, Ctx::Free | Ctx::Compare | Ctx::Lesson) {
        lines.push(Line::styled(
            format!(" {}", crate::app::history::help_line()),
            t.text,
        ));
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

/// Wrap help lines to `width`. A key line keeps its key column (its first span, padded
/// with spaces) and wraps its description under the description.
fn wrapped(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::with_capacity(lines.len() + 8);
    for line in lines {
        let Some(first) = line.spans.first().cloned() else {
            out.push(line);
            continue;
        };
        let (prefix, rest) = if line.spans.len() > 1 {
            (first, &line.spans[1..])
        } else {
            (Span::raw(" "), &line.spans[..])
        };
        let indent = prefix.width();
        let pieces: Vec<(String, ratatui::style::Style)> = rest
            .iter()
            .map(|s| (s.content.to_string(), s.style))
            .collect();
        for (k, mut l) in super::markup::wrap(&pieces, width.saturating_sub(indent), 0)
            .into_iter()
            .enumerate()
        {
            let lead = if k == 0 {
                prefix.clone()
            } else {
                Span::raw(" ".repeat(indent))
            };
            l.spans.insert(0, lead);
            out.push(l);
        }
    }
    out
}

/// The help's box in `area` and its lines, wrapped to the box.
fn layout(app: &App, t: &Theme, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let width = overlay_width(area);
    let inner_w = width.saturating_sub(2) as usize;
    let full = wrapped(help_lines(app, t, false), inner_w);
    let lines = if full.len() as u16 + 2 <= area.height {
        full
    } else {
        wrapped(help_lines(app, t, true), inner_w)
    };
    (overlay_popup(area, width, lines.len()), lines)
}

/// How far the help can scroll in `area` (0 when it fits).
pub fn max_scroll(app: &App, t: &Theme, area: Rect) -> u16 {
    let (popup, lines) = layout(app, t, area);
    overlay_max_scroll(popup, lines.len())
}

impl Widget for HelpOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (popup, lines) = layout(self.app, self.theme, area);
        let o = Overlay {
            title: " Help · evtchn-lab ".to_string(),
            closes: "?",
            scroll: self.app.help_scroll,
            theme: self.theme,
        };
        o.render(popup, lines, buf);
    }
}

/// An overlay's box: the columns it leaves the screen around it, and its widest.
const OVERLAY_MARGIN: u16 = 4;
const OVERLAY_MAX_WIDTH: u16 = 84;

/// The width of an overlay's box in `area` (the help's, the glossary's).
pub(super) fn overlay_width(area: Rect) -> u16 {
    area.width
        .saturating_sub(OVERLAY_MARGIN)
        .min(OVERLAY_MAX_WIDTH)
}

/// An overlay's box for `n` lines, centred in `area` (as tall as they need, at most all of
/// it).
pub(super) fn overlay_popup(area: Rect, width: u16, n: usize) -> Rect {
    let want_h = (n as u16).saturating_add(2);
    area.centered(
        Constraint::Length(width),
        Constraint::Length(want_h.min(area.height)),
    )
}

/// How far `n` lines can scroll in an overlay's box (0 when they fit).
pub(super) fn overlay_max_scroll(popup: Rect, n: usize) -> u16 {
    n.saturating_sub(popup.height.saturating_sub(2) as usize) as u16
}

/// A box over the screen that scrolls when its lines do not fit, and says so.
pub(super) struct Overlay<'a> {
    pub title: String,
    /// The key that opened it, which closes it too.
    pub closes: &'static str,
    pub scroll: u16,
    pub theme: &'a Theme,
}

impl Overlay<'_> {
    pub(super) fn render(self, popup: Rect, lines: Vec<Line<'static>>, buf: &mut Buffer) {
        let t = self.theme;
        Clear.render(popup, buf);
        let visible = popup.height.saturating_sub(2) as usize;
        let max_scroll = lines.len().saturating_sub(visible);
        let scroll = usize::from(self.scroll).min(max_scroll);
        // Too short for everything: it scrolls, and says so.
        let bottom = if max_scroll == 0 {
            format!(" {} or Esc closes · q quits ", self.closes)
        } else if scroll < max_scroll {
            format!(
                " ↓ more: ↑↓ scroll ({}/{}) · Esc closes ",
                scroll + visible,
                lines.len()
            )
        } else {
            " ↑ scroll back · Esc closes ".to_string()
        };
        let block = Block::bordered()
            .style(t.overlay)
            .border_style(t.overlay_border)
            .title(Line::styled(self.title, t.title))
            .title_bottom(Line::styled(bottom, t.title));
        let inner = block.inner(popup);
        block.render(popup, buf);
        let shown: Vec<Line> = lines.into_iter().skip(scroll).collect();
        super::put_lines(&shown, inner, buf);
    }
}
