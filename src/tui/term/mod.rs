//! The terminal under the views: a [`session::Session`] drives a view over any byte stream;
//! [`local`] runs one on the process's own terminal; [`lean::Lean`] saves bytes on the way,
//! and [`frames::LeanTerminal`] hands it whole frames;
//! [`probe_width`] asks a terminal how wide it draws ambiguous characters, and [`wide`] fits a
//! frame to one that draws them two cells wide; [`probe_bg`] asks whether its background is
//! light; [`probe`] asks both in one write.

pub mod frames;
pub mod lean;
pub mod local;
pub mod probe;
pub mod probe_bg;
pub mod probe_width;
pub mod session;
pub mod setting;
pub mod wide;
