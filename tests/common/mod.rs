//! Helpers shared by the lab's UI tests: build an App, press keys through the key map,
//! click through the ui's hit test, advance in the loop's 20 ms ticks, draw a frame on
//! ratatui's `TestBackend`.
// Each test binary uses its own subset of these.
#![allow(dead_code, unused_macros)]

/// An insta snapshot of text, stored in the top-level `snapshots/` directory under `$name`
/// (no module prefix, no expression): the one place these settings live.
macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

/// [`snap!`] for a `Debug` value (buffers with their styles).
macro_rules! snap_debug {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_debug_snapshot!($name, $value);
        })
    };
}

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use evtchn_lab::app::{App, Msg, Options, keymap, update};
use evtchn_lab::sim::{Abi, Config, Direction, GuestKind, NetbackVariant};
use evtchn_lab::ui::{self, theme::Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

/// Every guest × direction × ABI × netback condition.
pub fn scenarios() -> Vec<Config> {
    let mut v = Vec::new();
    for &guest in GuestKind::ALL {
        for &direction in Direction::ALL {
            for &abi in Abi::ALL {
                for &netback in NetbackVariant::ALL {
                    v.push(Config {
                        guest,
                        direction,
                        abi,
                        netback,
                        ..Config::default()
                    });
                }
            }
        }
    }
    v
}

/// The lab at the story's start.
pub fn lab() -> App {
    lab_at(Config::default())
}

/// The lab starting from `cfg`.
pub fn lab_at(cfg: Config) -> App {
    App::new(Options::free(cfg))
}

/// One key as the terminal would send it, through the key map.
pub fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    if let Some(msg) = keymap::msg_for_key(app, &KeyEvent::new(code, mods)) {
        update(app, msg);
    }
}

/// Press character keys in order.
pub fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        key(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

/// A left click at a cell of a `w`×`h` terminal, as the loop handles it: the ui's hit
/// test, then the key map's meaning of the knob.
pub fn click(app: &mut App, w: u16, h: u16, column: u16, row: u16) {
    let size = Rect::new(0, 0, w, h);
    if let Some(msg) = ui::status_bar::hit(app, size, column, row).and_then(|c| c.resolve(app)) {
        update(app, msg);
    }
}

/// `secs` of wall time, in the loop's 20 ms ticks.
pub fn run(app: &mut App, secs: f64) {
    for _ in 0..(secs / 0.02).round() as u32 {
        update(
            app,
            Msg::Advance {
                wall: Duration::from_millis(20),
            },
        );
    }
}

/// Draw one `w`×`h` frame in `theme`.
pub fn frame_in(app: &App, theme: &Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app, theme)).unwrap();
    t
}

/// Draw one `w`×`h` frame in the default (dark) theme.
pub fn frame(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    frame_in(app, &Theme::dark(), w, h)
}

/// As the loop does after drawing on a `w`×`h` terminal: tell the app how far the help and
/// the lesson text reach, so scrolling stops at their end.
pub fn fit(app: &mut App, w: u16, h: u16) {
    let limits = ui::scroll_limits(app, &Theme::dark(), Rect::new(0, 0, w, h));
    update(app, Msg::ScrollLimits(limits));
}

/// The frame's text.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    frame(app, w, h).backend().to_string()
}

/// `run`'s longest storm: the rogue guest without the throttle for the longest run allowed
/// (minutes of wall time: long enough to catch it running and stop it).
pub const LONGEST_STORM: [&str; 7] = [
    "run",
    "--guest",
    "rogue",
    "--throttle",
    "off",
    "--seconds",
    "3600",
];

/// Nothing in the state directory: a demo keeps no progress.
pub fn assert_nothing_saved(state: &std::path::Path) {
    let left: Vec<_> = std::fs::read_dir(state)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "a demo keeps no progress: {left:?}");
}

/// The names in `dir`, sorted.
pub fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `cmd` runs under a file-size limit of `bytes`, as after `ulimit -f` (or on a disk that
/// fills up): `RLIMIT_FSIZE` set in the child before it runs.
#[cfg(unix)]
pub fn limit_file_size(cmd: &mut std::process::Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit(2) in the child before exec, nothing else.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: bytes as libc::rlim_t,
                rlim_max: bytes as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Send `sig` to `child`, wait for it, and check it exited with 128 + the signal's number
/// (it caught the signal and stopped as it should): its output.
#[cfg(unix)]
pub fn stop_with(child: std::process::Child, sig: libc::c_int) -> std::process::Output {
    // SAFETY: kill(2) of a child not yet waited for.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(128 + sig),
        "signal {sig}: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every `.rs` file below `dir` (the structure tests read `src/` with it).
pub fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
