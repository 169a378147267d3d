//! EOI-flow pane: the path of the latest events as a pipeline, the stage of the newest
//! transition marked `▶`, then a scrolling log of transitions in plain words.
//!
//! ```text
//! ┌ EOI flow · port 5 (common) · ▶ = latest transition ──────────────────────┐
//! │  notify         port 5: guest notifies → masked: held pending, no upcall  │
//! │  pending        evtchn_pending[5]=1 · pending_sel 0b0 · upcall_pending 0  │
//! │  upcall         dom0 vCPU0 upcall loop: handles port 5                    │
//! │  ack/mask       mask_ack_dynirq: acked → pending cleared, masked (EOI_PENDING) […          │
//! │  handler        found TX work, no RX work → flagged SPURIOUS (OR)         │
//! │▶ late EOI       late EOI, SPURIOUS: spurious_cnt 2 → PAUSE 1 jiffy        │
//! │▶ delayed/unmask port 5 ON THE DELAYED LIST, masked: 1 jiffy left          │
//! │ ── recent transitions (virtual time) ──                                   │
//! │ 1.234567s port 5: handler found TX work, no RX work → flagged SPURIOUS (OR)│
//! └───────────────────────────────────────────────────────────────────────────┘
//! ```
//! On the FIFO ABI the pending row shows the event words and `READY`:
//! `P/M/L[5]=1/0/1 · READY 0b10000000 · upcall_pending 1`.
//!
//! With little height, the pipeline folds into one line with the current stage in
//! brackets: `notify → pending → … → [late EOI] → [delayed/unmask]`.
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
use super::{pane, put_lines, title};

pub struct EoiFlowPane<'a> {
    pub lane: &'a Lane,
    pub theme: &'a Theme,
    /// What an open question hides.
    pub veil: Veil,
}

/// The words after the port prefix ("port 5: ").
fn tail(kind: &TraceKind) -> String {
    let s = kind.to_string();
    match s.split_once(": ") {
        Some((head, rest)) if head.starts_with("port ") => rest.to_string(),
        _ => s,
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

fn stage_detail(stage: Stage, lane: &Lane, l: &Latest) -> String {
    let sim = lane.sim();
    let none = || "—".to_string();
    match stage {
        Stage::Notify => l.notify.map_or_else(none, |e| e.kind.to_string()),
        Stage::Pending => {
            let sh = sim.shared_info();
            match sim.event_channels().fifo() {
                // FIFO: the event word's P/M/L, the control block's READY.
                Some(f) => {
                    let words: Vec<String> = sim
                        .ports()
                        .map(|p| {
                            format!(
                                "P/M/L[{}]={}/{}/{}",
                                p.port,
                                u8::from(p.pending),
                                u8::from(p.masked),
                                u8::from(p.selected)
                            )
                        })
                        .collect();
                    format!(
                        "{} · READY {:#b} · upcall_pending {}",
                        words.join(" "),
                        f.control_block.ready,
                        u8::from(sh.vcpu.evtchn_upcall_pending)
                    )
                }
                None => {
                    let bits: Vec<String> = sim
                        .ports()
                        .map(|p| format!("evtchn_pending[{}]={}", p.port, u8::from(p.pending)))
                        .collect();
                    format!(
                        "{} · pending_sel {:#b} · upcall_pending {}",
                        bits.join(" "),
                        sh.vcpu.evtchn_pending_sel,
                        u8::from(sh.vcpu.evtchn_upcall_pending)
                    )
                }
            }
        }
        Stage::Upcall => match (l.upcall, l.deliver) {
            (Some(_), d) => match d.map(|d| d.kind) {
                Some(TraceKind::Deliver {
                    port,
                    defer_eoi: true,
                }) => format!(
                    "dom0 vCPU0 upcall loop: handles port {port}; past event_loop_timeout: EOI deferred"
                ),
                Some(TraceKind::Deliver { port, .. }) => {
                    format!("dom0 vCPU0 upcall loop: handles port {port}")
                }
                _ => "dom0 vCPU0 upcall loop".to_string(),
            },
            (None, _) => none(),
        },
        Stage::AckMask => l.ack.map_or_else(none, |e| tail(&e.kind)),
        Stage::Handler => l.verdict.map_or_else(none, |e| {
            let t = tail(&e.kind);
            t.strip_prefix("handler ").map(str::to_string).unwrap_or(t)
        }),
        Stage::LateEoi => match l.eoi.map(|e| e.kind) {
            Some(TraceKind::LateEoi {
                source,
                spurious,
                spurious_cnt,
                result,
                ..
            }) => format!(
                "{}: spurious_cnt {spurious_cnt} → {}",
                source.call(spurious),
                result.words(false)
            ),
            _ => none(),
        },
        Stage::DelayedOrUnmask => {
            let now = sim.jiffies();
            if let Some(p) = sim.ports().find(|p| p.on_eoi_list) {
                let left = p.eoi_time.saturating_sub(now);
                format!(
                    "port {} ON THE DELAYED LIST, masked: {left} {} left",
                    p.port,
                    plural(left, "jiffy", "jiffies")
                )
            } else {
                match l.unmask {
                    Some(u) => format!("{} (j{})", u.kind, u.jiffies),
                    None => none(),
                }
            }
        }
    }
}

impl Widget for EoiFlowPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let lane = self.lane;
        let latest = lane.latest();
        let cur = latest.current.as_ref();
        let port_title = cur
            .and_then(|e| e.kind.port())
            .map(|p| {
                let role = lane
                    .sim()
                    .ports()
                    .find(|v| v.port == p)
                    .map_or("", |v| v.role.name());
                format!(" · port {p} ({role})")
            })
            .unwrap_or_default();
        let block = pane(
            title(vec![
                Span::raw("EOI flow"),
                Span::raw(port_title),
                Span::styled(" · ▶ = latest transition", t.dim),
            ]),
            t,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let stages = cur.map(|e| narrate::stages(&e.kind)).unwrap_or_default();
        // The pipeline needs 7 rows; with less room, only the log.
        let show_pipeline = inner.height >= 10;
        let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
        if show_pipeline {
            for s in Stage::ALL {
                let on = stages.contains(s);
                let (mark, name_style, text_style) = if on {
                    ("▶ ", t.stage_current, t.value)
                } else {
                    ("  ", t.stage, t.text)
                };
                let name = match s {
                    Stage::DelayedOrUnmask => "delayed/unmask",
                    other => other.name(),
                };
                let detail = if stage_hidden(s, lane, latest, self.veil) {
                    Span::styled(ANSWER_FIRST, t.dim)
                } else {
                    Span::styled(stage_detail(s, lane, latest), text_style)
                };
                lines.push(Line::from(vec![
                    Span::styled(mark, t.value),
                    Span::styled(format!("{name:<14}"), name_style),
                    Span::raw(" "),
                    detail,
                ]));
            }
            lines.push(Line::styled(
                " ── recent transitions (virtual time) ──",
                t.dim,
            ));
        } else {
            // A one-line pipeline, the current stage in brackets.
            let names = |s: Stage, short: bool| match (s, short) {
                (Stage::DelayedOrUnmask, false) => "delayed/unmask",
                (Stage::DelayedOrUnmask, true) => "delay/unmask",
                (Stage::AckMask, true) => "ack",
                (Stage::LateEoi, true) => "EOI",
                (other, _) => other.name(),
            };
            let build = |short: bool| {
                let arrow = if short { "→" } else { " → " };
                let mut spans = Vec::with_capacity(16);
                spans.push(Span::raw(" "));
                for (i, &s) in Stage::ALL.iter().enumerate() {
                    if i > 0 {
                        spans.push(Span::styled(arrow, t.dim));
                    }
                    if stages.contains(s) {
                        spans.push(Span::styled(
                            format!("[{}]", names(s, short)),
                            t.stage_current,
                        ));
                    } else {
                        spans.push(Span::styled(names(s, short), t.stage));
                    }
                }
                Line::from(spans)
            };
            let long = build(false);
            lines.push(if long.width() <= inner.width as usize {
                long
            } else {
                build(true)
            });
        }
        let room = (inner.height as usize).saturating_sub(lines.len());
        let trace = lane.sim().trace();
        for e in trace.last(room) {
            lines.push(log_line(e, self.veil, true, t));
        }
        put_lines(&lines, inner, buf);
    }
}

/// One log line: the time stamp (or a space), then the transition in words, both as an
/// open question veils them.
pub fn log_line<'a>(e: &crate::sim::TraceEvent, veil: Veil, stamp: bool, t: &Theme) -> Line<'a> {
    let stamp = if stamp {
        let at = or_hidden(veil, Shown::Clock, narrate::time_stamp(e.t_ns));
        format!(" {at} ")
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
