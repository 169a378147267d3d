//! The live lab: the terminal loop, with the simulation on its own thread ([`super::sim`]).
//!
//! One `tokio::select!` over three sources (plus signals):
//! - the terminal's input (keys through the key map; clicks through the ui's hit test,
//!   then the key map; resizes redraw);
//! - a render interval (`--fps`, 30 by default) while running;
//! - the simulation thread's word that it stopped the run itself (a lesson's goal met) or
//!   changed the progress: saved, and drawn at once.
//!
//! Paused, the render interval is off and the simulation thread sleeps: the lab waits for
//! input and redraws only then.

use std::io::{self, IsTerminal, Write, stdout};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use crossterm::event::Event;
use ratatui::DefaultTerminal;
use ratatui::layout::Rect;
use tokio::time::{MissedTickBehavior, interval};

use super::signals::{Sig, Signals};
use super::sim::{self, Shared};
use super::terminal::{TerminalGuard, fit, is_suspend_key};
use super::{LabArgs, TEST_PANIC_ENV, exit_code, msg_for_event};
use crate::app::{App, Msg, Options, Overlay, update};
use crate::input::Input;
use crate::lesson as lessons;
use crate::lesson::progress::{Progress, Store, state_dir};
use crate::ui;
use crate::ui::theme::Theme;

/// Progress on disk: where it is saved, the first failure to save (said once), and what
/// became of the file meanwhile (said again after quitting).
struct Saver {
    store: Option<Store>,
    failed: Option<String>,
    moved: Vec<String>,
}

impl Saver {
    /// Save when the app's progress changed; a failure is shown once, and the lab goes on.
    /// A save merges with what another lab saved meanwhile: the app gets the merged
    /// progress (the start screen shows both).
    fn persist(&mut self, app: &mut App) {
        if !app.progress_changed() {
            return;
        }
        app.progress_saved();
        let Some(store) = &self.store else {
            return;
        };
        match store.save_merged(&app.progress) {
            Ok(saved) => {
                app.progress = saved.progress;
                if let Some(n) = saved.notice {
                    app.notice = Some(n.clone());
                    self.moved.push(n);
                }
            }
            Err(e) if self.failed.is_none() => {
                let msg = format!("{e}; the lab goes on without saving");
                app.notice = Some(msg.clone());
                self.failed = Some(msg);
            }
            Err(_) => {}
        }
    }
}

/// Open the lab in this terminal and run it until the user quits.
pub fn run(args: &LabArgs) -> anyhow::Result<ExitCode> {
    if !stdout().is_terminal() || !io::stdin().is_terminal() {
        bail!(
            "the live lab needs a terminal; for a headless report use `evtchn-lab run` \
             (see `evtchn-lab --help`)"
        );
    }
    let Some((mut app, mut saver, warning)) = open(args) else {
        return Ok(ExitCode::FAILURE);
    };
    saver.persist(&mut app);
    let theme = Theme::named(args.display.theme);
    let test_panic = std::env::var_os(TEST_PANIC_ENV).is_some();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let shared = Shared::new(app);
    let mut guard = TerminalGuard::enter()?;
    let result = sim::spawn(&shared)
        .context("starting the simulation thread")
        .and_then(|thread| {
            let mut lab = Lab {
                guard: &mut guard,
                shared: &shared,
                theme: &theme,
                saver: &mut saver,
                area: Rect::default(),
            };
            let ended = rt.block_on(event_loop(&mut lab, args.display.fps, test_panic));
            shared.stop();
            // Joined: its last slice is in the state saved below.
            let _ = thread.join();
            ended
        });
    drop(guard);
    if let Ok(mut app) = shared.lock() {
        saver.persist(&mut app);
    }
    // A notice goes at the next key and may not fit its row: what became of the progress
    // file is said again, whole, where it stays.
    for w in warning.iter().chain(&saver.moved).chain(&saver.failed) {
        let _ = writeln!(io::stderr(), "evtchn-lab: {w}");
    }
    result.map(exit_code)
}

/// The app as `args` open it, the progress store, and a warning about it (said at the
/// start and again after quitting). `None` when the lessons have problems (said).
fn open(args: &LabArgs) -> Option<(App, Saver, Option<String>)> {
    let catalog = match lessons::load(args.dir.as_deref()) {
        Ok(c) => c,
        Err(p) => {
            let _ = writeln!(
                io::stderr(),
                "{}evtchn-lab: the lessons above have problems; fix them or use --dir",
                lessons::problems_text(&p)
            );
            return None;
        }
    };
    let (store, progress, warning) = match state_dir() {
        Some(d) => {
            let (s, p, w) = Store::open(&d);
            (Some(s), p, w)
        }
        None => (
            None,
            Progress::default(),
            Some(
                "no state directory (set EVTCHN_LAB_STATE_DIR or HOME): progress is not saved"
                    .into(),
            ),
        ),
    };
    let mut app = App::new(Options {
        scenario: args.scenario,
        open: args.open.clone(),
        lessons: catalog,
        progress,
    });
    app.notice.clone_from(&warning);
    let saver = Saver {
        store,
        failed: None,
        moved: Vec::new(),
    };
    Some((app, saver, warning))
}

/// The terminal loop's side of the lab.
struct Lab<'a> {
    guard: &'a mut TerminalGuard,
    shared: &'a Arc<Shared>,
    theme: &'a Theme,
    saver: &'a mut Saver,
    /// The area drawn in.
    area: Rect,
}

impl Lab<'_> {
    /// Draw the state as it is between two slices.
    fn draw(&mut self) -> anyhow::Result<()> {
        let mut app = self.shared.lock()?;
        draw(&mut self.guard.terminal, &mut app, self.theme, self.area)?;
        Ok(())
    }

    /// The simulation thread stopped the run or changed the progress: save, and show it.
    fn changed(&mut self) -> anyhow::Result<()> {
        let mut app = self.shared.lock()?;
        self.saver.persist(&mut app);
        draw(&mut self.guard.terminal, &mut app, self.theme, self.area)?;
        Ok(())
    }

    /// A terminal event. The area to draw in when the lab was stopped and continued.
    fn event(&mut self, ev: &Event) -> anyhow::Result<Option<Rect>> {
        if let Event::Resize(w, h) = *ev {
            self.area = fit(&mut self.guard.terminal, w, h)?;
            self.draw()?;
            return Ok(None);
        }
        if is_suspend_key(ev) {
            return Ok(Some(self.guard.suspend(true)?));
        }
        let mut app = self.shared.lock()?;
        let Some(msg) = msg_for_event(&app, ev, self.area) else {
            return Ok(None);
        };
        update(&mut app, msg);
        self.saver.persist(&mut app);
        self.shared.poke();
        // Running, the next frame shows it; paused, input is the only reason to draw.
        if !app.is_running() && !app.should_quit() {
            draw(&mut self.guard.terminal, &mut app, self.theme, self.area)?;
        }
        Ok(None)
    }

    /// A signal. The area to draw in when the lab was stopped and continued.
    fn signal(&mut self, sig: Sig) -> anyhow::Result<Option<Rect>> {
        Ok(match sig {
            Sig::Quit(_) => {
                update(&mut *self.shared.lock()?, Msg::Quit);
                self.shared.poke();
                None
            }
            Sig::Stop => Some(self.guard.suspend(false)?),
            Sig::Continued => Some(self.guard.resume()?),
        })
    }
}

/// The terminal loop, until the user quits: the signal that ended the lab, if one did.
async fn event_loop(lab: &mut Lab<'_>, fps: u32, test_panic: bool) -> anyhow::Result<Option<i32>> {
    let mut events = Input::new().context("reading the terminal")?;
    let frame = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 240)));
    let mut frame_tick = interval(frame);
    frame_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut signals = Signals::new()?;
    lab.area = lab.guard.terminal.get_frame().area();
    lab.draw()?;
    if test_panic {
        panic!("test-only panic after the first frame ({TEST_PANIC_ENV} is set)");
    }
    let mut ended_by = None;
    loop {
        let running = {
            let app = lab.shared.lock()?;
            if app.should_quit() {
                break;
            }
            app.is_running()
        };
        // After a stop (Ctrl-Z, SIGTSTP, SIGCONT): the terminal back, all of it redrawn.
        let resumed = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => lab.event(&ev)?,
                Some(Err(e)) => return Err(e).context("reading terminal events"),
                None => break,
            },
            _ = frame_tick.tick(), if running => {
                lab.draw()?;
                None
            }
            () = lab.shared.changed() => {
                lab.changed()?;
                None
            }
            sig = signals.recv() => {
                if let Sig::Quit(n) = sig {
                    ended_by = Some(n);
                }
                lab.signal(sig)?
            }
        };
        if let Some(area) = resumed {
            lab.area = area;
            lab.draw()?;
            // The time stopped is not wall time to simulate.
            lab.shared.restart_clock();
        }
    }
    Ok(ended_by)
}

/// Draw a frame, then tell the app how far its scrollable texts (the help, the lesson)
/// reach on it, so scrolling stops where they end.
fn draw(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    theme: &Theme,
    area: Rect,
) -> io::Result<()> {
    if app.overlay == Overlay::Explain {
        // The rows drawn, for the explain cursor's moves.
        let (done, rows) =
            ui::explain::record_rows(|| terminal.draw(|f| ui::draw(f, app, theme)).map(|_| ()));
        done?;
        app.explain.set_rows(rows.iter().map(|d| d.row));
    } else {
        terminal.draw(|f| ui::draw(f, app, theme))?;
    }
    let limits = ui::scroll_limits(app, theme, area);
    if limits != app.scroll_limits {
        update(app, Msg::ScrollLimits(limits));
    }
    Ok(())
}
