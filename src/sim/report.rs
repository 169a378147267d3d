//! The headless report: a run's figures in one struct (and its JSON).

use serde::Serialize;

use super::*;

/// What a run produced: the figures of the headless report and its JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub simulated_seconds: f64,
    pub goodput_mbps: f64,
    pub packets_offered: u64,
    pub packets_delivered: u64,
    pub packets_in_flight: u64,
    pub packets_dropped: u64,
    pub events_sent: u64,
    pub events_delivered: u64,
    pub events_coalesced: u64,
    pub events_held_masked: u64,
    pub upcalls: u64,
    pub lateeoi_calls: u64,
    pub spurious_events: u64,
    pub spurious_ratio: f64,
    pub jiffies_eoi_delayed: u64,
    pub throttle_pauses: u64,
    pub worker_eois: u64,
    /// Share of time the guest's port(s) were masked, averaged over ports, percent.
    pub masked_pct: f64,
    /// Share of time on the delayed-EOI list (throttle pauses), percent.
    pub paused_pct: f64,
    /// dom0 CPU time for this guest, percent of one vCPU.
    pub dom0_cpu_pct: f64,
    pub guest_cpu_pct: f64,
    pub guest_notifies: u64,
    pub order_violations: u32,
    /// Calls of `xenvif_handle_rx_interrupt` (an inline `||` or `&&` skips some).
    pub rx_handler_calls: u64,
    /// FIFO's `EVTCHNOP_unmask` hypercalls (0 on 2-level).
    pub unmask_hypercalls: u64,
    /// Per port (on a common channel both name the one port): events handled, late EOIs
    /// flagged spurious, notifies held masked.
    pub tx_port_events: u64,
    pub rx_port_events: u64,
    pub tx_port_spurious: u64,
    pub rx_port_spurious: u64,
    pub tx_port_held: u64,
    pub rx_port_held: u64,
    pub config: Config,
}

impl Report {
    /// The whole run, through the figure API (the same numbers a lesson goal reads).
    pub(super) fn new(sim: &Sim) -> Self {
        let w = sim.whole_run();
        let mark = Reading::default();
        let f = |fig: Figure| sim.figure(fig, &w, &mark);
        let n = |fig: Figure| f(fig) as u64;
        Report {
            simulated_seconds: w.seconds().max(1e-9),
            goodput_mbps: f(Figure::GoodputMbps),
            packets_offered: n(Figure::PacketsOffered),
            packets_delivered: n(Figure::PacketsDelivered),
            packets_in_flight: n(Figure::PacketsInFlight),
            packets_dropped: n(Figure::PacketsDropped),
            events_sent: n(Figure::EventsSent),
            events_delivered: n(Figure::EventsDelivered),
            events_coalesced: n(Figure::EventsCoalesced),
            events_held_masked: n(Figure::EventsHeldMasked),
            upcalls: n(Figure::Upcalls),
            lateeoi_calls: n(Figure::LateeoiCalls),
            spurious_events: n(Figure::SpuriousEvents),
            spurious_ratio: f(Figure::SpuriousRatio),
            jiffies_eoi_delayed: n(Figure::JiffiesEoiDelayed),
            throttle_pauses: n(Figure::ThrottlePauses),
            worker_eois: n(Figure::WorkerEois),
            masked_pct: f(Figure::MaskedPct),
            paused_pct: f(Figure::PausedPct),
            dom0_cpu_pct: f(Figure::Dom0CpuPct),
            guest_cpu_pct: f(Figure::GuestCpuPct),
            guest_notifies: n(Figure::GuestNotifies),
            order_violations: f(Figure::OrderViolations) as u32,
            rx_handler_calls: n(Figure::RxHandlerCalls),
            unmask_hypercalls: n(Figure::UnmaskHypercalls),
            tx_port_events: n(Figure::TxPortEvents),
            rx_port_events: n(Figure::RxPortEvents),
            tx_port_spurious: n(Figure::TxPortSpurious),
            rx_port_spurious: n(Figure::RxPortSpurious),
            tx_port_held: n(Figure::TxPortHeld),
            rx_port_held: n(Figure::RxPortHeld),
            config: sim.cfg,
        }
    }
}

/// Run a scenario headless for `seconds` of virtual time.
pub fn run(cfg: Config, seconds: f64) -> Report {
    let mut sim = Sim::headless(cfg);
    sim.run_until((seconds.max(0.0) * 1e9) as u64);
    sim.report()
}
