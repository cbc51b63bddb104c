//! Each expert's secret signing key.

use rusqlite::{Connection, OptionalExtension, params};

use super::decisions::meta_in;

use super::{Fail, Store, StoreError, now};

/// The meta key of a store's single signing key from before schema version 3 (not yet claimed).
const LEGACY_KEY_META: &str = "signing_key";

impl Store {
    /// The secret signing key (hex) kept for `expert`, if one was made.
    pub fn expert_key(&self, expert: &str) -> Result<Option<String>, StoreError> {
        let r = key_in(&self.conn, expert).map_err(Fail::from);
        self.wrap("expert_key", r)
    }

    /// The expert's secret signing key (hex), stored first if the expert has none: the store's
    /// unclaimed key from before one key per expert if there is one (see migration 3), else
    /// `fresh`. Racing processes agree on one key.
    pub fn ensure_expert_key(&self, expert: &str, fresh: &str) -> Result<String, StoreError> {
        let r = (|| -> Result<String, Fail> {
            let tx = self.begin_write()?;
            if let Some(secret) = key_in(&tx, expert)? {
                return Ok(secret);
            }
            let legacy = meta_in(&tx, LEGACY_KEY_META)?;
            let secret = legacy.unwrap_or_else(|| fresh.to_string());
            tx.prepare_cached(
                "INSERT INTO expert_keys (expert, secret, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![expert, secret, now()])?;
            tx.prepare_cached("DELETE FROM meta WHERE key = ?1")?
                .execute([LEGACY_KEY_META])?;
            tx.commit()?;
            Ok(secret)
        })();
        self.wrap("ensure_expert_key", r)
    }

    /// Other experts of this store who share `expert`'s key (possible only for experts who
    /// signed with the store's single key before schema version 3), sorted.
    pub fn experts_sharing_key(&self, expert: &str) -> Result<Vec<String>, StoreError> {
        let r = (|| -> Result<Vec<String>, Fail> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT expert FROM expert_keys
                 WHERE secret = (SELECT secret FROM expert_keys WHERE expert = ?1)
                   AND expert <> ?1
                 ORDER BY expert",
            )?;
            let rows = stmt.query_map([expert], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })();
        self.wrap("experts_sharing_key", r)
    }
}

/// The secret key kept for `expert`, read on `conn` (the store's connection or a transaction).
fn key_in(conn: &Connection, expert: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT secret FROM expert_keys WHERE expert = ?1")?
        .query_row([expert], |r| r.get(0))
        .optional()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn an_unclaimed_store_key_goes_to_the_first_expert_who_needs_one() {
        // `revdesk key` was run on an empty store: the key waits for the store's expert.
        let tmp = v2_store(&[], &[], Some("OLD"));
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(
            store.meta_get("signing_key").unwrap().as_deref(),
            Some("OLD")
        );
        assert_eq!(store.ensure_expert_key("wang", "NEW").unwrap(), "OLD");
        assert_eq!(store.meta_get("signing_key").unwrap(), None);
        assert_eq!(store.ensure_expert_key("li", "NEW").unwrap(), "NEW");
        // Without any old key, nothing is claimed.
        let tmp = v2_store(&["a", "b"], &["a"], None);
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.expert_key("a").unwrap(), None);
    }
}
