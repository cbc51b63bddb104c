//! The panel chair's decisions: where the cut goes, which nominations are included or excluded
//! against the ranking (each with a written reason), ties marked resolved. Decisions are an
//! append-only log; the current state is derived from it, and applied to a `Results`.

use crate::report::Results;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One decision, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Put the cut after the K-th ranked nomination.
    Cut {
        /// The shortlist size.
        k: usize,
    },
    /// Include a nomination the ranking leaves out.
    Include {
        /// The nomination.
        item: String,
        /// Why.
        reason: String,
    },
    /// Exclude a nomination the ranking puts in.
    Exclude {
        /// The nomination.
        item: String,
        /// Why.
        reason: String,
    },
    /// Withdraw an earlier include/exclude.
    Clear {
        /// The nomination.
        item: String,
    },
    /// The ties at the cut are settled (the note says how).
    TiesResolved {
        /// How they were settled.
        note: String,
    },
}

/// A decision with when and by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// Sequence in the chair's store.
    pub seq: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// The chair's id.
    pub chair: String,
    /// What was decided.
    pub decision: Decision,
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

/// An include or exclude.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Override {
    /// Put on the list against the ranking.
    Include,
    /// Taken off the list against the ranking.
    Exclude,
}

impl Override {
    /// `include` / `exclude`.
    pub fn as_str(self) -> &'static str {
        match self {
            Override::Include => "include",
            Override::Exclude => "exclude",
        }
    }
}

/// The current decisions, derived from the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    /// The chosen cut, if the chair moved it.
    pub k: Option<usize>,
    /// Overrides by nomination, with the reason.
    pub overrides: BTreeMap<String, (Override, String)>,
    /// How ties at the cut were settled, if they were.
    pub ties_resolved: Option<String>,
}

impl State {
    /// Replays a log.
    pub fn from_log(log: &[Recorded]) -> State {
        let mut s = State::default();
        for r in log {
            match &r.decision {
                Decision::Cut { k } => s.k = Some(*k),
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
                Decision::TiesResolved { note } => s.ties_resolved = Some(note.clone()),
            }
        }
        s
    }

    /// Whether anything was decided.
    pub fn is_empty(&self) -> bool {
        self.k.is_none() && self.overrides.is_empty() && self.ties_resolved.is_none()
    }
}

/// Checks a decision before it is recorded.
pub fn check(d: &Decision, results: &Results) -> Result<(), DecisionError> {
    let known = |item: &str| results.rows.iter().any(|r| r.id == item);
    match d {
        Decision::Cut { k } => {
            let (min, max) = (results.config.shortlist_min, results.config.shortlist_max);
            if *k < min || *k > max {
                return Err(DecisionError::CutOutOfRange { k: *k, min, max });
            }
        }
        Decision::Include { item, reason } | Decision::Exclude { item, reason } => {
            if !known(item) {
                return Err(DecisionError::UnknownItem(item.clone()));
            }
            if reason.trim().is_empty() {
                return Err(DecisionError::NoReason);
            }
        }
        Decision::Clear { item } => {
            if !known(item) {
                return Err(DecisionError::UnknownItem(item.clone()));
            }
        }
        Decision::TiesResolved { note } => {
            if note.trim().is_empty() {
                return Err(DecisionError::NoReason);
            }
        }
    }
    Ok(())
}

/// Parses stored rows `(seq, at, chair, json)` into the log.
pub fn parse_log(rows: &[(i64, String, String, String)]) -> Result<Vec<Recorded>, DecisionError> {
    rows.iter()
        .map(|(seq, at, chair, json)| {
            let decision = serde_json::from_str(json).map_err(|e| DecisionError::Damaged {
                seq: *seq,
                message: e.to_string(),
            })?;
            Ok(Recorded {
                seq: *seq,
                at: at.clone(),
                chair: chair.clone(),
                decision,
            })
        })
        .collect()
}

/// A decision as stored (JSON).
pub fn to_json(d: &Decision) -> String {
    // A plain enum of strings and numbers always serialises.
    serde_json::to_string(d).unwrap_or_default()
}

/// Applies the decisions: the decided cut, then the overrides; the rows say what was decided.
pub fn apply(results: &mut Results, log: &[Recorded]) {
    let state = State::from_log(log);
    let k = state.k.unwrap_or(results.k);
    let mut ranked = 0;
    for row in &mut results.rows {
        let in_cut = row.rank.is_some() && ranked < k;
        if row.rank.is_some() {
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
    if let Some(k) = state.k {
        results.k = k;
        results.cut_note = format!("K = {k}: set by the chair");
    }
    if let Some(note) = &state.ties_resolved {
        results
            .cut_note
            .push_str(&format!("; ties resolved: {note}"));
    }
    let size = results.rows.iter().filter(|r| r.shortlisted).count();
    results.k_out_of_range =
        size < results.config.shortlist_min || size > results.config.shortlist_max;
    results.decisions = log.to_vec();
}
