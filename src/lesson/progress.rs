//! What a learner has done: steps met, hints used, where to come back to.
//!
//! [`Progress`] is plain data the app updates; [`Store`] reads and writes it, and is the
//! only part that touches the disk. The file is
//! `$EVTCHN_LAB_STATE_DIR/progress.toml`, or `$XDG_STATE_HOME/evtchn-lab/progress.toml`, or
//! `~/.local/state/evtchn-lab/progress.toml`. Progress is never lost silently:
//! - writes are atomic (a temporary file beside it, fsync, rename, fsync of the directory),
//!   so a crash leaves the old file or the new one, never half of one;
//! - a file that cannot be parsed is moved aside (`progress.toml.corrupt-<time>`) with a
//!   message, never overwritten;
//! - a file from a newer evtchn-lab, or one that cannot be read, is left alone and nothing
//!   is saved this session (the lab says so);
//! - a directory that cannot be written is a warning: the lab goes on.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Lesson;

/// The progress file's format version.
pub const VERSION: u32 = 1;
/// The file's name in the state directory.
pub const FILE: &str = "progress.toml";

/// Everything the learner has done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub version: u32,
    /// The lesson last opened ("continue where you left off").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            version: VERSION,
            last: None,
            lessons: BTreeMap::new(),
        }
    }
}

/// One lesson's progress.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonProgress {
    /// The step to come back to (0-based).
    #[serde(default)]
    pub step: usize,
    /// Steps whose goal was met or whose question was answered (0-based).
    #[serde(default)]
    pub done_steps: BTreeSet<usize>,
    /// Hints revealed, by step (0-based, as a string: TOML keys are strings).
    #[serde(default)]
    pub hints: BTreeMap<String, usize>,
    /// Steps whose solution was shown.
    #[serde(default)]
    pub solutions_shown: BTreeSet<usize>,
}

/// A lesson's status in the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    New,
    InProgress { done: usize, of: usize },
    Done,
}

impl Status {
    /// `new`, `in_progress`, `done` (the JSON of `lessons --json`).
    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress { .. } => "in_progress",
            Status::Done => "done",
        }
    }
}

impl Progress {
    pub fn lesson(&self, id: &str) -> Option<&LessonProgress> {
        self.lessons.get(id)
    }

    pub fn lesson_mut(&mut self, id: &str) -> &mut LessonProgress {
        self.lessons.entry(id.to_string()).or_default()
    }

    /// Steps of `lesson` done (only those that still exist in the file).
    pub fn steps_done(&self, lesson: &Lesson) -> usize {
        self.lesson(&lesson.id).map_or(0, |p| {
            p.done_steps
                .iter()
                .filter(|&&s| s < lesson.steps.len())
                .count()
        })
    }

    pub fn status(&self, lesson: &Lesson) -> Status {
        let of = lesson.steps.len();
        match (self.lesson(&lesson.id), self.steps_done(lesson)) {
            (None, _) => Status::New,
            (Some(_), done) if done >= of => Status::Done,
            (Some(_), done) => Status::InProgress { done, of },
        }
    }

    /// The step to open `lesson` at: where the learner left it, within the lesson.
    pub fn resume_step(&self, lesson: &Lesson) -> usize {
        self.lesson(&lesson.id)
            .map_or(0, |p| p.step.min(lesson.steps.len().saturating_sub(1)))
    }
}

/// Where progress is kept: `EVTCHN_LAB_STATE_DIR`, else `$XDG_STATE_HOME/evtchn-lab`, else
/// `$HOME/.local/state/evtchn-lab`. `None` when none of them is set.
pub fn state_dir() -> Option<PathBuf> {
    let var = |k| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("EVTCHN_LAB_STATE_DIR")
        .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("evtchn-lab")))
        .or_else(|| var("HOME").map(|h| h.join(".local/state/evtchn-lab")))
}

/// The progress file and whether this session may write it.
#[derive(Clone, Debug)]
pub struct Store {
    pub path: PathBuf,
    /// False when the file on disk must not be replaced (newer version, unreadable).
    pub writable: bool,
}

impl Store {
    /// Read the progress in `dir` without changing anything on disk (listings): a file that
    /// cannot be used gives empty progress and a warning, and stays where it is.
    pub fn open_read_only(dir: &Path) -> (Store, Progress, Option<String>) {
        let path = dir.join(FILE);
        let store = Store {
            path: path.clone(),
            writable: false,
        };
        match fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (store, Progress::default(), None)
            }
            Err(e) => (
                store,
                Progress::default(),
                Some(format!("cannot read {}: {e}", path.display())),
            ),
            Ok(text) => match toml::from_str::<Progress>(&text) {
                Ok(p) if p.version == VERSION => (store, p, None),
                _ => (
                    store,
                    Progress::default(),
                    Some(format!(
                        "{} cannot be read; the lab will say more",
                        path.display()
                    )),
                ),
            },
        }
    }

    /// Open the progress in `dir`. Returns the store, the progress (empty when there is
    /// none or it cannot be used), and a message for the learner when something was off.
    pub fn open(dir: &Path) -> (Store, Progress, Option<String>) {
        let path = dir.join(FILE);
        let mut store = Store {
            path: path.clone(),
            writable: true,
        };
        remove_stale_temps(dir);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (store, Progress::default(), None);
            }
            Err(e) => {
                store.writable = false;
                let msg = format!(
                    "cannot read {}: {e}; progress is not saved this session",
                    path.display()
                );
                return (store, Progress::default(), Some(msg));
            }
        };
        // The version first, so a newer file is recognised even if its fields changed.
        #[derive(Deserialize)]
        struct VersionOnly {
            version: Option<u32>,
        }
        if let Ok(VersionOnly { version: Some(v) }) = toml::from_str::<VersionOnly>(&text)
            && v > VERSION
        {
            store.writable = false;
            let msg = format!(
                "{} was written by a newer evtchn-lab (format {v}, this one reads {VERSION}); \
                 it is left as it is and progress is not saved this session",
                path.display()
            );
            return (store, Progress::default(), Some(msg));
        }
        match toml::from_str::<Progress>(&text) {
            Ok(p) if p.version == VERSION => (store, p, None),
            Ok(p) => {
                let why = format!("format {} is not {VERSION}", p.version);
                store.move_aside(&why)
            }
            Err(e) => {
                let (line, col) = super::line_col(&text, e.span().map_or(0, |s| s.start));
                let why = format!("line {line}, column {col}: {}", e.message().trim_end());
                store.move_aside(&why)
            }
        }
    }

    /// Move an unusable file aside and start fresh; if it cannot be moved, keep it and do
    /// not save over it.
    fn move_aside(mut self, why: &str) -> (Store, Progress, Option<String>) {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let aside = self.path.with_file_name(format!("{FILE}.corrupt-{stamp}"));
        let msg = match fs::rename(&self.path, &aside) {
            Ok(()) => format!(
                "{} could not be read ({why}); it was moved to {} and progress starts afresh",
                self.path.display(),
                aside.display()
            ),
            Err(e) => {
                self.writable = false;
                format!(
                    "{} could not be read ({why}) nor moved aside ({e}); it is left as it is \
                     and progress is not saved this session",
                    self.path.display()
                )
            }
        };
        (self, Progress::default(), Some(msg))
    }

    /// Write `p` atomically. An error says what failed; the old file is untouched then.
    pub fn save(&self, p: &Progress) -> Result<(), String> {
        if !self.writable {
            return Ok(());
        }
        let text = toml::to_string(p).map_err(|e| format!("cannot encode progress: {e}"))?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let fail = |what: &str, e: std::io::Error| {
            format!(
                "cannot save progress to {} ({what}: {e})",
                self.path.display()
            )
        };
        fs::create_dir_all(dir).map_err(|e| fail("creating the directory", e))?;
        let tmp = dir.join(format!("{FILE}.tmp-{}", std::process::id()));
        let written = (|| -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            // The rename itself is durable once the directory is synced (not on every OS).
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        written.map_err(|e| {
            let _ = fs::remove_file(&tmp);
            fail("writing", e)
        })
    }
}

/// Temporary files left by a crash between write and rename: the real file is intact, so
/// they are only clutter. Recent ones may belong to another lab writing right now.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!("{FILE}.tmp-");
    let old = |e: &fs::DirEntry| {
        e.metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 60)
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) && old(&e) {
            let _ = fs::remove_file(e.path());
        }
    }
}
/// The learner's progress, read only (for listings); a warning when it could not be read.
pub fn read_progress() -> (Progress, Option<String>) {
    match state_dir() {
        Some(d) => {
            let (_, p, warn) = Store::open_read_only(&d);
            (p, warn)
        }
        None => (Progress::default(), None),
    }
}
