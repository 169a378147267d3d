//! The commands: one file each, over the command-line definitions in [`cli`]. Nothing
//! below this module knows the command line.
//!
//! - [`run`]: `evtchn-lab run`, a scenario headless;
//! - [`lab`]: the live lab (`evtchn-lab`, `free`, `lesson ID`);
//! - [`lessons`]: `lessons` and `lessons check`;
//! - [`demo`]: `demo`, live or recorded;
//! - [`snapshot`]: `snapshot`, one frame as text;
//! - `completions` and `man` come straight from [`cli`].
//!
//! A message on stderr goes through `say!`: a full or closed stderr (`2>/dev/full`) is no
//! reason to panic, and there is nowhere else to say it.

/// `eprintln!` that ignores a failed write instead of panicking (in scope in every command's
/// module, declared after it).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod demo;
pub mod lab;
pub mod lessons;
pub mod run;
pub mod snapshot;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use cli::{Cli, Command};

use crate::report::StopSignal;

/// Carry out the command `cli` names.
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    ignore_file_size_signal();
    match cli.command {
        Some(Command::Run(args)) => run::run(&args),
        Some(Command::Lessons(args)) => lessons::run(&args),
        Some(Command::Free(args)) => lab::free(&args),
        Some(Command::Lesson(args)) => lab::lesson(&args),
        Some(Command::Demo(args)) => demo::run(&args),
        Some(Command::Snapshot(args)) => snapshot::run(&args),
        Some(Command::Completions(args)) => cli::completions(args.shell, &mut std::io::stdout())
            .map(|()| ExitCode::SUCCESS)
            .map_err(Into::into),
        Some(Command::Man(args)) => {
            cli::man(args.command.as_deref(), &mut std::io::stdout()).map(|()| ExitCode::SUCCESS)
        }
        // No command: the start screen (lessons, continue, free play).
        None => lab::start(),
    }
}

/// For the whole program: a write past the file-size limit (`ulimit -f`) fails with EFBIG,
/// which the writer reports, instead of SIGXFSZ killing the program (the lab's terminal
/// left in raw mode, a temporary file left behind).
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: signal(2) setting SIGXFSZ to SIG_IGN; no handler runs.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT, caught for the length of a headless command (a run,
/// a recording): it asks between steps and stops early instead of dying half-way.
pub(crate) struct StopRequest {
    signal: Arc<AtomicUsize>,
}

impl StopRequest {
    /// The signals with what they mean to a run.
    #[cfg(unix)]
    const SIGNALS: [(i32, StopSignal); 4] = [
        (libc::SIGINT, StopSignal::Interrupt),
        (libc::SIGTERM, StopSignal::Terminate),
        (libc::SIGHUP, StopSignal::Hangup),
        (libc::SIGQUIT, StopSignal::Quit),
    ];
    #[cfg(not(unix))]
    const SIGNALS: [(i32, StopSignal); 2] = [
        (signal_hook::consts::SIGINT, StopSignal::Interrupt),
        (signal_hook::consts::SIGTERM, StopSignal::Terminate),
    ];

    pub(crate) fn listen() -> anyhow::Result<Self> {
        let signal = Arc::new(AtomicUsize::new(0));
        for (sig, _) in Self::SIGNALS {
            signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)
                .context("listening for Ctrl-C")?;
        }
        Ok(StopRequest { signal })
    }

    /// The flag a signal sets to its number (0 until then).
    pub(crate) fn flag(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.signal)
    }

    /// The signal that asked to stop, if one did.
    pub(crate) fn requested(&self) -> Option<StopSignal> {
        match self.signal.load(Ordering::Relaxed) {
            0 => None,
            s => Some(
                Self::SIGNALS
                    .iter()
                    .find(|(sig, _)| *sig as usize == s)
                    .map_or(StopSignal::Interrupt, |&(_, stop)| stop),
            ),
        }
    }
}
