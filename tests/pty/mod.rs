//! A program in a pseudo-terminal, driven from a test: nothing to install but the crates.
//!
//! [`Pty::spawn`] starts a command in a new pty of a given size (its own session, the pty as
//! its controlling terminal). A background thread reads everything it writes into a `vt100`
//! parser, so a test reads the screen as a terminal would show it ([`Pty::wait_for`],
//! [`Pty::screen`]), plus the raw bytes for what `vt100` does not track
//! ([`Pty::dec_modes`]: every DEC private mode the program set or reset). [`Pty::send`]
//! types, [`Pty::signal`] signals, [`Pty::wait_exit`] waits for the exit status with a
//! timeout, and [`Pty::termios`] reads the terminal's line discipline settings (cooked or
//! raw), also after the program exited. Dropping a [`Pty`] kills a child still running.
// Each test binary uses its own subset of these.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

/// How often [`Pty::wait_for`] and [`Pty::wait_exit`] look again.
pub const POLL: Duration = Duration::from_millis(50);

/// What the reader thread has seen.
struct Seen {
    parser: vt100::Parser,
    raw: Vec<u8>,
    /// The reader saw end of file or an error (on Linux: EIO once no process has the
    /// pty's slave side open any more).
    closed: bool,
}

/// A child process in a pseudo-terminal; killed (SIGKILL) and reaped on drop if it is still
/// running.
pub struct Pty {
    // Declared before `master`, so a child still running is killed first (see `Drop`).
    child: Box<dyn Child + Send + Sync>,
    pid: i32,
    status: Option<ExitStatus>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    seen: Arc<Mutex<Seen>>,
    /// The pty's settings before the child could change them.
    initial: libc::termios,
}

/// A command for [`Pty::spawn`]: `program` with `args`, the test's environment plus `env`,
/// in `cwd`.
pub fn command<S: AsRef<OsStr>>(
    program: impl AsRef<OsStr>,
    args: &[S],
    env: &[(&str, &OsStr)],
    cwd: impl AsRef<OsStr>,
) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(program);
    cmd.args(args);
    cmd.env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.cwd(cwd);
    cmd
}

impl Pty {
    /// Start `cmd` in a new `cols`×`rows` pty.
    pub fn spawn(cmd: CommandBuilder, cols: u16, rows: u16) -> Pty {
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system().openpty(size).expect("open a pty");
        let fd = pair.master.as_raw_fd().expect("the pty master's fd");
        let initial = tcgetattr(fd).expect("the new pty's termios");
        let child = pair.slave.spawn_command(cmd).expect("spawn in the pty");
        // Only the child keeps the slave side open: when it exits, reads see the end.
        drop(pair.slave);
        let pid = child
            .process_id()
            .and_then(|p| i32::try_from(p).ok())
            .expect("the child's pid");
        let reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let seen = Arc::new(Mutex::new(Seen {
            parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
            raw: Vec::new(),
            closed: false,
        }));
        let for_reader = Arc::clone(&seen);
        thread::Builder::new()
            .name(format!("pty-reader-{pid}"))
            .spawn(move || read_all(reader, &for_reader))
            .expect("start the pty reader");
        Pty {
            child,
            pid,
            status: None,
            writer,
            master: pair.master,
            seen,
            initial,
        }
    }

    fn seen(&self) -> MutexGuard<'_, Seen> {
        // A panicking test thread must not hide the screen from the next assertion.
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The child's process id.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The screen as parsed so far.
    pub fn screen(&self) -> vt100::Screen {
        self.seen().parser.screen().clone()
    }

    /// The screen's text, one line per row, trailing blanks cut.
    pub fn text(&self) -> String {
        self.seen().parser.screen().contents()
    }

    /// Everything the child wrote so far.
    pub fn raw(&self) -> Vec<u8> {
        self.seen().raw.clone()
    }

    /// Type `bytes` into the terminal.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.writer
            .write_all(bytes.as_ref())
            .and_then(|()| self.writer.flush())
            .expect("write to the pty");
    }

    /// Make the terminal `cols`×`rows`, as a window resized: the kernel sends SIGWINCH to
    /// the pty's foreground process group, and the screen read here takes the new size.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.seen().parser.set_size(nonzero(rows), nonzero(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
    }

    /// Send `sig` (`libc::SIGTERM`, …) to the child.
    pub fn signal(&self, sig: libc::c_int) {
        assert!(self.status.is_none(), "the child has exited already");
        // SAFETY: kill(2) with a pid we spawned and have not reaped.
        let r = unsafe { libc::kill(self.pid, sig) };
        assert_eq!(
            r,
            0,
            "kill({}, {sig}): {}",
            self.pid,
            std::io::Error::last_os_error()
        );
    }

    /// Poll the parsed screen until `pred` holds; fail after `timeout` with the screen's
    /// text (and how the child ended, if it did).
    pub fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&vt100::Screen) -> bool,
    ) -> vt100::Screen {
        let end = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() >= end {
                panic!(
                    "timed out after {timeout:?} waiting for {what}\n{}",
                    self.report()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// [`Pty::wait_for`] with a predicate on the screen's text.
    pub fn wait_for_text(
        &mut self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&str) -> bool,
    ) -> String {
        self.wait_for(what, timeout, |s| pred(&s.contents()))
            .contents()
    }

    /// The child's exit status, if it has exited.
    pub fn try_exit(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().expect("poll the child");
        }
        self.status.clone()
    }

    /// Wait for the child to exit (failing after `timeout` with the screen), then for the
    /// reader to have parsed all it wrote; the exit status.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let end = Instant::now() + timeout;
        let status = loop {
            if let Some(s) = self.try_exit() {
                break s;
            }
            if Instant::now() >= end {
                panic!(
                    "timed out after {timeout:?} waiting for the child to exit\n{}",
                    self.report()
                );
            }
            thread::sleep(POLL);
        };
        // Its last bytes: the reader sees the end once the slave side is closed.
        let end = Instant::now() + Duration::from_secs(5);
        while !self.seen().closed {
            if Instant::now() >= end {
                panic!(
                    "the child exited ({status}) but its output did not end\n{}",
                    self.report()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
        status
    }

    /// The pty's current termios (the slave's, read through the master: on Linux both
    /// ends share one; it stays readable after the child exited).
    pub fn termios(&self) -> libc::termios {
        let fd = self.master.as_raw_fd().expect("the pty master's fd");
        tcgetattr(fd).expect("tcgetattr on the pty")
    }

    /// The termios the pty had before the child ran.
    pub fn initial_termios(&self) -> libc::termios {
        self.initial
    }

    /// The last setting of each DEC private mode (`CSI ? Pm h` / `CSI ? Pm l`) in the
    /// child's output: `true` set, `false` reset. Modes never mentioned are absent.
    pub fn dec_modes(&self) -> BTreeMap<u16, bool> {
        dec_modes(&self.seen().raw)
    }

    /// The screen, the child's state and the output's last bytes, for failure messages.
    pub fn report(&mut self) -> String {
        let exit = match self.try_exit() {
            Some(s) => format!("exited: {s}"),
            None => "still running".to_string(),
        };
        let seen = self.seen();
        let screen = seen.parser.screen();
        let tail = &seen.raw[seen.raw.len().saturating_sub(400)..];
        let mut out = format!(
            "child {} {exit}; alternate screen {}, cursor hidden {}, output {} bytes{}\n",
            self.pid,
            screen.alternate_screen(),
            screen.hide_cursor(),
            seen.raw.len(),
            if seen.closed { ", ended" } else { "" },
        );
        let _ = writeln!(out, "---- screen ----\n{}", screen.contents());
        let _ = writeln!(out, "---- last output bytes ----\n{}", tail.escape_ascii());
        out
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.try_exit().is_none() {
            // SAFETY: kill(2) with a pid we spawned and have not reaped.
            unsafe { libc::kill(self.pid, libc::SIGKILL) };
            let _ = self.child.wait();
        }
    }
}

/// The reader thread: everything into the parser and the raw log, until the end.
fn read_all(mut reader: Box<dyn Read + Send>, seen: &Mutex<Seen>) {
    let mut buf = [0u8; 8192];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) | Err(_) => 0,
            Ok(n) => n,
        };
        let mut s = seen.lock().unwrap_or_else(|e| e.into_inner());
        if n == 0 {
            s.closed = true;
            return;
        }
        s.parser.process(&buf[..n]);
        s.raw.extend_from_slice(&buf[..n]);
    }
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a pty of at least one row and one column")
}

fn tcgetattr(fd: libc::c_int) -> std::io::Result<libc::termios> {
    // SAFETY: termios is plain data; tcgetattr fills it or fails.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut t) } == 0 {
        Ok(t)
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Cooked (canonical) mode as a shell leaves a terminal: line editing, echo, signals from
/// keys (Ctrl-C → SIGINT), CR→NL on input and output post-processing. `cfmakeraw`, which
/// raw mode uses, clears every one of these.
pub fn is_cooked(t: &libc::termios) -> bool {
    let l = libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN;
    t.c_lflag & l == l && t.c_iflag & libc::ICRNL != 0 && t.c_oflag & libc::OPOST != 0
}

/// The termios flags in words, for failure messages.
pub fn describe(t: &libc::termios) -> String {
    format!(
        "iflag {:#o} oflag {:#o} cflag {:#o} lflag {:#o} (ICANON {}, ECHO {}, ISIG {})",
        t.c_iflag,
        t.c_oflag,
        t.c_cflag,
        t.c_lflag,
        t.c_lflag & libc::ICANON != 0,
        t.c_lflag & libc::ECHO != 0,
        t.c_lflag & libc::ISIG != 0,
    )
}

/// See [`Pty::dec_modes`].
pub fn dec_modes(raw: &[u8]) -> BTreeMap<u16, bool> {
    let mut modes = BTreeMap::new();
    let mut i = 0;
    while let Some(at) = raw[i..].windows(3).position(|w| w == b"\x1b[?") {
        let start = i + at + 3;
        let len = raw[start..]
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b';'))
            .unwrap_or(raw.len() - start);
        let end = start + len;
        let on = match raw.get(end) {
            Some(b'h') => Some(true),
            Some(b'l') => Some(false),
            _ => None,
        };
        if let Some(on) = on {
            let params = std::str::from_utf8(&raw[start..end]).unwrap_or("");
            for p in params.split(';').filter_map(|p| p.parse().ok()) {
                modes.insert(p, on);
            }
        }
        i = end;
    }
    modes
}

#[test]
fn dec_modes_reads_sets_and_resets() {
    let m = dec_modes(b"x\x1b[?1049h\x1b[?1000;1006h\x1b[?25l\x1b[?1000l\x1b[?12$p\x1b[?");
    assert_eq!(
        m.into_iter().collect::<Vec<_>>(),
        [(25, false), (1000, false), (1006, true), (1049, true)]
    );
}
