//! Xen shared I/O rings (`xen/include/public/io/ring.h`).
//!
//! **Literal semantics, model sizes** (`docs/model.md` §4): free-running `RING_IDX` indices, the
//! `req_event`/`rsp_event` thresholds, `RING_PUSH_*_AND_CHECK_NOTIFY` and
//! `RING_FINAL_CHECK_FOR_*`. The front's private producer index is merged with the shared
//! one because the model always pushes right after producing. 256 slots; a slot holds one
//! packet (no GSO, no multi-slot packets).

/// Slots per ring (a one-page netif ring of this era holds 256 requests).
pub const RING_SIZE: u32 = 256;

/// What a packet is, for the TCP-like flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PktKind {
    /// A data segment; `seq` is its segment number in the flow (0, 1, 2, …).
    #[default]
    Data,
    /// A cumulative ACK; `seq` is the number of segments acknowledged.
    Ack,
}

/// A packet as the model moves it: one ring slot, one wire frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pkt {
    pub kind: PktKind,
    pub seq: u32,
}

/// Bytes on the wire of an ACK-sized packet (Ethernet, IP and TCP headers with the
/// timestamp option): below netback's `XEN_NETBACK_TX_COPY_LEN`, so copied whole.
pub const ACK_BYTES: u32 = 66;

impl Pkt {
    /// Its size on the wire: a data segment is a full-size packet (`mtu`).
    #[inline(always)]
    pub fn wire_bytes(self, mtu: u32) -> u32 {
        match self.kind {
            PktKind::Data => mtu,
            PktKind::Ack => ACK_BYTES,
        }
    }

    pub const fn data(seq: u32) -> Self {
        Pkt {
            kind: PktKind::Data,
            seq,
        }
    }
    pub const fn ack(seq: u32) -> Self {
        Pkt {
            kind: PktKind::Ack,
            seq,
        }
    }
}

/// One shared ring with both ends' indices.
#[derive(Clone, Debug)]
pub struct Ring {
    /// Frontend's private producer index (requests written, not yet pushed).
    pub req_prod_pvt: u32,
    pub req_prod: u32,
    pub req_cons: u32,
    /// Backend's private response producer index.
    pub rsp_prod_pvt: u32,
    pub rsp_prod: u32,
    pub rsp_cons: u32,
    /// The backend wants a notify when `req_prod` passes this index.
    pub req_event: u32,
    /// The frontend wants a notify when `rsp_prod` passes this index.
    pub rsp_event: u32,
    slots: [Pkt; RING_SIZE as usize],
}

impl Default for Ring {
    fn default() -> Self {
        // SHARED_RING_INIT: both events start at 1 ("notify me on the first one").
        Ring {
            req_prod_pvt: 0,
            req_prod: 0,
            req_cons: 0,
            rsp_prod_pvt: 0,
            rsp_prod: 0,
            rsp_cons: 0,
            req_event: 1,
            rsp_event: 1,
            slots: [Pkt::default(); RING_SIZE as usize],
        }
    }
}

#[inline]
fn slot(idx: u32) -> usize {
    (idx & (RING_SIZE - 1)) as usize
}

/// `(new - event) < (new - old)`: the event index lies in `(old, new]`.
#[inline]
fn crosses(old: u32, new: u32, event: u32) -> bool {
    new.wrapping_sub(event) < new.wrapping_sub(old)
}

impl Ring {
    /// Slots the frontend may still fill (`RING_FREE_REQUESTS`).
    pub fn free_requests(&self) -> u32 {
        RING_SIZE - self.req_prod_pvt.wrapping_sub(self.rsp_cons)
    }

    /// Frontend: write one request (its payload, if any) at the private producer index.
    /// It becomes visible with [`Ring::push_requests`].
    pub fn put_request(&mut self, pkt: Pkt) {
        debug_assert!(self.free_requests() > 0);
        self.slots[slot(self.req_prod_pvt)] = pkt;
        self.req_prod_pvt = self.req_prod_pvt.wrapping_add(1);
    }

    /// `RING_PUSH_REQUESTS_AND_CHECK_NOTIFY`: publish the private requests. Returns `notify`.
    pub fn push_requests(&mut self) -> bool {
        let old = self.req_prod;
        let new = self.req_prod_pvt;
        self.req_prod = new;
        crosses(old, new, self.req_event)
    }

    /// `RING_HAS_UNCONSUMED_REQUESTS`.
    pub fn unconsumed_requests(&self) -> u32 {
        self.req_prod.wrapping_sub(self.req_cons)
    }

    /// Backend: take the next request.
    pub fn take_request(&mut self) -> Pkt {
        debug_assert!(self.unconsumed_requests() > 0);
        let p = self.slots[slot(self.req_cons)];
        self.req_cons = self.req_cons.wrapping_add(1);
        p
    }

    /// `RING_FINAL_CHECK_FOR_REQUESTS`: when no work is left, ask for a notify on the next
    /// request, then look once more. Returns whether there is work.
    pub fn final_check_for_requests(&mut self) -> bool {
        if self.unconsumed_requests() > 0 {
            return true;
        }
        self.req_event = self.req_cons.wrapping_add(1);
        self.unconsumed_requests() > 0
    }

    /// Backend: requests consumed but not yet answered (RX: empty buffers it may fill).
    pub fn pending_responses(&self) -> u32 {
        self.req_cons.wrapping_sub(self.rsp_prod_pvt)
    }

    /// Backend: answer the oldest consumed request, with a payload (RX) or without (TX).
    /// It becomes visible with [`Ring::push_responses`].
    pub fn put_response(&mut self, pkt: Pkt) {
        debug_assert!(self.pending_responses() > 0);
        self.slots[slot(self.rsp_prod_pvt)] = pkt;
        self.rsp_prod_pvt = self.rsp_prod_pvt.wrapping_add(1);
    }

    /// `RING_PUSH_RESPONSES_AND_CHECK_NOTIFY`: publish the private responses. Returns `notify`.
    pub fn push_responses(&mut self) -> bool {
        let old = self.rsp_prod;
        let new = self.rsp_prod_pvt;
        self.rsp_prod = new;
        crosses(old, new, self.rsp_event)
    }

    /// `RING_HAS_UNCONSUMED_RESPONSES`.
    pub fn unconsumed_responses(&self) -> u32 {
        self.rsp_prod.wrapping_sub(self.rsp_cons)
    }

    /// Frontend: take the next response.
    pub fn take_response(&mut self) -> Pkt {
        debug_assert!(self.unconsumed_responses() > 0);
        let p = self.slots[slot(self.rsp_cons)];
        self.rsp_cons = self.rsp_cons.wrapping_add(1);
        p
    }

    /// `RING_FINAL_CHECK_FOR_RESPONSES`.
    pub fn final_check_for_responses(&mut self) -> bool {
        if self.unconsumed_responses() > 0 {
            return true;
        }
        self.rsp_event = self.rsp_cons.wrapping_add(1);
        self.unconsumed_responses() > 0
    }

    /// Requests written but not yet consumed, pushed or not (`req_cons..req_prod_pvt`), for
    /// conservation checks.
    pub fn queued_requests(&self) -> impl Iterator<Item = Pkt> + '_ {
        let n = self.req_prod_pvt.wrapping_sub(self.req_cons);
        (0..n).map(|i| self.slots[slot(self.req_cons.wrapping_add(i))])
    }

    /// Responses written but not yet taken by the frontend, pushed or not
    /// (`rsp_cons..rsp_prod_pvt`).
    pub fn queued_responses(&self) -> impl Iterator<Item = Pkt> + '_ {
        let n = self.rsp_prod_pvt.wrapping_sub(self.rsp_cons);
        (0..n).map(|i| self.slots[slot(self.rsp_cons.wrapping_add(i))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(r: &mut Ring, n: u32) {
        for i in 0..n {
            r.put_request(Pkt::data(i));
        }
    }

    #[test]
    fn first_push_notifies_then_suppressed_until_final_check() {
        let mut r = Ring::default();
        put(&mut r, 3);
        assert!(r.push_requests(), "req_event starts at 1");
        put(&mut r, 2);
        assert!(!r.push_requests(), "backend has not asked again");
        for _ in 0..5 {
            r.take_request();
        }
        assert!(!r.final_check_for_requests());
        assert_eq!(r.req_event, 6);
        put(&mut r, 1);
        assert!(r.push_requests(), "crosses the new req_event");
    }

    #[test]
    fn final_check_sees_late_requests() {
        let mut r = Ring::default();
        put(&mut r, 1);
        r.push_requests();
        r.take_request();
        put(&mut r, 1); // arrives before the final check
        r.push_requests();
        assert!(r.final_check_for_requests());
    }

    #[test]
    fn indices_wrap() {
        let m = u32::MAX - 1;
        let mut r = Ring {
            req_prod_pvt: m,
            req_prod: m,
            req_cons: m,
            rsp_prod_pvt: m,
            rsp_prod: m,
            rsp_cons: m,
            req_event: u32::MAX,
            ..Ring::default()
        };
        put(&mut r, 4);
        assert!(r.push_requests());
        assert_eq!(r.unconsumed_requests(), 4);
        assert_eq!(r.free_requests(), RING_SIZE - 4);
    }

    #[test]
    fn responses_follow_the_same_rule() {
        let mut r = Ring::default();
        put(&mut r, 2);
        r.push_requests();
        r.take_request();
        r.take_request();
        r.put_response(Pkt::ack(1));
        assert!(r.push_responses());
        r.put_response(Pkt::ack(2));
        assert!(!r.push_responses());
        assert_eq!(r.take_response(), Pkt::ack(1));
        assert_eq!(r.take_response(), Pkt::ack(2));
        assert!(!r.final_check_for_responses());
        assert_eq!(r.rsp_event, 3);
    }
}
