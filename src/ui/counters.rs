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
//! With the throttle (patch 12) off, `spurious_events` reads `would be spurious … (patch 12
//! off)` and `jiffies_eoi_delayed` reads `—`: those counters came with a later commit that
//! builds on patch 12, so a kernel without it counts nothing; the lab shows what netback
//! flagged.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::Lane;
use crate::sim::{DeviceCounters, Figure};

use super::theme::Theme;
use super::{field, pane, put_lines, title};

const W: usize = 21;

pub struct CountersPane<'a> {
    pub lane: &'a Lane,
    pub theme: &'a Theme,
}

/// The device's counters: the sum over its channels (one device, one or two ports).
pub fn device_counters(lane: &Lane) -> DeviceCounters {
    lane.sim()
        .ports()
        .fold(DeviceCounters::default(), |a, p| DeviceCounters {
            events: a.events + p.counters.events,
            spurious_events: a.spurious_events + p.counters.spurious_events,
            jiffies_eoi_delayed: a.jiffies_eoi_delayed + p.counters.jiffies_eoi_delayed,
        })
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"))
}

impl Widget for CountersPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let sim = self.lane.sim();
        let block = pane(title(vec![Span::raw("Counters since 5.12 · …/xenbus/")]), t);
        let inner = block.inner(area);
        block.render(area, buf);
        let d = device_counters(self.lane);
        let c = sim.counters();
        let mut lines: Vec<Line> = Vec::with_capacity(14);
        let row = |name: &'static str, v: String| {
            Line::from(
                std::iter::once(Span::raw(" "))
                    .chain(field(name, W, v, t))
                    .collect::<Vec<_>>(),
            )
        };
        lines.push(row("events", d.events.to_string()));
        let cfg = sim.config();
        if cfg.lateeoi && !cfg.throttle {
            // The counters came after patch 12 and count what it does: with it reverted,
            // netback still flags, nothing counts. Say what the number is.
            let mut r = row("would be spurious", d.spurious_events.to_string());
            r.spans.push(Span::styled(" (patch 12 off)", t.dim));
            lines.push(r);
            lines.push(row("jiffies_eoi_delayed", "—".to_string()));
        } else {
            lines.push(row("spurious_events", d.spurious_events.to_string()));
            lines.push(row(
                "jiffies_eoi_delayed",
                d.jiffies_eoi_delayed.to_string(),
            ));
        }
        lines.push(row(
            "spurious_threshold",
            sim.config().spurious_threshold.to_string(),
        ));
        lines.push(Line::styled(" ── derived from the run ──", t.dim));
        let ratio = (c.lateeoi_calls > 0).then(|| c.spurious_ratio() * 100.0);
        let mut r = row("spurious ratio", pct(ratio));
        r.spans.push(Span::styled(
            format!(
                " (1 s: {})",
                super::recent_spurious_pct(self.lane)
                    .map_or_else(|| "—".to_string(), |v| format!("{v:.0}%"))
            ),
            t.dim,
        ));
        lines.push(r);
        let mut cpu = row(
            "dom0 CPU, last s",
            pct(super::recent(self.lane, Figure::Dom0CpuPct)),
        );
        cpu.spans.push(Span::styled(" of a vCPU", t.dim));
        lines.push(cpu);
        lines.push(row(
            "notifies / coalesced",
            format!("{} / {}", c.events_sent, c.events_coalesced),
        ));
        lines.push(row("held while masked", c.events_held_masked.to_string()));
        lines.push(row("upcalls", c.upcalls.to_string()));
        lines.push(row(
            "late EOIs (+worker)",
            format!("{} (+{})", c.lateeoi_calls, c.worker_eois),
        ));
        lines.push(row("throttle pauses", c.throttle_pauses.to_string()));
        lines.push(row("packets delivered", format!("{}", c.packets_delivered)));
        put_lines(&lines, inner, buf);
    }
}
