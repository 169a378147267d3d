//! Lints over a loaded catalogue: questions whose choices give the answer away, and hints
//! that give the key away too soon. `evtchn-lab lessons check` reports them with the
//! loader's problems, each at its place in the file. The rules (README, "Writing a
//! lesson"):
//!
//! **Choices without tells.** Over every choice question of the catalogue (or of a
//! `--dir`): no answer position is right in more than 40% of them, and the right choice is
//! the longest (in characters, trimmed; a tie is not the longest) in at most 40%. A
//! position's bound is raised to the fewest any order of these questions' choices allows
//! (two-choice questions only: half). With fewer than [`MIN_QUESTIONS`] questions neither
//! balance applies. The questions named are those past the bound, in catalogue order:
//! moving their right choices is enough. A choice is a claim alone: it may not say
//! "because", nor follow a colon, a semicolon or a spaced dash with a clause of
//! [`REASON_WORDS`] words or more (the lint cannot tell a reason from an elaboration, so any
//! such clause counts; a two-word tag or a list of numbers passes). Reasons go in
//! `explain`.
//!
//! **Hints in tiers.** A goal step has at least [`MIN_HINTS`] hints. A hint may not mostly
//! repeat its step's text: more than 60% of its content words (see [`content_words`]) in
//! the text. Only the last hint may name a key of the step's solution (backquoted, like
//! `` `b` ``, or after "press"): first where to look, then the mechanism, the key last.

use std::collections::BTreeSet;

use super::{Catalog, Lesson, Problem, Step, Task};
use crate::script::{Item, key_name};

/// Where a step's parts are in its file (line, column), for the lints' messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Places {
    /// The step's `answer` (a question's).
    pub answer: Option<(usize, usize)>,
    /// Each choice, in order.
    pub choices: Vec<(usize, usize)>,
    /// Each hint, in order.
    pub hints: Vec<(usize, usize)>,
}

/// Below this many choice questions, positions and lengths are not balanced (with two
/// questions, one position is right in at least half of them).
pub const MIN_QUESTIONS: usize = 5;
/// The most a position, or "the right choice is the longest", may take: 2 in 5 (40%).
const SHARE: (usize, usize) = (2, 5);
/// The fewest hints a goal step has.
pub const MIN_HINTS: usize = 2;
/// A hint repeats its step's text when more than this share of its content words are in
/// the text: 3 in 5 (60%).
const REPEAT: (usize, usize) = (3, 5);
/// A clause after a colon, semicolon or dash in a choice is a reason from this many words.
pub const REASON_WORDS: usize = 3;

/// Every lint problem of the catalogue, file by file and step by step.
pub fn catalog(cat: &Catalog) -> Vec<Problem> {
    let balance = Balance::of(cat);
    let mut out = Vec::new();
    for (li, l) in cat.lessons.iter().enumerate() {
        for (si, s) in l.steps.iter().enumerate() {
            let n = si + 1;
            let mut at = |place: Option<(usize, usize)>, message: String| {
                let (line, col) = place.unwrap_or((s.line, 1));
                out.push(Problem {
                    path: l.path.clone(),
                    line,
                    col,
                    message: format!("step {n}: {message}"),
                });
            };
            balance.problems(li, si, s, &mut at);
            choice_problems(s, &mut at);
            hint_problems(s, &mut at);
        }
    }
    out
}

/// A choice question: its choices and its right one (0-based).
fn choices(s: &Step) -> Option<(&[String], usize)> {
    match &s.task {
        Task::Quiz {
            choices, answer, ..
        } => Some((choices, *answer)),
        _ => None,
    }
}

/// Whether the right choice is longer than every other one (characters, trimmed).
pub fn right_is_longest(choices: &[String], answer: usize) -> bool {
    right_beats(choices, answer, |right, other| right > other)
}

/// Whether the right choice is shorter than every other one.
pub fn right_is_shortest(choices: &[String], answer: usize) -> bool {
    right_beats(choices, answer, |right, other| right < other)
}

/// Whether the right choice's length compares with every other one's as `beats` says.
fn right_beats(choices: &[String], answer: usize, beats: impl Fn(usize, usize) -> bool) -> bool {
    let len = |c: &String| c.trim().chars().count();
    choices
        .iter()
        .enumerate()
        .all(|(i, c)| i == answer || beats(len(&choices[answer]), len(c)))
}

/// The catalogue's answer positions and longest right choices, and which questions tip
/// them over their bounds.
#[derive(Debug, Default)]
pub struct Balance {
    /// Choice questions in all.
    pub questions: usize,
    /// How many questions are answered by each position (index 0: choice 1).
    pub positions: Vec<usize>,
    /// The most a position may take.
    pub position_bound: usize,
    /// Questions whose right choice is the longest.
    pub longest: usize,
    /// The most that may be.
    pub longest_bound: usize,
    /// Questions whose right choice is the shortest (a figure, not a rule: the right
    /// choice should be the shortest about as often as the longest).
    pub shortest: usize,
    /// (lesson, step) of the questions past a position's bound.
    over_position: BTreeSet<(usize, usize)>,
    /// (lesson, step) of the questions past the longest bound.
    over_longest: BTreeSet<(usize, usize)>,
}

impl Balance {
    pub fn of(cat: &Catalog) -> Balance {
        let questions: Vec<((usize, usize), &[String], usize)> = cat
            .lessons
            .iter()
            .enumerate()
            .flat_map(|(li, l): (usize, &Lesson)| {
                l.steps
                    .iter()
                    .enumerate()
                    .filter_map(move |(si, s)| choices(s).map(|(c, a)| ((li, si), c, a)))
            })
            .collect();
        let n = questions.len();
        let share = n * SHARE.0 / SHARE.1;
        let sizes: Vec<usize> = questions.iter().map(|q| q.1.len()).collect();
        let mut b = Balance {
            questions: n,
            position_bound: share.max(fewest_allowed(&sizes)),
            longest_bound: share,
            ..Balance::default()
        };
        for &(at, c, a) in &questions {
            if b.positions.len() <= a {
                b.positions.resize(a + 1, 0);
            }
            b.positions[a] += 1;
            if b.positions[a] > b.position_bound {
                b.over_position.insert(at);
            }
            if right_is_shortest(c, a) {
                b.shortest += 1;
            }
            if right_is_longest(c, a) {
                b.longest += 1;
                if b.longest > b.longest_bound {
                    b.over_longest.insert(at);
                }
            }
        }
        if n < MIN_QUESTIONS {
            b.over_position.clear();
            b.over_longest.clear();
        }
        b
    }

    fn problems(
        &self,
        li: usize,
        si: usize,
        s: &Step,
        at: &mut impl FnMut(Option<(usize, usize)>, String),
    ) {
        let Some((_, answer)) = choices(s) else {
            return;
        };
        let n = self.questions;
        if self.over_position.contains(&(li, si)) {
            let why = if self.position_bound == n * SHARE.0 / SHARE.1 {
                "40%".to_string()
            } else {
                "the fewest these questions' choices allow".to_string()
            };
            at(
                s.places.answer,
                format!(
                    "answer position {} is right in {} of {n} choice questions (at most {}: \
                     {why}): move this right choice to another position",
                    answer + 1,
                    self.positions[answer],
                    self.position_bound
                ),
            );
        }
        if self.over_longest.contains(&(li, si)) {
            at(
                s.places.choices.get(answer).copied(),
                format!(
                    "the right choice is the longest in {} of {n} choice questions (at most \
                     {}: 40%): shorten this one or lengthen a wrong one",
                    self.longest, self.longest_bound
                ),
            );
        }
    }
}

/// The least bound on a position that some order of choices can meet, for questions with
/// these numbers of choices: the questions with at most `m` choices share `m` positions.
fn fewest_allowed(sizes: &[usize]) -> usize {
    let most = sizes.iter().copied().max().unwrap_or(0);
    (1..=most)
        .map(|m| sizes.iter().filter(|&&k| k <= m).count().div_ceil(m))
        .max()
        .unwrap_or(0)
}

/// "because", or a reason after a separator, in a choice.
fn choice_problems(s: &Step, at: &mut impl FnMut(Option<(usize, usize)>, String)) {
    let Some((choices, _)) = choices(s) else {
        return;
    };
    for (i, c) in choices.iter().enumerate() {
        let place = s.places.choices.get(i).copied();
        let says_because = words_of(c).any(|w| w.eq_ignore_ascii_case("because"));
        if says_because {
            at(
                place,
                format!(
                    "choice {} says \"because\": a choice is a claim alone; give the reason in \
                     explain",
                    i + 1
                ),
            );
        } else if let Some((sep, clause)) = reason_after_separator(c) {
            at(
                place,
                format!(
                    "choice {} follows its {sep} with a reason (\"{clause}\"): a choice is a \
                     claim alone; give the reason in explain",
                    i + 1
                ),
            );
        }
    }
}

/// The first separator (outside backquotes) followed by a clause of [`REASON_WORDS`]
/// words or more: its name and the clause.
pub fn reason_after_separator(choice: &str) -> Option<(&'static str, String)> {
    let mut in_code = false;
    for (i, ch) in choice.char_indices() {
        if ch == '`' {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let rest = &choice[i + ch.len_utf8()..];
        let spaced = choice[..i].ends_with(' ') && rest.starts_with(' ');
        let sep = match ch {
            ':' if rest.is_empty() || rest.starts_with(char::is_whitespace) => "colon",
            ';' => "semicolon",
            '—' => "dash",
            '–' | '-' if spaced => "dash",
            _ => continue,
        };
        let clause = rest.trim();
        if words_of(clause).count() >= REASON_WORDS {
            return Some((sep, clause.to_string()));
        }
    }
    None
}

/// The words of a text: runs of letters, digits, `_` and `'`, each with a letter.
fn words_of(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\'' || c == '’'))
        .filter(|w| w.chars().any(char::is_alphabetic))
}

/// Too few hints on a goal step, a hint that repeats the text, a key before the last hint.
fn hint_problems(s: &Step, at: &mut impl FnMut(Option<(usize, usize)>, String)) {
    let place = |i: usize| s.places.hints.get(i).copied();
    if matches!(s.task, Task::Goal(_)) && s.hints.len() < MIN_HINTS {
        let k = s.hints.len();
        at(
            place(0),
            format!(
                "{k} hint{}: a goal step has at least {MIN_HINTS}: where to look, then the \
                 mechanism, then the key",
                if k == 1 { "" } else { "s" }
            ),
        );
    }
    let keys = solution_keys(s);
    let last = s.hints.len().saturating_sub(1);
    for (i, h) in s.hints.iter().enumerate() {
        let (shared, words) = overlap(h, &s.text);
        if repeats(shared, words) {
            at(
                place(i),
                format!(
                    "hint {} mostly repeats the step's text ({shared} of its {words} words are \
                     there): say where to look, the mechanism, or the key",
                    i + 1
                ),
            );
        }
        if i < last
            && let Some(k) = named_key(h, &keys)
        {
            at(
                place(i),
                format!(
                    "hint {} names the key `{k}`, and it is not the last hint: keys come last \
                     (first where to look, then the mechanism)",
                    i + 1
                ),
            );
        }
    }
}

/// Whether `shared` of a hint's `words` content words make it a repetition (more than 60%).
pub fn repeats(shared: usize, words: usize) -> bool {
    words > 0 && shared * REPEAT.1 > words * REPEAT.0
}

/// The names of the keys a step's solution presses (`n`, `space`, `]`).
fn solution_keys(s: &Step) -> Vec<String> {
    s.solution
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Key(k) => Some(key_name(k)),
            Item::Wait(_) => None,
        })
        .collect()
}

/// The first of `keys` a hint names: in backquotes (`` `n` ``), or as the word after
/// "press" (`Press n`, `press space`).
pub fn named_key(hint: &str, keys: &[String]) -> Option<String> {
    let is_key = |w: &str| {
        keys.iter()
            .find(|k| *k == w || (k.chars().count() > 1 && k.eq_ignore_ascii_case(w)))
    };
    for (i, part) in hint.split('`').enumerate() {
        if i % 2 == 1
            && let Some(k) = is_key(part)
        {
            return Some(k.clone());
        }
    }
    let words: Vec<&str> = hint.split_whitespace().collect();
    for pair in words.windows(2) {
        if !pair[0].eq_ignore_ascii_case("press") || pair[1].starts_with('`') {
            continue;
        }
        let w = pair[1];
        let w = match w.strip_suffix([',', ';', ':', '!', '?', ')', '.']) {
            Some(cut) if !cut.is_empty() => cut,
            _ => w,
        };
        if let Some(k) = is_key(w) {
            return Some(k.clone());
        }
    }
    None
}

/// Words that carry no content: articles, pronouns, auxiliaries, prepositions,
/// conjunctions, and a few adverbs of sequence.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "being", "both", "but", "by", "can", "could", "did", "do", "does",
    "done", "down", "each", "else", "for", "from", "had", "has", "have", "he", "her", "here",
    "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "let", "may", "me",
    "might", "more", "most", "must", "my", "no", "nor", "not", "now", "of", "on", "once", "only",
    "onto", "or", "other", "our", "out", "over", "own", "same", "she", "should", "so", "some",
    "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "us", "very", "was", "we", "were",
    "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will",
    "with", "would", "you", "your",
];

/// A text's content words: lower-cased, markup (`` ` ``, `*`) and possessive `'s` removed,
/// split at anything but letters, digits and `_`; stop words and one-letter words (a key
/// like `n`) left out; a plural's `s` dropped (`transitions` is `transition`; not in
/// `-ss`, `-us`, `-is`, nor in words of three letters or fewer).
pub fn content_words(s: &str) -> BTreeSet<String> {
    let lower = s
        .to_lowercase()
        .replace(['`', '*'], " ")
        .replace("'s", " ")
        .replace("’s", " ");
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .filter(|w| !(w.chars().count() == 1 && w.chars().all(char::is_alphabetic)))
        .map(|w| {
            let plural = w.chars().count() > 3
                && w.ends_with('s')
                && !["ss", "us", "is"].iter().any(|e| w.ends_with(e));
            if plural { &w[..w.len() - 1] } else { w }.to_string()
        })
        .collect()
}

/// How many of a hint's content words are in `text`, and how many it has.
pub fn overlap(hint: &str, text: &str) -> (usize, usize) {
    let h = content_words(hint);
    let t = content_words(text);
    (h.intersection(&t).count(), h.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> BTreeSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn content_words_leave_out_markup_stop_words_keys_and_plurals() {
        assert_eq!(
            content_words("Press `n`, then *watch* the guest's Ports pane: 3 transitions."),
            set(&["press", "watch", "guest", "port", "pane", "3", "transition"])
        );
        // `-ss`, `-us`, `-is` and short words keep their s; `_` joins an identifier.
        assert_eq!(
            content_words("status bar: pass this gas, spurious_cnt"),
            set(&["status", "bar", "pass", "gas", "spurious_cnt"])
        );
        assert!(content_words("Press `n` once.").len() == 1);
        assert!(content_words("the and of it").is_empty());
    }

    #[test]
    fn overlap_counts_the_hints_words_found_in_the_text() {
        let text = "The port is still masked. Press `n` three more times.";
        assert_eq!(overlap("Press `n` `n` `n`.", text), (1, 1));
        assert_eq!(overlap("Same key, three times.", text), (2, 3));
        assert_eq!(
            overlap("Each notify while masked only sets the pending bit.", text),
            (1, 5)
        );
        assert_eq!(overlap("", text), (0, 0));
    }

    #[test]
    fn a_hint_repeats_past_sixty_percent() {
        assert!(repeats(1, 1));
        assert!(repeats(2, 3), "67%");
        assert!(!repeats(3, 5), "60% exactly is not more than 60%");
        assert!(!repeats(1, 2));
        assert!(
            !repeats(0, 0),
            "a hint of no content words cannot be measured"
        );
    }

    #[test]
    fn a_key_is_named_in_backquotes_or_after_press() {
        let keys = ["n".to_string(), "space".to_string(), "]".to_string()];
        assert_eq!(named_key("Press `n` once.", &keys).as_deref(), Some("n"));
        assert_eq!(
            named_key("then press space.", &keys).as_deref(),
            Some("space")
        );
        assert_eq!(
            named_key("Press n, then wait.", &keys).as_deref(),
            Some("n")
        );
        assert_eq!(named_key("`]` raises it", &keys).as_deref(), Some("]"));
        // Not a key of this step's solution, or not a key at all.
        assert_eq!(named_key("`b` flips the operator", &keys), None);
        assert_eq!(named_key("the `N` bit; press on", &keys), None);
        assert_eq!(named_key("Watch `spurious_cnt`.", &keys), None);
    }

    #[test]
    fn a_reason_follows_a_separator_with_three_words_or_more() {
        let r = |c: &str| reason_after_separator(c).map(|(s, _)| s);
        assert_eq!(
            r("It is lost: Xen drops notifies to masked ports"),
            Some("colon")
        );
        assert_eq!(r("Lower; it pauses longer"), Some("semicolon"));
        assert_eq!(r("Lower — each pause is longer"), Some("dash"));
        assert_eq!(r("Lower - each pause is longer"), Some("dash"));
        // A tag, a list of numbers, a colon in code or a time, a hyphen in a word.
        assert_eq!(r("About 250: one tick"), None);
        assert_eq!(r("It doubles: 1, 2, 4, 8… jiffies"), None);
        assert_eq!(
            r("`a: b c d e` and a late-EOI flag set by netback itself"),
            None
        );
        assert_eq!(r("At 10:30 every day of the week"), None);
        assert_eq!(r("A pause of 1–3 jiffies at most"), None);
    }

    #[test]
    fn fewest_allowed_is_the_least_bound_an_order_can_meet() {
        assert_eq!(fewest_allowed(&[3, 3, 3]), 1);
        assert_eq!(fewest_allowed(&[3, 3, 3, 3]), 2);
        assert_eq!(fewest_allowed(&[2, 2, 2, 2, 2, 2]), 3, "only two positions");
        assert_eq!(fewest_allowed(&[2, 2, 5, 5, 5]), 1);
        assert_eq!(fewest_allowed(&[2, 2, 2, 5, 5]), 2);
        assert_eq!(fewest_allowed(&[]), 0);
    }

    /// A lesson of questions with these choices and answers (1-based).
    fn balance(questions: &[(&[&str], usize)]) -> (Balance, Vec<Problem>) {
        let mut text = String::from("id = \"01-q\"\ntitle = \"Q\"\nsummary = \"x\"\n");
        for (i, (choices, answer)) in questions.iter().enumerate() {
            let list: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
            text.push_str(&format!(
                "[[step]]\ntitle = \"q{i}\"\nquestion = \"?\"\nchoices = [{}]\nanswer = \
                 {answer}\nexplain = \"e\"\n",
                list.join(", ")
            ));
        }
        let cat = super::super::from_files(&[("01-q.toml".into(), text)]).unwrap();
        (Balance::of(&cat), catalog(&cat))
    }

    #[test]
    fn few_questions_or_two_choices_relax_the_balance() {
        let two: &[&str] = &["yes", "no!"];
        let three: &[&str] = &["aa", "bb", "cc"];
        // Four questions: too few to balance, whatever their answers.
        let (b, p) = balance(&[(three, 2), (three, 2), (three, 2), (three, 2)]);
        assert_eq!((b.questions, b.positions.clone()), (4, vec![0, 4]));
        assert!(p.is_empty(), "{p:?}");
        // Five two-choice questions: one position has at least 3 (60%), and may.
        let (b, p) = balance(&[(two, 1), (two, 1), (two, 1), (two, 2), (two, 2)]);
        assert_eq!(b.position_bound, 3);
        assert!(p.is_empty(), "{p:?}");
        // Five three-choice questions: 40% is 2; a third at position 1 tips it.
        let (b, p) = balance(&[(three, 1), (three, 1), (three, 1), (three, 2), (three, 3)]);
        assert_eq!(b.position_bound, 2);
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].col), (20, 10), "at the third one's answer");
        assert!(
            p[0].message
                .starts_with("step 3: answer position 1 is right in 3 of 5")
        );
    }

    #[test]
    fn the_longest_choice_is_strictly_longest_after_trimming() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(right_is_longest(&c(&["abc", "ab"]), 0));
        assert!(!right_is_longest(&c(&["abc", "abd"]), 0), "a tie");
        assert!(!right_is_longest(&c(&["ab   ", "abc"]), 0));
        assert!(!right_is_longest(&c(&["  abc  ", "abcd"]), 0));
    }
}
