//! The expert's scoring view: its actions ([`action`]), its state ([`state`]), the update that
//! handles every key ([`update`]) and the drawing from state alone ([`view`]).

pub mod action;
pub mod cache;
pub mod comment;
pub mod help;
pub mod reading;
pub mod state;
pub mod update;
pub mod view;

pub use crate::tui::widgets::{Level, Panes};
pub use action::Action;
pub use state::{App, Filter, ItemStatus, Mode, Settings, WIDE, confidence_label};
pub use update::READING_CACHE_ENTRIES;

use ratatui::crossterm::event::Event;

impl crate::tui::Screen for App {
    fn handle_event(&mut self, ev: Event) -> bool {
        App::handle_event(self, ev)
    }
    fn idle(&mut self) -> bool {
        // The comment being typed reaches the store within a moment, whatever happens next.
        self.autosave_draft(true);
        self.settle();
        let polled = self.poll_store();
        // The material's line count becomes exact while the expert reads.
        self.finish_reading() || polled
    }
    fn draw(&self, f: &mut ratatui::Frame) {
        view::render(self, f)
    }
    fn done(&self) -> bool {
        self.quit
    }
    fn set_size(&mut self, w: u16, h: u16) {
        App::set_size(self, w, h);
    }
    fn on_exit(&mut self) {
        self.save_draft();
    }
    fn notice(&mut self, text: String) {
        self.message = Some((Level::Warn, text));
    }
}
