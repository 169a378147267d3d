//! The shipped lesson files and glossary, embedded at build time (`build.rs` lists
//! `lessons/*.toml`): the catalogue and the glossary both read them from here.

include!(concat!(env!("OUT_DIR"), "/builtin_lessons.rs"));
