//! Simulation speed: simulated packets per wall second (`cargo bench --bench sim`).
//! Each iteration simulates 0.25 s of virtual time from a fresh `Sim`; divan reports the
//! item rate, where one item is one data segment delivered.

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use evtchn_lab::sim::{Config, GuestKind, NetbackVariant, Sim};

fn main() {
    divan::main();
}

const VIRTUAL_NS: u64 = 250_000_000;

fn bench_scenario(bencher: Bencher, cfg: Config) {
    // The run is deterministic, so its packet count is known before timing.
    let packets = {
        let mut sim = Sim::new(cfg);
        sim.run_until(VIRTUAL_NS);
        sim.report().packets_delivered
    };
    bencher
        .counter(ItemsCount::new(packets))
        .with_inputs(|| Sim::new(cfg))
        .bench_local_values(|mut sim| {
            sim.run_until(VIRTUAL_NS);
            black_box(sim.receiver().next_seq)
        });
}

#[divan::bench(sample_count = 20)]
fn freebsd_tx_fixed(bencher: Bencher) {
    bench_scenario(
        bencher,
        Config {
            netback: NetbackVariant::Fixed,
            ..Config::default()
        },
    );
}

#[divan::bench(sample_count = 20)]
fn linux_tx(bencher: Bencher) {
    bench_scenario(
        bencher,
        Config {
            guest: GuestKind::Linux,
            ..Config::default()
        },
    );
}

#[divan::bench(sample_count = 20)]
fn freebsd_tx_buggy(bencher: Bencher) {
    bench_scenario(bencher, Config::default());
}
