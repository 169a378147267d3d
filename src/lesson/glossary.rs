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

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;
use toml::Spanned;

use super::{Catalog, Lesson, Problem, line_col};
use crate::diag::{first_unsafe, plain};

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
                let (path, text) = super::catalog::BUILTIN_GLOSSARY;
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
        let (path, text) = super::catalog::BUILTIN_GLOSSARY;
        Glossary::load(&[(Path::new(path), text), extra])
    }

    /// Glossary files, later ones adding terms to (or replacing terms of) earlier ones.
    fn load(files: &[(&Path, &str)]) -> Result<Glossary, Vec<Problem>> {
        let mut problems = Vec::new();
        // (term, file index, where its name and aliases are)
        let mut entries: Vec<(Term, usize, Spots)> = Vec::new();
        for (f, (path, text)) in files.iter().enumerate() {
            let mut cx = Cx {
                path,
                text,
                problems: &mut problems,
            };
            for (term, spots) in parse(&mut cx) {
                match entries.iter().position(|(t, _, _)| t.name == term.name) {
                    Some(k) if entries[k].1 == f => {
                        let (line, _) = entries[k].2.name;
                        cx.at(
                            spots.name,
                            format!(
                                "term '{}' is in this file twice (line {line} too): one entry a term",
                                term.name
                            ),
                        );
                    }
                    // A later file's term replaces an earlier file's.
                    Some(k) => entries[k] = (term, f, spots),
                    None => entries.push((term, f, spots)),
                }
            }
        }
        // An alias names one term.
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        for (term, f, spots) in &entries {
            for (a, at) in term.aliases.iter().zip(&spots.aliases) {
                match owner.get(a.as_str()) {
                    Some(other) if *other != term.name => {
                        let (path, text) = files[*f];
                        Cx {
                            path,
                            text,
                            problems: &mut problems,
                        }
                        .at(
                            *at,
                            format!(
                                "term '{}': the alias '{a}' belongs to '{other}' already: an \
                                 alias names one term",
                                term.name
                            ),
                        );
                    }
                    _ => {
                        owner.insert(a, &term.name);
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(Glossary::new(
                entries.into_iter().map(|(t, _, _)| t).collect(),
            ))
        } else {
            Err(problems)
        }
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

/// Where a term's name and aliases are in its file (line, col).
struct Spots {
    name: (usize, usize),
    aliases: Vec<(usize, usize)>,
}

struct Cx<'a, 'p> {
    path: &'a Path,
    text: &'a str,
    problems: &'p mut Vec<Problem>,
}

impl Cx<'_, '_> {
    fn at(&mut self, (line, col): (usize, usize), message: impl Into<String>) {
        self.problems.push(Problem {
            path: self.path.to_path_buf(),
            line,
            col,
            message: message.into(),
        });
    }

    fn pos(&self, offset: usize) -> (usize, usize) {
        line_col(self.text, offset)
    }

    /// A problem when `s` is empty or holds a character that must not reach a terminal.
    fn text_ok(&mut self, s: &Spanned<String>, what: &str) -> bool {
        let at = self.pos(s.span().start);
        if s.get_ref().trim().is_empty() {
            self.at(at, format!("{what} is empty"));
            return false;
        }
        if let Some((_, name)) = first_unsafe(s.get_ref()) {
            self.at(
                at,
                format!(
                    "{what} holds the character {name} (a control character or a \
                     bidirectional override): remove it"
                ),
            );
            return false;
        }
        true
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlossary {
    #[serde(default, rename = "term")]
    terms: Vec<Spanned<RawTerm>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    name: Spanned<String>,
    aliases: Spanned<Vec<Spanned<String>>>,
    definition: Spanned<String>,
    lab: Option<Spanned<String>>,
    read: Spanned<Vec<Spanned<String>>>,
}

/// One glossary file's terms, each checked on its own.
fn parse(cx: &mut Cx) -> Vec<(Term, Spots)> {
    let raw: RawGlossary = match toml::from_str(cx.text) {
        Ok(r) => r,
        Err(e) => {
            let at = cx.pos(e.span().map_or(0, |s| s.start));
            cx.at(at, plain(e.message()));
            return Vec::new();
        }
    };
    if raw.terms.is_empty() {
        cx.at(
            (1, 1),
            "no [[term]] in the glossary: add one (name, aliases, definition, read)",
        );
    }
    if raw.terms.len() > MAX_TERMS {
        let at = cx.pos(raw.terms[MAX_TERMS].span().start);
        cx.at(
            at,
            format!("more than {MAX_TERMS} terms: a glossary has at most {MAX_TERMS}"),
        );
        return Vec::new();
    }
    raw.terms
        .into_iter()
        .filter_map(|t| term(cx, t.into_inner()))
        .collect()
}

fn term(cx: &mut Cx, t: RawTerm) -> Option<(Term, Spots)> {
    let before = cx.problems.len();
    let name = t.name.get_ref().clone();
    let name_at = cx.pos(t.name.span().start);
    if cx.text_ok(&t.name, "a term's name") && name.trim() != name {
        cx.at(name_at, format!("term '{name}': no spaces around the name"));
    }
    cx.text_ok(&t.definition, &format!("term '{name}': definition"));
    if let Some(lab) = &t.lab {
        cx.text_ok(lab, &format!("term '{name}': lab"));
    }
    if t.aliases.get_ref().is_empty() {
        let at = cx.pos(t.aliases.span().start);
        cx.at(
            at,
            format!(
                "term '{name}': aliases is empty: list the forms it takes in lesson text, \
                 like [\"EOI\", \"EOIs\"]"
            ),
        );
    }
    for a in t.aliases.get_ref() {
        if let Some(why) = alias_problem(a.get_ref()) {
            let at = cx.pos(a.span().start);
            cx.at(at, format!("term '{name}': alias '{}': {why}", a.get_ref()));
        }
    }
    if t.read.get_ref().is_empty() {
        let at = cx.pos(t.read.span().start);
        cx.at(
            at,
            format!(
                "term '{name}': read is empty: say where to read more, like \
                 [\"drivers/xen/events/events_base.c: xen_irq_lateeoi\"]"
            ),
        );
    }
    for r in t.read.get_ref() {
        cx.text_ok(r, &format!("term '{name}': read"));
    }
    if cx.problems.len() > before {
        return None;
    }
    // One paragraph: the file's line breaks are spaces.
    let text = |s: &Spanned<String>| s.get_ref().split_whitespace().collect::<Vec<_>>().join(" ");
    let spots = Spots {
        name: name_at,
        aliases: t
            .aliases
            .get_ref()
            .iter()
            .map(|a| cx.pos(a.span().start))
            .collect(),
    };
    Some((
        Term {
            name,
            aliases: t
                .aliases
                .get_ref()
                .iter()
                .map(|a| a.get_ref().clone())
                .collect(),
            definition: text(&t.definition),
            lab: t.lab.as_ref().map(text),
            read: t.read.get_ref().iter().map(text).collect(),
        },
        spots,
    ))
}

/// Why `a` cannot be an alias: it must start and end with an ASCII letter, digit or `_`
/// (so that "whole word" means something), with single spaces between words and no
/// markup or control characters.
fn alias_problem(a: &str) -> Option<&'static str> {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if !edge(a.chars().next()) || !edge(a.chars().last()) {
        return Some("it must start and end with a letter, a digit or _ (ASCII)");
    }
    if a.contains("  ") || a.chars().any(|c| c.is_whitespace() && c != ' ') {
        return Some("words are separated by one space");
    }
    if a.contains(['`', '*']) || first_unsafe(a).is_some() {
        return Some("no ` or * (markup) and no control characters");
    }
    None
}

/// What a lesson file says of the glossary, and where: the first use of each term and each
/// `defines` entry (found at load, where the file's text is at hand).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LessonTerms {
    /// The first use of each term (an index into [`Glossary::terms`]) in the lesson's text,
    /// hints, questions, choices and explanations, with its (line, col), in file order.
    pub uses: Vec<(usize, (usize, usize))>,
    /// Where each `defines` entry is (line, col), in order.
    pub defines_at: Vec<(usize, usize)>,
}

#[derive(Deserialize)]
struct SpannedLesson {
    #[serde(default)]
    defines: Vec<Spanned<String>>,
    #[serde(default, rename = "step")]
    steps: Vec<SpannedStep>,
}

#[derive(Deserialize)]
struct SpannedStep {
    text: Option<Spanned<String>>,
    #[serde(default)]
    hints: Vec<Spanned<String>>,
    question: Option<Spanned<String>>,
    #[serde(default)]
    choices: Vec<Spanned<String>>,
    explain: Option<Spanned<String>>,
}

/// Where `lesson` (loaded from `text`) uses and defines terms; a `defines` entry that names
/// no term is a problem (with the name meant, when one is close).
pub fn scan(glossary: &Glossary, lesson: &Lesson, text: &str) -> (LessonTerms, Vec<Problem>) {
    let mut problems = Vec::new();
    // The file loaded already: this second reading only adds where things are.
    let Ok(raw) = toml::from_str::<SpannedLesson>(text) else {
        return (LessonTerms::default(), problems);
    };
    let mut first: BTreeMap<usize, usize> = BTreeMap::new();
    let fields = raw.steps.iter().flat_map(|s| {
        s.text
            .iter()
            .chain(&s.hints)
            .chain(&s.question)
            .chain(&s.choices)
            .chain(&s.explain)
    });
    for field in fields {
        // Which terms the value uses; where, in the file's own text of it (escapes and
        // line continuations can make the two differ: then the field's start).
        let span = field.span();
        let raw_text = text.get(span.clone()).unwrap_or("");
        let raw_uses = glossary.uses(raw_text);
        for f in glossary.uses(field.get_ref()) {
            let at = raw_uses
                .iter()
                .find(|r| r.term == f.term)
                .map_or(span.start, |r| span.start + r.start);
            let e = first.entry(f.term).or_insert(at);
            *e = (*e).min(at);
        }
    }
    let mut uses: Vec<(usize, usize)> = first.into_iter().collect();
    uses.sort_by_key(|&(_, at)| at);
    let defines_at: Vec<(usize, usize)> = raw
        .defines
        .iter()
        .map(|d| line_col(text, d.span().start))
        .collect();
    for (name, &(line, col)) in lesson.defines.iter().zip(&defines_at) {
        if glossary.index_of(name).is_none() {
            problems.push(Problem {
                path: lesson.path.clone(),
                line,
                col,
                message: unknown_term(glossary, name),
            });
        }
    }
    let uses = uses
        .into_iter()
        .map(|(term, at)| (term, line_col(text, at)))
        .collect();
    (LessonTerms { uses, defines_at }, problems)
}

/// Why `name` is not a term, and the name meant if one is close.
fn unknown_term(glossary: &Glossary, name: &str) -> String {
    if let Some(t) = glossary.term_with_alias(name) {
        let term = &glossary.terms[t].name;
        return format!(
            "defines '{name}': that is a form of the glossary term '{term}'; defines names \
             terms: write \"{term}\""
        );
    }
    let lower = name.to_lowercase();
    let mut close: Vec<(usize, &str)> = glossary
        .terms
        .iter()
        .map(|t| (distance(&lower, &t.name.to_lowercase()), t.name.as_str()))
        .filter(|&(d, t)| d <= 2.max(t.chars().count() / 4))
        .collect();
    close.sort();
    match close.first() {
        Some((_, t)) => format!("defines '{name}': no such glossary term; did you mean '{t}'?"),
        None => format!(
            "defines '{name}': no such glossary term (the terms are in lessons/{FILE_NAME}; \
             a lesson directory may add its own in a {FILE_NAME} beside its lessons)"
        ),
    }
}

/// Levenshtein distance between two short strings, in chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// What `lessons check` finds wrong with the catalogue's terms, each at its place: a term a
/// lesson uses before it or a lesson it requires (transitively) defines it (at the first
/// use), a term a lesson defines that a lesson it requires defines already, and a term a
/// lesson defines but never uses.
pub fn undefined_terms(cat: &Catalog) -> Vec<Problem> {
    let g = &cat.glossary;
    let mut out = Vec::new();
    let own =
        |l: &Lesson| -> Vec<usize> { l.defines.iter().filter_map(|d| g.index_of(d)).collect() };
    for (i, lesson) in cat.lessons.iter().enumerate() {
        let Some(terms) = cat.term_uses.get(i) else {
            continue;
        };
        let at = |(line, col): (usize, usize), message: String| Problem {
            path: lesson.path.clone(),
            line,
            col,
            message,
        };
        // Every term a required lesson defines, with the (first) lesson that does.
        let mut before: BTreeMap<usize, &str> = BTreeMap::new();
        for j in required(cat, i) {
            for t in own(&cat.lessons[j]) {
                before.entry(t).or_insert(&cat.lessons[j].id);
            }
        }
        let mine = own(lesson);
        for &(t, pos) in &terms.uses {
            if mine.contains(&t) || before.contains_key(&t) {
                continue;
            }
            let name = &g.terms[t].name;
            let elsewhere = cat
                .lessons
                .iter()
                .find(|l| l.id != lesson.id && own(l).contains(&t))
                .map_or(String::new(), |l| {
                    format!(", or require {} (it defines it)", l.id)
                });
            out.push(at(
                pos,
                format!(
                    "uses the glossary term '{name}', which neither this lesson nor one it \
                     requires defines: add \"{name}\" to this lesson's defines{elsewhere}"
                ),
            ));
        }
        for (k, name) in lesson.defines.iter().enumerate() {
            let Some(t) = g.index_of(name) else {
                continue;
            };
            let pos = terms.defines_at.get(k).copied().unwrap_or((1, 1));
            if let Some(by) = before.get(&t) {
                out.push(at(
                    pos,
                    format!(
                        "defines '{name}', which {by} (required) defines already: remove it here"
                    ),
                ));
            } else if !terms.uses.iter().any(|&(u, _)| u == t) {
                out.push(at(
                    pos,
                    format!(
                        "defines '{name}' but never uses it (in its text, hints, questions, \
                         choices or explanations): remove it, or use the term"
                    ),
                ));
            }
        }
    }
    out
}

/// The lessons lesson `i` requires, directly or through others (ids that exist).
fn required(cat: &Catalog, i: usize) -> Vec<usize> {
    let mut seen = vec![false; cat.lessons.len()];
    let mut todo = vec![i];
    while let Some(k) = todo.pop() {
        for r in &cat.lessons[k].requires {
            if let Some((j, _)) = cat.get(r)
                && !seen[j]
                && j != i
            {
                seen[j] = true;
                todo.push(j);
            }
        }
    }
    (0..seen.len()).filter(|&j| seen[j]).collect()
}

#[cfg(test)]
mod tests {
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
