//! The terminal loop: a thin shell around [`update`] and [`ui::draw`].
//!
//! One `tokio::select!` over three sources (plus signals):
//! - the terminal's input ([`Input`]: keys through the key map; clicks through the ui's hit
//!   test, then the key map; resizes redraw);
//! - a simulation tick (every [`SIM_TICK`] while running): wall time since the last tick
//!   becomes `Msg::Advance { wall }`, and the time the work took becomes `Msg::Measured`,
//!   so the app can cap the work per tick and show the speed it really reaches;
//! - a render interval (`--fps`, 30 by default) while running.
//!
//! Paused, both ticks are switched off: the loop sleeps until input and redraws only then.
//! The terminal is restored on every way out: `q`, Ctrl-C, SIGTERM/SIGHUP/SIGINT/SIGQUIT
//! (the exit status then 128 + the signal's number, as a shell reports it), an error, or a
//! panic (the hook gives the terminal back, then prints the message and a
//! hint to report it). Ctrl-Z and SIGTSTP give it back before the lab stops; when it is
//! continued (`fg`) it takes the terminal again and redraws.
//!
//! The lab draws at most [`MAX_DRAW_WIDTH`]×[`MAX_DRAW_HEIGHT`] cells, in the top-left
//! corner of a bigger terminal (the rest stays blank): ratatui keeps two buffers of what it
//! draws, so a terminal of 2000×1000 would otherwise cost about 200 MB.

use std::io::{self, IsTerminal, Write, stdout};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
    MouseButton, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::layout::Rect;
use ratatui::prelude::CrosstermBackend;
use ratatui::{DefaultTerminal, Terminal, TerminalOptions, Viewport};
use tokio::time::{MissedTickBehavior, interval};

use crate::app::keymap::{Cmd, Ctx, DemoCmd};
use crate::app::{App, Msg, Open, Options, Overlay, explain, keymap, update};
use crate::cast::{self, CastWriter, Recorder};
use crate::demo::Demo;
use crate::files::write::Output;
use crate::input::Input;
use crate::lesson as lessons;
use crate::lesson::progress::{Progress, Store, state_dir};
use crate::sim::Config;
use crate::ui;
use crate::ui::demo::DemoView;
use crate::ui::theme::{Theme, ThemeName};

/// How often the simulation advances while running.
pub const SIM_TICK: Duration = Duration::from_millis(20);
/// A longer gap between ticks (a stalled machine, a suspended process) counts as this much:
/// the lab never jumps far ahead on its own.
pub const MAX_WALL_STEP: Duration = Duration::from_millis(250);
/// The most columns the lab draws (a wider terminal: the rest stays blank). Every pane is
/// shown from 120 columns on; 500 is wider than a 4K screen at a small font.
pub const MAX_DRAW_WIDTH: u16 = 500;
/// The most rows the lab draws (a taller terminal: the rest stays blank).
pub const MAX_DRAW_HEIGHT: u16 = 200;
/// Test-only: set (to anything) in the environment, the lab panics just after its first
/// frame, so the tests can see what a panic leaves behind (read once, at start-up).
pub const TEST_PANIC_ENV: &str = "EVTCHN_LAB_TEST_PANIC";
/// What follows a panic's message on the restored terminal.
pub const PANIC_HINT: &str = "evtchn-lab crashed: this is a bug. The terminal has been \
restored. Please report it with the message above, the command you ran and the output of \
`evtchn-lab --version` (RUST_BACKTRACE=1 adds a backtrace).";

/// The area the lab draws in a terminal of `width`×`height`: all of it, up to
/// [`MAX_DRAW_WIDTH`]×[`MAX_DRAW_HEIGHT`], from the top-left corner.
pub fn draw_area(width: u16, height: u16) -> Rect {
    Rect::new(0, 0, width.min(MAX_DRAW_WIDTH), height.min(MAX_DRAW_HEIGHT))
}

/// How the lab draws.
#[derive(Clone, Copy, Debug)]
pub struct Display {
    /// Frames per second while running (paused, it redraws on input only).
    pub fps: u32,
    pub theme: ThemeName,
}

impl Default for Display {
    fn default() -> Self {
        Display {
            fps: 30,
            theme: ThemeName::Dark,
        }
    }
}

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

/// What a terminal event means to the lab: keys through the key map, a left click on a
/// knob through the ui's hit test and then the key map (`size`: the terminal's).
pub fn msg_for_event(app: &App, ev: &Event, size: Rect) -> Option<Msg> {
    match ev {
        Event::Key(k) => keymap::msg_for_key(app, k),
        // Explain mode: a click puts the cursor on the row under it.
        Event::Mouse(m)
            if m.kind == MouseEventKind::Down(MouseButton::Left)
                && app.overlay == Overlay::Explain =>
        {
            Some(Msg::Explain(explain::Cmd::At {
                x: m.column,
                y: m.row,
            }))
        }
        Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
            ui::status_bar::hit(app, size, m.column, m.row)?.resolve(app)
        }
        // The wheel (the lab captures the mouse, so the terminal's own scrolling is off):
        // the screen's ↑/↓ where it has them (the help, the lesson list), else its
        // PgUp/PgDn (a lesson's text).
        Event::Mouse(m)
            if matches!(
                m.kind,
                MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
            ) =>
        {
            let keys = if m.kind == MouseEventKind::ScrollUp {
                [KeyCode::Up, KeyCode::PageUp]
            } else {
                [KeyCode::Down, KeyCode::PageDown]
            };
            keys.into_iter()
                .find_map(|c| keymap::msg_for_key(app, &KeyEvent::new(c, KeyModifiers::NONE)))
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
            let _ = writeln!(
                io::stderr(),
                "{}evtchn-lab: the lessons above have problems; fix them or use --dir",
                lessons::problems_text(&p)
            );
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
    app.notice.clone_from(&warning);
    let mut saver = Saver {
        store,
        failed: None,
        moved: Vec::new(),
    };
    saver.persist(&mut app);
    let theme = Theme::named(args.display.theme);
    let test_panic = std::env::var_os(TEST_PANIC_ENV).is_some();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut guard = TerminalGuard::enter()?;
    let result = rt.block_on(event_loop(
        &mut guard,
        &mut app,
        &theme,
        args.display.fps,
        &mut saver,
        test_panic,
    ));
    drop(guard);
    saver.persist(&mut app);
    // A notice goes at the next key and may not fit its row: what became of the progress
    // file is said again, whole, where it stays.
    for w in warning.iter().chain(&saver.moved).chain(&saver.failed) {
        let _ = writeln!(io::stderr(), "evtchn-lab: {w}");
    }
    result.map(exit_code)
}

/// 0, or 128 + the number of the signal that ended the lab (as a shell reports it).
fn exit_code(signal: Option<i32>) -> ExitCode {
    signal.map_or(ExitCode::SUCCESS, |n| {
        ExitCode::from(128u8.saturating_add(u8::try_from(n).unwrap_or(0)))
    })
}

/// Whether the lab has the terminal (raw mode, alternate screen, mouse capture, cursor
/// hidden): what [`give_back`] undoes, once, whoever calls it first (the panic hook, a
/// suspend, the guard's drop).
static TAKEN: AtomicBool = AtomicBool::new(false);

/// Take the terminal: raw mode, the alternate screen, mouse capture, the cursor hidden.
fn take_terminal() -> io::Result<()> {
    // Marked first: a failure half-way is undone by `give_back` like the rest.
    TAKEN.store(true, Ordering::SeqCst);
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture, Hide)
}

/// Give the terminal back as the lab found it, if the lab has it: mouse capture off, the
/// main screen, the cursor shown, cooked mode. Safe to call twice: the second call does
/// nothing (leaving the alternate screen twice would move the cursor back over what was
/// printed since, such as a panic's message).
pub fn give_back() {
    if TAKEN.swap(false, Ordering::SeqCst) {
        let _ = execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen, Show);
        let _ = disable_raw_mode();
    }
}

/// Once per process: a panic gives the terminal back first, then the default hook prints
/// its message on the main screen, then [`PANIC_HINT`].
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let had_terminal = TAKEN.load(Ordering::SeqCst);
            give_back();
            default(info);
            if had_terminal {
                let _ = writeln!(io::stderr(), "\n{PANIC_HINT}");
            }
        }));
    });
}

/// A terminal that draws into [`draw_area`] of the terminal's size.
fn new_terminal() -> io::Result<DefaultTerminal> {
    let (w, h) = crossterm::terminal::size()?;
    Terminal::with_options(
        CrosstermBackend::new(stdout()),
        TerminalOptions {
            viewport: Viewport::Fixed(draw_area(w, h)),
        },
    )
}

/// Fit the drawn area to a terminal now `width`×`height` (at most the cap); the next draw
/// redraws everything.
fn fit(terminal: &mut DefaultTerminal, width: u16, height: u16) -> io::Result<Rect> {
    let area = draw_area(width, height);
    terminal.resize(area)?;
    Ok(area)
}

/// The terminal taken, given back on drop and on panic.
struct TerminalGuard {
    terminal: DefaultTerminal,
}

impl TerminalGuard {
    fn enter() -> anyhow::Result<Self> {
        install_panic_hook();
        let taken = take_terminal()
            .context("setting up the terminal")
            .and_then(|()| new_terminal().context("setting up the terminal"));
        match taken {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                give_back();
                Err(e)
            }
        }
    }

    /// Ctrl-Z or SIGTSTP: give the terminal back, stop as a terminal's Ctrl-Z stops a job
    /// (`group`: the whole process group, as the terminal would; else this process, which
    /// the signal was sent to), and when continued (`fg`) take the terminal again. The
    /// area to draw in, now; the next draw redraws everything.
    fn suspend(&mut self, group: bool) -> anyhow::Result<Rect> {
        give_back();
        stop(group);
        self.resume()
    }

    /// Take the terminal again (after a stop) and redraw it all on the next draw.
    fn resume(&mut self) -> anyhow::Result<Rect> {
        take_terminal().context("taking the terminal back")?;
        let (w, h) = crossterm::terminal::size().context("reading the terminal's size")?;
        // A full redraw: the screen was someone else's meanwhile.
        Ok(fit(&mut self.terminal, w, h)?)
    }
}

/// Stop with SIGTSTP's default action, as the terminal's Ctrl-Z would in cooked mode, and
/// return once continued. The lab catches SIGTSTP (to give the terminal back first), so the
/// default action is put back for the moment of the stop. Like any SIGTSTP, it does
/// nothing in an orphaned process group (no shell to continue it): the lab goes on.
#[cfg(unix)]
fn stop(group: bool) {
    // SAFETY: sigaction with a zeroed struct set to SIG_DFL and an empty mask, and kill(2)
    // of this process or its group; the handler saved is put back as it was.
    unsafe {
        let mut dfl: libc::sigaction = std::mem::zeroed();
        dfl.sa_sigaction = libc::SIG_DFL;
        libc::sigemptyset(&mut dfl.sa_mask);
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGTSTP, &dfl, &mut old) != 0 {
            return;
        }
        // Delivered to this thread before kill returns: the stop happens here.
        libc::kill(if group { 0 } else { libc::getpid() }, libc::SIGTSTP);
        libc::sigaction(libc::SIGTSTP, &old, std::ptr::null_mut());
    }
}

#[cfg(not(unix))]
fn stop(_group: bool) {}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        give_back();
    }
}

/// Ctrl-Z: in raw mode the terminal sends it as a key, and the lab suspends itself.
fn is_suspend_key(ev: &Event) -> bool {
    cfg!(unix)
        && matches!(ev, Event::Key(k)
            if k.code == KeyCode::Char('z')
                && k.modifiers.contains(KeyModifiers::CONTROL)
                && k.kind != KeyEventKind::Release)
}

async fn event_loop(
    guard: &mut TerminalGuard,
    app: &mut App,
    theme: &Theme,
    fps: u32,
    saver: &mut Saver,
    test_panic: bool,
) -> anyhow::Result<Option<i32>> {
    let mut events = Input::new().context("reading the terminal")?;
    let mut sim_tick = interval(SIM_TICK);
    sim_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let frame = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 240)));
    let mut frame_tick = interval(frame);
    frame_tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut signals = Signals::new()?;

    let mut area = guard.terminal.get_frame().area();
    draw(&mut guard.terminal, app, theme, area)?;
    if test_panic {
        panic!("test-only panic after the first frame ({TEST_PANIC_ENV} is set)");
    }
    let mut last_tick = Instant::now();
    let mut dirty = false;
    // The signal that ends the lab, if one does (the exit status says it).
    let mut ended_by = None;

    while !app.should_quit() {
        let running = app.is_running();
        // After a stop (Ctrl-Z, SIGTSTP, SIGCONT): the terminal back, all of it redrawn, and
        // the time stopped is not wall time to simulate.
        let mut resumed = None;
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => {
                    if let Event::Resize(w, h) = ev {
                        area = fit(&mut guard.terminal, w, h)?;
                        draw(&mut guard.terminal, app, theme, area)?;
                        continue;
                    }
                    if is_suspend_key(&ev) {
                        resumed = Some(guard.suspend(true)?);
                    } else {
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
                            draw(&mut guard.terminal, app, theme, area)?;
                        }
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
                    draw(&mut guard.terminal, app, theme, area)?;
                    dirty = false;
                }
            }
            _ = frame_tick.tick(), if running && dirty => {
                draw(&mut guard.terminal, app, theme, area)?;
                dirty = false;
            }
            sig = signals.recv() => match sig {
                Sig::Quit(n) => {
                    ended_by = Some(n);
                    update(app, Msg::Quit);
                }
                Sig::Stop => resumed = Some(guard.suspend(false)?),
                Sig::Continued => resumed = Some(guard.resume()?),
            },
        }
        if let Some(a) = resumed {
            area = a;
            draw(&mut guard.terminal, app, theme, area)?;
            dirty = false;
            last_tick = Instant::now();
            sim_tick.reset();
        }
    }
    Ok(ended_by)
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
    pub recording: Option<(PathBuf, CastWriter<Output>)>,
}

/// How a live demo ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DemoEnd {
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
    let result = rt.block_on(demo_loop(
        &mut guard,
        &mut app,
        &mut demo,
        &theme,
        fps,
        speed,
        recorder.as_mut(),
    ));
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

/// The demo's moves, each held for its time in wall time (divided by `speed`); keys steer
/// it through the key map's demo context. A recording gets the same moves, at demo time.
async fn demo_loop(
    guard: &mut TerminalGuard,
    app: &mut App,
    demo: &mut Demo,
    theme: &Theme,
    fps: u32,
    speed: f64,
    mut recorder: Option<&mut Recorder<Output>>,
) -> anyhow::Result<DemoEnd> {
    let mut events = Input::new().context("reading the terminal")?;
    let mut signals = Signals::new()?;
    let frame_gap = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 240)));
    let wall = |ns: u64| Duration::from_secs_f64(ns as f64 / 1e9 / speed);
    // The reading follows what the lesson pane shows in this terminal.
    let reader = |area: Rect| crate::demo::Reader {
        words: ui::demo::words_on_screen,
        width: area.width,
        height: area.height,
    };
    let size = guard.terminal.size()?;
    demo.read_on(app, reader(draw_area(size.width, size.height)));

    draw_demo(&mut guard.terminal, app, demo, theme)?;
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
        // After a stop (Ctrl-Z, SIGTSTP, SIGCONT): the terminal back, all of it redrawn.
        let mut resumed = false;
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) if is_suspend_key(&ev) => {
                    guard.suspend(true)?;
                    resumed = true;
                }
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
                        draw_demo(&mut guard.terminal, app, demo, theme)?;
                    }
                    Some(Cmd::Demo(DemoCmd::Skip)) => {
                        let mv = demo.skip(app)?;
                        if let Some(r) = recorder.as_deref_mut() {
                            r.after(app, demo, &mv)?;
                        }
                        draw_demo(&mut guard.terminal, app, demo, theme)?;
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
                Some(Ok(Event::Resize(w, h))) => {
                    demo.read_on(app, reader(fit(&mut guard.terminal, w, h)?));
                    draw_demo(&mut guard.terminal, app, demo, theme)?;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e).context("reading terminal events"),
                None => return Ok(DemoEnd::Quit),
            },
            () = tokio::time::sleep_until(due.into()), if !paused => {
                let Some(mv) = demo.next(app)? else {
                    draw_demo(&mut guard.terminal, app, demo, theme)?;
                    return Ok(DemoEnd::Finished);
                };
                if let Some(r) = recorder.as_deref_mut() {
                    r.after(app, demo, &mv)?;
                }
                let hold = wall(mv.hold_ns);
                let now = Instant::now();
                if mv.key || hold >= frame_gap || dirty && now - last_draw >= frame_gap {
                    draw_demo(&mut guard.terminal, app, demo, theme)?;
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
            sig = signals.recv() => match sig {
                Sig::Quit(n) => return Ok(DemoEnd::Signal(n)),
                Sig::Stop => {
                    guard.suspend(false)?;
                    resumed = true;
                }
                Sig::Continued => {
                    guard.resume()?;
                    resumed = true;
                }
            },
        }
        if resumed {
            draw_demo(&mut guard.terminal, app, demo, theme)?;
            last_draw = Instant::now();
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

/// What a signal asks of the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sig {
    /// SIGTERM, SIGHUP, SIGINT, SIGQUIT (its number): quit, the terminal restored; the
    /// exit status is 128 + the number.
    Quit(i32),
    /// SIGTSTP (a `kill -TSTP`: in raw mode Ctrl-Z arrives as a key): stop, the terminal
    /// given back first.
    Stop,
    /// SIGCONT: continued after a stop the lab did not see coming (SIGSTOP): take the
    /// terminal again and redraw.
    Continued,
}

/// The signals the loops listen for (Ctrl-C and Ctrl-Z arrive as keys in raw mode; a
/// `kill -INT` or `kill -TSTP` does not).
#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
    tstp: tokio::signal::unix::Signal,
    cont: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        let on = |kind: SignalKind, name: &str| {
            signal(kind).with_context(|| format!("listening for {name}"))
        };
        Ok(Signals {
            term: on(SignalKind::terminate(), "SIGTERM")?,
            hup: on(SignalKind::hangup(), "SIGHUP")?,
            int: on(SignalKind::interrupt(), "SIGINT")?,
            quit: on(SignalKind::quit(), "SIGQUIT")?,
            tstp: on(SignalKind::from_raw(libc::SIGTSTP), "SIGTSTP")?,
            cont: on(SignalKind::from_raw(libc::SIGCONT), "SIGCONT")?,
        })
    }

    async fn recv(&mut self) -> Sig {
        tokio::select! {
            _ = self.term.recv() => Sig::Quit(libc::SIGTERM),
            _ = self.hup.recv() => Sig::Quit(libc::SIGHUP),
            _ = self.int.recv() => Sig::Quit(libc::SIGINT),
            _ = self.quit.recv() => Sig::Quit(libc::SIGQUIT),
            _ = self.tstp.recv() => Sig::Stop,
            _ = self.cont.recv() => Sig::Continued,
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

    async fn recv(&mut self) -> Sig {
        let _ = tokio::signal::ctrl_c().await;
        Sig::Quit(2)
    }
}
