//! The panel file and collecting the experts' signed sheets for the panel chair.
//!
//! # Panel file
//!
//! ```toml
//! [[experts]]
//! id = "wang"
//! name = "王五"
//! affiliations = ["清华大学", "中国电子学会"]
//! public_key = "<64 hex digits, as `revdesk key` prints it>"
//! ```
//!
//! Expert ids and public keys must be unique. A panel pins each expert's key: a sheet from
//! an expert who is not listed, or signed by another key, is rejected.
//!
//! # Server identities
//!
//! For `revdesk serve`, an expert may list the SSH keys they log in with, and `[[chairs]]`
//! lists the chairs (who sign no sheets, so have no `public_key`):
//!
//! ```toml
//! [[experts]]
//! id = "wang"
//! public_key = "…"
//! ssh_keys = ["ssh-ed25519 AAAAC3… wang@laptop"]
//!
//! [[chairs]]
//! id = "zhang"
//! name = "张三"
//! ssh_keys = ["ecdsa-sha2-nistp256 AAAAE2… zhang@office"]
//! ```
//!
//! A key is an authorized_keys line without options (ed25519, ecdsa, rsa of at least 2048
//! bits; see [`parse_ssh_key`]). Ids are unique across experts and chairs, and a key belongs to
//! one identity only. A chair needs a key (chairs get no invite codes).
//!
//! # Assignment
//!
//! A top-level `assignment = "ASSIGN.toml"` (relative to the panel file) names the file
//! `revdesk assign` wrote: every command given the panel then shows each expert only their
//! share (see `io::assign`).
//!
//! # Conflicts of interest
//!
//! An expert must recuse from an item whose applicant (申报单位) or recommender (推荐单位)
//! matches one of the expert's affiliations. Names are compared after normalising: surrounding
//! and inner white space (including the full-width space) is dropped, full-width ASCII forms
//! become half-width (`ＡＢ１` → `AB1`), brackets `()[]【】〔〕` in either width are dropped and
//! Latin letters are lower-cased. Two names match when they are equal, or when one contains
//! the other and the shorter has at least 4 characters (so 清华大学 matches
//! 清华大学（自动化系） and 清华大学、某某公司, but 华为 does not match 华为技术有限公司: short
//! names must be written out in full). Items the expert recused from, or left unscored, are
//! fine; scores of a conflicted item are reported as a [`Conflict`] and are to be dropped.

use crate::domain::access::{Identity, Role, SshKeyError, parse_ssh_key, ssh_fingerprint};
use crate::domain::batch::{Batch, Item};
use crate::domain::profile::Profile;
use crate::io::fsafe;
use crate::io::sheet::{
    self, SheetError, SheetFileError, fingerprint, public_key_from_hex, public_key_to_hex,
};
use crate::text::i18n::{Lang, Msg, T};
use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use ssh_key::PublicKey;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// One expert of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelExpert {
    /// Stable id, as in the expert's sheets.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Organisations the expert belongs to (for conflicts of interest).
    pub affiliations: Vec<String>,
    /// The pinned public key.
    pub public_key: VerifyingKey,
    /// The SSH keys the expert logs in to the server with (may be none).
    pub ssh_keys: Vec<PublicKey>,
}

/// One chair of the panel (server logins only: a chair signs no sheets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelChair {
    /// Stable id, recorded with the chair's decisions.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The SSH keys the chair logs in with (at least one).
    pub ssh_keys: Vec<PublicKey>,
}

/// Which party of a nomination an affiliation matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Party {
    /// 申报单位.
    Applicant,
    /// 推荐单位.
    Recommender,
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Party::Applicant => "applicant",
            Party::Recommender => "recommender",
        })
    }
}

impl PanelExpert {
    /// The first affiliation that conflicts with `item`, with the party it matches.
    pub fn conflict_with(&self, item: &Item) -> Option<(&str, Party)> {
        for (party, org) in [
            (Party::Applicant, &item.applicant),
            (Party::Recommender, &item.recommender),
        ] {
            if let Some(a) = self.affiliations.iter().find(|a| orgs_match(a, org)) {
                return Some((a.as_str(), party));
            }
        }
        None
    }

    /// The pinned key's fingerprint.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_key)
    }
}

/// The experts of a review panel, with their pinned keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    /// Where it was read from.
    pub path: PathBuf,
    /// The experts, in file order.
    pub experts: Vec<PanelExpert>,
    /// The chairs, in file order (may be none).
    pub chairs: Vec<PanelChair>,
    /// The `assignment` file it names, as written (see `io::assign`).
    pub assignment: Option<PathBuf>,
}

/// A panel file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    /// The file cannot be read.
    #[error("{}: cannot read panel", file.display())]
    Read {
        /// The panel file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not TOML, or a wrong or missing key.
    #[error("{}: malformed panel: {message}", file.display())]
    Parse {
        /// The panel file.
        file: PathBuf,
        /// The parser's message, with line, column and key.
        message: String,
    },
    /// A value is wrong.
    #[error("{}: {key}: {reason}", file.display())]
    Invalid {
        /// The panel file.
        file: PathBuf,
        /// The offending key path, e.g. `experts[2].public_key`.
        key: String,
        /// What is wrong.
        reason: Msg,
    },
    /// An SSH key that cannot be listed.
    #[error("{}: {at} ({role} {id})", file.display())]
    SshKey {
        /// The panel file.
        file: PathBuf,
        /// The key's place, e.g. `experts[2].ssh_keys[0]`.
        at: String,
        /// Whose entry it is in.
        role: Role,
        /// The expert's or chair's id.
        id: String,
        /// What is wrong with it.
        source: SshKeyError,
    },
}

impl PanelError {
    /// The message in the catalogue (its English is this error's `Display`); None for an SSH
    /// key's error, which names its cause in its source.
    pub fn msg(&self) -> Option<Msg> {
        let f = |file: &Path| file.display().to_string();
        Some(match self {
            PanelError::Read { file, .. } => Msg::new(T::PanelCannotRead, &[("file", &f(file))]),
            PanelError::Parse { file, message } => Msg::new(
                T::PanelMalformed,
                &[("file", &f(file)), ("message", message)],
            ),
            PanelError::Invalid { file, key, reason } => {
                Msg::new(T::PanelInvalid, &[("file", &f(file)), ("key", key)]).then(reason.clone())
            }
            PanelError::SshKey { .. } => return None,
        })
    }
}

/// The panel file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPanel {
    #[serde(default)]
    experts: Vec<RawExpert>,
    #[serde(default)]
    chairs: Vec<RawChair>,
    #[serde(default)]
    assignment: Option<PathBuf>,
}

/// One `[[experts]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpert {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    affiliations: Vec<String>,
    public_key: String,
    #[serde(default)]
    ssh_keys: Vec<String>,
}

/// One `[[chairs]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChair {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    ssh_keys: Vec<String>,
}

/// Where each listed SSH key (by fingerprint) was seen first: its place and owner.
type KeysSeen = HashMap<String, (String, Role, String)>;

impl Panel {
    /// Loads a panel file.
    pub fn load(path: &Path) -> Result<Panel, PanelError> {
        let text = fsafe::read_to_string(path, fsafe::MAX_CONFIG_BYTES).map_err(|source| {
            PanelError::Read {
                file: path.to_path_buf(),
                source,
            }
        })?;
        Panel::from_toml(&text, path)
    }

    /// Parses and checks a panel; `file` names it in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Panel, PanelError> {
        let raw: RawPanel = toml::from_str(text).map_err(|e| PanelError::Parse {
            file: file.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })?;
        let invalid = |key: String, reason: Msg| PanelError::Invalid {
            file: file.to_path_buf(),
            key,
            reason,
        };
        if raw.experts.is_empty() {
            return Err(invalid("experts".into(), Msg::new(T::PanelNoExperts, &[])));
        }
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut keys: HashMap<[u8; 32], usize> = HashMap::new();
        let mut seen = KeysSeen::new();
        let mut experts = Vec::with_capacity(raw.experts.len());
        for (i, e) in raw.experts.into_iter().enumerate() {
            let at = |k: &str| format!("experts[{i}].{k}");
            let id = e.id.trim().to_string();
            if id.is_empty() {
                return Err(invalid(at("id"), Msg::new(T::PanelEmptyExpertId, &[])));
            }
            if let Some(j) = ids.insert(id.clone(), i) {
                return Err(invalid(
                    at("id"),
                    Msg::new(
                        T::PanelDuplicateExpert,
                        &[("id", &id), ("j", &j.to_string())],
                    ),
                ));
            }
            let public_key = public_key_from_hex(&e.public_key)
                .map_err(|err| invalid(at("public_key"), Msg::verbatim(err.to_string())))?;
            if let Some(j) = keys.insert(public_key.to_bytes(), i) {
                return Err(invalid(
                    at("public_key"),
                    Msg::new(T::PanelSameKey, &[("j", &j.to_string())]),
                ));
            }
            for (k, a) in e.affiliations.iter().enumerate() {
                if normalise_org(a).is_empty() {
                    return Err(invalid(
                        format!("experts[{i}].affiliations[{k}]"),
                        Msg::new(T::PanelEmptyAffiliation, &[]),
                    ));
                }
            }
            let entry = Entry {
                file,
                at: at("ssh_keys"),
                role: Role::Expert,
                id: &id,
            };
            let ssh_keys = ssh_keys(&e.ssh_keys, &entry, &mut seen)?;
            experts.push(PanelExpert {
                id,
                name: e.name.trim().to_string(),
                affiliations: e
                    .affiliations
                    .iter()
                    .map(|a| a.trim().to_string())
                    .collect(),
                public_key,
                ssh_keys,
            });
        }
        let mut chairs = Vec::with_capacity(raw.chairs.len());
        let mut chair_ids: HashMap<String, usize> = HashMap::new();
        for (i, c) in raw.chairs.into_iter().enumerate() {
            let at = |k: &str| format!("chairs[{i}].{k}");
            let id = c.id.trim().to_string();
            if id.is_empty() {
                return Err(invalid(at("id"), Msg::new(T::PanelEmptyChairId, &[])));
            }
            if let Some(j) = ids.get(&id) {
                return Err(invalid(
                    at("id"),
                    Msg::new(T::PanelChairIsExpert, &[("id", &id), ("j", &j.to_string())]),
                ));
            }
            if let Some(j) = chair_ids.insert(id.clone(), i) {
                return Err(invalid(
                    at("id"),
                    Msg::new(
                        T::PanelDuplicateChair,
                        &[("id", &id), ("j", &j.to_string())],
                    ),
                ));
            }
            if c.ssh_keys.is_empty() {
                return Err(invalid(
                    at("ssh_keys"),
                    Msg::new(T::PanelChairNoKey, &[("id", &id)]),
                ));
            }
            let entry = Entry {
                file,
                at: at("ssh_keys"),
                role: Role::Chair,
                id: &id,
            };
            let ssh_keys = ssh_keys(&c.ssh_keys, &entry, &mut seen)?;
            chairs.push(PanelChair {
                id,
                name: c.name.trim().to_string(),
                ssh_keys,
            });
        }
        Ok(Panel {
            path: file.to_path_buf(),
            experts,
            chairs,
            assignment: raw.assignment,
        })
    }

    /// Finds an expert by id.
    pub fn expert(&self, id: &str) -> Option<&PanelExpert> {
        self.experts.iter().find(|e| e.id == id)
    }

    /// Finds a chair by id.
    pub fn chair(&self, id: &str) -> Option<&PanelChair> {
        self.chairs.iter().find(|c| c.id == id)
    }

    /// The expert or chair with this id.
    pub fn identity(&self, id: &str) -> Option<Identity> {
        let found = |role, id: &str, name: &str| Identity {
            role,
            id: id.to_string(),
            name: name.to_string(),
        };
        self.expert(id)
            .map(|e| found(Role::Expert, &e.id, &e.name))
            .or_else(|| self.chair(id).map(|c| found(Role::Chair, &c.id, &c.name)))
    }

    /// The SSH keys listed for the expert or chair `id` (none for an unknown id).
    pub fn ssh_keys(&self, id: &str) -> &[PublicKey] {
        match (self.expert(id), self.chair(id)) {
            (Some(e), _) => &e.ssh_keys,
            (None, Some(c)) => &c.ssh_keys,
            (None, None) => &[],
        }
    }

    /// Who lists `key` (compared without its comment): at most one identity, the file
    /// guarantees it.
    pub fn identity_with_key(&self, key: &PublicKey) -> Option<Identity> {
        let listed = |keys: &[PublicKey]| keys.iter().any(|k| k.key_data() == key.key_data());
        let id = self
            .experts
            .iter()
            .find(|e| listed(&e.ssh_keys))
            .map(|e| e.id.as_str())
            .or_else(|| {
                self.chairs
                    .iter()
                    .find(|c| listed(&c.ssh_keys))
                    .map(|c| c.id.as_str())
            })?;
        self.identity(id)
    }

    /// The panel as TOML, e.g. to start a panel file from the experts' public keys.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        if let Some(a) = &self.assignment {
            out.push_str(&format!(
                "assignment = {}\n\n",
                toml_string(&a.to_string_lossy())
            ));
        }
        for e in &self.experts {
            let affiliations: Vec<String> = e.affiliations.iter().map(|a| toml_string(a)).collect();
            out.push_str(&format!(
                "[[experts]]\nid = {}\nname = {}\naffiliations = [{}]\npublic_key = \"{}\"\n",
                toml_string(&e.id),
                toml_string(&e.name),
                affiliations.join(", "),
                public_key_to_hex(&e.public_key)
            ));
            if !e.ssh_keys.is_empty() {
                out.push_str(&format!("ssh_keys = {}\n", ssh_keys_toml(&e.ssh_keys)));
            }
            out.push('\n');
        }
        for c in &self.chairs {
            out.push_str(&format!(
                "[[chairs]]\nid = {}\nname = {}\nssh_keys = {}\n\n",
                toml_string(&c.id),
                toml_string(&c.name),
                ssh_keys_toml(&c.ssh_keys)
            ));
        }
        out
    }
}

/// One identity's place in the panel file, for its SSH keys' errors.
struct Entry<'a> {
    file: &'a Path,
    /// Where its keys are, e.g. `experts[2].ssh_keys`.
    at: String,
    role: Role,
    id: &'a str,
}

/// Parses one identity's `ssh_keys`, each key new to the panel (`seen` records them).
fn ssh_keys(
    texts: &[String],
    entry: &Entry<'_>,
    seen: &mut KeysSeen,
) -> Result<Vec<PublicKey>, PanelError> {
    let mut keys = Vec::with_capacity(texts.len());
    for (k, text) in texts.iter().enumerate() {
        let here = format!("{}[{k}]", entry.at);
        let key = parse_ssh_key(text).map_err(|source| PanelError::SshKey {
            file: entry.file.to_path_buf(),
            at: here.clone(),
            role: entry.role,
            id: entry.id.to_string(),
            source,
        })?;
        let fp = ssh_fingerprint(&key);
        if let Some((at, role, id)) = seen.get(&fp) {
            return Err(PanelError::Invalid {
                file: entry.file.to_path_buf(),
                key: format!("{here} ({} {})", entry.role, entry.id),
                reason: if id == entry.id {
                    Msg::new(T::PanelKeyTwice, &[("at", at)])
                } else {
                    Msg::new(
                        T::PanelKeyShared,
                        &[("at", at), ("role", &role.to_string()), ("id", id)],
                    )
                },
            });
        }
        seen.insert(fp, (here, entry.role, entry.id.to_string()));
        keys.push(key);
    }
    Ok(keys)
}

/// A TOML array of SSH keys in OpenSSH text.
fn ssh_keys_toml(keys: &[PublicKey]) -> String {
    let texts: Vec<String> = keys
        .iter()
        .map(|k| toml_string(&k.to_openssh().unwrap_or_default()))
        .collect();
    format!("[{}]", texts.join(", "))
}

/// A TOML basic string (JSON string escapes are valid TOML).
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// An organisation name normalised for comparison (see the module documentation).
pub fn normalise_org(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            // Full-width forms U+FF01–U+FF5E mirror ASCII U+0021–U+007E.
            if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
                char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .filter(|c| !matches!(c, '(' | ')' | '[' | ']' | '【' | '】' | '〔' | '〕'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether two organisation names denote the same body (see the module documentation).
pub fn orgs_match(a: &str, b: &str) -> bool {
    let (a, b) = (normalise_org(a), normalise_org(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    short.chars().count() >= 4 && long.contains(short.as_str())
}

/// An expert scored an item they should have recused from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The expert id.
    pub expert: String,
    /// The item id.
    pub item: String,
    /// The expert's affiliation that matched.
    pub affiliation: String,
    /// Which party of the nomination it matched.
    pub party: Party,
    /// The party's name as on the nomination.
    pub organisation: String,
    /// The sheet that scored the item.
    pub path: PathBuf,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

impl Conflict {
    /// The conflict in a language (English: its `Display`).
    pub fn describe(&self, lang: Lang) -> String {
        let party = match self.party {
            Party::Applicant => T::PartyApplicant,
            Party::Recommender => T::PartyRecommender,
        };
        // The party's own name only when the affiliation matched it loosely.
        let org = if normalise_org(&self.affiliation) != normalise_org(&self.organisation) {
            T::PanelConflictOrg.fill(lang, &[("organisation", &self.organisation)])
        } else {
            String::new()
        };
        T::PanelConflict.fill(
            lang,
            &[
                ("expert", &self.expert),
                ("item", &self.item),
                ("affiliation", &self.affiliation),
                ("party", party.get(lang)),
                ("org", &org),
            ],
        )
    }
}

/// The outcome of [`collect`]: which sheets count, which do not and why.
#[derive(Debug, Default)]
pub struct Collected {
    /// One sheet per expert, verified and checked, sorted by expert id.
    pub accepted: Vec<(PathBuf, sheet::Sheet)>,
    /// Files (or directories) refused, with the reason; sorted by path.
    pub rejected: Vec<SheetFileError>,
    /// Things the chair should know that reject nothing (superseded sheets, copies, missing experts).
    pub notes: Vec<Msg>,
    /// Scores given despite a conflict of interest, sorted by expert and item.
    pub conflicts: Vec<Conflict>,
}

impl Collected {
    /// The `(expert, item)` pairs whose scores are to be dropped because of a conflict.
    pub fn exclusions(&self) -> Vec<(String, String)> {
        self.conflicts
            .iter()
            .map(|c| (c.expert.clone(), c.item.clone()))
            .collect()
    }
}

/// Whether a directory entry is a sheet candidate: `*.json`, not hidden.
fn is_sheet_name(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    json && !hidden
}

/// The sheet files named by `paths` (files as given, directories' `*.json` sorted by name).
fn expand(paths: &[PathBuf], out: &mut Collected) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        let reject = |source: std::io::Error| SheetFileError {
            path: p.clone(),
            source: SheetError::Io(source),
        };
        let meta = match fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                out.rejected.push(reject(e));
                continue;
            }
        };
        if !meta.is_dir() {
            if seen.insert(p.clone()) {
                files.push(p.clone());
            }
            continue;
        }
        let entries = match fs::read_dir(p) {
            Ok(rd) => rd,
            Err(e) => {
                out.rejected.push(reject(e));
                continue;
            }
        };
        let mut found = Vec::new();
        for entry in entries {
            match entry {
                Ok(en) => {
                    let path = en.path();
                    // Follow symlinks; if the type cannot be read, let reading report it.
                    let is_dir = fs::metadata(&path).is_ok_and(|m| m.is_dir());
                    if is_sheet_name(&path) && !is_dir {
                        found.push(path);
                    }
                }
                Err(e) => out.rejected.push(reject(e)),
            }
        }
        found.sort();
        if found.is_empty() {
            let path = p.display().to_string();
            out.notes
                .push(Msg::new(T::NoteNoSheets, &[("path", &path)]));
        }
        for f in found {
            if seen.insert(f.clone()) {
                files.push(f);
            }
        }
    }
    files
}

/// Verifies one sheet, checks it against the batch and profile and, with a panel, its expert
/// and pinned key.
fn admit(
    s: sheet::Sheet,
    batch: &Batch,
    profile: &Profile,
    panel: Option<&Panel>,
) -> Result<sheet::Sheet, SheetError> {
    s.verify()?;
    if let Some(panel) = panel {
        let Some(expert) = panel.expert(&s.expert.id) else {
            return Err(SheetError::NotInPanel {
                expert: s.expert.id.clone(),
            });
        };
        let key = s.verifying_key()?;
        if key != expert.public_key {
            return Err(SheetError::KeyNotPinned {
                expert: s.expert.id.clone(),
                key: fingerprint(&key),
                pinned: expert.fingerprint(),
            });
        }
    }
    s.check(batch, profile)?;
    Ok(s)
}

/// Collects experts' sheets from files and directories for one batch.
///
/// Each sheet is read, its signature verified, and checked against the batch and profile;
/// with a panel, its expert must be listed and its key pinned. Of one expert's sheets the
/// highest sequence wins (noted); identical copies are ignored (noted); different sheets with
/// the same sequence are all rejected, and if that is the highest sequence the expert has no
/// accepted sheet. Without a panel, when sheets of one expert id are signed by different keys,
/// every sheet of that expert is rejected, naming the files and keys: a signature alone shows
/// that a sheet is unaltered, not who made it (that is what the panel's pinned keys add), so
/// no file can be preferred over another, least of all by its name. With a panel, scores on
/// items where the expert has a conflict of interest are reported in `conflicts`.
pub fn collect(
    paths: &[PathBuf],
    batch: &Batch,
    profile: &Profile,
    panel: Option<&Panel>,
) -> Collected {
    collect_up_to(paths, batch, profile, panel, None)
}

/// [`collect`] as of review round `up_to` (None: the latest): sheets of later rounds are left
/// out, so round 1's results stay visible after a discussion round. Of one expert's sheets,
/// those of the latest round left count; an earlier round's sheet never overrides a later one,
/// whatever its sequence.
pub fn collect_up_to(
    paths: &[PathBuf],
    batch: &Batch,
    profile: &Profile,
    panel: Option<&Panel>,
    up_to: Option<u32>,
) -> Collected {
    let mut out = Collected::default();
    let files = expand(paths, &mut out);
    // Whatever revdesk signs for this batch is read back (limits at entry keep it so).
    let limit = sheet::max_bytes(batch, profile);
    let read = files
        .into_iter()
        .map(|path| {
            let s = sheet::read_within(&path, limit);
            (path, s)
        })
        .collect();
    check_all(read, batch, profile, panel, up_to, &mut out);
    out
}

/// Collects sheets made in memory (a store's marks, signed as `revdesk sheet` signs them),
/// each under a name that stands for its file, or the reason it could not be made: they go
/// through every check [`collect`] makes of files.
pub fn collect_sheets(
    sheets: Vec<(PathBuf, Result<sheet::Sheet, SheetError>)>,
    batch: &Batch,
    profile: &Profile,
    panel: Option<&Panel>,
) -> Collected {
    let mut out = Collected::default();
    check_all(sheets, batch, profile, panel, None, &mut out);
    out
}

/// The checks of [`collect`] on sheets read (or made), into `out`.
fn check_all(
    sheets: Vec<(PathBuf, Result<sheet::Sheet, SheetError>)>,
    batch: &Batch,
    profile: &Profile,
    panel: Option<&Panel>,
    up_to: Option<u32>,
    out: &mut Collected,
) {
    let mut by_expert: BTreeMap<String, Vec<(PathBuf, sheet::Sheet)>> = BTreeMap::new();
    for (path, read) in sheets {
        match read.and_then(|s| admit(s, batch, profile, panel)) {
            // A later round's sheet is not part of an earlier round's reading.
            Ok(s) if up_to.is_some_and(|r| s.round > r) => {}
            Ok(s) => by_expert
                .entry(s.expert.id.clone())
                .or_default()
                .push((path, s)),
            Err(source) => out.rejected.push(SheetFileError { path, source }),
        }
    }
    for (expert, sheets) in by_expert {
        resolve(&expert, sheets, out);
    }
    if let Some(panel) = panel {
        let mut missing: Vec<&PanelExpert> = panel
            .experts
            .iter()
            .filter(|e| !out.accepted.iter().any(|(_, s)| s.expert.id == e.id))
            .collect();
        missing.sort_by(|a, b| a.id.cmp(&b.id));
        for e in missing {
            out.notes.push(Msg::new(
                T::NoteNoAccepted,
                &[("id", &e.id), ("name", &e.name)],
            ));
        }
        out.conflicts = find_conflicts(&out.accepted, batch, panel);
    }
    out.rejected.sort_by(|a, b| a.path.cmp(&b.path));
}

/// Picks one expert's sheet among those that passed the file checks.
fn resolve(expert: &str, sheets: Vec<(PathBuf, sheet::Sheet)>, out: &mut Collected) {
    // One key per expert id. With a panel every sheet here already carries the pinned key;
    // without one, sheets under several keys leave no way to tell the genuine ones.
    let keys: Vec<String> = sheets.iter().map(|(_, s)| s.key_fingerprint()).collect();
    if keys.iter().any(|k| *k != keys[0]) {
        for (i, (path, _)) in sheets.iter().enumerate() {
            let others = sheets
                .iter()
                .zip(&keys)
                .filter(|(_, k)| **k != keys[i])
                .map(|((p, _), k)| (p.clone(), k.clone()))
                .collect();
            out.rejected.push(SheetFileError {
                path: path.clone(),
                source: SheetError::KeysDiffer {
                    expert: expert.to_string(),
                    key: keys[i].clone(),
                    others,
                },
            });
        }
        return;
    }
    // The latest round wins whatever the sequence: a round-1 sheet handed in late (or
    // written from a store that never saw the discussion round) never overrides round 2.
    let latest = sheets.iter().map(|(_, s)| s.round).max().unwrap_or(1);
    let (same_key, earlier): (Vec<_>, Vec<_>) =
        sheets.into_iter().partition(|(_, s)| s.round == latest);
    for (path, s) in earlier {
        out.notes.push(Msg::new(
            T::NoteEarlierRound,
            &[
                ("expert", expert),
                ("seq", &s.sequence.to_string()),
                ("path", &path.display().to_string()),
                ("round", &s.round.to_string()),
                ("latest", &latest.to_string()),
            ],
        ));
    }

    // Identical copies (same signed content) are harmless.
    let mut copies: HashMap<String, PathBuf> = HashMap::new();
    let mut by_seq: BTreeMap<u64, Vec<(PathBuf, sheet::Sheet)>> = BTreeMap::new();
    for (path, s) in same_key {
        let content = s.content_hash();
        if let Some(original) = copies.get(&content) {
            out.notes.push(Msg::new(
                T::NoteCopy,
                &[
                    ("expert", expert),
                    ("path", &path.display().to_string()),
                    ("original", &original.display().to_string()),
                ],
            ));
            continue;
        }
        copies.insert(content, path.clone());
        by_seq.entry(s.sequence).or_default().push((path, s));
    }

    // Different sheets with one sequence number: nobody can tell which is meant.
    let mut conflicting = HashSet::new();
    for (seq, group) in &by_seq {
        if group.len() < 2 {
            continue;
        }
        conflicting.insert(*seq);
        for (i, (path, _)) in group.iter().enumerate() {
            let other = &group[if i == 0 { 1 } else { 0 }].0;
            out.rejected.push(SheetFileError {
                path: path.clone(),
                source: SheetError::ConflictingSequence {
                    expert: expert.to_string(),
                    sequence: *seq,
                    other: other.clone(),
                },
            });
        }
    }

    let Some((&top, _)) = by_seq.last_key_value() else {
        return;
    };
    let older = by_seq
        .iter()
        .filter(|(seq, _)| **seq != top && !conflicting.contains(*seq))
        .flat_map(|(_, g)| g.iter());
    if conflicting.contains(&top) {
        // Falling back to an older sheet would silently use stale scores.
        for (path, s) in older {
            out.notes.push(Msg::new(
                T::NoteNotUsed,
                &[
                    ("expert", expert),
                    ("seq", &s.sequence.to_string()),
                    ("path", &path.display().to_string()),
                    ("top", &top.to_string()),
                ],
            ));
        }
        return;
    }
    let Some((win_path, win)) = by_seq.get(&top).and_then(|g| g.first()) else {
        return;
    };
    for (path, s) in older {
        out.notes.push(Msg::new(
            T::NoteSupersedes,
            &[
                ("expert", expert),
                ("top", &top.to_string()),
                ("winner", &win_path.display().to_string()),
                ("seq", &s.sequence.to_string()),
                ("path", &path.display().to_string()),
            ],
        ));
    }
    out.accepted.push((win_path.clone(), win.clone()));
}

/// Scored items of accepted sheets that conflict with the expert's affiliations.
fn find_conflicts(
    accepted: &[(PathBuf, sheet::Sheet)],
    batch: &Batch,
    panel: &Panel,
) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for (path, s) in accepted {
        let Some(expert) = panel.expert(&s.expert.id) else {
            continue;
        };
        for it in s
            .items
            .iter()
            .filter(|i| !i.recused && !i.scores.is_empty())
        {
            let Some(item) = batch.item(&it.id) else {
                continue;
            };
            if let Some((affiliation, party)) = expert.conflict_with(item) {
                let organisation = match party {
                    Party::Applicant => item.applicant.clone(),
                    Party::Recommender => item.recommender.clone(),
                };
                conflicts.push(Conflict {
                    expert: expert.id.clone(),
                    item: item.id.clone(),
                    affiliation: affiliation.to_string(),
                    party,
                    organisation,
                    path: path.clone(),
                });
            }
        }
    }
    conflicts.sort_by(|a, b| (&a.expert, &a.item).cmp(&(&b.expert, &b.item)));
    conflicts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_hex(seed: u8) -> String {
        public_key_to_hex(&ed25519_dalek::SigningKey::from_bytes(&[seed; 32]).verifying_key())
    }

    fn panel_text() -> String {
        format!(
            "[[experts]]\nid = \"wang\"\nname = \"王五\"\naffiliations = [\"清华大学\", \"中国电子学会\"]\npublic_key = \"{}\"\n\n\
             [[experts]]\nid = \"li\"\nname = \"李四\"\npublic_key = \"{}\"\n",
            key_hex(1),
            key_hex(2)
        )
    }

    #[test]
    fn parses_a_panel() {
        let p = Panel::from_toml(&panel_text(), Path::new("panel.toml")).unwrap();
        assert_eq!(p.experts.len(), 2);
        let w = p.expert("wang").unwrap();
        assert_eq!(w.affiliations, ["清华大学", "中国电子学会"]);
        assert_eq!(p.expert("li").unwrap().affiliations, Vec::<String>::new());
        assert!(p.expert("zhao").is_none());
        // to_toml writes a file that parses back to the same panel.
        let again = Panel::from_toml(&p.to_toml(), Path::new("panel.toml")).unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn panel_errors_name_file_and_key() {
        let f = Path::new("panel.toml");
        let err = |text: &str| Panel::from_toml(text, f).unwrap_err().to_string();

        let bad = panel_text().replace(&key_hex(2), "abc123");
        assert_eq!(
            err(&bad),
            "panel.toml: experts[1].public_key: not 64 hex digits (got 6 characters)"
        );
        let bad = panel_text().replace(&key_hex(2), &"x".repeat(64));
        assert_eq!(
            err(&bad),
            "panel.toml: experts[1].public_key: not 64 hex digits (contains a non-hex character)"
        );
        let bad = panel_text().replace(&key_hex(2), &key_hex(1));
        assert!(
            err(&bad).starts_with("panel.toml: experts[1].public_key: the same key as experts[0]"),
            "{}",
            err(&bad)
        );
        let bad = panel_text().replace("\"li\"", "\"wang\"");
        assert_eq!(
            err(&bad),
            "panel.toml: experts[1].id: duplicate expert id 'wang' (also experts[0])"
        );
        let bad = panel_text().replace("\"li\"", "\"  \"");
        assert_eq!(err(&bad), "panel.toml: experts[1].id: empty expert id");
        let bad = panel_text().replace("\"中国电子学会\"", "\"　\"");
        assert_eq!(
            err(&bad),
            "panel.toml: experts[0].affiliations[1]: empty affiliation"
        );
        let bad = panel_text().replace("name = \"李四\"", "nmae = \"李四\"");
        assert!(
            err(&bad).starts_with("panel.toml: malformed panel: "),
            "{}",
            err(&bad)
        );
        assert!(err(&bad).contains("nmae"), "{}", err(&bad));
        let bad = panel_text().replace(&format!("public_key = \"{}\"\n", key_hex(2)), "");
        assert!(err(&bad).contains("public_key"), "{}", err(&bad));
        assert_eq!(
            err(""),
            "panel.toml: experts: the panel lists no experts ([[experts]] tables)"
        );
        let e = Panel::load(Path::new("/nonexistent/panel.toml")).unwrap_err();
        assert!(
            crate::text::errors::error_chain(&e)
                .starts_with("/nonexistent/panel.toml: cannot read panel: "),
            "{e}"
        );
    }

    /// A sample key from `fixtures/ssh/` (generated by ssh-keygen for the tests).
    fn ssh(name: &str) -> String {
        let path = format!("{}/fixtures/ssh/{name}.pub", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap().trim().to_string()
    }

    /// The two experts, wang with two SSH keys, and a chair.
    fn server_panel() -> String {
        format!(
            "{}ssh_keys = [\"{}\", \"{}\"]\n\n[[chairs]]\nid = \"zhang\"\nname = \"张三\"\nssh_keys = [\"{}\"]\n",
            panel_text(),
            ssh("ed25519-b"),
            ssh("rsa-3072"),
            ssh("ecdsa-p256")
        )
    }

    #[test]
    fn identities_and_their_ssh_keys() {
        let p = Panel::from_toml(&server_panel(), Path::new("panel.toml")).unwrap();
        // The text puts ssh_keys under the last [[experts]] table: li's.
        assert!(p.ssh_keys("wang").is_empty());
        let li = p.ssh_keys("li");
        assert_eq!(li.len(), 2);
        assert_eq!(li[1].to_openssh().unwrap(), ssh("rsa-3072"));
        assert_eq!(p.ssh_keys("zhang").len(), 1);
        assert!(p.ssh_keys("nobody").is_empty());
        assert_eq!(
            p.identity("li"),
            Some(Identity {
                role: Role::Expert,
                id: "li".into(),
                name: "李四".into()
            })
        );
        assert_eq!(p.identity("zhang").unwrap().role, Role::Chair);
        assert_eq!(p.identity("zhang").unwrap().name, "张三");
        assert_eq!(p.identity("nobody"), None);
        // A key is found whatever its comment says.
        let mut offered = parse_ssh_key(&ssh("ecdsa-p256")).unwrap();
        offered.set_comment("another comment");
        assert_eq!(p.identity_with_key(&offered).unwrap().id, "zhang");
        let b = parse_ssh_key(&ssh("ed25519-b")).unwrap();
        assert_eq!(p.identity_with_key(&b).unwrap().id, "li");
        let c = parse_ssh_key(&ssh("ed25519-c")).unwrap();
        assert_eq!(p.identity_with_key(&c), None);
        // to_toml keeps the keys and the chairs.
        let again = Panel::from_toml(&p.to_toml(), Path::new("panel.toml")).unwrap();
        assert_eq!(again, p);
        // Without them a panel is as before.
        let plain = Panel::from_toml(&panel_text(), Path::new("panel.toml")).unwrap();
        assert!(plain.chairs.is_empty());
        assert!(plain.experts.iter().all(|e| e.ssh_keys.is_empty()));
    }

    #[test]
    fn ssh_key_errors_name_the_entry_the_index_and_the_reason() {
        let f = Path::new("panel.toml");
        let err =
            |text: &str| crate::text::errors::error_chain(&Panel::from_toml(text, f).unwrap_err());
        let with = |from: &str, to: &str| server_panel().replace(from, to);

        assert_eq!(
            err(&with(&ssh("rsa-3072"), &ssh("dsa"))),
            "panel.toml: experts[1].ssh_keys[1] (expert li): unsupported key type ssh-dss: use an ed25519, ecdsa or rsa key"
        );
        assert_eq!(
            err(&with(&ssh("rsa-3072"), &ssh("rsa-1024"))),
            "panel.toml: experts[1].ssh_keys[1] (expert li): RSA key of 1024 bits is too short: at least 2048 bits"
        );
        assert!(
            err(&with(&ssh("ed25519-b"), "not a key")).starts_with(
                "panel.toml: experts[1].ssh_keys[0] (expert li): not an OpenSSH public key (type, base64, comment, as in a .pub file): "
            ),
            "{}",
            err(&with(&ssh("ed25519-b"), "not a key"))
        );
        assert_eq!(
            err(&with(
                &ssh("ecdsa-p256"),
                &format!("from=\\\"10.1.0.0/16\\\" {}", ssh("ecdsa-p256"))
            )),
            "panel.toml: chairs[0].ssh_keys[0] (chair zhang): authorized_keys options (from=\"10.1.0.0/16\") are not supported: list the key alone (type, base64, comment)"
        );
        assert_eq!(
            err(&with(&ssh("ecdsa-p256"), "")),
            "panel.toml: chairs[0].ssh_keys[0] (chair zhang): empty: write the key as in a .pub file (type, base64, comment)"
        );
        assert_eq!(
            err(&with(&ssh("ecdsa-p256"), &ssh("rsa-3072"))),
            "panel.toml: chairs[0].ssh_keys[0] (chair zhang): the same key as experts[1].ssh_keys[1] (expert li): each key belongs to one person"
        );
        assert_eq!(
            err(&with(&ssh("rsa-3072"), &ssh("ed25519-b"))),
            "panel.toml: experts[1].ssh_keys[1] (expert li): listed twice (also experts[1].ssh_keys[0])"
        );
        assert_eq!(
            err(&with("id = \"zhang\"", "id = \"wang\"")),
            "panel.toml: chairs[0].id: 'wang' is also the id of experts[0]: an id names one person"
        );
        assert_eq!(
            err(&with("id = \"zhang\"", "id = \" \"")),
            "panel.toml: chairs[0].id: empty chair id"
        );
        let no_keys = with(
            &format!("ssh_keys = [\"{}\"]", ssh("ecdsa-p256")),
            "ssh_keys = []",
        );
        assert_eq!(
            err(&no_keys),
            "panel.toml: chairs[0].ssh_keys: chair 'zhang' lists no SSH key: a chair logs in with a listed key only"
        );
        let twice = format!(
            "{}\n[[chairs]]\nid = \"zhang\"\nssh_keys = [\"{}\"]\n",
            server_panel(),
            ssh("ed25519-c")
        );
        assert_eq!(
            err(&twice),
            "panel.toml: chairs[1].id: duplicate chair id 'zhang' (also chairs[0])"
        );
        let unknown = with("name = \"张三\"", "name = \"张三\"\npublic_key = \"00\"");
        assert!(
            err(&unknown).starts_with("panel.toml: malformed panel: "),
            "{}",
            err(&unknown)
        );
        assert!(err(&unknown).contains("public_key"), "{}", err(&unknown));
        let not_a_list = with(
            &format!("ssh_keys = [\"{}\"]", ssh("ecdsa-p256")),
            "ssh_keys = \"x\"",
        );
        assert!(
            err(&not_a_list).starts_with("panel.toml: malformed panel: "),
            "{}",
            err(&not_a_list)
        );
    }

    #[test]
    fn organisation_names_match_as_documented() {
        assert!(orgs_match("清华大学", " 清华大学 "));
        assert!(orgs_match("清华大学", "清华大学（自动化系）"));
        assert!(orgs_match("清华大学（自动化系）", "清华大学(自动化系)"));
        assert!(orgs_match(
            "中国科学院 自动化研究所",
            "中国科学院自动化研究所"
        ));
        assert!(orgs_match("清华大学", "北京某某公司、清华大学"));
        assert!(orgs_match("ＡＢＣＤ Corp", "abcd corp"));
        assert!(orgs_match("华为", "华为"));
        assert!(!orgs_match("华为", "华为技术有限公司"));
        assert!(!orgs_match("北京大学", "清华大学"));
        assert!(!orgs_match("", ""));
        assert!(!orgs_match("（）", "（）"));
        assert_eq!(normalise_org(" 【清华】 大学（ＡＩ） "), "清华大学ai");
    }
    #[test]
    fn conflicts_with_applicant_or_recommender() {
        use crate::domain::batch::{Item, ProjectType};
        let p = Panel::from_toml(&panel_text(), Path::new("panel.toml")).unwrap();
        let wang = p.expert("wang").unwrap();
        let item = |applicant: &str, recommender: &str| Item {
            id: "EI-001".into(),
            name: "n".into(),
            domain: "d".into(),
            industry: vec![],
            project_type: ProjectType::Applied,
            trl: 5,
            applicant: applicant.into(),
            recommender: recommender.into(),
            contact: String::new(),
            phone: String::new(),
            address: String::new(),
            email: String::new(),
            team: String::new(),
            ip: String::new(),
            awards: String::new(),
            level: String::new(),
            benefits: String::new(),
            level_detail: String::new(),
            benefits_detail: String::new(),
            preliminary_rank: None,
            preliminary_score: None,
            line: 0,
        };
        assert_eq!(
            wang.conflict_with(&item("清华大学 ", "中国通信学会")),
            Some(("清华大学", Party::Applicant))
        );
        assert_eq!(
            wang.conflict_with(&item("某公司", "中国电子学会（CIE）")),
            Some(("中国电子学会", Party::Recommender))
        );
        assert_eq!(wang.conflict_with(&item("北京大学", "中国通信学会")), None);
        assert_eq!(
            p.expert("li")
                .unwrap()
                .conflict_with(&item("清华大学", "x")),
            None
        );
        let c = Conflict {
            expert: "wang".into(),
            item: "EI-003".into(),
            affiliation: "清华大学".into(),
            party: Party::Applicant,
            organisation: "清华大学".into(),
            path: PathBuf::from("a.json"),
        };
        assert_eq!(
            c.to_string(),
            "wang scored EI-003 but is affiliated with 清华大学 (applicant)"
        );
    }
}
