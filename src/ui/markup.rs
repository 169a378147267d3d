//! Lesson text on screen: paragraphs (a blank line between them), `- ` list items, inline
//! `code` and *emphasis*, word-wrapped to the pane's width; glossary terms marked where a
//! step first uses them ([`TermMarks`]).

use std::cell::RefCell;
use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::lesson::glossary::Glossary;

/// Columns `s` takes on screen (ratatui's own measure; for text of one-cell chars, the
/// usual case, its char count, without measuring each char).
fn cols(s: &str) -> usize {
    super::plain_len(s).unwrap_or_else(|| Span::raw(s).width())
}

/// The styles lesson text uses, and the glossary terms to mark in it (if any).
#[derive(Clone, Copy, Debug)]
pub struct TextStyles<'a> {
    pub text: Style,
    pub code: Style,
    pub emphasis: Style,
    pub terms: Option<&'a TermMarks<'a>>,
}

/// Glossary terms to mark in the text of one step: each term where it first appears, in
/// the order the text is rendered (the marks remember which terms they have marked).
#[derive(Debug)]
pub struct TermMarks<'a> {
    glossary: &'a Glossary,
    /// Patched over the text's own style.
    style: Style,
    marked: RefCell<Vec<bool>>,
}

impl<'a> TermMarks<'a> {
    pub fn new(glossary: &'a Glossary, style: Style) -> Self {
        TermMarks {
            glossary,
            style,
            marked: RefCell::new(vec![false; glossary.len()]),
        }
    }

    /// The byte ranges of `s` to mark: terms not marked before, each once.
    fn take(&self, s: &str) -> Vec<Range<usize>> {
        let mut marked = self.marked.borrow_mut();
        self.glossary
            .marks(s)
            .into_iter()
            .filter(|f| !std::mem::replace(&mut marked[f.term], true))
            .map(|f| f.start..f.end)
            .collect()
    }
}

/// Inline markup of one paragraph into styled pieces: `code` and *emphasis*; an unmatched
/// marker is kept as written. Glossary terms seen for the first time are marked.
pub fn inline(s: &str, st: TextStyles) -> Vec<(String, Style)> {
    let marks = st.terms.map(|t| (t.take(s), t.style));
    let mut out: Vec<(String, Style)> = Vec::new();
    // `s[r]` in `style`, the marked parts of it patched with the marks' style.
    let mut piece = |r: Range<usize>, style: Style| {
        let mut at = r.start;
        if let Some((marks, mark)) = &marks {
            for m in marks.iter().filter(|m| m.start < r.end && m.end > r.start) {
                let (a, b) = (m.start.max(r.start), m.end.min(r.end));
                if a > at {
                    out.push((s[at..a].to_string(), style));
                }
                out.push((s[a..b].to_string(), style.patch(*mark)));
                at = b;
            }
        }
        if r.end > at {
            out.push((s[at..r.end].to_string(), style));
        }
    };
    let mut pos = 0;
    while pos < s.len() {
        let rest = &s[pos..];
        let Some(i) = rest.find(['`', '*']) else {
            piece(pos..s.len(), st.text);
            break;
        };
        let marker = rest.as_bytes()[i] as char;
        let after = pos + i + 1;
        match s[after..].find(marker) {
            Some(j) if j > 0 => {
                if i > 0 {
                    piece(pos..pos + i, st.text);
                }
                let style = if marker == '`' { st.code } else { st.emphasis };
                piece(after..after + j, style);
                pos = after + j + 1;
            }
            _ => {
                piece(pos..after, st.text);
                pos = after;
            }
        }
    }
    out
}

/// A word: styled fragments with no space between them (`` `code`, `` is two), and
/// whether a space came before it.
struct Word {
    parts: Vec<(String, Style)>,
    space_before: bool,
}

impl Word {
    fn width(&self) -> usize {
        self.parts.iter().map(|(t, _)| cols(t)).sum()
    }
}

/// Split styled pieces into words: a space ends a word, even across pieces; fragments of
/// different styles with no space between them stay one word.
fn words(pieces: &[(String, Style)]) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut space = false;
    let mut in_word = false;
    for (text, style) in pieces {
        for c in text.chars() {
            if c == ' ' {
                space = true;
                in_word = false;
                continue;
            }
            if !in_word {
                out.push(Word {
                    parts: Vec::new(),
                    space_before: space && !out.is_empty(),
                });
                space = false;
                in_word = true;
            }
            let w = out.last_mut().expect("a word was just pushed");
            match w.parts.last_mut() {
                Some((t, st)) if st == style => t.push(c),
                _ => w.parts.push((c.to_string(), *style)),
            }
        }
        // A piece boundary inside a word keeps the word going (`in_word` stays).
    }
    out
}

/// Word-wrap styled pieces to `width` columns. A word longer than a line (a kernel path)
/// goes on over the next lines: nothing of the text is lost. `indent` starts every line
/// after the first (list items hang under their text).
pub fn wrap(pieces: &[(String, Style)], width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    for word in words(pieces) {
        let ww = word.width();
        let gap = usize::from(word.space_before && used > 0);
        if used > indent && used + gap + ww > width {
            lines.push(Line::from(std::mem::take(&mut cur)));
            cur.push(Span::raw(" ".repeat(indent)));
            used = indent;
        } else if gap == 1 {
            cur.push(Span::raw(" "));
            used += 1;
        }
        for (text, style) in word.parts {
            let mut rest = text.as_str();
            loop {
                let (kept, tail) = split_to_fit(rest, width.saturating_sub(used));
                if !kept.is_empty() {
                    used += cols(kept);
                    cur.push(Span::styled(kept.to_string(), style));
                }
                if tail.is_empty() {
                    break;
                }
                if kept.is_empty() && used <= indent {
                    // Not one char fits even a fresh line (a wide char, a deep indent):
                    // leave it out rather than loop.
                    let mut c = tail.chars();
                    c.next();
                    rest = c.as_str();
                    continue;
                }
                lines.push(Line::from(std::mem::take(&mut cur)));
                cur.push(Span::raw(" ".repeat(indent)));
                used = indent;
                rest = tail;
            }
        }
    }
    if !cur.is_empty() {
        lines.push(Line::from(cur));
    }
    lines
}

/// `text` split where it stops fitting in `room` columns.
fn split_to_fit(text: &str, room: usize) -> (&str, &str) {
    match super::plain_len(text) {
        // One-cell chars: a char a column, the text kept whole when it fits.
        Some(n) if n <= room => (text, ""),
        Some(_) => text.split_at(text.char_indices().nth(room).map_or(text.len(), |(i, _)| i)),
        None => {
            let mut end = 0;
            for (i, c) in text.char_indices() {
                if cols(&text[..i]) + cols(c.encode_utf8(&mut [0; 4])) > room {
                    break;
                }
                end = i + c.len_utf8();
            }
            text.split_at(end)
        }
    }
}

/// A lesson text block as lines of at most `width` columns: paragraphs separated by one
/// empty line; single line breaks inside a paragraph are spaces, except before `- ` items.
pub fn render(text: &str, width: usize, st: TextStyles) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (k, para) in text.trim().split("\n\n").enumerate() {
        if k > 0 {
            out.push(Line::raw(""));
        }
        // Join lines, but keep list items on lines of their own.
        let mut items: Vec<String> = Vec::new();
        for line in para.lines() {
            let l = line.trim();
            if l.starts_with("- ") || items.is_empty() {
                items.push(l.to_string());
            } else if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(l);
            }
        }
        for item in items {
            let (indent, body) = match item.strip_prefix("- ") {
                Some(b) => (2, format!("• {b}")),
                None => (0, item),
            };
            out.extend(wrap(&inline(&body, st), width, indent));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    fn styles() -> TextStyles<'static> {
        TextStyles {
            text: Style::new(),
            code: Style::new().add_modifier(Modifier::BOLD),
            emphasis: Style::new().add_modifier(Modifier::ITALIC),
            terms: None,
        }
    }

    /// A term is marked where it first appears, over the style it has there (code keeps
    /// its style), and not again; the text is the same with or without marks.
    #[test]
    fn a_term_is_marked_once_where_it_first_appears() {
        let g = Glossary::builtin().expect("the built-in glossary loads");
        let mark = Style::new().add_modifier(Modifier::UNDERLINED);
        let marks = TermMarks::new(&g, mark);
        let st = TextStyles {
            terms: Some(&marks),
            ..styles()
        };
        let text = "An *upcall*, then `evtchn_pending_sel`; another upcall.";
        let p = inline(text, st);
        let plain: String = inline(text, styles())
            .iter()
            .map(|x| x.0.as_str())
            .collect();
        assert_eq!(p.iter().map(|x| x.0.as_str()).collect::<String>(), plain);
        let marked: Vec<(&str, Style)> = p
            .iter()
            .filter(|x| x.1.add_modifier.contains(Modifier::UNDERLINED))
            .map(|x| (x.0.as_str(), x.1))
            .collect();
        assert_eq!(
            marked,
            [
                ("upcall", styles().emphasis.patch(mark)),
                ("evtchn_pending_sel", styles().code.patch(mark)),
            ]
        );
        // Already marked in this step: the next paragraph has no marks for them.
        assert!(
            inline("the upcall again", st)
                .iter()
                .all(|x| !x.1.add_modifier.contains(Modifier::UNDERLINED))
        );
    }

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn code_and_emphasis_are_styled_and_unmatched_markers_kept() {
        let p = inline("set `evtchn_pending` *once*, a * b", styles());
        assert_eq!(p[1].0, "evtchn_pending");
        assert_eq!(p[1].1, styles().code);
        assert_eq!(p[3].0, "once");
        assert_eq!(p[3].1, styles().emphasis);
        let all: String = p.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(all, "set evtchn_pending once, a * b");
    }

    #[test]
    fn paragraphs_wrap_and_lists_hang() {
        let t =
            "One two three four five six.\nSeven eight.\n\n- an item that wraps around\n- short";
        let glued = text(&render(
            "talk through *event channels*, press `n`.",
            40,
            styles(),
        ));
        assert_eq!(glued, vec!["talk through event channels, press n."]);
        let lines = text(&render(t, 14, styles()));
        assert_eq!(
            lines,
            vec![
                "One two three",
                "four five six.",
                "Seven eight.",
                "",
                "• an item that",
                "  wraps around",
                "• short",
            ]
        );
        for l in &lines {
            assert!(cols(l) <= 14, "{l}");
        }
    }

    /// `wrap` without its shortcut for one-cell text (the reference): every char measured,
    /// the kept text re-measured at each char.
    fn wrap_measuring_each_char(
        pieces: &[(String, Style)],
        width: usize,
        indent: usize,
    ) -> Vec<Line<'static>> {
        let cols = |s: &str| Span::raw(s).width();
        let width = width.max(8);
        let mut lines: Vec<Line<'static>> = Vec::new();
        let mut cur: Vec<Span<'static>> = Vec::new();
        let mut used = 0usize;
        for word in words(pieces) {
            let ww: usize = word.parts.iter().map(|(t, _)| cols(t)).sum();
            let gap = usize::from(word.space_before && used > 0);
            if used > indent && used + gap + ww > width {
                lines.push(Line::from(std::mem::take(&mut cur)));
                cur.push(Span::raw(" ".repeat(indent)));
                used = indent;
            } else if gap == 1 {
                cur.push(Span::raw(" "));
                used += 1;
            }
            for (text, style) in word.parts {
                let mut kept = String::new();
                for c in text.chars() {
                    let cw = cols(c.encode_utf8(&mut [0; 4]));
                    if used + cols(&kept) + cw > width {
                        if !kept.is_empty() {
                            used += cols(&kept);
                            cur.push(Span::styled(std::mem::take(&mut kept), style));
                        }
                        if used <= indent && indent + cw > width {
                            continue; // fits no line at all
                        }
                        lines.push(Line::from(std::mem::take(&mut cur)));
                        cur.push(Span::raw(" ".repeat(indent)));
                        used = indent;
                    }
                    kept.push(c);
                }
                if !kept.is_empty() {
                    used += cols(&kept);
                    cur.push(Span::styled(kept, style));
                }
            }
        }
        if !cur.is_empty() {
            lines.push(Line::from(cur));
        }
        lines
    }

    proptest::proptest! {
        /// The same lines, spans and styles as measuring every char, on words of one-cell
        /// chars, wide chars, combining marks and emoji, long and short, at any width.
        #[test]
        fn wrap_matches_measuring_each_char(
            pieces in proptest::collection::vec(
                (
                    proptest::collection::vec(
                        proptest::sample::select(vec![
                            "a", "bc", "xen_irq_lateeoi", " ", "  ", "→", "·", "界", "😀",
                            "\u{301}", "\u{fe0f}", "é", "`", "─",
                        ]),
                        0..12,
                    ),
                    proptest::bool::ANY,
                ),
                0..5,
            ),
            width in 0usize..30,
            indent in 0usize..4,
        ) {
            let st = styles();
            let pieces: Vec<(String, Style)> = pieces
                .into_iter()
                .map(|(v, code)| (v.concat(), if code { st.code } else { st.text }))
                .collect();
            proptest::prop_assert_eq!(
                wrap(&pieces, width, indent),
                wrap_measuring_each_char(&pieces, width, indent)
            );
        }
    }

    #[test]
    fn a_long_word_goes_on_over_the_next_lines_and_nothing_is_lost() {
        let path = "Documentation/ABI/testing/sysfs-devices-xenbus";
        let lines = text(&render(&format!("see {path} for them"), 20, styles()));
        assert!(lines.iter().all(|l| cols(l) <= 20), "{lines:?}");
        assert_eq!(
            lines,
            vec![
                "see",
                "Documentation/ABI/te",
                "sting/sysfs-devices-",
                "xenbus for them",
            ]
        );
        // In a list item the rest hangs under the text.
        let lines = text(&render(&format!("- {path}"), 20, styles()));
        assert_eq!(lines.concat().replace([' ', '•'], ""), path, "{lines:?}");
        assert!(lines[1..].iter().all(|l| l.starts_with("  ")), "{lines:?}");
    }
}
