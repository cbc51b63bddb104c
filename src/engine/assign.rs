//! Reviewer assignment: which experts score which items, so that every item gets exactly K
//! experts, no expert more than a load limit, nobody an item they conflict with, and the
//! expert–item graph is connected and well mixed (the calibrated method compares two experts
//! through the items they share).
//!
//! Design criterion: maximise the minimum number of items shared by any two experts (the
//! weakest link of the calibration), then minimise how many pairs sit at that minimum.
//!
//! Algorithm (deterministic for a seed, ChaCha8):
//! 1. greedy: items in order of fewest eligible experts first (ties in seeded random order);
//!    each item takes, one at a time, the eligible expert under the limit with the lowest load,
//!    among equal loads the one sharing fewest items with the experts already chosen for it,
//!    then the seeded order. An item that finds no free eligible expert is filled along an
//!    augmenting path (another item hands one of its experts over and takes a free one), which
//!    makes the greedy exact: it fails only when no assignment meets the constraints;
//! 2. local search: swaps of two experts between two items (loads unchanged) proposed around
//!    a pair at the minimum, kept when the criterion does not get worse, for a fixed budget of
//!    proposals (stopping early after a long run without a strict improvement);
//! 3. connectivity of the expert–item graph is checked (every expert who has an item).

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// Proposals of the local search per item (a fixed budget keeps the design deterministic).
const PROPOSALS_PER_ITEM: usize = 400;

/// At most this many proposals in all (each costs a pass over the items).
const MAX_PROPOSALS: usize = 200_000;

/// The search stops after this many proposals per item without a strict improvement.
const PATIENCE_PER_ITEM: usize = 60;

/// What to design.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Number of experts.
    pub n_experts: usize,
    /// For each item, the experts who may score it (no conflict), by index.
    pub eligible: Vec<Vec<usize>>,
    /// Experts per item.
    pub per_item: usize,
    /// Most items an expert gets.
    pub max_load: usize,
    /// Random seed.
    pub seed: u64,
}

/// The design's figures, as `assign` reports them.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Fewest items an expert got.
    pub min_load: usize,
    /// Most items an expert got.
    pub max_load: usize,
    /// Fewest items two experts share.
    pub min_overlap: usize,
    /// Mean number of items two experts share.
    pub mean_overlap: f64,
    /// Pairs of experts sharing exactly `min_overlap` items.
    pub pairs_at_min: usize,
    /// Connected parts of the expert–item graph (1: every pair comparable).
    pub components: usize,
}

/// An assignment: the experts of every item, sorted.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// `items[i]` = the experts of item i.
    pub items: Vec<Vec<usize>>,
    /// Its figures.
    pub figures: Figures,
}

/// Why no assignment meets the constraints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesignError {
    /// No experts, or K is zero.
    #[error("nothing to assign: {per_item} experts per item from {n_experts}")]
    Empty {
        /// Experts per item.
        per_item: usize,
        /// Experts on the panel.
        n_experts: usize,
    },
    /// Items with fewer eligible experts than K.
    #[error("{} items have fewer than {per_item} experts without a conflict", items.len())]
    TooFewEligible {
        /// (item index, eligible experts), in item order.
        items: Vec<(usize, usize)>,
        /// Experts per item.
        per_item: usize,
    },
    /// More assignments than the experts can take.
    #[error("{needed} assignments needed, {experts} experts take at most {capacity}")]
    Capacity {
        /// Items × K.
        needed: usize,
        /// Experts.
        experts: usize,
        /// Experts × load limit.
        capacity: usize,
    },
    /// The load limit and the conflicts together leave an item short.
    #[error("item {item} cannot get {per_item} experts within the load limit {max_load}")]
    Blocked {
        /// The item left short.
        item: usize,
        /// Experts per item.
        per_item: usize,
        /// The load limit.
        max_load: usize,
    },
    /// The design splits the experts into groups that share no item.
    #[error("the experts fall into {components} groups that share no item")]
    Disconnected {
        /// Connected parts.
        components: usize,
    },
}

/// Designs an assignment for `spec`.
pub fn design(spec: &Spec) -> Result<Design, DesignError> {
    let (n, e, k) = (spec.eligible.len(), spec.n_experts, spec.per_item);
    if e == 0 || k == 0 {
        return Err(DesignError::Empty {
            per_item: k,
            n_experts: e,
        });
    }
    let short: Vec<(usize, usize)> = spec
        .eligible
        .iter()
        .enumerate()
        .filter_map(|(i, el)| {
            let m = distinct(el, e);
            (m < k).then_some((i, m))
        })
        .collect();
    if !short.is_empty() {
        return Err(DesignError::TooFewEligible {
            items: short,
            per_item: k,
        });
    }
    let needed = n * k;
    let capacity = e.saturating_mul(spec.max_load);
    if needed > capacity {
        return Err(DesignError::Capacity {
            needed,
            experts: e,
            capacity,
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut st = State::new(n, e);
    let mut eligible: Vec<Vec<bool>> = vec![vec![false; e]; n];
    for (i, el) in spec.eligible.iter().enumerate() {
        for &x in el {
            if x < e {
                eligible[i][x] = true;
            }
        }
    }
    greedy(spec, &eligible, &mut st, &mut rng)?;
    improve(
        &eligible,
        &mut st,
        &mut rng,
        (n * PROPOSALS_PER_ITEM).min(MAX_PROPOSALS),
    );
    let figures = st.figures();
    if figures.components > 1 {
        return Err(DesignError::Disconnected {
            components: figures.components,
        });
    }
    let mut items = st.items;
    for it in &mut items {
        it.sort_unstable();
    }
    Ok(Design { items, figures })
}

/// Distinct valid expert indices in `el`.
fn distinct(el: &[usize], e: usize) -> usize {
    let mut seen = vec![false; e];
    el.iter()
        .filter(|&&x| x < e && !std::mem::replace(&mut seen[x], true))
        .count()
}

/// The assignment under construction, with loads and pair overlaps.
struct State {
    items: Vec<Vec<usize>>,
    load: Vec<usize>,
    /// `overlap[a * e + b]`: items shared by experts a and b.
    overlap: Vec<usize>,
    /// `on[i * e + x]`: expert x has item i.
    on: Vec<bool>,
    e: usize,
}

impl State {
    fn new(n: usize, e: usize) -> Self {
        State {
            items: vec![Vec::new(); n],
            load: vec![0; e],
            overlap: vec![0; e * e],
            on: vec![false; n * e],
            e,
        }
    }

    fn ov(&self, a: usize, b: usize) -> usize {
        self.overlap[a * self.e + b]
    }

    fn bump(&mut self, a: usize, b: usize, up: bool) {
        for idx in [a * self.e + b, b * self.e + a] {
            if up {
                self.overlap[idx] += 1;
            } else {
                self.overlap[idx] -= 1;
            }
        }
    }

    fn add(&mut self, i: usize, x: usize) {
        for j in 0..self.items[i].len() {
            let g = self.items[i][j];
            self.bump(x, g, true);
        }
        self.items[i].push(x);
        self.on[i * self.e + x] = true;
        self.load[x] += 1;
    }

    fn remove(&mut self, i: usize, x: usize) {
        self.items[i].retain(|&g| g != x);
        for j in 0..self.items[i].len() {
            let g = self.items[i][j];
            self.bump(x, g, false);
        }
        self.on[i * self.e + x] = false;
        self.load[x] -= 1;
    }

    fn has(&self, i: usize, x: usize) -> bool {
        self.on[i * self.e + x]
    }

    /// (minimum overlap over pairs, pairs at it); (0, 0) with fewer than two experts.
    fn criterion(&self) -> (usize, usize) {
        let mut min = usize::MAX;
        let mut at = 0;
        for a in 0..self.e {
            for b in a + 1..self.e {
                let o = self.ov(a, b);
                if o < min {
                    min = o;
                    at = 1;
                } else if o == min {
                    at += 1;
                }
            }
        }
        if min == usize::MAX { (0, 0) } else { (min, at) }
    }

    fn figures(&self) -> Figures {
        let (min_overlap, pairs_at_min) = self.criterion();
        let pairs = self.e * self.e.saturating_sub(1) / 2;
        let total: usize = (0..self.e)
            .flat_map(|a| (a + 1..self.e).map(move |b| (a, b)))
            .map(|(a, b)| self.ov(a, b))
            .sum();
        Figures {
            min_load: self.load.iter().copied().min().unwrap_or(0),
            max_load: self.load.iter().copied().max().unwrap_or(0),
            min_overlap,
            mean_overlap: if pairs == 0 {
                0.0
            } else {
                total as f64 / pairs as f64
            },
            pairs_at_min,
            components: components(&self.items, self.e, &self.load),
        }
    }
}

/// Connected parts of the expert–item graph among experts with at least one item.
pub fn components(items: &[Vec<usize>], e: usize, load: &[usize]) -> usize {
    let mut parent: Vec<usize> = (0..e).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for it in items {
        if let Some((&first, rest)) = it.split_first() {
            for &x in rest {
                let (a, b) = (find(&mut parent, first), find(&mut parent, x));
                parent[a] = b;
            }
        }
    }
    (0..e)
        .filter(|&x| load.get(x).copied().unwrap_or(0) > 0 && find(&mut parent, x) == x)
        .count()
}

fn greedy(
    spec: &Spec,
    eligible: &[Vec<bool>],
    st: &mut State,
    rng: &mut ChaCha8Rng,
) -> Result<(), DesignError> {
    let (n, e, k) = (eligible.len(), spec.n_experts, spec.per_item);
    let counts: Vec<usize> = eligible
        .iter()
        .map(|el| el.iter().filter(|&&b| b).count())
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    order.sort_by_key(|&i| counts[i]);
    // A seeded tie-break among experts, fixed for the run.
    let mut rank: Vec<usize> = (0..e).collect();
    rank.shuffle(rng);
    for &i in &order {
        while st.items[i].len() < k {
            let best = (0..e)
                .filter(|&x| eligible[i][x] && !st.has(i, x) && st.load[x] < spec.max_load)
                .min_by_key(|&x| {
                    let shared: usize = st.items[i].iter().map(|&g| st.ov(x, g)).sum();
                    (st.load[x], shared, rank[x])
                });
            match best {
                Some(x) => st.add(i, x),
                None => {
                    if !augment(i, eligible, st, spec.max_load) {
                        return Err(DesignError::Blocked {
                            item: i,
                            per_item: k,
                            max_load: spec.max_load,
                        });
                    }
                }
            }
        }
        // Rotate the tie-break so equal experts take turns.
        rank.rotate_left(1);
    }
    Ok(())
}

/// Gives item `start` one more expert along an augmenting path: start takes a full expert x0
/// from item i1's point of view, i1 hands x0 over and takes x1, … until an expert under the
/// limit is reached. False when there is none (max-flow: the constraints cannot be met).
fn augment(start: usize, eligible: &[Vec<bool>], st: &mut State, max_load: usize) -> bool {
    let (n, e) = (eligible.len(), st.e);
    // BFS over items; prev_item[x] = the item from which expert x was reached.
    let mut item_seen = vec![false; n];
    let mut via: Vec<Option<(usize, usize)>> = vec![None; n]; // item -> (prev item, expert)
    let mut expert_from: Vec<Option<usize>> = vec![None; e];
    let mut queue = VecDeque::from([start]);
    item_seen[start] = true;
    while let Some(i) = queue.pop_front() {
        for x in 0..e {
            if !eligible[i][x] || st.has(i, x) || expert_from[x].is_some() {
                continue;
            }
            expert_from[x] = Some(i);
            if st.load[x] < max_load {
                // Unwind: i takes x; the item before hands its expert to i's predecessor…
                let (mut item, mut expert) = (i, x);
                loop {
                    st.add(item, expert);
                    match via[item] {
                        Some((prev, handed)) => {
                            st.remove(item, handed);
                            item = prev;
                            expert = handed;
                        }
                        None => return true,
                    }
                }
            }
            // x is full: any item j of x could give x up to i and look for someone else.
            for j in 0..n {
                if !item_seen[j] && st.has(j, x) {
                    item_seen[j] = true;
                    via[j] = Some((i, x));
                    queue.push_back(j);
                }
            }
        }
    }
    false
}

/// Local search on the criterion with load-preserving swaps.
fn improve(eligible: &[Vec<bool>], st: &mut State, rng: &mut ChaCha8Rng, budget: usize) {
    let (n, e) = (eligible.len(), st.e);
    if e < 3 || n < 2 {
        return;
    }
    let mut best = st.criterion();
    let mut with: Vec<usize> = Vec::new();
    let mut idle = 0;
    for _ in 0..budget {
        idle += 1;
        if idle > n * PATIENCE_PER_ITEM {
            return;
        }
        // A pair at the minimum: a and b.
        let (a, b) = {
            let mut pairs = Vec::new();
            for p in 0..e {
                for q in p + 1..e {
                    if st.ov(p, q) == best.0 && st.load[p] > 0 && st.load[q] > 0 {
                        pairs.push((p, q));
                    }
                }
            }
            if pairs.is_empty() {
                return;
            }
            let (p, q) = pairs[rng.random_range(0..pairs.len())];
            if rng.random_bool(0.5) { (p, q) } else { (q, p) }
        };
        // An item i of a's that b could join, in place of some g ≠ a.
        with.clear();
        with.extend((0..n).filter(|&i| st.has(i, a) && !st.has(i, b) && eligible[i][b]));
        if with.is_empty() {
            continue;
        }
        let i = with[rng.random_range(0..with.len())];
        let others: Vec<usize> = st.items[i].iter().copied().filter(|&g| g != a).collect();
        if others.is_empty() {
            continue;
        }
        let g = others[rng.random_range(0..others.len())];
        // An item j of b's, without a or g, that g may take over from b.
        with.clear();
        with.extend(
            (0..n).filter(|&j| st.has(j, b) && !st.has(j, a) && !st.has(j, g) && eligible[j][g]),
        );
        if with.is_empty() {
            continue;
        }
        let j = with[rng.random_range(0..with.len())];
        st.remove(i, g);
        st.remove(j, b);
        st.add(i, b);
        st.add(j, g);
        let now = st.criterion();
        if now.0 > best.0 || (now.0 == best.0 && now.1 <= best.1) {
            if now != best {
                idle = 0;
            }
            best = now;
        } else {
            st.remove(i, b);
            st.remove(j, g);
            st.add(i, g);
            st.add(j, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(n: usize, e: usize) -> Vec<Vec<usize>> {
        vec![(0..e).collect(); n]
    }

    fn check(spec: &Spec, d: &Design) {
        let mut load = vec![0; spec.n_experts];
        for (i, it) in d.items.iter().enumerate() {
            assert_eq!(it.len(), spec.per_item, "item {i}");
            let mut s = it.clone();
            s.dedup();
            assert_eq!(s.len(), it.len(), "item {i} repeats an expert");
            for &x in it {
                assert!(spec.eligible[i].contains(&x), "item {i} expert {x}");
                load[x] += 1;
            }
        }
        assert!(load.iter().all(|&l| l <= spec.max_load), "{load:?}");
        assert_eq!(d.figures.components, 1);
    }

    #[test]
    fn balanced_connected_and_deterministic() {
        let spec = Spec {
            n_experts: 12,
            eligible: all(60, 12),
            per_item: 4,
            max_load: 20,
            seed: 7,
        };
        let d = design(&spec).expect("feasible");
        check(&spec, &d);
        assert_eq!((d.figures.min_load, d.figures.max_load), (20, 20));
        // 60 items × 6 pairs = 360 over 66 pairs: mean 5.45; the search lifts the minimum.
        assert!(d.figures.min_overlap >= 3, "{:?}", d.figures);
        assert_eq!(design(&spec), Ok(d.clone()));
        let other = design(&Spec { seed: 8, ..spec }).expect("feasible");
        assert_ne!(other.items, d.items);
    }

    #[test]
    fn the_search_improves_on_the_greedy() {
        let spec = Spec {
            n_experts: 10,
            eligible: all(40, 10),
            per_item: 3,
            max_load: 12,
            seed: 1,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let elig = vec![vec![true; 10]; 40];
        let mut st = State::new(40, 10);
        greedy(&spec, &elig, &mut st, &mut rng).expect("feasible");
        let before = st.criterion();
        improve(&elig, &mut st, &mut rng, 20_000);
        let after = st.criterion();
        assert!(
            after.0 > before.0 || (after.0 == before.0 && after.1 < before.1),
            "{before:?} -> {after:?}"
        );
    }

    #[test]
    fn conflicts_are_respected_and_the_path_repairs_the_greedy() {
        // Expert 0 may score only items 0-4, so the others must leave those to it.
        let mut eligible = all(20, 6);
        for (i, el) in eligible.iter_mut().enumerate() {
            if i >= 5 {
                el.retain(|&x| x != 0);
            }
        }
        let spec = Spec {
            n_experts: 6,
            eligible,
            per_item: 3,
            max_load: 11,
            seed: 3,
        };
        let d = design(&spec).expect("feasible");
        check(&spec, &d);
    }

    #[test]
    fn infeasible_constraints_are_named() {
        let mut eligible = all(10, 5);
        eligible[3] = vec![0, 1];
        let spec = Spec {
            n_experts: 5,
            eligible,
            per_item: 3,
            max_load: 10,
            seed: 1,
        };
        assert_eq!(
            design(&spec),
            Err(DesignError::TooFewEligible {
                items: vec![(3, 2)],
                per_item: 3
            })
        );
        let spec = Spec {
            eligible: all(10, 5),
            max_load: 5,
            ..spec
        };
        assert!(matches!(
            design(&spec),
            Err(DesignError::Capacity {
                needed: 30,
                capacity: 25,
                ..
            })
        ));
        // Capacity suffices overall, but items 0-5 can only use experts 0-2 (load 5 each).
        let mut eligible = all(8, 6);
        for el in eligible.iter_mut().take(6) {
            el.retain(|&x| x < 3);
        }
        let spec = Spec {
            n_experts: 6,
            eligible,
            per_item: 3,
            max_load: 5,
            seed: 1,
        };
        assert!(matches!(design(&spec), Err(DesignError::Blocked { .. })));
        // One expert per item cannot connect anyone.
        let spec = Spec {
            n_experts: 4,
            eligible: all(8, 4),
            per_item: 1,
            max_load: 2,
            seed: 1,
        };
        assert_eq!(
            design(&spec),
            Err(DesignError::Disconnected { components: 4 })
        );
    }
}
