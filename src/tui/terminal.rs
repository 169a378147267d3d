//! The terminal: taken (raw mode, the alternate screen, mouse capture, the cursor hidden)
//! and given back on every way out, a panic and a stop (Ctrl-Z, SIGTSTP) included.

use std::io::{self, Write, stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEventKind, KeyModifiers,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::layout::Rect;
use ratatui::prelude::CrosstermBackend;
use ratatui::{DefaultTerminal, Terminal, TerminalOptions, Viewport};

use super::{PANIC_HINT, draw_area};

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
pub(super) fn fit(terminal: &mut DefaultTerminal, width: u16, height: u16) -> io::Result<Rect> {
    let area = draw_area(width, height);
    terminal.resize(area)?;
    Ok(area)
}

/// The terminal taken, given back on drop and on panic.
pub(super) struct TerminalGuard {
    pub(super) terminal: DefaultTerminal,
}

impl TerminalGuard {
    pub(super) fn enter() -> anyhow::Result<Self> {
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
    pub(super) fn suspend(&mut self, group: bool) -> anyhow::Result<Rect> {
        give_back();
        stop(group);
        self.resume()
    }

    /// Take the terminal again (after a stop) and redraw it all on the next draw.
    pub(super) fn resume(&mut self) -> anyhow::Result<Rect> {
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
pub(super) fn is_suspend_key(ev: &Event) -> bool {
    cfg!(unix)
        && matches!(ev, Event::Key(k)
            if k.code == KeyCode::Char('z')
                && k.modifiers.contains(KeyModifiers::CONTROL)
                && k.kind != KeyEventKind::Release)
}
