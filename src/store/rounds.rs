//! Discussion rounds in the store: openings, their nominations, revisions with reasons, and
//! round 1's marks read back from history.

use rusqlite::{Connection, params};
use std::collections::BTreeMap;

use super::{Fail, Store, StoreError, now};
use crate::domain::marks::{Change, Source};
pub use crate::domain::rounds::{Revision, RoundOpening, Selection, Spread};

/// One revision row per nomination revised in transaction `txn`.
pub(super) fn record_revisions(
    conn: &Connection,
    txn: i64,
    expert: &str,
    batch: &str,
    revised: &[(String, u32)],
    reason: &str,
    at: &str,
) -> Result<(), Fail> {
    for (item, round) in revised {
        conn.prepare_cached(
            "INSERT INTO revisions (txn, expert, batch, item, round, reason, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![txn, expert, batch, item, round, reason.trim(), at])?;
    }
    Ok(())
}

impl Store {
    /// Revises marks with a reason: as [`Store::apply`], and nominations in a discussion round
    /// may have their scores changed; the reason is kept with each of them.
    pub fn revise(
        &self,
        expert: &str,
        batch: &str,
        changes: &[Change],
        source: Source,
        reason: &str,
    ) -> Result<Option<i64>, StoreError> {
        let long = crate::domain::marks::check_length(
            "revision reason",
            reason,
            crate::domain::marks::MAX_REASON_CHARS,
        );
        if let (Err(source), Some(c)) = (long, changes.first()) {
            return Err(StoreError::TextTooLong {
                item: c.item().to_string(),
                source,
            });
        }
        self.apply_with_reason(expert, batch, changes, source, Some(reason))
    }

    /// Opens discussion round `opening.round` (the round after the latest) for its nominations;
    /// its sequence number.
    pub fn open_round(&self, opening: &RoundOpening) -> Result<i64, StoreError> {
        let r = (|| -> Result<i64, Fail> {
            let tx = self.begin_write()?;
            let latest: u32 = tx
                .prepare_cached("SELECT coalesce(max(round), 1) FROM rounds WHERE batch = ?1")?
                .query_row([&opening.batch], |r| r.get(0))?;
            if opening.round != latest + 1 || opening.items.is_empty() {
                return Err(StoreError::RoundNotNext {
                    round: opening.round,
                    next: latest + 1,
                }
                .into());
            }
            let spread = serde_json::to_string(&opening.spread)
                .map_err(|e| Fail::Corrupt(format!("round spread: {e}")))?;
            let seq: i64 = tx
                .prepare_cached(
                    "INSERT INTO rounds (batch, round, selection, opened_by, opened_at, spread)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING seq",
                )?
                .query_row(
                    params![
                        opening.batch,
                        opening.round,
                        opening.selection.as_str(),
                        opening.opened_by,
                        now(),
                        spread
                    ],
                    |r| r.get(0),
                )?;
            for item in &opening.items {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO round_items (batch, round, item) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![opening.batch, opening.round, item])?;
            }
            tx.commit()?;
            Ok(seq)
        })();
        self.wrap("open_round", r)
    }

    /// The discussion rounds opened on `batch`, oldest first.
    pub fn rounds(&self, batch: &str) -> Result<Vec<RoundOpening>, StoreError> {
        let r = (|| -> Result<Vec<RoundOpening>, Fail> {
            let tx = self.begin_read()?;
            let mut out = Vec::new();
            {
                let mut stmt = tx.prepare_cached(
                    "SELECT round, selection, opened_by, opened_at, spread FROM rounds
                     WHERE batch = ?1 ORDER BY round",
                )?;
                let mut rows = stmt.query([batch])?;
                while let Some(r) = rows.next()? {
                    let selection: String = r.get(1)?;
                    let spread: String = r.get(4)?;
                    out.push(RoundOpening {
                        batch: batch.to_string(),
                        round: r.get(0)?,
                        selection: selection.parse().map_err(|_| {
                            Fail::Corrupt(format!("unknown round selection {selection:?}"))
                        })?,
                        items: Vec::new(),
                        opened_by: r.get(2)?,
                        opened_at: r.get(3)?,
                        spread: serde_json::from_str(&spread)
                            .map_err(|e| Fail::Corrupt(format!("round spread: {e}")))?,
                    });
                }
                let mut stmt = tx.prepare_cached(
                    "SELECT round, item FROM round_items WHERE batch = ?1 ORDER BY round, item",
                )?;
                let mut rows = stmt.query([batch])?;
                while let Some(r) = rows.next()? {
                    let round: u32 = r.get(0)?;
                    if let Some(o) = out.iter_mut().find(|o| o.round == round) {
                        o.items.push(r.get(1)?);
                    }
                }
            }
            tx.commit()?;
            Ok(out)
        })();
        self.wrap("rounds", r)
    }

    /// The latest round of `batch`: 1 until a discussion round is opened.
    pub fn current_round(&self, batch: &str) -> Result<u32, StoreError> {
        let r = (|| -> Result<u32, Fail> {
            Ok(self
                .conn
                .prepare_cached("SELECT coalesce(max(round), 1) FROM rounds WHERE batch = ?1")?
                .query_row([batch], |r| r.get(0))?)
        })();
        self.wrap("current_round", r)
    }

    /// Every revision with its reason on `batch`, oldest first.
    pub fn revisions(&self, batch: &str) -> Result<Vec<Revision>, StoreError> {
        let r = (|| -> Result<Vec<Revision>, Fail> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT expert, item, round, reason, at, txn FROM revisions
                 WHERE batch = ?1 ORDER BY seq",
            )?;
            let mut rows = stmt.query([batch])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(Revision {
                    expert: r.get(0)?,
                    item: r.get(1)?,
                    round: r.get(2)?,
                    reason: r.get(3)?,
                    at: r.get(4)?,
                    txn: r.get(5)?,
                });
            }
            Ok(out)
        })();
        self.wrap("revisions", r)
    }

    /// Per nomination, the latest revision reason of `expert` in round `round`.
    pub fn revision_reasons(
        &self,
        expert: &str,
        batch: &str,
        round: u32,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        Ok(self
            .revisions(batch)?
            .into_iter()
            .filter(|r| r.expert == expert && r.round == round)
            .map(|r| (r.item, r.reason))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn opening(round: u32, items: &[&str]) -> RoundOpening {
        RoundOpening {
            batch: BATCH.into(),
            round,
            selection: Selection::Items,
            items: items.iter().map(|s| s.to_string()).collect(),
            opened_by: "chair".into(),
            opened_at: String::new(),
            spread: Default::default(),
        }
    }

    #[test]
    fn round_two_needs_a_reason_and_keeps_round_one() {
        let (dir, store) = setup();
        let score = |v| vec![Change::score("i1", "feasibility", Some(v))];
        store
            .apply(EXPERT, BATCH, &score(6.0), Source::Keyboard)
            .unwrap();
        assert_eq!(store.current_round(BATCH).unwrap(), 1);
        assert!(matches!(
            store.open_round(&opening(3, &["i1"])),
            Err(StoreError::RoundNotNext { next: 2, .. })
        ));
        assert!(store.open_round(&opening(2, &[])).is_err());
        store.open_round(&opening(2, &["i1"])).unwrap();
        assert_eq!(store.current_round(BATCH).unwrap(), 2);
        // Without a reason: refused, nothing stored.
        let e = store
            .apply(EXPERT, BATCH, &score(8.0), Source::Keyboard)
            .unwrap_err();
        assert!(
            matches!(e, StoreError::RevisionNeedsReason { round: 2, .. }),
            "{e}"
        );
        assert!(
            store
                .revise(EXPERT, BATCH, &score(8.0), Source::Keyboard, "  ")
                .is_err()
        );
        // The same score again is no revision.
        assert_eq!(
            store
                .apply(EXPERT, BATCH, &score(6.0), Source::Paper)
                .unwrap(),
            None
        );
        // A comment needs none.
        store
            .apply(
                EXPERT,
                BATCH,
                &[Change::comment("i1", "见会议")],
                Source::Keyboard,
            )
            .unwrap();
        store
            .revise(EXPERT, BATCH, &score(8.0), Source::Keyboard, "讨论后认同")
            .unwrap();
        let now = store.load(EXPERT, BATCH).unwrap();
        let r1 = store.marks_up_to(EXPERT, BATCH, 1).unwrap();
        assert_eq!(now.items["i1"].scores["feasibility"], 8.0);
        assert_eq!(r1.items["i1"].scores["feasibility"], 6.0);
        let revs = store.revisions(BATCH).unwrap();
        assert_eq!(revs.len(), 1);
        assert_eq!((revs[0].item.as_str(), revs[0].round), ("i1", 2));
        assert_eq!(revs[0].reason, "讨论后认同");
        let rounds = store.rounds(BATCH).unwrap();
        assert_eq!(rounds[0].items, ["i1"]);
        // Append-only.
        let raw = raw(dir.path());
        assert!(raw.execute("DELETE FROM revisions", []).is_err());
        assert!(raw.execute("UPDATE rounds SET round = 5", []).is_err());
        assert!(raw.execute("DELETE FROM round_items", []).is_err());
    }

    #[test]
    fn a_changed_score_after_an_unchanged_one_still_needs_a_reason() {
        let (_dir, store) = setup();
        let both = |a, b| {
            vec![
                Change::score("i1", "feasibility", Some(a)),
                Change::score("i1", "novelty", Some(b)),
            ]
        };
        store
            .apply(EXPERT, BATCH, &both(6.0, 6.0), Source::Paper)
            .unwrap();
        store.open_round(&opening(2, &["i1"])).unwrap();
        let before = store.history(EXPERT, BATCH).unwrap().len();
        // A round's sheet typed back: the first score as it was, the second changed.
        let e = store
            .apply(EXPERT, BATCH, &both(6.0, 9.0), Source::Paper)
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::RevisionNeedsReason { item, round: 2 } if item == "i1"),
            "{e}"
        );
        assert_eq!(store.history(EXPERT, BATCH).unwrap().len(), before);
        assert_eq!(
            store.load(EXPERT, BATCH).unwrap().items["i1"].scores["novelty"],
            6.0
        );
        // With a reason it is stored, and the nomination recorded as revised once.
        store
            .revise(EXPERT, BATCH, &both(6.0, 9.0), Source::Paper, "复议")
            .unwrap();
        assert_eq!(
            store.load(EXPERT, BATCH).unwrap().items["i1"].scores["novelty"],
            9.0
        );
        let revs = store.revisions(BATCH).unwrap();
        assert_eq!(revs.len(), 1);
        assert_eq!((revs[0].item.as_str(), revs[0].round), ("i1", 2));
    }
}
