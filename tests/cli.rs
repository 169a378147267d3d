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
