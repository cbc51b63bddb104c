//! `revdesk stats`: per expert, per nomination, agreement.

use super::opts::BatchOpts;
use super::sheets::{SheetsOpts, gather_rounds};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Output formats of `stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// Aligned tables: experts, nominations, agreement.
    #[value(alias = "text")]
    Table,
    /// Everything, as JSON.
    Json,
}

/// `revdesk stats` (no stability analysis: `stats` shows none of it, so `--bootstrap` is ignored).
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The batch the sheets are for.
    pub batch: PathBuf,
    #[command(flatten)]
    pub sheets: SheetsOpts,
    #[command(flatten)]
    pub opts: BatchOpts,
    /// Output format (`text` is the same as `table`).
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
}

/// Runs `revdesk stats`.
pub fn run(a: StatsArgs) -> Result<()> {
    // The bootstrap only feeds the ranking's stability, which stats never prints.
    let so = SheetsOpts {
        bootstrap: 0,
        ..a.sheets.clone()
    };
    let g = gather_rounds(&a.batch, &a.opts, &so, false)?;
    match a.format {
        StatsFormat::Table => out!(
            "{}",
            crate::io::export::stats_table_in(&g.results, super::lang())
        ),
        StatsFormat::Json => super::print::out_json(&crate::io::export::stats_json(&g.results)),
    }
    Ok(())
}
