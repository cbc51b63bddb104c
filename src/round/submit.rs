//! Producing signed score sheets from an expert's store: the key, the sequence, the sheet.

use crate::domain::batch::Batch;
use crate::domain::profile::Profile;
use crate::io::sheet::{self, Expert, Sheet, SheetItem};
use crate::store::{self, Store};
use ed25519_dalek::SigningKey;
use std::path::{Path, PathBuf};

/// Something went wrong producing a sheet.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The stored key is damaged. The message holds the reason (the scoring view shows the
    /// message alone), so the reason is not also chained as a source.
    #[error("the signing key of expert {expert} in {path} is damaged: {reason}")]
    Key {
        /// The expert whose key it is.
        expert: String,
        /// The store file.
        path: PathBuf,
        /// What is wrong with it.
        reason: sheet::KeyError,
    },
    /// A comment or reason stored before limits were enforced, too long to sign: the sheet would
    /// be refused where it is counted.
    #[error("item {item}: shorten it before signing")]
    TooLong {
        /// The item.
        item: String,
        /// Which text, how long, the limit.
        source: store::TooLong,
    },
    /// Writing the sheet failed.
    #[error(transparent)]
    Sheet(Box<sheet::SheetFileError>),
}

impl From<sheet::SheetFileError> for SubmitError {
    fn from(e: sheet::SheetFileError) -> Self {
        SubmitError::Sheet(Box::new(e))
    }
}

/// The expert's signing key, created (and kept in the store's key files) on first use.
///
/// Each expert of a store has a key of their own, so a panel file can pin each one even when
/// one store holds several experts (a secretary entering paper sheets).
pub fn signing_key(store: &Store, expert: &str) -> Result<SigningKey, SubmitError> {
    let hex = match store.expert_key(expert)? {
        Some(hex) => hex,
        None => {
            let fresh = sheet::key_to_hex(&sheet::new_signing_key());
            // Another process may store one at the same moment: the stored one wins.
            store.ensure_expert_key(expert, &fresh)?
        }
    };
    sheet::key_from_hex(&hex).map_err(|reason| SubmitError::Key {
        expert: expert.to_string(),
        path: store.path().to_path_buf(),
        reason,
    })
}

/// A signed sheet of the expert's current marks for a batch, with the next sequence number.
pub fn produce(
    store: &Store,
    batch: &Batch,
    profile: &Profile,
    expert: &str,
) -> Result<Sheet, SubmitError> {
    let (key, who, items, round) = contents(store, batch, expert, None)?;
    let seq = store.next_sequence(&sequence_name(batch, expert))?;
    Ok(sign(batch, profile, &key, who, seq, items, round))
}

/// The sheet [`produce`] would make now, without taking its sequence number: reading the
/// marks (a chair on the server) does not move the counter, so the sheet `revdesk sheet`
/// writes next carries the same number.
pub fn preview(
    store: &Store,
    batch: &Batch,
    profile: &Profile,
    expert: &str,
) -> Result<Sheet, SubmitError> {
    preview_up_to(store, batch, profile, expert, None)
}

/// [`preview`] as of round `up_to` (None: the latest): the marks as they stood in that round,
/// and the sheet says that round.
pub fn preview_up_to(
    store: &Store,
    batch: &Batch,
    profile: &Profile,
    expert: &str,
    up_to: Option<u32>,
) -> Result<Sheet, SubmitError> {
    let (key, who, items, round) = contents(store, batch, expert, up_to)?;
    let seq = store.sequence(&sequence_name(batch, expert))? + 1;
    Ok(sign(batch, profile, &key, who, seq, items, round))
}

/// The counter of an expert's sheets for a batch (migration 3 reads these names).
fn sequence_name(batch: &Batch, expert: &str) -> String {
    format!("sheet:{}:{expert}", batch.hash)
}

/// What a sheet holds besides its number: the key, the expert as named on sheets, the items
/// and the round.
type Contents = (SigningKey, Expert, Vec<SheetItem>, u32);

/// The contents of a sheet of the marks as of round `up_to` (None: the current marks, in the
/// batch's latest round, with the reasons of that round's revisions).
fn contents(
    store: &Store,
    batch: &Batch,
    expert: &str,
    up_to: Option<u32>,
) -> Result<Contents, SubmitError> {
    let key = signing_key(store, expert)?;
    let latest = store.current_round(&batch.hash)?;
    let round = up_to.map_or(latest, |r| r.min(latest));
    let marks = if round < latest {
        store.marks_up_to(expert, &batch.hash, round)?
    } else {
        store.load(expert, &batch.hash)?
    };
    let reasons = if round >= 2 {
        store.revision_reasons(expert, &batch.hash, round)?
    } else {
        Default::default()
    };
    let name = store
        .expert(expert)?
        .and_then(|e| e.display_name)
        .unwrap_or_else(|| expert.to_string());
    let known: std::collections::HashSet<&str> =
        batch.items.iter().map(|i| i.id.as_str()).collect();
    for (id, r) in marks
        .items
        .iter()
        .filter(|(id, _)| known.contains(id.as_str()))
    {
        let change = [
            store::Change::comment(id.as_str(), r.comment.as_str()),
            store::Change::recusal(id.as_str(), r.recusal.clone()),
        ];
        for c in change {
            c.check_length().map_err(|source| SubmitError::TooLong {
                item: id.clone(),
                source,
            })?;
        }
    }
    let items = marks
        .items
        .iter()
        .filter(|(id, _)| known.contains(id.as_str()))
        .map(|(id, r)| SheetItem {
            id: id.clone(),
            // The store keeps scores typed before a recusal (withdrawing it brings them back);
            // the sheet does not: a recused nomination is not scored.
            scores: if r.recusal.is_some() {
                Default::default()
            } else {
                r.scores.clone()
            },
            comment: r.comment.clone(),
            recused: r.recusal.is_some(),
            recusal_reason: r.recusal.clone().unwrap_or_default(),
            flagged: r.flagged,
            confidence: r.confidence,
            revision_reason: reasons.get(id).cloned().unwrap_or_default(),
        })
        .collect();
    let who = Expert {
        id: expert.to_string(),
        name,
    };
    Ok((key, who, items, round))
}

/// The sheet, signed, produced now.
fn sign(
    batch: &Batch,
    profile: &Profile,
    key: &SigningKey,
    who: Expert,
    seq: i64,
    items: Vec<SheetItem>,
    round: u32,
) -> Sheet {
    let seq = u64::try_from(seq).unwrap_or(0);
    let mut sheet = Sheet::new(batch, profile, who, seq, jiff::Timestamp::now(), items);
    sheet.round = round;
    sheet.sign(key)
}

/// `wang-1a2b3c4d5e6f-0003.json`: a file name that sorts by expert, batch and sequence.
pub fn file_name(sheet: &Sheet) -> String {
    let safe: String = sheet
        .expert
        .id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{safe}-{}-{:04}.json",
        &sheet.batch[..sheet.batch.len().min(12)],
        sheet.sequence
    )
}

/// Produces a sheet and writes it into `dir` (created if needed); returns the file.
pub fn submit_to_dir(
    store: &Store,
    batch: &Batch,
    profile: &Profile,
    expert: &str,
    dir: &Path,
) -> Result<(PathBuf, Sheet), SubmitError> {
    let sheet = produce(store, batch, profile, expert)?;
    let path = dir.join(file_name(&sheet));
    std::fs::create_dir_all(dir).map_err(|e| sheet::SheetFileError {
        path: dir.to_path_buf(),
        source: sheet::SheetError::Io(e),
    })?;
    sheet::write(&sheet, &path, false).map_err(|source| sheet::SheetFileError {
        path: path.clone(),
        source,
    })?;
    Ok((path, sheet))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_key_names_its_reason_once() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("store");
        store.ensure_expert("wang", None).expect("expert");
        store.ensure_expert_key("wang", "not hex").expect("key");
        let e = signing_key(&store, "wang").expect_err("damaged");
        assert!(matches!(e, SubmitError::Key { .. }));
        let reason = "hex digits";
        assert_eq!(e.to_string().matches(reason).count(), 1, "{e}");
        let mut chain = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            chain.push_str(&format!(": {c}"));
            cause = c.source();
        }
        assert_eq!(chain.matches(reason).count(), 1, "{chain}");
    }
}
