//! The commands: one file each, over the command-line definitions in [`cli`]. Nothing
//! below this module knows the command line.
//!
//! - [`run`]: `evtchn-lab run`, a scenario headless;
//! - [`lab`]: the live lab (`evtchn-lab`, `free`, `lesson ID`);
//! - [`lessons`]: `lessons` and `lessons check`;
//! - [`demo`]: `demo`, live or recorded;
//! - [`snapshot`]: `snapshot`, one frame as text;
//! - `completions` and `man` come straight from [`cli`].

pub mod cli;
pub mod demo;
pub mod lab;
pub mod lessons;
pub mod run;
pub mod snapshot;

use std::process::ExitCode;

use cli::{Cli, Command};

/// Carry out the command `cli` names.
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Run(args)) => run::run(&args),
        Some(Command::Lessons(args)) => lessons::run(&args),
        Some(Command::Free(args)) => lab::free(&args),
        Some(Command::Lesson(args)) => lab::lesson(&args),
        Some(Command::Demo(args)) => demo::run(&args),
        Some(Command::Snapshot(args)) => snapshot::run(&args),
        Some(Command::Completions(args)) => cli::completions(args.shell, &mut std::io::stdout())
            .map(|()| ExitCode::SUCCESS)
            .map_err(Into::into),
        Some(Command::Man(args)) => {
            cli::man(args.command.as_deref(), &mut std::io::stdout()).map(|()| ExitCode::SUCCESS)
        }
        // No command: the start screen (lessons, continue, free play).
        None => lab::start(),
    }
}
