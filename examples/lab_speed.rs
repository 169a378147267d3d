//! What the live lab's tick really costs, headless: the app driven as `tui.rs`'s loop
//! drives it (`Msg::Advance { wall }` every 20 ms tick, then `Msg::Measured { took }`, a
//! 160×50 frame at 30 frames a second), free play with every pane on (the EOI-flow log's
//! narration, the throttle strip, the chart), in every network scenario and the rogue
//! guest's.
//!
//! ```sh
//! cargo run --release --example lab_speed            # every scenario at 100×
//! cargo run --release --example lab_speed -- 5       # 5 s of emulated wall time each
//! cargo run --release --example lab_speed -- 5 linux  # the scenarios whose name has "linux"
//! ```
//!
//! For each scenario it prints the lab's simulation rate (virtual seconds per second of
//! `Advance` work, lane bookkeeping and trace included), what a tick's work and a frame
//! cost, and the speed the app itself reports reaching (its meter, the status bar's
//! figure): the loop is emulated with the measured work, so a tick whose work runs past
//! 20 ms delays the next, as tokio's `interval` with `MissedTickBehavior::Delay` does.
//! "keeps up" is the status bar's rule: the speed reached is at least 90% of the one asked.

use std::time::{Duration, Instant};

use evtchn_lab::app::speed::Budget;
use evtchn_lab::app::{App, Msg, Options, update};
use evtchn_lab::sim::{Config, Direction, GuestKind, NetbackVariant};
use evtchn_lab::ui::{self, theme::Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const TICK: Duration = Duration::from_millis(20);
const FRAME: Duration = Duration::from_nanos(1_000_000_000 / 30);

fn main() {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(4.0);
    let mut scenarios = Vec::new();
    for guest in [GuestKind::Freebsd, GuestKind::Linux] {
        for direction in [Direction::Tx, Direction::Rx] {
            for netback in [NetbackVariant::Buggy, NetbackVariant::Fixed] {
                scenarios.push(Config {
                    guest,
                    direction,
                    netback,
                    ..Config::default()
                });
            }
        }
    }
    for throttle in [true, false] {
        scenarios.push(Config {
            guest: GuestKind::Rogue,
            throttle,
            ..Config::default()
        });
    }
    println!(
        "{:<34} {:>10} {:>10} {:>9} {:>9} {:>8}  at 100×",
        "scenario", "sim rate", "tick work", "frame", "reached", "highest"
    );
    let filter = std::env::args().nth(2).unwrap_or_default();
    for cfg in scenarios {
        let name = format!(
            "{} {} {}{}",
            cfg.guest,
            cfg.direction,
            cfg.netback,
            if cfg.guest == GuestKind::Rogue {
                format!(", throttle {}", if cfg.throttle { "on" } else { "off" })
            } else {
                String::new()
            }
        );
        if !name.contains(&filter) {
            continue;
        }
        let r = measure(cfg, secs);
        println!(
            "{:<34} {:>9.0}× {:>7.2} ms {:>6.0} µs {:>8.1}× {:>8}  {}",
            name,
            r.rate,
            r.tick_work_ms,
            r.frame_us,
            r.reached,
            r.highest,
            if r.reached >= 90.0 {
                "keeps up"
            } else {
                "lags"
            }
        );
    }
    println!(
        "sim rate: virtual seconds per second of Advance work; tick work: median per 20 ms \
         tick at 100× (the budget aims at {} ms); frame: median 160×50 render; reached: the \
         app's own meter at 100×; highest: the fastest rung of the ladder whose steady-state \
         budget (rate × {} ms per 20 ms tick) reaches 90% of it",
        Budget::TARGET_WORK.as_millis(),
        Budget::TARGET_WORK.as_millis()
    );
}

struct Result {
    rate: f64,
    tick_work_ms: f64,
    frame_us: f64,
    reached: f64,
    highest: &'static str,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Free play at 100× for `secs` of emulated wall time.
fn measure(cfg: Config, secs: f64) -> Result {
    let mut app = App::new(Options::free(cfg));
    while !app.speed.is_fastest() {
        update(&mut app, Msg::SpeedUp);
    }
    let theme = Theme::dark();
    let mut term = Terminal::new(TestBackend::new(160, 50)).expect("test backend");
    let mut wall = Duration::ZERO; // emulated
    let mut next_frame = Duration::ZERO;
    let mut work = Duration::ZERO;
    let mut virt = 0u64;
    let mut ticks = Vec::new();
    let mut frames = Vec::new();
    let mut step = TICK;
    let warm_up = Duration::from_secs(1);
    let end = warm_up + Duration::from_secs_f64(secs);
    let mut reached = 0.0;
    while wall < end {
        let before = app.lane.now_ns();
        let t0 = Instant::now();
        update(&mut app, Msg::Advance { wall: step });
        let took = t0.elapsed();
        update(&mut app, Msg::Measured { took });
        let mut spent = took;
        wall += step;
        if wall >= next_frame {
            let t1 = Instant::now();
            term.draw(|f| ui::draw(f, &app, &theme)).expect("draw");
            let d = t1.elapsed();
            spent += d;
            frames.push(d.as_secs_f64() * 1e6);
            next_frame = wall + FRAME;
        }
        if wall > warm_up {
            work += took;
            virt += app.lane.now_ns() - before;
            ticks.push(took.as_secs_f64() * 1e3);
            reached = app.lagging_speed().unwrap_or_else(|| app.speed.factor());
        }
        // The next tick: 20 ms after this one, or at once when the work ran longer.
        step = TICK.max(spent);
    }
    let rate = virt as f64 / 1e9 / work.as_secs_f64().max(1e-9);
    // The budget settles at `rate × TARGET_WORK` of virtual time per 20 ms tick; the status
    // bar calls a speed kept up when at least 90% of it is reached.
    let reachable = rate * Budget::TARGET_WORK.as_secs_f64() / TICK.as_secs_f64();
    let highest = evtchn_lab::app::speed::LADDER
        .iter()
        .rev()
        .find(|r| 0.9 * r.num as f64 / r.den as f64 <= reachable)
        .map_or("none", |r| r.label);
    Result {
        rate,
        tick_work_ms: median(&mut ticks),
        frame_us: median(&mut frames),
        reached,
        highest,
    }
}
