//! What the chair's view read, kept in the chair's store for the audit trail
//! (`revdesk history`).

use super::service::MarkSource;
use crate::io::panel::Collected;
use crate::io::sheet::SheetError;
use crate::store::{SheetRead, Store, StoreError};
use crate::text::errors::error_chain;

/// The sheets of a reading as the trail records them: each accepted sheet with its expert,
/// number and content hash; each refused one with the reason (English, as the core words it)
/// and its expert when the source or the refusal names one.
pub fn sheet_reads(reading: &Collected, source: &dyn MarkSource) -> Vec<SheetRead> {
    let accepted = reading.accepted.iter().map(|(path, s)| SheetRead {
        sheet: path.display().to_string(),
        expert: Some(s.expert.id.clone()),
        sequence: Some(s.sequence),
        reason: None,
        digest: Some(s.content_hash()),
        round: s.round,
    });
    let refused = reading.rejected.iter().map(|e| SheetRead {
        sheet: e.path.display().to_string(),
        expert: source
            .expert_of(&e.path)
            .or_else(|| named_expert(&e.source)),
        sequence: match &e.source {
            SheetError::ConflictingSequence { sequence, .. } => Some(*sequence),
            _ => None,
        },
        reason: Some(error_chain(&e.source)),
        digest: None,
        round: 1,
    });
    accepted.chain(refused).collect()
}

/// The expert a refusal names, if it names one.
fn named_expert(e: &SheetError) -> Option<String> {
    match e {
        SheetError::NotInPanel { expert }
        | SheetError::KeyNotPinned { expert, .. }
        | SheetError::KeysDiffer { expert, .. }
        | SheetError::ConflictingSequence { expert, .. } => Some(expert.clone()),
        _ => None,
    }
}

/// Records a reading of `batch` (hash) by `chair` in the chair's `store`, in one transaction;
/// only what is new since that chair's last reading is written (see
/// [`Store::record_sheet_reads`]). How many rows were written.
pub fn record_reading(
    store: &Store,
    chair: &str,
    batch: &str,
    reading: &Collected,
    source: &dyn MarkSource,
) -> Result<usize, StoreError> {
    store.record_sheet_reads(chair, batch, &sheet_reads(reading, source))
}
