//! What a run measures: cumulative counters, readings of them over virtual time, windows
//! between two readings, and the named [`Figure`]s computed over a window.
//!
//! One API serves every reader: the headless report (the whole run), the lab's "last
//! second" figures, lesson goals (the last second, or since the step began) and scenario
//! tests. The sim takes a [`Reading`] every [`HISTORY_NS`] of virtual time and keeps the
//! last [`HISTORY_KEPT`], so any window up to half a minute long is two readings apart.

use std::collections::VecDeque;

use serde::Serialize;

use super::params::named_enum;

/// Cumulative counters since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Data segments the sender has put on its way.
    pub packets_offered: u64,
    /// Data segments the receiver got, in order.
    pub packets_delivered: u64,
    /// Data segments dropped (none in the default model: every queue is flow-controlled).
    pub packets_dropped: u64,
    /// Payload bytes delivered to the receiving application.
    pub bytes_delivered: u64,
    /// Guest → dom0 notifications (`EVTCHNOP_send`).
    pub events_sent: u64,
    /// Notifications that found the port already pending.
    pub events_coalesced: u64,
    /// Notifications held because the port was masked.
    pub events_held_masked: u64,
    /// Events handled by dom0's upcall (sysfs `events`).
    pub events_delivered: u64,
    /// Upcall loops run by dom0.
    pub upcalls: u64,
    /// Late EOIs called by the driver (handlers, NAPI, kthread); the worker's are apart.
    pub lateeoi_calls: u64,
    /// Late EOIs flagged spurious (sysfs `spurious_events`).
    pub spurious_events: u64,
    /// Throttle delay imposed, in jiffies (sysfs `jiffies_eoi_delayed`).
    pub jiffies_eoi_delayed: u64,
    /// Throttle pauses begun.
    pub throttle_pauses: u64,
    /// EOIs done by the delayed-EOI worker.
    pub worker_eois: u64,
    /// Port-time spent masked (any reason), ns.
    pub masked_ns: u64,
    /// Port-time spent on the delayed-EOI list (throttle pauses), ns.
    pub paused_ns: u64,
    /// dom0 CPU time spent on this guest's events and traffic, ns.
    pub dom0_busy_ns: u64,
    /// Guest CPU time, ns.
    pub guest_busy_ns: u64,
    /// dom0 → guest notifications.
    pub guest_notifies: u64,
    /// Of those, netback's TX completions (`push_tx_responses`: at the end of a poll, or
    /// when a grant-mapped packet's skb is freed).
    pub tx_completion_notifies: u64,
    /// netback's handler found its `eoi_pending` bit already set (the kernel's
    /// `WARN(…, "Interrupt while EOI pending")`): an event delivered before the previous
    /// one's EOI. Never expected; counted so a test can say so.
    pub eoi_pending_warnings: u64,
    /// Calls of `xenvif_handle_rx_interrupt` from netback's handlers (an inline `||` or
    /// `&&` on the common channel skips some).
    pub rx_handler_calls: u64,
    /// FIFO: `EVTCHNOP_unmask` hypercalls (an unmask of a pending port, which Xen links
    /// again); 2-level never makes one (the guest re-raises the event itself).
    pub unmask_hypercalls: u64,
    /// Per port, by the port's place: `[0]` the TX port of split channels or the common
    /// port, `[1]` the RX port (unused on a common channel). Events handled.
    pub port_events: [u64; 2],
    /// Per port: late EOIs flagged spurious.
    pub port_spurious: [u64; 2],
    /// Per port: notifies held because the port was masked.
    pub port_held: [u64; 2],
}

impl Counters {
    /// spurious_events / late EOIs.
    pub fn spurious_ratio(&self) -> f64 {
        ratio(self.spurious_events, self.lateeoi_calls)
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &Counters) -> Counters {
        let d = |a: u64, b: u64| a.saturating_sub(b);
        Counters {
            packets_offered: d(self.packets_offered, earlier.packets_offered),
            packets_delivered: d(self.packets_delivered, earlier.packets_delivered),
            packets_dropped: d(self.packets_dropped, earlier.packets_dropped),
            bytes_delivered: d(self.bytes_delivered, earlier.bytes_delivered),
            events_sent: d(self.events_sent, earlier.events_sent),
            events_coalesced: d(self.events_coalesced, earlier.events_coalesced),
            events_held_masked: d(self.events_held_masked, earlier.events_held_masked),
            events_delivered: d(self.events_delivered, earlier.events_delivered),
            upcalls: d(self.upcalls, earlier.upcalls),
            lateeoi_calls: d(self.lateeoi_calls, earlier.lateeoi_calls),
            spurious_events: d(self.spurious_events, earlier.spurious_events),
            jiffies_eoi_delayed: d(self.jiffies_eoi_delayed, earlier.jiffies_eoi_delayed),
            throttle_pauses: d(self.throttle_pauses, earlier.throttle_pauses),
            worker_eois: d(self.worker_eois, earlier.worker_eois),
            masked_ns: d(self.masked_ns, earlier.masked_ns),
            paused_ns: d(self.paused_ns, earlier.paused_ns),
            dom0_busy_ns: d(self.dom0_busy_ns, earlier.dom0_busy_ns),
            guest_busy_ns: d(self.guest_busy_ns, earlier.guest_busy_ns),
            guest_notifies: d(self.guest_notifies, earlier.guest_notifies),
            tx_completion_notifies: d(self.tx_completion_notifies, earlier.tx_completion_notifies),
            eoi_pending_warnings: d(self.eoi_pending_warnings, earlier.eoi_pending_warnings),
            rx_handler_calls: d(self.rx_handler_calls, earlier.rx_handler_calls),
            unmask_hypercalls: d(self.unmask_hypercalls, earlier.unmask_hypercalls),
            port_events: per_port(self.port_events, earlier.port_events),
            port_spurious: per_port(self.port_spurious, earlier.port_spurious),
            port_held: per_port(self.port_held, earlier.port_held),
        }
    }
}

/// `a - b` for each port.
fn per_port(a: [u64; 2], b: [u64; 2]) -> [u64; 2] {
    [a[0].saturating_sub(b[0]), a[1].saturating_sub(b[1])]
}

pub(crate) fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The counters at one virtual time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub t_ns: u64,
    /// dom0's jiffies at that time.
    pub jiffies: u64,
    pub counters: Counters,
}

/// Virtual time between two readings the sim keeps.
pub const HISTORY_NS: u64 = 10_000_000;
/// Readings kept: 30 s of virtual time.
pub const HISTORY_KEPT: usize = 3000;
/// The longest window a figure can be asked over (what the history holds).
pub const MAX_WINDOW_NS: u64 = HISTORY_NS * (HISTORY_KEPT as u64 - 1);

/// The readings of the last [`MAX_WINDOW_NS`], one every [`HISTORY_NS`] (allocated once).
#[derive(Clone, Debug)]
pub struct History {
    buf: VecDeque<Reading>,
}

impl History {
    /// A history that starts with the zero reading at t = 0.
    pub fn new() -> Self {
        let mut buf = VecDeque::with_capacity(HISTORY_KEPT);
        buf.push_back(Reading::default());
        History { buf }
    }

    pub(crate) fn push(&mut self, r: Reading) {
        if self.buf.len() == HISTORY_KEPT {
            self.buf.pop_front();
        }
        self.buf.push_back(r);
    }

    /// The newest reading at or before `t_ns`, or the oldest kept when `t_ns` is older.
    /// Readings sit at multiples of [`HISTORY_NS`], so this is index arithmetic.
    pub fn at_or_before(&self, t_ns: u64) -> Reading {
        let first = self.buf.front().map_or(0, |r| r.t_ns);
        let i = (t_ns.saturating_sub(first) / HISTORY_NS) as usize;
        self.buf[i.min(self.buf.len() - 1)]
    }
}

impl Default for History {
    fn default() -> Self {
        History::new()
    }
}

/// A span of the run between two readings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: Reading,
    pub to: Reading,
}

impl Window {
    pub fn ns(&self) -> u64 {
        self.to.t_ns.saturating_sub(self.from.t_ns)
    }

    pub fn seconds(&self) -> f64 {
        self.ns() as f64 / 1e9
    }

    pub fn jiffies(&self) -> u64 {
        self.to.jiffies.saturating_sub(self.from.jiffies)
    }

    /// What the counters did over the window.
    pub fn delta(&self) -> Counters {
        self.to.counters.since(&self.from.counters)
    }

    /// Share of the window, percent.
    fn pct(&self, ns: u64) -> f64 {
        ns as f64 / self.ns().max(1) as f64 * 100.0
    }

    /// A figure over this window, for the figures that are measured over one
    /// ([`FigureKind::Window`]); `ports` is the number of the guest's ports (masked and
    /// paused shares average over them).
    pub fn figure(&self, f: Figure, ports: usize) -> Option<f64> {
        let c = self.delta();
        // The RX port's place: 1 with split channels, the common port's (0) otherwise.
        let rx = usize::from(ports > 1);
        let ports = ports.max(1) as f64;
        let n = |v: u64| Some(v as f64);
        match f {
            Figure::SimulatedSeconds => Some(self.seconds()),
            Figure::GoodputMbps => {
                Some(c.bytes_delivered as f64 * 8.0 / self.seconds().max(1e-9) / 1e6)
            }
            Figure::PacketsOffered => n(c.packets_offered),
            Figure::PacketsDelivered => n(c.packets_delivered),
            Figure::PacketsDropped => n(c.packets_dropped),
            Figure::EventsSent => n(c.events_sent),
            Figure::EventsDelivered => n(c.events_delivered),
            Figure::EventsCoalesced => n(c.events_coalesced),
            Figure::EventsHeldMasked => n(c.events_held_masked),
            Figure::Upcalls => n(c.upcalls),
            Figure::LateeoiCalls => n(c.lateeoi_calls),
            Figure::SpuriousEvents => n(c.spurious_events),
            Figure::SpuriousRatio => Some(c.spurious_ratio()),
            Figure::JiffiesEoiDelayed => n(c.jiffies_eoi_delayed),
            Figure::ThrottlePauses | Figure::PausesInWindow => n(c.throttle_pauses),
            Figure::WorkerEois => n(c.worker_eois),
            Figure::MaskedPct => Some(self.pct(c.masked_ns) / ports),
            Figure::PausedPct => Some(self.pct(c.paused_ns) / ports),
            Figure::Dom0CpuPct => Some(self.pct(c.dom0_busy_ns)),
            Figure::GuestCpuPct => Some(self.pct(c.guest_busy_ns)),
            Figure::GuestNotifies => n(c.guest_notifies),
            Figure::EventsPerJiffy => Some(ratio(c.events_delivered, self.jiffies().max(1))),
            Figure::RxHandlerCalls => n(c.rx_handler_calls),
            Figure::UnmaskHypercalls => n(c.unmask_hypercalls),
            Figure::TxPortEvents => n(c.port_events[0]),
            Figure::RxPortEvents => n(c.port_events[rx]),
            Figure::TxPortSpurious => n(c.port_spurious[0]),
            Figure::RxPortSpurious => n(c.port_spurious[rx]),
            Figure::TxPortHeld => n(c.port_held[0]),
            Figure::RxPortHeld => n(c.port_held[rx]),
            // The sender's window is the sim's to know: `Sim::figure` works it out.
            Figure::WindowsPerTick
            | Figure::PacketsInFlight
            | Figure::OrderViolations
            | Figure::PortMasked
            | Figure::PortPending
            | Figure::OnDelayedList
            | Figure::SpuriousCnt
            | Figure::EventsSinceStep
            | Figure::NotifiesSinceStep => None,
        }
    }
}

named_enum! {
    /// A named figure: every number of `run --json`, plus the ones lessons need.
    pub enum Figure {
        SimulatedSeconds = "simulated_seconds",
        GoodputMbps = "goodput_mbps",
        PacketsOffered = "packets_offered",
        PacketsDelivered = "packets_delivered",
        PacketsInFlight = "packets_in_flight",
        PacketsDropped = "packets_dropped",
        EventsSent = "events_sent",
        EventsDelivered = "events_delivered",
        EventsCoalesced = "events_coalesced",
        EventsHeldMasked = "events_held_masked",
        Upcalls = "upcalls",
        LateeoiCalls = "lateeoi_calls",
        SpuriousEvents = "spurious_events",
        SpuriousRatio = "spurious_ratio",
        JiffiesEoiDelayed = "jiffies_eoi_delayed",
        ThrottlePauses = "throttle_pauses",
        WorkerEois = "worker_eois",
        MaskedPct = "masked_pct",
        PausedPct = "paused_pct",
        Dom0CpuPct = "dom0_cpu_pct",
        GuestCpuPct = "guest_cpu_pct",
        GuestNotifies = "guest_notifies",
        OrderViolations = "order_violations",
        EventsPerJiffy = "events_per_jiffy",
        PausesInWindow = "pauses_in_window",
        PortMasked = "port_masked",
        PortPending = "port_pending",
        OnDelayedList = "on_delayed_list",
        SpuriousCnt = "spurious_cnt",
        EventsSinceStep = "events_since_step",
        NotifiesSinceStep = "notifies_since_step",
        RxHandlerCalls = "rx_handler_calls",
        UnmaskHypercalls = "unmask_hypercalls",
        TxPortEvents = "tx_port_events",
        RxPortEvents = "rx_port_events",
        TxPortSpurious = "tx_port_spurious",
        RxPortSpurious = "rx_port_spurious",
        TxPortHeld = "tx_port_held",
        RxPortHeld = "rx_port_held",
        WindowsPerTick = "windows_per_tick",
    }
}

/// How a figure is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureKind {
    /// Over a window of virtual time (the last second, unless a goal says otherwise).
    Window,
    /// The state right now.
    State,
    /// Since the current lesson step began (or the mark the caller gives).
    SinceMark,
}

impl Figure {
    pub fn kind(self) -> FigureKind {
        match self {
            Figure::PacketsInFlight
            | Figure::OrderViolations
            | Figure::PortMasked
            | Figure::PortPending
            | Figure::OnDelayedList
            | Figure::SpuriousCnt => FigureKind::State,
            Figure::EventsSinceStep | Figure::NotifiesSinceStep => FigureKind::SinceMark,
            _ => FigureKind::Window,
        }
    }

    /// A yes/no figure (0 or 1).
    pub fn is_bool(self) -> bool {
        matches!(
            self,
            Figure::PortMasked | Figure::PortPending | Figure::OnDelayedList
        )
    }

    /// What it is, in a few words (a lesson's checklist shows this).
    pub fn label(self) -> &'static str {
        match self {
            Figure::SimulatedSeconds => "virtual seconds",
            Figure::GoodputMbps => "goodput, Mbit/s",
            Figure::PacketsOffered => "packets offered",
            Figure::PacketsDelivered => "packets delivered",
            Figure::PacketsInFlight => "packets in flight",
            Figure::PacketsDropped => "packets dropped",
            Figure::EventsSent => "notifies sent",
            Figure::EventsDelivered => "events delivered",
            Figure::EventsCoalesced => "notifies coalesced",
            Figure::EventsHeldMasked => "notifies held (masked)",
            Figure::Upcalls => "upcalls",
            Figure::LateeoiCalls => "late EOIs",
            Figure::SpuriousEvents => "spurious_events",
            Figure::SpuriousRatio => "spurious share of late EOIs",
            Figure::JiffiesEoiDelayed => "jiffies_eoi_delayed",
            Figure::ThrottlePauses => "throttle pauses",
            Figure::WorkerEois => "worker EOIs",
            Figure::MaskedPct => "port masked, % of time",
            Figure::PausedPct => "port paused, % of time",
            Figure::Dom0CpuPct => "dom0 CPU, % of a vCPU",
            Figure::GuestCpuPct => "guest CPU, % of a vCPU",
            Figure::GuestNotifies => "dom0 → guest notifies",
            Figure::OrderViolations => "segments out of order",
            Figure::EventsPerJiffy => "events per jiffy",
            Figure::PausesInWindow => "throttle pauses",
            Figure::PortMasked => "port masked",
            Figure::PortPending => "port pending",
            Figure::OnDelayedList => "on the delayed-EOI list",
            Figure::SpuriousCnt => "spurious_cnt",
            Figure::EventsSinceStep => "events delivered in this step",
            Figure::NotifiesSinceStep => "notifies sent in this step",
            Figure::RxHandlerCalls => "RX handler calls",
            Figure::UnmaskHypercalls => "EVTCHNOP_unmask hypercalls",
            Figure::TxPortEvents => "events on the TX (or common) port",
            Figure::RxPortEvents => "events on the RX (or common) port",
            Figure::TxPortSpurious => "spurious EOIs, TX (or common) port",
            Figure::RxPortSpurious => "spurious EOIs, RX (or common) port",
            Figure::TxPortHeld => "notifies held, TX (or common) port",
            Figure::RxPortHeld => "notifies held, RX (or common) port",
            Figure::WindowsPerTick => "send windows a jiffy",
        }
    }

    /// A value of this figure as the screen shows it.
    pub fn format(self, v: f64) -> String {
        if self.is_bool() {
            return if v != 0.0 { "yes" } else { "no" }.to_string();
        }
        match self {
            Figure::SpuriousRatio => format!("{v:.3}"),
            Figure::SimulatedSeconds | Figure::EventsPerJiffy | Figure::WindowsPerTick => {
                format!("{v:.2}")
            }
            Figure::MaskedPct | Figure::PausedPct | Figure::Dom0CpuPct | Figure::GuestCpuPct => {
                format!("{v:.1}")
            }
            Figure::GoodputMbps => format!("{v:.0}"),
            _ => format!("{v:.0}"),
        }
    }
}

/// One metrics interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Sample {
    /// End of the interval, ns of virtual time.
    pub t_end_ns: u64,
    /// Length of the interval, ns.
    pub len_ns: u64,
    pub goodput_mbps: f64,
    pub packets_delivered: u64,
    pub events_sent: u64,
    pub events_delivered: u64,
    pub events_coalesced: u64,
    pub spurious_events: u64,
    pub lateeoi_calls: u64,
    pub jiffies_eoi_delayed: u64,
    pub masked_ns: u64,
    pub paused_ns: u64,
    pub dom0_cpu_pct: f64,
}

impl Sample {
    /// The interval between two counter readings.
    pub fn between(a: &Counters, b: &Counters, t_end_ns: u64, len_ns: u64) -> Self {
        let secs = len_ns.max(1) as f64 / 1e9;
        let d = b.since(a);
        Sample {
            t_end_ns,
            len_ns,
            goodput_mbps: d.bytes_delivered as f64 * 8.0 / secs / 1e6,
            packets_delivered: d.packets_delivered,
            events_sent: d.events_sent,
            events_delivered: d.events_delivered,
            events_coalesced: d.events_coalesced,
            spurious_events: d.spurious_events,
            lateeoi_calls: d.lateeoi_calls,
            jiffies_eoi_delayed: d.jiffies_eoi_delayed,
            masked_ns: d.masked_ns,
            paused_ns: d.paused_ns,
            dom0_cpu_pct: d.dom0_busy_ns as f64 / len_ns.max(1) as f64 * 100.0,
        }
    }
}

/// The most recent samples (bounded; allocated once).
#[derive(Clone, Debug)]
pub struct Samples {
    buf: VecDeque<Sample>,
    cap: usize,
}

impl Samples {
    pub fn with_capacity(cap: usize) -> Self {
        let cap = cap.max(1);
        Samples {
            buf: VecDeque::with_capacity(cap),
            cap,
        }
    }

    pub fn push(&mut self, s: Sample) {
        if self.buf.len() == self.cap {
            self.buf.pop_front();
        }
        self.buf.push_back(s);
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Sample> + ExactSizeIterator + '_ {
        self.buf.iter()
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn last(&self) -> Option<&Sample> {
        self.buf.back()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(t_ms: u64, delivered_bytes: u64) -> Reading {
        Reading {
            t_ns: t_ms * 1_000_000,
            jiffies: t_ms / 4,
            counters: Counters {
                bytes_delivered: delivered_bytes,
                events_delivered: t_ms / 2,
                ..Counters::default()
            },
        }
    }

    #[test]
    fn history_finds_the_reading_at_or_before() {
        let mut h = History::new();
        for k in 1..=50 {
            h.push(reading(k * 10, k * 1000));
        }
        assert_eq!(h.at_or_before(0).t_ns, 0);
        assert_eq!(h.at_or_before(125_000_000).t_ns, 120_000_000);
        assert_eq!(h.at_or_before(130_000_000).t_ns, 130_000_000);
        assert_eq!(h.at_or_before(u64::MAX).t_ns, 500_000_000);
    }

    #[test]
    fn history_forgets_the_oldest_and_answers_with_what_it_has() {
        let mut h = History::new();
        for k in 1..=(HISTORY_KEPT as u64 + 10) {
            h.push(reading(k * 10, 0));
        }
        // The oldest kept is reading 11 (t = 110 ms): older times get it.
        assert_eq!(h.at_or_before(0).t_ns, 110_000_000);
        assert_eq!(h.at_or_before(200_000_000).t_ns, 200_000_000);
    }

    #[test]
    fn window_figures_are_rates_over_the_span() {
        let w = Window {
            from: reading(1000, 0),
            to: reading(2000, 125_000_000), // 1 Gbit in one second
        };
        assert_eq!(w.figure(Figure::GoodputMbps, 1), Some(1000.0));
        assert_eq!(w.figure(Figure::SimulatedSeconds, 1), Some(1.0));
        // 500 events over 250 jiffies
        assert_eq!(w.figure(Figure::EventsPerJiffy, 1), Some(2.0));
        assert_eq!(w.figure(Figure::PortMasked, 1), None);
    }

    #[test]
    fn figures_have_one_name_each() {
        for &f in Figure::ALL {
            assert_eq!(f.name().parse::<Figure>(), Ok(f));
            assert_eq!(f.to_string(), f.name());
        }
        assert!("throttle_ratio".parse::<Figure>().is_err());
        assert_eq!(Figure::PortMasked.format(1.0), "yes");
        assert_eq!(Figure::GoodputMbps.format(549.6), "550");
    }
}
