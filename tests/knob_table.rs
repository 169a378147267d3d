//! Every row of the knob table (`sim::knob::KNOBS`) reaches the parts generated from it:
//! its keys in the key map, its flag on the command line, its segment in the status bar,
//! its place in a share string and its words in the report. A new knob's row is all these
//! need.

use clap::Parser;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use evtchn_lab::app::keymap::{self, Cmd, Ctx};
use evtchn_lab::app::{App, Msg, Options};
use evtchn_lab::cmd::cli::{Cli, Command};
use evtchn_lab::report::describe;
use evtchn_lab::script::share::{Action, Entry, State};
use evtchn_lab::sim::knob::{Bar, KNOBS, KnobRow, Values};
use evtchn_lab::sim::{Config, Setting};
use evtchn_lab::ui::status_bar;
use evtchn_lab::ui::theme::Theme;
use ratatui::layout::Rect;

/// A value of the row's knob other than the story's (the default).
fn other(row: &KnobRow) -> Setting {
    let k = row.knob;
    let usual = k.get(&Config::default());
    let found = match row.values {
        Values::Switch => usual.flipped(),
        Values::Named(names) => names
            .iter()
            .find_map(|n| k.parse(n).ok().filter(|&s| s != usual))
            .unwrap_or(usual),
        Values::Number { min, max } => {
            let n = usual.as_number().unwrap_or(min);
            k.number(if n < max { n + 1 } else { min }).unwrap_or(usual)
        }
    };
    assert_ne!(found, usual, "{k} has a value other than its default");
    found
}

#[test]
fn every_knob_key_changes_its_knob() {
    let app = App::new(Options::free(Config::default()));
    for row in KNOBS {
        let k = row.knob;
        for line in row.keys {
            let b = keymap::bindings(Ctx::Free).find(|b| b.help == line.help);
            let b = b.unwrap_or_else(|| panic!("{k}: {:?} is in the key map", line.shown));
            assert_eq!((b.shown, b.label), (line.shown, line.label), "{k}");
            for &(c, _) in line.keys {
                let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
                let cmd = keymap::cmd_for_key(Ctx::Free, &key);
                assert_eq!(cmd.and_then(Cmd::knob), Some(k), "{k}: key {c}");
                let now = k.get(app.config());
                // At the end of its range a number's key may change nothing.
                match keymap::msg_for_key(&app, &key) {
                    Some(Msg::Set(change)) => assert_ne!(change.setting(), now, "{k}: {c}"),
                    Some(Msg::Restart(cfg)) => assert_ne!(k.get(&cfg), now, "{k}: {c}"),
                    None => assert!(now.moved(1).is_some(), "{k}: {c} does nothing"),
                    m => panic!("{k}: {c} means {m:?}"),
                }
            }
        }
    }
}

#[test]
fn every_knob_has_its_flag() {
    for row in KNOBS {
        let k = row.knob;
        let want = other(row);
        let value = want.value_text();
        let args = ["evtchn-lab", "run", &format!("--{k}"), &value];
        let cli = Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{k}: {e}"));
        let Some(Command::Run(run)) = cli.command else {
            panic!("{k}: a run");
        };
        let want_cfg = want.apply(Config::default());
        assert_eq!(run.scenario.config(), want_cfg, "--{k} {value}");
        let help = evtchn_lab::cmd::cli::command()
            .find_subcommand_mut("free")
            .map(|c| c.render_help().to_string())
            .unwrap_or_default();
        assert!(help.contains(&format!("--{k} <")), "{k}: {help}");
    }
}

#[test]
fn every_shown_knob_is_in_the_status_bar() {
    for row in KNOBS.iter().filter(|r| r.bar != Bar::Hidden) {
        let k = row.knob;
        let cfg = other(row).apply(Config::default());
        let app = App::new(Options::free(cfg));
        let area = Rect::new(0, 0, 300, 1);
        let segs = status_bar::layout(&app, &Theme::no_color(), area);
        let found = segs.iter().any(|(_, s)| match row.bar {
            Bar::Figure { .. } => s.text == format!("{} {}", k.short_label(), cfg_value(&cfg, row)),
            _ => s.cmd == Some(Cmd::Toggle(k)),
        });
        assert!(found, "{k} in {segs:?}");
    }
}

fn cfg_value(cfg: &Config, row: &KnobRow) -> String {
    row.knob.get(cfg).value_text()
}

#[test]
fn every_knob_goes_through_a_share_string() {
    for row in KNOBS {
        let k = row.knob;
        let s = other(row);
        let mut entries = Vec::new();
        if let Some(change) = s.live() {
            entries.push(Entry {
                t_ns: 1_000,
                action: Action::Knob(change),
            });
        }
        let state = State {
            scenario: s.apply(Config::default()),
            compare: None,
            entries,
            t_ns: 2_000,
        };
        assert_eq!(State::decode(&state.encode()), Ok(state), "{k}");
    }
}

/// The strings of existing states are the same as the hand-written encoder made them.
#[test]
fn share_strings_keep_their_bytes() {
    use evtchn_lab::sim::{Abi, Direction, GuestKind, Knob, KnobChange, NetbackVariant};
    let usual = State {
        scenario: Config::default(),
        compare: None,
        entries: vec![],
        t_ns: 0,
    };
    assert_eq!(usual.encode(), "ev1.AAAAAAP6AQEBAAAAj9DLJA");
    let at = |t_ns, action| Entry { t_ns, action };
    let state = State {
        scenario: Config {
            guest: GuestKind::Linux,
            direction: Direction::Rx,
            netback: NetbackVariant::Fixed,
            abi: Abi::Fifo,
            throttle: false,
            hz: 1000,
            spurious_threshold: 5,
            seed: 42,
            ..Config::default()
        },
        compare: Some(Knob::Throttle),
        entries: vec![
            at(
                1000,
                Action::Knob(KnobChange::Netback(NetbackVariant::Bitand)),
            ),
            at(2000, Action::Knob(KnobChange::Throttle(true))),
            at(3000, Action::Knob(KnobChange::LateEoi(false))),
            at(4000, Action::Knob(KnobChange::SpuriousThreshold(7))),
            at(5000, Action::Port(evtchn_lab::sim::PortAction::Notify)),
            at(6000, Action::Step),
        ],
        t_ns: 7_000_000_000,
    };
    let s = state.encode();
    assert_eq!(
        s,
        "ev1.AQEEAQLoBwUqAgboBwAD6AcBAegHAgDoBwMH6AcE6AcHkN3tiRrp7syb"
    );
    assert_eq!(State::decode(&s), Ok(state));
}

#[test]
fn every_knob_is_in_the_report() {
    for row in KNOBS {
        let k = row.knob;
        let cfg = other(row).apply(Config::default());
        let (a, b) = (describe(&Config::default()), describe(&cfg));
        assert_ne!(a, b, "{k} changes the report's scenario line");
    }
}
