//! Xen's 2-level event-channel ABI behind [`EventChannelAbi`]: dom0's `shared_info` and where
//! the upcall loop is in its scan (`drivers/xen/events/events_2l.c`).

use super::shared::{BITS_PER_WORD, EventChannelAbi, SendOutcome, SharedInfo};

/// dom0's 2-level ABI: `shared_info` and where the upcall loop is in its scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TwoLevel {
    pub shared: SharedInfo,
    /// Selected words still to scan in this round of the loop.
    scan_sel: u64,
    /// The word being scanned.
    scan_word: usize,
    /// Its deliverable bits not yet handed out.
    scan_bits: u64,
}

impl EventChannelAbi for TwoLevel {
    fn set_pending(&mut self, port: u32) -> SendOutcome {
        self.shared.send(port)
    }

    fn is_pending(&self, port: u32) -> bool {
        self.shared.is_pending(port)
    }

    /// Step 1 of send: a pending port coalesces before anything is touched.
    fn send_coalesces(&self, port: u32) -> bool {
        self.shared.is_pending(port)
    }

    fn is_masked(&self, port: u32) -> bool {
        self.shared.is_masked(port)
    }

    fn mask(&mut self, port: u32) {
        self.shared.mask(port);
    }

    fn unmask(&mut self, port: u32) -> Option<SendOutcome> {
        self.shared.unmask(port)
    }

    fn clear_pending(&mut self, port: u32) {
        self.shared.clear_pending(port);
    }

    fn upcall_pending(&self) -> bool {
        self.shared.vcpu.evtchn_upcall_pending
    }

    fn begin_upcall(&mut self) {
        self.scan_sel = self.shared.begin_upcall();
        self.scan_bits = 0;
    }

    /// Word by word of the selector taken at the round's start; each word's
    /// `pending & ~mask` read when the scan reaches it.
    fn next_event(&mut self) -> Option<u32> {
        while self.scan_bits == 0 {
            if self.scan_sel == 0 {
                return None;
            }
            self.scan_word = self.scan_sel.trailing_zeros() as usize;
            self.scan_sel &= self.scan_sel - 1;
            self.scan_bits = self.shared.deliverable(self.scan_word);
        }
        let bit = self.scan_bits.trailing_zeros();
        self.scan_bits &= self.scan_bits - 1;
        Some(self.scan_word as u32 * BITS_PER_WORD + bit)
    }
}
