//! The panel chair's view: the ranking with the cut, a nomination's detail, the panel; decisions
//! recorded in the chair's store; sheets arriving in a watched directory update it live.

use super::action::Action;
use super::app::{Level, Panes};
use super::i18n::{Lang, T};
use super::keymap::KeyMap;
use super::theme::Theme;
use crate::domain::batch::Batch;
use crate::domain::decisions::{self, Context, Decision, DecisionError, Override};
use crate::domain::profile::Profile;
use crate::domain::results::Flag;
use crate::domain::results::{self, Results};
use crate::engine::Method;
use crate::io::panel::{self, Panel};
use crate::io::sheet::Sheet;
use crate::store::{Store, StoreError};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui_textarea::TextArea;
use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

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
    fn next(self) -> Self {
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
    /// Keys.
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
    /// Rules.
    pub profile: Profile,
    /// Nominations.
    pub batch: Batch,
    /// Sheet files and directories to read (and watch).
    pub sources: Vec<PathBuf>,
    store: Store,
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
    /// First table row shown.
    pub list_offset: Cell<usize>,
    /// Scroll the selected row to mid-screen at the next drawing (after a jump to the cut).
    pub center_selection: Cell<bool>,
    /// Scroll of the detail and panel panes.
    pub scroll: usize,
    /// Status message.
    pub message: Option<(Level, String)>,
    /// Set on quit.
    pub quit: bool,
    /// Terminal size.
    pub size: (u16, u16),
    signature: Vec<(PathBuf, u64, Option<SystemTime>)>,
    /// The accepted sheets and conflict exclusions of the last reading.
    accepted: (Vec<Sheet>, Vec<(String, String)>),
    /// Results per method before the decisions, for the sheets read last: a decision or a
    /// method switch back re-applies instead of re-running the bootstrap.
    built: HashMap<Method, Results>,
    /// The store's data version when the decisions were last read (another chair session on
    /// the same store changes it).
    decisions_seen: i64,
}

/// A sheet candidate in a watched directory: the rule of `panel::collect` (`*.json` in any
/// case, not hidden), so every file it would read also triggers a live update.
fn is_sheet_name(p: &Path) -> bool {
    let hidden = p
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    !hidden
        && p.extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"))
}

/// The files under the sources, with size and time: a change means new or changed sheets.
fn signature(sources: &[PathBuf]) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut add = |p: PathBuf| {
        if let Ok(m) = std::fs::metadata(&p) {
            out.push((p, m.len(), m.modified().ok()));
        }
    };
    for s in sources {
        if s.is_dir() {
            if let Ok(rd) = std::fs::read_dir(s) {
                for e in rd.flatten() {
                    let p = e.path();
                    if is_sheet_name(&p) {
                        add(p);
                    }
                }
            }
        } else {
            add(s.clone());
        }
    }
    out.sort();
    out
}

impl ChairApp {
    /// Opens the chair's view; a damaged decision log is an error, as in `rank`/`export`.
    pub fn new(
        profile: Profile,
        batch: Batch,
        sources: Vec<PathBuf>,
        store: Store,
        settings: ChairSettings,
    ) -> Result<ChairApp, ChairError> {
        decisions::parse_log(&store.decisions(&batch.hash)?)?;
        let mut app = ChairApp {
            profile,
            batch,
            sources,
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
            list_offset: Cell::new(0),
            center_selection: Cell::new(false),
            scroll: 0,
            message: None,
            quit: false,
            size: (80, 24),
            signature: vec![],
            accepted: (vec![], vec![]),
            built: HashMap::new(),
            decisions_seen: 0,
        };
        app.decisions_seen = app.store.data_version().unwrap_or(0);
        app.reload();
        // The meeting is about the cut: open with it on screen.
        app.jump_to_cut();
        Ok(app)
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

    fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some((level, text.into()));
    }

    fn options(&self, method: Method, replicates: usize) -> results::Options {
        let mut o = results::Options::for_profile(&self.profile, self.batch.meta.final_review);
        o.method = method;
        o.replicates = replicates;
        o.seed = self.settings.seed;
        if let Some(t) = self.settings.trim_min {
            o.trim_min = t;
        }
        if let Some(r) = self.settings.shortlist {
            o.shortlist = r;
        }
        o
    }

    /// Reads every sheet again and recomputes; keeps the selected nomination.
    pub fn reload(&mut self) {
        self.signature = signature(&self.sources);
        let c = panel::collect(
            &self.sources,
            &self.batch,
            &self.profile,
            self.settings.panel.as_ref(),
        );
        self.rejected = c
            .rejected
            .iter()
            .map(|e| {
                let why = crate::io::sheet::describe_sheet_error(&e.source, self.lang());
                (e.path.clone(), why)
            })
            .collect();
        self.notes = c.notes.clone();
        self.notes
            .extend(c.conflicts.iter().map(|x| format!("{x}; score excluded")));
        let exclusions = c.exclusions();
        self.handed = c
            .accepted
            .iter()
            .map(|(p, s)| Handed {
                path: p.clone(),
                expert: s.expert.id.clone(),
                name: s.expert.name.clone(),
                sequence: s.sequence,
            })
            .collect();
        let sheets: Vec<Sheet> = c.accepted.into_iter().map(|(_, s)| s).collect();
        self.accepted = (sheets, exclusions);
        self.built.clear();
        self.compare_methods();
        self.show();
    }

    /// The default method's ranks (for the arrows) and everyone's leniency: they depend on the
    /// sheets only, not on the method shown or the decisions.
    fn compare_methods(&mut self) {
        let (sheets, exclusions) = &self.accepted;
        self.baseline.clear();
        self.leniency.clear();
        if sheets.is_empty() {
            return;
        }
        let build = |m: Method| {
            crate::round::build::build(
                &self.batch,
                &self.profile,
                sheets,
                exclusions,
                &self.options(m, 0),
            )
        };
        let (base, cal) = (build(Method::default()), build(Method::Calibrated));
        if let Ok(b) = base {
            self.baseline = b
                .rows
                .iter()
                .filter_map(|r| r.rank.map(|k| (r.id.clone(), k)))
                .collect();
        }
        if let Ok(c) = cal {
            self.leniency = c
                .experts
                .iter()
                .filter_map(|e| e.bias.map(|b| (e.id.clone(), b)))
                .collect();
        }
    }

    /// Re-applies the decisions when another session on the same store recorded some, so no
    /// decision is ever taken on a stale list; true if it did.
    fn refresh_decisions(&mut self) -> bool {
        match self.store.data_version() {
            Ok(v) if v != self.decisions_seen => {
                self.decisions_seen = v;
                self.show();
                true
            }
            _ => false,
        }
    }

    /// Shows the results under the current method with the decisions applied, computing them
    /// (bootstrap included) only the first time this method is shown for these sheets.
    fn show(&mut self) {
        let keep = self.current_id();
        if self.accepted.0.is_empty() {
            self.results = None;
            self.visible.clear();
            return;
        }
        let raw = match self.built.get(&self.method) {
            Some(r) => r.clone(),
            None => {
                let (sheets, exclusions) = &self.accepted;
                let built = crate::round::build::build(
                    &self.batch,
                    &self.profile,
                    sheets,
                    exclusions,
                    &self.options(self.method, self.settings.replicates),
                );
                match built {
                    Ok(r) => {
                        self.built.insert(self.method, r.clone());
                        r
                    }
                    Err(e) => {
                        self.say(Level::Error, e.to_string());
                        return;
                    }
                }
            }
        };
        let mut results = raw;
        let lang = self.lang();
        match self
            .store
            .decisions(&self.batch.hash)
            .map_err(|e| e.to_string())
            .and_then(|rows| decisions::parse_log(&rows).map_err(|e| decision_error(&e, lang)))
        {
            Ok(log) => decisions::apply(&mut results, &log),
            // Checked at startup; this is a log damaged during the meeting.
            Err(e) => self.say(Level::Error, e),
        }
        self.results = Some(results);
        self.refilter();
        if let Some(id) = keep
            && let Some(pos) = self.visible_pos(&id)
        {
            self.selected = pos;
        }
    }

    /// Re-reads the sheets when a file under the sources appeared or changed; true if so.
    pub fn poll_sheets(&mut self) -> bool {
        let decided_elsewhere = self.refresh_decisions();
        let now = signature(&self.sources);
        if now == self.signature {
            return decided_elsewhere;
        }
        let before = self.handed.len();
        let old = self.rejected.clone();
        self.reload();
        let after = self.handed.len();
        // A sheet refused while the room waits for it must not pass unnoticed.
        let fresh: Vec<&(PathBuf, String)> =
            self.rejected.iter().filter(|r| !old.contains(r)).collect();
        if let Some((path, reason)) = fresh.first() {
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            let msg = T::ChairSheetRejectedLive.fill(
                self.lang(),
                &[
                    ("n", &fresh.len().to_string()),
                    ("file", &file),
                    ("reason", reason),
                ],
            );
            self.say(Level::Error, msg);
            return true;
        }
        let msg = T::ChairSheetsReread.fill(
            self.lang(),
            &[
                ("after", &after.to_string()),
                ("before", &before.to_string()),
            ],
        );
        self.say(Level::Info, msg);
        true
    }

    /// Rows of the ranking a page holds at the current size.
    pub fn page_rows(&self) -> usize {
        // Title, status, two borders and the header row.
        usize::from(self.size.1).saturating_sub(5).max(1)
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
            .filter(|(_, row)| row.rank.is_some())
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
        self.center_selection.set(true);
    }

    fn visible_pos(&self, id: &str) -> Option<usize> {
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
        if area.width >= 140 {
            let left = area.width * 11 / 20;
            Panes {
                title,
                list: Rect {
                    width: left,
                    ..body
                },
                reading: Rect {
                    x: body.x + left,
                    width: body.width - left,
                    ..body
                },
                scores: Rect::default(),
                status,
            }
        } else if self.view == ChairView::Ranking {
            Panes {
                title,
                list: body,
                reading: Rect::default(),
                scores: Rect::default(),
                status,
            }
        } else {
            Panes {
                title,
                list: Rect::default(),
                reading: body,
                scores: Rect::default(),
                status,
            }
        }
    }

    /// Handles one terminal event; whether to redraw.
    pub fn handle_event(&mut self, ev: Event) -> bool {
        // Behind the "terminal too small" notice nothing may be decided.
        if crate::tui::app::while_too_small(
            &ev,
            &self.settings.keymap,
            &mut self.size,
            &mut self.quit,
        ) {
            return true;
        }
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                for k in self.settings.keymap.expand(k) {
                    self.handle_key(k);
                }
                true
            }
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
                let action = self.settings.keymap.action(&k);
                let most = super::view::chair::help_scroll_max(self, self.size.0, self.size.1);
                let next = match action {
                    Some(Action::Help | Action::Cancel | Action::Quit) => {
                        self.mode = ChairMode::Normal;
                        return;
                    }
                    Some(Action::NextItem) => now + 1,
                    Some(Action::ScrollDown) => now + page,
                    Some(Action::PrevItem) => now.saturating_sub(1),
                    Some(Action::ScrollUp) => now.saturating_sub(page),
                    Some(Action::FirstItem) => 0,
                    Some(Action::LastItem) => most,
                    _ => now,
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
            ChairMode::Search { .. } => match k.code {
                KeyCode::Esc => {
                    // As the prompt says, and as in the scoring view: Esc clears the search.
                    self.query.clear();
                    self.mode = ChairMode::Normal;
                    self.refilter_keeping();
                }
                KeyCode::Enter => self.mode = ChairMode::Normal,
                KeyCode::Backspace => {
                    self.query.pop();
                    self.refilter_keeping();
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.query.push(c);
                    self.refilter_keeping();
                }
                _ => {}
            },
            ChairMode::Normal => {
                if let Some(a) = self.settings.keymap.action(&k)
                    && a.in_chair()
                {
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
            Action::ScrollDown if self.view == ChairView::Ranking => {
                self.move_to(self.selected + self.page_rows())
            }
            Action::ScrollUp if self.view == ChairView::Ranking => {
                self.move_to(self.selected.saturating_sub(self.page_rows()))
            }
            Action::ScrollDown => self.scroll += usize::from(self.size.1 / 2).max(1),
            Action::ScrollUp => {
                self.scroll = self
                    .scroll
                    .saturating_sub(usize::from(self.size.1 / 2).max(1))
            }
            Action::Comment => self.jump_to_cut(),
            // Nothing selected (an empty search or filter): nothing to detail.
            Action::Commit if !self.visible.is_empty() => {
                self.view = ChairView::Detail;
                self.scroll = 0;
            }
            Action::NextCriterion => {
                self.view = match self.view {
                    ChairView::Ranking => ChairView::Detail,
                    ChairView::Detail => ChairView::Panel,
                    ChairView::Panel => ChairView::Ranking,
                };
                self.scroll = 0;
            }
            Action::PrevCriterion => {
                self.view = match self.view {
                    ChairView::Ranking => ChairView::Panel,
                    ChairView::Detail => ChairView::Ranking,
                    ChairView::Panel => ChairView::Detail,
                };
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
            _ => {}
        }
    }

    fn ask(&mut self, what: ReasonFor) {
        let mut ta = TextArea::default();
        ta.set_cursor_line_style(ratatui::style::Style::default());
        self.mode = ChairMode::Reason(what, Box::new(ta));
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
            &self.batch.hash,
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
            Err(e) => self.say(Level::Error, e.to_string()),
        }
    }
}

/// The settings a decision was made under, in words.
pub fn context_text(c: &Context, lang: Lang) -> String {
    T::ChairContext.fill(
        lang,
        &[
            ("m", &c.method),
            ("min", &c.shortlist_min.to_string()),
            ("max", &c.shortlist_max.to_string()),
        ],
    )
}

/// How the decided list is made up, in the UI language: `K = 28 + 3 included (…)`.
pub fn makeup_text(a: &decisions::Applied, lang: Lang) -> String {
    a.makeup_with(|kind, n, ids| {
        let t = match kind {
            Override::Include => T::ChairMakeupIncluded,
            Override::Exclude => T::ChairMakeupExcluded,
        };
        t.fill(lang, &[("n", &n.to_string()), ("ids", &ids.join(", "))])
    })
}

/// The decided list's size against the range, with how it is made up.
pub fn out_of_range_text(a: &decisions::Applied, lang: Lang) -> String {
    T::ChairOutOfRange.fill(
        lang,
        &[
            ("n", &a.list_size.to_string()),
            ("min", &a.shortlist_min.to_string()),
            ("max", &a.shortlist_max.to_string()),
            ("makeup", &makeup_text(a, lang)),
        ],
    )
}

/// A refused decision, in the UI language.
pub fn decision_error(e: &DecisionError, lang: Lang) -> String {
    match e {
        DecisionError::NoReason => T::ChairReasonRequired.get(lang).to_string(),
        DecisionError::CutOutOfRange { k, min, max } => T::ErrCutOutOfRange.fill(
            lang,
            &[
                ("k", &k.to_string()),
                ("min", &min.to_string()),
                ("max", &max.to_string()),
            ],
        ),
        DecisionError::SplitsTie { k, rank, items } => T::ErrSplitsTie.fill(
            lang,
            &[
                ("k", &k.to_string()),
                ("rank", &rank.to_string()),
                ("items", &items.join(", ")),
            ],
        ),
        DecisionError::AlreadyIn(item) => T::ErrAlreadyIn.fill(lang, &[("item", item)]),
        DecisionError::AlreadyOut(item) => T::ErrAlreadyOut.fill(lang, &[("item", item)]),
        DecisionError::NoOverride(item) => T::ErrNoOverride.fill(lang, &[("item", item)]),
        DecisionError::NoTieAtCut(k) => T::ErrNoTieAtCut.fill(lang, &[("k", &k.to_string())]),
        DecisionError::UnknownItem(item) => T::ErrUnknownItem.fill(lang, &[("item", item)]),
        DecisionError::Damaged { seq, message } => {
            T::ErrDamagedDecision.fill(lang, &[("seq", &seq.to_string()), ("message", message)])
        }
    }
}

/// A decision time (RFC 3339 UTC) in local time with its offset, e.g. `2020-09-01 16:00 +08:00`.
pub fn local_time(at: &str) -> String {
    match at.parse::<jiff::Timestamp>() {
        Ok(ts) => ts
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M %:z")
            .to_string(),
        Err(_) => at.to_string(),
    }
}
