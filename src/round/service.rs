//! The round service: a batch, its rules, the panel and the experts' marks give results, with
//! the chair's decisions applied. `rank`, `stats` and `export` use it, and it is built to be
//! asked again: the chair's view re-reads the sheets and switches methods on one [`Round`], and
//! a server may read marks from a store instead of sheet files (a [`MarkSource`]).

use crate::domain::batch::Batch;
use crate::domain::decisions::{self, Context, Recorded};
use crate::domain::profile::{Profile, ProfileError};
use crate::domain::results::{self, ReportError, Results};
use crate::engine::Method;
use crate::io::assign::Assignment;
use crate::io::import::ImportError;
use crate::io::panel::{self, Collected, Panel, PanelError};
use crate::io::sheet::Sheet;
use crate::io::validate::{self, Report};
use crate::store::{self, Store, StoreError};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a round's batch, decisions or results cannot be had (a profile or a panel that cannot
/// be loaded has its own error).
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    /// The batch file cannot be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The batch has errors (the report lists them).
    #[error("{} has errors", path.display())]
    BatchErrors {
        /// The batch file.
        path: PathBuf,
        /// The validation report, with every finding.
        report: Box<Report>,
    },
    /// The batch holds no nominations.
    #[error("{} holds no nominations", path.display())]
    EmptyBatch {
        /// The batch file.
        path: PathBuf,
    },
    /// No chair's store where one was named.
    #[error("{}: no chair's store there", dir.display())]
    NoChairStore {
        /// The directory named.
        dir: PathBuf,
    },
    /// No store where a server store was named.
    #[error("{}: no revdesk store there ({})", dir.display(), store::DB_FILE_NAME)]
    NoStore {
        /// The directory named.
        dir: PathBuf,
    },
    /// The chair's store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The chair's decision log is damaged.
    #[error(transparent)]
    Decisions(#[from] decisions::DecisionError),
    /// Sheets were refused and the round may not go on without them.
    #[error("{count} sheet(s) rejected")]
    Rejected {
        /// How many.
        count: usize,
    },
    /// No sheet counts.
    #[error("no valid score sheet to aggregate")]
    NoSheets,
    /// The results cannot be computed.
    #[error(transparent)]
    Build(#[from] ReportError),
}

impl RoundError {
    /// The message in the catalogue (its English is the Display), or None for an error whose
    /// text comes from elsewhere (the chair's decisions, the results).
    pub fn msg(&self) -> Option<crate::text::i18n::Msg> {
        use crate::text::i18n::{Msg, T};
        let p = |path: &Path| path.display().to_string();
        Some(match self {
            RoundError::Import(e) => e.msg(),
            RoundError::BatchErrors { path, .. } => {
                Msg::new(T::RoundBatchErrors, &[("path", &p(path))])
            }
            RoundError::EmptyBatch { path } => Msg::new(T::RoundEmptyBatch, &[("path", &p(path))]),
            RoundError::NoChairStore { dir } => Msg::new(T::RoundNoChairStore, &[("dir", &p(dir))]),
            RoundError::NoStore { dir } => Msg::new(
                T::RoundNoStore,
                &[("dir", &p(dir)), ("file", store::DB_FILE_NAME)],
            ),
            RoundError::Store(e) => e.msg(),
            RoundError::Rejected { count } => {
                Msg::new(T::RoundRejected, &[("count", &count.to_string())])
            }
            RoundError::NoSheets => Msg::new(T::CliNoSheets, &[]),
            RoundError::Decisions(_) | RoundError::Build(_) => return None,
        })
    }
}

/// The profile in `path`, or the built-in rules (kczg-2020).
pub fn load_profile(path: Option<&Path>) -> Result<Profile, ProfileError> {
    match path {
        Some(p) => crate::io::load_profile(p),
        None => Ok(Profile::kczg_2020()),
    }
}

/// A batch that can be scored: readable, without errors, not empty.
pub fn load_batch(
    path: &Path,
    profile: &Profile,
    opts: &validate::Options,
) -> Result<Batch, RoundError> {
    let report = validate::load(path, profile, opts)?;
    if report.errors(false) > 0 {
        return Err(RoundError::BatchErrors {
            path: path.to_path_buf(),
            report: Box::new(report),
        });
    }
    if report.batch.items.is_empty() {
        return Err(RoundError::EmptyBatch {
            path: path.to_path_buf(),
        });
    }
    Ok(report.batch)
}

/// The panel file, when one is named.
pub fn load_panel(path: Option<&Path>) -> Result<Option<Panel>, PanelError> {
    path.map(Panel::load).transpose()
}

/// The assignment for `batch`: the file named (`--assign`), else the one the panel names,
/// else none.
pub fn load_assignment(
    path: Option<&Path>,
    panel: Option<&Panel>,
    batch: &Batch,
) -> Result<Option<Assignment>, crate::io::assign::AssignError> {
    let path = path
        .map(Path::to_path_buf)
        .or_else(|| panel.and_then(crate::io::assign::from_panel));
    path.map(|p| Assignment::load(&p, batch)).transpose()
}

/// The chair's decisions on `batch` in the store in `dir`, which must hold one.
pub fn chair_log(dir: &Path, batch: &Batch) -> Result<Vec<Recorded>, RoundError> {
    if !dir.join(store::DB_FILE_NAME).exists() {
        return Err(RoundError::NoChairStore {
            dir: dir.to_path_buf(),
        });
    }
    decision_log(&Store::open(dir)?, batch)
}

/// The chair's decisions on `batch` in an open store; a damaged log is an error, so nobody
/// decides on a ranking that silently lacks earlier decisions.
pub fn decision_log(store: &Store, batch: &Batch) -> Result<Vec<Recorded>, RoundError> {
    Ok(decisions::parse_log(&store.decisions(&batch.hash)?)?)
}

/// Where a round's marks come from: signed sheet files today, an expert store on a server later.
pub trait MarkSource {
    /// Every expert's marks on `batch` as of review round `up_to` (None: the latest round),
    /// checked against the rules and the panel: what counts, what is refused and why, and what
    /// the chair should know. A source that knows no rounds gives its only reading.
    fn collect_up_to(
        &self,
        batch: &Batch,
        profile: &Profile,
        panel: Option<&Panel>,
        up_to: Option<u32>,
    ) -> Collected;

    /// [`MarkSource::collect_up_to`] the latest round.
    fn collect(&self, batch: &Batch, profile: &Profile, panel: Option<&Panel>) -> Collected {
        self.collect_up_to(batch, profile, panel, None)
    }

    /// A value that changes whenever the marks may have changed (cheap: a live view asks it
    /// every half second and re-collects only when it moved).
    fn stamp(&self) -> u64;

    /// The expert whose sheet `sheet` (a name from [`MarkSource::collect`]) stands for, when
    /// the source knows it without reading the sheet (a refused sheet may not say).
    fn expert_of(&self, _sheet: &Path) -> Option<String> {
        None
    }
}

impl<S: MarkSource + ?Sized> MarkSource for Box<S> {
    fn collect_up_to(
        &self,
        batch: &Batch,
        profile: &Profile,
        panel: Option<&Panel>,
        up_to: Option<u32>,
    ) -> Collected {
        (**self).collect_up_to(batch, profile, panel, up_to)
    }
    fn stamp(&self) -> u64 {
        (**self).stamp()
    }
    fn expert_of(&self, sheet: &Path) -> Option<String> {
        (**self).expert_of(sheet)
    }
}

/// Signed score sheets: files, and directories of them (every `*.json` inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetFiles(pub Vec<PathBuf>);

impl MarkSource for SheetFiles {
    fn collect_up_to(
        &self,
        batch: &Batch,
        profile: &Profile,
        panel: Option<&Panel>,
        up_to: Option<u32>,
    ) -> Collected {
        panel::collect_up_to(&self.0, batch, profile, panel, up_to)
    }

    /// The files under the sources with their sizes and times: new or changed sheets move it.
    fn stamp(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut files = Vec::new();
        let mut add = |p: PathBuf| {
            if let Ok(m) = std::fs::metadata(&p) {
                files.push((p, m.len(), m.modified().ok()));
            }
        };
        for s in &self.0 {
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
        files.sort();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        files.hash(&mut h);
        h.finish()
    }
}

/// A sheet candidate in a watched directory: the rule of `panel::collect` (`*.json` in any
/// case, not hidden), so every file it would read also moves the stamp.
fn is_sheet_name(p: &Path) -> bool {
    let hidden = p
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    !hidden
        && p.extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"))
}

/// The settings asked for; those not asked for are the decisions', else the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Asked {
    /// The aggregation method.
    pub method: Option<Method>,
    /// Experts needed before `trimmed` drops the extremes.
    pub trim_min: Option<usize>,
    /// The shortlist size range.
    pub shortlist: Option<(usize, usize)>,
}

/// The settings a round is computed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The method to show.
    pub method: Method,
    /// Experts needed before `trimmed` drops the extremes (None: the default).
    pub trim_min: Option<usize>,
    /// The shortlist size range (None: the profile's).
    pub shortlist: Option<(usize, usize)>,
    /// Bootstrap resamples for the stability analysis (0 skips it).
    pub replicates: usize,
    /// Bootstrap seed.
    pub seed: u64,
}

impl Settings {
    /// What was asked wins; the rest comes from the settings the chair's latest decision was
    /// made under (a decided K means the list the chair saw only under them), else the defaults.
    pub fn resolve(asked: Asked, made: Option<&Context>, replicates: usize, seed: u64) -> Settings {
        Settings {
            method: asked
                .method
                .or_else(|| made.and_then(Context::method))
                .unwrap_or_default(),
            trim_min: asked.trim_min.or(made.map(|c| c.trim_min)),
            shortlist: asked
                .shortlist
                .or(made.map(|c| (c.shortlist_min, c.shortlist_max))),
            replicates,
            seed,
        }
    }
}

/// Something to tell about the chair's decisions besides the results.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The decisions were applied; they were made under these settings.
    Applied {
        /// Decisions in the log.
        count: usize,
        /// The settings of the latest decision.
        made_under: Context,
    },
    /// This run uses other settings than the decisions were made under.
    SettingsDiffer(String),
}

impl Notice {
    /// Whether this is a warning rather than a note.
    pub fn is_warning(&self) -> bool {
        matches!(self, Notice::SettingsDiffer(_))
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::Applied { count, made_under } => write!(
                f,
                "{count} chair's decision(s) applied; they were made under {made_under}"
            ),
            Notice::SettingsDiffer(p) => f.write_str(p),
        }
    }
}

/// Results with the chair's decisions applied, and what to tell about them.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The results.
    pub results: Results,
    /// Notes and warnings about the decisions, in the order to show them.
    pub notices: Vec<Notice>,
}

/// One batch's round: its rules, panel and marks, read once and computed on demand.
pub struct Round<S: MarkSource = SheetFiles> {
    /// The rules.
    pub profile: Profile,
    /// The nominations.
    pub batch: Batch,
    /// The panel, if any.
    pub panel: Option<Panel>,
    /// How to compute.
    pub settings: Settings,
    source: S,
    reading: Collected,
    sheets: Vec<Sheet>,
    exclusions: Vec<(String, String)>,
    /// Who scores what (None: everyone everything).
    assignment: Option<Assignment>,
    /// Per expert, the nominations outside their share that their marks touched (left out).
    unassigned: Vec<(String, usize)>,
    /// Results per method before the decisions, for the marks read last.
    built: HashMap<Method, Results>,
    /// The review round read (None: the latest).
    up_to: Option<u32>,
}

impl<S: MarkSource> Round<S> {
    /// Opens a round and reads the marks.
    pub fn new(
        profile: Profile,
        batch: Batch,
        panel: Option<Panel>,
        source: S,
        settings: Settings,
    ) -> Round<S> {
        let mut round = Round {
            profile,
            batch,
            panel,
            settings,
            source,
            reading: Collected::default(),
            sheets: Vec::new(),
            exclusions: Vec::new(),
            assignment: None,
            unassigned: Vec::new(),
            built: HashMap::new(),
            up_to: None,
        };
        round.reload_sheets();
        round
    }

    /// Reads the marks again (new or changed sheets); the results are computed anew.
    pub fn reload_sheets(&mut self) -> &Collected {
        self.reading =
            self.source
                .collect_up_to(&self.batch, &self.profile, self.panel.as_ref(), self.up_to);
        self.exclusions = self.reading.exclusions();
        self.sheets = self
            .reading
            .accepted
            .iter()
            .map(|(_, s)| s.clone())
            .collect();
        self.unassigned.clear();
        if let Some(a) = &self.assignment {
            // An expert is counted against their share only: marks on other nominations stay
            // in their store and on their sheet, but are not aggregated.
            for s in &mut self.sheets {
                let before = s.items.len();
                s.items.retain(|it| a.assigned(&s.expert.id, &it.id));
                if s.items.len() < before {
                    self.unassigned
                        .push((s.expert.id.clone(), before - s.items.len()));
                }
            }
        }
        self.built.clear();
        &self.reading
    }

    /// Uses an assignment: each expert's sheet counts for their share only, and their progress
    /// is measured against it. The marks are read again.
    pub fn set_assignment(&mut self, assignment: Option<Assignment>) {
        self.assignment = assignment;
        self.reload_sheets();
    }

    /// Reads the marks as of review round `up_to` (None: the latest); the marks are read again.
    pub fn set_round(&mut self, up_to: Option<u32>) {
        self.up_to = up_to;
        self.reload_sheets();
    }

    /// The latest review round among the sheets that count (1 before any discussion round).
    pub fn round(&self) -> u32 {
        self.sheets.iter().map(|s| s.round).max().unwrap_or(1)
    }

    /// The sheets that count, as read last.
    pub fn sheets(&self) -> &[Sheet] {
        &self.sheets
    }

    /// The assignment in use, if any.
    pub fn assignment(&self) -> Option<&Assignment> {
        self.assignment.as_ref()
    }

    /// Per expert, how many marked nominations outside their share were left out.
    pub fn unassigned(&self) -> &[(String, usize)] {
        &self.unassigned
    }

    /// The last reading: accepted sheets, rejected ones with reasons, notes, conflicts.
    pub fn reading(&self) -> &Collected {
        &self.reading
    }

    /// The source of the marks.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The source's stamp: it moves when the marks may have changed.
    pub fn stamp(&self) -> u64 {
        self.source.stamp()
    }

    /// Whether the reading can be aggregated: some sheet counts, and none was rejected unless
    /// the round may `skip_rejected` ones.
    pub fn check_reading(&self, skip_rejected: bool) -> Result<(), RoundError> {
        let count = self.reading.rejected.len();
        if count > 0 && !skip_rejected {
            return Err(RoundError::Rejected { count });
        }
        if self.sheets.is_empty() {
            return Err(RoundError::NoSheets);
        }
        Ok(())
    }

    /// The aggregation options under `method` with `replicates` bootstrap resamples.
    pub fn options(&self, method: Method, replicates: usize) -> results::Options {
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

    /// Results under `method` with `replicates` resamples, computed now and not kept (for
    /// comparisons that need no stability).
    pub fn compute(&self, method: Method, replicates: usize) -> Result<Results, RoundError> {
        let mut results = crate::round::build::build(
            &self.batch,
            &self.profile,
            &self.sheets,
            &self.exclusions,
            &self.options(method, replicates),
        )?;
        if let Some(a) = &self.assignment {
            for e in &mut results.experts {
                e.assigned = Some(a.share(&e.id).len());
            }
        }
        Ok(results)
    }

    /// Results under `method` before the decisions, computed (bootstrap included) only the
    /// first time `method` is asked for on these marks.
    pub fn results(&mut self, method: Method) -> Result<&Results, RoundError> {
        if !self.built.contains_key(&method) {
            let r = self.compute(method, self.settings.replicates)?;
            self.built.insert(method, r);
        }
        Ok(&self.built[&method])
    }

    /// Results under `method` with the chair's decisions in `log` applied (none: as computed).
    pub fn decided(
        &mut self,
        method: Method,
        log: Option<&[Recorded]>,
    ) -> Result<Decided, RoundError> {
        let mut results = self.results(method)?.clone();
        let notices = log.map(|l| apply(&mut results, l)).unwrap_or_default();
        Ok(Decided { results, notices })
    }
}

/// Applies the chair's decisions to `results`; what to tell about them.
pub fn apply(results: &mut Results, log: &[Recorded]) -> Vec<Notice> {
    decisions::apply(results, log);
    let mut notices = Vec::new();
    if let Some(a) = &results.decided {
        if let Some(c) = &a.made_under {
            notices.push(Notice::Applied {
                count: log.len(),
                made_under: c.clone(),
            });
        }
        if let Some(p) = a.context_problem() {
            notices.push(Notice::SettingsDiffer(p));
        }
    }
    notices
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(method: &str) -> Context {
        Context {
            method: method.into(),
            shortlist_min: 3,
            shortlist_max: 4,
            trim_min: 7,
        }
    }

    #[test]
    fn asked_settings_win_over_the_decisions_and_those_over_the_defaults() {
        let made = context("mean");
        let s = Settings::resolve(Asked::default(), Some(&made), 10, 2);
        assert_eq!(s.method, Method::Mean);
        assert_eq!((s.trim_min, s.shortlist), (Some(7), Some((3, 4))));
        assert_eq!((s.replicates, s.seed), (10, 2));
        let asked = Asked {
            method: Some(Method::Median),
            trim_min: Some(5),
            shortlist: Some((25, 30)),
        };
        let s = Settings::resolve(asked, Some(&made), 0, 1);
        assert_eq!(s.method, Method::Median);
        assert_eq!((s.trim_min, s.shortlist), (Some(5), Some((25, 30))));
        let s = Settings::resolve(Asked::default(), None, 0, 1);
        assert_eq!(s.method, Method::default());
        assert_eq!((s.trim_min, s.shortlist), (None, None));
        // A method this version does not know falls back to the default.
        let s = Settings::resolve(Asked::default(), Some(&context("future")), 0, 1);
        assert_eq!(s.method, Method::default());
    }

    /// Marks from memory: the seam a store-backed source uses.
    struct Fixed(Vec<Sheet>);

    impl MarkSource for Fixed {
        fn stamp(&self) -> u64 {
            0
        }
        fn collect_up_to(
            &self,
            _: &Batch,
            _: &Profile,
            _: Option<&Panel>,
            _: Option<u32>,
        ) -> Collected {
            Collected {
                accepted: self
                    .0
                    .iter()
                    .map(|s| (PathBuf::from("memory"), s.clone()))
                    .collect(),
                ..Collected::default()
            }
        }
    }

    #[test]
    fn a_round_without_marks_cannot_be_aggregated() {
        let profile = Profile::kczg_2020();
        let batch = Batch::new(PathBuf::new(), Default::default(), None, Vec::new());
        let settings = Settings::resolve(Asked::default(), None, 0, 1);
        let mut round = Round::new(profile, batch, None, Fixed(Vec::new()), settings);
        assert!(round.reading().accepted.is_empty());
        assert!(matches!(
            round.check_reading(true),
            Err(RoundError::NoSheets)
        ));
        assert!(round.reload_sheets().rejected.is_empty());
        assert_eq!(round.source().0.len(), 0);
    }
}
