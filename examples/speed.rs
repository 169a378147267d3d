//! The simulation core's speed in the eight network scenarios (FreeBSD and Linux guests,
//! TX and RX, netback buggy and fixed): 10 virtual seconds each, headless, timed on the
//! wall clock, as packets per wall second and as times real time (virtual / wall).
//!
//! ```sh
//! cargo run --release --example speed
//! ```

use evtchn_lab::sim::*;

const VIRTUAL_S: f64 = 10.0;

fn main() {
    for cfg in Config::network_scenarios() {
        let t = std::time::Instant::now();
        let r = run(cfg, VIRTUAL_S);
        let wall = t.elapsed().as_secs_f64();
        println!(
            "{:<8} {:<3} {:<6} {:>8} pkts in {wall:.3}s wall = {:.2} M pkts/s = {:.0}x real time",
            format!("{:?}", cfg.guest),
            format!("{:?}", cfg.direction),
            format!("{:?}", cfg.netback),
            r.packets_delivered,
            r.packets_delivered as f64 / wall / 1e6,
            VIRTUAL_S / wall
        );
    }
}
