//! `revdesk form`: a paper score form to print for a meeting, blank or with an expert's name.

use super::opts::{
    BatchOpts, load_profile, load_usable_batch, parse_expert_id, refuse_existing, write_file,
};
use crate::io::form::{FormExpert, form};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// The command's messages, from the catalogue in the CLI's language.
mod msg {
    use crate::text::i18n::T;
    use std::path::Path;

    /// `--panel` names no such expert.
    pub fn not_in_panel(id: &str, panel: &Path) -> String {
        T::FormNotInPanel.fill(
            super::super::lang(),
            &[("id", id), ("panel", &panel.display().to_string())],
        )
    }

    /// The form could not be built.
    pub fn cannot_build(file: &Path) -> String {
        T::FormCannotBuild.fill(
            super::super::lang(),
            &[("path", &file.display().to_string())],
        )
    }

    /// What was written, for whom (`None`: a blank form).
    pub fn written(file: &Path, who: Option<String>, items: usize, criteria: usize) -> String {
        let lang = super::super::lang();
        let who = who.unwrap_or_else(|| T::FormBlank.get(lang).to_string());
        T::FormWritten.fill(
            lang,
            &[
                ("path", &file.display().to_string()),
                ("who", &who),
                ("items", &items.to_string()),
                ("criteria", &criteria.to_string()),
            ],
        )
    }
}

/// Form formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormFormat {
    /// A workbook: type the marks in, then `revdesk enter --from` it (or a CSV saved from it).
    Xlsx,
    /// A Word document to print.
    Docx,
}

/// `revdesk form`.
#[derive(Debug, Args)]
pub struct FormArgs {
    /// The batch the form is for.
    pub batch: PathBuf,
    /// The expert the form is for (default: a blank form for anyone).
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub expert: Option<String>,
    /// The expert's name on the form (default: from `--panel`).
    #[arg(long, value_name = "NAME", requires = "expert")]
    pub name: Option<String>,
    /// The panel file to take the expert's name from.
    #[arg(long, value_name = "FILE", requires = "expert")]
    pub panel: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: FormFormat,
    /// The file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub overwrite: bool,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// Runs `revdesk form`.
pub fn run(a: FormArgs) -> Result<()> {
    refuse_existing(&a.output, a.overwrite)?;
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = load_usable_batch(&a.batch, &profile, &a.opts)?;
    let expert = match &a.expert {
        None => None,
        Some(id) => {
            let name = match (&a.name, &a.panel) {
                (Some(n), _) => Some(n.clone()),
                (None, Some(p)) => {
                    let panel = crate::io::panel::Panel::load(p)?;
                    let e = panel.expert(id).with_context(|| msg::not_in_panel(id, p))?;
                    Some(e.name.clone())
                }
                (None, None) => None,
            };
            Some(FormExpert {
                id: id.clone(),
                name,
            })
        }
    };
    let f = form(&batch, &profile, expert.as_ref());
    let bytes = match a.format {
        FormFormat::Xlsx => f.xlsx(),
        FormFormat::Docx => f.docx(),
    }
    .with_context(|| msg::cannot_build(&a.output))?;
    write_file(&a.output, &bytes, a.overwrite)?;
    let who = expert.as_ref().map(|e| match &e.name {
        Some(n) => format!("{n} ({})", e.id),
        None => e.id.clone(),
    });
    outln!(
        "{}",
        msg::written(
            &a.output,
            who,
            batch.items.len(),
            profile.rubric().criteria.len()
        )
    );
    Ok(())
}
