//! `evtchn-lab run`: a scenario headless, in chunks of virtual time ([`Run`]), with a
//! progress bar on a terminal; Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGQUIT ends the run
//! early with the report of what was simulated. A trace file goes through the one writer
//! ([`crate::files::write`]): beside its target, renamed onto it at the end.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::StopRequest;
use super::cli::RunArgs;
use crate::cast::duration_words;
use crate::files::write;
use crate::report::{ChromeTrace, GoodputOverTime, Run, Stopped, render_text};
use crate::sim::Report;

/// How often the progress bar is redrawn.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// `evtchn-lab run …`: simulate, then print; write the trace if asked. Ctrl-C (or SIGTERM,
/// SIGHUP, SIGQUIT) stops early: the report covers the virtual time simulated so far, says so first, and
/// the exit status is 128 + the signal's number.
pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let cfg = args.scenario.config();
    let end = (args.seconds * 1e9) as u64;
    let stop = StopRequest::listen()?;
    // A failed run drops the output, and its temporary goes with it.
    let trace = match &args.trace {
        Some(path) => {
            let cannot = || format!("cannot write the trace to {}", path.display());
            let out = write::create(path).with_context(cannot)?;
            Some(ChromeTrace::new(out, &cfg).with_context(cannot)?)
        }
        None => None,
    };
    let mut run = Run::new(cfg, end, trace);
    let mut progress = ProgressBar::on_terminal(end);
    let mut stopped = None;
    let finished = (|| {
        while !run.is_done() {
            if let Some(sig) = stop.requested() {
                stopped = Some(sig);
                break;
            }
            run.step()?;
            progress.show(run.now_ns());
        }
        run.finish()
    })();
    progress.clear();
    let trace_failed = |path: &Path| {
        format!(
            "cannot write the trace to {} (left as it was)",
            path.display()
        )
    };
    let done = match (finished, &args.trace) {
        (Ok(done), _) => done,
        (Err(e), Some(path)) => return Err(e.context(trace_failed(path))),
        (Err(e), None) => return Err(e),
    };
    let mut trace_stats = None;
    if let (Some((out, stats)), Some(path)) = (done.trace, &args.trace) {
        out.commit().with_context(|| trace_failed(path))?;
        trace_stats = Some((path, stats));
    }
    let stop = stopped.map(|signal| Stopped {
        signal,
        seconds_asked: args.seconds,
    });
    print_report(
        args.json,
        &done.sim.report(),
        &done.over_time,
        stop.as_ref(),
    )?;
    if let Some((path, stats)) = trace_stats {
        say!(
            "trace: {} events written to {}{} (open it in https://ui.perfetto.dev)",
            stats.written,
            path.display(),
            if stats.truncated {
                ", truncated at the cap"
            } else {
                ""
            }
        );
    }
    Ok(match stop {
        Some(st) => ExitCode::from(128 + st.signal.number()),
        None => ExitCode::SUCCESS,
    })
}

/// The report on stdout: JSON (with why it stopped early, if it did) or text.
fn print_report(
    json: bool,
    report: &Report,
    over_time: &GoodputOverTime,
    stop: Option<&Stopped>,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        match stop {
            None => serde_json::to_writer(&mut out, report)?,
            Some(st) => serde_json::to_writer(
                &mut out,
                &StoppedJson {
                    report,
                    stopped_early: true,
                    stopped_by: st.signal.name(),
                    seconds_asked: st.seconds_asked,
                },
            )?,
        }
        writeln!(out)?;
    } else {
        out.write_all(render_text(report, over_time, stop).as_bytes())?;
    }
    Ok(())
}

/// The JSON report of a run stopped early: the report's keys, then why.
#[derive(serde::Serialize)]
struct StoppedJson<'a> {
    #[serde(flatten)]
    report: &'a Report,
    stopped_early: bool,
    stopped_by: &'static str,
    seconds_asked: f64,
}

/// The progress bar on stderr, drawn only when stderr is a terminal: virtual seconds done
/// of the run's, the rate (virtual seconds per wall second) and the time left; erased when
/// the run ends, before the report.
struct ProgressBar {
    end_ns: u64,
    started: Instant,
    next: Instant,
    drawn: bool,
    on: bool,
}

impl ProgressBar {
    fn on_terminal(end_ns: u64) -> Self {
        let now = Instant::now();
        ProgressBar {
            end_ns,
            started: now,
            // A run shorter than this shows no bar at all.
            next: now + 2 * PROGRESS_EVERY,
            drawn: false,
            on: std::io::stderr().is_terminal(),
        }
    }

    fn show(&mut self, done_ns: u64) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        if now < self.next {
            return;
        }
        self.next = now + PROGRESS_EVERY;
        let width = crossterm::terminal::size().map_or(80, |(w, _)| w);
        let line = progress_line(done_ns, self.end_ns, now - self.started, width);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

/// One line of the progress bar, at most `width - 3` columns: it never wraps, not even
/// with the `^C` a terminal echoes after it (a wrapped line would not be erased whole).
pub fn progress_line(done_ns: u64, end_ns: u64, elapsed: Duration, width: u16) -> String {
    let done = done_ns as f64 / 1e9;
    let total = end_ns.max(1) as f64 / 1e9;
    let frac = (done / total).clamp(0.0, 1.0);
    let wall = elapsed.as_secs_f64();
    let rate = if wall > 0.0 { done / wall } else { 0.0 };
    let left = if rate > 0.0 {
        format!("{} left", duration_words((total - done) / rate))
    } else {
        "…".to_string()
    };
    let figures = format!(
        " {done:.1} s of {total:.1} s virtual · {} · {left} · Ctrl-C stops early",
        rate_words(rate)
    );
    let max = usize::from(width.max(4) - 3);
    let fig_len = figures.chars().count();
    let bar_len = max.saturating_sub(fig_len + 2).min(40);
    let mut line = String::new();
    if bar_len >= 10 {
        let full = (frac * bar_len as f64).round() as usize;
        line.push('▕');
        line.extend(std::iter::repeat_n('█', full));
        line.extend(std::iter::repeat_n(' ', bar_len - full));
        line.push('▏');
    }
    line.push_str(&figures);
    line.chars().take(max).collect()
}

fn rate_words(virtual_per_wall: f64) -> String {
    if virtual_per_wall >= 10.0 {
        format!("{virtual_per_wall:.0}× real time")
    } else {
        format!("{virtual_per_wall:.2}× real time")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn the_progress_line_fits_and_says_what_it_measures() {
        let line = progress_line(90 * S, 3600 * S, Duration::from_secs(2), 100);
        assert!(line.chars().count() <= 97, "{line}");
        assert!(line.starts_with('▕'), "a bar: {line}");
        assert!(line.contains("90.0 s of 3600.0 s virtual"), "{line}");
        assert!(line.contains("45× real time"), "{line}");
        assert!(line.contains("1 min 18 s left"), "{line}");
        assert!(line.contains("Ctrl-C stops early"), "{line}");
        // Narrow: no bar, the figures cut, never wrapped.
        let narrow = progress_line(90 * S, 3600 * S, Duration::from_secs(2), 40);
        assert!(
            narrow.chars().count() <= 37 && !narrow.contains('▕'),
            "{narrow}"
        );
    }
}
