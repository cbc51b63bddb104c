//! The terminal UI: state + actions + `update` + a pure `render`, over the library's logic.
//! The terminal itself (a session over any byte stream, the process's own terminal) is in
//! [`term`].

pub mod chair;
pub mod config;
pub mod i18n;
pub mod keymap;
pub mod keys;
pub mod scoring;
pub mod term;
pub mod theme;
pub mod vote;
pub mod widgets;

pub use term::frames::LeanTerminal;
pub use term::lean;
pub use term::local::{restore_terminal, run};
pub use term::session::{Ended, Screen};

use ratatui::Terminal;
use ratatui::backend::Backend;

/// Renders one frame into a test backend (for snapshot tests and benchmarks).
pub fn render_to<B: Backend, S: Screen>(
    terminal: &mut Terminal<B>,
    app: &S,
) -> Result<(), B::Error> {
    terminal.draw(|f| app.draw(f)).map(|_| ())
}

/// Renders one frame through the lean backend, as a session draws it (for tests and
/// benchmarks of the bytes sent).
pub fn render_lean<B, S: Screen>(terminal: &mut LeanTerminal<B>, app: &S) -> Result<(), B::Error>
where
    B: Backend + std::io::Write,
    B::Error: From<std::io::Error>,
{
    terminal.draw(|f| app.draw(f))
}
