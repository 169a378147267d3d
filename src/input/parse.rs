//! The terminal's bytes into crossterm's events, with a timeout: nothing the terminal (or a
//! paste) sends can hold the keys that follow it.
//!
//! A byte at a time, as terminals and editors read their input:
//! - printable characters (UTF-8), Enter, Tab, Backspace, Ctrl-letters;
//! - `ESC` then a character: that character with Alt; `ESC` alone: the Esc key;
//! - `ESC [` (CSI) and `ESC O` (SS3): the arrows, Home/End, PgUp/PgDn, Insert/Delete,
//!   F1–F12, BackTab, each with its modifiers; mouse reports (SGR `ESC [ <`, rxvt and X10):
//!   press, release, drag, wheel; focus in/out; a bracketed paste (`ESC [ 200 ~` … `ESC [
//!   201 ~`). A sequence the lab has no use for is read whole and dropped.
//!
//! Input under way (a sequence, a paste, a UTF-8 character) that gets no new byte for
//! [`ESC_TIMEOUT`] is over ([`Parser::expire`]): a sequence's bytes go on as keys (ESC as
//! Esc, the rest as characters), a paste ends with what it has, a character cut short is
//! dropped. A byte that cannot continue a sequence (a control key such as Ctrl-C, another
//! `ESC`, or anything but digits and `;` inside a mouse report) ends it at once, and is
//! then read as itself. So `q` and Ctrl-C are read whatever came before them: at once, or
//! after [`ESC_TIMEOUT`] at most.
//!
//! Pure: the time a byte arrived is an argument, so the tests need no terminal and no
//! clock.

use std::time::{Duration, Instant};

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// How long input under way waits for its next byte: a lone `ESC` is the Esc key once this
/// has passed without another byte, and a sequence cut short is over (its bytes go on as
/// keys). The wait restarts with every byte, so a sequence that arrives in pieces (a slow
/// link, ssh, a busy machine) is still one key as long as no piece is this late. A terminal
/// writes a key's sequence in one write and ssh forwards it in one packet, so its pieces,
/// if split at all, come well under a millisecond apart; 50 ms (Neovim's `ttimeoutlen`)
/// leaves room for a loaded machine and costs the Esc key 50 ms.
pub const ESC_TIMEOUT: Duration = Duration::from_millis(50);
/// The longest bracketed paste: one that grows past this many bytes without its end is
/// over, and what follows is read as keys again.
pub const PASTE_MAX: usize = 1 << 20;
/// The longest escape sequence (a mouse report on a 10,000-column terminal takes 20
/// bytes): one that grows past this without its final byte is over, its bytes read as keys.
pub const MAX_SEQUENCE: usize = 64;

/// Where the parser is between two bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    /// Nothing under way.
    #[default]
    Ground,
    /// A UTF-8 character: this many bytes still to come.
    Utf8(u8),
    /// `ESC`: the Esc key, a key with Alt, or the start of a sequence.
    Esc,
    /// `ESC O` (SS3): one more byte.
    Ss3,
    /// `ESC [` (CSI): parameter bytes, intermediate bytes, then one final byte.
    Csi,
    /// `ESC [ [` (the Linux console's F1–F5): one more byte.
    CsiBracket,
    /// `ESC [ M` (an X10 mouse report): three more bytes.
    X10,
    /// A bracketed paste, up to `ESC [ 201 ~`.
    Paste,
}

/// The start and the end of a bracketed paste.
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

/// An incremental parser of terminal input: bytes in ([`Parser::push`]), events out, and
/// input under way ended by [`Parser::expire`] once [`ESC_TIMEOUT`] has passed without a
/// byte ([`Parser::deadline`]).
#[derive(Debug, Default)]
pub struct Parser {
    state: State,
    /// The bytes of the sequence or character under way (from its `ESC`), or the paste's
    /// text so far.
    pending: Vec<u8>,
    /// When the last byte arrived.
    last: Option<Instant>,
    /// The key being read came after an `ESC`: it has Alt.
    alt: bool,
    out: Vec<Event>,
}

impl Parser {
    /// `bytes` read from the terminal at `now`: the events they complete.
    pub fn push(&mut self, bytes: &[u8], now: Instant) -> Vec<Event> {
        if !bytes.is_empty() {
            self.last = Some(now);
        }
        for &b in bytes {
            self.byte(b);
        }
        std::mem::take(&mut self.out)
    }

    /// When the input under way is over unless another byte comes first; `None` when
    /// nothing is under way.
    pub fn deadline(&self) -> Option<Instant> {
        match (self.state, self.last) {
            (State::Ground, _) | (_, None) => None,
            (_, Some(last)) => Some(last + ESC_TIMEOUT),
        }
    }

    /// At `now`, with no byte since the last [`Parser::push`]: if the input under way has
    /// waited [`ESC_TIMEOUT`] for its next byte, it is over (see the module's text); its
    /// events.
    pub fn expire(&mut self, now: Instant) -> Vec<Event> {
        if self.deadline().is_some_and(|d| now >= d) {
            self.flush()
        } else {
            Vec::new()
        }
    }

    /// No more bytes are coming (the end of the input): whatever is under way is over now;
    /// its events.
    pub fn flush(&mut self) -> Vec<Event> {
        // A sequence's bytes go on as keys, and X10's may start a UTF-8 character: that
        // is over too.
        while self.state != State::Ground {
            self.end();
        }
        std::mem::take(&mut self.out)
    }

    /// End what is under way, now.
    fn end(&mut self) {
        match self.state {
            State::Ground => {}
            State::Utf8(_) => self.reset(),
            State::Paste => {
                let text = String::from_utf8_lossy(&self.pending).into_owned();
                self.reset();
                self.out.push(Event::Paste(text));
            }
            State::Esc | State::Ss3 | State::Csi | State::CsiBracket | State::X10 => {
                let bytes = std::mem::take(&mut self.pending);
                self.reset();
                self.emit(KeyCode::Esc, KeyModifiers::NONE);
                for &b in &bytes[1..] {
                    self.byte(b);
                }
            }
        }
    }

    /// Back to [`State::Ground`], nothing pending.
    fn reset(&mut self) {
        self.state = State::Ground;
        self.pending.clear();
        self.alt = false;
    }

    /// A key: with Alt after an `ESC`; nothing is under way after it.
    fn emit(&mut self, code: KeyCode, mut mods: KeyModifiers) {
        if self.alt {
            mods |= KeyModifiers::ALT;
        }
        self.reset();
        self.out.push(Event::Key(KeyEvent::new(code, mods)));
    }

    /// A character typed: upper case comes with SHIFT, as crossterm reads it.
    fn emit_char(&mut self, c: char) {
        let mods = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        self.emit(KeyCode::Char(c), mods);
    }

    /// A complete sequence: its event, if the lab has a use for it; nothing under way after it.
    fn complete(&mut self, event: Option<Event>) {
        self.reset();
        self.out.extend(event);
    }

    /// `b` cannot continue the sequence under way: that is over, and `b` is read anew.
    fn abort(&mut self, b: u8) {
        self.end();
        self.byte(b);
    }

    /// One byte, read in the state under way.
    fn byte(&mut self, b: u8) {
        match self.state {
            State::Ground => self.ground(b),
            State::Utf8(left) => self.utf8(left, b),
            State::Esc => self.esc(b),
            State::Ss3 => self.ss3(b),
            State::CsiBracket => self.csi_bracket(b),
            State::X10 => self.x10(b),
            State::Csi => self.csi(b),
            State::Paste => self.paste(b),
        }
    }

    /// A byte of a UTF-8 character with `left` bytes to come.
    fn utf8(&mut self, left: u8, b: u8) {
        if b & 0xC0 != 0x80 {
            // Not a continuation: the character is dropped, the byte read anew.
            self.abort(b);
        } else if left > 1 {
            self.pending.push(b);
            self.state = State::Utf8(left - 1);
        } else {
            self.pending.push(b);
            match std::str::from_utf8(&self.pending)
                .ok()
                .and_then(|s| s.chars().next())
            {
                Some(c) => self.emit_char(c),
                None => self.reset(),
            }
        }
    }

    /// The byte after an `ESC`: a sequence begins, or a key with Alt.
    fn esc(&mut self, b: u8) {
        match b {
            b'[' => self.enter(State::Csi, b),
            b'O' => self.enter(State::Ss3, b),
            // A control key (Ctrl-C) or another ESC after ESC: the Esc key, then it.
            0x00..=0x1F | 0x7F => self.abort(b),
            _ => {
                self.reset();
                self.alt = true;
                self.ground(b);
            }
        }
    }

    /// The byte after `ESC O`: an arrow, Home, End or F1–F4.
    fn ss3(&mut self, b: u8) {
        if is_control(b) {
            return self.abort(b);
        }
        let code = match b {
            b'A' => Some(KeyCode::Up),
            b'B' => Some(KeyCode::Down),
            b'C' => Some(KeyCode::Right),
            b'D' => Some(KeyCode::Left),
            b'H' => Some(KeyCode::Home),
            b'F' => Some(KeyCode::End),
            b'P'..=b'S' => Some(KeyCode::F(1 + b - b'P')),
            _ => None,
        };
        self.complete(code.map(key));
    }

    /// The byte after `ESC [ [` (the Linux console's F1–F5).
    fn csi_bracket(&mut self, b: u8) {
        if is_control(b) {
            return self.abort(b);
        }
        let code = matches!(b, b'A'..=b'E').then(|| KeyCode::F(1 + b - b'A'));
        self.complete(code.map(key));
    }

    /// A byte of an X10 mouse report (`ESC [ M` and three bytes).
    fn x10(&mut self, b: u8) {
        // Each of the three bytes is 32 + a value: never a control.
        if b < 0x20 {
            return self.abort(b);
        }
        self.pending.push(b);
        if self.pending.len() == 6 {
            let [cb, x, y] = [self.pending[3], self.pending[4], self.pending[5]];
            let ev = cb.checked_sub(32).and_then(|cb| {
                mouse(
                    u16::from(cb),
                    u16::from(x.saturating_sub(32)),
                    u16::from(y.saturating_sub(32)),
                    false,
                )
            });
            self.complete(ev);
        }
    }

    /// A byte of a bracketed paste, until its end marker (or [`PASTE_MAX`] bytes).
    fn paste(&mut self, b: u8) {
        self.pending.push(b);
        if self.pending.ends_with(PASTE_END) {
            let text = &self.pending[..self.pending.len() - PASTE_END.len()];
            let ev = Event::Paste(String::from_utf8_lossy(text).into_owned());
            self.complete(Some(ev));
        } else if self.pending.len() >= PASTE_MAX {
            self.end();
        }
    }

    /// One more byte of a sequence, now in `state`.
    fn enter(&mut self, state: State, b: u8) {
        self.pending.push(b);
        self.state = state;
    }

    /// A byte with nothing under way.
    fn ground(&mut self, b: u8) {
        match b {
            0x1B => {
                self.reset();
                self.enter(State::Esc, b);
            }
            b'\r' => self.emit(KeyCode::Enter, KeyModifiers::NONE),
            b'\t' => self.emit(KeyCode::Tab, KeyModifiers::NONE),
            0x7F => self.emit(KeyCode::Backspace, KeyModifiers::NONE),
            0x00 => self.emit(KeyCode::Char(' '), KeyModifiers::CONTROL),
            // Ctrl-A … Ctrl-Z (`\n` is Ctrl-J in raw mode, as crossterm reads it).
            0x01..=0x1A => self.emit(KeyCode::Char((b - 1 + b'a') as char), KeyModifiers::CONTROL),
            0x1C..=0x1F => self.emit(
                KeyCode::Char((b - 0x1C + b'4') as char),
                KeyModifiers::CONTROL,
            ),
            0x20..=0x7E => self.emit_char(b as char),
            0xC2..=0xDF => self.enter(State::Utf8(1), b),
            0xE0..=0xEF => self.enter(State::Utf8(2), b),
            0xF0..=0xF4 => self.enter(State::Utf8(3), b),
            // Not the start of a UTF-8 character: dropped.
            _ => self.alt = false,
        }
    }

    /// One more byte of `ESC [ …`.
    fn csi(&mut self, b: u8) {
        let body = &self.pending[2..];
        // A mouse report (SGR): digits and `;`, then `M` (press) or `m` (release).
        let sgr = body.first() == Some(&b'<');
        let fits = match b {
            b'[' if body.is_empty() => return self.enter(State::CsiBracket, b),
            b'M' if body.is_empty() => return self.enter(State::X10, b),
            // Parameter bytes: not after an intermediate byte.
            0x30..=0x3F => {
                !body.iter().any(|c| (0x20..=0x2F).contains(c))
                    && (!sgr || b.is_ascii_digit() || b == b';')
            }
            // Intermediate bytes.
            0x20..=0x2F => !sgr,
            // The final byte.
            0x40..=0x7E => !sgr || b == b'M' || b == b'm',
            _ => false,
        };
        if !fits || self.pending.len() >= MAX_SEQUENCE {
            return self.abort(b);
        }
        self.pending.push(b);
        if (0x40..=0x7E).contains(&b) {
            if self.pending == PASTE_START {
                self.pending.clear();
                self.state = State::Paste;
            } else {
                let ev = csi_event(&self.pending);
                self.complete(ev);
            }
        }
    }
}

/// A byte that no sequence has inside it: a control (Ctrl-C, `ESC`), DEL, or not ASCII.
fn is_control(b: u8) -> bool {
    !(0x20..=0x7E).contains(&b)
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The event of a complete `ESC [ … final`, if the lab has a use for it.
fn csi_event(seq: &[u8]) -> Option<Event> {
    let (&last, body) = seq[2..].split_last()?;
    if let Some(params) = body.strip_prefix(b"<") {
        let [cb, x, y] = numbers::<3>(params)?;
        return mouse(cb, x, y, last == b'm');
    }
    // Terminal reports (`?`, `>`, `=`) and sequences with intermediate bytes: nothing the lab
    // asked for.
    if body
        .iter()
        .any(|c| matches!(c, b'?' | b'>' | b'=' | 0x20..=0x2F))
    {
        return None;
    }
    let params = params(body)?;
    let param = |i: usize| params.get(i).copied().flatten();
    // The modifiers: 1 + a bit each, in the second parameter.
    let mods = modifiers(param(1).unwrap_or(1));
    let code = match last {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        // F1, F2 and F4 without their `1;` (`ESC [ R` is also the cursor's position).
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'S' => KeyCode::F(4),
        b'Z' => {
            return Some(Event::Key(KeyEvent::new(
                KeyCode::BackTab,
                KeyModifiers::SHIFT,
            )));
        }
        b'I' if body.is_empty() => return Some(Event::FocusGained),
        b'O' if body.is_empty() => return Some(Event::FocusLost),
        // rxvt's mouse report: 32 + the button, the column, the row.
        b'M' => {
            let [cb, x, y] = numbers::<3>(body)?;
            return mouse(cb.checked_sub(32)?, x, y, false);
        }
        b'~' => match param(0)? {
            1 | 7 => KeyCode::Home,
            2 => KeyCode::Insert,
            3 => KeyCode::Delete,
            4 | 8 => KeyCode::End,
            5 => KeyCode::PageUp,
            6 => KeyCode::PageDown,
            n @ 11..=15 => KeyCode::F((n - 10) as u8),
            n @ 17..=21 => KeyCode::F((n - 11) as u8),
            n @ 23..=26 => KeyCode::F((n - 12) as u8),
            n @ 28..=29 => KeyCode::F((n - 15) as u8),
            n @ 31..=34 => KeyCode::F((n - 17) as u8),
            _ => return None,
        },
        _ => return None,
    };
    Some(Event::Key(KeyEvent::new(code, mods)))
}

/// The parameters of `body` (`1;5`, `;5`, `1:2;5`: a sub-parameter after `:` is left
/// out), `None` for an empty one; `None` if one is not a number.
fn params(body: &[u8]) -> Option<Vec<Option<u16>>> {
    if body.is_empty() {
        return Some(Vec::new());
    }
    body.split(|&c| c == b';')
        .map(|p| {
            let p = p.split(|&c| c == b':').next().unwrap_or(p);
            if p.is_empty() {
                Some(None)
            } else {
                std::str::from_utf8(p).ok()?.parse().ok().map(Some)
            }
        })
        .collect()
}

/// Exactly `N` numbers separated by `;`.
fn numbers<const N: usize>(body: &[u8]) -> Option<[u16; N]> {
    let all = params(body)?;
    let all: Vec<u16> = all.into_iter().collect::<Option<_>>()?;
    all.try_into().ok()
}

/// xterm's modifier parameter: 1 + Shift 1, Alt 2, Ctrl 4, Super 8, Hyper 16, Meta 32.
fn modifiers(param: u16) -> KeyModifiers {
    let bits = param.saturating_sub(1);
    [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
        (8, KeyModifiers::SUPER),
        (16, KeyModifiers::HYPER),
        (32, KeyModifiers::META),
    ]
    .into_iter()
    .filter(|(bit, _)| bits & bit != 0)
    .fold(KeyModifiers::NONE, |m, (_, k)| m | k)
}

/// A mouse report: the button byte `cb` (without X10's and rxvt's 32), the column and row
/// counted from 1; `release` for SGR's `m`. As crossterm reads it.
fn mouse(cb: u16, x: u16, y: u16, release: bool) -> Option<Event> {
    let button = (cb & 0b11) | ((cb & 0b1100_0000) >> 4);
    let dragging = cb & 0b10_0000 != 0;
    let kind = match (button, dragging) {
        (0, false) => MouseEventKind::Down(MouseButton::Left),
        (1, false) => MouseEventKind::Down(MouseButton::Middle),
        (2, false) => MouseEventKind::Down(MouseButton::Right),
        (0, true) => MouseEventKind::Drag(MouseButton::Left),
        (1, true) => MouseEventKind::Drag(MouseButton::Middle),
        (2, true) => MouseEventKind::Drag(MouseButton::Right),
        (3, false) => MouseEventKind::Up(MouseButton::Left),
        (3..=5, true) => MouseEventKind::Moved,
        (4, false) => MouseEventKind::ScrollUp,
        (5, false) => MouseEventKind::ScrollDown,
        (6, false) => MouseEventKind::ScrollLeft,
        (7, false) => MouseEventKind::ScrollRight,
        _ => return None,
    };
    let kind = match kind {
        MouseEventKind::Down(b) if release => MouseEventKind::Up(b),
        k => k,
    };
    let mut modifiers = KeyModifiers::NONE;
    for (bit, m) in [
        (0b100, KeyModifiers::SHIFT),
        (0b1000, KeyModifiers::ALT),
        (0b1_0000, KeyModifiers::CONTROL),
    ] {
        if cb & bit != 0 {
            modifiers |= m;
        }
    }
    Some(Event::Mouse(MouseEvent {
        kind,
        column: x.saturating_sub(1),
        row: y.saturating_sub(1),
        modifiers,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MS: Duration = Duration::from_millis(1);

    fn k(code: KeyCode) -> Event {
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn kc(code: KeyCode, mods: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(code, mods))
    }

    fn c(ch: char) -> Event {
        k(KeyCode::Char(ch))
    }

    fn ctrl(ch: char) -> Event {
        kc(KeyCode::Char(ch), KeyModifiers::CONTROL)
    }

    fn click(kind: MouseEventKind, column: u16, row: u16) -> Event {
        Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    }

    /// `bytes` at once, then the end of the input.
    fn parse(bytes: &[u8]) -> Vec<Event> {
        let mut p = Parser::default();
        let mut out = p.push(bytes, Instant::now());
        out.extend(p.flush());
        out
    }

    /// `bytes` at once; what comes out before any timeout.
    fn parse_now(bytes: &[u8]) -> (Parser, Vec<Event>, Instant) {
        let mut p = Parser::default();
        let t0 = Instant::now();
        let out = p.push(bytes, t0);
        (p, out, t0)
    }

    #[test]
    fn characters_and_control_keys() {
        assert_eq!(
            parse("qQé€\r\t\x7f".as_bytes()),
            [
                c('q'),
                kc(KeyCode::Char('Q'), KeyModifiers::SHIFT),
                c('é'),
                c('€'),
                k(KeyCode::Enter),
                k(KeyCode::Tab),
                k(KeyCode::Backspace),
            ]
        );
        assert_eq!(
            parse(b"\x03\x1a\n\x00\x1c"),
            [ctrl('c'), ctrl('z'), ctrl('j'), ctrl(' '), ctrl('4')]
        );
        // Not UTF-8: dropped, and what follows is read.
        assert_eq!(parse(b"\xff\x80q\xc3q"), [c('q'), c('q')]);
    }

    #[test]
    fn the_keys_of_escape_sequences() {
        let cases: &[(&[u8], Event)] = &[
            (b"\x1b[A", k(KeyCode::Up)),
            (b"\x1b[B", k(KeyCode::Down)),
            (b"\x1b[C", k(KeyCode::Right)),
            (b"\x1b[D", k(KeyCode::Left)),
            (b"\x1bOA", k(KeyCode::Up)),
            (b"\x1bOH", k(KeyCode::Home)),
            (b"\x1b[F", k(KeyCode::End)),
            (b"\x1b[1~", k(KeyCode::Home)),
            (b"\x1b[4~", k(KeyCode::End)),
            (b"\x1b[5~", k(KeyCode::PageUp)),
            (b"\x1b[6~", k(KeyCode::PageDown)),
            (b"\x1b[2~", k(KeyCode::Insert)),
            (b"\x1b[3~", k(KeyCode::Delete)),
            (b"\x1bOP", k(KeyCode::F(1))),
            (b"\x1b[[E", k(KeyCode::F(5))),
            (b"\x1b[15~", k(KeyCode::F(5))),
            (b"\x1b[24~", k(KeyCode::F(12))),
            (b"\x1b[Z", kc(KeyCode::BackTab, KeyModifiers::SHIFT)),
            (b"\x1b[1;5A", kc(KeyCode::Up, KeyModifiers::CONTROL)),
            (b"\x1b[5;3~", kc(KeyCode::PageUp, KeyModifiers::ALT)),
            (b"\x1b[1;2P", kc(KeyCode::F(1), KeyModifiers::SHIFT)),
            (b"\x1b[I", Event::FocusGained),
            (b"\x1b[O", Event::FocusLost),
        ];
        for (bytes, ev) in cases {
            assert_eq!(
                parse(bytes),
                std::slice::from_ref(ev),
                "{}",
                bytes.escape_ascii()
            );
        }
        // ESC then a character: that character with Alt.
        assert_eq!(parse(b"\x1bq"), [kc(KeyCode::Char('q'), KeyModifiers::ALT)]);
        // Sequences the lab has no use for are read whole and dropped.
        assert_eq!(
            parse(b"\x1b[?1;2cq\x1b[12;40Rq\x1b[99~q\x1bOxq"),
            vec![c('q'); 4]
        );
    }

    #[test]
    fn mouse_reports() {
        use MouseEventKind::*;
        let left = MouseButton::Left;
        assert_eq!(
            parse(b"\x1b[<0;5;1M\x1b[<0;5;1m\x1b[<64;10;3M\x1b[<65;10;3M\x1b[<32;6;1M"),
            [
                click(Down(left), 4, 0),
                click(Up(left), 4, 0),
                click(ScrollUp, 9, 2),
                click(ScrollDown, 9, 2),
                click(Drag(left), 5, 0),
            ]
        );
        // Ctrl with the wheel.
        assert_eq!(
            parse(b"\x1b[<80;1;1M"),
            [Event::Mouse(MouseEvent {
                kind: ScrollUp,
                column: 0,
                row: 0,
                modifiers: KeyModifiers::CONTROL,
            })]
        );
        // rxvt (1015) and X10 (1000 without 1006).
        assert_eq!(parse(b"\x1b[32;5;2M"), [click(Down(left), 4, 1)]);
        assert_eq!(parse(b"\x1b[M %\""), [click(Down(left), 4, 1)]);
        assert_eq!(parse(b"\x1b[M#%\""), [click(Up(left), 4, 1)]);
    }

    #[test]
    fn a_bracketed_paste_is_one_event() {
        let (mut p, out, t0) = parse_now(b"\x1b[200~b q\x1b");
        assert!(out.is_empty());
        assert_eq!(
            p.push(b"[201~q", t0 + MS),
            [Event::Paste("b q".into()), c('q')]
        );
        assert_eq!(p.deadline(), None);
    }

    #[test]
    fn a_lone_esc_is_the_esc_key_once_no_byte_came_for_the_timeout() {
        let (mut p, out, t0) = parse_now(b"\x1b");
        assert!(out.is_empty());
        assert_eq!(p.deadline(), Some(t0 + ESC_TIMEOUT));
        assert!(p.expire(t0 + ESC_TIMEOUT - MS).is_empty());
        assert_eq!(p.expire(t0 + ESC_TIMEOUT), [k(KeyCode::Esc)]);
        assert_eq!(p.deadline(), None);
        // Esc twice: two Esc keys.
        assert_eq!(parse(b"\x1b\x1b"), [k(KeyCode::Esc), k(KeyCode::Esc)]);
    }

    /// What a sequence cut short is read as: Esc, then each of `chars` as typed.
    fn esc_then(chars: &str) -> Vec<Event> {
        let mut p = Parser::default();
        let mut keys = vec![k(KeyCode::Esc)];
        keys.extend(p.push(chars.as_bytes(), Instant::now()));
        keys
    }

    /// Sequences cut short: each is over after the timeout, its bytes read as keys; `q` then
    /// is `q`.
    #[test]
    fn a_sequence_cut_short_times_out_into_keys() {
        assert_eq!(
            esc_then("[<O"),
            [
                k(KeyCode::Esc),
                c('['),
                c('<'),
                kc(KeyCode::Char('O'), KeyModifiers::SHIFT)
            ]
        );
        let cases: &[(&[u8], Vec<Event>)] = &[
            (b"\x1b[", esc_then("[")),
            (b"\x1bO", esc_then("O")),
            (b"\x1b[<", esc_then("[<")),
            (b"\x1b[<0;1;1", esc_then("[<0;1;1")),
            (b"\x1b[1;5", esc_then("[1;5")),
            (b"\x1b[[", esc_then("[[")),
            (b"\x1b[M ", esc_then("[M ")),
            (b"\x1b[200~", vec![Event::Paste(String::new())]),
            (b"\x1b[200~text", vec![Event::Paste("text".into())]),
            (b"\xe2\x82", vec![]),
        ];
        for (bytes, want) in cases {
            let (mut p, out, t0) = parse_now(bytes);
            let what = bytes.escape_ascii();
            assert!(out.is_empty(), "{what}: {out:?}");
            assert_eq!(p.deadline(), Some(t0 + ESC_TIMEOUT), "{what}");
            assert!(p.expire(t0 + ESC_TIMEOUT - MS).is_empty());
            assert_eq!(&p.expire(t0 + ESC_TIMEOUT), want, "{what}");
            assert_eq!(p.deadline(), None, "{what}: nothing left");
            assert_eq!(p.push(b"q", t0 + 2 * ESC_TIMEOUT), [c('q')]);
        }
    }

    /// A byte that cannot continue a sequence ends it at once: Ctrl-C, ESC, and anything
    /// but digits and `;` in a mouse report.
    #[test]
    fn a_byte_that_cannot_continue_a_sequence_ends_it_at_once() {
        let then = |mut keys: Vec<Event>, ev: Event| {
            keys.push(ev);
            keys
        };
        let cases: &[(&[u8], Vec<Event>)] = &[
            (b"\x1b[<0;1;1\x03", then(esc_then("[<0;1;1"), ctrl('c'))),
            (b"\x1b[<q", esc_then("[<q")),
            (b"\x1b\x03", then(esc_then(""), ctrl('c'))),
            (b"\x1bO\x03", then(esc_then("O"), ctrl('c'))),
            (b"\x1b[1\x1b[A", then(esc_then("[1"), k(KeyCode::Up))),
        ];
        for (bytes, want) in cases {
            assert_eq!(&parse_now(bytes).1, want, "{}", bytes.escape_ascii());
        }
        // A sequence longer than any the lab reads.
        let mut long = b"\x1b[".to_vec();
        long.extend([b'1'; MAX_SEQUENCE]);
        let (p, out, _) = parse_now(&long);
        assert_eq!(out, esc_then(&String::from_utf8_lossy(&long[1..])));
        assert_eq!(p.deadline(), None);
    }

    /// A sequence in pieces, each within the timeout of the one before: one key, one click.
    /// The wait restarts with every byte.
    #[test]
    fn a_sequence_in_pieces_within_the_timeout_is_one_event() {
        let mut p = Parser::default();
        let t0 = Instant::now();
        let almost = ESC_TIMEOUT - MS;
        assert!(p.push(b"\x1b", t0).is_empty());
        assert!(p.expire(t0 + almost).is_empty());
        assert_eq!(p.push(b"[B", t0 + almost), [k(KeyCode::Down)]);
        let pieces: [&[u8]; 4] = [b"\x1b", b"[<0;1", b"2;3", b"M"];
        let mut t = t0 + ESC_TIMEOUT;
        let mut out = Vec::new();
        for piece in pieces {
            out.extend(p.expire(t));
            out.extend(p.push(piece, t));
            t += almost;
        }
        assert_eq!(out, [click(MouseEventKind::Down(MouseButton::Left), 11, 2)]);
    }

    #[test]
    fn an_unterminated_paste_ends_at_its_size_bound() {
        let mut bytes = b"\x1b[200~".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', PASTE_MAX));
        bytes.push(b'q');
        let out = parse_now(&bytes).1;
        assert_eq!(out.len(), 2);
        assert!(matches!(&out[0], Event::Paste(t) if t.len() == PASTE_MAX));
        assert_eq!(out[1], c('q'));
    }

    proptest! {
        /// Whatever came before (any bytes, any sequence cut anywhere), once no byte came
        /// for the timeout nothing is under way, and `q` and Ctrl-C are read as themselves.
        #[test]
        fn after_the_timeout_q_and_ctrl_c_are_read_whatever_came_before(
            bytes in prop::collection::vec(
                prop_oneof![
                    3 => prop::sample::select(b"\x1b[O<;0123456789Mm~200201ABZqx\x03".to_vec()),
                    1 => any::<u8>(),
                ],
                0..40,
            ),
        ) {
            let mut p = Parser::default();
            let t0 = Instant::now();
            p.push(&bytes, t0);
            p.expire(t0 + ESC_TIMEOUT);
            prop_assert_eq!(p.deadline(), None);
            let t1 = t0 + 2 * ESC_TIMEOUT;
            prop_assert_eq!(p.push(b"q", t1), vec![c('q')]);
            prop_assert_eq!(p.push(b"\x03", t1), vec![ctrl('c')]);
        }

        /// Input split into pieces that arrive within the timeout of each other reads the
        /// same as the whole at once.
        #[test]
        fn pieces_within_the_timeout_read_as_the_whole(
            bytes in prop::collection::vec(
                prop::sample::select(b"\x1b[O<;0125Mm~ABqx\x03\xc3\xa9".to_vec()),
                0..40,
            ),
            cuts in prop::collection::vec((0usize..40, 0u64..50), 0..6),
        ) {
            let whole = parse(&bytes);
            let mut p = Parser::default();
            let mut t = Instant::now();
            let mut at = 0;
            let mut out = Vec::new();
            let mut cuts = cuts;
            cuts.sort_unstable();
            for (cut, gap_ms) in cuts {
                let cut = cut.min(bytes.len()).max(at);
                if cut == at {
                    continue;
                }
                out.extend(p.push(&bytes[at..cut], t));
                at = cut;
                t += Duration::from_millis(gap_ms).min(ESC_TIMEOUT - MS);
                out.extend(p.expire(t));
            }
            out.extend(p.push(&bytes[at..], t));
            out.extend(p.flush());
            prop_assert_eq!(out, whole);
        }
    }
}
