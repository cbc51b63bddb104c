//! The closed-form methods on a block of bootstrap resamples at once.
//!
//! `Engine`'s walks (`methods`) read one resample's multiplicity per score. Here [`BLOCK`]
//! resamples share each pass over a nomination's scores: their multiplicities are laid out
//! per expert (a row of [`BLOCK`] lanes), so a score costs one load of its total and one
//! fixed-width row of multiplicities, and the resamples' running sums are independent lanes
//! the compiler vectorises (no chain of dependent additions, no branch on who was drawn).
//!
//! Every lane performs the single-resample walk's operations in the same order (the same
//! products added to a sum starting at 0, score by score; an absent expert adds 0 · t, which
//! leaves the sum as it was), so the scores are bit-identical to `Engine::score`'s: a test
//! compares both on random panels and resamples.

use super::methods::{Engine, Method, TrimRule};

/// Resamples scored per pass.
pub(super) const BLOCK: usize = 8;

/// Multiplicity rows and scratch for scoring blocks of resamples (allocated once).
#[derive(Debug, Clone)]
pub(super) struct Block {
    method: Method,
    rule: TrimRule,
    /// Multiplicity per expert and lane as f64 (times the zscore mask under zscore).
    mf: Vec<Lanes<f64>>,
    /// Multiplicity per expert and lane as an integer (the counts).
    mu: Vec<Lanes<u32>>,
    /// Per score of one nomination and lane: its multiplier in the trimmed sum.
    mm: Vec<Lanes<f64>>,
    /// Lanes loaded.
    lanes: usize,
    /// Score with the AVX2 build of the kernels (the CPU has it).
    avx2: bool,
}

/// One lane per resample of the block.
type Lanes<T> = [T; BLOCK];

/// Running Σ m x and Σ m per lane.
type Sums = (Lanes<f64>, Lanes<u32>);

/// Stores item i's lane scores: `out[k * ni + i]` for the first `loaded` lanes.
#[inline(always)]
fn put_lanes(ni: usize, loaded: usize, i: usize, lanes: Lanes<f64>, out: &mut [f64]) {
    for (k, s) in lanes.into_iter().enumerate().take(loaded) {
        out[k * ni + i] = s;
    }
}

/// Whether the CPU runs AVX2 (a block checks once; the ranking per sort).
pub(super) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Σ m x / Σ m per lane; NaN (no score) where nothing was added.
#[inline(always)]
fn mean_of((s, n): Sums) -> Lanes<f64> {
    let mut out = [f64::NAN; BLOCK];
    for k in 0..BLOCK {
        if n[k] > 0 {
            out[k] = s[k] / f64::from(n[k]);
        }
    }
    out
}

impl Block {
    /// Buffers for `eng`'s panel under `method` (not `Calibrated`) with the panel's trim rule.
    pub fn new(eng: &Engine, method: Method, rule: TrimRule) -> Self {
        let widest = (0..eng.n_items)
            .map(|i| eng.start[i + 1] - eng.start[i])
            .max()
            .unwrap_or(0);
        Block {
            method,
            rule,
            mf: vec![[0.0; BLOCK]; eng.n_experts],
            mu: vec![[0; BLOCK]; eng.n_experts],
            mm: vec![[0.0; BLOCK]; widest],
            lanes: 0,
            avx2: has_avx2(),
        }
    }

    /// Empties the block (every lane's multiplicities 0).
    pub fn clear(&mut self) {
        self.mf.fill([0.0; BLOCK]);
        self.mu.fill([0; BLOCK]);
        self.lanes = 0;
    }

    /// Number of resamples loaded.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// Loads the next resample's multiplicities into the next lane (at most [`BLOCK`]).
    pub fn push(&mut self, eng: &Engine, mult: &[u32]) {
        let r = self.lanes;
        debug_assert!(r < BLOCK);
        let zscore = self.method == Method::Zscore;
        for (e, &m) in mult.iter().enumerate().take(eng.n_experts) {
            let m = if zscore { m * eng.z_counts[e] } else { m };
            self.mf[e][r] = f64::from(m);
            self.mu[e][r] = m;
        }
        self.lanes += 1;
    }

    /// Scores every item for every loaded lane: `out[r * n_items + i]` (NaN = nobody counting).
    pub fn score(&mut self, eng: &Engine, out: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: `has_avx2` found AVX2 on this CPU.
            unsafe { self.score_avx2(eng, out) };
            return;
        }
        self.score_lanes(eng, out);
    }

    /// [`Block::score`]'s kernels compiled for AVX2: the same operations in the same order per
    /// lane, four f64 lanes per instruction instead of two. Not FMA: a fused multiply-add rounds
    /// once where the portable build rounds twice.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn score_avx2(&mut self, eng: &Engine, out: &mut [f64]) {
        self.score_lanes(eng, out);
    }

    /// The kernels, inlined into the portable and the AVX2 entry points.
    #[inline(always)]
    fn score_lanes(&mut self, eng: &Engine, out: &mut [f64]) {
        let (ni, loaded) = (eng.n_items, self.lanes);
        let plain = match self.method {
            Method::Mean | Method::Zscore => true,
            Method::Trimmed => self.rule == TrimRule::Mean,
            Method::Median | Method::Calibrated => false,
        };
        if plain {
            let xs = if self.method == Method::Zscore {
                &eng.z
            } else {
                &eng.total
            };
            let part = |i: usize| {
                let r = eng.start[i]..eng.start[i + 1];
                (&eng.expert[r.clone()], &xs[r])
            };
            // Two items per pass: two independent sets of running sums.
            let pairs = ni / 2 * 2;
            for i in (0..pairs).step_by(2) {
                let [a, b] = self.sum2(part(i), part(i + 1));
                put_lanes(ni, loaded, i, a, out);
                put_lanes(ni, loaded, i + 1, b, out);
            }
            if pairs < ni {
                let (experts, xs) = part(pairs);
                put_lanes(ni, loaded, pairs, self.sum(experts, xs), out);
            }
            return;
        }
        for i in 0..ni {
            let r = eng.start[i]..eng.start[i + 1];
            let lanes: Lanes<f64> = match self.method {
                Method::Median => self.median(&eng.expert[r.clone()], &eng.total[r]),
                Method::Trimmed => self.trimmed(&eng.expert[r.clone()], &eng.total[r]),
                _ => [f64::NAN; BLOCK],
            };
            put_lanes(ni, loaded, i, lanes, out);
        }
    }

    /// Adds the score x of expert e to every lane's sums.
    #[inline(always)]
    fn add(&self, acc: &mut Sums, e: usize, x: f64) {
        let (m, c) = (&self.mf[e], &self.mu[e]);
        for k in 0..BLOCK {
            acc.0[k] += m[k] * x;
            acc.1[k] += c[k];
        }
    }

    /// Σ m x / Σ m per lane (the mean and the zscore mean).
    #[inline(always)]
    fn sum(&self, experts: &[usize], xs: &[f64]) -> Lanes<f64> {
        let mut acc = ([0.0; BLOCK], [0; BLOCK]);
        for (&e, &x) in experts.iter().zip(xs) {
            self.add(&mut acc, e, x);
        }
        mean_of(acc)
    }

    /// [`Block::sum`] of two items in one pass, each item's scores added in their own order.
    #[inline(always)]
    fn sum2(&self, a: (&[usize], &[f64]), b: (&[usize], &[f64])) -> [Lanes<f64>; 2] {
        let mut acc = [([0.0; BLOCK], [0; BLOCK]); 2];
        let common = a.0.len().min(b.0.len());
        for (((&ea, &xa), &eb), &xb) in a.0[..common]
            .iter()
            .zip(&a.1[..common])
            .zip(&b.0[..common])
            .zip(&b.1[..common])
        {
            self.add(&mut acc[0], ea, xa);
            self.add(&mut acc[1], eb, xb);
        }
        for (&e, &x) in a.0[common..].iter().zip(&a.1[common..]) {
            self.add(&mut acc[0], e, x);
        }
        for (&e, &x) in b.0[common..].iter().zip(&b.1[common..]) {
            self.add(&mut acc[1], e, x);
        }
        // Not `acc.map(mean_of)`: its closure stays out of line, outside the AVX2 build.
        [mean_of(acc[0]), mean_of(acc[1])]
    }

    /// The trimmed mean per lane: one copy of the lowest and of the highest present score
    /// dropped (their multipliers lowered by one), the rest summed in order; the mean where
    /// fewer than three copies are present.
    #[inline(always)]
    fn trimmed(&mut self, experts: &[usize], totals: &[f64]) -> Lanes<f64> {
        let mut n = [0.0; BLOCK];
        for (j, &e) in experts.iter().enumerate() {
            let m = self.mf[e];
            self.mm[j] = m;
            for k in 0..BLOCK {
                n[k] += m[k];
            }
        }
        let len = experts.len();
        for (k, &nk) in n.iter().enumerate().take(self.lanes) {
            if nk < 3.0 {
                continue;
            }
            let present = |j: usize| self.mm[j][k] > 0.0;
            // n ≥ 3 copies: both ends exist.
            let first = (0..len).find(|&j| present(j)).unwrap_or(0);
            let last = (0..len).rev().find(|&j| present(j)).unwrap_or(0);
            self.mm[first][k] -= 1.0;
            self.mm[last][k] -= 1.0;
        }
        let mut s = [0.0; BLOCK];
        for (j, &t) in totals.iter().enumerate() {
            let m = &self.mm[j];
            for k in 0..BLOCK {
                s[k] += m[k] * t;
            }
        }
        let mut out = [f64::NAN; BLOCK];
        for k in 0..BLOCK {
            out[k] = match n[k] {
                x if x >= 3.0 => s[k] / (x - 2.0),
                x if x > 0.0 => s[k] / x,
                _ => f64::NAN,
            };
        }
        out
    }

    /// The multiset median per lane: the two middle copies are the first scores whose running
    /// count passes (n − 1) / 2 and n / 2, found by counting the scores that do not.
    #[inline(always)]
    fn median(&self, experts: &[usize], totals: &[f64]) -> Lanes<f64> {
        let mut n = [0u32; BLOCK];
        for &e in experts {
            let m = &self.mu[e];
            for k in 0..BLOCK {
                n[k] += m[k];
            }
        }
        // Plain loops rather than array::from_fn: closures need not be inlined into the AVX2
        // build, and then the lanes leave their registers.
        let (mut lo, mut hi) = ([0u32; BLOCK], [0u32; BLOCK]);
        for k in 0..BLOCK {
            lo[k] = n[k].saturating_sub(1) / 2;
            hi[k] = n[k] / 2;
        }
        let (mut seen, mut below_lo, mut below_hi) = ([0u32; BLOCK], [0u32; BLOCK], [0u32; BLOCK]);
        for &e in experts {
            let m = &self.mu[e];
            for k in 0..BLOCK {
                seen[k] += m[k];
                below_lo[k] += u32::from(seen[k] <= lo[k]);
                below_hi[k] += u32::from(seen[k] <= hi[k]);
            }
        }
        let mut out = [f64::NAN; BLOCK];
        for k in 0..BLOCK {
            if n[k] > 0 {
                out[k] = (totals[below_lo[k] as usize] + totals[below_hi[k] as usize]) / 2.0;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::calibrated::CalWorkspace;
    use super::super::calibrated::tests::{random_panel, resample};
    use super::super::panel::Panel;
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Scores `mults` as one block and each alone with `Engine::score`: identical bits.
    fn check(eng: &Engine, method: Method, trim_min: usize, mults: &[Vec<u32>], what: &str) {
        let ni = eng.n_items;
        let mut block = Block::new(eng, method, eng.trim_rule(trim_min));
        block.clear();
        for m in mults {
            block.push(eng, m);
        }
        let mut got = vec![0.0; BLOCK * ni];
        block.score(eng, &mut got);
        let mut ws = CalWorkspace::new(ni, eng.n_experts);
        let mut want = vec![None; ni];
        for (r, m) in mults.iter().enumerate() {
            eng.score(method, trim_min, m, &mut ws, &mut want)
                .expect("score");
            for (i, (g, w)) in got[r * ni..(r + 1) * ni].iter().zip(&want).enumerate() {
                // NaN stands for no score.
                assert_eq!(
                    Some(g.to_bits()).filter(|_| !g.is_nan()),
                    w.map(f64::to_bits),
                    "{what} {method} lane {r} item {i}: {g:?} vs {w:?}"
                );
            }
        }
    }

    #[test]
    fn blocks_equal_the_single_resample_walks_bit_for_bit() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        for case in 0..80u64 {
            let ni = rng.random_range(1..30);
            let ne = rng.random_range(1..25);
            let cover = rng.random_range(0.05..1.0);
            let mut p = random_panel(ni, ne, cover, 900 + case);
            if case % 3 == 0 {
                // Whole-number totals: many ties among an item's scores.
                let mut tied =
                    Panel::new(p.experts().to_vec(), p.items().to_vec(), 0).expect("panel");
                for o in p.observations() {
                    let (e, i) = (&p.experts()[o.expert], &p.items()[o.item]);
                    tied.add(e, i, (o.total / 10.0).round() * 10.0, vec![], o.weight)
                        .expect("obs");
                }
                p = tied;
            }
            let eng = Engine::new(&p);
            let lanes = rng.random_range(1..=BLOCK);
            let mults: Vec<Vec<u32>> = (0..lanes)
                .map(|r| match r % 4 {
                    0 => resample(&mut rng, ne),
                    1 => (0..ne).map(|_| rng.random_range(0..3)).collect(),
                    2 => {
                        // One expert drawn many times, the rest absent.
                        let mut m = vec![0; ne];
                        m[rng.random_range(0..ne)] = rng.random_range(1..6);
                        m
                    }
                    _ => vec![1; ne],
                })
                .collect();
            for method in [
                Method::Mean,
                Method::Trimmed,
                Method::Median,
                Method::Zscore,
            ] {
                for trim_min in [3, 5, 30] {
                    check(&eng, method, trim_min, &mults, &format!("case {case}"));
                }
            }
        }
    }

    #[test]
    fn avx2_and_portable_kernels_agree_bit_for_bit() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(23);
        for case in 0..40u64 {
            let (ni, ne) = (rng.random_range(1..40), rng.random_range(1..30));
            let eng = Engine::new(&random_panel(ni, ne, rng.random_range(0.1..1.0), 50 + case));
            let mults: Vec<Vec<u32>> = (0..BLOCK).map(|_| resample(&mut rng, ne)).collect();
            for method in [
                Method::Mean,
                Method::Trimmed,
                Method::Median,
                Method::Zscore,
            ] {
                let mut outs = [vec![0.0; BLOCK * ni], vec![0.0; BLOCK * ni]];
                for (avx2, out) in [false, true].into_iter().zip(&mut outs) {
                    let mut block = Block::new(&eng, method, eng.trim_rule(3));
                    // Where the CPU lacks AVX2 both runs are portable.
                    block.avx2 = avx2 && has_avx2();
                    block.clear();
                    for m in &mults {
                        block.push(&eng, m);
                    }
                    block.score(&eng, out);
                }
                let bits = |o: &[f64]| -> Vec<u64> { o.iter().map(|x| x.to_bits()).collect() };
                assert_eq!(bits(&outs[0]), bits(&outs[1]), "case {case} {method}");
            }
        }
    }

    #[test]
    fn an_empty_lane_scores_nothing() {
        let eng = Engine::new(&random_panel(6, 4, 0.9, 3));
        let mut block = Block::new(&eng, Method::Median, TrimRule::Trimmed);
        block.clear();
        block.push(&eng, &[0, 0, 0, 0]);
        let mut out = vec![1.0; BLOCK * 6];
        block.score(&eng, &mut out);
        assert!(out[..6].iter().all(|x| x.is_nan()), "{out:?}");
        assert_eq!(block.lanes(), 1);
    }
}
