//! A demo played live in this terminal (`evtchn-lab demo`): the demo's moves, each held
//! for its time in wall time, keys steering it; a recording gets the same moves.

use std::io::{self, Write, stdout};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use crossterm::event::{Event, KeyEvent};
use ratatui::DefaultTerminal;
use ratatui::layout::Rect;

use super::signals::{Sig, Signals};
use super::terminal::{TerminalGuard, fit, is_suspend_key};
use super::{MAX_WALL_STEP, draw_area, exit_code};
use crate::app::keymap::{self, Cmd, Ctx, DemoCmd};
use crate::app::{App, Msg};
use crate::cast::{self, CastWriter, Recorder};
use crate::demo::{Demo, Move};
use crate::files::write::Output;
use crate::input::Input;
use crate::ui;
use crate::ui::demo::DemoView;
use crate::ui::theme::Theme;

/// A demo to play in this terminal (`evtchn-lab demo`).
pub struct DemoRun {
    pub demo: Demo,
    /// The lab it plays in (as [`Demo::new`] made it).
    pub app: App,
    pub theme: Theme,
    /// The render rate cap.
    pub fps: u32,
    /// Demo time per wall time (1: real time).
    pub speed: f64,
    /// Where to record it, and the recording started there.
    pub recording: Option<(PathBuf, CastWriter<Output>)>,
}

/// How a live demo ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DemoEnd {
    Finished,
    Quit,
    /// Ended by this signal.
    Signal(i32),
}

/// Play a demo in this terminal until it ends or the user quits. Nothing is saved (a demo
/// keeps no progress); the terminal is restored on every way out, as for the lab.
pub fn run_demo(run: DemoRun) -> anyhow::Result<ExitCode> {
    let DemoRun {
        mut demo,
        mut app,
        theme,
        fps,
        speed,
        recording,
    } = run;
    let (path, mut recorder) = match recording {
        Some((p, cast)) => (Some(p), Some(Recorder::new(cast, theme.clone(), speed))),
        None => (None, None),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut guard = TerminalGuard::enter()?;
    let now = Instant::now();
    let result = rt.block_on(demo_loop(Play {
        guard: &mut guard,
        app: &mut app,
        demo: &mut demo,
        theme: &theme,
        recorder: recorder.as_mut(),
        speed,
        frame_gap: Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 240))),
        last_draw: now,
        due: now,
        left: Duration::ZERO,
        dirty: false,
    }));
    drop(guard);
    // A recording ends where the demo stopped, whichever way it did: it stays playable,
    // and replaces the previous one whole.
    let recorded = match (recorder, &path) {
        (Some(r), Some(p)) => {
            let (out, summary) = r.finish(&app, &demo)?;
            out.commit()?;
            Some((p, summary))
        }
        _ => None,
    };
    let end = result?;
    let names: Vec<String> = demo
        .lessons()
        .iter()
        .map(|&i| {
            let l = &demo.catalog().lessons[i];
            format!("{} {}", l.number(), l.title)
        })
        .collect();
    let played = cast::duration_words(demo.clock_ns() as f64 / 1e9 / speed);
    let mut out = stdout();
    match end {
        DemoEnd::Finished => writeln!(out, "demo done: {} ({played})", names.join(", "))?,
        DemoEnd::Quit | DemoEnd::Signal(_) => {
            writeln!(out, "demo stopped after {played}: {}", names.join(", "))?;
        }
    }
    if let Some((p, s)) = recorded {
        writeln!(out, "{}", cast::summary_line(p, &s))?;
    }
    Ok(exit_code(match end {
        DemoEnd::Signal(n) => Some(n),
        _ => None,
    }))
}

fn draw_demo(
    terminal: &mut DefaultTerminal,
    app: &App,
    demo: &Demo,
    theme: &Theme,
) -> io::Result<()> {
    terminal.draw(|f| f.render_widget(DemoView { app, theme, demo }, f.area()))?;
    Ok(())
}

/// A live demo under way: the terminal, the lab it plays in, and when the next move is due.
struct Play<'a> {
    guard: &'a mut TerminalGuard,
    app: &'a mut App,
    demo: &'a mut Demo,
    theme: &'a Theme,
    recorder: Option<&'a mut Recorder<Output>>,
    /// Demo time per wall time.
    speed: f64,
    /// The least wall time between two frames.
    frame_gap: Duration,
    last_draw: Instant,
    /// When the next move is due; while paused, what was left of the hold.
    due: Instant,
    left: Duration,
    /// A move was made since the last frame.
    dirty: bool,
}

impl Play<'_> {
    fn draw(&mut self) -> io::Result<()> {
        draw_demo(&mut self.guard.terminal, self.app, self.demo, self.theme)
    }

    /// `ns` of demo time, in wall time.
    fn wall(&self, ns: u64) -> Duration {
        Duration::from_secs_f64(ns as f64 / 1e9 / self.speed)
    }

    /// The reading follows what the lesson pane shows in a terminal of `area`.
    fn read_on(&mut self, area: Rect) {
        self.demo.read_on(
            self.app,
            crate::demo::Reader {
                words: ui::demo::words_on_screen,
                width: area.width,
                height: area.height,
            },
        );
    }

    /// A move made: recorded, if recording.
    fn record(&mut self, mv: &Move) -> anyhow::Result<()> {
        if let Some(r) = self.recorder.as_deref_mut() {
            r.after(self.app, self.demo, mv)?;
        }
        Ok(())
    }

    /// A key through the key map's demo context; `Some` when it ends the demo.
    fn key(&mut self, k: &KeyEvent) -> anyhow::Result<Option<DemoEnd>> {
        match keymap::cmd_for_key(Ctx::Demo, k) {
            Some(Cmd::Do(Msg::Quit)) => return Ok(Some(DemoEnd::Quit)),
            Some(Cmd::Demo(DemoCmd::PauseResume)) => {
                let now = Instant::now();
                if self.demo.is_paused() {
                    self.due = now + self.left;
                } else {
                    self.left = self.due.saturating_duration_since(now);
                }
                self.demo.toggle_pause();
                self.draw()?;
            }
            Some(Cmd::Demo(DemoCmd::Skip)) => {
                let mv = self.demo.skip(self.app)?;
                self.record(&mv)?;
                self.draw()?;
                self.last_draw = Instant::now();
                // The landing screen (`▶ key: Enter`) stays for the key's hold.
                self.left = self.wall(mv.hold_ns);
                self.due = self.last_draw + self.left;
                if self.demo.is_finished() {
                    return Ok(Some(DemoEnd::Finished));
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// The next move, due now; `Some` when the demo has ended.
    fn next_move(&mut self) -> anyhow::Result<Option<DemoEnd>> {
        let Some(mv) = self.demo.next(self.app)? else {
            self.draw()?;
            return Ok(Some(DemoEnd::Finished));
        };
        self.record(&mv)?;
        let hold = self.wall(mv.hold_ns);
        let now = Instant::now();
        let gap = self.frame_gap;
        if mv.key || hold >= gap || self.dirty && now - self.last_draw >= gap {
            self.draw()?;
            self.last_draw = now;
            self.dirty = false;
        } else {
            self.dirty = true;
        }
        self.due += hold;
        // Fallen behind (a slow machine, a suspended process): go on from now rather than
        // rush through the moves missed.
        if self.due + MAX_WALL_STEP < now {
            self.due = now;
        }
        Ok(None)
    }

    /// A terminal event; `Some` when it ends the demo.
    fn event(&mut self, ev: Option<io::Result<Event>>) -> anyhow::Result<Option<DemoEnd>> {
        match ev {
            Some(Ok(ev)) if is_suspend_key(&ev) => {
                self.guard.suspend(true)?;
                self.redraw()?;
            }
            Some(Ok(Event::Key(k))) => return self.key(&k),
            Some(Ok(Event::Resize(w, h))) => {
                let area = fit(&mut self.guard.terminal, w, h)?;
                self.read_on(area);
                self.draw()?;
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e).context("reading terminal events"),
            None => return Ok(Some(DemoEnd::Quit)),
        }
        Ok(None)
    }

    /// A signal; `Some` when it ends the demo.
    fn signal(&mut self, sig: Sig) -> anyhow::Result<Option<DemoEnd>> {
        match sig {
            Sig::Quit(n) => return Ok(Some(DemoEnd::Signal(n))),
            Sig::Stop => {
                self.guard.suspend(false)?;
            }
            Sig::Continued => {
                self.guard.resume()?;
            }
        }
        self.redraw()?;
        Ok(None)
    }

    /// After a stop (Ctrl-Z, SIGTSTP, SIGCONT): the terminal back, all of it redrawn.
    fn redraw(&mut self) -> io::Result<()> {
        self.draw()?;
        self.last_draw = Instant::now();
        Ok(())
    }
}

/// The demo's moves, each held for its time in wall time (divided by `speed`); keys steer
/// it through the key map's demo context. A recording gets the same moves, at demo time.
async fn demo_loop(mut play: Play<'_>) -> anyhow::Result<DemoEnd> {
    let mut events = Input::new().context("reading the terminal")?;
    let mut signals = Signals::new()?;
    let size = play.guard.terminal.size()?;
    play.read_on(draw_area(size.width, size.height));
    play.draw()?;
    if let Some(r) = play.recorder.as_deref_mut() {
        r.frame(play.app, play.demo, 0)?;
    }
    play.last_draw = Instant::now();
    play.due = Instant::now();
    loop {
        let paused = play.demo.is_paused();
        let end = tokio::select! {
            ev = events.next() => play.event(ev)?,
            () = tokio::time::sleep_until(play.due.into()), if !paused => play.next_move()?,
            sig = signals.recv() => play.signal(sig)?,
        };
        if let Some(end) = end {
            return Ok(end);
        }
    }
}
