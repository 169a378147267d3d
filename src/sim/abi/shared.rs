//! Xen's 2-level event-channel ABI, as seen from one vCPU of the receiving domain (dom0).
//!
//! **Literal** (`docs/model.md` §2): the bits and the order of the
//! test-and-set steps follow `xen/common/event_2l.c` (`evtchn_2l_set_pending`,
//! `evtchn_2l_unmask`) and the layout of `shared_info` / `vcpu_info` in
//! `xen/include/public/xen.h`; the upcall's scan follows `drivers/xen/events/events_2l.c`
//! (selector word by word, `pending & ~mask` bit by bit), without its resume-where-it-left-off
//! fairness (one guest's ports live in one word). Only one vCPU is modelled.
//!
//! What both ABIs share: the trait that dom0's late-EOI core calls ([`EventChannelAbi`]),
//! what a send did ([`SendOutcome`]) and `vcpu_info`. [`super::TwoLevel`] is the 2-level
//! bitmaps behind the trait.

/// Bits per word of `evtchn_pending[]` / `evtchn_mask[]` (64-bit guest).
pub const BITS_PER_WORD: u32 = 64;
/// Words of `evtchn_pending[]`: 2 words = 128 ports, plenty for one guest's channels.
pub const NR_WORDS: usize = 2;
/// Number of ports the model can address.
pub const NR_PORTS: u32 = BITS_PER_WORD * NR_WORDS as u32;

/// What Xen's send did, step by step, on either ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SendOutcome {
    /// `evtchn_pending[p]` was already set: the notification coalesced with it.
    Coalesced,
    /// Newly pending, but `evtchn_mask[p]` is set: held until unmask.
    Masked,
    /// Newly pending; the selector bit for the word was already set (an upcall is on its way).
    SelectorAlreadySet,
    /// Newly pending and selected, but `evtchn_upcall_pending` was already set.
    UpcallAlreadyPending,
    /// `evtchn_upcall_pending` newly set with `evtchn_upcall_mask` clear: an upcall is raised.
    Upcall,
    /// `evtchn_upcall_pending` newly set, but the vCPU has upcalls masked.
    UpcallMasked,
    /// FIFO: newly pending and linked after the tail of its queue, which the guest has not
    /// consumed yet: no upcall (one is on its way or the loop is running).
    LinkedAtTail,
    /// FIFO: newly pending at the head of an empty queue, but the queue's `READY` bit was
    /// already set: no new upcall.
    ReadyAlreadySet,
}

impl SendOutcome {
    /// What Xen's send did, in words.
    pub fn label(self) -> &'static str {
        match self {
            SendOutcome::Coalesced => "already pending: coalesced",
            SendOutcome::Masked => "masked: held pending, no upcall",
            SendOutcome::SelectorAlreadySet => "pending set (selector already set)",
            SendOutcome::UpcallAlreadyPending => "pending set (upcall already pending)",
            SendOutcome::Upcall => "pending set → upcall raised",
            SendOutcome::UpcallMasked => "pending set (vCPU upcalls masked)",
            SendOutcome::LinkedAtTail => "pending set, linked at the queue's tail",
            SendOutcome::ReadyAlreadySet => "pending set, queue head (READY already set)",
        }
    }

    /// Whether Xen raises an upcall on the vCPU.
    pub fn raises_upcall(self) -> bool {
        self == SendOutcome::Upcall
    }
}

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

/// The per-vCPU part of the ABI (`struct vcpu_info`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VcpuInfo {
    pub evtchn_upcall_pending: bool,
    pub evtchn_upcall_mask: bool,
    /// One bit per word of `evtchn_pending[]`.
    pub evtchn_pending_sel: u64,
}

/// The shared part (`struct shared_info`), plus one vCPU.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedInfo {
    pub evtchn_pending: [u64; NR_WORDS],
    pub evtchn_mask: [u64; NR_WORDS],
    pub vcpu: VcpuInfo,
}

#[inline]
fn split(port: u32) -> (usize, u64) {
    debug_assert!(port < NR_PORTS, "port {port} out of range");
    (
        (port / BITS_PER_WORD) as usize,
        1u64 << (port % BITS_PER_WORD),
    )
}

impl SharedInfo {
    pub fn is_pending(&self, port: u32) -> bool {
        let (w, b) = split(port);
        self.evtchn_pending[w] & b != 0
    }

    pub fn is_masked(&self, port: u32) -> bool {
        let (w, b) = split(port);
        self.evtchn_mask[w] & b != 0
    }

    /// Whether the selector bit of `port`'s word is set.
    pub fn is_selected(&self, port: u32) -> bool {
        let (w, _) = split(port);
        self.vcpu.evtchn_pending_sel & (1u64 << w) != 0
    }

    /// Xen's send path: the other end notified `port`.
    pub fn send(&mut self, port: u32) -> SendOutcome {
        let (w, b) = split(port);
        // 1. test-and-set pending
        if self.evtchn_pending[w] & b != 0 {
            return SendOutcome::Coalesced;
        }
        self.evtchn_pending[w] |= b;
        // 2. masked: stays pending, no upcall
        if self.evtchn_mask[w] & b != 0 {
            return SendOutcome::Masked;
        }
        self.mark_selected(w)
    }

    /// Steps 3 and 4 of send, shared with the unmask re-trigger.
    fn mark_selected(&mut self, word: usize) -> SendOutcome {
        let sel = 1u64 << word;
        if self.vcpu.evtchn_pending_sel & sel != 0 {
            return SendOutcome::SelectorAlreadySet;
        }
        self.vcpu.evtchn_pending_sel |= sel;
        if self.vcpu.evtchn_upcall_pending {
            return SendOutcome::UpcallAlreadyPending;
        }
        self.vcpu.evtchn_upcall_pending = true;
        if self.vcpu.evtchn_upcall_mask {
            SendOutcome::UpcallMasked
        } else {
            SendOutcome::Upcall
        }
    }

    pub fn mask(&mut self, port: u32) {
        let (w, b) = split(port);
        self.evtchn_mask[w] |= b;
    }

    /// `clear_evtchn`: clear the pending bit (the "ack" of an edge event).
    pub fn clear_pending(&mut self, port: u32) {
        let (w, b) = split(port);
        self.evtchn_pending[w] &= !b;
    }

    /// Unmask `port`; if it is pending, re-select it and raise the upcall again, so a notify
    /// that arrived while masked is delivered now (delayed, not lost). Returns the outcome of
    /// the re-trigger, or `None` when the port was not pending.
    pub fn unmask(&mut self, port: u32) -> Option<SendOutcome> {
        let (w, b) = split(port);
        self.evtchn_mask[w] &= !b;
        if self.evtchn_pending[w] & b == 0 {
            return None;
        }
        Some(self.mark_selected(w))
    }

    /// Start of one upcall loop iteration: clear `evtchn_upcall_pending` and swap the selector
    /// to 0, returning the selected words.
    pub fn begin_upcall(&mut self) -> u64 {
        self.vcpu.evtchn_upcall_pending = false;
        std::mem::take(&mut self.vcpu.evtchn_pending_sel)
    }

    /// The bits of `word` that the upcall handles: `pending & ~mask`.
    pub fn deliverable(&self, word: usize) -> u64 {
        self.evtchn_pending[word] & !self.evtchn_mask[word]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_raises_one_upcall_then_coalesces() {
        let mut s = SharedInfo::default();
        assert_eq!(s.send(5), SendOutcome::Upcall);
        assert_eq!(s.send(5), SendOutcome::Coalesced);
        // another port of the same word: selector already set
        assert_eq!(s.send(6), SendOutcome::SelectorAlreadySet);
        // a port of another word while the upcall is pending
        assert_eq!(s.send(70), SendOutcome::UpcallAlreadyPending);
        let sel = s.begin_upcall();
        assert_eq!(sel, 0b11);
        assert_eq!(s.deliverable(0), (1 << 5) | (1 << 6));
    }

    #[test]
    fn masked_send_is_held_and_delivered_on_unmask() {
        let mut s = SharedInfo::default();
        s.mask(5);
        assert_eq!(s.send(5), SendOutcome::Masked);
        assert!(s.is_pending(5));
        assert!(!s.vcpu.evtchn_upcall_pending);
        assert_eq!(s.unmask(5), Some(SendOutcome::Upcall));
        assert!(s.is_selected(5));
        assert!(s.vcpu.evtchn_upcall_pending);
    }

    #[test]
    fn unmask_without_pending_raises_nothing() {
        let mut s = SharedInfo::default();
        s.mask(5);
        assert_eq!(s.unmask(5), None);
        assert!(!s.vcpu.evtchn_upcall_pending);
    }

    #[test]
    fn upcall_mask_suppresses_the_upcall_not_the_bits() {
        let mut s = SharedInfo::default();
        s.vcpu.evtchn_upcall_mask = true;
        assert_eq!(s.send(3), SendOutcome::UpcallMasked);
        assert!(s.vcpu.evtchn_upcall_pending);
        assert!(s.is_pending(3) && s.is_selected(3));
    }
}
