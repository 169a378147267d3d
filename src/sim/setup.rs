//! Building a [`Sim`]: the ports of the run's channel layout, the TCP ends of its direction,
//! and the first events (the periodic ones, and the guest's first move).

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::jitter::JitterFactors;
use super::kthread::Kthread;
use super::netfront::GuestCpu;
use super::peer::Peer;
use super::queue::EventQueue;
use super::vcpu0::Cpu0;
use super::wire::Wire;
use super::*;

/// Room in each packet queue between actors, reserved up front.
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
        let (nports, ports) = port_layout(&cfg);
        let port_list: Vec<u32> = ports[..nports].iter().map(|p| p.0).collect();
        let (sender, receiver) = tcp_ends(&cfg);
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
        sim.start();
        sim
    }

    /// Queue the periodic events and make the guest's first move.
    fn start(&mut self) {
        self.q.push(self.cfg.jiffy_ns(), Ev::Tick);
        self.q.push(self.cfg.params.sample_interval_ns, Ev::Sample);
        self.q.push(metrics::HISTORY_NS, Ev::History);
        match (self.cfg.guest, self.cfg.direction) {
            (GuestKind::Rogue, _) => self.q.push(0, Ev::RogueNotify),
            // The idle guest waits for the learner's notifies.
            (GuestKind::Idle, _) => {}
            (GuestKind::Freebsd | GuestKind::Linux, direction) => {
                // The guest posts its RX buffers (and starts sending, for TX).
                self.guest.irq_pending = true;
                self.guest.output = true;
                self.guest_begin();
                if direction == Direction::Rx {
                    self.peer_send();
                }
            }
        }
    }
}

/// dom0's ports bound to the guest: the TX and RX ports of split channels, or the common
/// port twice (so `ports[1]` is the RX port either way, [`Sim::rx_port`]), and how many
/// are distinct.
fn port_layout(cfg: &Config) -> (usize, [(u32, PortRole); 2]) {
    if cfg.common_channel() {
        (
            1,
            [
                (FIRST_PORT, PortRole::Common),
                (FIRST_PORT, PortRole::Common),
            ],
        )
    } else {
        (
            2,
            [(FIRST_PORT, PortRole::Tx), (FIRST_PORT + 1, PortRole::Rx)],
        )
    }
}

/// The TCP sender and receiver: the guest sends for TX, the peer for RX.
fn tcp_ends(cfg: &Config) -> (TcpSender, TcpReceiver) {
    let (sending, receiving) = match cfg.direction {
        Direction::Tx => (cfg.guest_os(), cfg.peer_os()),
        Direction::Rx => (cfg.peer_os(), cfg.guest_os()),
    };
    (
        TcpSender::new(sending.send_window, cfg.params.mss),
        TcpReceiver::new(receiving.ack_every),
    )
}
