//! Bounded work on any input: a lesson or scenario file that is a FIFO, a link to
//! `/dev/zero` or a huge file is refused at once with what it is; virtual time asked for
//! through `--keys` has the same cap as `--at`; an empty or wrong lesson directory is an
//! error, not a pass.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Run the binary with `args`, killed after 20 s (a hang fails the test, it does not hang
/// the suite).
fn lab(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A lesson directory with one good lesson (copied from the catalogue) and `bad` beside it.
fn dir_with(bad: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("lessons/01-ports-and-bits.toml"),
        dir.path().join("01-ports-and-bits.toml"),
    )
    .unwrap();
    bad(dir.path());
    dir
}

#[cfg(unix)]
#[test]
fn a_lesson_that_is_a_fifo_or_dev_zero_is_refused_at_once() {
    let fifo = dir_with(|d| {
        let c = std::ffi::CString::new(d.join("02-fifo.toml").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo(3) on a path in our own temporary directory.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    });
    let zero = dir_with(|d| {
        std::os::unix::fs::symlink("/dev/zero", d.join("02-zero.toml")).unwrap();
    });
    for (dir, what) in [(&fifo, "a FIFO"), (&zero, "a character device")] {
        let d = dir.path().to_str().unwrap();
        for args in [
            vec!["lessons", "check", "--dir", d],
            vec!["lessons", "--dir", d],
            vec!["snapshot", "--lesson", "01", "--dir", d],
        ] {
            let (out, took) = lab(&args);
            assert!(took < Duration::from_secs(10), "{args:?} took {took:?}");
            assert!(!out.status.success(), "{args:?}");
            let e = stderr(&out);
            assert!(
                e.contains("not a regular file") && e.contains(what),
                "{args:?}: {e}"
            );
        }
    }
}

#[test]
fn a_lesson_over_one_mib_is_refused() {
    let dir = dir_with(|d| {
        let mut text = String::from("id = \"02-big\"\ntitle = \"Big\"\nsummary = \"");
        text.push_str(&"x".repeat(2 << 20));
        text.push_str("\"\n");
        std::fs::write(d.join("02-big.toml"), text).unwrap();
    });
    let (out, _) = lab(&["lessons", "check", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(
        e.contains("02-big.toml: cannot read:") && e.contains("1 MiB"),
        "{e}"
    );
}

#[test]
fn an_empty_or_wrong_lesson_directory_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for d in [empty.path(), src.as_path()] {
        let (out, _) = lab(&["lessons", "check", "--dir", d.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", d.display());
        assert!(
            stderr(&out).contains("no lesson files (*.toml)"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn waits_in_keys_have_the_same_cap_as_at() {
    let (out, took) = lab(&["snapshot", "--keys", "wait 3600s"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("at most 600s"), "{}", stderr(&out));
    assert!(took < Duration::from_secs(5));
    let (out, _) = lab(&["snapshot", "--keys", "wait 300s, b, wait 301s"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn a_scenario_file_that_is_a_fifo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.toml");
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) on a path in our own temporary directory.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let e = evtchn_lab::scenario::ScenarioFile::load(&p).unwrap_err();
    assert!(e.to_string().contains("a FIFO"), "{e}");
}

#[test]
fn a_scenario_file_is_held_to_the_command_lines_ranges() {
    let p = Path::new("x.toml");
    for (body, says) in [
        ("[scenario]\nhz = 0\n", "hz is 0"),
        ("[scenario]\nthreshold = 65\n", "threshold is 65"),
        ("seconds = 0.0\n", "seconds is 0"),
        (
            "[scenario.params]\ndom0_eoi_ns = 0\n",
            "params.dom0_eoi_ns is 0",
        ),
        (
            "[expect]\ngoodput_mbps = { min = nan }\n",
            "min and max must be numbers",
        ),
    ] {
        let text = format!("name = \"n\"\n{body}\n[expect.x]\nmin = 1\n");
        let text = if body.starts_with("[expect]") {
            format!("name = \"n\"\n{body}")
        } else {
            text
        };
        let e = evtchn_lab::scenario::ScenarioFile::parse(p, &text).unwrap_err();
        assert!(e.message.contains(says), "{body}: {e}");
    }
}
