//! Shared helpers of the store's unit tests.

use std::path::Path;

use rusqlite::Connection;

use super::schema::MIGRATIONS;
use super::{DB_FILE_NAME, Store};

pub(super) const EXPERT: &str = "e1";
pub(super) const BATCH: &str = "batch-hash-1";
pub(super) const ITEMS: usize = 8;

pub(super) fn item_ids() -> Vec<String> {
    (0..ITEMS).map(|i| format!("i{i}")).collect()
}

pub(super) fn setup_in(dir: &Path) -> Store {
    let store = Store::open(dir).unwrap();
    store.ensure_expert(EXPERT, Some("Expert One")).unwrap();
    store
        .register_batch(BATCH, "Batch 1", "AI", &item_ids())
        .unwrap();
    store
}

pub(super) fn setup() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = setup_in(dir.path());
    (dir, store)
}

pub(super) fn raw(dir: &Path) -> Connection {
    Connection::open(dir.join(DB_FILE_NAME)).unwrap()
}

/// A store at schema version 2 (one key per store) holding `experts`, the store key, and
/// sheet sequences for `signed`.
pub(super) fn v2_store(experts: &[&str], signed: &[&str], key: Option<&str>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let conn = raw(tmp.path());
    migrate_to(&conn, 2);
    for e in experts {
        conn.execute(
            "INSERT INTO experts (id, display_name, created_at) VALUES (?1, NULL, 'x')",
            [e],
        )
        .unwrap();
    }
    if let Some(k) = key {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('signing_key', ?1)",
            [k],
        )
        .unwrap();
    }
    for e in signed {
        for b in ["ab12", "cd34"] {
            conn.execute(
                "INSERT INTO sequences (name, value) VALUES (?1, 2)",
                [format!("sheet:{b}:{e}")],
            )
            .unwrap();
        }
    }
    tmp
}

/// A raw connection to a store left at schema version `version`, for migration tests.
pub(super) fn store_at_version(dir: &Path, version: usize) -> Connection {
    let conn = raw(dir);
    conn.pragma_update(None, "journal_mode", "wal").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    migrate_to(&conn, version);
    conn
}

/// Runs the first `version` migrations on `conn` as the code of that version did.
fn migrate_to(conn: &Connection, version: usize) {
    for (i, sql) in MIGRATIONS[..version].iter().enumerate() {
        conn.execute_batch(sql).unwrap();
        conn.pragma_update(None, "user_version", i as u32 + 1)
            .unwrap();
    }
}
