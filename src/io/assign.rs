//! The assignment file: which nominations each expert scores (`revdesk assign` writes it).
//!
//! ```toml
//! batch = "<the batch's content hash>"
//! per_item = 5
//! seed = 1
//!
//! [[experts]]
//! id = "wang"
//! items = ["EI-001", "EI-007"]
//! ```
//!
//! The batch hash ties the file to one batch: with another batch it is refused. An expert of
//! the panel the file does not list has no share (sees nothing). A panel brings an assignment
//! with a top-level `assignment = "ASSIGN.toml"` (relative to the panel file), the commands with
//! `--assign ASSIGN.toml`.

use crate::domain::batch::Batch;
use crate::engine::assign::{Design, Spec};
use crate::io::fsafe;
use crate::io::panel::Panel;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// Who scores what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Where it was read from (empty when built in memory).
    pub path: PathBuf,
    /// The content hash of the batch it is for.
    pub batch: String,
    /// Experts per nomination.
    pub per_item: usize,
    /// The seed it was designed with.
    pub seed: u64,
    /// Each expert's nominations, by expert id.
    pub experts: BTreeMap<String, BTreeSet<String>>,
}

/// An assignment file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    /// The file cannot be read.
    #[error("{}: cannot read assignment", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not TOML, or a wrong or missing key.
    #[error("{}: malformed assignment: {message}", file.display())]
    Parse {
        /// The file.
        file: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A value is wrong.
    #[error("{}: {key}: {reason}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The offending key, e.g. `experts[2].items`.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// Made for another batch.
    #[error("{}: made for another batch ({}), not {}", file.display(), short(found), short(expected))]
    OtherBatch {
        /// The file.
        file: PathBuf,
        /// The hash in the file.
        found: String,
        /// The batch's hash.
        expected: String,
    },
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssignment {
    batch: String,
    per_item: usize,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    experts: Vec<RawExpert>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpert {
    id: String,
    #[serde(default)]
    items: Vec<String>,
}

impl Assignment {
    /// Builds the assignment of a design (`experts` and `batch` in the design's index order).
    pub fn from_design(batch: &Batch, experts: &[String], design: &Design, spec: &Spec) -> Self {
        let mut map: BTreeMap<String, BTreeSet<String>> = experts
            .iter()
            .map(|id| (id.clone(), BTreeSet::new()))
            .collect();
        for (item, ex) in batch.items.iter().zip(&design.items) {
            for &x in ex {
                if let Some(set) = experts.get(x).and_then(|id| map.get_mut(id)) {
                    set.insert(item.id.clone());
                }
            }
        }
        Assignment {
            path: PathBuf::new(),
            batch: batch.hash.clone(),
            per_item: spec.per_item,
            seed: spec.seed,
            experts: map,
        }
    }

    /// Loads an assignment file and checks it against `batch`.
    pub fn load(path: &Path, batch: &Batch) -> Result<Assignment, AssignError> {
        let text = fsafe::read_to_string(path, fsafe::MAX_CONFIG_BYTES).map_err(|source| {
            AssignError::Read {
                file: path.to_path_buf(),
                source,
            }
        })?;
        Assignment::from_toml(&text, path, batch)
    }

    /// Parses and checks an assignment for `batch`; `file` names it in errors.
    pub fn from_toml(text: &str, file: &Path, batch: &Batch) -> Result<Assignment, AssignError> {
        let raw: RawAssignment = toml::from_str(text).map_err(|e| AssignError::Parse {
            file: file.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })?;
        let invalid = |key: String, reason: String| AssignError::Invalid {
            file: file.to_path_buf(),
            key,
            reason,
        };
        if raw.batch.trim() != batch.hash {
            return Err(AssignError::OtherBatch {
                file: file.to_path_buf(),
                found: raw.batch.trim().to_string(),
                expected: batch.hash.clone(),
            });
        }
        let known: HashSet<&str> = batch.items.iter().map(|i| i.id.as_str()).collect();
        let mut experts = BTreeMap::new();
        for (i, e) in raw.experts.into_iter().enumerate() {
            let id = e.id.trim().to_string();
            if id.is_empty() {
                return Err(invalid(
                    format!("experts[{i}].id"),
                    "empty expert id".into(),
                ));
            }
            let mut items = BTreeSet::new();
            for (k, it) in e.items.iter().enumerate() {
                let it = it.trim();
                if !known.contains(it) {
                    return Err(invalid(
                        format!("experts[{i}].items[{k}]"),
                        format!("'{it}' is not a nomination of the batch"),
                    ));
                }
                if !items.insert(it.to_string()) {
                    return Err(invalid(
                        format!("experts[{i}].items[{k}]"),
                        format!("'{it}' is listed twice"),
                    ));
                }
            }
            if experts.insert(id.clone(), items).is_some() {
                return Err(invalid(
                    format!("experts[{i}].id"),
                    format!("duplicate expert id '{id}'"),
                ));
            }
        }
        Ok(Assignment {
            path: file.to_path_buf(),
            batch: batch.hash.clone(),
            per_item: raw.per_item,
            seed: raw.seed,
            experts,
        })
    }

    /// The file's text: a header comment, then each expert's nominations.
    pub fn to_toml(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str(&format!(
            "batch = {}\nper_item = {}\nseed = {}\n",
            toml_string(&self.batch),
            self.per_item,
            self.seed
        ));
        for (id, items) in &self.experts {
            let list: Vec<String> = items.iter().map(|i| toml_string(i)).collect();
            out.push_str(&format!(
                "\n[[experts]]\nid = {}\nitems = [{}]\n",
                toml_string(id),
                list.join(", ")
            ));
        }
        out
    }

    /// Whether `expert` is assigned `item`.
    pub fn assigned(&self, expert: &str, item: &str) -> bool {
        self.experts
            .get(expert)
            .is_some_and(|items| items.contains(item))
    }

    /// The nominations of `expert` (none for an expert the file does not list).
    pub fn share(&self, expert: &str) -> BTreeSet<String> {
        self.experts.get(expert).cloned().unwrap_or_default()
    }

    /// The batch as `expert` sees it: their share only, in file order. It keeps the whole
    /// batch's hash on purpose: marks and sheets stay keyed to the batch, not to the share.
    pub fn view(&self, batch: &Batch, expert: &str) -> Batch {
        let share = self.experts.get(expert);
        Batch {
            items: batch
                .items
                .iter()
                .filter(|i| share.is_some_and(|s| s.contains(&i.id)))
                .cloned()
                .collect(),
            ..batch.clone()
        }
    }

    /// Of the nominations `marked`, how many lie outside `expert`'s share.
    pub fn outside<'a>(&self, expert: &str, marked: impl IntoIterator<Item = &'a str>) -> usize {
        marked
            .into_iter()
            .filter(|id| !self.assigned(expert, id))
            .count()
    }

    /// Experts assigned `item`.
    pub fn experts_of(&self, item: &str) -> Vec<&str> {
        self.experts
            .iter()
            .filter(|(_, items)| items.contains(item))
            .map(|(id, _)| id.as_str())
            .collect()
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// For each nomination of `batch`, the panel's experts (by index) without a conflict with it.
pub fn eligibility(batch: &Batch, panel: &Panel) -> Vec<Vec<usize>> {
    batch
        .items
        .iter()
        .map(|item| {
            panel
                .experts
                .iter()
                .enumerate()
                .filter(|(_, e)| e.conflict_with(item).is_none())
                .map(|(x, _)| x)
                .collect()
        })
        .collect()
}

/// Where the panel's `assignment` key points, resolved against the panel file's directory.
pub fn from_panel(panel: &Panel) -> Option<PathBuf> {
    let rel = panel.assignment.as_ref()?;
    Some(match panel.path.parent() {
        Some(dir) if rel.is_relative() => dir.join(rel),
        _ => rel.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::Profile;
    use crate::io::synth;

    fn batch(n: usize) -> Batch {
        let profile = Profile::kczg_2020();
        let spec = synth::Spec {
            domain: "electronic-information".into(),
            items: n,
            detail_chars: 0,
            seed: 1,
        };
        Batch::new(
            PathBuf::from("b.csv"),
            Default::default(),
            Some("electronic-information".into()),
            synth::items(&profile, &spec),
        )
    }

    fn text(b: &Batch, body: &str) -> String {
        format!("batch = \"{}\"\nper_item = 2\nseed = 4\n{body}", b.hash)
    }

    #[test]
    fn round_trips_and_gives_each_expert_their_share() {
        let b = batch(4);
        let ids: Vec<&str> = b.items.iter().map(|i| i.id.as_str()).collect();
        let body = format!(
            "[[experts]]\nid = \"wang\"\nitems = [\"{}\", \"{}\"]\n\n[[experts]]\nid = \"li\"\nitems = [\"{}\"]\n",
            ids[0], ids[2], ids[2]
        );
        let a = Assignment::from_toml(&text(&b, &body), Path::new("a.toml"), &b).expect("valid");
        assert_eq!((a.per_item, a.seed), (2, 4));
        assert!(a.assigned("wang", ids[0]) && !a.assigned("wang", ids[1]));
        assert!(
            !a.assigned("zhao", ids[0]),
            "an unlisted expert has no share"
        );
        assert_eq!(a.experts_of(ids[2]), ["li", "wang"]);
        let view = a.view(&b, "wang");
        assert_eq!(
            view.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            [ids[0], ids[2]]
        );
        assert_eq!(view.hash, b.hash, "marks stay keyed to the whole batch");
        assert!(a.view(&b, "zhao").items.is_empty());
        assert_eq!(a.outside("wang", ids.iter().copied()), 2);
        let again = Assignment::from_toml(&a.to_toml("made by\na test"), Path::new("a.toml"), &b)
            .expect("its own output reads back");
        assert_eq!(again.experts, a.experts);
        assert!(a.to_toml("made by").starts_with("# made by\n"));
    }

    #[test]
    fn refuses_another_batch_unknown_and_repeated_nominations() {
        let b = batch(3);
        let other = batch(5);
        let id = &b.items[0].id;
        let err = |t: &str| {
            Assignment::from_toml(t, Path::new("a.toml"), &b)
                .expect_err("refused")
                .to_string()
        };
        let e = err(&text(&other, ""));
        assert!(e.contains("made for another batch"), "{e}");
        let e = err(&text(&b, "[[experts]]\nid = \"w\"\nitems = [\"XX-1\"]\n"));
        assert!(
            e.contains("experts[0].items[0]: 'XX-1' is not a nomination"),
            "{e}"
        );
        let e = err(&text(
            &b,
            &format!("[[experts]]\nid = \"w\"\nitems = [\"{id}\", \"{id}\"]\n"),
        ));
        assert!(e.contains("listed twice"), "{e}");
        let e = err(&text(
            &b,
            "[[experts]]\nid = \"w\"\n\n[[experts]]\nid = \"w\"\n",
        ));
        assert!(e.contains("duplicate expert id 'w'"), "{e}");
        let e = err(&text(&b, "extra = 1\n"));
        assert!(e.contains("malformed assignment"), "{e}");
    }
}
