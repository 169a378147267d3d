//! `evtchn-lab demo [ID] [--record FILE.cast [--headless] [--size WxH]] [--speed X]`.
//!
//! A recording goes through the one writer ([`crate::files::write`]): the previous one at
//! FILE stays whole until the new one is done. Headless, a failure (a full disk, `ulimit
//! -f`) or a signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT: exit 128 + its number) midway leaves
//! it as it was and no temporary file; live, a signal ends the demo as `q` does, and the
//! recording, finished where the demo stopped, replaces it whole.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use super::StopRequest;
use super::cli::{DemoArgs, Size};
use crate::app::App;
use crate::cast::{self, RecordError, Recorder, start_recording, summary_line};
use crate::demo::{Demo, STORY};
use crate::lesson::{self as lessons, Catalog};
use crate::tui;
use crate::ui::theme::Theme;

/// Exit code for bad input (as clap's).
const BAD_INPUT: u8 = 2;

/// The lessons a demo plays: the one asked for, or the story. `Err`: the exit code, after
/// the message.
fn lesson_ids(args: &DemoArgs, cat: &Catalog) -> Result<Vec<String>, ExitCode> {
    match &args.id {
        Some(id) => lessons::find(cat, id).map(|id| vec![id]).map_err(|e| {
            say!("evtchn-lab demo: {e}");
            ExitCode::from(BAD_INPUT)
        }),
        None => Demo::story(cat).map_err(|missing| {
            let list = |v: &[&str], sep: &str| match v {
                [] => String::new(),
                [one] => one.to_string(),
                [rest @ .., last] => format!("{}{sep}{last}", rest.join(", ")),
            };
            let prefixes: Vec<String> = missing.iter().map(|n| format!("{n}-")).collect();
            let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
            say!(
                "evtchn-lab demo: the story is lessons {} played in order; not there yet: {} \
                 (no lesson id starts with {}).\n\
                 `evtchn-lab lessons` lists the lessons there; `evtchn-lab demo ID` plays one.",
                list(&STORY, " and "),
                list(&missing, " and "),
                list(&prefixes, " or "),
            );
            ExitCode::FAILURE
        }),
    }
}

/// `evtchn-lab demo …`.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let cat = match lessons::load_noting(args.dir.dir.as_deref()) {
        Ok((c, notes)) => {
            for n in &notes {
                say!("{n}");
            }
            c
        }
        Err(p) => {
            say!(
                "{}evtchn-lab demo: the lessons above have problems; fix them",
                lessons::problems_text(&p)
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let ids = match lesson_ids(args, &cat) {
        Ok(ids) => ids,
        Err(code) => return Ok(code),
    };
    let (demo, mut app) = Demo::new(cat, &ids).map_err(anyhow::Error::msg)?;
    app.pace = args.speed;
    let title = format!("evtchn-lab demo {}", ids.join(" "));
    if args.headless {
        headless(args, demo, app, &title)
    } else {
        live(args, demo, app, &title)
    }
}

/// Play it in this terminal, recording it if asked.
fn live(args: &DemoArgs, demo: Demo, app: App, title: &str) -> anyhow::Result<ExitCode> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        let id = args
            .id
            .as_deref()
            .map(|i| format!(" {i}"))
            .unwrap_or_default();
        say!(
            "evtchn-lab demo: a live demo needs a terminal; record one without it: \
             `evtchn-lab demo{id} --headless --record demo.cast`"
        );
        return Ok(ExitCode::FAILURE);
    }
    let recording = match &args.record {
        None => None,
        Some(path) => {
            let size = match args.size {
                Some(s) => s,
                None => terminal_size()?,
            };
            Some((
                path.clone(),
                start_recording(path, (size.width, size.height), title, None)?,
            ))
        }
    };
    tui::run_demo(tui::DemoRun {
        demo,
        app,
        theme: Theme::named(args.display.theme),
        fps: args.display.fps,
        speed: args.speed,
        recording,
    })
}

/// Record it without a terminal, as fast as the machine can.
fn headless(
    args: &DemoArgs,
    mut demo: Demo,
    mut app: App,
    title: &str,
) -> anyhow::Result<ExitCode> {
    // --record is there (clap: --headless requires it).
    let Some(path) = &args.record else {
        say!("evtchn-lab demo: --headless records: give --record FILE.cast");
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let size = args.size.unwrap_or(Size::FULL);
    let started = Instant::now();
    // A signal stops the recording at its next write; the output is dropped, not committed.
    let stop = StopRequest::listen()?;
    let cannot = || {
        format!(
            "cannot record the demo to {} (a recording there is left as it was)",
            path.display()
        )
    };
    let stopped = |sig: crate::report::StopSignal| {
        say!(
            "evtchn-lab demo: stopped by {}; no recording written, {} is left as it was",
            sig.name(),
            path.display()
        );
        Ok(ExitCode::from(128 + sig.number()))
    };
    let out = match start_recording(path, (size.width, size.height), title, Some(stop.flag())) {
        Ok(out) => out,
        // A signal as early as the header's write is a stop too.
        Err(e) => {
            return match stop.requested() {
                Some(sig) => stopped(sig),
                None => Err(e.context(cannot())),
            };
        }
    };
    // The reading follows what the recording's lesson pane shows.
    demo.read_on(
        &app,
        crate::demo::Reader {
            words: crate::ui::demo::words_on_screen,
            width: size.width,
            height: size.height,
        },
    );
    let theme = Theme::named(args.display.theme);
    let recorded = cast::record(&mut demo, &mut app, Recorder::new(out, theme, args.speed))
        .and_then(|(out, summary)| Ok(out.commit().map(|()| summary)?));
    // Stopped midway (a signal after the commit comes too late to stop anything).
    if let (Err(_), Some(sig)) = (&recorded, stop.requested()) {
        return stopped(sig);
    }
    match recorded {
        Ok(summary) => {
            writeln!(
                std::io::stdout(),
                "{} (recorded in {})",
                summary_line(path, &summary),
                cast::duration_words(started.elapsed().as_secs_f64())
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(RecordError::Demo(e)) => {
            say!("evtchn-lab demo: {e}; no recording written");
            Ok(ExitCode::FAILURE)
        }
        Err(RecordError::Io(e)) => Err(e).with_context(cannot),
    }
}

/// The terminal's size, for a live recording without --size (at least the lab's smallest).
fn terminal_size() -> anyhow::Result<Size> {
    let (w, h) = crossterm::terminal::size().context("reading the terminal's size")?;
    super::cli::parse_size(&format!("{w}x{h}")).map_err(|e| {
        anyhow::anyhow!("the terminal is {w}x{h}: {e}; give the recording a --size, like 120x40")
    })
}
