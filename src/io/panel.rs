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

use crate::domain::batch::{Batch, Item};
use crate::domain::profile::Profile;
use crate::io::fsafe;
use crate::io::sheet::{
    self, SheetError, SheetFileError, fingerprint, public_key_from_hex, public_key_to_hex,
};
use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
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
        reason: String,
    },
}

/// The panel file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPanel {
    #[serde(default)]
    experts: Vec<RawExpert>,
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
}

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
        let invalid = |key: String, reason: String| PanelError::Invalid {
            file: file.to_path_buf(),
            key,
            reason,
        };
        if raw.experts.is_empty() {
            return Err(invalid(
                "experts".into(),
                "the panel lists no experts ([[experts]] tables)".into(),
            ));
        }
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut keys: HashMap<[u8; 32], usize> = HashMap::new();
        let mut experts = Vec::with_capacity(raw.experts.len());
        for (i, e) in raw.experts.into_iter().enumerate() {
            let at = |k: &str| format!("experts[{i}].{k}");
            let id = e.id.trim().to_string();
            if id.is_empty() {
                return Err(invalid(at("id"), "empty expert id".into()));
            }
            if let Some(j) = ids.insert(id.clone(), i) {
                return Err(invalid(
                    at("id"),
                    format!("duplicate expert id '{id}' (also experts[{j}])"),
                ));
            }
            let public_key = public_key_from_hex(&e.public_key)
                .map_err(|err| invalid(at("public_key"), err.to_string()))?;
            if let Some(j) = keys.insert(public_key.to_bytes(), i) {
                return Err(invalid(
                    at("public_key"),
                    format!("the same key as experts[{j}]: each expert needs a key of their own"),
                ));
            }
            for (k, a) in e.affiliations.iter().enumerate() {
                if normalise_org(a).is_empty() {
                    return Err(invalid(
                        format!("experts[{i}].affiliations[{k}]"),
                        "empty affiliation".into(),
                    ));
                }
            }
            experts.push(PanelExpert {
                id,
                name: e.name.trim().to_string(),
                affiliations: e
                    .affiliations
                    .iter()
                    .map(|a| a.trim().to_string())
                    .collect(),
                public_key,
            });
        }
        Ok(Panel {
            path: file.to_path_buf(),
            experts,
        })
    }

    /// Finds an expert by id.
    pub fn expert(&self, id: &str) -> Option<&PanelExpert> {
        self.experts.iter().find(|e| e.id == id)
    }

    /// The panel as TOML, e.g. to start a panel file from the experts' public keys.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for e in &self.experts {
            let affiliations: Vec<String> = e.affiliations.iter().map(|a| toml_string(a)).collect();
            out.push_str(&format!(
                "[[experts]]\nid = {}\nname = {}\naffiliations = [{}]\npublic_key = \"{}\"\n\n",
                toml_string(&e.id),
                toml_string(&e.name),
                affiliations.join(", "),
                public_key_to_hex(&e.public_key)
            ));
        }
        out
    }
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
        write!(
            f,
            "{} scored {} but is affiliated with {} ({}",
            self.expert, self.item, self.affiliation, self.party
        )?;
        if normalise_org(&self.affiliation) != normalise_org(&self.organisation) {
            write!(f, ": {}", self.organisation)?;
        }
        f.write_str(")")
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
    pub notes: Vec<String>,
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
            out.notes.push(format!(
                "{}: no sheets (*.json) in the directory",
                p.display()
            ));
        }
        for f in found {
            if seen.insert(f.clone()) {
                files.push(f);
            }
        }
    }
    files
}

/// Reads, verifies and checks one sheet, and checks it against the panel.
fn load_one(
    path: &Path,
    batch: &Batch,
    profile: &Profile,
    panel: Option<&Panel>,
) -> Result<sheet::Sheet, SheetError> {
    let s = sheet::read(path)?;
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
    let mut out = Collected::default();
    let files = expand(paths, &mut out);
    let mut by_expert: BTreeMap<String, Vec<(PathBuf, sheet::Sheet)>> = BTreeMap::new();
    for path in files {
        match load_one(&path, batch, profile, panel) {
            Ok(s) => by_expert
                .entry(s.expert.id.clone())
                .or_default()
                .push((path, s)),
            Err(source) => out.rejected.push(SheetFileError { path, source }),
        }
    }
    for (expert, sheets) in by_expert {
        resolve(&expert, sheets, &mut out);
    }
    if let Some(panel) = panel {
        let mut missing: Vec<&PanelExpert> = panel
            .experts
            .iter()
            .filter(|e| !out.accepted.iter().any(|(_, s)| s.expert.id == e.id))
            .collect();
        missing.sort_by(|a, b| a.id.cmp(&b.id));
        for e in missing {
            out.notes
                .push(format!("{} ({}): no accepted sheet", e.id, e.name));
        }
        out.conflicts = find_conflicts(&out.accepted, batch, panel);
    }
    out.rejected.sort_by(|a, b| a.path.cmp(&b.path));
    out
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
    let same_key = sheets;

    // Identical copies (same signed content) are harmless.
    let mut copies: HashMap<String, PathBuf> = HashMap::new();
    let mut by_seq: BTreeMap<u64, Vec<(PathBuf, sheet::Sheet)>> = BTreeMap::new();
    for (path, s) in same_key {
        let content = s.content_hash();
        if let Some(original) = copies.get(&content) {
            out.notes.push(format!(
                "{expert}: {} is an identical copy of {} (ignored)",
                path.display(),
                original.display()
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
            out.notes.push(format!(
                "{expert}: sheet seq {} ({}) is not used: the later seq {top} sheets conflict",
                s.sequence,
                path.display()
            ));
        }
        return;
    }
    let Some((win_path, win)) = by_seq.get(&top).and_then(|g| g.first()) else {
        return;
    };
    for (path, s) in older {
        out.notes.push(format!(
            "{expert}: sheet seq {top} ({}) supersedes seq {} ({})",
            win_path.display(),
            s.sequence,
            path.display()
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
