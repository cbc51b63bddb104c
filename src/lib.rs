//! revdesk: a keyboard-driven terminal reviewer workstation for the 科创中国 leading-technology list.
//!
//! The core (`domain`, `engine`, `io`, `store`, `round`, `text`) knows no terminal, no command
//! line and no SQL outside `store`; the front-ends (`cli`, `tui`) sit on top of it.
//! `tests/architecture.rs` enforces the layering.

pub mod cli;
pub mod domain;
pub mod engine;
pub mod io;
pub mod round;
pub mod server;
pub mod store;
pub mod text;
pub mod tui;
