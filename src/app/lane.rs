//! One running simulation and what the screen needs to remember about it: knob marks for
//! the chart, a per-jiffy timeline of paused/masked time, and which bits just changed.
//!
//! Everything here is derived from the sim's public read side (`counters()`, `ports()`,
//! `shared_info()`, the trace); the sim itself is never changed except through `run_until`,
//! `step_transition`, `set_knob` and `port_action`. Figures are the sim's own
//! ([`crate::sim::Sim::last`]); the lane only remembers what the screen needs.

use std::collections::VecDeque;

use crate::sim::{
    Config, DeviceCounters, KnobChange, PortAction, PortView, Reading, Sim, Trace, TraceEvent,
    TraceKind, Window,
};

/// Sample interval the lab asks of the sim, so the chart moves smoothly (the headless report
/// keeps the default 100 ms).
pub const UI_SAMPLE_NS: u64 = 50_000_000;
/// Jiffies of timeline kept (more than the widest strip).
pub const TIMELINE_KEPT: usize = 512;
/// Knob marks kept per lane.
pub const MARKS_KEPT: usize = 32;
/// At most this many events are processed looking for one traced transition (`.`)…
pub const STEP_MAX_EVENTS: u32 = 1_000_000;
/// …and no event later than this after now: past it, `.` leaves the sim where it was.
pub const STEP_MAX_NS: u64 = 1_000_000_000;
/// The window the goodput figure and the "last second" shares average over.
pub const LAST_SECOND_NS: u64 = 1_000_000_000;
/// Trace records the lab's sims keep: what the log shows, and room for the most a slice
/// ([`SLICE_NS`]) records, 2,500 (a rogue guest with the throttle off; tested in
/// `the_trace_never_wraps_between_two_reads`). Small enough to stay in the cache: the ring
/// is written on every transition (16,384 records made a Linux guest's run 18% slower than
/// a headless one; 4,096, 8%).
pub const TRACE_CAPACITY: usize = 4_096;
/// The longest stretch of virtual time run in one go, so the trace never wraps between two
/// reads of it.
pub const SLICE_NS: u64 = 500_000;

/// The newest transition of each kind, kept up to date as the sim runs (the trace ring may
/// wrap many times between two frames).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latest {
    pub notify: Option<TraceEvent>,
    pub upcall: Option<TraceEvent>,
    pub deliver: Option<TraceEvent>,
    pub ack: Option<TraceEvent>,
    pub verdict: Option<TraceEvent>,
    pub eoi: Option<TraceEvent>,
    pub unmask: Option<TraceEvent>,
    /// The newest transition of the pipeline (knob marks left out).
    pub current: Option<TraceEvent>,
}

impl Latest {
    /// Which slot a transition of this kind goes to (`None`: knob marks, kept out).
    fn slot_of(kind: &TraceKind) -> Option<usize> {
        Some(match kind {
            TraceKind::Notify { .. } => 0,
            TraceKind::Upcall { .. } => 1,
            TraceKind::Deliver { .. } => 2,
            TraceKind::Ack { .. } | TraceKind::Mask { .. } => 3,
            TraceKind::Verdict { .. } => 4,
            TraceKind::LateEoi { .. } => 5,
            TraceKind::Unmask { .. } | TraceKind::ExplicitUnmask { .. } => 6,
            TraceKind::Knob { .. } => return None,
        })
    }

    fn slot_mut(&mut self, i: usize) -> &mut Option<TraceEvent> {
        match i {
            0 => &mut self.notify,
            1 => &mut self.upcall,
            2 => &mut self.deliver,
            3 => &mut self.ack,
            4 => &mut self.verdict,
            5 => &mut self.eoi,
            _ => &mut self.unmask,
        }
    }

    /// Take in the transitions from `from` on: the same as taking each in turn, oldest
    /// first (the newest of each kind wins, and the newest of all is `current`). Read from
    /// the newest end, stopping once every slot has its newest, and stepping over the rest
    /// of a run recorded in one go (all of one kind), so a busy batch costs a few records,
    /// not all of them: a throttled rogue guest records 2,000 coalesced notifies a virtual
    /// millisecond and nothing else.
    fn absorb_since(&mut self, trace: &Trace, from: u64) {
        const ALL: u8 = (1 << 7) - 1;
        let first = from.max(trace.first_seq());
        let mut filled = 0u8;
        let mut seq = trace.next_seq();
        while seq > first {
            seq -= 1;
            let Some(e) = trace.get(seq) else { break };
            seq = trace.run_start(seq).max(first);
            let Some(i) = Self::slot_of(&e.kind) else {
                continue;
            };
            if filled == 0 {
                self.current = Some(*e);
            }
            if filled & (1 << i) == 0 {
                *self.slot_mut(i) = Some(*e);
                filled |= 1 << i;
                if filled == ALL {
                    break;
                }
            }
        }
    }
}

/// A knob change, marked on the throughput chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub t_ns: u64,
    pub label: String,
}

/// Why the Counters pane counts from where it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinceWhy {
    /// The run began there (t = 0).
    Start,
    /// A knob changed there: what came before counted the state before it.
    Knob,
    /// A lesson step began there.
    Step,
}

impl SinceWhy {
    /// "the last knob change", for the Counters pane.
    pub fn words(self) -> &'static str {
        match self {
            SinceWhy::Start => "the run's start",
            SinceWhy::Knob => "the last knob change",
            SinceWhy::Step => "the step's start",
        }
    }
}

/// Where the Counters pane counts from: the later of the run's (or the lesson step's)
/// start and the last knob change. The whole run stays a key away (`w`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Since {
    pub why: SinceWhy,
    /// The sim's counters then.
    pub reading: Reading,
    /// The device's sysfs counters then.
    pub device: DeviceCounters,
}

impl Since {
    fn now(sim: &Sim, why: SinceWhy) -> Since {
        Since {
            why,
            reading: sim.reading(),
            device: device_counters(sim),
        }
    }
}

/// The device's counters: the sum over its channels (one device, one or two ports).
pub fn device_counters(sim: &Sim) -> DeviceCounters {
    sim.ports()
        .fold(DeviceCounters::default(), |a, p| DeviceCounters {
            events: a.events + p.counters.events,
            spurious_events: a.spurious_events + p.counters.spurious_events,
            jiffies_eoi_delayed: a.jiffies_eoi_delayed + p.counters.jiffies_eoi_delayed,
        })
}

/// Timeline cells per jiffy: finer than a jiffy, so a pause that starts mid-jiffy and ends
/// at the tick shows as a gap after a short open stretch, not as one uniform low cell.
pub const CELLS_PER_JIFFY: u64 = 4;

/// One cell (a quarter jiffy) of the timeline: how much of it the guest's port(s) spent
/// masked and paused (0 = none, 255 = all of it; averaged over the ports).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimelineCell {
    pub masked: u8,
    pub paused: u8,
}

/// Which of a port's bits changed during the last advance (`[pending, masked, selector]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BitFlash {
    pub port: u32,
    pub bits: [bool; 3],
}

/// Changes seen by the last advance, for "bits light up as they change".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flash {
    pub ports: Vec<BitFlash>,
    pub upcall_pending: bool,
}

impl Flash {
    pub fn port(&self, port: u32) -> [bool; 3] {
        self.ports
            .iter()
            .find(|f| f.port == port)
            .map_or([false; 3], |f| f.bits)
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Snapshot {
    bits: [[bool; 3]; 2],
    upcall_pending: bool,
}

/// One event's transitions being shown one `.` at a time: the sim just after each
/// transition still to show but the last (the live sim is the last), and what the screen
/// shows for the one on screen now.
#[derive(Clone)]
struct Reveal {
    frames: VecDeque<Sim>,
    latest: Latest,
    flash: Flash,
    /// The event's transitions (the one on screen is `total - frames.len()`, 1-based).
    total: usize,
}

/// Numbers each new lane: a rewind's history is of one run (clones keep the number).
static NEXT_RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A simulation plus its screen memory.
#[derive(Clone)]
pub struct Lane {
    sim: Sim,
    run: u64,
    marks: VecDeque<Mark>,
    cells: VecDeque<TimelineCell>,
    /// Masked and paused port-time (ns) at the last closed jiffy boundary.
    at_boundary: (u64, u64),
    boundary_ns: u64,
    flash: Flash,
    latest: Latest,
    /// Trace sequence number up to which `latest` has read.
    seen_seq: u64,
    /// Reads that found records already overwritten (none, when [`TRACE_CAPACITY`] and
    /// [`SLICE_NS`] fit the fastest guest).
    overruns: u64,
    /// After `.`: the transitions of the stepped event not yet all shown.
    reveal: Option<Reveal>,
    /// Where the Counters pane counts from.
    since: Since,
}

impl Lane {
    pub fn new(cfg: Config) -> Self {
        let mut cfg = cfg;
        cfg.params.sample_interval_ns = UI_SAMPLE_NS;
        let sim = Sim::with_trace_capacity(cfg, TRACE_CAPACITY);
        Lane {
            // A new sim: time 0, nothing masked or paused yet.
            at_boundary: (0, 0),
            boundary_ns: 0,
            since: Since::now(&sim, SinceWhy::Start),
            sim,
            run: NEXT_RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            marks: VecDeque::with_capacity(MARKS_KEPT),
            cells: VecDeque::with_capacity(TIMELINE_KEPT),
            flash: Flash::default(),
            latest: Latest::default(),
            seen_seq: 0,
            overruns: 0,
            reveal: None,
        }
    }

    /// Which run this lane is (its clones are the same run).
    pub fn run_id(&self) -> u64 {
        self.run
    }

    /// The newest transition of each kind, up to the one on screen.
    pub fn latest(&self) -> &Latest {
        self.reveal.as_ref().map_or(&self.latest, |r| &r.latest)
    }

    fn read_trace(&mut self) {
        if self.sim.trace().first_seq() > self.seen_seq {
            self.overruns += 1;
        }
        self.latest.absorb_since(self.sim.trace(), self.seen_seq);
        self.seen_seq = self.sim.trace().next_seq();
    }

    /// The simulation as the screen shows it: after `.`, as it was just after the
    /// transition on screen; otherwise the live one. Every pane and every lesson goal reads
    /// this, so what is checked is what is shown.
    pub fn sim(&self) -> &Sim {
        self.reveal
            .as_ref()
            .and_then(|r| r.frames.front())
            .unwrap_or(&self.sim)
    }

    /// The live simulation, past every transition of the stepped event (what a step's
    /// restart point keeps).
    pub fn live_sim(&self) -> &Sim {
        &self.sim
    }

    /// Show the live sim at once, past the stepped event's remaining transitions.
    pub fn show_live(&mut self) {
        self.reveal = None;
    }

    /// After `.` on an event of several transitions: which one is on screen and how many
    /// there are (`(2, 4)`: the second of four).
    pub fn stepping(&self) -> Option<(usize, usize)> {
        self.reveal
            .as_ref()
            .map(|r| (r.total - r.frames.len(), r.total))
    }

    pub fn config(&self) -> &Config {
        self.sim.config()
    }

    pub fn now_ns(&self) -> u64 {
        self.sim.now_ns()
    }

    pub fn marks(&self) -> impl DoubleEndedIterator<Item = &Mark> + ExactSizeIterator + '_ {
        self.marks.iter()
    }

    /// The timeline, oldest jiffy first.
    pub fn cells(&self) -> impl DoubleEndedIterator<Item = &TimelineCell> + ExactSizeIterator + '_ {
        self.cells.iter()
    }

    pub fn flash(&self) -> &Flash {
        self.reveal.as_ref().map_or(&self.flash, |r| &r.flash)
    }

    /// Change a knob now, and mark it on the chart.
    pub fn set_knob(&mut self, change: KnobChange) {
        // Anything that changes the sim goes on from the live one: the rest of a stepped
        // event's transitions have happened.
        self.reveal = None;
        self.sim.set_knob(change);
        self.read_trace();
        if self.marks.len() == MARKS_KEPT {
            self.marks.pop_front();
        }
        self.marks.push_back(Mark {
            t_ns: self.sim.now_ns(),
            label: change.to_string(),
        });
        self.since = Since::now(&self.sim, SinceWhy::Knob);
    }

    /// Where the Counters pane counts from.
    pub fn since(&self) -> &Since {
        &self.since
    }

    /// The Counters pane counts from now (a lesson step begins).
    pub fn count_from_now(&mut self, why: SinceWhy) {
        self.since = Since::now(&self.sim, why);
    }

    /// The device's sysfs counters, as the screen shows the sim.
    pub fn device_counters(&self) -> DeviceCounters {
        device_counters(self.sim())
    }

    /// A hands-on action on the guest's first port, now.
    pub fn port_action(&mut self, a: PortAction) {
        self.reveal = None;
        let before = self.snapshot();
        self.sim.port_action(a);
        self.read_trace();
        self.flash = self.flash_since(before);
    }

    /// The last virtual second (what the lab's "now" figures average over).
    pub fn last_second(&self) -> Window {
        self.sim().last(LAST_SECOND_NS)
    }

    /// Virtual time covered by one timeline cell, ns.
    pub fn cell_ns(&self) -> u64 {
        (self.sim.config().jiffy_ns() / CELLS_PER_JIFFY).max(1)
    }

    /// Run the simulation up to `target_ns`, closing a timeline cell at every cell boundary.
    /// Nothing needs to look between events: the sim runs its fast path
    /// ([`Sim::run_until`]).
    pub fn advance_to(&mut self, target_ns: u64) {
        self.advance(target_ns, None::<fn(&Sim) -> bool>);
    }

    /// [`Lane::advance_to`], stopping early at the first event after which `stop` holds.
    /// Returns whether it stopped early.
    pub fn advance_to_until(&mut self, target_ns: u64, stop: impl FnMut(&Sim) -> bool) -> bool {
        self.advance(target_ns, Some(stop))
    }

    fn advance(&mut self, target_ns: u64, mut stop: Option<impl FnMut(&Sim) -> bool>) -> bool {
        self.reveal = None;
        let before = self.snapshot();
        let jiffy = self.cell_ns();
        let mut stopped = false;
        while self.sim.now_ns() < target_ns && !stopped {
            let now = self.sim.now_ns();
            let boundary = (now / jiffy + 1) * jiffy;
            let next = boundary.min(now + SLICE_NS).min(target_ns);
            stopped = match &mut stop {
                Some(stop) => self.sim.run_until_or(next, stop),
                None => {
                    self.sim.run_until(next);
                    false
                }
            };
            self.read_trace();
            if !stopped && next == boundary {
                self.close_cells();
            }
        }
        self.flash = self.flash_since(before);
        stopped
    }

    /// Show exactly one more transition (the paused single step, `.`). One event of the
    /// sim can make several (an upcall: loop, handle, ack, verdict, late EOI, unmask); the
    /// sim runs the whole event, and the screen then shows them one per call, each in the
    /// state just after it. False, and nothing moved, if no transition would come within
    /// [`STEP_MAX_EVENTS`] events and [`STEP_MAX_NS`] of virtual time.
    pub fn step_transition(&mut self) -> bool {
        if let Some(r) = &mut self.reveal {
            let before = snapshot(&r.frames[0]);
            let seen = r.frames[0].trace().next_seq();
            r.frames.pop_front();
            match r.frames.front() {
                Some(next) => {
                    r.latest.absorb_since(next.trace(), seen);
                    r.flash = flash_between(next, before);
                }
                None => {
                    self.reveal = None;
                    self.flash = flash_between(&self.sim, before);
                }
            }
            return true;
        }
        let before = self.snapshot();
        let (latest, seen) = (self.latest, self.seen_seq);
        // Kept to put back when nothing would happen (an idle guest): `.` then moves
        // nothing, not even the clock.
        let saved = self.sim.clone();
        let Some(frames) = self
            .sim
            .step_transition_frames(STEP_MAX_EVENTS, STEP_MAX_NS)
        else {
            self.sim = saved;
            return false;
        };
        self.read_trace();
        self.close_cells();
        self.flash = self.flash_since(before);
        if let Some(first) = frames.first() {
            let mut shown = latest;
            shown.absorb_since(first.trace(), seen);
            self.reveal = Some(Reveal {
                flash: flash_between(first, before),
                latest: shown,
                total: frames.len() + 1,
                frames: frames.into(),
            });
        }
        true
    }

    /// Close every timeline cell whose time has ended. Exact when called at each boundary
    /// (as `advance_to` does); after a single step that crossed several boundaries the time
    /// is shared evenly among them.
    fn close_cells(&mut self) {
        let jiffy = self.cell_ns();
        let boundary = self.sim.now_ns() / jiffy * jiffy;
        if boundary <= self.boundary_ns {
            return;
        }
        let n = (boundary - self.boundary_ns) / jiffy;
        let c = self.sim.counters();
        let ports = self.sim.ports().count().max(1) as u64;
        let (masked, paused) = (c.masked_ns, c.paused_ns);
        let dm = masked.saturating_sub(self.at_boundary.0);
        let dp = paused.saturating_sub(self.at_boundary.1);
        let span = (n * jiffy * ports).max(1);
        let share = |d: u64| ((d.min(span) * 255 + span / 2) / span) as u8;
        let cell = TimelineCell {
            masked: share(dm),
            paused: share(dp),
        };
        for _ in 0..n.min(TIMELINE_KEPT as u64) {
            if self.cells.len() == TIMELINE_KEPT {
                self.cells.pop_front();
            }
            self.cells.push_back(cell);
        }
        self.at_boundary = (masked, paused);
        self.boundary_ns = boundary;
    }

    fn snapshot(&self) -> Snapshot {
        snapshot(&self.sim)
    }

    fn flash_since(&self, before: Snapshot) -> Flash {
        flash_between(&self.sim, before)
    }

    /// The ports as the screen shows them, as a small vector (one or two).
    pub fn ports(&self) -> Vec<PortView> {
        self.sim().ports().collect()
    }
}

/// Less virtual time than this to advance, two lanes go one after the other: a thread
/// would cost more than it saves (about 50 µs against well under a millisecond of work).
pub const PARALLEL_MIN_NS: u64 = 50_000_000;

/// Whether this machine has a second core for a second lane (asked once).
fn two_cores() -> bool {
    static CORES: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}

/// Advance two lanes to `target_ns`: on two cores when there is enough to do (at least
/// [`PARALLEL_MIN_NS`]). The lanes share nothing (each its own sim and RNG), so the result
/// is the same as one after the other.
pub fn advance_pair(a: &mut Lane, b: &mut Lane, target_ns: u64) {
    let parallel = two_cores() && target_ns.saturating_sub(a.now_ns()) >= PARALLEL_MIN_NS;
    advance_both(a, b, target_ns, parallel);
}

fn advance_both(a: &mut Lane, b: &mut Lane, target_ns: u64, parallel: bool) {
    if parallel {
        std::thread::scope(|s| {
            s.spawn(|| b.advance_to(target_ns));
            a.advance_to(target_ns);
        });
    } else {
        a.advance_to(target_ns);
        b.advance_to(target_ns);
    }
}

fn snapshot(sim: &Sim) -> Snapshot {
    let mut s = Snapshot {
        upcall_pending: sim.shared_info().vcpu.evtchn_upcall_pending,
        ..Snapshot::default()
    };
    for (slot, p) in s.bits.iter_mut().zip(sim.ports()) {
        *slot = [p.pending, p.masked, p.selected];
    }
    s
}

/// Which bits differ between `before` and `sim` now.
fn flash_between(sim: &Sim, before: Snapshot) -> Flash {
    let now = snapshot(sim);
    Flash {
        ports: sim
            .ports()
            .zip(before.bits.iter().zip(now.bits.iter()))
            .map(|(p, (a, b))| BitFlash {
                port: p.port,
                bits: [a[0] != b[0], a[1] != b[1], a[2] != b[2]],
            })
            .collect(),
        upcall_pending: before.upcall_pending != now.upcall_pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All a lane shows and counts, to compare two lanes.
    fn digest(l: &Lane) -> String {
        format!(
            "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            l.now_ns(),
            l.sim().report(),
            l.ports(),
            l.device_counters(),
            l.latest(),
            l.flash(),
            l.cells().collect::<Vec<_>>(),
            l.marks().collect::<Vec<_>>(),
            l.sim().trace().next_seq(),
        )
    }

    #[test]
    fn two_lanes_advanced_on_two_threads_end_as_one_after_the_other() {
        use crate::sim::{GuestKind, NetbackVariant};
        let cfg = Config {
            guest: GuestKind::Freebsd,
            ..Config::default()
        };
        let fixed = Config {
            netback: NetbackVariant::Fixed,
            ..cfg
        };
        let (mut a1, mut b1) = (Lane::new(cfg), Lane::new(fixed));
        let (mut a2, mut b2) = (a1.clone(), b1.clone());
        for t in [3_000_000_000, 3_040_000_000, 7_000_000_000] {
            advance_both(&mut a1, &mut b1, t, true);
            advance_both(&mut a2, &mut b2, t, false);
        }
        assert_eq!(digest(&a1), digest(&a2));
        assert_eq!(digest(&b1), digest(&b2));
        // The digest tells the two lanes apart: the comparison can fail.
        assert_ne!(digest(&a1), digest(&b1));
    }

    #[test]
    fn timeline_gets_four_cells_per_jiffy_and_pauses_show_as_gaps() {
        let mut lane = Lane::new(Config::default());
        lane.advance_to(100_000_000); // 25 jiffies at HZ 250
        assert_eq!(lane.cells().count(), 100);
        // The buggy default is paused most of the time…
        let paused: u32 = lane.cells().map(|c| u32::from(c.paused)).sum();
        assert!(paused > 100 * 255 / 2, "paused share {paused}");
        // …but every jiffy opens briefly after the worker's EOI: open cells between gaps.
        let open = lane.cells().filter(|c| c.paused < 192).count();
        let shut = lane.cells().filter(|c| c.paused == 255).count();
        assert!(open >= 20 && shut >= 40, "open {open}, shut {shut}");
        let g = lane
            .last_second()
            .figure(crate::sim::Figure::GoodputMbps, 1);
        assert!(g.is_some_and(|g| g > 0.0));
    }

    /// Reading a batch from its newest end, stepping over runs, gives what taking every
    /// record in turn gives: a FreeBSD guest, and a rogue one (runs of coalesced notifies
    /// between a few other records), with a ring large enough and one that wraps between
    /// reads.
    #[test]
    fn latest_from_the_newest_end_is_latest_in_order() {
        let rogue = Config {
            guest: crate::sim::GuestKind::Rogue,
            ..Config::default()
        };
        let mut runs = 0;
        for (cfg, cap) in [
            (Config::default(), 1 << 16),
            (rogue, 1 << 16),
            (rogue, 4096),
        ] {
            runs += absorb_matches_each_record(cfg, cap);
        }
        assert!(runs > 1000, "the rogue guest's runs were read: {runs}");
    }

    /// Returns how many records the fast read stepped over as parts of runs.
    fn absorb_matches_each_record(cfg: Config, cap: usize) -> u64 {
        let mut sim = Sim::with_trace_capacity(cfg, cap);
        let mut fast = Latest::default();
        let mut slow = Latest::default();
        let mut seen = 0;
        let mut in_runs = 0;
        for k in 0..400u64 {
            sim.run_until(sim.now_ns() + 7_000 + k * 13_000);
            if k % 37 == 5 {
                sim.port_action(PortAction::Mask);
            }
            if k % 37 == 9 {
                sim.port_action(PortAction::Unmask);
            }
            if k % 91 == 3 {
                sim.set_knob(KnobChange::Throttle(k % 2 == 0));
            }
            fast.absorb_since(sim.trace(), seen);
            for e in sim.trace().since(seen) {
                if sim.trace().run_start(e.seq) < e.seq {
                    in_runs += 1;
                }
                let Some(i) = Latest::slot_of(&e.kind) else {
                    continue;
                };
                *slow.slot_mut(i) = Some(*e);
                slow.current = Some(*e);
            }
            seen = sim.trace().next_seq();
            assert_eq!(fast, slow, "{:?}, ring {cap}: after batch {k}", cfg.guest);
        }
        in_runs
    }

    /// Every transition reaches `latest`: between two reads the sim never records more than
    /// the ring holds, in any guest, direction, netback, throttle, late-EOI and ABI setting
    /// and at the slowest and fastest tick.
    #[test]
    fn the_trace_never_wraps_between_two_reads() {
        use crate::sim::{Abi, Direction, GuestKind, NetbackVariant};
        for guest in [GuestKind::Rogue, GuestKind::Freebsd, GuestKind::Linux] {
            for (throttle, lateeoi) in [(true, true), (false, true), (true, false)] {
                for abi in [Abi::TwoLevel, Abi::Fifo] {
                    for (direction, netback, hz) in [
                        (Direction::Tx, NetbackVariant::Buggy, 100),
                        (Direction::Rx, NetbackVariant::Fixed, 1000),
                    ] {
                        let cfg = Config {
                            guest,
                            direction,
                            netback,
                            throttle,
                            lateeoi,
                            abi,
                            hz,
                            ..Config::default()
                        };
                        let mut lane = Lane::new(cfg);
                        lane.advance_to(200_000_000);
                        assert!(lane.sim().trace().next_seq() > 20, "{cfg:?}: it ran");
                        assert_eq!(lane.overruns, 0, "{cfg:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn marks_record_knob_changes_at_virtual_time() {
        let mut lane = Lane::new(Config::default());
        lane.advance_to(10_000_000);
        lane.set_knob(KnobChange::Netback(crate::sim::NetbackVariant::Fixed));
        let m: Vec<_> = lane.marks().cloned().collect();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].t_ns, 10_000_000);
        assert_eq!(m[0].label, "netback→AND");
    }
}
