//! The rewind timeline, on the throughput pane's figure line while rewound: the span of
//! virtual time kept, where the screen is in it, and the furthest time reached.
//!
//! ```text
//! │ goodput 549 Mbit/s          ⟲ 7.0s ├───●──────┤ 12.0s │
//! ```

use ratatui::text::{Line, Span};

use crate::app::App;

use super::theme::Theme;

/// The strip's track: its most cells, and the fewest worth drawing.
const BAR_MAX: usize = 30;
const BAR_MIN: usize = 5;

/// Where a rewound screen is: the oldest checkpoint kept, the time on screen, and the
/// furthest time reached (what `>` comes back to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rewind {
    pub oldest_ns: u64,
    pub at_ns: u64,
    pub head_ns: u64,
}

impl Rewind {
    /// `None` unless the lab is rewound.
    pub fn of(app: &App) -> Option<Rewind> {
        let h = app.history();
        let head_ns = h.head_ns()?;
        Some(Rewind {
            oldest_ns: h.checkpoint_times().next().unwrap_or(0),
            at_ns: app.lane.now_ns(),
            head_ns,
        })
    }

    /// The strip in at most `width` cells (`None` when it cannot fit a useful one).
    pub fn line(&self, width: u16, t: &Theme) -> Option<Line<'static>> {
        let at = format!("⟲ {:.1}s ", self.at_ns as f64 / 1e9);
        let end = format!(" {:.1}s", self.head_ns as f64 / 1e9);
        let fixed = at.chars().count() + end.chars().count() + 2;
        let bar = usize::from(width).checked_sub(fixed)?.min(BAR_MAX);
        if bar < BAR_MIN {
            return None;
        }
        let span = self.head_ns.saturating_sub(self.oldest_ns).max(1);
        let from_oldest = self.at_ns.saturating_sub(self.oldest_ns).min(span);
        let pos =
            ((from_oldest as u128 * (bar as u128 - 1) + span as u128 / 2) / span as u128) as usize;
        let track: String = (0..bar).map(|i| if i == pos { '●' } else { '─' }).collect();
        Some(Line::from(vec![
            Span::styled(at, t.mark),
            Span::styled("├", t.axis),
            Span::styled(track, t.mark),
            Span::styled("┤", t.axis),
            Span::styled(end, t.dim),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dot_is_where_the_screen_is_between_the_oldest_and_the_head() {
        let t = Theme::default();
        let text = |at_ns| {
            let r = Rewind {
                oldest_ns: 0,
                at_ns,
                head_ns: 10_000_000_000,
            };
            r.line(40, &t).map(|l| l.to_string()).unwrap_or_default()
        };
        assert!(text(0).contains("├●─"), "{}", text(0));
        assert!(
            text(10_000_000_000).contains("─●┤"),
            "{}",
            text(10_000_000_000)
        );
        let mid = text(5_000_000_000);
        let track: String = mid.chars().skip_while(|&c| c != '├').collect();
        let dot = track.chars().position(|c| c == '●').unwrap_or(0);
        assert!((13..=17).contains(&dot), "{mid}");
        assert!(
            mid.starts_with("⟲ 5.0s") && mid.ends_with(" 10.0s"),
            "{mid}"
        );
        let narrow = Rewind {
            oldest_ns: 0,
            at_ns: 0,
            head_ns: 1,
        };
        assert_eq!(narrow.line(12, &t), None, "too narrow: nothing");
    }
}
