//! Choosing the shortlist size K and the threshold map shown to the chair.
//!
//! K rule: among K in [min, max] (and K ≤ number ranked), take the largest K whose cut does
//! not split a tie group, i.e. the (K+1)-th item starts a new group (or there is none). If every
//! K in range splits a tie, K = max and the straddling tie group is flagged: the list holds the
//! first K items in ranking order (ties by panel order) and the chair must decide. With fewer
//! ranked items than min, K = number ranked and that is flagged.
//!
//! Threshold map (Montage style "score ≥ T admits N"): one row per tie group that overlaps the
//! positions [min − w, max + w] (w = `threshold_window`); T is the lowest score in the group
//! and N counts every item scoring ≥ T (so a whole tie group is admitted together). Next to it,
//! for each K in [min, max] the score at the cut, the score just below, and whether K splits a tie.

use serde::Serialize;

use super::error::AggregateError;
use super::rank::Ranking;

/// How the chosen K relates to the ties at the cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CutStatus {
    /// The cut falls between two different scores (or after the last ranked item).
    Clean,
    /// Every K in [min, max] splits a tie; K = max and these items straddle the cut.
    TieAtCut {
        /// Item indices of the straddling tie group, in listing order.
        tied: Vec<usize>,
        /// How many of them are inside the list at K = max.
        places: usize,
    },
    /// Fewer ranked items than min: K = number ranked.
    FewerThanMin,
}

/// One K the chair could choose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CutOption {
    /// List size.
    pub k: usize,
    /// Score of the K-th item.
    pub score_at_cut: f64,
    /// Score of the (K+1)-th item, if any.
    pub next_score: Option<f64>,
    /// True when the K-th and (K+1)-th items are tied.
    pub splits_tie: bool,
}

/// One row of the threshold map: "score ≥ threshold admits `admitted` items".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// Lowest score of the tie group (the threshold value).
    pub threshold: f64,
    /// Number of items scoring at or above the threshold.
    pub admitted: usize,
    /// Number of items in this tie group.
    pub group_size: usize,
    /// True when `admitted` lies in [min, max].
    pub in_range: bool,
}

/// The shortlist with its K, cut diagnostics and threshold map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortlist {
    /// Chosen list size.
    pub k: usize,
    /// Lower bound asked for.
    pub min: usize,
    /// Upper bound asked for.
    pub max: usize,
    /// Number of items with a score.
    pub n_ranked: usize,
    /// Item indices on the list, in ranking order.
    pub items: Vec<usize>,
    /// Tie situation at the cut.
    pub status: CutStatus,
    /// Score of the K-th item.
    pub cut_score: Option<f64>,
    /// Score of the first item below the list.
    pub next_score: Option<f64>,
    /// Every K in [min, max] (≤ number ranked) with its cut scores.
    pub cuts: Vec<CutOption>,
    /// Threshold map around the cut.
    pub thresholds: Vec<Threshold>,
}

/// Outcome class of the K rule (allocation-free, used by the bootstrap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CutKind {
    Clean,
    TieAtCut,
    FewerThanMin,
}

/// Applies the K rule to ranked `order` (first `n_ranked` ranked) and `ranks` (0 = unranked).
pub(super) fn choose_k(
    order: &[usize],
    ranks: &[usize],
    n_ranked: usize,
    min: usize,
    max: usize,
) -> (usize, CutKind) {
    // The item at 0-based position k starts a new tie group iff its competition rank is k + 1.
    choose_k_at(|k| ranks[order[k]] == k + 1, n_ranked, min, max)
}

/// [`choose_k`] given whether each position below `n_ranked` starts a tie group.
pub(super) fn choose_k_at(
    starts_group: impl Fn(usize) -> bool,
    n_ranked: usize,
    min: usize,
    max: usize,
) -> (usize, CutKind) {
    if n_ranked < min {
        return (n_ranked, CutKind::FewerThanMin);
    }
    let hi = max.min(n_ranked);
    for k in (min..=hi).rev() {
        if k == n_ranked || starts_group(k) {
            return (k, CutKind::Clean);
        }
    }
    (max, CutKind::TieAtCut)
}

/// Builds the shortlist from a ranking with K bounds [min, max] and threshold window `window`.
pub fn shortlist(
    ranking: &Ranking,
    min: usize,
    max: usize,
    window: usize,
) -> Result<Shortlist, AggregateError> {
    if min == 0 || min > max {
        return Err(AggregateError::ShortlistBounds { min, max });
    }
    let n = ranking.n_ranked;
    let ranks: Vec<usize> = ranking.ranks.iter().map(|r| r.unwrap_or(0)).collect();
    let order = &ranking.order;
    let (k, kind) = choose_k(order, &ranks, n, min, max);
    let status = match kind {
        CutKind::Clean => CutStatus::Clean,
        CutKind::FewerThanMin => CutStatus::FewerThanMin,
        CutKind::TieAtCut => {
            // Group containing the K-th item starts at position rank − 1.
            let start = ranks[order[k - 1]] - 1;
            let end = (start..n)
                .find(|&p| ranks[order[p]] != start + 1)
                .unwrap_or(n);
            CutStatus::TieAtCut {
                tied: order[start..end].to_vec(),
                places: k - start,
            }
        }
    };
    let cuts = (min..=max.min(n))
        .filter_map(|k| {
            Some(CutOption {
                k,
                score_at_cut: ranking.score_at(k - 1)?,
                next_score: if k < n { ranking.score_at(k) } else { None },
                splits_tie: k < n && ranks[order[k]] != k + 1,
            })
        })
        .collect();
    let (lo, hi) = (
        min.saturating_sub(window).max(1),
        max.saturating_add(window),
    );
    let mut thresholds = Vec::new();
    let mut p = 0;
    while p < n {
        let end = (p + 1..n).find(|&q| ranks[order[q]] != p + 1).unwrap_or(n);
        // Group occupies 1-based positions p+1 ..= end.
        if p < hi && end >= lo {
            let threshold = order[p..end]
                .iter()
                .filter_map(|&i| ranking.scores[i])
                .fold(f64::INFINITY, f64::min);
            thresholds.push(Threshold {
                threshold,
                admitted: end,
                group_size: end - p,
                in_range: (min..=max).contains(&end),
            });
        }
        p = end;
    }
    Ok(Shortlist {
        k,
        min,
        max,
        n_ranked: n,
        items: order[..k].to_vec(),
        status,
        cut_score: if k > 0 { ranking.score_at(k - 1) } else { None },
        next_score: if k < n { ranking.score_at(k) } else { None },
        cuts,
        thresholds,
    })
}

#[cfg(test)]
mod tests {
    use super::super::rank::rank;
    use super::*;

    fn scores(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|&x| Some(x)).collect()
    }

    #[test]
    fn clean_cut_takes_max() {
        // 6 distinct scores, K in [2, 4] → K = 4 (4th = 60, 5th = 50).
        let r = rank(&scores(&[90.0, 80.0, 70.0, 60.0, 50.0, 40.0]));
        let s = shortlist(&r, 2, 4, 1).expect("valid");
        assert_eq!(s.k, 4);
        assert_eq!(s.items, vec![0, 1, 2, 3]);
        assert_eq!(s.status, CutStatus::Clean);
        assert_eq!((s.cut_score, s.next_score), (Some(60.0), Some(50.0)));
        assert_eq!(s.cuts.len(), 3);
        assert!(s.cuts.iter().all(|c| !c.splits_tie));
    }

    #[test]
    fn tie_straddling_max_lowers_k() {
        // Scores 90, 80, 70, 70, 60 with K in [2, 3]: K = 3 would split the 70s → K = 2.
        let r = rank(&scores(&[90.0, 70.0, 80.0, 70.0, 60.0]));
        let s = shortlist(&r, 2, 3, 0).expect("valid");
        assert_eq!(s.k, 2);
        assert_eq!(s.items, vec![0, 2]);
        assert_eq!(s.status, CutStatus::Clean);
        assert_eq!(
            s.cuts,
            vec![
                CutOption {
                    k: 2,
                    score_at_cut: 80.0,
                    next_score: Some(70.0),
                    splits_tie: false
                },
                CutOption {
                    k: 3,
                    score_at_cut: 70.0,
                    next_score: Some(70.0),
                    splits_tie: true
                },
            ]
        );
    }

    #[test]
    fn every_k_splits_a_tie() {
        // 90, then five items at 70 (positions 2..6), then 50; K in [3, 5] all split the 70s.
        let r = rank(&scores(&[70.0, 90.0, 70.0, 70.0, 50.0, 70.0, 70.0]));
        let s = shortlist(&r, 3, 5, 0).expect("valid");
        assert_eq!(s.k, 5);
        // Listed: 1 (90), then the 70s by item index 0, 2, 3, 5, 6; the list keeps the first five.
        assert_eq!(s.items, vec![1, 0, 2, 3, 5]);
        assert_eq!(
            s.status,
            CutStatus::TieAtCut {
                tied: vec![0, 2, 3, 5, 6],
                places: 4
            }
        );
        // Threshold map: ≥90 admits 1, ≥70 admits 6 (groups overlapping positions 3..=5 only → the 70s).
        assert_eq!(
            s.thresholds,
            vec![Threshold {
                threshold: 70.0,
                admitted: 6,
                group_size: 5,
                in_range: false
            }]
        );
    }

    #[test]
    fn fewer_ranked_than_min() {
        let r = rank(&[Some(60.0), None, Some(70.0)]);
        let s = shortlist(&r, 25, 30, 5).expect("valid");
        assert_eq!(s.k, 2);
        assert_eq!(s.status, CutStatus::FewerThanMin);
        assert_eq!(s.items, vec![2, 0]);
        assert!(s.cuts.is_empty());
        let empty = shortlist(&rank(&[]), 25, 30, 5).expect("valid");
        assert_eq!((empty.k, empty.cut_score), (0, None));
    }

    #[test]
    fn between_min_and_max_takes_all() {
        // 4 ranked, K in [3, 6]: K = 4 (all ranked), even though position 3/4 tie.
        let r = rank(&scores(&[50.0, 60.0, 50.0, 80.0]));
        let s = shortlist(&r, 3, 6, 0).expect("valid");
        assert_eq!(s.k, 4);
        assert_eq!(s.status, CutStatus::Clean);
    }

    #[test]
    fn threshold_map_window() {
        // Scores 100, 90, 90, 80, 70, 60, 50 with K in [3, 4], window 1 → positions 2..=5.
        let r = rank(&scores(&[100.0, 90.0, 90.0, 80.0, 70.0, 60.0, 50.0]));
        let s = shortlist(&r, 3, 4, 1).expect("valid");
        let rows: Vec<(f64, usize, bool)> = s
            .thresholds
            .iter()
            .map(|t| (t.threshold, t.admitted, t.in_range))
            .collect();
        assert_eq!(
            rows,
            vec![(90.0, 3, true), (80.0, 4, true), (70.0, 5, false)]
        );
        assert_eq!(s.k, 4);
        assert!(matches!(
            shortlist(&r, 5, 4, 0),
            Err(AggregateError::ShortlistBounds { .. })
        ));
    }
}
