//! The scenario a run starts from, and the **model** parameters (`docs/model.md` §8).
//!
//! Every parameter here is physical (a size, a cost in nanoseconds, a latency) and the same
//! in every scenario; nothing is tuned per scenario. The TCP parameters belong to the
//! operating system of each end ([`OsProfile`]), never to a scenario.

use serde::{Deserialize, Serialize};

/// Defines a plain enum whose values have one lower-case name each, used everywhere the
/// value is read or written (CLI flags, TOML files, JSON, the screen): `ALL`, `name()`,
/// `Display` and `FromStr` come from the one table in the invocation. `Name = "name" if
/// test` makes a value that exists only where `cfg(test)` holds.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident {
            $( $(#[$vmeta:meta])* $var:ident = $name:literal $(if $cfg:meta)? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
        )]
        pub enum $ty { $( $(#[$vmeta])* $(#[cfg($cfg)])? #[serde(rename = $name)] $var ),+ }

        impl $ty {
            /// Every value, in the order the lab cycles through them.
            pub const ALL: &'static [$ty] = &[$( $(#[cfg($cfg)])? $ty::$var ),+];
            /// Every name, in the same order (for `--help` and error messages).
            pub const NAMES: &'static [&'static str] = &[$( $(#[cfg($cfg)])? $name ),+];

            /// The value's name, as on the command line and in lesson files.
            pub fn name(self) -> &'static str {
                match self { $( $(#[cfg($cfg)])? $ty::$var => $name ),+ }
            }

            /// The next value in [`Self::ALL`], wrapping.
            pub fn next(self) -> Self {
                let i = Self::ALL.iter().position(|&v| v == self).unwrap_or(0);
                Self::ALL[(i + 1) % Self::ALL.len()]
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::sim::params::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name() == s)
                    .ok_or_else(|| {
                        $crate::sim::params::UnknownName::new(stringify!($ty), s, Self::NAMES)
                    })
            }
        }
    };
}
pub(crate) use named_enum;

/// A name that is not one of a type's values; says which ones are.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{got}': expected one of {}", expected.join(", "))]
pub struct UnknownName {
    pub what: String,
    pub got: String,
    pub expected: Vec<String>,
}

impl UnknownName {
    pub fn new(what: &str, got: &str, expected: &[&str]) -> Self {
        // `GuestKind` reads as "guest kind" in a message.
        let mut w = String::new();
        for (i, c) in what.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                w.push(' ');
            }
            w.push(c.to_ascii_lowercase());
        }
        UnknownName {
            what: w,
            got: got.to_string(),
            expected: expected.iter().map(|s| s.to_string()).collect(),
        }
    }
}

named_enum! {
    /// Which guest runs netfront.
    #[derive(Default)]
    pub enum GuestKind {
        /// FreeBSD / pfSense: one event channel for RX and TX (netback's common handler).
        #[default]
        Freebsd = "freebsd",
        /// Linux: split event channels (never the common handler).
        Linux = "linux",
        /// The XSA-332 threat: notifies as fast as it can without posting requests.
        Rogue = "rogue",
        /// A guest bound to one common channel that does nothing by itself: every notify is
        /// the learner's (the `n` key). For the hands-on lessons.
        Idle = "idle",
    }
}

impl GuestKind {
    /// What the guest is, in a few words.
    pub fn label(self) -> &'static str {
        match self {
            GuestKind::Freebsd => "one common event channel",
            GuestKind::Linux => "split event channels",
            GuestKind::Rogue => "notifies without work",
            GuestKind::Idle => "one common channel, notifies only when you press n",
        }
    }

    /// Whether the guest moves packets (the rogue and idle guests post none).
    pub fn has_traffic(self) -> bool {
        matches!(self, GuestKind::Freebsd | GuestKind::Linux)
    }
}

named_enum! {
    /// Which way the bulk flow runs, seen from the guest.
    #[derive(Default)]
    pub enum Direction {
        /// The guest sends; the peer's ACKs come back through RX.
        #[default]
        Tx = "tx",
        /// The guest receives from a Linux peer; its ACKs go out through TX.
        Rx = "rx",
    }
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::Tx => "the guest sends",
            Direction::Rx => "the guest receives",
        }
    }
}

named_enum! {
    /// dom0's event-channel ABI.
    #[derive(Default)]
    pub enum Abi {
        /// The 2-level ABI: `evtchn_pending[]`/`evtchn_mask[]` bitmaps and a selector word.
        #[default]
        TwoLevel = "2l",
        /// The FIFO ABI (Xen 4.4+): an event word per port, queues per priority.
        Fifo = "fifo",
    }
}

impl Abi {
    /// `2-level`, `FIFO`.
    pub fn label(self) -> &'static str {
        match self {
            Abi::TwoLevel => "2-level",
            Abi::Fifo => "FIFO",
        }
    }
}

named_enum! {
    /// netback's common-channel spurious condition (`xenvif_interrupt`), five ways: as
    /// shipped, two inline rewrites that short-circuit, the one-character fix the story
    /// describes, and upstream's fix. In the order the `o` key cycles them.
    #[derive(Default)]
    pub enum NetbackVariant {
        /// XSA-332 as shipped (23025393dbeb, Oct 2020): `(!tx | !rx)`, both handlers called
        /// (the bitwise operator was chosen for that), spurious if either side idle.
        #[default]
        Buggy = "buggy",
        /// `(!tx || !rx)` written inline: spurious if either side idle, and when TX had no
        /// work `||` stops there: `xenvif_handle_rx_interrupt` is not called.
        OrInline = "or-inline",
        /// `(!tx && !rx)` written inline: spurious only if both idle, and when TX had work
        /// `&&` stops there: `xenvif_handle_rx_interrupt` is not called.
        AndInline = "and-inline",
        /// `(!tx & !rx)`: the one-character fix the story describes (what XCP-ng shipped,
        /// Feb 2021): both handlers called, spurious only if both idle.
        Bitand = "bitand",
        /// Upstream's fix (a3daf3d39132, Feb 2021): `has_tx = …; has_rx = …;` then
        /// `(!has_rx && !has_tx)`: both handlers called, spurious only if both idle.
        Fixed = "fixed",
    }
}

impl NetbackVariant {
    /// netback's verdict on a common-channel event whose checks found `tx_work` and
    /// `rx_work` (`rx_work` is unused when [`Self::calls_rx`] says the RX handler was
    /// skipped).
    #[inline(always)]
    pub fn is_spurious(self, tx_work: bool, rx_work: bool) -> bool {
        match self {
            NetbackVariant::Buggy | NetbackVariant::OrInline => !tx_work | !rx_work,
            NetbackVariant::AndInline | NetbackVariant::Bitand | NetbackVariant::Fixed => {
                !tx_work & !rx_work
            }
        }
    }

    /// Whether the handler calls `xenvif_handle_rx_interrupt` after the TX handler found
    /// `tx_work`: always, except where an inline `||` or `&&` stops at its left side.
    #[inline(always)]
    pub fn calls_rx(self, tx_work: bool) -> bool {
        match self {
            NetbackVariant::OrInline => tx_work,
            NetbackVariant::AndInline => !tx_work,
            NetbackVariant::Buggy | NetbackVariant::Bitand | NetbackVariant::Fixed => true,
        }
    }

    /// How the lab names the version in a few characters (status bar, chart marks).
    pub fn operator(self) -> &'static str {
        match self {
            NetbackVariant::Buggy => "OR",
            NetbackVariant::OrInline => "OR inline",
            NetbackVariant::AndInline => "AND inline",
            NetbackVariant::Bitand => "bitwise AND",
            NetbackVariant::Fixed => "AND",
        }
    }

    /// The operator as C writes it: `|`, `||`, `&&`, `&`, `&&`.
    pub fn symbol(self) -> &'static str {
        match self {
            NetbackVariant::Buggy => "|",
            NetbackVariant::OrInline => "||",
            NetbackVariant::AndInline | NetbackVariant::Fixed => "&&",
            NetbackVariant::Bitand => "&",
        }
    }

    /// The condition as netback writes it (names shortened to `tx`/`rx`).
    pub fn condition(self) -> &'static str {
        match self {
            NetbackVariant::Buggy => "(!tx | !rx)",
            NetbackVariant::OrInline => "(!tx || !rx)",
            NetbackVariant::AndInline => "(!tx && !rx)",
            NetbackVariant::Bitand => "(!tx & !rx)",
            NetbackVariant::Fixed => "(!tx && !rx)",
        }
    }

    /// What the condition means.
    pub fn meaning(self) -> &'static str {
        match self {
            NetbackVariant::Buggy => "spurious if EITHER side idle",
            NetbackVariant::OrInline => "spurious if EITHER idle; no RX check when TX idle",
            NetbackVariant::AndInline => "spurious only if BOTH idle; no RX check when TX busy",
            NetbackVariant::Bitand => "spurious only if BOTH idle (both checks run)",
            NetbackVariant::Fixed => "spurious only if BOTH idle",
        }
    }

    /// Whether the version is a right one: spurious only when neither side had work, and
    /// both handlers called (the story's `&` fix and upstream's).
    pub fn is_sound(self) -> bool {
        matches!(self, NetbackVariant::Bitand | NetbackVariant::Fixed)
    }

    /// The `b` key: shipped → upstream, and any other version back to the shipped one.
    pub fn other(self) -> Self {
        match self {
            NetbackVariant::Buggy => NetbackVariant::Fixed,
            _ => NetbackVariant::Buggy,
        }
    }
}

/// TCP behaviour that belongs to an operating system (`docs/model.md` §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsProfile {
    /// Send window in bytes (the autotuned socket buffer on an in-host path).
    pub send_window: u32,
    /// The receiver acknowledges every `ack_every` segments (and the tail of a burst).
    pub ack_every: u32,
}

impl OsProfile {
    /// FreeBSD / pfSense: small autotuned send buffer; no LRO, so an ACK every 2 segments.
    pub const FREEBSD: OsProfile = OsProfile {
        send_window: 128 * 1024,
        ack_every: 2,
    };
    /// Linux: large autotuned send buffer; GRO, so about one ACK per 8 segments.
    pub const LINUX: OsProfile = OsProfile {
        send_window: 512 * 1024,
        ack_every: 8,
    };
}

/// Model parameters: sizes, costs and latencies. Defaults are documented in the README.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelParams {
    /// Bytes on the wire per full-size packet (MTU).
    pub mtu: u32,
    /// TCP payload per full-size segment.
    pub mss: u32,
    /// netback copies a TX packet of at most this many bytes whole; of a longer one it
    /// copies the head and grant-maps the rest, answering it when its skb is freed
    /// (`XEN_NETBACK_TX_COPY_LEN`, 128). `mtu` or more: every packet copied.
    pub tx_copy_len: u32,
    /// Xen raising an upcall on an idle dom0 vCPU (wake-up and entry), ns.
    pub upcall_latency_ns: u64,
    /// dom0: one upcall loop (scan of the selector and words), ns.
    pub dom0_upcall_ns: u64,
    /// dom0: one netback interrupt handler run, ns.
    pub dom0_handler_ns: u64,
    /// dom0: fixed cost of one NAPI poll or one RX-kthread batch, ns.
    pub dom0_batch_ns: u64,
    /// dom0: one data packet through netback (grant copy, bridge), either way, ns.
    pub dom0_pkt_ns: u64,
    /// dom0: one ACK-sized packet through netback, ns.
    pub dom0_ack_ns: u64,
    /// dom0: one late EOI that unmasks (the late-EOI step and the mask bit cleared), ns.
    pub dom0_eoi_ns: u64,
    /// dom0 on FIFO: unmasking a pending port, the `EVTCHNOP_unmask` hypercall in which
    /// Xen's `evtchn_fifo_unmask` links the port again (2-level needs none), ns.
    pub fifo_unmask_hypercall_ns: u64,
    /// Guest: one data segment sent or received (TCP stack and netfront), ns.
    pub guest_pkt_ns: u64,
    /// Guest: one ACK sent or received, ns.
    pub guest_ack_ns: u64,
    /// Guest: taking an interrupt from netback, ns.
    pub guest_irq_ns: u64,
    /// FreeBSD guest: from netback's notification reaching the guest to its interrupt
    /// thread running (`xn_intr` is bound as an ithread, which preempts the sending thread
    /// at its next step), ns. The scheduling latency of a preempting kernel thread.
    pub guest_ithread_latency_ns: u64,
    /// Guest: one event-channel notify hypercall, ns (also the rogue guest's notify period).
    pub guest_notify_ns: u64,
    /// One way between netback and the peer (bridge, the peer's own stack), ns.
    pub peer_latency_ns: u64,
    /// The peer's per-packet send or receive time (its link rate), ns.
    pub peer_pkt_ns: u64,
    /// Uniform jitter applied to every cost, in percent (the seed's only effect).
    pub jitter_pct: u32,
    /// Length of one metrics interval, ns.
    pub sample_interval_ns: u64,
}

/// The range each model parameter may take in a scenario file: wide enough to explore,
/// narrow enough that a run stays bounded (a zero cost would let events repeat without
/// time passing).
pub const COST_NS_RANGE: std::ops::RangeInclusive<u64> = 100..=1_000_000_000;

impl ModelParams {
    /// What is out of range, one message per parameter (empty: all good).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |name: &str, v: u64, lo: u64, hi: u64, unit: &str| {
            if !(lo..=hi).contains(&v) {
                out.push(format!("params.{name} is {v}: give {lo} to {hi}{unit}"));
            }
        };
        check("mtu", self.mtu.into(), 576, 9000, " bytes");
        check(
            "mss",
            self.mss.into(),
            536,
            u64::from(self.mtu.max(576)) - 40,
            " bytes (at most mtu - 40)",
        );
        check("tx_copy_len", self.tx_copy_len.into(), 0, 65_536, " bytes");
        let (lo, hi) = (*COST_NS_RANGE.start(), *COST_NS_RANGE.end());
        for (name, v) in [
            ("upcall_latency_ns", self.upcall_latency_ns),
            ("dom0_upcall_ns", self.dom0_upcall_ns),
            ("dom0_handler_ns", self.dom0_handler_ns),
            ("dom0_batch_ns", self.dom0_batch_ns),
            ("dom0_pkt_ns", self.dom0_pkt_ns),
            ("dom0_ack_ns", self.dom0_ack_ns),
            ("dom0_eoi_ns", self.dom0_eoi_ns),
            ("fifo_unmask_hypercall_ns", self.fifo_unmask_hypercall_ns),
            ("guest_pkt_ns", self.guest_pkt_ns),
            ("guest_ack_ns", self.guest_ack_ns),
            ("guest_irq_ns", self.guest_irq_ns),
            ("guest_ithread_latency_ns", self.guest_ithread_latency_ns),
            ("guest_notify_ns", self.guest_notify_ns),
            ("peer_latency_ns", self.peer_latency_ns),
            ("peer_pkt_ns", self.peer_pkt_ns),
        ] {
            check(name, v, lo, hi, " ns");
        }
        check("jitter_pct", self.jitter_pct.into(), 0, 50, " percent");
        check(
            "sample_interval_ns",
            self.sample_interval_ns,
            10_000_000,
            10_000_000_000,
            " ns",
        );
        out
    }
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            mtu: 1500,
            mss: 1448,
            tx_copy_len: 128,
            upcall_latency_ns: 2_000,
            dom0_upcall_ns: 1_000,
            dom0_handler_ns: 500,
            dom0_batch_ns: 1_000,
            dom0_pkt_ns: 3_000,
            dom0_ack_ns: 1_500,
            dom0_eoi_ns: 300,
            fifo_unmask_hypercall_ns: 1_000,
            guest_pkt_ns: 5_000,
            guest_ack_ns: 1_500,
            guest_irq_ns: 1_000,
            guest_ithread_latency_ns: 2_000,
            guest_notify_ns: 500,
            peer_latency_ns: 15_000,
            peer_pkt_ns: 1_200,
            jitter_pct: 10,
            sample_interval_ns: 100_000_000,
        }
    }
}

/// Everything a run starts from. Same `Config` and same knob changes at the same virtual
/// times give the same run, bit for bit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub guest: GuestKind,
    pub direction: Direction,
    pub netback: NetbackVariant,
    /// Patch 12, "block rogue events for some time".
    pub throttle: bool,
    /// The XSA-332 late-EOI patches as a whole; off = the classic edge handling before them.
    pub lateeoi: bool,
    /// dom0's event-channel ABI (`abi` in lesson files and flags).
    pub abi: Abi,
    /// dom0's timer frequency (jiffies per second).
    pub hz: u32,
    /// The per-device `spurious_threshold` (`threshold` in lesson files and flags).
    #[serde(alias = "threshold")]
    pub spurious_threshold: u32,
    pub seed: u64,
    pub params: ModelParams,
    /// The test-only knob ([`super::Knob::TestSwitch`]): read by nothing.
    #[cfg(test)]
    pub test_switch: bool,
}

impl Default for Config {
    /// Where the story starts: a FreeBSD guest sending, the shipped netback, throttle on.
    fn default() -> Self {
        Config {
            guest: GuestKind::Freebsd,
            direction: Direction::Tx,
            netback: NetbackVariant::Buggy,
            throttle: true,
            lateeoi: true,
            abi: Abi::TwoLevel,
            hz: 250,
            spurious_threshold: 1,
            seed: 1,
            params: ModelParams::default(),
            #[cfg(test)]
            test_switch: false,
        }
    }
}

impl Config {
    /// The eight network scenarios, defaults otherwise: FreeBSD and Linux guests, TX and
    /// RX, netback buggy and fixed (the scenarios the speed figures are quoted for).
    pub fn network_scenarios() -> impl Iterator<Item = Config> {
        [GuestKind::Freebsd, GuestKind::Linux]
            .into_iter()
            .flat_map(|guest| [Direction::Tx, Direction::Rx].map(|d| (guest, d)))
            .flat_map(|(guest, direction)| {
                [NetbackVariant::Buggy, NetbackVariant::Fixed].map(|netback| Config {
                    guest,
                    direction,
                    netback,
                    ..Config::default()
                })
            })
    }

    /// The OS of the guest (the rogue and idle guests run no TCP; they get FreeBSD's numbers,
    /// unused).
    pub fn guest_os(&self) -> OsProfile {
        match self.guest {
            GuestKind::Linux => OsProfile::LINUX,
            GuestKind::Freebsd | GuestKind::Rogue | GuestKind::Idle => OsProfile::FREEBSD,
        }
    }

    /// The peer is a Linux (Debian) guest, as in the field report.
    pub fn peer_os(&self) -> OsProfile {
        OsProfile::LINUX
    }

    /// Nanoseconds per jiffy.
    pub fn jiffy_ns(&self) -> u64 {
        1_000_000_000 / u64::from(self.hz.max(1))
    }

    /// Whether the guest binds one common channel (netback's `xenvif_interrupt`).
    pub fn common_channel(&self) -> bool {
        !matches!(self.guest, GuestKind::Linux)
    }
}
