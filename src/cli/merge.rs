//! `revdesk merge`: the domains' shortlist exports into one final-review batch.

use super::exit::Exit;
use super::opts::{load_profile, refuse_existing, write_file};
use crate::io::fsafe;
use crate::text::i18n::T;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// `revdesk merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The domains' shortlist exports (`revdesk export --format json`).
    #[arg(required = true, value_name = "SHORTLIST.json")]
    pub shortlists: Vec<PathBuf>,
    /// The final-review batch to write (JSON).
    #[arg(short, long, value_name = "FINAL.json")]
    pub output: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub overwrite: bool,
    /// A review profile (TOML); default: kczg-2020.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// Runs `revdesk merge`.
pub fn run(a: MergeArgs) -> Result<()> {
    let lang = super::lang();
    let profile = load_profile(a.profile.as_deref())?;
    refuse_existing(&a.output, a.overwrite)?;
    let mut inputs = Vec::new();
    for p in &a.shortlists {
        let text = fsafe::read_to_string(p, fsafe::MAX_SHORTLIST_BYTES).with_context(|| {
            T::CliCannotReadPath.fill(lang, &[("path", &p.display().to_string())])
        })?;
        inputs.push((p.clone(), text));
    }
    let merged = crate::io::merge::merge(&inputs, &profile).map_err(|e| {
        Exit::input(T::CliCannotMerge.fill(lang, &[("err", &e.msg().render(lang))]))
    })?;
    let name_of = |key: &str| {
        profile
            .domain(key)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| key.to_string())
    };
    for part in merged.parts.iter().filter(|p| p.forced.is_some()) {
        if let Some((min, max)) = part.forced {
            let line = T::CliMergeForced.fill(
                lang,
                &[
                    ("path", &part.path.display().to_string()),
                    ("domain", &name_of(&part.domain)),
                    ("n", &part.count.to_string()),
                    ("min", &min.to_string()),
                    ("max", &max.to_string()),
                ],
            );
            errln!("{line}");
        }
    }
    if !merged.missing.is_empty() {
        let missing: Vec<String> = merged.missing.iter().map(|k| name_of(k)).collect();
        let line = T::CliMergeMissing.fill(
            lang,
            &[
                ("given", &merged.parts.len().to_string()),
                ("total", &profile.domains.len().to_string()),
                ("missing", &missing.join(", ")),
            ],
        );
        errln!("{line}");
    }
    if merged.items.len() < profile.final_list_size as usize {
        let line = T::CliMergeShort.fill(
            lang,
            &[
                ("n", &merged.items.len().to_string()),
                ("size", &profile.final_list_size.to_string()),
            ],
        );
        errln!("{line}");
    }
    let title = format!("{} 终审", profile.name);
    write_file(&a.output, merged.to_json(&title).as_bytes(), a.overwrite)?;
    for part in &merged.parts {
        let name = profile
            .domain(&part.domain)
            .map(|d| d.name.as_str())
            .unwrap_or(&part.domain);
        let line = T::CliMergePart.fill(
            lang,
            &[
                ("path", &part.path.display().to_string()),
                ("domain", name),
                ("n", &part.count.to_string()),
            ],
        );
        outln!("{line}");
    }
    let line = T::CliMergeDone.fill(
        lang,
        &[
            ("path", &a.output.display().to_string()),
            ("n", &merged.items.len().to_string()),
            ("parts", &merged.parts.len().to_string()),
            ("size", &profile.final_list_size.to_string()),
        ],
    );
    outln!("{line}");
    Ok(())
}
