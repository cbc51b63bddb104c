//! The audit trail (`revdesk history`): every change to the experts' marks, across batches,
//! and every sheet the chair's view read or refused.

use rusqlite::{Connection, params};
use serde::Serialize;

use super::{Fail, HistoryRow, Store, StoreError, now};

/// One sheet as the chair's view found it: accepted, or refused and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetRead {
    /// The sheet's file, or what stands for it (`…/revdesk.db#wang` for a server's marks).
    pub sheet: String,
    /// Whose sheet, when known (a refused file may not say).
    pub expert: Option<String>,
    /// The sheet's number, when known.
    pub sequence: Option<u64>,
    /// Why it was refused; `None` when it was accepted.
    pub reason: Option<String>,
    /// The signed content's SHA-256 (hex), for an accepted sheet.
    pub digest: Option<String>,
    /// The review round the sheet was written in (1 when it cannot be known: a refused file).
    pub round: u32,
}

/// A recorded [`SheetRead`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetReadRow {
    /// Its place in the log.
    pub seq: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// The chair whose view read it.
    pub chair: String,
    /// The batch hash.
    pub batch: String,
    /// The review round (1 until the store records rounds).
    pub round: i64,
    /// What was read.
    #[serde(flatten)]
    pub read: SheetRead,
}

/// One change to an expert's marks, with its round.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailChange {
    /// The history row.
    pub row: HistoryRow,
    /// The review round (1 until the store records rounds).
    pub round: i64,
    /// Why the expert revised, for a change in a discussion round.
    pub reason: Option<String>,
}

/// What part of the trail to read; `None` is everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailFilter {
    /// One expert's changes, and the chair's reads of that expert's sheets.
    pub expert: Option<String>,
    /// One batch (hash).
    pub batch: Option<String>,
    /// One nomination's changes.
    pub item: Option<String>,
}

/// The SQL for the round of a row of `table`: its `round` column once the store has one.
fn round_expr(conn: &Connection, table: &str) -> rusqlite::Result<&'static str> {
    let has: bool = conn
        .prepare_cached("SELECT count(*) > 0 FROM pragma_table_info(?1) WHERE name = 'round'")?
        .query_row([table], |r| r.get(0))?;
    Ok(if has { "round" } else { "1" })
}

impl Store {
    /// Records what the chair's view read of `batch` in one transaction, each sheet only when
    /// it is new to this chair or its number, verdict or reason changed since the last row for
    /// it; how many rows were written. Nothing is written (and nobody watching the store wakes)
    /// when nothing changed.
    pub fn record_sheet_reads(
        &self,
        chair: &str,
        batch: &str,
        reads: &[SheetRead],
    ) -> Result<usize, StoreError> {
        let r = (|| -> Result<usize, Fail> {
            // A live view re-reads on every change: a cheap look first, the write lock only
            // when something is new.
            if fresh(&self.conn, chair, batch, reads)?.is_empty() {
                return Ok(0);
            }
            let tx = self.begin_write()?;
            let new = fresh(&tx, chair, batch, reads)?;
            let at = now();
            for read in &new {
                let verdict = if read.reason.is_some() {
                    "refused"
                } else {
                    "accepted"
                };
                // Why the cast: sheet numbers are small; SQLite keeps signed integers.
                let sequence = read.sequence.map(|s| s as i64);
                tx.prepare_cached(
                    "INSERT INTO sheet_reads
                     (at, chair, batch, sheet, expert, sequence, verdict, reason, digest, round)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    at,
                    chair,
                    batch,
                    read.sheet,
                    read.expert,
                    sequence,
                    verdict,
                    read.reason,
                    read.digest,
                    read.round
                ])?;
            }
            tx.commit()?;
            Ok(new.len())
        })();
        self.wrap("record_sheet_reads", r)
    }

    /// The chair's recorded reads, oldest first: of `filter.expert`'s sheets and
    /// `filter.batch` when given (`filter.item` does not apply: a read is of a whole sheet).
    pub fn sheet_reads(&self, filter: &TrailFilter) -> Result<Vec<SheetReadRow>, StoreError> {
        let r = (|| -> Result<Vec<SheetReadRow>, Fail> {
            let round = round_expr(&self.conn, "sheet_reads")?;
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT seq, at, chair, batch, {round}, sheet, expert, sequence, verdict, reason,
                        digest
                 FROM sheet_reads
                 WHERE (?1 IS NULL OR expert = ?1) AND (?2 IS NULL OR batch = ?2)
                 ORDER BY seq"
            ))?;
            let mut rows = st.query(params![filter.expert, filter.batch])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                let verdict: String = r.get(8)?;
                let reason: Option<String> = r.get(9)?;
                if (verdict == "refused") != reason.is_some() {
                    return Err(Fail::Corrupt(format!(
                        "sheet read {seq} has verdict {verdict:?} and reason {reason:?}"
                    )));
                }
                let sequence: Option<i64> = r.get(7)?;
                out.push(SheetReadRow {
                    seq,
                    at: r.get(1)?,
                    chair: r.get(2)?,
                    batch: r.get(3)?,
                    round: r.get(4)?,
                    read: SheetRead {
                        sheet: r.get(5)?,
                        expert: r.get(6)?,
                        sequence: sequence.and_then(|s| u64::try_from(s).ok()),
                        reason,
                        digest: r.get(10)?,
                        round: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(1),
                    },
                });
            }
            Ok(out)
        })();
        self.wrap("sheet_reads", r)
    }

    /// Every change to the marks that `filter` selects, across experts and batches, oldest
    /// first, with its round.
    pub fn trail(&self, filter: &TrailFilter) -> Result<Vec<TrailChange>, StoreError> {
        let r = (|| -> Result<Vec<TrailChange>, Fail> {
            let round = round_expr(&self.conn, "history")?;
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT seq, txn, expert, batch, item, field, old_value, new_value, at, source,
                        undoes, {round},
                        (SELECT v.reason FROM revisions v
                         WHERE v.txn = history.txn AND v.item = history.item)
                 FROM history
                 WHERE (?1 IS NULL OR expert = ?1) AND (?2 IS NULL OR batch = ?2)
                   AND (?3 IS NULL OR item = ?3)
                 ORDER BY seq"
            ))?;
            let mut rows = st.query(params![filter.expert, filter.batch, filter.item])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(TrailChange {
                    row: super::marks::history_row(r)?,
                    round: r.get(11)?,
                    reason: r.get(12)?,
                });
            }
            Ok(out)
        })();
        self.wrap("trail", r)
    }
}

/// The reads in `reads` that [`is_recorded`] does not find.
fn fresh<'a>(
    conn: &Connection,
    chair: &str,
    batch: &str,
    reads: &'a [SheetRead],
) -> rusqlite::Result<Vec<&'a SheetRead>> {
    let mut out = Vec::new();
    for read in reads {
        if !is_recorded(conn, chair, batch, read)? {
            out.push(read);
        }
    }
    Ok(out)
}

/// Whether the latest row for this chair, batch and sheet says what `read` says.
fn is_recorded(
    conn: &Connection,
    chair: &str,
    batch: &str,
    read: &SheetRead,
) -> rusqlite::Result<bool> {
    let last: Option<(Option<String>, Option<i64>, Option<String>)> = {
        let mut st = conn.prepare_cached(
            "SELECT expert, sequence, reason FROM sheet_reads
             WHERE chair = ?1 AND batch = ?2 AND sheet = ?3 ORDER BY seq DESC LIMIT 1",
        )?;
        let mut rows = st.query(params![chair, batch, read.sheet])?;
        match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
            None => None,
        }
    };
    let sequence = read.sequence.map(|s| s as i64);
    Ok(last.is_some_and(|(expert, seq, reason)| {
        expert == read.expert && seq == sequence && reason == read.reason
    }))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::store::{Change, Source};

    fn read(sheet: &str, expert: Option<&str>, seq: Option<u64>, why: Option<&str>) -> SheetRead {
        SheetRead {
            sheet: sheet.into(),
            expert: expert.map(Into::into),
            sequence: seq,
            reason: why.map(Into::into),
            digest: None,
            round: 1,
        }
    }

    #[test]
    fn a_read_is_recorded_once_until_it_changes_and_never_altered() {
        let (dir, store) = setup();
        let good = read("s/e1.json", Some("e1"), Some(1), None);
        let bad = read("s/x.json", None, None, Some("malformed JSON"));
        let both = [good.clone(), bad.clone()];
        let watcher = Store::open(dir.path()).unwrap();
        let v = watcher.data_version().unwrap();
        assert_eq!(store.record_sheet_reads("chair", BATCH, &both).unwrap(), 2);
        let v2 = watcher.data_version().unwrap();
        assert_ne!(v2, v);
        assert_eq!(store.record_sheet_reads("chair", BATCH, &both).unwrap(), 0);
        assert_eq!(
            watcher.data_version().unwrap(),
            v2,
            "a repeat writes nothing"
        );
        // Another chair's view, a new number, a new reason: each a row.
        assert_eq!(store.record_sheet_reads("li", BATCH, &both).unwrap(), 2);
        let newer = read("s/e1.json", Some("e1"), Some(2), None);
        let worse = read("s/x.json", None, None, Some("not a revdesk sheet"));
        assert_eq!(
            store
                .record_sheet_reads("chair", BATCH, &[newer, worse])
                .unwrap(),
            2
        );
        let all = store.sheet_reads(&TrailFilter::default()).unwrap();
        assert_eq!(all.len(), 6);
        assert!(
            all.windows(2)
                .all(|w| w[0].seq < w[1].seq && w[0].at <= w[1].at)
        );
        assert_eq!(all[0].read, good);
        assert_eq!((all[0].round, all[0].chair.as_str()), (1, "chair"));
        let e1 = TrailFilter {
            expert: Some("e1".into()),
            ..TrailFilter::default()
        };
        let seqs: Vec<Option<u64>> = store
            .sheet_reads(&e1)
            .unwrap()
            .iter()
            .map(|r| r.read.sequence)
            .collect();
        assert_eq!(seqs, [Some(1), Some(1), Some(2)]);
        let elsewhere = TrailFilter {
            batch: Some("other".into()),
            ..TrailFilter::default()
        };
        assert!(store.sheet_reads(&elsewhere).unwrap().is_empty());
        let conn = raw(dir.path());
        for sql in [
            "UPDATE sheet_reads SET reason = 'x'",
            "DELETE FROM sheet_reads",
        ] {
            let e = conn.execute(sql, []).unwrap_err();
            assert!(e.to_string().contains("append-only"), "{sql}: {e}");
        }
        // A refusal without a reason cannot even be stored.
        assert!(
            conn.execute(
                "INSERT INTO sheet_reads (at, chair, batch, sheet, verdict)
                 VALUES ('t', 'c', 'b', 's', 'refused')",
                [],
            )
            .is_err()
        );
    }

    #[test]
    fn the_trail_spans_experts_and_filters_by_expert_batch_and_item() {
        let (_dir, store) = setup();
        store.ensure_expert("e2", None).unwrap();
        store
            .register_batch("b2", "Batch 2", "AI", &item_ids())
            .unwrap();
        let score = |v| [Change::score("i1", "feasibility", Some(v))];
        store
            .apply(EXPERT, BATCH, &score(7.0), Source::Keyboard)
            .unwrap();
        store
            .apply("e2", BATCH, &score(6.0), Source::Paper)
            .unwrap();
        store
            .apply(
                EXPERT,
                "b2",
                &[Change::comment("i2", "好")],
                Source::Keyboard,
            )
            .unwrap();
        store.undo(EXPERT, BATCH).unwrap();
        let all = store.trail(&TrailFilter::default()).unwrap();
        /// Expert, item, source, old, new.
        type Seen<'a> = (&'a str, &'a str, Source, Option<&'a str>, Option<&'a str>);
        let got: Vec<Seen> = all
            .iter()
            .map(|c| {
                let r = &c.row;
                (
                    r.expert.as_str(),
                    r.item.as_str(),
                    r.source,
                    r.old_value.as_deref(),
                    r.new_value.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("e1", "i1", Source::Keyboard, None, Some("7")),
                ("e2", "i1", Source::Paper, None, Some("6")),
                ("e1", "i2", Source::Keyboard, Some(""), Some("好")),
                ("e1", "i1", Source::Undo, Some("7"), None),
            ]
        );
        assert!(all.iter().all(|c| c.round == 1));
        let only = |f: TrailFilter| store.trail(&f).unwrap().len();
        let f = TrailFilter::default;
        assert_eq!(
            only(TrailFilter {
                expert: Some("e1".into()),
                ..f()
            }),
            3
        );
        assert_eq!(
            only(TrailFilter {
                batch: Some("b2".into()),
                ..f()
            }),
            1
        );
        assert_eq!(
            only(TrailFilter {
                item: Some("i1".into()),
                expert: Some("e1".into()),
                ..f()
            }),
            2
        );
    }

    #[test]
    fn each_change_carries_its_round() {
        let (_dir, store) = setup();
        let score = |v| [Change::score("i1", "feasibility", Some(v))];
        store
            .apply(EXPERT, BATCH, &score(7.0), Source::Keyboard)
            .unwrap();
        store
            .open_round(&crate::store::RoundOpening {
                batch: BATCH.into(),
                round: 2,
                selection: crate::store::Selection::Items,
                items: vec!["i1".into()],
                opened_by: "chair".into(),
                opened_at: String::new(),
                spread: Default::default(),
            })
            .unwrap();
        store
            .revise(EXPERT, BATCH, &score(9.0), Source::Keyboard, "会上说明")
            .unwrap();
        // A nomination outside the round stays in round 1.
        store
            .apply(
                EXPERT,
                BATCH,
                &[Change::score("i2", "feasibility", Some(5.0))],
                Source::Keyboard,
            )
            .unwrap();
        let t = store.trail(&TrailFilter::default()).unwrap();
        let rounds: Vec<i64> = t.iter().map(|c| c.round).collect();
        assert_eq!(rounds, [1, 2, 1]);
        let reasons: Vec<Option<&str>> = t.iter().map(|c| c.reason.as_deref()).collect();
        assert_eq!(reasons, [None, Some("会上说明"), None]);
    }
}
