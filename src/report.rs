//! The headless report: `evtchn-lab run`. Runs a scenario in virtual time and prints a
//! table (or one JSON object), and can export the transitions as a Chrome trace.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use serde_json::json;

use crate::cli::RunArgs;
use crate::sim::{Config, EoiResult, Report, Sample, Sim, TraceEvent, TraceKind, on_off};

/// Trace ring size while exporting: far more than one chunk of the run ever records.
const EXPORT_RING: usize = 1 << 16;
/// Virtual time between two drains of the trace ring while exporting, ns.
const EXPORT_CHUNK_NS: u64 = 1_000_000;
/// Trace events written at most, so a long, busy run cannot fill the disk.
pub const EXPORT_MAX_EVENTS: usize = 2_000_000;

/// `evtchn-lab run …`: simulate, then print; write the trace if asked.
pub fn run_command(args: &RunArgs) -> anyhow::Result<()> {
    let cfg = args.scenario.config();
    let end = (args.seconds * 1e9) as u64;
    let (sim, trace_stats) = match &args.trace {
        Some(path) => {
            let (sim, stats) = run_with_trace(cfg, end, path)
                .with_context(|| format!("cannot write the trace to {}", path.display()))?;
            (sim, Some((path, stats)))
        }
        None => {
            // Nothing reads the trace: keep none.
            let mut sim = Sim::headless(cfg);
            sim.run_until(end);
            (sim, None)
        }
    };
    let report = sim.report();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        let samples: Vec<Sample> = sim.samples().iter().copied().collect();
        out.write_all(render_text(&report, &samples).as_bytes())?;
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
    Ok(())
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

/// A sparkline of goodput, at most `width` columns (each the mean of its samples).
pub fn sparkline(samples: &[Sample], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if samples.is_empty() || width == 0 {
        return String::new();
    }
    let per = samples.len().div_ceil(width);
    let cols: Vec<f64> = samples
        .chunks(per)
        .map(|c| c.iter().map(|s| s.goodput_mbps).sum::<f64>() / c.len() as f64)
        .collect();
    let max = cols.iter().copied().fold(0.0, f64::max);
    cols.iter()
        .map(|&v| {
            if max <= 0.0 {
                BARS[0]
            } else {
                BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

/// The human-readable table.
pub fn render_text(r: &Report, samples: &[Sample]) -> String {
    let mut s = String::new();
    let cfg = &r.config;
    let _ = writeln!(
        s,
        "evtchn-lab run: {:.1} s of virtual time",
        r.simulated_seconds
    );
    let _ = writeln!(s, "  {}", describe(cfg));
    let _ = writeln!(s);
    let row = |s: &mut String, k: &str, v: String| {
        let _ = writeln!(s, "  {k:<28} {v}");
    };
    let spark = sparkline(samples, 50);
    let max = samples.iter().map(|x| x.goodput_mbps).fold(0.0, f64::max);
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

/// Run to `end` while streaming every transition to a Chrome trace file.
fn run_with_trace(cfg: Config, end: u64, path: &Path) -> anyhow::Result<(Sim, TraceStats)> {
    let file = File::create(path)?;
    let mut w = ChromeTrace::new(BufWriter::new(file), &cfg)?;
    let mut sim = Sim::with_trace_capacity(cfg, EXPORT_RING);
    let mut next_seq = 0;
    let mut last_sample_t = 0;
    let mut t = 0;
    while t < end {
        t = (t + EXPORT_CHUNK_NS).min(end);
        sim.run_until(t);
        for ev in sim.trace().since(next_seq) {
            w.event(ev)?;
        }
        next_seq = sim.trace().next_seq();
        for s in sim.samples().iter().filter(|s| s.t_end_ns > last_sample_t) {
            w.sample(s)?;
        }
        last_sample_t = sim.samples().last().map_or(0, |s| s.t_end_ns);
    }
    let stats = w.finish(sim.now_ns())?;
    Ok((sim, stats))
}

/// A streaming writer of Chrome trace-event JSON: one track per port, throttle pauses and
/// masked time as slices, transitions as instants, goodput and dom0 CPU as counters.
pub struct ChromeTrace<W: Write> {
    w: W,
    first: bool,
    stats: TraceStats,
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
    pub fn new(mut w: W, cfg: &Config) -> anyhow::Result<Self> {
        write!(w, "{{\"displayTimeUnit\":\"ns\",\"otherData\":")?;
        serde_json::to_writer(&mut w, &json!({ "scenario": describe(cfg) }))?;
        writeln!(w, ",\"traceEvents\":[")?;
        let mut t = ChromeTrace {
            w,
            first: true,
            stats: TraceStats::default(),
            open: Vec::new(),
        };
        t.raw(json!({"ph":"M","pid":PID,"name":"process_name","args":{"name":"dom0 event channels (evtchn-lab)"}}))?;
        Ok(t)
    }

    fn raw(&mut self, v: serde_json::Value) -> anyhow::Result<()> {
        if self.stats.written >= EXPORT_MAX_EVENTS {
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
    pub fn finish(mut self, end_ns: u64) -> anyhow::Result<TraceStats> {
        for i in 0..self.open.len() {
            self.close_slices(i, end_ns)?;
        }
        self.w.write_all(b"\n]}\n")?;
        self.w.flush()?;
        Ok(self.stats)
    }
}
