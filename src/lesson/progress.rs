//! What a learner has done: steps met, hints used, where to come back to.
//!
//! [`Progress`] is plain data the app updates; [`Store`] reads and writes it, and is the
//! only part that touches the disk. The file is
//! `$EVTCHN_LAB_STATE_DIR/progress.toml`, or `$XDG_STATE_HOME/evtchn-lab/progress.toml`, or
//! `~/.local/state/evtchn-lab/progress.toml`. Progress is never lost silently:
//! - writes go through the one writer ([`crate::files::write`]): a temporary file beside it
//!   (an unguessable name, never through a link), fsync, rename, fsync of the directory, so
//!   a crash leaves the old file or the new one, never half of one. A `progress.toml` that
//!   is a symbolic link (into a dotfiles repository, say) is written through: the file it
//!   names is replaced, the link stays;
//! - it is read bounded ([`crate::files::read`]): a FIFO, a device (a link to
//!   `/dev/zero`), a directory or a file over 1 MiB is refused at once, and the lab goes on
//!   without saving;
//! - a file that cannot be parsed is moved aside (`progress.toml.corrupt-<time>`, with
//!   `-2`, `-3`… when that name is taken: one moved aside is never overwritten) with a
//!   message;
//! - a file from a newer evtchn-lab (any format number above this one's, however large),
//!   or one that cannot be read, is left alone and nothing is saved this session (the lab
//!   says so);
//! - a directory that cannot be written is a warning: the lab goes on;
//! - two labs on one state directory lose nothing: each save merges (see [`merge`]).
//!
//! **Saving with another lab open.** Each save takes an advisory lock (`flock` on the state
//! directory itself; waited for at most [`LOCK_WAIT`]), reads the
//! file again, merges this session's changes into it, writes it through the one writer and
//! lets the lock go. *This session's changes* are what its progress has beyond what it last
//! knew of the file (the progress it read at start, then what it wrote at each save): see
//! [`merge`] for the rule.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::Lesson;
use crate::files::read::{ReadError, read_text};
use crate::files::write;

/// The progress file's format version. 2 added `first_try`; a version-1 file reads as is
/// (it is saved as 2), and a lab of version 1 leaves a version-2 file alone (newer).
pub const VERSION: u32 = 2;
/// The file's name in the state directory.
pub const FILE: &str = "progress.toml";
/// How long a save waits for another lab's save to let the lock go.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

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
    /// Questions, by step (0-based, as a string): whether the first answer given was right.
    /// The first one stands, whatever comes after (a restart, another lab).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub first_try: BTreeMap<String, bool>,
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

/// `disk` (the file as it is now) with this session's changes merged in: `mine` is this
/// session's progress, `base` what it last knew of the file (read at start, then written
/// at each save). The rule:
/// - everything on disk is kept: lessons, steps and hints another lab saved are never lost;
/// - for each lesson in `mine`: done steps and solutions shown are the union of both (the
///   lab only ever adds to them), hints per step the larger count; a lesson not on disk is
///   taken whole;
/// - `step` (where to come back to) is this session's only where this session moved it
///   (it differs from `base`), else the file's: a lab that restarted a step or went back
///   to a done lesson's start keeps that, and a lab that merely has a lesson open does not
///   put back an older position over another lab's;
/// - `last` likewise: this session's if it opened another lesson than `base` says, else
///   the file's.
pub fn merge(disk: &Progress, base: &Progress, mine: &Progress) -> Progress {
    let mut out = disk.clone();
    out.version = VERSION;
    for (id, m) in &mine.lessons {
        let Some(o) = out.lessons.get_mut(id) else {
            out.lessons.insert(id.clone(), m.clone());
            continue;
        };
        o.done_steps.extend(&m.done_steps);
        o.solutions_shown.extend(&m.solutions_shown);
        for (step, &right) in &m.first_try {
            o.first_try.entry(step.clone()).or_insert(right);
        }
        for (step, &n) in &m.hints {
            let h = o.hints.entry(step.clone()).or_default();
            *h = (*h).max(n);
        }
        if base.lesson(id).map(|b| b.step) != Some(m.step) {
            o.step = m.step;
        }
    }
    if mine.last != base.last {
        out.last.clone_from(&mine.last);
    }
    out
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
    /// What this session last knew of the file: read at start, then written at each save.
    /// This session's changes are what its progress has beyond it ([`merge`]).
    base: RefCell<Progress>,
}

/// A save done: the progress now in the file (this session's merged with other labs'), and
/// what to tell the learner, if anything (a file moved aside meanwhile).
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub progress: Progress,
    pub notice: Option<String>,
}

/// What the file on disk holds.
enum OnDisk {
    Missing,
    Usable(Progress),
    /// From a newer evtchn-lab: its format number.
    Newer(String),
    /// Unparsable: why (line and column).
    Corrupt(String),
    Unreadable(ReadError),
}

/// Read and recognise the progress file at `path`.
fn read_disk(path: &Path) -> OnDisk {
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => return OnDisk::Missing,
        Err(e) => return OnDisk::Unreadable(e),
    };
    // The version first, so a newer file is recognised even if its fields changed.
    if let Some(v) = newer_version(&text) {
        return OnDisk::Newer(v);
    }
    match toml::from_str::<Progress>(&text) {
        Ok(p) if (1..=VERSION).contains(&p.version) => OnDisk::Usable(p),
        Ok(p) => OnDisk::Corrupt(format!("format {} is not {VERSION}", p.version)),
        Err(e) => {
            let (line, col) = super::line_col(&text, e.span().map_or(0, |s| s.start));
            OnDisk::Corrupt(format!(
                "line {line}, column {col}: {}",
                e.message().trim_end()
            ))
        }
    }
}

/// The file's format number when it is above this one's, read leniently: any size (past
/// `u32`, past what TOML reads as an integer), so such a file is "newer", never "corrupt".
fn newer_version(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct VersionOnly {
        version: Option<toml::Value>,
    }
    let digits = match toml::from_str::<VersionOnly>(text) {
        Ok(VersionOnly {
            version: Some(toml::Value::Integer(v)),
        }) => v.to_string(),
        Ok(_) => return None,
        // Not TOML as a whole (an integer too large for it, say): the top-level line.
        Err(_) => text
            .lines()
            .map(str::trim)
            .take_while(|l| !l.starts_with('['))
            .find_map(|l| {
                let v = l.strip_prefix("version")?.trim_start().strip_prefix('=')?;
                let d: String = v
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '_')
                    .filter(|c| *c != '_')
                    .collect();
                (!d.is_empty()).then_some(d)
            })?,
    };
    let significant = digits.trim_start_matches('0');
    let newer = significant.len() > 10
        || significant
            .parse::<u64>()
            .is_ok_and(|v| v > u64::from(VERSION));
    newer.then(|| significant.to_string())
}

/// An advisory lock on the state directory itself (`flock` on its open descriptor), let
/// go on drop: nothing is left beside the progress file, and there is no lock file to plant
/// a link on. `None` where the directory cannot be opened or locked (a file system without
/// `flock`): the save goes on unlocked.
struct Lock(#[allow(dead_code)] Option<File>);

impl Lock {
    /// Wait for the lock at most [`LOCK_WAIT`] (another lab's save takes milliseconds; a
    /// lab stopped mid-save must not hang this one).
    fn take(dir: &Path) -> Result<Lock, String> {
        let Ok(file) = File::open(dir) else {
            return Ok(Lock(None));
        };
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            let end = Instant::now() + LOCK_WAIT;
            loop {
                // SAFETY: flock(2) on a file descriptor this function owns.
                if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                    return Ok(Lock(Some(file)));
                }
                let e = io::Error::last_os_error();
                match e.kind() {
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => {}
                    _ => return Ok(Lock(None)),
                }
                if Instant::now() >= end {
                    return Err(format!(
                        "another evtchn-lab has held the lock on {} for over {} s",
                        dir.display(),
                        LOCK_WAIT.as_secs()
                    ));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        #[cfg(not(unix))]
        Ok(Lock(Some(file)))
    }
}

impl Store {
    fn new(path: PathBuf, writable: bool, base: &Progress) -> Store {
        Store {
            path,
            writable,
            base: RefCell::new(base.clone()),
        }
    }

    /// Read the progress in `dir` without changing anything on disk (listings): a file that
    /// cannot be used gives empty progress and a warning, and stays where it is.
    pub fn open_read_only(dir: &Path) -> (Store, Progress, Option<String>) {
        let path = dir.join(FILE);
        let empty = Progress::default();
        let warn = match read_disk(&path) {
            OnDisk::Missing => None,
            OnDisk::Usable(p) => return (Store::new(path, false, &p), p, None),
            OnDisk::Unreadable(e) => Some(format!("cannot read {}: {e}", path.display())),
            OnDisk::Newer(_) | OnDisk::Corrupt(_) => Some(format!(
                "{} cannot be read; the lab will say more",
                path.display()
            )),
        };
        (Store::new(path, false, &empty), empty, warn)
    }

    /// Open the progress in `dir`. Returns the store, the progress (empty when there is
    /// none or it cannot be used), and a message for the learner when something was off.
    pub fn open(dir: &Path) -> (Store, Progress, Option<String>) {
        let path = dir.join(FILE);
        let empty = Progress::default();
        // Another lab's save in progress is waited for (a lock that cannot be had is no
        // reason not to read).
        let _lock = Lock::take(dir);
        remove_stale_temps(dir);
        let (writable, progress, msg) = match read_disk(&path) {
            OnDisk::Missing => (true, empty, None),
            OnDisk::Usable(p) => (true, p, None),
            OnDisk::Unreadable(e) => (
                false,
                empty,
                Some(format!(
                    "cannot read {}: {e}; progress is not saved this session",
                    path.display()
                )),
            ),
            OnDisk::Newer(v) => (
                false,
                empty,
                Some(format!(
                    "{} was written by a newer evtchn-lab (format {v}, this one reads \
                     {VERSION}); it is left as it is and progress is not saved this session",
                    path.display()
                )),
            ),
            OnDisk::Corrupt(why) => {
                let (moved, msg) = move_aside(&path, &why);
                (moved, empty, Some(msg))
            }
        };
        (Store::new(path, writable, &progress), progress, msg)
    }

    /// Save `p`: merged into the file as it is now (another lab may have saved since), see
    /// the module's documentation. An error says what failed; the file is untouched then.
    pub fn save(&self, p: &Progress) -> Result<(), String> {
        self.save_merged(p).map(|_| ())
    }

    /// [`Store::save`], returning the progress now in the file (this session's and other
    /// labs'), and a notice when the file had to be moved aside first.
    pub fn save_merged(&self, mine: &Progress) -> Result<Saved, String> {
        if !self.writable {
            return Ok(Saved {
                progress: mine.clone(),
                notice: None,
            });
        }
        let fail =
            |what: String| format!("cannot save progress to {} ({what})", self.path.display());
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(|e| fail(format!("creating the directory: {e}")))?;
        let _lock = Lock::take(dir).map_err(fail)?;
        let mut notice = None;
        let disk = match read_disk(&self.path) {
            OnDisk::Missing => Progress::default(),
            OnDisk::Usable(p) => p,
            OnDisk::Newer(v) => {
                return Err(fail(format!(
                    "a newer evtchn-lab wrote it meanwhile, format {v}; it is left as it is"
                )));
            }
            OnDisk::Unreadable(e) => return Err(fail(format!("reading it again: {e}"))),
            OnDisk::Corrupt(why) => match move_aside(&self.path, &why) {
                (true, msg) => {
                    notice = Some(msg);
                    Progress::default()
                }
                (false, msg) => return Err(msg),
            },
        };
        let merged = merge(&disk, &self.base.borrow(), mine);
        let text =
            toml::to_string(&merged).map_err(|e| fail(format!("cannot encode progress: {e}")))?;
        write::write_whole(&self.path, text.as_bytes()).map_err(|e| fail(e.to_string()))?;
        self.base.replace(merged.clone());
        Ok(Saved {
            progress: merged,
            notice,
        })
    }
}

/// Move the unusable file at `path` aside (the file a link names, beside it: the link
/// stays) under a name not taken yet; whether it was moved, and the message.
fn move_aside(path: &Path, why: &str) -> (bool, String) {
    let moved = write::real_path(path).and_then(|real| {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let name = real
            .file_name()
            .map_or_else(|| FILE.into(), |n| n.to_string_lossy().into_owned());
        let mut n = 1;
        loop {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            let aside = real.with_file_name(format!("{name}.corrupt-{stamp}{suffix}"));
            match rename_no_replace(&real, &aside) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                r => return r.map(|()| aside),
            }
        }
    });
    match moved {
        Ok(aside) => (
            true,
            format!(
                "{} could not be read ({why}); it was moved to {} and progress starts afresh",
                path.display(),
                aside.display()
            ),
        ),
        Err(e) => (
            false,
            format!(
                "{} could not be read ({why}) nor moved aside ({e}); it is left as it is and \
                 progress is not saved this session",
                path.display()
            ),
        ),
    }
}

/// Rename `from` to `to` unless `to` exists (`AlreadyExists` then): a hard link then the
/// old name removed; where hard links cannot be made, a rename after a look.
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if fs::symlink_metadata(to).is_ok() => Err(io::ErrorKind::AlreadyExists.into()),
        Err(_) => fs::rename(from, to),
    }
}

/// Temporary files left by a crash between write and rename: the real file is intact, so
/// they are only clutter. Recent ones may belong to another lab writing right now. Both
/// the writer's (`.progress.toml.*.tmp`) and the older `progress.toml.tmp-PID`.
fn remove_stale_temps(dir: &Path) {
    let older = format!("{FILE}.tmp-");
    write::remove_stale_temps(dir, Duration::from_secs(60), |name| {
        write::is_temp_of(name, FILE.as_ref()) || name.to_string_lossy().starts_with(&older)
    });
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
