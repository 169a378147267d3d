//! Tally netback's handler verdicts for a scenario: which work each event found.
//! `cargo run --release --example verdicts -- freebsd rx`
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
    let mut sim = Sim::with_trace_capacity(
        Config {
            guest,
            direction,
            ..Config::default()
        },
        1 << 16,
    );
    let mut tally: BTreeMap<String, u64> = BTreeMap::new();
    let mut next = 0;
    for ms in 1..=2000 {
        sim.run_until(ms * 1_000_000);
        for e in sim.trace().since(next) {
            let key = match e.kind {
                TraceKind::Verdict {
                    tx_work,
                    rx_work,
                    spurious,
                    ..
                } => format!("verdict tx={tx_work} rx={rx_work} spurious={spurious:?}"),
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
                TraceKind::Notify { outcome, .. } => format!("notify {outcome:?}"),
                _ => continue,
            };
            *tally.entry(key).or_default() += 1;
        }
        next = sim.trace().next_seq();
    }
    for (k, v) in tally {
        println!("{v:>8}  {k}");
    }
}
