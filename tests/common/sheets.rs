//! Signed score sheets made in-process, for the chair's tests.
#![allow(dead_code)]

use revdesk::batch::Batch;
use revdesk::profile::Profile;
use revdesk::store::{Change, Source, Store};
use std::path::{Path, PathBuf};

/// A deterministic score: quality falls with the item's position; experts differ a little.
pub fn mark(e: usize, i: usize, c: usize) -> f64 {
    let q = 8.5 - i as f64 * 0.6 + [0.0, 0.4, -0.4, 0.8, -0.8, 0.2, -0.2][e % 7];
    let noise = (((e * 7 + i * 13 + c * 5) % 5) as f64 - 2.0) * 0.4;
    (q + noise).round().clamp(0.0, 10.0)
}

/// Expert `e` scores every item of `batch` in their own store under `root`, then signs a
/// sheet into `out`; `boost` raises one item to full marks. Returns the sheet's path.
pub fn expert_sheet(
    root: &Path,
    batch: &Batch,
    profile: &Profile,
    e: usize,
    boost: Option<&str>,
    out: &Path,
) -> PathBuf {
    let store = Store::open(&root.join(format!("store-e{e}"))).expect("store");
    let id = format!("e{e}");
    store
        .ensure_expert(&id, Some(&format!("专家{e}")))
        .expect("expert");
    store
        .register_batch(
            &batch.hash,
            "t",
            batch.domain.as_deref().unwrap_or("final"),
            &batch.ids(),
        )
        .expect("register");
    let mut changes = Vec::new();
    for (i, it) in batch.items.iter().enumerate() {
        for (c, crit) in profile.rubric().criteria.iter().enumerate() {
            let v = if boost == Some(it.id.as_str()) {
                crit.max
            } else {
                mark(e, i, c)
            };
            changes.push(Change::score(it.id.clone(), crit.key.clone(), Some(v)));
        }
    }
    store
        .apply(&id, &batch.hash, &changes, Source::Paper)
        .expect("apply");
    let (path, _) =
        revdesk::submit::submit_to_dir(&store, batch, profile, &id, out).expect("submit");
    path
}
