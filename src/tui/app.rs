//! The scoring view's state and its `update`: every key ends here, every change is stored
//! before the next frame is drawn.

use super::action::Action;
use super::i18n::{Lang, T};
use super::keymap::KeyMap;
use super::theme::Theme;
use crate::domain::batch::{Batch, Item};
use crate::domain::profile::{Domain, Profile};
use crate::domain::rubric::Criterion;
use crate::store::{
    Change, Confidence, ExpertScores, Field as StoreField, ItemRecord, Source, Store,
};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui_textarea::{CursorMove, TextArea};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// Smallest usable terminal.
pub const MIN_WIDTH: u16 = 60;
/// Smallest usable terminal height.
pub const MIN_HEIGHT: u16 = 15;
/// From this width on, list, material and scores sit side by side.
pub const WIDE: u16 = 110;

/// Which nominations the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Every nomination.
    All,
    /// Not fully scored and not recused.
    Todo,
    /// Flagged for discussion.
    Flagged,
    /// Recused.
    Recused,
}

impl Filter {
    fn next(self) -> Filter {
        match self {
            Filter::All => Filter::Todo,
            Filter::Todo => Filter::Flagged,
            Filter::Flagged => Filter::Recused,
            Filter::Recused => Filter::All,
        }
    }

    /// The filter's name.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Filter::All => T::FilterAll.get(lang),
            Filter::Todo => T::FilterTodo.get(lang),
            Filter::Flagged => T::FilterFlagged.get(lang),
            Filter::Recused => T::FilterRecused.get(lang),
        }
    }
}

/// What the expert has done with one nomination.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ItemStatus {
    /// Nothing scored.
    Unscored,
    /// Some criteria scored.
    Partial(usize),
    /// Every criterion scored: the total.
    Done(f64),
    /// Recused.
    Recused,
}

/// The input layer that takes keys.
#[derive(Debug)]
pub enum Mode {
    /// Moving and scoring.
    Normal,
    /// Typing a search (the query is live: the list narrows as it is typed).
    Search,
    /// Editing the comment of the selected nomination.
    Comment(Box<TextArea<'static>>),
    /// Typing the reason for a recusal.
    Recuse(Box<TextArea<'static>>),
    /// The help overlay, scrolled.
    Help {
        /// First line shown.
        scroll: usize,
    },
}

/// How a status-bar message looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Confirmation.
    Info,
    /// Refused input.
    Warn,
    /// A failure (e.g. the store could not be written).
    Error,
}

/// Where each part of the screen is, for drawing and for mouse hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panes {
    /// Top line.
    pub title: Rect,
    /// The nominations list (empty when hidden).
    pub list: Rect,
    /// The reading pane (empty when hidden).
    pub reading: Rect,
    /// The scoring pane.
    pub scores: Rect,
    /// Bottom line.
    pub status: Rect,
}

/// Everything the scoring view needs besides the batch and the store.
pub struct Settings {
    /// The expert's id.
    pub expert: String,
    /// The expert's display name.
    pub expert_name: String,
    /// UI language.
    pub lang: Lang,
    /// Colours and attributes.
    pub theme: Theme,
    /// Key bindings.
    pub keymap: KeyMap,
    /// Where submitted sheets go (default: `sheets/` beside the store).
    pub submit_dir: Option<std::path::PathBuf>,
}

type ReadingKey = (usize, u16, bool);

/// The scoring view's state.
pub struct App {
    /// The round's rules.
    pub profile: Profile,
    /// The nominations.
    pub batch: Batch,
    /// Who is scoring.
    pub expert: String,
    /// Their display name.
    pub expert_name: String,
    store: Store,
    /// The expert's current marks, as stored.
    pub scores: ExpertScores,
    /// UI language.
    pub lang: Lang,
    /// Colours and attributes.
    pub theme: Theme,
    /// Key bindings.
    pub keymap: KeyMap,
    /// Indices into `batch.items` that the list shows.
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    /// The list filter.
    pub filter: Filter,
    /// The search text (lower-cased matching).
    pub query: String,
    /// The input layer.
    pub mode: Mode,
    /// The focused criterion.
    pub crit: usize,
    /// Digits typed but not committed.
    pub input: String,
    /// First line of the reading pane.
    pub scroll: usize,
    /// Contact details shown.
    pub show_contacts: bool,
    /// Narrow screens: the list instead of the material.
    pub show_list: bool,
    /// The status-bar message.
    pub message: Option<(Level, String)>,
    /// Whether the last write reached the store.
    pub saved: bool,
    /// Set when the user quits.
    pub quit: bool,
    /// The terminal size.
    pub size: (u16, u16),
    /// First list row shown (kept by the renderer so the list scrolls smoothly).
    pub list_offset: Cell<usize>,
    /// Lines of the reading pane after the last render, to clamp scrolling.
    pub reading_lines: Cell<usize>,
    reading_cache: RefCell<HashMap<ReadingKey, Rc<Vec<Line<'static>>>>>,
    data_version: i64,
    submit_dir: std::path::PathBuf,
}

impl App {
    /// Opens the view on a batch with an expert's store.
    pub fn new(
        profile: Profile,
        batch: Batch,
        store: Store,
        settings: Settings,
    ) -> Result<App, crate::store::StoreError> {
        let scores = store.load(&settings.expert, &batch.hash)?;
        let data_version = store.data_version()?;
        let submit_dir = settings.submit_dir.unwrap_or_else(|| {
            store
                .path()
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .join("sheets")
        });
        let mut app = App {
            profile,
            batch,
            expert: settings.expert,
            expert_name: settings.expert_name,
            store,
            scores,
            lang: settings.lang,
            theme: settings.theme,
            keymap: settings.keymap,
            visible: vec![],
            selected: 0,
            filter: Filter::All,
            query: String::new(),
            mode: Mode::Normal,
            crit: 0,
            input: String::new(),
            scroll: 0,
            show_contacts: false,
            show_list: false,
            message: None,
            saved: true,
            quit: false,
            size: (80, 24),
            list_offset: Cell::new(0),
            reading_lines: Cell::new(0),
            reading_cache: RefCell::new(HashMap::new()),
            data_version,
            submit_dir,
        };
        app.refilter();
        Ok(app)
    }

    /// The store the view writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The selected nomination's index in `batch.items`.
    pub fn current_index(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    /// The selected nomination.
    pub fn current(&self) -> Option<&Item> {
        self.current_index().map(|i| &self.batch.items[i])
    }

    /// The expert's record for an item (empty when untouched).
    pub fn record(&self, id: &str) -> ItemRecord {
        self.scores.items.get(id).cloned().unwrap_or_default()
    }

    fn record_ref(&self, id: &str) -> Option<&ItemRecord> {
        self.scores.items.get(id)
    }

    /// The status of a nomination.
    pub fn status(&self, id: &str) -> ItemStatus {
        let Some(r) = self.record_ref(id) else {
            return ItemStatus::Unscored;
        };
        if r.recusal.is_some() {
            return ItemStatus::Recused;
        }
        let rubric = self.profile.rubric();
        match rubric.total(&r.scores) {
            Some(t) => ItemStatus::Done(t),
            None => match rubric.scored_count(&r.scores) {
                0 => ItemStatus::Unscored,
                n => ItemStatus::Partial(n),
            },
        }
    }

    /// Whether a nomination is flagged.
    pub fn flagged(&self, id: &str) -> bool {
        self.record_ref(id).is_some_and(|r| r.flagged)
    }

    /// `(finished, total)`: finished = fully scored or recused.
    pub fn progress(&self) -> (usize, usize) {
        let done = self
            .batch
            .items
            .iter()
            .filter(|i| {
                matches!(
                    self.status(&i.id),
                    ItemStatus::Done(_) | ItemStatus::Recused
                )
            })
            .count();
        (done, self.batch.items.len())
    }

    /// The criteria of the rubric.
    pub fn criteria(&self) -> &[Criterion] {
        &self.profile.rubric().criteria
    }

    /// The batch's domain in the profile, if it has one.
    pub fn domain(&self) -> Option<&Domain> {
        self.batch
            .domain
            .as_deref()
            .and_then(|d| self.profile.domain(d))
    }

    /// The screen split for the current size and mode.
    pub fn panes(&self, area: Rect) -> Panes {
        let title = Rect { height: 1, ..area };
        let status = Rect {
            y: area.bottom().saturating_sub(1),
            height: 1,
            ..area
        };
        let body = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(2),
            ..area
        };
        let (list_w, score_w) = if area.width >= WIDE {
            // Wide screens give the list room for the applicant beside the name.
            ((area.width * 3 / 10).clamp(34, 60), 42.min(area.width / 3))
        } else {
            (0, 34.min(area.width / 2))
        };
        let scores = Rect {
            x: body.right().saturating_sub(score_w),
            width: score_w,
            ..body
        };
        let rest = Rect {
            width: body.width.saturating_sub(score_w),
            ..body
        };
        if list_w > 0 {
            let list = Rect {
                width: list_w,
                ..rest
            };
            let reading = Rect {
                x: rest.x + list_w,
                width: rest.width.saturating_sub(list_w),
                ..rest
            };
            Panes {
                title,
                list,
                reading,
                scores,
                status,
            }
        } else if self.show_list {
            Panes {
                title,
                list: rest,
                reading: Rect::default(),
                scores,
                status,
            }
        } else {
            Panes {
                title,
                list: Rect::default(),
                reading: rest,
                scores,
                status,
            }
        }
    }

    /// Lines of the reading pane for the selected item at a width (cached).
    pub fn reading_lines_for(&self, width: u16) -> Rc<Vec<Line<'static>>> {
        let Some(idx) = self.current_index() else {
            return Rc::new(vec![]);
        };
        let key = (idx, width, self.show_contacts);
        if let Some(l) = self.reading_cache.borrow().get(&key) {
            return Rc::clone(l);
        }
        let lines = Rc::new(super::view::reading::build(
            self,
            &self.batch.items[idx],
            width,
        ));
        let mut cache = self.reading_cache.borrow_mut();
        // Bounded: a reader rarely looks back far, and a rebuild costs well under a millisecond.
        if cache.len() > 64 {
            cache.clear();
        }
        cache.insert(key, Rc::clone(&lines));
        lines
    }

    /// The first key bound to an action, as shown in hints ("" when unbound).
    pub fn key_for(&self, a: Action) -> String {
        self.keymap.first_key(a)
    }

    fn refuse_recused(&mut self) {
        let msg = T::MsgRecusedNoScore.fill(self.lang, &[("key", &self.key_for(Action::Recuse))]);
        self.say(Level::Warn, msg);
    }

    fn say(&mut self, level: Level, text: impl Into<String>) {
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

    /// Writes changes for the expert; on success reloads the marks from the store.
    fn write(&mut self, changes: &[Change]) -> bool {
        let res = self
            .store
            .apply(&self.expert, &self.batch.hash, changes, Source::Keyboard)
            .and_then(|_| self.store.load(&self.expert, &self.batch.hash));
        match res {
            Ok(s) => {
                self.scores = s;
                self.saved = true;
                if let Ok(v) = self.store.data_version() {
                    self.data_version = v;
                }
                true
            }
            Err(e) => {
                self.saved = false;
                let msg = T::MsgSaveFailed.fill(self.lang, &[("err", &e.to_string())]);
                self.say(Level::Error, msg);
                false
            }
        }
    }

    /// Reloads when another process (a second SSH session) changed the store; true if it did.
    pub fn poll_store(&mut self) -> bool {
        let Ok(v) = self.store.data_version() else {
            return false;
        };
        if v == self.data_version {
            return false;
        }
        self.data_version = v;
        match self.store.load(&self.expert, &self.batch.hash) {
            Ok(s) if s != self.scores => {
                self.scores = s;
                self.refilter();
                self.say(Level::Info, T::MsgReloaded.get(self.lang));
                true
            }
            _ => false,
        }
    }

    /// Handles one terminal event; returns whether the screen must be redrawn.
    pub fn handle_event(&mut self, ev: Event) -> bool {
        if while_too_small(&ev, &self.keymap, &mut self.size, &mut self.quit) {
            return true;
        }
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                for k in self.keymap.expand(k) {
                    self.handle_key(k);
                }
                true
            }
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
            Mode::Comment(ta) => {
                ta.insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
            }
            Mode::Recuse(ta) => {
                ta.insert_str(text.lines().collect::<Vec<_>>().join(" "));
            }
            Mode::Search => {
                self.query.push_str(text.lines().next().unwrap_or(""));
                self.refilter();
                self.select(0);
            }
            _ => {}
        }
    }

    /// Handles one key press.
    pub fn handle_key(&mut self, k: KeyEvent) {
        let help_page = usize::from(self.size.1.saturating_sub(6)).max(1);
        let help_max = match self.mode {
            Mode::Help { .. } => {
                super::view::help::max_scroll(self, Rect::new(0, 0, self.size.0, self.size.1))
            }
            _ => 0,
        };
        match &mut self.mode {
            Mode::Help { scroll } => {
                let action = self.keymap.action(&k);
                match (action, k.code) {
                    (Some(Action::Help | Action::Cancel | Action::Quit), _) => {
                        self.mode = Mode::Normal
                    }
                    (Some(Action::NextItem), _) => *scroll = (*scroll + 1).min(help_max),
                    (Some(Action::PrevItem), _) => *scroll = scroll.saturating_sub(1),
                    // Page keys page, as in the material.
                    (Some(Action::ScrollDown), _) => *scroll = (*scroll + help_page).min(help_max),
                    (Some(Action::ScrollUp), _) => *scroll = scroll.saturating_sub(help_page),
                    (_, KeyCode::Enter) => self.mode = Mode::Normal,
                    _ => {}
                }
            }
            Mode::Comment(ta) => {
                if k.code == KeyCode::Esc {
                    let text = ta.lines().join("\n");
                    self.mode = Mode::Normal;
                    self.save_comment(text);
                } else {
                    ta.input(k);
                }
            }
            Mode::Recuse(ta) => match k.code {
                KeyCode::Esc => self.mode = Mode::Normal,
                KeyCode::Enter => {
                    let reason = ta.lines().join(" ").trim().to_string();
                    if reason.is_empty() {
                        self.say(Level::Warn, T::MsgNeedReason.get(self.lang));
                    } else {
                        self.mode = Mode::Normal;
                        self.recuse(Some(reason));
                    }
                }
                _ => {
                    ta.input(k);
                }
            },
            Mode::Search => match k.code {
                KeyCode::Esc => {
                    // As the prompt says: Esc clears the search and shows every nomination.
                    self.query.clear();
                    self.mode = Mode::Normal;
                    self.refilter();
                }
                KeyCode::Enter => self.mode = Mode::Normal,
                KeyCode::Backspace => {
                    self.query.pop();
                    self.refilter();
                    self.select(0);
                    self.scroll_to_hit();
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.query.push(c);
                    self.refilter();
                    self.select(0);
                    self.scroll_to_hit();
                }
                _ => {}
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
                if let Some(a) = self.keymap.action(&k) {
                    self.update(a);
                }
            }
        }
    }

    fn type_digit(&mut self, c: char) {
        let Some(it) = self.current() else {
            return;
        };
        if self.status(&it.id.clone()) == ItemStatus::Recused {
            self.refuse_recused();
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
            // The chair's actions do nothing in the expert's view.
            Action::CycleMethod
            | Action::CutDown
            | Action::CutUp
            | Action::Include
            | Action::Exclude
            | Action::ClearOverride
            | Action::ResolveTies => {}
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
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        if self.status(&id) == ItemStatus::Recused {
            self.refuse_recused();
            return;
        }
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
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        if self.status(&id) == ItemStatus::Recused {
            self.refuse_recused();
            return;
        }
        let key = self.criteria()[self.crit].key.clone();
        if self.record(&id).scores.contains_key(&key) {
            self.write(&[Change::score(id, key, None)]);
        }
    }

    /// Scrolls the material so the first line holding the search text is in view, near the top.
    fn scroll_to_hit(&mut self) {
        let q = self.query.to_lowercase();
        let area = Rect::new(0, 0, self.size.0, self.size.1);
        let reading = self.panes(area).reading;
        if q.is_empty() || reading.width < 3 {
            return;
        }
        let lines = self.reading_lines_for(reading.width - 2);
        // The text as one string (indents dropped), so a hit wrapped over two lines is found.
        let mut joined = String::new();
        let mut starts = Vec::with_capacity(lines.len());
        for l in lines.iter() {
            starts.push(joined.len());
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            joined.push_str(&text.trim_start().to_lowercase());
        }
        let hit = joined
            .find(&q)
            .map(|at| starts.partition_point(|&s| s <= at).saturating_sub(1));
        if let Some(i) = hit {
            self.scroll = i.saturating_sub(2);
            // Rendering clamps to the pane; until then allow what the text holds.
            self.reading_lines
                .set(self.reading_lines.get().max(self.scroll));
        }
    }

    fn scroll_by(&mut self, down: bool) {
        let page = usize::from(self.size.1.saturating_sub(4) / 2).max(1);
        let max = self.reading_lines.get();
        self.scroll = if down {
            (self.scroll + page).min(max)
        } else {
            self.scroll.saturating_sub(page)
        };
    }

    fn open_comment(&mut self) {
        let Some(it) = self.current() else {
            return;
        };
        let text = self.record(&it.id).comment;
        let mut ta = TextArea::new(text.split('\n').map(str::to_string).collect());
        // TextArea starts at (0,0): put the cursor at the end, where the expert continues.
        ta.move_cursor(CursorMove::Bottom);
        ta.move_cursor(CursorMove::End);
        ta.set_wrap_mode(ratatui_textarea::WrapMode::Glyph);
        ta.set_cursor_line_style(ratatui::style::Style::default());
        self.mode = Mode::Comment(Box::new(ta));
    }

    /// Saves a comment still being edited (the view is ending: quit, signal, lost terminal).
    pub fn save_draft(&mut self) {
        if let Mode::Comment(ta) = &self.mode {
            let text = ta.lines().join("\n");
            self.mode = Mode::Normal;
            self.save_comment(text);
        }
    }

    fn save_comment(&mut self, text: String) {
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        let text = text.trim_end().to_string();
        if self.record(&id).comment != text && self.write(&[Change::comment(id, text)]) {
            self.say(Level::Info, T::MsgCommentSaved.get(self.lang));
        }
    }

    fn toggle_recusal(&mut self) {
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        if self.record(&id).recusal.is_some() {
            self.recuse(None);
        } else {
            let mut ta = TextArea::default();
            ta.set_cursor_line_style(ratatui::style::Style::default());
            self.input.clear();
            self.mode = Mode::Recuse(Box::new(ta));
        }
    }

    fn recuse(&mut self, reason: Option<String>) {
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        let recusing = reason.is_some();
        if self.write(&[Change::recusal(id.clone(), reason)]) {
            let t = if recusing {
                T::MsgRecused
            } else {
                T::MsgUnrecused
            };
            self.say(Level::Info, t.fill(self.lang, &[("id", &id)]));
            self.refilter();
        }
    }

    fn toggle_flag(&mut self) {
        let Some(it) = self.current() else {
            return;
        };
        let id = it.id.clone();
        let now = !self.flagged(&id);
        if self.write(&[Change::flag(id.clone(), now)]) {
            let t = if now { T::MsgFlagged } else { T::MsgUnflagged };
            self.say(Level::Info, t.fill(self.lang, &[("id", &id)]));
            self.refilter();
        }
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
                match self.store.load(&self.expert, &self.batch.hash) {
                    Ok(s) => {
                        self.scores = s;
                        self.saved = true;
                    }
                    Err(e) => {
                        self.saved = false;
                        self.say(Level::Error, e.to_string());
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
                self.say(Level::Error, e.to_string());
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
                let msg = T::MsgSaveFailed.fill(self.lang, &[("err", &e.to_string())]);
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
        let area = Rect::new(0, 0, self.size.0, self.size.1);
        let p = self.panes(area);
        let at = Position::new(m.column, m.row);
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) if p.list.contains(at) => {
                // Row 0 is the border.
                let row = usize::from(m.row.saturating_sub(p.list.y + 1));
                let pos = self.list_offset.get() + row;
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
                self.scroll = (self.scroll + 3).min(self.reading_lines.get());
                true
            }
            MouseEventKind::ScrollUp if p.reading.contains(at) => {
                self.scroll = self.scroll.saturating_sub(3);
                true
            }
            _ => false,
        }
    }
}

/// Whether the screen is below the smallest usable size (the view is replaced by a notice).
pub fn too_small((w, h): (u16, u16)) -> bool {
    w < MIN_WIDTH || h < MIN_HEIGHT
}

/// Ctrl-C quits from anywhere, whatever the keymap says.
fn is_ctrl_c(k: &KeyEvent) -> bool {
    k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL)
}

/// Behind the "terminal too small" notice nothing may change: only quitting and resizing act.
/// Returns whether the event was taken here (the screen is too small).
pub fn while_too_small(
    ev: &Event,
    keymap: &KeyMap,
    size: &mut (u16, u16),
    quit: &mut bool,
) -> bool {
    if !too_small(*size) {
        return false;
    }
    match ev {
        Event::Key(k)
            if k.kind == KeyEventKind::Press
                && (keymap.action(k) == Some(Action::Quit) || is_ctrl_c(k)) =>
        {
            *quit = true
        }
        Event::Resize(w, h) => *size = (*w, *h),
        _ => {}
    }
    true
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

/// The confidence level's name.
pub fn confidence_label(c: Confidence, lang: Lang) -> &'static str {
    match c {
        Confidence::Low => T::ConfLow.get(lang),
        Confidence::Normal => T::ConfNormal.get(lang),
        Confidence::High => T::ConfHigh.get(lang),
    }
}
