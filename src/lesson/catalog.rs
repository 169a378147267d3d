//! The catalogue: every lesson file read and checked, each on its own and then across
//! files (ids, numbers, `requires`), and a lesson found by what a command line names.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Lesson, MAX_LESSON_FILES, Problem, builtin, glossary, raw};

/// Every lesson, in order (by file name).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    pub lessons: Vec<Lesson>,
    /// The built-in glossary, with the lesson directory's own `glossary.toml` added.
    pub glossary: Arc<glossary::Glossary>,
    /// Where each lesson uses and defines glossary terms (same order as `lessons`), for
    /// [`glossary::undefined_terms`].
    pub term_uses: Vec<glossary::LessonTerms>,
}

impl Catalog {
    pub fn get(&self, id: &str) -> Option<(usize, &Lesson)> {
        self.lessons.iter().enumerate().find(|(_, l)| l.id == id)
    }

    pub fn len(&self) -> usize {
        self.lessons.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lessons.is_empty()
    }

    /// The lessons shipped inside the binary (from `lessons/` at build time).
    pub fn builtin() -> Result<Arc<Catalog>, Vec<Problem>> {
        from_files(&builtin_files()).map(Arc::new)
    }

    /// Every `*.toml` of `dir` (at most [`MAX_LESSON_FILES`], each a regular file of at
    /// most 1 MiB), and nothing else.
    pub fn from_dir(dir: &Path) -> Result<Arc<Catalog>, Vec<Problem>> {
        let (files, glossary) = dir_files(dir)?;
        let extra = glossary.as_ref().map(|(p, t)| (p.as_path(), t.as_str()));
        from_files_with(&files, extra).map(Arc::new)
    }

    /// The built-in lessons with an author's directory added: a lesson of `dir` whose id
    /// (file name) is a built-in's replaces it. Also the ids replaced, for the output to
    /// say so.
    pub fn with_dir(dir: &Path) -> Result<(Arc<Catalog>, Vec<String>), Vec<Problem>> {
        let (mine, glossary) = dir_files(dir)?;
        let replaced: Vec<String> = builtin_files()
            .iter()
            .filter_map(|(p, _)| stem(p))
            .filter(|s| mine.iter().any(|(m, _)| stem(m).as_ref() == Some(s)))
            .collect();
        let files = merged_files(mine);
        let extra = glossary.as_ref().map(|(p, t)| (p.as_path(), t.as_str()));
        from_files_with(&files, extra).map(|c| (Arc::new(c), replaced))
    }
}

/// A file's path and its text.
type FileText = (PathBuf, String);

/// A lesson file's id: its name without `.toml`.
fn stem(p: &Path) -> Option<String> {
    p.file_stem().map(|s| s.to_string_lossy().into_owned())
}

/// The built-in lesson files (from `lessons/` at build time).
fn builtin_files() -> Vec<FileText> {
    builtin::BUILTIN
        .iter()
        .map(|(p, t)| (PathBuf::from(p), (*t).to_string()))
        .collect()
}

/// The built-in lesson files with `mine` added, a file of `mine` replacing the built-in
/// one of its name; in file-name order.
fn merged_files(mine: Vec<FileText>) -> Vec<FileText> {
    let mut files: Vec<FileText> = builtin_files()
        .into_iter()
        .filter(|(p, _)| !mine.iter().any(|(m, _)| stem(m) == stem(p)))
        .collect();
    files.extend(mine);
    files.sort_by_key(|(p, _)| p.file_name().map(|n| n.to_os_string()));
    files
}

/// The lesson files of `dir`: every `*.toml` but the glossary (at most
/// [`MAX_LESSON_FILES`], each a regular file of at most 1 MiB), read; and its glossary,
/// if it has one.
fn dir_files(dir: &Path) -> Result<(Vec<FileText>, Option<FileText>), Vec<Problem>> {
    {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            vec![Problem::whole(
                dir,
                format!("cannot read the lessons directory: {e}"),
            )]
        })?;
        let is_glossary = |p: &Path| p.file_name().is_some_and(|n| n == glossary::FILE_NAME);
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && !is_glossary(p))
            .take(MAX_LESSON_FILES + 1)
            .collect();
        if paths.is_empty() {
            return Err(vec![Problem::whole(
                dir,
                "no lesson files (*.toml) in this directory: is it the right one?",
            )]);
        }
        if paths.len() > MAX_LESSON_FILES {
            return Err(vec![Problem::whole(
                dir,
                format!("more than {MAX_LESSON_FILES} lesson files: split the directory"),
            )]);
        }
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        let mut problems = Vec::new();
        for p in paths {
            match crate::files::read::read_text(&p) {
                Ok(t) => files.push((p, t)),
                Err(e) => problems.push(Problem::unreadable(&p, &e)),
            }
        }
        // The directory's glossary (not a lesson), if it has one: its terms are added.
        let gpath = dir.join(glossary::FILE_NAME);
        let gtext = match crate::files::read::read_text(&gpath) {
            Ok(t) => Some((gpath, t)),
            Err(_) if !gpath.exists() => None,
            Err(e) => {
                problems.push(Problem::unreadable(&gpath, &e));
                None
            }
        };
        if problems.is_empty() {
            Ok((files, gtext))
        } else {
            Err(problems)
        }
    }
}

/// Load lessons from `(path, text)` pairs and check them together: each file on its own
/// (keys, figures, knobs, solutions, `defines`), then across files (duplicate ids, unknown
/// or cyclic `requires`). Every problem found is reported, not only the first. The
/// glossary is the built-in one.
pub fn from_files(files: &[(PathBuf, String)]) -> Result<Catalog, Vec<Problem>> {
    from_files_with(files, None)
}

/// [`from_files`], with a lesson directory's own glossary file added to the built-in one.
pub fn from_files_with(
    files: &[(PathBuf, String)],
    extra_glossary: Option<(&Path, &str)>,
) -> Result<Catalog, Vec<Problem>> {
    let (catalog, problems) = from_files_partial(files, extra_glossary);
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(problems)
    }
}

/// [`from_files_with`], keeping what loaded: every problem, and a catalogue of the lessons
/// that loaded and whose `requires` did too (so that `lessons check` can replay them while
/// it reports the rest).
pub fn from_files_partial(
    files: &[(PathBuf, String)],
    extra_glossary: Option<(&Path, &str)>,
) -> (Catalog, Vec<Problem>) {
    let mut problems = Vec::new();
    let glossary = glossary::Glossary::with_extra(extra_glossary).unwrap_or_else(|mut p| {
        problems.append(&mut p);
        glossary::Glossary::default()
    });
    let glossary_ok = problems.is_empty();
    let mut lessons = Vec::with_capacity(files.len());
    let mut id_at = Vec::with_capacity(files.len());
    let mut term_uses = Vec::with_capacity(files.len());
    for (path, text) in files {
        let (loaded, mut p) = raw::parse(path, text);
        problems.append(&mut p);
        if let Some((lesson, id_pos)) = loaded {
            let (terms, mut p) = glossary::scan(&glossary, &lesson, text);
            if glossary_ok {
                problems.append(&mut p);
            }
            term_uses.push(terms);
            id_at.push(id_pos);
            lessons.push(lesson);
        }
    }
    // Across files only when every file loaded: a broken file's id is unknown, and
    // "no lesson has that id" would blame the files that need it.
    if problems.is_empty() {
        catalog_problems(&lessons, &id_at, &mut problems);
    } else {
        // Keep only lessons whose whole `requires` chain loaded.
        loop {
            let ids: Vec<String> = lessons.iter().map(|l| l.id.clone()).collect();
            let keep: Vec<bool> = lessons
                .iter()
                .map(|l| l.requires.iter().all(|r| ids.contains(r)))
                .collect();
            if keep.iter().all(|&k| k) {
                break;
            }
            let mut k = keep.iter();
            lessons.retain(|_| *k.next().unwrap_or(&false));
            let mut k = keep.iter();
            term_uses.retain(|_| *k.next().unwrap_or(&false));
        }
    }
    let catalog = Catalog {
        lessons,
        glossary: Arc::new(glossary),
        term_uses,
    };
    (catalog, problems)
}

/// Duplicate ids and numbers, unknown `requires`, and `requires` cycles.
fn catalog_problems(lessons: &[Lesson], id_at: &[(usize, usize)], out: &mut Vec<Problem>) {
    for i in 0..lessons.len() {
        lesson_problems(lessons, id_at, i, out);
    }
    cycle_problems(lessons, id_at, out);
}

/// Lesson `i` against the lessons before it (its id and number) and all of them (its
/// `requires`).
fn lesson_problems(lessons: &[Lesson], id_at: &[(usize, usize)], i: usize, out: &mut Vec<Problem>) {
    let at = |message: String| Problem {
        path: lessons[i].path.clone(),
        line: id_at[i].0,
        col: id_at[i].1,
        message,
    };
    let l = &lessons[i];
    let number = |o: &Lesson| o.number().parse::<u32>().ok();
    if let Some(j) = lessons[..i]
        .iter()
        .position(|o| o.id != l.id && number(o) == number(l))
    {
        out.push(at(format!(
            "lesson number {} is taken by '{}' too: give each lesson its own number",
            l.number(),
            lessons[j].id
        )));
    }
    if let Some(j) = lessons[..i].iter().position(|o| o.id == l.id) {
        out.push(at(format!(
            "duplicate lesson id '{}': {} has it too",
            l.id,
            lessons[j].path.display()
        )));
    }
    for (k, r) in l.requires.iter().enumerate() {
        if !lessons.iter().any(|o| &o.id == r) {
            let (line, col) = l.requires_at.get(k).copied().unwrap_or(id_at[i]);
            out.push(Problem {
                path: l.path.clone(),
                line,
                col,
                message: format!("requires '{r}', but no lesson has that id"),
            });
        }
    }
}

/// A lesson's state in the depth-first search for a `requires` cycle.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Colour {
    New,
    OnThePath,
    Done,
}

/// Every `requires` cycle, found depth-first, reported at the first lesson's entry that
/// closes the loop.
fn cycle_problems(lessons: &[Lesson], id_at: &[(usize, usize)], out: &mut Vec<Problem>) {
    let mut colour = vec![Colour::New; lessons.len()];
    for i in 0..lessons.len() {
        if colour[i] != Colour::New {
            continue;
        }
        let mut path = Vec::new();
        let Some(cycle) = visit(i, lessons, &mut colour, &mut path) else {
            continue;
        };
        let names: Vec<&str> = cycle.iter().map(|&k| lessons[k].id.as_str()).collect();
        let first = &lessons[cycle[0]];
        let k = first.requires.iter().position(|r| r == names[1]);
        let (line, col) = k
            .and_then(|k| first.requires_at.get(k).copied())
            .unwrap_or(id_at[cycle[0]]);
        out.push(Problem {
            path: first.path.clone(),
            line,
            col,
            message: format!("requires form a cycle: {}", names.join(" → ")),
        });
    }
}

/// Follow lesson `i`'s `requires`; a cycle met on the way, as the lessons around it.
fn visit(
    i: usize,
    lessons: &[Lesson],
    colour: &mut [Colour],
    path: &mut Vec<usize>,
) -> Option<Vec<usize>> {
    colour[i] = Colour::OnThePath;
    path.push(i);
    for r in &lessons[i].requires {
        let Some(j) = lessons.iter().position(|l| &l.id == r) else {
            continue;
        };
        if colour[j] == Colour::OnThePath {
            let from = path.iter().position(|&p| p == j).unwrap_or(0);
            let mut cycle = path[from..].to_vec();
            cycle.push(j);
            return Some(cycle);
        }
        if colour[j] == Colour::New
            && let Some(c) = visit(j, lessons, colour, path)
        {
            return Some(c);
        }
    }
    path.pop();
    colour[i] = Colour::Done;
    None
}

/// The lessons: the built-in ones, with an author's directory added (see [`Catalog::with_dir`]).
pub fn load(dir: Option<&Path>) -> Result<Arc<Catalog>, Vec<Problem>> {
    load_noting(dir).map(|(c, _)| c)
}

/// What `lessons check` needs even from lessons with problems: every problem of every
/// file, and a catalogue of the lessons that loaded, to replay.
pub fn load_partial(dir: Option<&Path>) -> (Option<Arc<Catalog>>, Vec<Problem>) {
    let files = match dir {
        None => Ok((builtin_files(), None)),
        Some(d) => dir_files(d).map(|(mine, g)| (merged_files(mine), g)),
    };
    match files {
        Err(p) => (None, p),
        Ok((files, glossary)) => {
            let extra = glossary.as_ref().map(|(p, t)| (p.as_path(), t.as_str()));
            let (cat, problems) = from_files_partial(&files, extra);
            (Some(Arc::new(cat)), problems)
        }
    }
}

/// [`load`], and a line for each built-in lesson that an author's lesson replaces.
pub fn load_noting(dir: Option<&Path>) -> Result<(Arc<Catalog>, Vec<String>), Vec<Problem>> {
    match dir {
        Some(d) => Catalog::with_dir(d).map(|(c, replaced)| {
            let notes = replaced
                .iter()
                .map(|id| format!("{id} from {} replaces the built-in {id}", d.display()))
                .collect();
            (c, notes)
        }),
        None => Catalog::builtin().map(|c| (c, Vec::new())),
    }
}

/// Problems, one `path:line:col: message` per line.
pub fn problems_text(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

/// A lesson by id, by its number (`6` or `06` for `06-…`; `1` is lesson 01, not 10–13),
/// or by a prefix of exactly one id (`06-throttle`).
pub fn find(cat: &Catalog, id: &str) -> Result<String, String> {
    if cat.get(id).is_some() {
        return Ok(id.to_string());
    }
    if let Ok(n) = id.parse::<u32>()
        && let Some(l) = cat.lessons.iter().find(|l| l.number().parse() == Ok(n))
    {
        return Ok(l.id.clone());
    }
    let matches: Vec<&str> = cat
        .lessons
        .iter()
        .map(|l| l.id.as_str())
        .filter(|l| l.starts_with(id))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(format!(
            "no lesson '{id}': `evtchn-lab lessons` lists them ({})",
            cat.lessons
                .iter()
                .map(|l| l.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        many => Err(format!("'{id}' could be {}: say which", many.join(" or "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids are file stems, so two files with one id can only come from two directories.
    #[test]
    fn a_duplicate_id_names_both_files() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/lessons/01-ports-and-bits.toml"
        ))
        .unwrap();
        let files = vec![
            (PathBuf::from("a/01-ports-and-bits.toml"), text.clone()),
            (PathBuf::from("b/01-ports-and-bits.toml"), text),
        ];
        let p = from_files(&files).unwrap_err();
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].to_string(),
            "b/01-ports-and-bits.toml:1:6: duplicate lesson id '01-ports-and-bits': \
             a/01-ports-and-bits.toml has it too"
        );
    }

    #[test]
    fn the_builtin_lessons_load() {
        let c = Catalog::builtin().unwrap_or_else(|p| panic!("{}", problems_text(&p)));
        for l in &c.lessons {
            assert!(!l.steps.is_empty(), "{}", l.id);
        }
    }

    #[test]
    fn a_lesson_is_found_by_id_number_or_unique_prefix() {
        let cat = Catalog::builtin().expect("the built-in lessons load");
        for (asked, found) in [
            ("06-throttle-law", "06-throttle-law"),
            ("06", "06-throttle-law"),
            ("6", "06-throttle-law"),
            // A number names one lesson, though 10-14 also start with "1".
            ("1", "01-ports-and-bits"),
            ("13", "13-fifo"),
            ("14", "14-five-conditions"),
            ("06-th", "06-throttle-law"),
        ] {
            assert_eq!(find(&cat, asked).as_deref(), Ok(found), "{asked}");
        }
        let e = find(&cat, "0").unwrap_err();
        assert!(e.contains("could be 01-ports-and-bits or"), "{e}");
        for missing in ["15", "1x", ""] {
            let e = find(&cat, missing).unwrap_err();
            assert!(
                e.contains("no lesson") || e.contains("could be"),
                "{missing:?}: {e}"
            );
        }
    }
}
