//! The round service: from a batch, a panel, sheets and the chair's log to results.

pub mod build;
pub mod discussion;
mod reads;
mod service;
mod store_marks;
pub mod submit;
pub mod vote;

pub use reads::{record_reading, sheet_reads};
pub use service::{
    Asked, Decided, MarkSource, Notice, Round, RoundError, Settings, SheetFiles, apply, chair_log,
    decision_log, load_assignment, load_batch, load_panel, load_profile,
};
pub use store_marks::StoreMarks;
