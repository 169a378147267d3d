//! The README's pictures are real: every fenced block between
//! `<!-- snapshot: evtchn-lab snapshot … -->` and `<!-- /snapshot -->` is what that
//! command prints today. The command is parsed by the program's own flags (clap) and run
//! in-process; the test fails when a block differs, so a change to any pane shows up in the
//! README too.
//!
//! After a reviewed change, `EVTCHN_LAB_BLESS_README=1 cargo test --release --test readme`
//! rewrites the blocks; read `git diff README.md` before committing it.

use std::path::PathBuf;

use clap::Parser;
use evtchn_lab::cmd::cli::{Cli, Command};

const OPEN: &str = "<!-- snapshot: ";
const CLOSE: &str = "<!-- /snapshot -->";

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

/// Words of a command line, with "double" and 'single' quotes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unbalanced quotes in {line:?}");
    if in_word {
        words.push(cur);
    }
    words
}

/// One picture: its command and where its text is in the README (byte range of the
/// fenced block's body).
struct Block {
    command: String,
    line: usize,
    body: std::ops::Range<usize>,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut from = 0;
    // A marker begins a line (the README may mention one in its text).
    let marker = format!("\n{OPEN}");
    while let Some(at) = readme[from..].find(&marker).map(|i| i + from + 1) {
        let line = readme[..at].matches('\n').count() + 1;
        let end_of_marker = at + readme[at..].find("-->").expect("marker closed");
        let command = readme[at + OPEN.len()..end_of_marker].trim().to_string();
        let fence = end_of_marker
            + readme[end_of_marker..]
                .find("```text\n")
                .unwrap_or_else(|| panic!("README.md:{line}: a ```text block after the marker"));
        let body_start = fence + "```text\n".len();
        let body_end = body_start
            + readme[body_start..]
                .find("```\n")
                .unwrap_or_else(|| panic!("README.md:{line}: the block is closed"));
        let close = readme[body_end..]
            .find(CLOSE)
            .unwrap_or_else(|| panic!("README.md:{line}: {CLOSE} after the block"));
        assert!(
            readme[body_end + 4..body_end + close].trim().is_empty(),
            "README.md:{line}: nothing between the block and {CLOSE}"
        );
        out.push(Block {
            command,
            line,
            body: body_start..body_end,
        });
        from = body_end + close;
    }
    out
}

/// What the command prints, run in-process through the program's own flags.
fn render(command: &str, line: usize) -> String {
    let words = shell_words(command);
    assert_eq!(
        words.first().map(String::as_str),
        Some("evtchn-lab"),
        "README.md:{line}: the command starts with evtchn-lab"
    );
    let cli = Cli::try_parse_from(&words)
        .unwrap_or_else(|e| panic!("README.md:{line}: `{command}`: {e}"));
    let Some(Command::Snapshot(args)) = cli.command else {
        panic!("README.md:{line}: `{command}` is not `evtchn-lab snapshot …`");
    };
    evtchn_lab::cmd::snapshot::render(&args)
        .unwrap_or_else(|e| panic!("README.md:{line}: `{command}`: {}", e.message))
}

#[test]
fn the_readme_pictures_are_what_the_lab_draws_today() {
    let path = readme_path();
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let found = blocks(&readme);
    let commands: Vec<&str> = found.iter().map(|b| b.command.as_str()).collect();
    for want in [
        "evtchn-lab snapshot --at 5s --size 100x30",
        "evtchn-lab snapshot --keys c --at 5s --size 100x30",
        "evtchn-lab snapshot --keys \"wait 5s, space, ., ., ., ., x, j\" --size 120x40",
    ] {
        assert!(
            commands.contains(&want),
            "README.md shows `{want}`: {commands:?}"
        );
    }
    let bless = std::env::var_os("EVTCHN_LAB_BLESS_README").is_some_and(|v| !v.is_empty());
    let mut updated = readme.clone();
    let mut stale = Vec::new();
    // From the last block back, so earlier byte ranges stay valid while rewriting.
    for b in found.iter().rev() {
        let want = render(&b.command, b.line);
        let have = &readme[b.body.clone()];
        if have != want {
            let first = have
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| have.lines().count().min(want.lines().count()));
            stale.push(format!(
                "README.md:{}: `{}` draws something else today, first at row {}:\n  README: {:?}\n  today:  {:?}",
                b.line,
                b.command,
                first + 1,
                have.lines().nth(first).unwrap_or(""),
                want.lines().nth(first).unwrap_or("")
            ));
            updated.replace_range(b.body.clone(), &want);
        }
    }
    if bless && updated != readme {
        std::fs::write(&path, updated).expect("rewrite README.md");
        eprintln!(
            "README.md: {} picture(s) rewritten; review `git diff README.md`",
            stale.len()
        );
        return;
    }
    assert!(
        stale.is_empty(),
        "{}\n\nIf the change is meant: EVTCHN_LAB_BLESS_README=1 cargo test --release --test \
         readme, then review `git diff README.md`.",
        stale.join("\n")
    );
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        shell_words(r#"evtchn-lab snapshot --keys "wait 2s, b" --at 4s"#),
        [
            "evtchn-lab",
            "snapshot",
            "--keys",
            "wait 2s, b",
            "--at",
            "4s"
        ]
    );
    assert_eq!(shell_words("a 'b c' \"\""), ["a", "b c", ""]);
}
