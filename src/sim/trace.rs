//! A bounded trace of notable transitions, for the UI to draw and for export.
//!
//! A ring buffer allocated once: recording never allocates. Each record has a global
//! sequence number, so a reader can ask for "everything since N" and learn how many it
//! missed when the ring wrapped.

use serde::Serialize;

use super::abi::SendOutcome;
use super::events_base::EVENT_EOI_DELAY;
use super::knob::KnobChange;

/// What a port is for, on the netback side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PortRole {
    /// One channel for TX and RX (`xenvif_interrupt`).
    Common,
    /// Split channel, TX (`xenvif_tx_interrupt`).
    Tx,
    /// Split channel, RX (`xenvif_rx_interrupt`).
    Rx,
}

impl PortRole {
    /// `common`, `tx`, `rx`.
    pub fn name(self) -> &'static str {
        match self {
            PortRole::Common => "common",
            PortRole::Tx => "tx",
            PortRole::Rx => "rx",
        }
    }

    /// netback's handler for the port, in `drivers/net/xen-netback/interface.c`.
    pub fn handler(self) -> &'static str {
        match self {
            PortRole::Common => "xenvif_interrupt",
            PortRole::Tx => "xenvif_tx_interrupt",
            PortRole::Rx => "xenvif_rx_interrupt",
        }
    }
}

/// Who called the late EOI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EoiSource {
    /// The interrupt handler (spurious: it found no work).
    Handler,
    /// The NAPI TX poll, when it completes.
    Napi,
    /// The RX kthread, before it sleeps.
    Kthread,
    /// The delayed-EOI worker, at the end of a throttle pause.
    Worker,
}

impl EoiSource {
    /// `handler`, `NAPI poll`, `RX kthread`, `worker`.
    pub fn label(self) -> &'static str {
        match self {
            EoiSource::Handler => "handler",
            EoiSource::Napi => "NAPI poll",
            EoiSource::Kthread => "RX kthread",
            EoiSource::Worker => "worker",
        }
    }

    /// Who called it and with which flag: "late EOI, SPURIOUS" (the handler's),
    /// "late EOI from NAPI poll", "worker's EOI".
    pub fn call(self, spurious: bool) -> String {
        match (self, spurious) {
            (EoiSource::Worker, _) => "worker's EOI".to_string(),
            (EoiSource::Handler, true) => "late EOI, SPURIOUS".to_string(),
            (s, true) => format!("late EOI from {}, SPURIOUS", s.label()),
            (s, false) => format!("late EOI from {}", s.label()),
        }
    }
}

/// Why the guest notified (what its push crossed, or who pressed the key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyCause {
    /// netfront pushed TX requests (data segments or ACKs) past netback's `req_event`.
    TxRequests,
    /// netfront refilled its RX ring past netback's `req_event` (`xn_alloc_rx_buffers`).
    RxRefill,
    /// The rogue guest: a notify without any request.
    Rogue,
    /// The learner, by hand (the lab's `n` key).
    ByHand,
}

impl NotifyCause {
    /// `TX`, `RX refill`, `rogue`, `by hand` (short: it goes into every notify's words).
    pub fn label(self) -> &'static str {
        match self {
            NotifyCause::TxRequests => "TX",
            NotifyCause::RxRefill => "RX refill",
            NotifyCause::Rogue => "rogue",
            NotifyCause::ByHand => "by hand",
        }
    }
}

/// What the late EOI did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EoiResult {
    /// Unmasked at once.
    Unmasked,
    /// Kept masked on the delayed list: a throttle pause of `jiffies`.
    Paused { jiffies: u64, eoi_time: u64 },
    /// The port was already on the delayed list: nothing changed.
    AlreadyQueued,
}

impl EoiResult {
    /// `unmask`, `PAUSE 1 jiffy`, `already listed: no-op`; `until` adds the jiffy a pause
    /// ends at.
    pub fn words(self, until: bool) -> String {
        match self {
            EoiResult::Unmasked => "unmask".to_string(),
            EoiResult::Paused {
                jiffies: 0,
                eoi_time,
            } => {
                let d = "deferred to the worker (patch 11)";
                if until {
                    format!("{d} (to j{eoi_time})")
                } else {
                    d.to_string()
                }
            }
            EoiResult::Paused { jiffies, eoi_time } => {
                let p = format!("PAUSE {jiffies} {}", plural(jiffies, "jiffy", "jiffies"));
                if until {
                    format!("{p} (to j{eoi_time})")
                } else {
                    p
                }
            }
            EoiResult::AlreadyQueued => "already listed: no-op".to_string(),
        }
    }
}

impl std::fmt::Display for EoiResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words(false))
    }
}

/// `one` when `n` is 1, else `many`.
pub fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceKind {
    /// The guest notified `port` (for `cause`); what Xen's send did.
    Notify {
        port: u32,
        outcome: SendOutcome,
        cause: NotifyCause,
    },
    /// An upcall loop began on dom0's vCPU. `epoch` is the CPU's `irq_epoch` during this
    /// `xen_evtchn_do_upcall`; it decides something only for EOIs deferred by patch 11 (see
    /// [`TraceKind::Deliver`]), so the words leave it out.
    Upcall { epoch: u64 },
    /// The upcall handled `port` (`handle_irq_for_port`). `defer_eoi`: the loop ran past
    /// `event_loop_timeout`, so this event's late EOI, if called within the loop, waits
    /// `event_eoi_delay` on the delayed list (patch 11).
    Deliver { port: u32, defer_eoi: bool },
    /// Acked: pending cleared; masked too when late EOI is on (`mask_ack_dynirq`, the
    /// story's chip; `lateeoi_ack_dynirq` with reason `EOI_PENDING` since 25da4618af24).
    Ack { port: u32, masked: bool },
    /// netback's handler looked for work. `spurious` is `None` without late EOI.
    /// `rx_checked`: `xenvif_handle_rx_interrupt` ran (false on a TX port, and on the
    /// common port when an inline `||` or `&&` skipped it; `rx_work` is then false).
    Verdict {
        port: u32,
        role: PortRole,
        tx_work: bool,
        rx_work: bool,
        rx_checked: bool,
        spurious: Option<bool>,
    },
    /// `xen_irq_lateeoi` (or the worker's EOI).
    LateEoi {
        port: u32,
        source: EoiSource,
        spurious: bool,
        spurious_cnt: u8,
        result: EoiResult,
    },
    /// The port's mask bit was cleared; `redelivered` when a held notify fires now.
    Unmask { port: u32, redelivered: bool },
    /// dom0 masked the port on purpose (`mask_irq`, reason `EXPLICIT`); `was_masked` when
    /// another reason already held it masked.
    Mask { port: u32, was_masked: bool },
    /// dom0 cleared its explicit mask (`unmask_irq`); the port stays masked when another
    /// reason (`EOI_PENDING`) still holds it. An unmask that clears the bit is traced as
    /// [`TraceKind::Unmask`] right after.
    ExplicitUnmask { port: u32, still_masked: bool },
    /// A knob changed.
    Knob { change: KnobChange },
}

impl TraceKind {
    /// The port the transition is about, if any.
    pub fn port(&self) -> Option<u32> {
        match *self {
            TraceKind::Notify { port, .. }
            | TraceKind::Deliver { port, .. }
            | TraceKind::Ack { port, .. }
            | TraceKind::Verdict { port, .. }
            | TraceKind::LateEoi { port, .. }
            | TraceKind::Unmask { port, .. }
            | TraceKind::Mask { port, .. }
            | TraceKind::ExplicitUnmask { port, .. } => Some(port),
            TraceKind::Upcall { .. } | TraceKind::Knob { .. } => None,
        }
    }
}

fn work(found: bool, side: &str) -> String {
    if found {
        format!("{side} work")
    } else {
        format!("no {side} work")
    }
}

/// The handler's verdict in words: "handler found TX work, no RX work → flagged SPURIOUS (OR)".
pub fn verdict_words(
    role: PortRole,
    tx_work: bool,
    rx_work: bool,
    rx_checked: bool,
    spurious: Option<bool>,
) -> String {
    let mut s = match role {
        // Before XSA-332 the RX handler kicked the RX kthread without looking for work.
        PortRole::Common if spurious.is_none() => {
            format!("handler found {}, RX kthread kicked", work(tx_work, "TX"))
        }
        PortRole::Rx if spurious.is_none() => "RX handler kicked the RX kthread".to_string(),
        PortRole::Common if !rx_checked => format!(
            "handler found {}, RX not checked (short-circuit)",
            work(tx_work, "TX"),
        ),
        PortRole::Common => format!(
            "handler found {}, {}",
            work(tx_work, "TX"),
            work(rx_work, "RX")
        ),
        PortRole::Tx => format!("TX handler found {}", work(tx_work, "TX")),
        PortRole::Rx => format!("RX handler found {}", work(rx_work, "RX")),
    };
    match spurious {
        None => s.push_str(" → no late EOI (classic handling)"),
        Some(true) => {
            s.push_str(" → flagged SPURIOUS");
            if !rx_checked && role == PortRole::Common {
                s.push_str(" (no TX work)");
            } else if role == PortRole::Common && tx_work != rx_work {
                // One side had work and it was still spurious: only OR says that.
                s.push_str(" (OR)");
            } else {
                s.push_str(" (no work)");
            }
        }
        Some(false) => {
            s.push_str(" → real work, EOI later");
            if role == PortRole::Common && rx_checked && tx_work != rx_work {
                s.push_str(" (AND)");
            }
        }
    }
    s
}

/// One transition in plain words, without its time stamp: the lab's log, the trace export
/// and the lessons all read the trace through this.
impl std::fmt::Display for TraceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            TraceKind::Notify {
                port,
                outcome,
                cause,
            } => write!(
                f,
                "port {port}: guest notifies ({}) → {}",
                cause.label(),
                outcome.label()
            ),
            TraceKind::Upcall { .. } => write!(f, "dom0 vCPU0: upcall loop"),
            TraceKind::Deliver {
                port,
                defer_eoi: true,
            } => write!(
                f,
                "port {port}: upcall handles the event; loop past event_loop_timeout → EOI deferred {EVENT_EOI_DELAY} jiffies"
            ),
            TraceKind::Deliver {
                port,
                defer_eoi: false,
            } => write!(f, "port {port}: upcall handles the event"),
            TraceKind::Ack { port, masked } => write_either(f, port, masked, ACK_WORDS),
            TraceKind::Verdict {
                port,
                role,
                tx_work,
                rx_work,
                rx_checked,
                spurious,
            } => write!(
                f,
                "port {port}: {}",
                verdict_words(role, tx_work, rx_work, rx_checked, spurious)
            ),
            TraceKind::LateEoi {
                port,
                source,
                spurious,
                spurious_cnt,
                result,
            } => write!(
                f,
                "port {port}: {}: spurious_cnt {spurious_cnt} → {result}",
                source.call(spurious)
            ),
            TraceKind::Unmask { port, redelivered } => {
                write_either(f, port, redelivered, UNMASK_WORDS)
            }
            TraceKind::Mask { port, was_masked } => write_either(f, port, was_masked, MASK_WORDS),
            TraceKind::ExplicitUnmask { port, still_masked } => {
                write_either(f, port, still_masked, EXPLICIT_UNMASK_WORDS)
            }
            TraceKind::Knob { change } => write!(f, "knob: {change}"),
        }
    }
}

/// A transition's words after `port N: ` when its flag is set, and when it is not.
type Either = (&'static str, &'static str);

const ACK_WORDS: Either = (
    "mask_ack_dynirq: acked → pending cleared, masked (EOI_PENDING) [a reason's name since 25da4618af24]",
    "acked → pending cleared, stays unmasked",
);
const UNMASK_WORDS: Either = (
    "unmasked → held notify delivered now (unmask_evtchn)",
    "unmasked (unmask_evtchn)",
);
const MASK_WORDS: Either = (
    "dom0 masks it too; it was masked already",
    "masked by dom0 (mask_irq)",
);
const EXPLICIT_UNMASK_WORDS: Either = (
    "dom0's mask cleared; still masked for the late EOI (mask reasons: 25da4618af24, 2021)",
    "dom0's mask cleared (unmask_irq)",
);

fn write_either(
    f: &mut std::fmt::Formatter<'_>,
    port: u32,
    flag: bool,
    (set, unset): Either,
) -> std::fmt::Result {
    write!(f, "port {port}: {}", if flag { set } else { unset })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    /// Global sequence number (0, 1, 2, … since the start).
    pub seq: u64,
    /// Virtual time, ns.
    pub t_ns: u64,
    /// dom0 jiffies at that time.
    pub jiffies: u64,
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// The bounded ring of trace events. With capacity 0 nothing is kept (a headless run that
/// records nothing pays nothing for it), but records are still counted, so
/// [`Trace::next_seq`] says how many transitions there were.
#[derive(Clone, Debug)]
pub struct Trace {
    buf: Vec<TraceEvent>,
    cap: usize,
    /// Where the next record goes once the ring is full (`next % cap`, kept without a
    /// division).
    pos: usize,
    /// Sequence number of the next record.
    next: u64,
    /// The seq ranges (`start..end`) of the last [`RUNS_KEPT`] runs recorded in one go
    /// ([`Trace::record_run`]), oldest first, so a reader can step over a run's identical
    /// records ([`Trace::run_start`]).
    runs: [(u64, u64); RUNS_KEPT],
}

/// Runs remembered for [`Trace::run_start`]: more than the lab's 1 ms reads ever meet (a
/// throttled rogue guest's runs are cut by the ticks, every 1 to 10 ms).
const RUNS_KEPT: usize = 8;

impl Trace {
    pub fn with_capacity(cap: usize) -> Self {
        Trace {
            buf: Vec::with_capacity(cap),
            cap,
            pos: 0,
            next: 0,
            runs: [(0, 0); RUNS_KEPT],
        }
    }

    /// Whether records are kept (capacity above 0).
    #[inline]
    pub fn is_on(&self) -> bool {
        self.cap != 0
    }

    /// How many records the ring holds at most.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Count one record without keeping it (what [`Trace::record`] does at capacity 0).
    #[inline(always)]
    pub fn count_one(&mut self) {
        self.next += 1;
    }

    #[inline]
    pub fn record(&mut self, t_ns: u64, jiffies: u64, kind: TraceKind) {
        if self.cap == 0 {
            self.next += 1;
            return;
        }
        let ev = TraceEvent {
            seq: self.next,
            t_ns,
            jiffies,
            kind,
        };
        if self.buf.len() < self.cap {
            self.buf.push(ev);
        } else {
            self.buf[self.pos] = ev;
        }
        self.pos += 1;
        if self.pos == self.cap {
            self.pos = 0;
        }
        self.next += 1;
    }

    /// `n` records of the same kind at `t0_ns`, `t0_ns + step_ns`, … (a run of coalesced
    /// notifies): the same as `n` calls of [`Trace::record`], writing only those the ring
    /// keeps.
    #[inline]
    pub fn record_run(&mut self, t0_ns: u64, step_ns: u64, n: u64, jiffies: u64, kind: TraceKind) {
        if self.cap == 0 {
            self.next += n;
            return;
        }
        self.runs.rotate_left(1);
        self.runs[RUNS_KEPT - 1] = (self.next, self.next + n);
        let skip = n.saturating_sub(self.cap as u64);
        if skip > 0 {
            // Overwritten before anyone could read them: only their numbers remain.
            self.next += skip;
            self.pos = (self.next % self.cap as u64) as usize;
            if self.buf.len() < self.cap {
                // Not full yet: a ring this short of records reaches it now.
                self.fill_to_capacity();
            }
        }
        let mut i = skip;
        // Until the ring is full, one at a time; then (a throttled rogue guest's runs, up to
        // 2,000 a virtual millisecond in the lab) straight into the slots, in at most two
        // stretches, with no per-record tests.
        while i < n && self.buf.len() < self.cap {
            self.record(t0_ns + i * step_ns, jiffies, kind);
            i += 1;
        }
        while i < n {
            let k = ((n - i) as usize).min(self.cap - self.pos);
            let (seq0, t0) = (self.next, t0_ns + i * step_ns);
            for (j, slot) in self.buf[self.pos..self.pos + k].iter_mut().enumerate() {
                *slot = TraceEvent {
                    seq: seq0 + j as u64,
                    t_ns: t0 + j as u64 * step_ns,
                    jiffies,
                    kind,
                };
            }
            self.pos += k;
            if self.pos == self.cap {
                self.pos = 0;
            }
            self.next += k as u64;
            i += k as u64;
        }
    }

    /// Make the buffer full length (only after records were skipped over, so the slots
    /// hold nothing readable: [`Trace::first_seq`] says where the readable ones start).
    fn fill_to_capacity(&mut self) {
        let filler = TraceEvent {
            seq: 0,
            t_ns: 0,
            jiffies: 0,
            kind: TraceKind::Upcall { epoch: 0 },
        };
        self.buf.resize(self.cap, filler);
    }

    /// Sequence number the next record will get (= records so far).
    pub fn next_seq(&self) -> u64 {
        self.next
    }

    /// The oldest sequence number still held.
    pub fn first_seq(&self) -> u64 {
        self.next - (self.buf.len() as u64).min(self.next)
    }

    /// The slot of the record numbered `seq` (held records only).
    #[inline]
    fn slot(&self, seq: u64) -> usize {
        (seq % self.cap as u64) as usize
    }

    /// The record numbered `seq`, if the ring still holds it.
    pub fn get(&self, seq: u64) -> Option<&TraceEvent> {
        (seq >= self.first_seq() && seq < self.next).then(|| &self.buf[self.slot(seq)])
    }

    /// The first seq of the run recorded in one go that `seq` belongs to: the records from
    /// there to `seq` are all of `seq`'s kind, at evenly spaced times. `seq` itself when it
    /// is in none of the last few runs.
    pub fn run_start(&self, seq: u64) -> u64 {
        self.runs
            .iter()
            .rev()
            .find(|&&(start, end)| start <= seq && seq < end)
            .map_or(seq, |&(start, _)| start)
    }

    /// Records with `seq >= from`, oldest first (those already overwritten are skipped).
    pub fn since(&self, from: u64) -> impl DoubleEndedIterator<Item = &TraceEvent> + '_ {
        let start = from.max(self.first_seq());
        let n = (self.next - start.min(self.next)) as usize;
        let (a, b): (&[TraceEvent], &[TraceEvent]) = if n == 0 {
            (&[], &[])
        } else {
            let i = self.slot(start);
            if i + n <= self.buf.len() {
                (&self.buf[i..i + n], &[])
            } else {
                (&self.buf[i..], &self.buf[..i + n - self.buf.len()])
            }
        };
        a.iter().chain(b.iter())
    }

    /// The last `n` records, oldest first.
    pub fn last(&self, n: usize) -> impl DoubleEndedIterator<Item = &TraceEvent> + '_ {
        self.since(self.next.saturating_sub(n as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_or_verdict_reads_as_the_story_says() {
        let k = TraceKind::Verdict {
            port: 5,
            role: PortRole::Common,
            tx_work: true,
            rx_work: false,
            rx_checked: true,
            spurious: Some(true),
        };
        assert_eq!(
            k.to_string(),
            "port 5: handler found TX work, no RX work → flagged SPURIOUS (OR)"
        );
        let fixed = TraceKind::Verdict {
            port: 5,
            role: PortRole::Common,
            tx_work: true,
            rx_work: false,
            rx_checked: true,
            spurious: Some(false),
        };
        assert_eq!(
            fixed.to_string(),
            "port 5: handler found TX work, no RX work → real work, EOI later (AND)"
        );
        let rx = TraceKind::Verdict {
            port: 6,
            role: PortRole::Rx,
            tx_work: false,
            rx_work: false,
            rx_checked: true,
            spurious: Some(true),
        };
        assert_eq!(
            rx.to_string(),
            "port 6: RX handler found no RX work → flagged SPURIOUS (no work)"
        );
    }

    #[test]
    fn eois_read_with_their_caller_and_outcome() {
        let p = TraceKind::LateEoi {
            port: 5,
            source: EoiSource::Handler,
            spurious: true,
            spurious_cnt: 2,
            result: EoiResult::Paused {
                jiffies: 1,
                eoi_time: 42,
            },
        };
        assert_eq!(
            p.to_string(),
            "port 5: late EOI, SPURIOUS: spurious_cnt 2 → PAUSE 1 jiffy"
        );
        assert_eq!(
            EoiResult::Paused {
                jiffies: 2,
                eoi_time: 42
            }
            .words(true),
            "PAUSE 2 jiffies (to j42)"
        );
        assert_eq!(EoiSource::Napi.call(false), "late EOI from NAPI poll");
        assert_eq!(EoiSource::Worker.call(false), "worker's EOI");
    }

    proptest::proptest! {
        /// A run recorded in one go leaves the ring as recording each of its records does,
        /// whatever the capacity, the records before it and the run's length.
        #[test]
        fn a_run_is_its_records_one_by_one(
            cap in 0usize..9,
            before in 0u64..20,
            n in 0u64..30,
            after in 0u64..3,
        ) {
            let kind = TraceKind::Upcall { epoch: 7 };
            let mut run = Trace::with_capacity(cap);
            let mut each = Trace::with_capacity(cap);
            for t in [&mut run, &mut each] {
                for i in 0..before {
                    t.record(i, 1, TraceKind::Upcall { epoch: i });
                }
            }
            run.record_run(100, 3, n, 2, kind);
            for i in 0..n {
                each.record(100 + 3 * i, 2, kind);
            }
            for t in [&mut run, &mut each] {
                for i in 0..after {
                    t.record(1000 + i, 3, TraceKind::Upcall { epoch: i });
                }
            }
            proptest::prop_assert_eq!(run.next_seq(), each.next_seq());
            proptest::prop_assert_eq!(run.first_seq(), each.first_seq());
            let a: Vec<TraceEvent> = run.since(0).copied().collect();
            let b: Vec<TraceEvent> = each.since(0).copied().collect();
            proptest::prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn ring_keeps_the_newest_and_counts_the_rest() {
        let mut t = Trace::with_capacity(3);
        for i in 0..5 {
            t.record(i, 0, TraceKind::Upcall { epoch: i });
        }
        assert_eq!(t.first_seq(), 2);
        let seqs: Vec<u64> = t.since(0).map(|e| e.seq).collect();
        assert_eq!(seqs, vec![2, 3, 4]);
        let last: Vec<u64> = t.last(2).map(|e| e.t_ns).collect();
        assert_eq!(last, vec![3, 4]);
        assert_eq!(t.since(5).count(), 0);
    }
}
