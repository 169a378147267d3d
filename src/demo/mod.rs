//! Demos: the lab plays its own lessons at a watchable pace, for a room, a recording or a
//! regression test.
//!
//! A demo is a lesson's reference solution played through the same runner as
//! `lessons check` ([`crate::app::player::Player`], keys through the key map, waits in virtual time),
//! with pauses to read in between. [`Demo::next`] makes one *move* and says how long the
//! screen then stays as it is (its *hold*, in demo time); whoever plays the demo decides
//! what a hold is: the live loop (`tui::run_demo`) sleeps it in wall time, the recorder
//! ([`crate::cast`]) writes it into the timestamps of an asciinema file. No clock is read here,
//! so a demo is the same on every machine, byte for byte.
//!
//! ```text
//!  step begins ─► read the step ─► solution: key ─ hold ─ key ─ wait (1×) … ─► goal met
//!      ▲           (lab runs at 1×)          each key shown: "▶ key: t"           │
//!      │                                                                          ▼
//!      └──── Enter ◄──────────── read the explanation (lab runs at 1×, unless paused)
//!  last step: Enter ─► the list ("lesson done") ─► next lesson of the demo, or the end
//! ```
//!
//! # Pacing
//! - Reading: a step's text (title, text, question and choices) and each explanation stay
//!   up for `max(3 s, 1 s + 240 ms × words)`: 250 words a minute, plus a second to find
//!   the text ([`Pacing::WATCHABLE`]). The words are those the lesson pane shows at the
//!   terminal's size when the demo is told it ([`Demo::read_on`]): a text cut by a small
//!   terminal is up no longer than what shows; else (a test's demo) the step's own words.
//!   The lab goes on at 1× meanwhile, as it would for a learner (a met goal pauses it, so
//!   an explanation is read over the state that met the goal).
//! - Keys: each key of a solution (a quiz's answer, `Enter` to go on) is shown as it is
//!   pressed, and the lab holds still for 0.7 s before the next item, so the key's
//!   effect can be seen.
//! - Waits: a solution's `wait 2s` takes 2 s at 1×; while the lab is paused, it takes no
//!   time (nothing would move).
//! - After a lesson, its list ("lesson done") stays up for 3 s; the next
//!   lesson of the demo is opened from it with the keys a learner would press.
//!
//! A demo keeps no progress: its app's progress lives in memory only.

mod play;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::player::{Player, ScriptError};
use crate::app::{App, MenuEntry, Open, Options, Page};
use crate::lesson::progress::Progress;
use crate::lesson::{Catalog, Step, Task};
use crate::script::{self, Item, Script};
use crate::sim::Config;

/// The story, as one demo (`evtchn-lab demo` with no id): the lessons whose ids start with
/// these numbers, in this order.
pub const STORY: [&str; 4] = ["08", "09", "10", "11"];

/// How long a demo leaves things on screen (demo time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pacing {
    /// Reading time: never less than this.
    pub read_floor_ns: u64,
    /// Reading time: to find the text.
    pub read_base_ns: u64,
    /// Reading time: per word.
    pub read_per_word_ns: u64,
    /// After each key, before the next item.
    pub key_hold_ns: u64,
    /// The list after a lesson ("lesson done").
    pub lesson_end_ns: u64,
}

impl Pacing {
    /// A demo's pace: texts up for `max(3 s, 1 s + 240 ms × words)` (250 words a minute),
    /// 0.7 s after each key, 3 s on the list after a lesson.
    pub const WATCHABLE: Pacing = Pacing {
        read_floor_ns: 3_000_000_000,
        read_base_ns: 1_000_000_000,
        read_per_word_ns: 240_000_000,
        key_hold_ns: 700_000_000,
        lesson_end_ns: 3_000_000_000,
    };

    /// Nothing to read, no holds: the demo plays exactly what `lessons check` replays
    /// (each solution from the moment its step begins, `Enter` the moment the goal holds).
    pub const INSTANT: Pacing = Pacing {
        read_floor_ns: 0,
        read_base_ns: 0,
        read_per_word_ns: 0,
        key_hold_ns: 0,
        lesson_end_ns: 0,
    };

    /// How long a text of `words` words stays up.
    pub fn read_ns(&self, words: usize) -> u64 {
        (self.read_base_ns + self.read_per_word_ns * words as u64).max(self.read_floor_ns)
    }

    /// Reading time of a step as it begins: its title, text, and a quiz's question and
    /// choices.
    pub fn step_read_ns(&self, step: &Step) -> u64 {
        let mut n = words(&step.title) + words(&step.text);
        match &step.task {
            Task::Quiz {
                question, choices, ..
            } => n += words(question) + choices.iter().map(|c| words(c)).sum::<usize>(),
            Task::Number { question, .. } => n += words(question),
            Task::Goal(_) | Task::Observe { .. } => {}
        }
        self.read_ns(n)
    }

    /// Reading time of a step's explanation.
    pub fn explain_read_ns(&self, step: &Step) -> u64 {
        self.read_ns(words(&step.explain))
    }
}

/// Words in `text` (runs of non-space that hold a letter or a digit: markup and dashes do
/// not count).
pub fn words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// What a step's demo plays: its reference keys ([`Step::reference_script`]).
pub fn solution(step: &Step) -> Script {
    step.reference_script()
}

/// Why a demo cannot go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DemoError {
    #[error("{lesson}, step {step}: solution: {error} (`evtchn-lab lessons check` says more)")]
    Script {
        lesson: String,
        step: usize,
        error: ScriptError,
    },
    #[error(
        "{lesson}, step {step}: the solution ends without meeting the goal \
         (`evtchn-lab lessons check` says more)"
    )]
    Unmet { lesson: String, step: usize },
    #[error("the list did not open lesson {lesson} with the keys a learner would press")]
    Navigation { lesson: String },
}

/// What the caption in the status line says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caption {
    /// The step's text is up.
    Reading,
    /// A key was just pressed.
    Key(KeyEvent),
    /// A solution's wait is passing (the key pressed before it, if any).
    Wait { after: Option<KeyEvent>, ns: u64 },
    /// The goal was met (or the question answered): the explanation is up.
    Explaining { quiz: bool },
    /// A lesson is done; the next one of the demo, if any (a catalogue index).
    LessonDone { next: Option<usize> },
    /// The demo is over.
    Finished,
}

/// How a caption reads.
impl Caption {
    pub fn text(self, cat: &Catalog) -> String {
        match self {
            Caption::Reading => "demo: reading".to_string(),
            Caption::Key(k) => format!("▶ key: {}", script::key_name(&k)),
            Caption::Wait { after: Some(k), ns } => {
                format!("▶ key: {} · {}", script::key_name(&k), Item::Wait(ns))
            }
            Caption::Wait { after: None, ns } => format!("▶ {}", Item::Wait(ns)),
            Caption::Explaining { quiz: false } => "demo: goal met, reading".to_string(),
            Caption::Explaining { quiz: true } => "demo: answered, reading".to_string(),
            Caption::LessonDone { next: Some(i) } => match cat.lessons.get(i) {
                Some(l) => format!("demo: next, {} {}", l.number(), l.title),
                None => "demo: next lesson".to_string(),
            },
            Caption::LessonDone { next: None } | Caption::Finished => "demo: the end".to_string(),
        }
    }

    /// Whether the caption shows a key (the key style).
    pub fn is_key(self) -> bool {
        matches!(self, Caption::Key(_) | Caption::Wait { after: Some(_), .. })
    }
}

/// One move of a demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    /// Demo time of the move (the sum of the holds before it).
    pub at_ns: u64,
    /// Demo time the screen then stays as it is, before the next move.
    pub hold_ns: u64,
    /// A key was pressed (worth a frame of its own), as opposed to time passing.
    pub key: bool,
    /// This move met the goal of (or answered) this step: (catalogue index, 0-based step).
    pub met: Option<(usize, usize)>,
}

#[derive(Clone, Debug)]
enum Phase {
    /// The step's text is up: reading time left.
    Read {
        left: u64,
    },
    /// The solution plays.
    Solve(Player),
    /// The explanation is up: reading time left.
    Explain {
        left: u64,
    },
    /// `Enter`, to go on.
    Enter,
    /// The list after a lesson: time left.
    Done {
        left: u64,
    },
    /// The keys that open the next lesson from the list.
    Navigate(Player),
    Finished,
}

/// How to count the words a learner can read on screen: `words(app, width, height)`, the
/// words the lesson pane draws on a `width`×`height` terminal. The demo sits below the
/// ui, so whoever draws it passes the ui's count (`ui::demo::words_on_screen`).
#[derive(Clone, Copy, Debug)]
pub struct Reader {
    pub words: fn(&App, u16, u16) -> usize,
    pub width: u16,
    pub height: u16,
}

/// A demo that plays: which lessons, where it is, and the caption.
#[derive(Clone, Debug)]
pub struct Demo {
    /// What the learner reads on screen; `None`: the step's words, whole.
    reader: Option<Reader>,
    cat: Arc<Catalog>,
    pacing: Pacing,
    /// Catalogue indices of the lessons, in order.
    lessons: Vec<usize>,
    /// Which of them plays now.
    pos: usize,
    phase: Phase,
    clock_ns: u64,
    paused: bool,
    caption: Caption,
    /// How many times a step's text (or the list after a lesson) came up: where a skip
    /// stops.
    entered: u64,
}

/// The `Enter` key.
fn enter() -> KeyEvent {
    KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
}

fn one_key(k: KeyEvent) -> Script {
    Script {
        items: vec![Item::Key(k)],
    }
}

impl Demo {
    /// A demo of these lessons (ids as in the catalogue, at least one) at the watchable
    /// pace, and the lab it plays in: opened on the first lesson's first step, with no
    /// progress.
    pub fn new(cat: Arc<Catalog>, ids: &[String]) -> Result<(Demo, App), String> {
        Demo::with_pacing(cat, ids, Pacing::WATCHABLE)
    }

    /// [`Demo::new`] at another pace.
    pub fn with_pacing(
        cat: Arc<Catalog>,
        ids: &[String],
        pacing: Pacing,
    ) -> Result<(Demo, App), String> {
        let lessons: Vec<usize> = ids
            .iter()
            .map(|id| {
                cat.get(id)
                    .map(|(i, _)| i)
                    .ok_or_else(|| format!("no lesson '{id}'"))
            })
            .collect::<Result<_, _>>()?;
        let Some(&first) = lessons.first() else {
            return Err("a demo needs at least one lesson".to_string());
        };
        let app = App::new(Options {
            scenario: Config::default(),
            open: Open::Lesson(cat.lessons[first].id.clone()),
            lessons: cat.clone(),
            progress: Progress::default(),
        });
        let step = &cat.lessons[first].steps[0];
        let demo = Demo {
            reader: None,
            phase: Phase::Read {
                left: pacing.step_read_ns(step),
            },
            cat,
            pacing,
            lessons,
            pos: 0,
            clock_ns: 0,
            paused: false,
            caption: Caption::Reading,
            entered: 0,
        };
        Ok((demo, app))
    }

    /// Pace the reading by the words on a screen of this size (`reader`); a resize
    /// counts from the next text up. Told before the first move, the first step's reading
    /// follows it too.
    pub fn read_on(&mut self, app: &App, reader: Reader) {
        self.reader = Some(reader);
        if self.clock_ns == 0 && matches!(self.phase, Phase::Read { .. }) {
            self.phase = Phase::Read {
                left: self.reading_ns(app, 0),
            };
        }
    }

    /// Reading time of what the lab shows now: the words on screen when told how to count
    /// them, else `whole` (the step's or the explanation's own words).
    fn reading_ns(&self, app: &App, whole: u64) -> u64 {
        match self.reader {
            Some(r) => self.pacing.read_ns((r.words)(app, r.width, r.height)),
            None => whole,
        }
    }

    /// The story's lesson ids ([`STORY`]), or the numbers no lesson starts with.
    pub fn story(cat: &Catalog) -> Result<Vec<String>, Vec<&'static str>> {
        let mut ids = Vec::with_capacity(STORY.len());
        let mut missing = Vec::new();
        for n in STORY {
            let prefix = format!("{n}-");
            match cat.lessons.iter().find(|l| l.id.starts_with(&prefix)) {
                Some(l) => ids.push(l.id.clone()),
                None => missing.push(n),
            }
        }
        if missing.is_empty() {
            Ok(ids)
        } else {
            Err(missing)
        }
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.cat
    }

    /// Catalogue indices of the demo's lessons, in order.
    pub fn lessons(&self) -> &[usize] {
        &self.lessons
    }

    /// Demo time so far: the holds of every move made (a pause or a skip adds nothing).
    pub fn clock_ns(&self) -> u64 {
        self.clock_ns
    }

    pub fn caption(&self) -> Caption {
        self.caption
    }

    /// The caption in words.
    pub fn caption_text(&self) -> String {
        self.caption.text(&self.cat)
    }

    /// The reading time left on what is up now (the step's text, its explanation, the list
    /// after a lesson), `None` while keys are played.
    pub fn left_ns(&self) -> Option<u64> {
        match self.phase {
            Phase::Read { left } | Phase::Explain { left } | Phase::Done { left } => Some(left),
            _ => None,
        }
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// `space`: stop the demo's clock, or start it again (whoever plays the demo makes no
    /// move while it is paused).
    pub fn toggle_pause(&mut self) {
        self.paused = !self.paused;
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Finished)
    }

    fn lesson_id(&self) -> String {
        self.cat.lessons[self.lessons[self.pos]].id.clone()
    }

    /// The current step of the current lesson (0-based), if a lesson is open.
    fn step_index(app: &App) -> Option<usize> {
        app.lesson_run().map(|r| r.step)
    }

    fn current_step<'a>(&'a self, app: &App) -> Option<&'a Step> {
        let i = Self::step_index(app)?;
        self.cat.lessons[self.lessons[self.pos]].steps.get(i)
    }
}

/// The keys that open catalogue lesson `index` from the list: down or up to it, `Enter`.
fn open_keys(app: &App, index: usize) -> Script {
    let Page::Start { selected } = app.page else {
        return Script::default();
    };
    let Some(target) = app
        .menu()
        .iter()
        .position(|e| *e == MenuEntry::Lesson(index))
    else {
        return Script::default();
    };
    let code = if target >= selected {
        KeyCode::Down
    } else {
        KeyCode::Up
    };
    let mut items: Vec<Item> = (0..target.abs_diff(selected))
        .map(|_| Item::Key(KeyEvent::new(code, KeyModifiers::NONE)))
        .collect();
    items.push(Item::Key(enter()));
    Script { items }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_time_follows_the_words_with_a_floor() {
        let p = Pacing::WATCHABLE;
        assert_eq!(words("A `code` word, and — *emphasis*."), 5);
        assert_eq!(p.read_ns(0), 3_000_000_000, "the floor");
        assert_eq!(
            p.read_ns(8),
            3_000_000_000,
            "1 s + 1.92 s is under the floor"
        );
        assert_eq!(
            p.read_ns(100),
            25_000_000_000,
            "250 words a minute, plus 1 s"
        );
        assert_eq!(Pacing::INSTANT.read_ns(100), 0);
    }

    #[test]
    fn a_quiz_without_a_solution_is_answered_by_its_digit() {
        let cat = Catalog::builtin().unwrap();
        let l = &cat.get("01-ports-and-bits").unwrap().1;
        assert_eq!(solution(&l.steps[1]).items[0].to_string(), "2");
        assert_eq!(solution(&l.steps[0]), l.steps[0].solution);
    }

    #[test]
    fn the_story_names_the_lessons_it_lacks() {
        let cat = Catalog::builtin().unwrap();
        let want: Vec<&str> = STORY
            .iter()
            .copied()
            .filter(|n| {
                !cat.lessons
                    .iter()
                    .any(|l| l.id.starts_with(&format!("{n}-")))
            })
            .collect();
        match Demo::story(&cat) {
            Ok(ids) => {
                assert!(want.is_empty());
                assert_eq!(ids.len(), STORY.len());
                for (id, n) in ids.iter().zip(STORY) {
                    assert!(id.starts_with(n), "{id} for {n}");
                }
            }
            Err(missing) => assert_eq!(missing, want),
        }
        assert!(Demo::new(Arc::new(Catalog::default()), &[]).is_err());
    }
}
