//! `evtchn-lab lessons` (list, `--json`) and `evtchn-lab lessons check`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;

use super::cli::{CheckArgs, LessonsArgs, LessonsCommand};
use crate::cast::questions;
use crate::lesson::glossary::undefined_terms;
use crate::lesson::progress::read_progress;
use crate::lesson::{find, lint, load_noting, load_partial, problems_text, strict};

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
    if let Some(LessonsCommand::Check(c)) = &args.command {
        return check(c);
    }
    let cat = match load_noting(args.dir.dir.as_deref()) {
        Ok((c, notes)) => {
            for n in &notes {
                say!("{n}");
            }
            c
        }
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
    let dir = args
        .dir
        .dir
        .as_ref()
        .map(|d| format!(" --dir {}", d.display()))
        .unwrap_or_default();
    writeln!(
        out,
        "\nOpen one with `evtchn-lab lesson ID{dir}`, or run `evtchn-lab` for the list in the lab."
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `evtchn-lab lessons check [ID] [--dir DIR] [--strict] [--watch]`: exit 0, or 1 with one
/// problem per line.
fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let dir = args.dir.dir.as_deref();
    if !args.watch {
        return check_once(args, dir);
    }
    let Some(dir) = dir else {
        return check_once(args, None);
    };
    let mut seen = dir_state(dir);
    loop {
        check_once(args, Some(dir))?;
        say!(
            "watching {}: a change to a lesson file checks again (Ctrl-C stops)",
            dir.display()
        );
        loop {
            std::thread::sleep(WATCH_EVERY);
            let now = dir_state(dir);
            if now != seen {
                seen = now;
                break;
            }
        }
    }
}

/// How often `--watch` looks at the directory.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(300);

/// What `--watch` compares: each `*.toml` of `dir` with its size and modification time.
fn dir_state(dir: &Path) -> Vec<(std::path::PathBuf, u64, Option<std::time::SystemTime>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| {
            let m = e.metadata().ok();
            (
                e.path(),
                m.as_ref().map_or(0, |m| m.len()),
                m.and_then(|m| m.modified().ok()),
            )
        })
        .collect();
    v.sort();
    v
}

/// One check: the lints (`lesson::lint`), then every step replayed (and `--strict`).
fn check_once(args: &CheckArgs, dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (cat, notes, mut problems) = match load_noting(dir) {
        Ok((c, notes)) => (c, notes, Vec::new()),
        // Every file's problems, and the lessons that did load replayed all the same: one
        // run reports everything.
        Err(_) => match load_partial(dir) {
            (Some(c), p) => (c, Vec::new(), p),
            (None, p) => {
                say!("{}", problems_text(&p).trim_end_matches('\n'));
                return Ok(ExitCode::FAILURE);
            }
        },
    };
    for n in &notes {
        say!("{n}");
    }
    let only = match &args.id {
        Some(id) => match find(&cat, id) {
            Ok(id) => Some(id),
            // The lesson asked for did not load: what is wrong with it (and the rest).
            Err(_) if !problems.is_empty() => {
                say!("{}", problems_text(&problems).trim_end_matches('\n'));
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => {
                say!("evtchn-lab lessons check: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let checked = |path: &Path| {
        only.as_deref()
            .is_none_or(|id| cat.get(id).is_some_and(|(_, l)| l.path == path))
    };
    // The lints weigh the whole catalogue (answer positions); only the checked lessons'
    // problems are shown.
    // Glossary terms used before they are defined, likewise.
    problems.extend(
        lint::catalog(&cat)
            .into_iter()
            .chain(undefined_terms(&cat))
            .filter(|p| checked(&p.path)),
    );
    // The replay, with every question's frames read as it opens.
    let mut found = questions::FramesOutcome::default();
    for l in &cat.lessons {
        if only.as_deref().is_none_or(|id| id == l.id) {
            questions::check_lesson(&cat, l, &mut found);
            if args.strict {
                problems.extend(strict::problems(l));
            }
        }
    }
    let out = &found.check;
    problems.extend(out.problems.iter().cloned());
    // After the replay: each step that names panes, drawn, shows them.
    problems.extend(
        crate::ui::pane_check::check_catalog(&cat)
            .into_iter()
            .filter(|p| checked(&p.path)),
    );
    if !problems.is_empty() {
        say!("{}", problems_text(&problems).trim_end_matches('\n'));
        return Ok(ExitCode::FAILURE);
    }
    let frames: Vec<String> = questions::SIZES
        .iter()
        .zip(found.frames)
        .map(|((w, h), n)| format!("{n} at {w}x{h}"))
        .collect();
    writeln!(
        std::io::stdout(),
        "{} lesson{}, {} steps: the choices and hints pass the lints, every step starts \
         unsolved and its solution meets its goal{} ({:.1} virtual s replayed in {:.1} s); no \
         question's frame gives its answer away ({})",
        out.lessons,
        if out.lessons == 1 { "" } else { "s" },
        out.steps,
        if args.strict {
            "; the curriculum's rules hold"
        } else {
            ""
        },
        out.virtual_ns as f64 / 1e9,
        started.elapsed().as_secs_f64(),
        frames.join(", ")
    )?;
    if args.figures || only.is_some() {
        let mut out = std::io::stdout().lock();
        for m in &found.check.measured {
            let list: Vec<String> = m
                .figures
                .iter()
                .map(|(f, v)| format!("{f} {}", f.format(*v)))
                .collect();
            writeln!(out, "{} step {}: {}", m.lesson, m.step, list.join(", "))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
