//! The simulation core: a guest's netfront, Xen's event channels, dom0's late-EOI machinery
//! and netback, and a peer, driven by one virtual clock.
//!
//! Pure and deterministic: no I/O, no wall clock, no hash-order iteration. Time moves only
//! through [`Sim::step`] / [`Sim::run_until`]; the event queue is ordered by (time, sequence)
//! and one seeded RNG draws every jitter. Same [`Config`] and same knob changes at the same
//! virtual times give the same run, bit for bit.
//!
//! Actors and where they run (model.md §1; the CPU layout is **model**):
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

pub mod events_base;
pub mod evtchn;
pub mod knob;
pub mod metrics;
pub mod params;
mod queue;
pub mod ring;
pub mod tcp;
pub mod trace;

use std::collections::VecDeque;

use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

pub use events_base::{
    DeviceCounters, EoiOutcome, EventCore, IrqInfo, LateEoiSettings, NextSpurious,
};
pub use evtchn::{SendOutcome, SharedInfo};
pub use knob::{Knob, KnobChange, Setting, on_off};
pub use metrics::{Counters, Figure, FigureKind, History, Reading, Sample, Samples, Window};
pub use params::{
    Config, Direction, GuestKind, ModelParams, NetbackVariant, OsProfile, UnknownName,
};
use queue::EventQueue;
pub use ring::{Pkt, PktKind, RING_SIZE, Ring};
pub use tcp::{TcpReceiver, TcpSender};
pub use trace::{EoiResult, EoiSource, PortRole, Trace, TraceEvent, TraceKind, plural};

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
    pub selected: bool,
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
    Cpu0Done { generation: u64 },
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cpu0Work {
    /// Only interrupt time is being spent.
    Irq,
    Napi {
        n: u32,
    },
    Worker,
}

#[derive(Clone, Copy, Debug, Default)]
struct Cpu0 {
    current: Option<Cpu0Work>,
    done_at: u64,
    generation: u64,
    napi_scheduled: bool,
    worker_queued: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct Kthread {
    running: bool,
    /// Woken and not yet asleep again.
    runnable: bool,
    batch: u32,
}

#[derive(Clone, Copy, Debug, Default)]
struct GuestCpu {
    busy: bool,
    irq_pending: bool,
    irq_in_flight: bool,
    delack_due: bool,
    delack_deadline: u64,
    delack_scheduled: bool,
    /// ACKs waiting for TX ring space (the newest value is sent for each).
    acks_waiting: u32,
    last_ack: u32,
    /// TCP may send: an ACK opened the window or TX slots were freed.
    output: bool,
    cost: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Peer {
    link_free_at: u64,
    delack_deadline: u64,
    delack_scheduled: bool,
    arrive_scheduled: bool,
}

/// The whole simulated system. A clone continues independently (a "what if" branch).
#[derive(Clone)]
pub struct Sim {
    cfg: Config,
    now: u64,
    jiffies: u64,
    q: EventQueue<Ev>,
    rng: Xoshiro256PlusPlus,

    shared: SharedInfo,
    core: EventCore,
    ports: [PortTimes; 2],
    nports: usize,

    // netback, per queue
    eoi_pending: u8,
    tx: Ring,
    rx: Ring,
    rx_queue: VecDeque<Pkt>,
    netback_arrive_scheduled: bool,
    cpu0: Cpu0,
    kthread: Kthread,

    guest: GuestCpu,
    /// Packets the guest collected from the RX ring, waiting for its stack.
    stack: VecDeque<Pkt>,
    peer: Peer,
    to_peer: VecDeque<(u64, Pkt)>,
    from_peer: VecDeque<(u64, Pkt)>,

    sender: TcpSender,
    receiver: TcpReceiver,

    counters: Counters,
    last_sample: Counters,
    last_sample_t: u64,
    samples: Samples,
    history: History,
    trace: Trace,
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
            shared: SharedInfo::default(),
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
            rx_queue: VecDeque::with_capacity(WIRE_CAPACITY),
            netback_arrive_scheduled: false,
            cpu0: Cpu0::default(),
            kthread: Kthread::default(),
            guest: GuestCpu::default(),
            stack: VecDeque::with_capacity(WIRE_CAPACITY),
            peer: Peer::default(),
            to_peer: VecDeque::with_capacity(WIRE_CAPACITY),
            from_peer: VecDeque::with_capacity(WIRE_CAPACITY),
            sender,
            receiver,
            counters: Counters::default(),
            last_sample: Counters::default(),
            last_sample_t: 0,
            samples: Samples::with_capacity(SAMPLES_KEPT),
            history: History::new(),
            trace: Trace::with_capacity(trace_capacity),
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

    pub fn shared_info(&self) -> &SharedInfo {
        &self.shared
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
                pending: self.shared.is_pending(p.port),
                masked: self.shared.is_masked(p.port),
                selected: self.shared.is_selected(p.port),
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
        match change {
            KnobChange::Netback(v) => self.cfg.netback = v,
            KnobChange::Throttle(on) => self.cfg.throttle = on,
            KnobChange::SpuriousThreshold(t) => self.cfg.spurious_threshold = t,
            KnobChange::LateEoi(on) => {
                if self.cfg.lateeoi && !on {
                    self.disable_lateeoi();
                }
                self.cfg.lateeoi = on;
            }
        }
        self.record(TraceKind::Knob { change });
    }

    /// A hands-on action on the guest's first port, now.
    pub fn port_action(&mut self, a: PortAction) {
        let port = self.first_port();
        match a {
            PortAction::Notify => self.guest_notify(port),
            PortAction::Mask => {
                let was_masked = self.shared.is_masked(port);
                self.core
                    .do_mask(&mut self.shared, port, events_base::mask_reason::EXPLICIT);
                self.record(TraceKind::Mask { port, was_masked });
                self.sync_port_times(port);
            }
            PortAction::Unmask => {
                let r =
                    self.core
                        .do_unmask(&mut self.shared, port, events_base::mask_reason::EXPLICIT);
                self.record(TraceKind::ExplicitUnmask {
                    port,
                    still_masked: self.shared.is_masked(port),
                });
                self.after_unmask(port, r);
            }
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
                    &mut self.shared,
                    port,
                    events_base::mask_reason::EOI_PENDING,
                );
                self.after_unmask(port, r);
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
        self.dispatch(ev);
        t
    }

    /// Process every event up to and including `t_ns`, then stand at `t_ns`.
    pub fn run_until(&mut self, t_ns: u64) {
        while self.q.peek_time().is_some_and(|t| t <= t_ns) {
            self.step();
        }
        self.now = self.now.max(t_ns);
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
        let before = self.trace.next_seq();
        for _ in 0..max_events {
            self.step();
            if self.trace.next_seq() > before {
                return true;
            }
        }
        false
    }

    // ----- the event loop ---------------------------------------------------------------

    fn dispatch(&mut self, ev: Ev) {
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
                self.guest_notify(port);
                self.counters.guest_busy_ns += self.cfg.params.guest_notify_ns;
                self.q.push(
                    self.now + self.cfg.params.guest_notify_ns.max(1),
                    Ev::RogueNotify,
                );
            }
        }
    }

    #[inline]
    fn record(&mut self, kind: TraceKind) {
        self.trace.record(self.now, self.jiffies, kind);
    }

    /// A cost with the configured jitter (uniform, ± `jitter_pct`).
    fn jitter(&mut self, cost: u64) -> u64 {
        let j = self.cfg.params.jitter_pct.min(90);
        if j == 0 || cost == 0 {
            return cost;
        }
        let u = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
        let f = 1.0 + f64::from(j) / 100.0 * (2.0 * u - 1.0);
        ((cost as f64) * f).round().max(1.0) as u64
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

    fn port_index(&self, port: u32) -> usize {
        self.ports[..self.nports]
            .iter()
            .position(|p| p.port == port)
            .expect("port is bound")
    }

    /// Keep the masked/paused time accounts in step with the port's bits.
    fn sync_port_times(&mut self, port: u32) {
        let now = self.now;
        let masked = self.shared.is_masked(port);
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

    // ----- Xen: notifications -------------------------------------------------------------

    /// The guest notifies dom0's `port` (`EVTCHNOP_send`).
    fn guest_notify(&mut self, port: u32) {
        self.counters.events_sent += 1;
        let outcome = self.shared.send(port);
        match outcome {
            SendOutcome::Coalesced => self.counters.events_coalesced += 1,
            SendOutcome::Masked => self.counters.events_held_masked += 1,
            _ => {}
        }
        if outcome.raises_upcall() {
            self.q
                .push(self.now + self.cfg.params.upcall_latency_ns, Ev::Upcall);
        }
        self.record(TraceKind::Notify { port, outcome });
    }

    /// dom0 notifies the guest (netback's `notify_remote_via_irq`).
    fn notify_guest(&mut self) {
        self.counters.guest_notifies += 1;
        if !self.guest.irq_in_flight {
            self.guest.irq_in_flight = true;
            self.q
                .push(self.now + self.cfg.params.upcall_latency_ns, Ev::GuestIrq);
        }
    }

    /// After an unmask: trace it, account time, and deliver a held notify.
    fn after_unmask(&mut self, port: u32, retrigger: Option<SendOutcome>) {
        if !self.shared.is_masked(port) {
            self.record(TraceKind::Unmask {
                port,
                redelivered: retrigger.is_some(),
            });
        }
        self.sync_port_times(port);
        if retrigger.is_some_and(SendOutcome::raises_upcall) {
            self.q
                .push(self.now + self.cfg.params.upcall_latency_ns, Ev::Upcall);
        }
    }

    // ----- dom0 vCPU 0: upcall, handlers, NAPI, worker --------------------------------------

    /// `xen_evtchn_do_upcall`: runs at once (interrupts preempt vCPU 0's work); its cost
    /// stretches whatever vCPU 0 was doing.
    fn upcall(&mut self) {
        if !self.shared.vcpu.evtchn_upcall_pending {
            return;
        }
        let p = self.cfg.params;
        let mut cost = 0;
        while self.shared.vcpu.evtchn_upcall_pending {
            self.counters.upcalls += 1;
            cost += p.dom0_upcall_ns;
            self.record(TraceKind::Upcall {
                epoch: self.core.irq_epoch,
            });
            let mut sel = self.shared.begin_upcall();
            while sel != 0 {
                let word = sel.trailing_zeros() as usize;
                sel &= sel - 1;
                let mut bits = self.shared.deliverable(word);
                while bits != 0 {
                    let bit = bits.trailing_zeros();
                    bits &= bits - 1;
                    let port = word as u32 * evtchn::BITS_PER_WORD + bit;
                    cost += p.dom0_handler_ns + self.handle_port(port);
                }
            }
            self.core.end_upcall_loop();
        }
        self.cpu0_charge_irq(cost);
    }

    /// `handle_irq_for_port` + the irq chip's ack + netback's handler. Returns extra cost.
    fn handle_port(&mut self, port: u32) -> u64 {
        debug_assert!(!self.shared.is_masked(port), "delivered while masked");
        self.core.handle_irq_for_port(port);
        self.counters.events_delivered += 1;
        self.record(TraceKind::Deliver { port });
        let lateeoi = self.cfg.lateeoi;
        if lateeoi {
            self.core.lateeoi_ack(&mut self.shared, port);
            self.sync_port_times(port);
        } else {
            self.shared.clear_pending(port);
        }
        self.record(TraceKind::Ack {
            port,
            masked: lateeoi,
        });
        let role = self.ports[self.port_index(port)].role;
        let (bit, tx_work, rx_work) = match role {
            PortRole::Tx => (eoi_pending::TX_EOI, self.handle_tx_interrupt(), false),
            PortRole::Rx => (eoi_pending::RX_EOI, false, self.handle_rx_interrupt()),
            PortRole::Common => {
                // Both checks always run (the reason for the bitwise operator).
                let tx = self.handle_tx_interrupt();
                let rx = self.handle_rx_interrupt();
                (eoi_pending::COMMON_EOI, tx, rx)
            }
        };
        if !lateeoi {
            self.record(TraceKind::Verdict {
                port,
                role,
                tx_work,
                rx_work,
                spurious: None,
            });
            return 0;
        }
        self.eoi_pending |= bit;
        let spurious = match role {
            PortRole::Tx => !tx_work,
            PortRole::Rx => !rx_work,
            PortRole::Common => self.cfg.netback.is_spurious(tx_work, rx_work),
        };
        self.record(TraceKind::Verdict {
            port,
            role,
            tx_work,
            rx_work,
            spurious: Some(spurious),
        });
        if spurious {
            self.eoi_pending &= !bit;
            return self.lateeoi(port, true, EoiSource::Handler);
        }
        0
    }

    /// `xenvif_handle_tx_interrupt`: work = unconsumed TX requests; schedule NAPI.
    fn handle_tx_interrupt(&mut self) -> bool {
        let work = self.tx.unconsumed_requests() > 0;
        if work {
            self.cpu0.napi_scheduled = true;
        }
        work
    }

    /// `xenvif_handle_rx_interrupt`: work = `xenvif_have_rx_work`; kick the kthread.
    fn handle_rx_interrupt(&mut self) -> bool {
        let work = self.have_rx_work();
        if work {
            self.kick_kthread();
        }
        work
    }

    /// `xen_irq_lateeoi(irq, flags)`, called by a driver. Returns its CPU cost.
    fn lateeoi(&mut self, port: u32, spurious: bool, source: EoiSource) -> u64 {
        self.counters.lateeoi_calls += 1;
        self.eoi_step(port, spurious, source)
    }

    /// One `xen_irq_lateeoi_locked` step, traced and accounted.
    fn eoi_step(&mut self, port: u32, spurious: bool, source: EoiSource) -> u64 {
        let set = self.late_settings();
        let before = *self.core.irq(port);
        let out = self
            .core
            .lateeoi_locked(&mut self.shared, port, spurious, self.jiffies, set);
        let after = *self.core.irq(port);
        self.counters.spurious_events +=
            after.counters.spurious_events - before.counters.spurious_events;
        self.counters.jiffies_eoi_delayed +=
            after.counters.jiffies_eoi_delayed - before.counters.jiffies_eoi_delayed;
        let result = match out {
            EoiOutcome::AlreadyQueued => EoiResult::AlreadyQueued,
            EoiOutcome::Unmasked { .. } => EoiResult::Unmasked,
            EoiOutcome::Delayed { delay, eoi_time } => {
                if delay > 0 {
                    self.counters.throttle_pauses += 1;
                }
                EoiResult::Paused {
                    jiffies: delay,
                    eoi_time,
                }
            }
        };
        self.record(TraceKind::LateEoi {
            port,
            source,
            spurious,
            spurious_cnt: after.spurious_cnt,
            result,
        });
        match out {
            EoiOutcome::Unmasked { retrigger } => {
                self.after_unmask(port, retrigger);
                self.cfg.params.dom0_eoi_ns
            }
            EoiOutcome::Delayed { .. } => {
                self.sync_port_times(port);
                0
            }
            EoiOutcome::AlreadyQueued => 0,
        }
    }

    /// Interrupt time on vCPU 0: extends the current work item, or occupies an idle CPU.
    fn cpu0_charge_irq(&mut self, cost: u64) {
        let cost = self.jitter(cost);
        self.counters.dom0_busy_ns += cost;
        self.cpu0.generation += 1;
        if self.cpu0.current.is_some() {
            self.cpu0.done_at += cost;
        } else {
            self.cpu0.current = Some(Cpu0Work::Irq);
            self.cpu0.done_at = self.now + cost;
        }
        self.q.push(
            self.cpu0.done_at,
            Ev::Cpu0Done {
                generation: self.cpu0.generation,
            },
        );
    }

    fn cpu0_start(&mut self, work: Cpu0Work, cost: u64) {
        self.counters.dom0_busy_ns += cost;
        self.cpu0.generation += 1;
        self.cpu0.current = Some(work);
        self.cpu0.done_at = self.now + cost;
        self.q.push(
            self.cpu0.done_at,
            Ev::Cpu0Done {
                generation: self.cpu0.generation,
            },
        );
    }

    /// Start the next piece of process/softirq work on an idle vCPU 0.
    fn cpu0_try_begin(&mut self) {
        if self.cpu0.current.is_some() {
            return;
        }
        if self.cpu0.worker_queued {
            self.cpu0.worker_queued = false;
            let cost = self.worker_run();
            let cost = self.jitter(cost);
            self.cpu0_start(Cpu0Work::Worker, cost);
        } else if self.cpu0.napi_scheduled {
            self.napi_begin();
        }
    }

    fn cpu0_done(&mut self) {
        let work = self.cpu0.current.take();
        if let Some(Cpu0Work::Napi { n }) = work {
            self.napi_done(n);
        }
        self.cpu0_try_begin();
    }

    /// `xenvif_poll` → `xenvif_tx_action`: copy up to the budget from the TX ring and send
    /// the packets to the bridge, each leaving when its copy is done.
    fn napi_begin(&mut self) {
        let p = self.cfg.params;
        let n = self.tx.unconsumed_requests().min(NAPI_BUDGET);
        let mut offsets = p.dom0_batch_ns;
        // One jitter factor per poll, so departures stay in order.
        let scale_num = self.jitter(1_000_000);
        for _ in 0..n {
            let pkt = self.tx.take_request();
            offsets += self.dom0_pkt_cost(pkt);
            let depart = self.now + offsets * scale_num / 1_000_000;
            self.bridge_to_peer(depart, pkt);
        }
        let cost = offsets * scale_num / 1_000_000;
        self.cpu0_start(Cpu0Work::Napi { n }, cost);
    }

    /// End of a poll: TX responses to the guest, then `xenvif_napi_schedule_or_enable_events`.
    fn napi_done(&mut self, n: u32) {
        for _ in 0..n {
            self.tx.put_response(Pkt::default());
        }
        if n > 0 && self.tx.push_responses() {
            self.notify_guest();
        }
        if n == NAPI_BUDGET {
            return; // budget used up: poll again
        }
        if self.tx.final_check_for_requests() {
            return; // more requests: napi_schedule
        }
        self.cpu0.napi_scheduled = false;
        let bits = eoi_pending::TX_EOI | eoi_pending::COMMON_EOI;
        if self.cfg.lateeoi && self.eoi_pending & bits != 0 {
            self.eoi_pending &= !bits;
            let port = self.ports[0].port; // queue->tx_irq: the TX or common port
            let cost = self.lateeoi(port, false, EoiSource::Napi);
            self.cpu0_charge_irq(cost);
        }
    }

    /// `xen_irq_lateeoi_worker`: EOI every due port as not spurious. Returns the cost.
    fn worker_run(&mut self) -> u64 {
        let mut cost = self.cfg.params.dom0_handler_ns;
        while let Some(port) = self.core.worker_take_due(self.jiffies) {
            self.counters.worker_eois += 1;
            cost += self.eoi_step(port, false, EoiSource::Worker);
        }
        cost
    }

    // ----- dom0 vCPU 1: the RX kthread ------------------------------------------------------

    /// `xenvif_rx_ring_slots_available` + non-empty queue (`xenvif_have_rx_work`); when no
    /// slot is free, ask the guest to notify on its next RX request.
    fn have_rx_work(&mut self) -> bool {
        if self.rx_queue.is_empty() {
            return false;
        }
        if self.rx.unconsumed_requests() >= 1 {
            return true;
        }
        self.rx.req_event = self.rx.req_prod.wrapping_add(1);
        self.rx.unconsumed_requests() >= 1
    }

    fn kick_kthread(&mut self) {
        self.kthread.runnable = true;
        if !self.kthread.running {
            self.kthread_begin();
        }
    }

    /// One turn of `xenvif_kthread_guest_rx`: `xenvif_rx_action` when there is work,
    /// otherwise the EOI and sleep of `xenvif_wait_for_rx_work`.
    fn kthread_begin(&mut self) {
        let p = self.cfg.params;
        if !self.have_rx_work() {
            let bits = eoi_pending::RX_EOI | eoi_pending::COMMON_EOI;
            let mut cost = p.dom0_handler_ns;
            if self.cfg.lateeoi && self.eoi_pending & bits != 0 {
                self.eoi_pending &= !bits;
                let port = self.ports[self.nports - 1].port; // queue->rx_irq
                cost += self.lateeoi(port, false, EoiSource::Kthread);
            }
            self.kthread.runnable = false;
            self.kthread_run(0, cost);
            return;
        }
        let n = (self.rx_queue.len() as u32)
            .min(self.rx.unconsumed_requests())
            .min(RX_BATCH_SIZE);
        let mut cost = p.dom0_batch_ns;
        for _ in 0..n {
            let pkt = self.rx_queue.pop_front().expect("n <= queue length");
            self.rx.take_request();
            self.rx.put_response(pkt);
            cost += self.dom0_pkt_cost(pkt);
        }
        self.kthread_run(n, cost);
    }

    /// The kthread is busy for `cost` (jittered) moving `batch` packets.
    fn kthread_run(&mut self, batch: u32, cost: u64) {
        let cost = self.jitter(cost);
        self.counters.dom0_busy_ns += cost;
        self.kthread.running = true;
        self.kthread.batch = batch;
        self.q.push(self.now + cost, Ev::KthreadDone);
    }

    /// netback's cost for one packet, either way.
    fn dom0_pkt_cost(&self, pkt: Pkt) -> u64 {
        match pkt.kind {
            PktKind::Data => self.cfg.params.dom0_pkt_ns,
            PktKind::Ack => self.cfg.params.dom0_ack_ns,
        }
    }

    fn kthread_done(&mut self) {
        self.kthread.running = false;
        if self.kthread.batch > 0 && self.rx.push_responses() {
            self.notify_guest();
        }
        let had_batch = self.kthread.batch > 0;
        self.kthread.batch = 0;
        // After a batch the thread loops (and sleeps only after finding no work);
        // after the sleep path it runs again only if woken meanwhile.
        if had_batch || self.kthread.runnable {
            self.kthread.runnable = true;
            self.kthread_begin();
        }
    }

    // ----- the guest ------------------------------------------------------------------------
    //
    // The guest vCPU runs one step at a time, in FreeBSD netfront's order (`xn_intr`):
    // take TX completions, collect every RX response, refill the RX ring (push, notify if
    // netback asked), and only then pass the packets up the stack one by one (`if_input`);
    // TCP's reactions (an ACK, new segments) each go out with their own push. A step's
    // effects on the rings become visible when it ends.

    /// Start the guest's next step, if it has one and is idle.
    fn guest_begin(&mut self) {
        if self.guest.busy || !self.cfg.guest.has_traffic() {
            return;
        }
        let p = self.cfg.params;
        let cost = if self.guest.acks_waiting > 0 && self.tx.free_requests() > 0 {
            self.guest.acks_waiting -= 1;
            self.tx.put_request(Pkt::ack(self.guest.last_ack));
            p.guest_ack_ns
        } else if self.guest.output && self.can_send() {
            self.send_segment();
            p.guest_pkt_ns
        } else if let Some(pkt) = self.stack.pop_front() {
            match pkt.kind {
                PktKind::Data => {
                    self.deliver_data(pkt.seq);
                    let ack = self.receiver.on_segment(pkt.seq);
                    if self.receiver.unacked > 0 {
                        self.arm_guest_delack();
                    }
                    p.guest_pkt_ns + ack.map_or(0, |a| self.guest_ack_out(a))
                }
                PktKind::Ack => {
                    self.guest.output |= self.sender.on_ack(pkt.seq);
                    p.guest_ack_ns
                }
            }
        } else if self.guest.irq_pending {
            self.guest.irq_pending = false;
            self.guest_collect();
            p.guest_irq_ns
        } else if self.guest.delack_due {
            self.guest.delack_due = false;
            match self.receiver.on_delack() {
                Some(a) => self.guest_ack_out(a),
                None => return,
            }
        } else if self.cfg.direction == Direction::Tx && self.can_send() {
            self.send_segment();
            p.guest_pkt_ns
        } else {
            self.guest.output = false;
            return;
        };
        let cost = self.jitter(cost);
        self.guest.busy = true;
        self.guest.cost = cost;
        self.q.push(self.now + cost, Ev::GuestDone);
    }

    fn can_send(&self) -> bool {
        self.cfg.direction == Direction::Tx
            && self.sender.sendable() > 0
            && self.tx.free_requests() > 0
    }

    fn send_segment(&mut self) {
        let seq = self.sender.send();
        self.counters.packets_offered += 1;
        self.tx.put_request(Pkt::data(seq));
    }

    /// The guest's stack sends an ACK: into the TX ring now, or as soon as a slot frees.
    fn guest_ack_out(&mut self, ack: u32) -> u64 {
        if self.tx.free_requests() > 0 {
            self.tx.put_request(Pkt::ack(ack));
            self.cfg.params.guest_ack_ns
        } else {
            self.guest.acks_waiting += 1;
            self.guest.last_ack = ack;
            0
        }
    }

    /// The interrupt: TX completions, RX responses to the stack queue, RX refill.
    fn guest_collect(&mut self) {
        if self.tx.unconsumed_responses() > 0 {
            while self.tx.unconsumed_responses() > 0 {
                self.tx.take_response();
            }
            self.guest.output = true;
        }
        self.tx.final_check_for_responses();
        while self.rx.unconsumed_responses() > 0 {
            let pkt = self.rx.take_response();
            self.stack.push_back(pkt);
        }
        self.rx.final_check_for_responses();
        // xn_alloc_rx_buffers: refill the whole ring; pushed when this step ends.
        while self.rx.free_requests() > 0 {
            self.rx.put_request(Pkt::default());
        }
    }

    fn arm_guest_delack(&mut self) {
        self.guest.delack_deadline = self.now + DELACK_NS;
        if !self.guest.delack_scheduled {
            self.guest.delack_scheduled = true;
            self.q.push(self.guest.delack_deadline, Ev::GuestDelack);
        }
    }

    /// End of a step: `RING_PUSH_REQUESTS_AND_CHECK_NOTIFY` on RX (refill), then on TX.
    fn guest_done(&mut self) {
        self.guest.busy = false;
        self.counters.guest_busy_ns += self.guest.cost;
        let (tx_port, rx_port) = (self.ports[0].port, self.ports[self.nports - 1].port);
        if self.rx.push_requests() {
            self.guest_notify(rx_port);
        }
        if self.tx.push_requests() {
            self.guest_notify(tx_port);
        }
        self.guest_begin();
    }

    fn deliver_data(&mut self, seq: u32) {
        if seq == self.receiver.next_seq {
            self.counters.packets_delivered += 1;
            self.counters.bytes_delivered += u64::from(self.cfg.params.mss);
        }
    }

    // ----- the bridge and the peer ----------------------------------------------------------

    fn bridge_to_peer(&mut self, depart: u64, pkt: Pkt) {
        let arrive = depart + self.cfg.params.peer_latency_ns;
        self.to_peer.push_back((arrive, pkt));
        if !self.peer.arrive_scheduled {
            self.peer.arrive_scheduled = true;
            self.q.push(arrive, Ev::PeerArrive);
        }
    }

    fn peer_arrive(&mut self) {
        self.peer.arrive_scheduled = false;
        let mut acked = false;
        while let Some(&(t, pkt)) = self.to_peer.front() {
            if t > self.now {
                break;
            }
            self.to_peer.pop_front();
            match pkt.kind {
                PktKind::Data => {
                    self.deliver_data(pkt.seq);
                    if let Some(a) = self.receiver.on_segment(pkt.seq) {
                        self.peer_send_pkt(Pkt::ack(a));
                    }
                }
                PktKind::Ack => acked |= self.sender.on_ack(pkt.seq),
            }
        }
        if self.cfg.direction == Direction::Tx && self.receiver.unacked > 0 {
            self.peer.delack_deadline = self.now + DELACK_NS;
            if !self.peer.delack_scheduled {
                self.peer.delack_scheduled = true;
                self.q.push(self.peer.delack_deadline, Ev::PeerDelack);
            }
        }
        if acked {
            self.peer_send();
        }
        if let Some(&(t, _)) = self.to_peer.front() {
            self.peer.arrive_scheduled = true;
            self.q.push(t, Ev::PeerArrive);
        }
    }

    fn peer_delack(&mut self) {
        self.peer.delack_scheduled = false;
        if self.now < self.peer.delack_deadline {
            self.peer.delack_scheduled = true;
            self.q.push(self.peer.delack_deadline, Ev::PeerDelack);
        } else if let Some(a) = self.receiver.on_delack() {
            self.peer_send_pkt(Pkt::ack(a));
        }
    }

    /// The peer as sender: everything the window allows, paced by its link.
    fn peer_send(&mut self) {
        while self.sender.sendable() > 0 {
            let seq = self.sender.send();
            self.counters.packets_offered += 1;
            self.peer_send_pkt(Pkt::data(seq));
        }
    }

    fn peer_send_pkt(&mut self, pkt: Pkt) {
        let p = self.cfg.params;
        let depart = self.now.max(self.peer.link_free_at) + p.peer_pkt_ns;
        self.peer.link_free_at = depart;
        let arrive = depart + p.peer_latency_ns;
        self.from_peer.push_back((arrive, pkt));
        if !self.netback_arrive_scheduled {
            self.netback_arrive_scheduled = true;
            self.q.push(arrive, Ev::NetbackArrive);
        }
    }

    /// `xenvif_start_xmit`: queue for the guest and kick the RX kthread.
    fn netback_arrive(&mut self) {
        self.netback_arrive_scheduled = false;
        let mut any = false;
        while let Some(&(t, pkt)) = self.from_peer.front() {
            if t > self.now {
                break;
            }
            self.from_peer.pop_front();
            self.rx_queue.push_back(pkt);
            any = true;
        }
        if any {
            self.kick_kthread();
        }
        if let Some(&(t, _)) = self.from_peer.front() {
            self.netback_arrive_scheduled = true;
            self.q.push(t, Ev::NetbackArrive);
        }
    }
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
            config: sim.cfg,
        }
    }
}

/// Run a scenario headless for `seconds` of virtual time.
pub fn run(cfg: Config, seconds: f64) -> Report {
    let mut sim = Sim::new(cfg);
    sim.run_until((seconds.max(0.0) * 1e9) as u64);
    sim.report()
}

#[cfg(test)]
mod tests;
