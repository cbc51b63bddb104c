//! The final review (终审): merging the domains' shortlist exports into one batch.

use crate::domain::batch::Item;
use crate::domain::profile::Profile;
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Why shortlists cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A file could not be read or parsed.
    #[error("{path}: {message}")]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two shortlists of one domain.
    #[error("{a} and {b} are both shortlists of {domain}")]
    SameDomain {
        /// The domain.
        domain: String,
        /// First file.
        a: PathBuf,
        /// Second file.
        b: PathBuf,
    },
    /// Shortlists made under different rules.
    #[error("{a} (profile {pa}) and {b} (profile {pb}) were made under different rules")]
    DifferentProfiles {
        /// First file.
        a: PathBuf,
        /// Its profile.
        pa: String,
        /// Second file.
        b: PathBuf,
        /// Its profile.
        pb: String,
    },
    /// The shortlists follow other rules than the profile the final batch is made for.
    #[error(
        "{path} was made under profile {found}, not {given}: pass --profile with the profile file of {found}"
    )]
    OtherProfile {
        /// The first shortlist.
        path: PathBuf,
        /// Its profile id.
        found: String,
        /// The profile given (or the built-in one).
        given: String,
    },
    /// The same nomination id in two domains.
    #[error("nomination id {id} is in both {a} and {b}")]
    DuplicateId {
        /// The id.
        id: String,
        /// First file.
        a: PathBuf,
        /// Second file.
        b: PathBuf,
    },
    /// Nothing to merge.
    #[error("no shortlist given")]
    Empty,
}

impl MergeError {
    /// The message in the catalogue (its English is the Display; a file's own problem stays
    /// as the parser said it).
    pub fn msg(&self) -> crate::text::i18n::Msg {
        use crate::text::i18n::{Msg, T};
        let p = |path: &PathBuf| path.display().to_string();
        match self {
            MergeError::Input { path, message } => {
                Msg::verbatim(format!("{}: {message}", path.display()))
            }
            MergeError::SameDomain { domain, a, b } => Msg::new(
                T::MergeSameDomain,
                &[("a", &p(a)), ("b", &p(b)), ("domain", domain)],
            ),
            MergeError::DifferentProfiles { a, pa, b, pb } => Msg::new(
                T::MergeDifferentProfiles,
                &[("a", &p(a)), ("pa", pa), ("b", &p(b)), ("pb", pb)],
            ),
            MergeError::OtherProfile { path, found, given } => Msg::new(
                T::MergeOtherProfile,
                &[("path", &p(path)), ("found", found), ("given", given)],
            ),
            MergeError::DuplicateId { id, a, b } => Msg::new(
                T::MergeDuplicateId,
                &[("id", id), ("a", &p(a)), ("b", &p(b))],
            ),
            MergeError::Empty => Msg::new(T::MergeEmpty, &[]),
        }
    }
}

#[derive(Deserialize)]
struct Row {
    id: String,
    rank: Option<u32>,
    score: Option<f64>,
    shortlisted: bool,
}

#[derive(Deserialize)]
struct Range {
    shortlist_min: usize,
    shortlist_max: usize,
}

#[derive(Deserialize)]
struct Export {
    format: String,
    profile: String,
    profile_hash: String,
    domain: Option<String>,
    #[serde(default)]
    final_review: bool,
    #[serde(default)]
    k_out_of_range: bool,
    config: Option<Range>,
    rows: Vec<Row>,
    nominations: Vec<Item>,
}

/// One domain's part of the final batch.
#[derive(Debug, Clone)]
pub struct Part {
    /// The shortlist file.
    pub path: PathBuf,
    /// The domain key.
    pub domain: String,
    /// Nominations taken.
    pub count: usize,
    /// The range the shortlist was made for, when it is outside it (exported with `--force`).
    pub forced: Option<(usize, usize)>,
}

/// The merged final-review batch.
#[derive(Debug, Clone)]
pub struct Final {
    /// The profile id.
    pub profile: String,
    /// The nominations, by domain then preliminary rank.
    pub items: Vec<Item>,
    /// What each input contributed.
    pub parts: Vec<Part>,
    /// The profile's domains no shortlist was given for (keys, in profile order).
    pub missing: Vec<String>,
}

fn input_err(path: &Path, message: impl Into<String>) -> MergeError {
    MergeError::Input {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Merges shortlist exports (`revdesk export --format json`, or `rank --format json`) into a
/// final-review batch for `profile`, which they must have been made under.
pub fn merge(inputs: &[(PathBuf, String)], profile: &Profile) -> Result<Final, MergeError> {
    let domain_order: Vec<String> = profile.domains.iter().map(|d| d.key.clone()).collect();
    if inputs.is_empty() {
        return Err(MergeError::Empty);
    }
    let mut parsed: Vec<(PathBuf, Export)> = Vec::new();
    for (path, text) in inputs {
        let e: Export = serde_json::from_str(text)
            .map_err(|e| input_err(path, format!("not a revdesk results export: {e}")))?;
        if e.format != "revdesk-results/1" {
            return Err(input_err(path, format!("unknown format '{}'", e.format)));
        }
        if e.final_review {
            return Err(input_err(path, "this is already a final-review result"));
        }
        parsed.push((path.clone(), e));
    }
    let (p0, e0) = &parsed[0];
    let mut seen_domain: HashMap<String, PathBuf> = HashMap::new();
    let mut seen_id: HashMap<String, PathBuf> = HashMap::new();
    let mut by_domain: BTreeMap<usize, Vec<Item>> = BTreeMap::new();
    let mut parts = Vec::new();
    for (path, e) in &parsed {
        if e.profile_hash != e0.profile_hash {
            return Err(MergeError::DifferentProfiles {
                a: p0.clone(),
                pa: e0.profile.clone(),
                b: path.clone(),
                pb: e.profile.clone(),
            });
        }
    }
    // The final batch's title, list size and rubric come from `profile`: it must be theirs.
    if e0.profile_hash != profile.hash() {
        return Err(MergeError::OtherProfile {
            path: p0.clone(),
            found: e0.profile.clone(),
            given: profile.id.clone(),
        });
    }
    for (path, e) in &parsed {
        let domain = e
            .domain
            .clone()
            .ok_or_else(|| input_err(path, "the result names no domain"))?;
        if let Some(a) = seen_domain.insert(domain.clone(), path.clone()) {
            return Err(MergeError::SameDomain {
                domain,
                a,
                b: path.clone(),
            });
        }
        let items: HashMap<&str, &Item> =
            e.nominations.iter().map(|i| (i.id.as_str(), i)).collect();
        let mut taken = Vec::new();
        for row in e.rows.iter().filter(|r| r.shortlisted) {
            let Some(item) = items.get(row.id.as_str()) else {
                return Err(input_err(
                    path,
                    format!("nomination {} has no record", row.id),
                ));
            };
            if let Some(a) = seen_id.insert(row.id.clone(), path.clone()) {
                return Err(MergeError::DuplicateId {
                    id: row.id.clone(),
                    a,
                    b: path.clone(),
                });
            }
            let mut it = (*item).clone();
            it.domain = domain.clone();
            it.preliminary_rank = row.rank;
            it.preliminary_score = row.score;
            taken.push(it);
        }
        taken.sort_by_key(|i| (i.preliminary_rank.unwrap_or(u32::MAX), i.id.clone()));
        let forced = e
            .config
            .as_ref()
            .map(|c| (c.shortlist_min, c.shortlist_max))
            .filter(|(min, max)| e.k_out_of_range || !(*min..=*max).contains(&taken.len()));
        parts.push(Part {
            path: path.clone(),
            domain: domain.clone(),
            count: taken.len(),
            forced,
        });
        let order = domain_order
            .iter()
            .position(|d| *d == domain)
            .unwrap_or(domain_order.len());
        by_domain.entry(order).or_default().extend(taken);
    }
    let missing = domain_order
        .iter()
        .filter(|d| !seen_domain.contains_key(*d))
        .cloned()
        .collect();
    Ok(Final {
        profile: e0.profile.clone(),
        items: by_domain.into_values().flatten().collect(),
        parts,
        missing,
    })
}

impl Final {
    /// The final-review batch as JSON (the batch format, `final_review: true`).
    pub fn to_json(&self, title: &str) -> String {
        let doc = json!({
            "format": "revdesk-batch/1",
            "title": title,
            "profile": self.profile,
            "final_review": true,
            "items": self.items,
        });
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
        s.push('\n');
        s
    }
}
