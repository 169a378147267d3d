//! Status bar (top row) and key bar (bottom row).
//!
//! ```text
//!  evtchn-lab  guest freebsd  dir tx  netback OR (!tx | !rx)  throttle on  late EOI on  HZ 250 …  t 1.234567s  1×  ▶ running
//!  b OR⇄AND  t throttle  l late EOI  g guest  d direction  [ ] threshold  space pause  …  ? help  q quit
//! ```
//! Narrower terminals get shorter forms; when even the shortest does not fit, whole
//! segments are left out (the time first, then the speed, the knobs, a HZ or an ABI other
//! than the default, the run state last), never cut mid-word.
//! The knobs in the status bar are clickable; [`hit`] maps a click to the same message as
//! the knob's key, using the same layout as the drawing. The key bar is generated from the
//! key map table, so it always shows the real bindings.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::keymap::{self, Cmd, Ctx};
use crate::app::narrate::time_stamp;
use crate::app::speed::factor_label;
use crate::app::{App, RunState};
use crate::lesson::Unlock;
use crate::sim::knob::{Bar, KNOBS, KnobRow};
use crate::sim::{Config, NetbackVariant, Setting, on_off};

use super::Screen;
use super::theme::Theme;

/// One piece of the status bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Seg {
    pub text: String,
    pub style: Style,
    /// What a click means (knobs only): the same command as the knob's key.
    pub cmd: Option<Cmd>,
    /// A knob's value unlike the story's that the bar keeps to the last (a HZ or an ABI
    /// other than the default).
    pub unusual: bool,
}

/// Verbosity levels of the status bar, tried from the most verbose until one fits.
const LEVELS: u8 = 5;

/// The netback knob's text at a verbosity level.
fn netback_text(v: NetbackVariant, level: u8) -> String {
    match level {
        0 => Setting::Netback(v).words(),
        1..=3 => format!("netback {}", v.operator()),
        _ => v.operator().to_string(),
    }
}

/// The knobs' segments at a verbosity level, one per knob the knob table shows, in its
/// order.
fn knobs(app: &App, t: &Theme, level: u8) -> Vec<Seg> {
    let a: Config = *app.lane.config();
    let b: Option<Config> = app.lane_b().map(|l| *l.config());
    let diff = app.compare_knob();
    let mut v = Vec::with_capacity(8);
    for row in KNOBS {
        let k = row.knob;
        let other = b.filter(|_| diff == Some(k)).map(|c| k.get(&c));
        let Some(text) = knob_text(row, k.get(&a), other, level) else {
            continue;
        };
        let (style, unusual) = match (row.bar, k.get(&a)) {
            (Bar::Netback, Setting::Netback(nb)) if other.is_none() => (
                if nb.is_sound() {
                    t.knob_good
                } else {
                    t.knob_bad
                },
                false,
            ),
            (Bar::UnlessDefault, _) => (t.knob, true),
            (Bar::Figure { unusual }, now) => {
                (t.status, unusual && now != k.get(&Config::default()))
            }
            _ => (t.knob, false),
        };
        if matches!(row.bar, Bar::Figure { .. }) {
            v.push(Seg {
                text,
                style,
                cmd: None,
                unusual,
            });
            continue;
        }
        // A knob the lesson step keeps locked reads "⊘ throttle on", dimmed.
        let open = app.unlocked(Unlock::Knob(k));
        v.push(Seg {
            text: if open { text } else { format!("⊘ {text}") },
            style: if open { style } else { t.status.patch(t.dim) },
            cmd: Some(Cmd::Toggle(k)),
            unusual,
        });
    }
    v
}

/// A knob's text in the status bar at a verbosity level, as its row's [`Bar`] says;
/// `other`: lane B's value when compare mode sets this knob apart. `None`: not shown.
fn knob_text(row: &KnobRow, now: Setting, other: Option<Setting>, level: u8) -> Option<String> {
    let k = row.knob;
    let short = level >= 4;
    let usual = k.get(&Config::default());
    Some(match (row.bar, now, other) {
        (Bar::Kind, now, _) if level == 0 => format!("{} {}", k.short_label(), now.value_text()),
        (Bar::Kind, now, _) => now.value_text(),
        (Bar::Netback, Setting::Netback(a), Some(Setting::Netback(b))) => {
            format!("netback A:{} B:{}", a.operator(), b.operator())
        }
        (Bar::Netback, Setting::Netback(a), _) => netback_text(a, level),
        (Bar::Switch, now, other) => {
            let n = if short { k.short_label() } else { k.label() };
            let on = on_off(now.as_switch()?);
            match other.and_then(Setting::as_switch) {
                Some(o) => format!("{n} A:{on} B:{}", on_off(o)),
                None => format!("{n} {on}"),
            }
        }
        // The ABI only when it is not the default: the story's bar has no room to spare.
        (Bar::UnlessDefault, now, _) if now != usual => {
            let v = match now {
                Setting::Abi(abi) => abi.label().to_string(),
                s => s.value_text(),
            };
            if short {
                v
            } else {
                format!("{} {v}", k.short_label())
            }
        }
        // HZ at every level when it is not the default (it changes every figure).
        (Bar::Figure { unusual }, now, _) if level < 2 || (unusual && now != usual) => {
            format!("{} {}", k.short_label(), now.value_text())
        }
        _ => return None,
    })
}

fn clock(app: &App, t: &Theme, level: u8) -> Vec<Seg> {
    let sim = app.lane.sim();
    let mut speed = if app.pace == 1.0 {
        app.speed.label().to_string()
    } else {
        factor_label(app.speed.factor() * app.pace)
    };
    if let Some(e) = app.lagging_speed() {
        speed = format!("{speed}, sim keeps up: {}", factor_label(e));
    }
    let (mut state, style) = match app.run {
        RunState::Running => ("▶ running".to_string(), t.running),
        RunState::Paused => ("■ PAUSED".to_string(), t.paused),
        RunState::Quit => ("quitting".to_string(), t.status),
    };
    // `.` shows one event's transitions one at a time: say which one is on screen.
    if let Some((i, n)) = app.lane.stepping() {
        state = if level < 2 {
            format!("{state} · transition {i}/{n}")
        } else {
            format!("{state} · {i}/{n}")
        };
    }
    let seg = |text: String, style: Style| Seg {
        text,
        style,
        cmd: None,
        unusual: false,
    };
    let now = sim.now_ns();
    let mut v = Vec::with_capacity(4);
    if super::veil::hidden(app.veil(), super::veil::Shown::Clock) {
        // An open question veils the virtual time.
        v.push(seg(format!("t {}", super::veil::HIDDEN), t.status));
    } else if level < 2 {
        v.push(seg(format!("t {}", time_stamp(now)), t.status));
    } else {
        let ms = now / 1_000_000;
        v.push(seg(format!("t {}.{:03}s", ms / 1000, ms % 1000), t.status));
    }
    v.push(seg(speed, t.status));
    v.push(seg(state, style));
    v
}

/// Columns a run of segments takes: each is padded by a space on both sides.
fn width(segs: &[Seg]) -> usize {
    segs.iter()
        .map(|s| Span::raw(s.text.as_str()).width() + 2)
        .sum()
}

/// The segments with their x positions, laid out for `area` (the same for drawing and
/// for clicks).
pub fn layout(app: &App, theme: &Theme, area: Rect) -> Vec<(Rect, Seg)> {
    let w = area.width as usize;
    let title = Seg {
        text: "evtchn-lab".into(),
        style: theme.title,
        cmd: None,
        unusual: false,
    };
    let mut left = Vec::new();
    let mut right = Vec::new();
    for level in 0..LEVELS {
        left = if level < 3 {
            vec![title.clone()]
        } else {
            vec![]
        };
        left.extend(knobs(app, theme, level));
        right = clock(app, theme, level);
        if width(&left) + 1 + width(&right) <= w {
            break;
        }
    }
    // Still too wide (a lesson's locked knobs read "⊘ …"; a demo's caption shares the row):
    // drop whole segments, never cut one. The clock goes first, from the front (time, then
    // speed), so the run state ("■ PAUSED" when a goal stops the lab) stays; then knobs
    // from the end, a HZ or an ABI that is not the default last of all (what makes this
    // run unlike the story's).
    while width(&left) + 1 + width(&right) > w && right.len() > 1 {
        right.remove(0);
    }
    while width(&left) + 1 + width(&right) > w && !left.is_empty() {
        let i = left.iter().rposition(|s| !s.unusual);
        left.remove(i.unwrap_or(left.len() - 1));
    }
    let mut out = Vec::with_capacity(left.len() + right.len());
    let end = area.right();
    let mut place = |x: &mut u16, s: Seg| {
        if *x >= end {
            return;
        }
        let sw = (Span::raw(s.text.as_str()).width() as u16)
            .saturating_add(2)
            .min(end - *x);
        out.push((Rect::new(*x, area.y, sw, 1), s));
        *x = x.saturating_add(sw);
    };
    let mut x = area.x;
    for s in left {
        place(&mut x, s);
    }
    let mut rx = end
        .saturating_sub(width(&right) as u16)
        .max(x.saturating_add(1));
    for s in right {
        place(&mut rx, s);
    }
    out
}

/// What a click at (`column`, `row`) of a terminal of `size` means, if it hit a knob:
/// the same command as the knob's key (the loop resolves it through the key map).
pub fn hit(app: &App, size: Rect, column: u16, row: u16) -> Option<Cmd> {
    if super::Density::of(size) == super::Density::TooSmall {
        return None;
    }
    let status = Screen::of(app, size).status;
    if row != status.y {
        return None;
    }
    // The theme does not move anything: any theme gives the same layout.
    layout(app, &Theme::no_color(), status)
        .into_iter()
        .find(|(r, _)| column >= r.x && column < r.right())
        .and_then(|(_, s)| s.cmd)
}

pub struct StatusBar<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        buf.set_style(area, self.theme.status);
        for (r, s) in layout(self.app, self.theme, area) {
            let style = self.theme.status.patch(s.style);
            super::put_str(buf, r.x, r.y, &format!(" {} ", s.text), r.width, style);
        }
    }
}

/// The key bar's hints for `ctx`, as (key, label) spans.
fn hints(app: &App, ctx: Ctx, t: &Theme, max_rank: u8) -> Vec<Vec<Span<'static>>> {
    // The digits only while a question waits for its answer, and as far as its choices
    // go ("1-3"), not the table's "1-5".
    let quiz = app
        .current_lesson()
        .and_then(|(l, i)| l.steps[i].quiz_choices());
    let choices = quiz.filter(|_| app.lesson_run().is_some_and(|r| !r.state.met));
    keymap::bindings(ctx)
        .filter(|b| b.footer_rank <= max_rank)
        // A lesson's locked keys are listed in the help, not here.
        .filter(|b| b.keys[0].1.needs().is_none_or(|u| app.unlocked(u)))
        .filter(|b| match b.keys[0].1 {
            Cmd::Do(crate::app::Msg::Answer(_)) => choices.is_some(),
            // A question has no hints and no solution: the prediction is the point.
            Cmd::Do(crate::app::Msg::Hint | crate::app::Msg::ShowSolution) => quiz.is_none(),
            _ => true,
        })
        .map(|b| {
            let shown = match (b.keys[0].1, choices) {
                (Cmd::Do(crate::app::Msg::Answer(_)), Some(n)) => format!(" 1-{n} "),
                _ => format!(" {} ", b.shown),
            };
            vec![
                Span::styled(shown, t.key),
                Span::styled(format!(" {} ", b.label), t.key_label),
            ]
        })
        .collect()
}

fn hints_width(h: &[Vec<Span>]) -> usize {
    h.iter().flatten().map(Span::width).sum()
}

/// Rows the key bar needs to show every hint in `width` columns (1 or 2).
pub fn rows_needed(app: &App, width: u16) -> u16 {
    rows_needed_in(app, Ctx::of(app), width)
}

/// Rows the key bar of `ctx` needs to show every hint in `width` columns (1 or 2).
pub fn rows_needed_in(app: &App, ctx: Ctx, width: u16) -> u16 {
    let notice = app.notice.as_ref().map_or(0, |n| n.chars().count() + 4);
    let legend = hints_width(locked_legend(app, &Theme::no_color()).as_slice());
    let notice = notice + legend;
    let all = hints(app, ctx, &Theme::no_color(), u8::MAX);
    if hints_width(&all) + notice <= width as usize {
        1
    } else {
        2
    }
}

/// The key bar: hints from the key map for the current context, wrapped over its rows; the
/// least important drop first when they do not fit. A notice about the last action first.
pub struct KeyBar<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

impl Widget for KeyBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let ctx = Ctx::of(self.app);
        KeyBarIn {
            app: self.app,
            theme: self.theme,
            ctx,
        }
        .render(area, buf);
    }
}

/// The key bar with the hints of a given context (a demo shows its own keys over the lab
/// it plays); the app's notice first, as in [`KeyBar`].
pub struct KeyBarIn<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    pub ctx: Ctx,
}

impl Widget for KeyBarIn<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let w = area.width as usize;
        let rows = area.height as usize;
        if w == 0 || rows == 0 {
            return;
        }
        let mut items: Vec<Vec<Span>> = Vec::with_capacity(20);
        if let Some(n) = &self.app.notice {
            items.extend(notice_rows(n, t, w, rows));
        }
        items.extend(locked_legend(self.app, t));
        // Fewer hints until they fit in the rows (packing each row greedily).
        let fits = |items: &[Vec<Span>]| {
            let (mut row, mut used) = (1, 0);
            for it in items {
                let iw: usize = it.iter().map(Span::width).sum();
                if used + iw > w && used > 0 {
                    row += 1;
                    used = 0;
                }
                used += iw;
            }
            row <= rows
        };
        let max = KEYMAP_MAX_RANK;
        let mut chosen = Vec::new();
        for rank in (0..=max).rev() {
            let mut all = items.clone();
            all.extend(hints(self.app, self.ctx, t, rank));
            if fits(&all) || rank == 0 {
                chosen = all;
                break;
            }
        }
        let (mut x, mut y) = (area.x, area.y);
        for it in chosen {
            let iw: u16 = it.iter().map(|s| s.width() as u16).sum();
            if x > area.x && x.saturating_add(iw) > area.right() {
                y += 1;
                x = area.x;
            }
            if y >= area.bottom() {
                break;
            }
            let line = Line::from(it);
            x = super::put_line(buf, x, y, &line, area.right() - x).0;
        }
    }
}

/// What the status bar's `⊘` means, in the key bar whenever a knob wears it (never
/// dropped for a hint: the mark is on screen, so is its meaning).
fn locked_legend(app: &App, t: &Theme) -> Option<Vec<Span<'static>>> {
    knobs(app, t, 0)
        .iter()
        .any(|s| s.text.starts_with('⊘'))
        .then(|| {
            vec![
                Span::styled(" ⊘ ", t.key),
                Span::styled(" locked in this step ", t.key_label),
            ]
        })
}

/// The notice as key-bar items: one when it fits the row; else word-wrapped over the bar's
/// rows (a row each, the hints after it if room is left), and cut with "…" on the last
/// row only when even they are too few (a moved progress file's path).
fn notice_rows(n: &str, t: &Theme, w: usize, rows: usize) -> Vec<Vec<Span<'static>>> {
    let one = format!(" » {n} ");
    if Span::raw(one.as_str()).width() <= w || w < 8 {
        return vec![vec![Span::styled(one, t.notice)]];
    }
    let text = [(format!("» {n}"), t.notice)];
    let mut lines = super::markup::wrap(&text, w - 2, 2);
    if lines.len() > rows {
        // Room for " …" on every row, then the rows there are.
        lines = super::markup::wrap(&text, w - 4, 2);
        lines.truncate(rows);
        if let Some(last) = lines.last_mut() {
            last.spans.push(Span::styled(" …", t.notice));
        }
    }
    lines
        .into_iter()
        .map(|l| {
            let mut item = Vec::with_capacity(l.spans.len() + 2);
            item.push(Span::styled(" ", t.notice));
            item.extend(l.spans);
            item.push(Span::styled(" ", t.notice));
            item
        })
        .collect()
}

/// The largest footer rank in the key map.
const KEYMAP_MAX_RANK: u8 = 9;
