//! Agreement from every score: variance components of the two-way model with missing cells.
//!
//! Model: y = μ + a_item + b_expert + e, with a, b, e independent, variances σ²_item,
//! σ²_expert, σ²_error. Every observed score is used (assigned designs: each nomination scored
//! by K of N experts). Estimator: Henderson's Method III (fitting constants), non-iterative:
//! - SS_error = residual of the additive fixed model (items + experts), df_e = N − I − J + c;
//! - SS_item|expert = R(items | μ, experts), df = I − c; E[MS] = σ²_e + k_a σ²_item with
//!   k_a = (N − J)/(I − c);
//! - SS_expert|item = R(experts | μ, items), df = J − c; E[MS] = σ²_e + k_b σ²_expert with
//!   k_b = (N − I)/(J − c);
//!
//! (N scores, I nominations, J experts, c connected groups of the expert–nomination graph; the
//! k's hold because every cell holds at most one score). Components = MS differences over k,
//! untruncated (a negative estimate says "no detectable variance"). On a complete n × k table
//! these are the two-way ANOVA mean squares (k_a = k, k_b = n), so every ICC below and its
//! interval is exactly McGraw & Wong's (1996) / Shrout & Fleiss's (1979).
//!
//! ICCs: absolute agreement ICC(A,1) = σ²_i/(σ²_i + σ²_r + σ²_e), consistency
//! ICC(C,1) = σ²_i/(σ²_i + σ²_e), one-way ICC(1,1) from the unbalanced one-way ANOVA
//! (MS_between − MS_within)/(MS_between + (n₀ − 1) MS_within), n₀ = (N − Σn_i²/N)/(I − 1).
//! The mean of k raters: Spearman–Brown ρ_k = kρ/(1 + (k − 1)ρ), k = the harmonic mean of the
//! number of scores per nomination (the k of a complete table).
//!
//! 95% intervals, McGraw & Wong's F-based method with the design's k's: for ICC(C,1),
//! F = MS_item|expert/MS_e on (I − c, df_e), bounds (F_L − 1)/(F_L + k_a − 1) with
//! F_L = F / F_.975(df₁, df_e) and F_U = F · F_.975(df_e, df₁); ICC(1,1) likewise with
//! MS_between/MS_within, (I − 1, N − I) and n₀; ICC(A,1) by Satterthwaite: with
//! a = (k_a/k_b)ρ̂, b = 1 + (k_a − 1 − k_a/k_b)ρ̂, v = (a MS_r + b MS_e)² /
//! ((a MS_r)²/df_r + (b MS_e)²/df_e), lower = (MS_i − F* MS_e)/(MS_i + F*((k_a/k_b) MS_r +
//! (k_a − 1 − k_a/k_b) MS_e)) with F* = F_.975(df_i, v), upper the same with 1/F_.975(v, df_i).
//! The mean of k: each bound through Spearman–Brown. On an incomplete design the mean squares
//! are only approximately scaled χ², so the intervals are approximate there.
//!
//! Cost: O(Σ n_i²) to build the experts × experts reduced system, O(J³) to solve it.

use serde::Serialize;

use super::fdist::f_quantile;

/// An estimate with its 95% confidence interval (None where the interval is undefined).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Point estimate.
    pub estimate: f64,
    /// Lower 95% bound.
    pub lo: Option<f64>,
    /// Upper 95% bound.
    pub hi: Option<f64>,
}

/// The design the estimates come from: which scores, how they are spread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Design {
    /// Scores used (every complete, non-recused score).
    pub scores: usize,
    /// Nominations with at least one score.
    pub items: usize,
    /// Experts with at least one score.
    pub experts: usize,
    /// Every expert scored every nomination.
    pub complete: bool,
    /// Fewest scores of a nomination.
    pub k_min: usize,
    /// Most scores of a nomination.
    pub k_max: usize,
    /// Harmonic mean of the scores per nomination: the k of the "mean of k experts" ICCs.
    pub k_mean: f64,
    /// Connected groups of the expert–nomination graph (1: every expert linked to every other).
    pub groups: usize,
    /// Estimator name (`henderson3`).
    pub method: &'static str,
}

/// Method III's mean squares, degrees of freedom and expectation coefficients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Anova {
    /// MS(items | experts).
    pub ms_item: f64,
    /// Its degrees of freedom (I − c).
    pub df_item: f64,
    /// MS(experts | items).
    pub ms_expert: f64,
    /// Its degrees of freedom (J − c).
    pub df_expert: f64,
    /// Residual mean square of the additive model.
    pub ms_error: f64,
    /// Its degrees of freedom (N − I − J + c).
    pub df_error: f64,
    /// Coefficient of σ²_item in E[MS(items | experts)].
    pub k_item: f64,
    /// Coefficient of σ²_expert in E[MS(experts | items)].
    pub k_expert: f64,
    /// One-way between-nominations mean square.
    pub ms_between: f64,
    /// One-way within-nominations mean square.
    pub ms_within: f64,
    /// n₀ of the unbalanced one-way ANOVA.
    pub n0: f64,
}

/// Variance components and ICCs on all scores (None where undefined).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllScores {
    /// The design used.
    pub design: Design,
    /// Mean squares behind the figures (None when the design leaves no residual df).
    pub anova: Option<Anova>,
    /// σ²_item (between nominations).
    pub var_item: Option<f64>,
    /// σ²_expert (leniency differences between experts).
    pub var_expert: Option<f64>,
    /// σ²_error (expert × nomination interaction and noise).
    pub var_error: Option<f64>,
    /// One-way ICC(1,1).
    pub icc1_1: Option<Estimate>,
    /// Absolute agreement, single expert: ICC(A,1), Shrout–Fleiss ICC(2,1).
    pub icc2_1: Option<Estimate>,
    /// Consistency, single expert: ICC(C,1), Shrout–Fleiss ICC(3,1).
    pub icc3_1: Option<Estimate>,
    /// One-way ICC(1,k), k = `design.k_mean`.
    pub icc1_k: Option<Estimate>,
    /// Absolute agreement of the mean of k experts, ICC(A,k).
    pub icc2_k: Option<Estimate>,
    /// Consistency of the mean of k experts, ICC(C,k).
    pub icc3_k: Option<Estimate>,
}

/// Two-sided 95%.
const ALPHA: f64 = 0.05;

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Solves the symmetric positive semi-definite system `a x = r` (row-major n×n), setting the
/// variables of (numerically) zero pivots to 0; returns x and the rank.
fn solve_psd(mut a: Vec<f64>, n: usize, r: &[f64]) -> (Vec<f64>, usize) {
    let scale = (0..n).map(|i| a[i * n + i].abs()).fold(0.0, f64::max);
    let tol = 1e-10 * scale.max(f64::MIN_POSITIVE);
    let mut rhs = r.to_vec();
    let mut live = vec![false; n];
    for p in 0..n {
        let piv = a[p * n + p];
        if piv <= tol {
            continue;
        }
        live[p] = true;
        for i in p + 1..n {
            let f = a[i * n + p] / piv;
            if f == 0.0 {
                continue;
            }
            for j in p..n {
                a[i * n + j] -= f * a[p * n + j];
            }
            rhs[i] -= f * rhs[p];
        }
    }
    let mut x = vec![0.0; n];
    for p in (0..n).rev() {
        if !live[p] {
            continue;
        }
        let mut s = rhs[p];
        for j in p + 1..n {
            s -= a[p * n + j] * x[j];
        }
        x[p] = s / a[p * n + p];
    }
    (x, live.iter().filter(|&&l| l).count())
}

/// Spearman–Brown: the reliability of the mean of k raters from a single rater's ρ.
fn spearman_brown(rho: f64, k: f64) -> f64 {
    k * rho / (1.0 + (k - 1.0) * rho)
}

/// Estimates with intervals from a single-rater estimate mapped through Spearman–Brown.
fn averaged(e: Estimate, k: f64) -> Option<Estimate> {
    let m = |x: f64| finite(spearman_brown(x, k));
    Some(Estimate {
        estimate: m(e.estimate)?,
        lo: e.lo.and_then(m),
        hi: e.hi.and_then(m),
    })
}

/// F-based interval of (F − 1)/(F + k − 1) for F = ms_num/ms_den on (df1, df2).
fn ratio_icc(ms_num: f64, ms_den: f64, df1: f64, df2: f64, k: f64) -> Option<Estimate> {
    let f = ms_num / ms_den;
    let estimate = finite((f - 1.0) / (f + k - 1.0))?;
    let q = |d1, d2| f_quantile(1.0 - ALPHA / 2.0, d1, d2);
    let lo = q(df1, df2)
        .map(|c| f / c)
        .map(|fl| (fl - 1.0) / (fl + k - 1.0));
    let hi = q(df2, df1)
        .map(|c| f * c)
        .map(|fu| (fu - 1.0) / (fu + k - 1.0));
    Some(Estimate {
        estimate,
        lo: lo.and_then(finite),
        hi: hi.and_then(finite),
    })
}

/// ICC(A,1) with McGraw & Wong's Satterthwaite interval, generalised to k_a, k_b.
fn absolute_icc(t: &Anova) -> Option<Estimate> {
    let (msi, msr, mse) = (t.ms_item, t.ms_expert, t.ms_error);
    let (ka, kb) = (t.k_item, t.k_expert);
    let ratio = ka / kb;
    let rho = finite((msi - mse) / (msi + (ka - 1.0) * mse + ratio * (msr - mse)))?;
    let a = ratio * rho;
    let b = 1.0 + (ka - 1.0 - ratio) * rho;
    let v = (a * msr + b * mse).powi(2)
        / ((a * msr).powi(2) / t.df_expert + (b * mse).powi(2) / t.df_error);
    let den = |fs: f64| msi + fs * (ratio * msr + (ka - 1.0 - ratio) * mse);
    let lo = f_quantile(1.0 - ALPHA / 2.0, t.df_item, v)
        .map(|fs| (msi - fs * mse) / den(fs))
        .and_then(finite);
    let hi = f_quantile(1.0 - ALPHA / 2.0, v, t.df_item)
        .map(|c| 1.0 / c)
        .map(|fs| (msi - fs * mse) / den(fs))
        .and_then(finite);
    Some(Estimate {
        estimate: rho,
        lo,
        hi,
    })
}

/// Variance components and ICCs of `scores` = (item, expert, value) over all observed cells.
///
/// Indices may be sparse (unscored items and experts are ignored); each (item, expert) pair
/// must occur at most once (a panel guarantees it).
pub fn all_scores(scores: &[(usize, usize, f64)]) -> AllScores {
    // Sorted, so the figures do not depend on the order the scores arrived in (to the last bit).
    let mut scores = scores.to_vec();
    scores.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    // Compact indices to the nominations and experts that have scores (in index order).
    let compact = |key: fn(&(usize, usize, f64)) -> usize| {
        let len = scores.iter().map(|c| key(c) + 1).max().unwrap_or(0);
        let mut ix = vec![usize::MAX; len];
        for c in &scores {
            ix[key(c)] = 0;
        }
        let mut n = 0;
        for x in ix.iter_mut().filter(|x| **x == 0) {
            *x = n;
            n += 1;
        }
        (ix, n)
    };
    let ((item_ix, ni), (expert_ix, nj)) = (compact(|c| c.0), compact(|c| c.1));
    let n = scores.len();
    let cells: Vec<(usize, usize, f64)> = scores
        .iter()
        .map(|&(i, e, y)| (item_ix[i], expert_ix[e], y))
        .collect();
    let mut per_item: Vec<Vec<(usize, f64)>> = vec![Vec::new(); ni];
    for &(i, j, y) in &cells {
        per_item[i].push((j, y));
    }
    let counts: Vec<usize> = per_item.iter().map(Vec::len).collect();
    let mut parent: Vec<usize> = (0..ni + nj).collect();
    for &(i, j, _) in &cells {
        let (a, b) = (find(&mut parent, i), find(&mut parent, ni + j));
        parent[a] = b;
    }
    let groups = (0..ni + nj).filter(|&x| find(&mut parent, x) == x).count();
    let design = Design {
        scores: n,
        items: ni,
        experts: nj,
        complete: n > 0 && n == ni * nj,
        k_min: counts.iter().copied().min().unwrap_or(0),
        k_max: counts.iter().copied().max().unwrap_or(0),
        k_mean: if ni == 0 {
            0.0
        } else if counts.iter().all(|&c| c == counts[0]) {
            // Exactly K, not K to the last bit of a harmonic mean.
            counts[0] as f64
        } else {
            ni as f64 / counts.iter().map(|&c| 1.0 / c as f64).sum::<f64>()
        },
        groups,
        method: "henderson3",
    };
    let anova = anova(&cells, &per_item, ni, nj, groups);
    let none = AllScores {
        design: design.clone(),
        anova,
        var_item: None,
        var_expert: None,
        var_error: None,
        icc1_1: None,
        icc2_1: None,
        icc3_1: None,
        icc1_k: None,
        icc2_k: None,
        icc3_k: None,
    };
    let Some(t) = anova else {
        return none;
    };
    let k = design.k_mean;
    let icc1_1 = ratio_icc(
        t.ms_between,
        t.ms_within,
        ni as f64 - 1.0,
        (n - ni) as f64,
        t.n0,
    );
    let icc3_1 = ratio_icc(t.ms_item, t.ms_error, t.df_item, t.df_error, t.k_item);
    let icc2_1 = absolute_icc(&t);
    AllScores {
        var_item: finite((t.ms_item - t.ms_error) / t.k_item),
        var_expert: finite((t.ms_expert - t.ms_error) / t.k_expert),
        var_error: Some(t.ms_error),
        icc1_1,
        icc2_1,
        icc3_1,
        icc1_k: icc1_1.and_then(|e| averaged(e, k)),
        icc2_k: icc2_1.and_then(|e| averaged(e, k)),
        icc3_k: icc3_1.and_then(|e| averaged(e, k)),
        ..none
    }
}

/// Method III's sums of squares (module docs); None without residual df or variation.
fn anova(
    cells: &[(usize, usize, f64)],
    per_item: &[Vec<(usize, f64)>],
    ni: usize,
    nj: usize,
    groups: usize,
) -> Option<Anova> {
    let n = cells.len();
    let df_item = ni.checked_sub(groups).filter(|&d| d > 0)?;
    let df_expert = nj.checked_sub(groups).filter(|&d| d > 0)?;
    let df_error = (n + groups).checked_sub(ni + nj).filter(|&d| d > 0)?;
    // Centred scores: μ drops out of every reduction, and the solve is better conditioned.
    let grand = cells.iter().map(|c| c.2).sum::<f64>() / n as f64;
    let ss_total: f64 = cells.iter().map(|c| (c.2 - grand).powi(2)).sum();
    let item_sum: Vec<f64> = per_item
        .iter()
        .map(|v| v.iter().map(|&(_, y)| y - grand).sum())
        .collect();
    let r_items: f64 = per_item
        .iter()
        .zip(&item_sum)
        .map(|(v, s)| s * s / v.len() as f64)
        .sum();
    let mut expert_sum = vec![0.0; nj];
    let mut expert_n = vec![0usize; nj];
    for &(_, j, y) in cells {
        expert_sum[j] += y - grand;
        expert_n[j] += 1;
    }
    let r_experts: f64 = expert_sum
        .iter()
        .zip(&expert_n)
        .map(|(s, &m)| s * s / m as f64)
        .sum();
    // Items absorbed: (D_j − N' D_i⁻¹ N) b = Z_b'(I − P_items) y.
    let mut a = vec![0.0; nj * nj];
    let mut r = expert_sum.clone();
    for (v, s) in per_item.iter().zip(&item_sum) {
        let inv = 1.0 / v.len() as f64;
        for &(j, _) in v {
            r[j] -= s * inv;
            for &(l, _) in v {
                a[j * nj + l] -= inv;
            }
        }
    }
    for (j, m) in expert_n.iter().enumerate() {
        a[j * nj + j] += *m as f64;
    }
    let (b, rank) = solve_psd(a, nj, &r);
    if rank != nj - groups {
        return None;
    }
    let r_full = r_items + b.iter().zip(&r).map(|(x, y)| x * y).sum::<f64>();
    let ss_error = (ss_total - r_full).max(0.0);
    let (df_item, df_expert, df_error) = (df_item as f64, df_expert as f64, df_error as f64);
    let ms_error = ss_error / df_error;
    // No residual variation at all: every ratio is 0/0.
    if ms_error <= 1e-24 * (ss_total / n as f64).max(1.0) {
        return None;
    }
    let sum_sq: f64 = per_item.iter().map(|v| (v.len() * v.len()) as f64).sum();
    let nf = n as f64;
    Some(Anova {
        ms_item: (r_full - r_experts) / df_item,
        df_item,
        ms_expert: (r_full - r_items) / df_expert,
        df_expert,
        ms_error,
        df_error,
        k_item: (nf - nj as f64) / df_item,
        k_expert: (nf - ni as f64) / df_expert,
        ms_between: r_items / (ni as f64 - 1.0),
        ms_within: (ss_total - r_items) / (nf - ni as f64),
        n0: (nf - sum_sq / nf) / (ni as f64 - 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::agreement_stats;

    fn cells(t: &[&[f64]]) -> Vec<(usize, usize, f64)> {
        t.iter()
            .enumerate()
            .flat_map(|(i, r)| r.iter().enumerate().map(move |(j, &y)| (i, j, y)))
            .collect()
    }

    #[test]
    fn complete_table_equals_shrout_fleiss() {
        // Shrout & Fleiss (1979), Table 2: the complete-design figures are the ANOVA ones.
        let t: [&[f64]; 6] = [
            &[9.0, 2.0, 5.0, 8.0],
            &[6.0, 1.0, 3.0, 2.0],
            &[8.0, 4.0, 6.0, 8.0],
            &[7.0, 1.0, 2.0, 6.0],
            &[10.0, 5.0, 6.0, 9.0],
            &[6.0, 2.0, 4.0, 7.0],
        ];
        let a = all_scores(&cells(&t));
        let rows: Vec<Vec<f64>> = t.iter().map(|r| r.to_vec()).collect();
        let (s, ms) = agreement_stats(&rows).expect("defined");
        let an = a.anova.expect("anova");
        for (got, want) in [
            (an.ms_item, ms.bms),
            (an.ms_expert, ms.jms),
            (an.ms_error, ms.ems),
            (an.ms_within, ms.wms),
            (an.k_item, 4.0),
            (an.k_expert, 6.0),
            (an.n0, 4.0),
            (a.design.k_mean, 4.0),
        ] {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        for (got, want) in [
            (a.icc1_1, s.icc1_1),
            (a.icc2_1, s.icc2_1),
            (a.icc3_1, s.icc3_1),
            (a.icc1_k, s.icc1_k),
            (a.icc2_k, s.icc2_k),
            (a.icc3_k, s.icc3_k),
        ] {
            let (g, w) = (got.expect("icc").estimate, want.expect("icc"));
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
        assert!(a.design.complete);
        assert_eq!(
            (a.design.items, a.design.experts, a.design.groups),
            (6, 4, 1)
        );
    }

    #[test]
    fn disconnected_and_degenerate_designs() {
        assert_eq!(all_scores(&[]).anova, None);
        // Two separate 2 × 2 blocks: c = 2, df_item = 2, df_expert = 2, df_error = 8 − 8 + 2.
        let mut v = cells(&[&[1.0, 2.0], &[3.0, 5.0]]);
        v.extend(
            cells(&[&[4.0, 4.5], &[7.0, 6.0]])
                .iter()
                .map(|&(i, j, y)| (i + 2, j + 2, y)),
        );
        let a = all_scores(&v);
        assert_eq!(a.design.groups, 2);
        assert!(!a.design.complete);
        let an = a.anova.expect("anova");
        assert_eq!((an.df_item, an.df_expert, an.df_error), (2.0, 2.0, 2.0));
        // No variation left after the additive fit: undefined, not noise.
        let flat = all_scores(&cells(&[&[1.0, 2.0], &[3.0, 4.0]]));
        assert_eq!(flat.icc2_1, None);
    }
}
