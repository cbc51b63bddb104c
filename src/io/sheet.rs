//! Signed score sheets: one expert's scores for one batch, as a documented JSON file.
//!
//! # The file
//!
//! A sheet is a UTF-8 JSON object (written pretty-printed, with a trailing newline):
//!
//! ```json
//! {
//!   "format": "revdesk-sheet/1",
//!   "batch": "<hex SHA-256 content hash of the batch, see batch::content_hash>",
//!   "profile": "kczg-2020",
//!   "rubric": "<hex SHA-256 of the rubric, see Profile::rubric_hash>",
//!   "expert": { "id": "wang", "name": "王五" },
//!   "produced_at": "2025-03-01T08:30:00Z",
//!   "sequence": 3,
//!   "public_key": "<64 hex digits: the Ed25519 public key>",
//!   "items": [
//!     {
//!       "id": "EI-001",
//!       "scores": { "feasibility": 8.0, "market": 7.0 },
//!       "comment": "…",
//!       "recused": false,
//!       "recusal_reason": "",
//!       "flagged": false,
//!       "confidence": "normal"
//!     }
//!   ],
//!   "signature": "<128 hex digits: the Ed25519 signature>"
//! }
//! ```
//!
//! `items` holds the items the expert touched, sorted by id; an item of the batch that is
//! absent is simply unscored. `scores` maps criterion keys of the rubric to scores; a
//! criterion that is absent is unscored. A score must be exactly one of the criterion's values
//! `min + k × step` (k a whole number) rounded to 6 decimal places, as [`Sheet::sign`] writes
//! it (`7.0`, `7.5`, `0.3`); anything else, even `7.0000004`, is refused by [`Sheet::check`]
//! rather than rounded: the signature covers exactly what the expert sent. A recused item has no scores. `confidence` is
//! `"low"`, `"normal"` or `"high"`. `sequence` grows with every sheet an expert produces for
//! a batch: of two sheets from one expert the higher sequence wins. `produced_at` is RFC 3339
//! in UTC (ending in `Z`). `profile` names the profile for people; the rubric hash is what is
//! checked. A sheet holds no personal data of the nominees: only their ids.
//!
//! # Signing rule
//!
//! The signature is Ed25519 (RFC 8032, pure Ed25519, not pre-hashed) by the key whose public
//! half is `public_key`, over the message
//!
//! ```text
//! M = b"revdesk-sheet/1\n" || C
//! ```
//!
//! where `C` is the sheet with `"signature": ""`, written as compact JSON (no whitespace
//! anywhere outside strings) with:
//!
//! - the object keys in exactly this order: `format, batch, profile, rubric, expert,
//!   produced_at, sequence, public_key, items, signature`; `expert` as `id, name`; each item as
//!   `id, scores, comment, recused, recusal_reason, flagged, confidence`; the keys of `scores`
//!   sorted by their UTF-8 bytes; `items` in the order they appear in the file;
//! - a sheet of a discussion round (round 2 or later) has `round` (an integer) right after
//!   `sequence`, and each item the expert revised in it ends with `revision_reason`; a round-1
//!   sheet has neither, so its bytes are those of a sheet written before rounds existed;
//! - strings written as UTF-8, escaping only `"` → `\"`, `\` → `\\`, and U+0000–U+001F
//!   (`\b \f \n \r \t` for those five, otherwise `\u00xx` with lower-case hex); everything
//!   else (non-ASCII, `/`, U+007F) is written literally;
//! - `sequence` as a plain decimal integer; `recused` and `flagged` as `true`/`false`;
//! - each score as the shortest decimal that reads back as the same IEEE-754 double, with
//!   `.0` when it is integral (`8` → `8.0`, `7.5` → `7.5`, `0.3` → `0.3`). Python's
//!   `repr(float)` writes the same for 0 and 1e-4 ≤ |x| < 1e16; [`Sheet::sign`] rounds every
//!   score to 6 decimal places, and rubric scores stay in that range.
//!
//! In Python, for instance: build the dicts in the order above (scores sorted), set
//! `signature` to `""`, `C = json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode()`,
//! then with the `cryptography` package
//! `Ed25519PublicKey.from_public_bytes(bytes.fromhex(pk)).verify(bytes.fromhex(sig),
//! b"revdesk-sheet/1\n" + C)`. Verification here is strict (`verify_strict`: small-order keys
//! and non-canonical signatures are refused). All hex is lower-case.
//!
//! # Keys
//!
//! [`new_signing_key`] makes a random key; [`key_to_hex`] / [`key_from_hex`] turn its 32-byte
//! secret seed into 64 hex digits and back, for the caller to keep in its store. A key's
//! [`fingerprint`] is the first 16 bytes of SHA-256 of the 32 public-key bytes, as 8 groups
//! of 4 hex digits joined by `:`.

use crate::domain::batch::Batch;
use crate::domain::marks::{ExpertIdError, check_expert_id};
use crate::domain::profile::Profile;
use crate::domain::rubric::{Criterion, ScoreError};
use crate::io::fsafe;
use crate::text::i18n::Lang;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The format tag of this version of the sheet.
pub const FORMAT: &str = "revdesk-sheet/1";

/// The domain-separation prefix of the signed message.
pub const SIGNING_TAG: &[u8] = b"revdesk-sheet/1\n";

/// Largest sheet file read, in bytes (a sheet of a few hundred items is well under 1 MiB);
/// a large batch allows more: see [`max_bytes`].
pub const MAX_SHEET_BYTES: u64 = 32 * 1024 * 1024;

/// Largest sheet file read for `batch` and `profile`: [`MAX_SHEET_BYTES`], or the largest sheet
/// revdesk can sign for them if that is more (every item scored on every criterion, with a
/// comment and a recusal reason at their limits in characters that JSON writes as `\u00xx`,
/// the expert's id and name at theirs). Text limits are enforced where marks are entered, so no
/// sheet of accepted marks is ever refused as too large.
pub fn max_bytes(batch: &Batch, profile: &Profile) -> u64 {
    use crate::domain::marks::{
        MAX_COMMENT_CHARS, MAX_EXPERT_ID_CHARS, MAX_NAME_CHARS, MAX_REASON_CHARS,
    };
    // A JSON string of n characters is at most 6n + 2 bytes (`\u001b`); pretty printing adds
    // indentation, keys and punctuation: under 256 bytes an item, 48 a score beyond its key
    // (the longest score is a 24-character double), 1 KiB for the sheet's other fields.
    let text = |chars: usize| 6 * chars + 2;
    let quoted = |s: &str| serde_json::to_string(s).map_or(text(s.chars().count()), |q| q.len());
    let scores: usize = (profile.rubric().criteria.iter())
        .map(|c| quoted(&c.key) + 48)
        .sum();
    let item = 256 + scores + text(MAX_COMMENT_CHARS) + 2 * text(MAX_REASON_CHARS);
    let items: usize = batch.items.iter().map(|i| quoted(&i.id) + item).sum();
    let head = 1024 + quoted(&profile.id) + text(MAX_EXPERT_ID_CHARS) + text(MAX_NAME_CHARS);
    MAX_SHEET_BYTES.max(u64::try_from(head + items).unwrap_or(u64::MAX))
}

/// Scores are rounded to this many decimal places before signing.
const SCORE_DECIMALS: f64 = 1e6;

/// The expert who produced a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expert {
    /// Stable id, e.g. `wang`.
    pub id: String,
    /// Display name, e.g. 王五.
    pub name: String,
}

pub use crate::domain::marks::Confidence;

/// The round of a sheet that names none.
fn first_round() -> u32 {
    1
}

/// Whether the round is the first (then the file does not name it).
fn is_first_round(r: &u32) -> bool {
    *r <= 1
}

/// One expert's verdict on one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetItem {
    /// The item's id (编号).
    pub id: String,
    /// Scores by criterion key; absent criteria are unscored.
    pub scores: BTreeMap<String, f64>,
    /// The expert's comment (评语).
    pub comment: String,
    /// Whether the expert recused from the item (回避).
    pub recused: bool,
    /// Why, when recused.
    pub recusal_reason: String,
    /// Flagged for discussion at the panel meeting.
    pub flagged: bool,
    /// How sure the expert is.
    pub confidence: Confidence,
    /// Why the expert revised this item's scores in a discussion round (empty: not revised;
    /// left out of the file then, so round-1 sheets keep their signed bytes).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub revision_reason: String,
}

impl SheetItem {
    /// An untouched item: no scores, no comment, not recused, not flagged, normal confidence.
    pub fn new(id: impl Into<String>) -> Self {
        SheetItem {
            id: id.into(),
            scores: BTreeMap::new(),
            comment: String::new(),
            recused: false,
            recusal_reason: String::new(),
            flagged: false,
            confidence: Confidence::Normal,
            revision_reason: String::new(),
        }
    }
}

/// One expert's signed scores for one batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sheet {
    /// Always [`FORMAT`].
    pub format: String,
    /// The batch's content hash (hex).
    pub batch: String,
    /// The profile id, for people.
    pub profile: String,
    /// The rubric's content hash (hex), see [`Profile::rubric_hash`].
    pub rubric: String,
    /// Who scored.
    pub expert: Expert,
    /// When the sheet was produced, RFC 3339 UTC.
    pub produced_at: String,
    /// Grows with each sheet of the expert; the highest wins within the latest round.
    pub sequence: u64,
    /// The review round the sheet was written in (1, or 2 for the discussion round): a sheet of
    /// an earlier round never overrides a later one. Round 1 is left out of the file, so sheets
    /// written before rounds existed keep their signed bytes.
    #[serde(default = "first_round", skip_serializing_if = "is_first_round")]
    pub round: u32,
    /// The signer's Ed25519 public key (64 hex digits).
    pub public_key: String,
    /// The touched items, sorted by id.
    pub items: Vec<SheetItem>,
    /// The Ed25519 signature (128 hex digits), empty before signing.
    pub signature: String,
}

/// A key in hex that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Wrong number of characters.
    #[error("not {expected} hex digits (got {found} characters)")]
    Length {
        /// Hex digits expected.
        expected: usize,
        /// Characters found.
        found: usize,
    },
    /// Right length, but a character is not a hex digit.
    #[error("not {expected} hex digits (contains a non-hex character)")]
    NotHex {
        /// Hex digits expected.
        expected: usize,
    },
    /// 32 bytes that are not an Ed25519 public key.
    #[error("not a valid Ed25519 public key")]
    NotAPoint,
    /// A small-order key, which anyone could "sign" for.
    #[error("a weak (small-order) Ed25519 public key")]
    Weak,
}

/// Why a sheet is refused. Messages do not name the file: see [`SheetFileError`].
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The file or directory cannot be read.
    #[error("cannot read")]
    Io(#[source] std::io::Error),
    /// The file is larger than the limit ([`MAX_SHEET_BYTES`], or more for a large batch).
    #[error("too large for a sheet ({bytes} bytes, the limit is {limit})")]
    TooLarge {
        /// The file's size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// Not JSON, or JSON of the wrong shape.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// Valid JSON, but not a revdesk sheet at all.
    #[error("not a revdesk sheet: {reason}")]
    NotASheet {
        /// What is missing.
        reason: String,
    },
    /// A sheet of another format version.
    #[error("unsupported format \"{found}\" (this revdesk reads \"{FORMAT}\")")]
    WrongFormat {
        /// The tag in the file.
        found: String,
    },
    /// `produced_at` is not an RFC 3339 UTC time.
    #[error("produced_at \"{value}\" is not an RFC 3339 UTC time: {reason}")]
    BadTime {
        /// The value in the file.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// The expert id is empty.
    #[error("the sheet names no expert (expert.id is empty)")]
    NoExpert,
    /// The expert id breaks the rules of `--expert` (white space, control characters, length).
    #[error("expert.id is not a valid expert id")]
    BadExpertId(#[source] ExpertIdError),
    /// `public_key` is not a usable key.
    #[error("public_key is not a usable key")]
    BadPublicKey(#[source] KeyError),
    /// The sheet carries no signature.
    #[error("the sheet is not signed")]
    Unsigned,
    /// The signature does not verify.
    #[error("bad signature: {reason}")]
    BadSignature {
        /// What is wrong.
        reason: String,
    },
    // Messages use ASCII "..." on purpose: '…' is East-Asian-ambiguous and takes two cells
    // in many CJK-locale terminals (as in the project's wrap module).
    /// The sheet is for another batch.
    #[error("sheet is for batch {sheet}..., not {given}... (the batch given)")]
    WrongBatch {
        /// Start of the sheet's batch hash.
        sheet: String,
        /// Start of the given batch's hash.
        given: String,
    },
    /// The sheet was scored on another rubric.
    #[error(
        "sheet was scored on rubric {sheet}..., not {given}... (the rubric of profile {profile})"
    )]
    WrongRubric {
        /// Start of the sheet's rubric hash.
        sheet: String,
        /// Start of the given profile's rubric hash.
        given: String,
        /// The given profile's id.
        profile: String,
    },
    /// An item id that is not in the batch.
    #[error("item {item} is not in the batch")]
    UnknownItem {
        /// The item id.
        item: String,
    },
    /// An item listed twice.
    #[error("item {item} is listed twice")]
    DuplicateItem {
        /// The item id.
        item: String,
    },
    /// A criterion key the rubric does not have.
    #[error("item {item}: unknown criterion \"{key}\" (the rubric has {known})")]
    UnknownCriterion {
        /// The item id.
        item: String,
        /// The unknown key.
        key: String,
        /// The rubric's keys, comma-separated.
        known: String,
    },
    /// A score the criterion does not allow.
    #[error("item {item}: score {value} for {label} ({key}) {}", score_reason(.problem))]
    BadScore {
        /// The item id.
        item: String,
        /// The criterion key.
        key: String,
        /// The criterion's Chinese label.
        label: String,
        /// The score.
        value: f64,
        /// Why it is refused (said in the message: the message is the whole sentence).
        problem: ScoreError,
    },
    /// A recused item that carries scores.
    #[error("item {item} is recused but has {count} score(s)")]
    RecusedWithScores {
        /// The item id.
        item: String,
        /// How many scores it has.
        count: usize,
    },
    /// The expert is not in the panel file.
    #[error("expert {expert} is not in the panel")]
    NotInPanel {
        /// The expert id.
        expert: String,
    },
    /// The sheet is signed by another key than the one the panel pins.
    #[error("signed by key {key}, but panel pins {pinned} for expert {expert}")]
    KeyNotPinned {
        /// The expert id.
        expert: String,
        /// Fingerprint of the sheet's key.
        key: String,
        /// Fingerprint of the pinned key.
        pinned: String,
    },
    /// Without a panel: sheets of one expert id are signed by different keys, so none counts.
    #[error(
        "signed by key {key}, but other sheets of expert {expert} are signed by other keys ({}); \
         without a panel file nobody can tell which is genuine, so every sheet of {expert} is \
         refused (pin each expert's key with --panel)",
        key_list(.others)
    )]
    KeysDiffer {
        /// The expert id.
        expert: String,
        /// Fingerprint of this sheet's key.
        key: String,
        /// The expert's sheets signed by another key, with that key's fingerprint.
        others: Vec<(PathBuf, String)>,
    },
    /// Two different sheets of one expert with the same sequence number.
    #[error("conflicts with {other}: both are seq {sequence} from expert {expert} but differ")]
    ConflictingSequence {
        /// The expert id.
        expert: String,
        /// The shared sequence number.
        sequence: u64,
        /// The other sheet.
        other: PathBuf,
    },
    /// The target exists and overwriting was not asked for.
    #[error("already exists (not overwritten)")]
    Exists,
    /// The sheet cannot be written.
    #[error("cannot write")]
    Write(#[source] std::io::Error),
}

/// `a.json: ab12:…, b.json: cd34:…` for [`SheetError::KeysDiffer`].
fn key_list(others: &[(PathBuf, String)]) -> String {
    others
        .iter()
        .map(|(p, fp)| format!("{}: {fp}", p.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tail of a bad-score message, after "score 11 for 可行性 (feasibility)".
fn score_reason(e: &ScoreError) -> String {
    match e {
        ScoreError::NotANumber(_) => "is not a number".into(),
        ScoreError::OutOfRange { min, max, .. } => format!("is not between {min} and {max}"),
        ScoreError::OffStep { step, min, .. } => {
            format!("is not a multiple of the step {step} from {min}")
        }
    }
}

/// A [`SheetError`] about one file; displays as `PATH: reason`.
#[derive(Debug, thiserror::Error)]
#[error("{}", path.display())]
pub struct SheetFileError {
    /// The sheet file (or directory).
    pub path: PathBuf,
    /// What is wrong with it.
    pub source: SheetError,
}

/// A new random signing key (from the operating system's generator via `rand`).
pub fn new_signing_key() -> SigningKey {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed)
}

/// The secret seed of a key as 64 lower-case hex digits, for the caller's store.
pub fn key_to_hex(key: &SigningKey) -> String {
    hex::encode(key.to_bytes())
}

/// Decodes exactly `N` bytes from `2N` hex digits (surrounding whitespace ignored).
fn decode_hex<const N: usize>(text: &str) -> Result<[u8; N], KeyError> {
    let t = text.trim();
    let found = t.chars().count();
    if found != 2 * N {
        return Err(KeyError::Length {
            expected: 2 * N,
            found,
        });
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(t, &mut out).map_err(|_| KeyError::NotHex { expected: 2 * N })?;
    Ok(out)
}

/// A signing key from the 64 hex digits [`key_to_hex`] wrote.
pub fn key_from_hex(text: &str) -> Result<SigningKey, KeyError> {
    Ok(SigningKey::from_bytes(&decode_hex::<32>(text)?))
}

/// The public key as 64 lower-case hex digits, as sheets and panel files hold it.
pub fn public_key_to_hex(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// A public key from 64 hex digits; invalid and weak (small-order) keys are refused.
pub fn public_key_from_hex(text: &str) -> Result<VerifyingKey, KeyError> {
    let bytes = decode_hex::<32>(text)?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::NotAPoint)?;
    if key.is_weak() {
        return Err(KeyError::Weak);
    }
    Ok(key)
}

/// SHA-256 of the 32 key bytes, first 16 bytes as `ab12:cd34:…` (8 groups of 4 hex digits).
pub fn fingerprint(public: &VerifyingKey) -> String {
    let digest = Sha256::digest(public.as_bytes());
    digest[..16]
        .chunks(2)
        .map(hex::encode)
        .collect::<Vec<_>>()
        .join(":")
}

/// A time as `produced_at` holds it: RFC 3339 UTC, whole seconds (`2025-03-01T08:30:00Z`).
pub fn format_time(t: jiff::Timestamp) -> String {
    // Whole seconds keep the files tidy; from_second only fails outside jiff's range.
    let whole = jiff::Timestamp::from_second(t.as_second()).unwrap_or(t);
    whole.to_string()
}

/// The first 12 characters of a hash, for messages.
fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// A parser error as a [`SheetError::Json`], without serde_json's own "at line" suffix.
fn json_error(e: &serde_json::Error) -> SheetError {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    SheetError::Json {
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// A score rounded to 6 decimal places, as [`Sheet::sign`] writes every score.
fn round6(v: f64) -> f64 {
    (v * SCORE_DECIMALS).round() / SCORE_DECIMALS
}

/// Checks that `value` is exactly a value of the criterion's grid, `min + k × step` rounded to 6
/// decimals (the form [`Sheet::sign`] gives it); no tolerance, so totals and ties are computed
/// on exactly the scores the expert signed.
pub fn on_grid(c: &Criterion, value: f64) -> Result<(), ScoreError> {
    if !value.is_finite() {
        return Err(ScoreError::NotANumber(value.to_string()));
    }
    if value < c.min || value > c.max {
        return Err(ScoreError::OutOfRange {
            value,
            min: c.min,
            max: c.max,
        });
    }
    let k = ((value - c.min) / c.step).round();
    if value != round6(c.min + k * c.step) {
        return Err(ScoreError::OffStep {
            value,
            step: c.step,
            min: c.min,
        });
    }
    Ok(())
}

impl Sheet {
    /// An unsigned sheet for `batch` scored on `profile`'s rubric; items are sorted by id.
    pub fn new(
        batch: &Batch,
        profile: &Profile,
        expert: Expert,
        sequence: u64,
        produced_at: jiff::Timestamp,
        mut items: Vec<SheetItem>,
    ) -> Sheet {
        items.sort_by(|a, b| a.id.cmp(&b.id));
        Sheet {
            format: FORMAT.to_string(),
            batch: batch.hash.clone(),
            profile: profile.id.clone(),
            rubric: profile.rubric_hash(),
            expert,
            produced_at: format_time(produced_at),
            sequence,
            round: 1,
            public_key: String::new(),
            items,
            signature: String::new(),
        }
    }

    /// The message that is signed: [`SIGNING_TAG`] then the compact JSON with an empty signature.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let unsigned = Sheet {
            signature: String::new(),
            ..self.clone()
        };
        let mut out = SIGNING_TAG.to_vec();
        // Plain structs with string map keys always serialise (non-finite floats become null).
        out.extend(serde_json::to_vec(&unsigned).unwrap_or_default());
        out
    }

    /// Hex SHA-256 of [`Sheet::canonical_bytes`]: equal for sheets of the same content.
    pub fn content_hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_bytes()))
    }

    /// Signs with `key`: sorts items, rounds scores to 6 decimals, sets `public_key` and `signature`.
    pub fn sign(mut self, key: &SigningKey) -> Sheet {
        self.items.sort_by(|a, b| a.id.cmp(&b.id));
        for item in &mut self.items {
            for v in item.scores.values_mut() {
                // Short decimals read back exactly in every JSON parser, so the signed
                // bytes survive a round trip through the file.
                *v = round6(*v);
            }
        }
        self.public_key = public_key_to_hex(&key.verifying_key());
        self.signature = String::new();
        let signature = key.sign(&self.canonical_bytes());
        self.signature = hex::encode(signature.to_bytes());
        self
    }

    /// The signer's public key, as the sheet states it.
    pub fn verifying_key(&self) -> Result<VerifyingKey, SheetError> {
        public_key_from_hex(&self.public_key).map_err(SheetError::BadPublicKey)
    }

    /// The fingerprint of the stated public key, or `(invalid key)`.
    pub fn key_fingerprint(&self) -> String {
        match self.verifying_key() {
            Ok(k) => fingerprint(&k),
            Err(_) => "(invalid key)".into(),
        }
    }

    /// Checks the format tag and that `signature` is the stated key's signature of the content.
    pub fn verify(&self) -> Result<(), SheetError> {
        if self.format != FORMAT {
            return Err(SheetError::WrongFormat {
                found: self.format.clone(),
            });
        }
        let key = self.verifying_key()?;
        if self.signature.trim().is_empty() {
            return Err(SheetError::Unsigned);
        }
        let bytes = decode_hex::<64>(&self.signature).map_err(|e| SheetError::BadSignature {
            reason: format!("signature is {e}"),
        })?;
        let signature = Signature::from_bytes(&bytes);
        key.verify_strict(&self.canonical_bytes(), &signature)
            .map_err(|_| SheetError::BadSignature {
                reason: format!(
                    "the content does not match the signature of key {} (altered after signing?)",
                    fingerprint(&key)
                ),
            })
    }

    /// Checks the sheet against the batch and profile it is to be used with.
    ///
    /// The batch hash and rubric hash must match (the profile id is informational); every item
    /// must be in the batch and listed once; every score must be on a criterion of the rubric
    /// and exactly on its grid ([`on_grid`]); a recused item has no scores. Partly scored items
    /// are fine.
    pub fn check(&self, batch: &Batch, profile: &Profile) -> Result<(), SheetError> {
        if self.batch != batch.hash {
            return Err(SheetError::WrongBatch {
                sheet: short(&self.batch),
                given: short(&batch.hash),
            });
        }
        let rubric_hash = profile.rubric_hash();
        if self.rubric != rubric_hash {
            return Err(SheetError::WrongRubric {
                sheet: short(&self.rubric),
                given: short(&rubric_hash),
                profile: profile.id.clone(),
            });
        }
        let ids: HashSet<&str> = batch.items.iter().map(|i| i.id.as_str()).collect();
        let mut seen = HashSet::new();
        for item in &self.items {
            if !ids.contains(item.id.as_str()) {
                return Err(SheetError::UnknownItem {
                    item: item.id.clone(),
                });
            }
            if !seen.insert(item.id.as_str()) {
                return Err(SheetError::DuplicateItem {
                    item: item.id.clone(),
                });
            }
            if item.recused && !item.scores.is_empty() {
                return Err(SheetError::RecusedWithScores {
                    item: item.id.clone(),
                    count: item.scores.len(),
                });
            }
            for (key, &value) in &item.scores {
                let Some(c) = profile.rubric().criteria.iter().find(|c| &c.key == key) else {
                    return Err(SheetError::UnknownCriterion {
                        item: item.id.clone(),
                        key: key.clone(),
                        known: profile
                            .rubric()
                            .criteria
                            .iter()
                            .map(|c| c.key.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                };
                on_grid(c, value).map_err(|problem| SheetError::BadScore {
                    item: item.id.clone(),
                    key: key.clone(),
                    label: c.label.clone(),
                    value,
                    problem,
                })?;
            }
        }
        Ok(())
    }

    /// The entry for an item, if the expert touched it.
    pub fn item(&self, id: &str) -> Option<&SheetItem> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Parses a sheet's JSON text; checks the format tag and `produced_at`, not the signature.
    pub fn parse(text: &str) -> Result<Sheet, SheetError> {
        // Editors on Windows may add a byte-order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // Look at the tag first, so a future format is reported as such and not as
        // "unknown field".
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        let Some(obj) = value.as_object() else {
            return Err(SheetError::NotASheet {
                reason: "the file is not a JSON object".into(),
            });
        };
        match obj.get("format") {
            None => {
                return Err(SheetError::NotASheet {
                    reason: "it has no \"format\" key".into(),
                });
            }
            Some(serde_json::Value::String(s)) if s == FORMAT => {}
            Some(serde_json::Value::String(s)) => {
                return Err(SheetError::WrongFormat { found: s.clone() });
            }
            Some(other) => {
                return Err(SheetError::WrongFormat {
                    found: other.to_string(),
                });
            }
        }
        // A repeated key anywhere would let readers disagree on what was signed.
        crate::io::unique_keys::check(text).map_err(|e| json_error(&e))?;
        // Parse the text again (not the Value) so errors carry line numbers.
        let sheet: Sheet = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        check_time(&sheet.produced_at)?;
        // The rules of `--expert`: `wang ` is not a second `wang`.
        match check_expert_id(&sheet.expert.id) {
            Ok(()) => Ok(sheet),
            Err(ExpertIdError::Empty) => Err(SheetError::NoExpert),
            Err(e) => Err(SheetError::BadExpertId(e)),
        }
    }

    /// The file's text: pretty JSON and a trailing newline.
    pub fn to_pretty_json(&self) -> String {
        // Plain structs with string map keys always serialise.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Checks that `value` is an RFC 3339 time in UTC (`…Z`).
fn check_time(value: &str) -> Result<(), SheetError> {
    let bad = |reason: String| SheetError::BadTime {
        value: value.to_string(),
        reason,
    };
    value
        .parse::<jiff::Timestamp>()
        .map_err(|e| bad(e.to_string()))?;
    if !value.ends_with('Z') && !value.ends_with('z') {
        return Err(bad("the offset must be Z (UTC)".into()));
    }
    Ok(())
}

/// Reads and parses a sheet file of at most [`MAX_SHEET_BYTES`] (the signature is checked by
/// [`Sheet::verify`]).
pub fn read(path: &Path) -> Result<Sheet, SheetError> {
    read_within(path, MAX_SHEET_BYTES)
}

/// Reads and parses a sheet file of at most `limit` bytes; only a regular file is opened
/// ([`fsafe`]).
pub fn read_within(path: &Path, limit: u64) -> Result<Sheet, SheetError> {
    let meta = fs::metadata(path).map_err(SheetError::Io)?;
    if meta.is_dir() {
        return Err(SheetError::NotASheet {
            reason: "it is a directory".into(),
        });
    }
    if meta.is_file() && meta.len() > limit {
        return Err(SheetError::TooLarge {
            bytes: meta.len(),
            limit,
        });
    }
    let bytes = fsafe::read(path, limit).map_err(SheetError::Io)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| SheetError::NotASheet {
        reason: format!("not UTF-8 text (byte {})", e.valid_up_to() + 1),
    })?;
    Sheet::parse(text)
}

/// Writes a sheet as pretty JSON, atomically: a hidden temporary file in the same
/// directory is renamed into place, so a watcher never sees half a sheet.
///
/// Refuses to replace an existing file unless `overwrite`.
pub fn write(sheet: &Sheet, path: &Path, overwrite: bool) -> Result<(), SheetError> {
    if !overwrite && fs::symlink_metadata(path).is_ok() {
        return Err(SheetError::Exists);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // `sheet -o round-2/li.json` before anyone made `round-2/`.
    fs::create_dir_all(&dir).map_err(SheetError::Write)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sheet".into());
    // Hidden and not ending in .json, so `collect` never picks it up.
    let tmp = dir.join(format!(
        ".{name}.{}-{:016x}.tmp",
        std::process::id(),
        rand::rng().next_u64()
    ));
    let result = write_tmp(&tmp, sheet).and_then(|()| place(&tmp, path, overwrite));
    if result.is_err() {
        // Best effort: the temporary file may not exist at all.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes and syncs the temporary file.
fn write_tmp(tmp: &Path, sheet: &Sheet) -> Result<(), SheetError> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(SheetError::Write)?;
    f.write_all(sheet.to_pretty_json().as_bytes())
        .map_err(SheetError::Write)?;
    f.sync_all().map_err(SheetError::Write)
}

/// Moves the temporary file to `path`.
fn place(tmp: &Path, path: &Path, overwrite: bool) -> Result<(), SheetError> {
    if overwrite {
        return fs::rename(tmp, path).map_err(SheetError::Write);
    }
    // A hard link fails if the target exists, so two writers cannot both win.
    match fs::hard_link(tmp, path) {
        Ok(()) => {
            // The sheet is in place; a leftover hidden temporary file is harmless.
            let _ = fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(SheetError::Exists),
        Err(_) => {
            // File systems without hard links: check, then rename (a small race remains).
            if fs::symlink_metadata(path).is_ok() {
                return Err(SheetError::Exists);
            }
            fs::rename(tmp, path).map_err(SheetError::Write)
        }
    }
}

/// Why a score sheet was refused, in the UI language (the library's messages are English).
pub fn describe_sheet_error(e: &SheetError, lang: Lang) -> String {
    use crate::domain::rubric::ScoreError;
    use SheetError as E;
    if lang.en() {
        return crate::text::errors::error_chain(e);
    }
    let file = |p: &std::path::Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    match e {
        E::Io(err) => format!("无法读取：{err}"),
        E::TooLarge { bytes, limit } => format!("文件过大（{bytes} 字节，上限 {limit} 字节）"),
        E::Json {
            line,
            column,
            message,
        } => format!("JSON 格式错误（第 {line} 行第 {column} 列）：{message}"),
        E::NotASheet { reason } => format!("不是 revdesk 评分表：{reason}"),
        E::WrongFormat { found } => format!("评分表格式“{found}”不受本版本支持"),
        E::BadTime { value, .. } => format!("生成时间“{value}”不是有效的 UTC 时间"),
        E::NoExpert => "评分表未写明专家（expert.id 为空）".into(),
        E::BadExpertId(e) => format!("专家编号无效（expert.id）：{e}"),
        E::BadPublicKey(k) => format!("公钥无效：{k}"),
        E::Unsigned => "评分表未签名".into(),
        E::BadSignature { .. } => "签名验证失败：评分表在签名后被改动，或签名不属于该公钥".into(),
        E::WrongBatch { sheet, given } => {
            format!("评分表对应的是另一批次（{sheet}...），不是本批次（{given}...）")
        }
        E::WrongRubric {
            sheet,
            given,
            profile,
        } => {
            format!("评分表所用评分标准（{sheet}...）与本轮规则 {profile} 的标准（{given}...）不同")
        }
        E::UnknownItem { item } => format!("项目 {item} 不在本批次中"),
        E::DuplicateItem { item } => format!("项目 {item} 出现了两次"),
        E::UnknownCriterion { item, key, known } => {
            format!("项目 {item}：未知指标“{key}”（评分标准的指标为 {known}）")
        }
        E::BadScore {
            item,
            label,
            value,
            problem,
            ..
        } => {
            let why = match problem {
                ScoreError::NotANumber(_) => "不是数字".to_string(),
                ScoreError::OutOfRange { min, max, .. } => format!("超出范围 {min}-{max}"),
                ScoreError::OffStep { step, .. } => format!("不符合步长 {step}"),
            };
            format!("项目 {item}：{label} 的分数 {value} {why}")
        }
        E::RecusedWithScores { item, count } => {
            format!("项目 {item} 已回避，却有 {count} 个分数")
        }
        E::NotInPanel { expert } => format!("专家 {expert} 不在专家组名单中"),
        E::KeyNotPinned {
            expert,
            key,
            pinned,
        } => format!("签名公钥 {key} 与专家组名单为专家 {expert} 登记的公钥 {pinned} 不符"),
        E::KeysDiffer {
            expert,
            key,
            others,
        } => format!(
            "签名公钥 {key} 与专家 {expert} 其他评分表的公钥不同（{}）；没有专家组名单无法判断真伪，{expert} 的评分表全部不予采用（请用 --panel 登记公钥）",
            others
                .iter()
                .map(|(p, fp)| format!("{}：{fp}", file(p)))
                .collect::<Vec<_>>()
                .join("，")
        ),
        E::ConflictingSequence {
            expert,
            sequence,
            other,
        } => format!(
            "与 {} 冲突：两份都是专家 {expert} 的第 {sequence} 份评分表，内容却不同",
            file(other)
        ),
        E::Exists => "文件已存在（未覆盖）".into(),
        E::Write(err) => format!("无法写入：{err}"),
    }
}

#[cfg(test)]
mod tests {
    use crate::text::errors::error_chain;
    #[test]
    fn sheet_errors_speak_both_languages() {
        let e = SheetError::WrongBatch {
            sheet: "ab12".into(),
            given: "cd34".into(),
        };
        assert_eq!(describe_sheet_error(&e, Lang::En), e.to_string());
        let zh = describe_sheet_error(&e, Lang::Zh);
        assert!(zh.contains("另一批次") && zh.contains("ab12"), "{zh}");
        let e = SheetError::RecusedWithScores {
            item: "RE-001".into(),
            count: 2,
        };
        assert_eq!(
            describe_sheet_error(&e, Lang::Zh),
            "项目 RE-001 已回避，却有 2 个分数"
        );
    }

    use super::*;
    use crate::domain::batch::{BatchMeta, Item, ProjectType};

    pub(crate) fn item(id: &str, applicant: &str, recommender: &str) -> Item {
        Item {
            id: id.into(),
            name: format!("技术 {id}"),
            domain: "electronic-information".into(),
            industry: vec!["3971".into()],
            project_type: ProjectType::Applied,
            trl: 6,
            applicant: applicant.into(),
            recommender: recommender.into(),
            contact: "联系人".into(),
            phone: "010-12345678".into(),
            address: "北京".into(),
            email: "a@example.org".into(),
            team: "团队".into(),
            ip: String::new(),
            awards: String::new(),
            level: "水平".into(),
            benefits: "效益".into(),
            level_detail: String::new(),
            benefits_detail: String::new(),
            preliminary_rank: None,
            preliminary_score: None,
            line: 0,
        }
    }

    fn batch() -> Batch {
        Batch::new(
            PathBuf::from("b.json"),
            BatchMeta::default(),
            Some("electronic-information".into()),
            vec![
                item("EI-001", "某某科技有限公司", "中国电子学会"),
                item("EI-002", "清华大学", "中国通信学会"),
            ],
        )
    }

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    fn sheet(b: &Batch, p: &Profile) -> Sheet {
        let mut a = SheetItem::new("EI-002");
        a.scores.insert("feasibility".into(), 8.0);
        a.scores.insert("market".into(), 7.0);
        a.comment = "思路清晰，\"可行\"\n待验证".into();
        a.flagged = true;
        a.confidence = Confidence::High;
        let mut r = SheetItem::new("EI-001");
        r.recused = true;
        r.recusal_reason = "同单位".into();
        let at = jiff::Timestamp::from_second(1_740_817_800).unwrap();
        Sheet::new(
            b,
            p,
            Expert {
                id: "wang".into(),
                name: "王五".into(),
            },
            3,
            at,
            vec![a, r],
        )
    }

    /// Every nomination of a large batch at the entry limits: the sheet is over
    /// [`MAX_SHEET_BYTES`], under [`max_bytes`], and read and counted.
    #[test]
    fn a_sheet_with_every_nomination_at_the_limits_is_read() {
        use crate::domain::marks::{
            MAX_COMMENT_CHARS, MAX_EXPERT_ID_CHARS, MAX_NAME_CHARS, MAX_REASON_CHARS,
        };
        let items = (0..1200)
            .map(|i| item(&format!("EI-{i:05}"), "a", "r"))
            .collect();
        let b = Batch::new(
            PathBuf::from("b.json"),
            BatchMeta::default(),
            Some("electronic-information".into()),
            items,
        );
        let p = Profile::kczg_2020();
        let who = Expert {
            id: "𝕏".repeat(MAX_EXPERT_ID_CHARS),
            name: "\u{1}".repeat(MAX_NAME_CHARS),
        };
        let full = |reason: bool| {
            let sheet_items = (b.items.iter())
                .map(|it| {
                    let mut s = SheetItem::new(&it.id);
                    for c in &p.rubric().criteria {
                        s.scores.insert(c.key.clone(), c.max);
                    }
                    // JSON writes each control character as six bytes.
                    s.comment = "\u{1}".repeat(MAX_COMMENT_CHARS);
                    if reason {
                        s.recusal_reason = "\u{1}".repeat(MAX_REASON_CHARS);
                    }
                    s.flagged = true;
                    s.confidence = Confidence::Normal;
                    s
                })
                .collect();
            let at = jiff::Timestamp::from_second(1_740_817_800).unwrap();
            Sheet::new(&b, &p, who.clone(), u64::MAX, at, sheet_items).sign(&key())
        };
        let dir = tempfile::tempdir().unwrap();
        let limit = max_bytes(&b, &p);
        // More than any sheet revdesk signs (scores and a reason on every item): still within.
        let path = dir.path().join("over.json");
        write(&full(true), &path, false).unwrap();
        let bytes = fs::metadata(&path).unwrap().len();
        assert!(bytes > MAX_SHEET_BYTES && bytes <= limit, "{bytes} {limit}");
        read_within(&path, limit).unwrap();
        assert!(matches!(read(&path), Err(SheetError::TooLarge { .. })));
        // A valid one goes through everything `rank` does with it.
        fs::remove_file(&path).unwrap();
        let path = dir.path().join("full.json");
        write(&full(false), &path, false).unwrap();
        assert!(fs::metadata(&path).unwrap().len() > MAX_SHEET_BYTES);
        let got = crate::io::panel::collect(&[path], &b, &p, None);
        assert!(got.rejected.is_empty(), "{:?}", got.rejected);
        assert_eq!(got.accepted.len(), 1);
    }

    #[test]
    fn sign_and_verify_round_trip_through_a_file() {
        let (b, p) = (batch(), Profile::kczg_2020());
        let s = sheet(&b, &p).sign(&key());
        assert_eq!(s.items[0].id, "EI-001", "items are sorted");
        assert_eq!(s.produced_at, "2025-03-01T08:30:00Z");
        s.verify().unwrap();
        s.check(&b, &p).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wang.json");
        write(&s, &path, false).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("}\n") && text.contains("\n  \"format\""));
        let back = read(&path).unwrap();
        assert_eq!(back, s);
        back.verify().unwrap();
        // Only the sheet is left in the directory: no temporary files.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn write_refuses_to_overwrite_unless_asked() {
        let (b, p) = (batch(), Profile::kczg_2020());
        let s = sheet(&b, &p).sign(&key());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wang.json");
        write(&s, &path, false).unwrap();
        let mut s2 = s.clone();
        s2.sequence = 4;
        let s2 = s2.sign(&key());
        assert!(matches!(write(&s2, &path, false), Err(SheetError::Exists)));
        assert_eq!(read(&path).unwrap().sequence, 3);
        write(&s2, &path, true).unwrap();
        assert_eq!(read(&path).unwrap().sequence, 4);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // Missing directories are made; a file where a directory should be is an error.
        write(&s2, &dir.path().join("round-2/late/li.json"), false).unwrap();
        assert_eq!(
            read(&dir.path().join("round-2/late/li.json"))
                .unwrap()
                .sequence,
            4
        );
        let e = write(&s2, &path.join("x.json"), false).unwrap_err();
        assert!(error_chain(&e).starts_with("cannot write: "), "{e}");
    }

    #[test]
    fn tampering_breaks_the_signature() {
        let (b, p) = (batch(), Profile::kczg_2020());
        let s = sheet(&b, &p).sign(&key());

        let mut t = s.clone();
        t.items[1].scores.insert("market".into(), 9.0);
        let e = t.verify().unwrap_err();
        assert!(matches!(e, SheetError::BadSignature { .. }), "{e}");
        assert!(e.to_string().starts_with("bad signature: "), "{e}");

        // Another valid key in the public_key field: the signature is not that key's.
        let mut t = s.clone();
        t.public_key = public_key_to_hex(&SigningKey::from_bytes(&[9u8; 32]).verifying_key());
        assert!(matches!(t.verify(), Err(SheetError::BadSignature { .. })));

        let mut t = s.clone();
        t.public_key = "zz".into();
        assert!(matches!(
            t.verify(),
            Err(SheetError::BadPublicKey(KeyError::Length { .. }))
        ));

        let mut t = s.clone();
        t.sequence = 4;
        assert!(t.verify().is_err());

        let mut t = s.clone();
        t.signature = String::new();
        assert!(matches!(t.verify(), Err(SheetError::Unsigned)));

        let mut t = s.clone();
        t.signature = "ab".repeat(10);
        let e = t.verify().unwrap_err().to_string();
        assert_eq!(
            e,
            "bad signature: signature is not 128 hex digits (got 20 characters)"
        );

        let mut t = s;
        t.format = "revdesk-sheet/2".into();
        assert!(matches!(t.verify(), Err(SheetError::WrongFormat { .. })));
    }

    #[test]
    fn canonical_bytes_are_the_documented_layout() {
        let (b, p) = (batch(), Profile::kczg_2020());
        let s = sheet(&b, &p).sign(&key());
        let expected = format!(
            concat!(
                "revdesk-sheet/1\n",
                r#"{{"format":"revdesk-sheet/1","batch":"{}","profile":"kczg-2020","rubric":"{}","#,
                r#""expert":{{"id":"wang","name":"王五"}},"produced_at":"2025-03-01T08:30:00Z","#,
                r#""sequence":3,"public_key":"{}","items":["#,
                r#"{{"id":"EI-001","scores":{{}},"comment":"","recused":true,"#,
                r#""recusal_reason":"同单位","flagged":false,"confidence":"normal"}},"#,
                r#"{{"id":"EI-002","scores":{{"feasibility":8.0,"market":7.0}},"#,
                r#""comment":"思路清晰，\"可行\"\n待验证","recused":false,"recusal_reason":"","#,
                r#""flagged":true,"confidence":"high"}}],"signature":""}}"#
            ),
            b.hash,
            p.rubric_hash(),
            s.public_key
        );
        assert_eq!(String::from_utf8(s.canonical_bytes()).unwrap(), expected);
    }

    #[test]
    fn canonical_bytes_and_signature_are_pinned() {
        // A fixed sheet with fixed hashes (independent of batch.rs and the profile file)
        // and a fixed key seed: any change to the signed format changes these digests.
        let mut i = SheetItem::new("EI-001");
        i.scores.insert("novelty".into(), 7.5);
        i.scores.insert("feasibility".into(), 9.0);
        i.comment = "好".into();
        let s = Sheet {
            format: FORMAT.into(),
            batch: "ab".repeat(32),
            profile: "kczg-2020".into(),
            rubric: "cd".repeat(32),
            expert: Expert {
                id: "wang".into(),
                name: "王五".into(),
            },
            produced_at: "2025-03-01T08:30:00Z".into(),
            sequence: 1,
            round: 1,
            public_key: String::new(),
            items: vec![i],
            signature: String::new(),
        }
        .sign(&key());
        assert_eq!(
            s.public_key,
            "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c"
        );
        assert_eq!(
            hex::encode(Sha256::digest(s.canonical_bytes())),
            "8c398ff190bf82060bbe759817339da4bf1ca852c7e2da0bc2a0852cc1e1a908"
        );
        assert_eq!(
            s.signature,
            "0fb961c4f0c862011f438ba28159c84332c962042eff9a8affff580e4765f64f81b819e28d732135794ee4bbc4800354fb301913e889720b03696c1dc7695e0e"
        );
        assert_eq!(
            s.content_hash(),
            hex::encode(Sha256::digest(s.canonical_bytes()))
        );
    }

    #[test]
    fn sign_rounds_scores_so_they_survive_the_file() {
        let (b, p) = (batch(), Profile::kczg_2020());
        let mut s = sheet(&b, &p);
        s.items[1].scores.insert("novelty".into(), 0.1 + 0.2);
        let s = s.sign(&key());
        assert_eq!(s.item("EI-002").unwrap().scores["novelty"], 0.3);
        let back = Sheet::parse(&s.to_pretty_json()).unwrap();
        back.verify().unwrap();
    }

    #[test]
    fn keys_round_trip_and_errors_are_typed() {
        let k = new_signing_key();
        let k2 = key_from_hex(&key_to_hex(&k)).unwrap();
        assert_eq!(k.to_bytes(), k2.to_bytes());
        assert_ne!(new_signing_key().to_bytes(), k.to_bytes());
        assert_eq!(
            key_from_hex("abc").unwrap_err(),
            KeyError::Length {
                expected: 64,
                found: 3
            }
        );
        assert_eq!(
            key_from_hex(&"g".repeat(64)).unwrap_err(),
            KeyError::NotHex { expected: 64 }
        );
        let pk = k.verifying_key();
        assert_eq!(public_key_from_hex(&public_key_to_hex(&pk)).unwrap(), pk);
        // The identity point has small order.
        let mut weak = [0u8; 32];
        weak[0] = 1;
        assert_eq!(
            public_key_from_hex(&hex::encode(weak)).unwrap_err(),
            KeyError::Weak
        );
        let fp = fingerprint(&pk);
        assert_eq!(fp.len(), 8 * 4 + 7);
        assert_eq!(fp.split(':').count(), 8);
        assert_eq!(
            fingerprint(&key().verifying_key()),
            fingerprint(&key().verifying_key())
        );
    }

    #[test]
    fn check_names_the_reason() {
        let (b, p) = (batch(), Profile::kczg_2020());
        let good = sheet(&b, &p);
        good.check(&b, &p).unwrap();

        let other = Batch::new(
            PathBuf::from("o.json"),
            BatchMeta::default(),
            None,
            vec![item("EI-009", "x", "y")],
        );
        let e = good.check(&other, &p).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "sheet is for batch {}..., not {}... (the batch given)",
                &b.hash[..12],
                &other.hash[..12]
            )
        );

        let mut p2 = p.clone();
        p2.criteria.criteria[0].max = 20.0;
        let e = good.check(&b, &p2).unwrap_err();
        assert!(matches!(e, SheetError::WrongRubric { .. }), "{e}");
        assert!(e.to_string().contains("(the rubric of profile kczg-2020)"));

        let mut s = good.clone();
        s.items.push(SheetItem::new("EI-404"));
        assert_eq!(
            s.check(&b, &p).unwrap_err().to_string(),
            "item EI-404 is not in the batch"
        );

        let mut s = good.clone();
        s.items.push(SheetItem::new("EI-001"));
        assert!(matches!(
            s.check(&b, &p),
            Err(SheetError::DuplicateItem { .. })
        ));

        let mut s = good.clone();
        s.items[1].scores.insert("feasibility".into(), 11.0);
        assert_eq!(
            s.check(&b, &p).unwrap_err().to_string(),
            "item EI-002: score 11 for 可行性 (feasibility) is not between 0 and 10"
        );

        let mut s = good.clone();
        s.items[1].scores.insert("novelty".into(), 7.5);
        assert_eq!(
            s.check(&b, &p).unwrap_err().to_string(),
            "item EI-002: score 7.5 for 先进性 (novelty) is not a multiple of the step 1 from 0"
        );

        let mut s = good.clone();
        s.items[1].scores.insert("beauty".into(), 5.0);
        let e = s.check(&b, &p).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "item EI-002: unknown criterion \"beauty\" (the rubric has feasibility, "
            ),
            "{e}"
        );

        let mut s = good;
        s.items[0].scores.insert("market".into(), 5.0);
        assert_eq!(
            s.check(&b, &p).unwrap_err().to_string(),
            "item EI-001 is recused but has 1 score(s)"
        );
    }

    #[test]
    fn scores_must_be_exactly_on_the_grid() {
        let p = Profile::kczg_2020();
        let mut c = p.rubric().criteria[0].clone();
        for ok in [0.0, 7.0, 10.0] {
            assert_eq!(on_grid(&c, ok), Ok(()), "{ok}");
        }
        for off in [7.0000004, 7.000001, 6.9999999, 7.5] {
            assert!(
                matches!(on_grid(&c, off), Err(ScoreError::OffStep { .. })),
                "{off}"
            );
        }
        for out in [-0.0000001, 10.0000001, 11.0] {
            assert!(
                matches!(on_grid(&c, out), Err(ScoreError::OutOfRange { .. })),
                "{out}"
            );
        }
        assert!(matches!(
            on_grid(&c, f64::NAN),
            Err(ScoreError::NotANumber(_))
        ));
        // A decimal step: the grid values are the 6-decimal forms revdesk signs (0.3, not
        // 0.30000000000000004), and what the scoring view stores signs to exactly those.
        c.step = 0.1;
        c.max = 1.0;
        assert_eq!(on_grid(&c, 0.3), Ok(()));
        assert!(on_grid(&c, 0.1 + 0.2).is_err());
        for k in 0..=10 {
            let stored = c.check(f64::from(k) / 10.0).unwrap();
            assert_eq!(on_grid(&c, round6(stored)), Ok(()), "{k}");
        }
    }

    #[test]
    fn parse_errors_are_precise() {
        let (b, p) = (batch(), Profile::kczg_2020());
        let good = sheet(&b, &p).sign(&key()).to_pretty_json();

        let e = Sheet::parse("{\n  \"format\": \"revdesk-sheet/1\",\n  oops\n}").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("malformed JSON at line 3, column 3: "),
            "{e}"
        );
        let e = Sheet::parse("[1, 2]").unwrap_err();
        assert!(matches!(e, SheetError::NotASheet { .. }), "{e}");
        let e = Sheet::parse("{\"items\": []}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "not a revdesk sheet: it has no \"format\" key"
        );
        let e = Sheet::parse(&good.replace("revdesk-sheet/1", "revdesk-sheet/2")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unsupported format \"revdesk-sheet/2\" (this revdesk reads \"revdesk-sheet/1\")"
        );
        let e = Sheet::parse(&good.replace("\"sequence\": 3,\n", "")).unwrap_err();
        assert!(e.to_string().contains("missing field `sequence`"), "{e}");
        let e =
            Sheet::parse(&good.replace("\"flagged\": true", "\"flagged\": \"yes\"")).unwrap_err();
        assert!(
            matches!(e, SheetError::Json { line, .. } if line > 10),
            "{e}"
        );
        let e = Sheet::parse(&good.replace("\"high\"", "\"certain\"")).unwrap_err();
        assert!(e.to_string().contains("unknown variant `certain`"), "{e}");
        let e = Sheet::parse(&good.replace("08:30:00Z", "08:30:00+08:00")).unwrap_err();
        assert!(matches!(e, SheetError::BadTime { .. }), "{e}");
        let e = Sheet::parse(&good.replace("2025-03-01T", "yesterday ")).unwrap_err();
        assert!(matches!(e, SheetError::BadTime { .. }), "{e}");
        let e = Sheet::parse(&good.replace("\"id\": \"wang\"", "\"id\": \" \"")).unwrap_err();
        assert!(matches!(e, SheetError::NoExpert), "{e}");
        // A byte-order mark is tolerated.
        Sheet::parse(&format!("\u{feff}{good}"))
            .unwrap()
            .verify()
            .unwrap();

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin.json");
        fs::write(&path, b"{\"format\": \"\xff\"}").unwrap();
        assert!(matches!(read(&path), Err(SheetError::NotASheet { .. })));
        let e = read(&dir.path().join("missing.json")).unwrap_err();
        assert!(error_chain(&e).starts_with("cannot read: "), "{e}");
        let fe = SheetFileError {
            path: PathBuf::from("sheets/a.json"),
            source: e,
        };
        assert!(error_chain(&fe).starts_with("sheets/a.json: cannot read: "));
    }
}
