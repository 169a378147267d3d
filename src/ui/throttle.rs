//! Throttle pane: `spurious_cnt` against `spurious_threshold`, the current pause, and a
//! timeline strip with four cells per jiffy, so throttle pauses are visible as blocks.
//!
//! ```text
//! ┌ Throttle · patch 12 on ─────────────────────┐
//! │ spurious_cnt 2  threshold 1                 │
//! │ if spurious: cnt → 3, pause 2 jiffies       │
//! │ paused ██·█████·█████████·██████·█████████  │
//! │ masked ██·█████·█████████·██████·█████████  │
//! │ cell ¼ jiffy (1 ms): █ shut, · open         │
//! │ last second: paused 85% · masked 86%        │
//! └─────────────────────────────────────────────┘
//! ```
//! When `spurious_threshold` is at or above the cap of `spurious_cnt` (10 at HZ 250), the
//! "next spurious EOI" line says that this threshold never throttles.
//!
//! Short form (a wide band, for smaller terminals):
//! ```text
//! ┌ Throttle · patch 12 on ──────────────────────────────────────────────────────┐
//! │ spurious_cnt 2 / threshold 1 · PAUSED 1 jiffy left · eoi_time 1240 (now 1239)│
//! │ ██·█████·█████████·██████·████████████·█████████·███████████·████████████████  │
//! │ late EOIs now: no-op · worker: cnt → 0 · paused 85% (last s)                 │
//! └──────────────────────────────────────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{Lane, Veil};
use crate::sim::{Figure, NextSpurious, plural, spurious_cnt_cap};

use super::theme::Theme;
use super::veil::{ANSWER_FIRST, Shown, hidden, or_hidden};
use super::{pane, put_lines, title};

/// Rows the pane wants (border included).
pub const HEIGHT: u16 = 10;
/// Rows of the short form (a wide band: state, strip, figures).
pub const SHORT_HEIGHT: u16 = 5;

/// Strip levels by the share of the cell the port was shut (paused, or masked): the
/// blocks are the pauses, a full block a cell shut from end to end; a cell never shut is a
/// dot, so the strip shows where nothing happened.
pub const LEVELS: [&str; 9] = ["·", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

pub struct ThrottlePane<'a> {
    pub lane: &'a Lane,
    pub theme: &'a Theme,
    /// What an open question hides.
    pub veil: Veil,
}

/// The state of the throttle for the port most affected, as one line.
pub fn pause_line<'a>(lane: &Lane, theme: &Theme, veil: Veil) -> Line<'a> {
    pause_line_with(lane, theme, true, veil)
}

/// [`pause_line`], with or without the current jiffies.
pub fn pause_line_with<'a>(lane: &Lane, theme: &Theme, with_now: bool, veil: Veil) -> Line<'a> {
    let sim = lane.sim();
    let cfg = sim.config();
    if !cfg.lateeoi {
        return Line::styled(" late EOI off: nothing is ever paused", theme.dim);
    }
    if hidden(veil, Shown::PauseLine) {
        return Line::styled(format!(" pause: {ANSWER_FIRST}"), theme.dim);
    }
    let now = sim.jiffies();
    let paused = lane
        .sim()
        .ports()
        .filter(|p| p.on_eoi_list)
        .max_by_key(|p| p.eoi_time);
    match paused {
        Some(p) => {
            let left = p.eoi_time.saturating_sub(now);
            Line::from(vec![
                Span::styled(" PAUSED", theme.bad),
                Span::styled(
                    format!(
                        " {left} {} left · eoi_time {}{}",
                        plural(left, "jiffy", "jiffies"),
                        p.eoi_time,
                        if with_now && !hidden(veil, Shown::Clock) {
                            format!(" (now {now})")
                        } else {
                            String::new()
                        }
                    ),
                    theme.text,
                ),
            ])
        }
        None => {
            let masked = sim.ports().any(|p| p.masked);
            if masked {
                Line::styled(" no pause · masked, EOI pending", theme.warn)
            } else {
                Line::styled(" no pause · port open", theme.good)
            }
        }
    }
}

/// What the next spurious late EOI would do, from the sim's own preview (for the port most
/// affected: the one on the delayed list, else the one with the highest `spurious_cnt`).
pub fn next_spurious_line(lane: &Lane, veil: Veil) -> String {
    let sim = lane.sim();
    let set = sim.late_eoi_settings();
    if sim.config().lateeoi && set.throttle && set.never_throttles() {
        return never_throttles_note(lane);
    }
    if sim.config().lateeoi && set.throttle && hidden(veil, Shown::NextSpurious) {
        return format!(" if spurious: {ANSWER_FIRST}");
    }
    let port = sim
        .ports()
        .max_by_key(|p| (p.on_eoi_list, p.spurious_cnt))
        .map_or(sim.first_port(), |p| p.port);
    match sim.next_spurious(port) {
        None => " late EOI off: no EOI, nothing counted".to_string(),
        Some(NextSpurious::Queued { .. }) => " late EOIs now: no-op · worker: cnt → 0".to_string(),
        Some(NextSpurious::Counted) => " throttle off: never delayed".to_string(),
        // The next spurious late EOI's effect, short enough for the narrow pane.
        Some(NextSpurious::NoPause { cnt }) => format!(" if spurious: cnt → {cnt}, no pause"),
        Some(NextSpurious::Pause { cnt, jiffies }) => format!(
            " if spurious: cnt → {cnt}, pause {jiffies} {}",
            plural(jiffies, "jiffy", "jiffies")
        ),
    }
}

/// Why a high `spurious_threshold` turns the throttle off in effect: `spurious_cnt` stops at
/// its cap (10 at HZ 250) and can never exceed the threshold. Short: it fits the narrow pane.
pub fn never_throttles_note(lane: &Lane) -> String {
    let hz = lane.sim().config().hz;
    format!(" cnt stops at {}: never throttles", spurious_cnt_cap(hz))
}

/// `1`, or `0 (= 1)`: the kernel reads a threshold of 0 as 1.
fn threshold_words(t: u32) -> String {
    if t == 0 {
        "0 (= 1)".to_string()
    } else {
        t.to_string()
    }
}

/// What a timeline strip shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StripKind {
    /// Throttle pauses (on the delayed-EOI list): the gaps the story is about.
    Paused,
    /// Any masking, including the normal wait for NAPI's or the kthread's EOI.
    Masked,
}

/// One strip of `width` cells, newest at the right. A cell's height is the share of its
/// time the port was paused (or masked): the blocks are the pauses, dots the open time.
pub fn strip<'a>(
    lane: &Lane,
    width: usize,
    theme: &Theme,
    kind: StripKind,
    veil: Veil,
) -> Line<'a> {
    let shown = match kind {
        StripKind::Paused => Shown::PausedStrip,
        StripKind::Masked => Shown::MaskedStrip,
    };
    if hidden(veil, shown) {
        return Line::styled(ANSWER_FIRST, theme.dim);
    }
    let cells = lane.cells();
    let n = cells.len().min(width);
    let mut spans = Vec::with_capacity(n + 1);
    if n < width {
        spans.push(Span::styled(" ".repeat(width - n), theme.dim));
    }
    for c in cells.skip(lane.cells().len() - n) {
        let shut = match kind {
            StripKind::Paused => c.paused,
            StripKind::Masked => c.masked,
        };
        // Any shut time shows (a sliver is not rounded to the open dot).
        let level = (u32::from(shut) * 8).div_ceil(255) as usize;
        let style = if c.paused >= 128 {
            theme.strip_paused
        } else if shut >= 128 {
            theme.warn
        } else {
            theme.strip_open
        };
        spans.push(Span::styled(LEVELS[level.min(8)], style));
    }
    Line::from(spans)
}

/// The time one strip cell covers, in words.
fn cell_label(lane: &Lane) -> String {
    let ns = lane.cell_ns();
    if ns >= 1_000_000 && ns.is_multiple_of(1_000_000) {
        format!("{} ms", ns / 1_000_000)
    } else {
        format!("{} µs", ns / 1_000)
    }
}

/// Inside rows from which the full form is drawn (fewer: the short band).
const FULL_MIN_INNER_HEIGHT: u16 = 6;
/// The full form's strip labels' width (` paused `, ` masked `).
const STRIP_LABEL_WIDTH: usize = 8;

impl Widget for ThrottlePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let throttle = self.lane.sim().config().throttle;
        let on = if throttle { "on" } else { "off" };
        let block = pane(
            title(vec![
                Span::raw("Throttle · patch 12 "),
                Span::styled(on, if throttle { t.title } else { t.warn }),
            ]),
            t,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height < FULL_MIN_INNER_HEIGHT {
            self.short_form(inner, buf);
        } else {
            self.full_form(inner, buf);
        }
    }
}

impl ThrottlePane<'_> {
    /// The largest `spurious_cnt` of the ports, styled: bad above the threshold.
    fn cnt(&self) -> Span<'static> {
        let (t, v) = (self.theme, self.veil);
        let sim = self.lane.sim();
        let cnt = sim.ports().map(|p| p.spurious_cnt).max().unwrap_or(0);
        let thr = sim.late_eoi_settings().effective_threshold();
        let style = if hidden(v, Shown::SpuriousCnt) {
            t.dim
        } else if u32::from(cnt) > thr {
            t.bad
        } else {
            t.value
        };
        Span::styled(or_hidden(v, Shown::SpuriousCnt, cnt.to_string()), style)
    }

    /// The configured threshold, in words.
    fn threshold(&self) -> Span<'static> {
        let cfg = self.lane.sim().config();
        Span::styled(threshold_words(cfg.spurious_threshold), self.theme.value)
    }

    /// Whether the threshold is at or above `spurious_cnt`'s cap (throttling never starts).
    fn never(&self) -> bool {
        let sim = self.lane.sim();
        let set = sim.late_eoi_settings();
        sim.config().lateeoi && set.throttle && set.never_throttles()
    }

    /// The share paused over the last second (`masked`, `paused`), when measured.
    fn masked_paused(&self) -> Option<(f64, f64)> {
        super::recent(self.lane, Figure::MaskedPct).zip(super::recent(self.lane, Figure::PausedPct))
    }

    /// A share paused, bad from 10%.
    fn paused_span(&self, p: f64) -> Span<'static> {
        let t = self.theme;
        if hidden(self.veil, Shown::PausedShare) {
            Span::styled(super::veil::HIDDEN, t.dim)
        } else {
            Span::styled(format!("{p:.0}%"), if p >= 10.0 { t.bad } else { t.value })
        }
    }

    /// The strip's width in `inner` (a column kept free each side).
    fn strip_width(inner: Rect) -> usize {
        inner.width.saturating_sub(2) as usize
    }

    /// The short band: state on one line, the strip, figures and counters.
    fn short_form(&self, inner: Rect, buf: &mut Buffer) {
        let (t, v) = (self.theme, self.veil);
        let w = usize::from(inner.width);
        let fits = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>() <= w;
        let mut first = vec![
            Span::styled(" spurious_cnt ", t.name),
            self.cnt(),
            Span::styled(" / threshold ", t.name),
            self.threshold(),
            Span::raw(" ·"),
        ];
        if self.never() {
            first.push(Span::styled(never_throttles_note(self.lane), t.warn));
        } else {
            // The current jiffy ("now 5") goes first where the row is short.
            let with_now = pause_line(self.lane, t, v).spans;
            let mut whole = first.clone();
            whole.extend(with_now);
            first = if fits(&whole) {
                whole
            } else {
                first.extend(pause_line_with(self.lane, t, false, v).spans);
                first
            };
        }
        let mut s = strip(self.lane, Self::strip_width(inner), t, StripKind::Paused, v);
        s.spans.insert(0, Span::raw(" "));
        // What the next spurious EOI would do (the law at work), then the share paused.
        let mut last = vec![Span::styled(next_spurious_line(self.lane, v), t.text)];
        let cfg = self.lane.sim().config();
        if cfg.lateeoi && !cfg.throttle {
            // No counters without patch 12: what netback flagged, named as such.
            let d = super::counters::device_counters(self.lane);
            last.push(Span::styled(" · would be spurious ", t.name));
            last.push(Span::styled(
                or_hidden(v, Shown::SpuriousEvents, d.spurious_events.to_string()),
                t.value,
            ));
        }
        if let Some((_, p)) = self.masked_paused() {
            last.push(Span::styled(" · paused ", t.name));
            last.push(self.paused_span(p));
            last.push(Span::styled(" (last s)", t.dim));
            if !fits(&last) {
                last.pop();
            }
        }
        put_lines(&[Line::from(first), s, Line::from(last)], inner, buf);
    }

    /// The full form: the counter, the jiffies, the pause, the next spurious EOI, both
    /// strips, their legend and the shares over the last second.
    fn full_form(&self, inner: Rect, buf: &mut Buffer) {
        let (t, v) = (self.theme, self.veil);
        let sim = self.lane.sim();
        let cfg = sim.config();
        let mut lines = Vec::with_capacity(8);
        lines.push(Line::from(vec![
            Span::styled(" spurious_cnt ", t.name),
            self.cnt(),
            Span::styled("  threshold ", t.name),
            self.threshold(),
        ]));
        lines.push(Line::from(vec![
            Span::styled(" jiffies ", t.name),
            Span::styled(
                or_hidden(v, Shown::Clock, sim.jiffies().to_string()),
                t.value,
            ),
            Span::styled(
                format!(" (HZ {}: 1 jiffy = {} ms)", cfg.hz, 1000 / cfg.hz.max(1)),
                t.dim,
            ),
        ]));
        lines.push(pause_line_with(self.lane, t, false, v));
        let next_style = if self.never() { t.warn } else { t.dim };
        lines.push(Line::styled(next_spurious_line(self.lane, v), next_style));
        let w = Self::strip_width(inner).saturating_sub(STRIP_LABEL_WIDTH);
        for (label, kind) in [("paused", StripKind::Paused), ("masked", StripKind::Masked)] {
            let mut s = strip(self.lane, w, t, kind, v);
            let label = format!(" {label:<width$}", width = STRIP_LABEL_WIDTH - 1);
            s.spans.insert(0, Span::styled(label, t.name));
            lines.push(s);
        }
        lines.push(Line::styled(
            format!(" cell ¼ jiffy ({}): █ shut, · open", cell_label(self.lane)),
            t.dim,
        ));
        if let Some((m, p)) = self.masked_paused() {
            lines.push(Line::from(vec![
                Span::styled(" last second: paused ", t.name),
                self.paused_span(p),
                Span::styled(" · masked ", t.name),
                Span::styled(
                    or_hidden(v, Shown::MaskedShare, format!("{m:.0}%")),
                    t.value,
                ),
            ]));
        }
        put_lines(&lines, inner, buf);
    }
}
