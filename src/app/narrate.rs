//! The trace in plain words, and where each transition sits in the EOI pipeline.
//!
//! Pure functions of [`TraceEvent`]s: the EOI-flow pane and the compare lanes read them at
//! render time, the tests read them directly.

use crate::sim::{EoiResult, EoiSource, PortRole, SendOutcome, TraceKind};

use super::lane::knob_label;

/// The stages of an event's path, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Notify,
    Pending,
    Upcall,
    AckMask,
    Handler,
    LateEoi,
    /// The end of the path: kept masked on the delayed-EOI list, or unmasked.
    DelayedOrUnmask,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Notify,
        Stage::Pending,
        Stage::Upcall,
        Stage::AckMask,
        Stage::Handler,
        Stage::LateEoi,
        Stage::DelayedOrUnmask,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Notify => "notify",
            Stage::Pending => "pending",
            Stage::Upcall => "upcall",
            Stage::AckMask => "ack/mask",
            Stage::Handler => "handler",
            Stage::LateEoi => "late EOI",
            Stage::DelayedOrUnmask => "delayed list / unmask",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of stages (the ones a transition touches).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stages(u8);

impl Stages {
    pub fn contains(self, s: Stage) -> bool {
        self.0 & s.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn of(list: &[Stage]) -> Self {
        Stages(list.iter().fold(0, |acc, s| acc | s.bit()))
    }
}

/// The stages a transition belongs to (empty for knob marks).
pub fn stages(kind: &TraceKind) -> Stages {
    use Stage::*;
    Stages::of(match kind {
        TraceKind::Notify {
            outcome: SendOutcome::Coalesced,
            ..
        } => &[Notify],
        TraceKind::Notify { .. } => &[Notify, Pending],
        TraceKind::Upcall { .. } | TraceKind::Deliver { .. } => &[Upcall],
        TraceKind::Ack { .. } => &[AckMask],
        TraceKind::Verdict { .. } => &[Handler],
        TraceKind::LateEoi {
            result: EoiResult::AlreadyQueued,
            ..
        } => &[LateEoi],
        TraceKind::LateEoi { .. } => &[LateEoi, DelayedOrUnmask],
        TraceKind::Unmask { .. } => &[DelayedOrUnmask],
        TraceKind::Knob { .. } => &[],
    })
}

/// The port a transition is about, if any.
pub fn port_of(kind: &TraceKind) -> Option<u32> {
    match *kind {
        TraceKind::Notify { port, .. }
        | TraceKind::Deliver { port }
        | TraceKind::Ack { port, .. }
        | TraceKind::Verdict { port, .. }
        | TraceKind::LateEoi { port, .. }
        | TraceKind::Unmask { port, .. } => Some(port),
        TraceKind::Upcall { .. } | TraceKind::Knob { .. } => None,
    }
}

fn work(found: bool, side: &str) -> String {
    if found {
        format!("{side} work")
    } else {
        format!("no {side} work")
    }
}

/// The handler's verdict in words: "handler found TX work, no RX work → flagged SPURIOUS (OR)".
pub fn verdict_words(
    role: PortRole,
    tx_work: bool,
    rx_work: bool,
    spurious: Option<bool>,
) -> String {
    let mut s = match role {
        PortRole::Common => format!(
            "handler found {}, {}",
            work(tx_work, "TX"),
            work(rx_work, "RX")
        ),
        PortRole::Tx => format!("TX handler found {}", work(tx_work, "TX")),
        PortRole::Rx => format!("RX handler found {}", work(rx_work, "RX")),
    };
    match spurious {
        None => s.push_str(" → no late EOI (classic handling)"),
        Some(true) => {
            s.push_str(" → flagged SPURIOUS");
            if role == PortRole::Common && tx_work != rx_work {
                // One side had work and it was still spurious: only `|` says that.
                s.push_str(" (OR)");
            } else {
                s.push_str(" (no work)");
            }
        }
        Some(false) => {
            s.push_str(" → real work, EOI later");
            if role == PortRole::Common && tx_work != rx_work {
                s.push_str(" (AND)");
            }
        }
    }
    s
}

fn outcome_words(o: SendOutcome) -> &'static str {
    match o {
        SendOutcome::Coalesced => "already pending: coalesced",
        SendOutcome::Masked => "masked: held pending, no upcall",
        SendOutcome::SelectorAlreadySet => "pending set (selector already set)",
        SendOutcome::UpcallAlreadyPending => "pending set (upcall already pending)",
        SendOutcome::Upcall => "pending set → upcall raised",
        SendOutcome::UpcallMasked => "pending set (vCPU upcalls masked)",
    }
}

pub fn source_words(s: EoiSource) -> &'static str {
    match s {
        EoiSource::Handler => "handler",
        EoiSource::Napi => "NAPI poll",
        EoiSource::Kthread => "RX kthread",
        EoiSource::Worker => "worker",
    }
}

/// One transition in plain words, without its time stamp.
pub fn describe(kind: &TraceKind) -> String {
    match *kind {
        TraceKind::Notify { port, outcome } => {
            format!("port {port}: guest notifies → {}", outcome_words(outcome))
        }
        TraceKind::Upcall { epoch } => format!("dom0 vCPU0: upcall loop, irq_epoch {epoch}"),
        TraceKind::Deliver { port } => format!("port {port}: upcall handles the event"),
        TraceKind::Ack { port, masked: true } => {
            format!("port {port}: acked → pending cleared, masked (EOI_PENDING)")
        }
        TraceKind::Ack {
            port,
            masked: false,
        } => format!("port {port}: acked → pending cleared, stays unmasked"),
        TraceKind::Verdict {
            port,
            role,
            tx_work,
            rx_work,
            spurious,
        } => format!(
            "port {port}: {}",
            verdict_words(role, tx_work, rx_work, spurious)
        ),
        TraceKind::LateEoi {
            port,
            source,
            spurious,
            spurious_cnt,
            result,
        } => format!(
            "port {port}: {}: spurious_cnt {spurious_cnt} → {}",
            eoi_call(source, spurious),
            eoi_result(result, false)
        ),
        TraceKind::Unmask {
            port,
            redelivered: true,
        } => format!("port {port}: unmasked → held notify delivered now"),
        TraceKind::Unmask {
            port,
            redelivered: false,
        } => format!("port {port}: unmasked"),
        TraceKind::Knob { change } => format!("knob: {}", knob_label(change)),
    }
}

/// Who called the late EOI and the flag: "late EOI, SPURIOUS" (the handler's),
/// "late EOI from NAPI poll", "worker's EOI".
pub fn eoi_call(source: EoiSource, spurious: bool) -> String {
    match (source, spurious) {
        (EoiSource::Worker, _) => "worker's EOI".to_string(),
        (EoiSource::Handler, true) => "late EOI, SPURIOUS".to_string(),
        (s, true) => format!("late EOI from {}, SPURIOUS", source_words(s)),
        (s, false) => format!("late EOI from {}", source_words(s)),
    }
}

/// What the late-EOI step did; `until` adds the jiffy a pause ends at.
pub fn eoi_result(r: EoiResult, until: bool) -> String {
    match r {
        EoiResult::Unmasked => "unmask".to_string(),
        EoiResult::Paused { jiffies: 0, .. } => "deferred to the worker".to_string(),
        EoiResult::Paused { jiffies, eoi_time } => {
            let p = format!("PAUSE {jiffies} {}", plural(jiffies, "jiffy", "jiffies"));
            if until {
                format!("{p} (to j{eoi_time})")
            } else {
                p
            }
        }
        EoiResult::AlreadyQueued => "already listed: no-op".to_string(),
    }
}

pub fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `12.345678s`: a virtual time stamp to the microsecond.
pub fn time_stamp(t_ns: u64) -> String {
    format!(
        "{}.{:06}s",
        t_ns / 1_000_000_000,
        t_ns % 1_000_000_000 / 1_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_or_verdict_reads_as_the_issue_says() {
        let k = TraceKind::Verdict {
            port: 5,
            role: PortRole::Common,
            tx_work: true,
            rx_work: false,
            spurious: Some(true),
        };
        assert_eq!(
            describe(&k),
            "port 5: handler found TX work, no RX work → flagged SPURIOUS (OR)"
        );
        let fixed = TraceKind::Verdict {
            spurious: Some(false),
            port: 5,
            role: PortRole::Common,
            tx_work: true,
            rx_work: false,
        };
        assert_eq!(
            describe(&fixed),
            "port 5: handler found TX work, no RX work → real work, EOI later (AND)"
        );
        assert!(stages(&k).contains(Stage::Handler));
    }

    #[test]
    fn split_handlers_and_pauses_in_words() {
        let k = TraceKind::Verdict {
            port: 6,
            role: PortRole::Rx,
            tx_work: false,
            rx_work: false,
            spurious: Some(true),
        };
        assert_eq!(
            describe(&k),
            "port 6: RX handler found no RX work → flagged SPURIOUS (no work)"
        );
        let p = TraceKind::LateEoi {
            port: 5,
            source: EoiSource::Handler,
            spurious: true,
            spurious_cnt: 2,
            result: EoiResult::Paused {
                jiffies: 1,
                eoi_time: 42,
            },
        };
        assert_eq!(
            describe(&p),
            "port 5: late EOI, SPURIOUS: spurious_cnt 2 → PAUSE 1 jiffy"
        );
        assert!(stages(&p).contains(Stage::DelayedOrUnmask));
        assert_eq!(time_stamp(1_234_567_890), "1.234567s");
    }
}
