//! Code pane: netback's common-channel handler as the source reads, with the operator
//! highlighted (`(!tx | !rx)` buggy, `(!tx && !rx)` fixed) and one line of why.
//!
//! ```text
//! ┌ Code · drivers/net/xen-netback/interface.c · xenvif_interrupt() ─────┐
//! │     /* Use bitwise or as we need to call both functions. */          │
//! │     tx = xenvif_handle_tx_interrupt(queue);   /* TX work? */         │
//! │     rx = xenvif_handle_rx_interrupt(queue);   /* RX work? */         │
//! │     if (!tx | !rx) {               ◀ OR: spurious if EITHER is idle  │
//! │             atomic_andnot(NETBK_COMMON_EOI, &queue->eoi_pending);    │
//! │             xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);             │
//! │     }                                                                │
//! │ why: a guest that sends finds TX work but no RX work → spurious …    │
//! └──────────────────────────────────────────────────────────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::Lane;
use crate::sim::{Config, Direction, GuestKind, NetbackVariant};

use super::theme::Theme;
use super::{pane, put_lines, title};

/// Rows the pane wants (border included).
pub const HEIGHT: u16 = 10;

pub struct CodePane<'a> {
    pub lane: &'a Lane,
    pub theme: &'a Theme,
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
        let comment_line = match v {
            NetbackVariant::Buggy => "    /* Use bitwise or as we need to call both functions. */",
            NetbackVariant::Fixed => {
                "    /* a3daf3d39132: spurious only if neither side had work */"
            }
        };
        let mut cond = vec![Span::styled("    ", code)];
        cond.extend(condition_spans(v, t));
        cond.push(Span::styled("     ◀ ", t.dim));
        cond.push(Span::styled(
            format!("{} ({v}): {}", v.operator(), v.meaning()),
            match v {
                NetbackVariant::Buggy => t.bad,
                NetbackVariant::Fixed => t.good,
            },
        ));
        let lines = vec![
            Line::styled(comment_line, t.comment),
            Line::from(vec![
                Span::styled("    tx = xenvif_handle_tx_interrupt(queue);", code),
                Span::styled("   /* TX work? */", t.comment),
            ]),
            Line::from(vec![
                Span::styled("    rx = xenvif_handle_rx_interrupt(queue);", code),
                Span::styled("   /* RX work? */", t.comment),
            ]),
            Line::from(cond),
            Line::styled(
                "            atomic_andnot(NETBK_COMMON_EOI, &queue->eoi_pending);",
                code,
            ),
            Line::styled(
                "            xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);",
                code,
            ),
            Line::styled("    }", code),
            Line::from(vec![
                Span::styled(" why: ", t.name),
                Span::styled(why(&cfg), t.text),
            ]),
        ];
        put_lines(&lines, inner, buf);
    }
}
