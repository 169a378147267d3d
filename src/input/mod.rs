//! The lab's input: keys, mouse reports, pastes and resizes, as crossterm's `Event`s.
//!
//! On Unix the terminal's bytes are read by a thread of their own (poll(2) on the terminal,
//! level-triggered, so a burst over 1 KiB is read whole) and parsed by [`parse::Parser`],
//! which ends input that cannot complete after [`ESC_TIMEOUT`] without a byte: an escape
//! sequence cut short (`ESC [ <`, a mouse report's first half), a bracketed paste without
//! its end. crossterm's reader keeps such a sequence until some later byte completes it, so
//! every key after it, `q` and Ctrl-C included, would wait. A resize (SIGWINCH) is
//! `Event::Resize` with the terminal's new size, as crossterm gives it.
//!
//! Elsewhere, crossterm's own event stream.

pub mod parse;

pub use parse::{ESC_TIMEOUT, PASTE_MAX};

#[cfg(unix)]
pub use unix::Input;

#[cfg(not(unix))]
pub use other::Input;

#[cfg(unix)]
mod unix {
    use std::fs::File;
    use std::io::{self, IsTerminal, Write};
    use std::os::fd::{AsRawFd, RawFd};
    use std::os::unix::net::UnixStream;
    use std::thread::{self, JoinHandle};
    use std::time::Instant;

    use crossterm::event::Event;
    use tokio::signal::unix::{Signal, SignalKind, signal};
    use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

    use super::parse::Parser;

    /// The terminal's input, read by a thread until this is dropped.
    pub struct Input {
        events: UnboundedReceiver<io::Result<Event>>,
        resized: Signal,
        /// Written to (or dropped) to stop the thread.
        stop: UnixStream,
        thread: Option<JoinHandle<()>>,
    }

    impl Input {
        /// Start reading the terminal: standard input when it is one, else `/dev/tty`. In a
        /// tokio runtime (resizes arrive as a signal).
        pub fn new() -> io::Result<Input> {
            let tty = if io::stdin().is_terminal() {
                None
            } else {
                Some(File::open("/dev/tty")?)
            };
            let resized = signal(SignalKind::window_change())?;
            let (stop, stopped) = UnixStream::pair()?;
            let (tx, events) = unbounded_channel();
            let thread = thread::Builder::new()
                .name("evtchn-lab-input".into())
                .spawn(move || {
                    let fd = tty.as_ref().map_or(0, AsRawFd::as_raw_fd);
                    read(fd, &stopped, &tx);
                })?;
            Ok(Input {
                events,
                resized,
                stop,
                thread: Some(thread),
            })
        }

        /// The next event; `None` once the terminal's input has ended (a hang-up).
        /// Cancel-safe: nothing is lost when another branch of a `select!` wins.
        pub async fn next(&mut self) -> Option<io::Result<Event>> {
            tokio::select! {
                ev = self.events.recv() => ev,
                Some(()) = self.resized.recv() => {
                    Some(crossterm::terminal::size().map(|(w, h)| Event::Resize(w, h)))
                }
            }
        }
    }

    impl Drop for Input {
        fn drop(&mut self) {
            let _ = self.stop.write_all(&[1]);
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }

    /// What [`wait`] saw.
    enum Ready {
        Input,
        Stop,
        TimedOut,
    }

    /// The thread: read `fd`, parse, send the events, until `stop` is readable, the input
    /// ends or the receiver is gone. Input under way is ended when its deadline passes
    /// with no byte ready.
    fn read(fd: RawFd, stop: &UnixStream, tx: &UnboundedSender<io::Result<Event>>) {
        let mut parser = Parser::default();
        let mut buf = [0u8; 8192];
        loop {
            let events = match wait(fd, stop, parser.deadline()) {
                Ok(Ready::Stop) => return,
                Ok(Ready::TimedOut) => parser.expire(Instant::now()),
                Ok(Ready::Input) => {
                    // SAFETY: read(2) into a buffer of this length that we own.
                    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
                    match usize::try_from(n) {
                        // The end of the input (the terminal hung up).
                        Ok(0) => {
                            for ev in parser.flush() {
                                let _ = tx.send(Ok(ev));
                            }
                            return;
                        }
                        Ok(n) => parser.push(&buf[..n], Instant::now()),
                        Err(_) => {
                            let e = io::Error::last_os_error();
                            if matches!(
                                e.kind(),
                                io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock
                            ) {
                                continue;
                            }
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            for ev in events {
                if tx.send(Ok(ev)).is_err() {
                    return;
                }
            }
        }
    }

    /// poll(2) `fd` and `stop` until one is ready or `deadline` passes.
    fn wait(fd: RawFd, stop: &UnixStream, deadline: Option<Instant>) -> io::Result<Ready> {
        let mut fds = [
            libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: stop.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        loop {
            // Rounded up: woken before the deadline, the parser would have nothing to end.
            let timeout = deadline.map_or(-1, |d| {
                let left = d.saturating_duration_since(Instant::now());
                i32::try_from(left.as_micros().div_ceil(1000)).unwrap_or(i32::MAX)
            });
            // SAFETY: poll(2) on an array of two pollfds that we own.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                return Ok(Ready::TimedOut);
            }
            if fds[1].revents != 0 {
                return Ok(Ready::Stop);
            }
            if fds[0].revents & libc::POLLNVAL != 0 {
                return Err(io::Error::from_raw_os_error(libc::EBADF));
            }
            // Readable, or hung up / in error: read(2) says which.
            return Ok(Ready::Input);
        }
    }
}

#[cfg(not(unix))]
mod other {
    use std::io;

    use crossterm::event::{Event, EventStream};
    use futures_util::StreamExt;

    /// crossterm's event stream.
    pub struct Input(EventStream);

    impl Input {
        pub fn new() -> io::Result<Input> {
            Ok(Input(EventStream::new()))
        }

        /// The next event; `None` once the input has ended.
        pub async fn next(&mut self) -> Option<io::Result<Event>> {
            self.0.next().await
        }
    }
}
