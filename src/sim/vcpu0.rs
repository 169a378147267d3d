//! dom0 vCPU 0: netback's interrupt handlers, the late EOIs they and NAPI send, the NAPI TX
//! poll (`xenvif_poll`) and the delayed-EOI worker (`xen_irq_lateeoi_worker`). Interrupts
//! preempt vCPU 0's current work and stretch it; NAPI and the worker run to completion one
//! after the other.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cpu0Work {
    /// Only interrupt time is being spent.
    Irq,
    Napi {
        n: u32,
        /// Of the `n`, those netback copied whole (answered at the end of the poll); the
        /// others are grant-mapped, answered when their skb is freed.
        copied: u32,
    },
    Worker,
}

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Cpu0 {
    pub(super) current: Option<Cpu0Work>,
    pub(super) done_at: u64,
    /// Bumped (wrapping) whenever the current work's end moves; a `Cpu0Done` of an older
    /// generation is stale (fewer than 2^32 bumps happen while one is queued).
    pub(super) generation: u32,
    pub(super) napi_scheduled: bool,
    pub(super) worker_queued: bool,
}

/// The work checks a netback handler runs between its claim and its verdict: `(TX work,
/// RX work)`. A trait with a method forced inline, not a closure: a closure here stayed a
/// call on every upcall.
pub(super) trait Checks {
    fn run(self, sim: &mut Sim) -> (bool, bool);
}

/// The real handlers' checks for a port of this role.
struct InterruptChecks(PortRole);

impl Checks for InterruptChecks {
    #[inline(always)]
    fn run(self, sim: &mut Sim) -> (bool, bool) {
        match self.0 {
            PortRole::Tx => (sim.handle_tx_interrupt(), false),
            PortRole::Rx => (false, sim.handle_rx_interrupt()),
            // As shipped, both checks always run (the reason for the bitwise operator); an
            // inline `||` or `&&` stops at its left side, and the RX check is not made.
            PortRole::Common => {
                let tx = sim.handle_tx_interrupt();
                let rx = sim.cfg.netback.calls_rx(tx) && sim.handle_rx_interrupt();
                (tx, rx)
            }
        }
    }
}

/// Any checks, for tests: a closure.
#[cfg(test)]
impl<F: FnOnce(&mut Sim) -> (bool, bool)> Checks for F {
    fn run(self, sim: &mut Sim) -> (bool, bool) {
        self(sim)
    }
}

impl Sim {
    /// netback's handler for `port` (`xenvif_interrupt`, `xenvif_tx_interrupt` or
    /// `xenvif_rx_interrupt`), right after the upcall acked the event. Returns its extra cost.
    #[inline(always)]
    pub(super) fn netback_interrupt(&mut self, port: u32) -> u64 {
        let role = self.ports[self.port_index(port)].role;
        self.netback_handler(port, role, InterruptChecks(role))
    }

    /// The handler around its work checks, in the kernel's order: claim the handler's
    /// `eoi_pending` bit first (`atomic_fetch_or`, warning when it was already set), so that
    /// whatever the checks start (NAPI, the RX kthread) finds it when it completes and sends
    /// the late EOI; then run the checks; on a spurious verdict take the bit back
    /// (`atomic_andnot`) and send the spurious late EOI at once.
    #[inline(always)]
    pub(super) fn netback_handler(
        &mut self,
        port: u32,
        role: PortRole,
        checks: impl Checks,
    ) -> u64 {
        let bit = self.handler_claim(role);
        let (tx_work, rx_work) = checks.run(self);
        self.handler_verdict(port, role, bit, tx_work, rx_work)
    }

    /// The handler's first step: claim its `eoi_pending` bit (with late EOI on). Returns it.
    #[inline(always)]
    fn handler_claim(&mut self, role: PortRole) -> u8 {
        let bit = match role {
            PortRole::Tx => eoi_pending::TX_EOI,
            PortRole::Rx => eoi_pending::RX_EOI,
            PortRole::Common => eoi_pending::COMMON_EOI,
        };
        if self.cfg.lateeoi {
            let old = self.eoi_pending;
            self.eoi_pending |= bit;
            // WARN(old & NETBK_TX_EOI, …) on split channels; WARN(old, …) on the common one.
            let warn = match role {
                PortRole::Common => old != 0,
                PortRole::Tx | PortRole::Rx => old & bit != 0,
            };
            if warn {
                self.counters.eoi_pending_warnings += 1;
            }
        }
        bit
    }

    /// The handler's last step, after its checks: the verdict, and on a spurious one the
    /// bit taken back and the spurious late EOI sent. Returns the EOI's cost.
    #[inline(always)]
    fn handler_verdict(
        &mut self,
        port: u32,
        role: PortRole,
        bit: u8,
        tx_work: bool,
        rx_work: bool,
    ) -> u64 {
        let rx_checked = match role {
            PortRole::Tx => false,
            PortRole::Rx => true,
            PortRole::Common => self.cfg.netback.calls_rx(tx_work),
        };
        if !self.cfg.lateeoi {
            self.record(TraceKind::Verdict {
                port,
                role,
                tx_work,
                rx_work,
                rx_checked,
                spurious: None,
            });
            return 0;
        }
        let spurious = match role {
            PortRole::Tx => !tx_work,
            PortRole::Rx => !rx_work,
            PortRole::Common => self.cfg.netback.is_spurious(tx_work, rx_work),
        };
        self.record(TraceKind::Verdict {
            port,
            role,
            tx_work,
            rx_work,
            rx_checked,
            spurious: Some(spurious),
        });
        if spurious {
            self.eoi_pending &= !bit;
            return self.lateeoi(port, true, EoiSource::Handler);
        }
        0
    }

    /// `xenvif_handle_tx_interrupt`: work = unconsumed TX requests; schedule NAPI.
    #[inline(always)]
    pub(super) fn handle_tx_interrupt(&mut self) -> bool {
        let work = self.tx.unconsumed_requests() > 0;
        if work {
            self.cpu0.napi_scheduled = true;
        }
        work
    }

    /// `xenvif_handle_rx_interrupt`: work = `xenvif_have_rx_work`; kick the kthread. Before
    /// XSA-332 (late EOI off) `xenvif_rx_interrupt` kicked the kthread unconditionally and
    /// looked for no work (reported as none: the verdict is not used then).
    #[inline(always)]
    pub(super) fn handle_rx_interrupt(&mut self) -> bool {
        self.counters.rx_handler_calls += 1;
        if !self.cfg.lateeoi {
            self.kick_kthread();
            return false;
        }
        let work = self.have_rx_work();
        if work {
            self.kick_kthread();
        }
        work
    }

    /// `xen_irq_lateeoi(irq, flags)`, called by a driver. Returns its CPU cost.
    #[inline(always)]
    pub(super) fn lateeoi(&mut self, port: u32, spurious: bool, source: EoiSource) -> u64 {
        self.counters.lateeoi_calls += 1;
        self.eoi_step(port, spurious, source)
    }

    /// One `xen_irq_lateeoi_locked` step, traced and accounted.
    #[inline(always)]
    pub(super) fn eoi_step(&mut self, port: u32, spurious: bool, source: EoiSource) -> u64 {
        let set = self.late_settings();
        let out = self
            .core
            .lateeoi_locked(&mut self.evtchn, port, spurious, self.jiffies, set);
        let spurious_cnt = self.core.irq(port).spurious_cnt;
        // What the step added to the device's counters, read off its outcome (no copies
        // of the counters around it): a spurious EOI not already queued counts one, and a
        // throttle pause adds its delay.
        if spurious && out != EoiOutcome::AlreadyQueued {
            self.counters.spurious_events += 1;
            self.counters.port_spurious[self.port_index(port)] += 1;
        }
        let result = match out {
            EoiOutcome::AlreadyQueued => EoiResult::AlreadyQueued,
            EoiOutcome::Unmasked { .. } => EoiResult::Unmasked,
            EoiOutcome::Delayed { delay, eoi_time } => {
                if delay > 0 {
                    self.counters.throttle_pauses += 1;
                    self.counters.jiffies_eoi_delayed += delay;
                }
                EoiResult::Paused {
                    jiffies: delay,
                    eoi_time,
                }
            }
        };
        self.record(TraceKind::LateEoi {
            port,
            source,
            spurious,
            spurious_cnt,
            result,
        });
        match out {
            EoiOutcome::Unmasked { retrigger } => {
                self.cfg.params.dom0_eoi_ns + self.after_unmask(port, retrigger)
            }
            EoiOutcome::Delayed { .. } => {
                self.sync_port_times(port);
                0
            }
            EoiOutcome::AlreadyQueued => 0,
        }
    }

    /// Interrupt time on vCPU 0: extends the current work item, or occupies an idle CPU.
    #[inline(always)]
    pub(super) fn cpu0_charge_irq(&mut self, cost: u64) {
        let cost = self.jitter(cost);
        self.counters.dom0_busy_ns += cost;
        self.cpu0.generation = self.cpu0.generation.wrapping_add(1);
        if self.cpu0.current.is_some() {
            self.cpu0.done_at += cost;
        } else {
            self.cpu0.current = Some(Cpu0Work::Irq);
            self.cpu0.done_at = self.now + cost;
        }
        self.q.push(
            self.cpu0.done_at,
            Ev::Cpu0Done {
                generation: self.cpu0.generation,
            },
        );
    }

    #[inline(always)]
    pub(super) fn cpu0_start(&mut self, work: Cpu0Work, cost: u64) {
        self.counters.dom0_busy_ns += cost;
        self.cpu0.generation = self.cpu0.generation.wrapping_add(1);
        self.cpu0.current = Some(work);
        self.cpu0.done_at = self.now + cost;
        self.q.push(
            self.cpu0.done_at,
            Ev::Cpu0Done {
                generation: self.cpu0.generation,
            },
        );
    }

    /// Start the next piece of process/softirq work on an idle vCPU 0.
    #[inline(always)]
    pub(super) fn cpu0_try_begin(&mut self) {
        if self.cpu0.current.is_some() {
            return;
        }
        if self.cpu0.worker_queued {
            self.cpu0.worker_queued = false;
            let cost = self.worker_run();
            let cost = self.jitter(cost);
            self.cpu0_start(Cpu0Work::Worker, cost);
        } else if self.cpu0.napi_scheduled {
            self.napi_begin();
        }
    }

    #[inline(always)]
    pub(super) fn cpu0_done(&mut self) {
        let work = self.cpu0.current.take();
        if let Some(Cpu0Work::Napi { n, copied }) = work {
            self.napi_done(n, copied);
        }
        self.cpu0_try_begin();
    }

    /// `xenvif_poll` → `xenvif_tx_action`: take up to the budget from the TX ring and send
    /// the packets to the bridge, each leaving when netback is done with it. A packet of
    /// at most `tx_copy_len` bytes is copied whole (`XEN_NETBACK_TX_COPY_LEN`); a longer
    /// one has its head copied and the rest grant-mapped (zerocopy), so its TX response
    /// waits until its skb is freed ([`Sim::tx_zerocopy_release`]).
    #[inline(always)]
    pub(super) fn napi_begin(&mut self) {
        let n = self.tx.unconsumed_requests().min(NAPI_BUDGET);
        let mut offsets = self.cfg.params.dom0_batch_ns;
        let mut copied = 0;
        // One jitter factor per poll, so departures stay in order.
        let scale_num = self.jitter(1_000_000);
        for _ in 0..n {
            let pkt = self.tx.take_request();
            offsets += self.dom0_pkt_cost(pkt);
            copied += u32::from(!self.tx_mapped(pkt));
            let depart = self.now + offsets * scale_num / 1_000_000;
            self.bridge_to_peer(depart, pkt);
        }
        let cost = offsets * scale_num / 1_000_000;
        self.cpu0_start(Cpu0Work::Napi { n, copied }, cost);
    }

    /// Whether netback grant-maps part of `pkt` (longer than `XEN_NETBACK_TX_COPY_LEN`).
    #[inline(always)]
    pub(super) fn tx_mapped(&self, pkt: Pkt) -> bool {
        pkt.wire_bytes(self.cfg.params.mtu) > self.cfg.params.tx_copy_len
    }

    /// The skbs of `released` grant-mapped TX packets are freed (the packets reached the
    /// peer): `xenvif_zerocopy_callback` hands their slots to the dealloc thread, which
    /// unmaps them and answers them (`xenvif_idx_release` → `make_tx_response`,
    /// `push_tx_responses`: push, and notify the guest if it asked).
    #[inline(always)]
    pub(super) fn tx_zerocopy_release(&mut self, released: u32) {
        for _ in 0..released {
            self.tx.put_response(Pkt::default());
        }
        if self.tx.push_responses() {
            self.counters.tx_completion_notifies += 1;
            self.notify_guest();
        }
    }

    /// End of a poll: the TX responses of the packets copied whole go to the guest, then
    /// `xenvif_napi_schedule_or_enable_events`.
    #[inline(always)]
    pub(super) fn napi_done(&mut self, n: u32, copied: u32) {
        for _ in 0..copied {
            self.tx.put_response(Pkt::default());
        }
        if copied > 0 && self.tx.push_responses() {
            self.counters.tx_completion_notifies += 1;
            self.notify_guest();
        }
        if n == NAPI_BUDGET {
            return; // budget used up: poll again
        }
        if self.tx.final_check_for_requests() {
            return; // more requests: napi_schedule
        }
        self.cpu0.napi_scheduled = false;
        let bits = eoi_pending::TX_EOI | eoi_pending::COMMON_EOI;
        if self.cfg.lateeoi && self.eoi_pending & bits != 0 {
            self.eoi_pending &= !bits;
            let port = self.ports[0].port; // queue->tx_irq: the TX or common port
            let cost = self.lateeoi(port, false, EoiSource::Napi);
            self.cpu0_charge_irq(cost);
        }
    }

    /// `xen_irq_lateeoi_worker`: EOI every due port as not spurious. Returns the cost.
    pub(super) fn worker_run(&mut self) -> u64 {
        let mut cost = self.cfg.params.dom0_handler_ns;
        while let Some(port) = self.core.worker_take_due(self.jiffies) {
            self.counters.worker_eois += 1;
            cost += self.eoi_step(port, false, EoiSource::Worker);
        }
        cost
    }
}
