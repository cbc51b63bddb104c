//! `revdesk gen`: a large synthetic batch, for benchmarks and load tests.

use super::opts::{load_profile, refuse_existing};
use crate::io::synth;
use crate::text::i18n::T;
use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;

/// `revdesk gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// Domain key or name.
    #[arg(long, default_value = "electronic-information")]
    pub domain: String,
    /// Number of nominations.
    #[arg(long, default_value_t = 5000)]
    pub items: usize,
    /// Characters of detailed material per nomination (capped at the profile's limits).
    #[arg(long, default_value_t = 10000)]
    pub detail_chars: usize,
    /// Random seed: the same seed gives the same batch.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file; the format follows the extension (.csv, .json, .xlsx).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub overwrite: bool,
    /// A review profile (TOML); default: kczg-2020.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// Runs `revdesk gen`.
pub fn run(a: GenArgs) -> Result<()> {
    let profile = load_profile(a.profile.as_deref())?;
    let Some(domain) = profile.domain(&a.domain) else {
        bail!(
            T::CliUnknownDomain.fill(
                super::lang(),
                &[
                    ("domain", &a.domain),
                    ("profile", &profile.id),
                    (
                        "domains",
                        &profile
                            .domains
                            .iter()
                            .map(|d| d.key.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ]
            )
        );
    };
    let format = match a
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => synth::OutFormat::Csv,
        Some("json") => synth::OutFormat::Json,
        Some("xlsx") => synth::OutFormat::Xlsx,
        _ => bail!(T::CliGenExt.fill(super::lang(), &[("path", &a.output.display().to_string())])),
    };
    refuse_existing(&a.output, a.overwrite)?;
    let spec = synth::Spec {
        domain: domain.key.clone(),
        items: a.items,
        detail_chars: a.detail_chars,
        seed: a.seed,
    };
    let items = synth::items(&profile, &spec);
    let title = format!(
        "合成批次 {}（{} 项，种子 {}）",
        domain.name, a.items, a.seed
    );
    synth::write(&profile, &items, &title, &domain.key, format, &a.output)?;
    let line = T::CliGenDone.fill(
        super::lang(),
        &[
            ("path", &a.output.display().to_string()),
            ("n", &items.len().to_string()),
            ("domain", &domain.name),
        ],
    );
    outln!("{line}");
    Ok(())
}
