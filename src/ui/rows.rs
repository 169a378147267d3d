//! The rows the live panes draw, told to whoever listens (explain mode): a thread-local
//! recorder the panes' line writer and the chart report to. It knows nothing of what a
//! row means; `explain` tags them afterwards, so no pane imports `explain`.

use std::cell::RefCell;

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

std::thread_local! {
    /// While [`record`] listens: the live pane being drawn, and the rows drawn so far.
    static ROWS: RefCell<Option<(Option<Pane>, Vec<Drawn>)>> = const { RefCell::new(None) };
}

/// Run `draw` (on this thread) and return what it returned with every row the live panes
/// drew meanwhile. Nested, the inner rows are the outer's too.
pub fn record<R>(draw: impl FnOnce() -> R) -> (R, Vec<Drawn>) {
    let outer = ROWS.with(|c| c.borrow_mut().replace((None, Vec::new())));
    let r = draw();
    let (_, rows) = ROWS
        .with(|c| std::mem::replace(&mut *c.borrow_mut(), outer))
        .unwrap_or_default();
    ROWS.with(|c| {
        if let Some((_, o)) = c.borrow_mut().as_mut() {
            o.extend(rows.iter().cloned());
        }
    });
    (r, rows)
}

/// The live pane now drawn (`None` after it), when [`record`] listens; returns the one
/// before, to put back.
pub(super) fn set_pane(pane: Option<Pane>) -> Option<Pane> {
    ROWS.with(|c| match c.borrow_mut().as_mut() {
        Some((p, _)) => std::mem::replace(p, pane),
        None => None,
    })
}

/// Whether rows are worth telling (a listener, a live pane being drawn).
pub(super) fn listening() -> bool {
    ROWS.with(|c| matches!(*c.borrow(), Some((Some(_), _))))
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
    ROWS.with(|c| {
        if let Some((Some(pane), rows)) = c.borrow_mut().as_mut() {
            rows.push(Drawn {
                pane: *pane,
                row,
                id,
                text,
            });
        }
    });
}
