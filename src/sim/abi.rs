//! dom0's event-channel ABI behind one trait: Xen's send, the bits dom0 masks, unmasks and
//! clears, and the order in which dom0's upcall loop finds pending ports.
//!
//! Two implementations: the 2-level ABI ([`TwoLevel`], `evtchn.rs`) and the FIFO ABI
//! ([`Fifo`], `fifo.rs`). Linux uses FIFO whenever Xen offers it (Xen 4.4 and later), so a
//! dom0 like the field report's most likely ran FIFO; the lab's first lessons use 2-level.
//! Everything above this trait (the late-EOI core, its throttle, netback) is the same on
//! both: ack = mask + clear pending, EOI = unmask.

use super::evtchn::{SendOutcome, SharedInfo, TwoLevel};
use super::fifo::Fifo;
use super::params::Abi;

/// One domain's view of its event channels, and Xen's send into it.
pub trait EventChannelAbi {
    /// Xen: the other end notified `port` (`evtchn_2l_set_pending`,
    /// `evtchn_fifo_set_pending`).
    fn set_pending(&mut self, port: u32) -> SendOutcome;
    fn is_pending(&self, port: u32) -> bool;
    /// Whether a send to `port` now would coalesce and change nothing at all (the port is
    /// pending and, on FIFO, masked or still linked): only the sender's counters move.
    fn send_coalesces(&self, port: u32) -> bool;
    fn is_masked(&self, port: u32) -> bool;
    /// dom0 masks `port` (`mask_evtchn`).
    fn mask(&mut self, port: u32);
    /// dom0 unmasks `port` (`unmask_evtchn`). When the port is pending, its event is raised
    /// again (2-level: by dom0 itself; FIFO: by Xen, through the `EVTCHNOP_unmask` hypercall)
    /// and the outcome says how; `None` when nothing was pending.
    fn unmask(&mut self, port: u32) -> Option<SendOutcome>;
    /// dom0 clears the port's pending state (`clear_evtchn`): the ack of an edge event.
    fn clear_pending(&mut self, port: u32);
    /// `vcpu_info.evtchn_upcall_pending`.
    fn upcall_pending(&self) -> bool;
    /// One round of `xen_evtchn_do_upcall`'s loop begins: clear `evtchn_upcall_pending` and
    /// take what this round scans.
    fn begin_upcall(&mut self);
    /// The next port this round hands to `handle_irq_for_port`, or `None` when the round is
    /// over.
    fn next_event(&mut self) -> Option<u32>;
}

/// The ABI a simulation runs, chosen by [`Abi`] (a clone is a branch). The FIFO state (an
/// event array of 128 words) is boxed once, at the start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventChannels {
    TwoLevel(TwoLevel),
    Fifo(Box<Fifo>),
}

impl EventChannels {
    pub fn new(abi: Abi) -> Self {
        match abi {
            Abi::TwoLevel => EventChannels::TwoLevel(TwoLevel::default()),
            Abi::Fifo => EventChannels::Fifo(Box::default()),
        }
    }

    pub fn abi(&self) -> Abi {
        match self {
            EventChannels::TwoLevel(_) => Abi::TwoLevel,
            EventChannels::Fifo(_) => Abi::Fifo,
        }
    }

    /// `shared_info` with `vcpu_info`. On FIFO only `vcpu_info` is live; the 2-level arrays
    /// stay zero.
    pub fn shared_info(&self) -> &SharedInfo {
        match self {
            EventChannels::TwoLevel(t) => &t.shared,
            EventChannels::Fifo(f) => &f.shared,
        }
    }

    /// The FIFO state (event words, control block, queues), on FIFO.
    pub fn fifo(&self) -> Option<&Fifo> {
        match self {
            EventChannels::Fifo(f) => Some(&**f),
            EventChannels::TwoLevel(_) => None,
        }
    }
}

/// Each call goes to the ABI in use (a `match`, no vtable: these sit on the hot path).
macro_rules! dispatch {
    ($self:ident, $abi:ident => $call:expr) => {
        match $self {
            EventChannels::TwoLevel($abi) => $call,
            EventChannels::Fifo($abi) => $call,
        }
    };
}

impl EventChannelAbi for EventChannels {
    #[inline(always)]
    fn set_pending(&mut self, port: u32) -> SendOutcome {
        dispatch!(self, a => a.set_pending(port))
    }

    #[inline(always)]
    fn is_pending(&self, port: u32) -> bool {
        dispatch!(self, a => a.is_pending(port))
    }

    #[inline(always)]
    fn send_coalesces(&self, port: u32) -> bool {
        dispatch!(self, a => a.send_coalesces(port))
    }

    #[inline(always)]
    fn is_masked(&self, port: u32) -> bool {
        dispatch!(self, a => a.is_masked(port))
    }

    #[inline(always)]
    fn mask(&mut self, port: u32) {
        dispatch!(self, a => a.mask(port))
    }

    #[inline(always)]
    fn unmask(&mut self, port: u32) -> Option<SendOutcome> {
        dispatch!(self, a => a.unmask(port))
    }

    #[inline(always)]
    fn clear_pending(&mut self, port: u32) {
        dispatch!(self, a => a.clear_pending(port))
    }

    #[inline(always)]
    fn upcall_pending(&self) -> bool {
        dispatch!(self, a => a.upcall_pending())
    }

    #[inline(always)]
    fn begin_upcall(&mut self) {
        dispatch!(self, a => a.begin_upcall())
    }

    #[inline(always)]
    fn next_event(&mut self) -> Option<u32> {
        dispatch!(self, a => a.next_event())
    }
}
