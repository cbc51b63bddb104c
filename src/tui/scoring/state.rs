//! The scoring view's state, and what can be read off it without changing it.

use super::action::Action;
use super::cache::{ListCols, RubricCache};
use super::reading::{self, Material};
use crate::domain::batch::{Batch, Item};
use crate::domain::profile::{Domain, Profile};
use crate::domain::rubric::Criterion;
use crate::store::{Confidence, ExpertScores, ItemRecord, Store};
use crate::tui::i18n::{Lang, T};
use crate::tui::keys::{Bindings, KeyMap};
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, Level, Panes, too_small};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui_textarea::TextArea;
use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

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
    /// The filter after this one.
    pub fn next(self) -> Filter {
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
    /// Typing the reason for revising a nomination in a discussion round: the changes wait for
    /// it and are stored with it (Esc drops them).
    Revise(Box<TextArea<'static>>, Vec<crate::store::Change>),
    /// The help overlay, scrolled.
    Help {
        /// First line shown.
        scroll: usize,
    },
}

/// The discussion round the expert is in: its nominations, the panel's anonymised round-1
/// spread on them and the expert's own round-1 marks, shown beside the current ones.
#[derive(Debug, Clone, Default)]
pub struct Discussion {
    /// The round (2 for the first discussion round).
    pub round: u32,
    /// The nominations in it.
    pub items: Vec<String>,
    /// Per nomination and criterion (and `total`), the panel's round-1 spread.
    pub spread: crate::domain::rounds::PanelSpread,
    /// The expert's own marks as they stood in round 1.
    pub own_round_1: ExpertScores,
}

impl Discussion {
    /// The latest discussion round of `batch` in `store`, if one is open.
    pub fn load(
        store: &Store,
        expert: &str,
        batch: &str,
    ) -> Result<Option<Discussion>, crate::store::StoreError> {
        let Some(o) = store.rounds(batch)?.pop() else {
            return Ok(None);
        };
        Ok(Some(Discussion {
            round: o.round,
            own_round_1: store.marks_up_to(expert, batch, 1)?,
            items: o.items,
            spread: o.spread,
        }))
    }

    /// Whether a nomination is discussed in this round.
    pub fn has(&self, id: &str) -> bool {
        self.items.iter().any(|i| i == id)
    }
}

/// The comment being edited: on which nomination, and since when typing is not yet kept.
#[derive(Debug)]
pub struct Draft {
    /// The nomination the editor was opened on.
    pub item: String,
    /// When the first change not yet in the store was typed.
    pub unsaved_since: Option<std::time::Instant>,
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
    /// Key bindings (the view reads its `[scoring]` section).
    pub keymap: KeyMap,
    /// Where submitted sheets go (default: `sheets/` beside the store).
    pub submit_dir: Option<std::path::PathBuf>,
}

/// The material of one nomination at one width, with or without contact details.
pub(super) type ReadingKey = (usize, u16, bool);

/// The scoring view's state.
pub struct App {
    /// The round's rules.
    pub profile: Profile,
    /// The nominations (shared: a server's sessions all read one copy).
    pub batch: std::sync::Arc<Batch>,
    /// Who is scoring.
    pub expert: String,
    /// Their display name.
    pub expert_name: String,
    pub(super) store: Store,
    /// The expert's current marks, as stored.
    pub scores: ExpertScores,
    /// UI language.
    pub lang: Lang,
    /// Colours and attributes.
    pub theme: Theme,
    /// Key bindings.
    pub keys: Bindings<Action>,
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
    /// First list row on screen: the list scrolls only as far as the selection needs.
    pub list_offset: usize,
    /// The furthest the reading pane scrolls (its lines past one pane), as last drawn.
    pub reading_max: usize,
    /// Wrapped material, built in update (as far as the pane needs) for the drawing to reuse.
    pub(super) reading_cache: HashMap<ReadingKey, Material>,
    pub(super) data_version: i64,
    /// The last history row `scores` includes: later rows are applied as they come.
    pub(super) seq: i64,
    /// Nominations fully scored or recused, kept as marks change (the status bar shows it
    /// every frame).
    pub(super) finished: usize,
    /// The list's id column width: the widest id, up to 12 cells (the batch never changes).
    pub(super) id_width: usize,
    /// The list's padded columns for the rows shown so far.
    pub(super) list_cols: ListCols,
    /// The rubric wrapped for the scoring pane.
    pub(super) rubric_cache: RubricCache,
    pub(super) submit_dir: std::path::PathBuf,
    /// The comment being edited, when the editor is open.
    pub(super) draft: Option<Draft>,
    /// The discussion round open on the batch, if any.
    pub discussion: Option<Discussion>,
}

impl App {
    /// Opens the view on a batch with an expert's store.
    pub fn new(
        profile: Profile,
        batch: impl Into<std::sync::Arc<Batch>>,
        store: Store,
        settings: Settings,
    ) -> Result<App, crate::store::StoreError> {
        let batch = batch.into();
        let (scores, seq) = store.load_at(&settings.expert, &batch.hash)?;
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
            keys: Bindings::from_keymap(&settings.keymap),
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
            list_offset: 0,
            reading_max: 0,
            reading_cache: HashMap::new(),
            data_version,
            seq,
            finished: 0,
            id_width: 4,
            list_cols: ListCols::default(),
            rubric_cache: RubricCache::default(),
            submit_dir,
            draft: None,
            discussion: None,
        };
        app.discussion = Discussion::load(&app.store, &app.expert, &app.batch.hash)?;
        app.finished = app
            .batch
            .items
            .iter()
            .filter(|i| app.is_finished(&i.id))
            .count();
        app.id_width = app
            .batch
            .items
            .iter()
            .map(|i| crate::text::wrap::width(&i.id))
            .max()
            .unwrap_or(4)
            .min(12);
        app.refilter();
        app.warm();
        Ok(app)
    }

    /// The last history row of the expert's marks that `scores` includes.
    pub fn history_seq(&self) -> i64 {
        self.seq
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

    /// The expert's record for an item, if they touched it (no copy).
    pub(super) fn record_ref(&self, id: &str) -> Option<&ItemRecord> {
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

    /// Whether a nomination is fully scored or recused.
    pub(super) fn is_finished(&self, id: &str) -> bool {
        matches!(self.status(id), ItemStatus::Done(_) | ItemStatus::Recused)
    }

    /// `(finished, total)`: finished = fully scored or recused.
    pub fn progress(&self) -> (usize, usize) {
        (self.finished, self.batch.items.len())
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

    /// The whole screen at the current size.
    pub fn area(&self) -> Rect {
        Rect::new(0, 0, self.size.0, self.size.1)
    }

    /// The screen split for the current size and mode.
    pub fn panes(&self, area: Rect) -> Panes {
        let (title, body, status) = Panes::frame(area);
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
        let (list, reading) = if list_w > 0 {
            let list = Rect {
                width: list_w,
                ..rest
            };
            let reading = Rect {
                x: rest.x + list_w,
                width: rest.width.saturating_sub(list_w),
                ..rest
            };
            (list, reading)
        } else if self.show_list {
            (rest, Rect::default())
        } else {
            (Rect::default(), rest)
        };
        Panes {
            title,
            list,
            reading,
            scores,
            status,
        }
    }

    /// Every line of the reading pane for the selected item at a width (what update has not
    /// wrapped yet is wrapped here).
    pub fn reading_lines_for(&self, width: u16) -> Rc<Vec<Line<'static>>> {
        match self.material_at(width, usize::MAX) {
            Some(m) => Rc::new(m.into_owned().into_lines()),
            None => Rc::new(vec![]),
        }
    }

    /// The selected item's material at a width, wrapped to at least `lines` lines (or whole):
    /// as update cached it, or wrapped here when update has not got that far.
    fn material_at(&self, width: u16, lines: usize) -> Option<Cow<'_, Material>> {
        let key = self.reading_key(width)?;
        let mut m = match self.reading_cache.get(&key) {
            Some(m) if m.total().is_some() || m.lines().len() >= lines => {
                return Some(Cow::Borrowed(m));
            }
            Some(m) => m.clone(),
            None => reading::material_of(self, key.0, width),
        };
        m.fill_to(lines);
        Some(Cow::Owned(m))
    }

    /// Which material the reading pane shows at a width.
    pub(super) fn reading_key(&self, width: u16) -> Option<ReadingKey> {
        let idx = self.current_index()?;
        Some((idx, width, self.show_contacts))
    }

    /// How many lines of material a pane needs wrapped: those it shows from the scroll
    /// position and a page ahead, so a page down or a wheel turn never runs out.
    pub(super) fn reading_wanted(&self, pane: Rect) -> usize {
        self.scroll + usize::from(pane.height.saturating_sub(2)) + self.scroll_page()
    }

    /// The lines one page down or up moves the material by.
    pub(super) fn scroll_page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(4) / 2).max(1)
    }

    /// The reading pane's material in a pane (wrapped at least as far as it shows) and how far
    /// it scrolls within what is wrapped; None when it shows nothing.
    pub fn reading_in(&self, pane: Rect) -> Option<(Cow<'_, Material>, usize)> {
        if pane.is_empty() {
            return None;
        }
        self.current()?;
        let m = self.material_at(pane.width.saturating_sub(2), self.reading_wanted(pane))?;
        let max = m
            .lines()
            .len()
            .saturating_sub(usize::from(pane.height.saturating_sub(2)));
        Some((m, max))
    }

    /// The list's first row in a pane (bordered), or None when the pane shows no rows.
    pub fn list_offset_in(&self, pane: Rect) -> Option<usize> {
        let (w, h) = (pane.width.saturating_sub(2), pane.height.saturating_sub(2));
        if pane.is_empty() || h == 0 || w < 8 || self.visible.is_empty() {
            return None;
        }
        let h = usize::from(h);
        Some(widgets::keep_in_view(
            self.list_offset,
            self.selected,
            h,
            self.visible.len(),
        ))
    }

    /// The screen as drawn at the current size, or None behind the too-small notice.
    pub(super) fn drawn_panes(&self) -> Option<Panes> {
        (!too_small(self.size)).then(|| self.panes(self.area()))
    }

    /// The first key bound to an action, as shown in hints ("" when unbound).
    pub fn key_for(&self, a: Action) -> String {
        self.keys.first_key(a)
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
