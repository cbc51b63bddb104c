//! Marks: applying changes, loading the current state, undo, the append-only history and
//! rebuilding the state from it.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, ToSql, params};
use serde::{Deserialize, Serialize};

use super::{
    Change, Confidence, ExpertScores, Fail, Field, FieldRef, HistoryRow, ItemRecord, Source, Store,
    StoreError, now,
};

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
pub(super) fn decode_change(
    item: String,
    field: Field,
    value: Option<String>,
) -> Result<Change, String> {
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

/// One change as the history recorded it (see [`Store::changes_since`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// Its history row's sequence number.
    pub seq: i64,
    /// The change, its new value as stored.
    pub change: Change,
    /// When it was written (RFC 3339 UTC).
    pub at: String,
}

impl Applied {
    /// Makes `scores` what the store holds after this change (as `load` would read it).
    pub fn apply_to(self, scores: &mut ExpertScores) {
        let rec = scores
            .items
            .entry(self.change.item().to_owned())
            .or_default();
        match self.change {
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
        rec.updated_at = Some(self.at);
    }
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

impl Store {
    /// Current state of an expert's scores in a batch (two queries, one snapshot).
    pub fn load(&self, expert: &str, batch: &str) -> Result<ExpertScores, StoreError> {
        self.load_at(expert, batch).map(|(s, _)| s)
    }

    /// [`Store::load`], with the history's last `seq` in the same snapshot: the point from
    /// which [`Store::changes_since`] brings the state up to date.
    pub fn load_at(&self, expert: &str, batch: &str) -> Result<(ExpertScores, i64), StoreError> {
        let r = (|| -> Result<(ExpertScores, i64), Fail> {
            let tx = self.begin_read()?;
            let seq: i64 = tx
                .prepare_cached("SELECT coalesce(max(seq), 0) FROM history")?
                .query_row([], |r| r.get(0))?;
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
                    "SELECT item, criterion, value, at FROM scores WHERE expert = ?1 AND batch = ?2",
                )?;
                let mut rows = stmt.query([expert, batch])?;
                while let Some(r) = rows.next()? {
                    let item: String = r.get(0)?;
                    // The foreign key guarantees the item_state row exists.
                    let rec = out.items.entry(item).or_default();
                    rec.scores.insert(r.get(1)?, r.get(2)?);
                    // Setting a score writes its time here only (schema 8): the item's time
                    // is the latest (same-width RFC 3339 UTC text orders as time).
                    let at: Option<String> = r.get(3)?;
                    if at > rec.updated_at {
                        rec.updated_at = at;
                    }
                }
            }
            tx.commit()?;
            Ok((out, seq))
        })();
        self.wrap("load", r)
    }

    /// The changes written to an expert's marks in a batch after history row `seq`, oldest
    /// first: a view keeps its state current from these instead of loading it all again.
    pub fn changes_since(
        &self,
        expert: &str,
        batch: &str,
        seq: i64,
    ) -> Result<Vec<Applied>, StoreError> {
        let r = read_changes(&self.conn, expert, batch, seq);
        self.wrap("changes_since", r)
    }

    /// [`Store::apply`] for a view that keeps its marks current from history row `since` on:
    /// in the same transaction it reads back the changes after that row (this write's and any
    /// other session's, as [`Store::changes_since`] would) and [`Store::data_version`], so a
    /// commit costs one transaction, not three. The changes read back are returned only once
    /// the write is durable; a no-op write reads them too.
    pub fn apply_since(
        &self,
        expert: &str,
        batch: &str,
        changes: &[Change],
        source: Source,
        since: i64,
    ) -> Result<Written, StoreError> {
        let r = self.apply_tx(expert, batch, changes, source, None, Some(since));
        let (txn, read) = self.wrap("apply", r)?;
        let (news, data_version) = match read {
            Some(read) => read,
            // No transaction for no changes: read as a poll would.
            None => (
                self.changes_since(expert, batch, since)?,
                self.data_version()?,
            ),
        };
        Ok(Written {
            txn,
            news,
            data_version,
        })
    }

    /// Applies `changes` atomically in one transaction; returns the transaction id,
    /// or `None` if every change was a no-op (nothing is written then). A score of a
    /// nomination in a discussion round is refused here: [`Store::revise`] takes a reason.
    pub fn apply(
        &self,
        expert: &str,
        batch: &str,
        changes: &[Change],
        source: Source,
    ) -> Result<Option<i64>, StoreError> {
        self.apply_with_reason(expert, batch, changes, source, None)
    }

    /// [`Store::apply`], with the reason for revising nominations in a discussion round
    /// (recorded once per such nomination, with the transaction).
    pub(super) fn apply_with_reason(
        &self,
        expert: &str,
        batch: &str,
        changes: &[Change],
        source: Source,
        reason: Option<&str>,
    ) -> Result<Option<i64>, StoreError> {
        let r = self.apply_tx(expert, batch, changes, source, reason, None);
        self.wrap("apply", r).map(|(txn, _)| txn)
    }

    /// The transaction of [`Store::apply_with_reason`]; with `since`, also the changes after
    /// that history row and the data version, read in the same transaction.
    #[allow(clippy::type_complexity)]
    fn apply_tx(
        &self,
        expert: &str,
        batch: &str,
        changes: &[Change],
        source: Source,
        reason: Option<&str>,
        since: Option<i64>,
    ) -> Result<(Option<i64>, Option<(Vec<Applied>, i64)>), Fail> {
        if source == Source::Undo {
            return Err(StoreError::UndoSourceReserved.into());
        }
        if changes.is_empty() {
            return Ok((None, None));
        }
        // Limits at entry: a sheet of accepted marks must never be too large to read.
        for c in changes {
            c.check_length().map_err(|source| StoreError::TextTooLong {
                item: c.item().to_string(),
                source,
            })?;
        }
        let tx = self.begin_write()?;
        // The view's read-back needs only this write's rows when no other row came after
        // `since`: that is known from the same statement that checks the expert and batch.
        let w = super::registry::check_writer(&tx, expert, batch)?;
        let ctx = TxnCtx {
            expert,
            batch,
            source,
            undoes: None,
            at: now(),
        };
        let txn = w.next_txn;
        let mut rows = since.map(|_| Vec::new());
        let rule = Revisions::Check { reason };
        let wrote = apply_in(&tx, &ctx, txn, changes, rule, rows.as_mut())?;
        // Read back in the snapshot the write sees: no other session can commit in between.
        let read = match (since, rows) {
            (Some(seq), Some(rows)) => {
                let news = if w.last.is_none_or(|l| l <= seq) {
                    rows
                } else {
                    read_changes(&tx, expert, batch, seq)?
                };
                Some((news, data_version_of(&tx)?))
            }
            _ => None,
        };
        if wrote.rows == 0 {
            // Nothing to record; dropping rolls back the (empty) transaction.
            return Ok((None, read));
        }
        if let Some(reason) = reason {
            super::rounds::record_revisions(
                &tx,
                txn,
                expert,
                batch,
                &wrote.revised,
                reason,
                &ctx.at,
            )?;
        }
        tx.commit()?;
        Ok((Some(txn), read))
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
            let target: Option<(i64, String, i64)> = tx
                .prepare_cached(
                    // Every txn but an undo has history rows, and txn ids grow with seq:
                    // the newest such row not yet undone is the newest such txn's.
                    "SELECT h.txn, h.source, h.seq FROM history h
                     WHERE h.expert = ?1 AND h.batch = ?2 AND h.undoes IS NULL
                       AND NOT EXISTS (SELECT 1 FROM txns u WHERE u.undoes = h.txn)
                     ORDER BY h.seq DESC LIMIT 1",
                )?
                .query_row([expert, batch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((target, target_source, newest)) = target else {
                return Ok(None);
            };
            let undone_source: Source = target_source.parse().map_err(Fail::Corrupt)?;
            let mut rows: Vec<(String, Field, Option<String>)> = Vec::new();
            {
                // A txn's rows are contiguous in seq (written in one transaction under the
                // write lock): walk back from its newest row until another txn's.
                let mut stmt = tx.prepare_cached(
                    "SELECT txn, item, field, old_value FROM history
                     WHERE expert = ?1 AND batch = ?2 AND seq <= ?3 ORDER BY seq DESC",
                )?;
                let mut q = stmt.query(params![expert, batch, newest])?;
                while let Some(r) = q.next()? {
                    if r.get::<_, i64>(0)? != target {
                        break;
                    }
                    let field: String = r.get(2)?;
                    rows.push((r.get(1)?, field.parse().map_err(Fail::Corrupt)?, r.get(3)?));
                }
                rows.reverse();
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
            // counts as undone (once: a unique index) and the next undo walks further back.
            let undo_txn = insert_undo_txn(&tx, &ctx)?;
            // An undo restores what was, in a discussion round too: it needs no reason.
            let rows_written = apply_in(&tx, &ctx, undo_txn, &changes, Revisions::Skip, None)?.rows;
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
                out.push(history_row(r)?);
            }
            Ok(out)
        })();
        self.wrap("history", r)
    }

    /// Current state recomputed from history alone (a consistency check for `load`).
    pub fn rebuild(&self, expert: &str, batch: &str) -> Result<ExpertScores, StoreError> {
        let r = self.replay(expert, batch, u32::MAX);
        self.wrap("rebuild", r)
    }

    /// An expert's marks as of round `up_to`: history replayed without the changes of later
    /// rounds (round 1 stays as it was when round 2 opened).
    pub fn marks_up_to(
        &self,
        expert: &str,
        batch: &str,
        up_to: u32,
    ) -> Result<ExpertScores, StoreError> {
        let r = self.replay(expert, batch, up_to);
        self.wrap("marks_up_to", r)
    }

    /// History replayed in order, changes of rounds after `up_to` left out.
    fn replay(&self, expert: &str, batch: &str, up_to: u32) -> Result<ExpertScores, Fail> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, item, field, new_value, at FROM history
             WHERE expert = ?1 AND batch = ?2 AND round <= ?3 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![expert, batch, up_to])?;
        let mut out = ExpertScores::default();
        while let Some(r) = rows.next()? {
            applied(r)?.apply_to(&mut out);
        }
        Ok(out)
    }

    /// SQLite's `data_version`: changes when another connection commits, so a UI
    /// can notice a second session's writes without reloading on a timer.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        let r = data_version_of(&self.conn).map_err(Fail::from);
        self.wrap("data_version", r)
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

/// What [`Store::apply_since`] wrote and read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The transaction id, `None` if every change was a no-op (nothing was written).
    pub txn: Option<i64>,
    /// The changes after the given history row, oldest first (as [`Store::changes_since`]).
    pub news: Vec<Applied>,
    /// [`Store::data_version`] as of the write.
    pub data_version: i64,
}

/// [`Store::changes_since`] on a connection or inside a transaction.
fn read_changes(
    conn: &Connection,
    expert: &str,
    batch: &str,
    seq: i64,
) -> Result<Vec<Applied>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, item, field, new_value, at FROM history
         WHERE expert = ?1 AND batch = ?2 AND seq > ?3 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![expert, batch, seq])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(applied(r)?);
    }
    Ok(out)
}

/// A history row selected as `seq, item, field, new_value, at`.
fn applied(r: &rusqlite::Row<'_>) -> Result<Applied, Fail> {
    let field: String = r.get(2)?;
    let field: Field = field.parse().map_err(Fail::Corrupt)?;
    let change = decode_change(r.get(1)?, field, r.get(3)?).map_err(Fail::Corrupt)?;
    Ok(Applied {
        seq: r.get(0)?,
        change,
        at: r.get(4)?,
    })
}

/// SQLite's `data_version` of a connection (a view polls it: the statement is kept).
fn data_version_of(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))
}

/// Records an undo transaction in `txns` (an ordinary one has no row there since schema 10),
/// under the next transaction id; returns that id.
fn insert_undo_txn(conn: &Connection, ctx: &TxnCtx<'_>) -> rusqlite::Result<i64> {
    let id: i64 = conn
        .prepare_cached(concat!("SELECT ", super::registry::next_txn_sql!()))?
        .query_row([], |r| r.get(0))?;
    conn.prepare_cached(
        "INSERT INTO txns (id, expert, batch, source, undoes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        ctx.expert,
        ctx.batch,
        ctx.source.as_str(),
        ctx.undoes,
        ctx.at
    ])?;
    Ok(id)
}

/// What one statement reads before a change is written: whether its item is in the batch and
/// already has a state row, its discussion round (1 outside any) and the field's current value
/// in history encoding (defaults if the item is untouched).
struct Probe {
    in_batch: bool,
    has_state: bool,
    round: u32,
    old: Option<String>,
}

fn probe(conn: &Connection, ctx: &TxnCtx<'_>, item: &str, field: &Field) -> Result<Probe, Fail> {
    if let Field::Score(criterion) = field {
        let sql = "SELECT EXISTS (SELECT 1 FROM batch_items WHERE batch = ?2 AND item = ?3),
                          EXISTS (SELECT 1 FROM item_state
                                  WHERE expert = ?1 AND batch = ?2 AND item = ?3),
                          (SELECT coalesce(max(round), 1) FROM round_items
                           WHERE batch = ?2 AND item = ?3),
                          (SELECT value FROM scores
                           WHERE expert = ?1 AND batch = ?2 AND item = ?3 AND criterion = ?4)";
        let (in_batch, has_state, round, v): (bool, bool, u32, Option<f64>) = conn
            .prepare_cached(sql)?
            .query_row(params![ctx.expert, ctx.batch, item, criterion], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        return Ok(Probe {
            in_batch,
            has_state,
            round,
            old: v.map(encode_score),
        });
    }
    let sql = "SELECT EXISTS (SELECT 1 FROM batch_items WHERE batch = ?2 AND item = ?3),
                      s.item IS NOT NULL,
                      (SELECT coalesce(max(round), 1) FROM round_items
                       WHERE batch = ?2 AND item = ?3),
                      s.comment, s.recusal, s.flagged, s.confidence
               FROM (SELECT 1) LEFT JOIN item_state s
                 ON s.expert = ?1 AND s.batch = ?2 AND s.item = ?3";
    type Row = (
        bool,
        bool,
        u32,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<String>,
    );
    let (in_batch, has_state, round, comment, recusal, flagged, confidence): Row = conn
        .prepare_cached(sql)?
        .query_row(params![ctx.expert, ctx.batch, item], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
    let old = match field {
        Field::Comment => Some(comment.unwrap_or_default()),
        Field::Recusal => recusal,
        Field::Flag => Some(encode_flag(flagged.unwrap_or(false))),
        Field::Confidence => {
            Some(confidence.unwrap_or_else(|| Confidence::default().as_str().to_owned()))
        }
        Field::Score(_) => None, // read above
    };
    Ok(Probe {
        in_batch,
        has_state,
        round,
        old,
    })
}

/// Sets one column of an item's state row (the caller has just made sure the row exists).
fn set_state(
    tx: &Connection,
    ctx: &TxnCtx<'_>,
    item: &str,
    column: &str,
    value: impl ToSql,
) -> rusqlite::Result<()> {
    tx.prepare_cached(&format!(
        "UPDATE item_state SET {column} = ?4 WHERE expert = ?1 AND batch = ?2 AND item = ?3"
    ))?
    .execute(params![ctx.expert, ctx.batch, item, value])?;
    Ok(())
}

/// Whether a write checks the discussion rounds' rule (a changed score there needs a reason).
#[derive(Clone, Copy)]
enum Revisions<'a> {
    /// Checks it, with the call's reason if it has one.
    Check { reason: Option<&'a str> },
    /// An undo: it restores what was.
    Skip,
}

/// What [`apply_in`] wrote.
struct Wrote {
    /// History rows written.
    rows: usize,
    /// The nominations in a discussion round it changed, with their round, once each.
    revised: Vec<(String, u32)>,
}

/// Applies changes inside an open write transaction as transaction `txn` (its history rows
/// carry the id). With `read`, also gives each history row written as it would be read back.
fn apply_in(
    tx: &Connection,
    ctx: &TxnCtx<'_>,
    txn: i64,
    changes: &[Change],
    rule: Revisions<'_>,
    mut read: Option<&mut Vec<Applied>>,
) -> Result<Wrote, Fail> {
    let mut wrote = Wrote {
        rows: 0,
        revised: Vec::new(),
    };
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
        let field = change.field();
        let p = probe(tx, ctx, item, &field)?;
        if !p.in_batch {
            return Err(StoreError::UnknownItem {
                batch: ctx.batch.to_owned(),
                item: item.to_owned(),
            }
            .into());
        }
        let new = encoded(change);
        if p.old == new {
            continue;
        }
        if p.round >= 2
            && let Revisions::Check { reason } = rule
        {
            let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
            if matches!(change, Change::Score { .. }) && !has_reason {
                return Err(StoreError::RevisionNeedsReason {
                    item: item.to_owned(),
                    round: p.round,
                }
                .into());
            }
            if !wrote.revised.iter().any(|(i, _)| i == item) {
                wrote.revised.push((item.to_owned(), p.round));
            }
        }
        // A score set carries its own time (`scores.at`): its item's state row is only
        // created if missing, not rewritten, so the commit dirties one page fewer.
        let score_set = matches!(change, Change::Score { value: Some(_), .. });
        if !(score_set && p.has_state) {
            tx.prepare_cached(
                "INSERT INTO item_state (expert, batch, item, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (expert, batch, item) DO UPDATE SET updated_at = excluded.updated_at",
            )?
            .execute(params![ctx.expert, ctx.batch, item, ctx.at])?;
        }
        match change {
            Change::Score {
                criterion,
                value: Some(v),
                ..
            } => {
                tx.prepare_cached(
                    "INSERT INTO scores (expert, batch, item, criterion, value, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (expert, batch, item, criterion)
                     DO UPDATE SET value = excluded.value, at = excluded.at",
                )?
                .execute(params![
                    ctx.expert,
                    ctx.batch,
                    item,
                    criterion,
                    norm_score(*v),
                    ctx.at
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
            Change::Comment { text, .. } => set_state(tx, ctx, item, "comment", text)?,
            Change::Recusal { reason, .. } => set_state(tx, ctx, item, "recusal", reason)?,
            Change::Flag { flagged, .. } => set_state(tx, ctx, item, "flagged", flagged)?,
            Change::Confidence { level, .. } => {
                set_state(tx, ctx, item, "confidence", level.as_str())?
            }
        }
        tx.prepare_cached(
            "INSERT INTO history
                 (txn, expert, batch, item, field, old_value, new_value, at, source, undoes, round)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            txn,
            ctx.expert,
            ctx.batch,
            item,
            field.to_string(),
            p.old,
            new,
            ctx.at,
            ctx.source.as_str(),
            ctx.undoes,
            p.round
        ])?;
        if let Some(read) = read.as_deref_mut() {
            // Decoded from what was stored, as a read of the row would decode it.
            let change = decode_change(item.to_owned(), field, new).map_err(Fail::Corrupt)?;
            read.push(Applied {
                seq: tx.last_insert_rowid(),
                change,
                at: ctx.at.clone(),
            });
        }
        wrote.rows += 1;
    }
    Ok(wrote)
}

/// A history row from a query whose first eleven columns are `seq, txn, expert, batch, item,
/// field, old_value, new_value, at, source, undoes`.
pub(super) fn history_row(r: &rusqlite::Row<'_>) -> Result<HistoryRow, Fail> {
    let field: String = r.get(5)?;
    let source: String = r.get(9)?;
    Ok(HistoryRow {
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
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use std::collections::{BTreeSet, HashMap};
    use std::path::PathBuf;
    use std::process::{Command, Stdio};
    use std::str::FromStr;
    use std::time::Duration;

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

    /// Pages written to the WAL since the last call (each frame is one page): a passive
    /// checkpoint says how many frames it holds, a truncating one empties it (and says 0).
    fn wal_frames(store: &Store) -> i64 {
        let q = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(1)).unwrap() };
        let frames = q("PRAGMA wal_checkpoint(PASSIVE)");
        q("PRAGMA wal_checkpoint(TRUNCATE)");
        frames
    }

    #[test]
    fn a_commit_writes_the_pages_of_its_rows_and_no_more() {
        let (_dir, store) = setup();
        let put = |c: Change| store.apply(EXPERT, BATCH, &[c], Source::Keyboard).unwrap();
        wal_frames(&store);
        // A first mark creates its nomination's state row: one page more.
        put(Change::score("i0", "novelty", Some(7.0))).unwrap();
        assert_eq!(wal_frames(&store), 4);
        // Then `7 Enter` on a scored nomination: the score (with its time, not the state
        // row's) and the history row with its index. Schema 7 also wrote a txns row,
        // sqlite_sequence, the state row's time, an index of txns and one of history by txn: 8;
        // schema 8 the txns row and the last index: 5; schema 9 the txns row: 4.
        for v in [8.0, 7.0, 8.0] {
            put(Change::score("i0", "novelty", Some(v))).unwrap();
            assert_eq!(wal_frames(&store), 3, "score {v}");
        }
        put(Change::comment("i0", "x")).unwrap();
        assert_eq!(
            wal_frames(&store),
            3,
            "comment: the state row instead of a score"
        );
        // An undo still records its txns row, with the index that keeps it undone once and
        // the one its history rows reference.
        store.undo(EXPERT, BATCH).unwrap().unwrap();
        assert_eq!(wal_frames(&store), 6, "undo");
        put(Change::comment("i0", "x")).unwrap();
        wal_frames(&store);
        // No change, no transaction, no page.
        assert_eq!(put(Change::comment("i0", "x")), None);
        assert_eq!(wal_frames(&store), 0);
        assert_consistent(&store);
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
    fn over_long_text_is_refused_and_nothing_of_the_call_is_stored() {
        use crate::domain::marks::{MAX_COMMENT_CHARS, MAX_REASON_CHARS};
        let (_dir, store) = setup();
        let full = "评".repeat(MAX_COMMENT_CHARS);
        store
            .apply(
                EXPERT,
                BATCH,
                &[Change::comment("i0", &full)],
                Source::Keyboard,
            )
            .unwrap();
        let e = store
            .apply(
                EXPERT,
                BATCH,
                &[
                    Change::flag("i1", true),
                    Change::comment("i1", format!("{full}x")),
                ],
                Source::Keyboard,
            )
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::TextTooLong { item, .. } if item == "i1"),
            "{e:?}"
        );
        let reason = Some("因".repeat(MAX_REASON_CHARS + 1));
        let e = store
            .apply(
                EXPERT,
                BATCH,
                &[Change::recusal("i2", reason)],
                Source::Keyboard,
            )
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::TextTooLong { item, .. } if item == "i2"),
            "{e:?}"
        );
        let s = store.load(EXPERT, BATCH).unwrap();
        assert_eq!(s.items["i0"].comment, full);
        assert!(!s.items.get("i1").is_some_and(|r| r.flagged));
        assert_eq!(store.history(EXPERT, BATCH).unwrap().len(), 1);
        let e = store
            .ensure_expert("e3", Some(&"名".repeat(101)))
            .unwrap_err();
        assert!(matches!(e, StoreError::NameTooLong { .. }), "{e:?}");
    }

    #[test]
    fn history_is_append_only() {
        let (dir, store) = setup();
        store
            .apply(EXPERT, BATCH, &[Change::flag("i0", true)], Source::Keyboard)
            .unwrap();
        // Only an undo writes a txns row (schema 10): one to protect.
        store.undo(EXPERT, BATCH).unwrap().unwrap();
        let conn = raw(dir.path());
        let e = conn
            .execute("UPDATE history SET new_value = 'x'", [])
            .unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
        let e = conn.execute("DELETE FROM history", []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
        assert!(conn.execute("DELETE FROM txns", []).is_err());
        assert!(
            conn.execute("UPDATE txns SET created_at = 'x'", [])
                .is_err()
        );
        assert_eq!(store.history(EXPERT, BATCH).unwrap().len(), 2);
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

    #[test]
    fn changes_since_keeps_a_loaded_state_current() {
        let (dir, store) = setup();
        let other = Store::open(dir.path()).unwrap();
        other.ensure_expert("e2", None).unwrap();
        let (mut state, mut seq) = store.load_at(EXPERT, BATCH).unwrap();
        assert_eq!(seq, 0);
        let mut rng = Rng(0x51_7CC1_B727_220A);
        let mut seen = 0;
        for step in 0..200 {
            let writer = if rng.below(2) == 0 { &store } else { &other };
            if rng.below(5) == 0 {
                writer.undo(EXPERT, BATCH).unwrap();
            } else {
                let changes: Vec<Change> = (0..1 + rng.below(3))
                    .map(|_| random_change(&mut rng))
                    .collect();
                writer
                    .apply(EXPERT, BATCH, &changes, Source::Keyboard)
                    .unwrap();
            }
            // Another expert's marks are not this state's.
            other
                .apply("e2", BATCH, &[random_change(&mut rng)], Source::Keyboard)
                .unwrap();
            let news = store.changes_since(EXPERT, BATCH, seq).unwrap();
            for a in news {
                assert!(a.seq > seq, "step {step}: in order");
                seq = a.seq;
                seen += 1;
                a.apply_to(&mut state);
            }
            // The same as a full load, times included.
            assert_eq!(state, store.load(EXPERT, BATCH).unwrap(), "step {step}");
        }
        assert!(seen > 150, "{seen} changes followed");
        assert_eq!(store.history(EXPERT, BATCH).unwrap().len(), seen);
        assert!(store.changes_since(EXPERT, BATCH, seq).unwrap().is_empty());
    }

    #[test]
    fn apply_since_reads_back_what_changes_since_and_data_version_would() {
        let (dir, store) = setup();
        let other = Store::open(dir.path()).unwrap();
        other.ensure_expert("e2", None).unwrap();
        let (mut state, mut seq) = store.load_at(EXPERT, BATCH).unwrap();
        let mut rng = Rng(0x0A11_5EED_C0FF_EE01);
        let (mut own, mut others, mut noops) = (0, 0, 0);
        for step in 0..200 {
            // Another session's writes (this expert's and another's) land in between.
            if rng.below(3) == 0 {
                let c = random_change(&mut rng);
                if other
                    .apply(EXPERT, BATCH, &[c], Source::Paper)
                    .unwrap()
                    .is_some()
                {
                    others += 1;
                }
            }
            other
                .apply("e2", BATCH, &[random_change(&mut rng)], Source::Keyboard)
                .unwrap();
            let changes: Vec<Change> = (0..1 + rng.below(3))
                .map(|_| random_change(&mut rng))
                .collect();
            let w = store
                .apply_since(EXPERT, BATCH, &changes, Source::Keyboard, seq)
                .unwrap();
            match w.txn {
                Some(_) => own += 1,
                None => noops += 1,
            }
            // The same rows as asking afterwards, and the version a poll would find.
            let later = store.changes_since(EXPERT, BATCH, seq).unwrap();
            assert_eq!(w.news, later, "step {step}");
            assert_eq!(w.data_version, store.data_version().unwrap(), "step {step}");
            for a in w.news {
                assert!(a.seq > seq, "step {step}: in order");
                seq = a.seq;
                a.apply_to(&mut state);
            }
            assert_eq!(state, store.load(EXPERT, BATCH).unwrap(), "step {step}");
        }
        assert!(own > 100 && others > 20, "{own} own, {others} others'");
        assert!(noops > 0 || own == 200, "{noops} no-ops");
        assert_consistent(&store);
    }

    #[test]
    fn apply_since_refuses_and_writes_nothing_as_apply_does() {
        let (_dir, store) = setup();
        let bad = [Change::score("nope", "c1", Some(5.0))];
        let err = store
            .apply_since(EXPERT, BATCH, &bad, Source::Keyboard, 0)
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownItem { .. }), "{err:?}");
        let err = store
            .apply_since(EXPERT, BATCH, &[], Source::Undo, 0)
            .unwrap_err();
        assert!(matches!(err, StoreError::UndoSourceReserved), "{err:?}");
        let none = store
            .apply_since(EXPERT, BATCH, &[], Source::Keyboard, 0)
            .unwrap();
        assert_eq!((none.txn, none.news.len()), (None, 0));
        let one = [Change::score("i1", "c1", Some(5.0))];
        let err = store
            .apply_since("nobody", BATCH, &one, Source::Keyboard, 0)
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownExpert(_)), "{err:?}");
        assert!(store.history(EXPERT, BATCH).unwrap().is_empty());
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
