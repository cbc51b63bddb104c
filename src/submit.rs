//! Producing signed score sheets from an expert's store: the key, the sequence, the sheet.

use crate::batch::Batch;
use crate::profile::Profile;
use crate::sheet::{self, Confidence, Expert, Sheet, SheetItem};
use crate::store::{self, Store};
use ed25519_dalek::SigningKey;
use std::path::{Path, PathBuf};

/// The meta key under which the store keeps the expert's signing key.
const KEY_META: &str = "signing_key";

/// Something went wrong producing a sheet.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The stored key is damaged.
    #[error("the signing key in {path} is damaged: {source}")]
    Key {
        /// The store file.
        path: PathBuf,
        /// What is wrong with it.
        source: sheet::KeyError,
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

/// The store's signing key, created (and kept in the store) on first use.
pub fn signing_key(store: &Store) -> Result<SigningKey, SubmitError> {
    if let Some(hex) = store.meta_get(KEY_META)? {
        return sheet::key_from_hex(&hex).map_err(|source| SubmitError::Key {
            path: store.path().to_path_buf(),
            source,
        });
    }
    let key = sheet::new_signing_key();
    store.meta_set(KEY_META, &sheet::key_to_hex(&key))?;
    // The database now holds a secret: keep it to its owner.
    restrict_permissions(store.path());
    // Another process may have created one at the same moment: the stored one wins.
    match store.meta_get(KEY_META)? {
        Some(hex) => sheet::key_from_hex(&hex).map_err(|source| SubmitError::Key {
            path: store.path().to_path_buf(),
            source,
        }),
        None => Ok(key),
    }
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) {}

fn confidence(c: store::Confidence) -> Confidence {
    match c {
        store::Confidence::Low => Confidence::Low,
        store::Confidence::Normal => Confidence::Normal,
        store::Confidence::High => Confidence::High,
    }
}

/// A signed sheet of the expert's current marks for a batch, with the next sequence number.
pub fn produce(
    store: &Store,
    batch: &Batch,
    profile: &Profile,
    expert: &str,
) -> Result<Sheet, SubmitError> {
    let key = signing_key(store)?;
    let marks = store.load(expert, &batch.hash)?;
    let name = store
        .expert(expert)?
        .and_then(|e| e.display_name)
        .unwrap_or_else(|| expert.to_string());
    let known: std::collections::HashSet<&str> =
        batch.items.iter().map(|i| i.id.as_str()).collect();
    let items = marks
        .items
        .iter()
        .filter(|(id, _)| known.contains(id.as_str()))
        .map(|(id, r)| SheetItem {
            id: id.clone(),
            scores: r.scores.clone(),
            comment: r.comment.clone(),
            recused: r.recusal.is_some(),
            recusal_reason: r.recusal.clone().unwrap_or_default(),
            flagged: r.flagged,
            confidence: confidence(r.confidence),
        })
        .collect();
    let seq = store.next_sequence(&format!("sheet:{}:{expert}", batch.hash))?;
    let expert = Expert {
        id: expert.to_string(),
        name,
    };
    let seq = u64::try_from(seq).unwrap_or(0);
    Ok(Sheet::new(batch, profile, expert, seq, jiff::Timestamp::now(), items).sign(&key))
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
