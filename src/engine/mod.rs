//! Pure aggregation engine: panel scores → item scores, ranking, shortlist, stability, agreement.
//!
//! Entry points: build a [`Panel`], then [`aggregate`] (scores, ranks, shortlist, statistics,
//! warnings) and [`bootstrap`] (inclusion probabilities and rank intervals). Everything is
//! deterministic: results depend only on the panel's contents (not on insertion order), the
//! configuration and, for the bootstrap, the seed. No I/O happens here.
//!
//! Rules, in brief (details in each module):
//! - Only complete, non-recused observations are scored; incomplete/recused pairs may be
//!   recorded with [`Panel::mark_excluded`] and are only counted in the reports.
//! - Confidence weights are used by `calibrated` only; the other methods are unweighted.
//! - Spread statistics use the population sd (divide by n).
//! - Ties: |a − b| ≤ [`TIE_EPS`] (1e-9) from the tie group's highest score; competition ranks.
//! - Shortlist K: largest K in [min, max] not splitting a tie; else K = max with the tie flagged.

mod agreement;
pub mod assign;
mod block;
mod calibrated;
mod components;
mod config;
mod describe;
mod error;
mod fdist;
mod linalg;
mod methods;
mod panel;
mod rank;
mod ranked;
mod reliability;
mod report;
mod resample;
mod score;
mod shortlist;
mod stability;
#[cfg(test)]
mod tests;

pub use agreement::{
    Agreement, AgreementStats, MeanSquares, agreement, agreement_stats, cronbach_alpha, kendall_w,
};
pub use components::{AllScores, Anova, Design, Estimate, all_scores};
pub use config::{AggregateConfig, BootstrapConfig, SPREAD_EPS};
pub use error::{AggregateError, PanelError};
pub use methods::{Method, TrimRule, ZERO_SD, ZscoreExclusion};
pub use panel::{CONFIDENCE_LAMBDA, Exclusion, Observation, Panel, TOTAL_SLACK};
pub use rank::{Ranking, TIE_EPS, rank};
pub use ranked::{
    Borda, RankAgreement, SCHULZE_MAX_ITEMS, Schulze, borda, kendall_tau_b, order_of,
    rank_agreement, schulze, schulze_from_pairs,
};
pub use reliability::{
    ExpertAgreement, LOO_FLOOR, LOO_MADS, LOO_MIN_SD, expert_agreement, pearson,
};
pub use report::{
    Aggregation, Calibration, ExpertResult, ItemResult, Warning, aggregate, calibrated_biases,
};
pub use shortlist::{CutOption, CutStatus, Shortlist, Threshold, shortlist};
pub use stability::{Draws, ItemStability, MAX_THREADS, Stability, bootstrap, bootstrap_on};
