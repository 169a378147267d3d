//! evtchn-lab: an interactive terminal lab for Xen event-channel internals and the XSA-332
//! netback throttle story.
//!
//! Layers, each with one job:
//! - [`sim`]: the pure, deterministic simulation core (virtual time, one seeded RNG);
//! - [`lesson`]: guided lessons as data (loader, goals on the sim's state, progress);
//! - [`app`]: the lab's state, changed only by `update(&mut App, Msg)`;
//! - [`ui`]: render functions from the app's state to a frame;
//! - [`demo`]: lessons played by the lab itself, paced, live or recorded (asciinema);
//! - [`snapshot`]: one frame of the lab as text, without a terminal;
//! - [`tui`]: the thin tokio + crossterm loop;
//! - [`report`]: the headless report and its exports (text, JSON, Chrome trace);
//! - [`cli`]: command-line flags shared by every entry point.

pub mod app;
pub mod cli;
pub mod demo;
pub mod lesson;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod snapshot;
pub mod tui;
pub mod ui;
