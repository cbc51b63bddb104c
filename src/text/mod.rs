//! Text for fixed-width screens and tables: width-aware wrapping and truncation.

pub mod i18n;
pub mod wrap;
