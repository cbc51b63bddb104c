//! Keys and bindings for any view. Each view lists its actions in one table ([`ActionInfo`]):
//! its keymap section, the built-in keys, the help overlay and the hints all come from it.

mod bindings;
mod file;
mod key;

pub(crate) use bindings::view_actions;
pub use bindings::{ActionInfo, Bindings, Hint, ViewAction};
#[cfg(test)]
pub(crate) use bindings::{check_hints, check_table};
pub use file::{KeyMap, Layout, Section, Spec};
pub use key::{Key, KeyParseError};
