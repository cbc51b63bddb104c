//! Inter-rater agreement. Headline: variance components and ICCs with 95% intervals from every
//! score (see `components`). Kept alongside: Shrout–Fleiss ICCs and Kendall's W on the fully
//! crossed part of the panel (W needs a complete table; the block ICCs are the old figures).
//!
//! Crossed subset rule (simple and deterministic): order the experts who scored anything by
//! number of items scored (descending, ties by panel order). For j = 2, 3, … take the top j
//! experts and the items every one of them scored; keep the j with the most cells j × items
//! (at least 2 items; ties go to the larger j). This is the largest rectangle obtainable by
//! adding experts in coverage order — not a global optimum, but explainable in one line.
//!
//! ICCs follow Shrout & Fleiss (1979) with n targets (items) and k judges (experts):
//! BMS = between-items, WMS = within-items, JMS = between-experts, EMS = residual mean square;
//! ICC(1,1) = (BMS − WMS)/(BMS + (k−1)WMS), ICC(2,1) = (BMS − EMS)/(BMS + (k−1)EMS + k(JMS − EMS)/n),
//! ICC(3,1) = (BMS − EMS)/(BMS + (k−1)EMS), ICC(1,k) = (BMS − WMS)/BMS,
//! ICC(2,k) = (BMS − EMS)/(BMS + (JMS − EMS)/n), ICC(3,k) = (BMS − EMS)/BMS.
//! Kendall's W = 12 S / (k²(n³ − n) − k Σ T), S = Σ_i (R_i − k(n+1)/2)², R_i = rank sum of item i,
//! mid-ranks for ties (within 1e-9), T = Σ (t³ − t) over each expert's tie groups.
//!
//! The criteria: the same statistics per criterion on the same crossed subset, and Cronbach's
//! alpha of the criteria over every complete score (each (expert, item) pair a case, each
//! criterion an item of the scale): α = c/(c−1) · (1 − Σ var(criterion) / var(sum of criteria)),
//! sample variances; unweighted, whatever the rubric's weights. High α says the criteria move
//! together (they measure much the same thing); low per-criterion ICCs say the experts read a
//! criterion differently.

use serde::Serialize;

use super::components::{AllScores, all_scores};
use super::panel::Panel;
use super::rank::TIE_EPS;

/// Agreement statistics on a fully crossed items × experts table (None where undefined).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AgreementStats {
    /// ICC(1,1): one-way random, single rater.
    pub icc1_1: Option<f64>,
    /// ICC(2,1): two-way random, single rater, absolute agreement.
    pub icc2_1: Option<f64>,
    /// ICC(3,1): two-way mixed, single rater, consistency.
    pub icc3_1: Option<f64>,
    /// ICC(1,k): one-way random, mean of k raters.
    pub icc1_k: Option<f64>,
    /// ICC(2,k): two-way random, mean of k raters.
    pub icc2_k: Option<f64>,
    /// ICC(3,k): two-way mixed, mean of k raters.
    pub icc3_k: Option<f64>,
    /// Kendall's coefficient of concordance with tie correction.
    pub kendall_w: Option<f64>,
    /// Number of items (targets) used.
    pub n_items: usize,
    /// Number of experts (judges) used.
    pub n_experts: usize,
}

/// The two-way ANOVA mean squares behind the ICCs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanSquares {
    /// Between-items mean square.
    pub bms: f64,
    /// Within-items mean square.
    pub wms: f64,
    /// Between-experts (judges) mean square.
    pub jms: f64,
    /// Residual mean square.
    pub ems: f64,
}

/// Agreement on the panel's crossed subset, with the subset itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Expert indices of the crossed subset, in coverage order.
    pub experts: Vec<usize>,
    /// Item indices of the crossed subset, in panel order.
    pub items: Vec<usize>,
    /// Statistics, when the subset has at least 2 items and 2 experts.
    pub stats: Option<AgreementStats>,
    /// Mean squares, alongside `stats`.
    pub mean_squares: Option<MeanSquares>,
    /// The statistics of each criterion's raw scores on the same subset (rubric order).
    pub criteria: Vec<Option<AgreementStats>>,
    /// Cronbach's alpha of the criteria over every complete score (None: fewer than 2
    /// criteria, fewer than 2 scores, or no variation).
    pub cronbach_alpha: Option<f64>,
    /// Complete scores alpha used.
    pub alpha_scores: usize,
    /// Variance components and ICCs with 95% intervals from every score (the headline figures;
    /// the crossed subset above is kept for Kendall's W, which needs a complete table).
    pub all_scores: AllScores,
    /// The same from every score, per criterion (rubric order).
    pub criteria_all: Vec<AllScores>,
}

/// Picks the crossed subset of `panel` (module rule) and computes agreement on the raw totals.
pub fn agreement(panel: &Panel) -> Agreement {
    let n_items = panel.items().len();
    let n_experts = panel.experts().len();
    let scored = |e: usize, i: usize| panel.observation(e, i).is_some();
    let mut experts: Vec<(usize, usize)> = (0..n_experts)
        .map(|e| (e, (0..n_items).filter(|&i| scored(e, i)).count()))
        .filter(|&(_, c)| c > 0)
        .collect();
    experts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut best: Option<(usize, Vec<usize>)> = None;
    let mut common: Vec<usize> = experts
        .first()
        .map(|&(e, _)| (0..n_items).filter(|&i| scored(e, i)).collect())
        .unwrap_or_default();
    for j in 2..=experts.len() {
        let e = experts[j - 1].0;
        common.retain(|&i| scored(e, i));
        let cells = j * common.len();
        let better = best.as_ref().is_none_or(|(bj, bi)| cells >= bj * bi.len());
        if common.len() >= 2 && better {
            best = Some((j, common.clone()));
        }
    }
    let rows: Vec<&[f64]> = panel
        .observations()
        .iter()
        .map(|o| o.criteria.as_slice())
        .collect();
    let cronbach_alpha = cronbach_alpha(&rows);
    let alpha_scores = rows.len();
    let totals: Vec<(usize, usize, f64)> = panel
        .observations()
        .iter()
        .map(|o| (o.item, o.expert, o.total))
        .collect();
    let all = all_scores(&totals);
    let criteria_all = (0..panel.n_criteria())
        .map(|c| {
            let marks: Vec<(usize, usize, f64)> = panel
                .observations()
                .iter()
                .filter_map(|o| o.criteria.get(c).map(|&m| (o.item, o.expert, m)))
                .collect();
            all_scores(&marks)
        })
        .collect();
    let Some((j, items)) = best else {
        return Agreement {
            experts: Vec::new(),
            items: Vec::new(),
            stats: None,
            mean_squares: None,
            criteria: vec![None; panel.n_criteria()],
            cronbach_alpha,
            alpha_scores,
            all_scores: all,
            criteria_all,
        };
    };
    let chosen: Vec<usize> = experts[..j].iter().map(|&(e, _)| e).collect();
    let table: Vec<Vec<f64>> = items
        .iter()
        .map(|&i| {
            chosen
                .iter()
                .filter_map(|&e| panel.observation(e, i).map(|o| o.total))
                .collect()
        })
        .collect();
    let computed = agreement_stats(&table);
    let criteria = (0..panel.n_criteria())
        .map(|c| {
            let table: Vec<Vec<f64>> = items
                .iter()
                .map(|&i| {
                    chosen
                        .iter()
                        .filter_map(|&e| panel.observation(e, i).and_then(|o| o.criteria.get(c)))
                        .copied()
                        .collect()
                })
                .collect();
            agreement_stats(&table).map(|s| s.0)
        })
        .collect();
    Agreement {
        experts: chosen,
        items,
        stats: computed.map(|c| c.0),
        mean_squares: computed.map(|c| c.1),
        criteria,
        cronbach_alpha,
        alpha_scores,
        all_scores: all,
        criteria_all,
    }
}

/// Cronbach's alpha of cases × scale items (each row one case); None if undefined.
pub fn cronbach_alpha(rows: &[&[f64]]) -> Option<f64> {
    let c = rows.first()?.len();
    let n = rows.len();
    if c < 2 || n < 2 || rows.iter().any(|r| r.len() != c) {
        return None;
    }
    let var = |f: &dyn Fn(&[f64]) -> f64| {
        let m = rows.iter().map(|r| f(r)).sum::<f64>() / n as f64;
        rows.iter().map(|r| (f(r) - m).powi(2)).sum::<f64>() / (n - 1) as f64
    };
    let parts: f64 = (0..c).map(|j| var(&|r: &[f64]| r[j])).sum();
    let whole = var(&|r: &[f64]| r.iter().sum());
    let cf = c as f64;
    (whole > 1e-12).then(|| cf / (cf - 1.0) * (1.0 - parts / whole))
}

/// Computes ICCs, Kendall's W and mean squares of a table (rows = items, columns = experts).
///
/// None unless the table is rectangular with at least 2 rows and 2 columns of finite values.
pub fn agreement_stats(table: &[Vec<f64>]) -> Option<(AgreementStats, MeanSquares)> {
    let n = table.len();
    let k = table.first()?.len();
    if n < 2
        || k < 2
        || table
            .iter()
            .any(|r| r.len() != k || r.iter().any(|x| !x.is_finite()))
    {
        return None;
    }
    let (nf, kf) = (n as f64, k as f64);
    let grand = table.iter().flatten().sum::<f64>() / (nf * kf);
    let row_mean: Vec<f64> = table.iter().map(|r| r.iter().sum::<f64>() / kf).collect();
    let col_mean: Vec<f64> = (0..k)
        .map(|j| table.iter().map(|r| r[j]).sum::<f64>() / nf)
        .collect();
    let ss_rows = kf * row_mean.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let ss_cols = nf * col_mean.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let mut ss_within = 0.0;
    let mut ss_err = 0.0;
    for (r, rm) in table.iter().zip(&row_mean) {
        for (x, cm) in r.iter().zip(&col_mean) {
            ss_within += (x - rm).powi(2);
            ss_err += (x - rm - cm + grand).powi(2);
        }
    }
    let ms = MeanSquares {
        bms: ss_rows / (nf - 1.0),
        wms: ss_within / (nf * (kf - 1.0)),
        jms: ss_cols / (kf - 1.0),
        ems: ss_err / ((nf - 1.0) * (kf - 1.0)),
    };
    let MeanSquares { bms, wms, jms, ems } = ms;
    // With no variation at all every ratio is 0/0: report none rather than noise.
    let scale = table.iter().flatten().map(|x| x * x).sum::<f64>();
    let flat = ss_rows + ss_within <= 1e-24 * scale.max(1.0);
    let ratio = |num: f64, den: f64| -> Option<f64> {
        let r = num / den;
        (!flat && den != 0.0 && r.is_finite()).then_some(r)
    };
    let stats = AgreementStats {
        icc1_1: ratio(bms - wms, bms + (kf - 1.0) * wms),
        icc2_1: ratio(bms - ems, bms + (kf - 1.0) * ems + kf * (jms - ems) / nf),
        icc3_1: ratio(bms - ems, bms + (kf - 1.0) * ems),
        icc1_k: ratio(bms - wms, bms),
        icc2_k: ratio(bms - ems, bms + (jms - ems) / nf),
        icc3_k: ratio(bms - ems, bms),
        kendall_w: kendall_w(table),
        n_items: n,
        n_experts: k,
    };
    Some((stats, ms))
}

/// Mid-ranks of `values` (1 = lowest; tie groups within [`TIE_EPS`] of their lowest member) and Σ(t³ − t).
fn mid_ranks(values: &[f64]) -> (Vec<f64>, f64) {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = 0.0;
    let mut p = 0;
    while p < idx.len() {
        let lead = values[idx[p]];
        let mut q = p + 1;
        while q < idx.len() && values[idx[q]] - lead <= TIE_EPS {
            q += 1;
        }
        // Positions p+1 ..= q share their average rank.
        let avg = (p + 1 + q) as f64 / 2.0;
        for &i in &idx[p..q] {
            ranks[i] = avg;
        }
        let t = (q - p) as f64;
        ties += t * t * t - t;
        p = q;
    }
    (ranks, ties)
}

/// Kendall's W of a table (rows = items, columns = experts), tie-corrected; None if undefined.
pub fn kendall_w(table: &[Vec<f64>]) -> Option<f64> {
    let n = table.len();
    let k = table.first()?.len();
    if n < 2
        || k < 2
        || table
            .iter()
            .any(|r| r.len() != k || r.iter().any(|x| !x.is_finite()))
    {
        return None;
    }
    let mut rank_sum = vec![0.0; n];
    let mut tie_sum = 0.0;
    for j in 0..k {
        let col: Vec<f64> = table.iter().map(|r| r[j]).collect();
        let (ranks, ties) = mid_ranks(&col);
        for (s, r) in rank_sum.iter_mut().zip(&ranks) {
            *s += r;
        }
        tie_sum += ties;
    }
    let (nf, kf) = (n as f64, k as f64);
    let mean = kf * (nf + 1.0) / 2.0;
    let s: f64 = rank_sum.iter().map(|r| (r - mean).powi(2)).sum();
    let den = kf * kf * (nf * nf * nf - nf) - kf * tie_sum;
    // den = 0 only when every expert tied every item: concordance undefined.
    (den > 0.0).then(|| 12.0 * s / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(v: &[&[f64]]) -> Vec<Vec<f64>> {
        v.iter().map(|r| r.to_vec()).collect()
    }

    #[test]
    fn shrout_fleiss_table_2() {
        // Shrout & Fleiss (1979), Table 2: 6 targets × 4 judges.
        let t = rows(&[
            &[9.0, 2.0, 5.0, 8.0],
            &[6.0, 1.0, 3.0, 2.0],
            &[8.0, 4.0, 6.0, 8.0],
            &[7.0, 1.0, 2.0, 6.0],
            &[10.0, 5.0, 6.0, 9.0],
            &[6.0, 2.0, 4.0, 7.0],
        ]);
        let (s, ms) = agreement_stats(&t).expect("defined");
        // Their Table 3: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02.
        assert!((ms.bms - 11.2417).abs() < 1e-4);
        assert!((ms.wms - 6.2639).abs() < 1e-4);
        assert!((ms.jms - 32.4861).abs() < 1e-4);
        assert!((ms.ems - 1.0194).abs() < 1e-4);
        let r2 = |x: Option<f64>| (x.expect("defined") * 100.0).round() / 100.0;
        assert_eq!(r2(s.icc1_1), 0.17);
        assert_eq!(r2(s.icc2_1), 0.29);
        assert_eq!(r2(s.icc3_1), 0.71);
        assert_eq!(r2(s.icc1_k), 0.44);
        assert_eq!(r2(s.icc2_k), 0.62);
        assert_eq!(r2(s.icc3_k), 0.91);
        assert_eq!((s.n_items, s.n_experts), (6, 4));
    }

    #[test]
    fn kendall_w_without_ties() {
        // 4 items × 3 experts, ranks (item rows): [1,2,1], [2,1,3], [3,3,2], [4,4,4].
        // R = 4, 6, 8, 12; mean k(n+1)/2 = 7.5; S = 12.25 + 2.25 + 0.25 + 20.25 = 35;
        // W = 12·35 / (3²·(64 − 4)) = 420/540 = 7/9.
        let t = rows(&[
            &[10.0, 20.0, 10.0],
            &[20.0, 10.0, 30.0],
            &[30.0, 30.0, 20.0],
            &[40.0, 40.0, 40.0],
        ]);
        assert!((kendall_w(&t).expect("defined") - 7.0 / 9.0).abs() < 1e-15);
        // Perfect agreement → 1.
        let t = rows(&[&[1.0, 5.0], &[2.0, 6.0], &[3.0, 7.0]]);
        assert!((kendall_w(&t).expect("defined") - 1.0).abs() < 1e-15);
    }

    #[test]
    fn kendall_w_with_ties() {
        // Expert 1 ranks 1, 2.5, 2.5, 4 (tie of 2: T = 6); expert 2 ranks 1, 2, 3, 4;
        // expert 3 ranks 1.5, 1.5, 3.5, 3.5 (two ties of 2: T = 12). R = 3.5, 6, 9, 11.5;
        // S = 16 + 2.25 + 2.25 + 16 = 36.5; denominator 9·60 − 3·18 = 486; W = 438/486 = 73/81.
        let t = rows(&[
            &[50.0, 10.0, 5.0],
            &[60.0, 20.0, 5.0],
            &[60.0, 30.0, 7.0],
            &[70.0, 40.0, 7.0],
        ]);
        assert!((kendall_w(&t).expect("defined") - 73.0 / 81.0).abs() < 1e-15);
        // Without the correction it would be 438/540 = 0.8111 — the test above rules that out.
        let all_tied = rows(&[&[5.0, 5.0], &[5.0, 5.0]]);
        assert_eq!(kendall_w(&all_tied), None);
    }

    #[test]
    fn cronbach_alpha_by_hand() {
        // Three cases × two criteria: (1,2), (2,3), (3,5). var(c1) = 1, var(c2) = 7/3,
        // sums 3, 5, 8: var = 19/3. α = 2 · (1 − (10/3)/(19/3)) = 2 · 9/19 = 18/19.
        let rows: [&[f64]; 3] = [&[1.0, 2.0], &[2.0, 3.0], &[3.0, 5.0]];
        assert!((cronbach_alpha(&rows).expect("alpha") - 18.0 / 19.0).abs() < 1e-15);
        assert_eq!(cronbach_alpha(&[&[1.0, 2.0]]), None);
        assert_eq!(cronbach_alpha(&[&[1.0], &[2.0]]), None);
        assert_eq!(cronbach_alpha(&[&[1.0, 1.0], &[1.0, 1.0]]), None);
    }

    #[test]
    fn degenerate_tables() {
        assert_eq!(agreement_stats(&[]), None);
        assert_eq!(agreement_stats(&rows(&[&[1.0, 2.0]])), None);
        assert_eq!(agreement_stats(&rows(&[&[1.0, 2.0], &[1.0]])), None);
        let (s, _) = agreement_stats(&rows(&[&[7.0, 7.0], &[7.0, 7.0]])).expect("shape ok");
        assert_eq!(s.icc1_1, None);
        assert_eq!(s.kendall_w, None);
    }

    #[test]
    fn crossed_subset_rule() {
        // e1 scores A–D, e2 A–D, e3 A–C, e4 only E. Coverage order e1, e2, e3 (e4 has 1).
        // j=2: {A,B,C,D} → 8 cells; j=3: {A,B,C} → 9 cells; j=4: {} → rejected. Pick j=3.
        let mut p =
            Panel::new(["e1", "e2", "e3", "e4"], ["A", "B", "C", "D", "E"], 0).expect("panel");
        let data = [
            ("e1", "A", 80.0),
            ("e1", "B", 70.0),
            ("e1", "C", 60.0),
            ("e1", "D", 50.0),
            ("e2", "A", 85.0),
            ("e2", "B", 60.0),
            ("e2", "C", 65.0),
            ("e2", "D", 40.0),
            ("e3", "A", 90.0),
            ("e3", "B", 75.0),
            ("e3", "C", 55.0),
            ("e4", "E", 10.0),
        ];
        for (e, i, t) in data {
            p.add(e, i, t, vec![], 1.0).expect("obs");
        }
        let a = agreement(&p);
        assert_eq!(a.experts, vec![0, 1, 2]);
        assert_eq!(a.items, vec![0, 1, 2]);
        let s = a.stats.expect("stats");
        assert_eq!((s.n_items, s.n_experts), (3, 3));
        let json = serde_json::to_value(s).expect("serialize");
        for key in [
            "icc1_1",
            "icc2_1",
            "icc3_1",
            "icc1_k",
            "icc2_k",
            "icc3_k",
            "kendall_w",
            "n_items",
            "n_experts",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        let empty = agreement(&Panel::new(["e"], ["A"], 0).expect("panel"));
        assert_eq!(empty.stats, None);
    }
}
