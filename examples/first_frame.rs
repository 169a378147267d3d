//! How long the lab takes to show its first frame: the release binary started in a 160×50
//! pseudo-terminal, timed from spawn to the moment the screen holds the first frame (its
//! status bar or the start screen's list), a few runs each, median printed.
//!
//! ```sh
//! cargo build --release && cargo run --release --example first_frame
//! ```

use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

fn main() {
    let bin = binary();
    let state = std::env::temp_dir().join(format!("evtchn-lab-first-frame.{}", std::process::id()));
    for (label, args, marker) in [
        ("start screen (evtchn-lab)", vec![], "free play"),
        ("free play (evtchn-lab free)", vec!["free"], "netback"),
        (
            "a lesson (evtchn-lab lesson 05)",
            vec!["lesson", "05"],
            "rogue",
        ),
    ] {
        let mut times: Vec<f64> = (0..7)
            .map(|_| first_frame_ms(&bin, &args, marker, &state))
            .collect();
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{label:<34} median {:6.1} ms  (min {:.1}, max {:.1}, 7 runs)",
            times[times.len() / 2],
            times[0],
            times[times.len() - 1]
        );
    }
    let _ = std::fs::remove_dir_all(&state);
}

/// Spawn, then wait until the screen shows `marker`; the child is killed afterwards.
fn first_frame_ms(bin: &PathBuf, args: &[&str], marker: &str, state: &PathBuf) -> f64 {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 50,
            cols: 160,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pty");
    let mut cmd = CommandBuilder::new(bin);
    cmd.args(args);
    cmd.env("TERM", "xterm-256color");
    cmd.env("EVTCHN_LAB_STATE_DIR", state);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        std::num::NonZeroU16::new(50).unwrap(),
        std::num::NonZeroU16::new(160).unwrap(),
        0,
    )));
    let mut reader = pair.master.try_clone_reader().expect("reader");
    let t0 = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).expect("spawn");
    drop(pair.slave);
    let p = Arc::clone(&parser);
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p.lock().unwrap().process(&buf[..n]);
        }
    });
    let shown = loop {
        if parser.lock().unwrap().screen().contents().contains(marker) {
            break t0.elapsed();
        }
        if t0.elapsed() > Duration::from_secs(10) {
            panic!("no first frame with {marker:?} after 10 s");
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    let _ = child.kill();
    let _ = child.wait();
    shown.as_secs_f64() * 1e3
}

fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target directory")
        .join("evtchn-lab");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --release` first",
        bin.display()
    );
    bin
}
