//! The ports' bookkeeping: which of the guest's ports is which, and the masked and paused
//! time of each, kept in step with the port's bits.

use super::*;

impl Sim {
    /// The RX port of split channels, or the common port (`ports[1]` repeats it then).
    #[inline(always)]
    pub(super) fn rx_port(&self) -> u32 {
        self.ports[1].port
    }

    #[inline]
    pub(super) fn port_index(&self, port: u32) -> usize {
        if self.ports[0].port == port {
            0
        } else {
            assert!(
                self.nports == 2 && self.ports[1].port == port,
                "port is bound"
            );
            1
        }
    }

    /// Keep the masked/paused time accounts in step with the port's bits.
    #[inline(always)]
    pub(super) fn sync_port_times(&mut self, port: u32) {
        let masked = self.evtchn.is_masked(port);
        self.sync_port_times_masked(port, masked);
    }

    /// [`Sim::sync_port_times`] when the caller has just read the port's mask bit.
    #[inline(always)]
    pub(super) fn sync_port_times_masked(&mut self, port: u32, masked: bool) {
        let now = self.now;
        let paused = self.core.irq(port).on_eoi_list;
        let i = self.port_index(port);
        let p = &mut self.ports[i];
        match (masked, p.masked_since) {
            (true, None) => p.masked_since = Some(now),
            (false, Some(s)) => {
                p.masked_since = None;
                self.counters.masked_ns += now - s;
            }
            _ => {}
        }
        match (paused, p.paused_since) {
            (true, None) => p.paused_since = Some(now),
            (false, Some(s)) => {
                p.paused_since = None;
                self.counters.paused_ns += now - s;
            }
            _ => {}
        }
    }
}
