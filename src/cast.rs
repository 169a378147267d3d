//! Frames without a terminal: a demo as an asciinema v2 recording, and one frame as text.
//!
//! A recording is a header line, then one `[time, "o", data]` line per frame:
//! ```text
//! {"version": 2, "width": 120, "height": 40, "title": "evtchn-lab demo 01-ports-and-bits", "env": {"TERM": "xterm-256color"}}
//! [0.000000, "o", "\u001b[H\u001b[2J\u001b[?25l…"]
//! [0.700000, "o", "\u001b[1;112H…"]
//! ```
//! Each frame is ratatui's own diff of the new buffer against the last one, written by the
//! crossterm backend into memory (a fixed viewport: no terminal is asked anything). Times
//! come from the demo's clock, so a recording is the same on every machine.
//!
//! [`Recorder`] plays a [`Demo`] into a recording: a frame after every key and after any
//! move that holds the screen for a frame's time or more, otherwise at most
//! [`FRAME_NS`] apart (10 frames a second while the lab runs).

pub mod questions;

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use anyhow::Context;

use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::{Frame, Terminal, TerminalOptions, Viewport};

use crate::app::App;
use crate::demo::{Demo, DemoError, Move};
use crate::files::write::{self, Output};
use crate::ui::demo::DemoView;
use crate::ui::theme::Theme;
use crate::words::{self, Precision, Time};

/// The shortest time between two frames of a recording while the lab runs (demo time).
pub const FRAME_NS: u64 = 100_000_000;

/// What the recording's terminal starts with: home, clear, no cursor.
const START: &str = "\x1b[H\x1b[2J\x1b[?25l";

/// Bytes the backend writes, kept for the caller (the backend owns its writer).
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Sink {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An asciinema v2 recording being written.
pub struct CastWriter<W: Write> {
    out: W,
    sink: Sink,
    term: Terminal<CrosstermBackend<Sink>>,
    /// What the backend writes for a frame in which nothing changed (its closing reset and
    /// cursor hiding): such a frame is not written.
    unchanged: Vec<u8>,
    /// Time of the last event written, s (events never go back in time).
    last_s: f64,
    frames: usize,
    width: u16,
    height: u16,
}

/// What was recorded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CastSummary {
    pub width: u16,
    pub height: u16,
    pub frames: usize,
    /// Length of the recording, s.
    pub seconds: f64,
}

/// A JSON string: serde_json's escaping, which asciinema reads.
fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

impl<W: Write> CastWriter<W> {
    /// Start a `width`×`height` recording: writes the header line.
    pub fn new(mut out: W, width: u16, height: u16, title: &str) -> io::Result<Self> {
        writeln!(
            out,
            "{{\"version\": 2, \"width\": {width}, \"height\": {height}, \"title\": {}, \
             \"env\": {{\"TERM\": \"xterm-256color\"}}}}",
            json_str(title)
        )?;
        let sink = Sink::default();
        let mut term = Terminal::with_options(
            CrosstermBackend::new(sink.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
            },
        )?;
        // A blank frame over the blank start changes no cell.
        term.draw(|_| {})?;
        let unchanged = sink.take();
        Ok(CastWriter {
            out,
            sink,
            term,
            unchanged,
            last_s: 0.0,
            frames: 0,
            width,
            height,
        })
    }

    /// Write `data` at `t_ns` of recording time.
    fn event(&mut self, t_ns: u64, data: &str) -> io::Result<()> {
        let t = (t_ns as f64 / 1e9).max(self.last_s);
        self.last_s = t;
        writeln!(self.out, "[{t:.6}, \"o\", {}]", json_str(data))
    }

    /// Draw a frame at `t_ns` of recording time: only what changed since the last one is
    /// written (nothing at all when nothing changed).
    pub fn frame(&mut self, t_ns: u64, draw: impl FnOnce(&mut Frame)) -> io::Result<()> {
        self.term.draw(draw)?;
        let mut bytes = self.sink.take();
        if bytes == self.unchanged && self.frames > 0 {
            return Ok(());
        }
        if self.frames == 0 {
            let mut first = START.as_bytes().to_vec();
            first.append(&mut bytes);
            bytes = first;
        }
        self.frames += 1;
        let data = String::from_utf8_lossy(&bytes).into_owned();
        self.event(t_ns, &data)
    }

    /// End the recording at `t_ns`: the cursor back, at the bottom left, so a terminal that
    /// played it is usable again. Returns the writer.
    pub fn finish(mut self, t_ns: u64) -> io::Result<(W, CastSummary)> {
        let end = format!("\x1b[0m\x1b[{};1H\x1b[?25h", self.height);
        self.event(t_ns, &end)?;
        self.out.flush()?;
        let summary = CastSummary {
            width: self.width,
            height: self.height,
            frames: self.frames,
            seconds: self.last_s,
        };
        Ok((self.out, summary))
    }
}

/// Records a demo: decides which moves get a frame, and when.
pub struct Recorder<W: Write> {
    cast: CastWriter<W>,
    theme: Theme,
    /// Demo time is divided by this in the recording (`--speed`).
    speed: f64,
    last_frame_ns: Option<u64>,
}

impl<W: Write> Recorder<W> {
    pub fn new(cast: CastWriter<W>, theme: Theme, speed: f64) -> Self {
        Recorder {
            cast,
            theme,
            speed,
            last_frame_ns: None,
        }
    }

    /// Recording time of demo time `ns`.
    fn t(&self, ns: u64) -> u64 {
        (ns as f64 / self.speed).round() as u64
    }

    /// The screen as it is now, at demo time `at_ns`.
    pub fn frame(&mut self, app: &App, demo: &Demo, at_ns: u64) -> io::Result<()> {
        let t = self.t(at_ns);
        let theme = &self.theme;
        self.cast.frame(t, |f| {
            f.render_widget(DemoView { app, theme, demo }, f.area());
        })?;
        self.last_frame_ns = Some(t);
        Ok(())
    }

    /// After a move: a frame when it pressed a key, holds the screen a frame's time or
    /// more, or the last frame is that long ago.
    pub fn after(&mut self, app: &App, demo: &Demo, mv: &Move) -> io::Result<()> {
        let t = self.t(mv.at_ns);
        let due = match self.last_frame_ns {
            None => true,
            Some(last) => mv.key || self.t(mv.hold_ns) >= FRAME_NS || t >= last + FRAME_NS,
        };
        if due {
            self.frame(app, demo, mv.at_ns)?;
        }
        Ok(())
    }

    /// The last frame (the demo's end) and the end of the recording.
    pub fn finish(mut self, app: &App, demo: &Demo) -> io::Result<(W, CastSummary)> {
        let end = demo.clock_ns();
        self.frame(app, demo, end)?;
        let t = self.t(end);
        self.cast.finish(t)
    }
}

/// Why recording stopped.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Demo(#[from] DemoError),
    #[error("writing the recording: {0}")]
    Io(#[from] io::Error),
}

/// Play `demo` to its end into a recording, without a terminal.
pub fn record<W: Write>(
    demo: &mut Demo,
    app: &mut App,
    mut rec: Recorder<W>,
) -> Result<(W, CastSummary), RecordError> {
    rec.frame(app, demo, 0)?;
    while let Some(mv) = demo.next(app)? {
        rec.after(app, demo, &mv)?;
    }
    Ok(rec.finish(app, demo)?)
}

/// Cells of `buf` as rows of text (a wide character's second cell is skipped); trailing
/// blanks cut.
pub fn plain_text(buf: &Buffer) -> String {
    let mut out = String::with_capacity(buf.area.area() as usize + buf.area.height as usize);
    for y in buf.area.top()..buf.area.bottom() {
        let mut row = String::with_capacity(buf.area.width as usize);
        let mut skip = 0usize;
        for x in buf.area.left()..buf.area.right() {
            let sym = buf[(x, y)].symbol();
            if skip == 0 {
                row.push_str(if sym.is_empty() { " " } else { sym });
            }
            skip = skip.max(Span::raw(sym).width()).saturating_sub(1);
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

/// An SGR parameter list for `style` (after a reset).
fn sgr(style: Style) -> String {
    let mut p: Vec<String> = Vec::with_capacity(6);
    let m = style.add_modifier;
    for (flag, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if m.contains(flag) {
            p.push(code.to_string());
        }
    }
    if let Some(c) = style.fg.and_then(|c| colour(c, false)) {
        p.push(c);
    }
    if let Some(c) = style.bg.and_then(|c| colour(c, true)) {
        p.push(c);
    }
    p.join(";")
}

/// The SGR parameters of a colour (`None` for the terminal's default).
fn colour(c: Color, bg: bool) -> Option<String> {
    let base = if bg { 40 } else { 30 };
    let bright = if bg { 100 } else { 90 };
    let named = |i: u8| Some(if i < 8 { base + i } else { bright + i - 8 }.to_string());
    match c {
        Color::Reset => None,
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Indexed(i) => Some(format!("{};5;{i}", if bg { 48 } else { 38 })),
        Color::Rgb(r, g, b) => Some(format!("{};2;{r};{g};{b}", if bg { 48 } else { 38 })),
    }
}

/// Cells of `buf` as rows of text with their colours and attributes (SGR escapes only, no
/// cursor movement: `cat` shows it as the lab drew it); each row ends reset.
pub fn ansi_text(buf: &Buffer) -> String {
    let mut out = String::with_capacity(buf.area.area() as usize * 4);
    for y in buf.area.top()..buf.area.bottom() {
        let mut current: Option<Style> = None;
        let mut skip = 0usize;
        for x in buf.area.left()..buf.area.right() {
            let cell = &buf[(x, y)];
            let sym = cell.symbol();
            if skip == 0 {
                let style = Style::new()
                    .fg(cell.fg)
                    .bg(cell.bg)
                    .add_modifier(cell.modifier);
                if current != Some(style) {
                    out.push_str("\x1b[0");
                    let p = sgr(style);
                    if !p.is_empty() {
                        out.push(';');
                        out.push_str(&p);
                    }
                    out.push('m');
                    current = Some(style);
                }
                out.push_str(if sym.is_empty() { " " } else { sym });
            }
            skip = skip.max(Span::raw(sym).width()).saturating_sub(1);
        }
        out.push_str("\x1b[0m\n");
    }
    out
}
/// `12.3 s`, `2 min 05 s` or `1 h 05 min`: `s` seconds of wall time (a recording's
/// length, a demo played, a run's time left) in [`words::duration`]'s clock precision.
pub fn duration_words(s: f64) -> String {
    words::duration(Time::Secs(s), Precision::Clock)
}

/// One line about a recording.
pub fn summary_line(path: &Path, s: &CastSummary) -> String {
    let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    format!(
        "recorded {}: {}x{}, {} frames, {} long, {} KiB (play it: asciinema play {})",
        path.display(),
        s.width,
        s.height,
        s.frames,
        duration_words(s.seconds),
        bytes.div_ceil(1024),
        path.display()
    )
}

/// Start a recording into `path` through the one writer ([`crate::files::write`]): the
/// previous recording there stays whole until the new one is committed
/// ([`Output::commit`] on what [`CastWriter::finish`] gives back); one not committed leaves
/// no temporary. `abandon`: a flag a signal handler sets, after which the recording fails
/// and is dropped ([`Output::abandon_when`]).
pub fn start_recording(
    path: &Path,
    (width, height): (u16, u16),
    title: &str,
    abandon: Option<Arc<AtomicUsize>>,
) -> anyhow::Result<CastWriter<Output>> {
    let mut out = write::create(path)?;
    if let Some(flag) = abandon {
        out = out.abandon_when(flag);
    }
    CastWriter::new(out, width, height, title)
        .with_context(|| format!("writing {}", path.display()))
}
