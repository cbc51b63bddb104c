//! Competition ranking of item scores with a tie tolerance.
//!
//! Items are sorted by score, highest first. Walking down that list, an item joins the current
//! tie group when its score is within [`TIE_EPS`] of the group's first (highest) score — the
//! group leader, so ties never chain further than 1e-9. A group shares the competition rank
//! of its first position (1, 2, 2, 4) and is listed in panel item order. Items without a
//! score (nobody counting scored them) come last, in panel order, without a rank.

use serde::Serialize;

/// Two scores whose difference is at most this are tied.
pub const TIE_EPS: f64 = 1e-9;

/// A ranking of all items of a panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// Item indices, best first; the unranked items follow in panel order.
    pub order: Vec<usize>,
    /// Competition rank per item index (None = no score).
    pub ranks: Vec<Option<usize>>,
    /// Number of ranked items (the first `n_ranked` entries of `order`).
    pub n_ranked: usize,
    /// The scores that were ranked, per item index.
    pub scores: Vec<Option<f64>>,
}

impl Ranking {
    /// Score of the item at 0-based position `pos` of `order`, if ranked.
    pub fn score_at(&self, pos: usize) -> Option<f64> {
        self.order.get(pos).and_then(|&i| self.scores[i])
    }
}

/// Ranks per-item scores (index = item); non-finite scores are treated as missing.
pub fn rank(scores: &[Option<f64>]) -> Ranking {
    let mut order = Vec::with_capacity(scores.len());
    let mut ranks = vec![0usize; scores.len()];
    let n_ranked = rank_into(scores, &mut order, &mut ranks);
    order.extend((0..scores.len()).filter(|&i| ranks[i] == 0));
    let scores: Vec<Option<f64>> = scores.iter().map(|s| s.filter(|x| x.is_finite())).collect();
    Ranking {
        order,
        ranks: ranks.iter().map(|&r| (r > 0).then_some(r)).collect(),
        n_ranked,
        scores,
    }
}

/// Allocation-free core: fills `order` with the ranked items and `ranks` (0 = unranked); returns their count.
///
/// `order` must have capacity for all items to avoid reallocating.
pub(super) fn rank_into(
    scores: &[Option<f64>],
    order: &mut Vec<usize>,
    ranks: &mut [usize],
) -> usize {
    let key = |i: usize| scores[i].unwrap_or(f64::NEG_INFINITY);
    order.clear();
    for (i, s) in scores.iter().enumerate() {
        ranks[i] = 0;
        if s.is_some_and(f64::is_finite) {
            order.push(i);
        }
    }
    // (score desc, index asc) is a total order, so the unstable (non-allocating) sort is deterministic.
    order.sort_unstable_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    let n = order.len();
    let mut p = 0;
    while p < n {
        let lead = key(order[p]);
        let mut q = p + 1;
        while q < n && lead - key(order[q]) <= TIE_EPS {
            q += 1;
        }
        order[p..q].sort_unstable();
        for &i in &order[p..q] {
            ranks[i] = p + 1;
        }
        p = q;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competition_ranks_with_ties_and_unscored() {
        // Items 0..6: scores 80, 90, None, 80, 70, 80 + 5e-10 (tied with 80 within 1e-9), None.
        let s = [
            Some(80.0),
            Some(90.0),
            None,
            Some(80.0),
            Some(70.0),
            Some(80.0 + 5e-10),
            None,
        ];
        let r = rank(&s);
        // 90 → 1; the three 80s share rank 2, listed by item index 0, 3, 5; 70 → 5.
        assert_eq!(r.order, vec![1, 0, 3, 5, 4, 2, 6]);
        assert_eq!(
            r.ranks,
            vec![Some(2), Some(1), None, Some(2), Some(5), Some(2), None]
        );
        assert_eq!(r.n_ranked, 5);
        assert_eq!(r.score_at(0), Some(90.0));
        assert_eq!(r.score_at(5), None);
    }

    #[test]
    fn ties_do_not_chain_past_the_leader() {
        // 1.0, 1.0 − 0.6e-9, 1.0 − 1.2e-9: the third is 1.2e-9 below the leader → new group.
        let s = [Some(1.0), Some(1.0 - 0.6e-9), Some(1.0 - 1.2e-9)];
        let r = rank(&s);
        assert_eq!(r.ranks, vec![Some(1), Some(1), Some(3)]);
    }

    #[test]
    fn empty_and_all_missing() {
        let r = rank(&[]);
        assert_eq!(r.n_ranked, 0);
        assert!(r.order.is_empty());
        let r = rank(&[None, Some(f64::NAN)]);
        assert_eq!(r.n_ranked, 0);
        assert_eq!(r.order, vec![0, 1]);
        assert_eq!(r.scores, vec![None, None]);
    }
}
