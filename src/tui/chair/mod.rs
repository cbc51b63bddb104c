//! The panel chair's view: the ranking with the cut, a nomination's detail, the panel; decisions
//! recorded in the chair's store; sheets arriving in a watched directory update it live.
//!
//! Its actions ([`action`]), its state ([`state`]), the data it shows ([`load`]), the update
//! that handles every key ([`update`]) and the drawing from state alone ([`view`]).

pub mod action;
pub mod discussion;
pub mod help;
pub mod load;
pub mod projection;
pub mod state;
pub mod text;
pub mod update;
pub mod view;

pub use crate::tui::widgets::Level;
pub use action::Action;
pub use state::{
    ChairApp, ChairError, ChairFilter, ChairMode, ChairSettings, ChairView, Handed, ReasonFor,
    RoundPick,
};
pub use text::{context_text, decision_error, local_time, makeup_text, out_of_range_text};

use ratatui::crossterm::event::Event;

impl crate::tui::Screen for ChairApp {
    fn handle_event(&mut self, ev: Event) -> bool {
        ChairApp::handle_event(self, ev)
    }
    fn idle(&mut self) -> bool {
        self.settle();
        self.poll_sheets()
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
    fn notice(&mut self, text: String) {
        self.message = Some((Level::Warn, text));
    }
}
