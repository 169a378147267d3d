//! The measurements behind `docs/model.md` §10 (issue 20): how FreeBSD's interrupt
//! thread, netback's TX zerocopy and FIFO's unmask hypercall move the story's figures.
//! `cargo run --release --example fidelity -- [SECONDS (default 10)] [SEED ...]`
//!
//! For each seed: the send and receive ratios (throttle on ÷ off, shipped netback) at
//! several interrupt-thread latencies; the same with every TX packet copied (no
//! zerocopy, `tx_copy_len` = 65536) and the TX completion notifies either way; and dom0's
//! CPU and the `EVTCHNOP_unmask` hypercalls on 2-level and FIFO.
use evtchn_lab::sim::*;

fn ratio(cfg: Config, secs: f64) -> (Report, Report) {
    let on = run(
        Config {
            throttle: true,
            ..cfg
        },
        secs,
    );
    let off = run(
        Config {
            throttle: false,
            ..cfg
        },
        secs,
    );
    (on, off)
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let secs: f64 = a.first().and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let seeds: Vec<u64> = if a.len() > 1 {
        a[1..].iter().filter_map(|s| s.parse().ok()).collect()
    } else {
        vec![1, 7, 99]
    };
    for &seed in &seeds {
        println!("seed {seed}, {secs} s");
        for lat in [100, 2_000, 10_000, 50_000] {
            let mut line = format!("  ithread {:>6} ns:", lat);
            for d in [Direction::Tx, Direction::Rx] {
                let mut cfg = Config {
                    direction: d,
                    seed,
                    ..Config::default()
                };
                cfg.params.guest_ithread_latency_ns = lat;
                let (on, off) = ratio(cfg, secs);
                line += &format!(
                    "  {d} {:.0}/{:.0} = {:.3}",
                    on.goodput_mbps,
                    off.goodput_mbps,
                    on.goodput_mbps / off.goodput_mbps
                );
            }
            println!("{line}");
        }
        for (name, copy_len) in [("zerocopy (128)", 128), ("all copied", 65_536)] {
            let mut cfg = Config {
                seed,
                ..Config::default()
            };
            cfg.params.tx_copy_len = copy_len;
            let (on, off) = ratio(cfg, secs);
            let mut sim = Sim::headless(Config {
                throttle: false,
                ..cfg
            });
            sim.run_until((secs * 1e9) as u64);
            let c = sim.counters();
            let mut sim_on = Sim::headless(cfg);
            sim_on.run_until((secs * 1e9) as u64);
            let c_on = sim_on.counters();
            println!(
                "  {name:<15} tx {:.0}/{:.0} = {:.3}; TX completion notifies on {} off {} (of {} / {} to the guest)",
                on.goodput_mbps,
                off.goodput_mbps,
                on.goodput_mbps / off.goodput_mbps,
                c_on.tx_completion_notifies,
                c.tx_completion_notifies,
                c_on.guest_notifies,
                c.guest_notifies
            );
        }
        for d in [Direction::Tx, Direction::Rx] {
            for nb in [NetbackVariant::Buggy, NetbackVariant::Fixed] {
                let mut line = format!("  {d} {nb:<6}");
                for abi in [Abi::TwoLevel, Abi::Fifo] {
                    let r = run(
                        Config {
                            direction: d,
                            netback: nb,
                            seed,
                            abi,
                            ..Config::default()
                        },
                        secs,
                    );
                    line += &format!(
                        "  {abi}: {:.0} Mbit/s, dom0 {:.2}%, {} unmask hypercalls",
                        r.goodput_mbps, r.dom0_cpu_pct, r.unmask_hypercalls
                    );
                }
                println!("{line}");
            }
        }
    }
}
