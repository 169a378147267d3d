//! The headless report (what `evtchn-lab run` prints): a scenario run in virtual time, as a
//! table or one JSON object, and its transitions as a Chrome trace.
//!
//! A run goes in chunks of virtual time ([`Run`]): after each, the trace export drains the
//! sim's trace ring (until its cap, then never again) and "goodput over time" folds the new
//! samples into its columns (so it covers the whole run, while the sim keeps only the last
//! [`SAMPLES_KEPT`]); between chunks the command shows progress and looks for a stop.

use std::fmt::Write as _;
use std::io::Write;

use serde_json::json;

#[cfg(doc)]
use crate::sim::SAMPLES_KEPT;
use crate::sim::knob::KNOBS;
use crate::sim::{
    Abi, Config, EoiResult, NetbackVariant, Report, Sample, Samples, Setting, Sim, TraceEvent,
    TraceKind,
};

/// Trace ring size while exporting: far more than one chunk of the run ever records.
const EXPORT_RING: usize = 1 << 16;
/// Virtual time between two drains of the trace ring while exporting, ns.
const EXPORT_CHUNK_NS: u64 = 1_000_000;
/// Trace events written at most, so a long, busy run cannot fill the disk.
pub const EXPORT_MAX_EVENTS: usize = 2_000_000;
/// Virtual time between two looks at a run (stop, progress, samples) when no trace is being
/// written, ns. Far less than the [`SAMPLES_KEPT`] samples the sim keeps (120 s).
const RUN_CHUNK_NS: u64 = 10_000_000;
/// Columns kept at the finer grain of "goodput over time" (64 KiB).
const FINE_COLUMNS: usize = 4096;
/// Columns of "goodput over time".
pub const SPARK_WIDTH: usize = 50;

/// A signal that stops a run early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// Ctrl-C.
    Interrupt,
    Terminate,
    /// The terminal hung up.
    Hangup,
    /// Ctrl-\ (SIGQUIT).
    Quit,
}

impl StopSignal {
    /// What the report calls it.
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "Ctrl-C",
            StopSignal::Terminate => "SIGTERM",
            StopSignal::Hangup => "SIGHUP",
            StopSignal::Quit => "SIGQUIT",
        }
    }

    /// Its number (the exit status is 128 + this).
    pub fn number(self) -> u8 {
        match self {
            StopSignal::Interrupt => 2,
            StopSignal::Terminate => 15,
            StopSignal::Hangup => 1,
            StopSignal::Quit => 3,
        }
    }
}

/// A run that ended early: by which signal, and how long it was to be.
#[derive(Clone, Copy, Debug)]
pub struct Stopped {
    pub signal: StopSignal,
    pub seconds_asked: f64,
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

/// One line naming the scenario: every knob of the knob table, in its order.
pub fn describe(cfg: &Config) -> String {
    let words: Vec<String> = KNOBS
        .iter()
        .map(|r| scenario_words(cfg, r.knob.get(cfg)))
        .collect();
    words.join(", ")
}

/// A knob's part of [`describe`]: the kinds in a few words, netback by its CLI name and
/// condition, the switches as the screen words them, the numbers by their labels.
fn scenario_words(cfg: &Config, s: Setting) -> String {
    let label = s.knob().label();
    match s {
        Setting::Guest(g) => format!("{g} guest ({})", g.label()),
        Setting::Direction(d) if cfg.guest.has_traffic() => {
            format!("{d}: {}", d.label().trim_start_matches("the "))
        }
        Setting::Direction(_) => "no traffic".to_string(),
        Setting::Netback(v) => format!("{label} {v} {}", v.condition()),
        Setting::Abi(a) => format!("{} event channels", a.label()),
        s => match s.as_number() {
            Some(n) => format!("{label} {n}"),
            None => s.words(),
        },
    }
}

/// Goodput over the whole run in at most `width` columns, each the mean of its samples,
/// folded in as the samples come: the sim keeps only the last [`SAMPLES_KEPT`], and this
/// keeps `width` sums whatever the length of the run.
#[derive(Clone, Debug)]
pub struct GoodputOverTime {
    width: usize,
    /// Samples the run was to have.
    expected: u64,
    /// Samples per column.
    per: u64,
    /// Per column: the sum of its samples' goodput, and how many.
    cols: Vec<(f64, u64)>,
    /// The same samples at a finer grain (`fine_per` a column, at most [`FINE_COLUMNS`]
    /// columns, two merged into one when full): a run stopped early is drawn from these,
    /// in as many columns as a whole run of its length.
    fine: Vec<(f64, u64)>,
    fine_per: u64,
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
            expected,
            per: expected.div_ceil(width.max(1) as u64).max(1),
            cols: Vec::with_capacity(width),
            fine: Vec::new(),
            fine_per: 1,
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
            if (self.seen / self.fine_per) as usize >= FINE_COLUMNS {
                self.fine = self
                    .fine
                    .chunks(2)
                    .map(|p| p.iter().fold((0.0, 0), |a, c| (a.0 + c.0, a.1 + c.1)))
                    .collect();
                self.fine_per *= 2;
            }
            let f = (self.seen / self.fine_per) as usize;
            if f >= self.fine.len() {
                self.fine.push((0.0, 0));
            }
            self.fine[f].0 += s.goodput_mbps;
            self.fine[f].1 += 1;
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

    /// The columns to draw: those of the planned run, or for a run stopped early, the same
    /// number of samples a column as a whole run of the length it had.
    fn columns(&self) -> Vec<(f64, u64)> {
        if self.seen >= self.expected {
            return self.cols.clone();
        }
        let width = self.width as u64;
        let per = self.fine_per * self.seen.div_ceil(width * self.fine_per).max(1);
        self.fine
            .chunks((per / self.fine_per) as usize)
            .map(|c| c.iter().fold((0.0, 0), |a, c| (a.0 + c.0, a.1 + c.1)))
            .collect()
    }

    /// One bar per column, scaled to the highest column.
    pub fn sparkline(&self) -> String {
        const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        let means: Vec<f64> = self.columns().iter().map(|&(s, n)| s / n as f64).collect();
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
    let _ = writeln!(s, "  {}", describe(&r.config));
    let _ = writeln!(s);
    traffic_rows(&mut s, r, over_time);
    eoi_rows(&mut s, r);
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

/// One row of the table: a name in its column, then the value.
fn row(s: &mut String, k: &str, v: String) {
    let _ = writeln!(s, "  {k:<28} {v}");
}

/// Goodput, packets and events (per port where the guest has two).
fn traffic_rows(s: &mut String, r: &Report, over_time: &GoodputOverTime) {
    let spark = over_time.sparkline();
    let max = over_time.max_mbps();
    row(s, "goodput", format!("{:.0} Mbit/s", r.goodput_mbps));
    if !spark.is_empty() {
        row(
            s,
            "goodput over time",
            format!("{spark}  (max {max:.0} Mbit/s)"),
        );
    }
    row(
        s,
        "packets offered / delivered",
        format!("{} / {}", r.packets_offered, r.packets_delivered),
    );
    row(
        s,
        "packets in flight / dropped",
        format!("{} / {}", r.packets_in_flight, r.packets_dropped),
    );
    row(
        s,
        "events sent / delivered",
        format!("{} / {}", r.events_sent, r.events_delivered),
    );
    row(
        s,
        "  coalesced / held masked",
        format!("{} / {}", r.events_coalesced, r.events_held_masked),
    );
    if !r.config.common_channel() {
        let per_port = |events, spurious, held| {
            format!("{events} events, {spurious} spurious, {held} held masked")
        };
        row(
            s,
            "  TX port",
            per_port(r.tx_port_events, r.tx_port_spurious, r.tx_port_held),
        );
        row(
            s,
            "  RX port",
            per_port(r.rx_port_events, r.rx_port_spurious, r.rx_port_held),
        );
    }
}

/// Late EOIs, what netback's condition and the ABI cost, and what the throttle did.
fn eoi_rows(s: &mut String, r: &Report) {
    let cfg = &r.config;
    row(s, "late EOIs", r.lateeoi_calls.to_string());
    if matches!(
        cfg.netback,
        NetbackVariant::OrInline | NetbackVariant::AndInline
    ) && cfg.common_channel()
    {
        row(
            s,
            "RX handler calls",
            format!(
                "{} of {} events (inline {} skips the rest)",
                r.rx_handler_calls,
                r.events_delivered,
                cfg.netback.symbol()
            ),
        );
    }
    if cfg.abi == Abi::Fifo {
        row(
            s,
            "EVTCHNOP_unmask hypercalls",
            format!(
                "{} (FIFO: unmasking a pending port; Xen links it again)",
                r.unmask_hypercalls
            ),
        );
    }
    // The sysfs counters came with a later commit than patch 12 (the throttle) and count
    // what it does: with the patch reverted, say what the lab counts instead.
    let share = r.spurious_ratio * 100.0;
    let pauses = format!(
        "{} throttle pauses, {} worker EOIs",
        r.throttle_pauses, r.worker_eois
    );
    if cfg.lateeoi && !cfg.throttle {
        row(
            s,
            "would be flagged spurious",
            format!(
                "{} ({share:.1}% of late EOIs; patch 12 off: the kernel counts none)",
                r.spurious_events
            ),
        );
        row(
            s,
            "jiffies_eoi_delayed",
            format!("— (patch 12 off: nothing delayed; {pauses})"),
        );
    } else {
        row(
            s,
            "spurious_events",
            format!("{} ({share:.1}% of late EOIs)", r.spurious_events),
        );
        row(
            s,
            "jiffies_eoi_delayed",
            format!("{} ({pauses})", r.jiffies_eoi_delayed),
        );
    }
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

    /// For a run the sim holds whole, each column is `ceil(n / 50)` samples, the last one
    /// shorter.
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

    /// A run stopped early is drawn in as many columns as a whole run of its length: 50 for
    /// 10 s of a planned hour, not one column of 720 samples.
    #[test]
    fn a_run_stopped_early_still_fills_the_columns() {
        for (planned, stopped_at, cols) in [
            (3600, 10, 50),
            (3600, 600, 50),
            (3600, 3, 30),
            (100, 7, 70usize.div_ceil(2)),
        ] {
            let mut run: Run<std::io::Sink> = Run::new(Config::default(), planned * S, None);
            run.advance_to(stopped_at * S).unwrap();
            let done = run.finish().unwrap();
            let spark = done.over_time.sparkline();
            assert_eq!(
                spark.chars().count(),
                cols,
                "{stopped_at} s of {planned}: {spark}"
            );
        }
    }

    /// Past the trace's cap, the exporter costs nothing: in the rogue guest's storm (a
    /// million-odd transitions a virtual second), once the file holds its 10,000 events no
    /// transition is read from the sim's ring, let alone formatted. Counted, not timed.
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
}
