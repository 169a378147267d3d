//! The headless report: `evtchn-lab run`. Runs a scenario in virtual time and prints a
//! table (or one JSON object), and can export the transitions as a Chrome trace.
//!
//! A run goes in chunks of virtual time ([`Run`]): after each, the trace export drains the
//! sim's trace ring (until its cap, then never again), "goodput over time" folds the new
//! samples into its columns (so it covers the whole run, while the sim keeps only the last
//! [`SAMPLES_KEPT`]), the progress bar is redrawn (on a terminal) and a stop is looked for:
//! Ctrl-C (SIGINT) or SIGTERM ends the run early with the report of what was simulated.
//! A trace file is written beside its target and renamed onto it at the end.

use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use crate::cli::RunArgs;
#[cfg(doc)]
use crate::sim::SAMPLES_KEPT;
use crate::sim::{Config, EoiResult, Report, Sample, Samples, Sim, TraceEvent, TraceKind, on_off};

/// Trace ring size while exporting: far more than one chunk of the run ever records.
const EXPORT_RING: usize = 1 << 16;
/// Virtual time between two drains of the trace ring while exporting, ns.
const EXPORT_CHUNK_NS: u64 = 1_000_000;
/// Trace events written at most, so a long, busy run cannot fill the disk.
pub const EXPORT_MAX_EVENTS: usize = 2_000_000;
/// Virtual time between two looks at a run (stop, progress, samples) when no trace is being
/// written, ns. Far less than the [`SAMPLES_KEPT`] samples the sim keeps (120 s).
const RUN_CHUNK_NS: u64 = 10_000_000;
/// Columns of "goodput over time".
pub const SPARK_WIDTH: usize = 50;
/// How often the progress bar is redrawn.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// `evtchn-lab run …`: simulate, then print; write the trace if asked. Ctrl-C (or SIGTERM)
/// stops early: the report covers the virtual time simulated so far, says so first, and
/// the exit status is 128 + the signal's number.
pub fn run_command(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let cfg = args.scenario.config();
    let end = (args.seconds * 1e9) as u64;
    let stop = StopRequest::listen()?;
    // Declared before the run, so it is dropped after it: a failed run's temporary goes.
    let (target, trace) = match &args.trace {
        Some(path) => {
            let (target, file) = TraceTarget::open(path)
                .with_context(|| format!("cannot write the trace to {}", path.display()))?;
            let w = ChromeTrace::new(BufWriter::new(file), &cfg)
                .with_context(|| format!("cannot write the trace to {}", path.display()))?;
            (Some(target), Some(w))
        }
        None => (None, None),
    };
    let mut run = Run::new(cfg, end, trace);
    let mut progress = Progress::on_terminal(end);
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
    if let (Some((w, stats)), Some(target), Some(path)) = (done.trace, target, &args.trace) {
        w.into_inner()
            .map_err(|e| anyhow::Error::from(e.into_error()))
            .and_then(|file| target.commit(file))
            .with_context(|| trace_failed(path))?;
        trace_stats = Some((path, stats));
    }
    let stop = stopped.map(|signal| Stopped {
        signal,
        seconds_asked: args.seconds,
    });
    let report = done.sim.report();
    let mut out = std::io::stdout().lock();
    if args.json {
        match &stop {
            None => serde_json::to_writer(&mut out, &report)?,
            Some(st) => serde_json::to_writer(
                &mut out,
                &StoppedJson {
                    report: &report,
                    stopped_early: true,
                    stopped_by: st.signal.name(),
                    seconds_asked: st.seconds_asked,
                },
            )?,
        }
        writeln!(out)?;
    } else {
        out.write_all(render_text(&report, &done.over_time, stop.as_ref()).as_bytes())?;
    }
    if let Some((path, stats)) = trace_stats {
        eprintln!(
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

/// The JSON report of a run stopped early: the report's keys, then why.
#[derive(serde::Serialize)]
struct StoppedJson<'a> {
    #[serde(flatten)]
    report: &'a Report,
    stopped_early: bool,
    stopped_by: &'static str,
    seconds_asked: f64,
}

/// A signal that stops a run early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// Ctrl-C.
    Interrupt,
    Terminate,
}

impl StopSignal {
    /// What the report calls it.
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "Ctrl-C",
            StopSignal::Terminate => "SIGTERM",
        }
    }

    fn number(self) -> u8 {
        match self {
            StopSignal::Interrupt => 2,
            StopSignal::Terminate => 15,
        }
    }
}

/// A run that ended early: by which signal, and how long it was to be.
#[derive(Clone, Copy, Debug)]
pub struct Stopped {
    pub signal: StopSignal,
    pub seconds_asked: f64,
}

/// SIGINT and SIGTERM, caught for the length of a run: the loop asks between chunks.
struct StopRequest {
    signal: Arc<AtomicUsize>,
}

impl StopRequest {
    fn listen() -> anyhow::Result<Self> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let signal = Arc::new(AtomicUsize::new(0));
        for sig in [SIGINT, SIGTERM] {
            signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)
                .context("listening for Ctrl-C")?;
        }
        // A failed write of the trace must not kill the run before it removes its
        // temporary file (`ulimit -f`): let the write fail with EFBIG instead.
        #[cfg(unix)]
        // SAFETY: signal(2) ignoring SIGXFSZ, for the whole process.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        }
        Ok(StopRequest { signal })
    }

    fn requested(&self) -> Option<StopSignal> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        match self.signal.load(Ordering::Relaxed) {
            0 => None,
            s if s == SIGINT as usize => Some(StopSignal::Interrupt),
            s if s == SIGTERM as usize => Some(StopSignal::Terminate),
            _ => Some(StopSignal::Interrupt),
        }
    }
}

/// The progress bar on stderr, drawn only when stderr is a terminal: virtual seconds done
/// of the run's, the rate (virtual seconds per wall second) and the time left; erased when
/// the run ends, before the report.
struct Progress {
    end_ns: u64,
    started: Instant,
    next: Instant,
    drawn: bool,
    on: bool,
}

impl Progress {
    fn on_terminal(end_ns: u64) -> Self {
        let now = Instant::now();
        Progress {
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

fn duration_words(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{}:{:02} min", s / 60, s % 60),
        _ => format!("{}:{:02} h", s / 3600, (s % 3600) / 60),
    }
}

/// A headless run to a virtual end time, in chunks: the trace exported as it goes (if
/// any), the goodput samples folded in as they come.
pub struct Run<W: Write> {
    sim: Sim,
    end_ns: u64,
    t_ns: u64,
    over_time: GoodputOverTime,
    trace: Option<TraceExport<W>>,
}

/// A trace being exported: the writer and how far it has read the sim's ring.
struct TraceExport<W: Write> {
    w: ChromeTrace<W>,
    next_seq: u64,
    last_sample_t: u64,
    /// Transitions read from the sim's ring so far (none once the cap is reached).
    read: u64,
}

/// A run at its end (or stopped): the sim, goodput over time, the trace's writer and stats.
pub struct Finished<W: Write> {
    pub sim: Sim,
    pub over_time: GoodputOverTime,
    pub trace: Option<(W, TraceStats)>,
}

impl<W: Write> Run<W> {
    /// A run of `cfg` to `end_ns`, exporting to `trace` if given.
    pub fn new(cfg: Config, end_ns: u64, trace: Option<ChromeTrace<W>>) -> Self {
        let sim = match trace {
            Some(_) => Sim::with_trace_capacity(cfg, EXPORT_RING),
            // Nothing reads the trace: keep none.
            None => Sim::headless(cfg),
        };
        Run {
            sim,
            end_ns,
            t_ns: 0,
            over_time: GoodputOverTime::new(end_ns, cfg.params.sample_interval_ns, SPARK_WIDTH),
            trace: trace.map(|w| TraceExport {
                w,
                next_seq: 0,
                last_sample_t: 0,
                read: 0,
            }),
        }
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The sim, to change a knob mid-run (as the lab would).
    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.sim
    }

    /// Virtual time simulated so far, ns.
    pub fn now_ns(&self) -> u64 {
        self.t_ns
    }

    pub fn is_done(&self) -> bool {
        self.t_ns >= self.end_ns
    }

    /// One chunk of virtual time: 1 ms while a trace is written (the ring holds far more
    /// than that), 10 ms otherwise, never past the end.
    pub fn step(&mut self) -> anyhow::Result<()> {
        self.step_until(self.end_ns)
    }

    /// One chunk, never past `limit`.
    fn step_until(&mut self, limit: u64) -> anyhow::Result<()> {
        let exporting = self.trace.as_ref().is_some_and(|t| !t.w.is_full());
        let chunk = if exporting {
            EXPORT_CHUNK_NS
        } else {
            RUN_CHUNK_NS
        };
        self.t_ns = (self.t_ns + chunk).min(limit).min(self.end_ns);
        self.sim.run_until(self.t_ns);
        if let Some(t) = &mut self.trace {
            t.drain(&self.sim)?;
        }
        self.over_time.fold(self.sim.samples());
        Ok(())
    }

    /// Step until `t_ns` (at most the end).
    pub fn advance_to(&mut self, t_ns: u64) -> anyhow::Result<()> {
        let t_ns = t_ns.min(self.end_ns);
        while self.t_ns < t_ns {
            self.step_until(t_ns)?;
        }
        Ok(())
    }

    /// The run as it is: the trace's document closed (slices still open end now).
    pub fn finish(self) -> anyhow::Result<Finished<W>> {
        let now = self.sim.now_ns();
        let trace = match self.trace {
            Some(t) => Some(t.w.finish_into(now)?),
            None => None,
        };
        Ok(Finished {
            trace,
            sim: self.sim,
            over_time: self.over_time,
        })
    }
}

impl<W: Write> TraceExport<W> {
    /// What the sim recorded since the last drain: transitions, then samples. Once the
    /// cap is reached nothing more is read or formatted: the run goes at full speed.
    fn drain(&mut self, sim: &Sim) -> anyhow::Result<()> {
        let trace = sim.trace();
        if self.w.is_full() {
            // Only whether there was more than the file holds.
            if trace.next_seq() > self.next_seq
                || sim
                    .samples()
                    .last()
                    .is_some_and(|s| s.t_end_ns > self.last_sample_t)
            {
                self.w.stats.truncated = true;
            }
            return Ok(());
        }
        for ev in trace.since(self.next_seq) {
            self.read += 1;
            if self.w.is_full() {
                self.w.stats.truncated = true;
                break;
            }
            self.w.event(ev)?;
        }
        self.next_seq = trace.next_seq();
        for s in newer_than(sim.samples(), self.last_sample_t) {
            if self.w.is_full() {
                self.w.stats.truncated = true;
                break;
            }
            self.w.sample(s)?;
        }
        self.last_sample_t = sim.samples().last().map_or(0, |s| s.t_end_ns);
        Ok(())
    }
}

/// The samples that end after `t_ns`, oldest first. Read from the newest back: after a
/// chunk there are one or two, among up to [`SAMPLES_KEPT`].
fn newer_than(samples: &Samples, t_ns: u64) -> impl Iterator<Item = &Sample> {
    let n = samples
        .iter()
        .rev()
        .take_while(|s| s.t_end_ns > t_ns)
        .count();
    samples.iter().skip(samples.len() - n)
}

/// Where a trace goes. A regular file (or a new one) is written as a temporary file beside
/// it and renamed onto it at the end, so a failed run (a full disk, `ulimit -f`, an error)
/// leaves the previous file as it was and no temporary behind. Anything else (`/dev/null`,
/// a FIFO, a terminal) is written to directly: there is nothing to replace.
struct TraceTarget {
    /// The file to replace (a symbolic link's target: the link stays).
    real: PathBuf,
    /// The temporary beside it, until renamed.
    tmp: Option<PathBuf>,
}

impl TraceTarget {
    fn open(path: &Path) -> anyhow::Result<(TraceTarget, File)> {
        let existing = match fs::metadata(path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            let file = OpenOptions::new().write(true).truncate(true).open(path)?;
            let target = TraceTarget {
                real: path.to_path_buf(),
                tmp: None,
            };
            return Ok((target, file));
        }
        let real = if existing.is_some() {
            fs::canonicalize(path)?
        } else {
            path.to_path_buf()
        };
        let dir = match real.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = real
            .file_name()
            .ok_or_else(|| anyhow::anyhow!("not a file name"))?
            .to_string_lossy()
            .into_owned();
        let mut n = 0u32;
        loop {
            let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(file) => {
                    if let Some(m) = &existing {
                        // The new file reads as the old one did.
                        let _ = fs::set_permissions(&tmp, m.permissions());
                    }
                    let target = TraceTarget {
                        real,
                        tmp: Some(tmp),
                    };
                    return Ok((target, file));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The trace is complete in `file`: make it the target.
    fn commit(mut self, file: File) -> anyhow::Result<()> {
        if let Some(tmp) = &self.tmp {
            file.sync_all()?;
            drop(file);
            fs::rename(tmp, &self.real)?;
            self.tmp = None;
        }
        Ok(())
    }
}

impl Drop for TraceTarget {
    fn drop(&mut self) {
        if let Some(tmp) = &self.tmp {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// One line naming the scenario.
pub fn describe(cfg: &Config) -> String {
    let g = cfg.guest;
    let guest = format!("{g} guest ({})", g.label());
    let dir = if g.has_traffic() {
        let d = cfg.direction;
        format!("{d}: {}", d.label().trim_start_matches("the "))
    } else {
        "no traffic".to_string()
    };
    let nb = format!("netback {} {}", cfg.netback, cfg.netback.condition());
    format!(
        "{guest}, {dir}, {nb}, throttle {}, late EOI {}, {} event channels, HZ {}, spurious_threshold {}, seed {}",
        on_off(cfg.throttle),
        on_off(cfg.lateeoi),
        cfg.abi.label(),
        cfg.hz,
        cfg.spurious_threshold,
        cfg.seed
    )
}

/// Goodput over the whole run in at most `width` columns, each the mean of its samples,
/// folded in as the samples come: the sim keeps only the last [`SAMPLES_KEPT`], and this
/// keeps `width` sums whatever the length of the run.
#[derive(Clone, Debug)]
pub struct GoodputOverTime {
    width: usize,
    /// Samples per column.
    per: u64,
    /// Per column: the sum of its samples' goodput, and how many.
    cols: Vec<(f64, u64)>,
    seen: u64,
    last_t: u64,
    max: f64,
}

impl GoodputOverTime {
    /// For a run of `run_ns` with a sample every `interval_ns`.
    pub fn new(run_ns: u64, interval_ns: u64, width: usize) -> Self {
        let expected = run_ns / interval_ns.max(1);
        GoodputOverTime {
            width: width.max(1),
            per: expected.div_ceil(width.max(1) as u64).max(1),
            cols: Vec::with_capacity(width),
            seen: 0,
            last_t: 0,
            max: 0.0,
        }
    }

    /// The samples not folded in yet.
    pub fn fold(&mut self, samples: &Samples) {
        for s in newer_than(samples, self.last_t) {
            let col = ((self.seen / self.per) as usize).min(self.width - 1);
            if col >= self.cols.len() {
                self.cols.push((0.0, 0));
            }
            let c = &mut self.cols[col];
            c.0 += s.goodput_mbps;
            c.1 += 1;
            self.max = self.max.max(s.goodput_mbps);
            self.seen += 1;
            self.last_t = s.t_end_ns;
        }
    }

    /// Samples folded in.
    pub fn samples(&self) -> u64 {
        self.seen
    }

    /// The highest sample.
    pub fn max_mbps(&self) -> f64 {
        self.max
    }

    /// One bar per column, scaled to the highest column.
    pub fn sparkline(&self) -> String {
        const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        let means: Vec<f64> = self.cols.iter().map(|&(s, n)| s / n as f64).collect();
        let max = means.iter().copied().fold(0.0, f64::max);
        means
            .iter()
            .map(|&v| {
                if max <= 0.0 {
                    BARS[0]
                } else {
                    BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize]
                }
            })
            .collect()
    }
}

/// The human-readable table (`stopped`: the run ended early, and why).
pub fn render_text(r: &Report, over_time: &GoodputOverTime, stopped: Option<&Stopped>) -> String {
    let mut s = String::new();
    let cfg = &r.config;
    let _ = write!(
        s,
        "evtchn-lab run: {:.1} s of virtual time",
        r.simulated_seconds
    );
    match stopped {
        Some(st) => {
            let _ = writeln!(
                s,
                ", stopped early by {} ({} s asked)",
                st.signal.name(),
                st.seconds_asked
            );
        }
        None => {
            let _ = writeln!(s);
        }
    }
    let _ = writeln!(s, "  {}", describe(cfg));
    let _ = writeln!(s);
    let row = |s: &mut String, k: &str, v: String| {
        let _ = writeln!(s, "  {k:<28} {v}");
    };
    let spark = over_time.sparkline();
    let max = over_time.max_mbps();
    row(&mut s, "goodput", format!("{:.0} Mbit/s", r.goodput_mbps));
    if !spark.is_empty() {
        row(
            &mut s,
            "goodput over time",
            format!("{spark}  (max {max:.0} Mbit/s)"),
        );
    }
    row(
        &mut s,
        "packets offered / delivered",
        format!("{} / {}", r.packets_offered, r.packets_delivered),
    );
    row(
        &mut s,
        "packets in flight / dropped",
        format!("{} / {}", r.packets_in_flight, r.packets_dropped),
    );
    row(
        &mut s,
        "events sent / delivered",
        format!("{} / {}", r.events_sent, r.events_delivered),
    );
    row(
        &mut s,
        "  coalesced / held masked",
        format!("{} / {}", r.events_coalesced, r.events_held_masked),
    );
    row(&mut s, "late EOIs", r.lateeoi_calls.to_string());
    // The sysfs counters came with a later commit than patch 12 (the throttle) and count
    // what it does: with the patch reverted, say what the lab counts instead.
    let share = r.spurious_ratio * 100.0;
    let pauses = format!(
        "{} throttle pauses, {} worker EOIs",
        r.throttle_pauses, r.worker_eois
    );
    if cfg.lateeoi && !cfg.throttle {
        row(
            &mut s,
            "would be flagged spurious",
            format!(
                "{} ({share:.1}% of late EOIs; patch 12 off: the kernel counts none)",
                r.spurious_events
            ),
        );
        row(
            &mut s,
            "jiffies_eoi_delayed",
            format!("— (patch 12 off: nothing delayed; {pauses})"),
        );
    } else {
        row(
            &mut s,
            "spurious_events",
            format!("{} ({share:.1}% of late EOIs)", r.spurious_events),
        );
        row(
            &mut s,
            "jiffies_eoi_delayed",
            format!("{} ({pauses})", r.jiffies_eoi_delayed),
        );
    }
    row(
        &mut s,
        "port masked / paused",
        format!("{:.1}% / {:.1}% of the time", r.masked_pct, r.paused_pct),
    );
    row(
        &mut s,
        "dom0 CPU / guest CPU",
        format!(
            "{:.1}% / {:.1}% of one vCPU",
            r.dom0_cpu_pct, r.guest_cpu_pct
        ),
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "  Absolute figures are illustrative (model parameters: see the README); compare runs by ratio."
    );
    s
}

#[derive(Clone, Copy, Debug, Default)]
pub struct TraceStats {
    pub written: usize,
    pub truncated: bool,
}

/// A streaming writer of Chrome trace-event JSON: one track per port, throttle pauses and
/// masked time as slices, transitions as instants, goodput and dom0 CPU as counters.
pub struct ChromeTrace<W: Write> {
    w: W,
    first: bool,
    stats: TraceStats,
    /// Events written at most.
    max_events: usize,
    /// Per port: the slices still open.
    open: Vec<OpenSlices>,
}

/// A port's masked time and throttle pause, begun and not yet ended.
#[derive(Clone, Copy, Debug)]
struct OpenSlices {
    port: u32,
    /// Masked (EOI pending) since, ns.
    masked: Option<u64>,
    /// Paused since (ns, jiffies of the pause).
    paused: Option<(u64, u64)>,
}

const PID: u32 = 1;

fn us(t_ns: u64) -> f64 {
    t_ns as f64 / 1000.0
}

impl<W: Write> ChromeTrace<W> {
    pub fn new(w: W, cfg: &Config) -> anyhow::Result<Self> {
        Self::with_cap(w, cfg, EXPORT_MAX_EVENTS)
    }

    /// A trace that holds at most `max_events` events.
    pub fn with_cap(mut w: W, cfg: &Config, max_events: usize) -> anyhow::Result<Self> {
        write!(w, "{{\"displayTimeUnit\":\"ns\",\"otherData\":")?;
        serde_json::to_writer(&mut w, &json!({ "scenario": describe(cfg) }))?;
        writeln!(w, ",\"traceEvents\":[")?;
        let mut t = ChromeTrace {
            w,
            first: true,
            stats: TraceStats::default(),
            max_events,
            open: Vec::new(),
        };
        t.raw(json!({"ph":"M","pid":PID,"name":"process_name","args":{"name":"dom0 event channels (evtchn-lab)"}}))?;
        Ok(t)
    }

    /// The cap is reached: nothing more will be written.
    pub fn is_full(&self) -> bool {
        self.stats.written >= self.max_events
    }

    fn raw(&mut self, v: serde_json::Value) -> anyhow::Result<()> {
        if self.is_full() {
            self.stats.truncated = true;
            return Ok(());
        }
        if !self.first {
            self.w.write_all(b",\n")?;
        }
        self.first = false;
        serde_json::to_writer(&mut self.w, &v)?;
        self.stats.written += 1;
        Ok(())
    }

    fn port_slot(&mut self, port: u32) -> anyhow::Result<usize> {
        if let Some(i) = self.open.iter().position(|o| o.port == port) {
            return Ok(i);
        }
        self.open.push(OpenSlices {
            port,
            masked: None,
            paused: None,
        });
        self.raw(json!({"ph":"M","pid":PID,"tid":port,"name":"thread_name","args":{"name":format!("port {port}")}}))?;
        Ok(self.open.len() - 1)
    }

    fn instant(&mut self, ev: &TraceEvent, port: u32, name: String) -> anyhow::Result<()> {
        self.raw(
            json!({"ph":"i","s":"t","pid":PID,"tid":port,"ts":us(ev.t_ns),"name":name,
            "args":{"jiffies":ev.jiffies,"seq":ev.seq}}),
        )
    }

    fn slice(
        &mut self,
        port: u32,
        name: &str,
        from: u64,
        to: u64,
        args: serde_json::Value,
    ) -> anyhow::Result<()> {
        self.raw(json!({"ph":"X","pid":PID,"tid":port,"ts":us(from),"dur":us(to.saturating_sub(from)),"name":name,"args":args}))
    }

    /// One transition: an instant on its port's track (or the process's), in the lab's
    /// words; an ack opens a port's masked slice, a pause its pause slice, an unmask closes
    /// both.
    pub fn event(&mut self, ev: &TraceEvent) -> anyhow::Result<()> {
        let words = ev.kind.to_string();
        let Some(port) = ev.kind.port() else {
            // Upcall loops and knob changes belong to the whole dom0 vCPU.
            let scope = if matches!(ev.kind, TraceKind::Knob { .. }) {
                "g"
            } else {
                "p"
            };
            return self.raw(
                json!({"ph":"i","s":scope,"pid":PID,"tid":0,"ts":us(ev.t_ns),"name":words,
                "args":{"jiffies":ev.jiffies,"seq":ev.seq}}),
            );
        };
        let i = self.port_slot(port)?;
        match ev.kind {
            TraceKind::Ack { masked: true, .. } if self.open[i].masked.is_none() => {
                self.open[i].masked = Some(ev.t_ns);
            }
            TraceKind::LateEoi {
                result: EoiResult::Paused { jiffies, .. },
                ..
            } if jiffies > 0 && self.open[i].paused.is_none() => {
                self.open[i].paused = Some((ev.t_ns, jiffies));
            }
            TraceKind::Unmask { .. } => self.close_slices(i, ev.t_ns)?,
            _ => {}
        }
        // The track names the port already.
        let name = words
            .split_once(": ")
            .map_or(words.as_str(), |(_, rest)| rest)
            .to_string();
        self.instant(ev, port, name)
    }

    /// One metrics interval, as counter tracks.
    pub fn sample(&mut self, s: &Sample) -> anyhow::Result<()> {
        let ts = us(s.t_end_ns);
        self.raw(json!({"ph":"C","pid":PID,"ts":ts,"name":"goodput Mbit/s","args":{"goodput":s.goodput_mbps}}))?;
        self.raw(
            json!({"ph":"C","pid":PID,"ts":ts,"name":"dom0 CPU %","args":{"dom0":s.dom0_cpu_pct}}),
        )
    }

    /// End a port's open pause and masked slices at `end_ns`.
    fn close_slices(&mut self, i: usize, end_ns: u64) -> anyhow::Result<()> {
        let OpenSlices {
            port,
            masked,
            paused,
        } = self.open[i];
        self.open[i].masked = None;
        self.open[i].paused = None;
        if let Some((from, jiffies)) = paused {
            let name = format!("throttle pause ({jiffies} jiffy)");
            self.slice(port, &name, from, end_ns, json!({ "jiffies": jiffies }))?;
        }
        if let Some(from) = masked {
            self.slice(port, "masked (EOI pending)", from, end_ns, json!({}))?;
        }
        Ok(())
    }

    /// Close slices still open at `end_ns` and the JSON document.
    pub fn finish(self, end_ns: u64) -> anyhow::Result<TraceStats> {
        self.finish_into(end_ns).map(|(_, stats)| stats)
    }

    /// [`ChromeTrace::finish`], giving the writer back.
    pub fn finish_into(mut self, end_ns: u64) -> anyhow::Result<(W, TraceStats)> {
        for i in 0..self.open.len() {
            self.close_slices(i, end_ns)?;
        }
        self.w.write_all(b"\n]}\n")?;
        self.w.flush()?;
        Ok((self.w, self.stats))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{GuestKind, KnobChange, NetbackVariant};

    const S: u64 = 1_000_000_000;

    /// "Goodput over time" covers the whole run, not the last 1,200 samples (120 s) the sim
    /// keeps: 10 s with the fixed netback, then 120 s with the buggy one. The first columns
    /// are the fast start; the sim's own samples hold only the slow part.
    #[test]
    fn goodput_over_time_covers_the_whole_run() {
        let cfg = Config {
            netback: NetbackVariant::Fixed,
            ..Config::default()
        };
        let mut run: Run<std::io::Sink> = Run::new(cfg, 130 * S, None);
        run.advance_to(10 * S).unwrap();
        run.sim_mut()
            .set_knob(KnobChange::Netback(NetbackVariant::Buggy));
        run.advance_to(130 * S).unwrap();
        let done = run.finish().unwrap();
        assert!(done.sim.samples().iter().all(|s| s.t_end_ns > 10 * S));
        let spark: Vec<char> = done.over_time.sparkline().chars().collect();
        assert_eq!(spark.len(), SPARK_WIDTH, "{spark:?}");
        assert_eq!(done.over_time.samples(), 1300);
        // 26 samples (2.6 s) a column: the first three are all fixed, the fourth mixed.
        assert!(spark[..3].iter().all(|&c| c == '█'), "{spark:?}");
        assert!(spark[4..].iter().all(|&c| c <= '▃'), "{spark:?}");
        let max = done.over_time.max_mbps();
        assert!(max > 2000.0, "the fixed netback's rate is the max: {max}");
        let text = render_text(&done.sim.report(), &done.over_time, None);
        assert!(text.contains(&format!("(max {max:.0} Mbit/s)")), "{text}");
    }

    /// The columns are the old ones for a run the sim holds whole: `ceil(n / 50)` samples
    /// each, the last one shorter.
    #[test]
    fn short_runs_fold_into_whole_samples() {
        for (secs_tenths, cols) in [(0, 0), (1, 1), (3, 3), (50, 50), (51, 26), (100, 50)] {
            let mut run: Run<std::io::Sink> = Run::new(
                Config {
                    guest: GuestKind::Idle,
                    ..Config::default()
                },
                secs_tenths * S / 10,
                None,
            );
            run.advance_to(u64::MAX).unwrap();
            let done = run.finish().unwrap();
            assert_eq!(
                done.over_time.sparkline().chars().count(),
                cols,
                "{secs_tenths} tenths of a second"
            );
        }
    }

    /// Past the trace's cap, the exporter costs nothing: in the rogue guest's storm (a
    /// million-odd transitions a virtual second), once the file holds its 10,000 events no
    /// transition is read from the sim's ring, let alone formatted. (Formatting every
    /// transition after the cap made the storm 26 times slower.) Counted, not timed.
    #[test]
    fn past_the_trace_cap_events_cost_nothing() {
        let cfg = Config {
            guest: GuestKind::Rogue,
            ..Config::default()
        };
        let w = ChromeTrace::with_cap(std::io::sink(), &cfg, 10_000).unwrap();
        let mut run = Run::new(cfg, S, Some(w));
        run.advance_to(S).unwrap();
        let read = run.trace.as_ref().map_or(0, |t| t.read);
        let made = run.sim().trace().next_seq();
        assert!(made > 100 * 10_000, "a storm: {made} transitions");
        // The one read that found the file full, at most.
        assert!(
            read <= 10_001,
            "{read} of {made} transitions read for 10,000 kept"
        );
        let done = run.finish().unwrap();
        let (_, stats) = done.trace.unwrap();
        assert_eq!(stats.written, 10_000);
        assert!(stats.truncated);
    }

    #[test]
    fn the_progress_line_fits_and_says_what_it_measures() {
        let line = progress_line(90 * S, 3600 * S, Duration::from_secs(2), 100);
        assert!(line.chars().count() <= 97, "{line}");
        assert!(line.starts_with('▕'), "a bar: {line}");
        assert!(line.contains("90.0 s of 3600.0 s virtual"), "{line}");
        assert!(line.contains("45× real time"), "{line}");
        assert!(line.contains("1:18 min left"), "{line}");
        assert!(line.contains("Ctrl-C stops early"), "{line}");
        // Narrow: no bar, the figures cut, never wrapped.
        let narrow = progress_line(90 * S, 3600 * S, Duration::from_secs(2), 40);
        assert!(
            narrow.chars().count() <= 37 && !narrow.contains('▕'),
            "{narrow}"
        );
    }
}
