//! The five aggregation methods, computed on expert multiplicities so the bootstrap reuses them;
//! the four closed-form ones here, `calibrated` in its own module, both dispatched by `score`.
//!
//! Every method is evaluated for a vector `mult[e]` = how many times expert e is on the
//! (re)sampled panel. The real panel is `mult = 1` for everyone; a bootstrap resample has
//! counts summing to the number of experts. An expert drawn twice counts twice: in the mean,
//! the trimmed mean (n counts copies, and only one copy of the extreme is dropped), the
//! median (a multiset median), the zscore mean, and in `calibrated` as two distinct experts.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::describe::mean_sd;
use super::error::AggregateError;
use super::panel::Panel;

/// An expert whose population sd is at or below this is treated as having sd 0 by `zscore`.
pub const ZERO_SD: f64 = 1e-9;

/// How item scores are formed from the experts' totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
#[derive(strum::Display, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Method {
    /// Mean of the totals.
    Mean,
    /// Drop one highest and one lowest total, then mean, when every scored item has at least
    /// `trim_min` experts; otherwise the plain mean for every item (one rule per panel).
    #[default]
    Trimmed,
    /// Median of the totals (mean of the two middle values for an even count).
    Median,
    /// Mean of per-expert standardised totals (t − m_e) / sd_e, population sd.
    Zscore,
    /// Weighted least-squares additive model t_ei = v_i + b_e (MacKay et al. 2017); score v_i.
    Calibrated,
}

impl Method {
    /// Every method, in the order of the documentation.
    pub const ALL: [Method; 5] = [
        Method::Mean,
        Method::Trimmed,
        Method::Median,
        Method::Zscore,
        Method::Calibrated,
    ];

    /// The canonical lowercase name accepted by `parse`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for Method {
    type Err = AggregateError;

    /// Parses a method name, ignoring surrounding whitespace and ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim().to_ascii_lowercase();
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == name)
            .ok_or_else(|| AggregateError::UnknownMethod(s.to_string()))
    }
}

/// Why the zscore method left an expert out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ZscoreExclusion {
    /// Fewer than 2 items scored: no spread to standardise by.
    TooFewItems {
        /// Number of items the expert scored.
        scored: usize,
    },
    /// Every item got (numerically) the same total: population sd <= [`ZERO_SD`].
    ZeroSpread,
}

impl fmt::Display for ZscoreExclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZscoreExclusion::TooFewItems { scored } => write!(
                f,
                "scored {scored} nomination(s); zscore needs at least 2 to standardise"
            ),
            ZscoreExclusion::ZeroSpread => f.write_str(
                "gave every nomination the same total; zscore cannot standardise without spread",
            ),
        }
    }
}

/// Which rule `trimmed` applied: decided once per panel, the same for every item and resample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrimRule {
    /// One highest and one lowest total dropped, then the mean.
    Trimmed,
    /// The plain mean: some scored item has fewer than `trim_min` experts.
    Mean,
}

impl TrimRule {
    /// The lowercase name used in JSON and CSV-like output.
    pub fn as_str(self) -> &'static str {
        match self {
            TrimRule::Trimmed => "trimmed",
            TrimRule::Mean => "mean",
        }
    }
}

/// Compact per-item layout of the panel that every method reads (no allocation when rescoring).
///
/// Entries of item i are `start[i]..start[i+1]`, sorted by total ascending, ties by expert
/// index, so trimmed and median read extremes and middles by walking the list.
#[derive(Debug, Clone)]
pub(super) struct Engine {
    pub n_items: usize,
    pub n_experts: usize,
    /// Entry range of item i is `start[i]..start[i + 1]`.
    pub start: Vec<usize>,
    /// Expert index of each entry.
    pub expert: Vec<usize>,
    /// Total t_ei of each entry.
    pub total: Vec<f64>,
    /// Confidence weight c_ei of each entry.
    pub weight: Vec<f64>,
    /// Standardised total of the entry (0 when the expert is excluded from zscore).
    pub z: Vec<f64>,
    /// Items scored per expert.
    pub expert_n: Vec<usize>,
    /// zscore exclusion per expert (None = counts).
    pub zscore_exclusion: Vec<Option<ZscoreExclusion>>,
    /// 1 when zscore counts the expert, else 0 (a multiplier, so the sum needs no branch).
    pub z_counts: Vec<u32>,
    /// Fewest experts on any scored item of the real panel (None: nothing scored); `trimmed`
    /// decides its rule from it, so a resample never changes the rule.
    pub min_coverage: Option<usize>,
}

impl Engine {
    /// Builds the layout and the per-expert standardisation from a panel.
    pub fn new(panel: &Panel) -> Self {
        let n_items = panel.items().len();
        let n_experts = panel.experts().len();
        // Per-expert standardisation over the items scored, in panel order (deterministic sums).
        let mut expert_n = vec![0usize; n_experts];
        let mut zscore_exclusion = vec![None; n_experts];
        let mut expert_ms = vec![(0.0, 1.0); n_experts];
        let mut buf = Vec::with_capacity(n_items);
        for e in 0..n_experts {
            buf.clear();
            buf.extend((0..n_items).filter_map(|i| panel.observation(e, i).map(|o| o.total)));
            expert_n[e] = buf.len();
            match mean_sd(&buf) {
                _ if buf.len() < 2 => {
                    zscore_exclusion[e] = Some(ZscoreExclusion::TooFewItems { scored: buf.len() })
                }
                Some((_, sd)) if sd <= ZERO_SD => {
                    zscore_exclusion[e] = Some(ZscoreExclusion::ZeroSpread)
                }
                Some(ms) => expert_ms[e] = ms,
                None => {}
            }
        }
        let mut start = Vec::with_capacity(n_items + 1);
        let mut expert = Vec::new();
        let mut total = Vec::new();
        let mut weight = Vec::new();
        let mut z = Vec::new();
        let mut row: Vec<(f64, usize, f64)> = Vec::with_capacity(n_experts);
        start.push(0);
        for i in 0..n_items {
            row.clear();
            row.extend(
                (0..n_experts)
                    .filter_map(|e| panel.observation(e, i).map(|o| (o.total, e, o.weight))),
            );
            row.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for &(t, e, w) in &row {
                expert.push(e);
                total.push(t);
                weight.push(w);
                let (m, sd) = expert_ms[e];
                z.push(if zscore_exclusion[e].is_none() {
                    (t - m) / sd
                } else {
                    0.0
                });
            }
            start.push(expert.len());
        }
        let z_counts = zscore_exclusion
            .iter()
            .map(|x| u32::from(x.is_none()))
            .collect();
        let min_coverage = start
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|&n| n > 0)
            .min();
        Engine {
            n_items,
            n_experts,
            start,
            expert,
            total,
            weight,
            z,
            expert_n,
            zscore_exclusion,
            z_counts,
            min_coverage,
        }
    }

    /// The rule `trimmed` applies to every item of this panel and of all its resamples: trim
    /// when every scored item has at least `trim_min` experts, else the plain mean. Deciding
    /// per item (or per resample) would rank items by different estimators.
    pub fn trim_rule(&self, trim_min: usize) -> TrimRule {
        match self.min_coverage {
            Some(n) if n >= trim_min => TrimRule::Trimmed,
            _ => TrimRule::Mean,
        }
    }

    /// Number of experts that count for `method` on item `i` of the real panel (before trimming).
    pub fn counting(&self, method: Method, i: usize) -> usize {
        let entries = &self.expert[self.start[i]..self.start[i + 1]];
        match method {
            Method::Zscore => entries
                .iter()
                .filter(|&&e| self.zscore_exclusion[e].is_none())
                .count(),
            _ => entries.len(),
        }
    }

    pub(super) fn mean(&self, r: std::ops::Range<usize>, mult: &[u32]) -> Option<f64> {
        // Branch-free: an absent expert adds 0 · t, which leaves the sum exactly as it was.
        let (mut s, mut n) = (0.0, 0u64);
        for (&e, &t) in self.expert[r.clone()].iter().zip(&self.total[r]) {
            let m = mult[e];
            s += f64::from(m) * t;
            n += u64::from(m);
        }
        (n > 0).then(|| s / n as f64)
    }

    pub(super) fn trimmed(
        &self,
        r: std::ops::Range<usize>,
        mult: &[u32],
        rule: TrimRule,
    ) -> Option<f64> {
        let (experts, totals) = (&self.expert[r.clone()], &self.total[r.clone()]);
        let n: u64 = experts.iter().map(|&e| u64::from(mult[e])).sum();
        // With two copies or fewer nothing is left between the extremes: the middle is all of
        // them (as for the median), so that is the mean. Only a resample can get here under
        // `Trimmed`, as the real panel gives every scored item at least trim_min >= 3.
        if rule == TrimRule::Mean || n < 3 {
            return self.mean(r, mult);
        }
        // Entries are sorted by total: drop one copy of the first (lowest) and one of the last
        // (highest) present entry, even when other entries tie with them. Both are found from
        // the ends, and what is left is summed in entry order (rather than subtracted), as
        // before, so hand-checked values stay exact.
        let first = experts.iter().position(|&e| mult[e] > 0)?;
        let last = experts.iter().rposition(|&e| mult[e] > 0)?;
        let m = |j: usize| f64::from(mult[experts[j]]);
        let mut s = 0.0;
        s += (m(first) - 1.0 - f64::from(u8::from(first == last))) * totals[first];
        let inner = first + 1..last.max(first + 1);
        for (&e, &t) in experts[inner.clone()].iter().zip(&totals[inner]) {
            // Branch-free: an absent expert adds 0 · t.
            s += f64::from(mult[e]) * t;
        }
        if last > first {
            s += (m(last) - 1.0) * totals[last];
        }
        Some(s / (n - 2) as f64)
    }

    pub(super) fn median(&self, r: std::ops::Range<usize>, mult: &[u32]) -> Option<f64> {
        let (experts, totals) = (&self.expert[r.clone()], &self.total[r]);
        let n: u64 = experts.iter().map(|&e| u64::from(mult[e])).sum();
        if n == 0 {
            return None;
        }
        // Zero-based positions of the two middle values in the sorted multiset (equal when n
        // is odd): walk the presorted entries, counting copies, to the first entry reaching
        // each (an absent expert counts 0, so the walk has no branch on presence).
        let (lo, hi) = ((n - 1) / 2, n / 2);
        let (mut j, mut seen) = (0, u64::from(mult[experts[0]]));
        while seen <= lo {
            j += 1;
            seen += u64::from(mult[experts[j]]);
        }
        let a = totals[j];
        while seen <= hi {
            j += 1;
            seen += u64::from(mult[experts[j]]);
        }
        Some((a + totals[j]) / 2.0)
    }

    pub(super) fn zmean(&self, r: std::ops::Range<usize>, mult: &[u32]) -> Option<f64> {
        // Branch-free like `mean`: a left-out expert counts 0 times.
        let (mut s, mut n) = (0.0, 0u64);
        for (&e, &z) in self.expert[r.clone()].iter().zip(&self.z[r]) {
            let m = mult[e] * self.z_counts[e];
            s += f64::from(m) * z;
            n += u64::from(m);
        }
        (n > 0).then(|| s / n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::super::calibrated::CalWorkspace;
    use super::*;

    /// Builds a panel from rows of (expert, item, total); criteria empty, weight 1.
    fn build(experts: &[&str], items: &[&str], obs: &[(&str, &str, f64)]) -> Panel {
        let mut p = Panel::new(experts.iter().copied(), items.iter().copied(), 0).expect("panel");
        for &(e, i, t) in obs {
            p.add(e, i, t, vec![], 1.0).expect("observation");
        }
        p
    }

    fn scores(p: &Panel, method: Method, trim_min: usize) -> Vec<Option<f64>> {
        let eng = Engine::new(p);
        let mut ws = CalWorkspace::new(eng.n_items, eng.n_experts);
        let mut out = vec![None; eng.n_items];
        let mult = vec![1u32; eng.n_experts];
        eng.score(method, trim_min, &mult, &mut ws, &mut out)
            .expect("score");
        out
    }

    #[test]
    fn parse_and_display() {
        for m in Method::ALL {
            assert_eq!(m.as_str().parse::<Method>(), Ok(m));
            assert_eq!(m.to_string(), m.as_str());
        }
        assert_eq!(
            Method::ALL.map(Method::as_str),
            ["mean", "trimmed", "median", "zscore", "calibrated"]
        );
        assert_eq!(" ZScore ".parse::<Method>(), Ok(Method::Zscore));
        assert_eq!(
            "average".parse::<Method>(),
            Err(AggregateError::UnknownMethod("average".into()))
        );
        assert_eq!(Method::default(), Method::Trimmed);
    }

    /// Five experts on item A, three on B, none on C.
    fn five_expert_panel() -> Panel {
        build(
            &["e1", "e2", "e3", "e4", "e5"],
            &["A", "B", "C"],
            &[
                ("e1", "A", 60.0),
                ("e2", "A", 70.0),
                ("e3", "A", 70.0),
                ("e4", "A", 80.0),
                ("e5", "A", 95.0),
                ("e1", "B", 50.0),
                ("e2", "B", 90.0),
                ("e3", "B", 40.0),
            ],
        )
    }

    #[test]
    fn mean_trimmed_median_by_hand() {
        let p = five_expert_panel();
        // A mean: (60+70+70+80+95)/5 = 375/5 = 75. B: (50+90+40)/3 = 60. C: nobody.
        assert_eq!(
            scores(&p, Method::Mean, 5),
            vec![Some(75.0), Some(60.0), None]
        );
        // trim_min 5: B has 3 experts, so the panel's rule is the plain mean for every item
        // (A 75, not its trimmed 220/3: one rule per panel, whatever A's own count).
        assert_eq!(
            scores(&p, Method::Trimmed, 5),
            vec![Some(75.0), Some(60.0), None]
        );
        // With trim_min 3 every scored item is trimmed: A drops 60 and 95 → (70+70+80)/3 =
        // 220/3; B drops 40 and 90 → 50.
        assert_eq!(
            scores(&p, Method::Trimmed, 3),
            vec![Some(220.0 / 3.0), Some(50.0), None]
        );
        // Medians: A sorted 60,70,70,80,95 → 70; B sorted 40,50,90 → 50.
        assert_eq!(
            scores(&p, Method::Median, 5),
            vec![Some(70.0), Some(50.0), None]
        );
    }

    /// Scores under `trimmed` (trim_min 5) for the multiplicities `mult`.
    fn trimmed_for(p: &Panel, mult: &[u32]) -> Vec<Option<f64>> {
        let eng = Engine::new(p);
        let mut ws = CalWorkspace::new(eng.n_items, eng.n_experts);
        let mut out = vec![None; eng.n_items];
        eng.score(Method::Trimmed, 5, mult, &mut ws, &mut out)
            .expect("score");
        out
    }

    #[test]
    fn trimmed_keeps_the_real_panels_rule_in_every_resample() {
        // X: e1..e5 = 40, 60, 70, 100, 90; Y: all six experts 50. Every item has >= 5 experts,
        // so the rule is `trimmed`.
        let x = [
            ("e1", 40.0),
            ("e2", 60.0),
            ("e3", 70.0),
            ("e4", 100.0),
            ("e5", 90.0),
        ];
        let mut obs: Vec<(&str, &str, f64)> = x.iter().map(|&(e, t)| (e, "X", t)).collect();
        for e in ["e1", "e2", "e3", "e4", "e5", "e6"] {
            obs.push((e, "Y", 50.0));
        }
        let experts = ["e1", "e2", "e3", "e4", "e5", "e6"];
        let p = build(&experts, &["X", "Y"], &obs);
        assert_eq!(Engine::new(&p).trim_rule(5), TrimRule::Trimmed);
        // Real panel: X drops 40 and 100 → (60+70+90)/3 = 220/3.
        assert_eq!(
            trimmed_for(&p, &[1; 6]),
            vec![Some(220.0 / 3.0), Some(50.0)]
        );
        // Resample {e1, e2, e3, e4, e6, e6}: X has 4 copies (40, 60, 70, 100). The old per-count
        // rule took their mean, 67.5; the panel's rule still drops 40 and 100 → 65.
        let got = trimmed_for(&p, &[1, 1, 1, 1, 0, 2]);
        assert_eq!(got, vec![Some(65.0), Some(50.0)]);
        assert_ne!(got[0], Some(67.5));
        // Two copies or fewer leave nothing between the extremes: their mean (= their median).
        assert_eq!(
            trimmed_for(&p, &[0, 1, 0, 1, 0, 4]),
            vec![Some(80.0), Some(50.0)]
        );

        // Z scored by e6 alone: coverage is uneven, so the rule is the plain mean throughout.
        obs.retain(|o| o.1 != "Y");
        obs.push(("e6", "Z", 30.0));
        let p = build(&experts, &["X", "Z"], &obs);
        assert_eq!(Engine::new(&p).trim_rule(5), TrimRule::Mean);
        assert_eq!(trimmed_for(&p, &[1; 6]), vec![Some(72.0), Some(30.0)]);
        // Resample {e1, e1, e2, e3, e4, e5}: X has 6 copies. The old rule switched to trimming
        // (drop one 40 and the 100 → 65); the panel's rule keeps the mean, 400/6.
        let got = trimmed_for(&p, &[2, 1, 1, 1, 1, 0]);
        assert_eq!(got, vec![Some(400.0 / 6.0), None]);
        assert_ne!(got[0], Some(65.0));
    }

    #[test]
    fn trimmed_drops_one_of_tied_extremes() {
        // 90, 90, 80, 70, 60: drop one 90 and the 60 → (90+80+70)/3 = 80.
        let p = build(
            &["a", "b", "c", "d", "e"],
            &["X"],
            &[
                ("a", "X", 90.0),
                ("b", "X", 90.0),
                ("c", "X", 80.0),
                ("d", "X", 70.0),
                ("e", "X", 60.0),
            ],
        );
        assert_eq!(scores(&p, Method::Trimmed, 5), vec![Some(80.0)]);
        // All equal: 70 ×5 → 70.
        let p = build(
            &["a", "b", "c", "d", "e"],
            &["X"],
            &[
                ("a", "X", 70.0),
                ("b", "X", 70.0),
                ("c", "X", 70.0),
                ("d", "X", 70.0),
                ("e", "X", 70.0),
            ],
        );
        assert_eq!(scores(&p, Method::Trimmed, 5), vec![Some(70.0)]);
    }

    #[test]
    fn one_expert_drawn_many_times() {
        // Only e1 present, five copies: trimmed drops two copies of the same entry, the median
        // and mean are its total. Item B (e1 50) likewise; C has nobody.
        let p = five_expert_panel();
        let eng = Engine::new(&p);
        let mut ws = CalWorkspace::new(3, 5);
        for method in [Method::Trimmed, Method::Median, Method::Mean] {
            let mut out = vec![None; 3];
            eng.score(method, 3, &[5, 0, 0, 0, 0], &mut ws, &mut out)
                .expect("score");
            assert_eq!(out, vec![Some(60.0), Some(50.0), None], "{method}");
        }
    }

    #[test]
    fn median_even_count() {
        // 40, 50, 60, 90 → (50+60)/2 = 55.
        let p = build(
            &["a", "b", "c", "d"],
            &["X"],
            &[
                ("a", "X", 90.0),
                ("b", "X", 40.0),
                ("c", "X", 60.0),
                ("d", "X", 50.0),
            ],
        );
        assert_eq!(scores(&p, Method::Median, 5), vec![Some(55.0)]);
    }

    #[test]
    fn zscore_by_hand_with_left_out_experts() {
        // e1 scores A,B,C = 60,70,80: mean 70, population sd √(200/3) = 8.16497; z = −√1.5, 0, +√1.5.
        // e2 scores A,B = 50,90: mean 70, sd 20; z = −1, +1.
        // e3 scores A,B,C = 75,75,75: sd 0 → left out (ZeroSpread).
        // e4 scores only C = 10 → left out (TooFewItems { scored: 1 }).
        // e5 scores nothing → left out (TooFewItems { scored: 0 }).
        let p = build(
            &["e1", "e2", "e3", "e4", "e5"],
            &["A", "B", "C", "D"],
            &[
                ("e1", "A", 60.0),
                ("e1", "B", 70.0),
                ("e1", "C", 80.0),
                ("e2", "A", 50.0),
                ("e2", "B", 90.0),
                ("e3", "A", 75.0),
                ("e3", "B", 75.0),
                ("e3", "C", 75.0),
                ("e4", "C", 10.0),
                ("e3", "D", 75.0),
            ],
        );
        let eng = Engine::new(&p);
        assert_eq!(
            eng.zscore_exclusion,
            vec![
                None,
                None,
                Some(ZscoreExclusion::ZeroSpread),
                Some(ZscoreExclusion::TooFewItems { scored: 1 }),
                Some(ZscoreExclusion::TooFewItems { scored: 0 }),
            ]
        );
        let s = scores(&p, Method::Zscore, 5);
        let r = 1.5f64.sqrt();
        // A: (−√1.5 + −1)/2; B: (0 + 1)/2; C: only e1 counts → √1.5; D: only e3 (left out) → None.
        let want = [Some((-r - 1.0) / 2.0), Some(0.5), Some(r), None];
        for (g, w) in s.iter().zip(want) {
            match (g, w) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "{g} vs {w}"),
                (g, w) => assert_eq!(*g, w),
            }
        }
        assert_eq!(eng.counting(Method::Zscore, 2), 1);
        assert_eq!(eng.counting(Method::Mean, 2), 3);
    }

    #[test]
    fn multiplicity_equals_duplicated_expert() {
        // Resample {e1, e1, e3} must equal a panel where e1 appears as two distinct experts.
        let obs = [
            ("e1", "A", 60.0),
            ("e2", "A", 99.0),
            ("e3", "A", 80.0),
            ("e1", "B", 75.0),
            ("e3", "B", 65.0),
            ("e2", "B", 10.0),
            ("e1", "C", 40.0),
        ];
        let p = build(&["e1", "e2", "e3"], &["A", "B", "C"], &obs);
        let mut dup_obs: Vec<(&str, &str, f64)> =
            obs.iter().copied().filter(|o| o.0 != "e2").collect();
        dup_obs.extend(
            obs.iter()
                .filter(|o| o.0 == "e1")
                .map(|o| ("e1b", o.1, o.2)),
        );
        let dup = build(&["e1", "e1b", "e3"], &["A", "B", "C"], &dup_obs);
        let eng = Engine::new(&p);
        let mut ws = CalWorkspace::new(3, 3);
        for method in Method::ALL {
            let mut out = vec![None; 3];
            eng.score(method, 3, &[2, 0, 1], &mut ws, &mut out)
                .expect("score");
            let want = scores(&dup, method, 3);
            for (g, w) in out.iter().zip(&want) {
                match (g, w) {
                    (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{method}: {g} vs {w}"),
                    (g, w) => assert_eq!(g, w, "{method}"),
                }
            }
        }
    }
}
