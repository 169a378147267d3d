//! The event loop: popping events in (time, sequence) order and dispatching them to the
//! actors, stepping for a paused UI, the trace records, and the periodic events (tick,
//! sample).

use super::*;

impl Sim {
    /// Process the next event. Returns its time.
    pub fn step(&mut self) -> u64 {
        // The tick and sample events are always queued, so the queue is never empty.
        let (t, ev) = self
            .q
            .pop()
            .expect("periodic events keep the queue non-empty");
        debug_assert!(t >= self.now);
        self.now = t;
        self.dispatch(ev, None);
        t
    }

    /// Process every event up to and including `t_ns`, then stand at `t_ns`.
    ///
    /// Nothing looks at the simulation between two events here, so a run of the rogue
    /// guest's notifies that find the port pending (each changes only counters and adds a
    /// trace record) is accounted in one go (`Sim::coalesce_rogue_run`): the same
    /// counters, trace records and times as one event each.
    pub fn run_until(&mut self, t_ns: u64) {
        while let Some((t, &ev)) = self.q.peek_due(t_ns) {
            self.q.drop_next();
            debug_assert!(t >= self.now);
            self.now = t;
            self.dispatch(ev, Some(t_ns));
        }
        self.now = self.now.max(t_ns);
    }

    /// Right after a rogue notify at `now`: when the port is left pending (and, on FIFO,
    /// masked or linked), every further notify coalesces and changes nothing but counters
    /// until another event runs. The notifies due before the next other event (and by
    /// `limit`) are accounted here, exactly as their events would: `events_sent`,
    /// `events_coalesced`, guest CPU time, a `Notify … coalesced` record each (at its own
    /// time), and the next notify queued after the last of them.
    ///
    /// Order: the notify queued at `now + p` was the last event scheduled, so it is next
    /// only if every other event is due later; each of its successors would again be
    /// scheduled after all of those, so it runs before the next other event exactly when
    /// it is due strictly earlier.
    #[inline(always)]
    fn coalesce_rogue_run(&mut self, limit: u64) {
        let port = self.ports[0].port;
        if !self.evtchn.send_coalesces(port) {
            return;
        }
        if !matches!(self.q.peek(), Some((_, Ev::RogueNotify))) {
            return;
        }
        let p = self.cfg.params.guest_notify_ns.max(1);
        let other = self.q.second_time().unwrap_or(u64::MAX);
        // The notifies at now + j p, j >= 1, with now + j p < other and now + j p <= limit:
        // j p <= last - now. Counted without a division when the run is short (the storm's
        // runs are 3 long; a 64-bit division costs more than the rest of the step).
        let last = (other - 1).min(limit);
        if last < self.now + p {
            return;
        }
        let room = last - self.now;
        let k = if room < 8 * p {
            let mut k = 1;
            while (k + 1) * p <= room {
                k += 1;
            }
            k
        } else {
            room / p
        };
        self.counters.events_sent += k;
        self.counters.events_coalesced += k;
        self.counters.guest_busy_ns += k * self.cfg.params.guest_notify_ns;
        let kind = TraceKind::Notify {
            port,
            outcome: SendOutcome::Coalesced,
            cause: NotifyCause::Rogue,
        };
        self.trace
            .record_run(self.now + p, p, k, self.jiffies, kind);
        self.now += k * p;
        self.q.reschedule_next(self.now + p);
    }

    /// Like [`Sim::run_until`], but look after every event and stop at the first one after
    /// which `stop` holds (standing at that event's time). Returns whether it stopped.
    /// Lessons use it so a goal on a passing state (a 4 ms pause) is not stepped over.
    pub fn run_until_or(&mut self, t_ns: u64, mut stop: impl FnMut(&Sim) -> bool) -> bool {
        while self.q.peek_time().is_some_and(|t| t <= t_ns) {
            self.step();
            if stop(self) {
                return true;
            }
        }
        self.now = self.now.max(t_ns);
        false
    }

    pub fn run_for(&mut self, d_ns: u64) {
        self.run_until(self.now + d_ns);
    }

    /// Step until at least one transition is traced (for single-stepping a paused UI).
    /// Gives up after `max_events` events.
    pub fn step_transition(&mut self, max_events: u32) -> bool {
        self.step_to_transition(max_events, u64::MAX)
    }

    /// Step until at least one transition is traced; false after `max_events` events, or
    /// when the next event falls after `deadline`.
    fn step_to_transition(&mut self, max_events: u32, deadline: u64) -> bool {
        let before = self.trace.next_seq();
        for _ in 0..max_events {
            if self.q.peek_time().is_none_or(|t| t > deadline) {
                return false;
            }
            self.step();
            if self.trace.next_seq() > before {
                return true;
            }
        }
        false
    }

    /// Step to the next traced transition, as [`Sim::step_transition`], keeping what a
    /// paused screen needs to show the event's transitions one at a time: the sim as it
    /// was just after each of them but the last (after the last one, it is `self`). One
    /// event can make several transitions (an upcall: loop, handle, ack, verdict, late
    /// EOI, unmask); each copy is taken at its trace record, and each record is made once
    /// its change is done, so each copy shows exactly that transition done. Costs one copy
    /// of the sim per transition, which is fine for a key press and never happens on the
    /// running path.
    ///
    /// `None` if no transition came within `max_events` events or before the next event
    /// falls more than `within_ns` after now (an idle guest makes none at all); the sim
    /// has then run the events it looked at.
    pub fn step_transition_frames(&mut self, max_events: u32, within_ns: u64) -> Option<Vec<Sim>> {
        self.frames = Some(Vec::new());
        self.records_kept = true;
        let found = self.step_to_transition(max_events, self.now.saturating_add(within_ns));
        let mut frames = self.frames.take().unwrap_or_default();
        self.records_kept = self.trace.is_on();
        if !found {
            return None;
        }
        frames.pop();
        Some(frames)
    }

    // ----- the event loop ---------------------------------------------------------------

    /// Inlined into [`Sim::step`] and [`Sim::run_until`]'s loop: no call per event.
    /// `coalesce_until`: [`Sim::run_until`]'s limit, for [`Sim::coalesce_rogue_run`] after a
    /// rogue notify (a constant `None` from [`Sim::step`], so that check folds away there,
    /// and costs the other events nothing in the loop).
    #[inline(always)]
    fn dispatch(&mut self, ev: Ev, coalesce_until: Option<u64>) {
        match ev {
            Ev::Tick => self.tick(),
            Ev::Sample => self.sample(),
            Ev::History => {
                self.history.push(self.reading());
                self.q.push(self.now + metrics::HISTORY_NS, Ev::History);
            }
            Ev::Cpu0Done { generation } => {
                if generation == self.cpu0.generation {
                    self.cpu0_done();
                }
            }
            Ev::Upcall => self.upcall(),
            Ev::KthreadDone => self.kthread_done(),
            Ev::GuestDone => self.guest_done(),
            Ev::GuestIrq => {
                self.guest.irq_in_flight = false;
                self.guest.irq_pending = true;
                self.guest_begin();
            }
            Ev::PeerArrive => self.peer_arrive(),
            Ev::NetbackArrive => self.netback_arrive(),
            Ev::PeerDelack => self.peer_delack(),
            Ev::GuestDelack => {
                self.guest.delack_scheduled = false;
                if self.now >= self.guest.delack_deadline {
                    self.guest.delack_due = true;
                    self.guest_begin();
                } else {
                    self.guest.delack_scheduled = true;
                    self.q.push(self.guest.delack_deadline, Ev::GuestDelack);
                }
            }
            Ev::RogueNotify => {
                let port = self.ports[0].port;
                self.guest_notify(port, NotifyCause::Rogue);
                self.counters.guest_busy_ns += self.cfg.params.guest_notify_ns;
                self.q.push(
                    self.now + self.cfg.params.guest_notify_ns.max(1),
                    Ev::RogueNotify,
                );
                if let Some(limit) = coalesce_until {
                    self.coalesce_rogue_run(limit);
                }
            }
        }
    }

    #[inline(always)]
    pub(super) fn record(&mut self, kind: TraceKind) {
        if !self.records_kept {
            self.trace.count_one();
            return;
        }
        self.trace.record(self.now, self.jiffies, kind);
        if self.frames.is_some() {
            self.capture_frame();
        }
    }

    /// Keep a copy of the sim as it is now, just after a transition (taken out first, so
    /// the copy carries no frames of its own).
    #[cold]
    fn capture_frame(&mut self) {
        if let Some(mut frames) = self.frames.take() {
            let mut frame = self.clone();
            frame.records_kept = frame.trace.is_on();
            frames.push(frame);
            self.frames = Some(frames);
        }
    }

    fn tick(&mut self) {
        self.jiffies += 1;
        self.q.push(self.now + self.cfg.jiffy_ns(), Ev::Tick);
        if self.core.work_fires(self.jiffies) {
            self.cpu0.worker_queued = true;
            self.cpu0_try_begin();
        }
    }

    fn sample(&mut self) {
        let c = self.counters();
        let len = self.now - self.last_sample_t;
        self.samples
            .push(Sample::between(&self.last_sample, &c, self.now, len));
        self.last_sample = c;
        self.last_sample_t = self.now;
        self.q
            .push(self.now + self.cfg.params.sample_interval_ns, Ev::Sample);
    }
}
