//! Glossary overlay (`w`): every term the lessons use, alphabetically, with its definition,
//! what the lab does differently and where to read more; in a lesson, the terms of the step
//! on screen first. It opens over any screen and scrolls like the help.
//!
//! ```text
//!        ┌ Glossary · 64 terms ──────────────────────────────────┐
//!        │ In this step                                           │
//!        │ EOI                                                    │
//!        │   End of interrupt: the driver's word that it is done  │
//!        │   Read: drivers/xen/events/events_base.c: xen_irq_…    │
//!        │ …                                                      │
//!        │ All other terms                                        │
//!        └ w or Esc closes · q quits ─────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::App;
use crate::lesson::Task;
use crate::lesson::glossary::{Glossary, Term};

use super::help::{Overlay, overlay_max_scroll, overlay_popup, overlay_width};
use super::markup::{self, TextStyles};
use super::theme::Theme;

/// Definitions and notes hang under the term's name by this much.
const INDENT: usize = 3;

pub struct GlossaryOverlay<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

/// The terms the lesson step on screen uses, as it shows now: its text, its question and
/// choices, the hints shown and, once it is done, its explanation (empty outside lessons).
pub fn step_terms(app: &App, g: &Glossary) -> Vec<usize> {
    let (Some(run), Some((lesson, i))) = (app.lesson_run(), app.current_lesson()) else {
        return Vec::new();
    };
    let step = &lesson.steps[i];
    let choices: &[String] = match &step.task {
        Task::Quiz { choices, .. } => choices,
        _ => &[],
    };
    let hints = &step.hints[..run.state.hints_shown.min(step.hints.len())];
    let explain = run.state.met.then_some(step.explain.as_str());
    let texts = [step.text.as_str()]
        .into_iter()
        .chain(step.question())
        .chain(choices.iter().map(String::as_str))
        .chain(hints.iter().map(String::as_str))
        .chain(explain);
    g.terms_in(texts)
}

/// The glossary's lines, wrapped to `width` columns (after a column of margin).
pub fn glossary_lines(app: &App, t: &Theme, width: usize) -> Vec<Line<'static>> {
    let g = &app.lessons.glossary;
    let mut lines = Vec::with_capacity(g.len() * 6);
    let here = step_terms(app, g);
    if !here.is_empty() {
        lines.push(Line::styled(" In this step", t.title));
        for &k in &here {
            entry(&mut lines, &g.terms()[k], t, width);
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(" All other terms", t.title));
    }
    for (k, term) in g.terms().iter().enumerate() {
        if !here.contains(&k) {
            entry(&mut lines, term, t, width);
        }
    }
    if g.is_empty() {
        lines.push(Line::styled(" (no terms)", t.dim));
    }
    lines
}

/// One term: its name, then its definition, the lab's note and where to read more, hung
/// under it.
fn entry(lines: &mut Vec<Line<'static>>, term: &Term, t: &Theme, width: usize) {
    let st = TextStyles {
        text: t.text,
        code: t.name,
        emphasis: t.value,
        terms: None,
    };
    lines.push(Line::from(vec![
        Span::raw(" "),
        Span::styled(term.name.clone(), t.figure),
    ]));
    let room = width.saturating_sub(INDENT);
    let mut hang = |pieces: Vec<(String, ratatui::style::Style)>| {
        for mut l in markup::wrap(&pieces, room, 0) {
            l.spans.insert(0, Span::raw(" ".repeat(INDENT)));
            lines.push(l);
        }
    };
    hang(markup::inline(&term.definition, st));
    if let Some(lab) = &term.lab {
        let mut pieces = vec![("In the lab: ".to_string(), t.warn)];
        pieces.extend(markup::inline(lab, st));
        hang(pieces);
    }
    hang(vec![
        ("Read: ".to_string(), t.warn),
        (term.read.join(" · "), t.dim),
    ]);
}

/// The glossary's box in `area` and its lines, wrapped to the box.
fn layout(app: &App, t: &Theme, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let width = overlay_width(area);
    // A column of margin on either side inside the border.
    let lines = glossary_lines(app, t, width.saturating_sub(4) as usize);
    (overlay_popup(area, width, lines.len()), lines)
}

/// How far the glossary can scroll in `area` (0 when it fits).
pub fn max_scroll(app: &App, t: &Theme, area: Rect) -> u16 {
    let (popup, lines) = layout(app, t, area);
    overlay_max_scroll(popup, lines.len())
}

impl Widget for GlossaryOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (popup, lines) = layout(self.app, self.theme, area);
        Overlay {
            title: format!(" Glossary · {} terms ", self.app.lessons.glossary.len()),
            closes: "w",
            scroll: self.app.help_scroll,
            theme: self.theme,
        }
        .render(popup, lines, buf);
    }
}
