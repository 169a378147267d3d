//! The glossary: the terms the lessons use, each with a definition in plain words, the forms
//! it takes in text (its aliases) and where to read more. `lessons/glossary.toml` is built
//! in; a lesson directory may carry a `glossary.toml` of its own, whose terms are added
//! (one with a built-in term's name replaces it). Problems in either file are reported as
//! `path:line:col: message`, like a lesson's.
//!
//! ```toml
//! [[term]]
//! name = "EOI"                 # how the glossary lists it, and what `defines` names
//! aliases = ["EOI", "EOIs"]    # the forms it takes in text, matched whole-word
//! definition = "End of interrupt: …"
//! lab = "What the lab does differently (optional)."
//! read = ["drivers/xen/events/events_base.c: xen_irq_lateeoi"]
//! ```
//!
//! A lesson says which terms it introduces with `defines = ["EOI"]`. [`undefined_terms`]
//! (run by `lessons check`) finds a term a lesson uses, in its text, hints, questions,
//! choices or explanations, before it or a lesson it requires (transitively) defines it.
//!
//! Matching: an alias matches as a whole word (letters, digits and `_` make words), case and
//! all, except that one starting with a small letter also matches with a capital (a
//! sentence's first word); a space in an alias matches any run of spaces and line breaks.
//! Words inside `` `code` `` that holds a path (a `/`) never match: a file name is not a
//! use of a term.

mod file;
mod uses;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

pub use uses::{LessonTerms, scan, undefined_terms};

use super::Problem;

/// The one file name in a lesson directory that is the glossary, not a lesson.
pub const FILE_NAME: &str = "glossary.toml";

/// The most terms one glossary file may hold.
pub const MAX_TERMS: usize = 1000;

/// One term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub name: String,
    /// The forms it takes in text (`EOI`, `EOIs`).
    pub aliases: Vec<String>,
    /// Two or three sentences, one paragraph; `code` and *emphasis* render.
    pub definition: String,
    /// Where the lab simplifies, what it does instead.
    pub lab: Option<String>,
    /// Where to read more: `file: function`.
    pub read: Vec<String>,
}

/// One alias, ready to match.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Form {
    text: String,
    term: usize,
    /// It starts with a small letter, so it matches with a capital too.
    capital_too: bool,
}

/// Every term, in alphabetical order, and an index of their aliases by first letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glossary {
    terms: Vec<Term>,
    forms: Vec<Form>,
    /// Forms by their first char, lower-cased (ASCII), longest first.
    by_first: BTreeMap<char, Vec<usize>>,
}

/// A term found in a text: which one, and the bytes it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// Index into [`Glossary::terms`].
    pub term: usize,
    pub start: usize,
    pub end: usize,
}

impl Default for Glossary {
    /// The built-in glossary (what a catalogue without one of its own has); empty only if
    /// the built-in file is broken, which its tests rule out.
    fn default() -> Self {
        Glossary::builtin().unwrap_or_else(|_| Glossary::new(Vec::new()))
    }
}

impl Glossary {
    fn new(mut terms: Vec<Term>) -> Self {
        terms.sort_by_cached_key(|t| (t.name.to_lowercase(), t.name.clone()));
        let mut forms = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            for a in &t.aliases {
                forms.push(Form {
                    text: a.clone(),
                    term: i,
                    capital_too: a.starts_with(|c: char| c.is_ascii_lowercase()),
                });
            }
        }
        let mut by_first: BTreeMap<char, Vec<usize>> = BTreeMap::new();
        for (k, f) in forms.iter().enumerate() {
            let c = f.text.chars().next().unwrap_or(' ').to_ascii_lowercase();
            by_first.entry(c).or_default().push(k);
        }
        for v in by_first.values_mut() {
            v.sort_by_key(|&k| std::cmp::Reverse(forms[k].text.len()));
        }
        Glossary {
            terms,
            forms,
            by_first,
        }
    }

    /// The built-in glossary (`lessons/glossary.toml`, embedded at build time).
    pub fn builtin() -> Result<Glossary, Vec<Problem>> {
        static BUILTIN: OnceLock<Result<Glossary, Vec<Problem>>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let (path, text) = super::builtin::BUILTIN_GLOSSARY;
                Glossary::load(&[(Path::new(path), text)])
            })
            .clone()
    }

    /// The built-in glossary with a lesson directory's own added (`extra`: its path and
    /// text): a term of the same name replaces the built-in one.
    pub fn with_extra(extra: Option<(&Path, &str)>) -> Result<Glossary, Vec<Problem>> {
        let Some(extra) = extra else {
            return Glossary::builtin();
        };
        let (path, text) = super::builtin::BUILTIN_GLOSSARY;
        Glossary::load(&[(Path::new(path), text), extra])
    }

    /// Every term, in alphabetical order.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// A term by its name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.terms.iter().position(|t| t.name == name)
    }

    /// The term that has `alias` among its forms.
    fn term_with_alias(&self, alias: &str) -> Option<usize> {
        self.forms.iter().find(|f| f.text == alias).map(|f| f.term)
    }

    /// Every use of a term in `text`, in order (a term inside a longer one's form counts
    /// too: "late EOI" is a use of "late EOI" and of "EOI").
    pub fn uses(&self, text: &str) -> Vec<Found> {
        let mut out = Vec::new();
        self.scan(text, |found| {
            out.extend_from_slice(found);
            None
        });
        out
    }

    /// The terms of `text` as they read: at each place the longest form only, no two
    /// overlapping (what the lesson text marks).
    pub fn marks(&self, text: &str) -> Vec<Found> {
        let mut out = Vec::new();
        self.scan(text, |found| {
            let longest = found.iter().max_by_key(|f| f.end)?;
            out.push(*longest);
            Some(longest.end)
        });
        out
    }

    /// Call `at` with the forms that match at each start of a word of `text` (outside code
    /// that holds a path); it may return where to go on from.
    fn scan(&self, text: &str, mut at: impl FnMut(&[Found]) -> Option<usize>) {
        let skip = path_code(text);
        let mut found = Vec::new();
        let mut from = 0;
        let mut prev_word = false;
        for (i, c) in text.char_indices() {
            let word = is_word(c);
            let starts = word && !prev_word;
            prev_word = word;
            if !starts || i < from || skip.iter().any(|r| r.contains(&i)) {
                continue;
            }
            let Some(forms) = self.by_first.get(&c.to_ascii_lowercase()) else {
                continue;
            };
            found.clear();
            for &k in forms {
                let f = &self.forms[k];
                if let Some(end) = match_form(text, i, f)
                    && !found.iter().any(|x: &Found| x.term == f.term)
                {
                    found.push(Found {
                        term: f.term,
                        start: i,
                        end,
                    });
                }
            }
            if !found.is_empty()
                && let Some(next) = at(&found)
            {
                from = next;
            }
        }
    }

    /// The terms used in `texts`, each once, in alphabetical order.
    pub fn terms_in<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        let mut seen = vec![false; self.terms.len()];
        for t in texts {
            for f in self.uses(t) {
                seen[f.term] = true;
            }
        }
        (0..seen.len()).filter(|&i| seen[i]).collect()
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The byte ranges of `` `code` `` in `text` that hold a path (a `/`).
fn path_code(text: &str) -> Vec<std::ops::Range<usize>> {
    let ticks: Vec<usize> = text.match_indices('`').map(|(i, _)| i).collect();
    ticks
        .chunks_exact(2)
        .filter(|p| text[p[0]..p[1]].contains('/'))
        .map(|p| p[0]..p[1])
        .collect()
}

/// Where `form` ends if it matches `text` at byte `at` as a whole word.
fn match_form(text: &str, at: usize, form: &Form) -> Option<usize> {
    let mut t = text[at..].char_indices().peekable();
    for (k, a) in form.text.chars().enumerate() {
        if a == ' ' {
            let mut any = false;
            while t.next_if(|(_, c)| c.is_whitespace()).is_some() {
                any = true;
            }
            if !any {
                return None;
            }
            continue;
        }
        let (_, c) = t.next()?;
        if c != a && !(k == 0 && form.capital_too && c == a.to_ascii_uppercase()) {
            return None;
        }
    }
    match t.peek() {
        Some(&(_, c)) if is_word(c) => None,
        Some(&(i, _)) => Some(at + i),
        None => Some(text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::uses::{distance, unknown_term};
    use super::*;

    fn tiny() -> Glossary {
        let text = r#"
[[term]]
name = "EOI"
aliases = ["EOI", "EOIs"]
definition = "End of interrupt."
read = ["a.c: f"]

[[term]]
name = "late EOI"
aliases = ["late EOI", "late-EOI"]
definition = "An EOI sent late."
read = ["a.c: g"]

[[term]]
name = "mask"
aliases = ["mask", "masked", "unmask"]
definition = "Hold a port."
read = ["b.c: h"]
"#;
        Glossary::load(&[(Path::new("g.toml"), text)]).unwrap()
    }

    fn names(g: &Glossary, found: &[Found], text: &str) -> Vec<(String, String)> {
        found
            .iter()
            .map(|f| {
                (
                    g.terms[f.term].name.clone(),
                    text[f.start..f.end].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn aliases_match_whole_words_with_a_capital_at_a_sentence_start() {
        let g = tiny();
        let text = "Masked ports, an EOI'd port; a late\n  EOI. No EOI_PENDING, \
                    unmasked, remask, `drivers/mask.c` but `mask`.";
        assert_eq!(
            names(&g, &g.uses(text), text),
            [
                ("mask", "Masked"),
                ("EOI", "EOI"),
                ("late EOI", "late\n  EOI"),
                ("EOI", "EOI"),
                ("mask", "mask"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        // Marks: the longest form at each place, none inside another.
        assert_eq!(
            names(&g, &g.marks(text), text)
                .into_iter()
                .map(|(n, _)| n)
                .collect::<Vec<_>>(),
            ["mask", "EOI", "late EOI", "mask"]
        );
        // Case counts otherwise: "eoi" is not the acronym.
        assert!(g.uses("an eoi").is_empty());
    }

    #[test]
    fn a_broken_glossary_says_where() {
        let text = "[[term]]\nname = \"X\"\naliases = [\" x\"]\ndefinition = \"\"\nread = []\n";
        let p = Glossary::load(&[(Path::new("g.toml"), text)]).unwrap_err();
        let lines: Vec<String> = p.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            lines,
            [
                "g.toml:4:14: term 'X': definition is empty",
                "g.toml:3:12: term 'X': alias ' x': it must start and end with a letter, a \
                 digit or _ (ASCII)",
                "g.toml:5:8: term 'X': read is empty: say where to read more, like \
                 [\"drivers/xen/events/events_base.c: xen_irq_lateeoi\"]",
            ]
        );
        let two = "[[term]]\nname = \"A\"\naliases = [\"a\"]\ndefinition = \"d\"\nread = [\"r\"]\n\
                   [[term]]\nname = \"B\"\naliases = [\"a\"]\ndefinition = \"d\"\nread = [\"r\"]\n";
        let p = Glossary::load(&[(Path::new("g.toml"), two)]).unwrap_err();
        assert_eq!(
            p[0].to_string(),
            "g.toml:8:12: term 'B': the alias 'a' belongs to 'A' already: an alias names one term"
        );
    }

    #[test]
    fn a_later_file_adds_terms_and_replaces_one_of_the_same_name() {
        let base =
            "[[term]]\nname = \"A\"\naliases = [\"a\"]\ndefinition = \"old\"\nread = [\"r\"]\n";
        let more = "[[term]]\nname = \"A\"\naliases = [\"a\", \"aa\"]\ndefinition = \"new\"\nread = [\"r\"]\n\
                    [[term]]\nname = \"B\"\naliases = [\"b\"]\ndefinition = \"d\"\nread = [\"r\"]\n";
        let g =
            Glossary::load(&[(Path::new("1.toml"), base), (Path::new("2.toml"), more)]).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g.terms()[0].definition, "new");
    }

    #[test]
    fn an_unknown_name_suggests_the_close_one() {
        let g = tiny();
        assert!(unknown_term(&g, "EIO").contains("did you mean 'EOI'?"));
        assert!(unknown_term(&g, "EOIs").contains("a form of the glossary term 'EOI'"));
        assert!(unknown_term(&g, "throttle").contains("no such glossary term ("));
        assert_eq!(distance("upcal", "upcall"), 1);
    }
}
