//! Reading glossary files: each term checked on its own, then across files (a later
//! file's term replaces an earlier one's; an alias names one term).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{Glossary, MAX_TERMS, Term};
use crate::diag::{first_unsafe, plain};
use crate::lesson::{Problem, line_col};

impl Glossary {
    /// Glossary files, later ones adding terms to (or replacing terms of) earlier ones.
    pub(super) fn load(files: &[(&Path, &str)]) -> Result<Glossary, Vec<Problem>> {
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
