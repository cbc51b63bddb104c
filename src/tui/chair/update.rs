//! The chair's update: every key ends here; decisions are checked and recorded before the next
//! frame. The ranking's scroll is settled here too, so drawing only reads the state.

use super::action::Action;
use super::help::help_scroll_max;
use super::state::{ChairApp, ChairFilter, ChairMode, ChairView, ReasonFor};
use super::text::{context_text, decision_error, out_of_range_text};
use crate::domain::decisions::{self, Context, Decision, DecisionError, Override};
use crate::domain::results::Flag;
use crate::engine::Method;
use crate::tui::i18n::T;
use crate::tui::widgets::{
    Level, QueryKey, new_line_editor, too_small, type_query, while_too_small,
};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};

impl ChairApp {
    /// Puts a message on the status line.
    pub(super) fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some((level, text.into()));
    }

    /// Selects the last nomination inside the cut and scrolls so the cut line is mid-screen.
    pub fn jump_to_cut(&mut self) {
        let Some(r) = &self.results else {
            return;
        };
        let Some(target) = r
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.counts_for_cut())
            .nth(r.k.saturating_sub(1))
            .map(|(i, _)| i)
        else {
            return;
        };
        // Under a filter the K-th row may be hidden: the first shown row after it will do.
        let pos = self
            .visible
            .iter()
            .position(|&i| i >= target)
            .unwrap_or(self.visible.len().saturating_sub(1));
        self.selected = pos;
        self.scroll = 0;
        // The drawing knows the real height: it scrolls the cut to mid-screen.
        self.center_selection = true;
    }

    /// Recomputes the visible rows.
    pub fn refilter(&mut self) {
        let Some(r) = &self.results else {
            self.visible.clear();
            return;
        };
        let q = self.query.to_lowercase();
        self.visible = r
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| match self.filter {
                ChairFilter::All => true,
                ChairFilter::Shortlisted => row.shortlisted,
                ChairFilter::Borderline => row
                    .flags
                    .iter()
                    .any(|f| matches!(f, Flag::Borderline | Flag::TieAtCut)),
                ChairFilter::Decided => row.decision.is_some(),
            })
            .filter(|(_, row)| {
                q.is_empty()
                    || row.id.to_lowercase().contains(&q)
                    || row.name.to_lowercase().contains(&q)
                    || row.applicant.to_lowercase().contains(&q)
            })
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    /// Handles one terminal event; whether to redraw.
    pub fn handle_event(&mut self, ev: Event) -> bool {
        self.settle();
        // Behind the "terminal too small" notice nothing may be decided.
        if while_too_small(&ev, &self.keys, &mut self.size, &mut self.quit) {
            return true;
        }
        if let Some(keys) = self.keys.presses(&ev) {
            keys.into_iter().for_each(|k| self.handle_key(k));
            return true;
        }
        match ev {
            Event::Paste(t) => {
                if let ChairMode::Reason(_, ta) = &mut self.mode {
                    ta.insert_str(t.lines().collect::<Vec<_>>().join(" "));
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

    /// Handles a key.
    pub fn handle_key(&mut self, k: KeyEvent) {
        match &mut self.mode {
            ChairMode::Help { scroll } => {
                let (page, now) = (usize::from(self.size.1).saturating_sub(4).max(1), *scroll);
                let action = self.keys.action(&k);
                let most = help_scroll_max(self, self.size.0, self.size.1);
                let next = match action {
                    Some(Action::Help | Action::Cancel | Action::Quit) => {
                        self.mode = ChairMode::Normal;
                        return;
                    }
                    Some(Action::NextItem) => now + 1,
                    Some(Action::PageDown) => now + page,
                    Some(Action::PrevItem) => now.saturating_sub(1),
                    Some(Action::PageUp) => now.saturating_sub(page),
                    Some(Action::FirstItem) => 0,
                    Some(Action::LastItem) => most,
                    Some(
                        Action::Search
                        | Action::CycleFilter
                        | Action::NextPane
                        | Action::PrevPane
                        | Action::OpenDetail
                        | Action::JumpToCut
                        | Action::CycleMethod
                        | Action::CutDown
                        | Action::CutUp
                        | Action::Include
                        | Action::Exclude
                        | Action::ClearOverride
                        | Action::ResolveTies
                        | Action::Projection
                        | Action::OpenRound,
                    )
                    | None => now,
                };
                // Clamped here as in the drawing, so scrolling back up starts at once.
                self.mode = ChairMode::Help {
                    scroll: next.min(most),
                };
            }
            ChairMode::Compensate(to) => {
                let to = *to;
                match k.code {
                    KeyCode::Char('y' | 'Y') | KeyCode::Enter => {
                        self.mode = ChairMode::Normal;
                        self.decide(Decision::Cut {
                            k: to,
                            tie_note: None,
                        });
                    }
                    KeyCode::Char('n' | 'N') | KeyCode::Esc => self.mode = ChairMode::Normal,
                    _ => {}
                }
            }
            ChairMode::OpenRound(pick) => {
                let pick = *pick;
                self.message = None;
                self.round_key(pick, k);
            }
            ChairMode::Reason(what, ta) => match k.code {
                KeyCode::Esc => self.mode = ChairMode::Normal,
                KeyCode::Enter => {
                    let reason = ta.lines().join(" ").trim().to_string();
                    let what = what.clone();
                    if reason.is_empty() {
                        self.say(Level::Warn, T::ChairReasonRequired.get(self.lang()));
                        return;
                    }
                    self.mode = ChairMode::Normal;
                    let d = match what {
                        ReasonFor::Include(item) => Decision::Include { item, reason },
                        ReasonFor::Exclude(item) => Decision::Exclude { item, reason },
                        ReasonFor::Ties => Decision::TiesResolved {
                            note: reason,
                            k: self.results.as_ref().map(|r| r.k),
                        },
                        ReasonFor::CutTie(k) => Decision::Cut {
                            k,
                            tie_note: Some(reason),
                        },
                    };
                    self.decide(d);
                }
                _ => {
                    ta.input(k);
                }
            },
            ChairMode::Search { .. } => match type_query(&mut self.query, &k) {
                // As the prompt says, and as in the scoring view: Esc clears the search.
                QueryKey::Cleared => {
                    self.mode = ChairMode::Normal;
                    self.refilter_keeping();
                }
                QueryKey::Done => self.mode = ChairMode::Normal,
                QueryKey::Changed => self.refilter_keeping(),
                QueryKey::Ignored => {}
            },
            ChairMode::Normal => {
                if let Some(a) = self.keys.action(&k) {
                    self.update(a);
                }
            }
        }
    }

    /// Refilters, keeping the selected nomination when it still matches (else the first match).
    fn refilter_keeping(&mut self) {
        let keep = self.current_id();
        self.refilter();
        self.selected = keep.and_then(|id| self.visible_pos(&id)).unwrap_or(0);
    }

    fn move_to(&mut self, pos: usize) {
        let pos = pos.min(self.visible.len().saturating_sub(1));
        if pos != self.selected {
            self.selected = pos;
            self.scroll = 0;
        }
    }

    /// Applies one action.
    pub fn update(&mut self, a: Action) {
        // A message answers the last key; the next key replaces or clears it (warnings that
        // must stay, like a list out of range or a rejected sheet, live in the title).
        self.message = None;
        self.refresh_decisions();
        match a {
            Action::NextItem => self.move_to(self.selected + 1),
            Action::PrevItem => self.move_to(self.selected.saturating_sub(1)),
            Action::FirstItem => self.move_to(0),
            Action::LastItem => self.move_to(self.visible.len().saturating_sub(1)),
            // The ranking pages its selection; the detail and panel scroll their text.
            Action::PageDown if self.view == ChairView::Ranking => {
                self.move_to(self.selected + self.page_rows())
            }
            Action::PageUp if self.view == ChairView::Ranking => {
                self.move_to(self.selected.saturating_sub(self.page_rows()))
            }
            Action::PageDown => self.scroll += usize::from(self.size.1 / 2).max(1),
            Action::PageUp => {
                self.scroll = self
                    .scroll
                    .saturating_sub(usize::from(self.size.1 / 2).max(1))
            }
            Action::JumpToCut => self.jump_to_cut(),
            Action::OpenDetail => {
                // Nothing selected (an empty search or filter): nothing to detail.
                if !self.visible.is_empty() {
                    self.view = ChairView::Detail;
                    self.scroll = 0;
                }
            }
            Action::NextPane | Action::PrevPane => {
                let order = [ChairView::Ranking, ChairView::Detail, ChairView::Panel];
                let at = order.iter().position(|&v| v == self.view).unwrap_or(0);
                let step = if a == Action::NextPane {
                    1
                } else {
                    order.len() - 1
                };
                self.view = order[(at + step) % order.len()];
                self.scroll = 0;
            }
            Action::Search => {
                // A new search starts empty: `/` twice never glues two ids together.
                self.mode = ChairMode::Search {
                    before: std::mem::take(&mut self.query),
                };
                self.refilter_keeping();
            }
            Action::CycleFilter => {
                self.filter = self.filter.next();
                self.refilter();
            }
            Action::CycleMethod => {
                self.method = match self.method {
                    Method::Trimmed => Method::Mean,
                    Method::Mean => Method::Median,
                    Method::Median => Method::Zscore,
                    Method::Zscore => Method::Calibrated,
                    Method::Calibrated => Method::Trimmed,
                };
                self.show();
                let msg = T::ChairMethodIs.fill(self.lang(), &[("m", &self.method.to_string())]);
                self.say(Level::Info, msg);
            }
            Action::CutDown => self.move_cut(true),
            Action::CutUp => self.move_cut(false),
            Action::Include | Action::Exclude => {
                let (Some(id), Some(r)) = (self.current_id(), &self.results) else {
                    return;
                };
                let o = if a == Action::Include {
                    Override::Include
                } else {
                    Override::Exclude
                };
                // Refuse a no-op before the chair types a reason for it.
                if let Err(e) = decisions::check_override(o, &id, r) {
                    let msg = decision_error(&e, self.lang());
                    self.say(Level::Warn, msg);
                    return;
                }
                let what = match o {
                    Override::Include => ReasonFor::Include(id),
                    Override::Exclude => ReasonFor::Exclude(id),
                };
                self.ask(what);
            }
            Action::ClearOverride => {
                if let Some(row) = self.current() {
                    let item = row.id.clone();
                    self.decide(Decision::Clear { item });
                }
            }
            Action::ResolveTies => {
                let Some(r) = &self.results else {
                    return;
                };
                if decisions::split_at(&r.rows, r.k).is_none() {
                    let msg = decision_error(&DecisionError::NoTieAtCut(r.k), self.lang());
                    self.say(Level::Warn, msg);
                    return;
                }
                self.ask(ReasonFor::Ties);
            }
            Action::Help => self.mode = ChairMode::Help { scroll: 0 },
            Action::Cancel => {
                self.message = None;
                if self.view == ChairView::Ranking && !self.query.is_empty() {
                    // Esc on the ranking drops an active search, keeping the selection.
                    self.query.clear();
                    self.refilter_keeping();
                }
                self.view = ChairView::Ranking;
                self.scroll = 0;
            }
            Action::Quit => self.quit = true,
            Action::Projection => {
                self.projection = !self.projection;
                let msg = if self.projection {
                    let key = self.keys.first_key(Action::Projection);
                    T::ChairProjectionOn.fill(self.lang(), &[("key", &key)])
                } else {
                    T::ChairProjectionOff.get(self.lang()).to_string()
                };
                self.say(Level::Info, msg);
            }
            Action::OpenRound => self.start_round(),
        }
    }

    fn ask(&mut self, what: ReasonFor) {
        self.mode = ChairMode::Reason(what, new_line_editor());
    }

    /// Moves the cut one step, skipping sizes that split a tie; when every size that way splits
    /// one, asks how the tie at the next size is settled (a cut never splits a tie silently).
    fn move_cut(&mut self, longer: bool) {
        let Some(r) = &self.results else {
            return;
        };
        let (min, max) = (r.config.shortlist_min, r.config.shortlist_max);
        let next = |k: usize| if longer { k + 1 } else { k.saturating_sub(1) };
        let first = next(r.k);
        if first < min || first > max || first == r.k {
            // Out of range: let the check say so.
            self.decide(Decision::Cut {
                k: first,
                tie_note: None,
            });
            return;
        }
        let mut k = first;
        let mut skipped = Vec::new();
        loop {
            match decisions::split_at(&r.rows, k) {
                None => break,
                Some(t) => skipped.push((k, t)),
            }
            let n = next(k);
            if n < min || n > max || n == k {
                // Every size from here to the end of the range splits a tie.
                self.ask(ReasonFor::CutTie(first));
                return;
            }
            k = n;
        }
        let note = skipped.first().map(|(sk, t)| {
            T::ChairSkippedTie.fill(
                self.lang(),
                &[
                    ("k", &sk.to_string()),
                    ("rank", &t.rank.to_string()),
                    ("items", &t.items.join(", ")),
                ],
            )
        });
        self.decide(Decision::Cut { k, tie_note: None });
        if let Some(note) = note
            && let Some((level, msg)) = &self.message
        {
            let msg = format!("{msg} ({note})");
            let level = *level;
            self.say(level, msg);
        }
    }

    /// Checks and records a decision, then recomputes; warns when the decided list leaves the
    /// range and offers a cut that brings it back.
    pub fn decide(&mut self, d: Decision) {
        let Some(r) = &self.results else {
            return;
        };
        if let Err(e) = decisions::check(&d, r) {
            let msg = decision_error(&e, self.lang());
            self.say(Level::Warn, msg);
            return;
        }
        let context = Context::of(r);
        let before = r.decided.as_ref().and_then(|a| a.made_under.clone());
        match self.store.record_decision(
            &self.batch().hash,
            &self.settings.chair,
            &decisions::to_json(&d, Some(&context)),
        ) {
            Ok(_) => {
                let mut msg = decisions::describe_decision(&d, self.lang());
                self.show();
                let mut level = Level::Info;
                if let Some(old) = before.filter(|old| *old != context) {
                    msg.push_str(&T::ChairContextChanged.fill(
                        self.lang(),
                        &[
                            ("now", &context_text(&context, self.lang())),
                            ("old", &context_text(&old, self.lang())),
                        ],
                    ));
                }
                if let Some(r) = &self.results
                    && let Some(a) = &r.decided
                    && !a.in_range()
                {
                    level = Level::Warn;
                    msg = format!("{msg} ⚠ {}", out_of_range_text(a, self.lang()));
                    if let Some(k) = decisions::compensating_cut(r) {
                        self.mode = ChairMode::Compensate(k);
                    }
                }
                self.say(level, msg);
            }
            Err(e) => self.say(Level::Error, crate::text::errors::error_chain(&e)),
        }
    }

    /// Brings the ranking's scroll in line with the screen as last drawn (a jump to the cut
    /// centred there), so that keys act on what the chair saw.
    pub fn settle(&mut self) {
        if too_small(self.size) {
            return;
        }
        let list = self.panes(self.area()).list;
        if let Some(off) = self.ranking_offset_in(list) {
            self.list_offset = off;
            self.center_selection = false;
        }
    }
}
