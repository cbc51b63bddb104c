//! The panel chair's view: the ranking with the cut, a nomination's detail, the panel; decisions
//! recorded in the chair's store; sheets arriving in a watched directory update it live.

use super::action::Action;
use super::app::{Level, Panes};
use super::i18n::{Lang, T};
use super::keymap::KeyMap;
use super::theme::Theme;
use crate::aggregate::Method;
use crate::batch::Batch;
use crate::decisions::{self, Decision};
use crate::panel::{self, Panel};
use crate::profile::Profile;
use crate::report::{self, Results};
use crate::sheet::Sheet;
use crate::store::Store;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui_textarea::TextArea;
use std::cell::Cell;
use std::collections::HashMap;
use std::path::PathBuf;
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
    /// Sheets refused, with the reason.
    pub rejected: Vec<String>,
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
    /// Scroll of the detail and panel panes.
    pub scroll: usize,
    /// Status message.
    pub message: Option<(Level, String)>,
    /// Set on quit.
    pub quit: bool,
    /// Terminal size.
    pub size: (u16, u16),
    signature: Vec<(PathBuf, u64, Option<SystemTime>)>,
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
                    if p.extension().is_some_and(|x| x == "json") {
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
    /// Opens the chair's view.
    pub fn new(
        profile: Profile,
        batch: Batch,
        sources: Vec<PathBuf>,
        store: Store,
        settings: ChairSettings,
    ) -> ChairApp {
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
            scroll: 0,
            message: None,
            quit: false,
            size: (80, 24),
            signature: vec![],
        };
        app.reload();
        app
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

    fn options(&self, method: Method, replicates: usize) -> report::Options {
        let mut o = report::Options::for_profile(&self.profile, self.batch.meta.final_review);
        o.method = method;
        o.replicates = replicates;
        o.seed = self.settings.seed;
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
        self.rejected = c.rejected.iter().map(ToString::to_string).collect();
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
        self.recompute(&sheets, &exclusions);
    }

    fn recompute(&mut self, sheets: &[Sheet], exclusions: &[(String, String)]) {
        let keep = self.current_id();
        if sheets.is_empty() {
            self.results = None;
            self.visible.clear();
            return;
        }
        let built = report::build(
            &self.batch,
            &self.profile,
            sheets,
            exclusions,
            &self.options(self.method, self.settings.replicates),
        );
        let mut results = match built {
            Ok(r) => r,
            Err(e) => {
                self.say(Level::Error, e.to_string());
                return;
            }
        };
        match self
            .store
            .decisions(&self.batch.hash)
            .map_err(|e| e.to_string())
            .and_then(|rows| decisions::parse_log(&rows).map_err(|e| e.to_string()))
        {
            Ok(log) => decisions::apply(&mut results, &log),
            Err(e) => self.say(Level::Error, e),
        }
        // The default method's ranks, for the arrows; and everyone's leniency.
        let base = report::build(
            &self.batch,
            &self.profile,
            sheets,
            exclusions,
            &self.options(Method::default(), 0),
        );
        self.baseline = base
            .map(|b| {
                b.rows
                    .iter()
                    .filter_map(|r| r.rank.map(|k| (r.id.clone(), k)))
                    .collect()
            })
            .unwrap_or_default();
        let cal = report::build(
            &self.batch,
            &self.profile,
            sheets,
            exclusions,
            &self.options(Method::Calibrated, 0),
        );
        self.leniency = cal
            .map(|c| {
                c.experts
                    .iter()
                    .filter_map(|e| e.bias.map(|b| (e.id.clone(), b)))
                    .collect()
            })
            .unwrap_or_default();
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
        let now = signature(&self.sources);
        if now == self.signature {
            return false;
        }
        let before = self.handed.len();
        self.reload();
        let after = self.handed.len();
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
    pub fn current(&self) -> Option<&report::Row> {
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
                    .any(|f| f == "borderline" || f == "tie-at-cut"),
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
    pub fn rank_change(&self, row: &report::Row) -> Option<i64> {
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
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                self.handle_key(k);
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
            ChairMode::Help { scroll } => match self.settings.keymap.action(&k) {
                Some(Action::Help | Action::Cancel | Action::Quit) => self.mode = ChairMode::Normal,
                Some(Action::NextItem | Action::ScrollDown) => *scroll += 1,
                Some(Action::PrevItem | Action::ScrollUp) => *scroll = scroll.saturating_sub(1),
                _ => {}
            },
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
                        ReasonFor::Ties => Decision::TiesResolved { note: reason },
                    };
                    self.decide(d);
                }
                _ => {
                    ta.input(k);
                }
            },
            ChairMode::Search { before } => match k.code {
                KeyCode::Esc => {
                    self.query = std::mem::take(before);
                    self.mode = ChairMode::Normal;
                    self.refilter();
                }
                KeyCode::Enter => self.mode = ChairMode::Normal,
                KeyCode::Backspace => {
                    self.query.pop();
                    self.refilter();
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.query.push(c);
                    self.selected = 0;
                    self.refilter();
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

    fn move_to(&mut self, pos: usize) {
        let pos = pos.min(self.visible.len().saturating_sub(1));
        if pos != self.selected {
            self.selected = pos;
            self.scroll = 0;
        }
    }

    /// Applies one action.
    pub fn update(&mut self, a: Action) {
        match a {
            Action::NextItem => self.move_to(self.selected + 1),
            Action::PrevItem => self.move_to(self.selected.saturating_sub(1)),
            Action::FirstItem => self.move_to(0),
            Action::LastItem => self.move_to(self.visible.len().saturating_sub(1)),
            Action::ScrollDown => self.scroll += usize::from(self.size.1 / 2).max(1),
            Action::ScrollUp => {
                self.scroll = self
                    .scroll
                    .saturating_sub(usize::from(self.size.1 / 2).max(1))
            }
            Action::Commit => {
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
                self.mode = ChairMode::Search {
                    before: self.query.clone(),
                }
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
                self.reload();
                let msg = T::ChairMethodIs.fill(self.lang(), &[("m", &self.method.to_string())]);
                self.say(Level::Info, msg);
            }
            Action::CutDown | Action::CutUp => {
                if let Some(r) = &self.results {
                    let k = if a == Action::CutDown {
                        r.k + 1
                    } else {
                        r.k.saturating_sub(1)
                    };
                    self.decide(Decision::Cut { k });
                }
            }
            Action::Include | Action::Exclude => {
                if let Some(id) = self.current_id() {
                    let what = if a == Action::Include {
                        ReasonFor::Include(id)
                    } else {
                        ReasonFor::Exclude(id)
                    };
                    let mut ta = TextArea::default();
                    ta.set_cursor_line_style(ratatui::style::Style::default());
                    self.mode = ChairMode::Reason(what, Box::new(ta));
                }
            }
            Action::ClearOverride => {
                if let Some(row) = self.current()
                    && row.decision.is_some()
                {
                    let item = row.id.clone();
                    self.decide(Decision::Clear { item });
                }
            }
            Action::ResolveTies => {
                let mut ta = TextArea::default();
                ta.set_cursor_line_style(ratatui::style::Style::default());
                self.mode = ChairMode::Reason(ReasonFor::Ties, Box::new(ta));
            }
            Action::Help => self.mode = ChairMode::Help { scroll: 0 },
            Action::Cancel => self.message = None,
            Action::Quit => self.quit = true,
            _ => {}
        }
    }

    /// Checks and records a decision, then recomputes.
    pub fn decide(&mut self, d: Decision) {
        let Some(r) = &self.results else {
            return;
        };
        if let Err(e) = decisions::check(&d, r) {
            self.say(Level::Warn, e.to_string());
            return;
        }
        match self.store.record_decision(
            &self.batch.hash,
            &self.settings.chair,
            &decisions::to_json(&d),
        ) {
            Ok(_) => {
                let msg = describe_decision(&d, self.lang());
                self.reload();
                self.say(Level::Info, msg);
            }
            Err(e) => self.say(Level::Error, e.to_string()),
        }
    }
}

/// A decision in words.
pub fn describe_decision(d: &Decision, lang: Lang) -> String {
    match d {
        Decision::Cut { k } => T::DecCut.fill(lang, &[("k", &k.to_string())]),
        Decision::Include { item, reason } => {
            T::DecInclude.fill(lang, &[("item", item), ("reason", reason)])
        }
        Decision::Exclude { item, reason } => {
            T::DecExclude.fill(lang, &[("item", item), ("reason", reason)])
        }
        Decision::Clear { item } => T::DecClear.fill(lang, &[("item", item)]),
        Decision::TiesResolved { note } => T::DecTies.fill(lang, &[("note", note)]),
    }
}
