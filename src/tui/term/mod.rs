//! The terminal under the views: a [`session::Session`] drives a view over any byte stream;
//! [`local`] runs one on the process's own terminal; [`lean::Lean`] saves bytes on the way.

pub mod lean;
pub mod local;
pub mod session;
