//! Text: width-aware wrapping and truncation for fixed-width screens and tables, the string
//! catalogue, errors as one line, the sanitiser for text from files printed on a terminal.

pub mod ambiguous;
pub mod errors;
pub mod help;
pub mod i18n;
pub mod sanitize;
pub mod wrap;
