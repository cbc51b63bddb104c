//! What the chair decided and what it did, as data: the decision log's records ([`Recorded`],
//! [`Decision`], the [`Context`] each was made under) and the outcome of applying them
//! ([`Applied`]). A `Results` carries both, and `decisions` checks and applies them against a
//! `Results`; keeping the records here, apart from both, keeps `results` and `decisions` from
//! importing each other.

use crate::engine::Method;
use crate::text::i18n::{Lang, T};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One decision, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Put the cut after the K-th ranked nomination.
    Cut {
        /// The shortlist size.
        k: usize,
        /// How the tie this cut splits was settled (required when it splits one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tie_note: Option<String>,
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
    /// The tie at the cut is settled (the note says how).
    TiesResolved {
        /// How it was settled.
        note: String,
        /// The K it was settled at (older logs: none, any cut).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        k: Option<usize>,
    },
}

/// The settings a decision was made under: a decided K means a list only under them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// The aggregation method shown (`trimmed`, `mean`, …).
    pub method: String,
    /// Shortlist range, smallest.
    pub shortlist_min: usize,
    /// Shortlist range, largest.
    pub shortlist_max: usize,
    /// Experts needed before `trimmed` drops the extremes.
    pub trim_min: usize,
}

impl Context {
    /// The method, when it is one this version knows.
    pub fn method(&self) -> Option<Method> {
        self.method.parse().ok()
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "method {}, range {}–{}, trim_min {}",
            self.method, self.shortlist_min, self.shortlist_max, self.trim_min
        )
    }
}

/// A decision with when, by whom and under which settings.
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
    /// The settings the chair was looking at (none in logs written before they were recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
}

/// An include or exclude.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Override {
    /// Put on the list against the ranking.
    Include,
    /// Taken off the list against the ranking.
    Exclude,
}

impl Override {
    /// `include` / `exclude`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A tie group that a cut puts partly on the list and partly off it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitTie {
    /// Their shared rank.
    pub rank: usize,
    /// The tied nominations, in ranking order.
    pub items: Vec<String>,
    /// How the chair settled it, if they did.
    pub resolved: Option<String>,
}

/// An include or exclude in force, for the outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverrideEntry {
    /// The nomination.
    pub item: String,
    /// Include or exclude.
    pub kind: Override,
    /// The chair's reason.
    pub reason: String,
    /// Its rank under the method shown.
    pub rank: Option<usize>,
}

/// What the chair's decisions did to a result: every output reports this.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    /// K by the rule, before the decisions.
    pub computed_k: usize,
    /// The K in force (the chair's, or the rule's).
    pub k: usize,
    /// Whether the chair set K.
    pub k_decided: bool,
    /// Nominations on the decided list.
    pub list_size: usize,
    /// Shortlist range, smallest.
    pub shortlist_min: usize,
    /// Shortlist range, largest.
    pub shortlist_max: usize,
    /// Includes and excludes in force, in ranking order.
    pub overrides: Vec<OverrideEntry>,
    /// The tie the decided cut splits, if any.
    pub split_tie: Option<SplitTie>,
    /// The settings of the latest decision (None for logs that did not record them).
    pub made_under: Option<Context>,
    /// Every distinct setting decisions were made under, oldest first.
    pub contexts: Vec<Context>,
    /// The settings of this run.
    pub replayed_under: Context,
}

impl Applied {
    /// Whether the decided list is inside the range.
    pub fn in_range(&self) -> bool {
        (self.shortlist_min..=self.shortlist_max).contains(&self.list_size)
    }

    /// Whether this run uses other settings than the latest decision was made under.
    pub fn context_differs(&self) -> bool {
        self.made_under
            .as_ref()
            .is_some_and(|c| *c != self.replayed_under)
    }

    /// How the list is made up: `K = 29 + 2 included (RE-012, RE-046) − 1 excluded (RE-003)`.
    pub fn makeup(&self) -> String {
        self.makeup_with(|kind, n, ids| match kind {
            Override::Include => format!("+ {n} included ({})", ids.join(", ")),
            Override::Exclude => format!("− {n} excluded ({})", ids.join(", ")),
        })
    }

    /// [`Applied::makeup`] in Chinese, for the documents sent to the association.
    pub fn makeup_zh(&self) -> String {
        self.makeup_with(|kind, n, ids| match kind {
            Override::Include => format!("+ {n} 项破格入围（{}）", ids.join("、")),
            Override::Exclude => format!("− {n} 项不予入围（{}）", ids.join("、")),
        })
    }

    /// `K = k`, then for includes and then excludes in force, `part(kind, count, ids)`.
    pub fn makeup_with(&self, part: impl Fn(Override, usize, &[&str]) -> String) -> String {
        let mut s = format!("K = {}", self.k);
        for kind in [Override::Include, Override::Exclude] {
            let ids: Vec<&str> = self
                .overrides
                .iter()
                .filter(|o| o.kind == kind)
                .map(|o| o.item.as_str())
                .collect();
            if !ids.is_empty() {
                s.push(' ');
                s.push_str(&part(kind, ids.len(), &ids));
            }
        }
        s
    }

    /// Why the decided list is outside the range, in words; None when it is inside.
    pub fn range_problem(&self) -> Option<String> {
        self.range_problem_in(Lang::En)
    }

    /// [`Applied::range_problem`] in a language.
    pub fn range_problem_in(&self, lang: Lang) -> Option<String> {
        let (n, min, max) = (self.list_size, self.shortlist_min, self.shortlist_max);
        let (t, d) = if n > max {
            (T::RangeAbove, n - max)
        } else if n < min {
            (T::RangeBelow, min - n)
        } else {
            return None;
        };
        let makeup = if lang.en() {
            self.makeup()
        } else {
            self.makeup_zh()
        };
        Some(t.fill(
            lang,
            &[
                ("n", &n.to_string()),
                ("d", &d.to_string()),
                ("min", &min.to_string()),
                ("max", &max.to_string()),
                ("makeup", &makeup),
            ],
        ))
    }

    /// The context mismatch, in words; None when the run uses the decisions' settings.
    pub fn context_problem(&self) -> Option<String> {
        if !self.context_differs() {
            return None;
        }
        let made = self.made_under.as_ref()?;
        Some(format!(
            "the chair's decisions were made under {made}; this run uses {}: the decided cut and overrides may not give the list the chair saw",
            self.replayed_under
        ))
    }

    /// [`Applied::context_problem`] in a language.
    pub fn context_problem_in(&self, lang: Lang) -> Option<String> {
        if !self.context_differs() {
            return None;
        }
        let made = self.made_under.as_ref()?;
        Some(T::ContextProblem.fill(
            lang,
            &[
                ("made", &made.to_string()),
                ("now", &self.replayed_under.to_string()),
            ],
        ))
    }
}
