//! Explain mode (`x`): a cursor over the rows the live panes draw. The ui says what the row
//! under it is (`ui::explain`); here the cursor moves, from row to row of the last frame.

use ratatui::layout::Rect;

use super::{App, Overlay};

/// What the explain keys and the mouse ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// Explain mode on (the cursor where it was) or off.
    Toggle,
    /// To the next row down (`dy` 1), up (-1), right (`dx` 1) or left (-1).
    Move { dx: i8, dy: i8 },
    /// To the row at this cell (a click), explain mode on.
    At { x: u16, y: u16 },
}

/// Columns a move left or right jumps before the first frame has told the rows.
const BLIND_STEP: u16 = 20;

/// The cursor, a cell of the screen, and the rows the last frame drew (to move between).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explain {
    pub x: u16,
    pub y: u16,
    rows: Vec<Rect>,
}

impl Default for Explain {
    /// The top left pane's first row (the ui picks the row nearest the cursor).
    fn default() -> Self {
        Explain {
            x: 2,
            y: 2,
            rows: Vec::new(),
        }
    }
}

impl Explain {
    /// The rows the frame on screen drew, as the ui recorded them.
    pub fn set_rows(&mut self, rows: impl IntoIterator<Item = Rect>) {
        self.rows.clear();
        self.rows.extend(rows);
    }

    /// Move to the next row in the direction: down and up keep to the cursor's column when
    /// a row there continues it; left and right go to the nearest row beside.
    fn step(&mut self, dx: i8, dy: i8) {
        if self.rows.is_empty() {
            self.y = self.y.saturating_add_signed(i16::from(dy));
            self.x = self
                .x
                .saturating_add_signed(i16::from(dx) * BLIND_STEP as i16);
            return;
        }
        let (x, y) = (self.x, self.y);
        let across = |r: &Rect| r.x <= x && x < r.right();
        let next = if dy != 0 {
            let ahead = |r: &&Rect| if dy > 0 { r.y > y } else { r.y < y };
            let dist = |r: &&Rect| r.y.abs_diff(y);
            self.rows
                .iter()
                .filter(ahead)
                .filter(|r| across(r))
                .min_by_key(dist)
                .or_else(|| {
                    self.rows
                        .iter()
                        .filter(ahead)
                        .min_by_key(|r| (dist(r), r.x.abs_diff(x)))
                })
        } else {
            let beside = |r: &&Rect| if dx > 0 { r.x > x } else { r.right() <= x };
            self.rows
                .iter()
                .filter(beside)
                .min_by_key(|r| (r.y.abs_diff(y), r.x.abs_diff(x)))
        };
        if let Some(r) = next {
            if !across(r) {
                self.x = r.x + 1;
            }
            self.y = r.y;
        }
    }
}

/// Apply an explain command.
pub fn update(app: &mut App, cmd: Cmd) {
    match cmd {
        Cmd::Toggle => {
            app.overlay = if app.overlay == Overlay::Explain {
                Overlay::None
            } else {
                Overlay::Explain
            }
        }
        Cmd::Move { dx, dy } => app.explain.step(dx, dy),
        Cmd::At { x, y } => {
            app.explain.x = x;
            app.explain.y = y;
            app.overlay = Overlay::Explain;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Explain {
        let mut e = Explain::default();
        // Two columns: rows 2..5 on the left, 2 and 6 on the right.
        e.set_rows(
            (2..5)
                .map(|y| Rect::new(1, y, 40, 1))
                .chain([Rect::new(42, 2, 60, 1), Rect::new(42, 6, 60, 1)]),
        );
        e
    }

    #[test]
    fn down_and_up_keep_to_the_column_then_cross() {
        let mut e = rows();
        e.step(0, 1);
        assert_eq!((e.x, e.y), (2, 3));
        e.step(0, 1);
        assert_eq!((e.x, e.y), (2, 4));
        // No row below on the left: the nearest one below, on the right.
        e.step(0, 1);
        assert_eq!((e.x, e.y), (43, 6));
        e.step(0, -1);
        assert_eq!((e.x, e.y), (43, 2));
        // Nothing above: the cursor stays.
        e.step(0, -1);
        assert_eq!((e.x, e.y), (43, 2));
    }

    #[test]
    fn left_and_right_go_beside() {
        let mut e = rows();
        e.step(1, 0);
        assert_eq!((e.x, e.y), (43, 2));
        e.step(1, 0);
        assert_eq!((e.x, e.y), (43, 2));
        e.step(-1, 0);
        assert_eq!((e.x, e.y), (2, 2));
    }

    #[test]
    fn before_a_frame_the_cursor_moves_by_cells() {
        let mut e = Explain::default();
        e.step(0, 1);
        e.step(1, 0);
        assert_eq!((e.x, e.y), (2 + BLIND_STEP, 3));
    }
}
