//! Comment drafts: what the expert has typed in the comment editor and not yet saved, kept as
//! it is typed so a killed session loses at most the last moment of typing.
//!
//! A draft is a file, `drafts/<hash>.txt` in the store directory (0600, the directory 0700),
//! written whole and renamed into place, not a row in the database: drafts are saved every
//! moment while someone types, and a database write would wake every other session and the
//! chair's live view (they watch the database for marks) for what is not a mark.

use std::fs;
use std::io::{self, Read};
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::files::{DRAFTS_DIR, create_dir, write_private};
use super::{Store, StoreError};

/// Largest draft kept, in bytes (a comment is at most 5,000 characters; a draft may run over
/// while it is shortened): 1 MiB.
pub const MAX_DRAFT_BYTES: usize = 1024 * 1024;

impl Store {
    /// The draft file of `expert`'s comment on `item` of `batch`: named by a hash, so no id can
    /// name a path elsewhere.
    fn draft_path(&self, expert: &str, batch: &str, item: &str) -> PathBuf {
        let mut h = Sha256::new();
        for part in [expert, batch, item] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        let name = hex::encode(&h.finalize()[..16]);
        self.dir().join(DRAFTS_DIR).join(format!("{name}.txt"))
    }

    /// Keeps `text` as the expert's unsaved comment draft on `item`, replacing an older one.
    pub fn save_draft(
        &self,
        expert: &str,
        batch: &str,
        item: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        let path = self.draft_path(expert, batch, item);
        let err = |path: PathBuf| move |source| StoreError::DraftFile { path, source };
        if text.len() > MAX_DRAFT_BYTES {
            return Err(err(path)(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "a draft of {} bytes (at most {MAX_DRAFT_BYTES})",
                    text.len()
                ),
            )));
        }
        let dir = self.dir().join(DRAFTS_DIR);
        create_dir(&dir).map_err(err(dir.clone()))?;
        write_private(&dir, text.as_bytes(), |tmp| fs::rename(tmp, &path)).map_err(err(path))
    }

    /// The expert's unsaved comment draft on `item`, if there is one.
    pub fn draft(
        &self,
        expert: &str,
        batch: &str,
        item: &str,
    ) -> Result<Option<String>, StoreError> {
        let path = self.draft_path(expert, batch, item);
        let f = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StoreError::DraftFile { path, source }),
        };
        let mut bytes = Vec::new();
        f.take(MAX_DRAFT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| StoreError::DraftFile {
                path: path.clone(),
                source,
            })?;
        // Revdesk wrote it; a damaged draft is only a draft: keep what reads as text.
        bytes.truncate(MAX_DRAFT_BYTES);
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Forgets the expert's draft on `item` (the comment was saved).
    pub fn clear_draft(&self, expert: &str, batch: &str, item: &str) -> Result<(), StoreError> {
        let path = self.draft_path(expert, batch, item);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(StoreError::DraftFile { path, source: e })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn a_draft_is_kept_replaced_and_cleared_without_touching_the_database() {
        let (dir, store) = setup();
        let version = store.data_version().unwrap();
        let other = super::Store::open(dir.path()).unwrap();
        let other_version = other.data_version().unwrap();
        assert_eq!(store.draft(EXPERT, BATCH, "i0").unwrap(), None);
        store.save_draft(EXPERT, BATCH, "i0", "好").unwrap();
        store.save_draft(EXPERT, BATCH, "i0", "好，但").unwrap();
        store.save_draft(EXPERT, BATCH, "i1", "x").unwrap();
        // Another handle (a restarted session) sees it; nobody watching the database woke up.
        assert_eq!(
            other.draft(EXPERT, BATCH, "i0").unwrap().as_deref(),
            Some("好，但")
        );
        assert_eq!(other.data_version().unwrap(), other_version);
        other.clear_draft(EXPERT, BATCH, "i0").unwrap();
        other.clear_draft(EXPERT, BATCH, "i0").unwrap();
        assert_eq!(store.draft(EXPERT, BATCH, "i0").unwrap(), None);
        assert_eq!(
            store.draft(EXPERT, BATCH, "i1").unwrap().as_deref(),
            Some("x")
        );
        assert_eq!(store.draft("e2", BATCH, "i1").unwrap(), None, "per expert");
        assert!(store.history(EXPERT, BATCH).unwrap().is_empty());
        assert_eq!(store.data_version().unwrap(), version);
        // Owner-only, and nothing else left in the directory.
        let drafts: Vec<_> = std::fs::read_dir(dir.path().join("drafts"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(drafts.len(), 1, "{drafts:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&drafts[0]), 0o600);
            assert_eq!(mode(&dir.path().join("drafts")), 0o700);
        }
        let big = "x".repeat(super::MAX_DRAFT_BYTES + 1);
        assert!(store.save_draft(EXPERT, BATCH, "i2", &big).is_err());
    }
}
