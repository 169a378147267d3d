//! Xen's side of an event: the guest's notify (`EVTCHNOP_send`), the upcall it raises on
//! dom0's vCPU 0, and dom0's upcall loop (`xen_evtchn_do_upcall`) that finds each pending
//! port and acks it before netback's handler runs. dom0's notifications to the guest go the
//! other way through Xen too (`notify_remote_via_irq`).

use super::*;

impl Sim {
    /// The guest notifies dom0's `port` (`EVTCHNOP_send`).
    #[inline(always)]
    pub(super) fn guest_notify(&mut self, port: u32, cause: NotifyCause) {
        self.counters.events_sent += 1;
        let outcome = self.evtchn.set_pending(port);
        match outcome {
            SendOutcome::Coalesced => self.counters.events_coalesced += 1,
            SendOutcome::Masked => {
                self.counters.events_held_masked += 1;
                self.counters.port_held[self.port_index(port)] += 1;
            }
            _ => {}
        }
        if outcome.raises_upcall() {
            self.q
                .push(self.now + self.cfg.params.upcall_latency_ns, Ev::Upcall);
        }
        self.record(TraceKind::Notify {
            port,
            outcome,
            cause,
        });
    }

    /// dom0 notifies the guest (netback's `notify_remote_via_irq`). A FreeBSD guest's
    /// handler is an interrupt thread: it runs `guest_ithread_latency_ns` after the
    /// interrupt arrives (one wake-up however many notifies come meanwhile).
    #[inline(always)]
    pub(super) fn notify_guest(&mut self) {
        self.counters.guest_notifies += 1;
        if !self.guest.irq_in_flight {
            self.guest.irq_in_flight = true;
            let mut at = self.now + self.cfg.params.upcall_latency_ns;
            if self.cfg.guest == GuestKind::Freebsd {
                at += self.cfg.params.guest_ithread_latency_ns;
            }
            self.q.push(at, Ev::GuestIrq);
        }
    }

    /// After an unmask: trace it, account time, and deliver a held notify. Returns the
    /// unmask's extra cost: on FIFO, unmasking a pending port is the `EVTCHNOP_unmask`
    /// hypercall (Linux's `clear_masked_cond` fails when `P` is set) in which Xen's
    /// `evtchn_fifo_unmask` links the port again; on 2-level dom0 (PV) sets the selector
    /// bit and `evtchn_upcall_pending` itself. The event flow is the same either way.
    #[inline(always)]
    pub(super) fn after_unmask(&mut self, port: u32, retrigger: Option<SendOutcome>) -> u64 {
        let mut cost = 0;
        if retrigger.is_some() && self.cfg.abi == Abi::Fifo {
            self.counters.unmask_hypercalls += 1;
            cost = self.cfg.params.fifo_unmask_hypercall_ns;
        }
        let masked = self.evtchn.is_masked(port);
        if !masked {
            self.record(TraceKind::Unmask {
                port,
                redelivered: retrigger.is_some(),
            });
        }
        self.sync_port_times_masked(port, masked);
        if retrigger.is_some_and(SendOutcome::raises_upcall) {
            self.q
                .push(self.now + self.cfg.params.upcall_latency_ns, Ev::Upcall);
        }
        cost
    }

    /// `xen_evtchn_do_upcall`: runs at once (interrupts preempt vCPU 0's work); its cost
    /// stretches whatever vCPU 0 was doing. The loop's own clock (for patch 11's
    /// `event_loop_timeout`) is the virtual time plus the cost spent so far in it.
    #[inline(always)]
    pub(super) fn upcall(&mut self) {
        if !self.evtchn.upcall_pending() {
            return;
        }
        let mut cost = 0;
        let mut ctrl = LoopCtrl::default();
        while self.evtchn.upcall_pending() {
            self.counters.upcalls += 1;
            cost += self.cfg.params.dom0_upcall_ns;
            // 2-level: clear `evtchn_upcall_pending`, take the selector, then word by word
            // `pending & ~mask`; FIFO: clear it and take `READY`, then the ready queues.
            // Traced after the clear, so a single step shows the loop begun.
            self.evtchn.begin_upcall();
            self.record(TraceKind::Upcall {
                epoch: self.core.irq_epoch,
            });
            while let Some(port) = self.evtchn.next_event() {
                let at = self.now + cost;
                cost += self.cfg.params.dom0_handler_ns + self.handle_port(port, &mut ctrl, at);
            }
        }
        // Once per upcall, after the loop: only EOIs called inside it are deferred.
        self.core.end_upcall_loop();
        self.cpu0_charge_irq(cost);
    }

    /// `handle_irq_for_port` + the irq chip's ack, then netback's handler. Returns extra cost.
    #[inline(always)]
    pub(super) fn handle_port(&mut self, port: u32, ctrl: &mut LoopCtrl, loop_ns: u64) -> u64 {
        debug_assert!(!self.evtchn.is_masked(port), "delivered while masked");
        let defer_eoi =
            self.core
                .handle_irq_for_port(port, ctrl, loop_ns, self.jiffies, self.cfg.hz);
        self.counters.events_delivered += 1;
        self.counters.port_events[self.port_index(port)] += 1;
        self.record(TraceKind::Deliver { port, defer_eoi });
        let lateeoi = self.cfg.lateeoi;
        if lateeoi {
            self.core.lateeoi_ack(&mut self.evtchn, port);
            // Masked now: the bit follows the mask reasons, and EOI_PENDING is one.
            debug_assert!(self.evtchn.is_masked(port));
            self.sync_port_times_masked(port, true);
        } else {
            self.evtchn.clear_pending(port);
        }
        self.record(TraceKind::Ack {
            port,
            masked: lateeoi,
        });
        self.netback_interrupt(port)
    }
}
