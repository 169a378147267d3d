//! What a question hides while it waits for its answer: the figures its step names in
//! `veil`, and netback's verdict (`veil = ["verdict"]`).
//!
//! The app computes it ([`crate::app::App::veil`]); every pane, the status bar and the
//! lesson's checklist receive it and show `?` where a veiled figure would be
//! (`crate::ui::veil` maps each value on screen to the figures it shows). Nothing is
//! hidden outside an open question: the same frame without a question shows everything.

use crate::lesson::{LogVeil, Veiled};
use crate::sim::Figure;

/// A set of figures, and whether netback's verdict is hidden. Small and `Copy`: every pane
/// gets its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Veil {
    /// One bit per [`Figure`], by its place in [`Figure::ALL`].
    figures: u64,
    verdict: bool,
}

fn bit(f: Figure) -> u64 {
    let i = Figure::ALL.iter().position(|&x| x == f).unwrap_or(0);
    1 << i
}

impl Veil {
    /// Nothing hidden.
    pub const NONE: Veil = Veil {
        figures: 0,
        verdict: false,
    };

    /// What a step's `veil` names.
    pub fn of(items: &[Veiled]) -> Veil {
        items.iter().fold(Veil::NONE, |v, &item| v.with(item))
    }

    /// This veil and `item` too.
    pub fn with(self, item: Veiled) -> Veil {
        match item {
            Veiled::Figure(f) => Veil {
                figures: self.figures | bit(f),
                ..self
            },
            Veiled::Log(LogVeil::Verdict) => Veil {
                verdict: true,
                ..self
            },
        }
    }

    /// Everything either veil hides.
    pub fn union(self, other: Veil) -> Veil {
        Veil {
            figures: self.figures | other.figures,
            verdict: self.verdict || other.verdict,
        }
    }

    /// Whether `f` is hidden.
    pub fn hides(self, f: Figure) -> bool {
        self.figures & bit(f) != 0
    }

    /// Whether any of `fs` is hidden.
    pub fn hides_any(self, fs: &[Figure]) -> bool {
        fs.iter().any(|&f| self.hides(f))
    }

    /// Whether netback's verdict (the handler's "→ flagged SPURIOUS", the code's lit
    /// branch) is hidden.
    pub fn verdict(self) -> bool {
        self.verdict
    }

    pub fn is_empty(self) -> bool {
        self.figures == 0 && !self.verdict
    }

    /// The hidden figures, in [`Figure::ALL`] order.
    pub fn figures(self) -> impl Iterator<Item = Figure> {
        Figure::ALL.iter().copied().filter(move |&f| self.hides(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_veil_holds_what_it_names() {
        assert!(Figure::ALL.len() <= 64, "one bit per figure");
        let v = Veil::of(&[
            Veiled::Figure(Figure::GoodputMbps),
            Veiled::Log(LogVeil::Verdict),
        ]);
        assert!(v.hides(Figure::GoodputMbps) && v.verdict());
        assert!(!v.hides(Figure::Dom0CpuPct));
        assert!(v.hides_any(&[Figure::Dom0CpuPct, Figure::GoodputMbps]));
        assert_eq!(v.figures().collect::<Vec<_>>(), vec![Figure::GoodputMbps]);
        assert!(Veil::NONE.is_empty() && !v.is_empty());
        let w = Veil::of(&[Veiled::Figure(Figure::Dom0CpuPct)]);
        assert!(v.union(w).hides(Figure::Dom0CpuPct) && v.union(w).verdict());
        for &f in Figure::ALL {
            let only = Veil::of(&[Veiled::Figure(f)]);
            assert_eq!(only.figures().collect::<Vec<_>>(), vec![f]);
        }
    }
}
