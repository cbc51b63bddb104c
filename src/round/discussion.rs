//! The discussion round (会评) in the round service: which nominations to open it for, what
//! the experts see of the panel, and how round 2 compares with round 1.

use crate::domain::batch::Batch;
use crate::domain::profile::Profile;
use crate::domain::results::{Flag, Results};
pub use crate::domain::rounds::Compared;
use crate::domain::rounds::{PanelSpread, RoundOpening, Selection, Spread, TOTAL};
use crate::io::sheet::Sheet;
use crate::store::{Store, StoreError};
use std::collections::BTreeMap;

/// The nominations a selection picks from round 1's results, in ranking order: the
/// borderline ones (near the cut) or the disputed ones (the experts' totals far apart).
pub fn select(results: &Results, selection: Selection) -> Vec<String> {
    let flag = match selection {
        Selection::Items => return Vec::new(),
        Selection::Borderline => Flag::Borderline,
        Selection::Disputed => Flag::Spread,
    };
    results
        .rows
        .iter()
        .filter(|r| r.flags.contains(&flag))
        .map(|r| r.id.clone())
        .collect()
}

/// Registers `batch` in `store` (as the batch the store's marks and decisions are for) under its
/// title, or its file when untitled, and its domain.
pub fn register(store: &Store, batch: &Batch, profile: &Profile) -> Result<(), StoreError> {
    let label = if batch.meta.title.is_empty() {
        batch.path.display().to_string()
    } else {
        batch.meta.title.clone()
    };
    let domain = batch
        .domain
        .as_deref()
        .and_then(|d| profile.domain(d))
        .map(|d| d.key.clone())
        .unwrap_or_else(|| "final".to_string());
    store.register_batch(&batch.hash, &label, &domain, &batch.ids())?;
    Ok(())
}

/// Opens discussion round `number` in the experts' `store` for `items` (chosen by
/// `selection`), with the panel's spread from round 1's `sheets`, recorded as opened by
/// `chair`: the one way both `revdesk round open` and the chair's view open a round.
#[allow(clippy::too_many_arguments)]
pub fn open(
    store: &Store,
    batch: &Batch,
    profile: &Profile,
    sheets: &[Sheet],
    number: u32,
    selection: Selection,
    items: Vec<String>,
    chair: &str,
) -> Result<RoundOpening, StoreError> {
    register(store, batch, profile)?;
    let opening = RoundOpening {
        batch: batch.hash.clone(),
        round: number,
        selection,
        spread: panel_spread(sheets, profile, &items),
        items,
        opened_by: chair.to_string(),
        opened_at: String::new(),
    };
    store.open_round(&opening)?;
    Ok(opening)
}

/// The panel's anonymised spread on `items`, per criterion and of the totals, from the sheets
/// that count (recused nominations and unscored criteria left out).
pub fn panel_spread(sheets: &[Sheet], profile: &Profile, items: &[String]) -> PanelSpread {
    let rubric = profile.rubric();
    let mut out = PanelSpread::new();
    for id in items {
        let marks: Vec<_> = sheets
            .iter()
            .filter_map(|s| s.items.iter().find(|i| &i.id == id))
            .filter(|i| !i.recused)
            .collect();
        let mut per: BTreeMap<String, Spread> = BTreeMap::new();
        for c in &rubric.criteria {
            let values: Vec<f64> = marks
                .iter()
                .filter_map(|i| i.scores.get(&c.key).copied())
                .collect();
            if let Some(s) = Spread::of(&values) {
                per.insert(c.key.clone(), s);
            }
        }
        let totals: Vec<f64> = marks
            .iter()
            .filter_map(|i| rubric.total(&i.scores))
            .collect();
        if let Some(s) = Spread::of(&totals) {
            per.insert(TOTAL.to_string(), s);
        }
        out.insert(id.clone(), per);
    }
    out
}

/// Round 2's results next to round 1's, in round 2's ranking order; `discussed` are the
/// nominations of the discussion round. Who revised comes from comparing each expert's sheets.
pub fn compare(
    round_1: &Results,
    round_2: &Results,
    sheets_1: &[Sheet],
    sheets_2: &[Sheet],
    discussed: &[String],
) -> Vec<Compared> {
    let before: BTreeMap<&str, _> = round_1.rows.iter().map(|r| (r.id.as_str(), r)).collect();
    round_2
        .rows
        .iter()
        .map(|r| {
            let old = before.get(r.id.as_str());
            let revised_by = sheets_2
                .iter()
                .filter_map(|s2| {
                    let now = s2.items.iter().find(|i| i.id == r.id)?;
                    let then = sheets_1
                        .iter()
                        .find(|s1| s1.expert.id == s2.expert.id)
                        .and_then(|s1| s1.items.iter().find(|i| i.id == r.id));
                    let changed = then.is_none_or(|t| t.scores != now.scores);
                    (changed && (then.is_some() || !now.revision_reason.is_empty()))
                        .then(|| (s2.expert.id.clone(), now.revision_reason.clone()))
                })
                .collect();
            Compared {
                id: r.id.clone(),
                name: r.name.clone(),
                score_1: old.and_then(|o| o.score),
                rank_1: old.and_then(|o| o.rank),
                score_2: r.score,
                rank_2: r.rank,
                shortlisted_1: old.is_some_and(|o| o.shortlisted),
                shortlisted_2: r.shortlisted,
                discussed: discussed.contains(&r.id),
                revised_by,
            }
        })
        .collect()
}
