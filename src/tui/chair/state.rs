//! The chair's state, and what can be read off it without changing it.

use super::action::Action;
use crate::domain::batch::Batch;
use crate::domain::decisions::{self, DecisionError};
use crate::domain::profile::Profile;
use crate::domain::results::{self, Results};
use crate::engine::Method;
use crate::io::panel::Panel;
use crate::round::{self, MarkSource, Round, SheetFiles};
use crate::store::{Store, StoreError};
use crate::tui::i18n::{Lang, T};
use crate::tui::keys::{Bindings, KeyMap};
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, Level, Panes};
use ratatui::layout::Rect;
use ratatui_textarea::TextArea;
use std::collections::HashMap;
use std::path::PathBuf;

/// The chair's panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChairView {
    /// The ranking table.
    Ranking,
    /// The selected nomination, expert by expert.
    Detail,
    /// The experts, their sheets, agreement and the decision log.
    Panel,
}

/// What a reason prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReasonFor {
    /// Including this nomination.
    Include(String),
    /// Excluding this nomination.
    Exclude(String),
    /// Settling the ties at the cut.
    Ties,
    /// Moving the cut to this K, which splits a tie: the note says how it is settled.
    CutTie(usize),
}

/// The input layer.
#[derive(Debug)]
pub enum ChairMode {
    /// Moving and deciding.
    Normal,
    /// Typing a reason.
    Reason(ReasonFor, Box<TextArea<'static>>),
    /// Typing a search.
    Search {
        /// The query before this search.
        before: String,
    },
    /// The help overlay.
    Help {
        /// First line shown.
        scroll: usize,
    },
    /// Offering to move the cut to this K so that the decided list is back in range.
    Compensate(usize),
    /// Picking the nominations of discussion round 2.
    OpenRound(RoundPick),
}

/// Which nominations the chair's view opens a discussion round for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundPick {
    /// Those flagged borderline (near the cut), as `round open --borderline`.
    Borderline,
    /// Those flagged disputed (the totals far apart), as `round open --disputed`.
    Disputed,
    /// The selected nomination, as `round open --items ID`.
    Selected,
}

impl RoundPick {
    /// Every choice, in the popup's order.
    pub const ALL: [RoundPick; 3] = [
        RoundPick::Borderline,
        RoundPick::Disputed,
        RoundPick::Selected,
    ];

    /// The choice's line in the popup.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            RoundPick::Borderline => T::ChairRoundPickBorderline,
            RoundPick::Disputed => T::ChairRoundPickDisputed,
            RoundPick::Selected => T::ChairRoundPickSelected,
        }
        .get(lang)
    }
}

/// Which rows the ranking shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChairFilter {
    /// Every nomination.
    All,
    /// On the (decided) shortlist.
    Shortlisted,
    /// Borderline under resampling, or tied at the cut.
    Borderline,
    /// With an include/exclude decision.
    Decided,
}

impl ChairFilter {
    /// The filter after this one.
    pub fn next(self) -> Self {
        match self {
            ChairFilter::All => ChairFilter::Shortlisted,
            ChairFilter::Shortlisted => ChairFilter::Borderline,
            ChairFilter::Borderline => ChairFilter::Decided,
            ChairFilter::Decided => ChairFilter::All,
        }
    }

    /// The filter's name.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ChairFilter::All => T::ChairFilterAll,
            ChairFilter::Shortlisted => T::ChairFilterShortlisted,
            ChairFilter::Borderline => T::ChairFilterBorderline,
            ChairFilter::Decided => T::ChairFilterDecided,
        }
        .get(lang)
    }
}

/// Everything the chair's view needs besides batch, sheets and store.
pub struct ChairSettings {
    /// The chair's id (recorded with every decision).
    pub chair: String,
    /// UI language.
    pub lang: Lang,
    /// Colours.
    pub theme: Theme,
    /// Keys (the view reads its `[chair]` section).
    pub keymap: KeyMap,
    /// Bootstrap resamples for the stability column.
    pub replicates: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// The panel file, if any.
    pub panel: Option<Panel>,
    /// The shortlist range, when not the profile's.
    pub shortlist: Option<(usize, usize)>,
    /// The method to start with.
    pub method: Method,
    /// Experts needed before `trimmed` drops the extremes (default 5).
    pub trim_min: Option<usize>,
}

/// Why the chair's view cannot open.
#[derive(Debug, thiserror::Error)]
pub enum ChairError {
    /// The chair's store cannot be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The decision log is damaged: the chair must not see a ranking without their decisions.
    #[error(transparent)]
    Decisions(#[from] DecisionError),
}

/// A sheet that counts, for the panel pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Handed {
    /// The file.
    pub path: PathBuf,
    /// The expert.
    pub expert: String,
    /// Their name.
    pub name: String,
    /// The sheet's sequence.
    pub sequence: u64,
}

/// The chair's state.
pub struct ChairApp {
    /// The round: rules, nominations, panel and marks, with results cached per method.
    pub(super) round: Round<Box<dyn MarkSource + Send>>,
    pub(super) store: Store,
    /// Settings.
    pub settings: ChairSettings,
    /// The method shown.
    pub method: Method,
    /// Results under `method`, decisions applied (None until a sheet is accepted).
    pub results: Option<Results>,
    /// Rank of each nomination under the default method (for the change arrows).
    pub baseline: HashMap<String, usize>,
    /// Calibrated fit for the experts' leniency.
    pub leniency: HashMap<String, f64>,
    /// Sheets accepted.
    pub handed: Vec<Handed>,
    /// Sheets refused: the file and the reason.
    pub rejected: Vec<(PathBuf, String)>,
    /// Notes from reading the sheets (superseded, missing experts, conflicts).
    pub notes: Vec<String>,
    /// Pane shown.
    pub view: ChairView,
    /// Input layer.
    pub mode: ChairMode,
    /// Filter.
    pub filter: ChairFilter,
    /// Search text.
    pub query: String,
    /// Indices into `results.rows` that the table shows.
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    /// The chair's keys.
    pub keys: Bindings<Action>,
    /// First table row on screen, as last drawn.
    pub list_offset: usize,
    /// Scroll the selected row to mid-screen when next drawn (after a jump to the cut); the
    /// next key or tick settles it into `list_offset`.
    pub center_selection: bool,
    /// Scroll of the detail and panel panes.
    pub scroll: usize,
    /// Status message.
    pub message: Option<(Level, String)>,
    /// Set on quit.
    pub quit: bool,
    /// Terminal size.
    pub size: (u16, u16),
    /// Projection mode: experts shown as 专家A, 专家B… (see [`super::projection`]).
    pub projection: bool,
    /// The marks' stamp when they were last read.
    pub(super) stamp: u64,
    /// The store's data version when the decisions were last read (another chair session on
    /// the same store changes it).
    pub(super) decisions_seen: i64,
    /// The store the experts score in (`--server`), where discussion rounds are opened; None
    /// on sheet files.
    pub(super) experts: Option<Store>,
    /// The latest discussion round open in the experts' store and its number of nominations.
    pub discussion: Option<(u32, usize)>,
}

impl ChairApp {
    /// Opens the chair's view on sheet files and directories (watched for new sheets); a
    /// damaged decision log is an error, as in `rank`/`export`.
    pub fn new(
        profile: Profile,
        batch: Batch,
        sources: Vec<PathBuf>,
        store: Store,
        settings: ChairSettings,
    ) -> Result<ChairApp, ChairError> {
        Self::with_source(
            profile,
            batch,
            Box::new(SheetFiles(sources)),
            store,
            settings,
        )
    }

    /// Opens the chair's view on any source of marks (a server reads them from its store).
    pub fn with_source(
        profile: Profile,
        batch: Batch,
        source: Box<dyn MarkSource + Send>,
        store: Store,
        settings: ChairSettings,
    ) -> Result<ChairApp, ChairError> {
        decisions::parse_log(&store.decisions(&batch.hash)?)?;
        let keys = Bindings::from_keymap(&settings.keymap);
        let round_settings = round::Settings {
            method: settings.method,
            trim_min: settings.trim_min,
            shortlist: settings.shortlist,
            replicates: settings.replicates,
            seed: settings.seed,
        };
        let round = Round::new(
            profile,
            batch,
            settings.panel.clone(),
            source,
            round_settings,
        );
        let mut app = ChairApp {
            round,
            store,
            method: settings.method,
            settings,
            results: None,
            baseline: HashMap::new(),
            leniency: HashMap::new(),
            handed: vec![],
            rejected: vec![],
            notes: vec![],
            view: ChairView::Ranking,
            mode: ChairMode::Normal,
            filter: ChairFilter::All,
            query: String::new(),
            visible: vec![],
            selected: 0,
            keys,
            list_offset: 0,
            center_selection: false,
            scroll: 0,
            message: None,
            quit: false,
            size: (80, 24),
            projection: false,
            stamp: 0,
            decisions_seen: 0,
            experts: None,
            discussion: None,
        };
        app.decisions_seen = app.store.data_version().unwrap_or(0);
        app.reload();
        // The meeting is about the cut: open with it on screen.
        app.jump_to_cut();
        Ok(app)
    }

    /// The rules.
    pub fn profile(&self) -> &Profile {
        &self.round.profile
    }

    /// The nominations.
    pub fn batch(&self) -> &Batch {
        &self.round.batch
    }

    /// The chair's store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.settings.lang
    }

    /// The theme.
    pub fn theme(&self) -> &Theme {
        &self.settings.theme
    }

    /// Rows of the ranking a page holds at the current size.
    pub fn page_rows(&self) -> usize {
        // Title, status, two borders and the header row.
        usize::from(self.size.1).saturating_sub(5).max(1)
    }

    pub(super) fn visible_pos(&self, id: &str) -> Option<usize> {
        let r = self.results.as_ref()?;
        self.visible.iter().position(|&i| r.rows[i].id == id)
    }

    /// The selected nomination's id.
    pub fn current_id(&self) -> Option<String> {
        let r = self.results.as_ref()?;
        self.visible
            .get(self.selected)
            .map(|&i| r.rows[i].id.clone())
    }

    /// The selected row.
    pub fn current(&self) -> Option<&results::Row> {
        let r = self.results.as_ref()?;
        self.visible.get(self.selected).map(|&i| &r.rows[i])
    }

    /// Change of rank against the default method: positive = moved up.
    pub fn rank_change(&self, row: &results::Row) -> Option<i64> {
        if self.method == Method::default() {
            return None;
        }
        let base = *self.baseline.get(&row.id)? as i64;
        Some(base - row.rank? as i64)
    }

    /// The screen split: on wide screens the ranking sits beside the detail or panel.
    pub fn panes(&self, area: Rect) -> Panes {
        let (title, body, status) = Panes::frame(area);
        let (list, reading) = if area.width >= 140 {
            let left = area.width * 11 / 20;
            let list = Rect {
                width: left,
                ..body
            };
            let reading = Rect {
                x: body.x + left,
                width: body.width - left,
                ..body
            };
            (list, reading)
        } else if self.view == ChairView::Ranking {
            (body, Rect::default())
        } else {
            (Rect::default(), body)
        };
        Panes {
            title,
            list,
            reading,
            scores: Rect::default(),
            status,
        }
    }

    /// The whole screen at the current size.
    pub fn area(&self) -> Rect {
        Rect::new(0, 0, self.size.0, self.size.1)
    }

    /// Whether the ranking draws the cut line: only on the whole, unsearched list.
    pub fn draws_cut(&self) -> bool {
        self.query.is_empty() && self.filter == ChairFilter::All
    }

    /// The visible row after which the ranking draws the cut: the K-th ranked nomination.
    pub fn cut_after(&self) -> Option<usize> {
        let r = self.results.as_ref()?;
        if !self.draws_cut() {
            return None;
        }
        let mut ranked = 0;
        self.visible.iter().position(|&i| {
            if !r.rows[i].counts_for_cut() {
                return false;
            }
            ranked += 1;
            ranked == r.k
        })
    }

    /// The ranking's first row in a pane (bordered, under a header), or None when the pane
    /// shows no rows.
    pub fn ranking_offset_in(&self, pane: Rect) -> Option<usize> {
        self.results.as_ref()?;
        let h = usize::from(pane.height.saturating_sub(2));
        if pane.is_empty() || h < 2 {
            return None;
        }
        let body_h = h - 1;
        // Display lines: the rows, and the cut line after the K-th ranked one.
        let cut = self.cut_after();
        let lines = self.visible.len() + usize::from(cut.is_some());
        // The selection's line: below the cut it moves down by one; none selected, the top.
        let sel_line = if self.selected < self.visible.len() {
            self.selected + usize::from(cut.is_some_and(|c| c < self.selected))
        } else {
            0
        };
        let off = if self.center_selection {
            // From the top when the selection fits on the first page with room to spare.
            if sel_line + 3 < body_h {
                0
            } else {
                sel_line.saturating_sub(body_h / 2)
            }
        } else {
            self.list_offset
        };
        Some(widgets::keep_in_view(off, sel_line, body_h, lines))
    }
}
