//! The live lab's three ways in: `evtchn-lab` (the start screen), `free` and `lesson ID`.

use std::process::ExitCode;

use super::cli::{FreeArgs, LessonArgs};
use crate::app::Open;
use crate::lesson;
use crate::sim::Config;
use crate::tui::{self, Display, LabArgs};

/// `evtchn-lab` with no command: the start screen (lessons, continue, free play).
pub fn start() -> anyhow::Result<ExitCode> {
    tui::run(&LabArgs {
        open: Open::Start,
        scenario: Config::default(),
        display: Display::default(),
        dir: None,
    })
}

/// `evtchn-lab free …`: free play from a scenario.
pub fn free(args: &FreeArgs) -> anyhow::Result<ExitCode> {
    tui::run(&LabArgs {
        open: match &args.state {
            Some(state) => Open::State(Box::new(state.clone())),
            None => Open::Free,
        },
        scenario: args.scenario.config(),
        display: args.display.display(),
        dir: None,
    })
}

/// `evtchn-lab lesson ID`: one lesson, where the learner left it.
pub fn lesson(args: &LessonArgs) -> anyhow::Result<ExitCode> {
    let cat = match lesson::load(args.dir.dir.as_deref()) {
        Err(p) => {
            say!("{}", lesson::problems_text(&p).trim_end_matches('\n'));
            return Ok(ExitCode::FAILURE);
        }
        Ok(cat) => cat,
    };
    let id = lesson::find(&cat, &args.id).map_err(anyhow::Error::msg)?;
    tui::run(&LabArgs {
        open: Open::Lesson(id),
        scenario: Config::default(),
        display: args.display.display(),
        dir: args.dir.dir.clone(),
    })
}
