//! Votes (会评, 终审) in a store: open, cast a signed ballot, close, tally. What the front-ends
//! (`revdesk vote`, `revdesk enter --votes`, the vote screen, the review server) share.
//!
//! Secrecy: a ballot is checked against its expert's key and then reduced to counts; nothing
//! here hands a front-end who chose what.

use crate::domain::batch::Batch;
use crate::domain::profile::Profile;
use crate::domain::vote::{Choice, Rule, Stage, Tally, tally};
use crate::io::ballot::{Ballot, BallotError, VoteId};
use crate::io::panel::Panel;
use crate::io::sheet::key_from_hex;
use crate::round::submit::{SubmitError, signing_key};
use crate::store::{Cast, Source, Store, StoreError, VoteRecord};
use crate::text::i18n::{Msg, T};

/// A vote that cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum VoteError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The expert's key cannot be had.
    #[error(transparent)]
    Key(#[from] SubmitError),
    /// The profile has no `[vote]` table.
    #[error("the profile {0} has no [vote] rules")]
    NoRules(String),
    /// A nomination named for the vote is not in the batch.
    #[error("{0} is not a nomination of the batch")]
    UnknownItem(String),
    /// A nomination named twice.
    #[error("{0} is named twice")]
    DuplicateItem(String),
    /// Nothing to vote on.
    #[error("no nominations to vote on")]
    NoItems,
    /// Another vote on the batch is open.
    #[error("vote {0} on this batch is still open: close it first")]
    StillOpen(i64),
    /// No such vote.
    #[error("no vote {0} on this batch")]
    NoVote(String),
    /// No vote was ever held on the batch in this store.
    #[error("no vote was held on this batch in this store")]
    NoVotes,
    /// The ballot does not give one choice per nomination.
    #[error("a ballot needs one choice per nomination ({want}); it has {got}")]
    Incomplete {
        /// Nominations in the vote.
        want: usize,
        /// Choices given.
        got: usize,
    },
}

impl VoteError {
    /// The message in the catalogue.
    pub fn msg(&self) -> Msg {
        match self {
            VoteError::Store(e) => e.msg(),
            VoteError::Key(e) => Msg::verbatim(e.to_string()),
            VoteError::NoRules(p) => Msg::new(T::VoteNoRules, &[("profile", p)]),
            VoteError::UnknownItem(id) => Msg::new(T::VoteUnknownItem, &[("id", id)]),
            VoteError::DuplicateItem(id) => Msg::new(T::VoteDuplicateItem, &[("id", id)]),
            VoteError::NoItems => Msg::new(T::VoteNoItems, &[]),
            VoteError::StillOpen(v) => Msg::new(T::VoteStillOpen, &[("vote", &v.to_string())]),
            VoteError::NoVote(v) => Msg::new(T::VoteNoSuchVote, &[("vote", v)]),
            VoteError::NoVotes => Msg::new(T::VoteNoVotes, &[]),
            VoteError::Incomplete { want, got } => Msg::new(
                T::VoteIncomplete,
                &[("want", &want.to_string()), ("got", &got.to_string())],
            ),
        }
    }
}

/// The rule of the profile's votes.
pub fn rule(profile: &Profile) -> Result<Rule, VoteError> {
    profile
        .vote_rule()
        .ok_or_else(|| VoteError::NoRules(profile.id.clone()))
}

/// The size the passing list is held against: the shortlist range at a meeting review, the
/// final list's size at the final review.
pub fn target(profile: &Profile, stage: Stage) -> (u32, u32) {
    match stage {
        Stage::Meeting => (profile.shortlist.min, profile.shortlist.max),
        Stage::Final => (profile.final_list_size, profile.final_list_size),
    }
}

/// Opens a vote on `items` (ids of `batch`, registered in the store).
pub fn open(
    store: &Store,
    batch: &Batch,
    stage: Stage,
    items: &[String],
    panel_size: u32,
    by: &str,
) -> Result<VoteRecord, VoteError> {
    if items.is_empty() {
        return Err(VoteError::NoItems);
    }
    let mut seen = std::collections::HashSet::new();
    for id in items {
        if !batch.items.iter().any(|n| n.id == *id) {
            return Err(VoteError::UnknownItem(id.clone()));
        }
        if !seen.insert(id.as_str()) {
            return Err(VoteError::DuplicateItem(id.clone()));
        }
    }
    match store.open_vote(&batch.hash, stage, items, panel_size, by)? {
        Some(v) => Ok(v),
        None => {
            let open = store.open_vote_on(&batch.hash)?.map_or(0, |v| v.id);
            Err(VoteError::StillOpen(open))
        }
    }
}

/// The vote `which` (its number) on a batch, else the latest.
pub fn find(store: &Store, batch: &str, which: Option<i64>) -> Result<VoteRecord, VoteError> {
    let votes = store.votes(batch)?;
    match which {
        Some(n) => votes
            .into_iter()
            .find(|v| v.id == n)
            .ok_or_else(|| VoteError::NoVote(n.to_string())),
        None => votes.into_iter().last().ok_or(VoteError::NoVotes),
    }
}

/// The vote waiting for `expert`'s ballot on a batch: open, and not yet cast by them.
pub fn waiting_for(
    store: &Store,
    batch: &str,
    expert: &str,
) -> Result<Option<VoteRecord>, VoteError> {
    match store.open_vote_on(batch)? {
        Some(v) if !store.has_cast(v.id, expert)? => Ok(Some(v)),
        _ => Ok(None),
    }
}

fn id_of(v: &VoteRecord) -> VoteId<'_> {
    VoteId {
        batch: &v.batch,
        vote: v.id,
        opened_at: &v.opened_at,
        items: &v.items,
    }
}

/// Signs `expert`'s choices (one per nomination, in the vote's order) with their key and casts
/// the ballot.
pub fn cast(
    store: &Store,
    vote: &VoteRecord,
    expert: &str,
    choices: &[Choice],
    source: Source,
) -> Result<Cast, VoteError> {
    if choices.len() != vote.items.len() {
        return Err(VoteError::Incomplete {
            want: vote.items.len(),
            got: choices.len(),
        });
    }
    let key = signing_key(store, expert)?;
    let ballot = Ballot::sign(&id_of(vote), expert, choices, &key);
    let source = match source {
        Source::Paper => "paper",
        _ => "keyboard",
    };
    Ok(store.cast_ballot(vote.id, expert, source, &ballot.to_json())?)
}

/// A ballot the tally left out, and why (the expert is named; their choices never are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The expert the ballot is stored under.
    pub expert: String,
    /// Why.
    pub reason: BallotError,
}

/// A vote's tally: the counts, and the ballots refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// The vote.
    pub vote: VoteRecord,
    /// The rule it was counted under.
    pub rule: Rule,
    /// The counts.
    pub tally: Tally,
    /// Ballots left out.
    pub refused: Vec<Refused>,
}

/// Verifies every ballot of `vote` (against the panel's pinned keys when a panel is given,
/// else the keys in the store) and counts the valid ones.
pub fn count(
    store: &Store,
    profile: &Profile,
    vote: VoteRecord,
    panel: Option<&Panel>,
) -> Result<Counted, VoteError> {
    let rule = rule(profile)?;
    let mut valid = Vec::new();
    let mut refused = Vec::new();
    for row in store.ballots(vote.id)? {
        let expected = match panel {
            Some(p) => match p.expert(&row.expert) {
                Some(e) => Some(e.public_key),
                None => {
                    refused.push(Refused {
                        reason: BallotError::NotOnPanel(row.expert.clone()),
                        expert: row.expert,
                    });
                    continue;
                }
            },
            None => store
                .expert_key(&row.expert)?
                .and_then(|hex| key_from_hex(&hex).ok())
                .map(|k| k.verifying_key()),
        };
        match Ballot::parse(&row.ballot)
            .and_then(|b| b.check(&id_of(&vote), &row.expert, expected.as_ref()))
        {
            Ok(choices) => valid.push(choices),
            Err(reason) => refused.push(Refused {
                expert: row.expert,
                reason,
            }),
        }
    }
    let tally = tally(
        &rule,
        &vote.items,
        &valid,
        vote.panel_size,
        target(profile, vote.stage),
    );
    Ok(Counted {
        vote,
        rule,
        tally,
        refused,
    })
}
