//! revdesk: a keyboard-driven terminal reviewer workstation for the 科创中国 leading-technology list.
//!
//! Pure modules (`batch`, `import`, `validate`, `profile`, `rubric`, `industry`) know nothing of
//! terminals or databases; `store` holds scores; `cli` and `tui` are layers over them.

pub mod aggregate;
pub mod batch;
pub mod cli;
pub mod decisions;
pub mod entry;
pub mod export;
pub mod import;
pub mod industry;
pub mod merge;
pub mod panel;
pub mod profile;
pub mod report;
pub mod rubric;
pub mod sheet;
pub mod store;
pub mod submit;
pub mod synth;
pub mod trl;
pub mod tui;
pub mod validate;
pub mod wrap;
