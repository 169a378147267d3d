//! The guest's netfront and TCP stack on the guest vCPU.
//!
//! The guest vCPU runs one step at a time, in FreeBSD netfront's order (`xn_intr`): take TX
//! completions, collect every RX response, refill the RX ring (push, notify if netback
//! asked), and only then pass the packets up the stack one by one (`if_input`); TCP's
//! reactions (an ACK, new segments) each go out with their own push. A step's effects on the
//! rings become visible when it ends.

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
    pub(super) cost: u64,
}

impl Sim {
    /// Start the guest's next step, if it has one and is idle.
    pub(super) fn guest_begin(&mut self) {
        if self.guest.busy || !self.cfg.guest.has_traffic() {
            return;
        }
        let p = self.cfg.params;
        let cost = if self.guest.acks_waiting > 0 && self.tx.free_requests() > 0 {
            self.guest.acks_waiting -= 1;
            self.tx.put_request(Pkt::ack(self.guest.last_ack));
            p.guest_ack_ns
        } else if self.guest.output && self.can_send() {
            self.send_segment();
            p.guest_pkt_ns
        } else if let Some(pkt) = self.stack.pop_front() {
            match pkt.kind {
                PktKind::Data => {
                    self.deliver_data(pkt.seq);
                    let ack = self.receiver.on_segment(pkt.seq);
                    if self.receiver.unacked > 0 {
                        self.arm_guest_delack();
                    }
                    p.guest_pkt_ns + ack.map_or(0, |a| self.guest_ack_out(a))
                }
                PktKind::Ack => {
                    self.guest.output |= self.sender.on_ack(pkt.seq);
                    p.guest_ack_ns
                }
            }
        } else if self.guest.irq_pending {
            self.guest.irq_pending = false;
            self.guest_collect();
            p.guest_irq_ns
        } else if self.guest.delack_due {
            self.guest.delack_due = false;
            match self.receiver.on_delack() {
                Some(a) => self.guest_ack_out(a),
                None => return,
            }
        } else if self.cfg.direction == Direction::Tx && self.can_send() {
            self.send_segment();
            p.guest_pkt_ns
        } else {
            self.guest.output = false;
            return;
        };
        let cost = self.jitter(cost);
        self.guest.busy = true;
        self.guest.cost = cost;
        self.q.push(self.now + cost, Ev::GuestDone);
    }

    pub(super) fn can_send(&self) -> bool {
        self.cfg.direction == Direction::Tx
            && self.sender.sendable() > 0
            && self.tx.free_requests() > 0
    }

    pub(super) fn send_segment(&mut self) {
        let seq = self.sender.send();
        self.counters.packets_offered += 1;
        self.tx.put_request(Pkt::data(seq));
    }

    /// The guest's stack sends an ACK: into the TX ring now, or as soon as a slot frees.
    pub(super) fn guest_ack_out(&mut self, ack: u32) -> u64 {
        if self.tx.free_requests() > 0 {
            self.tx.put_request(Pkt::ack(ack));
            self.cfg.params.guest_ack_ns
        } else {
            self.guest.acks_waiting += 1;
            self.guest.last_ack = ack;
            0
        }
    }

    /// The interrupt: TX completions, RX responses to the stack queue, RX refill.
    pub(super) fn guest_collect(&mut self) {
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
        // xn_alloc_rx_buffers: refill the whole ring; pushed when this step ends.
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
    pub(super) fn guest_done(&mut self) {
        self.guest.busy = false;
        self.counters.guest_busy_ns += self.guest.cost;
        let (tx_port, rx_port) = (self.ports[0].port, self.ports[self.nports - 1].port);
        if self.rx.push_requests() {
            self.guest_notify(rx_port, NotifyCause::RxRefill);
        }
        if self.tx.push_requests() {
            self.guest_notify(tx_port, NotifyCause::TxRequests);
        }
        self.guest_begin();
    }

    pub(super) fn deliver_data(&mut self, seq: u32) {
        if seq == self.receiver.next_seq {
            self.counters.packets_delivered += 1;
            self.counters.bytes_delivered += u64::from(self.cfg.params.mss);
        }
    }
}
