//! The vote screen's update: every key goes through the key table.

use super::action::{Action, action_of};
use super::state::{Phase, VoteApp};
use crate::round::vote;
use crate::store::{Cast, Source};
use crate::tui::i18n::T;
use ratatui::crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};

impl VoteApp {
    /// Handles one terminal event; whether to redraw.
    pub fn handle_event(&mut self, ev: Event) -> bool {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
                    self.quit = true;
                    return true;
                }
                let action = match (self.phase, k.code) {
                    (Phase::Confirm, KeyCode::Char('y') | KeyCode::Enter) => Some(Action::Confirm),
                    (Phase::Confirm | Phase::Help, KeyCode::Esc | KeyCode::Char('n')) => {
                        Some(Action::Back)
                    }
                    (Phase::Help, KeyCode::Char('?' | 'q')) => Some(Action::Back),
                    (Phase::Confirm, _) => None,
                    (_, code) => action_of(code),
                };
                if let Some(a) = action {
                    self.apply(a);
                }
                true
            }
            Event::Resize(w, h) => {
                self.size = (w, h);
                true
            }
            _ => false,
        }
    }

    /// Applies an action.
    pub fn apply(&mut self, a: Action) {
        let n = self.choices.len();
        match (self.phase, a) {
            (_, Action::Quit) => self.quit = true,
            (Phase::Cast, _) => {}
            (Phase::Help, Action::Back | Action::Help) => self.phase = Phase::Choosing,
            (Phase::Help, _) => {}
            (Phase::Confirm, Action::Back) => self.phase = Phase::Choosing,
            (Phase::Confirm, Action::Confirm) => self.cast(),
            (Phase::Confirm, _) => {}
            (Phase::Choosing, Action::Choose(c)) => {
                if let Some(slot) = self.choices.get_mut(self.cursor) {
                    *slot = Some(c);
                }
                self.cursor = (self.cursor + 1).min(n.saturating_sub(1));
                self.message = None;
            }
            (Phase::Choosing, Action::Down) => {
                self.cursor = (self.cursor + 1).min(n.saturating_sub(1));
            }
            (Phase::Choosing, Action::Up) => self.cursor = self.cursor.saturating_sub(1),
            (Phase::Choosing, Action::Help) => self.phase = Phase::Help,
            (Phase::Choosing, Action::Cast) => {
                let left = n - self.chosen();
                if left > 0 {
                    self.say_error(T::VoteUnchosen.fill(self.lang, &[("n", &left.to_string())]));
                    if let Some(i) = self.choices.iter().position(Option::is_none) {
                        self.cursor = i;
                    }
                } else {
                    self.phase = Phase::Confirm;
                }
            }
            (Phase::Choosing, Action::Confirm | Action::Back) => {}
        }
    }

    fn say_error(&mut self, text: String) {
        self.message = Some(text);
        self.error = true;
    }

    /// Signs and casts the ballot.
    fn cast(&mut self) {
        let choices: Option<Vec<_>> = self.choices.iter().copied().collect();
        let Some(choices) = choices else {
            self.phase = Phase::Choosing;
            return;
        };
        match vote::cast(
            &self.store,
            &self.vote,
            &self.expert,
            &choices,
            Source::Keyboard,
        ) {
            Ok(Cast::Cast) => {
                self.phase = Phase::Cast;
                self.error = false;
                self.message = Some(T::VoteCastDone.get(self.lang).to_string());
            }
            Ok(Cast::Already) => {
                self.phase = Phase::Cast;
                self.say_error(T::VoteAlreadyCast.get(self.lang).to_string());
            }
            Ok(Cast::Closed) => {
                self.phase = Phase::Cast;
                self.say_error(T::VoteClosedBeforeCast.get(self.lang).to_string());
            }
            Err(e) => {
                self.phase = Phase::Choosing;
                self.say_error(e.msg().render(self.lang));
            }
        }
    }
}
