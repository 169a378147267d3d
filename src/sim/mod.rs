//! The simulation core: a guest's netfront, Xen's event channels, dom0's late-EOI machinery
//! and netback, and a peer, driven by one virtual clock.
//!
//! Pure and deterministic: no I/O, no wall clock, no hash-order iteration. Time moves only
//! through [`Sim::step`] / [`Sim::run_until`]; the event queue is ordered by (time, sequence)
//! and one seeded RNG draws every jitter. Same [`Config`] and same knob changes at the same
//! virtual times give the same run, bit for bit.
//!
//! Actors and where they run (`docs/model.md` §1; the CPU layout is **model**):
//! ```text
//!  guest vCPU                Xen                 dom0 vCPU 0              dom0 vCPU 1
//!  netfront + TCP  --push--> evtchn send --upcall--> upcall/handler       RX kthread
//!     ^   TX ring/RX ring                         NAPI TX poll             (xenvif_rx_action)
//!     |                                           delayed-EOI worker
//!     +----- guest irq (dom0 notifies) <------------------+-------------------+
//!                                     bridge <--> peer (Linux, TCP other end)
//! ```
//! Interrupts (the upcall and netback's handlers) preempt vCPU 0's current work; NAPI and
//! the worker run to completion one after the other. The RX kthread has a vCPU of its own,
//! as a dom0 with several vCPUs schedules it.
//!
//! One file per actor, each an `impl Sim` block over the shared state defined here:
//! - `upcall.rs`: Xen's send, the upcall into dom0 and its loop (ack, then
//!   netback's handler);
//! - `vcpu0.rs`: dom0 vCPU 0: netback's handlers, late EOIs, the NAPI TX poll and
//!   the delayed-EOI worker;
//! - `kthread.rs`: netback's RX side on dom0 vCPU 1 (`xenvif_start_xmit`, the RX
//!   kthread);
//! - `netfront.rs`: the guest's netfront and TCP;
//! - `peer.rs`: the bridge and the peer.

pub mod abi;
pub mod events_base;
pub mod knob;
pub mod metrics;
pub mod params;
mod queue;
pub mod ring;
pub mod tcp;
pub mod trace;
mod wire;

mod kthread;
mod netfront;
mod peer;
mod upcall;
mod vcpu0;

use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

pub use abi::{EventChannelAbi, EventChannels, Fifo, SendOutcome, SharedInfo, TwoLevel};
pub use events_base::{
    DeviceCounters, EVENT_EOI_DELAY, EVENT_LOOP_TIMEOUT, EoiOutcome, EventCore, IrqInfo,
    LateEoiSettings, LoopCtrl, NextSpurious, spurious_cnt_cap,
};
pub use knob::{Knob, KnobChange, Setting, on_off};
use kthread::Kthread;
pub use metrics::{Counters, Figure, FigureKind, History, Reading, Sample, Samples, Window};
use netfront::GuestCpu;
pub use params::{
    Abi, Config, Direction, GuestKind, ModelParams, NetbackVariant, OsProfile, UnknownName,
};
use peer::Peer;
use queue::EventQueue;
pub use ring::{Pkt, PktKind, RING_SIZE, Ring};
pub use tcp::{TcpReceiver, TcpSender};
pub use trace::{
    EoiResult, EoiSource, NotifyCause, PortRole, Trace, TraceEvent, TraceKind, plural,
};
use vcpu0::Cpu0;
use wire::Wire;

/// netback's `eoi_pending` bits (`NETBK_RX_EOI`, `NETBK_TX_EOI`, `NETBK_COMMON_EOI`).
pub mod eoi_pending {
    pub const RX_EOI: u8 = 0x01;
    pub const TX_EOI: u8 = 0x02;
    pub const COMMON_EOI: u8 = 0x04;
}

/// NAPI budget of netback's TX poll.
pub const NAPI_BUDGET: u32 = 64;
/// Packets the RX kthread moves per `xenvif_rx_action` (`RX_BATCH_SIZE`).
pub const RX_BATCH_SIZE: u32 = 64;
/// The delayed-ACK timer of both receivers (**model** of a GRO flush / delayed ACK), ns.
pub const DELACK_NS: u64 = 50_000;
/// Default capacity of the trace ring.
pub const DEFAULT_TRACE_CAPACITY: usize = 4096;
/// Samples kept (at the default 100 ms interval: the last two minutes).
pub const SAMPLES_KEPT: usize = 1200;

/// The first dom0 port bound to the guest (dom0's low ports go to xenstore, console, …).
pub const FIRST_PORT: u32 = 5;

/// One of dom0's ports bound to the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PortView {
    pub port: u32,
    pub role: PortRole,
    pub pending: bool,
    pub masked: bool,
    /// The third bit of the port's line: on 2-level, the selector bit of its word in
    /// `evtchn_pending_sel`; on FIFO, `L` (linked in a queue).
    pub selected: bool,
    /// FIFO: the port's `LINK` field, the next port in its queue (0 on 2-level).
    pub link: u32,
    pub mask_reason: u8,
    pub spurious_cnt: u8,
    /// Jiffies at which a throttle pause ends (0 = none).
    pub eoi_time: u64,
    pub on_eoi_list: bool,
    pub counters: DeviceCounters,
}

#[derive(Clone, Copy, Debug)]
struct PortTimes {
    port: u32,
    role: PortRole,
    masked_since: Option<u64>,
    paused_since: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    /// A jiffy boundary of dom0's clock.
    Tick,
    /// End of a metrics interval.
    Sample,
    /// Time for a [`Reading`] of the counters (every [`metrics::HISTORY_NS`]).
    History,
    /// dom0 vCPU 0 finishes its current work item (stale when `generation` is old).
    Cpu0Done { generation: u32 },
    /// An upcall reaches dom0 vCPU 0.
    Upcall,
    /// The RX kthread finishes a batch.
    KthreadDone,
    /// The guest vCPU finishes a batch.
    GuestDone,
    /// netback's notification reaches the guest.
    GuestIrq,
    /// The head of the bridge → peer wire arrives.
    PeerArrive,
    /// The head of the peer → netback wire arrives (`xenvif_start_xmit`).
    NetbackArrive,
    /// The peer's delayed-ACK timer.
    PeerDelack,
    /// The guest's delayed-ACK timer.
    GuestDelack,
    /// The rogue guest's next notify.
    RogueNotify,
}

/// The whole simulated system. A clone continues independently (a "what if" branch).
#[derive(Clone)]
pub struct Sim {
    cfg: Config,
    now: u64,
    jiffies: u64,
    q: EventQueue<Ev>,
    rng: Xoshiro256PlusPlus,
    /// `jitter_pct` (at most 90) / 100, read once.
    jitter_frac: f64,
    jitter_factors: JitterFactors,

    evtchn: EventChannels,
    core: EventCore,
    ports: [PortTimes; 2],
    nports: usize,

    // netback, per queue
    eoi_pending: u8,
    tx: Ring,
    rx: Ring,
    rx_queue: Wire<Pkt>,
    netback_arrive_scheduled: bool,
    cpu0: Cpu0,
    kthread: Kthread,

    guest: GuestCpu,
    /// Packets the guest collected from the RX ring, waiting for its stack.
    stack: Wire<Pkt>,
    peer: Peer,
    to_peer: Wire<(u64, Pkt)>,
    from_peer: Wire<(u64, Pkt)>,

    sender: TcpSender,
    receiver: TcpReceiver,

    counters: Counters,
    last_sample: Counters,
    last_sample_t: u64,
    samples: Samples,
    history: History,
    trace: Trace,
    /// While [`Sim::step_transition_frames`] runs: the sim as it was just after each
    /// transition traced so far (`None` otherwise: one predictable branch per record).
    frames: Option<Vec<Sim>>,
    /// Whether a record does more than count: the trace keeps records, or `frames` is on.
    /// Headless runs test this one flag per transition.
    records_kept: bool,
}

/// A hands-on action on the guest's first port (the lessons' `n`, `m`, `u` keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortAction {
    /// The guest notifies the port (`EVTCHNOP_send`).
    Notify,
    /// dom0 masks the port on purpose (`mask_irq`: reason `EXPLICIT`).
    Mask,
    /// dom0 drops its explicit mask (`unmask_irq`).
    Unmask,
}

const WIRE_CAPACITY: usize = 4096;

impl Sim {
    pub fn new(cfg: Config) -> Self {
        Self::with_trace_capacity(cfg, DEFAULT_TRACE_CAPACITY)
    }

    /// A simulation that keeps no trace (capacity 0; transitions are only counted): the
    /// headless report, benchmarks, anything that reads only figures.
    pub fn headless(cfg: Config) -> Self {
        Self::with_trace_capacity(cfg, 0)
    }

    /// A simulation whose trace ring keeps the last `trace_capacity` transitions (0: none
    /// kept, only counted).
    pub fn with_trace_capacity(cfg: Config, trace_capacity: usize) -> Self {
        let mut cfg = cfg;
        cfg.hz = cfg.hz.clamp(1, 10_000);
        cfg.params.sample_interval_ns = cfg.params.sample_interval_ns.max(1_000_000);
        let split = !cfg.common_channel();
        let (nports, ports) = if split {
            (
                2,
                [(FIRST_PORT, PortRole::Tx), (FIRST_PORT + 1, PortRole::Rx)],
            )
        } else {
            // The common port twice: `ports[1]` is the RX port either way (`rx_port`).
            (
                1,
                [
                    (FIRST_PORT, PortRole::Common),
                    (FIRST_PORT, PortRole::Common),
                ],
            )
        };
        let port_list: Vec<u32> = ports[..nports].iter().map(|p| p.0).collect();
        let (sender, receiver) = match cfg.direction {
            Direction::Tx => (
                TcpSender::new(cfg.guest_os().send_window, cfg.params.mss),
                TcpReceiver::new(cfg.peer_os().ack_every),
            ),
            Direction::Rx => (
                TcpSender::new(cfg.peer_os().send_window, cfg.params.mss),
                TcpReceiver::new(cfg.guest_os().ack_every),
            ),
        };
        let mut sim = Sim {
            now: 0,
            jiffies: 0,
            q: EventQueue::with_capacity(256),
            rng: Xoshiro256PlusPlus::seed_from_u64(cfg.seed),
            jitter_frac: f64::from(cfg.params.jitter_pct.min(90)) / 100.0,
            jitter_factors: JitterFactors::new(),
            evtchn: EventChannels::new(cfg.abi),
            core: EventCore::new(&port_list),
            ports: ports.map(|(port, role)| PortTimes {
                port,
                role,
                masked_since: None,
                paused_since: None,
            }),
            nports,
            eoi_pending: 0,
            tx: Ring::default(),
            rx: Ring::default(),
            rx_queue: Wire::with_capacity(WIRE_CAPACITY),
            netback_arrive_scheduled: false,
            cpu0: Cpu0::default(),
            kthread: Kthread::default(),
            guest: GuestCpu::default(),
            stack: Wire::with_capacity(WIRE_CAPACITY),
            peer: Peer::default(),
            to_peer: Wire::with_capacity(WIRE_CAPACITY),
            from_peer: Wire::with_capacity(WIRE_CAPACITY),
            sender,
            receiver,
            counters: Counters::default(),
            last_sample: Counters::default(),
            last_sample_t: 0,
            samples: Samples::with_capacity(SAMPLES_KEPT),
            history: History::new(),
            trace: Trace::with_capacity(trace_capacity),
            frames: None,
            records_kept: trace_capacity > 0,
            cfg,
        };
        let jiffy = sim.cfg.jiffy_ns();
        sim.q.push(jiffy, Ev::Tick);
        sim.q.push(sim.cfg.params.sample_interval_ns, Ev::Sample);
        sim.q.push(metrics::HISTORY_NS, Ev::History);
        match (sim.cfg.guest, sim.cfg.direction) {
            (GuestKind::Rogue, _) => sim.q.push(0, Ev::RogueNotify),
            // The idle guest waits for the learner's notifies.
            (GuestKind::Idle, _) => {}
            (GuestKind::Freebsd | GuestKind::Linux, direction) => {
                // The guest posts its RX buffers (and starts sending, for TX).
                sim.guest.irq_pending = true;
                sim.guest.output = true;
                sim.guest_begin();
                if direction == Direction::Rx {
                    sim.peer_send();
                }
            }
        }
        sim
    }

    // ----- public read side -------------------------------------------------------------

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

    /// Whether netback's NAPI TX poll is scheduled or running.
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

    // ----- public write side ------------------------------------------------------------

    /// Change a knob now. Guest kind, direction, HZ and seed need a new `Sim`.
    pub fn set_knob(&mut self, change: KnobChange) {
        if change == KnobChange::LateEoi(false) && self.cfg.lateeoi {
            self.disable_lateeoi();
        }
        self.cfg = change.setting().apply(self.cfg);
        self.record(TraceKind::Knob { change });
    }

    /// A hands-on action on the guest's first port, now.
    pub fn port_action(&mut self, a: PortAction) {
        let port = self.first_port();
        match a {
            PortAction::Notify => self.guest_notify(port, NotifyCause::ByHand),
            PortAction::Mask => {
                let was_masked = self.evtchn.is_masked(port);
                self.core
                    .do_mask(&mut self.evtchn, port, events_base::mask_reason::EXPLICIT);
                self.record(TraceKind::Mask { port, was_masked });
                self.sync_port_times(port);
            }
            PortAction::Unmask => {
                let r =
                    self.core
                        .do_unmask(&mut self.evtchn, port, events_base::mask_reason::EXPLICIT);
                self.record(TraceKind::ExplicitUnmask {
                    port,
                    still_masked: self.evtchn.is_masked(port),
                });
                self.unmask_done(port, r);
            }
        }
    }

    /// After an unmask outside the late-EOI step (by hand, or leaving late EOI): as
    /// [`Sim::after_unmask`], its hypercall (FIFO) charged to vCPU 0.
    fn unmask_done(&mut self, port: u32, retrigger: Option<SendOutcome>) {
        let cost = self.after_unmask(port, retrigger);
        if cost > 0 {
            self.cpu0_charge_irq(cost);
        }
    }

    /// Leaving late EOI at run time: what the old binding would have: no port kept masked
    /// for an EOI, nothing on the delayed list.
    fn disable_lateeoi(&mut self) {
        self.eoi_pending = 0;
        while let Some(port) = self.core.worker_take_due(u64::MAX) {
            self.sync_port_times(port);
        }
        self.core.list.work_due = None;
        for i in 0..self.nports {
            let port = self.ports[i].port;
            if self.core.irq(port).mask_reason & events_base::mask_reason::EOI_PENDING != 0 {
                let r = self.core.do_unmask(
                    &mut self.evtchn,
                    port,
                    events_base::mask_reason::EOI_PENDING,
                );
                self.unmask_done(port, r);
            }
        }
    }

    /// Process the next event. Returns its time.
    pub fn step(&mut self) -> u64 {
        // The tick and sample events are always queued, so the queue is never empty.
        let (t, ev) = self
            .q
            .pop()
            .expect("periodic events keep the queue non-empty");
        debug_assert!(t >= self.now);
        self.now = t;
        self.dispatch(ev, None);
        t
    }

    /// Process every event up to and including `t_ns`, then stand at `t_ns`.
    ///
    /// Nothing looks at the simulation between two events here, so a run of the rogue
    /// guest's notifies that find the port pending (each changes only counters and adds a
    /// trace record) is accounted in one go ([`Sim::coalesce_rogue_run`]): the same
    /// counters, trace records and times as one event each.
    pub fn run_until(&mut self, t_ns: u64) {
        while let Some((t, ev)) = self.q.pop_due(t_ns) {
            debug_assert!(t >= self.now);
            self.now = t;
            self.dispatch(ev, Some(t_ns));
        }
        self.now = self.now.max(t_ns);
    }

    /// Right after a rogue notify at `now`: when the port is left pending (and, on FIFO,
    /// masked or linked), every further notify coalesces and changes nothing but counters
    /// until another event runs. The notifies due before the next other event (and by
    /// `limit`) are accounted here, exactly as their events would: `events_sent`,
    /// `events_coalesced`, guest CPU time, a `Notify … coalesced` record each (at its own
    /// time), and the next notify queued after the last of them.
    ///
    /// Order: the notify queued at `now + p` was the last event scheduled, so it is next
    /// only if every other event is due later; each of its successors would again be
    /// scheduled after all of those, so it runs before the next other event exactly when
    /// it is due strictly earlier.
    #[inline(always)]
    fn coalesce_rogue_run(&mut self, limit: u64) {
        let port = self.ports[0].port;
        if !self.evtchn.send_coalesces(port) {
            return;
        }
        if !matches!(self.q.peek(), Some((_, Ev::RogueNotify))) {
            return;
        }
        let p = self.cfg.params.guest_notify_ns.max(1);
        let other = self.q.second_time().unwrap_or(u64::MAX);
        // The notifies at now + j p, j >= 1, with now + j p < other and now + j p <= limit:
        // j p <= last - now. Counted without a division when the run is short (the storm's
        // runs are 3 long; a 64-bit division costs more than the rest of the step).
        let last = (other - 1).min(limit);
        if last < self.now + p {
            return;
        }
        let room = last - self.now;
        let k = if room < 8 * p {
            let mut k = 1;
            while (k + 1) * p <= room {
                k += 1;
            }
            k
        } else {
            room / p
        };
        self.counters.events_sent += k;
        self.counters.events_coalesced += k;
        self.counters.guest_busy_ns += k * self.cfg.params.guest_notify_ns;
        let kind = TraceKind::Notify {
            port,
            outcome: SendOutcome::Coalesced,
            cause: NotifyCause::Rogue,
        };
        self.trace
            .record_run(self.now + p, p, k, self.jiffies, kind);
        self.now += k * p;
        self.q.reschedule_next(self.now + p);
    }

    /// Like [`Sim::run_until`], but look after every event and stop at the first one after
    /// which `stop` holds (standing at that event's time). Returns whether it stopped.
    /// Lessons use it so a goal on a passing state (a 4 ms pause) is not stepped over.
    pub fn run_until_or(&mut self, t_ns: u64, mut stop: impl FnMut(&Sim) -> bool) -> bool {
        while self.q.peek_time().is_some_and(|t| t <= t_ns) {
            self.step();
            if stop(self) {
                return true;
            }
        }
        self.now = self.now.max(t_ns);
        false
    }

    pub fn run_for(&mut self, d_ns: u64) {
        self.run_until(self.now + d_ns);
    }

    /// Step until at least one transition is traced (for single-stepping a paused UI).
    /// Gives up after `max_events` events.
    pub fn step_transition(&mut self, max_events: u32) -> bool {
        self.step_to_transition(max_events, u64::MAX)
    }

    /// Step until at least one transition is traced; false after `max_events` events, or
    /// when the next event falls after `deadline`.
    fn step_to_transition(&mut self, max_events: u32, deadline: u64) -> bool {
        let before = self.trace.next_seq();
        for _ in 0..max_events {
            if self.q.peek_time().is_none_or(|t| t > deadline) {
                return false;
            }
            self.step();
            if self.trace.next_seq() > before {
                return true;
            }
        }
        false
    }

    /// Step to the next traced transition, as [`Sim::step_transition`], keeping what a
    /// paused screen needs to show the event's transitions one at a time: the sim as it
    /// was just after each of them but the last (after the last one, it is `self`). One
    /// event can make several transitions (an upcall: loop, handle, ack, verdict, late
    /// EOI, unmask); each copy is taken at its trace record, and each record is made once
    /// its change is done, so each copy shows exactly that transition done. Costs one copy
    /// of the sim per transition, which is fine for a key press and never happens on the
    /// running path.
    ///
    /// `None` if no transition came within `max_events` events or before the next event
    /// falls more than `within_ns` after now (an idle guest makes none at all); the sim
    /// has then run the events it looked at.
    pub fn step_transition_frames(&mut self, max_events: u32, within_ns: u64) -> Option<Vec<Sim>> {
        self.frames = Some(Vec::new());
        self.records_kept = true;
        let found = self.step_to_transition(max_events, self.now.saturating_add(within_ns));
        let mut frames = self.frames.take().unwrap_or_default();
        self.records_kept = self.trace.is_on();
        if !found {
            return None;
        }
        frames.pop();
        Some(frames)
    }

    // ----- the event loop ---------------------------------------------------------------

    /// Inlined into [`Sim::step`] and [`Sim::run_until`]'s loop: no call per event.
    /// `coalesce_until`: [`Sim::run_until`]'s limit, for [`Sim::coalesce_rogue_run`] after a
    /// rogue notify (a constant `None` from [`Sim::step`], so that check folds away there,
    /// and costs the other events nothing in the loop).
    #[inline(always)]
    fn dispatch(&mut self, ev: Ev, coalesce_until: Option<u64>) {
        match ev {
            Ev::Tick => self.tick(),
            Ev::Sample => self.sample(),
            Ev::History => {
                self.history.push(self.reading());
                self.q.push(self.now + metrics::HISTORY_NS, Ev::History);
            }
            Ev::Cpu0Done { generation } => {
                if generation == self.cpu0.generation {
                    self.cpu0_done();
                }
            }
            Ev::Upcall => self.upcall(),
            Ev::KthreadDone => self.kthread_done(),
            Ev::GuestDone => self.guest_done(),
            Ev::GuestIrq => {
                self.guest.irq_in_flight = false;
                self.guest.irq_pending = true;
                self.guest_begin();
            }
            Ev::PeerArrive => self.peer_arrive(),
            Ev::NetbackArrive => self.netback_arrive(),
            Ev::PeerDelack => self.peer_delack(),
            Ev::GuestDelack => {
                self.guest.delack_scheduled = false;
                if self.now >= self.guest.delack_deadline {
                    self.guest.delack_due = true;
                    self.guest_begin();
                } else {
                    self.guest.delack_scheduled = true;
                    self.q.push(self.guest.delack_deadline, Ev::GuestDelack);
                }
            }
            Ev::RogueNotify => {
                let port = self.ports[0].port;
                self.guest_notify(port, NotifyCause::Rogue);
                self.counters.guest_busy_ns += self.cfg.params.guest_notify_ns;
                self.q.push(
                    self.now + self.cfg.params.guest_notify_ns.max(1),
                    Ev::RogueNotify,
                );
                if let Some(limit) = coalesce_until {
                    self.coalesce_rogue_run(limit);
                }
            }
        }
    }

    #[inline(always)]
    fn record(&mut self, kind: TraceKind) {
        if !self.records_kept {
            self.trace.count_one();
            return;
        }
        self.trace.record(self.now, self.jiffies, kind);
        if self.frames.is_some() {
            self.capture_frame();
        }
    }

    /// Keep a copy of the sim as it is now, just after a transition (taken out first, so
    /// the copy carries no frames of its own).
    #[cold]
    fn capture_frame(&mut self) {
        if let Some(mut frames) = self.frames.take() {
            let mut frame = self.clone();
            frame.records_kept = frame.trace.is_on();
            frames.push(frame);
            self.frames = Some(frames);
        }
    }

    /// A cost with the configured jitter (uniform, ± `jitter_pct`):
    /// `round(cost × (1 + j/100 × (2u − 1)))`, at least 1, with `u` in [0, 1) from the RNG.
    /// The factors are drawn ahead in batches ([`JitterFactors`]), in the RNG's order.
    /// Without jitter every factor is exactly 1 and nothing is drawn ([`JitterFactors`]), so
    /// the cost comes back unchanged with no test of its own here.
    #[inline(always)]
    fn jitter(&mut self, cost: u64) -> u64 {
        if cost == 0 {
            return 0;
        }
        let f = self.jitter_factors.next(&mut self.rng, self.jitter_frac);
        if cost >= 1 << 30 {
            return jitter_huge(cost, f, self.jitter_frac);
        }
        // cost < 2^30 and f < 2: the product is below 2^31, where the conversion is exact
        // and one instruction, and rounding needs no range checks.
        u64::from(round_small(f64::from(cost as i32) * f).max(1))
    }

    /// The settings the late-EOI step runs with now.
    pub fn late_eoi_settings(&self) -> LateEoiSettings {
        self.late_settings()
    }

    fn late_settings(&self) -> LateEoiSettings {
        LateEoiSettings {
            hz: self.cfg.hz,
            spurious_threshold: self.cfg.spurious_threshold,
            throttle: self.cfg.throttle,
        }
    }

    fn tick(&mut self) {
        self.jiffies += 1;
        self.q.push(self.now + self.cfg.jiffy_ns(), Ev::Tick);
        if self.core.work_fires(self.jiffies) {
            self.cpu0.worker_queued = true;
            self.cpu0_try_begin();
        }
    }

    fn sample(&mut self) {
        let c = self.counters();
        let len = self.now - self.last_sample_t;
        self.samples
            .push(Sample::between(&self.last_sample, &c, self.now, len));
        self.last_sample = c;
        self.last_sample_t = self.now;
        self.q
            .push(self.now + self.cfg.params.sample_interval_ns, Ev::Sample);
    }

    /// The RX port of split channels, or the common port (`ports[1]` repeats it then).
    #[inline(always)]
    fn rx_port(&self) -> u32 {
        self.ports[1].port
    }

    #[inline]
    fn port_index(&self, port: u32) -> usize {
        if self.ports[0].port == port {
            0
        } else {
            assert!(
                self.nports == 2 && self.ports[1].port == port,
                "port is bound"
            );
            1
        }
    }

    /// Keep the masked/paused time accounts in step with the port's bits.
    #[inline(always)]
    fn sync_port_times(&mut self, port: u32) {
        let masked = self.evtchn.is_masked(port);
        self.sync_port_times_masked(port, masked);
    }

    /// [`Sim::sync_port_times`] when the caller has just read the port's mask bit.
    #[inline(always)]
    fn sync_port_times_masked(&mut self, port: u32, masked: bool) {
        let now = self.now;
        let paused = self.core.irq(port).on_eoi_list;
        let i = self.port_index(port);
        let p = &mut self.ports[i];
        match (masked, p.masked_since) {
            (true, None) => p.masked_since = Some(now),
            (false, Some(s)) => {
                p.masked_since = None;
                self.counters.masked_ns += now - s;
            }
            _ => {}
        }
        match (paused, p.paused_since) {
            (true, None) => p.paused_since = Some(now),
            (false, Some(s)) => {
                p.paused_since = None;
                self.counters.paused_ns += now - s;
            }
            _ => {}
        }
    }
}

/// [`Sim::jitter`] for costs of 2^30 ns and more (never in practice), the plain way.
#[cold]
#[inline(never)]
fn jitter_huge(cost: u64, f: f64, frac: f64) -> u64 {
    if frac == 0.0 {
        return cost; // exactly, even above 2^53
    }
    ((cost as f64) * f).round().max(1.0) as u64
}

/// Jitter factors `1 + j/100 × (2u − 1)` drawn ahead from the simulation's RNG, used in
/// the order drawn: the same factors, in the same order, as drawing one per cost; a batch
/// at a time is cheaper (the RNG's state stays in registers). Without jitter (`frac` 0) the
/// factors are exactly 1 and the RNG is never drawn, as before there were batches.
#[derive(Clone, Debug)]
struct JitterFactors {
    f: [f64; JITTER_BATCH],
    next: usize,
}

const JITTER_BATCH: usize = 64;

impl JitterFactors {
    fn new() -> Self {
        JitterFactors {
            f: [0.0; JITTER_BATCH],
            next: JITTER_BATCH,
        }
    }

    #[inline]
    fn next(&mut self, rng: &mut Xoshiro256PlusPlus, frac: f64) -> f64 {
        if self.next == JITTER_BATCH {
            self.refill(rng, frac);
        }
        let f = self.f[self.next % JITTER_BATCH];
        self.next += 1;
        f
    }

    #[cold]
    #[inline(never)]
    fn refill(&mut self, rng: &mut Xoshiro256PlusPlus, frac: f64) {
        self.next = 0;
        if frac == 0.0 {
            self.f = [1.0; JITTER_BATCH];
            return;
        }
        // A local copy keeps the RNG's state in registers through the loop.
        let mut r = rng.clone();
        for f in &mut self.f {
            // u = k / 2^53 in [0, 1), k below 2^53 (so the conversion is exact either way);
            // 2u − 1 is then k / 2^52 − 1 exactly (scaling by a power of two is exact).
            let k = (r.next_u64() >> 11) as i64 as f64;
            *f = 1.0 + frac * (k * (1.0 / (1u64 << 52) as f64) - 1.0);
        }
        *rng = r;
    }
}

/// `x.round()` (half away from zero) for `0 <= x < 2^31`, without the library call that
/// `f64::round` becomes on the baseline x86-64 target, and without a float → integer
/// conversion: adding 2^52 + 2^51 rounds `x` to the nearest integer (ties to even) into
/// the low bits of the sum; the difference from `x`, exact, says whether it was a tie that
/// went down.
#[inline(always)]
fn round_small(x: f64) -> u32 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 2^52 + 2^51
    debug_assert!((0.0..2_147_483_648.0).contains(&x));
    let m = x + MAGIC;
    let r = m.to_bits() as u32;
    if x - (m - MAGIC) >= 0.5 { r + 1 } else { r }
}

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
    fn new(sim: &Sim) -> Self {
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod round_tests {
    use super::*;

    /// Without jitter a cost comes back exactly, and the RNG is never drawn.
    #[test]
    fn no_jitter_keeps_costs_and_the_rng() {
        let mut cfg = Config::default();
        cfg.params.jitter_pct = 0;
        cfg.guest = GuestKind::Idle;
        let mut sim = Sim::headless(cfg);
        let rng = sim.rng.clone();
        for cost in [
            0,
            1,
            2,
            499,
            5_000,
            (1 << 30) - 1,
            1 << 30,
            (1 << 53) + 1,
            u64::MAX,
        ] {
            for _ in 0..100 {
                assert_eq!(sim.jitter(cost), cost);
            }
        }
        assert_eq!(sim.rng, rng);
    }

    /// The same as `f64::round` everywhere the jitter can land, halves included.
    #[test]
    fn round_small_is_f64_round() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in 0..1_000_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = match i % 4 {
                0 => (x >> 11) as f64 / (1u64 << 53) as f64 * 1e7,
                1 => (x % 10_000_000) as f64 + 0.5,
                2 => f64::from_bits(0x3fe0_0000_0000_0000 + (x % 1000)) + (x % 100) as f64,
                _ => f64::from_bits(x >> 2) % 2.1e9,
            };
            if v < 2_147_483_648.0 {
                assert_eq!(u64::from(round_small(v)), v.round() as u64, "{v:e}");
            }
        }
        for v in [
            0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            2147483646.5,
            2147483647.49999,
        ] {
            assert_eq!(u64::from(round_small(v)), v.round() as u64, "{v:e}");
        }
    }
}
