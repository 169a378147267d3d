//! Xen's FIFO event-channel ABI, as seen from one vCPU of the receiving domain (dom0).
//!
//! **Literal** (`docs/model.md` §3), after Xen's
//! `xen/common/event_fifo.c` (4.13) and Linux's `drivers/xen/events/events_fifo.c` (4.19–5.12):
//! - one 32-bit **event word** per port: `P` (pending, bit 31), `M` (masked, bit 30), `L`
//!   (linked, bit 29), `BUSY` (bit 28, unused here) and a 17-bit `LINK`, the next port in
//!   its queue;
//! - per vCPU a **control block** (`struct evtchn_fifo_control_block`): a `READY` bitmap, one
//!   bit per priority, and `HEAD[16]`, each queue's first port as Xen last wrote it; Xen
//!   keeps each queue's tail (`struct evtchn_fifo_queue`), the guest a local copy of each
//!   head (Linux's per-CPU `struct evtchn_fifo_queue`);
//! - **set pending** (`evtchn_fifo_set_pending`): set `P`; if neither `M` nor `L` is set,
//!   set `L` and link the port after the queue's tail if that tail is still linked
//!   (`evtchn_fifo_set_link`), else make it `HEAD`; a new head sets the priority's `READY`
//!   bit and, if that bit was clear, raises the upcall (`vcpu_mark_events_pending`);
//! - **consume** (`__evtchn_fifo_handle_events`, `consume_one_event`): take `READY`, then
//!   the highest ready priority's head (the local copy, or `HEAD` when it is 0), clear its
//!   `L` and `LINK` (`clear_linked`), clear the priority from the local `READY` when the
//!   link was 0, and handle the port if it is pending and not masked; `READY` is taken again
//!   after each event;
//! - **unmask** (`evtchn_fifo_unmask`): clear `M` if `P` is clear; if `P` is set, the
//!   `EVTCHNOP_unmask` hypercall, where Xen clears `M` and runs set pending again, which
//!   re-links the port.
//!
//! One vCPU; every port at the default priority 7 unless a test sets another
//! ([`Fifo::set_priority`], `EVTCHNOP_set_priority`). The `BUSY` bit and the cross-vCPU
//! queue moves (`lock_old_queue`) have nothing to do with one vCPU and are left out.

use super::shared::{EventChannelAbi, NR_PORTS, SendOutcome, SharedInfo};

/// `EVTCHN_FIFO_PENDING`.
pub const PENDING: u32 = 1 << 31;
/// `EVTCHN_FIFO_MASKED`.
pub const MASKED: u32 = 1 << 30;
/// `EVTCHN_FIFO_LINKED`.
pub const LINKED: u32 = 1 << 29;
/// `EVTCHN_FIFO_BUSY`.
pub const BUSY: u32 = 1 << 28;
/// `EVTCHN_FIFO_LINK_MASK`: 17 bits.
pub const LINK_MASK: u32 = (1 << 17) - 1;
/// `EVTCHN_FIFO_MAX_QUEUES`: one queue per priority, 0 the highest.
pub const MAX_QUEUES: usize = 16;
/// `EVTCHN_FIFO_PRIORITY_DEFAULT`.
pub const PRIORITY_DEFAULT: u8 = 7;

/// `struct evtchn_fifo_control_block` of dom0's one vCPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ControlBlock {
    /// One bit per priority with a non-empty queue.
    pub ready: u32,
    /// Each queue's first port, as Xen last wrote it (when the queue was empty).
    pub head: [u32; MAX_QUEUES],
}

/// dom0's FIFO event channels: the event array, the control block, Xen's queue tails and
/// the guest's own copies of `HEAD` and `READY`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fifo {
    /// `vcpu_info` (`evtchn_upcall_pending`, `evtchn_upcall_mask`); the 2-level arrays of
    /// `shared_info` are unused on FIFO and stay zero.
    pub shared: SharedInfo,
    /// The event array: one event word per port.
    pub words: [u32; NR_PORTS as usize],
    pub control_block: ControlBlock,
    /// Xen's `struct evtchn_fifo_queue` tails, per priority (0 = none).
    pub tail: [u32; MAX_QUEUES],
    /// Each port's priority (`struct evtchn.priority`).
    pub priority: [u8; NR_PORTS as usize],
    /// The guest's per-CPU `struct evtchn_fifo_queue`: where it is in each queue (0 = read
    /// `HEAD` next time).
    pub guest_head: [u32; MAX_QUEUES],
    /// The guest's local `ready` word during one round of the upcall loop.
    ready: u32,
    /// A port was consumed since `READY` was last taken: take it again before the next.
    consumed: bool,
}

impl Default for Fifo {
    fn default() -> Self {
        Fifo {
            shared: SharedInfo::default(),
            words: [0; NR_PORTS as usize],
            control_block: ControlBlock::default(),
            tail: [0; MAX_QUEUES],
            priority: [PRIORITY_DEFAULT; NR_PORTS as usize],
            guest_head: [0; MAX_QUEUES],
            ready: 0,
            consumed: false,
        }
    }
}

impl Fifo {
    fn word(&self, port: u32) -> u32 {
        debug_assert!(port < NR_PORTS, "port {port} out of range");
        self.words[port as usize]
    }

    fn word_mut(&mut self, port: u32) -> &mut u32 {
        debug_assert!(port < NR_PORTS, "port {port} out of range");
        &mut self.words[port as usize]
    }

    /// `L`: the port is in a queue.
    pub fn is_linked(&self, port: u32) -> bool {
        self.word(port) & LINKED != 0
    }

    /// The port's `LINK` field: the next port in its queue (0 = none).
    pub fn link(&self, port: u32) -> u32 {
        self.word(port) & LINK_MASK
    }

    pub fn priority_of(&self, port: u32) -> u8 {
        self.priority[port as usize]
    }

    /// `EVTCHNOP_set_priority`.
    pub fn set_priority(&mut self, port: u32, priority: u8) {
        self.priority[port as usize] = priority.min(MAX_QUEUES as u8 - 1);
    }

    /// `evtchn_fifo_set_link`: link `port` after `tail` if `tail` is still linked.
    fn set_link(&mut self, tail: u32, port: u32) -> bool {
        let w = self.word_mut(tail);
        if *w & LINKED == 0 {
            return false;
        }
        *w = (*w & !(BUSY | LINK_MASK)) | port;
        true
    }

    /// `vcpu_mark_events_pending`: set `evtchn_upcall_pending`; a new one raises the upcall.
    fn mark_events_pending(&mut self) -> SendOutcome {
        let vcpu = &mut self.shared.vcpu;
        if vcpu.evtchn_upcall_pending {
            return SendOutcome::UpcallAlreadyPending;
        }
        vcpu.evtchn_upcall_pending = true;
        if vcpu.evtchn_upcall_mask {
            SendOutcome::UpcallMasked
        } else {
            SendOutcome::Upcall
        }
    }

    /// The queue of `priority` as the guest will consume it: from its own head (or `HEAD`,
    /// when that is 0 and the priority is ready), following `LINK` while ports are linked.
    pub fn queue(&self, priority: usize) -> impl Iterator<Item = u32> + '_ {
        let start = match self.guest_head[priority] {
            0 if (self.control_block.ready | self.ready) & (1 << priority) != 0 => {
                self.control_block.head[priority]
            }
            h => h,
        };
        let mut next = start;
        let mut left = NR_PORTS;
        std::iter::from_fn(move || {
            if next == 0 || left == 0 || !self.is_linked(next) {
                return None;
            }
            left -= 1;
            let p = next;
            next = self.link(p);
            Some(p)
        })
    }

    /// `consume_one_event` for queue `q`: unlink its head, and return the port when it is
    /// pending and not masked (the upcall handles it).
    fn consume_one_event(&mut self, q: usize) -> Option<u32> {
        let mut head = self.guest_head[q];
        if head == 0 {
            head = self.control_block.head[q];
        }
        let port = head;
        if port == 0 {
            // Nothing to consume: the ready bit was stale.
            self.ready &= !(1 << q);
            return None;
        }
        // clear_linked: drop L and LINK, keep what LINK said.
        let w = self.word_mut(port);
        let link = *w & LINK_MASK;
        *w &= !(LINKED | LINK_MASK);
        if link == 0 {
            self.ready &= !(1 << q);
        }
        self.guest_head[q] = link;
        let w = self.word(port);
        (w & PENDING != 0 && w & MASKED == 0).then_some(port)
    }
}

impl EventChannelAbi for Fifo {
    /// `evtchn_fifo_set_pending`, for one vCPU.
    fn set_pending(&mut self, port: u32) -> SendOutcome {
        let w = self.word_mut(port);
        let was_pending = *w & PENDING != 0;
        *w |= PENDING;
        if *w & MASKED != 0 {
            return if was_pending {
                SendOutcome::Coalesced
            } else {
                SendOutcome::Masked
            };
        }
        if *w & LINKED != 0 {
            return SendOutcome::Coalesced;
        }
        *w |= LINKED;
        let q = usize::from(self.priority_of(port));
        // This port was the tail and has been consumed since: the queue is empty now.
        if self.tail[q] == port {
            self.tail[q] = 0;
        }
        let linked = self.tail[q] != 0 && self.set_link(self.tail[q], port);
        if !linked {
            self.control_block.head[q] = port;
        }
        self.tail[q] = port;
        if linked {
            return SendOutcome::LinkedAtTail;
        }
        if self.control_block.ready & (1 << q) != 0 {
            return SendOutcome::ReadyAlreadySet;
        }
        self.control_block.ready |= 1 << q;
        self.mark_events_pending()
    }

    fn is_pending(&self, port: u32) -> bool {
        self.word(port) & PENDING != 0
    }

    /// `P` already set, and `M` or `L` set: set pending returns before changing a bit.
    fn send_coalesces(&self, port: u32) -> bool {
        let w = self.word(port);
        w & PENDING != 0 && w & (MASKED | LINKED) != 0
    }

    fn is_masked(&self, port: u32) -> bool {
        self.word(port) & MASKED != 0
    }

    fn mask(&mut self, port: u32) {
        *self.word_mut(port) |= MASKED;
    }

    /// Linux `evtchn_fifo_unmask`: `clear_masked_cond` clears `M` unless `P` is set; then
    /// `EVTCHNOP_unmask`, where Xen clears `M` and, the port being pending, sets it pending
    /// again: linked anew.
    fn unmask(&mut self, port: u32) -> Option<SendOutcome> {
        let w = self.word_mut(port);
        if *w & MASKED == 0 {
            return None;
        }
        *w &= !MASKED;
        if *w & PENDING == 0 {
            return None;
        }
        Some(self.set_pending(port))
    }

    fn clear_pending(&mut self, port: u32) {
        *self.word_mut(port) &= !PENDING;
    }

    fn upcall_pending(&self) -> bool {
        self.shared.vcpu.evtchn_upcall_pending
    }

    /// `xen_evtchn_do_upcall` clears `evtchn_upcall_pending`; `__evtchn_fifo_handle_events`
    /// takes `READY` (`xchg(&control_block->ready, 0)`).
    fn begin_upcall(&mut self) {
        self.shared.vcpu.evtchn_upcall_pending = false;
        self.ready = std::mem::take(&mut self.control_block.ready);
        self.consumed = false;
    }

    /// The highest ready priority first; `READY` is taken again after each consumed event
    /// (`ready |= xchg(&control_block->ready, 0)`), once its handler has run.
    fn next_event(&mut self) -> Option<u32> {
        loop {
            if self.consumed {
                self.ready |= std::mem::take(&mut self.control_block.ready);
                self.consumed = false;
            }
            if self.ready == 0 {
                return None;
            }
            let q = self.ready.trailing_zeros() as usize;
            let port = self.consume_one_event(q);
            self.consumed = true;
            if port.is_some() {
                return port;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(f: &mut Fifo) -> Vec<u32> {
        f.begin_upcall();
        std::iter::from_fn(|| f.next_event()).collect()
    }

    /// The first notify makes the port the head, sets READY and raises the upcall; the next
    /// port links after it with no upcall; a linked port's notify coalesces.
    #[test]
    fn ports_link_at_the_tail_and_one_upcall_is_raised() {
        let mut f = Fifo::default();
        assert_eq!(f.set_pending(5), SendOutcome::Upcall);
        assert_eq!(f.control_block.head[7], 5);
        assert_eq!(f.control_block.ready, 1 << 7);
        assert_eq!(f.set_pending(6), SendOutcome::LinkedAtTail);
        assert_eq!(f.link(5), 6);
        assert_eq!(f.tail[7], 6);
        assert_eq!(f.set_pending(5), SendOutcome::Coalesced);
        assert_eq!(f.queue(7).collect::<Vec<_>>(), vec![5, 6]);
        assert_eq!(drain(&mut f), vec![5, 6]);
        assert!(!f.is_linked(5) && !f.is_linked(6));
        assert!(f.is_pending(5), "consuming unlinks; the handler clears P");
    }

    /// A masked port is only marked pending: not linked, no upcall; further notifies
    /// coalesce into it.
    #[test]
    fn a_masked_port_is_not_linked() {
        let mut f = Fifo::default();
        f.mask(5);
        assert_eq!(f.set_pending(5), SendOutcome::Masked);
        assert_eq!(f.set_pending(5), SendOutcome::Coalesced);
        assert!(f.is_pending(5) && !f.is_linked(5));
        assert_eq!(f.control_block.ready, 0);
        assert!(!f.shared.vcpu.evtchn_upcall_pending);
    }

    /// Unmasking a pending port goes through `EVTCHNOP_unmask`: Xen links it again and
    /// raises the upcall. Unmasking a port that is not pending just clears `M`.
    #[test]
    fn unmask_relinks_a_pending_port() {
        let mut f = Fifo::default();
        f.mask(5);
        f.set_pending(5);
        assert_eq!(f.unmask(5), Some(SendOutcome::Upcall));
        assert!(!f.is_masked(5) && f.is_linked(5));
        assert_eq!(drain(&mut f), vec![5]);
        f.mask(6);
        assert_eq!(f.unmask(6), None);
        assert!(!f.is_masked(6) && !f.is_linked(6));
    }

    /// The late-EOI cycle on FIFO: consumed, acked (M set, P cleared), notified while
    /// masked (held), EOI'd (unmask): the held notify is linked and delivered once.
    #[test]
    fn an_event_held_during_the_eoi_wait_is_delivered_once_at_unmask() {
        let mut f = Fifo::default();
        f.set_pending(5);
        f.begin_upcall();
        assert_eq!(f.next_event(), Some(5));
        f.mask(5);
        f.clear_pending(5);
        assert_eq!(f.next_event(), None);
        for _ in 0..3 {
            f.set_pending(5);
        }
        assert!(!f.is_linked(5));
        assert!(f.unmask(5).is_some_and(SendOutcome::raises_upcall));
        assert_eq!(drain(&mut f), vec![5], "three notifies, one event");
    }

    /// A port consumed while still Xen's tail is linked again as the head of an empty queue
    /// (`old_q->tail == port`), not after itself.
    #[test]
    fn a_consumed_tail_starts_a_new_queue() {
        let mut f = Fifo::default();
        f.set_pending(5);
        assert_eq!(drain(&mut f), vec![5]);
        f.clear_pending(5);
        assert_eq!(f.tail[7], 5);
        assert_eq!(f.set_pending(5), SendOutcome::Upcall);
        assert_eq!(f.control_block.head[7], 5);
        assert_eq!(f.link(5), 0, "not linked to itself");
        assert_eq!(drain(&mut f), vec![5]);
    }

    /// An event linked while the loop runs is consumed in the same round, and the highest
    /// priority (lowest number) goes first.
    #[test]
    fn the_loop_takes_ready_again_and_serves_priorities_in_order() {
        let mut f = Fifo::default();
        f.set_priority(9, 3);
        f.set_pending(5);
        f.begin_upcall();
        assert_eq!(f.next_event(), Some(5));
        f.clear_pending(5);
        // While port 5's handler runs: 6 (priority 7) and 9 (priority 3) are notified.
        assert_eq!(f.set_pending(6), SendOutcome::Upcall);
        assert_eq!(f.set_pending(9), SendOutcome::UpcallAlreadyPending);
        assert_eq!(f.set_pending(10), SendOutcome::LinkedAtTail);
        assert_eq!(f.next_event(), Some(9));
        assert_eq!(f.next_event(), Some(6));
        assert_eq!(f.next_event(), Some(10));
        assert_eq!(f.next_event(), None);
        assert!(
            f.shared.vcpu.evtchn_upcall_pending,
            "the loop goes round once more"
        );
    }

    /// A linked port that is masked by the time it is consumed is unlinked but not handled;
    /// its pending state waits for the unmask.
    #[test]
    fn a_port_masked_after_linking_is_skipped() {
        let mut f = Fifo::default();
        f.set_pending(5);
        f.mask(5);
        assert_eq!(drain(&mut f), Vec::<u32>::new());
        assert!(!f.is_linked(5) && f.is_pending(5));
        assert_eq!(f.unmask(5), Some(SendOutcome::Upcall));
        assert_eq!(drain(&mut f), vec![5]);
    }
}
