//! The terminal loop: a thin shell around [`update`] and [`ui::draw`].
//!
//! One `tokio::select!` over three sources (plus signals):
//! - the crossterm `EventStream` (keys through the key map; clicks through the ui's hit
//!   test, then the key map; resizes redraw);
//! - a simulation tick (every [`SIM_TICK`] while running): wall time since the last tick
//!   becomes `Msg::Advance { wall }`, and the time the work took becomes `Msg::Measured`,
//!   so the app can cap the work per tick and show the speed it really reaches;
//! - a render interval (`--fps`, 30 by default) while running.
//!
//! Paused, both ticks are switched off: the loop sleeps until input and redraws only then.
//! The terminal is restored on every way out: `q`, Ctrl-C, SIGTERM/SIGHUP/SIGINT, an
//! error, or a panic (ratatui's hook, extended to leave mouse capture).

use std::io::{self, IsTerminal, stdout};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, EventStream, MouseButton, MouseEventKind,
};
use crossterm::execute;
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::layout::Rect;
use tokio::time::{MissedTickBehavior, interval};

use crate::app::keymap::{Cmd, Ctx, DemoCmd};
use crate::app::{App, Msg, Open, Options, keymap, update};
use crate::cli::{Display, ThemeName};
use crate::demo::Demo;
use crate::demo::cast::{CastWriter, Recorder};
use crate::lesson::command as lessons;
use crate::lesson::progress::{Progress, Store, state_dir};
use crate::sim::Config;
use crate::ui::demo::DemoView;
use crate::ui::{self, theme::Theme};

/// How often the simulation advances while running.
pub const SIM_TICK: Duration = Duration::from_millis(20);
/// A longer gap between ticks (a stalled machine, a suspended process) counts as this much:
/// the lab never jumps far ahead on its own.
pub const MAX_WALL_STEP: Duration = Duration::from_millis(250);

/// What the lab opens with.
#[derive(Clone, Debug)]
pub struct LabArgs {
    pub open: Open,
    /// The scenario of free play.
    pub scenario: Config,
    pub display: Display,
    /// Lessons from this directory instead of the built-in ones.
    pub dir: Option<PathBuf>,
}

/// Progress on disk: where it is saved, and whether saving failed already (said once).
struct Saver {
    store: Option<Store>,
    failed: bool,
}

impl Saver {
    /// Save when the app's progress changed; a failure is shown once, and the lab goes on.
    fn persist(&mut self, app: &mut App) {
        if !app.progress_changed() {
            return;
        }
        app.progress_saved();
        let Some(store) = &self.store else {
            return;
        };
        if let Err(e) = store.save(&app.progress)
            && !self.failed
        {
            self.failed = true;
            app.notice = Some(format!("{e}; the lab goes on without saving"));
        }
    }
}

/// The theme from the command line and `NO_COLOR` (read once, here, never in render).
pub fn theme(name: ThemeName) -> Theme {
    Theme::pick(name == ThemeName::Light, Theme::no_color_requested())
}

/// What a terminal event means to the lab: keys through the key map, a left click on a
/// knob through the ui's hit test and then the key map (`size`: the terminal's).
pub fn msg_for_event(app: &App, ev: &Event, size: Rect) -> Option<Msg> {
    match ev {
        Event::Key(k) => keymap::msg_for_key(app, k),
        Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
            ui::status_bar::hit(app, size, m.column, m.row)?.resolve(app)
        }
        _ => None,
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
    let catalog = match lessons::load(args.dir.as_deref()) {
        Ok(c) => c,
        Err(p) => {
            eprint!("{}", lessons::problems_text(&p));
            eprintln!("evtchn-lab: the lessons above have problems; fix them or use --dir");
            return Ok(ExitCode::FAILURE);
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
    if warning.is_some() {
        app.notice = warning;
    }
    let mut saver = Saver {
        store,
        failed: false,
    };
    saver.persist(&mut app);
    let theme = theme(args.display.theme);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut guard = TerminalGuard::enter()?;
    let result = rt.block_on(event_loop(
        &mut guard.terminal,
        &mut app,
        &theme,
        args.display.fps,
        &mut saver,
    ));
    drop(guard);
    saver.persist(&mut app);
    result.map(|()| ExitCode::SUCCESS)
}

/// Raw mode, the alternate screen and mouse capture, undone on drop and on panic.
struct TerminalGuard {
    terminal: DefaultTerminal,
}

impl TerminalGuard {
    fn enter() -> anyhow::Result<Self> {
        // Raw mode, alternate screen, and ratatui's panic hook (which restores both).
        let terminal = ratatui::try_init().context("setting up the terminal")?;
        let ratatui_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(stdout(), DisableMouseCapture);
            ratatui_hook(info);
        }));
        if let Err(e) = execute!(stdout(), EnableMouseCapture) {
            restore();
            return Err(e).context("enabling mouse capture");
        }
        Ok(TerminalGuard { terminal })
    }
}

fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture, crossterm::cursor::Show);
    ratatui::restore();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    theme: &Theme,
    fps: u32,
    saver: &mut Saver,
) -> anyhow::Result<()> {
    let mut events = EventStream::new();
    let mut sim_tick = interval(SIM_TICK);
    sim_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let frame = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 240)));
    let mut frame_tick = interval(frame);
    frame_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut signals = Signals::new()?;

    let size = terminal.size()?;
    let mut area = Rect::new(0, 0, size.width, size.height);
    draw(terminal, app, theme, area)?;
    let mut last_tick = Instant::now();
    let mut dirty = false;

    while !app.should_quit() {
        let running = app.is_running();
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => {
                    if let Event::Resize(w, h) = ev {
                        area = Rect::new(0, 0, w, h);
                        draw(terminal, app, theme, area)?;
                        continue;
                    }
                    let Some(msg) = msg_for_event(app, &ev, area) else { continue };
                    update(app, msg);
                    saver.persist(app);
                    if !running && app.is_running() {
                        // Resumed: the pause is not wall time to simulate.
                        last_tick = Instant::now();
                        sim_tick.reset();
                    }
                    if app.should_quit() {
                        break;
                    }
                    if app.is_running() {
                        dirty = true;
                    } else {
                        // Paused: input is the only reason to draw.
                        draw(terminal, app, theme, area)?;
                    }
                }
                Some(Err(e)) => return Err(e).context("reading terminal events"),
                None => break,
            },
            _ = sim_tick.tick(), if running => {
                let start = Instant::now();
                let wall = start.saturating_duration_since(last_tick).min(MAX_WALL_STEP);
                last_tick = start;
                update(app, Msg::Advance { wall });
                update(app, Msg::Measured { took: start.elapsed() });
                saver.persist(app);
                if app.is_running() {
                    dirty = true;
                } else {
                    // The app stopped itself (a lesson goal was met): no frame tick will
                    // come while paused, so this is the moment to show it.
                    draw(terminal, app, theme, area)?;
                    dirty = false;
                }
            }
            _ = frame_tick.tick(), if running && dirty => {
                draw(terminal, app, theme, area)?;
                dirty = false;
            }
            () = signals.recv() => update(app, Msg::Quit),
        }
    }
    Ok(())
}

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
    pub recording: Option<(PathBuf, CastWriter<io::BufWriter<std::fs::File>>)>,
}

/// How a live demo ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DemoEnd {
    Finished,
    Quit,
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
    let result = rt.block_on(demo_loop(
        &mut guard.terminal,
        &mut app,
        &mut demo,
        &theme,
        fps,
        speed,
        recorder.as_mut(),
    ));
    drop(guard);
    // A recording ends where the demo stopped, whichever way it did: it stays playable.
    let recorded = match (recorder, &path) {
        (Some(r), Some(p)) => Some((p, r.finish(&app, &demo)?.1)),
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
    let played = crate::demo::command::duration_words(demo.clock_ns() as f64 / 1e9 / speed);
    match end {
        DemoEnd::Finished => println!("demo done: {} ({played})", names.join(", ")),
        DemoEnd::Quit => println!("demo stopped after {played}: {}", names.join(", ")),
    }
    if let Some((p, s)) = recorded {
        println!("{}", crate::demo::command::summary_line(p, &s));
    }
    Ok(ExitCode::SUCCESS)
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

/// The demo's moves, each held for its time in wall time (divided by `speed`); keys steer
/// it through the key map's demo context. A recording gets the same moves, at demo time.
async fn demo_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    demo: &mut Demo,
    theme: &Theme,
    fps: u32,
    speed: f64,
    mut recorder: Option<&mut Recorder<io::BufWriter<std::fs::File>>>,
) -> anyhow::Result<DemoEnd> {
    let mut events = EventStream::new();
    let mut signals = Signals::new()?;
    let frame_gap = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 240)));
    let wall = |ns: u64| Duration::from_secs_f64(ns as f64 / 1e9 / speed);

    draw_demo(terminal, app, demo, theme)?;
    if let Some(r) = recorder.as_deref_mut() {
        r.frame(app, demo, 0)?;
    }
    let mut last_draw = Instant::now();
    // When the next move is due; while paused, what was left of the hold.
    let mut due = Instant::now();
    let mut left = Duration::ZERO;
    let mut dirty = false;

    loop {
        let paused = demo.is_paused();
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => match keymap::cmd_for_key(Ctx::Demo, &k) {
                    Some(Cmd::Do(Msg::Quit)) => return Ok(DemoEnd::Quit),
                    Some(Cmd::Demo(DemoCmd::PauseResume)) => {
                        let now = Instant::now();
                        if paused {
                            due = now + left;
                        } else {
                            left = due.saturating_duration_since(now);
                        }
                        demo.toggle_pause();
                        draw_demo(terminal, app, demo, theme)?;
                    }
                    Some(Cmd::Demo(DemoCmd::Skip)) => {
                        let mv = demo.skip(app)?;
                        if let Some(r) = recorder.as_deref_mut() {
                            r.after(app, demo, &mv)?;
                        }
                        draw_demo(terminal, app, demo, theme)?;
                        last_draw = Instant::now();
                        // The landing screen (`▶ key: Enter`) stays for the key's hold.
                        due = last_draw + wall(mv.hold_ns);
                        left = wall(mv.hold_ns);
                        if demo.is_finished() {
                            return Ok(DemoEnd::Finished);
                        }
                    }
                    _ => {}
                },
                Some(Ok(Event::Resize(..))) => draw_demo(terminal, app, demo, theme)?,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e).context("reading terminal events"),
                None => return Ok(DemoEnd::Quit),
            },
            () = tokio::time::sleep_until(due.into()), if !paused => {
                let Some(mv) = demo.next(app)? else {
                    draw_demo(terminal, app, demo, theme)?;
                    return Ok(DemoEnd::Finished);
                };
                if let Some(r) = recorder.as_deref_mut() {
                    r.after(app, demo, &mv)?;
                }
                let hold = wall(mv.hold_ns);
                let now = Instant::now();
                if mv.key || hold >= frame_gap || dirty && now - last_draw >= frame_gap {
                    draw_demo(terminal, app, demo, theme)?;
                    last_draw = now;
                    dirty = false;
                } else {
                    dirty = true;
                }
                due += hold;
                // Fallen behind (a slow machine, a suspended process): go on from now
                // rather than rush through the moves missed.
                if due + MAX_WALL_STEP < now {
                    due = now;
                }
            },
            () = signals.recv() => return Ok(DemoEnd::Quit),
        }
    }
}

/// Draw a frame, then tell the app how far its scrollable texts (the help, the lesson)
/// reach on it, so scrolling stops where they end.
fn draw(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    theme: &Theme,
    area: Rect,
) -> io::Result<()> {
    terminal.draw(|f| ui::draw(f, app, theme))?;
    let limits = ui::scroll_limits(app, theme, area);
    if limits != app.scroll_limits {
        update(app, Msg::ScrollLimits(limits));
    }
    Ok(())
}

/// SIGTERM, SIGHUP and SIGINT (Ctrl-C arrives as a key in raw mode; a `kill -INT` does not).
#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate()).context("listening for SIGTERM")?,
            hup: signal(SignalKind::hangup()).context("listening for SIGHUP")?,
            int: signal(SignalKind::interrupt()).context("listening for SIGINT")?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> anyhow::Result<Self> {
        Ok(Signals)
    }

    async fn recv(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
