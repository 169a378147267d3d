//! The lesson loader's messages, as data: each directory of `tests/lesson_errors/` holds
//! lesson files with mistakes and `expect.txt`, the exact `path:line:col: message` lines
//! the loader must print for them (paths relative to the directory); for files that load,
//! the lints' (`lesson::lint`, also run by `lessons check`). To add a case, add a
//! directory; `UPDATE_EXPECT=1` writes the loader's output for a review with `git diff`.

use std::path::{Path, PathBuf};

use evtchn_lab::lesson::{Catalog, lint};

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lesson_errors");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/lesson_errors exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn messages(dir: &Path) -> String {
    let problems = match Catalog::from_dir(dir) {
        Ok(cat) => lint::catalog(&cat),
        Err(p) => p,
    };
    if problems.is_empty() {
        return "(loaded without problems)\n".to_string();
    }
    problems
        .iter()
        .map(|p| {
            let rel = p.path.strip_prefix(dir).unwrap_or(&p.path);
            format!("{}:{}:{}: {}\n", rel.display(), p.line, p.col, p.message)
        })
        .collect()
}

#[test]
fn every_mistake_gets_its_message_at_its_place() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failed = Vec::new();
    for dir in cases() {
        let got = messages(&dir);
        let expect_path = dir.join("expect.txt");
        if update {
            std::fs::write(&expect_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expect_path)
            .unwrap_or_else(|_| panic!("{} has no expect.txt", dir.display()));
        if got != want {
            failed.push(format!(
                "{}:\n--- expected\n{want}--- got\n{got}",
                dir.display()
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn there_is_a_case_for_every_kind_of_mistake() {
    let names: Vec<String> = cases()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for kind in [
        "syntax",
        "unknown-key",
        "id-not-stem",
        "unknown-figure",
        "two-run-figure",
        "goal-without-solution",
        "bad-values",
        "quiz-rules",
        "bad-scenario",
        "requires",
        "unsafe-text",
        "bad-id",
        "scenario-ranges",
        "type-words",
        "non-finite",
        "too-many-steps",
        "long-solutions",
        "same-number",
        "binary",
        "empty-dir",
        "challenge-keys",
        "many-mistakes",
        "unreachable-goal",
        "numeric-rules",
        "answer-positions",
        "longest-choice",
        "reason-in-a-choice",
        "hint-repeats-text",
        "too-few-hints",
        "key-in-an-early-hint",
    ] {
        assert!(names.iter().any(|n| n == kind), "no case for {kind}");
    }
}
