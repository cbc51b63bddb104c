//! Descriptive statistics shared by the methods and the per-item / per-expert reports.

/// Mean and population sd (divide by n) of a non-empty slice, two-pass for accuracy.
///
/// Population sd is used throughout: it is defined for a single score (0) and is what the
/// zscore method standardises with, so the chair sees one notion of "spread".
pub(super) fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    Some((mean, var.sqrt()))
}

/// Smallest and largest value of a non-empty slice.
pub(super) fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    let first = *values.first()?;
    Some(
        values
            .iter()
            .fold((first, first), |(lo, hi), &x| (lo.min(x), hi.max(x))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_sd_and_range() {
        // 2,4,4,4,5,5,7,9: mean 5, squared deviations sum 32, /8 = 4, sd 2.
        let v = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean_sd(&v), Some((5.0, 2.0)));
        assert_eq!(min_max(&v), Some((2.0, 9.0)));
        assert_eq!(mean_sd(&[]), None);
        assert_eq!(min_max(&[]), None);
        assert_eq!(mean_sd(&[70.0]), Some((70.0, 0.0)));
    }
}
