//! evtchn-lab: an interactive terminal lab for Xen event-channel internals and the XSA-332
//! netback throttle story.
//!
//! Layers, each with one job:
//! - [`sim`]: the pure, deterministic simulation core (virtual time, one seeded RNG);
//! - [`report`]: the headless report and its exports (text, JSON, Chrome trace);
//! - [`cli`]: command-line flags shared by every entry point.

pub mod app;
pub mod cli;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod tui;
pub mod ui;
