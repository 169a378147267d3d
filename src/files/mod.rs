//! The files the program reads and writes for the user: every read of a user's file goes
//! through [`read`] (regular files only, bounded), every write through [`write`](mod@write).

pub mod read;
pub mod write;
