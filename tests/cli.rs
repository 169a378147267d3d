//! The headless command as a user runs it: flags, exit codes, JSON and trace files.

mod common;

use std::process::Command;

use common::names;

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

/// `--abi fifo` runs dom0 on FIFO event channels; the story's event flow comes out the
/// same, and FIFO's `EVTCHNOP_unmask` hypercalls cost dom0 a little more.
#[test]
fn abi_flag_picks_the_event_channel_abi() {
    let run = |abi: &'static str| {
        let out = lab(&["run", "--seconds", "0.3", "--json", "--abi", abi]);
        assert!(out.status.success(), "--abi {abi}");
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let m = v.as_object_mut().unwrap();
        let cfg = m.remove("config").unwrap();
        assert_eq!(cfg["abi"], abi);
        let cost = (
            m.remove("dom0_cpu_pct").unwrap().as_f64().unwrap(),
            m.remove("unmask_hypercalls").unwrap().as_u64().unwrap(),
        );
        (v, cost)
    };
    let ((fifo, (fifo_cpu, hypercalls)), (two_level, (cpu, none))) = (run("fifo"), run("2l"));
    assert_eq!(fifo, two_level);
    assert_eq!(none, 0);
    assert!(
        hypercalls > 0 && fifo_cpu > cpu,
        "{hypercalls} hypercalls, {fifo_cpu} vs {cpu}"
    );
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
    let dir = temp_dir();
    let target = dir.path().join("run.json");
    std::fs::write(&target, "previous").unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"));
    cmd.args(["run", "--seconds", "1", "--trace", target.to_str().unwrap()]);
    common::limit_file_size(&mut cmd, 64 * 1024);
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

/// Wait until process `pid` catches signal `sig` (Linux: its `SigCgt` mask in /proc; else
/// a second), so a signal sent next is the program's to handle, not the default action.
#[cfg(unix)]
fn wait_until_caught(pid: u32, sig: libc::c_int) {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    if !cfg!(target_os = "linux") {
        std::thread::sleep(std::time::Duration::from_secs(1));
        return;
    }
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let caught = status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
            .is_some_and(|m| m & (1 << (sig - 1)) != 0);
        if caught {
            return;
        }
        assert!(
            std::time::Instant::now() < end,
            "{pid} never caught signal {sig}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// `run` stopped by Ctrl-C (SIGINT; here without a terminal, as `kill -INT` does) prints the
/// report of the virtual time simulated so far, says so first, and exits 130.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_run_early_with_the_report_so_far() {
    for json in [false, true] {
        let mut args = common::LONGEST_STORM.to_vec();
        if json {
            args.push("--json");
        }
        let child = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary runs");
        wait_until_caught(child.id(), libc::SIGINT);
        std::thread::sleep(std::time::Duration::from_millis(200));
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
    a_run_stopped_by(libc::SIGTERM, "SIGTERM");
}

/// A traced run (over a previous trace) stopped by `sig` (called `name` in the report) once
/// it catches it: exit 128 + its number, the report says so, the trace is whole and no
/// temporary file is left.
#[cfg(unix)]
fn a_run_stopped_by(sig: libc::c_int, name: &str) {
    let dir = temp_dir();
    let target = dir.path().join("run.json");
    std::fs::write(&target, "previous").unwrap();
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
    wait_until_caught(child.id(), sig);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let out = common::stop_with(child, sig);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("stopped early by {name}")),
        "{stdout}"
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).expect("a whole trace");
    assert!(v["traceEvents"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(names(dir.path()), ["run.json"], "{name}: no temporary left");
}

/// `evtchn-lab completions SHELL` prints a script for that shell from the clap definition:
/// every command and flag in it; an unknown shell is refused (exit 2).
#[test]
fn completions_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "-o bashdefault -o default evtchn-lab"),
        ("zsh", "#compdef evtchn-lab"),
        ("fish", "complete -c evtchn-lab"),
    ] {
        let out = lab(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {marker}");
        // fish names a flag without its dashes.
        for word in [
            "snapshot",
            "lessons",
            "guest",
            "threshold",
            "record",
            "rogue",
        ] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    assert_eq!(lab(&["completions", "tcsh"]).status.code(), Some(2));
}

/// `evtchn-lab man` prints the man page (roff) from the clap definition, `man run` the
/// page of one command, its flags and their ranges included; an unknown one exits 2.
#[test]
fn man_pages_from_the_clap_definition() {
    let page = |args: &[&str]| {
        let out = lab(args);
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let main = page(&["man"]);
    assert!(main.contains(".TH evtchn-lab 1"), "{main}");
    for cmd in evtchn_lab::cmd::cli::COMMANDS {
        assert!(main.contains(&cmd.replace('-', "\\-")), "{cmd} listed");
    }
    let run = page(&["man", "run"]);
    assert!(run.contains(".TH evtchn-lab-run 1"), "{run}");
    assert!(
        run.contains("\\fB\\-\\-hz\\fR") && run.contains("[range: 1 to 10000]"),
        "{run}"
    );
    assert_eq!(lab(&["man", "nothing"]).status.code(), Some(2));
    // The list `man` accepts is the definition's.
    let defined: Vec<String> = evtchn_lab::cmd::cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    assert_eq!(defined, evtchn_lab::cmd::cli::COMMANDS);
}

/// Every flag that takes a number, a size or a time shows its range in `--help`
/// (`[range: LO to HI]`), and the parser agrees: both ends are accepted, one step beyond
/// either is refused. (Flags taking a name from a list show `[possible values: …]`; files,
/// directories, ids, scripts and share strings have no range.)
#[test]
fn help_shows_each_values_range_and_the_parser_agrees() {
    use clap::Parser;
    use evtchn_lab::cmd::cli::Cli;
    let free_form = [
        "FILE",
        "DIR",
        "FILE.cast",
        "ID",
        "ITEMS",
        "COMMAND",
        "SHELL",
        "STRING",
    ];
    let mut checked = Vec::new();
    for sub in evtchn_lab::cmd::cli::command().get_subcommands() {
        let base: Vec<&str> = match sub.get_name() {
            "lesson" => vec!["lesson", "01"],
            "completions" | "man" => continue,
            n => vec![n],
        };
        for arg in sub.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if !arg.get_action().takes_values() || !arg.get_possible_values().is_empty() {
                continue;
            }
            let value_name = arg
                .get_value_names()
                .and_then(|v| v.first())
                .map_or(String::new(), |v| v.to_string());
            if free_form.contains(&value_name.as_str()) {
                continue;
            }
            let help = arg.get_help().map_or(String::new(), |h| h.to_string());
            let range = help
                .split("[range: ")
                .nth(1)
                .and_then(|r| r.split(']').next())
                .unwrap_or_else(|| {
                    panic!("{} --{long}: no [range: …] in {help:?}", sub.get_name())
                });
            let (lo, hi) = range.split_once(" to ").expect("LO to HI");
            checked.push(format!("{} --{long}", sub.get_name()));
            if hi.contains("lesson") {
                continue; // --step: the lesson decides
            }
            let parses = |v: &str| {
                let mut argv = vec!["evtchn-lab"];
                argv.extend(&base);
                let flag = format!("--{long}");
                argv.extend([flag.as_str(), v]);
                Cli::try_parse_from(&argv).is_ok()
            };
            let (exclusive, lo) = match lo.strip_prefix("over ") {
                Some(l) => (true, l),
                None => (false, lo),
            };
            for (v, ok) in [(lo.to_string(), !exclusive), (hi.to_string(), true)]
                .into_iter()
                .chain(beyond(lo, false).map(|v| (v, false)))
                .chain(beyond(hi, true).map(|v| (v, false)))
            {
                assert_eq!(
                    parses(&v),
                    ok,
                    "{} --{long} {v} (range {range})",
                    sub.get_name()
                );
            }
        }
    }
    for flag in [
        "run --hz",
        "run --threshold",
        "run --seconds",
        "run --seed",
        "free --fps",
        "demo --size",
        "demo --speed",
        "snapshot --at",
        "snapshot --size",
        "snapshot --step",
    ] {
        assert!(
            checked.iter().any(|c| c == flag),
            "{flag} checked: {checked:?}"
        );
    }
}

/// Values one step beyond `end` of a range (`up`: above it, else below it).
fn beyond(end: &str, up: bool) -> impl Iterator<Item = String> {
    let mut out = Vec::new();
    let step = |x: f64, tiny: f64| if up { x + tiny } else { x - tiny };
    if let Some((w, h)) = end.split_once('x') {
        let (w, h): (i64, i64) = (w.parse().unwrap(), h.parse().unwrap());
        let d = if up { 1 } else { -1 };
        out.push(format!("{}x{h}", w + d));
        out.push(format!("{w}x{}", h + d));
    } else if let Some(s) = end.strip_suffix('s') {
        let s: f64 = s.parse().unwrap();
        if up || s > 0.0 {
            out.push(format!("{}ms", step(s, 0.001) * 1000.0));
        }
    } else if let Ok(n) = end.parse::<u128>() {
        if up {
            out.push((n + 1).to_string());
        } else {
            out.push(format!("{}", n as i128 - 1));
        }
    } else {
        let x: f64 = end.parse().unwrap();
        out.push(step(x, x.abs().max(1.0) * 1e-9).to_string());
    }
    out.into_iter()
}

/// What `cargo install` and a packager read: both licence files the manifest names, the
/// metadata crates.io shows, and the README's install line; the CI script installs nothing
/// with apt.
#[test]
fn the_package_declares_its_licences_and_how_to_install() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let package = manifest["package"].as_table().unwrap();
    assert_eq!(package["license"].as_str(), Some("MIT OR Apache-2.0"));
    for key in [
        "description",
        "readme",
        "keywords",
        "categories",
        "rust-version",
    ] {
        assert!(package.contains_key(key), "package.{key}");
    }
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        assert!(text.len() > 500, "{file} is there, whole");
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("cargo install --path ."));
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(!ci.contains("apt"), ".ci/run installs nothing with apt");
}

/// Output into a pipe whose reader is gone (`evtchn-lab lessons | head -3`): the command
/// stops quietly, as `ls` or `grep` would, instead of "Broken pipe (os error 32)" or a
/// panic. The reader is closed before the command starts, so every write fails.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let state = temp_dir();
    let cast = state.path().join("demo.cast");
    let cast = cast.to_str().unwrap();
    for args in [
        &["demo", "01", "--headless", "--record", cast][..],
        &["lessons"],
        &["lessons", "--json"],
        &["run", "--seconds", "1"],
        &["run", "--seconds", "1", "--json"],
        &["snapshot"],
        &["man"],
        &["completions", "bash"],
        &["lessons", "check"],
    ] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
            .args(args)
            .env("EVTCHN_LAB_STATE_DIR", state.path())
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("the binary runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && err.is_empty(),
            "{args:?}: {} / {err}",
            out.status
        );
    }
}

/// SIGHUP (the terminal closed) and SIGQUIT stop a run early as Ctrl-C and SIGTERM do: the
/// report so far, exit 128 + the signal's number, the trace whole and no temporary file
/// left. (Before, either killed the run and left a temporary trace of hundreds of MB.)
#[cfg(unix)]
#[test]
fn sighup_or_sigquit_stops_a_run_with_the_report_and_leaves_no_temporary() {
    a_run_stopped_by(libc::SIGHUP, "SIGHUP");
    a_run_stopped_by(libc::SIGQUIT, "SIGQUIT");
}

/// Every command, with a full stderr (`2>/dev/full`), a full stdout, or both: no panic
/// (exit 101) anywhere; each ends with its usual status (or 1 for output it could not
/// write). A message that cannot be written is dropped: there is nowhere else to say it.
#[cfg(target_os = "linux")]
#[test]
fn a_full_stderr_or_stdout_never_makes_a_panic() {
    let dir = temp_dir();
    let cast = dir.path().join("demo.cast");
    let cast = cast.to_str().unwrap();
    let commands: &[&[&str]] = &[
        &[],
        &["free"],
        &["lesson", "01"],
        &["lesson", "zz"],
        &["lessons"],
        &["lessons", "--json"],
        &["lessons", "--dir", "/nonexistent-dir"],
        &["lessons", "check"],
        &["lessons", "check", "--dir", "/nonexistent-dir"],
        &["run", "--seconds", "0.1"],
        &["run", "--seconds", "0.1", "--json"],
        &[
            "run",
            "--seconds",
            "0.1",
            "--trace",
            "/nonexistent-dir/x.json",
        ],
        &["run", "--bogus"],
        &["snapshot"],
        &["snapshot", "--lesson", "zz"],
        &["demo", "01"],
        &["demo", "zz", "--headless", "--record", cast],
        &["demo", "01", "--headless", "--record", cast],
        &["completions", "bash"],
        &["man"],
        &["--help"],
    ];
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in commands {
        for (out_full, err_full) in [(false, true), (true, false), (true, true)] {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"));
            cmd.args(*args)
                .env("EVTCHN_LAB_STATE_DIR", dir.path())
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            if out_full {
                cmd.stdout(full());
            }
            if err_full {
                cmd.stderr(full());
            }
            let out = cmd.output().expect("the binary runs");
            let err = String::from_utf8_lossy(&out.stderr);
            let what = format!("{args:?} (stdout full {out_full}, stderr full {err_full})");
            assert!(
                out.status.code().is_some_and(|c| c != 101) && !err.contains("panicked"),
                "{what}: {:?} {err}",
                out.status
            );
        }
    }
}

/// `ln -s VICTIM NAME` in `dir`, made in the child just before it runs (its pid is the
/// program's): every temporary name of `targets` the program could once predict (the
/// trace's `.NAME.PID-N.tmp` for N up to 100, progress's `NAME.tmp-PID`). Only
/// async-signal-safe calls: the names are put together in a buffer on the stack.
#[cfg(unix)]
fn plant_links_in_child(
    cmd: &mut Command,
    dir: &std::path::Path,
    targets: &[&str],
    victim: &std::path::Path,
) {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    let victim = std::ffi::CString::new(victim.as_os_str().as_bytes()).unwrap();
    let dir = dir.as_os_str().as_bytes().to_vec();
    let targets: Vec<Vec<u8>> = targets.iter().map(|t| t.as_bytes().to_vec()).collect();
    // SAFETY: in the child between fork and exec, only getpid(2), symlink(2) and writes
    // into a stack buffer.
    unsafe {
        cmd.pre_exec(move || {
            fn digits(mut n: u32, out: &mut [u8; 12]) -> &[u8] {
                let mut i = out.len();
                loop {
                    i -= 1;
                    out[i] = b'0' + (n % 10) as u8;
                    n /= 10;
                    if n == 0 {
                        return &out[i..];
                    }
                }
            }
            let mut pid_buf = [0u8; 12];
            let pid = digits(libc::getpid() as u32, &mut pid_buf);
            let link = |parts: &[&[u8]]| {
                let mut buf = [0u8; 4096];
                let mut len = 0;
                for p in parts {
                    buf[len..len + p.len()].copy_from_slice(p);
                    len += p.len();
                }
                libc::symlink(victim.as_ptr(), buf.as_ptr().cast());
            };
            for t in &targets {
                link(&[&dir, b"/", t, b".tmp-", pid]);
                for n in 0..=100 {
                    let mut n_buf = [0u8; 12];
                    let n = digits(n, &mut n_buf);
                    link(&[&dir, b"/.", t, b".", pid, b"-", n, b".tmp"]);
                }
            }
            Ok(())
        });
    }
}

/// A link planted on every name a `run --trace` or `demo --record` temporary could once
/// be predicted to have never makes the program write through it: the victim stays as it
/// was, and the trace and the recording are written whole. (Before, a trace gave up after
/// 101 taken names.)
#[cfg(unix)]
#[test]
fn a_link_planted_on_a_temporary_name_is_never_written_through() {
    let dir = temp_dir();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "the victim's own text\n").unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    for (args, target) in [
        (
            &["run", "--seconds", "0.2", "--trace", "run.json"][..],
            "run.json",
        ),
        (
            &["demo", "01", "--headless", "--record", "demo.cast"],
            "demo.cast",
        ),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"));
        cmd.args(args)
            .current_dir(&out_dir)
            .env("EVTCHN_LAB_STATE_DIR", dir.path().join("state"));
        plant_links_in_child(&mut cmd, &out_dir, &[target], &victim);
        let out = cmd.output().expect("the binary runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let written = std::fs::symlink_metadata(out_dir.join(target)).unwrap();
        assert!(
            written.is_file() && written.len() > 1000,
            "{target} written whole"
        );
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "the victim's own text\n",
            "{args:?}"
        );
    }
    // Nothing but the links planted (102 for each target) and the two files.
    assert_eq!(names(&out_dir).len(), 2 * 102 + 2);
}

/// The scenario flags' defaults are the model's (`Config::default()`), not a copy of them.
#[test]
fn the_scenario_flags_default_to_the_models_config() {
    use evtchn_lab::cmd::cli::{FreeArgs, RunArgs};
    use evtchn_lab::sim::Config;
    assert_eq!(
        RunArgs::default_story().scenario.config(),
        Config::default()
    );
    assert_eq!(
        FreeArgs::default_story().scenario.config(),
        Config::default()
    );
}
