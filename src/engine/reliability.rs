//! Each expert's agreement with the rest of the panel, and the structure of the criteria.
//!
//! Leave-one-out agreement: for expert e, over the items e scored that at least one other
//! expert scored too, Pearson's r between e's totals and the mean of the other experts' totals
//! on the same item. None with fewer than 3 such items or no variation on either side.
//! An expert is flagged an outlier when r < [`LOO_FLOOR`], or when r lies more than
//! [`LOO_MADS`] robust sds below the median r of the panel (robust sd = 1.4826 × the median
//! absolute deviation, at least [`LOO_MIN_SD`], so a panel of near-identical r flags nobody for
//! noise); the robust rule needs at least 3 experts with an r.

use serde::Serialize;

use super::panel::Panel;

/// Below this leave-one-out r an expert is flagged whatever the rest of the panel does.
pub const LOO_FLOOR: f64 = 0.3;
/// How many robust sds below the panel's median r flag an expert.
pub const LOO_MADS: f64 = 3.0;
/// The smallest robust sd the outlier rule uses.
pub const LOO_MIN_SD: f64 = 0.1;

/// One expert's agreement with the others.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ExpertAgreement {
    /// Pearson r of the expert's totals with the others' mean (None: undefined).
    pub r: Option<f64>,
    /// Items the correlation used.
    pub n_items: usize,
    /// Flagged by the outlier rule.
    pub outlier: bool,
}

/// Pearson's r of two equally long samples; None with fewer than 3 pairs or no variation.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 3 || y.len() != n {
        return None;
    }
    let nf = n as f64;
    let (mx, my) = (x.iter().sum::<f64>() / nf, y.iter().sum::<f64>() / nf);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    // Totals are on 0–100: a sum of squares this small is rounding, not variation.
    let tiny = 1e-18 * nf;
    (sxx > tiny && syy > tiny).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Leave-one-out agreement of every expert (panel order) with the outlier flags (module rule).
pub fn expert_agreement(panel: &Panel) -> Vec<ExpertAgreement> {
    let (ni, ne) = (panel.items().len(), panel.experts().len());
    let mut out: Vec<ExpertAgreement> = (0..ne)
        .map(|e| {
            let (mut own, mut rest) = (Vec::new(), Vec::new());
            for i in 0..ni {
                let Some(o) = panel.observation(e, i) else {
                    continue;
                };
                let (mut s, mut n) = (0.0, 0usize);
                for f in (0..ne).filter(|&f| f != e) {
                    if let Some(p) = panel.observation(f, i) {
                        s += p.total;
                        n += 1;
                    }
                }
                if n > 0 {
                    own.push(o.total);
                    rest.push(s / n as f64);
                }
            }
            ExpertAgreement {
                r: pearson(&own, &rest),
                n_items: own.len(),
                outlier: false,
            }
        })
        .collect();
    let mut rs: Vec<f64> = out.iter().filter_map(|a| a.r).collect();
    let robust = (rs.len() >= 3).then(|| {
        let med = median(&mut rs);
        let mut dev: Vec<f64> = rs.iter().map(|r| (r - med).abs()).collect();
        let sd = (1.4826 * median(&mut dev)).max(LOO_MIN_SD);
        med - LOO_MADS * sd
    });
    for a in &mut out {
        a.outlier =
            a.r.is_some_and(|r| r < LOO_FLOOR || robust.is_some_and(|lim| r < lim));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pearson_by_hand() {
        // x = 1..5, y = 2, 4, 5, 4, 5: sxy = 6, sxx = 10, syy = 6 → r = 6/√60.
        let r = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 5.0, 4.0, 5.0]).expect("r");
        assert!((r - 6.0 / 60f64.sqrt()).abs() < 1e-15);
        assert_eq!(pearson(&[1.0, 2.0], &[1.0, 2.0]), None);
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
    }

    #[test]
    fn one_expert_out_of_step_is_flagged_alone() {
        // e0–e3 follow the items' order closely; e4 reverses it.
        let items = ["A", "B", "C", "D", "E"];
        let mut p = Panel::new(["e0", "e1", "e2", "e3", "e4"], items, 0).expect("panel");
        for e in 0..5 {
            for (i, id) in items.iter().enumerate() {
                let q = 90.0 - 10.0 * i as f64;
                let t = if e == 4 {
                    50.0 + 10.0 * i as f64
                } else {
                    q + e as f64 * ((i % 2) as f64)
                };
                p.add(&format!("e{e}"), id, t, vec![], 1.0).expect("obs");
            }
        }
        let a = expert_agreement(&p);
        let flagged: Vec<bool> = a.iter().map(|x| x.outlier).collect();
        assert_eq!(flagged, vec![false, false, false, false, true]);
        assert!(a[4].r.expect("r") < 0.0);
        assert!(a.iter().all(|x| x.n_items == 5));
    }
}
