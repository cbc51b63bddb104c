//! `revdesk enter`: store one expert's typed-in paper sheet.

use super::exit::Exit;
use super::opts::{
    BatchOpts, load_profile, load_usable_batch, parse_expert_id, register, store_dir,
};
use crate::io::entry;
use crate::store::{Change, Source};
use crate::text::i18n::T;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// `revdesk enter`.
#[derive(Debug, Args)]
pub struct EnterArgs {
    /// The batch the scores are for.
    pub batch: PathBuf,
    /// The expert whose sheet this is.
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub expert: String,
    /// The expert's display name (stored with the id).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The typed-in sheet (CSV, or a workbook: .xlsx, .xls, .ods, first sheet): 编号/id, one
    /// column per criterion, optional 回避, 回避原因, 评语; a title row above the header is fine.
    #[arg(
        long,
        value_name = "SCORES",
        required_unless_present = "votes",
        conflicts_with = "votes"
    )]
    pub from: Option<PathBuf>,
    /// A typed-in paper ballot (CSV): 编号/id and 表决/vote (同意, 不同意 or 弃权), one line per
    /// nomination of the open vote; signed with the expert's key and cast in that vote.
    #[arg(long, value_name = "BALLOT")]
    pub votes: Option<PathBuf>,
    /// The store directory (default: $REVDESK_STORE, else the user data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// An assignment file (`revdesk assign`): scores for nominations outside the expert's
    /// share are refused.
    #[arg(long, value_name = "FILE")]
    pub assign: Option<PathBuf>,
    /// A panel file whose `assignment` names the assignment file (when --assign is not given).
    #[arg(long, value_name = "FILE")]
    pub panel: Option<PathBuf>,
    /// Why the expert revised the scores of nominations in a discussion round (required when
    /// the sheet changes any of them; kept with each such nomination).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// Runs `revdesk enter`.
pub fn run(a: EnterArgs) -> Result<()> {
    let lang = super::lang();
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = load_usable_batch(&a.batch, &profile, &a.opts)?;
    let from = match (&a.from, &a.votes) {
        (_, Some(ballot)) => return enter_ballot(&a, ballot, &batch, &profile),
        (Some(f), None) => f.clone(),
        // clap requires one of them.
        (None, None) => return Err(Exit::input(T::EnterNoRows.fill(lang, &[("path", "-")]))),
    };
    let a = EnterArgs {
        from: Some(from.clone()),
        ..a
    };
    let rows = match entry::read(&from, &batch, profile.rubric()) {
        Ok(r) => r,
        // A missing or unreadable file is exit 2, like every other unreadable file.
        Err(e @ entry::ReadError::Unreadable { .. }) => return Err(e.into()),
        Err(e @ entry::ReadError::Workbook { .. }) => return Err(e.into()),
        Err(entry::ReadError::Rejected(errs)) => {
            for e in &errs {
                errln!("{}", e.render(lang));
            }
            let (path, n) = (from.display().to_string(), errs.len().to_string());
            return Err(Exit::input(
                T::EnterRejected.fill(lang, &[("path", &path), ("n", &n)]),
            ));
        }
    };
    if rows.is_empty() {
        // A header and nothing under it is a sheet typed into the wrong file, not a sheet.
        let path = from.display().to_string();
        return Err(Exit::input(T::EnterNoRows.fill(lang, &[("path", &path)])));
    }
    if let Some(asg) = crate::round::load_assignment(
        a.assign.as_deref(),
        crate::round::load_panel(a.panel.as_deref())?.as_ref(),
        &batch,
    )? {
        let outside: Vec<&str> = rows
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| !asg.assigned(&a.expert, id))
            .collect();
        if !outside.is_empty() {
            for id in &outside {
                errln!(
                    "{}",
                    T::EnterUnassigned.fill(lang, &[("item", id), ("expert", &a.expert)])
                );
            }
            let (path, n) = (from.display().to_string(), outside.len().to_string());
            return Err(Exit::input(
                T::EnterUnassignedRows
                    .fill(lang, &[("path", &path), ("n", &n), ("expert", &a.expert)]),
            ));
        }
    }
    let dir = store_dir(a.store.as_deref())?;
    let store = super::opts::open_store(&dir)?;
    store.ensure_expert(&a.expert, a.name.as_deref())?;
    register(&store, &batch, &profile)?;
    let mut changes = Vec::new();
    for r in &rows {
        for (key, v) in &r.scores {
            changes.push(Change::score(r.id.clone(), key.clone(), *v));
        }
        if let Some(rec) = &r.recusal {
            changes.push(Change::recusal(r.id.clone(), rec.clone()));
        }
        if let Some(c) = &r.comment {
            changes.push(Change::comment(r.id.clone(), c.clone()));
        }
    }
    let txn = match a.reason.as_deref() {
        Some(reason) => store.revise(&a.expert, &batch.hash, &changes, Source::Paper, reason)?,
        None => store
            .apply(&a.expert, &batch.hash, &changes, Source::Paper)
            .map_err(|e| match e {
                // An input problem (exit 1), with the way out.
                crate::store::StoreError::RevisionNeedsReason { .. } => {
                    let why = e.msg().render(lang);
                    Exit::input(T::EnterNeedsReason.fill(lang, &[("why", &why)]))
                }
                e => e.into(),
            })?,
    };
    let changed = match txn {
        Some(_) => store
            .history(&a.expert, &batch.hash)?
            .iter()
            .filter(|h| Some(h.txn) == txn)
            .count(),
        None => 0,
    };
    let line = T::EnterDone.fill(
        lang,
        &[
            ("path", &from.display().to_string()),
            ("rows", &rows.len().to_string()),
            ("expert", &a.expert),
            ("store", &store.path().display().to_string()),
            ("changed", &changed.to_string()),
        ],
    );
    outln!("{line}");
    Ok(())
}

/// `revdesk enter --votes`: a paper ballot, signed with the expert's key and cast in the open
/// vote. Nothing about the choices is printed.
fn enter_ballot(
    a: &EnterArgs,
    path: &std::path::Path,
    batch: &crate::domain::batch::Batch,
    profile: &crate::domain::profile::Profile,
) -> Result<()> {
    use crate::io::ballot::{PaperError, read_paper};
    use crate::round::vote;
    use crate::store::Cast;
    let lang = super::lang();
    let shown = path.display().to_string();
    let store = super::opts::open_store(&store_dir(a.store.as_deref())?)?;
    store.ensure_expert(&a.expert, a.name.as_deref())?;
    register(&store, batch, profile)?;
    let Some(v) = store.open_vote_on(&batch.hash)? else {
        return Err(Exit::input(T::VoteNoneOpen.get(lang)));
    };
    let choices = match read_paper(path, &v.items) {
        Ok(c) => c,
        Err(e @ PaperError::Unreadable { .. }) => return Err(e.into()),
        Err(PaperError::Rejected(errs)) => {
            for e in &errs {
                errln!("{}", e.render(lang));
            }
            let n = errs.len().to_string();
            return Err(Exit::input(
                T::VotePaperRejected.fill(lang, &[("path", &shown), ("n", &n)]),
            ));
        }
    };
    let id = v.id.to_string();
    match vote::cast(&store, &v, &a.expert, &choices, Source::Paper)? {
        Cast::Cast => {
            outln!(
                "{}",
                T::VoteEnterDone.fill(
                    lang,
                    &[
                        ("path", &shown),
                        ("expert", &a.expert),
                        ("vote", &id),
                        ("n", &v.items.len().to_string()),
                    ],
                )
            );
            Ok(())
        }
        Cast::Already => Err(Exit::input(format!(
            "{}: {}",
            a.expert,
            T::VoteAlreadyCast.get(lang)
        ))),
        Cast::Closed => Err(Exit::input(T::VoteClosedBeforeCast.get(lang))),
    }
}
