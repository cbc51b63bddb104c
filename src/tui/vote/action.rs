//! The vote screen's actions and its one key table: the keys, and the help drawn from them.

use crate::domain::vote::Choice;
use crate::tui::i18n::T;
use ratatui::crossterm::event::KeyCode;

/// What a key does on the vote screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Choose for the focused nomination, then move to the next.
    Choose(Choice),
    /// The next nomination.
    Down,
    /// The previous nomination.
    Up,
    /// Ask to sign and cast the ballot.
    Cast,
    /// Answer yes to the question asked.
    Confirm,
    /// Answer no, or close the help.
    Back,
    /// Show or hide the help.
    Help,
    /// Leave the screen (a ballot not cast is not kept).
    Quit,
}

/// A row of the key table: the keys, how the help names them, the action, what the help says.
pub struct KeyRow {
    /// The keys.
    pub keys: &'static [KeyCode],
    /// The keys as the help shows them.
    pub shown: &'static str,
    /// The action.
    pub action: Action,
    /// What the help says it does.
    pub help: T,
}

/// Every key of the vote screen, in the order the help lists them.
pub const KEYS: &[KeyRow] = &[
    KeyRow {
        keys: &[KeyCode::Char('y'), KeyCode::Char('1')],
        shown: "y 1",
        action: Action::Choose(Choice::Yes),
        help: T::VoteYes,
    },
    KeyRow {
        keys: &[KeyCode::Char('n'), KeyCode::Char('2')],
        shown: "n 2",
        action: Action::Choose(Choice::No),
        help: T::VoteNo,
    },
    KeyRow {
        keys: &[KeyCode::Char('a'), KeyCode::Char('3')],
        shown: "a 3",
        action: Action::Choose(Choice::Abstain),
        help: T::VoteAbstain,
    },
    KeyRow {
        keys: &[KeyCode::Char('j'), KeyCode::Down],
        shown: "j ↓",
        action: Action::Down,
        help: T::VoteKeyDown,
    },
    KeyRow {
        keys: &[KeyCode::Char('k'), KeyCode::Up],
        shown: "k ↑",
        action: Action::Up,
        help: T::VoteKeyUp,
    },
    KeyRow {
        keys: &[KeyCode::Char('S'), KeyCode::Enter],
        shown: "S Enter",
        action: Action::Cast,
        help: T::VoteKeyCast,
    },
    KeyRow {
        keys: &[KeyCode::Char('?')],
        shown: "?",
        action: Action::Help,
        help: T::VoteKeyHelp,
    },
    KeyRow {
        keys: &[KeyCode::Char('q')],
        shown: "q",
        action: Action::Quit,
        help: T::VoteKeyQuit,
    },
];

/// The action of a key, in the main list.
pub fn action_of(code: KeyCode) -> Option<Action> {
    KEYS.iter()
        .find(|r| r.keys.contains(&code))
        .map(|r| r.action)
}
