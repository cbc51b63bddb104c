//! `revdesk assign`: which experts score which nominations.

use super::exit::Exit;
use super::opts::{BatchOpts, load_profile, load_usable_batch, refuse_existing, write_file};
use crate::engine::assign::{self, DesignError, Spec};
use crate::io::assign::{Assignment, eligibility};
use crate::io::panel::Panel;
use crate::text::i18n::{Lang, T};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// `revdesk assign`.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The batch to assign.
    pub batch: PathBuf,
    /// The panel file: its experts and their affiliations (for conflicts of interest).
    #[arg(long, value_name = "FILE")]
    pub panel: PathBuf,
    /// Experts per nomination.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub per_item: u32,
    /// Most nominations an expert gets (default: the fair share, rounded up).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_load: Option<u32>,
    /// Random seed: the same seed gives the same assignment.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The assignment file to write (TOML).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub overwrite: bool,
    #[command(flatten)]
    pub opts: BatchOpts,
}

/// Runs `revdesk assign`.
pub fn run(a: AssignArgs) -> Result<()> {
    let lang = super::lang();
    let profile = load_profile(a.opts.profile.as_deref())?;
    let batch = load_usable_batch(&a.batch, &profile, &a.opts)?;
    let panel = Panel::load(&a.panel)?;
    refuse_existing(&a.output, a.overwrite)?;
    let (n, e, k) = (batch.items.len(), panel.experts.len(), a.per_item as usize);
    let max_load = match a.max_load {
        Some(m) => m as usize,
        None => (n * k).div_ceil(e),
    };
    let spec = Spec {
        n_experts: e,
        eligible: eligibility(&batch, &panel),
        per_item: k,
        max_load,
        seed: a.seed,
    };
    let path = a.output.display().to_string();
    let design = match assign::design(&spec) {
        Ok(d) => d,
        Err(err) => {
            for line in unmet(&err, &batch, &spec, lang) {
                errln!("{line}");
            }
            return Err(Exit::input(T::AssignNotMet.fill(lang, &[("path", &path)])));
        }
    };
    let ids: Vec<String> = panel.experts.iter().map(|x| x.id.clone()).collect();
    let assignment = Assignment::from_design(&batch, &ids, &design, &spec);
    let f = &design.figures;
    let mean = format!("{:.2}", f.mean_overlap);
    let (items, experts, kk, seed) = (
        n.to_string(),
        e.to_string(),
        k.to_string(),
        a.seed.to_string(),
    );
    let header = [
        T::AssignHeader.fill(
            lang,
            &[
                ("batch", batch.short_hash()),
                ("items", &items),
                ("experts", &experts),
                ("k", &kk),
                ("seed", &seed),
            ],
        ),
        T::AssignCriterion.get(lang).to_string(),
        T::AssignFigures.fill(
            lang,
            &[
                ("lmin", &f.min_load.to_string()),
                ("lmax", &f.max_load.to_string()),
                ("min", &f.min_overlap.to_string()),
                ("mean", &mean),
            ],
        ),
    ]
    .join("\n");
    write_file(
        &a.output,
        assignment.to_toml(&header).as_bytes(),
        a.overwrite,
    )?;
    let written = T::AssignWritten.fill(
        lang,
        &[
            ("path", &path),
            ("items", &items),
            ("experts", &experts),
            ("k", &kk),
            ("seed", &seed),
        ],
    );
    outln!("{written}");
    outln!("{}", T::AssignCriterion.get(lang));
    let loads = T::AssignLoads.fill(
        lang,
        &[
            ("min", &f.min_load.to_string()),
            ("max", &f.max_load.to_string()),
            ("limit", &max_load.to_string()),
        ],
    );
    outln!("{loads}");
    let overlap = T::AssignOverlap.fill(
        lang,
        &[
            ("min", &f.min_overlap.to_string()),
            ("at", &f.pairs_at_min.to_string()),
            ("mean", &mean),
        ],
    );
    outln!("{overlap}");
    outln!("{}", T::AssignConnected.get(lang));
    Ok(())
}

/// Which constraints cannot be met, one line each, in `lang`.
fn unmet(
    err: &DesignError,
    batch: &crate::domain::batch::Batch,
    spec: &Spec,
    lang: Lang,
) -> Vec<String> {
    let id = |i: usize| batch.items.get(i).map_or("?", |it| it.id.as_str());
    let k = spec.per_item.to_string();
    match err {
        DesignError::Empty { n_experts, .. } => {
            vec![T::AssignEmpty.fill(lang, &[("n", &n_experts.to_string())])]
        }
        DesignError::TooFewEligible { items, .. } => items
            .iter()
            .map(|&(i, n)| {
                T::AssignTooFew.fill(lang, &[("item", id(i)), ("n", &n.to_string()), ("k", &k)])
            })
            .collect(),
        DesignError::Capacity {
            needed,
            experts,
            capacity,
        } => vec![T::AssignCapacity.fill(
            lang,
            &[
                ("needed", &needed.to_string()),
                ("items", &batch.items.len().to_string()),
                ("k", &k),
                ("experts", &experts.to_string()),
                ("max", &spec.max_load.to_string()),
                ("capacity", &capacity.to_string()),
            ],
        )],
        DesignError::Blocked { item, max_load, .. } => vec![T::AssignBlocked.fill(
            lang,
            &[
                ("item", id(*item)),
                ("k", &k),
                ("max", &max_load.to_string()),
            ],
        )],
        DesignError::Disconnected { components } => {
            vec![T::AssignDisconnected.fill(lang, &[("n", &components.to_string())])]
        }
    }
}
