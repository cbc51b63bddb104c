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
                    errln!("{}", e.msg().render(super::lang()));
                    return Err(Exit::reported(ExitKind::Input));
                }
            };
            let lang = super::lang();
            let head = T::ProfHead.fill(
                lang,
                &[
                    ("path", &file.display().to_string()),
                    ("id", &p.id),
                    ("name", &p.name),
                ],
            );
            outln!("{head}");
            let domains = p
                .domains
                .iter()
                .map(|d| format!("{} {} → {}", d.key, d.name, d.alliance))
                .collect::<Vec<_>>()
                .join("; ");
            outln!("{}", T::ProfDomains.fill(lang, &[("domains", &domains)]));
            let quota = T::ProfQuota.fill(
                lang,
                &[
                    ("quota", &p.quota_per_recommender.to_string()),
                    ("min", &p.shortlist.min.to_string()),
                    ("max", &p.shortlist.max.to_string()),
                    ("size", &p.final_list_size.to_string()),
                ],
            );
            outln!("{quota}");
            let criteria = p
                .criteria
                .criteria
                .iter()
                .map(|c| {
                    T::ProfCriterion.fill(
                        lang,
                        &[
                            ("key", &c.key),
                            ("label", &c.label),
                            ("min", &c.min.to_string()),
                            ("max", &c.max.to_string()),
                            ("step", &c.step.to_string()),
                            ("weight", &c.weight.to_string()),
                        ],
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            outln!("{}", T::ProfCriteria.fill(lang, &[("criteria", &criteria)]));
            if let Some(r) = p.vote_rule() {
                let ties = match r.ties {
                    crate::domain::vote::TieRule::Fail => T::VoteTiesFail,
                    crate::domain::vote::TieRule::Pass => T::VoteTiesPass,
                    crate::domain::vote::TieRule::Chair => T::VoteTiesChair,
                };
                let line = T::ProfVote.fill(
                    lang,
                    &[
                        ("pass", &r.pass.text(lang)),
                        ("quorum", &r.quorum.text(lang)),
                        ("ties", ties.get(lang)),
                    ],
                );
                outln!("{line}");
            }
            let hash = p.rubric_hash();
            outln!("{}", T::ProfHash.fill(lang, &[("hash", &hash[..12])]));
            Ok(())
        }
    }
}
