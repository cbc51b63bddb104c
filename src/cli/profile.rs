//! `revdesk profile show|check`: the rules of a round.

use super::exit::{Exit, ExitKind};
use crate::io::fsafe;
use crate::text::i18n::T;
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;

/// `revdesk profile ...`.
#[derive(Debug, Subcommand)]
pub enum ProfileCmd {
    /// Print a profile as TOML (default: the built-in kczg-2020), to copy and adapt.
    Show {
        /// A profile file to show instead.
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
    },
    /// Check a profile file and summarise it.
    Check {
        /// The profile file.
        file: PathBuf,
    },
}

/// Runs `revdesk profile …`.
pub fn run(p: ProfileCmd) -> Result<()> {
    match p {
        ProfileCmd::Show { profile: None } => {
            out!("{}", crate::domain::profile::KCZG_2020_TOML);
            Ok(())
        }
        ProfileCmd::Show { profile: Some(f) } => {
            crate::io::load_profile(&f)?;
            let text = fsafe::read_to_string(&f, fsafe::MAX_CONFIG_BYTES).with_context(|| {
                T::CliReading.fill(super::lang(), &[("path", &f.display().to_string())])
            })?;
            out!("{text}");
            Ok(())
        }
        ProfileCmd::Check { file } => {
            let p = match crate::io::load_profile(&file) {
                Ok(p) => p,
                Err(e @ crate::domain::profile::ProfileError::Read { .. }) => return Err(e.into()),
                Err(e) => {
                    errln!("{e}");
                    return Err(Exit::reported(ExitKind::Input));
                }
            };
            outln!("{}: profile {} ({})", file.display(), p.id, p.name);
            outln!(
                "  domains: {}",
                p.domains
                    .iter()
                    .map(|d| format!("{} {} → {}", d.key, d.name, d.alliance))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            outln!(
                "  quota {} per recommender per domain; shortlist {}–{}; final list {}",
                p.quota_per_recommender,
                p.shortlist.min,
                p.shortlist.max,
                p.final_list_size
            );
            outln!(
                "  criteria: {}",
                p.criteria
                    .criteria
                    .iter()
                    .map(|c| format!(
                        "{} {} {}–{} step {} weight {}",
                        c.key, c.label, c.min, c.max, c.step, c.weight
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            outln!("  rubric hash {}", &p.rubric_hash()[..12]);
            Ok(())
        }
    }
}
