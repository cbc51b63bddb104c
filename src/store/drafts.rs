//! Comment drafts: what the expert has typed in the comment editor and not yet saved, kept as
//! it is typed so a killed session loses at most the last moment of typing.

use rusqlite::{OptionalExtension, params};

use super::{Fail, Store, StoreError, now};

impl Store {
    /// Keeps `text` as the expert's unsaved comment draft on `item`, replacing an older one.
    pub fn save_draft(
        &self,
        expert: &str,
        batch: &str,
        item: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        let r = (|| -> Result<(), Fail> {
            self.conn
                .prepare_cached(
                    "INSERT INTO drafts (expert, batch, item, text, saved_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (expert, batch, item)
                     DO UPDATE SET text = excluded.text, saved_at = excluded.saved_at",
                )?
                .execute(params![expert, batch, item, text, now()])?;
            Ok(())
        })();
        self.wrap("save_draft", r)
    }

    /// The expert's unsaved comment draft on `item`, if there is one.
    pub fn draft(
        &self,
        expert: &str,
        batch: &str,
        item: &str,
    ) -> Result<Option<String>, StoreError> {
        let r = (|| -> Result<Option<String>, Fail> {
            Ok(self
                .conn
                .prepare_cached(
                    "SELECT text FROM drafts WHERE expert = ?1 AND batch = ?2 AND item = ?3",
                )?
                .query_row(params![expert, batch, item], |r| r.get(0))
                .optional()?)
        })();
        self.wrap("draft", r)
    }

    /// Forgets the expert's draft on `item` (the comment was saved or dropped).
    pub fn clear_draft(&self, expert: &str, batch: &str, item: &str) -> Result<(), StoreError> {
        let r = (|| -> Result<(), Fail> {
            self.conn
                .prepare_cached(
                    "DELETE FROM drafts WHERE expert = ?1 AND batch = ?2 AND item = ?3",
                )?
                .execute(params![expert, batch, item])?;
            Ok(())
        })();
        self.wrap("clear_draft", r)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn a_draft_is_kept_replaced_and_cleared() {
        let (dir, store) = setup();
        assert_eq!(store.draft(EXPERT, BATCH, "i0").unwrap(), None);
        store.save_draft(EXPERT, BATCH, "i0", "好").unwrap();
        store.save_draft(EXPERT, BATCH, "i0", "好，但").unwrap();
        store.save_draft(EXPERT, BATCH, "i1", "x").unwrap();
        // Another handle (a restarted session) sees it.
        let again = super::Store::open(dir.path()).unwrap();
        assert_eq!(
            again.draft(EXPERT, BATCH, "i0").unwrap().as_deref(),
            Some("好，但")
        );
        again.clear_draft(EXPERT, BATCH, "i0").unwrap();
        assert_eq!(store.draft(EXPERT, BATCH, "i0").unwrap(), None);
        assert_eq!(
            store.draft(EXPERT, BATCH, "i1").unwrap().as_deref(),
            Some("x")
        );
        // Drafts are not marks.
        assert!(store.history(EXPERT, BATCH).unwrap().is_empty());
    }
}
