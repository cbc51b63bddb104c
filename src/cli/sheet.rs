//! `revdesk sheet`: write an expert's signed score sheet for the chair.

use super::exit::Exit;
use super::opts::{
    BatchOpts, expert_or_default, load_profile, load_usable_batch, parse_expert_id,
    refuse_existing, register, store_dir,
};
use crate::text::i18n::T;
use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;

/// `revdesk sheet`.
#[derive(Debug, Args)]
pub struct SheetArgs {
    /// The batch the sheet is for.
    pub batch: PathBuf,
    /// The expert whose marks go on the sheet (default: your user name).
    #[arg(long, value_name = "ID", value_parser = parse_expert_id)]
    pub expert: Option<String>,
    /// The store directory, or the review server's store (default: $REVDESK_STORE, else the
    /// user data directory).
    #[arg(long, visible_alias = "server", value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// The sheet file to write (JSON).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub overwrite: bool,
    /// An assignment file (`revdesk assign`): only the expert's share goes on the sheet.
    #[arg(long, value_name = "FILE")]
    pub assign: Option<PathBuf>,
    /// A panel file whose `assignment` names the assignment file (when --assign is not given).
    #[arg(long, value_name = "FILE")]
    pub panel: Option<PathBuf>,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// Runs `revdesk sheet`.
pub fn run(a: SheetArgs) -> Result<()> {
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = load_usable_batch(&a.batch, &profile, &a.opts)?;
    refuse_existing(&a.output, a.overwrite)?;
    let expert = expert_or_default(a.expert, "--expert")?;
    let dir = store_dir(a.store.as_deref())?;
    let store = super::opts::open_store(&dir)?;
    if store.expert(&expert)?.is_none() {
        bail!(T::CliNoMarks.fill(
            super::lang(),
            &[
                ("expert", &expert),
                ("store", &store.path().display().to_string())
            ]
        ));
    }
    register(&store, &batch, &profile)?;
    let assignment = crate::round::load_assignment(
        a.assign.as_deref(),
        crate::round::load_panel(a.panel.as_deref())?.as_ref(),
        &batch,
    )?;
    let batch = match &assignment {
        Some(asg) => {
            let marks = store.load(&expert, &batch.hash)?;
            let n = asg.outside(&expert, marks.items.keys().map(String::as_str));
            if n > 0 {
                let lang = super::lang();
                errln!(
                    "{}: {}",
                    crate::text::i18n::T::CliNote.get(lang),
                    crate::text::i18n::T::SheetUnassigned
                        .fill(lang, &[("expert", &expert), ("n", &n.to_string())])
                );
            }
            asg.view(&batch, &expert)
        }
        None => batch,
    };
    let sheet = match crate::round::submit::produce(&store, &batch, &profile, &expert) {
        // Marks that break a limit are input errors (exit 1), like a bad cell in `enter`.
        Err(e @ crate::round::submit::SubmitError::TooLong { .. }) => {
            let e = anyhow::Error::new(e);
            return Err(Exit::input(super::exit::error_text_in(&e, super::lang())));
        }
        r => r?,
    };
    crate::io::sheet::write(&sheet, &a.output, a.overwrite).map_err(|source| {
        crate::io::sheet::SheetFileError {
            path: a.output.clone(),
            source,
        }
    })?;
    let scored = sheet
        .items
        .iter()
        .filter(|i| profile.rubric().total(&i.scores).is_some())
        .count();
    let recused = sheet.items.iter().filter(|i| i.recused).count();
    let line = T::CliSheetDone.fill(
        super::lang(),
        &[
            ("path", &a.output.display().to_string()),
            ("seq", &sheet.sequence.to_string()),
            ("expert", &expert),
            ("batch", batch.short_hash()),
            ("scored", &scored.to_string()),
            ("n", &batch.items.len().to_string()),
            ("recused", &recused.to_string()),
            ("fp", &sheet.key_fingerprint()),
        ],
    );
    outln!("{line}");
    Ok(())
}
