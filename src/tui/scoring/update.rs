//! The scoring view's update: every key ends here, every change is stored before the next
//! frame is drawn. Scroll offsets and the wrapped material are computed here too, so drawing
//! only reads the state.

use super::action::Action;
use super::reading;
use super::state::{App, Filter, ItemStatus, Mode, confidence_label};
use crate::domain::marks::{MAX_REASON_CHARS, check_length};
use crate::domain::rubric::Criterion;
use crate::store::{Applied, Change, Confidence, Field as StoreField, Source, StoreError};
use crate::text::errors::error_chain;
use crate::tui::i18n::{Lang, T};
use crate::tui::widgets::{Level, QueryKey, new_line_editor, type_query, while_too_small};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Position;

/// Nominations whose wrapped material the view keeps at once.
pub const READING_CACHE_ENTRIES: usize = 8;

impl App {
    /// How many nominations' wrapped material is cached now (at most
    /// [`READING_CACHE_ENTRIES`]).
    pub fn cached_readings(&self) -> usize {
        self.reading_cache.len()
    }

    /// The selected nomination's id if it can be scored; a recused one is refused aloud.
    fn scorable(&mut self) -> Option<String> {
        let id = self.current()?.id.clone();
        if self.status(&id) == ItemStatus::Recused {
            self.refuse_recused();
            return None;
        }
        Some(id)
    }

    fn refuse_recused(&mut self) {
        let msg = T::MsgRecusedNoScore.fill(self.lang, &[("key", &self.key_for(Action::Recuse))]);
        self.say(Level::Warn, msg);
    }

    pub(super) fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some((level, text.into()));
    }

    /// Recomputes the visible list, keeping the selected nomination where possible.
    pub fn refilter(&mut self) {
        let keep = self.current_index();
        let q = self.query.to_lowercase();
        let visible: Vec<usize> = (0..self.batch.items.len())
            .filter(|&i| {
                let it = &self.batch.items[i];
                let keep_it = match self.filter {
                    Filter::All => true,
                    Filter::Todo => {
                        matches!(
                            self.status(&it.id),
                            ItemStatus::Unscored | ItemStatus::Partial(_)
                        )
                    }
                    Filter::Flagged => self.flagged(&it.id),
                    Filter::Recused => self.status(&it.id) == ItemStatus::Recused,
                };
                keep_it && it.matches(&q)
            })
            .collect();
        self.visible = visible;
        self.selected = keep
            .and_then(|k| self.visible.iter().position(|&v| v == k))
            .unwrap_or(0)
            .min(self.visible.len().saturating_sub(1));
        self.selection_changed(keep);
    }

    /// Resets what belongs to one nomination (typed digits, focus, scroll) when the selected
    /// nomination is no longer `before`, whatever moved it: a key, a filter, a search, a reload.
    fn selection_changed(&mut self, before: Option<usize>) {
        if self.current_index() != before {
            self.crit = 0;
            self.scroll = 0;
            // Personal data is shown for one nomination at a time, on request.
            self.show_contacts = false;
            if !self.input.is_empty() {
                let typed = std::mem::take(&mut self.input);
                self.say(
                    Level::Warn,
                    T::MsgInputDropped.fill(self.lang, &[("v", &typed)]),
                );
            }
        }
    }

    fn select(&mut self, pos: usize) {
        let before = self.current_index();
        self.selected = pos.min(self.visible.len().saturating_sub(1));
        self.selection_changed(before);
    }

    fn select_item(&mut self, idx: usize) {
        if !self.visible.contains(&idx) {
            // The item is filtered out: show everything rather than lose the user's place.
            self.filter = Filter::All;
            self.query.clear();
            self.refilter();
        }
        if let Some(pos) = self.visible.iter().position(|&v| v == idx) {
            self.select(pos);
        }
    }

    /// Brings the marks up to date with what the store's history holds after the last row
    /// seen (this session's writes and other sessions'), keeping the progress count; returns
    /// how many changes it applied. Costs what changed, not what is stored.
    fn catch_up(&mut self) -> Result<usize, StoreError> {
        let news = self
            .store
            .changes_since(&self.expert, &self.batch.hash, self.seq)?;
        Ok(self.take_news(news))
    }

    /// Applies history rows after the last one seen to the marks and the progress count.
    fn take_news(&mut self, news: Vec<Applied>) -> usize {
        let n = news.len();
        for a in news {
            self.seq = a.seq;
            let id = a.change.item().to_owned();
            let was = self.is_finished(&id);
            a.apply_to(&mut self.scores);
            match (was, self.is_finished(&id)) {
                (false, true) => self.finished += 1,
                (true, false) => self.finished = self.finished.saturating_sub(1),
                _ => {}
            }
        }
        n
    }

    /// Writes changes for the expert; on success brings the marks up to date from what the
    /// same transaction read back (the store's history after the last row seen).
    pub(super) fn write(&mut self, changes: &[Change]) -> bool {
        let res = self.store.apply_since(
            &self.expert,
            &self.batch.hash,
            changes,
            Source::Keyboard,
            self.seq,
        );
        match res {
            Ok(w) => {
                self.take_news(w.news);
                self.saved = true;
                self.data_version = w.data_version;
                true
            }
            Err(StoreError::RevisionNeedsReason { item, round }) => {
                // Nothing is stored yet: the change waits for its reason.
                self.mode = Mode::Revise(new_line_editor(), changes.to_vec());
                let msg = T::MsgReviseWhy
                    .fill(self.lang, &[("id", &item), ("round", &round.to_string())]);
                self.say(Level::Info, msg);
                false
            }
            Err(e) => {
                self.saved = false;
                let msg = T::MsgSaveFailed.fill(self.lang, &[("err", &error_chain(&e))]);
                self.say(Level::Error, msg);
                false
            }
        }
    }

    /// The reason prompt of a revision: Enter stores the waiting changes with the reason,
    /// Esc drops them.
    fn revise_key(&mut self, k: KeyEvent) {
        let Mode::Revise(ta, changes) = &mut self.mode else {
            return;
        };
        match k.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                self.say(Level::Info, T::MsgReviseCancelled.get(self.lang));
            }
            KeyCode::Enter => {
                let reason = ta.lines().join(" ").trim().to_string();
                let long = check_length("revision reason", &reason, MAX_REASON_CHARS);
                if reason.is_empty() {
                    self.say(Level::Warn, T::MsgReviseNeedReason.get(self.lang));
                } else if let Err(e) = long {
                    let (n, max) = (e.chars.to_string(), e.max.to_string());
                    let msg = T::MsgReasonTooLong.fill(self.lang, &[("n", &n), ("max", &max)]);
                    self.say(Level::Warn, msg);
                } else {
                    let changes = std::mem::take(changes);
                    self.mode = Mode::Normal;
                    let id = changes.first().map(|c| c.item().to_string());
                    let res = self
                        .store
                        .revise(
                            &self.expert,
                            &self.batch.hash,
                            &changes,
                            Source::Keyboard,
                            &reason,
                        )
                        .and_then(|_| self.catch_up());
                    match res {
                        Ok(_) => {
                            self.saved = true;
                            if let Ok(v) = self.store.data_version() {
                                self.data_version = v;
                            }
                            self.refilter();
                            let id = id.unwrap_or_default();
                            self.say(Level::Info, T::MsgRevised.fill(self.lang, &[("id", &id)]));
                        }
                        Err(e) => {
                            self.saved = false;
                            let msg =
                                T::MsgSaveFailed.fill(self.lang, &[("err", &error_chain(&e))]);
                            self.say(Level::Error, msg);
                        }
                    }
                }
            }
            _ => {
                ta.input(k);
            }
        }
    }

    /// Takes in what another process (a second SSH session) wrote; true if it changed anything.
    pub fn poll_store(&mut self) -> bool {
        let Ok(v) = self.store.data_version() else {
            return false;
        };
        if v == self.data_version {
            return false;
        }
        self.data_version = v;
        // The chair may have opened a discussion round meanwhile: the view shows it at once.
        let opened = self.discussion_round();
        if let Ok(d) = super::state::Discussion::load(&self.store, &self.expert, &self.batch.hash) {
            self.discussion = d;
        }
        let reopened = self.discussion_round() != opened;
        match self.catch_up() {
            _ if reopened => {
                self.refilter();
                true
            }
            Ok(n) if n > 0 => {
                self.refilter();
                self.say(Level::Info, T::MsgReloaded.get(self.lang));
                self.warm();
                true
            }
            _ => false,
        }
    }

    /// The discussion round the view shows (None before one is opened).
    fn discussion_round(&self) -> Option<u32> {
        self.discussion.as_ref().map(|d| d.round)
    }

    /// Handles one terminal event; returns whether the screen must be redrawn.
    pub fn handle_event(&mut self, ev: Event) -> bool {
        self.settle();
        let redraw = self.take_event(ev);
        self.warm();
        redraw
    }

    fn take_event(&mut self, ev: Event) -> bool {
        if while_too_small(&ev, &self.keys, &mut self.size, &mut self.quit) {
            return true;
        }
        if let Some(keys) = self.keys.presses(&ev) {
            keys.into_iter().for_each(|k| self.handle_key(k));
            return true;
        }
        match ev {
            Event::Paste(text) => {
                self.paste(&text);
                true
            }
            Event::Mouse(m) => self.handle_mouse(m),
            Event::Resize(w, h) => {
                self.size = (w, h);
                true
            }
            _ => false,
        }
    }

    fn paste(&mut self, text: &str) {
        match &mut self.mode {
            Mode::Comment(_) => self.comment_paste(text),
            Mode::Recuse(ta) | Mode::Revise(ta, _) => {
                ta.insert_str(text.lines().collect::<Vec<_>>().join(" "));
            }
            Mode::Search => {
                self.query.push_str(text.lines().next().unwrap_or(""));
                self.refilter();
                self.select(0);
            }
            Mode::Normal | Mode::Help { .. } => {}
        }
    }

    /// Handles one key press.
    pub fn handle_key(&mut self, k: KeyEvent) {
        let help_page = usize::from(self.size.1.saturating_sub(6)).max(1);
        let help_max = match self.mode {
            Mode::Help { .. } => super::help::max_scroll(self, self.area()),
            _ => 0,
        };
        match &mut self.mode {
            Mode::Help { scroll } => {
                match self.keys.action(&k) {
                    Some(Action::Help | Action::Cancel | Action::Quit) => self.mode = Mode::Normal,
                    Some(Action::NextItem) => *scroll = (*scroll + 1).min(help_max),
                    Some(Action::PrevItem) => *scroll = scroll.saturating_sub(1),
                    // Page keys page, as in the material.
                    Some(Action::ScrollDown) => *scroll = (*scroll + help_page).min(help_max),
                    Some(Action::ScrollUp) => *scroll = scroll.saturating_sub(help_page),
                    Some(
                        Action::FirstItem
                        | Action::LastItem
                        | Action::NextTodo
                        | Action::Search
                        | Action::CycleFilter
                        | Action::NextCriterion
                        | Action::PrevCriterion
                        | Action::Commit
                        | Action::Increment
                        | Action::Decrement
                        | Action::ClearScore
                        | Action::Comment
                        | Action::Recuse
                        | Action::Flag
                        | Action::Confidence
                        | Action::Undo
                        | Action::SubmitSheet
                        | Action::Contacts
                        | Action::ToggleList,
                    )
                    | None => {
                        // Enter closes help too, whatever it is bound to.
                        if k.code == KeyCode::Enter {
                            self.mode = Mode::Normal;
                        }
                    }
                }
            }
            Mode::Comment(_) => self.comment_key(k),
            Mode::Revise(..) => self.revise_key(k),
            Mode::Recuse(ta) => match k.code {
                KeyCode::Esc => self.mode = Mode::Normal,
                KeyCode::Enter => {
                    let reason = ta.lines().join(" ").trim().to_string();
                    let long = check_length("recusal reason", &reason, MAX_REASON_CHARS);
                    if reason.is_empty() {
                        self.say(Level::Warn, T::MsgNeedReason.get(self.lang));
                    } else if let Err(e) = long {
                        // The reason stays in the editor to be shortened.
                        let (n, max) = (e.chars.to_string(), e.max.to_string());
                        let msg = T::MsgReasonTooLong.fill(self.lang, &[("n", &n), ("max", &max)]);
                        self.say(Level::Warn, msg);
                    } else {
                        self.mode = Mode::Normal;
                        self.recuse(Some(reason));
                    }
                }
                _ => {
                    ta.input(k);
                }
            },
            Mode::Search => match type_query(&mut self.query, &k) {
                // As the prompt says: Esc clears the search and shows every nomination.
                QueryKey::Cleared => {
                    self.mode = Mode::Normal;
                    self.refilter();
                }
                QueryKey::Done => self.mode = Mode::Normal,
                QueryKey::Changed => {
                    self.refilter();
                    self.select(0);
                    self.scroll_to_hit();
                }
                QueryKey::Ignored => {}
            },
            Mode::Normal => {
                if let KeyCode::Char(c) = k.code
                    && (c.is_ascii_digit() || c == '.')
                    && !k
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                {
                    self.type_digit(c);
                    return;
                }
                if let Some(a) = self.keys.action(&k) {
                    self.update(a);
                }
            }
        }
    }

    fn type_digit(&mut self, c: char) {
        if self.scorable().is_none() {
            return;
        }
        // A score is short; a runaway key repeat must not grow the buffer forever, and a
        // digit that does not fit is refused aloud rather than dropped.
        if self.input.len() < 32 {
            self.input.push(c);
            self.message = None;
        } else {
            let msg = T::MsgInputTooLong.fill(self.lang, &[("v", &self.input)]);
            self.say(Level::Warn, msg);
        }
    }

    /// Applies one action.
    pub fn update(&mut self, a: Action) {
        // A message answers the last key; the next key replaces or clears it.
        self.message = None;
        match a {
            Action::NextItem => self.select(self.selected + 1),
            Action::PrevItem => self.select(self.selected.saturating_sub(1)),
            Action::FirstItem => self.select(0),
            Action::LastItem => self.select(self.visible.len().saturating_sub(1)),
            Action::NextTodo => self.next_todo(),
            Action::Search => {
                // A new search starts empty: `/` twice never glues two ids together.
                self.mode = Mode::Search;
                if !self.query.is_empty() {
                    self.query.clear();
                    self.refilter();
                }
            }
            Action::CycleFilter => {
                self.filter = self.filter.next();
                self.refilter();
            }
            Action::NextCriterion => {
                if self.commit_input() {
                    self.crit = (self.crit + 1) % self.criteria().len();
                }
            }
            Action::PrevCriterion => {
                if self.commit_input() {
                    let n = self.criteria().len();
                    self.crit = (self.crit + n - 1) % n;
                }
            }
            Action::Commit => {
                if self.commit_input() {
                    self.advance();
                }
            }
            Action::Increment => self.nudge(1),
            Action::Decrement => self.nudge(-1),
            Action::ClearScore => self.clear_score(),
            Action::ScrollDown => self.scroll_by(true),
            Action::ScrollUp => self.scroll_by(false),
            Action::Comment => self.open_comment(),
            Action::Recuse => self.toggle_recusal(),
            Action::Flag => self.toggle_flag(),
            Action::Confidence => self.cycle_confidence(),
            Action::Undo => self.undo(),
            Action::SubmitSheet => self.submit(),
            Action::Contacts => self.show_contacts = !self.show_contacts,
            Action::ToggleList => self.show_list = !self.show_list,
            Action::Help => self.mode = Mode::Help { scroll: 0 },
            Action::Cancel => {
                // Esc undoes the most local thing: typed digits, then an active search.
                if !self.input.is_empty() {
                    self.input.clear();
                } else if !self.query.is_empty() {
                    self.query.clear();
                    self.refilter();
                }
            }
            Action::Quit => self.quit = true,
        }
    }

    fn next_todo(&mut self) {
        let n = self.visible.len();
        for step in 1..=n {
            let pos = (self.selected + step) % n;
            let id = &self.batch.items[self.visible[pos]].id;
            if matches!(
                self.status(id),
                ItemStatus::Unscored | ItemStatus::Partial(_)
            ) {
                self.select(pos);
                // Focus the first criterion still open.
                let rec = self.record(&self.batch.items[self.visible[pos]].id);
                self.crit = self
                    .criteria()
                    .iter()
                    .position(|c| !rec.scores.contains_key(&c.key))
                    .unwrap_or(0);
                return;
            }
        }
        self.say(Level::Info, T::MsgAllDone.get(self.lang));
    }

    /// Commits typed digits, if any; false when they were refused (focus stays).
    fn commit_input(&mut self) -> bool {
        if self.input.is_empty() {
            return true;
        }
        let Some(it) = self.current() else {
            self.input.clear();
            return true;
        };
        let id = it.id.clone();
        let c = &self.criteria()[self.crit];
        let key = c.key.clone();
        match c.parse(&self.input) {
            Ok(v) => {
                self.input.clear();
                if self.write(&[Change::score(id, key, Some(v))]) {
                    self.message = None;
                    true
                } else {
                    false
                }
            }
            Err(e) => {
                let label = c.label_in(self.lang.en()).to_string();
                let err = score_error(&e, c, self.lang);
                self.input.clear();
                self.say(
                    Level::Warn,
                    T::MsgBadScore.fill(self.lang, &[("crit", &label), ("err", &err)]),
                );
                false
            }
        }
    }

    /// Moves focus to the next criterion, and past the last to the next nomination.
    fn advance(&mut self) {
        if self.crit + 1 < self.criteria().len() {
            self.crit += 1;
        } else if self.selected + 1 < self.visible.len() {
            let before = self.current_index();
            // The "to do" filter may drop the finished item: stay on the one after it.
            self.refilter();
            let pos = match before.and_then(|b| self.visible.iter().position(|&v| v == b)) {
                Some(p) => p + 1,
                None => self.selected,
            };
            // Another nomination: `select` starts it at its first criterion.
            self.select(pos);
        } else {
            self.crit = 0;
            let msg = T::MsgLastItem.fill(self.lang, &[("key", &self.key_for(Action::NextTodo))]);
            self.say(Level::Info, msg);
        }
    }

    fn nudge(&mut self, steps: i32) {
        let Some(id) = self.scorable() else {
            return;
        };
        let c = self.criteria()[self.crit].clone();
        let key = c.key.clone();
        let label = c.label_in(self.lang.en()).to_string();
        // Typed digits are the value being adjusted: `7` then `+` means 8.
        let cur = if self.input.is_empty() {
            self.record(&id).scores.get(&key).copied()
        } else {
            match c.parse(&self.input) {
                Ok(v) => Some(v),
                Err(e) => {
                    let err = score_error(&e, &c, self.lang);
                    self.input.clear();
                    let msg = T::MsgBadScore.fill(self.lang, &[("crit", &label), ("err", &err)]);
                    self.say(Level::Warn, msg);
                    return;
                }
            }
        };
        let Some(cur) = cur else {
            // Nothing to raise or lower: a first score is typed, never guessed.
            self.say(
                Level::Warn,
                T::MsgNudgeEmpty.fill(self.lang, &[("crit", &label)]),
            );
            return;
        };
        let v = c.nudge(Some(cur), steps);
        let limit = (v - cur).abs() < 1e-9;
        let stored = self.record(&id).scores.get(&key).copied();
        self.input.clear();
        if stored.is_some_and(|s| (s - v).abs() < 1e-9) {
            // Already stored: nothing to write, but say why nothing moved.
            if limit {
                let bound = if steps > 0 { c.max } else { c.min };
                let msg =
                    T::MsgAtLimit.fill(self.lang, &[("crit", &label), ("v", &c.format(bound))]);
                self.say(Level::Info, msg);
            }
            return;
        }
        self.write(&[Change::score(id, key, Some(v))]);
    }

    fn clear_score(&mut self) {
        if !self.input.is_empty() {
            self.input.pop();
            return;
        }
        let Some(id) = self.scorable() else {
            return;
        };
        let key = self.criteria()[self.crit].key.clone();
        if self.record(&id).scores.contains_key(&key) {
            self.write(&[Change::score(id, key, None)]);
        }
    }

    /// Scrolls the material so the first line holding the search text is in view, near the top.
    fn scroll_to_hit(&mut self) {
        let q = self.query.to_lowercase();
        let pane = self.panes(self.area()).reading;
        if q.is_empty() || pane.width < 3 {
            return;
        }
        self.warm();
        let width = pane.width - 2;
        let Some(key) = self.reading_key(width) else {
            return;
        };
        // A search looks through all of the material: the rest is wrapped now.
        let hit = match self.reading_cache.get_mut(&key) {
            Some(m) => {
                m.fill_all();
                first_hit(m.lines(), &q)
            }
            None => first_hit(&reading::build(self, &self.batch.items[key.0], width), &q),
        };
        if let Some(i) = hit {
            self.scroll = i.saturating_sub(2);
            // Rendering clamps to the pane; until then allow what the text holds.
            self.reading_max = self.reading_max.max(self.scroll);
        }
    }

    fn scroll_by(&mut self, down: bool) {
        let page = self.scroll_page();
        let max = self.reading_max;
        self.scroll = if down {
            (self.scroll + page).min(max)
        } else {
            self.scroll.saturating_sub(page)
        };
    }

    fn toggle_recusal(&mut self) {
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        if self.record(&id).recusal.is_some() {
            self.recuse(None);
        } else {
            self.input.clear();
            self.mode = Mode::Recuse(new_line_editor());
        }
    }

    fn recuse(&mut self, reason: Option<String>) {
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        let recusing = reason.is_some();
        let said = if recusing {
            T::MsgRecused
        } else {
            T::MsgUnrecused
        };
        self.mark(Change::recusal(id.clone(), reason), said, &id);
    }

    /// Stores a change to how a nomination is marked, says so and refilters (the list may
    /// filter on that mark).
    fn mark(&mut self, change: Change, said: T, id: &str) {
        if self.write(&[change]) {
            self.say(Level::Info, said.fill(self.lang, &[("id", id)]));
            self.refilter();
        }
    }

    fn toggle_flag(&mut self) {
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        let now = !self.flagged(&id);
        let said = if now { T::MsgFlagged } else { T::MsgUnflagged };
        self.mark(Change::flag(id.clone(), now), said, &id);
    }

    fn cycle_confidence(&mut self) {
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        let next = match self.record(&id).confidence {
            Confidence::Normal => Confidence::High,
            Confidence::High => Confidence::Low,
            Confidence::Low => Confidence::Normal,
        };
        if self.write(&[Change::confidence(id.clone(), next)]) {
            let level = confidence_label(next, self.lang);
            self.say(
                Level::Info,
                T::MsgConfidence.fill(self.lang, &[("id", &id), ("level", level)]),
            );
        }
    }

    fn undo(&mut self) {
        self.input.clear();
        match self.store.undo(&self.expert, &self.batch.hash) {
            Ok(Some(out)) => {
                match self.catch_up() {
                    Ok(_) => self.saved = true,
                    Err(e) => {
                        self.saved = false;
                        self.say(Level::Error, error_chain(&e));
                        return;
                    }
                }
                self.refilter();
                let what = out
                    .fields
                    .iter()
                    .map(|f| format!("{} {}", f.item, self.field_label(&f.field)))
                    .collect::<Vec<_>>();
                let summary = if what.len() > 3 {
                    format!("{} ... (+{})", what[..3].join(", "), what.len() - 3)
                } else {
                    what.join(", ")
                };
                if let Some(first) = out.fields.first()
                    && let Some(idx) = self.batch.items.iter().position(|i| i.id == first.item)
                {
                    self.select_item(idx);
                    if let StoreField::Score(k) = &first.field
                        && let Some((ci, _)) = self.profile.rubric().find(k)
                    {
                        self.crit = ci;
                    }
                }
                self.say(
                    Level::Info,
                    T::MsgUndone.fill(self.lang, &[("what", &summary)]),
                );
            }
            Ok(None) => self.say(Level::Info, T::MsgNothingToUndo.get(self.lang)),
            Err(e) => {
                self.say(Level::Error, error_chain(&e));
            }
        }
    }

    fn submit(&mut self) {
        let res = crate::round::submit::submit_to_dir(
            &self.store,
            &self.batch,
            &self.profile,
            &self.expert,
            &self.submit_dir,
        );
        match res {
            Ok((path, sheet)) => {
                let msg = T::MsgSubmitted.fill(
                    self.lang,
                    &[
                        ("seq", &sheet.sequence.to_string()),
                        ("path", &path.display().to_string()),
                    ],
                );
                self.say(Level::Info, msg);
            }
            Err(e) => {
                let msg = T::MsgSaveFailed.fill(self.lang, &[("err", &error_chain(&e))]);
                self.say(Level::Error, msg);
            }
        }
    }

    fn field_label(&self, f: &StoreField) -> String {
        let en = self.lang.en();
        match f {
            StoreField::Score(k) => self
                .profile
                .rubric()
                .find(k)
                .map(|(_, c)| c.label_in(en).to_string())
                .unwrap_or_else(|| k.clone()),
            StoreField::Comment => T::Comment.get(self.lang).to_string(),
            StoreField::Recusal => T::Recused.get(self.lang).to_string(),
            StoreField::Flag => T::Flagged.get(self.lang).to_string(),
            StoreField::Confidence => T::Confidence.get(self.lang).to_string(),
        }
    }

    fn handle_mouse(&mut self, m: MouseEvent) -> bool {
        if !matches!(self.mode, Mode::Normal) {
            return false;
        }
        let p = self.panes(self.area());
        let at = Position::new(m.column, m.row);
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) if p.list.contains(at) => {
                // Row 0 is the border.
                let row = usize::from(m.row.saturating_sub(p.list.y + 1));
                let pos = self.list_offset + row;
                if m.row > p.list.y && pos < self.visible.len() {
                    self.select(pos);
                    return true;
                }
                false
            }
            MouseEventKind::Down(MouseButton::Left) if p.scores.contains(at) => {
                let row = usize::from(m.row.saturating_sub(p.scores.y + 1));
                if m.row > p.scores.y && row < self.criteria().len() && self.commit_input() {
                    self.crit = row;
                    return true;
                }
                false
            }
            MouseEventKind::ScrollDown if p.list.contains(at) => {
                self.select(self.selected + 1);
                true
            }
            MouseEventKind::ScrollUp if p.list.contains(at) => {
                self.select(self.selected.saturating_sub(1));
                true
            }
            MouseEventKind::ScrollDown if p.reading.contains(at) => {
                self.scroll = (self.scroll + 3).min(self.reading_max);
                true
            }
            MouseEventKind::ScrollUp if p.reading.contains(at) => {
                self.scroll = self.scroll.saturating_sub(3);
                true
            }
            _ => false,
        }
    }

    /// The terminal's size changed (the event loop tells at start).
    pub fn set_size(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        self.warm();
    }

    /// Brings the scroll state in line with the screen as last drawn: the list's first row
    /// and how far the material scrolls, so that keys and clicks act on what the expert saw.
    pub fn settle(&mut self) {
        self.warm();
        let Some(p) = self.drawn_panes() else {
            return;
        };
        if let Some(off) = self.list_offset_in(p.list) {
            self.list_offset = off;
        }
        if let Some((_, max)) = self.reading_in(p.reading) {
            self.reading_max = max;
        }
    }

    /// Wraps the selected nomination's material for the reading pane, as far as the pane
    /// shows and a page ahead (see [`App::reading_wanted`]).
    pub(super) fn warm(&mut self) {
        let Some(p) = self.drawn_panes() else {
            return;
        };
        self.warm_list(p.list);
        self.warm_rubric(p.scores);
        if p.reading.is_empty() {
            return;
        }
        let width = p.reading.width.saturating_sub(2);
        let Some(key) = self.reading_key(width) else {
            return;
        };
        let wanted = self.reading_wanted(p.reading);
        if let Some(m) = self.reading_cache.get_mut(&key) {
            m.fill_to(wanted);
            return;
        }
        let mut m = reading::material_of(self, key.0, width);
        m.fill_to(wanted);
        // Bounded small: a reader rarely looks back far, a rebuild costs well under a
        // millisecond, and a server holds one cache per session (64 entries of long nominations
        // were 7 MB a session).
        if self.reading_cache.len() >= READING_CACHE_ENTRIES {
            self.reading_cache.clear();
        }
        self.reading_cache.insert(key, m);
    }

    /// Wraps the rest of the selected nomination's material (the view calls it when idle, so
    /// the pane's line count is soon exact); whether there was any.
    pub fn finish_reading(&mut self) -> bool {
        let Some(p) = self.drawn_panes() else {
            return false;
        };
        let key = self.reading_key(p.reading.width.saturating_sub(2));
        match key.and_then(|k| self.reading_cache.get_mut(&k)) {
            Some(m) => m.fill_all(),
            None => false,
        }
    }
}

/// The first line holding `q` (lower-case): the lines' text is joined (indents dropped), so
/// a hit wrapped over two lines is found.
fn first_hit(lines: &[ratatui::text::Line<'static>], q: &str) -> Option<usize> {
    let mut joined = String::new();
    let mut starts = Vec::with_capacity(lines.len());
    for l in lines {
        starts.push(joined.len());
        let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        joined.push_str(&text.trim_start().to_lowercase());
    }
    joined
        .find(q)
        .map(|at| starts.partition_point(|&s| s <= at).saturating_sub(1))
}

/// A refused score in the UI language.
fn score_error(e: &crate::domain::rubric::ScoreError, c: &Criterion, lang: Lang) -> String {
    use crate::domain::rubric::ScoreError;
    match e {
        ScoreError::NotANumber(v) => T::ErrNotNumber.fill(lang, &[("v", v)]),
        ScoreError::OutOfRange { value, .. } => T::ErrOutOfRange.fill(
            lang,
            &[
                ("v", &value.to_string()),
                ("min", &c.format(c.min)),
                ("max", &c.format(c.max)),
            ],
        ),
        ScoreError::OffStep { value, .. } => T::ErrOffStep.fill(
            lang,
            &[("v", &value.to_string()), ("step", &c.format(c.step))],
        ),
    }
}
