//! `revdesk enter`: store one expert's typed-in paper sheet.

use super::exit::Exit;
use super::opts::{
    BatchOpts, load_profile, load_usable_batch, parse_expert_id, register, store_dir,
};
use crate::io::entry;
use crate::store::{Change, Source};
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
    /// The typed-in sheet: 编号/id, one column per criterion, optional 回避, 回避原因, 评语.
    #[arg(long, value_name = "SCORES.csv")]
    pub from: PathBuf,
    /// The store directory (default: $REVDESK_STORE, else the user data directory).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// Runs `revdesk enter`.
pub fn run(a: EnterArgs) -> Result<()> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = load_usable_batch(&a.batch, &profile, &a.opts)?;
    let rows = match entry::read(&a.from, &batch, profile.rubric()) {
        Ok(r) => r,
        // A missing or unreadable file is exit 2, like every other unreadable file.
        Err(e @ entry::ReadError::Unreadable { .. }) => return Err(e.into()),
        Err(entry::ReadError::Rejected(errs)) => {
            for e in &errs {
                errln!("{e}");
            }
            return Err(Exit::input(format!(
                "{} rejected: {} problem(s); nothing was stored",
                a.from.display(),
                errs.len()
            )));
        }
    };
    if rows.is_empty() {
        // A header and nothing under it is a sheet typed into the wrong file, not a sheet.
        return Err(Exit::input(format!(
            "{} holds no rows under its header: nothing to enter",
            a.from.display()
        )));
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
    let txn = store.apply(&a.expert, &batch.hash, &changes, Source::Paper)?;
    let changed = match txn {
        Some(_) => store
            .history(&a.expert, &batch.hash)?
            .iter()
            .filter(|h| Some(h.txn) == txn)
            .count(),
        None => 0,
    };
    outln!(
        "{}: {} rows entered for expert {} into {} ({} values changed)",
        a.from.display(),
        rows.len(),
        a.expert,
        store.path().display(),
        changed
    );
    Ok(())
}
