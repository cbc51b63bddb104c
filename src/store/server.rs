//! What the review server keeps in its store: the audit log, invite codes, the SSH keys
//! experts pinned with them, and read-only views of the experts' marks for the chair.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::access::{AuditEvent, AuditKind, AuditRow};

use super::{Fail, Store, StoreError, now};

/// What became of an invite code offered at login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteOutcome {
    /// The code was good and is now used. `pinned`: the offered key is pinned to the expert
    /// (by this code, or already before).
    Accepted {
        /// Whether the offered key is pinned to the expert.
        pinned: bool,
    },
    /// No such code for this expert (a code of another expert is unknown too).
    Unknown,
    /// The code's time is up.
    Expired,
    /// The code was used before.
    AlreadyUsed,
    /// A later invite for the expert replaced it.
    Revoked,
    /// The offered key is pinned to another expert; nothing changed, the code stays unused.
    KeyTaken,
}

/// One invite as stored (the code itself is never kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRow {
    /// Its number.
    pub seq: i64,
    /// The expert it is for.
    pub expert: String,
    /// When it was issued, RFC 3339 UTC.
    pub created_at: String,
    /// When it stops working, RFC 3339 UTC.
    pub expires_at: String,
    /// When it was used, if it was.
    pub used_at: Option<String>,
    /// The address it was used from.
    pub used_from: Option<String>,
    /// When a later invite replaced it, if one did.
    pub revoked_at: Option<String>,
    /// The invite that replaced it.
    pub revoked_by: Option<i64>,
}

/// A caller's time that is not RFC 3339: refused like any value SQLite cannot take.
fn timestamp(text: &str) -> Result<jiff::Timestamp, Fail> {
    text.parse::<jiff::Timestamp>()
        .map_err(|e| Fail::Sql(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
}

/// A stored time; a bad one means the store is damaged.
fn stored_time(text: &str, what: &str) -> Result<jiff::Timestamp, Fail> {
    text.parse::<jiff::Timestamp>()
        .map_err(|e| Fail::Corrupt(format!("{what} {text:?} is not an RFC 3339 time: {e}")))
}

/// Appends `e` on `conn` (the store's connection or an open transaction); its sequence number.
fn append_in(conn: &Connection, e: &AuditEvent) -> rusqlite::Result<i64> {
    let kind: &str = e.kind.into();
    conn.prepare_cached(
        "INSERT INTO audit (at, kind, who, fingerprint, address, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING seq",
    )?
    .query_row(
        params![now(), kind, e.who, e.fingerprint, e.address, e.detail],
        |r| r.get(0),
    )
}

impl Store {
    /// Appends an event to the audit log; its sequence number.
    pub fn audit_append(&self, e: &AuditEvent) -> Result<i64, StoreError> {
        let r = append_in(&self.conn, e).map_err(Fail::from);
        self.wrap("audit_append", r)
    }

    /// The whole audit log, oldest first.
    pub fn audit(&self) -> Result<Vec<AuditRow>, StoreError> {
        let r = (|| -> Result<Vec<AuditRow>, Fail> {
            let mut st = self.conn.prepare_cached(
                "SELECT seq, at, kind, who, fingerprint, address, detail FROM audit ORDER BY seq",
            )?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    AuditEvent {
                        kind: AuditKind::ServerStart,
                        who: r.get(3)?,
                        fingerprint: r.get(4)?,
                        address: r.get(5)?,
                        detail: r.get(6)?,
                    },
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, at, kind, mut event) = row?;
                event.kind = kind.parse().map_err(|_| {
                    Fail::Corrupt(format!("audit entry {seq} has an unknown kind {kind:?}"))
                })?;
                out.push(AuditRow { seq, at, event });
            }
            Ok(out)
        })();
        self.wrap("audit", r)
    }

    /// Issues an invite for `expert` (its code's hash, valid until `expires_at`, RFC 3339),
    /// revoking the expert's earlier invites that are neither used nor expired; audited as
    /// `invite_issued`. Its sequence number.
    pub fn create_invite(
        &self,
        expert: &str,
        code_hash: &str,
        expires_at: &str,
    ) -> Result<i64, StoreError> {
        let r = (|| -> Result<i64, Fail> {
            let expires = timestamp(expires_at)?;
            let tx = self.begin_write()?;
            let today = jiff::Timestamp::now();
            let at = format!("{today:.6}");
            let seq: i64 = tx
                .prepare_cached(
                    "INSERT INTO invites (expert, code_hash, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4) RETURNING seq",
                )?
                .query_row(
                    params![expert, code_hash, at, format!("{expires:.6}")],
                    |r| r.get(0),
                )?;
            let mut revoked = 0;
            for old in invites_in(&tx, expert)? {
                let open = old.seq != seq && old.used_at.is_none() && old.revoked_at.is_none();
                if open && stored_time(&old.expires_at, "expires_at")? > today {
                    tx.prepare_cached(
                        "UPDATE invites SET revoked_at = ?1, revoked_by = ?2 WHERE seq = ?3",
                    )?
                    .execute(params![at, seq, old.seq])?;
                    revoked += 1;
                }
            }
            let mut detail = format!("invite #{seq}, valid until {expires:.0}");
            if revoked > 0 {
                detail.push_str(&format!("; {revoked} earlier unused invite(s) revoked"));
            }
            append_in(
                &tx,
                &AuditEvent {
                    who: Some(expert.to_string()),
                    ..AuditEvent::new(AuditKind::InviteIssued, detail)
                },
            )?;
            tx.commit()?;
            Ok(seq)
        })();
        self.wrap("create_invite", r)
    }

    /// The invites issued for `expert`, oldest first.
    pub fn invites(&self, expert: &str) -> Result<Vec<InviteRow>, StoreError> {
        let r = invites_in(&self.conn, expert).map_err(Fail::from);
        self.wrap("invites", r)
    }

    /// One transaction: checks the code (exists for this expert, unused, not revoked, not
    /// expired at `now`), marks it used, pins `offered` (OpenSSH text, fingerprint) if given,
    /// and audits `invite_used` (and `key_pinned` for a key pinned now). A key pinned to
    /// another expert is refused ([`InviteOutcome::KeyTaken`]) and changes nothing. Refusals are
    /// not audited here: the caller knows what else to record (the login that failed).
    pub fn redeem_invite(
        &self,
        expert: &str,
        code_hash: &str,
        now: &str,
        address: &str,
        offered: Option<(&str, &str)>,
    ) -> Result<InviteOutcome, StoreError> {
        let r = (|| -> Result<InviteOutcome, Fail> {
            let at = timestamp(now)?;
            let tx = self.begin_write()?;
            let found: Option<InviteRow> = tx
                .prepare_cached(&format!("{INVITE_SELECT} WHERE code_hash = ?1"))?
                .query_row([code_hash], invite_row)
                .optional()?;
            let Some(invite) = found.filter(|i| i.expert == expert) else {
                return Ok(InviteOutcome::Unknown);
            };
            if invite.used_at.is_some() {
                return Ok(InviteOutcome::AlreadyUsed);
            }
            if invite.revoked_at.is_some() {
                return Ok(InviteOutcome::Revoked);
            }
            if at >= stored_time(&invite.expires_at, "expires_at")? {
                return Ok(InviteOutcome::Expired);
            }
            let mut pinned = false;
            let mut newly = None;
            if let Some((text, fingerprint)) = offered {
                let owner: Option<String> = tx
                    .prepare_cached("SELECT expert FROM pinned_keys WHERE fingerprint = ?1")?
                    .query_row([fingerprint], |r| r.get(0))
                    .optional()?;
                match owner {
                    Some(o) if o != expert => return Ok(InviteOutcome::KeyTaken),
                    Some(_) => pinned = true,
                    None => {
                        tx.prepare_cached(
                            "INSERT INTO pinned_keys (fingerprint, expert, public_key, pinned_at, invite)
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                        )?
                        .execute(params![fingerprint, expert, text, format!("{at:.6}"), invite.seq])?;
                        pinned = true;
                        newly = Some(fingerprint);
                    }
                }
            }
            tx.prepare_cached("UPDATE invites SET used_at = ?1, used_from = ?2 WHERE seq = ?3")?
                .execute(params![format!("{at:.6}"), address, invite.seq])?;
            let event = |kind, detail: String| AuditEvent {
                kind,
                who: Some(expert.to_string()),
                fingerprint: offered.map(|(_, fp)| fp.to_string()),
                address: Some(address.to_string()),
                detail,
            };
            append_in(
                &tx,
                &event(AuditKind::InviteUsed, format!("invite #{}", invite.seq)),
            )?;
            if newly.is_some() {
                append_in(
                    &tx,
                    &event(
                        AuditKind::KeyPinned,
                        format!("SSH key pinned with invite #{}", invite.seq),
                    ),
                )?;
            }
            tx.commit()?;
            Ok(InviteOutcome::Accepted { pinned })
        })();
        self.wrap("redeem_invite", r)
    }

    /// The SSH keys pinned to `expert` (OpenSSH text), oldest first.
    pub fn pinned_keys(&self, expert: &str) -> Result<Vec<String>, StoreError> {
        self.texts(
            "pinned_keys",
            "SELECT public_key FROM pinned_keys WHERE expert = ?1 ORDER BY pinned_at, fingerprint",
            expert,
        )
    }

    /// The experts with marks on batch `batch` (hash), sorted.
    pub fn experts_with_marks(&self, batch: &str) -> Result<Vec<String>, StoreError> {
        self.texts(
            "experts_with_marks",
            "SELECT DISTINCT expert FROM item_state WHERE batch = ?1 ORDER BY expert",
            batch,
        )
    }

    /// The one text column `sql` selects for `param`, as operation `op`.
    fn texts(&self, op: &'static str, sql: &str, param: &str) -> Result<Vec<String>, StoreError> {
        let r = (|| -> Result<Vec<String>, Fail> {
            let mut st = self.conn.prepare_cached(sql)?;
            let rows = st.query_map([param], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })();
        self.wrap(op, r)
    }

    /// The counter `name`'s current value (0 before its first use), without moving it.
    pub fn sequence(&self, name: &str) -> Result<i64, StoreError> {
        let r = (|| -> Result<i64, Fail> {
            Ok(self
                .conn
                .prepare_cached("SELECT value FROM sequences WHERE name = ?1")?
                .query_row([name], |r| r.get(0))
                .optional()?
                .unwrap_or(0))
        })();
        self.wrap("sequence", r)
    }
}

const INVITE_SELECT: &str = "SELECT seq, expert, created_at, expires_at, used_at, used_from, \
                             revoked_at, revoked_by FROM invites";

fn invite_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InviteRow> {
    Ok(InviteRow {
        seq: r.get(0)?,
        expert: r.get(1)?,
        created_at: r.get(2)?,
        expires_at: r.get(3)?,
        used_at: r.get(4)?,
        used_from: r.get(5)?,
        revoked_at: r.get(6)?,
        revoked_by: r.get(7)?,
    })
}

/// The invites of `expert` read on `conn`, oldest first.
fn invites_in(conn: &Connection, expert: &str) -> rusqlite::Result<Vec<InviteRow>> {
    let mut st = conn.prepare_cached(&format!("{INVITE_SELECT} WHERE expert = ?1 ORDER BY seq"))?;
    let rows = st.query_map([expert], invite_row)?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::domain::access::invite_code_hash;

    const EARLY: &str = "2026-03-01T08:00:00Z";
    const LATER: &str = "2026-03-02T08:00:00Z";
    const FAR: &str = "2099-01-01T00:00:00Z";
    const KEY: (&str, &str) = ("ssh-ed25519 AAAAC3Nza… wang@laptop", "SHA256:abc");

    fn invite(store: &Store, expert: &str, code: &str, expires: &str) -> i64 {
        store
            .create_invite(expert, &invite_code_hash(code), expires)
            .unwrap()
    }

    fn redeem(store: &Store, expert: &str, code: &str, now: &str) -> InviteOutcome {
        store
            .redeem_invite(
                expert,
                &invite_code_hash(code),
                now,
                "10.0.0.7:5022",
                Some(KEY),
            )
            .unwrap()
    }

    #[test]
    fn the_audit_log_is_append_only() {
        let (dir, store) = setup();
        let a = store
            .audit_append(&AuditEvent::new(AuditKind::ServerStart, "port 2222"))
            .unwrap();
        let b = store
            .audit_append(&AuditEvent {
                who: Some("wang".into()),
                fingerprint: Some("SHA256:x".into()),
                address: Some("[::1]:40000".into()),
                ..AuditEvent::new(AuditKind::Login, "expert")
            })
            .unwrap();
        assert!(b > a);
        let log = store.audit().unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[1].event.kind, AuditKind::Login);
        assert_eq!(log[1].event.address.as_deref(), Some("[::1]:40000"));
        assert!(log[0].at.ends_with('Z') && log[0].at <= log[1].at);
        let conn = raw(dir.path());
        for sql in ["UPDATE audit SET detail = 'x'", "DELETE FROM audit"] {
            let e = conn.execute(sql, []).unwrap_err();
            assert!(e.to_string().contains("append-only"), "{sql}: {e}");
        }
        assert_eq!(store.audit().unwrap(), log);
        // A kind this revdesk does not know is a damaged store, not a guess.
        conn.execute(
            "INSERT INTO audit (at, kind, detail) VALUES ('2026-01-01T00:00:00Z', 'teleport', '')",
            [],
        )
        .unwrap();
        let e = store.audit().unwrap_err();
        assert!(e.to_string().contains("unknown kind \"teleport\""), "{e}");
    }

    #[test]
    fn an_invite_is_used_once_and_pins_the_key() {
        let (dir, store) = setup();
        let seq = invite(&store, "wang", "AAAA-BBBB-CCCC-DDDD", FAR);
        assert_eq!(
            redeem(&store, "wang", "aaaa bbbb cccc dddd", EARLY),
            InviteOutcome::Accepted { pinned: true }
        );
        assert_eq!(
            redeem(&store, "wang", "AAAABBBBCCCCDDDD", LATER),
            InviteOutcome::AlreadyUsed
        );
        assert_eq!(store.pinned_keys("wang").unwrap(), [KEY.0]);
        assert!(store.pinned_keys("li").unwrap().is_empty());
        let row = &store.invites("wang").unwrap()[0];
        assert_eq!(row.seq, seq);
        assert_eq!(row.used_from.as_deref(), Some("10.0.0.7:5022"));
        assert!(
            row.used_at
                .as_deref()
                .unwrap()
                .starts_with("2026-03-01T08:00:00")
        );
        let kinds: Vec<AuditKind> = store
            .audit()
            .unwrap()
            .iter()
            .map(|r| r.event.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                AuditKind::InviteIssued,
                AuditKind::InviteUsed,
                AuditKind::KeyPinned
            ]
        );
        let used = &store.audit().unwrap()[1].event;
        assert_eq!(used.who.as_deref(), Some("wang"));
        assert_eq!(used.fingerprint.as_deref(), Some(KEY.1));
        // Nothing undoes a use, and nothing deletes an invite or changes a pin.
        let conn = raw(dir.path());
        for sql in [
            "UPDATE invites SET used_at = NULL",
            "UPDATE invites SET expires_at = '2100-01-01T00:00:00Z'",
            "DELETE FROM invites",
            "UPDATE pinned_keys SET expert = 'li'",
        ] {
            assert!(conn.execute(sql, []).is_err(), "{sql}");
        }
    }

    #[test]
    fn a_code_works_only_for_its_expert_and_before_it_expires() {
        let (_dir, store) = setup();
        invite(&store, "wang", "AAAA-BBBB-CCCC-DDDD", LATER);
        assert_eq!(
            redeem(&store, "li", "AAAA-BBBB-CCCC-DDDD", EARLY),
            InviteOutcome::Unknown
        );
        assert_eq!(
            redeem(&store, "wang", "AAAA-BBBB-CCCC-DDDE", EARLY),
            InviteOutcome::Unknown
        );
        assert_eq!(
            redeem(&store, "wang", "AAAA-BBBB-CCCC-DDDD", LATER),
            InviteOutcome::Expired
        );
        assert_eq!(
            redeem(
                &store,
                "wang",
                "AAAA-BBBB-CCCC-DDDD",
                "2026-03-02T09:00:00+01:00"
            ),
            InviteOutcome::Expired,
            "08:00 UTC is the end"
        );
        // Refusals leave the code as it was and pin nothing.
        assert!(store.pinned_keys("wang").unwrap().is_empty());
        assert!(store.pinned_keys("li").unwrap().is_empty());
        assert_eq!(
            redeem(&store, "wang", "AAAA-BBBB-CCCC-DDDD", EARLY),
            InviteOutcome::Accepted { pinned: true }
        );
        // A time that is not RFC 3339 is an error, not a guess.
        let e = store
            .redeem_invite("wang", "x", "yesterday", "a", None)
            .unwrap_err();
        assert!(e.to_string().contains("redeem_invite failed"), "{e}");
        assert!(store.create_invite("wang", "y", "soon").is_err());
    }

    #[test]
    fn a_new_invite_revokes_the_open_ones_and_a_taken_key_is_refused() {
        let (_dir, store) = setup();
        invite(
            &store,
            "wang",
            "2222-2222-2222-2222",
            "2000-01-01T00:00:00Z",
        );
        let first = invite(&store, "wang", "1111-1111-1111-1111", FAR);
        let used = invite(&store, "li", "3333-3333-3333-3333", FAR);
        let third = invite(&store, "wang", "4444-4444-4444-4444", FAR);
        let rows = store.invites("wang").unwrap();
        assert_eq!(rows[0].revoked_by, None, "expired already: left as it is");
        assert_eq!(rows[1].revoked_by, Some(third), "open: revoked");
        assert_eq!(rows[2].revoked_by, None);
        assert!(store.invites("li").unwrap()[0].revoked_by.is_none());
        assert_eq!(
            redeem(&store, "wang", "1111-1111-1111-1111", EARLY),
            InviteOutcome::Revoked
        );
        assert!(first < third);
        assert!(
            store.audit().unwrap()[3]
                .event
                .detail
                .ends_with("; 1 earlier unused invite(s) revoked")
        );
        // li pins the key; wang may not pin it too, and his code stays usable.
        assert_eq!(
            redeem(&store, "li", "3333-3333-3333-3333", EARLY),
            InviteOutcome::Accepted { pinned: true }
        );
        assert!(used > 0);
        assert_eq!(
            redeem(&store, "wang", "4444-4444-4444-4444", EARLY),
            InviteOutcome::KeyTaken
        );
        assert_eq!(
            store
                .redeem_invite(
                    "wang",
                    &invite_code_hash("4444444444444444"),
                    EARLY,
                    "a",
                    None
                )
                .unwrap(),
            InviteOutcome::Accepted { pinned: false }
        );
        assert!(store.pinned_keys("wang").unwrap().is_empty());
        assert_eq!(store.pinned_keys("li").unwrap(), [KEY.0]);
    }

    #[test]
    fn marks_and_sequences_are_read_without_writing() {
        let (_dir, store) = setup();
        assert!(store.experts_with_marks(BATCH).unwrap().is_empty());
        store.ensure_expert("a2", None).unwrap();
        for e in ["a2", EXPERT] {
            store
                .apply(
                    e,
                    BATCH,
                    &[crate::store::Change::score("i1", "feasibility", Some(7.0))],
                    crate::store::Source::Keyboard,
                )
                .unwrap();
        }
        assert_eq!(store.experts_with_marks(BATCH).unwrap(), ["a2", EXPERT]);
        assert!(store.experts_with_marks("other").unwrap().is_empty());
        assert_eq!(store.sequence("s").unwrap(), 0);
        store.next_sequence("s").unwrap();
        store.next_sequence("s").unwrap();
        assert_eq!(store.sequence("s").unwrap(), 2);
        assert_eq!(store.sequence("s").unwrap(), 2);
    }
}
