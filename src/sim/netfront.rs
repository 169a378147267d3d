//! The guest's netfront and TCP stack on the guest vCPU.
//!
//! The guest vCPU runs one step at a time; a step's effects on the rings become visible
//! when it ends (its pushes, and the notifies they call for, happen then), except the RX
//! refill that FreeBSD's `xn_rxeof` pushes inside its loop.
//!
//! **FreeBSD** (`sys/dev/xen/netfront/netfront.c`, **literal** order): the interrupt
//! handler `xn_intr` is bound as an interrupt thread (`xen_intr_alloc_and_bind_local_port`
//! with no filter), so it runs `guest_ithread_latency_ns` after netback's interrupt
//! arrives and preempts the sending thread at the end of its current step. It runs RX
//! first, then TX. `xn_rxq_intr` → `xn_rxeof`: collect every RX response, refill the whole
//! ring (`xn_alloc_rx_buffers`: push, notify if netback asked), `RING_FINAL_CHECK_FOR_RESPONSES`,
//! and again while there is more; then pass the packets up the stack one by one
//! (`if_input`), TCP's ACKs going out at once. Then `xn_txq_intr`: reap TX completions
//! (`xn_txeof`) if any. The sending thread sends what the window allows when the interrupt
//! thread has nothing left. `xn_txeof` also runs after every packet queued for transmit
//! (`xn_assemble_tx_request`), and it re-arms `rsp_event` half-way through the requests
//! still outstanding, `prod + ((req_prod - prod) >> 1) + 1`, not at the next response.
//!
//! **Linux** (`drivers/net/xen-netfront.c`, **model**): one step takes TX completions (with
//! `RING_FINAL_CHECK_FOR_RESPONSES`, as `xennet_tx_buf_gc`), collects the RX responses and
//! refills the ring; then the stack. Linux guests use split channels, so their order never
//! meets netback's common handler.

use super::*;

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct GuestCpu {
    pub(super) busy: bool,
    pub(super) irq_pending: bool,
    pub(super) irq_in_flight: bool,
    pub(super) delack_due: bool,
    pub(super) delack_deadline: u64,
    pub(super) delack_scheduled: bool,
    /// ACKs waiting for TX ring space (the newest value is sent for each).
    pub(super) acks_waiting: u32,
    pub(super) last_ack: u32,
    /// TCP may send: an ACK opened the window or TX slots were freed.
    pub(super) output: bool,
    /// FreeBSD: `xn_txq_intr`, the second half of `xn_intr`, still to run once the stack
    /// has taken this interrupt's packets.
    pub(super) txq_intr_due: bool,
    pub(super) cost: u64,
}

impl Sim {
    /// Start the guest's next step, if it has one and is idle.
    #[inline(always)]
    pub(super) fn guest_begin(&mut self) {
        if self.guest.busy || !self.cfg.guest.has_traffic() {
            return;
        }
        // Linux: the common steps inline, the others out of line. FreeBSD: its interrupt
        // thread's work first, then the sending thread's.
        let step = if self.cfg.guest == GuestKind::Freebsd {
            self.freebsd_step()
        } else {
            match self.guest_common_step() {
                Some(cost) => Some(cost),
                None => self.linux_step_rest(),
            }
        };
        let Some(cost) = step else {
            return;
        };
        let cost = self.jitter(cost);
        self.guest.busy = true;
        self.guest.cost = cost;
        self.q.push(self.now + cost, Ev::GuestDone);
    }

    /// The first three kinds of step, in order (the common ones): an ACK that waited for
    /// ring space, the next segment, the stack's next packet. Their cost, or `None`.
    #[inline(always)]
    fn guest_common_step(&mut self) -> Option<u64> {
        Some(
            if self.guest.acks_waiting > 0 && self.tx.free_requests() > 0 {
                self.send_waiting_ack()
            } else if self.guest.output && self.can_send() {
                self.send_segment();
                self.cfg.params.guest_pkt_ns
            } else {
                let pkt = self.stack.pop_front()?;
                self.stack_input(pkt)
            },
        )
    }

    /// An ACK that waited for TX ring space goes out.
    #[inline(always)]
    fn send_waiting_ack(&mut self) -> u64 {
        self.guest.acks_waiting -= 1;
        self.transmit(Pkt::ack(self.guest.last_ack));
        self.cfg.params.guest_ack_ns
    }

    /// The stack takes one packet the interrupt collected. Returns the step's cost.
    #[inline(always)]
    fn stack_input(&mut self, pkt: Pkt) -> u64 {
        match pkt.kind {
            PktKind::Data => {
                self.deliver_data(pkt.seq);
                let ack = self.receiver.on_segment(pkt.seq);
                if self.receiver.unacked > 0 {
                    self.arm_guest_delack();
                }
                self.cfg.params.guest_pkt_ns + ack.map_or(0, |a| self.guest_ack_out(a))
            }
            PktKind::Ack => {
                self.guest.output |= self.sender.on_ack(pkt.seq);
                self.cfg.params.guest_ack_ns
            }
        }
    }

    /// Linux: the guest's next step when none of the common ones is due: the interrupt's
    /// collection, then the idle steps ([`Sim::guest_idle_step`]). Its cost, or `None`.
    #[inline(never)]
    fn linux_step_rest(&mut self) -> Option<u64> {
        if self.guest.irq_pending {
            self.guest.irq_pending = false;
            self.linux_collect();
            return Some(self.cfg.params.guest_irq_ns);
        }
        self.guest_idle_step()
    }

    /// FreeBSD's next step. `xn_intr` is an interrupt thread: once netback's interrupt has
    /// reached it ([`Sim::notify_guest`] adds the thread's scheduling latency) it runs
    /// ahead of the sending thread, which it preempts at the end of the current step. Its
    /// work, in order: the stack takes the packets `xn_rxeof` collected (`if_input`, TCP's
    /// ACKs out at once, or waiting for ring space), then `xn_txq_intr`, then a pending
    /// interrupt again (the thread runs once more when it was scheduled meanwhile). Then
    /// the sending thread: the segments the window allows (`tcp_output` from the writer's
    /// `sosend`, as the ACKs in the ithread only free socket-buffer space). Its cost, or
    /// `None` when it has nothing to do.
    #[inline(always)]
    fn freebsd_step(&mut self) -> Option<u64> {
        Some(loop {
            break if let Some(pkt) = self.stack.pop_front() {
                self.stack_input(pkt)
            } else if self.guest.acks_waiting > 0 && self.tx.free_requests() > 0 {
                self.send_waiting_ack()
            } else if self.guest.txq_intr_due {
                // Its cost is part of the interrupt's; go on to the next step at once.
                self.guest.txq_intr_due = false;
                self.xn_txq_intr();
                continue;
            } else if self.guest.irq_pending {
                self.guest.irq_pending = false;
                self.xn_rxeof();
                self.guest.txq_intr_due = true;
                self.cfg.params.guest_irq_ns
            } else if self.guest.output && self.can_send() {
                self.send_segment();
                self.cfg.params.guest_pkt_ns
            } else {
                return self.guest_idle_step();
            };
        })
    }

    /// The steps of a guest with no interrupt work and nothing the window lets it send at
    /// once: a delayed ACK that fell due, or a segment (a send the window allows that no
    /// ACK announced). Its cost, or `None`: the guest then idles until woken.
    fn guest_idle_step(&mut self) -> Option<u64> {
        if self.guest.delack_due {
            self.guest.delack_due = false;
            let a = self.receiver.on_delack()?;
            Some(self.guest_ack_out(a))
        } else if self.cfg.direction == Direction::Tx && self.can_send() {
            self.send_segment();
            Some(self.cfg.params.guest_pkt_ns)
        } else {
            self.guest.output = false;
            None
        }
    }

    #[inline(always)]
    pub(super) fn can_send(&self) -> bool {
        self.cfg.direction == Direction::Tx
            && self.sender.sendable() > 0
            && self.tx.free_requests() > 0
    }

    #[inline(always)]
    pub(super) fn send_segment(&mut self) {
        let seq = self.sender.send();
        self.counters.packets_offered += 1;
        self.transmit(Pkt::data(seq));
    }

    /// One packet into the TX ring (pushed when the step ends). FreeBSD's
    /// `xn_assemble_tx_request` ends with `xn_txeof`: completions are reaped, and
    /// `rsp_event` re-armed, on every transmit.
    #[inline(always)]
    pub(super) fn transmit(&mut self, pkt: Pkt) {
        self.tx.put_request(pkt);
        if self.cfg.guest == GuestKind::Freebsd {
            self.guest.output |= self.xn_txeof();
        }
    }

    /// The guest's stack sends an ACK: into the TX ring now, or as soon as a slot frees.
    pub(super) fn guest_ack_out(&mut self, ack: u32) -> u64 {
        if self.tx.free_requests() > 0 {
            self.transmit(Pkt::ack(ack));
            self.cfg.params.guest_ack_ns
        } else {
            self.guest.acks_waiting += 1;
            self.guest.last_ack = ack;
            0
        }
    }

    /// FreeBSD `xn_rxeof` (from `xn_rxq_intr`, the first half of `xn_intr`): collect every
    /// RX response for the stack, refill the whole ring (`xn_alloc_rx_buffers`: pushed, and
    /// netback notified if it asked, at once), final check, again while more came. The
    /// stack takes the packets in the steps that follow.
    pub(super) fn xn_rxeof(&mut self) {
        loop {
            while self.rx.unconsumed_responses() > 0 {
                let pkt = self.rx.take_response();
                self.stack.push_back(pkt);
            }
            while self.rx.free_requests() > 0 {
                self.rx.put_request(Pkt::default());
            }
            // `xn_alloc_rx_buffers` ends with RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: the
            // refill is pushed, and netback notified if it asked, inside the loop.
            if self.rx.push_requests() {
                let port = self.rx_port();
                self.guest_notify(port, NotifyCause::RxRefill);
            }
            if !self.rx.final_check_for_responses() {
                break;
            }
        }
    }

    /// FreeBSD `xn_txq_intr`, the second half of `xn_intr`: reap TX completions if there
    /// are any, then let TCP send what waited for ring space (`xn_txq_start`).
    pub(super) fn xn_txq_intr(&mut self) {
        if self.tx.unconsumed_responses() > 0 {
            self.guest.output |= self.xn_txeof();
        }
    }

    /// FreeBSD `xn_txeof`: reap every TX response, then ask for the next notify half-way
    /// through the requests still outstanding, `rsp_event = prod + ((req_prod - prod) >> 1)
    /// + 1`, and again if more came meanwhile. Returns whether it freed a slot.
    #[inline(always)]
    pub(super) fn xn_txeof(&mut self) -> bool {
        let mut freed = false;
        loop {
            let prod = self.tx.rsp_prod;
            while self.tx.rsp_cons != prod {
                self.tx.take_response();
                freed = true;
            }
            let outstanding = self.tx.req_prod.wrapping_sub(prod);
            self.tx.rsp_event = prod.wrapping_add(outstanding >> 1).wrapping_add(1);
            if prod == self.tx.rsp_prod {
                return freed;
            }
        }
    }

    /// Linux netfront's interrupt, as one step (**model**): TX completions with the final
    /// check of `xennet_tx_buf_gc`, RX responses to the stack queue, refill.
    pub(super) fn linux_collect(&mut self) {
        if self.tx.unconsumed_responses() > 0 {
            while self.tx.unconsumed_responses() > 0 {
                self.tx.take_response();
            }
            self.guest.output = true;
        }
        self.tx.final_check_for_responses();
        while self.rx.unconsumed_responses() > 0 {
            let pkt = self.rx.take_response();
            self.stack.push_back(pkt);
        }
        self.rx.final_check_for_responses();
        // Refill the whole ring; pushed when this step ends.
        while self.rx.free_requests() > 0 {
            self.rx.put_request(Pkt::default());
        }
    }

    pub(super) fn arm_guest_delack(&mut self) {
        self.guest.delack_deadline = self.now + DELACK_NS;
        if !self.guest.delack_scheduled {
            self.guest.delack_scheduled = true;
            self.q.push(self.guest.delack_deadline, Ev::GuestDelack);
        }
    }

    /// End of a step: `RING_PUSH_REQUESTS_AND_CHECK_NOTIFY` on RX (refill), then on TX.
    #[inline(always)]
    pub(super) fn guest_done(&mut self) {
        self.guest.busy = false;
        self.counters.guest_busy_ns += self.guest.cost;
        let (tx_port, rx_port) = (self.ports[0].port, self.rx_port());
        if self.rx.push_requests() {
            self.guest_notify(rx_port, NotifyCause::RxRefill);
        }
        if self.tx.push_requests() {
            self.guest_notify(tx_port, NotifyCause::TxRequests);
        }
        self.guest_begin();
    }

    #[inline(always)]
    pub(super) fn deliver_data(&mut self, seq: u32) {
        if seq == self.receiver.next_seq {
            self.counters.packets_delivered += 1;
            self.counters.bytes_delivered += u64::from(self.cfg.params.mss);
        }
    }
}
