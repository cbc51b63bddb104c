//! An expert's marks on a nomination: scores, comment, recusal, discussion flag and
//! confidence; the changes that make them and the history that records them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Why an expert id is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpertIdError {
    /// Nothing but white space.
    #[error("the expert id is empty")]
    Empty,
    /// White space or a control character inside (or around) the id.
    #[error("expert id {0:?} contains white space or a control character")]
    BadChar(String),
    /// Longer than [`MAX_EXPERT_ID_CHARS`].
    #[error("the expert id has {0} characters; at most {MAX_EXPERT_ID_CHARS} are allowed")]
    Long(usize),
}

/// Longest expert id, in characters: 64.
pub const MAX_EXPERT_ID_CHARS: usize = 64;
/// Longest display name of an expert, in characters: 100.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest comment on a nomination, in characters: 5,000.
pub const MAX_COMMENT_CHARS: usize = 5_000;
/// Longest recusal reason, in characters: 500.
pub const MAX_REASON_CHARS: usize = 500;

/// Free text longer than its limit. Characters are Unicode characters, as the form counts
/// them (a Chinese character is one): every limit is enforced where the text is entered, so a
/// sheet made of accepted marks is never too large to be read (see `io::sheet::max_bytes`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {what} has {chars} characters; at most {max} are allowed")]
pub struct TooLong {
    /// What the text is: `comment`, `recusal reason`, `display name`.
    pub what: &'static str,
    /// Its length in characters.
    pub chars: usize,
    /// The limit.
    pub max: usize,
}

impl TooLong {
    /// The message in the catalogue (its English is the Display).
    pub fn msg(&self) -> crate::text::i18n::Msg {
        use crate::text::i18n::{Msg, T};
        let t = match self.what {
            "comment" => T::TooLongComment,
            "recusal reason" => T::TooLongReason,
            "display name" => T::TooLongName,
            _ => T::TooLongText,
        };
        let (chars, max) = (self.chars.to_string(), self.max.to_string());
        Msg::new(t, &[("what", self.what), ("chars", &chars), ("max", &max)])
    }
}

impl ExpertIdError {
    /// The message in the catalogue (its English is the Display).
    pub fn msg(&self) -> crate::text::i18n::Msg {
        use crate::text::i18n::{Msg, T};
        match self {
            ExpertIdError::Empty => Msg::new(T::IdEmpty, &[]),
            ExpertIdError::BadChar(id) => Msg::new(T::IdBadChar, &[("id", &format!("{id:?}"))]),
            ExpertIdError::Long(n) => Msg::new(
                T::IdLong,
                &[
                    ("n", &n.to_string()),
                    ("max", &MAX_EXPERT_ID_CHARS.to_string()),
                ],
            ),
        }
    }
}

/// Checks `text` against `max` characters.
pub fn check_length(what: &'static str, text: &str, max: usize) -> Result<(), TooLong> {
    // Counting stops past the limit: a 100 MB paste costs no more than the limit.
    let chars = text.chars().take(max + 1).count();
    if chars > max {
        return Err(TooLong {
            what,
            chars: text.chars().count(),
            max,
        });
    }
    Ok(())
}

/// Checks an expert id: not empty, no white space or control characters anywhere. An id
/// is a key: `wang` and ` wang ` must not become two experts.
pub fn check_expert_id(id: &str) -> Result<(), ExpertIdError> {
    if id.trim().is_empty() {
        return Err(ExpertIdError::Empty);
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ExpertIdError::BadChar(id.to_string()));
    }
    let chars = id.chars().count();
    if chars > MAX_EXPERT_ID_CHARS {
        return Err(ExpertIdError::Long(chars));
    }
    Ok(())
}

/// How sure the expert is of an item's scores.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[derive(strum::Display, strum::EnumString, strum::IntoStaticStr)]
#[strum(
    serialize_all = "lowercase",
    parse_err_ty = String,
    parse_err_fn = unknown_confidence
)]
pub enum Confidence {
    /// Low confidence.
    Low,
    /// Normal confidence (the default).
    #[default]
    Normal,
    /// High confidence.
    High,
}

impl Confidence {
    /// The weight c_ei this level gives the expert's total in the calibrated fit: λ⁻², 1 or λ²
    /// (λ = [`CONFIDENCE_LAMBDA`](crate::engine::CONFIDENCE_LAMBDA)).
    pub fn weight(self) -> f64 {
        let l2 = crate::engine::CONFIDENCE_LAMBDA * crate::engine::CONFIDENCE_LAMBDA;
        match self {
            Confidence::Low => 1.0 / l2,
            Confidence::Normal => 1.0,
            Confidence::High => l2,
        }
    }

    /// Stable lowercase name, as stored and in sheets.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The error of parsing a [`Confidence`].
fn unknown_confidence(s: &str) -> String {
    format!("unknown confidence {s:?}")
}

/// Where a change came from; recorded in history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(strum::Display, strum::EnumString, strum::IntoStaticStr)]
#[strum(
    serialize_all = "lowercase",
    parse_err_ty = String,
    parse_err_fn = unknown_source
)]
pub enum Source {
    /// Typed in the terminal UI.
    Keyboard,
    /// Read from a scanned/returned paper sheet.
    Paper,
    /// Imported from a file.
    Import,
    /// Written by [`Store::undo`](crate::store::Store::undo).
    Undo,
}

impl Source {
    /// Stable lowercase name, as stored.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The error of parsing a [`Source`].
fn unknown_source(s: &str) -> String {
    format!("unknown source {s:?}")
}

/// Which field of an item a change or history row concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Field {
    /// The score on one criterion (history name `score:<criterion>`).
    Score(String),
    /// The free-text comment.
    Comment,
    /// Recusal and its reason.
    Recusal,
    /// The flag for discussion.
    Flag,
    /// The confidence level.
    Confidence,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Score(c) => write!(f, "score:{c}"),
            Field::Comment => f.write_str("comment"),
            Field::Recusal => f.write_str("recusal"),
            Field::Flag => f.write_str("flag"),
            Field::Confidence => f.write_str("confidence"),
        }
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "comment" => Ok(Field::Comment),
            "recusal" => Ok(Field::Recusal),
            "flag" => Ok(Field::Flag),
            "confidence" => Ok(Field::Confidence),
            _ => match s.strip_prefix("score:") {
                Some(c) => Ok(Field::Score(c.to_owned())),
                None => Err(format!("unknown field {s:?}")),
            },
        }
    }
}

/// One edit of one field of one item; `apply` takes a slice of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// Set (`Some`) or clear (`None`) the score on a criterion.
    Score {
        /// Item id.
        item: String,
        /// Criterion key, e.g. `feasibility`.
        criterion: String,
        /// New score, or `None` to clear it.
        value: Option<f64>,
    },
    /// Replace the comment (empty string = no comment).
    Comment {
        /// Item id.
        item: String,
        /// New comment text (may be multi-line).
        text: String,
    },
    /// Recuse with a reason (`Some`, may be empty) or withdraw recusal (`None`).
    Recusal {
        /// Item id.
        item: String,
        /// Reason when recused.
        reason: Option<String>,
    },
    /// Set or clear the flag for discussion.
    Flag {
        /// Item id.
        item: String,
        /// New flag value.
        flagged: bool,
    },
    /// Set the confidence level.
    Confidence {
        /// Item id.
        item: String,
        /// New confidence.
        level: Confidence,
    },
}

impl Change {
    /// Checks the change's text against its limit ([`MAX_COMMENT_CHARS`], [`MAX_REASON_CHARS`]).
    pub fn check_length(&self) -> Result<(), TooLong> {
        match self {
            Change::Comment { text, .. } => check_length("comment", text, MAX_COMMENT_CHARS),
            Change::Recusal {
                reason: Some(r), ..
            } => check_length("recusal reason", r, MAX_REASON_CHARS),
            _ => Ok(()),
        }
    }

    /// Shorthand for [`Change::Score`].
    pub fn score(
        item: impl Into<String>,
        criterion: impl Into<String>,
        value: Option<f64>,
    ) -> Self {
        Change::Score {
            item: item.into(),
            criterion: criterion.into(),
            value,
        }
    }

    /// Shorthand for [`Change::Comment`].
    pub fn comment(item: impl Into<String>, text: impl Into<String>) -> Self {
        Change::Comment {
            item: item.into(),
            text: text.into(),
        }
    }

    /// Shorthand for [`Change::Recusal`].
    pub fn recusal(item: impl Into<String>, reason: Option<String>) -> Self {
        Change::Recusal {
            item: item.into(),
            reason,
        }
    }

    /// Shorthand for [`Change::Flag`].
    pub fn flag(item: impl Into<String>, flagged: bool) -> Self {
        Change::Flag {
            item: item.into(),
            flagged,
        }
    }

    /// Shorthand for [`Change::Confidence`].
    pub fn confidence(item: impl Into<String>, level: Confidence) -> Self {
        Change::Confidence {
            item: item.into(),
            level,
        }
    }

    /// The item this change edits.
    pub fn item(&self) -> &str {
        match self {
            Change::Score { item, .. }
            | Change::Comment { item, .. }
            | Change::Recusal { item, .. }
            | Change::Flag { item, .. }
            | Change::Confidence { item, .. } => item,
        }
    }

    /// The field this change edits.
    pub fn field(&self) -> Field {
        match self {
            Change::Score { criterion, .. } => Field::Score(criterion.clone()),
            Change::Comment { .. } => Field::Comment,
            Change::Recusal { .. } => Field::Recusal,
            Change::Flag { .. } => Field::Flag,
            Change::Confidence { .. } => Field::Confidence,
        }
    }
}

/// Current state of one item for one expert.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ItemRecord {
    /// Scores by criterion key; cleared scores are absent.
    pub scores: BTreeMap<String, f64>,
    /// Comment, empty if none.
    pub comment: String,
    /// `Some(reason)` when recused.
    pub recusal: Option<String>,
    /// Flagged for discussion.
    pub flagged: bool,
    /// Confidence level.
    pub confidence: Confidence,
    /// Time of the last change to this item (RFC 3339 UTC).
    pub updated_at: Option<String>,
}

/// Current state of all items an expert has touched in a batch.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExpertScores {
    /// Records by item id; items never touched are absent.
    pub items: BTreeMap<String, ItemRecord>,
}

/// One row of the append-only history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// Global, increasing sequence number.
    pub seq: i64,
    /// Transaction the row belongs to.
    pub txn: i64,
    /// Expert id.
    pub expert: String,
    /// Batch hash.
    pub batch: String,
    /// Item id.
    pub item: String,
    /// Field changed.
    pub field: Field,
    /// Value before, `None` for absent (no score / not recused).
    pub old_value: Option<String>,
    /// Value after, `None` for absent.
    pub new_value: Option<String>,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Where the change came from.
    pub source: Source,
    /// For undo rows, the transaction reverted.
    pub undoes: Option<i64>,
}

/// An (item, field) pair, e.g. for moving UI focus after an undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRef {
    /// Item id.
    pub item: String,
    /// Field.
    pub field: Field,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_weights() {
        assert_eq!(Confidence::Normal.weight(), 1.0);
        assert_eq!(Confidence::High.weight(), 3.0625);
        assert!((Confidence::Low.weight() - 1.0 / 3.0625).abs() < 1e-15);
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_named() {
        for (c, name) in [
            (Confidence::Low, "low"),
            (Confidence::Normal, "normal"),
            (Confidence::High, "high"),
        ] {
            assert_eq!((c.as_str(), c.to_string()), (name, name.to_string()));
            assert_eq!(name.parse::<Confidence>(), Ok(c));
        }
        for (s, name) in [
            (Source::Keyboard, "keyboard"),
            (Source::Paper, "paper"),
            (Source::Import, "import"),
            (Source::Undo, "undo"),
        ] {
            assert_eq!((s.as_str(), s.to_string()), (name, name.to_string()));
            assert_eq!(name.parse::<Source>(), Ok(s));
        }
        assert_eq!(
            "High".parse::<Confidence>(),
            Err("unknown confidence \"High\"".to_string())
        );
        assert_eq!(
            "web".parse::<Source>(),
            Err("unknown source \"web\"".to_string())
        );
    }
}
