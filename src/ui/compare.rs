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
//! └─────────────────────────────────────┘└───────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{App, CompareKnob, Lane, Veil};
use crate::sim::{Figure, on_off};

use super::code::condition_spans;
use super::counters::{counted, since_words};
use super::eoi_flow::log_line;
use super::theme::Theme;
use super::throttle::{StripKind, pause_line, strip};
use super::throughput::{ThroughputPane, goodput_text};
use super::veil::{Shown, hidden, or_hidden};
use super::{Density, pane, put_lines, title};

pub struct CompareView<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    pub b: &'a Lane,
    pub knob: CompareKnob,
    /// How much the whole terminal fits.
    pub density: Density,
    /// What an open question hides (`App::veil`).
    pub veil: Veil,
}

/// The lane's value of the knob that differs: "netback OR (!tx | !rx)", "throttle off".
pub fn knob_value(lane: &Lane, knob: CompareKnob) -> String {
    let c = lane.config();
    match knob {
        CompareKnob::Netback => {
            format!("netback {} {}", c.netback.operator(), c.netback.condition())
        }
        CompareKnob::Throttle => format!("throttle {}", on_off(c.throttle)),
        CompareKnob::LateEoi => format!("late EOI {}", on_off(c.lateeoi)),
    }
}

struct LaneColumn<'a> {
    lane: &'a Lane,
    label: &'a str,
    knob: CompareKnob,
    theme: &'a Theme,
    veil: Veil,
    whole_run: bool,
}

impl Widget for LaneColumn<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let (lane, v) = (self.lane, self.veil);
        let block = pane(
            title(vec![
                Span::styled(self.label, t.title),
                Span::raw(" · "),
                Span::raw(knob_value(lane, self.knob)),
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
        let paused = super::recent(lane, Figure::PausedPct)
            .map_or_else(|| "—".into(), |p| format!("{p:.0}%"));
        let paused = or_hidden(v, Shown::PausedShare, paused);
        let spur =
            super::recent_spurious_pct(lane).map_or_else(|| "—".into(), |p| format!("{p:.0}%"));
        let spur = or_hidden(v, Shown::SpuriousShare, spur);
        lines.push(Line::from(vec![
            Span::styled(" spurious ", t.name),
            Span::styled(spur, t.value),
            Span::styled(" · paused ", t.name),
            Span::styled(paused, t.value),
            Span::styled(" (last s)", t.dim),
        ]));
        let (d, _) = counted(lane, self.whole_run);
        lines.push(Line::from(vec![
            Span::styled(" events ", t.name),
            Span::styled(or_hidden(v, Shown::Events, d.events.to_string()), t.value),
            Span::styled(" · spurious_events ", t.name),
            Span::styled(
                or_hidden(v, Shown::SpuriousEvents, d.spurious_events.to_string()),
                t.value,
            ),
        ]));
        let delayed = or_hidden(
            v,
            Shown::JiffiesEoiDelayed,
            d.jiffies_eoi_delayed.to_string(),
        );
        // Since when they count, where it fits (the same in both lanes: the room left by
        // a count of up to 7 digits).
        let room = usize::from(inner.width).saturating_sub(24 + 7);
        let since = since_words(lane, self.whole_run, v, room);
        let since = if since.chars().count() <= room {
            format!(" · {since}")
        } else {
            String::new()
        };
        lines.push(Line::from(vec![
            Span::styled(" jiffies_eoi_delayed ", t.name),
            Span::styled(delayed, t.value),
            Span::styled(since, t.dim),
        ]));
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

impl Widget for CompareView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let veil = self.veil;
        let whole_run = app.counters_whole_run;
        let chart_h = match self.density {
            Density::Full => (area.height * 2 / 5).max(12),
            Density::Medium => 9,
            Density::Compact | Density::TooSmall => 7,
        };
        let [chart, lanes] =
            Layout::vertical([Constraint::Length(chart_h), Constraint::Fill(1)]).areas(area);
        ThroughputPane {
            lanes: &[(&app.lane, "A"), (self.b, "B")],
            theme: self.theme,
            veil,
        }
        .render(chart, buf);
        let [a, b] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(lanes);
        LaneColumn {
            lane: &app.lane,
            label: "A",
            knob: self.knob,
            theme: self.theme,
            veil,
            whole_run,
        }
        .render(a, buf);
        LaneColumn {
            lane: self.b,
            label: "B",
            knob: self.knob,
            theme: self.theme,
            veil,
            whole_run,
        }
        .render(b, buf);
    }
}
