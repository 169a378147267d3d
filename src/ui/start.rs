//! The start screen: the lessons with their status, "continue where you left off", and
//! free play.
//!
//! ```text
//!  evtchn-lab · guided lessons                                   3 of 12 done
//! ┌ Lessons ──────────────────────────────────────────────────────────────────┐
//! │ ▶ continue  03 Rings and notify suppression              step 2 of 5      │
//! │                                                                           │
//! │   01  Ports and bits                                     ✓ done            │
//! │   02  Masking and coalescing                             in progress 2/5   │
//! │   03  Rings and notify suppression                       new               │
//! │   …                                                                       │
//! │       free play: every knob, no lesson                                    │
//! └───────────────────────────────────────────────────────────────────────────┘
//! ┌ 03 Rings and notify suppression ──────────────────────────────────────────┐
//! │ Why thousands of packets need few events.                                 │
//! └───────────────────────────────────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{App, MenuEntry, Page};
use crate::lesson::progress::Status;

use super::theme::Theme;
use super::{markup, pane, put_lines, title};

pub struct StartScreen<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

/// A lesson's status in words and its style (`short`: "2/6" for "in progress 2/6").
fn status_text(s: Status, t: &Theme, short: bool) -> (String, ratatui::style::Style) {
    match s {
        Status::New => ("new".to_string(), t.dim),
        Status::InProgress { done, of } if short => (format!("{done}/{of}"), t.warn),
        Status::InProgress { done, of } => (format!("in progress {done}/{of}"), t.warn),
        Status::Done => ("✓ done".to_string(), t.good),
    }
}

/// The box about the selected entry: its height, and the least body height it is drawn in.
const ABOUT_HEIGHT: u16 = 5;
const ABOUT_MIN_BODY_HEIGHT: u16 = 16;
/// A lesson row: the mark and number before the title (`▶ 01  `), the title column's least
/// width and the columns it leaves the rest of the row, and the longest status after it.
const ROW_LEAD_WIDTH: usize = 6;
const TITLE_MIN_WIDTH: usize = 10;
const TITLE_LEAVES: usize = 20;
const LONG_STATUS_WIDTH: usize = "in progress 12/12".len();
/// Rows the intro needs beside the menu's entries (itself, a gap and the menu's gaps).
const INTRO_ROWS: usize = 6;
/// Columns the header's left part keeps before its count is drawn.
const HEADER_LEFT_WIDTH: u16 = 30;

impl StartScreen<'_> {
    /// The top line: what this is and how far the learner is.
    pub fn header(&self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let app = self.app;
        buf.set_style(area, t.status);
        let done = app
            .lessons
            .lessons
            .iter()
            .filter(|l| app.progress.status(l) == Status::Done)
            .count();
        let left = Line::from(vec![
            Span::styled(" evtchn-lab ", t.status.patch(t.title)),
            Span::styled("· guided lessons", t.status),
        ]);
        let right = format!("{done} of {} done ", app.lessons.len());
        buf.set_line(area.x, area.y, &left, area.width);
        let rw = right.chars().count() as u16;
        if area.width > rw + HEADER_LEFT_WIDTH {
            buf.set_string(area.right() - rw, area.y, right, t.status);
        }
    }

    /// The entry selected (the first on the lab's page).
    fn selected(&self) -> usize {
        match self.app.page {
            Page::Start { selected } => selected,
            Page::Lab => 0,
        }
    }

    /// The lessons' box: an intro where there is room, the menu, the selection kept in
    /// view.
    fn list(&self, menu: &[MenuEntry], area: Rect, buf: &mut Buffer) {
        let (t, app) = (self.theme, self.app);
        let block = pane(title(vec![Span::raw("Lessons")]), t);
        let inner = block.inner(area);
        block.render(area, buf);
        let width = inner.width as usize;
        // Titles in a column as wide as the longest, statuses right after it.
        let longest = app
            .lessons
            .lessons
            .iter()
            .map(|l| l.title.chars().count())
            .max();
        let title_w = longest
            .unwrap_or(0)
            .min(width.saturating_sub(TITLE_LEAVES))
            .max(TITLE_MIN_WIDTH);
        // Where "in progress 12/12" would not fit after the titles, "12/12" says it.
        let short_status = width < ROW_LEAD_WIDTH + title_w + 1 + LONG_STATUS_WIDTH;
        let mut lines: Vec<Line> = Vec::with_capacity(menu.len() + 4);
        if inner.height as usize >= menu.len() + INTRO_ROWS {
            lines.push(Line::styled(
                " Short hands-on lessons in the live lab, from one pending bit to the \
                 one-character fix. Your progress is kept.",
                t.dim,
            ));
            lines.push(Line::raw(""));
        }
        let selected = self.selected();
        for (i, e) in menu.iter().enumerate() {
            lines.push(self.entry(*e, i == selected, width, (title_w, short_status)));
            // A gap after "continue" and before free play, for the eye.
            let gap = matches!(e, MenuEntry::Continue(_)) || i + 2 == menu.len();
            if gap {
                lines.push(Line::raw(""));
            }
        }
        // Keep the selected entry in view.
        let sel_line = lines
            .iter()
            .position(|l| l.spans.first().is_some_and(|s| s.content == "▶ "))
            .unwrap_or(0);
        let h = inner.height as usize;
        let skip = (sel_line + 1).saturating_sub(h);
        let shown: Vec<Line> = lines.into_iter().skip(skip).collect();
        put_lines(&shown, inner, buf);
    }

    /// One menu entry's row in `width` columns; a lesson's title in a column `title_w`
    /// wide, its status short or not.
    fn entry(
        &self,
        e: MenuEntry,
        sel: bool,
        width: usize,
        (title_w, short_status): (usize, bool),
    ) -> Line<'static> {
        let (t, app) = (self.theme, self.app);
        let mark = if sel { "▶ " } else { "  " };
        let row_style = if sel { t.stage_current } else { t.text };
        match e {
            MenuEntry::Continue(k) => {
                let l = &app.lessons.lessons[k];
                let step = app.progress.resume_step(l) + 1;
                let what = format!("continue  {} {}", l.number(), l.title);
                let mut at = format!("   step {step} of {}", l.steps.len());
                if 2 + what.chars().count() + at.chars().count() > width {
                    at = format!("  {step}/{}", l.steps.len());
                }
                Line::from(vec![
                    Span::styled(mark, t.value),
                    Span::styled(what, row_style),
                    Span::styled(at, t.dim),
                ])
            }
            MenuEntry::Lesson(k) => {
                let l = &app.lessons.lessons[k];
                let (st, style) = status_text(app.progress.status(l), t, short_status);
                let name: String = l.title.chars().take(title_w).collect();
                Line::from(vec![
                    Span::styled(mark, t.value),
                    Span::styled(format!("{}  ", l.number()), t.value),
                    Span::styled(format!("{name:<title_w$}"), row_style),
                    Span::styled(format!(" {st}"), style),
                ])
            }
            MenuEntry::Free => Line::from(vec![
                Span::styled(mark, t.value),
                Span::styled("free play: every knob, no lesson", row_style),
            ]),
        }
    }

    /// The box about the selected entry: its title and summary.
    fn about(&self, menu: &[MenuEntry], area: Rect, buf: &mut Buffer) {
        let (t, app) = (self.theme, self.app);
        let (head, text) = match menu.get(self.selected()) {
            Some(MenuEntry::Continue(k) | MenuEntry::Lesson(k)) => {
                let l = &app.lessons.lessons[*k];
                let mut s = l.summary.clone();
                if !l.requires.is_empty() {
                    s.push_str(&format!(" (builds on {})", l.requires.join(", ")));
                }
                (format!("{} {}", l.number(), l.title), s)
            }
            _ => (
                "free play".to_string(),
                "The lab with every knob: start where the story starts (a FreeBSD guest \
                 sending through the shipped netback, throttle on) and change anything."
                    .to_string(),
            ),
        };
        let block = pane(title(vec![Span::raw(head)]), t);
        let inner = block.inner(area);
        block.render(area, buf);
        let st = markup::TextStyles {
            text: t.text,
            code: t.name,
            emphasis: t.value,
            terms: None,
        };
        let lines: Vec<Line> = markup::render(&text, inner.width.saturating_sub(2) as usize, st)
            .into_iter()
            .map(|mut l| {
                l.spans.insert(0, Span::raw(" "));
                l
            })
            .collect();
        put_lines(&lines, inner, buf);
    }
}

impl Widget for StartScreen<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let menu = self.app.menu();
        let about_h = if area.height >= ABOUT_MIN_BODY_HEIGHT {
            ABOUT_HEIGHT
        } else {
            0
        };
        let [list, about] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(about_h)]).areas(area);
        self.list(&menu, list, buf);
        if about_h > 0 {
            self.about(&menu, about, buf);
        }
    }
}
