//! The command line under random input (proptest): any argument list parses or is refused
//! with clap's message and exit code 2 (0 for help and version), never a panic; what parses
//! is a configuration the simulation accepts, with every value in its documented range.

use clap::Parser;
use evtchn_lab::cmd::cli::{Cli, Command};
use evtchn_lab::sim::knob::{HZ_MAX, HZ_MIN, SPURIOUS_THRESHOLD_MAX};
use proptest::prelude::*;

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        // Real subcommands and flags, so that much of what is generated parses.
        prop::sample::select(vec![
            "run",
            "free",
            "lessons",
            "lesson",
            "check",
            "--guest",
            "--direction",
            "--netback",
            "--throttle",
            "--lateeoi",
            "--abi",
            "--hz",
            "--threshold",
            "--seed",
            "--seconds",
            "--json",
            "--trace",
            "--fps",
            "--theme",
            "--dir",
        ])
        .prop_map(str::to_string),
        // Values, good and bad.
        prop::sample::select(vec![
            "freebsd", "linux", "rogue", "idle", "windows", "tx", "rx", "buggy", "fixed", "on",
            "off", "2l", "fifo", "0", "1", "64", "65", "250", "10000", "10001", "-1", "0.5",
            "3600", "3601", "nan", "inf", "1e9", "light", "dark", "01",
        ])
        .prop_map(str::to_string),
        any::<u64>().prop_map(|n| n.to_string()),
        "[ -~]{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_argument_list_parses_or_is_refused_cleanly(args in prop::collection::vec(word(), 0..7)) {
        let argv = std::iter::once("evtchn-lab".to_string()).chain(args.iter().cloned());
        match Cli::try_parse_from(argv) {
            Ok(cli) => {
                let scenario = match &cli.command {
                    Some(Command::Run(r)) => {
                        prop_assert!(r.seconds > 0.0 && r.seconds <= 3600.0, "seconds {}", r.seconds);
                        Some(&r.scenario)
                    }
                    Some(Command::Free(f)) => Some(&f.scenario),
                    _ => None,
                };
                if let Some(s) = scenario {
                    let cfg = s.config();
                    prop_assert!((HZ_MIN..=HZ_MAX).contains(&u64::from(cfg.hz)), "hz {}", cfg.hz);
                    let t = u64::from(cfg.spurious_threshold);
                    prop_assert!(t <= SPURIOUS_THRESHOLD_MAX, "threshold {t}");
                }
            }
            Err(e) => {
                use clap::error::ErrorKind as K;
                let code = e.exit_code();
                match e.kind() {
                    K::DisplayHelp | K::DisplayVersion => prop_assert_eq!(code, 0),
                    // Help shown because something was missing: clap calls it an error.
                    K::DisplayHelpOnMissingArgumentOrSubcommand => {
                        prop_assert!(code == 0 || code == 2)
                    }
                    kind => prop_assert_eq!(code, 2, "{:?}: {}", kind, e),
                }
                prop_assert!(!e.to_string().trim().is_empty());
            }
        }
    }
}

/// The generator reaches both outcomes: valid scenarios and refused ones.
#[test]
fn both_outcomes_happen() {
    assert!(Cli::try_parse_from(["evtchn-lab", "run", "--hz", "1000", "--abi", "fifo"]).is_ok());
    let e = Cli::try_parse_from(["evtchn-lab", "run", "--hz", "10001"]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let e = Cli::try_parse_from(["evtchn-lab", "run", "--guest", "windows"]).unwrap_err();
    assert!(e.to_string().contains("freebsd"), "{e}");
}
