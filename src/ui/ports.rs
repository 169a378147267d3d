//! Ports pane: dom0's ports bound to the guest, in the style of Xen's `xl debug-keys e`.
//!
//! ```text
//! ┌ Ports · xl debug-keys e ───────────────────┐
//! │ port [p/m/s] role   masked by              │
//! │    5 [1/1/0] common  late EOI              │
//! │  1 s: 501 ev 500 spur 250 held             │
//! │ vCPU0 evtchn_upcall_pending 0              │
//! │       evtchn_pending_sel    0b0            │
//! │ netback eoi_pending COMMON_EOI             │
//! │ delayed-EOI list 5 (eoi_time 1240)         │
//! │ rings: TX 12 unread, RX 256 free           │
//! │ rx_queue 0 · NAPI off · kthread asleep     │
//! │ 5 1 s: 501 ev 500 spur 250 held            │
//! └────────────────────────────────────────────┘
//! ```
//! `[p/m/s]` = `evtchn_pending`, `evtchn_mask` and the word's selector bit in
//! `evtchn_pending_sel`, as 0/1; a bit that changed since the last frame is highlighted.
//! In a narrow pane (a lesson's 34 columns) the rings' two lines become three, `TX ring 12
//! unread · NAPI off`, `RX ring 256 free · rx_queue 0` and `RX kthread asleep`, so that no
//! value is cut.
//! Last, each port's figures over the last second: events handled, late EOIs flagged
//! spurious, notifies held masked (the figures `tx_port_events`, `tx_port_spurious`,
//! `tx_port_held` and their `rx_port_` twins).
//!
//! On the FIFO ABI the pane speaks FIFO: each port's event word (`P`, `M`, `L` and `LINK`),
//! the control block's `READY` bits and each non-empty queue from its head, `HEAD → … `,
//! with Xen's tail:
//! ```text
//! ┌ Ports · FIFO event channels ───────────────┐
//! │ port [P/M/L] LINK role   masked by         │
//! │    5 [1/1/0]    0 common  late EOI         │
//! │ vCPU0 evtchn_upcall_pending 0              │
//! │       READY 0b0 · queues empty             │
//! │ …                                          │
//! └────────────────────────────────────────────┘
//! ```
//! In a narrow pane the port column is two spaces shorter, the header says `masked`, and
//! the queues go on a line under `READY`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{Lane, Veil};
use crate::sim::abi::fifo::MAX_QUEUES;
use crate::sim::events_base::mask_reason;
use crate::sim::{Fifo, PortView, eoi_pending};

use super::theme::Theme;
use super::veil::{Shown, hidden, or_hidden};
use super::{pane, put_lines, title};

/// Rows the pane needs for its state (border included): one line per port plus eight.
/// The ports' figures come after those rows and show where the pane is taller. A narrow
/// pane (a lesson's 34 columns) takes a line more for the rings (and one for FIFO's
/// queues) from those figures' rows: every value stays, none is cut.
pub fn height(lane: &Lane) -> u16 {
    STATE_ROWS + lane.sim().ports().count() as u16
}

/// The rows [`height`] adds to the ports' own: the border, the header, vCPU0's two lines,
/// netback's two and the rings' two.
const STATE_ROWS: u16 = 9;
/// Inside widths below which FIFO's port column is two spaces shorter.
const FIFO_TIGHT_BELOW: u16 = 35;

/// Rows the pane wants with each port's figures as well (one more line per port).
pub fn full_height(lane: &Lane) -> u16 {
    height(lane) + lane.sim().ports().count() as u16
}

/// A port's figures over the last second: `5 1 s: 501 ev 500 spur 250 held` (short enough
/// for the narrowest Ports pane).
pub fn port_figures<'a>(
    port: u32,
    (events, spurious, held): (u64, u64, u64),
    theme: &Theme,
    veil: Veil,
) -> Line<'a> {
    let shown = |n: u64| or_hidden(veil, Shown::PortFigures, n.to_string());
    Line::from(vec![
        Span::styled(format!(" {port}"), theme.value),
        Span::styled(" 1 s: ", theme.dim),
        Span::styled(shown(events), theme.value),
        Span::styled(" ev ", theme.dim),
        Span::styled(
            shown(spurious),
            if spurious > 0 && !hidden(veil, Shown::PortFigures) {
                theme.bad
            } else {
                theme.value
            },
        ),
        Span::styled(" spur ", theme.dim),
        Span::styled(shown(held), theme.value),
        Span::styled(" held", theme.dim),
    ])
}

pub struct PortsPane<'a> {
    pub lane: &'a Lane,
    pub theme: &'a Theme,
    /// What an open question hides.
    pub veil: Veil,
}

/// The names of the set bits joined by `|`, or `none` when no bit is set.
fn bit_names(bits: u8, names: &[(u8, &str)], none: &str) -> String {
    let set: Vec<&str> = names
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect();
    if set.is_empty() {
        none.into()
    } else {
        set.join("|")
    }
}

/// Why the port is masked, `late EOI|mask_irq`, or `-`. In the story's kernel one mask bit
/// served them all; the later kernel (25da4618af24, March 2021) keeps them apart as the
/// reasons `EVT_MASK_REASON_EOI_PENDING`, `_EXPLICIT` and `_TEMPORARY`, which the lab
/// models (a hands-on mask and a late EOI do not undo each other).
pub fn mask_reasons(bits: u8) -> String {
    let names = [
        (mask_reason::EXPLICIT, "mask_irq"),
        (mask_reason::TEMPORARY, "temporary"),
        (mask_reason::EOI_PENDING, "late EOI"),
    ];
    bit_names(bits, &names, "-")
}

/// netback's `eoi_pending` bits by name, or `0`.
pub fn eoi_pending_names(bits: u8) -> String {
    let names = [
        (eoi_pending::RX_EOI, "RX_EOI"),
        (eoi_pending::TX_EOI, "TX_EOI"),
        (eoi_pending::COMMON_EOI, "COMMON_EOI"),
    ];
    bit_names(bits, &names, "0")
}

/// One `xl debug-keys e` line: `    5 [1/0/1]`, each bit styled (set, clear, just changed);
/// a bit an open question veils reads `?`.
pub fn port_bits<'a>(p: &PortView, changed: [bool; 3], theme: &Theme, veil: Veil) -> Vec<Span<'a>> {
    let bit = |on: bool, ch: bool, shown: Shown| {
        if hidden(veil, shown) {
            return Span::styled("?", theme.dim);
        }
        let style = if ch {
            theme.bit_changed
        } else if on {
            theme.bit_set
        } else {
            theme.bit_clear
        };
        Span::styled(if on { "1" } else { "0" }, style)
    };
    vec![
        Span::styled(format!("{:>5} ", p.port), theme.value),
        Span::styled("[", theme.text),
        bit(p.pending, changed[0], Shown::PendingBit),
        Span::styled("/", theme.text),
        bit(p.masked, changed[1], Shown::MaskedBit),
        Span::styled("/", theme.text),
        bit(p.selected, changed[2], Shown::SelectorBit),
        Span::styled("]", theme.text),
    ]
}

/// FIFO: every non-empty queue as the guest will consume it, `Q7 5 → 6 (tail 6)`, or
/// `queues empty`.
pub fn fifo_queues(f: &Fifo) -> String {
    let mut out = Vec::new();
    for q in 0..MAX_QUEUES {
        let ports: Vec<String> = f.queue(q).map(|p| p.to_string()).collect();
        if !ports.is_empty() {
            out.push(format!("Q{q} {} (tail {})", ports.join(" → "), f.tail[q]));
        }
    }
    if out.is_empty() {
        "queues empty".to_string()
    } else {
        out.join(" · ")
    }
}

impl Widget for PortsPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let fifo = self.lane.sim().event_channels().fifo();
        let name = if fifo.is_some() {
            "Ports · FIFO event channels"
        } else {
            "Ports · xl debug-keys e"
        };
        let block = pane(title(vec![Span::raw(name)]), self.theme);
        let inner = block.inner(area);
        block.render(area, buf);
        let width = usize::from(inner.width);
        let mut lines: Vec<Line> = Vec::with_capacity(12);
        self.port_rows(&mut lines, inner.width);
        self.vcpu(&mut lines, width);
        self.netback(&mut lines);
        self.rings(&mut lines, width);
        // Each port's figures last: where the pane is short, the state lines above matter
        // more.
        self.figures(&mut lines);
        put_lines(&lines, inner, buf);
    }
}

impl PortsPane<'_> {
    /// The header and one row per port: its bits, role and mask reasons.
    fn port_rows(&self, lines: &mut Vec<Line<'_>>, inner_width: u16) {
        let (t, v) = (self.theme, self.veil);
        let fifo = self.lane.sim().event_channels().fifo().is_some();
        let flash = self.lane.flash();
        // FIFO's rows have a column more: in a narrow pane (32 columns inside) its port
        // column is two spaces shorter, so that a row fits.
        let tight = fifo && inner_width < FIFO_TIGHT_BELOW;
        lines.push(Line::styled(
            match (fifo, tight) {
                (true, true) => "port[P/M/L] LINK role   masked",
                (true, false) => " port [P/M/L] LINK role   masked by",
                _ => " port [p/m/s] role   masked by",
            },
            t.dim,
        ));
        for p in self.lane.sim().ports() {
            let mut spans = port_bits(&p, flash.port(p.port), t, v);
            if tight {
                spans[0] = Span::styled(format!("{:>3} ", p.port), t.value);
            }
            if fifo {
                let link = or_hidden(v, Shown::SelectorBit, p.link.to_string());
                spans.push(Span::styled(format!(" {link:>4}"), t.value));
            }
            // Roles are at most 6 wide ("common").
            spans.push(Span::styled(format!(" {:<6} ", p.role.name()), t.text));
            let rs = if p.mask_reason == 0 { t.dim } else { t.warn };
            spans.push(Span::styled(
                or_hidden(v, Shown::MaskReasons, mask_reasons(p.mask_reason)),
                rs,
            ));
            lines.push(Line::from(spans));
        }
    }

    /// vCPU0's upcall flag, then `evtchn_pending_sel` (2-level) or FIFO's `READY` bits and
    /// queues (on a line of their own where one line is too narrow).
    fn vcpu(&self, lines: &mut Vec<Line<'_>>, width: usize) {
        let (t, v) = (self.theme, self.veil);
        let sim = self.lane.sim();
        let vcpu = &sim.shared_info().vcpu;
        let up_style = if hidden(v, Shown::UpcallPending) {
            t.dim
        } else if self.lane.flash().upcall_pending {
            t.bit_changed
        } else if vcpu.evtchn_upcall_pending {
            t.bit_set
        } else {
            t.bit_clear
        };
        lines.push(Line::from(vec![
            Span::styled(" vCPU0 ", t.text),
            Span::styled("evtchn_upcall_pending ", t.name),
            Span::styled(
                or_hidden(
                    v,
                    Shown::UpcallPending,
                    u8::from(vcpu.evtchn_upcall_pending).to_string(),
                ),
                up_style,
            ),
        ]));
        let Some(f) = sim.event_channels().fifo() else {
            lines.push(Line::from(vec![
                Span::styled("       evtchn_pending_sel    ", t.name),
                Span::styled(
                    or_hidden(
                        v,
                        Shown::PendingSel,
                        format!("{:#b}", vcpu.evtchn_pending_sel),
                    ),
                    t.value,
                ),
            ]));
            return;
        };
        let ready = vec![
            Span::styled("       READY ", t.name),
            Span::styled(
                or_hidden(
                    v,
                    Shown::PendingSel,
                    format!("{:#b}", f.control_block.ready),
                ),
                t.value,
            ),
        ];
        let queues = Span::styled(or_hidden(v, Shown::PendingSel, fifo_queues(f)), t.value);
        let one = Line::from(ready.clone()).width() + 3 + queues.width();
        if one <= width {
            let mut spans = ready;
            spans.extend([Span::styled(" · ", t.dim), queues]);
            lines.push(Line::from(spans));
        } else {
            // Narrow: the queues under `READY`, a line more.
            lines.push(Line::from(ready));
            lines.push(Line::from(vec![Span::raw("       "), queues]));
        }
    }

    /// netback's `eoi_pending` and the delayed-EOI list.
    fn netback(&self, lines: &mut Vec<Line<'_>>) {
        let (t, v) = (self.theme, self.veil);
        let sim = self.lane.sim();
        lines.push(Line::from(vec![
            Span::styled(" netback eoi_pending ", t.name),
            Span::styled(eoi_pending_names(sim.eoi_pending()), t.value),
        ]));
        let core = sim.event_core();
        let listed: Vec<String> = core
            .list
            .ports
            .iter()
            .map(|&port| format!("{port} (eoi_time {})", core.irq(port).eoi_time))
            .collect();
        lines.push(Line::from(vec![
            Span::styled(" delayed-EOI list ", t.name),
            if hidden(v, Shown::DelayedList) {
                Span::styled(super::veil::HIDDEN, t.dim)
            } else if listed.is_empty() {
                Span::styled("empty", t.dim)
            } else {
                Span::styled(listed.join(", "), t.bad)
            },
        ]));
    }

    /// The rings, `rx_queue`, NAPI and the kthread: two lines, or three where two would be
    /// cut.
    fn rings(&self, lines: &mut Vec<Line<'_>>, width: usize) {
        let (t, v) = (self.theme, self.veil);
        let sim = self.lane.sim();
        let (tx, rx) = (sim.tx_ring(), sim.rx_ring());
        let tx_unread = || {
            Span::styled(
                or_hidden(v, Shown::Rings, tx.unconsumed_requests().to_string()),
                t.value,
            )
        };
        let rx_free = || {
            Span::styled(
                or_hidden(v, Shown::Rings, rx.unconsumed_requests().to_string()),
                t.value,
            )
        };
        let rx_queue = || {
            Span::styled(
                or_hidden(v, Shown::RxQueue, sim.rx_queue_len().to_string()),
                t.value,
            )
        };
        let napi = || Span::styled(if sim.napi_scheduled() { "on" } else { "off" }, t.text);
        let kthread = || {
            let awake = sim.kthread_awake();
            Span::styled(if awake { "awake" } else { "asleep" }, t.text)
        };
        let wide = [
            Line::from(vec![
                Span::styled(" rings: TX ", t.name),
                tx_unread(),
                Span::styled(" unread, RX ", t.dim),
                rx_free(),
                Span::styled(" free", t.dim),
            ]),
            Line::from(vec![
                Span::styled(" rx_queue ", t.name),
                rx_queue(),
                Span::styled(" · NAPI ", t.name),
                napi(),
                Span::styled(" · kthread ", t.name),
                kthread(),
            ]),
        ];
        if wide.iter().all(|l| l.width() <= width) {
            lines.extend(wide);
            return;
        }
        // Narrow (a lesson's 34 columns): a line more, each direction on its own, the TX
        // ring with NAPI (which reads it), the RX ring with what netback holds for it, and
        // the kthread that fills it.
        lines.extend([
            Line::from(vec![
                Span::styled(" TX ring ", t.name),
                tx_unread(),
                Span::styled(" unread", t.dim),
                Span::styled(" · NAPI ", t.name),
                napi(),
            ]),
            Line::from(vec![
                Span::styled(" RX ring ", t.name),
                rx_free(),
                Span::styled(" free", t.dim),
                Span::styled(" · rx_queue ", t.name),
                rx_queue(),
            ]),
            Line::from(vec![Span::styled(" RX kthread ", t.name), kthread()]),
        ]);
    }

    /// Each port's figures over the last second.
    fn figures(&self, lines: &mut Vec<Line<'_>>) {
        let last = self.lane.sim().last(1_000_000_000).delta();
        for (i, p) in self.lane.sim().ports().enumerate() {
            lines.push(port_figures(
                p.port,
                (
                    last.port_events[i],
                    last.port_spurious[i],
                    last.port_held[i],
                ),
                self.theme,
                self.veil,
            ));
        }
    }
}
