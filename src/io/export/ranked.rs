//! Rank methods (Borda, Schulze) beside the score method's ranking, for `stats` (text and JSON).
//!
//! Built from the expert × nomination matrix: every complete total that is neither recused nor
//! excluded for a conflict. Nominations are indexed in id order, so ties in the Schulze order
//! and in the top-K lists break by id, never by the score method's order.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::opt;
use crate::domain::results::Results;
use crate::engine::{self, RankAgreement};
use crate::text::i18n::{Lang, T};
use crate::text::wrap;

/// One nomination's ranks under the score method and the rank methods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedItem {
    /// Nomination id.
    pub id: String,
    /// The score method's competition rank.
    pub score_rank: Option<usize>,
    /// Mean normalised Borda score in [0, 1].
    pub borda: Option<f64>,
    /// Competition rank of the Borda score.
    pub borda_rank: Option<usize>,
    /// Schulze rank (None when unscored or not computed).
    pub schulze_rank: Option<usize>,
}

/// Both rank methods and their agreement with the score method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankMethods {
    /// Per nomination, in the score method's ranking order (as `items`).
    pub items: Vec<RankedItem>,
    /// Borda against the score method.
    pub borda: RankAgreement,
    /// Schulze against the score method (None when not computed).
    pub schulze: Option<RankAgreement>,
    /// Whether Schulze was computed (at most `schulze_max_items` nominations).
    pub schulze_computed: bool,
    /// The most nominations Schulze is computed for.
    pub schulze_max_items: usize,
}

/// Computes Borda and Schulze from `r.matrix` and compares them with `r.rows`' ranking at K = `r.k`.
pub fn rank_methods(r: &Results) -> RankMethods {
    let mut ids: Vec<&str> = r.rows.iter().map(|row| row.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let item: BTreeMap<&str, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let n = ids.len();
    let mut by_expert: BTreeMap<&str, Vec<Option<f64>>> = BTreeMap::new();
    for c in &r.matrix {
        let Some(&i) = item.get(c.item.as_str()) else {
            continue;
        };
        let Some(t) = c.total.filter(|_| c.recused.is_none() && !c.conflict) else {
            continue;
        };
        by_expert
            .entry(c.expert.as_str())
            .or_insert_with(|| vec![None; n])[i] = Some(t);
    }
    let totals: Vec<Vec<Option<f64>>> = by_expert.into_values().collect();
    let borda = engine::borda(&totals, n);
    let schulze = engine::schulze(&totals, n);

    let mut score_ranks = vec![None; n];
    let mut score_order = Vec::with_capacity(n);
    for row in &r.rows {
        if let Some(&i) = item.get(row.id.as_str()) {
            score_ranks[i] = row.rank;
            if row.rank.is_some() {
                score_order.push(i);
            }
        }
    }
    let compare = |ranks: &[Option<usize>]| {
        engine::rank_agreement(
            &score_ranks,
            &score_order,
            ranks,
            &engine::order_of(ranks),
            r.k,
        )
    };
    let items = r
        .rows
        .iter()
        .filter_map(|row| item.get(row.id.as_str()).map(|&i| (row, i)))
        .map(|(row, i)| RankedItem {
            id: row.id.clone(),
            score_rank: row.rank,
            borda: borda.scores[i],
            borda_rank: borda.ranks[i],
            schulze_rank: schulze.as_ref().and_then(|s| s.ranks[i]),
        })
        .collect();
    RankMethods {
        items,
        borda: compare(&borda.ranks),
        schulze: schulze.as_ref().map(|s| compare(&s.ranks)),
        schulze_computed: schulze.is_some(),
        schulze_max_items: engine::SCHULZE_MAX_ITEMS,
    }
}

/// The rank-methods section of `stats` as text.
pub fn rank_methods_text(r: &Results, out: &mut String, lang: Lang) {
    let m = rank_methods(r);
    let _ = writeln!(out, "{}", T::TabRankMethods.get(lang));
    let heads = [
        T::RankColScore,
        T::RankColId,
        T::RankColBorda,
        T::RankColBordaRank,
        T::RankColSchulze,
    ]
    .map(|t| t.get(lang).to_string());
    let rank = |x: Option<usize>| x.map_or("-".to_string(), |x| x.to_string());
    let rows: Vec<[String; 5]> = m
        .items
        .iter()
        .map(|it| {
            [
                rank(it.score_rank),
                wrap::truncate(&it.id, wrap::width(&it.id)),
                opt(it.borda, 3, "-"),
                rank(it.borda_rank),
                rank(it.schulze_rank),
            ]
        })
        .collect();
    let mut w = heads.clone().map(|h| wrap::width(&h));
    for row in &rows {
        for (c, cell) in row.iter().enumerate() {
            w[c] = w[c].max(wrap::width(cell));
        }
    }
    let line = |cells: &[String; 5]| {
        let mut s = String::from(" ");
        for (c, cell) in cells.iter().enumerate() {
            s.push(' ');
            if c == 1 {
                s.push_str(&wrap::pad(cell, w[c]));
            } else {
                let padn = w[c].saturating_sub(wrap::width(cell));
                s.push_str(&" ".repeat(padn));
                s.push_str(cell);
            }
            s.push(' ');
        }
        s.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&heads));
    for row in &rows {
        let _ = writeln!(out, "{}", line(row));
    }
    if !m.schulze_computed {
        let max = m.schulze_max_items.to_string();
        let _ = writeln!(out, "{}", T::TabSchulzeSkipped.fill(lang, &[("max", &max)]));
    }
    let k = m.borda.k.to_string();
    let head = T::TabRankAgreement.fill(lang, &[("method", r.method.as_str()), ("k", &k)]);
    let _ = writeln!(out, "{head}");
    let agreements = [("Borda", Some(&m.borda)), ("Schulze", m.schulze.as_ref())];
    for (name, a) in agreements {
        let Some(a) = a else { continue };
        let (tau, k, overlap) = (
            opt(a.kendall_tau, 3, "-"),
            a.k.to_string(),
            a.top_k_overlap.to_string(),
        );
        let args = [
            ("name", name),
            ("tau", &tau),
            ("k", &k),
            ("overlap", &overlap),
        ];
        let _ = writeln!(out, "  {}", T::TabRankAgreementLine.fill(lang, &args));
    }
}
