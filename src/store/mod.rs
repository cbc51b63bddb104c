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

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

pub use crate::domain::marks::{
    Change, Confidence, ExpertIdError, ExpertScores, Field, FieldRef, HistoryRow, ItemRecord,
    Source, TooLong, check_expert_id,
};
pub use files::Repaired;
pub use marks::{Applied, UndoOutcome, Written};
pub use registry::{BatchInfo, Expert};
pub use rounds::{Revision, RoundOpening, Selection, Spread};
pub use schema::SCHEMA_VERSION;
pub use server::{InviteOutcome, InviteRow};
pub use trail::{SheetRead, SheetReadRow, TrailChange, TrailFilter};
pub use votes::{BallotRow, Cast, VoteRecord};

mod decisions;
mod drafts;
mod files;
mod keys;
mod marks;
mod registry;
mod rounds;
mod schema;
mod server;
mod trail;
mod votes;

/// File name of the database inside the store directory.
pub const DB_FILE_NAME: &str = "revdesk.db";

/// The file whose lock serialises opening a store.
pub const LOCK_FILE_NAME: &str = "revdesk.db.lock";

/// How long a call waits for another process's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
    /// A store file could not be created or given its mode (owner-only).
    #[error("cannot set up store file {path}")]
    Files {
        /// The file.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A comment draft's file could not be read or written.
    #[error("comment draft file {path}")]
    DraftFile {
        /// The draft file (or the directory of them).
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// An expert's key file could not be read or written.
    #[error("signing key file {path}")]
    KeyFile {
        /// The key file (or the directory of them).
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
    #[error("store at {path}: {op} failed")]
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
    /// A score of a nomination in a discussion round changed without a reason; nothing of the
    /// call is stored.
    #[error("item {item} is in discussion round {round}: a revised score needs a reason")]
    RevisionNeedsReason {
        /// The item.
        item: String,
        /// The round it is in.
        round: u32,
    },
    /// A discussion round that cannot be opened: not the next round, or no nominations.
    #[error(
        "cannot open round {round}: the next round is {next}, and it needs at least one nomination"
    )]
    RoundNotNext {
        /// The round asked for.
        round: u32,
        /// The next round that could be opened.
        next: u32,
    },
    /// A comment or recusal reason over its limit; nothing of the call is stored.
    #[error("item {item}")]
    TextTooLong {
        /// The item.
        item: String,
        /// Which text, how long, the limit.
        source: TooLong,
    },
    /// A display name over its limit.
    #[error("expert {expert}")]
    NameTooLong {
        /// The expert id.
        expert: String,
        /// How long, the limit.
        source: TooLong,
    },
    /// An expert id that is empty or holds white space or control characters.
    #[error(transparent)]
    InvalidExpertId(#[from] ExpertIdError),
}

impl StoreError {
    /// The message in the catalogue (its English is the Display; a cause is a source).
    pub fn msg(&self) -> crate::text::i18n::Msg {
        use crate::text::i18n::{Msg, T};
        let p = |path: &PathBuf| path.display().to_string();
        match self {
            StoreError::CreateDir { path, .. } => {
                Msg::new(T::StoreCreateDir, &[("path", &p(path))])
            }
            StoreError::Files { path, .. } => Msg::new(T::StoreFiles, &[("path", &p(path))]),
            StoreError::DraftFile { path, .. } => {
                Msg::new(T::StoreDraftFile, &[("path", &p(path))])
            }
            StoreError::KeyFile { path, .. } => Msg::new(T::StoreKeyFile, &[("path", &p(path))]),
            StoreError::Lock { path, .. } => Msg::new(T::StoreLock, &[("path", &p(path))]),
            StoreError::Open { path, .. } => Msg::new(T::StoreOpen, &[("path", &p(path))]),
            StoreError::NoWal { path, mode } => Msg::new(
                T::StoreNoWal,
                &[("path", &p(path)), ("mode", &format!("{mode:?}"))],
            ),
            StoreError::SchemaTooNew {
                path,
                found,
                supported,
            } => Msg::new(
                T::StoreSchemaTooNew,
                &[
                    ("path", &p(path)),
                    ("found", &found.to_string()),
                    ("supported", &supported.to_string()),
                ],
            ),
            StoreError::Migration { path, version, .. } => Msg::new(
                T::StoreMigration,
                &[("path", &p(path)), ("version", &version.to_string())],
            ),
            StoreError::Busy { path, op } => {
                Msg::new(T::StoreBusy, &[("path", &p(path)), ("op", op)])
            }
            StoreError::Db { path, op, .. } => {
                Msg::new(T::StoreDb, &[("path", &p(path)), ("op", op)])
            }
            StoreError::Corrupt { path, detail } => {
                Msg::new(T::StoreCorrupt, &[("path", &p(path)), ("detail", detail)])
            }
            StoreError::UnknownExpert(id) => {
                Msg::new(T::StoreUnknownExpert, &[("id", &format!("{id:?}"))])
            }
            StoreError::UnknownBatch(hash) => {
                Msg::new(T::StoreUnknownBatch, &[("hash", &format!("{hash:?}"))])
            }
            StoreError::UnknownItem { batch, item } => Msg::new(
                T::StoreUnknownItem,
                &[
                    ("item", &format!("{item:?}")),
                    ("batch", &format!("{batch:?}")),
                ],
            ),
            StoreError::BatchMismatch { hash } => {
                Msg::new(T::StoreBatchMismatch, &[("hash", &format!("{hash:?}"))])
            }
            StoreError::DuplicateItem { hash, item } => Msg::new(
                T::StoreDuplicateItem,
                &[
                    ("item", &format!("{item:?}")),
                    ("hash", &format!("{hash:?}")),
                ],
            ),
            StoreError::InvalidScore {
                item,
                criterion,
                value,
            } => Msg::new(
                T::StoreInvalidScore,
                &[
                    ("value", &value.to_string()),
                    ("criterion", &format!("{criterion:?}")),
                    ("item", &format!("{item:?}")),
                ],
            ),
            StoreError::UndoSourceReserved => Msg::new(T::StoreUndoReserved, &[]),
            StoreError::RevisionNeedsReason { item, round } => Msg::new(
                T::StoreRevisionNeedsReason,
                &[("item", item), ("round", &round.to_string())],
            ),
            StoreError::RoundNotNext { round, next } => Msg::new(
                T::StoreRoundNotNext,
                &[("round", &round.to_string()), ("next", &next.to_string())],
            ),
            StoreError::TextTooLong { item, .. } => Msg::new(T::StoreItem, &[("item", item)]),
            StoreError::NameTooLong { expert, .. } => {
                Msg::new(T::StoreExpert, &[("expert", expert)])
            }
            StoreError::InvalidExpertId(e) => e.msg(),
        }
    }
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

/// Handle on one store database. Cheap calls; not `Sync` (one per thread).
pub struct Store {
    conn: Connection,
    path: PathBuf,
    repaired: Vec<Repaired>,
    /// This process's turn to write to the database (see [`write_gate`]).
    gate: Arc<Mutex<()>>,
}

/// One lock per database file for every [`Store`] of this process. Sessions in one process
/// (a review server's) queue on it and wake as soon as the writer before them commits;
/// contending for SQLite's write lock instead, a waiter sleeps 1, 2, 5 … 100 ms between tries,
/// which made the tail of keystroke latency on a server with 30 sessions. Other processes
/// still meet SQLite's lock and busy timeout.
fn write_gate(path: &Path) -> Arc<Mutex<()>> {
    static GATES: OnceLock<Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>> = OnceLock::new();
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut gates = GATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    Arc::clone(gates.entry(key).or_default())
}

/// A write transaction holding this process's turn to write; the turn passes on when it
/// commits or rolls back.
struct WriteTxn<'a> {
    // Declared first so it ends before the turn is passed on.
    tx: Transaction<'a>,
    _turn: MutexGuard<'a, ()>,
}

impl<'a> std::ops::Deref for WriteTxn<'a> {
    type Target = Transaction<'a>;
    fn deref(&self) -> &Transaction<'a> {
        &self.tx
    }
}

impl WriteTxn<'_> {
    fn commit(self) -> rusqlite::Result<()> {
        self.tx.commit()
    }
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
    ///
    /// Every store file is owner-only (0600) from the moment it exists, and so are key files;
    /// files an older revdesk left readable by others are repaired (see [`Store::repaired`]).
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        files::create_dir(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let files_err = |path: PathBuf| move |source| StoreError::Files { path, source };
        // Old files first, before SQLite makes new ones with their mode.
        let mut repaired = files::repair(dir).map_err(files_err(dir.to_path_buf()))?;
        for name in [
            LOCK_FILE_NAME,
            DB_FILE_NAME,
            &format!("{DB_FILE_NAME}-wal"),
            &format!("{DB_FILE_NAME}-shm"),
        ] {
            let p = dir.join(name);
            files::precreate(&p).map_err(files_err(p.clone()))?;
        }
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
        let gate = write_gate(&path);
        let mut store = Store {
            conn,
            path,
            repaired: Vec::new(),
            gate,
        };
        store.migrate()?;
        store.move_keys_out()?;
        repaired.extend(files::repair(dir).map_err(files_err(dir.to_path_buf()))?);
        store.repaired = repaired;
        drop(lock);
        Ok(store)
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Store files that others could read when the store was opened, now owner-only: the
    /// front-end tells the user.
    pub fn repaired(&self) -> &[Repaired] {
        &self.repaired
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

    fn begin_write(&self) -> rusqlite::Result<WriteTxn<'_>> {
        // A panic while writing leaves nothing half-done (the transaction rolls back).
        let turn = self.gate.lock().unwrap_or_else(|e| e.into_inner());
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        Ok(WriteTxn { tx, _turn: turn })
    }

    /// A read transaction, so multi-query reads see one consistent snapshot.
    fn begin_read(&self) -> rusqlite::Result<Transaction<'_>> {
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred)
    }
}

#[cfg(test)]
mod test_support;

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    // ---- opening -----------------------------------------------------------

    #[test]
    fn stores_of_one_database_in_one_process_share_one_write_turn() {
        let (dir, a) = setup();
        let b = Store::open(&dir.path().join(".")).unwrap();
        let other = tempfile::tempdir().unwrap();
        let c = Store::open(other.path()).unwrap();
        assert!(Arc::ptr_eq(&a.gate, &b.gate), "one database, one turn");
        assert!(
            !Arc::ptr_eq(&a.gate, &c.gate),
            "another database, its own turn"
        );
        // The turn is held while a write transaction is open, and passed on at its end.
        let tx = a.begin_write().unwrap();
        assert!(b.gate.try_lock().is_err());
        tx.commit().unwrap();
        assert!(b.gate.try_lock().is_ok());
        drop(a.begin_write().unwrap());
        assert!(b.gate.try_lock().is_ok(), "a rollback passes it on too");
    }

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
}
