//! End to end: the real binary in a real (tmux) terminal. Press `b`, see the operator and the
//! goodput figure change, press `q`, and check the process exited and left the terminal as
//! it found it (main screen back, cooked mode, no mouse reporting, cursor shown). A second
//! run ends the lab with SIGTERM instead.
//!
//! Needs `tmux` (CI installs it); without it the tests fail with a clear message.

use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_evtchn-lab");

/// A private tmux server (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, width: u16, height: u16) -> Self {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "tmux is needed for the end-to-end test of the lab: install it (apt-get install tmux)"
        );
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let t = Tmux {
            socket: format!("evtchn-e2e-{name}-{}-{nanos}", std::process::id()),
        };
        // A shell prints a marker, runs the lab, then reports how it ended and whether the
        // terminal is back in canonical (cooked) mode.
        let socket = t.socket.clone();
        let script = format!(
            "echo SHELL-READY; EVTCHN_LAB_STATE_DIR=/tmp/{socket}-state '{BIN}' free; echo LAB-EXIT=$?; \
             stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\{{0,1\\}}icanon' | sed 's/^/MODE=/'; \
             exec sleep 60"
        );
        let out = t.tmux(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-s",
            "lab",
            "sh",
            "-c",
            &script,
        ]);
        assert!(out.status.success(), "tmux new-session: {out:?}");
        t
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "lab"]).stdout)
            .into_owned()
    }

    fn flag(&self, name: &str) -> String {
        let fmt = format!("#{{{name}}}");
        String::from_utf8_lossy(
            &self
                .tmux(&["display-message", "-p", "-t", "lab", &fmt])
                .stdout,
        )
        .trim()
        .to_string()
    }

    fn keys(&self, keys: &str) {
        assert!(
            self.tmux(&["send-keys", "-t", "lab", keys])
                .status
                .success()
        );
    }

    /// Poll the screen until `pred` holds (or fail after `secs`, showing the screen).
    fn wait_for(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The lab's process id (the child of the pane's shell).
    fn lab_pid(&self) -> u32 {
        let shell = self.flag("pane_pid");
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .ok()
            .filter(|c| !c.trim().is_empty())
            .or_else(|| {
                let out = Command::new("pgrep").args(["-P", &shell]).output().ok()?;
                Some(String::from_utf8_lossy(&out.stdout).into_owned())
            })
            .unwrap_or_default();
        children
            .split_whitespace()
            .next()
            .and_then(|p| p.parse().ok())
            .expect("the lab runs under the pane's shell")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// `goodput NNN Mbit/s` on the screen.
fn goodput(screen: &str) -> Option<f64> {
    let at = screen.find("goodput ")?;
    screen[at + 8..].split_whitespace().next()?.parse().ok()
}

fn assert_restored(t: &Tmux, screen: &str) {
    assert_eq!(t.flag("alternate_on"), "0", "alternate screen left");
    assert!(
        screen.contains("SHELL-READY"),
        "the shell's screen is back:\n{screen}"
    );
    assert!(
        !screen.contains("xl debug-keys"),
        "no lab left on screen:\n{screen}"
    );
    assert!(
        screen.contains("MODE=icanon"),
        "cooked mode again:\n{screen}"
    );
    assert_eq!(t.flag("cursor_flag"), "1", "cursor shown");
    for m in ["mouse_any_flag", "mouse_button_flag", "mouse_all_flag"] {
        assert_eq!(t.flag(m), "0", "{m}: mouse reporting off");
    }
}

#[test]
fn press_b_then_q_in_a_real_terminal() {
    let t = Tmux::start("bq", 120, 40);
    let s = t.wait_for("the lab with a goodput figure", 10, |s| {
        s.contains("(!tx | !rx)") && goodput(s).is_some_and(|g| g > 0.0)
    });
    assert_eq!(
        t.flag("alternate_on"),
        "1",
        "the lab uses the alternate screen"
    );
    assert!(s.contains("netback OR"), "{s}");
    // Let the figure settle on the buggy rate (a full virtual second at 1×).
    std::thread::sleep(Duration::from_millis(1200));
    let before = goodput(&t.screen()).expect("goodput figure");

    t.keys("b");
    let s = t.wait_for("the fixed operator and a higher figure", 6, |s| {
        s.contains("(!tx && !rx)") && goodput(s).is_some_and(|g| g > before * 2.0)
    });
    assert!(s.contains("netback AND"), "{s}");
    assert!(!s.contains("(!tx | !rx)"), "{s}");

    t.keys("q");
    let s = t.wait_for("the lab to exit", 6, |s| {
        s.contains("LAB-EXIT=") && s.contains("MODE=")
    });
    assert!(s.contains("LAB-EXIT=0"), "exit status 0:\n{s}");
    assert_restored(&t, &s);
}

#[test]
fn sigterm_restores_the_terminal() {
    let t = Tmux::start("term", 100, 30);
    t.wait_for("the lab", 10, |s| goodput(s).is_some());
    let pid = t.lab_pid();
    let kill = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    assert!(kill.is_ok_and(|s| s.success()), "kill -TERM {pid}");
    let s = t.wait_for("the lab to exit", 6, |s| {
        s.contains("LAB-EXIT=") && s.contains("MODE=")
    });
    assert!(s.contains("LAB-EXIT=0"), "{s}");
    assert_restored(&t, &s);
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let t = Tmux::start("ctrlc", 80, 24);
    t.wait_for("the lab", 10, |s| goodput(s).is_some());
    t.keys("C-c");
    let s = t.wait_for("the lab to exit", 6, |s| {
        s.contains("LAB-EXIT=") && s.contains("MODE=")
    });
    assert!(s.contains("LAB-EXIT=0"), "{s}");
    assert_restored(&t, &s);
}
