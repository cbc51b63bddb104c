//! The F distribution's quantiles, for the F-based confidence intervals of the agreement ICCs.
//!
//! statrs's Fisher–Snedecor distribution (any positive, also fractional Satterthwaite, degrees
//! of freedom); checked against scipy.stats.f.ppf in the tests.

use statrs::distribution::{ContinuousCDF, FisherSnedecor};

/// The `p` quantile of F(d1, d2); None outside 0 < p < 1 or for degrees of freedom that are
/// not positive and finite.
pub(super) fn f_quantile(p: f64, d1: f64, d2: f64) -> Option<f64> {
    let defined = p > 0.0 && p < 1.0 && d1 > 0.0 && d1.is_finite() && d2 > 0.0 && d2.is_finite();
    if !defined {
        return None;
    }
    let q = FisherSnedecor::new(d1, d2).ok()?.inverse_cdf(p);
    q.is_finite().then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_scipy() {
        // scipy.stats.f.ppf(0.975, d1, d2), scipy 1.17.1 (printed with repr).
        let cases = [
            (5.0, 25.0, 3.128_684_483_629_496_7),
            (25.0, 5.0, 6.267_860_265_281_359),
            (19.0, 95.0, 1.875_666_093_491_314_7),
            (3.7, 40.2, 3.209_755_189_277_390_6),
        ];
        for (d1, d2, want) in cases {
            let got = f_quantile(0.975, d1, d2).expect("defined");
            assert!(
                ((got - want) / want).abs() < 1e-9,
                "F({d1},{d2}): {got} vs {want}"
            );
        }
        // F(1, d) is t² and F(d1, d2) quantiles invert: q_p(d1, d2) = 1 / q_(1−p)(d2, d1).
        let a = f_quantile(0.025, 7.0, 11.0).expect("defined");
        let b = f_quantile(0.975, 11.0, 7.0).expect("defined");
        assert!((a * b - 1.0).abs() < 1e-10);
        assert_eq!(f_quantile(1.0, 3.0, 4.0), None);
        assert_eq!(f_quantile(0.5, 0.0, 4.0), None);
    }
}
