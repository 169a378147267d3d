//! Counters over the whole run and per-interval samples.

use std::collections::VecDeque;

use serde::Serialize;

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
}

impl Counters {
    /// spurious_events / late EOIs.
    pub fn spurious_ratio(&self) -> f64 {
        ratio(self.spurious_events, self.lateeoi_calls)
    }
}

pub(crate) fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
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
        Sample {
            t_end_ns,
            len_ns,
            goodput_mbps: (b.bytes_delivered - a.bytes_delivered) as f64 * 8.0 / secs / 1e6,
            packets_delivered: b.packets_delivered - a.packets_delivered,
            events_sent: b.events_sent - a.events_sent,
            events_delivered: b.events_delivered - a.events_delivered,
            events_coalesced: b.events_coalesced - a.events_coalesced,
            spurious_events: b.spurious_events - a.spurious_events,
            lateeoi_calls: b.lateeoi_calls - a.lateeoi_calls,
            jiffies_eoi_delayed: b.jiffies_eoi_delayed - a.jiffies_eoi_delayed,
            masked_ns: b.masked_ns - a.masked_ns,
            paused_ns: b.paused_ns - a.paused_ns,
            dom0_cpu_pct: (b.dom0_busy_ns - a.dom0_busy_ns) as f64 / len_ns.max(1) as f64 * 100.0,
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
