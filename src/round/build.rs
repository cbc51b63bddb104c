//! Building results from accepted score sheets: the panel, the aggregation, the shortlist, its
//! stability and the panel statistics.

use crate::domain::batch::Batch;
use crate::domain::industry;
use crate::domain::profile::Profile;
use crate::domain::results::*;
use crate::engine::{
    self, AggregateConfig, Aggregation, BootstrapConfig, CutStatus, Exclusion, Method, Panel,
    Stability,
};
use crate::io::sheet::Sheet;
use std::collections::{BTreeMap, HashSet};

/// Aggregates accepted sheets; `excluded` pairs (expert, item) are dropped (conflicts of interest).
pub fn build(
    batch: &Batch,
    profile: &Profile,
    sheets: &[Sheet],
    excluded: &[(String, String)],
    opts: &Options,
) -> Result<Results, ReportError> {
    let rubric = profile.rubric();
    let crit = &rubric.criteria;
    // Panel order is id order, for items and experts alike: ties are listed by id and the
    // bootstrap draws by panel index, so neither may follow the batch file's row order (the
    // batch hash ignores it) or the order the sheets were passed in.
    let order = id_order(batch);
    let mut sheets: Vec<&Sheet> = sheets.iter().collect();
    sheets.sort_by(|a, b| a.expert.id.cmp(&b.expert.id));
    let experts: Vec<String> = sheets.iter().map(|s| s.expert.id.clone()).collect();
    let items = order.iter().map(|&i| batch.items[i].id.clone());
    let mut panel = Panel::new(experts.iter().cloned(), items, crit.len())?;
    let excluded: HashSet<(&str, &str)> = excluded
        .iter()
        .map(|(e, i)| (e.as_str(), i.as_str()))
        .collect();
    let mut matrix = Vec::new();
    for s in &sheets {
        let e = s.expert.id.as_str();
        for it in &s.items {
            let scores: Vec<Option<f64>> = crit
                .iter()
                .map(|c| it.scores.get(&c.key).copied())
                .collect();
            let conflict = excluded.contains(&(e, it.id.as_str()));
            let total = rubric.total(&it.scores);
            if it.recused {
                panel.mark_excluded(e, &it.id, Exclusion::Recused)?;
            } else if conflict {
                // A recusal the expert should have declared: counted apart from real ones.
                panel.mark_excluded(e, &it.id, Exclusion::Conflict)?;
            } else if let Some(t) = total {
                let values: Vec<f64> = scores.iter().map(|v| v.unwrap_or(0.0)).collect();
                panel.add(e, &it.id, t, values, it.confidence.weight())?;
            } else if scores.iter().any(Option::is_some) {
                panel.mark_excluded(e, &it.id, Exclusion::Incomplete)?;
            }
            matrix.push(Cell {
                expert: e.to_string(),
                item: it.id.clone(),
                total: if it.recused || conflict { None } else { total },
                scores,
                recused: it.recused.then(|| it.recusal_reason.clone()),
                conflict,
                comment: it.comment.clone(),
                flagged: it.flagged,
                confidence: it.confidence.as_str().to_string(),
            });
        }
    }
    let config = AggregateConfig {
        method: opts.method,
        trim_min: opts.trim_min,
        min_n: opts.min_n,
        shortlist_min: opts.shortlist.0,
        shortlist_max: opts.shortlist.1,
        ..AggregateConfig::default()
    };
    let agg = engine::aggregate(&panel, &config)?;
    // The experts' leniency is a panel statistic under every method. It is secondary here:
    // should the fit fail, the biases are missing rather than the whole result.
    let biases = if config.method == Method::Calibrated {
        None
    } else {
        engine::calibrated_biases(&panel).ok()
    };
    let (stability, bcfg) = if opts.replicates > 0 && !sheets.is_empty() {
        let bcfg = BootstrapConfig {
            replicates: opts.replicates,
            seed: opts.seed,
            ..BootstrapConfig::default()
        };
        (Some(engine::bootstrap(&panel, &config, &bcfg)?), Some(bcfg))
    } else {
        (None, None)
    };
    Ok(assemble(
        batch, &order, profile, &sheets, agg, biases, stability, bcfg, matrix,
    ))
}

/// Indices of the batch's items sorted by id (ids are unique in a usable batch).
fn id_order(batch: &Batch) -> Vec<usize> {
    let mut order: Vec<usize> = (0..batch.items.len()).collect();
    order.sort_by(|&a, &b| batch.items[a].id.cmp(&batch.items[b].id));
    order
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    batch: &Batch,
    order: &[usize],
    profile: &Profile,
    sheets: &[&Sheet],
    agg: Aggregation,
    biases: Option<Vec<Option<f64>>>,
    stability: Option<Stability>,
    bcfg: Option<BootstrapConfig>,
    matrix: Vec<Cell>,
) -> Results {
    let crit = &profile.rubric().criteria;
    let tied: HashSet<usize> = match &agg.shortlist.status {
        CutStatus::TieAtCut { tied, .. } => tied.iter().copied().collect(),
        _ => HashSet::new(),
    };
    let disconnected = agg.calibration.as_ref().is_some_and(|c| c.disconnected);
    let mut rows = Vec::with_capacity(batch.items.len());
    for &idx in &agg.ranking.order {
        // `idx` is a panel index; the panel lists the items in id order.
        let it = &batch.items[order[idx]];
        let r = &agg.items[idx];
        let st = stability.as_ref().and_then(|s| s.items.get(idx));
        let mut flags = Vec::new();
        if st.is_some_and(|s| s.borderline) {
            flags.push(Flag::Borderline);
        }
        if r.large_spread {
            flags.push(Flag::Spread);
        }
        if r.few_experts {
            flags.push(Flag::FewExperts);
        }
        if tied.contains(&idx) {
            flags.push(Flag::TieAtCut);
        }
        if r.n_incomplete > 0 {
            flags.push(Flag::Incomplete);
        }
        if r.score.is_none() {
            flags.push(Flag::Unscored);
        }
        let component = r.component.filter(|_| disconnected).map(|c| c + 1);
        if component.is_some() && r.score.is_some() {
            flags.push(Flag::NotComparable);
        }
        let means = if r.n_observed > 0 {
            r.criteria_means.iter().map(|m| Some(*m)).collect()
        } else {
            vec![None; crit.len()]
        };
        rows.push(Row {
            rank: r.rank,
            id: it.id.clone(),
            name: it.name.clone(),
            applicant: it.applicant.clone(),
            recommender: it.recommender.clone(),
            industry: it
                .industry
                .iter()
                .map(|c| industry::label(c, false))
                .collect(),
            trl: it.trl,
            domain: it.domain.clone(),
            score: r.score,
            rule: r.rule,
            n: r.n,
            criteria_means: means,
            sd: r.sd,
            range: r.range,
            se: r.se,
            component,
            p_shortlist: st.map(|s| s.inclusion),
            rank_interval: st
                .filter(|_| r.score.is_some())
                .map(|s| (s.rank_lo, s.rank_hi)),
            shortlisted: r.shortlisted,
            n_recused: r.n_recused,
            n_conflict: r.n_conflict,
            n_incomplete: r.n_incomplete,
            flags,
            decision: None,
            decision_reason: None,
        });
    }
    let sl = &agg.shortlist;
    let cut_note = describe_cut(sl);
    let k_out_of_range = sl.k < sl.min || sl.k > sl.max;
    let by_id: BTreeMap<&str, &Sheet> = sheets.iter().map(|s| (s.expert.id.as_str(), *s)).collect();
    let experts = agg
        .experts
        .iter()
        .map(|e| ExpertRow {
            id: e.id.clone(),
            name: by_id
                .get(e.id.as_str())
                .map(|s| s.expert.name.clone())
                .unwrap_or_default(),
            sequence: by_id.get(e.id.as_str()).map(|s| s.sequence).unwrap_or(0),
            scored: e.n_scored,
            recused: e.n_recused,
            conflicts: e.n_conflict,
            incomplete: e.n_incomplete,
            mean: e.mean_total,
            sd: e.sd_total,
            bias: e.bias.or_else(|| {
                biases
                    .as_ref()
                    .and_then(|b| b.get(e.index).copied().flatten())
            }),
            left_out: e.excluded.as_ref().map(ToString::to_string),
            assigned: None,
            panel_r: e.panel.r,
            panel_r_items: e.panel.n_items,
            outlier: e.panel.outlier,
        })
        .collect();
    let warnings = agg.warnings.iter().map(describe_warning).collect();
    Results {
        batch: batch.hash.clone(),
        title: batch.meta.title.clone(),
        profile: profile.id.clone(),
        profile_hash: profile.hash(),
        domain: batch.domain.clone(),
        final_review: batch.meta.final_review,
        rubric: profile.rubric_hash(),
        method: agg.config.method,
        config: agg.config.clone(),
        bootstrap: bcfg,
        criteria: crit
            .iter()
            .map(|c| (c.key.clone(), c.label.clone()))
            .collect(),
        rows,
        k: sl.k,
        k_out_of_range,
        cut_note,
        aggregation: agg,
        stability,
        experts,
        matrix,
        warnings,
        nominations: order.iter().map(|&i| batch.items[i].clone()).collect(),
        decisions: Vec::new(),
        decided: None,
    }
}
