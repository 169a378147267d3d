//! The same seed gives the same results, byte for byte, as before the speed work (issue 10).
//!
//! Two kinds of golden data, recorded with the release binary just before the speed work
//! began and kept under `tests/golden/`:
//! - `runs.txt`: what `evtchn-lab run` prints (JSON and the text report) for every guest ×
//!   direction × netback, both ABIs, several seeds, HZ 100/1000, threshold 0/3/10, late EOI
//!   off, throttle off, the rogue guest, plus digests of `--trace` files;
//! - `digests.txt`: digests (FNV-1a) of every trace record, the counters and port views
//!   read every millisecond, the samples and the report, through the library; the same for
//!   `step`, `step_transition`, `run_until_or` and a clone run on.
//!
//! A difference fails with the first line that differs. After a change that is meant to
//! change results (a model change, never a speed change), `GOLDEN_BLESS=1 cargo test
//! --release --test golden` rewrites the files; review the diff.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use evtchn_lab::sim::{
    Abi, Config, Direction, GuestKind, KnobChange, NetbackVariant, PortAction, Sim,
};

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn bless() -> bool {
    std::env::var_os("GOLDEN_BLESS").is_some()
}

/// Compare with the golden file (or write it when blessing), showing the first difference.
fn check(name: &str, got: &str) {
    let path = golden(name);
    if bless() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (GOLDEN_BLESS=1 records it)", path.display()));
    if want != got {
        let (i, (w, g)) = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .find(|(_, (w, g))| w != g)
            .unwrap_or((
                want.lines().count().min(got.lines().count()),
                ("<end>", "<end>"),
            ));
        panic!(
            "{name} differs from the golden file at line {}:\n  want: {w}\n  got:  {g}",
            i + 1
        );
    }
}

/// FNV-1a, 64 bits: a small, stable digest.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn debug(&mut self, buf: &mut String, v: &impl std::fmt::Debug) {
        buf.clear();
        write!(buf, "{v:?}").unwrap();
        self.bytes(buf.as_bytes());
    }
}

// ----- the command line ---------------------------------------------------------------------

/// Every `run` the golden file holds: one argument line each.
fn run_cases() -> Vec<String> {
    let mut v = Vec::new();
    for abi in ["2l", "fifo"] {
        for guest in ["freebsd", "linux"] {
            for dir in ["tx", "rx"] {
                for nb in ["buggy", "fixed"] {
                    let seeds: &[u32] = if abi == "2l" { &[1, 7, 42] } else { &[1, 7] };
                    for seed in seeds {
                        v.push(format!(
                            "--json --seconds 2 --abi {abi} --guest {guest} --direction {dir} --netback {nb} --seed {seed}"
                        ));
                    }
                }
            }
        }
        for throttle in ["on", "off"] {
            for seed in [1, 7] {
                v.push(format!(
                    "--json --seconds 2 --abi {abi} --guest rogue --throttle {throttle} --seed {seed}"
                ));
            }
        }
        v.push(format!(
            "--json --seconds 2 --abi {abi} --guest rogue --lateeoi off"
        ));
        v.push(format!("--json --seconds 2 --abi {abi} --guest idle"));
        if abi == "2l" {
            // The other three of netback's five conditions (issue 20).
            for nb in ["or-inline", "and-inline", "bitand"] {
                for dir in ["tx", "rx"] {
                    v.push(format!(
                        "--json --seconds 2 --abi {abi} --guest freebsd --direction {dir} --netback {nb} --seed 1"
                    ));
                }
            }
        }
        for dir in ["tx", "rx"] {
            for variant in [
                "--hz 100",
                "--hz 1000",
                "--hz 300 --threshold 2",
                "--threshold 0",
                "--threshold 3",
                "--threshold 10",
                "--lateeoi off",
                "--throttle off",
                "--netback fixed --throttle off",
                "--netback fixed --lateeoi off",
            ] {
                v.push(format!(
                    "--json --seconds 2 --abi {abi} --direction {dir} {variant}"
                ));
            }
            v.push(format!(
                "--json --seconds 2 --abi {abi} --guest linux --direction {dir} --lateeoi off"
            ));
            v.push(format!(
                "--json --seconds 2 --abi {abi} --guest linux --direction {dir} --hz 100 --seed 3"
            ));
        }
    }
    v.push("--json --seconds 10 --guest rogue --throttle off".into());
    v.push("--json --seconds 0.37 --guest linux --direction rx".into());
    // The text report.
    v.push(String::new());
    for args in [
        "--netback fixed --seconds 3",
        "--throttle off --seconds 3",
        "--guest linux --direction rx --seconds 2",
        "--guest rogue --seconds 2",
        "--guest rogue --throttle off --seconds 2",
        "--abi fifo --direction rx --seconds 2 --seed 9",
        "--hz 1000 --threshold 3 --seconds 2",
    ] {
        v.push(args.into());
    }
    v
}

fn lab(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_evtchn-lab"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn run_reports_are_byte_for_byte_the_same() {
    let cases = run_cases();
    // Two workers: the runs are independent.
    let outputs: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<_> = cases
            .chunks(cases.len().div_ceil(2))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|args| {
                            let mut argv = vec!["run"];
                            argv.extend(args.split_whitespace());
                            String::from_utf8(lab(&argv)).expect("UTF-8")
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    let mut s = String::new();
    for (args, out) in cases.iter().zip(outputs) {
        writeln!(s, "$ run {args}").unwrap();
        s.push_str(&out);
    }
    check("runs.txt", &s);
}

#[test]
fn trace_files_are_byte_for_byte_the_same() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut s = String::new();
    for args in [
        "--seconds 0.2",
        "--seconds 0.2 --netback fixed --abi fifo",
        "--guest linux --direction rx --seconds 0.1",
        "--guest rogue --throttle off --seconds 0.05",
        "--guest rogue --seconds 0.3",
        "--guest rogue --seconds 0.05 --abi fifo --lateeoi off",
    ] {
        let path = dir.path().join("t.json");
        let mut argv = vec!["run", "--json", "--trace", path.to_str().unwrap()];
        argv.extend(args.split_whitespace());
        let report = lab(&argv);
        let file = std::fs::read(&path).expect("trace written");
        let mut h = Fnv::new();
        h.bytes(&file);
        writeln!(
            s,
            "$ run --trace {args}\n  {} bytes, fnv {:016x}\n  {}",
            file.len(),
            h.0,
            String::from_utf8_lossy(&report).trim_end()
        )
        .unwrap();
    }
    check("trace_files.txt", &s);
}

// ----- the library --------------------------------------------------------------------------

fn cfg(guest: GuestKind, direction: Direction, netback: NetbackVariant, abi: Abi) -> Config {
    Config {
        guest,
        direction,
        netback,
        abi,
        ..Config::default()
    }
}

/// The configurations the library digests cover, with the virtual time each runs.
fn lib_cases() -> Vec<(String, Config, u64)> {
    use Direction::*;
    use GuestKind::*;
    use NetbackVariant::*;
    let mut v = Vec::new();
    for abi in [Abi::TwoLevel, Abi::Fifo] {
        for guest in [Freebsd, Linux] {
            for dir in [Tx, Rx] {
                for nb in [Buggy, Fixed] {
                    let c = cfg(guest, dir, nb, abi);
                    v.push((
                        format!("{guest:?} {dir:?} {nb:?} {abi:?}"),
                        c,
                        1_000_000_000,
                    ));
                }
            }
        }
        for throttle in [true, false] {
            let c = Config {
                throttle,
                ..cfg(Rogue, Tx, Buggy, abi)
            };
            v.push((format!("Rogue throttle {throttle} {abi:?}"), c, 300_000_000));
        }
        let c = Config {
            lateeoi: false,
            ..cfg(Rogue, Tx, Buggy, abi)
        };
        v.push((format!("Rogue lateeoi off {abi:?}"), c, 100_000_000));
        let c = Config {
            hz: 1000,
            spurious_threshold: 3,
            seed: 5,
            ..cfg(Freebsd, Rx, Buggy, abi)
        };
        v.push((
            format!("Freebsd Rx hz1000 t3 seed5 {abi:?}"),
            c,
            1_000_000_000,
        ));
        let c = Config {
            lateeoi: false,
            seed: 11,
            ..cfg(Linux, Tx, Buggy, abi)
        };
        v.push((
            format!("Linux Tx lateeoi off seed11 {abi:?}"),
            c,
            500_000_000,
        ));
    }
    v
}

/// A scripted run: slices of 1 ms with a knob change or a port action now and then.
fn digest_run(cfg: Config, end: u64) -> String {
    let mut sim = Sim::with_trace_capacity(cfg, 1 << 17);
    let (mut trace, mut readings, mut ports) = (Fnv::new(), Fnv::new(), Fnv::new());
    let mut buf = String::new();
    let mut next = 0;
    let mut t = 0;
    let mut slice = 0u64;
    while t < end {
        t = (t + 1_000_000).min(end);
        sim.run_until(t);
        assert!(sim.trace().first_seq() <= next, "trace ring wrapped");
        for e in sim.trace().since(next) {
            trace.debug(&mut buf, e);
        }
        next = sim.trace().next_seq();
        readings.debug(&mut buf, &sim.reading());
        for p in sim.ports() {
            ports.debug(&mut buf, &p);
        }
        ports.debug(&mut buf, sim.shared_info());
        slice += 1;
        // A few changes along the way, as the lab and the lessons make them.
        match slice {
            137 => sim.set_knob(KnobChange::Throttle(!sim.config().throttle)),
            211 => sim.port_action(PortAction::Mask),
            212 | 213 => sim.port_action(PortAction::Notify),
            215 => sim.port_action(PortAction::Unmask),
            290 => sim.set_knob(KnobChange::Throttle(!sim.config().throttle)),
            333 => sim.set_knob(KnobChange::Netback(sim.config().netback.other())),
            401 => sim.set_knob(KnobChange::SpuriousThreshold(0)),
            555 => sim.set_knob(KnobChange::LateEoi(false)),
            611 => sim.set_knob(KnobChange::LateEoi(true)),
            _ => {}
        }
    }
    let mut samples = Fnv::new();
    for s in sim.samples().iter() {
        samples.debug(&mut buf, s);
    }
    let mut windows = Fnv::new();
    for d in [10_000_000, 250_000_000, 1_000_000_000] {
        windows.debug(&mut buf, &sim.last(d));
    }
    windows.debug(&mut buf, &sim.whole_run());
    let mut report = Fnv::new();
    report.debug(&mut buf, &sim.report());
    format!(
        "records {next} trace {:016x} readings {:016x} ports {:016x} samples {:016x} windows {:016x} report {:016x}",
        trace.0, readings.0, ports.0, samples.0, windows.0, report.0
    )
}

/// `step` and `step_transition` one at a time, and a clone that runs on.
fn digest_steps(cfg: Config) -> String {
    let mut sim = Sim::new(cfg);
    let mut h = Fnv::new();
    let mut buf = String::new();
    for _ in 0..20_000 {
        let t = sim.step();
        h.debug(&mut buf, &(t, sim.now_ns(), sim.trace().next_seq()));
    }
    h.debug(&mut buf, &sim.reading());
    for _ in 0..2_000 {
        let found = sim.step_transition(1_000);
        h.debug(&mut buf, &(found, sim.now_ns(), sim.trace().next_seq()));
        if let Some(e) = sim.trace().last(1).next() {
            h.debug(&mut buf, e);
        }
    }
    h.debug(&mut buf, &sim.reading());
    let mut branch = sim.clone();
    branch.run_until(sim.now_ns() + 50_000_000);
    sim.run_until(sim.now_ns() + 50_000_000);
    assert_eq!(branch.report(), sim.report(), "a clone runs on the same");
    h.debug(&mut buf, &branch.reading());
    format!("steps {:016x}", h.0)
}

/// `run_until_or` with stop conditions on passing states, as lesson goals read them.
fn digest_run_until_or(cfg: Config) -> String {
    let mut sim = Sim::new(cfg);
    let mut h = Fnv::new();
    let mut buf = String::new();
    let mut stops = 0;
    for k in 0..400u64 {
        let mark = sim.reading();
        let target = sim.now_ns() + 5_000_000;
        let stopped = match k % 4 {
            0 => sim.run_until_or(target, |s| {
                s.counters().events_sent - mark.counters.events_sent >= 7 + k % 13
            }),
            1 => sim.run_until_or(target, |s| s.ports().any(|p| p.on_eoi_list)),
            2 => sim.run_until_or(target, |s| {
                s.counters().events_coalesced - mark.counters.events_coalesced >= 3
            }),
            _ => sim.run_until_or(target, |s| {
                s.ports().any(|p| p.masked) && s.counters().events_delivered % 5 == 0
            }),
        };
        stops += u32::from(stopped);
        h.debug(&mut buf, &(stopped, sim.now_ns(), sim.reading()));
        if k % 50 == 7 {
            sim.port_action(PortAction::Notify);
        }
    }
    format!("run_until_or {:016x} stops {stops}", h.0)
}

#[test]
fn library_digests_are_the_same() {
    let cases = lib_cases();
    let lines: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(cases.len().div_ceil(2))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|(name, cfg, end)| {
                            format!(
                                "{name}: {}\n{name}: {}\n{name}: {}\n",
                                digest_run(*cfg, *end),
                                digest_steps(*cfg),
                                digest_run_until_or(*cfg)
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    check("digests.txt", &lines.concat());
}
