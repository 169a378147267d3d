//! The live panes in an area too small for all six: which are shown, and where.
//!
//! The rule: the panes a view puts first (the one `v` brought in, then the lesson step's
//! `panes`) are shown, at their least useful height if need be; then the others, most
//! useful first, each only if the panes put first still get all they show and every pane
//! a height to read it by; a narrow pane (ports, counters) sits beside the chart or the
//! flow when the width allows. The rows left over go to the panes put first, then to the
//! others, then to the EOI flow (or the chart). What has no room is hidden, and the
//! panes' bottom border says so: "2 panes hidden · v shows".
//!
//! ```text
//! ┌ Throughput ───────────────┐┌ Ports ─────┐   bands, top to bottom in the lab's order;
//! └───────────────────────────┘└────────────┘   a band holds one pane, or a wide one and
//! ┌ Throttle ─────────────────────────────────┐ a narrow one on its right
//! └───────────────────────────────────────────┘
//! ┌ EOI flow ─────────────────┐┌ Counters ──┐
//! └───────────────── 1 pane hidden · v shows ─┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Widget;

use crate::app::{App, Lane, Veil};
use crate::lesson::Pane;

use super::theme::Theme;
use super::{code, counters, eoi_flow, ports, throttle, throughput};

/// The ports pane's width on the right of a band: its longest line.
pub const PORTS_WIDTH: u16 = 36;
/// The counters pane's width on the right of a band (or the least beside the ports).
pub const COUNTERS_WIDTH: u16 = 40;
/// The least width the throughput chart keeps beside a narrow pane: its goodput line.
pub const CHART_MIN_WIDTH: u16 = 24;
/// The least width the EOI flow keeps beside a narrow pane (its log lines are long).
pub const FLOW_MIN_WIDTH: u16 = 40;

/// The chart: its goodput line (a plot needs three more rows).
pub const CHART_MIN_HEIGHT: u16 = 3;
/// The chart with an axis worth reading.
pub const CHART_GOOD_HEIGHT: u16 = 8;
/// The chart at its clearest.
pub const CHART_FULL_HEIGHT: u16 = 12;
/// The EOI flow: the last two lines of its log.
pub const FLOW_MIN_HEIGHT: u16 = 4;
/// The EOI flow with a few lines of log.
pub const FLOW_GOOD_HEIGHT: u16 = 8;
/// The EOI flow: its pipeline (seven rows), then six lines of log.
pub const FLOW_FULL_HEIGHT: u16 = 16;
/// The counters: the four sysfs ones.
pub const COUNTERS_MIN_HEIGHT: u16 = 6;
/// The counters, every line.
pub const COUNTERS_HEIGHT: u16 = 15;
/// The code: the condition, three lines.
pub const CODE_MIN_HEIGHT: u16 = 5;

/// The lab's order, top to bottom, of the bands on screen.
const SCREEN_ORDER: [Pane; 6] = [
    Pane::Throughput,
    Pane::Ports,
    Pane::Throttle,
    Pane::Counters,
    Pane::EoiFlow,
    Pane::Code,
];

/// How a pane is named in its title (what a reader, and `lessons check`, looks for).
pub fn title(p: Pane) -> &'static str {
    match p {
        Pane::Ports => "Ports",
        Pane::Throttle => "Throttle",
        Pane::Counters => "Counters",
        Pane::Throughput => "Throughput",
        Pane::EoiFlow => "EOI flow",
        Pane::Code => "Code",
    }
}

/// A pane's heights in rows, its border included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Heights {
    /// The least that still shows what the pane is for (a pane put first gets it).
    min: u16,
    /// Enough to read it: what a pane nobody asked for needs to be shown at all.
    good: u16,
    /// Everything it has to show (the chart and the flow take more when it is left).
    full: u16,
}

fn heights(p: Pane, lane: &Lane) -> Heights {
    let h = |min, good, full| Heights { min, good, full };
    match p {
        Pane::Throughput => h(CHART_MIN_HEIGHT, CHART_GOOD_HEIGHT, CHART_FULL_HEIGHT),
        Pane::Ports => {
            // The header and one line a port; then the vCPU and netback lines.
            let n = lane.sim().ports().count() as u16;
            h(3 + n, 7 + n, ports::height(lane))
        }
        Pane::Throttle => h(
            throttle::SHORT_HEIGHT,
            throttle::SHORT_HEIGHT,
            throttle::HEIGHT,
        ),
        Pane::Counters => h(COUNTERS_MIN_HEIGHT, COUNTERS_HEIGHT, COUNTERS_HEIGHT),
        Pane::EoiFlow => h(FLOW_MIN_HEIGHT, FLOW_GOOD_HEIGHT, FLOW_FULL_HEIGHT),
        Pane::Code => h(CODE_MIN_HEIGHT, code::HEIGHT, code::HEIGHT),
    }
}

/// Rows a pane needs to be read (compare mode gives a pane `v` brought in this much).
pub fn good_height(p: Pane, lane: &Lane) -> u16 {
    heights(p, lane).good
}

/// A narrow pane's width on the right of a band (`None`: it is never on the right).
fn side_width(p: Pane) -> Option<u16> {
    match p {
        Pane::Ports => Some(PORTS_WIDTH),
        Pane::Counters => Some(COUNTERS_WIDTH),
        _ => None,
    }
}

/// The least width of a pane on the left of a band (`None`: it never shares a band).
fn left_min_width(p: Pane) -> Option<u16> {
    match p {
        Pane::Throughput => Some(CHART_MIN_WIDTH),
        Pane::EoiFlow => Some(FLOW_MIN_WIDTH),
        Pane::Counters => Some(COUNTERS_WIDTH),
        _ => None,
    }
}

/// Whom a narrow pane sits beside, best first.
fn partners(p: Pane) -> &'static [Pane] {
    match p {
        Pane::Ports => &[Pane::Throughput, Pane::EoiFlow, Pane::Counters],
        Pane::Counters => &[Pane::EoiFlow, Pane::Throughput, Pane::Ports],
        _ => &[],
    }
}

/// The panes shown when nothing is put first, most useful first: the flow, then the chart
/// (the counters instead for a guest that moves no packets), the ports, the throttle, the
/// code (last for split channels, which never run it).
pub fn usual_order(lane: &Lane) -> Vec<Pane> {
    let cfg = lane.config();
    let (chart, counters) = if cfg.guest.has_traffic() {
        (Pane::Throughput, Pane::Counters)
    } else {
        (Pane::Counters, Pane::Throughput)
    };
    let mut v = vec![
        Pane::EoiFlow,
        chart,
        Pane::Ports,
        Pane::Throttle,
        Pane::Code,
    ];
    if cfg.common_channel() {
        v.push(counters);
    } else {
        v.insert(4, counters);
    }
    v
}

/// One row of panes: a pane across, or a wide one with a narrow one on its right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Band {
    left: Pane,
    right: Option<Pane>,
}

impl Band {
    fn panes(self) -> impl Iterator<Item = Pane> {
        std::iter::once(self.left).chain(self.right)
    }
}

/// `a` and `b` in one band of `width` columns, the narrow one on the right (the ports,
/// when both are narrow), if they fit.
fn pair(a: Pane, b: Pane, width: u16) -> Option<Band> {
    let (left, right) = if b == Pane::Ports || side_width(a).is_none() {
        (a, b)
    } else {
        (b, a)
    };
    let need = left_min_width(left)? + side_width(right)?;
    (width >= need).then_some(Band {
        left,
        right: Some(right),
    })
}

/// The bands of `shown` (in order of importance) in `width` columns, top to bottom: each
/// narrow pane, most important first, beside the first partner left free that fits.
fn bands(shown: &[Pane], width: u16) -> Vec<Band> {
    let mut out: Vec<Band> = Vec::with_capacity(shown.len());
    let mut used: Vec<Pane> = Vec::with_capacity(shown.len());
    for &p in shown.iter().filter(|&&p| side_width(p).is_some()) {
        if used.contains(&p) {
            continue;
        }
        let beside = partners(p)
            .iter()
            .filter(|&q| shown.contains(q) && !used.contains(q))
            .find_map(|&q| pair(p, q, width));
        if let Some(b) = beside {
            used.extend(b.panes());
            out.push(b);
        }
    }
    for &p in shown {
        if !used.contains(&p) {
            used.push(p);
            out.push(Band {
                left: p,
                right: None,
            });
        }
    }
    let rank = |b: &Band| {
        b.panes()
            .filter_map(|p| SCREEN_ORDER.iter().position(|&q| q == p))
            .min()
    };
    out.sort_by_key(rank);
    out
}

/// The largest of `f` over a band's panes.
fn band_max(b: Band, lane: &Lane, f: impl Fn(Pane, Heights) -> u16) -> u16 {
    b.panes().map(|p| f(p, heights(p, lane))).max().unwrap_or(0)
}

/// Rows `first` needs at their least, in bands of `width` columns (a lesson gives its
/// live panes at least this much).
pub fn rows_needed(lane: &Lane, width: u16, first: &[Pane]) -> u16 {
    bands(first, width)
        .into_iter()
        .map(|b| band_max(b, lane, |_, h| h.min))
        .sum()
}

/// Where each shown pane goes, and the panes there was no room for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Arrangement {
    pub placed: Vec<(Pane, Rect)>,
    /// In order of importance.
    pub hidden: Vec<Pane>,
}

/// The panes of `lane` in `area`: `first` before the others (see the module's rule).
pub fn arrange(lane: &Lane, area: Rect, first: &[Pane]) -> Arrangement {
    let first: Vec<Pane> = first.iter().fold(Vec::new(), |mut v, &p| {
        if !v.contains(&p) {
            v.push(p);
        }
        v
    });
    let (w, h) = (area.width, area.height);
    let is_first = |p: Pane| first.contains(&p);
    let total = |shown: &[Pane], need: &dyn Fn(Pane, Heights) -> u16| -> u32 {
        bands(shown, w)
            .into_iter()
            .map(|b| u32::from(band_max(b, lane, need)))
            .sum()
    };
    let mut shown: Vec<Pane> = Vec::with_capacity(6);
    let mut hidden = Vec::new();
    // The panes put first, at their least.
    for &p in &first {
        let with: Vec<Pane> = shown.iter().copied().chain([p]).collect();
        if total(&with, &|_, hs| hs.min) <= u32::from(h) {
            shown = with;
        } else {
            hidden.push(p);
        }
    }
    // The others, each only if the panes put first are still whole and every pane shown
    // readable.
    let readable = |p: Pane, hs: Heights| {
        if is_first(p) { hs.full.min(h) } else { hs.good }
    };
    for p in usual_order(lane) {
        if is_first(p) {
            continue;
        }
        let with: Vec<Pane> = shown.iter().copied().chain([p]).collect();
        if total(&with, &readable) <= u32::from(h) {
            shown = with;
        } else {
            hidden.push(p);
        }
    }
    let bands = bands(&shown, w);
    let rows = heights_of(&bands, &shown, &first, lane, h);
    let mut placed = Vec::with_capacity(shown.len());
    let mut y = area.y;
    for (b, rows) in bands.into_iter().zip(rows) {
        let band = Rect::new(area.x, y, w, rows);
        y += rows;
        match b.right {
            None => placed.push((b.left, band)),
            Some(r) => {
                let side = side_width(r).unwrap_or(0);
                let [l, rr] =
                    Layout::horizontal([Constraint::Fill(1), Constraint::Length(side)]).areas(band);
                placed.push((b.left, l));
                placed.push((r, rr));
            }
        }
    }
    // Hidden in order of importance: the panes put first, then the usual order.
    let rank = |p: &Pane| {
        first
            .iter()
            .chain(usual_order(lane).iter())
            .position(|q| q == p)
    };
    hidden.sort_by_key(rank);
    Arrangement { placed, hidden }
}

/// The rows of each band: its least, then the panes put first readable and whole, then
/// every band readable (most important first); the rest to the flow or the chart (one put
/// first, if any), else to the last band.
fn heights_of(bands: &[Band], shown: &[Pane], first: &[Pane], lane: &Lane, h: u16) -> Vec<u16> {
    let mut rows: Vec<u16> = bands
        .iter()
        .map(|&b| band_max(b, lane, |_, hs| hs.min))
        .collect();
    let mut left = h.saturating_sub(rows.iter().sum());
    let band_of = |p: Pane| bands.iter().position(|b| b.panes().any(|q| q == p));
    let grow = |rows: &mut Vec<u16>, i: usize, to: u16, left: &mut u16| {
        let add = to.saturating_sub(rows[i]).min(*left);
        rows[i] += add;
        *left -= add;
    };
    // The panes put first: readable, then whole (the throttle's long form needs all its
    // rows, or it keeps the short one).
    for &p in first {
        if let Some(i) = band_of(p) {
            grow(&mut rows, i, heights(p, lane).good, &mut left);
        }
    }
    for &p in first {
        let to = heights(p, lane).full;
        let Some(i) = band_of(p) else { continue };
        if p == Pane::Throttle && rows[i] + left < to {
            continue;
        }
        grow(&mut rows, i, to, &mut left);
    }
    // Then every band readable, most important first.
    for &p in shown {
        if let Some(i) = band_of(p) {
            let to = band_max(bands[i], lane, |_, hs| hs.good);
            grow(&mut rows, i, to, &mut left);
        }
    }
    let fills = [Pane::EoiFlow, Pane::Throughput];
    let fill = first
        .iter()
        .filter(|p| fills.contains(p))
        .chain(&fills)
        .find_map(|&p| band_of(p))
        .or(bands.len().checked_sub(1));
    if let Some(i) = fill {
        rows[i] += left;
    }
    rows
}

/// The pane `v` brought in: which, its place among the hidden ones (from 1) and how many
/// were hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revealed {
    pub pane: Pane,
    pub index: usize,
    pub of: usize,
}

/// Which of `hidden` the app's `v` presses bring in: the first after one press, the next
/// after two, none again after the last.
pub fn revealed(app: &App, hidden: &[Pane]) -> Option<Revealed> {
    let turn = usize::from(app.reveal) % (hidden.len() + 1);
    (turn > 0).then(|| Revealed {
        pane: hidden[turn - 1],
        index: turn,
        of: hidden.len(),
    })
}

/// The live panes of free play below the full size, or of a lesson: `named` first (a
/// lesson step's), then the others; `v` brings the hidden ones in, one at a time.
/// `area_for` gives the live panes' area for what is put first (a lesson's grows).
pub fn live(app: &App, named: &[Pane], area_for: impl Fn(&[Pane]) -> Rect) -> (Rect, Live) {
    let lane = &app.lane;
    let area = area_for(named);
    let base = arrange(lane, area, named);
    let Some(r) = revealed(app, &base.hidden) else {
        return (
            area,
            Live {
                arrangement: base,
                revealed: None,
            },
        );
    };
    let first: Vec<Pane> = std::iter::once(r.pane)
        .chain(named.iter().copied())
        .collect();
    let area = area_for(&first);
    (
        area,
        Live {
            arrangement: arrange(lane, area, &first),
            revealed: Some(r),
        },
    )
}

/// How the panes draw: the theme, what an open question veils, and whether the counters
/// show the whole run.
#[derive(Clone, Copy)]
pub struct Look<'a> {
    pub theme: &'a Theme,
    pub veil: Veil,
    pub whole_run: bool,
    /// Where a rewound screen is (the throughput pane draws the timeline).
    pub rewind: Option<super::timeline::Rewind>,
}

impl<'a> Look<'a> {
    /// The look of `app` now.
    pub fn of(app: &App, theme: &'a Theme) -> Self {
        Look {
            theme,
            veil: app.veil(),
            whole_run: app.counters_whole_run,
            rewind: super::timeline::Rewind::of(app),
        }
    }
}

/// What the live area shows: the arrangement, and the pane `v` brought in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Live {
    pub arrangement: Arrangement,
    pub revealed: Option<Revealed>,
}

impl Live {
    /// Draw the panes of `lane` where the arrangement says, and on the bottom border what
    /// is hidden.
    pub fn render(&self, lane: &Lane, look: &Look, area: Rect, buf: &mut Buffer) {
        let theme = look.theme;
        for &(p, r) in &self.arrangement.placed {
            render_pane(p, lane, look, r, buf);
        }
        let label = hidden_label(
            &self.arrangement.hidden,
            self.revealed,
            area.width.saturating_sub(2),
        );
        if let Some(text) = label {
            border_label(&text, area, theme, buf);
        }
    }
}

/// Draw one pane of `lane` in `area`.
pub fn render_pane(p: Pane, lane: &Lane, look: &Look, area: Rect, buf: &mut Buffer) {
    super::in_pane(p, || draw_pane(p, lane, look, area, buf));
}

fn draw_pane(p: Pane, lane: &Lane, look: &Look, area: Rect, buf: &mut Buffer) {
    let Look {
        theme,
        veil,
        whole_run,
        rewind,
    } = *look;
    match p {
        Pane::Throughput => throughput::ThroughputPane {
            lanes: &[(lane, "")],
            theme,
            veil,
            rewind,
        }
        .render(area, buf),
        Pane::Ports => ports::PortsPane { lane, theme, veil }.render(area, buf),
        Pane::Throttle => {
            // Between its short and long forms the throttle keeps the short one.
            let h = if area.height < throttle::HEIGHT {
                area.height.min(throttle::SHORT_HEIGHT)
            } else {
                area.height
            };
            throttle::ThrottlePane { lane, theme, veil }.render(Rect { height: h, ..area }, buf)
        }
        Pane::Counters => counters::CountersPane {
            lane,
            theme,
            veil,
            whole_run,
        }
        .render(area, buf),
        Pane::EoiFlow => eoi_flow::EoiFlowPane { lane, theme, veil }.render(area, buf),
        Pane::Code => code::CodePane { lane, theme, veil }.render(area, buf),
    }
}

/// What the bottom border says about the hidden panes, in at most `width` columns:
/// "Code, Counters hidden · v shows", or which one `v` brought in.
pub fn hidden_label(hidden: &[Pane], revealed: Option<Revealed>, width: u16) -> Option<String> {
    let n = hidden.len();
    let forms: Vec<String> = match revealed {
        Some(r) => {
            let name = title(r.pane);
            let (i, of) = (r.index, r.of);
            let names: Vec<&str> = hidden.iter().map(|&p| title(p)).collect();
            let now = match n {
                0 => String::new(),
                _ => format!(" · {} hidden", names.join(", ")),
            };
            let few = match n {
                0 => String::new(),
                _ => format!(" · {n} hidden"),
            };
            vec![
                format!(" v: {name} ({i} of {of}){now} "),
                format!(" v: {name} ({i} of {of}){few} "),
                format!(" v: {name} ({i}/{of}) "),
                format!(" v: {name} "),
            ]
        }
        None if n == 0 => return None,
        None => {
            let names: Vec<&str> = hidden.iter().map(|&p| title(p)).collect();
            let panes = if n == 1 { "pane" } else { "panes" };
            vec![
                format!(" {} hidden · v shows ", names.join(", ")),
                format!(" {n} {panes} hidden · v shows "),
                format!(" {n} hidden · v "),
            ]
        }
    };
    forms
        .into_iter()
        .find(|f| f.chars().count() <= usize::from(width))
}

/// `text` on the bottom border of `area`, at its right end (inside the corner).
pub fn border_label(text: &str, area: Rect, theme: &Theme, buf: &mut Buffer) {
    if area.height == 0 || area.width < 2 {
        return;
    }
    let w = text.chars().count() as u16;
    let room = area.width - 2;
    let x = area.x + 1 + room.saturating_sub(w);
    let y = area.bottom() - 1;
    super::put_str(buf, x, y, text, room, theme.border.patch(theme.warn));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Config, GuestKind};

    fn lane() -> Lane {
        Lane::new(Config::default())
    }

    /// Free play at 80×24 as it always was: chart and ports, throttle, flow.
    #[test]
    fn the_usual_medium_screen() {
        let a = arrange(&lane(), Rect::new(0, 1, 80, 21), &[]);
        let rects: Vec<(Pane, Rect)> = a.placed.clone();
        assert_eq!(
            rects,
            vec![
                (Pane::Throughput, Rect::new(0, 1, 44, 8)),
                (Pane::Ports, Rect::new(44, 1, 36, 8)),
                (Pane::Throttle, Rect::new(0, 9, 80, 5)),
                (Pane::EoiFlow, Rect::new(0, 14, 80, 8)),
            ]
        );
        assert_eq!(a.hidden, vec![Pane::Code, Pane::Counters]);
    }

    /// A pane put first is shown, and the rows all go somewhere.
    #[test]
    fn a_pane_put_first_is_shown() {
        let lane = lane();
        for p in Pane::ALL {
            for (w, h) in [(80, 9), (60, 27), (72, 36), (80, 21), (119, 36)] {
                let area = Rect::new(0, 0, w, h);
                let a = arrange(&lane, area, &[*p]);
                assert!(
                    a.placed.iter().any(|(q, _)| q == p),
                    "{p:?} in {w}x{h}: {a:?}"
                );
                let bottom = a.placed.iter().map(|(_, r)| r.bottom()).max();
                assert_eq!(bottom, Some(h), "{p:?} in {w}x{h}");
                assert_eq!(a.placed.len() + a.hidden.len(), 6);
            }
        }
    }

    /// An idle guest's counters take the chart's place.
    #[test]
    fn an_idle_guest_shows_its_counters() {
        let lane = Lane::new(Config {
            guest: GuestKind::Idle,
            ..Config::default()
        });
        let a = arrange(&lane, Rect::new(0, 0, 80, 21), &[]);
        assert!(a.placed.iter().any(|(p, _)| *p == Pane::Counters));
        assert!(a.hidden.contains(&Pane::Throughput));
    }

    #[test]
    fn the_label_says_what_is_hidden() {
        let h = [Pane::Code, Pane::Counters];
        assert_eq!(
            hidden_label(&h, None, 78).as_deref(),
            Some(" Code, Counters hidden · v shows ")
        );
        assert_eq!(
            hidden_label(&h, None, 26).as_deref(),
            Some(" 2 panes hidden · v shows ")
        );
        assert_eq!(hidden_label(&[], None, 78), None);
        let r = Revealed {
            pane: Pane::Code,
            index: 2,
            of: 2,
        };
        assert_eq!(
            hidden_label(&[Pane::Counters], Some(r), 78).as_deref(),
            Some(" v: Code (2 of 2) · Counters hidden ")
        );
        assert_eq!(
            hidden_label(&[Pane::Counters], Some(r), 20).as_deref(),
            Some(" v: Code (2/2) ")
        );
    }
}
