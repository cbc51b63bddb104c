//! The options of the commands that read score sheets (`rank`, `stats`, `export`) and the
//! round they open: the round service does the work, this prints what the chair should know.

use super::exit::Exit;
use super::opts::{BatchOpts, load_profile, load_usable_batch, parse_method, parse_range};
use crate::domain::batch::Batch;
use crate::domain::decisions::{self, Recorded};
use crate::domain::profile::Profile;
use crate::domain::results::Results;
use crate::io::panel::Collected;
use crate::round::{self, Asked, MarkSource, Round, RoundError, Settings, SheetFiles};
use crate::text::i18n::T;
use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};

/// Which sheets to read and how to aggregate them.
#[derive(Debug, Clone, Args)]
pub struct SheetsOpts {
    /// Score sheet files, or directories of them (every *.json inside).
    #[arg(
        required_unless_present = "server",
        conflicts_with = "server",
        value_name = "SHEET-OR-DIR"
    )]
    pub sheets: Vec<PathBuf>,
    /// The review server's store, in place of sheets: each expert's marks there, as the sheet
    /// `revdesk sheet` would sign for them now.
    #[arg(long, value_name = "DIR")]
    pub server: Option<PathBuf>,
    /// A panel file: only sheets signed by a listed expert's pinned key count, and
    /// affiliations are checked for conflicts of interest.
    #[arg(long, value_name = "FILE")]
    pub panel: Option<PathBuf>,
    /// An assignment file (`revdesk assign`; default: the panel's `assignment`): each expert
    /// counts for their share only, and progress is measured against it.
    #[arg(long, value_name = "FILE")]
    pub assign: Option<PathBuf>,
    /// Go on without the sheets that fail their checks (they are listed).
    #[arg(long)]
    pub skip_invalid: bool,
    /// mean, trimmed, median, zscore or calibrated (default: trimmed; with --decisions, the
    /// method the chair's decisions were made under).
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,
    /// Experts every nomination needs before `trimmed` drops the highest and lowest total, else
    /// the plain mean for all (default: 5; with --decisions, the chair's).
    #[arg(long, value_name = "N")]
    pub trim_min: Option<usize>,
    /// The shortlist size range (default: the profile's, e.g. 25-30; with --decisions, the
    /// chair's).
    #[arg(long, value_name = "MIN-MAX")]
    pub shortlist: Option<String>,
    /// Bootstrap resamples for the stability analysis (0 skips it; `stats` shows no stability
    /// and ignores it).
    #[arg(long, default_value_t = 2000, value_name = "B")]
    pub bootstrap: usize,
    /// Bootstrap seed: the same seed gives the same figures (`stats` ignores it).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The chair's store: its decisions (cut, overrides with reasons) are applied.
    #[arg(long = "decisions", visible_alias = "store", value_name = "DIR")]
    pub decisions: Option<PathBuf>,
    /// The review round to show: 1, or 2 after a discussion round (default: the latest; with a
    /// discussion round, round 1 is shown beside it).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub round: Option<u32>,
}

/// Everything `rank`, `stats` and `export` work from.
pub struct Gathered {
    /// The round's rules.
    pub profile: Profile,
    /// The batch.
    pub batch: Batch,
    /// The aggregated results, the chair's decisions applied.
    pub results: Results,
    /// The review round shown (1 before any discussion round).
    pub round: u32,
    /// The sheets that count.
    pub sheets: Vec<crate::io::sheet::Sheet>,
    /// After a discussion round (and without `--round`): each nomination in rounds 1 and 2.
    pub compared: Option<Vec<round::discussion::Compared>>,
}

/// The chair's decision log for a batch from `--decisions DIR`; a damaged log is an error.
fn chair_log(dir: &Path, batch: &Batch) -> Result<Vec<Recorded>> {
    let log = round::chair_log(dir, batch).map_err(|e| match e {
        RoundError::NoChairStore { dir } => {
            anyhow::anyhow!(
                T::CliNoChairStoreAt.fill(super::lang(), &[("dir", &dir.display().to_string())])
            )
        }
        e => e.into(),
    })?;
    if log.is_empty() {
        let lang = super::lang();
        let (dir, hash) = (dir.display().to_string(), batch.short_hash());
        errln!(
            "{}: {}",
            T::CliNote.get(lang),
            T::CliNoDecisions.fill(lang, &[("dir", &dir), ("hash", hash)])
        );
    }
    Ok(log)
}

/// Where the marks come from: `--server DIR`, else the sheet files.
fn source(so: &SheetsOpts) -> Result<Box<dyn MarkSource + Send>> {
    Ok(match &so.server {
        Some(dir) => Box::new(super::opts::server_marks(dir)?),
        None => Box::new(SheetFiles(so.sheets.clone())),
    })
}

/// Prints what reading the sheets found besides the sheets that count.
fn report_reading(reading: &Collected, skip_invalid: bool) {
    let lang = super::lang();
    let note = T::CliNote.get(lang);
    for n in &reading.notes {
        errln!("{note}: {}", n.render(lang));
    }
    for c in &reading.conflicts {
        let conflict = c.describe(lang);
        errln!("{}", T::CliConflict.fill(lang, &[("conflict", &conflict)]));
    }
    let lead = if skip_invalid {
        T::CliSkipped
    } else {
        T::CliRejected
    };
    for r in &reading.rejected {
        let why = crate::io::sheet::describe_sheet_error(&r.source, lang);
        errln!("{}: {}: {why}", lead.get(lang), r.path.display());
    }
}

/// Says whose marks outside their assignment were left out.
pub fn report_unassigned(unassigned: &[(String, usize)]) {
    let lang = super::lang();
    for (expert, n) in unassigned {
        errln!(
            "{}: {}",
            T::CliNote.get(lang),
            T::CliUnassigned.fill(lang, &[("expert", expert), ("n", &n.to_string())])
        );
    }
}

/// Reads the batch and the sheets and aggregates, printing what the chair should know; an
/// input that cannot be aggregated is explained and gives exit code 1.
///
/// With `--decisions`, the settings of the chair's latest decision (method, range, trim_min) are
/// the defaults: a decided K means the list the chair saw only under them. Options given on the
/// command line win, with a warning when they differ.
pub fn gather(batch: &Path, opts: &BatchOpts, so: &SheetsOpts) -> Result<Gathered> {
    gather_rounds(batch, opts, so, true)
}

/// [`gather`]; after a discussion round, round 1 is computed beside the latest only when
/// `both` (it costs a second aggregation and bootstrap).
pub fn gather_rounds(
    batch: &Path,
    opts: &BatchOpts,
    so: &SheetsOpts,
    both: bool,
) -> Result<Gathered> {
    let profile = load_profile(opts.profile.as_deref())?;
    let asked = Asked {
        method: so.method.as_deref().map(parse_method).transpose()?,
        shortlist: so.shortlist.as_deref().map(parse_range).transpose()?,
        trim_min: so.trim_min,
    };
    let batch = load_usable_batch(batch, &profile, opts)?;
    let log = so
        .decisions
        .as_deref()
        .map(|dir| chair_log(dir, &batch))
        .transpose()?;
    let panel = round::load_panel(so.panel.as_deref())?;
    let made = log.as_deref().and_then(decisions::made_under);
    let settings = Settings::resolve(asked, made.as_ref(), so.bootstrap, so.seed);
    let assignment = round::load_assignment(so.assign.as_deref(), panel.as_ref(), &batch)?;
    let mut round = Round::new(profile, batch, panel, source(so)?, settings);
    if assignment.is_some() {
        round.set_assignment(assignment);
    }
    if so.round.is_some() {
        round.set_round(so.round);
    }
    report_reading(round.reading(), so.skip_invalid);
    report_unassigned(round.unassigned());
    round.check_reading(so.skip_invalid).map_err(|e| match e {
        RoundError::Rejected { count } => {
            Exit::input(T::CliRejectedCount.fill(super::lang(), &[("count", &count.to_string())]))
        }
        RoundError::NoSheets => Exit::input(T::CliNoSheets.get(super::lang())),
        e => e.into(),
    })?;
    let decided = round.decided(round.settings.method, log.as_deref())?;
    for n in &decided.notices {
        let lead = if n.is_warning() {
            T::CliWarning
        } else {
            T::CliNote
        };
        errln!("{}: {n}", lead.get(super::lang()));
    }
    let shown = round.round();
    let sheets = round.sheets().to_vec();
    let compared = if both && so.round.is_none() && shown >= 2 {
        // Round 1 as it stood, under the same settings and decisions, beside the latest.
        round.set_round(Some(1));
        let first = round.decided(round.settings.method, log.as_deref())?;
        let discussed = discussed(so, &round.batch);
        Some(round::discussion::compare(
            &first.results,
            &decided.results,
            round.sheets(),
            &sheets,
            &discussed,
        ))
    } else {
        None
    };
    Ok(Gathered {
        profile: round.profile,
        batch: round.batch,
        results: decided.results,
        round: shown,
        sheets,
        compared,
    })
}

/// The nominations of the batch's discussion rounds, when the marks come from a store that
/// records them (`--server`); sheet files do not say.
fn discussed(so: &SheetsOpts, batch: &Batch) -> Vec<String> {
    let Some(dir) = so.server.as_deref() else {
        return Vec::new();
    };
    crate::store::Store::open(dir)
        .and_then(|s| s.rounds(&batch.hash))
        .map(|r| r.into_iter().flat_map(|o| o.items).collect())
        .unwrap_or_default()
}
