//! The expert's local score store: one SQLite database (`revdesk.db`) per store
//! directory, holding experts, batches, the current scores of each expert and an
//! append-only history of every change, from which the current state can be rebuilt.
//!
//! Concurrency model: every write runs in a `BEGIN IMMEDIATE` transaction, so two
//! revdesk processes on the same store (an expert with two SSH sessions) serialise
//! their writes through SQLite's write lock (waiting up to [`BUSY_TIMEOUT`]) and
//! each transaction reads the old values it records under that lock. WAL mode lets
//! readers proceed while a writer commits; `synchronous=FULL` makes a returned call
//! durable.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params,
};
use serde::{Deserialize, Serialize};

use crate::domain::decisions::DecisionRow;
pub use crate::domain::marks::{
    Change, Confidence, ExpertIdError, ExpertScores, Field, FieldRef, HistoryRow, ItemRecord,
    Source, check_expert_id,
};

/// File name of the database inside the store directory.
pub const DB_FILE_NAME: &str = "revdesk.db";

/// The file whose lock serialises opening a store.
pub const LOCK_FILE_NAME: &str = "revdesk.db.lock";

/// How long a call waits for another process's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Schema version this code writes (the number of migration steps).
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Ordered migration steps; step `i` brings `user_version` from `i` to `i + 1`.
/// Never edit a released step: append a new one instead.
const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE sequences (
    name  TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
) STRICT;

CREATE TABLE experts (
    id           TEXT PRIMARY KEY NOT NULL,
    display_name TEXT,
    created_at   TEXT NOT NULL
) STRICT;

CREATE TABLE batches (
    hash          TEXT PRIMARY KEY NOT NULL,
    label         TEXT NOT NULL,
    domain        TEXT NOT NULL,
    registered_at TEXT NOT NULL
) STRICT;

CREATE TABLE batch_items (
    batch    TEXT NOT NULL REFERENCES batches(hash),
    item     TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (batch, item)
) STRICT, WITHOUT ROWID;

-- Current state, one row per (expert, batch, item) ever changed.
-- recusal: NULL = not recused, otherwise the reason (may be empty).
CREATE TABLE item_state (
    expert     TEXT NOT NULL REFERENCES experts(id),
    batch      TEXT NOT NULL,
    item       TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    recusal    TEXT,
    flagged    INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    confidence TEXT NOT NULL DEFAULT 'normal' CHECK (confidence IN ('low', 'normal', 'high')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (expert, batch, item),
    FOREIGN KEY (batch, item) REFERENCES batch_items(batch, item)
) STRICT, WITHOUT ROWID;

-- Current scores; a cleared score has no row.
CREATE TABLE scores (
    expert    TEXT NOT NULL,
    batch     TEXT NOT NULL,
    item      TEXT NOT NULL,
    criterion TEXT NOT NULL,
    value     REAL NOT NULL,
    PRIMARY KEY (expert, batch, item, criterion),
    FOREIGN KEY (expert, batch, item) REFERENCES item_state(expert, batch, item)
) STRICT, WITHOUT ROWID;

-- One row per transaction that changed something (and per undo).
CREATE TABLE txns (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    expert     TEXT NOT NULL REFERENCES experts(id),
    batch      TEXT NOT NULL REFERENCES batches(hash),
    source     TEXT NOT NULL CHECK (source IN ('keyboard', 'paper', 'import', 'undo')),
    undoes     INTEGER REFERENCES txns(id),
    created_at TEXT NOT NULL,
    CHECK ((source = 'undo') = (undoes IS NOT NULL))
) STRICT;
CREATE INDEX txns_by_expert_batch ON txns(expert, batch, id);
-- A transaction can be undone at most once, even with racing processes.
CREATE UNIQUE INDEX txns_undone_once ON txns(undoes) WHERE undoes IS NOT NULL;

-- Append-only change log; values are text, NULL for absent (no score, not recused).
CREATE TABLE history (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    txn       INTEGER NOT NULL REFERENCES txns(id),
    expert    TEXT NOT NULL REFERENCES experts(id),
    batch     TEXT NOT NULL REFERENCES batches(hash),
    item      TEXT NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at        TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('keyboard', 'paper', 'import', 'undo')),
    undoes    INTEGER REFERENCES txns(id)
) STRICT;
CREATE INDEX history_by_expert_batch ON history(expert, batch, seq);
CREATE INDEX history_by_txn ON history(txn, seq);

CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER txns_no_update BEFORE UPDATE ON txns
BEGIN SELECT RAISE(ABORT, 'txns is append-only'); END;
CREATE TRIGGER txns_no_delete BEFORE DELETE ON txns
BEGIN SELECT RAISE(ABORT, 'txns is append-only'); END;
"#,
    // 2: the panel chair's decisions (cut, overrides with reasons), append-only like history.
    r#"
CREATE TABLE decisions (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    batch    TEXT NOT NULL,
    chair    TEXT NOT NULL,
    at       TEXT NOT NULL,
    decision TEXT NOT NULL
) STRICT;
CREATE INDEX decisions_by_batch ON decisions(batch, seq);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
"#,
    // 3: one signing key per expert: a store may hold several experts (a secretary typing in
    // paper sheets), and a panel file pins one key per expert.
    //
    // Up to version 2 the store had one key (meta 'signing_key'). Who keeps it:
    // - every expert who already signed a sheet with it — a sheet takes the sequence
    //   'sheet:<batch hash>:<expert>' (hex hash, so the first ':' after the prefix ends it), so
    //   this is known exactly — because their sheets and any panel file pinning it must stay
    //   valid (several such experts keep sharing it: only a fresh key could separate them, and
    //   that would orphan their signed sheets);
    // - else, when the store holds exactly one expert, that expert: it is their store;
    // - else (nobody signed, and no or several experts) it stays under 'signing_key' for the
    //   store's default expert, taken to be the first expert the store needs a key for
    //   ([`Store::ensure_expert_key`]): the old `revdesk key` printed it for whichever id it was
    //   asked about, and that is the expert who next uses the store.
    r#"
CREATE TABLE expert_keys (
    expert     TEXT PRIMARY KEY NOT NULL,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
INSERT OR IGNORE INTO expert_keys (expert, secret, created_at)
SELECT DISTINCT substr(s.name, 7 + instr(substr(s.name, 7), ':')), m.value,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM sequences s JOIN meta m ON m.key = 'signing_key'
WHERE s.name LIKE 'sheet:%' AND instr(substr(s.name, 7), ':') > 0;
INSERT OR IGNORE INTO expert_keys (expert, secret, created_at)
SELECT e.id, m.value, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM experts e JOIN meta m ON m.key = 'signing_key'
WHERE (SELECT count(*) FROM experts) = 1 AND NOT EXISTS (SELECT 1 FROM expert_keys);
DELETE FROM meta WHERE key = 'signing_key' AND EXISTS (SELECT 1 FROM expert_keys);
"#,
];

/// The meta key of a store's single signing key from before schema version 3 (not yet claimed).
const LEGACY_KEY_META: &str = "signing_key";

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store directory could not be created.
    #[error("cannot create store directory {path}")]
    CreateDir {
        /// Directory that could not be created.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The lock that serialises opening the store could not be taken.
    #[error("cannot lock store directory {path}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The database could not be opened or configured.
    #[error("cannot open store at {path}")]
    Open {
        /// Database file.
        path: PathBuf,
        /// Underlying SQLite error.
        source: rusqlite::Error,
    },
    /// WAL journal mode could not be enabled (e.g. on a network file system).
    #[error("store at {path}: cannot enable WAL journal mode (got {mode:?})")]
    NoWal {
        /// Database file.
        path: PathBuf,
        /// Journal mode SQLite reported instead.
        mode: String,
    },
    /// The database was written by a newer revdesk.
    #[error(
        "store at {path} has schema version {found}, newer than this revdesk ({supported}); \
         upgrade revdesk"
    )]
    SchemaTooNew {
        /// Database file.
        path: PathBuf,
        /// Version found in the file.
        found: u32,
        /// Newest version this code knows.
        supported: u32,
    },
    /// A migration step failed; the database stays at the previous version.
    #[error("store at {path}: migration to schema version {version} failed")]
    Migration {
        /// Database file.
        path: PathBuf,
        /// Version the failed step would have reached.
        version: u32,
        /// Underlying SQLite error.
        source: rusqlite::Error,
    },
    /// Another process held the write lock for longer than [`BUSY_TIMEOUT`].
    #[error("store at {path} is busy (another revdesk is writing); {op} gave up after 5 s")]
    Busy {
        /// Database file.
        path: PathBuf,
        /// Operation that gave up.
        op: &'static str,
    },
    /// Any other database error.
    #[error("store at {path}: {op} failed: {source}")]
    Db {
        /// Database file.
        path: PathBuf,
        /// Operation that failed.
        op: &'static str,
        /// Underlying SQLite error.
        source: rusqlite::Error,
    },
    /// Stored data could not be interpreted.
    #[error("store at {path} contains unreadable data: {detail}")]
    Corrupt {
        /// Database file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
    /// The expert has not been registered with [`Store::ensure_expert`].
    #[error("unknown expert {0:?}")]
    UnknownExpert(String),
    /// The batch has not been registered with [`Store::register_batch`].
    #[error("unknown batch {0:?}")]
    UnknownBatch(String),
    /// The item is not part of the batch.
    #[error("item {item:?} is not part of batch {batch:?}")]
    UnknownItem {
        /// Batch hash.
        batch: String,
        /// Item id.
        item: String,
    },
    /// A batch hash was registered again with a different item list.
    #[error("batch {hash:?} is already registered with a different item list")]
    BatchMismatch {
        /// Batch hash.
        hash: String,
    },
    /// An item id occurs twice in a batch.
    #[error("item {item:?} occurs more than once in batch {hash:?}")]
    DuplicateItem {
        /// Batch hash.
        hash: String,
        /// Repeated item id.
        item: String,
    },
    /// A score that is NaN or infinite.
    #[error("score {value} for {criterion:?} on item {item:?} is not a finite number")]
    InvalidScore {
        /// Item id.
        item: String,
        /// Criterion key.
        criterion: String,
        /// Rejected value.
        value: f64,
    },
    /// [`Source::Undo`] passed to [`Store::apply`]; only [`Store::undo`] may use it.
    #[error("source 'undo' is reserved for Store::undo")]
    UndoSourceReserved,
    /// An expert id that is empty or holds white space or control characters.
    #[error(transparent)]
    InvalidExpertId(#[from] ExpertIdError),
}

/// Internal error: SQLite errors get the store path and operation name attached
/// at the public boundary (see [`Store::wrap`]).
enum Fail {
    Sql(rusqlite::Error),
    Corrupt(String),
    Store(StoreError),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::Sql(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}

/// The new value in history encoding (see [`encode_score`] and friends).
fn encoded(c: &Change) -> Option<String> {
    match c {
        Change::Score { value, .. } => value.map(encode_score),
        Change::Comment { text, .. } => Some(text.clone()),
        Change::Recusal { reason, .. } => reason.clone(),
        Change::Flag { flagged, .. } => Some(encode_flag(*flagged)),
        Change::Confidence { level, .. } => Some(level.as_str().to_owned()),
    }
}

/// Rebuilds a change from a history value (used by undo).
fn decode_change(item: String, field: Field, value: Option<String>) -> Result<Change, String> {
    Ok(match field {
        Field::Score(criterion) => Change::Score {
            item,
            criterion,
            value: value.as_deref().map(decode_score).transpose()?,
        },
        // Comments are never NULL in history; tolerate it as "no comment".
        Field::Comment => Change::Comment {
            item,
            text: value.unwrap_or_default(),
        },
        Field::Recusal => Change::Recusal {
            item,
            reason: value,
        },
        Field::Flag => Change::Flag {
            item,
            flagged: decode_flag(value.as_deref())?,
        },
        Field::Confidence => Change::Confidence {
            item,
            level: value
                .as_deref()
                .ok_or_else(|| "confidence is NULL".to_owned())?
                .parse()?,
        },
    })
}

/// Shortest text that parses back to exactly the same f64.
fn encode_score(v: f64) -> String {
    norm_score(v).to_string()
}

/// SQLite stores -0.0 as integer 0, so normalise it to keep text and REAL in step.
fn norm_score(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v }
}

fn decode_score(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .map_err(|e| format!("bad score value {s:?}: {e}"))
}

fn encode_flag(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

fn decode_flag(s: Option<&str>) -> Result<bool, String> {
    match s {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        other => Err(format!("bad flag value {other:?}")),
    }
}

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

/// What [`Store::undo`] reverted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UndoOutcome {
    /// The transaction that was reverted.
    pub undone_txn: i64,
    /// Source of the reverted transaction.
    pub undone_source: Source,
    /// The new undo transaction.
    pub undo_txn: i64,
    /// Fields the reverted transaction touched, in its order, without repeats.
    pub fields: Vec<FieldRef>,
    /// Number of history rows the undo wrote (0 if everything was already back).
    pub rows_written: usize,
}

/// Handle on one store database. Cheap calls; not `Sync` (one per thread).
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Current time, RFC 3339 UTC with fixed microsecond precision so text order is time order.
fn now() -> String {
    format!("{:.6}", jiff::Timestamp::now())
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, file `dir/revdesk.db`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        // Processes opening a fresh store at once race to switch it to WAL and migrate it; SQLite
        // answers some of those steps with "database is locked" without waiting. An advisory
        // lock held only while opening makes them take turns (writes later wait on SQLite's own
        // busy timeout, under BEGIN IMMEDIATE).
        let lock_path = dir.join(LOCK_FILE_NAME);
        let lock_err = |source| StoreError::Lock {
            path: lock_path.clone(),
            source,
        };
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(lock_err)?;
        lock.lock().map_err(lock_err)?;
        let path = dir.join(DB_FILE_NAME);
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(open_err)?;
        // Busy timeout first: switching to WAL and migrating may wait on another process.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NoWal { path, mode });
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        conn.set_prepared_statement_cache_capacity(64);
        let store = Store { conn, path };
        store.migrate()?;
        drop(lock);
        Ok(store)
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Brings the schema up to [`SCHEMA_VERSION`], one transaction per step.
    fn migrate(&self) -> Result<(), StoreError> {
        let read_version = |conn: &Connection| -> rusqlite::Result<u32> {
            conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        };
        let found = read_version(&self.conn).map_err(|source| StoreError::Open {
            path: self.path.clone(),
            source,
        })?;
        if found > SCHEMA_VERSION {
            return Err(self.too_new(found));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            let version = i as u32 + 1;
            let mig_err = |source| StoreError::Migration {
                path: self.path.clone(),
                version,
                source,
            };
            let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
                .map_err(mig_err)?;
            // Re-read under the write lock: another process may have migrated meanwhile.
            let current = read_version(&tx).map_err(mig_err)?;
            if current > SCHEMA_VERSION {
                return Err(self.too_new(current));
            }
            if current >= version {
                continue;
            }
            tx.execute_batch(sql).map_err(mig_err)?;
            tx.pragma_update(None, "user_version", version)
                .map_err(mig_err)?;
            tx.commit().map_err(mig_err)?;
        }
        Ok(())
    }

    fn too_new(&self, found: u32) -> StoreError {
        StoreError::SchemaTooNew {
            path: self.path.clone(),
            found,
            supported: SCHEMA_VERSION,
        }
    }

    /// Attaches path and operation name to internal errors.
    fn wrap<T>(&self, op: &'static str, r: Result<T, Fail>) -> Result<T, StoreError> {
        r.map_err(|f| match f {
            Fail::Store(e) => e,
            Fail::Corrupt(detail) => StoreError::Corrupt {
                path: self.path.clone(),
                detail,
            },
            Fail::Sql(e) if is_busy(&e) => StoreError::Busy {
                path: self.path.clone(),
                op,
            },
            Fail::Sql(source) => StoreError::Db {
                path: self.path.clone(),
                op,
                source,
            },
        })
    }

    fn begin_write(&self) -> rusqlite::Result<Transaction<'_>> {
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
    }

    /// A read transaction, so multi-query reads see one consistent snapshot.
    fn begin_read(&self) -> rusqlite::Result<Transaction<'_>> {
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred)
    }

    // ---- experts -------------------------------------------------------------

    /// Inserts the expert, or updates its display name (`None` keeps the old one).
    pub fn ensure_expert(&self, id: &str, display_name: Option<&str>) -> Result<(), StoreError> {
        check_expert_id(id)?;
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

    // ---- scores --------------------------------------------------------------

    /// Current state of an expert's scores in a batch (two queries, one snapshot).
    pub fn load(&self, expert: &str, batch: &str) -> Result<ExpertScores, StoreError> {
        let r = (|| -> Result<ExpertScores, Fail> {
            let tx = self.begin_read()?;
            let mut out = ExpertScores::default();
            {
                let mut stmt = tx.prepare_cached(
                    "SELECT item, comment, recusal, flagged, confidence, updated_at
                     FROM item_state WHERE expert = ?1 AND batch = ?2",
                )?;
                let mut rows = stmt.query([expert, batch])?;
                while let Some(r) = rows.next()? {
                    let confidence: String = r.get(4)?;
                    let rec = ItemRecord {
                        scores: BTreeMap::new(),
                        comment: r.get(1)?,
                        recusal: r.get(2)?,
                        flagged: r.get(3)?,
                        confidence: confidence.parse().map_err(Fail::Corrupt)?,
                        updated_at: Some(r.get(5)?),
                    };
                    out.items.insert(r.get(0)?, rec);
                }
                let mut stmt = tx.prepare_cached(
                    "SELECT item, criterion, value FROM scores WHERE expert = ?1 AND batch = ?2",
                )?;
                let mut rows = stmt.query([expert, batch])?;
                while let Some(r) = rows.next()? {
                    let item: String = r.get(0)?;
                    // The foreign key guarantees the item_state row exists.
                    out.items
                        .entry(item)
                        .or_default()
                        .scores
                        .insert(r.get(1)?, r.get(2)?);
                }
            }
            tx.commit()?;
            Ok(out)
        })();
        self.wrap("load", r)
    }

    /// Applies `changes` atomically in one transaction; returns the transaction id,
    /// or `None` if every change was a no-op (nothing is written then).
    pub fn apply(
        &self,
        expert: &str,
        batch: &str,
        changes: &[Change],
        source: Source,
    ) -> Result<Option<i64>, StoreError> {
        let r = (|| -> Result<Option<i64>, Fail> {
            if source == Source::Undo {
                return Err(StoreError::UndoSourceReserved.into());
            }
            if changes.is_empty() {
                return Ok(None);
            }
            let tx = self.begin_write()?;
            check_expert_batch(&tx, expert, batch)?;
            let ctx = TxnCtx {
                expert,
                batch,
                source,
                undoes: None,
                at: now(),
            };
            let mut txn = None;
            let written = apply_in(&tx, &ctx, &mut txn, changes)?;
            if written == 0 {
                // Nothing to record; dropping rolls back the (empty) transaction.
                return Ok(None);
            }
            tx.commit()?;
            Ok(txn)
        })();
        self.wrap("apply", r)
    }

    /// Reverts the latest not-yet-undone, non-undo transaction of this expert and
    /// batch by writing its old values as a new `Source::Undo` transaction.
    ///
    /// "Latest" is global across processes: with two sessions open, undo in one
    /// may revert an edit made in the other. The old values are restored
    /// unconditionally, even if a field no longer holds what the undone txn wrote
    /// (last write wins, like any edit; the overwritten value stays in history as
    /// the undo row's old value). If nothing differs, the undo txn is still
    /// recorded so the next call walks further back. Returns `None` when nothing is
    /// left to undo.
    pub fn undo(&self, expert: &str, batch: &str) -> Result<Option<UndoOutcome>, StoreError> {
        let r = (|| -> Result<Option<UndoOutcome>, Fail> {
            let tx = self.begin_write()?;
            let target: Option<(i64, String)> = tx
                .prepare_cached(
                    "SELECT t.id, t.source FROM txns t
                     WHERE t.expert = ?1 AND t.batch = ?2 AND t.undoes IS NULL
                       AND NOT EXISTS (SELECT 1 FROM txns u WHERE u.undoes = t.id)
                     ORDER BY t.id DESC LIMIT 1",
                )?
                .query_row([expert, batch], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((target, target_source)) = target else {
                return Ok(None);
            };
            let undone_source: Source = target_source.parse().map_err(Fail::Corrupt)?;
            let mut rows: Vec<(String, Field, Option<String>)> = Vec::new();
            {
                let mut stmt = tx.prepare_cached(
                    "SELECT item, field, old_value FROM history WHERE txn = ?1 ORDER BY seq",
                )?;
                let mut q = stmt.query([target])?;
                while let Some(r) = q.next()? {
                    let field: String = r.get(1)?;
                    rows.push((r.get(0)?, field.parse().map_err(Fail::Corrupt)?, r.get(2)?));
                }
            }
            let mut fields: Vec<FieldRef> = Vec::new();
            for (item, field, _) in &rows {
                if !fields.iter().any(|f| &f.item == item && &f.field == field) {
                    fields.push(FieldRef {
                        item: item.clone(),
                        field: field.clone(),
                    });
                }
            }
            // Restore in reverse order so a field changed twice ends at its first old value.
            let changes = rows
                .into_iter()
                .rev()
                .map(|(item, field, old)| decode_change(item, field, old))
                .collect::<Result<Vec<_>, String>>()
                .map_err(Fail::Corrupt)?;
            let ctx = TxnCtx {
                expert,
                batch,
                source: Source::Undo,
                undoes: Some(target),
                at: now(),
            };
            // Always record the undo txn, even if nothing changes, so the target
            // counts as undone and the next undo walks further back.
            let mut txn = Some(insert_txn(&tx, &ctx)?);
            let rows_written = apply_in(&tx, &ctx, &mut txn, &changes)?;
            let undo_txn = txn.ok_or_else(|| Fail::Corrupt("undo txn vanished".into()))?;
            tx.commit()?;
            Ok(Some(UndoOutcome {
                undone_txn: target,
                undone_source,
                undo_txn,
                fields,
                rows_written,
            }))
        })();
        self.wrap("undo", r)
    }

    /// Full history of an expert in a batch, oldest first.
    pub fn history(&self, expert: &str, batch: &str) -> Result<Vec<HistoryRow>, StoreError> {
        let r = (|| -> Result<Vec<HistoryRow>, Fail> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT seq, txn, expert, batch, item, field, old_value, new_value, at, source,
                        undoes
                 FROM history WHERE expert = ?1 AND batch = ?2 ORDER BY seq",
            )?;
            let mut rows = stmt.query([expert, batch])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let field: String = r.get(5)?;
                let source: String = r.get(9)?;
                out.push(HistoryRow {
                    seq: r.get(0)?,
                    txn: r.get(1)?,
                    expert: r.get(2)?,
                    batch: r.get(3)?,
                    item: r.get(4)?,
                    field: field.parse().map_err(Fail::Corrupt)?,
                    old_value: r.get(6)?,
                    new_value: r.get(7)?,
                    at: r.get(8)?,
                    source: source.parse().map_err(Fail::Corrupt)?,
                    undoes: r.get(10)?,
                });
            }
            Ok(out)
        })();
        self.wrap("history", r)
    }

    /// Current state recomputed from history alone (a consistency check for `load`).
    pub fn rebuild(&self, expert: &str, batch: &str) -> Result<ExpertScores, StoreError> {
        let r = (|| -> Result<ExpertScores, Fail> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT item, field, new_value, at FROM history
                 WHERE expert = ?1 AND batch = ?2 ORDER BY seq",
            )?;
            let mut rows = stmt.query([expert, batch])?;
            let mut out = ExpertScores::default();
            while let Some(r) = rows.next()? {
                let item: String = r.get(0)?;
                let field: String = r.get(1)?;
                let field: Field = field.parse().map_err(Fail::Corrupt)?;
                let change =
                    decode_change(item.clone(), field, r.get(2)?).map_err(Fail::Corrupt)?;
                let rec = out.items.entry(item).or_default();
                match change {
                    Change::Score {
                        criterion, value, ..
                    } => match value {
                        Some(v) => {
                            rec.scores.insert(criterion, v);
                        }
                        None => {
                            rec.scores.remove(&criterion);
                        }
                    },
                    Change::Comment { text, .. } => rec.comment = text,
                    Change::Recusal { reason, .. } => rec.recusal = reason,
                    Change::Flag { flagged, .. } => rec.flagged = flagged,
                    Change::Confidence { level, .. } => rec.confidence = level,
                }
                rec.updated_at = Some(r.get(3)?);
            }
            Ok(out)
        })();
        self.wrap("rebuild", r)
    }

    /// SQLite's `data_version`: changes when another connection commits, so a UI
    /// can notice a second session's writes without reloading on a timer.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        let r = (|| -> Result<i64, Fail> {
            Ok(self
                .conn
                .query_row("PRAGMA data_version", [], |r| r.get(0))?)
        })();
        self.wrap("data_version", r)
    }

    // ---- meta ----------------------------------------------------------------

    /// Value stored under `key` in the meta table.
    pub fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let r = (|| -> Result<Option<String>, Fail> {
            Ok(self
                .conn
                .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()?)
        })();
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

    // ---- signing keys --------------------------------------------------------

    /// The secret signing key (hex) kept for `expert`, if one was made.
    pub fn expert_key(&self, expert: &str) -> Result<Option<String>, StoreError> {
        let r = (|| -> Result<Option<String>, Fail> {
            Ok(self
                .conn
                .prepare_cached("SELECT secret FROM expert_keys WHERE expert = ?1")?
                .query_row([expert], |r| r.get(0))
                .optional()?)
        })();
        self.wrap("expert_key", r)
    }

    /// The expert's secret signing key (hex), stored first if the expert has none: the store's
    /// unclaimed key from before one key per expert if there is one (see migration 3), else
    /// `fresh`. Racing processes agree on one key.
    pub fn ensure_expert_key(&self, expert: &str, fresh: &str) -> Result<String, StoreError> {
        let r = (|| -> Result<String, Fail> {
            let tx = self.begin_write()?;
            let found: Option<String> = tx
                .prepare_cached("SELECT secret FROM expert_keys WHERE expert = ?1")?
                .query_row([expert], |r| r.get(0))
                .optional()?;
            if let Some(secret) = found {
                return Ok(secret);
            }
            let legacy: Option<String> = tx
                .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
                .query_row([LEGACY_KEY_META], |r| r.get(0))
                .optional()?;
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

/// Per-transaction constants shared by every history row it writes.
struct TxnCtx<'a> {
    expert: &'a str,
    batch: &'a str,
    source: Source,
    undoes: Option<i64>,
    at: String,
}

fn batch_items_in(conn: &Connection, hash: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT item FROM batch_items WHERE batch = ?1 ORDER BY position")?;
    let rows = stmt.query_map([hash], |r| r.get(0))?;
    rows.collect()
}

fn check_expert_batch(conn: &Connection, expert: &str, batch: &str) -> Result<(), Fail> {
    let has_expert = conn
        .prepare_cached("SELECT 1 FROM experts WHERE id = ?1")?
        .exists([expert])?;
    if !has_expert {
        return Err(StoreError::UnknownExpert(expert.to_owned()).into());
    }
    let has_batch = conn
        .prepare_cached("SELECT 1 FROM batches WHERE hash = ?1")?
        .exists([batch])?;
    if !has_batch {
        return Err(StoreError::UnknownBatch(batch.to_owned()).into());
    }
    Ok(())
}

fn insert_txn(conn: &Connection, ctx: &TxnCtx<'_>) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO txns (expert, batch, source, undoes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
    )?
    .query_row(
        params![
            ctx.expert,
            ctx.batch,
            ctx.source.as_str(),
            ctx.undoes,
            ctx.at
        ],
        |r| r.get(0),
    )
}

/// Current value of one field in history encoding; defaults if the item is untouched.
fn read_field(
    conn: &Connection,
    ctx: &TxnCtx<'_>,
    item: &str,
    field: &Field,
) -> Result<Option<String>, Fail> {
    if let Field::Score(criterion) = field {
        let v: Option<f64> = conn
            .prepare_cached(
                "SELECT value FROM scores
                 WHERE expert = ?1 AND batch = ?2 AND item = ?3 AND criterion = ?4",
            )?
            .query_row(params![ctx.expert, ctx.batch, item, criterion], |r| {
                r.get(0)
            })
            .optional()?;
        return Ok(v.map(encode_score));
    }
    let row: Option<(String, Option<String>, bool, String)> = conn
        .prepare_cached(
            "SELECT comment, recusal, flagged, confidence FROM item_state
             WHERE expert = ?1 AND batch = ?2 AND item = ?3",
        )?
        .query_row(params![ctx.expert, ctx.batch, item], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let (comment, recusal, flagged, confidence) = row.unwrap_or_else(|| {
        (
            String::new(),
            None,
            false,
            Confidence::default().as_str().to_owned(),
        )
    });
    Ok(match field {
        Field::Comment => Some(comment),
        Field::Recusal => recusal,
        Field::Flag => Some(encode_flag(flagged)),
        Field::Confidence => Some(confidence),
        Field::Score(_) => None, // handled above
    })
}

/// Applies changes inside an open write transaction; creates the txn row lazily on
/// the first real change. Returns the number of history rows written.
fn apply_in(
    tx: &Connection,
    ctx: &TxnCtx<'_>,
    txn: &mut Option<i64>,
    changes: &[Change],
) -> Result<usize, Fail> {
    let mut written = 0;
    for change in changes {
        let item = change.item();
        if let Change::Score {
            criterion,
            value: Some(v),
            ..
        } = change
            && !v.is_finite()
        {
            return Err(StoreError::InvalidScore {
                item: item.to_owned(),
                criterion: criterion.clone(),
                value: *v,
            }
            .into());
        }
        let in_batch = tx
            .prepare_cached("SELECT 1 FROM batch_items WHERE batch = ?1 AND item = ?2")?
            .exists([ctx.batch, item])?;
        if !in_batch {
            return Err(StoreError::UnknownItem {
                batch: ctx.batch.to_owned(),
                item: item.to_owned(),
            }
            .into());
        }
        let field = change.field();
        let old = read_field(tx, ctx, item, &field)?;
        let new = encoded(change);
        if old == new {
            continue;
        }
        let txn_id = match *txn {
            Some(id) => id,
            None => {
                let id = insert_txn(tx, ctx)?;
                *txn = Some(id);
                id
            }
        };
        tx.prepare_cached(
            "INSERT INTO item_state (expert, batch, item, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (expert, batch, item) DO UPDATE SET updated_at = excluded.updated_at",
        )?
        .execute(params![ctx.expert, ctx.batch, item, ctx.at])?;
        match change {
            Change::Score {
                criterion,
                value: Some(v),
                ..
            } => {
                tx.prepare_cached(
                    "INSERT INTO scores (expert, batch, item, criterion, value)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (expert, batch, item, criterion)
                     DO UPDATE SET value = excluded.value",
                )?
                .execute(params![
                    ctx.expert,
                    ctx.batch,
                    item,
                    criterion,
                    norm_score(*v)
                ])?;
            }
            Change::Score {
                criterion,
                value: None,
                ..
            } => {
                tx.prepare_cached(
                    "DELETE FROM scores
                     WHERE expert = ?1 AND batch = ?2 AND item = ?3 AND criterion = ?4",
                )?
                .execute(params![ctx.expert, ctx.batch, item, criterion])?;
            }
            Change::Comment { text, .. } => {
                tx.prepare_cached(
                    "UPDATE item_state SET comment = ?4
                     WHERE expert = ?1 AND batch = ?2 AND item = ?3",
                )?
                .execute(params![ctx.expert, ctx.batch, item, text])?;
            }
            Change::Recusal { reason, .. } => {
                tx.prepare_cached(
                    "UPDATE item_state SET recusal = ?4
                     WHERE expert = ?1 AND batch = ?2 AND item = ?3",
                )?
                .execute(params![ctx.expert, ctx.batch, item, reason])?;
            }
            Change::Flag { flagged, .. } => {
                tx.prepare_cached(
                    "UPDATE item_state SET flagged = ?4
                     WHERE expert = ?1 AND batch = ?2 AND item = ?3",
                )?
                .execute(params![ctx.expert, ctx.batch, item, flagged])?;
            }
            Change::Confidence { level, .. } => {
                tx.prepare_cached(
                    "UPDATE item_state SET confidence = ?4
                     WHERE expert = ?1 AND batch = ?2 AND item = ?3",
                )?
                .execute(params![ctx.expert, ctx.batch, item, level.as_str()])?;
            }
        }
        tx.prepare_cached(
            "INSERT INTO history
                 (txn, expert, batch, item, field, old_value, new_value, at, source, undoes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            txn_id,
            ctx.expert,
            ctx.batch,
            item,
            field.to_string(),
            old,
            new,
            ctx.at,
            ctx.source.as_str(),
            ctx.undoes
        ])?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};
    use std::process::{Command, Stdio};
    use std::str::FromStr;

    const EXPERT: &str = "e1";
    const BATCH: &str = "batch-hash-1";
    const ITEMS: usize = 8;

    fn item_ids() -> Vec<String> {
        (0..ITEMS).map(|i| format!("i{i}")).collect()
    }

    fn setup_in(dir: &Path) -> Store {
        let store = Store::open(dir).unwrap();
        store.ensure_expert(EXPERT, Some("Expert One")).unwrap();
        store
            .register_batch(BATCH, "Batch 1", "AI", &item_ids())
            .unwrap();
        store
    }

    fn setup() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = setup_in(dir.path());
        (dir, store)
    }

    fn strip_times(mut s: ExpertScores) -> ExpertScores {
        for rec in s.items.values_mut() {
            rec.updated_at = None;
        }
        s
    }

    /// Every history row's old value must equal the previous row's new value for
    /// the same (item, field): proof that no write was lost or read a stale value.
    fn assert_history_chain(rows: &[HistoryRow]) {
        let mut last: HashMap<(String, Field), Option<String>> = HashMap::new();
        let mut prev_seq = 0;
        for row in rows {
            assert!(row.seq > prev_seq, "seq not increasing");
            prev_seq = row.seq;
            let key = (row.item.clone(), row.field.clone());
            let expected_old = last.get(&key).cloned().unwrap_or_else(|| match &row.field {
                Field::Score(_) | Field::Recusal => None,
                Field::Comment => Some(String::new()),
                Field::Flag => Some("false".into()),
                Field::Confidence => Some("normal".into()),
            });
            assert_eq!(row.old_value, expected_old, "broken chain at {row:?}");
            assert_ne!(row.old_value, row.new_value, "no-op recorded: {row:?}");
            last.insert(key, row.new_value.clone());
        }
    }

    fn assert_consistent(store: &Store) {
        let loaded = store.load(EXPERT, BATCH).unwrap();
        let rebuilt = store.rebuild(EXPERT, BATCH).unwrap();
        assert_eq!(rebuilt, loaded, "rebuild != load");
        assert_history_chain(&store.history(EXPERT, BATCH).unwrap());
    }

    fn raw(dir: &Path) -> Connection {
        Connection::open(dir.join(DB_FILE_NAME)).unwrap()
    }

    // ---- opening -----------------------------------------------------------

    #[test]
    fn open_creates_dir_and_sets_pragmas() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("nested/store");
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.path(), dir.join(DB_FILE_NAME));
        assert!(dir.join(DB_FILE_NAME).is_file());
        let sync: i64 = store
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous should be FULL");
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let timeout: i64 = store
            .conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!(timeout, 5000);
        drop(store);

        // WAL is persistent: a plain connection to the file must see it.
        let conn = raw(&dir);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn reopen_keeps_data_and_is_idempotent() {
        let (dir, store) = setup();
        store
            .apply(
                EXPERT,
                BATCH,
                &[Change::score("i1", "feasibility", Some(7.5))],
                Source::Keyboard,
            )
            .unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        let s = store.load(EXPERT, BATCH).unwrap();
        assert_eq!(s.items["i1"].scores["feasibility"], 7.5);
        assert_eq!(store.batches().unwrap().len(), 1);
    }

    #[test]
    fn schema_too_new_is_a_clear_error() {
        let (dir, store) = setup();
        drop(store);
        raw(dir.path())
            .pragma_update(None, "user_version", SCHEMA_VERSION + 6)
            .unwrap();
        let err = Store::open(dir.path()).unwrap_err();
        assert!(
            matches!(err, StoreError::SchemaTooNew { found, .. } if found == SCHEMA_VERSION + 6)
        );
        let msg = err.to_string();
        assert!(
            msg.contains(&dir.path().join(DB_FILE_NAME).display().to_string()),
            "{msg}"
        );
        assert!(
            msg.contains(&format!(
                "schema version {}, newer than this revdesk ({SCHEMA_VERSION})",
                SCHEMA_VERSION + 6
            )),
            "{msg}"
        );
    }

    #[test]
    fn open_errors_name_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("not-a-dir");
        std::fs::write(&file, "x").unwrap();
        let err = Store::open(&file).unwrap_err();
        assert!(matches!(err, StoreError::CreateDir { .. }));
        assert!(err.to_string().contains("not-a-dir"), "{err}");

        // The database path is a directory: SQLite cannot open it.
        let dir = tmp.path().join("s");
        std::fs::create_dir_all(dir.join(DB_FILE_NAME)).unwrap();
        let err = Store::open(&dir).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("cannot open store at "), "{msg}");
        assert!(
            msg.contains(&dir.join(DB_FILE_NAME).display().to_string()),
            "{msg}"
        );
    }

    #[test]
    fn concurrent_open_of_fresh_store_migrates_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("fresh");
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| Store::open(&dir).map(|_| ())))
                .collect();
            for h in handles {
                h.join().unwrap().unwrap();
            }
        });
        let version: u32 = raw(&dir)
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    // ---- experts, batches, meta ---------------------------------------------

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

    /// A store at schema version 2 (one key per store) holding `experts`, the store key, and
    /// sheet sequences for `signed`.
    fn v2_store(experts: &[&str], signed: &[&str], key: Option<&str>) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let conn = raw(tmp.path());
        for (i, sql) in MIGRATIONS[..2].iter().enumerate() {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", i as u32 + 1)
                .unwrap();
        }
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

    #[test]
    fn migration_gives_the_store_key_to_the_experts_who_signed_with_it() {
        let tmp = v2_store(&["e1", "e2", "e:3"], &["e1", "e:3"], Some("OLD"));
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.expert_key("e1").unwrap().as_deref(), Some("OLD"));
        assert_eq!(store.expert_key("e:3").unwrap().as_deref(), Some("OLD"));
        assert_eq!(store.expert_key("e2").unwrap(), None);
        assert_eq!(store.meta_get("signing_key").unwrap(), None, "claimed");
        // e2 signed nothing: a key of their own.
        assert_eq!(store.ensure_expert_key("e2", "NEW2").unwrap(), "NEW2");
        assert_eq!(store.ensure_expert_key("e2", "OTHER").unwrap(), "NEW2");
        assert_eq!(store.experts_sharing_key("e1").unwrap(), ["e:3"]);
        assert!(store.experts_sharing_key("e2").unwrap().is_empty());
    }

    #[test]
    fn migration_gives_the_store_key_to_its_only_expert() {
        let tmp = v2_store(&["solo"], &[], Some("OLD"));
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.expert_key("solo").unwrap().as_deref(), Some("OLD"));
        assert_eq!(store.ensure_expert_key("other", "NEW").unwrap(), "NEW");
    }

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

    // ---- apply ---------------------------------------------------------------

    #[test]
    fn apply_records_every_field_and_skips_noops() {
        let (_dir, store) = setup();
        let changes = vec![
            Change::score("i0", "feasibility", Some(8.0)),
            Change::score("i0", "novelty", Some(0.1 + 0.2)),
            Change::comment("i0", "line one\nline two"),
            Change::recusal("i1", Some("co-author".into())),
            Change::flag("i2", true),
            Change::confidence("i2", Confidence::High),
            // Setting defaults on an untouched item is a no-op.
            Change::confidence("i3", Confidence::Normal),
            Change::score("i3", "feasibility", None),
        ];
        let txn = store
            .apply(EXPERT, BATCH, &changes, Source::Keyboard)
            .unwrap()
            .unwrap();
        let s = store.load(EXPERT, BATCH).unwrap();
        assert_eq!(s.items.keys().collect::<Vec<_>>(), vec!["i0", "i1", "i2"]);
        let i0 = &s.items["i0"];
        assert_eq!(i0.scores["feasibility"], 8.0);
        assert_eq!(i0.scores["novelty"], 0.1 + 0.2, "f64 stored exactly");
        assert_eq!(i0.comment, "line one\nline two");
        assert_eq!(i0.confidence, Confidence::Normal);
        assert!(i0.updated_at.is_some());
        assert_eq!(s.items["i1"].recusal.as_deref(), Some("co-author"));
        assert!(s.items["i2"].flagged);
        assert_eq!(s.items["i2"].confidence, Confidence::High);

        let h = store.history(EXPERT, BATCH).unwrap();
        assert_eq!(h.len(), 6);
        assert!(
            h.iter()
                .all(|r| r.txn == txn && r.source == Source::Keyboard && r.undoes.is_none())
        );
        let names: Vec<String> = h.iter().map(|r| r.field.to_string()).collect();
        assert_eq!(
            names,
            [
                "score:feasibility",
                "score:novelty",
                "comment",
                "recusal",
                "flag",
                "confidence"
            ]
        );
        assert_eq!(h[0].old_value, None);
        assert_eq!(h[0].new_value.as_deref(), Some("8"));
        assert_eq!(h[3].old_value, None);
        assert_eq!(h[4].old_value.as_deref(), Some("false"));
        assert!(
            jiff::Timestamp::from_str(&h[0].at).is_ok(),
            "RFC 3339: {}",
            h[0].at
        );
        assert!(h[0].at.ends_with('Z'));

        // Re-applying the same values changes nothing and makes no transaction.
        assert_eq!(
            store.apply(EXPERT, BATCH, &changes, Source::Paper).unwrap(),
            None
        );
        assert_eq!(
            store.apply(EXPERT, BATCH, &[], Source::Paper).unwrap(),
            None
        );
        assert_eq!(store.history(EXPERT, BATCH).unwrap().len(), 6);

        // Clear a score, withdraw recusal, recuse with empty reason.
        let t2 = store
            .apply(
                EXPERT,
                BATCH,
                &[
                    Change::score("i0", "feasibility", None),
                    Change::recusal("i1", None),
                    Change::recusal("i2", Some(String::new())),
                ],
                Source::Import,
            )
            .unwrap()
            .unwrap();
        assert!(t2 > txn);
        let s = store.load(EXPERT, BATCH).unwrap();
        assert!(!s.items["i0"].scores.contains_key("feasibility"));
        assert_eq!(s.items["i1"].recusal, None);
        assert_eq!(s.items["i2"].recusal.as_deref(), Some(""));
        let h = store.history(EXPERT, BATCH).unwrap();
        assert_eq!(h[6].new_value, None);
        assert_eq!(h[6].source, Source::Import);
        assert_consistent(&store);

        // Serializable for exports.
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<ExpertScores>(&json).unwrap(), s);
    }

    #[test]
    fn apply_is_all_or_nothing_and_validates() {
        let (_dir, store) = setup();
        let err = store
            .apply(
                EXPERT,
                BATCH,
                &[Change::comment("i0", "kept?"), Change::flag("nope", true)],
                Source::Keyboard,
            )
            .unwrap_err();
        assert!(
            matches!(err, StoreError::UnknownItem { ref item, .. } if item == "nope"),
            "{err}"
        );
        let err = store
            .apply(
                EXPERT,
                BATCH,
                &[
                    Change::comment("i0", "kept?"),
                    Change::score("i0", "f", Some(f64::NAN)),
                ],
                Source::Keyboard,
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::InvalidScore { .. }), "{err}");
        assert!(store.load(EXPERT, BATCH).unwrap().items.is_empty());
        assert!(store.history(EXPERT, BATCH).unwrap().is_empty());

        let c = [Change::flag("i0", true)];
        let err = store
            .apply("ghost", BATCH, &c, Source::Keyboard)
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownExpert(_)), "{err}");
        let err = store
            .apply(EXPERT, "ghost", &c, Source::Keyboard)
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownBatch(_)), "{err}");
        let err = store.apply(EXPERT, BATCH, &c, Source::Undo).unwrap_err();
        assert!(matches!(err, StoreError::UndoSourceReserved), "{err}");
        // A second txn id was never handed out.
        assert_eq!(
            store.apply(EXPERT, BATCH, &c, Source::Keyboard).unwrap(),
            Some(1)
        );
    }

    #[test]
    fn experts_and_batches_are_separate() {
        let (_dir, store) = setup();
        store.ensure_expert("e2", None).unwrap();
        store.register_batch("b2", "B2", "AI", &item_ids()).unwrap();
        store
            .apply(EXPERT, BATCH, &[Change::flag("i0", true)], Source::Keyboard)
            .unwrap();
        store
            .apply(
                "e2",
                BATCH,
                &[Change::comment("i0", "e2")],
                Source::Keyboard,
            )
            .unwrap();
        store
            .apply(
                EXPERT,
                "b2",
                &[Change::comment("i0", "b2")],
                Source::Keyboard,
            )
            .unwrap();
        let s = store.load(EXPERT, BATCH).unwrap();
        assert!(s.items["i0"].flagged);
        assert_eq!(s.items["i0"].comment, "");
        assert_eq!(store.load("e2", BATCH).unwrap().items["i0"].comment, "e2");
        assert_eq!(store.load(EXPERT, "b2").unwrap().items["i0"].comment, "b2");
        assert_eq!(store.history(EXPERT, BATCH).unwrap().len(), 1);
        // Undo is per expert+batch.
        let u = store.undo("e2", BATCH).unwrap().unwrap();
        assert_eq!(
            u.fields,
            vec![FieldRef {
                item: "i0".into(),
                field: Field::Comment
            }]
        );
        assert_eq!(store.undo("e2", BATCH).unwrap(), None);
        assert!(store.load(EXPERT, BATCH).unwrap().items["i0"].flagged);
    }

    #[test]
    fn history_is_append_only() {
        let (dir, store) = setup();
        store
            .apply(EXPERT, BATCH, &[Change::flag("i0", true)], Source::Keyboard)
            .unwrap();
        let conn = raw(dir.path());
        let e = conn
            .execute("UPDATE history SET new_value = 'x'", [])
            .unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
        let e = conn.execute("DELETE FROM history", []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
        assert!(conn.execute("DELETE FROM txns", []).is_err());
        assert_eq!(store.history(EXPERT, BATCH).unwrap().len(), 1);
    }

    // ---- undo ----------------------------------------------------------------

    #[test]
    fn undo_walks_back_and_stops() {
        let (_dir, store) = setup();
        let t1 = store
            .apply(
                EXPERT,
                BATCH,
                &[
                    Change::score("i0", "f", Some(1.0)),
                    Change::comment("i0", "a"),
                ],
                Source::Keyboard,
            )
            .unwrap()
            .unwrap();
        // Same field twice in one txn: undo must go back to the first old value.
        let t2 = store
            .apply(
                EXPERT,
                BATCH,
                &[
                    Change::score("i0", "f", Some(2.0)),
                    Change::score("i0", "f", Some(3.0)),
                    Change::flag("i4", true),
                ],
                Source::Paper,
            )
            .unwrap()
            .unwrap();

        let u = store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!(u.undone_txn, t2);
        assert_eq!(u.undone_source, Source::Paper);
        assert_eq!(u.rows_written, 3);
        assert_eq!(
            u.fields,
            vec![
                FieldRef {
                    item: "i0".into(),
                    field: Field::Score("f".into())
                },
                FieldRef {
                    item: "i4".into(),
                    field: Field::Flag
                },
            ]
        );
        let s = store.load(EXPERT, BATCH).unwrap();
        assert_eq!(s.items["i0"].scores["f"], 1.0);
        assert!(!s.items["i4"].flagged);
        let h = store.history(EXPERT, BATCH).unwrap();
        let undo_rows: Vec<_> = h.iter().filter(|r| r.source == Source::Undo).collect();
        assert_eq!(undo_rows.len(), 3);
        assert!(
            undo_rows
                .iter()
                .all(|r| r.undoes == Some(t2) && r.txn == u.undo_txn)
        );

        let u = store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!(u.undone_txn, t1);
        let s = store.load(EXPERT, BATCH).unwrap();
        // Items stay present (they were touched) but are back to defaults.
        assert!(s.items["i0"].scores.is_empty());
        assert_eq!(s.items["i0"].comment, "");
        assert_eq!(store.undo(EXPERT, BATCH).unwrap(), None);
        assert_eq!(store.undo(EXPERT, BATCH).unwrap(), None);

        // New edits after undos are undoable again.
        let t3 = store
            .apply(
                EXPERT,
                BATCH,
                &[Change::comment("i1", "z")],
                Source::Keyboard,
            )
            .unwrap()
            .unwrap();
        assert_eq!(store.undo(EXPERT, BATCH).unwrap().unwrap().undone_txn, t3);
        assert_consistent(&store);
    }

    #[test]
    fn undo_takes_newest_txn_across_handles() {
        let (dir, store) = setup();
        let other = Store::open(dir.path()).unwrap();
        store
            .apply(
                EXPERT,
                BATCH,
                &[Change::comment("i0", "first")],
                Source::Keyboard,
            )
            .unwrap();
        let t2 = store
            .apply(
                EXPERT,
                BATCH,
                &[Change::comment("i0", "second")],
                Source::Keyboard,
            )
            .unwrap()
            .unwrap();
        let t3 = other
            .apply(EXPERT, BATCH, &[Change::flag("i0", true)], Source::Paper)
            .unwrap()
            .unwrap();
        // Undo reverts the newest txn of the expert+batch, whichever process wrote it.
        let u = store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!((u.undone_txn, u.undone_source), (t3, Source::Paper));
        assert_eq!(other.undo(EXPERT, BATCH).unwrap().unwrap().undone_txn, t2);
        let s = store.load(EXPERT, BATCH).unwrap();
        assert_eq!(s.items["i0"].comment, "first");
        assert!(!s.items["i0"].flagged);
        assert_consistent(&store);
    }

    #[test]
    fn undo_restores_old_values_even_if_current_differs() {
        // Through the API the fields an undo restores always hold what the undone
        // txn wrote (undo takes the newest txn), so simulate an out-of-band edit
        // with raw SQL to reach the "changed since" paths.
        let (dir, store) = setup();
        let t1 = store
            .apply(
                EXPERT,
                BATCH,
                &[Change::comment("i0", "a")],
                Source::Keyboard,
            )
            .unwrap()
            .unwrap();
        let t2 = store
            .apply(EXPERT, BATCH, &[Change::flag("i1", true)], Source::Keyboard)
            .unwrap()
            .unwrap();
        let conn = raw(dir.path());
        conn.execute("UPDATE item_state SET comment = 'z' WHERE item = 'i0'", [])
            .unwrap();
        conn.execute("UPDATE item_state SET flagged = 0 WHERE item = 'i1'", [])
            .unwrap();

        // Already back at the old value: nothing written, but t2 counts as undone.
        let u = store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!((u.undone_txn, u.rows_written), (t2, 0));
        // Changed since: the old value is restored anyway and history keeps 'z'.
        let u = store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!((u.undone_txn, u.rows_written), (t1, 1));
        assert_eq!(store.load(EXPERT, BATCH).unwrap().items["i0"].comment, "");
        let last = store.history(EXPERT, BATCH).unwrap().pop().unwrap();
        assert_eq!(last.old_value.as_deref(), Some("z"));
        assert_eq!(last.new_value.as_deref(), Some(""));
        assert_eq!(store.undo(EXPERT, BATCH).unwrap(), None);
    }

    // ---- randomized model check ----------------------------------------------

    /// Tiny deterministic PRNG so the test needs no extra crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn random_change(rng: &mut Rng) -> Change {
        let item = format!("i{}", rng.below(5));
        match rng.below(5) {
            0 => {
                let crit = ["feasibility", "novelty", "impact"][rng.below(3)];
                let v = [
                    None,
                    Some(1.0),
                    Some(2.5),
                    Some(0.1 + 0.2),
                    Some(-0.0),
                    Some(10.0),
                ][rng.below(6)];
                Change::score(item, crit, v)
            }
            1 => Change::comment(
                item,
                ["", "ok", "multi\nline ✓", "'quoted' \"x\""][rng.below(4)],
            ),
            2 => Change::recusal(
                item,
                [None, Some(String::new()), Some("conflict".into())][rng.below(3)].clone(),
            ),
            3 => Change::flag(item, rng.below(2) == 0),
            _ => Change::confidence(
                item,
                [Confidence::Low, Confidence::Normal, Confidence::High][rng.below(3)],
            ),
        }
    }

    fn model_get(m: &ExpertScores, item: &str, field: &Field) -> Option<String> {
        let def = ItemRecord::default();
        let rec = m.items.get(item).unwrap_or(&def);
        match field {
            Field::Score(c) => rec.scores.get(c).copied().map(encode_score),
            Field::Comment => Some(rec.comment.clone()),
            Field::Recusal => rec.recusal.clone(),
            Field::Flag => Some(encode_flag(rec.flagged)),
            Field::Confidence => Some(rec.confidence.as_str().to_owned()),
        }
    }

    /// (item, field, old value) of each real change of one transaction.
    type Done = Vec<(String, Field, Option<String>)>;

    /// Applies to the model; returns the (item, field, old) of real changes.
    fn model_apply(m: &mut ExpertScores, changes: &[Change]) -> Done {
        let mut done = Vec::new();
        for c in changes {
            let field = c.field();
            let old = model_get(m, c.item(), &field);
            if old == encoded(c) {
                continue;
            }
            let rec = m.items.entry(c.item().to_owned()).or_default();
            match c.clone() {
                Change::Score {
                    criterion,
                    value: Some(v),
                    ..
                } => {
                    rec.scores.insert(criterion, v);
                }
                Change::Score {
                    criterion,
                    value: None,
                    ..
                } => {
                    rec.scores.remove(&criterion);
                }
                Change::Comment { text, .. } => rec.comment = text,
                Change::Recusal { reason, .. } => rec.recusal = reason,
                Change::Flag { flagged, .. } => rec.flagged = flagged,
                Change::Confidence { level, .. } => rec.confidence = level,
            }
            done.push((c.item().to_owned(), field, old));
        }
        done
    }

    #[test]
    fn random_changes_and_undos_match_model_and_rebuild() {
        let (_dir, store) = setup();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut model = ExpertScores::default();
        let mut stack: Vec<(i64, Done)> = Vec::new();
        let mut rows = 0usize;
        let (mut applies, mut noops, mut undos) = (0, 0, 0);
        for step in 0..500 {
            if rng.below(4) == 0 {
                let got = store.undo(EXPERT, BATCH).unwrap();
                match stack.pop() {
                    None => assert_eq!(got, None, "step {step}"),
                    Some((txn, done)) => {
                        let got = got.unwrap();
                        assert_eq!(got.undone_txn, txn, "step {step}");
                        let back: Vec<Change> = done
                            .into_iter()
                            .rev()
                            .map(|(i, f, old)| decode_change(i, f, old).unwrap())
                            .collect();
                        let n = model_apply(&mut model, &back).len();
                        assert_eq!(got.rows_written, n, "step {step}");
                        rows += n;
                        undos += 1;
                    }
                }
            } else {
                let changes: Vec<Change> = (0..1 + rng.below(4))
                    .map(|_| random_change(&mut rng))
                    .collect();
                let src = [Source::Keyboard, Source::Paper, Source::Import][rng.below(3)];
                let txn = store.apply(EXPERT, BATCH, &changes, src).unwrap();
                let done = model_apply(&mut model, &changes);
                assert_eq!(txn.is_some(), !done.is_empty(), "step {step}");
                rows += done.len();
                match txn {
                    Some(t) => {
                        applies += 1;
                        stack.push((t, done));
                    }
                    None => noops += 1,
                }
            }
            if step % 50 == 0 {
                assert_eq!(
                    strip_times(store.load(EXPERT, BATCH).unwrap()),
                    model,
                    "step {step}"
                );
            }
        }
        assert!(
            applies > 100 && noops > 5 && undos > 50,
            "{applies} {noops} {undos}"
        );
        assert_eq!(strip_times(store.load(EXPERT, BATCH).unwrap()), model);
        assert_eq!(store.history(EXPERT, BATCH).unwrap().len(), rows);
        assert_consistent(&store);
    }

    // ---- concurrency ---------------------------------------------------------

    /// The single change writer `child` makes at step `i`: a score on its own
    /// criterion, a score on a shared criterion, or the shared comment.
    /// Values are unique per (child, i), so no write is ever a no-op.
    fn writer_change(child: usize, i: usize) -> Change {
        let item = format!("i{}", i % ITEMS);
        match i % 3 {
            0 => Change::score(item, format!("own{child}"), Some(i as f64)),
            1 => Change::score(item, "shared", Some((child * 100_000 + i) as f64)),
            _ => Change::comment(item, format!("child {child}\nwrite {i}")),
        }
    }

    fn run_writer(store: &Store, child: usize, n: usize) {
        for i in 0..n {
            let t = store
                .apply(EXPERT, BATCH, &[writer_change(child, i)], Source::Keyboard)
                .unwrap();
            assert!(t.is_some(), "writer {child} step {i} was a no-op");
            // SQLite's lock is unfair (waiters poll with growing sleeps), so an
            // unpaced loop just runs to completion before the others wake up.
            // A short pause, like a typing expert's, lets the writers interleave.
            if i % 4 == 3 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    /// Which writer made a history row (inverse of `writer_change`).
    fn writer_of(row: &HistoryRow) -> usize {
        let new = row.new_value.as_deref().unwrap_or_default();
        match &row.field {
            Field::Score(c) if c.starts_with("own") => c["own".len()..].parse().unwrap(),
            Field::Score(_) => new.parse::<f64>().unwrap() as usize / 100_000,
            _ => new["child ".len()..new.find('\n').unwrap()]
                .parse()
                .unwrap(),
        }
    }

    /// How often the writers' transactions alternate in the history: writers running
    /// strictly one after another switch `writers - 1` times; more means they interleaved.
    fn switches(store: &Store) -> usize {
        let h = store.history(EXPERT, BATCH).unwrap();
        let who: Vec<usize> = h.iter().map(writer_of).collect();
        who.windows(2).filter(|w| w[0] != w[1]).count()
    }

    /// Checks that every write of `writers` writers × `n` steps is in the store.
    fn check_writers(store: &Store, writers: usize, n: usize) {
        let h = store.history(EXPERT, BATCH).unwrap();
        assert_eq!(h.len(), writers * n, "history row count");
        let txns: BTreeSet<i64> = h.iter().map(|r| r.txn).collect();
        assert_eq!(txns.len(), writers * n, "one txn per apply");

        let mut expected: Vec<(String, String, Option<String>)> = Vec::new();
        for child in 0..writers {
            for i in 0..n {
                let c = writer_change(child, i);
                expected.push((c.item().to_owned(), c.field().to_string(), encoded(&c)));
            }
        }
        let mut got: Vec<(String, String, Option<String>)> = h
            .iter()
            .map(|r| (r.item.clone(), r.field.to_string(), r.new_value.clone()))
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "every write recorded exactly once");

        let s = store.load(EXPERT, BATCH).unwrap();
        // Own criteria: the writer's last value for each item.
        for child in 0..writers {
            for i in (0..n).rev().filter(|i| i % 3 == 0).take(ITEMS) {
                let item = format!("i{}", i % ITEMS);
                let want = (0..n)
                    .filter(|j| j % 3 == 0 && j % ITEMS == i % ITEMS)
                    .max()
                    .unwrap() as f64;
                assert_eq!(s.items[&item].scores[&format!("own{child}")], want);
            }
        }
        // Shared fields: whichever write came last in history.
        let mut last: HashMap<(String, Field), Option<String>> = HashMap::new();
        for r in &h {
            last.insert((r.item.clone(), r.field.clone()), r.new_value.clone());
        }
        for ((item, field), v) in last {
            assert_eq!(model_get(&s, &item, &field), v, "{item} {field}");
        }
        assert_consistent(store);
    }

    #[test]
    fn two_handles_in_threads() {
        // Whether the threads interleave depends on the scheduler (a loaded CI machine may
        // run them back to back), so retry the scenario until they do; every run must still
        // keep every write.
        let mut overlapped = false;
        for _attempt in 0..5 {
            let (dir, store) = setup();
            let n = 150;
            std::thread::scope(|s| {
                for child in 0..2 {
                    let dir = dir.path();
                    s.spawn(move || run_writer(&Store::open(dir).unwrap(), child, n));
                }
                // Meanwhile the main handle keeps reading consistent snapshots.
                for _ in 0..20 {
                    let l = store.load(EXPERT, BATCH).unwrap();
                    for rec in l.items.values() {
                        assert!(rec.updated_at.is_some());
                    }
                }
            });
            check_writers(&store, 2, n);
            if switches(&store) >= 2 {
                overlapped = true;
                break;
            }
        }
        assert!(overlapped, "the writers never overlapped in 5 runs");
    }

    #[test]
    fn racing_undos_undo_each_txn_once() {
        let (dir, store) = setup();
        let n = 60;
        for i in 0..n {
            store
                .apply(EXPERT, BATCH, &[writer_change(0, i)], Source::Keyboard)
                .unwrap()
                .unwrap();
        }
        let undone: Vec<i64> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        let st = Store::open(dir.path()).unwrap();
                        let mut v = Vec::new();
                        while let Some(u) = st.undo(EXPERT, BATCH).unwrap() {
                            v.push(u.undone_txn);
                        }
                        v
                    })
                })
                .collect();
            hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        let set: BTreeSet<i64> = undone.iter().copied().collect();
        assert_eq!(undone.len(), n);
        assert_eq!(set.len(), n);
        let s = store.load(EXPERT, BATCH).unwrap();
        assert!(
            s.items
                .values()
                .all(|r| r.scores.is_empty() && r.comment.is_empty())
        );
        assert_eq!(store.history(EXPERT, BATCH).unwrap().len(), 2 * n);
        assert_consistent(&store);
    }

    const ENV_DIR: &str = "REVDESK_STORE_TEST_DIR";
    const ENV_CHILD: &str = "REVDESK_STORE_TEST_CHILD";
    const ENV_STEPS: &str = "REVDESK_STORE_TEST_STEPS";

    /// Child half of `concurrent_processes`; does nothing unless launched by it.
    #[test]
    #[ignore = "run as a child process by concurrent_processes"]
    fn concurrent_process_child() {
        let Ok(dir) = std::env::var(ENV_DIR) else {
            return;
        };
        let child: usize = std::env::var(ENV_CHILD).unwrap().parse().unwrap();
        let n: usize = std::env::var(ENV_STEPS).unwrap().parse().unwrap();
        let dir = PathBuf::from(dir);
        let store = Store::open(&dir).unwrap();
        // Start barrier: announce readiness, then wait for the parent's go file,
        // so the writers really overlap instead of running one after another.
        std::fs::write(dir.join(format!("ready-{child}")), "").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !dir.join("go").exists() {
            assert!(std::time::Instant::now() < deadline, "no go signal");
            std::thread::sleep(Duration::from_millis(1));
        }
        run_writer(&store, child, n);
    }

    #[test]
    fn concurrent_processes() {
        let (dir, store) = setup();
        let (children, n) = (3, 300);
        // module_path!() starts with the crate name; libtest wants the path without it.
        let here = module_path!();
        let test_path = format!(
            "{}::concurrent_process_child",
            here.split_once("::").map_or(here, |(_, rest)| rest)
        );
        let exe = std::env::current_exe().unwrap();
        let procs: Vec<_> = (0..children)
            .map(|child| {
                Command::new(&exe)
                    .args(["--ignored", "--exact", &test_path, "--nocapture"])
                    .env(ENV_DIR, dir.path())
                    .env(ENV_CHILD, child.to_string())
                    .env(ENV_STEPS, n.to_string())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !(0..children).all(|c| dir.path().join(format!("ready-{c}")).exists()) {
            assert!(
                std::time::Instant::now() < deadline,
                "children never got ready"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        std::fs::write(dir.path().join("go"), "").unwrap();
        for p in procs {
            let out = p.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "child failed: {}\n{stdout}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            // Guard against the filter matching nothing (a silent pass).
            assert!(stdout.contains("1 passed"), "child ran no test:\n{stdout}");
        }
        check_writers(&store, children, n);
        // With the start barrier and 900 durable commits the children always interleave.
        let sw = switches(&store);
        assert!(sw >= children, "writers did not overlap ({sw} switches)");
    }
}
