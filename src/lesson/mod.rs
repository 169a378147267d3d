//! Guided lessons: data, not code. One TOML file per lesson in `lessons/`, loaded and
//! checked here; goals are evaluated on the simulation's state, never on the keys pressed.
//!
//! ```toml
//! id = "06-throttle-law"            # equals the file stem
//! title = "The throttle law"
//! summary = "One line for the list."
//! requires = ["05-rogue-guest"]     # optional
//!
//! [[step]]
//! title = "..."
//! text = """Short paragraphs; `code` and *emphasis* render."""
//! scenario = { guest = "rogue", throttle = false }  # optional: restart from this config
//! unlock = ["throttle", "threshold"]                # knobs the learner may change now
//! hints = ["a nudge", "more specific"]
//! explain = """Shown when the goal is met."""
//! solution = ["t", "wait 2s"]                       # key names and waits (virtual time)
//! [step.goal]                                       # every entry must hold
//! throttle = true                                   # a knob's value
//! events_per_jiffy = { max = 2.5 }                  # a figure over the last virtual second
//! ```
//! Quiz steps carry `question`, `choices` (2–5) and `answer` (1-based) instead of a goal.
//!
//! Layers: [`load`] reads and validates files ([`Catalog`]), [`Goal::check`] evaluates a goal
//! on a [`Sim`], `app::check` replays every solution headlessly (`evtchn-lab lessons check`),
//! [`progress`] keeps what a learner has done. The lesson screen lives in `app` and `ui`.

pub mod glossary;
pub mod lint;
pub mod progress;
mod raw;
pub mod strict;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::diag::{Problem, line_col};
use crate::script::{Item, Script};
use crate::sim::metrics::HISTORY_NS;
use crate::sim::params::named_enum;
use crate::sim::{Config, Figure, FigureKind, Knob, Reading, Setting, Sim};

/// The most lesson files a directory may hold.
pub const MAX_LESSON_FILES: usize = 200;

/// The window a goal's figures are measured over unless it says otherwise.
pub const DEFAULT_WINDOW_NS: u64 = 1_000_000_000;

/// What a learner may change in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unlock {
    Knob(Knob),
    /// The hands-on port keys (`n`, `m`, `u`).
    Port,
}

impl Unlock {
    pub fn name(self) -> &'static str {
        match self {
            Unlock::Knob(k) => k.name(),
            Unlock::Port => "port",
        }
    }
}

/// A condition on a figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cond {
    /// `{ min = …, max = … }` (either may be absent).
    Range { min: Option<f64>, max: Option<f64> },
    /// A plain number: exactly this value.
    Equals(f64),
    /// `true` / `false` for a yes/no figure.
    Is(bool),
}

impl Cond {
    pub fn holds(self, v: f64) -> bool {
        match self {
            Cond::Range { min, max } => min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m),
            Cond::Equals(x) => (v - x).abs() < 1e-9,
            Cond::Is(b) => (v != 0.0) == b,
        }
    }

    /// The condition in words, for a plain number (a ratio).
    pub fn words_plain(self) -> String {
        let f = |x: f64| format!("{x}");
        match self {
            Cond::Range {
                min: Some(a),
                max: Some(b),
            } => format!("{} to {}", f(a), f(b)),
            Cond::Range {
                min: Some(a),
                max: None,
            } => format!("≥ {}", f(a)),
            Cond::Range {
                min: None,
                max: Some(b),
            } => format!("≤ {}", f(b)),
            Cond::Range {
                min: None,
                max: None,
            } => "anything".to_string(),
            Cond::Equals(x) => format!("= {}", f(x)),
            Cond::Is(b) => yes_no(b),
        }
    }

    /// The condition in words, with the figure's own formatting.
    pub fn words(self, f: Figure) -> String {
        match self {
            Cond::Range {
                min: Some(a),
                max: Some(b),
            } => format!("{} to {}", f.format(a), f.format(b)),
            Cond::Range {
                min: Some(a),
                max: None,
            } => format!("≥ {}", f.format(a)),
            Cond::Range {
                min: None,
                max: Some(b),
            } => format!("≤ {}", f.format(b)),
            Cond::Range {
                min: None,
                max: None,
            } => "anything".to_string(),
            Cond::Equals(x) => format!("= {}", f.format(x)),
            Cond::Is(b) => yes_no(b),
        }
    }
}

/// One entry of a goal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Check {
    /// A knob has this value.
    Knob(Setting),
    /// A figure, of one lane or of B over A, meets a condition.
    Figure {
        figure: Figure,
        cond: Cond,
        side: Side,
    },
    /// The lab shows a rewound moment (`<`), or the latest one: "go back to the last
    /// pause" is `rewound = true` with the state of that moment.
    Rewound(bool),
}

/// What a step asks for: every check must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    pub checks: Vec<Check>,
    /// The window figures are measured over.
    pub window_ns: u64,
    /// Virtual time every check must hold without a break before the goal counts as met
    /// (0: the moment they all hold).
    pub hold_ns: u64,
}

/// One line of a goal's live checklist.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckStatus {
    /// What is checked: "throttle", "events per jiffy".
    pub what: String,
    /// What is wanted: "off", "≤ 2.5".
    pub want: String,
    /// The value now ("on", "2.00"), or `None` while the window is still filling.
    pub now: Option<String>,
    pub ok: bool,
}

/// A goal evaluated now.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalStatus {
    pub checks: Vec<CheckStatus>,
    /// Virtual time the window figures still need before they count (0 when measured).
    pub filling_ns: u64,
    pub met: bool,
}

impl Goal {
    /// Whether any check reads a figure over a window (and so must wait for one).
    pub fn needs_window(&self) -> bool {
        self.checks.iter().any(
            |c| matches!(c, Check::Figure { figure, .. } if figure.kind() == FigureKind::Window),
        )
    }

    /// Whether any check reads the state of the moment (a port bit, a count since the
    /// step began): such a goal can hold for a few microseconds only, so the lab looks after
    /// every event instead of once per tick.
    pub fn needs_every_event(&self) -> bool {
        self.checks.iter().any(
            |c| matches!(c, Check::Figure { figure, .. } if figure.kind() != FigureKind::Window),
        )
    }

    /// Evaluate on lane A (and B, in a compare step): each lane's `mark` is its reading
    /// when the step began, `fresh_since_ns` the virtual time from which data counts (the
    /// step's start or the last knob change). Window figures count only once a whole window
    /// lies after `fresh_since_ns`, so a goal is never met on data from before the
    /// learner's last change.
    pub fn check(&self, a: Subject, b: Option<Subject>, fresh_since_ns: u64) -> GoalStatus {
        let filling_ns = self.filling_ns(a.sim, fresh_since_ns);
        let cfg = a.sim.config();
        let checks: Vec<CheckStatus> = self
            .checks
            .iter()
            .map(|c| {
                let (ok, value) = self.eval(c, a, b, filling_ns);
                match *c {
                    Check::Knob(want) => CheckStatus {
                        what: want.knob().label().to_string(),
                        want: setting_value(want),
                        now: Some(setting_value(want.knob().get(cfg))),
                        ok,
                    },
                    Check::Rewound(want) => CheckStatus {
                        what: "rewound".to_string(),
                        want: yes_no(want),
                        now: Some(yes_no(a.rewound)),
                        ok,
                    },
                    Check::Figure { figure, cond, side } => CheckStatus {
                        what: match side {
                            Side::A => figure.label().to_string(),
                            Side::B => format!("B: {}", figure.label()),
                            Side::Ratio => format!("B/A: {}", figure.label()),
                        },
                        want: match side {
                            Side::Ratio => cond.words_plain(),
                            _ => cond.words(figure),
                        },
                        now: value.map(|v| match side {
                            Side::Ratio => format!("{v:.2}"),
                            _ => figure.format(v),
                        }),
                        ok,
                    },
                }
            })
            .collect();
        let met = checks.iter().all(|c| c.ok);
        GoalStatus {
            checks,
            filling_ns,
            met,
        }
    }

    /// Whether the goal holds now: [`Goal::check`] without the words (it allocates nothing,
    /// so it can run after every event).
    pub fn holds(&self, a: Subject, b: Option<Subject>, fresh_since_ns: u64) -> bool {
        let filling_ns = self.filling_ns(a.sim, fresh_since_ns);
        self.checks.iter().all(|c| self.eval(c, a, b, filling_ns).0)
    }

    /// How long the window still needs to fill with data from after `fresh_since_ns`.
    fn filling_ns(&self, sim: &Sim, fresh_since_ns: u64) -> u64 {
        if !self.needs_window() {
            return 0;
        }
        let need = self.window_ns + HISTORY_NS;
        let age = sim.now_ns().saturating_sub(fresh_since_ns);
        need.saturating_sub(age)
    }

    /// One figure of one lane now. The window starts on the readings' grid at or before
    /// now - window: one grid step more keeps it from reaching back before that.
    fn value(&self, figure: Figure, s: Subject) -> f64 {
        let window = s.sim.last(self.window_ns);
        s.sim.figure(figure, &window, s.mark)
    }

    /// One check now: whether it holds, and the figure's value (`None` for a knob, while
    /// the window is still filling, or for lane B where there is none).
    fn eval(
        &self,
        c: &Check,
        a: Subject,
        b: Option<Subject>,
        filling_ns: u64,
    ) -> (bool, Option<f64>) {
        match *c {
            Check::Knob(want) => (want.knob().get(a.sim.config()) == want, None),
            Check::Rewound(want) => (a.rewound == want, None),
            Check::Figure { figure, cond, side } => {
                if figure.kind() == FigureKind::Window && filling_ns > 0 {
                    return (false, None);
                }
                let v = match (side, b) {
                    (Side::A, _) => self.value(figure, a),
                    (Side::B, Some(b)) => self.value(figure, b),
                    (Side::Ratio, Some(b)) => {
                        let under = self.value(figure, a);
                        if under == 0.0 {
                            return (false, None);
                        }
                        self.value(figure, b) / under
                    }
                    (_, None) => return (false, None),
                };
                (cond.holds(v), Some(v))
            }
        }
    }
}

/// One lane a goal reads: its simulation, and its reading when the step began.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    pub sim: &'a Sim,
    pub mark: &'a Reading,
    /// Whether the lab shows a rewound moment (lane A only: lanes rewind together).
    pub rewound: bool,
}

/// A yes/no value as the checklist says it.
fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// A setting's value alone: `on`, `fixed`, `3`.
pub fn setting_value(s: Setting) -> String {
    let full = s.to_string();
    full.split_once(' ')
        .map_or(full.clone(), |(_, v)| v.to_string())
}

/// What a step asks of the learner.
#[derive(Clone, Debug, PartialEq)]
pub enum Task {
    /// Reach a state of the simulation.
    Goal(Goal),
    /// Answer a question (digit keys); the explanation shows either way.
    Quiz {
        question: String,
        choices: Vec<String>,
        /// 0-based.
        answer: usize,
    },
    /// Watch the lab run: no goal and no question; `Enter` goes on once this much virtual
    /// time has passed since the step began (`observe = "3s"`).
    Observe { ns: u64 },
    /// Answer with a number (typed, then Enter): "too high" or "too low" until it is
    /// within the tolerance or the tries are used up; then the answer and the explanation.
    Number {
        question: String,
        answer: f64,
        tolerance: Tolerance,
        /// Tries before the answer is shown (at least 1).
        tries: u32,
        /// What the number counts ("events", "Mbit/s"), shown beside the input.
        unit: String,
    },
}

/// How close a numeric answer must be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// Within this much of the answer, either way.
    Absolute(f64),
    /// Within this fraction of the answer (`"10%"` is 0.1).
    Relative(f64),
}

impl Tolerance {
    /// Whether `given` is close enough to `answer`.
    pub fn accepts(self, answer: f64, given: f64) -> bool {
        let slack = match self {
            Tolerance::Absolute(d) => d,
            Tolerance::Relative(f) => (answer * f).abs(),
        };
        // A hair of slack for decimal answers typed exactly.
        (given - answer).abs() <= slack + answer.abs() * 1e-12
    }

    /// `± 5` or `± 10%`.
    pub fn words(self) -> String {
        match self {
            Tolerance::Absolute(d) => format!("± {d}"),
            Tolerance::Relative(f) => format!("± {}%", f * 100.0),
        }
    }
}

named_enum! {
    /// What a question may hide until it is answered, besides figures: kinds of log line.
    pub enum LogVeil {
        /// netback's verdict on an event (the EOI flow's "found TX work … → flagged …" and
        /// the code pane's lit branch).
        Verdict = "verdict",
    }
}

/// Something a question hides everywhere on screen until it is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Veiled {
    Figure(Figure),
    Log(LogVeil),
}

named_enum! {
    /// The live panes, by the names lesson files use.
    pub enum Pane {
        Ports = "ports",
        Throttle = "throttle",
        Counters = "counters",
        Throughput = "throughput",
        EoiFlow = "eoi_flow",
        Code = "code",
    }
}

/// Which lane a goal's figure is read from in a step that compares two lanes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Side {
    /// The lab's own lane (the only one outside compare steps).
    #[default]
    A,
    /// The second lane of a compare step.
    B,
    /// Lane B's value over lane A's.
    Ratio,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub title: String,
    pub text: String,
    /// Restart from this configuration when the step begins; `None`: go on as things are.
    pub scenario: Option<Config>,
    /// Start at this shared state (its scenario, actions and time) when the step begins.
    pub state: Option<crate::script::share::State>,
    pub unlock: Vec<Unlock>,
    /// `unlock = "all"`: a challenge. The text states a target, every knob is free, and
    /// the lab shows the reference solution's knob changes as a par.
    pub challenge: bool,
    /// What a question hides until it is answered (question steps only).
    pub veil: Vec<Veiled>,
    /// The panes the step's text and goal refer to: the lesson layout shows them.
    pub panes: Vec<Pane>,
    /// A second lane, with these knobs changed from the first (`compare = { … }`): both
    /// run side by side, and goals may read lane B (`b.FIGURE`) and B/A (`ratio.FIGURE`).
    pub compare: Vec<Setting>,
    /// Figures shown in the lesson pane, live, without being a goal (`show = [...]`).
    pub show: Vec<Figure>,
    pub hints: Vec<String>,
    pub explain: String,
    /// The reference solution, as written in the file.
    pub solution_text: Vec<String>,
    pub solution: Script,
    pub task: Task,
    /// Where the step starts in its file (for messages).
    pub line: usize,
    /// Where its answer, choices and hints are (for the lints' messages).
    pub places: lint::Places,
    /// Where its question is (its start line on a goal step).
    pub question_line: usize,
}

impl Step {
    /// Whether the step asks a question (choices or a number) rather than a goal.
    pub fn is_quiz(&self) -> bool {
        matches!(self.task, Task::Quiz { .. } | Task::Number { .. })
    }

    /// The keys that solve the step: its solution, or for a question without one the keys
    /// of its answer (a choice's digit; a number's digits, then Enter). What `lessons
    /// check`, demos and reopening a lesson at a later step play.
    pub fn reference_script(&self) -> Script {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let key = |c| Item::Key(KeyEvent::new(c, KeyModifiers::NONE));
        match &self.task {
            _ if !self.solution.items.is_empty() => self.solution.clone(),
            Task::Quiz { answer, .. } => Script {
                items: vec![key(KeyCode::Char(char::from(b'1' + *answer as u8)))],
            },
            Task::Number { answer, .. } => Script {
                items: format_number(*answer)
                    .chars()
                    .map(|c| key(KeyCode::Char(c)))
                    .chain([key(KeyCode::Enter)])
                    .collect(),
            },
            Task::Goal(_) => self.solution.clone(),
            Task::Observe { ns } => Script {
                items: vec![Item::Wait(ns + OBSERVE_SLACK_NS)],
            },
        }
    }

    /// The question's text, on a question step.
    pub fn question(&self) -> Option<&str> {
        match &self.task {
            Task::Quiz { question, .. } | Task::Number { question, .. } => Some(question),
            Task::Goal(_) | Task::Observe { .. } => None,
        }
    }

    /// How many choices the step's question has (`None`: not a question).
    pub fn quiz_choices(&self) -> Option<usize> {
        match &self.task {
            Task::Quiz { choices, .. } => Some(choices.len()),
            _ => None,
        }
    }

    pub fn unlocks(&self, u: Unlock) -> bool {
        self.unlock.contains(&u)
    }
}

/// One lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub requires: Vec<String>,
    /// Glossary terms this lesson introduces (a later lesson that uses one requires it).
    pub defines: Vec<String>,
    pub steps: Vec<Step>,
    /// The file it came from (as named in messages).
    pub path: PathBuf,
    /// Where each `requires` entry is in the file (line, column), for messages.
    pub requires_at: Vec<(usize, usize)>,
    /// A file with problems in some step still loads, for `lessons check` alone, with the
    /// steps before the first broken one (numbered from 0): those are replayed, so that
    /// a slip in one step hides no failing solution before it. `None`: the whole lesson.
    pub cut_at: Option<usize>,
}

impl Lesson {
    /// "06": the number in front of the id, for short labels.
    pub fn number(&self) -> &str {
        self.id.split('-').next().unwrap_or(&self.id)
    }
}

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
    BUILTIN
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

// The lesson files, embedded at build time (`build.rs` lists `lessons/*.toml`).
include!(concat!(env!("OUT_DIR"), "/builtin_lessons.rs"));

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

/// Duplicate ids, unknown `requires`, and `requires` cycles.
fn catalog_problems(lessons: &[Lesson], id_at: &[(usize, usize)], out: &mut Vec<Problem>) {
    let at = |i: usize, message: String| Problem {
        path: lessons[i].path.clone(),
        line: id_at[i].0,
        col: id_at[i].1,
        message,
    };
    for (i, l) in lessons.iter().enumerate() {
        let number = |o: &Lesson| o.number().parse::<u32>().ok();
        if let Some(j) = lessons[..i]
            .iter()
            .position(|o| o.id != l.id && number(o) == number(l))
        {
            out.push(at(
                i,
                format!(
                    "lesson number {} is taken by '{}' too: give each lesson its own number",
                    l.number(),
                    lessons[j].id
                ),
            ));
        }
        if let Some(j) = lessons[..i].iter().position(|o| o.id == l.id) {
            out.push(at(
                i,
                format!(
                    "duplicate lesson id '{}': {} has it too",
                    l.id,
                    lessons[j].path.display()
                ),
            ));
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
    // A cycle: follow `requires` depth-first, three colours.
    let n = lessons.len();
    let mut colour = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    fn visit(
        i: usize,
        lessons: &[Lesson],
        colour: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        colour[i] = 1;
        path.push(i);
        for r in &lessons[i].requires {
            let Some(j) = lessons.iter().position(|l| &l.id == r) else {
                continue;
            };
            if colour[j] == 1 {
                let from = path.iter().position(|&p| p == j).unwrap_or(0);
                let mut cycle = path[from..].to_vec();
                cycle.push(j);
                return Some(cycle);
            }
            if colour[j] == 0
                && let Some(c) = visit(j, lessons, colour, path)
            {
                return Some(c);
            }
        }
        path.pop();
        colour[i] = 2;
        None
    }
    for i in 0..n {
        if colour[i] == 0 {
            let mut path = Vec::new();
            if let Some(cycle) = visit(i, lessons, &mut colour, &mut path) {
                let names: Vec<&str> = cycle.iter().map(|&k| lessons[k].id.as_str()).collect();
                // At the first lesson's entry that closes the loop.
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
    }
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

/// A tick past an observe step's time: its reference wait ends with the step done.
pub const OBSERVE_SLACK_NS: u64 = 20_000_000;

/// A figure named in prose: `{goodput_mbps}` (lane A), and in a compare step
/// `{b.goodput_mbps}` (lane B) or `{ratio.goodput_mbps}` (B over A).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FigureRef {
    pub side: Side,
    pub figure: Figure,
}

impl FigureRef {
    /// Lane A's figure: the lab's own lane.
    pub fn a(figure: Figure) -> Self {
        FigureRef {
            side: Side::A,
            figure,
        }
    }

    /// The value as prose shows it: the figure's own format with thousands separators, as
    /// the panes write counts (`192,587`), a ratio with two decimals.
    pub fn format(self, v: f64) -> String {
        match self.side {
            Side::Ratio => format!("{v:.2}"),
            Side::A | Side::B => thousands(&self.figure.format(v)),
        }
    }
}

/// The figures a text names in braces (`{goodput_mbps}`, `{b.goodput_mbps}`), in order,
/// with the byte range of each reference; names that are not figures are returned as
/// `Err(name)` (without its lane) so a loader can say so.
pub fn figure_refs(text: &str) -> Vec<(std::ops::Range<usize>, Result<FigureRef, String>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| from + i) {
        let rest = &text[open + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        if len > 0 && rest[len..].starts_with('}') {
            let whole = &rest[..len];
            let (side, name) = match whole.split_once('.') {
                Some(("b", n)) => (Side::B, n),
                Some(("ratio", n)) => (Side::Ratio, n),
                _ => (Side::A, whole),
            };
            let range = open..open + len + 2;
            let figure = name
                .parse::<Figure>()
                .map(|figure| FigureRef { side, figure })
                .map_err(|_| name.to_string());
            out.push((range, figure));
            from = open + len + 2;
        } else {
            from = open + 1;
        }
    }
    out
}

/// `text` with each `{figure}` replaced by `value(figure)` (or left as it is where that
/// gives nothing).
pub fn fill_figures(text: &str, value: impl Fn(FigureRef) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, f) in figure_refs(text) {
        out.push_str(&text[last..range.start]);
        match f.ok().and_then(&value) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&text[range.clone()]),
        }
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// `number` (as written: `-192587.5`, `yes`) with a `,` between each three digits of its
/// whole part: `-192,587.5`; what does not start with a digit, as it is.
pub fn thousands(number: &str) -> String {
    let body = number.strip_prefix('-').unwrap_or(number);
    let digits = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    if digits == 0 {
        return number.to_string();
    }
    let mut out = String::with_capacity(number.len() + digits / 3);
    if body.len() < number.len() {
        out.push('-');
    }
    for (i, c) in body[..digits].chars().enumerate() {
        if i > 0 && (digits - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(&body[digits..]);
    out
}

/// A number as the keys type it: no exponent, no more decimals than it needs.
pub fn format_number(x: f64) -> String {
    let mut s = format!("{x:.6}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_in_prose_group_their_thousands() {
        let events = FigureRef::a(Figure::EventsSent);
        assert_eq!(events.format(192_587.0), "192,587");
        assert_eq!(events.format(999.0), "999");
        assert_eq!(events.format(1_000_000.0), "1,000,000");
        assert_eq!(FigureRef::a(Figure::Dom0CpuPct).format(1234.56), "1,234.6");
        assert_eq!(FigureRef::a(Figure::PortMasked).format(1.0), "yes");
        assert_eq!(thousands("-12345.5"), "-12,345.5");
        // The figure's own format (what `lessons check` prints) stays plain.
        assert_eq!(Figure::EventsSent.format(192_587.0), "192587");
    }

    #[test]
    fn line_and_column_count_characters() {
        let t = "ab\ncdé\nfg";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 8), (3, 1));
        assert_eq!(line_col(t, 6), (2, 3));
    }

    #[test]
    fn conditions_read_and_hold() {
        let r = Cond::Range {
            min: Some(1.0),
            max: None,
        };
        assert!(r.holds(1.0) && !r.holds(0.5));
        assert_eq!(r.words(Figure::EventsSinceStep), "≥ 1");
        assert_eq!(Cond::Is(true).words(Figure::PortMasked), "yes");
        assert!(Cond::Is(false).holds(0.0));
        assert!(Cond::Equals(2.0).holds(2.0) && !Cond::Equals(2.0).holds(3.0));
    }

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
}

#[cfg(test)]
mod find_tests {
    use super::*;

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
