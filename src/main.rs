//! evtchn-lab: the binary. Parses flags and hands over to the headless report or the lab.

use std::process::ExitCode;

use clap::Parser;
use evtchn_lab::cli::{Cli, Command, FreeArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Run(args)) => evtchn_lab::report::run_command(&args),
        Some(Command::Free(args)) => evtchn_lab::tui::run(&args),
        // No subcommand: the live lab where the story starts.
        None => evtchn_lab::tui::run(&FreeArgs::default_story()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("evtchn-lab: {e:#}");
            ExitCode::FAILURE
        }
    }
}
