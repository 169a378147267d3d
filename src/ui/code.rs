//! Code pane: netback's common-channel handler as the source reads in each version, with
//! the operator highlighted (`|` buggy, `&&` fixed), what it means, and one line of why.
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
    let style = match v {
        NetbackVariant::Buggy => theme.op_buggy,
        NetbackVariant::Fixed => theme.op_fixed,
    };
    let op = format!(" {} ", v.symbol());
    vec![
        Span::styled("if (!tx", theme.code),
        Span::styled(op, style),
        Span::styled("!rx) {", theme.code),
    ]
}

/// One line of why, for the scenario at hand.
pub fn why(cfg: &Config) -> &'static str {
    let (guest, dir, v) = (cfg.guest, cfg.direction, cfg.netback);
    if !cfg.lateeoi {
        return "late EOI off: no verdict is used, no EOI is sent, nothing is throttled";
    }
    if !cfg.throttle && cfg.common_channel() {
        return match v {
            NetbackVariant::Buggy => "`|` still flags spurious, but the throttle is off: no pauses",
            NetbackVariant::Fixed => "spurious only if neither side had work (throttle off anyway)",
        };
    }
    match (guest, v, dir) {
        (GuestKind::Linux, _, _) => "split channels: each handler checks its own ring; unused here",
        (GuestKind::Rogue, _, _) => "rogue posts nothing: no work either way → spurious, throttled",
        (GuestKind::Idle, _, _) => "idle guest: a notify finds no work either way → spurious",
        (_, NetbackVariant::Buggy, Direction::Tx) => {
            "guest sends: TX work, no RX work → `|` says spurious → pauses"
        }
        (_, NetbackVariant::Buggy, Direction::Rx) => {
            "guest receives: RX and TX work often together → fewer pauses"
        }
        (_, NetbackVariant::Fixed, _) => {
            "spurious only if neither side had work; NAPI's EOI resets the count"
        }
    }
}

impl Widget for CodePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let cfg = *self.lane.config();
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
        let v = cfg.netback;
        let split = !cfg.common_channel();
        let code = if split { t.dim } else { t.code };
        // The source as it reads in each version (23025393dbeb, then a3daf3d39132): the
        // buggy one calls both handlers inside the condition, hence its comment and `|`.
        // The operator in its verdict's colour, plain while the verdict is veiled.
        let verdict_veiled = hidden(self.veil, Shown::CodeMeaning);
        let op = |text: &'static str| {
            let style = match v {
                _ if verdict_veiled => t.value,
                NetbackVariant::Buggy => t.op_buggy,
                NetbackVariant::Fixed => t.op_fixed,
            };
            Span::styled(text, style)
        };
        let plain = |text: &'static str| Line::styled(text, code);
        let mut lines = match v {
            NetbackVariant::Buggy => vec![
                Line::styled(
                    "    /* Use bitwise or as we need to call both functions. */",
                    t.comment,
                ),
                Line::from(vec![
                    Span::styled("    if ((!xenvif_handle_tx_interrupt(queue)", code),
                    op(" | "),
                ]),
                plain("         !xenvif_handle_rx_interrupt(queue))) {"),
            ],
            NetbackVariant::Fixed => vec![
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
            if verdict_veiled {
                Line::from(vec![
                    Span::styled(" ◀ ", t.dim),
                    Span::styled(format!("{}: {ANSWER_FIRST}", v.operator()), t.dim),
                ])
            } else {
                Line::from(vec![
                    Span::styled(" ◀ ", t.dim),
                    Span::styled(
                        format!("{} ({v}): {}", v.operator(), v.meaning()),
                        match v {
                            NetbackVariant::Buggy => t.bad,
                            NetbackVariant::Fixed => t.good,
                        },
                    ),
                ])
            },
            Line::from(vec![
                Span::styled(" why: ", t.name),
                if hidden(self.veil, Shown::CodeWhy) {
                    Span::styled(ANSWER_FIRST, t.dim)
                } else {
                    Span::styled(why(&cfg), t.text)
                },
            ]),
        ]);
        put_lines(&lines, inner, buf);
    }
}
