//! The terminal under the views: a [`session::Session`] drives a view over any byte stream;
//! [`local`] runs one on the process's own terminal; [`lean::Lean`] saves bytes on the way;
//! [`probe_bg`] asks the terminal whether its background is light.

pub mod lean;
pub mod local;
pub mod probe_bg;
pub mod session;
