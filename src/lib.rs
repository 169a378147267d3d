//! evtchn-lab: an interactive terminal lab for Xen event-channel internals and the XSA-332
//! netback throttle story.
//!
//! Layers, each with one job, each importing only those above it in this list:
//! - [`sim`]: the pure, deterministic simulation core (virtual time, one seeded RNG);
//! - [`diag`], [`files`], [`script`], [`words`]: problems in a user's file, where they are;
//!   reading and writing the user's files safely; key-and-wait scripts; durations in words;
//! - [`lesson`], [`scenario`], [`report`]: data over the sim: guided lessons (loader, goals
//!   on the sim's state, progress), scenario files, the headless report and its exports;
//! - [`app`]: the lab's state, changed only by `update(&mut App, Msg)`; the script player;
//! - [`demo`]: lessons played by the lab itself, paced;
//! - [`ui`]: render functions from the app's state to a frame;
//! - [`cast`]: frames without a terminal: a demo recorded (asciinema), a frame as text;
//! - [`tui`], [`input`]: the thin tokio + crossterm loop; the terminal's input, read and
//!   parsed with a timeout for sequences cut short;
//! - [`cmd`]: one file per command, over the command-line definitions.
//!
//! Sizes are held too: functions by clippy's `too_many_lines` (80, `clippy.toml`), files and
//! `impl` blocks by tests/structure.rs.

#![cfg_attr(not(test), warn(clippy::too_many_lines))]

pub mod app;
pub mod cast;
pub mod cmd;
pub mod demo;
pub mod diag;
pub mod files;
pub mod input;
pub mod lesson;
pub mod report;
pub mod scenario;
pub mod script;
pub mod sim;
pub mod tui;
pub mod ui;
pub mod words;
