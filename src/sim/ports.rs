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
        account(
            masked,
            &mut p.masked_since,
            &mut self.counters.masked_ns,
            now,
        );
        account(
            paused,
            &mut p.paused_since,
            &mut self.counters.paused_ns,
            now,
        );
    }
}

/// One time account: a state that starts at `now` is noted in `since`; one that ends
/// adds its length to `total`.
#[inline(always)]
fn account(on: bool, since: &mut Option<u64>, total: &mut u64, now: u64) {
    match (on, *since) {
        (true, None) => *since = Some(now),
        (false, Some(s)) => {
            *since = None;
            *total += now - s;
        }
        _ => {}
    }
}
