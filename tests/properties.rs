//! Invariants over random configurations, seeds, knob changes and hands-on port actions
//! (notify, mask, unmask, as a learner presses them) (proptest):
//! - conservation: every data segment offered is delivered, in flight, or dropped, and the
//!   receiver sees each exactly once, in order;
//! - a port is never delivered while masked (replayed from the trace, independently of the
//!   simulation's own bookkeeping, and checked against its final bits);
//! - the same seed and the same knob changes give the same JSON report, byte for byte.

use std::collections::BTreeMap;

use evtchn_lab::sim::{
    Abi, Config, Direction, GuestKind, KnobChange, NetbackVariant, PortAction, Sim, TraceEvent,
    TraceKind,
};
use proptest::prelude::*;

fn config() -> impl Strategy<Value = Config> {
    (
        prop_oneof![
            Just(GuestKind::Freebsd),
            Just(GuestKind::Linux),
            Just(GuestKind::Rogue),
            Just(GuestKind::Idle)
        ],
        prop_oneof![Just(Direction::Tx), Just(Direction::Rx)],
        prop_oneof![Just(NetbackVariant::Buggy), Just(NetbackVariant::Fixed)],
        any::<bool>(),
        prop::bool::weighted(0.8),
        prop_oneof![Just(100u32), Just(250), Just(300), Just(1000), 50u32..2000],
        0u32..5,
        any::<u64>(),
        0u32..30,
        prop_oneof![Just(Abi::TwoLevel), Just(Abi::Fifo)],
    )
        .prop_map(
            |(guest, direction, netback, throttle, lateeoi, hz, threshold, seed, jitter, abi)| {
                let mut cfg = Config {
                    guest,
                    direction,
                    netback,
                    throttle,
                    lateeoi,
                    abi,
                    hz,
                    spurious_threshold: threshold,
                    seed,
                    ..Config::default()
                };
                cfg.params.jitter_pct = jitter;
                cfg
            },
        )
}

fn knob() -> impl Strategy<Value = KnobChange> {
    prop_oneof![
        prop_oneof![Just(NetbackVariant::Buggy), Just(NetbackVariant::Fixed)]
            .prop_map(KnobChange::Netback),
        any::<bool>().prop_map(KnobChange::Throttle),
        any::<bool>().prop_map(KnobChange::LateEoi),
        (0u32..5).prop_map(KnobChange::SpuriousThreshold),
    ]
}

/// What happens between two stretches of time: a knob changes, or the learner acts on
/// port 5.
#[derive(Clone, Copy, Debug)]
enum Act {
    Knob(KnobChange),
    Port(PortAction),
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        knob().prop_map(Act::Knob),
        prop_oneof![
            Just(PortAction::Notify),
            Just(PortAction::Mask),
            Just(PortAction::Unmask)
        ]
        .prop_map(Act::Port),
    ]
}

/// A run: stretches of virtual time (µs) with an action after each.
fn script() -> impl Strategy<Value = Vec<(u64, Option<Act>)>> {
    prop::collection::vec((1_000u64..60_000, prop::option::weighted(0.6, act())), 1..8)
}

/// Replay mask transitions; fail on a delivery to a masked port. Returns deliveries seen.
fn replay_masks<'a>(
    events: impl Iterator<Item = &'a TraceEvent>,
    masked: &mut BTreeMap<u32, bool>,
) -> Result<u64, String> {
    let mut deliveries = 0;
    for ev in events {
        match ev.kind {
            // The bit is set by the ack of a late EOI and by an explicit mask; it is
            // cleared only by an `Unmask` (an explicit unmask that leaves another reason
            // holding the port changes nothing).
            TraceKind::Ack { port, masked: true } | TraceKind::Mask { port, .. } => {
                masked.insert(port, true);
            }
            TraceKind::Unmask { port, .. } => {
                masked.insert(port, false);
            }
            TraceKind::Deliver { port, .. } => {
                deliveries += 1;
                if masked.get(&port).copied().unwrap_or(false) {
                    return Err(format!(
                        "port {port} delivered while masked at t={} ns (seq {})",
                        ev.t_ns, ev.seq
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(deliveries)
}

/// Run the script, replaying the trace as it goes. Returns the sim and the number of
/// deliveries checked.
fn run_checked(cfg: Config, script: &[(u64, Option<Act>)]) -> Result<(Sim, u64), TestCaseError> {
    let mut sim = Sim::with_trace_capacity(cfg, 1 << 16);
    let mut masked: BTreeMap<u32, bool> = BTreeMap::new();
    let mut next = 0;
    let mut deliveries = 0;
    let mut replay = |sim: &Sim, next: &mut u64| -> Result<(), TestCaseError> {
        prop_assert!(
            sim.trace().first_seq() <= *next,
            "trace ring overflowed: raise its capacity"
        );
        deliveries +=
            replay_masks(sim.trace().since(*next), &mut masked).map_err(TestCaseError::fail)?;
        *next = sim.trace().next_seq();
        Ok(())
    };
    for &(us, act) in script {
        // Run in 1 ms slices so the trace ring never wraps between two replays.
        let end = sim.now_ns() + us * 1_000;
        while sim.now_ns() < end {
            sim.run_until((sim.now_ns() + 1_000_000).min(end));
            replay(&sim, &mut next)?;
        }
        match act {
            Some(Act::Knob(k)) => sim.set_knob(k),
            Some(Act::Port(a)) => sim.port_action(a),
            None => {}
        }
        replay(&sim, &mut next)?;
    }
    // The replayed mask state agrees with the port bits the simulation ends with.
    for p in sim.ports() {
        if let Some(&m) = masked.get(&p.port) {
            prop_assert_eq!(
                m,
                p.masked,
                "port {} mask bit disagrees with the trace",
                p.port
            );
        }
    }
    Ok((sim, deliveries))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn packets_are_conserved_and_never_delivered_while_masked(cfg in config(), script in script()) {
        let (sim, _) = run_checked(cfg, &script)?;
        let r = sim.report();
        prop_assert_eq!(r.order_violations, 0, "a segment arrived twice or out of order");
        prop_assert_eq!(
            sim.counters().eoi_pending_warnings,
            0,
            "an event reached netback while its EOI was pending"
        );
        prop_assert_eq!(
            r.packets_offered,
            r.packets_delivered + sim.data_in_flight() + r.packets_dropped,
            "offered != delivered + in flight + dropped"
        );
        prop_assert_eq!(sim.receiver().next_seq as u64, r.packets_delivered);
        // A port the learner left masked can hold a flow up, so only runs without an
        // explicit mask must move data.
        let explicit = script.iter().any(|(_, a)| matches!(a, Some(Act::Port(PortAction::Mask))));
        if cfg.guest.has_traffic() && !explicit {
            prop_assert!(r.packets_delivered > 0, "no traffic at all: {:?}", r);
        }
    }

    #[test]
    fn same_seed_same_json(cfg in config(), script in script()) {
        let json = |cfg| -> Result<String, TestCaseError> {
            let (sim, _) = run_checked(cfg, &script)?;
            Ok(serde_json::to_string(&sim.report()).unwrap())
        };
        prop_assert_eq!(json(cfg)?, json(cfg)?);
    }
}

/// The replay check is not vacuous: it sees deliveries, and a forged trace fails it.
#[test]
fn the_mask_replay_sees_deliveries_and_catches_a_forgery() {
    let (_, deliveries) = run_checked(Config::default(), &[(200_000, None)]).unwrap();
    assert!(deliveries > 10, "only {deliveries} deliveries seen");
    let ev = |seq, kind| TraceEvent {
        seq,
        t_ns: seq,
        jiffies: 0,
        kind,
    };
    let forged = [
        ev(
            0,
            TraceKind::Ack {
                port: 5,
                masked: true,
            },
        ),
        ev(
            1,
            TraceKind::Deliver {
                port: 5,
                defer_eoi: false,
            },
        ),
    ];
    assert!(replay_masks(forged.iter(), &mut BTreeMap::new()).is_err());
}

#[test]
fn different_seeds_differ() {
    let a = evtchn_lab::sim::run(
        Config {
            seed: 1,
            ..Config::default()
        },
        0.5,
    );
    let b = evtchn_lab::sim::run(
        Config {
            seed: 2,
            ..Config::default()
        },
        0.5,
    );
    assert_ne!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap(),
        "the seed must matter (it draws the cost jitter)"
    );
}
