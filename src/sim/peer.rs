//! The bridge and the peer: the other end of the flow (a Linux iperf3 peer behind dom0's
//! bridge), its link pacing and its delayed ACK.

use super::*;

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Peer {
    pub(super) link_free_at: u64,
    pub(super) delack_deadline: u64,
    pub(super) delack_scheduled: bool,
    pub(super) arrive_scheduled: bool,
}

impl Sim {
    #[inline(always)]
    pub(super) fn bridge_to_peer(&mut self, depart: u64, pkt: Pkt) {
        let arrive = depart + self.cfg.params.peer_latency_ns;
        self.to_peer.push_back((arrive, pkt));
        if !self.peer.arrive_scheduled {
            self.peer.arrive_scheduled = true;
            self.q.push(arrive, Ev::PeerArrive);
        }
    }

    /// Packets from the guest reach the peer: their skbs are freed here, which answers the
    /// grant-mapped ones' TX requests (netback's zerocopy).
    #[inline(always)]
    pub(super) fn peer_arrive(&mut self) {
        self.peer.arrive_scheduled = false;
        let mut acked = false;
        let mut released = 0;
        while let Some(&(t, pkt)) = self.to_peer.front() {
            if t > self.now {
                break;
            }
            self.to_peer.pop_front();
            released += u32::from(self.tx_mapped(pkt));
            match pkt.kind {
                PktKind::Data => {
                    self.deliver_data(pkt.seq);
                    if let Some(a) = self.receiver.on_segment(pkt.seq) {
                        self.peer_send_pkt(Pkt::ack(a));
                    }
                }
                PktKind::Ack => acked |= self.sender.on_ack(pkt.seq),
            }
        }
        if self.cfg.direction == Direction::Tx && self.receiver.unacked > 0 {
            self.peer.delack_deadline = self.now + DELACK_NS;
            if !self.peer.delack_scheduled {
                self.peer.delack_scheduled = true;
                self.q.push(self.peer.delack_deadline, Ev::PeerDelack);
            }
        }
        if released > 0 {
            self.tx_zerocopy_release(released);
        }
        if acked {
            self.peer_send();
        }
        if let Some(&(t, _)) = self.to_peer.front() {
            self.peer.arrive_scheduled = true;
            self.q.push(t, Ev::PeerArrive);
        }
    }

    #[inline(always)]
    pub(super) fn peer_delack(&mut self) {
        self.peer.delack_scheduled = false;
        if self.now < self.peer.delack_deadline {
            self.peer.delack_scheduled = true;
            self.q.push(self.peer.delack_deadline, Ev::PeerDelack);
        } else if let Some(a) = self.receiver.on_delack() {
            self.peer_send_pkt(Pkt::ack(a));
        }
    }

    /// The peer as sender: everything the window allows, paced by its link.
    pub(super) fn peer_send(&mut self) {
        while self.sender.sendable() > 0 {
            let seq = self.sender.send();
            self.counters.packets_offered += 1;
            self.peer_send_pkt(Pkt::data(seq));
        }
    }

    #[inline(always)]
    pub(super) fn peer_send_pkt(&mut self, pkt: Pkt) {
        let depart = self.now.max(self.peer.link_free_at) + self.cfg.params.peer_pkt_ns;
        self.peer.link_free_at = depart;
        let arrive = depart + self.cfg.params.peer_latency_ns;
        self.from_peer.push_back((arrive, pkt));
        if !self.netback_arrive_scheduled {
            self.netback_arrive_scheduled = true;
            self.q.push(arrive, Ev::NetbackArrive);
        }
    }
}
