//! Code pane: netback's common-channel handler as the source reads in each of the five
//! versions (shipped `|`, inline `||` and `&&`, the story's `&`, upstream's has_tx/has_rx),
//! with the operator highlighted, what it means, and one line of why.
//!
//! ```text
//! ┌ Code · drivers/net/xen-netback/interface.c · xenvif_interrupt() ─────┐
//! │     /* Use bitwise or as we need to call both functions. */          │
//! │     if ((!xenvif_handle_tx_interrupt(queue) |                        │
//! │          !xenvif_handle_rx_interrupt(queue))) {                      │
//! │             atomic_andnot(NETBK_COMMON_EOI, &queue->eoi_pending);    │
//! │             xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);             │
//! │     }                                                                │
//! │  ◀ OR (buggy): spurious if EITHER side idle                          │
//! │ why: a guest that sends finds TX work but no RX work → spurious …    │
//! └──────────────────────────────────────────────────────────────────────┘
//! ```
//! While a question veils netback's verdict, the meaning and the why read
//! `? (answer first)`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{Lane, Veil};
use crate::sim::{Config, Direction, GuestKind, NetbackVariant};

use super::theme::Theme;
use super::veil::{ANSWER_FIRST, Shown, hidden};
use super::{pane, put_lines, title};

/// Rows the pane wants (border included).
pub const HEIGHT: u16 = 10;

pub struct CodePane<'a> {
    pub lane: &'a Lane,
    pub theme: &'a Theme,
    /// What an open question hides.
    pub veil: Veil,
}

/// The `if (…) {` line with the operator highlighted.
pub fn condition_spans<'a>(v: NetbackVariant, theme: &Theme) -> Vec<Span<'a>> {
    let style = if v.is_sound() {
        theme.op_fixed
    } else {
        theme.op_buggy
    };
    let op = format!(" {} ", v.symbol());
    vec![
        Span::styled("if (!tx", theme.code),
        Span::styled(op, style),
        Span::styled("!rx) {", theme.code),
    ]
}

/// One line of why, for the scenario at hand: at most 64 columns, so that it fits the
/// pane's 70 in a lesson at 120×40 (tested).
pub fn why(cfg: &Config) -> &'static str {
    let (guest, dir, v) = (cfg.guest, cfg.direction, cfg.netback);
    if !cfg.lateeoi {
        return "late EOI off: no late EOI is sent, so nothing is throttled";
    }
    if !cfg.throttle && cfg.common_channel() {
        return if v.is_sound() {
            "spurious only if neither side had work (throttle off anyway)"
        } else {
            "still flagged spurious, but the throttle is off: no pauses"
        };
    }
    match (guest, v, dir) {
        (GuestKind::Linux, _, _) => "split channels: each handler checks its own ring; unused here",
        (GuestKind::Rogue, _, _) => "rogue posts nothing: no work either way → spurious, throttled",
        (GuestKind::Idle, _, _) => "idle guest: a notify finds no work either way → spurious",
        (_, NetbackVariant::Buggy, Direction::Tx) => {
            "sender: TX work, no RX work → `|` says spurious → pauses"
        }
        (_, NetbackVariant::Buggy, Direction::Rx) => {
            "receiver: both sides mostly busy, yet 2 spurious a tick pause it"
        }
        (_, NetbackVariant::OrInline, _) => {
            "like `|`, but no TX work skips the RX check: no RX kick"
        }
        (_, NetbackVariant::AndInline, _) => {
            "TX work skips the RX check: no RX kick, no req_event re-arm"
        }
        (_, NetbackVariant::Bitand, _) => {
            "the story's fix: both run; spurious only if neither had work"
        }
        (_, NetbackVariant::Fixed, _) => {
            "spurious only if neither had work; NAPI's EOI resets the count"
        }
    }
}

/// `if ((!tx(queue) OP` and `     !rx(queue))) {`: both calls inside the condition.
const BOTH: (&str, &str) = (
    "    if ((!xenvif_handle_tx_interrupt(queue)",
    "         !xenvif_handle_rx_interrupt(queue))) {",
);
/// The same written without the extra parentheses (the inline rewrites).
const INLINE: (&str, &str) = (
    "    if (!xenvif_handle_tx_interrupt(queue)",
    "        !xenvif_handle_rx_interrupt(queue)) {",
);

/// The comment above a condition, its two lines and the operator between them.
type InlineSource = (&'static str, (&'static str, &'static str), &'static str);

/// The versions that call both handlers inside the condition, as [`InlineSource`]. `None`
/// for upstream's fix (has_tx/has_rx).
fn inline_source(v: NetbackVariant) -> Option<InlineSource> {
    Some(match v {
        NetbackVariant::Buggy => (
            "    /* Use bitwise or as we need to call both functions. */",
            BOTH,
            " | ",
        ),
        NetbackVariant::OrInline => (
            "    /* inline ||: no TX work → the RX handler is not called */",
            INLINE,
            " || ",
        ),
        NetbackVariant::AndInline => (
            "    /* inline &&: TX work → the RX handler is not called */",
            INLINE,
            " && ",
        ),
        NetbackVariant::Bitand => (
            "    /* the story's fix, | → & (XCP-ng): both still called */",
            BOTH,
            " & ",
        ),
        NetbackVariant::Fixed => return None,
    })
}

impl Widget for CodePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let block = pane(
            title(vec![
                Span::raw("Code · "),
                Span::styled("drivers/net/xen-netback/interface.c", t.dim),
                Span::raw(" · xenvif_interrupt()"),
            ]),
            t,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let mut lines = self.source();
        let why = if hidden(self.veil, Shown::CodeWhy) {
            (ANSWER_FIRST.to_string(), t.dim)
        } else {
            (why(self.lane.config()).to_string(), t.text)
        };
        // The verdict and the why wrap under their words when the rows allow (the source
        // above is never wrapped: it reads as code).
        let verdict_lead = vec![Span::styled(" ◀ ", t.dim)];
        let verdict = [self.verdict()];
        let why_lead = vec![Span::styled(" why: ", t.name)];
        let wrapped = |w: usize| {
            let mut v = super::fit::hang(verdict_lead.clone(), &verdict, w);
            v.extend(super::fit::hang(
                why_lead.clone(),
                std::slice::from_ref(&why),
                w,
            ));
            v
        };
        let rows = wrapped(usize::from(inner.width));
        if lines.len() + rows.len() <= usize::from(inner.height) {
            lines.extend(rows);
        } else {
            // No room to wrap: one row each, cut at the edge.
            lines.extend(wrapped(usize::MAX));
        }
        put_lines(&lines, inner, buf);
    }
}

impl CodePane<'_> {
    /// The source as it reads in each version (23025393dbeb, then a3daf3d39132): the
    /// shipped one calls both handlers inside the condition, hence its comment and `|`;
    /// the inline `||` and `&&` are what that comment warns against; `&` is the fix the
    /// story tells (XCP-ng's). The operator in its verdict's colour, plain while the
    /// verdict is veiled; dim where the channels are split (the code does not run).
    fn source(&self) -> Vec<Line<'static>> {
        let t = self.theme;
        let cfg = self.lane.config();
        let v = cfg.netback;
        let code = if cfg.common_channel() { t.code } else { t.dim };
        let op_style = match () {
            _ if hidden(self.veil, Shown::CodeMeaning) => t.value,
            _ if v.is_sound() => t.op_fixed,
            _ => t.op_buggy,
        };
        let op = |text: &'static str| Span::styled(text, op_style);
        let plain = |text: &'static str| Line::styled(text, code);
        let mut lines = match inline_source(v) {
            Some((note, (first, second), sym)) => vec![
                Line::styled(note, t.comment),
                Line::from(vec![Span::styled(first, code), op(sym)]),
                plain(second),
            ],
            None => vec![
                plain("    has_tx = xenvif_handle_tx_interrupt(queue);"),
                plain("    has_rx = xenvif_handle_rx_interrupt(queue);"),
                Line::from(vec![
                    Span::styled("    if (!has_rx", code),
                    op(" && "),
                    Span::styled("!has_tx) {", code),
                ]),
            ],
        };
        lines.extend([
            plain("            atomic_andnot(NETBK_COMMON_EOI, &queue->eoi_pending);"),
            plain("            xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);"),
            plain("    }"),
        ]);
        lines
    }

    /// What the operator means, in its verdict's style (`? (answer first)` while veiled):
    /// the operator and the version's name where the name adds to it ("buggy", "fixed");
    /// else the name alone (the code shows the operator), so the line fits the pane.
    fn verdict(&self) -> (String, Style) {
        let t = self.theme;
        let v = self.lane.config().netback;
        if hidden(self.veil, Shown::CodeMeaning) {
            return (format!("{}: {ANSWER_FIRST}", v.operator()), t.dim);
        }
        let words = match v {
            NetbackVariant::Buggy | NetbackVariant::Fixed => {
                format!("{} ({v}): {}", v.operator(), v.meaning())
            }
            _ => format!("{v}: {}", v.meaning()),
        };
        (words, if v.is_sound() { t.good } else { t.bad })
    }
}
