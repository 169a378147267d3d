//! Whole-system tests of the mechanisms, read off the trace.

use super::*;
use crate::sim::PortAction;

fn sim(cfg: Config, ns: u64) -> Sim {
    let mut s = Sim::with_trace_capacity(cfg, 1 << 18);
    s.run_until(ns);
    s
}

/// Every throttle pause of `d` jiffies holds the port: nothing is delivered on it until the
/// worker's EOI, which runs on the tick `d` jiffies after the jiffy the pause began in (or
/// as soon as vCPU 0 is free after it), so a pause that starts mid-jiffy is shorter than
/// `d` full jiffies. Notifies in between are held, not delivered.
#[test]
fn pauses_last_until_the_tick_boundary() {
    for hz in [100, 250, 1000] {
        let cfg = Config {
            hz,
            ..Config::default()
        };
        let s = sim(cfg, 200_000_000);
        let jiffy = cfg.jiffy_ns();
        let evs: Vec<&TraceEvent> = s.trace().since(0).collect();
        let mut checked = 0;
        let mut held = 0;
        for (i, e) in evs.iter().enumerate() {
            let TraceKind::LateEoi {
                port,
                result: EoiResult::Paused { jiffies, .. },
                ..
            } = e.kind
            else {
                continue;
            };
            let Some(end) = evs[i + 1..].iter().position(|w| {
                matches!(w.kind, TraceKind::LateEoi { port: p, source: EoiSource::Worker, .. } if p == port)
            }) else {
                continue; // still paused at the end of the run
            };
            let during = &evs[i + 1..i + 1 + end];
            let w = evs[i + 1 + end];
            assert!(
                w.jiffies >= e.jiffies + jiffies,
                "HZ {hz}: a {jiffies}-jiffy pause from j{} ended at j{}",
                e.jiffies,
                w.jiffies
            );
            assert!(
                w.t_ns >= (e.jiffies + jiffies) * jiffy,
                "HZ {hz}: the worker ran before the tick boundary"
            );
            // It runs on that tick, or as soon as vCPU 0 finishes its current work.
            assert!(
                w.t_ns - e.t_ns <= jiffies * jiffy + 100_000,
                "HZ {hz}: pause too long"
            );
            for d in during {
                match d.kind {
                    TraceKind::Deliver { port: p, .. } => {
                        assert_ne!(p, port, "HZ {hz}: delivered during a pause")
                    }
                    TraceKind::Notify {
                        port: p, outcome, ..
                    } if p == port => {
                        assert!(
                            matches!(outcome, SendOutcome::Masked | SendOutcome::Coalesced),
                            "HZ {hz}: a notify during a pause: {outcome:?}"
                        );
                        held += 1;
                    }
                    _ => {}
                }
            }
            checked += 1;
        }
        assert!(checked > 10, "HZ {hz}: only {checked} pauses checked");
        assert!(
            held > 10,
            "HZ {hz}: only {held} notifies held during pauses"
        );
    }
}

/// With threshold T, an always-spurious port gets T EOIs at once, then one 1-jiffy pause:
/// at most T + 1 deliveries per jiffy.
#[test]
fn rogue_delivery_per_jiffy_follows_the_threshold() {
    for threshold in [1u32, 2, 3, 5] {
        let cfg = Config {
            guest: GuestKind::Rogue,
            spurious_threshold: threshold,
            ..Config::default()
        };
        let s = sim(cfg, 400_000_000);
        let c = s.counters();
        let per_jiffy = c.events_delivered as f64 / s.jiffies() as f64;
        assert!(
            per_jiffy <= f64::from(threshold + 1) + 0.01
                && per_jiffy >= f64::from(threshold + 1) - 0.1,
            "threshold {threshold}: {per_jiffy} per jiffy"
        );
        // every pause is 1 jiffy: the worker resets spurious_cnt each time
        assert_eq!(c.jiffies_eoi_delayed, c.throttle_pauses);
        assert!(s.ports().all(|p| p.spurious_cnt <= threshold as u8 + 1));
    }
}

/// Without late EOI (before XSA-332) nothing is masked or throttled, and a rogue guest
/// keeps dom0 busy.
#[test]
fn without_lateeoi_nothing_is_masked_and_rogue_costs_dom0() {
    let s = sim(
        Config {
            lateeoi: false,
            ..Config::default()
        },
        200_000_000,
    );
    let c = s.counters();
    assert_eq!(
        (
            c.masked_ns,
            c.spurious_events,
            c.throttle_pauses,
            c.lateeoi_calls
        ),
        (0, 0, 0, 0)
    );
    assert!(c.events_delivered > 100);
    let rogue = sim(
        Config {
            guest: GuestKind::Rogue,
            lateeoi: false,
            ..Config::default()
        },
        100_000_000,
    );
    assert!(
        rogue.report().dom0_cpu_pct > 50.0,
        "{}",
        rogue.report().dom0_cpu_pct
    );
}

/// The buggy common handler EOIs at once and clears COMMON_EOI, so NAPI's completion sends
/// no EOI: in a FreeBSD TX run almost every late EOI comes from the handler.
#[test]
fn buggy_handler_steals_the_good_eoi() {
    let s = sim(Config::default(), 400_000_000);
    let mut by_source = [0u32; 4];
    for e in s.trace().since(0) {
        if let TraceKind::LateEoi { source, .. } = e.kind {
            by_source[source as usize] += 1;
        }
    }
    let [handler, napi, kthread, worker] = by_source;
    assert!(
        handler > 150 && napi + kthread <= handler / 50,
        "{by_source:?}"
    );
    assert!(worker > 0);
    let fixed = sim(
        Config {
            netback: NetbackVariant::Fixed,
            ..Config::default()
        },
        100_000_000,
    );
    let napi_eois = fixed
        .trace()
        .since(0)
        .filter(|e| {
            matches!(
                e.kind,
                TraceKind::LateEoi {
                    source: EoiSource::Napi,
                    spurious: false,
                    ..
                }
            )
        })
        .count();
    assert!(
        napi_eois > 100,
        "fixed: NAPI sends the normal EOI ({napi_eois})"
    );
}

/// Flipping OR → AND mid-run restores goodput within a few hundred milliseconds.
#[test]
fn flipping_the_operator_restores_goodput() {
    let mut s = Sim::new(Config {
        params: ModelParams {
            sample_interval_ns: 50_000_000,
            ..ModelParams::default()
        },
        ..Config::default()
    });
    s.run_until(1_000_000_000);
    let before = s.samples().last().unwrap().goodput_mbps;
    s.set_knob(KnobChange::Netback(NetbackVariant::Fixed));
    assert!(matches!(
        s.trace().last(1).next().unwrap().kind,
        TraceKind::Knob { .. }
    ));
    s.run_until(1_300_000_000);
    let after = s.samples().last().unwrap().goodput_mbps;
    assert!(
        after > 3.0 * before,
        "before {before:.0}, after {after:.0} Mbit/s"
    );
}

/// Turning late EOI off while a port is paused unmasks it and empties the delayed list.
#[test]
fn disabling_lateeoi_mid_pause_unmasks() {
    let mut s = Sim::new(Config::default());
    // run until a pause is in progress
    while !s.ports().any(|p| p.on_eoi_list) {
        s.step();
        assert!(s.now_ns() < 100_000_000, "no pause in 100 ms");
    }
    s.set_knob(KnobChange::LateEoi(false));
    assert!(
        s.ports()
            .all(|p| !p.masked && !p.on_eoi_list && p.mask_reason == 0)
    );
    assert_eq!(s.eoi_pending(), 0);
    s.run_for(50_000_000);
    assert!(s.ports().all(|p| !p.masked));
}

#[test]
fn ports_follow_the_guest_kind() {
    let roles = |g| {
        Sim::new(Config {
            guest: g,
            ..Config::default()
        })
        .ports()
        .map(|p| (p.port, p.role))
        .collect::<Vec<_>>()
    };
    assert_eq!(roles(GuestKind::Freebsd), vec![(5, PortRole::Common)]);
    assert_eq!(
        roles(GuestKind::Linux),
        vec![(5, PortRole::Tx), (6, PortRole::Rx)]
    );
    assert_eq!(roles(GuestKind::Rogue), vec![(5, PortRole::Common)]);
}

#[test]
fn step_transition_stops_at_the_next_traced_transition() {
    let mut s = Sim::new(Config::default());
    s.run_until(10_000_000);
    let before = s.trace().next_seq();
    assert!(s.step_transition(100_000));
    assert!(s.trace().next_seq() > before);
}

/// Looking for the next transition for `.` stops at the time bound: an idle guest makes
/// none, so it runs the events up to the bound, the one due exactly at it included, and
/// no further.
#[test]
fn step_transition_frames_stops_at_its_time_bound() {
    let mut s = Sim::new(Config {
        guest: GuestKind::Idle,
        ..Config::default()
    });
    let jiffy = s.config().jiffy_ns();
    assert!(s.step_transition_frames(1_000_000, 2 * jiffy).is_none());
    assert_eq!(
        s.now_ns(),
        2 * jiffy,
        "the tick due at the bound ran, none later"
    );
    // A notify by hand: the next transitions are the upcall's, one copy for each but the last.
    s.port_action(PortAction::Notify);
    let frames = s
        .step_transition_frames(1_000_000, 2 * jiffy)
        .expect("the upcall");
    let seqs: Vec<u64> = frames.iter().map(|f| f.trace().next_seq()).collect();
    let last = s.trace().next_seq();
    assert!(seqs.len() >= 2, "{seqs:?}");
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    assert_eq!(seqs.last().map(|n| n + 1), Some(last));
}

/// A clone is a branch: it continues exactly as the original would.
#[test]
fn a_clone_continues_like_the_original() {
    let mut a = Sim::new(Config::default());
    a.run_until(50_000_000);
    let mut b = a.clone();
    a.run_until(120_000_000);
    b.run_until(120_000_000);
    assert_eq!(a.report(), b.report());
    b.set_knob(KnobChange::Netback(NetbackVariant::Fixed));
    a.run_until(400_000_000);
    b.run_until(400_000_000);
    assert!(b.report().goodput_mbps > a.report().goodput_mbps);
}

/// The report is the figure API over the whole run: the same numbers, by name.
#[test]
fn report_and_figures_agree() {
    let s = sim(Config::default(), 1_500_000_000);
    let json = serde_json::to_value(s.report()).unwrap();
    let w = s.whole_run();
    let mark = Reading::default();
    for &f in Figure::ALL {
        let Some(v) = json.get(f.name()).and_then(|v| v.as_f64()) else {
            continue; // not in the report: events_per_jiffy and the lesson figures
        };
        assert_eq!(s.figure(f, &w, &mark), v, "{f}");
    }
    // And the other way round: every number of the report is a figure a goal can use.
    for (key, v) in json.as_object().unwrap() {
        if v.is_number() {
            assert!(
                key.parse::<Figure>().is_ok(),
                "report field {key} is not a Figure"
            );
        }
    }
    // 2 events per jiffy in the story (one at once, then a 1-jiffy pause).
    let epj = s.figure(Figure::EventsPerJiffy, &w, &mark);
    assert!((1.9..=2.1).contains(&epj), "{epj}");
}

/// A window over the last second sees only that second: after OR → AND at 1 s, the last
/// second's goodput is the fixed rate while the whole run's is in between.
#[test]
fn last_second_sees_only_the_last_second() {
    let mut s = Sim::new(Config::default());
    s.run_until(2_000_000_000);
    let buggy = s.last(1_000_000_000);
    assert_eq!(buggy.ns(), 1_000_000_000);
    let g_buggy = buggy.figure(Figure::GoodputMbps, 1).unwrap();
    s.set_knob(KnobChange::Netback(NetbackVariant::Fixed));
    s.run_until(4_005_000_000);
    let w = s.last(1_000_000_000);
    // At least the second asked for, to the 10 ms grid.
    assert!(
        (1_000_000_000..=1_010_000_000).contains(&w.ns()),
        "{}",
        w.ns()
    );
    let g_fixed = w.figure(Figure::GoodputMbps, 1).unwrap();
    let g_whole = s.whole_run().figure(Figure::GoodputMbps, 1).unwrap();
    assert!(g_fixed > 3.0 * g_buggy, "{g_buggy:.0} → {g_fixed:.0}");
    assert!(g_buggy < g_whole && g_whole < g_fixed, "{g_whole:.0}");
    assert_eq!(w.figure(Figure::SpuriousRatio, 1), Some(0.0));
}

fn idle() -> Sim {
    Sim::new(Config {
        guest: GuestKind::Idle,
        ..Config::default()
    })
}

fn state(s: &Sim, f: Figure) -> f64 {
    let w = s.last(0);
    s.figure(f, &w, &w.from)
}

/// The idle guest does nothing by itself: no notify, no event, for a whole second.
#[test]
fn the_idle_guest_is_quiet_until_notified() {
    let mut s = idle();
    s.run_until(1_000_000_000);
    let c = s.counters();
    assert_eq!(
        (c.events_sent, c.events_delivered, c.packets_offered),
        (0, 0, 0)
    );
    assert_eq!(s.ports().count(), 1);
}

/// Notify by hand: pending, selector and upcall bits set at once; the upcall handles it
/// (no work: spurious), and with threshold 1 the first spurious EOI unmasks at once.
#[test]
fn a_notify_by_hand_is_delivered_and_flagged_spurious() {
    let mut s = idle();
    s.run_until(10_000_000);
    let mark = s.reading();
    s.port_action(PortAction::Notify);
    let p = s.ports().next().unwrap();
    assert!(p.pending && p.selected && !p.masked);
    assert!(s.shared_info().vcpu.evtchn_upcall_pending);
    assert_eq!(state(&s, Figure::PortPending), 1.0);
    s.run_for(1_000_000);
    let p = s.ports().next().unwrap();
    assert!(!p.pending && !p.masked && !p.selected);
    assert_eq!(p.spurious_cnt, 1);
    let w = s.since(mark);
    assert_eq!(s.figure(Figure::EventsSinceStep, &w, &mark), 1.0);
    assert_eq!(s.figure(Figure::NotifiesSinceStep, &w, &mark), 1.0);
    assert_eq!(w.delta().spurious_events, 1);
}

/// Masked: notifies are held (the first sets pending, the rest coalesce) and nothing is
/// delivered; unmasking delivers exactly one event.
#[test]
fn masked_notifies_wait_and_coalesce_into_one_event() {
    let mut s = Sim::new(Config {
        guest: GuestKind::Idle,
        lateeoi: false,
        ..Config::default()
    });
    let mark = s.reading();
    s.port_action(PortAction::Mask);
    for _ in 0..3 {
        s.port_action(PortAction::Notify);
    }
    s.run_for(5_000_000);
    let c = s.counters();
    assert_eq!(
        (c.events_sent, c.events_held_masked, c.events_coalesced),
        (3, 1, 2)
    );
    assert_eq!(c.events_delivered, 0);
    assert_eq!(state(&s, Figure::PortPending), 1.0);
    assert_eq!(state(&s, Figure::PortMasked), 1.0);
    s.port_action(PortAction::Unmask);
    s.run_for(5_000_000);
    let w = s.since(mark);
    assert_eq!(s.figure(Figure::EventsSinceStep, &w, &mark), 1.0);
    assert_eq!(state(&s, Figure::PortPending), 0.0);
    assert!(matches!(
        s.trace()
            .since(0)
            .find(|e| matches!(e.kind, TraceKind::Unmask { .. }))
            .unwrap()
            .kind,
        TraceKind::Unmask {
            redelivered: true,
            ..
        }
    ));
}

/// Dropping the explicit mask does not unmask a port that waits for its EOI: the reasons
/// are separate (`EXPLICIT`, `EOI_PENDING`).
#[test]
fn an_explicit_unmask_leaves_an_eoi_pending_port_masked() {
    let mut s = Sim::new(Config::default());
    while !s.ports().any(|p| p.on_eoi_list) {
        s.step();
    }
    s.port_action(PortAction::Mask);
    s.port_action(PortAction::Unmask);
    let p = s.ports().next().unwrap();
    assert!(p.masked, "still masked: EOI_PENDING");
    assert!(matches!(
        s.trace().last(1).next().unwrap().kind,
        TraceKind::ExplicitUnmask {
            still_masked: true,
            ..
        }
    ));
}

/// The throttle preview in a live run: during a pause it says a late EOI would change
/// nothing, and the worker's EOI then resets the count: the pause never grows.
#[test]
fn the_preview_during_a_pause_is_that_nothing_happens() {
    let mut s = Sim::new(Config::default());
    while !s.ports().any(|p| p.on_eoi_list) {
        s.step();
    }
    let port = s.first_port();
    assert!(matches!(
        s.next_spurious(port),
        Some(NextSpurious::Queued { .. })
    ));
    while s.ports().any(|p| p.on_eoi_list) {
        s.step();
    }
    assert_eq!(
        s.ports().next().unwrap().spurious_cnt,
        0,
        "the worker reset it"
    );
    assert_eq!(
        s.next_spurious(port),
        Some(NextSpurious::NoPause { cnt: 1 })
    );
    let off = Sim::new(Config {
        lateeoi: false,
        ..Config::default()
    });
    assert_eq!(off.next_spurious(port), None);
}

/// `spurious_cnt` stops at 10 at HZ 250: with a threshold of 10 the story's port is never
/// paused (every event flagged spurious, no pause). At HZ 1000 the counter goes on to 12,
/// so the same threshold throttles again.
#[test]
fn a_threshold_at_the_counters_cap_never_throttles() {
    let run = |hz, threshold| {
        let s = sim(
            Config {
                hz,
                spurious_threshold: threshold,
                ..Config::default()
            },
            300_000_000,
        );
        s.counters()
    };
    let c = run(250, 10);
    assert_eq!(c.throttle_pauses, 0);
    assert!(c.spurious_events > 1000, "{c:?}");
    assert!(run(250, 9).throttle_pauses > 0);
    assert!(run(1000, 10).throttle_pauses > 0);
    assert_eq!(run(1000, 12).throttle_pauses, 0);
}

/// netback claims its `eoi_pending` bit before it looks for work, as the kernel does: the
/// work the checks start (NAPI, the RX kthread, possibly on another CPU) can complete before
/// the handler returns and must find the bit, or the event would never get its EOI. A
/// second event before that EOI is the kernel's "Interrupt while EOI pending" warning.
#[test]
fn the_handler_claims_its_eoi_bit_before_the_work_checks() {
    for guest in [GuestKind::Freebsd, GuestKind::Linux] {
        let mut s = Sim::new(Config {
            guest,
            ..Config::default()
        });
        s.eoi_pending = 0;
        let ports: Vec<(u32, PortRole)> = s.ports().map(|p| (p.port, p.role)).collect();
        for (port, role) in ports {
            let bit = match role {
                PortRole::Tx => eoi_pending::TX_EOI,
                PortRole::Rx => eoi_pending::RX_EOI,
                PortRole::Common => eoi_pending::COMMON_EOI,
            };
            let mut seen = 0;
            s.netback_handler(port, role, |sim: &mut Sim| {
                seen = sim.eoi_pending;
                (true, true)
            });
            assert_ne!(
                seen & bit,
                0,
                "{guest:?} {role:?}: the checks ran before the claim"
            );
            assert_ne!(
                s.eoi_pending & bit,
                0,
                "real work: the bit waits for the EOI"
            );
            assert_eq!(s.counters().eoi_pending_warnings, 0);
            s.netback_handler(port, role, |_: &mut Sim| (true, true));
            assert_eq!(s.counters().eoi_pending_warnings, 1, "{guest:?} {role:?}");
            s.counters.eoi_pending_warnings = 0;
            s.eoi_pending = 0;
        }
    }
}

/// Patch 11's defer-EOI never fires in the model: an upcall loop handles each of the
/// guest's one or two ports at most once, far from the 256 events at which the loop first
/// reads its clock. `irq_epoch` advances once per upcall.
#[test]
fn no_upcall_loop_of_the_model_defers_an_eoi() {
    for guest in [GuestKind::Freebsd, GuestKind::Linux, GuestKind::Rogue] {
        let s = sim(
            Config {
                guest,
                ..Config::default()
            },
            100_000_000,
        );
        let deferred = s
            .trace()
            .since(0)
            .filter(|e| {
                matches!(
                    e.kind,
                    TraceKind::Deliver {
                        defer_eoi: true,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(deferred, 0, "{guest:?}");
        assert!(s.ports().all(|p| p.eoi_time == 0 || p.on_eoi_list));
        assert_eq!(s.event_core().irq_epoch, s.counters().upcalls, "{guest:?}");
    }
}

/// When netback has packets for the guest and no RX slot left, the RX kthread asks for a
/// notify on the next RX request (`req_event`, in `xenvif_have_rx_work`), so the guest's
/// next refill wakes it. Without that request only the very first refill would notify:
/// the RX ring's `req_event` is never armed anywhere else.
#[test]
fn netback_out_of_rx_slots_is_woken_by_the_next_refill() {
    for guest in [GuestKind::Freebsd, GuestKind::Linux] {
        let s = sim(
            Config {
                guest,
                direction: Direction::Rx,
                netback: NetbackVariant::Fixed,
                ..Config::default()
            },
            200_000_000,
        );
        let refills = s
            .trace()
            .since(0)
            .filter(|e| {
                matches!(
                    e.kind,
                    TraceKind::Notify {
                        cause: NotifyCause::RxRefill,
                        ..
                    }
                )
            })
            .count();
        assert!(
            refills > 100,
            "{guest:?}: {refills} refill notifies in 0.2 s"
        );
    }
}

/// A FreeBSD guest receiving, 10 µs in: RX buffers posted, the first upcall over, the
/// peer's first packets not yet at netback, the guest idle. The rings are the test's.
fn quiet_freebsd_rx() -> Sim {
    let mut s = Sim::new(Config {
        direction: Direction::Rx,
        ..Config::default()
    });
    s.run_until(10_000);
    assert!(!s.guest.busy && s.stack.is_empty() && s.tx.unconsumed_requests() == 0);
    assert_eq!(s.rx.unconsumed_requests(), RING_SIZE);
    s
}

/// netback answers `n` of the TX requests it took, and pushes. Returns whether it notifies.
fn answer_tx(s: &mut Sim, n: u32) -> bool {
    for _ in 0..n {
        s.tx.put_response(Pkt::default());
    }
    s.tx.push_responses()
}

/// FreeBSD's `xn_intr` handles RX first: the interrupt collects the RX responses and
/// queues the refill while the TX completions wait for `xn_txq_intr`, after the stack.
/// (The model took TX completions first.)
#[test]
fn freebsd_interrupt_handles_rx_before_tx() {
    let mut s = quiet_freebsd_rx();
    for _ in 0..2 {
        s.tx.put_request(Pkt::ack(0));
    }
    s.tx.push_requests();
    for _ in 0..2 {
        s.tx.take_request();
    }
    answer_tx(&mut s, 2);
    for seq in 0..4 {
        s.rx.take_request();
        s.rx.put_response(Pkt::data(seq));
    }
    s.rx.push_responses();
    s.guest.irq_pending = true;
    let req_prod = s.rx.req_prod;
    s.guest_begin();
    assert_eq!(s.stack.len(), 4, "RX collected for the stack");
    assert_eq!(
        (s.rx.req_prod.wrapping_sub(req_prod), s.rx.req_prod_pvt),
        (4, s.rx.req_prod),
        "refill pushed inside xn_rxeof's loop, before the step ends"
    );
    assert_eq!(
        s.tx.unconsumed_responses(),
        2,
        "TX completions not yet taken"
    );
    while !s.stack.is_empty() {
        s.step();
    }
    s.run_for(20_000);
    assert_eq!(
        s.tx.unconsumed_responses(),
        0,
        "taken once the stack had its packets"
    );
}

/// FreeBSD's `xn_txeof` asks for the next TX-completion notify half-way through the
/// requests still outstanding (`prod + ((req_prod - prod) >> 1) + 1`): with 30 outstanding
/// after an interrupt, netback's push of 15 more responses does not notify, the 16th does.
/// (The model re-armed at the next response, so the push of 15 notified.)
#[test]
fn freebsd_asks_for_tx_completions_half_way() {
    let mut s = quiet_freebsd_rx();
    for _ in 0..40 {
        s.tx.put_request(Pkt::ack(0));
    }
    s.tx.push_requests();
    for _ in 0..40 {
        s.tx.take_request();
    }
    assert!(
        answer_tx(&mut s, 10),
        "the first push notifies (rsp_event starts at 1)"
    );
    s.guest.irq_pending = true;
    s.guest_begin();
    s.run_for(3_000);
    assert!(!s.guest.busy);
    assert_eq!(s.tx.unconsumed_responses(), 0, "the interrupt took the 10");
    assert!(
        !answer_tx(&mut s, 15),
        "15 of the 30 outstanding: no notify yet"
    );
    assert!(answer_tx(&mut s, 1), "the 16th crosses half-way: notify");
}

/// The ABI decides the order in which one upcall finds pending ports: FIFO in the order
/// they were linked (arrival), 2-level in port order (selector word, then bit).
#[test]
fn fifo_serves_ports_in_arrival_order_two_level_in_port_order() {
    for (abi, want) in [(Abi::TwoLevel, vec![5, 6]), (Abi::Fifo, vec![6, 5])] {
        let mut s = Sim::new(Config {
            guest: GuestKind::Linux,
            direction: Direction::Rx,
            abi,
            ..Config::default()
        });
        s.run_until(10_000);
        let from = s.trace().next_seq();
        s.guest_notify(6, NotifyCause::ByHand);
        s.guest_notify(5, NotifyCause::ByHand);
        s.run_for(3_000);
        let order: Vec<u32> = s
            .trace()
            .since(from)
            .filter_map(|e| match e.kind {
                TraceKind::Deliver { port, .. } => Some(port),
                _ => None,
            })
            .collect();
        assert_eq!(order, want, "{abi}");
        let second = s
            .trace()
            .since(from)
            .filter_map(|e| match e.kind {
                TraceKind::Notify { outcome, .. } => Some(outcome),
                _ => None,
            })
            .nth(1);
        let expect = match abi {
            Abi::TwoLevel => SendOutcome::SelectorAlreadySet,
            Abi::Fifo => SendOutcome::LinkedAtTail,
        };
        assert_eq!(second, Some(expect), "{abi}");
    }
}

/// On FIFO the late-EOI machinery works on the event words: a paused port has `M` set and
/// is unlinked, a notify meanwhile only sets `P`, and the worker's EOI (unmask through
/// `EVTCHNOP_unmask`) links it again; the 2-level bitmaps stay untouched. The story's
/// figures come out the same as on 2-level (one port, one event at a time), but for the
/// hypercalls' cost.
#[test]
fn the_story_on_fifo_uses_the_event_words() {
    let mut s = Sim::new(Config {
        abi: Abi::Fifo,
        ..Config::default()
    });
    while !s.ports().any(|p| p.on_eoi_list && p.pending) {
        s.step();
        assert!(
            s.now_ns() < 100_000_000,
            "no held notify during a pause in 100 ms"
        );
    }
    let f = s.event_channels().fifo().unwrap();
    let port = s.first_port();
    assert!(f.is_masked(port) && f.is_pending(port) && !f.is_linked(port));
    while s.ports().any(|p| p.on_eoi_list) {
        s.step();
    }
    let relinked = s.trace().last(4).any(|e| {
        matches!(
            e.kind,
            TraceKind::Unmask {
                redelivered: true,
                ..
            }
        )
    });
    assert!(
        relinked,
        "the held notify is linked again at the worker's EOI"
    );
    s.run_until(300_000_000);
    let sh = s.shared_info();
    assert_eq!((sh.evtchn_pending, sh.evtchn_mask), ([0; 2], [0; 2]));
    let two_level = sim(Config::default(), 300_000_000);
    let (mut a, b) = (two_level.report(), s.report());
    // The flow is the same; FIFO costs more: every unmask of a pending port (a notify
    // held during a pause) is an `EVTCHNOP_unmask` hypercall, charged to dom0.
    assert_eq!(a.unmask_hypercalls, 0);
    assert_eq!(b.unmask_hypercalls, b.events_held_masked);
    assert!(b.unmask_hypercalls > 0);
    let extra = b.unmask_hypercalls as f64 * s.config().params.fifo_unmask_hypercall_ns as f64;
    let cpu = (b.dom0_cpu_pct - a.dom0_cpu_pct) / 100.0 * b.simulated_seconds * 1e9;
    assert!(
        (cpu - extra).abs() < extra * 0.15,
        "dom0 pays the hypercalls: {cpu} ns against {extra} ns"
    );
    a.config.abi = Abi::Fifo;
    (a.dom0_cpu_pct, a.unmask_hypercalls) = (b.dom0_cpu_pct, b.unmask_hypercalls);
    assert_eq!(a, b);
}

/// The five conditions on the common channel, one event each with TX work and one without:
/// `xenvif_handle_rx_interrupt` runs except where an inline `||` (no TX work) or `&&` (TX
/// work) stops at its left side; a skipped RX handler kicks nothing and writes no
/// `req_event`. And each one's verdict.
#[test]
fn inline_operators_skip_the_rx_handler() {
    // (variant, [with TX work, without]): (RX handler called, spurious). The RX side has a
    // packet queued and no free slot: no RX work, and a called RX handler asks the guest
    // to notify on its next RX request (`req_event`).
    let table = [
        (NetbackVariant::Buggy, [(true, true), (true, true)]),
        (NetbackVariant::OrInline, [(true, true), (false, true)]),
        (NetbackVariant::AndInline, [(false, false), (true, true)]),
        (NetbackVariant::Bitand, [(true, false), (true, true)]),
        (NetbackVariant::Fixed, [(true, false), (true, true)]),
    ];
    for (netback, cases) in table {
        for (tx_work, (calls_rx, spurious)) in [true, false].into_iter().zip(cases) {
            let mut s = Sim::with_trace_capacity(
                Config {
                    guest: GuestKind::Idle,
                    netback,
                    ..Config::default()
                },
                64,
            );
            // netback holds a packet for the guest, whose RX ring has no free request.
            s.rx_queue.push_back(Pkt::data(0));
            s.rx.req_event = 0;
            let req_event = s.rx.req_event;
            if tx_work {
                s.tx.put_request(Pkt::data(0));
                s.tx.push_requests();
            }
            let port = s.first_port();
            s.netback_interrupt(port);
            let c = s.counters();
            assert_eq!(
                c.rx_handler_calls,
                u64::from(calls_rx),
                "{netback} tx_work {tx_work}: RX handler calls"
            );
            assert_eq!(
                s.rx.req_event != req_event,
                calls_rx,
                "{netback} tx_work {tx_work}: req_event re-armed only by the RX handler"
            );
            assert_eq!(
                c.spurious_events,
                u64::from(spurious),
                "{netback} tx_work {tx_work}: verdict"
            );
            let verdict = s
                .trace()
                .since(0)
                .find_map(|e| match e.kind {
                    TraceKind::Verdict { rx_checked, .. } => Some(rx_checked),
                    _ => None,
                })
                .expect("a verdict");
            assert_eq!(verdict, calls_rx, "{netback}: the trace says so");
        }
    }
}

/// FreeBSD's `xn_intr` is an interrupt thread: a guest interrupt runs ahead of further
/// sends, so it is taken while the window is still open (the sending thread preempted),
/// not only once the guest has sent all the window allows.
#[test]
fn freebsd_takes_its_interrupt_while_the_window_is_open() {
    for direction in [Direction::Tx] {
        let mut s = Sim::headless(Config {
            direction,
            ..Config::default()
        });
        let mut taken_open = 0;
        let mut taken = 0;
        while s.now_ns() < 50_000_000 {
            let pending = s.guest.irq_pending;
            s.step();
            if pending && !s.guest.irq_pending {
                taken += 1;
                // The interrupt's step only collects: the window is as it was.
                if s.can_send() {
                    taken_open += 1;
                }
            }
        }
        assert!(taken > 100, "{taken} interrupts in 50 ms");
        assert!(
            taken_open * 4 > taken,
            "{taken_open} of {taken} interrupts taken with the window open"
        );
    }
}

/// The interrupt thread runs `guest_ithread_latency_ns` after netback's notification
/// reaches the guest (FreeBSD only; a Linux guest's interrupt is taken at its next step).
#[test]
fn the_ithread_runs_after_its_scheduling_latency() {
    for (guest, extra) in [(GuestKind::Freebsd, 7_000), (GuestKind::Linux, 0)] {
        let mut cfg = Config {
            guest,
            ..Config::default()
        };
        cfg.params.guest_ithread_latency_ns = 7_000;
        let mut s = Sim::headless(cfg);
        // At t = 0 nothing is in flight to the guest yet.
        assert!(!s.guest.irq_in_flight);
        s.notify_guest();
        while s.guest.irq_in_flight {
            s.step();
        }
        assert_eq!(
            s.now_ns(),
            cfg.params.upcall_latency_ns + extra,
            "{guest:?}"
        );
    }
}

/// Before XSA-332 (late EOI off) `xenvif_rx_interrupt` kicked the RX kthread whatever the
/// RX side held; with late EOI the handler kicks it only when it finds RX work.
#[test]
fn before_xsa332_the_rx_handler_kicks_the_kthread_unconditionally() {
    for lateeoi in [false, true] {
        let mut s = Sim::headless(Config {
            guest: GuestKind::Idle,
            lateeoi,
            ..Config::default()
        });
        assert!(s.rx_queue.is_empty());
        let port = s.first_port();
        s.netback_interrupt(port);
        assert_eq!(s.kthread.running, !lateeoi, "late EOI {lateeoi}");
    }
}

/// netback's TX zerocopy: a packet longer than `XEN_NETBACK_TX_COPY_LEN` (128 bytes) is
/// grant-mapped, and its TX response waits until its skb is freed (here: the packet
/// reached the peer); an ACK-sized packet is copied whole and answered at the end of the
/// poll. With `tx_copy_len` at the MTU every packet is answered at the end of the poll.
#[test]
fn mapped_tx_packets_are_answered_when_their_skb_is_freed() {
    for (copy_len, at_poll_end) in [(128, 1), (1500, 2)] {
        let mut cfg = Config {
            guest: GuestKind::Idle,
            ..Config::default()
        };
        cfg.params.tx_copy_len = copy_len;
        cfg.params.jitter_pct = 0;
        let mut s = Sim::headless(cfg);
        s.tx.put_request(Pkt::data(0));
        s.tx.put_request(Pkt::ack(0));
        s.tx.push_requests();
        s.cpu0.napi_scheduled = true;
        s.cpu0_try_begin();
        let poll_end = s.cpu0.done_at;
        s.run_until(poll_end);
        assert_eq!(
            s.tx.rsp_prod, at_poll_end,
            "copy_len {copy_len}: at poll end"
        );
        // The push crossed the guest's `rsp_event` (1 at the start): one TX-completion
        // notify, counted as such.
        let c = s.counters();
        assert_eq!((c.tx_completion_notifies, c.guest_notifies), (1, 1));
        let depart = cfg.params.dom0_batch_ns + cfg.params.dom0_pkt_ns;
        s.run_until(depart + cfg.params.peer_latency_ns - 1);
        assert_eq!(
            s.tx.rsp_prod, at_poll_end,
            "copy_len {copy_len}: before the peer"
        );
        s.run_until(depart + cfg.params.peer_latency_ns);
        assert_eq!(
            s.tx.rsp_prod, 2,
            "copy_len {copy_len}: skb freed at the peer"
        );
        // The guest has not moved `rsp_event`: the second push does not notify.
        assert_eq!(s.counters().tx_completion_notifies, 1);
        if copy_len == 128 {
            // A mapped packet's answer notifies when the guest asked for it: re-armed at
            // the next response, as `xn_txeof` does, a third packet's release crosses it.
            s.tx.rsp_event = s.tx.rsp_prod.wrapping_add(1);
            s.tx.put_request(Pkt::data(1));
            s.tx.push_requests();
            s.cpu0.napi_scheduled = true;
            s.cpu0_try_begin();
            s.run_for(1_000_000);
            assert_eq!(s.tx.rsp_prod, 3);
            assert_eq!(
                s.counters().tx_completion_notifies,
                2,
                "the release notified"
            );
        }
    }
}

/// The two right versions are the ones the lab draws as sound (the `&` and upstream's).
#[test]
fn only_bitand_and_upstream_are_sound() {
    for &v in NetbackVariant::ALL {
        let sound = (0..4).all(|i| {
            let (tx, rx) = (i & 1 != 0, i & 2 != 0);
            v.is_spurious(tx, rx) == (!tx && !rx) && v.calls_rx(tx)
        });
        assert_eq!(v.is_sound(), sound, "{v}");
    }
    assert_eq!(
        NetbackVariant::ALL.iter().filter(|v| v.is_sound()).count(),
        2
    );
}

/// The per-port figures add up to the totals: split channels share them out between the TX
/// and RX ports; on a common channel both names read its one port.
#[test]
fn per_port_figures_add_up_to_the_totals() {
    for (guest, direction) in [
        (GuestKind::Linux, Direction::Rx),
        (GuestKind::Freebsd, Direction::Tx),
        (GuestKind::Freebsd, Direction::Rx),
    ] {
        let r = run(
            Config {
                guest,
                direction,
                ..Config::default()
            },
            0.3,
        );
        let what = format!("{guest:?} {direction:?}");
        if guest == GuestKind::Linux {
            assert_eq!(
                r.tx_port_events + r.rx_port_events,
                r.events_delivered,
                "{what}"
            );
            assert!(r.tx_port_events > 0 && r.rx_port_events > 0, "{what}");
            assert_eq!(
                r.tx_port_spurious + r.rx_port_spurious,
                r.spurious_events,
                "{what}"
            );
            assert_eq!(
                r.tx_port_held + r.rx_port_held,
                r.events_held_masked,
                "{what}"
            );
        } else {
            assert_eq!(
                (r.tx_port_events, r.rx_port_events),
                (r.events_delivered, r.events_delivered),
                "{what}"
            );
            assert_eq!(
                (r.tx_port_spurious, r.rx_port_spurious),
                (r.spurious_events, r.spurious_events),
                "{what}"
            );
            assert_eq!(
                (r.tx_port_held, r.rx_port_held),
                (r.events_held_masked, r.events_held_masked),
                "{what}"
            );
            assert!(r.spurious_events > 0 && r.events_held_masked > 0, "{what}");
        }
    }
    for name in [
        "tx_port_events",
        "rx_port_events",
        "tx_port_spurious",
        "rx_port_spurious",
        "tx_port_held",
        "rx_port_held",
        "rx_handler_calls",
        "unmask_hypercalls",
    ] {
        let f: Figure = name.parse().unwrap();
        assert_eq!(f.kind(), FigureKind::Window, "{name}");
    }
}

/// FreeBSD: an ACK the stack makes while the TX ring is full waits (nothing is written
/// over a request netback has not taken), and goes out, ahead of the sending thread, once
/// netback has freed a slot.
#[test]
fn a_freebsd_ack_waits_for_a_tx_slot() {
    let mut s = quiet_freebsd_rx();
    // The guest fills its TX ring (as `xn_assemble_tx_request` would: `rsp_event` re-armed,
    // pushed, netback notified).
    while s.tx.free_requests() > 0 {
        s.tx.put_request(Pkt::ack(0));
    }
    s.xn_txeof();
    if s.tx.push_requests() {
        let port = s.first_port();
        s.guest_notify(port, NotifyCause::TxRequests);
    }
    let full_at = s.tx.req_prod_pvt;
    // Two segments for the stack: the second one's ACK finds no slot.
    s.stack.push_back(Pkt::data(0));
    s.stack.push_back(Pkt::data(1));
    s.guest_begin();
    while !s.stack.is_empty() || s.guest.busy {
        s.step();
    }
    assert!(s.guest.acks_waiting >= 1, "the ACK waits");
    assert_eq!(
        (s.tx.req_prod_pvt, s.tx.free_requests()),
        (full_at, 0),
        "nothing written into a full ring"
    );
    s.run_for(300_000);
    assert_eq!(s.guest.acks_waiting, 0, "sent once netback freed slots");
    assert!(s.tx.req_prod_pvt.wrapping_sub(full_at) >= 1);
}

/// NAPI's late EOI takes back exactly its own bits (`TX_EOI`, `COMMON_EOI`): the RX
/// kthread's claim stays for its own EOI.
#[test]
fn napi_takes_back_only_its_own_eoi_bits() {
    for (claimed, left) in [
        (
            eoi_pending::TX_EOI | eoi_pending::RX_EOI,
            eoi_pending::RX_EOI,
        ),
        (eoi_pending::COMMON_EOI, 0),
        (eoi_pending::TX_EOI, 0),
    ] {
        let mut s = Sim::headless(Config {
            guest: GuestKind::Idle,
            ..Config::default()
        });
        s.eoi_pending = claimed;
        s.cpu0.napi_scheduled = true;
        s.napi_done(0, 0);
        assert_eq!(s.eoi_pending, left, "claimed {claimed:#x}");
        assert!(!s.cpu0.napi_scheduled);
        assert_eq!(s.counters().lateeoi_calls, 1);
    }
}

/// The ACK clock in numbers: with a pause every tick, the sending guest moves about two of
/// its 128 KiB windows a jiffy; without the throttle, far more; at HZ 1000 the same two a
/// jiffy, so four times as many a second (goodput follows HZ while a pause a tick lasts).
#[test]
fn a_paused_sender_moves_a_few_windows_a_tick() {
    let per_tick = |cfg: Config| {
        let s = sim(cfg, 3_000_000_000);
        let w = s.last(1_000_000_000);
        s.figure(Figure::WindowsPerTick, &w, &Reading::default())
    };
    let story = per_tick(Config::default());
    assert!((1.5..=2.5).contains(&story), "{story}");
    let free = per_tick(Config {
        throttle: false,
        ..Config::default()
    });
    assert!(free > 3.0 * story, "{free} vs {story}");
    let fast_tick = per_tick(Config {
        hz: 1000,
        ..Config::default()
    });
    assert!(
        (fast_tick / story - 1.0).abs() < 0.1,
        "{fast_tick} vs {story}"
    );
    // The peer is the sender when the guest receives: its window is 512 KiB.
    let rx = per_tick(Config {
        direction: Direction::Rx,
        ..Config::default()
    });
    let rx_goodput = {
        let s = sim(
            Config {
                direction: Direction::Rx,
                ..Config::default()
            },
            3_000_000_000,
        );
        let w = s.last(1_000_000_000);
        s.figure(Figure::GoodputMbps, &w, &Reading::default())
    };
    let want = rx_goodput * 1e6 / 8.0 / 250.0 / (512.0 * 1024.0);
    assert!((rx - want).abs() < 0.05, "{rx} vs {want}");
}
