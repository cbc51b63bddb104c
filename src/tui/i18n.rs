//! The terminal views' strings: the catalogue lives in [`crate::text::i18n`]; what an action
//! does is said in each view's action table.

pub use crate::text::i18n::{Lang, T};
