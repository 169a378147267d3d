//! `evtchn-lab demo` and `evtchn-lab snapshot` as a user runs them: exit codes, messages,
//! the recording on disk, no progress written, the story as one demo.

mod common;
use common::{assert_nothing_saved, names};

use std::num::NonZeroU16;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_evtchn-lab");

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("evtchn-lab-demo-")
        .tempdir()
        .expect("a temp dir")
}

/// The binary with `args`, no terminal, its progress (if it wrote any) in `state`.
fn lab(args: &[&str], state: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .env("EVTCHN_LAB_STATE_DIR", state)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The screen a terminal of the recording's size shows after playing it.
fn replay(cast: &str) -> vt100::Parser {
    let mut lines = cast.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let size = |k: &str| NonZeroU16::new(header[k].as_u64().unwrap() as u16).unwrap();
    let mut p = vt100::Parser::new(size("height"), size("width"), 0);
    for line in lines {
        let ev: serde_json::Value = serde_json::from_str(line).unwrap();
        p.process(ev[2].as_str().unwrap().as_bytes());
    }
    p
}

#[test]
fn a_headless_recording_is_a_cast_file_the_same_every_time() {
    let dir = tempdir();
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    let a = dir.path().join("a.cast");
    let b = dir.path().join("b.cast");
    for f in [&a, &b] {
        let o = lab(
            &[
                "demo",
                "01",
                "--headless",
                "--record",
                f.to_str().unwrap(),
                "--size",
                "100x30",
            ],
            &state,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(
            out.contains("100x30") && out.contains("frames") && out.contains("asciinema play"),
            "{out}"
        );
    }
    let (ta, tb) = (
        std::fs::read_to_string(&a).unwrap(),
        std::fs::read_to_string(&b).unwrap(),
    );
    assert!(ta == tb, "two recordings of lesson 01 differ");
    let header: serde_json::Value = serde_json::from_str(ta.lines().next().unwrap()).unwrap();
    assert_eq!(header["version"], 2);
    assert_eq!(
        (header["width"].as_u64(), header["height"].as_u64()),
        (Some(100), Some(30))
    );
    let screen = replay(&ta).screen().contents();
    assert!(screen.contains("demo: the end"), "{screen}");
    assert!(screen.contains("lesson done: Ports and bits"), "{screen}");
    assert_nothing_saved(&state);
}

/// Lessons `src` of the built-in ones, renamed to `dst` (ids are file stems), without
/// `requires`, in `dir`.
fn lesson_copy(dir: &Path, src: &str, dst: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let text = std::fs::read_to_string(root.join(format!("{src}.toml"))).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("requires"))
        .map(|l| {
            if l.starts_with("id = ") {
                format!("id = \"{dst}\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(dir.join(format!("{dst}.toml")), text).unwrap();
}

/// `evtchn-lab demo` with no id plays lessons 08 to 11 in order, as one demo, opening each
/// from the list with the keys a learner would press; an author's directory can replace
/// them (its lessons are added to the built-in ones). A catalogue without some of them
/// names them.
#[test]
fn the_story_is_one_demo_of_lessons_08_to_11() {
    let dir = tempdir();
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    let lessons = dir.path().join("lessons");
    std::fs::create_dir(&lessons).unwrap();
    lesson_copy(&lessons, "01-ports-and-bits", "08-the-drop");
    lesson_copy(&lessons, "02-masking-and-coalescing", "10-the-real-culprit");
    let only_dir = evtchn_lab::lesson::Catalog::from_dir(&lessons).unwrap();
    assert_eq!(
        evtchn_lab::demo::Demo::story(&only_dir).unwrap_err(),
        vec!["09", "11"],
        "a catalogue without 09 and 11 names them"
    );
    lesson_copy(&lessons, "01-ports-and-bits", "09-the-bisect");
    lesson_copy(&lessons, "02-masking-and-coalescing", "11-the-fix");
    // Listed between 09 and 10: the demo moves down past it to open 10.
    lesson_copy(&lessons, "01-ports-and-bits", "095-interlude");
    let d = lessons.to_str().unwrap();
    let cast = dir.path().join("story.cast");
    let c = cast.to_str().unwrap();
    let o = lab(&["demo", "--dir", d, "--headless", "--record", c], &state);
    assert!(o.status.success(), "{:?} {}", o.status, stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!(
            "08-the-drop from {d} replaces the built-in 08-the-drop"
        )),
        "{e}"
    );
    let text = std::fs::read_to_string(&cast).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("evtchn-lab demo 08-the-drop 09-the-bisect 10-the-real-culprit 11-the-fix"),
        "the title names the lessons in order"
    );
    let screen = replay(&text).screen().contents();
    assert!(screen.contains("4 of 15 done"), "{screen}");
    let row = |id: &str| {
        screen
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id} listed\n{screen}"))
            .to_string()
    };
    for n in ["08", "09", "10", "11"] {
        assert!(row(&format!(" {n}  ")).contains("✓ done"), "{n}\n{screen}");
    }
    assert!(
        row(" 07  ").contains("new"),
        "07 is not in the story\n{screen}"
    );
    assert!(row(" 095  ").contains("new"), "nor is 095\n{screen}");
    assert_nothing_saved(&state);
}

#[test]
fn a_demo_says_what_is_wrong() {
    let dir = tempdir();
    let state = dir.path();
    let cast = dir.path().join("x.cast");
    let c = cast.to_str().unwrap();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["demo", "99", "--headless", "--record", c],
            2,
            "no lesson '99'",
        ),
        (&["demo", "01", "--headless"], 2, "--record"),
        (
            &["demo", "01", "--headless", "--record", c, "--size", "40x10"],
            2,
            "at least 60x18",
        ),
        (
            &["demo", "01", "--headless", "--record", c, "--speed", "0"],
            2,
            "0.1 to 100",
        ),
        // No terminal: say how to record instead.
        (&["demo", "01"], 1, "--headless --record demo.cast"),
        (
            &[
                "demo",
                "01",
                "--headless",
                "--record",
                "/nonexistent/dir/x.cast",
            ],
            1,
            "creating /nonexistent/dir/x.cast",
        ),
    ];
    for (args, code, says) in cases {
        let o = lab(args, state);
        assert_eq!(o.status.code(), Some(*code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    assert!(!cast.exists());
}

#[test]
fn a_snapshot_prints_one_frame() {
    let dir = tempdir();
    let o = lab(&["snapshot", "--at", "5s", "--size", "100x30"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 30, "{text}");
    // Every character of the frame is one column wide.
    assert!(
        text.lines()
            .all(|l| l.chars().count() <= 100 && !l.ends_with(' ')),
        "{text}"
    );
    assert!(
        text.contains("t 5.000s") && text.contains("goodput"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "plain text");

    let o = lab(&["snapshot", "--keys", "c", "--at", "2s"], dir.path());
    let text = stdout(&o);
    assert!(text.contains("netback A:OR B:AND"), "compare mode\n{text}");
    assert_eq!(text.lines().count(), 40, "120x40 by default");

    let o = lab(&["snapshot", "--lesson", "01", "--step", "3"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("step 3/4"), "{}", stdout(&o));

    let o = lab(
        &["snapshot", "--at", "1s", "--ansi", "--size", "80x24"],
        dir.path(),
    );
    let text = stdout(&o);
    assert!(
        text.contains("\x1b[0;") && text.ends_with("\x1b[0m\n"),
        "{text:?}"
    );
    assert_eq!(text.lines().count(), 24);
    assert_nothing_saved(dir.path());
}

#[test]
fn a_snapshot_says_what_is_wrong_and_exits_2() {
    let dir = tempdir();
    let cases: &[(&[&str], &str)] = &[
        (&["snapshot", "--lesson", "99"], "no lesson '99'"),
        (
            &["snapshot", "--lesson", "01", "--step", "9"],
            "has 4 steps, give 1 to 4",
        ),
        (
            &["snapshot", "--lesson", "01", "--step", "0"],
            "give 1 to 4",
        ),
        (&["snapshot", "--step", "2"], "--lesson"),
        (&["snapshot", "--size", "59x18"], "at least 60x18"),
        (&["snapshot", "--size", "big"], "write it like 120x40"),
        (&["snapshot", "--at", "soon"], "write it like 2s"),
        (&["snapshot", "--at", "2h"], "not a duration"),
        (&["snapshot", "--at", "601s"], "at most 600s"),
        (&["snapshot", "--keys", "b, Return"], "unknown key 'Return'"),
        (
            &["snapshot", "--keys", "b, k"],
            "'k' (item 2) does nothing there",
        ),
        (
            &["snapshot", "--lesson", "01", "--keys", "b"],
            "is locked in this step",
        ),
    ];
    for (args, says) in cases {
        let o = lab(args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}: no frame");
    }
}

/// A recording under a file-size limit (`ulimit -f`, as a full disk would stop it) fails
/// with a message naming the file and the cause (exit 1), and leaves the previous recording
/// whole and no temporary; without the limit, the new one replaces it whole. (Before,
/// SIGXFSZ killed the program half-way, the previous recording already cut to nothing.)
#[cfg(unix)]
#[test]
fn a_failed_recording_leaves_the_previous_one_whole() {
    let dir = tempdir();
    let state = dir.path().join("state");
    let target = dir.path().join("demo.cast");
    std::fs::write(&target, "the previous recording\n").unwrap();
    let record = [
        "demo",
        "01",
        "--headless",
        "--record",
        target.to_str().unwrap(),
    ];
    let mut cmd = Command::new(BIN);
    cmd.args(record).env("EVTCHN_LAB_STATE_DIR", &state);
    common::limit_file_size(&mut cmd, 16 * 1024);
    let out = cmd.output().expect("the binary runs");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{:?}: {err}", out.status);
    assert!(
        err.contains("cannot record the demo to")
            && err.contains("demo.cast")
            && err.contains("File too large"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "the previous recording\n"
    );
    assert_eq!(names(dir.path()), ["demo.cast"], "no temporary left");
    // Without the limit: replaced whole.
    let out = lab(&record, &state);
    assert!(out.status.success(), "{}", stderr(&out));
    let cast = std::fs::read_to_string(&target).unwrap();
    assert!(cast.starts_with("{\"version\": 2,"), "the new recording");
    assert_eq!(names(dir.path()), ["demo.cast"]);
}

/// A signal while recording headless (SIGTERM, SIGHUP) stops it: exit 128 + the signal's
/// number, a message, the previous recording whole and no temporary left.
#[cfg(unix)]
#[test]
fn a_signal_while_recording_leaves_the_previous_one_whole() {
    for (sig, name) in [(libc::SIGTERM, "SIGTERM"), (libc::SIGHUP, "SIGHUP")] {
        let dir = tempdir();
        let target = dir.path().join("story.cast");
        std::fs::write(&target, "the previous recording\n").unwrap();
        // The story: lessons 08 to 11, a second or more to record.
        let child = Command::new(BIN)
            .args(["demo", "--headless", "--record", target.to_str().unwrap()])
            .env("EVTCHN_LAB_STATE_DIR", dir.path().join("state"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        // Midway: once the recording is being written (a temporary beside it, or, as it
        // was, the file itself cut short).
        let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
        // (The state directory does not count: the lab may make it before it records.)
        let recording = || {
            names(dir.path())
                .iter()
                .any(|n| n != "story.cast" && n != "state")
        };
        while !recording()
            && std::fs::read_to_string(&target).unwrap_or_default() == "the previous recording\n"
        {
            assert!(
                std::time::Instant::now() < end,
                "the recording never started"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let out = common::stop_with(child, sig);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("stopped by {name}")) && err.contains("left as it was"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "the previous recording\n",
            "{name}"
        );
        let left: Vec<String> = names(dir.path())
            .into_iter()
            .filter(|n| n != "state")
            .collect();
        assert_eq!(left, ["story.cast"], "{name}: no temporary left");
    }
}

/// `demo --speed 5` says so in the status bar: it showed the lab's own "1×".
#[test]
fn a_demo_at_speed_5_says_5x() {
    let dir = tempdir();
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    let cast = dir.path().join("fast.cast");
    let c = cast.to_str().unwrap();
    let o = lab(
        &["demo", "01", "--headless", "--record", c, "--speed", "5"],
        &state,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&cast).unwrap();
    // The status bar, as drawn while the lesson plays (the last frame is the list).
    assert!(text.contains("5.0×"), "the status bar's speed");
    assert!(!text.contains("  1×  "), "never the lab's own 1×");
}
