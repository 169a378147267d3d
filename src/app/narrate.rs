//! Where each transition sits in the EOI pipeline, and how virtual time reads.
//!
//! The words for each transition are the sim's own (`Display` on [`TraceKind`]); this
//! module only places transitions on the pipeline the EOI-flow pane draws.

use crate::sim::{EoiResult, SendOutcome, TraceKind};

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
        TraceKind::Unmask { .. } | TraceKind::ExplicitUnmask { .. } => &[DelayedOrUnmask],
        TraceKind::Mask { .. } => &[AckMask],
        TraceKind::Knob { .. } => &[],
    })
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
    use crate::sim::{EoiSource, PortRole};

    #[test]
    fn transitions_sit_on_their_stages() {
        let verdict = TraceKind::Verdict {
            port: 5,
            role: PortRole::Common,
            tx_work: true,
            rx_work: false,
            rx_checked: true,
            spurious: Some(true),
        };
        assert!(stages(&verdict).contains(Stage::Handler));
        let pause = TraceKind::LateEoi {
            port: 5,
            source: EoiSource::Handler,
            spurious: true,
            spurious_cnt: 2,
            result: EoiResult::Paused {
                jiffies: 1,
                eoi_time: 42,
            },
        };
        assert!(stages(&pause).contains(Stage::DelayedOrUnmask));
        let queued = TraceKind::LateEoi {
            port: 5,
            source: EoiSource::Handler,
            spurious: true,
            spurious_cnt: 2,
            result: EoiResult::AlreadyQueued,
        };
        assert!(!stages(&queued).contains(Stage::DelayedOrUnmask));
        assert!(
            stages(&TraceKind::Knob {
                change: crate::sim::KnobChange::Throttle(false)
            })
            .is_empty()
        );
        assert_eq!(time_stamp(1_234_567_890), "1.234567s");
    }
}
