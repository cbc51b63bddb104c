//! JSON: the whole results, and the panel statistics.

use serde::Serialize;

use super::{RESULTS_FORMAT, STATS_FORMAT, agreement_figures, crossed_experts, items_by_id};
use crate::domain::results::{ExpertRow, Flag, Results};
use crate::engine::{AgreementStats, Method};

/// Pretty JSON with a trailing newline; plain structs cannot fail to serialise.
fn pretty<T: Serialize>(v: &T) -> String {
    match serde_json::to_string_pretty(v) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Unreachable with these types (no maps with non-string keys), but never panic.
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

#[derive(Serialize)]
struct ResultsDoc<'a> {
    format: &'static str,
    #[serde(flatten)]
    results: &'a Results,
}

/// The whole `Results` as pretty JSON tagged `"format": "revdesk-results/1"`.
///
/// Keys follow the struct order (deterministic); the text ends with a newline.
pub fn rank_json(r: &Results) -> String {
    pretty(&ResultsDoc {
        format: RESULTS_FORMAT,
        results: r,
    })
}

/// `export --format json`: the same as [`rank_json`].
pub fn export_json(r: &Results) -> String {
    rank_json(r)
}

#[derive(Serialize)]
struct StatsItem<'a> {
    rank: Option<usize>,
    id: &'a str,
    name: &'a str,
    n: usize,
    recused: usize,
    conflicts: usize,
    incomplete: usize,
    mean: Option<f64>,
    sd: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    range: Option<f64>,
    spread: bool,
    flags: &'a [Flag],
    #[serde(skip_serializing_if = "Option::is_none")]
    shortlisted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Crossed<'a> {
    experts: Vec<String>,
    items: Vec<String>,
    mean_squares: Option<&'a crate::engine::MeanSquares>,
}

#[derive(Serialize)]
struct StatsDoc<'a> {
    format: &'static str,
    batch: &'a str,
    profile: &'a str,
    method: Method,
    experts: &'a [ExpertRow],
    items: Vec<StatsItem<'a>>,
    agreement: AgreementStats,
    crossed: Crossed<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided: Option<&'a crate::domain::decisions::Applied>,
}

/// Panel statistics as pretty JSON tagged `"format": "revdesk-stats/1"`.
///
/// Keys: `experts`, `items`, `agreement` (exactly `icc1_1` … `icc3_k`, `kendall_w`, `n_items`,
/// `n_experts`; null figures when not computable) and `crossed` (the subset it used).
pub fn stats_json(r: &Results) -> String {
    let by_id = items_by_id(r);
    let items = r
        .rows
        .iter()
        .map(|row| {
            let it = by_id.get(row.id.as_str());
            StatsItem {
                rank: row.rank,
                id: &row.id,
                name: &row.name,
                n: row.n,
                recused: row.n_recused,
                conflicts: row.n_conflict,
                incomplete: row.n_incomplete,
                mean: it.and_then(|i| i.mean_total),
                sd: row.sd,
                min: it.and_then(|i| i.min),
                max: it.and_then(|i| i.max),
                range: row.range,
                spread: row.flags.contains(&Flag::Spread),
                flags: &row.flags,
                // Only with decisions: the plain statistics keep their shape.
                shortlisted: r.decided.as_ref().map(|_| row.shortlisted),
                decision: row.decision.as_deref(),
                decision_reason: row.decision_reason.as_deref(),
            }
        })
        .collect();
    let a = &r.aggregation.agreement;
    let crossed = Crossed {
        experts: crossed_experts(r),
        items: a
            .items
            .iter()
            .filter_map(|&i| r.aggregation.items.get(i).map(|x| x.id.clone()))
            .collect(),
        mean_squares: a.mean_squares.as_ref(),
    };
    pretty(&StatsDoc {
        format: STATS_FORMAT,
        batch: &r.batch,
        profile: &r.profile,
        method: r.method,
        experts: &r.experts,
        items,
        agreement: agreement_figures(r),
        crossed,
        decided: r.decided.as_ref(),
    })
}
