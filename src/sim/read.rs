//! The read side: what the lab, the lessons and the report see of a run (state, counters,
//! windows and figures), none of which changes the simulation.

use super::report::Report;
use super::*;

impl Sim {
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Virtual time, ns.
    pub fn now_ns(&self) -> u64 {
        self.now
    }

    /// dom0's jiffies.
    pub fn jiffies(&self) -> u64 {
        self.jiffies
    }

    /// `shared_info` and `vcpu_info` (on FIFO only `vcpu_info` is live).
    pub fn shared_info(&self) -> &SharedInfo {
        self.evtchn.shared_info()
    }

    /// dom0's event channels in the ABI of the run (2-level or FIFO).
    pub fn event_channels(&self) -> &EventChannels {
        &self.evtchn
    }

    pub fn event_core(&self) -> &EventCore {
        &self.core
    }

    /// netback's `eoi_pending` bits ([`eoi_pending`]).
    pub fn eoi_pending(&self) -> u8 {
        self.eoi_pending
    }

    pub fn tx_ring(&self) -> &Ring {
        &self.tx
    }

    pub fn rx_ring(&self) -> &Ring {
        &self.rx
    }

    /// Packets netback holds for the guest (`queue->rx_queue`).
    pub fn rx_queue_len(&self) -> usize {
        self.rx_queue.len()
    }

    /// dom0 CPU time counted as busy but still to come at `t_ns` (the end of a window;
    /// the sim's own clock may stand at its last event, before it): work is counted whole
    /// when it starts, so the part of vCPU 0's current item and of the kthread's batch
    /// after `t_ns`.
    pub fn dom0_busy_after_ns(&self, t_ns: u64) -> u64 {
        let cpu0 = if self.cpu0.current.is_some() {
            self.cpu0.done_at.saturating_sub(t_ns)
        } else {
            0
        };
        let kthread = if self.kthread.running {
            self.kthread.done_at.saturating_sub(t_ns)
        } else {
            0
        };
        cpu0 + kthread
    }

    /// Whether netback's NAPI TX poll is scheduled or running.
    pub fn napi_scheduled(&self) -> bool {
        self.cpu0.napi_scheduled
    }

    /// Whether netback's RX kthread is awake.
    pub fn kthread_awake(&self) -> bool {
        self.kthread.runnable
    }

    pub fn sender(&self) -> &TcpSender {
        &self.sender
    }

    pub fn receiver(&self) -> &TcpReceiver {
        &self.receiver
    }

    /// dom0's ports bound to the guest, in port order.
    pub fn ports(&self) -> impl Iterator<Item = PortView> + '_ {
        self.ports[..self.nports].iter().map(|p| {
            let irq = self.core.irq(p.port);
            PortView {
                port: p.port,
                role: p.role,
                pending: self.evtchn.is_pending(p.port),
                masked: self.evtchn.is_masked(p.port),
                selected: match &self.evtchn {
                    EventChannels::TwoLevel(t) => t.shared.is_selected(p.port),
                    EventChannels::Fifo(f) => f.is_linked(p.port),
                },
                link: self.evtchn.fifo().map_or(0, |f| f.link(p.port)),
                mask_reason: irq.mask_reason,
                spurious_cnt: irq.spurious_cnt,
                eoi_time: irq.eoi_time,
                on_eoi_list: irq.on_eoi_list,
                counters: irq.counters,
            }
        })
    }

    /// Counters so far, with masked and paused time counted up to now.
    pub fn counters(&self) -> Counters {
        let mut c = self.counters;
        for p in &self.ports[..self.nports] {
            if let Some(s) = p.masked_since {
                c.masked_ns += self.now - s;
            }
            if let Some(s) = p.paused_since {
                c.paused_ns += self.now - s;
            }
        }
        c
    }

    pub fn samples(&self) -> &Samples {
        &self.samples
    }

    // ----- figures ------------------------------------------------------------------------

    /// The counters now.
    pub fn reading(&self) -> Reading {
        Reading {
            t_ns: self.now,
            jiffies: self.jiffies,
            counters: self.counters(),
        }
    }

    /// The last `d_ns` of virtual time (at least that much, to the [`metrics::HISTORY_NS`]
    /// grid; less when the run is younger, or older than the history holds).
    pub fn last(&self, d_ns: u64) -> Window {
        Window {
            from: self.history.at_or_before(self.now.saturating_sub(d_ns)),
            to: self.reading(),
        }
    }

    /// Everything since `from` (a reading the caller kept, such as a lesson step's start).
    pub fn since(&self, from: Reading) -> Window {
        Window {
            from,
            to: self.reading(),
        }
    }

    /// The whole run so far.
    pub fn whole_run(&self) -> Window {
        self.since(Reading::default())
    }

    /// A figure: over `window` for window figures, since `mark` for step figures, the
    /// state now for the others. Yes/no figures are 1 or 0.
    pub fn figure(&self, f: Figure, window: &Window, mark: &Reading) -> f64 {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        match f.kind() {
            FigureKind::Window if f == Figure::WindowsPerTick => self.windows_per_tick(window),
            FigureKind::Window => window.figure(f, self.nports).unwrap_or(0.0),
            FigureKind::SinceMark => {
                let c = self.reading().counters.since(&mark.counters);
                match f {
                    Figure::NotifiesSinceStep => c.events_sent as f64,
                    _ => c.events_delivered as f64,
                }
            }
            FigureKind::State => match f {
                Figure::PacketsInFlight => self.data_in_flight() as f64,
                Figure::OrderViolations => f64::from(self.receiver.order_violations),
                Figure::PortMasked => flag(self.ports().any(|p| p.masked)),
                Figure::PortPending => flag(self.ports().any(|p| p.pending)),
                Figure::OnDelayedList => flag(self.ports().any(|p| p.on_eoi_list)),
                _ => f64::from(self.ports().map(|p| p.spurious_cnt).max().unwrap_or(0)),
            },
        }
    }

    /// Payload delivered in a jiffy, in send windows of the sender (the guest when it
    /// sends, the peer when it receives): what a sender can move per tick when a pause a
    /// tick stops its ACK clock is about one window.
    fn windows_per_tick(&self, window: &Window) -> f64 {
        let sender = match self.cfg.direction {
            Direction::Tx => self.cfg.guest_os(),
            Direction::Rx => self.cfg.peer_os(),
        };
        let bytes = window.delta().bytes_delivered as f64;
        let jiffies = window.jiffies().max(1) as f64;
        bytes / jiffies / f64::from(sender.send_window.max(1))
    }

    /// What a spurious late EOI for `port` would do now (`None` without late EOI: no EOI
    /// is ever sent).
    pub fn next_spurious(&self, port: u32) -> Option<NextSpurious> {
        self.cfg
            .lateeoi
            .then(|| self.core.next_spurious(port, self.late_settings()))
    }

    /// The guest's first port: the common port, or the TX port of split channels (the one
    /// the hands-on keys act on).
    pub fn first_port(&self) -> u32 {
        self.ports[0].port
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Data segments somewhere between sender and receiver, counted by walking every queue
    /// (independent of the counters, for the conservation check).
    pub fn data_in_flight(&self) -> u64 {
        let is_data = |p: &Pkt| p.kind == PktKind::Data;
        (self.tx.queued_requests().filter(is_data).count()
            + self.rx.queued_responses().filter(is_data).count()
            + self.rx_queue.iter().filter(|p| is_data(p)).count()
            + self.stack.iter().filter(|p| is_data(p)).count()
            + self.to_peer.iter().filter(|(_, p)| is_data(p)).count()
            + self.from_peer.iter().filter(|(_, p)| is_data(p)).count()) as u64
    }

    /// A summary of the run so far.
    pub fn report(&self) -> Report {
        Report::new(self)
    }

    /// The settings the late-EOI step runs with now.
    pub fn late_eoi_settings(&self) -> LateEoiSettings {
        self.late_settings()
    }

    pub(super) fn late_settings(&self) -> LateEoiSettings {
        LateEoiSettings {
            hz: self.cfg.hz,
            spurious_threshold: self.cfg.spurious_threshold,
            throttle: self.cfg.throttle,
        }
    }
}
