//! A TCP-like bulk flow: a window-limited sender and an ACK-clocked receiver (**model**,
//! `docs/model.md` §8). No loss, no congestion control: on an in-host path the window (the sender's
//! socket buffer) is what limits a flow, and the ACK clock is what a throttle pause stops.

/// The sending end: segments numbered 0, 1, 2, …
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpSender {
    /// Next segment number to send = segments offered so far.
    pub next_seq: u32,
    /// Segments acknowledged (cumulative).
    pub acked: u32,
    /// The send window in segments.
    pub window: u32,
}

impl TcpSender {
    pub fn new(window_bytes: u32, mss: u32) -> Self {
        TcpSender {
            next_seq: 0,
            acked: 0,
            window: (window_bytes / mss.max(1)).max(1),
        }
    }

    /// Segments the window lets it send now.
    pub fn sendable(&self) -> u32 {
        self.window.saturating_sub(self.next_seq - self.acked)
    }

    /// Take the next segment number.
    pub fn send(&mut self) -> u32 {
        debug_assert!(self.sendable() > 0);
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    /// A cumulative ACK arrived. Returns whether it opened the window.
    pub fn on_ack(&mut self, acked: u32) -> bool {
        if acked > self.acked && acked <= self.next_seq {
            self.acked = acked;
            true
        } else {
            false
        }
    }
}

/// The receiving end: delivers in order, acknowledges every `ack_every` segments; a
/// remainder is acknowledged by the delayed-ACK timer (the caller runs it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpReceiver {
    /// Next expected segment = segments delivered in order.
    pub next_seq: u32,
    /// Segments received but not yet acknowledged.
    pub unacked: u32,
    pub ack_every: u32,
    /// Segments that arrived out of order or twice: must stay 0 (conservation check).
    pub order_violations: u32,
}

impl TcpReceiver {
    pub fn new(ack_every: u32) -> Self {
        TcpReceiver {
            ack_every: ack_every.max(1),
            ..Self::default()
        }
    }

    /// A data segment arrived. Returns the cumulative ACK to send now, if one is due.
    pub fn on_segment(&mut self, seq: u32) -> Option<u32> {
        if seq != self.next_seq {
            self.order_violations += 1;
            return None;
        }
        self.next_seq += 1;
        self.unacked += 1;
        if self.unacked >= self.ack_every {
            self.unacked = 0;
            Some(self.next_seq)
        } else {
            None
        }
    }

    /// The delayed-ACK timer fired: acknowledge the remainder, if any.
    pub fn on_delack(&mut self) -> Option<u32> {
        if self.unacked > 0 {
            self.unacked = 0;
            Some(self.next_seq)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_limits_and_acks_open_it() {
        let mut s = TcpSender::new(4 * 1448, 1448);
        assert_eq!(s.sendable(), 4);
        for _ in 0..4 {
            s.send();
        }
        assert_eq!(s.sendable(), 0);
        assert!(s.on_ack(2));
        assert_eq!(s.sendable(), 2);
        assert!(!s.on_ack(1), "old ACK");
        assert!(!s.on_ack(9), "ACK beyond what was sent");
    }

    #[test]
    fn receiver_acks_every_n_and_flags_disorder() {
        let mut r = TcpReceiver::new(2);
        assert_eq!(r.on_segment(0), None);
        assert_eq!(r.on_segment(1), Some(2));
        assert_eq!(r.on_segment(2), None);
        assert_eq!(r.on_delack(), Some(3));
        assert_eq!(r.on_delack(), None);
        assert_eq!(r.on_segment(5), None);
        assert_eq!(r.on_segment(2), None);
        assert_eq!(r.order_violations, 2);
    }
}
