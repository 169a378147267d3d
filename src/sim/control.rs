//! The write side: knob changes and the hands-on port actions, applied at the current
//! virtual time.

use super::*;

impl Sim {
    /// Change a knob now. Guest kind, direction, HZ and seed need a new `Sim`.
    pub fn set_knob(&mut self, change: KnobChange) {
        if change == KnobChange::LateEoi(false) && self.cfg.lateeoi {
            self.disable_lateeoi();
        }
        self.cfg = change.setting().apply(self.cfg);
        self.record(TraceKind::Knob { change });
    }

    /// A hands-on action on the guest's first port, now.
    pub fn port_action(&mut self, a: PortAction) {
        let port = self.first_port();
        match a {
            PortAction::Notify => self.guest_notify(port, NotifyCause::ByHand),
            PortAction::Mask => {
                let was_masked = self.evtchn.is_masked(port);
                self.core
                    .do_mask(&mut self.evtchn, port, events_base::mask_reason::EXPLICIT);
                self.record(TraceKind::Mask { port, was_masked });
                self.sync_port_times(port);
            }
            PortAction::Unmask => {
                let r =
                    self.core
                        .do_unmask(&mut self.evtchn, port, events_base::mask_reason::EXPLICIT);
                self.record(TraceKind::ExplicitUnmask {
                    port,
                    still_masked: self.evtchn.is_masked(port),
                });
                self.unmask_done(port, r);
            }
        }
    }

    /// After an unmask outside the late-EOI step (by hand, or leaving late EOI): as
    /// [`Sim::after_unmask`], its hypercall (FIFO) charged to vCPU 0.
    fn unmask_done(&mut self, port: u32, retrigger: Option<SendOutcome>) {
        let cost = self.after_unmask(port, retrigger);
        if cost > 0 {
            self.cpu0_charge_irq(cost);
        }
    }

    /// Leaving late EOI at run time: what the old binding would have: no port kept masked
    /// for an EOI, nothing on the delayed list.
    fn disable_lateeoi(&mut self) {
        self.eoi_pending = 0;
        while let Some(port) = self.core.worker_take_due(u64::MAX) {
            self.sync_port_times(port);
        }
        self.core.list.work_due = None;
        for i in 0..self.nports {
            let port = self.ports[i].port;
            if self.core.irq(port).mask_reason & events_base::mask_reason::EOI_PENDING != 0 {
                let r = self.core.do_unmask(
                    &mut self.evtchn,
                    port,
                    events_base::mask_reason::EOI_PENDING,
                );
                self.unmask_done(port, r);
            }
        }
    }
}
