use evtchn_lab::sim::*;
fn main() {
    for dir in [Direction::Tx, Direction::Rx] {
        let mut s = Sim::new(Config {
            guest: GuestKind::Linux,
            direction: dir,
            ..Config::default()
        });
        s.run_until(1_000_000_000);
        let c = s.counters();
        let per: Vec<(u32, u64)> = s.ports().map(|p| (p.port, p.counters.events)).collect();
        println!(
            "linux {dir:?}: packets {} events {} per-port {:?}",
            c.packets_delivered, c.events_delivered, per
        );
    }
}
