//! Typed errors for panel construction and aggregation runs.

use thiserror::Error;

/// Why a panel could not be built or an entry could not be added to it.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PanelError {
    /// An expert or item id was the empty string.
    #[error("empty {kind} id")]
    EmptyId {
        /// "expert" or "item".
        kind: &'static str,
    },
    /// The same expert or item id was listed twice.
    #[error("duplicate {kind} id {id:?}")]
    DuplicateId {
        /// "expert" or "item".
        kind: &'static str,
        /// The repeated id.
        id: String,
    },
    /// An entry named an expert that is not on the panel.
    #[error("unknown expert {0:?}")]
    UnknownExpert(String),
    /// An entry named an item that is not on the panel.
    #[error("unknown item {0:?}")]
    UnknownItem(String),
    /// The (expert, item) pair already has an observation or an exclusion.
    #[error("expert {expert:?} already has an entry for item {item:?}")]
    DuplicateCell {
        /// Expert id.
        expert: String,
        /// Item id.
        item: String,
    },
    /// The total is NaN, infinite or outside 0–100.
    #[error(
        "total {total} of expert {expert:?} for item {item:?} is not a finite number in 0..=100"
    )]
    InvalidTotal {
        /// Expert id.
        expert: String,
        /// Item id.
        item: String,
        /// The rejected value.
        total: f64,
    },
    /// The number of per-criterion scores differs from the panel's criterion count.
    #[error("expert {expert:?}, item {item:?}: {got} criterion scores, expected {expected}")]
    CriteriaLength {
        /// Expert id.
        expert: String,
        /// Item id.
        item: String,
        /// Criterion count of the panel.
        expected: usize,
        /// Criterion count supplied.
        got: usize,
    },
    /// A per-criterion score is NaN or infinite.
    #[error("criterion {criterion} of expert {expert:?} for item {item:?} is not finite")]
    InvalidCriterion {
        /// Expert id.
        expert: String,
        /// Item id.
        item: String,
        /// Zero-based criterion index.
        criterion: usize,
    },
    /// The confidence weight is not a finite positive number.
    #[error(
        "confidence weight {weight} of expert {expert:?} for item {item:?} must be finite and > 0"
    )]
    InvalidWeight {
        /// Expert id.
        expert: String,
        /// Item id.
        item: String,
        /// The rejected value.
        weight: f64,
    },
}

/// Why an aggregation, shortlist or bootstrap run was refused or failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AggregateError {
    /// A method name did not parse.
    #[error("unknown method {0:?} (expected mean, trimmed, median, zscore or calibrated)")]
    UnknownMethod(String),
    /// `trim_min` below 3 would leave nothing after dropping the two extremes.
    #[error("trim_min must be at least 3 (got {0})")]
    TrimMin(usize),
    /// The shortlist bounds are not 1 <= min <= max.
    #[error("shortlist bounds must satisfy 1 <= min <= max (got {min}..={max})")]
    ShortlistBounds {
        /// Requested minimum K.
        min: usize,
        /// Requested maximum K.
        max: usize,
    },
    /// A spread-flag threshold is negative or not finite.
    #[error("spread flag thresholds must be finite and >= 0")]
    SpreadFlags,
    /// The bootstrap was asked for zero replicates.
    #[error("bootstrap needs at least one replicate")]
    Replicates,
    /// The borderline band is not 0 <= low <= high <= 1.
    #[error("borderline band must satisfy 0 <= low <= high <= 1 (got {low}..={high})")]
    BorderlineBand {
        /// Lower edge of the band.
        low: f64,
        /// Upper edge of the band.
        high: f64,
    },
    /// The calibrated normal equations could not be factorised (should not happen on valid panels).
    #[error("numerical failure in the calibrated fit: {0}")]
    Numerical(String),
}
