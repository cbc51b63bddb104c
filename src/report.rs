//! From accepted score sheets to one explainable result: the panel, the aggregation, the
//! shortlist, its stability and the panel statistics. Every output format reads `Results`.

use crate::aggregate::{
    self, AggregateConfig, Aggregation, BootstrapConfig, Confidence as AggConfidence, CutStatus,
    Exclusion, Method, Panel, Stability,
};
use crate::batch::Batch;
use crate::industry;
use crate::profile::Profile;
use crate::sheet::{Confidence, Sheet};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// How to aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The method.
    pub method: Method,
    /// Experts needed before `trimmed` drops the extremes.
    pub trim_min: usize,
    /// Shortlist size range.
    pub shortlist: (usize, usize),
    /// Bootstrap resamples (0 = skip the stability analysis).
    pub replicates: usize,
    /// Bootstrap seed.
    pub seed: u64,
}

impl Options {
    /// The defaults for a profile: trimmed, 5 experts, the profile's range, B = 2000, seed 1.
    pub fn for_profile(profile: &Profile, final_review: bool) -> Options {
        let range = if final_review {
            let n = profile.final_list_size as usize;
            (n, n)
        } else {
            (
                profile.shortlist.min as usize,
                profile.shortlist.max as usize,
            )
        };
        Options {
            method: Method::default(),
            trim_min: 5,
            shortlist: range,
            replicates: 2000,
            seed: 1,
        }
    }
}

/// A result that cannot be computed.
///
/// The message already holds the cause, so the cause is not also chained as `source` (a chain
/// printer such as anyhow's `{:#}` would print it twice).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The panel could not be built from the sheets.
    #[error("cannot build the panel: {0}")]
    Panel(aggregate::PanelError),
    /// The aggregation refused its inputs.
    #[error("cannot aggregate: {0}")]
    Aggregate(aggregate::AggregateError),
}

impl From<aggregate::PanelError> for ReportError {
    fn from(e: aggregate::PanelError) -> Self {
        ReportError::Panel(e)
    }
}

impl From<aggregate::AggregateError> for ReportError {
    fn from(e: aggregate::AggregateError) -> Self {
        ReportError::Aggregate(e)
    }
}

/// One nomination's line in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Competition rank (1, 2, 2, 4); `None` when nobody scored it.
    pub rank: Option<usize>,
    /// 编号.
    pub id: String,
    /// 技术名称.
    pub name: String,
    /// 申报单位.
    pub applicant: String,
    /// 推荐单位.
    pub recommender: String,
    /// Industry codes with their names.
    pub industry: Vec<String>,
    /// 技术就绪水平.
    pub trl: u8,
    /// The domain key (useful in final-review batches).
    pub domain: String,
    /// The method's score.
    pub score: Option<f64>,
    /// Experts the method counts, before trimming (zscore leaves out experts it cannot
    /// standardise; every other method counts every complete, non-recused score).
    pub n: usize,
    /// Mean of each criterion over every complete score, in rubric order (descriptive, like
    /// `sd` and `range`: the same under every method).
    pub criteria_means: Vec<Option<f64>>,
    /// Population sd of the experts' totals.
    pub sd: Option<f64>,
    /// Highest minus lowest total.
    pub range: Option<f64>,
    /// Standard error (calibrated).
    pub se: Option<f64>,
    /// Calibrated on a disconnected expert–item graph: the group (1, 2, …) the item was fitted
    /// in; scores compare only within a group. None otherwise.
    pub component: Option<usize>,
    /// Probability of being on the shortlist when the panel is resampled.
    pub p_shortlist: Option<f64>,
    /// 90% rank interval from the bootstrap.
    pub rank_interval: Option<(usize, usize)>,
    /// On the computed shortlist.
    pub shortlisted: bool,
    /// Experts who recused (declared by the expert).
    pub n_recused: usize,
    /// Experts whose score was excluded for a conflict of interest they did not declare
    /// (found from the panel file).
    pub n_conflict: usize,
    /// Experts with partial scores (left out).
    pub n_incomplete: usize,
    /// Short machine-readable flags: `borderline`, `spread`, `tie-at-cut`, `incomplete`,
    /// `unscored`, `not-comparable` (calibrated, disconnected graph: see `component`).
    pub flags: Vec<String>,
    /// The chair's decision on this nomination (`include`/`exclude`), when one was recorded.
    pub decision: Option<String>,
    /// The chair's reason for the decision.
    pub decision_reason: Option<String>,
}

/// One expert's line in the panel statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpertRow {
    /// Expert id.
    pub id: String,
    /// Display name from the sheet.
    pub name: String,
    /// Sheet sequence number.
    pub sequence: u64,
    /// Items fully scored and counted.
    pub scored: usize,
    /// Items recused (declared by the expert).
    pub recused: usize,
    /// Items whose score was excluded for an undeclared conflict of interest.
    pub conflicts: usize,
    /// Items partly scored.
    pub incomplete: usize,
    /// Mean of the expert's totals.
    pub mean: Option<f64>,
    /// Population sd of the expert's totals.
    pub sd: Option<f64>,
    /// Leniency b_e from the calibrated fit, whatever method ranked (None: scored nothing).
    pub bias: Option<f64>,
    /// Why zscore left the expert out, if it did (plain words).
    pub left_out: Option<String>,
}

/// One cell of the expert × item matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// Expert id.
    pub expert: String,
    /// Item id.
    pub item: String,
    /// The expert's total, when complete.
    pub total: Option<f64>,
    /// Criterion scores in rubric order.
    pub scores: Vec<Option<f64>>,
    /// Recused (with the reason).
    pub recused: Option<String>,
    /// Excluded for a conflict of interest found by the panel file.
    pub conflict: bool,
    /// The expert's comment.
    pub comment: String,
    /// Flagged for discussion.
    pub flagged: bool,
    /// The expert's confidence.
    pub confidence: String,
}

/// Everything `rank`, `stats` and `export` print.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// The batch's content hash.
    pub batch: String,
    /// The batch title.
    pub title: String,
    /// The profile id.
    pub profile: String,
    /// The profile's content hash (the final review refuses to merge different rules).
    pub profile_hash: String,
    /// The batch's domain key (None for a final-review batch).
    pub domain: Option<String>,
    /// Whether the batch is a final-review batch.
    pub final_review: bool,
    /// The rubric hash every sheet matched.
    pub rubric: String,
    /// The method used.
    pub method: Method,
    /// All parameters of the run.
    pub config: AggregateConfig,
    /// Bootstrap parameters (None when skipped).
    pub bootstrap: Option<BootstrapConfig>,
    /// Criterion keys and labels, in rubric order.
    pub criteria: Vec<(String, String)>,
    /// Rows in ranking order (tied rows by id), unscored items last (by id).
    pub rows: Vec<Row>,
    /// The shortlist size chosen by the rule.
    pub k: usize,
    /// Whether the shortlist leaves the range the cut was computed on (`config`: the profile's,
    /// or the `--shortlist` override): K (fewer ranked items than the minimum), or, once the
    /// chair's decisions apply, the decided list.
    pub k_out_of_range: bool,
    /// Why the cut is where it is, in words.
    pub cut_note: String,
    /// The engine's full output (threshold map, cuts, agreement).
    pub aggregation: Aggregation,
    /// Bootstrap stability, when run.
    pub stability: Option<Stability>,
    /// Panel statistics per expert.
    pub experts: Vec<ExpertRow>,
    /// The expert × item matrix.
    pub matrix: Vec<Cell>,
    /// Plain-language warnings for the chair.
    pub warnings: Vec<String>,
    /// The nominations as submitted, in id order (the final review builds its batch from these).
    pub nominations: Vec<crate::batch::Item>,
    /// The chair's decision log, when decisions were applied.
    pub decisions: Vec<crate::decisions::Recorded>,
    /// What the chair's decisions did (decided K, list size, overrides, split tie, settings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided: Option<crate::decisions::Applied>,
}

fn to_agg(c: Confidence) -> AggConfidence {
    match c {
        Confidence::Low => AggConfidence::Low,
        Confidence::Normal => AggConfidence::Normal,
        Confidence::High => AggConfidence::High,
    }
}

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
                panel.add(e, &it.id, t, values, to_agg(it.confidence).weight())?;
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
        shortlist_min: opts.shortlist.0,
        shortlist_max: opts.shortlist.1,
        ..AggregateConfig::default()
    };
    let agg = aggregate::aggregate(&panel, &config)?;
    // The experts' leniency is a panel statistic under every method. It is secondary here:
    // should the fit fail, the biases are missing rather than the whole result.
    let biases = if config.method == Method::Calibrated {
        None
    } else {
        aggregate::calibrated_biases(&panel).ok()
    };
    let (stability, bcfg) = if opts.replicates > 0 && !sheets.is_empty() {
        let bcfg = BootstrapConfig {
            replicates: opts.replicates,
            seed: opts.seed,
            ..BootstrapConfig::default()
        };
        (
            Some(aggregate::bootstrap(&panel, &config, &bcfg)?),
            Some(bcfg),
        )
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
            flags.push("borderline".to_string());
        }
        if r.large_spread {
            flags.push("spread".to_string());
        }
        if tied.contains(&idx) {
            flags.push("tie-at-cut".to_string());
        }
        if r.n_incomplete > 0 {
            flags.push("incomplete".to_string());
        }
        if r.score.is_none() {
            flags.push("unscored".to_string());
        }
        let component = r.component.filter(|_| disconnected).map(|c| c + 1);
        if component.is_some() && r.score.is_some() {
            flags.push("not-comparable".to_string());
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

/// Why the cut is where it is, in plain words.
pub fn describe_cut(sl: &aggregate::Shortlist) -> String {
    match &sl.status {
        CutStatus::Clean => match (sl.cut_score, sl.next_score) {
            (Some(a), Some(b)) => format!(
                "K = {}: the largest size in {}–{} that splits no tie (score at the cut {a:.4}, next {b:.4})",
                sl.k, sl.min, sl.max
            ),
            _ => format!("K = {}: every ranked nomination", sl.k),
        },
        CutStatus::TieAtCut { tied, places } => format!(
            "K = {}: every size in {}–{} splits a tie; {} tied nominations share {} places — the chair must decide",
            sl.k,
            sl.min,
            sl.max,
            tied.len(),
            places
        ),
        CutStatus::FewerThanMin => format!(
            "K = {}: only {} nominations are ranked, fewer than the minimum {}",
            sl.k, sl.n_ranked, sl.min
        ),
    }
}

/// [`describe_cut`] in Chinese, for the documents sent to the association.
pub fn describe_cut_zh(sl: &aggregate::Shortlist) -> String {
    match &sl.status {
        CutStatus::Clean => match (sl.cut_score, sl.next_score) {
            (Some(a), Some(b)) => format!(
                "K = {}：{}–{} 范围内不拆开同分的最大入围项数（截线处得分 {a:.4}，下一项 {b:.4}）",
                sl.k, sl.min, sl.max
            ),
            _ => format!("K = {}：全部有排名的项目", sl.k),
        },
        CutStatus::TieAtCut { tied, places } => format!(
            "K = {}：{}–{} 范围内任何入围项数都会拆开同分；{} 个同分项目争 {} 个名额，须由主席决定",
            sl.k,
            sl.min,
            sl.max,
            tied.len(),
            places
        ),
        CutStatus::FewerThanMin => format!(
            "K = {}：仅 {} 项有排名，少于入围下限 {}",
            sl.k, sl.n_ranked, sl.min
        ),
    }
}

/// Why zscore left an expert out, in Chinese.
pub fn describe_left_out_zh(x: &aggregate::ZscoreExclusion) -> String {
    match x {
        aggregate::ZscoreExclusion::TooFewItems { scored } => {
            format!("仅评 {scored} 项，zscore 至少需要 2 项才能标准化")
        }
        aggregate::ZscoreExclusion::ZeroSpread => {
            "所评项目总分全部相同，zscore 无法标准化".to_string()
        }
    }
}

/// [`describe_warning`] in Chinese, for the documents sent to the association.
pub fn describe_warning_zh(w: &aggregate::Warning) -> String {
    use aggregate::Warning as W;
    match w {
        W::Unscored { items } => format!("无人评分：{}（列于最后，无排名）", items.join("、")),
        W::ExpertsLeftOut { experts } => format!(
            "zscore 方法未计入专家 {}（评分少于 2 项或总分无差异）",
            experts.join("、")
        ),
        W::Disconnected { components } => format!(
            "calibrated：专家与项目的评分关系分为 {components} 个互不相连的组，各组得分不可相互比较"
        ),
        W::NoStandardErrors {
            observations,
            parameters,
        } => format!("calibrated：{observations} 个评分对应 {parameters} 个参数，无法估计标准误"),
        W::FewerThanMin { ranked, min } => {
            format!("仅 {ranked} 项有排名，少于入围下限 {min}")
        }
        W::TieAtCut { k, tied } => format!(
            "任何入围项数都会拆开同分：K = {k}，同分项目：{}，须由主席决定",
            tied.join("、")
        ),
        W::LargeSpread { items } => format!("专家分歧较大：{}", items.join("、")),
    }
}

/// A warning in plain words.
pub fn describe_warning(w: &aggregate::Warning) -> String {
    use aggregate::Warning as W;
    match w {
        W::Unscored { items } => format!(
            "nobody scored {}: listed last, without a rank",
            items.join(", ")
        ),
        W::ExpertsLeftOut { experts } => format!(
            "zscore left out {} (fewer than 2 items, or no spread)",
            experts.join(", ")
        ),
        W::Disconnected { components } => format!(
            "calibrated: the expert–item graph falls into {components} separate groups; scores are not comparable across groups"
        ),
        W::NoStandardErrors {
            observations,
            parameters,
        } => format!(
            "calibrated: {observations} scores for {parameters} parameters: no standard errors"
        ),
        W::FewerThanMin { ranked, min } => {
            format!("only {ranked} nominations are ranked, fewer than the shortlist minimum {min}")
        }
        W::TieAtCut { k, tied } => format!(
            "every shortlist size splits a tie: K = {k}, tied: {} — the chair must decide",
            tied.join(", ")
        ),
        W::LargeSpread { items } => format!("experts disagree strongly on {}", items.join(", ")),
    }
}

impl Results {
    /// The rows on the shortlist, in rank order.
    pub fn shortlist(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.shortlisted)
    }

    /// Rows flagged borderline.
    pub fn borderline(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| r.flags.iter().any(|f| f == "borderline"))
    }
}
