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
//! on a [`Sim`](crate::sim::Sim), `app::check` replays every solution headlessly (`evtchn-lab lessons check`),
//! [`progress`] keeps what a learner has done. The lesson screen lives in `app` and `ui`.

mod builtin;
mod catalog;
pub mod glossary;
mod goal;
pub mod lint;
pub mod progress;
mod prose;
mod raw;
pub mod strict;

use std::path::PathBuf;

pub use catalog::{
    Catalog, find, from_files, from_files_partial, from_files_with, load, load_noting,
    load_partial, problems_text,
};
pub use goal::{Check, CheckStatus, Cond, Goal, GoalStatus, Subject, setting_value};
pub use prose::{FigureRef, figure_refs, fill_figures, format_number, thousands};

pub use crate::diag::{Problem, line_col};
use crate::script::{Item, Script};
use crate::sim::params::named_enum;
use crate::sim::{Config, Figure, Knob, Setting};

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

/// A tick past an observe step's time: its reference wait ends with the step done.
pub const OBSERVE_SLACK_NS: u64 = 20_000_000;

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
}
