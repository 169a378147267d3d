//! Share strings (issue 22, point 3), fuzzed: every state round-trips, any string is
//! either a state or a clear refusal (never a panic), and a corrupted string (a character
//! changed, one cut off, one added) is refused.

use evtchn_lab::script::share::{Action, Entry, PREFIX, ShareError, State};
use evtchn_lab::sim::{
    Abi, Config, Direction, GuestKind, Knob, KnobChange, NetbackVariant, PortAction,
};
use proptest::prelude::*;

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..NetbackVariant::ALL.len())
            .prop_map(|i| Action::Knob(KnobChange::Netback(NetbackVariant::ALL[i]))),
        any::<bool>().prop_map(|on| Action::Knob(KnobChange::Throttle(on))),
        any::<bool>().prop_map(|on| Action::Knob(KnobChange::LateEoi(on))),
        (0u32..=64).prop_map(|t| Action::Knob(KnobChange::SpuriousThreshold(t))),
        Just(Action::Port(PortAction::Notify)),
        Just(Action::Port(PortAction::Mask)),
        Just(Action::Port(PortAction::Unmask)),
        Just(Action::Step),
    ]
}

fn state() -> impl Strategy<Value = State> {
    (
        (
            0..GuestKind::ALL.len(),
            0..Direction::ALL.len(),
            0..NetbackVariant::ALL.len(),
            0..Abi::ALL.len(),
            any::<bool>(),
            any::<bool>(),
            1u32..=10_000,
            0u32..=64,
            any::<u64>(),
        ),
        prop::option::of(prop_oneof![
            Just(Knob::Netback),
            Just(Knob::Throttle),
            Just(Knob::LateEoi)
        ]),
        prop::collection::vec((0u64..5_000_000_000, action()), 0..20),
        0u64..5_000_000_000,
    )
        .prop_map(|(c, compare, acts, tail)| {
            let mut t = 0;
            let entries = acts
                .into_iter()
                .map(|(dt, action)| {
                    t += dt;
                    Entry { t_ns: t, action }
                })
                .collect();
            State {
                scenario: Config {
                    guest: GuestKind::ALL[c.0],
                    direction: Direction::ALL[c.1],
                    netback: NetbackVariant::ALL[c.2],
                    abi: Abi::ALL[c.3],
                    throttle: c.4,
                    lateeoi: c.5,
                    hz: c.6,
                    spurious_threshold: c.7,
                    seed: c.8,
                    ..Config::default()
                },
                compare,
                entries,
                t_ns: t + tail,
            }
        })
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

proptest! {
    #[test]
    fn every_state_round_trips(s in state()) {
        let text = s.encode();
        prop_assert!(text.starts_with(PREFIX));
        prop_assert!(text.bytes().all(|b| b.is_ascii_graphic()), "printable: {}", text);
        prop_assert_eq!(State::decode(&text), Ok(s));
    }

    #[test]
    fn a_changed_character_is_refused(s in state(), at in any::<prop::sample::Index>(), to in 0..64usize) {
        let text = s.encode();
        let body = text.len() - PREFIX.len();
        let i = PREFIX.len() + at.index(body);
        let mut bytes = text.clone().into_bytes();
        prop_assume!(bytes[i] != B64[to]);
        bytes[i] = B64[to];
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(State::decode(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn a_cut_or_lengthened_string_is_refused(s in state(), cut in 1..6usize, extra in 0..64usize) {
        let text = s.encode();
        let cut_to = text.len().saturating_sub(cut).max(PREFIX.len());
        prop_assert!(State::decode(&text[..cut_to]).is_err());
        let longer = format!("{text}{}", B64[extra] as char);
        prop_assert!(State::decode(&longer).is_err());
    }

    /// Anything at all: a state or a refusal, never a panic.
    #[test]
    fn any_string_is_a_state_or_a_refusal(junk in ".{0,200}", body in "[A-Za-z0-9_-]{0,120}") {
        let _ = State::decode(&junk);
        let _ = State::decode(&format!("{PREFIX}{body}"));
    }
}

#[test]
fn refusals_name_the_problem() {
    let ok = State {
        scenario: Config::default(),
        compare: None,
        entries: vec![],
        t_ns: 3_000_000_000,
    }
    .encode();
    let msg = |s: &str| State::decode(s).unwrap_err().to_string();
    assert!(
        msg("hello").contains("starts with 'ev1.'"),
        "{}",
        msg("hello")
    );
    assert!(matches!(State::decode("ev7.AAAA"), Err(ShareError::Version(v)) if v == "7"));
    assert!(msg("ev7.AAAA").contains("version 7"));
    let typo = ok.replacen('A', "*", 1);
    assert!(msg(&typo).contains("'*'"), "{}", msg(&typo));
    let mut changed = ok.clone().into_bytes();
    let last = changed.len() - 3;
    changed[last] = if changed[last] == b'B' { b'C' } else { b'B' };
    let changed = String::from_utf8(changed).unwrap();
    assert!(msg(&changed).contains("checksum"), "{}", msg(&changed));
    assert!(msg(&"A".repeat(70_000)).contains("at most"));
}
