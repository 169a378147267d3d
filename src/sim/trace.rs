//! A bounded trace of notable transitions, for the UI to draw and for export.
//!
//! A ring buffer allocated once: recording never allocates. Each record has a global
//! sequence number, so a reader can ask for "everything since N" and learn how many it
//! missed when the ring wrapped.

use serde::Serialize;

use super::evtchn::SendOutcome;

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

/// A knob, for marks in the trace and on the charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KnobChange {
    Netback(super::NetbackVariant),
    Throttle(bool),
    LateEoi(bool),
    SpuriousThreshold(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceKind {
    /// The guest notified `port`; what Xen's send did.
    Notify { port: u32, outcome: SendOutcome },
    /// An upcall loop began on dom0's vCPU.
    Upcall { epoch: u64 },
    /// The upcall handled `port` (`handle_irq_for_port`).
    Deliver { port: u32 },
    /// Acked: pending cleared; masked with `EOI_PENDING` when late EOI is on.
    Ack { port: u32, masked: bool },
    /// netback's handler looked for work. `spurious` is `None` without late EOI.
    Verdict {
        port: u32,
        role: PortRole,
        tx_work: bool,
        rx_work: bool,
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
    /// A knob changed.
    Knob { change: KnobChange },
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

/// The bounded ring of trace events.
#[derive(Clone, Debug)]
pub struct Trace {
    buf: Vec<TraceEvent>,
    cap: usize,
    /// Sequence number of the next record.
    next: u64,
}

impl Trace {
    pub fn with_capacity(cap: usize) -> Self {
        let cap = cap.max(1);
        Trace {
            buf: Vec::with_capacity(cap),
            cap,
            next: 0,
        }
    }

    #[inline]
    pub fn record(&mut self, t_ns: u64, jiffies: u64, kind: TraceKind) {
        let ev = TraceEvent {
            seq: self.next,
            t_ns,
            jiffies,
            kind,
        };
        if self.buf.len() < self.cap {
            self.buf.push(ev);
        } else {
            self.buf[(self.next % self.cap as u64) as usize] = ev;
        }
        self.next += 1;
    }

    /// Sequence number the next record will get (= records so far).
    pub fn next_seq(&self) -> u64 {
        self.next
    }

    /// The oldest sequence number still held.
    pub fn first_seq(&self) -> u64 {
        self.next - self.buf.len() as u64
    }

    /// Records with `seq >= from`, oldest first (those already overwritten are skipped).
    pub fn since(&self, from: u64) -> impl DoubleEndedIterator<Item = &TraceEvent> + '_ {
        let start = from.max(self.first_seq());
        (start..self.next).map(move |s| &self.buf[(s % self.cap as u64) as usize])
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
