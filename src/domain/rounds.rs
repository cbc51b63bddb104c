//! Discussion rounds (会评): after round 1 the chair opens round 2 for chosen nominations;
//! the experts see the panel's anonymised spread and may revise with a reason.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the chair chose a round's nominations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(strum::Display, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Selection {
    /// Named one by one (`--items`).
    Items,
    /// Those near the cut (the `borderline` flag).
    Borderline,
    /// Those the experts disagree on (the `spread` flag).
    Disputed,
}

impl Selection {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The panel's round-1 scores on one criterion of one nomination, with no names and no
/// per-expert rows: how many scored it, the lowest, the median and the highest. Chosen over
/// counts per score value because it reads in one line beside the expert's own score and, with
/// five to seven experts, it does not spell out every colleague's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Experts who scored it (recused and partial scores left out).
    pub n: usize,
    /// The lowest score.
    pub min: f64,
    /// The median score.
    pub median: f64,
    /// The highest score.
    pub max: f64,
}

impl Spread {
    /// The spread of `values` (None when there are none).
    pub fn of(values: &[f64]) -> Option<Spread> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Some(Spread {
            n,
            min: v[0],
            median,
            max: v[n - 1],
        })
    }
}

/// Per nomination, per criterion key, the panel's round-1 spread (the key `total` holds the
/// spread of complete totals).
pub type PanelSpread = BTreeMap<String, BTreeMap<String, Spread>>;

/// The key of the totals' spread in a [`PanelSpread`].
pub const TOTAL: &str = "total";

/// A discussion round as opened, kept for good.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundOpening {
    /// The batch hash.
    pub batch: String,
    /// The round number (2 for the first discussion round).
    pub round: u32,
    /// How the nominations were chosen.
    pub selection: Selection,
    /// The nominations in the round, by id.
    pub items: Vec<String>,
    /// Who opened it.
    pub opened_by: String,
    /// When (RFC 3339 UTC).
    pub opened_at: String,
    /// What the experts see beside their own round-1 scores.
    pub spread: PanelSpread,
}

/// One expert's revision of one nomination in a discussion round, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    /// The expert.
    pub expert: String,
    /// The nomination.
    pub item: String,
    /// The round.
    pub round: u32,
    /// Why the expert revised.
    pub reason: String,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// The store transaction that wrote it.
    pub txn: i64,
}

/// One nomination in both rounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared {
    /// The nomination.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Round 1's score and rank.
    pub score_1: Option<f64>,
    /// Round 1's rank.
    pub rank_1: Option<usize>,
    /// Round 2's score.
    pub score_2: Option<f64>,
    /// Round 2's rank.
    pub rank_2: Option<usize>,
    /// On round 1's shortlist.
    pub shortlisted_1: bool,
    /// On round 2's shortlist.
    pub shortlisted_2: bool,
    /// Whether the nomination was in the discussion round.
    pub discussed: bool,
    /// The experts whose round-2 sheet changed its scores, with their reasons.
    pub revised_by: Vec<(String, String)>,
}

impl Compared {
    /// How the shortlist changed for it: `in` (joined), `out` (left), or empty.
    pub fn change(&self) -> &'static str {
        match (self.shortlisted_1, self.shortlisted_2) {
            (false, true) => "in",
            (true, false) => "out",
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_min_median_max() {
        let s = Spread::of(&[7.0, 3.0, 9.0, 5.0]).unwrap();
        assert_eq!((s.n, s.min, s.median, s.max), (4, 3.0, 6.0, 9.0));
        let s = Spread::of(&[8.0, 2.0, 4.0]).unwrap();
        assert_eq!((s.n, s.min, s.median, s.max), (3, 2.0, 4.0, 8.0));
        assert_eq!(Spread::of(&[]), None);
    }
}
