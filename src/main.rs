//! evtchn-lab: the binary. Parses flags and hands over to the headless report, the lesson
//! commands, a demo, a snapshot, shell completions, the man page, or the lab.

use std::process::ExitCode;

use clap::Parser;
use evtchn_lab::app::Open;
use evtchn_lab::cli::{Cli, Command, Display};
use evtchn_lab::lesson::command as lessons;
use evtchn_lab::sim::Config;
use evtchn_lab::tui::{self, LabArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Run(args)) => evtchn_lab::report::run_command(&args),
        Some(Command::Lessons(args)) => lessons::run(&args),
        Some(Command::Free(args)) => tui::run(&LabArgs {
            open: Open::Free,
            scenario: args.scenario.config(),
            display: args.display,
            dir: None,
        }),
        Some(Command::Lesson(args)) => match lessons::load(args.dir.dir.as_deref()) {
            Err(p) => {
                eprint!("{}", lessons::problems_text(&p));
                Ok(ExitCode::FAILURE)
            }
            Ok(cat) => match lessons::find(&cat, &args.id) {
                Err(e) => Err(anyhow::anyhow!(e)),
                Ok(id) => tui::run(&LabArgs {
                    open: Open::Lesson(id),
                    scenario: Config::default(),
                    display: args.display,
                    dir: args.dir.dir,
                }),
            },
        },
        Some(Command::Demo(args)) => evtchn_lab::demo::command::run(&args),
        Some(Command::Snapshot(args)) => evtchn_lab::snapshot::run(&args),
        Some(Command::Completions(args)) => {
            evtchn_lab::cli::completions(args.shell, &mut std::io::stdout())
                .map(|()| ExitCode::SUCCESS)
                .map_err(Into::into)
        }
        Some(Command::Man(args)) => {
            evtchn_lab::cli::man(args.command.as_deref(), &mut std::io::stdout())
                .map(|()| ExitCode::SUCCESS)
        }
        // No command: the start screen (lessons, continue, free play).
        None => tui::run(&LabArgs {
            open: Open::Start,
            scenario: Config::default(),
            display: Display::default(),
            dir: None,
        }),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`| head`): it has what it wanted; stop quietly, as other
        // command-line tools do.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("evtchn-lab: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `e` comes from writing to a pipe whose reader is gone (directly, or inside
/// serde_json's error).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| c.downcast_ref::<serde_json::Error>()?.io_error_kind())
            == Some(std::io::ErrorKind::BrokenPipe)
    })
}
