//! The terminal UI: state + actions + `update` + a pure `render`, over the library's logic.
//! The terminal itself (a session over any byte stream, the process's own terminal) is in
//! [`term`].

pub mod action;
pub mod app;
pub mod chair;
pub mod i18n;
pub mod keymap;
pub mod term;
pub mod theme;
pub mod view;

pub use term::lean;
pub use term::local::{restore_terminal, run};
pub use term::session::{Ended, Screen};

use app::App;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event;

impl Screen for App {
    fn handle_event(&mut self, ev: event::Event) -> bool {
        App::handle_event(self, ev)
    }
    fn idle(&mut self) -> bool {
        self.poll_store()
    }
    fn draw(&self, f: &mut ratatui::Frame) {
        view::render(self, f)
    }
    fn done(&self) -> bool {
        self.quit
    }
    fn set_size(&mut self, w: u16, h: u16) {
        self.size = (w, h);
    }
    fn on_exit(&mut self) {
        self.save_draft();
    }
}

impl Screen for chair::ChairApp {
    fn handle_event(&mut self, ev: event::Event) -> bool {
        chair::ChairApp::handle_event(self, ev)
    }
    fn idle(&mut self) -> bool {
        self.poll_sheets()
    }
    fn draw(&self, f: &mut ratatui::Frame) {
        view::chair::render(self, f)
    }
    fn done(&self) -> bool {
        self.quit
    }
    fn set_size(&mut self, w: u16, h: u16) {
        self.size = (w, h);
    }
}

/// Renders one frame into a test backend (for snapshot tests and benchmarks).
pub fn render_to<B: Backend, S: Screen>(
    terminal: &mut Terminal<B>,
    app: &S,
) -> Result<(), B::Error> {
    terminal.draw(|f| app.draw(f)).map(|_| ())
}
