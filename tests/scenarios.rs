//! The story, pinned: every `tests/scenarios/*.toml` is run over its seeds and each
//! expected figure is checked. A failure names the file, the seed, the figure and its value.

use std::path::PathBuf;

use evtchn_lab::scenario::ScenarioFile;

fn scenario_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scenarios exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn check(file: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(file);
    let sc = ScenarioFile::load(&path).unwrap();
    let checks = sc.evaluate().unwrap();
    assert!(!checks.is_empty(), "{file}: no expectations");
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.passed())
        .map(|c| {
            format!(
                "seed {}: {} = {:.4}, expected {}",
                c.seed, c.figure, c.value, c.range
            )
        })
        .collect();
    for c in &checks {
        eprintln!(
            "{file}: seed {} {} = {:.4} ({})",
            c.seed, c.figure, c.value, c.range
        );
    }
    assert!(
        failed.is_empty(),
        "{} ({file}):\n{}",
        sc.name,
        failed.join("\n")
    );
}

macro_rules! scenario_tests {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(#[test] fn $name() { check($file); })*

        #[test]
        fn every_scenario_file_has_a_test() {
            let known = [$($file),*];
            for f in scenario_files() {
                let name = f.file_name().unwrap().to_str().unwrap().to_owned();
                assert!(known.contains(&name.as_str()), "{name} has no test in tests/scenarios.rs");
            }
        }
    };
}

scenario_tests! {
    freebsd_tx_buggy_is_98pct_spurious_and_collapses => "freebsd_tx_buggy.toml",
    freebsd_rx_buggy_loses_less => "freebsd_rx_buggy.toml",
    linux_split_channels_are_spared => "linux_tx_buggy.toml",
    fixed_netback_freebsd_tx => "fixed_freebsd_tx.toml",
    fixed_netback_freebsd_rx => "fixed_freebsd_rx.toml",
    fixed_netback_linux_tx => "fixed_linux_tx.toml",
    fixed_netback_linux_rx => "fixed_linux_rx.toml",
    rogue_guest_is_held_down => "rogue.toml",
    fifo_freebsd_tx_buggy_is_98pct_spurious_and_collapses => "freebsd_tx_buggy_fifo.toml",
    fifo_freebsd_rx_buggy_loses_less => "freebsd_rx_buggy_fifo.toml",
    fifo_linux_split_channels_are_spared => "linux_tx_buggy_fifo.toml",
    fifo_fixed_netback_freebsd_tx => "fixed_freebsd_tx_fifo.toml",
    fifo_fixed_netback_freebsd_rx => "fixed_freebsd_rx_fifo.toml",
    fifo_fixed_netback_linux_tx => "fixed_linux_tx_fifo.toml",
    fifo_fixed_netback_linux_rx => "fixed_linux_rx_fifo.toml",
    fifo_rogue_guest_is_held_down => "rogue_fifo.toml",
    or_inline_freebsd_tx_is_as_spurious_as_shipped => "freebsd_tx_or_inline.toml",
    and_inline_freebsd_rx_does_not_stall => "freebsd_rx_and_inline.toml",
    bitand_freebsd_tx_is_the_story_fix => "freebsd_tx_bitand.toml",
}

/// The field's asymmetry: receiving loses less than sending, for the same seeds, on
/// either event-channel ABI.
#[test]
fn receiving_loses_less_than_sending() {
    use evtchn_lab::scenario::figures;
    use evtchn_lab::sim::{Abi, Config, Direction};
    for abi in [Abi::TwoLevel, Abi::Fifo] {
        for seed in [1, 2, 3] {
            let ratio = |direction| {
                let cfg = Config {
                    direction,
                    seed,
                    abi,
                    ..Config::default()
                };
                figures(cfg, 10.0, ["throttle_ratio"]).unwrap()["throttle_ratio"]
            };
            let (tx, rx) = (ratio(Direction::Tx), ratio(Direction::Rx));
            assert!(
                rx > tx,
                "{abi}, seed {seed}: rx ratio {rx:.3} should exceed tx ratio {tx:.3}"
            );
        }
    }
}

#[test]
fn a_broken_scenario_file_names_itself_and_the_line() {
    let dir = std::env::temp_dir().join(format!("evtchn-lab-scn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.toml");
    std::fs::write(
        &path,
        "name = \"x\"\n[scenario]\nguest = \"solaris\"\n[expect]\n",
    )
    .unwrap();
    let err = ScenarioFile::load(&path).unwrap_err().to_string();
    // path:line:col, as for lessons.
    let at = format!("{}:3:9: ", path.display());
    assert!(err.starts_with(&at), "{err}");
    assert!(err.contains("solaris"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A value out of range (a file that parses but cannot run) points at the line that sets
/// it, as a parse error does.
#[test]
fn a_value_out_of_range_names_the_line_that_sets_it() {
    let path = std::path::Path::new("range.toml");
    let text = "name = \"x\"\nseeds = [1]\nseconds = 0.0\n[scenario]\n[expect]\n";
    let err = ScenarioFile::parse(path, text).unwrap_err();
    // At the value, as a parse error points (`seconds = 0.0`: column 11).
    assert_eq!((err.line, err.col), (3, 11), "{err}");
    assert!(err.message.contains("seconds is 0"), "{err}");
    let err = ScenarioFile::parse(
        path,
        "name = \"x\"\nseeds = []\nseconds = 1.0\n[scenario]\n[expect]\n",
    )
    .unwrap_err();
    assert_eq!(err.line, 2, "{err}");
    // A knob out of range: its table.
    let err =
        ScenarioFile::parse(path, "name = \"x\"\n[scenario]\nhz = 0\n[expect]\n").unwrap_err();
    assert!(err.message.contains("hz is 0"), "{err}");
    assert!((2..=3).contains(&err.line), "{err}");
}
