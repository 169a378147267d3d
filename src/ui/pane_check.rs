//! `lessons check`, on screen: every pane a step names (`panes = [...]`) is drawn at
//! 80×24 and at 120×40.
//!
//! Each step is opened as the lab opens it (the steps before it replayed), drawn with the
//! real layout into a buffer ([`LabView`], as `evtchn-lab snapshot` draws), and each pane
//! is looked for by its title on a top border (`┌ Counters`).

use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::app::{App, Open, Options};
use crate::lesson::progress::Progress;
use crate::lesson::{Catalog, Pane, Problem};
use crate::sim::Config;

use super::arrange::title;
use super::theme::Theme;
use super::{FULL_HEIGHT, FULL_WIDTH, LabView, MEDIUM_HEIGHT, MEDIUM_WIDTH};

/// The sizes a step's panes must be on screen at: the smallest the lab is made for, and
/// the one where free play shows every pane.
pub const SIZES: [(u16, u16); 2] = [(MEDIUM_WIDTH, MEDIUM_HEIGHT), (FULL_WIDTH, FULL_HEIGHT)];

/// The panes whose titles begin a top border in `buf` (`┌ Counters · …`).
pub fn panes_on_screen(buf: &Buffer) -> Vec<Pane> {
    let a = buf.area;
    let rows: Vec<String> = (a.top()..a.bottom())
        .map(|y| {
            (a.left()..a.right())
                .map(|x| buf[(x, y)].symbol())
                .collect()
        })
        .collect();
    Pane::ALL
        .iter()
        .copied()
        .filter(|&p| {
            let border = format!("┌ {}", title(p));
            rows.iter().any(|r| r.contains(&border))
        })
        .collect()
}

/// The frame `app` draws on a `w`×`h` terminal.
pub fn frame(app: &App, w: u16, h: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    LabView {
        app,
        theme: &Theme::no_color(),
    }
    .render(buf.area, &mut buf);
    buf
}

/// The panes the current lesson step names that a `w`×`h` terminal does not show.
pub fn missing_panes(app: &App, w: u16, h: u16) -> Vec<Pane> {
    let Some((lesson, i)) = app.current_lesson() else {
        return Vec::new();
    };
    let seen = panes_on_screen(&frame(app, w, h));
    lesson.steps[i]
        .panes
        .iter()
        .copied()
        .filter(|p| !seen.contains(p))
        .collect()
}

/// Every step of every lesson of `cat` that names panes, at each of [`SIZES`]: a problem
/// at the step's line for each of them not on screen. A step the replay does not reach is
/// left to the replay's own check, which says why.
pub fn check_catalog(cat: &Arc<Catalog>) -> Vec<Problem> {
    let mut out = Vec::new();
    for (index, lesson) in cat.lessons.iter().enumerate() {
        for (i, step) in lesson.steps.iter().enumerate() {
            if step.panes.is_empty() {
                continue;
            }
            let mut app = App::new(Options {
                scenario: Config::default(),
                open: Open::Lesson(lesson.id.clone()),
                lessons: cat.clone(),
                progress: Progress::default(),
            });
            app.open_lesson_at(index, i);
            if app.lesson_run().map(|r| r.step) != Some(i) {
                continue;
            }
            for (w, h) in SIZES {
                for p in missing_panes(&app, w, h) {
                    out.push(Problem {
                        path: lesson.path.clone(),
                        line: step.line,
                        col: 1,
                        message: format!(
                            "step {}: the {} pane (`{}` in `panes`) is not on screen at \
                             {w}×{h}: the step names more panes than fit there",
                            i + 1,
                            title(p),
                            p.name()
                        ),
                    });
                }
            }
        }
    }
    out
}
