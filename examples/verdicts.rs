//! Tally netback's handler verdicts for a scenario: which work each event found, and which
//! of the guest's notifications raised it (the one that set the port pending: TX requests
//! or an RX refill).
//! `cargo run --release --example verdicts -- freebsd rx [SECONDS] [SEED] [2l|fifo]`
use evtchn_lab::sim::*;
use std::collections::BTreeMap;
const USAGE: &str =
    "usage: verdicts [freebsd|linux] [tx|rx] [SECONDS (1..=3600, default 10)] [SEED] [2l|fifo]";

/// The arguments, or what is wrong with them.
fn args() -> Result<(GuestKind, Direction, u64, u64, Abi), String> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let named = |i: usize, d: &str| a.get(i).map_or(d.to_string(), String::clone);
    let guest: GuestKind = named(0, "freebsd")
        .parse()
        .map_err(|e: UnknownName| e.to_string())?;
    let direction: Direction = named(1, "tx")
        .parse()
        .map_err(|e: UnknownName| e.to_string())?;
    let whole = |i: usize, name: &str, d: u64| -> Result<u64, String> {
        a.get(i).map_or(Ok(d), |s| {
            s.parse()
                .map_err(|_| format!("{name} must be a whole number, not '{s}'"))
        })
    };
    let seconds = whole(2, "SECONDS", 10)?;
    if !(1..=3600).contains(&seconds) {
        return Err(format!("SECONDS must be from 1 to 3600, not {seconds}"));
    }
    let seed = whole(3, "SEED", 1)?;
    let abi: Abi = named(4, "2l")
        .parse()
        .map_err(|e: UnknownName| e.to_string())?;
    Ok((guest, direction, seconds, seed, abi))
}

fn main() {
    let (guest, direction, seconds, seed, abi) = args().unwrap_or_else(|e| {
        eprintln!("verdicts: {e}\n{USAGE}");
        std::process::exit(2);
    });
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
