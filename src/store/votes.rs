//! Votes and their signed ballots (schema 6): opened, cast once per expert, closed; never
//! changed. The store keeps each ballot as the signed text the expert's key made, so a tally
//! can verify every one; nothing here reads a choice out of a ballot.

use rusqlite::{OptionalExtension, params};

use crate::domain::vote::Stage;

use super::{Fail, Store, StoreError, now};

/// A vote as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRecord {
    /// The vote's number in this store (1, 2, …).
    pub id: i64,
    /// The batch's content hash.
    pub batch: String,
    /// 会评 or 终审.
    pub stage: Stage,
    /// The nominations voted on, in order.
    pub items: Vec<String>,
    /// Members of the panel (for the quorum).
    pub panel_size: u32,
    /// When it was opened (RFC 3339 UTC): part of what every ballot signs.
    pub opened_at: String,
    /// Who opened it.
    pub opened_by: String,
    /// When it was closed, if it was.
    pub closed_at: Option<String>,
}

/// A stored ballot: whose it is, how it came in, the signed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotRow {
    /// The expert it claims to be from.
    pub expert: String,
    /// `keyboard` or `paper`.
    pub source: String,
    /// The signed ballot (JSON).
    pub ballot: String,
}

/// What casting a ballot did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cast {
    /// Stored.
    Cast,
    /// The expert had cast a ballot already: nothing stored.
    Already,
    /// The vote is closed (or does not exist): nothing stored.
    Closed,
}

const VOTE_COLUMNS: &str = "v.id, v.batch, v.stage, v.items, v.panel_size, v.opened_at, \
                            v.opened_by, c.closed_at";

fn vote_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(VoteRecord, String, String)> {
    Ok((
        VoteRecord {
            id: r.get(0)?,
            batch: r.get(1)?,
            stage: Stage::Meeting,
            items: Vec::new(),
            panel_size: r.get(4)?,
            opened_at: r.get(5)?,
            opened_by: r.get(6)?,
            closed_at: r.get(7)?,
        },
        r.get(2)?,
        r.get(3)?,
    ))
}

fn finish(raw: (VoteRecord, String, String)) -> Result<VoteRecord, Fail> {
    let (mut v, stage, items) = raw;
    v.stage = Stage::parse(&stage)
        .ok_or_else(|| Fail::Corrupt(format!("vote {}: unknown stage '{stage}'", v.id)))?;
    v.items = serde_json::from_str(&items)
        .map_err(|e| Fail::Corrupt(format!("vote {}: items: {e}", v.id)))?;
    Ok(v)
}

impl Store {
    /// Opens a vote on `items` of a registered batch. Refused (None) while another vote on
    /// the batch is open.
    pub fn open_vote(
        &self,
        batch: &str,
        stage: Stage,
        items: &[String],
        panel_size: u32,
        opened_by: &str,
    ) -> Result<Option<VoteRecord>, StoreError> {
        let r = (|| -> Result<Option<VoteRecord>, Fail> {
            let tx = self.begin_write()?;
            let open: Option<i64> = tx
                .query_row(
                    "SELECT v.id FROM votes v LEFT JOIN vote_closings c ON c.vote = v.id
                     WHERE v.batch = ?1 AND c.vote IS NULL",
                    [batch],
                    |r| r.get(0),
                )
                .optional()?;
            if open.is_some() {
                return Ok(None);
            }
            let list = serde_json::to_string(items)
                .map_err(|e| Fail::Corrupt(format!("vote items: {e}")))?;
            let at = now();
            let id: i64 = tx.query_row(
                "INSERT INTO votes (batch, stage, items, panel_size, opened_at, opened_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                params![batch, stage.key(), list, panel_size, at, opened_by],
                |r| r.get(0),
            )?;
            tx.commit()?;
            Ok(Some(VoteRecord {
                id,
                batch: batch.to_string(),
                stage,
                items: items.to_vec(),
                panel_size,
                opened_at: at,
                opened_by: opened_by.to_string(),
                closed_at: None,
            }))
        })();
        self.wrap("open_vote", r)
    }

    /// Every vote on a batch, oldest first.
    pub fn votes(&self, batch: &str) -> Result<Vec<VoteRecord>, StoreError> {
        let r = (|| -> Result<Vec<VoteRecord>, Fail> {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT {VOTE_COLUMNS} FROM votes v LEFT JOIN vote_closings c ON c.vote = v.id
                 WHERE v.batch = ?1 ORDER BY v.id"
            ))?;
            let raw = st
                .query_map([batch], vote_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            raw.into_iter().map(finish).collect()
        })();
        self.wrap("votes", r)
    }

    /// The open vote on a batch, if any.
    pub fn open_vote_on(&self, batch: &str) -> Result<Option<VoteRecord>, StoreError> {
        Ok(self
            .votes(batch)?
            .into_iter()
            .find(|v| v.closed_at.is_none()))
    }

    /// Closes a vote; false if it was closed already.
    pub fn close_vote(&self, vote: i64, closed_by: &str) -> Result<bool, StoreError> {
        let r = (|| -> Result<bool, Fail> {
            let tx = self.begin_write()?;
            let n = tx.execute(
                "INSERT INTO vote_closings (vote, closed_at, closed_by) VALUES (?1, ?2, ?3)
                 ON CONFLICT (vote) DO NOTHING",
                params![vote, now(), closed_by],
            )?;
            tx.commit()?;
            Ok(n == 1)
        })();
        self.wrap("close_vote", r)
    }

    /// Stores an expert's signed ballot in an open vote, once.
    pub fn cast_ballot(
        &self,
        vote: i64,
        expert: &str,
        source: &str,
        ballot: &str,
    ) -> Result<Cast, StoreError> {
        let r = (|| -> Result<Cast, Fail> {
            let tx = self.begin_write()?;
            let open: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM votes WHERE id = ?1)
                    AND NOT EXISTS (SELECT 1 FROM vote_closings WHERE vote = ?1)",
                [vote],
                |r| r.get(0),
            )?;
            if !open {
                return Ok(Cast::Closed);
            }
            let n = tx.execute(
                "INSERT INTO ballots (vote, expert, source, ballot) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (vote, expert) DO NOTHING",
                params![vote, expert, source, ballot],
            )?;
            tx.commit()?;
            Ok(if n == 1 { Cast::Cast } else { Cast::Already })
        })();
        self.wrap("cast_ballot", r)
    }

    /// Whether `expert` has cast a ballot in a vote.
    pub fn has_cast(&self, vote: i64, expert: &str) -> Result<bool, StoreError> {
        let r = (|| -> Result<bool, Fail> {
            Ok(self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM ballots WHERE vote = ?1 AND expert = ?2)",
                params![vote, expert],
                |r| r.get(0),
            )?)
        })();
        self.wrap("has_cast", r)
    }

    /// Every ballot of a vote, by expert id (the order says nothing about when each came).
    pub fn ballots(&self, vote: i64) -> Result<Vec<BallotRow>, StoreError> {
        let r = (|| -> Result<Vec<BallotRow>, Fail> {
            let mut st = self.conn.prepare_cached(
                "SELECT expert, source, ballot FROM ballots WHERE vote = ?1 ORDER BY expert",
            )?;
            let rows = st.query_map([vote], |r| {
                Ok(BallotRow {
                    expert: r.get(0)?,
                    source: r.get(1)?,
                    ballot: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })();
        self.wrap("ballots", r)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn a_vote_opens_once_takes_one_ballot_each_and_closes() {
        let (_dir, store) = setup();
        let batch = BATCH.to_string();
        let items = vec!["A".to_string(), "B".to_string()];
        let v = store
            .open_vote(&batch, Stage::Meeting, &items, 5, "chair")
            .unwrap()
            .unwrap();
        assert_eq!(v.id, 1);
        assert_eq!(
            store
                .open_vote(&batch, Stage::Final, &items, 5, "chair")
                .unwrap(),
            None,
            "one open vote per batch"
        );
        assert_eq!(
            store.cast_ballot(1, "wang", "keyboard", "{}").unwrap(),
            Cast::Cast
        );
        assert_eq!(
            store.cast_ballot(1, "wang", "paper", "{x}").unwrap(),
            Cast::Already
        );
        assert!(store.has_cast(1, "wang").unwrap());
        assert!(!store.has_cast(1, "li").unwrap());
        assert_eq!(store.ballots(1).unwrap()[0].ballot, "{}");
        assert_eq!(store.open_vote_on(&batch).unwrap(), Some(v.clone()));
        assert!(store.close_vote(1, "chair").unwrap());
        assert!(!store.close_vote(1, "chair").unwrap());
        assert_eq!(
            store.cast_ballot(1, "li", "keyboard", "{}").unwrap(),
            Cast::Closed
        );
        assert_eq!(
            store.cast_ballot(9, "li", "keyboard", "{}").unwrap(),
            Cast::Closed
        );
        assert_eq!(store.open_vote_on(&batch).unwrap(), None);
        let all = store.votes(&batch).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].items, items);
        assert!(all[0].closed_at.is_some());
        // A cast ballot cannot be changed or removed through SQL either.
        assert!(
            store
                .conn
                .execute("UPDATE ballots SET ballot = 'x'", [])
                .is_err()
        );
        assert!(store.conn.execute("DELETE FROM ballots", []).is_err());
    }
}
