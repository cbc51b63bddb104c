//! Shortlist stability by bootstrapping experts.
//!
//! Each of B resamples draws as many experts as the panel has, uniformly with replacement, from
//! a ChaCha8 stream seeded with `ChaCha8Rng::seed_from_u64(seed)`. Indices are drawn with
//! Lemire's unbiased multiply-and-reject method on `next_u32`, written out here so the stream
//! → resample mapping depends only on ChaCha8 (portable and fixed), not on a library's
//! distribution code. The same method is rerun on the resample (an expert drawn twice counts
//! twice; in `calibrated` the copies are distinct experts), items are re-ranked and the same K
//! rule picks the list (the first K in ranking order).
//!
//! Rank interval: an item's rank in a resample is its competition rank, or (number ranked + 1)
//! when nobody in the resample scored it. Percentiles use the nearest-rank method: the p-th
//! percentile is the smallest rank r such that at least ⌈p·B/100⌉ resamples rank the item at r
//! or better. The 90% interval is [5th, 95th].

use std::sync::Mutex;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::block::{BLOCK, Block};
use super::calibrated::{self, CalWorkspace};
use super::config::{AggregateConfig, BootstrapConfig};
use super::error::AggregateError;
use super::methods::{Engine, Method};
use super::panel::Panel;
use super::rank::{Ranker, TIE_EPS, write_missing_as_nan};
use super::resample::Resampler;
use super::shortlist::{CutKind, choose_k_at};

/// Stability of one item across the bootstrap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStability {
    /// Panel index of the item.
    pub item: usize,
    /// Item id.
    pub id: String,
    /// Resamples in which the item made the list.
    pub included: usize,
    /// included / B.
    pub inclusion: f64,
    /// 5th percentile of the rank (best end of the 90% interval).
    pub rank_lo: usize,
    /// Median rank.
    pub rank_median: usize,
    /// 95th percentile of the rank (worst end of the 90% interval).
    pub rank_hi: usize,
    /// Resamples in which nobody counting scored the item.
    pub unscored: usize,
    /// Inclusion within the borderline band.
    pub borderline: bool,
}

/// Result of a bootstrap run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    /// Method rerun on each resample.
    pub method: Method,
    /// Number of resamples B.
    pub replicates: usize,
    /// Seed used.
    pub seed: u64,
    /// Per item, in panel order.
    pub items: Vec<ItemStability>,
    /// Resamples in which every allowed K split a tie.
    pub ties_at_cut: usize,
    /// Resamples with fewer ranked items than the minimum K.
    pub fewer_than_min: usize,
    /// (K, number of resamples) for every K that occurred, ascending.
    pub k_counts: Vec<(usize, usize)>,
}

/// Uniform integer in 0..n (n ≥ 1) by Lemire's method: unbiased, one multiply in the common case.
pub(super) fn bounded(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    let mut m = u64::from(rng.next_u32()) * u64::from(n);
    if (m as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u32) < threshold {
            m = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (m >> 32) as u32
}

/// The bootstrap's resamples in order: each a count per expert of the experts drawn (as many
/// draws as experts, uniformly with replacement, by `bounded` on ChaCha8 from the seed).
pub struct Draws {
    rng: ChaCha8Rng,
    n: u32,
    mult: Vec<u32>,
}

impl Draws {
    /// The resamples of a bootstrap with this seed over `n_experts` experts.
    pub fn new(seed: u64, n_experts: usize) -> Result<Self, AggregateError> {
        let n = u32::try_from(n_experts)
            .map_err(|_| AggregateError::Numerical("too many experts".into()))?;
        Ok(Draws {
            rng: ChaCha8Rng::seed_from_u64(seed),
            n,
            mult: vec![0; n_experts],
        })
    }

    /// The next resample's count per expert.
    pub fn next_counts(&mut self) -> &[u32] {
        self.mult.fill(0);
        for _ in 0..self.n {
            self.mult[bounded(&mut self.rng, self.n) as usize] += 1;
        }
        &self.mult
    }
}

/// Nearest-rank percentile from a histogram `hist[r]` = resamples with rank r, over `b` resamples.
fn percentile(hist: &[u32], b: usize, pct: usize) -> usize {
    let target = (pct * b).div_ceil(100).max(1);
    let mut seen = 0usize;
    for (r, &c) in hist.iter().enumerate() {
        seen += c as usize;
        if seen >= target {
            return r;
        }
    }
    hist.len().saturating_sub(1)
}

/// Whether score `x`, after `prev` in `sorted` (highest first; `prev` infinite for the first),
/// starts a new tie group, the current one starting at `p`: when it is more than [`TIE_EPS`]
/// below the group's leader. A gap of more than that to `prev` decides it without reading
/// the leader (the leader is at least `prev`): the common case, which keeps the walk free
/// of a chain from one score's decision to the next.
#[inline(always)]
fn starts_group(sorted: &[(f64, u32)], p: usize, prev: f64, x: f64) -> bool {
    prev - x > TIE_EPS || sorted[p].0 - x > TIE_EPS
}

/// What the bootstrap counts over its resamples, and the scratch of ranking one.
struct Tally {
    n_items: usize,
    shortlist_min: usize,
    shortlist_max: usize,
    /// Items the real panel counts too few experts for stay out of every resample's cut.
    few: Vec<bool>,
    any_few: bool,
    /// Competition rank at each position of the last sorted ranking (the cut's).
    pos_rank: Vec<usize>,
    /// The list's items in ranking order, tie groups in item order.
    cut_order: Vec<usize>,
    /// Which items the last ranking ranked (read only when some score was missing).
    ranked: Vec<bool>,
    ranker: Ranker,
    eligible: Vec<f64>,
    included: Vec<usize>,
    unscored: Vec<usize>,
    /// Histogram of ranks 1..=ni+1 per item (index 0 unused): ni·(ni+2) counters, no
    /// per-resample storage.
    hist: Vec<u32>,
    k_hist: Vec<usize>,
    ties_at_cut: usize,
    fewer_than_min: usize,
}

impl Tally {
    fn new(eng: &Engine, config: &AggregateConfig) -> Self {
        let few: Vec<bool> = (0..eng.n_items)
            .map(|i| eng.counting(config.method, i) < config.min_n)
            .collect();
        Tally::with(few, config.shortlist_min, config.shortlist_max)
    }

    /// An empty tally for items with these `few` flags and K bounds.
    fn with(few: Vec<bool>, shortlist_min: usize, shortlist_max: usize) -> Self {
        let ni = few.len();
        Tally {
            n_items: ni,
            shortlist_min,
            shortlist_max,
            any_few: few.contains(&true),
            few,
            pos_rank: vec![0; ni],
            cut_order: Vec::with_capacity(ni),
            ranked: vec![false; ni],
            ranker: Ranker::default(),
            eligible: vec![f64::NAN; ni],
            included: vec![0; ni],
            unscored: vec![0; ni],
            hist: vec![0; ni * (ni + 2)],
            k_hist: vec![0; ni + 1],
            ties_at_cut: 0,
            fewer_than_min: 0,
        }
    }

    /// Adds another share's counts to these.
    fn merge(&mut self, other: &Tally) {
        let add = |a: &mut [usize], b: &[usize]| a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        add(&mut self.included, &other.included);
        add(&mut self.unscored, &other.unscored);
        add(&mut self.k_hist, &other.k_hist);
        for (a, b) in self.hist.iter_mut().zip(&other.hist) {
            *a += b;
        }
        self.ties_at_cut += other.ties_at_cut;
        self.fewer_than_min += other.fewer_than_min;
    }

    /// Ranks one resample's scores, picks its list by the K rule and counts both.
    ///
    /// Walks the sorted scores once: each item's competition rank goes straight into its
    /// histogram, and the rank at each position is kept for the K rule (position k starts a
    /// tie group iff its rank is k + 1). Only the tie groups within the list are put in item
    /// order, the only place their order shows. `scores` per item, a missing one as NaN.
    fn add(&mut self, scores: &[f64]) {
        let ni = self.n_items;
        let width = ni + 2;
        let sorted = self.ranker.sort(scores);
        let n_ranked = sorted.len();
        // Slices held locally: through `self`, every increment would reload the vectors'
        // pointers (the compiler cannot tell the stores do not change them).
        let (hist, pos_rank) = (&mut self.hist[..], &mut self.pos_rank[..n_ranked]);
        let (mut p, mut prev) = (0, f64::INFINITY);
        for (j, (&(x, i), r)) in sorted.iter().zip(pos_rank.iter_mut()).enumerate() {
            if starts_group(sorted, p, prev, x) {
                p = j;
            }
            prev = x;
            hist[i as usize * width + p + 1] += 1;
            *r = p + 1;
        }
        if n_ranked < ni {
            // Nobody counting scored these (or their score is not finite): ranked last.
            self.ranked.fill(false);
            for &(_, i) in sorted {
                self.ranked[i as usize] = true;
            }
            for i in 0..ni {
                if !self.ranked[i] {
                    self.unscored[i] += 1;
                    self.hist[i * width + n_ranked + 1] += 1;
                }
            }
        }
        let n_cut = if self.any_few {
            // The cut ranks again without the items too few experts scored.
            for ((x, &s), &f) in self.eligible.iter_mut().zip(scores).zip(&self.few) {
                *x = if f { f64::NAN } else { s };
            }
            let sorted = self.ranker.sort(&self.eligible);
            let (mut p, mut prev) = (0, f64::INFINITY);
            for (j, &(x, _)) in sorted.iter().enumerate() {
                if starts_group(sorted, p, prev, x) {
                    p = j;
                }
                prev = x;
                self.pos_rank[j] = p + 1;
            }
            sorted.len()
        } else {
            n_ranked
        };
        let pos_rank = &self.pos_rank[..n_cut];
        let (k, kind) = choose_k_at(
            |k| pos_rank[k] == k + 1,
            n_cut,
            self.shortlist_min,
            self.shortlist_max,
        );
        match kind {
            CutKind::TieAtCut => self.ties_at_cut += 1,
            CutKind::FewerThanMin => self.fewer_than_min += 1,
            CutKind::Clean => {}
        }
        self.k_hist[k] += 1;
        if k == 0 {
            return;
        }
        // The list: positions 0..k, through the end of the tie group at k − 1 (which the
        // list may cut), each tie group in item order.
        let last = pos_rank[k - 1];
        let end = k + pos_rank[k..].iter().take_while(|&&r| r == last).count();
        let sorted = self.ranker.sorted(end);
        self.cut_order.clear();
        self.cut_order
            .extend(sorted.iter().map(|&(_, i)| i as usize));
        let mut p = 0;
        for j in 1..=end {
            if j == end || pos_rank[j] != pos_rank[p] {
                if j - p > 1 {
                    self.cut_order[p..j].sort_unstable();
                }
                p = j;
            }
        }
        for &i in &self.cut_order[..k] {
            self.included[i] += 1;
        }
    }
}

/// Consecutive resamples' counts: resample r is `counts[r * ne..(r + 1) * ne]`.
#[derive(Clone, Copy)]
struct Resamples<'a> {
    counts: &'a [u32],
    n: usize,
    ne: usize,
}

impl<'a> Resamples<'a> {
    /// Counts of resample r.
    fn get(&self, r: usize) -> &'a [u32] {
        &self.counts[r * self.ne..(r + 1) * self.ne]
    }
}

/// How a resample is scored, prepared once and cloned by each thread (its scratch).
#[derive(Clone)]
enum Scorer {
    /// Closed-form methods: [`BLOCK`] resamples per pass over the panel.
    Block(Block),
    /// `calibrated` on the dense layout, every fit starting from the real panel's leniencies.
    Dense(Resampler),
    /// `calibrated` on the general workspace, with the same warm start.
    Sparse(CalWorkspace),
}

impl Scorer {
    fn new(eng: &Engine, config: &AggregateConfig) -> Result<Self, AggregateError> {
        if config.method != Method::Calibrated {
            return Ok(Scorer::Block(Block::new(
                eng,
                config.method,
                eng.trim_rule(config.trim_min),
            )));
        }
        let mut ws = CalWorkspace::new(eng.n_items, eng.n_experts);
        // Every resample starts its fit from the real panel's leniencies: few iterations.
        calibrated::fit_into(eng, &vec![1; eng.n_experts], &mut ws)?;
        let real = ws.b.clone();
        if Resampler::suits(eng) {
            Ok(Scorer::Dense(Resampler::new(eng, &real)))
        } else {
            ws.for_resamples(&real);
            Ok(Scorer::Sparse(ws))
        }
    }

    /// Scores, ranks and counts `rs` into `tally`; `scores` is scratch of [`BLOCK`] · items,
    /// `fitted` of items.
    fn run(
        &mut self,
        eng: &Engine,
        config: &AggregateConfig,
        rs: Resamples<'_>,
        (scores, fitted): (&mut [f64], &mut [Option<f64>]),
        tally: &mut Tally,
    ) -> Result<(), AggregateError> {
        let ni = eng.n_items;
        match self {
            Scorer::Block(block) => {
                let mut r = 0;
                while r < rs.n {
                    block.clear();
                    while block.lanes() < BLOCK && r < rs.n {
                        block.push(eng, rs.get(r));
                        r += 1;
                    }
                    block.score(eng, scores);
                    for lane in 0..block.lanes() {
                        tally.add(&scores[lane * ni..(lane + 1) * ni]);
                    }
                }
            }
            Scorer::Dense(dense) => {
                let scores = &mut scores[..ni];
                for r in 0..rs.n {
                    dense.fit(rs.get(r), fitted)?;
                    write_missing_as_nan(fitted, scores);
                    tally.add(scores);
                }
            }
            Scorer::Sparse(ws) => {
                let scores = &mut scores[..ni];
                for r in 0..rs.n {
                    eng.score(config.method, config.trim_min, rs.get(r), ws, fitted)?;
                    write_missing_as_nan(fitted, scores);
                    tally.add(scores);
                }
            }
        }
        Ok(())
    }

    /// Scores, ranks and counts into `tally` the resamples this thread claims from `shared`:
    /// up to `claim` at a time, drawn under its lock (the draws stay one stream, in order),
    /// until none are left or a claim has failed.
    fn claim_and_run(
        &mut self,
        eng: &Engine,
        config: &AggregateConfig,
        shared: &Mutex<Shared>,
        claim: usize,
        tally: &mut Tally,
    ) {
        let ne = eng.n_experts;
        let mut scores = vec![f64::NAN; BLOCK * eng.n_items];
        let mut fitted = vec![None; eng.n_items];
        let mut counts = Vec::with_capacity(claim * ne);
        loop {
            let (from, n);
            {
                let mut sh = shared.lock().unwrap_or_else(|p| p.into_inner());
                from = sh.next;
                n = claim.min(sh.replicates - from);
                if n == 0 {
                    return;
                }
                counts.clear();
                for _ in 0..n {
                    counts.extend_from_slice(sh.draws.next_counts());
                }
                sh.next = from + n;
            }
            let part = Resamples {
                counts: &counts,
                n,
                ne,
            };
            if let Err(e) = self.run(eng, config, part, (&mut scores, &mut fitted), tally) {
                // Claims are handed out in order, so every claim before this one is taken and
                // will report its own error; keep the first, as one thread would.
                let mut sh = shared.lock().unwrap_or_else(|p| p.into_inner());
                if sh.failed.as_ref().is_none_or(|(at, _)| from < *at) {
                    sh.failed = Some((from, e));
                }
                // No later claim can matter now.
                sh.next = sh.replicates;
                return;
            }
        }
    }
}

/// What the threads of a run share: the draws, the next resample to claim, the first failure
/// (the first resample of the failed claim, and its error).
struct Shared {
    draws: Draws,
    next: usize,
    replicates: usize,
    failed: Option<(usize, AggregateError)>,
}

/// Bootstraps experts B times with the configured method and K rule; see the module docs.
///
/// Large runs share their resamples among up to [`MAX_THREADS`] threads (as many as the
/// machine offers); the result is the same whatever the number of threads.
pub fn bootstrap(
    panel: &Panel,
    config: &AggregateConfig,
    boot: &BootstrapConfig,
) -> Result<Stability, AggregateError> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    bootstrap_on(panel, config, boot, threads)
}

/// Most threads [`bootstrap`] uses.
pub const MAX_THREADS: usize = 8;

/// Fewest (resample × score) evaluations per thread worth a thread of its own.
const WORK_PER_THREAD: usize = 1 << 20;

/// Resamples a thread claims at a time: two blocks.
const CLAIM: usize = 2 * BLOCK;

/// [`bootstrap`] on at most `threads` threads (at least one; at most [`MAX_THREADS`]).
///
/// The threads take turns drawing the next few resamples (one stream, in order), then each
/// ranks and counts those it drew; every count is a sum over resamples, so the threads'
/// tallies add up to the one-thread result exactly, whatever the split.
pub fn bootstrap_on(
    panel: &Panel,
    config: &AggregateConfig,
    boot: &BootstrapConfig,
    threads: usize,
) -> Result<Stability, AggregateError> {
    run(panel, config, boot, threads, Limits::default())
}

/// When a run is worth splitting, and how many resamples a thread draws at a time.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Fewest (resample × score) evaluations per thread.
    work_per_thread: usize,
    /// Resamples a thread claims (draws) at a time.
    claim: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            work_per_thread: WORK_PER_THREAD,
            claim: CLAIM,
        }
    }
}

/// [`bootstrap_on`] within `limits`.
fn run(
    panel: &Panel,
    config: &AggregateConfig,
    boot: &BootstrapConfig,
    threads: usize,
    limits: Limits,
) -> Result<Stability, AggregateError> {
    config.validate()?;
    boot.validate()?;
    let eng = Engine::new(panel);
    let ni = eng.n_items;
    let b = boot.replicates;
    let shared = Mutex::new(Shared {
        draws: Draws::new(boot.seed, eng.n_experts)?,
        next: 0,
        replicates: b,
        failed: None,
    });
    let work = b.saturating_mul(eng.expert.len().max(1));
    let threads = threads
        .clamp(1, MAX_THREADS)
        .min((work / limits.work_per_thread.max(1)).max(1));
    let claim = limits.claim.max(1);
    let mut score = Scorer::new(&eng, config)?;
    let mut tally = Tally::new(&eng, config);
    // No draw ahead of the threads: each draws what it claims when it is ready for it, so a
    // thread that starts late or shares its core does less and none waits for another.
    let tallies = std::thread::scope(|s| {
        let handles: Vec<_> = (1..threads)
            .map(|_| {
                let (eng, mut score, shared) = (&eng, score.clone(), &shared);
                s.spawn(move || {
                    let mut t = Tally::new(eng, config);
                    score.claim_and_run(eng, config, shared, claim, &mut t);
                    t
                })
            })
            .collect();
        score.claim_and_run(&eng, config, &shared, claim, &mut tally);
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| AggregateError::Numerical("a bootstrap thread failed".into()))
            })
            .collect::<Vec<_>>()
    });
    let shared = shared.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some((_, e)) = shared.failed {
        return Err(e);
    }
    for t in tallies {
        tally.merge(&t?);
    }
    let width = ni + 2;
    let items = (0..ni)
        .map(|i| {
            let h = &tally.hist[i * width..(i + 1) * width];
            let inclusion = tally.included[i] as f64 / b as f64;
            ItemStability {
                item: i,
                id: panel.items()[i].clone(),
                included: tally.included[i],
                inclusion,
                rank_lo: percentile(h, b, 5),
                rank_median: percentile(h, b, 50),
                rank_hi: percentile(h, b, 95),
                unscored: tally.unscored[i],
                borderline: (boot.borderline_low..=boot.borderline_high).contains(&inclusion),
            }
        })
        .collect();
    Ok(Stability {
        method: config.method,
        replicates: b,
        seed: boot.seed,
        items,
        ties_at_cut: tally.ties_at_cut,
        fewer_than_min: tally.fewer_than_min,
        k_counts: tally
            .k_hist
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(k, &c)| (k, c))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::rank::missing_as_nan;
    use super::*;

    /// Deterministic synthetic panel: item i has merit 90 − 0.25·i, expert leniency and noise
    /// from a seeded stream; every expert scores every item unless `coverage` < 1.
    fn synthetic(n_items: usize, n_experts: usize, coverage: f64, seed: u64) -> Panel {
        let items: Vec<String> = (0..n_items).map(|i| format!("item{i:03}")).collect();
        let experts: Vec<String> = (0..n_experts).map(|e| format!("exp{e:02}")).collect();
        let mut p = Panel::new(experts.clone(), items.clone(), 0).expect("panel");
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let unit = |rng: &mut ChaCha8Rng| f64::from(rng.next_u32()) / f64::from(u32::MAX);
        let lean: Vec<f64> = (0..n_experts)
            .map(|_| 10.0 * (unit(&mut rng) - 0.5))
            .collect();
        for (i, item) in items.iter().enumerate() {
            for (e, expert) in experts.iter().enumerate() {
                if unit(&mut rng) > coverage {
                    continue;
                }
                let noise = 12.0 * (unit(&mut rng) - 0.5);
                let t = (90.0 - 0.25 * i as f64 + lean[e] + noise).clamp(0.0, 100.0);
                p.add(expert, item, (t * 10.0).round() / 10.0, vec![], 1.0)
                    .expect("obs");
            }
        }
        p
    }

    fn small_config(method: Method) -> AggregateConfig {
        AggregateConfig {
            method,
            shortlist_min: 5,
            shortlist_max: 7,
            ..AggregateConfig::default()
        }
    }

    fn boot(seed: u64, replicates: usize) -> BootstrapConfig {
        BootstrapConfig {
            replicates,
            seed,
            ..BootstrapConfig::default()
        }
    }

    #[test]
    fn tally_equals_the_plain_ranking_and_k_rule() {
        use super::super::rank::rank;
        use super::super::shortlist::choose_k;
        let mut rng = ChaCha8Rng::seed_from_u64(37);
        let below = |rng: &mut ChaCha8Rng, n: u32| bounded(rng, n.max(1)) as usize;
        for case in 0..150 {
            let ni = 1 + below(&mut rng, 40);
            let few: Vec<bool> = (0..ni)
                .map(|_| case % 3 == 0 && below(&mut rng, 5) == 0)
                .collect();
            let min = below(&mut rng, 8);
            let max = min + below(&mut rng, 6);
            let mut tally = Tally::with(few.clone(), min, max);
            let width = ni + 2;
            let (mut hist, mut included, mut unscored) =
                (vec![0u32; ni * width], vec![0; ni], vec![0; ni]);
            let (mut k_hist, mut ties, mut fewer) = (vec![0; ni + 1], 0, 0);
            for _ in 0..20 {
                // Few distinct values (whole numbers, ties exact and within 1e-9), missing
                // and non-finite scores, signed zeros.
                let scores: Vec<Option<f64>> = (0..ni)
                    .map(|_| match below(&mut rng, 12) {
                        0 => None,
                        1 => Some(f64::NAN),
                        2 => Some(f64::NEG_INFINITY),
                        3 => Some(-0.0),
                        4 => Some(0.0),
                        5 => Some(7.0 + 6e-10),
                        _ => Some(below(&mut rng, 9) as f64),
                    })
                    .collect();
                tally.add(&missing_as_nan(&scores));
                let all = rank(&scores);
                for i in 0..ni {
                    let r = all.ranks[i].unwrap_or_else(|| {
                        unscored[i] += 1;
                        all.n_ranked + 1
                    });
                    hist[i * width + r] += 1;
                }
                let eligible: Vec<Option<f64>> = scores
                    .iter()
                    .zip(&few)
                    .map(|(s, &f)| s.filter(|_| !f))
                    .collect();
                let cut = rank(&eligible);
                let ranks: Vec<usize> = cut.ranks.iter().map(|r| r.unwrap_or(0)).collect();
                let (k, kind) = choose_k(&cut.order, &ranks, cut.n_ranked, min, max);
                match kind {
                    CutKind::TieAtCut => ties += 1,
                    CutKind::FewerThanMin => fewer += 1,
                    CutKind::Clean => {}
                }
                k_hist[k] += 1;
                for &i in &cut.order[..k] {
                    included[i] += 1;
                }
            }
            assert_eq!(tally.hist, hist, "case {case}");
            assert_eq!(tally.included, included, "case {case}");
            assert_eq!(tally.unscored, unscored, "case {case}");
            assert_eq!(tally.k_hist, k_hist, "case {case}");
            assert_eq!(
                (tally.ties_at_cut, tally.fewer_than_min),
                (ties, fewer),
                "case {case}"
            );
        }
    }

    #[test]
    fn bounded_is_in_range_and_fixed() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let draws: Vec<u32> = (0..2000).map(|_| bounded(&mut rng, 30)).collect();
        assert!(draws.iter().all(|&d| d < 30));
        for v in 0..30 {
            assert!(draws.contains(&v), "value {v} never drawn");
        }
        assert_eq!(bounded(&mut rng, 1), 0);
    }

    #[test]
    fn same_seed_same_output_different_seed_different() {
        let p = synthetic(20, 6, 0.8, 1);
        for method in Method::ALL {
            let c = small_config(method);
            let a = bootstrap(&p, &c, &boot(42, 300)).expect("run");
            let b = bootstrap(&p, &c, &boot(42, 300)).expect("run");
            assert_eq!(a, b, "{method}");
            let d = bootstrap(&p, &c, &boot(43, 300)).expect("run");
            assert_ne!(a.items, d.items, "{method}");
        }
    }

    #[test]
    fn pinned_output_for_seed() {
        // Regression pin: if rand_chacha's stream or the resampling ever changes, this fails.
        let p = synthetic(20, 6, 0.8, 1);
        let s = bootstrap(&p, &small_config(Method::Trimmed), &boot(2024, 200)).expect("run");
        let got: Vec<usize> = s.items.iter().map(|i| i.included).collect();
        assert_eq!(got, PINNED);
        // Some item of this panel has fewer than trim_min = 5 experts, so `trimmed` is the plain
        // mean in every resample (re-pinned when the rule became one per panel; before, each
        // resample switched per item on its count of copies).
        let m = bootstrap(&p, &small_config(Method::Mean), &boot(2024, 200)).expect("run");
        assert_eq!(s.items, m.items);
    }

    const PINNED: [usize; 20] = [
        132, 199, 184, 115, 31, 149, 27, 23, 43, 118, 89, 69, 0, 53, 62, 41, 20, 38, 1, 0,
    ];

    #[test]
    fn far_above_always_in_far_below_never() {
        // Items 0–2 are scored ~95 by everyone, items 3–9 ~50, item 10 ~5; K in [3, 3].
        let items: Vec<String> = (0..11).map(|i| format!("i{i:02}")).collect();
        let experts = ["a", "b", "c", "d", "e", "f"];
        let mut p = Panel::new(experts, items.clone(), 0).expect("panel");
        for (i, item) in items.iter().enumerate() {
            for (e, expert) in experts.iter().enumerate() {
                let base = match i {
                    0..=2 => 95.0,
                    10 => 5.0,
                    _ => 50.0,
                };
                let t = base + ((i * 7 + e * 3) % 5) as f64 - 2.0;
                p.add(expert, item, t, vec![], 1.0).expect("obs");
            }
        }
        for method in Method::ALL {
            let c = AggregateConfig {
                method,
                shortlist_min: 3,
                shortlist_max: 3,
                ..AggregateConfig::default()
            };
            let s = bootstrap(&p, &c, &boot(9, 200)).expect("run");
            for i in 0..3 {
                assert_eq!(s.items[i].inclusion, 1.0, "{method} item {i}");
                assert!(s.items[i].rank_hi <= 3);
                assert!(!s.items[i].borderline);
            }
            assert_eq!(s.items[10].inclusion, 0.0, "{method}");
            assert_eq!(
                (s.items[10].rank_lo, s.items[10].rank_hi),
                (11, 11),
                "{method}"
            );
        }
    }

    #[test]
    fn percentile_nearest_rank() {
        // 20 resamples: ranks 1 ×1, 2 ×9, 3 ×9, 7 ×1.
        let mut h = vec![0u32; 9];
        h[1] = 1;
        h[2] = 9;
        h[3] = 9;
        h[7] = 1;
        // 5th: ⌈1⌉ = 1st value → 1; 50th: 10th value → 2; 95th: 19th value → 3; 100th → 7.
        assert_eq!(percentile(&h, 20, 5), 1);
        assert_eq!(percentile(&h, 20, 50), 2);
        assert_eq!(percentile(&h, 20, 95), 3);
        assert_eq!(percentile(&h, 20, 100), 7);
    }

    #[test]
    fn edge_panels_do_not_panic() {
        let c = AggregateConfig::default();
        let empty = Panel::new(Vec::<String>::new(), Vec::<String>::new(), 0).expect("panel");
        let s = bootstrap(&empty, &c, &boot(1, 10)).expect("run");
        assert!(s.items.is_empty());
        let no_experts = Panel::new(Vec::<String>::new(), ["A"], 0).expect("panel");
        let s = bootstrap(&no_experts, &c, &boot(1, 10)).expect("run");
        assert_eq!(s.items[0].unscored, 10);
        assert_eq!((s.items[0].rank_lo, s.items[0].rank_hi), (1, 1));
        let mut one = Panel::new(["e"], ["A", "B"], 0).expect("panel");
        one.add("e", "A", 50.0, vec![], 1.0).expect("obs");
        for method in Method::ALL {
            let c = AggregateConfig {
                method,
                ..AggregateConfig::default()
            };
            let s = bootstrap(&one, &c, &boot(1, 10)).expect("run");
            assert_eq!(s.fewer_than_min, 10);
        }
        assert!(matches!(
            bootstrap(&one, &c, &boot(1, 0)),
            Err(AggregateError::Replicates)
        ));
    }

    #[test]
    fn every_thread_count_gives_the_same_result() {
        // Dense and sparse panels (calibrated's two layouts), one with a too-thinly-scored item
        // (the cut ranks twice); B not a multiple of the block or of the thread count.
        for (ni, ne, coverage, seed) in [(40, 12, 1.0, 3), (60, 40, 0.15, 4), (25, 7, 0.6, 5)] {
            let p = synthetic(ni, ne, coverage, seed);
            for method in Method::ALL {
                let c = small_config(method);
                let b = boot(11, 203);
                let one = bootstrap_on(&p, &c, &b, 1).expect("run");
                for (threads, claim) in [(2, CLAIM), (3, CLAIM), (8, CLAIM), (2, 3), (1, 5)] {
                    // Small enough to run on one thread by default: force the split, and
                    // (the last two) claim fewer resamples than a block, or not a multiple.
                    let limits = Limits {
                        work_per_thread: 1,
                        claim,
                    };
                    let many = run(&p, &c, &b, threads, limits).expect("run");
                    assert_eq!(
                        one, many,
                        "{method} {ni}x{ne} on {threads} threads, claims of {claim}"
                    );
                }
                assert_eq!(one, bootstrap(&p, &c, &b).expect("run"), "{method}");
            }
        }
    }

    /// Benchmark: 300 items × 30 experts × B = 2000 under trimmed.
    /// Run with `cargo test --release -- --ignored --nocapture bench_bootstrap`.
    #[test]
    #[ignore]
    fn bench_bootstrap() {
        let p = synthetic(300, 30, 1.0, 5);
        for method in Method::ALL {
            let start = std::time::Instant::now();
            let s = bootstrap(
                &p,
                &AggregateConfig {
                    method,
                    ..AggregateConfig::default()
                },
                &boot(1, 2000),
            )
            .expect("run");
            let secs = start.elapsed().as_secs_f64();
            println!(
                "bootstrap 300 items x 30 experts x B=2000, {method}: {secs:.3} s ({} borderline)",
                s.items.iter().filter(|i| i.borderline).count()
            );
        }
    }
}
