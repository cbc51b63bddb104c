//! The panel chair's decisions: where the cut goes, which nominations are included or excluded
//! against the ranking (each with a written reason), ties at the cut settled. Decisions are an
//! append-only log; the current state is derived from it, and applied to a `Results`.
//!
//! Rules, enforced by [`check`] and reported by [`apply`]:
//! - a cut stays within the shortlist range and never splits a tie silently: a K that puts one
//!   of two equal scores on the list and the other off needs a written note of how the tie was
//!   settled;
//! - an include or exclude needs a reason and must change something (including a nomination
//!   already on the list is refused);
//! - every decision records the method, range and trim_min it was made under ([`Context`]); a
//!   decided K only means the list the chair saw under those settings, so the latest decision's
//!   context is the default for `rank`, `stats` and `export` with the chair's store, and a replay
//!   under other settings is warned about in every output.

pub use crate::domain::decided::{
    Applied, Context, Decision, Override, OverrideEntry, Recorded, SplitTie,
};
use crate::domain::results::{Flag, Results, Row};
use crate::text::i18n::{Lang, T};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// Beside `check` rather than `Context`: it reads a `Results`, which `decided` must not import.
impl Context {
    /// The settings `results` were computed with.
    pub fn of(results: &Results) -> Context {
        Context {
            method: results.method.as_str().to_string(),
            shortlist_min: results.config.shortlist_min,
            shortlist_max: results.config.shortlist_max,
            trim_min: results.config.trim_min,
        }
    }
}

/// The stored JSON: the decision's fields and its context side by side.
#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    context: Option<Context>,
}

/// A decision that cannot be recorded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecisionError {
    /// Overrides and tie resolutions need a written reason.
    #[error("a reason is required")]
    NoReason,
    /// The cut must stay within the profile's range.
    #[error("a shortlist of {k} is outside {min}–{max}")]
    CutOutOfRange {
        /// Requested size.
        k: usize,
        /// Smallest allowed.
        min: usize,
        /// Largest allowed.
        max: usize,
    },
    /// The cut would split a tie and no note says how it was settled.
    #[error(
        "K = {k} splits the tie at rank {rank} ({}): say how the tie is settled",
        items.join(", ")
    )]
    SplitsTie {
        /// Requested size.
        k: usize,
        /// The tied rank.
        rank: usize,
        /// The tied nominations.
        items: Vec<String>,
    },
    /// Including a nomination that is already on the list changes nothing.
    #[error("{0} is already on the list")]
    AlreadyIn(String),
    /// Excluding a nomination that is already off the list changes nothing.
    #[error("{0} is already off the list")]
    AlreadyOut(String),
    /// There is no include/exclude on this nomination to withdraw.
    #[error("no include/exclude on {0} to withdraw")]
    NoOverride(String),
    /// Nothing to settle: the cut splits no tie.
    #[error("the cut at K = {0} splits no tie")]
    NoTieAtCut(usize),
    /// The nomination is not in the batch.
    #[error("no nomination '{0}' in this batch")]
    UnknownItem(String),
    /// A stored decision is not readable.
    #[error("decision {seq} in the chair's store is damaged: {message}")]
    Damaged {
        /// Its sequence number.
        seq: i64,
        /// What is wrong.
        message: String,
    },
}

/// The current decisions, derived from the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    /// The chosen cut, if the chair moved it.
    pub k: Option<usize>,
    /// Overrides by nomination, with the reason.
    pub overrides: BTreeMap<String, (Override, String)>,
    /// How the tie at the cut was settled, and the K it was settled at (None: any).
    pub ties_resolved: Option<(Option<usize>, String)>,
}

impl State {
    /// Replays a log.
    pub fn from_log(log: &[Recorded]) -> State {
        let mut s = State::default();
        for r in log {
            match &r.decision {
                Decision::Cut { k, tie_note } => {
                    s.k = Some(*k);
                    // A new cut has a new tie (or none): an older note does not carry over.
                    s.ties_resolved = tie_note.clone().map(|n| (Some(*k), n));
                }
                Decision::Include { item, reason } => {
                    s.overrides
                        .insert(item.clone(), (Override::Include, reason.clone()));
                }
                Decision::Exclude { item, reason } => {
                    s.overrides
                        .insert(item.clone(), (Override::Exclude, reason.clone()));
                }
                Decision::Clear { item } => {
                    s.overrides.remove(item);
                }
                Decision::TiesResolved { note, k } => {
                    s.ties_resolved = Some((k.or(s.k), note.clone()));
                }
            }
        }
        s
    }

    /// Whether anything was decided.
    pub fn is_empty(&self) -> bool {
        self.k.is_none() && self.overrides.is_empty() && self.ties_resolved.is_none()
    }
}

/// The tie a cut after the `k`-th ranked nomination splits, if any.
pub fn split_at(rows: &[Row], k: usize) -> Option<SplitTie> {
    let ranked: Vec<&Row> = rows.iter().filter(|r| r.counts_for_cut()).collect();
    if k == 0 || k >= ranked.len() {
        return None;
    }
    let rank = ranked[k - 1].rank?;
    if ranked[k].rank != Some(rank) {
        return None;
    }
    Some(SplitTie {
        rank,
        items: ranked
            .iter()
            .filter(|r| r.rank == Some(rank))
            .map(|r| r.id.clone())
            .collect(),
        resolved: None,
    })
}

/// Whether an include/exclude of `item` would change the (decided) list in `results`.
pub fn check_override(o: Override, item: &str, results: &Results) -> Result<(), DecisionError> {
    let Some(row) = results.rows.iter().find(|r| r.id == item) else {
        return Err(DecisionError::UnknownItem(item.to_string()));
    };
    match o {
        Override::Include if row.shortlisted => Err(DecisionError::AlreadyIn(item.to_string())),
        Override::Exclude if !row.shortlisted => Err(DecisionError::AlreadyOut(item.to_string())),
        _ => Ok(()),
    }
}

/// Checks a decision against the results the chair is looking at, before it is recorded.
pub fn check(d: &Decision, results: &Results) -> Result<(), DecisionError> {
    match d {
        Decision::Cut { k, tie_note } => {
            let (min, max) = (results.config.shortlist_min, results.config.shortlist_max);
            if *k < min || *k > max {
                return Err(DecisionError::CutOutOfRange { k: *k, min, max });
            }
            let settled = tie_note.as_deref().is_some_and(|n| !n.trim().is_empty());
            if let Some(t) = split_at(&results.rows, *k)
                && !settled
            {
                return Err(DecisionError::SplitsTie {
                    k: *k,
                    rank: t.rank,
                    items: t.items,
                });
            }
        }
        Decision::Include { item, reason } | Decision::Exclude { item, reason } => {
            if !results.rows.iter().any(|r| r.id == *item) {
                return Err(DecisionError::UnknownItem(item.clone()));
            }
            if reason.trim().is_empty() {
                return Err(DecisionError::NoReason);
            }
            let o = match d {
                Decision::Include { .. } => Override::Include,
                _ => Override::Exclude,
            };
            check_override(o, item, results)?;
        }
        Decision::Clear { item } => match results.rows.iter().find(|r| r.id == *item) {
            None => return Err(DecisionError::UnknownItem(item.clone())),
            Some(r) if r.decision.is_none() => {
                return Err(DecisionError::NoOverride(item.clone()));
            }
            Some(_) => {}
        },
        Decision::TiesResolved { note, .. } => {
            if note.trim().is_empty() {
                return Err(DecisionError::NoReason);
            }
            if split_at(&results.rows, results.k).is_none() {
                return Err(DecisionError::NoTieAtCut(results.k));
            }
        }
    }
    Ok(())
}

/// One decision as the store keeps it: its sequence number, time, chair and JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    /// Sequence number, increasing.
    pub seq: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// The chair's id.
    pub chair: String,
    /// The decision and its context, as [`to_json`] wrote it.
    pub json: String,
}

/// Parses stored rows into the log.
pub fn parse_log(rows: &[DecisionRow]) -> Result<Vec<Recorded>, DecisionError> {
    rows.iter()
        .map(
            |DecisionRow {
                 seq,
                 at,
                 chair,
                 json,
             }| {
                let stored: Stored =
                    serde_json::from_str(json).map_err(|e| DecisionError::Damaged {
                        seq: *seq,
                        message: e.to_string(),
                    })?;
                Ok(Recorded {
                    seq: *seq,
                    at: at.clone(),
                    chair: chair.clone(),
                    decision: stored.decision,
                    context: stored.context,
                })
            },
        )
        .collect()
}

/// A decision as stored (JSON), with the settings it was made under.
pub fn to_json(d: &Decision, context: Option<&Context>) -> String {
    let stored = Stored {
        decision: d.clone(),
        context: context.cloned(),
    };
    // A plain enum of strings and numbers always serialises.
    serde_json::to_string(&stored).unwrap_or_default()
}

/// The settings of the latest decision that recorded them: the defaults for a replay.
pub fn made_under(log: &[Recorded]) -> Option<Context> {
    log.iter().rev().find_map(|r| r.context.clone())
}

/// Which rows the list holds with the cut after the `k`-th ranked row and the rows' overrides.
fn list_size_at(rows: &[Row], k: usize) -> usize {
    let mut ranked = 0;
    let mut n = 0;
    for row in rows {
        let in_cut = row.counts_for_cut() && ranked < k;
        if row.counts_for_cut() {
            ranked += 1;
        }
        let on = match row.decision.as_deref() {
            Some("include") => true,
            Some("exclude") => false,
            _ => in_cut,
        };
        n += usize::from(on);
    }
    n
}

/// A K in range that brings the decided list back into the range without splitting a tie,
/// nearest the current K; None when the list is in range or no K does it.
pub fn compensating_cut(results: &Results) -> Option<usize> {
    let (min, max) = (results.config.shortlist_min, results.config.shortlist_max);
    let size = list_size_at(&results.rows, results.k);
    if (min..=max).contains(&size) {
        return None;
    }
    let mut ks: Vec<usize> = (min..=max).filter(|&k| k != results.k).collect();
    ks.sort_by_key(|&k| k.abs_diff(results.k));
    ks.into_iter().find(|&k| {
        (min..=max).contains(&list_size_at(&results.rows, k))
            && split_at(&results.rows, k).is_none()
    })
}

/// Applies the decisions: the decided cut, then the overrides; the rows say what was decided,
/// tie flags follow the decided cut, and warnings say what the chair must still look at.
pub fn apply(results: &mut Results, log: &[Recorded]) {
    let state = State::from_log(log);
    let computed_k = results.k;
    let k = state.k.unwrap_or(computed_k);
    let mut ranked = 0;
    for row in &mut results.rows {
        let in_cut = row.counts_for_cut() && ranked < k;
        if row.counts_for_cut() {
            ranked += 1;
        }
        row.shortlisted = in_cut;
        row.decision = None;
        row.decision_reason = None;
        if let Some((o, reason)) = state.overrides.get(&row.id) {
            row.shortlisted = *o == Override::Include;
            row.decision = Some(o.as_str().to_string());
            row.decision_reason = Some(reason.clone());
        }
    }
    // The engine flagged the tie at its own cut; the flags must follow the decided one.
    let mut split = split_at(&results.rows, k);
    if let Some(s) = &mut split {
        s.resolved = state
            .ties_resolved
            .as_ref()
            .filter(|(at, _)| at.is_none_or(|at| at == k))
            .map(|(_, note)| note.clone());
    }
    for row in &mut results.rows {
        let tied = split.as_ref().is_some_and(|s| s.items.contains(&row.id));
        row.flags.retain(|f| *f != Flag::TieAtCut);
        if tied {
            row.flags.push(Flag::TieAtCut);
            row.flags.sort();
        }
    }
    if let Some(dk) = state.k {
        results.k = dk;
        results.cut_note = format!("K = {dk}: set by the chair (the rule gives K = {computed_k})");
    }
    if let Some(s) = &split {
        if state.k.is_some() {
            results.cut_note.push_str(&format!(
                "; it splits the tie at rank {} ({})",
                s.rank,
                s.items.join(", ")
            ));
        }
        match &s.resolved {
            Some(note) => results
                .cut_note
                .push_str(&format!("; ties resolved: {note}")),
            None => results.warnings.push(format!(
                "the cut at K = {k} splits the tie at rank {} ({}) and the chair has not said how it is settled",
                s.rank,
                s.items.join(", ")
            )),
        }
    }
    let size = results.rows.iter().filter(|r| r.shortlisted).count();
    results.k_out_of_range =
        size < results.config.shortlist_min || size > results.config.shortlist_max;
    let mut contexts: Vec<Context> = Vec::new();
    for c in log.iter().filter_map(|r| r.context.as_ref()) {
        if contexts.last() != Some(c) {
            contexts.push(c.clone());
        }
    }
    let applied = Applied {
        computed_k,
        k,
        k_decided: state.k.is_some(),
        list_size: size,
        shortlist_min: results.config.shortlist_min,
        shortlist_max: results.config.shortlist_max,
        overrides: results
            .rows
            .iter()
            .filter_map(|r| {
                let (kind, reason) = state.overrides.get(&r.id)?;
                Some(OverrideEntry {
                    item: r.id.clone(),
                    kind: *kind,
                    reason: reason.clone(),
                    rank: r.rank,
                })
            })
            .collect(),
        split_tie: split,
        made_under: made_under(log),
        contexts,
        replayed_under: Context::of(results),
    };
    if let Some(p) = applied.range_problem() {
        results.warnings.push(p);
    }
    if let Some(p) = applied.context_problem() {
        results.warnings.push(p);
    }
    results.decided = Some(applied);
    results.decisions = log.to_vec();
}

/// A decision in words.
pub fn describe_decision(d: &Decision, lang: Lang) -> String {
    match d {
        Decision::Cut { k, tie_note: None } => T::DecCut.fill(lang, &[("k", &k.to_string())]),
        Decision::Cut {
            k,
            tie_note: Some(note),
        } => T::DecCutTie.fill(lang, &[("k", &k.to_string()), ("note", note)]),
        Decision::Include { item, reason } => {
            T::DecInclude.fill(lang, &[("item", item), ("reason", reason)])
        }
        Decision::Exclude { item, reason } => {
            T::DecExclude.fill(lang, &[("item", item), ("reason", reason)])
        }
        Decision::Clear { item } => T::DecClear.fill(lang, &[("item", item)]),
        Decision::TiesResolved { note, .. } => T::DecTies.fill(lang, &[("note", note)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Method;

    /// A stored decision row by chair `c` at time `t`.
    fn stored(seq: i64, json: String) -> DecisionRow {
        DecisionRow {
            seq,
            at: "t".into(),
            chair: "c".into(),
            json,
        }
    }

    fn rec(seq: i64, decision: Decision) -> Recorded {
        Recorded {
            seq,
            at: "2020-09-01T08:00:00Z".into(),
            chair: "chair".into(),
            decision,
            context: None,
        }
    }

    fn row(id: &str, rank: Option<usize>) -> Row {
        Row {
            rank,
            id: id.into(),
            name: String::new(),
            applicant: String::new(),
            recommender: String::new(),
            industry: vec![],
            trl: 7,
            domain: "resources-environment".into(),
            score: rank.map(|r| 100.0 - r as f64),
            rule: None,
            n: 5,
            criteria_means: vec![],
            sd: None,
            range: None,
            se: None,
            p_shortlist: None,
            rank_interval: None,
            shortlisted: false,
            n_recused: 0,
            n_conflict: 0,
            n_incomplete: 0,
            component: None,
            flags: vec![],
            decision: None,
            decision_reason: None,
        }
    }

    #[test]
    fn rows_with_too_few_experts_are_skipped_by_the_cut_and_enter_only_by_decision() {
        let mut x = row("X", Some(1));
        x.flags = vec![Flag::FewExperts];
        let mut rows = vec![x, row("A", Some(2)), row("B", Some(3)), row("C", Some(4))];
        // K = 2 holds A and B: X, first by score, does not count.
        assert_eq!(list_size_at(&rows, 2), 2);
        assert!(!rows[0].counts_for_cut() && rows[1].counts_for_cut());
        // B and C tied: the tie at K = 2 is among the rows the cut counts.
        rows[3].rank = Some(3);
        let split = split_at(&rows, 2).expect("splits");
        assert_eq!(split.items, vec!["B".to_string(), "C".to_string()]);
        // The chair's include puts X on the list.
        rows[0].decision = Some("include".into());
        assert_eq!(list_size_at(&rows, 2), 3);
    }

    #[test]
    fn logs_written_before_settings_were_recorded_still_read() {
        let rows = vec![
            stored(1, r#"{"kind":"cut","k":29}"#.to_string()),
            stored(2, r#"{"kind":"ties_resolved","note":"vote"}"#.to_string()),
        ];
        let log = parse_log(&rows).expect("reads");
        assert_eq!(
            log[0].decision,
            Decision::Cut {
                k: 29,
                tie_note: None
            }
        );
        assert_eq!(log[0].context, None);
        assert_eq!(
            log[1].decision,
            Decision::TiesResolved {
                note: "vote".into(),
                k: None
            }
        );
        assert!(matches!(
            parse_log(&[stored(3, "{".into())]),
            Err(DecisionError::Damaged { seq: 3, .. })
        ));
    }

    #[test]
    fn decisions_round_trip_with_their_settings() {
        let ctx = Context {
            method: "mean".into(),
            shortlist_min: 25,
            shortlist_max: 30,
            trim_min: 5,
        };
        let d = Decision::Cut {
            k: 30,
            tie_note: Some("RE-012 by vote".into()),
        };
        let json = to_json(&d, Some(&ctx));
        assert!(json.contains(r#""kind":"cut""#), "{json}");
        assert!(json.contains(r#""method":"mean""#), "{json}");
        let log = parse_log(&[stored(1, json)]).expect("reads");
        assert_eq!(log[0].decision, d);
        assert_eq!(log[0].context.as_ref(), Some(&ctx));
        assert_eq!(
            made_under(&log).and_then(|c| c.method()),
            Some(Method::Mean)
        );
        assert_eq!(made_under(&log), Some(ctx));
    }

    #[test]
    fn a_tie_note_belongs_to_its_cut() {
        let state = State::from_log(&[
            rec(
                1,
                Decision::Cut {
                    k: 30,
                    tie_note: Some("by vote".into()),
                },
            ),
            rec(
                2,
                Decision::Cut {
                    k: 28,
                    tie_note: None,
                },
            ),
        ]);
        assert_eq!(state.k, Some(28));
        assert_eq!(state.ties_resolved, None, "a new cut, a new tie");
        let state = State::from_log(&[
            rec(
                1,
                Decision::Cut {
                    k: 29,
                    tie_note: None,
                },
            ),
            rec(
                2,
                Decision::TiesResolved {
                    note: "n".into(),
                    k: Some(29),
                },
            ),
            rec(
                3,
                Decision::Include {
                    item: "A".into(),
                    reason: "r".into(),
                },
            ),
            rec(4, Decision::Clear { item: "A".into() }),
        ]);
        assert_eq!(state.ties_resolved, Some((Some(29), "n".into())));
        assert!(state.overrides.is_empty(), "withdrawn; history keeps both");
    }

    #[test]
    fn split_at_finds_the_tie_a_cut_straddles() {
        let rows = vec![
            row("A", Some(1)),
            row("B", Some(2)),
            row("C", Some(2)),
            row("D", Some(2)),
            row("E", Some(5)),
            row("F", None),
        ];
        assert_eq!(split_at(&rows, 1), None);
        let t = split_at(&rows, 2).expect("splits");
        assert_eq!(
            (t.rank, t.items),
            (2, vec!["B".into(), "C".into(), "D".into()])
        );
        assert!(split_at(&rows, 3).is_some());
        assert_eq!(split_at(&rows, 4), None);
        assert_eq!(split_at(&rows, 5), None, "after the last ranked");
        assert_eq!(split_at(&rows, 0), None);
    }

    #[test]
    fn the_list_makeup_says_what_is_outside_the_range() {
        let ctx = Context {
            method: "trimmed".into(),
            shortlist_min: 25,
            shortlist_max: 30,
            trim_min: 5,
        };
        let entry = |item: &str, kind| OverrideEntry {
            item: item.into(),
            kind,
            reason: "r".into(),
            rank: Some(31),
        };
        let a = Applied {
            computed_k: 29,
            k: 29,
            k_decided: false,
            list_size: 31,
            shortlist_min: 25,
            shortlist_max: 30,
            overrides: vec![
                entry("RE-012", Override::Include),
                entry("RE-046", Override::Include),
                entry("RE-003", Override::Exclude),
            ],
            split_tie: None,
            made_under: Some(ctx.clone()),
            contexts: vec![ctx.clone()],
            replayed_under: ctx,
        };
        assert!(!a.in_range());
        assert_eq!(
            a.range_problem().as_deref(),
            Some(
                "the chair's decided list has 31 nominations, 1 above the maximum 30 (K = 29 + 2 included (RE-012, RE-046) − 1 excluded (RE-003))"
            )
        );
        assert_eq!(a.context_problem(), None);
        let mut b = a.clone();
        b.replayed_under.method = "mean".into();
        assert!(
            b.context_problem()
                .is_some_and(|p| p.contains("made under method trimmed"))
        );
    }
}
