//! `evtchn-lab lessons` (list, `--json`) and `evtchn-lab lessons check`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;

use super::cli::{LessonsArgs, LessonsCommand};
use crate::cast::questions;
use crate::lesson::progress::read_progress;
use crate::lesson::{load, problems_text};

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    title: &'a str,
    steps: usize,
    status: &'static str,
    steps_done: usize,
}

/// `evtchn-lab lessons …`.
pub fn run(args: &LessonsArgs) -> anyhow::Result<ExitCode> {
    if let Some(LessonsCommand::Check(d)) = &args.command {
        return check(d.dir.as_deref());
    }
    let cat = match load(args.dir.dir.as_deref()) {
        Ok(c) => c,
        Err(p) => {
            say!("{}", problems_text(&p).trim_end_matches('\n'));
            return Ok(ExitCode::FAILURE);
        }
    };
    let (progress, warn) = read_progress();
    if let Some(w) = warn {
        say!("evtchn-lab: {w}");
    }
    let rows: Vec<Row> = cat
        .lessons
        .iter()
        .map(|l| Row {
            id: &l.id,
            title: &l.title,
            steps: l.steps.len(),
            status: progress.status(l).name(),
            steps_done: progress.steps_done(l),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let w = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for (r, l) in rows.iter().zip(&cat.lessons) {
        let status = match r.status {
            "done" => "done".to_string(),
            "in_progress" => format!("in progress {}/{}", r.steps_done, r.steps),
            _ => "new".to_string(),
        };
        writeln!(out, "{:<w$}  {:<44} {status}", r.id, r.title)?;
        writeln!(out, "{:<w$}  {}", "", l.summary)?;
    }
    writeln!(
        out,
        "\nOpen one with `evtchn-lab lesson ID`, or run `evtchn-lab` for the list in the lab."
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `evtchn-lab lessons check`: exit 0, or 1 with one problem per line.
fn check(dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let cat = match load(dir) {
        Ok(c) => c,
        Err(p) => {
            say!("{}", problems_text(&p).trim_end_matches('\n'));
            return Ok(ExitCode::FAILURE);
        }
    };
    let found = questions::check_catalog(&cat);
    let out = &found.check;
    if !out.problems.is_empty() {
        say!("{}", problems_text(&out.problems).trim_end_matches('\n'));
        return Ok(ExitCode::FAILURE);
    }
    let frames: Vec<String> = questions::SIZES
        .iter()
        .zip(found.frames)
        .map(|((w, h), n)| format!("{n} at {w}x{h}"))
        .collect();
    writeln!(
        std::io::stdout(),
        "{} lessons, {} steps: every step starts unsolved and its solution meets its goal \
         ({:.1} virtual s replayed in {:.1} s); no question's frame gives its answer away \
         ({})",
        out.lessons,
        out.steps,
        out.virtual_ns as f64 / 1e9,
        started.elapsed().as_secs_f64(),
        frames.join(", ")
    )?;
    Ok(ExitCode::SUCCESS)
}
