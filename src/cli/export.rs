//! `revdesk export`: the shortlist and the full results as XLSX, CSV, JSON, Markdown or DOCX.

use super::exit::Exit;
use super::opts::{BatchOpts, refuse_existing, write_file};
use super::sheets::{SheetsOpts, gather_rounds};
use crate::text::i18n::T;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A workbook: shortlist, full ranking, score matrix, panel statistics, method.
    Xlsx,
    /// The full ranking, UTF-8 with BOM (opens in Excel on Chinese Windows).
    Csv,
    /// Everything, as JSON.
    Json,
    /// A report for the meeting minutes.
    Md,
    /// The report as a Word document to print on A4, stamp and sign.
    Docx,
}

/// `revdesk export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The batch the sheets are for.
    pub batch: PathBuf,
    #[command(flatten)]
    pub sheets: SheetsOpts,
    #[command(flatten)]
    pub opts: BatchOpts,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Write even when the shortlist is outside the profile's range (checked against the
    /// profile, also when `--shortlist` gives another range).
    #[arg(long)]
    pub force: bool,
    /// Replace an existing file.
    #[arg(long)]
    pub overwrite: bool,
    /// The store the votes on this batch were held in (`revdesk vote`): the workbook gets a
    /// 表决 sheet with each vote's counts and outcomes (never who voted what). XLSX only.
    #[arg(long, value_name = "DIR")]
    pub votes: Option<PathBuf>,
}

/// Runs `revdesk export`.
pub fn run(a: ExportArgs) -> Result<()> {
    let lang = super::lang();
    refuse_existing(&a.output, a.overwrite)?;
    let xlsx = a.format == ExportFormat::Xlsx;
    if a.votes.is_some() && !xlsx {
        return Err(Exit::input(T::VoteExportXlsxOnly.get(lang)));
    }
    let g = gather_rounds(&a.batch, &a.opts, &a.sheets, xlsx)?;
    let r = &g.results;
    // The list goes to the association, so the profile's range is the rule, whatever range
    // `--shortlist` computed the cut on (that option is for exploring with `rank`).
    let (lo, hi) =
        crate::domain::results::Options::for_profile(&g.profile, g.batch.meta.final_review)
            .shortlist;
    let size = r.rows.iter().filter(|x| x.shortlisted).count();
    if (size < lo || size > hi) && !a.force {
        match r.decided.as_ref().and_then(|d| d.range_problem_in(lang)) {
            Some(p) => {
                errln!("revdesk: {p}");
                return Err(Exit::input(
                    T::CliExportDecided
                        .fill(lang, &[("lo", &lo.to_string()), ("hi", &hi.to_string())]),
                ));
            }
            None => {
                let cut_note = match lang {
                    crate::text::i18n::Lang::En => r.cut_note.clone(),
                    crate::text::i18n::Lang::Zh => crate::io::export::cut_note_zh(r),
                };
                let line = T::CliExportOutside.fill(
                    lang,
                    &[
                        ("n", &size.to_string()),
                        ("lo", &lo.to_string()),
                        ("hi", &hi.to_string()),
                        ("profile", &g.profile.id),
                        ("note", &cut_note),
                    ],
                );
                errln!("revdesk: {line}");
                return Err(Exit::input(T::CliExportForce.get(lang)));
            }
        }
    }
    match a.format {
        ExportFormat::Xlsx => {
            let votes = match &a.votes {
                Some(dir) => vote_counts(dir, &g.batch, &g.profile, a.sheets.skip_invalid)?,
                None => Vec::new(),
            };
            let bytes =
                crate::io::export::xlsx_bytes_with(r, &g.profile, g.compared.as_deref(), &votes)
                    .with_context(|| cannot_build(&a.output))?;
            write_file(&a.output, &bytes, a.overwrite)?
        }
        ExportFormat::Csv => write_file(&a.output, &crate::io::export::export_csv(r), a.overwrite)?,
        ExportFormat::Json => write_file(
            &a.output,
            crate::io::export::export_json(r).as_bytes(),
            a.overwrite,
        )?,
        ExportFormat::Md => write_file(
            &a.output,
            crate::io::export::export_markdown(r, &g.profile).as_bytes(),
            a.overwrite,
        )?,
        ExportFormat::Docx => {
            let bytes = crate::io::export::export_docx(r, &g.profile)
                .with_context(|| cannot_build(&a.output))?;
            write_file(&a.output, &bytes, a.overwrite)?
        }
    }
    let makeup = match &r.decided {
        Some(d) => {
            let makeup = if lang.en() { d.makeup() } else { d.makeup_zh() };
            T::CliExportDecisions.fill(lang, &[("makeup", &makeup)])
        }
        None => format!("K = {}", r.k),
    };
    let full = match a.format {
        ExportFormat::Csv | ExportFormat::Json => {
            T::CliExportFull.fill(lang, &[("n", &r.rows.len().to_string())])
        }
        ExportFormat::Xlsx | ExportFormat::Md | ExportFormat::Docx => String::new(),
    };
    let line = T::CliExportDone.fill(
        lang,
        &[
            ("path", &a.output.display().to_string()),
            ("size", &size.to_string()),
            ("makeup", &makeup),
            ("full", &full),
            (
                "ranked",
                &r.rows
                    .iter()
                    .filter(|x| x.rank.is_some())
                    .count()
                    .to_string(),
            ),
            ("batch", g.batch.short_hash()),
            ("method", &r.method.to_string()),
        ],
    );
    outln!("{line}");
    Ok(())
}

/// Why an output could not be made, in the CLI's language.
fn cannot_build(path: &std::path::Path) -> String {
    T::CliCannotBuild.fill(super::lang(), &[("path", &path.display().to_string())])
}

/// Every vote held on `batch` in the store `dir`, counted (ballots verified as `vote tally`
/// does; a refused ballot stops the export unless `skip_invalid`).
fn vote_counts(
    dir: &std::path::Path,
    batch: &crate::domain::batch::Batch,
    profile: &crate::domain::profile::Profile,
    skip_invalid: bool,
) -> Result<Vec<crate::io::export::VoteCounts>> {
    let lang = super::lang();
    let store = super::opts::open_store(dir)?;
    let mut out = Vec::new();
    for v in store.votes(&batch.hash)? {
        let c = crate::round::vote::count(&store, profile, v, None)
            .map_err(|e| Exit::input(e.msg().render(lang)))?;
        for r in &c.refused {
            errln!(
                "{}: {}{}",
                T::CliRejected.get(lang),
                T::VoteRefused.fill(lang, &[("expert", &r.expert)]),
                r.reason.msg().render(lang)
            );
        }
        if !c.refused.is_empty() && !skip_invalid {
            let n = c.refused.len().to_string();
            return Err(Exit::input(T::VoteRefusedCount.fill(lang, &[("n", &n)])));
        }
        out.push(crate::io::export::VoteCounts {
            vote: c.vote.id,
            stage: c.vote.stage,
            // The workbook is in Chinese, whatever the CLI speaks.
            pass: c.rule.pass.text(crate::text::i18n::Lang::Zh),
            tally: c.tally,
        });
    }
    Ok(out)
}
