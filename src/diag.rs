//! Problems in files the user wrote (lessons, scenarios), and where each is: what every
//! loader reports, printed as `path:line:col: message` (or `path: message` for the whole
//! file), in words a person can act on.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in a file, where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line and column (0 when the whole file is meant).
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Problem {
    /// A problem with the whole file (it cannot be read, it is not text, …).
    pub fn whole(path: &Path, message: impl Into<String>) -> Self {
        Problem {
            path: path.to_path_buf(),
            line: 0,
            col: 0,
            message: message.into(),
        }
    }

    /// A problem at a byte offset of the file's text.
    pub fn at(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, col) = line_col(text, offset);
        Problem {
            path: path.to_path_buf(),
            line,
            col,
            message: message.into(),
        }
    }

    /// Why `path` could not be read, where that can be said.
    pub fn unreadable(path: &Path, e: &crate::files::read::ReadError) -> Self {
        use crate::files::read::ReadError;
        match e {
            ReadError::NotText { valid_up_to, text } => Problem::at(
                path,
                text,
                *valid_up_to,
                "not UTF-8 text here (a binary file?): save it as UTF-8",
            ),
            e => Problem::whole(path, format!("cannot read: {e}")),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        let message = printable(&self.message);
        if self.line == 0 {
            write!(f, "{path}: {message}")
        } else {
            write!(f, "{path}:{}:{}: {message}", self.line, self.col)
        }
    }
}

/// Where a byte offset of `text` is: 1-based line and column (in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Characters that must not reach a terminal from a user's file: control characters other
/// than newline and tab (an escape sequence could clear the screen or set the title) and
/// the bidirectional overrides and isolates (they make text read differently from what it
/// is).
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// The first unsafe character of `s` ([`is_unsafe_char`]): its byte offset and a name.
pub fn first_unsafe(s: &str) -> Option<(usize, String)> {
    s.char_indices()
        .find(|&(_, c)| is_unsafe_char(c))
        .map(|(i, c)| (i, format!("U+{:04X}", c as u32)))
}

/// `s` with every unsafe character shown as its code (`<U+001B>`): what is printed of a
/// user's text that was not checked, such as a message quoting a bad value.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if is_unsafe_char(c) {
                format!("<U+{:04X}>", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// A TOML/serde message in a file author's words: Rust's type names (`u32`, `i128`, …)
/// become the numbers they allow.
pub fn plain(message: &str) -> String {
    let mut m = message.trim_end().to_string();
    // "integer `-1`" / "integer `99…9` as i128": the value, without Rust's type.
    for suffix in [" as i128", " as u128"] {
        m = m.replace(&format!("`{suffix}"), "`");
        m = m.replace(suffix, "");
    }
    for (rust, words) in [
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        (
            "expected u64",
            "expected a whole number from 0 to 18446744073709551615",
        ),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i64", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ] {
        m = m.replace(rust, words);
    }
    m
}

/// Edit distance between `a` and `b`: insertions, deletions, substitutions and swaps of
/// two neighbours (`hnits` is one swap from `hints`), in chars.
pub fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1)
                    .min(d[i * w + j - 1] + 1)
                    .min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                v
            };
        }
    }
    d[a.len() * w + b.len()]
}

/// The name of `names` closest to `got`, if it is close enough to be a slip (a few
/// letters off, or `got` a part of it: `goodput` for `goodput_mbps`).
pub fn closest<'a>(got: &str, names: &[&'a str]) -> Option<&'a str> {
    let got_l = got.to_lowercase();
    let allowed = (got.chars().count() / 3).max(1);
    names
        .iter()
        .map(|&n| (distance(&got_l, &n.to_lowercase()), n))
        .filter(|&(d, n)| d <= allowed || (got.len() >= 4 && n.contains(got_l.as_str())))
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

/// What to say of an unknown name: a "did you mean" when one is close, else a short list
/// (the first few names, and where the rest are).
pub fn unknown(what: &str, got: &str, names: &[&str], all_in: &str) -> String {
    let got_p = printable(got);
    match closest(got, names) {
        Some(n) => format!("unknown {what} '{got_p}': did you mean '{n}'?"),
        None if names.len() <= 10 => {
            format!(
                "unknown {what} '{got_p}': expected one of {}",
                names.join(", ")
            )
        }
        None => format!(
            "unknown {what} '{got_p}': expected one of {}, … ({} in all: {all_in})",
            names[..6].join(", "),
            names.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_gets_a_did_you_mean_and_a_long_list_is_cut() {
        assert_eq!(distance("hnits", "hints"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            closest("hnits", &["hints", "explain", "title"]),
            Some("hints")
        );
        assert_eq!(closest("explian", &["hints", "explain"]), Some("explain"));
        assert_eq!(
            closest("goodput", &["goodput_mbps", "upcalls"]),
            Some("goodput_mbps")
        );
        assert_eq!(closest("zzz", &["hints", "explain"]), None);
        let many: Vec<String> = (0..30).map(|i| format!("figure_{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let m = unknown("figure", "qqqq", &many, "the README's figures table");
        assert!(m.len() < 150 && m.contains("30 in all"), "{m}");
        assert_eq!(
            unknown("figure", "figure_3x", &many, ""),
            "unknown figure 'figure_3x': did you mean 'figure_3'?"
        );
    }

    #[test]
    fn rust_type_names_become_the_numbers_they_allow() {
        assert_eq!(
            plain("invalid value: integer `-1`, expected u32\n"),
            "invalid value: integer `-1`, expected a whole number from 0 to 4294967295"
        );
        assert_eq!(
            plain("invalid type: integer `99999999999999999999` as i128, expected u64"),
            "invalid type: integer `99999999999999999999`, expected a whole number from 0 \
             to 18446744073709551615"
        );
        assert_eq!(
            plain("invalid type: integer `3`, expected a boolean"),
            "invalid type: integer `3`, expected true or false"
        );
    }

    #[test]
    fn escape_sequences_and_bidi_overrides_are_never_printed_raw() {
        assert_eq!(first_unsafe("ok\n\ttext"), None);
        assert_eq!(first_unsafe("a\x1b[2J"), Some((1, "U+001B".to_string())));
        assert_eq!(
            first_unsafe("id\u{202E}txt").map(|(i, _)| i),
            Some(2),
            "a right-to-left override"
        );
        assert_eq!(
            printable("a\x1b]0;title\x07b"),
            "a<U+001B>]0;title<U+0007>b"
        );
        let p = Problem::whole(Path::new("x.toml"), "bad \x1b[2J");
        assert_eq!(p.to_string(), "x.toml: bad <U+001B>[2J");
    }
}
