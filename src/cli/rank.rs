//! `revdesk rank`: the ranking, the shortlist and its stability.

use super::opts::BatchOpts;
use super::sheets::{SheetsOpts, gather};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Output formats of `rank`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RankFormat {
    /// An aligned table with the cut line, threshold map and borderline items.
    Table,
    /// CSV: rank,id,name,score,n, criterion means, sd, p_shortlist, shortlisted, flags.
    Csv,
    /// Everything, as JSON.
    Json,
}

/// `revdesk rank`.
#[derive(Debug, Args)]
pub struct RankArgs {
    /// The batch the sheets are for.
    pub batch: PathBuf,
    #[command(flatten)]
    pub sheets: SheetsOpts,
    #[command(flatten)]
    pub opts: BatchOpts,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RankFormat::Table)]
    pub format: RankFormat,
}

/// Runs `revdesk rank`.
pub fn run(a: RankArgs) -> Result<()> {
    let g = gather(&a.batch, &a.opts, &a.sheets)?;
    let out = match a.format {
        RankFormat::Table => {
            let mut t = crate::io::export::rank_table_in(&g.results, super::lang());
            if let Some(c) = &g.compared {
                t.push_str(&super::round::compare_table(c, super::lang()));
            }
            t
        }
        RankFormat::Csv => {
            String::from_utf8_lossy(&crate::io::export::rank_csv(&g.results, false)).into_owned()
        }
        RankFormat::Json => with_rounds(crate::io::export::rank_json(&g.results), &g),
    };
    if a.format != RankFormat::Table
        && let Some(p) = g
            .results
            .decided
            .as_ref()
            .and_then(|d| d.range_problem_in(super::lang()))
    {
        // The table says it in its summary; CSV and JSON readers need it on stderr.
        errln!(
            "{}: {p}",
            crate::text::i18n::T::CliWarning.get(super::lang())
        );
    }
    match a.format {
        RankFormat::Json => super::print::out_json(&out),
        RankFormat::Table | RankFormat::Csv => out!("{out}"),
    }
    Ok(())
}

/// After a discussion round, the JSON gains `rounds` (last, the other keys in their order):
/// every nomination's round-1 and round-2 score and rank, shortlist places, whether it was
/// discussed, who revised it and why.
fn with_rounds(json: String, g: &super::Gathered) -> String {
    let Some(rows) = &g.compared else {
        return json;
    };
    let (Some(body), Ok(rounds)) = (
        json.trim_end().strip_suffix('}'),
        serde_json::to_string_pretty(rows),
    ) else {
        return json;
    };
    let rounds = rounds.replace('\n', "\n  ");
    format!("{},\n  \"rounds\": {rounds}\n}}\n", body.trim_end())
}
