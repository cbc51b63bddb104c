//! Text: width-aware wrapping and truncation for fixed-width screens and tables, the string
//! catalogue, errors as one line.

pub mod errors;
pub mod i18n;
pub mod wrap;
