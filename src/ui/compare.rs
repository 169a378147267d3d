//! Compare mode (`c`): two lanes, same seed, one knob different (default: OR vs AND),
//! side by side under one shared throughput chart.
//!
//! ```text
//! ┌ Throughput ── A goodput 549 Mbit/s   B goodput 2160 Mbit/s   B/A 3.93× ──────┐
//! │ ⠉⠉⠉ A (braille)  • B (dots)                                                 │
//! └──────────────────────────────────────────────────────────────────────────────┘
//! ┌ A · netback OR (!tx | !rx) ─────────┐┌ B · netback AND (!tx && !rx) ─────────┐
//! │ goodput 549 Mbit/s · dom0 CPU 17%   ││ goodput 2160 Mbit/s · dom0 CPU 60%    │
//! │     5 [1/1/0] spurious_cnt 2        ││     5 [0/0/0] spurious_cnt 0          │
//! │ PAUSED: port 5 masked, 1 jiffy left ││ no pause · port open                  │
//! │ ▁▁█▁▁▁▁█▁▁▁▁▁▁                      ││ ██████████████                        │
//! │ spurious 100% · paused 85% (last s) ││ spurious 0% · paused 0% (last s)      │
//! │ events … · spurious_events …        ││ events … · spurious_events …          │
//! │ jiffies_eoi_delayed …               ││ jiffies_eoi_delayed …                 │
//! │ if (!tx | !rx) {                    ││ if (!tx && !rx) {                     │
//! │ port 5: handler found TX work, no … ││ port 5: handler found TX work, no …   │
//! └─────────────────────────────────────┘└──────────── 5 panes hidden · v shows ┘
//! ```
//! `v` brings the full panes in, one at a time, for both lanes: between the chart and the
//! lane columns, A on the left.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{App, Lane, Veil};
use crate::lesson::Pane;
use crate::sim::{Figure, Knob};

use super::code::condition_spans;
use super::counters::{counted, since_words};
use super::eoi_flow::log_line;
use super::theme::Theme;
use super::throttle::{StripKind, pause_line, strip};
use super::throughput::{ThroughputPane, goodput_text};
use super::veil::{Shown, hidden, or_hidden};
use super::{Density, arrange, pane, put_lines, title};

pub struct CompareView<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    pub b: &'a Lane,
    /// The knobs that differ between the lanes (compare mode's one; a lesson step's).
    pub knobs: &'a [Knob],
    /// How much the whole terminal fits.
    pub density: Density,
    /// What an open question hides (`App::veil`).
    pub veil: Veil,
}

/// The lane's values of the knobs that differ: "netback OR (!tx | !rx)", "throttle off",
/// "hz 1000".
pub fn knob_value(lane: &Lane, knobs: &[Knob]) -> String {
    let c = lane.config();
    let words: Vec<String> = knobs.iter().map(|k| k.get(c).words()).collect();
    words.join(", ")
}

struct LaneColumn<'a> {
    lane: &'a Lane,
    label: &'a str,
    knobs: &'a [Knob],
    theme: &'a Theme,
    veil: Veil,
    whole_run: bool,
}

impl LaneColumn<'_> {
    /// The shares of the last second, then the counters, since when they count where it
    /// fits in `width`.
    fn count_lines(&self, width: u16) -> [Line<'static>; 3] {
        let (lane, v, t) = (self.lane, self.veil, self.theme);
        let paused = super::recent(lane, Figure::PausedPct)
            .map_or_else(|| "—".into(), |p| format!("{p:.0}%"));
        let paused = or_hidden(v, Shown::PausedShare, paused);
        let spur =
            super::recent_spurious_pct(lane).map_or_else(|| "—".into(), |p| format!("{p:.0}%"));
        let spur = or_hidden(v, Shown::SpuriousShare, spur);
        let (d, _) = counted(lane, self.whole_run);
        let delayed = or_hidden(
            v,
            Shown::JiffiesEoiDelayed,
            d.jiffies_eoi_delayed.to_string(),
        );
        // The same room in both lanes: what a count of up to 7 digits leaves.
        let room = usize::from(width).saturating_sub(24 + 7);
        let since = since_words(lane, self.whole_run, v, room);
        let since = if since.chars().count() <= room {
            format!(" · {since}")
        } else {
            String::new()
        };
        [
            Line::from(vec![
                Span::styled(" spurious ", t.name),
                Span::styled(spur, t.value),
                Span::styled(" · paused ", t.name),
                Span::styled(paused, t.value),
                Span::styled(" (last s)", t.dim),
            ]),
            Line::from(vec![
                Span::styled(" events ", t.name),
                Span::styled(or_hidden(v, Shown::Events, d.events.to_string()), t.value),
                Span::styled(" · spurious_events ", t.name),
                Span::styled(
                    or_hidden(v, Shown::SpuriousEvents, d.spurious_events.to_string()),
                    t.value,
                ),
            ]),
            Line::from(vec![
                Span::styled(" jiffies_eoi_delayed ", t.name),
                Span::styled(delayed, t.value),
                Span::styled(since, t.dim),
            ]),
        ]
    }
}

impl Widget for LaneColumn<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let (lane, v) = (self.lane, self.veil);
        let block = pane(
            title(vec![
                Span::styled(self.label, t.title),
                Span::raw(" · "),
                Span::raw(knob_value(lane, self.knobs)),
            ]),
            t,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
        let cpu = super::recent(lane, Figure::Dom0CpuPct)
            .map_or_else(|| "—".into(), |c| format!("{c:.0}%"));
        let cpu = or_hidden(v, Shown::Dom0Cpu, cpu);
        lines.push(Line::from(vec![
            Span::raw(" "),
            Span::styled(goodput_text(lane, v), t.figure),
            Span::styled(" · dom0 CPU ", t.name),
            Span::styled(cpu, t.value),
        ]));
        for p in lane.ports() {
            let mut spans = super::ports::port_bits(&p, lane.flash().port(p.port), t, v);
            spans.push(Span::styled(" spurious_cnt ", t.name));
            spans.push(Span::styled(
                or_hidden(v, Shown::SpuriousCnt, p.spurious_cnt.to_string()),
                match p.spurious_cnt {
                    _ if hidden(v, Shown::SpuriousCnt) => t.dim,
                    0 => t.value,
                    _ => t.bad,
                },
            ));
            lines.push(Line::from(spans));
        }
        lines.push(pause_line(lane, t, v));
        let mut s = strip(
            lane,
            inner.width.saturating_sub(2) as usize,
            t,
            StripKind::Paused,
            v,
        );
        s.spans.insert(0, Span::raw(" "));
        lines.push(s);
        lines.extend(self.count_lines(inner.width));
        let mut cond = vec![Span::raw(" ")];
        cond.extend(condition_spans(lane.config().netback, t));
        if !lane.config().common_channel() {
            cond.push(Span::styled("  (split channels: unused)", t.dim));
        }
        lines.push(Line::from(cond));
        let room = (inner.height as usize).saturating_sub(lines.len());
        // Narrow lanes leave the time stamps out: the words matter more.
        let stamps = inner.width >= 70;
        for e in lane.sim().trace().last(room) {
            lines.push(log_line(e, v, stamps, t));
        }
        put_lines(&lines, inner, buf);
    }
}

/// The shared chart's height: its share of the body at the full size (percent) and its
/// least there; fixed below (smaller when a pane `v` brought in needs the rows).
pub const CHART_FULL_PERCENT: u16 = 40;
pub const CHART_FULL_MIN_HEIGHT: u16 = 12;
pub const CHART_MEDIUM_HEIGHT: u16 = 9;
pub const CHART_COMPACT_HEIGHT: u16 = 7;
/// What the lane columns keep under a pane `v` brought in: the goodput, port and pause
/// lines.
pub const LANES_MIN_HEIGHT: u16 = 5;

/// The panes compare mode has no room for (the lane columns sum them up): all but the
/// chart, in the lab's order of importance.
pub fn hidden_panes(lane: &Lane) -> Vec<Pane> {
    arrange::usual_order(lane)
        .into_iter()
        .filter(|&p| p != Pane::Throughput)
        .collect()
}

/// Which lane a pane is, on its bottom border: `└ lane A ───`.
fn lane_tag(label: &str, area: Rect, theme: &Theme, buf: &mut Buffer) {
    let text = format!(" lane {label} ");
    let w = text.chars().count() as u16;
    if area.height > 1 && area.width >= w + 2 {
        super::put_str(buf, area.x + 1, area.bottom() - 1, &text, w, theme.title);
    }
}

impl Widget for CompareView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let veil = self.veil;
        let whole_run = app.counters_whole_run;
        let hidden = hidden_panes(&app.lane);
        let revealed = arrange::revealed(app, &hidden);
        let chart_h = match (self.density, revealed) {
            (Density::Full, _) => {
                super::percent(area.height, CHART_FULL_PERCENT).max(CHART_FULL_MIN_HEIGHT)
            }
            (Density::Medium, None) => CHART_MEDIUM_HEIGHT,
            (Density::Medium, Some(_)) | (Density::Compact | Density::TooSmall, _) => {
                CHART_COMPACT_HEIGHT
            }
        };
        let [chart, mut lanes] =
            Layout::vertical([Constraint::Length(chart_h), Constraint::Fill(1)]).areas(area);
        ThroughputPane {
            lanes: &[(&app.lane, "A"), (self.b, "B")],
            theme: self.theme,
            veil,
            rewind: super::timeline::Rewind::of(app),
        }
        .render(chart, buf);
        if let Some(r) = revealed {
            // The pane for both lanes, A on the left, over the lane columns.
            let h = arrange::good_height(r.pane, &app.lane)
                .min(lanes.height.saturating_sub(LANES_MIN_HEIGHT));
            let [both, rest] =
                Layout::vertical([Constraint::Length(h), Constraint::Fill(1)]).areas(lanes);
            let [a, b] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(both);
            for (lane, label, area) in [(&app.lane, "A", a), (self.b, "B", b)] {
                let look = arrange::Look {
                    theme: self.theme,
                    veil,
                    whole_run,
                    rewind: None,
                };
                arrange::render_pane(r.pane, lane, &look, area, buf);
                lane_tag(label, area, self.theme, buf);
            }
            lanes = rest;
        }
        let [a, b] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(lanes);
        LaneColumn {
            lane: &app.lane,
            label: "A",
            knobs: self.knobs,
            theme: self.theme,
            veil,
            whole_run,
        }
        .render(a, buf);
        LaneColumn {
            lane: self.b,
            label: "B",
            knobs: self.knobs,
            theme: self.theme,
            veil,
            whole_run,
        }
        .render(b, buf);
        let still: Vec<Pane> = hidden
            .into_iter()
            .filter(|&p| revealed.is_none_or(|r| r.pane != p))
            .collect();
        if let Some(text) = arrange::hidden_label(&still, revealed, area.width.saturating_sub(2)) {
            arrange::border_label(&text, area, self.theme, buf);
        }
    }
}
