//! The signals the lab's loops listen for, as what they ask of the lab.

use anyhow::Context;

/// What a signal asks of the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sig {
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
pub(super) struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
    tstp: tokio::signal::unix::Signal,
    cont: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    pub(super) fn new() -> anyhow::Result<Self> {
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

    pub(super) async fn recv(&mut self) -> Sig {
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
pub(super) struct Signals;

#[cfg(not(unix))]
impl Signals {
    pub(super) fn new() -> anyhow::Result<Self> {
        Ok(Signals)
    }

    pub(super) async fn recv(&mut self) -> Sig {
        let _ = tokio::signal::ctrl_c().await;
        Sig::Quit(2)
    }
}
