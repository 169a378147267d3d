//! Command-line flags (clap). Bad flags or values get clap's message and exit code 2.

use std::path::PathBuf;

use clap::builder::{
    PossibleValuesParser, RangedI64ValueParser, RangedU64ValueParser, TypedValueParser,
};
use clap::{Arg, ArgAction, ArgGroup, ArgMatches, Args, FromArgMatches, Parser, Subcommand};

use crate::sim::knob::{KNOBS, KnobRow, Values};
use crate::sim::{Config, Setting};
use crate::tui::Display;
use crate::ui::theme::ThemeName;

#[derive(Debug, Parser)]
#[command(
    name = "evtchn-lab",
    version,
    about,
    long_about = None,
    after_help = "With no command, evtchn-lab opens the start screen: the guided lessons \
                  (with your progress) and free play. In the lab, press ? for the keys."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario headless and print what happened.
    Run(RunArgs),
    /// Open the live lab in free play, from a scenario.
    Free(FreeArgs),
    /// List the guided lessons with your progress (`lessons check`: validate them).
    Lessons(LessonsArgs),
    /// Open one guided lesson where you left it (`evtchn-lab lessons` lists the ids).
    Lesson(LessonArgs),
    /// Play a lesson by itself at a watchable pace, or record it (no id: the whole story).
    Demo(DemoArgs),
    /// Print one frame of the lab as text, for a document or a bug report.
    Snapshot(SnapshotArgs),
    /// Print a shell completion script (bash: `source <(evtchn-lab completions bash)`).
    Completions(CompletionsArgs),
    /// Print the man page, as roff (`evtchn-lab man | man -l -`; `man run`: the run page).
    Man(ManArgs),
}

#[derive(Clone, Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Clone, Debug, Args)]
pub struct ManArgs {
    /// A command's own page (evtchn-lab-run(1), …) instead of the main one.
    #[arg(value_name = "COMMAND", value_parser = PossibleValuesParser::new(COMMANDS))]
    pub command: Option<String>,
}

/// The commands, as typed (`tests/cli.rs` checks the list against the definition).
pub const COMMANDS: &[&str] = &[
    "run",
    "free",
    "lessons",
    "lesson",
    "demo",
    "snapshot",
    "completions",
    "man",
];

/// The whole command line as clap knows it (for completions and man pages).
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Write the completion script for `shell`.
pub fn completions(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // Into memory first: clap_complete panics on a failed write (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command(), "evtchn-lab", &mut script);
    out.write_all(&script)
}

/// Write the man page of evtchn-lab, or of one of its commands (`evtchn-lab-run(1)`).
pub fn man(sub: Option<&str>, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let mut cmd = command();
    cmd.build();
    let page = match sub {
        None => cmd,
        Some(name) => {
            let Some(c) = cmd.find_subcommand(name) else {
                anyhow::bail!("no command {name:?}: one of {}", COMMANDS.join(", "));
            };
            c.clone()
                .name(format!("evtchn-lab-{name}"))
                .bin_name(format!("evtchn-lab {name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    clap_mangen::Man::new(page).render(out)?;
    Ok(())
}

/// Where lessons come from.
#[derive(Clone, Debug, Default, Args)]
pub struct LessonDir {
    /// Add the lessons of this directory to the built-in ones (for authors): a lesson whose
    /// id is a built-in's replaces it, and `requires` reaches both.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Clone, Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LessonsArgs {
    #[command(subcommand)]
    pub command: Option<LessonsCommand>,
    /// Print a JSON array of {id, title, steps, status, steps_done}.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dir: LessonDir,
}

#[derive(Clone, Debug, Subcommand)]
pub enum LessonsCommand {
    /// Validate every lesson file and replay every solution headlessly: exit 0, or exit 1
    /// with one `path:line:col: message` per problem.
    Check(CheckArgs),
}

#[derive(Clone, Debug, Args)]
pub struct CheckArgs {
    /// Check only this lesson (an id, its number or a unique prefix); the catalogue's
    /// cross-lesson rules still apply.
    pub id: Option<String>,
    #[command(flatten)]
    pub dir: LessonDir,
    /// Also the curriculum's rules: 3 to 8 steps, a question and a goal, a last explanation
    /// that names a source file.
    #[arg(long)]
    pub strict: bool,
    /// Print, for each goal or observe step, every figure as the reference solution left
    /// it (what to write from; checking one lesson prints them too).
    #[arg(long)]
    pub figures: bool,
    /// Check again whenever a lesson file of --dir changes (Ctrl-C stops).
    #[arg(long, requires = "dir")]
    pub watch: bool,
}

#[derive(Clone, Debug, Args)]
pub struct LessonArgs {
    /// The lesson's id, e.g. 01-ports-and-bits, or its number (6 or 06) or a unique prefix.
    pub id: String,
    #[command(flatten)]
    pub dir: LessonDir,
    #[command(flatten)]
    pub display: DisplayArgs,
}

/// How the lab draws.
#[derive(Clone, Debug, Args)]
pub struct DisplayArgs {
    /// Frames per second while running (the render rate cap; paused, it redraws on input
    /// only) [range: 1 to 120].
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=120))]
    pub fps: u32,
    /// Colour theme (`NO_COLOR` turns colours off whatever this says).
    #[arg(long, value_enum, default_value_t = ThemeName::Dark)]
    pub theme: ThemeName,
}

impl DisplayArgs {
    pub fn display(&self) -> Display {
        Display {
            fps: self.fps,
            theme: self.theme,
        }
    }
}

/// The scenario: the same flags for every command that starts a simulation, one per row of
/// the knob table ([`KNOBS`]), in its order, each parsed into its [`Setting`].
#[derive(Clone, Debug)]
pub struct ScenarioArgs {
    config: Config,
}

impl ScenarioArgs {
    pub fn config(&self) -> Config {
        self.config
    }
}

/// A knob's flag: its help, its default (the story's), its values as clap checks them.
fn knob_arg(row: &KnobRow) -> Arg {
    let k = row.knob;
    let arg = Arg::new(k.name())
        .long(k.name())
        .value_name(k.name().to_uppercase())
        .help(row.flag_help)
        .default_value(k.get(&Config::default()).value_text())
        .action(ArgAction::Set);
    let to = move |s: String| k.parse(&s);
    let pick = |names: &'static [&'static str]| PossibleValuesParser::new(names).try_map(to);
    match row.values {
        Values::Named(names) => arg.value_parser(pick(names)),
        Values::Switch => arg.value_parser(pick(&["on", "off"])),
        // i64 where it fits, as clap's own parser for a u32 reads it (and says so).
        Values::Number { min, max } => match i64::try_from(max) {
            Ok(max) => arg.value_parser(
                RangedI64ValueParser::<u64>::new()
                    .range(min as i64..=max)
                    .try_map(move |n: u64| k.parse(&n.to_string())),
            ),
            Err(_) => arg.value_parser(
                RangedU64ValueParser::<u64>::new()
                    .range(min..=max)
                    .try_map(move |n: u64| k.parse(&n.to_string())),
            ),
        },
    }
}

impl Args for ScenarioArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let ids = KNOBS.iter().map(|r| r.knob.name());
        let group = ArgGroup::new("ScenarioArgs").multiple(true).args(ids);
        cmd.group(group).args(KNOBS.iter().map(knob_arg))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }

    fn group_id() -> Option<clap::Id> {
        Some(clap::Id::from("ScenarioArgs"))
    }
}

impl FromArgMatches for ScenarioArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut s = ScenarioArgs {
            config: Config::default(),
        };
        s.update_from_arg_matches(m)?;
        Ok(s)
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        for r in KNOBS {
            let got = m.try_get_one::<Setting>(r.knob.name());
            let got = got.map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e))?;
            if let Some(&s) = got {
                self.config = s.apply(self.config);
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Virtual seconds to simulate; Ctrl-C stops early, with the report so far [range: over
    /// 0 to 3600].
    #[arg(long, default_value_t = 10.0, value_parser = parse_seconds, allow_negative_numbers = true)]
    pub seconds: f64,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Write the transitions as Chrome trace-event JSON (open in Perfetto).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

fn parse_state(s: &str) -> Result<crate::app::share::State, String> {
    crate::app::share::State::decode(s).map_err(|e| e.to_string())
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(v > 0.0 && v <= 3600.0) {
        return Err(format!("{v} is out of range: give 0 < seconds <= 3600"));
    }
    Ok(v)
}

impl RunArgs {
    /// The run the story starts with (every flag at its default).
    pub fn default_story() -> Self {
        RunArgs::parse_from(["run"])
    }
}

/// The live lab: the scenario it starts from and how it draws.
#[derive(Clone, Debug, Args)]
pub struct FreeArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Open a shared state, paused: the string `s` shows in the lab (its scenario, knob
    /// changes and virtual time; the scenario flags are then not used).
    #[arg(long, value_name = "STRING", value_parser = parse_state)]
    pub state: Option<crate::app::share::State>,
    #[command(flatten)]
    pub display: DisplayArgs,
}

impl FreeArgs {
    /// The lab where the story starts (every flag at its default): `evtchn-lab` with no
    /// subcommand.
    pub fn default_story() -> Self {
        FreeOnly::parse_from(["free"]).free
    }
}

#[derive(Debug, Parser)]
struct FreeOnly {
    #[command(flatten)]
    free: FreeArgs,
}

#[derive(Debug, Parser)]
#[command(no_binary_name = false)]
struct RunOnly {
    #[command(flatten)]
    run: RunArgs,
}

impl RunArgs {
    fn parse_from<I: IntoIterator<Item = &'static str>>(args: I) -> Self {
        RunOnly::parse_from(args).run
    }
}

/// A terminal size, `WIDTHxHEIGHT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub width: u16,
    pub height: u16,
}

impl Size {
    /// The size every pane fits in (a headless recording's, a snapshot's).
    pub const FULL: Size = Size {
        width: crate::ui::FULL_WIDTH,
        height: crate::ui::FULL_HEIGHT,
    };
    /// The largest size accepted.
    pub const MAX: Size = Size {
        width: 1000,
        height: 500,
    };
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// `120x40`: at least the lab's smallest size, at most [`Size::MAX`].
pub fn parse_size(s: &str) -> Result<Size, String> {
    let bad = || format!("'{s}' is not a size: write it like 120x40 (columns x rows)");
    let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let (width, height): (u16, u16) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    let (min_w, min_h) = (crate::ui::MIN_WIDTH, crate::ui::MIN_HEIGHT);
    if width < min_w || height < min_h {
        return Err(format!(
            "{width}x{height} is too small: the lab needs at least {min_w}x{min_h}"
        ));
    }
    if width > Size::MAX.width || height > Size::MAX.height {
        return Err(format!(
            "{width}x{height} is too large: at most {}",
            Size::MAX
        ));
    }
    Ok(Size { width, height })
}

/// The longest `--at` of a snapshot (virtual time costs real time to simulate).
pub const MAX_AT_NS: u64 = 600_000_000_000;

/// A virtual time for `--at`: `5s`, `1.5s`, `250ms`, at most 600 s.
fn parse_at(s: &str) -> Result<u64, String> {
    let ns = crate::script::parse_duration(s)?;
    if ns > MAX_AT_NS {
        return Err(format!(
            "'{s}' is out of range: at most 600s (virtual time costs real time to simulate)"
        ));
    }
    Ok(ns)
}

/// Script items separated by commas: `c`, `b, wait 2s, t`.
fn parse_keys(s: &str) -> Result<crate::script::Script, String> {
    let items: Vec<&str> = s
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .collect();
    if items.is_empty() {
        return Err(
            "no script items: give keys and waits separated by commas, like \"b, wait 2s, t\""
                .into(),
        );
    }
    let script = crate::script::Script::parse(&items)
        .map_err(|(i, e)| format!("item {} ('{}'): {e}", i + 1, items[i]))?;
    // The same cap as --at's: the waits cost real time to simulate too.
    if script.duration_ns() > MAX_AT_NS {
        return Err(format!(
            "the waits add up to {:.0}s: at most 600s in all (virtual time costs real time \
             to simulate)",
            script.duration_ns() as f64 / 1e9
        ));
    }
    Ok(script)
}

/// A demo's pace: 1 is real time.
fn parse_speed(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number: give a pace like 1, 2 or 0.5"))?;
    if !(0.1..=100.0).contains(&v) {
        return Err(format!("{v} is out of range: give 0.1 to 100"));
    }
    Ok(v)
}

#[derive(Clone, Debug, Args)]
#[command(
    after_help = "The demo presses the keys of each step's reference solution, shows each \
                  key in the status line as it is pressed (▶ key: t), and leaves each text up \
                  long enough to read: max(3 s, 1 s + 240 ms per word), the lab running at 1× \
                  meanwhile. Solutions' waits take their virtual time at 1× (none while the \
                  lab is paused). Keys: space pauses \
                  and resumes, Enter (or n) skips to the next step, q quits. A demo keeps no progress."
)]
pub struct DemoArgs {
    /// The lesson to play, e.g. 01-ports-and-bits, or its number (6 or 06) or a unique prefix.
    /// Without one: the whole story, lessons 08 to 11 in order, as one demo.
    pub id: Option<String>,
    /// Write an asciinema v2 recording (play it with `asciinema play FILE.cast`).
    #[arg(long, value_name = "FILE.cast")]
    pub record: Option<PathBuf>,
    /// Record without a terminal, as fast as the machine can (needs --record).
    #[arg(long, requires = "record")]
    pub headless: bool,
    /// The recording's size, COLUMNSxROWS [range: 60x18 to 1000x500] [default: 120x40
    /// headless, the terminal's live].
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub size: Option<Size>,
    /// The pace: 2 plays reading pauses, key holds and waits twice as fast [range: 0.1 to
    /// 100].
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    #[command(flatten)]
    pub dir: LessonDir,
    #[command(flatten)]
    pub display: DisplayArgs,
}

#[derive(Clone, Debug, Args)]
#[command(after_help = "Examples:\n  \
    evtchn-lab snapshot --at 5s --size 100x30            the story's start\n  \
    evtchn-lab snapshot --keys c --at 5s --size 100x30   compare mode: OR vs AND\n  \
    evtchn-lab snapshot --lesson 06 --step 3             a lesson step as it begins\n  \
    evtchn-lab snapshot --keys \"wait 2s, b\" --at 4s --ansi   with colours")]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Virtual time of the frame, on the lab's clock (with --lesson: after the step begins)
    /// [range: 0s to 600s] [default: 5s; with --lesson: 0s].
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<u64>,
    /// The frame's size, COLUMNSxROWS [range: 60x18 to 1000x500].
    #[arg(long, value_name = "WxH", default_value = "120x40", value_parser = parse_size)]
    pub size: Size,
    /// A lesson instead of free play: its id, its number (6 or 06) or a unique prefix.
    #[arg(long, value_name = "ID")]
    pub lesson: Option<String>,
    /// The lesson's step: the frame as the step begins (the steps before it are solved by
    /// their reference solutions) [range: 1 to the lesson's number of steps].
    #[arg(long, value_name = "N", requires = "lesson")]
    pub step: Option<usize>,
    /// Keys and waits played first, through the key map, separated by commas: "c" (compare
    /// mode), "b, wait 2s, t".
    #[arg(long, value_name = "ITEMS", value_parser = parse_keys, allow_hyphen_values = true)]
    pub keys: Option<crate::script::Script>,
    /// Keep the colours and attributes (ANSI escapes; NO_COLOR is honoured).
    #[arg(long)]
    pub ansi: bool,
    /// Colour theme, with --ansi.
    #[arg(long, value_enum, default_value_t = ThemeName::Dark)]
    pub theme: ThemeName,
    #[command(flatten)]
    pub dir: LessonDir,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::{self, Cmd, Ctx};
    use crate::app::{App, Msg, Options};
    use crate::script::share::State;
    use crate::sim::Knob;

    /// The test-only boolean knob (`Knob::TestSwitch`: its rows in `sim/knob.rs`, its field
    /// in `Config`) reaches every part made from the knob table, with no other file told.
    #[test]
    fn a_new_boolean_knob_needs_only_its_rows_and_its_field() {
        let on = Config {
            test_switch: true,
            ..Config::default()
        };
        // Its flag.
        let cli = Cli::try_parse_from(["evtchn-lab", "run", "--testswitch", "on"]);
        let Ok(Cli {
            command: Some(Command::Run(run)),
        }) = cli
        else {
            panic!("--testswitch on parses: {cli:?}");
        };
        assert_eq!(run.scenario.config(), on);
        // Its key: a new run with the knob flipped.
        let app = App::new(Options::free(Config::default()));
        let y = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('y'),
            crossterm::event::KeyModifiers::NONE,
        );
        assert_eq!(
            keymap::cmd_for_key(Ctx::Free, &y),
            Some(Cmd::Toggle(Knob::TestSwitch))
        );
        let flipped = Config {
            test_switch: true,
            ..*app.config()
        };
        assert_eq!(keymap::msg_for_key(&app, &y), Some(Msg::Restart(flipped)));
        // Its place in the status bar, clickable.
        let app = App::new(Options::free(on));
        let area = ratatui::layout::Rect::new(0, 0, 300, 1);
        let segs = crate::ui::status_bar::layout(&app, &crate::ui::theme::Theme::no_color(), area);
        let seg = segs
            .iter()
            .find(|(_, s)| s.cmd == Some(Cmd::Toggle(Knob::TestSwitch)));
        assert_eq!(seg.map(|(_, s)| s.text.as_str()), Some("test switch on"));
        // Its bit in a share string (and the story's string unchanged).
        let state = |scenario| State {
            scenario,
            compare: None,
            entries: vec![],
            t_ns: 0,
        };
        let s = state(on).encode();
        assert_eq!(State::decode(&s), Ok(state(on)));
        assert_eq!(
            state(Config::default()).encode(),
            "ev1.AAAAAAP6AQEBAAAAj9DLJA"
        );
        // Its words in the report.
        assert!(
            crate::report::describe(&on).ends_with(", seed 1, test switch on"),
            "{}",
            crate::report::describe(&on)
        );
    }
}
