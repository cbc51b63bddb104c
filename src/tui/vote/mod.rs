//! The vote screen: an expert's ballot in an open vote (会评, 终审). One row per nomination,
//! 同意 / 不同意 / 弃权 on each, then the ballot is signed with the expert's key and cast once.
//! `revdesk score` and the review server open it instead of the scoring view while a vote waits
//! for the expert's ballot.
//!
//! Its actions and key table ([`action`]), its state ([`state`]), the update ([`update`]) and
//! the drawing from state alone ([`view`]).

pub mod action;
pub mod state;
pub mod update;
pub mod view;

pub use action::{Action, KEYS};
pub use state::{Phase, VoteApp};

use ratatui::crossterm::event::Event;

impl crate::tui::Screen for VoteApp {
    fn handle_event(&mut self, ev: Event) -> bool {
        VoteApp::handle_event(self, ev)
    }
    fn idle(&mut self) -> bool {
        false
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
        self.message = Some(text);
    }
}
