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
