//! Lines that keep their point in the room they get: wrapped under a lead (a time stamp, a
//! stage's name) where rows allow, or shortened in the middle where they do not, so that
//! the words that start the line (who did what) and the outcome after its last `→` stay.
//!
//! ```text
//!  2.996531s port 5: mask_ack_dynirq: acked → pending cleared, masked    ← hang: the rest
//!            (EOI_PENDING) [a reason's name since 25da4618af24]             under its words
//!  2.996531s port 5: late EOI, SPURIOUS:… → PAUSE 1 jiffy                ← elide: one row
//! ```

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::markup;

/// The least room for the words after a lead: below it a line is not wrapped (it would be
/// a column of short pieces) but shortened.
pub const MIN_BODY: usize = 16;

/// `lead` then `body` word-wrapped to `width` columns, every row after the first starting
/// under the body's first word. One row when it fits (or when the room after the lead is
/// under [`MIN_BODY`]: then the caller shortens it).
pub fn hang<'a>(lead: Vec<Span<'a>>, body: &[(String, Style)], width: usize) -> Vec<Line<'a>> {
    let lead_w: usize = lead.iter().map(Span::width).sum();
    let body_w: usize = body
        .iter()
        .map(|(t, _)| Span::raw(t.as_str()).width())
        .sum();
    let room = width.saturating_sub(lead_w);
    if lead_w + body_w <= width || room < MIN_BODY {
        let mut spans = lead;
        spans.extend(body.iter().map(|(t, s)| Span::styled(t.clone(), *s)));
        return vec![Line::from(spans)];
    }
    let mut first = Some(lead);
    markup::wrap(body, room, 0)
        .into_iter()
        .map(|l| {
            let mut spans = first
                .take()
                .unwrap_or_else(|| vec![Span::raw(" ".repeat(lead_w))]);
            spans.extend(l.spans);
            Line::from(spans)
        })
        .collect()
}

/// `text` in at most `width` columns: whole when it fits; else its start and its outcome
/// (from its last ` → `) with `…` between, the start cut after a word where it can be;
/// with less room, the outcome's last clause or last word (the value); with none, its
/// start and `…`. Told to
/// [`super::record_cuts`] when shortened.
pub fn elide(text: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return text.to_string();
    }
    let shown = shorten(text, &chars, width);
    if super::recording() {
        super::cut(text.to_string(), shown.clone(), width);
    }
    shown
}

fn shorten(text: &str, chars: &[char], width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    // The start keeps at least this much (who did what) while the tail can shrink.
    const LEAST_START: usize = 12;
    let first_word = text.split(' ').next().map_or(0, |w| w.chars().count());
    // The outcome, from its last ` → `; else its last clause; else its last word (the
    // value): the longest that fits beside the start.
    // Only a line with an outcome has one to shorten to.
    let arrow = text.rfind(" → ").map(|i| i + 1);
    let clause = [": ", ", "]
        .iter()
        .filter_map(|sep| text.rfind(sep).map(|i| i + sep.len()))
        .max()
        .filter(|&c| arrow.is_some_and(|a| c > a));
    let word = arrow.and(text.rfind(' ').map(|i| i + 1));
    let tries = [
        (LEAST_START, arrow),
        (LEAST_START, clause),
        (first_word, arrow),
        (first_word, clause),
        (LEAST_START, word),
        (first_word, word),
    ];
    for (least, tail) in tries.into_iter().filter_map(|(l, t)| Some((l, t?))) {
        let out: Vec<char> = text[tail..].chars().collect();
        if out.len() + 2 + least <= width {
            let room = width - out.len() - 2;
            let start = word_cut(&chars[..chars.len() - out.len()], room);
            return format!("{start}… {}", out.iter().collect::<String>());
        }
    }
    format!("{}…", word_cut(chars, width - 1))
}

/// The first `room` chars of `chars`, ending after a word (at a space, trailing spaces and
/// separators left out) when that keeps at least half of them.
fn word_cut(chars: &[char], room: usize) -> String {
    let room = room.min(chars.len());
    let cut: &[char] = &chars[..room];
    let at_word = chars.get(room).is_none_or(|c| *c == ' ');
    let end = if at_word {
        room
    } else {
        match cut.iter().rposition(|c| *c == ' ') {
            Some(i) if i * 2 >= room => i,
            _ => room,
        }
    };
    let s: String = cut[..end].iter().collect();
    s.trim_end_matches([' ', ',', ';', ':']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_stays_and_the_start_keeps_whole_words() {
        let t = "port 5: late EOI, SPURIOUS: spurious_cnt 2 → PAUSE 1 jiffy";
        assert_eq!(elide(t, 80), t);
        let s = elide(t, 40);
        assert_eq!(s, "port 5: late EOI… → PAUSE 1 jiffy");
        let s = elide(t, 46);
        assert_eq!(s, "port 5: late EOI, SPURIOUS… → PAUSE 1 jiffy");
        // Little room: the outcome's last clause, else its last word.
        assert_eq!(
            elide("rogue → already pending: coalesced", 27),
            "rogue → already… coalesced"
        );
        let s = elide(t, 20);
        assert!(s.chars().count() <= 20, "{s}");
        assert!(s.starts_with("port") && s.ends_with("jiffy"), "{s}");
        assert_eq!(
            elide("port 5: upcall handles the event", 20),
            "port 5: upcall…"
        );
    }

    #[test]
    fn a_long_line_hangs_under_its_words() {
        let lead = vec![Span::raw(" 1.000000s ")];
        let body = [(
            "port 5: a b c d e f g h i j k l m n o p".to_string(),
            Style::new(),
        )];
        let lines = hang(lead.clone(), &body, 30);
        assert!(lines.len() > 1);
        for l in &lines[1..] {
            assert!(l.to_string().starts_with(&" ".repeat(11)), "{l}");
        }
        assert!(lines.iter().all(|l| l.width() <= 30));
        assert_eq!(hang(lead, &body, 80).len(), 1);
    }
}
