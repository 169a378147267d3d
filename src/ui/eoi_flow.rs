//! EOI-flow pane: the path of the latest events as a pipeline, the stage of the newest
//! transition marked `▶`, then a scrolling log of transitions in plain words.
//!
//! ```text
//! ┌ EOI flow · port 5 (common) · ▶ = latest transition ──────────────────────┐
//! │  notify   TX → masked: held pending, no upcall                           │
//! │  pending  evtchn_pending[5]=1 · pending_sel 0b0 · upcall_pending 0       │
//! │  upcall   dom0 vCPU0 upcall loop: handles port 5                         │
//! │  ack/mask mask_ack_dynirq: acked → pending cleared, masked               │
//! │  handler  found TX work, no RX work → flagged SPURIOUS (OR)              │
//! │▶ late EOI late EOI, SPURIOUS: spurious_cnt 2 → PAUSE 1 jiffy             │
//! │  unmask   ON THE DELAYED LIST, masked: 1 jiffy left                      │
//! │ ── recent transitions (virtual time) ──                                  │
//! │ 1.234567s port 5: handler found TX work, no RX work → flagged SPURIOUS   │
//! │           (OR)                                                           │
//! └──────────────────────────────────────────────────────────────────────────┘
//! ```
//! One row carries `▶`: the newest transition's own. A row too long for the pane wraps
//! under its words where the rows allow, else keeps its start and its outcome
//! ([`super::fit`]).
//! On the FIFO ABI the pending row shows the event words and `READY`:
//! `P/M/L[5]=1/0/1 · READY 0b10000000 · upcall_pending 1`.
//!
//! With little height, the pipeline folds into one line with the current stage in
//! brackets: `notify → pending → … → [late EOI] → unmask`.
//!
//! While a question waits for its answer, a stage row or log line that shows what it
//! veils (netback's verdict, `spurious_cnt`, a pause, …) reads `? (answer first)`.
//!
//! The stage rows come from the newest transition of each kind (kept by the lane as the sim
//! runs, so a flood of notifies cannot push them out) and the live bits; the log is the
//! tail of `sim.trace()`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::lane::Latest;
use crate::app::narrate::{self, Stage};
use crate::app::{Lane, Veil};
use crate::sim::{EoiResult, TraceKind, plural};

use super::theme::Theme;
use super::veil::{ANSWER_FIRST, Shown, hidden, log_hidden, log_words, or_hidden};
use super::{fit, pane, put_lines, title};

pub struct EoiFlowPane<'a> {
    pub lane: &'a Lane,
    pub theme: &'a Theme,
    /// What an open question hides.
    pub veil: Veil,
}

/// A transition's words for a stage row: the port prefix ("port 5: ") left out when the
/// pane's title names that port.
fn words_on(kind: &TraceKind, title_port: Option<u32>) -> String {
    let s = kind.to_string();
    match (s.split_once(": "), kind.port()) {
        (Some((_, rest)), Some(p)) if Some(p) == title_port => rest.to_string(),
        _ => s,
    }
}

/// `port 6: ` before a stage row's words when the title names another port (split
/// channels), else nothing.
fn port_prefix(port: u32, title_port: Option<u32>) -> String {
    if Some(port) == title_port {
        String::new()
    } else {
        format!("port {port}: ")
    }
}

/// Whether a stage row shows what `veil` hides.
fn stage_hidden(stage: Stage, lane: &Lane, l: &Latest, veil: Veil) -> bool {
    let kind = |e: Option<crate::sim::TraceEvent>| e.is_some_and(|e| log_hidden(veil, &e.kind));
    match stage {
        Stage::Notify => kind(l.notify),
        Stage::Pending => hidden(veil, Shown::PendingSel),
        Stage::Upcall => false,
        Stage::AckMask => kind(l.ack),
        Stage::Handler => kind(l.verdict),
        Stage::LateEoi => kind(l.eoi),
        Stage::DelayedOrUnmask => {
            let listed = lane.sim().ports().any(|p| p.on_eoi_list);
            hidden(veil, Shown::DelayedList) || (!listed && kind(l.unmask))
        }
    }
}

/// What a stage row says: the newest transition of its kind, in the log's words with the
/// constant parts the row's name already says left out (the log keeps them whole), or the
/// live bits.
fn stage_detail(stage: Stage, lane: &Lane, l: &Latest, title_port: Option<u32>) -> String {
    let detail = match stage {
        Stage::Notify => notify_detail(l, title_port),
        Stage::Pending => Some(pending_detail(lane)),
        Stage::Upcall => upcall_detail(l),
        Stage::AckMask => ack_detail(l, title_port),
        Stage::Handler => handler_detail(l, title_port),
        // The newest late EOI as the log says it: the call, the counter and what it led to.
        Stage::LateEoi => l.eoi.map(|e| words_on(&e.kind, title_port)),
        Stage::DelayedOrUnmask => delayed_or_unmask_detail(lane, l, title_port),
    };
    detail.unwrap_or_else(|| "—".to_string())
}

/// The newest notify: its cause and its outcome.
fn notify_detail(l: &Latest, title_port: Option<u32>) -> Option<String> {
    match l.notify?.kind {
        TraceKind::Notify {
            port,
            outcome,
            cause,
        } => Some(format!(
            "{}{} → {}",
            port_prefix(port, title_port),
            cause.label(),
            outcome.label()
        )),
        _ => None,
    }
}

/// The live pending bits: 2-level's `evtchn_pending` and selector, or FIFO's event words
/// (P/M/L) and the control block's READY; then the upcall flag.
fn pending_detail(lane: &Lane) -> String {
    let sim = lane.sim();
    let sh = sim.shared_info();
    let upcall = u8::from(sh.vcpu.evtchn_upcall_pending);
    if let Some(f) = sim.event_channels().fifo() {
        let words: Vec<String> = sim
            .ports()
            .enumerate()
            .map(|(i, p)| {
                let bits = format!(
                    "{}/{}/{}",
                    u8::from(p.pending),
                    u8::from(p.masked),
                    u8::from(p.selected)
                );
                if i == 0 {
                    format!("P/M/L[{}]={bits}", p.port)
                } else {
                    format!("[{}]={bits}", p.port)
                }
            })
            .collect();
        return format!(
            "{} · READY {:#b} · upcall_pending {upcall}",
            words.join(" "),
            f.control_block.ready,
        );
    }
    let bits: Vec<String> = sim
        .ports()
        .enumerate()
        .map(|(i, p)| {
            let name = if i == 0 { "evtchn_pending" } else { "" };
            format!("{name}[{}]={}", p.port, u8::from(p.pending))
        })
        .collect();
    format!(
        "{} · pending_sel {:#b} · upcall_pending {upcall}",
        bits.join(" "),
        sh.vcpu.evtchn_pending_sel,
    )
}

/// The newest upcall: the port it delivered, and whether the EOI was deferred.
fn upcall_detail(l: &Latest) -> Option<String> {
    l.upcall?;
    Some(match l.deliver.map(|d| d.kind) {
        Some(TraceKind::Deliver {
            port,
            defer_eoi: true,
        }) => format!("vCPU0 handles port {port}; EOI deferred (past event_loop_timeout)"),
        Some(TraceKind::Deliver { port, .. }) => {
            format!("dom0 vCPU0 upcall loop: handles port {port}")
        }
        _ => "dom0 vCPU0 upcall loop".to_string(),
    })
}

/// The newest ack: the log's words, the name of the mask reason left to the log (and to
/// the Ports pane's "masked by").
fn ack_detail(l: &Latest, title_port: Option<u32>) -> Option<String> {
    Some(match l.ack?.kind {
        TraceKind::Ack { port, masked: true } => format!(
            "{}mask_ack_dynirq: acked → pending cleared, masked",
            port_prefix(port, title_port)
        ),
        k => words_on(&k, title_port),
    })
}

/// netback's newest verdict: the log's words without "handler " (the row's name) and the
/// short-circuit the Code pane shows (the log says it whole).
fn handler_detail(l: &Latest, title_port: Option<u32>) -> Option<String> {
    let s = words_on(&l.verdict?.kind, title_port);
    let (prefix, rest) = match s.split_once(": ") {
        Some((p, r)) if p.starts_with("port ") => (format!("{p}: "), r),
        _ => (String::new(), s.as_str()),
    };
    let rest = rest
        .strip_prefix("handler ")
        .unwrap_or(rest)
        .replace(" (short-circuit)", "")
        .replace(" (classic handling)", "");
    Some(format!("{prefix}{rest}"))
}

/// A port on the delayed list and the jiffies it has left, else the newest unmask.
fn delayed_or_unmask_detail(lane: &Lane, l: &Latest, title_port: Option<u32>) -> Option<String> {
    let sim = lane.sim();
    let Some(p) = sim.ports().find(|p| p.on_eoi_list) else {
        return l.unmask.map(|u| words_on(&u.kind, title_port));
    };
    let left = p.eoi_time.saturating_sub(sim.jiffies());
    Some(format!(
        "port {} ON THE DELAYED LIST, masked: {left} {} left",
        p.port,
        plural(left, "jiffy", "jiffies")
    ))
}

/// Log rows the pane keeps at least under its pipeline (else a stage row too long for its
/// row is shortened rather than wrapped).
const LOG_MIN_ROWS: usize = 2;
/// From this inner width on, log lines carry their time stamps (narrower, the words matter
/// more).
const STAMPS_MIN_WIDTH: u16 = 56;
/// Inside rows from which the pipeline is drawn a stage a row (one each, the log's header
/// and its least rows); fewer, it folds into one line.
const PIPELINE_MIN_HEIGHT: usize = Stage::ALL.len() + 1 + LOG_MIN_ROWS;

impl Widget for EoiFlowPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let cur = self.lane.latest().current.as_ref();
        // The row of the newest transition: the one `▶` marks.
        let here = cur.and_then(|e| narrate::stage(&e.kind));
        let title_port = cur.and_then(|e| e.kind.port());
        let block = pane(
            title(vec![
                Span::raw("EOI flow"),
                Span::raw(self.port_title(title_port)),
                Span::styled(" · ▶ = latest transition", t.dim),
            ]),
            t,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let width = inner.width as usize;
        let height = inner.height as usize;
        let mut lines: Vec<Line> = Vec::with_capacity(height);
        if height >= PIPELINE_MIN_HEIGHT {
            self.pipeline(&mut lines, here, title_port, (width, height));
        } else {
            self.folded_pipeline(&mut lines, here, (width, height));
        }
        let room = height.saturating_sub(lines.len());
        let stamps = inner.width >= STAMPS_MIN_WIDTH;
        lines.extend(log_tail(
            self.lane, self.veil, stamps, title_port, t, width, room,
        ));
        put_lines(&lines, inner, buf);
    }
}

impl EoiFlowPane<'_> {
    /// ` · port 5 (common)`: the port of the newest transition and its role, if any.
    fn port_title(&self, port: Option<u32>) -> String {
        port.map(|p| {
            let role = self
                .lane
                .sim()
                .ports()
                .find(|v| v.port == p)
                .map_or("", |v| v.role.name());
            format!(" · port {p} ({role})")
        })
        .unwrap_or_default()
    }

    /// A stage's row: its mark (`▶` on `here`), its name, and its detail or `? (answer
    /// first)` while veiled.
    fn stage_row(
        &self,
        s: Stage,
        here: Option<Stage>,
        title_port: Option<u32>,
    ) -> (Vec<Span<'static>>, Span<'static>) {
        let (t, lane) = (self.theme, self.lane);
        let latest = lane.latest();
        let (mark, name_style, text_style) = if here == Some(s) {
            ("▶ ", t.stage_current, t.value)
        } else {
            ("  ", t.stage, t.text)
        };
        let detail = if stage_hidden(s, lane, latest, self.veil) {
            Span::styled(ANSWER_FIRST, t.dim)
        } else {
            Span::styled(stage_detail(s, lane, latest, title_port), text_style)
        };
        let lead = vec![
            Span::styled(mark, t.value),
            Span::styled(format!("{:<8}", s.name()), name_style),
            Span::raw(" "),
        ];
        (lead, detail)
    }

    /// The pipeline a stage a row, each wrapped under its words where the rows allow
    /// (else its start and its outcome), then the log's header.
    fn pipeline(
        &self,
        lines: &mut Vec<Line<'_>>,
        here: Option<Stage>,
        title_port: Option<u32>,
        (width, height): (usize, usize),
    ) {
        let rows: Vec<(Vec<Span>, Span)> = Stage::ALL
            .iter()
            .map(|&s| self.stage_row(s, here, title_port))
            .collect();
        let wrapped: Vec<Vec<Line>> = rows
            .iter()
            .map(|(lead, d)| fit::hang(lead.clone(), &[(d.content.to_string(), d.style)], width))
            .collect();
        let total: usize = wrapped.iter().map(Vec::len).sum();
        if total + 1 + LOG_MIN_ROWS <= height {
            lines.extend(wrapped.into_iter().flatten());
        } else {
            // Too little room to wrap: each row its start and its outcome.
            for (lead, d) in rows {
                let lead_w: usize = lead.iter().map(Span::width).sum();
                let mut spans = lead;
                let text = fit::elide(&d.content, width.saturating_sub(lead_w));
                spans.push(Span::styled(text, d.style));
                lines.push(Line::from(spans));
            }
        }
        lines.push(Line::styled(
            " ── recent transitions (virtual time) ──",
            self.theme.dim,
        ));
    }

    /// A one-line pipeline, the current stage in brackets; over more rows where the pane
    /// is narrow, leaving the log its least rows.
    fn folded_pipeline(
        &self,
        lines: &mut Vec<Line<'_>>,
        here: Option<Stage>,
        (width, height): (usize, usize),
    ) {
        let t = self.theme;
        let mut pieces = Vec::with_capacity(16);
        for (i, &s) in Stage::ALL.iter().enumerate() {
            if i > 0 {
                pieces.push((" → ".to_string(), t.dim));
            }
            if here == Some(s) {
                pieces.push((format!("[{}]", s.name()), t.stage_current));
            } else {
                pieces.push((s.name().to_string(), t.stage));
            }
        }
        let rows = fit::hang(vec![Span::raw(" ")], &pieces, width);
        let keep = height.saturating_sub(LOG_MIN_ROWS).max(1);
        lines.extend(rows.into_iter().take(keep));
    }
}

/// The newest log entries that fit in `rows` rows of `width` columns, oldest first: each
/// wrapped under its words; the newest alone shortened to its start and its outcome when
/// even it does not fit.
pub fn log_tail<'a>(
    lane: &Lane,
    veil: Veil,
    stamps: bool,
    title_port: Option<u32>,
    t: &Theme,
    width: usize,
    rows: usize,
) -> Vec<Line<'a>> {
    let mut entries: Vec<Vec<Line>> = Vec::with_capacity(rows);
    let mut used = 0;
    for e in lane.sim().trace().last(rows).rev() {
        // Rows as the words take unveiled: a veil changes the words, never which entries
        // show or where (a veiled entry keeps its rows, blank below its words).
        let n = log_entry(e, Veil::NONE, stamps, title_port, t, width, false).len();
        let mut wrapped = log_entry(e, veil, stamps, title_port, t, width, false);
        wrapped.resize(n, Line::default());
        if used + wrapped.len() <= rows {
            used += wrapped.len();
            entries.push(wrapped);
        } else {
            if entries.is_empty() && rows > 0 {
                entries.push(log_entry(e, veil, stamps, title_port, t, width, true));
            }
            break;
        }
    }
    entries.into_iter().rev().flatten().collect()
}

/// One log entry in `width` columns: wrapped under its words, or (`one_row`) on one row,
/// shortened to its start and its outcome.
fn log_entry<'a>(
    e: &crate::sim::TraceEvent,
    veil: Veil,
    stamp: bool,
    title_port: Option<u32>,
    t: &Theme,
    width: usize,
    one_row: bool,
) -> Vec<Line<'a>> {
    let mut line = log_line(e, veil, stamp, t);
    // The pane's title names the port: its entries leave out their "port 5: " (another
    // port's, on split channels, keep theirs).
    if let Some(p) = e.kind.port().filter(|&p| Some(p) == title_port)
        && let Some(rest) = line.spans[1]
            .content
            .strip_prefix(format!("port {p}: ").as_str())
    {
        line.spans[1].content = rest.to_string().into();
    }
    let [lead, words] = [&line.spans[0], &line.spans[1]];
    if one_row {
        let text = fit::elide(&words.content, width.saturating_sub(lead.width()));
        return vec![Line::from(vec![
            lead.clone(),
            Span::styled(text, words.style),
        ])];
    }
    fit::hang(
        vec![lead.clone()],
        &[(words.content.to_string(), words.style)],
        width,
    )
}

/// One log line: the time stamp (or a space), then the transition in words, both as an
/// open question veils them.
pub fn log_line<'a>(e: &crate::sim::TraceEvent, veil: Veil, stamp: bool, t: &Theme) -> Line<'a> {
    let stamp = if stamp {
        let real = narrate::time_stamp(e.t_ns);
        // A veiled stamp as wide as the real one: a wrapped entry wraps alike either way.
        let width = real.chars().count();
        let at = or_hidden(veil, Shown::Clock, real);
        format!(" {at:<width$} ")
    } else {
        " ".to_string()
    };
    let style = if log_hidden(veil, &e.kind) {
        t.dim
    } else {
        log_style(&e.kind, t)
    };
    Line::from(vec![
        Span::styled(stamp, t.dim),
        Span::styled(log_words(veil, &e.kind), style),
    ])
}

/// Bad news in the bad style, good news in the good one; the words say it either way.
pub fn log_style(kind: &TraceKind, t: &Theme) -> ratatui::style::Style {
    match kind {
        TraceKind::Verdict {
            spurious: Some(true),
            ..
        } => t.bad,
        TraceKind::LateEoi {
            result: EoiResult::Paused { jiffies, .. },
            ..
        } if *jiffies > 0 => t.bad,
        TraceKind::Verdict {
            spurious: Some(false),
            ..
        }
        | TraceKind::Unmask { .. } => t.good,
        TraceKind::Knob { .. } => t.warn,
        _ => t.text,
    }
}
