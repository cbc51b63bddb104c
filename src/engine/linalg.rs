//! Small dense Cholesky factorisation for the calibrated fit's reduced (expert × expert) system.

/// Factorises the symmetric positive-definite row-major n×n matrix `a` in place as L·Lᵀ.
///
/// Reads and writes only the lower triangle (diagonal included); the upper one is ignored.
///
/// Fails with the offending column when a pivot is not clearly positive (relative to the
/// original diagonal), so a near-singular system is reported instead of producing garbage.
pub(super) fn cholesky(a: &mut [f64], n: usize) -> Result<(), usize> {
    for j in 0..n {
        let orig = a[j * n + j];
        let mut d = orig;
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if !d.is_finite() || d <= 1e-13 * orig.abs() || d <= 0.0 {
            return Err(j);
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    Ok(())
}

/// Solves (L·Lᵀ) x = b in place, `l` being the factor written by [`cholesky`].
pub(super) fn cholesky_solve(l: &[f64], n: usize, x: &mut [f64]) {
    for i in 0..n {
        let mut s = x[i];
        for k in 0..i {
            s -= l[i * n + k] * x[k];
        }
        x[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = x[i];
        for k in i + 1..n {
            s -= l[k * n + i] * x[k];
        }
        x[i] = s / l[i * n + i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_known_system() {
        // A = [[4,2,0],[2,5,3],[0,3,10]] = L·Lᵀ with L = [[2,0,0],[1,2,0],[0,1.5,√7.75]].
        let mut a = vec![4.0, 2.0, 0.0, 2.0, 5.0, 3.0, 0.0, 3.0, 10.0];
        cholesky(&mut a, 3).expect("positive definite");
        assert_eq!(a[0], 2.0);
        assert_eq!(a[3], 1.0);
        assert_eq!(a[4], 2.0);
        assert_eq!(a[7], 1.5);
        // A·(1,2,3) = (8, 21, 36).
        let mut x = vec![8.0, 21.0, 36.0];
        cholesky_solve(&a, 3, &mut x);
        for (got, want) in x.iter().zip([1.0, 2.0, 3.0]) {
            assert!((got - want).abs() < 1e-12);
        }
    }

    #[test]
    fn rejects_singular() {
        let mut a = vec![1.0, 1.0, 1.0, 1.0];
        assert_eq!(cholesky(&mut a, 2), Err(1));
        let mut z = vec![0.0];
        assert_eq!(cholesky(&mut z, 1), Err(0));
    }
}
