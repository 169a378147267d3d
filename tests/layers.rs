//! The layers of `src/`, each importing only those below it (the order of `src/lib.rs`):
//! a file that names a module of a higher layer fails here, with the line to change. This
//! is what keeps the imports free of circles between layers; inside the simulation, the
//! event-channel ABI's shared types live apart from both ABIs for the same reason.

mod common;

use std::fs;
use std::path::Path;

use common::rust_files;

/// Top-level modules, lowest layer first; modules on one line share a layer.
const LAYERS: &[&[&str]] = &[
    &["sim"],
    &["diag", "files", "script", "words"],
    &["lesson", "scenario", "report"],
    &["app"],
    &["demo"],
    &["ui"],
    &["cast"],
    &["tui", "input"],
    &["cmd"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a file of `src/` belongs to (`src/sim/abi/fifo.rs` → `sim`).
fn home(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// Every `crate::NAME` in a line of code (comments left out), as NAME.
fn crate_refs(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    code.match_indices("crate::")
        .filter(|(i, _)| {
            // `evtchn_lab::crate::` never occurs; skip `$crate::` in macros.
            !code[..*i].ends_with('$')
        })
        .map(|(i, m)| {
            code[i + m.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn every_layer_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    for file in &files {
        let Some(home) = home(&src, file) else {
            continue;
        };
        if home == "lib" || home == "main" {
            continue;
        }
        let Some(own) = layer_of(&home) else {
            unknown.push(format!("{}: add `{home}` to LAYERS", file.display()));
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.split("//").next().unwrap_or("").contains("crate::{") {
                unknown.push(format!(
                    "{}:{}: one `use crate::MODULE::…` per module, so this check can read it",
                    file.display(),
                    n + 1
                ));
            }
            for name in crate_refs(line) {
                match layer_of(&name) {
                    Some(l) if l > own => wrong.push(format!(
                        "{}:{}: `{home}` (layer {own}) uses `crate::{name}` (layer {l})",
                        file.display(),
                        n + 1
                    )),
                    Some(_) => {}
                    None => unknown.push(format!(
                        "{}:{}: `crate::{name}` is in no layer",
                        file.display(),
                        n + 1
                    )),
                }
            }
        }
    }
    assert!(unknown.is_empty(), "{}", unknown.join("\n"));
    assert!(
        wrong.is_empty(),
        "imports that run up the layers:\n{}",
        wrong.join("\n")
    );
}

/// The check itself finds what it is there to find.
#[test]
fn the_layer_check_reads_crate_paths() {
    assert_eq!(crate_refs("use crate::tui::Display;"), vec!["tui"]);
    assert_eq!(
        crate_refs("let x = crate::ui::a(crate::sim::b()); // crate::cmd"),
        vec!["ui", "sim"]
    );
    assert!(crate_refs("$crate::sim::x").is_empty());
    assert!(layer_of("cmd") > layer_of("tui") && layer_of("sim") == Some(0));
}
