//! Rank-based aggregation (Borda, Schulze) of each expert's ranking of the items they scored,
//! and how far such a ranking agrees with the score method's (Kendall's tau-b, top-K overlap).
//!
//! Input: a grid of totals, `totals[expert][item]`, `None` where the expert has no complete,
//! non-recused score. Each expert's totals induce a partial ranking of the items that expert
//! scored; two totals within [`TIE_EPS`] are a tie.
//!
//! - Borda: an expert who scored m ≥ 2 items gives item i (below + ½·tied) / (m − 1), where
//!   below/tied count the other items that expert scored lower/equal: 1 = their best, 0 = their
//!   worst. An item's Borda score is the mean over the experts who scored it with m ≥ 2 (None if
//!   there are none). Normalising by m − 1 keeps experts with different loads on one scale.
//! - Schulze: d[i][j] = experts who scored both i and j and gave i the higher total (ties count
//!   for neither). A link i→j has strength d[i][j] when d[i][j] > d[j][i], else 0; strongest
//!   paths p by Floyd–Warshall (O(n³), so at most [`SCHULZE_MAX_ITEMS`] items). i beats j when
//!   p[i][j] > p[j][i] (a transitive relation); rank(i) = 1 + the number of items that beat i.
//!   Order: by rank, ties in panel item order. Items nobody scored are unranked.

use super::rank::{TIE_EPS, rank};
use serde::Serialize;

/// The most items Schulze is computed for (Floyd–Warshall is cubic: 400³ ≈ 6.4·10⁷ steps).
pub const SCHULZE_MAX_ITEMS: usize = 400;

/// Borda scores and their competition ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Borda {
    /// Per item: mean normalised Borda score in [0, 1] (None: no expert who scored ≥ 2 items scored it).
    pub scores: Vec<Option<f64>>,
    /// Competition rank per item (ties within [`TIE_EPS`]), None when unscored.
    pub ranks: Vec<Option<usize>>,
}

/// The Schulze ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schulze {
    /// Item indices, winner first; ties in panel order; unranked items omitted.
    pub order: Vec<usize>,
    /// Per item: 1 + the number of items that beat it (None when nobody scored it).
    pub ranks: Vec<Option<usize>>,
}

/// Agreement of a rank method with the score method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankAgreement {
    /// Kendall's tau-b over the items both rank (None: fewer than 2, or one ranking all tied).
    pub kendall_tau: Option<f64>,
    /// Items in both top-K lists (each: the first K of its order, ties broken in that order).
    pub top_k_overlap: usize,
    /// The K compared (the score method's shortlist size, capped by the ranked items).
    pub k: usize,
}

/// Whether the items `i` and `j` an expert scored compare as above (+1), tied (0) or below (−1).
fn cmp(a: f64, b: f64) -> i32 {
    if (a - b).abs() <= TIE_EPS {
        0
    } else if a > b {
        1
    } else {
        -1
    }
}

/// Normalised Borda scores of `totals[expert][item]` over `n_items` items.
pub fn borda(totals: &[Vec<Option<f64>>], n_items: usize) -> Borda {
    let mut sum = vec![0.0; n_items];
    let mut cnt = vec![0usize; n_items];
    for row in totals {
        let scored: Vec<(usize, f64)> = row
            .iter()
            .take(n_items)
            .enumerate()
            .filter_map(|(i, t)| t.filter(|x| x.is_finite()).map(|x| (i, x)))
            .collect();
        let m = scored.len();
        if m < 2 {
            continue;
        }
        for &(i, a) in &scored {
            let mut pts = 0.0;
            for &(j, b) in &scored {
                if i != j {
                    pts += match cmp(a, b) {
                        1 => 1.0,
                        0 => 0.5,
                        _ => 0.0,
                    };
                }
            }
            sum[i] += pts / (m - 1) as f64;
            cnt[i] += 1;
        }
    }
    let scores: Vec<Option<f64>> = (0..n_items)
        .map(|i| (cnt[i] > 0).then(|| sum[i] / cnt[i] as f64))
        .collect();
    let ranks = rank(&scores).ranks;
    Borda { scores, ranks }
}

/// Schulze ranking of `totals[expert][item]`; None when there are more than [`SCHULZE_MAX_ITEMS`] items.
pub fn schulze(totals: &[Vec<Option<f64>>], n_items: usize) -> Option<Schulze> {
    if n_items > SCHULZE_MAX_ITEMS {
        return None;
    }
    let n = n_items;
    let mut d = vec![0u32; n * n];
    let mut seen = vec![false; n];
    for row in totals {
        let scored: Vec<(usize, f64)> = row
            .iter()
            .take(n)
            .enumerate()
            .filter_map(|(i, t)| t.filter(|x| x.is_finite()).map(|x| (i, x)))
            .collect();
        for &(i, a) in &scored {
            seen[i] = true;
            for &(j, b) in &scored {
                if cmp(a, b) > 0 {
                    d[i * n + j] += 1;
                }
            }
        }
    }
    Some(schulze_from_pairs(&d, n, &seen))
}

/// Schulze from the pairwise preference matrix `d` (row-major n × n); `seen` marks rankable items.
pub fn schulze_from_pairs(d: &[u32], n: usize, seen: &[bool]) -> Schulze {
    let mut p = vec![0u32; n * n];
    for i in 0..n {
        for j in 0..n {
            if i != j && d[i * n + j] > d[j * n + i] {
                p[i * n + j] = d[i * n + j];
            }
        }
    }
    for k in 0..n {
        for i in 0..n {
            if i == k {
                continue;
            }
            let pik = p[i * n + k];
            if pik == 0 {
                continue;
            }
            for j in 0..n {
                if j != i && j != k {
                    let via = pik.min(p[k * n + j]);
                    if via > p[i * n + j] {
                        p[i * n + j] = via;
                    }
                }
            }
        }
    }
    let ranks: Vec<Option<usize>> = (0..n)
        .map(|i| {
            seen[i].then(|| {
                1 + (0..n)
                    .filter(|&j| seen[j] && j != i && p[j * n + i] > p[i * n + j])
                    .count()
            })
        })
        .collect();
    let mut order: Vec<usize> = (0..n).filter(|&i| seen[i]).collect();
    order.sort_by_key(|&i| (ranks[i], i));
    Schulze { order, ranks }
}

/// Kendall's tau-b between two rankings (lower rank = better) over the items both rank.
pub fn kendall_tau_b(a: &[Option<usize>], b: &[Option<usize>]) -> Option<f64> {
    let both: Vec<(usize, usize)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
        .collect();
    if both.len() < 2 {
        return None;
    }
    let (mut conc, mut disc, mut tie_a, mut tie_b) = (0i64, 0i64, 0i64, 0i64);
    for (k, &(x1, y1)) in both.iter().enumerate() {
        for &(x2, y2) in &both[k + 1..] {
            let dx = (x1 as i64 - x2 as i64).signum();
            let dy = (y1 as i64 - y2 as i64).signum();
            match (dx, dy) {
                (0, 0) => {}
                (0, _) => tie_a += 1,
                (_, 0) => tie_b += 1,
                _ if dx == dy => conc += 1,
                _ => disc += 1,
            }
        }
    }
    let denom = (((conc + disc + tie_a) * (conc + disc + tie_b)) as f64).sqrt();
    (denom > 0.0).then(|| (conc - disc) as f64 / denom)
}

/// The items of `order` at its first `k` positions, as a membership mask over `n` items.
fn top(order: &[usize], k: usize, n: usize) -> Vec<bool> {
    let mut m = vec![false; n];
    for &i in order.iter().take(k) {
        if i < n {
            m[i] = true;
        }
    }
    m
}

/// Agreement of a rank method (`ranks`, `order`) with the score method (`score_ranks`, `score_order`) at shortlist size `k`.
pub fn rank_agreement(
    score_ranks: &[Option<usize>],
    score_order: &[usize],
    ranks: &[Option<usize>],
    order: &[usize],
    k: usize,
) -> RankAgreement {
    let n = score_ranks.len();
    let k = k.min(score_order.len()).min(order.len());
    let (a, b) = (top(score_order, k, n), top(order, k, n));
    RankAgreement {
        kendall_tau: kendall_tau_b(score_ranks, ranks),
        top_k_overlap: (0..n).filter(|&i| a[i] && b[i]).count(),
        k,
    }
}

/// Items with a rank, best first, ties in panel order.
pub fn order_of(ranks: &[Option<usize>]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..ranks.len()).filter(|&i| ranks[i].is_some()).collect();
    o.sort_by_key(|&i| (ranks[i], i));
    o
}

#[cfg(test)]
#[path = "ranked_tests.rs"]
mod tests;
