//! `revdesk merge`: the domains' shortlist exports into one final-review batch.

use super::exit::Exit;
use super::opts::{load_profile, refuse_existing, write_file};
use crate::io::fsafe;
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
    let profile = load_profile(a.profile.as_deref())?;
    refuse_existing(&a.output, a.overwrite)?;
    let mut inputs = Vec::new();
    for p in &a.shortlists {
        let text = fsafe::read_to_string(p, fsafe::MAX_SHORTLIST_BYTES)
            .with_context(|| format!("{}: cannot read", p.display()))?;
        inputs.push((p.clone(), text));
    }
    let merged = crate::io::merge::merge(&inputs, &profile)
        .map_err(|e| Exit::input(format!("cannot merge: {e}")))?;
    let name_of = |key: &str| {
        profile
            .domain(key)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| key.to_string())
    };
    for part in merged.parts.iter().filter(|p| p.forced.is_some()) {
        if let Some((min, max)) = part.forced {
            errln!(
                "note: {} ({}) was exported with --force: its shortlist of {} is outside {min}–{max}",
                part.path.display(),
                name_of(&part.domain),
                part.count
            );
        }
    }
    if !merged.missing.is_empty() {
        let missing: Vec<String> = merged.missing.iter().map(|k| name_of(k)).collect();
        errln!(
            "warning: {} of the profile's {} domains given; missing: {}",
            merged.parts.len(),
            profile.domains.len(),
            missing.join(", ")
        );
    }
    if merged.items.len() < profile.final_list_size as usize {
        errln!(
            "warning: {} nominations cannot fill the final list of {}",
            merged.items.len(),
            profile.final_list_size
        );
    }
    let title = format!("{} 终审", profile.name);
    write_file(&a.output, merged.to_json(&title).as_bytes(), a.overwrite)?;
    for part in &merged.parts {
        let name = profile
            .domain(&part.domain)
            .map(|d| d.name.as_str())
            .unwrap_or(&part.domain);
        outln!(
            "{}: {} {} nominations",
            part.path.display(),
            name,
            part.count
        );
    }
    outln!(
        "{}: final-review batch of {} nominations from {} domains (final list: {})",
        a.output.display(),
        merged.items.len(),
        merged.parts.len(),
        profile.final_list_size
    );
    Ok(())
}
