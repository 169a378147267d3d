//! The throughput pane's line chart: what ratatui's `Chart` (axes, three labels a side, line
//! datasets on a `Canvas`) draws, cell for cell, for the charts the lab draws.
//!
//! ```text
//! 2000┤                          ← y labels: top, middle, bottom, left-aligned
//!     │⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉│⣀⣀⣀⣀⣀⣀⣀⣀⣀  ← the graph area: one pattern grid, a layer a dataset
//!    0└───────────────────────── ← the x axis (the corner in its style)
//!     0s          5s         10s ← x labels: first right-aligned, middle centred, last right
//! ```
//! `Chart` draws each dataset on a canvas layer of its own (a grid per layer, each laid over
//! the whole graph area cell by cell): a tenth of a frame for two lines. Here one grid remembers,
//! per cell, the last dataset that painted it and that dataset's dots, and the cells are
//! written once. Anything outside what this was tested for (a point the canvas would clip, a
//! label that is not plain ASCII, another marker) goes to ratatui's `Chart`.

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::{self, Marker};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Widget};

/// One dataset: points joined by lines, in `marker` (braille or dots), coloured with the
/// style's foreground (all `Chart` takes of a dataset's style).
#[derive(Clone, Copy, Debug)]
pub struct Series<'a> {
    pub data: &'a [(f64, f64)],
    pub marker: Marker,
    pub style: Style,
}

/// A chart: bounds, three labels per axis, both axes in `axis`.
#[derive(Clone, Debug)]
pub struct Plot<'a> {
    pub x_bounds: [f64; 2],
    pub y_bounds: [f64; 2],
    pub x_labels: [String; 3],
    pub y_labels: [String; 3],
    pub axis: Style,
    pub series: &'a [Series<'a>],
}

impl Plot<'_> {
    /// The `Chart` this draws (and draws instead, outside what it was tested for).
    pub fn ratatui_chart(&self) -> Chart<'_> {
        let datasets = self
            .series
            .iter()
            .map(|s| {
                Dataset::default()
                    .data(s.data)
                    .graph_type(GraphType::Line)
                    .marker(s.marker)
                    .style(s.style)
            })
            .collect();
        Chart::new(datasets)
            .x_axis(
                Axis::default()
                    .bounds(self.x_bounds)
                    .style(self.axis)
                    .labels(self.x_labels.clone()),
            )
            .y_axis(
                Axis::default()
                    .bounds(self.y_bounds)
                    .style(self.axis)
                    .labels(self.y_labels.clone()),
            )
            .legend_position(None)
    }

    /// Whether the hand-written path draws this: every point where the canvas would not clip
    /// a line at it (so clipping changes nothing), braille or dot markers, labels of printable
    /// ASCII (a char a cell).
    fn plain(&self) -> bool {
        let [x0, x1] = self.x_bounds;
        let [y0, y1] = self.y_bounds;
        let inside = |&(x, y): &(f64, f64)| !(x < x0 || x > x1 || y < y0 || y > y1);
        let ascii = |l: &String| l.bytes().all(|b| (b' '..=b'~').contains(&b));
        self.series
            .iter()
            .all(|s| matches!(s.marker, Marker::Braille | Marker::Dot) && s.data.iter().all(inside))
            && self.x_labels.iter().chain(&self.y_labels).all(ascii)
    }

    /// `Chart::render`'s steps for this chart: its layout, the labels, the axes, then the
    /// canvas (the graph area's background reset, then the datasets' dots).
    fn render_plain(&self, area: Rect, buf: &mut Buffer) {
        // (`Chart` first sets its own style, the default one, on the area: a no-op.)
        if area.is_empty() {
            return;
        }
        // `Chart::layout`, with labels on both axes.
        let (left, top, right) = (area.left(), area.top(), area.right());
        let mut y = area.bottom() - 1;
        let label_x = (y > top).then(|| {
            y -= 1;
            y + 1
        });
        let y_labels_w = self.y_labels.iter().map(String::len).max().unwrap_or(0);
        let first_x_w = self.x_labels[0].len().saturating_sub(1);
        let mut x = left + (y_labels_w.max(first_x_w).min(usize::from(area.width / 3)) as u16);
        let axis_x = (y > top).then(|| {
            y -= 1;
            y + 1
        });
        let axis_y = (x + 1 < right).then(|| {
            x += 1;
            x - 1
        });
        let graph = Rect::new(
            x,
            top,
            right.saturating_sub(x),
            y.saturating_sub(top).saturating_add(1),
        );

        if let Some(ly) = label_x {
            let between = graph.width / 3;
            let [first, mid, last] = &self.x_labels;
            let first_area = Rect::new(left, ly, graph.left() - left, 1);
            label(buf, first, first_area, Alignment::Right);
            let mid_x = graph.left() + between + 1;
            let mid_area = Rect::new(mid_x, ly, between.saturating_sub(1), 1);
            label(buf, mid, mid_area, Alignment::Center);
            let last_area = Rect::new(graph.right() - between, ly, between, 1);
            label(buf, last, last_area, Alignment::Right);
        }
        for (i, text) in self.y_labels.iter().enumerate() {
            let dy = i as u16 * (graph.height - 1) / 2;
            if dy < graph.bottom() {
                let w = (graph.left() - left).saturating_sub(1);
                let at = Rect::new(left, graph.bottom().saturating_sub(1) - dy, w, 1);
                label(buf, text, at, Alignment::Left);
            }
        }
        if let Some(y) = axis_x {
            for cell in row(buf, graph.left(), y, graph.width) {
                cell.set_symbol(symbols::line::HORIZONTAL)
                    .set_style(self.axis);
            }
        }
        if let Some(x) = axis_y {
            for y in graph.top()..graph.bottom() {
                buf[(x, y)]
                    .set_symbol(symbols::line::VERTICAL)
                    .set_style(self.axis);
            }
            if let Some(y) = axis_x {
                buf[(x, y)]
                    .set_symbol(symbols::line::BOTTOM_LEFT)
                    .set_style(self.axis);
            }
        }
        self.canvas(graph, buf);
    }

    /// `Canvas::render` of the datasets in `graph`.
    fn canvas(&self, graph: Rect, buf: &mut Buffer) {
        for y in graph.top()..graph.bottom() {
            for cell in row(buf, graph.left(), y, graph.width) {
                cell.set_bg(Color::Reset);
            }
        }
        let (w, h) = (usize::from(graph.width), usize::from(graph.height));
        // Per cell: 1 + the index of the last dataset that painted it (0: none), and that
        // dataset's dots in it (a braille pattern; any bit for a dot marker).
        let mut grid = vec![(0u16, 0u8); w * h];
        for (k, s) in self.series.iter().enumerate() {
            let layer = k as u16 + 1;
            let (cw, ch) = if s.marker == Marker::Braille {
                (2, 4)
            } else {
                (1, 1)
            };
            let resolution = ((w * cw) as f64, (h * ch) as f64);
            let point =
                |&(x, y): &(f64, f64)| get_point(x, y, self.x_bounds, self.y_bounds, resolution);
            let mut paint = |px: usize, py: usize| {
                if let Some(c) = grid.get_mut(py / ch * w + px / cw) {
                    if c.0 != layer {
                        *c = (layer, 0);
                    }
                    c.1 |= 1 << (px % cw + cw * (py % ch));
                }
            };
            // `Chart` draws a dataset's points, then the lines between them.
            for p in s.data.iter().filter_map(point) {
                paint(p.0, p.1);
            }
            for pair in s.data.windows(2) {
                if let (Some(a), Some(b)) = (point(&pair[0]), point(&pair[1])) {
                    for_each_line_point(a, b, &mut paint);
                }
            }
        }
        for (j, cells) in grid.chunks_exact(w.max(1)).enumerate() {
            let out = row(buf, graph.left(), graph.top() + j as u16, graph.width);
            for (cell, &(layer, dots)) in out.iter_mut().zip(cells) {
                if layer == 0 {
                    continue;
                }
                let s = &self.series[usize::from(layer) - 1];
                let symbol = if s.marker == Marker::Braille {
                    symbols::braille::BRAILLE[usize::from(dots)]
                } else {
                    '•'
                };
                cell.set_char(symbol)
                    .set_fg(s.style.fg.unwrap_or(Color::Reset));
            }
        }
    }
}

impl Widget for &Plot<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if self.plain() {
            self.render_plain(area, buf);
        } else {
            self.ratatui_chart().render(area, buf);
        }
    }
}

/// The cells of row `y` from `x`, `width` of them, clipped to the buffer.
fn row(buf: &mut Buffer, x: u16, y: u16, width: u16) -> &mut [Cell] {
    let a = buf.area;
    if y < a.top() || y >= a.bottom() || x >= a.right() || x < a.left() {
        return &mut [];
    }
    let start = buf.index_of(x, y);
    let n = usize::from(width.min(a.right() - x));
    &mut buf.content[start..start + n]
}

/// `Line::render` of a label (printable ASCII, default style) aligned in `area`: cut from
/// the left, the right or both sides when it does not fit, as ratatui cuts.
fn label(buf: &mut Buffer, text: &str, area: Rect, align: Alignment) {
    let area = area.intersection(buf.area);
    if area.is_empty() || text.is_empty() {
        return;
    }
    let (lw, aw) = (text.len(), usize::from(area.width));
    let (indent, skip) = if lw <= aw {
        let room = aw - lw;
        let indent = match align {
            Alignment::Center => room / 2,
            Alignment::Right => room,
            _ => 0,
        };
        (indent, 0)
    } else {
        let over = lw - aw;
        let skip = match align {
            Alignment::Center => over / 2,
            Alignment::Right => over,
            _ => 0,
        };
        (0, skip)
    };
    let out = row(
        buf,
        area.x + indent as u16,
        area.y,
        area.width - indent as u16,
    );
    for (cell, c) in out.iter_mut().zip(text[skip..].chars()) {
        cell.set_char(c);
    }
}

/// `Painter::get_point`: a point in the bounds to a dot of the grid.
fn get_point(
    x: f64,
    y: f64,
    [left, right]: [f64; 2],
    [bottom, top]: [f64; 2],
    resolution: (f64, f64),
) -> Option<(usize, usize)> {
    if x < left || x > right || y < bottom || y > top {
        return None;
    }
    let width = right - left;
    let height = top - bottom;
    if width <= 0.0 || height <= 0.0 {
        return None;
    }
    let x = ((x - left) * (resolution.0 - 1.0) / width).round() as usize;
    let y = ((top - y) * (resolution.1 - 1.0) / height).round() as usize;
    Some((x, y))
}

/// The canvas line's Bresenham walk from `a` to `b` (ratatui's `for_each_line_point`).
fn for_each_line_point(
    (x1, y1): (usize, usize),
    (x2, y2): (usize, usize),
    f: &mut impl FnMut(usize, usize),
) {
    let dx = x2.abs_diff(x1);
    let dy = y2.abs_diff(y1);
    if dx == 0 {
        for y in y1.min(y2)..=y1.max(y2) {
            f(x1, y);
        }
    } else if dy == 0 {
        for x in x1.min(x2)..=x1.max(x2) {
            f(x, y1);
        }
    } else if dy < dx {
        walk((x1, y1), (x2, y2), &mut |x, y| f(x, y));
    } else {
        walk((y1, x1), (y2, x2), &mut |y, x| f(x, y));
    }
}

/// Bresenham's walk along the major axis (each pair's first coordinate), from the end
/// where it is smaller: ratatui's two octant branches are this, once with the axes swapped.
fn walk((a1, b1): (usize, usize), (a2, b2): (usize, usize), f: &mut impl FnMut(usize, usize)) {
    let ((a1, b1), (a2, b2)) = if a1 > a2 {
        ((a2, b2), (a1, b1))
    } else {
        ((a1, b1), (a2, b2))
    };
    let da = (a2 - a1) as isize;
    let db = (b2 as isize - b1 as isize).abs();
    let mut d = 2 * db - da;
    let mut b = b1;
    for a in a1..=a2 {
        f(a, b);
        if d > 0 {
            b = if b1 > b2 {
                b.saturating_sub(1)
            } else {
                b.saturating_add(1)
            };
            d -= 2 * da;
        }
        d += 2 * db;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use ratatui::style::Modifier;

    use super::*;

    /// A dataset: points, braille (or dots), style.
    type Set = (Vec<(f64, f64)>, bool, Style);

    fn draw(plot: &Plot, area: Rect, plain: bool) -> (Buffer, Buffer) {
        let full = Rect::new(0, 0, 40, 14);
        let base = Style::new().fg(Color::White).bg(Color::Black);
        let mut want = Buffer::empty(full);
        let mut got = Buffer::empty(full);
        want.set_style(full, base);
        got.set_style(full, base);
        plot.ratatui_chart().render(area, &mut want);
        if plain {
            plot.render_plain(area, &mut got);
        } else {
            plot.render(area, &mut got);
        }
        (got, want)
    }

    fn series_style() -> impl Strategy<Value = Style> {
        prop::sample::select(vec![
            Style::new(),
            Style::new().fg(Color::Green),
            Style::new().fg(Color::Yellow).bg(Color::Blue),
            Style::new()
                .fg(Color::Rgb(1, 2, 3))
                .add_modifier(Modifier::BOLD),
        ])
    }

    /// Labels as the pane formats them (`{:.0}`, maybe with a unit), some long, some empty.
    fn labels() -> impl Strategy<Value = [String; 3]> {
        let one = (
            prop::sample::select(vec!["", "s", "%"]),
            -5e6..5e6f64,
            0u8..4,
        )
            .prop_map(|(unit, v, k)| match k {
                0 => String::new(),
                1 => format!("{:.0}{unit}", v / 1e5),
                _ => format!("{v:.0}{unit}"),
            });
        [one.clone(), one.clone(), one]
    }

    /// Bounds, and datasets inside them (sorted in x, as the pane's).
    fn plot_parts() -> impl Strategy<Value = ([f64; 2], [f64; 2], Vec<Set>)> {
        (
            (
                -50.0..50.0f64,
                prop::sample::select(vec![0.0, 1e-9, 1.0, 10.0, 333.3]),
            ),
            (
                prop::sample::select(vec![0.0, -3.0]),
                prop::sample::select(vec![0.0, 100.0, 2500.0]),
            ),
        )
            .prop_flat_map(|((x0, xw), (y0, yh))| {
                let (x1, y1) = (x0 + xw, y0 + yh);
                let point = (0.0..=1.0f64, 0.0..=1.0f64).prop_map(move |(a, b)| {
                    let x = (x0 + a * (x1 - x0)).clamp(x0, x1);
                    (x, (y0 + b * (y1 - y0)).clamp(y0, y1))
                });
                let set = (
                    prop::collection::vec(point, 0..40).prop_map(|mut v| {
                        v.sort_by(|a, b| a.0.total_cmp(&b.0));
                        v
                    }),
                    any::<bool>(),
                    series_style(),
                );
                (
                    Just([x0, x1]),
                    Just([y0, y1]),
                    prop::collection::vec(set, 0..4),
                )
            })
    }

    fn series(sets: &[Set]) -> Vec<Series<'_>> {
        sets.iter()
            .map(|(data, braille, style)| Series {
                data,
                marker: if *braille {
                    Marker::Braille
                } else {
                    Marker::Dot
                },
                style: *style,
            })
            .collect()
    }

    proptest! {
        /// Inside what it was written for, the hand-written chart draws `Chart`'s cells.
        #[test]
        fn plain_chart_matches_ratatui(
            (x_bounds, y_bounds, sets) in plot_parts(),
            x_labels in labels(),
            y_labels in labels(),
            x in 0u16..6, y in 0u16..4, w in 0u16..40, h in 0u16..12,
        ) {
            let series = series(&sets);
            let plot = Plot {
                x_bounds, y_bounds, x_labels, y_labels,
                axis: Style::new().fg(Color::DarkGray),
                series: &series,
            };
            prop_assert!(plot.plain());
            let area = Rect::new(x, y, w, h).intersection(Rect::new(0, 0, 40, 14));
            let (got, want) = draw(&plot, area, true);
            prop_assert_eq!(got, want);
        }

        /// Anywhere else it hands the chart to ratatui: points outside the bounds (a clipped
        /// line), NaN, labels not ASCII.
        #[test]
        fn any_chart_matches_ratatui(
            data in prop::collection::vec((-20.0..120.0f64, -20.0..120.0f64), 0..12),
            nan in any::<bool>(),
            wide in any::<bool>(),
            braille in any::<bool>(),
            w in 1u16..40, h in 1u16..14,
        ) {
            let mut data = data;
            if nan {
                data.push((f64::NAN, 50.0));
            }
            let series = [Series {
                data: &data,
                marker: if braille { Marker::Braille } else { Marker::Dot },
                style: Style::new().fg(Color::Cyan),
            }];
            let unit = if wide { "s界" } else { "s" };
            let plot = Plot {
                x_bounds: [0.0, 100.0],
                y_bounds: [0.0, 100.0],
                x_labels: [format!("0{unit}"), format!("50{unit}"), format!("100{unit}")],
                y_labels: ["0".into(), "50".into(), "100".into()],
                axis: Style::new().fg(Color::DarkGray),
                series: &series,
            };
            let (got, want) = draw(&plot, Rect::new(0, 0, w, h), false);
            prop_assert_eq!(got, want);
        }
    }
}
