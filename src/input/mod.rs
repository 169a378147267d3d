//! The lab's input: the terminal's bytes parsed into crossterm's events, with a timeout for
//! input that cannot complete.

pub mod parse;

pub use parse::{ESC_TIMEOUT, PASTE_MAX};
