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

/// A key whose ascending order is `f64::total_cmp`'s descending order.
fn descending(x: f64) -> u64 {
    // total_cmp's own transform: flip the magnitude bits of negatives, then the sign bit.
    let bits = x.to_bits();
    let ascending = bits ^ ((((bits as i64) >> 63) as u64) >> 1) ^ (1 << 63);
    !ascending
}

/// Ranks per-item scores (index = item); non-finite scores are treated as missing.
pub fn rank(scores: &[Option<f64>]) -> Ranking {
    let mut order = Vec::with_capacity(scores.len());
    let mut keys = Vec::with_capacity(scores.len());
    let mut ranks = vec![0usize; scores.len()];
    let n_ranked = rank_into(scores, &mut keys, &mut order, &mut ranks);
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
/// `keys` is scratch; `order` and `keys` must have capacity for all items to avoid reallocating.
pub(super) fn rank_into(
    scores: &[Option<f64>],
    keys: &mut Vec<u128>,
    order: &mut Vec<usize>,
    ranks: &mut [usize],
) -> usize {
    keys.clear();
    for (i, s) in scores.iter().enumerate() {
        ranks[i] = 0;
        if let Some(x) = s.filter(|x| x.is_finite()) {
            keys.push(key_of(x, i));
        }
    }
    // (score desc, index asc) as one integer: a total order, so the unstable (non-allocating)
    // sort is deterministic, and each comparison is one integer compare.
    keys.sort_unstable();
    groups(keys, order, ranks)
}

/// (score desc, index asc) as one integer.
fn key_of(x: f64, i: usize) -> u128 {
    (u128::from(descending(x)) << 64) | i as u128
}

/// Scratch of [`Ranker::sort`], allocated once for a run of rankings.
#[derive(Debug, Default)]
pub(super) struct Ranker {
    /// When some score is not finite, the finite ones packed in item order (first `n`) and
    /// their items (when all are, the sort reads the scores in place); each score's bucket.
    xs: Vec<f64>,
    items: Vec<u32>,
    buckets: Vec<u32>,
    /// Start of each bucket in `sorted`.
    starts: Vec<u32>,
    /// The buckets holding more than one score, each as its index + 1.
    crowded: Vec<u32>,
    /// (score, item), highest score first.
    sorted: Vec<(f64, u32)>,
}

impl Ranker {
    /// [`rank_into`] from [`Ranker::sort`]: the same result, which the tests check (the
    /// bootstrap's tally walks the sorted scores itself).
    #[cfg(test)]
    pub fn rank(
        &mut self,
        scores: &[Option<f64>],
        order: &mut Vec<usize>,
        ranks: &mut [usize],
    ) -> usize {
        ranks.fill(0);
        let sorted = self.sort(&missing_as_nan(scores));
        let n = sorted.len();
        order.clear();
        order.resize(n, 0);
        let (mut p, mut lead) = (0, sorted.first().map_or(0.0, |e| e.0));
        for (j, &(x, i)) in sorted.iter().enumerate() {
            if lead - x > TIE_EPS {
                // A tie group ended: list it in item order (its items share their rank).
                if j - p > 1 {
                    order[p..j].sort_unstable();
                }
                p = j;
                lead = x;
            }
            order[j] = i as usize;
            ranks[i as usize] = p + 1;
        }
        if n - p > 1 {
            order[p..n].sort_unstable();
        }
        n
    }

    /// The finite scores with their items, highest score first, without a comparison sort:
    /// they are distributed into about two buckets per item by score (highest first; a
    /// monotone map, so scores of different buckets are already in order), then only the
    /// buckets that received more than one score are sorted: up to four by a fixed network of
    /// branch-free compare-exchanges, larger ones by the library sort.
    ///
    /// Only the scores are sorted, not (score, item): equal scores may end in any order. A
    /// ranking made from them is still `rank_into`'s: a tie group is every remaining score
    /// within [`TIE_EPS`] of the highest one (a set of values, whatever their order), listed
    /// in item order; and `-0.0`, which compares equal to `0.0` here, is tied with it there
    /// too.
    ///
    /// `scores` per item, a missing one as NaN: every non-finite score counts as missing.
    pub fn sort(&mut self, scores: &[f64]) -> &[(f64, u32)] {
        #[cfg(target_arch = "x86_64")]
        if super::block::has_avx2() {
            // SAFETY: the CPU has AVX2.
            let n = unsafe { self.sort_avx2(scores) };
            return &self.sorted[..n];
        }
        let n = self.sort_lanes(scores);
        &self.sorted[..n]
    }

    /// [`Ranker::sort`] compiled for AVX2, where its passes over the scores vectorise four
    /// lanes wide: the same operations in the same order, no FMA, so the same buckets.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn sort_avx2(&mut self, scores: &[f64]) -> usize {
        self.sort_lanes(scores)
    }

    /// The sort, inlined into the portable and the AVX2 entry points; returns how many.
    #[inline(always)]
    fn sort_lanes(&mut self, scores: &[f64]) -> usize {
        let ni = scores.len();
        if self.xs.len() < ni {
            self.xs.resize(ni, 0.0);
            self.items.resize(ni, 0);
            self.buckets.resize(ni, 0);
            self.sorted.resize(ni, (0.0, 0));
        }
        // One pass finds the extremes and whether all scores are finite (the usual case:
        // then the items are the positions, and nothing is copied). Four running extremes, so
        // the pass vectorises.
        let (mut lo, mut hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
        let mut finite = [true; 4];
        let quads = scores.chunks_exact(4);
        for (k, &x) in quads.remainder().iter().enumerate() {
            finite[k] &= x.is_finite();
            lo[k] = lower(lo[k], x);
            hi[k] = higher(hi[k], x);
        }
        for s in quads {
            for k in 0..4 {
                finite[k] &= s[k].is_finite();
                lo[k] = lower(lo[k], s[k]);
                hi[k] = higher(hi[k], s[k]);
            }
        }
        let all_finite = finite[0] & finite[1] & finite[2] & finite[3];
        let xs = if all_finite {
            scores
        } else {
            // Pack the finite ones with their items, without a branch, and find their extremes.
            let mut n = 0;
            for (i, &x) in scores.iter().enumerate() {
                self.xs[n] = x;
                self.items[n] = i as u32;
                n += usize::from(x.is_finite());
            }
            (lo, hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
            for (k, &x) in self.xs[..n].iter().enumerate() {
                lo[k % 4] = lo[k % 4].min(x);
                hi[k % 4] = hi[k % 4].max(x);
            }
            &self.xs[..n]
        };
        let n = xs.len();
        let lo = lo[0].min(lo[1]).min(lo[2].min(lo[3]));
        let hi = hi[0].max(hi[1]).max(hi[2].max(hi[3]));
        let buckets = (2 * n).max(1);
        // (hi − x)·scale is monotone in x (IEEE operations round monotonically), so is the
        // bucket; a non-finite scale puts everything in one bucket.
        let scale = match buckets as f64 / (hi - lo) {
            s if s.is_finite() => s,
            _ => 0.0,
        };
        // The nearest integer, also monotone, read from the low bits of y + 2^52 (exact for
        // 0 ≤ y < 2^31): a pass the compiler vectorises, where a cast to an integer, which
        // saturates, it does not. Buckets past i32's range go unused, which keeps the map
        // monotone; so does sending NaN (∞ · 0, when hi − lo overflows) to the last bucket, as
        // only the lowest scores overflow hi − x.
        let last = (buckets - 1).min(i32::MAX as usize) as f64;
        let bs = &mut self.buckets[..n];
        for (b, &x) in bs.iter_mut().zip(xs) {
            let y = (hi - x) * scale;
            let y = if y < last { y } else { last };
            *b = (y + TWO_POW_52).to_bits() as u32;
        }
        // Counts, at b + 1 (the prefix sum then leaves each bucket's end there), and the
        // buckets that receive a second score, listed without a branch: the slot is written
        // every time and kept only then. At most n / 2 of them, so within `crowded`.
        self.starts.clear();
        self.starts.resize(buckets + 2, 0);
        if self.crowded.len() < n {
            self.crowded.resize(n, 0);
        }
        let (crowded, starts) = (&mut self.crowded[..n], &mut self.starts[..]);
        let mut n_crowded = 0;
        for &b in bs.iter() {
            // The new count from a register, not read back past the store to `crowded`.
            let count = starts[b as usize + 1] + 1;
            starts[b as usize + 1] = count;
            crowded[n_crowded.min(n - 1)] = b + 1;
            n_crowded += usize::from(count == 2);
        }
        let mut sum = 0;
        for s in &mut self.starts {
            sum += *s;
            *s = sum;
        }
        // Now starts[b + 1] is the end of bucket b: fill each bucket from its end, backwards.
        let sorted = &mut self.sorted[..n];
        if all_finite {
            for (i, (&x, &b)) in xs.iter().zip(bs.iter()).enumerate().rev() {
                let end = &mut self.starts[b as usize + 1];
                *end -= 1;
                sorted[*end as usize] = (x, i as u32);
            }
        } else {
            for ((&x, &i), &b) in xs.iter().zip(&self.items[..n]).zip(bs.iter()).rev() {
                let end = &mut self.starts[b as usize + 1];
                *end -= 1;
                sorted[*end as usize] = (x, i);
            }
        }
        // Now bucket c − 1 is sorted[starts[c]..starts[c + 1]].
        for &c in &self.crowded[..n_crowded] {
            let c = c as usize;
            let bucket = &mut sorted[self.starts[c] as usize..self.starts[c + 1] as usize];
            match bucket.len() {
                2 => exchange(bucket, 0, 1),
                3 => {
                    exchange(bucket, 0, 1);
                    exchange(bucket, 1, 2);
                    exchange(bucket, 0, 1);
                }
                4 => {
                    exchange(bucket, 0, 1);
                    exchange(bucket, 2, 3);
                    exchange(bucket, 0, 2);
                    exchange(bucket, 1, 3);
                    exchange(bucket, 1, 2);
                }
                _ => bucket.sort_unstable_by(|a, b| b.0.total_cmp(&a.0)),
            }
        }
        n
    }

    /// The first `n` entries of the last [`Ranker::sort`].
    pub fn sorted(&self, n: usize) -> &[(f64, u32)] {
        &self.sorted[..n]
    }
}

/// The score a [`descending`] key was made from.
fn undescend(key: u64) -> f64 {
    // Undo the complement and the sign flip, then the magnitude flip of negatives.
    let flipped = !key ^ (1 << 63);
    f64::from_bits(flipped ^ ((((flipped as i64) >> 63) as u64) >> 1))
}

/// The score a key was made from (inverse of [`key_of`]'s upper half).
fn score_of(key: u128) -> f64 {
    undescend((key >> 64) as u64)
}

/// Writes `scores` as [`Ranker::sort`] takes them, a missing one as NaN.
pub(super) fn write_missing_as_nan(scores: &[Option<f64>], out: &mut [f64]) {
    for (o, s) in out.iter_mut().zip(scores) {
        *o = s.unwrap_or(f64::NAN);
    }
}

/// `scores` as [`Ranker::sort`] takes them, a missing one as NaN.
#[cfg(test)]
pub(super) fn missing_as_nan(scores: &[Option<f64>]) -> Vec<f64> {
    let mut out = vec![0.0; scores.len()];
    write_missing_as_nan(scores, &mut out);
    out
}

/// 2^52: below it, adding a non-negative f64 rounds it to an integer held in the low bits.
const TWO_POW_52: f64 = 4_503_599_627_370_496.0;

/// The lower of two scores, as one vector instruction: which one a NaN gives does not matter
/// (the extremes are used only when every score is finite).
#[inline(always)]
fn lower(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The higher of two scores; see [`lower`].
#[inline(always)]
fn higher(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// Puts the higher score of `r[i]` and `r[j]` first, without a branch (which of two scores
/// in a bucket is higher is a coin toss to the branch predictor).
#[inline(always)]
fn exchange(r: &mut [(f64, u32)], i: usize, j: usize) {
    let (a, b) = (r[i], r[j]);
    let swap = a.0 < b.0;
    r[i] = std::hint::select_unpredictable(swap, b, a);
    r[j] = std::hint::select_unpredictable(swap, a, b);
}

/// Order and competition ranks from the sorted keys: tie groups (within [`TIE_EPS`] of their
/// leader) listed in item order; returns the number ranked.
fn groups(keys: &[u128], order: &mut Vec<usize>, ranks: &mut [usize]) -> usize {
    // Every key holds a finite score: read it back rather than look the item up.
    groups_by(keys, |&k| k as u64 as usize, |&k| score_of(k), order, ranks)
}

/// [`groups`] for sorted keys of any form, given how to read a key's item and score.
fn groups_by<K>(
    keys: &[K],
    item: impl Fn(&K) -> usize,
    score: impl Fn(&K) -> f64,
    order: &mut Vec<usize>,
    ranks: &mut [usize],
) -> usize {
    order.clear();
    order.extend(keys.iter().map(&item));
    let n = order.len();
    let mut p = 0;
    while p < n {
        let lead = score(&keys[p]);
        let mut q = p + 1;
        while q < n && lead - score(&keys[q]) <= TIE_EPS {
            q += 1;
        }
        if q - p > 1 {
            order[p..q].sort_unstable();
        }
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
    fn descending_keys_follow_total_cmp() {
        let xs = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            5e-324,
            1.0,
            1.0 + f64::EPSILON,
            99.5,
            f64::INFINITY,
        ];
        for a in xs {
            for b in xs {
                assert_eq!(
                    descending(a).cmp(&descending(b)),
                    b.total_cmp(&a),
                    "{a} vs {b}"
                );
            }
        }
    }

    /// Ranks `scores` with `ranker` and with `rank_into`: identical count, order and ranks.
    fn same_as_plain(ranker: &mut Ranker, scores: &[Option<f64>], what: &str) {
        let n = scores.len();
        let (mut keys, mut order, mut order2) = (Vec::new(), Vec::new(), Vec::new());
        let (mut ranks, mut ranks2) = (vec![0; n], vec![7; n]);
        let a = rank_into(scores, &mut keys, &mut order, &mut ranks);
        let b = ranker.rank(scores, &mut order2, &mut ranks2);
        assert_eq!((a, &order, &ranks), (b, &order2, &ranks2), "{what}");
    }

    /// A random score: mostly near `base`, sometimes missing, non-finite, or one of a few
    /// values tied exactly or within 1e-9.
    fn noisy(rng: &mut impl rand::Rng, base: f64, spread: f64) -> Option<f64> {
        match rng.random_range(0..40) {
            0 => None,
            1 => Some(f64::NAN),
            2 => Some(70.0),
            3 => Some(70.0 + 4e-10),
            4 => Some(f64::INFINITY),
            5 => Some(-0.0),
            _ => Some(base + rng.random_range(-1.0..1.0) * spread),
        }
    }

    #[test]
    fn ranker_equals_the_plain_ranking_on_unrelated_scores() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(29);
        let mut ranker = Ranker::default();
        for round in 0..400 {
            // Spread or bunched scores, ties within 1e-9, equal scores, missing and non-finite
            // ones, negative and huge values, one or no score; each unrelated to the last.
            let n = if round % 50 == 0 {
                rng.random_range(0..60)
            } else {
                40
            };
            let spread = [0.5, 100.0, 1e-12, 0.0, 1e300][round % 5];
            let scores: Vec<Option<f64>> = (0..n)
                .map(|i| noisy(&mut rng, 80.0 - 0.1 * i as f64, spread))
                .collect();
            same_as_plain(&mut ranker, &scores, &format!("round {round}"));
        }
    }

    #[test]
    fn ranker_equals_the_plain_ranking_on_runs_of_resample_like_scores() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31);
        for run in 0..24 {
            // Runs of rankings as a bootstrap makes them, with one Ranker: each score near the
            // item's own merit (items in random order), a little or far off; whole-number
            // scores tie exactly and often, and share buckets.
            let n = [300, 40, 7, 1][run % 4];
            let noise = [0.05, 1.0, 20.0][run % 3];
            let whole = run % 2 == 0;
            let merit: Vec<f64> = (0..n).map(|_| rng.random_range(30.0..90.0)).collect();
            let mut ranker = Ranker::default();
            for round in 0..60 {
                let scores: Vec<Option<f64>> = merit
                    .iter()
                    .map(|&m| noisy(&mut rng, m, noise).map(|x| if whole { x.round() } else { x }))
                    .collect();
                same_as_plain(&mut ranker, &scores, &format!("run {run} round {round}"));
            }
        }
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn avx2_and_portable_sorts_agree_bit_for_bit() {
        use rand::SeedableRng;
        if !super::super::block::has_avx2() {
            return;
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(37);
        let (mut portable, mut avx2) = (Ranker::default(), Ranker::default());
        for round in 0..300 {
            let n = [300, 41, 7, 1, 0][round % 5];
            let spread = [0.5, 100.0, 1e-12, 0.0, 1e300][round % 5];
            let scores: Vec<Option<f64>> = (0..n)
                .map(|i| noisy(&mut rng, 80.0 - 0.1 * i as f64, spread))
                .collect();
            let a = portable.sort_lanes(&missing_as_nan(&scores));
            // SAFETY: the CPU has AVX2 (checked above).
            let b = unsafe { avx2.sort_avx2(&missing_as_nan(&scores)) };
            let bits = |r: &Ranker, n: usize| -> Vec<(u64, u32)> {
                r.sorted[..n]
                    .iter()
                    .map(|&(x, i)| (x.to_bits(), i))
                    .collect()
            };
            assert_eq!(bits(&portable, a), bits(&avx2, b), "round {round}");
        }
    }

    #[test]
    fn ranker_equals_the_plain_ranking_when_one_bucket_holds_everything() {
        // One far outlier puts every other score in the last bucket, in ascending order: the
        // library sort sorts that bucket.
        let mut scores: Vec<Option<f64>> = (0..200).map(|i| Some(f64::from(i) * 1e-3)).collect();
        scores.push(Some(1e300));
        // Equal and signed-zero scores, out of order, in the same bucket.
        scores.extend([Some(0.0), Some(-0.0), Some(0.1), Some(0.1), Some(-0.0)]);
        let mut ranker = Ranker::default();
        same_as_plain(&mut ranker, &scores, "one bucket");
        scores.reverse();
        same_as_plain(&mut ranker, &scores, "one bucket, reversed");
        // hi − lo overflows: the lowest scores overflow hi − x too (∞ · 0 is NaN).
        let mut wide: Vec<Option<f64>> = (0..50).map(|i| Some(f64::from(i % 7) - 3.0)).collect();
        wide.extend([
            Some(f64::MAX),
            Some(-f64::MAX),
            Some(-1e308),
            Some(1e308),
            Some(-0.0),
        ]);
        same_as_plain(&mut ranker, &wide, "range overflows");
        let sorted: Vec<f64> = ranker
            .sort(&missing_as_nan(&wide))
            .iter()
            .map(|e| e.0)
            .collect();
        assert!(sorted.windows(2).all(|w| w[0] >= w[1]), "{sorted:?}");
    }

    /// Every ordering of `values` (Heap's algorithm).
    fn permutations(values: &[f64]) -> Vec<Vec<f64>> {
        fn heap(k: usize, v: &mut Vec<f64>, out: &mut Vec<Vec<f64>>) {
            if k <= 1 {
                out.push(v.clone());
                return;
            }
            for i in 0..k {
                heap(k - 1, v, out);
                let j = if k.is_multiple_of(2) { i } else { 0 };
                v.swap(j, k - 1);
            }
        }
        let mut out = Vec::new();
        heap(values.len(), &mut values.to_vec(), &mut out);
        out
    }

    #[test]
    fn crowded_buckets_of_every_size_and_order_come_out_sorted() {
        // Scores spread over 0..=100 with 2n buckets (n from 8 to 12): the group near 52 shares
        // one bucket, well inside it.
        // Sizes 2–4 take the compare-exchange networks, 5 and 6 the library sort; the group
        // holds exact ties and near ties (within 1e-9), and sits at either end of the list.
        let groups: [&[f64]; 6] = [
            &[52.0, 52.001],
            &[52.002, 52.0, 52.001],
            &[52.0, 52.001, 52.001, 52.0 + 5e-10],
            &[52.003, 52.0, 52.002, 52.001, 52.004],
            &[52.0, 52.0, 52.002, 52.001, 52.004, 52.0 + 5e-10],
            &[52.0, -0.0, 0.0, 52.0],
        ];
        let mut ranker = Ranker::default();
        for group in groups {
            for order in permutations(group) {
                for group_first in [false, true] {
                    let spread = [100.0, 0.0, 90.0, 10.0, 75.0, 25.0];
                    let mut values = order.clone();
                    if group_first {
                        values.extend(spread);
                    } else {
                        values.splice(0..0, spread);
                    }
                    let scores: Vec<Option<f64>> = values.iter().map(|&x| Some(x)).collect();
                    let sorted: Vec<f64> = ranker
                        .sort(&missing_as_nan(&scores))
                        .iter()
                        .map(|e| e.0)
                        .collect();
                    let mut want = values.clone();
                    want.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
                    assert_eq!(sorted, want, "{values:?}");
                    same_as_plain(&mut ranker, &scores, &format!("{values:?}"));
                }
            }
        }
    }

    #[test]
    fn keys_give_back_their_score() {
        for x in [0.0, -0.0, 1.0, -1.0, 99.5, -1e300, 5e-324, f64::MAX] {
            assert_eq!(score_of(key_of(x, 7)).to_bits(), x.to_bits(), "{x}");
        }
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
