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
//!
//! And the machinery around them, each also an `impl Sim` block:
//! - `setup.rs`: building a `Sim` and its first events;
//! - `engine.rs`: the event loop, dispatch, trace records, tick and sample;
//! - `ports.rs`: the ports' masked and paused time;
//! - `jitter.rs`: jittered costs from the one RNG;
//! - `read.rs` / `control.rs`: the public read side (figures) and write side (knobs,
//!   hands-on port actions);
//! - `report.rs`: the headless report.

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

mod control;
mod engine;
mod jitter;
mod ports;
mod read;
mod report;
mod setup;

mod kthread;
mod netfront;
mod peer;
mod upcall;
mod vcpu0;

use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

pub use abi::{EventChannelAbi, EventChannels, Fifo, SendOutcome, SharedInfo, TwoLevel};
pub use events_base::{
    DeviceCounters, EVENT_EOI_DELAY, EVENT_LOOP_TIMEOUT, EoiOutcome, EventCore, IrqInfo,
    LateEoiSettings, LoopCtrl, NextSpurious, spurious_cnt_cap,
};
use jitter::JitterFactors;
pub use knob::{Knob, KnobChange, Setting, on_off};
use kthread::Kthread;
pub use metrics::{Counters, Figure, FigureKind, History, Reading, Sample, Samples, Window};
use netfront::GuestCpu;
pub use params::{
    Abi, Config, Direction, GuestKind, ModelParams, NetbackVariant, OsProfile, UnknownName,
};
use peer::Peer;
use queue::EventQueue;
pub use report::{Report, run};
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

#[cfg(test)]
mod tests;
