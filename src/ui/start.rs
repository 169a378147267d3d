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
        if area.width > rw + 30 {
            buf.set_string(area.right() - rw, area.y, right, t.status);
        }
    }
}

impl Widget for StartScreen<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let app = self.app;
        let selected = match app.page {
            Page::Start { selected } => selected,
            Page::Lab => 0,
        };
        let menu = app.menu();
        let about_h = if area.height >= 16 { 5 } else { 0 };
        let [list, about] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(about_h)]).areas(area);
        let block = pane(title(vec![Span::raw("Lessons")]), t);
        let inner = block.inner(list);
        block.render(list, buf);
        // Titles in a column as wide as the longest, statuses right after it.
        let longest = app
            .lessons
            .lessons
            .iter()
            .map(|l| l.title.chars().count())
            .max();
        let title_w = longest
            .unwrap_or(0)
            .min((inner.width as usize).saturating_sub(20))
            .max(10);
        // Where "in progress 12/12" would not fit after the titles, "12/12" says it.
        let short_status = (inner.width as usize) < 6 + title_w + 1 + 17;
        let mut lines: Vec<Line> = Vec::with_capacity(menu.len() + 4);
        if inner.height as usize >= menu.len() + 6 {
            lines.push(Line::styled(
                " Short hands-on lessons in the live lab, from one pending bit to the \
                 one-character fix. Your progress is kept.",
                t.dim,
            ));
            lines.push(Line::raw(""));
        }
        for (i, e) in menu.iter().enumerate() {
            let sel = i == selected;
            let mark = if sel { "▶ " } else { "  " };
            let row_style = if sel { t.stage_current } else { t.text };
            let line = match *e {
                MenuEntry::Continue(k) => {
                    let l = &app.lessons.lessons[k];
                    let step = app.progress.resume_step(l) + 1;
                    let what = format!("continue  {} {}", l.number(), l.title);
                    let mut at = format!("   step {step} of {}", l.steps.len());
                    if 2 + what.chars().count() + at.chars().count() > inner.width as usize {
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
            };
            lines.push(line);
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

        if about_h == 0 {
            return;
        }
        let (head, text) = match menu.get(selected) {
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
        let inner = block.inner(about);
        block.render(about, buf);
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
