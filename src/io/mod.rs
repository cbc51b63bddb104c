//! Files in and out: batches (import and validation), paper and signed score sheets, panel
//! files, the final review's merge, exports and synthetic batches.

pub mod entry;
pub mod export;
pub mod import;
pub mod merge;
pub mod panel;
pub mod sheet;
pub mod synth;
pub mod validate;
