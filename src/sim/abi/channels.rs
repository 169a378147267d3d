//! The ABI a simulation runs, one of the two behind [`EventChannelAbi`], chosen by [`Abi`].

use super::fifo::Fifo;
use super::shared::{EventChannelAbi, SendOutcome, SharedInfo};
use super::two_level::TwoLevel;
use crate::sim::params::Abi;

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
