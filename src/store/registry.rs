//! The experts and batches a store knows.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Fail, Store, StoreError, check_expert_id, now};

/// An expert known to the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expert {
    /// Stable id.
    pub id: String,
    /// Name to show, if any.
    pub display_name: Option<String>,
}

/// A registered batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchInfo {
    /// Content hash identifying the batch.
    pub hash: String,
    /// Human label.
    pub label: String,
    /// Domain (field of technology).
    pub domain: String,
    /// Number of items in the batch.
    pub item_count: usize,
    /// When the batch was first registered (RFC 3339 UTC).
    pub registered_at: String,
}

impl Store {
    /// Inserts the expert, or updates its display name (`None` keeps the old one).
    pub fn ensure_expert(&self, id: &str, display_name: Option<&str>) -> Result<(), StoreError> {
        check_expert_id(id)?;
        if let Some(name) = display_name {
            crate::domain::marks::check_length(
                "display name",
                name,
                crate::domain::marks::MAX_NAME_CHARS,
            )
            .map_err(|source| StoreError::NameTooLong {
                expert: id.to_string(),
                source,
            })?;
        }
        let r = (|| -> Result<(), Fail> {
            self.conn
                .prepare_cached(
                    "INSERT INTO experts (id, display_name, created_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO UPDATE
                     SET display_name = coalesce(excluded.display_name, display_name)",
                )?
                .execute(params![id, display_name, now()])?;
            Ok(())
        })();
        self.wrap("ensure_expert", r)
    }

    /// The expert with this id, if registered.
    pub fn expert(&self, id: &str) -> Result<Option<Expert>, StoreError> {
        let r = (|| -> Result<Option<Expert>, Fail> {
            Ok(self
                .conn
                .prepare_cached("SELECT id, display_name FROM experts WHERE id = ?1")?
                .query_row([id], |r| {
                    Ok(Expert {
                        id: r.get(0)?,
                        display_name: r.get(1)?,
                    })
                })
                .optional()?)
        })();
        self.wrap("expert", r)
    }

    // ---- batches -------------------------------------------------------------

    /// Registers a batch by content hash; registering the same hash again with the
    /// same items is a no-op (label/domain of the first registration are kept).
    pub fn register_batch(
        &self,
        hash: &str,
        label: &str,
        domain: &str,
        item_ids: &[String],
    ) -> Result<(), StoreError> {
        let r = (|| -> Result<(), Fail> {
            let mut seen = std::collections::HashSet::with_capacity(item_ids.len());
            for item in item_ids {
                if !seen.insert(item.as_str()) {
                    return Err(StoreError::DuplicateItem {
                        hash: hash.to_owned(),
                        item: item.clone(),
                    }
                    .into());
                }
            }
            let tx = self.begin_write()?;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO batches (hash, label, domain, registered_at)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (hash) DO NOTHING",
                )?
                .execute(params![hash, label, domain, now()])?;
            if inserted == 1 {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO batch_items (batch, item, position) VALUES (?1, ?2, ?3)",
                )?;
                for (pos, item) in item_ids.iter().enumerate() {
                    stmt.execute(params![hash, item, pos as i64])?;
                }
            } else {
                // Same hash should mean same content; a different set of ids is a caller bug.
                // The order may differ: the hash sorts items, so a re-sorted file is the same batch.
                let mut existing = batch_items_in(&tx, hash)?;
                existing.sort_unstable();
                let mut given: Vec<&str> = item_ids.iter().map(String::as_str).collect();
                given.sort_unstable();
                if existing != given {
                    return Err(StoreError::BatchMismatch {
                        hash: hash.to_owned(),
                    }
                    .into());
                }
            }
            tx.commit()?;
            Ok(())
        })();
        self.wrap("register_batch", r)
    }

    /// All registered batches, oldest first.
    pub fn batches(&self) -> Result<Vec<BatchInfo>, StoreError> {
        let r = (|| -> Result<Vec<BatchInfo>, Fail> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT b.hash, b.label, b.domain, b.registered_at,
                        (SELECT count(*) FROM batch_items i WHERE i.batch = b.hash)
                 FROM batches b ORDER BY b.registered_at, b.hash",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(BatchInfo {
                    hash: r.get(0)?,
                    label: r.get(1)?,
                    domain: r.get(2)?,
                    registered_at: r.get(3)?,
                    item_count: r.get::<_, i64>(4)? as usize,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })();
        self.wrap("batches", r)
    }

    /// Item ids of a batch in registration order (empty if unknown).
    pub fn batch_items(&self, hash: &str) -> Result<Vec<String>, StoreError> {
        let r = batch_items_in(&self.conn, hash).map_err(Fail::from);
        self.wrap("batch_items", r)
    }
}

fn batch_items_in(conn: &Connection, hash: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT item FROM batch_items WHERE batch = ?1 ORDER BY position")?;
    let rows = stmt.query_map([hash], |r| r.get(0))?;
    rows.collect()
}

/// What a write learns from [`check_writer`].
pub(super) struct Writer {
    /// The expert's latest history row in the batch (a write's read-back needs it).
    pub last: Option<i64>,
    /// The id the write's transaction takes (see [`next_txn_sql`]).
    pub next_txn: i64,
}

/// The id of the next transaction: one more than the last history row's and the last `txns`
/// row's (an undo that wrote no row), since an ordinary transaction has no `txns` row (schema
/// 10). Both lookups read the end of a rowid tree; ids grow with `seq` under the write lock.
/// A macro, so the statements that embed it stay literals (no text built per commit).
macro_rules! next_txn_sql {
    () => {
        "max(coalesce((SELECT txn FROM history ORDER BY seq DESC LIMIT 1), 0),
             coalesce((SELECT max(id) FROM txns), 0)) + 1"
    };
}
pub(super) use next_txn_sql;

/// Checks that the expert and the batch exist, and gives the expert's latest history row in the
/// batch and the next transaction id: one statement for all, as every write asks.
pub(super) fn check_writer(conn: &Connection, expert: &str, batch: &str) -> Result<Writer, Fail> {
    let (has_expert, has_batch, last, next_txn): (bool, bool, Option<i64>, i64) = conn
        .prepare_cached(concat!(
            "SELECT EXISTS (SELECT 1 FROM experts WHERE id = ?1),
                    EXISTS (SELECT 1 FROM batches WHERE hash = ?2),
                    (SELECT max(seq) FROM history WHERE expert = ?1 AND batch = ?2), ",
            next_txn_sql!()
        ))?
        .query_row([expert, batch], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    if !has_expert {
        return Err(StoreError::UnknownExpert(expert.to_owned()).into());
    }
    if !has_batch {
        return Err(StoreError::UnknownBatch(batch.to_owned()).into());
    }
    Ok(Writer { last, next_txn })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn experts_insert_and_update() {
        let (_dir, store) = setup();
        assert_eq!(
            store.expert(EXPERT).unwrap(),
            Some(Expert {
                id: EXPERT.into(),
                display_name: Some("Expert One".into())
            })
        );
        store.ensure_expert(EXPERT, None).unwrap();
        assert_eq!(
            store
                .expert(EXPERT)
                .unwrap()
                .unwrap()
                .display_name
                .as_deref(),
            Some("Expert One"),
            "None keeps the existing name"
        );
        store.ensure_expert(EXPERT, Some("Dr. One")).unwrap();
        assert_eq!(
            store
                .expert(EXPERT)
                .unwrap()
                .unwrap()
                .display_name
                .as_deref(),
            Some("Dr. One")
        );
        store.ensure_expert("e2", None).unwrap();
        assert_eq!(store.expert("e2").unwrap().unwrap().display_name, None);
        assert_eq!(store.expert("nobody").unwrap(), None);
        for bad in [
            "",
            "  ",
            " e1",
            "e1 ",
            "e 1",
            "e\t1",
            "e\u{0}1",
            "e\u{3000}1",
        ] {
            let err = store.ensure_expert(bad, None).unwrap_err();
            assert!(
                matches!(err, StoreError::InvalidExpertId(_)),
                "{bad:?}: {err}"
            );
        }
        store.ensure_expert("王专家", None).unwrap();
    }

    #[test]
    fn batches_register_idempotently() {
        let (_dir, store) = setup();
        store
            .register_batch(BATCH, "Batch 1", "AI", &item_ids())
            .unwrap();
        store
            .register_batch("h2", "Batch 2", "Energy", &["x".into(), "a".into()])
            .unwrap();
        let batches = store.batches().unwrap();
        assert_eq!(batches.len(), 2);
        let b1 = batches.iter().find(|b| b.hash == BATCH).unwrap();
        assert_eq!(
            (b1.label.as_str(), b1.domain.as_str(), b1.item_count),
            ("Batch 1", "AI", ITEMS)
        );
        assert_eq!(store.batch_items("h2").unwrap(), vec!["x", "a"]);

        // The same items in another order are the same batch (the hash sorts them).
        let mut reversed = item_ids();
        reversed.reverse();
        store
            .register_batch(BATCH, "Batch 1", "AI", &reversed)
            .unwrap();
        assert_eq!(store.batch_items(BATCH).unwrap(), item_ids());
        let mut fewer = item_ids();
        fewer.pop();
        let err = store
            .register_batch(BATCH, "Batch 1", "AI", &fewer)
            .unwrap_err();
        assert!(matches!(err, StoreError::BatchMismatch { .. }), "{err}");
        let err = store
            .register_batch(BATCH, "Batch 1", "AI", &["other".into()])
            .unwrap_err();
        assert!(matches!(err, StoreError::BatchMismatch { .. }), "{err}");
        let err = store
            .register_batch("h3", "B", "D", &["a".into(), "a".into()])
            .unwrap_err();
        assert!(matches!(err, StoreError::DuplicateItem { .. }), "{err}");
        assert_eq!(store.batches().unwrap().len(), 2);
    }
}
