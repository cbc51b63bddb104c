//! The terminal under the views.

pub mod lean;
