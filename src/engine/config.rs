//! Run parameters with the profile defaults and their validation.

use serde::Serialize;

use super::error::AggregateError;
use super::methods::Method;

/// How far below a spread threshold a range or sd still reaches it.
///
/// Totals are weighted averages rescaled to 0–100, so two totals exactly 30 points apart can
/// differ by 29.999999999999993 in floating point; rubric arithmetic errs by ~1e-13 at most,
/// and no real difference is this small (the finest rubric step gives ~0.1 point).
pub const SPREAD_EPS: f64 = 1e-9;

/// Parameters of one aggregation run (method, trimming, shortlist size, spread flags).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateConfig {
    /// Aggregation method (default `trimmed`).
    pub method: Method,
    /// `trimmed` drops the extremes only when at least this many experts count (default 5, must be >= 3).
    pub trim_min: usize,
    /// Smallest allowed shortlist size K (default 25).
    pub shortlist_min: usize,
    /// Largest allowed shortlist size K (default 30).
    pub shortlist_max: usize,
    /// Threshold map lists the tie groups overlapping ranks [min − w, max + w] (default w = 5).
    pub threshold_window: usize,
    /// Flag an item whose totals span max − min >= this many points, within [`SPREAD_EPS`] (default 30).
    pub spread_range_flag: f64,
    /// Flag an item whose totals have population sd >= this, within [`SPREAD_EPS`] (default 15).
    pub spread_sd_flag: f64,
    /// An item counted by fewer experts than this is flagged and kept out of the cut: the
    /// shortlist takes it only by the chair's decision (default 1: every scored item counts).
    pub min_n: usize,
}

impl Default for AggregateConfig {
    fn default() -> Self {
        AggregateConfig {
            method: Method::Trimmed,
            trim_min: 5,
            shortlist_min: 25,
            shortlist_max: 30,
            threshold_window: 5,
            spread_range_flag: 30.0,
            spread_sd_flag: 15.0,
            min_n: 1,
        }
    }
}

impl AggregateConfig {
    /// Checks trim_min >= 3, 1 <= shortlist_min <= shortlist_max and finite non-negative spread flags.
    pub fn validate(&self) -> Result<(), AggregateError> {
        if self.trim_min < 3 {
            return Err(AggregateError::TrimMin(self.trim_min));
        }
        if self.shortlist_min == 0 || self.shortlist_min > self.shortlist_max {
            return Err(AggregateError::ShortlistBounds {
                min: self.shortlist_min,
                max: self.shortlist_max,
            });
        }
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        if !ok(self.spread_range_flag) || !ok(self.spread_sd_flag) {
            return Err(AggregateError::SpreadFlags);
        }
        Ok(())
    }
}

/// Parameters of the expert bootstrap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapConfig {
    /// Number of resamples B (default 2000).
    pub replicates: usize,
    /// Seed of the ChaCha8 generator (`seed_from_u64`).
    pub seed: u64,
    /// Lower edge of the "borderline" inclusion band (default 0.2, inclusive).
    pub borderline_low: f64,
    /// Upper edge of the "borderline" inclusion band (default 0.8, inclusive).
    pub borderline_high: f64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        BootstrapConfig {
            replicates: 2000,
            seed: 0,
            borderline_low: 0.2,
            borderline_high: 0.8,
        }
    }
}

impl BootstrapConfig {
    /// Checks replicates >= 1 and 0 <= borderline_low <= borderline_high <= 1.
    pub fn validate(&self) -> Result<(), AggregateError> {
        if self.replicates == 0 {
            return Err(AggregateError::Replicates);
        }
        let (low, high) = (self.borderline_low, self.borderline_high);
        // Written so that NaN fails too.
        if !(0.0 <= low && low <= high && high <= 1.0) {
            return Err(AggregateError::BorderlineBand { low, high });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_checked() {
        assert!(AggregateConfig::default().validate().is_ok());
        assert!(BootstrapConfig::default().validate().is_ok());
        let c = AggregateConfig {
            trim_min: 2,
            ..AggregateConfig::default()
        };
        assert_eq!(c.validate(), Err(AggregateError::TrimMin(2)));
        let c = AggregateConfig {
            shortlist_min: 31,
            ..AggregateConfig::default()
        };
        assert!(matches!(
            c.validate(),
            Err(AggregateError::ShortlistBounds { .. })
        ));
        let c = AggregateConfig {
            shortlist_min: 0,
            ..AggregateConfig::default()
        };
        assert!(matches!(
            c.validate(),
            Err(AggregateError::ShortlistBounds { .. })
        ));
        let c = AggregateConfig {
            spread_sd_flag: f64::NAN,
            ..AggregateConfig::default()
        };
        assert_eq!(c.validate(), Err(AggregateError::SpreadFlags));
        let b = BootstrapConfig {
            replicates: 0,
            ..BootstrapConfig::default()
        };
        assert_eq!(b.validate(), Err(AggregateError::Replicates));
        let b = BootstrapConfig {
            borderline_low: 0.9,
            ..BootstrapConfig::default()
        };
        assert!(matches!(
            b.validate(),
            Err(AggregateError::BorderlineBand { .. })
        ));
    }
}
