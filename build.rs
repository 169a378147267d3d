//! Embeds every `lessons/*.toml` in the binary, so an installed `evtchn-lab` has its lessons
//! and a new lesson file needs no code change. Writes `$OUT_DIR/builtin_lessons.rs`:
//! `BUILTIN: &[(path, text)]`, sorted by file name, and `BUILTIN_GLOSSARY: (path, text)`:
//! `lessons/glossary.toml` is the glossary, not a lesson.

use std::path::PathBuf;

/// The one file of `lessons/` that is not a lesson (`lesson::glossary::FILE_NAME`).
const GLOSSARY: &str = "glossary.toml";

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dir = root.join("lessons");
    println!("cargo:rerun-if-changed=lessons");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// The lesson files of `lessons/`, embedded at build time: (path, text).\n\
         pub static BUILTIN: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 file name");
        if name == GLOSSARY {
            continue;
        }
        out.push_str(&format!(
            "    (\"lessons/{name}\", include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    out.push_str("];\n");
    let glossary = dir.join(GLOSSARY);
    out.push_str(&format!(
        "/// The glossary of `lessons/`, embedded at build time: (path, text).\n\
         pub static BUILTIN_GLOSSARY: (&str, &str) = (\"lessons/{GLOSSARY}\", include_str!({:?}));\n",
        glossary.display().to_string()
    ));
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("builtin_lessons.rs");
    std::fs::write(dest, out).expect("write builtin_lessons.rs");
}
