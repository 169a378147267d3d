//! A demo on screen: the lab as it plays, with the demo's caption at the right of the
//! status line and the demo's keys in the key bar.
//!
//! ```text
//!  evtchn-lab  freebsd  tx  netback OR  throttle on …  t 1.234567s  1×  ▶ running  ▶ key: t
//!  …the lab, as a learner would see it…
//!  » goal met   space  pause demo   Enter  next step   q  quit
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Clear, Widget};

use crate::app::keymap::Ctx;
use crate::app::{App, Page};
use crate::demo::Demo;
use crate::words::{self, Precision, Time};

use super::status_bar::{KeyBarIn, StatusBar};
use super::theme::Theme;
use super::{Density, LabView, Screen, start};

/// The whole screen of a demo.
#[derive(Clone, Copy)]
pub struct DemoView<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    pub demo: &'a Demo,
}

/// The caption's text: what the demo does now, or that it is paused; while a text is up,
/// the reading time left on it (whole seconds, rounded up: it never reads 0 while up).
pub fn caption(demo: &Demo) -> String {
    if demo.is_paused() {
        "❚❚ demo paused · space resumes".to_string()
    } else {
        match demo.left_ns().filter(|&l| l > 0) {
            Some(left) => format!(
                "{} · {} left",
                demo.caption_text(),
                words::duration(Time::Ns(left), Precision::WholeUp)
            ),
            None => demo.caption_text(),
        }
    }
}

/// The words a learner can read in the lesson pane of a demo drawn on a `width`×`height`
/// terminal ([`crate::demo::Reader`]): only the lines drawn, so a text cut by a small
/// terminal counts what shows.
pub fn words_on_screen(app: &App, width: u16, height: u16) -> usize {
    let area = Rect::new(0, 0, width, height);
    if app.page != Page::Lab || Density::of(area) == Density::TooSmall {
        return 0;
    }
    let screen = Screen::for_key_bar(app, Ctx::Demo, area);
    let mut buf = Buffer::empty(area);
    LabView {
        app,
        theme: &Theme::default(),
    }
    .render_in(screen, area, &mut buf);
    let pane = super::lesson::pane_area(app, screen.body);
    let mut text = String::new();
    for y in pane.top()..pane.bottom() {
        for x in pane.left()..pane.right() {
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    crate::demo::words(&text)
}

impl Widget for DemoView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let DemoView { app, theme, demo } = self;
        // The key bar is the demo's: the lab is laid out for its height.
        let screen = Screen::for_key_bar(app, Ctx::Demo, area);
        LabView { app, theme }.render_in(screen, area, buf);
        if Density::of(area) == Density::TooSmall {
            return;
        }
        let text = caption(demo);
        let style = if demo.is_paused() {
            theme.status.patch(theme.paused)
        } else if demo.caption().is_key() {
            theme.key
        } else {
            theme.status.patch(theme.notice)
        };
        let w = (Span::raw(text.as_str()).width() as u16 + 2).min(screen.status.width / 2);
        let [bar, cap] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(w)]).areas(screen.status);
        // The status line again, in the room the caption leaves (it picks a shorter form).
        Clear.render(screen.status, buf);
        buf.set_style(screen.status, theme.base);
        match app.page {
            Page::Start { .. } => start::StartScreen { app, theme }.header(bar, buf),
            Page::Lab => StatusBar { app, theme }.render(bar, buf),
        }
        buf.set_style(cap, style);
        buf.set_stringn(cap.x, cap.y, format!(" {text} "), cap.width as usize, style);
        // The demo's keys instead of the lab's (the app's notice stays first).
        Clear.render(screen.footer, buf);
        buf.set_style(screen.footer, theme.base);
        KeyBarIn {
            app,
            theme,
            ctx: Ctx::Demo,
        }
        .render(screen.footer, buf);
    }
}
