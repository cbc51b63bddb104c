//! JSON: the whole results, and the panel statistics.

use serde::Serialize;

use super::{RESULTS_FORMAT, STATS_FORMAT, agreement_figures, crossed_experts, items_by_id};
use crate::domain::batch::{Item, ProjectType};
use crate::domain::decided::{Applied, Recorded};
use crate::domain::results::{Cell, ExpertRow, Flag, Results, Row};
use crate::engine::{AggregateConfig, Aggregation, BootstrapConfig, Stability};
use crate::engine::{AgreementStats, Method, TrimRule};

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

/// A nomination without its contact details (联系人, 联系电话, 通信地址, 电子邮箱).
#[derive(Serialize)]
struct Public<'a> {
    id: &'a str,
    name: &'a str,
    domain: &'a str,
    industry: &'a [String],
    project_type: ProjectType,
    trl: u8,
    applicant: &'a str,
    recommender: &'a str,
    team: &'a str,
    ip: &'a str,
    awards: &'a str,
    level: &'a str,
    benefits: &'a str,
    level_detail: &'a str,
    benefits_detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    preliminary_rank: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preliminary_score: Option<f64>,
}

impl<'a> From<&'a Item> for Public<'a> {
    fn from(i: &'a Item) -> Self {
        // Destructured, so a field added to Item is a compile error here until it is placed.
        let Item {
            id,
            name,
            domain,
            industry,
            project_type,
            trl,
            applicant,
            recommender,
            contact: _,
            phone: _,
            address: _,
            email: _,
            team,
            ip,
            awards,
            level,
            benefits,
            level_detail,
            benefits_detail,
            preliminary_rank,
            preliminary_score,
            line: _,
        } = i;
        Public {
            id,
            name,
            domain,
            industry,
            project_type: *project_type,
            trl: *trl,
            applicant,
            recommender,
            team,
            ip,
            awards,
            level,
            benefits,
            level_detail,
            benefits_detail,
            preliminary_rank: *preliminary_rank,
            preliminary_score: *preliminary_score,
        }
    }
}

/// A row of `rank --format json`: the row and, under `trimmed`, the rule applied to it.
#[derive(Serialize)]
struct RankRow<'a> {
    #[serde(flatten)]
    row: &'a Row,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<TrimRule>,
}

/// `rank --format json`: the results, the nominations without contact details.
#[derive(Serialize)]
struct RankDoc<'a> {
    format: &'static str,
    batch: &'a str,
    title: &'a str,
    profile: &'a str,
    profile_hash: &'a str,
    domain: &'a Option<String>,
    final_review: bool,
    rubric: &'a str,
    method: Method,
    config: &'a AggregateConfig,
    bootstrap: &'a Option<BootstrapConfig>,
    criteria: &'a [(String, String)],
    rows: Vec<RankRow<'a>>,
    k: usize,
    k_out_of_range: bool,
    cut_note: &'a str,
    aggregation: &'a Aggregation,
    stability: &'a Option<Stability>,
    experts: &'a [ExpertRow],
    matrix: &'a [Cell],
    warnings: &'a [String],
    nominations: Vec<Public<'a>>,
    decisions: &'a [Recorded],
    #[serde(skip_serializing_if = "Option::is_none")]
    decided: &'a Option<Applied>,
}

/// The results as pretty JSON tagged `"format": "revdesk-results/1"`, as [`export_json`] but
/// with no contact details: `rank` prints to a terminal, a log, a chat; the final review's file
/// comes from `export`.
///
/// Keys follow the struct order (deterministic); the text ends with a newline.
pub fn rank_json(r: &Results) -> String {
    // Destructured, so a field added to Results is a compile error here until it is placed.
    let Results {
        batch,
        title,
        profile,
        profile_hash,
        domain,
        final_review,
        rubric,
        method,
        config,
        bootstrap,
        criteria,
        rows,
        k,
        k_out_of_range,
        cut_note,
        aggregation,
        stability,
        experts,
        matrix,
        warnings,
        nominations,
        decisions,
        decided,
    } = r;
    pretty(&RankDoc {
        format: RESULTS_FORMAT,
        batch,
        title,
        profile,
        profile_hash,
        domain,
        final_review: *final_review,
        rubric,
        method: *method,
        config,
        bootstrap,
        criteria,
        rows: rows
            .iter()
            .map(|row| RankRow {
                row,
                rule: row.rule,
            })
            .collect(),
        k: *k,
        k_out_of_range: *k_out_of_range,
        cut_note,
        aggregation,
        stability,
        experts,
        matrix,
        warnings,
        nominations: nominations.iter().map(Public::from).collect(),
        decisions,
        decided,
    })
}

/// `export --format json`: the whole `Results` (contact details too: the final review merges
/// these into its batch), tagged `"format": "revdesk-results/1"`.
pub fn export_json(r: &Results) -> String {
    pretty(&ResultsDoc {
        format: RESULTS_FORMAT,
        results: r,
    })
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
struct CriterionAgreement<'a> {
    key: &'a str,
    label: &'a str,
    agreement: Option<&'a AgreementStats>,
}

#[derive(Serialize)]
struct Criteria<'a> {
    cronbach_alpha: Option<f64>,
    alpha_scores: usize,
    per_criterion: Vec<CriterionAgreement<'a>>,
}

#[derive(Serialize)]
struct CriterionAll<'a> {
    key: &'a str,
    label: &'a str,
    #[serde(flatten)]
    figures: &'a crate::engine::AllScores,
}

#[derive(Serialize)]
struct AllScoresDoc<'a> {
    #[serde(flatten)]
    figures: &'a crate::engine::AllScores,
    per_criterion: Vec<CriterionAll<'a>>,
}

#[derive(Serialize)]
struct StatsDoc<'a> {
    format: &'static str,
    batch: &'a str,
    profile: &'a str,
    method: Method,
    experts: &'a [ExpertRow],
    items: Vec<StatsItem<'a>>,
    all_scores: AllScoresDoc<'a>,
    agreement: AgreementStats,
    crossed: Crossed<'a>,
    criteria: Criteria<'a>,
    rank_methods: super::RankMethods,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided: Option<&'a crate::domain::decisions::Applied>,
}

/// Panel statistics as pretty JSON tagged `"format": "revdesk-stats/1"`.
///
/// Keys: `experts`, `items`, `all_scores` (agreement from every score: `design`, `anova`, the
/// variance components `var_item`, `var_expert`, `var_error`, `icc1_1` … `icc3_k` as
/// `{estimate, lo, hi}` with A = 2 and C = 3, and `per_criterion`), `agreement` (the older
/// figures on the fully crossed subset only, kept for Kendall's W: exactly `icc1_1` … `icc3_k`,
/// `kendall_w`, `n_items`, `n_experts`; null figures when not computable), `crossed` (the subset it used), `criteria`
/// (Cronbach's alpha and each criterion's agreement on the same subset) and `rank_methods`
/// (Borda and Schulze ranks per nomination, and their agreement with the score method).
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
        all_scores: AllScoresDoc {
            figures: &a.all_scores,
            per_criterion: r
                .criteria
                .iter()
                .zip(&a.criteria_all)
                .map(|((key, label), figures)| CriterionAll {
                    key,
                    label,
                    figures,
                })
                .collect(),
        },
        agreement: agreement_figures(r),
        crossed,
        criteria: Criteria {
            cronbach_alpha: a.cronbach_alpha,
            alpha_scores: a.alpha_scores,
            per_criterion: r
                .criteria
                .iter()
                .enumerate()
                .map(|(c, (key, label))| CriterionAgreement {
                    key,
                    label,
                    agreement: a.criteria.get(c).and_then(Option::as_ref),
                })
                .collect(),
        },
        rank_methods: super::rank_methods(r),
        decided: r.decided.as_ref(),
    })
}
