//! The chair's decisions, named sequences and the meta table.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::decisions::DecisionRow;

use super::{Fail, Store, StoreError, now};

impl Store {
    /// Value stored under `key` in the meta table.
    pub fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let r = meta_in(&self.conn, key).map_err(Fail::from);
        self.wrap("meta_get", r)
    }

    /// Stores `value` under `key`, replacing any previous value.
    pub fn meta_set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let r = (|| -> Result<(), Fail> {
            self.conn
                .prepare_cached(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute([key, value])?;
            Ok(())
        })();
        self.wrap("meta_set", r)
    }

    /// Appends a chair's decision (JSON text) for a batch; returns its sequence number.
    pub fn record_decision(
        &self,
        batch: &str,
        chair: &str,
        decision: &str,
    ) -> Result<i64, StoreError> {
        let r = (|| -> Result<i64, Fail> {
            let at = now();
            Ok(self
                .conn
                .prepare_cached(
                    "INSERT INTO decisions (batch, chair, at, decision) VALUES (?1, ?2, ?3, ?4)
                     RETURNING seq",
                )?
                .query_row(params![batch, chair, at, decision], |r| r.get(0))?)
        })();
        self.wrap("record_decision", r)
    }

    /// Every decision recorded for a batch, oldest first.
    pub fn decisions(&self, batch: &str) -> Result<Vec<DecisionRow>, StoreError> {
        let r = (|| -> Result<Vec<DecisionRow>, Fail> {
            let mut st = self.conn.prepare_cached(
                "SELECT seq, at, chair, decision FROM decisions WHERE batch = ?1 ORDER BY seq",
            )?;
            let rows = st.query_map([batch], |r| {
                Ok(DecisionRow {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    chair: r.get(2)?,
                    json: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })();
        self.wrap("decisions", r)
    }

    /// Atomically increments the counter `name` and returns the new value (first is 1).
    pub fn next_sequence(&self, name: &str) -> Result<i64, StoreError> {
        let r = (|| -> Result<i64, Fail> {
            // A single upsert statement is atomic across processes.
            Ok(self
                .conn
                .prepare_cached(
                    "INSERT INTO sequences (name, value) VALUES (?1, 1)
                     ON CONFLICT (name) DO UPDATE SET value = value + 1
                     RETURNING value",
                )?
                .query_row([name], |r| r.get(0))?)
        })();
        self.wrap("next_sequence", r)
    }
}

/// The meta value under `key`, read on `conn` (the store's connection or an open transaction).
pub(super) fn meta_in(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn meta_and_sequences() {
        let (dir, store) = setup();
        assert_eq!(store.meta_get("signing_key").unwrap(), None);
        store.meta_set("signing_key", "abc").unwrap();
        store.meta_set("signing_key", "def").unwrap();
        assert_eq!(
            store.meta_get("signing_key").unwrap().as_deref(),
            Some("def")
        );
        assert_eq!(store.next_sequence("sheet").unwrap(), 1);
        assert_eq!(store.next_sequence("sheet").unwrap(), 2);
        assert_eq!(store.next_sequence("other").unwrap(), 1);
        drop(store);

        // Two handles in threads never hand out the same number.
        let all: Vec<i64> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        let st = Store::open(dir.path()).unwrap();
                        (0..100)
                            .map(|_| st.next_sequence("sheet").unwrap())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        let set: BTreeSet<i64> = all.iter().copied().collect();
        assert_eq!(set.len(), 200);
        assert_eq!(
            set.iter().copied().collect::<Vec<_>>(),
            (3..=202).collect::<Vec<_>>()
        );
    }
}
