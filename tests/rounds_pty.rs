//! The discussion round in the real scoring view under a pseudo-terminal: the chair opens
//! round 2 from the command line, the expert's next session shows it, and a revision is stored
//! only with the reason typed at the prompt.

mod common;

use common::pty::Tui;
use revdesk::store::Store;
use std::path::Path;

const BATCH: &str = "fixtures/batches/resources-environment-small.json";

fn spawn(store: &Path) -> Tui {
    let store = store.display().to_string();
    let args = [
        "score", BATCH, "--expert", "wang", "--store", &store, "--lang", "en",
    ];
    Tui::spawn(&args, 120, 30, &[])
}

#[test]
fn an_expert_revises_with_a_reason_in_round_two() {
    let dir = tempfile::tempdir().expect("dir");
    let store = dir.path().join("store");
    let mut t = spawn(&store);
    t.wait_for("RE-001 (1/8)");
    t.type_keys("6\r6\r6\r6\r6\r6\r");
    t.wait_for("RE-002 (2/8)");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);

    let out = assert_cmd::Command::cargo_bin("revdesk")
        .expect("binary")
        .env("LC_ALL", "en_US.UTF-8")
        .args(["round", "open", "2", BATCH, "--server"])
        .arg(&store)
        .args(["--items", "RE-001", "--bootstrap", "0", "--chair", "chair"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");

    let mut t = spawn(&store);
    t.wait_for("Discussion round 2");
    t.wait_for("Panel, round 1 (min–median–max):");
    t.type_keys("8\r");
    t.wait_for("Why revise");
    t.type_keys("pilot data\r");
    t.wait_for("RE-001 revised (reason kept)");
    t.wait_for("r1 6");
    t.type_keys("q");
    assert_eq!(t.wait_exit(), 0);

    let s = Store::open(&store).expect("store");
    let hash = s.batches().expect("batches")[0].hash.clone();
    let marks = s.load("wang", &hash).expect("load");
    assert_eq!(marks.items["RE-001"].scores["feasibility"], 8.0);
    let revs = s.revisions(&hash).expect("revisions");
    assert_eq!(revs.len(), 1);
    assert_eq!(
        (revs[0].expert.as_str(), revs[0].reason.as_str()),
        ("wang", "pilot data")
    );
    let first = s.marks_up_to("wang", &hash, 1).expect("round 1");
    assert_eq!(first.items["RE-001"].scores["feasibility"], 6.0);
}
