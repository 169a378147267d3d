//! `evtchn-lab lessons` (list, `--json`), `evtchn-lab lessons check`, and how the other
//! commands find lessons and progress.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::progress::{Progress, Store, state_dir};
use super::{Catalog, Problem, check};
use crate::cli::{LessonsArgs, LessonsCommand};

/// The lessons: from `dir`, or the ones built in.
pub fn load(dir: Option<&Path>) -> Result<Arc<Catalog>, Vec<Problem>> {
    match dir {
        Some(d) => Catalog::from_dir(d),
        None => Catalog::builtin(),
    }
}

/// Problems, one `path:line:col: message` per line.
pub fn problems_text(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

/// A lesson by id, by its number (`6` or `06` for `06-…`; `1` is lesson 01, not 10–13),
/// or by a prefix of exactly one id (`06-throttle`).
pub fn find(cat: &Catalog, id: &str) -> Result<String, String> {
    if cat.get(id).is_some() {
        return Ok(id.to_string());
    }
    if let Ok(n) = id.parse::<u32>()
        && let Some(l) = cat.lessons.iter().find(|l| l.number().parse() == Ok(n))
    {
        return Ok(l.id.clone());
    }
    let matches: Vec<&str> = cat
        .lessons
        .iter()
        .map(|l| l.id.as_str())
        .filter(|l| l.starts_with(id))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(format!(
            "no lesson '{id}': `evtchn-lab lessons` lists them ({})",
            cat.lessons
                .iter()
                .map(|l| l.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        many => Err(format!("'{id}' could be {}: say which", many.join(" or "))),
    }
}

/// The learner's progress, read only (for listings); a warning when it could not be read.
pub fn read_progress() -> (Progress, Option<String>) {
    match state_dir() {
        Some(d) => {
            let (_, p, warn) = Store::open_read_only(&d);
            (p, warn)
        }
        None => (Progress::default(), None),
    }
}

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
            eprint!("{}", problems_text(&p));
            return Ok(ExitCode::FAILURE);
        }
    };
    let (progress, warn) = read_progress();
    if let Some(w) = warn {
        eprintln!("evtchn-lab: {w}");
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
            eprint!("{}", problems_text(&p));
            return Ok(ExitCode::FAILURE);
        }
    };
    let out = check::check_catalog(&cat);
    if !out.problems.is_empty() {
        eprint!("{}", problems_text(&out.problems));
        return Ok(ExitCode::FAILURE);
    }
    writeln!(
        std::io::stdout(),
        "{} lessons, {} steps: every step starts unsolved and its solution meets its goal \
         ({:.1} virtual s replayed in {:.1} s)",
        out.lessons,
        out.steps,
        out.virtual_ns as f64 / 1e9,
        started.elapsed().as_secs_f64()
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_is_found_by_id_number_or_unique_prefix() {
        let cat = Catalog::builtin().expect("the built-in lessons load");
        for (asked, found) in [
            ("06-throttle-law", "06-throttle-law"),
            ("06", "06-throttle-law"),
            ("6", "06-throttle-law"),
            // A number names one lesson, though 10-13 also start with "1".
            ("1", "01-ports-and-bits"),
            ("13", "13-fifo"),
            ("06-th", "06-throttle-law"),
        ] {
            assert_eq!(find(&cat, asked).as_deref(), Ok(found), "{asked}");
        }
        let e = find(&cat, "0").unwrap_err();
        assert!(e.contains("could be 01-ports-and-bits or"), "{e}");
        for missing in ["14", "1x", ""] {
            let e = find(&cat, missing).unwrap_err();
            assert!(
                e.contains("no lesson") || e.contains("could be"),
                "{missing:?}: {e}"
            );
        }
    }
}
