//! What speed the live lab reaches, headless: the lab's own simulation thread
//! (`tui::sim`) advancing while this thread draws a 160×50 frame 30 times a second under
//! the same lock (as `tui/lab.rs` does), free play with every pane on, at 100×, in every
//! network scenario, the rogue guest's, and compare mode (netback buggy vs fixed).
//!
//! ```sh
//! cargo run --release --example lab_speed            # 4 s each, after 1 s of warm-up
//! cargo run --release --example lab_speed -- 5       # 5 s each
//! cargo run --release --example lab_speed -- 5 linux  # the scenarios whose name has "linux"
//! ```
//!
//! For each scenario: the virtual clock's rate against the wall over the measured seconds,
//! the speed the app itself reports (its meter: the status bar's figure), whether it keeps
//! up (the status bar's rule: at least 90% of the speed asked), the highest rung of the
//! speed ladder the clock's rate keeps up with, and a frame's median time (drawn under the
//! lock: the simulation waits that long 30 times a second).

use std::sync::Arc;
use std::time::{Duration, Instant};

use evtchn_lab::app::speed::LADDER;
use evtchn_lab::app::{App, Msg, Options, update};
use evtchn_lab::sim::{Config, GuestKind};
use evtchn_lab::tui::sim::{Shared, spawn};
use evtchn_lab::ui::{self, theme::Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const FRAME: Duration = Duration::from_nanos(1_000_000_000 / 30);
const WARM_UP: Duration = Duration::from_secs(1);

fn main() {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(4.0);
    let filter = std::env::args().nth(2).unwrap_or_default();
    println!(
        "{:<38} {:>9} {:>9} {:>9} {:>8}  at 100×",
        "scenario", "clock", "reached", "frame", "highest"
    );
    for (name, cfg, compare) in scenarios() {
        if !name.contains(&filter) {
            continue;
        }
        let r = measure(cfg, compare, Duration::from_secs_f64(secs));
        println!(
            "{:<38} {:>8.1}× {:>8.1}× {:>6.0} µs {:>8}  {}",
            name,
            r.clock,
            r.reached,
            r.frame_us,
            highest(r.clock),
            if r.keeps_up { "keeps up" } else { "lags" }
        );
    }
    println!(
        "clock: virtual seconds per wall second over the measured time; reached: the app's \
         own meter (the status bar's figure); frame: median 160×50 draw; highest: the fastest \
         rung of the ladder the clock keeps up with (90% of it or more)"
    );
}

/// Every network scenario, the rogue guest's, and compare mode: name, config, compare.
fn scenarios() -> Vec<(String, Config, bool)> {
    let mut v = Vec::new();
    for cfg in Config::network_scenarios() {
        let name = format!("{} {} {}", cfg.guest, cfg.direction, cfg.netback);
        v.push((name, cfg, false));
    }
    for guest in [GuestKind::Freebsd, GuestKind::Linux] {
        let cfg = Config {
            guest,
            ..Config::default()
        };
        let name = format!("{guest} {}, compare netback", cfg.direction);
        v.push((name, cfg, true));
    }
    for throttle in [true, false] {
        let cfg = Config {
            guest: GuestKind::Rogue,
            throttle,
            ..Config::default()
        };
        let name = format!("rogue, throttle {}", if throttle { "on" } else { "off" });
        v.push((name, cfg, false));
    }
    v
}

/// The fastest rung whose 90% the clock's `rate` reaches.
fn highest(rate: f64) -> &'static str {
    LADDER
        .iter()
        .rev()
        .find(|r| 0.9 * r.num as f64 / r.den as f64 <= rate)
        .map_or("none", |r| r.label)
}

struct Measured {
    clock: f64,
    reached: f64,
    keeps_up: bool,
    frame_us: f64,
}

/// The lab at 100× for `WARM_UP` + `time` of wall time, the simulation on its thread.
fn measure(cfg: Config, compare: bool, time: Duration) -> Measured {
    let mut app = App::new(Options::free(cfg));
    if compare {
        update(&mut app, Msg::ToggleCompare);
    }
    while !app.speed.is_fastest() {
        update(&mut app, Msg::SpeedUp);
    }
    let shared = Shared::new(app);
    let thread = spawn(&shared).expect("the simulation thread starts");
    let theme = Theme::dark();
    let mut term = Terminal::new(TestBackend::new(160, 50)).expect("test backend");
    let mut frames = Vec::new();
    let start = Instant::now();
    let mut from = None;
    let mut next = start;
    let end = start + WARM_UP + time;
    while next < end {
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
        next += FRAME;
        let app = lock(&shared);
        let t = Instant::now();
        term.draw(|f| ui::draw(f, &app, &theme)).expect("draw");
        frames.push(t.elapsed().as_secs_f64() * 1e6);
        if from.is_none() && t >= start + WARM_UP {
            from = Some((t, app.lane.now_ns()));
        }
    }
    let app = lock(&shared);
    let (t0, v0) = from.unwrap_or((start, 0));
    let clock = (app.lane.now_ns() - v0) as f64 / 1e9 / t0.elapsed().as_secs_f64();
    let reached = app.lagging_speed().unwrap_or_else(|| app.speed.factor());
    let keeps_up = app.lagging_speed().is_none();
    drop(app);
    shared.stop();
    thread.join().expect("the simulation thread ends");
    frames.sort_by(f64::total_cmp);
    Measured {
        clock,
        reached,
        keeps_up,
        frame_us: frames.get(frames.len() / 2).copied().unwrap_or(0.0),
    }
}

fn lock(shared: &Arc<Shared>) -> std::sync::MutexGuard<'_, App> {
    shared.lock().expect("the simulation thread runs")
}
