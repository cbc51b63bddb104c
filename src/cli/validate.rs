//! `revdesk validate`: check a batch and list every problem found.

use super::exit::{Exit, ExitKind};
use super::opts::{BatchOpts, batch_options, load_profile};
use crate::io::import::ImportError;
use crate::io::validate::{self, Verdict};
use crate::text::i18n::{Lang, T};
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One finding a line, then a summary.
    Text,
    /// The findings as a JSON array.
    Json,
}

/// `revdesk validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The batch file (.xlsx, .csv or .json).
    pub batch: PathBuf,
    #[command(flatten)]
    pub opts: BatchOpts,
    /// Treat warnings (quota, lengths, codes, contacts) as errors.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Runs `revdesk validate`.
pub fn run(a: ValidateArgs) -> Result<()> {
    let lang = super::lang();
    let profile = load_profile(a.opts.profile.as_deref())?;
    // A CSV is checked as it is read, its text not kept: only the verdict is needed here.
    let report: Verdict = match validate::check_file(&a.batch, &profile, &batch_options(&a.opts)) {
        Ok(r) => r,
        Err(e) => {
            // An unreadable file is still one finding, in the same formats.
            // The line starts with the path already: the message must not repeat it.
            // JSON keeps English messages (machine-readable); the text speaks the language.
            let message = |lang| match &e {
                ImportError::Malformed { line, message, .. } => (*line, message.render(lang)),
                ImportError::Io { source, .. } => (
                    0,
                    T::CliCannotRead.fill(lang, &[("err", &source.to_string())]),
                ),
                ImportError::Format { .. } => (0, T::CliUnknownFormat.get(lang).to_string()),
            };
            match a.format {
                ReportFormat::Text => {
                    let (line, msg) = message(lang);
                    // Line 0 is "no particular line": name the file only.
                    let place = if line == 0 {
                        a.batch.display().to_string()
                    } else {
                        format!("{}:{line}", a.batch.display())
                    };
                    outln!("{place}: {}: -: {msg}", T::CliError.get(lang));
                }
                ReportFormat::Json => {
                    let (line, msg) = message(Lang::En);
                    let f = serde_json::json!([{
                        "path": a.batch, "line": line, "severity": "error", "id": null,
                        "field": null, "code": "unreadable", "message": msg,
                    }]);
                    super::print::out_json(&format!("{}\n", serde_json::to_string_pretty(&f)?));
                }
            }
            return Err(Exit::reported(ExitKind::Usage));
        }
    };
    match a.format {
        ReportFormat::Text => out!("{}", report.render_text_in(a.strict, &profile, lang)),
        ReportFormat::Json => {
            let mut findings = report.findings.clone();
            if a.strict {
                for f in &mut findings {
                    f.severity = validate::Severity::Error;
                }
            }
            super::print::out_json(&format!("{}\n", serde_json::to_string_pretty(&findings)?));
        }
    }
    let errors = report.errors(a.strict);
    // The process ends here: freeing every nomination's text one by one (a batch loaded whole)
    // would only delay it (1–2% of validating a batch of long texts).
    std::mem::forget(report);
    if errors > 0 {
        return Err(Exit::reported(ExitKind::Input));
    }
    Ok(())
}
