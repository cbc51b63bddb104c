//! `revdesk industry`: look up GB/T 4754-2017 industry codes.

use super::exit::{Exit, ExitKind};
use crate::domain::industry;
use crate::text::i18n::T;
use anyhow::Result;
use clap::Args;

/// `revdesk industry`.
#[derive(Debug, Args)]
pub struct IndustryArgs {
    /// Codes such as C3971, 3971 or 397, or words to search in the names.
    #[arg(required = true)]
    pub query: Vec<String>,
}

/// The section letter of a code, `?` when it has none.
fn section(code: &str) -> String {
    industry::section_of(code).unwrap_or('?').to_string()
}

/// Runs `revdesk industry`.
pub fn run(a: IndustryArgs) -> Result<()> {
    let mut missing = 0;
    for q in &a.query {
        match industry::check_code(&industry::split_written(q).code) {
            industry::CodeCheck::Known(i) | industry::CodeCheck::TooCoarse(i) => {
                outln!("{}", industry::display(i));
                if let Some(n) = industry::note(&i.code) {
                    outln!("    {n}");
                }
            }
            industry::CodeCheck::WrongSection { industry: i, given } => {
                let line = T::IndWrongSection.fill(
                    super::lang(),
                    &[
                        ("industry", &industry::display(i)),
                        ("given", &given.to_string()),
                        ("section", &section(&i.code)),
                    ],
                );
                outln!("{line}");
            }
            industry::CodeCheck::NotASection { industry: i, given } => {
                let line = T::IndNotSection.fill(
                    super::lang(),
                    &[
                        ("industry", &industry::display(i)),
                        ("given", &given.to_string()),
                        ("section", &section(&i.code)),
                    ],
                );
                outln!("{line}");
            }
            industry::CodeCheck::Unknown(_) => {
                let hits = industry::search(q);
                if hits.is_empty() {
                    errln!("{}", T::IndNotFound.fill(super::lang(), &[("q", q)]));
                    missing += 1;
                }
                for i in hits {
                    outln!("{}", industry::display(i));
                }
            }
        }
    }
    if missing > 0 {
        return Err(Exit::reported(ExitKind::Input));
    }
    Ok(())
}
