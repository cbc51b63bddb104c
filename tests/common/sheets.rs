//! Signed score sheets made in-process, for the chair's tests.
#![allow(dead_code)]

use revdesk::domain::batch::Batch;
use revdesk::domain::decisions::{self, Context, Decision};
use revdesk::domain::profile::Profile;
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
    expert_marks(&store, batch, profile, e, boost);
    let id = format!("e{e}");
    let (path, _) =
        revdesk::round::submit::submit_to_dir(&store, batch, profile, &id, out).expect("submit");
    path
}

/// Expert `e` (id `e{e}`, named 专家{e}) scores every item of `batch` in `store` (which may
/// hold other experts: a server's); `boost` raises one item to full marks.
pub fn expert_marks(
    store: &Store,
    batch: &Batch,
    profile: &Profile,
    e: usize,
    boost: Option<&str>,
) {
    let id = format!("e{e}");
    register(store, batch, &id, &format!("专家{e}"));
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
}

/// Registers the expert and the batch in `store`.
fn register(store: &Store, batch: &Batch, id: &str, name: &str) {
    store.ensure_expert(id, Some(name)).expect("expert");
    store
        .register_batch(
            &batch.hash,
            "t",
            batch.domain.as_deref().unwrap_or("final"),
            &batch.ids(),
        )
        .expect("register");
}

/// The realistic meeting of the chair's tests: 资源环境's 46 nominations, seven experts.
pub const MEETING_BATCH: &str = "batches/resources-environment.json";

/// Items (0-based positions in the batch) that every expert scores identically: a tie.
pub const MEETING_TIE: (usize, usize) = (29, 30);

/// A meeting score: quality falls slowly over 46 nominations, experts differ in leniency and
/// noise; the two `MEETING_TIE` items get the same marks from everyone.
pub fn meeting_mark(e: usize, i: usize, c: usize) -> f64 {
    let i = if i == MEETING_TIE.1 { MEETING_TIE.0 } else { i };
    let q = 9.3 - i as f64 * 0.11 + [0.0, 0.5, -0.5, 0.9, -0.9, 0.3, -0.3][e % 7];
    // A small deterministic hash: noise that does not cancel out over the six criteria.
    let h = (e as u64 * 0x9E37_79B9 + i as u64 * 0x85EB_CA6B + c as u64 * 0xC2B2_AE35)
        .wrapping_mul(0x2545_F491_4F6C_DD1D);
    let noise = ((h >> 33) % 1000) as f64 / 1000.0 - 0.5;
    (q + noise * 1.6).round().clamp(0.0, 10.0)
}

/// Expert `e` of the meeting hands in a signed sheet into `out` (see [`meeting_marks`]).
pub fn meeting_sheet(
    root: &Path,
    batch: &Batch,
    profile: &Profile,
    e: usize,
    out: &Path,
) -> PathBuf {
    let store = Store::open(&root.join(format!("meeting-e{e}"))).expect("store");
    meeting_marks(&store, batch, profile, e);
    let id = format!("e{e}");
    let (path, _) =
        revdesk::round::submit::submit_to_dir(&store, batch, profile, &id, out).expect("submit");
    path
}

/// Expert `e` of the meeting scores in `store` (which may hold other experts: a server's):
/// expert 3 recuses from the sixth nomination (which expert 2 comments on), expert 1 comments
/// on the first and on the tied pair's first.
pub fn meeting_marks(store: &Store, batch: &Batch, profile: &Profile, e: usize) {
    let id = format!("e{e}");
    let names = ["王磊", "李静", "张伟", "刘洋", "陈晨", "杨帆", "赵敏"];
    register(store, batch, &id, names[e % names.len()]);
    let mut changes = Vec::new();
    for (i, it) in batch.items.iter().enumerate() {
        if e == 3 && i == 5 {
            changes.push(Change::recusal(
                it.id.clone(),
                Some("本人曾为该项目提供技术咨询".to_string()),
            ));
            continue;
        }
        for (c, crit) in profile.rubric().criteria.iter().enumerate() {
            let v = meeting_mark(e, i, c);
            changes.push(Change::score(it.id.clone(), crit.key.clone(), Some(v)));
        }
        if e == 1 && i == 0 {
            changes.push(Change::comment(
                it.id.clone(),
                "示范工程已连续运行三年，运行数据完整，建议优先推荐。",
            ));
        }
        if e == 2 && i == 5 {
            changes.push(Change::comment(
                it.id.clone(),
                "县域推广案例较多，但运维成本数据不足，建议补充。",
            ));
        }
        if e == 1 && i == MEETING_TIE.0 {
            changes.push(Change::comment(it.id.clone(), "与同类技术相比优势不明显。"));
        }
    }
    store
        .apply(&id, &batch.hash, &changes, Source::Paper)
        .expect("apply");
}

/// The meeting chair's decisions, recorded in `store` by zhang: cut at 26, RE-032 included,
/// RE-003 excluded, all made under trimmed, 25–30, trim_min 5.
pub fn meeting_decisions(store: &Store, batch: &Batch) {
    let context = Context {
        method: "trimmed".into(),
        shortlist_min: 25,
        shortlist_max: 30,
        trim_min: 5,
    };
    for d in [
        Decision::Cut {
            k: 26,
            tie_note: None,
        },
        Decision::Include {
            item: "RE-032".into(),
            reason: "国家示范工程".into(),
        },
        Decision::Exclude {
            item: "RE-003".into(),
            reason: "与已列入项目重复".into(),
        },
    ] {
        store
            .record_decision(
                &batch.hash,
                "zhang",
                &decisions::to_json(&d, Some(&context)),
            )
            .expect("record");
    }
}
