//! Figures named in a lesson's prose (`{goodput_mbps}`), and numbers as the lab writes
//! them.

use super::Side;
use crate::sim::Figure;

/// A figure named in prose: `{goodput_mbps}` (lane A), and in a compare step
/// `{b.goodput_mbps}` (lane B) or `{ratio.goodput_mbps}` (B over A).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FigureRef {
    pub side: Side,
    pub figure: Figure,
}

impl FigureRef {
    /// Lane A's figure: the lab's own lane.
    pub fn a(figure: Figure) -> Self {
        FigureRef {
            side: Side::A,
            figure,
        }
    }

    /// The value as prose shows it: the figure's own format with thousands separators, as
    /// the panes write counts (`192,587`), a ratio with two decimals.
    pub fn format(self, v: f64) -> String {
        match self.side {
            Side::Ratio => format!("{v:.2}"),
            Side::A | Side::B => thousands(&self.figure.format(v)),
        }
    }
}

/// The figures a text names in braces (`{goodput_mbps}`, `{b.goodput_mbps}`), in order,
/// with the byte range of each reference; names that are not figures are returned as
/// `Err(name)` (without its lane) so a loader can say so.
pub fn figure_refs(text: &str) -> Vec<(std::ops::Range<usize>, Result<FigureRef, String>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| from + i) {
        let rest = &text[open + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        if len > 0 && rest[len..].starts_with('}') {
            let whole = &rest[..len];
            let (side, name) = match whole.split_once('.') {
                Some(("b", n)) => (Side::B, n),
                Some(("ratio", n)) => (Side::Ratio, n),
                _ => (Side::A, whole),
            };
            let range = open..open + len + 2;
            let figure = name
                .parse::<Figure>()
                .map(|figure| FigureRef { side, figure })
                .map_err(|_| name.to_string());
            out.push((range, figure));
            from = open + len + 2;
        } else {
            from = open + 1;
        }
    }
    out
}

/// `text` with each `{figure}` replaced by `value(figure)` (or left as it is where that
/// gives nothing).
pub fn fill_figures(text: &str, value: impl Fn(FigureRef) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, f) in figure_refs(text) {
        out.push_str(&text[last..range.start]);
        match f.ok().and_then(&value) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&text[range.clone()]),
        }
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// `number` (as written: `-192587.5`, `yes`) with a `,` between each three digits of its
/// whole part: `-192,587.5`; what does not start with a digit, as it is.
pub fn thousands(number: &str) -> String {
    let body = number.strip_prefix('-').unwrap_or(number);
    let digits = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    if digits == 0 {
        return number.to_string();
    }
    let mut out = String::with_capacity(number.len() + digits / 3);
    if body.len() < number.len() {
        out.push('-');
    }
    for (i, c) in body[..digits].chars().enumerate() {
        if i > 0 && (digits - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(&body[digits..]);
    out
}

/// A number as the keys type it: no exponent, no more decimals than it needs.
pub fn format_number(x: f64) -> String {
    let mut s = format!("{x:.6}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}
