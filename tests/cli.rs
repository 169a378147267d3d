//! The headless command as a user runs it: flags, exit codes, JSON and trace files.

use std::process::Command;

fn lab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn json_report_has_every_figure() {
    let out = lab(&["run", "--seconds", "0.5", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in [
        "goodput_mbps",
        "packets_offered",
        "packets_delivered",
        "packets_in_flight",
        "packets_dropped",
        "events_sent",
        "events_delivered",
        "spurious_events",
        "spurious_ratio",
        "jiffies_eoi_delayed",
        "dom0_cpu_pct",
        "simulated_seconds",
    ] {
        assert!(v.get(key).is_some_and(|x| x.is_number()), "missing {key}");
    }
    assert_eq!(v["config"]["guest"], "freebsd");
    assert_eq!(v["config"]["netback"], "buggy");
    assert_eq!(v["simulated_seconds"], 0.5);
    assert!(v["spurious_ratio"].as_f64().unwrap() > 0.98);
}

#[test]
fn flags_reach_the_simulation() {
    let out = lab(&[
        "run",
        "--guest",
        "linux",
        "--direction",
        "rx",
        "--netback",
        "fixed",
        "--throttle",
        "off",
        "--lateeoi",
        "off",
        "--hz",
        "1000",
        "--threshold",
        "3",
        "--seconds",
        "0.2",
        "--seed",
        "9",
        "--json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["config"];
    assert_eq!(
        (
            c["guest"].as_str(),
            c["direction"].as_str(),
            c["netback"].as_str()
        ),
        (Some("linux"), Some("rx"), Some("fixed"))
    );
    assert_eq!(
        (c["throttle"].as_bool(), c["lateeoi"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(
        (
            c["hz"].as_u64(),
            c["spurious_threshold"].as_u64(),
            c["seed"].as_u64()
        ),
        (Some(1000), Some(3), Some(9))
    );
    // without late EOI nothing is ever EOI'd late, so nothing is spurious
    assert_eq!(v["spurious_events"], 0);
}

/// The kernel accepts `spurious_threshold` 0 and uses 1 then: same run, same figures.
#[test]
fn threshold_zero_is_accepted_and_acts_as_one() {
    let run = |t: &'static str| {
        let out = lab(&["run", "--seconds", "0.3", "--json", "--threshold", t]);
        assert!(out.status.success(), "--threshold {t}");
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let cfg = v.as_object_mut().unwrap().remove("config").unwrap();
        (v, cfg["spurious_threshold"].as_u64())
    };
    let (zero, t0) = run("0");
    let (one, t1) = run("1");
    assert_eq!((t0, t1), (Some(0), Some(1)));
    assert_eq!(zero, one);
    assert_eq!(lab(&["run", "--threshold", "65"]).status.code(), Some(2));
}

/// The sysfs counters came after patch 12: with it off, the report names the figure for
/// what it is.
#[test]
fn the_report_with_the_throttle_off_says_would_be_flagged_spurious() {
    let text = |args: &[&str]| {
        let out = lab(args);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let off = text(&["run", "--seconds", "0.2", "--throttle", "off"]);
    assert!(off.contains("would be flagged spurious"), "{off}");
    assert!(!off.contains("spurious_events"), "{off}");
    let on = text(&["run", "--seconds", "0.2"]);
    assert!(
        on.contains("spurious_events") && !on.contains("would be"),
        "{on}"
    );
}

/// `--abi fifo` runs dom0 on FIFO event channels; the story's figures come out the same.
#[test]
fn abi_flag_picks_the_event_channel_abi() {
    let run = |abi: &'static str| {
        let out = lab(&["run", "--seconds", "0.3", "--json", "--abi", abi]);
        assert!(out.status.success(), "--abi {abi}");
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let cfg = v.as_object_mut().unwrap().remove("config").unwrap();
        assert_eq!(cfg["abi"], abi);
        v
    };
    assert_eq!(run("fifo"), run("2l"));
    let bad = lab(&["run", "--abi", "3l"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2l, fifo"));
    let text = lab(&["run", "--seconds", "0.1", "--abi", "fifo"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("FIFO event channels"));
}

#[test]
fn same_seed_same_output() {
    let a = lab(&["run", "--seconds", "0.3", "--json", "--seed", "4"]);
    let b = lab(&["run", "--seconds", "0.3", "--json", "--seed", "4"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn table_report_reads_well() {
    let out = lab(&["run", "--seconds", "0.5"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "goodput",
        "Mbit/s",
        "spurious_events",
        "jiffies_eoi_delayed",
        "netback buggy (!tx | !rx)",
        "dom0 CPU",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn bad_flags_exit_2_with_a_clear_message() {
    for (args, needle) in [
        (
            &["run", "--guest", "solaris"][..],
            "possible values: freebsd, linux, rogue",
        ),
        (&["run", "--hz", "0"][..], "--hz"),
        (&["run", "--seconds", "-1"][..], "seconds"),
        (&["run", "--threshold", "x"][..], "--threshold"),
        (&["run", "--frobnicate"][..], "unexpected argument"),
    ] {
        let out = lab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn trace_file_is_chrome_trace_json_with_pause_slices() {
    let path = std::env::temp_dir().join(format!("evtchn-lab-trace-{}.json", std::process::id()));
    let out = lab(&[
        "run",
        "--seconds",
        "0.2",
        "--json",
        "--trace",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let evs = v["traceEvents"].as_array().unwrap();
    let pauses: Vec<_> = evs
        .iter()
        .filter(|e| {
            e["ph"] == "X"
                && e["name"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("throttle pause")
        })
        .collect();
    // 0.2 s at HZ 250 = 50 ticks, one 1-jiffy pause each
    assert!(pauses.len() >= 45, "only {} pause slices", pauses.len());
    for p in &pauses {
        let dur = p["dur"].as_f64().unwrap();
        assert!(
            dur > 0.0 && dur <= 4_100.0,
            "a 1-jiffy pause lasts at most ~4 ms, got {dur} µs"
        );
    }
    assert!(
        evs.iter()
            .any(|e| e["ph"] == "M" && e["name"] == "thread_name")
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["throttle_pauses"].as_u64().unwrap() >= pauses.len() as u64);
    std::fs::remove_file(&path).ok();
}

#[test]
fn unwritable_trace_path_is_a_clear_error() {
    let out = lab(&[
        "run",
        "--seconds",
        "0.1",
        "--trace",
        "/nonexistent-dir/x.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent-dir/x.json"), "{err}");
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("evtchn-lab-cli-")
        .tempdir()
        .expect("a temp dir")
}

/// The names in `dir`, sorted.
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `--trace` over a file that exists: written beside it and renamed onto it at the end, so
/// the new trace replaces it whole, keeps its permissions, and nothing else is left.
#[cfg(unix)]
#[test]
fn a_trace_replaces_the_previous_file_whole() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let target = dir.path().join("run.json");
    std::fs::write(&target, "previous").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = lab(&[
        "run",
        "--seconds",
        "0.2",
        "--trace",
        target.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).expect("the new trace, whole");
    assert!(v["traceEvents"].as_array().is_some_and(|a| a.len() > 100));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the previous file's permissions");
    assert_eq!(names(dir.path()), ["run.json"], "no temporary left");
    // /dev/null is written to, never replaced.
    let out = lab(&["run", "--seconds", "0.1", "--trace", "/dev/null"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

/// A trace that cannot be written whole (here `ulimit -f`: at most 64 KiB per file, as a
/// full disk would stop it) leaves the previous file as it was and no temporary file;
/// the error names the file and the cause, exit code 1. (Before: the write went straight
/// into the file, and SIGXFSZ killed the run half-way, the file cut short.)
#[cfg(unix)]
#[test]
fn a_failed_trace_write_leaves_the_previous_file_and_no_temporary() {
    use std::os::unix::process::CommandExt;
    let dir = temp_dir();
    let target = dir.path().join("run.json");
    std::fs::write(&target, "previous").unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"));
    cmd.args(["run", "--seconds", "1", "--trace", target.to_str().unwrap()]);
    // SAFETY: setrlimit(2) in the child before exec, nothing else.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 64 * 1024,
                rlim_max: 64 * 1024,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "exit 1, not {:?}: {err}",
        out.status
    );
    assert!(
        err.contains("cannot write the trace to")
            && err.contains("run.json")
            && err.contains("left as it was"),
        "{err}"
    );
    assert!(err.contains("File too large"), "the cause: {err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "previous");
    assert_eq!(names(dir.path()), ["run.json"], "no temporary left");
}

/// `run` stopped by Ctrl-C (SIGINT; here without a terminal, as `kill -INT` does) prints the
/// report of the virtual time simulated so far, says so first, and exits 130.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_run_early_with_the_report_so_far() {
    for json in [false, true] {
        let mut args = vec![
            "run",
            "--guest",
            "rogue",
            "--throttle",
            "off",
            "--seconds",
            "3600",
        ];
        if json {
            args.push("--json");
        }
        let child = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary runs");
        std::thread::sleep(std::time::Duration::from_millis(700));
        // SAFETY: kill(2) of our child, still running (the run lasts minutes).
        assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
        let started = std::time::Instant::now();
        let out = child.wait_with_output().unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "stopped at once"
        );
        assert_eq!(out.status.code(), Some(130), "{:?}", out.status);
        let stdout = String::from_utf8(out.stdout).unwrap();
        if json {
            let v: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
            assert_eq!(v["stopped_early"], true, "{v}");
            assert_eq!(v["stopped_by"], "Ctrl-C", "{v}");
            assert_eq!(v["seconds_asked"], 3600.0, "{v}");
            let s = v["simulated_seconds"].as_f64().unwrap();
            assert!(s > 0.0 && s < 3600.0, "{s}");
            assert!(v["events_sent"].as_u64().unwrap() > 0, "{v}");
        } else {
            let first = stdout.lines().next().unwrap_or("");
            assert!(
                first.starts_with("evtchn-lab run: ")
                    && first.ends_with("s of virtual time, stopped early by Ctrl-C (3600 s asked)"),
                "{stdout}"
            );
            assert!(stdout.contains("goodput over time"), "{stdout}");
        }
        // stderr is not a terminal: no progress bar.
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Stopped early, a trace still ends as a whole document, renamed into place.
#[cfg(unix)]
#[test]
fn a_run_stopped_early_keeps_its_trace_whole() {
    let dir = temp_dir();
    let target = dir.path().join("run.json");
    let child = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
        .args([
            "run",
            "--seconds",
            "3600",
            "--trace",
            target.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    std::thread::sleep(std::time::Duration::from_millis(500));
    // SAFETY: kill(2) of our child, still running.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143), "{:?}", out.status);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("stopped early by SIGTERM"), "{stdout}");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).expect("a whole trace");
    assert!(v["traceEvents"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(names(dir.path()), ["run.json"], "no temporary left");
}
