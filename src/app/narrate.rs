//! Where each transition sits in the EOI pipeline, and how virtual time reads.
//!
//! The words for each transition are the sim's own (`Display` on [`TraceKind`]); this
//! module only places transitions on the pipeline the EOI-flow pane draws.

use crate::sim::TraceKind;

/// The stages of an event's path, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Notify,
    Pending,
    Upcall,
    AckMask,
    Handler,
    LateEoi,
    /// The end of the path: the unmask, at once or after the delayed-EOI list (named
    /// `unmask`: its row says when the port is on the list).
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
            Stage::DelayedOrUnmask => "unmask",
        }
    }
}

/// The stage a transition belongs to: the row of the pipeline that shows its words (`None`
/// for knob marks). One row a transition, so the pane's `▶` marks one row: a notify that
/// sets the pending bit is the notify's row (the pending row shows the bits it set), a late
/// EOI that pauses the port is the late EOI's row (the delayed-list row shows the pause).
pub fn stage(kind: &TraceKind) -> Option<Stage> {
    use Stage::*;
    Some(match kind {
        TraceKind::Notify { .. } => Notify,
        TraceKind::Upcall { .. } | TraceKind::Deliver { .. } => Upcall,
        TraceKind::Ack { .. } | TraceKind::Mask { .. } => AckMask,
        TraceKind::Verdict { .. } => Handler,
        TraceKind::LateEoi { .. } => LateEoi,
        TraceKind::Unmask { .. } | TraceKind::ExplicitUnmask { .. } => DelayedOrUnmask,
        TraceKind::Knob { .. } => return None,
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
    use crate::sim::{EoiResult, EoiSource, NotifyCause, PortRole, SendOutcome};

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
        assert_eq!(stage(&verdict), Some(Stage::Handler));
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
        assert_eq!(stage(&pause), Some(Stage::LateEoi), "one row: its own");
        let notify = TraceKind::Notify {
            port: 5,
            outcome: SendOutcome::Upcall,
            cause: NotifyCause::TxRequests,
        };
        assert_eq!(stage(&notify), Some(Stage::Notify), "one row: its own");
        assert_eq!(
            stage(&TraceKind::Knob {
                change: crate::sim::KnobChange::Throttle(false)
            }),
            None
        );
        assert_eq!(time_stamp(1_234_567_890), "1.234567s");
    }
}
