//! `evtchn-lab lessons` (list, `--json`) and `evtchn-lab lessons check`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::Serialize;

use super::cli::{CheckArgs, LessonsArgs, LessonsCommand};
use crate::app::check::Measured;
use crate::cast::questions;
use crate::lesson::glossary::undefined_terms;
use crate::lesson::progress::read_progress;
use crate::lesson::{
    Catalog, Lesson, Problem, find, lint, load_noting, load_partial, problems_text, strict,
};

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

/// Replay `lessons` of `cat`, reading every question's frame as it opens, and with `strict`
/// the curriculum's rules: each lesson on the next free core, the outcomes merged in the
/// catalogue's order (the same as one lesson after the other: the lessons share nothing).
fn replay(
    cat: &Arc<Catalog>,
    lessons: &[&Lesson],
    strict: bool,
) -> (questions::FramesOutcome, Vec<Problem>) {
    let each = on_every_core(lessons, |l| {
        let mut found = questions::FramesOutcome::default();
        questions::check_lesson(cat, l, &mut found);
        // A lesson cut short by a broken step: its rules wait until it loads whole.
        let rules = if strict && l.cut_at.is_none() {
            strict::problems(l)
        } else {
            Vec::new()
        };
        (found, rules)
    });
    let mut all = questions::FramesOutcome::default();
    let mut rules = Vec::new();
    for (found, r) in each {
        let (to, from) = (&mut all.check, found.check);
        to.problems.extend(from.problems);
        to.lessons += from.lessons;
        to.steps += from.steps;
        to.virtual_ns += from.virtual_ns;
        to.measured.extend(from.measured);
        for (n, m) in all.frames.iter_mut().zip(found.frames) {
            *n += m;
        }
        rules.extend(r);
    }
    (all, rules)
}

/// `f` of every item, on as many threads as the machine has cores (each takes the next
/// item not taken), in the items' order.
pub fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut done = work();
        for h in helpers {
            // A helper's panic is the replay's own: carried on here.
            done.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        done
    });
    done.sort_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The width `--figures` wraps its lists at.
const FIGURES_WIDTH: usize = 86;

/// One check: the lints (`lesson::lint`), then every step replayed (and `--strict`).
fn check_once(args: &CheckArgs, dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (cat, only, mut problems) = match load_for_check(args, dir) {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
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
    let replayed: Vec<&Lesson> = cat
        .lessons
        .iter()
        .filter(|l| only.as_deref().is_none_or(|id| id == l.id))
        .collect();
    // The replay and the pane check, on every core.
    let (found, strict_problems, panes) = std::thread::scope(|s| {
        let panes = s.spawn(|| crate::ui::pane_check::check_catalog(&cat));
        let (found, strict_problems) = replay(&cat, &replayed, args.strict);
        (found, strict_problems, panes.join())
    });
    let panes = panes.map_err(|_| anyhow::anyhow!("the pane check stopped unexpectedly"))?;
    problems.extend(strict_problems);
    problems.extend(found.check.problems.iter().cloned());
    // After the replay: each step that names panes, drawn, shows them.
    problems.extend(panes.into_iter().filter(|p| checked(&p.path)));
    if !problems.is_empty() {
        say_problems(&problems, cat.lessons.iter().filter(|l| checked(&l.path)));
        return Ok(ExitCode::FAILURE);
    }
    say_passed(args, &found, started)?;
    if args.figures || only.is_some() {
        say_figures(&found.check.measured)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What `lessons check` checks: the catalogue, the lesson asked for, the load's problems.
type ToCheck = (Arc<Catalog>, Option<String>, Vec<Problem>);

/// The catalogue to check (what loaded of it, with the problems of what did not), the one
/// lesson asked for, if one was. `Err`: the exit code, after the message.
fn load_for_check(args: &CheckArgs, dir: Option<&Path>) -> Result<ToCheck, ExitCode> {
    let (cat, notes, problems) = match load_noting(dir) {
        Ok((c, notes)) => (c, notes, Vec::new()),
        // Every file's problems, and the lessons that did load replayed all the same: one
        // run reports everything.
        Err(_) => match load_partial(dir) {
            (Some(c), p) => (c, Vec::new(), p),
            (None, p) => {
                say!("{}", problems_text(&p).trim_end_matches('\n'));
                return Err(ExitCode::FAILURE);
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
                return Err(ExitCode::FAILURE);
            }
            Err(e) => {
                say!("evtchn-lab lessons check: {e}");
                return Err(ExitCode::from(2));
            }
        },
        None => None,
    };
    Ok((cat, only, problems))
}

/// The problems found, then how far each lesson cut short by a broken step was replayed.
fn say_problems<'a>(problems: &[Problem], checked: impl Iterator<Item = &'a Lesson>) {
    say!("{}", problems_text(problems).trim_end_matches('\n'));
    for l in checked {
        match l.cut_at {
            Some(1) => say!(
                "{}: step 1 replayed; the rest waits for step 2 to load",
                l.path.display()
            ),
            Some(k) => say!(
                "{}: steps 1 to {k} replayed; the rest waits for step {} to load",
                l.path.display(),
                k + 1
            ),
            None => {}
        }
    }
}

/// The line saying what passed.
fn say_passed(
    args: &CheckArgs,
    found: &questions::FramesOutcome,
    started: Instant,
) -> std::io::Result<()> {
    let out = &found.check;
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
    )
}

/// Each step's figures when its solution met its goal (`--figures`, or one lesson).
fn say_figures(measured: &[Measured]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for m in measured {
        let list: Vec<String> = m
            .figures
            .iter()
            .map(|(f, v)| format!("{f} {}", f.format(*v)))
            .collect();
        // Wrapped to be read: a figure per "name value", never split.
        writeln!(out, "{} step {}:", m.lesson, m.step)?;
        let mut line = String::new();
        for item in list {
            if !line.is_empty() && line.len() + item.len() + 2 > FIGURES_WIDTH {
                writeln!(out, "  {}", line.trim_end())?;
                line.clear();
            }
            line.push_str(&item);
            line.push_str(", ");
        }
        writeln!(out, "  {}", line.trim_end_matches([',', ' ']))?;
    }
    Ok(())
}
