//! Counters pane: the per-device counters as sysfs shows them
//! (`/sys/devices/…/xenbus/{events,spurious_events,jiffies_eoi_delayed,spurious_threshold}`),
//! then figures derived from the run. The counters and `spurious_threshold` came with
//! 06f45fe96fcd (Linux 5.12, February 2021), after the story's kernels; the title says so.
//!
//! ```text
//! ┌ Counters since 5.12 · …/xenbus/ ───────────┐
//! │ events               2501                  │
//! │ spurious_events      2500                  │
//! │ jiffies_eoi_delayed  1250                  │
//! │ spurious_threshold   1                     │
//! │ ── derived ──                              │
//! │ spurious ratio       100.0% (1 s: 100.0%)  │
//! │ dom0 CPU, last s     16.5% of a vCPU       │
//! │ …                                          │
//! └────────────────────────────────────────────┘
//! ```
//! The counters count from the later of the run's start (in a lesson: the step's start;
//! a question keeps what the step before it counted from) and the last knob change: the
//! bottom border says since when ("since t 3.2 s, the last knob change"). `w` flips the
//! pane to the whole run and back. What an open question veils reads `?`.
//!
//! With the throttle (patch 12) off, `spurious_events` reads `would be spurious … (patch 12
//! off)` and `jiffies_eoi_delayed` reads `—`: those counters came with a later commit that
//! builds on patch 12, so a kernel without it counts nothing; the lab shows what netback
//! flagged.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{Lane, Veil};
use crate::sim::{Counters, DeviceCounters, Figure};

use super::theme::Theme;
use super::veil::{HIDDEN, Shown, hidden, or_hidden};
use super::{field, pane, put_lines, title};

/// The names' column, padded so the values line up.
const NAME_WIDTH: usize = 21;
/// Columns of the bottom border the since-words leave: the corners, the spaces around the
/// words and one.
const SINCE_MARGIN: usize = 5;

#[derive(Clone, Copy)]
pub struct CountersPane<'a> {
    pub lane: &'a Lane,
    pub theme: &'a Theme,
    /// What an open question hides.
    pub veil: Veil,
    /// Count the whole run (`w`), not since the lane's since-mark.
    pub whole_run: bool,
}

/// The device's counters: the sum over its channels (one device, one or two ports).
pub fn device_counters(lane: &Lane) -> DeviceCounters {
    lane.device_counters()
}

/// The counters the pane shows: since the lane's since-mark, or over the whole run.
pub fn counted(lane: &Lane, whole_run: bool) -> (DeviceCounters, Counters) {
    let (d, c) = (lane.device_counters(), lane.sim().counters());
    if whole_run {
        return (d, c);
    }
    let from = lane.since();
    let s = |a: u64, b: u64| a.saturating_sub(b);
    let d = DeviceCounters {
        events: s(d.events, from.device.events),
        spurious_events: s(d.spurious_events, from.device.spurious_events),
        jiffies_eoi_delayed: s(d.jiffies_eoi_delayed, from.device.jiffies_eoi_delayed),
    };
    (d, c.since(&from.reading.counters))
}

/// Since when the counters count, in words that fit `room` columns: `since t 3.2 s, the
/// last knob change`, `since t 3.2 s` (or `whole run (w: since t 3.2 s)`, `whole run`).
pub fn since_words(lane: &Lane, whole_run: bool, veil: Veil, room: usize) -> String {
    let from = lane.since();
    let t = or_hidden(
        veil,
        Shown::Clock,
        format!("{:.1}", from.reading.t_ns as f64 / 1e9),
    );
    let forms = if whole_run {
        [
            format!("whole run (w: since t {t} s)"),
            "whole run".to_string(),
        ]
    } else {
        [
            format!("since t {t} s, {}", from.why.words()),
            format!("since t {t} s"),
        ]
    };
    let [long, short] = forms;
    if long.chars().count() <= room {
        long
    } else {
        short
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"))
}

impl Widget for CountersPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let room = usize::from(area.width).saturating_sub(SINCE_MARGIN);
        let block = pane(title(vec![Span::raw("Counters since 5.12 · …/xenbus/")]), t)
            .title_bottom(Line::styled(
                format!(
                    " {} ",
                    since_words(self.lane, self.whole_run, self.veil, room)
                ),
                t.dim,
            ));
        let inner = block.inner(area);
        block.render(area, buf);
        let (d, c) = counted(self.lane, self.whole_run);
        let mut lines: Vec<Line> = Vec::with_capacity(14);
        self.sysfs(&mut lines, d);
        lines.push(Line::styled(" ── derived from the run ──", t.dim));
        self.derived(&mut lines, c);
        put_lines(&lines, inner, buf);
    }
}

impl CountersPane<'_> {
    /// ` name  value`, the value `?` while `shown` is veiled.
    fn row(&self, name: &'static str, shown: Shown, value: String) -> Line<'static> {
        let value = or_hidden(self.veil, shown, value);
        Line::from(
            std::iter::once(Span::raw(" "))
                .chain(field(name, NAME_WIDTH, value, self.theme))
                .collect::<Vec<_>>(),
        )
    }

    /// The device's counters as sysfs shows them, and `spurious_threshold`.
    fn sysfs(&self, lines: &mut Vec<Line<'_>>, d: DeviceCounters) {
        let t = self.theme;
        let cfg = self.lane.sim().config();
        lines.push(self.row("events", Shown::Events, d.events.to_string()));
        if cfg.lateeoi && !cfg.throttle {
            // The counters came after patch 12 and count what it does: with it reverted,
            // netback still flags, nothing counts. Say what the number is.
            let mut r = self.row(
                "would be spurious",
                Shown::SpuriousEvents,
                d.spurious_events.to_string(),
            );
            r.spans.push(Span::styled(" (patch 12 off)", t.dim));
            lines.push(r);
            lines.push(self.row(
                "jiffies_eoi_delayed",
                Shown::JiffiesEoiDelayed,
                "—".to_string(),
            ));
        } else {
            lines.push(self.row(
                "spurious_events",
                Shown::SpuriousEvents,
                d.spurious_events.to_string(),
            ));
            lines.push(self.row(
                "jiffies_eoi_delayed",
                Shown::JiffiesEoiDelayed,
                d.jiffies_eoi_delayed.to_string(),
            ));
        }
        lines.push(Line::from(
            std::iter::once(Span::raw(" "))
                .chain(field(
                    "spurious_threshold",
                    NAME_WIDTH,
                    cfg.spurious_threshold.to_string(),
                    t,
                ))
                .collect::<Vec<_>>(),
        ));
    }

    /// Figures derived from the run's counters `c` and its last second.
    fn derived(&self, lines: &mut Vec<Line<'_>>, c: Counters) {
        let (t, v) = (self.theme, self.veil);
        let ratio = (c.lateeoi_calls > 0).then(|| c.spurious_ratio() * 100.0);
        let mut r = self.row("spurious ratio", Shown::SpuriousShare, pct(ratio));
        let recent = super::recent_spurious_pct(self.lane)
            .map_or_else(|| "—".to_string(), |p| format!("{p:.0}%"));
        let recent = if hidden(v, Shown::SpuriousShare) {
            HIDDEN.to_string()
        } else {
            recent
        };
        r.spans
            .push(Span::styled(format!(" (1 s: {recent})"), t.dim));
        lines.push(r);
        let mut cpu = self.row(
            "dom0 CPU, last s",
            Shown::Dom0Cpu,
            pct(super::recent(self.lane, Figure::Dom0CpuPct)),
        );
        cpu.spans.push(Span::styled(" of a vCPU", t.dim));
        lines.push(cpu);
        let rows = [
            (
                "notifies / coalesced",
                Shown::Notifies,
                format!("{} / {}", c.events_sent, c.events_coalesced),
            ),
            (
                "held while masked",
                Shown::HeldMasked,
                c.events_held_masked.to_string(),
            ),
            ("upcalls", Shown::Upcalls, c.upcalls.to_string()),
            (
                "late EOIs (+worker)",
                Shown::LateEois,
                format!("{} (+{})", c.lateeoi_calls, c.worker_eois),
            ),
            (
                "throttle pauses",
                Shown::ThrottlePauses,
                c.throttle_pauses.to_string(),
            ),
            (
                "packets delivered",
                Shown::PacketsDelivered,
                format!("{}", c.packets_delivered),
            ),
            // What a tick lets the sender move, in its own windows (the ACK clock's beat).
            (
                "windows a jiffy, 1 s",
                Shown::WindowsPerTick,
                super::recent(self.lane, Figure::WindowsPerTick)
                    .map_or_else(|| "—".to_string(), |w| format!("{w:.2}")),
            ),
        ];
        for (name, shown, value) in rows {
            lines.push(self.row(name, shown, value));
        }
    }
}
