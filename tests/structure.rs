//! The shape of `src/` that a reader relies on, checked on every test run:
//! - no import circle between the files of one folder (between folders, tests/layers.rs
//!   holds the layer order): a name re-exported by a `mod.rs` is followed to the file that
//!   defines it, so a re-export hides no circle;
//! - no file over 600 lines of code before its tests, no `impl` block over 400 lines
//!   (functions over 80 lines are clippy's `too_many_lines`, set in `clippy.toml`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::rust_files;

const MAX_FILE_CODE_LINES: usize = 600;
const MAX_IMPL_LINES: usize = 400;

/// A module path from the crate root: `["sim", "abi", "fifo"]`.
type ModPath = Vec<String>;

struct SourceFile {
    path: PathBuf,
    module: ModPath,
    /// The file's text up to its `#[cfg(test)]` module: what the program is made of.
    code: String,
}

fn sources() -> Vec<SourceFile> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&src).unwrap().with_extension("");
            let mut module: ModPath = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            let text = fs::read_to_string(&path).unwrap();
            // A module compiled for tests only (`#[cfg(test)] mod tests;`) is all tests.
            let test_only = module.last().is_some_and(|m| m == "tests");
            let code = if test_only {
                String::new()
            } else {
                before_tests(&text).to_string()
            };
            SourceFile { path, module, code }
        })
        .collect()
}

/// The text before the file's top-level `#[cfg(test)]` (the whole text if it has none).
fn before_tests(text: &str) -> &str {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("#[cfg(test)]") {
            return &text[..at];
        }
        at += line.len();
    }
    text
}

/// Lines that hold code: not blank, not only a comment.
fn code_lines(text: &str) -> usize {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count()
}

/// Each top-level `impl` block's first line and length; rustfmt closes it with a `}` alone
/// at the start of a line.
fn impl_blocks(code: &str) -> Vec<(usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let opens = line.starts_with("impl") && line.trim_end().ends_with('{');
        if !opens {
            continue;
        }
        if let Some(end) = (i + 1..lines.len()).find(|&j| lines[j] == "}") {
            out.push((i + 1, end - i + 1));
        }
    }
    out
}

/// The code of a file with comments and string literals blanked, so that paths are read
/// only where they are code.
fn strip(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push(' ');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        '\n' => out.push('\n'),
                        _ => {}
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every path a file names through `crate::`, `super::` or `self::`, absolute, with use
/// groups (`use crate::a::{b, c::D}`) expanded; `pub use` re-exports are returned apart as
/// (exported name, absolute path).
fn paths(file: &SourceFile) -> (Vec<ModPath>, Vec<(String, ModPath)>) {
    let code = strip(&file.code);
    let mut found = Vec::new();
    let mut exports = Vec::new();
    // `use` statements, possibly over several lines, grouped.
    for stmt in code.split(';') {
        // The statement starts at the last line of the chunk that opens a `use`.
        let Some(start) = stmt.lines().rev().find_map(|l| {
            let t = l.trim_start();
            let at = stmt.rfind(l)?;
            [
                ("pub use ", true),
                ("pub(crate) use ", true),
                ("use ", false),
            ]
            .iter()
            .find(|(p, _)| t.starts_with(p))
            .map(|(p, public)| (at + (l.len() - t.len()) + p.len(), *public))
        }) else {
            continue;
        };
        let (public, rest) = (start.1, &stmt[start.0..]);
        // One space between words (`X as Y`), none around punctuation.
        let mut rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");
        for p in ["::", "{", "}", ","] {
            rest = rest
                .replace(&format!(" {p}"), p)
                .replace(&format!("{p} "), p);
        }
        for p in expand(&rest) {
            let segs: Vec<&str> = p.split("::").collect();
            if let Some(abs) = absolute(&file.module, &segs) {
                if public {
                    let name = segs.last().unwrap().to_string();
                    exports.push((name, abs.clone()));
                }
                found.push(abs);
            }
        }
    }
    // Paths in code: `crate::a::b`, `super::a`.
    for start in ["crate::", "super::"] {
        for (i, _) in code.match_indices(start) {
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '$') {
                continue;
            }
            let tail: String = code[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segs: Vec<&str> = tail.split("::").filter(|s| !s.is_empty()).collect();
            if let Some(abs) = absolute(&file.module, &segs) {
                found.push(abs);
            }
        }
    }
    (found, exports)
}

/// `a::{b, c::{D, E}}` → `a::b`, `a::c::D`, `a::c::E`.
fn expand(path: &str) -> Vec<String> {
    let Some(open) = path.find('{') else {
        return if path.is_empty() {
            vec![]
        } else {
            vec![path.to_string()]
        };
    };
    let prefix = &path[..open];
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[from..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&format!("{prefix}{p}")))
        .collect()
}

/// A path as written in `module` made absolute; `None` for paths outside the crate.
fn absolute(module: &[String], segs: &[&str]) -> Option<ModPath> {
    let mut abs: ModPath = match *segs.first()? {
        "crate" => vec![],
        "super" | "self" => module.to_vec(),
        _ => return None,
    };
    let mut rest = segs;
    if segs[0] == "crate" || segs[0] == "self" {
        rest = &segs[1..];
    }
    for s in rest {
        match *s {
            "super" => {
                abs.pop()?;
            }
            "self" | "*" | "" => {}
            s => abs.push(s.split(" as ").next().unwrap_or(s).to_string()),
        }
    }
    Some(abs)
}

/// The module that defines what `path` names: the longest prefix that is a module, with
/// names a module re-exports followed to where they come from.
fn resolve(
    path: &ModPath,
    modules: &BTreeSet<ModPath>,
    exports: &BTreeMap<ModPath, BTreeMap<String, ModPath>>,
) -> ModPath {
    let mut path = path.clone();
    for _ in 0..16 {
        let n = (0..=path.len())
            .rev()
            .find(|&n| modules.contains(&path[..n].to_vec()))
            .unwrap_or(0);
        let module = path[..n].to_vec();
        let Some(item) = path.get(n) else {
            return module;
        };
        match exports.get(&module).and_then(|e| e.get(item)) {
            Some(target) if *target != path[..=n] => {
                let mut next = target.clone();
                next.extend(path[n + 1..].iter().cloned());
                path = next;
            }
            _ => return module,
        }
    }
    path
}

/// For two modules, the two sibling rooms under their lowest common folder, if neither
/// contains the other.
fn siblings(from: &[String], to: &[String]) -> Option<(ModPath, ModPath)> {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    if common >= from.len() || common >= to.len() {
        return None;
    }
    Some((from[..=common].to_vec(), to[..=common].to_vec()))
}

fn circles(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    // Strongly connected components (Tarjan, iterative enough for a few hundred files).
    struct State<'a> {
        edges: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<ModPath, usize>,
        low: BTreeMap<ModPath, usize>,
        stack: Vec<ModPath>,
        on_stack: BTreeSet<ModPath>,
        out: Vec<Vec<ModPath>>,
    }
    fn visit(s: &mut State, v: &ModPath) {
        let i = s.index.len();
        s.index.insert(v.clone(), i);
        s.low.insert(v.clone(), i);
        s.stack.push(v.clone());
        s.on_stack.insert(v.clone());
        for w in s.edges.get(v).cloned().unwrap_or_default() {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let l = s.low[&w].min(s.low[v]);
                s.low.insert(v.clone(), l);
            } else if s.on_stack.contains(&w) {
                let l = s.index[&w].min(s.low[v]);
                s.low.insert(v.clone(), l);
            }
        }
        if s.low[v] == s.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(&w);
                let done = w == *v;
                scc.push(w);
                if done {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                s.out.push(scc);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// Edges between sibling rooms (files or folders of one folder), each with one line that
/// makes it, for the message.
fn room_edges(files: &[SourceFile]) -> BTreeMap<(ModPath, ModPath), String> {
    let modules: BTreeSet<ModPath> = files.iter().map(|f| f.module.clone()).collect();
    let mut exports: BTreeMap<ModPath, BTreeMap<String, ModPath>> = BTreeMap::new();
    let mut refs = Vec::new();
    for f in files {
        let (found, exp) = paths(f);
        for (name, target) in exp {
            exports
                .entry(f.module.clone())
                .or_default()
                .insert(name, target);
        }
        refs.push((f, found));
    }
    let mut edges = BTreeMap::new();
    for (f, found) in refs {
        for p in found {
            let to = resolve(&p, &modules, &exports);
            if let Some((a, b)) = siblings(&f.module, &to) {
                edges
                    .entry((a, b))
                    .or_insert_with(|| format!("{} names {}", f.path.display(), p.join("::")));
            }
        }
    }
    edges
}

#[test]
fn no_import_circle_between_the_files_of_a_folder() {
    let files = sources();
    let edges = room_edges(&files);
    let mut graph: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        graph.entry(a.clone()).or_default().insert(b.clone());
    }
    let found = circles(&graph);
    let report: Vec<String> = found
        .iter()
        .map(|scc| {
            let names: Vec<String> = scc.iter().map(|m| m.join("::")).collect();
            let why: Vec<String> = edges
                .iter()
                .filter(|((a, b), _)| scc.contains(a) && scc.contains(b))
                .map(|(_, w)| format!("    {w}"))
                .collect();
            format!("circle: {}\n{}", names.join(" ↔ "), why.join("\n"))
        })
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn no_file_over_600_lines_of_code_and_no_impl_over_400() {
    let mut over = Vec::new();
    for f in sources() {
        let n = code_lines(&f.code);
        if n > MAX_FILE_CODE_LINES {
            over.push(format!(
                "{}: {n} lines of code before its tests (at most {MAX_FILE_CODE_LINES}): split it by job",
                f.path.display()
            ));
        }
        for (line, len) in impl_blocks(&f.code) {
            if len > MAX_IMPL_LINES {
                over.push(format!(
                    "{}:{line}: an impl block of {len} lines (at most {MAX_IMPL_LINES})",
                    f.path.display()
                ));
            }
        }
    }
    assert!(over.is_empty(), "{}", over.join("\n"));
}

/// The checks find what they are there to find.
#[test]
fn the_structure_checks_read_what_they_should() {
    let m = |s: &str| -> ModPath { s.split("::").map(String::from).collect() };
    assert_eq!(
        expand("crate::sim::{a::B,c}"),
        vec!["crate::sim::a::B", "crate::sim::c"]
    );
    assert_eq!(
        absolute(&m("ui::arrange"), &["super", "rows", "Drawn"]),
        Some(m("ui::rows::Drawn"))
    );
    let mut graph = BTreeMap::new();
    graph.insert(m("ui::a"), BTreeSet::from([m("ui::b")]));
    graph.insert(m("ui::b"), BTreeSet::from([m("ui::a")]));
    assert_eq!(circles(&graph), vec![vec![m("ui::a"), m("ui::b")]]);
    assert_eq!(
        siblings(&m("ui::a"), &m("ui::b::c")),
        Some((m("ui::a"), m("ui::b")))
    );
    assert_eq!(siblings(&m("ui::a"), &m("ui")), None);
    assert_eq!(impl_blocks("impl A {\n    fn f() {}\n}\n"), vec![(1, 3)]);
    assert_eq!(code_lines("// c\n\nfn f() {}\n"), 1);
    assert_eq!(before_tests("a\n#[cfg(test)]\nmod tests {}\n"), "a\n");
    // A name a module re-exports is followed to the file that defines it.
    let modules = BTreeSet::from([m("sim"), m("sim::knob"), m("sim::metrics")]);
    let exports = BTreeMap::from([(
        m("sim"),
        BTreeMap::from([("Figure".to_string(), m("sim::metrics::Figure"))]),
    )]);
    assert_eq!(
        resolve(&m("sim::Figure"), &modules, &exports),
        m("sim::metrics")
    );
}
