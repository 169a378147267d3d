//! The rows the live panes draw, told to whoever listens (explain mode): a thread-local
//! recorder the panes' line writer and the chart report to. It knows nothing of what a
//! row means; `explain` tags them afterwards, so no pane imports `explain`.

use std::cell::RefCell;
use std::thread::LocalKey;

use ratatui::layout::Rect;

use crate::lesson::Pane;

/// A row a live pane drew while [`record`] listened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drawn {
    pub pane: Pane,
    /// The row's cells (one row high).
    pub row: Rect,
    /// Its explanation's id; `None` when no entry matches (a test fails on it).
    pub id: Option<&'static str>,
    /// What it reads.
    pub text: String,
}

/// What a listener has heard so far: the live pane being drawn, and what was told.
pub(super) type Heard<T> = Option<(Option<Pane>, Vec<T>)>;

/// A thread-local listener's slot: `None` while no one listens.
pub(super) type Slot<T> = LocalKey<RefCell<Heard<T>>>;

std::thread_local! {
    /// While [`record`] listens: the live pane being drawn, and the rows drawn so far.
    static ROWS: RefCell<Heard<Drawn>> = const { RefCell::new(None) };
}

/// Run `draw` (on this thread) and return what it returned with all that was told to
/// `slot` meanwhile. Nested, what the inner listener heard the outer hears too.
pub(super) fn listen<T: Clone, R>(slot: &'static Slot<T>, draw: impl FnOnce() -> R) -> (R, Vec<T>) {
    let outer = slot.with(|c| c.borrow_mut().replace((None, Vec::new())));
    let r = draw();
    let (_, heard) = slot
        .with(|c| std::mem::replace(&mut *c.borrow_mut(), outer))
        .unwrap_or_default();
    slot.with(|c| {
        if let Some((_, o)) = c.borrow_mut().as_mut() {
            o.extend(heard.iter().cloned());
        }
    });
    (r, heard)
}

/// The live pane now drawn (`None` after it), told to `slot` when it listens; returns the
/// one before, to put back.
pub(super) fn set_pane_of<T>(slot: &'static Slot<T>, pane: Option<Pane>) -> Option<Pane> {
    slot.with(|c| match c.borrow_mut().as_mut() {
        Some((p, _)) => std::mem::replace(p, pane),
        None => None,
    })
}

/// `None` while no one listens at `slot`, else the live pane being drawn.
pub(super) fn heard_pane<T>(slot: &'static Slot<T>) -> Option<Option<Pane>> {
    slot.with(|c| c.borrow().as_ref().map(|(p, _)| *p))
}

/// Tell `slot` what `make` makes of the pane being drawn, if it listens (`make` may
/// decline).
pub(super) fn tell<T>(slot: &'static Slot<T>, make: impl FnOnce(Option<Pane>) -> Option<T>) {
    slot.with(|c| {
        if let Some((pane, heard)) = c.borrow_mut().as_mut()
            && let Some(item) = make(*pane)
        {
            heard.push(item);
        }
    });
}

/// Run `draw` (on this thread) and return what it returned with every row the live panes
/// drew meanwhile. Nested, the inner rows are the outer's too.
pub fn record<R>(draw: impl FnOnce() -> R) -> (R, Vec<Drawn>) {
    listen(&ROWS, draw)
}

/// The live pane now drawn (`None` after it), when [`record`] listens; returns the one
/// before, to put back.
pub(super) fn set_pane(pane: Option<Pane>) -> Option<Pane> {
    set_pane_of(&ROWS, pane)
}

/// Whether rows are worth telling (a listener, a live pane being drawn).
pub(super) fn listening() -> bool {
    matches!(heard_pane(&ROWS), Some(Some(_)))
}

/// A row of text drawn in the live pane being drawn (its meaning found later).
pub(super) fn note(row: Rect, text: String) {
    push(row, None, text);
}

/// A row drawn as a picture, not a line of text (the chart), with its id.
pub(super) fn tag(row: Rect, id: &'static str) {
    push(row, Some(id), String::new());
}

fn push(row: Rect, id: Option<&'static str>, text: String) {
    tell(&ROWS, |pane| {
        Some(Drawn {
            pane: pane?,
            row,
            id,
            text,
        })
    });
}
