//! Throughput pane: goodput over the last ten seconds of virtual time, knob changes marked,
//! and the current figure `goodput NNN Mbit/s` averaged over the last virtual second.
//! In compare mode both lanes share one chart (A a braille line, B a dotted line).
//! While an open question veils the goodput, the figure reads `?` and the chart
//! `? (answer first)`.
//!
//! ```text
//! ┌ Throughput ─────────────────────────────────────────────────────────┐
//! │ goodput 549 Mbit/s  (mean of the last virtual second)               │
//! │ 2000┤          │                                                    │
//! │     │⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉│⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀                                     │
//! │    0┼──────────┴─────────────────────────────────────────────────── │
//! │     0s                 5s                                    10s    │
//! └ │ 3.0s netback→AND ───────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{Lane, Veil};
use crate::sim::Figure;

use super::chart::{Plot, Series};
use super::theme::Theme;
use super::veil::{ANSWER_FIRST, Shown, hidden, or_hidden};
use super::{pane, title};

/// Virtual seconds shown.
pub const WINDOW_S: f64 = 10.0;

pub struct ThroughputPane<'a> {
    /// The lanes and their labels (`""` in free play, `"A"`/`"B"` in compare mode).
    pub lanes: &'a [(&'a Lane, &'a str)],
    pub theme: &'a Theme,
    /// What an open question hides.
    pub veil: Veil,
    /// While rewound: the timeline, at the figure line's right end.
    pub rewind: Option<super::timeline::Rewind>,
}

/// `goodput 549 Mbit/s`, or a dash before the first sample, or `?` while veiled.
pub fn goodput_text(lane: &Lane, veil: Veil) -> String {
    if hidden(veil, Shown::Goodput) {
        return "goodput ? Mbit/s".to_string();
    }
    match super::recent(lane, Figure::GoodputMbps) {
        Some(g) => format!("goodput {g:.0} Mbit/s"),
        None => "goodput — Mbit/s".to_string(),
    }
}

/// A round upper bound for the y axis (1, 2, 2.5 or 5 × a power of ten; at least 100).
pub fn nice_max(v: f64) -> f64 {
    let mut scale = 100.0;
    loop {
        for m in [1.0, 2.0, 2.5, 5.0] {
            if m * scale >= v || scale >= 1e9 {
                return m * scale;
            }
        }
        scale *= 10.0;
    }
}

/// The x window: `[lo, lo + WINDOW_S]`, scrolling once the run is older than the window.
pub fn window(now_ns: u64) -> (f64, f64) {
    let now = now_ns as f64 / 1e9;
    let lo = (now - WINDOW_S).max(0.0);
    (lo, lo + WINDOW_S)
}

fn points(lane: &Lane, lo: f64) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = lane
        .sim()
        .samples()
        .iter()
        .rev()
        .map(|s| (s.t_end_ns as f64 / 1e9, s.goodput_mbps))
        .take_while(|&(x, _)| x >= lo)
        .collect();
    v.reverse();
    v
}

/// From this pane width on, the title says the figures are the model's.
const MODEL_NOTE_MIN_WIDTH: u16 = 70;
/// The chart needs this many rows (a line and its two axes); fewer and it is left out.
const CHART_MIN_HEIGHT: u16 = 3;
/// What the lone figure is: in full, and where that does not fit.
const MEAN_NOTE: &str = "(mean of the last virtual second)";
const MEAN_NOTE_SHORT: &str = "(last 1 s)";

impl Widget for ThroughputPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let Some(&(first, _)) = self.lanes.first() else {
            return;
        };
        let (lo, hi) = window(first.now_ns());
        // Marks of lane A (in compare mode both lanes get the same knob changes).
        let marks: Vec<(f64, &str)> = first
            .marks()
            .map(|m| (m.t_ns as f64 / 1e9, m.label.as_str()))
            .filter(|&(x, _)| x >= lo)
            .collect();
        let mut parts = vec![Span::raw("Throughput")];
        if area.width >= MODEL_NOTE_MIN_WIDTH {
            parts.push(Span::styled(
                " · model figures, illustrative: compare by ratio",
                t.dim,
            ));
        }
        let mut block = pane(title(parts), t);
        if !marks.is_empty() {
            let room = usize::from(area.width.saturating_sub(4));
            let text = mark_legend(&marks, room, hidden(self.veil, Shown::Clock));
            block =
                block.title_bottom(Line::from(vec![Span::raw(" "), Span::styled(text, t.mark)]));
        }
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height == 0 {
            return;
        }
        let [figure, chart_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
        self.figure_line(figure, buf);
        if super::rows::listening() {
            // Drawn as a picture, not lines of text: tagged by place.
            super::rows::tag(figure, "throughput.goodput");
            for row in chart_area.rows() {
                super::rows::tag(row, "throughput.chart");
            }
        }
        if chart_area.height < CHART_MIN_HEIGHT {
            return;
        }
        if hidden(self.veil, Shown::GoodputChart) {
            let y = chart_area.y + chart_area.height / 2;
            let x = chart_area.x + 1;
            let w = chart_area.width.saturating_sub(1);
            super::put_str(buf, x, y, ANSWER_FIRST, w, t.dim);
            return;
        }
        self.chart((lo, hi), &marks, chart_area, buf);
    }
}

impl ThroughputPane<'_> {
    /// The figure line in `figure` (one row): each lane's goodput, then B/A in compare mode
    /// or what the figure is in free play; the rewind timeline at its right end.
    fn figure_line(&self, figure: Rect, buf: &mut Buffer) {
        let (t, v) = (self.theme, self.veil);
        let mut spans = vec![Span::raw(" ")];
        for (i, (lane, label)) in self.lanes.iter().enumerate() {
            if !label.is_empty() {
                // The line's marker, so the lanes read apart without colour.
                let marker = if i == 0 { "⠤" } else { "•" };
                let style = if i == 0 { t.chart_a } else { t.chart_b };
                spans.push(Span::styled(format!("{label} {marker} "), style));
            }
            spans.push(Span::styled(goodput_text(lane, v), t.figure));
            spans.push(Span::raw("   "));
        }
        if let [(a, _), (b, _)] = self.lanes
            && let (Some(ga), Some(gb)) = (
                super::recent(a, Figure::GoodputMbps),
                super::recent(b, Figure::GoodputMbps),
            )
            && ga > 0.0
        {
            let ratio = or_hidden(v, Shown::Goodput, format!("{:.2}", gb / ga));
            spans.push(Span::styled(format!("B/A {ratio}×"), t.value));
        } else if self.lanes.len() == 1 && self.rewind.is_none() {
            let used: usize = spans.iter().map(Span::width).sum();
            let note = if used + MEAN_NOTE.chars().count() <= figure.width as usize {
                MEAN_NOTE
            } else {
                MEAN_NOTE_SHORT
            };
            spans.push(Span::styled(note, t.dim));
        }
        let (_, used) = super::put_line(buf, figure.x, figure.y, &Line::from(spans), figure.width);
        let room = figure.width.saturating_sub(used as u16 + 2);
        if let Some(line) = self.rewind.and_then(|r| r.line(room, t)) {
            let w = line.width() as u16;
            let x = figure.x + figure.width - w - 1;
            super::put_line(buf, x, figure.y, &line, w);
        }
    }

    /// The chart of the window `(lo, hi)`: each lane's goodput and the knob marks.
    fn chart(&self, (lo, hi): (f64, f64), marks: &[(f64, &str)], area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let data: Vec<Vec<(f64, f64)>> = self.lanes.iter().map(|(l, _)| points(l, lo)).collect();
        let top = data.iter().flatten().map(|p| p.1).fold(0.0_f64, f64::max);
        let ymax = nice_max(top * 1.05);
        let mark_lines: Vec<[(f64, f64); 2]> =
            marks.iter().map(|&(x, _)| [(x, 0.0), (x, ymax)]).collect();
        let mut series = Vec::with_capacity(data.len() + mark_lines.len());
        for m in &mark_lines {
            series.push(Series {
                data: m,
                marker: Marker::Braille,
                style: t.mark,
            });
        }
        for (i, d) in data.iter().enumerate() {
            let (marker, style) = if i == 0 {
                (Marker::Braille, t.chart_a)
            } else {
                (Marker::Dot, t.chart_b)
            };
            series.push(Series {
                data: d,
                marker,
                style,
            });
        }
        let mid = (lo + hi) / 2.0;
        // What ratatui's `Chart` draws (line datasets, these labels), drawn by hand.
        let plot = Plot {
            x_bounds: [lo, hi],
            y_bounds: [0.0, ymax],
            x_labels: if hidden(self.veil, Shown::Clock) {
                ["?s".to_string(), "?s".to_string(), "?s".to_string()]
            } else {
                [
                    format!("{lo:.0}s"),
                    format!("{mid:.0}s"),
                    format!("{hi:.0}s"),
                ]
            },
            y_labels: [
                "0".to_string(),
                format!("{:.0}", ymax / 2.0),
                format!("{ymax:.0}"),
            ],
            axis: t.axis,
            series: &series,
        };
        plot.render(area, buf);
    }
}

/// The knob marks under the chart, in `room` columns: the newest that fit, each whole
/// (`│ 3.0s netback→AND`), never one run into the next; a mark with no room for its words
/// keeps its time, and marks left out are counted (`+2 earlier`).
pub fn mark_legend(marks: &[(f64, &str)], room: usize, clock_hidden: bool) -> String {
    let time = |x: f64| {
        if clock_hidden {
            "?".to_string()
        } else {
            format!("{x:.1}")
        }
    };
    let width = |s: &str| s.chars().count();
    let mut shown: Vec<String> = Vec::with_capacity(marks.len());
    let mut used = 0;
    for (i, &(x, label)) in marks.iter().enumerate().rev() {
        let earlier = if i > 0 {
            format!(" +{i} earlier ")
        } else {
            String::new()
        };
        let whole = format!("│ {}s {label} ", time(x));
        let short = format!("│ {}s ", time(x));
        let piece = [whole, short]
            .into_iter()
            .find(|p| used + width(p) + width(&earlier) <= room);
        match piece {
            Some(p) => {
                used += width(&p);
                shown.push(p);
            }
            None => {
                // The marks from here back are counted, not drawn.
                let n = i + 1;
                if !shown.is_empty() || width(&format!("+{n} ")) <= room {
                    shown.push(format!("+{n} earlier "));
                }
                break;
            }
        }
    }
    shown.reverse();
    // The count of marks left out reads first: they are the earlier ones.
    if let Some(pos) = shown.iter().position(|s| s.starts_with('+')) {
        let c = shown.remove(pos);
        shown.insert(0, c);
    }
    shown.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_under_the_chart_stay_whole_and_apart() {
        let marks = [
            (3.0, "netback→AND"),
            (8.2, "throttle off"),
            (12.6, "throttle on"),
        ];
        assert_eq!(
            mark_legend(&marks, 80, false),
            "│ 3.0s netback→AND │ 8.2s throttle off │ 12.6s throttle on "
        );
        for room in 0..80 {
            let s = mark_legend(&marks, room, false);
            assert!(s.chars().count() <= room.max(11), "{room}: {s}");
            // Every mark drawn is whole: its time, then its words or nothing.
            for piece in s.split('│').skip(1) {
                let p = piece.trim();
                assert!(
                    marks
                        .iter()
                        .any(|(x, l)| p == format!("{x:.1}s {l}") || p == format!("{x:.1}s")),
                    "{room}: {p:?} in {s:?}"
                );
            }
        }
        // Less room: the older marks keep their times, the newest its words.
        assert_eq!(
            mark_legend(&marks, 40, false),
            "│ 3.0s │ 8.2s │ 12.6s throttle on "
        );
        // Less still: the oldest counted, not drawn.
        assert_eq!(mark_legend(&marks, 20, false), "+2 earlier │ 12.6s ");
    }

    #[test]
    fn nice_bounds() {
        assert_eq!(nice_max(0.0), 100.0);
        assert_eq!(nice_max(90.0), 100.0);
        assert_eq!(nice_max(549.0), 1000.0);
        assert_eq!(nice_max(2160.0), 2500.0);
        assert_eq!(nice_max(180.0), 200.0);
        assert_eq!(nice_max(8500.0), 10000.0);
    }
}
