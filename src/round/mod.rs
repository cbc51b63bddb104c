//! The round service: from a batch, a panel, sheets and the chair's log to results.

pub mod build;
pub mod submit;
