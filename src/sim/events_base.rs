//! dom0's Linux event core: the late-EOI framework of XSA-332 and its throttle.
//!
//! **Literal** (`docs/model.md` §5), after `drivers/xen/events/events_base.c` as of the February 2021
//! follow-up: `irq_info` with `spurious_cnt`, `eoi_time`, `irq_epoch` and mask reasons;
//! `xen_irq_lateeoi_locked`, `lateeoi_list_add` (the per-CPU list sorted by `eoi_time`,
//! whose delayed work is armed only when the list was empty) and `xen_irq_lateeoi_worker`
//! (which EOIs as *not spurious*, so it resets `spurious_cnt`).
//!
//! Patch 11's defer-EOI (`handle_irq_for_port` with `struct evtchn_loop_ctrl`) is literal
//! too; in the whole simulation it never fires, because an upcall loop of the model handles
//! each of the guest's one or two ports at most once and never reaches 256 events (see
//! `docs/model.md`). Its unit tests drive it with a clock of their own.
//!
//! Simplifications, said here and in the README: one dom0 vCPU takes every event, so
//! `eoi_cpu` is always 0 and `is_active` (a guard against two CPUs handling one port) is
//! not modelled.

use super::abi::{EventChannelAbi, SendOutcome};

/// `EVT_MASK_REASON_*`: the port is masked while any reason is set.
pub mod mask_reason {
    pub const EXPLICIT: u8 = 0x01;
    pub const TEMPORARY: u8 = 0x02;
    pub const EOI_PENDING: u8 = 0x04;
}

/// Counters of the xenbus device, as sysfs shows them (`Documentation/ABI/testing/sysfs-devices-xenbus`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeviceCounters {
    /// Events handled (`handle_irq_for_port` increments it).
    pub events: u64,
    /// Late EOIs flagged `XEN_EOI_FLAG_SPURIOUS`.
    pub spurious_events: u64,
    /// Jiffies of EOI delay imposed by the throttle, summed.
    pub jiffies_eoi_delayed: u64,
}

/// The per-IRQ state of an event channel bound with late EOI (`struct irq_info`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IrqInfo {
    pub evtchn: u32,
    pub spurious_cnt: u8,
    /// Jiffies at which a delayed EOI is due; 0 = none (the kernel's convention).
    pub eoi_time: u64,
    pub eoi_cpu: u32,
    /// The CPU's `irq_epoch` when the event's EOI was last deferred by patch 11 (only then
    /// is it set, as in the kernel).
    pub irq_epoch: u64,
    /// `EVT_MASK_REASON_*` bits.
    pub mask_reason: u8,
    /// Whether the IRQ is on the delayed-EOI list (`!list_empty(&info->eoi_list)`).
    pub on_eoi_list: bool,
    pub counters: DeviceCounters,
}

/// `event_loop_timeout` (module parameter `xen.event_loop_timeout`, default 2 jiffies): how
/// long one upcall loop may run before it defers the EOIs of its further events (patch 11).
pub const EVENT_LOOP_TIMEOUT: u64 = 2;
/// `event_eoi_delay` (module parameter, default 10 jiffies): how far a deferred EOI is put
/// off.
pub const EVENT_EOI_DELAY: u64 = 10;

/// `jiffies_to_msecs(event_loop_timeout)` in ns, as `ktime_add_ms` adds it.
pub fn event_loop_timeout_ns(hz: u32) -> u64 {
    let hz = u64::from(hz.max(1));
    (EVENT_LOOP_TIMEOUT * 1000).div_ceil(hz) * 1_000_000
}

/// `struct evtchn_loop_ctrl`: one per `xen_evtchn_do_upcall`, for patch 11's defer rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoopCtrl {
    /// When the loop stops handling EOIs at once (set at the 256th event), ns.
    pub timeout_ns: Option<u64>,
    /// Events handled in this loop so far.
    pub count: u32,
    /// Every further EOI of this loop is deferred.
    pub defer_eoi: bool,
}

/// The knobs of the late-EOI step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LateEoiSettings {
    pub hz: u32,
    /// The per-device `spurious_threshold` (0 reads as the default, 1, as in the kernel).
    pub spurious_threshold: u32,
    /// Patch 12 ("block rogue events for some time") applied. Off: the spurious flag only
    /// feeds the statistics, as before that patch.
    pub throttle: bool,
}

impl LateEoiSettings {
    /// The threshold the kernel really uses: `if (dev->spurious_threshold) threshold = …`.
    pub fn effective_threshold(&self) -> u32 {
        self.spurious_threshold.max(1)
    }

    /// Whether the throttle can never pause at these settings: `spurious_cnt` stops at
    /// [`spurious_cnt_cap`] (10 at HZ 250), so a threshold at or above it is never exceeded.
    pub fn never_throttles(&self) -> bool {
        self.effective_threshold() >= u32::from(spurious_cnt_cap(self.hz))
    }
}

/// Where `spurious_cnt` stops growing at `hz`: the first count with `1 << cnt >= HZ << 2`
/// (10 at HZ 250, 9 at HZ 100, 12 at HZ 1000).
pub fn spurious_cnt_cap(hz: u32) -> u8 {
    let mut cnt = 0;
    loop {
        let next = next_spurious_cnt(cnt, hz);
        if next == cnt {
            return cnt;
        }
        cnt = next;
    }
}

/// `if ((1 << spurious_cnt) < (HZ << 2)) spurious_cnt++;`
pub fn next_spurious_cnt(cnt: u8, hz: u32) -> u8 {
    if (1u64 << cnt) < (u64::from(hz) << 2) && cnt != 0xff {
        cnt + 1
    } else {
        cnt
    }
}

/// The throttle delay in jiffies for a (just incremented) `spurious_cnt`: none while
/// `cnt <= threshold`, then `1 << (cnt - 1 - threshold)`, at most `HZ`.
pub fn spurious_delay(cnt: u8, threshold: u32, hz: u32) -> u64 {
    let cnt = u32::from(cnt);
    if cnt <= threshold {
        return 0;
    }
    let shift = cnt - 1 - threshold;
    let delay = if shift >= 63 { u64::MAX } else { 1u64 << shift };
    delay.min(u64::from(hz))
}

/// What a spurious late EOI does to `spurious_cnt` under `set`: the new count and the
/// throttle delay in jiffies (0 = none). With the throttle off (patch 12 not applied) the
/// count stays as it is.
pub fn spurious_step(cnt: u8, set: LateEoiSettings) -> (u8, u64) {
    if !set.throttle {
        return (cnt, 0);
    }
    let cnt = next_spurious_cnt(cnt, set.hz);
    (cnt, spurious_delay(cnt, set.effective_threshold(), set.hz))
}

/// What a spurious late EOI for a port would do now (the lab's throttle preview).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextSpurious {
    /// The port is on the delayed-EOI list: a late EOI now changes nothing, and the
    /// worker's EOI at `eoi_time` is not spurious, so it resets `spurious_cnt` to 0.
    Queued { eoi_time: u64 },
    /// The throttle is off: counted, never delayed.
    Counted,
    /// `spurious_cnt` would become `cnt`, still within the threshold: no pause.
    NoPause { cnt: u8 },
    /// `spurious_cnt` would become `cnt`: a pause of `jiffies`.
    Pause { cnt: u8, jiffies: u64 },
}

/// What one late-EOI step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EoiOutcome {
    /// The IRQ was already on the delayed list: nothing changes.
    AlreadyQueued,
    /// EOI proper: `EOI_PENDING` removed; `retrigger` is the re-delivery of a notify that
    /// arrived while masked (`None` when nothing was pending or another reason still masks).
    Unmasked { retrigger: Option<SendOutcome> },
    /// Put on the delayed list, port kept masked: a throttle pause of `delay` jiffies
    /// (0 when deferred for the epoch rule only).
    Delayed { delay: u64, eoi_time: u64 },
}

/// The delayed-EOI list of the one dom0 CPU (`per_cpu(lateeoi)`), sorted by `eoi_time`.
#[derive(Clone, Debug, Default)]
pub struct LateEoiList {
    /// Ports, earliest `eoi_time` first. Few ports exist; capacity is reserved up front.
    pub ports: Vec<u32>,
    /// Jiffy at which the delayed work runs, if armed.
    pub work_due: Option<u64>,
}

/// Most IRQs one [`EventCore`] binds (a guest's netback binds one or two ports).
pub const MAX_IRQS: usize = 4;

/// The dom0 event core for the ports of one guest.
#[derive(Clone, Debug)]
pub struct EventCore {
    /// The bound IRQs, in the order given (the first `nirqs`). Held inline rather than in a
    /// `Vec`: a lookup is then a compare at a fixed place, and the compiler can keep what
    /// it read across the other fields' updates.
    irqs: [IrqInfo; MAX_IRQS],
    nirqs: usize,
    pub list: LateEoiList,
    /// `per_cpu(irq_epoch)`: incremented once per `xen_evtchn_do_upcall`, after its loop.
    /// It decides something only for an EOI deferred by patch 11 ([`LoopCtrl`]): a late EOI
    /// called in the same epoch goes through the delayed list, a later one unmasks at once.
    pub irq_epoch: u64,
}

impl EventCore {
    /// # Panics
    /// With more than [`MAX_IRQS`] ports.
    pub fn new(ports: &[u32]) -> Self {
        assert!(ports.len() <= MAX_IRQS, "at most {MAX_IRQS} ports");
        // Unused slots hold a port number no ABI has (the model's ports are below 2^17),
        // so the lookup's first compare needs no length check.
        let mut irqs = [IrqInfo {
            evtchn: u32::MAX,
            ..IrqInfo::default()
        }; MAX_IRQS];
        for (irq, &p) in irqs.iter_mut().zip(ports) {
            irq.evtchn = p;
        }
        EventCore {
            irqs,
            nirqs: ports.len(),
            list: LateEoiList {
                ports: Vec::with_capacity(ports.len()),
                work_due: None,
            },
            irq_epoch: 0,
        }
    }

    /// The bound IRQs, in port order.
    pub fn irqs(&self) -> &[IrqInfo] {
        &self.irqs[..self.nirqs]
    }

    #[inline(always)]
    pub fn irq(&self, port: u32) -> &IrqInfo {
        &self.irqs[self.index(port)]
    }

    #[inline(always)]
    fn irq_mut(&mut self, port: u32) -> &mut IrqInfo {
        let i = self.index(port);
        &mut self.irqs[i]
    }

    /// Where `port`'s IRQ is in `irqs` (a guest has one or two: the first is checked
    /// first).
    #[inline(always)]
    fn index(&self, port: u32) -> usize {
        if self.irqs[0].evtchn == port {
            0
        } else {
            self.find(port)
        }
    }

    #[inline(never)]
    fn find(&self, port: u32) -> usize {
        self.irqs()
            .iter()
            .position(|i| i.evtchn == port)
            .expect("port is bound")
    }

    /// `do_mask`: mask the port for `reason` (the port bit is set on the first reason).
    #[inline(always)]
    pub fn do_mask(&mut self, sh: &mut impl EventChannelAbi, port: u32, reason: u8) {
        let info = self.irq_mut(port);
        if info.mask_reason == 0 {
            sh.mask(port);
        }
        info.mask_reason |= reason;
    }

    /// `do_unmask`: drop `reason`; unmask the port when no reason is left.
    #[inline(always)]
    pub fn do_unmask(
        &mut self,
        sh: &mut impl EventChannelAbi,
        port: u32,
        reason: u8,
    ) -> Option<SendOutcome> {
        let info = self.irq_mut(port);
        info.mask_reason &= !reason;
        if info.mask_reason == 0 {
            sh.unmask(port)
        } else {
            None
        }
    }

    /// `handle_irq_for_port(port, ctrl)` at `loop_ns`, the loop's own clock (`ktime_get()`),
    /// and jiffy `jiffies`: count the event and apply patch 11's defer-EOI rule. Every 256
    /// events of one upcall loop the clock is read; the first reading sets the loop's
    /// timeout to `event_loop_timeout` later, a later reading past it makes the loop defer
    /// the EOI of every further event: `eoi_cpu`, `irq_epoch` (the current one) and
    /// `eoi_time = jiffies + event_eoi_delay`, so that event's late EOI, if called in the
    /// same epoch, waits on the delayed list. Returns whether this event's EOI is deferred.
    #[inline(always)]
    pub fn handle_irq_for_port(
        &mut self,
        port: u32,
        ctrl: &mut LoopCtrl,
        loop_ns: u64,
        jiffies: u64,
        hz: u32,
    ) -> bool {
        if !ctrl.defer_eoi {
            ctrl.count = ctrl.count.wrapping_add(1);
            if ctrl.count & 0xff == 0 {
                match ctrl.timeout_ns {
                    None => ctrl.timeout_ns = Some(loop_ns + event_loop_timeout_ns(hz)),
                    Some(t) if loop_ns > t => ctrl.defer_eoi = true,
                    Some(_) => {}
                }
            }
        }
        let epoch = self.irq_epoch;
        let info = self.irq_mut(port);
        info.counters.events += 1;
        if ctrl.defer_eoi {
            info.eoi_cpu = 0;
            info.irq_epoch = epoch;
            info.eoi_time = jiffies + EVENT_EOI_DELAY;
        }
        ctrl.defer_eoi
    }

    /// `lateeoi_ack_dynirq`: mask with reason `EOI_PENDING`, then clear the pending bit.
    #[inline(always)]
    pub fn lateeoi_ack(&mut self, sh: &mut impl EventChannelAbi, port: u32) {
        self.do_mask(sh, port, mask_reason::EOI_PENDING);
        sh.clear_pending(port);
    }

    /// `xen_irq_lateeoi_locked(info, spurious)` at jiffy `now`.
    #[inline(always)]
    pub fn lateeoi_locked(
        &mut self,
        sh: &mut impl EventChannelAbi,
        port: u32,
        spurious: bool,
        now: u64,
        set: LateEoiSettings,
    ) -> EoiOutcome {
        let epoch = self.irq_epoch;
        let info = self.irq_mut(port);
        if info.on_eoi_list {
            return EoiOutcome::AlreadyQueued;
        }
        let mut delay = 0;
        if spurious {
            (info.spurious_cnt, delay) = spurious_step(info.spurious_cnt, set);
            if delay > 0 {
                info.eoi_time = now + delay;
                info.counters.jiffies_eoi_delayed += delay;
            }
            info.counters.spurious_events += 1;
        } else {
            info.spurious_cnt = 0;
        }
        if info.eoi_time != 0 && (info.irq_epoch == epoch || delay > 0) {
            let eoi_time = info.eoi_time;
            self.lateeoi_list_add(port, now);
            return EoiOutcome::Delayed { delay, eoi_time };
        }
        info.eoi_time = 0;
        let retrigger = self.do_unmask(sh, port, mask_reason::EOI_PENDING);
        EoiOutcome::Unmasked { retrigger }
    }

    /// What a spurious late EOI for `port` would do now, without doing it: the same rules as
    /// [`EventCore::lateeoi_locked`].
    pub fn next_spurious(&self, port: u32, set: LateEoiSettings) -> NextSpurious {
        let info = self.irq(port);
        if info.on_eoi_list {
            return NextSpurious::Queued {
                eoi_time: info.eoi_time,
            };
        }
        if !set.throttle {
            return NextSpurious::Counted;
        }
        match spurious_step(info.spurious_cnt, set) {
            (cnt, 0) => NextSpurious::NoPause { cnt },
            (cnt, jiffies) => NextSpurious::Pause { cnt, jiffies },
        }
    }

    /// `lateeoi_list_add`: insert sorted by `eoi_time`; arm the delayed work only when the
    /// list was empty (as the kernel does).
    fn lateeoi_list_add(&mut self, port: u32, now: u64) {
        let info = self.irq_mut(port);
        info.on_eoi_list = true;
        let eoi_time = info.eoi_time;
        let delay = if now < eoi_time { eoi_time - now } else { 1 };
        if self.list.ports.is_empty() {
            self.list.ports.push(port);
            self.list.work_due = Some(now + delay);
            return;
        }
        // list_for_each_entry_reverse: after the last element with eoi_time <= ours.
        let mut at = 0;
        for (i, &p) in self.list.ports.iter().enumerate().rev() {
            if self.irq(p).eoi_time <= eoi_time {
                at = i + 1;
                break;
            }
        }
        self.list.ports.insert(at, port);
    }

    /// One pass of `xen_irq_lateeoi_worker` at jiffy `now`: take the first due port off the
    /// list (the caller then EOIs it as not spurious with [`EventCore::lateeoi_locked`]), or
    /// re-arm the work for the first one not yet due. `None` ends the pass.
    pub fn worker_take_due(&mut self, now: u64) -> Option<u32> {
        let &head = self.list.ports.first()?;
        let eoi_time = self.irq(head).eoi_time;
        if now < eoi_time {
            self.list.work_due = Some(eoi_time);
            return None;
        }
        self.list.ports.remove(0);
        let info = self.irq_mut(head);
        info.on_eoi_list = false;
        info.eoi_time = 0;
        Some(head)
    }

    /// Whether the delayed work is due at jiffy `now` (the timer fired); disarms it.
    pub fn work_fires(&mut self, now: u64) -> bool {
        match self.list.work_due {
            Some(due) if due <= now => {
                self.list.work_due = None;
                true
            }
            _ => false,
        }
    }

    /// Called once `xen_evtchn_do_upcall` has left its loop (`__this_cpu_inc(irq_epoch)`):
    /// once per upcall, however many times the loop went round.
    pub fn end_upcall_loop(&mut self) {
        self.irq_epoch += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HZ: u32 = 250;

    fn settings(threshold: u32) -> LateEoiSettings {
        LateEoiSettings {
            hz: HZ,
            spurious_threshold: threshold,
            throttle: true,
        }
    }

    #[test]
    fn delay_law() {
        // threshold 1: none for cnt 0..=1, then 1, 2, 4 … jiffies, capped at HZ
        assert_eq!(spurious_delay(1, 1, HZ), 0);
        assert_eq!(spurious_delay(2, 1, HZ), 1);
        assert_eq!(spurious_delay(3, 1, HZ), 2);
        assert_eq!(spurious_delay(6, 1, HZ), 16);
        assert_eq!(spurious_delay(10, 1, HZ), 256u64.min(HZ as u64));
        assert_eq!(spurious_delay(10, 1, HZ), 250);
        // threshold 3
        assert_eq!(spurious_delay(3, 3, HZ), 0);
        assert_eq!(spurious_delay(4, 3, HZ), 1);
        assert_eq!(spurious_delay(5, 3, HZ), 2);
        // HZ 1000 caps at 1000
        assert_eq!(spurious_delay(11, 1, 1000), 512);
        assert_eq!(spurious_delay(12, 1, 1000), 1000);
    }

    #[test]
    fn the_cap_decides_which_thresholds_can_throttle() {
        assert_eq!(spurious_cnt_cap(250), 10);
        assert_eq!(spurious_cnt_cap(100), 9);
        assert_eq!(spurious_cnt_cap(1000), 12);
        for (threshold, never) in [(0, false), (1, false), (9, false), (10, true), (64, true)] {
            let set = settings(threshold);
            assert_eq!(set.never_throttles(), never, "threshold {threshold}");
            // Drive spurious EOIs that skip the worker: no delay ever, exactly when the cap
            // says so.
            let mut cnt = 0;
            let mut delayed = false;
            for _ in 0..100 {
                let (c, d) = spurious_step(cnt, set);
                cnt = c;
                delayed |= d > 0;
            }
            assert_eq!(delayed, !never, "threshold {threshold}");
        }
    }

    /// `spurious_threshold` 0 is accepted by sysfs and acts as the default, 1.
    #[test]
    fn threshold_zero_acts_as_one() {
        let (mut a, mut sa) = core();
        let (mut b, mut sb) = core();
        for _ in 0..6 {
            deliver(&mut a, &mut sa);
            deliver(&mut b, &mut sb);
            let oa = a.lateeoi_locked(&mut sa, 5, true, 10, settings(0));
            let ob = b.lateeoi_locked(&mut sb, 5, true, 10, settings(1));
            assert_eq!(oa, ob);
        }
    }

    #[test]
    fn spurious_cnt_stops_growing_at_4hz() {
        let mut c = 0;
        for _ in 0..100 {
            c = next_spurious_cnt(c, HZ);
        }
        // (1 << 10) = 1024 >= 1000 = HZ << 2
        assert_eq!(c, 10);
        let mut c = 0;
        for _ in 0..100 {
            c = next_spurious_cnt(c, 100);
        }
        assert_eq!(c, 9); // 512 >= 400
    }

    use crate::sim::abi::TwoLevel;

    fn core() -> (EventCore, TwoLevel) {
        (EventCore::new(&[5]), TwoLevel::default())
    }

    fn deliver(c: &mut EventCore, sh: &mut TwoLevel) {
        c.handle_irq_for_port(5, &mut LoopCtrl::default(), 0, 0, HZ);
        c.lateeoi_ack(sh, 5);
        c.end_upcall_loop();
    }

    #[test]
    fn always_spurious_alternates_eoi_at_once_and_one_jiffy_pause() {
        for threshold in 1..=4u32 {
            let (mut c, mut sh) = core();
            let mut now = 100;
            for _round in 0..5 {
                // `threshold` events are EOI'd at once…
                for _ in 0..threshold {
                    deliver(&mut c, &mut sh);
                    let o = c.lateeoi_locked(&mut sh, 5, true, now, settings(threshold));
                    assert!(matches!(o, EoiOutcome::Unmasked { .. }), "{o:?}");
                    assert!(!sh.is_masked(5));
                }
                // …then one 1-jiffy pause
                deliver(&mut c, &mut sh);
                let o = c.lateeoi_locked(&mut sh, 5, true, now, settings(threshold));
                assert_eq!(
                    o,
                    EoiOutcome::Delayed {
                        delay: 1,
                        eoi_time: now + 1
                    }
                );
                assert!(sh.is_masked(5), "paused: still masked");
                assert!(!c.work_fires(now));
                now += 1;
                assert!(c.work_fires(now));
                let port = c.worker_take_due(now).unwrap();
                assert_eq!(c.irq(5).spurious_cnt, threshold as u8 + 1);
                let o = c.lateeoi_locked(&mut sh, port, false, now, settings(threshold));
                assert!(matches!(o, EoiOutcome::Unmasked { .. }));
                assert_eq!(c.irq(5).spurious_cnt, 0, "worker EOI resets the counter");
                assert!(!sh.is_masked(5));
            }
        }
    }

    #[test]
    fn spurious_eois_that_skip_the_worker_climb_to_long_pauses() {
        let (mut c, mut sh) = core();
        let mut delays = vec![];
        for _ in 0..12 {
            deliver(&mut c, &mut sh);
            if let EoiOutcome::Delayed { delay, .. } =
                c.lateeoi_locked(&mut sh, 5, true, 1000, settings(1))
            {
                delays.push(delay);
                // take it off the list without the worker's reset, as a direct spurious EOI would
                c.worker_take_due(u64::MAX);
                c.irq_mut(5).mask_reason = 0;
                sh.unmask(5);
            }
        }
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 32, 64, 128, 250, 250, 250]);
        assert_eq!(c.irq(5).counters.spurious_events, 12);
        assert_eq!(
            c.irq(5).counters.jiffies_eoi_delayed,
            delays.iter().sum::<u64>()
        );
    }

    #[test]
    fn lateeoi_on_a_queued_port_changes_nothing() {
        let (mut c, mut sh) = core();
        for _ in 0..2 {
            deliver(&mut c, &mut sh);
            c.lateeoi_locked(&mut sh, 5, true, 10, settings(1));
        }
        assert!(c.irq(5).on_eoi_list);
        let before = *c.irq(5);
        let shared_before = sh.clone();
        for spurious in [true, false] {
            assert_eq!(
                c.lateeoi_locked(&mut sh, 5, spurious, 10, settings(1)),
                EoiOutcome::AlreadyQueued
            );
        }
        assert_eq!(*c.irq(5), before);
        assert_eq!(sh, shared_before);
    }

    /// The preview says what the next spurious EOI really does, in every state, and on
    /// the delayed list it says "nothing": the lesson-6 misconception.
    #[test]
    fn preview_matches_what_the_next_spurious_eoi_does() {
        for threshold in [1u32, 2] {
            let (mut c, mut sh) = core();
            let set = settings(threshold);
            for _ in 0..6 {
                let before = c.next_spurious(5, set);
                deliver(&mut c, &mut sh);
                let out = c.lateeoi_locked(&mut sh, 5, true, 10, set);
                let cnt = c.irq(5).spurious_cnt;
                match (before, out) {
                    (NextSpurious::NoPause { cnt: n }, EoiOutcome::Unmasked { .. }) => {
                        assert_eq!(n, cnt)
                    }
                    (
                        NextSpurious::Pause { cnt: n, jiffies },
                        EoiOutcome::Delayed { delay, .. },
                    ) => {
                        assert_eq!((n, jiffies), (cnt, delay))
                    }
                    (NextSpurious::Queued { .. }, EoiOutcome::AlreadyQueued) => {}
                    other => panic!("threshold {threshold}: preview and outcome differ: {other:?}"),
                }
            }
            // Queued: the preview says nothing happens; the worker then resets the count.
            assert!(matches!(
                c.next_spurious(5, set),
                NextSpurious::Queued { eoi_time: 11 }
            ));
        }
        let (c, _) = core();
        let off = LateEoiSettings {
            throttle: false,
            ..settings(1)
        };
        assert_eq!(c.next_spurious(5, off), NextSpurious::Counted);
    }

    /// Patch 11: one upcall loop that runs past `event_loop_timeout` (2 jiffies = 8 ms at
    /// HZ 250; the clock is read every 256 events, the first reading starts the timeout)
    /// defers the EOI of every further event by `event_eoi_delay` (10 jiffies): a late EOI
    /// in the same epoch, even a spurious one below the threshold, goes through the delayed
    /// list; one called after the loop (a later epoch, as NAPI's) unmasks at once.
    #[test]
    fn a_loop_past_event_loop_timeout_defers_further_eois() {
        let (mut c, mut sh) = core();
        let mut ctrl = LoopCtrl::default();
        let jiffies = 100;
        // 20 µs per event: readings at events 256 (5.12 ms: timeout 13.12 ms), 512
        // (10.24 ms: not yet) and 768 (15.36 ms: past it).
        let deferred: Vec<bool> = (1..=800u64)
            .map(|n| c.handle_irq_for_port(5, &mut ctrl, n * 20_000, jiffies, HZ))
            .collect();
        assert_eq!(ctrl.timeout_ns, Some(5_120_000 + 8_000_000));
        assert_eq!(
            deferred.iter().position(|&d| d),
            Some(767),
            "from the 768th event on"
        );
        assert!(deferred[767..].iter().all(|&d| d));
        assert_eq!(c.irq(5).counters.events, 800);
        assert_eq!(c.irq(5).eoi_time, jiffies + EVENT_EOI_DELAY);
        // The handler's spurious EOI in this loop: on the delayed list, no throttle delay.
        c.lateeoi_ack(&mut sh, 5);
        let out = c.lateeoi_locked(&mut sh, 5, true, jiffies, settings(1));
        assert_eq!(
            out,
            EoiOutcome::Delayed {
                delay: 0,
                eoi_time: jiffies + EVENT_EOI_DELAY
            }
        );
        assert!(sh.is_masked(5), "held masked until the worker");
        assert_eq!(c.list.work_due, Some(jiffies + EVENT_EOI_DELAY));
        // The same defer in one loop, EOI'd after the loop ended: unmasked at once.
        let (mut c, mut sh) = core();
        let mut ctrl = LoopCtrl {
            defer_eoi: true,
            ..LoopCtrl::default()
        };
        assert!(c.handle_irq_for_port(5, &mut ctrl, 0, jiffies, HZ));
        c.lateeoi_ack(&mut sh, 5);
        c.end_upcall_loop();
        let out = c.lateeoi_locked(&mut sh, 5, false, jiffies, settings(1));
        assert!(matches!(out, EoiOutcome::Unmasked { .. }), "{out:?}");
        assert_eq!(c.irq(5).eoi_time, 0);
    }

    /// A short loop (the model's every loop) never reads the clock, whatever it costs.
    #[test]
    fn fewer_than_256_events_never_defer() {
        let (mut c, _) = core();
        let mut ctrl = LoopCtrl::default();
        for n in 0..255u64 {
            assert!(!c.handle_irq_for_port(5, &mut ctrl, n * 1_000_000_000, 0, HZ));
        }
        assert_eq!(ctrl.timeout_ns, None);
        assert_eq!(event_loop_timeout_ns(250), 8_000_000);
        assert_eq!(
            event_loop_timeout_ns(300),
            7_000_000,
            "jiffies_to_msecs rounds up"
        );
    }

    #[test]
    fn non_spurious_resets_and_unmasks() {
        let (mut c, mut sh) = core();
        deliver(&mut c, &mut sh);
        c.lateeoi_locked(&mut sh, 5, true, 10, settings(1));
        deliver(&mut c, &mut sh);
        assert_eq!(c.irq(5).spurious_cnt, 1);
        assert!(sh.is_masked(5));
        c.lateeoi_locked(&mut sh, 5, false, 10, settings(1));
        assert_eq!(c.irq(5).spurious_cnt, 0);
        assert!(!sh.is_masked(5));
    }

    #[test]
    fn throttle_off_counts_but_never_delays() {
        let (mut c, mut sh) = core();
        let set = LateEoiSettings {
            throttle: false,
            ..settings(1)
        };
        for _ in 0..20 {
            deliver(&mut c, &mut sh);
            assert!(matches!(
                c.lateeoi_locked(&mut sh, 5, true, 10, set),
                EoiOutcome::Unmasked { .. }
            ));
        }
        assert_eq!(c.irq(5).counters.spurious_events, 20);
        assert_eq!(c.irq(5).counters.jiffies_eoi_delayed, 0);
    }

    #[test]
    fn notify_while_paused_is_redelivered_at_unmask() {
        let (mut c, mut sh) = core();
        for _ in 0..2 {
            deliver(&mut c, &mut sh);
            c.lateeoi_locked(&mut sh, 5, true, 10, settings(1));
        }
        assert_eq!(sh.set_pending(5), SendOutcome::Masked);
        assert!(c.work_fires(11));
        let p = c.worker_take_due(11).unwrap();
        assert_eq!(
            c.lateeoi_locked(&mut sh, p, false, 11, settings(1)),
            EoiOutcome::Unmasked {
                retrigger: Some(SendOutcome::Upcall)
            }
        );
    }

    #[test]
    fn list_is_sorted_and_work_armed_once() {
        let mut c = EventCore::new(&[5, 6, 7]);
        let mut sh = TwoLevel::default();
        c.irq_mut(5).eoi_time = 20;
        c.irq_mut(6).eoi_time = 12;
        c.irq_mut(7).eoi_time = 15;
        for p in [5, 6, 7] {
            c.lateeoi_ack(&mut sh, p);
            c.lateeoi_list_add(p, 10);
        }
        // the head was 5 (eoi_time 20) when the work was armed; later ones go before it
        assert_eq!(c.list.ports, vec![6, 7, 5]);
        assert_eq!(c.list.work_due, Some(20));
        assert_eq!(c.worker_take_due(20), Some(6));
        assert_eq!(c.worker_take_due(20), Some(7));
        assert_eq!(c.worker_take_due(20), Some(5));
        assert_eq!(c.worker_take_due(20), None);
    }
}
