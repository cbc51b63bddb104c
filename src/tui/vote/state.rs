//! The vote screen's state.

use crate::domain::batch::Batch;
use crate::domain::vote::Choice;
use crate::store::{Store, VoteRecord};
use crate::tui::i18n::Lang;
use crate::tui::theme::Theme;

/// Where the screen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Choosing.
    Choosing,
    /// Asked whether to cast the ballot.
    Confirm,
    /// The help is shown.
    Help,
    /// The ballot is cast: nothing more can be changed.
    Cast,
}

/// The vote screen's state.
pub struct VoteApp {
    /// The store the ballot is cast in.
    pub(super) store: Store,
    /// The vote.
    pub vote: VoteRecord,
    /// The expert's id.
    pub expert: String,
    /// The expert's display name.
    pub expert_name: String,
    /// The nominations' names, in the vote's order.
    pub names: Vec<String>,
    /// The choice made on each nomination, in the vote's order.
    pub choices: Vec<Option<Choice>>,
    /// The focused nomination.
    pub cursor: usize,
    /// Where the screen is.
    pub phase: Phase,
    /// A message for the status line.
    pub message: Option<String>,
    /// Whether the message is an error.
    pub error: bool,
    /// UI language.
    pub lang: Lang,
    /// Colours.
    pub theme: Theme,
    /// The terminal's size.
    pub size: (u16, u16),
    /// Whether the user quit.
    pub quit: bool,
}

impl VoteApp {
    /// The screen for `expert`'s ballot in `vote` on `batch`.
    pub fn new(
        store: Store,
        vote: VoteRecord,
        batch: &Batch,
        expert: String,
        expert_name: String,
        lang: Lang,
        theme: Theme,
    ) -> VoteApp {
        let names = vote
            .items
            .iter()
            .map(|id| {
                batch
                    .items
                    .iter()
                    .find(|n| n.id == *id)
                    .map(|n| n.name.clone())
                    .unwrap_or_default()
            })
            .collect();
        let n = vote.items.len();
        VoteApp {
            store,
            vote,
            expert,
            expert_name,
            names,
            choices: vec![None; n],
            cursor: 0,
            phase: Phase::Choosing,
            message: None,
            error: false,
            lang,
            theme,
            size: (80, 24),
            quit: false,
        }
    }

    /// Nominations with a choice.
    pub fn chosen(&self) -> usize {
        self.choices.iter().filter(|c| c.is_some()).count()
    }
}
