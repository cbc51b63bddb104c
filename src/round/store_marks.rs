//! A store's marks as a source for the round: what a server's chair sees live.

use super::service::{MarkSource, RoundError};
use super::submit;
use crate::domain::batch::Batch;
use crate::domain::profile::Profile;
use crate::io::panel::{self, Collected, Panel};
use crate::io::sheet::SheetError;
use crate::store::{DB_FILE_NAME, Store};
use std::path::{Path, PathBuf};

/// The marks in a store (the review server's): for every expert with marks on the batch, the
/// sheet `revdesk sheet` would write now, signed with that expert's key in the store, checked
/// as sheet files are (panel, pinned keys, rubric, conflicts of interest).
#[derive(Debug)]
pub struct StoreMarks {
    dir: PathBuf,
    store: Store,
}

impl StoreMarks {
    /// Opens the store in `dir`, which must hold one (an empty store is a mistyped path).
    pub fn open(dir: &Path) -> Result<StoreMarks, RoundError> {
        if !dir.join(DB_FILE_NAME).is_file() {
            return Err(RoundError::NoStore {
                dir: dir.to_path_buf(),
            });
        }
        Ok(StoreMarks {
            dir: dir.to_path_buf(),
            store: Store::open(dir)?,
        })
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What stands for an expert's sheet file in notes and refusals: `…/revdesk.db#wang`.
    pub fn sheet_name(&self, expert: &str) -> PathBuf {
        PathBuf::from(format!("{}#{expert}", self.store.path().display()))
    }
}

/// A failure to make a sheet, as the reason the sheet is refused.
fn unreadable(e: impl std::error::Error + Send + Sync + 'static) -> SheetError {
    SheetError::Io(std::io::Error::other(e))
}

impl MarkSource for StoreMarks {
    /// Round 1's marks are read back from history, as they stood when round 2 opened.
    fn collect_up_to(
        &self,
        batch: &Batch,
        profile: &Profile,
        panel: Option<&Panel>,
        up_to: Option<u32>,
    ) -> Collected {
        let sheets = match self.store.experts_with_marks(&batch.hash) {
            Ok(experts) => experts
                .iter()
                .map(|e| {
                    let made = submit::preview_up_to(&self.store, batch, profile, e, up_to)
                        .map_err(unreadable);
                    (self.sheet_name(e), made)
                })
                .collect(),
            Err(e) => vec![(self.store.path().to_path_buf(), Err(unreadable(e)))],
        };
        panel::collect_sheets(sheets, batch, profile, panel)
    }

    /// The id after the `#` of a name from [`StoreMarks::sheet_name`].
    fn expert_of(&self, sheet: &Path) -> Option<String> {
        let prefix = format!("{}#", self.store.path().display());
        let name = sheet.to_str()?;
        name.strip_prefix(&prefix)
            .filter(|id| !id.is_empty())
            .map(str::to_string)
    }

    /// SQLite's data version: it moves whenever another connection (an expert's session, a
    /// `revdesk enter`) commits to the store.
    fn stamp(&self) -> u64 {
        // Why the cast: the version is a counter, only its changes matter.
        self.store.data_version().map(|v| v as u64).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::validate;
    use crate::store::{Change, Source};

    fn batch() -> (Profile, Batch) {
        let profile = Profile::kczg_2020();
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/batches/resources-environment.json");
        let report = validate::load(&path, &profile, &validate::Options::default()).unwrap();
        (profile, report.batch)
    }

    /// `expert` scores the first `n` nominations 7 on every criterion and recuses the next.
    fn score(store: &Store, batch: &Batch, profile: &Profile, expert: &str, n: usize) {
        store.ensure_expert(expert, None).unwrap();
        store
            .register_batch(&batch.hash, "b", "resources-environment", &batch.ids())
            .unwrap();
        let mut changes = Vec::new();
        for item in &batch.items[..n] {
            for c in &profile.rubric().criteria {
                changes.push(Change::score(item.id.clone(), c.key.clone(), Some(7.0)));
            }
        }
        changes.push(Change::recusal(
            batch.items[n].id.clone(),
            Some("合作".into()),
        ));
        store
            .apply(expert, &batch.hash, &changes, Source::Keyboard)
            .unwrap();
    }

    fn is_send<T: Send>(_: &T) {}

    #[test]
    fn a_store_gives_the_sheets_its_experts_would_sign_without_moving_their_numbers() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            StoreMarks::open(dir.path()),
            Err(RoundError::NoStore { .. })
        ));
        let (profile, batch) = batch();
        let store = Store::open(dir.path()).unwrap();
        score(&store, &batch, &profile, "wang", 3);
        score(&store, &batch, &profile, "li", 2);
        let marks = StoreMarks::open(dir.path()).unwrap();
        is_send(&marks);
        let got = marks.collect(&batch, &profile, None);
        assert!(got.rejected.is_empty(), "{:?}", got.rejected);
        let ids: Vec<&str> = got
            .accepted
            .iter()
            .map(|(_, s)| s.expert.id.as_str())
            .collect();
        assert_eq!(ids, ["li", "wang"]);
        let (name, wang) = &got.accepted[1];
        assert_eq!(marks.expert_of(name).as_deref(), Some("wang"));
        assert_eq!(marks.expert_of(Path::new("elsewhere.json")), None);
        assert!(
            name.display().to_string().ends_with("revdesk.db#wang"),
            "{name:?}"
        );
        assert_eq!((wang.sequence, wang.items.len()), (1, 4));
        assert!(wang.items.iter().any(|i| i.recused));
        // Reading again moves nothing: `revdesk sheet` then writes the same sheet, number 1.
        assert_eq!(
            marks.collect(&batch, &profile, None).accepted[1].1.sequence,
            1
        );
        let signed = submit::produce(&store, &batch, &profile, "wang").unwrap();
        assert_eq!(signed.sequence, 1);
        assert_eq!(signed.items, wang.items);
        assert_eq!(signed.public_key, wang.public_key);
        // Another connection's write moves the stamp.
        let before = marks.stamp();
        score(&store, &batch, &profile, "zhao", 1);
        assert_ne!(marks.stamp(), before);
        assert_eq!(marks.collect(&batch, &profile, None).accepted.len(), 3);
    }

    #[test]
    fn store_sheets_meet_the_panel_as_files_do() {
        let dir = tempfile::tempdir().unwrap();
        let (profile, batch) = batch();
        let store = Store::open(dir.path()).unwrap();
        score(&store, &batch, &profile, "wang", 3);
        score(&store, &batch, &profile, "li", 3);
        let wang = submit::signing_key(&store, "wang").unwrap().verifying_key();
        let other = crate::io::sheet::new_signing_key().verifying_key();
        let applicant = &batch.items[0].applicant;
        let panel = Panel::from_toml(
            &format!(
                "[[experts]]\nid = \"wang\"\nname = \"王五\"\naffiliations = [{applicant:?}]\npublic_key = \"{}\"\n\n\
                 [[experts]]\nid = \"li\"\npublic_key = \"{}\"\n\n[[experts]]\nid = \"qian\"\npublic_key = \"{}\"\n",
                crate::io::sheet::public_key_to_hex(&wang),
                crate::io::sheet::public_key_to_hex(&other),
                crate::io::sheet::public_key_to_hex(&crate::io::sheet::new_signing_key().verifying_key()),
            ),
            Path::new("panel.toml"),
        )
        .unwrap();
        let marks = StoreMarks::open(dir.path()).unwrap();
        let got = marks.collect(&batch, &profile, Some(&panel));
        assert_eq!(got.accepted.len(), 1);
        assert_eq!(got.rejected.len(), 1);
        let refused = crate::text::errors::error_chain(&got.rejected[0]);
        assert!(refused.contains("revdesk.db#li"), "{refused}");
        assert!(refused.contains("panel pins"), "{refused}");
        assert_eq!(
            got.conflicts.len(),
            1,
            "wang scored his own applicant's nomination"
        );
        assert_eq!(got.conflicts[0].item, batch.items[0].id);
        assert!(
            got.notes.iter().any(|n| n.to_string().starts_with("qian")),
            "{:?}",
            got.notes
        );
        // The chair's reading as the audit trail keeps it: li's refusal names li; recorded
        // once, and a repeat writes nothing, so a live view's stamp settles.
        let reads = crate::round::sheet_reads(&got, &marks);
        let li = reads.iter().find(|r| r.reason.is_some()).unwrap();
        assert_eq!(li.expert.as_deref(), Some("li"));
        assert!(li.sheet.ends_with("revdesk.db#li"), "{}", li.sheet);
        assert!(li.reason.as_deref().unwrap().contains("panel pins"));
        let record = |c: &Collected| {
            crate::round::record_reading(&store, "zhao", &batch.hash, c, &marks).unwrap()
        };
        assert_eq!(record(&got), 2);
        let stamp = marks.stamp();
        assert_eq!(record(&marks.collect(&batch, &profile, Some(&panel))), 0);
        assert_eq!(marks.stamp(), stamp);
    }
}
