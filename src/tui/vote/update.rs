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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vote::{Choice, Stage};
    use crate::store::Store;
    use crate::tui::i18n::Lang;
    use crate::tui::theme::Theme;
    use crate::tui::vote::VoteApp;
    use ratatui::crossterm::event::KeyEvent;

    fn key(c: KeyCode) -> Event {
        Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    fn app(dir: &std::path::Path) -> VoteApp {
        let profile = crate::domain::profile::Profile::kczg_2020();
        let batch = crate::io::validate::load(
            std::path::Path::new("fixtures/batches/resources-environment-small.json"),
            &profile,
            &crate::io::validate::Options::default(),
        )
        .unwrap()
        .batch;
        let store = Store::open(dir).unwrap();
        let all: Vec<String> = batch.items.iter().map(|i| i.id.clone()).collect();
        store.register_batch(&batch.hash, "b", "d", &all).unwrap();
        let ids = vec![all[1].clone(), all[0].clone()];
        let vote = store
            .open_vote(&batch.hash, Stage::Meeting, &ids, 3, "chair")
            .unwrap()
            .unwrap();
        VoteApp::new(
            store,
            vote,
            &batch,
            "wang".into(),
            "王".into(),
            Lang::En,
            Theme::default(),
        )
    }

    #[test]
    fn a_ballot_is_cast_once_complete_and_confirmed() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(dir.path());
        // Names follow the vote's order, not the batch's.
        assert_eq!(a.vote.items, ["RE-002", "RE-001"]);
        assert!(a.names.iter().all(|n| !n.is_empty()));
        // Incomplete: not cast, the cursor goes to the nomination without a choice.
        a.handle_event(key(KeyCode::Char('y')));
        a.handle_event(key(KeyCode::Char('k')));
        a.handle_event(key(KeyCode::Enter));
        assert_eq!(a.phase, Phase::Choosing);
        assert_eq!(a.cursor, 1);
        assert!(a.error);
        a.handle_event(key(KeyCode::Char('3')));
        assert_eq!(a.choices, [Some(Choice::Yes), Some(Choice::Abstain)]);
        // The help opens and closes; no is a way back from the question.
        a.handle_event(key(KeyCode::Char('?')));
        assert_eq!(a.phase, Phase::Help);
        a.handle_event(key(KeyCode::Esc));
        a.handle_event(key(KeyCode::Char('S')));
        assert_eq!(a.phase, Phase::Confirm);
        a.handle_event(key(KeyCode::Char('n')));
        assert_eq!(a.phase, Phase::Choosing);
        assert!(!a.store.has_cast(1, "wang").unwrap());
        a.handle_event(key(KeyCode::Char('S')));
        a.handle_event(key(KeyCode::Char('y')));
        assert_eq!(a.phase, Phase::Cast);
        assert!(!a.error);
        assert!(a.store.has_cast(1, "wang").unwrap());
        // Cast: choices no longer change.
        a.handle_event(key(KeyCode::Char('n')));
        assert_eq!(a.choices, [Some(Choice::Yes), Some(Choice::Abstain)]);
        a.handle_event(key(KeyCode::Char('q')));
        assert!(a.quit);
    }
}
