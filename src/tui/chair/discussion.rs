//! Opening discussion round 2 from the chair's view: the chair picks borderline, disputed or
//! the selected nomination, and the round opens in the experts' store through the same
//! [`crate::round::discussion::open`] as `revdesk round open`.

use super::state::{ChairApp, ChairMode, RoundPick};
use crate::domain::rounds::Selection;
use crate::round::discussion;
use crate::store::{Store, StoreError};
use crate::text::errors::error_chain;
use crate::tui::i18n::T;
use crate::tui::widgets::Level;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

/// The round the chair's view opens: the first discussion round.
pub const ROUND: u32 = 2;

impl ChairApp {
    /// Uses `store`, the one the experts score in, for discussion rounds; reads which round is
    /// open there already.
    pub fn set_experts_store(&mut self, store: Store) {
        self.experts = Some(store);
        if let Err(e) = self.read_discussion() {
            self.say(Level::Error, error_chain(&e));
        }
    }

    /// Whether the view can open a discussion round (it runs on the experts' store).
    pub fn has_experts_store(&self) -> bool {
        self.experts.is_some()
    }

    /// Reads the latest discussion round open in the experts' store into `discussion`.
    fn read_discussion(&mut self) -> Result<(), StoreError> {
        let Some(store) = &self.experts else {
            return Ok(());
        };
        let rounds = store.rounds(&self.round.batch.hash)?;
        self.discussion = rounds.last().map(|o| (o.round, o.items.len()));
        Ok(())
    }

    /// The nominations `pick` stands for, in ranking order, from the results shown (round 1's
    /// until a discussion round is open).
    pub fn round_candidates(&self, pick: RoundPick) -> Vec<String> {
        let Some(r) = &self.results else {
            return Vec::new();
        };
        match pick {
            RoundPick::Borderline => discussion::select(r, Selection::Borderline),
            RoundPick::Disputed => discussion::select(r, Selection::Disputed),
            RoundPick::Selected => self.current_id().into_iter().collect(),
        }
    }

    /// The key: says why not (no experts' store, round already open) or shows the choice.
    pub(super) fn start_round(&mut self) {
        let lang = self.lang();
        if self.experts.is_none() {
            self.say(Level::Warn, T::ChairRoundNeedsServer.get(lang));
            return;
        }
        // Another session or `revdesk round open` may have opened it meanwhile.
        if let Err(e) = self.read_discussion() {
            self.say(Level::Error, error_chain(&e));
            return;
        }
        if let Some((round, n)) = self.discussion {
            let msg = T::ChairRoundAlreadyOpen.fill(
                lang,
                &[("round", &round.to_string()), ("n", &n.to_string())],
            );
            self.say(Level::Warn, msg);
            return;
        }
        // Start on the first choice that holds something.
        let pick = RoundPick::ALL
            .into_iter()
            .find(|p| !self.round_candidates(*p).is_empty())
            .unwrap_or(RoundPick::Borderline);
        self.mode = ChairMode::OpenRound(pick);
    }

    /// A key while the chair picks the round's nominations.
    pub(super) fn round_key(&mut self, pick: RoundPick, k: KeyEvent) {
        let at = RoundPick::ALL.iter().position(|p| *p == pick).unwrap_or(0);
        let n = RoundPick::ALL.len();
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') => self.mode = ChairMode::Normal,
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                self.mode = ChairMode::OpenRound(RoundPick::ALL[(at + 1) % n]);
            }
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                self.mode = ChairMode::OpenRound(RoundPick::ALL[(at + n - 1) % n]);
            }
            KeyCode::Char('b') => self.mode = ChairMode::OpenRound(RoundPick::Borderline),
            KeyCode::Char('d') => self.mode = ChairMode::OpenRound(RoundPick::Disputed),
            KeyCode::Char('s') => self.mode = ChairMode::OpenRound(RoundPick::Selected),
            KeyCode::Enter => {
                self.mode = ChairMode::Normal;
                self.open_round(pick);
            }
            _ => {}
        }
    }

    /// Opens round 2 for what `pick` stands for, recorded as opened by the chair.
    pub fn open_round(&mut self, pick: RoundPick) {
        let lang = self.lang();
        let items = self.round_candidates(pick);
        if items.is_empty() {
            self.say(Level::Warn, T::RoundNothingSelected.get(lang));
            return;
        }
        let Some(store) = &self.experts else {
            self.say(Level::Warn, T::ChairRoundNeedsServer.get(lang));
            return;
        };
        let selection = match pick {
            RoundPick::Borderline => Selection::Borderline,
            RoundPick::Disputed => Selection::Disputed,
            RoundPick::Selected => Selection::Items,
        };
        let opened = discussion::open(
            store,
            &self.round.batch,
            &self.round.profile,
            self.round.sheets(),
            ROUND,
            selection,
            items,
            &self.settings.chair,
        );
        match opened {
            Ok(o) => {
                self.discussion = Some((o.round, o.items.len()));
                let msg = T::ChairRoundOpened.fill(
                    lang,
                    &[
                        ("round", &o.round.to_string()),
                        ("n", &o.items.len().to_string()),
                        ("items", &o.items.join(", ")),
                    ],
                );
                self.say(Level::Info, msg);
            }
            Err(e) => self.say(Level::Error, error_chain(&e)),
        }
    }
}
