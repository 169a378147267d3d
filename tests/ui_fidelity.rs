//! The lab says what the model says: a threshold the counter can never pass, and the
//! counters' honest names when patch 12 (the throttle) is off.

mod common;

use common::{lab_at, run, screen};
use evtchn_lab::sim::Config;

/// `spurious_cnt` stops at 10 at HZ 250: a threshold of 10 or more can never throttle, and
/// the throttle pane says so (at every size that shows the pane).
#[test]
fn a_threshold_at_the_counters_cap_says_it_never_throttles() {
    for (w, h) in [(120, 40), (80, 24), (160, 50)] {
        let at = |threshold| {
            let mut app = lab_at(Config {
                spurious_threshold: threshold,
                ..Config::default()
            });
            run(&mut app, 0.2);
            screen(&app, w, h)
        };
        let s = at(10);
        assert!(s.contains("never throttles"), "{w}x{h}:\n{s}");
        let s = at(9);
        assert!(!s.contains("never throttles"), "{w}x{h}:\n{s}");
    }
}

/// With the throttle (patch 12) off the sysfs counters would not exist: the lab names what
/// netback flagged as such, and shows no `spurious_events` figure.
#[test]
fn counters_with_the_throttle_off_say_would_be_spurious() {
    for (w, h) in [(120, 40), (160, 50)] {
        let mut app = lab_at(Config {
            throttle: false,
            ..Config::default()
        });
        run(&mut app, 0.2);
        let s = screen(&app, w, h);
        assert!(s.contains("would be spurious"), "{w}x{h}:\n{s}");
        assert!(!s.contains("spurious_events "), "{w}x{h}:\n{s}");
        let on = screen(&lab_at(Config::default()), w, h);
        assert!(on.contains("spurious_events") && !on.contains("would be spurious"));
    }
}

/// On FIFO the Ports pane speaks FIFO: event words (P/M/L, LINK), READY and the queues; the
/// EOI flow's pending row too. `a` switches the ABI (a new run, same seed).
#[test]
fn the_ports_pane_speaks_the_abi_in_use() {
    use evtchn_lab::sim::Abi;
    let mut app = lab_at(Config::default());
    run(&mut app, 0.1);
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("[p/m/s]") && s.contains("evtchn_pending_sel"),
        "{s}"
    );
    common::press(&mut app, "a");
    assert_eq!(app.lane.config().abi, Abi::Fifo);
    assert_eq!(app.lane.now_ns(), 0, "a new run");
    run(&mut app, 0.1);
    let s = screen(&app, 120, 40);
    for needle in ["FIFO event channels", "[P/M/L] LINK", "READY", "P/M/L[5]="] {
        assert!(s.contains(needle), "{needle}:\n{s}");
    }
    assert!(!s.contains("evtchn_pending_sel"), "{s}");
    common::press(&mut app, "a");
    assert_eq!(app.lane.config().abi, Abi::TwoLevel);
}
