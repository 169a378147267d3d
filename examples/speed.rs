use evtchn_lab::sim::*;
fn main() {
    for g in [GuestKind::Freebsd, GuestKind::Linux] {
        let t = std::time::Instant::now();
        let r = run(
            Config {
                guest: g,
                netback: NetbackVariant::Fixed,
                ..Config::default()
            },
            10.0,
        );
        let el = t.elapsed().as_secs_f64();
        println!(
            "{g:?}: {} pkts in {:.3}s wall = {:.2} M pkts/s",
            r.packets_delivered,
            el,
            r.packets_delivered as f64 / el / 1e6
        );
    }
}
