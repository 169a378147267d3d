//! Lesson mode: the lesson pane beside the live panes that carry the step.
//!
//! ```text
//! ┌ 01 Ports and bits · step 2/5 ─────────┐┌ Throughput ─────────────┐┌ Ports ────────┐
//! │ Notify once                           ││                         ││ 5 [1/0/1] …   │
//! │                                       │└─────────────────────────┘└───────────────┘
//! │ text, with `code` and *emphasis* …    │┌ Throttle ───────────────────────────────────┐
//! │                                       │└─────────────────────────────────────────────┘
//! │ Goal (over the last 1 s)              │┌ EOI flow ───────────────────────────────────┐
//! │ ✓ throttle  off                       ││                                             │
//! │ ✗ events per jiffy ≤ 2.5 · now 5.90   ││                                             │
//! │ Hint 1/2: …                           │└──────── Code, Counters hidden · v shows ─┘
//! │ ━━ goal met ━━ explanation …          │
//! └ Enter next step · h hint · S solution ┘
//! ```
//! Narrower than [`SIDE_BY_SIDE`] columns, the lesson pane sits above the panes. The pane
//! scrolls (`PgUp`/`PgDn`) when its text is longer than it is tall. The live panes are
//! the step's `panes` first, then what else fits ([`arrange`]); stacked, the lesson pane
//! gives up rows (down to [`LESSON_MIN_HEIGHT`]) until the step's panes fit. While a
//! question waits for its answer, the stacked lesson pane takes every row the step's own
//! panes leave (the lab is frozen), and a question longer than the pane keeps its block,
//! the question, the choices and how to answer, at the pane's foot while the text above
//! scrolls: a question is never read without its choices.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{App, Lane, LessonRun};
use crate::lesson::{Lesson, Pane, Task};

use super::arrange::{self, Live};
use super::step_text::{Question, step_parts};
use super::theme::Theme;
use super::{pane, percent, put_lines, title};

pub use super::step_text::step_lines;

/// From this width on, the lesson pane and the live panes sit side by side.
pub const SIDE_BY_SIDE: u16 = 100;
/// Side by side: the lesson pane's share of the width, percent, and its bounds.
pub const LESSON_WIDTH_PERCENT: u16 = 40;
pub const LESSON_MIN_WIDTH: u16 = 40;
pub const LESSON_MAX_WIDTH: u16 = 64;
/// Stacked: the lesson pane's share of the height, percent, and the least it keeps when
/// the step's panes need more room (its text scrolls).
pub const LESSON_HEIGHT_PERCENT: u16 = 60;
pub const LESSON_MIN_HEIGHT: u16 = 8;
/// The least rows the text above an open question keeps (else the whole pane scrolls).
pub const LESSON_MIN_TEXT_ROWS: usize = 2;

/// The whole lesson body: the lesson pane and the live panes.
pub fn render(app: &App, theme: &Theme, body: Rect, buf: &mut Buffer) {
    let (Some(run), Some((lesson, _))) = (app.lesson_run(), app.current_lesson()) else {
        return;
    };
    let pane = LessonPane {
        app,
        run,
        lesson,
        theme,
    };
    let step = &lesson.steps[run.step];
    let (left, right, live) = layout(app, body, &step.panes);
    pane.render(left, buf);
    if let Some(b) = run.compare.as_deref() {
        // A step that compares two lanes shows both, as compare mode does.
        let knobs: Vec<crate::sim::Knob> = step.compare.iter().map(|s| s.knob()).collect();
        super::compare::CompareView {
            app,
            theme,
            b,
            knobs: &knobs,
            density: super::Density::of(body),
            veil: app.veil(),
        }
        .render(right, buf);
    } else {
        live.render(&app.lane, &arrange::Look::of(app, theme), right, buf);
    }
}

/// The lesson pane's area, the live panes' area and what they show: the step's panes
/// first, and the one `v` brought in before them.
fn layout(app: &App, body: Rect, named: &[Pane]) -> (Rect, Rect, Live) {
    let asking = app.open_question().is_some();
    let (right, live) = arrange::live(app, named, |first| split(&app.lane, body, first, asking).1);
    let left = if body.width >= SIDE_BY_SIDE {
        Rect {
            width: right.x - body.x,
            ..body
        }
    } else {
        Rect {
            height: right.y - body.y,
            ..body
        }
    };
    (left, right, live)
}

/// The lesson pane's area and the live panes' area: side by side from [`SIDE_BY_SIDE`]
/// columns, else the lesson above, leaving the live panes at least the rows `first` need.
fn split(lane: &Lane, body: Rect, first: &[Pane], asking: bool) -> (Rect, Rect) {
    if body.width >= SIDE_BY_SIDE {
        let w = percent(body.width, LESSON_WIDTH_PERCENT).clamp(LESSON_MIN_WIDTH, LESSON_MAX_WIDTH);
        let [left, right] =
            Layout::horizontal([Constraint::Length(w), Constraint::Fill(1)]).areas(body);
        (left, right)
    } else {
        let need = arrange::rows_needed(lane, body.width, first)
            .min(body.height.saturating_sub(LESSON_MIN_HEIGHT));
        let share = if asking {
            body.height
        } else {
            percent(body.height, LESSON_HEIGHT_PERCENT)
        };
        let h = share.max(LESSON_MIN_HEIGHT).min(body.height - need);
        let [top, rest] =
            Layout::vertical([Constraint::Length(h), Constraint::Fill(1)]).areas(body);
        (top, rest)
    }
}

/// Where the lesson pane is drawn in `body` (the live panes take the rest).
pub fn pane_area(app: &App, body: Rect) -> Rect {
    match app.current_lesson() {
        Some((lesson, i)) => layout(app, body, &lesson.steps[i].panes).0,
        None => body,
    }
}

/// How far the lesson text can scroll in `body` (0 when it fits).
pub fn max_scroll(app: &App, theme: &Theme, body: Rect) -> u16 {
    let (Some(run), Some((lesson, _))) = (app.lesson_run(), app.current_lesson()) else {
        return 0;
    };
    let step = &lesson.steps[run.step];
    let inner = pane(Line::raw(""), theme).inner(layout(app, body, &step.panes).0);
    let (lines, question) = step_parts(
        app,
        run,
        step,
        theme,
        inner.width.saturating_sub(2) as usize,
    );
    let fit = fit(lines.len(), question, inner.height as usize);
    fit.scrolled.saturating_sub(fit.rows) as u16
}

struct LessonPane<'a> {
    app: &'a App,
    run: &'a LessonRun,
    lesson: &'a Lesson,
    theme: &'a Theme,
}

/// The text the lesson pane scrolls above the lines it keeps at its foot.
struct Fit {
    /// Lines that scroll, from the top.
    scrolled: usize,
    /// Rows they get.
    rows: usize,
    /// Lines kept at the foot, after the scrolled ones (the rest are not drawn).
    kept: usize,
}

/// How `lines` lines go into `visible` rows: all of them scroll, unless they do not fit
/// and an open question's block leaves the text above it [`LESSON_MIN_TEXT_ROWS`]: then
/// the block, from its heading to the end (or to its prompt, when that is all there is
/// room for), is kept at the foot.
fn fit(lines: usize, question: Option<Question>, visible: usize) -> Fit {
    let all = Fit {
        scrolled: lines,
        rows: visible,
        kept: 0,
    };
    let Some(q) = question.filter(|_| lines > visible) else {
        return all;
    };
    [lines, q.end]
        .into_iter()
        .map(|end| end - q.from)
        .find(|&kept| kept + LESSON_MIN_TEXT_ROWS <= visible)
        .map_or(all, |kept| Fit {
            scrolled: q.from,
            rows: visible - kept,
            kept,
        })
}

impl Widget for LessonPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let run = self.run;
        let n = self.lesson.steps.len();
        let step = &self.lesson.steps[run.step];
        let mut what_next = if run.state.met {
            if run.step + 1 < n {
                vec!["Enter: next step".to_string()]
            } else {
                vec!["Enter: lesson done, back to the list".to_string()]
            }
        } else if let Task::Quiz { choices, .. } = &step.task {
            vec![format!("1–{} answer", choices.len()), "Esc list".into()]
        } else if let Task::Number { .. } = &step.task {
            vec!["type a number · Enter".into(), "Esc list".into()]
        } else {
            let left = step.hints.len() - run.state.hints_shown.min(step.hints.len());
            vec![
                format!("h hint ({left} left)"),
                "S solution".into(),
                "R restart step".into(),
            ]
        };
        let block = pane(
            title(vec![
                // The step count first: a long title is what gets cut.
                Span::styled(
                    format!("{} · step {}/{n} · ", self.lesson.number(), run.step + 1),
                    t.value,
                ),
                Span::raw(self.lesson.title.clone()),
            ]),
            t,
        );
        let inner = block.inner(area);
        let (mut lines, question) = step_parts(
            self.app,
            run,
            step,
            t,
            inner.width.saturating_sub(2) as usize,
        );
        let fit = fit(lines.len(), question, inner.height as usize);
        let mut kept = lines.split_off(fit.scrolled);
        kept.truncate(fit.kept);
        let max_scroll = lines.len().saturating_sub(fit.rows);
        let scroll = (run.state.scroll as usize).min(max_scroll);
        let more = if scroll < max_scroll {
            " ↓ PgDn more "
        } else {
            ""
        };
        // What to do next, its least needed parts left out where the border is too short
        // (the key bar and the help have them all); its trailing space may go.
        let room = usize::from(area.width.saturating_sub(2)).saturating_sub(more.chars().count());
        while what_next.len() > 1 && what_next.join(" · ").chars().count() + 1 > room {
            what_next.pop();
        }
        let what_next = format!(" {} ", what_next.join(" · "));
        let block = block.title_bottom(Line::from(vec![
            Span::styled(what_next, if run.state.met { t.good } else { t.dim }),
            Span::styled(more, t.warn),
        ]));
        block.render(area, buf);
        let indent = |mut l: Line<'static>| {
            l.spans.insert(0, Span::raw(" "));
            l
        };
        let shown: Vec<Line> = lines
            .into_iter()
            .skip(scroll)
            .take(fit.rows)
            .map(indent)
            .collect();
        put_lines(&shown, inner, buf);
        let [_, foot] =
            Layout::vertical([Constraint::Length(fit.rows as u16), Constraint::Fill(1)])
                .areas(inner);
        let kept: Vec<Line> = kept.into_iter().map(indent).collect();
        put_lines(&kept, foot, buf);
    }
}
