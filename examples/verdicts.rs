//! Tally netback's handler verdicts for a scenario: which work each event found, and which
//! of the guest's notifications raised it (the one that set the port pending: TX requests
//! or an RX refill).
//! `cargo run --release --example verdicts -- freebsd rx [SECONDS] [SEED] [2l|fifo]`
use evtchn_lab::sim::*;
use std::collections::BTreeMap;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let guest = if a.get(1).map(String::as_str) == Some("linux") {
        GuestKind::Linux
    } else {
        GuestKind::Freebsd
    };
    let direction = if a.get(2).map(String::as_str) == Some("rx") {
        Direction::Rx
    } else {
        Direction::Tx
    };
    let seconds: u64 = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let abi: Abi = a.get(5).map_or(Abi::TwoLevel, |s| s.parse().unwrap());
    let mut sim = Sim::with_trace_capacity(
        Config {
            guest,
            direction,
            seed,
            abi,
            ..Config::default()
        },
        1 << 16,
    );
    let mut tally: BTreeMap<String, u64> = BTreeMap::new();
    let mut cause: BTreeMap<u32, NotifyCause> = BTreeMap::new();
    let mut next = 0;
    for ms in 1..=seconds * 1000 {
        sim.run_until(ms * 1_000_000);
        assert!(sim.trace().first_seq() <= next, "trace ring overflowed");
        for e in sim.trace().since(next) {
            let key = match e.kind {
                TraceKind::Verdict {
                    port,
                    tx_work,
                    rx_work,
                    spurious,
                    ..
                } => {
                    let why = cause.get(&port).map_or("?", |c| c.label());
                    format!("verdict tx={tx_work} rx={rx_work} spurious={spurious:?} ← {why}")
                }
                TraceKind::LateEoi {
                    source,
                    spurious,
                    result,
                    ..
                } => format!(
                    "lateeoi {source:?} spurious={spurious} {}",
                    match result {
                        EoiResult::Paused { jiffies, .. } => format!("paused {jiffies}"),
                        r => format!("{r:?}"),
                    }
                ),
                TraceKind::Notify {
                    port,
                    outcome,
                    cause: c,
                } => {
                    // The notify that sets the port pending is the one its next event answers.
                    if outcome != SendOutcome::Coalesced {
                        cause.insert(port, c);
                    }
                    format!("notify {} {outcome:?}", c.label())
                }
                _ => continue,
            };
            *tally.entry(key).or_default() += 1;
        }
        next = sim.trace().next_seq();
    }
    for (k, v) in tally {
        println!("{v:>8}  {k}");
    }
    let c = sim.counters();
    println!(
        "{:>8}  events delivered ({} s, seed {seed}, {abi}), {} non-spurious",
        c.events_delivered,
        seconds,
        c.lateeoi_calls - c.spurious_events
    );
}
