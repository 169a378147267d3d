//! Where the lessons use and define the glossary's terms, and what `lessons check` finds
//! wrong with that.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{FILE_NAME, Glossary};
use crate::lesson::{Catalog, Lesson, Problem, line_col};

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
pub(super) fn unknown_term(glossary: &Glossary, name: &str) -> String {
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
pub(super) fn distance(a: &str, b: &str) -> usize {
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
