//! One aggregation run: scores, ranking, shortlist, per-item and per-expert statistics, warnings.

use serde::Serialize;

use super::agreement::{Agreement, agreement};
use super::calibrated::{self, CalWorkspace};
use super::config::{AggregateConfig, SPREAD_EPS};
use super::describe::{mean_sd, min_max};
use super::error::AggregateError;
use super::methods::{Engine, Method, TrimRule, ZscoreExclusion};
use super::panel::{Exclusion, Panel};
use super::rank::{Ranking, rank};
use super::reliability::{ExpertAgreement, expert_agreement};
use super::shortlist::{CutStatus, Shortlist, shortlist};

/// Everything the chair sees about one item.
///
/// Descriptive fields (`sd`, `min`, `max`, `range`, `mean_total`, `criteria_means`) use all
/// complete observations of the item, whatever the method, so disagreement reads the same
/// under every method; `n` counts the experts the method used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemResult {
    /// Panel index.
    pub index: usize,
    /// Item id.
    pub id: String,
    /// Aggregated score (None: no counting expert scored it).
    pub score: Option<f64>,
    /// Competition rank (None: unscored).
    pub rank: Option<usize>,
    /// Experts counting for the method, before trimming.
    pub n: usize,
    /// `trimmed` only: the rule applied, the same for every item of the panel (see
    /// [`TrimRule`]). Not serialised here, so exported results keep their layout; `rank`
    /// prints it per row.
    #[serde(skip)]
    pub rule: Option<TrimRule>,
    /// Complete observations of the item.
    pub n_observed: usize,
    /// Pairs marked incomplete.
    pub n_incomplete: usize,
    /// Pairs marked recused.
    pub n_recused: usize,
    /// Pairs excluded for an undeclared conflict of interest.
    pub n_conflict: usize,
    /// Plain mean of the totals.
    pub mean_total: Option<f64>,
    /// Population sd of the totals (disagreement).
    pub sd: Option<f64>,
    /// Lowest total.
    pub min: Option<f64>,
    /// Highest total.
    pub max: Option<f64>,
    /// max − min.
    pub range: Option<f64>,
    /// Mean of each criterion's raw score (empty when unobserved).
    pub criteria_means: Vec<f64>,
    /// Standard error of v_i (calibrated only, when residual dof > 0).
    pub se: Option<f64>,
    /// Connected component (calibrated only); scores compare only within one component.
    pub component: Option<usize>,
    /// range ≥ spread_range_flag or sd ≥ spread_sd_flag (within [`SPREAD_EPS`]).
    pub large_spread: bool,
    /// Scored, but counted by fewer experts than `min_n`: kept out of the cut.
    pub few_experts: bool,
    /// On the shortlist.
    pub shortlisted: bool,
}

/// Everything the chair sees about one expert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpertResult {
    /// Panel index.
    pub index: usize,
    /// Expert id.
    pub id: String,
    /// Items with a complete observation.
    pub n_scored: usize,
    /// Pairs marked incomplete.
    pub n_incomplete: usize,
    /// Pairs marked recused.
    pub n_recused: usize,
    /// Pairs excluded for an undeclared conflict of interest.
    pub n_conflict: usize,
    /// Mean total over the items scored (the zscore centre m_e).
    pub mean_total: Option<f64>,
    /// Population sd of the totals (the zscore scale sd_e).
    pub sd_total: Option<f64>,
    /// Leniency b_e (calibrated only).
    pub bias: Option<f64>,
    /// Connected component (calibrated only).
    pub component: Option<usize>,
    /// Why zscore left the expert out (zscore only).
    pub excluded: Option<ZscoreExclusion>,
    /// Agreement with the rest of the panel (leave-one-out r, method independent).
    pub panel: ExpertAgreement,
}

/// Fit summary of the calibrated method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Connected components of the expert–item graph (scored items only).
    pub n_components: usize,
    /// More than one component: scores are not comparable across components.
    pub disconnected: bool,
    /// Counting (expert, item) pairs N.
    pub n_observations: usize,
    /// Free parameters p = items scored + experts who scored − components.
    pub n_parameters: usize,
    /// Weighted residual sum of squares Σ c (t − v − b)².
    pub rss: f64,
    /// σ² = RSS / (N − p); None when N ≤ p (no SE then).
    pub sigma2: Option<f64>,
}

/// Something the chair should look at.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// Items nobody counting scored (unranked, listed last).
    Unscored {
        /// Item ids.
        items: Vec<String>,
    },
    /// zscore left these experts out.
    ExpertsLeftOut {
        /// Expert ids.
        experts: Vec<String>,
    },
    /// Calibrated: the panel splits into components whose scores are not comparable.
    Disconnected {
        /// Number of components.
        components: usize,
    },
    /// Calibrated: N ≤ p, so no standard errors.
    NoStandardErrors {
        /// Counting pairs N.
        observations: usize,
        /// Free parameters p.
        parameters: usize,
    },
    /// Fewer ranked items than the minimum K.
    FewerThanMin {
        /// Ranked items.
        ranked: usize,
        /// Minimum K.
        min: usize,
    },
    /// Every K in range splits a tie; K = max and the chair must decide among these.
    TieAtCut {
        /// Chosen K.
        k: usize,
        /// Ids of the tied items.
        tied: Vec<String>,
    },
    /// Items whose totals disagree strongly.
    LargeSpread {
        /// Item ids.
        items: Vec<String>,
    },
    /// Experts whose totals agree with the rest of the panel far less than the others' do.
    ExpertOutliers {
        /// Expert ids.
        experts: Vec<String>,
    },
    /// `trimmed` took the plain mean for every item, because these scored items have fewer than
    /// `trim_min` experts while others have enough (one rule per panel keeps scores comparable).
    TrimmedAsMean {
        /// Ids of the items below `trim_min`.
        items: Vec<String>,
        /// The threshold.
        trim_min: usize,
    },
    /// Items counted by fewer than `min` experts: ranked, but left out of the shortlist.
    FewExperts {
        /// Item ids.
        items: Vec<String>,
        /// The minimum.
        min: usize,
    },
}

/// The complete, explainable result of one aggregation run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregation {
    /// Parameters used.
    pub config: AggregateConfig,
    /// Per item, in panel order.
    pub items: Vec<ItemResult>,
    /// Per expert, in panel order.
    pub experts: Vec<ExpertResult>,
    /// Ranking of the scores.
    pub ranking: Ranking,
    /// The shortlist with cut diagnostics and threshold map.
    pub shortlist: Shortlist,
    /// Calibrated fit summary (calibrated only).
    pub calibration: Option<Calibration>,
    /// Agreement on the fully crossed subset (method independent).
    pub agreement: Agreement,
    /// Points for the chair's attention.
    pub warnings: Vec<Warning>,
}

/// Whether a spread figure reaches its threshold, allowing for the rounding of the totals.
fn reaches(x: Option<f64>, threshold: f64) -> bool {
    x.is_some_and(|x| x >= threshold - SPREAD_EPS)
}

/// Ids of the given item indices.
fn item_ids(panel: &Panel, idx: impl IntoIterator<Item = usize>) -> Vec<String> {
    idx.into_iter().map(|i| panel.items()[i].clone()).collect()
}

/// Each expert's leniency b_e from the calibrated fit of the real panel, whatever method ranks
/// (None for an expert who scored nothing); the same values `calibrated` reports.
pub fn calibrated_biases(panel: &Panel) -> Result<Vec<Option<f64>>, AggregateError> {
    let eng = Engine::new(panel);
    let mult = vec![1u32; eng.n_experts];
    let mut ws = CalWorkspace::new(eng.n_items, eng.n_experts);
    calibrated::fit_into(&eng, &mult, &mut ws)?;
    Ok(ws.b)
}

/// Aggregates a panel with `config`: scores, ranks, shortlist, statistics and warnings.
pub fn aggregate(panel: &Panel, config: &AggregateConfig) -> Result<Aggregation, AggregateError> {
    config.validate()?;
    let method = config.method;
    let eng = Engine::new(panel);
    let (ni, ne) = (eng.n_items, eng.n_experts);
    let mult = vec![1u32; ne];
    let mut ws = CalWorkspace::new(ni, ne);
    let mut scores = vec![None; ni];
    eng.score(method, config.trim_min, &mult, &mut ws, &mut scores)?;
    let cal = (method == Method::Calibrated)
        .then(|| calibrated::stats(&eng, &mult, &mut ws))
        .transpose()?;

    let rule = (method == Method::Trimmed).then(|| eng.trim_rule(config.trim_min));
    let ranking = rank(&scores);
    let few: Vec<bool> = (0..ni)
        .map(|i| scores[i].is_some() && eng.counting(method, i) < config.min_n)
        .collect();
    // The cut is made among the items enough experts counted; the others keep their rank.
    let list = if few.contains(&true) {
        let eligible: Vec<Option<f64>> = scores
            .iter()
            .zip(&few)
            .map(|(s, &f)| s.filter(|_| !f))
            .collect();
        shortlist(
            &rank(&eligible),
            config.shortlist_min,
            config.shortlist_max,
            config.threshold_window,
        )?
    } else {
        shortlist(
            &ranking,
            config.shortlist_min,
            config.shortlist_max,
            config.threshold_window,
        )?
    };
    let mut on_list = vec![false; ni];
    for &i in &list.items {
        on_list[i] = true;
    }

    let count_excl =
        |e: usize, i: usize, what: Exclusion| usize::from(panel.exclusion(e, i) == Some(what));
    let nc = panel.n_criteria();
    let mut totals = Vec::with_capacity(ne);
    let items: Vec<ItemResult> = (0..ni)
        .map(|i| {
            totals.clear();
            let mut crit = vec![0.0; nc];
            for e in 0..ne {
                if let Some(o) = panel.observation(e, i) {
                    totals.push(o.total);
                    for (c, x) in crit.iter_mut().zip(&o.criteria) {
                        *c += x;
                    }
                }
            }
            let n_observed = totals.len();
            if n_observed == 0 {
                crit.clear();
            } else {
                crit.iter_mut().for_each(|c| *c /= n_observed as f64);
            }
            let ms = mean_sd(&totals);
            let mm = min_max(&totals);
            let range = mm.map(|(lo, hi)| hi - lo);
            let sd = ms.map(|m| m.1);
            let large_spread =
                reaches(range, config.spread_range_flag) || reaches(sd, config.spread_sd_flag);
            ItemResult {
                index: i,
                id: panel.items()[i].clone(),
                score: ranking.scores[i],
                rank: ranking.ranks[i],
                n: eng.counting(method, i),
                rule,
                n_observed,
                n_incomplete: (0..ne)
                    .map(|e| count_excl(e, i, Exclusion::Incomplete))
                    .sum(),
                n_recused: (0..ne).map(|e| count_excl(e, i, Exclusion::Recused)).sum(),
                n_conflict: (0..ne).map(|e| count_excl(e, i, Exclusion::Conflict)).sum(),
                mean_total: ms.map(|m| m.0),
                sd,
                min: mm.map(|m| m.0),
                max: mm.map(|m| m.1),
                range,
                criteria_means: crit,
                se: cal.as_ref().and_then(|c| c.se[i]),
                component: if cal.is_some() { ws.item_comp[i] } else { None },
                large_spread,
                few_experts: few[i],
                shortlisted: on_list[i],
            }
        })
        .collect();

    let loo = expert_agreement(panel);
    let experts: Vec<ExpertResult> = (0..ne)
        .map(|e| {
            totals.clear();
            totals.extend((0..ni).filter_map(|i| panel.observation(e, i).map(|o| o.total)));
            let ms = mean_sd(&totals);
            ExpertResult {
                index: e,
                id: panel.experts()[e].clone(),
                n_scored: totals.len(),
                n_incomplete: (0..ni)
                    .map(|i| count_excl(e, i, Exclusion::Incomplete))
                    .sum(),
                n_recused: (0..ni).map(|i| count_excl(e, i, Exclusion::Recused)).sum(),
                n_conflict: (0..ni).map(|i| count_excl(e, i, Exclusion::Conflict)).sum(),
                mean_total: ms.map(|m| m.0),
                sd_total: ms.map(|m| m.1),
                bias: if cal.is_some() { ws.b[e] } else { None },
                component: if cal.is_some() {
                    ws.expert_comp[e]
                } else {
                    None
                },
                excluded: if method == Method::Zscore {
                    eng.zscore_exclusion[e]
                } else {
                    None
                },
                panel: loo[e],
            }
        })
        .collect();

    let calibration = cal.as_ref().map(|c| Calibration {
        n_components: ws.n_components,
        disconnected: ws.n_components > 1,
        n_observations: c.n_obs,
        n_parameters: c.n_params,
        rss: c.rss,
        sigma2: c.sigma2,
    });

    let mut warnings = Vec::new();
    let unscored = item_ids(panel, (0..ni).filter(|&i| scores[i].is_none()));
    if !unscored.is_empty() {
        warnings.push(Warning::Unscored { items: unscored });
    }
    let left_out: Vec<String> = experts
        .iter()
        .filter(|x| x.excluded.is_some())
        .map(|x| x.id.clone())
        .collect();
    if !left_out.is_empty() {
        warnings.push(Warning::ExpertsLeftOut { experts: left_out });
    }
    if let Some(c) = &calibration {
        if c.disconnected {
            warnings.push(Warning::Disconnected {
                components: c.n_components,
            });
        }
        if c.sigma2.is_none() && c.n_observations > 0 {
            warnings.push(Warning::NoStandardErrors {
                observations: c.n_observations,
                parameters: c.n_parameters,
            });
        }
    }
    match &list.status {
        CutStatus::FewerThanMin => warnings.push(Warning::FewerThanMin {
            ranked: list.n_ranked,
            min: list.min,
        }),
        CutStatus::TieAtCut { tied, .. } => warnings.push(Warning::TieAtCut {
            k: list.k,
            tied: item_ids(panel, tied.iter().copied()),
        }),
        CutStatus::Clean => {}
    }
    let spread = item_ids(
        panel,
        items.iter().filter(|x| x.large_spread).map(|x| x.index),
    );
    if !spread.is_empty() {
        warnings.push(Warning::LargeSpread { items: spread });
    }
    let outliers: Vec<String> = experts
        .iter()
        .filter(|x| x.panel.outlier)
        .map(|x| x.id.clone())
        .collect();
    if !outliers.is_empty() {
        warnings.push(Warning::ExpertOutliers { experts: outliers });
    }
    if rule == Some(TrimRule::Mean) {
        let n = |i: usize| eng.counting(method, i);
        let below: Vec<usize> = (0..ni)
            .filter(|&i| (1..config.trim_min).contains(&n(i)))
            .collect();
        // Only uneven coverage is news: a panel where no item reaches trim_min never trimmed.
        if (0..ni).any(|i| n(i) >= config.trim_min) {
            warnings.push(Warning::TrimmedAsMean {
                items: item_ids(panel, below),
                trim_min: config.trim_min,
            });
        }
    }
    let thin = item_ids(panel, (0..ni).filter(|&i| few[i]));
    if !thin.is_empty() {
        warnings.push(Warning::FewExperts {
            items: thin,
            min: config.min_n,
        });
    }

    Ok(Aggregation {
        config: config.clone(),
        items,
        experts,
        ranking,
        shortlist: list,
        calibration,
        agreement: agreement(panel),
        warnings,
    })
}
