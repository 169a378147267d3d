//! `evtchn-lab snapshot`: one frame of the lab as text, for a document or a bug report.
//!
//! The same app, `update` and render functions as the live lab, without a terminal: the
//! scenario (or a lesson step, as it begins) is set up, `--keys` are played through the key
//! map, virtual time passes up to `--at` (in the loop's 20 ms ticks), and the frame is
//! drawn into a buffer of `--size`. The same flags give the same frame on every machine.

use std::io::Write;
use std::process::ExitCode;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::cli::SnapshotArgs;
use crate::app::player::{self, Flow, ScriptError, TICK_NS};
use crate::app::{App, Msg, Open, Options, update};
use crate::cast::{ansi_text, plain_text};
use crate::lesson as lessons;
use crate::lesson::progress::Progress;
use crate::ui::LabView;
use crate::ui::theme::Theme;

/// `--at` when it is not given, in free play.
pub const DEFAULT_AT_NS: u64 = 5_000_000_000;

/// Why there is no frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotError {
    pub message: String,
    /// 2: bad input (like a bad flag); 1: the lessons themselves have problems.
    pub code: u8,
}

fn bad(message: String) -> SnapshotError {
    SnapshotError { message, code: 2 }
}

/// The lab, set up as the flags say, at the moment of the frame.
pub fn app(args: &SnapshotArgs) -> Result<App, SnapshotError> {
    let scenario = args.scenario.config();
    let (mut app, begin, default_at) = match &args.lesson {
        None => (App::new(Options::free(scenario)), 0, DEFAULT_AT_NS),
        Some(id) => {
            let cat = lessons::load(args.dir.dir.as_deref()).map_err(|p| SnapshotError {
                message: format!(
                    "the lessons have problems:\n{}",
                    lessons::problems_text(&p).trim_end()
                ),
                code: 1,
            })?;
            let id = lessons::find(&cat, id).map_err(bad)?;
            let Some((index, lesson)) = cat.get(&id) else {
                return Err(bad(format!("no lesson '{id}'")));
            };
            let n = lesson.steps.len();
            let step = args.step.unwrap_or(1);
            if step == 0 || step > n {
                return Err(bad(format!(
                    "--step {step}: lesson {id} has {n} steps, give 1 to {n}"
                )));
            }
            let mut app = App::new(Options {
                scenario,
                open: Open::Lesson(id.clone()),
                lessons: cat.clone(),
                progress: Progress::default(),
            });
            app.open_lesson_at(index, step - 1);
            let reached = app.lesson_run().map_or(0, |r| r.step + 1);
            if reached != step {
                return Err(SnapshotError {
                    message: format!(
                        "lesson {id}: step {reached}'s solution does not reach step {step} \
                         (`evtchn-lab lessons check` says why)"
                    ),
                    code: 1,
                });
            }
            let begin = app.lane.now_ns();
            (app, begin, 0)
        }
    };
    if let Some(keys) = &args.keys {
        player::play(&mut app, keys, |_, _| Flow::Continue).map_err(|e| {
            let (ScriptError::KeyDoesNothing { index, key }
            | ScriptError::KeyLocked { index, key, .. }) = &e;
            let why = match e {
                ScriptError::KeyDoesNothing { .. } => "does nothing there",
                ScriptError::KeyLocked { .. } => "is locked in this step",
            };
            bad(format!(
                "--keys: '{key}' (item {}) {why}; `?` in the lab lists the keys that work",
                index + 1
            ))
        })?;
    }
    let target = begin.saturating_add(args.at.unwrap_or(default_at));
    while app.is_running() && app.lane.now_ns() < target {
        let ns = (target - app.lane.now_ns()).min(TICK_NS);
        update(&mut app, Msg::Elapse { ns });
    }
    Ok(app)
}

/// The frame the flags ask for.
pub fn frame(args: &SnapshotArgs, theme: &Theme) -> Result<Buffer, SnapshotError> {
    let app = app(args)?;
    let mut buf = Buffer::empty(Rect::new(0, 0, args.size.width, args.size.height));
    LabView { app: &app, theme }.render(buf.area, &mut buf);
    Ok(buf)
}

/// What `evtchn-lab snapshot` prints: the frame as plain text (rows, trailing blanks cut),
/// or with `--ansi` its colours as escapes.
pub fn render(args: &SnapshotArgs) -> Result<String, SnapshotError> {
    if args.ansi {
        let theme = Theme::named(args.theme);
        Ok(ansi_text(&frame(args, &theme)?))
    } else {
        // Plain text: the theme moves nothing, so the one without colours will do.
        Ok(plain_text(&frame(args, &Theme::no_color())?))
    }
}

/// `evtchn-lab snapshot …`: the frame on stdout; bad input exits 2, broken lessons 1.
pub fn run(args: &SnapshotArgs) -> anyhow::Result<ExitCode> {
    match render(args) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            say!("evtchn-lab snapshot: {}", e.message);
            Ok(ExitCode::from(e.code))
        }
    }
}
