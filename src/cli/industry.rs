//! `revdesk industry`: look up GB/T 4754-2017 industry codes.

use super::exit::{Exit, ExitKind};
use crate::domain::industry;
use anyhow::Result;
use clap::Args;

/// `revdesk industry`.
#[derive(Debug, Args)]
pub struct IndustryArgs {
    /// Codes such as C3971, 3971 or 397, or words to search in the names.
    #[arg(required = true)]
    pub query: Vec<String>,
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
                outln!(
                    "{}  (section {} given, but the code is in {})",
                    industry::display(i),
                    given,
                    industry::section_of(&i.code).unwrap_or('?')
                );
            }
            industry::CodeCheck::NotASection { industry: i, given } => {
                outln!(
                    "{}  ({given} is not a section letter; the code is in {})",
                    industry::display(i),
                    industry::section_of(&i.code).unwrap_or('?')
                );
            }
            industry::CodeCheck::Unknown(_) => {
                let hits = industry::search(q);
                if hits.is_empty() {
                    errln!("{q}: no such code or name in GB/T 4754-2017");
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
