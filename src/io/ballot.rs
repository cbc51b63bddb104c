//! Signed ballots: one expert's choices in one vote, signed like a score sheet so that no
//! ballot can be added under another expert's name or changed once cast.
//!
//! A ballot is a JSON object:
//!
//! ```json
//! {
//!   "format": "revdesk-ballot/1",
//!   "batch": "<the batch's content hash>",
//!   "vote": 1,
//!   "opened_at": "<when the vote was opened, as the store recorded it>",
//!   "expert": "wang",
//!   "public_key": "<64 hex digits: Ed25519 public key>",
//!   "choices": [ { "id": "EI-001", "choice": "yes" }, { "id": "EI-002", "choice": "abstain" } ],
//!   "signature": "<128 hex digits>"
//! }
//! ```
//!
//! The signature is Ed25519 over `revdesk-ballot/1\n` followed by the ballot as compact JSON
//! (keys in the order above, `"signature": ""`), by the expert's own key (the one that signs
//! their sheets). `vote` and `opened_at` tie a ballot to one vote of one store, so a ballot
//! cannot be replayed into another; `choices` covers every nomination of the vote, in its order.

use crate::domain::vote::Choice;
use crate::io::sheet::{fingerprint, public_key_from_hex, public_key_to_hex};
use crate::text::i18n::{Msg, T};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The format tag of this version of the ballot.
pub const FORMAT: &str = "revdesk-ballot/1";

/// The domain-separation prefix of the signed message.
pub const SIGNING_TAG: &[u8] = b"revdesk-ballot/1\n";

/// What a ballot is cast in: the vote's identity as the store recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteId<'a> {
    /// The batch's content hash.
    pub batch: &'a str,
    /// The vote's number in the store.
    pub vote: i64,
    /// When the vote was opened.
    pub opened_at: &'a str,
    /// The nominations voted on, in order.
    pub items: &'a [String],
}

/// One nomination's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotChoice {
    /// The nomination's id.
    pub id: String,
    /// The choice.
    pub choice: Choice,
}

/// A signed ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ballot {
    /// [`FORMAT`].
    pub format: String,
    /// The batch's content hash.
    pub batch: String,
    /// The vote's number.
    pub vote: i64,
    /// When the vote was opened.
    pub opened_at: String,
    /// The expert's id.
    pub expert: String,
    /// The expert's public key (hex).
    pub public_key: String,
    /// One choice per nomination of the vote, in its order.
    pub choices: Vec<BallotChoice>,
    /// The signature (hex), empty while signing.
    pub signature: String,
}

/// Why a ballot is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotError {
    /// Not a ballot of this format.
    #[error("not a readable ballot: {0}")]
    Malformed(String),
    /// Made for another vote, batch or store.
    #[error("made for another vote")]
    OtherVote,
    /// Stored under one expert, signed as another.
    #[error("stored as {stored}'s but signed as {signed}'s")]
    OtherExpert {
        /// The expert it is stored under.
        stored: String,
        /// The expert it names.
        signed: String,
    },
    /// Its nominations are not the vote's.
    #[error("its nominations are not the vote's")]
    OtherItems,
    /// The expert is not on the panel.
    #[error("{0} is not on the panel")]
    NotOnPanel(String),
    /// Signed by a key that is not the expert's.
    #[error("signed by an unknown key {0}, not the expert's")]
    UnknownKey(String),
    /// The signature does not verify: the ballot was changed after signing.
    #[error("the signature does not verify: the ballot was altered after it was signed")]
    BadSignature,
}

impl BallotError {
    /// The message in the catalogue.
    pub fn msg(&self) -> Msg {
        match self {
            BallotError::Malformed(e) => Msg::new(T::BallotMalformed, &[("error", e)]),
            BallotError::OtherVote => Msg::new(T::BallotOtherVote, &[]),
            BallotError::OtherExpert { stored, signed } => Msg::new(
                T::BallotOtherExpert,
                &[("stored", stored), ("signed", signed)],
            ),
            BallotError::OtherItems => Msg::new(T::BallotOtherItems, &[]),
            BallotError::NotOnPanel(id) => Msg::new(T::BallotNotOnPanel, &[("expert", id)]),
            BallotError::UnknownKey(fp) => Msg::new(T::BallotUnknownKey, &[("fp", fp)]),
            BallotError::BadSignature => Msg::new(T::BallotBadSignature, &[]),
        }
    }
}

impl Ballot {
    /// A ballot of `expert` in a vote, signed with `key`; `choices` in the vote's order.
    pub fn sign(vote: &VoteId<'_>, expert: &str, choices: &[Choice], key: &SigningKey) -> Ballot {
        let mut b = Ballot {
            format: FORMAT.to_string(),
            batch: vote.batch.to_string(),
            vote: vote.vote,
            opened_at: vote.opened_at.to_string(),
            expert: expert.to_string(),
            public_key: public_key_to_hex(&key.verifying_key()),
            choices: vote
                .items
                .iter()
                .zip(choices)
                .map(|(id, c)| BallotChoice {
                    id: id.clone(),
                    choice: *c,
                })
                .collect(),
            signature: String::new(),
        };
        let sig = key.sign(&b.message());
        b.signature = hex::encode(sig.to_bytes());
        b
    }

    /// The signed message: the tag, then the compact JSON with an empty signature.
    fn message(&self) -> Vec<u8> {
        let mut unsigned = self.clone();
        unsigned.signature.clear();
        let mut m = SIGNING_TAG.to_vec();
        // Serialising plain structs cannot fail.
        m.extend(serde_json::to_vec(&unsigned).unwrap_or_default());
        m
    }

    /// The ballot as stored (compact JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a stored ballot.
    pub fn parse(text: &str) -> Result<Ballot, BallotError> {
        let b: Ballot =
            serde_json::from_str(text).map_err(|e| BallotError::Malformed(e.to_string()))?;
        if b.format != FORMAT {
            return Err(BallotError::Malformed(format!("format '{}'", b.format)));
        }
        Ok(b)
    }

    /// Checks a stored ballot of `stored_as` in `vote` against the expert's key (`expected`:
    /// None when the expert has no known key); the choices, in the vote's order.
    pub fn check(
        &self,
        vote: &VoteId<'_>,
        stored_as: &str,
        expected: Option<&VerifyingKey>,
    ) -> Result<Vec<Choice>, BallotError> {
        if self.expert != stored_as {
            return Err(BallotError::OtherExpert {
                stored: stored_as.to_string(),
                signed: self.expert.clone(),
            });
        }
        let key = public_key_from_hex(&self.public_key)
            .map_err(|e| BallotError::Malformed(e.to_string()))?;
        if expected != Some(&key) {
            return Err(BallotError::UnknownKey(fingerprint(&key)));
        }
        let sig = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .map(|b| Signature::from_bytes(&b))
            .ok_or(BallotError::BadSignature)?;
        key.verify_strict(&self.message(), &sig)
            .map_err(|_| BallotError::BadSignature)?;
        if self.batch != vote.batch || self.vote != vote.vote || self.opened_at != vote.opened_at {
            return Err(BallotError::OtherVote);
        }
        if self.choices.len() != vote.items.len()
            || self
                .choices
                .iter()
                .zip(vote.items)
                .any(|(c, id)| c.id != *id)
        {
            return Err(BallotError::OtherItems);
        }
        Ok(self.choices.iter().map(|c| c.choice).collect())
    }
}

/// Largest paper ballot file read (a few thousand lines).
pub const MAX_PAPER_BYTES: u64 = 1024 * 1024;

/// A typed-in paper ballot that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    /// The file cannot be read.
    #[error("{path}: cannot read")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file has problems; each is listed.
    #[error("{} problem(s)", .0.len())]
    Rejected(Vec<Msg>),
}

/// Reads a typed-in paper ballot: CSV, one line per nomination, its id then 同意/不同意/弃权
/// (or yes/no/abstain); an optional header line. Every nomination of the vote needs exactly
/// one line. The choices, in the vote's order.
pub fn read_paper(path: &std::path::Path, items: &[String]) -> Result<Vec<Choice>, PaperError> {
    let shown = path.display().to_string();
    let bytes =
        crate::io::fsafe::read(path, MAX_PAPER_BYTES).map_err(|source| PaperError::Unreadable {
            path: shown.clone(),
            source,
        })?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut got: Vec<Option<Choice>> = vec![None; items.len()];
    let mut errs = Vec::new();
    for (n, rec) in rd.records().enumerate() {
        let line = (n + 1).to_string();
        let Ok(rec) = rec else {
            errs.push(Msg::new(
                T::VotePaperBadChoice,
                &[("path", &shown), ("line", &line), ("text", "")],
            ));
            continue;
        };
        let id = rec.get(0).unwrap_or_default().trim();
        let word = rec.get(1).unwrap_or_default().trim();
        if id.is_empty() && word.is_empty() {
            continue;
        }
        let Some(pos) = items.iter().position(|i| i == id) else {
            // A header line names no nomination and holds no choice.
            if n == 0 && Choice::parse(word).is_none() {
                continue;
            }
            errs.push(Msg::new(
                T::VotePaperUnknown,
                &[("path", &shown), ("line", &line), ("id", id)],
            ));
            continue;
        };
        let Some(choice) = Choice::parse(word) else {
            errs.push(Msg::new(
                T::VotePaperBadChoice,
                &[("path", &shown), ("line", &line), ("text", word)],
            ));
            continue;
        };
        if got[pos].replace(choice).is_some() {
            errs.push(Msg::new(
                T::VotePaperTwice,
                &[("path", &shown), ("line", &line), ("id", id)],
            ));
        }
    }
    for (id, g) in items.iter().zip(&got) {
        if g.is_none() {
            errs.push(Msg::new(
                T::VotePaperMissing,
                &[("path", &shown), ("id", id)],
            ));
        }
    }
    if !errs.is_empty() {
        return Err(PaperError::Rejected(errs));
    }
    Ok(got.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::sheet::new_signing_key;

    fn vote(items: &[String]) -> VoteId<'_> {
        VoteId {
            batch: "b",
            vote: 1,
            opened_at: "2026-01-01T00:00:00Z",
            items,
        }
    }

    #[test]
    fn a_signed_ballot_verifies_and_any_change_is_refused() {
        let items = vec!["A".to_string(), "B".to_string()];
        let v = vote(&items);
        let key = new_signing_key();
        let pk = key.verifying_key();
        let b = Ballot::sign(&v, "wang", &[Choice::Yes, Choice::Abstain], &key);
        let stored = b.to_json();
        let back = Ballot::parse(&stored).unwrap();
        assert_eq!(
            back.check(&v, "wang", Some(&pk)).unwrap(),
            [Choice::Yes, Choice::Abstain]
        );
        // A changed choice.
        let altered = stored.replace("\"yes\"", "\"no\"");
        assert_eq!(
            Ballot::parse(&altered)
                .unwrap()
                .check(&v, "wang", Some(&pk)),
            Err(BallotError::BadSignature)
        );
        // Stored under someone else.
        assert!(matches!(
            back.check(&v, "li", Some(&pk)),
            Err(BallotError::OtherExpert { .. })
        ));
        // Signed by another key than the expert's (a ballot added by someone else).
        let other = new_signing_key();
        let forged = Ballot::sign(&v, "wang", &[Choice::No, Choice::No], &other);
        assert!(matches!(
            forged.check(&v, "wang", Some(&pk)),
            Err(BallotError::UnknownKey(_))
        ));
        assert!(matches!(
            back.check(&v, "wang", None),
            Err(BallotError::UnknownKey(_))
        ));
        // Replayed into another vote.
        let mut v2 = vote(&items);
        v2.vote = 2;
        assert_eq!(
            back.check(&v2, "wang", Some(&pk)),
            Err(BallotError::OtherVote)
        );
        assert!(matches!(
            Ballot::parse("{\"format\":1}"),
            Err(BallotError::Malformed(_))
        ));
    }

    #[test]
    fn paper_ballots_need_one_known_choice_per_nomination() {
        let dir = tempfile::tempdir().unwrap();
        let items = vec!["A".to_string(), "B".to_string(), "C".to_string()];
        let p = dir.path().join("b.csv");
        std::fs::write(&p, "\u{feff}编号,表决\nC,弃权\nA,同意\nB,no\n").unwrap();
        assert_eq!(
            read_paper(&p, &items).unwrap(),
            [Choice::Yes, Choice::No, Choice::Abstain]
        );
        std::fs::write(&p, "A,同意\nA,同意\nB,maybe\nX,no\n").unwrap();
        let Err(PaperError::Rejected(errs)) = read_paper(&p, &items) else {
            panic!("accepted")
        };
        let text: Vec<String> = errs.iter().map(|m| m.to_string()).collect();
        assert_eq!(text.len(), 5, "{text:?}");
        assert!(text[0].ends_with("line 2: A twice"), "{text:?}");
        assert!(text[1].contains("line 3: 'maybe'"), "{text:?}");
        assert!(
            text[2].ends_with("line 4: X is not in the vote"),
            "{text:?}"
        );
        assert!(text[3].ends_with("no choice for B"), "{text:?}");
        assert!(text[4].ends_with("no choice for C"), "{text:?}");
    }
}
