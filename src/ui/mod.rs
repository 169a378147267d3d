//! Rendering: pure functions from `&App` to a frame. No clock reads, no sim stepping.
//!
//! Free play at 120×40 and larger:
//! ```text
//! ┌ status bar: scenario knobs (clickable) · virtual time · speed · running/paused ──────┐
//! ┌ Ports ─────────────┐┌ Throughput: goodput NNN Mbit/s, chart with knob marks ────────┐
//! │ 5 [1/0/1] …        ││                                                               │
//! └────────────────────┘└───────────────────────────────────────────────────────────────┘
//! ┌ Throttle ──────────┐┌ EOI flow: notify → … → delayed list / unmask, log ────────────┐
//! │ spurious_cnt, strip││                                                               │
//! └────────────────────┘│                                                               │
//! ┌ Counters ──────────┐└───────────────────────────────────────────────────────────────┘
//! │ events …           │┌ Code: if (!tx | !rx) … ───────────────────────────────────────┐
//! └────────────────────┘└───────────────────────────────────────────────────────────────┘
//!  key bar: b OR⇄AND  t throttle  …  ? help  q quit
//! ```
//! Smaller terminals get the panes that fit ([`arrange`]: `v` brings the hidden ones in);
//! below [`MIN_WIDTH`]×[`MIN_HEIGHT`] a "terminal too small" message. Compare mode and the
//! help overlay have their own files.

pub mod arrange;
pub mod chart;
pub mod code;
pub mod compare;
pub mod counters;
pub mod demo;
pub mod eoi_flow;
pub mod explain;
pub mod fit;
pub mod glossary;
pub mod help;
pub mod lesson;
pub mod markup;
pub mod pane_check;
pub mod ports;
pub mod rows;
pub mod share;
pub mod start;
pub mod status_bar;
mod step_text;
pub mod theme;
pub mod throttle;
pub mod throughput;
pub mod timeline;
pub mod veil;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::app::{App, Lane, Overlay, Page, View, keymap};
use crate::lesson::Pane as LivePane;
use crate::sim::Figure;
use theme::Theme;

/// The smallest terminal the lab draws in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;
/// From this size on, every pane is shown.
pub const FULL_WIDTH: u16 = 120;
pub const FULL_HEIGHT: u16 = 40;
/// From this size on, the main panes are shown (the code pane needs more height).
pub const MEDIUM_WIDTH: u16 = 80;
pub const MEDIUM_HEIGHT: u16 = 24;
/// Free play at the full size: the left column's share of the width, percent, and its
/// bounds (the ports' and counters' lines, the throttle's strips).
pub const LEFT_COLUMN_PERCENT: u16 = 35;
pub const LEFT_COLUMN_MIN: u16 = 42;
pub const LEFT_COLUMN_MAX: u16 = 56;
/// Free play at the full size: the chart's share of the right column's height (a third),
/// and its least height.
pub const CHART_SHARE_DIVISOR: u16 = 3;
pub const CHART_FULL_MIN_HEIGHT: u16 = 12;

/// How much fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Density {
    TooSmall,
    Compact,
    Medium,
    Full,
}

impl Density {
    pub fn of(area: Rect) -> Density {
        let (w, h) = (area.width, area.height);
        if w >= FULL_WIDTH && h >= FULL_HEIGHT {
            Density::Full
        } else if w >= MEDIUM_WIDTH && h >= MEDIUM_HEIGHT {
            Density::Medium
        } else if w >= MIN_WIDTH && h >= MIN_HEIGHT {
            Density::Compact
        } else {
            Density::TooSmall
        }
    }
}

/// The three horizontal bands of every screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Screen {
    pub status: Rect,
    pub body: Rect,
    pub footer: Rect,
}

impl Screen {
    /// The bands for `app` in `area`: the key bar takes two rows when all the hints need
    /// them, from the medium size on.
    pub fn of(app: &App, area: Rect) -> Screen {
        Screen::for_key_bar(app, keymap::Ctx::of(app), area)
    }

    /// The bands for `app` in `area` with the key bar of `ctx` (a demo shows its own keys).
    pub fn for_key_bar(app: &App, ctx: keymap::Ctx, area: Rect) -> Screen {
        let footer_h = if Density::of(area) >= Density::Medium {
            status_bar::rows_needed_in(app, ctx, area.width)
        } else {
            1
        };
        let [status, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(footer_h),
        ])
        .areas(area);
        Screen {
            status,
            body,
            footer,
        }
    }
}

/// Draw the whole lab.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    frame.render_widget(LabView { app, theme }, frame.area());
}

/// The whole screen: the app's state in the theme's styles.
#[derive(Clone, Copy)]
pub struct LabView<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

/// How far the help and the lesson text can scroll on a terminal of `area` (the loop
/// tells the app after drawing, so scrolling stops where the text ends).
pub fn scroll_limits(app: &App, theme: &Theme, area: Rect) -> crate::app::ScrollLimits {
    let body = Screen::of(app, area).body;
    crate::app::ScrollLimits {
        help: match app.overlay {
            Overlay::Glossary => glossary::max_scroll(app, theme, area),
            _ => help::max_scroll(app, theme, area),
        },
        lesson: lesson::max_scroll(app, theme, body),
    }
}

/// A figure over the lane's last virtual second (what the lab's "now" figures show);
/// `None` before any virtual time has passed. dom0's CPU share leaves out the work still
/// to come: counted whole when it starts, it would make a window shorter than the work
/// read over 100% ("105.2% of a vCPU" 2 µs into a run).
pub fn recent(lane: &Lane, f: Figure) -> Option<f64> {
    let w = lane.last_second();
    if w.ns() == 0 {
        return None;
    }
    let v = lane.sim().figure(f, &w, &w.from);
    Some(if f == Figure::Dom0CpuPct {
        let ahead = lane
            .sim()
            .dom0_busy_after_ns(w.to.t_ns)
            .min(w.delta().dom0_busy_ns);
        (v - ahead as f64 / w.ns() as f64 * 100.0).max(0.0)
    } else {
        v
    })
}

/// The spurious share of late EOIs over the last virtual second, percent (`None` when no
/// late EOI was sent in it).
pub fn recent_spurious_pct(lane: &Lane) -> Option<f64> {
    let w = lane.last_second();
    (w.delta().lateeoi_calls > 0).then(|| w.delta().spurious_ratio() * 100.0)
}

impl Widget for LabView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let screen = Screen::of(self.app, area);
        self.render_in(screen, area, buf);
    }
}

impl LabView<'_> {
    /// Draw the lab in `area`, laid out as `screen` says (from [`Screen::of`], or with
    /// another key bar's height).
    pub fn render_in(self, screen: Screen, area: Rect, buf: &mut Buffer) {
        let LabView { app, theme } = self;
        if area == buf.area {
            // The whole frame: straight over the cells, not each looked up by position.
            for cell in &mut buf.content {
                cell.set_style(theme.base);
            }
        } else {
            buf.set_style(area, theme.base);
        }
        let density = Density::of(area);
        if density == Density::TooSmall {
            too_small(area, buf, theme);
            return;
        }
        status_bar::KeyBar { app, theme }.render(screen.footer, buf);
        if let Page::Start { .. } = app.page {
            let s = start::StartScreen { app, theme };
            s.header(screen.status, buf);
            s.render(screen.body, buf);
            overlay(app, theme, area, buf);
            return;
        }
        status_bar::StatusBar { app, theme }.render(screen.status, buf);
        if app.overlay == Overlay::Explain {
            // The rows the panes draw, tagged, for the cursor and its box.
            let ((), rows) = explain::record_rows(|| body(app, theme, density, screen.body, buf));
            explain::ExplainView {
                app,
                theme,
                rows: &rows,
            }
            .render(screen.body, buf);
        } else {
            body(app, theme, density, screen.body, buf);
        }
        overlay(app, theme, area, buf);
    }
}

/// The screen's body: free play, a lesson or compare mode.
fn body(app: &App, theme: &Theme, density: Density, body: Rect, buf: &mut Buffer) {
    match &app.view {
        View::Free => free_play(app, theme, density, body, buf),
        View::Lesson(_) => lesson::render(app, theme, body, buf),
        View::Compare(c) => compare::CompareView {
            app,
            theme,
            b: &c.b,
            knobs: &[c.knob],
            density,
            veil: app.veil(),
        }
        .render(body, buf),
    }
}

/// The open overlay, over the whole screen.
fn overlay(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    match app.overlay {
        // Explain mode's box is drawn with the panes (it needs their rows).
        Overlay::None | Overlay::Explain => {}
        Overlay::Help => help::HelpOverlay { app, theme }.render(area, buf),
        Overlay::Glossary => glossary::GlossaryOverlay { app, theme }.render(area, buf),
        Overlay::Share => share::ShareOverlay { app, theme }.render(area, buf),
    }
}

fn free_play(app: &App, theme: &Theme, density: Density, body: Rect, buf: &mut Buffer) {
    let lane = &app.lane;
    if density != Density::Full {
        let (area, live) = arrange::live(app, &[], |_| body);
        return live.render(lane, &arrange::Look::of(app, theme), area, buf);
    }
    let left_w = percent(body.width, LEFT_COLUMN_PERCENT).clamp(LEFT_COLUMN_MIN, LEFT_COLUMN_MAX);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(body);
    let [p, t, c] = Layout::vertical([
        Constraint::Length(ports::full_height(lane)),
        Constraint::Length(throttle::HEIGHT),
        Constraint::Fill(1),
    ])
    .areas(left);
    let tp_h = (right.height / CHART_SHARE_DIVISOR).max(CHART_FULL_MIN_HEIGHT);
    let [tp, fl, cd] = Layout::vertical([
        Constraint::Length(tp_h),
        Constraint::Fill(1),
        Constraint::Length(code::HEIGHT),
    ])
    .areas(right);
    let look = arrange::Look::of(app, theme);
    for (pane, area) in [
        (LivePane::Ports, p),
        (LivePane::Throttle, t),
        (LivePane::Counters, c),
        (LivePane::Throughput, tp),
        (LivePane::EoiFlow, fl),
        (LivePane::Code, cd),
    ] {
        arrange::render_pane(pane, lane, &look, area, buf);
    }
}

/// `pct` percent of `n`, rounded down (in `u32`: no overflow at any width).
pub fn percent(n: u16, pct: u16) -> u16 {
    (u32::from(n) * u32::from(pct) / 100).min(u32::from(u16::MAX)) as u16
}

fn too_small(area: Rect, buf: &mut Buffer, theme: &Theme) {
    let lines = vec![
        Line::styled(
            format!("terminal too small: need {MIN_WIDTH}x{MIN_HEIGHT}"),
            theme.bad,
        ),
        Line::styled(format!("(now {}x{})", area.width, area.height), theme.dim),
        Line::styled("q quits", theme.dim),
    ];
    let h = (lines.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .centered()
        .render(Rect::new(area.x, y, area.width, h), buf);
}

/// A pane's frame: border and a title.
pub fn pane<'a>(title: impl Into<Line<'a>>, theme: &Theme) -> Pane<'a> {
    Pane {
        title: title.into().style(theme.title),
        bottom: None,
        border: theme.border,
    }
}

/// What `Block::bordered().border_style(border).title(title)` draws, cell for cell (titles
/// left-aligned), without the block's first step: setting its own style, the default one,
/// on every cell of its area, which changes nothing and costs a tenth of a frame. Tested
/// against `Block` in `tests`.
pub struct Pane<'a> {
    title: Line<'a>,
    bottom: Option<Line<'a>>,
    border: Style,
}

impl<'a> Pane<'a> {
    /// A second title, on the bottom border.
    pub fn title_bottom(self, title: impl Into<Line<'a>>) -> Self {
        Pane {
            bottom: Some(title.into()),
            ..self
        }
    }

    /// The area inside the border (`Block::inner`).
    pub fn inner(&self, area: Rect) -> Rect {
        let x = area.x.saturating_add(1).min(area.right());
        let y = area.y.saturating_add(1).min(area.bottom());
        Rect::new(
            x,
            y,
            area.width.saturating_sub(2),
            area.height.saturating_sub(2),
        )
    }
}

impl Widget for Pane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let (left, top) = (area.left(), area.top());
        let (right, bottom) = (area.right() - 1, area.bottom() - 1);
        let set = ratatui::symbols::border::PLAIN;
        // Block's order: the sides, then the corners over them (it decides tiny areas).
        let sides = [
            (left..=left, top..=bottom, set.vertical_left),
            (left..=right, top..=top, set.horizontal_top),
            (right..=right, top..=bottom, set.vertical_right),
            (left..=right, bottom..=bottom, set.horizontal_bottom),
        ];
        for (xs, ys, symbol) in sides {
            for x in xs {
                for y in ys.clone() {
                    buf[(x, y)].set_symbol(symbol).set_style(self.border);
                }
            }
        }
        let corners = [
            (right, bottom, set.bottom_right),
            (right, top, set.top_right),
            (left, bottom, set.bottom_left),
            (left, top, set.top_left),
        ];
        for (x, y, symbol) in corners {
            buf[(x, y)].set_symbol(symbol).set_style(self.border);
        }
        let titles = [(&self.title, top)]
            .into_iter()
            .chain(self.bottom.as_ref().map(|b| (b, bottom)));
        for (title, y) in titles {
            let room = Rect::new(left.saturating_add(1), y, area.width.saturating_sub(2), 1);
            if room.is_empty() {
                continue;
            }
            let plain = plain_width(title);
            let width = plain
                .unwrap_or_else(|| title.width())
                .min(u16::MAX as usize) as u16;
            let area = Rect {
                width: width.min(room.width),
                ..room
            };
            // (`Line::render` cuts an aligned line from the left or both sides.)
            let left_aligned = matches!(title.alignment, None | Some(Alignment::Left));
            if plain.is_some() && left_aligned {
                render_plain_line(title, area, buf);
            } else {
                title.render(area, buf);
            }
        }
    }
}

/// The width of a line made only of `one_cell` chars (its char count), `None` for any
/// other line.
fn plain_width(line: &Line<'_>) -> Option<usize> {
    line.iter().try_fold(0, |n, span| {
        span.content
            .chars()
            .try_fold(n, |n, c| one_cell(c).then_some(n + 1))
    })
}

/// `Line::render` of a left-aligned line of [`one_cell`] chars into `area`, one row, as wide
/// as the line or narrower (the end cut): each cell gets the line's style, then its char
/// and its span's style, as ratatui's grapheme-by-grapheme walk does. Tested in `tests`.
fn render_plain_line(line: &Line<'_>, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let start = buf.index_of(area.x, area.y);
    let cells = &mut buf.content[start..start + usize::from(area.width)];
    let chars = line
        .iter()
        .flat_map(|span| span.content.chars().map(move |c| (c, span.style)));
    for (cell, (c, style)) in cells.iter_mut().zip(chars) {
        cell.set_style(line.style).set_char(c).set_style(style);
    }
}

/// A title made of spans (a name and a figure, …).
pub fn title<'a>(parts: Vec<Span<'a>>) -> Line<'a> {
    let mut v = Vec::with_capacity(parts.len() + 2);
    v.push(Span::raw(" "));
    v.extend(parts);
    v.push(Span::raw(" "));
    Line::from(v)
}

/// `name value` with kernel-name styling, padded so values line up.
pub fn field<'a>(name: &'a str, width: usize, value: String, theme: &Theme) -> Vec<Span<'a>> {
    vec![
        Span::styled(format!("{name:<width$}"), theme.name),
        Span::styled(value, theme.value),
    ]
}

/// Write `lines` top-down into `area`; a line cut at the right edge ends in `…` (and is
/// told to [`record_cuts`], when it listens).
pub fn put_lines(lines: &[Line<'_>], area: Rect, buf: &mut Buffer) {
    let tagging = rows::listening();
    for (line, row) in lines.iter().zip(area.rows()) {
        if tagging {
            rows::note(row, line.iter().map(|s| s.content.as_ref()).collect());
        }
        let (_, width) = put_line(buf, row.x, row.y, line, row.width);
        if row.width > 0
            && width > row.width as usize
            && let Some(cell) = buf.cell_mut((row.right() - 1, row.y))
        {
            cell.set_symbol("…");
            if recording() {
                let text: String = line.iter().map(|s| s.content.as_ref()).collect();
                let mut shown: String = text.chars().take(usize::from(row.width) - 1).collect();
                shown.push('…');
                cut(text, shown, usize::from(row.width));
            }
        }
    }
}

/// A line shown shorter than it is: cut at the right edge of its area by [`put_lines`] (its
/// end reads `…`), or shortened in the middle by [`fit::elide`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    /// The live pane it was drawn in ([`arrange::render_pane`]), if any.
    pub pane: Option<LivePane>,
    /// The whole line, as it reads uncut.
    pub text: String,
    /// What the reader sees of it (`…` where words are missing).
    pub shown: String,
    /// The columns it had.
    pub width: usize,
}

std::thread_local! {
    /// While [`record_cuts`] listens: the live pane being drawn, and the lines cut so far.
    static CUTS: std::cell::RefCell<rows::Heard<Cut>> = const { std::cell::RefCell::new(None) };
}

/// Run `draw` (on this thread) and return what it returned with every line cut meanwhile:
/// what a test asks of a frame to find the lines that lose words, without guessing from
/// the `…` on screen (a line may end in `…` of its own).
pub fn record_cuts<R>(draw: impl FnOnce() -> R) -> (R, Vec<Cut>) {
    rows::listen(&CUTS, draw)
}

/// Draw a live pane, its rows and cut lines told as its own while someone listens.
fn in_pane(pane: LivePane, draw: impl FnOnce()) {
    let rows_before = rows::set_pane(Some(pane));
    let cuts_before = rows::set_pane_of(&CUTS, Some(pane));
    draw();
    rows::set_pane(rows_before);
    rows::set_pane_of(&CUTS, cuts_before);
}

/// Whether [`record_cuts`] listens (so a cut line's words are worth collecting).
fn recording() -> bool {
    rows::heard_pane(&CUTS).is_some()
}

/// Tell a line shown shorter than it is to [`record_cuts`], if it listens.
fn cut(text: String, shown: String, width: usize) {
    rows::tell(&CUTS, |pane| {
        Some(Cut {
            pane,
            text,
            shown,
            width,
        })
    });
}

/// A char that is a grapheme of its own, one cell wide, whatever comes next in text made of
/// such chars: printable ASCII, and the symbols the panes use (box drawing, blocks, braille,
/// arrows, …). Tested against ratatui in `tests`.
fn one_cell(c: char) -> bool {
    matches!(
        c,
        ' '..='~'
            | '\u{2500}'..='\u{259F}'
            | '\u{2800}'..='\u{28FF}'
            | '·'
            | '»'
            | '¼'
            | '×'
            | 'µ'
            | '•'
            | '…'
            | '–'
            | '—'
            | '−'
            | '←'
            | '↑'
            | '→'
            | '↓'
            | '⇄'
            | '≤'
            | '≥'
            | '⊘'
            | '■'
            | '▶'
            | '◀'
            | '✓'
            | '✗'
            | '❚'
    )
}

/// `Buffer::set_line`, cell for cell, each span through [`put_str`]. Returns where
/// `Buffer::set_line` ended (the x after the last cell written) and the line's width
/// (`Line::width`), which a cut line needs.
pub fn put_line(
    buf: &mut Buffer,
    mut x: u16,
    y: u16,
    line: &Line<'_>,
    max_width: u16,
) -> (u16, usize) {
    let mut remaining = max_width;
    let mut width = 0;
    for span in line {
        if remaining == 0 {
            width += plain_len(&span.content).unwrap_or_else(|| span.width());
            continue;
        }
        let style = line.style.patch(span.style);
        let (end, w) = put_str(buf, x, y, &span.content, remaining, style);
        width += w;
        remaining = remaining.saturating_sub(end.saturating_sub(x));
        x = end;
    }
    (x, width)
}

/// `Buffer::set_stringn`, cell for cell, but text made only of `one_cell` chars is
/// written a char a cell: segmenting text into graphemes and measuring each is most of a
/// frame's cost. Returns where `set_stringn` ended (the x after the last cell written,
/// clipped at the buffer's edge as it clips) and the text's width.
pub fn put_str(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    text: &str,
    max_width: u16,
    style: Style,
) -> (u16, usize) {
    let Some(chars) = plain_len(text) else {
        let end = buf.set_stringn(x, y, text, usize::from(max_width), style).0;
        return (end, Span::raw(text).width());
    };
    // Outside the buffer nothing is written.
    let inside = buf.area.contains(ratatui::layout::Position { x, y });
    let room = buf.area.right().saturating_sub(x);
    let n = if inside {
        chars.min(usize::from(max_width)).min(usize::from(room))
    } else {
        0
    };
    if n > 0 {
        let start = buf.index_of(x, y);
        for (cell, c) in buf.content[start..start + n].iter_mut().zip(text.chars()) {
            cell.set_char(c).set_style(style);
        }
    }
    (x + n as u16, chars)
}

/// The number of chars of `text` when all are [`one_cell`] chars (its width then).
#[inline]
fn plain_len(text: &str) -> Option<usize> {
    text.chars()
        .try_fold(0usize, |n, c| one_cell(c).then_some(n + 1))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use ratatui::style::{Color, Modifier, Style};

    use super::*;

    /// What `put_lines` does, with ratatui's own `set_line` (the reference).
    fn put_lines_ratatui(lines: &[Line<'_>], area: Rect, buf: &mut Buffer) {
        for (line, row) in lines.iter().zip(area.rows()) {
            buf.set_line(row.x, row.y, line, row.width);
            if row.width > 0
                && line.width() > row.width as usize
                && let Some(cell) = buf.cell_mut((row.right() - 1, row.y))
            {
                cell.set_symbol("…");
            }
        }
    }

    fn same_as_ratatui(lines: &[Line<'_>], area: Rect) {
        let full = Rect::new(0, 0, 24, 4);
        let mut want = Buffer::empty(full);
        let mut got = Buffer::empty(full);
        put_lines_ratatui(lines, area, &mut want);
        put_lines(lines, area, &mut got);
        assert_eq!(got, want, "{lines:?} in {area:?}");
        for (line, row) in lines.iter().zip(area.rows()) {
            let mut b = Buffer::empty(full);
            assert_eq!(put_line(&mut b, 0, 0, line, 24).1, line.width(), "{line:?}");
            // Where it ends, and each span alone as `set_stringn` (`put_str`).
            let mut want = Buffer::empty(full);
            let end = want.set_line(row.x, row.y, line, row.width).0;
            assert_eq!(
                put_line(&mut b, row.x, row.y, line, row.width).0,
                end,
                "{line:?}"
            );
            for span in line {
                let mut want = Buffer::empty(full);
                let mut got = Buffer::empty(full);
                let (text, style) = (span.content.as_ref(), span.style);
                let end = want
                    .set_stringn(row.x, row.y, text, row.width.into(), style)
                    .0;
                assert_eq!(
                    put_str(&mut got, row.x, row.y, text, row.width, style),
                    (end, span.width())
                );
                assert_eq!(got, want, "{span:?} in {row:?}");
            }
        }
    }

    /// Every char `one_cell` admits is one cell wide and a grapheme of its own, alone, next
    /// to each other and next to a char that is not.
    #[test]
    fn one_cell_chars_write_as_ratatui_does() {
        let chars: Vec<char> = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|&c| one_cell(c))
            .collect();
        assert!(chars.len() > 500);
        let style = Style::new().fg(Color::Red);
        for (i, &c) in chars.iter().enumerate() {
            let next = chars[(i * 7 + 1) % chars.len()];
            let text = format!("{c}{next}{c}\u{301}{c}\u{fe0f}x{c}");
            let line = Line::from(vec![Span::styled(text, style), Span::raw(c.to_string())]);
            same_as_ratatui(&[line], Rect::new(1, 1, 22, 2));
        }
    }

    proptest! {
        /// A pane draws what `Block` draws, and has the same inside.
        #[test]
        fn pane_matches_block(
            x in 0u16..12,
            y in 0u16..6,
            w in 0u16..14,
            h in 0u16..8,
            title in spans(),
            bottom in prop::option::of((spans(), style())),
        ) {
            let theme = Theme::dark();
            let area = Rect::new(x, y, w, h);
            let full = Rect::new(0, 0, 12, 6);
            let mut block = ratatui::widgets::Block::bordered()
                .border_style(theme.border)
                .title(Line::from(title.clone()).style(theme.title));
            let mut p = pane(title, &theme);
            if let Some((b, s)) = bottom {
                block = block.title_bottom(Line::from(b.clone()).style(s));
                p = p.title_bottom(Line::from(b).style(s));
            }
            prop_assert_eq!(p.inner(area), block.inner(area));
            let mut want = Buffer::empty(full);
            let mut got = Buffer::empty(full);
            want.set_style(full, theme.base);
            got.set_style(full, theme.base);
            block.render(area, &mut want);
            p.render(area, &mut got);
            prop_assert_eq!(got, want);
        }
    }

    fn piece() -> impl Strategy<Value = String> {
        let alphabet = prop::sample::select(vec![
            "a", "Z", " ", "~", "─", "│", "█", "⣀", "·", "→", "▶", "…", "×", "\t", "\n", "\r\n",
            "\u{301}", "\u{200d}", "\u{fe0f}", "界", "😀", "🇩🇪", "é", "ﾞ", "\u{7f}",
        ]);
        prop::collection::vec(alphabet, 0..12).prop_map(|v| v.concat())
    }

    /// Spans of [`piece`]s, styled; often only one-cell chars (the titles' plain path).
    fn spans() -> impl Strategy<Value = Vec<Span<'static>>> {
        let plain = prop::sample::select(vec!["a", "Z", " ", "~", "─", "│", "⣀", "·", "→", "…"]);
        let plain = prop::collection::vec(plain, 0..12).prop_map(|v| v.concat());
        let text = prop_oneof![plain, piece()];
        prop::collection::vec((text, style()), 0..4)
            .prop_map(|v| v.into_iter().map(|(t, s)| Span::styled(t, s)).collect())
    }

    proptest! {
        /// A line of one-cell chars: `plain_width` is `Line::width`, and it is drawn as
        /// `Line::render` draws it, whole or cut, anywhere (inside the buffer or not).
        #[test]
        fn plain_line_matches_ratatui(
            spans in spans(),
            line_style in style(),
            x in 0u16..14,
            y in 0u16..4,
            w in 0u16..14,
        ) {
            let line = Line::from(spans).style(line_style);
            let Some(width) = plain_width(&line) else {
                return Ok(());
            };
            prop_assert_eq!(width, line.width());
            let full = Rect::new(0, 0, 12, 3);
            let area = Rect::new(x, y, w.min(width as u16), 1);
            let mut want = Buffer::empty(full);
            let mut got = Buffer::empty(full);
            want.set_style(full, Style::new().fg(Color::White).bg(Color::Black));
            got.set_style(full, Style::new().fg(Color::White).bg(Color::Black));
            (&line).render(area, &mut want);
            render_plain_line(&line, area, &mut got);
            prop_assert_eq!(got, want);
        }
    }

    fn style() -> impl Strategy<Value = Style> {
        prop::sample::select(vec![
            Style::new(),
            Style::new().fg(Color::Green),
            Style::new().bg(Color::Blue).add_modifier(Modifier::BOLD),
            Style::new().remove_modifier(Modifier::BOLD),
        ])
    }

    proptest! {
        /// Any text, cut anywhere: the same cells, styles and `…` as ratatui's `set_line`.
        #[test]
        fn put_lines_matches_ratatui(
            lines in prop::collection::vec(
                (prop::collection::vec((piece(), style()), 0..4), style()),
                0..4,
            ),
            x in 0u16..26,
            y in 0u16..4,
            w in 0u16..26,
            h in 0u16..5,
        ) {
            let lines: Vec<Line> = lines
                .into_iter()
                .map(|(spans, s)| {
                    Line::from(spans.into_iter().map(|(t, st)| Span::styled(t, st)).collect::<Vec<_>>())
                        .style(s)
                })
                .collect();
            let area = Rect::new(x, y, w, h).intersection(Rect::new(0, 0, 24, 4));
            same_as_ratatui(&lines, area);
        }
    }
}

#[cfg(test)]
mod listeners {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::text::Line;

    use super::{LivePane, in_pane, put_lines, record_cuts, rows};

    /// A line cut at its area's edge is told to `record_cuts`, as the pane's own, and its
    /// row to `rows::record`; nested, the inner listener's rows are the outer's too, and
    /// nothing is told once no one listens.
    #[test]
    fn cut_lines_and_rows_reach_their_listeners() {
        let area = Rect::new(0, 0, 10, 1);
        let mut buf = Buffer::empty(area);
        let draw = |buf: &mut Buffer| {
            in_pane(LivePane::Ports, || {
                put_lines(&[Line::raw("a line longer than ten")], area, buf)
            })
        };
        let ((((), inner), cuts), outer) =
            rows::record(|| record_cuts(|| rows::record(|| draw(&mut buf))));
        assert_eq!(cuts.len(), 1, "{cuts:?}");
        assert_eq!(cuts[0].pane, Some(LivePane::Ports));
        assert_eq!(cuts[0].text, "a line longer than ten");
        assert_eq!(cuts[0].shown, "a line lo…");
        assert_eq!(inner.len(), 1);
        assert_eq!(outer, inner);
        let ((), cuts) = record_cuts(|| ());
        assert!(cuts.is_empty());
        draw(&mut buf);
        assert_eq!(record_cuts(|| ()).1, vec![]);
    }
}
