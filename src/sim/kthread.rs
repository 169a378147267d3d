//! dom0 vCPU 1: netback's RX side. `xenvif_start_xmit` queues the peer's packets for the
//! guest; the RX kthread (`xenvif_kthread_guest_rx`) copies them into the guest's RX ring and
//! sends its late EOI before it sleeps.

use super::*;

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Kthread {
    pub(super) running: bool,
    /// Woken and not yet asleep again.
    pub(super) runnable: bool,
    pub(super) batch: u32,
    /// When the running batch ends (its cost is counted as busy when it starts).
    pub(super) done_at: u64,
}

impl Sim {
    /// `xenvif_have_rx_work`: `xenvif_rx_ring_slots_available` (the model has no stall
    /// timeout and never stops the thread).
    #[inline(always)]
    pub(super) fn have_rx_work(&mut self) -> bool {
        self.rx_ring_slots_available()
    }

    /// `xenvif_rx_ring_slots_available`: a packet queued for the guest and a free RX
    /// request for it; when none is free, ask the guest to notify on its next RX request
    /// (`req_event = prod + 1`) and look once more.
    #[inline(always)]
    pub(super) fn rx_ring_slots_available(&mut self) -> bool {
        if self.rx_queue.is_empty() {
            return false;
        }
        if self.rx.unconsumed_requests() >= 1 {
            return true;
        }
        self.rx.req_event = self.rx.req_prod.wrapping_add(1);
        self.rx.unconsumed_requests() >= 1
    }

    #[inline(always)]
    pub(super) fn kick_kthread(&mut self) {
        self.kthread.runnable = true;
        if !self.kthread.running {
            self.kthread_begin();
        }
    }

    /// One turn of `xenvif_kthread_guest_rx`: `xenvif_rx_action` when there is work,
    /// otherwise the EOI and sleep of `xenvif_wait_for_rx_work`.
    #[inline(always)]
    pub(super) fn kthread_begin(&mut self) {
        if !self.have_rx_work() {
            let bits = eoi_pending::RX_EOI | eoi_pending::COMMON_EOI;
            let mut cost = self.cfg.params.dom0_handler_ns;
            if self.cfg.lateeoi && self.eoi_pending & bits != 0 {
                self.eoi_pending &= !bits;
                let port = self.rx_port(); // queue->rx_irq
                cost += self.lateeoi(port, false, EoiSource::Kthread);
            }
            self.kthread.runnable = false;
            self.kthread_run(0, cost);
            return;
        }
        let n = (self.rx_queue.len() as u32)
            .min(self.rx.unconsumed_requests())
            .min(RX_BATCH_SIZE);
        let mut cost = self.cfg.params.dom0_batch_ns;
        for _ in 0..n {
            let pkt = self.rx_queue.pop_front().expect("n <= queue length");
            self.rx.take_request();
            self.rx.put_response(pkt);
            cost += self.dom0_pkt_cost(pkt);
        }
        self.kthread_run(n, cost);
    }

    /// The kthread is busy for `cost` (jittered) moving `batch` packets.
    #[inline(always)]
    pub(super) fn kthread_run(&mut self, batch: u32, cost: u64) {
        let cost = self.jitter(cost);
        self.counters.dom0_busy_ns += cost;
        self.kthread.running = true;
        self.kthread.batch = batch;
        self.kthread.done_at = self.now + cost;
        self.q.push(self.now + cost, Ev::KthreadDone);
    }

    /// netback's cost for one packet, either way.
    #[inline(always)]
    pub(super) fn dom0_pkt_cost(&self, pkt: Pkt) -> u64 {
        match pkt.kind {
            PktKind::Data => self.cfg.params.dom0_pkt_ns,
            PktKind::Ack => self.cfg.params.dom0_ack_ns,
        }
    }

    #[inline(always)]
    pub(super) fn kthread_done(&mut self) {
        self.kthread.running = false;
        if self.kthread.batch > 0 && self.rx.push_responses() {
            self.notify_guest();
        }
        let had_batch = self.kthread.batch > 0;
        self.kthread.batch = 0;
        // After a batch the thread loops (and sleeps only after finding no work);
        // after the sleep path it runs again only if woken meanwhile.
        if had_batch || self.kthread.runnable {
            self.kthread.runnable = true;
            self.kthread_begin();
        }
    }

    /// `xenvif_start_xmit`: queue for the guest and kick the RX kthread.
    #[inline(always)]
    pub(super) fn netback_arrive(&mut self) {
        self.netback_arrive_scheduled = false;
        let mut any = false;
        while let Some(&(t, pkt)) = self.from_peer.front() {
            if t > self.now {
                break;
            }
            self.from_peer.pop_front();
            self.rx_queue.push_back(pkt);
            any = true;
        }
        if any {
            self.kick_kthread();
        }
        if let Some(&(t, _)) = self.from_peer.front() {
            self.netback_arrive_scheduled = true;
            self.q.push(t, Ev::NetbackArrive);
        }
    }
}
