//! The lesson and scenario loaders under random damage (proptest, fuzz-style): whatever a
//! file becomes, loading it never panics, and every problem names the file and a real
//! place in it (`path:line:col: message`, line and column within the text).

use std::path::{Path, PathBuf};

use evtchn_lab::lesson::{Problem, from_files};
use evtchn_lab::scenario::ScenarioFile;
use proptest::prelude::*;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// One way to damage a text.
#[derive(Clone, Debug)]
enum Damage {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    DuplicateLine(usize),
    DropLine(usize),
    SwapLines(usize, usize),
    Truncate(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    let snippet = prop_oneof![
        Just("\"".to_string()),
        Just("[[step]]\n".to_string()),
        Just("[step.goal]\n".to_string()),
        Just("goal = 3\n".to_string()),
        Just("= ".to_string()),
        Just("{ min = ".to_string()),
        Just("\n".to_string()),
        Just("é".to_string()),
        Just("solution = [\"wait\"]\n".to_string()),
        Just("answer = 9\n".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
        "[a-z_ =\\[\\]{}\"0-9.,]{1,12}",
    ];
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Damage::Delete { at, len }),
        (any::<usize>(), snippet).prop_map(|(at, text)| Damage::Insert { at, text }),
        any::<usize>().prop_map(Damage::DuplicateLine),
        any::<usize>().prop_map(Damage::DropLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Damage::SwapLines(a, b)),
        any::<usize>().prop_map(Damage::Truncate),
    ]
}

/// A byte index of `s` on a character boundary, from any number.
fn boundary(s: &str, n: usize) -> usize {
    let mut i = if s.is_empty() { 0 } else { n % (s.len() + 1) };
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, d: &Damage) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let pick = |n: usize, len: usize| if len == 0 { 0 } else { n % len };
    match d {
        Damage::Delete { at, len } => {
            let a = boundary(text, *at);
            let b = boundary(text, a + len);
            format!("{}{}", &text[..a], &text[b.max(a)..])
        }
        Damage::Insert { at, text: ins } => {
            let a = boundary(text, *at);
            format!("{}{ins}{}", &text[..a], &text[a..])
        }
        Damage::DuplicateLine(n) if !lines.is_empty() => {
            let i = pick(*n, lines.len());
            lines.insert(i, lines[i]);
            lines.concat()
        }
        Damage::DropLine(n) if !lines.is_empty() => {
            lines.remove(pick(*n, lines.len()));
            lines.concat()
        }
        Damage::SwapLines(a, b) if !lines.is_empty() => {
            let (a, b) = (pick(*a, lines.len()), pick(*b, lines.len()));
            lines.swap(a, b);
            lines.concat()
        }
        Damage::Truncate(n) => text[..boundary(text, *n)].to_string(),
        _ => text.to_string(),
    }
}

/// A problem points into the text it is about.
fn points_into(p: &Problem, path: &Path, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(&p.path, path);
    prop_assert!(!p.message.trim().is_empty(), "empty message");
    let lines = text.split('\n').count().max(1);
    prop_assert!(
        p.line >= 1 && p.line <= lines,
        "line {} outside 1..={lines}: {p}",
        p.line
    );
    let len = text
        .split('\n')
        .nth(p.line - 1)
        .map_or(0, |l| l.chars().count());
    prop_assert!(
        p.col >= 1 && p.col <= len + 1,
        "column {} outside the line: {p}",
        p.col
    );
    let shown = p.to_string();
    let prefix = format!("{}:{}:{}: ", path.display(), p.line, p.col);
    prop_assert!(shown.starts_with(&prefix), "{shown}");
    Ok(())
}

const LESSONS: [&str; 4] = [
    "lessons/01-ports-and-bits.toml",
    "lessons/04-edge-eoi-vs-late-eoi.toml",
    "lessons/06-throttle-law.toml",
    "lessons/13-fifo.toml",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_lesson_never_panics_and_says_where(
        which in 0..LESSONS.len(),
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let path = PathBuf::from(LESSONS[which]);
        let mut text = read(LESSONS[which]);
        for d in &damages {
            text = apply(&text, d);
        }
        // Loaded on its own (its `requires` may be missing, which is a problem too).
        if let Err(problems) = from_files(&[(path.clone(), text.clone())]) {
            prop_assert!(!problems.is_empty());
            for p in &problems {
                points_into(p, &path, &text)?;
            }
        }
    }

    #[test]
    fn a_damaged_scenario_never_panics_and_says_where(
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let rel = "tests/scenarios/freebsd_tx_buggy.toml";
        let path = PathBuf::from(rel);
        let mut text = read(rel);
        for d in &damages {
            text = apply(&text, d);
        }
        if let Err(p) = ScenarioFile::parse(&path, &text) {
            points_into(&p, &path, &text)?;
        }
    }
}

/// The damage is real: most damaged lessons do fail to load (the property above is not
/// only ever seeing files that still load).
#[test]
fn damage_breaks_lessons() {
    let text = read(LESSONS[0]);
    let path = PathBuf::from(LESSONS[0]);
    let broken = [
        apply(
            &text,
            &Damage::Insert {
                at: 3,
                text: "\"".into(),
            },
        ),
        apply(&text, &Damage::Truncate(text.len() / 2)),
        apply(&text, &Damage::DuplicateLine(0)),
    ];
    for t in &broken {
        assert!(from_files(&[(path.clone(), t.clone())]).is_err());
    }
}
