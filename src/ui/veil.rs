//! What each value on screen shows, by [`Figure`]: while a question waits for its answer,
//! a value that shows a figure its step veils reads `?` (a whole line, `? (answer first)`),
//! everywhere it would show: every pane, compare mode's lanes, the status bar.
//!
//! [`TABLE`] is the one place the mapping lives; the panes ask [`hidden`] about the
//! [`Shown`] value they are about to draw, and a test walks the table. Values that show no
//! figure (the knobs, netback's `eoi_pending` bits, NAPI and the kthread, the stage
//! marks) are never veiled.

use crate::app::Veil;
use crate::sim::params::named_enum;
use crate::sim::{Figure, TraceKind};

/// What a veiled value reads.
pub const HIDDEN: &str = "?";
/// What a veiled line reads where the whole line is the answer.
pub const ANSWER_FIRST: &str = "? (answer first)";

named_enum! {
    /// A value on screen that shows one or more figures (or netback's verdict).
    pub enum Shown {
        Clock = "clock",
        PendingBit = "pending bit",
        MaskedBit = "masked bit",
        SelectorBit = "selector bit",
        MaskReasons = "mask reasons",
        UpcallPending = "upcall pending",
        PendingSel = "pending selector",
        DelayedList = "delayed-EOI list",
        Rings = "rings",
        RxQueue = "rx_queue",
        SpuriousCnt = "spurious_cnt",
        PauseLine = "pause line",
        NextSpurious = "next spurious EOI",
        PausedStrip = "paused strip",
        MaskedStrip = "masked strip",
        PausedShare = "paused share",
        MaskedShare = "masked share",
        Events = "events",
        SpuriousEvents = "spurious_events",
        JiffiesEoiDelayed = "jiffies_eoi_delayed",
        SpuriousShare = "spurious share",
        Dom0Cpu = "dom0 CPU",
        Notifies = "notifies",
        HeldMasked = "held while masked",
        Upcalls = "upcalls",
        LateEois = "late EOIs",
        ThrottlePauses = "throttle pauses",
        PacketsDelivered = "packets delivered",
        Goodput = "goodput",
        GoodputChart = "goodput chart",
        NotifyWords = "notify words",
        AckWords = "ack words",
        VerdictWords = "verdict words",
        LateEoiWords = "late EOI words",
        UnmaskWords = "unmask words",
        CodeMeaning = "code meaning",
        CodeWhy = "code why",
        PortFigures = "port figures",
        WindowsPerTick = "windows a jiffy",
    }
}

/// One row of the mapping: a value, where it shows, and what it shows.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    pub shown: Shown,
    /// Where it shows, in the words on screen (`Pane: label`).
    pub r#where: &'static str,
    /// The figures it shows: veiling any of them veils it.
    pub figures: &'static [Figure],
    /// It shows netback's verdict (`veil = ["verdict"]` veils it).
    pub verdict: bool,
}

const fn row(
    shown: Shown,
    r#where: &'static str,
    figures: &'static [Figure],
    verdict: bool,
) -> Row {
    Row {
        shown,
        r#where,
        figures,
        verdict,
    }
}

use Figure as F;

/// Every value a question can veil: where it shows and the figures it shows.
pub const TABLE: &[Row] = &[
    row(
        Shown::Clock,
        "status bar: t …; Throttle: jiffies; log time stamps; chart: time axis, knob marks; \
         Counters: since t …",
        &[F::SimulatedSeconds],
        false,
    ),
    row(
        Shown::PendingBit,
        "Ports: [p/…]; compare lanes: [p/…]",
        &[F::PortPending],
        false,
    ),
    row(
        Shown::MaskedBit,
        "Ports: […/m/…]; compare lanes: […/m/…]",
        &[F::PortMasked],
        false,
    ),
    row(
        Shown::SelectorBit,
        "Ports: […/s] (FIFO: L, LINK)",
        &[F::PortPending],
        false,
    ),
    row(
        Shown::MaskReasons,
        "Ports: masked by",
        &[F::PortMasked],
        false,
    ),
    row(
        Shown::UpcallPending,
        "Ports: evtchn_upcall_pending",
        &[F::PortPending],
        false,
    ),
    row(
        Shown::PendingSel,
        "Ports: evtchn_pending_sel (FIFO: READY, queues); EOI flow: pending",
        &[F::PortPending],
        false,
    ),
    row(
        Shown::DelayedList,
        "Ports: delayed-EOI list; EOI flow: unmask",
        &[F::OnDelayedList, F::PortMasked],
        false,
    ),
    row(Shown::Rings, "Ports: rings", &[F::PacketsInFlight], false),
    row(
        Shown::RxQueue,
        "Ports: rx_queue",
        &[F::PacketsInFlight],
        false,
    ),
    row(
        Shown::SpuriousCnt,
        "Throttle: spurious_cnt; compare lanes: spurious_cnt",
        &[F::SpuriousCnt],
        false,
    ),
    row(
        Shown::PauseLine,
        "Throttle: PAUSED … / no pause …; compare lanes: the same line",
        &[F::OnDelayedList, F::PortMasked],
        false,
    ),
    row(
        Shown::NextSpurious,
        "Throttle: if spurious: …",
        &[F::SpuriousCnt, F::OnDelayedList],
        false,
    ),
    row(
        Shown::PausedStrip,
        "Throttle: paused strip; compare lanes: strip",
        &[
            F::PausedPct,
            F::ThrottlePauses,
            F::PausesInWindow,
            F::OnDelayedList,
            F::JiffiesEoiDelayed,
        ],
        false,
    ),
    row(
        Shown::MaskedStrip,
        "Throttle: masked strip",
        &[F::MaskedPct, F::PortMasked],
        false,
    ),
    row(
        Shown::PausedShare,
        "Throttle: last second: paused; compare lanes: paused",
        &[F::PausedPct],
        false,
    ),
    row(
        Shown::MaskedShare,
        "Throttle: last second: masked",
        &[F::MaskedPct],
        false,
    ),
    row(
        Shown::Events,
        "Counters: events; compare lanes: events",
        &[F::EventsDelivered, F::EventsSinceStep, F::EventsPerJiffy],
        false,
    ),
    row(
        Shown::SpuriousEvents,
        "Counters: spurious_events (would be spurious); Throttle: would be spurious; \
         compare lanes: spurious_events",
        &[F::SpuriousEvents, F::SpuriousRatio],
        false,
    ),
    row(
        Shown::JiffiesEoiDelayed,
        "Counters: jiffies_eoi_delayed; compare lanes: jiffies_eoi_delayed",
        &[F::JiffiesEoiDelayed],
        false,
    ),
    row(
        Shown::SpuriousShare,
        "Counters: spurious ratio; compare lanes: spurious",
        &[F::SpuriousRatio, F::SpuriousEvents],
        false,
    ),
    row(
        Shown::Dom0Cpu,
        "Counters: dom0 CPU; compare lanes: dom0 CPU",
        &[F::Dom0CpuPct],
        false,
    ),
    row(
        Shown::Notifies,
        "Counters: notifies / coalesced",
        &[F::EventsSent, F::NotifiesSinceStep, F::EventsCoalesced],
        false,
    ),
    row(
        Shown::HeldMasked,
        "Counters: held while masked",
        &[F::EventsHeldMasked],
        false,
    ),
    row(Shown::Upcalls, "Counters: upcalls", &[F::Upcalls], false),
    row(
        Shown::LateEois,
        "Counters: late EOIs (+worker)",
        &[F::LateeoiCalls, F::WorkerEois],
        false,
    ),
    row(
        Shown::ThrottlePauses,
        "Counters: throttle pauses",
        &[F::ThrottlePauses, F::PausesInWindow],
        false,
    ),
    row(
        Shown::PacketsDelivered,
        "Counters: packets delivered",
        &[F::PacketsDelivered],
        false,
    ),
    row(
        Shown::Goodput,
        "Throughput: goodput, B/A; compare lanes: goodput",
        &[F::GoodputMbps],
        false,
    ),
    row(
        Shown::GoodputChart,
        "Throughput: the chart and its Mbit/s axis",
        &[F::GoodputMbps],
        false,
    ),
    row(
        Shown::NotifyWords,
        "EOI flow: notify, log \"guest notifies … →\"",
        &[F::EventsCoalesced, F::EventsHeldMasked],
        false,
    ),
    row(
        Shown::AckWords,
        "EOI flow: ack/mask, log \"acked …\", \"masked by dom0 …\", \"dom0's mask cleared …\"",
        &[F::PortMasked],
        false,
    ),
    row(
        Shown::VerdictWords,
        "EOI flow: handler, log \"handler found … →\"; compare lanes: log",
        &[],
        true,
    ),
    row(
        Shown::LateEoiWords,
        "EOI flow: late EOI, log \"late EOI …: spurious_cnt … →\"; compare lanes: log",
        &[
            F::SpuriousCnt,
            F::ThrottlePauses,
            F::PausesInWindow,
            F::OnDelayedList,
        ],
        true,
    ),
    row(
        Shown::UnmaskWords,
        "EOI flow: log \"unmasked …\"",
        &[F::PortMasked, F::EventsHeldMasked],
        false,
    ),
    row(
        Shown::CodeMeaning,
        "Code: ◀ OPERATOR (variant): meaning",
        &[],
        true,
    ),
    row(Shown::CodeWhy, "Code: why", &[], true),
    row(
        Shown::PortFigures,
        "Ports: each port's last second (ev, spur, held)",
        &[
            F::TxPortEvents,
            F::RxPortEvents,
            F::TxPortSpurious,
            F::RxPortSpurious,
            F::TxPortHeld,
            F::RxPortHeld,
            F::EventsDelivered,
            F::SpuriousEvents,
            F::EventsHeldMasked,
        ],
        false,
    ),
    row(
        Shown::WindowsPerTick,
        "Counters: windows a jiffy (the sender's send windows delivered a jiffy)",
        &[F::WindowsPerTick, F::GoodputMbps],
        false,
    ),
];

impl Shown {
    /// Its row of [`TABLE`].
    pub fn row(self) -> &'static Row {
        TABLE.iter().find(|r| r.shown == self).unwrap_or(&TABLE[0])
    }
}

/// Whether `s` is veiled now.
pub fn hidden(v: Veil, s: Shown) -> bool {
    if v.is_empty() {
        return false;
    }
    let r = s.row();
    v.hides_any(r.figures) || (r.verdict && v.verdict())
}

/// `text`, or [`HIDDEN`] while `s` is veiled.
pub fn or_hidden(v: Veil, s: Shown, text: impl Into<String>) -> String {
    if hidden(v, s) {
        HIDDEN.to_string()
    } else {
        text.into()
    }
}

/// Which value a log line (or a stage row made from one) shows.
pub fn shown_by(kind: &TraceKind) -> Option<Shown> {
    Some(match kind {
        TraceKind::Notify { .. } => Shown::NotifyWords,
        TraceKind::Ack { .. } | TraceKind::Mask { .. } | TraceKind::ExplicitUnmask { .. } => {
            Shown::AckWords
        }
        TraceKind::Verdict { .. } => Shown::VerdictWords,
        TraceKind::LateEoi { .. } => Shown::LateEoiWords,
        TraceKind::Unmask { .. } => Shown::UnmaskWords,
        TraceKind::Upcall { .. } | TraceKind::Deliver { .. } | TraceKind::Knob { .. } => {
            return None;
        }
    })
}

/// Whether a log line of this kind is veiled now.
pub fn log_hidden(v: Veil, kind: &TraceKind) -> bool {
    shown_by(kind).is_some_and(|s| hidden(v, s))
}

/// A log line's words: the sim's own, or `port 5: ? (answer first)` while veiled.
pub fn log_words(v: Veil, kind: &TraceKind) -> String {
    if !log_hidden(v, kind) {
        return kind.to_string();
    }
    match kind.port() {
        Some(p) => format!("port {p}: {ANSWER_FIRST}"),
        None => ANSWER_FIRST.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::{LogVeil, Veiled};

    /// Every value is in the table once, and every figure a lesson could veil is shown
    /// somewhere (or is one of the few no pane shows).
    #[test]
    fn the_table_is_whole() {
        for &s in Shown::ALL {
            let n = TABLE.iter().filter(|r| r.shown == s).count();
            assert_eq!(n, 1, "{s}: {n} rows");
            let r = s.row();
            assert!(!r.figures.is_empty() || r.verdict, "{s} shows nothing");
        }
        let not_on_screen = [
            F::RxHandlerCalls,
            F::UnmaskHypercalls,
            F::PacketsOffered,
            F::PacketsDropped,
            F::GuestCpuPct,
            F::GuestNotifies,
            F::OrderViolations,
        ];
        for &f in Figure::ALL {
            let shown = TABLE.iter().any(|r| r.figures.contains(&f));
            assert_eq!(shown, !not_on_screen.contains(&f), "{f}");
        }
    }

    #[test]
    fn a_veil_hides_the_values_that_show_its_figures() {
        let v = Veil::of(&[Veiled::Figure(F::SpuriousCnt)]);
        assert!(hidden(v, Shown::SpuriousCnt) && hidden(v, Shown::LateEoiWords));
        assert!(!hidden(v, Shown::VerdictWords) && !hidden(v, Shown::Goodput));
        assert_eq!(or_hidden(v, Shown::SpuriousCnt, "2"), "?");
        assert_eq!(or_hidden(Veil::NONE, Shown::SpuriousCnt, "2"), "2");
        let verdict = Veil::of(&[Veiled::Log(LogVeil::Verdict)]);
        assert!(hidden(verdict, Shown::CodeWhy) && hidden(verdict, Shown::VerdictWords));
        assert!(!hidden(verdict, Shown::SpuriousCnt));
    }
}
