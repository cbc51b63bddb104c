//! The schema and its versioned migrations.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{Store, StoreError};

/// Schema version this code writes (the number of migration steps).
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Ordered migration steps; step `i` brings `user_version` from `i` to `i + 1`.
/// Never edit a released step: append a new one instead.
pub(super) const MIGRATIONS: &[&str] = &[
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
    // 4: the review server (`revdesk serve`): an append-only audit log; one-time invite codes,
    // kept only as their SHA-256, settled once (used or revoked) and never deleted; the SSH
    // keys experts pinned with them, each key to one expert.
    r#"
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    who         TEXT,
    fingerprint TEXT,
    address     TEXT,
    detail      TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE invites (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    expert     TEXT NOT NULL,
    code_hash  TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_from  TEXT,
    revoked_at TEXT,
    revoked_by INTEGER REFERENCES invites(seq),
    CHECK (used_at IS NULL OR revoked_at IS NULL)
) STRICT;
CREATE INDEX invites_by_expert ON invites(expert, seq);
CREATE TRIGGER invites_settled_once BEFORE UPDATE ON invites
WHEN OLD.used_at IS NOT NULL OR OLD.revoked_at IS NOT NULL
  OR NEW.seq IS NOT OLD.seq OR NEW.expert IS NOT OLD.expert
  OR NEW.code_hash IS NOT OLD.code_hash OR NEW.created_at IS NOT OLD.created_at
  OR NEW.expires_at IS NOT OLD.expires_at
BEGIN SELECT RAISE(ABORT, 'an invite is settled once and otherwise never changes'); END;
CREATE TRIGGER invites_no_delete BEFORE DELETE ON invites
BEGIN SELECT RAISE(ABORT, 'invites are kept'); END;

CREATE TABLE pinned_keys (
    fingerprint TEXT PRIMARY KEY NOT NULL,
    expert      TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    pinned_at   TEXT NOT NULL,
    invite      INTEGER NOT NULL REFERENCES invites(seq)
) STRICT;
CREATE INDEX pinned_keys_by_expert ON pinned_keys(expert, pinned_at);
CREATE TRIGGER pinned_keys_no_update BEFORE UPDATE ON pinned_keys
BEGIN SELECT RAISE(ABORT, 'a pinned key never changes'); END;
"#,
    // 5: what the chair's view read (the audit trail's other half, `revdesk history`): every
    // sheet accepted or refused, with the reason, append-only. A row is written when a sheet is
    // first seen and whenever its number, verdict or reason changes (a live view re-reads often).
    r#"
CREATE TABLE sheet_reads (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    chair    TEXT NOT NULL,
    batch    TEXT NOT NULL,
    sheet    TEXT NOT NULL,
    expert   TEXT,
    sequence INTEGER,
    verdict  TEXT NOT NULL CHECK (verdict IN ('accepted', 'refused')),
    reason   TEXT,
    digest   TEXT,
    CHECK ((verdict = 'refused') = (reason IS NOT NULL))
) STRICT;
CREATE INDEX sheet_reads_by_sheet ON sheet_reads(chair, batch, sheet, seq);
CREATE INDEX sheet_reads_by_expert ON sheet_reads(expert, seq);
CREATE TRIGGER sheet_reads_no_update BEFORE UPDATE ON sheet_reads
BEGIN SELECT RAISE(ABORT, 'sheet reads are append-only'); END;
CREATE TRIGGER sheet_reads_no_delete BEFORE DELETE ON sheet_reads
BEGIN SELECT RAISE(ABORT, 'sheet reads are append-only'); END;
"#,
    // 6: discussion rounds (会评): which round is open for which nominations, when and by whom,
    // with the panel's anonymised round-1 spread the experts see; each revision's reason. All
    // append-only. A change's round is written with it: the latest round its nomination is in
    // (1 otherwise), so round 1 stays readable from history after round 2 opens.
    r#"
CREATE TABLE rounds (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    batch     TEXT NOT NULL,
    round     INTEGER NOT NULL CHECK (round >= 2),
    selection TEXT NOT NULL CHECK (selection IN ('items', 'borderline', 'disputed')),
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    spread    TEXT NOT NULL,
    UNIQUE (batch, round)
) STRICT;
CREATE TABLE round_items (
    batch TEXT NOT NULL,
    round INTEGER NOT NULL,
    item  TEXT NOT NULL,
    PRIMARY KEY (batch, item, round),
    FOREIGN KEY (batch, round) REFERENCES rounds(batch, round)
) STRICT, WITHOUT ROWID;
CREATE TABLE revisions (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    txn    INTEGER NOT NULL REFERENCES txns(id),
    expert TEXT NOT NULL,
    batch  TEXT NOT NULL,
    item   TEXT NOT NULL,
    round  INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    at     TEXT NOT NULL
) STRICT;
CREATE INDEX revisions_by_batch ON revisions(batch, item, seq);
ALTER TABLE history ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sheet_reads ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
CREATE TRIGGER rounds_no_update BEFORE UPDATE ON rounds
BEGIN SELECT RAISE(ABORT, 'rounds are append-only'); END;
CREATE TRIGGER rounds_no_delete BEFORE DELETE ON rounds
BEGIN SELECT RAISE(ABORT, 'rounds are append-only'); END;
CREATE TRIGGER round_items_no_update BEFORE UPDATE ON round_items
BEGIN SELECT RAISE(ABORT, 'round items are append-only'); END;
CREATE TRIGGER round_items_no_delete BEFORE DELETE ON round_items
BEGIN SELECT RAISE(ABORT, 'round items are append-only'); END;
CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
"#,
    // 7: votes (会评, 终审), `revdesk vote`. A vote, its closing and its ballots are never
    // changed or removed. A ballot is the expert's signed JSON, verified at every tally; who
    // chose what is inside that signed text only, never in a column of its own (see README,
    // Votes), and no command prints it.
    r#"
CREATE TABLE votes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    batch      TEXT NOT NULL REFERENCES batches(hash),
    stage      TEXT NOT NULL CHECK (stage IN ('meeting', 'final')),
    items      TEXT NOT NULL,
    panel_size INTEGER NOT NULL CHECK (panel_size > 0),
    opened_at  TEXT NOT NULL,
    opened_by  TEXT NOT NULL
) STRICT;
CREATE TABLE vote_closings (
    vote      INTEGER PRIMARY KEY NOT NULL REFERENCES votes(id),
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL
) STRICT;
CREATE TABLE ballots (
    vote   INTEGER NOT NULL REFERENCES votes(id),
    expert TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('keyboard', 'paper')),
    ballot TEXT NOT NULL,
    PRIMARY KEY (vote, expert)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER votes_no_update BEFORE UPDATE ON votes
BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END;
CREATE TRIGGER votes_no_delete BEFORE DELETE ON votes
BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END;
CREATE TRIGGER vote_closings_no_update BEFORE UPDATE ON vote_closings
BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END;
CREATE TRIGGER vote_closings_no_delete BEFORE DELETE ON vote_closings
BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END;
CREATE TRIGGER ballots_no_update BEFORE UPDATE ON ballots
BEGIN SELECT RAISE(ABORT, 'a cast ballot never changes'); END;
CREATE TRIGGER ballots_no_delete BEFORE DELETE ON ballots
BEGIN SELECT RAISE(ABORT, 'a cast ballot never changes'); END;
"#,
    // 8: fewer pages written per commit (a score's `Enter` wrote 8 to 9 pages of the WAL, now
    // 5). Ids and rows are kept as they are.
    // - `txns` and `history` lose AUTOINCREMENT, so a commit no longer rewrites
    //   `sqlite_sequence`. Same ids: neither table ever loses a row (their triggers refuse
    //   deletes, a rolled-back insert rolls its counter back too), so the counter always equalled
    //   the largest id, and max(id) + 1 is what AUTOINCREMENT would have given. SQLite cannot
    //   drop AUTOINCREMENT in place: both tables are copied with their ids (foreign keys are off
    //   for this step, see `migrate`, and checked at its end).
    // - `txns_by_expert_batch` goes: undo finds its target through `history_by_expert_batch`
    //   (every txn but an undo has history rows, written in the same transaction, in id order).
    // - `scores.at`: when a score was set, so setting one no longer rewrites its nomination's
    //   `item_state.updated_at`; an item's time is the latest of the two (NULL for scores set
    //   before this version, whose time is in `item_state`).
    r#"
CREATE TABLE txns_v8 (
    id         INTEGER PRIMARY KEY,
    expert     TEXT NOT NULL REFERENCES experts(id),
    batch      TEXT NOT NULL REFERENCES batches(hash),
    source     TEXT NOT NULL CHECK (source IN ('keyboard', 'paper', 'import', 'undo')),
    undoes     INTEGER REFERENCES txns(id),
    created_at TEXT NOT NULL,
    CHECK ((source = 'undo') = (undoes IS NOT NULL))
) STRICT;
INSERT INTO txns_v8 (id, expert, batch, source, undoes, created_at)
SELECT id, expert, batch, source, undoes, created_at FROM txns ORDER BY id;
CREATE TABLE history_v8 (
    seq       INTEGER PRIMARY KEY,
    txn       INTEGER NOT NULL REFERENCES txns(id),
    expert    TEXT NOT NULL REFERENCES experts(id),
    batch     TEXT NOT NULL REFERENCES batches(hash),
    item      TEXT NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at        TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('keyboard', 'paper', 'import', 'undo')),
    undoes    INTEGER REFERENCES txns(id),
    round     INTEGER NOT NULL DEFAULT 1
) STRICT;
INSERT INTO history_v8
    (seq, txn, expert, batch, item, field, old_value, new_value, at, source, undoes, round)
SELECT seq, txn, expert, batch, item, field, old_value, new_value, at, source, undoes, round
FROM history ORDER BY seq;
DROP TABLE history;
DROP TABLE txns;
ALTER TABLE txns_v8 RENAME TO txns;
ALTER TABLE history_v8 RENAME TO history;
CREATE UNIQUE INDEX txns_undone_once ON txns(undoes) WHERE undoes IS NOT NULL;
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
ALTER TABLE scores ADD COLUMN at TEXT;
"#,
    // 9: a commit writes one page fewer (4). `history_by_txn` goes: only undo read it, and undo
    // now walks back from the target's newest row through `history_by_expert_batch` (a txn's
    // rows are contiguous in `seq`: each is written in one transaction under the write lock).
    r#"
DROP INDEX history_by_txn;
"#,
    // 10: an ordinary commit writes no `txns` row (3 pages for a score's `Enter`, not 4). Its
    // transaction is its history rows: they are contiguous in `seq` and carry its id, source,
    // time, expert and batch. `txns` keeps every row it had and gets new ones for undos only,
    // which may write no history row and whose `undoes` must stay unique (undone once).
    // A new transaction's id is one more than the largest of the last history row's and the
    // last `txns` row's (ids grow with `seq`), so the ids go on as before.
    // - The foreign keys to `txns(id)` go (`history.txn`, `history.undoes`, `txns.undoes`,
    //   `revisions.txn`): an ordinary transaction has no row there now. SQLite cannot drop a
    //   foreign key in place, so the three tables are copied with their ids, as in step 8.
    // - `history` gets the check `txns` had (an undo's rows, and only those, undo something),
    //   and an undo's rows reference its `txns` row by (id, undoes), so "undone once" still
    //   holds for them. A key with a NULL column is not checked: an ordinary row costs nothing
    //   (a trigger would run a sub-program on every insert); an undo writes one page more.
    // - `history.source` is checked with `=` and OR, not IN: SQLite builds a temporary b-tree
    //   for an IN list of four on every insert.
    // - `revisions` keeps AUTOINCREMENT: its counter is its largest `seq` (append-only, a
    //   rolled-back insert rolls the counter back too), which the copy sets again.
    r#"
CREATE TABLE txns_v10 (
    id         INTEGER PRIMARY KEY,
    expert     TEXT NOT NULL REFERENCES experts(id),
    batch      TEXT NOT NULL REFERENCES batches(hash),
    source     TEXT NOT NULL CHECK (source IN ('keyboard', 'paper', 'import', 'undo')),
    undoes     INTEGER,
    created_at TEXT NOT NULL,
    CHECK ((source = 'undo') = (undoes IS NOT NULL)),
    UNIQUE (id, undoes)
) STRICT;
INSERT INTO txns_v10 (id, expert, batch, source, undoes, created_at)
SELECT id, expert, batch, source, undoes, created_at FROM txns ORDER BY id;
CREATE TABLE history_v10 (
    seq       INTEGER PRIMARY KEY,
    txn       INTEGER NOT NULL,
    expert    TEXT NOT NULL REFERENCES experts(id),
    batch     TEXT NOT NULL REFERENCES batches(hash),
    item      TEXT NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at        TEXT NOT NULL,
    source    TEXT NOT NULL
              CHECK (source = 'keyboard' OR source = 'paper' OR source = 'import'
                     OR source = 'undo'),
    undoes    INTEGER,
    round     INTEGER NOT NULL DEFAULT 1,
    CHECK ((source = 'undo') = (undoes IS NOT NULL)),
    FOREIGN KEY (txn, undoes) REFERENCES txns(id, undoes)
) STRICT;
INSERT INTO history_v10
    (seq, txn, expert, batch, item, field, old_value, new_value, at, source, undoes, round)
SELECT seq, txn, expert, batch, item, field, old_value, new_value, at, source, undoes, round
FROM history ORDER BY seq;
CREATE TABLE revisions_v10 (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    txn    INTEGER NOT NULL,
    expert TEXT NOT NULL,
    batch  TEXT NOT NULL,
    item   TEXT NOT NULL,
    round  INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    at     TEXT NOT NULL
) STRICT;
INSERT INTO revisions_v10 (seq, txn, expert, batch, item, round, reason, at)
SELECT seq, txn, expert, batch, item, round, reason, at FROM revisions ORDER BY seq;
DROP TABLE revisions;
DROP TABLE history;
DROP TABLE txns;
ALTER TABLE txns_v10 RENAME TO txns;
ALTER TABLE history_v10 RENAME TO history;
ALTER TABLE revisions_v10 RENAME TO revisions;
CREATE UNIQUE INDEX txns_undone_once ON txns(undoes) WHERE undoes IS NOT NULL;
CREATE INDEX history_by_expert_batch ON history(expert, batch, seq);
CREATE INDEX revisions_by_batch ON revisions(batch, item, seq);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER txns_no_update BEFORE UPDATE ON txns
BEGIN SELECT RAISE(ABORT, 'txns is append-only'); END;
CREATE TRIGGER txns_no_delete BEFORE DELETE ON txns
BEGIN SELECT RAISE(ABORT, 'txns is append-only'); END;
CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
"#,
];

/// The steps that copy tables referenced by foreign keys: they run with them off (a pragma
/// that cannot change inside a transaction) and check them before they commit.
const REBUILD_STEPS: [u32; 2] = [8, 10];

/// The schema version a store's file says it has.
fn read_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

impl Store {
    /// Brings the schema up to [`SCHEMA_VERSION`], one transaction per step.
    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        let found = read_version(&self.conn).map_err(|source| StoreError::Open {
            path: self.path.clone(),
            source,
        })?;
        if found > SCHEMA_VERSION {
            return Err(self.too_new(found));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            let version = i as u32 + 1;
            // A step that rebuilds tables runs with foreign keys off (the pragma is ignored
            // inside a transaction): dropping the old tables must not cascade or check while
            // their copies are not yet renamed; the whole result is checked instead. A store
            // that has the step already is left as it is.
            let rebuild = REBUILD_STEPS.contains(&version) && found < version;
            let keys = |on: &str| {
                self.conn
                    .pragma_update(None, "foreign_keys", on)
                    .map_err(|source| self.mig_err(version, source))
            };
            if rebuild {
                keys("OFF")?;
            }
            let r = self.step(sql, version, rebuild);
            if rebuild {
                keys("ON")?;
            }
            r?;
        }
        Ok(())
    }

    /// Runs migration `version` in one transaction unless the store already has it; with
    /// `check_keys`, refuses to commit if a foreign key of the result does not hold.
    fn step(&self, sql: &str, version: u32, check_keys: bool) -> Result<(), StoreError> {
        let mig_err = |source| self.mig_err(version, source);
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(mig_err)?;
        // Re-read under the write lock: another process may have migrated meanwhile.
        let current = read_version(&tx).map_err(mig_err)?;
        if current > SCHEMA_VERSION {
            return Err(self.too_new(current));
        }
        if current >= version {
            return Ok(());
        }
        tx.execute_batch(sql).map_err(mig_err)?;
        if check_keys {
            let broken: i64 = tx
                .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })
                .map_err(mig_err)?;
            if broken > 0 {
                return Err(mig_err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                    Some(format!("{broken} foreign keys do not hold after the copy")),
                )));
            }
        }
        tx.pragma_update(None, "user_version", version)
            .map_err(mig_err)?;
        tx.commit().map_err(mig_err)
    }

    /// A failure of migration `version`, naming the store.
    fn mig_err(&self, version: u32, source: rusqlite::Error) -> StoreError {
        StoreError::Migration {
            path: self.path.clone(),
            version,
            source,
        }
    }

    fn too_new(&self, found: u32) -> StoreError {
        StoreError::SchemaTooNew {
            path: self.path.clone(),
            found,
            supported: SCHEMA_VERSION,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{Change, DB_FILE_NAME, Source};
    use super::*;

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

    /// Every row of a table, in its key's order, as text (a NULL as `None`).
    fn dump(conn: &Connection, sql: &str) -> Vec<Vec<Option<String>>> {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => None,
                        v => Some(format!("{v:?}")),
                    })
                })
                .collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    const T: [&str; 5] = [
        "2026-01-01T10:00:00.000001Z",
        "2026-01-01T10:00:01.000002Z",
        "2026-01-01T10:00:02.000003Z",
        "2026-01-01T10:00:03.000004Z",
        "2026-01-01T10:00:04.000005Z",
    ];
    const TXNS: &str = "SELECT id, expert, batch, source, undoes, created_at FROM txns ORDER BY id";
    const HISTORY: &str = "SELECT seq, txn, expert, batch, item, field, old_value, new_value, at, \
                           source, undoes, round FROM history ORDER BY seq";
    const STATE: &str = "SELECT * FROM item_state ORDER BY expert, batch, item";
    const SCORES: &str = "SELECT expert, batch, item, criterion, value FROM scores \
                          ORDER BY expert, batch, item, criterion";

    /// A store at schema version 7 holding what that version's code wrote for: a score and a
    /// comment (txn 1), a paper score (2) and its undo (3), a flag (4) and an undo of it that
    /// changed nothing (5, no history row); plus an insert rolled back, which must not use up
    /// an id.
    fn v7_store_with_marks() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let conn = store_at_version(tmp.path(), 7);
        conn.execute_batch(&format!(
            "INSERT INTO experts (id, display_name, created_at) VALUES ('{EXPERT}', NULL, 'x');
             INSERT INTO batches (hash, label, domain, registered_at)
                 VALUES ('{BATCH}', 'B', 'AI', 'x');
             INSERT INTO batch_items (batch, item, position) VALUES
                 ('{BATCH}', 'i0', 0), ('{BATCH}', 'i1', 1), ('{BATCH}', 'i2', 2);
             INSERT INTO txns (expert, batch, source, undoes, created_at) VALUES
                 ('{EXPERT}', '{BATCH}', 'keyboard', NULL, '{t0}'),
                 ('{EXPERT}', '{BATCH}', 'paper', NULL, '{t1}'),
                 ('{EXPERT}', '{BATCH}', 'undo', 2, '{t2}'),
                 ('{EXPERT}', '{BATCH}', 'keyboard', NULL, '{t3}'),
                 ('{EXPERT}', '{BATCH}', 'undo', 4, '{t4}');
             INSERT INTO item_state (expert, batch, item, comment, flagged, updated_at) VALUES
                 ('{EXPERT}', '{BATCH}', 'i0', 'good', 0, '{t0}'),
                 ('{EXPERT}', '{BATCH}', 'i1', '', 0, '{t2}'),
                 ('{EXPERT}', '{BATCH}', 'i2', '', 1, '{t3}');
             INSERT INTO scores (expert, batch, item, criterion, value)
                 VALUES ('{EXPERT}', '{BATCH}', 'i0', 'novelty', 7.0);
             INSERT INTO history
                 (txn, expert, batch, item, field, old_value, new_value, at, source, undoes)
             VALUES
                 (1, '{EXPERT}', '{BATCH}', 'i0', 'score:novelty', NULL, '7', '{t0}',
                  'keyboard', NULL),
                 (1, '{EXPERT}', '{BATCH}', 'i0', 'comment', '', 'good', '{t0}', 'keyboard', NULL),
                 (2, '{EXPERT}', '{BATCH}', 'i1', 'score:novelty', NULL, '5', '{t1}', 'paper',
                  NULL),
                 (3, '{EXPERT}', '{BATCH}', 'i1', 'score:novelty', '5', NULL, '{t2}', 'undo', 2),
                 (4, '{EXPERT}', '{BATCH}', 'i2', 'flag', 'false', 'true', '{t3}', 'keyboard',
                  NULL);
             BEGIN;
             INSERT INTO txns (expert, batch, source, undoes, created_at)
                 VALUES ('{EXPERT}', '{BATCH}', 'keyboard', NULL, 'x');
             INSERT INTO history (txn, expert, batch, item, field, at, source)
                 VALUES (6, '{EXPERT}', '{BATCH}', 'i0', 'flag', 'x', 'keyboard');
             ROLLBACK;",
            t0 = T[0],
            t1 = T[1],
            t2 = T[2],
            t3 = T[3],
            t4 = T[4],
        ))
        .unwrap();
        // AUTOINCREMENT's counters: the largest ids, the rolled-back insert left no trace.
        let counters: Vec<(String, i64)> = conn
            .prepare("SELECT name, seq FROM sqlite_sequence WHERE name IN ('history', 'txns')")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(counters.len(), 2);
        assert!(counters.iter().all(|(_, seq)| *seq == 5), "{counters:?}");
        tmp
    }

    #[test]
    fn migration_8_keeps_every_row_and_id_and_new_ids_follow_as_autoincrement_gave_them() {
        let tmp = v7_store_with_marks();
        let before: Vec<_> = [TXNS, HISTORY, STATE, SCORES]
            .iter()
            .map(|q| dump(&raw(tmp.path()), q))
            .collect();
        let store = Store::open(tmp.path()).unwrap();
        let conn = raw(tmp.path());
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let after: Vec<_> = [TXNS, HISTORY, STATE, SCORES]
            .iter()
            .map(|q| dump(&conn, q))
            .collect();
        assert_eq!(before, after, "every row kept, with its id");
        // No AUTOINCREMENT left: a commit no longer writes sqlite_sequence.
        let counters: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_sequence WHERE name IN ('txns', 'history')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(counters, 0);
        let ddl: String = conn
            .query_row(
                "SELECT group_concat(sql, ';') FROM sqlite_master WHERE tbl_name IN ('txns', 'history')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!ddl.contains("AUTOINCREMENT"), "{ddl}");
        for name in [
            "txns_undone_once",
            "history_by_expert_batch",
            "history_no_update",
            "history_no_delete",
            "txns_no_update",
            "txns_no_delete",
        ] {
            assert!(ddl.contains(name), "{name} kept: {ddl}");
        }
        // Schema 9 dropped it (undo reads history by expert and batch).
        assert!(!ddl.contains("history_by_txn"), "{ddl}");
        // The state reads as before: item i0's time is its item_state's (old scores have none).
        let marks = store.load(EXPERT, BATCH).unwrap();
        assert_eq!(marks.items["i0"].scores["novelty"], 7.0);
        assert_eq!(marks.items["i0"].comment, "good");
        assert_eq!(marks.items["i0"].updated_at.as_deref(), Some(T[0]));
        assert!(marks.items["i1"].scores.is_empty());
        assert!(marks.items["i2"].flagged);
        assert_eq!(store.rebuild(EXPERT, BATCH).unwrap(), marks, "times too");
        // Undo walks the old txns as before: 4 is undone by 5 (no row), 2 by 3, so 1 is next;
        // its txn id is the one AUTOINCREMENT would have given (the counter was 5).
        let u = store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!((u.undone_txn, u.undo_txn, u.rows_written), (1, 6, 2));
        assert_eq!(store.undo(EXPERT, BATCH).unwrap(), None, "nothing left");
        // A write refused halfway (its txn row already inserted) uses up no id, as with
        // AUTOINCREMENT.
        let refused = [Change::flag("i0", true), Change::flag("nope", true)];
        assert!(
            store
                .apply(EXPERT, BATCH, &refused, Source::Keyboard)
                .is_err()
        );
        let set = [Change::score("i2", "novelty", Some(6.0))];
        assert_eq!(
            store.apply(EXPERT, BATCH, &set, Source::Keyboard).unwrap(),
            Some(7)
        );
        assert_eq!(
            store.rebuild(EXPERT, BATCH).unwrap(),
            store.load(EXPERT, BATCH).unwrap()
        );
        let h = store.history(EXPERT, BATCH).unwrap();
        let seqs: Vec<i64> = h.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
        // Still append-only, foreign keys still on.
        assert!(conn.execute("UPDATE history SET at = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM txns", []).is_err());
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        // Since schema 10 an ordinary transaction has no txns row; an undo's rows still need
        // theirs, and history still references its expert.
        let orphan = conn.execute(
            "INSERT INTO history (txn, expert, batch, item, field, at, source, undoes)
             VALUES (99, ?1, ?2, 'i0', 'flag', 'x', 'undo', 1)",
            [EXPERT, BATCH],
        );
        assert!(orphan.is_err(), "an undo's history row needs its txns row");
        let orphan = conn.execute(
            "INSERT INTO history (txn, expert, batch, item, field, at, source)
             VALUES (99, 'nobody', ?1, 'i0', 'flag', 'x', 'keyboard')",
            [BATCH],
        );
        assert!(orphan.is_err(), "history.expert still references experts");
        // The new score's time is its own; the item's time is the latest of its state's and
        // its scores'.
        let marks = store.load(EXPERT, BATCH).unwrap();
        let i2 = &marks.items["i2"];
        assert_eq!(i2.updated_at.as_deref(), Some(h[7].at.as_str()));
        assert!(i2.updated_at.as_deref() > Some(T[3]));
    }

    const REVISIONS: &str = "SELECT seq, txn, expert, batch, item, round, reason, at \
                             FROM revisions ORDER BY seq";

    /// A store at schema version 9 holding what that version's code wrote: a score and a
    /// comment (txn 1), a paper score (2) and its undo (3), a revision in round 2 with its
    /// reason (4), a flag (5) and an undo of it that changed nothing (6, no history row, the
    /// largest id); plus a revision rolled back, which must not use up its AUTOINCREMENT id.
    fn v9_store_with_marks() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let conn = store_at_version(tmp.path(), 9);
        conn.execute_batch(&format!(
            "INSERT INTO experts (id, display_name, created_at) VALUES ('{EXPERT}', NULL, 'x');
             INSERT INTO batches (hash, label, domain, registered_at)
                 VALUES ('{BATCH}', 'B', 'AI', 'x');
             INSERT INTO batch_items (batch, item, position) VALUES
                 ('{BATCH}', 'i0', 0), ('{BATCH}', 'i1', 1), ('{BATCH}', 'i2', 2);
             INSERT INTO rounds (batch, round, selection, opened_by, opened_at, spread)
                 VALUES ('{BATCH}', 2, 'items', 'chair', '{t0}', '{{}}');
             INSERT INTO round_items (batch, round, item) VALUES ('{BATCH}', 2, 'i0');
             INSERT INTO txns (id, expert, batch, source, undoes, created_at) VALUES
                 (1, '{EXPERT}', '{BATCH}', 'keyboard', NULL, '{t0}'),
                 (2, '{EXPERT}', '{BATCH}', 'paper', NULL, '{t1}'),
                 (3, '{EXPERT}', '{BATCH}', 'undo', 2, '{t2}'),
                 (4, '{EXPERT}', '{BATCH}', 'keyboard', NULL, '{t2}'),
                 (5, '{EXPERT}', '{BATCH}', 'keyboard', NULL, '{t3}'),
                 (6, '{EXPERT}', '{BATCH}', 'undo', 5, '{t4}');
             INSERT INTO item_state (expert, batch, item, comment, flagged, updated_at) VALUES
                 ('{EXPERT}', '{BATCH}', 'i0', 'good', 0, '{t0}'),
                 ('{EXPERT}', '{BATCH}', 'i1', '', 0, '{t2}'),
                 ('{EXPERT}', '{BATCH}', 'i2', '', 1, '{t3}');
             INSERT INTO scores (expert, batch, item, criterion, value, at)
                 VALUES ('{EXPERT}', '{BATCH}', 'i0', 'novelty', 6.0, '{t2}');
             INSERT INTO history
                 (seq, txn, expert, batch, item, field, old_value, new_value, at, source, undoes,
                  round)
             VALUES
                 (1, 1, '{EXPERT}', '{BATCH}', 'i0', 'score:novelty', NULL, '7', '{t0}',
                  'keyboard', NULL, 1),
                 (2, 1, '{EXPERT}', '{BATCH}', 'i0', 'comment', '', 'good', '{t0}', 'keyboard',
                  NULL, 1),
                 (3, 2, '{EXPERT}', '{BATCH}', 'i1', 'score:novelty', NULL, '5', '{t1}', 'paper',
                  NULL, 1),
                 (4, 3, '{EXPERT}', '{BATCH}', 'i1', 'score:novelty', '5', NULL, '{t2}', 'undo',
                  2, 1),
                 (5, 4, '{EXPERT}', '{BATCH}', 'i0', 'score:novelty', '7', '6', '{t2}',
                  'keyboard', NULL, 2),
                 (6, 5, '{EXPERT}', '{BATCH}', 'i2', 'flag', 'false', 'true', '{t3}', 'keyboard',
                  NULL, 1);
             INSERT INTO revisions (txn, expert, batch, item, round, reason, at)
                 VALUES (4, '{EXPERT}', '{BATCH}', 'i0', 2, 'read the rebuttal', '{t2}');
             BEGIN;
             INSERT INTO revisions (txn, expert, batch, item, round, reason, at)
                 VALUES (5, '{EXPERT}', '{BATCH}', 'i2', 2, 'x', 'x');
             ROLLBACK;",
            t0 = T[0],
            t1 = T[1],
            t2 = T[2],
            t3 = T[3],
            t4 = T[4],
        ))
        .unwrap();
        tmp
    }

    #[test]
    fn migration_10_keeps_every_id_and_undo_and_writes_no_txns_row_for_a_commit() {
        let tmp = v9_store_with_marks();
        let queries = [TXNS, HISTORY, STATE, SCORES, REVISIONS];
        let before: Vec<_> = queries.iter().map(|q| dump(&raw(tmp.path()), q)).collect();
        let store = Store::open(tmp.path()).unwrap();
        let conn = raw(tmp.path());
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let after: Vec<_> = queries.iter().map(|q| dump(&conn, q)).collect();
        assert_eq!(before, after, "every row kept, with its id");
        let history_before = store.history(EXPERT, BATCH).unwrap();
        assert_eq!(history_before.len(), 6);
        assert_eq!(
            store.rebuild(EXPERT, BATCH).unwrap(),
            store.load(EXPERT, BATCH).unwrap()
        );
        // No foreign key to txns left; its other keys, indexes and triggers are there.
        let ddl: String = conn
            .query_row(
                "SELECT group_concat(sql, ';') FROM sqlite_master
                 WHERE tbl_name IN ('txns', 'history', 'revisions')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!ddl.contains("REFERENCES txns(id)"), "{ddl}");
        assert!(!ddl.contains("_v10"), "{ddl}");
        for name in [
            "txns_undone_once",
            "history_by_expert_batch",
            "revisions_by_batch",
            "history_no_update",
            "history_no_delete",
            "REFERENCES txns(id, undoes)",
            "txns_no_update",
            "txns_no_delete",
            "revisions_no_update",
            "revisions_no_delete",
            "REFERENCES experts(id)",
            "AUTOINCREMENT",
        ] {
            assert!(ddl.contains(name), "{name} kept: {ddl}");
        }
        // The revisions' counter is as it was: the rolled-back row used up no id.
        let counter: i64 = conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'revisions'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(counter, 1);
        assert_eq!(store.revisions(BATCH).unwrap()[0].txn, 4);
        // Undo walks the old txns as before: 5 is undone by 6 (no row), 3 undid 2, so 4 is
        // next; the new undo's id follows the largest, 6, though no history row carries it.
        let u = store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!((u.undone_txn, u.undo_txn, u.rows_written), (4, 7, 1));
        assert_eq!(
            store.load(EXPERT, BATCH).unwrap().items["i0"].scores["novelty"],
            7.0
        );
        let u = store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!((u.undone_txn, u.undo_txn, u.rows_written), (1, 8, 2));
        assert_eq!(store.undo(EXPERT, BATCH).unwrap(), None, "nothing left");
        // An ordinary commit takes the next id and writes no txns row; undoing it writes one.
        let txns = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM txns", [], |r| r.get(0))
                .unwrap()
        };
        let n = txns(&conn);
        let set = [Change::score("i2", "novelty", Some(6.0))];
        assert_eq!(
            store.apply(EXPERT, BATCH, &set, Source::Keyboard).unwrap(),
            Some(9)
        );
        assert_eq!(txns(&conn), n, "no txns row for an ordinary commit");
        let u = store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!((u.undone_txn, u.undo_txn, u.rows_written), (9, 10, 1));
        assert_eq!(txns(&conn), n + 1);
        assert_eq!(store.undo(EXPERT, BATCH).unwrap(), None);
        // The old history is untouched, the new rows follow it, and state matches history.
        let h = store.history(EXPERT, BATCH).unwrap();
        assert_eq!(h[..6], history_before[..]);
        let ids: Vec<(i64, i64, Option<i64>)> =
            h[6..].iter().map(|r| (r.seq, r.txn, r.undoes)).collect();
        assert_eq!(
            ids,
            [
                (7, 7, Some(4)),
                (8, 8, Some(1)),
                (9, 8, Some(1)),
                (10, 9, None),
                (11, 10, Some(9))
            ]
        );
        assert_eq!(
            store.rebuild(EXPERT, BATCH).unwrap(),
            store.load(EXPERT, BATCH).unwrap()
        );
        // Undone once, append-only, and an undo's rows tied to its txns row.
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        assert!(
            conn.execute(
                "INSERT INTO txns (expert, batch, source, undoes, created_at)
                 VALUES (?1, ?2, 'undo', 9, 'x')",
                [EXPERT, BATCH],
            )
            .is_err(),
            "9 is undone already"
        );
        assert!(
            conn.execute(
                "INSERT INTO history (txn, expert, batch, item, field, at, source, undoes)
                 VALUES (11, ?1, ?2, 'i0', 'flag', 'x', 'undo', 9)",
                [EXPERT, BATCH],
            )
            .is_err(),
            "an undo's rows need its txns row"
        );
        assert!(
            conn.execute(
                "INSERT INTO history (txn, expert, batch, item, field, at, source, undoes)
                 VALUES (11, ?1, ?2, 'i0', 'flag', 'x', 'undo', NULL)",
                [EXPERT, BATCH],
            )
            .is_err(),
            "an undo undoes something"
        );
        assert!(conn.execute("UPDATE history SET at = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM history", []).is_err());
        assert!(conn.execute("DELETE FROM txns", []).is_err());
        assert!(conn.execute("DELETE FROM revisions", []).is_err());
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn migration_gives_the_store_key_to_its_only_expert() {
        let tmp = v2_store(&["solo"], &[], Some("OLD"));
        let store = Store::open(tmp.path()).unwrap();
        assert_eq!(store.expert_key("solo").unwrap().as_deref(), Some("OLD"));
        assert_eq!(store.ensure_expert_key("other", "NEW").unwrap(), "NEW");
    }
}
