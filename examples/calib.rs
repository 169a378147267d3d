//! Calibration sweep: throttle on/off goodput ratios for every guest and direction.
//! `cargo run --release --example calib -- SECONDS HZ THRESHOLD SEED [2l|fifo]`
use evtchn_lab::sim::*;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let get = |i: usize, d: f64| a.get(i).map(|s| s.parse().unwrap()).unwrap_or(d);
    let (secs, hz, th, seed) = (
        get(1, 2.0),
        get(2, 250.0) as u32,
        get(3, 1.0) as u32,
        get(4, 1.0) as u64,
    );
    let abi: Abi = a.get(5).map_or(Abi::TwoLevel, |s| s.parse().unwrap());
    for (g, d) in [
        (GuestKind::Freebsd, Direction::Tx),
        (GuestKind::Freebsd, Direction::Rx),
        (GuestKind::Linux, Direction::Tx),
        (GuestKind::Linux, Direction::Rx),
    ] {
        for nb in [NetbackVariant::Buggy, NetbackVariant::Fixed] {
            let base = Config {
                guest: g,
                direction: d,
                netback: nb,
                hz,
                spurious_threshold: th,
                seed,
                abi,
                ..Config::default()
            };
            let on = run(
                Config {
                    throttle: true,
                    ..base
                },
                secs,
            );
            let off = run(
                Config {
                    throttle: false,
                    ..base
                },
                secs,
            );
            println!(
                "{g:?} {d:?} {nb:?}: on {:.0} off {:.0} ratio {:.3} spur {:.3} pauses {} ev {} cpu {:.1}/{:.1} viol {}",
                on.goodput_mbps,
                off.goodput_mbps,
                on.goodput_mbps / off.goodput_mbps,
                on.spurious_ratio,
                on.throttle_pauses,
                on.events_delivered,
                on.dom0_cpu_pct,
                off.dom0_cpu_pct,
                on.order_violations
            );
        }
    }
}
