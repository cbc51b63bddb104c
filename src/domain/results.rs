//! From accepted score sheets to one explainable result: the panel, the aggregation, the
//! shortlist, its stability and the panel statistics. Every output format reads `Results`.

use crate::domain::profile::Profile;
use crate::engine::{
    self, AggregateConfig, Aggregation, BootstrapConfig, CutStatus, Method, Stability,
};
use serde::Serialize;

/// Something about a nomination's result the chair should look at. The declaration order is
/// the order flags are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[derive(strum::Display, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Flag {
    /// The probability of being on the shortlist is between the borderline band's edges.
    Borderline,
    /// The experts disagree: totals 30 points apart or more, or sd ≥ 15.
    Spread,
    /// Fewer experts counted it than the profile's `min_experts`: kept off the shortlist
    /// unless the chair includes it.
    FewExperts,
    /// The cut splits a tie this nomination is in.
    TieAtCut,
    /// Some expert scored only part of the criteria.
    Incomplete,
    /// Nobody scored it.
    Unscored,
    /// Calibrated on a disconnected panel: comparable only within its group.
    NotComparable,
}

impl Flag {
    /// The machine-readable name (`tie-at-cut`), as in CSV and JSON.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The name in Chinese documents.
    pub fn zh(self) -> &'static str {
        match self {
            Flag::Borderline => "临界",
            Flag::Spread => "分歧大",
            Flag::FewExperts => "评分专家过少",
            Flag::TieAtCut => "截线处并列",
            Flag::NotComparable => "不可跨组比较",
            Flag::Incomplete => "有未评完",
            Flag::Unscored => "无人评分",
        }
    }
}

/// How to aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The method.
    pub method: Method,
    /// Experts needed before `trimmed` drops the extremes.
    pub trim_min: usize,
    /// Experts needed before a nomination may enter the shortlist by the rule (the profile's
    /// `min_experts`).
    pub min_n: usize,
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
            min_n: profile.min_experts as usize,
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
    Panel(engine::PanelError),
    /// The aggregation refused its inputs.
    #[error("cannot aggregate: {0}")]
    Aggregate(engine::AggregateError),
}

impl From<engine::PanelError> for ReportError {
    fn from(e: engine::PanelError) -> Self {
        ReportError::Panel(e)
    }
}

impl From<engine::AggregateError> for ReportError {
    fn from(e: engine::AggregateError) -> Self {
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
    /// `trimmed` only: the rule applied (one per panel). Not serialised with the results, so
    /// exported files keep their layout; `rank --format json` adds it to each row.
    #[serde(skip)]
    pub rule: Option<engine::TrimRule>,
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
    /// What the chair should look at, in canonical order: `borderline`, `spread`, `tie-at-cut`, `incomplete`,
    /// `unscored`, `not-comparable` (calibrated, disconnected graph: see `component`).
    pub flags: Vec<Flag>,
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
    /// Nominations assigned to the expert (None: no assignment, every nomination is theirs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned: Option<usize>,
    /// Pearson r of the expert's totals with the other experts' mean on the same nominations.
    pub panel_r: Option<f64>,
    /// Nominations that correlation used.
    pub panel_r_items: usize,
    /// The expert agrees with the panel far less than the others do (see the engine's rule).
    pub outlier: bool,
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
    pub nominations: Vec<crate::domain::batch::Item>,
    /// The chair's decision log, when decisions were applied.
    pub decisions: Vec<crate::domain::decided::Recorded>,
    /// What the chair's decisions did (decided K, list size, overrides, split tie, settings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided: Option<crate::domain::decided::Applied>,
}

/// Why the cut is where it is, in plain words.
pub fn describe_cut(sl: &engine::Shortlist) -> String {
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
pub fn describe_cut_zh(sl: &engine::Shortlist) -> String {
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
pub fn describe_left_out_zh(x: &engine::ZscoreExclusion) -> String {
    match x {
        engine::ZscoreExclusion::TooFewItems { scored } => {
            format!("仅评 {scored} 项，zscore 至少需要 2 项才能标准化")
        }
        engine::ZscoreExclusion::ZeroSpread => {
            "所评项目总分全部相同，zscore 无法标准化".to_string()
        }
    }
}

/// [`describe_warning`] in Chinese, for the documents sent to the association.
pub fn describe_warning_zh(w: &engine::Warning) -> String {
    use engine::Warning as W;
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
        W::ExpertOutliers { experts } => format!(
            "专家 {} 的评分与其他专家的一致性明显偏低（留一相关系数），请核查其评分",
            experts.join("、")
        ),
        W::TrimmedAsMean { items, trim_min } => crate::text::i18n::T::WarnTrimmedAsMean
            .get(crate::text::i18n::Lang::Zh)
            .replace("{trim_min}", &trim_min.to_string())
            .replace("{items}", &items.join("、")),
        W::FewExperts { items, min } => format!(
            "评分专家少于 {min} 人，不按规则入围（须由主席决定）：{}",
            items.join("、")
        ),
    }
}

/// A warning in plain words.
pub fn describe_warning(w: &engine::Warning) -> String {
    use engine::Warning as W;
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
        W::ExpertOutliers { experts } => format!(
            "{} agree with the rest of the panel far less than the others do (leave-one-out r): check their scores",
            experts.join(", ")
        ),
        W::TrimmedAsMean { items, trim_min } => crate::text::i18n::T::WarnTrimmedAsMean
            .get(crate::text::i18n::Lang::En)
            .replace("{trim_min}", &trim_min.to_string())
            .replace("{items}", &items.join(", ")),
        W::FewExperts { items, min } => format!(
            "fewer than {min} experts scored {}: ranked, but on the shortlist only by the chair's decision",
            items.join(", ")
        ),
    }
}

impl Row {
    /// Whether the cut counts this row: ranked, and scored by enough experts.
    pub fn counts_for_cut(&self) -> bool {
        self.rank.is_some() && !self.flags.contains(&Flag::FewExperts)
    }
}

impl Results {
    /// How many rows, in ranking order, lie above the cut: through the K-th row the cut counts
    /// (rows scored by too few experts sit where their score puts them, but do not count).
    pub fn cut_row(&self) -> usize {
        let mut counted = 0;
        for (i, row) in self.rows.iter().enumerate() {
            if counted == self.k {
                return i;
            }
            counted += usize::from(row.counts_for_cut());
        }
        if counted == self.k {
            self.rows.len()
        } else {
            self.k
        }
    }

    /// The rows on the shortlist, in rank order.
    pub fn shortlist(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.shortlisted)
    }

    /// Rows flagged borderline.
    pub fn borderline(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| r.flags.contains(&Flag::Borderline))
    }
}
