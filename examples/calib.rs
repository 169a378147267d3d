//! Calibration sweep: throttle on/off goodput ratios for every guest, direction and
//! netback condition; the spurious share with the throttle on/off, and the RX handler's
//! calls against the events delivered (throttle on).
//! `cargo run --release --example calib -- SECONDS HZ THRESHOLD SEED [2l|fifo]`
use evtchn_lab::sim::knob::{HZ_MAX, HZ_MIN, SPURIOUS_THRESHOLD_MAX, SPURIOUS_THRESHOLD_MIN};
use evtchn_lab::sim::*;

const USAGE: &str = "usage: calib [SECONDS (0 < s <= 3600, default 2)] [HZ (1..=10000, default 250)] \
     [THRESHOLD (0..=64, default 1)] [SEED (default 1)] [2l|fifo]";

/// The arguments, or what is wrong with them.
fn args() -> Result<(f64, u32, u32, u64, Abi), String> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, name: &str, ok: &dyn Fn(f64) -> bool, range: &str, d: f64| match a.get(i) {
        None => Ok(d),
        Some(s) => match s.parse::<f64>() {
            Ok(v) if ok(v) => Ok(v),
            _ => Err(format!("{name} must be {range}, not '{s}'")),
        },
    };
    let secs = num(
        0,
        "SECONDS",
        &|v| v > 0.0 && v <= 3600.0,
        "above 0 and at most 3600",
        2.0,
    )?;
    let whole =
        |lo: u64, hi: u64| move |v: f64| v.fract() == 0.0 && v >= lo as f64 && v <= hi as f64;
    let hz = num(
        1,
        "HZ",
        &whole(HZ_MIN, HZ_MAX),
        "a whole number from 1 to 10000",
        250.0,
    )? as u32;
    let th = num(
        2,
        "THRESHOLD",
        &whole(SPURIOUS_THRESHOLD_MIN, SPURIOUS_THRESHOLD_MAX),
        "a whole number from 0 to 64",
        1.0,
    )? as u32;
    let seed = match a.get(3) {
        None => 1,
        Some(s) => s
            .parse()
            .map_err(|_| format!("SEED must be a whole number, not '{s}'"))?,
    };
    let abi = match a.get(4) {
        None => Abi::TwoLevel,
        Some(s) => s.parse().map_err(|e: UnknownName| e.to_string())?,
    };
    Ok((secs, hz, th, seed, abi))
}

fn main() {
    let (secs, hz, th, seed, abi) = args().unwrap_or_else(|e| {
        eprintln!("calib: {e}\n{USAGE}");
        std::process::exit(2);
    });
    for (g, d) in [
        (GuestKind::Freebsd, Direction::Tx),
        (GuestKind::Freebsd, Direction::Rx),
        (GuestKind::Linux, Direction::Tx),
        (GuestKind::Linux, Direction::Rx),
    ] {
        for &nb in NetbackVariant::ALL {
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
                "{g:?} {d:?} {nb}: on {:.0} off {:.0} ratio {:.3} spur {:.3}/{:.3} rx-handler {}/{} pauses {} ev {} cpu {:.1}/{:.1} viol {}",
                on.goodput_mbps,
                off.goodput_mbps,
                on.goodput_mbps / off.goodput_mbps,
                on.spurious_ratio,
                off.spurious_ratio,
                on.rx_handler_calls,
                on.events_delivered,
                on.throttle_pauses,
                on.events_delivered,
                on.dom0_cpu_pct,
                off.dom0_cpu_pct,
                on.order_violations
            );
        }
    }
}
